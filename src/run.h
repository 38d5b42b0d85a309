/*
 * The event loop that joins the engine to the network and to a face:
 * sends what the engine asks for, feeds it what the capture sees, and
 * gives the face regular ticks (and the terminal's input, for the live
 * view).  The only place where time passes for real.
 */
#ifndef ECMPTRACE_RUN_H
#define ECMPTRACE_RUN_H

#include <stdint.h>

struct engine;
struct net;

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

/* Monotonic clock in microseconds. */
uint64_t run_now_us(void);
/*
 * Runs until the engine is done, the face quits, or SIGINT/SIGTERM/SIGHUP
 * (the signals make the loop return 1).  Returns 0 on normal end, 1 on a
 * signal, -1 on a network error (already reported on stderr).
 */
int run_loop(struct net *net, struct engine *e, const struct run_face *face);

#endif
