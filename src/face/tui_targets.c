/*
 * The live view over several targets (see tui.h, tui_add_target): the list
 * of targets above the table, worst first, and switching the target shown.
 * The shown target's snapshot, standing findings and RTT histories live in
 * the view (struct tui) as with one target, so everything else draws as it
 * always did; switching swaps them with the target's own.  The others are
 * refreshed every TARGET_REFRESH_US, or less often when there are many, so
 * a thousand targets cost at most about TARGET_REFRESH_MAX diagnoses a
 * second, whatever the tick.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "face/tui.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

/* The targets not shown are looked at this often at least... */
#define TARGET_REFRESH_US 1000000
/* ...and at most this many of them a second. */
#define TARGET_REFRESH_MAX 100
/* The shown target's tick, whichever face ticks (a done engine's face ticks no more). */
#define VIEW_TICK_US 200000
/* Targets listed above the table at most (the shown one is always among them). */
#define LIST_MAX 5

struct tui_target *tui_add_target(struct tui *t, const char *name, const struct ip_addr *addr,
				  struct engine *e)
{
	struct tui_target *g;

	if (t->ntargets == t->targets_cap) {
		int cap = t->targets_cap ? t->targets_cap * 2 : 8;
		struct tui_target **v = realloc(t->targets, (size_t)cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		t->targets = v;
		t->targets_cap = cap;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	*g = (struct tui_target){.t = t, .index = t->ntargets, .name = name, .addr = *addr, .e = e,
				 .loss = -1};
	standing_init(&g->standing);
	tui_hist_init(&g->hist);
	t->targets[t->ntargets++] = g;
	return g;
}

void tui_targets_free(struct tui *t)
{
	for (int i = 0; i < t->ntargets; i++) {
		struct tui_target *g = t->targets[i];

		results_free(g->snap);
		standing_free(&g->standing);
		tui_hist_free(&g->hist);
		free(g);
	}
	free(t->targets);
	t->targets = NULL;
	t->ntargets = t->targets_cap = t->active = 0;
}

/* The figures the list shows, from a snapshot whose findings are the standing ones. */
static void summarize(struct tui_target *g, const struct results *r)
{
	uint64_t received = 0, lost = 0;

	g->findings = r->findings ? r->findings->count : 0;
	for (int i = 0; i < r->nflows; i++) {
		received += r->flows[i].received;
		lost += r->flows[i].lost;
	}
	g->loss = received + lost ? (double)lost / (double)(received + lost) : -1;
}

/* A target not shown: its own snapshot, now and then. */
static void refresh_target(struct tui_target *g, uint64_t now_us)
{
	struct tui *t = g->t;
	uint64_t every = (uint64_t)t->ntargets * 1000000u / TARGET_REFRESH_MAX;
	struct results *r;

	if (every < TARGET_REFRESH_US)
		every = TARGET_REFRESH_US;
	if (g->snap != NULL && now_us - g->last_snap_us < every)
		return;
	r = results_with_findings(engine_results(g->e, now_us));
	if (r == NULL)
		return;
	standing_apply(&g->standing, r, now_us);
	results_free(g->snap);
	g->snap = r;
	g->last_snap_us = now_us;
	summarize(g, r);
	t->dirty = true;
}

enum run_verdict tui_target_tick(void *ctx, struct engine *e, uint64_t now_us)
{
	struct tui_target *g = ctx;
	struct tui *t = g->t;
	struct tui_target *shown;
	enum run_verdict v;

	(void)e;
	if (!t->open)
		return RUN_CONTINUE;
	shown = t->targets[t->active];
	if (g != shown)
		refresh_target(g, now_us);
	if (g != shown && now_us - t->last_view_tick_us < VIEW_TICK_US)
		return RUN_CONTINUE;
	t->last_view_tick_us = now_us;
	v = tui_tick(t, shown->e, now_us);
	/* A key in that tick may have switched: the shown one is summarized from the view. */
	if (t->snap != NULL)
		summarize(t->targets[t->active], t->snap);
	return v;
}

enum run_verdict tui_target_input(void *ctx, struct engine *e, uint64_t now_us)
{
	struct tui_target *g = ctx;

	(void)e;
	return tui_input(g->t, g->t->targets[g->t->active]->e, now_us);
}

/* Worst first: more standing findings, then more end-to-end loss, then the order given. */
static int worse_first(const void *a, const void *b)
{
	const struct tui_target *x = *(struct tui_target *const *)a;
	const struct tui_target *y = *(struct tui_target *const *)b;

	if (x->findings != y->findings)
		return x->findings > y->findings ? -1 : 1;
	if (x->loss != y->loss)
		return x->loss > y->loss ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* The targets in the list's order (a new array; NULL when out of memory). */
static struct tui_target **ranked(const struct tui *t)
{
	struct tui_target **v = malloc((size_t)t->ntargets * sizeof(*v));

	if (v == NULL)
		return NULL;
	memcpy(v, t->targets, (size_t)t->ntargets * sizeof(*v));
	qsort(v, (size_t)t->ntargets, sizeof(*v), worse_first);
	return v;
}

/* Swaps the view's per-target state with g's own (twice: back to how it was). */
static void swap_state(struct tui *t, struct tui_target *g)
{
	struct results *snap = t->snap;
	struct standing standing = t->standing;
	struct tui_hist hist = t->hist;

	t->snap = g->snap;
	t->standing = g->standing;
	t->hist = g->hist;
	g->snap = snap;
	g->standing = standing;
	g->hist = hist;
}

void tui_targets_switch(struct tui *t, int delta)
{
	struct tui_target **v = ranked(t), *from = t->targets[t->active], *to;
	int at = 0;

	if (v == NULL)
		return;
	while (at < t->ntargets && v[at] != from)
		at++;
	to = v[((at + delta) % t->ntargets + t->ntargets) % t->ntargets];
	free(v);
	swap_state(t, from);	/* the view's state back to the one shown so far */
	swap_state(t, to);	/* and the next one's into the view */
	from->last_snap_us = t->last_snap_us;
	t->last_snap_us = to->last_snap_us;
	t->active = to->index;
	t->opt.target_name = to->name;
	t->opt.target = to->addr;
	t->sel = (struct tui_key){0};
	t->sel_index = 0;
	t->top = 0;
	t->detail = false;
	t->full_redraw = true;
}

int tui_targets_height(const struct tui *t)
{
	if (t->ntargets < 2)
		return 0;
	return 1 + (t->ntargets < LIST_MAX ? t->ntargets : LIST_MAX);
}

/* One line of the list: the target, its protocol and port, findings and loss. */
static void draw_target(struct tui *t, const struct tui_target *g, int y, bool shown)
{
	const struct results *r = shown ? t->snap : g->snap;
	char addr[ADDR_STRLEN], loss[32] = "loss -";
	enum colour c = g->findings > 0 ? C_BAD : g->loss > 0 ? C_WARN : C_GOOD;
	int x = 0;

	addr_format(&g->addr, addr, sizeof(addr));
	if (g->loss >= 0)
		snprintf(loss, sizeof(loss), "loss %.1f%%", g->loss * 100.0);
	x += tui_put(y, x, COLS, shown ? A_REVERSE | A_BOLD : 0, shown ? ">" : " ");
	x += tui_putf(y, x + 1, 40, shown ? A_BOLD : 0, "%s%s%s%s", g->name,
		      strcmp(g->name, addr) ? " (" : "", strcmp(g->name, addr) ? addr : "",
		      strcmp(g->name, addr) ? ")" : "") + 1;
	x = x < 42 ? 42 : x + 1;
	if (r != NULL && r->config.proto != PROBE_ICMP)
		x += tui_putf(y, x, COLS - x, 0, "%-4s %-5u ", vocab_proto(r->config.proto),
			      (unsigned)r->config.dport);
	else if (r != NULL)
		x += tui_putf(y, x, COLS - x, 0, "%-10s ", vocab_proto(r->config.proto));
	else
		x += 11;
	x += tui_putf(y, x, COLS - x, tui_colour(t, c), "%d finding%s", g->findings,
		      g->findings == 1 ? "" : "s");
	tui_putf(y, x, COLS - x, tui_colour(t, c), "  %s", loss);
}

void tui_draw_targets(struct tui *t, int y)
{
	struct tui_target **v = ranked(t), *shown = t->targets[t->active];
	int lines = tui_targets_height(t) - 1, drawn = 0;
	bool shown_drawn = false;

	tui_putf(y, 0, COLS, tui_colour(t, C_TITLE), "targets: %d, worst first (Tab: next)",
		 t->ntargets);
	if (v == NULL)
		return;
	for (int i = 0; i < t->ntargets && drawn < lines; i++) {
		/* The last line is kept for the target shown when it ranks lower. */
		if (drawn == lines - 1 && !shown_drawn && v[i] != shown)
			continue;
		shown_drawn = shown_drawn || v[i] == shown;
		draw_target(t, v[i], y + 1 + drawn++, v[i] == shown);
	}
	free(v);
}
