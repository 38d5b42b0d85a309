/*
 * ICMP rate limiters are per router (src/engine/limiter.c, mda_pace.c):
 * a 4-way split merging on one router m whose route back is multipath, so
 * m answers from four addresses that share its one token bucket, then a
 * 2-way split, every router at Linux's limits (6, then 1 a second).  One
 * -c 1 pass with the engine's defaults must find every interface, report
 * m's addresses as one router, and spend hardly a probe that a limiter
 * drops, close to the floor the limits set (m gives 21 answers: 6 at
 * once, then 15 s).  The control: four real routers in m's place, meshed,
 * must not be taken for one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

#define RUNS 30

/* Totals over the runs of one shape. */
struct tally {
	long runs, interfaces, missed, probes, dropped, as_one, false_alias, max_flows;
	uint64_t elapsed_us;
	uint32_t bad_seeds[RUNS];
	int nbad;
};

/*
 * src - r1 - {a1..a4} - m - {c1, c2} - dst; aliased: m answers from four
 * addresses (its stage-3 address plus three more); else stage 3 is four
 * routers, every a linked to each (the same picture, four limiters).
 */
static struct simnet *build(uint32_t seed, bool aliased)
{
	struct ip_addr src, dst;
	int widths[4] = {1, 4, aliased ? 1 : 4, 2};
	struct simnet *n;

	simrun_default_addrs(AF_INET, &src, &dst);
	n = simnet_diamond(&src, &dst, widths, 4, !aliased, seed);
	if (n == NULL)
		return NULL;
	for (int id = 2; id < simnet_node_count(n); id++)
		simnet_rate_limit(simnet_node(n, id), SIMNET_LINUX_RL_BURST,
				  SIMNET_LINUX_RL_INTERVAL_US);
	if (aliased) {
		struct simnet_node *m = simnet_node(n, simnet_at(n, 3, 0));

		for (int k = 0; k < 4; k++)
			simnet_stage_addr(AF_INET, 30, k, &m->answer_addrs[k]);
		m->nanswer_addrs = 4;
		m->answer_seed = seed * 2654435761u + 1;
	}
	return n;
}

/* Is addr a branch of some hop? */
static bool found(const struct results *r, const struct ip_addr *a)
{
	for (int h = 0; h < r->nhops; h++)
		if (simrun_branch(&r->hops[h], a) >= 0)
			return true;
	return false;
}

/*
 * Does the snapshot report m's addresses as one router: one router whose
 * addresses are all m's and include every address of m the run found?
 * (An address the stopping rule missed is missed, not misreported.)
 */
static bool m_as_one(const struct results *r, const struct simnet_node *m)
{
	for (int i = 0; i < r->nrouters; i++) {
		int hit = 0, seen = 0;

		for (int j = 0; j < m->nanswer_addrs; j++) {
			seen += found(r, &m->answer_addrs[j]);
			for (int k = 0; k < r->routers[i].naddrs; k++)
				hit += addr_equal(&r->routers[i].addrs[k], &m->answer_addrs[j]);
		}
		if (hit == seen && r->routers[i].naddrs == hit && hit >= 2)
			return true;
	}
	return false;
}

/* Interfaces the network has that the snapshot misses (m: each address). */
static int missed(struct simnet *n, const struct results *r, long *interfaces)
{
	int miss = 0;

	for (int id = 1; id < simnet_node_count(n); id++) {
		const struct simnet_node *node = simnet_node(n, id);

		if (node->nanswer_addrs == 0) {
			(*interfaces)++;
			miss += !found(r, &node->addr);
		}
		for (int k = 0; k < node->nanswer_addrs; k++) {
			(*interfaces)++;
			miss += !found(r, &node->answer_addrs[k]);
		}
	}
	return miss;
}

/* What a run reported, for replaying a seed (SIM_LIMITER_VERBOSE). */
static void show(uint32_t seed, const struct results *r)
{
	char a[ADDR_STRLEN];

	printf("# seed %u: %d routers of several addresses", seed, r->nrouters);
	for (int i = 0; i < r->nrouters; i++) {
		printf(" | R%d ttl %d %s:", r->routers[i].id, r->routers[i].ttl,
		       r->routers[i].sure ? "sure" : "unsure");
		for (int k = 0; k < r->routers[i].naddrs; k++)
			printf(" %s", addr_format(&r->routers[i].addrs[k], a, sizeof(a)));
	}
	printf("\n#   TTL 3 (%d flows probed):", r->nhops > 2 ? r->hops[2].flows_probed : 0);
	for (int b = 0; r->nhops > 2 && b < r->hops[2].nbranches; b++)
		printf(" %s (%llu)", addr_format(&r->hops[2].branches[b].addr, a, sizeof(a)),
		       (unsigned long long)r->hops[2].branches[b].received);
	printf("\n");
}

static void run(uint32_t seed, bool aliased, int rounds, struct tally *t)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n = build(seed, aliased);
	int miss;

	if (n == NULL)
		return;
	/* The defaults, as a user runs it: one discovery pass. */
	simrun_config(&cfg, AF_INET);
	cfg.adaptive = true;
	cfg.rounds = (uint64_t)rounds;
	/* What main() reads from the routing table: one next hop. */
	cfg.first_hop_fanout = 1;
	cfg.seed = seed;
	cfg.sport_base = (uint16_t)(20000 + seed * 131 % 30000);
	if (simrun_case_run(&c, &cfg, n, NULL) && c.res != NULL) {
		t->runs++;
		miss = missed(n, c.res, &t->interfaces);
		t->missed += miss;
		t->probes += (long)c.run.nsends;
		t->dropped += (long)simnet_stats(n)->fate[SIMNET_FATE_RATE_LIMITED];
		t->elapsed_us += c.res->elapsed_us;
		if (c.res->nflows > t->max_flows)
			t->max_flows = c.res->nflows;
		if (getenv("SIM_LIMITER_FLOWS") != NULL && rounds > 1) {
			printf("# seed %u %s: %d flows;", seed, aliased ? "merge" : "four", c.res->nflows);
			for (int k = 0; k < c.res->nhops; k++)
				printf(" ttl %d: %d probed%s%s", c.res->hops[k].ttl,
				       c.res->hops[k].flows_probed,
				       c.res->hops[k].discovery_per_vertex ? " pv" : "",
				       c.res->hops[k].rate_limited ? " rl" : "");
			printf("\n");
		}
		if (aliased && getenv("SIM_LIMITER_VERBOSE") != NULL) {
			show(seed, c.res);
			printf("#   %zu probes, %llu withheld, %.2f s\n", c.run.nsends,
			       (unsigned long long)simnet_stats(n)->fate[SIMNET_FATE_RATE_LIMITED],
			       (double)c.res->elapsed_us / 1e6);
		}
		if (aliased)
			t->as_one += m_as_one(c.res, simnet_node(n, simnet_at(n, 3, 0)));
		else
			t->false_alias += c.res->nrouters > 0;
		if ((miss > 0 || (aliased && !m_as_one(c.res, simnet_node(n, simnet_at(n, 3, 0)))) ||
		     (!aliased && c.res->nrouters > 0)) && t->nbad < RUNS)
			t->bad_seeds[t->nbad++] = seed;
	}
	simrun_case_free(&c);
	simnet_free(n);
}

static void print_bad(const char *what, const struct tally *t)
{
	printf("# %s: seeds with a miss or a wrong router:", what);
	for (int i = 0; i < t->nbad; i++)
		printf(" %u", t->bad_seeds[i]);
	printf("%s\n", t->nbad ? "" : " none");
}

int main(int argc, char **argv)
{
	uint32_t base = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 0;
	struct tally a = {0}, m = {0}, m10 = {0}, a10 = {0};

	if (base == 0)
		base = (uint32_t)time(NULL) % 1000000u + 1;
	printf("# seeds %u..%u (give a base seed as the argument to replay)\n", base,
	       base + RUNS - 1);
	for (uint32_t s = 0; s < RUNS; s++) {
		run(base + s, true, 1, &a);
		run(base + s, false, 1, &m);
		run(base + s, false, 10, &m10);
		run(base + s, true, 10, &a10);
	}
	printf("# merge router of 4 addresses: %.1f probes a pass, %.1f withheld by a limiter, "
	       "%.2f s (floor: a second for each of m's answers beyond its burst of 6)\n", (double)a.probes / a.runs,
	       (double)a.dropped / a.runs, (double)a.elapsed_us / a.runs / 1e6);
	printf("# four meshed routers instead: %.1f probes a pass, %.1f withheld, %.2f s\n",
	       (double)m.probes / m.runs, (double)m.dropped / m.runs,
	       (double)m.elapsed_us / m.runs / 1e6);
	print_bad("merge router", &a);
	print_bad("four routers", &m);
	ok(a.runs == RUNS && m.runs == RUNS, "every pass ends (%ld, %ld of %d)", a.runs, m.runs,
	   RUNS);
	/* The stopping rule's own bound: at most 5% of interfaces missed. */
	ok(a.missed * 20 <= a.interfaces, "merge router: interfaces found (%ld of %ld missed)",
	   a.missed, a.interfaces);
	ok(a.as_one >= RUNS - 1, "merge router: its 4 addresses reported as one router (%ld of %d)",
	   a.as_one, RUNS);
	/* scamper's tracelb sends 57 in the lab; the rules here need 56 with no probe wasted. */
	ok(a.probes <= 58L * a.runs, "merge router: at most 58 probes a pass (%.1f)",
	   (double)a.probes / a.runs);
	ok(a.dropped <= 2L * a.runs, "merge router: about one probe a pass withheld by a limiter "
	   "(%.1f)", (double)a.dropped / a.runs);
	ok(a.elapsed_us <= 17000000ull * (uint64_t)a.runs, "merge router: a pass takes under 17 s "
	   "(%.2f s; scamper ~23.6 s)", (double)a.elapsed_us / a.runs / 1e6);
	ok(m.false_alias <= RUNS / 10, "four routers are not taken for one (%ld of %d runs)",
	   m.false_alias, RUNS);
	ok(m.missed * 20 <= m.interfaces, "four routers: interfaces found (%ld of %ld missed)",
	   m.missed, m.interfaces);
	/*
	 * Rounds go on after the pass: their answers spend the buckets too,
	 * and four routers taken for one answer beyond one bucket.
	 */
	print_bad("four routers, 10 rounds", &m10);
	ok(m10.runs == RUNS && m10.false_alias <= 1,
	   "four routers, 10 rounds: not one router at the end (%ld of %ld runs)", m10.false_alias,
	   m10.runs);
	/*
	 * A limited router withholds most answers at its TTL: discovery
	 * after it must not feed it new flows for ever (seed 37: 580 flows).
	 */
	ok(a10.max_flows <= 64 && m10.max_flows <= 64, "10 rounds: at most 64 flows (%ld, %ld)",
	   a10.max_flows, m10.max_flows);
	/*
	 * Not every run keeps it: later answers, paced as one bucket, seldom
	 * show lock step again (22-29 of 30 measured; 22-23 before the rounds'
	 * answers spent the bucket too).  Two thirds is the floor kept here.
	 */
	ok(a10.runs == RUNS && a10.as_one * 3 >= RUNS * 2,
	   "merge router, 10 rounds: still one router at the end (%ld of %ld runs)", a10.as_one,
	   a10.runs);
	return tap_done();
}
