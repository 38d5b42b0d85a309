/*
 * What the host's own routing table says about the first hop towards a
 * target, asked of the kernel over rtnetlink (RFC 3549).  Discovery uses
 * it to skip the stopping rule at TTL 1: the host is the first balancer,
 * and it can tell how many next hops it balances over.
 */
#ifndef ECMPTRACE_NET_ROUTE_H
#define ECMPTRACE_NET_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/*
 * The number of next hops of the host's route to dst: 1 for a plain route,
 * k for a multipath route with k next hops.  0 when that cannot be known
 * for certain: policy rules besides the kernel's default ones (they may
 * choose a table by port, mark, source or interface), a nexthop object
 * shown only by its id, a route that is not unicast, or any netlink error.
 * Needs no privilege and sends nothing to the network.  *shared_interface
 * (may be NULL) tells that two of those next hops leave by one interface,
 * so choosing the interface cannot choose between them.
 */
int route_first_hop_fanout(const struct ip_addr *dst, bool *shared_interface);

/*
 * Per-flow steering for a host that balances over several next hops.  A
 * raw socket's route lookup sees no ports (IP_HDRINCL), so every probe
 * would leave by the same next hop whatever its ports, while a real
 * connection on the same ports may leave by another.  The kernel is asked
 * which interface a connection with the probe's addresses, protocol and
 * ports would take, and the probe is sent out of that one.
 */
struct route_steer;

/* An open rtnetlink conversation for per-flow lookups (and the questions below); NULL on error. */
struct route_steer *route_steer_open(void);
void route_steer_close(struct route_steer *rs);
/*
 * Where a connection to dst with this IP protocol (IPPROTO_UDP or
 * IPPROTO_TCP) and these ports goes, as the kernel's own multipath choice
 * for it: the source address it would pick (*src), the next hop it goes
 * to (*gateway; unset when dst is on-link) and the interface index it
 * leaves by (the return value; 0 when unknown, *src and *gateway then
 * untouched or unusable).  Asked as connect() routes (RTM_GETROUTE with RTA_IP_PROTO,
 * RTA_SPORT, RTA_DPORT): without a source, which picks the source, then
 * for IPv4 once more with it.
 */
int route_steer_flow(struct route_steer *rs, const struct ip_addr *dst, int ipproto,
		     uint16_t sport, uint16_t dport, struct ip_addr *src, struct ip_addr *gateway);

/*
 * The link-layer check asks the same conversation two more things.  The
 * interface a neighbour is on, when the host's route to it is on-link (no
 * gateway); 0 otherwise (it cannot be asked by ARP or Neighbor Discovery).
 */
int route_on_link_oif(struct route_steer *rs, const struct ip_addr *addr);
/*
 * Every entry of family in the host's neighbour table that holds a
 * link-layer address (reachable, stale, being probed or permanent), as
 * "ip neigh" shows it.  False on a netlink error.
 */
typedef void (*route_neigh_fn)(void *ctx, int ifindex, const struct ip_addr *addr,
			       const uint8_t *lladdr, size_t len);
bool route_neighbours(struct route_steer *rs, int family, route_neigh_fn fn, void *ctx);

#endif
