/*
 * Which probe a discovery pass sends next (see mda.h, mda.c): owed answers
 * first, then hops the walk left unfinished, then the walk's own TTL
 * (mda_ttl.c); after the walk, the top-up of thin branches (or, in a -c 1
 * run, the tail: owed answers only).  mda_pick memoizes its decision
 * until an event of the pass marks it dirty.
 */
#include <stdlib.h>

#include "engine/mda_int.h"

/*
 * After the walk, when rounds will follow: branches reached by fewer than
 * MDA_FLOWS_PER_BRANCH flows get more, so each one's loss is measured on
 * several flows.  New flows are tried where the branch's predecessors
 * lead, within a budget per hop; rounds of -c 1 skip this.
 */
static struct want plan_topup(struct engine *e, uint64_t now)
{
	struct mda *m = &e->mda;

	for (int t = e->cfg.first_ttl; t <= m->ttl; t++) {
		struct mda_hop *h = &m->hops[t];
		struct mda_hop *hp = t > e->cfg.first_ttl ? &m->hops[t - 1] : NULL;
		int budget = 2 * mda_stop_count(e->cfg.confidence, h->nresp);
		int deficit = 0, pending = 0, pick = -1, fresh = -1;
		int *have, *pred, nv = hp ? hp->nresp : 0;

		if (h->nresp < 2 || h->topup_sent >= budget)
			continue;
		have = calloc((size_t)h->nresp + (size_t)nv + 1, sizeof(*have));
		if (have == NULL)
			return (struct want){.step = MDA_WAIT, .wake = now + 100000};
		pred = have + h->nresp;
		for (int i = 0; i < e->nflows; i++) {
			const struct mda_obs *o = &e->flows[i].obs[t];

			if (o->state == OBS_PENDING)
				pending++;
			if (o->state == OBS_ANSWERED && o->resp >= 0)
				have[o->resp]++;
		}
		/* Vertices at t-1 that lead to a thin branch. */
		for (int i = 0; i < e->nflows; i++) {
			const struct mda_obs *o = &e->flows[i].obs[t];
			const struct mda_obs *p = hp ? &e->flows[i].obs[t - 1] : NULL;

			if (p && o->state == OBS_ANSWERED && o->resp >= 0 &&
			    have[o->resp] < MDA_FLOWS_PER_BRANCH && p->state == OBS_ANSWERED &&
			    p->resp >= 0)
				pred[p->resp] = 1;
		}
		for (int r = 0; r < h->nresp; r++)
			if (have[r] < MDA_FLOWS_PER_BRANCH)
				deficit += MDA_FLOWS_PER_BRANCH - have[r];
		for (int i = 0; i < e->nflows && deficit > 0 && pick < 0; i++) {
			const struct flow_state *f = &e->flows[i];
			const struct mda_obs *p = hp ? &f->obs[t - 1] : NULL;

			if (f->obs[t].state != OBS_NONE || mda_ended_before(f, t))
				continue;
			if (p && p->state == OBS_ANSWERED && p->resp >= 0 && pred[p->resp])
				pick = i;
			else if (fresh < 0 && (p == NULL || p->state == OBS_NONE))
				fresh = i;
		}
		free(have);
		if (deficit == 0)
			continue;
		if (pending >= deficit)
			return (struct want){.step = MDA_WAIT};
		if (pick < 0)
			pick = fresh >= 0 ? fresh : e->nflows < e->cfg.max_flows ? -1 : -2;
		if (pick == -2)
			continue;
		return mda_paced(e, pick, t, now);
	}
	return (struct want){.step = MDA_DONE};
}

/*
 * Answers owed to hops the pass has left: probes given up on as rate
 * limited (the pass went on with stand-ins) are asked again, a second
 * apart, while the pass works further out.  Their answers complete those
 * flows' paths, and one from a router its hop had not shown marks the hop
 * incomplete.  *owed: some are still out or due.
 */
static struct want plan_owed(struct engine *e, int below, uint64_t now, bool *owed)
{
	uint64_t wake = 0;

	*owed = false;
	for (int t = e->cfg.first_ttl; t < below; t++) {
		for (int i = 0; i < e->nflows; i++) {
			const struct mda_obs *o = &e->flows[i].obs[t];
			uint64_t at;

			if (!o->owed || o->state == OBS_ANSWERED ||
			    (o->state == OBS_LOST && o->tries >= MDA_OWED_TRIES))
				continue;
			*owed = true;
			if (o->state != OBS_LOST)
				continue;	/* still out: its timeout comes first */
			at = o->last_sent + MDA_RETRY_GAP_US;
			if (at <= now) {
				struct want w = mda_paced(e, i, t, now);

				if (w.step == MDA_PROBE)
					return w;
				at = w.wake ? w.wake : now + MDA_RETRY_GAP_US / 10;
			}
			if (wake == 0 || at < wake)
				wake = at;
		}
	}
	return (struct want){.step = MDA_WAIT, .wake = wake};
}

/*
 * Hops the walk has left unfinished, completed while it goes on further
 * out, a probe whenever the hop's limiters have a token:
 * - hops it left waiting on a rate limiter (deferred): their own rule;
 * - hops where a router answers from several addresses (its route back to
 *   us is multipath): the walk counted it once, and its addresses show
 *   only as answers happen to leave by each of its return branches, so
 *   the rule on addresses (n_k answers for k addresses) is applied here.
 * *open: some hop is not done.
 */
static struct want plan_rest(struct engine *e, int below, uint64_t now, bool *open)
{
	uint64_t wake = 0;

	*open = false;
	for (int t = e->cfg.first_ttl; t < below; t++) {
		struct mda_hop *h = &e->mda.hops[t];
		int answered = 0, pending = 0, tried = 0, f, need = 0;
		struct want w;

		if (h->nresp != mda_hop_vertices(e, h))
			need = mda_stop_count(e->cfg.confidence, h->nresp);
		if (h->deferred && mda_hop_stop_count(e, t, h) > need)
			need = mda_hop_stop_count(e, t, h);
		if (h->capped || need == 0)
			continue;
		for (int i = 0; i < e->nflows; i++) {
			const struct mda_obs *o = &e->flows[i].obs[t];

			answered += o->state == OBS_ANSWERED;
			pending += o->state == OBS_PENDING && !o->presumed;
			tried += o->state != OBS_NONE;
		}
		/*
		 * Each flow a limit silenced was replaced by a new one: a merge
		 * router at its limit took 580 flows in 10 s (seed 37), and the
		 * end-to-end figures spread over them all.  Twice the rule's
		 * count is the most a hop gets.
		 */
		if (tried >= 2 * need && answered + pending < need) {
			h->capped = true;
			continue;
		}
		if (answered >= need && h->deferred) {
			h->deferred = false;
			h->complete = !h->late_router &&
				      !(t == 1 && h->nresp < e->cfg.first_hop_fanout);
		}
		if (answered + pending >= need) {
			*open |= pending > 0;
			continue;
		}
		*open = true;
		f = mda_free_flow(e, t, false);
		if (f == -2) {
			h->capped = true;
			continue;
		}
		w = mda_paced(e, f, t, now);
		if (w.step == MDA_PROBE)
			return w;
		if (w.wake != 0 && (wake == 0 || w.wake < wake))
			wake = w.wake;
	}
	return (struct want){.step = MDA_WAIT, .wake = wake};
}

/*
 * The walk's step at its TTL.  One waiting on a rate limiter longer than
 * MDA_DEFER_US, at a hop that answered, leaves it to plan_rest: the
 * limiter refills at its pace whether the walk waits or not.
 */
static struct want walk_ttl(struct engine *e, uint64_t now, int *gaveup)
{
	struct mda_hop *h = &e->mda.hops[e->mda.ttl];
	struct want w;

	e->mda.gated = false;
	w = mda_plan_ttl(e, e->mda.ttl, now, gaveup);
	if (w.step == MDA_WAIT && e->mda.gated && h->nresp > 0 &&
	    (w.wake == 0 || w.wake > now + MDA_DEFER_US)) {
		h->deferred = true;
		return (struct want){.step = MDA_DONE};
	}
	return w;
}

/* The earlier of two wake times (0: none). */
static uint64_t wake_min(uint64_t a, uint64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

enum mda_step mda_pick(struct engine *e, uint64_t now, int *flow, int *ttl, uint64_t *wake)
{
	struct mda *m = &e->mda;

	if (!m->running)
		return MDA_DONE;
	if (!m->dirty && m->memo_wake > now) {
		*wake = m->memo_wake == UINT64_MAX ? 0 : m->memo_wake;
		return MDA_WAIT;
	}
	for (;;) {
		int gaveup = 0;
		bool owed, open = false, walked = m->topup || m->tail;
		int below = walked ? m->ttl + 1 : m->ttl;
		struct want o = plan_owed(e, below, now, &owed), w;
		struct want en = o.step == MDA_PROBE ? o : plan_rest(e, below, now, &open);

		if (o.step == MDA_PROBE)
			w = o;
		else if (en.step == MDA_PROBE)
			w = en;
		else if (m->tail)
			w = owed || open ? o : (struct want){.step = MDA_DONE};
		else if (m->topup)
			w = plan_topup(e, now);
		else
			w = walk_ttl(e, now, &gaveup);
		if (w.step == MDA_DONE && walked && open)
			w = (struct want){.step = MDA_WAIT};
		/* Wake for whichever comes first. */
		if (w.step == MDA_WAIT)
			w.wake = wake_min(wake_min(w.wake, o.wake), o.step == MDA_PROBE ? 0 : en.wake);
		if (w.step == MDA_PROBE) {
			*flow = w.flow;
			*ttl = w.ttl;
			return MDA_PROBE;
		}
		if (w.step == MDA_WAIT) {
			m->dirty = false;
			m->memo_wake = w.wake ? w.wake : UINT64_MAX;
			*wake = w.wake;
			return MDA_WAIT;
		}
		if (walked)
			return MDA_DONE;
		if (!mda_finish_ttl(e, m->ttl, gaveup)) {
			/* A -c 1 pass is all there is: it waits only for the answers it is owed. */
			if (e->cfg.rounds == 1)
				m->tail = true;
			else
				m->topup = true;
			continue;
		}
		m->ttl++;
		m->hops[m->ttl].started = true;
	}
}
