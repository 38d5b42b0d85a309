/*
 * The JSON event stream (see json_stream.h).  Each tick takes a snapshot
 * and diffs it against what was already reported: branches seen (TTL +
 * address), each flow's path, and the findings in force (kind + TTL +
 * address).  A completed round also gets a line with the per-hop figures.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "engine/standing.h"
#include "face/json_run.h"
#include "face/json_stream.h"

struct seen_branch {
	int ttl;
	struct ip_addr addr;
};

struct finding_key {
	enum finding_kind kind;
	int ttl;
	struct ip_addr addr;
	uint64_t digest;	/* of its flows and causes: a change is reported as an update */
};

struct json_stream {
	FILE *out;
	struct json_options opts;
	bool started;
	uint64_t rounds_reported;
	struct seen_branch *branches;
	int nbranches;
	struct ip_addr **paths;		/* per flow: path as last reported */
	int *path_lens;
	int nflows;
	struct finding_key *findings;	/* in force at the last tick */
	struct standing standing;	/* which findings of the ticks have held (standing.h) */
	int nfindings;
	int write_errno;		/* the first write that failed, or 0 */
	struct ip_addr dst;		/* the target's address, for every_event_target */
};

struct json_stream *json_stream_new(FILE *out, const struct json_options *o)
{
	struct json_stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->out = out;
	s->opts = *o;
	return s;
}

void json_stream_free(struct json_stream *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nflows; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->path_lens);
	free(s->branches);
	free(s->findings);
	standing_free(&s->standing);
	free(s);
}

/* The system's wall clock in microseconds since the epoch. */
static uint64_t system_wall_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

/* RFC 3339 with milliseconds, UTC. */
static void now_rfc3339(const struct json_stream *s, char *buf, size_t len)
{
	json_time(s->opts.wall_us ? s->opts.wall_us() : system_wall_us(), buf, len);
}

static cJSON *event(const struct json_stream *s, const char *type)
{
	cJSON *o = cJSON_CreateObject();
	char t[40];

	now_rfc3339(s, t, sizeof(t));
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "time", t);
	cJSON_AddNumberToObject(o, "schema_version", JSON_SCHEMA_VERSION);
	if (s->opts.every_event_target) {
		cJSON *target = cJSON_AddObjectToObject(o, "target");

		cJSON_AddStringToObject(target, "name", s->opts.target_name);
		cJSON_AddItemToObject(target, "address", json_address(&s->dst));
	}
	return o;
}

/* Writes one line and flushes, so a pipe sees each event as it happens. */
static void emit(struct json_stream *s, cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);

	if (text != NULL) {
		errno = 0;
		if ((fputs(text, s->out) < 0 || fputc('\n', s->out) == EOF ||
		     fflush(s->out) != 0) && s->write_errno == 0)
			s->write_errno = errno ? errno : EIO;
		free(text);
	}
	cJSON_Delete(o);
}

int json_stream_error(const struct json_stream *s)
{
	if (s->write_errno == 0 && ferror(s->out))
		return EIO;
	return s->write_errno;
}

static bool branch_known(const struct json_stream *s, int ttl, const struct ip_addr *a)
{
	for (int i = 0; i < s->nbranches; i++)
		if (s->branches[i].ttl == ttl && addr_equal(&s->branches[i].addr, a))
			return true;
	return false;
}

static void new_branches(struct json_stream *s, const struct results *r)
{
	for (int i = 0; i < r->nhops; i++) {
		const struct hop_result *h = &r->hops[i];

		for (int j = 0; j < h->nbranches; j++) {
			const struct branch_result *b = &h->branches[j];
			struct seen_branch *grown;
			cJSON *ev;

			if (!addr_is_set(&b->addr) || branch_known(s, h->ttl, &b->addr))
				continue;
			grown = realloc(s->branches, (size_t)(s->nbranches + 1) * sizeof(*grown));
			if (grown == NULL)
				return;
			s->branches = grown;
			s->branches[s->nbranches++] = (struct seen_branch){h->ttl, b->addr};
			ev = event(s, "branch_new");
			cJSON_AddNumberToObject(ev, "ttl", h->ttl);
			cJSON_AddItemToObject(ev, "address", json_address(&b->addr));
			cJSON_AddNumberToObject(ev, "branches_at_ttl", h->nbranches);
			cJSON_AddBoolToObject(ev, "is_destination", b->is_destination);
			emit(s, ev);
		}
	}
}

/*
 * Resizes the per-flow history to the snapshot's flow count (adaptive
 * discovery adds flows as it goes): flows already known keep their path,
 * new ones start empty, flows that went away are freed.
 */
static bool track_flows(struct json_stream *s, const struct results *r)
{
	struct ip_addr **paths;
	int *lens;

	if (s->nflows == r->nflows)
		return true;
	for (int i = r->nflows; i < s->nflows; i++) {
		free(s->paths[i]);
		s->paths[i] = NULL;
	}
	if (r->nflows < s->nflows) {
		s->nflows = r->nflows;
		return true;
	}
	paths = realloc(s->paths, (size_t)r->nflows * sizeof(*paths));
	if (paths == NULL)
		return false;
	s->paths = paths;
	lens = realloc(s->path_lens, (size_t)r->nflows * sizeof(*lens));
	if (lens == NULL)
		return false;
	s->path_lens = lens;
	for (int i = s->nflows; i < r->nflows; i++) {
		s->paths[i] = NULL;
		s->path_lens[i] = 0;
	}
	s->nflows = r->nflows;
	return true;
}

/* A TTL whose responder changed from one known address to another. */
static void path_changes(struct json_stream *s, const struct results *r)
{
	if (!track_flows(s, r))
		return;
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		struct ip_addr *copy;

		for (int k = 0; k < f->path_len && k < s->path_lens[i]; k++) {
			const struct ip_addr *was = &s->paths[i][k], *now = &f->path[k];
			cJSON *ev;

			if (!addr_is_set(was) || !addr_is_set(now) || addr_equal(was, now))
				continue;
			ev = event(s, "path_change");
			cJSON_AddNumberToObject(ev, "flow", f->id);
			cJSON_AddNumberToObject(ev, "source_port", f->sport);
			cJSON_AddNumberToObject(ev, "ttl", r->config.first_ttl + k);
			cJSON_AddItemToObject(ev, "from", json_address(was));
			cJSON_AddItemToObject(ev, "to", json_address(now));
			emit(s, ev);
		}
		copy = malloc((size_t)(f->path_len + 1) * sizeof(*copy));
		if (copy == NULL)
			continue;
		/* Keep what was known where the new snapshot has a gap. */
		for (int k = 0; k < f->path_len; k++)
			copy[k] = !addr_is_set(&f->path[k]) && k < s->path_lens[i] ? s->paths[i][k]
										 : f->path[k];
		free(s->paths[i]);
		s->paths[i] = copy;
		s->path_lens[i] = f->path_len;
	}
}

static bool same_finding(const struct finding_key *k, const struct finding *f)
{
	return k->kind == f->kind && k->ttl == f->ttl && addr_equal(&k->addr, &f->addr);
}

/* FNV-1a over what a finding names: its flows, its causes and its range. */
static uint64_t finding_digest(const struct finding *f)
{
	uint64_t h = 14695981039346656037ull;

	for (int i = 0; i < f->nflows; i++)
		h = (h ^ (uint64_t)(unsigned)f->flows[i]) * 1099511628211ull;
	for (int i = 0; i < f->ncauses; i++)
		h = (h ^ (0x100u + (unsigned)f->causes[i])) * 1099511628211ull;
	h = (h ^ (0x200u + (unsigned)f->range_from_ttl)) * 1099511628211ull;
	h = (h ^ (0x300u + (unsigned)f->range_to_ttl)) * 1099511628211ull;
	for (int i = 0; i < f->nunplaced; i++)
		h = (h ^ (0x10000u + f->unplaced_ports[i])) * 1099511628211ull;
	return h;
}

static void emit_finding(struct json_stream *s, const struct results *r, const struct finding *f,
			 const char *type)
{
	cJSON *ev = event(s, type);

	cJSON_AddItemToObject(ev, "finding", json_finding(r, f, &s->opts));
	emit(s, ev);
}

static void findings_diff(struct json_stream *s, const struct results *r)
{
	const struct findings *fs = r->findings;
	int n = fs ? fs->count : 0;
	struct finding_key *now = calloc((size_t)n + 1, sizeof(*now));

	if (now == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const struct finding *f = &fs->items[i];
		const struct finding_key *known = NULL;

		now[i] = (struct finding_key){f->kind, f->ttl, f->addr, finding_digest(f)};
		for (int k = 0; k < s->nfindings && known == NULL; k++)
			if (same_finding(&s->findings[k], f))
				known = &s->findings[k];
		if (known == NULL)
			emit_finding(s, r, f, "finding_raised");
		else if (known->digest != now[i].digest)
			emit_finding(s, r, f, "finding_updated");
	}
	for (int k = 0; k < s->nfindings; k++) {
		bool still = false;
		cJSON *ev;

		for (int i = 0; i < n && !still; i++)
			still = same_finding(&s->findings[k], &fs->items[i]);
		if (still)
			continue;
		ev = event(s, "finding_cleared");
		cJSON_AddStringToObject(ev, "kind", finding_kind_name(s->findings[k].kind));
		cJSON_AddNumberToObject(ev, "ttl", s->findings[k].ttl);
		cJSON_AddItemToObject(ev, "address", json_address(&s->findings[k].addr));
		emit(s, ev);
	}
	free(s->findings);
	s->findings = now;
	s->nfindings = n;
}

static void start_event(struct json_stream *s, const struct results *r)
{
	cJSON *ev = event(s, "start");

	/* json_add_target says it again, with the protocol and port. */
	cJSON_DeleteItemFromObjectCaseSensitive(ev, "target");
	json_add_version(ev, &s->opts);
	json_add_target(ev, r, &s->opts);
	cJSON_AddItemToObject(ev, "settings", json_settings(r, &s->opts));
	/* A count, so not "flows", which is the list of flows wherever it appears. */
	cJSON_AddNumberToObject(ev, "flow_count", r->nflows);
	emit(s, ev);
	s->started = true;
}

static void round_event(struct json_stream *s, const struct results *r)
{
	cJSON *ev = event(s, "round");

	cJSON_AddNumberToObject(ev, "round", (double)r->counters.rounds_done);
	cJSON_AddNumberToObject(ev, "dest_ttl", r->dest_ttl);
	cJSON_AddItemToObject(ev, "hops", json_hops(r, &s->opts));
	emit(s, ev);
	s->rounds_reported = r->counters.rounds_done;
}

void json_stream_snapshot(struct json_stream *s, const struct results *r)
{
	s->dst = r->config.dst;
	if (!s->started)
		start_event(s, r);
	new_branches(s, r);
	path_changes(s, r);
	findings_diff(s, r);
	if (r->counters.rounds_done > s->rounds_reported)
		round_event(s, r);
}

enum run_verdict json_stream_tick(void *ctx, struct engine *e, uint64_t now_us)
{
	struct json_stream *s = ctx;
	struct results *r = results_with_findings(engine_results(e, now_us));

	if (r == NULL)
		return RUN_CONTINUE;
	/* A finding is raised once it has held, not on one snapshot's chance figures. */
	standing_apply(&s->standing, r, now_us);
	json_stream_snapshot(s, r);
	results_free(r);
	/* A reader that went away (EPIPE, closed pipe) or a full disk: stop probing. */
	return json_stream_error(s) ? RUN_QUIT : RUN_CONTINUE;
}

void json_stream_finish(struct json_stream *s, const struct results *r,
			const struct json_end *end)
{
	cJSON *ev;

	s->dst = r->config.dst;
	if (!s->started)
		start_event(s, r);
	ev = event(s, "end");
	json_add_end(ev, end);
	cJSON_AddNumberToObject(ev, "rounds", (double)r->counters.rounds_done);
	cJSON_AddItemToObject(ev, "probes", json_probes(r));
	cJSON_AddItemToObject(ev, "flows", json_flows(r));
	emit(s, ev);
}

void json_stream_end(struct json_stream *s, struct engine *e, uint64_t now_us,
		     const struct json_end *end)
{
	struct results *r = engine_results(e, now_us);

	if (r == NULL)
		return;
	json_stream_finish(s, r, end);
	results_free(r);
}
