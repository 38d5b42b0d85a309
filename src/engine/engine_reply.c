/*
 * Reply matching of the engine (engine.h, engine_reply()): which probe an
 * answer belongs to, only when it quotes everything the probe carried
 * (wire/probe_check.c), and the per-(flow, TTL) accounting it feeds:
 * responders, round trips, where each flow meets the target, and a loss
 * counted early that an answer within the timeout takes back.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_int.h"
#include "engine/lane.h"
#include "engine/mda.h"
#include "wire/probe_check.h"

/* Is the reply about one of this run's flows: our target, protocol, port and source ports? */
static bool names_our_flow(const struct engine *e, const struct reply *r)
{
	if (r->proto != e->cfg.proto || !addr_equal(&r->probe_dst, &e->cfg.dst))
		return false;
	if (e->cfg.proto != PROBE_ICMP && r->dport != e->cfg.dport)
		return false;
	if (!(e->plan.vary & VARY_SPORT))
		return r->sport == e->plan.sport_base;
	return r->sport >= e->plan.sport_base && r->sport - e->plan.sport_base < e->nflows;
}

/*
 * Is the reply an authentic answer to the probe in slot, of flow f?  The
 * probe is rebuilt as it was sent, and everything the reply quotes or
 * echoes of it must match, its MAC included (wire/probe_check.h).  That
 * is one table lookup and one SipHash per reply, whatever the flood.
 */
static bool same_probe(const struct engine *e, const struct reply *r, uint16_t slot, int flow)
{
	const struct probe_rec *p = &e->probes[slot];
	struct probe_spec sent;

	if (p->state == PROBE_FREE || p->flow != flow)
		return false;
	fill_probe(e, flow, p->ttl, slot, &sent);
	return probe_check_reply(&sent, r) == PROBE_CHECK_OK;
}

static bool answer_from_target(const struct engine *e, const struct reply *r)
{
	return addr_equal(&r->from, &e->cfg.dst);
}

static void note_responder(struct cell *c, const struct ip_addr *from, uint64_t round)
{
	int i, slot = -1;

	for (i = 0; i < c->nresp; i++)
		if (addr_equal(&c->resp[i].addr, from))
			slot = i;
	if (slot < 0) {
		if (c->nresp > 0)
			c->changes++;
		if (c->nresp < CELL_RESPONDERS) {
			slot = c->nresp++;
		} else {
			/* Forget the rarest; a cell rarely sees more than a few. */
			slot = 0;
			for (i = 1; i < c->nresp; i++)
				if (c->resp[i].count < c->resp[slot].count)
					slot = i;
		}
		c->resp[slot] = (struct responder){.addr = *from};
	} else if (slot != c->current) {
		c->changes++;
	}
	c->resp[slot].count++;
	c->resp[slot].last_round = round;
	c->current = slot;
}

/* The slowest answer so far sets how soon silence counts as loss (loss_deadline). */
static void note_round_trip(struct engine *e, uint64_t rtt_us, uint64_t now)
{
	if (rtt_us <= e->rtt_max_us)
		return;
	/* The first figure shortens every deadline: look at the pending probes again. */
	if (e->rtt_max_us == 0 && e->fifo_len > 0)
		e->early_scan_at = now;
	e->rtt_max_us = rtt_us;
}

/*
 * The target answered flow f at ttl.  Its hop count is the smallest TTL
 * that did: a target limiting its ICMP (UDP) may first answer only at a
 * larger one.  The farthest over all flows is kept up to date both ways,
 * so one such early answer does not send every flow further for good.
 */
static void note_dest_ttl(struct engine *e, struct flow_state *f, int ttl)
{
	bool lowered = f->dest_ttl != 0 && ttl < f->dest_ttl;

	if (f->dest_ttl == 0 || ttl < f->dest_ttl)
		f->dest_ttl = ttl;
	if (f->dest_ttl > e->max_dest_ttl)
		e->max_dest_ttl = f->dest_ttl;
	if (!lowered)
		return;
	e->max_dest_ttl = 0;
	for (int i = 0; i < e->nflows; i++)
		if (e->flows[i].dest_ttl > e->max_dest_ttl)
			e->max_dest_ttl = e->flows[i].dest_ttl;
}

/* Replies sent by the target itself in answer to the probe, not about it. */
static bool answers_directly(const struct reply *r)
{
	return r->kind == REPLY_ECHO_REPLY || r->kind == REPLY_TCP_SYNACK || r->kind == REPLY_TCP_RST;
}

/*
 * The probe a reply answers: it names one of our flows, proves it answers
 * that flow's probe, and is its first answer, not too late (a loss counted
 * early is taken back).  MATCH_OK with *slot_out and *flow_out, or why
 * the reply does not count (and its counter).
 */
static enum match_result match_probe(struct engine *e, const struct reply *r, uint64_t now,
				     uint16_t *slot_out, int *flow_out)
{
	struct probe_rec *p;
	uint16_t slot;
	int flow;

	if (!names_our_flow(e, r)) {
		e->counters.foreign++;
		return MATCH_FOREIGN;
	}
	slot = auth_slot(&e->auth, r->probe_id);
	p = &e->probes[slot];
	/*
	 * Errors quote the flow's ports and label, which name the flow.  Echo
	 * replies and TCP answers carry no label: the probe names the flow,
	 * and probe_check_reply() compares its port with theirs.
	 */
	if (answers_directly(r))
		flow = p->state != PROBE_FREE ? p->flow : -1;
	else
		flow = flow_decode(&e->plan, e->nflows, r->sport, r->flow_label);
	/* There is no weaker second guess: the reply proves it answers that probe, or is ignored. */
	if (flow < 0 || !same_probe(e, r, slot, flow)) {
		e->counters.unauthenticated++;
		return MATCH_UNAUTHENTICATED;
	}
	if (p->state == PROBE_ANSWERED) {
		e->counters.duplicates++;
		return MATCH_DUPLICATE;
	}
	/* Counted lost early, answered within the timeout after all: an answer. */
	if (p->state == PROBE_LOST && p->early_lost &&
	    now <= p->sent_at + e->cfg.timeout_us + e->cfg.answer_delay_us) {
		(*lost_count(e, p))--;
		p->state = PROBE_PENDING;
		p->early_lost = false;
	}
	if (p->state != PROBE_PENDING) {
		e->counters.late++;
		return MATCH_LATE;
	}
	*slot_out = slot;
	*flow_out = flow;
	return MATCH_OK;
}

/*
 * An end-to-end lane probe sent with the largest TTL was answered.  Only
 * the target's answer says anything end to end; a router's at the largest
 * TTL does not.
 */
static void note_reach(struct engine *e, struct flow_state *f, const struct probe_rec *p,
		       const struct reply *r, uint64_t now)
{
	if (!answer_from_target(e, r))
		return;
	e->reached = true;
	f->reach.received++;
	rtt_add(&f->reach.rtt, (int64_t)(now - p->sent_at), now);
	recent_add(&f->reach.recent, (int64_t)(now - p->sent_at), now);
}

/* A probe at a TTL was answered: its (flow, TTL) cell, the pass, where the flow ends. */
static void note_cell(struct engine *e, int flow, const struct probe_rec *p,
		      const struct reply *r, uint64_t now)
{
	struct flow_state *f = &e->flows[flow];
	int ttl = p->ttl;
	struct cell *c = &f->cells[ttl];
	int changes;

	c->received++;
	rtt_add(&c->rtt, (int64_t)(now - p->sent_at), now);
	recent_add(&c->recent, (int64_t)(now - p->sent_at), now);
	if (ttl == 1)
		link_note_answer(e, r, now);
	changes = c->changes;
	note_responder(c, &r->from, p->round);
	mpls_note(&e->mpls, ttl, r);
	if (of_running_pass(e, p))
		mda_answer(e, flow, ttl, &r->from,
			   answer_from_target(e, r) || r->kind == REPLY_DEST_UNREACH,
			   now - p->sent_at);
	else if (e->cfg.adaptive && !p->discovery && c->changes > changes)
		mda_path_changed(e, ttl, c->changes);
	if (!of_running_pass(e, p) && !answer_from_target(e, r))
		mda_pace_other_answer(e, &r->from, now);
	if (answer_from_target(e, r)) {
		c->flags |= CELL_DEST;
		note_dest_ttl(e, f, ttl);
	} else if (r->kind == REPLY_DEST_UNREACH) {
		c->flags |= CELL_UNREACH;
		if (f->unreach_ttl == 0 || ttl < f->unreach_ttl)
			f->unreach_ttl = ttl;
	}
	if (ttl > f->last_reply_ttl)
		f->last_reply_ttl = ttl;
	if (ttl > e->highest_reply_ttl)
		e->highest_reply_ttl = ttl;
}

enum match_result engine_reply(struct engine *e, const struct reply *r, uint64_t now)
{
	enum match_result m;
	struct probe_rec *p;
	struct flow_state *f;
	uint16_t slot = 0;
	int flow = -1;

	m = match_probe(e, r, now, &slot, &flow);
	if (m != MATCH_OK)
		return m;
	p = &e->probes[slot];
	/* A clock that went backwards (it should not) must not make negative RTTs. */
	if (now < p->sent_at)
		now = p->sent_at;

	p->state = PROBE_ANSWERED;
	f = &e->flows[flow];
	if (addr_is_set(&r->probe_src) && r->probe_src.family == e->cfg.dst.family)
		f->src = r->probe_src;
	if (p->pmtu) {
		/* Its size is no ordinary probe's: it tells the path's MTU, no RTT. */
		pmtu_answer(e, p, r);
		e->counters.replies++;
		return MATCH_OK;
	}
	note_round_trip(e, now - p->sent_at, now);
	if (answer_from_target(e, r))
		lane_target_answered(e, now, p->burst_pos);
	if (p->reach)
		note_reach(e, f, p, r, now);
	else
		note_cell(e, flow, p, r, now);
	e->counters.replies++;
	return MATCH_OK;
}
