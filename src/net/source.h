/*
 * Where the probes leave from, as the user chose it (-I interface, -a
 * source address, -M firewall mark; mtr's letters): checking the choice
 * against this host, applying it to a socket, and asking the routing
 * table which source address it gives.
 */
#ifndef ECMPTRACE_NET_SOURCE_H
#define ECMPTRACE_NET_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Longest interface name with its NUL (the kernel's IFNAMSIZ). */
#define SOURCE_IFNAME_MAX 16

struct net_source {
	char ifname[SOURCE_IFNAME_MAX];	/* -I; "" = any interface */
	int ifindex;			/* its index, filled by source_check */
	uint32_t scope;			/* a link-local -a's link: -I's, else the target's zone */
	struct ip_addr addr;		/* -a; family 0 = the routing table's choice */
	uint32_t mark;			/* -M, when mark_set */
	bool mark_set;
};

/* True when the user chose anything: the host's own balancing is then not followed. */
bool source_chosen(const struct net_source *s);
/*
 * Checks the choice against this host, with no privilege: the interface
 * exists (fills ifindex), the address is of dst's family and is one of
 * this host's (a bind() that the kernel accepts).  False with one line in
 * err naming what is wrong.
 */
bool source_check(struct net_source *s, const struct ip_addr *dst, char *err, size_t errlen);
/*
 * Binds fd to the interface (SO_BINDTODEVICE) and to the address, and
 * marks what it sends (SO_MARK: needs CAP_NET_ADMIN).  False with a
 * message in err.
 */
bool source_apply(int fd, const struct net_source *s, char *err, size_t errlen);
/*
 * The address the kernel would send from towards dst for traffic on s's
 * interface with s's mark, or s's address itself (no packet is sent).
 * s may be NULL: the plain routing table's choice.
 */
bool source_for(const struct ip_addr *dst, const struct net_source *s, struct ip_addr *src,
		char *err, size_t errlen);

#endif
