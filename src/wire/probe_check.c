/*
 * Reply authentication (see probe_check.h).  An ICMP error (RFC 792,
 * RFC 4443) quotes our datagram as it reached the router: the addresses,
 * ports, lengths and IPv4 identification unchanged, the TTL lowered to
 * what was left (0 or 1 at a router that expired it).  RFC 792 promises
 * only the first 8 bytes of the transport header; IPv4 routers after
 * RFC 1812 and every IPv6 node (RFC 4443 section 2.4: as much as fits in
 * 1280 bytes) quote the payload too.  Echo replies (RFC 792, RFC 4443
 * section 4.2) echo the whole payload; a TCP SYN-ACK or RST acknowledges
 * our sequence number plus one (RFC 9293 section 3.10.7).
 *
 * What routers legitimately change is not checked: the TTL (only bounded),
 * the header checksum, and the TOS / traffic class, which DiffServ
 * domains re-mark.  The UDP/ICMP compensation word depends on the source
 * address the kernel chose, and carries no secret, so it is skipped too.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "wire/probe_check.h"

/* Answers the target sends itself, quoting nothing. */
static bool direct(const struct reply *r)
{
	return r->kind == REPLY_ECHO_REPLY || r->kind == REPLY_TCP_SYNACK || r->kind == REPLY_TCP_RST;
}

/* The payload bytes kept (after the compensation word) carry the MAC. */
static bool payload_matches(const struct probe_spec *s, const struct reply *r)
{
	size_t n = r->payload_len;

	if (n > s->payload_len)
		n = s->payload_len;
	if (n > REPLY_PAYLOAD_MAX)
		n = REPLY_PAYLOAD_MAX;
	for (size_t i = PROBE_MIN_PAYLOAD; i < n; i++)
		if (r->payload[i] != probe_payload_byte(s, i))
			return false;
	return true;
}

/* The whole MAC came back in the payload (UDP, ICMP). */
static bool payload_whole(const struct probe_spec *s, const struct reply *r)
{
	return s->proto != PROBE_TCP && s->payload_len >= PROBE_MIN_PAYLOAD + 8 &&
	       r->payload_len >= s->payload_len;
}

/* Who the reply is about and from: the same for every kind. */
static enum probe_check check_identity(const struct probe_spec *s, const struct reply *r)
{
	if (r->proto != s->proto)
		return PROBE_CHECK_PROTO;
	if (!addr_equal(&r->probe_dst, &s->dst) || r->probe_src.family != s->dst.family)
		return PROBE_CHECK_ADDRESS;
	/* Errors go back to the probe's source: the quote must name the address it came to. */
	if (!addr_equal(&r->probe_src, &r->to))
		return PROBE_CHECK_ADDRESS;
	/* Only the target answers in its own name. */
	if (direct(r) && !addr_equal(&r->from, &s->dst))
		return PROBE_CHECK_ADDRESS;
	if (r->sport != s->sport || (s->proto != PROBE_ICMP && r->dport != s->dport))
		return PROBE_CHECK_PORTS;
	if (r->probe_id != s->probe_id)
		return PROBE_CHECK_ID;
	return PROBE_CHECK_OK;
}

/*
 * A TCP answer's acknowledgement - 1 (dissect.h): our sequence number, or
 * past the data of a SYN that carried some (a path MTU probe).  A
 * SYN-ACK acks the SYN only unless the server takes the data (TCP Fast
 * Open, RFC 7413: not without a cookie); a reset acks SEG.SEQ + SEG.LEN,
 * the data too (RFC 9293 section 3.10.7.1).  Either is taken.
 */
static bool tcp_acked(const struct probe_spec *s, const struct reply *r)
{
	uint32_t seq = probe_tcp_seq(s);

	return r->tcp_seq == seq || (s->payload_len > 0 && r->tcp_seq == seq + s->payload_len);
}

/* A direct answer: the MAC in the acknowledgement, or in the echoed payload. */
static enum probe_check check_direct(const struct probe_spec *s, const struct reply *r)
{
	if (s->proto == PROBE_TCP)
		return tcp_acked(s, r) ? PROBE_CHECK_OK : PROBE_CHECK_MAC;
	/*
	 * An echo reply too big for the way back arrives in fragments (IPv4
	 * routers fragment it, Linux sends it without DF; an IPv6 target
	 * fragments it once told the path is smaller): its first fragment
	 * holds less than the whole payload, but the MAC whole.  Only a path
	 * MTU probe is big enough for that.
	 */
	if (r->fragment) {
		if (s->proto != PROBE_ICMP || r->payload_len >= s->payload_len ||
		    r->payload_len < PROBE_MIN_PAYLOAD + 8)
			return PROBE_CHECK_LENGTH;
	} else if (r->payload_len != s->payload_len) {
		return PROBE_CHECK_LENGTH;
	}
	return payload_matches(s, r) ? PROBE_CHECK_OK : PROBE_CHECK_MAC;
}

/* An ICMP error: the quoted headers as we sent them, and the MAC where quoted. */
static enum probe_check check_quote(const struct probe_spec *s, const struct reply *r)
{
	bool v6 = s->dst.family == AF_INET6;

	if (v6 && r->flow_label != (s->flow_label & 0xfffff))
		return PROBE_CHECK_LABEL;
	if (r->quoted_len != probe_ip_len(s))
		return PROBE_CHECK_LENGTH;
	if (s->proto == PROBE_UDP && r->quoted_l4_len != probe_l4_len(s))
		return PROBE_CHECK_LENGTH;
	if (s->proto == PROBE_ICMP && r->icmp_checksum != s->icmp_checksum)
		return PROBE_CHECK_PORTS;
	if (r->quoted_ttl > s->ttl)
		return PROBE_CHECK_TTL;
	/*
	 * IPv6 nodes quote up to 1280 bytes: a quote without our payload is
	 * not theirs, unless the probe was bigger than a quote can hold (a
	 * path MTU probe).
	 */
	if (v6 && s->proto != PROBE_TCP && r->payload_len < s->payload_len &&
	    r->payload_len < PROBE_V6_QUOTED_PAYLOAD)
		return PROBE_CHECK_LENGTH;
	/*
	 * Some firewalls rewrite the IPv4 identification (OpenBSD's "scrub
	 * random-id"): where the payload is quoted whole, its 64-bit MAC
	 * suffices; where it is not, the IP-ID is half the check.
	 */
	if (!v6 && r->ip_id != probe_ip_id(s) && !payload_whole(s, r))
		return PROBE_CHECK_MAC;
	if (s->proto == PROBE_TCP && r->tcp_seq != probe_tcp_seq(s))
		return PROBE_CHECK_MAC;
	return payload_matches(s, r) ? PROBE_CHECK_OK : PROBE_CHECK_MAC;
}

enum probe_check probe_check_reply(const struct probe_spec *s, const struct reply *r)
{
	enum probe_check c = check_identity(s, r);

	if (c != PROBE_CHECK_OK)
		return c;
	return direct(r) ? check_direct(s, r) : check_quote(s, r);
}

/* The payload the probe carried, as kept in a reply (the compensation word left at zero). */
static void expected_payload(const struct probe_spec *p, struct reply *r)
{
	r->payload_len = p->payload_len;
	for (size_t i = PROBE_MIN_PAYLOAD; i < p->payload_len && i < REPLY_PAYLOAD_MAX; i++)
		r->payload[i] = probe_payload_byte(p, i);
}

void probe_expected_reply(const struct probe_spec *p, enum reply_kind kind, uint8_t quoted_ttl,
			  bool full_quote, struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->proto = p->proto;
	r->probe_src = p->src;
	r->probe_dst = p->dst;
	r->to = p->src;
	r->sport = p->sport;
	r->dport = p->proto == PROBE_ICMP ? 0 : p->dport;
	r->probe_id = p->probe_id;
	r->tcp_seq = p->proto == PROBE_TCP ? probe_tcp_seq(p) : 0;
	if (direct(r)) {
		if (kind == REPLY_ECHO_REPLY)
			expected_payload(p, r);
		return;
	}
	r->quoted_ttl = quoted_ttl;
	r->quoted_len = (uint16_t)probe_ip_len(p);
	r->quoted_l4_len = p->proto == PROBE_UDP ? (uint16_t)probe_l4_len(p) : 0;
	r->icmp_checksum = p->proto == PROBE_ICMP ? p->icmp_checksum : 0;
	if (p->dst.family == AF_INET)
		r->ip_id = probe_ip_id(p);
	else
		r->flow_label = p->flow_label & 0xfffff;
	if (full_quote && p->proto != PROBE_TCP)
		expected_payload(p, r);
}
