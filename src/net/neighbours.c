/*
 * The link-layer check's sockets (see neighbours.h).  IPv4: one packet
 * socket for ARP (RFC 826) on every interface, which sends a broadcast
 * request out of the neighbour's interface and hears every ARP message
 * the host receives.  IPv6: one raw ICMPv6 socket that lets only Neighbor
 * Advertisements in and sends Neighbor Solicitations to the neighbour's
 * solicited-node group (RFC 4861), hop limit 255 both ways.  The messages
 * themselves are built and read in src/wire/neigh.c.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/neighbours.h"
#include "net/route.h"
#include "net/source.h"
#include "wire/neigh.h"

struct neighbours {
	int family;
	int fd;
	struct route_steer *rs;		/* rtnetlink: on-link check, neighbour table */
	uint32_t zone;			/* the link-local target's interface, 0 without */
};

/* The sockets' options: IPv6 needs the advertisements in, at hop limit 255, and nothing else. */
static bool setup_icmp6(int fd)
{
	struct icmp6_filter filter;
	int on = 1, hops = 255;

	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
	return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) == 0 &&
	       setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) == 0 &&
	       setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) == 0 &&
	       setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) == 0;
}

/*
 * A link-local target's zone: link-local addresses exist once per link,
 * so only the zone's link is asked and heard (another link's fe80::1 is
 * another machine).  Binding needs CAP_NET_RAW, so it happens here.
 */
static bool bind_zone(int fd, uint32_t zone)
{
	char name[IF_NAMESIZE];

	if (zone == 0)
		return true;
	return if_indextoname(zone, name) != NULL &&
	       setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name) + 1) == 0;
}

struct neighbours *neighbours_open(int family, uint32_t zone, char *err, size_t errlen)
{
	struct neighbours *nb = calloc(1, sizeof(*nb));

	if (nb == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	nb->family = family;
	nb->zone = family == AF_INET6 ? zone : 0;
	if (family == AF_INET)
		nb->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				htons(ETH_P_ARP));
	else
		nb->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (nb->fd < 0) {
		snprintf(err, errlen, "%s socket: %s", family == AF_INET ? "ARP" : "ICMPv6",
			 strerror(errno));
		free(nb);
		return NULL;
	}
	if (family == AF_INET6 && (!setup_icmp6(nb->fd) || !bind_zone(nb->fd, nb->zone))) {
		snprintf(err, errlen, "ICMPv6 socket options: %s", strerror(errno));
		goto fail;
	}
	nb->rs = route_steer_open();
	if (nb->rs == NULL) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(errno));
		goto fail;
	}
	return nb;
fail:
	close(nb->fd);
	free(nb);
	return NULL;
}

void neighbours_close(struct neighbours *nb)
{
	if (nb == NULL)
		return;
	close(nb->fd);
	route_steer_close(nb->rs);
	free(nb);
}

int neighbours_fd(const struct neighbours *nb)
{
	return nb->fd;
}

/* Our own Ethernet address on interface ifindex; false for any other kind of link. */
static bool own_mac(int fd, int ifindex, uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname((unsigned)ifindex, ifr.ifr_name) == NULL ||
	    ioctl(fd, SIOCGIFHWADDR, &ifr) != 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return false;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return true;
}

/* route_neighbours() callback: the entries of one interface go to the caller. */
struct table_ctx {
	int ifindex;
	neighbours_fn fn;
	void *ctx;
};

static void table_entry(void *ctx, int ifindex, const struct ip_addr *addr, const uint8_t *lladdr,
			size_t len)
{
	struct table_ctx *t = ctx;

	if (ifindex == t->ifindex)
		t->fn(t->ctx, addr, lladdr, len);
}

static bool ask_arp(struct neighbours *nb, int oif, const uint8_t mac[6], const struct ip_addr *addr)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				 .sll_ifindex = oif, .sll_halen = 6};
	uint8_t msg[NEIGH_ARP_LEN];
	struct ip_addr src;
	char err[128];
	size_t len;

	/* The address this host would talk to the neighbour from: what it would ARP with. */
	if (!source_for(addr, NULL, &src, err, sizeof(err)))
		return false;
	len = neigh_arp_request(mac, &src, addr, msg, sizeof(msg));
	if (len == 0)
		return false;
	memset(to.sll_addr, 0xff, 6);
	return sendto(nb->fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len;
}

static bool ask_nd(struct neighbours *nb, int oif, const uint8_t mac[6], const struct ip_addr *addr)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)oif};
	uint8_t msg[NEIGH_NS_MAX_LEN];
	struct ip_addr group;
	size_t len = neigh_ns_build(addr, mac, 6, msg, sizeof(msg));

	if (len == 0)
		return false;
	neigh_solicited_node(addr, &group);
	memcpy(&to.sin6_addr, group.b, 16);
	if (setsockopt(nb->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &oif, sizeof(oif)) != 0)
		return false;
	return sendto(nb->fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len;
}

bool neighbours_ask(struct neighbours *nb, const struct ip_addr *addr, neighbours_fn table_fn,
		    void *ctx)
{
	struct table_ctx t = {.fn = table_fn, .ctx = ctx};
	struct ip_addr zoned = *addr;
	uint8_t mac[6];
	int oif;

	if (addr->family != nb->family)
		return false;
	/* Answers carry no zone: a link-local neighbour is on the target's link. */
	if (addr_is_link_local(&zoned) && zoned.scope == 0)
		zoned.scope = nb->zone;
	oif = route_on_link_oif(nb->rs, &zoned);
	if (oif <= 0 || !own_mac(nb->fd, oif, mac))
		return false;
	/* Read before asking: the answers update the table as the kernel hears them too. */
	t.ifindex = oif;
	(void)route_neighbours(nb->rs, nb->family, table_entry, &t);
	return nb->family == AF_INET ? ask_arp(nb, oif, mac, addr) : ask_nd(nb, oif, mac, addr);
}

/* Most messages read per call: the loop comes back for the rest. */
#define DISPATCH_MAX 64

static void dispatch_arp(struct neighbours *nb, neighbours_fn fn, void *ctx)
{
	for (int i = 0; i < DISPATCH_MAX; i++) {
		uint8_t buf[512];
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		struct neigh_claim claim;
		ssize_t n = recvfrom(nb->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &fromlen);

		if (n < 0)
			return;
		/* Our own requests come back as outgoing copies. */
		if (fromlen < sizeof(from) || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (neigh_arp_parse(buf, (size_t)n, &claim))
			fn(ctx, &claim.addr, claim.lladdr, claim.lladdr_len);
	}
}

static void dispatch_nd(struct neighbours *nb, neighbours_fn fn, void *ctx)
{
	for (int i = 0; i < DISPATCH_MAX; i++) {
		uint8_t buf[512];
		union {
			struct cmsghdr align;
			unsigned char buf[CMSG_SPACE(sizeof(int))];
		} control;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf)};
		struct neigh_claim claim;
		int hop_limit = -1;
		ssize_t n = recvmsg(nb->fd, &msg, MSG_DONTWAIT);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
			    c->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&hop_limit, CMSG_DATA(c), sizeof(int));
		/* Without its hop limit, an advertisement may come from off the link: refused. */
		if ((msg.msg_flags & MSG_TRUNC) == 0 &&
		    neigh_na_parse(buf, (size_t)n, hop_limit, &claim))
			fn(ctx, &claim.addr, claim.lladdr, claim.lladdr_len);
	}
}

void neighbours_dispatch(struct neighbours *nb, neighbours_fn claim_fn, void *ctx)
{
	if (nb->family == AF_INET)
		dispatch_arp(nb, claim_fn, ctx);
	else
		dispatch_nd(nb, claim_fn, ctx);
}
