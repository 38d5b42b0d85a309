/*
 * Builds the immutable results snapshot (results.h) from the engine's
 * per-(flow, TTL) cells: groups flows into branches hop by hop, keeps the
 * tree (which branch each one came from), and sums end-to-end figures per
 * flow.  Runs on every redraw of the live view, so it is linear in
 * flows x hops with small constants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/lane.h"
#include "engine/results.h"

/* A growable int array (flow lists, parent lists). */
static bool int_push(int **v, int *n, int x)
{
	int *grown = realloc(*v, (size_t)(*n + 1) * sizeof(**v));

	if (grown == NULL)
		return false;
	grown[(*n)++] = x;
	*v = grown;
	return true;
}

static bool int_push_unique(int **v, int *n, int x)
{
	for (int i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return true;
	return int_push(v, n, x);
}

static void branch_free(struct branch_result *b)
{
	free(b->parents);
	free(b->flows);
	free(b->via);
	free(b->link_addrs);
	free(b->samples);
}

static struct link_address link_address_of(const struct neighbour_seen *n)
{
	struct link_address l = {.len = n->lladdr_len, .answers = n->answers,
				 .claims = n->claims, .in_table = n->in_table};

	memcpy(l.addr, n->lladdr, n->lladdr_len);
	return l;
}

/*
 * At TTL 1: the link-layer addresses that spoke for each address, per
 * branch and in all, and what the link-layer check asked.
 */
static bool hop_link_addrs(const struct engine *e, struct hop_result *hop)
{
	if (hop->ttl != 1)
		return true;
	if (e->nlink_targets > 0) {
		hop->link_checks = calloc((size_t)e->nlink_targets, sizeof(*hop->link_checks));
		if (hop->link_checks == NULL)
			return false;
		for (int i = 0; i < e->nlink_targets; i++) {
			const struct link_target *t = &e->link_targets[i];

			hop->link_checks[hop->nlink_checks++] = (struct link_check_result){
				.addr = t->addr, .asked = t->asked_total, .claimed = t->claimed,
				.unaskable = t->unaskable};
		}
	}
	if (e->nneighbours == 0)
		return true;
	hop->neighbours = calloc((size_t)e->nneighbours, sizeof(*hop->neighbours));
	if (hop->neighbours == NULL)
		return false;
	for (int i = 0; i < e->nneighbours; i++) {
		const struct neighbour_seen *n = &e->neighbours[i];
		struct neighbour_result *nr = &hop->neighbours[hop->nneighbours++];

		nr->addr = n->addr;
		nr->link = link_address_of(n);
	}
	for (int b = 0; b < hop->nbranches; b++) {
		struct branch_result *br = &hop->branches[b];

		for (int i = 0; i < e->nneighbours; i++) {
			const struct neighbour_seen *n = &e->neighbours[i];
			struct link_address *grown;

			if (!addr_is_set(&br->addr) || !addr_equal(&n->addr, &br->addr))
				continue;
			grown = realloc(br->link_addrs, (size_t)(br->nlink_addrs + 1) * sizeof(*grown));
			if (grown == NULL)
				return false;
			br->link_addrs = grown;
			grown[br->nlink_addrs++] = link_address_of(n);
		}
	}
	return true;
}

/* Adds a flow's cell to the branch's figures for the lineage it came through. */
static bool via_add(struct branch_result *b, int lineage, const struct cell *c)
{
	struct via_result *v = NULL, *grown;
	int k;

	for (k = 0; k < b->nvia && v == NULL; k++)
		if (b->via[k].branch == lineage)
			v = &b->via[k];
	if (v == NULL) {
		grown = realloc(b->via, (size_t)(b->nvia + 1) * sizeof(*grown));
		if (grown == NULL)
			return false;
		b->via = grown;
		/* Keep them ordered by lineage so every face lists them alike. */
		for (k = b->nvia; k > 0 && b->via[k - 1].branch > lineage; k--)
			b->via[k] = b->via[k - 1];
		v = &b->via[k];
		*v = (struct via_result){.branch = lineage};
		b->nvia++;
	}
	v->received += c->received;
	v->lost += c->lost;
	rtt_merge(&v->rtt, &c->rtt);
	v->nflows++;
	return true;
}

/* Each branch's path MTU: the smallest its flows' paths take. */
static void results_pmtu(struct results *r)
{
	for (int h = 0; h < r->nhops; h++)
		for (int b = 0; b < r->hops[h].nbranches; b++) {
			struct branch_result *br = &r->hops[h].branches[b];

			for (int k = 0; k < br->nflows; k++) {
				const struct flow_result *f = &r->flows[br->flows[k]];

				if (f->pmtu_bytes == 0)
					continue;
				if (br->pmtu_bytes == 0 || f->pmtu_bytes < br->pmtu_bytes) {
					br->pmtu_bytes = f->pmtu_bytes;
					br->pmtu_both_ways = false;
				}
				br->pmtu_ptb = br->pmtu_ptb || f->pmtu_ptb;
				/* The smallest may be the way back's when one flow's at that size is. */
				if (f->pmtu_bytes == br->pmtu_bytes)
					br->pmtu_both_ways = br->pmtu_both_ways || f->pmtu_both_ways;
			}
		}
}

int flow_index(const struct results *r, int id)
{
	if (id >= 0 && id < r->nflows && r->flows[id].id == id)
		return id;
	for (int i = 0; i < r->nflows; i++)
		if (r->flows[i].id == id)
			return i;
	return -1;
}

void results_free(struct results *r)
{
	int i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->nhops; i++) {
		for (j = 0; j < r->hops[i].nbranches; j++)
			branch_free(&r->hops[i].branches[j]);
		free(r->hops[i].branches);
		free(r->hops[i].neighbours);
		free(r->hops[i].link_checks);
	}
	free(r->hops);
	for (i = 0; i < r->nflows; i++) {
		free(r->flows[i].path);
		free(r->flows[i].hop_received);
		free(r->flows[i].hop_lost);
		free(r->flows[i].hop_pending);
		free(r->flows[i].responders_seen);
		free(r->flows[i].samples);
	}
	free(r->flows);
	for (i = 0; i < r->nrouters; i++)
		free(r->routers[i].addrs);
	free(r->routers);
	if (r->findings != NULL && r->findings_free != NULL)
		r->findings_free(r->findings);
	free(r);
}

/* The last TTL the flow's path is shown to: its target/unreachable or the display end. */
static int flow_end_ttl(const struct flow_state *f, int last_ttl)
{
	if (f->dest_ttl && f->dest_ttl <= last_ttl)
		return f->dest_ttl;
	if (f->unreach_ttl && f->unreach_ttl <= last_ttl)
		return f->unreach_ttl;
	return last_ttl;
}

/*
 * How many hops to show: up to the farthest target/unreachable answer; if
 * no flow reached the target, one TTL past the highest responder, so the
 * silence after it shows as a row of "*" as in mtr.
 */
static int display_last_ttl(const struct engine *e)
{
	int last = 0, probed = 0, i, t;
	bool reached = false;

	for (i = 0; i < e->nflows; i++) {
		const struct flow_state *f = &e->flows[i];

		if (f->dest_ttl || f->unreach_ttl) {
			reached = true;
			t = f->dest_ttl ? f->dest_ttl : f->unreach_ttl;
			if (t > last)
				last = t;
		}
		/* A reset keeps the responders: the known path still shows. */
		for (t = e->cfg.max_ttl; t > probed; t--)
			if (f->cells[t].sent > 0 || f->cells[t].nresp > 0) {
				probed = t;
				break;
			}
	}
	if (!reached) {
		last = e->highest_reply_ttl + 1;
		if (last > probed)
			last = probed;
	}
	if (last < e->cfg.first_ttl)
		last = probed >= e->cfg.first_ttl ? e->cfg.first_ttl : 0;
	return last;
}

static int branch_cmp(const void *pa, const void *pb)
{
	const struct branch_result *a = pa, *b = pb;

	if (addr_is_set(&a->addr) != addr_is_set(&b->addr))
		return addr_is_set(&a->addr) ? -1 : 1;
	if (addr_is_set(&a->addr)) {
		int c = memcmp(a->addr.b, b->addr.b, addr_len(&a->addr));

		if (c != 0)
			return c;
	}
	/* Unknown branches: order by their first parent, so they sit under it. */
	if (a->nparents && b->nparents && a->parents[0] != b->parents[0])
		return a->parents[0] < b->parents[0] ? -1 : 1;
	return a->flows[0] - b->flows[0];
}

/* Where each flow went at the last hop with several branches. */
struct lineage {
	int ttl;		/* 0 until a hop has split */
	int *branch;		/* per flow: branch index at ttl, -1 if not probed there */
};

/*
 * The branch of hop a flow's answer (or silence) at it belongs to: the one
 * of its responder, or for a silent flow the unknown branch under the
 * same parent.  Added if new; NULL when out of memory.
 */
static struct branch_result *branch_for(struct hop_result *hop, const struct responder *who,
					int parent)
{
	struct branch_result *b, *grown;

	for (int j = 0; j < hop->nbranches; j++) {
		b = &hop->branches[j];
		if (who ? addr_equal(&b->addr, &who->addr)
			: (!addr_is_set(&b->addr) && (b->nparents ? b->parents[0] : -1) == parent))
			return b;
	}
	grown = realloc(hop->branches, (size_t)(hop->nbranches + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	hop->branches = grown;
	b = &hop->branches[hop->nbranches++];
	*b = (struct branch_result){0};
	if (who)
		b->addr = who->addr;
	return b;
}

/* Flow i's cell at the hop, added to its branch b (parent: its branch one hop before). */
static bool branch_add_flow(struct branch_result *b, int i, const struct cell *c,
			    const struct lineage *lin, int parent)
{
	b->received += c->received;
	b->lost += c->lost;
	rtt_merge(&b->rtt, &c->rtt);
	jitter_merge(&b->jitter, &c->recent.jitter);
	if (!recent_append(&c->recent, &b->samples, &b->nsamples))
		return false;
	if (c->flags & CELL_DEST)
		b->is_destination = true;
	if (c->flags & CELL_UNREACH)
		b->is_unreachable = true;
	if (!int_push(&b->flows, &b->nflows, i))
		return false;
	b->via_ttl = lin->ttl;
	if (lin->ttl && lin->branch[i] >= 0 && !via_add(b, lin->branch[i], c))
		return false;
	return parent < 0 || int_push_unique(&b->parents, &b->nparents, parent);
}

/*
 * Sorts the hop's branches, renumbers the flows' indexes in cur to match,
 * and sums the hop's figures.  Each branch owns a distinct flows array,
 * which identifies it across the sort.
 */
static bool sort_branches(struct hop_result *hop, int nflows, int *cur)
{
	int **old = malloc((size_t)(hop->nbranches + 1) * sizeof(*old));
	int *rank = malloc((size_t)(hop->nbranches + 1) * sizeof(*rank));
	bool ok = old != NULL && rank != NULL;

	for (int j = 0; ok && j < hop->nbranches; j++)
		old[j] = hop->branches[j].flows;
	if (ok && hop->nbranches > 1)
		qsort(hop->branches, (size_t)hop->nbranches, sizeof(*hop->branches), branch_cmp);
	for (int j = 0; ok && j < hop->nbranches; j++)
		for (int k = 0; k < hop->nbranches; k++)
			if (old[k] == hop->branches[j].flows)
				rank[k] = j;
	for (int i = 0; ok && i < nflows; i++)
		if (cur[i] >= 0)
			cur[i] = rank[cur[i]];
	for (int j = 0; ok && j < hop->nbranches; j++) {
		hop->received += hop->branches[j].received;
		hop->lost += hop->branches[j].lost;
		rtt_merge(&hop->rtt, &hop->branches[j].rtt);
		jitter_merge(&hop->jitter, &hop->branches[j].jitter);
	}
	free(old);
	free(rank);
	return ok;
}

/*
 * Groups the flows probed at ttl into branches.  prev[f] is flow f's branch
 * index at the previous hop (-1 if none); on return cur[f] is its index
 * here, after sorting.
 */
static bool build_hop(const struct engine *e, int ttl, int last_ttl, const int *prev, int *cur,
		      const struct lineage *lin, struct hop_result *hop)
{
	hop->ttl = ttl;
	for (int i = 0; i < e->nflows; i++) {
		const struct flow_state *f = &e->flows[i];
		const struct cell *c = &f->cells[ttl];
		const struct responder *who = cell_dominant(c);
		struct branch_result *b;
		int parent = prev ? prev[i] : -1;

		cur[i] = -1;
		/* Probes still in flight with nothing known yet are not a branch (yet). */
		if (ttl > flow_end_ttl(f, last_ttl) || (who == NULL && c->lost == 0))
			continue;
		b = branch_for(hop, who, parent);
		if (b == NULL)
			return false;
		cur[i] = (int)(b - hop->branches);
		if (!branch_add_flow(b, i, c, lin, parent))
			return false;
	}
	return sort_branches(hop, e->nflows, cur);
}

/* The label stack each responder of the hop last quoted. */
static void hop_mpls(const struct engine *e, struct hop_result *hop)
{
	for (int j = 0; j < hop->nbranches; j++) {
		struct branch_result *b = &hop->branches[j];
		const struct mpls_stack *s = addr_is_set(&b->addr)
			? mpls_find(&e->mpls, hop->ttl, &b->addr) : NULL;

		if (s != NULL)
			b->mpls = *s;
	}
}

/*
 * The discovery verdict of a hop.  Adaptive mode reports the latest pass;
 * with a fixed flow count the MDA rule is checked on what was measured: k
 * responders need n_k answering flows before no other is likely.
 */
static void hop_discovery(const struct engine *e, int ttl, struct hop_result *hop)
{
	int k = 0, answered = 0, probed = 0;

	if (e->cfg.adaptive) {
		struct mda_summary s = mda_hop_summary(e, ttl);

		if (!s.valid)
			return;
		hop->discovery_complete = s.complete;
		hop->confidence = e->cfg.confidence;
		hop->rate_limited = s.rate_limited;
		hop->discovery_per_vertex = s.per_vertex;
		hop->flows_probed = s.flows_probed;
		hop->per_packet = s.per_packet;
		return;
	}
	for (int i = 0; i < e->nflows; i++)
		probed += e->flows[i].cells[ttl].sent > 0;
	for (int j = 0; j < hop->nbranches; j++)
		if (addr_is_set(&hop->branches[j].addr)) {
			k++;
			for (int f = 0; f < hop->branches[j].nflows; f++) {
				int id = hop->branches[j].flows[f];

				answered += e->flows[id].cells[ttl].received > 0;
			}
		}
	hop->flows_probed = probed;
	if (k == 0)
		return;
	hop->confidence = answered >= mda_stop_count(99, k) ? 99 : 95;
	hop->discovery_complete = answered >= mda_stop_count(95, k);
}

/*
 * End-to-end figures of a flow: its probes at and beyond the TTL where it
 * reached the target.  A flow that never reached it is judged at the TTLs
 * where other flows did, counting only TTLs where nothing at all answered
 * it (a router answering there means the flow's path is simply longer).
 */
static bool flow_end_to_end(const struct engine *e, const struct flow_state *f, int min_dest,
			    struct flow_result *out)
{
	int t, from = f->dest_ttl ? f->dest_ttl : min_dest;

	out->reach_received = f->reach.received;
	out->reach_lost = f->reach.lost;
	/* The lane's probes with the largest TTL reach the target whatever the path's length. */
	if (from != 0 || e->reached) {
		out->received += f->reach.received;
		out->lost += f->reach.lost;
		rtt_merge(&out->rtt, &f->reach.rtt);
		jitter_merge(&out->jitter, &f->reach.recent.jitter);
		if (!recent_append(&f->reach.recent, &out->samples, &out->nsamples))
			return false;
	}
	/*
	 * A flow the target answered only through the lane reaches it; its
	 * silent TTLs past where other flows met the target are a longer
	 * path's routers keeping quiet (rate limits), not loss.
	 */
	if (from == 0 || (f->dest_ttl == 0 && f->reach.received > 0))
		return true;
	for (t = from; t <= e->cfg.max_ttl; t++) {
		const struct cell *c = &f->cells[t];

		if (!f->dest_ttl && c->nresp > 0)
			continue;
		out->received += c->received;
		out->lost += c->lost;
		rtt_merge(&out->rtt, &c->rtt);
		jitter_merge(&out->jitter, &c->recent.jitter);
		if (!recent_append(&c->recent, &out->samples, &out->nsamples))
			return false;
	}
	return true;
}

static bool build_flow(const struct engine *e, int i, int last_ttl, int min_dest,
		       struct flow_result *out)
{
	const struct flow_state *f = &e->flows[i];
	int end = flow_end_ttl(f, last_ttl), k, t;

	out->id = i;
	out->sport = f->id.sport;
	out->flow_label = f->id.flow_label;
	out->src = f->src;
	out->dest_ttl = f->dest_ttl;
	out->path_len = end >= e->cfg.first_ttl ? end - e->cfg.first_ttl + 1 : 0;
	if (out->path_len > 0) {
		out->path = calloc((size_t)out->path_len, sizeof(*out->path));
		out->hop_received = calloc((size_t)out->path_len, sizeof(*out->hop_received));
		out->hop_lost = calloc((size_t)out->path_len, sizeof(*out->hop_lost));
		out->hop_pending = calloc((size_t)out->path_len, sizeof(*out->hop_pending));
		out->responders_seen = calloc((size_t)out->path_len, sizeof(*out->responders_seen));
		if (!out->path || !out->hop_received || !out->hop_lost || !out->hop_pending ||
		    !out->responders_seen)
			return false;
	}
	for (k = 0; k < out->path_len; k++) {
		const struct cell *c = &f->cells[e->cfg.first_ttl + k];
		const struct responder *who = cell_dominant(c);

		if (who)
			out->path[k] = who->addr;
		out->hop_received[k] = c->received;
		out->hop_lost[k] = c->lost;
		out->hop_pending[k] = c->sent > c->received + c->lost ?
				      c->sent - c->received - c->lost : 0;
		out->responders_seen[k] = c->nresp;
	}
	for (t = 0; t <= e->cfg.max_ttl; t++)
		out->path_changes += f->cells[t].changes;
	out->pmtu_bytes = pmtu_of_flow(e, i, &out->pmtu_ptb, &out->pmtu_both_ways);
	return flow_end_to_end(e, f, min_dest, out);
}

struct results *engine_results(const struct engine *e, uint64_t now)
{
	struct results *r;
	int *prev = NULL, *cur = NULL, last, i, min_dest = 0;
	struct lineage lin = {0};

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->config = e->cfg;
	r->counters = engine_get_counters(e);
	r->elapsed_us = e->first_send_at && now > e->first_send_at ? now - e->first_send_at : 0;
	for (i = 0; i < e->nflows; i++)
		if (e->flows[i].dest_ttl && (min_dest == 0 || e->flows[i].dest_ttl < min_dest))
			min_dest = e->flows[i].dest_ttl;
	r->dest_ttl = min_dest;
	r->target_unlimited = lane_target_unlimited(e);

	last = display_last_ttl(e);
	r->nhops = last >= e->cfg.first_ttl ? last - e->cfg.first_ttl + 1 : 0;
	r->hops = calloc((size_t)r->nhops + 1, sizeof(*r->hops));
	prev = malloc((size_t)e->nflows * sizeof(*prev));
	cur = malloc((size_t)e->nflows * sizeof(*cur));
	r->flows = calloc((size_t)e->nflows, sizeof(*r->flows));
	lin.branch = malloc((size_t)e->nflows * sizeof(*lin.branch));
	if (r->hops == NULL || prev == NULL || cur == NULL || r->flows == NULL || lin.branch == NULL)
		goto fail;
	r->nflows = e->nflows;
	for (i = 0; i < r->nhops; i++) {
		int *swap;

		if (!build_hop(e, e->cfg.first_ttl + i, last, i ? prev : NULL, cur, &lin, &r->hops[i]))
			goto fail;
		hop_discovery(e, e->cfg.first_ttl + i, &r->hops[i]);
		if (!hop_link_addrs(e, &r->hops[i]))
			goto fail;
		hop_mpls(e, &r->hops[i]);
		if (r->hops[i].nbranches > 1) {
			lin.ttl = r->hops[i].ttl;
			memcpy(lin.branch, cur, (size_t)e->nflows * sizeof(*cur));
		}
		swap = prev;
		prev = cur;
		cur = swap;
	}
	for (i = 0; i < e->nflows; i++)
		if (!build_flow(e, i, last, min_dest, &r->flows[i]))
			goto fail;
	if (!results_routers(e, r))
		goto fail;
	results_pmtu(r);
	free(prev);
	free(cur);
	free(lin.branch);
	return r;
fail:
	free(prev);
	free(cur);
	free(lin.branch);
	results_free(r);
	return NULL;
}

const char *link_address_describe(const struct link_address *l, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (l->answers > 0) {
		n = snprintf(buf, len, "%llu answer%s", (unsigned long long)l->answers,
			     l->answers == 1 ? "" : "s");
		used = n > 0 ? (size_t)n : 0;
	}
	if (l->claims > 0 && used < len) {
		n = snprintf(buf + used, len - used, "%s%llu ARP/ND claim%s", used ? ", " : "",
			     (unsigned long long)l->claims, l->claims == 1 ? "" : "s");
		used += n > 0 ? (size_t)n : 0;
	}
	if (l->in_table && used < len)
		snprintf(buf + used, len - used, "%sthis host's entry", used ? ", " : "");
	return buf;
}
