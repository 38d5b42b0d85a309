/*
 * Opening and using the network state (see net.h): raw socket, source
 * address, capture.  Nothing here parses packets; that is src/wire.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/capture.h"
#include "net/net.h"
#include "net/rawsock.h"

bool net_open(struct net *n, const struct ip_addr *dst, enum probe_proto proto, char *err,
	      size_t errlen, bool *need_privilege)
{
	*n = (struct net){.send_fd = -1, .dst = *dst};
	*need_privilege = false;
	n->send_fd = rawsock_open(dst->family, err, errlen);
	if (n->send_fd < 0) {
		*need_privilege = errno == EPERM || errno == EACCES;
		return false;
	}
	if (!rawsock_source_for(dst, &n->src, err, errlen))
		goto fail;
	n->capture = capture_open(&n->src, dst, proto, err, errlen);
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

void net_close(struct net *n)
{
	if (n->send_fd >= 0)
		close(n->send_fd);
	n->send_fd = -1;
	capture_close(n->capture);
	n->capture = NULL;
}

int net_send_batch(struct net *n, uint8_t *const *pkts, const size_t *lens, int count)
{
	int done = 0, failed = 0;

	while (done < count) {
		int sent = rawsock_send_batch(n->send_fd, pkts + done, lens + done, count - done,
					      &n->dst);

		if (sent <= 0) {
			/* The first datagram was refused: count it, go on with the rest. */
			n->last_send_errno = errno;
			failed++;
			sent = 1;
		}
		done += sent;
	}
	return failed;
}

int net_fd(const struct net *n)
{
	return capture_fd(n->capture);
}

int net_dispatch(struct net *n, net_packet_fn fn, void *ctx, char *err, size_t errlen)
{
	return capture_dispatch(n->capture, fn, ctx, err, errlen);
}
