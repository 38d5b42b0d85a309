/*
 * Origin AS question names and answers (asn.h): RFC 1035 messages read with
 * a bounds check on every byte, since the answer is whatever came back.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "wire/asn.h"

#define DNS_HEADER_LEN 12
#define DNS_TYPE_TXT 16
#define DNS_CLASS_IN 1

bool asn_query_name(const struct ip_addr *a, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;
	int n;

	if (a->family == AF_INET) {
		n = snprintf(out, len, "%u.%u.%u.%u.origin.asn.cymru.com", a->b[3], a->b[2], a->b[1],
			     a->b[0]);
		return n > 0 && (size_t)n < len;
	}
	if (a->family != AF_INET6 || len < 64 + sizeof("origin6.asn.cymru.com"))
		return false;
	for (int i = 15; i >= 0; i--) {
		out[used++] = hex[a->b[i] & 15];
		out[used++] = '.';
		out[used++] = hex[a->b[i] >> 4];
		out[used++] = '.';
	}
	memcpy(out + used, "origin6.asn.cymru.com", sizeof("origin6.asn.cymru.com"));
	return true;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Skips a name at *off (labels, or a compression pointer that ends it);
 * false when it runs past the message or uses a reserved label type.
 */
static bool skip_name(const uint8_t *msg, size_t len, size_t *off)
{
	while (*off < len) {
		uint8_t l = msg[*off];

		if (l == 0) {
			*off += 1;
			return true;
		}
		if ((l & 0xc0) == 0xc0) {
			if (*off + 2 > len)
				return false;
			*off += 2;
			return true;
		}
		if ((l & 0xc0) != 0)
			return false;
		*off += 1 + (size_t)l;
	}
	return false;
}

/* The AS number at the start of a TXT string: digits up to a space or '|'. */
static bool leading_asn(const uint8_t *s, size_t n, char out[ASN_TEXT_MAX])
{
	unsigned long long v = 0;
	size_t i = 0, d = 0;

	while (i < n && s[i] == ' ')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++) {
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 0xffffffffULL)
			return false;
	}
	if (d == 0 || (i < n && s[i] != ' ' && s[i] != '|'))
		return false;
	snprintf(out, ASN_TEXT_MAX, "%llu", v);
	return true;
}

bool asn_parse_answer(const uint8_t *msg, size_t len, char out[ASN_TEXT_MAX])
{
	size_t off = DNS_HEADER_LEN;
	unsigned qd, an;

	if (len < DNS_HEADER_LEN || !(msg[2] & 0x80) || (msg[3] & 0x0f) != 0)
		return false;	/* not a response, or an error (NXDOMAIN: no AS) */
	qd = get16(msg + 4);
	an = get16(msg + 6);
	for (unsigned i = 0; i < qd; i++)
		if (!skip_name(msg, len, &off) || (off += 4) > len)
			return false;
	for (unsigned i = 0; i < an; i++) {
		size_t rdlen;

		if (!skip_name(msg, len, &off) || off + 10 > len)
			return false;
		rdlen = get16(msg + off + 8);
		if (off + 10 + rdlen > len)
			return false;
		/* A CNAME may come first; the first TXT record of class IN is the one. */
		if (get16(msg + off) == DNS_TYPE_TXT && get16(msg + off + 2) == DNS_CLASS_IN &&
		    rdlen > 0) {
			const uint8_t *txt = msg + off + 10;

			return (size_t)txt[0] + 1 <= rdlen && leading_asn(txt + 1, txt[0], out);
		}
		off += 10 + rdlen;
	}
	return false;
}
