/*
 * The network without privilege, as the event loop's transport
 * (transport.h): the same probes as the raw transport
 * (net/net_transport.h), sent on ordinary sockets the kernel lets any user
 * open (net/dgram_sock.h), and their answers read from those sockets
 * (wire/sockreply.h), so the engine and the loop do not know the
 * difference.
 *
 * UDP and ICMP: one socket per flow, bound to the flow's source port (the
 * ICMP identifier) and carrying its IPv6 flow label, the TTL set before
 * each send; every field a router hashes on stays the flow's, so
 * branches and per-branch loss show as they do with raw sockets.  TCP:
 * one socket per probe, a non-blocking connect() whose SYN is the probe.
 * Two sockets cannot hold one connection's addresses and ports at once,
 * so a flow has one TCP probe in flight; the others wait in the flow's
 * queue, and their round trips are measured from when they really left.
 * No link-layer check (ask is NULL).
 */
#ifndef ECMPTRACE_NET_DGRAM_TRANSPORT_H
#define ECMPTRACE_NET_DGRAM_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "transport.h"
#include "wire/probe.h"

struct dgram_transport;

/*
 * A transport for probes of proto to dst's family; timeout_us is how long
 * a probe is waited for (a TCP probe holds its flow that long at most).
 * ICMP needs ping sockets: refused (errno EACCES) when this process's
 * group is outside net.ipv4.ping_group_range, said in err.  NULL with err.
 */
struct dgram_transport *dgram_transport_new(enum probe_proto proto, const struct ip_addr *dst,
					    uint64_t timeout_us, char *err, size_t errlen);
/* The loop's view of it; valid until dgram_transport_free. */
struct transport *dgram_transport_get(struct dgram_transport *t);
void dgram_transport_free(struct dgram_transport *t);

#endif
