/*
 * The link-layer check's bench (see linkbench.h): the program's event loop
 * over a transport that answers each probe at once, asks questions of a
 * neighbour that claims (or not) after a delay, and a virtual clock that
 * jumps to the next wake-up or claim.  Virtual time, hand-made replies,
 * no sockets.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "engine/engine.h"
#include "linkbench.h"
#include "run.h"
#include "transport.h"
#include "wire/probe_check.h"

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};

void bench_init(struct bench *b, bool v6, int nflows, uint64_t rounds, bool link_check,
		const char *hop1)
{
	char err[128];

	memset(b, 0, sizeof(*b));
	engine_config_defaults(&b->cfg);
	addr_parse(v6 ? "2001:db8::1" : "192.0.2.1", &b->cfg.src);
	addr_parse(v6 ? "2001:db8:9::9" : "198.51.100.9", &b->cfg.dst);
	addr_parse(hop1 ? hop1 : v6 ? "2001:db8::fe" : "192.0.2.254", &b->hop1);
	b->cfg.nflows = nflows;
	b->cfg.max_ttl = 4;
	b->cfg.max_unknown = 2;
	b->cfg.rounds = rounds;
	b->cfg.rate_pps = 1000;
	b->cfg.interval_us = 10000;
	b->cfg.timeout_us = 50000;
	b->cfg.seed = 0x5eed0001;
	b->cfg.link_check = link_check;
	b->now = 1000000;
	b->macs[0] = MAC_A;
	b->nmacs = 1;
	b->e = engine_new(&b->cfg, err, sizeof(err));
	if (b->e == NULL)
		printf("# engine_new: %s\n", err);
}

struct reply answer_to(const struct bench *b, const struct probe_spec *p)
{
	struct reply r;

	probe_expected_reply(p, p->ttl == 1 ? REPLY_TIME_EXCEEDED : REPLY_DEST_UNREACH, 1, true, &r);
	if (p->ttl == 1) {
		int flow = p->sport - b->cfg.sport_base;
		const uint8_t *mac = b->macs[(flow < 0 ? 0 : flow) % b->nmacs];

		r.from = b->hop1;
		memcpy(r.lladdr, mac, 6);
		r.lladdr_len = 6;
	} else {
		r.from = b->cfg.dst;
	}
	return r;
}

/* A drive in progress. */
struct run {
	struct bench *b;
	struct drive *d;
	struct reply answers[2 * RUN_SEND_BATCH];	/* to the probes just sent */
	int nanswers;
	uint64_t pending_claim;		/* when the claim arrives (0: none) */
	bool sent;			/* a send since the last wait */
	volatile sig_atomic_t stop;
};

static int bench_send(void *ctx, const struct probe_spec *probes, int count,
		      const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct run *r = ctx;

	(void)sink;
	(void)now_us;
	(void)err;
	(void)errlen;
	r->sent = true;
	r->d->steps += count;
	for (int i = 0; i < count && r->nanswers < (int)(sizeof(r->answers) / sizeof(r->answers[0]));
	     i++)
		r->answers[r->nanswers++] = answer_to(r->b, &probes[i]);
	return 0;
}

static int bench_fds(void *ctx, struct pollfd *fds, int cap)
{
	(void)ctx;
	(void)fds;
	(void)cap;
	return 0;
}

static int bench_receive(void *ctx, const struct pollfd *fds, int nfds,
			 const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct run *r = ctx;

	(void)fds;
	(void)nfds;
	(void)err;
	(void)errlen;
	if (r->stop)
		return 0;	/* past `until`: nothing more happens */
	if (r->pending_claim != 0 && now_us >= r->pending_claim) {
		sink->claim(sink->ctx, &r->b->hop1, r->d->claim_mac, 6, now_us);
		r->d->claim_at = now_us;
		r->pending_claim = 0;
	}
	for (int i = 0; i < r->nanswers; i++)
		(void)sink->reply(sink->ctx, &r->answers[i], now_us);
	r->nanswers = 0;
	return 0;
}

static bool bench_ask(void *ctx, const struct ip_addr *addr, transport_table_fn table_fn,
		      void *fctx)
{
	struct run *r = ctx;
	struct drive *d = r->d;

	(void)table_fn;
	(void)fctx;
	if (!addr_equal(addr, &r->b->hop1))
		printf("# asked about an address that is not the neighbour\n");
	if (d->nasked >= 16)
		return true;
	d->asked_paused += engine_paused(r->b->e);
	if (d->nasked == 0 && d->claim_mac != NULL)
		r->pending_claim = r->b->now + d->claim_delay;
	d->asked_at[d->nasked++] = r->b->now;
	if (d->nasked == d->pause_at_question) {
		engine_pause(r->b->e, true, r->b->now);
		d->paused_at = r->b->now;
	}
	return !d->unaskable;
}

static uint64_t bench_now(void *ctx)
{
	const struct run *r = ctx;

	return r->b->now;
}

static int bench_wait(void *ctx, struct pollfd *fds, int nfds, uint64_t now, uint64_t wake)
{
	struct run *r = ctx;
	struct drive *d = r->d;

	(void)fds;
	(void)nfds;
	if (r->sent) {
		r->sent = false;	/* only a look at the answers */
		return 0;
	}
	d->steps++;
	if (wake <= now)
		d->stale_wakes++;
	if (d->latest_wake != 0 && wake > d->latest_wake)
		d->late_wakes++;
	if (r->pending_claim != 0 && (wake == 0 || r->pending_claim < wake))
		wake = r->pending_claim;
	r->b->now = wake > now ? wake : now + 1;
	if (r->b->now > d->until || d->steps >= 100000)
		r->stop = 1;
	return 0;
}

static const struct transport_ops bench_ops = {
	.send = bench_send, .fds = bench_fds, .receive = bench_receive, .ask = bench_ask,
};

/* The face of a paused run: resumes the engine pause_us after it was paused. */
static enum run_verdict resume_tick(void *ctx, struct engine *e, uint64_t now_us)
{
	const struct drive *d = ctx;

	if (engine_paused(e) && now_us >= d->paused_at + d->pause_us)
		engine_pause(e, false, now_us);
	return RUN_CONTINUE;
}

uint64_t drive(struct bench *b, struct drive *d)
{
	struct run r = {.b = b, .d = d};
	struct transport t = {.ops = &bench_ops, .ctx = &r};
	struct run_clock clock = {.now = bench_now, .wait = bench_wait, .ctx = &r};
	struct run_env env = {.transport = &t, .clock = &clock, .stop = &r.stop};
	struct run_face face = {.ctx = d, .tick = resume_tick, .tick_us = 50000, .input_fd = -1};
	struct run_engine one = {.e = b->e, .face = d->pause_at_question > 0 ? &face : NULL};

	return run_loop(&env, &one, 1) == 0 ? b->now : 0;
}
