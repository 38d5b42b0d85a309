/*
 * Metrics for Prometheus: each target's snapshots (results.h, with the
 * standing findings in place of their own) turned into counters and
 * gauges, rendered in the Prometheus text exposition format (0.0.4) or in
 * OpenMetrics 1.0 (application/openmetrics-text, ending in "# EOF").
 * Pure: no I/O, no clock (the caller gives the time), no globals, so the
 * exporter face (exporter.c) and the unit tests drive it alike.
 *
 * The snapshots' own figures can go down (an early loss taken back, a
 * flow moved to another branch, flows that discovery dropped); a counter
 * must not.  So each target keeps its own totals: every tick adds what
 * each (flow, TTL) cell resolved since the last one, to the series of the
 * branch that flow takes there now.  The number of series is capped per
 * target; what the cap refuses is counted (ecmptrace_series_dropped_total).
 */
#ifndef ECMPTRACE_FACE_METRICS_H
#define ECMPTRACE_FACE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct results;

/*
 * The default cap on one target's series with per-branch or per-flow
 * labels: (TTL, address, via) series plus one per flow.  A run's own
 * bound is hops x branches x lineages + flows, at most max_ttl x flows +
 * flows; 30 hops of 64 flows is 1984.
 */
#define METRICS_SERIES_MAX 4096

/* Text of the exposition: grown as needed up to a hard limit. */
struct metrics_buf {
	char *data;
	size_t len, cap;
	size_t max;		/* never grows beyond this; an append that would is refused */
	bool full;		/* an append was refused */
};

enum metrics_format {
	METRICS_PROMETHEUS = 0,	/* text/plain; version=0.0.4 */
	METRICS_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

/* The families, in the order they are exposed. */
enum metrics_family {
	MF_PROBES_SENT,
	MF_REPLIES,
	MF_RTT,
	MF_BRANCHES,
	MF_DISCOVERY_COMPLETE,
	MF_DEST_TTL,
	MF_FINDING,
	MF_FLOW_PROBES,
	MF_FLOW_REPLIES,
	MF_REACHABLE,
	MF_ROUNDS,
	MF_TARGET_PROBES,
	MF_SERIES_DROPPED,
	MF_COUNT
};

/* One target's rendered samples, one text per family (no HELP/TYPE lines). */
struct metrics_bodies {
	struct metrics_buf family[MF_COUNT];
};

struct metrics_target;

void metrics_buf_init(struct metrics_buf *b, size_t max);
void metrics_buf_free(struct metrics_buf *b);
/* Appends n bytes; false (and b->full) when that would pass b->max or memory ran out. */
bool metrics_buf_add(struct metrics_buf *b, const char *s, size_t n);
/*
 * A label value as the formats want it: backslash, double quote and
 * newline escaped, and bytes that are not UTF-8 replaced by '?'.
 */
bool metrics_buf_label_value(struct metrics_buf *b, const char *value);

/* A target named name (copied); series_max 0 means METRICS_SERIES_MAX.  NULL: no memory. */
struct metrics_target *metrics_target_new(const char *name, int series_max);
void metrics_target_free(struct metrics_target *t);
/*
 * Takes one snapshot of the target made at now_us (never earlier than the
 * last); r->findings, if any, are taken as the findings in force.  False
 * when out of memory (the totals are then those of the last update).
 */
bool metrics_target_update(struct metrics_target *t, const struct results *r, uint64_t now_us);
/* Series with per-branch or per-flow labels the target exposes now. */
int metrics_target_series(const struct metrics_target *t);

/* Renders the target's samples into bodies (initialised here, with limit max each). */
bool metrics_target_render(const struct metrics_target *t, struct metrics_bodies *bodies,
			   size_t max);
void metrics_bodies_free(struct metrics_bodies *bodies);
/*
 * The whole exposition: build information, then each family's HELP and
 * TYPE and every target's samples of it, in the order given (NULL
 * entries are skipped); "# EOF" for OpenMetrics.  False when out->max
 * was reached (the text is then cut short) or out of memory.
 */
bool metrics_assemble(const struct metrics_bodies *const *targets, int n,
		      enum metrics_format fmt, const char *version, struct metrics_buf *out);
/* The Content-Type header of a format. */
const char *metrics_content_type(enum metrics_format fmt);
/* The format a scraper's Accept header asks for (NULL: Prometheus text). */
enum metrics_format metrics_negotiate(const char *accept);

#endif
