/*
 * The only code that touches the kernel's network interfaces: one raw
 * socket to send complete IP datagrams and one libpcap capture to see the
 * answers.  Both are opened before privileges are dropped.
 */
#ifndef ECMPTRACE_NET_NET_H
#define ECMPTRACE_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/probe.h"

struct capture;

struct net {
	int send_fd;			/* raw socket, we write the IP header */
	struct capture *capture;
	struct ip_addr src, dst;
	int last_send_errno;		/* why the latest send failed (the probe then times out) */
};

/* Called with each captured IP datagram and its arrival time (monotonic us). */
typedef void (*net_packet_fn)(void *ctx, const uint8_t *ip, size_t len, uint64_t at_us);

/*
 * Opens the raw socket and the capture for probes of proto to dst, and
 * finds the source address the kernel will use.  Returns false with a
 * message in err; *need_privilege tells the caller the cause was EPERM.
 */
bool net_open(struct net *n, const struct ip_addr *dst, enum probe_proto proto, char *err,
	      size_t errlen, bool *need_privilege);
void net_close(struct net *n);
/*
 * Sends count datagrams built by probe_build() with as few system calls as
 * the kernel allows; returns how many failed (the last errno is kept).
 */
int net_send_batch(struct net *n, uint8_t *const *pkts, const size_t *lens, int count);
/* Descriptor to poll for readability. */
int net_fd(const struct net *n);
/* Hands every datagram waiting in the capture to fn; returns how many, -1 on error. */
int net_dispatch(struct net *n, net_packet_fn fn, void *ctx, char *err, size_t errlen);

#endif
