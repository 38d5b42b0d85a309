/*
 * Probe authentication keys (issue 11): every probe carries a MAC that an
 * answer must quote back, and its id on the wire is a keyed permutation of
 * the engine's slot number, so an outsider can neither guess which ids
 * are pending nor forge the MAC of one.  The 128-bit key is drawn once per
 * run by the caller (getrandom() in main.c; fixed keys in tests): the
 * engine stays pure.  The PRF is SipHash-2-4 (wire/siphash.h).
 */
#ifndef ECMPTRACE_ENGINE_AUTH_H
#define ECMPTRACE_ENGINE_AUTH_H

#include <stdint.h>

#include "wire/probe.h"
#include "wire/siphash.h"

/* Rounds of the Feistel network over the 16-bit id; 4 make a pseudo-random permutation (Luby-Rackoff). */
#define AUTH_ROUNDS 4

struct auth {
	uint8_t key[SIPHASH_KEY_LEN];
	uint8_t round[AUTH_ROUNDS][256];	/* each round's function, tabulated from the key */
};

void auth_init(struct auth *a, const uint8_t key[SIPHASH_KEY_LEN]);
/* The id a probe in slot goes out with, and back: a permutation of 0..65535. */
uint16_t auth_wire_id(const struct auth *a, uint16_t slot);
uint16_t auth_slot(const struct auth *a, uint16_t wire_id);
/*
 * The MAC of probe p (every field of its spec but the tag and the source,
 * which the kernel may choose per flow), sent at sent_us: two probes that
 * reuse a slot differ by their send times.
 */
uint64_t auth_tag(const struct auth *a, const struct probe_spec *p, uint64_t sent_us);

#endif
