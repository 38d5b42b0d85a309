/*
 * rtnetlink requests and answers (RFC 3549; see rtnl.h).  The kernel is
 * trusted to answer, not to answer well-formed: every header and attribute
 * is copied out after its length is checked, so a short, overlong or
 * misaligned message is refused, never read past.
 */
#include "config.h"

#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/rtnl.h"

/* Attribute slots kept per message; higher types are only noted. */
#define ATTR_SLOTS 64

/* The kernel's own tables, the only ones its default rules point to. */
#define TABLE_DEFAULT 253
#define TABLE_MAIN 254
#define TABLE_LOCAL 255

/* Entry states that hold a link-layer address the host uses or has used. */
#define NUD_WITH_LLADDR (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

/* One attribute: its payload inside the message. */
struct attr {
	const uint8_t *data;	/* NULL when absent */
	size_t len;
};

/* The attributes of one message, by type (the last of a type wins). */
struct attrs {
	struct attr tb[ATTR_SLOTS];
	bool high;		/* a type >= ATTR_SLOTS was present */
};

/* Appends one attribute to a request of *used bytes; false when it would not fit. */
static bool put_attr(uint8_t *buf, size_t len, size_t *used, unsigned short type,
		     const void *data, size_t dlen)
{
	struct rtattr rta;

	if (*used > len || RTA_SPACE(dlen) > len - *used)
		return false;
	rta.rta_type = type;
	rta.rta_len = (unsigned short)RTA_LENGTH(dlen);
	memset(buf + *used, 0, RTA_SPACE(dlen));
	memcpy(buf + *used, &rta, sizeof(rta));
	memcpy(buf + *used + RTA_LENGTH(0), data, dlen);
	*used += RTA_SPACE(dlen);
	return true;
}

/* Writes the header of a request of type with a fixed part of flen bytes. */
static size_t put_header(uint8_t *buf, size_t len, uint16_t type, uint16_t flags,
			 const void *fixed, size_t flen)
{
	struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_flags = flags};

	if (len < NLMSG_SPACE(flen))
		return 0;
	memset(buf, 0, NLMSG_SPACE(flen));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + NLMSG_HDRLEN, fixed, flen);
	return NLMSG_SPACE(flen);
}

/* Sets the final length in the header. */
static size_t finish(uint8_t *buf, size_t used)
{
	uint32_t n = (uint32_t)used;

	memcpy(buf + offsetof(struct nlmsghdr, nlmsg_len), &n, sizeof(n));
	return used;
}

size_t rtnl_route_request(void *out, size_t len, const struct rtnl_route_query *q)
{
	uint8_t *buf = out;
	struct rtmsg rtm;
	size_t alen, used;
	uint8_t sp[2], dp[2];
	uint32_t oif;

	if (q == NULL || q->dst == NULL || (q->dst->family != AF_INET && q->dst->family != AF_INET6))
		return 0;
	alen = addr_len(q->dst);
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (uint8_t)q->dst->family;
	rtm.rtm_dst_len = (uint8_t)(alen * 8);
	rtm.rtm_flags = q->fib_match ? RTM_F_FIB_MATCH : 0;
	if (q->src != NULL && addr_is_set(q->src)) {
		if (q->src->family != q->dst->family)
			return 0;
		rtm.rtm_src_len = (uint8_t)(alen * 8);
	}
	used = put_header(buf, len, RTM_GETROUTE, NLM_F_REQUEST, &rtm, sizeof(rtm));
	if (used == 0 || !put_attr(buf, len, &used, RTA_DST, q->dst->b, alen))
		return 0;
	if (rtm.rtm_src_len != 0 && !put_attr(buf, len, &used, RTA_SRC, q->src->b, alen))
		return 0;
	oif = q->dst->scope;
	if (oif != 0 && !put_attr(buf, len, &used, RTA_OIF, &oif, sizeof(oif)))
		return 0;
	if (q->ipproto != 0) {
		/* The kernel reads RTA_IP_PROTO as a u8 and the ports in network order. */
		put16(sp, q->sport);
		put16(dp, q->dport);
		if (!put_attr(buf, len, &used, RTA_IP_PROTO, &q->ipproto, 1) ||
		    !put_attr(buf, len, &used, RTA_SPORT, sp, sizeof(sp)) ||
		    !put_attr(buf, len, &used, RTA_DPORT, dp, sizeof(dp)))
			return 0;
	}
	return finish(buf, used);
}

size_t rtnl_dump_request(void *out, size_t len, uint16_t type, int family)
{
	uint8_t *buf = out;
	size_t used = 0;

	if (type == RTM_GETRULE) {
		struct fib_rule_hdr frh = {.family = (uint8_t)family};

		used = put_header(buf, len, type, NLM_F_REQUEST | NLM_F_DUMP, &frh, sizeof(frh));
	} else if (type == RTM_GETNEIGH) {
		struct ndmsg nd = {.ndm_family = (uint8_t)family};

		used = put_header(buf, len, type, NLM_F_REQUEST | NLM_F_DUMP, &nd, sizeof(nd));
	}
	return used ? finish(buf, used) : 0;
}

bool rtnl_next(const void *buf, size_t len, size_t *off, struct nlmsghdr *h, const uint8_t **msg)
{
	const uint8_t *p = buf;

	if (*off >= len || len - *off < sizeof(*h))
		return false;
	memcpy(h, p + *off, sizeof(*h));
	if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - *off)
		return false;
	*msg = p + *off;
	/* The last message may come without its padding. */
	*off += NLMSG_ALIGN(h->nlmsg_len) < len - *off ? NLMSG_ALIGN(h->nlmsg_len) : len - *off;
	return true;
}

int rtnl_done_status(const uint8_t *msg, size_t len)
{
	int32_t status = 0;

	if (len >= NLMSG_LENGTH(sizeof(status)))
		memcpy(&status, msg + NLMSG_HDRLEN, sizeof(status));
	return status;
}

/*
 * Reads a message of type with a fixed header of flen bytes: copies the
 * header to fixed and fills a with the attributes that follow.  False when
 * the message is of another type, too short, or an attribute does not fit.
 */
static bool msg_parse(const uint8_t *msg, size_t len, uint16_t type, void *fixed, size_t flen,
		      struct attrs *a)
{
	struct nlmsghdr h;
	const uint8_t *p;
	size_t left;

	memset(a, 0, sizeof(*a));
	if (len < sizeof(h))
		return false;
	memcpy(&h, msg, sizeof(h));
	if (h.nlmsg_type != type || h.nlmsg_len > len || h.nlmsg_len < NLMSG_LENGTH(flen))
		return false;
	memcpy(fixed, msg + NLMSG_HDRLEN, flen);
	if (h.nlmsg_len <= NLMSG_SPACE(flen))
		return true;	/* no room for attributes */
	p = msg + NLMSG_SPACE(flen);
	left = h.nlmsg_len - NLMSG_SPACE(flen);
	while (left > 0) {
		struct rtattr rta;
		unsigned t;

		if (left < sizeof(rta))
			return false;
		memcpy(&rta, p, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || rta.rta_len > left)
			return false;
		t = rta.rta_type & ~(unsigned)(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
		if (t < ATTR_SLOTS)
			a->tb[t] = (struct attr){p + RTA_LENGTH(0), rta.rta_len - RTA_LENGTH(0)};
		else
			a->high = true;
		if (RTA_ALIGN(rta.rta_len) >= left)
			break;	/* the last one, perhaps without its padding */
		p += RTA_ALIGN(rta.rta_len);
		left -= RTA_ALIGN(rta.rta_len);
	}
	return true;
}

/* The 32-bit value of an attribute that must hold exactly one. */
static bool attr_u32(const struct attr *at, uint32_t *v)
{
	if (at->data == NULL || at->len != sizeof(*v))
		return false;
	memcpy(v, at->data, sizeof(*v));
	return true;
}

/* An address attribute of family, into *out; left as it was when absent or of another size. */
static void attr_addr(const struct attr *at, int family, struct ip_addr *out)
{
	size_t alen = family == AF_INET ? 4 : 16;

	if (at->data == NULL || at->len != alen)
		return;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->b, at->data, alen);
}

/*
 * Whether one attribute of a rule leaves it a default rule.  The kernel
 * (6.18) emits FRA_TABLE, FRA_PROTOCOL, FRA_PRIORITY (when not 0) and
 * FRA_SUPPRESS_PREFIXLEN = -1 for its defaults (FRA_PAD is only padding,
 * the suppressors are unset at -1); every other attribute selects packets
 * by something a route lookup by destination alone cannot see.
 */
static bool rule_attr_is_default(unsigned type, const struct attr *at)
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
		return attr_u32(at, &v) && v == UINT32_MAX;	/* -1: not set */
	default:
		return false;
	}
}

enum rtnl_verdict rtnl_rule_default(const uint8_t *msg, size_t len, int family)
{
	struct fib_rule_hdr frh;
	struct attrs a;
	uint32_t table;

	if (!msg_parse(msg, len, RTM_NEWRULE, &frh, sizeof(frh), &a) || a.high)
		return RTNL_BAD;
	if (frh.family != family || frh.dst_len != 0 || frh.src_len != 0 || frh.tos != 0 ||
	    frh.action != FR_ACT_TO_TBL || (frh.flags & ~(uint32_t)FIB_RULE_PERMANENT) != 0)
		return RTNL_BAD;
	for (unsigned t = 0; t < ATTR_SLOTS; t++)
		if (a.tb[t].data != NULL && !rule_attr_is_default(t, &a.tb[t]))
			return RTNL_BAD;
	table = frh.table;
	if (a.tb[FRA_TABLE].data != NULL && !attr_u32(&a.tb[FRA_TABLE], &table))
		return RTNL_BAD;
	return table == TABLE_LOCAL || table == TABLE_MAIN || table == TABLE_DEFAULT ? RTNL_OK
										   : RTNL_BAD;
}

/*
 * The live next hops in an RTA_MULTIPATH payload (a run of struct
 * rtnexthop, each followed by its own attributes), or -1 when it is
 * malformed.  A dead next hop takes no flows, so it does not count.
 */
static int count_nexthops(const struct attr *mp, bool *shared)
{
	const uint8_t *p = mp->data;
	size_t left = mp->len;
	int live = 0, seen[64], nseen = 0;

	while (left > 0) {
		struct rtnexthop nh;
		size_t step;

		if (left < sizeof(nh))
			return -1;
		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left)
			return -1;
		if ((nh.rtnh_flags & RTNH_F_DEAD) == 0) {
			live++;
			/* Two live next hops behind one interface: it cannot tell them apart. */
			for (int i = 0; i < nseen; i++)
				*shared |= seen[i] == nh.rtnh_ifindex;
			if (nseen < (int)(sizeof(seen) / sizeof(seen[0])))
				seen[nseen++] = nh.rtnh_ifindex;
		}
		step = RTNH_ALIGN((size_t)nh.rtnh_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return live;
}

/* A route message of family: its header and attributes; false when it is anything else. */
static bool route_msg(const uint8_t *msg, size_t len, int family, struct rtmsg *rtm,
		      struct attrs *a)
{
	return msg_parse(msg, len, RTM_NEWROUTE, rtm, sizeof(*rtm), a) && rtm->rtm_family == family;
}

enum rtnl_verdict rtnl_route_fanout(const uint8_t *msg, size_t len, int family,
				    struct rtnl_fanout *out)
{
	struct rtmsg rtm;
	struct attrs a;

	*out = (struct rtnl_fanout){.fanout = 0};
	if (!route_msg(msg, len, family, &rtm, &a))
		return RTNL_BAD;
	if (rtm.rtm_type == RTN_LOCAL) {
		out->fanout = 1;	/* the target is this host */
		return RTNL_OK;
	}
	if (rtm.rtm_type != RTN_UNICAST)
		return RTNL_BAD;	/* blackhole, unreachable, prohibit, ... */
	if (a.tb[RTA_MULTIPATH].data != NULL) {
		int k = count_nexthops(&a.tb[RTA_MULTIPATH], &out->shared);

		out->fanout = k > 0 ? k : 0;
	} else if (a.tb[RTA_NH_ID].data != NULL && a.tb[RTA_OIF].data == NULL &&
		   a.tb[RTA_GATEWAY].data == NULL) {
		out->fanout = 0;	/* a nexthop object we cannot see into */
	} else {
		out->fanout = 1;
	}
	if (out->fanout <= 1)
		out->shared = false;
	return RTNL_OK;
}

enum rtnl_verdict rtnl_route_path(const uint8_t *msg, size_t len, int family,
				  struct rtnl_path *out)
{
	struct rtmsg rtm;
	struct attrs a;
	uint32_t oif;

	memset(out, 0, sizeof(*out));
	if (!route_msg(msg, len, family, &rtm, &a) || rtm.rtm_type != RTN_UNICAST)
		return RTNL_BAD;	/* local, blackhole, unreachable, ...: no path out */
	if (!attr_u32(&a.tb[RTA_OIF], &oif) || oif == 0 || oif > INT32_MAX)
		return RTNL_BAD;
	out->oif = (int)oif;
	attr_addr(&a.tb[RTA_PREFSRC], family, &out->src);
	attr_addr(&a.tb[RTA_GATEWAY], family, &out->gateway);
	out->via_router = a.tb[RTA_GATEWAY].data != NULL || a.tb[RTA_VIA].data != NULL;
	return RTNL_OK;
}

enum rtnl_verdict rtnl_neigh_entry(const uint8_t *msg, size_t len, int family,
				   struct rtnl_neigh *out)
{
	struct ndmsg nd;
	struct attrs a;

	memset(out, 0, sizeof(*out));
	if (!msg_parse(msg, len, RTM_NEWNEIGH, &nd, sizeof(nd), &a))
		return RTNL_BAD;
	if (nd.ndm_family != family || (nd.ndm_state & NUD_WITH_LLADDR) == 0 ||
	    a.tb[NDA_DST].data == NULL || a.tb[NDA_LLADDR].data == NULL)
		return RTNL_SKIP;	/* another family, an unresolved entry, or none of ours */
	attr_addr(&a.tb[NDA_DST], family, &out->addr);
	if (!addr_is_set(&out->addr) || a.tb[NDA_LLADDR].len == 0)
		return RTNL_SKIP;
	out->ifindex = nd.ndm_ifindex;
	out->lladdr = a.tb[NDA_LLADDR].data;
	out->lladdr_len = a.tb[NDA_LLADDR].len;
	return RTNL_OK;
}
