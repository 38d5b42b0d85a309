/*
 * The live view's header and table: which shared statistics columns fit
 * (columns.h, as mtr does), the header lines, the column titles and one
 * row of the branch tree, flows or merged-hops view.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/tui_draw.h"
#include "face/tui_int.h"
#include "face/vocab.h"

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

/*
 * A row's numbers: the shared statistics (columns.h) and what only the
 * flows view shows.
 */
struct row_figs {
	struct row_stats st;
	int dest_ttl;		/* flows view: TTL at which the target answered; 0 if never */
};

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
	/* mtr shows jitter instead of the RTT columns on a key; here: when it fits. */
	{"jitter_avg", 8, V_ALL, false},
	{"jitter_max", 9, V_ALL, false},
	{"jitter", 10, V_ALL, false},
	{"jitter_inter", 11, V_ALL, false},
};
#define NRULES (sizeof(col_rules) / sizeof(col_rules[0]))
#define DROP_UNKNOWN 8

/* The flows view's own last column: the TTL at which the flow reached the target. */
#define HOPS_TITLE "Hops"
#define HOPS_WIDTH 4
#define HOPS_DROP 4

static const struct col_rule *rule_for(const char *key)
{
	for (size_t i = 0; i < NRULES; i++) {
		if (!strcmp(col_rules[i].key, key))
			return &col_rules[i];
	}
	return NULL;
}

void tui_plan_columns(const struct tui *t, struct layout *L)
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

static const char *const view_names[TUI_VIEW_COUNT] = {"branches", "flows", "hops (merged)"};
static const char *const sort_names[TUI_SORT_COUNT] = {"port", "loss", "rtt", "path"};

/*
 * What branch discovery concluded, over all hops it covered, in the
 * same verdicts as the report (vocab.h); the hop rows carry the marks.
 */
static void draw_discovery(const struct results *r, int x)
{
	int covered = 0, open = 0, limited = 0, perpkt = 0, confidence = 0;

	for (int i = 0; i < r->nhops; i++) {
		enum vocab_found v = vocab_found(&r->hops[i]);

		if (v == FOUND_NONE)
			continue;
		covered++;
		confidence = r->hops[i].confidence;
		open += v != FOUND_COMPLETE;
		limited += v == FOUND_PART_RL;
		perpkt += v == FOUND_PER_PACKET;
	}
	if (covered == 0)
		return;
	if (open == 0)
		tui_putf(0, x, COLS - x, 0, "  all branches found (%d%%)", confidence);
	else
		tui_putf(0, x, COLS - x, 0, "  discovery incomplete at %d hop%s%s%s", open,
			 open == 1 ? "" : "s", limited ? " (ICMP rate limits)" : "",
			 perpkt ? " (per-packet balancing)" : "");
}

void tui_draw_header(struct tui *t)
{
	const struct results *r = t->snap;
	char addr[ADDR_STRLEN], line[512];
	const char *proto = r ? vocab_proto(r->config.proto) : "?";
	int x = 0;

	addr_format(&t->opt.target, addr, sizeof(addr));
	if (!t->opt.target_name || !strcmp(t->opt.target_name, addr))
		snprintf(line, sizeof(line), "ecmptrace to %s", addr);
	else
		snprintf(line, sizeof(line), "ecmptrace to %s (%s)", t->opt.target_name, addr);
	x += tui_put(0, 0, COLS, A_BOLD, line);
	if (r && r->config.proto != PROBE_ICMP)
		x += tui_putf(0, x, COLS - x, 0, "  %s port %u", proto, (unsigned)r->config.dport);
	else if (r)
		x += tui_putf(0, x, COLS - x, 0, "  %s", proto);
	if (r)
		draw_discovery(r, x);

	x = 0;
	if (t->paused)
		x += tui_put(1, 0, COLS, A_REVERSE | A_BOLD, "PAUSED") + 1;
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
			 !t->opt.namer ? "n/a" : t->numeric ? "off" : "on", view_names[t->view]);
		x += tui_put(1, x, COLS - x, 0, line);
		if (t->view == TUI_VIEW_FLOWS)
			tui_putf(1, x, COLS - x, 0, "  sort: %s", sort_names[t->sort]);
	} else {
		tui_put(1, x, COLS - x, tui_colour(t, C_DIM), "waiting for the first results...");
	}
}

void tui_draw_col_titles(const struct tui *t, const struct layout *L, int y)
{
	static const char *const first[TUI_VIEW_COUNT] = {"Hop / branch", "Flow   Path", "Hop"};
	int x = 2;

	tui_put(y, x, L->host_w, A_BOLD, first[t->view]);
	x += L->host_w;
	for (int i = 0; i < L->ncol; i++) {
		const char *title = L->col[i].c ? L->col[i].c->title : HOPS_TITLE;

		tui_putf(y, x, L->col[i].width + 1, A_BOLD, "%*s", L->col[i].width + 1, title);
		x += L->col[i].width + 1;
	}
	if (L->ports_w)
		tui_put(y, x, L->ports_w, A_BOLD, "  Source ports");
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
			     tui_branch_letter(p));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/*
 * Marks a hop whose branch discovery did not conclude with the report's
 * Found mark (vocab.h): " part", " part/rl" (ICMP rate limits), " per-pkt".
 */
static void discovery_suffix(const struct hop_result *h, char *buf, size_t len)
{
	size_t used = strlen(buf);
	enum vocab_found v = vocab_found(h);

	if (v == FOUND_NONE || v == FOUND_COMPLETE || used + 1 >= len)
		return;
	snprintf(buf + used, len - used, " %s", vocab_found_mark(h));
}

/* The first column of a tree or merged-hops row. */
static void host_text(const struct tui *t, const struct tui_row *row, char *buf, size_t len)
{
	const struct results *r = t->snap;
	const struct hop_result *h = &r->hops[row->hop];
	char name[300], par[64], text[64];

	if (row->label > 0) {
		/* Under its branch, like the via rows, as mtr -e shows a label. */
		vocab_mpls(h->branches[row->branch].mpls.entry[row->label - 1], text, sizeof(text));
		snprintf(buf, len, "    %s%s    %s", row->sub ? (row->last_sub ? "  " : t->g->vline) : "",
			 row->sub && !row->last_sub ? " " : "", text);
		return;
	}
	if (row->via >= 0) {
		const struct branch_result *b = &h->branches[row->branch];
		const struct via_result *v = &b->via[row->via];
		struct ip_addr va = vocab_via_addr(r, b, row->via);

		snprintf(buf, len, "    %s%s%s via %d%c %s", row->sub ? (row->last_sub ? "  " : t->g->vline) : "",
			 row->sub && !row->last_sub ? " " : "", row->last_via ? t->g->corner : t->g->tee,
			 b->via_ttl, tui_branch_letter(v->branch), tui_addr_name(t, &va, name, sizeof(name)));
		return;
	}
	if (row->sub) {
		const struct branch_result *b = &h->branches[row->branch];

		parent_suffix(r, row->hop, b, par, sizeof(par));
		snprintf(buf, len, "    %s%c %s%s%s", row->last_sub ? t->g->corner : t->g->tee,
			 tui_branch_letter(row->branch), tui_addr_name(t, &b->addr, name, sizeof(name)),
			 b->is_unreachable ? " !U" : "", par);
		return;
	}
	if (t->view == TUI_VIEW_HOPS || row->branch < 0) {
		if (h->nbranches == 0)
			snprintf(buf, len, "%2d. *", h->ttl);
		else if (t->view == TUI_VIEW_HOPS && h->nbranches > 1)
			snprintf(buf, len, "%2d. %s (+%d)", h->ttl,
				 tui_addr_name(t, &h->branches[0].addr, name, sizeof(name)), h->nbranches - 1);
		else if (t->view == TUI_VIEW_HOPS)
			snprintf(buf, len, "%2d. %s", h->ttl,
				 tui_addr_name(t, &h->branches[0].addr, name, sizeof(name)));
		else
			snprintf(buf, len, "%2d. %d branches", h->ttl, h->nbranches);
		discovery_suffix(h, buf, len);
		return;
	}
	snprintf(buf, len, "%2d. %s%s", h->ttl,
		 tui_addr_name(t, &h->branches[row->branch].addr, name, sizeof(name)),
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

	vocab_flow_ident(r, f, id, sizeof(id));
	w = snprintf(buf, len, "%5s ", id);
	if (w < 0 || (size_t)w >= len)
		return;
	used = (size_t)w;
	for (int h = 0; h < r->nhops && used + 1 < len; h++) {
		int p = r->hops[h].ttl - r->config.first_ttl;

		if (r->hops[h].nbranches < 2 || p < 0 || p >= f->path_len)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", parts ? " > " : " ",
			     tui_addr_name(t, &f->path[p], name, sizeof(name)));
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
		parts++;
	}
	if (!parts && f->path_len > 0) {
		int p = f->path_len - 1;

		while (p > 0 && !addr_is_set(&f->path[p]))
			p--;
		w = snprintf(buf + used, len - used, " %s", tui_addr_name(t, &f->path[p], name, sizeof(name)));
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
		s->jitter = &f->jitter;
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
		s->jitter = &b->jitter;
		s->nflows = b->nflows;
	} else {
		const struct hop_result *h = &r->hops[row->hop];

		s->received = h->received;
		s->lost = h->lost;
		s->rtt = &h->rtt;
		s->jitter = &h->jitter;
		for (int b = 0; b < h->nbranches; b++)
			s->nflows += h->branches[b].nflows;
	}
}

void tui_draw_row(struct tui *t, const struct layout *L, const struct tui_row *row,
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
		tui_put(y, 0, 2, base | A_BOLD, ">");
	}
	if (row->flow >= 0) {
		flow_text(t, &t->snap->flows[row->flow], text, sizeof(text));
	} else {
		host_text(t, row, text, sizeof(text));
		if ((row->branch < 0 || row->label > 0) && t->view == TUI_VIEW_TREE)
			host_attr |= tui_colour(t, C_DIM);
	}
	/* A label row is words only: its figures are its branch's, one row up. */
	if (row->label > 0) {
		tui_put_more(t, y, x, COLS - x, host_attr, text);
		return;
	}
	tui_put_more(t, y, x, L->host_w - 1, host_attr, text);
	x += L->host_w;
	for (int i = 0; i < L->ncol; i++) {
		attr_t a = base;

		cell_text(&L->col[i], &fg, cell, sizeof(cell));
		if (L->col[i].is_loss)
			a |= tui_loss_attr(t, fg.st.received, fg.st.lost);
		tui_putf(y, x, L->col[i].width + 1, a, "%*s", L->col[i].width + 1, cell);
		x += L->col[i].width + 1;
	}
	if (L->ports_w && row->branch >= 0) {
		const struct branch_result *b = &t->snap->hops[row->hop].branches[row->branch];
		int ids[512], n;

		if (row->via >= 0) {
			struct ip_addr va = vocab_via_addr(t->snap, b, row->via);

			n = tui_via_flows(t->snap, b, &va, ids, (int)(sizeof(ids) / sizeof(ids[0])));
			tui_flow_list(t->snap, ids, n, text, sizeof(text));
		} else {
			tui_flow_list(t->snap, b->flows, b->nflows, text, sizeof(text));
		}
		tui_put_more(t, y, x + 2, L->ports_w - 2, base, text);
	}
}

