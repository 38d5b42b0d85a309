/*
 * The latest RTT samples of a cell and its jitter figures (rtt_recent.h).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/rtt_recent.h"

void recent_add(struct rtt_recent *r, int64_t sample_us, uint64_t at_us)
{
	struct jitter_stats *j = &r->jitter;

	if (sample_us < 0)
		sample_us = 0;
	if (sample_us > INT32_MAX)
		sample_us = INT32_MAX;
	if (r->count > 0) {
		int64_t d = sample_us > r->prev ? sample_us - r->prev : r->prev - sample_us;

		j->n++;
		j->mean += ((double)d - j->mean) / (double)j->n;
		j->last = d;
		j->last_at = at_us;
		if (d > j->worst)
			j->worst = d;
		j->inter += ((double)d - j->inter) / 16.0;
	}
	r->v[r->count % RTT_RECENT_KEEP] = (int32_t)sample_us;
	r->count++;
	r->prev = sample_us;
}

bool recent_append(const struct rtt_recent *r, int32_t **v, int *n)
{
	int kept = r->count < RTT_RECENT_KEEP ? (int)r->count : RTT_RECENT_KEEP;
	int32_t *grown;

	if (kept == 0)
		return true;
	grown = realloc(*v, (size_t)(*n + kept) * sizeof(**v));
	if (grown == NULL)
		return false;
	memcpy(grown + *n, r->v, (size_t)kept * sizeof(*grown));
	*v = grown;
	*n += kept;
	return true;
}

void jitter_merge(struct jitter_stats *dst, const struct jitter_stats *src)
{
	double n;

	if (src->n == 0)
		return;
	if (dst->n == 0) {
		*dst = *src;
		return;
	}
	n = (double)(dst->n + src->n);
	dst->mean = (dst->mean * (double)dst->n + src->mean * (double)src->n) / n;
	dst->inter = (dst->inter * (double)dst->n + src->inter * (double)src->n) / n;
	dst->n += src->n;
	if (src->worst > dst->worst)
		dst->worst = src->worst;
	if (src->last_at >= dst->last_at) {
		dst->last = src->last;
		dst->last_at = src->last_at;
	}
}
