/*
 * Probe authentication (see auth.h).  The id permutation is a balanced
 * Feistel network on two 8-bit halves whose round functions are SipHash
 * of (domain, round, half) under the run's key, tabulated once: mapping an
 * id costs four table lookups, whatever the packet rate.  The MAC is
 * SipHash of the probe's fields in a fixed layout, with another domain
 * byte so the two uses never share an input.
 */
#include "config.h"

#include <string.h>

#include "engine/auth.h"
#include "wire/bytes.h"

enum { DOMAIN_PERMUTATION = 'P', DOMAIN_MAC = 'M' };

void auth_init(struct auth *a, const uint8_t key[SIPHASH_KEY_LEN])
{
	memcpy(a->key, key, SIPHASH_KEY_LEN);
	for (int r = 0; r < AUTH_ROUNDS; r++)
		for (int x = 0; x < 256; x++) {
			uint8_t msg[3] = {DOMAIN_PERMUTATION, (uint8_t)r, (uint8_t)x};

			a->round[r][x] = (uint8_t)siphash24(a->key, msg, sizeof(msg));
		}
}

uint16_t auth_wire_id(const struct auth *a, uint16_t slot)
{
	uint8_t left = (uint8_t)(slot >> 8), right = (uint8_t)slot;

	for (int r = 0; r < AUTH_ROUNDS; r++) {
		uint8_t next = left ^ a->round[r][right];

		left = right;
		right = next;
	}
	return (uint16_t)(left << 8 | right);
}

uint16_t auth_slot(const struct auth *a, uint16_t wire_id)
{
	uint8_t left = (uint8_t)(wire_id >> 8), right = (uint8_t)wire_id;

	/* The rounds undone in reverse order. */
	for (int r = AUTH_ROUNDS - 1; r >= 0; r--) {
		uint8_t prev = right ^ a->round[r][left];

		right = left;
		left = prev;
	}
	return (uint16_t)(left << 8 | right);
}

/* Appends an address as 16 bytes (IPv4 padded with zeros). */
static uint8_t *put_addr(uint8_t *p, const struct ip_addr *addr)
{
	memset(p, 0, 16);
	memcpy(p, addr->b, addr->family == AF_INET ? 4 : 16);
	return p + 16;
}

uint64_t auth_tag(const struct auth *a, const struct probe_spec *p, uint64_t sent_us)
{
	uint8_t msg[48], *w = msg;

	*w++ = DOMAIN_MAC;
	*w++ = (uint8_t)p->proto;
	*w++ = p->dst.family == AF_INET6 ? 6 : 4;
	*w++ = p->ttl;
	*w++ = p->tos;
	w = put_addr(w, &p->dst);
	put16(w, p->sport);
	put16(w + 2, p->dport);
	put32(w + 4, p->flow_label);
	put16(w + 8, p->probe_id);
	put16(w + 10, p->icmp_checksum);
	put16(w + 12, p->payload_len);
	put32(w + 14, (uint32_t)(sent_us >> 32));
	put32(w + 18, (uint32_t)sent_us);
	w += 22;
	return siphash24(a->key, msg, (size_t)(w - msg));
}
