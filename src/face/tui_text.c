/*
 * The live view's text helpers: colours and loss severity, drawing text
 * clipped to the screen (never wrapped by curses), word wrapping, names
 * of responders, compact flow lists and branch letters.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"
#include "namer.h"

/* Colour pair numbers match enum colour. */
void tui_draw_colours(void)
{
	init_pair(C_GOOD, COLOR_GREEN, -1);
	init_pair(C_WARN, COLOR_YELLOW, -1);
	init_pair(C_BAD, COLOR_RED, -1);
	init_pair(C_TITLE, COLOR_CYAN, -1);
	init_pair(C_DIM, COLOR_BLUE, -1);
}

attr_t tui_colour(const struct tui *t, enum colour c)
{
	if (t->color && c != C_NONE)
		return COLOR_PAIR(c) | (c == C_BAD ? A_BOLD : 0);
	/* Without colour, severity still shows: heavy loss bold, titles bold. */
	if (c == C_BAD || c == C_TITLE)
		return A_BOLD;
	return 0;
}

/*
 * Loss severity.  Any loss at all is worth a glance (yellow); from 5% it
 * hurts TCP visibly (red); from 20% it is the branch to look at (bold red).
 */
attr_t tui_loss_attr(const struct tui *t, uint64_t received, uint64_t lost)
{
	double pct = loss_pct(received, lost);

	if (received + lost == 0)
		return 0;
	if (pct <= 0.0)
		return tui_colour(t, C_GOOD);
	if (pct < 5.0)
		return tui_colour(t, C_WARN);
	if (pct < 20.0)
		return t->color ? COLOR_PAIR(C_BAD) : A_BOLD;
	return tui_colour(t, C_BAD) | (t->color ? 0 : A_UNDERLINE);
}

/* Bytes of s that fit in w columns (every glyph we draw is one column wide). */
size_t tui_fit_bytes(const char *s, int w)
{
	size_t i = 0;

	while (s[i] && w > 0) {
		i++;
		while ((s[i] & 0xc0) == 0x80)	/* UTF-8 continuation bytes */
			i++;
		w--;
	}
	return i;
}

int tui_text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/* Draws s at (y, x) clipped to w columns and to the screen; returns columns used. */
int tui_put(int y, int x, int w, attr_t a, const char *s)
{
	size_t n;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return 0;
	if (w > COLS - x)
		w = COLS - x;
	n = tui_fit_bytes(s, w);
	attron(a);
	mvaddnstr(y, x, s, (int)n);
	attroff(a);
	return tui_text_cols(s) < w ? tui_text_cols(s) : w;
}

int tui_putf(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int tui_putf(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(y, x, w, a, buf);
}

/* Like tui_put, but a cut shows: the last column becomes the "more" glyph. */
void tui_put_more(const struct tui *t, int y, int x, int w, attr_t a, const char *s)
{
	char buf[1024];
	size_t n;

	if (w < 2 || tui_text_cols(s) <= w) {
		tui_put(y, x, w, a, s);
		return;
	}
	n = tui_fit_bytes(s, w - 1);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	tui_put(y, x, w - 1, a, buf);
	tui_put(y, x + w - 1, 1, a, t->g->more);
}

/* A horizontal rule of glyph g from x over w columns. */
void tui_rule(const struct tui *t, int y, int x, int w)
{
	for (int i = 0; i < w && x + i < COLS; i++)
		tui_put(y, x + i, 1, tui_colour(t, C_DIM), t->g->hline);
}

/* Host names come from the network: keep printable ASCII only. */
void tui_sanitize(char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
	}
}

/* The name to show for a responder: its DNS name when wanted and known, else the address. */
const char *tui_addr_name(const struct tui *t, const struct ip_addr *a, char *buf, size_t len)
{
	const char *name = NULL;
	char as[24], num[ADDR_STRLEN];

	if (!addr_is_set(a)) {
		snprintf(buf, len, "*");
		return buf;
	}
	if (!t->numeric && t->opt.namer)
		name = t->opt.namer->lookup(t->opt.namer->ctx, a);
	/* With -z the origin AS comes first, as mtr shows it. */
	vocab_asn(t->opt.asn, a, as, sizeof(as));
	snprintf(buf, len, "%s%s%s", as, as[0] ? " " : "",
		 name ? name : addr_format(a, num, sizeof(num)));
	if (name)
		tui_sanitize(buf);
	return buf;
}

/*
 * The flows of a branch as a compact list: "33434-33437,33440".  Runs of
 * consecutive identifiers collapse, since flows are numbered from a base.
 */
void tui_flow_list(const struct results *r, const int *ids, int n, char *buf, size_t len)
{
	size_t used = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < n && used + 1 < len) {
		const struct flow_result *f = vocab_flow_by_id(r, ids[i]);
		char a[32], b[32];
		int j = i;
		int w;

		if (!f) {
			i++;
			continue;
		}
		vocab_flow_ident(r, f, a, sizeof(a));
		/* Extend the run while ids and ports both go up by one. */
		while (j + 1 < n && !(r->config.vary & VARY_LABEL)) {
			const struct flow_result *g = vocab_flow_by_id(r, ids[j + 1]);
			const struct flow_result *p = vocab_flow_by_id(r, ids[j]);

			if (!g || !p || g->sport != p->sport + 1)
				break;
			j++;
		}
		if (j > i + 1) {
			vocab_flow_ident(r, vocab_flow_by_id(r, ids[j]), b, sizeof(b));
			w = snprintf(buf + used, len - used, "%s%s-%s", used ? "," : "", a, b);
		} else {
			w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", a);
			j = i;
		}
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			return;
		}
		used += (size_t)w;
		i = j + 1;
	}
}

char tui_branch_letter(int b)
{
	return b < 26 ? (char)('a' + b) : '+';
}

/* The flows of branch b whose responder at b's via TTL is va. */
int tui_via_flows(const struct results *r, const struct branch_result *b, const struct ip_addr *va,
		     int *out, int max)
{
	int n = 0;
	int p = b->via_ttl - r->config.first_ttl;

	for (int i = 0; i < b->nflows && n < max; i++) {
		const struct flow_result *f = vocab_flow_by_id(r, b->flows[i]);

		if (f && p >= 0 && p < f->path_len && addr_equal(&f->path[p], va))
			out[n++] = b->flows[i];
	}
	return n;
}

/*
 * Writes text over lines of width w from *y, breaking at spaces, and stops
 * at ymax; with draw false it only advances *y (to measure).
 */
void tui_wrap_text(int *y, int ymax, int x, int w, attr_t a, const char *text, bool draw)
{
	const char *s = text;

	if (w < 1)
		return;
	while (*s && *y < ymax) {
		char line[512];
		size_t n, m;

		if (tui_text_cols(s) > w) {
			size_t cut = tui_fit_bytes(s, w);

			n = cut;
			while (n > 0 && s[n] != ' ')
				n--;
			if (n == 0)
				n = cut;
		} else {
			n = strlen(s);
		}
		if (draw) {
			m = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
			memcpy(line, s, m);
			line[m] = '\0';
			tui_put(*y, x, w, a, line);
		}
		(*y)++;
		s += n;
		while (*s == ' ')
			s++;
	}
}

void tui_wrap(int *y, int ymax, int x, int w, attr_t a, const char *text)
{
	tui_wrap_text(y, ymax, x, w, a, text, true);
}

