/*
 * The program's handle on the network (net.c): one raw socket to send
 * complete IP datagrams, one libpcap capture to see the answers
 * (capture.c), and optionally per-flow steering over the host's own next
 * hops (steer.c, route.c) and the link-layer check's ARP/ND sockets
 * (neighbours.c).  The raw and packet sockets and the capture need
 * CAP_NET_RAW and are opened before privileges are dropped (privdrop.c).
 * The other files of src/net are the kernel's other doors: rtnetlink
 * (route.c), name lookup (resolve.c) and seccomp (sandbox.c).
 */
#ifndef ECMPTRACE_NET_NET_H
#define ECMPTRACE_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "net/source.h"
#include "wire/dissect.h"
#include "wire/probe.h"

struct capture;
struct net_steer;
struct neighbours;

struct net {
	int send_fd;			/* raw socket, we write the IP header (dst's family) */
	int other_fd;			/* one of the other family (a target of it), -1: none */
	struct capture *capture;
	struct ip_addr src, dst;
	struct net_source source;	/* -I, -a, -M as checked by source_check */
	int last_send_errno;		/* why the latest send failed (the probe then times out) */
	struct net_steer *steer;	/* per-flow choice of interface, NULL when off */
	struct neighbours *neighbours;	/* link-layer check (neighbours.h), NULL when off */
	int frame_fd;			/* net_frames_reserve()'s packet socket, -1: none */
	int frame_errno;		/* why it could not be opened */
};

/*
 * Called with each captured IP datagram, its arrival time (monotonic us)
 * and the link-layer source address of the frame (lladdr_len 0: unknown).
 */
typedef void (*net_packet_fn)(void *ctx, const uint8_t *ip, size_t len, uint64_t at_us,
			      const uint8_t *lladdr, size_t lladdr_len);

/*
 * Opens the raw socket and the capture for probes of proto to dst, and
 * finds the source address the kernel will use.  source (NULL: none) is
 * the user's interface, address and mark, applied to the raw socket and
 * the capture.  Returns false with a message in err; *need_privilege tells
 * the caller the cause was EPERM.
 */
bool net_open(struct net *n, const struct ip_addr *dst, enum probe_proto proto,
	      const struct net_source *source, char *err, size_t errlen,
	      bool *need_privilege);
/*
 * One process, many targets: lets the answers to probes for dst through
 * the capture and finds the source address the kernel will use towards it
 * (*src).  A target of the other family than net_open's opens a raw
 * socket of that family (the first time): then it needs CAP_NET_RAW, so
 * call it before privileges are dropped.  Steering and the link-layer
 * check serve net_open's family only.  False with a message in err.
 */
bool net_add_target(struct net *n, const struct ip_addr *dst, enum probe_proto proto,
		    struct ip_addr *src, char *err, size_t errlen);
void net_close(struct net *n);
/*
 * Turns on per-flow steering for a host that balances over several next
 * hops itself: each UDP or TCP probe then leaves by the interface the
 * kernel would route a connection with the probe's ports by, which a raw
 * socket's own route lookup (it sees no ports) does not.  by_gateway: the
 * next hops share an interface, so each probe goes as a frame to its
 * flow's next hop instead, on the packet socket net_frames_reserve opened
 * before privileges were dropped.  Needs no privilege itself.  False with
 * a message in err when the kernel cannot say (no rtnetlink, or a
 * multipath hash policy whose answer to a route query differs from its
 * choice for its own connections) or the packet socket could not be
 * opened; probes then leave by the raw socket's own route.
 */
bool net_steer_enable(struct net *n, bool by_gateway, char *err, size_t errlen);
/*
 * The packet socket by_gateway steering sends on needs CAP_NET_RAW, but
 * only the routing table (asked with no privilege, after the drop) says
 * whether it is needed: it is opened before the drop (UDP and TCP only),
 * then net_steer_enable takes it, or net_frames_release closes it.
 */
void net_frames_reserve(struct net *n, enum probe_proto proto);
void net_frames_release(struct net *n);
/*
 * Opens the link-layer check's sockets (neighbours.h): needs CAP_NET_RAW,
 * so before privileges are dropped.  False with a message in err.
 */
bool net_neighbours_enable(struct net *n, char *err, size_t errlen);
/*
 * How one probe leaves (net_prepare_probe): out of interface oif (0: the
 * raw socket's own route), and where next hops share an interface, as a
 * frame to the next hop's link-layer address (mac_len 0: as a datagram).
 */
struct net_route {
	int oif;
	uint8_t mac[REPLY_LLADDR_MAX];
	uint8_t mac_len;
};

/*
 * Before a probe is built: with steering on, gives it the source address a
 * connection on its ports would have (on a host with one address per
 * uplink, that of the uplink the kernel picks for the flow) and the way
 * such a connection leaves (*route; zero without steering; the kernel is
 * asked again when its answer is older than a while at now_us), and lets the
 * capture see answers to that source.  False with a message in err when
 * the capture cannot; the probe then keeps its source and a zero route.
 */
bool net_prepare_probe(struct net *n, struct probe_spec *spec, struct net_route *route,
		       uint64_t now_us, char *err, size_t errlen);
/*
 * Sends count datagrams built by probe_build() with as few system calls as
 * the kernel allows; returns how many failed (the last errno is kept).
 * specs[i] and routes[i] are what net_prepare_probe() made of pkts[i]
 * (a failed send makes steering ask the kernel again for that flow).
 */
int net_send_batch(struct net *n, uint8_t *const *pkts, const size_t *lens,
		   const struct probe_spec *specs, const struct net_route *routes, int count);
/* Descriptor to poll for readability. */
int net_fd(const struct net *n);
/*
 * Hands every datagram waiting in the capture to fn, with arrival times on
 * the caller's clock, whose time is now_us; returns how many, -1 on error.
 */
int net_dispatch(struct net *n, net_packet_fn fn, void *ctx, uint64_t now_us, char *err,
		 size_t errlen);

#endif
