/*
 * The engine's defaults against simulated networks, for how fast and how
 * completely the verdict comes (the end-to-end lane, lane.c; early loss,
 * engine.c): the field case (one return member drops the replies of some
 * flows) and one lossy branch, judged from a snapshot taken 3 s into the
 * run; every failing flow named; -c N lasting about N intervals whatever
 * is silent; late answers counted; a one-pass run left alone; a UDP target
 * whose port unreachables are rate limited not flooded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/diagnose.h"
#include "engine/lane.h"
#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

/* The product's defaults (main.c): adaptive discovery, 10 rounds a second apart. */
static void defaults(struct engine_config *cfg, enum probe_proto proto, uint32_t seed)
{
	simrun_config(cfg, AF_INET);
	cfg->adaptive = true;
	cfg->proto = proto;
	cfg->dport = proto == PROBE_TCP ? 3306 : 33434;
	cfg->payload_len = proto == PROBE_TCP ? 0 : 12;
	cfg->sport_base = 30000;
	cfg->seed = seed;
	cfg->answer_delay_us = 10000;
}

/* What a snapshot at a given time said (filled by an event of the run). */
struct verdict {
	uint64_t at_us;
	enum finding_kind kind;
	bool found;			/* a finding of that kind */
	int nflows;			/* flows it names */
	int flows[64];
	bool has_cause;			/* it lists want_cause */
	enum finding_cause want_cause;
};

static void snapshot(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	struct verdict *v = ctx;
	struct results *r = results_with_findings(engine_results(e, now));

	(void)n;
	for (int i = 0; r && r->findings && i < r->findings->count && !v->found; i++) {
		const struct finding *f = &r->findings->items[i];

		if (f->kind != v->kind)
			continue;
		v->found = true;
		v->nflows = f->nflows < 64 ? f->nflows : 64;
		memcpy(v->flows, f->flows, (size_t)v->nflows * sizeof(*v->flows));
		for (int k = 0; k < f->ncauses; k++)
			v->has_cause |= f->causes[k] == v->want_cause;
	}
	results_free(r);
}

static bool named(const struct verdict *v, int flow)
{
	for (int i = 0; i < v->nflows; i++)
		if (v->flows[i] == flow)
			return true;
	return false;
}

/* Flows of the run (by index) whose every end-to-end probe was lost, and how many there are. */
static int silent_flows(const struct results *r, bool *silent)
{
	int n = 0;

	for (int i = 0; i < r->nflows && i < 256; i++) {
		const struct flow_result *f = &r->flows[i];

		silent[i] = f->received == 0 && f->lost > 0;
		n += silent[i];
	}
	return n;
}

static void return_path(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simrun_limits lim = {0};
	struct verdict v = {.kind = FINDING_RETURN_PATH_LOSS, .want_cause = CAUSE_RETURN_PATH};
	int widths[] = {1, 2, 1}, nsilent, missing = 0;
	bool silent[256] = {false};
	struct simnet *n;
	struct simnet_dest *d;

	defaults(&cfg, PROBE_TCP, 7);
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 5);
	d = simnet_dest(n);
	d->listening = true;
	d->ret_members = 2;
	d->ret_loss[0] = 1.0;
	d->ret_seed = 99;
	lim.events[0] = (struct simrun_event){.after_us = 3000000, .fn = snapshot, .ctx = &v};
	SIMRUN_OK(&c, &cfg, n, &lim, "field case, defaults");
	ok(v.found && v.has_cause, "3 s in, a return-path-loss finding stands (return path among its causes)");
	if (c.res) {
		nsilent = silent_flows(c.res, silent);
		for (int i = 0; i < c.res->nflows && i < 256; i++)
			missing += silent[i] && !named(&v, i);
		ok(nsilent >= 3 && missing == 0,
		   "it names every flow whose replies die (%d silent, %d of them not named at 3 s)",
		   nsilent, missing);
		for (int i = 0; i < c.res->nflows; i++)
			if (c.res->flows[i].received + c.res->flows[i].lost < 8)
				missing++;
		ok(missing == 0, "at the end every flow has at least 8 end-to-end probes behind it");
	}
	simrun_case_free(&c);
	simnet_free(n);
}

static void lossy_branch(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simrun_limits lim = {0};
	struct verdict v = {.kind = FINDING_LOSSY_BRANCH, .want_cause = CAUSE_FORWARD_LOSS};
	int widths[] = {1, 2, 1};
	struct simnet *n;

	defaults(&cfg, PROBE_TCP, 8);
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 6);
	simnet_dest(n)->listening = true;
	simnet_node(n, simnet_at(n, 2, 0))->fwd_loss = 0.3;
	lim.events[0] = (struct simrun_event){.after_us = 3000000, .fn = snapshot, .ctx = &v};
	SIMRUN_OK(&c, &cfg, n, &lim, "30% forward loss behind one branch, defaults");
	ok(v.found && v.has_cause, "3 s in, a lossy-branch finding stands (forward loss among its causes)");
	simrun_case_free(&c);
	simnet_free(n);
}

/* Did the run of c end within cfg.rounds intervals plus the timeout (and a little slack)? */
static bool ended_in_time(const struct simrun_case *c, const struct engine_config *cfg,
			  double *took_s)
{
	uint64_t took = c->run.now_us - c->run.start_us;

	*took_s = (double)took / 1e6;
	return took <= cfg->rounds * cfg->interval_us + cfg->timeout_us + cfg->answer_delay_us +
			       500000;
}

/* -c N lasts about N intervals plus a timeout, even when the target never answers some flows. */
static void count_bounds_time(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	int wide[] = {1, 4, 4, 1};
	struct simnet *n;
	double took;
	bool in_time;

	defaults(&cfg, PROBE_TCP, 9);
	cfg.rounds = 5;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 7);
	simnet_dest(n)->listening = true;
	simnet_dest(n)->ret_members = 2;
	simnet_dest(n)->ret_loss[1] = 1.0;
	SIMRUN_OK(&c, &cfg, n, NULL, "-c 5 with silent flows");
	in_time = ended_in_time(&c, &cfg, &took);
	ok(in_time, "-c 5 ended after %.2f s (at most 5 intervals + the timeout)",
	   took);
	simrun_case_free(&c);
	simnet_free(n);

	/*
	 * Many flows whose replies die: the lane's probes to them are always
	 * out, and a round that waited on them would never end.
	 */
	defaults(&cfg, PROBE_TCP, 14);
	cfg.rounds = 5;
	n = simnet_diamond(&cfg.src, &cfg.dst, wide, 4, true, 15);
	simnet_dest(n)->listening = true;
	simnet_dest(n)->ret_members = 2;
	simnet_dest(n)->ret_loss[0] = 1.0;
	SIMRUN_OK(&c, &cfg, n, NULL, "-c 5, a meshed 4 x 4 diamond, half the replies lost");
	in_time = ended_in_time(&c, &cfg, &took);
	ok(in_time, "-c 5 ended after %.2f s with %d flows", took,
	   c.res ? c.res->nflows : -1);
	simrun_case_free(&c);
	simnet_free(n);

	/* A target that never answers at all: the lane does not keep the run going either. */
	defaults(&cfg, PROBE_UDP, 10);
	cfg.rounds = 3;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 8);
	simnet_node(n, SIMNET_DST)->silent = true;
	SIMRUN_OK(&c, &cfg, n, NULL, "-c 3 towards a silent target");
	in_time = ended_in_time(&c, &cfg, &took);
	ok(in_time, "-c 3 ended after %.2f s", took);
	simrun_case_free(&c);
	simnet_free(n);
}

/* Answers that come after the early deadline but within the timeout still count. */
static void late_answers_count(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;
	struct simnet_faults *fa;
	uint64_t lost = 0, recv = 0;

	defaults(&cfg, PROBE_TCP, 11);
	cfg.rounds = 4;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 9);
	simnet_dest(n)->listening = true;
	fa = simnet_faults(n);
	fa->late_prob = 0.2;
	fa->late_extra_us = 600000;	/* past 4 round trips and the 250 ms floor, before 2 s */
	SIMRUN_OK(&c, &cfg, n, NULL, "a fifth of the answers 0.6 s late");
	for (int i = 0; c.res && i < c.res->nflows; i++) {
		lost += c.res->flows[i].lost;
		recv += c.res->flows[i].received;
	}
	ok(simnet_stats(n)->late > 20 && recv > 100 && lost == 0,
	   "%llu late answers, none left counted lost (%llu received, %llu lost)",
	   (unsigned long long)simnet_stats(n)->late, (unsigned long long)recv,
	   (unsigned long long)lost);
	ok(c.run.match[MATCH_LATE] == 0, "none was thrown away as late");
	ok(c.res && (c.res->findings == NULL || c.res->findings->count == 0),
	   "and no finding comes of them");
	simrun_case_free(&c);
	simnet_free(n);
}

static void reset_now(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)ctx;
	(void)n;
	(void)now;
	engine_reset_stats(e);
}

/* A reset while early-lost probes are still out: their late answers take back no loss. */
static void late_answers_after_reset(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simrun_limits lim = {0};
	int widths[] = {1, 2, 1};
	struct simnet *n;
	struct simnet_faults *fa;
	bool sane = true;

	defaults(&cfg, PROBE_TCP, 16);
	cfg.rounds = 4;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 9);
	simnet_dest(n)->listening = true;
	fa = simnet_faults(n);
	fa->late_prob = 0.3;
	fa->late_extra_us = 600000;
	lim.events[0] = (struct simrun_event){.after_us = 1500000, .fn = reset_now};
	SIMRUN_OK(&c, &cfg, n, &lim, "a fifth of the answers late, statistics reset at 1.5 s");
	for (int i = 0; c.res && i < c.res->nflows; i++) {
		const struct flow_result *f = &c.res->flows[i];

		sane &= f->lost < 1000000;
		for (int k = 0; k < f->path_len; k++)
			sane &= f->hop_lost[k] < 1000000;
	}
	ok(c.res && sane, "no count went below zero");
	simrun_case_free(&c);
	simnet_free(n);
}

/* A one-pass run (-c 1) is discovery alone: the lane stays out of it. */
static void one_pass_alone(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, reach = 0;
	struct simnet *n;

	defaults(&cfg, PROBE_UDP, 12);
	cfg.rounds = 1;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 10);
	SIMRUN_OK(&c, &cfg, n, NULL, "-c 1");
	for (size_t i = 0; i < c.run.nsends; i++)
		reach += c.run.sends[i].probe.ttl == cfg.max_ttl;
	ok(reach == 0 && c.run.nsends < 60, "-c 1 sends no lane probe (%zu probes)", c.run.nsends);
	simrun_case_free(&c);
	simnet_free(n);

	cfg.rounds = 3;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 10);
	SIMRUN_OK(&c, &cfg, n, NULL, "-c 3");
	reach = 0;
	for (size_t i = 0; i < c.run.nsends; i++)
		reach += c.run.sends[i].probe.ttl == cfg.max_ttl;
	ok(reach > 0, "-c 3 reaches the target with the largest TTL too (%d probes)", reach);
	ok(c.res && c.res->nhops == 4, "which does not stretch the path shown (%d hops)",
	   c.res ? c.res->nhops : -1);
	simrun_case_free(&c);
	simnet_free(n);
}

/* UDP: a target that limits its port unreachables (Linux: 6, then 1 a second) is not flooded. */
static void udp_target_limited(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, reach = 0;
	struct simnet *n;
	struct simnet_node *dst;

	defaults(&cfg, PROBE_UDP, 13);
	cfg.rounds = 5;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 11);
	dst = simnet_node(n, SIMNET_DST);
	simnet_rate_limit(dst, SIMNET_LINUX_RL_BURST, SIMNET_LINUX_RL_INTERVAL_US);
	SIMRUN_OK(&c, &cfg, n, NULL, "UDP target with Linux's ICMP limit");
	/* Reach probes are the lane's alone: its first dozen, then one a second at most. */
	for (size_t i = 0; i < c.run.nsends; i++)
		reach += c.run.sends[i].probe.ttl == cfg.max_ttl;
	ok(reach <= LANE_UDP_FIRST + 5, "the lane spends the limited target's answers with care: %d reach probes",
	   reach);
	simrun_case_free(&c);
	simnet_free(n);

	/* Without a limit the lane proves it and probes at its full pace. */
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 11);
	dst = simnet_node(n, SIMNET_DST);
	SIMRUN_OK(&c, &cfg, n, NULL, "UDP target without a limit");
	ok(dst->answered >= 16 * 8, "an unlimited target gets the burst: %llu answers",
	   (unsigned long long)dst->answered);
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	return_path();
	lossy_branch();
	count_bounds_time();
	late_answers_count();
	late_answers_after_reset();
	one_pass_alone();
	udp_target_limited();
	return tap_done();
}
