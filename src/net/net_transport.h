/*
 * The kernel's network as the event loop's transport (transport.h):
 * probes built and sent on the raw socket (or as frames, with per-flow
 * steering), answers read from the capture and dissected, link-layer
 * claims read from the neighbour sockets.
 */
#ifndef ECMPTRACE_NET_NET_TRANSPORT_H
#define ECMPTRACE_NET_NET_TRANSPORT_H

#include <stdbool.h>

#include "net/net.h"
#include "transport.h"

/* The transport's state: the network, and which warnings were said already. */
struct net_transport {
	struct net *net;
	bool warned_source;	/* a flow's source could not be let through the capture */
	bool warned_send;	/* the kernel refused a probe */
	struct transport transport;
};

/* Makes nt the transport over n (opened by net_open); n outlives it. */
void net_transport_init(struct net_transport *nt, struct net *n);

#endif
