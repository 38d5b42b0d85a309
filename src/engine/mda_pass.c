/*
 * The end of a discovery pass (see mda.h): the per-hop summary the
 * snapshot shows, the flows the monitoring rounds keep probing, and when
 * the next pass is due.  mda.c, mda_ttl.c and mda_pick.c run the pass itself.
 */
#include <stdlib.h>

#include "engine/engine_int.h"
#include "engine/mda.h"

/* ---- the end of a pass -------------------------------------------------- */

/* Adds flow i to the monitoring set. */
static void monitor_add(struct engine *e, bool *chosen, int i)
{
	if (chosen[i] || e->nactive >= MDA_MONITOR_MAX)
		return;
	chosen[i] = true;
	e->nactive++;
}

/*
 * The flows rounds keep probing: MDA_FLOWS_PER_BRANCH through every
 * responder of every hop where that many exist, up to MDA_MONITOR_MAX in
 * all, so each branch's loss is measured on several flows.
 */
static bool choose_monitor(struct engine *e)
{
	struct mda *m = &e->mda;
	bool *chosen = calloc((size_t)e->nflows + 1, sizeof(*chosen));
	int n = 0;

	if (chosen == NULL)
		return false;
	e->nactive = 0;
	for (int t = e->cfg.first_ttl; t <= e->cfg.max_ttl; t++) {
		const struct mda_hop *h = &m->hops[t];

		if (!h->started)
			break;
		for (int r = 0; r < h->nresp; r++) {
			int have = 0;

			for (int i = 0; i < e->nflows; i++) {
				const struct mda_obs *o = &e->flows[i].obs[t];

				if (chosen[i] && o->state == OBS_ANSWERED && o->resp == r)
					have++;
			}
			for (int i = 0; i < e->nflows && have < MDA_FLOWS_PER_BRANCH; i++) {
				const struct mda_obs *o = &e->flows[i].obs[t];

				if (!chosen[i] && o->state == OBS_ANSWERED && o->resp == r &&
				    e->nactive < MDA_MONITOR_MAX) {
					monitor_add(e, chosen, i);
					have++;
				}
			}
		}
	}
	/*
	 * Flows the end-to-end lane probes are traced too, so that a port
	 * that fails can be placed on its path and named with its branch.
	 */
	for (int i = 0; i < e->nflows && e->nactive < MDA_MONITOR_MAX; i++)
		if (e->flows[i].lane_sent > 0)
			monitor_add(e, chosen, i);
	/* Nothing answered at all: keep a few flows going, as a fixed run would. */
	for (int i = 0; i < e->nflows && e->nactive < MDA_FLOWS_PER_BRANCH; i++)
		monitor_add(e, chosen, i);
	for (int i = 0; i < e->nflows; i++)
		if (chosen[i])
			e->active[n++] = i;
	e->nactive = n;
	free(chosen);
	return true;
}

/* What the pass showed at ttl (pp_ttl: a later pass skips the test where rounds showed it). */
static struct mda_summary summarize(const struct engine *e, int ttl)
{
	const struct mda *m = &e->mda;
	const struct mda_hop *h = &m->hops[ttl];
	int probed = 0;

	for (int i = 0; i < e->nflows; i++)
		probed += e->flows[i].obs[ttl].state != OBS_NONE;
	return (struct mda_summary){
		.valid = h->started,
		.complete = h->started && h->complete,
		.rate_limited = h->rate_limited,
		.per_vertex = h->nonuniform,
		.per_packet = h->per_packet || m->pp_ttl[ttl],
		.flows_probed = probed,
		.nresp = h->nresp,
	};
}

bool mda_pass_end(struct engine *e, uint64_t now)
{
	struct mda *m = &e->mda;

	m->running = false;
	for (int t = 0; t <= e->cfg.max_ttl; t++) {
		m->sum[t] = summarize(e, t);
		if (m->hops[t].per_packet)
			m->pp_ttl[t] = true;
	}
	m->have_sum = true;
	m->last_pass_end = now;
	m->last_pass_round_end = e->round;
	m->rediscover = false;
	return choose_monitor(e);
}

void mda_path_changed(struct engine *e, int ttl, int changes)
{
	struct mda *m = &e->mda;

	if (ttl < 0 || ttl > e->cfg.max_ttl)
		return;
	/* A flow that keeps changing is balanced per packet, not rerouted. */
	if (changes >= 2)
		m->pp_ttl[ttl] = true;
	else if (!m->pp_ttl[ttl])
		m->rediscover = true;
}

bool mda_pass_due(const struct engine *e, uint64_t now)
{
	const struct mda *m = &e->mda;

	if (!e->cfg.adaptive || m->running)
		return false;
	if (m->passes == 0)
		return true;
	if (m->rediscover && e->round >= m->last_pass_round_end + MDA_MIN_PASS_GAP)
		return true;
	if (e->cfg.rediscover_us == 0)
		return false;
	if (m->passes == 1 && e->cfg.rediscover_us > MDA_SECOND_PASS_US)
		return now >= m->last_pass_end + MDA_SECOND_PASS_US;
	return now >= m->last_pass_end + e->cfg.rediscover_us;
}

struct mda_summary mda_hop_summary(const struct engine *e, int ttl)
{
	const struct mda *m = &e->mda;

	if (ttl < 0 || ttl > e->cfg.max_ttl || m->sum == NULL)
		return (struct mda_summary){0};
	if (m->running && !m->have_sum)
		return summarize(e, ttl);
	return m->sum[ttl];
}
