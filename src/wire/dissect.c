/*
 * Reply dissection: decides whether one captured IP datagram answers a
 * probe of ours and rebuilds that probe's identity from it.
 *
 *   ICMP (RFC 792) / ICMPv6 (RFC 4443) time exceeded and destination
 *   unreachable: the identity comes from the quoted IP header (RFC 791,
 *   RFC 8200 with its extension headers) and the first 8 bytes of the
 *   quoted transport header, which RFC 792 guarantees are present.
 *   RFC 4884 extension structures after the quote may carry RFC 4950 MPLS
 *   label stacks.
 *   ICMP echo replies and TCP SYN-ACK / RST (RFC 9293) come from the
 *   target itself and carry the identity in their own headers.
 *
 * Every byte is hostile: all reads go through a span whose bounds are
 * checked before a fixed-size block of fields is read, and a problem in
 * the optional RFC 4884 part never costs us the reply.  Nothing here
 * decides whether the reply is ours: it reports every quoted or echoed
 * field (lengths, TTL left, IP-ID, sequence, payload) for
 * probe_check.c to compare with the probe it names.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/dissect.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
#define ICMP_HLEN 8
#define TCP_HLEN 20
/* RFC 792 promises this much of the original datagram's transport header. */
#define QUOTE_L4_LEN 8
/* RFC 4884 section 5.5: legacy senders put extensions after a fixed 128-byte quote. */
#define RFC4884_COMPAT_LEN 128
/* Far more IPv6 extension headers than any real path produces; beyond this we give up. */
#define EXT6_MAX 16

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* A bounded view of received bytes. */
struct span {
	const uint8_t *p;
	size_t len;
};

/* True if n bytes starting at off lie inside the span (written so it cannot overflow). */
static bool has(const struct span *s, size_t off, size_t n)
{
	return off <= s->len && n <= s->len - off;
}

/* Sub-span [off, off + n); the caller has checked has(s, off, n). */
static struct span sub(const struct span *s, size_t off, size_t n)
{
	struct span r = { s->p + off, n };

	return r;
}

/* Readers for fields inside a block already checked with has(). */
static uint16_t get16(const struct span *s, size_t off)
{
	return (uint16_t)(s->p[off] << 8 | s->p[off + 1]);
}

static uint32_t get32(const struct span *s, size_t off)
{
	return (uint32_t)get16(s, off) << 16 | get16(s, off + 2);
}

/* What one IP header (outer or quoted) told us. */
struct ip_info {
	int family;
	struct ip_addr src, dst;
	uint8_t proto;		/* upper-layer protocol after any extension headers */
	uint8_t ttl;		/* TTL / hop limit */
	uint16_t ip_id;		/* IPv4 identification; 0 on IPv6 */
	uint32_t flow_label;	/* IPv6 only */
	uint16_t total_len;	/* datagram length the header claims (IPv6: 40 + payload length) */
	struct span l4;		/* from the upper-layer header to the end of the datagram */
	size_t l4_claimed;	/* upper-layer bytes the header claims; a quote may hold fewer */
	bool first_fragment;	/* offset 0 with more fragments to come */
};

/*
 * Skips IPv6 extension headers (RFC 8200 section 4) starting at *off with
 * next header *nh.  A non-first fragment cannot hold a transport header,
 * and an absurdly long chain is nobody we talk to: both are IGNORED.
 */
static enum dissect_result skip_ext6(const struct span *s, size_t *off, uint8_t *nh, bool *more)
{
	for (int n = 0;; n++) {
		size_t hlen;

		switch (*nh) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (!has(s, *off, 2))
				return DISSECT_TRUNCATED;
			hlen = ((size_t)s->p[*off + 1] + 1) * 8;
			break;
		case 44:	/* fragment */
			if (!has(s, *off, 8))
				return DISSECT_TRUNCATED;
			if ((get16(s, *off + 2) & 0xfff8) != 0)
				return DISSECT_IGNORED;
			*more = *more || (get16(s, *off + 2) & 1) != 0;
			hlen = 8;
			break;
		default:
			return DISSECT_OK;
		}
		if (n >= EXT6_MAX)
			return DISSECT_IGNORED;
		if (!has(s, *off, hlen))
			return DISSECT_TRUNCATED;
		*nh = s->p[*off];
		*off += hlen;
	}
}

/*
 * IPv4 header at the start of s.  "quoted" is false for the outer datagram,
 * which is trimmed to its total length and must be complete; a quote is
 * whatever the router sent (it was cut, and RFC 4884 may have padded it),
 * so its total length is not trusted.
 */
static enum dissect_result parse_ip4(const struct span *s, bool quoted, struct ip_info *ip)
{
	size_t hlen, end = s->len;

	if (!has(s, 0, IP4_HLEN))
		return DISSECT_TRUNCATED;
	hlen = (size_t)(s->p[0] & 0x0f) * 4;
	if (hlen < IP4_HLEN)
		return DISSECT_MALFORMED;
	if (!has(s, 0, hlen))
		return DISSECT_TRUNCATED;
	if (!quoted) {
		end = get16(s, 2);
		if (end < hlen)
			return DISSECT_MALFORMED;
		if (end > s->len)
			return DISSECT_TRUNCATED;
	}
	/* A non-first fragment has no transport header to look at. */
	if ((get16(s, 6) & 0x1fff) != 0)
		return DISSECT_IGNORED;
	ip->first_fragment = (get16(s, 6) & 0x2000) != 0;
	ip->family = AF_INET;
	ip->total_len = get16(s, 2);
	ip->l4_claimed = ip->total_len > hlen ? ip->total_len - hlen : 0;
	ip->ip_id = get16(s, 4);
	ip->ttl = s->p[8];
	ip->proto = s->p[9];
	ip->src.family = ip->dst.family = AF_INET;
	memcpy(ip->src.b, s->p + 12, 4);
	memcpy(ip->dst.b, s->p + 16, 4);
	ip->l4 = sub(s, hlen, end - hlen);
	return DISSECT_OK;
}

/* IPv6 header and extension headers at the start of s; "quoted" as for parse_ip4. */
static enum dissect_result parse_ip6(const struct span *s, bool quoted, struct ip_info *ip)
{
	struct span d;
	size_t off = IP6_HLEN;
	uint8_t nh;
	enum dissect_result r;

	if (!has(s, 0, IP6_HLEN))
		return DISSECT_TRUNCATED;
	d = *s;
	if (!quoted) {
		if (!has(s, IP6_HLEN, get16(s, 4)))
			return DISSECT_TRUNCATED;
		d = sub(s, 0, IP6_HLEN + (size_t)get16(s, 4));
	}
	ip->family = AF_INET6;
	ip->flow_label = get32(s, 0) & 0xfffff;
	ip->ttl = s->p[7];
	ip->src.family = ip->dst.family = AF_INET6;
	memcpy(ip->src.b, s->p + 8, 16);
	memcpy(ip->dst.b, s->p + 24, 16);
	nh = s->p[6];
	r = skip_ext6(&d, &off, &nh, &ip->first_fragment);
	if (r != DISSECT_OK)
		return r;
	ip->proto = nh;
	ip->l4 = sub(&d, off, d.len - off);
	ip->total_len = (uint16_t)(IP6_HLEN + get16(s, 4) <= 0xffff ? IP6_HLEN + get16(s, 4) : 0xffff);
	ip->l4_claimed = IP6_HLEN + (size_t)get16(s, 4) > off ? IP6_HLEN + (size_t)get16(s, 4) - off : 0;
	return DISSECT_OK;
}

/*
 * IP header of either version at the start of s.  For a quote, want_family
 * is the outer family: an ICMPv4 error quoting IPv6 (or the reverse) is
 * not about anything we sent.
 */
static enum dissect_result parse_ip(const struct span *s, int want_family, struct ip_info *ip)
{
	int version;
	bool quoted = want_family != 0;

	memset(ip, 0, sizeof(*ip));
	if (!has(s, 0, 1))
		return DISSECT_TRUNCATED;
	version = s->p[0] >> 4;
	if (quoted && version != (want_family == AF_INET ? 4 : 6))
		return DISSECT_IGNORED;
	if (version == 4)
		return parse_ip4(s, quoted, ip);
	if (version == 6)
		return parse_ip6(s, quoted, ip);
	return DISSECT_MALFORMED;
}

/*
 * Keeps the payload found from off on in t (at most claimed bytes of it
 * belong to the datagram): the probe's MAC is there when the answer
 * carries it (a full quote, an echo reply).
 */
static void keep_payload(const struct span *t, size_t off, size_t claimed, struct reply *r)
{
	size_t n = 0;

	if (off < t->len)
		n = t->len - off;
	if (claimed < off + n)
		n = claimed > off ? claimed - off : 0;
	if (n > 0xffff)
		n = 0xffff;
	r->payload_len = (uint16_t)n;
	memcpy(r->payload, t->p + off, n < REPLY_PAYLOAD_MAX ? n : REPLY_PAYLOAD_MAX);
}

/*
 * Reads the first 8 bytes of the transport header quoted in an ICMP error,
 * which is all RFC 792 promises, and recovers the probe's identity; and
 * the payload after it where the router quoted more.
 */
static enum dissect_result parse_quoted_l4(const struct ip_info *q, struct reply *r)
{
	const struct span *t = &q->l4;
	uint8_t echo_request = q->family == AF_INET ? 8 : 128;
	uint8_t icmp_proto = q->family == AF_INET ? 1 : 58;
	uint32_t seq;

	if (q->proto != 17 && q->proto != 6 && q->proto != icmp_proto)
		return DISSECT_IGNORED;	/* GRE, ESP, ...: not a probe of ours */
	if (!has(t, 0, QUOTE_L4_LEN))
		return DISSECT_TRUNCATED;
	switch (q->proto) {
	case 17:
		r->proto = PROBE_UDP;
		r->sport = get16(t, 0);
		r->dport = get16(t, 2);
		r->quoted_l4_len = get16(t, 4);
		r->probe_id = get16(t, 6);	/* the checksum is the id (probe.c) */
		keep_payload(t, QUOTE_L4_LEN, q->l4_claimed, r);
		break;
	case 6:
		r->proto = PROBE_TCP;
		r->sport = get16(t, 0);
		r->dport = get16(t, 2);
		seq = get32(t, 4);
		r->tcp_seq = seq;
		r->probe_id = (uint16_t)(seq >> 16);
		break;
	default:
		/* Only our echo requests; an error about an error is never ours. */
		if (t->p[0] != echo_request)
			return DISSECT_IGNORED;
		r->proto = PROBE_ICMP;
		r->icmp_checksum = get16(t, 2);
		r->sport = get16(t, 4);
		r->probe_id = get16(t, 6);
		keep_payload(t, QUOTE_L4_LEN, q->l4_claimed, r);
		break;
	}
	r->probe_src = q->src;
	r->probe_dst = q->dst;
	r->quoted_ttl = q->ttl;
	r->quoted_len = q->total_len;
	if (q->family == AF_INET)
		r->ip_id = q->ip_id;
	else
		r->flow_label = q->flow_label;
	return DISSECT_OK;
}

/*
 * Reads an RFC 4884 extension structure and keeps the labels of RFC 4950
 * MPLS label stack objects (class 1, c-type 1).  Labels are committed only
 * if the whole structure is well-formed; otherwise it is ignored.  A zero
 * checksum is accepted unless must_sum (the legacy fixed-offset guess,
 * where only a valid checksum tells an extension from quoted bytes).
 */
static void parse_extensions(const struct span *e, bool must_sum, struct reply *r)
{
	uint32_t entries[REPLY_MAX_MPLS];
	int n = 0;
	size_t off = 4;

	if (!has(e, 0, 4) || e->p[0] >> 4 != 2)
		return;
	if ((must_sum || get16(e, 2) != 0) && cksum_finish(cksum_add(0, e->p, e->len)) != 0)
		return;
	while (off < e->len) {
		size_t olen;

		if (!has(e, off, 4))
			return;
		olen = get16(e, off);
		if (olen < 4 || !has(e, off, olen))
			return;
		if (e->p[off + 2] == 1 && e->p[off + 3] == 1) {
			if (olen % 4 != 0)
				return;
			/* Each entry: label 20 bits, traffic class 3, bottom-of-stack 1, TTL 8. */
			for (size_t i = off + 4; i < off + olen; i += 4)
				if (n < REPLY_MAX_MPLS)
					entries[n++] = get32(e, i);
		}
		off += olen;
	}
	for (int i = 0; i < n; i++) {
		r->mpls_entry[i] = entries[i];
		r->mpls_label[i] = entries[i] >> 12;
	}
	r->mpls_count = n;
}

/* Per family and ICMP type: what it means, and where RFC 4884 puts the length. */
static const struct icmp_type {
	int family;
	uint8_t type;
	enum reply_kind kind;
	uint8_t len_at;		/* offset of the RFC 4884 length octet; 0 if none */
	uint8_t len_unit;	/* bytes per unit of that length */
} icmp_types[] = {
	{ AF_INET, 11, REPLY_TIME_EXCEEDED, 5, 4 },
	{ AF_INET, 3, REPLY_DEST_UNREACH, 5, 4 },
	{ AF_INET, 0, REPLY_ECHO_REPLY, 0, 0 },
	{ AF_INET6, 3, REPLY_TIME_EXCEEDED, 4, 8 },
	{ AF_INET6, 1, REPLY_DEST_UNREACH, 4, 8 },
	/* Packet too big: the MTU takes the word RFC 4884's length would be in. */
	{ AF_INET6, 2, REPLY_DEST_UNREACH, 0, 0 },
	{ AF_INET6, 129, REPLY_ECHO_REPLY, 0, 0 },
};

static enum dissect_result parse_icmp(const struct ip_info *ip, struct reply *r)
{
	const struct span *m = &ip->l4;
	const struct icmp_type *t = NULL;
	struct span quote;
	struct ip_info q;
	size_t qlen, ext_at = 0, units;
	bool compat = false;
	enum dissect_result res;

	if (!has(m, 0, ICMP_HLEN))
		return DISSECT_TRUNCATED;
	for (size_t i = 0; i < sizeof(icmp_types) / sizeof(icmp_types[0]); i++)
		if (icmp_types[i].family == ip->family && icmp_types[i].type == m->p[0])
			t = &icmp_types[i];
	if (t == NULL)
		return DISSECT_IGNORED;
	r->kind = t->kind;
	r->icmp_type = m->p[0];
	r->icmp_code = m->p[1];

	if (t->kind == REPLY_ECHO_REPLY) {
		/* From the target: we sent from its destination to its source. */
		r->proto = PROBE_ICMP;
		r->sport = get16(m, 4);
		r->probe_id = get16(m, 6);
		r->probe_src = ip->dst;
		r->probe_dst = ip->src;
		/* The target echoes the whole payload, MAC included. */
		keep_payload(m, ICMP_HLEN, m->len, r);
		return DISSECT_OK;
	}

	if (ip->family == AF_INET && r->icmp_type == 3 && r->icmp_code == 4)
		r->mtu = get16(m, 6);
	else if (ip->family == AF_INET6 && r->icmp_type == 2)
		r->mtu = get32(m, 4);

	/* RFC 4884: a non-zero length gives the size of the quote; extensions follow it. */
	qlen = m->len - ICMP_HLEN;
	units = t->len_at ? m->p[t->len_at] : 0;
	if (units != 0 && units * t->len_unit <= qlen) {
		qlen = units * t->len_unit;
		ext_at = ICMP_HLEN + qlen;
	} else if (t->len_at && units == 0 && qlen > RFC4884_COMPAT_LEN) {
		ext_at = ICMP_HLEN + RFC4884_COMPAT_LEN;
		compat = true;
	}

	quote = sub(m, ICMP_HLEN, qlen);
	res = parse_ip(&quote, ip->family, &q);
	if (res != DISSECT_OK)
		return res;
	res = parse_quoted_l4(&q, r);
	if (res != DISSECT_OK)
		return res;

	if (ext_at != 0 && ext_at < m->len) {
		struct span e = sub(m, ext_at, m->len - ext_at);

		parse_extensions(&e, compat, r);
	}
	return DISSECT_OK;
}

/* A TCP segment from the target answering our SYN. */
static enum dissect_result parse_tcp(const struct ip_info *ip, struct reply *r)
{
	const struct span *t = &ip->l4;
	uint8_t flags;
	uint32_t ours;

	if (!has(t, 0, TCP_HLEN))
		return DISSECT_TRUNCATED;
	if (t->p[12] >> 4 < 5)
		return DISSECT_MALFORMED;
	if (!has(t, 0, (size_t)(t->p[12] >> 4) * 4))
		return DISSECT_TRUNCATED;
	flags = t->p[13] & (TCP_SYN | TCP_RST | TCP_ACK | TCP_FIN);
	if (flags == (TCP_SYN | TCP_ACK))
		r->kind = REPLY_TCP_SYNACK;
	else if (flags == (TCP_RST | TCP_ACK))
		r->kind = REPLY_TCP_RST;
	else
		return DISSECT_IGNORED;
	/* The segment goes from the target to us: swap back to the probe's view. */
	r->proto = PROBE_TCP;
	r->sport = get16(t, 2);
	r->dport = get16(t, 0);
	r->probe_src = ip->dst;
	r->probe_dst = ip->src;
	/* Our SYN used one sequence number, so the ACK is our sequence + 1. */
	ours = get32(t, 8) - 1;
	r->tcp_seq = ours;
	r->probe_id = (uint16_t)(ours >> 16);
	return DISSECT_OK;
}

enum dissect_result reply_dissect(const uint8_t *pkt, size_t len, struct reply *out)
{
	struct span s = { pkt, pkt != NULL ? len : 0 };
	struct ip_info ip;
	struct reply r;
	enum dissect_result res;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	res = parse_ip(&s, 0, &ip);
	if (res != DISSECT_OK)
		return res;
	r.from = ip.src;
	r.to = ip.dst;
	r.reply_ttl = ip.ttl;
	r.fragment = ip.first_fragment;

	if (ip.proto == (ip.family == AF_INET ? 1 : 58))
		res = parse_icmp(&ip, &r);
	else if (ip.proto == 6)
		res = parse_tcp(&ip, &r);
	else
		res = DISSECT_IGNORED;
	if (res == DISSECT_OK)
		*out = r;
	return res;
}

void reply_extensions(const uint8_t *ext, size_t len, struct reply *r)
{
	struct span e = { ext, ext != NULL ? len : 0 };

	r->mpls_count = 0;
	parse_extensions(&e, false, r);
}
