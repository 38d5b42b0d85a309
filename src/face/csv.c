/*
 * The CSV face (see csv.h).  Quoting follows RFC 4180: a field with a
 * comma or a double quote is enclosed in double quotes and its quotes
 * doubled (line breaks never reach a field: see put_field).  Lines end with LF, as mtr -C's do and as Unix tools
 * expect; RFC 4180 readers (Python's csv, spreadsheets) accept it.  Numbers
 * carry no unit ("12.5", not "12.5%") so they parse; a cell with no sample
 * is empty, not 0.  The statistics come from the shared column table
 * (columns.h), so a new column there appears here too.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/columns.h"
#include "face/csv.h"
#include "face/names.h"
#include "face/vocab.h"
#include "namer.h"

#define CELL_MAX 2048

/* One row being written: a branch, or one via split of it (via >= 0). */
struct csv_row {
	const struct results *r;
	const struct csv_options *o;
	const struct hop_result *h;
	const struct branch_result *b;	/* NULL: a hop where nothing answered */
	int index;			/* the branch's number at its hop, from 1 */
	int via;			/* index into b->via, or -1 for the branch's own row */
	struct row_stats stats;
};

/*
 * Writes one field, quoted only when it has to be.  Control characters and
 * bytes outside ASCII (a reverse-DNS answer is not to be trusted, nor
 * argv) become '?', so the file is plain text whatever a name held.
 */
static void put_field(FILE *out, const char *text, bool first)
{
	bool quote = strpbrk(text, ",\"") != NULL;

	if (!first)
		fputc(',', out);
	if (quote)
		fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p < 0x20 || *p >= 0x7f ? '?' : *p, out);
	}
	if (quote)
		fputc('"', out);
}

/* Appends text to buf with a space before it unless buf is empty. */
static void append_word(char *buf, size_t len, const char *word)
{
	size_t n = strlen(buf);

	if (n + 1 >= len)
		return;
	snprintf(buf + n, len - n, "%s%s", n ? " " : "", word);
}

static const char *version_of(const struct csv_options *o)
{
	return o->version ? o->version : PACKAGE_VERSION;
}

/* The address an ip_addr prints as, "*" when unset (nothing answered). */
static void cell_addr(const struct ip_addr *a, char *buf, size_t len)
{
	if (addr_is_set(a))
		addr_format(a, buf, len);
	else
		snprintf(buf, len, "*");
}

static void col_version(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s", version_of(w->o));
}

static void col_start(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)w->o->start_time);
}

static void col_status(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s", w->o->status ? w->o->status : "done");
}

static void col_host(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s", w->o->target_name ? w->o->target_name : "");
}

static void col_target(const struct csv_row *w, char *buf, size_t len)
{
	cell_addr(&w->r->config.dst, buf, len);
}

static void col_proto(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s", vocab_proto(w->r->config.proto));
}

static void col_port(const struct csv_row *w, char *buf, size_t len)
{
	if (w->r->config.proto == PROBE_ICMP)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%u", (unsigned)w->r->config.dport);
}

static void col_hop(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%d", w->h->ttl);
}

static void col_branch(const struct csv_row *w, char *buf, size_t len)
{
	if (w->b == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%d", w->index);
}

static void col_ip(const struct csv_row *w, char *buf, size_t len)
{
	if (w->b == NULL)
		snprintf(buf, len, "*");
	else
		cell_addr(&w->b->addr, buf, len);
}

static void col_name(const struct csv_row *w, char *buf, size_t len)
{
	const struct namer *nm = w->o->namer;
	const char *name = NULL;

	if (w->b != NULL && nm != NULL && addr_is_set(&w->b->addr))
		name = nm->lookup(nm->ctx, &w->b->addr);
	snprintf(buf, len, "%s", name ? name : "");
}

static void col_via_hop(const struct csv_row *w, char *buf, size_t len)
{
	if (w->via < 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%d", w->b->via_ttl);
}

static void col_via(const struct csv_row *w, char *buf, size_t len)
{
	struct ip_addr va;

	if (w->via < 0) {
		buf[0] = '\0';
		return;
	}
	va = vocab_via_addr(w->r, w->b, w->via);
	cell_addr(&va, buf, len);
}

static void col_received(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)w->stats.received);
}

/*
 * Whether flow id belongs on this row: every flow of the branch, or for a
 * via row those whose responder at the via TTL was that earlier branch.
 */
static const struct flow_result *row_flow(const struct csv_row *w, int id)
{
	const struct flow_result *f = vocab_flow_by_id(w->r, id);
	struct ip_addr va;
	int k;

	if (f == NULL || w->via < 0)
		return f;
	va = vocab_via_addr(w->r, w->b, w->via);
	k = w->b->via_ttl - w->r->config.first_ttl;
	if (k < 0 || k >= f->path_len || !addr_equal(&f->path[k], &va))
		return NULL;
	return f;
}

static void col_flow_ids(const struct csv_row *w, char *buf, size_t len)
{
	char num[16];

	buf[0] = '\0';
	for (int i = 0; w->b != NULL && i < w->b->nflows; i++)
		if (row_flow(w, w->b->flows[i]) != NULL) {
			snprintf(num, sizeof(num), "%d", w->b->flows[i]);
			append_word(buf, len, num);
		}
}

static void col_ports(const struct csv_row *w, char *buf, size_t len)
{
	char num[16];

	buf[0] = '\0';
	for (int i = 0; w->b != NULL && i < w->b->nflows; i++) {
		const struct flow_result *f = row_flow(w, w->b->flows[i]);

		if (f != NULL) {
			snprintf(num, sizeof(num), "%u", (unsigned)f->sport);
			append_word(buf, len, num);
		}
	}
}

/* The report's Found mark, on the hop's first row only: it is the hop's. */
static void col_found(const struct csv_row *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s", w->index <= 1 && w->via < 0 ? vocab_found_mark(w->h) : "");
}

static void col_router(const struct csv_row *w, char *buf, size_t len)
{
	if (w->b == NULL || w->b->router == 0 || w->via >= 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%d", w->b->router);
}

/* The kinds of the findings that name this branch (at its hop). */
static void col_findings(const struct csv_row *w, char *buf, size_t len)
{
	const struct findings *fs = w->r->findings;

	buf[0] = '\0';
	if (w->b == NULL || w->via >= 0 || fs == NULL)
		return;
	for (int i = 0; i < fs->count; i++) {
		const struct finding *f = &fs->items[i];

		if (f->ttl == w->h->ttl && addr_is_set(&f->addr) && addr_equal(&f->addr, &w->b->addr))
			append_word(buf, len, finding_kind_name(f->kind));
	}
}

struct csv_column {
	const char *title;
	void (*cell)(const struct csv_row *w, char *buf, size_t len);
};

/* Before the statistics: what the row is (mtr's first columns, then ours). */
static const struct csv_column lead_columns[] = {
	{"Ecmptrace_Version", col_version}, {"Start_Time", col_start},
	{"Status", col_status}, {"Host", col_host}, {"Target", col_target},
	{"Protocol", col_proto}, {"Port", col_port}, {"Hop", col_hop},
	{"Branch", col_branch}, {"Ip", col_ip}, {"Name", col_name},
	{"Via_Hop", col_via_hop}, {"Via", col_via},
};

/* After the statistics: the flows and what the run concluded about the row. */
static const struct csv_column tail_columns[] = {
	{"Rcv", col_received}, {"Flow_Ids", col_flow_ids}, {"Source_Ports", col_ports},
	{"Found", col_found}, {"Router", col_router}, {"Findings", col_findings},
};

#define NLEAD (sizeof(lead_columns) / sizeof(lead_columns[0]))
#define NTAIL (sizeof(tail_columns) / sizeof(tail_columns[0]))

/* A statistics cell as a bare number: counts whole, loss and times with decimals. */
static void stat_cell(const struct column *c, const struct row_stats *s, char *buf, size_t len)
{
	double v = c->value(s);

	if (isnan(v))
		buf[0] = '\0';
	else if (c->in_rtt)
		snprintf(buf, len, "%.3f", v);
	else if (strcmp(c->key, "loss_pct") == 0)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

static void put_header(FILE *out)
{
	for (size_t i = 0; i < NLEAD; i++)
		put_field(out, lead_columns[i].title, i == 0);
	for (size_t i = 0; i < stat_column_count; i++)
		put_field(out, stat_columns[i].title, false);
	for (size_t i = 0; i < NTAIL; i++)
		put_field(out, tail_columns[i].title, false);
	fputc('\n', out);
}

static void put_row(FILE *out, const struct csv_row *w)
{
	char cell[CELL_MAX];

	for (size_t i = 0; i < NLEAD; i++) {
		lead_columns[i].cell(w, cell, sizeof(cell));
		put_field(out, cell, i == 0);
	}
	for (size_t i = 0; i < stat_column_count; i++) {
		stat_cell(&stat_columns[i], &w->stats, cell, sizeof(cell));
		put_field(out, cell, false);
	}
	for (size_t i = 0; i < NTAIL; i++) {
		tail_columns[i].cell(w, cell, sizeof(cell));
		put_field(out, cell, false);
	}
	fputc('\n', out);
}

/* A branch's row, then (where its flows came through several earlier branches) one per via. */
static void put_branch(FILE *out, struct csv_row *w)
{
	const struct branch_result *b = w->b;

	w->via = -1;
	w->stats = (struct row_stats){b->received, b->lost, &b->rtt, b->nflows, &b->jitter};
	put_row(out, w);
	for (int k = 0; b->nvia >= 2 && k < b->nvia; k++) {
		const struct via_result *v = &b->via[k];

		w->via = k;
		w->stats = (struct row_stats){v->received, v->lost, &v->rtt, v->nflows, NULL};
		put_row(out, w);
	}
}

void csv_print(FILE *out, const struct results *r, const struct csv_options *o)
{
	names_prefetch(r, o->namer);
	if (!o->no_header)
		put_header(out);
	for (int i = 0; i < r->nhops; i++) {
		struct csv_row w = {.r = r, .o = o, .h = &r->hops[i], .via = -1};

		if (w.h->nbranches == 0) {
			w.stats = (struct row_stats){0, 0, NULL, 0, NULL};
			put_row(out, &w);
			continue;
		}
		for (int j = 0; j < w.h->nbranches; j++) {
			w.b = &w.h->branches[j];
			w.index = j + 1;
			put_branch(out, &w);
		}
	}
}
