/*
 * The event loop (see run.h).  Single-threaded; one turn is: ask the
 * neighbours that are due, take what each engine has to send and send it
 * in batches, wait (the clock's wait: poll() on the transport's
 * descriptors and the faces' input, until the earliest wake-up), then
 * hand over what arrived, the input, and the faces' ticks.  No I/O and no
 * clock of its own: the transport and the clock are injected, so tests
 * run this very loop in virtual time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "engine/engine.h"
#include "run.h"
#include "transport.h"
#include "wake.h"

/* Ticks of a face that does not say how often (5 a second). */
#define RUN_DEFAULT_TICK_US 200000

/* One run of the loop: what it runs over, and the descriptors of the current turn. */
struct loop {
	struct run_env *env;
	struct run_engine *engines;
	int count;
	uint64_t now;
	struct pollfd *fds;	/* the transport's, then one per face that takes input */
	int *input_of;		/* for each descriptor after the transport's: its engine */
	int nfds, ntransport;
};

/* A reply goes to the first engine it is not foreign to (one engine per set of flows). */
static int on_reply(void *ctx, const struct reply *r, uint64_t at_us)
{
	struct loop *l = ctx;
	int m = MATCH_FOREIGN;

	for (int i = 0; i < l->count && m == MATCH_FOREIGN; i++)
		if (!l->engines[i].done)
			m = (int)engine_reply(l->engines[i].e, r, at_us);
	return m;
}

/* A claim heard on the segment concerns every engine that asked that segment. */
static void on_claim(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr, size_t len,
		     uint64_t now_us)
{
	struct loop *l = ctx;

	for (int i = 0; i < l->count; i++)
		if (!l->engines[i].done)
			engine_neighbour_claim(l->engines[i].e, addr, lladdr, len, now_us);
}

static void on_warn(void *ctx, const char *msg)
{
	struct loop *l = ctx;

	if (l->env->warn)
		l->env->warn(l->env->warn_ctx, msg);
}

static void on_table_entry(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr,
			   size_t len)
{
	engine_neighbour_table(ctx, addr, lladdr, len);
}

static struct transport_sink sink_of(struct loop *l)
{
	return (struct transport_sink){.reply = on_reply, .claim = on_claim, .warn = on_warn,
				       .ctx = l};
}

/* Asks every neighbour the engines want asked now; *link_wake: when the next one is due. */
static void ask_neighbours(struct loop *l, uint64_t *link_wake)
{
	const struct transport *t = l->env->transport;
	struct ip_addr addr;

	*link_wake = 0;
	if (t->ops->ask == NULL)
		return;
	for (int i = 0; i < l->count; i++) {
		struct engine *e = l->engines[i].e;

		if (l->engines[i].done)
			continue;
		while (engine_next_neighbour_query(e, l->now, &addr, link_wake))
			if (!t->ops->ask(t->ctx, &addr, on_table_entry, e))
				engine_neighbour_unaskable(e, &addr);
	}
}

/* Hands the batch to the transport; -1 when a probe could not be built. */
static int flush(struct loop *l, const struct probe_spec *batch, int *n)
{
	const struct transport *t = l->env->transport;
	struct transport_sink sink = sink_of(l);
	int rc = t->ops->send(t->ctx, batch, *n, &sink, l->now, l->env->err, sizeof(l->env->err));

	*n = 0;
	return rc < 0 ? -1 : 0;
}

/* The engine is done: its face draws the end once. */
static void finish(struct loop *l, struct run_engine *re)
{
	re->done = true;
	if (re->face && re->face->tick)
		(void)re->face->tick(re->face->ctx, re->e, l->now);
}

/*
 * Takes everything each engine has due now (at most a batch per engine a
 * turn, so one engine cannot starve the others or the capture) and sends
 * it in batches; marks the engines that are done.  -1 on a send error.
 */
static int send_due(struct loop *l)
{
	struct probe_spec batch[RUN_SEND_BATCH];
	int n = 0;

	for (int i = 0; i < l->count; i++) {
		struct run_engine *re = &l->engines[i];
		struct probe_spec p;
		enum engine_step step;
		int taken = 0;

		if (re->done)
			continue;
		step = engine_next(re->e, l->now, &p, &re->wake);
		if (step == ENGINE_DONE)
			finish(l, re);
		while (step == ENGINE_SEND) {
			batch[n++] = p;
			if (n == RUN_SEND_BATCH && flush(l, batch, &n) < 0)
				return -1;
			if (++taken == RUN_SEND_BATCH)
				break;
			step = engine_next(re->e, l->now, &p, &re->wake);
		}
		if (taken > 0)
			re->wake = l->now;	/* look at what arrived, then ask again */
	}
	return n > 0 ? flush(l, batch, &n) : 0;
}

static bool all_done(const struct loop *l)
{
	for (int i = 0; i < l->count; i++)
		if (!l->engines[i].done)
			return false;
	return true;
}

/* The earliest of the engines' wake-ups, the neighbours' and the faces' next ticks. */
static uint64_t next_wake(const struct loop *l, uint64_t link_wake)
{
	uint64_t wake = link_wake;

	for (int i = 0; i < l->count; i++)
		if (!l->engines[i].done)
			wake = wake_earliest(wake, l->engines[i].wake);
	for (int i = 0; i < l->count; i++) {
		const struct run_engine *re = &l->engines[i];

		/* 0 is "no wake-up": a tick must not turn it into one (nor the first tick). */
		if (!re->done && re->face && re->face->tick && re->next_tick != 0 && wake != 0 &&
		    re->next_tick < wake)
			wake = re->next_tick;
	}
	return wake;
}

/*
 * Faces of several engines may read one descriptor (one live view over
 * several targets, all reading the terminal): it is watched once, for
 * the first running engine's face, which reads it for all.
 */
static bool input_watched(const struct loop *l, int fd)
{
	for (int k = l->ntransport; k < l->nfds; k++)
		if (l->fds[k].fd == fd)
			return true;
	return false;
}

/* The descriptors of this turn: the transport's, then each running face's input. */
static void gather_fds(struct loop *l)
{
	const struct transport *t = l->env->transport;

	l->ntransport = t->ops->fds(t->ctx, l->fds, TRANSPORT_MAX_FDS);
	l->nfds = l->ntransport;
	for (int i = 0; i < l->count; i++) {
		const struct run_face *f = l->engines[i].face;

		if (l->engines[i].done || f == NULL || f->input_fd < 0 || f->on_input == NULL ||
		    input_watched(l, f->input_fd))
			continue;
		l->input_of[l->nfds - l->ntransport] = i;
		l->fds[l->nfds++] = (struct pollfd){.fd = f->input_fd, .events = POLLIN};
	}
	for (int k = 0; k < l->nfds; k++)
		l->fds[k].revents = 0;
}

/* Gives each running face its input and its tick.  1: a face wants to quit. */
static int serve_faces(struct loop *l)
{
	const struct run_clock *c = l->env->clock;

	for (int k = l->ntransport; k < l->nfds; k++) {
		struct run_engine *re = &l->engines[l->input_of[k - l->ntransport]];

		if ((l->fds[k].revents & (POLLIN | POLLHUP)) &&
		    re->face->on_input(re->face->ctx, re->e, c->now(c->ctx)) == RUN_QUIT)
			return 1;
	}
	l->now = c->now(c->ctx);
	for (int i = 0; i < l->count; i++) {
		struct run_engine *re = &l->engines[i];
		const struct run_face *f = re->face;

		if (re->done || f == NULL || f->tick == NULL || l->now < re->next_tick)
			continue;
		if (f->tick(f->ctx, re->e, l->now) == RUN_QUIT)
			return 1;
		re->next_tick = l->now + (f->tick_us ? f->tick_us : RUN_DEFAULT_TICK_US);
	}
	return 0;
}

/* Waits for the next thing to do and does what arrived.  0 go on, 1 a face quit, -1 error. */
static int wait_and_serve(struct loop *l, uint64_t link_wake)
{
	const struct transport *t = l->env->transport;
	const struct run_clock *c = l->env->clock;
	struct transport_sink sink = sink_of(l);
	int rc;

	gather_fds(l);
	rc = c->wait(c->ctx, l->fds, l->nfds, l->now, next_wake(l, link_wake));
	if (rc < 0 && errno != EINTR) {
		snprintf(l->env->err, sizeof(l->env->err), "poll: %s", strerror(errno));
		return -1;
	}
	if (rc < 0)
		for (int k = 0; k < l->nfds; k++)
			l->fds[k].revents = 0;
	l->now = c->now(c->ctx);
	if (t->ops->receive(t->ctx, l->fds, l->ntransport, &sink, l->now, l->env->err,
			    sizeof(l->env->err)) < 0)
		return -1;
	return serve_faces(l);
}

/* The turns, until the engines are done, a face quits, a stop or an error. */
static int turns(struct loop *l)
{
	const struct run_clock *c = l->env->clock;

	for (;;) {
		uint64_t link_wake;
		int rc;

		if (l->env->stop && *l->env->stop)
			return 1;
		l->now = c->now(c->ctx);
		ask_neighbours(l, &link_wake);
		if (send_due(l) < 0)
			return -1;
		if (all_done(l))
			return 0;
		rc = wait_and_serve(l, link_wake);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
}

int run_loop(struct run_env *env, struct run_engine *engines, int count)
{
	struct loop l = {.env = env, .engines = engines, .count = count};
	int rc;

	env->err[0] = '\0';
	for (int i = 0; i < count; i++) {
		engines[i].done = false;
		engines[i].wake = 0;
		engines[i].next_tick = 0;
	}
	l.fds = calloc((size_t)(TRANSPORT_MAX_FDS + count), sizeof(*l.fds));
	l.input_of = calloc((size_t)count + 1, sizeof(*l.input_of));
	if (l.fds == NULL || l.input_of == NULL) {
		snprintf(env->err, sizeof(env->err), "out of memory");
		rc = -1;
	} else {
		rc = turns(&l);
	}
	free(l.fds);
	free(l.input_of);
	return rc;
}
