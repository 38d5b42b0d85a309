/*
 * simrun: an engine run by the program's event loop (src/run.c) against a
 * simnet, in virtual time (simloop.c).  Time moves only when the loop
 * waits, straight to the next event, so a minute of tracing runs in
 * milliseconds and every run is repeatable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/flow.h"
#include "engine/results.h"
#include "run.h"
#include "simloop.h"
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

/* A simrun_run in progress: the harness around the program's loop. */
struct harness {
	struct simrun *r;
	struct engine *e;
	struct simnet *n;
	const struct simrun_limits *lim;
	struct simloop sl;
	uint64_t max_us, max_steps, stop_after;
	bool out_of_memory;
};

static void on_sent(void *ctx, const struct probe_spec *p, enum simnet_fate fate, uint64_t now)
{
	struct harness *h = ctx;

	h->r->steps++;
	if (!record_send(h->r, p, now, fate))
		h->out_of_memory = true;
}

/* engine_stop() once stop_after has passed, before what is due is delivered. */
static void before_receive(void *ctx, uint64_t now)
{
	struct harness *h = ctx;

	if (h->stop_after && !h->r->stopped && now - h->r->start_us >= h->stop_after) {
		engine_stop(h->e);
		h->r->stopped = true;
	}
}

static bool guard(struct simrun *r, const char *why)
{
	r->guard_hit = true;
	snprintf(r->why, sizeof(r->why), "%s after %llu steps, %llu us virtual", why,
		 (unsigned long long)r->steps, (unsigned long long)(r->now_us - r->start_us));
	return false;
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

/* After delivery: the test's events, then the guards, which stop the loop. */
static void after_receive(void *ctx, uint64_t now)
{
	struct harness *h = ctx;

	h->r->now_us = now;
	h->r->steps++;
	fire_events(h->r, h->e, h->n, h->lim);
	if (h->out_of_memory)
		h->sl.stop = !guard(h->r, "out of memory");
	else if (h->r->steps > h->max_steps)
		h->sl.stop = !guard(h->r, "step limit");
	else if (now - h->r->start_us > h->max_us)
		h->sl.stop = !guard(h->r, "virtual time limit");
}

/* The clock must stop at stop_after and at the next pending event, if they come first. */
static uint64_t clamp(void *ctx, uint64_t now, uint64_t wake)
{
	struct harness *h = ctx;
	const struct simrun *r = h->r;

	if (h->stop_after && !r->stopped && r->start_us + h->stop_after > now &&
	    r->start_us + h->stop_after < wake)
		wake = r->start_us + h->stop_after;
	if (!h->lim)
		return wake;
	for (int i = 0; i < SIMRUN_MAX_EVENTS; i++) {
		const struct simrun_event *ev = &h->lim->events[i];
		uint64_t at = r->start_us + ev->after_us;

		if (ev->after_us && ev->fn && !r->fired[i] && at > now && at < wake)
			wake = at;
	}
	return wake;
}

/*
 * The program's own event loop (src/run.c) over the simulated network:
 * the harness only watches (sends, deliveries) and adds the test's
 * events and guards.
 */
bool simrun_run(struct simrun *r, struct engine *e, struct simnet *n, const struct simrun_limits *lim)
{
	struct harness h = {.r = r, .e = e, .n = n, .lim = lim};
	struct run_engine one = {.e = e};
	struct run_env env;
	int rc;

	h.max_us = lim && lim->max_virtual_us ? lim->max_virtual_us : 600000000ull;
	h.max_steps = lim && lim->max_steps ? lim->max_steps : 10000000ull;
	h.stop_after = lim ? lim->stop_after_us : 0;
	simloop_init(&h.sl, n, r->now_us);
	h.sl.hooks = (struct simloop_hooks){.sent = on_sent, .before_receive = before_receive,
					    .after_receive = after_receive, .clamp = clamp,
					    .ctx = &h};
	env = (struct run_env){.transport = &h.sl.transport, .clock = &h.sl.clock,
			       .stop = &h.sl.stop};
	rc = run_loop(&env, &one, 1);
	r->now_us = h.sl.now_us;
	r->waits += h.sl.waits;
	r->stale_waits += h.sl.stale_waits;
	r->delivered += h.sl.delivered;
	for (size_t i = 0; i < sizeof(r->match) / sizeof(r->match[0]); i++)
		r->match[i] += h.sl.match[i];
	if (rc != 0)
		return r->guard_hit ? false : guard(r, rc < 0 ? "loop error" : "stopped");
	r->done = true;
	snprintf(r->why, sizeof(r->why), "done after %llu steps, %llu us virtual",
		 (unsigned long long)r->steps, (unsigned long long)(r->now_us - r->start_us));
	return true;
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
