/*
 * What the host's own routing table says about the first hop towards a
 * target, asked of the kernel over rtnetlink (RFC 3549).  Discovery uses
 * it to skip the stopping rule at TTL 1: the host is the first balancer,
 * and it can tell how many next hops it balances over.
 */
#ifndef ECMPTRACE_NET_ROUTE_H
#define ECMPTRACE_NET_ROUTE_H

#include "addr.h"

/*
 * The number of next hops of the host's route to dst: 1 for a plain route,
 * k for a multipath route with k next hops.  0 when that cannot be known
 * for certain: policy rules besides the kernel's default ones (they may
 * choose a table by port, mark, source or interface), a nexthop object
 * shown only by its id, a route that is not unicast, or any netlink error.
 * Needs no privilege and sends nothing to the network.
 */
int route_first_hop_fanout(const struct ip_addr *dst);

#endif
