/*
 * The text report (see report.h), in mtr's spirit: fixed columns, one row
 * per hop; where a hop has several branches, the hop row shows what mtr
 * would (everything merged) and each branch follows as an indented
 * sub-row with its own figures.
 */
#include <stdio.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/pmtu.h"
#include "engine/results.h"
#include "face/columns.h"
#include "face/names.h"
#include "face/report.h"
#include "face/reproduce.h"
#include "face/vocab.h"

#define NAME_WIDTH 36		/* host column when not --report-wide */
#define LABEL_MAX 300

static int name_width(const struct results *r, const struct report_options *o)
{
	char buf[LABEL_MAX];
	int w = NAME_WIDTH;

	if (!o->wide)
		return w;
	for (int i = 0; i < r->nhops; i++)
		for (int j = 0; j < r->hops[i].nbranches; j++) {
			const struct ip_addr *a = &r->hops[i].branches[j].addr;
			int n = (int)strlen(names_label(o->namer, a, buf, sizeof(buf))) + 3 +
				(o->asn != NULL ? 12 : 0);

			if (n > w)
				w = n;
		}
	return w;
}

static void print_row(FILE *out, const char *hop, const char *name, int width,
		      const struct row_stats *s, const char *found)
{
	char cell[32];

	fprintf(out, "%4s %-*.*s", hop, width, width, name);
	for (size_t c = 0; c < stat_column_count; c++) {
		stat_columns[c].format(s, cell, sizeof(cell));
		fprintf(out, " %*s", stat_columns[c].width, cell);
	}
	if (found[0])
		fprintf(out, " %7s", found);
	fputc('\n', out);
}

static void print_header(FILE *out, int width)
{
	fprintf(out, "%4s %-*s", "Hop", width, "Host / branch");
	for (size_t c = 0; c < stat_column_count; c++)
		fprintf(out, " %*s", stat_columns[c].width, stat_columns[c].title);
	fprintf(out, " %7s\n", "Found");
}

/* Below a branch its flows reached through different earlier branches: one line each. */
static void print_vias(FILE *out, const struct results *r, const struct report_options *o,
		       const struct branch_result *b, const char *indent, int width)
{
	char name[LABEL_MAX], sub[LABEL_MAX + 32];

	if (b->nvia < 2)
		return;
	for (int k = 0; k < b->nvia; k++) {
		const struct via_result *v = &b->via[k];
		struct row_stats s = {v->received, v->lost, &v->rtt, v->nflows, NULL};
		struct ip_addr va = vocab_via_addr(r, b, k);

		snprintf(sub, sizeof(sub), "%s%s via %s", indent, k + 1 == b->nvia ? "`." : "|.",
			 names_label(o->namer, &va, name, sizeof(name)));
		print_row(out, "", sub, width, &s, "");
	}
}

/*
 * A branch's label: its origin AS with -z ("AS64500 "), its name, and
 * " [R2]" when it is one address of router 2.
 */
static const char *branch_label(const struct report_options *o, const struct branch_result *b,
				char *buf, size_t len)
{
	char name[LABEL_MAX - 40], as[24];	/* room for the AS and the mark */

	names_label(o->namer, &b->addr, name, sizeof(name));
	vocab_asn(addr_is_set(&b->addr) ? o->asn : NULL, &b->addr, as, sizeof(as));
	if (b->router)
		snprintf(buf, len, "%s%s%s [R%d]", as, as[0] ? " " : "", name, b->router);
	else
		snprintf(buf, len, "%s%s%s", as, as[0] ? " " : "", name);
	return buf;
}

/* With -e: the labels the branch's router quoted, one line each, as mtr shows them. */
static void print_mpls(FILE *out, const struct report_options *o, const struct branch_result *b,
		       const char *indent)
{
	char text[64];

	if (!o->mpls)
		return;
	for (int k = 0; k < b->mpls.n; k++) {
		vocab_mpls(b->mpls.entry[k], text, sizeof(text));
		fprintf(out, "%4s %s    %s\n", "", indent, text);
	}
}

static void print_hops(FILE *out, const struct results *r, const struct report_options *o,
		       int width)
{
	char hopno[16], name[LABEL_MAX], sub[LABEL_MAX + 8];

	print_header(out, width);
	for (int i = 0; i < r->nhops; i++) {
		const struct hop_result *h = &r->hops[i];
		int flows = 0;

		for (int j = 0; j < h->nbranches; j++)
			flows += h->branches[j].nflows;
		snprintf(hopno, sizeof(hopno), "%d.", h->ttl);
		if (h->nbranches == 1) {
			const struct branch_result *b = &h->branches[0];
			struct row_stats s = {b->received, b->lost, &b->rtt, b->nflows, &b->jitter};

			print_row(out, hopno, branch_label(o, b, name, sizeof(name)), width, &s,
				  vocab_found_mark(h));
			print_mpls(out, o, b, "");
			print_vias(out, r, o, b, "", width);
			continue;
		}
		if (h->nbranches == 0) {
			struct row_stats s = {0, 0, NULL, 0, NULL};

			print_row(out, hopno, "*", width, &s, vocab_found_mark(h));
			continue;
		}
		{
			struct row_stats s = {h->received, h->lost, &h->rtt, flows, &h->jitter};

			snprintf(name, sizeof(name), "(%d branches)", h->nbranches);
			print_row(out, hopno, name, width, &s, vocab_found_mark(h));
		}
		for (int j = 0; j < h->nbranches; j++) {
			const struct branch_result *b = &h->branches[j];
			struct row_stats s = {b->received, b->lost, &b->rtt, b->nflows, &b->jitter};

			snprintf(sub, sizeof(sub), "%s %s", j + 1 == h->nbranches ? "`-" : "|-",
				 branch_label(o, b, name, sizeof(name)));
			print_row(out, "", sub, width, &s, "");
			print_mpls(out, o, b, j + 1 == h->nbranches ? "   " : "|  ");
			print_vias(out, r, o, b, j + 1 == h->nbranches ? "   " : "|  ", width);
		}
	}
}

/*
 * TTL 1: who spoke for each first-hop address on the link (answers, ARP/ND
 * claims, this host's neighbour entry), and neighbours asked in vain.
 */
static void print_link_layer(FILE *out, const struct results *r)
{
	const struct hop_result *h = r->nhops > 0 && r->hops[0].ttl == 1 ? &r->hops[0] : NULL;
	char addr[ADDR_STRLEN], mac[LLADDR_STRLEN], ev[96];

	if (h == NULL || (h->nneighbours == 0 && h->nlink_checks == 0))
		return;
	fprintf(out, "\nLink layer (TTL 1):\n");
	for (int i = 0; i < h->nneighbours; i++) {
		const struct neighbour_result *n = &h->neighbours[i];

		fprintf(out, "  %-24s %-17s  %s\n",
			addr_format(&n->addr, addr, sizeof(addr)),
			lladdr_format(n->link.addr, n->link.len, mac, sizeof(mac)),
			link_address_describe(&n->link, ev, sizeof(ev)));
	}
	for (int i = 0; i < h->nlink_checks; i++) {
		const struct link_check_result *c = &h->link_checks[i];

		if (c->claimed || c->asked == 0)
			continue;
		fprintf(out, "  %-24s %s\n", addr_format(&c->addr, addr, sizeof(addr)),
			c->unaskable ? "not on a link of this host: not asked"
				     : "asked, no ARP/ND answer");
	}
}

/*
 * Routers seen from several addresses (their route back to us is
 * multipath): the [Rn] marks in the hop list, with the limit that tells.
 */
static void print_routers(FILE *out, const struct results *r)
{
	char addr[ADDR_STRLEN], limit[160];

	if (r->nrouters == 0)
		return;
	fprintf(out, "\nRouters with several addresses (their answers stop together: one ICMP "
		     "limit):\n");
	for (int i = 0; i < r->nrouters; i++) {
		const struct router_result *rr = &r->routers[i];

		fprintf(out, "  R%d, TTL %d:", rr->id, rr->ttl);
		for (int k = 0; k < rr->naddrs; k++)
			fprintf(out, " %s", addr_format(&rr->addrs[k], addr, sizeof(addr)));
		vocab_router_limit(rr, limit, sizeof(limit));
		fprintf(out, "\n      limit: %s\n", limit);
	}
}

/* Whether the flows left from more than one source address (one per uplink). */
static bool several_sources(const struct results *r)
{
	for (int i = 1; i < r->nflows; i++)
		if (addr_is_set(&r->flows[i].src) && addr_is_set(&r->flows[0].src) &&
		    !addr_equal(&r->flows[i].src, &r->flows[0].src))
			return true;
	return false;
}

static void print_flows(FILE *out, const struct results *r)
{
	char addr[ADDR_STRLEN];
	bool v6 = r->config.dst.family == AF_INET6, sources = several_sources(r);

	fprintf(out, "\nFlows (end to end):\n");
	fprintf(out, "%5s %6s%s", "Flow", vocab_port_title(r),
		v6 ? "   Label" : "");
	if (sources)
		fprintf(out, " %-*s", v6 ? 24 : 15, "Source");
	fprintf(out, " %6s %5s %7s  %s\n", "Loss%", "Snt", "Avg", "Path");
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		char loss[16], avg[16];

		vocab_loss(f->received, f->lost, loss, sizeof(loss));
		if (f->rtt.n)
			vocab_ms(f->rtt.mean, avg, sizeof(avg));
		else
			snprintf(avg, sizeof(avg), "-");
		fprintf(out, "%5d %6u", f->id, f->sport);
		if (v6)
			fprintf(out, " %7x", f->flow_label);
		if (sources)
			fprintf(out, " %-*s", v6 ? 24 : 15,
				addr_is_set(&f->src) ? addr_format(&f->src, addr, sizeof(addr)) : "-");
		fprintf(out, " %6s %5llu %7s  ", loss, (unsigned long long)(f->received + f->lost),
			avg);
		/* "*": probed and silent; "-": not probed at that TTL (discovery used it elsewhere). */
		for (int k = 0; k < f->path_len; k++)
			fprintf(out, "%s%s", k ? " > " : "",
				addr_is_set(&f->path[k]) || f->hop_received[k] + f->hop_lost[k] > 0
					? addr_format(&f->path[k], addr, sizeof(addr)) : "-");
		if (f->received + f->lost == 0 && f->dest_ttl == 0)
			fprintf(out, "%s(discovery only)", f->path_len ? " " : "");
		else if (f->dest_ttl == 0)
			fprintf(out, "%s(target not reached)", f->path_len ? " " : "");
		fputc('\n', out);
	}
}

/*
 * Path MTU (engine/pmtu.h) of the branches of every hop that splits, or
 * of the target when no hop does: "Path MTU: hop 2 10.0.2.2 1500,
 * 10.0.3.2 1396 (no PMTU messages)".  Nothing while none is measured.
 */
static void print_pmtu(FILE *out, const struct results *r)
{
	char a[ADDR_STRLEN];
	bool any = false, split = false;

	for (int h = 0; h < r->nhops; h++)
		split = split || r->hops[h].nbranches > 1;
	for (int h = 0; h < r->nhops; h++) {
		const struct hop_result *hop = &r->hops[h];
		int shown = 0;

		if (split ? hop->nbranches < 2 : hop->ttl != r->dest_ttl)
			continue;
		for (int b = 0; b < hop->nbranches; b++) {
			const struct branch_result *br = &hop->branches[b];

			if (br->pmtu_bytes == 0)
				continue;
			if (!any)
				fprintf(out, "\nPath MTU (largest don't-fragment packet to the target):\n");
			any = true;
			if (shown++ == 0)
				fprintf(out, "  hop %d:", hop->ttl);
			fprintf(out, "%s %s %u%s", shown > 1 ? "," : "", addr_format(&br->addr, a, sizeof(a)),
				(unsigned)br->pmtu_bytes,
				br->pmtu_bytes >= PMTU_CEILING || br->pmtu_ptb ? ""
				: br->pmtu_both_ways ? " (there and back: perhaps the way back's)"
						     : " (no PMTU messages)");
		}
		if (shown)
			fprintf(out, "\n");
	}
}

static void print_findings(FILE *out, const struct results *r, const struct report_options *o)
{
	const struct findings *fs = r->findings;
	char cmd[512];

	fprintf(out, "\nFindings:\n");
	if (fs == NULL || fs->count == 0) {
		fprintf(out, "  none: no branch, flow or hop stands out.\n");
		return;
	}
	for (int i = 0; i < fs->count; i++) {
		const struct finding *f = &fs->items[i];

		fprintf(out, "  [%s] %s\n", finding_kind_name(f->kind), f->summary);
		if (f->kind == FINDING_LINK_ADDRESS_CONFLICT || f->kind == FINDING_LINK_ADDRESS_SHARED)
			fprintf(out, "      reproduce: %s\n",
				reproduce_neighbour(&f->addr, f->kind == FINDING_LINK_ADDRESS_SHARED, cmd,
						    sizeof(cmd)));
		if (f->kind != FINDING_LOSSY_BRANCH && f->kind != FINDING_RETURN_PATH_LOSS &&
		    f->kind != FINDING_MTU_BRANCH)
			continue;
		for (int k = 0; k < f->nflows && k < 8; k++)
			fprintf(out, "      reproduce: %s\n", f->kind == FINDING_MTU_BRANCH
				? reproduce_mtu(r, o->target_name, f->source_ports[k], f->pmtu_others,
						cmd, sizeof(cmd))
				: reproduce_command(r, o->target_name, f->source_ports[k], cmd,
						    sizeof(cmd)));
		if (f->nflows > 8)
			fprintf(out, "      (and %d more source ports)\n", f->nflows - 8);
	}
}

void report_print(FILE *out, const struct results *r, const struct report_options *o)
{
	char dst[ADDR_STRLEN];
	int width;

	names_prefetch(r, o->namer);
	names_prefetch(r, o->asn);
	width = name_width(r, o);
	addr_format(&r->config.dst, dst, sizeof(dst));
	fprintf(out, "ecmptrace %s to %s (%s), %s", PACKAGE_VERSION, o->target_name, dst,
		vocab_proto(r->config.proto));
	if (r->config.proto != PROBE_ICMP)
		fprintf(out, " port %u", r->config.dport);
	fprintf(out, ", %d flows, %llu rounds", r->nflows,
		(unsigned long long)r->counters.rounds_done);
	if (o->started)
		fprintf(out, ", started %s", o->started);
	fputc('\n', out);
	print_hops(out, r, o, width);
	print_link_layer(out, r);
	print_routers(out, r);
	print_pmtu(out, r);
	print_flows(out, r);
	print_findings(out, r, o);
	/* Someone answered in our flows' name without the probes' MAC: worth knowing, never counted. */
	if (r->counters.unauthenticated > 0)
		fprintf(out, "Ignored %llu answers that failed authentication (forged, or altered on "
			"the way)\n", (unsigned long long)r->counters.unauthenticated);
}
