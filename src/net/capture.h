/*
 * The libpcap capture that sees the answers to our probes: ICMP/ICMPv6
 * errors and echo replies addressed to us, and the target's TCP answers.
 */
#ifndef ECMPTRACE_NET_CAPTURE_H
#define ECMPTRACE_NET_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "net/net.h"
#include "wire/probe.h"

struct capture;

/* Longest time the kernel may hold a captured answer before handing it over. */
#define CAPTURE_BATCH_MS 2

struct capture *capture_open(const struct ip_addr *src, const struct ip_addr *dst,
			     enum probe_proto proto, char *err, size_t errlen);
void capture_close(struct capture *c);
int capture_fd(const struct capture *c);
/* Delivers every waiting packet's IP datagram to fn; count, or -1 on error. */
int capture_dispatch(struct capture *c, net_packet_fn fn, void *ctx, char *err, size_t errlen);

#endif
