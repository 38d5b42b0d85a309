/*
 * The Internet checksum (RFC 1071), incremental helpers, and the
 * pseudo-header sums for UDP/TCP/ICMPv6 over IPv4 and IPv6.
 */
#ifndef ECMPTRACE_WIRE_CHECKSUM_H
#define ECMPTRACE_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Adds data to a running 32-bit one's-complement accumulator. */
uint32_t cksum_add(uint32_t sum, const void *data, size_t len);
/* Folds an accumulator to 16 bits and complements it. */
uint16_t cksum_finish(uint32_t sum);
/* Sum of the pseudo-header (RFC 768 / RFC 8200 section 8.1). */
uint32_t cksum_pseudo(const struct ip_addr *src, const struct ip_addr *dst,
		      uint8_t proto, uint32_t len);

#endif
