/*
 * Discovery probes paced by ICMP rate limiter (limiter.h), and what the
 * answers teach about limiters.  Private to src/engine; the pass asks
 * mda_pace_gate before every probe it sends at a TTL (mda_paced, mda_ttl.c).
 *
 * A router limits its errors per destination, not per address, and a
 * router whose route back to us is multipath answers from several
 * addresses: pacing per address would spend probes its one bucket drops.
 * Which addresses share a bucket shows in lock step: their answers stop
 * together although none of them alone gave a burst.  That is taken for
 * one router where the hop also looks like a merge seen from several
 * return branches (addresses reached from the same predecessors,
 * "regardless of the branch they came from"), or, without that pattern,
 * after a second probe is withheld the same way.  The joined bucket is
 * checked against every later answer: addresses that answer faster than
 * one bucket allows are separated again for good (limiter_split).
 *
 * IP-IDs are of no use here: Linux takes the IP-ID of an ICMP error from
 * a counter per (source, destination) pair, so each address of a router
 * counts on its own.
 */
#include <stdlib.h>

#include "engine/engine_int.h"
#include "engine/limiter.h"
#include "engine/mda.h"

int mda_vertex(const struct engine *e, const struct mda_hop *h, int r)
{
	int l;

	if (r < 0 || r >= h->nresp || h->resp_end[r])
		return r;
	l = limiter_find(&e->lim, &h->resp[r]);
	if (l < 0 || e->lim.l[l].members < 2)
		return r;
	for (int i = 0; i < r; i++)
		if (!h->resp_end[i] && limiter_find(&e->lim, &h->resp[i]) == l)
			return i;
	return r;
}

int mda_hop_routers(const struct engine *e, const struct mda_hop *h)
{
	int n = 0;

	for (int i = 0; i < h->nresp; i++)
		n += !h->resp_end[i] && mda_vertex(e, h, i) == i;
	return n;
}

int mda_hop_vertices(const struct engine *e, const struct mda_hop *h)
{
	int n = 0;

	for (int i = 0; i < h->nresp; i++)
		n += mda_vertex(e, h, i) == i;
	return n;
}

/*
 * A new address l at a hop whose only router is one limiter of several
 * addresses, paced as one: the probe it answered was sent on that
 * limiter's token, so it is one more address of the same router (if it
 * is not, the joined bucket answers too fast and is split again).
 */
static void adopt(struct engine *e, const struct mda_hop *h, int l)
{
	struct limiters *L = &e->lim;
	int only = -1;

	for (int i = 0; i < h->nresp; i++) {
		int k = h->resp_end[i] ? -1 : limiter_find(L, &h->resp[i]);

		if (k < 0 || k == l)
			continue;
		if (only >= 0 && k != only)
			return;
		only = k;
	}
	if (only >= 0 && L->l[only].members >= 2 && L->l[only].limited)
		limiter_join(L, only, l, (enum limiter_evidence)L->l[only].evidence);
}

void mda_pace_answer(struct engine *e, int ttl, const struct ip_addr *from, bool end, uint64_t now)
{
	struct mda_hop *h = &e->mda.hops[ttl];
	bool known = limiter_find(&e->lim, from) >= 0;
	int l = limiter_of(&e->lim, from, ttl, now);

	if (l < 0)
		return;
	if (!known && !end) {
		adopt(e, h, l);
		l = limiter_find(&e->lim, from);
	}
	if (!limiter_answer(&e->lim, l, now))
		limiter_split(&e->lim, l, now);
}

void mda_pace_other_answer(struct engine *e, const struct ip_addr *from, uint64_t now)
{
	int l = limiter_find(&e->lim, from);

	/*
	 * Only the pass's answers once fed the buckets: a joined bucket, paced
	 * as one, then never answered the pass beyond one bucket, while the
	 * rounds' answers showed four routers answering 90 times in 9 s
	 * (seed 170: four branch routers held for one, their lossy branch
	 * compared with its aliases and never found).
	 */
	if (l >= 0 && !limiter_answer(&e->lim, l, now))
		limiter_split(&e->lim, l, now);
}

/* Answers at TTL t, per limiter (cnt, indexed by limiter), from probes sent since `since`. */
static int recent_answers(const struct engine *e, int t, uint64_t since, int *cnt)
{
	const struct mda_hop *h = &e->mda.hops[t];
	int total = 0;

	for (int i = 0; i < e->nflows; i++) {
		const struct mda_obs *o = &e->flows[i].obs[t];
		int l;

		if (o->state != OBS_ANSWERED || o->resp < 0 || o->last_sent < since)
			continue;
		l = limiter_find(&e->lim, &h->resp[o->resp]);
		if (l < 0)
			continue;
		if (cnt != NULL)
			cnt[l]++;
		total++;
	}
	return total;
}

/*
 * Do the recent answers at t look like one router seen through several
 * return branches: a predecessor whose flows met two of the limiters, and
 * a limiter met from two predecessors?
 */
static bool merge_pattern(const struct engine *e, int t, uint64_t since)
{
	const struct mda_hop *h = &e->mda.hops[t], *hp;
	bool fan_out = false, fan_in = false;

	if (t <= e->cfg.first_ttl)
		return false;
	hp = &e->mda.hops[t - 1];
	for (int i = 0; i < e->nflows && !(fan_out && fan_in); i++) {
		const struct mda_obs *o = &e->flows[i].obs[t], *p = &e->flows[i].obs[t - 1];

		if (o->state != OBS_ANSWERED || o->resp < 0 || o->last_sent < since ||
		    p->state != OBS_ANSWERED || p->resp < 0 || hp->resp_end[p->resp])
			continue;
		for (int j = i + 1; j < e->nflows; j++) {
			const struct mda_obs *o2 = &e->flows[j].obs[t], *p2 = &e->flows[j].obs[t - 1];
			bool same_pred, same_lim;

			if (o2->state != OBS_ANSWERED || o2->resp < 0 || o2->last_sent < since ||
			    p2->state != OBS_ANSWERED || p2->resp < 0)
				continue;
			same_pred = p2->resp == p->resp;
			same_lim = limiter_find(&e->lim, &h->resp[o2->resp]) ==
				   limiter_find(&e->lim, &h->resp[o->resp]);
			fan_out |= same_pred && !same_lim;
			fan_in |= same_lim && !same_pred;
		}
	}
	return fan_out && fan_in;
}

/* Joins every limiter with recent answers (cnt) into one; returns it. */
static int join_answering(struct engine *e, const int *cnt, int nl, enum limiter_evidence ev)
{
	int keep = -1;

	for (int l = 0; l < nl; l++) {
		if (cnt[l] == 0)
			continue;
		if (keep < 0) {
			keep = l;
			continue;
		}
		if (limiter_join(&e->lim, keep, l, ev) < 0)
			return -1;
	}
	return keep;
}

/*
 * Probes at t sent in [since, before) that have no answer: a silence
 * that does not come after a bucket's worth of answers is not lock step
 * (a silent router, loss).
 */
static int earlier_silent(const struct engine *e, int t, uint64_t since, uint64_t before)
{
	int n = 0;

	for (int i = 0; i < e->nflows; i++) {
		const struct mda_obs *o = &e->flows[i].obs[t];

		n += o->state != OBS_ANSWERED && o->state != OBS_NONE && o->last_sent >= since &&
		     o->last_sent < before;
	}
	return n;
}

/*
 * A probe at t went unanswered (sent at `sent`, given up at
 * now).  Which limiter withheld it, if the answers before it can tell:
 * one that gave its whole burst; or, when every probe before it was
 * answered and the answers came to one burst, all of those that answered
 * (lock step).
 */
static void lock_step(struct engine *e, int t, uint64_t sent, uint64_t now)
{
	struct limiters *L = &e->lim;
	uint64_t since = sent > LIMITER_REFILL_US ? sent - LIMITER_REFILL_US : 0;
	int nl = L->nl, total, answering = 0, last = -1, full = 0;
	int *cnt = calloc((size_t)nl + 1, sizeof(*cnt));
	bool burst_then_silence;

	if (cnt == NULL)
		return;
	total = recent_answers(e, t, since, cnt);
	burst_then_silence = total >= LIMITER_BURST - 1 && total <= LIMITER_BURST + 1 &&
			     earlier_silent(e, t, since, sent) == 0;
	for (int l = 0; l < nl; l++) {
		if (cnt[l] == 0)
			continue;
		answering++;
		last = l;
		/* A limiter that gave its whole burst explains the silence alone. */
		if (cnt[l] >= L->l[l].burst ||
		    (L->l[l].limited && limiter_tokens(L, l, sent) < 1.0)) {
			limiter_withheld(L, l, now, cnt[l]);
			full++;
		}
	}
	if (total == 0 || full > 0 || !burst_then_silence)
		goto out;
	if (answering == 1) {
		limiter_withheld(L, last, now, total);
		goto out;
	}
	/*
	 * Several limiters, none spent, one burst between them and then
	 * silence: one bucket.  Sure when the hop looks like one router seen
	 * through several return branches, or other routers here limit too;
	 * else it could still be a silent router or a loss that came just
	 * then, and the join says so.
	 */
	{
		bool sure = L->seen_limiting || merge_pattern(e, t, since);
		int j = join_answering(e, cnt, nl, sure ? LIMITER_LOCKSTEP : LIMITER_LOCKSTEP_UNSURE);

		if (j >= 0)
			limiter_withheld(L, j, now, total);
	}
out:
	free(cnt);
}

void mda_pace_lost(struct engine *e, int flow, int ttl, uint64_t now)
{
	struct mda_obs *o = &e->flows[flow].obs[ttl];

	if (o->presumed)
		return;
	o->presumed = true;
	lock_step(e, ttl, o->last_sent, now);
}

/*
 * In-flight probes a hop whose limiters never withheld anything may have:
 * the first LIMITER_BURST answers at once (one router may be all there
 * is), then one more per answer beyond them, so a hop that keeps answering
 * doubles its window every round trip and one that stops costs a probe.
 */
static int slow_start(int answers)
{
	return answers < LIMITER_BURST ? LIMITER_BURST - answers : 1 + answers - LIMITER_BURST;
}

/* The latest of the times each limiter at t holds `need` tokens. */
static uint64_t hop_ready(const struct engine *e, int t, uint64_t now, int live, bool *limited)
{
	const struct mda_hop *h = &e->mda.hops[t];
	const struct limiters *L = &e->lim;
	int n = 0;
	uint64_t at = now;

	*limited = false;
	for (int i = 0; i < h->nresp; i++)
		n += mda_vertex(e, h, i) == i;
	for (int i = 0; i < h->nresp; i++) {
		int l = limiter_find(L, &h->resp[i]);
		uint64_t r;

		if (l < 0 || mda_vertex(e, h, i) != i)
			continue;
		*limited |= L->l[l].limited;
		/* A new flow meets one of the n at random: each may get its share of those out. */
		r = limiter_ready(L, l, now, 1 + (live + n - 1) / (n ? n : 1), L->seen_limiting);
		if (r > at)
			at = r;
	}
	return at;
}

bool mda_pace_gate(struct engine *e, int t, uint64_t now, uint64_t grace, uint64_t *wake)
{
	int live = 0;
	uint64_t overdue_at = 0, at;
	bool limited;

	for (int i = 0; i < e->nflows; i++) {
		struct mda_obs *o = &e->flows[i].obs[t];

		if (o->state != OBS_PENDING || o->presumed)
			continue;
		if (grace > 0 && now >= o->last_sent + grace) {
			mda_pace_lost(e, i, t, now);
			continue;
		}
		live++;
		if (grace > 0 && (overdue_at == 0 || o->last_sent + grace < overdue_at))
			overdue_at = o->last_sent + grace;
	}
	at = hop_ready(e, t, now, live, &limited);
	if (at > now) {
		*wake = at;
		return false;
	}
	if (!limited &&
	    live >= slow_start(recent_answers(e, t, now > LIMITER_REFILL_US ?
					      now - LIMITER_REFILL_US : 0, NULL))) {
		*wake = overdue_at;	/* an answer, or the first one overdue */
		return false;
	}
	return true;
}
