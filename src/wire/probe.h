/*
 * Probe packets: turns the engine's description of one probe into the bytes
 * of a complete IPv4 (RFC 791) or IPv6 (RFC 8200) datagram carrying UDP
 * (RFC 768), a TCP SYN (RFC 9293) or an ICMP/ICMPv6 echo request
 * (RFC 792/4443).  Pure code: no sockets.
 *
 * Paris-traceroute rule: every field a router may hash on (addresses,
 * protocol, TOS/traffic class, ports, flow label, ICMP identifier and
 * checksum) comes from the flow; the per-probe identity goes only into
 * fields routers do not hash on and that ICMP errors quote:
 *   UDP  - the UDP checksum equals probe_id (a payload word compensates),
 *          and on IPv4 also the IP identification;
 *   TCP  - the sequence number is (seq_base << 16 | probe_id), IPv4 IP-ID too;
 *   ICMP - the echo sequence equals probe_id and a payload word keeps the
 *          ICMP checksum equal to the flow's constant icmp_checksum.
 */
#ifndef ECMPTRACE_WIRE_PROBE_H
#define ECMPTRACE_WIRE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum probe_proto {
	PROBE_UDP = 0,
	PROBE_TCP,
	PROBE_ICMP,
};

/* Smallest payload that leaves room for the checksum-compensation word. */
#define PROBE_MIN_PAYLOAD 2
/* Largest probe we build; stays under the IPv6 minimum MTU. */
#define PROBE_MAX_LEN 1280

struct probe_spec {
	enum probe_proto proto;
	struct ip_addr src;		/* must be the address the kernel will send from */
	struct ip_addr dst;
	uint8_t ttl;			/* IPv4 TTL or IPv6 hop limit */
	uint8_t tos;			/* IPv4 TOS / IPv6 traffic class */
	uint16_t sport;			/* UDP/TCP source port; ICMP echo identifier */
	uint16_t dport;			/* UDP/TCP destination port; unused for ICMP */
	uint32_t flow_label;		/* IPv6 only, low 20 bits */
	uint16_t probe_id;		/* identity of this probe; never 0 or 0xffff */
	uint16_t seq_base;		/* TCP: high half of the sequence number */
	uint16_t icmp_checksum;		/* ICMP: the flow's constant checksum */
	uint16_t payload_len;		/* bytes after the transport header, >= PROBE_MIN_PAYLOAD */
};

/*
 * Builds the datagram into buf.  Returns its length, or 0 if the spec is
 * invalid (unset/mismatched families, probe_id 0/0xffff, payload too short,
 * or the datagram would not fit in cap).
 */
size_t probe_build(const struct probe_spec *spec, uint8_t *buf, size_t cap);

#endif
