/*
 * What the live view's drawing files share (tui_draw.c, tui_table.c,
 * tui_detail.c, tui_chart.c, tui_findings.c, tui_help.c, tui_text.c):
 * colours, clipped text, the table's layout.  Private to src/face; every
 * function draws on stdscr and clips to it.
 */
#ifndef ECMPTRACE_FACE_TUI_DRAW_H
#define ECMPTRACE_FACE_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "face/columns.h"
#include "face/tui_int.h"

/* Below this the screen shows only a message asking for a larger one. */
#define MIN_COLS 40
#define MIN_LINES 10

enum colour {
	C_NONE = 0,
	C_GOOD,		/* no loss */
	C_WARN,		/* some loss */
	C_BAD,		/* heavy loss */
	C_TITLE,	/* header and panel titles */
	C_DIM,		/* secondary text */
};

/* ---- text (tui_text.c) ---- */

/* The attribute of colour c, or a plain stand-in (bold) without colours. */
attr_t tui_colour(const struct tui *t, enum colour c);
/* Loss severity as an attribute: green none, yellow < 5%, red >= 5%, bold red >= 20%. */
attr_t tui_loss_attr(const struct tui *t, uint64_t received, uint64_t lost);
/* Bytes of s that fit in w columns, and the columns s takes (one per glyph). */
size_t tui_fit_bytes(const char *s, int w);
int tui_text_cols(const char *s);
/* Draws s at (y, x) clipped to w columns and to the screen; returns columns used. */
int tui_put(int y, int x, int w, attr_t a, const char *s);
int tui_putf(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Like tui_put, but a cut shows: the last column becomes the "more" glyph. */
void tui_put_more(const struct tui *t, int y, int x, int w, attr_t a, const char *s);
/* A horizontal rule from x over w columns. */
void tui_rule(const struct tui *t, int y, int x, int w);
/* Replaces what is not printable ASCII (names come from the network). */
void tui_sanitize(char *s);
/* The responder's DNS name when wanted and known, else its address; "*" when unset. */
const char *tui_addr_name(const struct tui *t, const struct ip_addr *a, char *buf, size_t len);
/* Flow ids as a compact list of their identities: "33434-33437,33440". */
void tui_flow_list(const struct results *r, const int *ids, int n, char *buf, size_t len);
/* 'a', 'b', ... for branch indexes ('+' past 'z'). */
char tui_branch_letter(int b);
/* The ids of branch b's flows whose responder at b->via_ttl is va; returns how many. */
int tui_via_flows(const struct results *r, const struct branch_result *b, const struct ip_addr *va,
		  int *out, int max);
/* Writes text over lines of width w from *y, breaking at spaces, up to ymax; draw false: measure. */
void tui_wrap_text(int *y, int ymax, int x, int w, attr_t a, const char *text, bool draw);
void tui_wrap(int *y, int ymax, int x, int w, attr_t a, const char *text);

/* ---- header and table (tui_table.c) ---- */

/* Columns on screen, left to right. */
#define MAX_SHOWN 24
struct shown_col {
	const struct column *c;	/* shared column, or NULL for the flows view's Hops */
	int width;		/* cell width, one separating space before it */
	int drop;
	bool is_loss;
};

/* Which columns fit, and how wide the host and ports columns are. */
struct layout {
	struct shown_col col[MAX_SHOWN];
	int ncol;
	int host_w;		/* first column, after the 2-column selection marker */
	int ports_w;		/* tree view: trailing source-port list, 0 if none */
};

void tui_plan_columns(const struct tui *t, struct layout *L);
/* The two header lines: target, protocol, discovery; counters, rate, view. */
void tui_draw_header(struct tui *t);
void tui_draw_col_titles(const struct tui *t, const struct layout *L, int y);
void tui_draw_row(struct tui *t, const struct layout *L, const struct tui_row *row, int y,
		  bool selected);

/* ---- panels (tui_detail.c, tui_chart.c, tui_findings.c, tui_help.c) ---- */

/* Lines the detail pane of row would like, and drawing it from y to ymax. */
int tui_detail_height(const struct tui *t, const struct tui_row *row);
void tui_draw_detail(struct tui *t, const struct tui_row *row, int y, int ymax);
/* The RTT history of k as a sparkline at (y, x), w columns. */
void tui_draw_chart(struct tui *t, int y, int x, int w, const struct tui_key *k);
/* Lines the findings panel would like, and drawing it from y to ymax. */
int tui_findings_height(const struct tui *t);
void tui_draw_findings(struct tui *t, int y, int ymax);
void tui_draw_help(struct tui *t);
void tui_draw_status(struct tui *t);
void tui_draw_too_small(void);

#endif
