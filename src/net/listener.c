/*
 * The exporter's listening socket (see listener.h).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "net/listener.h"

/* Connections the kernel queues before the server accepts them. */
#define LISTEN_BACKLOG 64

int listener_open(const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct ip_addr a;
	socklen_t len;
	int fd, on = 1;
	const char *l = strchr(addr, ':') ? "[" : "", *r = strchr(addr, ':') ? "]" : "";

	if (!addr_parse(addr, &a)) {
		snprintf(err, errlen, "--listen: '%s' is not a numeric address", addr);
		return -1;
	}
	len = addr_to_sockaddr(&a, port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s%s%s:%u: %s", l, addr, r, (unsigned)port,
			 strerror(errno));
		return -1;
	}
	/* A restart must not wait for the last run's connections in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* [::1] means IPv6 only; an IPv4 address is asked for as one. */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		snprintf(err, errlen, "cannot listen on %s%s%s:%u: %s", l, addr, r, (unsigned)port,
			 errno == EADDRINUSE ? "the port is in use (another exporter?)"
					     : strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
