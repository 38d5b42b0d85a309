/*
 * Reply dissection: takes one captured IP datagram (link header already
 * removed) and says whether it answers one of our probes and which.
 * Understands ICMP time exceeded / destination unreachable / echo reply
 * (RFC 792), ICMPv6 equivalents (RFC 4443) with extension headers in the
 * quote, "fragmentation needed" (RFC 1191) and ICMPv6 "packet too big"
 * (RFC 8201) with the next-hop MTU they carry, all with extension headers in the
 * quote, RFC 4884 extension structures with RFC 4950 MPLS label stacks,
 * and TCP SYN-ACK / RST from the target.  Every byte is bounds-checked:
 * the input is whatever the network sent.
 */
#ifndef ECMPTRACE_WIRE_DISSECT_H
#define ECMPTRACE_WIRE_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/probe.h"

enum reply_kind {
	REPLY_TIME_EXCEEDED = 1,	/* a router on the way: TTL/hop limit ran out */
	REPLY_DEST_UNREACH,		/* unreachable of any code; port unreachable = destination;
					   also ICMPv6 packet too big (mtu set) */
	REPLY_ECHO_REPLY,		/* ICMP(v6) echo reply from the target */
	REPLY_TCP_SYNACK,		/* target accepted our SYN */
	REPLY_TCP_RST,			/* target refused our SYN */
};

/* Longest link-layer address kept (Linux cooked captures carry up to 8 bytes). */
#define REPLY_LLADDR_MAX 8
#define REPLY_MAX_MPLS 8
/* Payload bytes kept from a quote or an echo: the compensation word and the MAC twice. */
#define REPLY_PAYLOAD_MAX 18

struct reply {
	enum reply_kind kind;
	uint8_t icmp_type, icmp_code;	/* of the outer ICMP message; 0 for TCP */
	/*
	 * Path MTU discovery: the next-hop MTU of an IPv4 "fragmentation
	 * needed" (type 3 code 4, RFC 1191; 0 from a router older than it) or
	 * of an ICMPv6 "packet too big" (type 2, RFC 4443); 0 otherwise.
	 */
	uint32_t mtu;
	struct ip_addr from;		/* who answered: outer source address */
	uint8_t reply_ttl;		/* TTL / hop limit of the reply as received */
	/*
	 * The datagram is the first fragment of a larger one (IPv4 more
	 * fragments with offset 0, RFC 791; an IPv6 fragment header at
	 * offset 0 with M set, RFC 8200 section 4.5): an echo reply too big
	 * for the way back, fragmented by the target or a router.  Its
	 * header and the payload's start are here, the rest is not
	 * (payload_len counts what this fragment holds).
	 */
	bool fragment;

	/* The probe this answers, as reconstructed from the quote or the reply. */
	enum probe_proto proto;
	struct ip_addr probe_src;
	struct ip_addr probe_dst;
	uint16_t sport, dport;		/* probe's ports (TCP replies are swapped back); ICMP: sport = identifier */
	uint16_t probe_id;		/* UDP checksum / TCP sequence high half / ICMP sequence */
	uint32_t tcp_seq;		/* TCP: the quoted sequence number, or the ack - 1 of an answer */
	uint16_t icmp_checksum;		/* ICMP: the quoted echo request's checksum */
	uint16_t ip_id;			/* quoted IPv4 identification (0 if not available) */
	uint8_t quoted_ttl;		/* TTL / hop limit left in the quoted header (0 if none) */
	uint16_t quoted_len;		/* the quote's datagram length (IPv4 total length, IPv6 40 +
					   payload length); 0 for answers that quote nothing */
	uint16_t quoted_l4_len;		/* UDP: the quoted length field; 0 otherwise */
	uint32_t flow_label;		/* quoted IPv6 flow label */
	struct ip_addr to;		/* outer destination: the address of ours it came to */
	/*
	 * The probe's payload as the error quoted it or the echo reply
	 * echoed it: payload_len bytes were there (0 if the quote stopped at
	 * the transport header's first 8 bytes), the first ones are kept.
	 */
	uint16_t payload_len;
	uint8_t payload[REPLY_PAYLOAD_MAX];

	int mpls_count;			/* RFC 4950 labels, outermost first */
	uint32_t mpls_label[REPLY_MAX_MPLS];
	/*
	 * The same label stack entries whole (RFC 3032: label 20 bits,
	 * traffic class 3, bottom of stack 1, TTL 8), as mtr shows them.
	 */
	uint32_t mpls_entry[REPLY_MAX_MPLS];

	/*
	 * Link-layer source address of the frame that brought the reply (the
	 * neighbour that delivered it), as the capture saw it; not part of the
	 * IP bytes dissected, so the caller fills it.  Length 0: unknown.
	 */
	uint8_t lladdr[REPLY_LLADDR_MAX];
	uint8_t lladdr_len;
};

enum dissect_result {
	DISSECT_OK = 0,
	DISSECT_TRUNCATED,		/* shorter than its headers claim */
	DISSECT_MALFORMED,		/* bad version, header length, etc. */
	DISSECT_IGNORED,		/* well-formed but not a reply to any probe kind we send */
};

/* Dissects an IPv4 or IPv6 datagram starting at its IP header. */
enum dissect_result reply_dissect(const uint8_t *pkt, size_t len, struct reply *out);
/*
 * Reads an RFC 4884 extension structure found elsewhere (the error queue
 * of an unprivileged socket, wire/sockreply.h) into r's MPLS labels; a
 * malformed one leaves none.
 */
void reply_extensions(const uint8_t *ext, size_t len, struct reply *r);

#endif
