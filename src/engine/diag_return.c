/*
 * Return-path loss (diagnose.c, step 2): a flow that loses end to end
 * while the flows sharing its whole forward path get through loses its
 * replies on the way back - routers hash the replies onto paths of their
 * own, so only some flows' replies meet a bad link.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose_int.h"
#include "engine/statistics.h"

/*
 * Does hop index k show several known routers (branches part there)?
 * Addresses known to be one router (it answers from the interface its
 * multipath route back picks: seed 72, a merge router answering from 4
 * addresses) are one: flows whose answers there are lost to its limit
 * go on through it all the same.
 */
static bool hop_branches(const struct diag *d, int k)
{
	const struct hop_result *h;
	int known = 0, router = 0;

	if (k >= d->nhops)
		return false;
	h = &d->r->hops[k];
	for (int i = 0; h->branches != NULL && i < h->nbranches; i++) {
		const struct branch_result *b = &h->branches[i];

		if (!addr_is_set(&b->addr))
			continue;
		if (b->router != 0 && b->router == router)
			continue;
		if (b->router != 0 && router == 0)
			router = b->router;
		known++;
	}
	return known > 1;
}

/* Is flow i's responder unknown at a hop where the branches part? */
static bool branch_unknown(const struct diag *d, int i)
{
	const struct flow_result *f = &d->r->flows[i];

	for (int k = 0; k < d->end[i]; k++)
		if (hop_branches(d, k) && (!flow_has_hop(f, k) || !addr_is_set(&f->path[k])))
			return true;
	return false;
}


/* Was flow f never probed at hop index k (no answer, no timeout)? */
static bool never_asked(const struct flow_result *f, int k)
{
	return f->hop_received[k] + f->hop_lost[k] == 0;
}

/*
 * Is flow i silent at hop index k (its probes there unanswered, at least
 * DARK_MIN_LOST of them) where the router known there answers beyond any
 * ICMP limit?  Then its probes do not reach that router: it takes a
 * branch that never answers, or dies before it; it is not on the known
 * path.  A limiting router's silence proves nothing (the demo network:
 * failing flows' replies and errors alike are lost, and every router
 * limits).  Seed 158: a branch dropping all it got never answered, the
 * one router found at that hop was the other branch, and its flows were
 * taken for path-mates of the clean ones.
 */
static bool silent_past_router(const struct diag *d, int i, int k)
{
	const struct flow_result *f = &d->r->flows[i];
	const struct hop_result *h;

	if (k >= d->nhops || !flow_has_hop(f, k) || addr_is_set(&f->path[k]) ||
	    f->hop_received[k] > 0 || f->hop_lost[k] < DARK_MIN_LOST)
		return false;
	h = &d->r->hops[k];
	for (int j = 0; h->branches != NULL && j < h->nbranches; j++)
		if (addr_is_set(&h->branches[j].addr) &&
		    beyond_default_limit(d, k, &h->branches[j].addr))
			return true;
	return false;
}

/*
 * From hop index from (where flow b met the target) to the end of flow
 * a: was a asked at from, and did nothing answer it there or after?
 * Then a's probes went as far as b's and met the same silent target:
 * the very loss being judged.  A flow the target never answers has no
 * end of its own, and its path runs on over the TTLs it was asked at
 * (seed 56: failing flows on a long branch were compared beyond their
 * mates' target, where longer branches' routers answer, and had none).
 */
static bool silent_from(const struct diag *d, int a, int from)
{
	const struct flow_result *f = &d->r->flows[a];

	if (!flow_has_hop(f, from) || never_asked(f, from))
		return false;
	for (int k = from; k < d->end[a] && flow_has_hop(f, k); k++)
		if (addr_is_set(&f->path[k]) || f->hop_received[k] > 0)
			return false;
	return true;
}

/*
 * Same forward path: every TTL before the farther of the two ends asked
 * of both (a hop never asked of a flow says nothing of where it goes:
 * seed 39, flows silent past hop 2 and not yet asked at hop 3 were
 * compared over hops 1-2 only and set beside flows that part from them
 * at hop 3), none where both answered differently, and both known
 * wherever the branches part (a flow whose branch is not known yet may
 * take any of them).
 */
bool same_forward_path(const struct diag *d, int a, int b)
{
	const struct flow_result *fa = &d->r->flows[a], *fb = &d->r->flows[b];
	int n = d->end[a] > d->end[b] ? d->end[a] : d->end[b];

	/* The one the target answered ends where it did, if the other goes silent there. */
	if (fb->dest_ttl > 0 && fa->dest_ttl == 0 && d->end[a] > d->end[b] && silent_from(d, a, d->end[b]))
		n = d->end[b];
	else if (fa->dest_ttl > 0 && fb->dest_ttl == 0 && d->end[b] > d->end[a] &&
		 silent_from(d, b, d->end[a]))
		n = d->end[a];
	for (int k = 0; k < n; k++) {
		bool sa, sb;

		if (!flow_has_hop(fa, k) || !flow_has_hop(fb, k))
			return false;
		sa = addr_is_set(&fa->path[k]);
		sb = addr_is_set(&fb->path[k]);
		if ((!sa && never_asked(fa, k)) || (!sb && never_asked(fb, k)))
			return false;
		if (sa && sb && !addr_equal(&fa->path[k], &fb->path[k]))
			return false;
		if ((!sa || !sb) && hop_branches(d, k))
			return false;
		if (silent_past_router(d, a, k) || silent_past_router(d, b, k))
			return false;
	}
	return true;
}

/*
 * Flow i's path-mates (into mine): judged flows not blamed already that
 * share its forward path, and their figures pooled end to end.
 */
static struct tally path_mates(const struct diag *d, int i, const unsigned char *lossy,
			       const unsigned char *returned, unsigned char *mine)
{
	for (int j = 0; j < d->nflows; j++)
		mine[j] = d->eligible[j] && !lossy[j] && !returned[j] && j != i &&
			  same_forward_path(d, i, j);
	return pool_e2e(d, mine);
}

/*
 * Does lossy flow i lose its replies on the way back?  mine gets its
 * path-mates: judged flows not blamed already (the clean active ones, and
 * those of lossy branches: a flow failing every time on a branch that
 * loses 30% fails for another reason) that share its forward path.
 */
static bool own_return_path(const struct diag *d, int i, int nactive, const unsigned char *lossy,
			    const unsigned char *returned, const unsigned char *spared,
			    unsigned char *mine)
{
	struct tally t = {d->r->flows[i].received, d->r->flows[i].lost};
	struct tally tm = path_mates(d, i, lossy, returned, mine);

	/* A path-mate or two with a few probes may look clean by chance. */
	if (tally_n(tm) < MIN_COMMON_FLOW)
		return false;
	/*
	 * The clean side was chosen for being clean, so each flow blamed must
	 * stand out from its own path-mates on its own, corrected for the
	 * flows that could have.
	 */
	if (test_lossier(t, tm) >= ALPHA / nactive)
		return false;
	/*
	 * When the path-mates lose too (loss at the target, or on a forward
	 * link they share, or the target's rate limit on UDP), a flow that
	 * loses more is chance: a share like 15 of 16 comes up among a few
	 * flows losing half.  Only one that loses every probe has a return
	 * path of its own.  UDP: the target's limit may withhold any answer.
	 */
	if (!clean_figure(tm) && (udp_target_limited(d->r) || t.recv > 0))
		return false;
	/*
	 * A flow a lossy branch left out loses on that branch's links too:
	 * only losing every probe sets it apart.
	 */
	if (spared[i] && t.recv > 0)
		return false;
	/*
	 * "Clean" path-mates are only not shown lossy: 2 losses in 22 pass
	 * for clean at a 1% background.  Blaming the way back alone needs
	 * them shown to lose less than half of what the flow surely loses
	 * (95% bounds), or a forward link they share losing 30% fits as well.
	 */
	return much_cleaner(t, tm);
}

/*
 * Flows that lose like the finding's (significantly more than the clean
 * path-mates, tg) but cannot be judged on their own: their branch is not
 * known yet, or no clean flow on their forward path has been seen to set
 * them against.  They are named apart, with the count, so no failing port
 * goes unsaid.
 */
static void add_unplaced(struct diag *d, struct finding *f, const unsigned char *active,
			 const unsigned char *lossy, const unsigned char *bad,
			 const unsigned char *returned, unsigned char *mine, struct tally tg)
{
	int n = 0, nactive = mask_count(d, active);

	f->unplaced_ports = malloc((size_t)d->nflows * sizeof(*f->unplaced_ports));
	if (f->unplaced_ports == NULL) {
		d->oom = true;
		return;
	}
	for (int i = 0; i < d->nflows; i++) {
		struct tally t = {d->r->flows[i].received, d->r->flows[i].lost};

		if (!active[i] || !lossy[i] || bad[i])
			continue;
		if (!branch_unknown(d, i) &&
		    tally_n(path_mates(d, i, lossy, returned, mine)) >= MIN_COMMON_FLOW)
			continue;
		if (test_lossier(t, tg) < ALPHA / (nactive > 0 ? nactive : 1))
			f->unplaced_ports[n++] = d->r->flows[i].sport;
	}
	f->nunplaced = n;
	say_unplaced(f);
}

/* The return-path finding for flows bad, against their path-mates good. */
static struct finding *say_return_path(struct diag *d, const unsigned char *active,
				       const unsigned char *lossy, const unsigned char *bad,
				       const unsigned char *good, const unsigned char *returned,
				       unsigned char *mine)
{
	struct tally tb = pool_e2e(d, bad), tg = pool_e2e(d, good);
	struct finding *f;
	char a[16], dst[ADDR_STRLEN];

	if (test_lossier(tb, tg) >= ALPHA)
		return NULL;
	f = finding_new(d, FINDING_RETURN_PATH_LOSS);
	if (f == NULL)
		return NULL;
	/* The path-mates cross every forward link these flows cross, and get through. */
	add_cause(f, CAUSE_RETURN_PATH);
	finding_loss(f, tb, tally_rate(tg));
	finding_failing_flows(d, f, bad);
	say(f, "%d flows (source ports ", f->nflows);
	say_ports(f);
	say(f, ") ");
	say_loss(f, "end to end");
	say(f, " while %d flows on the same forward path lose %s%%: ", mask_count(d, good),
	    pct(f->baseline_pct, a, sizeof(a)));
	say(f, "replies from %s are hashed onto a bad return path",
	    addr_format(&d->r->config.dst, dst, sizeof(dst)));
	add_unplaced(d, f, active, lossy, bad, returned, mine, tg);
	return f;
}

/*
 * Lossy flows (per the split of the active flows) that share their forward
 * path with flows that lose less lose their replies on the way back.
 * Reports the blamed flows, marks them in returned and removes them from
 * active.
 */
bool find_return_path(struct diag *d, unsigned char *active, const unsigned char *lossy,
			     unsigned char *returned, const unsigned char *spared)
{
	unsigned char *bad = calloc((size_t)d->nflows + 1, 1);
	unsigned char *good = calloc((size_t)d->nflows + 1, 1);
	unsigned char *mine = calloc((size_t)d->nflows + 1, 1);
	int nactive = mask_count(d, active);
	bool found = false;

	if (bad == NULL || good == NULL || mine == NULL) {
		d->oom = true;
		goto out;
	}
	for (int i = 0; i < d->nflows; i++) {
		if (!active[i] || !lossy[i] ||
		    !own_return_path(d, i, nactive, lossy, returned, spared, mine))
			continue;
		bad[i] = 1;
		for (int j = 0; j < d->nflows; j++)
			good[j] |= mine[j];
	}
	if (say_return_path(d, active, lossy, bad, good, returned, mine) == NULL)
		goto out;
	for (int i = 0; i < d->nflows; i++)
		if (bad[i]) {
			active[i] = 0;
			returned[i] = 1;
		}
	found = true;
out:
	free(bad);
	free(good);
	free(mine);
	return found;
}
