/*
 * The live view (see tui.h): takes the terminal, turns each tick's engine
 * snapshot into a screen (tui_draw.c), and maps keys to actions.  The view
 * only reads snapshots; pause and reset go through the engine's public
 * calls.  Redraws are bounded: at most one per tick, plus at most one per
 * MIN_KEY_REDRAW_US after keys, so probing keeps its pace.
 */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "face/tui.h"
#include "face/tui_int.h"
#include "face/vocab.h"

/* Snapshots closer together than this reuse the previous one. */
#define MIN_SNAPSHOT_US 50000
/* Keys redraw at once unless the last redraw is more recent than this. */
#define MIN_KEY_REDRAW_US 30000
/* Keys handled per call at most, so a flood of input cannot stall probing. */
#define MAX_KEYS_PER_CALL 256

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESCAPE 27

static const struct tui_glyphs glyphs_utf8 = {
	.tee = "\u251c\u2500",		/* ├─ */
	.corner = "\u2514\u2500",	/* └─ */
	.spark = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"},
	.lost = "x",
	.hline = "\u2500",
	.vline = "\u2502",
	.more = "\u2026",		/* … */
};

const struct tui_glyphs tui_glyphs_ascii = {
	.tee = "|-",
	.corner = "`-",
	.spark = {"_", ".", ",", "-", "~", "=", "*", "#"},
	.lost = "x",
	.hline = "-",
	.vline = "|",
	.more = "+",
};

const struct tui_keyhelp tui_keyhelp[] = {
	{"q", "quit", "quit (the terminal is restored)", false},
	{"p/space", "pause", "pause / resume probing (paused time is not loss)", false},
	{"r", "reset", "reset statistics (the known path stays)", false},
	{"n", "dns", "toggle DNS names / numeric addresses", false},
	{"d", "view", "next view: branch tree, flows, merged hops (mtr)", false},
	{"s", "sort", "flows view: sort by port, loss, RTT, path", false},
	{"j/k", "select", "select a row (also arrows, PgUp/PgDn, g/G)", false},
	{"Enter", "detail", "open / close the detail pane of the selection", false},
	{"Esc", NULL, "close the detail pane", false},
	{"?/h", "help", "show this help", false},
	{"Ctrl-L", NULL, "redraw the screen", false},
	{"Tab", "target", "show the next target in the list (Shift-Tab: the previous)", true},
};
const size_t tui_nkeyhelp = sizeof(tui_keyhelp) / sizeof(tui_keyhelp[0]);

enum action {
	ACT_NONE = 0,
	ACT_QUIT,
	ACT_PAUSE,
	ACT_RESET,
	ACT_DNS,
	ACT_VIEW,
	ACT_SORT,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_FIRST,
	ACT_LAST,
	ACT_DETAIL,
	ACT_CLOSE,
	ACT_HELP,
	ACT_REDRAW,
	ACT_NEXT_TARGET,
	ACT_PREV_TARGET,
};

/* Keys to actions, as mtr's curses.c does; tui_keyhelp above documents them. */
static const struct {
	int key;
	enum action act;
} keymap[] = {
	{'q', ACT_QUIT}, {'Q', ACT_QUIT},
	{'p', ACT_PAUSE}, {' ', ACT_PAUSE},
	{'r', ACT_RESET},
	{'n', ACT_DNS},
	{'d', ACT_VIEW},
	{'s', ACT_SORT},
	{'k', ACT_UP}, {KEY_UP, ACT_UP},
	{'j', ACT_DOWN}, {KEY_DOWN, ACT_DOWN},
	{KEY_PPAGE, ACT_PAGE_UP}, {KEY_NPAGE, ACT_PAGE_DOWN},
	{'g', ACT_FIRST}, {KEY_HOME, ACT_FIRST},
	{'G', ACT_LAST}, {KEY_END, ACT_LAST},
	{'\n', ACT_DETAIL}, {'\r', ACT_DETAIL}, {KEY_ENTER, ACT_DETAIL},
	{KEY_ESCAPE, ACT_CLOSE},
	{'?', ACT_HELP}, {'h', ACT_HELP}, {KEY_F(1), ACT_HELP},
	{CTRL('l'), ACT_REDRAW},
	{'\t', ACT_NEXT_TARGET}, {KEY_BTAB, ACT_PREV_TARGET},
};

/*
 * There is one terminal, so there is one live view: its state is static,
 * which lets tui_close be called twice (the contract says it may) and the
 * atexit handler find it without anything being freed twice.
 */
static struct tui the_tui;
static bool atexit_registered;

static void restore_at_exit(void)
{
	tui_close(&the_tui);
}

static void free_state(struct tui *t)
{
	results_free(t->snap);
	t->snap = NULL;
	standing_free(&t->standing);
	tui_hist_free(&t->hist);
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->rows_cap = 0;
	tui_targets_free(t);
}

struct tui *tui_open(const struct tui_options *o, char *err, size_t errlen)
{
	struct tui *t = &the_tui;
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	SCREEN *s;

	if (t->open) {
		snprintf(err, errlen, "the live view is already open");
		return NULL;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the live view needs a terminal on stdin and stdout");
		return NULL;
	}
	if (!term || !*term) {
		snprintf(err, errlen, "TERM is not set; cannot start the live view");
		return NULL;
	}
	/* ncursesw draws UTF-8 only if the locale says so. */
	setlocale(LC_CTYPE, "");
	s = newterm(NULL, stdout, stdin);
	if (!s) {
		snprintf(err, errlen, "cannot use terminal type '%s'", term);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->screen = (struct screen *)s;
	t->opt = *o;
	t->numeric = o->numeric;
	t->g = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? &glyphs_utf8 : &tui_glyphs_ascii;
	tui_hist_init(&t->hist);
	t->dirty = true;

	set_term(s);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* https://no-color.org: present and not empty means no colour. */
	if (has_colors() && !(no_color && *no_color)) {
		start_color();
		use_default_colors();
		tui_draw_colours();
		t->color = true;
	}
	t->open = true;
	if (!atexit_registered && atexit(restore_at_exit) == 0)
		atexit_registered = true;
	tui_draw(t);
	return t;
}

void tui_close(struct tui *t)
{
	if (!t || !t->open)
		return;
	t->open = false;
	curs_set(1);
	endwin();
	delscreen((SCREEN *)t->screen);
	t->screen = NULL;
	free_state(t);
	fflush(stdout);
}

void tui_take_snapshot(struct tui *t, struct engine *e, uint64_t now_us)
{
	struct results *r = results_with_findings(engine_results(e, now_us));

	if (!r)
		return;	/* out of memory: keep showing the previous one */
	/* A finding shows once it has held, not on one snapshot's chance figures. */
	standing_apply(&t->standing, r, now_us);
	results_free(t->snap);
	t->snap = r;
	t->last_snap_us = now_us;
	for (int h = 0; h < r->nhops; h++) {
		const struct hop_result *hop = &r->hops[h];
		struct tui_key k = {.kind = TUI_KEY_HOP, .ttl = hop->ttl};

		tui_hist_update(&t->hist, &k, hop->received, hop->lost, &hop->rtt);
		for (int b = 0; b < hop->nbranches; b++) {
			const struct branch_result *br = &hop->branches[b];

			k = (struct tui_key){.kind = TUI_KEY_BRANCH, .ttl = hop->ttl};
			if (addr_is_set(&br->addr))
				k.addr = br->addr;
			tui_hist_update(&t->hist, &k, br->received, br->lost, &br->rtt);
			for (int v = 0; v < br->nvia; v++) {
				struct tui_key vk = {.kind = TUI_KEY_VIA, .ttl = hop->ttl, .addr = br->addr,
						     .via = vocab_via_addr(r, br, v)};

				tui_hist_update(&t->hist, &vk, br->via[v].received, br->via[v].lost,
						&br->via[v].rtt);
			}
		}
	}
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		struct tui_key k = {.kind = TUI_KEY_FLOW, .flow = f->id};

		tui_hist_update(&t->hist, &k, f->received, f->lost, &f->rtt);
	}
	t->dirty = true;
}

/* Moves the selection by delta rows (clamped), on the rows of the current view. */
static void move_selection(struct tui *t, int delta)
{
	int i;

	if (!tui_rows_build(t))
		return;
	i = tui_rows_select(t);
	if (i < 0)
		return;
	i += delta;
	if (i < 0)
		i = 0;
	if (i >= t->nrows)
		i = t->nrows - 1;
	t->sel = t->rows[i].key;
	t->sel_index = i;
}

static enum action lookup(int ch)
{
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++) {
		if (keymap[i].key == ch)
			return keymap[i].act;
	}
	return ACT_NONE;
}

static enum run_verdict act(struct tui *t, struct engine *e, int ch, uint64_t now_us)
{
	enum action a = lookup(ch);
	int page = LINES - 8 > 1 ? LINES - 8 : 1;

	/* Several targets: keys act on the one shown (a key may just have switched it). */
	if (t->ntargets > 1)
		e = t->targets[t->active]->e;

	if (t->help) {
		/* Any key closes the help; q still quits from there. */
		t->help = false;
		t->dirty = true;
		if (a != ACT_QUIT)
			return RUN_CONTINUE;
	}
	switch (a) {
	case ACT_QUIT:
		return RUN_QUIT;
	case ACT_PAUSE:
		engine_pause(e, !engine_paused(e), now_us);
		t->paused = engine_paused(e);
		break;
	case ACT_RESET:
		engine_reset_stats(e);
		tui_hist_clear(&t->hist);
		tui_take_snapshot(t, e, now_us);
		break;
	case ACT_DNS:
		t->numeric = !t->numeric;
		break;
	case ACT_VIEW:
		t->view = (t->view + 1) % TUI_VIEW_COUNT;
		t->top = 0;
		break;
	case ACT_SORT:
		t->sort = (t->sort + 1) % TUI_SORT_COUNT;
		break;
	case ACT_UP:
		move_selection(t, -1);
		break;
	case ACT_DOWN:
		move_selection(t, 1);
		break;
	case ACT_PAGE_UP:
		move_selection(t, -page);
		break;
	case ACT_PAGE_DOWN:
		move_selection(t, page);
		break;
	case ACT_FIRST:
		move_selection(t, -(1 << 30));
		break;
	case ACT_LAST:
		move_selection(t, 1 << 30);
		break;
	case ACT_DETAIL:
		t->detail = !t->detail;
		break;
	case ACT_CLOSE:
		t->detail = false;
		break;
	case ACT_HELP:
		t->help = true;
		break;
	case ACT_REDRAW:
		t->full_redraw = true;
		break;
	case ACT_NEXT_TARGET:
	case ACT_PREV_TARGET:
		if (t->ntargets < 2)
			return RUN_CONTINUE;
		tui_targets_switch(t, a == ACT_NEXT_TARGET ? 1 : -1);
		break;
	case ACT_NONE:
		return RUN_CONTINUE;
	}
	t->dirty = true;
	return RUN_CONTINUE;
}

/*
 * Reads every pending key.  A burst of KEY_RESIZE (a window being dragged)
 * becomes one full redraw.  Sets *got to the number of keys read.
 */
static enum run_verdict drain_keys(struct tui *t, struct engine *e, uint64_t now_us, int *got)
{
	int ch, n = 0;

	while (n < MAX_KEYS_PER_CALL && (ch = getch()) != ERR) {
		n++;
		if (ch == KEY_RESIZE) {
			t->full_redraw = true;
			t->dirty = true;
			continue;
		}
		if (act(t, e, ch, now_us) == RUN_QUIT) {
			*got = n;
			return RUN_QUIT;
		}
	}
	*got = n;
	return RUN_CONTINUE;
}

static void draw(struct tui *t, uint64_t now_us)
{
	tui_draw(t);
	t->dirty = false;
	t->last_draw_us = now_us;
}

enum run_verdict tui_tick(void *ctx, struct engine *e, uint64_t now_us)
{
	struct tui *t = ctx;
	int got;

	if (!t || !t->open)
		return RUN_CONTINUE;
	/* Resizes only surface through getch, so look for them every tick too. */
	if (drain_keys(t, e, now_us, &got) == RUN_QUIT)
		return RUN_QUIT;
	if (!t->snap || now_us - t->last_snap_us >= MIN_SNAPSHOT_US)
		tui_take_snapshot(t, e, now_us);
	t->paused = engine_paused(e);
	if (t->dirty)
		draw(t, now_us);
	return RUN_CONTINUE;
}

enum run_verdict tui_input(void *ctx, struct engine *e, uint64_t now_us)
{
	struct tui *t = ctx;
	int got;

	if (!t || !t->open)
		return RUN_CONTINUE;
	if (drain_keys(t, e, now_us, &got) == RUN_QUIT)
		return RUN_QUIT;
	if (got == 0) {
		/* Readable but no key: the terminal may be gone (hangup); do not spin on it. */
		struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
			return RUN_QUIT;
	}
	if (t->dirty && now_us - t->last_draw_us >= MIN_KEY_REDRAW_US)
		draw(t, now_us);
	return RUN_CONTINUE;
}
