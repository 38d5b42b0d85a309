/*
 * The tracing engine: decides which probe to send when, matches replies to
 * probes, and keeps per-(TTL, flow) statistics.  Pure C, no I/O, no
 * globals, no clock of its own: the caller passes the monotonic time in
 * microseconds, so the same engine runs against real sockets and against
 * the simulator in tests/sim.
 *
 * The caller's loop is:
 *   for (;;) {
 *           step = engine_next(e, now, &probe, &wake);
 *           SEND -> build + send probe, call again;
 *           WAIT -> sleep/poll until wake or a packet; dissect it and
 *                   engine_reply(); call again;
 *           DONE -> stop.
 *   }
 */
#ifndef ECMPTRACE_ENGINE_ENGINE_H
#define ECMPTRACE_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "engine/flow.h"
#include "wire/dissect.h"
#include "wire/probe.h"

struct engine;
struct results;

struct engine_config {
	enum probe_proto proto;
	struct ip_addr src;		/* our address towards dst */
	struct ip_addr dst;
	uint16_t dport;			/* UDP/TCP destination port */
	uint16_t sport_base;		/* flow i uses sport_base + i */
	uint32_t label_base;		/* IPv6: flow i uses label_base + i */
	unsigned vary;			/* enum flow_vary bits */
	int nflows;			/* flows probed each round; adaptive mode ignores it */
	uint8_t first_ttl, max_ttl;
	uint8_t tos;
	int max_unknown;		/* silent TTLs past the highest responder before giving up */
	uint64_t rounds;		/* rounds to run; 0 = until stopped */
	uint64_t interval_us;		/* least time between the starts of two rounds */
	uint64_t timeout_us;		/* a probe unanswered this long is lost */
	uint64_t answer_delay_us;	/* answers may reach the engine this late (capture batching) */
	uint32_t rate_pps;		/* never send faster than this */
	uint16_t payload_len;		/* bytes after the transport header */
	uint32_t seed;			/* run-specific randomness (the first probe slot) */
	/*
	 * The run's 128-bit secret: probes carry a MAC under it and their ids
	 * are permuted by it, so answers cannot be forged (auth.h).  The
	 * caller draws it from a good random source; tests pass fixed keys.
	 */
	uint8_t key[16];
	/*
	 * Adaptive mode (Multipath Detection Algorithm, mda.c): when set,
	 * nflows is ignored; each run (and every rediscovery) starts with a
	 * discovery pass that adds flows until the MDA stopping rule holds at
	 * every hop, then rounds probe a chosen set covering every branch.
	 */
	bool adaptive;
	int confidence;			/* 95 or 99: the stopping rule's confidence */
	int max_flows;			/* most flows discovery may create (capped by the port range) */
	uint64_t rediscover_us;		/* rerun discovery this often; 0 = only on path changes */
	/*
	 * Next hops of the host's own route to dst (0: unknown).  The host is
	 * the balancer before TTL 1: when it knows its next hops, TTL 1 needs
	 * only to see them answer, not the stopping rule.
	 */
	int first_hop_fanout;
	/*
	 * Ask every neighbour that answers at TTL 1 which link-layer address
	 * holds its IP (engine_next_neighbour_query), when the caller can
	 * send ARP or Neighbor Solicitations; a pass is not over until they
	 * had their chance to answer.
	 */
	bool link_check;
	/*
	 * Path MTU per path (pmtu.h): the search stops this many bytes from
	 * the answer (8 by default, 1 for --pmtu); 0: no search.
	 */
	int pmtu_step;
	/*
	 * Errors quoting less than a probe's payload never reach the engine
	 * (unprivileged sockets: wire/sockreply.c needs the whole payload),
	 * so no time exceeded answers a path MTU probe: pmtu.h's way-there
	 * check cannot run, and an ICMP size found by silence stays both ways.
	 */
	bool whole_quotes_only;
};

/* Fills cfg with the defaults; the caller sets addresses and overrides. */
void engine_config_defaults(struct engine_config *cfg);

enum engine_step {
	ENGINE_SEND,	/* *probe is filled: send it now */
	ENGINE_WAIT,	/* nothing to send before *wake_us */
	ENGINE_DONE,	/* all rounds sent and every probe answered or timed out */
};

enum match_result {
	MATCH_OK,		/* counted */
	MATCH_DUPLICATE,	/* a second answer to an answered probe: ignored */
	MATCH_LATE,		/* answer to a probe already counted lost: ignored */
	MATCH_FOREIGN,		/* not about this run's flows (target, protocol, ports): ignored */
	MATCH_UNAUTHENTICATED,	/* names a flow of this run but no probe it sent, or fails the
				   probe's check (MAC, quoted fields, not from the target): ignored */
};

struct engine_counters {
	uint64_t probes_sent;
	uint64_t replies;	/* MATCH_OK */
	uint64_t duplicates;
	uint64_t late;
	uint64_t foreign;
	uint64_t unauthenticated;	/* MATCH_UNAUTHENTICATED: forged, or mangled on the way */
	uint64_t rounds_started;
	uint64_t rounds_done;	/* rounds whose every probe is resolved */
};

/* Returns NULL and writes a reason into err when cfg is inconsistent. */
struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen);
void engine_free(struct engine *e);

enum engine_step engine_next(struct engine *e, uint64_t now_us,
			     struct probe_spec *probe, uint64_t *wake_us);
enum match_result engine_reply(struct engine *e, const struct reply *r, uint64_t now_us);

/*
 * The link-layer check (cfg.link_check, linkcheck.c).  The caller asks the
 * neighbour in *addr now (ARP request, or Neighbor Solicitation to its
 * solicited-node group), reading first what this host's neighbour table
 * holds for it (engine_neighbour_table).  False when none is due; *wake_us
 * is then lowered to when one will be (left alone when 0 means never).
 */
bool engine_next_neighbour_query(struct engine *e, uint64_t now_us, struct ip_addr *addr,
				 uint64_t *wake_us);
/*
 * A message heard on the segment claims addr for lladdr: an ARP reply or
 * request, a Neighbor Advertisement.  Kept when it concerns a neighbour
 * (its IP, or its link-layer address under another IP).
 */
void engine_neighbour_claim(struct engine *e, const struct ip_addr *addr, const uint8_t *lladdr,
			    size_t len, uint64_t now_us);
/* This host's neighbour table maps addr to lladdr (kept on the same terms). */
void engine_neighbour_table(struct engine *e, const struct ip_addr *addr, const uint8_t *lladdr,
			    size_t len);
/* addr cannot be asked (not on a link of this host, or no way to ask): stop trying. */
void engine_neighbour_unaskable(struct engine *e, const struct ip_addr *addr);

/* Stop starting new rounds; outstanding probes still resolve. */
void engine_stop(struct engine *e);
/* Pause/resume sending (live view); time paused does not count as loss. */
void engine_pause(struct engine *e, bool paused, uint64_t now_us);
bool engine_paused(const struct engine *e);
/* Forgets all statistics but keeps what is known about the path. */
void engine_reset_stats(struct engine *e);

struct engine_counters engine_get_counters(const struct engine *e);

/*
 * An immutable snapshot of everything measured so far (see results.h),
 * without findings: results_with_findings() (diagnose.h) adds them.
 */
struct results *engine_results(const struct engine *e, uint64_t now_us);

#endif
