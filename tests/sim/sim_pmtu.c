/*
 * The path MTU search (src/engine/pmtu.c) and the mtu-branch finding
 * (src/engine/diag_mtu.c) against the simulated network: one member of a
 * 2-way split forwards no don't-fragment probe over 1400 bytes, with
 * frag-needed / packet-too-big or as a black hole, in both families.  The
 * member's branch gets its PMTU (exactly 1400 from the messages, within 8
 * bytes without), the other 1500, and one mtu-branch names exactly the
 * flows the network sends through it.  A clean network costs one probe
 * per path; 30% loss on a member with a plain MTU does not pass for a
 * smaller MTU (10 seeds: silences in a row must outnumber what the loss
 * explains); no search when it is off (pmtu_step 0).
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "engine/diagnose.h"
#include "simrun.h"

static const struct finding *first_kind(const struct results *r, enum finding_kind kind)
{
	for (int i = 0; r->findings && i < r->findings->count; i++)
		if (r->findings->items[i].kind == kind)
			return &r->findings->items[i];
	return NULL;
}

static int count_kind(const struct results *r, enum finding_kind kind)
{
	int n = 0;

	for (int i = 0; r->findings && i < r->findings->count; i++)
		n += r->findings->items[i].kind == kind;
	return n;
}

/* DF probes the run sent, i.e. path MTU probes. */
static int df_sent(const struct simrun_case *c)
{
	int n = 0;

	for (size_t i = 0; i < c->run.nsends; i++)
		n += c->run.sends[i].probe.df || probe_ip_len(&c->run.sends[i].probe) > 1280;
	return n;
}

/* The branch of hop index 1 (TTL 2) answering from member idx of stage 2. */
static const struct branch_result *member(const struct simrun_case *c, struct simnet *n, int idx)
{
	const struct hop_result *h = &c->res->hops[1];
	int b = simrun_branch(h, &simnet_node(n, simnet_at(n, 2, idx))->addr);

	return b >= 0 ? &h->branches[b] : NULL;
}

/* proto TCP: SYNs with data, answered by SYN-ACKs (listening) or resets. */
static void small_member(int family, bool silent, enum probe_proto proto, bool listening)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, bad[64], nbad;
	const char *how = silent ? "black hole" : "messages";
	struct simnet *n;
	const struct branch_result *a, *b;
	const struct finding *f;
	char what[96], fam[48];

	snprintf(fam, sizeof(fam), "%s %s", family == AF_INET6 ? "IPv6" : "IPv4",
		 proto == PROBE_UDP ? "UDP" : proto == PROBE_ICMP ? "ICMP"
		 : listening ? "TCP (SYN-ACK)" : "TCP (RST)");
	simrun_config(&cfg, family);
	cfg.seed = 91;
	cfg.proto = proto;
	if (proto == PROBE_TCP)
		cfg.payload_len = 0;
	/*
	 * Path MTU probes take the gaps the rounds leave, and a black hole
	 * costs three silences a size: at the simulator's 100 probes a
	 * second that takes longer than the program's 10 rounds at 200.
	 */
	cfg.rounds = 20;
	cfg.pmtu_step = 8;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 17);
	simnet_node(n, simnet_at(n, 2, 0))->mtu_out = 1400;
	simnet_node(n, simnet_at(n, 2, 0))->mtu_silent = silent;
	simnet_dest(n)->listening = listening;
	snprintf(what, sizeof(what), "%s, member at MTU 1400 (%s)", fam, how);
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	a = c.res ? member(&c, n, 0) : NULL;
	b = c.res ? member(&c, n, 1) : NULL;
	/* ICMP, black hole: the way-there check found the size dropped before the last router. */
	ok(a && b && a->pmtu_bytes <= 1400 && a->pmtu_bytes >= (silent ? 1392 : 1400) &&
		   a->pmtu_ptb == !silent && b->pmtu_bytes == 1500 && !a->pmtu_both_ways &&
		   !b->pmtu_both_ways,
	   "%s %s: the member's branch %u bytes (messages %d), the other %u", fam, how,
	   a ? a->pmtu_bytes : 0, a ? a->pmtu_ptb : -1, b ? b->pmtu_bytes : 0);
	nbad = simrun_oracle_flows(n, &c, simnet_at(n, 2, 0), bad, 64);
	f = c.res ? first_kind(c.res, FINDING_MTU_BRANCH) : NULL;
	ok(f && count_kind(c.res, FINDING_MTU_BRANCH) == 1 && a && addr_equal(&f->addr, &a->addr) &&
		   f->pmtu_bytes == a->pmtu_bytes && f->pmtu_others == 1500 &&
		   f->pmtu_messages == !silent && f->nflows == nbad &&
		   memcmp(f->flows, bad, (size_t)nbad * sizeof(int)) == 0,
	   "%s %s: one mtu-branch names the member and exactly its %d flows", fam, how, nbad);
	ok(df_sent(&c) <= (silent ? 40 : 12), "%s %s: %d path MTU probes in all", fam, how,
	   df_sent(&c));
	simrun_case_free(&c);
	simnet_free(n);
}

/*
 * ICMP: echo replies over 1400 bytes die on one of two return members
 * (its packet-too-big filtered), whatever way the requests took; the way
 * there is clean.  A path whose probing flow's replies take that member
 * measures about 1400 there and back: it must say so (pmtu_both_ways:
 * the hop before the target answered the size) and no branch may be
 * named for it.  With a forward member at 1400 too (a black hole), that
 * one is still found on the way there and the clean one never named.
 * Several seeds, so that both return members are taken.
 */
static void return_small(int family)
{
	int limited = 0, wrong = 0, found = 0, fwd_wrong = 0;
	const char *fam = family == AF_INET6 ? "IPv6" : "IPv4";

	for (uint32_t seed = 1; seed <= 8; seed++) {
		for (int fwd = 0; fwd < 2; fwd++) {
			struct engine_config cfg;
			struct simrun_case c;
			int widths[] = {1, 2, 1};
			struct simnet *n;
			const struct branch_result *m[2];
			const struct finding *f;

			simrun_config(&cfg, family);
			cfg.seed = seed;
			cfg.rounds = 20;
			cfg.pmtu_step = 8;
			cfg.proto = PROBE_ICMP;
			n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, seed * 7);
			simnet_dest(n)->ret_members = 2;
			simnet_dest(n)->ret_seed = seed * 131;
			simnet_dest(n)->ret_mtu[0] = 1400;
			if (fwd) {
				simnet_node(n, simnet_at(n, 2, 0))->mtu_out = 1400;
				simnet_node(n, simnet_at(n, 2, 0))->mtu_silent = true;
			}
			simrun_case_run(&c, &cfg, n, NULL);
			m[0] = c.res ? member(&c, n, 0) : NULL;
			m[1] = c.res ? member(&c, n, 1) : NULL;
			f = c.res ? first_kind(c.res, FINDING_MTU_BRANCH) : NULL;
			if (m[0] == NULL || m[1] == NULL) {
				wrong++;
			} else if (!fwd) {
				for (int k = 0; k < 2; k++) {
					limited += m[k]->pmtu_bytes < 1500;
					wrong += m[k]->pmtu_bytes < 1500 && !m[k]->pmtu_both_ways;
				}
				found += f != NULL;
			} else {
				/* The forward member is shown on the way there; the clean one never named. */
				fwd_wrong += m[0]->pmtu_bytes > 1400 || m[0]->pmtu_both_ways ||
					     (f != NULL && !addr_equal(&f->addr, &m[0]->addr)) ||
					     (f == NULL && m[1]->pmtu_bytes > 1408);
			}
			simrun_case_free(&c);
			simnet_free(n);
		}
	}
	ok(limited > 0 && wrong == 0 && found == 0,
	   "%s ICMP, a return member at 1400: %d branches measured under 1500, all said "
	   "both ways (%d not), no mtu-branch (%d)", fam, limited, wrong, found);
	ok(fwd_wrong == 0,
	   "%s ICMP, and a forward member at 1400: found on the way there, the other never named "
	   "(%d wrong of 8)", fam, fwd_wrong);
}

/*
 * Unprivileged sockets hand over no error quoting part of a probe
 * (whole_quotes_only): the way-there check cannot run, so an ICMP member
 * at 1400 as a black hole is measured but said both ways, and not named.
 */
static void icmp_no_check(int family)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	const char *fam = family == AF_INET6 ? "IPv6" : "IPv4";
	struct simnet *n;
	const struct branch_result *a, *b;

	simrun_config(&cfg, family);
	cfg.seed = 37;
	cfg.rounds = 20;
	cfg.pmtu_step = 8;
	cfg.proto = PROBE_ICMP;
	cfg.whole_quotes_only = true;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 41);
	simnet_node(n, simnet_at(n, 2, 0))->mtu_out = 1400;
	simnet_node(n, simnet_at(n, 2, 0))->mtu_silent = true;
	SIMRUN_OK(&c, &cfg, n, NULL, "ICMP, no partial quotes, a member at 1400 (black hole)");
	a = c.res ? member(&c, n, 0) : NULL;
	b = c.res ? member(&c, n, 1) : NULL;
	ok(a && b && a->pmtu_bytes >= 1392 && a->pmtu_bytes <= 1400 && a->pmtu_both_ways &&
		   b->pmtu_bytes == 1500 && count_kind(c.res, FINDING_MTU_BRANCH) == 0,
	   "%s ICMP without partial quotes: the member %u bytes said both ways, the other %u, "
	   "no mtu-branch", fam, a ? a->pmtu_bytes : 0, b ? b->pmtu_bytes : 0);
	simrun_case_free(&c);
	simnet_free(n);
}

static void clean_and_lossy(void)
{
	int wrong = 0, found = 0;

	for (uint32_t seed = 1; seed <= 10; seed++) {
		struct engine_config cfg;
		struct simrun_case c;
		int widths[] = {1, 2, 1};
		struct simnet *n;
		const struct branch_result *lossy;

		simrun_config(&cfg, AF_INET);
		cfg.seed = seed;
		cfg.rounds = 10;
		cfg.pmtu_step = 8;
		n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, seed);
		if (seed == 1) {
			SIMRUN_OK(&c, &cfg, n, NULL, "clean 2-way network");
			ok(c.res && member(&c, n, 0) && member(&c, n, 1) &&
				   member(&c, n, 0)->pmtu_bytes == 1500 &&
				   member(&c, n, 1)->pmtu_bytes == 1500 && df_sent(&c) == 2,
			   "clean: both branches 1500, one probe per path (%d)", df_sent(&c));
			simrun_case_free(&c);
		}
		simnet_node(n, simnet_at(n, 2, 1))->fwd_loss = 0.3;
		simrun_case_run(&c, &cfg, n, NULL);
		lossy = c.res ? member(&c, n, 1) : NULL;
		wrong += lossy == NULL || lossy->pmtu_bytes != 1500;
		found += c.res ? count_kind(c.res, FINDING_MTU_BRANCH) : 1;
		simrun_case_free(&c);
		simnet_free(n);
	}
	ok(wrong == 0 && found == 0,
	   "30%% loss on a member at 1500: its PMTU stays 1500, no mtu-branch (10 seeds: %d wrong, "
	   "%d found)", wrong, found);
}

/*
 * Something before the target drops every SYN with data, whatever its
 * size (ordinary bare SYNs pass): no path MTU is made up from that (the
 * search would end at the floor, 40 bytes), none is said, no finding.
 */
static void data_dropped(int family)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, plain = family == AF_INET6 ? 60 : 40;
	const char *fam = family == AF_INET6 ? "IPv6" : "IPv4";
	struct simnet *n;
	const struct branch_result *a, *b;
	char what[96];

	simrun_config(&cfg, family);
	cfg.seed = 17;
	cfg.rounds = 40;
	cfg.pmtu_step = 8;
	cfg.proto = PROBE_TCP;
	cfg.payload_len = 0;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 23);
	/* A bare SYN passes, any SYN with data does not, silently. */
	simnet_node(n, simnet_at(n, 3, 0))->mtu_out = plain + 1;
	simnet_node(n, simnet_at(n, 3, 0))->mtu_silent = true;
	snprintf(what, sizeof(what), "%s TCP, SYNs with data dropped", fam);
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	a = c.res ? member(&c, n, 0) : NULL;
	b = c.res ? member(&c, n, 1) : NULL;
	ok(a && b && a->pmtu_bytes == 0 && b->pmtu_bytes == 0 && df_sent(&c) > 2 &&
		   count_kind(c.res, FINDING_MTU_BRANCH) == 0,
	   "%s SYNs with data dropped: no path MTU said (%u, %u), no mtu-branch, after %d probes",
	   fam, a ? a->pmtu_bytes : 0, b ? b->pmtu_bytes : 0, df_sent(&c));
	simrun_case_free(&c);
	simnet_free(n);
}

/*
 * An IPv6 member at the minimum MTU (1280) as a black hole: the search
 * narrows down to the floor unanswered, then one probe of 1280 bytes is
 * answered: 1280, not "unknown".
 */
static void v6_floor(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;
	const struct branch_result *a, *b;

	simrun_config(&cfg, AF_INET6);
	cfg.seed = 29;
	cfg.rounds = 40;
	cfg.pmtu_step = 8;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 31);
	simnet_node(n, simnet_at(n, 2, 0))->mtu_out = 1280;
	simnet_node(n, simnet_at(n, 2, 0))->mtu_silent = true;
	SIMRUN_OK(&c, &cfg, n, NULL, "IPv6 UDP, a member at 1280 (black hole)");
	a = c.res ? member(&c, n, 0) : NULL;
	b = c.res ? member(&c, n, 1) : NULL;
	ok(a && b && a->pmtu_bytes == 1280 && b->pmtu_bytes == 1500 &&
		   count_kind(c.res, FINDING_MTU_BRANCH) == 1,
	   "IPv6 member at 1280: its branch 1280 (%u), the other 1500 (%u), one mtu-branch",
	   a ? a->pmtu_bytes : 0, b ? b->pmtu_bytes : 0);
	simrun_case_free(&c);
	simnet_free(n);
}

static void off(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.rounds = 5;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 5);
	simnet_node(n, simnet_at(n, 2, 0))->mtu_out = 1400;
	SIMRUN_OK(&c, &cfg, n, NULL, "pmtu_step 0");
	ok(df_sent(&c) == 0 && c.res && member(&c, n, 0) && member(&c, n, 0)->pmtu_bytes == 0,
	   "pmtu_step 0: no path MTU probe, no pmtu_bytes");
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	small_member(AF_INET, true, PROBE_UDP, false);
	small_member(AF_INET, false, PROBE_UDP, false);
	small_member(AF_INET6, true, PROBE_UDP, false);
	small_member(AF_INET6, false, PROBE_UDP, false);
	/* TCP: SYNs with data on the flows' own ports; both answers prove the size. */
	small_member(AF_INET, true, PROBE_TCP, true);
	small_member(AF_INET, false, PROBE_TCP, false);
	small_member(AF_INET6, true, PROBE_TCP, false);
	small_member(AF_INET6, false, PROBE_TCP, true);
	/* ICMP: echo requests of the flow's identity; a size found by silence checked on the way there. */
	small_member(AF_INET, true, PROBE_ICMP, false);
	small_member(AF_INET, false, PROBE_ICMP, false);
	small_member(AF_INET6, true, PROBE_ICMP, false);
	small_member(AF_INET6, false, PROBE_ICMP, false);
	return_small(AF_INET);
	return_small(AF_INET6);
	icmp_no_check(AF_INET);
	icmp_no_check(AF_INET6);
	clean_and_lossy();
	data_dropped(AF_INET);
	data_dropped(AF_INET6);
	v6_floor();
	off();
	return tap_done();
}
