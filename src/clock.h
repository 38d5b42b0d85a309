/*
 * The event loop's clock, injected: what time it is, and how to wait
 * until a time or until a descriptor is readable.  The program's clock is
 * the monotonic one with ppoll() (clock_monotonic); the tests' is virtual
 * and jumps straight to the next event, so a minute of tracing runs in
 * milliseconds and every run is repeatable.  Times are microseconds;
 * wake-up times follow wake.h (0: none).
 */
#ifndef ECMPTRACE_CLOCK_H
#define ECMPTRACE_CLOCK_H

#include <poll.h>
#include <stdint.h>

struct run_clock {
	uint64_t (*now)(void *ctx);
	/*
	 * Waits until until_us (now_us or earlier: only looks) or until one
	 * of fds is readable, and fills their revents.  poll()'s result: the
	 * number ready, 0, or -1 with errno (EINTR: a signal came).
	 */
	int (*wait)(void *ctx, struct pollfd *fds, int nfds, uint64_t now_us, uint64_t until_us);
	void *ctx;
};

/* The monotonic clock, waiting with ppoll() (clock.c; the program's). */
const struct run_clock *clock_monotonic(void);
/* The monotonic clock's time now. */
uint64_t clock_monotonic_us(void);

#endif
