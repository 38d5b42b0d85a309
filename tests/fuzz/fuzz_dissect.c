/*
 * libFuzzer target for the reply dissector: any bytes may arrive from the
 * network, so reply_dissect must never read outside them (the sanitizers
 * watch that), and whatever it calls OK must be self-consistent: a reply
 * from the datagram's own source address, of a known kind and protocol,
 * with addresses of the datagram's family, at most REPLY_MAX_MPLS 20-bit
 * labels, and the same answer when asked twice.  The same bytes are also
 * read as a captured frame of each link type Linux hands out: the IP
 * offset stays inside them and a sender's address is at most 8 bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/dissect.h"
#include "wire/link.h"
#include "wire/probe_check.h"
#include "fuzz.h"

static void check_ok(const uint8_t *data, size_t size, const struct reply *r)
{
	int v4;

	CHECK(size >= 1);
	v4 = data[0] >> 4 == 4;
	CHECK(r->from.family == (v4 ? AF_INET : AF_INET6));
	CHECK(size >= (v4 ? 20u : 40u));
	CHECK(memcmp(r->from.b, data + (v4 ? 12 : 8), v4 ? 4 : 16) == 0);
	CHECK(r->reply_ttl == data[v4 ? 8 : 7]);
	CHECK(r->probe_src.family == r->from.family && r->probe_dst.family == r->from.family);
	CHECK(r->kind >= REPLY_TIME_EXCEEDED && r->kind <= REPLY_TCP_RST);
	CHECK(r->proto == PROBE_UDP || r->proto == PROBE_TCP || r->proto == PROBE_ICMP);
	CHECK(r->mpls_count >= 0 && r->mpls_count <= REPLY_MAX_MPLS);
	for (int i = 0; i < r->mpls_count; i++)
		CHECK(r->mpls_label[i] < 1u << 20 && r->mpls_entry[i] >> 12 == r->mpls_label[i]);
	CHECK(r->flow_label < 1u << 20);
	if (v4)
		CHECK(r->flow_label == 0);
	else
		CHECK(r->ip_id == 0);
	CHECK(memcmp(r->to.b, data + (v4 ? 16 : 24), v4 ? 4 : 16) == 0);
	CHECK(r->payload_len <= size);
	if (r->proto != PROBE_TCP)
		CHECK(r->tcp_seq == 0);
	else
		CHECK(r->probe_id == r->tcp_seq >> 16 && r->payload_len == 0);
	if (r->proto != PROBE_UDP)
		CHECK(r->quoted_l4_len == 0);
	if (r->proto == PROBE_ICMP)
		CHECK(r->dport == 0);
	/* A first fragment (more to come, offset 0) is said so; IPv4's flag is in the header. */
	if (v4)
		CHECK(r->fragment == ((data[6] & 0x20) != 0));

	/* Only frag-needed (3/4) and packet too big (2) carry a next-hop MTU. */
	if (r->mtu != 0)
		CHECK(r->kind == REPLY_DEST_UNREACH &&
		      (v4 ? r->icmp_type == 3 && r->icmp_code == 4 : r->icmp_type == 2));
	switch (r->kind) {
	case REPLY_TIME_EXCEEDED:
		CHECK(r->icmp_type == (v4 ? 11 : 3));
		break;
	case REPLY_DEST_UNREACH:
		/* ICMPv6 packet too big (2) reads as an unreachable, with its MTU. */
		CHECK(r->icmp_type == (v4 ? 3 : 1) || (!v4 && r->icmp_type == 2));
		break;
	case REPLY_ECHO_REPLY:
		/* From the target itself: nothing quoted, no labels. */
		CHECK(r->icmp_type == (v4 ? 0 : 129) && r->proto == PROBE_ICMP);
		CHECK(addr_equal(&r->probe_dst, &r->from));
		CHECK(r->mpls_count == 0 && r->ip_id == 0 && r->flow_label == 0);
		CHECK(r->quoted_len == 0 && r->quoted_ttl == 0);
		break;
	case REPLY_TCP_SYNACK:
	case REPLY_TCP_RST:
		CHECK(r->icmp_type == 0 && r->icmp_code == 0 && r->proto == PROBE_TCP);
		CHECK(addr_equal(&r->probe_dst, &r->from));
		CHECK(r->mpls_count == 0 && r->ip_id == 0 && r->flow_label == 0);
		CHECK(r->quoted_len == 0 && r->quoted_ttl == 0);
		break;
	}
}

/*
 * The authentication check on whatever came out: a probe spec made of
 * the reply's own claims and a fixed tag passes only if the reply carries
 * that tag wherever it quotes or echoes it: every payload byte kept, the
 * IPv4 identification unless the payload's whole MAC came back, the TCP
 * sequence number.  (libFuzzer learns the constant, so passes do happen.)
 */
static void check_auth(const struct reply *r)
{
	struct probe_spec s;
	struct reply want;

	memset(&s, 0, sizeof(s));
	s.proto = r->proto;
	s.src = r->to;
	s.dst = r->probe_dst;
	s.ttl = 255;
	s.sport = r->sport;
	s.dport = r->dport;
	s.flow_label = r->flow_label;
	s.probe_id = r->probe_id;
	s.tag = 0x5eed5eed5eed5eedull;
	s.icmp_checksum = r->icmp_checksum;
	s.payload_len = r->proto == PROBE_TCP ? 0 : 12;
	probe_expected_reply(&s, r->kind, r->quoted_ttl, true, &want);
	if (probe_check_reply(&s, r) != PROBE_CHECK_OK)
		return;
	if (r->proto == PROBE_TCP) {
		CHECK(r->tcp_seq == want.tcp_seq);
	} else {
		size_t n = r->payload_len < s.payload_len ? r->payload_len : s.payload_len;

		if (n > 2)
			CHECK(memcmp(r->payload + 2, want.payload + 2, n - 2) == 0);
	}
	if (r->from.family == AF_INET && r->quoted_len != 0 &&
	    (r->proto == PROBE_TCP || r->payload_len < s.payload_len))
		CHECK(r->ip_id == want.ip_id);
}

/* Field-by-field, so struct padding does not matter. */
static int same(const struct reply *a, const struct reply *b)
{
	return a->kind == b->kind && a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code &&
	       addr_equal(&a->from, &b->from) && a->reply_ttl == b->reply_ttl && a->proto == b->proto &&
	       addr_equal(&a->probe_src, &b->probe_src) && addr_equal(&a->probe_dst, &b->probe_dst) &&
	       a->sport == b->sport && a->dport == b->dport && a->probe_id == b->probe_id &&
	       a->tcp_seq == b->tcp_seq && a->ip_id == b->ip_id && a->quoted_ttl == b->quoted_ttl &&
	       a->quoted_len == b->quoted_len && a->quoted_l4_len == b->quoted_l4_len &&
	       a->icmp_checksum == b->icmp_checksum && addr_equal(&a->to, &b->to) &&
	       a->payload_len == b->payload_len && memcmp(a->payload, b->payload, sizeof(a->payload)) == 0 &&
	       a->flow_label == b->flow_label && a->mpls_count == b->mpls_count &&
	       memcmp(a->mpls_label, b->mpls_label, sizeof(a->mpls_label[0]) * (size_t)a->mpls_count) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply r, again;
	enum dissect_result res, res2;

	res = reply_dissect(data, size, &r);
	switch (res) {
	case DISSECT_OK:
		check_ok(data, size, &r);
		check_auth(&r);
		break;
	case DISSECT_TRUNCATED:
	case DISSECT_MALFORMED:
	case DISSECT_IGNORED:
		break;
	default:
		abort();
	}
	res2 = reply_dissect(data, size, &again);
	CHECK(res2 == res);
	if (res == DISSECT_OK)
		CHECK(same(&r, &again));

	static const int linktypes[] = {0, 1, 12, 101, 113, 228, 229, 276};
	for (size_t i = 0; i < sizeof(linktypes) / sizeof(linktypes[0]); i++) {
		uint8_t ll[REPLY_LLADDR_MAX];
		long off = link_ip_offset(linktypes[i], data, size);
		size_t n = link_source_addr(linktypes[i], data, size, ll, sizeof(ll));

		CHECK(off == -1 || (off >= 0 && (size_t)off < size));
		CHECK(n <= sizeof(ll));
		if (off > 0)
			(void)reply_dissect(data + off, size - (size_t)off, &again);
	}
	return 0;
}
