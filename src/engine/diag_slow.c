/*
 * Slow branch (diagnose.h, FINDING_SLOW_BRANCH): one ECMP member adds
 * latency (a congested link, a slow linecard), so the connections hashed
 * onto it are slower than the others and only some clients' p99 alarms
 * fire.  For each branch, the end-to-end round trips of its flows are
 * set against those of the flows through its siblings (same hop, a
 * shared parent) with a rank test (rank_test.h: Mann-Whitney U, the
 * Hodges-Lehmann shift and its 95% interval), robust to the outliers
 * RTTs carry.  Named only when significant (one-sided, ALPHA with a
 * Bonferroni correction over every branch tested) and large enough to
 * matter: at least SLOW_MIN_SHIFT_US and SLOW_MIN_RATIO of the faster
 * group's median, with 95% confidence -- the interval's lower end, not
 * the estimate.  When only some of a branch's flows are slow (the delay
 * lies behind a later split), the estimate may pass while the interval
 * reaches down to no shift: the branch is not named, and the child that
 * holds the delay is, at its own hop.
 *
 * End to end, not the branch router's own answers: a router's ICMP
 * errors come from its slow path (and rate limits hold them back), so
 * its own RTT says little about what it forwards.  Its own answers only
 * place the delay: slower too, the delay is on the way into it; not
 * slower, it is after it.  Flows of a branch already found slow are left
 * out at later hops, where they would make whichever later branch holds
 * more of them look slow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose_int.h"
#include "engine/rank_test.h"
#include "engine/statistics.h"

/* Least samples in each group compared. */
#define SLOW_MIN_SAMPLES 16
/* Least flows in each group: one flow alone may have a return path of its own. */
#define SLOW_MIN_FLOWS 2
/* Least shift worth telling anyone about, us. */
#define SLOW_MIN_SHIFT_US 1000.0
/* ... and least shift as a share of the faster group's median. */
#define SLOW_MIN_RATIO 0.20
/*
 * How finely a round trip is known, us: each is two clock readings taken
 * to the whole microsecond (the send, the capture's stamp), so off by up
 * to this much either way.  Hundreds of samples make the rank interval
 * narrower than that; it is widened by it, since no sample count measures
 * finer than the clock does.
 */
#define RTT_RESOLUTION_US 1.0
/* Least samples of one flow for it to be judged on its own (mixed_branch). */
#define SLOW_MIN_FLOW_SAMPLES 8

/* Samples of one group of flows. */
struct group {
	int32_t *v;
	int n;
	int flows;		/* flows that gave any */
};

/* The end-to-end samples of the masked flows not in skip. */
static bool gather_e2e(const struct diag *d, const unsigned char *mask, const unsigned char *skip,
		       struct group *g)
{
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];
		int32_t *grown;

		if (!mask[i] || skip[i] || f->nsamples == 0)
			continue;
		grown = realloc(g->v, (size_t)(g->n + f->nsamples) * sizeof(*grown));
		if (grown == NULL)
			return false;
		memcpy(grown + g->n, f->samples, (size_t)f->nsamples * sizeof(*grown));
		g->v = grown;
		g->n += f->nsamples;
		g->flows++;
	}
	return true;
}

static bool slow_candidate(const struct branch_result *b)
{
	return addr_is_set(&b->addr) && !b->is_destination && !b->is_unreachable && b->nflows > 0;
}

/* Branches that can be tested: candidates with a candidate sibling. */
static int count_tests(const struct diag *d)
{
	int n = 0;

	for (int k = 0; k < d->nhops; k++) {
		const struct hop_result *h = &d->r->hops[k];

		for (int b = 0; b < h->nbranches; b++)
			for (int s = 0; s < h->nbranches; s++)
				if (s != b && slow_candidate(&h->branches[b]) &&
				    slow_candidate(&h->branches[s]) &&
				    branches_share_parent(&h->branches[b], &h->branches[s], k)) {
					n++;
					break;
				}
	}
	return n;
}

/* Was a rate-limited-hop finding raised for this hop and address? */
static bool said_rate_limited(const struct diag *d, int ttl, const struct ip_addr *a)
{
	for (int i = 0; i < d->out->count; i++)
		if (d->out->items[i].kind == FINDING_RATE_LIMITED_HOP &&
		    d->out->items[i].ttl == ttl && addr_equal(&d->out->items[i].addr, a))
			return true;
	return false;
}

/*
 * Does the branch's own answers' RTT show the shift too?  1: yes (the
 * delay is before it), 0: no (after it), -1: cannot tell (too few
 * answers, or a hop that rate-limits them).
 */
static int own_answers_slower(const struct diag *d, int k, int bi, const struct rank_shift *e2e)
{
	const struct hop_result *h = &d->r->hops[k];
	const struct branch_result *b = &h->branches[bi];
	struct group s = {0};
	struct rank_shift own;
	int verdict = -1;

	if (h->rate_limited || said_rate_limited(d, h->ttl, &b->addr) ||
	    b->nsamples < SLOW_MIN_SAMPLES)
		return -1;
	for (int j = 0; j < h->nbranches; j++) {
		const struct branch_result *o = &h->branches[j];
		int32_t *grown;

		if (j == bi || !slow_candidate(o) || !branches_share_parent(b, o, k) || o->nsamples == 0)
			continue;
		grown = realloc(s.v, (size_t)(s.n + o->nsamples) * sizeof(*grown));
		if (grown == NULL)
			goto out;
		memcpy(grown + s.n, o->samples, (size_t)o->nsamples * sizeof(*grown));
		s.v = grown;
		s.n += o->nsamples;
	}
	if (s.n < SLOW_MIN_SAMPLES || !rank_shift(b->samples, b->nsamples, s.v, s.n, STAT_Z95, &own))
		goto out;
	/* Slower by at least half the end-to-end shift, surely: the delay is before it. */
	verdict = own.lo >= e2e->shift / 2 ? 1 : own.hi < e2e->shift / 2 ? 0 : -1;
out:
	free(s.v);
	return verdict;
}

static void say_slow(struct diag *d, struct finding *f, const struct rank_shift *rs,
		     const struct ip_addr *sibling, int nsiblings, int own)
{
	char a[ADDR_STRLEN], p[32];

	if (rs->p_greater < 0.001)
		snprintf(p, sizeof(p), "p < 0.001");
	else
		snprintf(p, sizeof(p), "p = %.3f", rs->p_greater);
	say(f, "flows through %s (hop %d) take %.2f ms longer end to end (95%% CI %.2f-%.2f ms; ",
	    addr_format(&f->addr, a, sizeof(a)), f->ttl, rs->shift / 1000.0, rs->lo / 1000.0,
	    rs->hi / 1000.0);
	say(f, "median %.2f ms against %.2f ms, %d and %d samples, %s) than the flows through ",
	    rs->median_a / 1000.0, rs->median_b / 1000.0, rs->na, rs->nb, p);
	if (nsiblings == 1)
		say(f, "%s", addr_format(sibling, a, sizeof(a)));
	else
		say(f, "its %d sibling branches", nsiblings);
	if (own == 1)
		say(f, "; its own answers are slower too: the delay lies on the way into it");
	else if (own == 0)
		say(f, "; its own answers are not slower: the delay lies after hop %d (on the way "
		       "to the target or back)", f->ttl);
	(void)d;
}

/* The finding for branch bi of hop k, whose flows (mask g) are slower by rs. */
static void emit_slow(struct diag *d, int k, int bi, const unsigned char *g,
		      const struct rank_shift *rs, const struct ip_addr *sibling, int nsiblings)
{
	const struct branch_result *b = &d->r->hops[k].branches[bi];
	int own = own_answers_slower(d, k, bi, rs);
	struct finding *f = finding_new(d, FINDING_SLOW_BRANCH);

	if (f == NULL)
		return;
	f->ttl = ttl_of(d, k);
	f->addr = b->addr;
	f->prev_addr = prev_responder(d, g, k);
	f->received = (uint64_t)rs->na;
	f->shift_us = rs->shift;
	f->shift_lo_us = rs->lo;
	f->shift_hi_us = rs->hi;
	f->median_us = rs->median_a;
	f->baseline_median_us = rs->median_b;
	f->p_value = rs->p_greater;
	finding_flows(d, f, g);
	say_slow(d, f, rs, sibling, nsiblings, own);
}

/* Masks of branch bi's flows (g) and of its siblings' (s), not in skip; the siblings' count. */
static int sibling_masks(const struct diag *d, int k, int bi, unsigned char *g, unsigned char *s,
			 unsigned char *tmp, struct ip_addr *first)
{
	const struct hop_result *h = &d->r->hops[k];
	int n = 0;

	branch_mask(d, &h->branches[bi], g);
	memset(s, 0, (size_t)d->nflows);
	for (int j = 0; j < h->nbranches; j++) {
		const struct branch_result *o = &h->branches[j];

		if (j == bi || !slow_candidate(o) || !branches_share_parent(&h->branches[bi], o, k))
			continue;
		if (n++ == 0)
			*first = o->addr;
		branch_mask(d, o, tmp);
		for (int i = 0; i < d->nflows; i++)
			s[i] |= tmp[i] && !g[i];
	}
	return n;
}

/*
 * Does the branch hold a flow surely not slow: one whose own shift against
 * the siblings is, at the top of its 95% interval, under half the
 * branch's?  Then the delay is not on the branch's own links but behind a
 * later split (a child, or one link of a mesh), and most of its flows
 * being delayed made the whole branch look slow: it is not named, and its
 * flows stay in the later hops' comparisons, where the child holding the
 * delay is set against its siblings.
 */
static bool mixed_branch(struct diag *d, const unsigned char *g, const unsigned char *skip,
			 const struct group *siblings, const struct rank_shift *rs)
{
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];
		struct rank_shift one;

		if (!g[i] || skip[i] || f->nsamples < SLOW_MIN_FLOW_SAMPLES)
			continue;
		if (!rank_shift(f->samples, f->nsamples, siblings->v, siblings->n, STAT_Z95, &one)) {
			d->oom = true;
			return true;
		}
		if (one.hi + RTT_RESOLUTION_US < rs->shift / 2)
			return true;
	}
	return false;
}

/* Tests branch bi of hop k against its siblings; true when it is found slow. */
static bool test_branch(struct diag *d, int k, int bi, int ntests, unsigned char *masks,
			const unsigned char *skip)
{
	unsigned char *g = masks, *s = masks + d->nflows, *tmp = masks + 2 * d->nflows;
	struct group ga = {0}, gs = {0};
	struct ip_addr first = {0};
	struct rank_shift rs;
	int nsib = sibling_masks(d, k, bi, g, s, tmp, &first);
	bool slow = false;

	if (nsib == 0)
		return false;
	if (!gather_e2e(d, g, skip, &ga) || !gather_e2e(d, s, skip, &gs)) {
		d->oom = true;
		goto out;
	}
	if (ga.n < SLOW_MIN_SAMPLES || gs.n < SLOW_MIN_SAMPLES || ga.flows < SLOW_MIN_FLOWS ||
	    gs.flows < SLOW_MIN_FLOWS)
		goto out;
	if (!rank_shift(ga.v, ga.n, gs.v, gs.n, STAT_Z95, &rs)) {
		d->oom = true;
		goto out;
	}
	rs.lo -= RTT_RESOLUTION_US;
	rs.hi += RTT_RESOLUTION_US;
	slow = rs.p_greater < ALPHA / ntests && rs.lo >= SLOW_MIN_SHIFT_US &&
	       rs.lo >= SLOW_MIN_RATIO * rs.median_b && !mixed_branch(d, g, skip, &gs, &rs);
	if (slow) {
		for (int i = 0; i < d->nflows; i++)
			g[i] = g[i] && !skip[i];
		emit_slow(d, k, bi, g, &rs, &first, nsib);
	}
out:
	free(ga.v);
	free(gs.v);
	return slow;
}

void find_slow(struct diag *d)
{
	int ntests = count_tests(d);
	unsigned char *masks, *skip, *found;

	if (ntests == 0)
		return;
	masks = malloc(3 * (size_t)d->nflows + 1);
	skip = calloc((size_t)d->nflows + 1, 1);
	found = calloc((size_t)d->nflows + 1, 1);
	if (masks == NULL || skip == NULL || found == NULL) {
		d->oom = true;
		goto out;
	}
	for (int k = 0; k < d->nhops && !d->oom; k++) {
		const struct hop_result *h = &d->r->hops[k];

		for (int b = 0; b < h->nbranches && !d->oom; b++)
			if (slow_candidate(&h->branches[b]) &&
			    test_branch(d, k, b, ntests, masks, skip))
				for (int i = 0; i < d->nflows; i++)
					found[i] |= masks[i];
		/* What this hop explained stays out of the later hops' comparisons. */
		for (int i = 0; i < d->nflows; i++)
			skip[i] |= found[i];
	}
out:
	free(masks);
	free(skip);
	free(found);
}
