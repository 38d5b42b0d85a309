/*
 * Unit tests of src/engine/statistics.c against reference values computed
 * exactly (Python fractions and math.comb): Wilson intervals, one-sided
 * Fisher exact tests on both sides of the mean, binomial tails.
 */
#include <math.h>

#include "engine/statistics.h"
#include "../tap.h"

/* Relative closeness, for p-values that span many orders of magnitude. */
static int close_rel(double got, double want, double rel)
{
	if (want == 0.0)
		return fabs(got) < 1e-300;
	return fabs(got - want) <= rel * fabs(want);
}

static void check_wilson(uint64_t k, uint64_t n, double lo_want, double hi_want)
{
	double lo, hi;

	stat_wilson(k, n, STAT_Z95, &lo, &hi);
	ok(fabs(lo - lo_want) < 1e-6 && fabs(hi - hi_want) < 1e-6,
	   "wilson %llu/%llu = [%.6f, %.6f] (want [%.6f, %.6f])", (unsigned long long)k,
	   (unsigned long long)n, lo, hi, lo_want, hi_want);
}

static void check_fisher(uint64_t a, uint64_t b, uint64_t c, uint64_t d, double want)
{
	double p = stat_fisher_greater(a, b, c, d);

	ok(close_rel(p, want, 1e-6),
	   "fisher [%llu lost %llu recv | %llu lost %llu recv] p = %.10g (want %.10g)",
	   (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
	   (unsigned long long)d, p, want);
}

static void check_binom(uint64_t k, uint64_t n, double prob, double want)
{
	double p = stat_binom_greater(k, n, prob);

	ok(close_rel(p, want, 1e-6), "binomial P(X >= %llu | n=%llu, p=%g) = %.10g (want %.10g)",
	   (unsigned long long)k, (unsigned long long)n, prob, p, want);
}

int main(void)
{
	double lo, hi;

	check_wilson(3, 10, 0.1077912674, 0.6032218525);
	check_wilson(0, 10, 0.0, 0.2775327999);
	check_wilson(10, 10, 0.7224672001, 1.0);
	check_wilson(31, 100, 0.2277969721, 0.4062605572);
	stat_wilson(0, 0, STAT_Z95, &lo, &hi);
	ok(lo == 0.0 && hi == 1.0, "wilson with no samples is [0, 1]");
	stat_wilson(5, 3, STAT_Z95, &lo, &hi);
	ok(lo == 0.0 && hi == 1.0, "wilson with k > n is [0, 1], not nonsense");

	check_fisher(8, 2, 1, 5, 0.024475524475524476);
	check_fisher(3, 1, 1, 3, 0.24285714285714285);
	check_fisher(1, 9, 11, 3, 0.9999663480953022);	/* below the mean */
	check_fisher(2, 8, 5, 5, 0.9713622291021672);	/* below the mean */
	check_fisher(62, 138, 5, 195, 5.722445943450106e-16);
	check_fisher(9, 21, 0, 240, 7.790504567213297e-10);
	check_fisher(500, 9500, 400, 9600, 0.00036264860868790566);
	ok(stat_fisher_greater(0, 0, 5, 5) == 1.0, "fisher with an empty group is 1");
	ok(stat_fisher_greater(0, 10, 0, 10) == 1.0, "fisher with no loss at all is 1");
	ok(stat_fisher_greater(0, 10, 5, 5) == 1.0, "fisher: no loss in group 1 is never significant");
	ok(stat_fisher_greater(3000000, 7000000, 0, 10000000) < 1e-300,
	   "fisher on ten million probes per group is fast and underflows to 0");

	check_binom(3, 10, 0.1, 0.0701908264);
	check_binom(6, 480, 0.01, 0.34881595845463204);
	check_binom(2, 20, 0.05, 0.26416047505615015);
	check_binom(3, 100, 0.05, 0.8817370188148791);	/* below the mean */
	check_binom(40, 1000, 0.01, 4.688553566249803e-13);
	ok(stat_binom_greater(0, 5, 0.3) == 1.0, "binomial P(X >= 0) = 1");
	ok(stat_binom_greater(6, 5, 0.3) == 0.0, "binomial P(X > n) = 0");
	ok(stat_binom_greater(1, 5, 0.0) == 0.0, "binomial with p = 0");
	return tap_done();
}
