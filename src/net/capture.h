/*
 * The libpcap capture that sees the answers to our probes: ICMP/ICMPv6
 * errors and echo replies addressed to us, and the target's TCP answers.
 */
#ifndef ECMPTRACE_NET_CAPTURE_H
#define ECMPTRACE_NET_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "net/net.h"
#include "wire/probe.h"

struct capture;

/* Longest time the kernel may hold a captured answer before handing it over. */
#define CAPTURE_BATCH_MS 2

/* device: the interface to watch, "" or NULL for every one ("any"). */
struct capture *capture_open(const struct ip_addr *src, const struct ip_addr *dst,
			     enum probe_proto proto, const char *device, char *err,
			     size_t errlen);
void capture_close(struct capture *c);
/*
 * Lets answers to another of our addresses through as well (a flow that
 * leaves by another uplink, from that uplink's address).  Needs no
 * privilege.  False with a message in err when the filter cannot be set.
 */
bool capture_add_source(struct capture *c, const struct ip_addr *src, char *err, size_t errlen);
/*
 * Lets the answers of another target through as well (one process, many
 * targets: a TCP target's SYN-ACKs and RSTs come from its own address).
 * Needs no privilege.  False with a message in err.
 */
bool capture_add_target(struct capture *c, const struct ip_addr *dst, enum probe_proto proto,
			char *err, size_t errlen);
int capture_fd(const struct capture *c);
/*
 * Delivers every waiting packet's IP datagram to fn; count, or -1 on error.
 * Arrival times are mapped onto the caller's clock, whose time is now_us.
 */
int capture_dispatch(struct capture *c, net_packet_fn fn, void *ctx, uint64_t now_us, char *err,
		     size_t errlen);

#endif
