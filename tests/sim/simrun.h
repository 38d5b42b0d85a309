/*
 * simrun: runs an engine against a simnet in virtual time, with the
 * program's own event loop (src/run.c; the network and the clock are
 * simloop.h's): sends go into the simnet, waits jump the clock to the
 * engine's wake time or the next reply's arrival, whichever comes first,
 * and due replies go to engine_reply.  Guards on virtual time and on steps
 * stop the loop, so a buggy engine cannot hang a test.  Every send is
 * recorded with its time, for pacing and scheduling checks.
 */
#ifndef ECMPTRACE_TESTS_SIM_SIMRUN_H
#define ECMPTRACE_TESTS_SIM_SIMRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/results.h"
#include "simnet.h"

/* One probe the engine sent, and when. */
struct simrun_send {
	uint64_t at;
	struct probe_spec probe;
	enum simnet_fate fate;
};

/* Something a test does to the engine or the network at a given virtual time. */
struct simrun_event {
	uint64_t after_us;		/* virtual time since the start; 0 = unused slot */
	void (*fn)(void *ctx, struct engine *e, struct simnet *n, uint64_t now_us);
	void *ctx;
};

#define SIMRUN_MAX_EVENTS 8

struct simrun_limits {
	uint64_t max_virtual_us;	/* give up when this much virtual time has passed (0: 10 min) */
	uint64_t max_steps;		/* give up after this many engine_next calls (0: 10 million) */
	uint64_t stop_after_us;		/* > 0: engine_stop() once this much virtual time has passed */
	struct simrun_event events[SIMRUN_MAX_EVENTS];	/* run once each, in time order, before the engine's next step */
};

struct simrun {
	uint64_t start_us;		/* virtual time the run started at */
	uint64_t now_us;		/* virtual time now */
	struct simrun_send *sends;	/* every probe, in send order */
	size_t nsends, capsends;
	uint64_t steps;			/* turns of the loop and probes sent */
	uint64_t waits;			/* WAIT answers */
	uint64_t stale_waits;		/* WAIT with a wake time not after now (the clock is nudged by 1 us) */
	uint64_t delivered;		/* replies handed to engine_reply */
	uint64_t match[MATCH_UNAUTHENTICATED + 1];	/* engine_reply results by enum match_result */
	bool done;			/* the engine said DONE */
	bool guard_hit;			/* a limit stopped the run */
	bool stopped;			/* engine_stop() was called by stop_after_us */
	bool fired[SIMRUN_MAX_EVENTS];	/* which events have run */
	char why[160];			/* what stopped the run, for test output */
};

/* Virtual start time: far from 0 so "0 = unset" bugs show up. */
#define SIMRUN_START_US 1000000000ull

void simrun_init(struct simrun *r);
void simrun_free(struct simrun *r);

/*
 * Drives e against n until DONE or a limit (lim may be NULL).  Returns
 * true if the engine said DONE.  Replies still queued after DONE stay in n.
 */
bool simrun_run(struct simrun *r, struct engine *e, struct simnet *n, const struct simrun_limits *lim);

/*
 * Fills cfg with engine_config_defaults() and the simnet's conventional
 * addresses for family (see simrun_default_addrs).
 */
void simrun_config(struct engine_config *cfg, int family);
/* The source and destination addresses the sim tests use: 10.0.0.1 -> 10.200.0.1 (or fd00::). */
void simrun_default_addrs(int family, struct ip_addr *src, struct ip_addr *dst);

/* One complete case: the engine, its run against a simnet, the final snapshot. */
struct simrun_case {
	struct engine *engine;
	struct simrun run;
	struct results *res;		/* engine_results() at the end of the run, diagnosed */
	char err[128];			/* engine_new's complaint, if any */
};

/* engine_new(cfg), simrun_run against n, the diagnosed snapshot.  False if any step failed. */
bool simrun_case_run(struct simrun_case *c, const struct engine_config *cfg, struct simnet *n,
		     const struct simrun_limits *lim);
void simrun_case_free(struct simrun_case *c);

/* Index of the branch answering from addr in hop, or -1. */
int simrun_branch(const struct hop_result *hop, const struct ip_addr *addr);
/*
 * The flows (ascending, into flows[0..cap-1]) whose oracle path goes through
 * node id; returns their number.  Uses each flow's first probe in c's run.
 */
int simrun_oracle_flows(const struct simnet *n, const struct simrun_case *c, int id, int *flows,
			int cap);

/* The first probe the run sent for flow (per cfg's flow plan); NULL if none. */
const struct probe_spec *simrun_flow_probe(const struct simrun *r, const struct engine_config *cfg,
					   int flow);
/* Field-by-field equality of two probes (memcmp would compare padding). */
bool simrun_probe_equal(const struct probe_spec *a, const struct probe_spec *b);
/* Highest TTL among the probes sent (0 if none). */
int simrun_max_ttl(const struct simrun *r);
/*
 * Compares the statistics of two snapshots: hops, branches (address,
 * flows, parents, counts), flows (path, per-TTL counts, end-to-end counts)
 * and, if with_rtt, RTT sums.  On a difference returns false and says
 * where in why.
 */
bool simrun_results_equal(const struct results *a, const struct results *b, bool with_rtt,
			  char *why, size_t whylen);

/*
 * Runs a case, then reports it with the test's ok() (tests/tap.h): the run
 * ended and never asked to wait for the past.  Arguments of ok() are
 * evaluated in no fixed order, so the run cannot happen inside them.
 */
#define SIMRUN_OK(c, cfg, n, lim, what)                                                     \
	do {                                                                           \
		bool ran_ = simrun_case_run((c), (cfg), (n), (lim));                   \
		ok(ran_ && (c)->res && (c)->run.stale_waits == 0,                     \
		   "%s: the run ends, never asked to wait for the past (%s)%s", (what),   \
		   (c)->run.why, (c)->err);                                            \
	} while (0)

#endif
