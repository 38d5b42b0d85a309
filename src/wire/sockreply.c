/*
 * Answers read from datagram, ping and TCP sockets, as replies (see
 * sockreply.h).  Every length is checked before a byte is read: the
 * quote is whatever a router sent, and a control message is read from a
 * buffer the kernel filled to a length we are told.
 */
#include "config.h"

#include <string.h>

#include "wire/bytes.h"
#include "wire/probe_check.h"
#include "wire/sockreply.h"

/*
 * struct sock_extended_err: errno (4), origin, type, code, pad, info (4),
 * data (4), which for RFC 4884 is the extension's offset in the quote (2)
 * and flags (1; bit 0: malformed).
 */
#define EE_LEN 16
#define EE_RFC4884_LEN 12
#define EE_RFC4884_FLAGS 14
#define RFC4884_INVALID 1
/* sockaddr_in and sockaddr_in6: family (2, host order), port (2), then the address. */
#define SIN_LEN 16
#define SIN6_LEN 28
/* An ICMP echo header: type, code, checksum, identifier, sequence. */
#define ECHO_HLEN 8

bool sockreply_parse_ee(const uint8_t *cm, size_t len, struct sockreply_note *out)
{
	sa_family_t fam;

	memset(out, 0, sizeof(*out));
	if (cm == NULL || len < EE_LEN)
		return false;
	memcpy(&out->err, cm, sizeof(out->err));
	out->origin = cm[4];
	out->type = cm[5];
	out->code = cm[6];
	if (out->origin != SOCKREPLY_ORIGIN_LOCAL && !(cm[EE_RFC4884_FLAGS] & RFC4884_INVALID))
		memcpy(&out->ext_at, cm + EE_RFC4884_LEN, sizeof(out->ext_at));
	/* SO_EE_OFFENDER: the sockaddr right after; family AF_UNSPEC when there is none. */
	if (len < EE_LEN + sizeof(fam))
		return true;
	memcpy(&fam, cm + EE_LEN, sizeof(fam));
	if (fam == AF_INET && len >= EE_LEN + SIN_LEN) {
		out->offender.family = AF_INET;
		memcpy(out->offender.b, cm + EE_LEN + 4, 4);
	} else if (fam == AF_INET6 && len >= EE_LEN + SIN6_LEN) {
		out->offender.family = AF_INET6;
		memcpy(out->offender.b, cm + EE_LEN + 8, 16);
	}
	return true;
}

/* What an ICMP error of this origin, type and family means; 0: nothing we use. */
static enum reply_kind error_kind(const struct sockreply_note *n, int family)
{
	if (family == AF_INET && n->origin == SOCKREPLY_ORIGIN_ICMP)
		return n->type == 11 ? REPLY_TIME_EXCEEDED : n->type == 3 ? REPLY_DEST_UNREACH : 0;
	if (family == AF_INET6 && n->origin == SOCKREPLY_ORIGIN_ICMP6)
		return n->type == 3 ? REPLY_TIME_EXCEEDED : n->type == 1 ? REPLY_DEST_UNREACH : 0;
	return 0;
}

/* The probe's payload, MAC and all, is in p (len bytes; the compensation word is skipped). */
static bool carries_payload(const struct probe_spec *s, const uint8_t *p, size_t len)
{
	if (s->payload_len < PROBE_MIN_PAYLOAD + 8 || len < s->payload_len)
		return false;
	for (size_t i = PROBE_MIN_PAYLOAD; i < s->payload_len; i++)
		if (p[i] != probe_payload_byte(s, i))
			return false;
	return true;
}

/* An echo request or reply header and payload (type checked by the caller) of probe s. */
static bool echo_of(const struct probe_spec *s, const uint8_t *m, size_t len)
{
	return s->proto == PROBE_ICMP && len >= ECHO_HLEN && m[1] == 0 &&
	       get16(m + 4) == s->sport && get16(m + 6) == s->probe_id &&
	       carries_payload(s, m + ECHO_HLEN, len - ECHO_HLEN);
}

/* The probe of s a quote of its transport header and payload names; -1 if none. */
static int find_quoted(const struct sockreply_socket *s, const uint8_t *q, size_t qlen)
{
	uint8_t request = s->family == AF_INET6 ? 128 : 8;

	for (int i = 0; i < s->nsent; i++) {
		const struct probe_spec *p = &s->sent[i];

		if (p->proto != s->proto || p->dst.family != s->family)
			continue;
		if (p->proto == PROBE_UDP && carries_payload(p, q, qlen))
			return i;
		/* The kernel wrote the checksum: the flow's constant if it sent from our source. */
		if (p->proto == PROBE_ICMP && qlen >= ECHO_HLEN && q[0] == request &&
		    get16(q + 2) == p->icmp_checksum && echo_of(p, q, qlen))
			return i;
		/* The kernel matched the sequence number to the socket's window; its ports must agree. */
		if (p->proto == PROBE_TCP && qlen >= 4 && get16(q) == p->sport &&
		    get16(q + 2) == p->dport)
			return i;
	}
	return -1;
}

/* Where the probe's own bytes end in what the kernel hands over of it. */
static size_t quoted_end(const struct probe_spec *p)
{
	return p->proto == PROBE_UDP ? p->payload_len
	     : p->proto == PROBE_ICMP ? (size_t)ECHO_HLEN + p->payload_len : 20;
}

/* The quoted payload (UDP, ICMP) as a reply keeps it: as much as the probe had. */
static void keep_quoted_payload(const struct probe_spec *p, const uint8_t *payload, size_t len,
				struct reply *out)
{
	size_t n = len < p->payload_len ? len : p->payload_len;

	out->payload_len = (uint16_t)n;
	memset(out->payload, 0, sizeof(out->payload));
	memcpy(out->payload, payload, n < REPLY_PAYLOAD_MAX ? n : REPLY_PAYLOAD_MAX);
}

int sockreply_from_error(const struct sockreply_note *n, const uint8_t *quote, size_t qlen,
			 const struct sockreply_socket *s, struct reply *out)
{
	enum reply_kind kind = error_kind(n, s->family);
	const struct probe_spec *p;
	int i;

	if (kind == 0 || n->offender.family != s->family || (quote == NULL && qlen > 0))
		return -1;
	i = find_quoted(s, quote, qlen);
	if (i < 0)
		return -1;
	p = &s->sent[i];
	/* What the quoted IP header said is what the probe was sent with (sockreply.h). */
	probe_expected_reply(p, kind, 0, false, out);
	out->from = n->offender;
	out->icmp_type = n->type;
	out->icmp_code = n->code;
	/* The extension follows the quoted datagram, never inside the probe's own bytes. */
	if (n->ext_at != 0 && n->ext_at >= quoted_end(p) && n->ext_at < qlen)
		reply_extensions(quote + n->ext_at, qlen - n->ext_at, out);
	if (p->proto == PROBE_UDP) {
		keep_quoted_payload(p, quote, qlen, out);
		out->ip_id = 0;	/* not handed over: the whole MAC in the payload stands in */
	} else if (p->proto == PROBE_ICMP) {
		out->icmp_checksum = get16(quote + 2);
		keep_quoted_payload(p, quote + ECHO_HLEN, qlen - ECHO_HLEN, out);
		out->ip_id = 0;
	}
	return i;
}

int sockreply_from_echo(const struct ip_addr *from, const uint8_t *msg, size_t len,
			const struct sockreply_socket *s, struct reply *out)
{
	uint8_t echo_reply = s->family == AF_INET6 ? 129 : 0;

	if (from == NULL || from->family != s->family || msg == NULL || len < ECHO_HLEN ||
	    msg[0] != echo_reply)
		return -1;
	/* The target echoes the payload whole, and nothing else. */
	for (int i = 0; i < s->nsent; i++) {
		const struct probe_spec *p = &s->sent[i];

		if (p->dst.family != s->family || len - ECHO_HLEN != p->payload_len ||
		    !echo_of(p, msg, len))
			continue;
		probe_expected_reply(p, REPLY_ECHO_REPLY, 0, false, out);
		out->from = *from;
		out->icmp_type = msg[0];
		out->icmp_code = msg[1];
		keep_quoted_payload(p, msg + ECHO_HLEN, len - ECHO_HLEN, out);
		return i;
	}
	return -1;
}

void sockreply_from_tcp(const struct probe_spec *p, bool accepted, struct reply *out)
{
	probe_expected_reply(p, accepted ? REPLY_TCP_SYNACK : REPLY_TCP_RST, 0, false, out);
	out->from = p->dst;
}
