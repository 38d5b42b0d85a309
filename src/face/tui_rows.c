/*
 * What the live view's table shows: the rows of each view (branch tree,
 * flows, merged hops) built from a results snapshot, the flows view's sort
 * orders, and keeping the selection on the same hop, branch or flow when
 * rows move, appear or vanish.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "face/tui_int.h"
#include "face/vocab.h"

static bool push_row(struct tui *t, const struct tui_row *r)
{
	if (t->nrows == t->rows_cap) {
		int ncap = t->rows_cap ? t->rows_cap * 2 : 64;
		struct tui_row *nr;

		if ((size_t)ncap > SIZE_MAX / sizeof(*nr))
			return false;
		nr = realloc(t->rows, (size_t)ncap * sizeof(*nr));
		if (!nr)
			return false;
		t->rows = nr;
		t->rows_cap = ncap;
	}
	t->rows[t->nrows++] = *r;
	return true;
}

static struct tui_key branch_key(const struct hop_result *h, const struct branch_result *b)
{
	struct tui_key k = {.kind = TUI_KEY_BRANCH, .ttl = h->ttl};

	if (addr_is_set(&b->addr))
		k.addr = b->addr;
	return k;
}

static struct tui_key hop_key(const struct hop_result *h)
{
	return (struct tui_key){.kind = TUI_KEY_HOP, .ttl = h->ttl};
}

/*
 * Under a branch that flows reach from several earlier branches (after
 * ECMP members merge again), one row per earlier branch: that is where
 * "the flows that came through the lossy member" stay visible.
 */
static bool push_vias(struct tui *t, const struct results *r, struct tui_row row)
{
	const struct branch_result *b = &r->hops[row.hop].branches[row.branch];

	if (b->nvia < 2)
		return true;
	for (int v = 0; v < b->nvia; v++) {
		row.via = v;
		row.last_via = v == b->nvia - 1;
		row.key = (struct tui_key){.kind = TUI_KEY_VIA, .ttl = r->hops[row.hop].ttl,
					   .addr = b->addr, .via = vocab_via_addr(r, b, v)};
		if (!push_row(t, &row))
			return false;
	}
	return true;
}

/* With -e, under a branch: one row per MPLS label its router quoted, as mtr shows them. */
static bool push_labels(struct tui *t, const struct results *r, struct tui_row row)
{
	const struct hop_result *h = &r->hops[row.hop];
	const struct branch_result *b = &h->branches[row.branch];

	for (int k = 0; t->opt.mpls && k < b->mpls.n; k++) {
		row.label = k + 1;
		row.key = (struct tui_key){.kind = TUI_KEY_LABEL, .ttl = h->ttl, .addr = b->addr,
					   .flow = k};
		if (!push_row(t, &row))
			return false;
	}
	return true;
}

/* Hops with one responder take one row; others a header row and one row per branch. */
static bool build_tree(struct tui *t, const struct results *r)
{
	for (int i = 0; i < r->nhops; i++) {
		const struct hop_result *h = &r->hops[i];
		struct tui_row row = {.hop = i, .branch = -1, .flow = -1, .via = -1};

		if (h->nbranches <= 1) {
			if (h->nbranches == 1) {
				row.branch = 0;
				row.key = branch_key(h, &h->branches[0]);
			} else {
				row.key = hop_key(h);
			}
			if (!push_row(t, &row))
				return false;
			if (h->nbranches == 1 && (!push_labels(t, r, row) || !push_vias(t, r, row)))
				return false;
			continue;
		}
		row.key = hop_key(h);
		if (!push_row(t, &row))
			return false;
		for (int b = 0; b < h->nbranches; b++) {
			row.branch = b;
			row.key = branch_key(h, &h->branches[b]);
			row.sub = true;
			row.last_sub = b == h->nbranches - 1;
			if (!push_row(t, &row) || !push_labels(t, r, row) || !push_vias(t, r, row))
				return false;
		}
	}
	return true;
}

static bool build_hops(struct tui *t, const struct results *r)
{
	for (int i = 0; i < r->nhops; i++) {
		struct tui_row row = {.hop = i, .branch = -1, .flow = -1, .via = -1,
				      .key = hop_key(&r->hops[i])};

		if (!push_row(t, &row))
			return false;
	}
	return true;
}

/* qsort has no context argument; the comparison reads the snapshot through these. */
static const struct results *sort_snap;
static enum tui_sort sort_order;

static int cmp_addr(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, sizeof(a->b));
}

static int cmp_flow_rows(const void *pa, const void *pb)
{
	const struct flow_result *a = &sort_snap->flows[((const struct tui_row *)pa)->flow];
	const struct flow_result *b = &sort_snap->flows[((const struct tui_row *)pb)->flow];
	double la, lb;
	int c;

	switch (sort_order) {
	case TUI_SORT_LOSS:
		la = loss_pct(a->received, a->lost);
		lb = loss_pct(b->received, b->lost);
		if (la != lb)
			return la > lb ? -1 : 1;
		break;
	case TUI_SORT_RTT:
		la = a->rtt.n ? a->rtt.mean : -1.0;
		lb = b->rtt.n ? b->rtt.mean : -1.0;
		if (la != lb)
			return la > lb ? -1 : 1;
		break;
	case TUI_SORT_PATH:
		for (int i = 0; i < a->path_len && i < b->path_len; i++) {
			c = cmp_addr(&a->path[i], &b->path[i]);
			if (c)
				return c;
		}
		if (a->path_len != b->path_len)
			return a->path_len < b->path_len ? -1 : 1;
		break;
	case TUI_SORT_FLOW:
	case TUI_SORT_COUNT:
		break;
	}
	return a->id < b->id ? -1 : a->id > b->id;
}

static bool build_flows(struct tui *t, const struct results *r)
{
	for (int i = 0; i < r->nflows; i++) {
		struct tui_row row = {.hop = -1, .branch = -1, .flow = i, .via = -1,
				      .key = {.kind = TUI_KEY_FLOW, .flow = r->flows[i].id}};

		if (!push_row(t, &row))
			return false;
	}
	sort_snap = r;
	sort_order = t->sort;
	qsort(t->rows, (size_t)t->nrows, sizeof(*t->rows), cmp_flow_rows);
	sort_snap = NULL;
	return true;
}

bool tui_rows_build(struct tui *t)
{
	t->nrows = 0;
	if (!t->snap)
		return true;
	switch (t->view) {
	case TUI_VIEW_FLOWS:
		return build_flows(t, t->snap);
	case TUI_VIEW_HOPS:
		return build_hops(t, t->snap);
	case TUI_VIEW_TREE:
	case TUI_VIEW_COUNT:
		break;
	}
	return build_tree(t, t->snap);
}

static int find_key(const struct tui *t, const struct tui_key *k)
{
	for (int i = 0; i < t->nrows; i++) {
		if (tui_key_equal(&t->rows[i].key, k))
			return i;
	}
	return -1;
}

static const struct flow_result *flow_by_id(const struct results *r, int id)
{
	for (int i = 0; i < r->nflows; i++) {
		if (r->flows[i].id == id)
			return &r->flows[i];
	}
	return NULL;
}

/*
 * The closest row to a selection this view does not have: a branch's hop
 * (merged view), a branch's first flow (flows view), a flow's branch at
 * the first hop where branches part (tree view).
 */
static int find_related(const struct tui *t, const struct tui_key *k)
{
	const struct results *r = t->snap;
	struct tui_key alt;
	int i;

	if (k->kind == TUI_KEY_VIA || k->kind == TUI_KEY_LABEL) {
		alt = (struct tui_key){.kind = TUI_KEY_BRANCH, .ttl = k->ttl, .addr = k->addr};
		if ((i = find_key(t, &alt)) >= 0)
			return i;
		alt = (struct tui_key){.kind = TUI_KEY_HOP, .ttl = k->ttl};
		if ((i = find_key(t, &alt)) >= 0)
			return i;
	} else if (k->kind == TUI_KEY_BRANCH || k->kind == TUI_KEY_HOP) {
		alt = (struct tui_key){.kind = TUI_KEY_HOP, .ttl = k->ttl};
		if ((i = find_key(t, &alt)) >= 0)
			return i;
		for (int h = 0; h < r->nhops; h++) {
			for (int b = 0; b < r->hops[h].nbranches; b++) {
				const struct branch_result *br = &r->hops[h].branches[b];
				struct tui_key bk = branch_key(&r->hops[h], br);

				if (!tui_key_equal(&bk, k) && !(k->kind == TUI_KEY_HOP && r->hops[h].ttl == k->ttl))
					continue;
				if (br->nflows > 0) {
					alt = (struct tui_key){.kind = TUI_KEY_FLOW, .flow = br->flows[0]};
					if ((i = find_key(t, &alt)) >= 0)
						return i;
				}
			}
		}
	} else if (k->kind == TUI_KEY_FLOW) {
		const struct flow_result *f = flow_by_id(r, k->flow);

		if (!f)
			return -1;
		for (int h = 0; h < r->nhops; h++) {
			const struct hop_result *hop = &r->hops[h];
			int p = hop->ttl - r->config.first_ttl;

			if (hop->nbranches < 2 || p < 0 || p >= f->path_len)
				continue;
			alt = (struct tui_key){.kind = TUI_KEY_BRANCH, .ttl = hop->ttl, .addr = f->path[p]};
			if ((i = find_key(t, &alt)) >= 0)
				return i;
		}
	}
	return -1;
}

int tui_rows_select(struct tui *t)
{
	int i;

	if (t->nrows == 0)
		return -1;
	i = find_key(t, &t->sel);
	if (i < 0 && t->snap)
		i = find_related(t, &t->sel);
	if (i < 0) {
		i = t->sel_index;
		if (i >= t->nrows)
			i = t->nrows - 1;
		if (i < 0)
			i = 0;
	}
	t->sel = t->rows[i].key;
	t->sel_index = i;
	return i;
}

const struct findings *tui_findings(const struct tui *t)
{
	return t->snap ? t->snap->findings : NULL;
}
