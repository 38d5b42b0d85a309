/*
 * The walk's rule at one TTL of a discovery pass (the algorithm is told in
 * mda.c): what the flows show at t and t-1, the hop-level stopping rule,
 * stand-ins for answers a rate limit withheld, then the tests of uniform,
 * unmeshed balancing with the per-packet recheck and, where they fail, the
 * per-vertex rule with node control.  mda_pick.c calls mda_plan_ttl for
 * the walk's TTL and mda_finish_ttl when the walk leaves it.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/mda_int.h"

/* Per-vertex figures of the hop before t, in the scratch buffer. */
struct vtab {
	int nv, nw;
	int *cnt;		/* per vertex at t-1: flows answered at t */
	int *pend;		/* ... pending or to be tried again at t */
	int *live;		/* ... pending at t and not yet overdue */
	int *gaveup;		/* ... silent at t after every try */
	int *probed;		/* ... probed at t at all */
	int *avail;		/* ... a flow not yet probed at t, or -1 */
	int *deg;		/* ... distinct responders at t */
	int *indeg;		/* per responder at t: distinct router predecessors */
	int *adj;		/* nv x nw: seen edges */
};

static bool vtab_alloc(struct mda *m, struct vtab *v, int nv, int nw)
{
	size_t need = (size_t)nv * 7 + (size_t)nw + (size_t)nv * (size_t)nw + 1;

	if (need > m->capscratch) {
		int *s = realloc(m->scratch, need * sizeof(*s));

		if (s == NULL)
			return false;
		m->scratch = s;
		m->capscratch = need;
	}
	memset(m->scratch, 0, need * sizeof(*m->scratch));
	v->nv = nv;
	v->nw = nw;
	v->cnt = m->scratch;
	v->pend = v->cnt + nv;
	v->live = v->pend + nv;
	v->gaveup = v->live + nv;
	v->probed = v->gaveup + nv;
	v->avail = v->probed + nv;
	v->deg = v->avail + nv;
	v->indeg = v->deg + nv;
	v->adj = v->indeg + nw;
	for (int i = 0; i < nv; i++)
		v->avail[i] = -1;
	return true;
}

static int max_tries(const struct mda_hop *h)
{
	/* A hop where nothing answers is silent, not rate limited: do not hammer it. */
	return h->nresp > 0 ? MDA_MAX_TRIES : 1;
}

/*
 * The flow to take at TTL t when nothing ties it to a vertex: one that was
 * silent at t-1, else one not probed at t-1 (or a new one).
 */
int mda_free_flow(const struct engine *e, int t, bool for_prev)
{
	int silent = -1, fresh = -1, from = e->mda.fresh_from;

	/* Flows this pass made come first; flows earlier passes used, last. */
	for (int n = 0; n < e->nflows; n++) {
		int i = (from + n) % e->nflows;
		const struct flow_state *f = &e->flows[i];
		const struct mda_obs *o = &f->obs[t];
		const struct mda_obs *p = t > e->cfg.first_ttl ? &f->obs[t - 1] : NULL;

		if (o->state != OBS_NONE || mda_ended_before(f, t))
			continue;
		if (for_prev) {
			/* Node control probes at t: the flow must be new at t + 1 too. */
			if (t < e->cfg.max_ttl && f->obs[t + 1].state != OBS_NONE)
				continue;
			if (fresh < 0)
				fresh = i;
			continue;
		}
		if (p == NULL || p->state == OBS_NONE) {
			if (fresh < 0)
				fresh = i;
		} else if (p->state == OBS_LOST && silent < 0) {
			silent = i;
		}
	}
	if (silent >= 0)
		return silent;
	/* An old flow only when no new one can be made: it would repeat its old answer. */
	if (fresh >= 0 && (fresh >= from || e->nflows >= e->cfg.max_flows))
		return fresh;
	return e->nflows < e->cfg.max_flows ? -1 : -2;
}

/*
 * How long an answer may take before the pass stops counting on it, given
 * the slowest round trip seen so far there (or one hop closer): twice
 * that, plus the capture's batching.  0 when no round trip is known yet.
 */
static uint64_t answer_grace(const struct engine *e, uint64_t slowest_us)
{
	uint64_t grace;

	if (slowest_us == 0)
		return 0;
	grace = 2 * slowest_us + e->cfg.answer_delay_us + MDA_ANSWER_SLACK_US;
	return grace < e->cfg.timeout_us ? grace : e->cfg.timeout_us;
}

/* How long an answer at t may take before it counts as withheld (0: no round trip known). */
static uint64_t hop_grace(const struct engine *e, int t)
{
	const struct mda_hop *h = &e->mda.hops[t];
	const struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;
	uint64_t slowest = hp != NULL && hp->slowest_us > h->slowest_us ? hp->slowest_us
								: h->slowest_us;

	return answer_grace(e, slowest);
}

/* A probe at ttl, when the hop's rate limiters allow it (mda_pace.c). */
struct want mda_paced(struct engine *e, int flow, int ttl, uint64_t now)
{
	uint64_t wake = 0;

	if (!mda_pace_gate(e, ttl, now, hop_grace(e, ttl), &wake)) {
		e->mda.gated = true;
		return (struct want){.step = MDA_WAIT, .wake = wake};
	}
	return (struct want){.step = MDA_PROBE, .flow = flow, .ttl = ttl};
}

/*
 * Is balancing from t-1 to t visibly not uniform?  A vertex at t-1 that
 * surely has fewer next hops than a sibling, vertices at t with different
 * numbers of predecessors once every count is sure, or a hop t-1 that was
 * itself not uniform.
 */
static bool looks_nonuniform(const struct engine *e, const struct vtab *v, int t)
{
	const struct mda_hop *hp = &e->mda.hops[t - 1];
	int dmax = -1, imin = -1, imax = -1, routers = 0;
	bool all_sure = true;

	for (int i = 0; i < v->nv; i++) {
		if (hp->resp_end[i] || v->deg[i] == 0)
			continue;
		routers++;
		if (v->deg[i] > dmax)
			dmax = v->deg[i];
	}
	if (routers < 2)
		return false;
	/*
	 * With a few flows per router, a router with two next hops often shows
	 * one by chance.  Fewer next hops than a sibling is evidence only when
	 * the router's own flows are enough to trust its count: as many as the
	 * stopping rule asks for its degree.
	 */
	for (int i = 0; i < v->nv; i++) {
		if (hp->resp_end[i] || v->deg[i] == 0)
			continue;
		if (v->cnt[i] < mda_stop_count(e->cfg.confidence, v->deg[i]))
			all_sure = false;
		else if (v->deg[i] < dmax)
			return true;
	}
	/* Predecessor counts (meshing, merging) mean something once every router's are sure. */
	if (!all_sure)
		return hp->nonuniform;
	for (int j = 0; j < v->nw; j++) {
		if (v->indeg[j] == 0)
			continue;
		if (imin < 0 || v->indeg[j] < imin)
			imin = v->indeg[j];
		if (v->indeg[j] > imax)
			imax = v->indeg[j];
	}
	return imin != imax || hp->nonuniform;
}

/*
 * When the first answers of a hop whose probes went out at sent should be
 * in; 0 when nothing is known of the hop before (probe on at once).
 */
static uint64_t first_answers_due(const struct engine *e, const struct mda_hop *hp,
				  uint64_t sent)
{
	uint64_t grace;

	if (hp == NULL || sent == UINT64_MAX)
		return 0;
	grace = answer_grace(e, hp->slowest_us);
	return grace ? sent + grace : 0;
}

/* Does a router at t-1 with several next hops lead to a vertex with several predecessors? */
static bool looks_meshed(const struct engine *e, const struct vtab *v, int t)
{
	const struct mda_hop *hp = &e->mda.hops[t - 1];

	for (int i = 0; i < v->nv; i++) {
		if (hp->resp_end[i] || v->deg[i] < 2)
			continue;
		for (int j = 0; j < v->nw; j++)
			if (v->adj[i * v->nw + j] && v->indeg[j] >= 2)
				return true;
	}
	return false;
}

/*
 * Between the last single-router hop and u, did a stage keep flows apart:
 * no vertex reached from two routers, over a few flows more than there are
 * routers?  Flows balanced per packet before that stage would have landed
 * at random and merged, so meshing seen after it is real.
 */
static bool branches_held_before(const struct engine *e, int u)
{
	for (int s = u; s > e->cfg.first_ttl; s--) {
		const struct mda_hop *hs = &e->mda.hops[s], *hp = &e->mda.hops[s - 1];
		int routers = mda_hop_routers(e, hp), pairs = 0, *from, w, v;
		bool merged = false;

		if (routers < 2)
			return false;
		from = malloc(((size_t)hs->nresp + 1) * sizeof(*from));
		if (from == NULL)
			return false;
		for (int j = 0; j < hs->nresp; j++)
			from[j] = -1;
		for (int i = 0; i < e->nflows; i++) {
			const struct mda_obs *p = &e->flows[i].obs[s - 1], *o = &e->flows[i].obs[s];

			if (p->state != OBS_ANSWERED || o->state != OBS_ANSWERED || p->resp < 0 ||
			    o->resp < 0 || hp->resp_end[p->resp])
				continue;
			pairs++;
			w = mda_vertex(e, hs, o->resp);
			v = mda_vertex(e, hp, p->resp);
			if (from[w] < 0)
				from[w] = v;
			else if (from[w] != v)
				merged = true;
		}
		free(from);
		if (!merged && pairs >= routers + 2)
			return true;
	}
	return false;
}

/* ---- the walk's rule at one TTL, step by step ---------------------------- */

/* What the flows show at TTL t (and t-1) while the walk is there. */
struct ttl_tally {
	int answered;		/* flows answered at t */
	int pending;		/* out at t, or lost there and due to be tried again */
	int gaveup;		/* silent at t after every try */
	int prev_pending;	/* out at t-1 */
	int rechecks_out;	/* per-packet rechecks out at t-1 */
	int overdue;		/* out at t for longer than grace */
	int retry;		/* a flow lost at t whose retry is due now, or -1 */
	uint64_t wake_at;	/* when a probe out turns overdue or a retry is due (0: none) */
	uint64_t oldest_pending;	/* sending time of the oldest probe out at t (UINT64_MAX: none) */
	uint64_t grace;		/* how long an answer may take before a stand-in (0: no stand-ins) */
};

/* A flow whose probe at t is out: live, or overdue past the grace. */
static void tally_pending(const struct mda_obs *o, int vx, uint64_t now, struct vtab *v,
			  struct ttl_tally *c)
{
	c->pending++;
	if (o->last_sent < c->oldest_pending)
		c->oldest_pending = o->last_sent;
	if (vx >= 0)
		v->pend[vx]++;
	if (c->grace > 0 && now >= o->last_sent + c->grace) {
		c->overdue++;
		return;
	}
	if (vx >= 0)
		v->live[vx]++;
	if (c->grace > 0 && (c->wake_at == 0 || o->last_sent + c->grace < c->wake_at))
		c->wake_at = o->last_sent + c->grace;
}

/* Flow i's probe at t timed out: due again (now or later), or given up on after tries. */
static void tally_lost(const struct mda_obs *o, int i, int vx, int tries, uint64_t now,
		       struct vtab *v, struct ttl_tally *c)
{
	uint64_t at = o->last_sent + MDA_RETRY_GAP_US;

	if (o->tries >= tries) {
		c->gaveup++;
		if (vx >= 0)
			v->gaveup[vx]++;
		return;
	}
	c->pending++;
	if (vx >= 0)
		v->pend[vx]++;
	if (vx >= 0 && c->grace == 0)
		v->live[vx]++;	/* no stand-in: wait for the retry */
	if (at <= now) {
		if (c->retry < 0)
			c->retry = i;
	} else if (c->wake_at == 0 || at < c->wake_at) {
		c->wake_at = at;
	}
}

/* Flow i at t and t-1, counted into the vertex table and the tally. */
static void tally_flow(const struct engine *e, int t, int i, int tries, uint64_t now,
		       struct vtab *v, struct ttl_tally *c)
{
	const struct mda_hop *h = &e->mda.hops[t];
	const struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;
	const struct flow_state *f = &e->flows[i];
	const struct mda_obs *o = &f->obs[t];
	const struct mda_obs *p = hp ? &f->obs[t - 1] : NULL;
	/* Vertices are routers: the addresses of one count as its first. */
	int vx = p && p->state == OBS_ANSWERED && p->resp >= 0 && !hp->resp_end[p->resp]
		 ? mda_vertex(e, hp, p->resp) : -1;
	int w = o->resp >= 0 ? mda_vertex(e, h, o->resp) : -1;

	if (p && p->state == OBS_PENDING)
		c->prev_pending++;
	if (p && p->recheck == 1)
		c->rechecks_out++;
	switch (o->state) {
	case OBS_NONE:
		if (vx >= 0 && v->avail[vx] < 0 && !mda_ended_before(f, t))
			v->avail[vx] = i;
		return;
	case OBS_PENDING:
		tally_pending(o, vx, now, v, c);
		break;
	case OBS_ANSWERED:
		c->answered++;
		if (vx >= 0 && w >= 0) {
			int *edge = &v->adj[vx * v->nw + w];

			v->cnt[vx]++;
			if (!*edge) {
				*edge = 1;
				v->deg[vx]++;
				v->indeg[w]++;
			}
		}
		break;
	case OBS_LOST:
		tally_lost(o, i, vx, tries, now, v, c);
		break;
	default:
		break;
	}
	if (vx >= 0)
		v->probed[vx]++;
}

/* Every flow at t and t-1. */
static void tally_ttl(const struct engine *e, int t, uint64_t now, struct vtab *v,
		      struct ttl_tally *c)
{
	const struct mda_hop *h = &e->mda.hops[t];
	int tries = max_tries(h);

	*c = (struct ttl_tally){.retry = -1, .oldest_pending = UINT64_MAX};
	/* Stand-ins only where the hop branches: at one router a new flow meets the same limit. */
	c->grace = mda_hop_routers(e, h) >= 2 ? hop_grace(e, t) : 0;
	for (int i = 0; i < e->nflows; i++)
		tally_flow(e, t, i, tries, now, v, c);
}

/*
 * The stopping rule's guarantee rests on answers alone: once n_k answers
 * show k responders and every router at t-1 has been followed, probes
 * still out (or lost and due again) can only add samples.  Not waiting for
 * them is what keeps rate-limited routers (6 answers, then one a second)
 * from holding the pass a timeout per hop.
 */
static bool hop_settled(const struct engine *e, int t, const struct vtab *v,
			const struct ttl_tally *c, int stop_at)
{
	const struct mda_hop *h = &e->mda.hops[t];
	const struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;

	if (h->nresp == 0 || c->answered < stop_at)
		return false;
	for (int i = 0; i < v->nv; i++)
		if (!hp->resp_end[i] && v->cnt[i] == 0 && v->gaveup[i] < 2 &&
		    (v->pend[i] > 0 || v->avail[i] >= 0))
			return false;
	return true;
}

/*
 * An answer overdue by far from a hop that answers others was most likely
 * withheld by an ICMP rate limit: another flow now is cheaper than the
 * timeout and a retry a second later.  Stand-ins land on routers that may
 * be just as exhausted: at most one outstanding per router, and
 * MDA_STANDINS_PER_ROUTER per router in all, after which a hop whose
 * routers went quiet waits for its retries rather than pile more flows
 * onto them.  Returns how many answers are presumed withheld; their
 * probes are marked owed.
 */
static int presume_withheld(struct engine *e, int t, const struct ttl_tally *c, uint64_t now)
{
	const struct mda_hop *h = &e->mda.hops[t];
	int routers = mda_hop_routers(e, h);
	int presumed = c->overdue < routers ? c->overdue : routers;

	if (h->standins >= MDA_STANDINS_PER_ROUTER * routers)
		presumed = 0;
	for (int i = 0; presumed > 0 && i < e->nflows; i++) {
		struct mda_obs *o = &e->flows[i].obs[t];

		if (o->state == OBS_PENDING && now >= o->last_sent + c->grace)
			o->owed = true;
	}
	return presumed;
}

/*
 * The hop-level rule: n_k answers for k responders seen (a silent hop: n_1
 * silences).  True, with *out, when it asks for a probe or a wait.
 */
static bool hop_rule(struct engine *e, int t, const struct vtab *v, const struct ttl_tally *c,
		     int stop_at, int presumed_lost, uint64_t now, struct want *out)
{
	struct mda_hop *h = &e->mda.hops[t];
	const struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;
	int need, best = -1;
	bool standin;

	if (h->nresp > 0) {
		need = stop_at - c->answered - (c->pending - presumed_lost);
	} else if (c->pending > 0 && c->gaveup == 0 &&
		   first_answers_due(e, hp, c->oldest_pending) > now) {
		/*
		 * The first answers tell how many to send: the target's hop
		 * and the first hop need fewer than a silent hop's n_1.
		 */
		*out = (struct want){.step = MDA_WAIT,
				     .wake = first_answers_due(e, hp, c->oldest_pending)};
		return true;
	} else if (t == 1 && e->cfg.first_hop_fanout > 0) {
		need = e->cfg.first_hop_fanout - c->gaveup - c->pending;
	} else {
		need = mda_stop_count(e->cfg.confidence, 1) - c->gaveup - c->pending;
	}
	if (need <= 0)
		return false;
	/* Only the overdue answers ask for it: a stand-in. */
	standin = h->nresp > 0 && stop_at - c->answered - c->pending <= 0;
	/* Reuse a flow through the least-probed vertex at t-1: spreads the flows evenly. */
	for (int i = 0; i < v->nv; i++)
		if (v->avail[i] >= 0 && (best < 0 || v->probed[i] < v->probed[best]))
			best = i;
	best = best >= 0 ? v->avail[best] : mda_free_flow(e, t, false);
	if (best == -2) {
		h->capped = true;
		return false;
	}
	*out = mda_paced(e, best, t, now);
	if (standin && out->step == MDA_PROBE)
		h->standins++;
	return true;
}

/*
 * Flows that seem to change next hop at random may be balanced per packet
 * before t-1: probe a few of them there again.  True, with *out, while a
 * recheck is to be sent; then the hop before is marked checked.
 */
static bool recheck_per_packet(struct engine *e, int t, uint64_t now, struct want *out)
{
	struct mda_hop *hp = &e->mda.hops[t - 1];
	int sent = 0;

	for (int i = 0; i < e->nflows; i++) {
		const struct mda_obs *p = &e->flows[i].obs[t - 1];

		if (p->state == OBS_ANSWERED && p->recheck != 0)
			sent++;
	}
	for (int i = 0; i < e->nflows && sent < MDA_RECHECKS; i++) {
		const struct mda_obs *p = &e->flows[i].obs[t - 1];

		if (p->state == OBS_ANSWERED && p->recheck == 0 && p->resp >= 0 &&
		    !hp->resp_end[p->resp]) {
			*out = mda_paced(e, i, t - 1, now);
			return true;
		}
	}
	hp->checked_pp = true;
	return false;
}

/*
 * MDA's per-vertex rule where balancing into t is not uniform: every
 * router at t-1 gets the answers its own degree asks for, through its own
 * flows, or through new flows probed at t-1 ("node control").
 */
static struct want per_vertex_rule(struct engine *e, int t, const struct vtab *v,
				   const struct ttl_tally *c, uint64_t now)
{
	struct mda_hop *h = &e->mda.hops[t];
	const struct mda_hop *hp = &e->mda.hops[t - 1];
	int conf = e->cfg.confidence, need = 0;

	/*
	 * One router at t-1 (its addresses counted once): every flow seen at
	 * t came through it, and the hop rule that holds is its rule.  Its
	 * own answers are no measure of that: a limited router withholds
	 * most, and node control would send it new flows to no end.
	 */
	if (mda_hop_routers(e, hp) == 1)
		return (struct want){.step = MDA_DONE};
	for (int i = 0; i < v->nv; i++) {
		int short_by;

		if (hp->resp_end[i] || mda_vertex(e, hp, i) != i)
			continue;
		/* A vertex whose every flow is silent at t has no successor worth more probes. */
		if (v->cnt[i] == 0 && v->gaveup[i] >= mda_stop_count(conf, 1))
			continue;
		short_by = mda_stop_count(conf, v->deg[i]) - v->cnt[i] - v->pend[i];
		if (short_by <= 0)
			continue;
		if (v->avail[i] >= 0)
			return mda_paced(e, v->avail[i], t, now);
		need += short_by;
	}
	if (need > 0 && !h->capped) {
		/* Node control: new flows at t-1 until enough pass the vertices short of them. */
		if (c->prev_pending < (need < 16 ? need : 16)) {
			int f = mda_free_flow(e, t - 1, true);

			if (f != -2)
				return mda_paced(e, f, t - 1, now);
			h->capped = true;
		}
	}
	return (struct want){.step = MDA_DONE};
}

/*
 * The hop-level rule holds.  Uniform, unmeshed balancing is an assumption:
 * test it, else use the per-vertex rule.  Per-packet balancing upstream
 * looks like meshing or non-uniformity: tell them apart first.
 */
static struct want check_balancing(struct engine *e, int t, const struct vtab *v,
				   const struct ttl_tally *c, uint64_t now)
{
	struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;
	struct want w;
	bool nonuniform;

	if (hp == NULL || hp->per_packet || e->mda.pp_ttl[t - 1])
		return (struct want){.step = MDA_DONE};
	nonuniform = looks_nonuniform(e, v, t);
	if (!nonuniform && (!looks_meshed(e, v, t) || branches_held_before(e, t - 1)))
		return (struct want){.step = MDA_DONE};
	if (!hp->checked_pp) {
		if (recheck_per_packet(e, t, now, &w))
			return w;
		if (hp->per_packet)
			return (struct want){.step = MDA_DONE};
	}
	if (!nonuniform)
		return (struct want){.step = MDA_DONE};
	e->mda.hops[t].nonuniform = true;
	return per_vertex_rule(e, t, v, c, now);
}

struct want mda_plan_ttl(struct engine *e, int t, uint64_t now, int *gaveup_out)
{
	struct mda_hop *h = &e->mda.hops[t];
	struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;
	struct ttl_tally c;
	struct vtab v;
	struct want w;
	int stop_at, presumed_lost;
	bool settled;

	if (!vtab_alloc(&e->mda, &v, hp ? hp->nresp : 0, h->nresp))
		return (struct want){.step = MDA_WAIT, .wake = now + 100000};
	tally_ttl(e, t, now, &v, &c);
	*gaveup_out = c.gaveup;
	stop_at = h->nresp > 0 ? mda_hop_stop_count(e, t, h) : 0;
	settled = hop_settled(e, t, &v, &c, stop_at);

	/* Answers lost to rate limits are asked again before anything else. */
	if (c.retry >= 0 && !settled)
		return mda_paced(e, c.retry, t, now);
	/* Every vertex at t-1 is followed to t by at least one flow. */
	for (int i = 0; i < v.nv; i++)
		if (!hp->resp_end[i] && v.cnt[i] == 0 && v.live[i] == 0 && v.gaveup[i] < 2 &&
		    v.avail[i] >= 0)
			return mda_paced(e, v.avail[i], t, now);
	presumed_lost = presume_withheld(e, t, &c, now);
	if (hop_rule(e, t, &v, &c, stop_at, presumed_lost, now, &w))
		return w;
	if (((c.pending > 0 || c.prev_pending > 0) && !settled) || c.rechecks_out > 0)
		return (struct want){.step = MDA_WAIT, .wake = c.wake_at};
	return check_balancing(e, t, &v, &c, now);
}

/* The pass leaves TTL t: is there a next one? */
bool mda_finish_ttl(struct engine *e, int t, int gaveup)
{
	struct mda *m = &e->mda;
	struct mda_hop *h = &m->hops[t];
	int routers = mda_hop_routers(e, h);

	h->complete = !h->capped && !(h->rate_limited && gaveup > 0) && !h->deferred;
	/*
	 * Where the hop branches, probes still out or due again are asked
	 * again later if their answers do not come: a flow's branch there is
	 * unknown until it answers.  At a single router nothing is unknown.
	 */
	for (int i = 0; i < e->nflows && routers >= 2; i++) {
		struct mda_obs *o = &e->flows[i].obs[t];

		if (o->state == OBS_PENDING || (o->state == OBS_LOST && o->tries < MDA_MAX_TRIES))
			o->owed = true;
	}
	/* The host named more next hops than answered: some were never seen. */
	if (t == 1 && h->nresp < e->cfg.first_hop_fanout)
		h->complete = false;
	m->silent_run = h->nresp == 0 ? m->silent_run + 1 : 0;
	if (h->nresp > 0 && routers == 0)
		return false;		/* every flow reached the target (or an unreachable) */
	if (m->silent_run >= e->cfg.max_unknown || t >= e->cfg.max_ttl)
		return false;
	return true;
}
