/*
 * Round-trip-time accumulators: Welford's running mean and variance, with a
 * merge (Chan et al.) so per-flow figures add up to per-branch and per-hop
 * figures without keeping samples.  Times are microseconds.  Also the loss
 * percentage every layer shows.  (statistics.h is something else: the
 * exact tests the diagnosis draws its conclusions with.)
 */
#ifndef ECMPTRACE_ENGINE_RTT_STATS_H
#define ECMPTRACE_ENGINE_RTT_STATS_H

#include <stdint.h>

struct rtt_stats {
	uint64_t n;		/* samples */
	double mean;		/* running mean, us */
	double m2;		/* sum of squared deviations from the mean */
	int64_t min, max;	/* us; meaningful when n > 0 */
	int64_t last;		/* most recent sample, us */
	uint64_t last_at;	/* when the most recent sample arrived (engine clock) */
};

void rtt_init(struct rtt_stats *s);
void rtt_add(struct rtt_stats *s, int64_t sample_us, uint64_t at_us);
/* Folds src into dst as if every sample of src had been added to dst. */
void rtt_merge(struct rtt_stats *dst, const struct rtt_stats *src);
double rtt_stddev(const struct rtt_stats *s);

/* Loss in percent of resolved probes; 0 when nothing resolved. */
double loss_pct(uint64_t received, uint64_t lost);

#endif
