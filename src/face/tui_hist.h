/*
 * RTT history for the live view's charts.  The engine keeps running
 * accumulators, not samples, so the view keeps its own short history: one
 * bucket per tick in which something new was resolved, holding the mean RTT
 * of the answers that arrived in that tick and how many probes were lost.
 * Keyed by what a row stands for (hop, branch = TTL + address, flow id,
 * branch + earlier branch), so
 * a history survives re-sorting and view changes.  Private to src/face.
 */
#ifndef ECMPTRACE_FACE_TUI_HIST_H
#define ECMPTRACE_FACE_TUI_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "engine/rtt_stats.h"

/* Buckets kept per key: enough for a chart as wide as most terminals. */
#define TUI_HIST_LEN 120

/* What a row, a selection or a history stands for. */
enum tui_key_kind {
	TUI_KEY_NONE = 0,
	TUI_KEY_HOP,		/* a whole hop (merged over its branches) */
	TUI_KEY_BRANCH,		/* one responder at one TTL (unset address: unknown branch) */
	TUI_KEY_FLOW,		/* one flow */
	TUI_KEY_VIA,		/* the flows of a branch that came through one earlier branch */
	TUI_KEY_LABEL,		/* -e: one MPLS label under a branch (flow = its index in the stack) */
};

struct tui_key {
	enum tui_key_kind kind;
	int ttl;		/* hop and branch keys */
	struct ip_addr addr;	/* branch and via keys; unset for the unknown branch */
	struct ip_addr via;	/* via keys: the earlier branch's address */
	int flow;		/* flow keys: the flow id */
};

/* One tick's worth of news about a key. */
struct tui_bucket {
	int64_t rtt_us;		/* mean RTT of the answers in this tick; -1 if none */
	uint32_t received;	/* answers that arrived in this tick */
	uint32_t lost;		/* probes declared lost in this tick */
};

struct tui_hist_entry {
	struct tui_key key;
	bool used;
	/* What the previous snapshot said, to compute what is new. */
	uint64_t seen_received, seen_lost;
	uint64_t seen_n;	/* rtt.n at the previous snapshot */
	double seen_sum_us;	/* rtt.mean * rtt.n at the previous snapshot */
	struct tui_bucket ring[TUI_HIST_LEN];
	int head;		/* next slot to write */
	int count;		/* buckets held, <= TUI_HIST_LEN */
};

/* Open-addressing hash table of entries; never shrinks until cleared. */
struct tui_hist {
	struct tui_hist_entry *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t used;
};

bool tui_key_equal(const struct tui_key *a, const struct tui_key *b);

void tui_hist_init(struct tui_hist *h);
/* Forgets every history (after a statistics reset). */
void tui_hist_clear(struct tui_hist *h);
void tui_hist_free(struct tui_hist *h);
/*
 * Feeds the key's current totals; appends a bucket when answers or losses
 * were added since the last call.  Totals that went down (the engine's
 * statistics were reset) restart the baseline without a bucket.  Returns
 * false only when out of memory.
 */
bool tui_hist_update(struct tui_hist *h, const struct tui_key *k,
		     uint64_t received, uint64_t lost, const struct rtt_stats *rtt);
const struct tui_hist_entry *tui_hist_find(const struct tui_hist *h, const struct tui_key *k);
/* Copies up to max of the entry's newest buckets into out, oldest first; returns how many. */
size_t tui_hist_series(const struct tui_hist_entry *e, struct tui_bucket *out, size_t max);

#endif
