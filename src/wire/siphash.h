/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * INDOCRYPT 2012): a keyed 64-bit pseudo-random function of a message,
 * under a 128-bit key.  Probes carry it as a MAC that answers must quote
 * back (engine/auth.h), so nobody without the run's key can forge one.
 */
#ifndef ECMPTRACE_WIRE_SIPHASH_H
#define ECMPTRACE_WIRE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* SipHash-2-4 of msg[0..len-1] under key (16 bytes, read little-endian as the paper says). */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const uint8_t *msg, size_t len);

#endif
