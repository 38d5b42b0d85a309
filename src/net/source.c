/*
 * The user's choice of interface, source address and firewall mark
 * (source.h).  The checks run before any privileged socket is opened, so a
 * typing error is a usage error whoever runs the program; SO_MARK needs
 * CAP_NET_ADMIN and is applied with the raw socket, before the drop.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/source.h"

bool source_chosen(const struct net_source *s)
{
	return s != NULL && (s->ifname[0] != '\0' || s->addr.family != 0 || s->mark_set);
}

/* A socket bound to the address: the kernel's own word that the address is ours. */
static bool address_is_ours(const struct net_source *s, char *err, size_t errlen)
{
	struct ip_addr a = s->addr;
	struct sockaddr_storage ss;
	socklen_t sl;
	char text[ADDR_STRLEN];
	int fd, rc, saved;

	/* A link-local address is ours on one link: the one -I or the target's zone names. */
	if (a.family == AF_INET6 && addr_is_link_local(&a))
		a.scope = s->scope;
	sl = addr_to_sockaddr(&a, 0, &ss);
	fd = socket(a.family, SOCK_DGRAM, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	rc = bind(fd, (struct sockaddr *)&ss, sl);
	saved = errno;
	close(fd);
	if (rc == 0)
		return true;
	addr_format(&s->addr, text, sizeof(text));
	if (saved == EADDRNOTAVAIL)
		snprintf(err, errlen, "source address %s is not an address of this host (-a)",
			 text);
	else if (saved == EINVAL && addr_is_link_local(&s->addr))
		snprintf(err, errlen, "source address %s is link-local: name its interface "
			 "with -I", text);
	else
		snprintf(err, errlen, "source address %s cannot be used: %s", text,
			 strerror(saved));
	return false;
}

bool source_check(struct net_source *s, const struct ip_addr *dst, char *err, size_t errlen)
{
	char a[ADDR_STRLEN], d[ADDR_STRLEN];

	if (s->ifname[0] != '\0') {
		s->ifindex = (int)if_nametoindex(s->ifname);
		if (s->ifindex == 0) {
			snprintf(err, errlen, "no interface '%s' on this host (-I)", s->ifname);
			return false;
		}
		/* A link-local target's zone already names the link: they must agree. */
		if (dst->scope != 0 && dst->scope != (uint32_t)s->ifindex) {
			char zone[IF_NAMESIZE] = "?";

			if_indextoname(dst->scope, zone);
			snprintf(err, errlen, "the target's zone %%%s and -I %s name different "
				 "interfaces", zone, s->ifname);
			return false;
		}
	}
	s->scope = s->ifindex ? (uint32_t)s->ifindex : dst->scope;
	if (s->addr.family == 0)
		return true;
	if (s->addr.family != dst->family) {
		snprintf(err, errlen, "source address %s is IPv%c but the target %s is IPv%c",
			 addr_format(&s->addr, a, sizeof(a)),
			 s->addr.family == AF_INET ? '4' : '6', addr_format(dst, d, sizeof(d)),
			 dst->family == AF_INET ? '4' : '6');
		return false;
	}
	return address_is_ours(s, err, errlen);
}

/*
 * Bound to the chosen address, a socket's route lookups use it as the
 * source, so policy routing by source ("ip rule from") applies; a raw
 * socket that writes its own header is routed the same way.
 */
static bool bind_chosen(int fd, const struct net_source *s, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct ip_addr a;
	socklen_t sl;

	if (s == NULL || s->addr.family == 0)
		return true;
	a = s->addr;
	if (a.family == AF_INET6 && addr_is_link_local(&a))
		a.scope = s->scope;
	sl = addr_to_sockaddr(&a, 0, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) == 0)
		return true;
	snprintf(err, errlen, "source address (-a): %s", strerror(errno));
	return false;
}

bool source_apply(int fd, const struct net_source *s, char *err, size_t errlen)
{
	if (s == NULL)
		return true;
	if (s->ifname[0] != '\0' &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->ifname,
		       (socklen_t)strlen(s->ifname)) < 0) {
		snprintf(err, errlen, "interface %s (-I): %s", s->ifname, strerror(errno));
		return false;
	}
	if (s->mark_set &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &s->mark, sizeof(s->mark)) < 0) {
		snprintf(err, errlen, "mark %u (-M): %s%s", (unsigned)s->mark, strerror(errno),
			 errno == EPERM ? " (SO_MARK needs CAP_NET_ADMIN)" : "");
		return false;
	}
	return bind_chosen(fd, s, err, errlen);
}

/* connect() on a UDP socket only asks the routing table: nothing is sent. */
static bool ask_route(int fd, const struct ip_addr *dst, struct ip_addr *src, char *err,
		      size_t errlen)
{
	struct sockaddr_storage ss, local;
	socklen_t sl = addr_to_sockaddr(dst, 33434, &ss), ll = sizeof(local);

	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		snprintf(err, errlen, "no route to the target: %s", strerror(errno));
	else if (getsockname(fd, (struct sockaddr *)&local, &ll) < 0)
		snprintf(err, errlen, "getsockname: %s", strerror(errno));
	else if (!addr_from_sockaddr((struct sockaddr *)&local, src))
		snprintf(err, errlen, "unexpected local address family");
	else
		return true;
	return false;
}

bool source_for(const struct ip_addr *dst, const struct net_source *s, struct ip_addr *src,
		char *err, size_t errlen)
{
	int fd = socket(dst->family, SOCK_DGRAM, 0);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	ok = source_apply(fd, s, err, errlen) && ask_route(fd, dst, src, err, errlen);
	close(fd);
	/* The chosen address is the source; the route still had to exist. */
	if (ok && s != NULL && s->addr.family != 0)
		*src = s->addr;
	return ok;
}
