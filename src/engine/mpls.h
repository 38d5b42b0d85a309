/*
 * MPLS label stacks routers quoted in their ICMP errors (RFC 4950 objects
 * in RFC 4884 extension structures, read by wire/dissect.c): the stack last
 * seen per (TTL, responder), for the faces to show as mtr -e does.  Pure
 * bookkeeping, no I/O.
 */
#ifndef ECMPTRACE_ENGINE_MPLS_H
#define ECMPTRACE_ENGINE_MPLS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "wire/dissect.h"

/* Entries of one stack kept: what the dissector keeps. */
#define MPLS_STACK_MAX REPLY_MAX_MPLS
/* Distinct (TTL, responder) pairs remembered; a path has far fewer. */
#define MPLS_SEEN_MAX 4096

/* One label stack, outermost entry first; n 0: none. */
struct mpls_stack {
	int n;
	uint32_t entry[MPLS_STACK_MAX];	/* RFC 3032 label stack entries, whole */
};

/* The fields of an RFC 3032 label stack entry. */
static inline uint32_t mpls_label(uint32_t e) { return e >> 12; }
static inline unsigned mpls_tc(uint32_t e) { return (e >> 9) & 7; }
static inline unsigned mpls_s(uint32_t e) { return (e >> 8) & 1; }
static inline unsigned mpls_ttl(uint32_t e) { return e & 0xff; }

struct mpls_seen {
	int ttl;
	struct ip_addr addr;
	struct mpls_stack stack;
};

/* Every stack seen in a run; zero-initialised is empty. */
struct mpls_table {
	struct mpls_seen *v;
	int n, cap;
};

/*
 * Notes the stack r quotes (maybe none) for its sender at ttl: the last one
 * seen is kept, so a responder that stops quoting labels shows none.  A new
 * pair past MPLS_SEEN_MAX or without memory is not kept.
 */
void mpls_note(struct mpls_table *t, int ttl, const struct reply *r);
/* The stack last seen from addr at ttl; NULL if none. */
const struct mpls_stack *mpls_find(const struct mpls_table *t, int ttl, const struct ip_addr *addr);
void mpls_table_free(struct mpls_table *t);

#endif
