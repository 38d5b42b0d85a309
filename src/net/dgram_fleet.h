/*
 * The targets without privilege: one datagram transport per target
 * (net/dgram_transport.h: its sockets are its target's flows), shown to
 * the event loop as one transport.  Probes go to the transport of their
 * target (destination, protocol and port: two targets may share an
 * address); one epoll descriptor holds the targets' own, so a turn reads
 * only the targets something arrived for.
 */
#ifndef ECMPTRACE_NET_DGRAM_FLEET_H
#define ECMPTRACE_NET_DGRAM_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "net/dgram_transport.h"
#include "transport.h"
#include "wire/probe.h"

struct dgram_fleet;

/* Which probes a part sends: those to this address, protocol and port (ICMP: 0). */
struct dgram_fleet_key {
	struct ip_addr dst;
	enum probe_proto proto;
	uint16_t dport;
};

/*
 * Takes the n transports (keys[i] says whose probes parts[i] sends); they
 * are freed with the fleet.  NULL with err (the parts are then the
 * caller's still).
 */
struct dgram_fleet *dgram_fleet_new(struct dgram_transport **parts,
				    const struct dgram_fleet_key *keys, int n, char *err,
				    size_t errlen);
struct transport *dgram_fleet_get(struct dgram_fleet *f);
void dgram_fleet_free(struct dgram_fleet *f);

#endif
