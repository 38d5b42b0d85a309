/*
 * Hand-built results snapshots for the diagnosis tests (see diag_scen.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag_scen.h"

void scen_init(struct scen *s, int nflows, uint64_t rounds)
{
	memset(s, 0, sizeof(*s));
	s->nflows = nflows;
	s->rounds = rounds;
	s->proto = PROBE_UDP;
}

/* Flow i meets router addr at ttl and loses `lost` of its probes there. */
void hop(struct scen *s, int i, int ttl, const char *addr, uint64_t lost)
{
	struct tflow *f = &s->f[i];
	int k = ttl - FIRST;

	f->path[k] = lost < s->rounds ? addr : NULL;
	f->hr[k] = s->rounds - lost;
	f->hl[k] = lost;
	if (f->len < k + 1)
		f->len = k + 1;
}

/* Flow i reaches the target at ttl, losing `lost` probes end to end. */
void reach(struct scen *s, int i, int ttl, uint64_t lost)
{
	struct tflow *f = &s->f[i];

	hop(s, i, ttl, DST, lost);
	f->dest_ttl = lost < s->rounds ? ttl : 0;
	f->recv = s->rounds - lost;
	f->lost = lost;
}

/* Builds the snapshot the engine would: branches grouped by responder, with parents. */
struct results *build(const struct scen *s)
{
	struct results *r = calloc(1, sizeof(*r));
	int prev[MAXF], cur[MAXF], maxlen = 0;

	if (r == NULL)
		abort();
	r->config.proto = s->proto;
	r->config.first_ttl = FIRST;
	r->config.max_ttl = 30;
	r->config.dport = 33434;
	r->config.sport_base = SPORT;
	r->config.nflows = s->nflows;
	addr_parse(DST, &r->config.dst);
	r->nflows = s->nflows;
	r->flows = calloc((size_t)s->nflows, sizeof(*r->flows));
	if (r->flows == NULL)
		abort();
	for (int i = 0; i < s->nflows; i++) {
		const struct tflow *t = &s->f[i];
		struct flow_result *f = &r->flows[i];

		f->id = i;
		f->sport = (uint16_t)(SPORT + i);
		f->path_len = t->len;
		f->path = calloc((size_t)t->len + 1, sizeof(*f->path));
		f->hop_received = calloc((size_t)t->len + 1, sizeof(*f->hop_received));
		f->hop_lost = calloc((size_t)t->len + 1, sizeof(*f->hop_lost));
		f->hop_pending = calloc((size_t)t->len + 1, sizeof(*f->hop_pending));
		f->responders_seen = calloc((size_t)t->len + 1, sizeof(*f->responders_seen));
		if (!f->path || !f->hop_received || !f->hop_lost || !f->hop_pending ||
		    !f->responders_seen)
			abort();
		for (int k = 0; k < t->len; k++) {
			if (t->path[k])
				addr_parse(t->path[k], &f->path[k]);
			f->hop_received[k] = t->hr[k];
			f->hop_lost[k] = t->hl[k];
			f->hop_pending[k] = t->hp[k];
			f->responders_seen[k] = t->seen[k] ? t->seen[k] : t->path[k] != NULL;
		}
		f->dest_ttl = t->dest_ttl;
		f->received = t->recv;
		f->lost = t->lost;
		f->reach_received = t->reach_recv;
		f->reach_lost = t->reach_lost;
		f->path_changes = t->changes;
		if (t->dest_ttl && (r->dest_ttl == 0 || t->dest_ttl < r->dest_ttl))
			r->dest_ttl = t->dest_ttl;
		if (t->len > maxlen)
			maxlen = t->len;
		prev[i] = -1;
	}
	r->nhops = maxlen;
	r->hops = calloc((size_t)maxlen + 1, sizeof(*r->hops));
	if (r->hops == NULL)
		abort();
	for (int k = 0; k < maxlen; k++) {
		struct hop_result *h = &r->hops[k];

		h->ttl = FIRST + k;
		h->branches = calloc(MAXF, sizeof(*h->branches));
		if (h->branches == NULL)
			abort();
		for (int i = 0; i < s->nflows; i++) {
			const struct flow_result *f = &r->flows[i];
			struct branch_result *b = NULL;

			cur[i] = -1;
			if (k >= f->path_len)
				continue;
			for (int j = 0; j < h->nbranches && !b; j++) {
				struct branch_result *c = &h->branches[j];

				if (addr_is_set(&f->path[k])
					    ? addr_equal(&c->addr, &f->path[k])
					    : (!addr_is_set(&c->addr) &&
					       (c->nparents ? c->parents[0] : -1) == prev[i]))
					b = c;
			}
			if (b == NULL) {
				b = &h->branches[h->nbranches++];
				b->addr = f->path[k];
				b->flows = calloc(MAXF, sizeof(*b->flows));
				b->parents = calloc(MAXF, sizeof(*b->parents));
				if (b->flows == NULL || b->parents == NULL)
					abort();
			}
			cur[i] = (int)(b - h->branches);
			b->received += f->hop_received[k];
			b->lost += f->hop_lost[k];
			if (f->dest_ttl == FIRST + k)
				b->is_destination = true;
			b->flows[b->nflows++] = i;
			if (prev[i] >= 0) {
				bool have = false;

				for (int p = 0; p < b->nparents; p++)
					have |= b->parents[p] == prev[i];
				if (!have)
					b->parents[b->nparents++] = prev[i];
			}
			h->received += f->hop_received[k];
			h->lost += f->hop_lost[k];
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return r;
}

/* Diagnoses the scenario; the snapshot keeps the findings (results_free frees both). */
struct results *scen_run(const struct scen *s)
{
	struct results *r = build(s);

	results_with_findings(r);
	for (int i = 0; r->findings && i < r->findings->count; i++)
		printf("# %s ttl %d: %s\n", finding_kind_name(r->findings->items[i].kind),
		       r->findings->items[i].ttl, r->findings->items[i].summary);
	return r;
}

int count_kind(const struct results *r, enum finding_kind kind)
{
	int n = 0;

	for (int i = 0; r->findings && i < r->findings->count; i++)
		n += r->findings->items[i].kind == kind;
	return n;
}

const struct finding *first_kind(const struct results *r, enum finding_kind kind)
{
	for (int i = 0; r->findings && i < r->findings->count; i++)
		if (r->findings->items[i].kind == kind)
			return &r->findings->items[i];
	return NULL;
}

int count_total(const struct results *r)
{
	return r->findings ? r->findings->count : -1;
}

bool addr_is(const struct ip_addr *a, const char *text)
{
	struct ip_addr want;

	return addr_parse(text, &want) && addr_equal(a, &want);
}

/* The finding names exactly flows lo..hi (and their source ports). */
bool flows_are_range(const struct finding *f, int lo, int hi)
{
	if (f->nflows != hi - lo + 1)
		return false;
	for (int i = 0; i < f->nflows; i++)
		if (f->flows[i] != lo + i || f->source_ports[i] != SPORT + lo + i)
			return false;
	return true;
}

/* The finding's 95% interval is sane and holds its estimate. */
bool interval_ok(const struct finding *f)
{
	return f->ci_lo_pct <= f->loss_pct && f->loss_pct <= f->ci_hi_pct && f->ci_lo_pct >= 0.0 &&
	       f->ci_hi_pct <= 100.0 && f->ci_hi_pct > f->ci_lo_pct;
}

/*
 * 16 flows: TTL 1 R1, TTL 2 branch A (flows 0-7) or B (8-15), then either
 * the target at TTL 3 (ttls == 3) or A3/B3 [A4/B4] before it.
 */
void ecmp(struct scen *s, int ttls)
{
	for (int i = 0; i < s->nflows; i++) {
		bool a = i < s->nflows / 2;

		hop(s, i, 1, R1, 0);
		hop(s, i, 2, a ? BR_A : BR_B, 0);
		if (ttls >= 4)
			hop(s, i, 3, a ? A3 : B3, 0);
		if (ttls >= 5)
			hop(s, i, 4, a ? A4 : B4, 0);
		reach(s, i, ttls, 0);
	}
}

/* 16 flows on one path: R1, R2 [, R3], then the target. */
void single(struct scen *s, int ttls)
{
	for (int i = 0; i < s->nflows; i++) {
		hop(s, i, 1, R1, 0);
		hop(s, i, 2, R2, 0);
		if (ttls >= 4)
			hop(s, i, 3, R3, 0);
		reach(s, i, ttls, 0);
	}
}

