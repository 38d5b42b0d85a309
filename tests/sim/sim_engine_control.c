/*
 * The engine's controls and edge cases in virtual time: engine_stop with
 * endless rounds, pause/resume, statistics reset, a path change in the
 * middle of a run, probe-id wrap-around, first/max TTL limits, a router
 * slower than the timeout, and a single flow.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

static uint64_t elapsed(const struct simrun_case *c)
{
	return c->run.now_us - c->run.start_us;
}

/* Sends in [from, to) virtual microseconds since the start. */
static size_t sends_between(const struct simrun_case *c, uint64_t from, uint64_t to)
{
	size_t count = 0;

	for (size_t i = 0; i < c->run.nsends; i++) {
		uint64_t t = c->run.sends[i].at - c->run.start_us;

		count += t >= from && t < to;
	}
	return count;
}

static void stop(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	struct simrun_limits lim = {.stop_after_us = 5500000, .max_virtual_us = 60000000};

	simrun_config(&cfg, AF_INET);
	cfg.seed = 61;
	cfg.rounds = 0;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 61);
	SIMRUN_OK(&c, &cfg, n, &lim, "endless rounds, stopped at 5.5 s");
	if (!c.res)
		goto out;
	ok(c.run.stopped && elapsed(&c) <= 5500000 + cfg.timeout_us,
	   "DONE within a timeout of engine_stop (%llu us)", (unsigned long long)elapsed(&c));
	ok(sends_between(&c, 5500000, UINT64_MAX) == 0, "nothing sent after engine_stop");
	ok(c.res->counters.rounds_started == 6 && c.res->counters.rounds_done == 6 &&
	   c.res->counters.replies == c.res->counters.probes_sent,
	   "6 rounds started and resolved (%llu, %llu), every probe answered",
	   (unsigned long long)c.res->counters.rounds_started,
	   (unsigned long long)c.res->counters.rounds_done);
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void do_pause(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)n;
	engine_pause(e, true, now);
	*(bool *)ctx = engine_paused(e);
}

static void do_resume(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)n;
	engine_pause(e, false, now);
	*(bool *)ctx = !engine_paused(e);
}

static void pause_resume(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	bool paused = false, resumed = false;
	struct simrun_limits lim = {
		.events = {
			{.after_us = 3050000, .fn = do_pause, .ctx = &paused},
			{.after_us = 8050000, .fn = do_resume, .ctx = &resumed},
		},
	};

	simrun_config(&cfg, AF_INET);
	cfg.seed = 62;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 62);
	SIMRUN_OK(&c, &cfg, n, &lim, "paused from 3.05 s to 8.05 s");
	if (!c.res)
		goto out;
	ok(paused && resumed, "engine_paused() follows engine_pause()");
	ok(sends_between(&c, 3050000, 8050000) == 0, "nothing sent while paused");
	ok(c.res->counters.rounds_started == cfg.rounds && c.res->counters.probes_sent ==
	   c.res->counters.replies && c.res->counters.late == 0,
	   "all rounds run after the resume, every probe answered");
	ok(elapsed(&c) >= 5000000 + (cfg.rounds - 1) * cfg.interval_us,
	   "the pause delays the end (%llu us)", (unsigned long long)elapsed(&c));
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void do_reset(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)n;
	*(uint64_t *)ctx = now;
	engine_reset_stats(e);
}

static void reset(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	uint64_t reset_at = 0, counted = 0;
	struct simrun_limits lim = {.events = {{.after_us = 5005000, .fn = do_reset, .ctx = &reset_at}}};

	simrun_config(&cfg, AF_INET);
	cfg.seed = 63;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 63);
	SIMRUN_OK(&c, &cfg, n, &lim, "statistics reset at 5.005 s");
	if (!c.res)
		goto out;
	for (int h = 0; h < c.res->nhops; h++)
		counted += c.res->hops[h].received + c.res->hops[h].lost;
	ok(reset_at > 0 && counted == sends_between(&c, reset_at - c.run.start_us, UINT64_MAX),
	   "after the reset only probes sent since count (%llu, %zu sent since)",
	   (unsigned long long)counted, sends_between(&c, reset_at - c.run.start_us, UINT64_MAX));
	ok(c.res->dest_ttl == 4 && c.res->nhops == 4 && c.res->flows[0].path_len == 4 &&
	   addr_is_set(&c.res->flows[0].path[0]), "the path survives the reset");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/* Reconvergence: the first router's hash seed changes, moving some flows. */
struct change {
	struct simrun_case *c;
	const struct engine_config *cfg;	/* the run's */
	int before[64];		/* stage-2 index of each flow before */
};

static void do_change(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	struct change *ch = ctx;
	const struct engine_config *cfg = ch->cfg;

	(void)e;
	(void)now;
	for (int f = 0; f < cfg->nflows; f++) {
		int ids[8];

		simnet_path_ids(n, simrun_flow_probe(&ch->c->run, cfg, f), ids, 8);
		ch->before[f] = simnet_node(n, ids[1])->index;
	}
	simnet_node(n, simnet_at(n, 1, 0))->seed ^= 0xdeadbeefu;
}

static void path_change(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct change ch = {.c = &c, .cfg = &cfg};
	struct simrun_limits lim = {.events = {{.after_us = 5005000, .fn = do_change, .ctx = &ch}}};
	int widths[] = {1, 2, 1}, moved = 0, good = 1;
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 64;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 64);
	SIMRUN_OK(&c, &cfg, n, &lim, "path change at 5.005 s");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++) {
		const struct flow_result *fr = &c.res->flows[f];
		int ids[8];

		simnet_path_ids(n, simrun_flow_probe(&c.run, &cfg, f), ids, 8);
		if (simnet_node(n, ids[1])->index != ch.before[f]) {
			moved++;
			good &= fr->path_changes >= 1 && fr->path_len > 1 && fr->responders_seen[1] == 2;
		} else {
			good &= fr->path_changes == 0 && fr->path_len > 1 && fr->responders_seen[1] == 1;
		}
	}
	ok(moved > 0 && moved < cfg.nflows, "the change moved %d of %d flows", moved, cfg.nflows);
	ok(good, "moved flows report a path change and two responders at TTL 2; the others none");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void id_wrap(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	bool ids_ok = true;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 0x0000fff0;		/* the first probe id, just before the wrap */
	cfg.nflows = 64;
	cfg.rounds = 260;
	cfg.rate_pps = 10000;
	cfg.timeout_us = 1000000;
	cfg.interval_us = 100000;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 65);
	SIMRUN_OK(&c, &cfg, n, NULL, "66560 probes, ids wrapping twice");
	if (!c.res)
		goto out;
	for (size_t i = 0; i < c.run.nsends; i++)
		ids_ok &= c.run.sends[i].probe.probe_id != 0 && c.run.sends[i].probe.probe_id != 0xffff;
	ok(c.run.nsends > 65536 && ids_ok, "%zu probes, never id 0 or 0xffff", c.run.nsends);
	ok(c.res->counters.replies == c.res->counters.probes_sent && c.res->counters.foreign == 0 &&
	   c.res->counters.late == 0 && c.res->counters.duplicates == 0,
	   "every reply matches its probe across the wrap (%llu of %llu)",
	   (unsigned long long)c.res->counters.replies, (unsigned long long)c.res->counters.probes_sent);
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void ttl_limits(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	struct ip_addr r3;
	bool low = true;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 66;
	cfg.first_ttl = 3;
	n = simnet_chain(&cfg.src, &cfg.dst, 4, 66);
	simnet_stage_addr(AF_INET, 3, 0, &r3);
	SIMRUN_OK(&c, &cfg, n, NULL, "first TTL 3");
	for (size_t i = 0; i < c.run.nsends; i++)
		low &= c.run.sends[i].probe.ttl >= 3;
	ok(low && c.res && c.res->nhops == 3 && c.res->hops[0].ttl == 3 && c.res->dest_ttl == 5 &&
	   c.res->flows[0].path_len == 3 && addr_equal(&c.res->flows[0].path[0], &r3),
	   "nothing below TTL 3; hops 3-5, path index 0 is TTL 3");
	simrun_case_free(&c);
	simnet_free(n);

	simrun_config(&cfg, AF_INET);
	cfg.seed = 67;
	cfg.max_ttl = 6;
	n = simnet_chain(&cfg.src, &cfg.dst, 10, 67);
	SIMRUN_OK(&c, &cfg, n, NULL, "max TTL 6 on a 10-router path");
	ok(c.res && simrun_max_ttl(&c.run) == 6 && c.res->dest_ttl == 0 && c.res->nhops == 6 &&
	   c.res->hops[5].lost == 0, "probes stop at TTL 6; no destination, no loss");
	simrun_case_free(&c);
	simnet_free(n);
}

static void slow_router(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 68;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 68);
	simnet_node(n, simnet_at(n, 2, 0))->delay_us = cfg.timeout_us + 1000000;
	SIMRUN_OK(&c, &cfg, n, NULL, "router 2 answers after 3 s, timeout 2 s");
	if (!c.res || c.res->nhops < 4)
		goto out;
	const struct hop_result *h2 = &c.res->hops[1];

	ok(h2->received == 0 && h2->lost == cfg.rounds * (uint64_t)cfg.nflows &&
	   h2->nbranches == 1 && !addr_is_set(&h2->branches[0].addr),
	   "hop 2: every probe lost, shown as an unknown branch");
	ok(c.res->counters.late > 0 && c.res->counters.late + simnet_pending(n) == h2->lost,
	   "its answers are counted late (%llu, %zu after the end)",
	   (unsigned long long)c.res->counters.late, simnet_pending(n));
	ok(c.res->dest_ttl == 4 && c.res->hops[2].lost == 0, "the path beyond it is unaffected");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void single_flow(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	int widths[] = {1, 4, 1};

	simrun_config(&cfg, AF_INET);
	cfg.seed = 69;
	cfg.nflows = 1;
	cfg.rounds = 3;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 69);
	SIMRUN_OK(&c, &cfg, n, NULL, "one flow");
	ok(c.res && c.res->nflows == 1 && c.res->hops[1].nbranches == 1 && c.res->dest_ttl == 4 &&
	   c.res->flows[0].received == cfg.rounds && c.run.nsends == 4 * cfg.rounds,
	   "one flow sees one branch of four, %zu probes", c.run.nsends);
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	stop();
	pause_resume();
	reset();
	path_change();
	id_wrap();
	ttl_limits();
	slow_router();
	single_flow();
	return tap_done();
}
