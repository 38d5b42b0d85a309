/*
 * A family-tagged IPv4/IPv6 address used across ecmptrace, with the few
 * operations every layer needs (compare, format, convert).  No I/O.
 */
#ifndef ECMPTRACE_ADDR_H
#define ECMPTRACE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Long enough for any formatted IPv6 address plus NUL. */
#define ADDR_STRLEN 46

struct ip_addr {
	int family;		/* AF_INET, AF_INET6, or 0 for "no address" */
	uint8_t b[16];		/* network byte order; IPv4 uses b[0..3] */
	/*
	 * The zone of an IPv6 link-local target (RFC 4007: the index of the
	 * interface in "fe80::1%eth0"), 0 elsewhere.  Only sockets and route
	 * questions read it; equality and hashing ignore it, so a reply from
	 * fe80::1 is the target whatever zone it came from.
	 */
	uint32_t scope;
};

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b);
bool addr_is_set(const struct ip_addr *a);
/* Length in bytes of the address proper: 4, 16, or 0 when unset. */
size_t addr_len(const struct ip_addr *a);
/* Writes the numeric form into buf (at least ADDR_STRLEN bytes); "*" if unset. */
const char *addr_format(const struct ip_addr *a, char *buf, size_t len);
/* Parses a numeric address of either family; returns false on anything else. */
bool addr_parse(const char *text, struct ip_addr *out);
/* Keeps an IPv6 sockaddr's scope id (the zone) in out->scope. */
bool addr_from_sockaddr(const struct sockaddr *sa, struct ip_addr *out);
/* Fills a sockaddr_storage for family/address with the given port (host order). */
socklen_t addr_to_sockaddr(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss);
/* Longest text lladdr_format writes: 8 bytes as "xx:" pairs, and the NUL. */
#define LLADDR_STRLEN 24
/* A link-layer address as colon-separated lower-case hex ("02:00:5e:00:01:01"). */
const char *lladdr_format(const uint8_t *a, size_t n, char *buf, size_t len);
/* IPv6 link-local unicast (fe80::/10): meaningful only with a zone. */
bool addr_is_link_local(const struct ip_addr *a);
/*
 * Why a probe cannot be addressed to a: "unspecified", "multicast",
 * "broadcast" (IPv4 255.255.255.255), "this network" (IPv4 0.0.0.0/8,
 * RFC 1122 3.2.1.3) or "IPv4-mapped"; NULL for an address a host may hold.
 */
const char *addr_target_problem(const struct ip_addr *a);
/*
 * True for the numeric forms inet_aton() and getaddrinfo() accept but
 * nobody means as an address: "1" (0.0.0.1), "10.1" (10.0.0.1),
 * "0x7f.1", "010.0.0.1" (octal).  A full dotted quad is not one.
 */
bool addr_is_numeric_shorthand(const char *text);
/* A stable hash of the address, for hash tables. */
uint32_t addr_hash(const struct ip_addr *a);

#endif
