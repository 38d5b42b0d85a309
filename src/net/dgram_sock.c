/*
 * Unprivileged sockets (see dgram_sock.h).  A ping socket is
 * socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) (or ICMPV6), which Linux lets
 * the groups in net.ipv4.ping_group_range open; its bound port is the
 * echo identifier.  An IPv6 flow label chosen by us needs a lease
 * (IPV6_FLOWLABEL_MGR) and IPV6_FLOWINFO_SEND, then it is given with the
 * destination (Linux ipv6(7), RFC 6437).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/dgram_sock.h"

/* Linux's <linux/in6.h>, which cannot be included beside <netinet/in.h>. */
#ifndef IPV6_FLOWLABEL_MGR
#define IPV6_FLOWLABEL_MGR 32
#endif
#ifndef IPV6_FLOWINFO_SEND
#define IPV6_FLOWINFO_SEND 33
#endif
#ifndef IP_RECVERR_RFC4884
#define IP_RECVERR_RFC4884 26
#endif
#ifndef IPV6_RECVERR_RFC4884
#define IPV6_RECVERR_RFC4884 31
#endif
#define FL_ACTION_GET 0		/* IPV6_FL_A_GET */
#define FL_FLAG_CREATE 1	/* IPV6_FL_F_CREATE */
#define FL_SHARE_USER 3		/* IPV6_FL_S_USER: our other sockets may hold it too */

/* struct in6_flowlabel_req */
struct flowlabel_req {
	struct in6_addr dst;
	uint32_t label;		/* network order */
	uint8_t action;
	uint8_t share;
	uint16_t flags;
	uint16_t expires;
	uint16_t linger;
	uint32_t pad;
};

static int fail(int fd, const char *what, char *err, size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s", what, strerror(e));
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

bool dgram_sock_set_ttl(int fd, int family, uint8_t ttl)
{
	int v = ttl;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)) == 0;
	return setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof(v)) == 0;
}

bool dgram_sock_set_df(int fd, int family, bool df)
{
	int v6 = df ? IPV6_PMTUDISC_PROBE : IPV6_PMTUDISC_DONT, v4 = df ? IP_PMTUDISC_PROBE
								  : IP_PMTUDISC_DONT;
	int on = df;

	/* Ping sockets take these as UDP sockets do (Linux ping.c hands them to ip(v6)_setsockopt). */
	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6)) == 0 &&
		       setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on)) == 0;
	return setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4)) == 0;
}

/*
 * Errors queued, the hop limit of what arrives said, the TOS / traffic
 * class set.  Where an error's RFC 4884 extensions start is asked for too
 * (MPLS labels); a kernel before 5.9 does not know how, and says nothing.
 */
static bool set_options(int fd, int family, uint8_t tos)
{
	int on = 1, t = tos;

	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR_RFC4884, &on, sizeof(on));
	else
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR_RFC4884, &on, sizeof(on));
	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) == 0 &&
		       setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) == 0 &&
		       (t == 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &t, sizeof(t)) == 0);
	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) == 0 &&
	       setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)) == 0 &&
	       (t == 0 || setsockopt(fd, IPPROTO_IP, IP_TOS, &t, sizeof(t)) == 0);
}

/* Leases the flow's label for this socket and lets it send labels of its own. */
static bool lease_label(int fd, const struct dgram_flow_id *id)
{
	struct flowlabel_req req = {.label = htonl(id->flow_label & 0xfffff),
				    .action = FL_ACTION_GET, .share = FL_SHARE_USER,
				    .flags = FL_FLAG_CREATE};
	int on = 1;

	memcpy(&req.dst, id->dst.b, 16);
	return setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &req, sizeof(req)) == 0 &&
	       setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, &on, sizeof(on)) == 0;
}

/* The target's address, with the flow's label where it goes. */
static socklen_t target(const struct dgram_flow_id *id, struct sockaddr_storage *ss)
{
	socklen_t len = addr_to_sockaddr(&id->dst, id->proto == PROBE_ICMP ? 0 : id->dport, ss);

	if (id->dst.family == AF_INET6)
		((struct sockaddr_in6 *)(void *)ss)->sin6_flowinfo = htonl(id->flow_label & 0xfffff);
	return len;
}

/* A new socket of the flow's kind, set up and bound to its port; -1 with err. */
static int open_bound(const struct dgram_flow_id *id, int type, int proto, bool reuse, char *err,
		      size_t errlen)
{
	struct ip_addr any = {.family = id->dst.family};
	struct sockaddr_storage ss;
	socklen_t len = addr_to_sockaddr(&any, id->sport, &ss);
	int fd = socket(id->dst.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto), on = 1;

	if (fd < 0)
		return fail(-1, "socket", err, errlen);
	if (!set_options(fd, id->dst.family, id->tos))
		return fail(fd, "setsockopt", err, errlen);
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
		return fail(fd, "SO_REUSEADDR", err, errlen);
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		return fail(fd, "bind", err, errlen);
	if (id->dst.family == AF_INET6 && id->flow_label != 0 && !lease_label(fd, id))
		return fail(fd, "IPv6 flow label", err, errlen);
	/* No label of the flow's own: none at all, as a raw probe has, not a hash of the ports. */
	if (id->dst.family == AF_INET6 && id->flow_label == 0 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_AUTOFLOWLABEL, &(int){0}, sizeof(int)) != 0)
		return fail(fd, "IPV6_AUTOFLOWLABEL", err, errlen);
	return fd;
}

int dgram_sock_flow(const struct dgram_flow_id *id, char *err, size_t errlen)
{
	int icmp = id->dst.family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = open_bound(id, SOCK_DGRAM, id->proto == PROBE_ICMP ? icmp : 0, false, err, errlen);
	struct sockaddr_storage ss;
	socklen_t len;

	if (fd < 0)
		return -1;
	len = target(id, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) != 0)
		return fail(fd, "connect", err, errlen);
	return fd;
}

int dgram_sock_tcp(const struct dgram_flow_id *id, uint8_t ttl, char *err, size_t errlen)
{
	/* Reused at once: the previous probe of the flow was closed with a reset. */
	int fd = open_bound(id, SOCK_STREAM, 0, true, err, errlen);
	struct sockaddr_storage ss;
	socklen_t len;

	if (fd < 0)
		return -1;
	if (!dgram_sock_set_ttl(fd, id->dst.family, ttl))
		return fail(fd, "TTL", err, errlen);
	len = target(id, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS)
		return fail(fd, "connect", err, errlen);
	return fd;
}

/* The hop limit of a control message, if it is one. */
static void note_ttl(const struct cmsghdr *c, uint8_t *ttl)
{
	int v;

	if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
	      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) ||
	    c->cmsg_len < CMSG_LEN(sizeof(v)))
		return;
	memcpy(&v, CMSG_DATA(c), sizeof(v));
	if (v > 0 && v < 256)
		*ttl = (uint8_t)v;
}

ssize_t dgram_sock_read_error(int fd, int family, struct sockreply_note *n, uint8_t *buf,
			      size_t cap, uint8_t *ttl)
{
	uint8_t control[512];
	struct sockaddr_storage name;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov,
			   .msg_iovlen = 1, .msg_control = control,
			   .msg_controllen = sizeof(control)};
	ssize_t got = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
	int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int type = family == AF_INET6 ? IPV6_RECVERR : IP_RECVERR;

	memset(n, 0, sizeof(*n));
	*ttl = 0;
	if (got < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == level && c->cmsg_type == type && c->cmsg_len >= CMSG_LEN(0))
			(void)sockreply_parse_ee(CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0), n);
		note_ttl(c, ttl);
	}
	return got;
}

ssize_t dgram_sock_read(int fd, uint8_t *buf, size_t cap, struct ip_addr *from, uint8_t *ttl)
{
	uint8_t control[256];
	struct sockaddr_storage name;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof(name), .msg_iov = &iov,
			   .msg_iovlen = 1, .msg_control = control,
			   .msg_controllen = sizeof(control)};
	ssize_t got = recvmsg(fd, &m, MSG_DONTWAIT);

	*ttl = 0;
	if (got < 0)
		return -1;
	if (!addr_from_sockaddr((struct sockaddr *)&name, from))
		memset(from, 0, sizeof(*from));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		note_ttl(c, ttl);
	return got;
}

int dgram_sock_tcp_state(int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int e = 0;
	socklen_t elen = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
		return errno;
	if (e != 0)
		return e;
	/* No error and a peer: the SYN-ACK came. */
	return getpeername(fd, (struct sockaddr *)&peer, &len) == 0 ? 0 : EINPROGRESS;
}

bool dgram_sock_tcp_resent(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	/* Unknown counts as sent again: an answer is only taken when it is surely the probe's. */
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_total_retrans) + sizeof(ti.tcpi_total_retrans))
		return true;
	return ti.tcpi_total_retrans > 0 || ti.tcpi_retransmits > 0;
}

void dgram_sock_abort(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}
