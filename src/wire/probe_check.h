/*
 * Is a reply an authentic answer to one probe?  Compares everything the
 * reply quotes or echoes of the probe with what was sent: addresses,
 * protocol, ports, flow label, lengths, the TTL left, and the probe's MAC
 * wherever it went (IPv4 identification, TCP sequence number, payload;
 * see probe.h).  Pure code: the engine finds the probe the reply names
 * and rebuilds its spec; this says whether the reply really answers it.
 */
#ifndef ECMPTRACE_WIRE_PROBE_CHECK_H
#define ECMPTRACE_WIRE_PROBE_CHECK_H

#include <stdbool.h>

#include "wire/dissect.h"
#include "wire/probe.h"

enum probe_check {
	PROBE_CHECK_OK = 0,
	PROBE_CHECK_ADDRESS,	/* quoted source/destination, or a direct answer not from the target */
	PROBE_CHECK_PROTO,	/* another protocol */
	PROBE_CHECK_PORTS,	/* ports, ICMP identifier or ICMP checksum */
	PROBE_CHECK_ID,		/* another probe id */
	PROBE_CHECK_LABEL,	/* IPv6 flow label */
	PROBE_CHECK_LENGTH,	/* quoted IP or UDP length, or a payload cut short where it cannot be */
	PROBE_CHECK_TTL,	/* more TTL left in the quote than the probe was sent with */
	PROBE_CHECK_MAC,	/* IP-ID, TCP sequence or payload do not carry the probe's MAC */
};

/* Checks reply r against the probe it names, built from sent. */
enum probe_check probe_check_reply(const struct probe_spec *sent, const struct reply *r);

/*
 * What reply_dissect reports of a faithful answer of this kind to p: an
 * error quoting it with quoted_ttl left (and its payload if full_quote),
 * or the target's own answer.  Sets the fields about the probe and the
 * kind; the caller sets from, reply_ttl, ICMP type/code and the rest.
 * For simulators and tests, so that they carry the MAC exactly as the
 * wire does.
 */
void probe_expected_reply(const struct probe_spec *p, enum reply_kind kind, uint8_t quoted_ttl,
			  bool full_quote, struct reply *r);

#endif
