/*
 * Unit tests of the live view's model, without a terminal: the RTT history
 * (src/face/tui_hist.c: buckets per tick, resets, ring wrap, table growth)
 * and the rows of each view (src/face/tui_rows.c: the branch tree with its
 * "via" rows, flows sorted, and a selection that follows its hop, branch
 * or flow across re-sorting and view changes).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "face/tui_hist.h"
#include "face/tui_int.h"
#include "../tap.h"

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;

	if (!addr_parse(s, &a))
		abort();
	return a;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

/* ---- history ---- */

static void test_hist(void)
{
	struct tui_hist h;
	struct tui_key k = {.kind = TUI_KEY_BRANCH, .ttl = 2, .addr = ip("10.0.3.2")};
	struct tui_key unknown = {.kind = TUI_KEY_BRANCH, .ttl = 2};
	struct tui_key flow = {.kind = TUI_KEY_FLOW, .flow = 2};
	struct tui_bucket b[TUI_HIST_LEN];
	const struct tui_hist_entry *e;
	struct rtt_stats r;
	size_t n;
	bool all = true;

	tui_hist_init(&h);
	ok(tui_hist_find(&h, &k) == NULL, "empty history finds nothing");
	rtt_init(&r);
	rtt_add(&r, 1000, 1);
	rtt_add(&r, 3000, 2);
	ok(tui_hist_update(&h, &k, 2, 0, &r), "first update");
	e = tui_hist_find(&h, &k);
	ok(e && e->count == 0, "what a key has when first seen is its baseline, not a bucket");

	/* Two new answers of 5 and 7 ms and one loss in this tick. */
	rtt_add(&r, 5000, 3);
	rtt_add(&r, 7000, 4);
	tui_hist_update(&h, &k, 4, 1, &r);
	n = tui_hist_series(tui_hist_find(&h, &k), b, TUI_HIST_LEN);
	ok(n == 1, "news makes one bucket (%zu)", n);
	ok(n == 1 && b[0].received == 2 && b[0].lost == 1, "the bucket counts only the news");
	ok(n == 1 && b[0].rtt_us == 6000, "its RTT is the mean of the new answers only (%lld)",
	   n ? (long long)b[0].rtt_us : -1LL);

	tui_hist_update(&h, &k, 4, 1, &r);
	ok(tui_hist_find(&h, &k)->count == 1, "no news, no bucket");

	tui_hist_update(&h, &k, 4, 3, &r);
	n = tui_hist_series(tui_hist_find(&h, &k), b, TUI_HIST_LEN);
	ok(n == 2 && b[1].rtt_us == -1 && b[1].lost == 2, "a tick with only losses has no RTT");

	/* The engine's statistics were reset: totals go down. */
	rtt_init(&r);
	rtt_add(&r, 2000, 5);
	tui_hist_update(&h, &k, 1, 0, &r);
	ok(tui_hist_find(&h, &k)->count == 2, "a reset restarts the baseline without a bucket");
	rtt_add(&r, 4000, 6);
	tui_hist_update(&h, &k, 2, 0, &r);
	n = tui_hist_series(tui_hist_find(&h, &k), b, TUI_HIST_LEN);
	ok(n == 3 && b[2].rtt_us == 4000, "after a reset news is measured from the new baseline");

	/* Wrap the ring: oldest first, newest last. */
	for (int i = 0; i < TUI_HIST_LEN + 10; i++) {
		rtt_add(&r, 1000 * (i + 1), (uint64_t)(10 + i));
		tui_hist_update(&h, &k, 3 + (uint64_t)i, 0, &r);
	}
	n = tui_hist_series(tui_hist_find(&h, &k), b, TUI_HIST_LEN);
	ok(n == TUI_HIST_LEN, "the ring holds TUI_HIST_LEN buckets");
	ok(b[n - 1].rtt_us == 1000 * (TUI_HIST_LEN + 10) && b[0].rtt_us == 1000 * 11,
	   "oldest first, newest last after wrapping");
	n = tui_hist_series(tui_hist_find(&h, &k), b, 5);
	ok(n == 5 && b[4].rtt_us == 1000 * (TUI_HIST_LEN + 10), "a short series is the newest buckets");

	/* Keys: unknown branch vs known, flows; many keys grow the table. */
	ok(tui_hist_find(&h, &unknown) == NULL, "the unknown branch is not the known one");
	rtt_init(&r);
	tui_hist_update(&h, &unknown, 0, 1, &r);
	tui_hist_update(&h, &flow, 0, 1, &r);
	ok(tui_hist_find(&h, &unknown) && tui_hist_find(&h, &flow), "other kinds of keys are kept apart");
	for (int i = 0; i < 2000; i++) {
		struct tui_key f = {.kind = TUI_KEY_FLOW, .flow = 100 + i};

		tui_hist_update(&h, &f, (uint64_t)i, 0, &r);
	}
	for (int i = 0; i < 2000; i++) {
		struct tui_key f = {.kind = TUI_KEY_FLOW, .flow = 100 + i};

		e = tui_hist_find(&h, &f);
		all = all && e && e->seen_received == (uint64_t)i;
	}
	ok(all && tui_hist_find(&h, &k), "2000 more keys: every one found after the table grew");
	tui_hist_clear(&h);
	ok(tui_hist_find(&h, &k) == NULL && h.used == 0, "clear forgets everything");
	tui_hist_free(&h);
}

/* ---- rows ---- */

/*
 * A 2-way ECMP of 4 flows: hop 1 one router, hop 2 branches a (flows 0, 2)
 * and b (flows 1, 3), hop 3 merges them again (via rows), hop 4 the target.
 * Flows 1 and 3 lose end to end.
 */
static struct results *ecmp2(void)
{
	static const char *const a2[] = {"10.0.2.2", "10.0.3.2"};
	struct results *r = xcalloc(1, sizeof(*r));

	r->config.first_ttl = 1;
	r->config.nflows = 4;
	r->config.vary = VARY_SPORT;
	r->nhops = 4;
	r->hops = xcalloc(4, sizeof(*r->hops));
	for (int t = 0; t < 4; t++) {
		struct hop_result *h = &r->hops[t];

		h->ttl = t + 1;
		h->nbranches = t == 1 ? 2 : 1;
		h->branches = xcalloc((size_t)h->nbranches, sizeof(*h->branches));
		for (int b = 0; b < h->nbranches; b++) {
			struct branch_result *br = &h->branches[b];

			br->addr = ip(t == 0 ? "10.0.1.2" : t == 1 ? a2[b] : t == 2 ? "10.0.4.2" : "10.0.6.2");
			br->flows = xcalloc(4, sizeof(int));
			for (int f = 0; f < 4; f++) {
				if (t != 1 || f % 2 == b)
					br->flows[br->nflows++] = f;
			}
			if (t >= 2) {
				br->via_ttl = 2;
				br->nvia = 2;
				br->via = xcalloc(2, sizeof(*br->via));
				for (int v = 0; v < 2; v++)
					br->via[v] = (struct via_result){.branch = v, .received = 10,
									 .lost = v ? 5 : 0, .nflows = 2};
			}
		}
	}
	r->nflows = 4;
	r->flows = xcalloc(4, sizeof(*r->flows));
	for (int f = 0; f < 4; f++) {
		struct flow_result *fl = &r->flows[f];

		fl->id = f;
		fl->sport = (uint16_t)(33434 + f);
		fl->path_len = 4;
		fl->path = xcalloc(4, sizeof(*fl->path));
		fl->path[0] = r->hops[0].branches[0].addr;
		fl->path[1] = r->hops[1].branches[f % 2].addr;
		fl->path[2] = r->hops[2].branches[0].addr;
		fl->path[3] = r->hops[3].branches[0].addr;
		fl->dest_ttl = 4;
		fl->received = 20;
		fl->lost = f % 2 ? (uint64_t)(4 + f) : 0;
	}
	return r;
}

static int row_of(const struct tui *t, const struct tui_key *k)
{
	for (int i = 0; i < t->nrows; i++) {
		if (tui_key_equal(&t->rows[i].key, k))
			return i;
	}
	return -1;
}

static void test_rows(void)
{
	struct tui t;
	struct tui_key b_branch = {.kind = TUI_KEY_BRANCH, .ttl = 2, .addr = ip("10.0.3.2")};
	struct tui_key flow3 = {.kind = TUI_KEY_FLOW, .flow = 3};
	int i, via_rows = 0;

	memset(&t, 0, sizeof(t));
	t.snap = ecmp2();

	/* Branch tree: 1 | 2 header, a, b | 3, via a, via b | 4, via a, via b */
	ok(tui_rows_build(&t), "tree rows build");
	ok(t.nrows == 10, "tree: 10 rows (%d)", t.nrows);
	ok(t.nrows == 10 && t.rows[1].key.kind == TUI_KEY_HOP && t.rows[2].sub && t.rows[3].last_sub,
	   "a split hop is a header row with its branches under it");
	for (i = 0; i < t.nrows; i++)
		via_rows += t.rows[i].via >= 0;
	ok(via_rows == 4, "merged hops list the flows by earlier branch (%d via rows)", via_rows);
	i = row_of(&t, &(struct tui_key){.kind = TUI_KEY_VIA, .ttl = 3, .addr = ip("10.0.4.2"),
					 .via = ip("10.0.3.2")});
	ok(i == 6 && t.rows[i].last_via, "a via row is keyed by its branch and the earlier one");
	ok(tui_rows_select(&t) == 0, "no selection yet: the first row");

	/* Select branch b, then the rows move (e.g. a new hop above): it stays selected. */
	t.sel = b_branch;
	ok(tui_rows_select(&t) == 3, "the selection is found by key");

	/* Flows view: branch b's selection maps to one of its flows. */
	t.view = TUI_VIEW_FLOWS;
	tui_rows_build(&t);
	i = tui_rows_select(&t);
	ok(i >= 0 && t.sel.kind == TUI_KEY_FLOW && t.sel.flow == 1,
	   "tree -> flows: a branch selects its first flow (flow %d)", t.sel.flow);

	t.sel = flow3;
	t.sort = TUI_SORT_LOSS;
	tui_rows_build(&t);
	ok(t.nrows == 4 && t.snap->flows[t.rows[0].flow].id == 3 && t.snap->flows[t.rows[1].flow].id == 1,
	   "sorted by loss, worst first");
	ok(tui_rows_select(&t) == 0 && t.sel.flow == 3, "the selected flow follows the sort");
	t.sort = TUI_SORT_FLOW;
	tui_rows_build(&t);
	ok(tui_rows_select(&t) == 3 && t.sel.flow == 3, "and back in port order it is still selected");
	t.sort = TUI_SORT_PATH;
	tui_rows_build(&t);
	ok(t.snap->flows[t.rows[0].flow].id == 0 && t.snap->flows[t.rows[1].flow].id == 2,
	   "sorted by path, flows sharing a branch sit together");

	/* Back to the tree: the flow selects its branch at the split. */
	t.sel = flow3;
	t.view = TUI_VIEW_TREE;
	tui_rows_build(&t);
	tui_rows_select(&t);
	ok(tui_key_equal(&t.sel, &b_branch), "flows -> tree: a flow selects its branch where paths part");

	/* Merged hops: the branch maps to its hop. */
	t.view = TUI_VIEW_HOPS;
	tui_rows_build(&t);
	ok(t.nrows == 4, "merged view: one row per hop");
	i = tui_rows_select(&t);
	ok(i == 1 && t.sel.kind == TUI_KEY_HOP && t.sel.ttl == 2, "tree -> hops: a branch selects its hop");

	/* A selection that vanishes keeps its place. */
	t.sel = (struct tui_key){.kind = TUI_KEY_FLOW, .flow = 99};
	t.sel_index = 2;
	t.view = TUI_VIEW_FLOWS;
	tui_rows_build(&t);
	ok(tui_rows_select(&t) == 2, "a vanished selection keeps its row number");
	t.sel_index = 50;
	t.sel = (struct tui_key){.kind = TUI_KEY_FLOW, .flow = 99};
	ok(tui_rows_select(&t) == 3, "clamped to the last row");

	ok(tui_findings(&t) == NULL, "no findings in this snapshot");
	results_free(t.snap);
	t.snap = NULL;
	ok(tui_rows_build(&t) && t.nrows == 0 && tui_rows_select(&t) == -1, "no snapshot, no rows");
	free(t.rows);
}

/* -e: label rows under the branch whose router quoted them; the selection keeps to them. */
static void test_label_rows(void)
{
	struct tui t;
	struct branch_result *b;
	struct tui_key lab1 = {.kind = TUI_KEY_LABEL, .ttl = 2, .addr = ip("10.0.3.2"), .flow = 1};
	int i;

	memset(&t, 0, sizeof(t));
	t.snap = ecmp2();
	b = &t.snap->hops[1].branches[1];
	b->mpls = (struct mpls_stack){2, {24001u << 12 | 1, 16u << 12 | 1u << 8 | 1}};
	t.snap->hops[0].branches[0].mpls = (struct mpls_stack){1, {30000u << 12 | 1u << 8 | 1}};
	tui_rows_build(&t);
	ok(t.nrows == 10, "without -e: no label rows (%d rows)", t.nrows);
	t.opt.mpls = true;
	tui_rows_build(&t);
	ok(t.nrows == 13, "with -e: 3 label rows more (%d rows)", t.nrows);
	ok(t.nrows == 13 && t.rows[1].label == 1 && t.rows[1].branch == 0 && t.rows[1].hop == 0,
	   "hop 1's label row right under it");
	i = row_of(&t, &lab1);
	ok(i == 6 && t.rows[i].label == 2 && t.rows[i].sub && t.rows[i].last_sub && t.rows[i].via < 0 &&
	   t.rows[5].label == 1 && t.rows[4].key.kind == TUI_KEY_BRANCH,
	   "branch b's two labels under it, before hop 3 (row %d)", i);
	t.sel = lab1;
	ok(tui_rows_select(&t) == 6, "a label row can be selected and is found again");
	t.opt.mpls = false;
	tui_rows_build(&t);
	ok(tui_rows_select(&t) == 3 && t.sel.kind == TUI_KEY_BRANCH,
	   "labels hidden: the selection falls back to their branch");
	results_free(t.snap);
	free(t.rows);
}

int main(void)
{
	test_hist();
	test_rows();
	test_label_rows();
	return tap_done();
}
