/*
 * The Graphviz face (see dot.h).  Node ids are generated ("h3_2": hop 3,
 * branch 2; "src"; "target"), so only labels carry text from outside
 * (names from reverse DNS, the host as typed), and those are escaped for
 * DOT's quoted strings: quotes and backslashes escaped, line breaks as
 * DOT's \n, and bytes outside printable ASCII replaced, so that no name
 * can end a string, start a Graphviz escape (\N, \G, \l) or carry
 * invalid UTF-8 that dot would warn about.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/dot.h"
#include "face/names.h"
#include "face/vocab.h"
#include "namer.h"

#define LABEL_MAX 1024

/* The colour of what a finding blames; the rest stays black. */
#define BLAME_COLOUR "red"

/* Writes text as the inside of a DOT quoted string. */
static void put_escaped(FILE *out, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p >= 0x7f)
			fputc('?', out);
		else
			fputc(*p, out);
	}
}

/* A label: lines joined by DOT's centred line break (escaped one by one). */
static void put_label(FILE *out, const char *const *lines, int n)
{
	bool any = false;

	fputs("label=\"", out);
	for (int i = 0; i < n; i++) {
		if (lines[i] == NULL || lines[i][0] == '\0')
			continue;
		if (any)
			fputs("\\n", out);
		put_escaped(out, lines[i]);
		any = true;
	}
	fputc('"', out);
}

static bool loss_kind(enum finding_kind k)
{
	return k == FINDING_LOSSY_BRANCH || k == FINDING_RETURN_PATH_LOSS ||
	       k == FINDING_DESTINATION_LOSS;
}

/* The findings that name branch b at ttl, as "[kind]" words; false when none. */
static bool blamed(const struct results *r, int ttl, const struct branch_result *b, char *buf,
		   size_t len)
{
	const struct findings *fs = r->findings;
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; fs != NULL && i < fs->count; i++) {
		const struct finding *f = &fs->items[i];

		if (f->ttl != ttl || !addr_is_set(&f->addr) || !addr_equal(&f->addr, &b->addr))
			continue;
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s[%s]", n ? " " : "",
					      finding_kind_name(f->kind));
	}
	return buf[0] != '\0';
}

static void put_source(FILE *out, const struct results *r)
{
	char addr[ADDR_STRLEN] = "";
	const char *lines[2] = {"this host", addr};

	if (addr_is_set(&r->config.src))
		addr_format(&r->config.src, addr, sizeof(addr));
	fputs("\tsrc [shape=ellipse, ", out);
	put_label(out, lines, 2);
	fputs("];\n", out);
}

/* One responder at one hop; the target's own answers are drawn as the target. */
static void put_branch_node(FILE *out, const struct results *r, const struct dot_options *o,
			    const struct hop_result *h, int j)
{
	const struct branch_result *b = &h->branches[j];
	char head[LABEL_MAX], name[LABEL_MAX] = "", figures[128], loss[16], marks[256], rtr[16];
	const char *nm = NULL;
	const char *lines[5] = {head, name, figures, rtr, marks};
	bool blame = blamed(r, h->ttl, b, marks, sizeof(marks));

	if (addr_is_set(&b->addr)) {
		char a[ADDR_STRLEN];

		snprintf(head, sizeof(head), "%d. %s", h->ttl, addr_format(&b->addr, a, sizeof(a)));
		nm = o->namer ? o->namer->lookup(o->namer->ctx, &b->addr) : NULL;
		if (nm != NULL && strcmp(nm, a) != 0)
			snprintf(name, sizeof(name), "%s", nm);
	} else {
		snprintf(head, sizeof(head), "%d. * (no answer)", h->ttl);
	}
	if (b->is_destination)
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "%starget %s",
			 name[0] ? "\n" : "", o->target_name ? o->target_name : "");
	vocab_loss(b->received, b->lost, loss, sizeof(loss));
	snprintf(figures, sizeof(figures), "%s loss of %llu, %d flow%s", loss,
		 (unsigned long long)(b->received + b->lost), b->nflows, b->nflows == 1 ? "" : "s");
	rtr[0] = '\0';
	if (b->router)
		snprintf(rtr, sizeof(rtr), "router R%d", b->router);
	fprintf(out, "\th%d_%d [", h->ttl, j + 1);
	put_label(out, lines, 5);
	if (b->is_destination)
		fputs(", shape=doubleoctagon", out);
	if (!addr_is_set(&b->addr))
		fputs(", style=dashed", out);
	if (blame)
		fputs(", color=" BLAME_COLOUR ", fontcolor=" BLAME_COLOUR ", penwidth=2", out);
	fputs("];\n", out);
}

/*
 * Which branch of hop index i - 1 each flow (by id) came through, -1 for
 * none: one pass over that hop, so that a graph of thousands of flows
 * costs one lookup per flow and edge, not a search.  NULL when out of
 * memory (the edges then carry no figures) or for the first hop.
 */
static int *parents_by_flow(const struct results *r, int i, int *nids)
{
	const struct hop_result *p;
	int max = -1, *map;

	*nids = 0;
	if (i == 0)
		return NULL;
	p = &r->hops[i - 1];
	for (int f = 0; f < r->nflows; f++)
		if (r->flows[f].id > max)
			max = r->flows[f].id;
	map = malloc((size_t)(max + 1) * sizeof(*map) + 1);
	if (map == NULL)
		return NULL;
	for (int f = 0; f <= max; f++)
		map[f] = -1;
	for (int j = 0; j < p->nbranches; j++)
		for (int k = 0; k < p->branches[j].nflows; k++)
			if (p->branches[j].flows[k] >= 0 && p->branches[j].flows[k] <= max)
				map[p->branches[j].flows[k]] = j;
	*nids = max + 1;
	return map;
}

/*
 * The probes at hop i of b's flows that came through parent (-1: from the
 * source; parent_of from parents_by_flow).
 */
static void edge_figures(const struct results *r, int i, const struct branch_result *b,
			 int parent, const int *parent_of, int nids, uint64_t *received,
			 uint64_t *lost, int *nflows)
{
	int k = r->hops[i].ttl - r->config.first_ttl;

	*received = *lost = 0;
	*nflows = 0;
	for (int n = 0; n < b->nflows; n++) {
		const struct flow_result *f = vocab_flow_by_id(r, b->flows[n]);

		int id = b->flows[n];

		if (f == NULL || (parent >= 0 && (parent_of == NULL || id < 0 || id >= nids ||
						  parent_of[id] != parent)))
			continue;
		(*nflows)++;
		if (k >= 0 && k < f->path_len) {
			*received += f->hop_received[k];
			*lost += f->hop_lost[k];
		}
	}
}

/* Whether a finding places loss on exactly this link (its range is one link long). */
static bool range_link(const struct results *r, int from_ttl, const struct ip_addr *from,
		       int to_ttl, const struct ip_addr *to)
{
	const struct findings *fs = r->findings;

	for (int n = 0; fs != NULL && n < fs->count; n++) {
		const struct finding *f = &fs->items[n];

		if (f->range_to_ttl == to_ttl && f->range_from_ttl == from_ttl &&
		    from_ttl + 1 == to_ttl && addr_equal(&f->range_to, to) &&
		    (from_ttl == 0 || addr_equal(&f->range_from, from)))
			return true;
	}
	return false;
}

/* Whether a loss finding names the child node (its flows lose from there on). */
static bool child_blamed(const struct results *r, int ttl, const struct branch_result *b)
{
	const struct findings *fs = r->findings;

	for (int n = 0; fs != NULL && n < fs->count; n++) {
		const struct finding *f = &fs->items[n];

		if (loss_kind(f->kind) && f->ttl == ttl && addr_is_set(&f->addr) &&
		    addr_equal(&f->addr, &b->addr))
			return true;
	}
	return false;
}

/* One edge into branch j of hop i from parent (-1: the source host). */
static void put_edge(FILE *out, const struct results *r, int i, int j, int parent,
		     const int *parent_of, int nids)
{
	const struct hop_result *h = &r->hops[i];
	const struct branch_result *b = &h->branches[j];
	const struct ip_addr *from = parent >= 0 ? &r->hops[i - 1].branches[parent].addr
						 : &r->config.src;
	int from_ttl = parent >= 0 ? r->hops[i - 1].ttl : 0;
	uint64_t received, lost;
	int nflows;
	char loss[16], text[64];
	const char *lines[1] = {text};

	edge_figures(r, i, b, parent, parent_of, nids, &received, &lost, &nflows);
	if (nflows == 0)
		return;
	vocab_loss(received, lost, loss, sizeof(loss));
	snprintf(text, sizeof(text), "%s (%d flow%s)", loss, nflows, nflows == 1 ? "" : "s");
	if (parent >= 0)
		fprintf(out, "\th%d_%d -> h%d_%d [", r->hops[i - 1].ttl, parent + 1, h->ttl, j + 1);
	else
		fprintf(out, "\tsrc -> h%d_%d [", h->ttl, j + 1);
	put_label(out, lines, 1);
	if (!addr_is_set(&b->addr))
		fputs(", style=dashed", out);
	if (range_link(r, from_ttl, from, h->ttl, &b->addr) ||
	    (lost > 0 && child_blamed(r, h->ttl, b)))
		fputs(", color=" BLAME_COLOUR ", fontcolor=" BLAME_COLOUR ", penwidth=2", out);
	fputs("];\n", out);
}

static void put_edges(FILE *out, const struct results *r)
{
	for (int i = 0; i < r->nhops; i++) {
		const struct hop_result *h = &r->hops[i];
		int nids, *parent_of = parents_by_flow(r, i, &nids);

		for (int j = 0; j < h->nbranches; j++) {
			const struct branch_result *b = &h->branches[j];

			if (i == 0) {
				put_edge(out, r, i, j, -1, NULL, 0);
				continue;
			}
			for (int p = 0; p < b->nparents; p++)
				put_edge(out, r, i, j, b->parents[p], parent_of, nids);
		}
		free(parent_of);
	}
}

/*
 * When no branch is the target's own answer (a silent target), the target
 * is still drawn: dashed, after the last hop's branches.
 */
static void put_silent_target(FILE *out, const struct results *r, const struct dot_options *o)
{
	const struct hop_result *last = r->nhops ? &r->hops[r->nhops - 1] : NULL;
	char addr[ADDR_STRLEN], head[LABEL_MAX];
	const char *lines[3] = {head, addr, "no answer"};

	for (int i = 0; i < r->nhops; i++)
		for (int j = 0; j < r->hops[i].nbranches; j++)
			if (r->hops[i].branches[j].is_destination)
				return;
	addr_format(&r->config.dst, addr, sizeof(addr));
	snprintf(head, sizeof(head), "target %s", o->target_name ? o->target_name : "");
	fputs("\ttarget [shape=doubleoctagon, style=dashed, ", out);
	put_label(out, lines, 3);
	fputs("];\n", out);
	if (last == NULL || last->nbranches == 0) {
		fputs("\tsrc -> target [style=dashed];\n", out);
		return;
	}
	for (int j = 0; j < last->nbranches; j++)
		fprintf(out, "\th%d_%d -> target [style=dashed];\n", last->ttl, j + 1);
}

static void put_title(FILE *out, const struct results *r, const struct dot_options *o)
{
	char addr[ADDR_STRLEN], title[LABEL_MAX], port[24] = "";
	const char *lines[1] = {title};

	addr_format(&r->config.dst, addr, sizeof(addr));
	if (r->config.proto != PROBE_ICMP)
		snprintf(port, sizeof(port), " port %u", (unsigned)r->config.dport);
	snprintf(title, sizeof(title), "ecmptrace %s to %s (%s), %s%s, %d flows, %llu rounds%s%s",
		 o->version ? o->version : PACKAGE_VERSION, o->target_name ? o->target_name : "",
		 addr, vocab_proto(r->config.proto), port, r->nflows,
		 (unsigned long long)r->counters.rounds_done,
		 o->status && strcmp(o->status, "done") != 0 ? ", ended by " : "",
		 o->status && strcmp(o->status, "done") != 0 ? o->status : "");
	fputs("\tgraph [rankdir=TB, labelloc=t, ", out);
	put_label(out, lines, 1);
	fputs("];\n", out);
}

void dot_print(FILE *out, const struct results *r, const struct dot_options *o)
{
	names_prefetch(r, o->namer);
	fputs("digraph ecmptrace {\n", out);
	put_title(out, r, o);
	fputs("\tnode [shape=box, fontname=\"Helvetica\"];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=10];\n", out);
	put_source(out, r);
	for (int i = 0; i < r->nhops; i++)
		for (int j = 0; j < r->hops[i].nbranches; j++)
			put_branch_node(out, r, o, &r->hops[i], j);
	put_edges(out, r);
	put_silent_target(out, r, o);
	fputs("}\n", out);
}
