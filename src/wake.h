/*
 * Wake-up times: microseconds on the monotonic clock, where 0 means "no
 * wake-up wanted".  Shared by the engine and the event loop.
 */
#ifndef ECMPTRACE_WAKE_H
#define ECMPTRACE_WAKE_H

#include <stdint.h>

/* The earlier of two wake-up times; 0 (none) loses to any other. */
static inline uint64_t wake_earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

#endif
