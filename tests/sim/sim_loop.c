/*
 * The program's event loop (src/run.c) without root: the simulated network
 * as its transport and a virtual clock (simloop.h), so what ran only in
 * root lab tests is checked here - probes sent in batches, a face's ticks
 * and its last tick at the end, neighbour questions answered by claims,
 * several engines sharing one transport, a face's input, a face that
 * quits, and the stop flag a signal sets.  Each check fails if the loop
 * stops doing that.  The seed varies per run (printed; give it as the
 * argument to replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/results.h"
#include "run.h"
#include "simloop.h"
#include "simrun.h"
#include "tests/tap.h"

static uint32_t seed;

/* A face like the real ones: each tick reads a snapshot; it records when it ticked. */
struct test_face {
	uint64_t ticks[4096];
	int nticks;
	uint64_t last_sent;		/* probes sent at the last tick */
	bool went_back;			/* a snapshot showed fewer probes than the one before */
	uint64_t quit_at;		/* > 0: tick says QUIT from then on */
	volatile sig_atomic_t *stop;	/* set at stop_at, as a signal handler would */
	uint64_t stop_at;
	int inputs;			/* on_input calls */
	int input_fd;
};

static enum run_verdict face_tick(void *ctx, struct engine *e, uint64_t now)
{
	struct test_face *f = ctx;
	struct results *r = engine_results(e, now);

	if (f->nticks < (int)(sizeof(f->ticks) / sizeof(f->ticks[0])))
		f->ticks[f->nticks++] = now;
	if (r != NULL) {
		f->went_back |= r->counters.probes_sent < f->last_sent;
		f->last_sent = r->counters.probes_sent;
		results_free(r);
	}
	if (f->stop != NULL && f->stop_at != 0 && now >= f->stop_at)
		*f->stop = 1;
	return f->quit_at != 0 && now >= f->quit_at ? RUN_QUIT : RUN_CONTINUE;
}

static enum run_verdict face_input(void *ctx, struct engine *e, uint64_t now)
{
	struct test_face *f = ctx;
	char c;

	(void)e;
	(void)now;
	f->inputs++;
	/* Like the live view: a key is read, and q quits. */
	return read(f->input_fd, &c, 1) == 1 && c == 'q' ? RUN_QUIT : RUN_CONTINUE;
}

/* A diamond of random widths (2..4 routers at each of 3 stages). */
static struct simnet *network(const struct engine_config *cfg, uint32_t s)
{
	int widths[3];

	for (int i = 0; i < 3; i++)
		widths[i] = 2 + (int)((s >> (4 * i)) % 3);
	return simnet_diamond(&cfg->src, &cfg->dst, widths, 3, (s & 1) != 0, s);
}

static int loop_once(struct simloop *sl, struct run_engine *engines, int count)
{
	struct run_env env = {.transport = &sl->transport, .clock = &sl->clock, .stop = &sl->stop};

	sl->max_waits = 1000000;	/* these runs take a few thousand: more is a spin */
	return run_loop(&env, engines, count);
}

/* Probes due at one instant go out together, at most a batch a call. */
static void batching(void)
{
	struct engine_config cfg;
	struct simnet *n;
	struct simloop sl;
	struct run_engine one = {0};
	char err[128];
	int rc;

	simrun_config(&cfg, AF_INET);
	cfg.seed = seed;
	cfg.nflows = 64;
	cfg.rounds = 2;
	/* Above 1000 a second the engine gives a millisecond's worth at once: 50 here. */
	cfg.rate_pps = 50000;
	cfg.timeout_us = 50000;
	n = network(&cfg, seed);
	simloop_init(&sl, n, SIMRUN_START_US);
	one.e = engine_new(&cfg, err, sizeof(err));
	rc = one.e ? loop_once(&sl, &one, 1) : -1;
	ok(rc == 0 && one.done, "batching: the run ends (%s)", one.e ? "done" : err);
	ok(sl.largest_batch == RUN_SEND_BATCH,
	   "batching: a burst goes out %d probes a call (largest %d)", RUN_SEND_BATCH,
	   sl.largest_batch);
	ok(sl.send_calls * 4 < sl.probes,
	   "batching: %llu probes in %llu calls", (unsigned long long)sl.probes,
	   (unsigned long long)sl.send_calls);
	ok(sl.stale_waits == 0, "batching: never asked to wait for the past");
	engine_free(one.e);
	simnet_free(n);
}

/* A face ticks every tick_us from the start, and once more at the end. */
static void ticks(void)
{
	struct engine_config cfg;
	struct simnet *n;
	struct simloop sl;
	static struct test_face face;
	struct run_face rf = {.ctx = &face, .tick = face_tick, .tick_us = 100000, .input_fd = -1};
	struct run_engine one = {.face = &rf};
	uint64_t start = SIMRUN_START_US, gaps_bad = 0, end;
	char err[128];
	int rc, expect;

	simrun_config(&cfg, AF_INET);
	cfg.seed = seed + 1;
	cfg.rounds = 4;
	n = network(&cfg, seed + 1);
	simloop_init(&sl, n, start);
	memset(&face, 0, sizeof(face));
	one.e = engine_new(&cfg, err, sizeof(err));
	rc = one.e ? loop_once(&sl, &one, 1) : -1;
	end = sl.now_us;
	ok(rc == 0 && one.done, "ticks: the run ends after %.2f s virtual",
	   (double)(end - start) / 1e6);
	for (int i = 1; i + 1 < face.nticks; i++)
		gaps_bad += face.ticks[i] - face.ticks[i - 1] != rf.tick_us;
	expect = (int)((end - start) / rf.tick_us) + 2;	/* one at the start, one at the end */
	ok(face.nticks >= expect - 1 && face.nticks <= expect,
	   "ticks: %d ticks over the run (every 100 ms, and at the end: %d expected)", face.nticks,
	   expect);
	ok(face.nticks > 2 && face.ticks[0] == start && gaps_bad == 0,
	   "ticks: the first at the start, then exactly every 100 ms (%llu gaps off)",
	   (unsigned long long)gaps_bad);
	ok(face.nticks > 0 && face.ticks[face.nticks - 1] == end,
	   "ticks: the last one when the engine is done");
	ok(!face.went_back && face.last_sent == sl.probes,
	   "ticks: each snapshot shows more probes; the last shows all %llu sent",
	   (unsigned long long)sl.probes);
	engine_free(one.e);
	simnet_free(n);
}

/* The first hop is asked for its link-layer address; claims reach the engine. */
static void neighbours(bool claims)
{
	const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
	struct engine_config cfg;
	struct simnet *n;
	struct simloop sl;
	struct run_engine one = {0};
	struct results *r = NULL;
	const char *what = claims ? "neighbour claims" : "silent neighbour";
	char err[128];
	int rc;

	simrun_config(&cfg, AF_INET);
	cfg.seed = seed + 2;
	cfg.rounds = 1;
	cfg.link_check = true;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, seed + 2);
	memcpy(simnet_node(n, simnet_at(n, 1, 0))->lladdrs[0], mac, 6);
	simnet_node(n, simnet_at(n, 1, 0))->nlladdrs = 1;
	simloop_init(&sl, n, SIMRUN_START_US);
	simloop_link_check(&sl, true);
	sl.no_claims = !claims;
	one.e = engine_new(&cfg, err, sizeof(err));
	rc = one.e ? loop_once(&sl, &one, 1) : -1;
	if (rc == 0)
		r = engine_results(one.e, sl.now_us);
	ok(rc == 0 && r != NULL && r->nhops >= 1 && r->hops[0].nlink_checks == 1,
	   "%s: the run ends with a link check at TTL 1", what);
	if (claims)
		ok(sl.nquestions == 1 && sl.claims_delivered == 1 && r != NULL && r->nhops >= 1 &&
		   r->hops[0].nlink_checks == 1 && r->hops[0].link_checks[0].claimed &&
		   r->hops[0].link_checks[0].asked == 1,
		   "%s: asked once, the claim reached the engine", what);
	else
		ok(sl.nquestions == 3 && r != NULL && r->nhops >= 1 && r->hops[0].nlink_checks == 1 &&
		   !r->hops[0].link_checks[0].claimed && r->hops[0].link_checks[0].asked == 3,
		   "%s: asked 3 times, 250 ms apart (%d questions)", what, sl.nquestions);
	ok(sl.nquestions >= 1 && addr_equal(&sl.questions[0].addr, &simnet_node(n, simnet_at(n, 1, 0))->addr),
	   "%s: the question is about the first hop", what);
	results_free(r);
	engine_free(one.e);
	simnet_free(n);
}

/* Two engines on one transport: each gets its own answers, as if it ran alone. */
static void two_engines(void)
{
	struct engine_config cfg[2];
	struct simnet *n;
	struct simloop sl;
	struct run_engine both[2] = {{0}};
	struct simrun_case alone[2];
	bool same[2] = {false, false};
	char err[128], why[160] = "";
	int rc;

	for (int i = 0; i < 2; i++) {
		simrun_config(&cfg[i], AF_INET);
		cfg[i].seed = seed + 10 + (uint32_t)i;
		cfg[i].sport_base = (uint16_t)(20000 + 1000 * i);	/* disjoint flows */
		cfg[i].rounds = 3;
		cfg[i].key[0] = (uint8_t)(i + 1);
	}
	n = network(&cfg[0], seed + 3);
	simloop_init(&sl, n, SIMRUN_START_US);
	for (int i = 0; i < 2; i++)
		both[i].e = engine_new(&cfg[i], err, sizeof(err));
	rc = both[0].e && both[1].e ? loop_once(&sl, both, 2) : -1;
	ok(rc == 0 && both[0].done && both[1].done, "two engines: both runs end");
	ok(sl.match[MATCH_OK] == sl.delivered && sl.delivered > 0,
	   "two engines: every one of %llu replies was taken by one engine",
	   (unsigned long long)sl.delivered);
	for (int i = 0; i < 2; i++) {
		struct simnet *m = network(&cfg[i], seed + 3);
		struct results *r = both[i].e ? engine_results(both[i].e, sl.now_us) : NULL;

		if (simrun_case_run(&alone[i], &cfg[i], m, NULL) && r != NULL)
			same[i] = simrun_results_equal(r, alone[i].res, true, why, sizeof(why));
		results_free(r);
		simrun_case_free(&alone[i]);
		simnet_free(m);
	}
	ok(same[0] && same[1], "two engines: each measured what it measures alone %s", why);
	engine_free(both[0].e);
	engine_free(both[1].e);
	simnet_free(n);
}

/*
 * Two targets in one loop whose probes look alike in everything but the
 * target: the same source ports, the same key and seed (so the same probe
 * ids and slots), each target behind its own network (a diamond of its
 * own).  The first engine is offered every reply first: the second
 * target's must be foreign to it, and each engine must measure exactly
 * what it measures alone.  A match on ports or ids without the target
 * would take (or refuse as forged) the other target's answers.
 */
static void two_targets_same_ports(void)
{
	struct engine_config cfg[2];
	struct simnet *n[2];
	struct simloop sl;
	struct run_engine both[2] = {{0}};
	struct results *r[2] = {NULL, NULL};
	struct simrun_case alone[2];
	bool same[2] = {false, false};
	char err[128], why[160] = "";
	int rc;

	for (int i = 0; i < 2; i++) {
		simrun_config(&cfg[i], (seed & 2) ? AF_INET6 : AF_INET);
		cfg[i].seed = seed + 20;
		cfg[i].sport_base = 33000;
		cfg[i].rounds = 3;
		cfg[i].key[0] = 7;
	}
	cfg[1].dst.b[cfg[1].dst.family == AF_INET ? 3 : 15] ^= 0x40;	/* another target */
	for (int i = 0; i < 2; i++)
		n[i] = network(&cfg[i], seed + 5 + (uint32_t)i);
	simloop_init(&sl, n[0], SIMRUN_START_US);
	sl.net2 = n[1];
	for (int i = 0; i < 2; i++)
		both[i].e = engine_new(&cfg[i], err, sizeof(err));
	rc = both[0].e && both[1].e ? loop_once(&sl, both, 2) : -1;
	for (int i = 0; i < 2 && rc == 0; i++)
		r[i] = engine_results(both[i].e, sl.now_us);
	ok(rc == 0 && r[0] && r[1] && sl.match[MATCH_OK] == sl.delivered && sl.delivered > 0,
	   "two targets, same ports, ids and key: every one of %llu replies taken by one engine",
	   (unsigned long long)sl.delivered);
	ok(r[0] && r[1] && r[1]->counters.replies > 0 &&
	   r[0]->counters.foreign == r[1]->counters.replies + r[1]->counters.duplicates &&
	   r[0]->counters.unauthenticated == 0,
	   "the first engine found the second target's %llu answers foreign, none forged",
	   r[1] ? (unsigned long long)r[1]->counters.replies : 0ULL);
	for (int i = 0; i < 2; i++) {
		struct simnet *m = network(&cfg[i], seed + 5 + (uint32_t)i);

		if (simrun_case_run(&alone[i], &cfg[i], m, NULL) && r[i] != NULL)
			same[i] = simrun_results_equal(r[i], alone[i].res, true, why, sizeof(why));
		simrun_case_free(&alone[i]);
		simnet_free(m);
	}
	ok(same[0] && same[1], "two targets: each measured what it measures alone %s", why);
	for (int i = 0; i < 2; i++) {
		results_free(r[i]);
		engine_free(both[i].e);
		simnet_free(n[i]);
	}
}

/* The face's input is read when it is there; a face that quits and a signal end the run early. */
static void early_ends(void)
{
	struct engine_config cfg;
	struct simnet *n;
	struct simloop sl;
	static struct test_face face;
	struct run_face rf = {.ctx = &face, .tick = face_tick, .tick_us = 100000,
			      .on_input = face_input};
	struct run_engine one = {.face = &rf};
	int pipefd[2], rc;
	char err[128];

	simrun_config(&cfg, AF_INET);
	cfg.seed = seed + 4;
	cfg.rounds = 0;		/* until stopped */
	n = network(&cfg, seed + 4);
	if (pipe(pipefd) != 0) {
		ok(0, "early ends: pipe");
		simnet_free(n);
		return;
	}
	/* A key that is not q, then q: the second read quits. */
	memset(&face, 0, sizeof(face));
	face.input_fd = pipefd[0];
	rf.input_fd = pipefd[0];
	(void)!write(pipefd[1], "xq", 2);
	simloop_init(&sl, n, SIMRUN_START_US);
	one.e = engine_new(&cfg, err, sizeof(err));
	rc = one.e ? loop_once(&sl, &one, 1) : -1;
	ok(rc == 0 && !one.done && face.inputs == 2,
	   "input: each key read once, q quits the endless run (%d reads)", face.inputs);
	engine_free(one.e);

	/* The face quits at 2 s. */
	memset(&face, 0, sizeof(face));
	face.quit_at = SIMRUN_START_US + 2000000;
	rf.input_fd = -1;
	simloop_init(&sl, n, SIMRUN_START_US);
	one.e = engine_new(&cfg, err, sizeof(err));
	rc = one.e ? loop_once(&sl, &one, 1) : -1;
	ok(rc == 0 && !one.done && sl.now_us == face.quit_at,
	   "a face that quits at 2 s ends the endless run then (%+lld us)",
	   (long long)(sl.now_us - face.quit_at));
	engine_free(one.e);

	/* A signal at 3 s: the loop returns 1 at its next turn. */
	memset(&face, 0, sizeof(face));
	face.stop = &sl.stop;
	face.stop_at = SIMRUN_START_US + 3000000;
	simloop_init(&sl, n, SIMRUN_START_US);
	one.e = engine_new(&cfg, err, sizeof(err));
	rc = one.e ? loop_once(&sl, &one, 1) : -1;
	ok(rc == 1 && !one.done && sl.now_us == face.stop_at,
	   "the stop flag ends the run at once with 1 (rc %d)", rc);
	engine_free(one.e);
	close(pipefd[0]);
	close(pipefd[1]);
	simnet_free(n);
}

int main(int argc, char **argv)
{
	seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : (uint32_t)time(NULL);
	printf("# seed %u (give it as the argument to replay)\n", seed);
	/* A loop that never ends (a stop flag it ignores) fails the test instead of hanging it. */
	alarm(120);
	batching();
	ticks();
	neighbours(true);
	neighbours(false);
	two_engines();
	two_targets_same_ports();
	early_ends();
	return tap_done();
}
