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
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/mda.h"

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

/* Routers at a hop (not the target, not an unreachable); addresses of one router count once. */
static int hop_routers(const struct engine *e, const struct mda_hop *h)
{
	return mda_hop_routers(e, h);
}

static bool hop_has_target(const struct engine *e, const struct mda_hop *h)
{
	for (int i = 0; i < h->nresp; i++)
		if (h->resp_end[i] && addr_equal(&h->resp[i], &e->cfg.dst))
			return true;
	return false;
}

/* Answers hop t needs, with what it has shown so far, before the pass may leave it. */
static int hop_stop_count(const struct engine *e, int t, const struct mda_hop *h)
{
	int fanout = e->cfg.first_hop_fanout;

	/* The host's next hops: all of them, or as many answers as if one were silent. */
	if (t == 1 && fanout > 0)
		return h->nresp >= fanout ? 1 : mda_stop_count(e->cfg.confidence, fanout);
	if (hop_routers(e, h) == 0 && hop_has_target(e, h))
		return 1;
	/*
	 * Routers, not addresses: the addresses of a router seen through
	 * several return branches are enumerated after the walk (plan_enum).
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

/* ---- one TTL's decision ------------------------------------------------- */

/* What the rules at one TTL ask for. */
struct want {
	enum mda_step step;
	int flow;		/* -1: a new flow */
	int ttl;
	uint64_t wake;
};

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

static bool ended_before(const struct flow_state *f, int t)
{
	return f->pass_end != 0 && f->pass_end < t;
}

/*
 * The flow to take at TTL t when nothing ties it to a vertex: one that was
 * silent at t-1, else one not probed at t-1 (or a new one).
 */
static int free_flow(const struct engine *e, int t, bool for_prev)
{
	int silent = -1, fresh = -1, from = e->mda.fresh_from;

	/* Flows this pass made come first; flows earlier passes used, last. */
	for (int n = 0; n < e->nflows; n++) {
		int i = (from + n) % e->nflows;
		const struct flow_state *f = &e->flows[i];
		const struct mda_obs *o = &f->obs[t];
		const struct mda_obs *p = t > e->cfg.first_ttl ? &f->obs[t - 1] : NULL;

		if (o->state != OBS_NONE || ended_before(f, t))
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

/* How long an answer at t may take before it counts as withheld (0: no round trip known). */
static uint64_t hop_grace(const struct engine *e, int t);

/* A probe at ttl, when the hop's rate limiters allow it (mda_pace.c). */
static struct want paced(struct engine *e, int flow, int ttl, uint64_t now)
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

static uint64_t hop_grace(const struct engine *e, int t)
{
	const struct mda_hop *h = &e->mda.hops[t];
	const struct mda_hop *hp = t > e->cfg.first_ttl ? &e->mda.hops[t - 1] : NULL;
	uint64_t slowest = hp != NULL && hp->slowest_us > h->slowest_us ? hp->slowest_us
								: h->slowest_us;

	return answer_grace(e, slowest);
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
		int routers = hop_routers(e, hp), pairs = 0, *from, w, v;
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

static struct want plan_ttl(struct engine *e, int t, uint64_t now, int *gaveup_out)
{
	struct mda *m = &e->mda;
	struct mda_hop *h = &m->hops[t];
	struct mda_hop *hp = t > e->cfg.first_ttl ? &m->hops[t - 1] : NULL;
	int conf = e->cfg.confidence;
	int tries = max_tries(h);
	int answered = 0, pending = 0, gaveup = 0, prev_pending = 0, rechecks_out = 0;
	int overdue = 0, presumed_lost, retry = -1;
	uint64_t wake_at = 0, oldest_pending = UINT64_MAX;
	/* Stand-ins only where the hop branches: at one router a new flow meets the same limit. */
	uint64_t slowest = hp != NULL && hp->slowest_us > h->slowest_us ? hp->slowest_us
								: h->slowest_us;
	uint64_t grace = hop_routers(e, h) >= 2 ? answer_grace(e, slowest) : 0;
	struct vtab v;
	int need, i;

	if (!vtab_alloc(m, &v, hp ? hp->nresp : 0, h->nresp))
		return (struct want){.step = MDA_WAIT, .wake = now + 100000};
	for (i = 0; i < e->nflows; i++) {
		const struct flow_state *f = &e->flows[i];
		const struct mda_obs *o = &f->obs[t];
		const struct mda_obs *p = hp ? &f->obs[t - 1] : NULL;
		/* Vertices are routers: the addresses of one count as its first. */
		int vx = p && p->state == OBS_ANSWERED && p->resp >= 0 && !hp->resp_end[p->resp]
			 ? mda_vertex(e, hp, p->resp) : -1;
		int w = o->resp >= 0 ? mda_vertex(e, h, o->resp) : -1;

		if (p && p->state == OBS_PENDING)
			prev_pending++;
		if (p && p->recheck == 1)
			rechecks_out++;
		switch (o->state) {
		case OBS_NONE:
			if (vx >= 0 && v.avail[vx] < 0 && !ended_before(f, t))
				v.avail[vx] = i;
			continue;
		case OBS_PENDING:
			pending++;
			if (o->last_sent < oldest_pending)
				oldest_pending = o->last_sent;
			if (vx >= 0)
				v.pend[vx]++;
			if (grace > 0 && now >= o->last_sent + grace) {
				overdue++;
				break;
			}
			if (vx >= 0)
				v.live[vx]++;
			if (grace > 0 && (wake_at == 0 || o->last_sent + grace < wake_at))
				wake_at = o->last_sent + grace;
			break;
		case OBS_ANSWERED:
			answered++;
			if (vx >= 0 && w >= 0) {
				int *edge = &v.adj[vx * v.nw + w];

				v.cnt[vx]++;
				if (!*edge) {
					*edge = 1;
					v.deg[vx]++;
					v.indeg[w]++;
				}
			}
			break;
		case OBS_LOST:
			if (o->tries < tries) {
				uint64_t at = o->last_sent + MDA_RETRY_GAP_US;

				pending++;
				if (vx >= 0)
					v.pend[vx]++;
				if (vx >= 0 && grace == 0)
					v.live[vx]++;	/* no stand-in: wait for the retry */
				if (at <= now) {
					if (retry < 0)
						retry = i;
				} else if (wake_at == 0 || at < wake_at) {
					wake_at = at;
				}
			} else {
				gaveup++;
				if (vx >= 0)
					v.gaveup[vx]++;
			}
			break;
		default:
			break;
		}
		if (vx >= 0)
			v.probed[vx]++;
	}
	*gaveup_out = gaveup;

	/*
	 * The stopping rule's guarantee rests on answers alone: once n_k
	 * answers show k responders and every router at t-1 has been followed,
	 * probes still out (or lost and due again) can only add samples.  Not
	 * waiting for them is what keeps rate-limited routers (6 answers, then
	 * one a second) from holding the pass a timeout per hop.
	 */
	int stop_at = h->nresp > 0 ? hop_stop_count(e, t, h) : 0;
	bool settled = h->nresp > 0 && answered >= stop_at;
	bool nonuniform;

	for (i = 0; settled && i < v.nv; i++)
		if (!hp->resp_end[i] && v.cnt[i] == 0 && v.gaveup[i] < 2 &&
		    (v.pend[i] > 0 || v.avail[i] >= 0))
			settled = false;

	/* Answers lost to rate limits are asked again before anything else. */
	if (retry >= 0 && !settled)
		return paced(e, retry, t, now);

	/* Every vertex at t-1 is followed to t by at least one flow. */
	for (i = 0; i < v.nv; i++)
		if (!hp->resp_end[i] && v.cnt[i] == 0 && v.live[i] == 0 && v.gaveup[i] < 2 &&
		    v.avail[i] >= 0)
			return paced(e, v.avail[i], t, now);

	/*
	 * An answer overdue by far from a hop that answers others was most
	 * likely withheld by an ICMP rate limit: another flow now is cheaper
	 * than the timeout and a retry a second later.  Stand-ins land on
	 * routers that may be just as exhausted: at most one outstanding per
	 * router, and MDA_STANDINS_PER_ROUTER per router in all, after which
	 * a hop whose routers went quiet waits for its retries rather than
	 * pile more flows onto them.
	 */
	presumed_lost = overdue < hop_routers(e, h) ? overdue : hop_routers(e, h);
	if (h->standins >= MDA_STANDINS_PER_ROUTER * hop_routers(e, h))
		presumed_lost = 0;
	for (i = 0; presumed_lost > 0 && i < e->nflows; i++) {
		struct mda_obs *o = &e->flows[i].obs[t];

		if (o->state == OBS_PENDING && now >= o->last_sent + grace)
			o->owed = true;
	}

	/* The hop-level rule: n_k answers for k responders seen (a silent hop: n_1 silences). */
	if (h->nresp > 0) {
		need = stop_at - answered - (pending - presumed_lost);
	} else if (pending > 0 && gaveup == 0 && first_answers_due(e, hp, oldest_pending) > now) {
		/*
		 * The first answers tell how many to send: the target's hop
		 * and the first hop need fewer than a silent hop's n_1.
		 */
		return (struct want){.step = MDA_WAIT,
				     .wake = first_answers_due(e, hp, oldest_pending)};
	} else if (t == 1 && e->cfg.first_hop_fanout > 0) {
		need = e->cfg.first_hop_fanout - gaveup - pending;
	} else {
		need = mda_stop_count(conf, 1) - gaveup - pending;
	}
	if (need > 0) {
		/* Only the overdue answers ask for it: a stand-in. */
		bool standin = h->nresp > 0 && stop_at - answered - pending <= 0;
		int best = -1;
		struct want w;

		/* Reuse a flow through the least-probed vertex at t-1: spreads the flows evenly. */
		for (i = 0; i < v.nv; i++)
			if (v.avail[i] >= 0 && (best < 0 || v.probed[i] < v.probed[best]))
				best = i;
		best = best >= 0 ? v.avail[best] : free_flow(e, t, false);
		if (best != -2) {
			w = paced(e, best, t, now);
			if (standin && w.step == MDA_PROBE)
				h->standins++;
			return w;
		}
		h->capped = true;
	}
	if (((pending > 0 || prev_pending > 0) && !settled) || rechecks_out > 0)
		return (struct want){.step = MDA_WAIT, .wake = wake_at};

	if (hp == NULL || hp->per_packet || m->pp_ttl[t - 1])
		return (struct want){.step = MDA_DONE};
	/*
	 * Uniform, unmeshed balancing is an assumption: test it, else use the
	 * per-vertex rule.  Per-packet balancing upstream looks like meshing
	 * or non-uniformity: tell them apart first.
	 */
	nonuniform = looks_nonuniform(e, &v, t);
	if (!nonuniform && (!looks_meshed(e, &v, t) || branches_held_before(e, t - 1)))
		return (struct want){.step = MDA_DONE};
	if (!hp->checked_pp) {
		/*
		 * Flows that seem to change next hop at random may be balanced
		 * per packet before t-1: probe a few of them there again.
		 */
		int sent = 0;

		for (i = 0; i < e->nflows; i++) {
			const struct mda_obs *p = &e->flows[i].obs[t - 1];

			if (p->state == OBS_ANSWERED && p->recheck != 0)
				sent++;
		}
		for (i = 0; i < e->nflows && sent < MDA_RECHECKS; i++) {
			const struct mda_obs *p = &e->flows[i].obs[t - 1];

			if (p->state == OBS_ANSWERED && p->recheck == 0 && p->resp >= 0 &&
			    !hp->resp_end[p->resp])
				return paced(e, i, t - 1, now);
		}
		hp->checked_pp = true;
		if (hp->per_packet)
			return (struct want){.step = MDA_DONE};
	}
	if (!nonuniform)
		return (struct want){.step = MDA_DONE};
	h->nonuniform = true;
	need = 0;
	for (i = 0; i < v.nv; i++) {
		int short_by;

		if (hp->resp_end[i] || mda_vertex(e, hp, i) != i)
			continue;
		/* A vertex whose every flow is silent at t has no successor worth more probes. */
		if (v.cnt[i] == 0 && v.gaveup[i] >= mda_stop_count(conf, 1))
			continue;
		short_by = mda_stop_count(conf, v.deg[i]) - v.cnt[i] - v.pend[i];
		if (short_by <= 0)
			continue;
		if (v.avail[i] >= 0)
			return paced(e, v.avail[i], t, now);
		need += short_by;
	}
	if (need > 0 && !h->capped) {
		/* Node control: new flows at t-1 until enough pass the vertices short of them. */
		if (prev_pending < (need < 16 ? need : 16)) {
			int f = free_flow(e, t - 1, true);

			if (f != -2)
				return paced(e, f, t - 1, now);
			h->capped = true;
		}
	}
	return (struct want){.step = MDA_DONE};
}

/* The pass leaves TTL t: is there a next one? */
static bool finish_ttl(struct engine *e, int t, int gaveup)
{
	struct mda *m = &e->mda;
	struct mda_hop *h = &m->hops[t];
	int routers = hop_routers(e, h);

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

			if (f->obs[t].state != OBS_NONE || ended_before(f, t))
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
		return paced(e, pick, t, now);
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
				struct want w = paced(e, i, t, now);

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
		int answered = 0, pending = 0, f, need = 0;
		struct want w;

		if (h->nresp != mda_hop_vertices(e, h))
			need = mda_stop_count(e->cfg.confidence, h->nresp);
		if (h->deferred && hop_stop_count(e, t, h) > need)
			need = hop_stop_count(e, t, h);
		if (h->capped || need == 0)
			continue;
		for (int i = 0; i < e->nflows; i++) {
			const struct mda_obs *o = &e->flows[i].obs[t];

			answered += o->state == OBS_ANSWERED;
			pending += o->state == OBS_PENDING && !o->presumed;
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
		f = free_flow(e, t, false);
		if (f == -2) {
			h->capped = true;
			continue;
		}
		w = paced(e, f, t, now);
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
	w = plan_ttl(e, e->mda.ttl, now, gaveup);
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
		if (!finish_ttl(e, m->ttl, gaveup)) {
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
