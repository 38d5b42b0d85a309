/*
 * libFuzzer target for the rtnetlink readers (src/wire/rtnl.c).  The input
 * is a datagram as the kernel would send it: every message rtnl_next()
 * finds goes to every reader for both families.  None may read outside the
 * input (the sanitizers watch that), the same message must give the same
 * answer twice, and what a reader accepts must be self-consistent: a
 * fanout never exceeds the next hops the message could hold and "shared"
 * needs two of them, a path has an interface > 0 and addresses of the
 * family asked, a neighbour's link-layer address lies inside the message.
 * The first bytes also make a route question, which must come out as one
 * whole message of at most RTNL_REQUEST_MAX bytes.
 *
 * In `make check` this runs through replay.c over tests/fuzz/corpus/rtnl;
 * under real libFuzzer:
 *
 *   tests/fuzz/run-libfuzzer.sh rtnl 60
 */
#include "config.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

#include "wire/rtnl.h"
#include "fuzz.h"

static bool family_ok(const struct ip_addr *a, int family)
{
	return !addr_is_set(a) || a->family == family;
}

static void check_message(const uint8_t *msg, size_t len, int family)
{
	struct rtnl_fanout f, f2;
	struct rtnl_path p, p2;
	struct rtnl_neigh n, n2;
	enum rtnl_verdict v;

	v = rtnl_rule_default(msg, len, family);
	CHECK(v == rtnl_rule_default(msg, len, family) && v != RTNL_SKIP);

	v = rtnl_route_fanout(msg, len, family, &f);
	CHECK(v == rtnl_route_fanout(msg, len, family, &f2) && v != RTNL_SKIP);
	if (v == RTNL_OK) {
		/* Each next hop takes at least a struct rtnexthop. */
		CHECK(f.fanout >= 0 && (size_t)f.fanout <= len / sizeof(struct rtnexthop) + 1);
		CHECK(f.fanout == f2.fanout && f.shared == f2.shared);
		CHECK(!f.shared || f.fanout >= 2);
	}

	v = rtnl_route_path(msg, len, family, &p);
	CHECK(v == rtnl_route_path(msg, len, family, &p2) && v != RTNL_SKIP);
	if (v == RTNL_OK) {
		CHECK(p.oif > 0 && p.oif == p2.oif);
		CHECK(family_ok(&p.src, family) && family_ok(&p.gateway, family));
		CHECK(!addr_is_set(&p.gateway) || p.via_router);
	}

	v = rtnl_neigh_entry(msg, len, family, &n);
	CHECK(v == rtnl_neigh_entry(msg, len, family, &n2));
	if (v == RTNL_OK) {
		CHECK(n.addr.family == family && n.lladdr_len > 0);
		CHECK(n.lladdr >= msg && n.lladdr + n.lladdr_len <= msg + len);
		CHECK(n.lladdr == n2.lladdr && n.lladdr_len == n2.lladdr_len);
	}
}

/* A route question from the input's first bytes: it must build whole, or not at all. */
static void check_request(const uint8_t *data, size_t size)
{
	_Alignas(struct nlmsghdr) uint8_t req[RTNL_REQUEST_MAX];
	struct ip_addr dst = {0}, src = {0};
	struct rtnl_route_query q = {.dst = &dst};
	struct nlmsghdr h;
	const uint8_t *m;
	size_t n, off = 0;

	if (size < 40)
		return;
	dst.family = data[0] & 1 ? AF_INET6 : AF_INET;
	memcpy(dst.b, data + 1, 16);
	memcpy(&dst.scope, data + 17, 4);
	src.family = data[0] & 2 ? AF_INET6 : AF_INET;
	memcpy(src.b, data + 21, 16);
	q.src = data[0] & 4 ? &src : NULL;
	q.fib_match = data[0] & 8;
	q.ipproto = data[37];
	q.sport = (uint16_t)(data[38] << 8 | data[39]);
	n = rtnl_route_request(req, (size_t)data[0] * 2 < sizeof(req) ? (size_t)data[0] * 2
								       : sizeof(req), &q);
	if (n == 0)
		return;
	CHECK(n <= sizeof(req));
	CHECK(rtnl_next(req, n, &off, &h, &m) && h.nlmsg_len == n && off == n);
	CHECK(h.nlmsg_type == RTM_GETROUTE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr h;
	const uint8_t *msg;
	size_t off = 0;

	while (rtnl_next(data, size, &off, &h, &msg)) {
		CHECK(msg >= data && msg + h.nlmsg_len <= data + size && off <= size);
		check_message(msg, h.nlmsg_len, AF_INET);
		check_message(msg, h.nlmsg_len, AF_INET6);
		if (h.nlmsg_type == NLMSG_DONE)
			(void)rtnl_done_status(msg, h.nlmsg_len);
	}
	check_request(data, size);
	return 0;
}
