/*
 * The program's clock (see clock.h): CLOCK_MONOTONIC, so RTTs and pacing
 * never jump with the wall clock, and ppoll() to wait, whose timeout is in
 * nanoseconds (pacing above 1000 probes a second needs better than poll's
 * milliseconds).
 */
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "clock.h"

/* Longest single wait: the loop looks around at least once a second. */
#define CLOCK_MAX_WAIT_US 1000000

uint64_t clock_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t monotonic_now(void *ctx)
{
	(void)ctx;
	return clock_monotonic_us();
}

static int monotonic_wait(void *ctx, struct pollfd *fds, int nfds, uint64_t now_us,
			  uint64_t until_us)
{
	uint64_t us = until_us > now_us ? until_us - now_us : 0;
	struct timespec ts;

	(void)ctx;
	if (us > CLOCK_MAX_WAIT_US)
		us = CLOCK_MAX_WAIT_US;
	ts = (struct timespec){.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};
	return ppoll(fds, (nfds_t)nfds, &ts, NULL);
}

static const struct run_clock monotonic = {.now = monotonic_now, .wait = monotonic_wait};

const struct run_clock *clock_monotonic(void)
{
	return &monotonic;
}
