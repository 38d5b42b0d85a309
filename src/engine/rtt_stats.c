/*
 * RTT accumulators (see rtt_stats.h).  Welford's update keeps the variance
 * numerically stable over long runs; Chan's merge lets per-flow cells add up
 * to branches and hops exactly.
 */
#include <math.h>

#include "engine/rtt_stats.h"

void rtt_init(struct rtt_stats *s)
{
	*s = (struct rtt_stats){0};
}

void rtt_add(struct rtt_stats *s, int64_t sample_us, uint64_t at_us)
{
	double delta;

	if (s->n == 0 || sample_us < s->min)
		s->min = sample_us;
	if (s->n == 0 || sample_us > s->max)
		s->max = sample_us;
	s->n++;
	delta = (double)sample_us - s->mean;
	s->mean += delta / (double)s->n;
	s->m2 += delta * ((double)sample_us - s->mean);
	if (s->n == 1 || at_us >= s->last_at) {
		s->last = sample_us;
		s->last_at = at_us;
	}
}

void rtt_merge(struct rtt_stats *dst, const struct rtt_stats *src)
{
	double n, delta;

	if (src->n == 0)
		return;
	if (dst->n == 0) {
		*dst = *src;
		return;
	}
	n = (double)(dst->n + src->n);
	delta = src->mean - dst->mean;
	dst->m2 += src->m2 + delta * delta * (double)dst->n * (double)src->n / n;
	dst->mean += delta * (double)src->n / n;
	dst->n += src->n;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	if (src->last_at >= dst->last_at) {
		dst->last = src->last;
		dst->last_at = src->last_at;
	}
}

double rtt_stddev(const struct rtt_stats *s)
{
	if (s->n < 2)
		return 0.0;
	/* Population deviation, as mtr shows it. */
	return sqrt(s->m2 / (double)s->n);
}

double loss_pct(uint64_t received, uint64_t lost)
{
	uint64_t total = received + lost;

	if (total == 0)
		return 0.0;
	return 100.0 * (double)lost / (double)total;
}
