/*
 * Tests of src/wire/rtnl.c: the route and dump requests byte by byte, and
 * the readers of the kernel's answers (rules, matched routes, resolved
 * paths, neighbour entries) on well-formed messages, on every refusal, and
 * on lengths that lie.  Messages are built here field by field, as the
 * kernel lays them out (RFC 3549; linux/rtnetlink.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "wire/rtnl.h"
#include "../tap.h"

/* A message under construction. */
struct msg {
	uint8_t b[1024];
	size_t len;
};

static void start(struct msg *m, uint16_t type, const void *fixed, size_t flen)
{
	struct nlmsghdr h = {.nlmsg_type = type};

	memset(m, 0, sizeof(*m));
	memcpy(m->b, &h, sizeof(h));
	memcpy(m->b + NLMSG_HDRLEN, fixed, flen);
	m->len = NLMSG_SPACE(flen);
}

static void attr(struct msg *m, unsigned short type, const void *data, size_t len)
{
	struct rtattr rta = {.rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type};

	memcpy(m->b + m->len, &rta, sizeof(rta));
	memcpy(m->b + m->len + RTA_LENGTH(0), data, len);
	m->len += RTA_SPACE(len);
}

static void attr32(struct msg *m, unsigned short type, uint32_t v)
{
	attr(m, type, &v, sizeof(v));
}

/* Writes the length into the header; returns it. */
static size_t finish(struct msg *m)
{
	uint32_t n = (uint32_t)m->len;

	memcpy(m->b, &n, sizeof(n));
	return m->len;
}

static struct ip_addr ip(const char *text)
{
	struct ip_addr a;

	addr_parse(text, &a);
	return a;
}

/* The attribute of type in a request, or NULL. */
static const struct rtattr *find_attr(const uint8_t *req, size_t len, size_t flen, unsigned short type)
{
	for (size_t off = NLMSG_SPACE(flen); off + sizeof(struct rtattr) <= len;) {
		const struct rtattr *rta = (const struct rtattr *)(const void *)(req + off);

		if (rta->rta_type == type)
			return rta;
		off += RTA_ALIGN(rta->rta_len);
	}
	return NULL;
}

static void test_route_request(void)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];
	struct ip_addr dst = ip("192.0.2.7"), src = ip("198.51.100.1"), dst6 = ip("fe80::99");
	struct rtnl_route_query q = {.dst = &dst, .fib_match = true};
	const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)req;
	const struct rtmsg *rtm = (const struct rtmsg *)(const void *)(req + NLMSG_HDRLEN);
	const struct rtattr *a;
	size_t n = rtnl_route_request(req, sizeof(req), &q);
	uint16_t port;

	ok(n == NLMSG_SPACE(sizeof(*rtm)) + RTA_SPACE(4) && h->nlmsg_len == n &&
	   h->nlmsg_type == RTM_GETROUTE && h->nlmsg_flags == NLM_F_REQUEST,
	   "fib_match question for an IPv4 address: header and one attribute (%zu bytes)", n);
	a = find_attr(req, n, sizeof(*rtm), RTA_DST);
	ok(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 32 && rtm->rtm_flags == RTM_F_FIB_MATCH &&
	   a != NULL && RTA_PAYLOAD(a) == 4 && memcmp(RTA_DATA(a), dst.b, 4) == 0,
	   "rtmsg says IPv4 /32 with RTM_F_FIB_MATCH, RTA_DST holds the address");
	ok(find_attr(req, n, sizeof(*rtm), RTA_OIF) == NULL, "no zone: no RTA_OIF");

	q = (struct rtnl_route_query){.dst = &dst, .src = &src, .ipproto = IPPROTO_UDP,
				      .sport = 33434, .dport = 53};
	n = rtnl_route_request(req, sizeof(req), &q);
	a = find_attr(req, n, sizeof(*rtm), RTA_SRC);
	ok(n > 0 && rtm->rtm_flags == 0 && rtm->rtm_src_len == 32 && a != NULL &&
	   memcmp(RTA_DATA(a), src.b, 4) == 0, "a connection's question: RTA_SRC, no fib_match");
	a = find_attr(req, n, sizeof(*rtm), RTA_IP_PROTO);
	ok(a != NULL && RTA_PAYLOAD(a) == 1 && *(const uint8_t *)RTA_DATA(a) == IPPROTO_UDP,
	   "RTA_IP_PROTO is one byte");
	a = find_attr(req, n, sizeof(*rtm), RTA_SPORT);
	memcpy(&port, a ? RTA_DATA(a) : (const void *)"\0", a ? 2 : 1);
	ok(a != NULL && RTA_PAYLOAD(a) == 2 && port == htons(33434), "RTA_SPORT in network order");
	a = find_attr(req, n, sizeof(*rtm), RTA_DPORT);
	ok(a != NULL && memcmp(RTA_DATA(a), "\0\x35", 2) == 0, "RTA_DPORT in network order");

	dst6.scope = 7;
	q = (struct rtnl_route_query){.dst = &dst6, .fib_match = true};
	n = rtnl_route_request(req, sizeof(req), &q);
	a = find_attr(req, n, sizeof(*rtm), RTA_OIF);
	ok(n > 0 && rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len == 128 && a != NULL &&
	   RTA_PAYLOAD(a) == 4 && *(const uint32_t *)RTA_DATA(a) == 7,
	   "a zoned link-local target: RTA_OIF is the zone");

	q = (struct rtnl_route_query){.dst = &dst6, .src = &src};
	ok(rtnl_route_request(req, sizeof(req), &q) == 0, "a source of another family: refused");
	q = (struct rtnl_route_query){.dst = &dst};
	ok(rtnl_route_request(req, NLMSG_SPACE(sizeof(*rtm)) + 4, &q) == 0,
	   "a buffer too small for the attribute: 0, nothing overrun");
	ok(rtnl_route_request(req, 8, &q) == 0, "a buffer too small for the header: 0");
	dst.family = 0;
	ok(rtnl_route_request(req, sizeof(req), &q) == 0, "no address: 0");
	ok(rtnl_route_request(req, sizeof(req), NULL) == 0, "no question: 0");
}

static void test_dump_request(void)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];
	const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)req;
	size_t n = rtnl_dump_request(req, sizeof(req), RTM_GETRULE, AF_INET6);

	ok(n == NLMSG_SPACE(sizeof(struct fib_rule_hdr)) && h->nlmsg_len == n &&
	   h->nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP) && req[NLMSG_HDRLEN] == AF_INET6,
	   "rule dump for IPv6");
	n = rtnl_dump_request(req, sizeof(req), RTM_GETNEIGH, AF_INET);
	ok(n == NLMSG_SPACE(sizeof(struct ndmsg)) && h->nlmsg_type == RTM_GETNEIGH &&
	   req[NLMSG_HDRLEN] == AF_INET, "neighbour dump for IPv4");
	ok(rtnl_dump_request(req, sizeof(req), RTM_GETLINK, AF_INET) == 0, "another dump: 0");
	ok(rtnl_dump_request(req, 4, RTM_GETNEIGH, AF_INET) == 0, "no room: 0");
}

static void test_next(void)
{
	uint8_t buf[256];
	struct msg a, b;
	struct rtmsg rtm = {.rtm_family = AF_INET};
	struct nlmsghdr h;
	const uint8_t *p;
	size_t off = 0, la, lb;

	start(&a, RTM_NEWROUTE, &rtm, sizeof(rtm));
	attr(&a, RTA_PRIORITY, "\1", 1);	/* 5 bytes: the message needs padding */
	la = finish(&a);
	start(&b, NLMSG_DONE, "\0\0\0\0", 4);
	lb = finish(&b);
	memcpy(buf, a.b, la);
	memcpy(buf + NLMSG_ALIGN(la), b.b, lb);
	ok(rtnl_next(buf, NLMSG_ALIGN(la) + lb, &off, &h, &p) && p == buf && h.nlmsg_len == la &&
	   off == NLMSG_ALIGN(la), "first message, offset past its padding");
	ok(rtnl_next(buf, NLMSG_ALIGN(la) + lb, &off, &h, &p) && h.nlmsg_type == NLMSG_DONE &&
	   rtnl_done_status(p, h.nlmsg_len) == 0, "then NLMSG_DONE with status 0");
	ok(!rtnl_next(buf, NLMSG_ALIGN(la) + lb, &off, &h, &p), "then the end");
	off = 0;
	ok(!rtnl_next(buf, la - 1, &off, &h, &p), "a message longer than the datagram: refused");
	off = 0;
	ok(!rtnl_next(buf, 10, &off, &h, &p), "less than a header: refused");
	memcpy(buf, "\x08\0\0\0", 4);
	off = 0;
	ok(!rtnl_next(buf, 64, &off, &h, &p), "a length below the header's: refused");
	off = 0;
	ok(rtnl_next(a.b, la, &off, &h, &p) && off == la, "the last message without its padding");
	{
		int32_t err = -ENOENT;

		start(&b, NLMSG_DONE, &err, sizeof(err));
		ok(rtnl_done_status(b.b, finish(&b)) == -ENOENT, "a failed dump's status");
		ok(rtnl_done_status(b.b, NLMSG_HDRLEN) == 0, "NLMSG_DONE without payload: 0");
	}
}

/* A rule as the kernel dumps its defaults: priority, table, protocol. */
static size_t default_rule(struct msg *m, int family, uint32_t table)
{
	struct fib_rule_hdr frh = {.family = (uint8_t)family, .table = RT_TABLE_UNSPEC,
				   .action = FR_ACT_TO_TBL};

	start(m, RTM_NEWRULE, &frh, sizeof(frh));
	attr32(m, FRA_TABLE, table);
	attr32(m, FRA_PRIORITY, 32766);
	attr(m, FRA_PROTOCOL, "\2", 1);
	attr32(m, FRA_SUPPRESS_PREFIXLEN, UINT32_MAX);
	return finish(m);
}

static void test_rules(void)
{
	struct msg m;
	size_t n = default_rule(&m, AF_INET, 254);
	struct fib_rule_hdr frh;

	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_OK, "the main table's rule is a default");
	ok(rtnl_rule_default(m.b, n, AF_INET6) == RTNL_BAD, "of another family: not one of ours");
	n = default_rule(&m, AF_INET, 100);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "a jump to table 100: not a default");
	default_rule(&m, AF_INET, 254);
	attr(&m, FRA_IFNAME, "eth0", 5);
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "a rule by interface: not a default");
	default_rule(&m, AF_INET, 254);
	attr32(&m, FRA_FWMARK, 1);
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "a rule by mark: not a default");
	default_rule(&m, AF_INET, 254);
	attr32(&m, FRA_SUPPRESS_PREFIXLEN, 0);
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "suppress_prefixlength 0: not a default");
	default_rule(&m, AF_INET, 254);
	attr32(&m, 200, 0);
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "an attribute type we do not know: no");
	memset(&frh, 0, sizeof(frh));
	frh.family = AF_INET;
	frh.table = 255;
	frh.action = FR_ACT_TO_TBL;
	start(&m, RTM_NEWRULE, &frh, sizeof(frh));
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_OK, "the local table in the header alone");
	frh.src_len = 24;
	start(&m, RTM_NEWRULE, &frh, sizeof(frh));
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "a rule by source prefix: not a default");
	frh.src_len = 0;
	frh.action = FR_ACT_BLACKHOLE;
	start(&m, RTM_NEWRULE, &frh, sizeof(frh));
	n = finish(&m);
	ok(rtnl_rule_default(m.b, n, AF_INET) == RTNL_BAD, "a blackhole rule: not a default");
	n = default_rule(&m, AF_INET, 254);
	ok(rtnl_rule_default(m.b, NLMSG_HDRLEN + 4, AF_INET) == RTNL_BAD, "cut in its header: refused");
	ok(rtnl_rule_default(m.b, n - 2, AF_INET) == RTNL_BAD,
	   "a length larger than the bytes there: refused");
}

/* A route answer of type with its attributes to follow. */
static void route(struct msg *m, int family, uint8_t type)
{
	struct rtmsg rtm = {.rtm_family = (uint8_t)family, .rtm_type = type,
			    .rtm_dst_len = family == AF_INET ? 32 : 128};

	start(m, RTM_NEWROUTE, &rtm, sizeof(rtm));
}

/* An RTA_MULTIPATH payload: next hops on these interfaces, dead ones flagged. */
static size_t multipath(uint8_t *out, const int *ifindex, const bool *dead, int n, const char *gw)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		struct rtnexthop nh = {.rtnh_len = (unsigned short)(sizeof(nh) + RTA_SPACE(4)),
				       .rtnh_flags = dead[i] ? RTNH_F_DEAD : 0,
				       .rtnh_ifindex = ifindex[i]};
		struct rtattr rta = {.rta_len = RTA_LENGTH(4), .rta_type = RTA_GATEWAY};
		struct ip_addr g = ip(gw);

		memcpy(out + len, &nh, sizeof(nh));
		memcpy(out + len + sizeof(nh), &rta, sizeof(rta));
		memcpy(out + len + sizeof(nh) + RTA_LENGTH(0), g.b, 4);
		len += RTNH_ALIGN(nh.rtnh_len);
	}
	return len;
}

static void test_fanout(void)
{
	static const int two_links[] = {2, 3, 4}, one_link[] = {2, 2};
	static const bool live[] = {false, false, false}, third_dead[] = {false, false, true};
	struct rtnl_fanout f;
	uint8_t mp[256];
	struct msg m;
	size_t n;

	route(&m, AF_INET, RTN_UNICAST);
	attr32(&m, RTA_OIF, 2);
	attr(&m, RTA_GATEWAY, ip("10.0.0.1").b, 4);
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_OK && f.fanout == 1 && !f.shared,
	   "a plain route: one next hop");
	route(&m, AF_INET, RTN_UNICAST);
	attr(&m, RTA_MULTIPATH, mp, multipath(mp, two_links, third_dead, 3, "10.0.0.1"));
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_OK && f.fanout == 2 && !f.shared,
	   "three next hops, one dead: fanout 2 (%d)", f.fanout);
	route(&m, AF_INET, RTN_UNICAST);
	attr(&m, RTA_MULTIPATH, mp, multipath(mp, two_links, live, 3, "10.0.0.1"));
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_OK && f.fanout == 3 && !f.shared,
	   "three live next hops on three interfaces");
	route(&m, AF_INET, RTN_UNICAST);
	attr(&m, RTA_MULTIPATH, mp, multipath(mp, one_link, live, 2, "10.0.0.1"));
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_OK && f.fanout == 2 && f.shared,
	   "two next hops behind one interface: shared");
	multipath(mp, two_links, live, 2, "10.0.0.1");
	mp[0] = 200;	/* the first next hop claims more than there is */
	route(&m, AF_INET, RTN_UNICAST);
	attr(&m, RTA_MULTIPATH, mp, 2 * RTNH_ALIGN(sizeof(struct rtnexthop) + RTA_SPACE(4)));
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_OK && f.fanout == 0,
	   "a next hop longer than RTA_MULTIPATH: unknowable, fanout 0");
	route(&m, AF_INET, RTN_UNICAST);
	attr32(&m, RTA_NH_ID, 7);
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_OK && f.fanout == 0,
	   "a nexthop object seen only by id: fanout 0");
	route(&m, AF_INET6, RTN_LOCAL);
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET6, &f) == RTNL_OK && f.fanout == 1,
	   "a local route: the target is this host, fanout 1");
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_BAD, "of another family: refused");
	route(&m, AF_INET, RTN_BLACKHOLE);
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_BAD, "a blackhole route: refused");
	route(&m, AF_INET, RTN_UNICAST);
	attr32(&m, RTA_OIF, 2);
	n = finish(&m);
	memcpy(m.b + NLMSG_SPACE(sizeof(struct rtmsg)), "\x40\0", 2);	/* rta_len 64 */
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_BAD, "an attribute past the message: refused");
	memcpy(m.b + NLMSG_SPACE(sizeof(struct rtmsg)), "\x02\0", 2);	/* rta_len 2 */
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_BAD, "an attribute shorter than its header");
	start(&m, RTM_NEWNEIGH, "\2\0\0\0\0\0\0\0\0\0\0\0", 12);
	n = finish(&m);
	ok(rtnl_route_fanout(m.b, n, AF_INET, &f) == RTNL_BAD, "a neighbour message: refused");
}

static void test_path(void)
{
	struct rtnl_path p;
	struct msg m;
	size_t n;

	route(&m, AF_INET, RTN_UNICAST);
	attr32(&m, RTA_OIF, 3);
	attr(&m, RTA_PREFSRC, ip("10.0.1.1").b, 4);
	attr(&m, RTA_GATEWAY, ip("10.0.1.2").b, 4);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET, &p) == RTNL_OK && p.oif == 3 &&
	   addr_equal(&p.src, &(struct ip_addr){0}) == false && p.src.b[3] == 1 &&
	   p.gateway.b[3] == 2 && p.via_router, "a path: interface, source and gateway");
	route(&m, AF_INET6, RTN_UNICAST);
	attr32(&m, RTA_OIF, 4);
	attr(&m, RTA_PREFSRC, ip("fe80::1").b, 16);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET6, &p) == RTNL_OK && p.oif == 4 &&
	   p.src.family == AF_INET6 && !addr_is_set(&p.gateway) && !p.via_router,
	   "an on-link IPv6 path: no gateway");
	route(&m, AF_INET, RTN_UNICAST);
	attr32(&m, RTA_OIF, 3);
	attr(&m, RTA_PREFSRC, ip("fe80::1").b, 16);
	attr(&m, RTA_VIA, "\x0a\0\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 18);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET, &p) == RTNL_OK && !addr_is_set(&p.src) && p.via_router,
	   "an address of the wrong size is ignored; RTA_VIA is a router");
	route(&m, AF_INET, RTN_UNICAST);
	attr(&m, RTA_GATEWAY, ip("10.0.1.2").b, 4);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET, &p) == RTNL_BAD, "no interface: refused");
	route(&m, AF_INET, RTN_UNICAST);
	attr32(&m, RTA_OIF, 0);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET, &p) == RTNL_BAD, "interface 0: refused");
	route(&m, AF_INET, RTN_UNICAST);
	attr(&m, RTA_OIF, "\3\0", 2);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET, &p) == RTNL_BAD, "a 2-byte RTA_OIF: refused");
	route(&m, AF_INET, RTN_LOCAL);
	attr32(&m, RTA_OIF, 1);
	n = finish(&m);
	ok(rtnl_route_path(m.b, n, AF_INET, &p) == RTNL_BAD, "a local route: no path out");
}

static size_t neigh(struct msg *m, int family, uint16_t state, const char *addr, size_t lladdr_len)
{
	struct ndmsg nd = {.ndm_family = (uint8_t)family, .ndm_ifindex = 5, .ndm_state = state};
	static const uint8_t mac[8] = {0x02, 0, 0x5e, 0, 1, 1, 7, 8};
	struct ip_addr a = ip(addr);

	start(m, RTM_NEWNEIGH, &nd, sizeof(nd));
	attr(m, NDA_DST, a.b, addr_len(&a));	/* the address's own size, whatever family */
	if (lladdr_len != (size_t)-1)
		attr(m, NDA_LLADDR, mac, lladdr_len);
	return finish(m);
}

static void test_neigh(void)
{
	struct rtnl_neigh e;
	struct msg m;
	size_t n = neigh(&m, AF_INET, NUD_REACHABLE, "10.0.1.2", 6);

	ok(rtnl_neigh_entry(m.b, n, AF_INET, &e) == RTNL_OK && e.ifindex == 5 &&
	   e.addr.family == AF_INET && e.addr.b[3] == 2 && e.lladdr_len == 6 &&
	   e.lladdr >= m.b && e.lladdr + e.lladdr_len <= m.b + n && e.lladdr[0] == 0x02,
	   "a reachable IPv4 neighbour: interface, address, MAC inside the message");
	n = neigh(&m, AF_INET6, NUD_STALE, "fe80::1", 6);
	ok(rtnl_neigh_entry(m.b, n, AF_INET6, &e) == RTNL_OK && e.addr.family == AF_INET6,
	   "a stale IPv6 neighbour");
	n = neigh(&m, AF_INET6, NUD_PERMANENT, "fe80::1", 8);
	ok(rtnl_neigh_entry(m.b, n, AF_INET6, &e) == RTNL_OK && e.lladdr_len == 8,
	   "a permanent entry with an 8-byte link-layer address");
	n = neigh(&m, AF_INET, NUD_FAILED, "10.0.1.2", 6);
	ok(rtnl_neigh_entry(m.b, n, AF_INET, &e) == RTNL_SKIP, "a failed entry: skipped");
	n = neigh(&m, AF_INET, NUD_INCOMPLETE, "10.0.1.2", (size_t)-1);
	ok(rtnl_neigh_entry(m.b, n, AF_INET, &e) == RTNL_SKIP, "no link-layer address: skipped");
	n = neigh(&m, AF_INET, NUD_REACHABLE, "10.0.1.2", 0);
	ok(rtnl_neigh_entry(m.b, n, AF_INET, &e) == RTNL_SKIP, "an empty one: skipped");
	n = neigh(&m, AF_INET, NUD_REACHABLE, "10.0.1.2", 6);
	ok(rtnl_neigh_entry(m.b, n, AF_INET6, &e) == RTNL_SKIP, "of another family: skipped");
	n = neigh(&m, AF_INET6, NUD_REACHABLE, "10.0.1.2", 6);	/* a 4-byte NDA_DST */
	ok(rtnl_neigh_entry(m.b, n, AF_INET6, &e) == RTNL_SKIP, "an address of the wrong size: skipped");
	n = neigh(&m, AF_INET, NUD_REACHABLE, "10.0.1.2", 6);
	ok(rtnl_neigh_entry(m.b, n - 4, AF_INET, &e) == RTNL_BAD, "cut short: refused");
	ok(rtnl_neigh_entry(m.b, NLMSG_HDRLEN + 2, AF_INET, &e) == RTNL_BAD, "cut in its header: refused");
	route(&m, AF_INET, RTN_UNICAST);
	n = finish(&m);
	ok(rtnl_neigh_entry(m.b, n, AF_INET, &e) == RTNL_BAD, "a route message: refused");
}

int main(void)
{
	test_route_request();
	test_dump_request();
	test_next();
	test_rules();
	test_fanout();
	test_path();
	test_neigh();
	return tap_done();
}
