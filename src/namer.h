/*
 * How the faces learn a responder's name without knowing where names come
 * from: whoever runs them (main.c) hands them a namer - the reverse-DNS
 * cache of src/net/resolve.c, or a test's table - or NULL with -n.  An
 * interface of the top level, like transport.h: faces include it, the net
 * layer implements it, neither includes the other.
 */
#ifndef ECMPTRACE_NAMER_H
#define ECMPTRACE_NAMER_H

#include "addr.h"

struct namer {
	/* The name of a, or NULL while its lookup is pending or when it has none. */
	const char *(*lookup)(void *ctx, const struct ip_addr *a);
	/* Waits up to timeout_ms for the lookups asked so far (the batch faces). */
	void (*wait)(void *ctx, int timeout_ms);
	void *ctx;
};

#endif
