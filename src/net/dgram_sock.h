/*
 * The sockets of unprivileged mode (net/dgram_transport.c): ordinary
 * sockets any user may open, one per flow (UDP, ICMP "ping" sockets) or
 * per probe (TCP), bound to the flow's source port, carrying its IPv6 flow
 * label, with ICMP errors about them queued on the socket (IP_RECVERR,
 * IPV6_RECVERR) and read here.  No privilege, no raw packet: the kernel
 * writes every header, from what these sockets are set to.
 */
#ifndef ECMPTRACE_NET_DGRAM_SOCK_H
#define ECMPTRACE_NET_DGRAM_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "wire/probe.h"
#include "wire/sockreply.h"

/* What a flow's sockets are opened with. */
struct dgram_flow_id {
	enum probe_proto proto;
	struct ip_addr dst;
	uint16_t dport;			/* unused for ICMP */
	uint16_t sport;			/* bound source port; ICMP: the echo identifier */
	uint32_t flow_label;		/* IPv6: set on every packet (0: the kernel's own) */
	uint8_t tos;			/* IPv4 TOS / IPv6 traffic class */
};

/*
 * Opens a flow's UDP or ping socket: non-blocking, errors queued, bound to
 * the flow's port and connected to the target (which sends nothing: only
 * the route is looked up, with the ports, as for the flow's packets).
 * Returns it, or -1 with errno set and a message in err.
 */
int dgram_sock_flow(const struct dgram_flow_id *id, char *err, size_t errlen);
/*
 * Opens a TCP probe's socket with its TTL and starts the connection (one
 * SYN).  Returns it, or -1 with errno set and a message in err.
 */
int dgram_sock_tcp(const struct dgram_flow_id *id, uint8_t ttl, char *err, size_t errlen);
/* Sets the TTL / hop limit of what fd sends next. */
bool dgram_sock_set_ttl(int fd, int family, uint8_t ttl);
/*
 * Sets whether what fd sends next is a path MTU probe (engine/pmtu.h):
 * don't-fragment at the interface's MTU, whatever the host learnt of the
 * target's path (IPv6: never fragmented here either); or an ordinary
 * probe, which may be fragmented, as raw probes are (wire/probe.h).
 */
bool dgram_sock_set_df(int fd, int family, bool df);
/*
 * Reads one message of fd's error queue: *n from its control message, the
 * quote into buf (at most cap bytes), and the hop limit it arrived with
 * into *ttl (0 if not said).  Returns the quote's length; -1 when the
 * queue is empty (errno EAGAIN) or on error; a message without an error
 * control message gives n->origin 0.
 */
ssize_t dgram_sock_read_error(int fd, int family, struct sockreply_note *n, uint8_t *buf,
			      size_t cap, uint8_t *ttl);
/*
 * Reads one datagram (a ping socket's echo reply) into buf: its sender in
 * *from, its hop limit in *ttl.  -1 when there is none.
 */
ssize_t dgram_sock_read(int fd, uint8_t *buf, size_t cap, struct ip_addr *from, uint8_t *ttl);
/* What a TCP probe's socket came to: 0 connected, or the errno of its failure. */
int dgram_sock_tcp_state(int fd);
/*
 * Whether the kernel sent the probe's SYN again (no answer within its
 * first retransmission timeout): an answer then may be the second SYN's.
 */
bool dgram_sock_tcp_resent(int fd);
/* Closes a TCP probe's socket with a reset: no FIN, no TIME_WAIT to hold the flow's ports. */
void dgram_sock_abort(int fd);

#endif
