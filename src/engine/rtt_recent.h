/*
 * The latest round-trip samples of one (flow, TTL) cell, and mtr's jitter
 * figures (its J* columns).  rtt_stats.h keeps moments only; comparing
 * the latency of branches with a rank test (diag_slow.c) needs samples,
 * and a bounded ring of the latest ones keeps memory fixed on endless
 * runs while following what the network does now.  Times are microseconds.
 */
#ifndef ECMPTRACE_ENGINE_RTT_RECENT_H
#define ECMPTRACE_ENGINE_RTT_RECENT_H

#include <stdbool.h>
#include <stdint.h>

/* Samples one cell keeps. */
#define RTT_RECENT_KEEP 32

/*
 * Jitter: the difference between consecutive round trips of one flow at
 * one TTL (never between two flows, whose paths may differ), as mtr
 * computes it per host.
 */
struct jitter_stats {
	uint64_t n;		/* jitter values (samples after each cell's first) */
	double mean;		/* mtr's Javg: mean |difference| */
	int64_t last;		/* mtr's Jttr: the latest |difference| */
	uint64_t last_at;	/* when it came (engine clock) */
	int64_t worst;		/* mtr's Jmax */
	/*
	 * mtr's Jint, interarrival jitter as RTP smooths it (RFC 3550,
	 * section 6.4.1: J += (|D| - J) / 16); merged cells: weighted mean.
	 */
	double inter;
};

struct rtt_recent {
	int32_t v[RTT_RECENT_KEEP];	/* ring of the latest samples */
	uint32_t count;			/* samples ever added (the ring holds min(count, KEEP)) */
	int64_t prev;			/* the latest sample */
	struct jitter_stats jitter;
};

void recent_add(struct rtt_recent *r, int64_t sample_us, uint64_t at_us);
/* Appends r's kept samples to the growable array *v of *n; false when out of memory. */
bool recent_append(const struct rtt_recent *r, int32_t **v, int *n);
/* Folds src into dst: the mean and interarrival figure weighted by n, the worst, the latest. */
void jitter_merge(struct jitter_stats *dst, const struct jitter_stats *src);

#endif
