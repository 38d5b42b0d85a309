/*
 * The loss analyses of the diagnosis (diagnose.c, steps 1-3): branches
 * whose flows lose more than their siblings' (and which of two overlapping
 * ones carries the loss), then flows that lose beside clean ones on the
 * same forward path (their replies are lost on the way back,
 * diag_return.c), then the loss every remaining flow shares
 * (diag_common.c).
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose_int.h"
#include "engine/statistics.h"

/* ---- Lossy branches ---- */

struct candidate {
	int k, b;			/* hop index, branch index */
	double p;			/* branch lossier than siblings */
	struct tally g, s;		/* end to end: branch flows, sibling flows */
	unsigned char *gmask, *smask;
	int nsiblings;			/* sibling branches */
	struct ip_addr sibling;		/* the first sibling's address */
	bool keep;
};

/* Whether the branch can be compared: a known router, not the target. */
bool branch_comparable(const struct branch_result *b)
{
	return addr_is_set(&b->addr) && !b->is_destination && b->flows != NULL && b->nflows > 0;
}

/*
 * An unknown branch ("*") whose flows never got an answer there: they may
 * have died on the link into it (a mesh link, a next hop that is gone).
 * It can be blamed like a router, by what its flows lose end to end.
 */
static bool branch_dark(const struct branch_result *b)
{
	return !addr_is_set(&b->addr) && !b->is_destination && b->flows != NULL && b->nflows > 0 &&
	       b->received == 0 && b->lost >= MIN_SAMPLES;
}

/* Do the branch's flows stay unanswered from hop index k on (a router that only keeps quiet would not)? */
static bool dark_on(const struct diag *d, const struct branch_result *b, int k)
{
	for (int j = 0; j < b->nflows; j++) {
		int i = flow_index(d->r, b->flows[j]);
		const struct flow_result *f;

		if (i < 0)
			return false;
		f = &d->r->flows[i];
		if (f->received > 0)
			return false;
		for (int k2 = k; k2 < f->path_len && k2 < d->end[i]; k2++)
			if (f->hop_received[k2] > 0)
				return false;
	}
	return true;
}

/* "flows through 10.0.2.2 ", or for a dark branch "flows unanswered at hop 3 after 10.0.2.2 " */
static void say_branch(const struct diag *d, struct finding *f, const struct candidate *c)
{
	const struct ip_addr *a = &d->r->hops[c->k].branches[c->b].addr;
	struct ip_addr before;
	char br[ADDR_STRLEN];

	if (addr_is_set(a)) {
		say(f, "flows through %s ", addr_format(a, br, sizeof(br)));
		return;
	}
	before = prev_responder(d, c->gmask, c->k);
	say(f, "flows unanswered at hop %d after %s ", ttl_of(d, c->k),
	    addr_format(&before, br, sizeof(br)));
}

/* "their 7 siblings through 10.0.3.2 lose 0%" */
static void say_siblings(const struct diag *d, struct finding *f, const struct candidate *c)
{
	char s[ADDR_STRLEN], x[16];

	int n = mask_count(d, c->smask);

	say(f, "their %d sibling%s through ", n, n == 1 ? "" : "s");
	if (c->nsiblings == 1)
		say(f, "%s", addr_format(&c->sibling, s, sizeof(s)));
	else
		say(f, "%d other branches", c->nsiblings);
	say(f, " lose %s%%", pct(f->baseline_pct, x, sizeof(x)));
}

/*
 * Every hop answers the branch's flows as well as their siblings, the
 * target does not, and the siblings reach it over the same last link:
 * the replies are lost on their way back (with symmetric hashing, on the
 * mirror of the branch), or a filter on the last link picks these flows.
 */
static void emit_return_of_branch(struct diag *d, const struct candidate *c, int end)
{
	const struct results *r = d->r;
	struct finding *f = finding_new(d, FINDING_RETURN_PATH_LOSS);
	char br[ADDR_STRLEN], dst[ADDR_STRLEN];

	if (f == NULL)
		return;
	f->ttl = ttl_of(d, end);
	f->addr = r->config.dst;
	f->prev_addr = prev_responder(d, c->gmask, end);
	add_cause(f, CAUSE_RETURN_PATH);
	add_cause(f, CAUSE_FORWARD_LOSS);
	set_range(d, f, c->gmask, clean_before(d, c->gmask, end, c->g), end, r->config.dst);
	finding_loss(f, c->g, tally_rate(c->s));
	finding_failing_flows(d, f, c->gmask);
	addr_format(&r->hops[c->k].branches[c->b].addr, br, sizeof(br));
	say(f, "flows through %s ", br);
	say_loss(f, "end to end");
	say(f, " though every hop answers them; ");
	say_siblings(d, f, c);
	say(f, " over the same last hop: %s's replies to them are lost on the way back (on the "
	       "mirror of %s if routers hash symmetrically), or a filter on the ",
	    addr_format(&r->config.dst, dst, sizeof(dst)), br);
	say_range(f);
	say(f, " drops only them");
}

/*
 * The branch's flows fail like flows found failing on the way back beside
 * clean path-mates (find_return_path): one cause, one finding.  Their
 * flows join it; forward loss on the last link stays possible for the
 * branch's flows, which have no clean path-mates.  False when there is no
 * such finding.
 */
static bool merge_return(struct diag *d, const struct candidate *c, int end)
{
	struct finding *f = NULL;
	unsigned char *mask;
	char dst[ADDR_STRLEN], br[ADDR_STRLEN];
	double baseline;

	for (int i = 0; i < d->out->count && f == NULL; i++)
		if (d->out->items[i].kind == FINDING_RETURN_PATH_LOSS && d->out->items[i].ncauses == 1)
			f = &d->out->items[i];
	if (f == NULL || (mask = calloc((size_t)d->nflows + 1, 1)) == NULL)
		return false;
	for (int i = 0; i < d->nflows; i++)
		mask[i] = c->gmask[i];
	for (int j = 0; j < f->nflows; j++) {
		int i = flow_index(d->r, f->flows[j]);

		if (i >= 0)
			mask[i] = 1;
	}
	baseline = f->baseline_pct / 100.0;
	free(f->flows);
	free(f->source_ports);
	f->flows = NULL;
	f->source_ports = NULL;
	f->summary[0] = '\0';
	finding_loss(f, pool_e2e(d, mask), baseline);
	finding_failing_flows(d, f, mask);
	free(mask);
	add_cause(f, CAUSE_FORWARD_LOSS);
	set_range(d, f, c->gmask, clean_before(d, c->gmask, end, c->g), end, d->r->config.dst);
	addr_format(&d->r->hops[c->k].branches[c->b].addr, br, sizeof(br));
	say(f, "%d flows (source ports ", f->nflows);
	say_ports(f);
	say(f, ") ");
	say_loss(f, "end to end");
	say(f, ": some beside clean flows on the same forward path, and every flow through %s "
	       "though every hop answers it; replies from %s are hashed onto a bad return path",
	    br, addr_format(&d->r->config.dst, dst, sizeof(dst)));
	unplaced_drop_named(f);
	say_unplaced(f);
	return true;
}

/*
 * The flows the finding names: the branch's, and those it left out for
 * losing much more (spared, less those the way back explained):
 * they cross the same lossy links, and every failing port is named.
 */
static void name_flows(struct diag *d, struct finding *f, const struct candidate *c,
		       const unsigned char *spared)
{
	unsigned char *m = malloc((size_t)d->nflows + 1);
	const struct ip_addr *at = &d->r->hops[c->k].branches[c->b].addr;

	if (m == NULL) {
		d->oom = true;
		return;
	}
	for (int j = 0; j < d->nflows; j++)
		m[j] = c->gmask[j] || (spared != NULL && spared[j] && flow_has_hop(&d->r->flows[j], c->k) &&
				       addr_equal(&d->r->flows[j].path[c->k], at));
	finding_failing_flows(d, f, m);
	free(m);
}

static void emit_lossy_branch(struct diag *d, const struct candidate *c, const unsigned char *spared)
{
	const struct results *r = d->r;
	int end = mask_end(d, c->gmask), k, to;
	bool shown;
	struct ip_addr at, prev;
	struct finding *f;

	k = localise(d, c->gmask, c->smask, c->k, c->g, &shown);
	prev = prev_responder(d, c->gmask, k);
	if (shown && k >= end && last_hop_shared(d, c->gmask, c->smask, end)) {
		if (!merge_return(d, c, end))
			emit_return_of_branch(d, c, end);
		return;
	}
	if (k == c->k)
		at = r->hops[c->k].branches[c->b].addr;
	else if (k >= end)
		at = r->config.dst;	/* every hop clean: the last link */
	else
		at = majority_addr(d, c->gmask, k);
	f = finding_new(d, FINDING_LOSSY_BRANCH);
	if (f == NULL)
		return;
	/* No answer at the hop where the loss starts: the far end of the link is unknown ("*"). */
	if (!addr_is_set(&at) && k == c->k)
		at = r->hops[c->k].branches[c->b].addr;
	f->ttl = ttl_of(d, k);
	f->addr = at;
	f->prev_addr = prev;
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	say_branch(d, f, c);
	/* Loss not placed yet: anywhere from the link into the branch to the target. */
	to = shown ? surely_by(d, c->gmask, k, c->g) : end;
	set_range(d, f, c->gmask, clean_before(d, c->gmask, k, c->g), to,
		  to == k ? at : to >= end ? r->config.dst : majority_addr(d, c->gmask, to));
	finding_loss(f, c->g, tally_rate(c->s));
	name_flows(d, f, c, spared);
	say_loss(f, "end to end");
	if (shown)
		say(f, " from hop %d on (", f->ttl);
	else
		say(f, " somewhere ");
	say_range(f);
	say(f, shown ? "); " : "; ");
	say_siblings(d, f, c);
	/* Symmetric hashing sends exactly these flows' replies back over the same links. */
	say(f, "; or their replies are lost on the way back over the same links, if routers hash "
	       "symmetrically");
}

/* Lossy branches found, reported once every pass is done. */
struct kept {
	struct candidate *v;
	int n, cap;
	/*
	 * Flows a lossy branch left out because they lose much more still:
	 * beside the branch's own loss, chance and selection (the lane gives
	 * flows that lost more probes) can make a few of them look apart.
	 */
	unsigned char *spared;
};

/* Is every flow of inner in outer?  Then rest holds outer's other flows. */
static bool outside_of(const struct diag *d, const unsigned char *inner, const unsigned char *outer,
		       unsigned char *rest)
{
	for (int f = 0; f < d->nflows; f++)
		if (inner[f] && !outer[f])
			return false;
	for (int f = 0; f < d->nflows; f++)
		rest[f] = outer[f] && !inner[f];
	return true;
}

/*
 * Two lossy branches share some flows (at different hops, each split
 * picks its own): the one whose other flows lose nothing special while
 * the other's other flows lose on their own is only riding on it, by the
 * chance of which flows it drew, and gives way.
 */
static void drop_riders(struct diag *d, struct candidate *cands, int ncands, unsigned char *xo,
			unsigned char *yo)
{
	for (int i = 0; i < ncands; i++) {
		struct candidate *x = &cands[i];

		for (int j = 0; j < ncands && x->keep; j++) {
			const struct candidate *y = &cands[j];
			bool overlap = false;
			struct tally tx, ty;

			if (j == i || !y->keep)
				continue;
			for (int f = 0; f < d->nflows; f++) {
				overlap |= x->gmask[f] && y->gmask[f];
				xo[f] = x->gmask[f] && !y->gmask[f];
				yo[f] = y->gmask[f] && !x->gmask[f];
			}
			tx = pool_e2e(d, xo);
			ty = pool_e2e(d, yo);
			if (!overlap || tally_n(ty) == 0)
				continue;
			if ((tally_n(tx) == 0 || test_lossier(tx, x->s) >= ALPHA_LOOSE) &&
			    test_lossier(ty, y->s) < ALPHA)
				x->keep = false;
		}
	}
}

/*
 * A branch further on whose flows all went through an earlier lossy
 * branch, and lose no more than that branch's other flows, only inherits
 * the earlier loss: it gives way, or its range would miss the link.
 */
static void drop_explained(struct diag *d, struct candidate *cands, int ncands, unsigned char *part)
{
	for (int i = 0; i < ncands; i++) {
		struct candidate *y = &cands[i];

		for (int j = 0; j < ncands && y->keep; j++) {
			const struct candidate *x = &cands[j];

			if (j == i || !x->keep || x->k >= y->k ||
			    !outside_of(d, y->gmask, x->gmask, part))
				continue;
			if (test_lossier(y->g, pool_e2e(d, part)) >= ALPHA)
				y->keep = false;
		}
	}
}

/* Appends c to a list of candidates (which takes its masks over); false when out of memory. */
static bool cand_push(struct candidate **v, int *n, int *cap, struct candidate c)
{
	if (*n == *cap) {
		int ncap = *cap ? 2 * *cap : 8;
		struct candidate *grown = realloc(*v, (size_t)ncap * sizeof(*grown));

		if (grown == NULL)
			return false;
		*v = grown;
		*cap = ncap;
	}
	(*v)[(*n)++] = c;
	return true;
}

static void cand_free(struct candidate *c)
{
	free(c->gmask);
	free(c->smask);
	c->gmask = c->smask = NULL;
}

/* Was branch bi at hop index k reported by an earlier pass?  It stays reported once. */
static bool already_kept(const struct kept *kept, int k, int bi)
{
	for (int j = 0; j < kept->n; j++)
		if (kept->v[j].k == k && kept->v[j].b == bi)
			return true;
	return false;
}

/*
 * Fills c's sibling mask: the active flows of the branches beside c's at
 * its hop that share its parent.  Two addresses of one router (its route
 * back is multipath) part flows by how their errors return, not by where
 * they go: no sibling of each other.
 */
static void sibling_mask(const struct diag *d, const unsigned char *active, struct candidate *c,
			 unsigned char *part)
{
	const struct hop_result *h = &d->r->hops[c->k];
	const struct branch_result *b = &h->branches[c->b];

	for (int sj = 0; sj < h->nbranches; sj++) {
		const struct branch_result *s = &h->branches[sj];

		if (sj == c->b || !branch_comparable(s) || !branches_share_parent(b, s, c->k) ||
		    (b->router != 0 && s->router == b->router))
			continue;
		branch_mask(d, s, part);
		for (int i = 0; i < d->nflows; i++)
			if (part[i] && active[i] && !c->gmask[i] && c->k < d->end[i])
				c->smask[i] = 1;
		if (c->nsiblings++ == 0)
			c->sibling = s->addr;
	}
}

/*
 * Builds the candidate for branch bi at hop index k: its active flows and
 * its siblings', pooled end to end.  1 when both have enough samples to
 * compare, 0 when not (c is left empty), -1 when out of memory.
 */
static int make_candidate(const struct diag *d, const unsigned char *active, int k, int bi,
			  unsigned char *part, struct candidate *c)
{
	const struct branch_result *b = &d->r->hops[k].branches[bi];

	*c = (struct candidate){.k = k, .b = bi, .p = 1.0};
	c->gmask = calloc((size_t)d->nflows + 1, 1);
	c->smask = calloc((size_t)d->nflows + 1, 1);
	if (c->gmask == NULL || c->smask == NULL) {
		cand_free(c);
		return -1;
	}
	branch_mask(d, b, c->gmask);
	for (int i = 0; i < d->nflows; i++)
		c->gmask[i] = c->gmask[i] && active[i] && k < d->end[i];
	sibling_mask(d, active, c, part);
	c->g = pool_e2e(d, c->gmask);
	c->s = pool_e2e(d, c->smask);
	if (tally_n(c->g) < MIN_SAMPLES || tally_n(c->s) < MIN_SAMPLES) {
		cand_free(c);
		return 0;
	}
	return 1;
}

/*
 * Every branch worth testing, with the p-value of its flows losing more
 * than its siblings'.  Returns the number of tests made (for the
 * multiple-test correction), -1 when out of memory.
 */
static int collect_candidates(const struct diag *d, const unsigned char *active,
			      const struct kept *kept, unsigned char *part,
			      struct candidate **cands, int *ncands, int *cap)
{
	int m = 0;

	for (int k = 0; k < d->nhops; k++) {
		const struct hop_result *h = &d->r->hops[k];

		for (int bi = 0; h->branches != NULL && bi < h->nbranches; bi++) {
			const struct branch_result *b = &h->branches[bi];
			struct candidate c;
			int made;

			if (already_kept(kept, k, bi) ||
			    !(branch_comparable(b) || (branch_dark(b) && dark_on(d, b, k))))
				continue;
			made = make_candidate(d, active, k, bi, part, &c);
			if (made <= 0) {
				if (made < 0)
					return -1;
				continue;
			}
			m++;
			c.p = test_lossier(c.g, c.s);
			/*
			 * In UDP mode the target's port unreachables are rate
			 * limited: flows probed later in a round lose more.  Only
			 * siblings that do not lose make the branch stand out.
			 */
			if (udp_target_limited(d->r) && !clean_figure(c.s))
				c.p = 1.0;
			if (!cand_push(cands, ncands, cap, c)) {
				cand_free(&c);
				return -1;
			}
		}
	}
	return m;
}

/*
 * Does candidate c (one of m tests) stand out as a lossy branch?  Siblings
 * that lose as well (loss the flows share, at the target or on a common
 * link) make chance differences between branches likelier than the exact
 * test assumes: the lane gives flows that lost more probes, and every
 * snapshot tests again.  A branch must then stand out far more.  A branch
 * whose flows split into lossy and clean ones, the clean ones no worse
 * than the siblings, holds a few bad flows, not a bad link; when its clean
 * ones are worse too, its flows that lose much more still stay out of it
 * (kept->spared), for the return-path test to judge.
 */
static void judge_candidate(struct diag *d, struct candidate *c, int m, unsigned char *part,
			    unsigned char *lossy, struct kept *kept)
{
	struct tally clean;
	int n;

	c->keep = c->p < ALPHA / m / (clean_figure(c->s) ? 1.0 : LOSSY_SIBLINGS_FACTOR);
	if (!c->keep || !partition(d, c->gmask, lossy))
		return;
	for (int j = 0; j < d->nflows; j++)
		part[j] = c->gmask[j] && !lossy[j];
	clean = pool_e2e(d, part);
	if (test_lossier(clean, c->s) >= ALPHA_LOOSE) {
		c->keep = false;
		return;
	}
	n = mask_count(d, c->gmask);
	for (int j = 0; j < d->nflows; j++) {
		struct tally t = {d->r->flows[j].received, d->r->flows[j].lost};

		if (c->gmask[j] && lossy[j] && test_lossier(t, clean) < ALPHA / n) {
			c->gmask[j] = 0;
			kept->spared[j] = 1;
		}
	}
	c->g = pool_e2e(d, c->gmask);
}

/*
 * A branch that only looks lossy because a narrower branch further on
 * carries the loss gives way to it: compare what is left of it.  The
 * narrower one need only be loosely significant: the wider one's other
 * flows being clean is what shows it is a mix.
 */
static void give_way_to_narrower(const struct diag *d, struct candidate *cands, int ncands,
				 unsigned char *part)
{
	for (int i = 0; i < ncands; i++) {
		struct candidate *x = &cands[i];

		for (int j = 0; x->keep && j < ncands; j++) {
			const struct candidate *y = &cands[j];

			if (j == i || y->k <= x->k || !(y->p < ALPHA_LOOSE) ||
			    !outside_of(d, y->gmask, x->gmask, part))
				continue;
			if (test_lossier(pool_e2e(d, part), x->s) >= ALPHA)
				x->keep = false;
		}
	}
}

/* Moves the candidates still kept to kept and takes their flows out of active. */
static bool keep_candidates(struct diag *d, struct candidate *cands, int ncands,
			    unsigned char *active, struct kept *kept)
{
	bool found = false;

	for (int i = 0; i < ncands; i++) {
		if (!cands[i].keep)
			continue;
		for (int f = 0; f < d->nflows; f++)
			if (cands[i].gmask[f])
				active[f] = 0;
		if (!cand_push(&kept->v, &kept->n, &kept->cap, cands[i])) {
			d->oom = true;
			return found;
		}
		cands[i].gmask = NULL;
		cands[i].smask = NULL;
		found = true;
	}
	return found;
}

/*
 * Finds branches whose flows lose more end to end than their siblings'
 * (among the active flows), adds them to kept and removes their flows from
 * active.
 */
static bool find_lossy_branches(struct diag *d, unsigned char *active, struct kept *kept)
{
	struct candidate *cands = NULL;
	unsigned char *part = malloc((size_t)d->nflows + 1), *lossy = malloc((size_t)d->nflows + 1);
	int ncands = 0, cap = 0, m = -1;
	bool found = false;

	if (part != NULL && lossy != NULL)
		m = collect_candidates(d, active, kept, part, &cands, &ncands, &cap);
	if (m >= 0) {
		for (int i = 0; i < ncands; i++)
			judge_candidate(d, &cands[i], m, part, lossy, kept);
		give_way_to_narrower(d, cands, ncands, part);
		drop_explained(d, cands, ncands, part);
		drop_riders(d, cands, ncands, part, lossy);
		found = keep_candidates(d, cands, ncands, active, kept);
	}
	d->oom |= m < 0;
	for (int i = 0; i < ncands; i++)
		cand_free(&cands[i]);
	free(cands);
	free(part);
	free(lossy);
	return found;
}

/* ---- Return path ---- */

/* The flow analyses that need end-to-end figures (steps 1-3 above). */
void find_loss(struct diag *d)
{
	unsigned char *active = malloc((size_t)d->nflows + 1);
	unsigned char *lossy = malloc((size_t)d->nflows + 1);
	unsigned char *returned = calloc((size_t)d->nflows + 1, 1);
	struct kept kept = {NULL, 0, 0, calloc((size_t)d->nflows + 1, 1)};
	bool split = false;

	if (active == NULL || lossy == NULL || returned == NULL || kept.spared == NULL) {
		d->oom = true;
		goto out;
	}
	memcpy(active, d->eligible, (size_t)d->nflows);
	/*
	 * Each pass removes the flows it explains, so a bad branch hidden by
	 * flows that fail for another reason shows in the next pass.
	 */
	for (int pass = 0; pass < MAX_PASSES && !d->oom; pass++) {
		bool found;

		found = find_lossy_branches(d, active, &kept);
		split = partition(d, active, lossy);
		if (split && find_return_path(d, active, lossy, returned, kept.spared))
			found = true;
		if (!found)
			break;
	}
	if (d->oom)
		goto out;
	/*
	 * Report the lossy branches now, their siblings' figures without the
	 * flows found failing on the way back since.
	 */
	for (int j = 0; j < d->nflows; j++)
		kept.spared[j] = kept.spared[j] && !returned[j];
	for (int i = 0; i < kept.n; i++) {
		struct candidate *c = &kept.v[i];

		for (int j = 0; j < d->nflows; j++)
			c->smask[j] = c->smask[j] && !returned[j];
		c->s = pool_e2e(d, c->smask);
		emit_lossy_branch(d, c, kept.spared);
	}
	split = partition(d, active, lossy);
	/* Spared flows were named by their branch (name_flows): not a path of their own. */
	if (split)
		find_own_path(d, active, lossy, kept.spared);
	/* Flows the split calls lossy but nothing explains are left out. */
	for (int i = 0; i < d->nflows; i++)
		if (split && lossy[i])
			active[i] = 0;
	find_common_loss(d, active);
out:
	for (int i = 0; i < kept.n; i++) {
		free(kept.v[i].gmask);
		free(kept.v[i].smask);
	}
	free(kept.v);
	free(active);
	free(lossy);
	free(returned);
	free(kept.spared);
}
