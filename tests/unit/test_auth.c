/*
 * Tests of reply authentication (issue 11): SipHash-2-4 against the
 * paper's test vectors, the keyed id permutation, the MAC's coverage, and
 * for every protocol x family a probe built by probe_build, answered with
 * a real packet (an ICMP error with a short and a full quote, the
 * target's own answer), dissected by reply_dissect and checked by
 * probe_check_reply: the faithful answer passes, and every field it
 * quotes or echoes, altered in the packet, makes it fail.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "engine/auth.h"
#include "tests/tap.h"
#include "wire/bytes.h"
#include "wire/dissect.h"
#include "wire/probe.h"
#include "wire/probe_check.h"
#include "wire/siphash.h"

#define BUFSZ 2048

static void test_siphash(void)
{
	/*
	 * Key 00..0f and messages 00 01 02 ..., as in the paper's appendix A
	 * (15 bytes: a129ca6149be45e5) and the reference vectors for 0, 7
	 * and 8 bytes (first and last partial block, one full block).
	 */
	static const struct {
		size_t len;
		uint64_t want;
	} vec[] = {
		{15, 0xa129ca6149be45e5ull},
		{0, 0x726fdb47dd0e0e31ull},
		{7, 0xab0200f58b01d137ull},
		{8, 0x93f5f5799a932462ull},
	};
	uint8_t key[16], msg[64];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		uint64_t got = siphash24(key, msg, vec[i].len);

		ok(got == vec[i].want, "SipHash-2-4 of %zu bytes: %016llx", vec[i].len,
		   (unsigned long long)got);
	}
}

static void test_permutation(void)
{
	static uint8_t seen[65536];
	struct auth a;
	uint8_t key[16] = {1, 2, 3};
	int dup = 0, inverse = 0, fixed = 0, sequential = 0;

	auth_init(&a, key);
	for (uint32_t s = 0; s < 65536; s++) {
		uint16_t w = auth_wire_id(&a, (uint16_t)s);

		dup += seen[w]++ != 0;
		inverse += auth_slot(&a, w) != s;
		fixed += w == s;
		if (s > 0)
			sequential += w == (uint16_t)(auth_wire_id(&a, (uint16_t)(s - 1)) + 1);
	}
	ok(dup == 0 && inverse == 0, "the id permutation is a bijection with its inverse (%d, %d)",
	   dup, inverse);
	/* A random permutation of 65536 has about one fixed point and one successor in 65536. */
	ok(fixed < 8 && sequential < 8, "ids look random: %d fixed points, %d steps of one", fixed,
	   sequential);
	key[0] ^= 0x80;
	{
		struct auth b;
		int same = 0;

		auth_init(&b, key);
		for (uint32_t s = 0; s < 65536; s++)
			same += auth_wire_id(&a, (uint16_t)s) == auth_wire_id(&b, (uint16_t)s);
		ok(same < 16, "another key, another permutation (%d ids in common)", same);
	}
}

static struct ip_addr A(const char *s)
{
	struct ip_addr a;

	if (!addr_parse(s, &a))
		abort();
	return a;
}

static struct probe_spec spec(enum probe_proto proto, int family)
{
	struct probe_spec s;

	memset(&s, 0, sizeof(s));
	s.proto = proto;
	s.src = A(family == AF_INET ? "192.0.2.1" : "2001:db8::1");
	s.dst = A(family == AF_INET ? "198.51.100.7" : "2001:db8:ffff::7");
	s.ttl = 9;
	s.sport = 20001;
	s.dport = proto == PROBE_ICMP ? 0 : proto == PROBE_TCP ? 443 : 33434;
	s.flow_label = family == AF_INET6 ? 0x12345 : 0;
	s.icmp_checksum = 0x8a5b;
	s.payload_len = proto == PROBE_TCP ? 0 : 12;
	return s;
}

/* The MAC changes with every field of the probe, and with the send time. */
static void test_tag_coverage(void)
{
	struct auth a;
	uint8_t key[16] = {9};
	struct probe_spec s = spec(PROBE_UDP, AF_INET6), t;
	uint64_t base;
	int same = 0;

	auth_init(&a, key);
	s.probe_id = 0x1234;
	base = auth_tag(&a, &s, 1000);
	t = s, t.ttl++, same += auth_tag(&a, &t, 1000) == base;
	t = s, t.sport++, same += auth_tag(&a, &t, 1000) == base;
	t = s, t.dport++, same += auth_tag(&a, &t, 1000) == base;
	t = s, t.flow_label++, same += auth_tag(&a, &t, 1000) == base;
	t = s, t.probe_id++, same += auth_tag(&a, &t, 1000) == base;
	t = s, t.dst.b[15]++, same += auth_tag(&a, &t, 1000) == base;
	t = s, t.proto = PROBE_ICMP, same += auth_tag(&a, &t, 1000) == base;
	same += auth_tag(&a, &s, 1001) == base;
	t = s, t.src.b[15]++;
	ok(same == 0 && auth_tag(&a, &t, 1000) == base,
	   "the MAC covers ttl, ports, label, id, target, protocol and send time, not the source");
}

/* ---- real packets ---- */

/* An IP header from src to dst around an upper-layer message of l4len bytes. */
static size_t ip_header(uint8_t *b, const struct ip_addr *src, const struct ip_addr *dst,
			uint8_t proto, size_t l4len)
{
	if (src->family == AF_INET) {
		memset(b, 0, 20);
		b[0] = 0x45;
		put16(b + 2, (uint16_t)(20 + l4len));
		b[8] = 60;
		b[9] = proto;
		memcpy(b + 12, src->b, 4);
		memcpy(b + 16, dst->b, 4);
		return 20;
	}
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)l4len);
	b[6] = proto;
	b[7] = 60;
	memcpy(b + 8, src->b, 16);
	memcpy(b + 24, dst->b, 16);
	return 40;
}

static const struct ip_addr *router(int family)
{
	static struct ip_addr r4, r6;

	if (r4.family == 0) {
		r4 = A("203.0.113.5");
		r6 = A("2001:db8:5::1");
	}
	return family == AF_INET ? &r4 : &r6;
}

/* A router's time exceeded quoting the probe (8 transport bytes, or all), TTL 1 left. */
static size_t time_exceeded(uint8_t *out, const struct probe_spec *s, const uint8_t *probe,
			    size_t plen, bool full)
{
	bool v4 = s->src.family == AF_INET;
	size_t hl = v4 ? 20 : 40, qlen = full ? plen : hl + 8;
	uint8_t *m = out + hl;

	memset(m, 0, 8);
	m[0] = v4 ? 11 : 3;
	memcpy(m + 8, probe, qlen);
	m[8 + (v4 ? 8 : 7)] = 1;
	return ip_header(out, router(s->src.family), &s->src, v4 ? 1 : 58, 8 + qlen) + 8 + qlen;
}

/* The target's own answer: echo reply with the payload, or a SYN-ACK acking seq + 1. */
static size_t target_answer(uint8_t *out, const struct probe_spec *s, const uint8_t *probe,
			    size_t plen)
{
	bool v4 = s->src.family == AF_INET;
	size_t hl = v4 ? 20 : 40;
	uint8_t *l4 = out + hl;

	if (s->proto == PROBE_ICMP) {
		memcpy(l4, probe + hl, plen - hl);
		l4[0] = v4 ? 0 : 129;
		return ip_header(out, &s->dst, &s->src, v4 ? 1 : 58, plen - hl) + plen - hl;
	}
	memset(l4, 0, 20);
	put16(l4, s->dport);
	put16(l4 + 2, s->sport);
	put32(l4 + 4, 0x01020304);
	put32(l4 + 8, probe_tcp_seq(s) + 1);
	l4[12] = 0x50;
	l4[13] = 0x12;
	return ip_header(out, &s->dst, &s->src, 6, 20) + 20;
}

/* Writes a seed of the dissector fuzz target when WIRE_CORPUS_DIR is set (as test_wire does). */
static void save_seed(const char *what, const struct probe_spec *s, const uint8_t *b, size_t len)
{
	const char *dir = getenv("WIRE_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/auth-%s-v%d-%s", dir,
		 s->proto == PROBE_UDP ? "udp" : s->proto == PROBE_TCP ? "tcp" : "icmp",
		 s->src.family == AF_INET ? 4 : 6, what);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(b, 1, len, f);
	fclose(f);
}

static enum probe_check check(const struct probe_spec *s, const uint8_t *pkt, size_t len)
{
	struct reply r;

	if (reply_dissect(pkt, len, &r) != DISSECT_OK)
		return (enum probe_check)-1;
	return probe_check_reply(s, &r);
}

/* Byte ranges of what a probe (or an answer) says about itself: each one is checked. */
struct field {
	const char *what;
	size_t at, len;		/* in the probe's datagram (quote) or the answer */
};

/*
 * The quoted fields an error must carry back unchanged, at their offset in
 * the quoted datagram.  Not the TTL (lowered on the way, checked apart),
 * the header checksum, TOS/traffic class or the compensation word.
 */
static int quoted_fields(const struct probe_spec *s, bool full, struct field *f)
{
	bool v4 = s->src.family == AF_INET;
	size_t hl = v4 ? 20 : 40;
	int n = 0;

	if (v4) {
		f[n++] = (struct field){"quoted total length", 2, 2};
		/* With the payload's whole MAC quoted, a rewritten IP-ID is tolerated (probe_check.c). */
		if (!full || s->proto == PROBE_TCP)
			f[n++] = (struct field){"IP-ID", 4, 2};
		f[n++] = (struct field){"quoted source", 12, 4};
		f[n++] = (struct field){"quoted destination", 16, 4};
	} else {
		f[n++] = (struct field){"flow label", 1, 3};
		f[n++] = (struct field){"quoted payload length", 4, 2};
		f[n++] = (struct field){"quoted source", 8, 16};
		f[n++] = (struct field){"quoted destination", 24, 16};
	}
	f[n++] = (struct field){"protocol", v4 ? 9 : 6, 1};
	if (s->proto == PROBE_ICMP) {
		f[n++] = (struct field){"ICMP checksum", hl + 2, 2};
		f[n++] = (struct field){"ICMP identifier", hl + 4, 2};
		f[n++] = (struct field){"ICMP sequence", hl + 6, 2};
	} else {
		f[n++] = (struct field){"source port", hl, 2};
		f[n++] = (struct field){"destination port", hl + 2, 2};
		if (s->proto == PROBE_UDP) {
			f[n++] = (struct field){"UDP length", hl + 4, 2};
			f[n++] = (struct field){"UDP checksum", hl + 6, 2};
		} else {
			f[n++] = (struct field){"TCP sequence", hl + 4, 4};
		}
	}
	if (full && s->proto != PROBE_TCP)
		for (size_t i = PROBE_MIN_PAYLOAD; i < s->payload_len; i++)
			f[n++] = (struct field){"payload byte", hl + 8 + i, 1};
	return n;
}

static const char *pname(enum probe_proto p)
{
	return p == PROBE_UDP ? "udp" : p == PROBE_TCP ? "tcp" : "icmp";
}

/* Every field of the quote altered in turn: the answer no longer checks out. */
static void tamper_quote(const struct probe_spec *s, const uint8_t *probe, size_t plen, bool full)
{
	struct field f[64];
	int n = quoted_fields(s, full, f), passed = 0;
	size_t hl = s->src.family == AF_INET ? 20 : 40;
	uint8_t pkt[BUFSZ];
	const char *which = "";

	for (int i = 0; i < n; i++) {
		size_t len = time_exceeded(pkt, s, probe, plen, full);

		pkt[hl + 8 + f[i].at + f[i].len - 1] ^= 0x01;
		if (check(s, pkt, len) == PROBE_CHECK_OK)
			passed++, which = f[i].what;
	}
	ok(passed == 0, "%s %s %s quote: each of %d quoted fields altered is refused%s%s", pname(s->proto),
	   s->src.family == AF_INET ? "v4" : "v6", full ? "full" : "8-byte", n, passed ? ": not " : "",
	   which);
}

static void test_packets(void)
{
	static const enum probe_proto protos[] = {PROBE_UDP, PROBE_TCP, PROBE_ICMP};
	static const int fams[] = {AF_INET, AF_INET6};
	struct auth a;
	uint8_t key[16] = {0x42, 0x17};

	auth_init(&a, key);
	for (size_t fi = 0; fi < 2; fi++) {
		for (size_t pi = 0; pi < 3; pi++) {
			struct probe_spec s = spec(protos[pi], fams[fi]);
			uint8_t probe[BUFSZ], pkt[BUFSZ];
			size_t plen, len, hl = fams[fi] == AF_INET ? 20 : 40;
			const char *p = pname(s.proto), *v = fams[fi] == AF_INET ? "v4" : "v6";
			bool v6 = fams[fi] == AF_INET6;

			s.probe_id = auth_wire_id(&a, 77);
			s.tag = auth_tag(&a, &s, 123456);
			plen = probe_build(&s, probe, sizeof(probe));
			ok(plen != 0, "%s %s probe built", p, v);

			len = time_exceeded(pkt, &s, probe, plen, true);
			save_seed("timex-full", &s, pkt, len);
			ok(check(&s, pkt, len) == PROBE_CHECK_OK, "%s %s: full quote authenticates", p, v);
			tamper_quote(&s, probe, plen, true);
			len = time_exceeded(pkt, &s, probe, plen, false);
			save_seed("timex-8", &s, pkt, len);
			/* IPv6 always quotes the payload; a short quote there is a forgery (not for TCP). */
			ok(check(&s, pkt, len) == (v6 && s.proto != PROBE_TCP ? PROBE_CHECK_LENGTH
									: PROBE_CHECK_OK),
			   "%s %s: an 8-byte quote %s", p, v,
			   v6 && s.proto != PROBE_TCP ? "is refused" : "authenticates");
			if (!v6 || s.proto == PROBE_TCP)
				tamper_quote(&s, probe, plen, false);

			if (!v6 && s.proto != PROBE_TCP) {
				len = time_exceeded(pkt, &s, probe, plen, true);
				pkt[hl + 8 + 5] ^= 0x40;
				ok(check(&s, pkt, len) == PROBE_CHECK_OK,
				   "%s %s: a rewritten IP-ID passes when the payload's MAC is quoted whole", p, v);
			}
			/* The TTL left may be what was sent, never more. */
			len = time_exceeded(pkt, &s, probe, plen, true);
			pkt[hl + 8 + (v6 ? 7 : 8)] = s.ttl;
			ok(check(&s, pkt, len) == PROBE_CHECK_OK, "%s %s: quoted TTL = sent TTL passes", p, v);
			pkt[hl + 8 + (v6 ? 7 : 8)] = (uint8_t)(s.ttl + 1);
			save_seed("timex-ttl-above", &s, pkt, len);
			ok(check(&s, pkt, len) == PROBE_CHECK_TTL, "%s %s: quoted TTL above the sent one refused",
			   p, v);
			/* The error must come to the address the quote names as source. */
			len = time_exceeded(pkt, &s, probe, plen, true);
			pkt[v6 ? 39 : 19] ^= 1;
			ok(check(&s, pkt, len) == PROBE_CHECK_ADDRESS, "%s %s: error to another address refused",
			   p, v);
			/* The same datagram under another key is someone else's. */
			{
				struct probe_spec t = s;

				t.tag = auth_tag(&a, &s, 123457);
				len = time_exceeded(pkt, &s, probe, plen, true);
				ok(check(&t, pkt, len) == PROBE_CHECK_MAC, "%s %s: another MAC refused", p, v);
			}
			if (s.proto == PROBE_UDP)
				continue;

			len = target_answer(pkt, &s, probe, plen);
			save_seed("direct", &s, pkt, len);
			ok(check(&s, pkt, len) == PROBE_CHECK_OK, "%s %s: the target's answer authenticates", p,
			   v);
			{
				int passed = 0;
				size_t from = s.proto == PROBE_TCP ? hl + 8 : hl + 8 + PROBE_MIN_PAYLOAD;

				/* Every byte of the ack, or of the echoed payload after the compensation word. */
				for (size_t i = from; i < len && i < (s.proto == PROBE_TCP ? hl + 12 : len); i++) {
					len = target_answer(pkt, &s, probe, plen);
					pkt[i] ^= 0x20;
					passed += check(&s, pkt, len) == PROBE_CHECK_OK;
				}
				ok(passed == 0, "%s %s: each MAC byte of the answer altered is refused (%d not)",
				   p, v, passed);
			}
			len = target_answer(pkt, &s, probe, plen);
			memcpy(pkt + (v6 ? 8 : 12), router(fams[fi])->b, v6 ? 16 : 4);
			ok(check(&s, pkt, len) == PROBE_CHECK_ADDRESS, "%s %s: the answer from a router refused",
			   p, v);
			if (s.proto == PROBE_ICMP) {
				/* An echo reply cut short of the payload. */
				len = target_answer(pkt, &s, probe, plen) - 4;
				put16(pkt + 2 + (v6 ? 2 : 0), (uint16_t)(v6 ? len - 40 : len));
				save_seed("echo-short", &s, pkt, len);
				ok(check(&s, pkt, len) == PROBE_CHECK_LENGTH, "%s %s: echo without the whole payload",
				   p, v);
			}
		}
	}
}

int main(void)
{
	test_siphash();
	test_permutation();
	test_tag_coverage();
	test_packets();
	return tap_done();
}
