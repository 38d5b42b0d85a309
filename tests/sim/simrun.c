/*
 * simrun: the engine's caller loop (engine.h) against a simnet, in virtual
 * time.  Time moves only when the engine waits, straight to the next event,
 * so a minute of tracing runs in milliseconds and every run is repeatable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/flow.h"
#include "engine/results.h"
#include "simrun.h"

void simrun_default_addrs(int family, struct ip_addr *src, struct ip_addr *dst)
{
	simnet_stage_addr(family, 0, 0, src);
	simnet_stage_addr(family, 200, 0, dst);
}

void simrun_config(struct engine_config *cfg, int family)
{
	engine_config_defaults(cfg);
	simrun_default_addrs(family, &cfg->src, &cfg->dst);
}

void simrun_init(struct simrun *r)
{
	memset(r, 0, sizeof(*r));
	r->start_us = SIMRUN_START_US;
	r->now_us = SIMRUN_START_US;
}

void simrun_free(struct simrun *r)
{
	free(r->sends);
	r->sends = NULL;
	r->nsends = r->capsends = 0;
}

static bool record_send(struct simrun *r, const struct probe_spec *p, uint64_t at,
			enum simnet_fate fate)
{
	if (r->nsends == r->capsends) {
		size_t cap = r->capsends ? r->capsends * 2 : 1024;
		struct simrun_send *v = realloc(r->sends, cap * sizeof(*v));

		if (!v)
			return false;
		r->sends = v;
		r->capsends = cap;
	}
	r->sends[r->nsends].at = at;
	r->sends[r->nsends].probe = *p;
	r->sends[r->nsends].fate = fate;
	r->nsends++;
	return true;
}

/* Hands every reply due by now to the engine. */
static void deliver_due(struct simrun *r, struct engine *e, struct simnet *n)
{
	struct reply rep;

	while (simnet_next_reply(n, r->now_us, &rep)) {
		enum match_result m = engine_reply(e, &rep, r->now_us);

		if ((unsigned)m < sizeof(r->match) / sizeof(r->match[0]))
			r->match[m]++;
		r->delivered++;
	}
}

/* Runs the events whose time has come, earliest first. */
static void fire_events(struct simrun *r, struct engine *e, struct simnet *n,
			const struct simrun_limits *lim)
{
	if (!lim)
		return;
	for (;;) {
		int best = -1;

		for (int i = 0; i < SIMRUN_MAX_EVENTS; i++) {
			const struct simrun_event *ev = &lim->events[i];

			if (ev->after_us == 0 || ev->fn == NULL || r->fired[i] ||
			    r->start_us + ev->after_us > r->now_us)
				continue;
			if (best < 0 || ev->after_us < lim->events[best].after_us)
				best = i;
		}
		if (best < 0)
			return;
		r->fired[best] = true;
		lim->events[best].fn(lim->events[best].ctx, e, n, r->now_us);
	}
}

/* The clock must stop at the next pending event, if it comes before wake. */
static uint64_t next_event(const struct simrun *r, const struct simrun_limits *lim, uint64_t wake)
{
	if (!lim)
		return wake;
	for (int i = 0; i < SIMRUN_MAX_EVENTS; i++) {
		const struct simrun_event *ev = &lim->events[i];
		uint64_t at = r->start_us + ev->after_us;

		if (ev->after_us && ev->fn && !r->fired[i] && at > r->now_us && at < wake)
			wake = at;
	}
	return wake;
}

static bool guard(struct simrun *r, const char *why)
{
	r->guard_hit = true;
	snprintf(r->why, sizeof(r->why), "%s after %llu steps, %llu us virtual", why,
		 (unsigned long long)r->steps, (unsigned long long)(r->now_us - r->start_us));
	return false;
}

bool simrun_run(struct simrun *r, struct engine *e, struct simnet *n, const struct simrun_limits *lim)
{
	uint64_t max_us = lim && lim->max_virtual_us ? lim->max_virtual_us : 600000000ull;
	uint64_t max_steps = lim && lim->max_steps ? lim->max_steps : 10000000ull;
	uint64_t stop_after = lim ? lim->stop_after_us : 0;

	for (;;) {
		struct probe_spec probe;
		uint64_t wake = 0, arrival;
		enum engine_step step;

		if (stop_after && !r->stopped && r->now_us - r->start_us >= stop_after) {
			engine_stop(e);
			r->stopped = true;
		}
		deliver_due(r, e, n);
		fire_events(r, e, n, lim);
		if (++r->steps > max_steps)
			return guard(r, "step limit");
		if (r->now_us - r->start_us > max_us)
			return guard(r, "virtual time limit");
		step = engine_next(e, r->now_us, &probe, &wake);
		if (step == ENGINE_DONE) {
			r->done = true;
			snprintf(r->why, sizeof(r->why), "done after %llu steps, %llu us virtual",
				 (unsigned long long)r->steps,
				 (unsigned long long)(r->now_us - r->start_us));
			return true;
		}
		if (step == ENGINE_SEND) {
			enum simnet_fate fate = simnet_send(n, &probe, r->now_us);

			if (!record_send(r, &probe, r->now_us, fate))
				return guard(r, "out of memory");
			continue;
		}
		if (step != ENGINE_WAIT)
			return guard(r, "unknown engine step");
		r->waits++;
		if (wake <= r->now_us) {
			/* A wake time in the past would spin forever: nudge the clock. */
			r->stale_waits++;
			wake = r->now_us + 1;
		}
		if (simnet_next_arrival(n, &arrival) && arrival < wake)
			wake = arrival > r->now_us ? arrival : r->now_us + 1;
		if (stop_after && !r->stopped && r->start_us + stop_after > r->now_us &&
		    r->start_us + stop_after < wake)
			wake = r->start_us + stop_after;
		wake = next_event(r, lim, wake);
		r->now_us = wake;
	}
}

const struct probe_spec *simrun_flow_probe(const struct simrun *r, const struct engine_config *cfg,
					   int flow)
{
	struct flow_plan plan = {
		.proto = cfg->proto,
		.vary = cfg->vary,
		.sport_base = cfg->sport_base,
		.label_base = cfg->label_base,
	};
	struct flow_id id;

	flow_encode(&plan, flow, &id);
	for (size_t i = 0; i < r->nsends; i++) {
		const struct probe_spec *p = &r->sends[i].probe;

		if (p->sport == id.sport && p->flow_label == id.flow_label)
			return p;
	}
	return NULL;
}

int simrun_max_ttl(const struct simrun *r)
{
	int max = 0;

	for (size_t i = 0; i < r->nsends; i++)
		if (r->sends[i].probe.ttl > max)
			max = r->sends[i].probe.ttl;
	return max;
}

static bool addr_same(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

bool simrun_probe_equal(const struct probe_spec *a, const struct probe_spec *b)
{
	return a->proto == b->proto && addr_same(&a->src, &b->src) && addr_same(&a->dst, &b->dst) &&
	       a->ttl == b->ttl && a->tos == b->tos && a->sport == b->sport && a->dport == b->dport &&
	       a->flow_label == b->flow_label && a->probe_id == b->probe_id &&
	       a->tag == b->tag && a->icmp_checksum == b->icmp_checksum &&
	       a->payload_len == b->payload_len;
}

static bool ints_equal(const int *a, int na, const int *b, int nb)
{
	return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof(*a)) == 0);
}

static bool rtt_equal(const struct rtt_stats *a, const struct rtt_stats *b)
{
	return a->n == b->n && a->min == b->min && a->max == b->max &&
	       (a->n == 0 || (a->mean - b->mean < 1e-6 && b->mean - a->mean < 1e-6));
}

#define DIFF(...) do { snprintf(why, whylen, __VA_ARGS__); return false; } while (0)

bool simrun_results_equal(const struct results *a, const struct results *b, bool with_rtt,
			  char *why, size_t whylen)
{
	if (a->nhops != b->nhops || a->nflows != b->nflows || a->dest_ttl != b->dest_ttl)
		DIFF("shape: %d/%d hops, %d/%d flows, dest %d/%d", a->nhops, b->nhops, a->nflows,
		     b->nflows, a->dest_ttl, b->dest_ttl);
	for (int h = 0; h < a->nhops; h++) {
		const struct hop_result *x = &a->hops[h], *y = &b->hops[h];

		if (x->ttl != y->ttl || x->nbranches != y->nbranches || x->received != y->received ||
		    x->lost != y->lost)
			DIFF("hop %d: %d/%d branches, %llu/%llu received, %llu/%llu lost", x->ttl,
			     x->nbranches, y->nbranches, (unsigned long long)x->received,
			     (unsigned long long)y->received, (unsigned long long)x->lost,
			     (unsigned long long)y->lost);
		for (int k = 0; k < x->nbranches; k++) {
			const struct branch_result *p = &x->branches[k], *q = &y->branches[k];

			if (!addr_same(&p->addr, &q->addr) || p->received != q->received ||
			    p->lost != q->lost || p->is_destination != q->is_destination ||
			    p->is_unreachable != q->is_unreachable ||
			    !ints_equal(p->flows, p->nflows, q->flows, q->nflows) ||
			    !ints_equal(p->parents, p->nparents, q->parents, q->nparents))
				DIFF("hop %d branch %d differs", x->ttl, k);
			if (with_rtt && !rtt_equal(&p->rtt, &q->rtt))
				DIFF("hop %d branch %d RTT differs", x->ttl, k);
		}
	}
	for (int f = 0; f < a->nflows; f++) {
		const struct flow_result *x = &a->flows[f], *y = &b->flows[f];

		if (x->id != y->id || x->sport != y->sport || x->flow_label != y->flow_label ||
		    x->path_len != y->path_len || x->dest_ttl != y->dest_ttl ||
		    x->received != y->received || x->lost != y->lost ||
		    x->path_changes != y->path_changes)
			DIFF("flow %d: path_len %d/%d dest %d/%d e2e %llu+%llu / %llu+%llu", f,
			     x->path_len, y->path_len, x->dest_ttl, y->dest_ttl,
			     (unsigned long long)x->received, (unsigned long long)x->lost,
			     (unsigned long long)y->received, (unsigned long long)y->lost);
		for (int k = 0; k < x->path_len; k++)
			if (!addr_same(&x->path[k], &y->path[k]) ||
			    x->hop_received[k] != y->hop_received[k] ||
			    x->hop_lost[k] != y->hop_lost[k] ||
			    x->responders_seen[k] != y->responders_seen[k])
				DIFF("flow %d TTL index %d differs", f, k);
		if (with_rtt && !rtt_equal(&x->rtt, &y->rtt))
			DIFF("flow %d RTT differs", f);
	}
	return true;
}

bool simrun_case_run(struct simrun_case *c, const struct engine_config *cfg, struct simnet *n,
		     const struct simrun_limits *lim)
{
	memset(c, 0, sizeof(*c));
	simrun_init(&c->run);
	c->engine = engine_new(cfg, c->err, sizeof(c->err));
	if (!c->engine)
		return false;
	if (!simrun_run(&c->run, c->engine, n, lim))
		return false;
	c->res = results_with_findings(engine_results(c->engine, c->run.now_us));
	return c->res != NULL;
}

void simrun_case_free(struct simrun_case *c)
{
	results_free(c->res);
	engine_free(c->engine);
	simrun_free(&c->run);
	memset(c, 0, sizeof(*c));
}

int simrun_branch(const struct hop_result *hop, const struct ip_addr *addr)
{
	for (int k = 0; k < hop->nbranches; k++)
		if (addr_same(&hop->branches[k].addr, addr))
			return k;
	return -1;
}

int simrun_oracle_flows(const struct simnet *n, const struct simrun_case *c, int id, int *flows,
			int cap)
{
	const struct engine_config *cfg = c->res ? &c->res->config : NULL;
	int count = 0;

	for (int f = 0; cfg != NULL && f < c->res->nflows; f++) {
		const struct probe_spec *p = simrun_flow_probe(&c->run, cfg, f);
		int ids[SIMNET_MAX_HOPS], len;

		if (!p)
			continue;
		len = simnet_path_ids(n, p, ids, SIMNET_MAX_HOPS);
		for (int k = 0; k < len; k++)
			if (ids[k] == id) {
				if (count < cap)
					flows[count] = f;
				count++;
				break;
			}
	}
	return count;
}
