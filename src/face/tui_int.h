/*
 * The live view's private state, shared by tui.c (life cycle, keys, ticks),
 * tui_rows.c (what the table shows) and tui_draw.c (how it is drawn).  Not
 * a contract: only src/face includes it.
 */
#ifndef ECMPTRACE_FACE_TUI_INT_H
#define ECMPTRACE_FACE_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "engine/standing.h"
#include "face/tui.h"
#include "face/tui_hist.h"

struct results;
struct findings;

enum tui_view {
	TUI_VIEW_TREE = 0,	/* hops with their branches as a tree (default) */
	TUI_VIEW_FLOWS,		/* one row per flow */
	TUI_VIEW_HOPS,		/* merged hops, as mtr shows them */
	TUI_VIEW_COUNT
};

enum tui_sort {
	TUI_SORT_FLOW = 0,	/* flow id, i.e. source port order */
	TUI_SORT_LOSS,		/* end-to-end loss, worst first */
	TUI_SORT_RTT,		/* average RTT, slowest first */
	TUI_SORT_PATH,		/* by path, so flows sharing a branch sit together */
	TUI_SORT_COUNT
};

/* One line of the table. */
struct tui_row {
	struct tui_key key;	/* what it stands for; the selection holds one */
	int hop;		/* index into results->hops, or -1 */
	int branch;		/* index into that hop's branches, or -1 */
	int flow;		/* index into results->flows, or -1 */
	int via;		/* index into that branch's via[] (flows by earlier branch), or -1 */
	int label;		/* -e: 1 + index into that branch's MPLS stack (a label row); 0: none */
	bool sub;		/* a branch drawn under its hop's header row */
	bool last_sub;		/* the last branch under that header (tree corner glyph) */
	bool last_via;		/* the last via row under its branch */
};

/* Line-drawing glyphs: UTF-8 box drawing, or ASCII on other terminals. */
struct tui_glyphs {
	const char *tee, *corner;	/* branch connectors */
	const char *spark[8];		/* chart levels, lowest first */
	const char *lost;		/* a chart bucket where every probe was lost */
	const char *hline;		/* separator rule */
	const char *vline;		/* help box sides */
	const char *more;		/* the last column of cut text */
};

/* The ASCII glyphs (terminals without UTF-8; the golden screens use them too). */
extern const struct tui_glyphs tui_glyphs_ascii;

struct screen;
struct engine;

/*
 * One target of a view over several (tui_targets.c).  The one shown keeps
 * its snapshot, standing findings and histories in the view itself (struct
 * tui); the others keep theirs here, refreshed now and then for the list.
 */
struct tui_target {
	struct tui *t;
	int index;			/* in the order given */
	const char *name;		/* as given */
	struct ip_addr addr;
	struct engine *e;
	struct results *snap;		/* while not shown: its latest snapshot */
	struct standing standing;	/* while not shown: its findings that held */
	struct tui_hist hist;		/* while not shown: its RTT histories */
	int findings;			/* standing findings at the latest snapshot */
	double loss;			/* end-to-end loss then, 0..1; -1: nothing sent yet */
	uint64_t last_snap_us;
};

struct tui {
	bool open;			/* curses owns the terminal */
	struct screen *screen;		/* the curses SCREEN (newterm) */
	struct tui_options opt;
	bool numeric;			/* DNS off */
	bool color;			/* colours in use (terminal has them, NO_COLOR unset) */
	const struct tui_glyphs *g;

	struct results *snap;		/* the latest snapshot, drawn between ticks */
	struct standing standing;	/* which of its findings have held (standing.h) */
	bool paused;			/* as the engine said at the last tick or key */
	struct tui_hist hist;

	enum tui_view view;
	enum tui_sort sort;
	bool help;			/* help overlay shown */
	bool detail;			/* detail pane shown for the selection */
	struct tui_key sel;		/* the selected row's identity */
	int sel_index;			/* where it was, for when it disappears */
	int top;			/* first table row on screen */

	struct tui_row *rows;		/* rows of the current view (rebuilt before each draw) */
	int nrows, rows_cap;

	uint64_t last_snap_us;		/* when snap was taken */
	uint64_t last_draw_us;
	bool dirty;			/* something changed since the last draw */
	bool full_redraw;		/* repaint every cell (Ctrl-L, resize) */

	/* Several targets (tui_targets.c); none or one: the view of one target, as ever. */
	struct tui_target **targets;
	int ntargets, targets_cap;
	int active;			/* the target shown */
	uint64_t last_view_tick_us;	/* the shown target's tick, by whichever face ticked */
};

/* Replaces the snapshot of the target shown (e's) and feeds the RTT histories from it. */
void tui_take_snapshot(struct tui *t, struct engine *e, uint64_t now_us);
/* Shows the target delta places after the shown one in the list's order (worst first). */
void tui_targets_switch(struct tui *t, int delta);
/* Lines the target list takes above the table: 0 with one target. */
int tui_targets_height(const struct tui *t);
/* Draws the target list from line y on. */
void tui_draw_targets(struct tui *t, int y);
/* Frees the targets' own state (tui_close). */
void tui_targets_free(struct tui *t);
/* Rebuilds t->rows for t->view and t->snap; false when out of memory. */
bool tui_rows_build(struct tui *t);
/* Index of the selection in t->rows after a rebuild (fixes t->sel if it vanished); -1 if no rows. */
int tui_rows_select(struct tui *t);
/* The findings of the snapshot shown, or NULL. */
const struct findings *tui_findings(const struct tui *t);
/* Draws the whole screen from t's state. */
void tui_draw(struct tui *t);
/* Sets up the colour pairs the drawing uses (after start_color). */
void tui_draw_colours(void);
/* The key help table, for the overlay and the status line (tui.c). */
struct tui_keyhelp {
	const char *keys;	/* as shown: "q", "p/space" */
	const char *hint;	/* short, for the status line; NULL: help only */
	const char *what;	/* one line for the help overlay */
	bool many;		/* only with several targets */
};
extern const struct tui_keyhelp tui_keyhelp[];
extern const size_t tui_nkeyhelp;

#endif
