/*
 * The live view's key help: the overlay listing every key, the status line
 * with the short hints, and the message shown on a screen too small.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

/* Keys that apply: those of several targets only when there are several. */
static bool key_applies(const struct tui *t, size_t i)
{
	return !tui_keyhelp[i].many || t->ntargets > 1;
}

static int keys_that_apply(const struct tui *t)
{
	int n = 0;

	for (size_t i = 0; i < tui_nkeyhelp; i++)
		n += key_applies(t, i);
	return n;
}

void tui_draw_help(struct tui *t)
{
	int w = COLS - 2 < 66 ? COLS - 2 : 66;
	int nkeys = keys_that_apply(t), h = nkeys + 4, line = 0;
	int y0, x0;

	if (h > LINES - 1)
		h = LINES - 1;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (int y = y0; y < y0 + h; y++) {
		mvhline(y, x0, ' ', w);
		tui_put(y, x0, 1, tui_colour(t, C_DIM), t->g->vline);
		tui_put(y, x0 + w - 1, 1, tui_colour(t, C_DIM), t->g->vline);
	}
	tui_rule(t, y0, x0, w);
	tui_rule(t, y0 + h - 1, x0, w);
	tui_put(y0, x0 + 2, w - 4, tui_colour(t, C_TITLE), " Keys (any key closes this help) ");
	for (size_t i = 0; i < tui_nkeyhelp && y0 + 1 + line < y0 + h - 1; i++) {
		if (!key_applies(t, i))
			continue;
		tui_putf(y0 + 1 + line, x0 + 2, 11, A_BOLD, "%s", tui_keyhelp[i].keys);
		tui_put(y0 + 1 + line, x0 + 13, w - 14, 0, tui_keyhelp[i].what);
		line++;
	}
	if (h == nkeys + 4)
		tui_put(y0 + h - 2, x0 + 2, w - 3, tui_colour(t, C_DIM),
		    "Loss: green none, yellow < 5%, red >= 5%, bold red >= 20%");
}

void tui_draw_status(struct tui *t)
{
	int x = 0, y = LINES - 1;

	if (t->paused)
		x += tui_put(y, x, COLS, A_REVERSE | A_BOLD, "PAUSED: p resumes") + 1;
	for (size_t i = 0; i < tui_nkeyhelp && x < COLS; i++) {
		if (!tui_keyhelp[i].hint || !key_applies(t, i))
			continue;
		x += tui_put(y, x, COLS - x, A_BOLD, tui_keyhelp[i].keys);
		x += tui_put(y, x, COLS - x, tui_colour(t, C_DIM), " ");
		x += tui_put(y, x, COLS - x, 0, tui_keyhelp[i].hint);
		x += tui_put(y, x, COLS - x, 0, "  ");
	}
}

void tui_draw_too_small(void)
{
	int y = LINES / 2 - 1;

	tui_put(y, 0, COLS, A_BOLD, "terminal too small");
	tui_putf(y + 1, 0, COLS, 0, "%dx%d, need %dx%d", COLS, LINES, MIN_COLS, MIN_LINES);
	tui_put(y + 2, 0, COLS, 0, "q quits");
}

