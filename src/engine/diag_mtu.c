/*
 * MTU branch (diagnose.h, FINDING_MTU_BRANCH): one ECMP member with a
 * smaller MTU (a mis-set link, a tunnel on one path) whose "fragmentation
 * needed" (RFC 1191) / "packet too big" (RFC 8201) messages are filtered
 * or rate-limited: handshakes succeed on every branch, bulk transfers hang
 * for the flows hashed onto it.  From the path MTU the engine measured per
 * path (engine/pmtu.h, flow_result.pmtu_bytes): a branch whose measured
 * flows all get less through than the flows through its siblings (same
 * hop, a shared parent) by more than the search's precision is named, at
 * the first hop where that holds; its flows are left out at later hops.
 * Structural evidence from don't-fragment probes, no sample minimum: the
 * search itself asked three times before taking silence for "too big".
 * With ICMP probes a size found by silence is the way there's only once
 * the hop before the target did not get it either (pmtu.h); one that may
 * be the way back's (pmtu_both_ways) names no branch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose_int.h"

/* Least difference worth a finding: the default search stops within 8 bytes. */
#define MTU_MIN_DIFF 9

/*
 * The largest and smallest measured PMTU of the branch's flows not in skip
 * (0: none).  own: of the branch that would be named, whose sizes must be
 * the way there's; a size that may be the way back's (ICMP, pmtu.h) blames
 * no branch, but as a sibling's it is no more than the way there carries,
 * so it can only make a finding less likely.
 */
static void flows_pmtu(const struct diag *d, const struct branch_result *b,
		       const unsigned char *skip, bool own, int *lo, int *hi, bool *ptb)
{
	*lo = *hi = 0;
	for (int j = 0; j < b->nflows; j++) {
		int i = flow_index(d->r, b->flows[j]);
		const struct flow_result *f;

		if (i < 0 || skip[i] || d->r->flows[i].pmtu_bytes == 0)
			continue;
		if (own && d->r->flows[i].pmtu_both_ways)
			continue;
		f = &d->r->flows[i];
		if (*lo == 0 || f->pmtu_bytes < *lo)
			*lo = f->pmtu_bytes;
		if (f->pmtu_bytes > *hi)
			*hi = f->pmtu_bytes;
		*ptb = *ptb || f->pmtu_ptb;
	}
}

static void say_mtu(struct finding *f, int nsiblings, const struct ip_addr *sibling)
{
	char a[ADDR_STRLEN];

	say(f, "flows through %s (hop %d) get no more than %d bytes through (",
	    addr_format(&f->addr, a, sizeof(a)), f->ttl, f->pmtu_bytes);
	if (nsiblings == 1)
		say(f, "through %s: %d", addr_format(sibling, a, sizeof(a)), f->pmtu_others);
	else
		say(f, "through its %d siblings: %d", nsiblings, f->pmtu_others);
	if (f->pmtu_messages)
		say(f, "); it sends PMTU discovery messages, so connections shrink their packets, "
		       "but tunnels and hosts that ignore them stall");
	else
		say(f, "); PMTU discovery messages are not sent (a black hole): handshakes succeed, "
		       "bulk transfers on these flows hang");
}

/* Tests branch bi of hop k; true (and its flows in g) when it is named. */
static bool test_branch(struct diag *d, int k, int bi, const unsigned char *skip, unsigned char *g)
{
	const struct hop_result *h = &d->r->hops[k];
	const struct branch_result *b = &h->branches[bi];
	struct ip_addr first = {0};
	int lo, hi, others = 0, nsib = 0;
	bool ptb = false, sptb = false;
	struct finding *f;

	if (!addr_is_set(&b->addr) || b->is_destination)
		return false;
	flows_pmtu(d, b, skip, true, &lo, &hi, &ptb);
	if (lo == 0)
		return false;
	for (int j = 0; j < h->nbranches; j++) {
		const struct branch_result *o = &h->branches[j];
		int olo, ohi;

		if (j == bi || !branches_share_parent(b, o, k))
			continue;
		flows_pmtu(d, o, skip, false, &olo, &ohi, &sptb);
		if (olo == 0)
			continue;
		if (nsib++ == 0)
			first = o->addr;
		if (ohi > others)
			others = ohi;
	}
	/* Every measured flow of the branch gets less through than the siblings' best. */
	if (nsib == 0 || hi + MTU_MIN_DIFF > others)
		return false;
	f = finding_new(d, FINDING_MTU_BRANCH);
	if (f == NULL)
		return false;
	branch_mask(d, b, g);
	for (int i = 0; i < d->nflows; i++)
		g[i] = g[i] && !skip[i];
	f->ttl = ttl_of(d, k);
	f->addr = b->addr;
	f->prev_addr = prev_responder(d, g, k);
	f->pmtu_bytes = lo;
	f->pmtu_others = others;
	f->pmtu_messages = ptb;
	finding_flows(d, f, g);
	say_mtu(f, nsib, &first);
	return true;
}

void find_mtu(struct diag *d)
{
	unsigned char *skip = calloc((size_t)d->nflows + 1, 1);
	unsigned char *g = calloc((size_t)d->nflows + 1, 1);

	if (skip == NULL || g == NULL) {
		d->oom = true;
		goto out;
	}
	for (int k = 0; k < d->nhops && !d->oom; k++) {
		const struct hop_result *h = &d->r->hops[k];

		if (h->nbranches < 2)
			continue;
		for (int b = 0; b < h->nbranches && !d->oom; b++)
			if (test_branch(d, k, b, skip, g))
				for (int i = 0; i < d->nflows; i++)
					skip[i] |= g[i];
	}
out:
	free(skip);
	free(g);
}
