/*
 * rtnetlink messages (RFC 3549) the host's route and neighbour questions
 * use: the requests, built into a caller's buffer, and the kernel's
 * answers, read with every length checked.  Pure: no sockets (src/net/route.c
 * holds the conversation), so the parsers are unit-tested and fuzzed.
 */
#ifndef ECMPTRACE_WIRE_RTNL_H
#define ECMPTRACE_WIRE_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Room for any request built here. */
#define RTNL_REQUEST_MAX 128

/*
 * A route question (RTM_GETROUTE) for dst.  fib_match: the matched route
 * with all its next hops (RTM_F_FIB_MATCH), else one resolved path.  src
 * (NULL or unset: none) and ipproto/ports (ipproto 0: none) describe a
 * connection.  dst->scope, when set, becomes RTA_OIF: the zone of a
 * link-local target names its interface.
 */
struct rtnl_route_query {
	const struct ip_addr *dst;
	const struct ip_addr *src;
	bool fib_match;
	uint8_t ipproto;
	uint16_t sport, dport;	/* host order */
};

/* Builds the request into buf; returns its length, 0 when it does not fit or is malformed. */
size_t rtnl_route_request(void *buf, size_t len, const struct rtnl_route_query *q);
/* A dump request (RTM_GETRULE or RTM_GETNEIGH) for family; its length, or 0. */
size_t rtnl_dump_request(void *buf, size_t len, uint16_t type, int family);

/*
 * The next message of a datagram from the kernel, starting at *off: its
 * header (copied, so the buffer needs no alignment) and the message bytes
 * in *msg (h->nlmsg_len of them); *off moves past it.  False at the end or
 * when the rest is not a whole message.
 */
struct nlmsghdr;
bool rtnl_next(const void *buf, size_t len, size_t *off, struct nlmsghdr *h, const uint8_t **msg);
/* NLMSG_DONE's payload, when it has one, is the dump's error: 0 when it succeeded. */
int rtnl_done_status(const uint8_t *msg, size_t len);

/* Verdicts of the readers below. */
enum rtnl_verdict {
	RTNL_BAD = -1,		/* malformed, or not the answer asked for: stop */
	RTNL_SKIP = 0,		/* well formed but nothing for us */
	RTNL_OK = 1,		/* *out filled */
};

/*
 * One RTM_NEWRULE of a rule dump: RTNL_OK when it is one the kernel
 * installs itself (no selector, a jump to the local, main or default
 * table), RTNL_BAD for any other rule or message.
 */
enum rtnl_verdict rtnl_rule_default(const uint8_t *msg, size_t len, int family);

/* What the matched route (RTM_F_FIB_MATCH) says of the first hop. */
struct rtnl_fanout {
	int fanout;		/* live next hops; 1 for a local route; 0 when unknowable */
	bool shared;		/* two live next hops leave by one interface */
};

/* An RTM_NEWROUTE answer to a fib_match question; RTNL_BAD for any route but unicast/local. */
enum rtnl_verdict rtnl_route_fanout(const uint8_t *msg, size_t len, int family,
				    struct rtnl_fanout *out);

/* One resolved path (a question without fib_match). */
struct rtnl_path {
	int oif;		/* the interface it leaves by (> 0) */
	struct ip_addr src;	/* the source the kernel would pick (RTA_PREFSRC); unset if none */
	struct ip_addr gateway;	/* the next hop's address (RTA_GATEWAY); unset when on-link */
	bool via_router;	/* a gateway of this family or another (RTA_VIA) */
};

/* An RTM_NEWROUTE answer: RTNL_OK for a unicast path with an interface, else RTNL_BAD. */
enum rtnl_verdict rtnl_route_path(const uint8_t *msg, size_t len, int family,
				  struct rtnl_path *out);

/* One entry of the neighbour table. */
struct rtnl_neigh {
	int ifindex;
	struct ip_addr addr;
	const uint8_t *lladdr;	/* points into the message */
	size_t lladdr_len;	/* > 0 */
};

/*
 * One RTM_NEWNEIGH of a dump: RTNL_OK for an entry of family that holds a
 * link-layer address (reachable, stale, delay, probe, permanent),
 * RTNL_SKIP for others, RTNL_BAD for a malformed message.
 */
enum rtnl_verdict rtnl_neigh_entry(const uint8_t *msg, size_t len, int family,
				   struct rtnl_neigh *out);

#endif
