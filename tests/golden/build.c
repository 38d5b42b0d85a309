/*
 * Hand-built results snapshots for the golden-output tests (see build.h).
 * Everything a snapshot points to comes from one arena, so g_free() needs
 * no knowledge of the layout; one snapshot lives at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "build.h"

static void **arena;
static size_t narena, arena_cap;

static void *g_alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p != NULL && narena == arena_cap) {
		size_t cap = arena_cap ? arena_cap * 2 : 256;
		void **grown = realloc(arena, cap * sizeof(*grown));

		if (grown == NULL) {
			free(p);
			p = NULL;
		} else {
			arena = grown;
			arena_cap = cap;
		}
	}
	if (p == NULL) {
		fprintf(stderr, "golden: out of memory\n");
		abort();
	}
	arena[narena++] = p;
	return p;
}

void g_free(struct results *r)
{
	(void)r;
	for (size_t i = 0; i < narena; i++)
		free(arena[i]);
	free(arena);
	arena = NULL;
	narena = arena_cap = 0;
}

struct ip_addr g_addr(const char *text)
{
	struct ip_addr a = {0};

	if (text != NULL && !addr_parse(text, &a)) {
		fprintf(stderr, "golden: bad address %s\n", text);
		abort();
	}
	return a;
}

void g_init(struct gscen *s, enum probe_proto proto, const char *src, const char *dst, int nflows,
	    uint64_t rounds)
{
	memset(s, 0, sizeof(*s));
	s->proto = proto;
	s->src = src;
	s->dst = dst;
	s->dport = proto == PROBE_TCP ? 443 : proto == PROBE_UDP ? 33434 : 0;
	s->vary = VARY_SPORT;
	s->sport_base = proto == PROBE_ICMP ? 0x4d20 : 33434;
	s->label_base = 0x3a000;
	s->nflows = nflows;
	s->rounds = rounds;
	s->base_ms = 0.4;
	s->per_hop_ms = 1.1;
	s->confidence = 95;
}

void g_hop(struct gscen *s, int i, int ttl, const char *addr, uint64_t lost)
{
	struct gflow *f = &s->f[i];
	int k = ttl - 1;

	f->path[k] = lost < s->rounds ? addr : NULL;
	f->recv[k] = s->rounds - lost;
	f->lost[k] = lost;
	if (f->len < ttl)
		f->len = ttl;
}

void g_reach(struct gscen *s, int i, int ttl, uint64_t lost)
{
	g_hop(s, i, ttl, s->dst, lost);
	s->f[i].dest_ttl = lost < s->rounds ? ttl : 0;
	s->f[i].e2e_recv = s->rounds - lost;
	s->f[i].e2e_lost = lost;
}

void g_route(struct gscen *s, int from, int to, const char *const *addrs)
{
	for (int i = from; i < to; i++)
		for (int k = 0; addrs[k] != NULL; k++) {
			if (strcmp(addrs[k], s->dst) == 0)
				g_reach(s, i, k + 1, 0);
			else
				g_hop(s, i, k + 1, addrs[k], 0);
		}
}

/*
 * n answers around a mean that grows with the TTL, a spread of a tenth
 * of it, and a flow-dependent offset so branches differ a little.
 */
static struct rtt_stats synth_rtt(const struct gscen *s, int flow, int ttl, uint64_t n)
{
	struct rtt_stats r = {0};
	double mean = (s->base_ms + s->per_hop_ms * (ttl - 1)) * 1000.0 + 30.0 * (flow % 4);
	double sd = mean / 10.0;

	if (n == 0)
		return r;
	r.n = n;
	r.mean = mean;
	r.m2 = (double)(n - 1) * sd * sd;
	r.min = (int64_t)(mean - 1.5 * sd);
	r.max = (int64_t)(mean + 2.0 * sd);
	r.last = (int64_t)(mean + 0.5 * sd);
	return r;
}

static void build_flows(const struct gscen *s, struct results *r)
{
	r->nflows = s->nflows;
	r->flows = g_alloc((size_t)s->nflows, sizeof(*r->flows));
	for (int i = 0; i < s->nflows; i++) {
		const struct gflow *g = &s->f[i];
		struct flow_result *f = &r->flows[i];

		f->id = i;
		f->sport = (uint16_t)(s->vary & VARY_SPORT ? s->sport_base + i : s->sport_base);
		f->flow_label = r->config.dst.family == AF_INET6 ? s->label_base + (uint32_t)i : 0;
		f->src = g_addr(g->src ? g->src : s->src);
		f->path_len = g->len;
		f->path = g_alloc((size_t)g->len, sizeof(*f->path));
		f->hop_received = g_alloc((size_t)g->len, sizeof(*f->hop_received));
		f->hop_lost = g_alloc((size_t)g->len, sizeof(*f->hop_lost));
		f->responders_seen = g_alloc((size_t)g->len, sizeof(*f->responders_seen));
		for (int k = 0; k < g->len; k++) {
			f->path[k] = g_addr(g->path[k]);
			f->hop_received[k] = g->recv[k];
			f->hop_lost[k] = g->lost[k];
			f->responders_seen[k] = g->seen[k] ? g->seen[k] : g->path[k] != NULL;
		}
		f->dest_ttl = g->dest_ttl;
		f->received = g->e2e_recv;
		f->lost = g->e2e_lost;
		if (g->dest_ttl > 0)
			f->rtt = synth_rtt(s, i, g->dest_ttl, g->e2e_recv);
		f->path_changes = g->path_changes;
	}
}

/* Branch order: known addresses ascending, then the unknown one. */
static int addr_order(const struct ip_addr *a, const struct ip_addr *b)
{
	if (addr_is_set(a) != addr_is_set(b))
		return addr_is_set(a) ? -1 : 1;
	if (a->family != b->family)
		return a->family - b->family;
	return memcmp(a->b, b->b, sizeof(a->b));
}

/* The index of the branch at hop h with the flow's responder at that TTL. */
static int branch_of(const struct hop_result *h, const struct flow_result *f, int k)
{
	for (int j = 0; j < h->nbranches; j++)
		if (addr_order(&h->branches[j].addr, &f->path[k]) == 0)
			return j;
	return -1;
}

/* The distinct responders at TTL index k (unset included when someone was silent). */
static void make_branches(const struct gscen *s, struct results *r, int k)
{
	struct hop_result *h = &r->hops[k];

	h->branches = g_alloc((size_t)r->nflows, sizeof(*h->branches));
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		int j, at;

		if (k >= f->path_len || f->hop_received[k] + f->hop_lost[k] == 0)
			continue;
		if (branch_of(h, f, k) >= 0)
			continue;
		for (at = 0; at < h->nbranches && addr_order(&h->branches[at].addr, &f->path[k]) < 0; at++)
			;
		for (j = h->nbranches; j > at; j--)
			h->branches[j] = h->branches[j - 1];
		memset(&h->branches[at], 0, sizeof(h->branches[at]));
		h->branches[at].addr = f->path[k];
		h->nbranches++;
	}
	for (int j = 0; j < h->nbranches; j++) {
		struct branch_result *b = &h->branches[j];

		b->flows = g_alloc((size_t)r->nflows, sizeof(*b->flows));
		b->is_destination = addr_equal(&b->addr, &r->config.dst);
	}
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		struct branch_result *b;
		struct rtt_stats one;
		int j = k < f->path_len && f->hop_received[k] + f->hop_lost[k] ? branch_of(h, f, k) : -1;

		if (j < 0)
			continue;
		b = &h->branches[j];
		b->flows[b->nflows++] = i;
		b->received += f->hop_received[k];
		b->lost += f->hop_lost[k];
		one = synth_rtt(s, i, h->ttl, f->hop_received[k]);
		rtt_merge(&b->rtt, &one);
	}
}

/* Parents (branches at the previous TTL its flows came from) and the via split. */
static void link_branches(const struct gscen *s, struct results *r, int k, int via_k)
{
	struct hop_result *h = &r->hops[k];

	for (int j = 0; j < h->nbranches; j++) {
		struct branch_result *b = &h->branches[j];

		if (k > 0) {
			const struct hop_result *p = &r->hops[k - 1];

			b->parents = g_alloc((size_t)p->nbranches, sizeof(*b->parents));
			for (int q = 0; q < p->nbranches; q++)
				for (int i = 0; i < b->nflows; i++)
					if (branch_of(p, &r->flows[b->flows[i]], k - 1) == q) {
						b->parents[b->nparents++] = q;
						break;
					}
		}
		if (via_k < 0)
			continue;
		b->via_ttl = r->hops[via_k].ttl;
		b->via = g_alloc((size_t)r->hops[via_k].nbranches, sizeof(*b->via));
		for (int q = 0; q < r->hops[via_k].nbranches; q++) {
			struct via_result v = {.branch = q};

			for (int i = 0; i < b->nflows; i++) {
				const struct flow_result *f = &r->flows[b->flows[i]];
				struct rtt_stats one = synth_rtt(s, b->flows[i], h->ttl, f->hop_received[k]);

				if (branch_of(&r->hops[via_k], f, via_k) != q)
					continue;
				rtt_merge(&v.rtt, &one);
				v.received += f->hop_received[k];
				v.lost += f->hop_lost[k];
				v.nflows++;
			}
			if (v.nflows > 0)
				b->via[b->nvia++] = v;
		}
	}
}

/* The hop's merged figures (as mtr shows it) and its discovery verdict. */
static void merge_hop(const struct gscen *s, struct results *r, int k)
{
	struct hop_result *h = &r->hops[k];

	for (int j = 0; j < h->nbranches; j++) {
		h->received += h->branches[j].received;
		h->lost += h->branches[j].lost;
		rtt_merge(&h->rtt, &h->branches[j].rtt);
	}
	h->confidence = s->confidence;
	h->discovery_complete = true;
	h->flows_probed = r->nflows;
	r->counters.replies += h->received;
	r->counters.probes_sent += h->received + h->lost;
}

struct results *g_build(const struct gscen *s)
{
	struct results *r = g_alloc(1, sizeof(*r));
	int via_k = -1;

	r->config.proto = s->proto;
	r->config.src = g_addr(s->src);
	r->config.dst = g_addr(s->dst);
	r->config.dport = s->dport;
	r->config.sport_base = s->sport_base;
	r->config.label_base = s->label_base;
	r->config.vary = s->vary;
	r->config.nflows = s->nflows;
	r->config.first_ttl = 1;
	r->config.max_ttl = 30;
	r->config.interval_us = 1000000;
	r->config.rate_pps = 200;
	/* The rest as a run with the program's defaults and -c ROUNDS has them. */
	r->config.rounds = s->rounds;
	r->config.timeout_us = 2000000;
	r->config.max_unknown = 5;
	r->config.adaptive = true;
	r->config.confidence = s->confidence;
	r->config.max_flows = 2048;
	r->config.link_check = true;
	r->counters.rounds_done = s->rounds;
	r->elapsed_us = s->rounds * 1000000;
	r->target_unlimited = true;
	build_flows(s, r);
	for (int i = 0; i < r->nflows; i++) {
		if (r->flows[i].path_len > r->nhops)
			r->nhops = r->flows[i].path_len;
		if (r->flows[i].dest_ttl && (!r->dest_ttl || r->flows[i].dest_ttl < r->dest_ttl))
			r->dest_ttl = r->flows[i].dest_ttl;
	}
	r->hops = g_alloc((size_t)r->nhops, sizeof(*r->hops));
	for (int k = 0; k < r->nhops; k++) {
		r->hops[k].ttl = k + 1;
		make_branches(s, r, k);
		link_branches(s, r, k, via_k);
		merge_hop(s, r, k);
		if (r->hops[k].nbranches > 1)
			via_k = k;
	}
	return r;
}

struct hop_result *g_hop_at(struct results *r, int ttl)
{
	if (ttl < 1 || ttl > r->nhops)
		abort();
	return &r->hops[ttl - 1];
}

struct branch_result *g_branch(struct results *r, int ttl, const char *addr)
{
	struct hop_result *h = g_hop_at(r, ttl);
	struct ip_addr a = g_addr(addr);

	for (int j = 0; j < h->nbranches; j++)
		if (addr_order(&h->branches[j].addr, &a) == 0)
			return &h->branches[j];
	fprintf(stderr, "golden: no branch %s at TTL %d\n", addr ? addr : "*", ttl);
	abort();
}

struct finding *g_finding(struct results *r, enum finding_kind kind, int ttl, const char *addr)
{
	struct findings *fs = r->findings;
	struct finding *f;

	if (fs == NULL) {
		fs = r->findings = g_alloc(1, sizeof(*fs));
		fs->items = g_alloc(8, sizeof(*fs->items));
		r->findings_free = findings_free;
	}
	if (fs->count == 8)
		abort();
	f = &fs->items[fs->count++];
	f->kind = kind;
	f->ttl = ttl;
	f->addr = g_addr(addr);
	return f;
}

void g_finding_flows(struct results *r, struct finding *f, const int *ids)
{
	int n = 0;

	while (ids[n] >= 0)
		n++;
	f->flows = g_alloc((size_t)n, sizeof(*f->flows));
	f->source_ports = g_alloc((size_t)n, sizeof(*f->source_ports));
	for (int i = 0; i < n; i++) {
		f->flows[i] = ids[i];
		f->source_ports[i] = r->flows[ids[i]].sport;
	}
	f->nflows = n;
}

void g_finding_loss(struct finding *f, uint64_t received, uint64_t lost, double lo, double hi,
		    double baseline)
{
	f->received = received;
	f->lost = lost;
	f->loss_pct = loss_pct(received, lost);
	f->ci_lo_pct = lo;
	f->ci_hi_pct = hi;
	f->baseline_pct = baseline;
}

void g_router(struct results *r, int ttl, const char *const *addrs, int burst, uint64_t refill_us,
	      uint64_t withheld, bool sure)
{
	struct router_result *rr;
	struct router_result *grown = g_alloc((size_t)r->nrouters + 1, sizeof(*grown));
	int n = 0;

	if (r->nrouters)
		memcpy(grown, r->routers, (size_t)r->nrouters * sizeof(*grown));
	r->routers = grown;
	rr = &r->routers[r->nrouters++];
	while (addrs[n] != NULL)
		n++;
	*rr = (struct router_result){.id = r->nrouters, .ttl = ttl, .sure = sure, .burst = burst,
				     .refill_us = refill_us, .withheld = withheld, .naddrs = n};
	rr->addrs = g_alloc((size_t)n, sizeof(*rr->addrs));
	for (int i = 0; i < n; i++) {
		rr->addrs[i] = g_addr(addrs[i]);
		g_branch(r, ttl, addrs[i])->router = rr->id;
	}
}

void g_neighbour(struct results *r, const char *addr, const uint8_t mac[6], uint64_t answers,
		 uint64_t claims, bool in_table)
{
	struct hop_result *h = g_hop_at(r, 1);
	struct neighbour_result *grown = g_alloc((size_t)h->nneighbours + 1, sizeof(*grown));
	struct neighbour_result *n;

	if (h->nneighbours)
		memcpy(grown, h->neighbours, (size_t)h->nneighbours * sizeof(*grown));
	h->neighbours = grown;
	n = &h->neighbours[h->nneighbours++];
	n->addr = g_addr(addr);
	memcpy(n->link.addr, mac, 6);
	n->link.len = 6;
	n->link.answers = answers;
	n->link.claims = claims;
	n->link.in_table = in_table;
	for (int j = 0; j < h->nbranches; j++)
		if (addr_equal(&h->branches[j].addr, &n->addr)) {
			h->branches[j].link_addrs = &n->link;
			h->branches[j].nlink_addrs = 1;
		}
}

void g_link_check(struct results *r, const char *addr, uint64_t asked, bool claimed, bool unaskable)
{
	struct hop_result *h = g_hop_at(r, 1);
	struct link_check_result *grown = g_alloc((size_t)h->nlink_checks + 1, sizeof(*grown));

	if (h->nlink_checks)
		memcpy(grown, h->link_checks, (size_t)h->nlink_checks * sizeof(*grown));
	h->link_checks = grown;
	h->link_checks[h->nlink_checks++] = (struct link_check_result){
		.addr = g_addr(addr), .asked = asked, .claimed = claimed, .unaskable = unaskable};
}
