/*
 * Unit tests of the mtu-branch diagnosis (src/engine/diag_mtu.c) on
 * snapshots built by hand (diag_scen.h: 16 flows, branch A = flows 0-7,
 * B = flows 8-15) with each flow's measured path MTU set: a smaller MTU
 * behind A is named with its flows, its bytes and its siblings'; equal
 * MTUs, a difference within the search's 8 bytes, MTUs not yet measured,
 * or a branch whose flows differ among themselves (the small MTU lies
 * further on) give nothing; nor does a size that may be the way back's
 * (ICMP), which still counts as a sibling's.
 */
#include <string.h>

#include "../tap.h"
#include "diag_scen.h"

/*
 * ecmp(3) with flows 0-7 at mtu_a (flow 0 at mtu_0 if not 0), 8-15 at
 * mtu_b; both: which of A (1), B (2) measured sizes that may be the way
 * back's (ICMP, pmtu_both_ways).
 */
static struct results *mtu_scen_both(int mtu_a, int mtu_b, int mtu_0, bool ptb, int both)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	r = build(&s);
	for (int i = 0; i < r->nflows; i++) {
		r->flows[i].pmtu_bytes = (uint16_t)(i < 8 ? (i == 0 && mtu_0 ? mtu_0 : mtu_a) : mtu_b);
		r->flows[i].pmtu_ptb = ptb && i < 8;
		r->flows[i].pmtu_both_ways = (i < 8 ? both & 1 : both & 2) != 0;
	}
	return results_with_findings(r);
}

static struct results *mtu_scen(int mtu_a, int mtu_b, int mtu_0, bool ptb)
{
	return mtu_scen_both(mtu_a, mtu_b, mtu_0, ptb, 0);
}

int main(void)
{
	struct results *r = mtu_scen(1396, 1500, 0, false);
	const struct finding *f = first_kind(r, FINDING_MTU_BRANCH);

	ok(count_kind(r, FINDING_MTU_BRANCH) == 1 && f && addr_is(&f->addr, BR_A) && f->ttl == 2,
	   "1396 bytes behind A, 1500 behind B: one mtu-branch naming A at hop 2");
	ok(f && f->pmtu_bytes == 1396 && f->pmtu_others == 1500 && !f->pmtu_messages,
	   "it gives 1396 bytes, the siblings' 1500, and no PMTU messages");
	ok(f && flows_are_range(f, 0, 7), "it names flows 0-7 and their source ports");
	ok(f && strstr(f->summary, "black hole") != NULL, "it says black hole: %s",
	   f ? f->summary : "");
	results_free(r);

	r = mtu_scen(1400, 1500, 0, true);
	f = first_kind(r, FINDING_MTU_BRANCH);
	ok(f && f->pmtu_messages && strstr(f->summary, "sends PMTU discovery messages") != NULL,
	   "with frag-needed / packet-too-big it says they are sent");
	results_free(r);

	r = mtu_scen(1500, 1500, 0, false);
	ok(count_kind(r, FINDING_MTU_BRANCH) == 0, "1500 everywhere: none");
	results_free(r);
	r = mtu_scen(1492, 1500, 0, false);
	ok(count_kind(r, FINDING_MTU_BRANCH) == 0, "8 bytes apart (the search's precision): none");
	results_free(r);
	r = mtu_scen(0, 1500, 0, false);
	ok(count_kind(r, FINDING_MTU_BRANCH) == 0, "A not measured yet: none");
	results_free(r);
	r = mtu_scen(1396, 1500, 1500, false);
	ok(count_kind(r, FINDING_MTU_BRANCH) == 0,
	   "one flow through A gets 1500 through: the small MTU is not A's, none");
	results_free(r);

	/* ICMP: sizes that may be the way back's name no branch, but count as siblings'. */
	r = mtu_scen_both(1396, 1500, 0, false, 1);
	ok(count_kind(r, FINDING_MTU_BRANCH) == 0,
	   "A's 1396 there and back (perhaps the way back's), B 1500: none");
	results_free(r);
	r = mtu_scen_both(1396, 1500, 0, false, 2);
	f = first_kind(r, FINDING_MTU_BRANCH);
	ok(f && addr_is(&f->addr, BR_A) && f->pmtu_others == 1500,
	   "A's 1396 on the way there, B's 1500 there and back: A named");
	results_free(r);
	r = mtu_scen_both(1396, 1400, 0, false, 2);
	ok(count_kind(r, FINDING_MTU_BRANCH) == 0,
	   "A's 1396 on the way there, B's 1400 there and back: within the precision, none");
	results_free(r);
	return tap_done();
}
