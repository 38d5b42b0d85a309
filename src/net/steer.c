/*
 * Per-flow steering on a host that balances over several next hops itself
 * (see steer.h): which interface each UDP or TCP probe leaves by, and
 * from which source address, asked of the kernel once per flow (route.c)
 * and kept in a small open-addressing table.  Where next hops share an
 * interface, choosing the interface cannot choose the next hop: the probe
 * then goes as a frame to the next hop's link-layer address (a packet
 * socket), which this host's neighbour table gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/route.h"
#include "net/steer.h"
#include "numparse.h"
#include "wire/dissect.h"

/*
 * Slots of the per-flow interface cache: a power of two, twice the most
 * flows a run may have (--flows 4096), so each flow is asked once.
 */
#define STEER_SLOTS 8192
#define STEER_SLOT_BITS 13
_Static_assert(STEER_SLOTS == 1 << STEER_SLOT_BITS, "STEER_SLOTS must be 2^STEER_SLOT_BITS");
/* Past this many filled slots a new flow is asked on every probe, not kept. */
#define STEER_FILL_MAX (STEER_SLOTS / 4 * 3)
/* A flow's interface is asked again after this long: routes change. */
#define STEER_REFRESH_US 10000000u

/* One flow's interface and source address, as the kernel last said. */
struct steer_slot {
	uint64_t key;		/* steer_key(): nonzero; 0 marks an empty slot */
	struct ip_addr dst;	/* the flow's target: targets of one process share ports */
	uint64_t asked_us;	/* when the kernel was asked (monotonic) */
	int oif;		/* its answer; 0 when it had none (the probe is not steered) */
	struct ip_addr src;	/* the source a connection would have; valid when oif != 0 */
	uint8_t mac[REPLY_LLADDR_MAX];	/* by_gateway: the next hop's link-layer address */
	uint8_t mac_len;		/* 0: unknown, the probe goes the raw socket's way */
};

/* Per-flow steering: the kernel conversation and an open-addressing cache. */
struct net_steer {
	struct route_steer *rs;
	bool by_gateway;			/* next hops share an interface: send frames */
	int frame_fd;				/* by_gateway: packet socket (sends only) */
	int used;				/* filled slots */
	struct steer_slot slot[STEER_SLOTS];
};

void steer_free(struct net_steer *st)
{
	if (st == NULL)
		return;
	route_steer_close(st->rs);
	if (st->frame_fd >= 0)
		close(st->frame_fd);
	free(st);
}

/* route_neighbours() callback: the link-layer address of one next hop on one interface. */
struct gateway_mac {
	const struct ip_addr *gateway;
	int ifindex;
	uint8_t *mac;
	uint8_t *mac_len;
};

static void gateway_entry(void *ctx, int ifindex, const struct ip_addr *addr,
			  const uint8_t *lladdr, size_t len)
{
	struct gateway_mac *g = ctx;

	if (ifindex == g->ifindex && addr_equal(addr, g->gateway) && len <= REPLY_LLADDR_MAX) {
		memcpy(g->mac, lladdr, len);
		*g->mac_len = (uint8_t)len;
	}
}

/* Reads a small non-negative integer from a sysctl file; false when it cannot. */
static bool read_sysctl(const char *path, long long *v)
{
	char buf[32], err[64];
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return parse_int(buf, 0, 1LL << 31, v, err, sizeof(err));
}

/*
 * Whether the kernel's answer to a route query is its choice for its own
 * connections under the current multipath hash policy of dst's family
 * (measured: see route.c).  IPv4 policy 3 hashes a query with the
 * forwarding formula, which differs from the one for local connections.
 */
static bool steer_policy_ok(int family, char *err, size_t errlen)
{
	const char *path = family == AF_INET6 ? "/proc/sys/net/ipv6/fib_multipath_hash_policy"
					      : "/proc/sys/net/ipv4/fib_multipath_hash_policy";
	long long policy;

	if (!read_sysctl(path, &policy)) {
		set_err(err, errlen, "cannot read %s", path);
		return false;
	}
	if (family == AF_INET6 ? (policy == 0 || policy == 1 || policy == 3)
			       : (policy == 0 || policy == 1 || policy == 2))
		return true;
	set_err(err, errlen, "net.ipv%d.fib_multipath_hash_policy is %lld: the kernel does not "
		"answer route queries as it routes its own connections", family == AF_INET6 ? 6 : 4,
		policy);
	return false;
}

/* The cache key of a flow: never 0, so 0 can mark an empty slot. */
static uint64_t steer_key(int ipproto, uint16_t sport, uint16_t dport)
{
	return 1ULL << 48 | (uint64_t)(uint8_t)ipproto << 32 | (uint64_t)sport << 16 | dport;
}

/* The probe's protocol as an IP protocol number, 0 when it is not steered. */
static int steer_ipproto(const struct probe_spec *p)
{
	if (p->proto == PROBE_UDP)
		return IPPROTO_UDP;
	if (p->proto == PROBE_TCP)
		return IPPROTO_TCP;
	return 0;	/* ICMP echo: hashed on type and code, like a real ping */
}

/* A few bytes of the target's address, to spread several targets' flows over the table. */
static uint64_t dst_mix(const struct ip_addr *dst)
{
	uint64_t h = 0;

	for (size_t i = 0; i < sizeof(dst->b); i++)
		h = h * 31 + dst->b[i];
	return h;
}

/*
 * The slot of a flow (key, target), or of the empty slot where it would
 * go; NULL when full.
 */
static struct steer_slot *steer_find(struct net_steer *st, uint64_t key,
				     const struct ip_addr *dst)
{
	/* Fibonacci hashing spreads consecutive ports over the table. */
	size_t i = (size_t)(((key ^ dst_mix(dst)) * 0x9e3779b97f4a7c15ULL) >>
			    (64 - STEER_SLOT_BITS));

	for (size_t n = 0; n < STEER_SLOTS; n++, i = (i + 1) & (STEER_SLOTS - 1))
		if ((st->slot[i].key == key && addr_equal(&st->slot[i].dst, dst)) ||
		    st->slot[i].key == 0)
			return &st->slot[i];
	return NULL;
}

/* Makes the kernel be asked again for this probe's flow (its send failed). */
void steer_forget(struct net_steer *st, const struct probe_spec *p)
{
	struct steer_slot *s;
	int ipproto = steer_ipproto(p);

	if (ipproto == 0)
		return;
	s = steer_find(st, steer_key(ipproto, p->sport, p->dport), &p->dst);
	if (s != NULL && s->key != 0)
		s->asked_us = UINT64_MAX;
}

/*
 * The kernel's choice for the probe's flow: a slot whose oif is 0 for "let
 * the raw socket's route decide" (the kernel did not say), or NULL for
 * probes that are not steered (ICMP).  The kernel is asked once per flow
 * and again after STEER_REFRESH_US; scratch holds the answer when the
 * cache is full.
 */
static const struct steer_slot *steer_choice(struct net_steer *st, const struct probe_spec *p,
					     uint64_t now, struct steer_slot *scratch)
{
	int ipproto = steer_ipproto(p);
	uint64_t key = steer_key(ipproto, p->sport, p->dport);
	struct ip_addr gateway = {0};
	struct steer_slot *s;

	if (ipproto == 0)
		return NULL;
	s = steer_find(st, key, &p->dst);
	if (s == NULL || (s->key == 0 && st->used >= STEER_FILL_MAX)) {
		/* The cache is full: ask every time rather than evict or guess. */
		s = scratch;
		*s = (struct steer_slot){.key = key, .dst = p->dst};
	} else if (s->key == 0) {
		s->key = key;
		s->dst = p->dst;
		st->used++;
	} else if (s->asked_us <= now && now - s->asked_us < STEER_REFRESH_US) {
		return s;	/* asked_us in the future: marked stale by steer_forget() */
	}
	s->src = (struct ip_addr){0};
	s->mac_len = 0;
	s->oif = route_steer_flow(st->rs, &p->dst, ipproto, p->sport, p->dport, &s->src,
				  &gateway);
	if (s->src.family != p->dst.family)
		s->oif = 0;	/* no usable source: the probe is not steered */
	if (st->by_gateway && s->oif != 0 && addr_is_set(&gateway)) {
		/*
		 * The host has used its next hops, so their entries are
		 * there; one missing (never resolved) leaves the probe to
		 * the raw socket until the next refresh.
		 */
		struct gateway_mac g = {.gateway = &gateway, .ifindex = s->oif, .mac = s->mac,
					.mac_len = &s->mac_len};

		(void)route_neighbours(st->rs, p->dst.family, gateway_entry, &g);
	}
	s->asked_us = now;
	return s;
}

void steer_route(struct net_steer *st, struct probe_spec *p, struct net_route *route,
		 uint64_t now_us)
{
	struct steer_slot scratch;
	const struct steer_slot *s = steer_choice(st, p, now_us, &scratch);

	*route = (struct net_route){0};
	if (s == NULL || s->oif == 0)
		return;
	p->src = s->src;
	if (!st->by_gateway) {
		route->oif = s->oif;
	} else if (s->mac_len > 0) {
		/* Choosing the shared interface would not choose the next hop: its MAC does. */
		route->oif = s->oif;
		memcpy(route->mac, s->mac, s->mac_len);
		route->mac_len = s->mac_len;
	}
}

int steer_frame_socket(void)
{
	/* Protocol 0: the socket sends and never receives. */
	return socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

struct net_steer *steer_new(int family, int frame_fd, char *err, size_t errlen)
{
	struct net_steer *st = NULL;

	if (!steer_policy_ok(family, err, errlen))
		goto fail;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	st->frame_fd = frame_fd;
	st->by_gateway = frame_fd >= 0;
	st->rs = route_steer_open();
	if (st->rs == NULL) {
		set_err(err, errlen, "rtnetlink: %s", strerror(errno));
		steer_free(st);
		return NULL;
	}
	return st;
fail:
	if (frame_fd >= 0)
		close(frame_fd);
	return NULL;
}

bool steer_send_frame(struct net_steer *st, const struct net_route *route, int family,
		      const uint8_t *pkt, size_t len)
{
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = route->oif,
				 .sll_halen = route->mac_len};

	to.sll_protocol = htons(family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
	memcpy(to.sll_addr, route->mac, route->mac_len);
	return sendto(st->frame_fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len;
}
