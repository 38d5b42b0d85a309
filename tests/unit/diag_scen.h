/*
 * Hand-built results snapshots for the diagnosis tests (test_diagnose.c,
 * test_causes.c): flows with a path, per-TTL answers and losses, and
 * end-to-end figures, grouped into branches as the engine would.
 */
#ifndef ECMPTRACE_TESTS_DIAG_SCEN_H
#define ECMPTRACE_TESTS_DIAG_SCEN_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "engine/diagnose.h"
#include "engine/results.h"

#define FIRST 1		/* first TTL of every scenario */
#define MAXH 8		/* TTLs a scenario may use */
#define MAXF 32		/* flows a scenario may use */
#define SPORT 33000	/* flow i uses source port SPORT + i */

#define R1 "10.0.0.1"
#define R2 "10.0.1.1"
#define R3 "10.0.2.1"
#define BR_A "10.2.0.2"
#define BR_B "10.2.1.2"
#define A3 "10.3.0.3"
#define B3 "10.3.1.3"
#define A4 "10.4.0.4"
#define B4 "10.4.1.4"
#define DST "10.9.0.9"

/* One flow of a scenario, by TTL index (TTL = FIRST + index). */
struct tflow {
	int len;			/* TTLs in its path */
	const char *path[MAXH];		/* responder; NULL = none */
	uint64_t hr[MAXH], hl[MAXH];	/* answers / timeouts at that TTL */
	uint64_t hp[MAXH];		/* probes still out at that TTL */
	int seen[MAXH];			/* responders seen (0: 1 if path set) */
	int dest_ttl;
	uint64_t recv, lost;		/* end to end */
	uint64_t reach_recv, reach_lost;	/* probes sent with the largest TTL */
	int changes;
};

struct scen {
	int nflows;
	uint64_t rounds;		/* probes per flow per TTL */
	enum probe_proto proto;
	struct tflow f[MAXF];
};

void scen_init(struct scen *s, int nflows, uint64_t rounds);
/* Flow i meets router addr at ttl and loses `lost` of its probes there. */
void hop(struct scen *s, int i, int ttl, const char *addr, uint64_t lost);
/* Flow i reaches the target at ttl, losing `lost` probes end to end. */
void reach(struct scen *s, int i, int ttl, uint64_t lost);
/* Builds the snapshot the engine would: branches grouped by responder, with parents. */
struct results *build(const struct scen *s);
/* Diagnoses the scenario; the snapshot keeps the findings (results_free frees both). */
struct results *scen_run(const struct scen *s);
int count_kind(const struct results *r, enum finding_kind kind);
const struct finding *first_kind(const struct results *r, enum finding_kind kind);
int count_total(const struct results *r);
bool addr_is(const struct ip_addr *a, const char *text);
/* The finding names exactly flows lo..hi (and their source ports). */
bool flows_are_range(const struct finding *f, int lo, int hi);
/* The finding's 95% interval is sane and holds its estimate. */
bool interval_ok(const struct finding *f);
/*
 * 16 flows: TTL 1 R1, TTL 2 branch A (flows 0-7) or B (8-15), then either
 * the target at TTL 3 (ttls == 3) or A3/B3 [A4/B4] before it.
 */
void ecmp(struct scen *s, int ttls);
/* 16 flows on one path: R1, R2 [, R3], then the target. */
void single(struct scen *s, int ttls);

#endif
