/*
 * Probe construction: one complete IPv4 (RFC 791) or IPv6 (RFC 8200)
 * datagram carrying UDP (RFC 768), a TCP SYN (RFC 9293) or an ICMP/ICMPv6
 * echo request (RFC 792/4443), ready for a raw socket with IP_HDRINCL.
 *
 * Paris traceroute: the fields routers hash on come from the flow and stay
 * constant; the probe's identity goes where routers do not look but ICMP
 * errors quote it.  For UDP and ICMP a 16-bit word at the start of the
 * payload is chosen so that the checksum comes out as the value we want
 * (RFC 1624 arithmetic: the checksum is a linear one's-complement sum, so
 * one free word can steer it to any value).  The rest of the payload and
 * the IPv4 identification carry the probe's MAC (probe.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/probe.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
/* A common SYN window (Linux default with a 1460 MSS); no reason to stand out. */
#define TCP_SYN_WINDOW 64240
#define TCP_FLAG_SYN 0x02

/* What each probe kind puts after the IP header. */
static const struct {
	uint8_t hlen;		/* transport header length */
	uint8_t proto4;		/* IPv4 protocol number */
	uint8_t proto6;		/* IPv6 next header */
	bool has_payload;	/* carries the compensation word */
} kinds[] = {
	[PROBE_UDP] = { 8, 17, 17, true },
	[PROBE_TCP] = { 20, 6, 6, false },
	[PROBE_ICMP] = { 8, 1, 58, true },
};

static bool spec_valid(const struct probe_spec *s)
{
	if ((unsigned)s->proto >= sizeof(kinds) / sizeof(kinds[0]))
		return false;
	if (!addr_is_set(&s->src) || s->src.family != s->dst.family)
		return false;
	if (s->probe_id == 0 || s->probe_id == 0xffff)
		return false;
	if (kinds[s->proto].has_payload)
		return s->payload_len >= PROBE_MIN_PAYLOAD;
	/*
	 * A SYN with data only as a path MTU probe (engine/pmtu.h): its size
	 * must be the flow's own SYN's, on the flow's own ports.  Ordinary
	 * TCP probes stay bare SYNs, as a connect() sends them.
	 */
	return s->payload_len == 0 || s->df;
}

/* Writes the IP header (20 or 40 bytes) for a transport segment of l4len bytes. */
static void put_ip(const struct probe_spec *s, uint8_t *buf, size_t l4len)
{
	if (s->src.family == AF_INET) {
		memset(buf, 0, IP4_HLEN);
		buf[0] = 0x45;			/* version 4, IHL 5: no options */
		buf[1] = s->tos;
		put16(buf + 2, (uint16_t)(IP4_HLEN + l4len));
		put16(buf + 4, probe_ip_id(s));	/* IP-ID carries part of the MAC */
		/* No DF but for path MTU probes: a small MTU on one branch must not eat probes. */
		if (s->df)
			buf[6] = 0x40;
		buf[8] = s->ttl;
		buf[9] = kinds[s->proto].proto4;
		memcpy(buf + 12, s->src.b, 4);
		memcpy(buf + 16, s->dst.b, 4);
		put16(buf + 10, cksum_finish(cksum_add(0, buf, IP4_HLEN)));
		return;
	}
	memset(buf, 0, IP6_HLEN);
	put32(buf, 6u << 28 | (uint32_t)s->tos << 20 | (s->flow_label & 0xfffff));
	put16(buf + 4, (uint16_t)l4len);
	buf[6] = kinds[s->proto].proto6;
	buf[7] = s->ttl;
	memcpy(buf + 8, s->src.b, 16);
	memcpy(buf + 24, s->dst.b, 16);
}

/*
 * The payload word that makes the checksum of a segment equal want, given
 * the folded sum of everything else (checksum field and word at zero).
 * The word must add ~want - sum in one's-complement arithmetic.  When
 * want is 0xffff no word can produce it (a non-zero sum never folds to
 * zero); the result is then 0x0000, which RFC 1071 treats as the same value.
 */
static uint16_t compensation(uint32_t sum, uint16_t want)
{
	uint32_t w = (uint32_t)(uint16_t)~want + (uint16_t)~sum;

	w = (w & 0xffff) + (w >> 16);
	return (uint16_t)w;
}

uint16_t probe_ip_id(const struct probe_spec *s)
{
	uint16_t id = (uint16_t)s->tag;

	return id != 0 ? id : 1;
}

uint32_t probe_tcp_seq(const struct probe_spec *s)
{
	uint16_t low = (uint16_t)(s->tag >> 16);

	/*
	 * A SYN with data: a reset acknowledges the data too (RFC 9293
	 * section 3.10.7.1: SEG.SEQ + SEG.LEN), so the low half must leave
	 * room for it below the probe id's half (payloads stay under 0x8000).
	 */
	if (s->proto == PROBE_TCP && s->df && s->payload_len > 0)
		low &= 0x7fff;
	return (uint32_t)s->probe_id << 16 | low;
}

uint8_t probe_payload_byte(const struct probe_spec *s, size_t i)
{
	size_t k = (i - PROBE_MIN_PAYLOAD) % 8;

	return (uint8_t)(s->tag >> (56 - 8 * k));
}

size_t probe_l4_len(const struct probe_spec *s)
{
	if ((unsigned)s->proto >= sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	return (size_t)kinds[s->proto].hlen + s->payload_len;
}

size_t probe_ip_len(const struct probe_spec *s)
{
	return (s->dst.family == AF_INET6 ? IP6_HLEN : IP4_HLEN) + probe_l4_len(s);
}

size_t probe_build(const struct probe_spec *s, uint8_t *buf, size_t cap)
{
	size_t l4len, iplen, total;
	uint8_t *l4;
	uint32_t psum = 0, sum;
	uint16_t want = 0;
	uint8_t proto;
	int csum_at;

	if (!spec_valid(s))
		return 0;
	l4len = (size_t)kinds[s->proto].hlen + s->payload_len;
	iplen = s->src.family == AF_INET ? IP4_HLEN : IP6_HLEN;
	total = iplen + l4len;
	if (total > cap || total > PROBE_MAX_LEN)
		return 0;

	put_ip(s, buf, l4len);
	l4 = buf + iplen;
	memset(l4, 0, l4len);
	proto = s->src.family == AF_INET ? kinds[s->proto].proto4 : kinds[s->proto].proto6;

	switch (s->proto) {
	case PROBE_UDP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, (uint16_t)l4len);
		psum = cksum_pseudo(&s->src, &s->dst, proto, (uint32_t)l4len);
		want = s->probe_id;
		csum_at = 6;
		break;
	case PROBE_TCP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, probe_tcp_seq(s));
		l4[12] = 5 << 4;		/* data offset: 5 words, no options */
		l4[13] = TCP_FLAG_SYN;
		put16(l4 + 14, TCP_SYN_WINDOW);
		psum = cksum_pseudo(&s->src, &s->dst, proto, (uint32_t)l4len);
		csum_at = 16;
		break;
	case PROBE_ICMP:
	default:
		l4[0] = s->src.family == AF_INET ? 8 : 128;	/* echo request */
		put16(l4 + 4, s->sport);
		put16(l4 + 6, s->probe_id);
		/* ICMPv4 has no pseudo-header; ICMPv6 does (RFC 4443 section 2.3). */
		if (s->src.family == AF_INET6)
			psum = cksum_pseudo(&s->src, &s->dst, proto, (uint32_t)l4len);
		want = s->icmp_checksum;
		csum_at = 2;
		break;
	}

	if (kinds[s->proto].has_payload)
		for (size_t i = PROBE_MIN_PAYLOAD; i < s->payload_len; i++)
			l4[kinds[s->proto].hlen + i] = probe_payload_byte(s, i);
	sum = cksum_add(psum, l4, l4len);
	if (kinds[s->proto].has_payload) {
		/* The word sits at an even offset, so it adds to the sum as one aligned word. */
		put16(l4 + kinds[s->proto].hlen, compensation(sum, want));
		sum = cksum_add(psum, l4, l4len);
	}
	put16(l4 + csum_at, cksum_finish(sum));
	return total;
}
