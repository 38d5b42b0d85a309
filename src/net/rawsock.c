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
#include <unistd.h>

#include "net/rawsock.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36		/* Linux >= 4.5 */
#endif

int rawsock_open(int family, char *err, size_t errlen)
{
	int fd, on = 1, bufsize = 1 << 20;

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
	return fd;
}

bool rawsock_send(int fd, const uint8_t *pkt, size_t len, const struct ip_addr *dst)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(dst, 0, &ss);
	ssize_t n;

	do {
		n = sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sl);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}

bool rawsock_source_for(const struct ip_addr *dst, struct ip_addr *src, char *err, size_t errlen)
{
	struct sockaddr_storage ss, local;
	socklen_t sl = addr_to_sockaddr(dst, 33434, &ss), ll = sizeof(local);
	int fd;
	bool ok = false;

	/* connect() on a UDP socket only asks the routing table: nothing is sent. */
	fd = socket(dst->family, SOCK_DGRAM, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		snprintf(err, errlen, "no route to the target: %s", strerror(errno));
	else if (getsockname(fd, (struct sockaddr *)&local, &ll) < 0)
		snprintf(err, errlen, "getsockname: %s", strerror(errno));
	else if (!addr_from_sockaddr((struct sockaddr *)&local, src))
		snprintf(err, errlen, "unexpected local address family");
	else
		ok = true;
	close(fd);
	return ok;
}
