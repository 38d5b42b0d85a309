/*
 * The engine's private state, shared by its files: engine.c (probing),
 * engine_reply.c (matching), rounds.c and lane.c (scheduling), mda*.c
 * (discovery), linkcheck.c (the first hop's segment) and results*.c
 * (snapshots).  Nothing outside src/engine includes this.
 */
#ifndef ECMPTRACE_ENGINE_ENGINE_INT_H
#define ECMPTRACE_ENGINE_ENGINE_INT_H

#include "engine/auth.h"
#include "engine/engine.h"
#include "engine/flow.h"
#include "engine/lane.h"
#include "engine/limiter.h"
#include "engine/linkcheck.h"
#include "engine/mda.h"
#include "engine/mpls.h"
#include "engine/pmtu.h"
#include "engine/rtt_recent.h"
#include "engine/rtt_stats.h"
#include "wire/dissect.h"

/*
 * Probes are kept in 65536 slots; a probe's id on the wire is its slot
 * permuted under the run's key (auth.h), never 0 or 0xffff (16 bits: it
 * lives in the UDP checksum).
 */
#define PROBE_SLOTS 65536

enum probe_state {
	PROBE_FREE = 0,
	PROBE_PENDING,		/* sent, waiting for an answer or the timeout */
	PROBE_ANSWERED,
	PROBE_LOST,		/* timed out; a later answer is "late" */
	PROBE_DISCARDED,	/* sent before a statistics reset; answers are ignored */
};

struct probe_rec {
	uint64_t sent_at;	/* engine clock, us */
	uint64_t round;		/* round that sent it */
	int32_t flow;		/* flow index */
	uint8_t ttl;
	uint8_t state;		/* enum probe_state */
	bool discovery;		/* sent by a discovery pass (mda.c) ... */
	uint32_t pass;		/* ... this one (mda.passes when sent) */
	bool reach;		/* an end-to-end lane probe sent before the flow's hop count was known (lane.c) */
	bool early_lost;	/* counted lost before the full timeout: a later answer still counts */
	uint8_t burst_pos;	/* UDP: its place in the lane's first burst (lane.h), 0 if none */
	bool pmtu;		/* a path MTU probe (pmtu.h) of ... */
	uint16_t size;		/* ... this many bytes, don't-fragment */
	bool pmtu_check;	/* ... sent to the hop before the target (pmtu.h's way-there check) */
};

/* End-to-end answers and losses of one flow outside the per-TTL cells. */
struct e2e_tally {
	uint64_t received, lost;
	struct rtt_stats rtt;
	struct rtt_recent recent;	/* the latest samples, jitter */
};

/* How many distinct responders one (flow, TTL) remembers. */
#define CELL_RESPONDERS 4

struct responder {
	struct ip_addr addr;
	uint64_t count;		/* answers from this address */
	uint64_t last_round;	/* round of the latest answer */
};

enum cell_flags {
	CELL_DEST = 1 << 0,	/* the target answered here */
	CELL_UNREACH = 1 << 1,	/* a router said destination unreachable */
};

/* Everything measured for one flow at one TTL. */
struct cell {
	uint64_t sent, received, lost;	/* lost = timed out; sent - received - lost are in flight */
	struct rtt_stats rtt;
	struct rtt_recent recent;	/* the latest samples (rank tests), jitter */
	struct responder resp[CELL_RESPONDERS];
	int nresp;
	int current;			/* index in resp of the latest responder */
	int changes;			/* times the responder changed */
	unsigned flags;			/* enum cell_flags */
	uint8_t place_tries;		/* the lane's placement probes here (lane.c) */
};

struct flow_state {
	struct flow_id id;
	int dest_ttl;		/* smallest TTL at which the target answered; 0 = not yet */
	int unreach_ttl;	/* smallest TTL at which a router said unreachable; 0 = none */
	int last_reply_ttl;	/* highest TTL that answered at all; 0 = none */
	struct cell *cells;	/* indexed by TTL, 0 .. max_ttl */
	struct mda_obs *obs;	/* adaptive mode: this discovery pass, indexed by TTL */
	int pass_end;		/* adaptive mode: smallest TTL of this pass that reached an end; 0 = none */
	/*
	 * The source address the flow's probes left from, as answers quote
	 * it: the host may pick one per flow (an address per uplink).
	 */
	struct ip_addr src;
	/*
	 * The end-to-end lane (lane.c): answers of the target to probes sent
	 * with the largest TTL before the flow's hop count was known, and the
	 * lane's schedule for this flow.
	 */
	struct e2e_tally reach;
	uint64_t lane_last;	/* engine clock of the flow's latest lane probe; 0 = none */
	uint32_t lane_sent;	/* lane probes sent */
	bool lane_mate;		/* clean, placed beside a failing flow: it gets the longer burst */
};

struct engine {
	struct engine_config cfg;
	struct flow_plan plan;
	struct flow_state *flows;
	int nflows;
	int capflows;			/* allocated entries of flows (adaptive mode grows it) */
	int *active;			/* flows a (non-discovery) round probes, in order */
	int nactive;

	struct probe_rec *probes;	/* indexed by slot */
	uint16_t next_id;		/* next slot to try */
	struct auth auth;		/* the run's key: wire ids and MACs (auth.h) */
	uint16_t *fifo;			/* slots of unresolved probes in send order */
	uint32_t fifo_head, fifo_len;

	/* Scheduling state. */
	uint64_t round;			/* rounds started */
	bool in_round;
	int cur_ttl, cur_flow;		/* next candidate within the round (cur_flow is a position) */
	int rotation;			/* flow at position 0 this round */
	int round_flows;		/* positions this round probes (flows_per_round) */
	int *ttl_quota;			/* per TTL: round probes a rate-limited hop may get; -1 = any (rounds.c) */
	int *ttl_used;			/* per TTL: round probes sent there this round */
	uint64_t next_round_at;
	uint64_t next_send_at;
	uint64_t window_start;		/* pacing above 1000/s: the current millisecond window */
	uint64_t window_sent;		/* ... and the probes sent in it */
	uint64_t first_send_at;		/* 0 before the first probe */
	int highest_reply_ttl;		/* over all flows */
	int max_dest_ttl;		/* over all flows that reached the target */
	bool stopped, paused;

	struct mda mda;			/* adaptive mode: discovery state (mda.h) */
	struct lane lane;		/* adaptive mode: the end-to-end lane (lane.h) */
	uint64_t rtt_max_us;		/* the longest round trip of any answer so far */
	uint64_t early_scan_at;		/* no probe can be lost early before this; 0 = none pending */
	bool reached;			/* the target answered a reach probe */
	bool lane_last_turn;		/* the latest probe was the lane's (they take turns) */
	bool pass_last_turn;		/* ... and of the others, the detached pass's (it and the rounds take turns) */
	bool pass_detached;		/* the running pass outlasted its round: it goes on beside the rounds */
	struct limiters lim;		/* adaptive mode: ICMP rate limiters learned (limiter.h) */
	struct pmtu_state pmtu;		/* path MTU per path (pmtu.h) */
	struct engine_counters counters;

	/* The local segment: who answered at TTL 1 from where, and who claims what. */
	struct neighbour_seen neighbours[ENGINE_NEIGHBOURS_MAX];
	int nneighbours;
	struct link_target link_targets[ENGINE_NEIGHBOURS_MAX];
	int nlink_targets;
	/* MPLS label stacks last quoted per (TTL, responder) (mpls.h). */
	struct mpls_table mpls;
};

/* rounds.c: the rounds' scheduling. */
enum pick { PICK_PROBE, PICK_WAIT, PICK_ROUND_OVER };
/* The highest TTL worth probing for flow f this round. */
int rounds_flow_limit(const struct engine *e, const struct flow_state *f);
/* The flow at a position of this round (rotated each round). */
int rounds_flow_at(const struct engine *e, int position);
/* Finds the round's next (flow, TTL): e->cur_ttl, rounds_flow_at(e, e->cur_flow). */
enum pick rounds_pick(struct engine *e);
/* How many of the monitored flows a round probes. */
int rounds_flows_per_round(const struct engine *e);
/* At a round's start: how many probes each rate-limited hop may get. */
void rounds_plan_quota(struct engine *e);
/* A round probe went to ttl. */
void rounds_sent(struct engine *e, int ttl);
struct results;
/* results_routers.c: the routers of several addresses, and each branch's router id. */
bool results_routers(const struct engine *e, struct results *r);

/* engine.c: where a probe's loss counts (its cell, or the flow's reach tally). */
uint64_t *lost_count(struct engine *e, const struct probe_rec *p);
/* engine.c: is p a probe of the discovery pass still running? */
bool of_running_pass(const struct engine *e, const struct probe_rec *p);
/* engine.c: the probe in slot id as it goes out (and as an answer must quote it). */
void fill_probe(const struct engine *e, int flow, int ttl, uint16_t id, struct probe_spec *p);

/* Adds a flow (adaptive mode); returns its index, or -1 at max_flows or out of memory. */
int engine_add_flow(struct engine *e);

/* The responder that answered most often at this cell (ties: the latest); NULL if none. */
const struct responder *cell_dominant(const struct cell *c);

#endif
