/*
 * Network byte order (big-endian) stores and loads for packet code whose
 * bounds the caller has already checked.  Reads of untrusted input go
 * through dissect.c's bounds-checked accessors instead.
 */
#ifndef ECMPTRACE_WIRE_BYTES_H
#define ECMPTRACE_WIRE_BYTES_H

#include <stdint.h>

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif
