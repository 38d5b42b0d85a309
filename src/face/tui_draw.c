/*
 * Drawing the live view: the whole screen from the view's state, the
 * table above, and under it the findings panel or the detail pane, the
 * status line and the help overlay.  The parts are drawn by tui_table.c,
 * tui_detail.c, tui_chart.c, tui_findings.c and tui_help.c with the text
 * helpers of tui_text.c (tui_draw.h).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

void tui_draw(struct tui *t)
{
	struct layout L;
	int sel, table_y = 3, avail, table_h, panel_h, want;

	if (t->full_redraw)
		clearok(curscr, TRUE);
	t->full_redraw = false;
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		tui_draw_too_small();
		goto out;
	}
	tui_draw_header(t);
	/* Several targets: their list between the header and the table. */
	if (t->ntargets > 1) {
		tui_draw_targets(t, 2);
		table_y += tui_targets_height(t);
	}
	if (!tui_rows_build(t)) {
		tui_put(table_y, 0, COLS, tui_colour(t, C_BAD), "out of memory");
		goto out;
	}
	sel = tui_rows_select(t);
	tui_plan_columns(t, &L);
	tui_draw_col_titles(t, &L, table_y - 1);

	/* The table takes what it needs, the panel under it gets the rest (within limits). */
	avail = LINES - table_y - 1;
	want = t->detail && sel >= 0 ? tui_detail_height(t, &t->rows[sel]) : tui_findings_height(t);
	want += 1;	/* the panel's title rule */
	table_h = t->nrows > 0 ? t->nrows : 1;
	if (table_h + want > avail) {
		int min_table = avail / 2 < table_h ? avail / 2 : table_h;

		panel_h = avail - table_h;
		if (panel_h < want)
			panel_h = avail - min_table < want ? avail - min_table : want;
		table_h = avail - panel_h;
	} else {
		panel_h = want;
	}

	/* Keep the selection on screen. */
	if (sel >= 0) {
		if (sel < t->top)
			t->top = sel;
		if (sel >= t->top + table_h)
			t->top = sel - table_h + 1;
	}
	if (t->top > t->nrows - table_h)
		t->top = t->nrows - table_h;
	if (t->top < 0)
		t->top = 0;
	for (int i = 0; i < table_h && t->top + i < t->nrows; i++)
		tui_draw_row(t, &L, &t->rows[t->top + i], table_y + i, t->top + i == sel);
	if (!t->nrows && t->snap)
		tui_put(table_y, 2, COLS - 2, tui_colour(t, C_DIM), "no replies yet");

	if (panel_h > 1) {
		int py = table_y + table_h;

		if (t->detail && sel >= 0)
			tui_draw_detail(t, &t->rows[sel], py, py + panel_h);
		else
			tui_draw_findings(t, py, py + panel_h);
	}
	tui_draw_status(t);
	if (t->help)
		tui_draw_help(t);
out:
	wnoutrefresh(stdscr);
	doupdate();
}

