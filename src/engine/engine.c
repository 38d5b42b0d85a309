/*
 * The tracing engine (see engine.h): a round-based, TTL-stepping scheduler
 * in the spirit of mtr, extended to many flows per round Paris-traceroute
 * style; reply matching and accounting are in engine_reply.c.  No I/O: the
 * caller sends what engine_next() returns and feeds back what it captures.
 * In adaptive mode a round may instead be a discovery pass (mda.c), which
 * adds flows until every hop's branches are known at the stated
 * confidence; the rounds after it probe the flows it chose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/results.h"
#include "wake.h"
#include "wire/probe_check.h"

void engine_config_defaults(struct engine_config *cfg)
{
	*cfg = (struct engine_config){
		.proto = PROBE_UDP,
		.dport = 33434,
		.sport_base = 33000,
		.label_base = 1,
		.vary = VARY_SPORT,
		.nflows = 16,
		.first_ttl = 1,
		.max_ttl = 30,
		.max_unknown = 5,
		.rounds = 10,
		.interval_us = 1000000,
		.timeout_us = 2000000,
		.rate_pps = 100,
		.payload_len = 12,
		.adaptive = false,
		.confidence = 95,
		.max_flows = 2048,
		.rediscover_us = 300000000,
	};
}

static bool config_check(const struct engine_config *cfg, const struct flow_plan *plan,
			 char *err, size_t errlen)
{
	const char *why = NULL;

	if (!addr_is_set(&cfg->dst) || !addr_is_set(&cfg->src))
		why = "source and destination addresses are required";
	else if (cfg->src.family != cfg->dst.family)
		why = "source and destination are of different families";
	else if (cfg->first_ttl == 0 || cfg->first_ttl > cfg->max_ttl)
		why = "first TTL must be between 1 and the maximum TTL";
	else if (!cfg->adaptive && cfg->nflows < 1)
		why = "at least one flow is needed";
	else if (!cfg->adaptive && cfg->nflows > flow_max_count(plan))
		why = "more flows than the source-port range allows";
	else if (cfg->adaptive && cfg->confidence != 95 && cfg->confidence != 99)
		why = "the confidence must be 95 or 99";
	else if (cfg->adaptive && cfg->max_flows < 1)
		why = "at least one flow is needed";
	else if (cfg->first_hop_fanout < 0)
		why = "the first hop's fanout cannot be negative";
	else if (cfg->vary == 0 || ((cfg->vary & VARY_LABEL) && cfg->dst.family != AF_INET6))
		why = "flows can vary the flow label only on IPv6";
	else if (cfg->rate_pps == 0)
		why = "the probe rate must be positive";
	else if (cfg->timeout_us == 0)
		why = "the timeout must be positive";
	else if ((uint64_t)cfg->rate_pps * cfg->timeout_us / 1000000 >= PROBE_SLOTS / 2)
		why = "rate x timeout allows more probes in flight than ids can tell apart";
	else if (cfg->max_unknown < 1)
		why = "max-unknown must be at least 1";
	else if (cfg->proto == PROBE_TCP ? cfg->payload_len != 0 : cfg->payload_len < PROBE_MIN_PAYLOAD)
		why = "payload length does not suit the protocol";
	if (why != NULL)
		snprintf(err, errlen, "%s", why);
	return why == NULL;
}

struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen)
{
	struct engine *e;
	int i;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto nomem;
	e->cfg = *cfg;
	e->plan = (struct flow_plan){
		.proto = cfg->proto,
		.vary = cfg->vary,
		.sport_base = cfg->sport_base,
		.label_base = cfg->label_base,
	};
	if (!config_check(cfg, &e->plan, err, errlen)) {
		free(e);
		return NULL;
	}
	e->probes = calloc(PROBE_SLOTS, sizeof(*e->probes));
	e->fifo = calloc(PROBE_SLOTS, sizeof(*e->fifo));
	e->ttl_quota = calloc((size_t)cfg->max_ttl + 1, sizeof(*e->ttl_quota));
	e->ttl_used = calloc((size_t)cfg->max_ttl + 1, sizeof(*e->ttl_used));
	if (e->probes == NULL || e->fifo == NULL || e->ttl_quota == NULL || e->ttl_used == NULL)
		goto nomem;
	for (i = 0; i <= cfg->max_ttl; i++)
		e->ttl_quota[i] = -1;
	if (cfg->adaptive) {
		/* Flows are added as discovery needs them; ports must not pass 65535. */
		if (e->cfg.max_flows > flow_max_count(&e->plan))
			e->cfg.max_flows = flow_max_count(&e->plan);
		if (!mda_init(e))
			goto nomem;
	} else {
		for (i = 0; i < cfg->nflows; i++)
			if (engine_add_flow(e) < 0)
				goto nomem;
		for (i = 0; i < e->nflows; i++)
			e->active[i] = i;
		e->nactive = e->nflows;
	}
	/* Ids and MACs under the run's key: answers to an earlier run do not check out. */
	auth_init(&e->auth, cfg->key);
	e->next_id = (uint16_t)(cfg->seed & 0xffff);
	return e;
nomem:
	engine_free(e);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

int engine_add_flow(struct engine *e)
{
	struct flow_state *f;
	int i = e->nflows;
	int limit = e->cfg.adaptive ? e->cfg.max_flows : e->cfg.nflows;

	if (i >= limit)
		return -1;
	if (i == e->capflows) {
		int cap = e->capflows ? e->capflows * 2 : 16;
		struct flow_state *grown;
		int *act;

		if (cap > limit)
			cap = limit;
		grown = realloc(e->flows, (size_t)cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		e->flows = grown;
		act = realloc(e->active, (size_t)cap * sizeof(*act));
		if (act == NULL)
			return -1;
		e->active = act;
		e->capflows = cap;
	}
	f = &e->flows[i];
	*f = (struct flow_state){0};
	f->cells = calloc((size_t)e->cfg.max_ttl + 1, sizeof(struct cell));
	if (f->cells == NULL)
		return -1;
	if (e->cfg.adaptive && !mda_flow_init(e, i)) {
		free(f->cells);
		return -1;
	}
	/* Flow ids stay 0 .. n-1, so flow_decode() knows the new one at once. */
	flow_encode(&e->plan, i, &f->id);
	e->nflows = i + 1;
	return i;
}

void engine_free(struct engine *e)
{
	int i;

	if (e == NULL)
		return;
	if (e->flows != NULL)
		for (i = 0; i < e->nflows; i++) {
			free(e->flows[i].cells);
			free(e->flows[i].obs);
		}
	mda_free(e);
	mpls_table_free(&e->mpls);
	pmtu_free(&e->pmtu);
	free(e->active);
	free(e->flows);
	free(e->probes);
	free(e->fifo);
	free(e->ttl_quota);
	free(e->ttl_used);
	free(e);
}

struct engine_counters engine_get_counters(const struct engine *e)
{
	struct engine_counters c = e->counters;
	uint64_t finished = e->in_round ? e->round - 1 : e->round;

	/* A round is done when none of its probes is still in flight. */
	if (e->fifo_len > 0) {
		const struct probe_rec *oldest = &e->probes[e->fifo[e->fifo_head]];

		if (oldest->round - 1 < finished)
			finished = oldest->round - 1;
	}
	c.rounds_started = e->round;
	c.rounds_done = finished;
	return c;
}

const struct responder *cell_dominant(const struct cell *c)
{
	const struct responder *best = NULL;
	int i;

	for (i = 0; i < c->nresp; i++) {
		const struct responder *r = &c->resp[i];

		if (best == NULL || r->count > best->count ||
		    (r->count == best->count && r->last_round > best->last_round))
			best = r;
	}
	return best;
}

/* ---- probe bookkeeping ------------------------------------------------ */

static void fifo_pop(struct engine *e)
{
	e->fifo_head = (e->fifo_head + 1) % PROBE_SLOTS;
	e->fifo_len--;
}

/* Is p a probe of the discovery pass still running? */
bool of_running_pass(const struct engine *e, const struct probe_rec *p)
{
	return p->discovery && e->mda.running && p->pass == (uint32_t)e->mda.passes;
}

/*
 * A probe is counted lost once it is several of the slowest round trips
 * seen old (LOSS_RTT_FACTOR, at least LOSS_FLOOR_US), not only after the
 * full timeout: silence is evidence, and neither the verdict nor the
 * discovery pass should wait seconds for it.  An answer that still comes
 * within the timeout turns the loss back into an answer.
 */
#define LOSS_RTT_FACTOR 4
#define LOSS_FLOOR_US 250000u

static uint64_t loss_deadline(const struct engine *e, const struct probe_rec *p)
{
	uint64_t wait = e->cfg.timeout_us;

	if (e->rtt_max_us != 0) {
		uint64_t early = LOSS_RTT_FACTOR * e->rtt_max_us;

		if (early < LOSS_FLOOR_US)
			early = LOSS_FLOOR_US;
		if (early < wait)
			wait = early;
	}
	return p->sent_at + wait + e->cfg.answer_delay_us;
}

/* Where a probe's loss counts: its cell, or the flow's reach tally. */
uint64_t *lost_count(struct engine *e, const struct probe_rec *p)
{
	struct flow_state *f = &e->flows[p->flow];

	if (p->pmtu)
		return &e->pmtu.lost_sink;
	return p->reach ? &f->reach.lost : &f->cells[p->ttl].lost;
}

/* A pending probe is given up: it counts as lost. */
static void probe_lost(struct engine *e, struct probe_rec *p, uint64_t now)
{
	p->state = PROBE_LOST;
	p->early_lost = now < p->sent_at + e->cfg.timeout_us + e->cfg.answer_delay_us;
	(*lost_count(e, p))++;
	if (p->pmtu)
		pmtu_lost(e, p);
	else if (of_running_pass(e, p))
		mda_lost(e, p->flow, p->ttl);
}

/*
 * Resolves every probe whose deadline has passed; they count as lost.
 * Deadlines differ between probes (loss_deadline), so the queue is
 * scanned whenever the earliest one is due, then trimmed from its head.
 */
static void expire(struct engine *e, uint64_t now)
{
	if (e->early_scan_at != 0 && now >= e->early_scan_at) {
		e->early_scan_at = 0;
		for (uint32_t i = 0; i < e->fifo_len; i++) {
			struct probe_rec *p = &e->probes[e->fifo[(e->fifo_head + i) % PROBE_SLOTS]];
			uint64_t at;

			if (p->state != PROBE_PENDING)
				continue;
			at = loss_deadline(e, p);
			if (at <= now)
				probe_lost(e, p, now);
			else
				e->early_scan_at = wake_earliest(e->early_scan_at, at);
		}
	}
	while (e->fifo_len > 0 && e->probes[e->fifo[e->fifo_head]].state != PROBE_PENDING)
		fifo_pop(e);
}

/* The earliest time at which a pending probe times out; 0 if none. */
static uint64_t next_expiry(const struct engine *e)
{
	return e->fifo_len > 0 ? e->early_scan_at : 0;
}

/* A probe was sent or the round-trip figure changed: when to look for losses next. */
static void note_deadline(struct engine *e, const struct probe_rec *p)
{
	e->early_scan_at = wake_earliest(e->early_scan_at, loss_deadline(e, p));
}

static uint16_t take_probe_id(struct engine *e)
{
	uint16_t id, wire;

	/* The id on the wire must not be 0 or 0xffff (probe.h): skip the slots that map there. */
	do {
		id = e->next_id++;
		wire = auth_wire_id(&e->auth, id);
	} while (wire == 0 || wire == 0xffff);
	/*
	 * Ids wrap after 65534 probes; a probe still pending that long ago is
	 * far past any sane timeout, so its slot is reclaimed as lost.
	 */
	if (e->probes[id].state == PROBE_PENDING)
		probe_lost(e, &e->probes[id], UINT64_MAX);
	return id;
}

/* ---- scheduling -------------------------------------------------------- */

static bool all_rounds_started(const struct engine *e)
{
	return e->stopped || (e->cfg.rounds != 0 && e->round >= e->cfg.rounds);
}

/* The probe in slot id as it goes out (and as an answer must quote it): its id and MAC keyed. */
void fill_probe(const struct engine *e, int flow, int ttl, uint16_t id, struct probe_spec *p)
{
	const struct flow_id *fid = &e->flows[flow].id;

	*p = (struct probe_spec){
		.proto = e->cfg.proto,
		.src = e->cfg.src,
		.dst = e->cfg.dst,
		.ttl = (uint8_t)ttl,
		.tos = e->cfg.tos,
		.sport = fid->sport,
		.dport = e->cfg.proto == PROBE_ICMP ? 0 : e->cfg.dport,
		.flow_label = fid->flow_label,
		.probe_id = auth_wire_id(&e->auth, id),
		.icmp_checksum = fid->icmp_checksum,
		.payload_len = e->cfg.payload_len,
	};
	if ((p->df = e->probes[id].pmtu))	/* path MTU: its own size (TCP: a SYN with data) */
		p->payload_len = (uint16_t)(e->probes[id].size - pmtu_headers(e));
	p->tag = auth_tag(&e->auth, p, e->probes[id].sent_at);
}

/*
 * When the next probe may go.  At 1000 probes a second or less every gap
 * is exactly 1/rate.  Faster, a millisecond's worth (rate / 1000) goes
 * back to back at the start of a millisecond window, then nothing until
 * the window ends: the caller sends them in one system call instead of
 * waking once per probe.  Any interval of T then holds at most
 * rate * T + rate / 1000 probes (over a second: the rate plus 0.1%).
 */
static void pace(struct engine *e, uint64_t now)
{
	uint64_t gap = (1000000 + e->cfg.rate_pps - 1) / e->cfg.rate_pps;
	uint64_t depth = e->cfg.rate_pps / 1000;

	if (depth <= 1) {
		/* Up to 1000 per second: one probe a gap, no credit kept. */
		e->next_send_at = (e->next_send_at > now ? e->next_send_at : now) + gap;
		return;
	}
	if (e->window_sent == 0 || now >= e->window_start + 1000) {
		e->window_start = now;
		e->window_sent = 0;
	}
	if (++e->window_sent < depth) {
		e->next_send_at = now;
	} else {
		e->next_send_at = e->window_start + 1000;
		e->window_sent = 0;
	}
}

/* While paused, how often the caller looks again (timeouts still resolve meanwhile). */
#define PAUSE_POLL_US 100000

/* What a probe is sent for: a round, the discovery pass, the end-to-end lane, path MTU. */
enum probe_purpose { FOR_ROUND, FOR_DISCOVERY, FOR_LANE, FOR_PMTU };

/*
 * Records and fills one probe of flow at ttl, sent now.  A lane probe at
 * TTL 0 is a reach probe: it goes with the largest TTL and counts in the
 * flow's reach tally, not in a cell.
 */
static uint16_t send_probe(struct engine *e, uint64_t now, int flow, int ttl,
			   enum probe_purpose why, struct probe_spec *probe)
{
	uint16_t id = take_probe_id(e);
	struct probe_rec *rec = &e->probes[id];
	bool reach = why == FOR_LANE && ttl == 0;

	bool check = why == FOR_PMTU && ttl != 0;

	if (reach || (why == FOR_PMTU && ttl == 0))
		ttl = e->cfg.max_ttl;
	*rec = (struct probe_rec){
		.sent_at = now,
		.round = e->round,
		.flow = flow,
		.ttl = (uint8_t)ttl,
		.state = PROBE_PENDING,
		.discovery = why == FOR_DISCOVERY,
		.pass = (uint32_t)e->mda.passes,
		.reach = reach,
		.pmtu = why == FOR_PMTU,
		.pmtu_check = check,
	};
	e->fifo[(e->fifo_head + e->fifo_len) % PROBE_SLOTS] = id;
	e->fifo_len++;
	if (!reach && why != FOR_PMTU)
		e->flows[flow].cells[ttl].sent++;
	note_deadline(e, rec);
	fill_probe(e, flow, ttl, id, probe);
	e->counters.probes_sent++;
	if (e->first_send_at == 0)
		e->first_send_at = now ? now : 1;
	pace(e, now);
	return id;
}

/*
 * Sends the end-to-end lane's probe when one is due and the rate allows;
 * else lowers *wake to when one will be and returns false.
 */
static bool lane_try(struct engine *e, uint64_t now, struct probe_spec *probe, uint64_t *wake)
{
	int flow = 0, ttl = 0;
	uint64_t lane_wake = 0;
	bool place = false;
	uint16_t slot;

	if (e->paused || !lane_pick(e, now, &flow, &ttl, &place, &lane_wake)) {
		*wake = wake_earliest(*wake, lane_wake);
		return false;
	}
	if (now < e->next_send_at) {
		*wake = wake_earliest(*wake, e->next_send_at);
		return false;
	}
	slot = send_probe(e, now, flow, ttl, place ? FOR_ROUND : FOR_LANE, probe);
	lane_sent(e, flow, ttl, place, now);
	if (!place)
		e->probes[slot].burst_pos = (uint8_t)lane_burst_pos(e);
	e->lane_last_turn = true;
	return true;
}

/* A path MTU probe (pmtu.h) when one is due and the rate allows. */
static bool pmtu_try(struct engine *e, uint64_t now, struct probe_spec *probe, uint64_t *wake)
{
	int flow = 0, ttl = 0;
	uint16_t size = 0, slot;

	if (e->paused || !pmtu_next(e, now, &flow, &size, &ttl, wake))
		return false;
	if (now < e->next_send_at) {
		*wake = wake_earliest(*wake, e->next_send_at);
		return false;
	}
	slot = send_probe(e, now, flow, ttl, FOR_PMTU, probe);
	e->probes[slot].size = size;	/* and the probe built again at that size */
	fill_probe(e, flow, e->probes[slot].ttl, slot, probe);
	pmtu_sent(e, flow, size, now);
	return true;
}

/* Discovery or the round has nothing to send before *wake: the lane, then path MTU, may fill the gap. */
static enum engine_step lane_or_wait(struct engine *e, uint64_t now, struct probe_spec *probe,
				     uint64_t *wake)
{
	if (lane_try(e, now, probe, wake) || pmtu_try(e, now, probe, wake))
		return ENGINE_SEND;
	if (*wake == 0 && e->fifo_len == 0)
		*wake = now + PAUSE_POLL_US;
	return ENGINE_WAIT;
}

/*
 * One step of a discovery pass (adaptive mode): what mda_pick asks for, under
 * the global rate.  Returns ENGINE_DONE when the pass is over (the round
 * ends), else ENGINE_SEND or ENGINE_WAIT.
 */
static enum engine_step discovery_step(struct engine *e, uint64_t now, struct probe_spec *probe,
				       uint64_t *wake)
{
	enum mda_step step;
	int flow = 0, ttl = 0;

	if (now < e->next_send_at && e->fifo_len > 0) {
		*wake = e->next_send_at;
		return ENGINE_WAIT;
	}
	step = mda_pick(e, now, &flow, &ttl, wake);
	if (step == MDA_DONE) {
		mda_pass_end(e, now);
		return ENGINE_DONE;
	}
	if (step == MDA_WAIT) {
		*wake = wake_earliest(*wake, next_expiry(e));
		if (*wake == 0 || *wake <= now)
			*wake = now + 1000;
		return ENGINE_WAIT;
	}
	if (now < e->next_send_at) {
		*wake = e->next_send_at;
		return ENGINE_WAIT;
	}
	if (flow < 0)
		flow = engine_add_flow(e);
	if (flow < 0) {
		/* Out of memory: try again a little later. */
		*wake = now + 100000;
		return ENGINE_WAIT;
	}
	send_probe(e, now, flow, ttl, FOR_DISCOVERY, probe);
	mda_sent(e, flow, ttl, now);
	return ENGINE_SEND;
}

static void start_round(struct engine *e, uint64_t now)
{
	e->round++;
	e->in_round = true;
	e->cur_ttl = e->cfg.first_ttl;
	e->cur_flow = 0;
	/* Each round starts one flow further, or past the flows the last one took. */
	if (e->round_flows > 0 && e->round_flows < e->nactive)
		e->rotation = (e->rotation + e->round_flows) % e->nactive;
	else
		e->rotation = e->nactive ? (int)((e->round - 1) % (uint64_t)e->nactive) : 0;
	e->round_flows = rounds_flows_per_round(e);
	rounds_plan_quota(e);
	e->next_round_at = now + e->cfg.interval_us;
	if (mda_pass_due(e, now)) {
		mda_pass_begin(e, now);
		e->pass_detached = false;
	}
}

/*
 * A discovery pass still running one interval after its round began goes
 * on beside the rounds, so that rounds keep their pace (-c N lasts about
 * N intervals however long rate-limited routers make the pass).  Until the
 * first pass ends, rounds trace the flows made so far.  -c 1 is the pass
 * alone and never detaches.
 */
static void detach_pass(struct engine *e)
{
	e->pass_detached = true;
	e->in_round = false;
	if (e->nactive == 0) {
		for (int i = 0; i < e->nflows && i < MDA_MONITOR_MAX; i++)
			e->active[i] = i;
		e->nactive = e->nflows < MDA_MONITOR_MAX ? e->nflows : MDA_MONITOR_MAX;
	}
}

/* A detached pass takes its turn; SEND, or WAIT with *wake (0: none), or DONE when it ended. */
static enum engine_step background_pass(struct engine *e, uint64_t now, struct probe_spec *probe,
					uint64_t *wake)
{
	enum engine_step step;

	*wake = 0;
	if (!e->mda.running || !e->pass_detached)
		return ENGINE_DONE;
	step = discovery_step(e, now, probe, wake);
	if (step == ENGINE_DONE)
		e->pass_detached = false;
	return step;
}

/* All rounds started and the last one over: only answers (and neighbours) are awaited. */
static enum engine_step finish(struct engine *e, uint64_t now, uint64_t *wake)
{
	/* Neighbours being asked for their link-layer address may still answer. */
	uint64_t link = link_busy_until(e, now);

	/* A pass still going on beside the rounds ends with them, with what it found. */
	if (e->mda.running) {
		mda_pass_end(e, now);
		e->pass_detached = false;
	}
	if (link != 0 && e->paused)
		link = now + PAUSE_POLL_US;	/* nothing is asked while paused */
	if (e->fifo_len == 0 && link == 0)
		return ENGINE_DONE;
	*wake = wake_earliest(next_expiry(e), link);
	if (*wake == 0)
		*wake = now;
	return ENGINE_WAIT;
}

/* The pass that is its round's probing (attached): its step, or detaching it when it is late. */
static enum engine_step attached_pass(struct engine *e, uint64_t now, struct probe_spec *probe,
				      uint64_t *wake)
{
	enum engine_step step;
	bool may_detach = e->cfg.rounds != 1;

	if (may_detach && now >= e->next_round_at) {
		detach_pass(e);
		return ENGINE_DONE;
	}
	step = discovery_step(e, now, probe, wake);
	if (step == ENGINE_WAIT) {
		if (may_detach)
			*wake = wake_earliest(*wake, e->next_round_at);
		return lane_or_wait(e, now, probe, wake);
	}
	if (step == ENGINE_SEND) {
		e->lane_last_turn = false;
		return step;
	}
	/* The pass took this round; the next one monitors. */
	e->in_round = false;
	if (e->next_round_at < now)
		e->next_round_at = now;
	return ENGINE_DONE;
}

/* The round's next probe, picked by rounds_pick (PICK_PROBE), goes out. */
static enum engine_step send_round_probe(struct engine *e, uint64_t now, struct probe_spec *probe)
{
	send_probe(e, now, rounds_flow_at(e, e->cur_flow), e->cur_ttl, FOR_ROUND, probe);
	rounds_sent(e, e->cur_ttl);
	e->lane_last_turn = false;
	e->pass_last_turn = false;
	e->cur_flow++;
	return ENGINE_SEND;
}

/*
 * After a probe of a detached pass, the round goes first if it has one
 * ready: a pass with hundreds of flows always has one, and the rounds
 * (the per-hop figures, and -c N lasting N intervals) must not wait for
 * it to end.
 */
static bool round_turn(struct engine *e, uint64_t now)
{
	if (!e->pass_last_turn || !e->in_round || !e->pass_detached || now < e->next_send_at)
		return false;
	return rounds_pick(e) == PICK_PROBE;
}

enum engine_step engine_next(struct engine *e, uint64_t now, struct probe_spec *probe,
			     uint64_t *wake)
{
	enum pick pick;
	enum engine_step step;
	uint64_t bg_wake = 0;

	expire(e, now);
	for (;;) {
		if (!e->in_round) {
			if (all_rounds_started(e))
				return finish(e, now, wake);
			if (!e->paused && now >= e->next_round_at)
				start_round(e, now);
		}
		if (e->paused) {
			*wake = wake_earliest(next_expiry(e), now + PAUSE_POLL_US);
			return ENGINE_WAIT;
		}
		/*
		 * When both have a probe ready, the lane and the rest take
		 * turns: the lane gets half the rate while discovery or a round
		 * is busy, and all of it while they wait.
		 */
		if (!e->lane_last_turn) {
			uint64_t ignored = 0;

			if (lane_try(e, now, probe, &ignored))
				return ENGINE_SEND;
		}
		if (round_turn(e, now))
			return send_round_probe(e, now, probe);
		step = background_pass(e, now, probe, &bg_wake);
		if (step == ENGINE_SEND) {
			e->lane_last_turn = false;
			e->pass_last_turn = true;
			return step;
		}
		if (!e->in_round) {
			*wake = wake_earliest(wake_earliest(next_expiry(e), e->next_round_at), bg_wake);
			return lane_or_wait(e, now, probe, wake);
		}
		if (e->mda.running && !e->pass_detached) {
			step = attached_pass(e, now, probe, wake);
			if (step != ENGINE_DONE)
				return step;
			continue;
		}
		pick = rounds_pick(e);
		if (pick == PICK_ROUND_OVER) {
			e->in_round = false;
			continue;
		}
		if (pick == PICK_WAIT) {
			*wake = wake_earliest(next_expiry(e), bg_wake);
			return lane_or_wait(e, now, probe, wake);
		}
		break;
	}
	if (now < e->next_send_at) {
		*wake = e->next_send_at;
		return ENGINE_WAIT;
	}
	return send_round_probe(e, now, probe);
}
