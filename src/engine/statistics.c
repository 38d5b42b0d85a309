/*
 * Exact small-sample statistics for the diagnosis (statistics.h): Wilson
 * score intervals, the one-sided Fisher exact test and a binomial tail.
 * Tails are summed from one lgamma()-computed term with the ratio of
 * consecutive terms, walking away from the mode, so a test costs a few
 * dozen multiplications however large the counts are.
 */
#include <math.h>

#include "engine/statistics.h"

/* Terms smaller than this fraction of the running sum no longer matter. */
#define STAT_TAIL_EPS 1e-17

void stat_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	double nn, p, z2, denom, centre, half;

	if (n == 0 || k > n) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	nn = (double)n;
	p = (double)k / nn;
	z2 = z * z;
	denom = 1.0 + z2 / nn;
	centre = (p + z2 / (2.0 * nn)) / denom;
	half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
}

/* log of the binomial coefficient C(n, k). */
static double log_choose(double n, double k)
{
	return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

double stat_fisher_greater(uint64_t lost1, uint64_t recv1, uint64_t lost2, uint64_t recv2)
{
	/* X = losses in group 1, hypergeometric with the margins below. */
	double r1 = (double)lost1 + (double)recv1;
	double r2 = (double)lost2 + (double)recv2;
	double c1 = (double)lost1 + (double)lost2;
	double n = r1 + r2, a = (double)lost1;
	double xmin = fmax(0.0, c1 - r2), xmax = fmin(r1, c1);
	double x, term, sum, logc;

	if (r1 == 0.0 || r2 == 0.0 || c1 == 0.0 || a <= xmin)
		return 1.0;
	logc = log_choose(n, c1);
	if (a > r1 * c1 / n) {
		/* Upper tail, summed upwards from a. */
		term = exp(log_choose(r1, a) + log_choose(r2, c1 - a) - logc);
		sum = term;
		if (sum == 0.0)
			return 0.0;	/* underflow: below 1e-308 */
		for (x = a; x < xmax; x++) {
			term *= (r1 - x) * (c1 - x) / ((x + 1.0) * (r2 - c1 + x + 1.0));
			sum += term;
			if (term < sum * STAT_TAIL_EPS)
				break;
		}
		return fmin(1.0, sum);
	}
	/* a is at or below the mean: 1 - P(X < a), summed downwards. */
	x = a - 1.0;
	term = exp(log_choose(r1, x) + log_choose(r2, c1 - x) - logc);
	sum = term;
	for (; x > xmin; x--) {
		term *= x * (r2 - c1 + x) / ((r1 - x + 1.0) * (c1 - x + 1.0));
		sum += term;
		if (term < sum * STAT_TAIL_EPS)
			break;
	}
	return fmin(1.0, fmax(0.0, 1.0 - sum));
}

double stat_binom_greater(uint64_t k, uint64_t n, double p)
{
	double nn = (double)n, kk = (double)k, x, term, sum, odds;

	if (k == 0)
		return 1.0;
	if (k > n || p <= 0.0)
		return 0.0;
	if (p >= 1.0)
		return 1.0;
	odds = p / (1.0 - p);
	if (kk > nn * p) {
		term = exp(log_choose(nn, kk) + kk * log(p) + (nn - kk) * log1p(-p));
		sum = term;
		if (sum == 0.0)
			return 0.0;
		for (x = kk; x < nn; x++) {
			term *= (nn - x) / (x + 1.0) * odds;
			sum += term;
			if (term < sum * STAT_TAIL_EPS)
				break;
		}
		return fmin(1.0, sum);
	}
	x = kk - 1.0;
	term = exp(log_choose(nn, x) + x * log(p) + (nn - x) * log1p(-p));
	sum = term;
	for (; x > 0.0; x--) {
		term *= x / (nn - x + 1.0) / odds;
		sum += term;
		if (term < sum * STAT_TAIL_EPS)
			break;
	}
	return fmin(1.0, fmax(0.0, 1.0 - sum));
}
