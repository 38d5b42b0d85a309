/*
 * The event loop: runs any number of engines over one transport
 * (transport.h) with an injected clock (clock.h).  It asks each engine
 * what to send and sends it in batches, hands each engine what the
 * transport received, asks the neighbours the engines want asked, and
 * gives each engine's face regular ticks (and the terminal's input, for
 * the live view).  The program, the simulator and the unit tests all run
 * this loop; only the transport and the clock differ.
 */
#ifndef ECMPTRACE_RUN_H
#define ECMPTRACE_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "transport.h"

struct engine;
struct run_clock;

enum run_verdict {
	RUN_CONTINUE = 0,
	RUN_QUIT,		/* the face wants to stop now */
};

struct run_face {
	void *ctx;
	/* Called about every tick_us and once at the end; may read results and draw. */
	enum run_verdict (*tick)(void *ctx, struct engine *e, uint64_t now_us);
	uint64_t tick_us;
	/* -1, or a descriptor (stdin) to watch; on_input runs when it is readable. */
	int input_fd;
	enum run_verdict (*on_input)(void *ctx, struct engine *e, uint64_t now_us);
};

/* One engine the loop runs, and the face that shows it (NULL: none). */
struct run_engine {
	struct engine *e;
	const struct run_face *face;
	/* kept by the loop */
	bool done;			/* the engine said DONE (its face had its last tick) */
	uint64_t wake;			/* when the engine wants to be asked again */
	uint64_t next_tick;		/* when its face ticks next (0: at the first look) */
};

/* What the loop runs over. */
struct run_env {
	const struct transport *transport;
	const struct run_clock *clock;
	/* Nonzero (a signal handler sets it): the loop returns 1 at its next turn. */
	volatile sig_atomic_t *stop;
	/* Says a warning (once per kind, as the transport gives them); NULL: dropped. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	/* Why run_loop returned -1. */
	char err[256];
};

/* Probes handed to the transport in one send at most (a burst above 1000 pps). */
#define RUN_SEND_BATCH TRANSPORT_MAX_BATCH

/*
 * Runs until every engine is done, a face quits, or *env->stop is set.
 * Returns 0 on a normal end, 1 when stopped, -1 on an error (env->err).
 */
int run_loop(struct run_env *env, struct run_engine *engines, int count);

#endif
