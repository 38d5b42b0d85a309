/*
 * libFuzzer target for src/wire/sockreply.c: what an unprivileged socket
 * hands over (an error-queue control message and the quote of a probe, or
 * a ping socket's echo reply) comes from the network and the kernel's
 * framing of it, so neither may be read past (the sanitizers watch that),
 * and whatever becomes a reply must be one of the socket's probes and pass
 * that probe's own check (probe_check.h): an error's reply passes it
 * whole (with at most REPLY_MAX_MPLS 20-bit labels from an RFC 4884
 * extension), an echo reply fails it only by coming from someone other than
 * the target.  The same input gives the same answer twice.
 *
 * Input: byte 0 picks the protocol (bits 0-1, mod 3), the family (bit 2)
 * and whether the quote starts as the real quote of a probe (bit 3) that
 * the rest of the input is then XORed over; byte 1 is the control
 * message's length (up to 64); byte 2 picks that probe; then the control
 * message, then the quote.  In `make check` this runs through replay.c
 * over tests/fuzz/corpus/sockreply; under real libFuzzer:
 *
 *   FUZZ_SOURCES="src/addr.c src/wire/sockreply.c src/wire/probe.c src/wire/probe_check.c src/wire/checksum.c" \
 *	tests/fuzz/run-libfuzzer.sh sockreply 60
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/probe_check.h"
#include "wire/sockreply.h"
#include "fuzz.h"

#define NPROBES 4

static void make_probes(struct probe_spec *p, enum probe_proto proto, int family)
{
	for (int i = 0; i < NPROBES; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].proto = proto;
		addr_parse(family == AF_INET6 ? "2001:db8::1" : "192.0.2.1", &p[i].src);
		addr_parse(family == AF_INET6 ? "2001:db8:9::9" : "198.51.100.9", &p[i].dst);
		p[i].ttl = (uint8_t)(i + 1);
		p[i].sport = 20000;
		p[i].dport = proto == PROBE_ICMP ? 0 : 33434;
		p[i].flow_label = family == AF_INET6 ? 0x54321 : 0;
		p[i].probe_id = (uint16_t)(0x2000 + 101 * i);
		p[i].tag = 0xfedcba9876543210ULL ^ (uint64_t)i << 40;
		p[i].icmp_checksum = 0x9abc;
		p[i].payload_len = proto == PROBE_TCP ? 0 : 12;
	}
}

/* The quote the kernel hands over for probe p; its length. */
static size_t real_quote(const struct probe_spec *p, uint8_t *q, size_t cap)
{
	uint8_t pkt[PROBE_MAX_LEN];
	size_t n = probe_build(p, pkt, sizeof(pkt)), l4 = probe_l4_len(p);
	size_t skip = p->proto == PROBE_UDP ? 8 : 0;

	CHECK(n > 0 && l4 >= skip && l4 - skip <= cap);
	memcpy(q, pkt + (n - l4) + skip, l4 - skip);
	return l4 - skip;
}

static int same(const struct reply *a, const struct reply *b)
{
	return a->kind == b->kind && a->mpls_count == b->mpls_count && a->probe_id == b->probe_id && a->sport == b->sport &&
	       addr_equal(&a->from, &b->from) && a->payload_len == b->payload_len &&
	       memcmp(a->payload, b->payload, sizeof(a->payload)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_spec p[NPROBES];
	struct sockreply_socket s;
	struct sockreply_note n;
	struct reply r, again;
	enum probe_proto proto;
	int family, k;
	size_t eelen, ql = 0;
	uint8_t *q;
	const uint8_t *rest;

	if (size < 3)
		return 0;
	proto = (enum probe_proto)((data[0] & 3) % 3);
	family = data[0] & 4 ? AF_INET6 : AF_INET;
	eelen = data[1] < 64 ? data[1] : 64;
	if (size - 3 < eelen)
		eelen = size - 3;
	make_probes(p, proto, family);
	s = (struct sockreply_socket){.proto = proto, .family = family, .sent = p,
				      .nsent = proto == PROBE_TCP ? 1 : NPROBES};
	rest = data + 3 + eelen;
	/* The quote in a block of exactly its size, so an over-read is caught. */
	q = malloc(PROBE_MAX_LEN + (size - 3 - eelen) + 1);
	if (q == NULL)
		return 0;
	if (data[0] & 8)
		ql = real_quote(&p[data[2] % s.nsent], q, PROBE_MAX_LEN);
	for (size_t i = 0; i < size - 3 - eelen; i++) {
		if (i < ql)
			q[i] ^= rest[i];
		else
			q[ql++] = rest[i];
	}
	{
		uint8_t *exact = malloc(ql ? ql : 1);
		uint8_t *ee = malloc(eelen ? eelen : 1);

		CHECK(exact != NULL && ee != NULL);
		memcpy(exact, q, ql);
		memcpy(ee, data + 3, eelen);
		(void)sockreply_parse_ee(eelen ? ee : NULL, eelen, &n);
		k = sockreply_from_error(&n, exact, ql, &s, &r);
		CHECK(k >= -1 && k < s.nsent);
		if (k >= 0) {
			CHECK(probe_check_reply(&p[k], &r) == PROBE_CHECK_OK);
			CHECK(addr_equal(&r.from, &n.offender));
			CHECK(r.mpls_count >= 0 && r.mpls_count <= REPLY_MAX_MPLS);
			for (int i = 0; i < r.mpls_count; i++)
				CHECK(r.mpls_label[i] < 1u << 20);
			CHECK(sockreply_from_error(&n, exact, ql, &s, &again) == k && same(&r, &again));
		}
		k = sockreply_from_echo(&n.offender, exact, ql, &s, &r);
		CHECK(k >= -1 && k < s.nsent);
		if (k >= 0) {
			enum probe_check c = probe_check_reply(&p[k], &r);

			CHECK(c == PROBE_CHECK_OK || c == PROBE_CHECK_ADDRESS);
			CHECK(proto == PROBE_ICMP);
		}
		free(exact);
		free(ee);
	}
	free(q);
	return 0;
}
