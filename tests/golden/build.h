/*
 * Hand-built results snapshots for the golden-output tests: a scenario
 * says which responder each flow met at each TTL and how many of its
 * probes were answered there; g_build() derives what the engine would
 * snapshot from that (branches grouped by responder with their flows,
 * parents and via splits, per-hop merged figures, each flow's path and
 * end-to-end figures).  No sockets, no engine: the faces' input alone.
 */
#ifndef ECMPTRACE_TESTS_GOLDEN_BUILD_H
#define ECMPTRACE_TESTS_GOLDEN_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/diagnose.h"
#include "engine/results.h"

#define G_MAXF 16	/* flows per scenario */
#define G_MAXTTL 12	/* TTLs per flow */

/* One flow as a scenario describes it. */
struct gflow {
	const char *path[G_MAXTTL];	/* responder per TTL from 1; NULL: none answered */
	uint64_t recv[G_MAXTTL], lost[G_MAXTTL];	/* its probes at that TTL */
	int seen[G_MAXTTL];		/* distinct responders there; 0: 1 if answered */
	int len;			/* TTLs probed */
	int dest_ttl;			/* TTL the target answered at; 0: never */
	uint64_t e2e_recv, e2e_lost;	/* end to end */
	int path_changes;
	const char *src;		/* the source its answers quoted; NULL: the run's */
};

struct gscen {
	enum probe_proto proto;
	const char *dst, *src;
	uint16_t dport;
	unsigned vary;			/* VARY_SPORT / VARY_LABEL */
	uint16_t sport_base;
	uint32_t label_base;
	int nflows;
	struct gflow f[G_MAXF];
	uint64_t rounds;
	double base_ms, per_hop_ms;	/* RTT at TTL 1 and added per TTL */
	int confidence;			/* of every hop's discovery (95 or 99) */
};

/* A scenario with defaults: UDP to port 33434, 4 rounds, 95%, ports from 33434. */
void g_init(struct gscen *s, enum probe_proto proto, const char *src, const char *dst, int nflows,
	    uint64_t rounds);
/* Flow i met addr (NULL: nobody) at ttl, `lost` of its rounds probes lost there. */
void g_hop(struct gscen *s, int i, int ttl, const char *addr, uint64_t lost);
/* Flow i reached the target at ttl, losing `lost` probes end to end. */
void g_reach(struct gscen *s, int i, int ttl, uint64_t lost);
/* Flows [from, to) take the same path: addrs per TTL from 1, NULL-terminated. */
void g_route(struct gscen *s, int from, int to, const char *const *addrs);

/* The snapshot; freed with g_free.  Hops' discovery: complete at the scenario's confidence. */
struct results *g_build(const struct gscen *s);
void g_free(struct results *r);

/* A new finding (zeroed, kind set) appended to r->findings. */
struct finding *g_finding(struct results *r, enum finding_kind kind, int ttl, const char *addr);
/* Sets a finding's flows (ids, ascending) and their source ports; n ids, -1 terminated. */
void g_finding_flows(struct results *r, struct finding *f, const int *ids);
/* Evidence: counts, rates and interval. */
void g_finding_loss(struct finding *f, uint64_t received, uint64_t lost, double lo, double hi,
		    double baseline);
/* A router with several addresses (NULL-terminated); marks their branches. */
void g_router(struct results *r, int ttl, const char *const *addrs, int burst, uint64_t refill_us,
	      uint64_t withheld, bool sure);
/* TTL 1: one neighbour's link-layer evidence, and one neighbour asked in vain. */
void g_neighbour(struct results *r, const char *addr, const uint8_t mac[6], uint64_t answers,
		 uint64_t claims, bool in_table);
void g_link_check(struct results *r, const char *addr, uint64_t asked, bool claimed, bool unaskable);
/* The address text as an ip_addr (aborts on a typo). */
struct ip_addr g_addr(const char *text);
/* The hop at ttl and the branch at it with that address (aborts when missing). */
struct hop_result *g_hop_at(struct results *r, int ttl);
struct branch_result *g_branch(struct results *r, int ttl, const char *addr);

#endif
