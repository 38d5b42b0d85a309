/*
 * simnet: a deterministic model of a routed network with ECMP, so the
 * engine can be tested without sockets, in virtual time.  A probe_spec goes
 * in; zero or more struct reply (exactly as reply_dissect would report the
 * real packets) come out, each with its arrival time.
 *
 * The network is a DAG of nodes: the source (SIMNET_SRC), routers, and the
 * destination (SIMNET_DST).  A node with several next hops picks one the way
 * routers do for equal-cost multipath: by hashing the probe's flow fields
 * (the 5-tuple, or the IPv6 flow label, RFC 6438) with a per-router seed, or
 * at random per packet.  A probe with TTL t expires at the t-th router of
 * its path, which answers TIME_EXCEEDED (RFC 792 / RFC 4443); a probe with
 * more TTL than the path has routers reaches the destination, which answers
 * like Linux: UDP -> port unreachable, TCP SYN -> SYN-ACK or RST, ICMP echo
 * -> echo reply.
 *
 * Every random decision is a hash of (net seed, decision kind, probe serial),
 * not a draw from one shared generator, so turning on one impairment
 * (duplicates, foreign replies...) never changes the fate of other probes:
 * runs with and without it can be compared probe by probe.
 */
#ifndef ECMPTRACE_TESTS_SIM_SIMNET_H
#define ECMPTRACE_TESTS_SIM_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/dissect.h"
#include "wire/probe.h"

#define SIMNET_SRC 0		/* node id of the source */
#define SIMNET_DST 1		/* node id of the destination */
#define SIMNET_MAX_NEXT 32	/* next hops per node */
#define SIMNET_MAX_HOPS 255	/* longest path walked */
#define SIMNET_MAX_DROP_SPORTS 64
#define SIMNET_MAX_RET 16	/* members of the destination's return ECMP group */
#define SIMNET_MAX_ANSWER_ADDRS 8	/* answer addresses of one router */

/* Linux ICMP rate limit: icmp_ratelimit 1000 ms with a burst of 6. */
#define SIMNET_LINUX_RL_BURST 6
#define SIMNET_LINUX_RL_INTERVAL_US 1000000u
/* Initial TTL of every reply (Linux default). */
#define SIMNET_REPLY_TTL 64

enum simnet_hash {
	SIMNET_HASH_PORTS,	/* addresses, protocol, first 4 bytes of L4: ports / ICMP type+code+checksum */
	SIMNET_HASH_LABEL,	/* addresses + IPv6 flow label; PORTS on IPv4 or label 0 */
	SIMNET_HASH_PER_PACKET,	/* a fresh choice for every packet */
};

/*
 * One node.  Fields above the "state" line are knobs the test may set at
 * any time; the rest is kept by simnet.  Pointers returned by simnet_node()
 * stay valid until the next simnet_add_router()/simnet_split().
 */
struct simnet_node {
	struct ip_addr addr;		/* the address it answers from */
	int next[SIMNET_MAX_NEXT];	/* next-hop node ids (routers or SIMNET_DST) */
	int nnext;
	enum simnet_hash hash;		/* how it picks among next hops */
	uint32_t seed;			/* per-router hash seed: routers split differently */
	double fwd_loss;		/* probability a probe it forwards is dropped */
	double reply_loss;		/* probability its reply is lost on the way back */
	bool silent;			/* never answers (routers: ICMP; destination: anything) */
	int unreach_code;		/* >= 0: refuses to forward, answers unreachable with this code */
	int rl_burst;			/* ICMP token bucket size in messages; 0 = no limit */
	uint64_t rl_interval_us;	/* one token per this much time */
	uint64_t delay_us;		/* round-trip time of its replies */
	/*
	 * > 0: the MTU of its link onward: it forwards no larger probe with
	 * don't-fragment set (IPv6: none larger) and answers frag-needed /
	 * packet-too-big with this MTU instead -- or nothing (mtu_silent: a
	 * PMTU black hole).
	 */
	int mtu_out;
	bool mtu_silent;
	uint64_t jitter_us;		/* + uniform 0..jitter_us */
	int stage, index;		/* position set by the builders (stage 1-based), -1 otherwise */
	/*
	 * Link-layer source of its replies as a neighbour of the prober (only
	 * meaningful for first-hop nodes): 0 = none given, 2 = alternating
	 * (a duplicated address, or a team sending from two NICs).
	 */
	uint8_t lladdrs[2][6];
	int nlladdrs;
	/*
	 * A router whose route back to the source is multipath, without a
	 * preferred source: each error leaves by one return next hop, chosen
	 * by hashing the probe's flow (with answer_seed), and comes from the
	 * address of that interface.  Given (n > 0), answers come from these
	 * instead of addr; they share the node's one token bucket.
	 */
	struct ip_addr answer_addrs[SIMNET_MAX_ANSWER_ADDRS];
	int nanswer_addrs;
	uint32_t answer_seed;

	/* state */
	uint64_t rl_tokens_us;		/* token bucket content, in time units */
	uint64_t rl_last_us;
	bool rl_started;
	uint64_t arrived;		/* probes that reached this node */
	uint64_t expired;		/* probes whose TTL ran out here */
	uint64_t answered;		/* replies it generated */
	uint64_t rate_limited;		/* replies the token bucket suppressed */
	uint64_t fwd_dropped;		/* probes lost when forwarding */
};

/* What the destination does besides the per-node knobs (SIMNET_DST node). */
struct simnet_dest {
	bool listening;			/* TCP: SYN-ACK when true, RST otherwise */
	double loss;			/* probability an arriving probe vanishes */
	uint16_t drop_sports[SIMNET_MAX_DROP_SPORTS];	/* its replies to these source ports are always lost */
	int ndrop_sports;
	int ret_members;		/* > 0: replies take one of these return members by hash of the swapped 5-tuple */
	double ret_loss[SIMNET_MAX_RET];	/* loss probability of each return member */
	/*
	 * MTU of each return member (0: none), its packet-too-big filtered:
	 * an answer bigger than it (an echo reply as big as its request) is lost.
	 */
	int ret_mtu[SIMNET_MAX_RET];
	uint32_t ret_seed;
};

/* Impairments of the reply stream, to exercise the engine's matching. */
struct simnet_faults {
	double dup_prob;		/* a reply is delivered twice ... */
	uint64_t dup_gap_us;		/* ... the copy this much later */
	double reorder_prob;		/* a reply is held back ... */
	uint64_t reorder_extra_us;	/* ... by this much (overtaken by later ones) */
	double late_prob;		/* a reply is delayed ... */
	uint64_t late_extra_us;		/* ... by this much: set above the engine's timeout */
	double foreign_prob;		/* per probe, one extra reply that is not ours */
	int foreign_kind;		/* -1: rotate; else one enum simnet_foreign */
};

/* Kinds of foreign replies (answers to probes this run never sent). */
enum simnet_foreign {
	SIMNET_FOREIGN_OTHER_DST = 0,	/* quotes a probe to another destination */
	SIMNET_FOREIGN_OTHER_PORT,	/* another destination port (ICMP: another source address) */
	SIMNET_FOREIGN_ID_ZERO,		/* probe id 0, never used */
	SIMNET_FOREIGN_ID_FFFF,		/* probe id 0xffff, never used */
	SIMNET_FOREIGN_KINDS
};

/* What happened to one probe. */
enum simnet_fate {
	SIMNET_FATE_INVALID,		/* TTL 0 or wrong addresses: dropped */
	SIMNET_FATE_ANSWERED,		/* a router's TIME_EXCEEDED / unreachable was queued */
	SIMNET_FATE_DEST_ANSWERED,	/* the destination's answer was queued */
	SIMNET_FATE_SILENT,		/* expired at (or reached) a node that never answers */
	SIMNET_FATE_RATE_LIMITED,	/* the answer was suppressed by the token bucket */
	SIMNET_FATE_FWD_LOST,		/* dropped by a router forwarding it */
	SIMNET_FATE_NO_ROUTE,		/* a router without next hops */
	SIMNET_FATE_DEST_LOST,		/* vanished at the destination */
	SIMNET_FATE_RETURN_LOST,	/* answered, but the answer was lost coming back */
};

struct simnet_stats {
	uint64_t probes;		/* simnet_send calls */
	uint64_t queued;		/* replies queued, all kinds */
	uint64_t delivered;		/* replies handed out by simnet_next_reply */
	uint64_t fate[SIMNET_FATE_RETURN_LOST + 1];	/* probes by fate */
	uint64_t duplicates, reordered, late, foreign;	/* impairments applied */
};

struct simnet;

/*
 * A network with only a source and a destination (of the same family) and
 * no links; add routers and links, or use a builder below.  NULL on bad
 * addresses or out of memory.
 */
struct simnet *simnet_new(const struct ip_addr *src, const struct ip_addr *dst, uint32_t seed);
void simnet_free(struct simnet *n);

/* Adds a router answering from addr (defaults: PORTS hash, no loss, 1 ms); returns its id or -1. */
int simnet_add_router(struct simnet *n, const struct ip_addr *addr);
/* Adds the link from -> to (from: source or router; to: router or destination). */
bool simnet_link(struct simnet *n, int from, int to);
/* Puts a new router on the link from -> to; returns its id or -1. */
int simnet_split(struct simnet *n, int from, int to, const struct ip_addr *addr);
/* False (with a reason) if the graph has a cycle or a router that cannot reach the destination. */
bool simnet_check(const struct simnet *n, char *err, size_t errlen);

struct simnet_node *simnet_node(struct simnet *n, int id);
int simnet_node_count(const struct simnet *n);
/* Id of the node answering from addr (or from one of its answer_addrs), or -1. */
int simnet_find(const struct simnet *n, const struct ip_addr *addr);
/* Id of the builders' router at stage (1-based) and index, or -1. */
int simnet_at(const struct simnet *n, int stage, int index);
struct simnet_dest *simnet_dest(struct simnet *n);
struct simnet_faults *simnet_faults(struct simnet *n);
const struct simnet_stats *simnet_stats(const struct simnet *n);

/* Sets the hash mode of the source and every router. */
void simnet_set_hash(struct simnet *n, enum simnet_hash mode);
/* Sets the ICMP token bucket of a node (burst 0 = unlimited). */
void simnet_rate_limit(struct simnet_node *node, int burst, uint64_t interval_us);

/*
 * Builders.  Router addresses are 10.<stage>.<index>.1 (IPv4) or
 * fd00:0:0:<stage>::<index + 1> (IPv6); see simnet_stage_addr.  Router at
 * stage s answers in s ms, the destination in (stages + 1) ms.
 */
void simnet_stage_addr(int family, int stage, int index, struct ip_addr *out);
/* src -> r1 -> ... -> rn -> dst. */
struct simnet *simnet_chain(const struct ip_addr *src, const struct ip_addr *dst, int n, uint32_t seed);
/*
 * Stages of widths[0..nstages-1] routers.  meshed: every router links to
 * every router of the next stage.  Unmeshed: router i links to the routers
 * j of the next stage with j % w == i when the next stage is wider (w this
 * stage's width), else to i % (next width).  Width-1 stages fan out/in.
 */
struct simnet *simnet_diamond(const struct ip_addr *src, const struct ip_addr *dst,
			      const int *widths, int nstages, bool meshed, uint32_t seed);

/* Sends one probe at now_us: decides its fate and queues its replies. */
enum simnet_fate simnet_send(struct simnet *n, const struct probe_spec *p, uint64_t now_us);
/* Arrival time of the earliest queued reply; false if none. */
bool simnet_next_arrival(const struct simnet *n, uint64_t *at_us);
/* Pops the earliest reply due at or before now_us; false if none is due. */
bool simnet_next_reply(struct simnet *n, uint64_t now_us, struct reply *out);
size_t simnet_pending(const struct simnet *n);

/*
 * The oracle: the routers the flow of p traverses (TTL and probe id do not
 * matter), into out[0..cap-1].  Returns how many routers lie between source
 * and destination, or -1 if the path depends on the packet (per-packet
 * balancing on the way) or ends without reaching the destination.
 */
int simnet_path(const struct simnet *n, const struct probe_spec *p, struct ip_addr *out, int cap);
/* Return ECMP member the destination's replies to p take, or -1 if ret_members is 0. */
int simnet_return_member(const struct simnet *n, const struct probe_spec *p);
/* The same as node ids. */
int simnet_path_ids(const struct simnet *n, const struct probe_spec *p, int *ids, int cap);

#endif
