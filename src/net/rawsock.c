/*
 * Raw send sockets.  We write the whole IP header so that every field a
 * router hashes on is ours to keep constant per flow (the kernel would pick
 * the IPv6 flow label per socket otherwise).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/rawsock.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36		/* Linux >= 4.5 */
#endif

int rawsock_open(int family, char *err, size_t errlen)
{
	int fd, on = 1, bufsize = 1 << 20, probe = IP_PMTUDISC_PROBE, probe6 = IPV6_PMTUDISC_PROBE;

	fd = socket(family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		snprintf(err, errlen, "raw socket: %s", strerror(errno));
		return -1;
	}
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &on, sizeof(on)) < 0) {
		int saved = errno;

		snprintf(err, errlen, "IPV6_HDRINCL: %s", strerror(errno));
		close(fd);
		errno = saved;
		return -1;
	}
	/* Best effort: a larger buffer absorbs bursts at high rates. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
	/*
	 * Path MTU probes (engine/pmtu.h) measure each path's MTU themselves:
	 * the kernel must send them at the interface's MTU, not cut them down
	 * to (or refuse them above) the MTU it learnt for the target from
	 * another path's packet-too-big, which holds for the whole address.
	 */
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe6, sizeof(probe6));
	else
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe));
	return fd;
}

/* Room for one packet-info control message of either family. */
union pktinfo_cmsg {
	struct cmsghdr align;
	unsigned char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

_Static_assert(sizeof(struct in6_pktinfo) >= sizeof(struct in_pktinfo),
	       "the buffer is sized for the larger of the two");

/*
 * Attaches to msg a control message that sends it out of interface oif.
 * Of a multipath route's next hops the kernel then takes the one on that
 * interface instead of hashing (raw IP_HDRINCL and IPV6_HDRINCL sockets
 * honour it like any other; measured on Linux 6.18).  The source address
 * in the control message stays unset: the header we wrote carries ours.
 */
static void set_oif(struct msghdr *msg, union pktinfo_cmsg *c, int family, int oif)
{
	struct in6_pktinfo pi6 = {.ipi6_ifindex = (unsigned)oif};
	struct in_pktinfo pi4 = {.ipi_ifindex = oif};
	const void *pi = family == AF_INET6 ? (const void *)&pi6 : (const void *)&pi4;
	size_t len = family == AF_INET6 ? sizeof(pi6) : sizeof(pi4);
	struct cmsghdr *cm;

	memset(c, 0, sizeof(*c));
	msg->msg_control = c->buf;
	msg->msg_controllen = CMSG_SPACE(len);
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	cm->cmsg_type = family == AF_INET6 ? IPV6_PKTINFO : IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), pi, len);
}

int rawsock_send_batch(int fd, uint8_t *const *pkts, const size_t *lens, const int *oifs, int n,
		       const struct ip_addr *dst)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(dst, 0, &ss);
	struct mmsghdr msgs[RAWSOCK_BATCH_MAX];
	struct iovec iov[RAWSOCK_BATCH_MAX];
	union pktinfo_cmsg ctl[RAWSOCK_BATCH_MAX];
	int sent;

	if (n > RAWSOCK_BATCH_MAX)
		n = RAWSOCK_BATCH_MAX;
	for (int i = 0; i < n; i++) {
		iov[i] = (struct iovec){.iov_base = pkts[i], .iov_len = lens[i]};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &ss, .msg_namelen = sl,
						       .msg_iov = &iov[i], .msg_iovlen = 1}};
		if (oifs != NULL && oifs[i] > 0)
			set_oif(&msgs[i].msg_hdr, &ctl[i], dst->family, oifs[i]);
	}
	do {
		sent = sendmmsg(fd, msgs, (unsigned)n, 0);
	} while (sent < 0 && errno == EINTR);
	return sent;
}

