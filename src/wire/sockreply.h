/*
 * Answers as ordinary sockets deliver them (unprivileged mode,
 * net/dgram_transport.c), turned into the struct reply the raw capture's
 * dissector (dissect.h) gives, so the engine matches them the same way.
 *
 * An ICMP error about a datagram socket's probe is queued on that socket
 * (IP_RECVERR, IPV6_RECVERR; read with MSG_ERRQUEUE): a control message
 * holds the kernel's struct sock_extended_err (origin, ICMP type and code,
 * and with IP_RECVERR_RFC4884 where an RFC 4884 extension structure
 * starts: the MPLS labels of RFC 4950 are read from it) followed by the
 * address of the node that sent the error (the "offender"), and the data is what the error quoted of the probe from its
 * transport payload on: a UDP probe's payload, a ping socket's ICMP echo
 * header and payload, a TCP probe's header.  The quoted IP header (TTL
 * left, identification, IPv6 flow label, lengths) is not handed over.  A
 * ping socket's echo reply arrives as ordinary data: the ICMP header and
 * the echoed payload.
 *
 * The kernel found the socket from the quoted addresses and ports (for
 * TCP, also from the quoted sequence number, which must lie in the
 * connection's window: as unguessable as our MAC).  Which of the socket's
 * probes it answers is then found here: a UDP or ICMP answer must carry
 * the probe's whole MAC back (its payload, probe.h), so an IPv4 router
 * that quotes only 8 bytes of a UDP probe cannot be placed; a TCP socket
 * holds one probe.  Fields the kernel does not hand over are those of the
 * probe found.  Pure code: bytes in, a reply out.  RFC 792, RFC 4443.
 */
#ifndef ECMPTRACE_WIRE_SOCKREPLY_H
#define ECMPTRACE_WIRE_SOCKREPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/dissect.h"
#include "wire/probe.h"

/* Where the error came from: the kernel's SO_EE_ORIGIN_* values. */
enum sockreply_origin {
	SOCKREPLY_ORIGIN_LOCAL = 1,
	SOCKREPLY_ORIGIN_ICMP = 2,
	SOCKREPLY_ORIGIN_ICMP6 = 3,
};

/* What one error-queue control message says (sockreply_parse_ee). */
struct sockreply_note {
	uint32_t err;			/* the errno the error maps to */
	uint8_t origin;			/* enum sockreply_origin, or another value */
	uint8_t type, code;		/* of the ICMP(v6) error */
	struct ip_addr offender;	/* who sent it; unset when the message names no one */
	/*
	 * RFC 4884 (IP_RECVERR_RFC4884): where in the quote the error's
	 * extension structure starts, 0 if it has none or the kernel found it
	 * malformed (its checksum, its length).
	 */
	uint16_t ext_at;
};

/* The socket an answer arrived on, and the probes sent on it (any order). */
struct sockreply_socket {
	enum probe_proto proto;
	int family;
	const struct probe_spec *sent;
	int nsent;
};

/*
 * Reads the body of an IP_RECVERR / IPV6_RECVERR control message: a
 * struct sock_extended_err (16 bytes) and, right after it, the offender's
 * sockaddr_in or sockaddr_in6.  False when it is too short for the first.
 */
bool sockreply_parse_ee(const uint8_t *cm, size_t len, struct sockreply_note *out);

/*
 * The reply an ICMP error queued on socket s is: quote (qlen bytes) is the
 * data read with the control message.  Returns the index in s->sent of the
 * probe it answers and fills *out, or -1: not an error about one of the
 * socket's probes (another origin, a kind the engine does not know, a
 * quote that does not carry the probe's MAC, an offender of another
 * family).  out->reply_ttl is left 0 (the caller may know it).
 */
int sockreply_from_error(const struct sockreply_note *n, const uint8_t *quote, size_t qlen,
			 const struct sockreply_socket *s, struct reply *out);

/*
 * The reply an echo reply read from a ping socket is: msg (len bytes) is
 * the ICMP(v6) message, from its sender.  Returns the index in s->sent of
 * the probe it answers (same identifier, sequence and payload) and fills
 * *out, or -1.
 */
int sockreply_from_echo(const struct ip_addr *from, const uint8_t *msg, size_t len,
			const struct sockreply_socket *s, struct reply *out);

/*
 * The reply a TCP probe's connection attempt is: accepted (connect()
 * succeeded: the target's SYN-ACK acknowledged our SYN) or refused
 * (ECONNREFUSED: its RST did).  The kernel checked the acknowledgement
 * against the SYN it sent, so the reply is the probe's, from the target.
 */
void sockreply_from_tcp(const struct probe_spec *p, bool accepted, struct reply *out);

#endif
