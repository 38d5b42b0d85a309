/*
 * The rounds of the engine (mtr's part): each round traces its flows TTL
 * by TTL, every flow at each TTL, up to where each flow's path ends.  How
 * many flows a round takes, and how few probes a rate-limited hop gets:
 * a router that limits its ICMP errors (Linux: a burst of 6, then one a
 * second) answers about one probe a second, so a round sends it no more
 * than its routers can answer, and nothing while the lane is still
 * placing flows there (lane.c).
 */
#include "engine/engine_int.h"
#include "engine/lane.h"
#include "engine/mda.h"

/*
 * A hop looks rate limited when it loses at least this much more (percent)
 * than the hops after it, over at least RL_MIN_PROBES probes.
 */
#define RL_EXCESS_PCT 20
#define RL_MIN_PROBES 12

/*
 * The highest TTL worth probing for a flow this round.  A flow stops at the
 * target (or an unreachable); otherwise probing goes max_unknown silent
 * TTLs past the highest responder of any flow, but once the target is known
 * a flow that has not reached it goes only one TTL past its own last
 * responder, so flows whose answers die on the way back are not probed at a
 * handful of TTLs each round.
 */
int rounds_flow_limit(const struct engine *e, const struct flow_state *f)
{
	int limit;

	if (f->dest_ttl)
		return f->dest_ttl;
	if (f->unreach_ttl)
		return f->unreach_ttl;
	limit = e->highest_reply_ttl + e->cfg.max_unknown;
	if (limit < e->cfg.first_ttl - 1 + e->cfg.max_unknown)
		limit = e->cfg.first_ttl - 1 + e->cfg.max_unknown;
	if (e->max_dest_ttl) {
		int near = f->last_reply_ttl + 1;

		if (near < e->max_dest_ttl)
			near = e->max_dest_ttl;
		if (near < limit)
			limit = near;
	}
	if (limit > e->cfg.max_ttl)
		limit = e->cfg.max_ttl;
	return limit;
}

/*
 * True while an unanswered probe beyond the highest responder is out: its
 * answer may raise the horizon, so the round should wait for it rather than
 * end early (this is what lets the first round find the path's length).
 */
static bool horizon_may_grow(const struct engine *e)
{
	uint32_t i;

	for (i = 0; i < e->fifo_len; i++) {
		const struct probe_rec *p = &e->probes[e->fifo[(e->fifo_head + i) % PROBE_SLOTS]];

		/*
		 * Only the rounds' own probes: the lane's reach probes (largest
		 * TTL) and a pass going on beside the rounds are always out, and
		 * waiting on them would hold the round up for good.
		 */
		if (p->state == PROBE_PENDING && p->ttl > e->highest_reply_ttl && !p->reach &&
		    !p->discovery)
			return true;
	}
	return false;
}

/*
 * The flow at a position of this round.  Each round starts one flow
 * further: a router that answers only the first few probes of a burst
 * (ICMP rate limiting) then answers every flow in turn, instead of always
 * the same ones, which would look like a lossy subset of flows.
 */
int rounds_flow_at(const struct engine *e, int position)
{
	return e->active[(position + e->rotation) % e->nactive];
}

/* Loss at ttl over every flow, in percent; -1 with fewer than RL_MIN_PROBES behind it. */
static int ttl_loss_pct(const struct engine *e, int ttl)
{
	uint64_t recv = 0, lost = 0;

	for (int i = 0; i < e->nflows; i++) {
		recv += e->flows[i].cells[ttl].received;
		lost += e->flows[i].cells[ttl].lost;
	}
	return recv + lost >= RL_MIN_PROBES ? (int)(100 * lost / (recv + lost)) : -1;
}

/*
 * Sets this round's quota per TTL: a hop that loses RL_EXCESS_PCT more
 * than a later one (the same probes get through it, so its silence is its
 * ICMP limit) gets one probe a second per router it has shown.  Walked
 * from the last hop back, keeping the least loss seen behind each one.
 */
void rounds_plan_quota(struct engine *e)
{
	int last = e->max_dest_ttl ? e->max_dest_ttl : e->highest_reply_ttl, best = 100;
	uint64_t secs = e->cfg.interval_us / 1000000u;

	for (int t = 0; t <= e->cfg.max_ttl; t++) {
		e->ttl_quota[t] = -1;
		e->ttl_used[t] = 0;
	}
	/* A fixed --flows run probes every flow at every TTL, as asked. */
	if (!e->cfg.adaptive || last > e->cfg.max_ttl)
		return;
	for (int t = last; t >= e->cfg.first_ttl; t--) {
		int loss = ttl_loss_pct(e, t), routers;

		if (loss >= 0 && t < last && loss - best >= RL_EXCESS_PCT) {
			/* While the lane places flows there, it has the hop's answers to itself. */
			routers = mda_hop_summary(e, t).nresp;
			e->ttl_quota[t] = lane_placing(e, t) ? 0 :
					  (routers > 0 ? routers : 1) * (int)(secs > 0 ? secs : 1);
		}
		if (loss >= 0 && loss < best)
			best = loss;
	}
}

/* May the round probe at ttl?  At a rate-limited hop only while its quota lasts. */
static bool within_quota(const struct engine *e, int ttl)
{
	return e->ttl_quota[ttl] < 0 || e->ttl_used[ttl] < e->ttl_quota[ttl];
}

/* A round probe went to ttl: it counts against the hop's quota. */
void rounds_sent(struct engine *e, int ttl)
{
	if (e->ttl_used[ttl] < INT32_MAX)
		e->ttl_used[ttl]++;
}

/* Finds the next (flow, TTL) of the round: TTL by TTL, every flow at each TTL. */
enum pick rounds_pick(struct engine *e)
{
	for (; e->cur_ttl <= e->cfg.max_ttl; e->cur_ttl++, e->cur_flow = 0) {
		int next = e->cur_ttl + 1;
		bool wanted = false;

		for (; e->cur_flow < e->round_flows; e->cur_flow++) {
			const struct flow_state *f = &e->flows[rounds_flow_at(e, e->cur_flow)];

			if (e->cur_ttl <= rounds_flow_limit(e, f) && within_quota(e, e->cur_ttl))
				return PICK_PROBE;
		}
		/* This TTL is done; go on only if some flow wants the next one. */
		for (int i = 0; i < e->round_flows && !wanted; i++)
			wanted = next <= rounds_flow_limit(e, &e->flows[rounds_flow_at(e, i)]);
		if (next > e->cfg.max_ttl)
			break;
		if (!wanted)
			return horizon_may_grow(e) ? PICK_WAIT : PICK_ROUND_OVER;
	}
	return PICK_ROUND_OVER;
}


/*
 * How many of the monitored flows a round probes.  A fixed --flows run
 * probes all of them, as asked.  Adaptive mode may monitor more flows
 * than a round interval's share of the rate can trace hop by hop (the
 * lane takes the rest): rounds then take turns over them, so a round
 * still lasts about an interval and -c N about N intervals.
 */
int rounds_flows_per_round(const struct engine *e)
{
	uint64_t budget, hops;
	int n;

	if (!e->cfg.adaptive || e->nactive == 0)
		return e->nactive;
	hops = (uint64_t)(e->max_dest_ttl ? e->max_dest_ttl : e->highest_reply_ttl + 1);
	if (hops > e->cfg.max_ttl)
		hops = e->cfg.max_ttl;
	budget = (uint64_t)e->cfg.rate_pps * e->cfg.interval_us / 1000000u;
	if (lane_enabled(e))
		budget = budget * (100 - LANE_STEADY_SHARE) / 100;
	n = (int)(budget / (hops ? hops : 1));
	if (n < 1)
		n = 1;
	return n < e->nactive ? n : e->nactive;
}
