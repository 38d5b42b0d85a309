/*
 * Tests of src/wire/neigh.c (ARP, RFC 826; Neighbor Discovery, RFC 4861):
 * requests and solicitations against hand-written bytes, round trips from
 * a built question to a parsed claim, hand-built advertisements with and
 * without link-layer options, every refusal the contract lists, every
 * truncation, and every value of a hostile option length.  Parsers always
 * get a heap block of exactly the message's size, so under
 * --enable-sanitizers any over-read fails the test.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "../tap.h"
#include "wire/neigh.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

static struct ip_addr addr(const char *text)
{
	struct ip_addr a;

	if (!addr_parse(text, &a))
		abort();
	return a;
}

/*
 * The first len bytes of msg in a heap block of exactly that size, so
 * that ASan catches any read past what the parser was given.
 */
static uint8_t *exact_copy(const uint8_t *msg, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	if (len)
		memcpy(copy, msg, len);
	return copy;
}

static bool arp_parse_exact(const uint8_t *msg, size_t len, struct neigh_claim *c)
{
	uint8_t *copy = exact_copy(msg, len);
	bool r = neigh_arp_parse(copy, len, c);

	free(copy);
	return r;
}

static bool na_parse_exact(const uint8_t *msg, size_t len, int hop, struct neigh_claim *c)
{
	uint8_t *copy = exact_copy(msg, len);
	bool r = neigh_na_parse(copy, len, hop, c);

	free(copy);
	return r;
}

/* ---- ARP ---- */

/* "Who has 192.0.2.254? Tell 192.0.2.1 (02:00:5e:10:00:01)", written out by hand from RFC 826. */
static const uint8_t arp_req_bytes[NEIGH_ARP_LEN] = {
	0x00, 0x01,			/* hardware type: Ethernet */
	0x08, 0x00,			/* protocol type: IPv4 */
	6, 4,				/* address lengths */
	0x00, 0x01,			/* op: request */
	0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,	/* sender hardware address */
	192, 0, 2, 1,			/* sender protocol address */
	0, 0, 0, 0, 0, 0,		/* target hardware address: unknown */
	192, 0, 2, 254,			/* target protocol address */
};

static void test_arp_request(void)
{
	struct ip_addr me = addr("192.0.2.1"), target = addr("192.0.2.254"), v6 = addr("2001:db8::1");
	uint8_t buf[64];
	struct neigh_claim c;
	size_t n;

	memset(buf, 0xaa, sizeof(buf));
	n = neigh_arp_request(mac, &me, &target, buf, sizeof(buf));
	ok(n == NEIGH_ARP_LEN && memcmp(buf, arp_req_bytes, NEIGH_ARP_LEN) == 0,
	   "ARP request: exactly the hand-written 28 bytes");
	ok(buf[NEIGH_ARP_LEN] == 0xaa, "ARP request: nothing written past 28 bytes");
	ok(neigh_arp_request(mac, &me, &target, buf, NEIGH_ARP_LEN) == NEIGH_ARP_LEN,
	   "ARP request: a 28-byte buffer is enough");
	ok(neigh_arp_request(mac, &me, &target, buf, NEIGH_ARP_LEN - 1) == 0,
	   "ARP request: a 27-byte buffer is refused");
	ok(neigh_arp_request(mac, &v6, &target, buf, sizeof(buf)) == 0,
	   "ARP request: IPv6 sender refused");
	ok(neigh_arp_request(mac, &me, &v6, buf, sizeof(buf)) == 0,
	   "ARP request: IPv6 target refused");

	/* Round trip: the request claims its sender's address. */
	n = neigh_arp_request(mac, &me, &target, buf, sizeof(buf));
	ok(arp_parse_exact(buf, n, &c) && addr_equal(&c.addr, &me) && c.lladdr_len == 6 &&
	   memcmp(c.lladdr, mac, 6) == 0 && !c.is_reply,
	   "ARP round trip: request claims 192.0.2.1 at 02:00:5e:10:00:01, not a reply");
}

static void test_arp_parse(void)
{
	uint8_t reply[60];
	struct neigh_claim c;
	struct ip_addr who = addr("192.0.2.254");
	static const uint8_t their_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	/* A reply: op 2, sender = the target of our request, at their MAC. */
	memcpy(reply, arp_req_bytes, NEIGH_ARP_LEN);
	reply[7] = 2;
	memcpy(reply + 8, their_mac, 6);
	memcpy(reply + 14, who.b, 4);
	memcpy(reply + 18, mac, 6);
	reply[24] = 192, reply[25] = 0, reply[26] = 2, reply[27] = 1;
	ok(arp_parse_exact(reply, NEIGH_ARP_LEN, &c) && addr_equal(&c.addr, &who) &&
	   c.addr.family == AF_INET && c.lladdr_len == 6 && memcmp(c.lladdr, their_mac, 6) == 0 &&
	   c.is_reply, "ARP reply: claims 192.0.2.254 at 52:54:00:ab:cd:ef, is a reply");

	/* The same in a minimum Ethernet frame: 18 bytes of padding after the message. */
	memset(reply + NEIGH_ARP_LEN, 0x5a, sizeof(reply) - NEIGH_ARP_LEN);
	ok(arp_parse_exact(reply, sizeof(reply), &c) && addr_equal(&c.addr, &who) && c.is_reply,
	   "ARP reply with 32 bytes of trailing padding accepted");

	/* Every way a message can be not ours. */
	static const struct {
		size_t off;
		uint8_t val;
		const char *what;
	} bad[] = {
		{ 1, 6, "hardware type 6 (IEEE 802)" },
		{ 0, 1, "hardware type 257" },
		{ 2, 0x86, "protocol type 0x8600" },
		{ 3, 0xdd, "protocol type 0x08dd" },
		{ 4, 8, "hardware length 8" },
		{ 4, 0, "hardware length 0" },
		{ 5, 16, "protocol length 16" },
		{ 7, 0, "op 0" },
		{ 7, 3, "op 3 (RARP request)" },
		{ 7, 4, "op 4 (RARP reply)" },
		{ 6, 1, "op 0x0102" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t m[NEIGH_ARP_LEN];

		memcpy(m, reply, sizeof(m));
		m[bad[i].off] = bad[i].val;
		ok(!arp_parse_exact(m, sizeof(m), &c) && c.lladdr_len == 0 && c.addr.family == 0,
		   "ARP refused: %s", bad[i].what);
	}

	/* RFC 5227 probe: sender IP 0.0.0.0 claims nothing. */
	uint8_t probe[NEIGH_ARP_LEN];
	memcpy(probe, arp_req_bytes, sizeof(probe));
	memset(probe + 14, 0, 4);
	ok(!arp_parse_exact(probe, sizeof(probe), &c), "ARP refused: sender IP 0.0.0.0 (probe)");
	/* Only the exact zero: 0.0.0.1 is a (strange) claim. */
	probe[17] = 1;
	ok(arp_parse_exact(probe, sizeof(probe), &c) && c.addr.b[3] == 1,
	   "ARP sender 0.0.0.1 is not a probe");

	/* Gratuitous ARP (sender = target) is a claim like any other. */
	uint8_t grat[NEIGH_ARP_LEN];
	memcpy(grat, arp_req_bytes, sizeof(grat));
	memcpy(grat + 24, grat + 14, 4);
	ok(arp_parse_exact(grat, sizeof(grat), &c) && !c.is_reply && c.addr.b[3] == 1,
	   "gratuitous ARP request claims its sender");

	/* Every truncation. */
	bool any = false;
	for (size_t len = 0; len < NEIGH_ARP_LEN; len++)
		any |= arp_parse_exact(reply, len, &c);
	ok(!any, "ARP reply cut at every length 0..27 refused");
	ok(!neigh_arp_parse(NULL, 0, &c), "ARP: NULL message refused");
}

/* ---- Neighbor Discovery ---- */

static void test_solicited_node(void)
{
	struct ip_addr t = addr("2001:db8::1:800:200e:8c6c"), want = addr("ff02::1:ff0e:8c6c"), out;
	struct ip_addr v4 = addr("192.0.2.1");

	neigh_solicited_node(&t, &out);
	ok(addr_equal(&out, &want), "solicited-node of 2001:db8::1:800:200e:8c6c is ff02::1:ff0e:8c6c");
	t = addr("fe80::ffff:ffff:ffff:ffff");
	want = addr("ff02::1:ffff:ffff");
	neigh_solicited_node(&t, &out);
	ok(addr_equal(&out, &want), "solicited-node of fe80::ffff:ffff:ffff:ffff is ff02::1:ffff:ffff");
	neigh_solicited_node(&v4, &out);
	ok(out.family == 0, "solicited-node of an IPv4 address is unset");
}

/* NS for 2001:db8::1:800:200e:8c6c with a Source Link-Layer Address option, by hand. */
static const uint8_t ns_bytes[32] = {
	135, 0, 0x00, 0x00,		/* type, code, checksum (kernel's) */
	0, 0, 0, 0,			/* reserved */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x01, 0x08, 0x00, 0x20, 0x0e, 0x8c, 0x6c,
	1, 1,				/* option: SLLAO, 1 unit of 8 bytes */
	0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,
};

static void test_ns_build(void)
{
	struct ip_addr t = addr("2001:db8::1:800:200e:8c6c"), v4 = addr("192.0.2.1");
	static const uint8_t ll8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t buf[64];
	struct neigh_claim c;
	size_t n;

	memset(buf, 0xaa, sizeof(buf));
	n = neigh_ns_build(&t, mac, 6, buf, sizeof(buf));
	ok(n == 32 && memcmp(buf, ns_bytes, 32) == 0, "NS with a 6-byte MAC: exactly the 32 hand-written bytes");
	ok(buf[32] == 0xaa, "NS: nothing written past 32 bytes");
	ok(neigh_ns_build(&t, mac, 6, buf, 32) == 32, "NS: a 32-byte buffer is enough");
	ok(neigh_ns_build(&t, mac, 6, buf, 31) == 0, "NS: a 31-byte buffer is refused");

	memset(buf, 0xaa, sizeof(buf));
	n = neigh_ns_build(&t, NULL, 0, buf, sizeof(buf));
	ok(n == 24 && memcmp(buf, ns_bytes, 24) == 0 && buf[24] == 0xaa,
	   "NS without a MAC: 24 bytes, no option");
	ok(neigh_ns_build(&t, NULL, 0, buf, 24) == 24 && neigh_ns_build(&t, NULL, 0, buf, 23) == 0,
	   "NS without a MAC: 24-byte buffer enough, 23 refused");

	/* An 8-byte address needs 10 bytes of option: padded to 16. */
	memset(buf, 0xaa, sizeof(buf));
	n = neigh_ns_build(&t, ll8, 8, buf, sizeof(buf));
	ok(n == 40 && buf[24] == 1 && buf[25] == 2 && memcmp(buf + 26, ll8, 8) == 0 &&
	   buf[34] == 0 && buf[39] == 0 && buf[40] == 0xaa,
	   "NS with an 8-byte address: 40 bytes, option length 2, zero padding");
	n = neigh_ns_build(&t, ll8, 1, buf, sizeof(buf));
	ok(n == 32 && buf[25] == 1 && buf[26] == 1 && buf[27] == 0 && buf[31] == 0,
	   "NS with a 1-byte address: option padded to 8 bytes");
	ok(neigh_ns_build(&t, ll8, 9, buf, sizeof(buf)) == 0, "NS: address of 9 bytes refused");
	ok(neigh_ns_build(&v4, mac, 6, buf, sizeof(buf)) == 0, "NS: IPv4 target refused");
	ok(neigh_ns_build(&t, NULL, 6, buf, sizeof(buf)) == 0, "NS: NULL MAC with length 6 refused");

	/*
	 * Round trip: the solicitation turned into the answer it asks for
	 * (type 136, Solicited flag, SLLAO -> TLLAO) claims its target at its MAC.
	 */
	n = neigh_ns_build(&t, mac, 6, buf, sizeof(buf));
	buf[0] = 136;
	buf[4] = 0x40;
	buf[24] = 2;
	ok(na_parse_exact(buf, n, 255, &c) && addr_equal(&c.addr, &t) && c.lladdr_len == 6 &&
	   memcmp(c.lladdr, mac, 6) == 0 && c.is_reply,
	   "NS round trip: answered as NA, claims its target at its MAC, solicited");
}

/* A solicited, override advertisement for 2001:db8::99 at 52:54:00:ab:cd:ef. */
static const uint8_t na_bytes[32] = {
	136, 0, 0x12, 0x34,		/* type, code, checksum (not ours to check) */
	0x60, 0, 0, 0,			/* S and O */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99,
	2, 1, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,	/* TLLAO */
};
static const uint8_t their_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static bool claims_99(const struct neigh_claim *c)
{
	struct ip_addr t = addr("2001:db8::99");

	return addr_equal(&c->addr, &t) && c->addr.family == AF_INET6;
}

static void test_na_parse(void)
{
	uint8_t m[128];
	struct neigh_claim c;

	ok(na_parse_exact(na_bytes, sizeof(na_bytes), 255, &c) && claims_99(&c) && c.lladdr_len == 6 &&
	   memcmp(c.lladdr, their_mac, 6) == 0 && c.is_reply,
	   "NA with TLLAO: claims 2001:db8::99 at 52:54:00:ab:cd:ef, solicited");

	ok(na_parse_exact(na_bytes, 24, 255, &c) && claims_99(&c) && c.lladdr_len == 0 && c.is_reply,
	   "NA without options: claim without link-layer address");

	/* Unsolicited (O only): not a reply; router flag alone neither. */
	memcpy(m, na_bytes, 32);
	m[4] = 0x20;
	ok(na_parse_exact(m, 32, 255, &c) && !c.is_reply && c.lladdr_len == 6, "NA with O only: not a reply");
	m[4] = 0x80;
	ok(na_parse_exact(m, 32, 255, &c) && !c.is_reply, "NA with R only: not a reply");
	m[4] = 0xff;
	m[5] = m[6] = m[7] = 0xff;
	ok(na_parse_exact(m, 32, 255, &c) && c.is_reply, "NA with every flag and reserved bit set: solicited");

	/* An unknown option (nonce, RFC 3971, 2 units) before the TLLAO is skipped. */
	memcpy(m, na_bytes, 24);
	m[24] = 14, m[25] = 2;
	memset(m + 26, 0x77, 14);
	memcpy(m + 40, na_bytes + 24, 8);
	ok(na_parse_exact(m, 48, 255, &c) && claims_99(&c) && c.lladdr_len == 6 &&
	   memcmp(c.lladdr, their_mac, 6) == 0, "NA: unknown option before TLLAO skipped");

	/* A Source Link-Layer Address option is not the target's. */
	memcpy(m, na_bytes, 32);
	m[24] = 1;
	ok(na_parse_exact(m, 32, 255, &c) && claims_99(&c) && c.lladdr_len == 0,
	   "NA with SLLAO only: no target link-layer address");

	/* Two TLLAOs: the first one counts. */
	memcpy(m, na_bytes, 32);
	memcpy(m + 32, na_bytes + 24, 8);
	m[39] = 0x00;
	ok(na_parse_exact(m, 40, 255, &c) && c.lladdr_len == 6 && memcmp(c.lladdr, their_mac, 6) == 0,
	   "NA with two TLLAOs: the first is kept");

	/* A 16-byte TLLAO (payload 14) keeps only what a claim holds. */
	memcpy(m, na_bytes, 24);
	m[24] = 2, m[25] = 2;
	for (int i = 0; i < 14; i++)
		m[26 + i] = (uint8_t)(0x10 + i);
	ok(na_parse_exact(m, 40, 255, &c) && c.lladdr_len == REPLY_LLADDR_MAX && c.lladdr[0] == 0x10 &&
	   c.lladdr[REPLY_LLADDR_MAX - 1] == 0x10 + REPLY_LLADDR_MAX - 1,
	   "NA with a 2-unit TLLAO: the first %d bytes kept", REPLY_LLADDR_MAX);
}

static void test_na_refusals(void)
{
	uint8_t m[64];
	struct neigh_claim c;
	static const int hops[] = { 254, 1, 0, 64, 128, 256, -1, 511 };

	for (size_t i = 0; i < sizeof(hops) / sizeof(hops[0]); i++)
		ok(!na_parse_exact(na_bytes, sizeof(na_bytes), hops[i], &c) && c.addr.family == 0,
		   "NA refused: hop limit %d", hops[i]);

	memcpy(m, na_bytes, 32);
	m[1] = 1;
	ok(!na_parse_exact(m, 32, 255, &c), "NA refused: code 1");
	m[1] = 0xff;
	ok(!na_parse_exact(m, 32, 255, &c), "NA refused: code 255");

	memcpy(m, na_bytes, 32);
	m[0] = 135;
	ok(!na_parse_exact(m, 32, 255, &c), "NA parser refuses a solicitation (type 135)");
	m[0] = 134;
	ok(!na_parse_exact(m, 32, 255, &c), "NA parser refuses a router advertisement (type 134)");

	ok(!na_parse_exact(na_bytes, 23, 255, &c), "NA refused: length 23");

	static const char *const mcast[] = { "ff02::1", "ff02::1:ff00:99", "ff05::2", "ff00::" };
	for (size_t i = 0; i < sizeof(mcast) / sizeof(mcast[0]); i++) {
		struct ip_addr t = addr(mcast[i]);

		memcpy(m, na_bytes, 32);
		memcpy(m + 8, t.b, 16);
		ok(!na_parse_exact(m, 32, 255, &c), "NA refused: multicast target %s", mcast[i]);
	}
	memcpy(m, na_bytes, 32);
	memset(m + 8, 0, 16);
	ok(!na_parse_exact(m, 32, 255, &c), "NA refused: unspecified target :: (claims nothing)");
	/* fe80:: and fec0:: are not multicast: only the first byte 0xff is. */
	{
		struct ip_addr t = addr("fe80::1");

		memcpy(m, na_bytes, 32);
		memcpy(m + 8, t.b, 16);
		ok(na_parse_exact(m, 32, 255, &c) && addr_equal(&c.addr, &t), "NA link-local target fe80::1 accepted");
	}

	memcpy(m, na_bytes, 32);
	m[25] = 0;
	ok(!na_parse_exact(m, 32, 255, &c), "NA refused: option length 0");

	/* Length 0 after a good TLLAO: the whole message is refused, claim and all. */
	memcpy(m, na_bytes, 32);
	m[32] = 14, m[33] = 0;
	memset(m + 34, 0, 6);
	ok(!na_parse_exact(m, 40, 255, &c) && c.lladdr_len == 0 && c.addr.family == 0,
	   "NA refused: option length 0 after a TLLAO, claim cleared");

	memcpy(m, na_bytes, 32);
	m[25] = 2;
	ok(!na_parse_exact(m, 32, 255, &c), "NA refused: TLLAO of 2 units in 8 bytes");
	memcpy(m + 32, na_bytes + 24, 8);
	ok(na_parse_exact(m, 40, 255, &c), "... accepted when the 16 bytes are there");

	/* A single byte after the last option is an option without its length. */
	memcpy(m, na_bytes, 32);
	m[32] = 2;
	ok(!na_parse_exact(m, 33, 255, &c), "NA refused: one stray byte after the options");
	ok(!neigh_na_parse(NULL, 0, 255, &c), "NA: NULL message refused");
}

static void test_na_truncation(void)
{
	uint8_t m[48];
	struct neigh_claim c;
	bool bad = false;

	for (size_t len = 0; len < sizeof(na_bytes); len++) {
		bool r = na_parse_exact(na_bytes, len, 255, &c);

		/* Exactly 24 is a whole advertisement without options; every other cut is refused. */
		if (r != (len == 24) || (r && c.lladdr_len != 0))
			bad = true;
	}
	ok(!bad, "NA with TLLAO cut at every length 0..31: only 24 (no options) accepted");

	/* With an unknown option first, cuts inside either option are refused. */
	memcpy(m, na_bytes, 24);
	m[24] = 14, m[25] = 2;
	memset(m + 26, 0, 14);
	memcpy(m + 40, na_bytes + 24, 8);
	bad = false;
	for (size_t len = 0; len < sizeof(m); len++) {
		bool r = na_parse_exact(m, len, 255, &c);

		if (r != (len == 24 || len == 40) || (r && c.lladdr_len != 0))
			bad = true;
	}
	ok(!bad, "NA with two options cut at every length 0..47: only option boundaries accepted");
}

/* Every value of the option length byte, with the message as long as it says, shorter, and longer. */
static void test_hostile_lengths(void)
{
	enum { BIG = 24 + 255 * 8 + 8 };
	uint8_t *m = malloc(BIG);
	struct neigh_claim c;
	bool fit_ok = true, short_refused = true, trail_ok = true;

	if (m == NULL)
		abort();
	memset(m, 0x33, BIG);
	memcpy(m, na_bytes, 24);
	m[24] = 2;
	for (unsigned k = 0; k <= 255; k++) {
		size_t want = 24 + 8 * (size_t)k;
		size_t keep = 8 * (size_t)k - 2 < REPLY_LLADDR_MAX ? 8 * (size_t)k - 2 : REPLY_LLADDR_MAX;
		bool r;

		m[25] = (uint8_t)k;
		/* Length 0 says nothing of the option's size: any message holding it is refused. */
		r = na_parse_exact(m, k == 0 ? want + 8 : want, 255, &c);
		if (k == 0 ? r : !r || c.lladdr_len != keep || c.lladdr[0] != 0x33)
			fit_ok = false;
		if (k > 0 && na_parse_exact(m, want - 1, 255, &c))
			short_refused = false;
		/* 8 more bytes: a second option (type 0x33, length 0x33) that runs past the end. */
		if (na_parse_exact(m, want + 8, 255, &c))
			trail_ok = false;
	}
	ok(fit_ok, "TLLAO length 1..255 filling the message: accepted, payload cut to %d; length 0 refused",
	   REPLY_LLADDR_MAX);
	ok(short_refused, "TLLAO length 1..255 one byte short of the message: refused");
	ok(trail_ok, "a hostile second option running past the end: refused for every first length");
	free(m);
}

int main(void)
{
	test_arp_request();
	test_arp_parse();
	test_solicited_node();
	test_ns_build();
	test_na_parse();
	test_na_refusals();
	test_na_truncation();
	test_hostile_lengths();
	return tap_done();
}
