/*
 * Tests of the wire layer: probes built by probe_build are checked with an
 * independent checksum implementation, then wrapped in synthetic replies
 * (ICMP/ICMPv6 errors with short and full quotes and RFC 4884/4950 MPLS
 * extensions, echo replies, TCP SYN-ACK/RST) and fed to reply_dissect,
 * which must give back exactly the probe's identity.  Every reply is also
 * cut at every length, and a table of hostile packets checks that
 * malformed or foreign input is refused, never misread.
 *
 * With WIRE_CORPUS_DIR set, the round-trip replies are also written there
 * as the seed corpus of the dissector fuzz target (tests/fuzz/corpus/dissect).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "../tap.h"
#include "wire/checksum.h"
#include "wire/dissect.h"
#include "wire/probe.h"
#include "wire/probe_check.h"

#define BUFSZ 2048

/* ---- byte helpers and an independent RFC 1071 checksum ---- */

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/*
 * Straight from the definition: sum the bytes of a buffer as big-endian
 * words (byte i is high if i is even), fold once at the end.
 */
static uint16_t ref_fold(const uint8_t *p, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* True if the transport checksum of an IP datagram (pseudo-header included where due) verifies. */
static bool ref_l4_ok(const uint8_t *pkt, size_t len)
{
	uint8_t tmp[BUFSZ + 64];
	size_t hl, l4len, n = 0;
	uint8_t proto;

	if ((pkt[0] >> 4) == 4) {
		hl = (size_t)(pkt[0] & 15) * 4;
		proto = pkt[9];
		l4len = len - hl;
		if (proto != 1) {
			memcpy(tmp, pkt + 12, 8);
			tmp[8] = 0;
			tmp[9] = proto;
			wr16(tmp + 10, (uint16_t)l4len);
			n = 12;
		}
	} else {
		hl = 40;
		proto = pkt[6];
		l4len = len - hl;
		memcpy(tmp, pkt + 8, 32);
		wr32(tmp + 32, (uint32_t)l4len);
		tmp[36] = tmp[37] = tmp[38] = 0;
		tmp[39] = proto;
		n = 40;
	}
	memcpy(tmp + n, pkt + hl, l4len);
	return ref_fold(tmp, n + l4len) == 0xffff;
}

static struct ip_addr A(const char *s)
{
	struct ip_addr a;

	if (!addr_parse(s, &a))
		abort();
	return a;
}

/* ---- probes ---- */

static struct probe_spec base_spec(enum probe_proto proto, int family)
{
	struct probe_spec s;

	memset(&s, 0, sizeof(s));
	s.proto = proto;
	s.src = A(family == AF_INET ? "192.0.2.1" : "2001:db8::1");
	s.dst = A(family == AF_INET ? "198.51.100.7" : "2001:db8:ffff::7");
	s.ttl = 7;
	s.tos = 0x28;
	s.sport = proto == PROBE_ICMP ? 0x3a01 : 33457;
	s.dport = proto == PROBE_UDP ? 33434 : proto == PROBE_TCP ? 443 : 0;
	s.flow_label = 0xabcde;
	s.probe_id = 0x4242;
	s.tag = 0x5a17c3d2e1f00f1eull;
	s.icmp_checksum = 0x1357;
	s.payload_len = proto == PROBE_UDP ? 12 : proto == PROBE_ICMP ? 25 : 0;
	return s;
}

static const char *pname(enum probe_proto p)
{
	return p == PROBE_UDP ? "udp" : p == PROBE_TCP ? "tcp" : "icmp";
}

static const char *fname(int family)
{
	return family == AF_INET ? "v4" : "v6";
}

/* Transport header length of a probe kind. */
static size_t l4hlen(enum probe_proto p)
{
	return p == PROBE_TCP ? 20 : 8;
}

/* Checks everything about one built probe; returns a failure reason or NULL. */
static const char *check_probe(const struct probe_spec *s, const uint8_t *b, size_t len)
{
	size_t hl = s->src.family == AF_INET ? 20 : 40;
	const uint8_t *l4 = b + hl;

	if (len != hl + l4hlen(s->proto) + s->payload_len)
		return "length";
	if (s->src.family == AF_INET) {
		uint8_t want_proto = s->proto == PROBE_UDP ? 17 : s->proto == PROBE_TCP ? 6 : 1;

		if (b[0] != 0x45 || b[1] != s->tos || rd16(b + 2) != len)
			return "ipv4 version/ihl/tos/total length";
		if (rd16(b + 4) != probe_ip_id(s) || rd16(b + 6) != 0)
			return "ipv4 id / flags (no DF)";
		if (b[8] != s->ttl || b[9] != want_proto)
			return "ipv4 ttl/protocol";
		if (ref_fold(b, 20) != 0xffff)
			return "ipv4 header checksum";
		if (memcmp(b + 12, s->src.b, 4) != 0 || memcmp(b + 16, s->dst.b, 4) != 0)
			return "ipv4 addresses";
	} else {
		uint8_t want_nh = s->proto == PROBE_UDP ? 17 : s->proto == PROBE_TCP ? 6 : 58;

		if (rd32(b) != (6u << 28 | (uint32_t)s->tos << 20 | (s->flow_label & 0xfffff)))
			return "ipv6 version/class/flow label";
		if (rd16(b + 4) != len - 40 || b[6] != want_nh || b[7] != s->ttl)
			return "ipv6 payload length/next header/hop limit";
		if (memcmp(b + 8, s->src.b, 16) != 0 || memcmp(b + 24, s->dst.b, 16) != 0)
			return "ipv6 addresses";
	}
	if (!ref_l4_ok(b, len))
		return "transport checksum";
	switch (s->proto) {
	case PROBE_UDP:
		if (rd16(l4) != s->sport || rd16(l4 + 2) != s->dport || rd16(l4 + 4) != len - hl)
			return "udp ports/length";
		if (rd16(l4 + 6) != s->probe_id)
			return "udp checksum != probe_id";
		break;
	case PROBE_TCP:
		if (rd16(l4) != s->sport || rd16(l4 + 2) != s->dport)
			return "tcp ports";
		if (rd32(l4 + 4) != ((uint32_t)s->probe_id << 16 | (uint16_t)(s->tag >> 16)) ||
		    rd32(l4 + 8) != 0)
			return "tcp seq/ack";
		if (l4[12] != 0x50 || l4[13] != 0x02 || rd16(l4 + 14) == 0 || rd16(l4 + 18) != 0)
			return "tcp offset/flags/window/urgent";
		break;
	case PROBE_ICMP:
		if (l4[0] != (s->src.family == AF_INET ? 8 : 128) || l4[1] != 0)
			return "icmp type/code";
		if (rd16(l4 + 4) != s->sport || rd16(l4 + 6) != s->probe_id)
			return "icmp identifier/sequence";
		/* 0xffff cannot be produced by a one's-complement sum; 0x0000 is its twin. */
		if (rd16(l4 + 2) != (s->icmp_checksum == 0xffff ? 0 : s->icmp_checksum))
			return "icmp checksum != flow checksum";
		break;
	}
	/* After the compensation word, the payload is the tag's 8 bytes, big-endian, repeated. */
	for (size_t i = 2; i < s->payload_len; i++)
		if (l4[l4hlen(s->proto) + i] != (uint8_t)(s->tag >> (56 - 8 * ((i - 2) % 8))))
			return "payload != tag";
	return NULL;
}

/* Byte positions that may differ between probes of one flow (identity and checksums). */
static bool varies(const struct probe_spec *s, size_t i)
{
	size_t hl = s->src.family == AF_INET ? 20 : 40;

	if (s->src.family == AF_INET && (i == 4 || i == 5 || i == 10 || i == 11))
		return true;		/* IP-ID and header checksum */
	if (i < hl)
		return false;
	i -= hl;
	switch (s->proto) {
	case PROBE_UDP:
		return i == 6 || i == 7 || i == 8 || i == 9;	/* checksum, compensation word */
	case PROBE_TCP:
		return (i >= 4 && i <= 7) || i == 16 || i == 17;	/* seq, checksum */
	default:
		return i == 6 || i == 7 || i == 8 || i == 9;	/* sequence, compensation word */
	}
}

static void test_probes(void)
{
	static const enum probe_proto protos[] = { PROBE_UDP, PROBE_TCP, PROBE_ICMP };
	static const int fams[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < 2; f++) {
		for (size_t p = 0; p < 3; p++) {
			struct probe_spec s = base_spec(protos[p], fams[f]);
			uint8_t b0[BUFSZ], b[BUFSZ];
			size_t len0 = probe_build(&s, b0, sizeof(b0));
			const char *why = len0 ? check_probe(&s, b0, len0) : "build failed";
			int bad_id = 0, bad_flow = 0, bad_ck = 0;

			ok(why == NULL, "%s %s probe: %s", pname(s.proto), fname(s.src.family),
			   why ? why : "fields and checksums right");

			/* Every probe id: identity fields follow it, flow fields stay put. */
			for (uint32_t id = 1; id < 0xffff; id++) {
				size_t len;

				s.probe_id = (uint16_t)id;
				len = probe_build(&s, b, sizeof(b));
				if (len != len0 || check_probe(&s, b, len) != NULL) {
					bad_id++;
					continue;
				}
				for (size_t i = 0; i < len; i++)
					if (!varies(&s, i) && b[i] != b0[i])
						bad_flow++;
			}
			ok(bad_id == 0, "%s %s: all 65534 probe ids build right (%d bad)",
			   pname(s.proto), fname(s.src.family), bad_id);
			ok(bad_flow == 0, "%s %s: hashed fields constant across ids (%d bytes moved)",
			   pname(s.proto), fname(s.src.family), bad_flow);

			if (s.proto != PROBE_ICMP)
				continue;
			/* The flow checksum is honoured whatever its value and the payload size. */
			s.probe_id = 0x0102;
			for (uint32_t ck = 0; ck <= 0xffff; ck += 0x0101) {
				for (uint16_t pl = 2; pl < 9; pl++) {
					size_t len;

					s.icmp_checksum = (uint16_t)ck;
					s.payload_len = pl;
					len = probe_build(&s, b, sizeof(b));
					if (len == 0 || check_probe(&s, b, len) != NULL)
						bad_ck++;
				}
			}
			ok(bad_ck == 0, "icmp %s: checksum equals the flow's for 256 values x 7 payload sizes",
			   fname(s.src.family));
		}
	}
}

static void test_probe_invalid(void)
{
	struct probe_spec s = base_spec(PROBE_UDP, AF_INET);
	uint8_t b[BUFSZ];
	size_t full;

	full = probe_build(&s, b, sizeof(b));
	ok(full == 20 + 8 + 12, "udp v4 probe is 40 bytes");
	ok(probe_build(&s, b, full) == full, "fits a buffer of exactly its size");
	ok(probe_build(&s, b, full - 1) == 0, "refused: buffer one byte short");

	s.probe_id = 0;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: probe_id 0");
	s.probe_id = 0xffff;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: probe_id 0xffff");

	s = base_spec(PROBE_UDP, AF_INET);
	s.payload_len = 1;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: udp payload shorter than the compensation word");
	s.payload_len = 2;
	ok(probe_build(&s, b, sizeof(b)) == 30 && check_probe(&s, b, 30) == NULL,
	   "udp with the minimum payload of 2");
	s.payload_len = PROBE_MAX_LEN - 28;
	ok(probe_build(&s, b, sizeof(b)) == PROBE_MAX_LEN, "udp of exactly PROBE_MAX_LEN");
	s.payload_len = PROBE_MAX_LEN - 27;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: over PROBE_MAX_LEN");

	s = base_spec(PROBE_ICMP, AF_INET6);
	s.payload_len = 0;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: icmp without payload");
	s = base_spec(PROBE_TCP, AF_INET);
	s.payload_len = 2;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: tcp SYN with payload");
	s.df = true;
	ok(probe_build(&s, b, sizeof(b)) == 42 && (b[6] & 0x40) && b[20 + 13] == 0x02,
	   "a path MTU probe's SYN carries data, don't-fragment set");

	s = base_spec(PROBE_UDP, AF_INET);
	s.dst = A("2001:db8::9");
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: source and destination families differ");
	memset(&s.src, 0, sizeof(s.src));
	memset(&s.dst, 0, sizeof(s.dst));
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: no addresses");
	s = base_spec(PROBE_UDP, AF_INET);
	s.proto = (enum probe_proto)7;
	ok(probe_build(&s, b, sizeof(b)) == 0, "refused: unknown protocol");

	s = base_spec(PROBE_UDP, AF_INET6);
	s.flow_label = 0xfffffff;
	full = probe_build(&s, b, sizeof(b));
	ok(full != 0 && (rd32(b) & 0xfffff) == 0xfffff && (rd32(b) >> 28) == 6,
	   "flow label masked to 20 bits, version intact");
}

static void test_checksum_api(void)
{
	/* RFC 1071 section 3 example: words 0001 f203 f4f5 f6f7 sum to ddf2. */
	static const uint8_t ex[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x12, 0x34, 0x56 };
	struct ip_addr s4 = A("192.0.2.1"), d4 = A("198.51.100.7");
	uint32_t sum;

	ok(cksum_finish(cksum_add(0, ex, sizeof(ex))) == (uint16_t)~0xddf2, "RFC 1071 example");
	sum = cksum_add(cksum_add(0, ex, 4), ex + 4, 4);
	ok(cksum_finish(sum) == (uint16_t)~0xddf2, "sum in two pieces equals sum in one");
	ok(cksum_finish(cksum_add(0, odd, 3)) == (uint16_t)~(0x1234 + 0x5600), "odd length padded with zero");
	ok(cksum_finish(cksum_add(0, NULL, 0)) == 0xffff, "empty sum");
	/* 192.0.2.1 + 198.51.100.7 + proto 17 + len 8, summed by hand. */
	ok(cksum_finish(cksum_pseudo(&s4, &d4, 17, 8)) ==
	   (uint16_t)~((0xc000 + 0x0201 + 0xc633 + 0x6407 + 17 + 8) % 0xffff),
	   "IPv4 pseudo-header");
}

/* ---- synthetic replies ---- */

enum wrap {
	W_TIMEX,	/* time exceeded from a router */
	W_UNREACH,	/* port / admin unreachable */
	W_ECHO,		/* echo reply from the target */
	W_SYNACK,
	W_RST,
};

enum quote {
	Q_MIN,		/* IP header + 8 bytes, the RFC 792 minimum */
	Q_FULL,		/* the whole probe */
	Q_MPLS,		/* RFC 4884 length + MPLS extension */
	Q_COMPAT,	/* legacy: no length, extension after a fixed 128-byte quote */
};

static const uint32_t test_labels[] = { 24001, 1048575, 16 };
#define NLABELS 3
static const struct ip_addr *router(int family)
{
	static struct ip_addr r4, r6;

	if (!r4.family) {
		r4 = A("203.0.113.9");
		r6 = A("2001:db8:77::9");
	}
	return family == AF_INET ? &r4 : &r6;
}

/* Writes an IP header; returns its length. */
static size_t put_iphdr(uint8_t *b, const struct ip_addr *src, const struct ip_addr *dst,
			uint8_t proto, size_t l4len, uint8_t ttl)
{
	if (src->family == AF_INET) {
		memset(b, 0, 20);
		b[0] = 0x45;
		wr16(b + 2, (uint16_t)(20 + l4len));
		wr16(b + 4, 0x7777);
		b[8] = ttl;
		b[9] = proto;
		memcpy(b + 12, src->b, 4);
		memcpy(b + 16, dst->b, 4);
		wr16(b + 10, (uint16_t)~ref_fold(b, 20));
		return 20;
	}
	memset(b, 0, 40);
	wr32(b, 6u << 28 | 0x12345);
	wr16(b + 4, (uint16_t)l4len);
	b[6] = proto;
	b[7] = ttl;
	memcpy(b + 8, src->b, 16);
	memcpy(b + 24, dst->b, 16);
	return 40;
}

/* Fixes the outer length fields and ICMP checksum after the ICMP message changed size. */
static void fix_icmp(uint8_t *b, size_t len)
{
	size_t hl;

	if ((b[0] >> 4) == 4) {
		hl = (size_t)(b[0] & 15) * 4;
		wr16(b + 2, (uint16_t)len);
		wr16(b + 10, 0);
		wr16(b + 10, (uint16_t)~ref_fold(b, hl));
		wr16(b + hl + 2, 0);
		wr16(b + hl + 2, (uint16_t)~ref_fold(b + hl, len - hl));
	} else {
		uint8_t tmp[BUFSZ + 64];

		hl = 40;
		wr16(b + 4, (uint16_t)(len - 40));
		wr16(b + hl + 2, 0);
		memcpy(tmp, b + 8, 32);
		wr32(tmp + 32, (uint32_t)(len - hl));
		tmp[36] = tmp[37] = tmp[38] = 0;
		tmp[39] = 58;
		memcpy(tmp + 40, b + hl, len - hl);
		wr16(b + hl + 2, (uint16_t)~ref_fold(tmp, 40 + len - hl));
	}
}

/* An RFC 4884 extension structure with one RFC 4950 MPLS object; returns its length. */
static size_t put_mpls_ext(uint8_t *e, const uint32_t *labels, int n)
{
	size_t olen = 4 + 4 * (size_t)n;

	memset(e, 0, 4 + olen);
	e[0] = 0x20;
	wr16(e + 4, (uint16_t)olen);
	e[6] = 1;
	e[7] = 1;
	for (int i = 0; i < n; i++)
		wr32(e + 8 + 4 * i, labels[i] << 12 | (uint32_t)(i == n - 1) << 8 | 1);
	wr16(e + 2, (uint16_t)~ref_fold(e, 4 + olen));
	return 4 + olen;
}

/* An ICMP(v6) error from the router quoting the probe; returns the datagram length. */
static size_t wrap_error(uint8_t *out, const uint8_t *probe, size_t plen, int family,
			 enum wrap w, enum quote q)
{
	const struct ip_addr *rt = router(family);
	struct ip_addr dst;
	size_t hl = family == AF_INET ? 20 : 40;
	size_t qlen = q == Q_MIN ? hl + 8 : plen;
	uint8_t *m;
	size_t mlen;

	/* The error goes to the probe's source. */
	memset(&dst, 0, sizeof(dst));
	dst.family = family;
	memcpy(dst.b, probe + (family == AF_INET ? 12 : 8), family == AF_INET ? 4 : 16);

	m = out + hl;
	memset(m, 0, 8);
	if (family == AF_INET) {
		m[0] = w == W_TIMEX ? 11 : 3;
		m[1] = w == W_TIMEX ? 0 : 3;
	} else {
		m[0] = w == W_TIMEX ? 3 : 1;
		m[1] = w == W_TIMEX ? 0 : 4;
	}
	if (qlen > plen)
		qlen = plen;
	memcpy(m + 8, probe, qlen);
	/* The router saw the probe with TTL 1 (the IPv4 header checksum is then stale, as in life). */
	m[8 + (family == AF_INET ? 8 : 7)] = 1;
	mlen = 8 + qlen;
	if (q == Q_MPLS || q == Q_COMPAT) {
		/* RFC 4884: quote zero-padded to 128 bytes (a whole number of 32/64-bit words). */
		if (qlen > 128)
			qlen = 128;
		memset(m + 8 + qlen, 0, 128 - qlen);
		mlen = 8 + 128;
		if (q == Q_MPLS)
			m[family == AF_INET ? 5 : 4] = (uint8_t)(128 / (family == AF_INET ? 4 : 8));
		mlen += put_mpls_ext(m + mlen, test_labels, NLABELS);
	}
	put_iphdr(out, rt, &dst, family == AF_INET ? 1 : 58, mlen, 243);
	fix_icmp(out, hl + mlen);
	return hl + mlen;
}

/* The target's answer: echo reply, SYN-ACK or RST. */
static size_t wrap_target(uint8_t *out, const struct probe_spec *s, const uint8_t *probe,
			  size_t plen, enum wrap w)
{
	size_t hl = s->src.family == AF_INET ? 20 : 40;
	uint8_t *l4 = out + hl;
	size_t l4len;

	if (w == W_ECHO) {
		l4len = plen - hl;
		memcpy(l4, probe + hl, l4len);
		l4[0] = s->src.family == AF_INET ? 0 : 129;
		put_iphdr(out, &s->dst, &s->src, s->src.family == AF_INET ? 1 : 58, l4len, 57);
		fix_icmp(out, hl + l4len);
		return hl + l4len;
	}
	/* A SYN-ACK with an MSS option (data offset 6), or a bare RST+ACK. */
	l4len = w == W_SYNACK ? 24 : 20;
	memset(l4, 0, l4len);
	wr16(l4, s->dport);
	wr16(l4 + 2, s->sport);
	wr32(l4 + 4, w == W_SYNACK ? 0xdeadbeef : 0);
	wr32(l4 + 8, probe_tcp_seq(s) + 1);
	l4[12] = (uint8_t)((l4len / 4) << 4);
	l4[13] = w == W_SYNACK ? 0x12 : 0x14;
	wr16(l4 + 14, w == W_SYNACK ? 65160 : 0);
	if (w == W_SYNACK) {
		l4[20] = 2;
		l4[21] = 4;
		wr16(l4 + 22, 1460);
	}
	put_iphdr(out, &s->dst, &s->src, 6, l4len, 57);
	return hl + l4len;
}

/* The reply reply_dissect must produce for a probe wrapped by w/q. */
static struct reply expected(const struct probe_spec *s, enum wrap w, enum quote q)
{
	struct reply r;
	int v4 = s->src.family == AF_INET;

	memset(&r, 0, sizeof(r));
	r.proto = s->proto;
	r.probe_src = s->src;
	r.probe_dst = s->dst;
	r.sport = s->sport;
	r.dport = s->proto == PROBE_ICMP ? 0 : s->dport;
	r.probe_id = s->probe_id;
	r.tcp_seq = s->proto == PROBE_TCP ? probe_tcp_seq(s) : 0;
	r.to = s->src;
	switch (w) {
	case W_TIMEX:
	case W_UNREACH:
		r.kind = w == W_TIMEX ? REPLY_TIME_EXCEEDED : REPLY_DEST_UNREACH;
		r.icmp_type = (uint8_t)(v4 ? (w == W_TIMEX ? 11 : 3) : (w == W_TIMEX ? 3 : 1));
		r.icmp_code = (uint8_t)(w == W_TIMEX ? 0 : v4 ? 3 : 4);
		r.from = *router(s->src.family);
		r.reply_ttl = 243;
		r.ip_id = v4 ? probe_ip_id(s) : 0;
		r.quoted_ttl = 1;
		r.flow_label = v4 ? 0 : s->flow_label;
		r.quoted_len = (uint16_t)probe_ip_len(s);
		r.quoted_l4_len = s->proto == PROBE_UDP ? (uint16_t)probe_l4_len(s) : 0;
		r.icmp_checksum = s->proto == PROBE_ICMP ? s->icmp_checksum : 0;
		/* Beyond the first 8 transport bytes (UDP, ICMP): the payload, as far as quoted. */
		if (q != Q_MIN && s->proto != PROBE_TCP)
			r.payload_len = s->payload_len;
		if (q == Q_MPLS || q == Q_COMPAT) {
			r.mpls_count = NLABELS;
			memcpy(r.mpls_label, test_labels, sizeof(test_labels));
		}
		break;
	case W_ECHO:
		r.kind = REPLY_ECHO_REPLY;
		r.icmp_type = v4 ? 0 : 129;
		r.from = s->dst;
		r.reply_ttl = 57;
		r.payload_len = s->payload_len;
		break;
	default:
		r.kind = w == W_SYNACK ? REPLY_TCP_SYNACK : REPLY_TCP_RST;
		r.from = s->dst;
		r.reply_ttl = 57;
		break;
	}
	for (size_t i = 2; i < r.payload_len && i < REPLY_PAYLOAD_MAX; i++)
		r.payload[i] = probe_payload_byte(s, i);
	return r;
}

/*
 * The payload kept: its length when the quote is whole (exact), and its
 * bytes after the compensation word as far as they go.
 */
static bool payload_same(const struct reply *got, const struct reply *want, bool exact)
{
	if (exact ? got->payload_len != want->payload_len : got->payload_len > want->payload_len)
		return false;
	for (size_t i = 2; i < got->payload_len && i < REPLY_PAYLOAD_MAX; i++)
		if (got->payload[i] != want->payload[i])
			return false;
	return true;
}

/* Name of the first field where got differs from want, or NULL. */
static const char *reply_diff(const struct reply *got, const struct reply *want, bool labels)
{
	if (got->kind != want->kind)
		return "kind";
	if (got->icmp_type != want->icmp_type || got->icmp_code != want->icmp_code)
		return "icmp type/code";
	if (!addr_equal(&got->from, &want->from))
		return "from";
	if (got->reply_ttl != want->reply_ttl)
		return "reply_ttl";
	if (got->proto != want->proto)
		return "proto";
	if (!addr_equal(&got->probe_src, &want->probe_src) || !addr_equal(&got->probe_dst, &want->probe_dst))
		return "probe addresses";
	if (got->sport != want->sport || got->dport != want->dport)
		return "ports";
	if (got->probe_id != want->probe_id || got->tcp_seq != want->tcp_seq)
		return "probe_id/tcp_seq";
	if (!addr_equal(&got->to, &want->to))
		return "to";
	if (got->quoted_len != want->quoted_len || got->quoted_l4_len != want->quoted_l4_len)
		return "quoted lengths";
	if (got->icmp_checksum != want->icmp_checksum)
		return "icmp_checksum";
	if (!payload_same(got, want, labels))
		return "payload";
	if (got->ip_id != want->ip_id || got->quoted_ttl != want->quoted_ttl)
		return "ip_id/quoted_ttl";
	if (got->flow_label != want->flow_label)
		return "flow_label";
	if (labels) {
		if (got->mpls_count != want->mpls_count)
			return "mpls_count";
		for (int i = 0; i < want->mpls_count; i++)
			if (got->mpls_label[i] != want->mpls_label[i])
				return "mpls_label";
	}
	return NULL;
}

static const char *wname[] = { "timex", "unreach", "echo", "synack", "rst" };
static const char *qname[] = { "min", "full", "mpls", "compat" };

/* Writes a corpus file when WIRE_CORPUS_DIR is set. */
static void save_seed(const char *name, const uint8_t *b, size_t len)
{
	const char *dir = getenv("WIRE_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		return;
	fwrite(b, 1, len, f);
	fclose(f);
}

static void round_trip(const struct probe_spec *s, enum wrap w, enum quote q)
{
	uint8_t probe[BUFSZ], pkt[BUFSZ], cut[BUFSZ];
	size_t plen = probe_build(s, probe, sizeof(probe));
	size_t len, hl = s->src.family == AF_INET ? 20 : 40;
	struct reply got, want = expected(s, w, q);
	enum dissect_result res;
	const char *why;
	char name[96];
	int bad = 0, wrong = 0, missing = 0;
	bool is_error = w == W_TIMEX || w == W_UNREACH;

	snprintf(name, sizeof(name), "%s-%s-%s%s%s", pname(s->proto), fname(s->src.family),
		 wname[w], is_error ? "-" : "", is_error ? qname[q] : "");
	len = is_error ? wrap_error(pkt, probe, plen, s->src.family, w, q) : wrap_target(pkt, s, probe, plen, w);
	save_seed(name, pkt, len);

	res = reply_dissect(pkt, len, &got);
	why = res != DISSECT_OK ? "not OK" : reply_diff(&got, &want, true);
	ok(why == NULL, "round trip %s: %s", name, why ? why : "exact");

	/* A capture cut short anywhere is never read as a reply. */
	for (size_t n = 0; n < len; n++) {
		memcpy(cut, pkt, n);
		if (reply_dissect(cut, n, &got) != DISSECT_TRUNCATED)
			bad++;
	}
	ok(bad == 0, "%s: cut at each of %zu lengths -> TRUNCATED (%d not)", name, len, bad);

	if (!is_error)
		return;
	/*
	 * A router that sends a shorter message, with consistent lengths: an
	 * OK must carry exactly the probe's fields, and once the quote holds
	 * the IP header and 8 transport bytes it must be OK.
	 */
	for (size_t m = 0; m + hl <= len; m++) {
		memcpy(cut, pkt, hl + m);
		fix_icmp(cut, hl + m);
		res = reply_dissect(cut, hl + m, &got);
		if (res == DISSECT_OK) {
			/* Labels survive only if the extension is whole. */
			if (reply_diff(&got, &want, false) != NULL ||
			    (got.mpls_count != 0 && reply_diff(&got, &want, true) != NULL))
				wrong++;
		} else if (m >= 8 + hl + 8) {
			missing++;
		}
	}
	ok(wrong == 0 && missing == 0, "%s: message shortened to each length: %d misread, %d lost",
	   name, wrong, missing);
}

static void test_round_trips(void)
{
	static const enum probe_proto protos[] = { PROBE_UDP, PROBE_TCP, PROBE_ICMP };
	static const int fams[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < 2; f++) {
		for (size_t p = 0; p < 3; p++) {
			struct probe_spec s = base_spec(protos[p], fams[f]);

			for (int w = W_TIMEX; w <= W_UNREACH; w++)
				for (int q = Q_MIN; q <= Q_COMPAT; q++)
					round_trip(&s, (enum wrap)w, (enum quote)q);
			if (s.proto == PROBE_ICMP)
				round_trip(&s, W_ECHO, Q_MIN);
			if (s.proto == PROBE_TCP) {
				round_trip(&s, W_SYNACK, Q_MIN);
				round_trip(&s, W_RST, Q_MIN);
			}
		}
	}

	/* Many ids through one path, so no id is special to the dissector. */
	for (size_t f = 0; f < 2; f++) {
		for (size_t p = 0; p < 3; p++) {
			struct probe_spec s = base_spec(protos[p], fams[f]);
			uint8_t probe[BUFSZ], pkt[BUFSZ];
			int bad = 0;

			for (uint32_t id = 1; id < 0xffff; id += 7) {
				struct reply got, want;
				size_t plen, len;

				s.probe_id = (uint16_t)id;
				s.tag = id * 0x9e3779b97f4a7c15ull;
				plen = probe_build(&s, probe, sizeof(probe));
				len = wrap_error(pkt, probe, plen, s.src.family, W_TIMEX, Q_MIN);
				want = expected(&s, W_TIMEX, Q_MIN);
				if (reply_dissect(pkt, len, &got) != DISSECT_OK || reply_diff(&got, &want, true))
					bad++;
				if (s.proto == PROBE_TCP) {
					len = wrap_target(pkt, &s, probe, plen, W_SYNACK);
					want = expected(&s, W_SYNACK, Q_MIN);
					if (reply_dissect(pkt, len, &got) != DISSECT_OK ||
					    reply_diff(&got, &want, true))
						bad++;
				}
			}
			ok(bad == 0, "%s %s: 9362 probe ids survive the round trip (%d bad)",
			   pname(s.proto), fname(s.src.family), bad);
		}
	}
}

/* ---- hostile and foreign packets ---- */

/* A UDP v4 or v6 time-exceeded reply to start a mutation from. */
static size_t sample(uint8_t *pkt, int family, enum quote q, struct probe_spec *s)
{
	uint8_t probe[BUFSZ];
	size_t plen;

	*s = base_spec(PROBE_UDP, family);
	plen = probe_build(s, probe, sizeof(probe));
	return wrap_error(pkt, probe, plen, family, W_TIMEX, q);
}

static enum dissect_result dis(const uint8_t *b, size_t len, struct reply *r)
{
	/* Copy into an exact-size heap block so a sanitizer sees any over-read. */
	uint8_t *copy = malloc(len ? len : 1);
	enum dissect_result res;

	memcpy(copy, b, len);
	res = reply_dissect(copy, len, r);
	free(copy);
	return res;
}

/*
 * Path MTU discovery's messages: IPv4 "fragmentation needed" (3/4) with
 * the next-hop MTU in bytes 6-7 (RFC 1191), ICMPv6 "packet too big" (2)
 * with a 32-bit MTU in bytes 4-7 and no RFC 4884 length (its quote runs
 * to the minimum MTU: nothing past 128 bytes is an extension).  Other
 * errors carry no MTU.
 */
static void test_mtu(void)
{
	for (int fam = 0; fam < 2; fam++) {
		int family = fam ? AF_INET6 : AF_INET;
		size_t hl = fam ? 40 : 20;

		for (int q = Q_MIN; q <= Q_FULL; q++) {
			uint8_t pkt[BUFSZ];
			struct probe_spec s;
			struct reply r;
			size_t len = sample(pkt, family, (enum quote)q, &s);
			enum dissect_result res;

			ok(dis(pkt, len, &r) == DISSECT_OK && r.mtu == 0,
			   "%s %s quote: time exceeded carries no MTU", fname(family), qname[q]);
			if (fam) {
				pkt[hl] = 2;
				pkt[hl + 1] = 0;
				wr32(pkt + hl + 4, 1400);
			} else {
				pkt[hl] = 3;
				pkt[hl + 1] = 4;
				wr16(pkt + hl + 4, 0);
				wr16(pkt + hl + 6, 1400);
			}
			fix_icmp(pkt, len);
			res = dis(pkt, len, &r);
			ok(res == DISSECT_OK && r.kind == REPLY_DEST_UNREACH && r.mtu == 1400 &&
				   r.sport == s.sport && r.probe_id == s.probe_id &&
				   r.icmp_type == (fam ? 2 : 3),
			   "%s %s quote: %s gives next-hop MTU 1400 and the probe (res %d mtu %u)",
			   fname(family), qname[q], fam ? "packet too big" : "fragmentation needed",
			   (int)res, (unsigned)r.mtu);
		}
	}
	{
		/*
		 * A path MTU probe: IPv4 sets don't-fragment (ordinary probes do
		 * not); an ICMPv6 packet too big about a 1500-byte probe quotes
		 * only its first 1232 bytes, and that still proves it ours.
		 */
		uint8_t probe[BUFSZ], pkt[BUFSZ];
		struct probe_spec s = base_spec(PROBE_UDP, AF_INET);
		struct reply r;
		size_t plen, len;

		ok(probe_build(&s, probe, sizeof(probe)) > 0 && probe[6] == 0,
		   "ordinary IPv4 probe: don't-fragment clear");
		s.df = true;
		s.payload_len = 1500 - 28;
		ok(probe_build(&s, probe, sizeof(probe)) == 1500 && probe[6] == 0x40,
		   "1500-byte IPv4 path MTU probe: don't-fragment set");
		s = base_spec(PROBE_UDP, AF_INET6);
		s.df = true;
		s.payload_len = 1500 - 48;
		plen = probe_build(&s, probe, sizeof(probe));
		len = wrap_error(pkt, probe, 1232, AF_INET6, W_UNREACH, Q_FULL);
		pkt[40] = 2;
		pkt[41] = 0;
		wr32(pkt + 44, 1400);
		fix_icmp(pkt, len);
		ok(plen == 1500 && dis(pkt, len, &r) == DISSECT_OK && r.mtu == 1400 &&
			   probe_check_reply(&s, &r) == PROBE_CHECK_OK,
		   "IPv6 packet too big quoting 1232 bytes of a 1500-byte probe: it is ours");
	}
	{
		/* A port unreachable: no MTU, even with bytes where one would be. */
		uint8_t pkt[BUFSZ];
		struct probe_spec s;
		struct reply r;
		size_t len = sample(pkt, AF_INET, Q_MIN, &s);

		pkt[20] = 3;
		pkt[21] = 3;
		wr16(pkt + 26, 1400);
		fix_icmp(pkt, len);
		ok(dis(pkt, len, &r) == DISSECT_OK && r.mtu == 0,
		   "IPv4 port unreachable: no MTU read from its unused bytes");
	}
}

static void test_ipv4_header_lies(void)
{
	uint8_t pkt[BUFSZ], b[BUFSZ];
	struct probe_spec s;
	struct reply r, want;
	size_t len = sample(pkt, AF_INET, Q_MIN, &s);

	want = expected(&s, W_TIMEX, Q_MIN);
	memcpy(b, pkt, len);
	b[0] = 0x44;
	ok(dis(b, len, &r) == DISSECT_MALFORMED, "IHL 4 -> MALFORMED");
	b[0] = 0x4f;
	ok(dis(b, len, &r) == DISSECT_TRUNCATED, "IHL 15 (60 bytes) in a %zu-byte datagram -> TRUNCATED", len);
	b[0] = 0x55;
	ok(dis(b, len, &r) == DISSECT_MALFORMED, "version 5 -> MALFORMED");
	b[0] = 0x05;
	ok(dis(b, len, &r) == DISSECT_MALFORMED, "version 0 -> MALFORMED");

	memcpy(b, pkt, len);
	wr16(b + 2, (uint16_t)(len + 1));
	ok(dis(b, len, &r) == DISSECT_TRUNCATED, "total length 1 past the capture -> TRUNCATED");
	wr16(b + 2, 0xffff);
	ok(dis(b, len, &r) == DISSECT_TRUNCATED, "total length 65535 -> TRUNCATED");
	wr16(b + 2, 19);
	ok(dis(b, len, &r) == DISSECT_MALFORMED, "total length below the header -> MALFORMED");
	wr16(b + 2, 20);
	ok(dis(b, len, &r) == DISSECT_TRUNCATED, "total length = header only -> TRUNCATED");

	/* Ethernet pads short frames: bytes past the total length are not part of the datagram. */
	memcpy(b, pkt, len);
	memset(b + len, 0xee, 18);
	ok(dis(b, len + 18, &r) == DISSECT_OK && reply_diff(&r, &want, true) == NULL,
	   "link padding after the datagram is ignored");

	memcpy(b, pkt, len);
	wr16(b + 6, 0x0005);
	ok(dis(b, len, &r) == DISSECT_IGNORED, "non-first fragment -> IGNORED");
	wr16(b + 6, 0x2000);
	ok(dis(b, len, &r) == DISSECT_OK, "first fragment (MF, offset 0) is read");

	/* IPv4 options in the outer header (IHL 6). */
	memmove(b + 24, pkt + 20, len - 20);
	memcpy(b, pkt, 20);
	b[0] = 0x46;
	wr32(b + 20, 0x01010101);	/* four NOPs */
	wr16(b + 2, (uint16_t)(len + 4));
	ok(dis(b, len + 4, &r) == DISSECT_OK && reply_diff(&r, &want, true) == NULL,
	   "outer IPv4 options skipped");

	/* Options in the quoted header (quote IHL 6). */
	memcpy(b, pkt, 28);
	memcpy(b + 28, pkt + 28, 20);
	b[28] = 0x46;
	wr32(b + 48, 0x01010101);
	memcpy(b + 52, pkt + 48, 8);
	fix_icmp(b, len + 4);
	ok(dis(b, len + 4, &r) == DISSECT_OK && reply_diff(&r, &want, true) == NULL,
	   "quoted IPv4 options skipped");
	b[28] = 0x43;
	ok(dis(b, len + 4, &r) == DISSECT_MALFORMED, "quoted IHL 3 -> MALFORMED");

	ok(dis(pkt, 0, &r) == DISSECT_TRUNCATED, "empty input -> TRUNCATED");
	ok(reply_dissect(NULL, 0, &r) == DISSECT_TRUNCATED, "NULL, 0 -> TRUNCATED");
}

static void test_foreign(void)
{
	uint8_t pkt[BUFSZ], b[BUFSZ];
	struct probe_spec s;
	struct reply r;
	size_t len = sample(pkt, AF_INET, Q_MIN, &s);
	size_t len6;
	uint8_t pkt6[BUFSZ];

	memcpy(b, pkt, len);
	b[28 + 9] = 47;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "quote of a GRE packet -> IGNORED");
	b[28 + 9] = 50;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "quote of an ESP packet -> IGNORED");

	/* An ICMP error quoting an ICMP error. */
	memcpy(b, pkt, len);
	b[28 + 9] = 1;
	b[48] = 3;
	b[49] = 1;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "error quoting an ICMP error -> IGNORED");
	b[48] = 0;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "error quoting an echo reply -> IGNORED");

	memcpy(b, pkt, len);
	b[28] = 0x65;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "ICMPv4 quoting an IPv6 header -> IGNORED");

	memcpy(b, pkt, len);
	b[20] = 5;	/* redirect */
	ok(dis(b, len, &r) == DISSECT_IGNORED, "ICMP redirect -> IGNORED");
	b[20] = 8;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "ICMP echo request -> IGNORED");
	memcpy(b, pkt, len);
	b[9] = 17;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "outer UDP -> IGNORED");
	b[9] = 58;
	ok(dis(b, len, &r) == DISSECT_IGNORED, "ICMPv6 protocol number inside IPv4 -> IGNORED");

	len6 = sample(pkt6, AF_INET6, Q_MIN, &s);
	memcpy(b, pkt6, len6);
	b[40] = 4;	/* parameter problem (packet too big is read: test_mtu) */
	ok(dis(b, len6, &r) == DISSECT_IGNORED, "ICMPv6 parameter problem -> IGNORED");
	b[40] = 1;
	b[48] = 0x45;
	ok(dis(b, len6, &r) == DISSECT_IGNORED, "ICMPv6 quoting an IPv4 header -> IGNORED");
	memcpy(b, pkt6, len6);
	b[48 + 6] = 58;
	b[88] = 1;
	ok(dis(b, len6, &r) == DISSECT_IGNORED, "ICMPv6 error quoting an ICMPv6 error -> IGNORED");
	b[48 + 6] = 50;
	ok(dis(b, len6, &r) == DISSECT_IGNORED, "ICMPv6 quote of ESP -> IGNORED");
	b[48 + 6] = 59;
	ok(dis(b, len6, &r) == DISSECT_IGNORED, "ICMPv6 quote with no next header -> IGNORED");
	memcpy(b, pkt6, len6);
	b[0] = 0x70;
	ok(dis(b, len6, &r) == DISSECT_MALFORMED, "version 7 -> MALFORMED");
	memcpy(b, pkt6, len6);
	wr16(b + 4, (uint16_t)(len6 - 39));
	ok(dis(b, len6, &r) == DISSECT_TRUNCATED, "IPv6 payload length past the capture -> TRUNCATED");
	ok(dis(b, 39, &r) == DISSECT_TRUNCATED, "39 bytes of IPv6 -> TRUNCATED");
}

static void test_tcp_replies(void)
{
	struct probe_spec s = base_spec(PROBE_TCP, AF_INET);
	uint8_t probe[BUFSZ], pkt[BUFSZ], b[BUFSZ];
	size_t plen = probe_build(&s, probe, sizeof(probe));
	size_t len = wrap_target(pkt, &s, probe, plen, W_SYNACK);
	static const struct {
		uint8_t flags;
		enum dissect_result res;
		const char *what;
	} flags[] = {
		{ 0x12, DISSECT_OK, "SYN+ACK" },
		{ 0x52, DISSECT_OK, "SYN+ACK+ECE (ECN)" },
		{ 0x14, DISSECT_OK, "RST+ACK" },
		{ 0x04, DISSECT_IGNORED, "bare RST" },
		{ 0x02, DISSECT_IGNORED, "bare SYN" },
		{ 0x10, DISSECT_IGNORED, "bare ACK" },
		{ 0x11, DISSECT_IGNORED, "FIN+ACK" },
		{ 0x16, DISSECT_IGNORED, "SYN+RST+ACK" },
		{ 0x18, DISSECT_IGNORED, "PSH+ACK" },
	};
	struct reply r;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		memcpy(b, pkt, len);
		b[20 + 13] = flags[i].flags;
		ok(dis(b, len, &r) == flags[i].res, "TCP %s -> %s", flags[i].what,
		   flags[i].res == DISSECT_OK ? "OK" : "IGNORED");
	}
	memcpy(b, pkt, len);
	b[20 + 12] = 0x40;
	ok(dis(b, len, &r) == DISSECT_MALFORMED, "TCP data offset 4 -> MALFORMED");
	b[20 + 12] = 0xf0;
	ok(dis(b, len, &r) == DISSECT_TRUNCATED, "TCP data offset 15 past the end -> TRUNCATED");

	/* ack 0 means our sequence was 0xffffffff: the subtraction must wrap. */
	s.tag = 0xffff0000u;
	s.probe_id = 0xfffe;
	plen = probe_build(&s, probe, sizeof(probe));
	len = wrap_target(pkt, &s, probe, plen, W_RST);
	ok(dis(pkt, len, &r) == DISSECT_OK && r.tcp_seq == 0xfffeffff && r.probe_id == 0xfffe,
	   "ack-1 with the tag's half 0xffff");
	wr32(pkt + 20 + 8, 0);
	ok(dis(pkt, len, &r) == DISSECT_OK && r.tcp_seq == 0xffffffff && r.probe_id == 0xffff,
	   "ack 0 wraps to seq 0xffffffff");
}

/* IPv6 extension headers in front of the ICMPv6 header and inside the quote. */
/*
 * A SYN with data (a path MTU probe): its answers ack our sequence + 1
 * (SYN-ACK: the data is not taken) or + 1 + the data (a reset, RFC 9293
 * 3.10.7.1); both are ours, in both families, even where the tag's half
 * would carry into the probe id's.  Anything else is not.
 */
static void test_tcp_syn_data(void)
{
	for (int fam = 0; fam < 2; fam++) {
		struct probe_spec s = base_spec(PROBE_TCP, fam ? AF_INET6 : AF_INET);
		uint8_t probe[BUFSZ], pkt[BUFSZ];
		size_t hl = fam ? 40 : 20, plen, len;
		struct reply r;
		bool good = true;

		s.df = true;
		s.payload_len = (uint16_t)(1500 - hl - 20);
		s.tag = 0xfffff000ffffffffull;	/* the tag's half at 0xffff: the data would carry */
		plen = probe_build(&s, probe, sizeof(probe));
		ok(plen == 1500 && (probe_tcp_seq(&s) & 0xffff) + s.payload_len < 0x10000,
		   "IPv%d SYN with data: 1500 bytes, its sequence leaves room for the data's ack",
		   fam ? 6 : 4);
		for (int w = 0; w < 2; w++) {
			for (int extra = -1; extra <= 1; extra++) {
				uint32_t ack = probe_tcp_seq(&s) + 1 + (w ? s.payload_len : 0) + (uint32_t)extra;
				bool want = extra == 0;

				len = wrap_target(pkt, &s, probe, plen, w ? W_RST : W_SYNACK);
				wr32(pkt + hl + 8, ack);
				memset(&r, 0, sizeof(r));
				good &= dis(pkt, len, &r) == DISSECT_OK;
				good &= (r.probe_id == s.probe_id &&
					 probe_check_reply(&s, &r) == PROBE_CHECK_OK) == want;
			}
		}
		ok(good, "IPv%d SYN with data: a SYN-ACK acking the SYN and a reset acking the data "
		   "are its answers, acks one off are not", fam ? 6 : 4);
	}
}

/*
 * The first fragment of an echo reply too big for the way back (a path
 * MTU probe's): IPv4 with more-fragments set, IPv6 with a fragment header
 * at offset 0.  It answers the probe when the MAC in its part of the
 * payload is the probe's; the same bytes as a whole datagram, a fragment
 * holding too little of the payload or the whole of it, a byte of the MAC
 * changed, or a later fragment are not answers.
 */
static size_t first_fragment(uint8_t *out, const uint8_t *whole, int family, size_t data,
			     bool more, uint16_t offset8)
{
	size_t hl = family == AF_INET ? 20 : 40;

	if (family == AF_INET) {
		memcpy(out, whole, hl + data);
		wr16(out + 2, (uint16_t)(hl + data));
		wr16(out + 6, (uint16_t)((more ? 0x2000 : 0) | offset8));
		wr16(out + 10, 0);
		wr16(out + 10, (uint16_t)~ref_fold(out, hl));
		return hl + data;
	}
	memcpy(out, whole, hl);
	out[6] = 44;
	out[hl] = 58;
	out[hl + 1] = 0;
	wr16(out + hl + 2, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	wr32(out + hl + 4, 0x0badf00d);
	memcpy(out + hl + 8, whole + hl, data);
	wr16(out + 4, (uint16_t)(8 + data));
	return hl + 8 + data;
}

static void test_echo_fragments(void)
{
	for (int fam = 0; fam < 2; fam++) {
		int family = fam ? AF_INET6 : AF_INET;
		struct probe_spec s = base_spec(PROBE_ICMP, family);
		uint8_t probe[BUFSZ], whole[BUFSZ], pkt[BUFSZ];
		size_t hl = fam ? 40 : 20, plen, wlen, len;
		struct reply r;

		s.df = true;
		s.payload_len = (uint16_t)(1500 - hl - 8);
		plen = probe_build(&s, probe, sizeof(probe));
		wlen = wrap_target(whole, &s, probe, plen, W_ECHO);
		ok(plen == 1500 && wlen == 1500, "IPv%d echo fragments: a 1500-byte probe and reply",
		   fam ? 6 : 4);
		len = first_fragment(pkt, whole, family, 1376, true, 0);
		save_seed(fam ? "frag-icmp-v6-echo-first" : "frag-icmp-v4-echo-first", pkt, len);
		ok(dis(pkt, len, &r) == DISSECT_OK && r.fragment && r.kind == REPLY_ECHO_REPLY &&
		   r.payload_len == 1376 - 8 && probe_check_reply(&s, &r) == PROBE_CHECK_OK,
		   "IPv%d: the first fragment of its echo reply answers it", fam ? 6 : 4);
		ok(dis(whole, wlen, &r) == DISSECT_OK && !r.fragment &&
		   probe_check_reply(&s, &r) == PROBE_CHECK_OK, "IPv%d: the whole reply too", fam ? 6 : 4);
		len = first_fragment(pkt, whole, family, 1376, false, 0);
		ok(dis(pkt, len, &r) == DISSECT_OK && !r.fragment &&
		   probe_check_reply(&s, &r) == PROBE_CHECK_LENGTH,
		   "IPv%d: the same bytes as a whole (shorter) reply -> LENGTH", fam ? 6 : 4);
		len = first_fragment(pkt, whole, family, 16, true, 0);
		ok(dis(pkt, len, &r) == DISSECT_OK && r.fragment &&
		   probe_check_reply(&s, &r) == PROBE_CHECK_LENGTH,
		   "IPv%d: a first fragment without the whole MAC -> LENGTH", fam ? 6 : 4);
		len = first_fragment(pkt, whole, family, 1376, true, 0);
		pkt[len - 1376 + 8 + 5] ^= 1;
		ok(dis(pkt, len, &r) == DISSECT_OK && probe_check_reply(&s, &r) == PROBE_CHECK_MAC,
		   "IPv%d: a first fragment with a byte of the MAC changed -> MAC", fam ? 6 : 4);
		len = first_fragment(pkt, whole, family, 1376, true, 1376 / 8);
		ok(dis(pkt, len, &r) == DISSECT_IGNORED, "IPv%d: a later fragment -> IGNORED",
		   fam ? 6 : 4);
		/* An ordinary probe's reply is never fragmented: one that is holds all its payload. */
		s.df = false;
		s.payload_len = 25;
		plen = probe_build(&s, probe, sizeof(probe));
		wlen = wrap_target(whole, &s, probe, plen, W_ECHO);
		len = first_fragment(pkt, whole, family, wlen - hl, true, 0);
		ok(dis(pkt, len, &r) == DISSECT_OK && r.fragment &&
		   probe_check_reply(&s, &r) == PROBE_CHECK_LENGTH,
		   "IPv%d: a 'fragment' holding the whole payload -> LENGTH", fam ? 6 : 4);
		/* For the fuzzer's check_auth (its tag, 12 bytes of payload): 10 of them in the fragment. */
		s.tag = 0x5eed5eed5eed5eedull;
		s.payload_len = 12;
		plen = probe_build(&s, probe, sizeof(probe));
		wlen = wrap_target(whole, &s, probe, plen, W_ECHO);
		len = first_fragment(pkt, whole, family, 8 + 10, true, 0);
		save_seed(fam ? "auth-icmp-v6-echo-fragment" : "auth-icmp-v4-echo-fragment", pkt, len);
		ok(dis(pkt, len, &r) == DISSECT_OK && probe_check_reply(&s, &r) == PROBE_CHECK_OK,
		   "IPv%d: a first fragment with the MAC whole, 10 of 12 payload bytes, answers",
		   fam ? 6 : 4);
	}
}

static void test_ipv6_ext(void)
{
	uint8_t pkt[BUFSZ], b[BUFSZ];
	struct probe_spec s;
	struct reply r, want;
	size_t len = sample(pkt, AF_INET6, Q_FULL, &s);
	size_t n, off;

	want = expected(&s, W_TIMEX, Q_FULL);

	/* Outer: hop-by-hop (8) -> routing (24) -> fragment (8, offset 0) -> dest opts (16) -> ICMPv6. */
	memcpy(b, pkt, 40);
	off = 40;
	b[6] = 0;
	b[off] = 43, b[off + 1] = 0, memset(b + off + 2, 0, 6), off += 8;
	b[off] = 44, b[off + 1] = 2, memset(b + off + 2, 0, 22), off += 24;
	b[off] = 60, b[off + 1] = 0, wr16(b + off + 2, 0x0001), wr32(b + off + 4, 0x1234), off += 8;
	b[off] = 58, b[off + 1] = 1, memset(b + off + 2, 0, 14), off += 16;
	memcpy(b + off, pkt + 40, len - 40);
	n = off + len - 40;
	wr16(b + 4, (uint16_t)(n - 40));
	save_seed("udp-v6-timex-outer-ext-chain", b, n);
	ok(dis(b, n, &r) == DISSECT_OK && reply_diff(&r, &want, true) == NULL,
	   "outer IPv6 chain hop-by-hop, routing, fragment, dest options");
	{
		int bad = 0;

		for (size_t k = 0; k < n; k++)
			if (dis(b, k, &r) != DISSECT_TRUNCATED)
				bad++;
		ok(bad == 0, "outer chain cut at each length -> TRUNCATED (%d not)", bad);
	}

	/* A fragment header with a non-zero offset: not a first fragment. */
	wr16(b + 40 + 8 + 24 + 2, 0x0008);
	ok(dis(b, n, &r) == DISSECT_IGNORED, "outer non-first IPv6 fragment -> IGNORED");

	/* Outer chain whose last header claims more bytes than the datagram has. */
	memcpy(b, pkt, 40);
	b[6] = 60;
	b[40] = 58;
	b[41] = 200;
	memset(b + 42, 0, 30);
	wr16(b + 4, 32);
	ok(dis(b, 72, &r) == DISSECT_TRUNCATED, "truncated extension header chain -> TRUNCATED");

	/* A long chain of destination options: bounded, refused, no crash. */
	memcpy(b, pkt, 40);
	b[6] = 60;
	for (off = 40; off < 40 + 8 * 100; off += 8) {
		b[off] = 60;
		memset(b + off + 1, 0, 7);
	}
	memcpy(b + off, pkt + 40, len - 40);
	n = off + len - 40;
	wr16(b + 4, (uint16_t)(n - 40));
	ok(dis(b, n, &r) == DISSECT_IGNORED, "chain of 100 extension headers -> IGNORED");
	b[off - 8] = 58;
	ok(dis(b, n, &r) == DISSECT_IGNORED, "chain of 100 ending in ICMPv6 -> still IGNORED");

	/* Quote carrying a destination-options and a fragment header (offset 0). */
	memcpy(b, pkt, 48 + 40);
	b[48 + 6] = 60;
	off = 48 + 40;
	b[off] = 44, b[off + 1] = 0, memset(b + off + 2, 0, 6), off += 8;
	b[off] = 17, b[off + 1] = 0, wr16(b + off + 2, 0), wr32(b + off + 4, 0x42), off += 8;
	memcpy(b + off, pkt + 48 + 40, len - 48 - 40);
	n = off + len - 48 - 40;
	fix_icmp(b, n);
	save_seed("udp-v6-timex-quote-ext-chain", b, n);
	/* The quoted payload length was left as sent: it claims 16 payload bytes fewer. */
	ok(dis(b, n, &r) == DISSECT_OK && reply_diff(&r, &want, false) == NULL,
	   "quote with dest options + fragment headers");
	fix_icmp(b, 48 + 40 + 16 + 7);
	ok(dis(b, 48 + 40 + 16 + 7, &r) == DISSECT_TRUNCATED,
	   "quote with headers but 7 transport bytes -> TRUNCATED");
	fix_icmp(b, 48 + 40 + 12);
	ok(dis(b, 48 + 40 + 12, &r) == DISSECT_TRUNCATED, "quote cut inside its extension header -> TRUNCATED");
	fix_icmp(b, n);
	wr16(b + 48 + 40 + 8 + 2, 0x0009);	/* the fragment header follows the 8-byte dest options */
	ok(dis(b, n, &r) == DISSECT_IGNORED, "quote of a non-first fragment -> IGNORED");
}

/* RFC 4884 extension structures that are broken in various ways. */
static void test_extensions(void)
{
	static const uint32_t many[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const int fams[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < 2; f++) {
		uint8_t pkt[BUFSZ], b[BUFSZ];
		struct probe_spec s;
		struct reply r, want;
		size_t len = sample(pkt, fams[f], Q_MPLS, &s);
		size_t hl = fams[f] == AF_INET ? 20 : 40;
		size_t ext = hl + 8 + 128;
		const char *fam = fname(fams[f]);
		size_t n;

		want = expected(&s, W_TIMEX, Q_MPLS);
		memcpy(b, pkt, len);
		b[ext + 2] ^= 0x55;
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && reply_diff(&r, &want, false) == NULL && r.mpls_count == 0,
		   "%s: bad extension checksum -> reply kept, labels dropped", fam);

		memcpy(b, pkt, len);
		b[ext] = 0x10;
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && r.mpls_count == 0, "%s: extension version 1 ignored", fam);

		/* Zero checksum: "not computed", accepted when the length attribute is set. */
		memcpy(b, pkt, len);
		wr16(b + ext + 2, 0);
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && reply_diff(&r, &want, true) == NULL,
		   "%s: zero extension checksum accepted with a length attribute", fam);

		/* Object length 0 (would loop forever if trusted) and past the end. */
		memcpy(b, pkt, len);
		wr16(b + ext + 4, 0);
		wr16(b + ext + 2, 0);
		wr16(b + ext + 2, (uint16_t)~ref_fold(b + ext, len - ext));
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && reply_diff(&r, &want, false) == NULL && r.mpls_count == 0,
		   "%s: object length 0 -> extension ignored", fam);
		wr16(b + ext + 4, 200);
		wr16(b + ext + 2, 0);
		wr16(b + ext + 2, (uint16_t)~ref_fold(b + ext, len - ext));
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && r.mpls_count == 0, "%s: object past the end -> ignored", fam);

		/* Length attribute pointing past the message: no extension, quote still read. */
		memcpy(b, pkt, len);
		b[hl + (fams[f] == AF_INET ? 5 : 4)] = 255;
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && reply_diff(&r, &want, false) == NULL && r.mpls_count == 0,
		   "%s: length attribute past the end -> quote read, no labels", fam);

		/* More labels than REPLY_MAX_MPLS, after an interface-information object (RFC 5837). */
		memcpy(b, pkt, ext);
		n = ext;
		b[n] = 0x20, b[n + 1] = 0, wr16(b + n + 2, 0), n += 4;
		wr16(b + n, 12), b[n + 2] = 2, b[n + 3] = 0x0a, wr32(b + n + 4, 1), wr32(b + n + 8, 2), n += 12;
		wr16(b + n, 4 + 4 * 12), b[n + 2] = 1, b[n + 3] = 1, n += 4;
		for (int i = 0; i < 12; i++, n += 4)
			wr32(b + n, many[i] << 12 | (uint32_t)(i == 11) << 8 | 64);
		wr16(b + ext + 2, (uint16_t)~ref_fold(b + ext, n - ext));
		fix_icmp(b, n);
		save_seed(fams[f] == AF_INET ? "udp-v4-timex-12-labels" : "udp-v6-timex-12-labels", b, n);
		ok(dis(b, n, &r) == DISSECT_OK && r.mpls_count == REPLY_MAX_MPLS && r.mpls_label[0] == 1 &&
		   r.mpls_label[REPLY_MAX_MPLS - 1] == REPLY_MAX_MPLS,
		   "%s: 12 labels after another object -> first %d kept", fam, REPLY_MAX_MPLS);

		/* Legacy (no length) with a zero checksum: cannot tell it from data, so no labels. */
		len = sample(pkt, fams[f], Q_COMPAT, &s);
		memcpy(b, pkt, len);
		wr16(b + ext + 2, 0);
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && r.mpls_count == 0,
		   "%s: legacy extension without a valid checksum ignored", fam);
	}
}

/*
 * The whole label stack entries (-e shows label, TC, S and TTL as mtr does):
 * as sent, with a traffic class set, and an object cut in mid-entry by the
 * end of the message, whose labels are then all dropped.
 */
static void test_mpls_entries(void)
{
	static const int fams[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < 2; f++) {
		uint8_t pkt[BUFSZ], b[BUFSZ];
		struct probe_spec s;
		struct reply r, want;
		size_t len = sample(pkt, fams[f], Q_MPLS, &s);
		size_t hl = fams[f] == AF_INET ? 20 : 40, ext = hl + 8 + 128, n;
		const char *fam = fname(fams[f]);
		bool good;

		want = expected(&s, W_TIMEX, Q_MPLS);
		good = dis(pkt, len, &r) == DISSECT_OK && r.mpls_count == NLABELS;
		for (int i = 0; good && i < NLABELS; i++)
			good = r.mpls_entry[i] == (test_labels[i] << 12 | (uint32_t)(i == NLABELS - 1) << 8 | 1) &&
			       r.mpls_label[i] == test_labels[i];
		ok(good, "%s: %d entries kept whole: label, S on the last, TTL 1", fam, NLABELS);

		/* Traffic class 5 and TTL 254 on the first entry. */
		memcpy(b, pkt, len);
		wr32(b + ext + 8, test_labels[0] << 12 | 5u << 9 | 254);
		wr16(b + ext + 2, 0);
		wr16(b + ext + 2, (uint16_t)~ref_fold(b + ext, len - ext));
		fix_icmp(b, len);
		save_seed(fams[f] == AF_INET ? "udp-v4-timex-mpls-tc" : "udp-v6-timex-mpls-tc", b, len);
		ok(dis(b, len, &r) == DISSECT_OK && r.mpls_count == NLABELS &&
		   (r.mpls_entry[0] >> 9 & 7) == 5 && (r.mpls_entry[0] & 0xff) == 254 &&
		   (r.mpls_entry[0] >> 8 & 1) == 0 && r.mpls_label[0] == test_labels[0],
		   "%s: traffic class 5, TTL 254 read from the entry", fam);

		/* The message ends two bytes into the last entry: structure cut short. */
		n = len - 2;
		memcpy(b, pkt, n);
		wr16(b + ext + 2, 0);
		wr16(b + ext + 2, (uint16_t)~ref_fold(b + ext, n - ext));
		fix_icmp(b, n);
		save_seed(fams[f] == AF_INET ? "udp-v4-timex-mpls-cut" : "udp-v6-timex-mpls-cut", b, n);
		ok(dis(b, n, &r) == DISSECT_OK && reply_diff(&r, &want, false) == NULL && r.mpls_count == 0,
		   "%s: MPLS object cut in mid-entry -> reply kept, no labels", fam);

		/* An object length that is not a whole number of entries. */
		memcpy(b, pkt, len);
		wr16(b + ext + 4, (uint16_t)(rd16(b + ext + 4) - 2));
		wr16(b + ext + 2, 0);
		wr16(b + ext + 2, (uint16_t)~ref_fold(b + ext, len - ext));
		fix_icmp(b, len);
		ok(dis(b, len, &r) == DISSECT_OK && reply_diff(&r, &want, false) == NULL && r.mpls_count == 0,
		   "%s: MPLS object length not a multiple of 4 -> no labels", fam);
	}
}

/* Random bytes and random damage to valid replies: no crash, and invariants on OK. */
static void test_random(void)
{
	uint32_t x = 0x12345678;
	int bad = 0, oks = 0;
	uint8_t pkt[BUFSZ], b[BUFSZ];
	struct probe_spec s;
	size_t len = sample(pkt, AF_INET6, Q_MPLS, &s);

	for (int i = 0; i < 200000; i++) {
		struct reply r;
		size_t n = len;

		memcpy(b, pkt, len);
		for (int k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			b[x % len] = (uint8_t)(x >> 8);
		}
		if (i % 3 == 0)
			n = x % (len + 1);
		if (dis(b, n, &r) == DISSECT_OK) {
			oks++;
			if (!addr_is_set(&r.from) || r.probe_src.family != r.from.family ||
			    r.mpls_count < 0 || r.mpls_count > REPLY_MAX_MPLS)
				bad++;
		}
	}
	ok(bad == 0, "200000 damaged replies: no crash, %d OK, all consistent", oks);
}

int main(void)
{
	test_checksum_api();
	test_probes();
	test_probe_invalid();
	test_round_trips();
	test_mtu();
	test_ipv4_header_lies();
	test_foreign();
	test_tcp_replies();
	test_tcp_syn_data();
	test_echo_fragments();
	test_ipv6_ext();
	test_extensions();
	test_mpls_entries();
	test_random();
	return tap_done();
}
