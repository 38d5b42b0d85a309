/*
 * The end-to-end lane (see lane.h).  Which flow to probe next: the one
 * whose next end-to-end probe is due first.  A flow is due at once when it
 * has none yet, every LANE_BURST_GAP_US during its first LANE_BURST, then
 * once per round interval (less often when there are more flows than the
 * lane's share of the rate allows).  Silence is evidence here: a flow that
 * never answers is probed on schedule like any other, never waited for.
 */
#include "engine/engine_int.h"
#include "engine/lane.h"
#include "engine/mda.h"
#include "wake.h"

bool lane_enabled(const struct engine *e)
{
	return e->cfg.adaptive && e->cfg.rounds != 1 && !e->stopped;
}

/* The lane's share of the rate, in probes per second (at least one). */
static uint64_t lane_pps(const struct engine *e)
{
	uint64_t pps = (uint64_t)e->cfg.rate_pps * LANE_STEADY_SHARE / 100;

	return pps > 0 ? pps : 1;
}

/* Time between two steady probes of one flow. */
static uint64_t steady_gap(const struct engine *e)
{
	uint64_t gap = (uint64_t)e->nflows * 1000000u / lane_pps(e);

	return gap > e->cfg.interval_us ? gap : e->cfg.interval_us;
}

/* Has flow f lost an end-to-end probe (its reach tally, or the cell where it meets the target)? */
static bool lost_end_to_end(const struct flow_state *f)
{
	return f->reach.lost > 0 || (f->dest_ttl != 0 && f->cells[f->dest_ttl].lost > 0);
}

/*
 * A flow that loses needs more evidence than one that does not: it gets
 * the longer burst, and so does a clean flow beside one (lane_mate), which
 * the failing one is judged against.
 */
static bool in_burst(const struct flow_state *f, int i)
{
	if (f->lane_mate && !lost_end_to_end(f))
		return f->lane_sent < LANE_BURST_LOSSY;
	if (i >= LANE_BURST_FLOWS)
		return false;
	if (i < LANE_LOSSY_FLOWS && lost_end_to_end(f))
		return f->lane_sent < LANE_BURST_LOSSY;
	return f->lane_sent < LANE_BURST;
}

/*
 * What flow i's next lane probe is worth, best first.  The verdict waits
 * on the longer burst of flows that lost; then come the quick burst and a
 * new flow's first probe; then the steady pace, flows that lost before
 * those that did not (they are the ones a finding names).  Discovery can
 * add hundreds of flows: ranking by due time alone let their first probes
 * starve the bursts that decide.
 */
enum lane_class { LANE_CLASS_LOSSY_BURST, LANE_CLASS_BURST, LANE_CLASS_LOSSY, LANE_CLASS_STEADY };

static enum lane_class flow_class(const struct flow_state *f, int i)
{
	bool lost = lost_end_to_end(f);

	if (in_burst(f, i))
		return lost ? LANE_CLASS_LOSSY_BURST : LANE_CLASS_BURST;
	if (f->lane_sent == 0)
		return LANE_CLASS_BURST;
	return lost ? LANE_CLASS_LOSSY : LANE_CLASS_STEADY;
}

/*
 * When flow i's next lane probe is due; UINT64_MAX when it takes none.
 * A flow that lost is probed once per interval, the others once per gap
 * (longer when there are more flows than the lane's share covers).
 */
static uint64_t flow_due(const struct engine *e, int i, uint64_t gap)
{
	const struct flow_state *f = &e->flows[i];

	/* A router said the target is unreachable for it: there is no end to reach. */
	if (f->unreach_ttl != 0)
		return UINT64_MAX;
	if (f->lane_sent == 0)
		return 0;
	if (in_burst(f, i))
		return f->lane_last + LANE_BURST_GAP_US;
	return f->lane_last + (lost_end_to_end(f) ? e->cfg.interval_us : gap);
}

/* Is a probe of class c due at due better than the best so far (bc, bdue) at time now? */
static bool better(enum lane_class c, uint64_t due, enum lane_class bc, uint64_t bdue, uint64_t now)
{
	bool ready = due <= now, best_ready = bdue <= now;

	if (ready != best_ready)
		return ready;
	if (ready && c != bc)
		return c < bc;
	return due < bdue;
}

/*
 * The flow whose probe is worth most among those due by now (flow_class),
 * the earliest due among equals; else the earliest due of all.  -1: none.
 */
static int pick_flow(const struct engine *e, uint64_t now, uint64_t *due_out)
{
	uint64_t gap = steady_gap(e), best_due = UINT64_MAX;
	enum lane_class best_class = LANE_CLASS_STEADY;
	int best = -1;

	for (int i = 0; i < e->nflows; i++) {
		uint64_t due = flow_due(e, i, gap);
		enum lane_class c = flow_class(&e->flows[i], i);

		if (due == UINT64_MAX || (best >= 0 && !better(c, due, best_class, best_due, now)))
			continue;
		best = i;
		best_due = due;
		best_class = c;
	}
	*due_out = best_due;
	return best;
}

/* UDP: may the lane spend one of the target's answers now?  Else when. */
static bool udp_allows(struct engine *e, uint64_t now, uint64_t *when)
{
	struct lane *l = &e->lane;

	if (e->cfg.proto != PROBE_UDP || l->udp_unlimited)
		return true;
	if (l->udp_refill_at == 0) {
		l->udp_tokens = LANE_UDP_FIRST;
		l->udp_refill_at = now + LANE_UDP_REFILL_US;
	}
	/* After the first burst the bucket holds one: the limiter's refill, not its burst. */
	while (now >= l->udp_refill_at) {
		if (l->udp_tokens < 1)
			l->udp_tokens++;
		l->udp_refill_at += LANE_UDP_REFILL_US;
	}
	if (l->udp_tokens > 0)
		return true;
	*when = l->udp_refill_at;
	return false;
}

static void seed(struct engine *e)
{
	e->lane.seeded = true;
	while (e->nflows < LANE_SEED_FLOWS && e->nflows < e->cfg.max_flows)
		if (engine_add_flow(e) < 0)
			break;
}

/*
 * The TTL of a flow's lane probe: where it met the target, or 0 for a
 * reach probe (the largest TTL) while its hop count is unknown.  A target
 * on this host's link answers at TTL 1, and its answers there are
 * link-layer evidence (linkcheck.c); a reach probe's answer could not
 * tell.  So reach probes wait until a router, not the target, answered at
 * TTL 1: -1 until then.
 */
static int lane_ttl(const struct engine *e, const struct flow_state *f)
{
	if (f->dest_ttl != 0)
		return f->dest_ttl;
	if (e->max_dest_ttl == 1)
		return 1;
	return e->highest_reply_ttl >= 1 ? 0 : -1;
}

/*
 * Could flow f, which the lane probes, have its responder at ttl placed?
 * Not once it is known, nor after LANE_PLACE_TRIES unanswered tries, nor
 * at or past where the flow ends.
 */
static bool placeable(const struct flow_state *f, int ttl)
{
	const struct cell *c = &f->cells[ttl];

	return f->lane_sent > 0 && c->nresp == 0 && c->place_tries < LANE_PLACE_TRIES &&
	       f->unreach_ttl == 0 && (f->dest_ttl == 0 || ttl < f->dest_ttl);
}

static const struct ip_addr *placed_at(const struct flow_state *f, int ttl)
{
	const struct cell *c = &f->cells[ttl];

	return c->nresp > 0 ? &c->resp[c->current].addr : NULL;
}

/*
 * Does a failing flow placed at ttl have fewer than LANE_CLEAN_MATES clean
 * flows placed on its branch?  The clean flows that are there are marked
 * as mates (they get the failing flows' longer burst: one mate then has
 * the probes the return-path test wants).  The branches of the failing
 * flows are gathered first (a few), so this is two passes, not n squared.
 */
static bool mates_wanted(struct engine *e, int ttl)
{
	struct ip_addr lossy[16];
	int count[16] = {0}, n = 0;

	for (int i = 0; i < e->nflows && n < 16; i++) {
		const struct ip_addr *at = placed_at(&e->flows[i], ttl);
		bool dup = false;

		if (at == NULL || !lost_end_to_end(&e->flows[i]))
			continue;
		for (int j = 0; j < n && !dup; j++)
			dup = addr_equal(&lossy[j], at);
		if (!dup)
			lossy[n++] = *at;
	}
	for (int i = 0; i < e->nflows; i++) {
		struct flow_state *f = &e->flows[i];
		const struct ip_addr *at = placed_at(f, ttl);

		if (at == NULL || f->lane_sent == 0 || lost_end_to_end(f))
			continue;
		for (int j = 0; j < n; j++)
			if (addr_equal(&lossy[j], at)) {
				count[j]++;
				f->lane_mate = true;
			}
	}
	for (int j = 0; j < n; j++)
		if (count[j] < LANE_CLEAN_MATES)
			return true;
	return false;
}

/*
 * The flow whose responder at ttl the lane should place next, or -1.  A
 * finding names a failing flow with its branch, and judges it against
 * clean flows on that branch; placing every flow would hold a
 * rate-limited hop's few answers for as long as there are flows
 * (discovery can make a thousand).  So: a clean flow while a placed
 * failing one lacks mates (it may land on another branch; then the next
 * clean flow is tried), else the next failing flow.
 */
static int placement_at(struct engine *e, int ttl)
{
	int lossy = -1, clean = -1;

	for (int i = 0; i < e->nflows && (lossy < 0 || clean < 0); i++) {
		const struct flow_state *f = &e->flows[i];

		if (!placeable(f, ttl))
			continue;
		if (lost_end_to_end(f)) {
			if (lossy < 0)
				lossy = i;
		} else if (clean < 0) {
			clean = i;
		}
	}
	if (clean >= 0 && mates_wanted(e, ttl))
		return clean;
	return lossy;
}

/*
 * A placement probe due now: a flow the lane probes whose responder is
 * unknown at a hop where discovery saw several.  False, with *wake
 * lowered, when none is due.
 */
static bool pick_placement(struct engine *e, uint64_t now, int *flow, int *ttl, uint64_t *wake)
{
	for (int t = e->cfg.first_ttl; t < e->max_dest_ttl; t++) {
		int i;

		if (mda_hop_summary(e, t).nresp < 2 || (i = placement_at(e, t)) < 0)
			continue;
		if (now < e->lane.place_next[t]) {
			*wake = wake_earliest(*wake, e->lane.place_next[t]);
			continue;
		}
		*flow = i;
		*ttl = t;
		return true;
	}
	return false;
}

bool lane_placing(struct engine *e, int ttl)
{
	return lane_enabled(e) && placement_at(e, ttl) >= 0;
}

bool lane_pick(struct engine *e, uint64_t now, int *flow, int *ttl, bool *place, uint64_t *wake)
{
	uint64_t best_due, when = 0;
	int best;

	if (!lane_enabled(e))
		return false;
	if (!e->lane.seeded)
		seed(e);
	*place = pick_placement(e, now, flow, ttl, wake);
	if (*place)
		return true;
	best = pick_flow(e, now, &best_due);
	if (best < 0)
		return false;
	/* Steady probes keep to the lane's share; the burst takes what it needs. */
	if (!in_burst(&e->flows[best], best) && best_due < e->lane.next_send)
		best_due = e->lane.next_send;
	if (best_due > now) {
		*wake = wake_earliest(*wake, best_due);
		return false;
	}
	if (!udp_allows(e, now, &when)) {
		*wake = wake_earliest(*wake, when);
		return false;
	}
	*ttl = lane_ttl(e, &e->flows[best]);
	if (*ttl < 0)
		return false;	/* the first answer at TTL 1 comes within a round trip */
	*flow = best;
	return true;
}

void lane_sent(struct engine *e, int flow, int ttl, bool place, uint64_t now)
{
	struct flow_state *f = &e->flows[flow];
	struct lane *l = &e->lane;

	if (place) {
		int routers = mda_hop_summary(e, ttl).nresp;

		if (f->cells[ttl].place_tries < UINT8_MAX)
			f->cells[ttl].place_tries++;
		l->place_next[ttl] = now + LANE_PLACE_GAP_US / (uint64_t)(routers > 0 ? routers : 1);
		return;
	}

	if (!in_burst(f, flow))
		l->next_send = now + 1000000u / lane_pps(e);
	f->lane_last = now ? now : 1;
	if (f->lane_sent < UINT32_MAX)
		f->lane_sent++;
	if (e->cfg.proto == PROBE_UDP && !l->udp_unlimited && l->udp_tokens > 0)
		l->udp_tokens--;
	if (l->udp_burst_sent <= LANE_UDP_FIRST)
		l->udp_burst_sent++;
}

int lane_burst_pos(const struct engine *e)
{
	int n = e->lane.udp_burst_sent;

	return e->cfg.proto == PROBE_UDP && n > 0 && n <= LANE_UDP_FIRST ? n : 0;
}

bool lane_target_unlimited(const struct engine *e)
{
	return e->cfg.proto != PROBE_UDP || e->lane.udp_unlimited;
}

void lane_target_answered(struct engine *e, uint64_t now, int burst_pos)
{
	struct lane *l = &e->lane;

	if (e->cfg.proto != PROBE_UDP || l->udp_unlimited)
		return;
	if (burst_pos >= LANE_UDP_LATE_POS) {
		l->udp_unlimited = true;
		return;
	}
	if (l->udp_window_answers == 0 || now >= l->udp_window_start + LANE_UDP_REFILL_US) {
		l->udp_window_start = now;
		l->udp_window_answers = 0;
	}
	if (++l->udp_window_answers >= LANE_UDP_PROOF)
		l->udp_unlimited = true;
}
