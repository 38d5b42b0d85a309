/*
 * Opening and using the network state (see net.h): raw socket, source
 * address, capture, per-flow steering (steer.c) on a host that balances
 * over several next hops itself, and the link-layer check's sockets
 * (neighbours.c).  Nothing here parses packets; that is src/wire.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/capture.h"
#include "net/neighbours.h"
#include "net/net.h"
#include "net/rawsock.h"
#include "net/steer.h"

bool net_open(struct net *n, const struct ip_addr *dst, enum probe_proto proto,
	      const struct net_source *source, char *err, size_t errlen,
	      bool *need_privilege)
{
	*n = (struct net){.send_fd = -1, .other_fd = -1, .dst = *dst, .frame_fd = -1};
	*need_privilege = false;
	if (source != NULL)
		n->source = *source;
	n->send_fd = rawsock_open(dst->family, err, errlen);
	if (n->send_fd < 0) {
		*need_privilege = errno == EPERM || errno == EACCES;
		return false;
	}
	if (!source_apply(n->send_fd, &n->source, err, errlen) ||
	    !source_for(dst, &n->source, &n->src, err, errlen))
		goto fail;
	n->capture = capture_open(&n->src, dst, proto, n->source.ifname, err, errlen);
	if (n->capture == NULL) {
		/* libpcap words it differently per version; the cause is the same. */
		*need_privilege = strstr(err, "ermission") != NULL ||
				  strstr(err, "not permitted") != NULL;
		goto fail;
	}
	return true;
fail:
	close(n->send_fd);
	n->send_fd = -1;
	return false;
}

bool net_add_target(struct net *n, const struct ip_addr *dst, enum probe_proto proto,
		    struct ip_addr *src, char *err, size_t errlen)
{
	if (dst->family != n->dst.family && n->other_fd < 0) {
		n->other_fd = rawsock_open(dst->family, err, errlen);
		if (n->other_fd < 0 || !source_apply(n->other_fd, &n->source, err, errlen))
			return false;
	}
	/* Targets behind other uplinks are answered at those uplinks' addresses (or -a's). */
	if (!source_for(dst, &n->source, src, err, errlen))
		return false;
	if (!addr_equal(src, &n->src) && !capture_add_source(n->capture, src, err, errlen))
		return false;
	return capture_add_target(n->capture, dst, proto, err, errlen);
}

void net_close(struct net *n)
{
	if (n->send_fd >= 0)
		close(n->send_fd);
	if (n->other_fd >= 0)
		close(n->other_fd);
	n->send_fd = n->other_fd = -1;
	capture_close(n->capture);
	n->capture = NULL;
	steer_free(n->steer);
	n->steer = NULL;
	neighbours_close(n->neighbours);
	n->neighbours = NULL;
	net_frames_release(n);
}

void net_frames_reserve(struct net *n, enum probe_proto proto)
{
	if (proto == PROBE_ICMP || n->frame_fd >= 0)
		return;	/* an ICMP probe is never steered */
	n->frame_fd = steer_frame_socket();
	n->frame_errno = n->frame_fd < 0 ? errno : 0;
}

void net_frames_release(struct net *n)
{
	if (n->frame_fd >= 0)
		close(n->frame_fd);
	n->frame_fd = -1;
}

bool net_neighbours_enable(struct net *n, char *err, size_t errlen)
{
	if (n->neighbours == NULL)
		n->neighbours = neighbours_open(n->dst.family, n->dst.scope, err, errlen);
	return n->neighbours != NULL;
}

bool net_steer_enable(struct net *n, bool by_gateway, char *err, size_t errlen)
{
	int fd = -1;

	if (n->steer != NULL)
		return true;
	if (by_gateway && n->frame_fd < 0) {
		snprintf(err, errlen, "packet socket: %s",
			 strerror(n->frame_errno ? n->frame_errno : EBADF));
		return false;
	}
	if (by_gateway) {
		fd = n->frame_fd;	/* the steering keeps it from now on */
		n->frame_fd = -1;
	}
	net_frames_release(n);
	n->steer = steer_new(n->dst.family, fd, err, errlen);
	return n->steer != NULL;
}

bool net_prepare_probe(struct net *n, struct probe_spec *spec, struct net_route *route,
		       uint64_t now_us, char *err, size_t errlen)
{
	*route = (struct net_route){0};
	/* Steering serves net_open's family; the other one's probes take the raw socket's route. */
	if (n->steer == NULL || spec->dst.family != n->dst.family)
		return true;
	steer_route(n->steer, spec, route, now_us);
	/* Answers to a flow that leaves from another of our addresses come back to it. */
	if (!addr_equal(&spec->src, &n->src) &&
	    !capture_add_source(n->capture, &spec->src, err, errlen)) {
		spec->src = n->src;
		*route = (struct net_route){0};
		return false;
	}
	return true;
}

/*
 * Probes from i on that go as datagrams (not frames) to one target, at
 * most RAWSOCK_BATCH_MAX: the kernel routes a raw datagram by the address
 * it is sent to, so one system call takes one target's probes.
 */
static int datagram_run(const struct probe_spec *specs, const struct net_route *routes, int i,
			int count)
{
	int k = 0;

	while (i + k < count && k < RAWSOCK_BATCH_MAX && routes[i + k].mac_len == 0 &&
	       addr_equal(&specs[i + k].dst, &specs[i].dst))
		k++;
	return k;
}

int net_send_batch(struct net *n, uint8_t *const *pkts, const size_t *lens,
		   const struct probe_spec *specs, const struct net_route *routes, int count)
{
	int oifs[RAWSOCK_BATCH_MAX];
	int done = 0, failed = 0;

	while (done < count) {
		int chunk = datagram_run(specs, routes, done, count), sent;

		if (chunk == 0) {
			/* Next hops behind one interface: a frame to the flow's next hop. */
			sent = steer_send_frame(n->steer, &routes[done], n->dst.family, pkts[done],
						lens[done]) ? 1 : 0;
		} else {
			for (int k = 0; k < chunk; k++)
				oifs[k] = routes[done + k].oif;
			sent = rawsock_send_batch(specs[done].dst.family == n->dst.family ? n->send_fd
										       : n->other_fd,
						  pkts + done, lens + done, oifs, chunk, &specs[done].dst);
		}
		if (sent <= 0) {
			/* The first one was refused: count it, go on with the rest. */
			n->last_send_errno = errno;
			failed++;
			sent = 1;
			/* Its interface may be gone: ask the kernel afresh for that flow. */
			if (n->steer != NULL)
				steer_forget(n->steer, &specs[done]);
		}
		done += sent;
	}
	return failed;
}

int net_fd(const struct net *n)
{
	return capture_fd(n->capture);
}

int net_dispatch(struct net *n, net_packet_fn fn, void *ctx, uint64_t now_us, char *err,
		 size_t errlen)
{
	return capture_dispatch(n->capture, fn, ctx, now_us, err, errlen);
}
