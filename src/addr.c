/*
 * Family-tagged IPv4/IPv6 addresses: comparison, hashing, text and
 * sockaddr conversion.  The only place that knows how an ip_addr maps to
 * the socket API's structures.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"

bool addr_is_set(const struct ip_addr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

size_t addr_len(const struct ip_addr *a)
{
	switch (a->family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

/* Compares only the bytes that belong to the family, so stale bytes past b[3] never matter. */
bool addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	if (!addr_is_set(a) || !addr_is_set(b))
		return !addr_is_set(a) && !addr_is_set(b);
	return a->family == b->family && memcmp(a->b, b->b, addr_len(a)) == 0;
}

const char *addr_format(const struct ip_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (!addr_is_set(a) || inet_ntop(a->family, a->b, buf, (socklen_t)len) == NULL) {
		/* Unset, or buf too small for the numeric form: "*" still fits in 2 bytes. */
		if (len >= 2)
			memcpy(buf, "*", 2);
		else
			buf[0] = '\0';
	}
	return buf;
}

bool addr_parse(const char *text, struct ip_addr *out)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.b) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, a.b) == 1)
		a.family = AF_INET6;
	else
		return false;
	*out = a;
	return true;
}

bool addr_from_sockaddr(const struct sockaddr *sa, struct ip_addr *out)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;

		a.family = AF_INET;
		memcpy(a.b, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;

		a.family = AF_INET6;
		memcpy(a.b, &sin6->sin6_addr, 16);
		a.scope = sin6->sin6_scope_id;
	} else {
		return false;
	}
	*out = a;
	return true;
}

socklen_t addr_to_sockaddr(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->b, 4);
		return sizeof(*sin);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->b, 16);
		sin6->sin6_scope_id = a->scope;
		return sizeof(*sin6);
	}
	return 0;
}

bool addr_is_link_local(const struct ip_addr *a)
{
	return a->family == AF_INET6 && a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

const char *addr_target_problem(const struct ip_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[16];

	if (a->family == AF_INET) {
		if (memcmp(a->b, zero, 4) == 0)
			return "unspecified";
		if (a->b[0] == 0)
			return "this network";
		if ((a->b[0] & 0xf0) == 0xe0)
			return "multicast";
		if (a->b[0] == 255 && a->b[1] == 255 && a->b[2] == 255 && a->b[3] == 255)
			return "broadcast";
		return NULL;
	}
	if (a->family == AF_INET6) {
		if (memcmp(a->b, zero, 16) == 0)
			return "unspecified";
		if (a->b[0] == 0xff)
			return "multicast";
		/* A raw IPv6 socket cannot reach it; the IPv4 address can be traced instead. */
		if (memcmp(a->b, mapped, sizeof(mapped)) == 0)
			return "IPv4-mapped";
		return NULL;
	}
	return "not an address";
}

bool addr_is_numeric_shorthand(const char *text)
{
	struct in_addr any;
	uint8_t quad[4];

	/* inet_aton stops at a blank and ignores the rest; getaddrinfo does not. */
	for (const char *p = text; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n')
			return false;
	if (inet_aton(text, &any) == 0)
		return false;
	/* inet_pton takes only four decimal parts; a leading zero there is refused too. */
	return inet_pton(AF_INET, text, quad) != 1;
}

/*
 * FNV-1a over the family and the address bytes: cheap, stable across runs
 * (results files and tests may rely on it), and good enough for buckets.
 */
uint32_t addr_hash(const struct ip_addr *a)
{
	uint32_t h = 2166136261u;
	size_t n = addr_len(a);

	h = (h ^ (uint32_t)(a->family & 0xff)) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->b[i]) * 16777619u;
	return h;
}

const char *lladdr_format(const uint8_t *a, size_t n, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = 0;

	if (len == 0)
		return buf;
	for (size_t i = 0; i < n && at + 3 < len; i++) {
		if (i > 0)
			buf[at++] = ':';
		buf[at++] = hex[a[i] >> 4];
		buf[at++] = hex[a[i] & 15];
	}
	buf[at] = '\0';
	return buf;
}
