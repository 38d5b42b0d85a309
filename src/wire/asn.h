/*
 * Origin AS lookups in DNS, as mtr -z makes them: the question's name
 * (IPv4 192.0.2.1 -> "1.2.0.192.origin.asn.cymru.com", IPv6 as reversed
 * nibbles under "origin6.asn.cymru.com") and the AS number in the first
 * TXT record of the answer ("64500 | 192.0.2.0/24 | ZZ | ..."; RFC 1035
 * message format).  Pure: no sockets, every byte of the answer checked.
 */
#ifndef ECMPTRACE_WIRE_ASN_H
#define ECMPTRACE_WIRE_ASN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Longest question name: 32 nibbles of IPv6, dotted, and the zone. */
#define ASN_QNAME_MAX 96
/* Longest AS number text: 4294967295 and the NUL. */
#define ASN_TEXT_MAX 11

/* The TXT question for a; false when a is unset or out does not fit it. */
bool asn_query_name(const struct ip_addr *a, char *out, size_t len);
/*
 * The AS number (decimal text, the first of several origins) in the first
 * TXT record of a DNS answer message; false when the message holds none,
 * is malformed, or the number is not one (empty, over 32 bits).
 */
bool asn_parse_answer(const uint8_t *msg, size_t len, char out[ASN_TEXT_MAX]);

#endif
