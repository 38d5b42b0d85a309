/*
 * How many next hops the host's own route to a target has, asked of the
 * kernel over rtnetlink (RFC 3549): first the policy rules, which must all
 * be the kernel's defaults for one route lookup to speak for every flow,
 * then the route itself (RTM_GETROUTE with RTM_F_FIB_MATCH returns the
 * matched route, with all its next hops, not one resolved path).
 * Per-flow steering asks the same kernel, over a conversation kept open,
 * which interface a connection with given ports would leave by
 * (RTM_GETROUTE without RTM_F_FIB_MATCH: one resolved path).  The
 * link-layer check asks it whether a neighbour is on a link of this host,
 * and what the host's neighbour table holds (RTM_GETNEIGH).
 * This file holds the conversation (the socket, sequence numbers, who may
 * answer); the messages are built and read by src/wire/rtnl.c.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "net/route.h"
#include "wire/rtnl.h"

/*
 * The kernel never builds a dump message bigger than 32 KiB, so a buffer of
 * that size holds any datagram it sends; MSG_TRUNC still catches one that
 * does not fit.
 */
#define NL_BUFSIZE 32768

/* One rtnetlink conversation. */
struct nl {
	int fd;
	uint32_t portid;	/* our port id; the kernel echoes it in replies */
	uint32_t seq;		/* sequence number of the request in flight */
};

/* Called on each reply message (len bytes); false stops the conversation with a "no". */
typedef bool (*reply_fn)(const uint8_t *msg, size_t len, void *arg);

static bool nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	socklen_t salen = sizeof(sa);
	/* A reply that never comes must not hang the caller. */
	struct timeval tv = {.tv_sec = 1};

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return false;
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &salen) != 0 ||
	    salen != sizeof(sa) || sa.nl_family != AF_NETLINK) {
		close(nl->fd);
		return false;
	}
	nl->portid = sa.nl_pid;
	return true;
}

/* Sends one request built by rtnl.c (len 0: it could not be) under a new sequence number. */
static bool nl_send(struct nl *nl, void *req, size_t len)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct nlmsghdr h;
	ssize_t n;

	if (len < sizeof(h))
		return false;
	memcpy(&h, req, sizeof(h));
	h.nlmsg_seq = ++nl->seq;
	h.nlmsg_pid = nl->portid;
	memcpy(req, &h, sizeof(h));
	n = sendto(nl->fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	return n >= 0 && (size_t)n == len;
}

/*
 * Reads the replies to the request in flight and hands each message to fn.
 * A dump ends with NLMSG_DONE; a plain request gets exactly one message.
 * Any error message, interrupted dump, stray or partial message is a "no".
 */
static bool nl_replies(struct nl *nl, bool dump, reply_fn fn, void *arg)
{
	_Alignas(struct nlmsghdr) unsigned char buf[NL_BUFSIZE];

	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(nl->fd, buf, sizeof(buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &fromlen);
		size_t len, off = 0;
		struct nlmsghdr h;
		const uint8_t *msg;

		if (n <= 0 || (size_t)n > sizeof(buf))
			return false;	/* error, timeout, or truncated */
		if (fromlen != sizeof(from) || from.nl_pid != 0)
			return false;	/* only the kernel may answer */
		len = (size_t)n;
		while (off < len) {
			if (!rtnl_next(buf, len, &off, &h, &msg))
				return false;
			if (h.nlmsg_pid == nl->portid && h.nlmsg_seq < nl->seq)
				/*
				 * The late answer to an earlier request that timed
				 * out: skip it, or every later answer of a long-lived
				 * conversation would be read one request behind.
				 */
				continue;
			if (h.nlmsg_seq != nl->seq || h.nlmsg_pid != nl->portid ||
			    (h.nlmsg_flags & NLM_F_DUMP_INTR) != 0)
				return false;
			if (h.nlmsg_type == NLMSG_ERROR)
				return false;	/* no ack was asked for: an error */
			if (h.nlmsg_type == NLMSG_DONE)
				return dump && rtnl_done_status(msg, h.nlmsg_len) == 0;
			if (!fn(msg, h.nlmsg_len, arg))
				return false;
			if (!dump)
				return true;
		}
	}
}

/* reply_fn for the rule dump: true while every rule is a default one. */
static bool rule_is_default(const uint8_t *msg, size_t len, void *arg)
{
	return rtnl_rule_default(msg, len, *(const int *)arg) == RTNL_OK;
}

/* Whether every policy rule of family is one the kernel installs itself. */
static bool rules_are_default(struct nl *nl, int family)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];

	return nl_send(nl, req, rtnl_dump_request(req, sizeof(req), RTM_GETRULE, family)) &&
	       nl_replies(nl, true, rule_is_default, &family);
}

/* What the route reply says, for route_fanout_of(). */
struct route_answer {
	int family;		/* the family asked about */
	struct rtnl_fanout f;	/* fanout 0 until a good reply is read */
};

/* reply_fn for RTM_GETROUTE with RTM_F_FIB_MATCH: the fanout of the matched route. */
static bool route_fanout_of(const uint8_t *msg, size_t len, void *arg)
{
	struct route_answer *ans = arg;

	return rtnl_route_fanout(msg, len, ans->family, &ans->f) == RTNL_OK;
}

/* The fanout of the route the kernel matches for dst (in its zone), 0 when unsure. */
static int route_lookup(struct nl *nl, const struct ip_addr *dst, bool *shared)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];
	struct rtnl_route_query q = {.dst = dst, .fib_match = true};
	struct route_answer ans = {.family = dst->family};

	if (!nl_send(nl, req, rtnl_route_request(req, sizeof(req), &q)) ||
	    !nl_replies(nl, false, route_fanout_of, &ans))
		return 0;
	*shared = ans.f.shared;
	return ans.f.fanout;
}

int route_first_hop_fanout(const struct ip_addr *dst, bool *shared_interface)
{
	struct nl nl;
	int fanout = 0;
	bool shared = false;

	if (shared_interface != NULL)
		*shared_interface = false;
	if (dst == NULL || (dst->family != AF_INET && dst->family != AF_INET6))
		return 0;
	if (!nl_open(&nl))
		return 0;
	if (rules_are_default(&nl, dst->family))
		fanout = route_lookup(&nl, dst, &shared);
	close(nl.fd);
	if (shared_interface != NULL)
		*shared_interface = fanout > 1 && shared;
	return fanout;
}

/*
 * Per-flow steering (see route.h).  What the kernel was measured to do
 * (Linux 6.18, a host with a two-way multipath default route and a /32
 * source on lo; the kernel's answer to this query against the interface
 * a connect()ed UDP socket or a TCP SYN bound to the same port left by):
 *   IPv4: a connection's final lookup carries its source address, so
 *         RTA_SRC belongs in the query; it then agrees for hash policies
 *         0, 1 and 2.  Under policy 3 it does not: the kernel hashes a
 *         route query's dummy packet with the forwarding formula (outer
 *         and inner hash combined), its own connections with the flow
 *         formula, and the two differ for the same fields (net.c turns
 *         steering off for that case).
 *   IPv6: a socket that is not bound to an address is routed with the
 *         unspecified source address (the source is chosen after the
 *         lookup), so the query leaves RTA_SRC out, and then agrees for
 *         policies 0, 1 and 3.  A query cannot carry a flow label (there
 *         is no attribute for it, rtm_tos only fills the traffic class),
 *         but neither does a connection's lookup: it uses the socket's
 *         configured label, 0 unless the application set one; the label
 *         the kernel writes into its packets is chosen at transmission
 *         (net.ipv6.auto_flowlabels on), after the route is.
 * The source address is chosen the same way: connect() on a socket with
 * no address of its own first looks the route up without a source, takes
 * that answer's preferred source (the address of the chosen next hop's
 * interface, unless the route names one), and IPv4 then looks the route
 * up again with it (measured: a host with one address per uplink and no
 * common source, each port's connection left with the answer's source;
 * Linux 6.18 also prefers the next hop that owns a given source, so a
 * probe with one fixed source would leave by one uplink only).
 * A host whose next hops share one interface cannot be steered by it:
 * the kernel then takes the first of them on that interface.
 */

/* An open conversation for per-flow lookups. */
struct route_steer {
	struct nl nl;
};

/* What a resolved route lookup says, for route_path_of(). */
struct path_answer {
	int family;		/* the family asked about */
	struct rtnl_path p;	/* oif 0 until a good reply is read */
};

/* reply_fn for a resolved RTM_GETROUTE: the interface it leaves by, its source and gateway. */
static bool route_path_of(const uint8_t *msg, size_t len, void *arg)
{
	struct path_answer *ans = arg;

	return rtnl_route_path(msg, len, ans->family, &ans->p) == RTNL_OK;
}

/* Asks q of the kernel; false when it has no unicast path for it. */
static bool ask_path(struct route_steer *rs, const struct rtnl_route_query *q, struct rtnl_path *p)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];
	struct path_answer ans = {.family = q->dst->family};

	if (!nl_send(&rs->nl, req, rtnl_route_request(req, sizeof(req), q)) ||
	    !nl_replies(&rs->nl, false, route_path_of, &ans))
		return false;
	*p = ans.p;
	return true;
}

struct route_steer *route_steer_open(void)
{
	struct route_steer *rs = calloc(1, sizeof(*rs));

	if (rs == NULL)
		return NULL;
	if (!nl_open(&rs->nl)) {
		free(rs);
		return NULL;
	}
	return rs;
}

void route_steer_close(struct route_steer *rs)
{
	if (rs == NULL)
		return;
	close(rs->nl.fd);
	free(rs);
}

int route_steer_flow(struct route_steer *rs, const struct ip_addr *dst, int ipproto,
		     uint16_t sport, uint16_t dport, struct ip_addr *src, struct ip_addr *gateway)
{
	struct rtnl_route_query q = {.dst = dst, .ipproto = (uint8_t)ipproto, .sport = sport,
				     .dport = dport};
	struct rtnl_path first, final;

	if (rs == NULL || dst == NULL || src == NULL || gateway == NULL ||
	    (dst->family != AF_INET && dst->family != AF_INET6) ||
	    (ipproto != IPPROTO_UDP && ipproto != IPPROTO_TCP))
		return 0;
	/* As connect() does: without a source first, which picks the source... */
	if (!ask_path(rs, &q, &first) || !addr_is_set(&first.src))
		return 0;
	*src = first.src;
	if (dst->family == AF_INET6) {
		*gateway = first.gateway;
		return first.oif;	/* ...and on IPv6 the path too (see above) */
	}
	/* ...then on IPv4 again with it, which picks the path. */
	q.src = &first.src;
	if (!ask_path(rs, &q, &final))
		return 0;
	*gateway = final.gateway;
	return final.oif;
}

int route_on_link_oif(struct route_steer *rs, const struct ip_addr *addr)
{
	struct rtnl_route_query q = {.dst = addr};
	struct rtnl_path p;

	if (rs == NULL || addr == NULL || (addr->family != AF_INET && addr->family != AF_INET6))
		return 0;
	/* Local, unreachable (no answer) or behind a router: not on a link of ours. */
	if (!ask_path(rs, &q, &p) || p.via_router)
		return 0;
	return p.oif;
}

/* The dump's callback and its caller's, for neigh_entry(). */
struct neigh_dump {
	int family;
	route_neigh_fn fn;
	void *ctx;
};

/* reply_fn for an RTM_GETNEIGH dump: hands over each usable entry. */
static bool neigh_entry(const uint8_t *msg, size_t len, void *arg)
{
	struct neigh_dump *d = arg;
	struct rtnl_neigh n;
	enum rtnl_verdict v = rtnl_neigh_entry(msg, len, d->family, &n);

	if (v == RTNL_OK)
		d->fn(d->ctx, n.ifindex, &n.addr, n.lladdr, n.lladdr_len);
	return v != RTNL_BAD;
}

bool route_neighbours(struct route_steer *rs, int family, route_neigh_fn fn, void *ctx)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];
	struct neigh_dump d = {.family = family, .fn = fn, .ctx = ctx};

	if (rs == NULL || (family != AF_INET && family != AF_INET6))
		return false;
	return nl_send(&rs->nl, req, rtnl_dump_request(req, sizeof(req), RTM_GETNEIGH, family)) &&
	       nl_replies(&rs->nl, true, neigh_entry, &d);
}
