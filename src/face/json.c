/*
 * The JSON document (see json.h), built with cJSON from a results snapshot.
 * Times are milliseconds with microsecond precision; addresses are strings,
 * null where nothing answered.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/columns.h"
#include "face/json.h"
#include "face/json_run.h"
#include "face/names.h"
#include "face/reproduce.h"
#include "face/vocab.h"
#include "namer.h"

cJSON *json_address(const struct ip_addr *a)
{
	char buf[ADDR_STRLEN];

	if (!addr_is_set(a))
		return cJSON_CreateNull();
	return cJSON_CreateString(addr_format(a, buf, sizeof(buf)));
}

static cJSON *name_of(const struct json_options *o, const struct ip_addr *a)
{
	const char *name = o->namer ? o->namer->lookup(o->namer->ctx, a) : NULL;

	return name ? cJSON_CreateString(name) : cJSON_CreateNull();
}

/* With -z: the origin AS as a number, null while unknown. */
static cJSON *asn_of(const struct json_options *o, const struct ip_addr *a)
{
	const char *as = addr_is_set(a) ? o->asn->lookup(o->asn->ctx, a) : NULL;
	long long n = 0;

	for (const char *p = as; p != NULL && *p >= '0' && *p <= '9' && n <= 0xffffffffLL; p++)
		n = n * 10 + (*p - '0');
	return as != NULL && as[0] != '\0' && n <= 0xffffffffLL ? cJSON_CreateNumber((double)n)
							       : cJSON_CreateNull();
}

/* The MPLS label stack a branch's router quoted (RFC 4950), outermost first. */
static cJSON *mpls_stack(const struct mpls_stack *m)
{
	cJSON *arr = cJSON_CreateArray();

	for (int k = 0; k < m->n; k++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddNumberToObject(e, "label", mpls_label(m->entry[k]));
		cJSON_AddNumberToObject(e, "tc", mpls_tc(m->entry[k]));
		cJSON_AddNumberToObject(e, "s", mpls_s(m->entry[k]));
		cJSON_AddNumberToObject(e, "ttl", mpls_ttl(m->entry[k]));
		cJSON_AddItemToArray(arr, e);
	}
	return arr;
}

/* Rounds to 3 decimals so the output does not carry float noise. */
static double round3(double v)
{
	return round(v * 1000.0) / 1000.0;
}

/* A column's value, rounded; null where the column has no sample. */
static cJSON *column_value(const struct column *c, const struct row_stats *s)
{
	double v = c->value(s);

	return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(round3(v));
}

/*
 * A row's figures through the shared column table (columns.h), under the
 * columns' JSON names: sent and loss_pct beside received, and with rtt the
 * "rtt_ms" object (last, min, avg, max, stddev; null without a sample).
 */
static void add_stats(cJSON *o, const struct row_stats *s, bool rtt)
{
	cJSON *times = NULL;

	for (size_t i = 0; i < stat_column_count; i++) {
		const struct column *c = &stat_columns[i];

		if (c->json != NULL && !c->in_rtt)
			cJSON_AddItemToObject(o, c->json, column_value(c, s));
	}
	cJSON_AddNumberToObject(o, "received", (double)s->received);
	if (!rtt)
		return;
	times = cJSON_AddObjectToObject(o, "rtt_ms");
	for (size_t i = 0; i < stat_column_count; i++) {
		const struct column *c = &stat_columns[i];

		if (c->json != NULL && c->in_rtt)
			cJSON_AddItemToObject(times, c->json, column_value(c, s));
	}
}

/*
 * Path MTU (pmtu.h): bytes, null while not known; whether PMTU messages
 * came; whether the size may be the way back's (ICMP echo replies).
 */
static void add_pmtu(cJSON *o, uint16_t bytes, bool ptb, bool both_ways)
{
	if (bytes)
		cJSON_AddNumberToObject(o, "pmtu_bytes", bytes);
	else
		cJSON_AddNullToObject(o, "pmtu_bytes");
	cJSON_AddBoolToObject(o, "pmtu_messages", ptb);
	cJSON_AddBoolToObject(o, "pmtu_both_ways", both_ways);
}

static cJSON *int_array(const int *v, int n)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
	return a;
}

static cJSON *vias(const struct results *r, const struct branch_result *b)
{
	cJSON *arr = cJSON_CreateArray();

	for (int k = 0; k < b->nvia; k++) {
		const struct via_result *v = &b->via[k];
		struct row_stats st = {v->received, v->lost, &v->rtt, v->nflows, NULL};
		struct ip_addr va = vocab_via_addr(r, b, k);
		cJSON *vo = cJSON_CreateObject();

		cJSON_AddNumberToObject(vo, "ttl", b->via_ttl);
		cJSON_AddItemToObject(vo, "address", json_address(&va));
		add_stats(vo, &st, false);
		cJSON_AddNumberToObject(vo, "flow_count", v->nflows);
		cJSON_AddItemToArray(arr, vo);
	}
	return arr;
}

static cJSON *discovery(const struct hop_result *h)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddBoolToObject(d, "complete", h->discovery_complete);
	if (h->confidence)
		cJSON_AddNumberToObject(d, "confidence", h->confidence);
	else
		cJSON_AddNullToObject(d, "confidence");
	cJSON_AddBoolToObject(d, "rate_limited", h->rate_limited);
	cJSON_AddBoolToObject(d, "per_vertex", h->discovery_per_vertex);
	cJSON_AddBoolToObject(d, "per_packet", h->per_packet);
	cJSON_AddNumberToObject(d, "flows_probed", h->flows_probed);
	return d;
}

/* What one link-layer address did for its IP: answers, claims, this host's table. */
static void add_link_evidence(cJSON *o, const struct link_address *l)
{
	cJSON_AddNumberToObject(o, "answers", (double)l->answers);
	cJSON_AddNumberToObject(o, "claims", (double)l->claims);
	cJSON_AddBoolToObject(o, "in_neighbour_table", l->in_table);
}

/* The link-layer addresses that spoke for a first-hop responder (empty elsewhere). */
static cJSON *link_addresses(const struct branch_result *b)
{
	cJSON *arr = cJSON_CreateArray();
	char m[LLADDR_STRLEN];

	for (int k = 0; k < b->nlink_addrs; k++) {
		cJSON *la = cJSON_CreateObject();

		cJSON_AddStringToObject(la, "address", lladdr_format(b->link_addrs[k].addr,
								     b->link_addrs[k].len, m, sizeof(m)));
		add_link_evidence(la, &b->link_addrs[k]);
		cJSON_AddItemToArray(arr, la);
	}
	return arr;
}

/* TTL 1: every (address, link-layer address) pair seen on the segment. */
static cJSON *neighbours(const struct hop_result *h)
{
	cJSON *arr = cJSON_CreateArray();
	char a[ADDR_STRLEN], m[LLADDR_STRLEN];

	for (int k = 0; k < h->nneighbours; k++) {
		const struct neighbour_result *n = &h->neighbours[k];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", addr_format(&n->addr, a, sizeof(a)));
		cJSON_AddStringToObject(o, "link_address",
					lladdr_format(n->link.addr, n->link.len, m, sizeof(m)));
		add_link_evidence(o, &n->link);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* TTL 1: the neighbours the link-layer check asked, and how that went. */
static cJSON *link_checks(const struct hop_result *h)
{
	cJSON *arr = cJSON_CreateArray();
	char a[ADDR_STRLEN];

	for (int k = 0; k < h->nlink_checks; k++) {
		const struct link_check_result *c = &h->link_checks[k];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", addr_format(&c->addr, a, sizeof(a)));
		cJSON_AddNumberToObject(o, "asked", (double)c->asked);
		cJSON_AddBoolToObject(o, "claimed", c->claimed);
		cJSON_AddBoolToObject(o, "on_link", !c->unaskable);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *json_hops(const struct results *r, const struct json_options *o)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; i < r->nhops; i++) {
		const struct hop_result *h = &r->hops[i];
		cJSON *hop = cJSON_CreateObject(), *branches = cJSON_CreateArray();

		cJSON_AddNumberToObject(hop, "ttl", h->ttl);
		cJSON_AddItemToObject(hop, "discovery", discovery(h));
		for (int j = 0; j < h->nbranches; j++) {
			const struct branch_result *b = &h->branches[j];
			struct row_stats st = {b->received, b->lost, &b->rtt, b->nflows, &b->jitter};
			cJSON *br = cJSON_CreateObject();

			cJSON_AddItemToObject(br, "address", json_address(&b->addr));
			cJSON_AddItemToObject(br, "name", name_of(o, &b->addr));
			if (o->asn != NULL)
				cJSON_AddItemToObject(br, "asn", asn_of(o, &b->addr));
			add_stats(br, &st, true);
			cJSON_AddItemToObject(br, "flows", int_array(b->flows, b->nflows));
			cJSON_AddItemToObject(br, "parents", int_array(b->parents, b->nparents));
			cJSON_AddBoolToObject(br, "is_destination", b->is_destination);
			cJSON_AddItemToObject(br, "via", vias(r, b));
			cJSON_AddItemToObject(br, "link_addresses", link_addresses(b));
			if (b->mpls.n > 0)
				cJSON_AddItemToObject(br, "mpls", mpls_stack(&b->mpls));
			if (b->router)
				cJSON_AddNumberToObject(br, "router", b->router);
			else
				cJSON_AddNullToObject(br, "router");
			add_pmtu(br, b->pmtu_bytes, b->pmtu_ptb, b->pmtu_both_ways);
			cJSON_AddItemToArray(branches, br);
		}
		cJSON_AddItemToObject(hop, "branches", branches);
		if (h->ttl == 1) {
			cJSON_AddItemToObject(hop, "neighbours", neighbours(h));
			cJSON_AddItemToObject(hop, "link_checks", link_checks(h));
		}
		cJSON_AddItemToArray(arr, hop);
	}
	return arr;
}

cJSON *json_flows(const struct results *r)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		struct row_stats st = {f->received, f->lost, &f->rtt, 1, &f->jitter};
		cJSON *fl = cJSON_CreateObject(), *path = cJSON_CreateArray();

		cJSON_AddNumberToObject(fl, "id", f->id);
		cJSON_AddNumberToObject(fl, "source_port", f->sport);
		cJSON_AddItemToObject(fl, "source_address", json_address(&f->src));
		if (r->config.dst.family == AF_INET6)
			cJSON_AddNumberToObject(fl, "flow_label", f->flow_label);
		else
			cJSON_AddNullToObject(fl, "flow_label");
		for (int k = 0; k < f->path_len; k++)
			cJSON_AddItemToArray(path, json_address(&f->path[k]));
		cJSON_AddItemToObject(fl, "path", path);
		add_stats(fl, &st, true);
		cJSON_AddNumberToObject(fl, "dest_ttl", f->dest_ttl);
		cJSON_AddNumberToObject(fl, "path_changes", f->path_changes);
		add_pmtu(fl, f->pmtu_bytes, f->pmtu_ptb, f->pmtu_both_ways);
		cJSON_AddItemToArray(arr, fl);
	}
	return arr;
}

/* The causes that remain, most likely first. */
static cJSON *json_causes(const struct finding *f)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; i < f->ncauses; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(finding_cause_name(f->causes[i])));
	return arr;
}

/* Where forward loss can lie, or null when the finding does not place it. */
static cJSON *json_range(const struct finding *f)
{
	cJSON *o;

	if (f->range_to_ttl == 0)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "from_ttl", f->range_from_ttl);
	cJSON_AddItemToObject(o, "from_address", json_address(&f->range_from));
	if (f->range_to_ttl == RANGE_TO_TARGET)
		cJSON_AddNullToObject(o, "to_ttl");	/* the target's hop is not known */
	else
		cJSON_AddNumberToObject(o, "to_ttl", f->range_to_ttl);
	cJSON_AddItemToObject(o, "to_address", json_address(&f->range_to));
	return o;
}

/* slow-branch: how much longer its flows' round trips are, with the test behind it. */
static cJSON *json_latency(const struct finding *f)
{
	cJSON *o = cJSON_CreateObject(), *ci = cJSON_CreateArray();

	cJSON_AddNumberToObject(o, "shift_ms", round3(f->shift_us / 1000.0));
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(round3(f->shift_lo_us / 1000.0)));
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(round3(f->shift_hi_us / 1000.0)));
	cJSON_AddItemToObject(o, "interval_ms", ci);
	cJSON_AddNumberToObject(o, "median_ms", round3(f->median_us / 1000.0));
	cJSON_AddNumberToObject(o, "baseline_median_ms", round3(f->baseline_median_us / 1000.0));
	cJSON_AddNumberToObject(o, "p_value", f->p_value);
	return o;
}

cJSON *json_finding(const struct results *r, const struct finding *f,
		    const struct json_options *o)
{
	cJSON *fo = cJSON_CreateObject(), *ports = cJSON_CreateArray(),
	      *repro = cJSON_CreateArray(), *ci = cJSON_CreateArray(),
	      *unplaced = cJSON_CreateArray();
	char cmd[512];

	cJSON_AddStringToObject(fo, "kind", finding_kind_name(f->kind));
	cJSON_AddNumberToObject(fo, "ttl", f->ttl);
	cJSON_AddItemToObject(fo, "address", json_address(&f->addr));
	cJSON_AddItemToObject(fo, "previous_address", json_address(&f->prev_addr));
	cJSON_AddNumberToObject(fo, "received", (double)f->received);
	cJSON_AddNumberToObject(fo, "lost", (double)f->lost);
	cJSON_AddNumberToObject(fo, "loss_pct", round3(f->loss_pct));
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(round3(f->ci_lo_pct)));
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(round3(f->ci_hi_pct)));
	cJSON_AddItemToObject(fo, "interval_pct", ci);
	cJSON_AddNumberToObject(fo, "baseline_pct", round3(f->baseline_pct));
	cJSON_AddItemToObject(fo, "flows", int_array(f->flows, f->nflows));
	for (int k = 0; k < f->nflows; k++) {
		cJSON_AddItemToArray(ports, cJSON_CreateNumber(f->source_ports[k]));
		if (f->kind == FINDING_MTU_BRANCH)
			cJSON_AddItemToArray(repro, cJSON_CreateString(reproduce_mtu(
				r, o->target_name, f->source_ports[k], f->pmtu_others, cmd,
				sizeof(cmd))));
		if (f->kind == FINDING_LOSSY_BRANCH || f->kind == FINDING_RETURN_PATH_LOSS ||
		    f->kind == FINDING_SLOW_BRANCH)
			cJSON_AddItemToArray(repro, cJSON_CreateString(reproduce_command(
				r, o->target_name, f->source_ports[k], cmd, sizeof(cmd))));
	}
	for (int k = 0; k < f->nunplaced; k++)
		cJSON_AddItemToArray(unplaced, cJSON_CreateNumber(f->unplaced_ports[k]));
	if (f->kind == FINDING_LINK_ADDRESS_CONFLICT || f->kind == FINDING_LINK_ADDRESS_SHARED)
		cJSON_AddItemToArray(repro, cJSON_CreateString(reproduce_neighbour(
			&f->addr, f->kind == FINDING_LINK_ADDRESS_SHARED, cmd, sizeof(cmd))));
	cJSON_AddItemToObject(fo, "source_ports", ports);
	cJSON_AddItemToObject(fo, "reproduce", repro);
	cJSON_AddItemToObject(fo, "unplaced_source_ports", unplaced);
	cJSON_AddItemToObject(fo, "causes", json_causes(f));
	cJSON_AddItemToObject(fo, "range", json_range(f));
	if (f->kind == FINDING_SLOW_BRANCH)
		cJSON_AddItemToObject(fo, "latency", json_latency(f));
	if (f->kind == FINDING_MTU_BRANCH) {
		cJSON *m = cJSON_AddObjectToObject(fo, "pmtu");

		cJSON_AddNumberToObject(m, "bytes", f->pmtu_bytes);
		cJSON_AddNumberToObject(m, "others_bytes", f->pmtu_others);
		cJSON_AddBoolToObject(m, "messages", f->pmtu_messages);
	}
	cJSON_AddStringToObject(fo, "summary", f->summary);
	return fo;
}

static cJSON *findings(const struct results *r, const struct json_options *o)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; r->findings && i < r->findings->count; i++)
		cJSON_AddItemToArray(arr, json_finding(r, &r->findings->items[i], o));
	return arr;
}

/* Routers seen from several addresses: one ICMP rate limit between them. */
static cJSON *routers(const struct results *r)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; i < r->nrouters; i++) {
		const struct router_result *rr = &r->routers[i];
		cJSON *ro = cJSON_CreateObject(), *addrs = cJSON_CreateArray(), *lim;

		cJSON_AddNumberToObject(ro, "id", rr->id);
		cJSON_AddNumberToObject(ro, "ttl", rr->ttl);
		for (int k = 0; k < rr->naddrs; k++)
			cJSON_AddItemToArray(addrs, json_address(&rr->addrs[k]));
		cJSON_AddItemToObject(ro, "addresses", addrs);
		cJSON_AddStringToObject(ro, "evidence", rr->sure ? "lock-step" : "lock-step-once");
		lim = cJSON_AddObjectToObject(ro, "icmp_limit");
		cJSON_AddNumberToObject(lim, "burst", rr->burst);
		cJSON_AddNumberToObject(lim, "refill_ms", round3((double)rr->refill_us / 1000.0));
		cJSON_AddNumberToObject(lim, "withheld", (double)rr->withheld);
		cJSON_AddItemToArray(arr, ro);
	}
	return arr;
}

void json_add_target(cJSON *obj, const struct results *r, const struct json_options *o)
{
	cJSON *target = cJSON_AddObjectToObject(obj, "target");

	cJSON_AddStringToObject(target, "name", o->target_name);
	cJSON_AddItemToObject(target, "address", json_address(&r->config.dst));
	cJSON_AddItemToObject(obj, "source", json_address(&r->config.src));
	cJSON_AddStringToObject(obj, "protocol", vocab_proto(r->config.proto));
	cJSON_AddNumberToObject(obj, "family", r->config.dst.family == AF_INET6 ? 6 : 4);
	if (r->config.proto == PROBE_ICMP)
		cJSON_AddNullToObject(obj, "port");
	else
		cJSON_AddNumberToObject(obj, "port", r->config.dport);
	if (o->unavailable != NULL) {
		cJSON *list = cJSON_AddArrayToObject(obj, "unavailable");

		for (const char *const *u = o->unavailable; *u != NULL; u++)
			cJSON_AddItemToArray(list, cJSON_CreateString(*u));
	}
}

/* When the run started and ended, and how long it took. */
static void add_times(cJSON *doc, const struct json_options *o)
{
	char t[40];

	json_time(o->started_us, t, sizeof(t));
	cJSON_AddStringToObject(doc, "started", t);
	json_time(o->finished_us, t, sizeof(t));
	cJSON_AddStringToObject(doc, "finished", t);
	cJSON_AddNumberToObject(doc, "duration_ms",
				o->finished_us > o->started_us
					? round3((double)(o->finished_us - o->started_us) / 1000.0) : 0);
}

/* One target's document; NULL when out of memory. */
static cJSON *report_doc(const struct results *r, const struct json_options *o)
{
	cJSON *doc = cJSON_CreateObject(), *end;

	if (doc == NULL)
		return NULL;
	names_prefetch(r, o->namer);
	names_prefetch(r, o->asn);
	cJSON_AddNumberToObject(doc, "schema_version", JSON_SCHEMA_VERSION);
	json_add_version(doc, o);
	json_add_target(doc, r, o);
	cJSON_AddItemToObject(doc, "settings", json_settings(r, o));
	add_times(doc, o);
	end = cJSON_AddObjectToObject(doc, "end");
	json_add_end(end, &o->end);
	cJSON_AddNumberToObject(doc, "rounds", (double)r->counters.rounds_done);
	cJSON_AddNumberToObject(doc, "dest_ttl", r->dest_ttl);
	cJSON_AddItemToObject(doc, "probes", json_probes(r));
	cJSON_AddItemToObject(doc, "hops", json_hops(r, o));
	cJSON_AddItemToObject(doc, "flows", json_flows(r));
	cJSON_AddItemToObject(doc, "findings", findings(r, o));
	cJSON_AddItemToObject(doc, "routers", routers(r));
	return doc;
}

/* Prints doc and frees it; false when out of memory. */
static bool print_doc(FILE *out, cJSON *doc)
{
	char *text = doc != NULL ? cJSON_Print(doc) : NULL;

	cJSON_Delete(doc);
	if (text == NULL)
		return false;
	fputs(text, out);
	fputc('\n', out);
	free(text);
	return true;
}

bool json_print_report(FILE *out, const struct results *r, const struct json_options *o)
{
	return print_doc(out, report_doc(r, o));
}

bool json_print_reports(FILE *out, const struct results *const *r, const struct json_options *o,
			int n)
{
	cJSON *doc = cJSON_CreateObject(), *all;

	if (doc == NULL)
		return false;
	cJSON_AddNumberToObject(doc, "schema_version", JSON_SCHEMA_VERSION);
	add_times(doc, &o[0]);
	all = cJSON_AddArrayToObject(doc, "targets");
	for (int i = 0; i < n; i++) {
		cJSON *one = report_doc(r[i], &o[i]);

		if (one == NULL || all == NULL) {
			cJSON_Delete(one);
			cJSON_Delete(doc);
			return false;
		}
		cJSON_AddItemToArray(all, one);
	}
	return print_doc(out, doc);
}
