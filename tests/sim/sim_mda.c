/*
 * Branch discovery (adaptive mode, src/engine/mda.c) against generated
 * topologies: diamonds of width 1-16 in one to three stages, meshed and
 * unmeshed, unequal path lengths, silent routers, per-packet balancers and
 * Linux-rate-limited routers.  Over thousands of one-pass (-c 1) runs the
 * share of interfaces missed must stay within the stated confidence, and
 * the probe counts are reported; the 4-way -> 4 -> 2-way diamond is
 * compared with scamper's tracelb (21 + 21 + 11 probes at TTLs 2-4).  A
 * single pass must also tell per-packet from per-flow balancing (its
 * per-packet test at branching hops) without false alarms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/diagnose.h"
#include "engine/engine_int.h"
#include "engine/mda.h"
#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

/* What a generated topology has besides its stages. */
struct shape {
	int widths[4];
	int nstages;
	bool meshed;
	bool unequal;		/* one link gets an extra router */
	bool silent;		/* one router never answers */
	bool per_packet;	/* the first balancer splits per packet */
	bool rate_limit;	/* every router: Linux ICMP limit, 6 then 1/s */
	bool host_route;	/* the engine knows the source's next hops (first_hop_fanout) */
};

/* Totals over many runs. */
struct tally {
	long runs, interfaces, missed, runs_missing, probes, incomplete_hops, hops;
	long rate_limited_hops;
	long repeats;		/* probes of a flow at a TTL it was already probed at */
	long holes;		/* a flow probed at a TTL that answered others, never answered */
};

static int missed_in(struct simnet *n, const struct results *r);

/* A small deterministic generator for the shapes (not simnet's). */
static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const int width_choice[] = {1, 2, 3, 4, 5, 6, 8, 12, 16};

static struct simnet *build(const struct shape *sh, uint32_t seed)
{
	struct ip_addr src, dst;
	struct simnet *n;

	simrun_default_addrs(AF_INET, &src, &dst);
	n = simnet_diamond(&src, &dst, sh->widths, sh->nstages, sh->meshed, seed);
	if (n == NULL)
		return NULL;
	if (sh->unequal) {
		/* An extra router after the last stage's first router. */
		struct ip_addr a;
		int from = simnet_at(n, sh->nstages, 0);

		simnet_stage_addr(AF_INET, 100, 0, &a);
		if (from < 0 || simnet_split(n, from, simnet_node(n, from)->next[0], &a) < 0) {
			simnet_free(n);
			return NULL;
		}
	}
	if (sh->silent) {
		/* A router of the widest stage, so its siblings still answer. */
		int best = 0;

		for (int s = 1; s < sh->nstages; s++)
			if (sh->widths[s] > sh->widths[best])
				best = s;
		simnet_node(n, simnet_at(n, best + 1, sh->widths[best] - 1))->silent = true;
	}
	if (sh->per_packet) {
		for (int id = 0; id < simnet_node_count(n); id++)
			if (simnet_node(n, id)->nnext > 1) {
				simnet_node(n, id)->hash = SIMNET_HASH_PER_PACKET;
				break;
			}
	}
	if (sh->rate_limit)
		for (int id = 2; id < simnet_node_count(n); id++)
			simnet_rate_limit(simnet_node(n, id), SIMNET_LINUX_RL_BURST,
					  SIMNET_LINUX_RL_INTERVAL_US);
	return n;
}

/* Is addr a branch of some hop of the snapshot? */
static bool found(const struct results *r, const struct ip_addr *addr)
{
	for (int h = 0; h < r->nhops; h++)
		if (simrun_branch(&r->hops[h], addr) >= 0)
			return true;
	return false;
}

static void config_for(struct engine_config *cfg, int confidence)
{
	simrun_config(cfg, AF_INET);
	cfg->adaptive = true;
	cfg->confidence = confidence;
	cfg->rounds = 1;
	cfg->rate_pps = 10000;
	cfg->timeout_us = 300000;
	cfg->max_ttl = 12;
	cfg->max_unknown = 3;
}

/*
 * Probes of a flow at a TTL where it was already probed: per-packet
 * rechecks, or retries after a loss (none in a lossless network).
 */
static long repeated_probes(const struct simrun *run)
{
	long n = 0;

	for (size_t i = 0; i < run->nsends; i++)
		for (size_t j = 0; j < i; j++)
			if (run->sends[j].probe.ttl == run->sends[i].probe.ttl &&
			    run->sends[j].probe.sport == run->sends[i].probe.sport) {
				n++;
				break;
			}
	return n;
}

/*
 * One -c 1 run: counts the answering interfaces (routers and the target)
 * the snapshot shows.  False if the run itself failed.
 */
static bool run_one(const struct shape *sh, uint32_t seed, int confidence, struct tally *t,
		    long *probes_per_ttl, int nttl)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n = build(sh, seed);
	bool good;
	int missed = 0;

	if (n == NULL)
		return false;
	config_for(&cfg, confidence);
	cfg.seed = seed;
	cfg.sport_base = (uint16_t)(20000 + seed % 20000);
	if (sh->host_route)
		cfg.first_hop_fanout = sh->widths[0];
	good = simrun_case_run(&c, &cfg, n, NULL);
	if (good) {
		for (int id = 1; id < simnet_node_count(n); id++) {
			const struct simnet_node *node = simnet_node(n, id);

			if (node->silent)
				continue;
			t->interfaces++;
			if (!found(c.res, &node->addr))
				missed++;
		}
		t->missed += missed;
		t->runs_missing += missed > 0;
		t->runs++;
		t->probes += (long)c.run.nsends;
		t->repeats += repeated_probes(&c.run);
		for (int i = 0; i < c.res->nflows; i++) {
			const struct flow_result *f = &c.res->flows[i];

			for (int h = 0; h < f->path_len && h < c.res->nhops; h++)
				t->holes += f->hop_lost[h] > 0 && f->hop_received[h] == 0 &&
					    c.res->hops[h].received > 0;
		}
		for (int h = 0; h < c.res->nhops; h++) {
			if (c.res->hops[h].confidence == 0)
				continue;
			t->hops++;
			t->incomplete_hops += !c.res->hops[h].discovery_complete;
			t->rate_limited_hops += c.res->hops[h].rate_limited;
		}
		for (size_t i = 0; probes_per_ttl && i < c.run.nsends; i++)
			if (c.run.sends[i].probe.ttl < nttl)
				probes_per_ttl[c.run.sends[i].probe.ttl]++;
	}
	simrun_case_free(&c);
	simnet_free(n);
	return good;
}

static void random_shape(uint32_t *rng, struct shape *sh, bool impair)
{
	memset(sh, 0, sizeof(*sh));
	sh->nstages = 1 + (int)(rng_next(rng) % 3);
	for (int s = 0; s < sh->nstages; s++)
		sh->widths[s] = width_choice[rng_next(rng) % (sizeof(width_choice) /
							      sizeof(width_choice[0]))];
	sh->meshed = rng_next(rng) % 3 == 0;
	sh->host_route = rng_next(rng) % 2 == 0;
	if (impair) {
		sh->unequal = rng_next(rng) % 4 == 0;
		sh->silent = rng_next(rng) % 5 == 0;
		sh->per_packet = rng_next(rng) % 8 == 0;
		sh->rate_limit = rng_next(rng) % 5 == 0;
	}
}

/* Many random shapes at one confidence; the miss rate must respect it. */
static void random_runs(int confidence, int runs, bool impair, const char *what)
{
	struct tally t = {0};
	uint32_t rng = 0x9e3779b9u ^ (uint32_t)confidence ^ (impair ? 0x55u : 0);
	int failed = 0;
	double rate, bound = confidence == 99 ? 0.01 : 0.05;

	for (int i = 0; i < runs; i++) {
		struct shape sh;

		random_shape(&rng, &sh, impair);
		if (!run_one(&sh, rng_next(&rng), confidence, &t, NULL, 0))
			failed++;
	}
	rate = t.interfaces ? (double)t.missed / (double)t.interfaces : 1;
	ok(failed == 0, "%s: %d runs at %d%%, every run ends (%d failed)", what, runs, confidence,
	   failed);
	ok(rate <= bound,
	   "%s: interfaces missed %ld of %ld (%.2f%%, bound %.0f%%); runs with a miss %ld of %ld",
	   what, t.missed, t.interfaces, 100 * rate, 100 * bound, t.runs_missing, t.runs);
	printf("# %s at %d%%: %.1f probes per run on average, %ld of %ld hops incomplete, "
	       "%ld rate limited\n", what, confidence,
	       t.runs ? (double)t.probes / (double)t.runs : 0, t.incomplete_hops, t.hops,
	       t.rate_limited_hops);
}

/* Width sweep: one stage of width w, many seeds. */
static void width_sweep(void)
{
	bool all_good = true;

	for (int w = 1; w <= 16; w++) {
		struct shape sh = {.widths = {1, w}, .nstages = 2};
		struct tally t = {0};

		for (uint32_t s = 1; s <= 60; s++)
			all_good &= run_one(&sh, s * 7919u + (uint32_t)w, 95, &t, NULL, 0);
		printf("# width %2d: missed %ld of %ld interfaces, %.1f probes per run\n", w,
		       t.missed, t.interfaces, (double)t.probes / (double)t.runs);
		if ((double)t.missed > 0.05 * (double)t.interfaces)
			all_good = false;
	}
	ok(all_good, "diamonds of width 1-16: each width misses at most 5%% of interfaces");
}

/*
 * The 4-way -> 4 -> 2-way diamond of the benchmark, the host knowing its
 * single first hop as the lab's does.  The floor: 1 probe at TTL 1, the
 * stopping rule's 21 + 21 + 11 at TTLs 2-4 (scamper's count), and one flow
 * through each of the 2 routers at TTL 4 to the target.
 */
static void scamper_diamond(void)
{
	struct shape sh = {.widths = {1, 4, 4, 2}, .nstages = 4, .host_route = true};
	long per_ttl[8] = {0};
	struct tally t = {0};
	int runs = 200;
	double inside, total;

	for (int i = 0; i < runs; i++)
		run_one(&sh, 1000u + (uint32_t)i, 95, &t, per_ttl, 8);
	inside = (double)(per_ttl[2] + per_ttl[3] + per_ttl[4]) / runs;
	total = (double)t.probes / runs;
	printf("# 4 -> 4 -> 2 diamond, mean probes per TTL 1-5: %.1f %.1f %.1f %.1f %.1f, "
	       "%.1f in all (scamper: 1 + 21 + 21 + 11 + 1), of which repeated probes %.1f\n",
	       (double)per_ttl[1] / runs, (double)per_ttl[2] / runs, (double)per_ttl[3] / runs,
	       (double)per_ttl[4] / runs, (double)per_ttl[5] / runs, total,
	       (double)t.repeats / runs);
	ok(t.runs == runs && t.runs_missing <= runs / 20,
	   "4 -> 4 -> 2 diamond: every interface found in %ld of %d runs", t.runs - t.runs_missing,
	   runs);
	ok(per_ttl[1] == runs, "4 -> 4 -> 2 diamond: the host's known first hop takes 1 probe (%.1f)",
	   (double)per_ttl[1] / runs);
	ok(inside <= 21 + 21 + 11 + 0.5,
	   "4 -> 4 -> 2 diamond: TTLs 2-4 take no more probes than scamper's 53 (%.1f)", inside);
	ok(per_ttl[5] <= 2L * runs,
	   "4 -> 4 -> 2 diamond: the target's hop takes one flow per router before it (%.1f)",
	   (double)per_ttl[5] / runs);
	ok(t.repeats == 0, "4 -> 4 -> 2 diamond: no flow is probed twice at a TTL (%ld)", t.repeats);
}

/*
 * The host balancing over its own next hops (a multipath default route):
 * knowing how many, TTL 1 stops as soon as each has answered, and finds
 * all of them every time, which the stopping rule alone promises only at
 * 95%.  The host's count must not stop it short when one next hop is
 * silent.
 */
static void host_first_hop(void)
{
	struct shape known = {.widths = {4, 1}, .nstages = 2, .host_route = true};
	struct shape unknown = {.widths = {4, 1}, .nstages = 2};
	struct shape silent = {.widths = {4, 1}, .nstages = 2, .host_route = true,
			       .silent = true};
	long ttl1_known[4] = {0}, ttl1_unknown[4] = {0};
	struct tally k = {0}, u = {0}, q = {0};
	int runs = 200;

	for (int i = 0; i < runs; i++) {
		run_one(&known, 4000u + (uint32_t)i, 95, &k, ttl1_known, 2);
		run_one(&unknown, 4000u + (uint32_t)i, 95, &u, ttl1_unknown, 2);
		run_one(&silent, 4000u + (uint32_t)i, 95, &q, NULL, 0);
	}
	printf("# host with 4 next hops: TTL 1 takes %.1f probes knowing them, %.1f by the "
	       "stopping rule\n", (double)ttl1_known[1] / runs, (double)ttl1_unknown[1] / runs);
	ok(k.runs == runs && k.missed == 0,
	   "host with 4 next hops, known: all found in every run (%ld missed)", k.missed);
	ok(ttl1_known[1] < ttl1_unknown[1],
	   "host with 4 next hops: knowing them takes fewer probes at TTL 1 (%.1f < %.1f)",
	   (double)ttl1_known[1] / runs, (double)ttl1_unknown[1] / runs);
	ok(q.runs == runs && q.missed <= q.interfaces / 20,
	   "host with 4 next hops, one silent: runs end, the others found (%ld of %ld missed)",
	   q.missed, q.interfaces);
	ok(q.incomplete_hops == runs && k.incomplete_hops == 0,
	   "host with 4 next hops: TTL 1 is incomplete exactly when one never answered (%ld, %ld)",
	   q.incomplete_hops, k.incomplete_hops);
}

/* The snapshot has a per-packet-balancing finding at ttl. */
static bool has_pp_finding(const struct results *r, int ttl)
{
	if (r == NULL || r->findings == NULL)
		return false;
	for (int i = 0; i < r->findings->count; i++)
		if (r->findings->items[i].kind == FINDING_PER_PACKET_BALANCING &&
		    r->findings->items[i].ttl == ttl)
			return true;
	return false;
}

/* What runs of one shape showed about per-packet balancing. */
struct pp_tally {
	int runs, marked_ttl2, found_ttl2, marked_any, found_any;
	long repeats;
};

static void pp_runs(const struct shape *sh, uint64_t rounds, int runs, struct pp_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < runs; i++) {
		uint32_t seed = 500u + (uint32_t)i;
		struct simnet *n = build(sh, seed);
		struct engine_config cfg;
		struct simrun_case c;

		config_for(&cfg, 95);
		cfg.seed = seed;
		cfg.sport_base = (uint16_t)(20000 + seed * 37 % 20000);
		cfg.first_hop_fanout = 1;
		cfg.rounds = rounds;
		cfg.interval_us = 500000;
		if (n != NULL && simrun_case_run(&c, &cfg, n, NULL) && c.res != NULL) {
			bool marked = false, found_pp = false;

			t->runs++;
			for (int h = 0; h < c.res->nhops; h++) {
				marked |= c.res->hops[h].per_packet;
				found_pp |= has_pp_finding(c.res, c.res->hops[h].ttl);
			}
			t->marked_any += marked;
			t->found_any += found_pp;
			t->marked_ttl2 += c.res->nhops >= 2 && c.res->hops[1].ttl == 2 &&
					  c.res->hops[1].per_packet;
			t->found_ttl2 += has_pp_finding(c.res, 2);
			if (rounds == 1)
				t->repeats += repeated_probes(&c.run);
		}
		simrun_case_free(&c);
		simnet_free(n);
	}
}

/*
 * Per-packet balancing at the first split.  Where a 1:1 stage follows, it
 * makes that stage look meshed right after the split: one -c 1 pass
 * re-probes MDA_RECHECKS flows at TTL 2 and calls it (missing it with odds
 * (1/4)^4).  Where the branches merge on the next hop it fakes no link;
 * the pass spends nothing on it and the rounds after it call it.  Per-flow
 * balancing is never called per-packet, and costs no second probe unless a
 * stage right after a split looks meshed.
 */
static void per_packet_pass(void)
{
	struct shape pp_long = {.widths = {1, 4, 4, 1}, .nstages = 4, .per_packet = true};
	struct shape pf_long = {.widths = {1, 4, 4, 1}, .nstages = 4};
	struct shape pp_short = {.widths = {1, 4, 1}, .nstages = 3, .per_packet = true};
	struct shape pf_short = {.widths = {1, 4, 1}, .nstages = 3};
	struct shape pf_mesh = {.widths = {1, 4, 4, 1}, .nstages = 4, .meshed = true};
	struct pp_tally a, b, c, d, e2, f;
	int runs = 40;

	pp_runs(&pp_long, 1, runs, &a);
	pp_runs(&pf_long, 1, runs, &b);
	pp_runs(&pp_short, 6, runs, &c);
	pp_runs(&pf_short, 6, runs, &d);
	pp_runs(&pf_short, 1, runs, &e2);
	pp_runs(&pf_mesh, 1, runs, &f);
	printf("# per-packet 1 -> 4 -> 4 -> 1, one -c 1 pass: TTL 2 marked in %d of %d, %.1f "
	       "repeated probes per pass\n", a.marked_ttl2, a.runs, (double)a.repeats / runs);
	printf("# per-packet 1 -> 4 -> 1, 6 rounds: per-packet finding at TTL 2 in %d of %d\n",
	       c.found_ttl2, c.runs);
	printf("# per-flow meshed 1 -> 4 -> 4 -> 1, -c 1: %.1f repeated probes per pass\n",
	       (double)f.repeats / runs);
	ok(a.runs == runs && b.runs == runs && c.runs == runs && d.runs == runs &&
	   e2.runs == runs && f.runs == runs, "per-packet test: all %d runs of each shape ran",
	   runs);
	ok(a.marked_ttl2 >= runs - 1 && a.found_ttl2 >= a.marked_ttl2,
	   "per-packet 1 -> 4 -> 4 -> 1: one -c 1 pass marks TTL 2 and reports it (%d, %d of %d)",
	   a.marked_ttl2, a.found_ttl2, runs);
	ok(a.repeats <= (long)runs * MDA_RECHECKS,
	   "per-packet 1 -> 4 -> 4 -> 1: the test costs at most %d probes a pass (%.1f)",
	   MDA_RECHECKS, (double)a.repeats / runs);
	ok(c.found_ttl2 >= runs - 2,
	   "per-packet 1 -> 4 -> 1: 6 rounds report per-packet balancing at TTL 2 (%d of %d)",
	   c.found_ttl2, runs);
	ok(b.marked_any == 0 && b.found_any == 0 && d.marked_any == 0 && d.found_any == 0 &&
	   e2.marked_any == 0 && f.marked_any == 0 && f.found_any == 0,
	   "per-flow diamonds, meshed or not, one pass or 6 rounds: never called per-packet "
	   "(%d %d %d %d %d %d %d)", b.marked_any, b.found_any, d.marked_any, d.found_any,
	   e2.marked_any, f.marked_any, f.found_any);
	ok(b.repeats == 0 && e2.repeats == 0,
	   "per-flow unmeshed diamonds: no flow probed twice at a TTL (%ld, %ld)", b.repeats,
	   e2.repeats);
	ok(f.repeats <= (long)runs * MDA_RECHECKS,
	   "per-flow mesh right after a split: at most %d rechecks a pass (%.1f)", MDA_RECHECKS,
	   (double)f.repeats / runs);
}

/* After the pass, rounds keep probing a set covering every branch. */
static void monitoring(void)
{
	struct shape sh = {.widths = {1, 8, 3}, .nstages = 3};
	struct ip_addr src, dst;
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	bool covered = true;
	int monitored = 0;

	simrun_default_addrs(AF_INET, &src, &dst);
	n = build(&sh, 77);
	config_for(&cfg, 95);
	cfg.rounds = 6;
	cfg.interval_us = 1000000;
	ok(n && simrun_case_run(&c, &cfg, n, NULL), "monitoring: 6 rounds run (%s)",
	   c.run.why);
	if (c.res == NULL)
		goto out;
	for (int h = 0; h < c.res->nhops; h++)
		for (int b = 0; b < c.res->hops[h].nbranches; b++) {
			const struct branch_result *br = &c.res->hops[h].branches[b];
			int watched = 0;

			for (int k = 0; k < br->nflows; k++)
				watched += c.res->flows[br->flows[k]].hop_received[h] +
					   c.res->flows[br->flows[k]].hop_lost[h] >= 5;
			if (watched < 4)
				covered = false;
		}
	for (int i = 0; i < c.res->nflows; i++)
		monitored += c.res->flows[i].received + c.res->flows[i].lost >= 5;
	ok(covered, "monitoring: every branch of every hop keeps >= 4 flows");
	ok(monitored > 0 && monitored <= 64,
	   "monitoring: a bounded set of flows is measured end to end (%d of %d)", monitored,
	   c.res->nflows);
	ok(c.res->hops[1].discovery_complete && c.res->hops[1].confidence == 95 &&
	   c.res->hops[1].nbranches == 8, "monitoring: hop 2 complete at 95%% with 8 branches");
	ok(c.res->hops[2].nbranches == 3 && c.res->hops[3].nbranches == 1,
	   "monitoring: 3 branches at hop 3, the target at hop 4");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/* A fixed flow count says when it is not enough. */
static void fixed_flows(void)
{
	struct shape sh = {.widths = {8, 8, 8}, .nstages = 3, .meshed = true};
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n = build(&sh, 5);

	simrun_config(&cfg, AF_INET);
	cfg.nflows = 16;
	cfg.rounds = 1;
	cfg.rate_pps = 10000;
	ok(n && simrun_case_run(&c, &cfg, n, NULL), "--flows 16 on three 8-way stages: runs");
	ok(c.res && c.res->nhops >= 4 && !c.res->hops[0].discovery_complete &&
	   c.res->hops[0].confidence == 95 && c.res->hops[3].discovery_complete,
	   "--flows 16: 8-way hops are reported incomplete, the target's hop complete");
	simrun_case_free(&c);
	simnet_free(n);
}

/* Linux-limited routers: discovery waits for them instead of calling them branches. */
static void rate_limited(void)
{
	struct shape sh = {.widths = {1, 16, 1}, .nstages = 3, .rate_limit = true};
	struct tally t = {0};

	for (uint32_t s = 0; s < 20; s++)
		run_one(&sh, 300 + s, 95, &t, NULL, 0);
	ok(t.missed <= t.interfaces / 20,
	   "rate-limited 1 -> 16 -> 1: missed %ld of %ld interfaces", t.missed, t.interfaces);
	ok(t.rate_limited_hops > 0, "rate-limited routers are reported (%ld hops)",
	   t.rate_limited_hops);
	printf("# rate-limited 1 -> 16 -> 1: %.1f flows a run keep a hole (n_16 = 96 probes "
	       "meet 16 bursts of 6)\n", (double)t.holes / t.runs);
}

/*
 * Routers that answer a burst of 3, then one a second: a 1 -> 4 -> 1 pass
 * meets withheld answers at TTL 2 (21 flows, 12 answers in the bursts).
 * It probes other flows in their place and asks the withheld ones again
 * while it goes on: every pass ends, the stopping rule's bound holds, and
 * hardly a flow is left without its answer at TTL 2.
 */
static void withheld_answers(void)
{
	struct shape sh = {.widths = {1, 4, 1}, .nstages = 3, .host_route = true};
	struct tally t = {0};
	long ends_us = 0;
	int runs = 40;

	for (int i = 0; i < runs; i++) {
		struct simnet *n = build(&sh, 700u + (uint32_t)i);
		struct engine_config cfg;
		struct simrun_case c;

		if (n == NULL)
			continue;
		for (int id = 2; id < simnet_node_count(n); id++)
			simnet_rate_limit(simnet_node(n, id), 3, SIMNET_LINUX_RL_INTERVAL_US);
		config_for(&cfg, 95);
		cfg.seed = 700u + (uint32_t)i;
		cfg.first_hop_fanout = 1;
		cfg.timeout_us = 2000000;
		if (simrun_case_run(&c, &cfg, n, NULL) && c.res != NULL) {
			t.runs++;
			t.interfaces += simnet_node_count(n) - 1;
			t.missed += missed_in(n, c.res);
			ends_us += (long)c.res->elapsed_us;
			for (int f = 0; f < c.res->nflows; f++)
				t.holes += c.res->flows[f].path_len > 1 &&
					   c.res->flows[f].hop_lost[1] > 0 &&
					   c.res->flows[f].hop_received[1] == 0;
		}
		simrun_case_free(&c);
		simnet_free(n);
	}
	printf("# withheld answers, 1 -> 4 -> 1, bursts of 3: passes end after %.2f s on average\n",
	       t.runs ? (double)ends_us / t.runs / 1e6 : 0);
	ok(t.runs == runs && t.missed <= t.interfaces / 20,
	   "withheld answers: all %d passes end, interfaces missed within 5%% (%ld of %ld)", runs,
	   t.missed, t.interfaces);
	/* A flow keeps a hole only when its router withheld all MDA_MAX_TRIES answers. */
	ok(t.holes <= runs / 10, "withheld answers are asked again: flows left without an "
	   "answer at TTL 2: %ld in %d passes", t.holes, runs);
}

/* The fan-out router rehashes: flows move, and a new pass follows. */
static void rehash(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)ctx;
	(void)e;
	(void)now;
	simnet_node(n, simnet_at(n, 1, 0))->seed ^= 0xdeadbeefu;
}

/* Discovery runs again on a path change, and periodically; not otherwise. */
static void rediscovery(void)
{
	struct shape sh = {.widths = {1, 4, 1}, .nstages = 3};
	struct engine_config cfg;
	struct simrun_limits lim = {0};
	struct simrun_case quiet, moved, timed;
	struct simnet *n1 = build(&sh, 9), *n2 = build(&sh, 9), *n3 = build(&sh, 9);

	config_for(&cfg, 95);
	cfg.rounds = 20;
	cfg.interval_us = 1000000;
	ok(simrun_case_run(&quiet, &cfg, n1, NULL), "rediscovery: 20 quiet rounds run");
	ok(quiet.engine->mda.passes == 1, "no change, no new pass (%llu passes)",
	   (unsigned long long)quiet.engine->mda.passes);
	lim.events[0] = (struct simrun_event){.after_us = 8000000, .fn = rehash};
	ok(simrun_case_run(&moved, &cfg, n2, &lim), "rediscovery: rehash at 8 s, run ends");
	ok(moved.engine->mda.passes == 2, "a path change starts one new pass (%llu passes)",
	   (unsigned long long)moved.engine->mda.passes);
	ok(moved.res && moved.res->nhops >= 3 && moved.res->hops[1].nbranches == 4 &&
	   moved.res->hops[1].discovery_complete, "after it, hop 2 still has its 4 branches");
	cfg.rediscover_us = 5000000;
	ok(simrun_case_run(&timed, &cfg, n3, NULL), "rediscovery every 5 s: run ends");
	ok(timed.engine->mda.passes >= 3, "passes repeat on time (%llu passes in 20 rounds)",
	   (unsigned long long)timed.engine->mda.passes);
	simrun_case_free(&quiet);
	simrun_case_free(&moved);
	simrun_case_free(&timed);
	simnet_free(n1);
	simnet_free(n2);
	simnet_free(n3);
}

static void reset_now(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)ctx;
	(void)n;
	(void)now;
	engine_reset_stats(e);
}

/* A pass cut short by engine_stop, or crossed by a statistics reset, still ends. */
static void interrupted(void)
{
	struct shape sh = {.widths = {1, 8, 8}, .nstages = 3, .meshed = true};
	struct engine_config cfg;
	struct simrun_limits stop = {.stop_after_us = 3000}, reset = {0};
	struct simrun_case a, b;
	struct simnet *n1 = build(&sh, 21), *n2 = build(&sh, 21);

	config_for(&cfg, 95);
	cfg.rate_pps = 1000;
	cfg.rounds = 3;
	ok(simrun_case_run(&a, &cfg, n1, &stop) && a.run.stopped,
	   "stopped 3 ms into discovery: the run ends (%s)", a.run.why);
	ok(a.res && a.res->nhops > 0 && !a.res->hops[a.res->nhops - 1].discovery_complete,
	   "a pass cut short claims no completeness past where it got");
	reset.events[0] = (struct simrun_event){.after_us = 20000, .fn = reset_now};
	ok(simrun_case_run(&b, &cfg, n2, &reset),
	   "statistics reset 20 ms into discovery: the run ends (%s)", b.run.why);
	ok(b.res && b.res->nhops >= 3 && b.res->hops[1].nbranches == 8 &&
	   b.res->hops[2].nbranches == 8, "and both 8-way hops are still found");
	simrun_case_free(&a);
	simrun_case_free(&b);
	simnet_free(n1);
	simnet_free(n2);
}

/* Interfaces of the topology a run's snapshot misses. */
static int missed_in(struct simnet *n, const struct results *r)
{
	int missed = 0;

	for (int id = 1; id < simnet_node_count(n); id++)
		if (!simnet_node(n, id)->silent && !found(r, &simnet_node(n, id)->addr))
			missed++;
	return missed;
}

/*
 * A later pass uses flows no earlier pass used, so its misses are
 * independent: over many seeds of an 8-way split, runs whose single pass
 * missed a branch find it in a watch with a few more passes.
 */
static void fresh_passes(void)
{
	struct shape sh = {.widths = {1, 8, 1}, .nstages = 3};
	int single_miss = 0, watch_miss = 0, runs = 0, grew = 0;

	for (uint32_t seed = 1; seed <= 300; seed++) {
		struct engine_config cfg;
		struct simrun_case one, watch;
		struct simnet *n1 = build(&sh, seed), *n2 = build(&sh, seed);

		config_for(&cfg, 95);
		cfg.seed = seed;
		cfg.sport_base = (uint16_t)(20000 + seed * 37 % 20000);
		if (simrun_case_run(&one, &cfg, n1, NULL)) {
			cfg.rounds = 6;
			cfg.interval_us = 1000000;
			cfg.rediscover_us = 1000000;
			if (simrun_case_run(&watch, &cfg, n2, NULL)) {
				runs++;
				single_miss += missed_in(n1, one.res) > 0;
				watch_miss += missed_in(n2, watch.res) > 0;
				grew += watch.engine->nflows > one.engine->nflows;
				simrun_case_free(&watch);
			}
			simrun_case_free(&one);
		}
		simnet_free(n1);
		simnet_free(n2);
	}
	printf("# 8-way split, 300 seeds: one pass missed in %d runs, a watch of several passes in %d\n",
	       single_miss, watch_miss);
	ok(runs == 300, "fresh passes: every run ran (%d)", runs);
	ok(grew == runs, "later passes probe new flows (%d of %d runs grew)", grew, runs);
	ok(watch_miss * 10 <= single_miss || watch_miss == 0,
	   "later passes find what the first missed (%d -> %d runs with a miss)", single_miss,
	   watch_miss);
}

int main(void)
{
	ok(mda_stop_count(95, 1) == 6 && mda_stop_count(95, 16) == 96 &&
	   mda_stop_count(99, 1) == 8 && mda_stop_count(99, 16) == 123 &&
	   mda_stop_count(95, 17) > 96, "stopping rule table and its extension");
	scamper_diamond();
	host_first_hop();
	per_packet_pass();
	width_sweep();
	monitoring();
	fixed_flows();
	rate_limited();
	withheld_answers();
	rediscovery();
	fresh_passes();
	interrupted();
	random_runs(95, 1500, false, "clean topologies");
	random_runs(95, 800, true, "impaired topologies");
	random_runs(99, 500, true, "impaired topologies");
	return tap_done();
}
