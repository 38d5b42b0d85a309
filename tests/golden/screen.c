/*
 * The live view's screens for the golden-output tests (see screen.h): the
 * real drawing code (src/face/tui_*.c) draws a scenario's snapshot into a
 * curses screen whose terminal is /dev/null, and the screen's text is read
 * back cell by cell, so no terminal, tmux or root is needed.  Colours are
 * off and the glyphs ASCII; only the text is compared.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "face/tui_hist.h"
#include "face/tui_int.h"
#include "screen.h"

#define SCREEN_COLS 100
#define SCREEN_LINES 32

/* The screen as text, trailing blanks cut, under a title line. */
static void dump(FILE *out, const char *title)
{
	char line[SCREEN_COLS + 1];

	fprintf(out, "==== %s ====\n", title);
	for (int y = 0; y < LINES; y++) {
		int n = mvinnstr(y, 0, line, COLS < SCREEN_COLS ? COLS : SCREEN_COLS);

		if (n < 0)
			n = 0;
		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(out, "%s\n", line);
	}
}

/*
 * Feeds the RTT histories from a snapshot, as each tick of the live view
 * does, with its counts divided by part: a run seen earlier.
 */
static void feed(struct tui *t, const struct results *r, uint64_t part)
{
#define PART(rtt) (&(struct rtt_stats){.n = (rtt).n / part, .mean = (rtt).mean, .m2 = (rtt).m2, \
				   .min = (rtt).min, .max = (rtt).max, .last = (rtt).last})
	for (int h = 0; h < r->nhops; h++) {
		const struct hop_result *hop = &r->hops[h];
		struct tui_key k = {.kind = TUI_KEY_HOP, .ttl = hop->ttl};

		tui_hist_update(&t->hist, &k, hop->received / part, hop->lost / part, PART(hop->rtt));
		for (int b = 0; b < hop->nbranches; b++) {
			const struct branch_result *br = &hop->branches[b];

			k = (struct tui_key){.kind = TUI_KEY_BRANCH, .ttl = hop->ttl, .addr = br->addr};
			tui_hist_update(&t->hist, &k, br->received / part, br->lost / part, PART(br->rtt));
		}
	}
	for (int i = 0; i < r->nflows; i++) {
		struct tui_key k = {.kind = TUI_KEY_FLOW, .flow = r->flows[i].id};

		tui_hist_update(&t->hist, &k, r->flows[i].received / part, r->flows[i].lost / part,
				PART(r->flows[i].rtt));
	}
#undef PART
}

/* The row of the table that loses most (the first of them), where a user would look. */
static int worst_row(struct tui *t)
{
	int best = 0;
	double worst = -1.0;

	tui_rows_build(t);
	for (int i = 0; i < t->nrows; i++) {
		const struct tui_row *row = &t->rows[i];
		const struct results *r = t->snap;
		uint64_t rc, ls;

		if (row->flow >= 0) {
			rc = r->flows[row->flow].received, ls = r->flows[row->flow].lost;
		} else if (row->branch >= 0 && row->via < 0) {
			rc = r->hops[row->hop].branches[row->branch].received;
			ls = r->hops[row->hop].branches[row->branch].lost;
		} else {
			continue;
		}
		if (rc + ls > 0 && loss_pct(rc, ls) > worst) {
			worst = loss_pct(rc, ls);
			best = i;
		}
	}
	return best;
}

int screen_write(FILE *out, struct results *(*build)(bool early), const char *target_name,
		 bool mpls, const struct namer *asn)
{
	struct results *final = NULL;
	FILE *in = fopen("/dev/null", "r"), *null = fopen("/dev/null", "w");
	SCREEN *sc = NULL;
	struct tui t = {0};
	char cols[16], lines[16];
	int rc = 77;

	snprintf(cols, sizeof(cols), "%d", SCREEN_COLS);
	snprintf(lines, sizeof(lines), "%d", SCREEN_LINES);
	setenv("COLUMNS", cols, 1);
	setenv("LINES", lines, 1);
	use_env(TRUE);
	if (in == NULL || null == NULL || (sc = newterm("xterm", null, in)) == NULL)
		goto out;
	t.g = &tui_glyphs_ascii;
	t.numeric = true;
	t.opt.target_name = target_name;
	t.opt.mpls = mpls;
	t.opt.asn = asn;
	tui_hist_init(&t.hist);
	final = build(true);
	feed(&t, final, 4);
	feed(&t, final, 2);
	g_free(final);
	final = build(false);
	t.opt.target = final->config.dst;
	feed(&t, final, 1);
	t.snap = final;
	tui_draw(&t);
	dump(out, "branch tree, findings");
	t.view = TUI_VIEW_FLOWS;
	t.sort = TUI_SORT_LOSS;
	tui_draw(&t);
	dump(out, "flows by loss");
	t.view = TUI_VIEW_TREE;
	t.sel_index = worst_row(&t);
	t.sel = t.rows[t.sel_index].key;
	t.detail = true;
	tui_draw(&t);
	dump(out, "detail of the worst branch");
	t.view = TUI_VIEW_HOPS;
	t.detail = false;
	t.help = true;
	tui_draw(&t);
	dump(out, "merged hops, help");
	rc = 0;
	endwin();
out:
	if (sc != NULL)
		delscreen(sc);
	free(t.rows);
	if (final != NULL) {
		tui_hist_free(&t.hist);
		g_free(final);
	}
	if (in != NULL)
		fclose(in);
	if (null != NULL)
		fclose(null);
	return rc;
}
