/*
 * The engine against simulated networks, for what it finds about paths: a
 * plain chain, a 2-way ECMP diamond checked against the simulator's oracle,
 * a silent router on one branch, unequal path lengths, per-packet
 * balancing, and determinism of the whole run.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

static bool same(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

static void chain(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	struct ip_addr want;
	bool good = true;
	uint64_t sum = 0, e2e_probes = 0;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 101;
	n = simnet_chain(&cfg.src, &cfg.dst, 4, 1);
	SIMRUN_OK(&c, &cfg, n, NULL, "chain");
	if (!c.res) {
		simnet_free(n);
		simrun_case_free(&c);
		return;
	}
	ok(c.res->dest_ttl == 5 && c.res->nhops == 5, "chain of 4: destination at TTL 5 (%d, %d hops)",
	   c.res->dest_ttl, c.res->nhops);
	for (int h = 0; h < c.res->nhops && h < 4; h++) {
		const struct hop_result *hop = &c.res->hops[h];

		simnet_stage_addr(AF_INET, h + 1, 0, &want);
		good &= hop->ttl == h + 1 && hop->nbranches == 1 && same(&hop->branches[0].addr, &want);
		good &= hop->branches[0].nflows == cfg.nflows && hop->lost == 0;
		good &= hop->received == cfg.rounds * (uint64_t)cfg.nflows;
		/* No jitter: every RTT is exactly the router's delay. */
		good &= hop->rtt.min == 1000 * (h + 1) && hop->rtt.max == 1000 * (h + 1);
	}
	ok(good, "hops 1-4: one branch each, the right router, every probe answered, exact RTT");
	good = c.res->nhops == 5 && c.res->hops[4].nbranches == 1 &&
	       c.res->hops[4].branches[0].is_destination && same(&c.res->hops[4].branches[0].addr, &cfg.dst);
	ok(good, "hop 5 is the destination");

	good = true;
	for (int f = 0; f < c.res->nflows; f++) {
		const struct flow_result *fr = &c.res->flows[f];

		good &= fr->dest_ttl == 5 && fr->path_len == 5 && fr->lost == 0;
		good &= fr->received == cfg.rounds;
		for (int k = 0; k < fr->path_len && k < 4; k++) {
			simnet_stage_addr(AF_INET, k + 1, 0, &want);
			good &= same(&fr->path[k], &want) && fr->responders_seen[k] == 1;
		}
		for (int k = 0; k < fr->path_len - 1; k++)
			sum += fr->hop_received[k] + fr->hop_lost[k];
		e2e_probes += fr->received + fr->lost;
	}
	ok(good, "every flow stops at the destination: path of 5, 0%% loss, one answer per round");
	ok(c.res->counters.probes_sent == sum + e2e_probes && c.res->counters.probes_sent == c.run.nsends,
	   "probes_sent (%llu) = sends = received + lost over all flows' TTLs (%llu)",
	   (unsigned long long)c.res->counters.probes_sent, (unsigned long long)(sum + e2e_probes));
	ok(c.res->counters.replies == c.run.delivered && c.run.match[MATCH_OK] == c.run.delivered &&
	   c.res->counters.duplicates == 0 && c.res->counters.late == 0 && c.res->counters.foreign == 0,
	   "every reply matched, no duplicates/late/foreign");
	ok(c.res->counters.rounds_started == cfg.rounds && c.res->counters.rounds_done == cfg.rounds,
	   "rounds: %llu started, %llu done", (unsigned long long)c.res->counters.rounds_started,
	   (unsigned long long)c.res->counters.rounds_done);
	ok(simrun_max_ttl(&c.run) == 5, "nothing probed beyond the destination (max TTL %d)",
	   simrun_max_ttl(&c.run));
	ok(c.run.now_us - c.run.start_us < cfg.rounds * cfg.interval_us + cfg.timeout_us,
	   "done in bounded virtual time (%llu us)", (unsigned long long)(c.run.now_us - c.run.start_us));
	simrun_case_free(&c);
	simnet_free(n);
}

/* Checks hop `ttl`'s branches against the oracle: addresses and flow sets. */
static bool branches_match_oracle(const struct simnet *n, const struct simrun_case *c, int ttl,
				  int stage, int width)
{
	const struct hop_result *hop = &c->res->hops[ttl - 1];
	bool good = hop->nbranches == width;

	for (int i = 0; i < width; i++) {
		int id = simnet_at(n, stage, i), flows[256];
		int count = simrun_oracle_flows(n, c, id, flows, 256);
		int k = simrun_branch(hop, &simnet_node((struct simnet *)n, id)->addr);

		if (k < 0 || count == 0)
			return false;
		good &= hop->branches[k].nflows == count &&
			memcmp(hop->branches[k].flows, flows, (size_t)count * sizeof(int)) == 0;
	}
	return good;
}

static bool paths_match_oracle(const struct simnet *n, const struct simrun_case *c)
{
	const struct engine_config *cfg = c->res ? &c->res->config : NULL;
	bool good = c->res != NULL;

	for (int f = 0; good && f < c->res->nflows; f++) {
		const struct flow_result *fr = &c->res->flows[f];
		struct ip_addr path[SIMNET_MAX_HOPS];
		int len = simnet_path(n, simrun_flow_probe(&c->run, cfg, f), path, SIMNET_MAX_HOPS);

		good &= len >= 0 && fr->dest_ttl == len + 1 && fr->path_len == len + 1;
		for (int k = 0; good && k < len; k++)
			good &= same(&fr->path[k], &path[k]);
		good &= good && same(&fr->path[len], &cfg->dst);
	}
	return good;
}

static void ecmp(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 202;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 2);
	SIMRUN_OK(&c, &cfg, n, NULL, "ECMP");
	if (!c.res)
		goto out;
	ok(c.res->nhops == 4 && c.res->hops[1].nbranches == 2,
	   "2-way ECMP at TTL 2: hop 2 has exactly two branches (%d)",
	   c.res->nhops >= 2 ? c.res->hops[1].nbranches : -1);
	ok(branches_match_oracle(n, &c, 2, 2, 2),
	   "each branch's flows are exactly the flows the oracle sends there");
	ok(paths_match_oracle(n, &c), "every flow's path equals the oracle's");
	const struct hop_result *h2 = &c.res->hops[1], *h3 = &c.res->hops[2];

	ok(h2->branches[0].nparents == 1 && h2->branches[0].parents[0] == 0 &&
	   h2->branches[1].nparents == 1 && h2->branches[1].parents[0] == 0 &&
	   h3->nbranches == 1 && h3->branches[0].nparents == 2,
	   "tree: both branches hang under hop 1, hop 3 merges both");
	ok(h2->branches[0].nflows + h2->branches[1].nflows == cfg.nflows && h2->lost == 0 &&
	   h2->received == cfg.rounds * (uint64_t)cfg.nflows, "hop 2: all flows, no loss");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/* Many flows over a wide, meshed, two-stage ECMP fabric. */
static void wide_mesh(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 8, 4, 1};
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 212;
	cfg.nflows = 64;
	cfg.rounds = 4;
	cfg.rate_pps = 1000;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, true, 12);
	SIMRUN_OK(&c, &cfg, n, NULL, "8x4 meshed ECMP, 64 flows");
	if (!c.res || c.res->nhops != 5)
		goto out;
	ok(branches_match_oracle(n, &c, 2, 2, 8) && branches_match_oracle(n, &c, 3, 3, 4),
	   "all 8 + 4 branches found, each with exactly the oracle's flows");
	ok(paths_match_oracle(n, &c), "all 64 paths equal the oracle's");
	bool meshed = true;

	for (int k = 0; k < c.res->hops[2].nbranches; k++)
		meshed &= c.res->hops[2].branches[k].nparents >= 2;
	ok(meshed, "meshing shows: hop-3 branches have several parents");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void silent_branch(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 2, 1}, flows[64], count;
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 303;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, false, 3);
	simnet_node(n, simnet_at(n, 3, 1))->silent = true;
	SIMRUN_OK(&c, &cfg, n, NULL, "silent router");
	if (!c.res || c.res->nhops < 5)
		goto out;
	count = simrun_oracle_flows(n, &c, simnet_at(n, 3, 1), flows, 64);

	const struct hop_result *h2 = &c.res->hops[1], *h3 = &c.res->hops[2];
	int parent = simrun_branch(h2, &simnet_node(n, simnet_at(n, 2, 1))->addr);
	int known = simrun_branch(h3, &simnet_node(n, simnet_at(n, 3, 0))->addr);
	int unknown = -1;

	for (int k = 0; k < h3->nbranches; k++)
		if (!addr_is_set(&h3->branches[k].addr))
			unknown = k;
	ok(h3->nbranches == 2 && known == 0 && unknown == 1,
	   "hop 3: the answering router first, then one unknown branch (%d branches)", h3->nbranches);
	if (unknown < 0 || parent < 0)
		goto out;
	const struct branch_result *u = &h3->branches[unknown];

	ok(u->nparents == 1 && u->parents[0] == parent,
	   "the unknown branch hangs under the silent router's parent");
	ok(u->nflows == count && memcmp(u->flows, flows, (size_t)count * sizeof(int)) == 0,
	   "its flows are the oracle's flows through the silent router (%d)", count);
	ok(u->received == 0 && u->lost == cfg.rounds * (uint64_t)count && h3->branches[known].lost == 0,
	   "unknown branch: all lost; its sibling: none");
	ok(c.res->dest_ttl == 5 && c.res->hops[3].nbranches == 1 && c.res->hops[3].lost == 0,
	   "beyond the silent router the path is seen again");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void unequal(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;
	struct ip_addr extra;
	bool good = true;
	int longer = 0, shorter = 0;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 404;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 4);
	simnet_stage_addr(AF_INET, 22, 1, &extra);
	simnet_split(n, simnet_at(n, 2, 1), simnet_at(n, 3, 0), &extra);
	SIMRUN_OK(&c, &cfg, n, NULL, "unequal paths");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++) {
		int len = simnet_path(n, simrun_flow_probe(&c.run, &cfg, f), NULL, 0);

		good &= c.res->flows[f].dest_ttl == len + 1 && c.res->flows[f].lost == 0;
		longer += len == 4;
		shorter += len == 3;
	}
	ok(good && longer > 0 && shorter > 0,
	   "per-flow dest_ttl: 4 for %d flows, 5 for %d flows, as the oracle says", shorter, longer);
	ok(paths_match_oracle(n, &c), "paths of both lengths equal the oracle's");
	/* Once a flow has reached the destination it is never probed beyond it. */
	size_t beyond = 0;

	for (size_t i = 0; i < c.run.nsends; i++) {
		const struct probe_spec *p = &c.run.sends[i].probe;
		int f = p->sport - cfg.sport_base;

		if (c.run.sends[i].at - c.run.start_us >= cfg.interval_us && f >= 0 && f < c.res->nflows &&
		    p->ttl > c.res->flows[f].dest_ttl)
			beyond++;
	}
	ok(beyond == 0, "after the first round no flow is probed past its own destination (%zu)", beyond);
	ok(c.res->dest_ttl == 4 && c.res->nhops == 5, "snapshot: nearest destination at 4, 5 hops shown");
	if (c.res->nhops >= 4) {
		const struct hop_result *h4 = &c.res->hops[3];
		int d = simrun_branch(h4, &cfg.dst);

		ok(h4->nbranches == 2 && d >= 0 && h4->branches[d].is_destination &&
		   h4->branches[d].nflows == shorter, "hop 4: the destination for the short flows and a router for the others");
	}
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void per_packet(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;
	int many = 0;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 505;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 5);
	simnet_node(n, simnet_at(n, 1, 0))->hash = SIMNET_HASH_PER_PACKET;
	SIMRUN_OK(&c, &cfg, n, NULL, "per-packet");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++)
		many += c.res->flows[f].path_len >= 2 && c.res->flows[f].responders_seen[1] == 2 &&
			c.res->flows[f].responders_seen[0] == 1;
	ok(many >= cfg.nflows - 1, "per-packet balancing: flows see both routers at TTL 2 (%d of %d)",
	   many, cfg.nflows);
	ok(c.res->hops[1].nbranches == 2 && c.res->hops[1].lost == 0, "hop 2: two branches, no loss");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/* A lossy, jittery, meshed network: two identical runs must agree exactly. */
static bool twice(uint32_t seed, struct simrun_case *a, struct simrun_case *b)
{
	int widths[] = {2, 3, 3, 1};
	struct engine_config cfg;
	struct simnet *n1, *n2;
	bool ran;

	simrun_config(&cfg, AF_INET);
	cfg.seed = seed;
	cfg.nflows = 24;
	n1 = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, true, seed);
	n2 = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, true, seed);
	for (struct simnet *n = n1; n; n = n == n1 ? n2 : NULL) {
		simnet_node(n, simnet_at(n, 2, 2))->fwd_loss = 0.25;
		simnet_node(n, simnet_at(n, 3, 1))->jitter_us = 3000;
		simnet_node(n, simnet_at(n, 1, 1))->hash = SIMNET_HASH_PER_PACKET;
		simnet_dest(n)->loss = 0.05;
	}
	ran = simrun_case_run(a, &cfg, n1, NULL) & simrun_case_run(b, &cfg, n2, NULL);
	simnet_free(n1);
	simnet_free(n2);
	return ran;
}

static void determinism(void)
{
	struct simrun_case a, b;
	char why[200] = "";
	bool sends_same;

	ok(twice(606, &a, &b), "determinism: both runs end");
	sends_same = a.run.nsends == b.run.nsends;
	for (size_t i = 0; sends_same && i < a.run.nsends; i++)
		sends_same = a.run.sends[i].at == b.run.sends[i].at &&
			     simrun_probe_equal(&a.run.sends[i].probe, &b.run.sends[i].probe);
	ok(sends_same, "the same seed sends the same probes at the same times (%zu)", a.run.nsends);
	ok(a.res && b.res && simrun_results_equal(a.res, b.res, true, why, sizeof(why)),
	   "the same seed gives identical results %s", why);
	ok(a.res && memcmp(&a.res->counters, &b.res->counters, sizeof(a.res->counters)) == 0,
	   "and identical counters");
	simrun_case_free(&a);
	simrun_case_free(&b);
}

int main(void)
{
	chain();
	ecmp();
	wide_mesh();
	silent_branch();
	unequal();
	per_packet();
	determinism();
	return tap_done();
}
