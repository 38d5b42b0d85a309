/*
 * Mann-Whitney U and the Hodges-Lehmann shift with its interval
 * (rank_test.h).  The pairwise differences are sorted outright: groups
 * are capped at RANK_MAX_GROUP, so at most 160,000 of them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rank_test.h"

static int cmp_i32(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;

	return (a > b) - (a < b);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* A sorted copy of v, thinned to at most RANK_MAX_GROUP samples spread evenly over it. */
static int32_t *sorted_group(const int32_t *v, int n, int *used)
{
	int keep = n > RANK_MAX_GROUP ? RANK_MAX_GROUP : n;
	int32_t *s = malloc((size_t)keep * sizeof(*s));

	if (s == NULL)
		return NULL;
	for (int i = 0; i < keep; i++)
		s[i] = v[(int)((int64_t)i * n / keep)];
	qsort(s, (size_t)keep, sizeof(*s), cmp_i32);
	*used = keep;
	return s;
}

static double median_sorted(const int32_t *s, int n)
{
	return n % 2 ? s[n / 2] : ((double)s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/*
 * U of a against b (pairs where a is larger, ties a half) and the sum of
 * t^3 - t over tied groups of the pooled samples, by merging the two
 * sorted groups.
 */
static void u_statistic(const int32_t *a, int na, const int32_t *b, int nb, double *u,
			double *ties)
{
	int i = 0, j = 0;

	*u = 0.0;
	*ties = 0.0;
	while (i < na || j < nb) {
		int32_t x = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
		int ca = 0, cb = 0;

		while (i < na && a[i] == x)
			ca++, i++;
		while (j < nb && b[j] == x)
			cb++, j++;
		/* Each a equal to x beats the j - cb b's below it, and ties cb. */
		*u += (double)ca * ((double)(j - cb) + 0.5 * cb);
		*ties += pow((double)(ca + cb), 3) - (double)(ca + cb);
	}
}

bool rank_shift(const int32_t *a, int na, const int32_t *b, int nb, double z,
		struct rank_shift *out)
{
	int32_t *sa = NULL, *sb = NULL;
	double *d = NULL, u, ties, nn, mean, var, sd;
	long npairs, k;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (na <= 0 || nb <= 0)
		return false;
	sa = sorted_group(a, na, &out->na);
	sb = sorted_group(b, nb, &out->nb);
	npairs = (long)out->na * out->nb;
	d = sa && sb ? malloc((size_t)npairs * sizeof(*d)) : NULL;
	if (d == NULL)
		goto out;
	out->median_a = median_sorted(sa, out->na);
	out->median_b = median_sorted(sb, out->nb);
	u_statistic(sa, out->na, sb, out->nb, &u, &ties);
	nn = (double)(out->na + out->nb);
	mean = (double)npairs / 2.0;
	var = (double)npairs / 12.0 * ((nn + 1.0) - ties / (nn * (nn - 1.0)));
	sd = var > 0 ? sqrt(var) : 0.0;
	/* Continuity correction; all samples tied: no evidence at all. */
	out->p_greater = sd > 0 ? 0.5 * erfc((u - mean - 0.5) / sd / M_SQRT2) : 1.0;
	if (out->p_greater > 1.0)
		out->p_greater = 1.0;
	for (int i = 0; i < out->na; i++)
		for (int j = 0; j < out->nb; j++)
			d[(long)i * out->nb + j] = (double)sa[i] - (double)sb[j];
	qsort(d, (size_t)npairs, sizeof(*d), cmp_double);
	out->shift = npairs % 2 ? d[npairs / 2] : (d[npairs / 2 - 1] + d[npairs / 2]) / 2.0;
	/* The k-th smallest and k-th largest difference bound the interval (k from 1). */
	k = (long)floor(mean - z * sqrt((double)npairs * (nn + 1.0) / 12.0));
	if (k < 1)
		k = 1;
	out->lo = d[k - 1];
	out->hi = d[npairs - k];
	ok = true;
out:
	free(sa);
	free(sb);
	free(d);
	return ok;
}
