/*
 * Branch discovery for the engine's adaptive mode: the Multipath Detection
 * Algorithm's stopping rule (Augustin, Friedman, Teixeira, IMC 2007 / Veitch
 * et al., INFOCOM 2009) applied hop by hop the MDA-Lite way (Vermeulen et
 * al., IMC 2018), with a per-vertex fallback where balancing looks
 * non-uniform or meshed.  Private to src/engine: engine.c drives it,
 * results.c reads its per-hop summary.  Its files: mda.c (the algorithm
 * told, and the pass's observations), mda_ttl.c (the rules at one TTL),
 * mda_pick.c (the next probe), mda_pass.c (the end of a pass), mda_pace.c
 * (pacing by rate limiter); mda_int.h is what they share.
 */
#ifndef ECMPTRACE_ENGINE_MDA_H
#define ECMPTRACE_ENGINE_MDA_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct engine;

/* Flows through one vertex per branch the monitoring rounds keep probing. */
#define MDA_FLOWS_PER_BRANCH 4
/* Upper bound on the flows monitoring rounds probe. */
#define MDA_MONITOR_MAX 64
/* Probes one flow gets at one TTL before its silence is accepted (rate-limited hops). */
#define MDA_MAX_TRIES 4
/*
 * Probes an owed answer gets in all: the pass has gone on, so asking a
 * little longer costs it no time, only a probe a second.
 */
#define MDA_OWED_TRIES 8
/* Least time between two probes of one flow at one TTL once a hop drops answers. */
#define MDA_RETRY_GAP_US 1000000u
/* Flows probed again at a hop to tell per-packet balancing from meshing. */
#define MDA_RECHECKS 4
/*
 * Beyond twice the previous hop's slowest round trip (and the capture's
 * batching), the first answers of a hop are given this long before the
 * pass concludes the hop is silent and probes on.
 */
#define MDA_ANSWER_SLACK_US 1000u
/* Stand-ins for withheld answers a hop may send, per router it has shown. */
#define MDA_STANDINS_PER_ROUTER 2
/*
 * The walk waits this long at most on a rate limiter: beyond it, the hop
 * is completed in the background (plan_rest) while the walk goes on.
 */
#define MDA_DEFER_US 100000u
/* Least rounds between two discovery passes started by path changes. */
#define MDA_MIN_PASS_GAP 5
/*
 * The second pass comes this soon (if rediscovery is on at all): a pass
 * misses a branch with odds up to 1 - confidence, and a pass with fresh
 * flows squares those odds early instead of after the whole period.
 */
#define MDA_SECOND_PASS_US 30000000u

/*
 * Probes with distinct flows that must reach a vertex with k known next
 * hops before concluding, at confidence (95 or 99), that it has no other.
 */
int mda_stop_count(int confidence, int k);

enum mda_obs_state {
	OBS_NONE = 0,		/* not probed at this TTL in this pass */
	OBS_PENDING,		/* a probe is out */
	OBS_ANSWERED,		/* resp holds who answered */
	OBS_LOST,		/* the latest probe timed out; may be tried again */
};

/* What one flow showed at one TTL during the current pass. */
struct mda_obs {
	uint64_t last_sent;	/* engine clock of the latest probe */
	int16_t resp;		/* index in the hop's responder table, -1 = none */
	uint8_t state;		/* enum mda_obs_state */
	uint8_t tries;		/* probes sent */
	uint8_t recheck;	/* 0 none, 1 pending, 2 answered: per-packet test */
	bool owed;		/* presumed rate limited: the pass went on, asks again later */
	bool presumed;		/* overdue: the limiters were told (mda_pace.c) */
};

/* One TTL of the current pass. */
struct mda_hop {
	struct ip_addr *resp;	/* distinct responders seen this pass */
	bool *resp_end;		/* the responder is the target or said unreachable */
	int nresp, capresp;
	bool started;		/* the pass reached this TTL */
	bool lossy;		/* a probe here timed out */
	bool rate_limited;	/* a flow answered only when tried again */
	bool per_packet;	/* one flow saw two responders */
	bool checked_pp;	/* rechecks were sent */
	bool nonuniform;	/* the per-vertex rule was applied */
	bool capped;		/* max_flows stopped it short */
	int topup_sent;		/* probes sent to give each branch enough flows to monitor */
	bool complete;		/* the stopping rule held when the pass left the TTL */
	uint64_t slowest_us;	/* the longest round trip of an answer here this pass */
	int standins;		/* flows probed in place of answers a rate limit withheld */
	bool deferred;		/* the walk left it waiting on a limiter: plan_rest completes it */
	bool late_router;	/* a router showed after the walk left it */
};

/* Per-hop outcome of the latest finished pass (or of the running first one). */
struct mda_summary {
	bool valid;		/* the pass reached this TTL */
	bool complete;
	bool rate_limited;
	bool per_vertex;	/* the per-vertex fallback was used */
	bool per_packet;	/* a flow answered from two responders: per-packet balancing */
	int flows_probed;
	int nresp;
};

struct mda {
	bool running;			/* a pass is in progress */
	uint64_t pass_round;		/* round number of the running/latest pass */
	uint64_t passes;		/* passes started */
	int ttl;			/* TTL the pass works on (after the walk: the last one) */
	bool topup;			/* the walk is over: adding flows to thin branches */
	bool tail;			/* the walk of a -c 1 pass is over: owed answers only */
	int silent_run;			/* consecutive TTLs without any answer */
	bool gated;			/* the latest plan waited on a rate limiter */
	struct mda_hop *hops;		/* indexed by TTL, 0 .. max_ttl */
	struct mda_summary *sum;	/* indexed by TTL: the latest finished pass */
	bool have_sum;
	bool rediscover;		/* a path change asks for a new pass */
	int fresh_from;			/* flows below this index were used by earlier passes */
	uint64_t last_pass_end;		/* engine clock */
	uint64_t last_pass_round_end;	/* rounds started when the latest pass ended */
	bool *pp_ttl;			/* TTLs seen balancing per packet while monitoring */
	/* Memo of the latest decision, valid until something changes. */
	bool dirty;
	uint64_t memo_wake;
	/* Scratch for the per-vertex bookkeeping of one TTL. */
	int *scratch;
	size_t capscratch;
};

enum mda_step {
	MDA_PROBE,	/* send flow at ttl */
	MDA_WAIT,	/* nothing to send before *wake (0: until an answer or timeout) */
	MDA_DONE,	/* the pass is over */
};

bool mda_init(struct engine *e);
void mda_free(struct engine *e);
/* Allocates flow i's per-TTL observations. */
bool mda_flow_init(struct engine *e, int i);
/* Starts a discovery pass in round e->round. */
void mda_pass_begin(struct engine *e, uint64_t now);
enum mda_step mda_pick(struct engine *e, uint64_t now, int *flow, int *ttl, uint64_t *wake);
void mda_sent(struct engine *e, int flow, int ttl, uint64_t now);
void mda_answer(struct engine *e, int flow, int ttl, const struct ip_addr *from, bool end,
		uint64_t rtt_us);
void mda_lost(struct engine *e, int flow, int ttl);
/* A pending probe was discarded by a statistics reset: it never happened. */
void mda_discarded(struct engine *e, int flow, int ttl);
/* Ends the pass: saves the summary and picks the flows rounds probe. */
bool mda_pass_end(struct engine *e, uint64_t now);
/* A monitoring answer changed a flow's responder at ttl (changes: the cell's count). */
void mda_path_changed(struct engine *e, int ttl, int changes);
/* Should the next round be a discovery pass? */
bool mda_pass_due(const struct engine *e, uint64_t now);
/* The summary of ttl for the snapshot. */
struct mda_summary mda_hop_summary(const struct engine *e, int ttl);

/*
 * mda_pace.c: pacing by ICMP rate limiter.  A hop's vertices are its
 * routers: addresses that share a limiter count as one, represented by
 * the first of them in the hop's responder table.
 */
int mda_vertex(const struct engine *e, const struct mda_hop *h, int r);
/* Routers (not the target, not an unreachable) at a hop, aliases counted once. */
int mda_hop_routers(const struct engine *e, const struct mda_hop *h);
/* Vertices at a hop: routers (aliases once), the target and unreachables. */
int mda_hop_vertices(const struct engine *e, const struct mda_hop *h);
/* An answer from `from` at ttl (end: the target or an unreachable): its limiter spent a token. */
void mda_pace_answer(struct engine *e, int ttl, const struct ip_addr *from, bool end, uint64_t now);
/*
 * An answer outside the pass (rounds, lane) from an address with a
 * limiter: it spent a token of that bucket too, and addresses joined as
 * one router that answer beyond one bucket are split again.
 */
void mda_pace_other_answer(struct engine *e, const struct ip_addr *from, uint64_t now);
/* Flow's probe at ttl went unanswered (timed out, or overdue): tell the limiters. */
void mda_pace_lost(struct engine *e, int flow, int ttl, uint64_t now);
/*
 * May a probe go to ttl now?  grace: how long an answer may take there (0:
 * unknown).  If not, *wake says when to look again (0: at the next answer).
 */
bool mda_pace_gate(struct engine *e, int t, uint64_t now, uint64_t grace, uint64_t *wake);

#endif
