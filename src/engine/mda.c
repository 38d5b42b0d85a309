/*
 * Branch discovery (see mda.h): one pass walks the TTLs upwards and, at
 * each, probes flows until the Multipath Detection Algorithm's stopping
 * rule says that no unseen responder remains at the chosen confidence.
 *
 * The MDA-Lite way (Vermeulen et al., IMC 2018): flows that reached a
 * vertex at t-1 are reused at t, and the rule is first applied to the hop
 * as a whole, which is sound when balancing is uniform and unmeshed.  That
 * assumption is tested on what the reused flows show: if the vertices at
 * t-1 have different numbers of next hops, or the vertices at t different
 * numbers of predecessors (meshing, merging), the hop falls back to the
 * MDA's per-vertex rule, getting flows through rare vertices by probing
 * new flows at t-1 ("node control").  Every vertex at t-1 is followed by
 * at least one flow, so a vertex whose successor differs from its
 * siblings' is never missed.
 *
 * Two hops need less than the rule.  TTL 1: the host is the balancer
 * before it and knows its own next hops (cfg.first_hop_fanout, from the
 * routing table); once that many answered there is nothing left to find.
 * The target's hop: a router that delivered a flow to the target has it on
 * its link and delivers every flow there, so what is left to check is that
 * every vertex one hop before leads to the target too, a flow each.
 *
 * MDA's per-packet test (probing a flow again at the same TTL) is spent
 * where per-packet balancing would fake something: a hop that looks meshed
 * with no stage since the last split that kept flows apart, or one that
 * looks non-uniform.  A per-packet balancer whose branches merge on the
 * next hop changes no link the pass reports; the rounds after it re-probe
 * the same flows anyway and call it per-packet then (mda_path_changed).
 *
 * Only answers count: a probe that times out is tried again (at most
 * MDA_MAX_TRIES times, a second apart, while the hop answers others), since
 * Linux routers answer a burst of 6 then one per second, and a flow whose
 * answers were suppressed must not be replaced by one that happens to take
 * an unlimited router.
 *
 * Rate limiters are per router, not per address (mda_pace.c, limiter.c):
 * every probe waits until the limiters of its hop can answer it, and
 * addresses that share one limiter are one vertex.  The walk counts
 * routers; a router that answers from several addresses (a multipath
 * route back) has them enumerated by plan_rest while the walk goes on,
 * and a hop the walk would wait on a limiter for is finished there too.
 *
 * This file keeps the pass's observations (what each flow showed at each
 * TTL); mda_ttl.c holds the rules at one TTL, mda_pick.c chooses the next
 * probe (the walk, then top-up, owed answers and unfinished hops) and
 * mda_pass.c ends the pass.
 */
#include <stdlib.h>

#include "engine/mda_int.h"

/*
 * Stopping points n_k for k = 1..16 known next hops (Veitch, Augustin,
 * Friedman, Teixeira, "Failure control in multipath route tracing",
 * INFOCOM 2009; the same table scamper's tracelb uses).
 */
static const int stop_table[2][16] = {
	{6, 11, 16, 21, 27, 33, 38, 44, 51, 57, 63, 70, 76, 83, 90, 96},	/* 95% */
	{8, 15, 21, 28, 36, 43, 51, 58, 66, 74, 82, 90, 98, 106, 115, 123},	/* 99% */
};

int mda_stop_count(int confidence, int k)
{
	double alpha = confidence >= 99 ? 0.01 : 0.05, miss;
	int n;

	if (k < 1)
		k = 1;
	if (k <= 16)
		return stop_table[confidence >= 99][k - 1];
	/*
	 * Past the table: the smallest n with (k + 1) (k / (k + 1))^n <= alpha,
	 * the union bound the table refines (it gives 97 where the table says 96).
	 */
	miss = k + 1;
	for (n = 0; miss > alpha && n < 100000; n++)
		miss *= (double)k / (k + 1);
	return n;
}

/* ---- bookkeeping -------------------------------------------------------- */

bool mda_init(struct engine *e)
{
	struct mda *m = &e->mda;
	size_t n = (size_t)e->cfg.max_ttl + 1;

	m->hops = calloc(n, sizeof(*m->hops));
	m->sum = calloc(n, sizeof(*m->sum));
	m->pp_ttl = calloc(n, sizeof(*m->pp_ttl));
	return m->hops != NULL && m->sum != NULL && m->pp_ttl != NULL;
}

void mda_free(struct engine *e)
{
	struct mda *m = &e->mda;

	if (m->hops != NULL)
		for (int t = 0; t <= e->cfg.max_ttl; t++) {
			free(m->hops[t].resp);
			free(m->hops[t].resp_end);
		}
	free(m->hops);
	free(m->sum);
	free(m->pp_ttl);
	free(m->scratch);
	limiter_free(&e->lim);
}

static void obs_clear(struct mda_obs *o)
{
	*o = (struct mda_obs){.resp = -1};
}

bool mda_flow_init(struct engine *e, int i)
{
	struct flow_state *f = &e->flows[i];

	f->obs = calloc((size_t)e->cfg.max_ttl + 1, sizeof(*f->obs));
	if (f->obs == NULL)
		return false;
	for (int t = 0; t <= e->cfg.max_ttl; t++)
		obs_clear(&f->obs[t]);
	f->pass_end = 0;
	return true;
}

static int hop_find(const struct mda_hop *h, const struct ip_addr *a)
{
	for (int i = 0; i < h->nresp; i++)
		if (addr_equal(&h->resp[i], a))
			return i;
	return -1;
}

static int hop_add(struct mda_hop *h, const struct ip_addr *a, bool end)
{
	int i = hop_find(h, a);

	if (i >= 0) {
		h->resp_end[i] |= end;
		return i;
	}
	if (h->nresp == h->capresp) {
		int cap = h->capresp ? h->capresp * 2 : 8;
		struct ip_addr *r = realloc(h->resp, (size_t)cap * sizeof(*r));
		bool *b;

		if (r == NULL)
			return -1;
		h->resp = r;
		b = realloc(h->resp_end, (size_t)cap * sizeof(*b));
		if (b == NULL)
			return -1;
		h->resp_end = b;
		h->capresp = cap;
	}
	h->resp[h->nresp] = *a;
	h->resp_end[h->nresp] = end;
	return h->nresp++;
}

static bool hop_has_target(const struct engine *e, const struct mda_hop *h)
{
	for (int i = 0; i < h->nresp; i++)
		if (h->resp_end[i] && addr_equal(&h->resp[i], &e->cfg.dst))
			return true;
	return false;
}

/* Answers hop t needs, with what it has shown so far, before the pass may leave it. */
int mda_hop_stop_count(const struct engine *e, int t, const struct mda_hop *h)
{
	int fanout = e->cfg.first_hop_fanout;

	/* The host's next hops: all of them, or as many answers as if one were silent. */
	if (t == 1 && fanout > 0)
		return h->nresp >= fanout ? 1 : mda_stop_count(e->cfg.confidence, fanout);
	if (mda_hop_routers(e, h) == 0 && hop_has_target(e, h))
		return 1;
	/*
	 * Routers, not addresses: the addresses of a router seen through
	 * several return branches are enumerated after the walk (plan_rest).
	 */
	return mda_stop_count(e->cfg.confidence, mda_hop_vertices(e, h));
}

void mda_pass_begin(struct engine *e, uint64_t now)
{
	struct mda *m = &e->mda;

	(void)now;
	m->running = true;
	m->pass_round = e->round;
	m->passes++;
	/*
	 * A later pass over the same flows would hash them the same way and
	 * repeat the first pass's result, missed branches included: later
	 * passes prefer flows no pass has used, so their misses are independent.
	 */
	m->fresh_from = m->passes > 1 ? e->nflows : 0;
	m->ttl = e->cfg.first_ttl;
	m->topup = false;
	m->tail = false;
	m->silent_run = 0;
	m->rediscover = false;
	for (int t = 0; t <= e->cfg.max_ttl; t++) {
		struct mda_hop *h = &m->hops[t];
		struct ip_addr *resp = h->resp;
		bool *end = h->resp_end;
		int cap = h->capresp;

		*h = (struct mda_hop){.resp = resp, .resp_end = end, .capresp = cap};
	}
	m->hops[m->ttl].started = true;
	for (int i = 0; i < e->nflows; i++) {
		for (int t = 0; t <= e->cfg.max_ttl; t++)
			obs_clear(&e->flows[i].obs[t]);
		e->flows[i].pass_end = 0;
	}
	m->dirty = true;
}

void mda_sent(struct engine *e, int flow, int ttl, uint64_t now)
{
	struct mda_obs *o = &e->flows[flow].obs[ttl];
	struct mda_hop *h = &e->mda.hops[ttl];

	if (o->state == OBS_ANSWERED) {
		o->recheck = 1;
	} else {
		o->state = OBS_PENDING;
		if (o->tries < 255)
			o->tries++;
	}
	o->last_sent = now;
	o->presumed = false;
	if (e->mda.topup)
		h->topup_sent++;
	e->mda.dirty = true;
}

void mda_answer(struct engine *e, int flow, int ttl, const struct ip_addr *from, bool end,
		uint64_t rtt_us)
{
	struct flow_state *f = &e->flows[flow];
	struct mda_obs *o = &f->obs[ttl];
	struct mda_hop *h = &e->mda.hops[ttl];
	int known = h->nresp;
	int idx = hop_add(h, from, end);

	e->mda.dirty = true;
	if (idx < 0)
		return;
	mda_pace_answer(e, ttl, from, end, o->last_sent + rtt_us);
	/*
	 * A router that shows only after the pass left its hop: the rule there
	 * did not hold.  A new address of a router it knew is not one.
	 */
	if (idx >= known && ttl < e->mda.ttl && mda_vertex(e, h, idx) == idx) {
		h->complete = false;
		h->late_router = true;
	}
	if (o->state == OBS_ANSWERED) {
		/* A second probe of the same flow: another responder means per-packet balancing. */
		if (o->recheck == 1)
			o->recheck = 2;
		if (idx != o->resp)
			h->per_packet = true;
		return;
	}
	if (o->state != OBS_PENDING)
		return;
	if (o->tries > 1)
		h->rate_limited = true;
	if (rtt_us > h->slowest_us)
		h->slowest_us = rtt_us;
	o->state = OBS_ANSWERED;
	o->resp = (int16_t)idx;
	if (end && (f->pass_end == 0 || ttl < f->pass_end))
		f->pass_end = ttl;
}

/*
 * A probe that ended without an answer for an observation that already has
 * one can only be a per-packet recheck: that check is over.
 */
static bool recheck_over(struct mda_obs *o)
{
	if (o->state != OBS_ANSWERED)
		return false;
	if (o->recheck == 1)
		o->recheck = 2;
	return true;
}

void mda_lost(struct engine *e, int flow, int ttl)
{
	struct mda_obs *o = &e->flows[flow].obs[ttl];

	e->mda.dirty = true;
	if (recheck_over(o))
		return;
	if (o->state == OBS_PENDING) {
		mda_pace_lost(e, flow, ttl, o->last_sent + e->cfg.timeout_us);
		o->state = OBS_LOST;
		e->mda.hops[ttl].lossy = true;
	}
}

void mda_discarded(struct engine *e, int flow, int ttl)
{
	struct mda_obs *o = &e->flows[flow].obs[ttl];

	e->mda.dirty = true;
	if (recheck_over(o) || o->state != OBS_PENDING)
		return;
	/* Not an answer withheld by the network: as if the probe had not been sent. */
	if (o->tries > 0)
		o->tries--;
	o->state = o->tries > 0 ? OBS_LOST : OBS_NONE;
}
