/*
 * The evidence the diagnosis (diagnose.c) works from: end-to-end and
 * per-hop tallies of groups of flows, the responders they saw, the range
 * of hops where forward loss can lie (after the last hop the flows got through
 * cleanly, up to where the loss surely shows), and splitting flows into
 * lossy and clean ones, calibrated by a seeded parametric bootstrap.
 * Findings and their sentences are built in diag_say.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose_int.h"
#include "engine/statistics.h"

/*
 * UDP probes the target answers with ICMP port unreachables, which it may
 * rate-limit like any router: its silences prove loss only once it has
 * answered beyond a default limit (results.target_unlimited).
 */
bool udp_target_limited(const struct results *r)
{
	return r->config.proto == PROBE_UDP && !r->target_unlimited;
}


/*
 * One-sided test that group a loses more than group b: the Fisher p-value,
 * or 1 when either group is too small or the difference too small to matter.
 * Group a must also lose more than the background noise of any network, so
 * three probes lost here and there never make a group "lossy".
 */
double test_lossier(struct tally a, struct tally b)
{
	double p, q;

	if (tally_n(a) < MIN_SAMPLES || tally_n(b) < MIN_SAMPLES)
		return 1.0;
	if (tally_rate(a) - tally_rate(b) < MIN_EFFECT)
		return 1.0;
	p = stat_fisher_greater(a.lost, a.recv, b.lost, b.recv);
	q = stat_binom_greater(a.lost, tally_n(a), BACKGROUND_LOSS);
	return p > q ? p : q;
}

/* Are branches a and b of hop index k siblings: the first hop, or a parent in common? */
bool branches_share_parent(const struct branch_result *a, const struct branch_result *b, int k)
{
	if (k == 0 || (a->nparents == 0 && b->nparents == 0))
		return true;
	if (a->parents == NULL || b->parents == NULL)
		return false;
	for (int i = 0; i < a->nparents; i++)
		for (int j = 0; j < b->nparents; j++)
			if (a->parents[i] == b->parents[j])
				return true;
	return false;
}

/* Whether flow i has figures at hop index k at all. */
bool flow_has_hop(const struct flow_result *f, int k)
{
	return k >= 0 && k < f->path_len && f->path && f->hop_received && f->hop_lost &&
	       f->responders_seen;
}

struct tally pool_e2e(const struct diag *d, const unsigned char *mask)
{
	struct tally t = {0, 0};

	for (int i = 0; i < d->nflows; i++)
		if (mask[i]) {
			t.recv += d->r->flows[i].received;
			t.lost += d->r->flows[i].lost;
		}
	return t;
}

/* The flows' answers at hop index k, where k is before their destination. */
struct tally pool_hop(const struct diag *d, const unsigned char *mask, int k)
{
	struct tally t = {0, 0};

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (mask[i] && k < d->end[i] && flow_has_hop(f, k)) {
			t.recv += f->hop_received[k];
			t.lost += f->hop_lost[k];
		}
	}
	return t;
}

/*
 * pool_hop with every probe still out counted as lost: the figure a hop
 * must pass to be called clean.  An answer counts the moment it comes, a
 * loss only at its deadline, so a hop probed in a burst a moment ago shows
 * its answers and none of its losses (seed 142: a hop behind a 59% link
 * looked clean for 0.3 s, and the loss was placed past it).
 */
struct tally pool_hop_settled(const struct diag *d, const unsigned char *mask, int k)
{
	struct tally t = pool_hop(d, mask, k);

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (mask[i] && k < d->end[i] && flow_has_hop(f, k) && f->hop_pending)
			t.lost += f->hop_pending[k];
	}
	return t;
}

/*
 * Whether a hop's figures say anything: enough probes, and at least one
 * answer (a router that never answers these flows is silent by policy; its
 * 100% "loss" is no evidence).
 */
bool informative(struct tally t)
{
	return tally_n(t) >= MIN_SAMPLES && t.recv > 0;
}

/* A figure any network could show: loss within background noise. */
bool clean_figure(struct tally t)
{
	return tally_rate(t) < MIN_EFFECT ||
	       stat_binom_greater(t.lost, tally_n(t), BACKGROUND_LOSS) >= ALPHA;
}

int mask_count(const struct diag *d, const unsigned char *mask)
{
	int n = 0;

	for (int i = 0; i < d->nflows; i++)
		n += mask[i] != 0;
	return n;
}

/* Hop index just past the last intermediate hop of the masked flows. */
int mask_end(const struct diag *d, const unsigned char *mask)
{
	int e = 0;

	for (int i = 0; i < d->nflows; i++)
		if (mask[i] && d->end[i] > e)
			e = d->end[i];
	return e;
}

/* Marks the valid flows of a branch in mask (cleared first). */
void branch_mask(const struct diag *d, const struct branch_result *b, unsigned char *mask)
{
	memset(mask, 0, (size_t)d->nflows);
	if (b->flows == NULL)
		return;
	for (int j = 0; j < b->nflows; j++) {
		int i = flow_index(d->r, b->flows[j]);

		if (i >= 0)
			mask[i] = 1;
	}
}

/* The responder most of the masked flows saw at hop index k (unset if none). */
struct ip_addr majority_addr(const struct diag *d, const unsigned char *mask, int k)
{
	struct ip_addr best = {0};
	int best_n = 0;

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];
		int n = 0;

		/* Only hops before the flow's own destination: a longer path's hop k may be its target. */
		if (!mask[i] || k >= d->end[i] || !flow_has_hop(f, k) || !addr_is_set(&f->path[k]))
			continue;
		for (int j = i; j < d->nflows; j++)
			if (mask[j] && k < d->end[j] && flow_has_hop(&d->r->flows[j], k) &&
			    addr_equal(&d->r->flows[j].path[k], &f->path[k]))
				n++;
		if (n > best_n) {
			best_n = n;
			best = f->path[k];
		}
	}
	return best;
}

/* The last responder before hop index k on the masked flows' path (unset if none). */
struct ip_addr prev_responder(const struct diag *d, const unsigned char *mask, int k)
{
	for (int j = k - 1; j >= 0; j--) {
		struct ip_addr a = majority_addr(d, mask, j);

		if (addr_is_set(&a))
			return a;
	}
	return (struct ip_addr){0};
}

int ttl_of(const struct diag *d, int k)
{
	return (int)d->r->config.first_ttl + k;
}

/* ---- Causes and where they can lie ---- */

/*
 * The first hop index where the flows of g meet per-packet balancing (the
 * discovery pass saw it, or one of them met several routers there), or
 * end when they do not.  From there on a flow's probes to one TTL take
 * several branches: a hop's figure mixes them, and a clean-looking hop
 * proves nothing about the links a flow's other probes crossed.
 */
int mixed_from(const struct diag *d, const unsigned char *g)
{
	int end = mask_end(d, g);

	for (int k = 0; k < end; k++) {
		if (k < d->nhops && d->r->hops[k].per_packet)
			return k;
		for (int i = 0; i < d->nflows; i++)
			if (g[i] && flow_has_hop(&d->r->flows[i], k) &&
			    d->r->flows[i].responders_seen[k] > 1)
				return k;
	}
	return end;
}

/*
 * Does tc surely lose less than half of what tl surely loses (95% Wilson
 * bounds)?  Significance alone says only that tc loses less: a hop that
 * lost nothing in ten probes is "significantly" cleaner than a path that
 * loses 20%, yet one in ten hops behind a 20% loss shows just that, and
 * every snapshot tests again.
 */
bool much_cleaner(struct tally tl, struct tally tc)
{
	double lo, hi, clo, chi;

	stat_wilson(tl.lost, tally_n(tl), STAT_Z95, &lo, &hi);
	stat_wilson(tc.lost, tally_n(tc), STAT_Z95, &clo, &chi);
	return chi < lo / 2.0;
}

/*
 * The last hop index before k where the flows of g that lose got through cleanly:
 * no more loss than background noise, and surely much less than they
 * lose end to end (e2e), so that a few lucky probes at one of many hops
 * do not count; -1 when none did (the range starts at this host).  A hop
 * that cannot be judged (too few answers, or loss from rate limiting) is
 * passed over: the range widens rather than name a link the evidence
 * cannot, and so is every hop past per-packet balancing (mixed_from).
 */
int clean_before(const struct diag *d, const unsigned char *g, int k, struct tally e2e)
{
	unsigned char *losing = malloc((size_t)d->nflows + 1);
	const unsigned char *u = g;
	int m = 0, mixed = mixed_from(d, g), j, n = 0;

	/*
	 * Judged on the flows of g that lost end to end: a branch far down
	 * the path can hold flows from several upstream branches, and the
	 * clean ones' answers would make a hop behind the lossy link look
	 * clean (seed 5: a range from hop 3 for a loss on the link 1 -> 2).
	 */
	for (int i = 0; losing != NULL && i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		/*
		 * Losing beyond background noise: a clean flow with one probe
		 * lost (a SYN answered late, a retransmitted SYN-ACK) is not
		 * behind the link, and its answers made a hop look clean
		 * (seed 169: a range 7-8 for a link at hop 2, for 0.4 s).
		 */
		losing[i] = g[i] && f->lost > 0 &&
			    !clean_figure((struct tally){.recv = f->received, .lost = f->lost});
		n += losing[i];
	}
	if (n > 0) {
		u = losing;
		e2e = pool_e2e(d, losing);
	}
	if (k > mixed)
		k = mixed;
	for (j = 0; j < k; j++)
		m += informative(pool_hop(d, u, j));
	for (j = k - 1; j >= 0; j--) {
		struct tally t = pool_hop_settled(d, u, j);

		if (informative(t) && clean_figure(t) && test_lossier(e2e, t) < ALPHA / (m ? m : 1) &&
		    much_cleaner(e2e, t))
			break;
	}
	free(losing);
	return j;
}

/*
 * Did the router answering at at (hop index k) answer more often than
 * Linux's default ICMP limit (LINUX_RL_BURST, then one a second) would
 * let it over the run?  Then its silences were not that limit's.
 */
bool beyond_default_limit(const struct diag *d, int k, const struct ip_addr *at)
{
	const struct hop_result *h;
	uint64_t allowed = LINUX_RL_BURST + d->r->elapsed_us / 1000000u + 1;

	if (k >= d->nhops || !addr_is_set(at))
		return false;
	h = &d->r->hops[k];
	for (int i = 0; h->branches != NULL && i < h->nbranches; i++)
		if (addr_equal(&h->branches[i].addr, at))
			return h->branches[i].received > allowed;
	return false;
}

/*
 * Did every router at hop index k (for the flows of u) answer beyond a
 * default ICMP limit?  Loss every flow shares shows at every hop after it
 * starts, but so do routers that all limit their answers: only routers
 * shown not to limit can place it.
 */
bool hop_unlimited(const struct diag *d, const unsigned char *u, int k)
{
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (u[i] && k < d->end[i] && flow_has_hop(f, k) && addr_is_set(&f->path[k]) &&
		    !beyond_default_limit(d, k, &f->path[k]))
			return false;
	}
	return true;
}

/*
 * Is the loss of flows g at hop index k forwarding loss rather than the
 * router's ICMP limit?  A router limits its errors towards us whoever they
 * are about, so one that answers the reference flows cleanly at k while
 * g's probes go unanswered is not limiting them; and loss that a later hop
 * of g's shows again is not one router's limit either, nor are the
 * silences of a router that answered more than a default limit allows.
 * Otherwise the hop alone proves nothing.
 */
bool loss_confirmed(const struct diag *d, const unsigned char *g, const unsigned char *ref,
			   int k, int end, struct tally e2e)
{
	struct ip_addr at = majority_addr(d, g, k);
	struct tally same = {0, 0};

	if (beyond_default_limit(d, k, &at))
		return true;

	for (int i = 0; ref != NULL && addr_is_set(&at) && i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (ref[i] && flow_has_hop(f, k) && addr_equal(&f->path[k], &at)) {
			same.recv += f->hop_received[k];
			/* Probes still out may yet be lost: not clean until they are not. */
			same.lost += f->hop_lost[k] + (f->hop_pending ? f->hop_pending[k] : 0);
		}
	}
	if (informative(same) && clean_figure(same))
		return true;
	for (int j = k + 1; j < end; j++) {
		struct tally t = pool_hop(d, g, j);

		if (informative(t) && !clean_figure(t) && test_lossier(e2e, t) >= ALPHA)
			return true;
	}
	return false;
}

/*
 * Where loss that shows from hop index k on has surely started: the first
 * hop from k on whose figure is the end-to-end one (no lossier: rate
 * limiting adds to a hop's loss) and whose routers are shown not to limit
 * their answers, or the target.  A limiting router's silences can match
 * the end-to-end loss by chance, and every router of a path may limit.
 */
int surely_by(const struct diag *d, const unsigned char *g, int k, struct tally e2e)
{
	int end = mask_end(d, g);

	if (k >= end)
		return k;
	for (int j = k; j < end; j++) {
		struct tally t = pool_hop(d, g, j);

		if ((j == k || informative(t)) && test_lossier(t, e2e) >= ALPHA &&
		    hop_unlimited(d, g, j))
			return j;
	}
	return end;
}

/*
 * Is hop index end (mask_end) the target's hop for the flows of g that go
 * that far?  Yes when they met the target there, or when the nearest flow
 * met it at that TTL and a router answered them just before it.  No when
 * their end is only where discovery has got to so far, or a longer path's:
 * the target is farther, and a range must not stop short of it.
 */
static bool end_is_target(const struct diag *d, const unsigned char *g, int end)
{
	const struct results *r = d->r;

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &r->flows[i];

		if (!g[i] || d->end[i] != end || f->dest_ttl > 0)
			continue;
		if (r->dest_ttl == 0 || end != r->dest_ttl - r->config.first_ttl || end < 1 ||
		    !flow_has_hop(f, end - 1) || !addr_is_set(&f->path[end - 1]))
			return false;
	}
	return true;
}

/*
 * Forward loss of flows g lies after hop index from (-1: this host) and at
 * or before hop index to; at the target (to >= their end) whose hop is not
 * known, RANGE_TO_TARGET.
 */
void set_range(const struct diag *d, struct finding *f, const unsigned char *g, int from,
		      int to, struct ip_addr to_addr)
{
	int end = mask_end(d, g);

	f->range_from_ttl = from >= 0 ? ttl_of(d, from) : 0;
	f->range_from = from >= 0 ? majority_addr(d, g, from) : d->r->config.src;
	f->range_to_ttl = to >= end && !end_is_target(d, g, end) ? RANGE_TO_TARGET : ttl_of(d, to);
	f->range_to = f->range_to_ttl == RANGE_TO_TARGET ? d->r->config.dst : to_addr;
}

/*
 * Do the clean siblings reach the target over the same last hop as flows
 * g?  Then forward loss on that last link would have to spare them: a
 * filter that picks flows, not a bad link.
 */
bool last_hop_shared(const struct diag *d, const unsigned char *g, const unsigned char *s,
			    int end)
{
	struct ip_addr last;

	if (end <= 0)
		return false;
	last = majority_addr(d, g, end - 1);
	if (!addr_is_set(&last))
		return false;
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *fl = &d->r->flows[i];

		if (s[i] && flow_has_hop(fl, end - 1) && addr_equal(&fl->path[end - 1], &last))
			return true;
	}
	return false;
}

/* ---- Grouping flows by loss ---- */

/*
 * Splitting flows sorted by their own loss rate always finds a "lossy"
 * top, even when every flow loses alike; the cut is chosen by the data, so
 * its p-value means little.  The split is therefore calibrated by a
 * parametric bootstrap: the same statistic on flows that all lose at the
 * pooled rate, BOOT_ROUNDS times, from a fixed seed so that one snapshot
 * always gives the same answer.
 */
#define BOOT_ROUNDS 299
#define TWO_PI 6.283185307179586

struct ranked {
	int i;			/* flow index, or position in the bootstrap arrays */
	uint64_t n, lost;
	double rate;
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->rate != b->rate)
		return a->rate > b->rate ? -1 : 1;
	return a->i - b->i;
}

/*
 * Sorts v by loss rate and returns the largest two-proportion z over the
 * cuts between different rates; *cut is how many flows are above it.
 */
static double split_stat(struct ranked *v, int m, int *cut)
{
	uint64_t n = 0, lost = 0, n1 = 0, l1 = 0;
	double best = 0.0;

	*cut = 0;
	for (int s = 0; s < m; s++) {
		v[s].rate = v[s].n ? (double)v[s].lost / (double)v[s].n : 0.0;
		n += v[s].n;
		lost += v[s].lost;
	}
	if (n == 0 || lost == 0 || lost == n)
		return 0.0;
	qsort(v, (size_t)m, sizeof(*v), ranked_cmp);
	for (int s = 1; s < m; s++) {
		double p1, p2, p, se, z;
		uint64_t n2, l2;

		n1 += v[s - 1].n;
		l1 += v[s - 1].lost;
		if (v[s - 1].rate == v[s].rate)
			continue;
		n2 = n - n1;
		l2 = lost - l1;
		if (n1 == 0 || n2 == 0)
			continue;
		p1 = (double)l1 / (double)n1;
		p2 = (double)l2 / (double)n2;
		p = (double)lost / (double)n;
		se = sqrt(p * (1.0 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
		z = (p1 - p2) / se;
		if (z > best) {
			best = z;
			*cut = s;
		}
	}
	return best;
}

/* splitmix64: a small, good generator with a fixed seed; no global state. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *state)
{
	return ((double)(rng_next(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* A Binomial(n, p) draw: by inversion when the mean is small, else normal. */
static uint64_t rng_binomial(uint64_t *state, uint64_t n, double p)
{
	double mean = (double)n * p, u, pk, cdf, x;
	uint64_t k = 0;

	if (n == 0 || p <= 0.0)
		return 0;
	if (p >= 1.0)
		return n;
	if (mean < 30.0 && p < 0.5) {
		u = rng_uniform(state);
		pk = exp((double)n * log1p(-p));
		cdf = pk;
		while (u > cdf && k < n) {
			pk *= (double)(n - k) / (double)(k + 1) * p / (1.0 - p);
			k++;
			cdf += pk;
			if (pk < 1e-300)
				break;
		}
		return k;
	}
	/* Box-Muller; good enough for a calibration of a tail beyond 1%. */
	x = sqrt(-2.0 * log(rng_uniform(state))) * cos(TWO_PI * rng_uniform(state));
	x = floor(mean + x * sqrt(mean * (1.0 - p)) + 0.5);
	if (x < 0.0)
		return 0;
	if (x > (double)n)
		return n;
	return (uint64_t)x;
}

/*
 * Splits the flows of `in` into lossy and clean by end-to-end loss: the cut
 * of the flows sorted by loss rate with the largest z, when the two sides
 * differ by a meaningful amount (test_lossier) and no more than one
 * bootstrap round in BOOT_ROUNDS of homogeneous flows gives as large a z.
 * Returns whether such a cut exists; lossy is cleared otherwise.
 */
bool partition(struct diag *d, const unsigned char *in, unsigned char *lossy)
{
	struct ranked *v, *w;
	struct tally top = {0, 0}, rest = {0, 0};
	int m = 0, cut = 0, wcut, beaten = 0;
	double z;
	uint64_t seed = 0x65636d7074726163ull;	/* "ecmptrac" */
	bool split = false;

	memset(lossy, 0, (size_t)d->nflows);
	v = malloc(2 * (size_t)d->nflows * sizeof(*v) + 1);
	if (v == NULL) {
		d->oom = true;
		return false;
	}
	w = v + d->nflows;
	for (int i = 0; i < d->nflows; i++)
		if (in[i]) {
			const struct flow_result *f = &d->r->flows[i];

			v[m] = (struct ranked){.i = i, .n = f->received + f->lost, .lost = f->lost};
			m++;
		}
	z = m >= 2 ? split_stat(v, m, &cut) : 0.0;
	if (cut == 0)
		goto out;
	for (int s = 0; s < m; s++) {
		struct tally *t = s < cut ? &top : &rest;

		t->lost += v[s].lost;
		t->recv += v[s].n - v[s].lost;
		seed = seed * 31 + v[s].n * 7 + v[s].lost;
	}
	if (test_lossier(top, rest) >= ALPHA)
		goto out;
	for (int b = 0; b < BOOT_ROUNDS && beaten < 2; b++) {
		double p0 = tally_rate((struct tally){top.recv + rest.recv, top.lost + rest.lost});

		for (int s = 0; s < m; s++) {
			w[s] = (struct ranked){.i = s, .n = v[s].n};
			w[s].lost = rng_binomial(&seed, v[s].n, p0);
		}
		if (split_stat(w, m, &wcut) >= z)
			beaten++;
	}
	/* p = (beaten + 1) / (BOOT_ROUNDS + 1) < ALPHA */
	if (beaten >= 2)
		goto out;
	for (int s = 0; s < cut; s++)
		lossy[v[s].i] = 1;
	split = true;
out:
	free(v);
	return split;
}

/* ---- Localisation ---- */

/* Does every router known at hop index k answer beyond a default ICMP limit (and is there one)? */
static bool routers_unlimited(const struct diag *d, int k)
{
	const struct hop_result *h;
	int known = 0;

	if (k >= d->nhops)
		return false;
	h = &d->r->hops[k];
	for (int i = 0; h->branches != NULL && i < h->nbranches; i++) {
		if (!addr_is_set(&h->branches[i].addr))
			continue;
		if (!beyond_default_limit(d, k, &h->branches[i].addr))
			return false;
		known++;
	}
	return known > 0;
}

/*
 * The hop index where the loss of flows g starts: the first hop from
 * from_k on where their hop loss is significantly above the reference
 * flows' (or, without reference flows, any hop) and where no later hop of
 * theirs is significantly cleaner than their end-to-end loss (a cleaner
 * later hop means the loss seen here did not carry on).  If there is none:
 * past the last hop (the destination) when every hop is clean, else from_k.
 * *shown says whether the hop returned is where the evidence puts the
 * start (false for the last fallback: loss somewhere from from_k on).
 */
int localise(const struct diag *d, const unsigned char *g, const unsigned char *ref,
		    int from_k, struct tally e2e, bool *shown)
{
	int end = mask_end(d, g), m = 0;

	*shown = true;

	for (int k = from_k; k < end; k++)
		m += informative(pool_hop(d, g, k));
	for (int k = from_k; k < end; k++) {
		struct tally gk = pool_hop(d, g, k);
		bool persists = true;

		if (!informative(gk))
			continue;
		if (test_lossier(gk, pool_hop(d, ref, k)) >= ALPHA / (m > 0 ? m : 1))
			continue;
		for (int k2 = k + 1; k2 < end && persists; k2++)
			if (test_lossier(e2e, pool_hop(d, g, k2)) < ALPHA)
				persists = false;
		if (persists) {
			/* Shown here only if not the router's own limit (else: from here on, somewhere). */
			*shown = loss_confirmed(d, g, ref, k, end, e2e);
			return k;
		}
	}
	/*
	 * From some hop on these flows get no answer at all, there and at
	 * every hop behind it, nor from the destination, while the reference
	 * flows are answered there: a router that only keeps quiet would let
	 * the hops behind it answer, so the loss starts at that hop.
	 */
	for (int k = from_k; k < end && e2e.recv == 0; k++) {
		struct tally gk = pool_hop(d, g, k);
		bool dark = tally_n(gk) >= MIN_SAMPLES && gk.recv == 0;

		for (int k2 = k + 1; k2 < end && dark; k2++)
			dark = pool_hop(d, g, k2).recv == 0;
		if (dark && (ref == NULL || informative(pool_hop(d, ref, k)))) {
			/*
			 * Unless a router there limits its answers: then it
			 * and every one behind it may just keep quiet towards
			 * these few flows (seed 164: every router limited, two
			 * flows unanswered from hop 2 on, the loss after hop 2).
			 */
			*shown = routers_unlimited(d, k);
			return k;
		}
	}
	/*
	 * Every hop clean, the last one shown clean: the loss shows at the
	 * destination only.  Hops not judged yet prove nothing either way.
	 */
	for (int k = from_k; k < end; k++) {
		struct tally gk = pool_hop(d, g, k), settled = pool_hop_settled(d, g, k);

		if ((informative(gk) && !clean_figure(gk)) ||
		    (k == end - 1 && !(informative(settled) && clean_figure(settled)))) {
			*shown = false;
			return from_k;
		}
	}
	return end;
}
