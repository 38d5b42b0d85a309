/*
 * Keeps the simulator honest: for each kind of answer simnet produces, the
 * test builds the real packet a router or host would send (IPv4 RFC 791 /
 * IPv6 RFC 8200 header, ICMP error quoting the probe_build() bytes, echo
 * reply, TCP SYN-ACK/RST) and checks that reply_dissect() reports exactly
 * the struct reply simnet queued.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"
#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/dissect.h"
#include "wire/probe.h"

/* Writes an IP header for an l4len-byte payload; returns the header length. */
static size_t ip_header(uint8_t *b, const struct ip_addr *src, const struct ip_addr *dst,
			uint8_t proto, uint8_t ttl, size_t l4len)
{
	if (src->family == AF_INET) {
		memset(b, 0, 20);
		b[0] = 0x45;
		put16(b + 2, (uint16_t)(20 + l4len));
		b[8] = ttl;
		b[9] = proto;
		memcpy(b + 12, src->b, 4);
		memcpy(b + 16, dst->b, 4);
		put16(b + 10, cksum_finish(cksum_add(0, b, 20)));
		return 20;
	}
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (uint16_t)l4len);
	b[6] = proto;
	b[7] = ttl;
	memcpy(b + 8, src->b, 16);
	memcpy(b + 24, dst->b, 16);
	return 40;
}

/* The on-the-wire packet for simnet's reply r to probe p (whose bytes are pkt). */
static size_t wire_reply(const struct reply *r, const struct probe_spec *p, const uint8_t *probe,
			 size_t plen, uint8_t *b)
{
	bool v6 = p->dst.family == AF_INET6;
	size_t hl = v6 ? 40 : 20, l4len;
	uint8_t *l4 = b + hl;
	uint8_t proto = v6 ? 58 : 1;

	switch (r->kind) {
	case REPLY_TIME_EXCEEDED:
	case REPLY_DEST_UNREACH:
		memset(l4, 0, 8);
		l4[0] = r->icmp_type;
		l4[1] = r->icmp_code;
		memcpy(l4 + 8, probe, plen);
		/* The quoted header as the answering node saw it. */
		l4[8 + (v6 ? 7 : 8)] = r->quoted_ttl;
		l4len = 8 + plen;
		break;
	case REPLY_ECHO_REPLY:
		l4len = plen - hl;
		memcpy(l4, probe + hl, l4len);
		l4[0] = r->icmp_type;
		l4[2] = l4[3] = 0;
		break;
	case REPLY_TCP_SYNACK:
	case REPLY_TCP_RST:
	default:
		proto = 6;
		l4len = 20;
		memset(l4, 0, 20);
		put16(l4, p->dport);
		put16(l4 + 2, p->sport);
		put32(l4 + 4, 0x11223344u);
		put32(l4 + 8, probe_tcp_seq(p) + 1);
		l4[12] = 5 << 4;
		l4[13] = r->kind == REPLY_TCP_SYNACK ? 0x12 : 0x14;
		break;
	}
	ip_header(b, &r->from, &p->src, proto, r->reply_ttl, l4len);
	if (proto != 6) {
		uint32_t sum = v6 ? cksum_pseudo(&r->from, &p->src, 58, (uint32_t)l4len) : 0;

		l4[2] = l4[3] = 0;
		put16(l4 + 2, cksum_finish(cksum_add(sum, l4, l4len)));
	}
	return hl + l4len;
}

static bool same_addr(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

/* Field by field, naming the first difference. */
static const char *differs(const struct reply *a, const struct reply *b)
{
	if (a->kind != b->kind)
		return "kind";
	if (a->icmp_type != b->icmp_type || a->icmp_code != b->icmp_code)
		return "icmp type/code";
	if (!same_addr(&a->from, &b->from))
		return "from";
	if (a->reply_ttl != b->reply_ttl)
		return "reply_ttl";
	if (a->proto != b->proto)
		return "proto";
	if (!same_addr(&a->probe_src, &b->probe_src) || !same_addr(&a->probe_dst, &b->probe_dst))
		return "probe addresses";
	if (a->sport != b->sport || a->dport != b->dport)
		return "ports";
	if (a->probe_id != b->probe_id)
		return "probe_id";
	if (a->tcp_seq != b->tcp_seq || a->icmp_checksum != b->icmp_checksum)
		return "tcp_seq/icmp_checksum";
	if (!same_addr(&a->to, &b->to))
		return "to";
	if (a->quoted_len != b->quoted_len || a->quoted_l4_len != b->quoted_l4_len)
		return "quoted lengths";
	if (a->payload_len != b->payload_len ||
	    memcmp(a->payload + 2, b->payload + 2, sizeof(a->payload) - 2) != 0)
		return "payload";
	if (a->ip_id != b->ip_id)
		return "ip_id";
	if (a->quoted_ttl != b->quoted_ttl)
		return "quoted_ttl";
	if (a->flow_label != b->flow_label)
		return "flow_label";
	if (a->mpls_count != b->mpls_count)
		return "mpls";
	return NULL;
}

static void check(int family, enum probe_proto proto, int ttl, bool listening, int unreach,
		  const char *what)
{
	struct ip_addr src, dst;
	struct probe_spec p;
	struct simnet *n;
	struct reply sim, real;
	uint8_t probe[PROBE_MAX_LEN], pkt[PROBE_MAX_LEN + 100];
	size_t plen, len;
	enum dissect_result res = DISSECT_MALFORMED;
	const char *diff = "no reply from simnet";

	simrun_default_addrs(family, &src, &dst);
	n = simnet_chain(&src, &dst, 3, 51);
	simnet_dest(n)->listening = listening;
	if (unreach >= 0)
		simnet_node(n, simnet_at(n, 2, 0))->unreach_code = unreach;
	memset(&p, 0, sizeof(p));
	p.proto = proto;
	p.src = src;
	p.dst = dst;
	p.ttl = (uint8_t)ttl;
	p.sport = 33007;
	p.dport = proto == PROBE_ICMP ? 0 : 33434;
	p.flow_label = family == AF_INET6 ? 0x12345 : 0;
	p.probe_id = 0x4321;
	p.tag = 0x0abc5eed1234cafeull;
	p.icmp_checksum = 0x9a9a;
	p.payload_len = proto == PROBE_TCP ? 0 : 12;
	plen = probe_build(&p, probe, sizeof(probe));
	simnet_send(n, &p, 0);
	if (plen > 0 && simnet_next_reply(n, UINT64_MAX, &sim)) {
		len = wire_reply(&sim, &p, probe, plen, pkt);
		res = reply_dissect(pkt, len, &real);
		diff = res == DISSECT_OK ? differs(&sim, &real) : "dissect failed";
	}
	ok(diff == NULL, "%s: reply_dissect agrees with simnet%s%s (result %d)", what,
	   diff ? ", differs in " : "", diff ? diff : "", (int)res);
	simnet_free(n);
}

int main(void)
{
	static const struct {
		enum probe_proto proto;
		const char *name;
	} protos[] = {
		{PROBE_UDP, "UDP"},
		{PROBE_TCP, "TCP"},
		{PROBE_ICMP, "ICMP"},
	};
	char what[96];

	for (int fam = 0; fam < 2; fam++) {
		int family = fam ? AF_INET6 : AF_INET;
		const char *v = fam ? "IPv6" : "IPv4";

		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			snprintf(what, sizeof(what), "%s %s time exceeded", v, protos[i].name);
			check(family, protos[i].proto, 2, true, -1, what);
			snprintf(what, sizeof(what), "%s %s at the destination", v, protos[i].name);
			check(family, protos[i].proto, 9, true, -1, what);
			snprintf(what, sizeof(what), "%s %s unreachable from a router", v, protos[i].name);
			check(family, protos[i].proto, 9, true, fam ? 1 : 13, what);
		}
		snprintf(what, sizeof(what), "%s TCP RST", v);
		check(family, PROBE_TCP, 9, false, -1, what);
	}
	return tap_done();
}
