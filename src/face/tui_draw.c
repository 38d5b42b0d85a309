/*
 * Drawing the live view: header, the table of the current view (columns
 * from one table, as mtr does), the findings panel or the detail pane with
 * its RTT chart, the help overlay and the status line.  Everything is
 * clipped to the screen: text is truncated, never wrapped by curses.
 */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "face/columns.h"
#include "face/tui_int.h"
#include "net/resolve.h"

/* Below this the screen shows only a message asking for a larger one. */
#define MIN_COLS 40
#define MIN_LINES 10
/*
 * The host column never gets narrower than MIN_HOST: columns are dropped
 * instead.  Below COMFY_HOST the least useful columns (drop >= COMFY_DROP)
 * go too, so names stay readable on an 80-column screen.
 */
#define MIN_HOST 16
#define COMFY_HOST 28
#define COMFY_DROP 6
/* The host column stops growing here in the tree view; the rest lists ports. */
#define HOST_CAP 40
/* Lines of one finding's sentence at most, and of the findings panel. */
#define MAX_FINDING_LINES 3
#define MAX_FINDINGS_PANEL 8

enum colour {
	C_NONE = 0,
	C_GOOD,		/* no loss */
	C_WARN,		/* some loss */
	C_BAD,		/* heavy loss */
	C_TITLE,	/* header and panel titles */
	C_DIM,		/* secondary text */
};

/* Colour pair numbers match enum colour. */
void tui_draw_colours(void)
{
	init_pair(C_GOOD, COLOR_GREEN, -1);
	init_pair(C_WARN, COLOR_YELLOW, -1);
	init_pair(C_BAD, COLOR_RED, -1);
	init_pair(C_TITLE, COLOR_CYAN, -1);
	init_pair(C_DIM, COLOR_BLUE, -1);
}

static attr_t colour(const struct tui *t, enum colour c)
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
static attr_t loss_attr(const struct tui *t, uint64_t received, uint64_t lost)
{
	double pct = loss_pct(received, lost);

	if (received + lost == 0)
		return 0;
	if (pct <= 0.0)
		return colour(t, C_GOOD);
	if (pct < 5.0)
		return colour(t, C_WARN);
	if (pct < 20.0)
		return t->color ? COLOR_PAIR(C_BAD) : A_BOLD;
	return colour(t, C_BAD) | (t->color ? 0 : A_UNDERLINE);
}

/* Bytes of s that fit in w columns (every glyph we draw is one column wide). */
static size_t fit_bytes(const char *s, int w)
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

static int text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += (*s & 0xc0) != 0x80;
	return n;
}

/* Draws s at (y, x) clipped to w columns and to the screen; returns columns used. */
static int put(int y, int x, int w, attr_t a, const char *s)
{
	size_t n;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return 0;
	if (w > COLS - x)
		w = COLS - x;
	n = fit_bytes(s, w);
	attron(a);
	mvaddnstr(y, x, s, (int)n);
	attroff(a);
	return text_cols(s) < w ? text_cols(s) : w;
}

static int putf(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int putf(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return put(y, x, w, a, buf);
}

/* Like put, but a cut shows: the last column becomes the "more" glyph. */
static void put_more(const struct tui *t, int y, int x, int w, attr_t a, const char *s)
{
	char buf[1024];
	size_t n;

	if (w < 2 || text_cols(s) <= w) {
		put(y, x, w, a, s);
		return;
	}
	n = fit_bytes(s, w - 1);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	put(y, x, w - 1, a, buf);
	put(y, x + w - 1, 1, a, t->g->more);
}

/* A horizontal rule of glyph g from x over w columns. */
static void rule(const struct tui *t, int y, int x, int w)
{
	for (int i = 0; i < w && x + i < COLS; i++)
		put(y, x + i, 1, colour(t, C_DIM), t->g->hline);
}

/* Host names come from the network: keep printable ASCII only. */
static void sanitize(char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
	}
}

/* The name to show for a responder: its DNS name when wanted and known, else the address. */
static const char *addr_name(const struct tui *t, const struct ip_addr *a, char *buf, size_t len)
{
	const char *name = NULL;

	if (!addr_is_set(a)) {
		snprintf(buf, len, "*");
		return buf;
	}
	if (!t->numeric && t->opt.resolver)
		name = resolver_lookup(t->opt.resolver, a);
	if (name) {
		snprintf(buf, len, "%s", name);
		sanitize(buf);
		return buf;
	}
	return addr_format(a, buf, len);
}

static const struct flow_result *flow_by_id(const struct results *r, int id)
{
	if (id >= 0 && id < r->nflows && r->flows[id].id == id)
		return &r->flows[id];
	for (int i = 0; i < r->nflows; i++) {
		if (r->flows[i].id == id)
			return &r->flows[i];
	}
	return NULL;
}

/* Flows are named by what distinguishes them: the source port, or the IPv6 flow label. */
static void flow_ident(const struct results *r, const struct flow_result *f, char *buf, size_t len)
{
	unsigned vary = r->config.vary;

	if ((vary & VARY_LABEL) && !(vary & VARY_SPORT))
		snprintf(buf, len, "0x%05x", (unsigned)f->flow_label);
	else if (vary & VARY_LABEL)
		snprintf(buf, len, "%u/0x%05x", (unsigned)f->sport, (unsigned)f->flow_label);
	else
		snprintf(buf, len, "%u", (unsigned)f->sport);
}

/*
 * The flows of a branch as a compact list: "33434-33437,33440".  Runs of
 * consecutive identifiers collapse, since flows are numbered from a base.
 */
static void flow_list(const struct results *r, const int *ids, int n, char *buf, size_t len)
{
	size_t used = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < n && used + 1 < len) {
		const struct flow_result *f = flow_by_id(r, ids[i]);
		char a[32], b[32];
		int j = i;
		int w;

		if (!f) {
			i++;
			continue;
		}
		flow_ident(r, f, a, sizeof(a));
		/* Extend the run while ids and ports both go up by one. */
		while (j + 1 < n && !(r->config.vary & VARY_LABEL)) {
			const struct flow_result *g = flow_by_id(r, ids[j + 1]);
			const struct flow_result *p = flow_by_id(r, ids[j]);

			if (!g || !p || g->sport != p->sport + 1)
				break;
			j++;
		}
		if (j > i + 1) {
			flow_ident(r, flow_by_id(r, ids[j]), b, sizeof(b));
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

static char branch_letter(int b)
{
	return b < 26 ? (char)('a' + b) : '+';
}

/* ---- columns ---- */

/*
 * A row's numbers: the shared statistics (columns.h) and what only the
 * flows view shows.
 */
struct row_figs {
	struct row_stats st;
	int dest_ttl;		/* flows view: TTL at which the target answered; 0 if never */
};

static void fmt_ms(int64_t us, char *buf, size_t len)
{
	double ms = (double)us / 1000.0;

	snprintf(buf, len, ms < 1000.0 ? "%.1f" : "%.0f", ms);
}

static void loss_text(uint64_t received, uint64_t lost, char *buf, size_t len)
{
	if (received + lost == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", loss_pct(received, lost));
}

/* The RTT figure picked by which ('l'ast, 'b'est, 'w'orst), or "-" without samples. */
static void rtt_text(const struct rtt_stats *r, char which, char *buf, size_t len)
{
	if (!r || !r->n)
		snprintf(buf, len, "-");
	else
		fmt_ms(which == 'l' ? r->last : which == 'b' ? r->min : r->max, buf, len);
}

#define V_TREE (1u << TUI_VIEW_TREE)
#define V_FLOWS (1u << TUI_VIEW_FLOWS)
#define V_HOPS (1u << TUI_VIEW_HOPS)
#define V_ALL (V_TREE | V_FLOWS | V_HOPS)

/*
 * How the live view uses the shared statistics columns (columns.h), by
 * key.  Narrow screens drop the columns with the highest drop number
 * first, so loss and sent stay longest.  Columns added to the shared
 * table later show in every view and are the first to go.
 */
static const struct col_rule {
	const char *key;
	int drop;
	unsigned views;
	bool is_loss;		/* coloured by loss severity */
} col_rules[] = {
	{"loss_pct", 0, V_ALL, true},
	{"sent", 1, V_ALL, false},
	{"avg", 2, V_ALL, false},
	{"last", 3, V_ALL, false},
	{"flows", 4, V_TREE | V_HOPS, false},
	{"best", 5, V_ALL, false},
	{"worst", 6, V_ALL, false},
	{"stddev", 7, V_ALL, false},
};
#define NRULES (sizeof(col_rules) / sizeof(col_rules[0]))
#define DROP_UNKNOWN 8

/* The flows view's own last column: the TTL at which the flow reached the target. */
#define HOPS_TITLE "Hops"
#define HOPS_WIDTH 4
#define HOPS_DROP 4

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

static const struct col_rule *rule_for(const char *key)
{
	for (size_t i = 0; i < NRULES; i++) {
		if (!strcmp(col_rules[i].key, key))
			return &col_rules[i];
	}
	return NULL;
}

static void plan_columns(const struct tui *t, struct layout *L)
{
	int fixed = 0;

	L->ncol = 0;
	for (size_t i = 0; i < stat_column_count && L->ncol < MAX_SHOWN - 1; i++) {
		const struct col_rule *cr = rule_for(stat_columns[i].key);

		if (cr && !(cr->views & (1u << t->view)))
			continue;
		L->col[L->ncol++] = (struct shown_col){&stat_columns[i], stat_columns[i].width,
						      cr ? cr->drop : DROP_UNKNOWN, cr && cr->is_loss};
	}
	if (t->view == TUI_VIEW_FLOWS)
		L->col[L->ncol++] = (struct shown_col){NULL, HOPS_WIDTH, HOPS_DROP, false};
	for (int i = 0; i < L->ncol; i++)
		fixed += 1 + L->col[i].width;
	/* Drop columns, highest drop number first, until the host column fits. */
	for (;;) {
		int worst = -1, host = COLS - 2 - fixed;

		for (int i = 0; i < L->ncol; i++) {
			if (worst < 0 || L->col[i].drop > L->col[worst].drop)
				worst = i;
		}
		if (worst < 0 || L->col[worst].drop == 0)
			break;
		if (host >= COMFY_HOST || (host >= MIN_HOST && L->col[worst].drop < COMFY_DROP))
			break;
		fixed -= 1 + L->col[worst].width;
		memmove(&L->col[worst], &L->col[worst + 1], (size_t)(L->ncol - worst - 1) * sizeof(L->col[0]));
		L->ncol--;
	}
	L->host_w = COLS - 2 - fixed;
	L->ports_w = 0;
	if (t->view == TUI_VIEW_TREE && L->host_w > HOST_CAP + 12) {
		L->ports_w = L->host_w - HOST_CAP;
		L->host_w = HOST_CAP;
	}
	if (L->host_w < 1)
		L->host_w = 1;
}

static void cell_text(const struct shown_col *c, const struct row_figs *f, char *buf, size_t len)
{
	if (c->c)
		c->c->format(&f->st, buf, len);
	else if (f->dest_ttl > 0)
		snprintf(buf, len, "%d", f->dest_ttl);
	else
		snprintf(buf, len, "-");
}

/* ---- header, table ---- */

static const char *const proto_names[] = {"udp", "tcp", "icmp"};
static const char *const view_names[TUI_VIEW_COUNT] = {"branches", "flows", "hops (merged)"};
static const char *const sort_names[TUI_SORT_COUNT] = {"port", "loss", "rtt", "path"};

/* What branch discovery concluded, over all hops it covered. */
static void draw_discovery(const struct results *r, int x)
{
	int covered = 0, open = 0, limited = 0, confidence = 0;

	for (int i = 0; i < r->nhops; i++) {
		const struct hop_result *h = &r->hops[i];

		if (h->confidence == 0)
			continue;
		covered++;
		confidence = h->confidence;
		if (!h->discovery_complete) {
			open++;
			limited += h->rate_limited;
		}
	}
	if (covered == 0)
		return;
	if (open == 0)
		putf(0, x, COLS - x, 0, "  all branches found (%d%%)", confidence);
	else
		putf(0, x, COLS - x, 0, "  discovery incomplete at %d hop%s%s", open,
		     open == 1 ? "" : "s", limited ? " (ICMP rate limits)" : "");
}

static void draw_header(struct tui *t)
{
	const struct results *r = t->snap;
	char addr[ADDR_STRLEN], line[512];
	const char *proto = "?";
	int x = 0;

	addr_format(&t->opt.target, addr, sizeof(addr));
	if (r && (unsigned)r->config.proto < sizeof(proto_names) / sizeof(proto_names[0]))
		proto = proto_names[r->config.proto];
	if (!t->opt.target_name || !strcmp(t->opt.target_name, addr))
		snprintf(line, sizeof(line), "ecmptrace to %s", addr);
	else
		snprintf(line, sizeof(line), "ecmptrace to %s (%s)", t->opt.target_name, addr);
	x += put(0, 0, COLS, A_BOLD, line);
	if (r && r->config.proto != PROBE_ICMP)
		x += putf(0, x, COLS - x, 0, "  %s port %u", proto, (unsigned)r->config.dport);
	else if (r)
		x += putf(0, x, COLS - x, 0, "  %s", proto);
	if (r)
		draw_discovery(r, x);

	x = 0;
	if (t->paused)
		x += put(1, 0, COLS, A_REVERSE | A_BOLD, "PAUSED") + 1;
	if (r) {
		uint64_t el = r->elapsed_us / 1000000;
		double rate = r->elapsed_us ? (double)r->counters.probes_sent * 1e6 / (double)r->elapsed_us : 0.0;
		char lim[32] = "", when[32];

		if (r->config.rate_pps)
			snprintf(lim, sizeof(lim), " (max %u)", (unsigned)r->config.rate_pps);
		if (el >= 3600)
			snprintf(when, sizeof(when), "%llu:%02llu:%02llu", (unsigned long long)(el / 3600),
				 (unsigned long long)(el / 60 % 60), (unsigned long long)(el % 60));
		else
			snprintf(when, sizeof(when), "%llu:%02llu", (unsigned long long)(el / 60),
				 (unsigned long long)(el % 60));
		snprintf(line, sizeof(line),
			 "flows %d  rounds %llu  rate %.0f/s%s  elapsed %s  dns %s  view: %s",
			 r->nflows, (unsigned long long)r->counters.rounds_done, rate, lim, when,
			 !t->opt.resolver ? "n/a" : t->numeric ? "off" : "on", view_names[t->view]);
		x += put(1, x, COLS - x, 0, line);
		if (t->view == TUI_VIEW_FLOWS)
			putf(1, x, COLS - x, 0, "  sort: %s", sort_names[t->sort]);
	} else {
		put(1, x, COLS - x, colour(t, C_DIM), "waiting for the first results...");
	}
}

static void draw_col_titles(const struct tui *t, const struct layout *L, int y)
{
	static const char *const first[TUI_VIEW_COUNT] = {"Hop / branch", "Flow   Path", "Hop"};
	int x = 2;

	put(y, x, L->host_w, A_BOLD, first[t->view]);
	x += L->host_w;
	for (int i = 0; i < L->ncol; i++) {
		const char *title = L->col[i].c ? L->col[i].c->title : HOPS_TITLE;

		putf(y, x, L->col[i].width + 1, A_BOLD, "%*s", L->col[i].width + 1, title);
		x += L->col[i].width + 1;
	}
	if (L->ports_w)
		put(y, x, L->ports_w, A_BOLD, "  Source ports");
}

/* Parents worth naming: only when the previous hop had several branches and not all lead here. */
static void parent_suffix(const struct results *r, int hop, const struct branch_result *b,
			  char *buf, size_t len)
{
	const struct hop_result *prev;
	size_t used = 0;

	buf[0] = '\0';
	if (hop == 0 || b->nparents <= 0)
		return;
	prev = &r->hops[hop - 1];
	if (prev->nbranches < 2 || b->nparents >= prev->nbranches)
		return;
	for (int i = 0; i < b->nparents && used + 1 < len; i++) {
		int p = b->parents[i];
		int w;

		if (p < 0 || p >= prev->nbranches)
			continue;
		w = snprintf(buf + used, len - used, "%s%d%c", used ? "," : " <", prev->ttl,
			     branch_letter(p));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/*
 * Marks a hop whose branch discovery could not conclude: more branches may
 * exist there (" ?"), because routers rate-limit their ICMP (" ?rl").
 */
static void discovery_suffix(const struct hop_result *h, char *buf, size_t len)
{
	size_t used = strlen(buf);

	if (h->confidence == 0 || h->discovery_complete || used + 1 >= len)
		return;
	snprintf(buf + used, len - used, "%s", h->rate_limited ? " ?rl" : " ?");
}

/* The first column of a tree or merged-hops row. */
static void host_text(const struct tui *t, const struct tui_row *row, char *buf, size_t len)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	char name[300], par[64];

	if (row->via >= 0) {
		const struct branch_result *b = &h->branches[row->branch];
		const struct via_result *v = &b->via[row->via];
		struct ip_addr va = tui_via_addr(r, b, row->via);

		snprintf(buf, len, "    %s%s%s via %d%c %s", row->sub ? (row->last_sub ? "  " : t->g->vline) : "",
			 row->sub && !row->last_sub ? " " : "", row->last_via ? t->g->corner : t->g->tee,
			 b->via_ttl, branch_letter(v->branch), addr_name(t, &va, name, sizeof(name)));
		return;
	}
	if (row->sub) {
		const struct branch_result *b = &h->branches[row->branch];

		parent_suffix(r, row->hop, b, par, sizeof(par));
		snprintf(buf, len, "    %s%c %s%s%s", row->last_sub ? t->g->corner : t->g->tee,
			 branch_letter(row->branch), addr_name(t, &b->addr, name, sizeof(name)),
			 b->is_unreachable ? " !U" : "", par);
		return;
	}
	if (t->view == TUI_VIEW_HOPS || row->branch < 0) {
		if (h->nbranches == 0)
			snprintf(buf, len, "%2d. *", h->ttl);
		else if (t->view == TUI_VIEW_HOPS && h->nbranches > 1)
			snprintf(buf, len, "%2d. %s (+%d)", h->ttl,
				 addr_name(t, &h->branches[0].addr, name, sizeof(name)), h->nbranches - 1);
		else if (t->view == TUI_VIEW_HOPS)
			snprintf(buf, len, "%2d. %s", h->ttl,
				 addr_name(t, &h->branches[0].addr, name, sizeof(name)));
		else
			snprintf(buf, len, "%2d. %d branches", h->ttl, h->nbranches);
		discovery_suffix(h, buf, len);
		return;
	}
	snprintf(buf, len, "%2d. %s%s", h->ttl,
		 addr_name(t, &h->branches[row->branch].addr, name, sizeof(name)),
		 h->branches[row->branch].is_unreachable ? " !U" : "");
	discovery_suffix(h, buf, len);
}

/*
 * A flow's path in a few words: its responders at the hops where branches
 * part (what tells flows apart), or its last responder on a single path.
 */
static void flow_text(const struct tui *t, const struct flow_result *f, char *buf, size_t len)
{
	const struct results *r = t->snap;
	char id[40], name[300];
	size_t used;
	int w, parts = 0;

	flow_ident(r, f, id, sizeof(id));
	w = snprintf(buf, len, "%5s ", id);
	if (w < 0 || (size_t)w >= len)
		return;
	used = (size_t)w;
	for (int h = 0; h < r->nhops && used + 1 < len; h++) {
		int p = r->hops[h].ttl - r->config.first_ttl;

		if (r->hops[h].nbranches < 2 || p < 0 || p >= f->path_len)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", parts ? " > " : " ",
			     addr_name(t, &f->path[p], name, sizeof(name)));
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
		parts++;
	}
	if (!parts && f->path_len > 0) {
		int p = f->path_len - 1;

		while (p > 0 && !addr_is_set(&f->path[p]))
			p--;
		w = snprintf(buf + used, len - used, " %s", addr_name(t, &f->path[p], name, sizeof(name)));
		if (w > 0 && (size_t)w < len - used)
			used += (size_t)w;
	}
	if (f->path_changes > 0 && used + 1 < len)
		snprintf(buf + used, len - used, " (path changed %dx)", f->path_changes);
}

static void row_figs(const struct tui *t, const struct tui_row *row, struct row_figs *fg)
{
	const struct results *r = t->snap;
	struct row_stats *s = &fg->st;

	memset(fg, 0, sizeof(*fg));
	if (row->flow >= 0) {
		const struct flow_result *f = &r->flows[row->flow];

		s->received = f->received;
		s->lost = f->lost;
		s->rtt = &f->rtt;
		s->nflows = 1;
		fg->dest_ttl = f->dest_ttl;
	} else if (row->via >= 0) {
		const struct via_result *v = &r->hops[row->hop].branches[row->branch].via[row->via];

		s->received = v->received;
		s->lost = v->lost;
		s->rtt = &v->rtt;
		s->nflows = v->nflows;
	} else if (row->branch >= 0 && t->view != TUI_VIEW_HOPS) {
		const struct branch_result *b = &r->hops[row->hop].branches[row->branch];

		s->received = b->received;
		s->lost = b->lost;
		s->rtt = &b->rtt;
		s->nflows = b->nflows;
	} else {
		const struct hop_result *h = &r->hops[row->hop];

		s->received = h->received;
		s->lost = h->lost;
		s->rtt = &h->rtt;
		for (int b = 0; b < h->nbranches; b++)
			s->nflows += h->branches[b].nflows;
	}
}

/* The flows of branch b whose responder at b's via TTL is va. */
static int via_flows(const struct results *r, const struct branch_result *b, const struct ip_addr *va,
		     int *out, int max)
{
	int n = 0;
	int p = b->via_ttl - r->config.first_ttl;

	for (int i = 0; i < b->nflows && n < max; i++) {
		const struct flow_result *f = flow_by_id(r, b->flows[i]);

		if (f && p >= 0 && p < f->path_len && addr_equal(&f->path[p], va))
			out[n++] = b->flows[i];
	}
	return n;
}

static void draw_row(struct tui *t, const struct layout *L, const struct tui_row *row,
		     int y, bool selected)
{
	struct row_figs fg;
	char text[1024], cell[64];
	attr_t base = selected ? A_REVERSE : 0;
	attr_t host_attr = base;
	int x = 2;

	row_figs(t, row, &fg);
	if (selected) {
		/* The whole line in reverse, and a marker that survives a plain-text capture. */
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		attroff(A_REVERSE);
		put(y, 0, 2, base | A_BOLD, ">");
	}
	if (row->flow >= 0) {
		flow_text(t, &t->snap->flows[row->flow], text, sizeof(text));
	} else {
		host_text(t, row, text, sizeof(text));
		if (row->branch < 0 && t->view == TUI_VIEW_TREE)
			host_attr |= colour(t, C_DIM);
	}
	put_more(t, y, x, L->host_w - 1, host_attr, text);
	x += L->host_w;
	for (int i = 0; i < L->ncol; i++) {
		attr_t a = base;

		cell_text(&L->col[i], &fg, cell, sizeof(cell));
		if (L->col[i].is_loss)
			a |= loss_attr(t, fg.st.received, fg.st.lost);
		putf(y, x, L->col[i].width + 1, a, "%*s", L->col[i].width + 1, cell);
		x += L->col[i].width + 1;
	}
	if (L->ports_w && row->branch >= 0) {
		const struct branch_result *b = &t->snap->hops[row->hop].branches[row->branch];
		int ids[512], n;

		if (row->via >= 0) {
			struct ip_addr va = tui_via_addr(t->snap, b, row->via);

			n = via_flows(t->snap, b, &va, ids, (int)(sizeof(ids) / sizeof(ids[0])));
			flow_list(t->snap, ids, n, text, sizeof(text));
		} else {
			flow_list(t->snap, b->flows, b->nflows, text, sizeof(text));
		}
		put_more(t, y, x + 2, L->ports_w - 2, base, text);
	}
}

/* ---- charts ---- */

/*
 * The RTT history of key as a sparkline, one mark per tick with news: the
 * height is the mean RTT of the answers in that tick (scaled between the
 * lowest and highest shown), the lost glyph when every probe of the tick
 * was lost, and the loss colour when some were.
 */
static void draw_chart(struct tui *t, int y, int x, int w, const struct tui_key *k)
{
	struct tui_bucket b[TUI_HIST_LEN];
	const struct tui_hist_entry *e = tui_hist_find(&t->hist, k);
	char lo[16], hi[16], label[64];
	int64_t mn = -1, mx = -1;
	size_t n;
	int lw;

	if (y >= LINES || w <= 12)
		return;
	if (!e || !(n = tui_hist_series(e, b, sizeof(b) / sizeof(b[0])))) {
		put(y, x, w, colour(t, C_DIM), "RTT  (no history yet)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i].rtt_us < 0)
			continue;
		if (mn < 0 || b[i].rtt_us < mn)
			mn = b[i].rtt_us;
		if (b[i].rtt_us > mx)
			mx = b[i].rtt_us;
	}
	if (mn >= 0) {
		fmt_ms(mn, lo, sizeof(lo));
		fmt_ms(mx, hi, sizeof(hi));
		snprintf(label, sizeof(label), "  %s..%s ms", lo, hi);
	} else {
		snprintf(label, sizeof(label), "  all lost");
	}
	lw = text_cols(label);
	x += put(y, x, w, A_BOLD, "RTT ");
	w -= 4 + lw;
	if (w < 4)
		return;
	if ((size_t)w < n) {
		memmove(b, b + (n - (size_t)w), (size_t)w * sizeof(b[0]));
		n = (size_t)w;
	}
	for (size_t i = 0; i < n; i++) {
		attr_t a = b[i].lost ? loss_attr(t, b[i].received, b[i].lost) : colour(t, C_GOOD);
		const char *glyph = t->g->lost;

		if (b[i].rtt_us >= 0) {
			int level = mx > mn ? (int)((b[i].rtt_us - mn) * 7 / (mx - mn)) : 3;

			glyph = t->g->spark[level < 0 ? 0 : level > 7 ? 7 : level];
		}
		put(y, x + (int)i, 1, a, glyph);
	}
	put(y, x + (int)n, lw, colour(t, C_DIM), label);
}

/* ---- detail pane ---- */

/*
 * Writes text over lines of width w from *y, breaking at spaces, and stops
 * at ymax; with draw false it only advances *y (to measure).
 */
static void wrap_text(int *y, int ymax, int x, int w, attr_t a, const char *text, bool draw)
{
	const char *s = text;

	if (w < 1)
		return;
	while (*s && *y < ymax) {
		char line[512];
		size_t n, m;

		if (text_cols(s) > w) {
			size_t cut = fit_bytes(s, w);

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
			put(*y, x, w, a, line);
		}
		(*y)++;
		s += n;
		while (*s == ' ')
			s++;
	}
}

static void wrap(int *y, int ymax, int x, int w, attr_t a, const char *text)
{
	wrap_text(y, ymax, x, w, a, text, true);
}

/* "source ports" / "flow labels" / "ICMP identifiers": what tells this run's flows apart. */
static const char *ident_name(const struct results *r)
{
	bool icmp = r->config.proto == PROBE_ICMP;

	if ((r->config.vary & VARY_LABEL) && !(r->config.vary & VARY_SPORT))
		return "flow labels";
	if (r->config.vary & VARY_LABEL)
		return icmp ? "ICMP identifiers/flow labels" : "source ports/flow labels";
	return icmp ? "ICMP identifiers" : "source ports";
}

/* The same for one flow: "source port", "flow label", "source port/flow label", "ICMP id". */
static const char *ident_one(const struct results *r)
{
	unsigned vary = r->config.vary;
	bool icmp = r->config.proto == PROBE_ICMP;

	if ((vary & VARY_LABEL) && !(vary & VARY_SPORT))
		return "flow label";
	if (vary & VARY_LABEL)
		return icmp ? "ICMP id/flow label" : "source port/flow label";
	return icmp ? "ICMP id" : "source port";
}

/* "loss 25.0% (10 lost of 40)   rtt last 0.3  best 0.1  worst 0.9 ms" */
static void figures_line(const struct tui *t, int y, int w, uint64_t received, uint64_t lost,
			 const struct rtt_stats *rtt)
{
	char l[16], a[16], bst[16], wst[16];

	loss_text(received, lost, l, sizeof(l));
	rtt_text(rtt, 'l', a, sizeof(a));
	rtt_text(rtt, 'b', bst, sizeof(bst));
	rtt_text(rtt, 'w', wst, sizeof(wst));
	putf(y, 1, w, loss_attr(t, received, lost),
	     "loss %s (%llu lost of %llu)   rtt last %s  best %s  worst %s ms", l,
	     (unsigned long long)lost, (unsigned long long)(lost + received), a, bst, wst);
}

/*
 * The link-layer addresses that spoke for a first-hop responder (none
 * elsewhere): more than one is worth seeing at a glance.
 */
static void link_line(struct tui *t, int *y, int ymax, int w, const struct branch_result *b)
{
	char line[512], m[LLADDR_STRLEN], ev[96];
	size_t used;

	if (b->nlink_addrs == 0 || *y >= ymax)
		return;
	used = (size_t)snprintf(line, sizeof(line), "link-layer:");
	for (int k = 0; k < b->nlink_addrs && used < sizeof(line); k++) {
		int n = snprintf(line + used, sizeof(line) - used, "%s %s (%s)", k ? "," : "",
				 lladdr_format(b->link_addrs[k].addr, b->link_addrs[k].len, m, sizeof(m)),
				 link_address_describe(&b->link_addrs[k], ev, sizeof(ev)));

		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	put((*y)++, 1, w, b->nlink_addrs > 1 ? colour(t, C_BAD) : 0, line);
}

/*
 * The router this branch's address is one of, when it answered from
 * several (its route back is multipath): its other addresses are other
 * branches here, not other routers.
 */
static void router_line(struct tui *t, int *y, int ymax, int w, const struct branch_result *b)
{
	const struct router_result *rr = NULL;
	char line[1024], addr[ADDR_STRLEN];
	size_t used;

	for (int i = 0; i < t->snap->nrouters && b->router; i++)
		if (t->snap->routers[i].id == b->router)
			rr = &t->snap->routers[i];
	if (rr == NULL || *y >= ymax)
		return;
	used = (size_t)snprintf(line, sizeof(line), "one router (R%d) with", rr->id);
	for (int k = 0; k < rr->naddrs && used < sizeof(line); k++) {
		int n = snprintf(line + used, sizeof(line) - used, " %s",
				 addr_format(&rr->addrs[k], addr, sizeof(addr)));

		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
	}
	if (used < sizeof(line))
		snprintf(line + used, sizeof(line) - used, ": one ICMP limit, %d at once then 1 per %.1f s%s",
			 rr->burst, (double)rr->refill_us / 1e6, rr->sure ? "" : " (seen once)");
	put((*y)++, 1, w, 0, line);
}

static void detail_branch(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	const struct branch_result *b = &h->branches[row->branch];
	char name[300], addr[ADDR_STRLEN], line[2048], list[1500], tag[16] = "";
	size_t used = 0;

	addr_name(t, &b->addr, name, sizeof(name));
	addr_format(&b->addr, addr, sizeof(addr));
	if (h->nbranches > 1)
		snprintf(tag, sizeof(tag), " %d%c", h->ttl, branch_letter(row->branch));
	snprintf(line, sizeof(line), "Branch%s  %s%s%s%s  at hop %d%s%s", tag, name,
		 strcmp(name, addr) ? " (" : "", strcmp(name, addr) ? addr : "",
		 strcmp(name, addr) ? ")" : "", h->ttl,
		 b->is_destination ? "  [target]" : "", b->is_unreachable ? "  [unreachable]" : "");
	put(y++, 1, w, colour(t, C_TITLE), line);
	if (y >= ymax)
		return;
	figures_line(t, y++, w, b->received, b->lost, &b->rtt);
	link_line(t, &y, ymax - 1, w, b);
	router_line(t, &y, ymax - 1, w, b);
	if (row->hop > 0 && b->nparents > 0 && y < ymax) {
		const struct hop_result *prev = &r->hops[row->hop - 1];

		used = (size_t)snprintf(list, sizeof(list), "from:");
		for (int i = 0; i < b->nparents && used + 1 < sizeof(list); i++) {
			int p = b->parents[i];
			int n;

			if (p < 0 || p >= prev->nbranches)
				continue;
			if (prev->nbranches > 1)
				n = snprintf(list + used, sizeof(list) - used, " %d%c %s", prev->ttl,
					     branch_letter(p), addr_name(t, &prev->branches[p].addr, name, sizeof(name)));
			else
				n = snprintf(list + used, sizeof(list) - used, " %s",
					     addr_name(t, &prev->branches[p].addr, name, sizeof(name)));
			if (n < 0 || (size_t)n >= sizeof(list) - used)
				break;
			used += (size_t)n;
		}
		wrap(&y, ymax - 1, 1, w, 0, list);
	}
	flow_list(r, b->flows, b->nflows, list, sizeof(list));
	snprintf(line, sizeof(line), "flows %d of %d, %s: %s", b->nflows, r->nflows, ident_name(r), list);
	wrap(&y, ymax - 1, 1, w, 0, line);
	if (y < ymax)
		draw_chart(t, y, 1, w, &row->key);
}

static void detail_via(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	const struct branch_result *b = &h->branches[row->branch];
	const struct via_result *v = &b->via[row->via];
	struct ip_addr va = tui_via_addr(r, b, row->via);
	char name[300], vname[300], line[2048], list[1500];
	int ids[512], n;

	putf(y++, 1, w, colour(t, C_TITLE), "Hop %d %s, flows that came via %d%c %s", h->ttl,
	     addr_name(t, &b->addr, name, sizeof(name)), b->via_ttl, branch_letter(v->branch),
	     addr_name(t, &va, vname, sizeof(vname)));
	if (y >= ymax)
		return;
	figures_line(t, y++, w, v->received, v->lost, &v->rtt);
	n = via_flows(r, b, &va, ids, (int)(sizeof(ids) / sizeof(ids[0])));
	flow_list(r, ids, n, list, sizeof(list));
	snprintf(line, sizeof(line), "flows %d of %d, %s: %s", v->nflows, r->nflows, ident_name(r), list);
	wrap(&y, ymax - 1, 1, w, 0, line);
	if (y < ymax)
		draw_chart(t, y, 1, w, &row->key);
}

static void detail_flow(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct flow_result *f = &r->flows[row->flow];
	char id[40], name[300], line[4096], l[16];
	size_t used;

	flow_ident(r, f, id, sizeof(id));
	loss_text(f->received, f->lost, l, sizeof(l));
	snprintf(line, sizeof(line), "Flow %d  %s %s   end-to-end loss %s (%llu lost of %llu)",
		 f->id, ident_one(r), id, l,
		 (unsigned long long)f->lost, (unsigned long long)(f->lost + f->received));
	put(y++, 1, w, colour(t, C_TITLE), line);
	if (y >= ymax)
		return;
	if (f->path_changes > 0)
		putf(y++, 1, w, colour(t, C_WARN), "path changed %d times", f->path_changes);
	/* The path, hop by hop, with this flow's loss at each. */
	used = (size_t)snprintf(line, sizeof(line), "path:");
	for (int p = 0; p < f->path_len && used + 1 < sizeof(line); p++) {
		uint64_t rc = f->hop_received ? f->hop_received[p] : 0;
		uint64_t ls = f->hop_lost ? f->hop_lost[p] : 0;
		char pct[16] = "";
		int n;

		if (rc + ls)
			snprintf(pct, sizeof(pct), " %.0f%%", loss_pct(rc, ls));
		n = snprintf(line + used, sizeof(line) - used, " %d %s%s%s%s", r->config.first_ttl + p,
			     addr_name(t, &f->path[p], name, sizeof(name)), pct,
			     f->responders_seen && f->responders_seen[p] > 1 ? " (several)" : "",
			     p + 1 < f->path_len ? " >" : "");
		if (n < 0 || (size_t)n >= sizeof(line) - used)
			break;
		used += (size_t)n;
		if (f->dest_ttl && r->config.first_ttl + p >= f->dest_ttl)
			break;
	}
	wrap(&y, ymax - 1, 1, w, 0, line);
	if (y < ymax)
		draw_chart(t, y, 1, w, &row->key);
}

static void detail_hop(struct tui *t, const struct tui_row *row, int y, int ymax, int w)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	char name[300], list[1500], l[16];

	loss_text(h->received, h->lost, l, sizeof(l));
	putf(y++, 1, w, colour(t, C_TITLE), "Hop %d  %d branch%s  merged loss %s (%llu lost of %llu)",
	     h->ttl, h->nbranches, h->nbranches == 1 ? "" : "es", l, (unsigned long long)h->lost,
	     (unsigned long long)(h->lost + h->received));
	for (int i = 0; i < h->nbranches && y < ymax - 1; i++) {
		const struct branch_result *b = &h->branches[i];
		int x = 1;

		loss_text(b->received, b->lost, l, sizeof(l));
		flow_list(r, b->flows, b->nflows, list, sizeof(list));
		x += putf(y, x, w, 0, "%c %-*s ", branch_letter(i), w > 60 ? 28 : 16,
			  addr_name(t, &b->addr, name, sizeof(name)));
		x += putf(y, x, w - x + 1, loss_attr(t, b->received, b->lost), "%6s", l);
		putf(y, x, w - x + 1, 0, "  %d flows: %s", b->nflows, list);
		y++;
		link_line(t, &y, ymax - 1, w, b);
	}
	if (y < ymax)
		draw_chart(t, y, 1, w, &row->key);
}

/* Lines the detail pane would like, so the table can give them up. */
static int detail_height(const struct tui *t, const struct tui_row *row)
{
	const struct hop_result *h;
	int links = 0;

	if (row->flow >= 0)
		return 5;
	if (row->via >= 0)
		return 5;
	h = &t->snap->hops[row->hop];
	for (int i = 0; i < h->nbranches; i++)
		links += h->branches[i].nlink_addrs > 0;
	if (row->branch >= 0 && t->view == TUI_VIEW_TREE)
		return 6 + (h->branches[row->branch].nlink_addrs > 0) +
		       (h->branches[row->branch].router > 0);
	return 3 + h->nbranches + links;
}

static void draw_detail(struct tui *t, const struct tui_row *row, int y, int ymax)
{
	int w = COLS - 2;

	rule(t, y, 0, COLS);
	put(y, 2, COLS - 2, colour(t, C_TITLE), " Detail (Enter/Esc closes) ");
	y++;
	if (row->flow >= 0)
		detail_flow(t, row, y, ymax, w);
	else if (row->via >= 0)
		detail_via(t, row, y, ymax, w);
	else if (row->branch >= 0 && t->view == TUI_VIEW_TREE)
		detail_branch(t, row, y, ymax, w);
	else
		detail_hop(t, row, y, ymax, w);
}

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
	wrap_text(&y, MAX_FINDING_LINES, x, COLS - x, 0, sum, false);
	y += off;
	return y < 1 ? 1 : y > MAX_FINDING_LINES ? MAX_FINDING_LINES : y;
}

static int findings_height(const struct tui *t)
{
	const struct findings *f = tui_findings(t);
	int n = 0;

	if (!f || f->count == 0)
		return 2;
	for (int i = 0; i < f->count && n < MAX_FINDINGS_PANEL; i++)
		n += finding_lines(&f->items[i]);
	return 1 + (n > MAX_FINDINGS_PANEL ? MAX_FINDINGS_PANEL : n);
}

static void draw_findings(struct tui *t, int y, int ymax)
{
	const struct findings *f = tui_findings(t);

	rule(t, y, 0, COLS);
	putf(y, 2, COLS - 2, colour(t, C_TITLE), " Findings (%d) ", f ? f->count : 0);
	y++;
	if (!t->snap)
		return;
	if (!f) {
		put(y, 1, COLS - 1, colour(t, C_DIM), "diagnosis not available");
		return;
	}
	if (f->count == 0) {
		put(y, 1, COLS - 1, colour(t, C_GOOD), "no problem found so far");
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
			putf(y, 1, COLS - 1, colour(t, C_DIM), "... %d more finding%s",
			     f->count - i, f->count - i == 1 ? "" : "s");
			break;
		}
		memcpy(sum, it->summary, sizeof(sum));
		sum[sizeof(sum) - 1] = '\0';
		sanitize(sum);
		finding_indent(it, &x, &off);
		putf(y, 1, COLS - 1, colour(t, c), "%s:", finding_kind_name(it->kind));
		y += off;
		wrap_text(&y, y + lines - off < ymax ? y + lines - off : ymax, x, COLS - x, 0, sum, true);
	}
}

/* ---- overlays and the whole screen ---- */

static void draw_help(struct tui *t)
{
	int w = COLS - 2 < 66 ? COLS - 2 : 66;
	int h = (int)tui_nkeyhelp + 4;
	int y0, x0;

	if (h > LINES - 1)
		h = LINES - 1;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (int y = y0; y < y0 + h; y++) {
		mvhline(y, x0, ' ', w);
		put(y, x0, 1, colour(t, C_DIM), t->g->vline);
		put(y, x0 + w - 1, 1, colour(t, C_DIM), t->g->vline);
	}
	rule(t, y0, x0, w);
	rule(t, y0 + h - 1, x0, w);
	put(y0, x0 + 2, w - 4, colour(t, C_TITLE), " Keys (any key closes this help) ");
	for (size_t i = 0; i < tui_nkeyhelp && y0 + 1 + (int)i < y0 + h - 1; i++) {
		putf(y0 + 1 + (int)i, x0 + 2, 11, A_BOLD, "%s", tui_keyhelp[i].keys);
		put(y0 + 1 + (int)i, x0 + 13, w - 14, 0, tui_keyhelp[i].what);
	}
	if (h == (int)tui_nkeyhelp + 4)
		put(y0 + h - 2, x0 + 2, w - 3, colour(t, C_DIM),
		    "Loss: green none, yellow < 5%, red >= 5%, bold red >= 20%");
}

static void draw_status(struct tui *t)
{
	int x = 0, y = LINES - 1;

	if (t->paused)
		x += put(y, x, COLS, A_REVERSE | A_BOLD, "PAUSED: p resumes") + 1;
	for (size_t i = 0; i < tui_nkeyhelp && x < COLS; i++) {
		if (!tui_keyhelp[i].hint)
			continue;
		x += put(y, x, COLS - x, A_BOLD, tui_keyhelp[i].keys);
		x += put(y, x, COLS - x, colour(t, C_DIM), " ");
		x += put(y, x, COLS - x, 0, tui_keyhelp[i].hint);
		x += put(y, x, COLS - x, 0, "  ");
	}
}

static void draw_too_small(void)
{
	int y = LINES / 2 - 1;

	put(y, 0, COLS, A_BOLD, "terminal too small");
	putf(y + 1, 0, COLS, 0, "%dx%d, need %dx%d", COLS, LINES, MIN_COLS, MIN_LINES);
	put(y + 2, 0, COLS, 0, "q quits");
}

void tui_draw(struct tui *t)
{
	struct layout L;
	int sel, table_y = 3, avail, table_h, panel_h, want;

	if (t->full_redraw)
		clearok(curscr, TRUE);
	t->full_redraw = false;
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		draw_too_small();
		goto out;
	}
	draw_header(t);
	if (!tui_rows_build(t)) {
		put(3, 0, COLS, colour(t, C_BAD), "out of memory");
		goto out;
	}
	sel = tui_rows_select(t);
	plan_columns(t, &L);
	draw_col_titles(t, &L, 2);

	/* The table takes what it needs, the panel under it gets the rest (within limits). */
	avail = LINES - table_y - 1;
	want = t->detail && sel >= 0 ? detail_height(t, &t->rows[sel]) : findings_height(t);
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
		draw_row(t, &L, &t->rows[t->top + i], table_y + i, t->top + i == sel);
	if (!t->nrows && t->snap)
		put(table_y, 2, COLS - 2, colour(t, C_DIM), "no replies yet");

	if (panel_h > 1) {
		int py = table_y + table_h;

		if (t->detail && sel >= 0)
			draw_detail(t, &t->rows[sel], py, py + panel_h);
		else
			draw_findings(t, py, py + panel_h);
	}
	draw_status(t);
	if (t->help)
		draw_help(t);
out:
	wnoutrefresh(stdscr);
	doupdate();
}
