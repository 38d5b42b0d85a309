/*
 * Unit tests of the slow-branch diagnosis (src/engine/diag_slow.c) and the
 * rank test under it (src/engine/rank_test.c), on snapshots built by hand
 * (diag_scen.h: 16 flows, branch A = flows 0-7, B = flows 8-15) with RTT
 * samples drawn from a seeded generator (the seed is printed): equal
 * distributions with outliers give nothing, a 5 ms shift is found with an
 * interval that holds 5 ms, a small or relatively small shift, too few
 * samples or flows, and a router slow only to answer give nothing; nor
 * does a branch only half of whose flows are slow (the delay lies behind
 * a later split): its interval reaches down to no shift at all.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "diag_scen.h"
#include "engine/rank_test.h"
#include "numparse.h"

#define diag(...) (printf("# " __VA_ARGS__), printf("\n"))

static uint64_t rng_state;

static double uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/*
 * An RTT in us: base plus a skewed queueing delay (exponential, mean
 * spread), and now and then (1 in 25) an outlier of 5 to 80 ms.
 */
static int32_t draw(double base, double spread)
{
	double v = base - spread * log(1.0 - uniform());

	if (uniform() < 0.04)
		v += 5000.0 + 75000.0 * uniform();
	return (int32_t)v;
}

static int32_t *fill(int n, double base, double spread)
{
	int32_t *v = malloc((size_t)n * sizeof(*v));

	for (int i = 0; v && i < n; i++)
		v[i] = draw(base, spread);
	return v;
}

/*
 * The ecmp(3) scenario (target at TTL 3) with per-flow end-to-end samples:
 * flows of branch A get base_a, of B base_b; the branches' own samples at
 * TTL 2 get own_a / own_b.
 */
static struct results *slow_scen(int per_flow, double base_a, double base_b, double own_a,
				 double own_b)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	r = build(&s);
	for (int i = 0; i < r->nflows; i++) {
		r->flows[i].nsamples = per_flow;
		r->flows[i].samples = fill(per_flow, i < 8 ? base_a : base_b, 150.0);
	}
	for (int b = 0; b < r->hops[1].nbranches; b++) {
		struct branch_result *br = &r->hops[1].branches[b];
		bool a = addr_is(&br->addr, BR_A);

		br->nsamples = 8 * per_flow;
		br->samples = fill(br->nsamples, a ? own_a : own_b, 150.0);
	}
	return results_with_findings(r);
}

static void test_rank_basics(void)
{
	const int32_t lo[] = {1, 2, 3}, hi[] = {4, 5, 6}, tie[] = {5, 5, 5, 5};
	struct rank_shift rs;

	ok(rank_shift(hi, 3, lo, 3, 1.96, &rs) && rs.shift == 3.0 && rs.median_a == 5.0 &&
		   rs.median_b == 2.0,
	   "Hodges-Lehmann shift of {4,5,6} - {1,2,3} is the median pairwise difference, 3");
	bool done = rank_shift(lo, 3, hi, 3, 1.96, &rs);

	ok(done && rs.p_greater > 0.9 && rs.shift == -3.0,
	   "a group below the other is not 'greater' (p %.3f, shift %.0f)", rs.p_greater, rs.shift);
	ok(rank_shift(tie, 4, tie, 4, 1.96, &rs) && rs.p_greater == 1.0 && rs.shift == 0.0,
	   "all samples tied: no evidence, no shift");
	ok(!rank_shift(lo, 0, hi, 3, 1.96, &rs), "an empty group is refused");
}

static void test_equal_with_outliers(void)
{
	int found = 0, runs = 200;

	for (int k = 0; k < runs; k++) {
		struct results *r = slow_scen(20, 300.0 + 20 * (k % 7), 300.0 + 20 * (k % 7),
					      200.0, 200.0);

		found += count_kind(r, FINDING_SLOW_BRANCH);
		results_free(r);
	}
	ok(found == 0, "equal RTT distributions with 4%% outliers of 5-80 ms: no slow-branch in "
	   "%d snapshots (%d found)", runs, found);
}

static void test_shift_found(void)
{
	struct results *r = slow_scen(20, 5300.0, 300.0, 200.0, 200.0);
	const struct finding *f = first_kind(r, FINDING_SLOW_BRANCH);

	ok(count_kind(r, FINDING_SLOW_BRANCH) == 1 && f != NULL && f->ttl == 2 &&
		   addr_is(&f->addr, BR_A),
	   "a 5 ms shift on branch A: one slow-branch finding, naming A at hop 2");
	ok(f != NULL && f->shift_lo_us <= 5000.0 && f->shift_hi_us >= 5000.0 &&
		   f->shift_lo_us <= f->shift_us && f->shift_us <= f->shift_hi_us,
	   "its 95%% interval %.0f-%.0f us holds 5000 us and its estimate %.0f us",
	   f ? f->shift_lo_us : 0, f ? f->shift_hi_us : 0, f ? f->shift_us : 0);
	ok(f != NULL && flows_are_range(f, 0, 7), "it names flows 0-7 and their source ports");
	ok(f != NULL && strstr(f->summary, "not slower") != NULL,
	   "the router's own answers are not slower: the delay is after it (%s)",
	   f ? f->summary : "");
	if (f)
		diag("%s", f->summary);
	results_free(r);

	r = slow_scen(20, 5300.0, 300.0, 5200.0, 200.0);
	f = first_kind(r, FINDING_SLOW_BRANCH);
	ok(f != NULL && strstr(f->summary, "slower too") != NULL,
	   "its own answers slower as well: the delay is on the way into it");
	results_free(r);
}

/*
 * Round trips known to the microsecond: 160 samples a side only 0-2 us
 * apart make a rank interval 1 us wide, narrower than the clock; the
 * interval the finding gives is widened by that resolution each way.
 */
static void test_interval_not_finer_than_clock(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	r = build(&s);
	for (int i = 0; i < r->nflows; i++) {
		r->flows[i].nsamples = 20;
		r->flows[i].samples = malloc(20 * sizeof(int32_t));
		for (int j = 0; r->flows[i].samples && j < 20; j++)
			r->flows[i].samples[j] = (i < 8 ? 6001 : 1000) + (i + j) % 3;
	}
	for (int b = 0; b < r->hops[1].nbranches; b++) {
		struct branch_result *br = &r->hops[1].branches[b];

		br->nsamples = 40;
		br->samples = fill(br->nsamples, 200.0, 150.0);
	}
	r = results_with_findings(r);
	f = first_kind(r, FINDING_SLOW_BRANCH);
	ok(f != NULL && f->shift_us == 5001.0 && f->shift_lo_us == 5000.0 &&
		   f->shift_hi_us == 5002.0,
	   "samples 0-2 us apart: shift 5001 us, interval 5000-5002 us (the rank interval "
	   "5001-5001 widened by the 1 us the clock resolves), got %.0f in %.0f-%.0f",
	   f ? f->shift_us : 0, f ? f->shift_lo_us : 0, f ? f->shift_hi_us : 0);
	results_free(r);
}

static void test_nothing_to_say(void)
{
	struct results *r;

	r = slow_scen(20, 800.0, 300.0, 200.0, 200.0);
	ok(count_kind(r, FINDING_SLOW_BRANCH) == 0, "a 0.5 ms shift (significant, under 1 ms): none");
	results_free(r);
	r = slow_scen(20, 21500.0, 20000.0, 200.0, 200.0);
	ok(count_kind(r, FINDING_SLOW_BRANCH) == 0, "1.5 ms over 20 ms (7.5%%, under 20%%): none");
	results_free(r);
	r = slow_scen(1, 5300.0, 300.0, 200.0, 200.0);
	ok(count_kind(r, FINDING_SLOW_BRANCH) == 0, "one sample per flow (8 a group): none");
	results_free(r);
	r = slow_scen(20, 300.0, 300.0, 5200.0, 200.0);
	ok(count_kind(r, FINDING_SLOW_BRANCH) == 0,
	   "a router slow only to answer (its ICMP slow path), end to end alike: none");
	results_free(r);
}

/*
 * Half of branch A's flows 5 ms slower, the others as fast as B's: the
 * delay is on a link behind a later split (one of A's children), not on
 * A.  The shift's estimate may pass 1 ms, but its interval reaches down
 * to no shift at all: A is not named (the child is, at its own hop, where
 * its flows are set against its siblings').  Seen in the scenario lab:
 * "take 2.31 ms longer (95% CI 0.01-2.33 ms)" naming the fast half too.
 */
static bool every_other_of_a(int flow)
{
	return flow < 8 && flow % 2 == 0;
}

/*
 * Six of branch A's eight flows 5 ms slower: the interval of the whole
 * branch is tight and well above 1 ms (most of it is delayed), but two of
 * its flows are surely as fast as B's: the delay is behind a later split
 * (a meshed stage in the scenario lab named such a parent with its fast
 * flows).  A is not named.
 */
static bool six_of_a(int flow)
{
	return flow < 6;
}

/* In how many of `runs` snapshots of ecmp(3) a slow-branch is named, `delayed` flows 5 ms slower. */
static int named_in(int runs, bool (*delayed)(int flow))
{
	int found = 0;

	for (int k = 0; k < runs; k++) {
		struct scen s;
		struct results *r;

		scen_init(&s, 16, 30);
		ecmp(&s, 3);
		r = build(&s);
		for (int i = 0; i < r->nflows; i++) {
			r->flows[i].nsamples = 20;
			r->flows[i].samples = fill(20, delayed(i) ? 5300.0 : 300.0, 150.0);
		}
		r = results_with_findings(r);
		found += count_kind(r, FINDING_SLOW_BRANCH);
		results_free(r);
	}
	return found;
}

static void test_partly_slow(void)
{
	int half = named_in(20, every_other_of_a), six = named_in(20, six_of_a);

	ok(half == 0, "half of a branch's flows 5 ms slower: not named (%d of 20 snapshots)", half);
	ok(six == 0, "six of a branch's eight flows 5 ms slower: not named (%d of 20 snapshots)",
	   six);
}

/* Branch A holds a single flow: one flow alone may have a return path of its own. */
static void test_one_flow(void)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 30);
	for (int i = 0; i < 16; i++) {
		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, i == 0 ? BR_A : BR_B, 0);
		reach(&s, i, 3, 0);
	}
	r = build(&s);
	for (int i = 0; i < r->nflows; i++) {
		r->flows[i].nsamples = 30;
		r->flows[i].samples = fill(30, i == 0 ? 5300.0 : 300.0, 150.0);
	}
	r = results_with_findings(r);
	ok(count_kind(r, FINDING_SLOW_BRANCH) == 0, "a branch of one flow, 5 ms slower: none");
	results_free(r);
}

int main(void)
{
	const char *env = getenv("SLOW_SEED");
	long long seed = 20261203;

	if (env != NULL && !parse_int(env, 1, INT64_MAX, &seed, NULL, 0))
		seed = 20261203;
	rng_state = (uint64_t)seed;
	diag("seed %llu (SLOW_SEED to replay)", (unsigned long long)seed);
	test_rank_basics();
	test_equal_with_outliers();
	test_shift_found();
	test_interval_not_finer_than_clock();
	test_nothing_to_say();
	test_one_flow();
	test_partly_slow();
	return tap_done();
}
