/*
 * JSON output: the whole report as one document (-j/--json) and the
 * line-per-event stream (--json-stream).  Schema: doc/ecmptrace.schema.json.
 */
#ifndef ECMPTRACE_FACE_JSON_H
#define ECMPTRACE_FACE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* 2: version, settings, times in ms, how the run ended; one name per quantity. */
#define JSON_SCHEMA_VERSION 2

struct results;
struct namer;

/* How a run ended: the document's "end" and the stream's end event. */
struct json_end {
	const char *reason;		/* "done", "signal" or "error" */
	const char *signal;		/* "SIGINT", "SIGTERM", "SIGHUP" with reason signal; else NULL */
	const char *error;		/* the message with reason error; else NULL */
};

struct json_options {
	const char *target_name;
	/*
	 * One stream of several targets' events: every event carries
	 * "target" (name and address), not only "start".
	 */
	bool every_event_target;
	const char *version;		/* the program's; NULL: PACKAGE_VERSION */
	/* The document's start and end, wall clock in microseconds since the epoch. */
	uint64_t started_us, finished_us;
	struct json_end end;		/* the document's; the stream is told at its end */
	/* The options the snapshot does not hold, for "settings" (NULL/false: not given). */
	const char *interface;		/* -I */
	const struct ip_addr *address;	/* -a */
	const uint32_t *mark;		/* -M */
	bool mpls;			/* -e */
	int psize;			/* -s (0: the default) */
	bool pmtu_full;			/* --pmtu */
	const char *targets_file;	/* --targets */
	const struct namer *namer;	/* responder names (namer.h); NULL with -n */
	const struct namer *asn;	/* -z: origin AS per address (namer.h), else NULL */
	/*
	 * The stream's wall clock, microseconds since the epoch, for each
	 * event's "time"; NULL: the system's.  Tests pass a fixed one so the
	 * stream's text is reproducible.
	 */
	uint64_t (*wall_us)(void);
	/*
	 * What the run could not do without privilege (unprivileged mode:
	 * "link_check", ...), NULL-terminated; NULL when it had raw sockets.
	 * Said as "unavailable" beside the target, in the document and the
	 * stream's start event.
	 */
	const char *const *unavailable;
};

/* Prints the document (pretty, newline-terminated); false if out of memory. */
bool json_print_report(FILE *out, const struct results *r, const struct json_options *o);
/*
 * Several targets' results (-j with several targets): one document whose
 * "targets" holds each target's document as json_print_report writes it,
 * in order.  False when out of memory.
 */
bool json_print_reports(FILE *out, const struct results *const *r, const struct json_options *o,
			int n);

/*
 * Builders shared with the stream (json_stream.c); each returns a new cJSON
 * tree the caller owns.
 */
struct cJSON;
struct finding;
struct ip_addr;
struct cJSON *json_address(const struct ip_addr *a);
struct cJSON *json_hops(const struct results *r, const struct json_options *o);
struct cJSON *json_flows(const struct results *r);
struct cJSON *json_finding(const struct results *r, const struct finding *f,
			   const struct json_options *o);
/* Adds target, source, protocol, family and port to an object. */
void json_add_target(struct cJSON *obj, const struct results *r, const struct json_options *o);

#endif
