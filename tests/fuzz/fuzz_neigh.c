/*
 * libFuzzer target for the link-layer check's parsers (src/wire/neigh.c):
 * ARP messages (RFC 826) and Neighbor Advertisements (RFC 4861) come from
 * anyone on the segment, so neither parser may read outside the input
 * (the sanitizers watch that), and whatever they accept must be
 * self-consistent: an ARP claim is the IPv4 address at bytes 14..17 and
 * the 6-byte hardware address at bytes 8..13; an NA claim is the IPv6
 * target at bytes 8..23 of a type 136 code 0 message that arrived with hop
 * limit 255; a link-layer address never exceeds REPLY_LLADDR_MAX; the
 * same input gives the same answer twice.
 *
 * The whole input is read as an ARP message.  For the NA parser the first
 * byte picks the hop limit (0 means 255, so the seeds reach the options)
 * and the rest is the ICMPv6 message.  In `make check` this runs through
 * replay.c over tests/fuzz/corpus/neigh; under real libFuzzer:
 *
 *   FUZZ_SOURCES="src/addr.c src/wire/neigh.c" tests/fuzz/run-libfuzzer.sh neigh 60
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/neigh.h"
#include "fuzz.h"

/* Field-by-field, so struct padding does not matter. */
static int same(const struct neigh_claim *a, const struct neigh_claim *b)
{
	return addr_equal(&a->addr, &b->addr) && a->lladdr_len == b->lladdr_len &&
	       a->is_reply == b->is_reply && a->lladdr_len <= REPLY_LLADDR_MAX &&
	       memcmp(a->lladdr, b->lladdr, a->lladdr_len) == 0;
}

static void check_arp(const uint8_t *data, size_t size)
{
	struct neigh_claim c, again;
	bool r = neigh_arp_parse(data, size, &c);

	CHECK(neigh_arp_parse(data, size, &again) == r);
	if (!r)
		return;
	CHECK(same(&c, &again));
	CHECK(size >= NEIGH_ARP_LEN);
	CHECK(c.addr.family == AF_INET);
	CHECK(memcmp(c.addr.b, data + 14, 4) == 0);
	CHECK(c.addr.b[0] | c.addr.b[1] | c.addr.b[2] | c.addr.b[3]);
	CHECK(c.lladdr_len == 6 && memcmp(c.lladdr, data + 8, 6) == 0);
	CHECK(data[0] == 0 && data[1] == 1 && data[2] == 8 && data[3] == 0 && data[4] == 6 &&
	      data[5] == 4 && data[6] == 0 && (data[7] == 1 || data[7] == 2));
	CHECK(c.is_reply == (data[7] == 2));
}

static void check_na(const uint8_t *data, size_t size)
{
	struct neigh_claim c, again;
	const uint8_t *msg;
	size_t len;
	int hop;
	bool r;

	if (size == 0)
		return;
	hop = data[0] == 0 ? 255 : data[0];
	msg = data + 1;
	len = size - 1;
	r = neigh_na_parse(msg, len, hop, &c);
	CHECK(neigh_na_parse(msg, len, hop, &again) == r);
	if (!r)
		return;
	CHECK(same(&c, &again));
	CHECK(hop == 255 && len >= 24 && msg[0] == 136 && msg[1] == 0 && msg[8] != 0xff);
	CHECK(c.addr.family == AF_INET6 && memcmp(c.addr.b, msg + 8, 16) == 0);
	CHECK(c.lladdr_len <= REPLY_LLADDR_MAX);
	CHECK(c.is_reply == ((msg[4] & 0x40) != 0));
	/* Options fill the rest in whole units of 8 bytes. */
	CHECK((len - 24) % 8 == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_arp(data, size);
	check_na(data, size);
	return 0;
}
