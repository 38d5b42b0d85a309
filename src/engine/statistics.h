/*
 * Small exact tests for loss counts, used by the diagnosis: the Wilson
 * score interval of a proportion (Wilson, JASA 1927), the one-sided
 * Fisher exact test of a 2x2 table, and the upper tail of a binomial.
 * Log-factorials come from lgamma(), so counts of millions stay exact
 * enough and cheap.  Pure functions, no state.
 */
#ifndef ECMPTRACE_ENGINE_STATISTICS_H
#define ECMPTRACE_ENGINE_STATISTICS_H

#include <stdint.h>

/* z for a two-sided 95% interval. */
#define STAT_Z95 1.959963984540054

/*
 * Wilson score interval of k successes in n trials, as fractions in
 * [0, 1].  With n == 0 nothing is known: [0, 1].
 */
void stat_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/*
 * One-sided Fisher exact test: the probability, with all margins fixed,
 * that group 1 shows at least lost1 losses.  Small values mean group 1
 * (lost1 of lost1 + recv1) loses more than group 2 (lost2 of lost2 + recv2).
 * Returns 1 when either group is empty.
 */
double stat_fisher_greater(uint64_t lost1, uint64_t recv1, uint64_t lost2, uint64_t recv2);

/* P(X >= k) for X ~ Binomial(n, p). */
double stat_binom_greater(uint64_t k, uint64_t n, double p);

#endif
