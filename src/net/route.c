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
 * Every byte of a reply is bounds-checked before use.
 */
#include <linux/fib_rules.h>
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

/*
 * The kernel never builds a dump message bigger than 32 KiB, so a buffer of
 * that size holds any datagram it sends; MSG_TRUNC still catches one that
 * does not fit.
 */
#define NL_BUFSIZE 32768

/* Attribute slots kept per message; higher types are only noted. */
#define ATTR_SLOTS 64

/* The kernel's own tables, the only ones its default rules point to. */
#define TABLE_DEFAULT 253
#define TABLE_MAIN 254
#define TABLE_LOCAL 255

/* One rtnetlink conversation. */
struct nl {
	int fd;
	uint32_t portid;	/* our port id; the kernel echoes it in replies */
	uint32_t seq;		/* sequence number of the request in flight */
};

/* The attributes of one message, by type (the last of a type wins). */
struct attrs {
	const struct rtattr *tb[ATTR_SLOTS];
	bool high;		/* a type >= ATTR_SLOTS was present */
};

/* Called on each reply message; false stops the conversation with a "no". */
typedef bool (*reply_fn)(const struct nlmsghdr *h, void *arg);

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

/* Sends one request (its nlmsg_len already set) under a new sequence number. */
static bool nl_send(struct nl *nl, struct nlmsghdr *req)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	ssize_t n;

	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = nl->portid;
	n = sendto(nl->fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	return n >= 0 && (size_t)n == req->nlmsg_len;
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

		if (n <= 0 || (size_t)n > sizeof(buf))
			return false;	/* error, timeout, or truncated */
		if (fromlen != sizeof(from) || from.nl_pid != 0)
			return false;	/* only the kernel may answer */
		len = (size_t)n;
		while (off < len) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);
			int32_t status;

			if (len - off < sizeof(*h) || h->nlmsg_len < sizeof(*h) ||
			    h->nlmsg_len > len - off)
				return false;
			if (h->nlmsg_pid == nl->portid && h->nlmsg_seq < nl->seq) {
				/*
				 * The late answer to an earlier request that timed
				 * out: skip it, or every later answer of a long-lived
				 * conversation would be read one request behind.
				 */
				off += NLMSG_ALIGN(h->nlmsg_len);
				continue;
			}
			if (h->nlmsg_seq != nl->seq || h->nlmsg_pid != nl->portid ||
			    (h->nlmsg_flags & NLM_F_DUMP_INTR) != 0)
				return false;
			if (h->nlmsg_type == NLMSG_ERROR)
				return false;	/* no ack was asked for: an error */
			if (h->nlmsg_type == NLMSG_DONE) {
				/* The payload, when there is one, says whether the dump failed. */
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(status))) {
					memcpy(&status, (const unsigned char *)h + NLMSG_HDRLEN, sizeof(status));
					if (status != 0)
						return false;
				}
				return dump;
			}
			if (!fn(h, arg))
				return false;
			if (!dump)
				return true;
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
	}
}

/*
 * The payload of h after a fixed header of hdrlen bytes: sets *fixed to the
 * header and fills a with the attributes that follow.  False when the
 * message is too short or an attribute length does not fit.
 */
static bool msg_parse(const struct nlmsghdr *h, size_t hdrlen, const void **fixed, struct attrs *a)
{
	const unsigned char *p = (const unsigned char *)h + NLMSG_HDRLEN;
	size_t left;

	memset(a, 0, sizeof(*a));
	if (h->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return false;
	*fixed = p;
	if (h->nlmsg_len < NLMSG_SPACE(hdrlen))
		return true;	/* no room for attributes */
	p += NLMSG_ALIGN(hdrlen);
	left = h->nlmsg_len - NLMSG_SPACE(hdrlen);
	while (left > 0) {
		const struct rtattr *rta = (const struct rtattr *)p;
		unsigned type;

		if (left < sizeof(*rta) || rta->rta_len < sizeof(*rta) || rta->rta_len > left)
			return false;
		type = rta->rta_type & ~(unsigned)(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
		if (type < ATTR_SLOTS)
			a->tb[type] = rta;
		else
			a->high = true;
		if (RTA_ALIGN(rta->rta_len) >= left)
			break;	/* the last one, perhaps without its padding */
		p += RTA_ALIGN(rta->rta_len);
		left -= RTA_ALIGN(rta->rta_len);
	}
	return true;
}

/* The 32-bit value of an attribute that must hold exactly one. */
static bool attr_u32(const struct rtattr *rta, uint32_t *v)
{
	if (rta == NULL || RTA_PAYLOAD(rta) != sizeof(*v))
		return false;
	memcpy(v, (const unsigned char *)rta + RTA_LENGTH(0), sizeof(*v));
	return true;
}

/*
 * Whether one attribute of a rule leaves it a default rule.  The kernel
 * (6.18) emits FRA_TABLE, FRA_PROTOCOL, FRA_PRIORITY (when not 0) and
 * FRA_SUPPRESS_PREFIXLEN = -1 for its defaults (FRA_PAD is only padding,
 * the suppressors are unset at -1); every other attribute selects packets
 * by something a route lookup by destination alone cannot see.
 */
static bool rule_attr_is_default(unsigned type, const struct rtattr *rta)
{
	uint32_t v;

	switch (type) {
	case FRA_PRIORITY:
	case FRA_TABLE:
	case FRA_PROTOCOL:
	case FRA_PAD:
		return true;
	case FRA_SUPPRESS_PREFIXLEN:
	case FRA_SUPPRESS_IFGROUP:
		return attr_u32(rta, &v) && v == UINT32_MAX;	/* -1: not set */
	default:
		return false;
	}
}

/* reply_fn for the rule dump: true while every rule is a default one. */
static bool rule_is_default(const struct nlmsghdr *h, void *arg)
{
	const int *family = arg;
	const struct fib_rule_hdr *frh;
	const void *fixed;
	struct attrs a;
	uint32_t table;

	if (h->nlmsg_type != RTM_NEWRULE || !msg_parse(h, sizeof(*frh), &fixed, &a) || a.high)
		return false;
	frh = fixed;
	if (frh->family != *family || frh->dst_len != 0 || frh->src_len != 0 || frh->tos != 0 ||
	    frh->action != FR_ACT_TO_TBL || (frh->flags & ~(uint32_t)FIB_RULE_PERMANENT) != 0)
		return false;
	for (unsigned t = 0; t < ATTR_SLOTS; t++)
		if (a.tb[t] != NULL && !rule_attr_is_default(t, a.tb[t]))
			return false;
	table = frh->table;
	if (a.tb[FRA_TABLE] != NULL && !attr_u32(a.tb[FRA_TABLE], &table))
		return false;
	return table == TABLE_LOCAL || table == TABLE_MAIN || table == TABLE_DEFAULT;
}

/* Whether every policy rule of family is one the kernel installs itself. */
static bool rules_are_default(struct nl *nl, int family)
{
	struct {
		struct nlmsghdr h;
		struct fib_rule_hdr frh;
	} req;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.frh));
	req.h.nlmsg_type = RTM_GETRULE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.frh.family = (uint8_t)family;
	return nl_send(nl, &req.h) && nl_replies(nl, true, rule_is_default, &family);
}

/*
 * The live next hops in an RTA_MULTIPATH payload (a run of struct
 * rtnexthop, each followed by its own attributes), or -1 when it is
 * malformed.  A dead next hop takes no flows, so it does not count.
 */
static int count_nexthops(const struct rtattr *mp, bool *shared)
{
	const unsigned char *p = (const unsigned char *)mp + RTA_LENGTH(0);
	size_t left = RTA_PAYLOAD(mp);
	int live = 0, seen[64], nseen = 0;

	while (left > 0) {
		const struct rtnexthop *nh = (const struct rtnexthop *)p;
		size_t step;

		if (left < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -1;
		if ((nh->rtnh_flags & RTNH_F_DEAD) == 0) {
			live++;
			/* Two live next hops behind one interface: it cannot tell them apart. */
			for (int i = 0; i < nseen; i++)
				*shared |= seen[i] == nh->rtnh_ifindex;
			if (nseen < (int)(sizeof(seen) / sizeof(seen[0])))
				seen[nseen++] = nh->rtnh_ifindex;
		}
		step = ((size_t)nh->rtnh_len + RTNH_ALIGNTO - 1) & ~(size_t)(RTNH_ALIGNTO - 1);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return live;
}

/* What the route reply says, for route_fanout_of(). */
struct route_answer {
	int family;		/* the family asked about */
	int fanout;		/* the result, 0 until a good reply is read */
	bool shared;		/* two of its next hops leave by one interface */
};

/* A route message of family: its header and attributes; NULL when it is anything else. */
static const struct rtmsg *route_msg(const struct nlmsghdr *h, int family, struct attrs *a)
{
	const void *fixed;
	const struct rtmsg *rtm;

	if (h->nlmsg_type != RTM_NEWROUTE || !msg_parse(h, sizeof(*rtm), &fixed, a))
		return NULL;
	rtm = fixed;
	return rtm->rtm_family == family ? rtm : NULL;
}

/* reply_fn for RTM_GETROUTE: the fanout of the matched route. */
static bool route_fanout_of(const struct nlmsghdr *h, void *arg)
{
	struct route_answer *ans = arg;
	struct attrs a;
	const struct rtmsg *rtm = route_msg(h, ans->family, &a);

	if (rtm == NULL)
		return false;
	if (rtm->rtm_type == RTN_LOCAL) {
		ans->fanout = 1;	/* the target is this host */
		return true;
	}
	if (rtm->rtm_type != RTN_UNICAST)
		return false;	/* blackhole, unreachable, prohibit, ... */
	if (a.tb[RTA_MULTIPATH] != NULL) {
		int k = count_nexthops(a.tb[RTA_MULTIPATH], &ans->shared);

		ans->fanout = k > 0 ? k : 0;
	} else if (a.tb[RTA_NH_ID] != NULL && a.tb[RTA_OIF] == NULL && a.tb[RTA_GATEWAY] == NULL) {
		ans->fanout = 0;	/* a nexthop object we cannot see into */
	} else {
		ans->fanout = 1;
	}
	return true;
}

/* The route request: header, rtmsg and one RTA_DST attribute. */
struct route_req {
	struct nlmsghdr h;
	struct rtmsg rtm;
	struct rtattr dst_attr;
	unsigned char dst[16];
};

_Static_assert(offsetof(struct route_req, dst_attr) == NLMSG_SPACE(sizeof(struct rtmsg)),
	       "RTA_DST must follow the rtmsg at its aligned offset");
_Static_assert(offsetof(struct route_req, dst) == offsetof(struct route_req, dst_attr) +
	       RTA_LENGTH(0), "the address must follow its attribute header");

/* The fanout of the route the kernel matches for dst, 0 when unsure. */
static int route_lookup(struct nl *nl, const struct ip_addr *dst, size_t alen, bool *shared)
{
	struct route_req req;
	struct route_answer ans = {.family = dst->family, .fanout = 0};

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = (uint32_t)(offsetof(struct route_req, dst) + alen);
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.rtm.rtm_family = (uint8_t)dst->family;
	req.rtm.rtm_dst_len = (uint8_t)(alen * 8);
	req.rtm.rtm_flags = RTM_F_FIB_MATCH;
	req.dst_attr.rta_type = RTA_DST;
	req.dst_attr.rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(req.dst, dst->b, alen);
	if (!nl_send(nl, &req.h) || !nl_replies(nl, false, route_fanout_of, &ans))
		return 0;
	*shared = ans.shared;
	return ans.fanout;
}

int route_first_hop_fanout(const struct ip_addr *dst, bool *shared_interface)
{
	struct nl nl;
	size_t alen;
	int fanout = 0;
	bool shared = false;

	if (shared_interface != NULL)
		*shared_interface = false;
	if (dst == NULL || (dst->family != AF_INET && dst->family != AF_INET6))
		return 0;
	alen = addr_len(dst);
	if (alen == 0 || alen > sizeof(dst->b))
		return 0;
	if (!nl_open(&nl))
		return 0;
	if (rules_are_default(&nl, dst->family))
		fanout = route_lookup(&nl, dst, alen, &shared);
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

/* Room for the attributes of a steering request: two addresses, three small ones. */
#define STEER_ATTR_ROOM (2 * RTA_SPACE(16) + 3 * RTA_SPACE(sizeof(uint32_t)))

/* A steering request: header, rtmsg, then the attributes packed in buf. */
struct steer_req {
	struct nlmsghdr h;
	struct rtmsg rtm;
	unsigned char buf[STEER_ATTR_ROOM];
};

_Static_assert(offsetof(struct steer_req, buf) == NLMSG_SPACE(sizeof(struct rtmsg)),
	       "the attributes must follow the rtmsg at its aligned offset");

/* Appends one attribute to a steering request; false when it would not fit. */
static bool steer_put(struct steer_req *req, unsigned short type, const void *data, size_t len)
{
	size_t used = req->h.nlmsg_len - offsetof(struct steer_req, buf);
	struct rtattr rta;

	if (used > sizeof(req->buf) || RTA_SPACE(len) > sizeof(req->buf) - used)
		return false;
	rta.rta_type = type;
	rta.rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(req->buf + used, &rta, sizeof(rta));
	memcpy(req->buf + used + RTA_LENGTH(0), data, len);
	req->h.nlmsg_len += (uint32_t)RTA_SPACE(len);
	return true;
}

/* What a resolved route lookup says, for route_oif_of(). */
struct oif_answer {
	int family;		/* the family asked about */
	int oif;		/* the result, 0 until a good reply is read */
	struct ip_addr src;	/* the source the kernel would pick (RTA_PREFSRC); unset if none */
	struct ip_addr gateway;	/* the next hop's address (RTA_GATEWAY); unset when on-link */
	bool via_router;	/* a gateway of this family or another (RTA_VIA) */
};

/* An address attribute of family, into *out; left unset when absent or of another size. */
static void attr_addr(const struct rtattr *rta, int family, struct ip_addr *out)
{
	size_t alen = family == AF_INET ? 4 : 16;

	if (rta == NULL || RTA_PAYLOAD(rta) != alen)
		return;
	out->family = family;
	memcpy(out->b, RTA_DATA(rta), alen);
}

/* reply_fn for a resolved RTM_GETROUTE: the interface it leaves by, its source and gateway. */
static bool route_oif_of(const struct nlmsghdr *h, void *arg)
{
	struct oif_answer *ans = arg;
	struct attrs a;
	const struct rtmsg *rtm = route_msg(h, ans->family, &a);
	uint32_t oif;

	if (rtm == NULL || rtm->rtm_type != RTN_UNICAST)
		return false;	/* local, blackhole, unreachable, ...: nothing to steer */
	if (!attr_u32(a.tb[RTA_OIF], &oif) || oif == 0 || oif > INT32_MAX)
		return false;
	ans->oif = (int)oif;
	attr_addr(a.tb[RTA_PREFSRC], ans->family, &ans->src);
	attr_addr(a.tb[RTA_GATEWAY], ans->family, &ans->gateway);
	ans->via_router = a.tb[RTA_GATEWAY] != NULL || a.tb[RTA_VIA] != NULL;
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

/* A resolved route request (RTM_GETROUTE, one path) for dst, attributes to follow. */
static bool lookup_req(struct steer_req *req, const struct ip_addr *dst)
{
	size_t alen = addr_len(dst);

	memset(req, 0, sizeof(*req));
	req->h.nlmsg_len = (uint32_t)offsetof(struct steer_req, buf);
	req->h.nlmsg_type = RTM_GETROUTE;
	req->h.nlmsg_flags = NLM_F_REQUEST;
	req->rtm.rtm_family = (uint8_t)dst->family;
	req->rtm.rtm_dst_len = (uint8_t)(alen * 8);
	return steer_put(req, RTA_DST, dst->b, alen);
}

/* One steering lookup: with the source address when src is set, else without. */
static bool steer_lookup(struct route_steer *rs, const struct ip_addr *src, const struct ip_addr *dst,
			 int ipproto, uint16_t sport, uint16_t dport, struct oif_answer *ans)
{
	struct steer_req req;
	uint8_t proto8 = (uint8_t)ipproto;
	uint16_t sp = htons(sport), dp = htons(dport);
	size_t alen = addr_len(dst);

	if (!lookup_req(&req, dst))
		return false;
	if (src != NULL && addr_is_set(src)) {
		req.rtm.rtm_src_len = (uint8_t)(alen * 8);
		if (!steer_put(&req, RTA_SRC, src->b, alen))
			return false;
	}
	/* The kernel reads RTA_IP_PROTO as a u8 and the ports in network order. */
	if (!steer_put(&req, RTA_IP_PROTO, &proto8, sizeof(proto8)) ||
	    !steer_put(&req, RTA_SPORT, &sp, sizeof(sp)) ||
	    !steer_put(&req, RTA_DPORT, &dp, sizeof(dp)))
		return false;
	*ans = (struct oif_answer){.family = dst->family, .oif = 0};
	return nl_send(&rs->nl, &req.h) && nl_replies(&rs->nl, false, route_oif_of, ans);
}

int route_steer_flow(struct route_steer *rs, const struct ip_addr *dst, int ipproto,
		     uint16_t sport, uint16_t dport, struct ip_addr *src, struct ip_addr *gateway)
{
	struct oif_answer first, final;
	size_t alen;

	if (rs == NULL || dst == NULL || src == NULL || gateway == NULL ||
	    (dst->family != AF_INET && dst->family != AF_INET6) ||
	    (ipproto != IPPROTO_UDP && ipproto != IPPROTO_TCP))
		return 0;
	alen = addr_len(dst);
	if (alen == 0 || alen > sizeof(dst->b))
		return 0;
	/* As connect() does: without a source first, which picks the source... */
	if (!steer_lookup(rs, NULL, dst, ipproto, sport, dport, &first) || !addr_is_set(&first.src))
		return 0;
	*src = first.src;
	if (dst->family == AF_INET6) {
		*gateway = first.gateway;
		return first.oif;	/* ...and on IPv6 the path too (see above) */
	}
	/* ...then on IPv4 again with it, which picks the path. */
	if (!steer_lookup(rs, &first.src, dst, ipproto, sport, dport, &final))
		return 0;
	*gateway = final.gateway;
	return final.oif;
}

int route_on_link_oif(struct route_steer *rs, const struct ip_addr *addr)
{
	struct steer_req req;
	struct oif_answer ans;

	if (rs == NULL || addr == NULL || (addr->family != AF_INET && addr->family != AF_INET6))
		return 0;
	ans = (struct oif_answer){.family = addr->family};
	/* Local, unreachable (no answer) or behind a router: not on a link of ours. */
	if (!lookup_req(&req, addr) || !nl_send(&rs->nl, &req.h) ||
	    !nl_replies(&rs->nl, false, route_oif_of, &ans) || ans.via_router)
		return 0;
	return ans.oif;
}

/* The dump's callback and its caller's, for neigh_entry(). */
struct neigh_dump {
	int family;
	route_neigh_fn fn;
	void *ctx;
};

/* Entry states that hold a link-layer address the host uses or has used. */
#define NUD_WITH_LLADDR (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

/* reply_fn for an RTM_GETNEIGH dump: hands over each usable entry. */
static bool neigh_entry(const struct nlmsghdr *h, void *arg)
{
	struct neigh_dump *d = arg;
	const void *fixed;
	const struct ndmsg *nd;
	struct attrs a;
	struct ip_addr addr = {0};
	size_t llen;

	if (h->nlmsg_type != RTM_NEWNEIGH || !msg_parse(h, sizeof(*nd), &fixed, &a))
		return false;
	nd = fixed;
	if (nd->ndm_family != d->family || (nd->ndm_state & NUD_WITH_LLADDR) == 0 ||
	    a.tb[NDA_DST] == NULL || a.tb[NDA_LLADDR] == NULL)
		return true;	/* another family, an unresolved entry, or none of ours */
	llen = RTA_PAYLOAD(a.tb[NDA_LLADDR]);
	attr_addr(a.tb[NDA_DST], d->family, &addr);
	if (!addr_is_set(&addr) || llen == 0)
		return true;
	d->fn(d->ctx, nd->ndm_ifindex, &addr, RTA_DATA(a.tb[NDA_LLADDR]), llen);
	return true;
}

bool route_neighbours(struct route_steer *rs, int family, route_neigh_fn fn, void *ctx)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req;
	struct neigh_dump d = {.family = family, .fn = fn, .ctx = ctx};

	if (rs == NULL || (family != AF_INET && family != AF_INET6))
		return false;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nd.ndm_family = (uint8_t)family;
	return nl_send(&rs->nl, &req.h) && nl_replies(&rs->nl, true, neigh_entry, &d);
}
