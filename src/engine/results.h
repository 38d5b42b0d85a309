/*
 * The engine's results as an immutable snapshot: hops, their branches
 * (distinct responders, with the flows that reach each), and flows with
 * their paths and end-to-end figures.  Faces (TUI, report, JSON) read only
 * this; they never see the engine's internals.
 */
#ifndef ECMPTRACE_ENGINE_RESULTS_H
#define ECMPTRACE_ENGINE_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "engine/engine.h"
#include "engine/mpls.h"
#include "engine/rtt_recent.h"
#include "engine/rtt_stats.h"
#include "wire/dissect.h"

/*
 * A branch's figures split by the branch its flows took at the nearest
 * earlier hop that had several (the last split): after two ECMP members
 * merge again, this keeps "the flows that came through the lossy member"
 * apart from their siblings at every later hop.
 */
struct via_result {
	int branch;			/* index of the branch at results->hops[...ttl == via_ttl] */
	uint64_t received, lost;
	struct rtt_stats rtt;
	int nflows;
};

/*
 * A link-layer address that spoke for a first-hop address: answers to our
 * probes came from it, ARP / Neighbor Discovery messages claimed the IP
 * for it, or this host's neighbour table pointed the IP at it.
 */
struct link_address {
	uint8_t addr[REPLY_LLADDR_MAX];
	uint8_t len;
	uint64_t answers;
	uint64_t claims;
	bool in_table;
};

/* The link-layer check of one neighbour (engine_config.link_check). */
struct link_check_result {
	struct ip_addr addr;
	uint64_t asked;			/* ARP requests / Neighbor Solicitations sent */
	bool claimed;			/* some question got a claim for this IP */
	bool unaskable;			/* not on a link of this host */
};

/* At TTL 1: one address answering from one link-layer address, and how often. */
struct neighbour_result {
	struct ip_addr addr;
	struct link_address link;
};

struct branch_result {
	struct ip_addr addr;		/* unset: unknown branch "*" (flows never answered here) */
	int *parents;			/* indexes of branches at the previous hop that lead here */
	int nparents;
	uint64_t received, lost;	/* resolved probes of this branch's flows at this TTL */
	struct rtt_stats rtt;
	struct jitter_stats jitter;	/* mtr's J* figures, over its flows' cells */
	int32_t *samples;		/* the latest RTT samples of its flows here, us (rtt_recent.h) */
	int nsamples;
	bool is_destination;		/* the target itself answered */
	bool is_unreachable;		/* a router answered with destination unreachable */
	int *flows;			/* ids of the flows through this branch, ascending */
	int nflows;
	int via_ttl;			/* TTL of the last split before this hop; 0 if none */
	struct via_result *via;		/* per branch at via_ttl, ordered by that index */
	int nvia;
	/*
	 * TTL 1 only (the neighbour answers itself): the link-layer addresses
	 * its answers came from.  More than one: a duplicated address or a NIC
	 * team sending from several members.
	 */
	struct link_address *link_addrs;
	int nlink_addrs;
	int router;			/* id of the router (results->routers) this address is one of; 0: none */
	struct mpls_stack mpls;		/* the MPLS labels it last quoted at this TTL; n 0: none */
	/*
	 * Path MTU (pmtu.h): the smallest of its flows' paths' (0: none
	 * known yet); pmtu_ptb: frag-needed / packet-too-big came for them.
	 */
	uint16_t pmtu_bytes;
	bool pmtu_ptb;
	bool pmtu_both_ways;		/* that size may be the way back's (ICMP; pmtu.h) */
};

struct hop_result {
	int ttl;
	struct branch_result *branches;	/* known branches first (by address), then unknown */
	int nbranches;
	uint64_t received, lost;	/* merged over branches, as mtr would show the hop */
	struct rtt_stats rtt;
	struct jitter_stats jitter;
	/*
	 * Branch discovery (MDA stopping rule).  Adaptive mode: the latest
	 * discovery pass's verdict.  Fixed --flows: whether the flows that
	 * answered here are enough for the rule at 95% (or 99%).
	 */
	bool discovery_complete;	/* no unseen branch remains, at confidence */
	int confidence;			/* 95 or 99; 0 = no statement (hop not covered) */
	bool rate_limited;		/* answers came only on retries: ICMP rate limiting */
	bool discovery_per_vertex;	/* balancing looked non-uniform/meshed: per-vertex rule used */
	int flows_probed;		/* distinct flows probed at this TTL (by the latest pass) */
	/*
	 * Discovery saw one flow answer from different routers at this TTL:
	 * per-packet balancing at or before it.
	 */
	bool per_packet;
	/*
	 * TTL 1 only: every (address, link-layer address) pair answers came
	 * from, including addresses that are no flow's usual responder (and
	 * so no branch): a MAC flapping between two machines shows here.
	 */
	struct neighbour_result *neighbours;
	int nneighbours;
	/* TTL 1 only: the neighbours the link-layer check asked, and how that went. */
	struct link_check_result *link_checks;
	int nlink_checks;
};

struct flow_result {
	int id;
	uint16_t sport;			/* source port or ICMP identifier */
	uint32_t flow_label;		/* IPv6 only */
	struct ip_addr src;		/* the source its answers quoted; unset before any */
	struct ip_addr *path;		/* responder per TTL, index 0 = first_ttl; unset = none */
	int path_len;			/* TTLs in path */
	int dest_ttl;			/* TTL at which the target answered; 0 if never */
	uint64_t received, lost;	/* end to end: probes at or beyond the destination's TTL */
	struct rtt_stats rtt;		/* end-to-end RTT */
	struct jitter_stats jitter;	/* end to end */
	int32_t *samples;		/* the latest end-to-end RTT samples, us */
	int nsamples;
	/*
	 * The lane's probes sent with the largest TTL (they reach the target
	 * whatever the path's length), answered by the target and unanswered;
	 * counted in received/lost above only once some flow met the target.
	 */
	uint64_t reach_received, reach_lost;
	uint64_t *hop_received;		/* per TTL (same index as path): answers at that TTL */
	uint64_t *hop_lost;		/* per TTL: probes at that TTL that timed out */
	/*
	 * Per TTL: probes still out (neither answered nor timed out).  May be
	 * NULL (none).  Answers count at once and losses only at their
	 * deadline, so a hop probed in a burst looks clean until then.
	 */
	uint64_t *hop_pending;
	int *responders_seen;		/* per TTL: distinct responders this flow saw there (>1: per-packet or path change) */
	int path_changes;		/* times a TTL of this flow saw a new responder after another */
	uint16_t pmtu_bytes;		/* its path's MTU once measured (pmtu.h); 0: not known */
	bool pmtu_ptb;			/* PMTU messages came for its path */
	bool pmtu_both_ways;		/* its size may be the way back's (ICMP echo replies; pmtu.h) */
};

/*
 * One router that answered from several addresses: its route back to us
 * is multipath, so its errors leave by (and come from) several interfaces.
 * Told by its ICMP rate limit: the addresses' answers stopped together,
 * one bucket between them (limiter.h).
 */
struct router_result {
	int id;				/* 1, 2, ... in the order of their TTLs */
	struct ip_addr *addrs;		/* its addresses, in the order they answered */
	int naddrs;
	int ttl;			/* smallest TTL it answered at */
	bool sure;			/* false: one lock-step silence alone backs it */
	int burst;			/* answers its limit lets through at once */
	uint64_t refill_us;		/* and then one per this long */
	uint64_t withheld;		/* probes seen withheld by its limit */
};

struct results {
	struct engine_config config;
	struct engine_counters counters;
	uint64_t elapsed_us;		/* since the first probe */
	int dest_ttl;			/* smallest TTL at which any flow reached the target; 0 if none */
	/*
	 * UDP: the target answered beyond a default ICMP limit (lane.h), so
	 * its silences are loss, not its limit.  Always true for TCP and ICMP.
	 */
	bool target_unlimited;
	struct hop_result *hops;	/* one per TTL from first_ttl */
	int nhops;
	struct flow_result *flows;
	int nflows;
	/*
	 * The diagnosis of this snapshot, attached by whoever needs it
	 * (results_with_findings(), diagnose.h), else NULL; findings_free
	 * came with it and frees it with the snapshot.  engine_results()
	 * does not diagnose: the builder knows nothing of the analysis.
	 */
	struct findings *findings;
	void (*findings_free)(struct findings *f);
	struct router_result *routers;	/* routers seen from several addresses */
	int nrouters;
};

void results_free(struct results *r);
/* Index in r->flows of the flow with this id, or -1 (ids are normally their index). */
int flow_index(const struct results *r, int id);
/*
 * What a link-layer address did for its IP, in words: "3 answers, 1 ARP/ND
 * claim, this host's entry".  Writes into buf (truncating) and returns it.
 */
const char *link_address_describe(const struct link_address *l, char *buf, size_t len);

#endif
