/*
 * Network byte order (big-endian) stores and loads at a pointer whose
 * bounds the caller has already checked: building probes (probe.c), ARP
 * requests (neigh.c) and rtnetlink route queries (rtnl.c), the MAC input
 * (auth.c), and reading fixed headers after a length check (link.c,
 * neigh.c).  dissect.c reads replies through its own bounded view
 * (struct span) instead, so a truncated packet cannot be read past.
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
