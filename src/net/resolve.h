/*
 * Name resolution: the target (forward, getaddrinfo) and responders
 * (reverse, getnameinfo).  Reverse lookups run on a worker thread and are
 * cached, so the live view never blocks on DNS; the report waits for them.
 * The same cache answers other questions about addresses
 * (resolver_new_with: the origin AS of -z, aslookup.c).
 */
#ifndef ECMPTRACE_NET_RESOLVE_H
#define ECMPTRACE_NET_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "namer.h"

struct resolver;

/* Resolves host (name or literal) for family 0/AF_INET/AF_INET6; false + err on failure. */
bool resolve_target(const char *host, int family, struct ip_addr *out, char *err, size_t errlen);
/*
 * The same, saying in *runtime whether a failure is this host's name
 * service's (a temporary DNS failure, a failed server, no memory: exit 1)
 * rather than the name's (unknown, no address, not a host to trace: 2).
 */
bool resolve_target_status(const char *host, int family, struct ip_addr *out, bool *runtime,
			   char *err, size_t errlen);

/*
 * What a resolver asks about an address, on its worker thread (it may
 * block): writes the answer into out and returns true, or false when the
 * address has none.
 */
typedef bool (*resolver_fn)(const struct ip_addr *a, char *out, size_t len);

/* A cache of reverse-DNS names. */
struct resolver *resolver_new(void);
/* A cache of fn's answers, asked off the caller's thread like the names (aslookup.c). */
struct resolver *resolver_new_with(resolver_fn fn);
void resolver_free(struct resolver *r);
/* The name of a, or NULL while the lookup is pending or when it has no name. */
const char *resolver_lookup(struct resolver *r, const struct ip_addr *a);
/* Waits up to timeout_ms for every pending lookup to finish. */
void resolver_wait(struct resolver *r, int timeout_ms);
/* The resolver as the faces see it (namer.h). */
struct namer resolver_namer(struct resolver *r);

#endif
