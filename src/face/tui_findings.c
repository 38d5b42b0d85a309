/*
 * The live view's findings panel: each finding of the diagnosis in its
 * colour, wrapped to a few lines, and how many did not fit.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

/* Lines of one finding's sentence at most, and of the findings panel. */
#define MAX_FINDING_LINES 3
#define MAX_FINDINGS_PANEL 8

/* ---- findings ---- */

/* Where a finding's sentence starts: after its kind, or under it when that leaves too little room. */
static void finding_indent(const struct finding *it, int *x, int *first_y_offset)
{
	*x = 1 + (int)strlen(finding_kind_name(it->kind)) + 2;
	*first_y_offset = 0;
	if (COLS - *x < 30) {
		*x = 3;
		*first_y_offset = 1;
	}
}

/* Lines a finding takes, wrapped, at most MAX_FINDING_LINES. */
static int finding_lines(const struct finding *it)
{
	char sum[sizeof(it->summary)];
	int x, off, y = 0;

	memcpy(sum, it->summary, sizeof(sum));
	sum[sizeof(sum) - 1] = '\0';
	finding_indent(it, &x, &off);
	tui_wrap_text(&y, MAX_FINDING_LINES, x, COLS - x, 0, sum, false);
	y += off;
	return y < 1 ? 1 : y > MAX_FINDING_LINES ? MAX_FINDING_LINES : y;
}

int tui_findings_height(const struct tui *t)
{
	const struct findings *f = tui_findings(t);
	int n = 0;

	if (!f || f->count == 0)
		return 2;
	for (int i = 0; i < f->count && n < MAX_FINDINGS_PANEL; i++)
		n += finding_lines(&f->items[i]);
	return 1 + (n > MAX_FINDINGS_PANEL ? MAX_FINDINGS_PANEL : n);
}

void tui_draw_findings(struct tui *t, int y, int ymax)
{
	const struct findings *f = tui_findings(t);

	tui_rule(t, y, 0, COLS);
	tui_putf(y, 2, COLS - 2, tui_colour(t, C_TITLE), " Findings (%d) ", f ? f->count : 0);
	y++;
	if (!t->snap)
		return;
	if (!f) {
		tui_put(y, 1, COLS - 1, tui_colour(t, C_DIM), "diagnosis not available");
		return;
	}
	if (f->count == 0) {
		tui_put(y, 1, COLS - 1, tui_colour(t, C_GOOD), "no problem found so far");
		return;
	}
	for (int i = 0; i < f->count && y < ymax; i++) {
		const struct finding *it = &f->items[i];
		enum colour c = it->kind == FINDING_LOSSY_BRANCH || it->kind == FINDING_RETURN_PATH_LOSS ?
				C_BAD : C_WARN;
		char sum[sizeof(it->summary)];
		int x, off, lines = finding_lines(it);

		/* Leave the last line to say how many did not fit. */
		if (i < f->count - 1 && y + lines >= ymax) {
			tui_putf(y, 1, COLS - 1, tui_colour(t, C_DIM), "... %d more finding%s",
			     f->count - i, f->count - i == 1 ? "" : "s");
			break;
		}
		memcpy(sum, it->summary, sizeof(sum));
		sum[sizeof(sum) - 1] = '\0';
		tui_sanitize(sum);
		finding_indent(it, &x, &off);
		tui_putf(y, 1, COLS - 1, tui_colour(t, c), "%s:", finding_kind_name(it->kind));
		y += off;
		tui_wrap_text(&y, y + lines - off < ymax ? y + lines - off : ymax, x, COLS - x, 0, sum, true);
	}
}

