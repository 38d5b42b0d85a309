/*
 * The run's own facts in JSON (see json_run.h).  The settings are read
 * from the snapshot's engine configuration, which holds what the run
 * really used (the port and source ports chosen when none were given, the
 * flow fields varied by default, the link-layer check as it could be
 * opened), not what the command line said.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <time.h>

#include "engine/flow.h"
#include "engine/results.h"
#include "face/json.h"
#include "face/json_run.h"

void json_time(uint64_t wall_us, char *buf, size_t len)
{
	time_t sec = (time_t)(wall_us / 1000000u);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(wall_us / 1000u % 1000u));
}

void json_add_version(cJSON *obj, const struct json_options *o)
{
	cJSON_AddStringToObject(obj, "version", o->version ? o->version : PACKAGE_VERSION);
}

static cJSON *vary(unsigned bits)
{
	cJSON *a = cJSON_CreateArray();

	if (bits & VARY_SPORT)
		cJSON_AddItemToArray(a, cJSON_CreateString("sport"));
	if (bits & VARY_LABEL)
		cJSON_AddItemToArray(a, cJSON_CreateString("label"));
	return a;
}

/* Microseconds as milliseconds with microsecond precision. */
static double ms(uint64_t us)
{
	return (double)us / 1000.0;
}

cJSON *json_settings(const struct results *r, const struct json_options *o)
{
	const struct engine_config *c = &r->config;
	cJSON *s = cJSON_CreateObject();

	cJSON_AddNumberToObject(s, "source_port_base", c->sport_base);
	if (c->dst.family == AF_INET6)
		cJSON_AddNumberToObject(s, "flow_label_base", c->label_base);
	else
		cJSON_AddNullToObject(s, "flow_label_base");
	cJSON_AddItemToObject(s, "vary", vary(c->vary));
	/* null: branch discovery chooses the flows (no --flows). */
	if (c->adaptive)
		cJSON_AddNullToObject(s, "fixed_flows");
	else
		cJSON_AddNumberToObject(s, "fixed_flows", c->nflows);
	cJSON_AddNumberToObject(s, "max_flows", c->adaptive ? c->max_flows : c->nflows);
	cJSON_AddNumberToObject(s, "confidence", c->confidence);
	cJSON_AddNumberToObject(s, "first_ttl", c->first_ttl);
	cJSON_AddNumberToObject(s, "max_ttl", c->max_ttl);
	cJSON_AddNumberToObject(s, "max_unknown", c->max_unknown);
	/* null: until stopped (the live view and the stream without -c). */
	if (c->rounds)
		cJSON_AddNumberToObject(s, "count", (double)c->rounds);
	else
		cJSON_AddNullToObject(s, "count");
	cJSON_AddNumberToObject(s, "interval_ms", ms(c->interval_us));
	cJSON_AddNumberToObject(s, "timeout_ms", ms(c->timeout_us));
	cJSON_AddNumberToObject(s, "rate_pps", c->rate_pps);
	cJSON_AddNumberToObject(s, "tos", c->tos);
	cJSON_AddBoolToObject(s, "link_check", c->link_check);
	cJSON_AddBoolToObject(s, "dns", o->namer != NULL);
	if (o->interface != NULL && o->interface[0] != '\0')
		cJSON_AddStringToObject(s, "interface", o->interface);
	else
		cJSON_AddNullToObject(s, "interface");
	if (o->address != NULL && o->address->family != 0)
		cJSON_AddItemToObject(s, "address", json_address(o->address));
	else
		cJSON_AddNullToObject(s, "address");
	if (o->mark != NULL)
		cJSON_AddNumberToObject(s, "mark", *o->mark);
	else
		cJSON_AddNullToObject(s, "mark");
	cJSON_AddBoolToObject(s, "mpls", o->mpls);
	if (o->psize > 0)
		cJSON_AddNumberToObject(s, "psize", o->psize);
	else
		cJSON_AddNullToObject(s, "psize");
	cJSON_AddBoolToObject(s, "pmtu", o->pmtu_full);
	cJSON_AddBoolToObject(s, "aslookup", o->asn != NULL);
	/* Ordinary sockets (--unprivileged, or no CAP_NET_RAW): what they lack is in "unavailable". */
	cJSON_AddBoolToObject(s, "unprivileged", o->unavailable != NULL);
	if (o->targets_file != NULL)
		cJSON_AddStringToObject(s, "targets", o->targets_file);
	else
		cJSON_AddNullToObject(s, "targets");
	return s;
}

cJSON *json_probes(const struct results *r)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddNumberToObject(p, "sent", (double)r->counters.probes_sent);
	cJSON_AddNumberToObject(p, "replies", (double)r->counters.replies);
	cJSON_AddNumberToObject(p, "duplicates", (double)r->counters.duplicates);
	cJSON_AddNumberToObject(p, "late", (double)r->counters.late);
	cJSON_AddNumberToObject(p, "foreign", (double)r->counters.foreign);
	cJSON_AddNumberToObject(p, "unauthenticated", (double)r->counters.unauthenticated);
	return p;
}

void json_add_end(cJSON *obj, const struct json_end *end)
{
	cJSON_AddStringToObject(obj, "reason", end->reason ? end->reason : "done");
	if (end->signal)
		cJSON_AddStringToObject(obj, "signal", end->signal);
	else
		cJSON_AddNullToObject(obj, "signal");
	if (end->error)
		cJSON_AddStringToObject(obj, "error", end->error);
	else
		cJSON_AddNullToObject(obj, "error");
}
