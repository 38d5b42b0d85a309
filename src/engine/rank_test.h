/*
 * A rank test for latency: RTTs are skewed and carry outliers (a router's
 * slow path, a queue burst), so means and t-tests mislead.  The
 * Mann-Whitney U test (Mann & Whitney 1947) says whether one group's
 * round trips tend to be longer than another's; the Hodges-Lehmann
 * estimate (1963) of the shift between them is the median of all pairwise
 * differences, and its confidence interval the order statistics of those
 * differences that the U distribution gives (Moses, in Hollander & Wolfe,
 * "Nonparametric Statistical Methods", section 4.3).  Normal
 * approximation with the tie correction; meant for groups of 10 or more.
 * Pure functions, no state.
 */
#ifndef ECMPTRACE_ENGINE_RANK_TEST_H
#define ECMPTRACE_ENGINE_RANK_TEST_H

#include <stdbool.h>
#include <stdint.h>

/* Most samples of a group the test uses: larger groups are thinned evenly (pairs: n x m). */
#define RANK_MAX_GROUP 400

struct rank_shift {
	double p_greater;	/* one-sided: P(U >= observed) when a and b are alike */
	double shift;		/* Hodges-Lehmann estimate of a - b, us */
	double lo, hi;		/* its two-sided interval at the z given, us */
	double median_a, median_b;	/* us */
	int na, nb;		/* samples used */
};

/*
 * Compares samples a (na) with b (nb): is a longer than b, by how much?
 * z sets the interval (STAT_Z95: 95%).  False when a group is empty or
 * out of memory.
 */
bool rank_shift(const int32_t *a, int na, const int32_t *b, int nb, double z,
		struct rank_shift *out);

#endif
