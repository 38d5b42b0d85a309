/*
 * Probe packets: turns the engine's description of one probe into the bytes
 * of a complete IPv4 (RFC 791) or IPv6 (RFC 8200) datagram carrying UDP
 * (RFC 768), a TCP SYN (RFC 9293) or an ICMP/ICMPv6 echo request
 * (RFC 792/4443).  Pure code: no sockets.
 *
 * Paris-traceroute rule: every field a router may hash on (addresses,
 * protocol, TOS/traffic class, ports, flow label, ICMP identifier and
 * checksum) comes from the flow; the per-probe identity goes only into
 * fields routers do not hash on and that answers quote or echo back:
 *   probe_id - the UDP checksum (a payload word compensates), the high
 *          half of the TCP sequence number, the ICMP echo sequence;
 *   tag  - a keyed MAC of the probe (engine/auth.h), unknown to anyone
 *          without the run's key: the IPv4 identification (low 16 bits,
 *          never 0), the low half of the TCP sequence number (bits 16-31),
 *          and every UDP/ICMP payload byte after the compensation word
 *          (the tag's 8 bytes, big-endian, repeated).  An answer is ours
 *          only if it carries them all back (probe_check.h).
 * The ICMP checksum stays the flow's constant icmp_checksum (a payload
 * word compensates for the sequence and the tag).
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
/*
 * Largest probe we build: path MTU probes (df) go up to an Ethernet MTU;
 * ordinary probes stay under the IPv6 minimum MTU (PROBE_PLAIN_MAX).
 */
#define PROBE_MAX_LEN 1500
#define PROBE_PLAIN_MAX 1280
/* Payload an ICMPv6 error can quote of a UDP/ICMP probe: 1280 - 48 outer - 48 inner headers. */
#define PROBE_V6_QUOTED_PAYLOAD 1184

struct probe_spec {
	enum probe_proto proto;
	struct ip_addr src;		/* must be the address the kernel will send from */
	struct ip_addr dst;
	uint8_t ttl;			/* IPv4 TTL or IPv6 hop limit */
	uint8_t tos;			/* IPv4 TOS / IPv6 traffic class */
	uint16_t sport;			/* UDP/TCP source port; ICMP echo identifier */
	uint16_t dport;			/* UDP/TCP destination port; unused for ICMP */
	uint32_t flow_label;		/* IPv6 only, low 20 bits */
	uint16_t probe_id;		/* which probe this is; never 0 or 0xffff */
	uint64_t tag;			/* the probe's MAC (see above) */
	uint16_t icmp_checksum;		/* ICMP: the flow's constant checksum */
	uint16_t payload_len;		/* bytes after the transport header, >= PROBE_MIN_PAYLOAD */
	/*
	 * A path MTU probe (engine/pmtu.h): IPv4 sets don't-fragment (IPv6
	 * routers never fragment).  Ordinary probes leave it clear, so a
	 * small MTU on one branch fragments them rather than eats them.
	 */
	bool df;
};

/*
 * Builds the datagram into buf.  Returns its length, or 0 if the spec is
 * invalid (unset/mismatched families, probe_id 0/0xffff, payload too short,
 * or the datagram would not fit in cap).
 */
size_t probe_build(const struct probe_spec *spec, uint8_t *buf, size_t cap);

/*
 * Where the tag goes, for probe_build and for checking what answers quote
 * (probe_check.c, and the simulator).
 */
/* IPv4 identification: the tag's low 16 bits; a zero would be replaced by the kernel's own. */
uint16_t probe_ip_id(const struct probe_spec *spec);
/*
 * TCP sequence number: probe_id in the high half, tag bits 16-31 in the
 * low half (bits 16-30 for a SYN with data: a reset acks the data too).
 */
uint32_t probe_tcp_seq(const struct probe_spec *spec);
/* Payload byte i (i >= PROBE_MIN_PAYLOAD; bytes before it are the compensation word). */
uint8_t probe_payload_byte(const struct probe_spec *spec, size_t i);
/* Length of the transport header and payload, and of the whole datagram. */
size_t probe_l4_len(const struct probe_spec *spec);
size_t probe_ip_len(const struct probe_spec *spec);

#endif
