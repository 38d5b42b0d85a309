/*
 * JSON output: the whole report as one document (-j/--json) and the
 * line-per-event stream (--json-stream).  Schema: doc/ecmptrace.schema.json.
 */
#ifndef ECMPTRACE_FACE_JSON_H
#define ECMPTRACE_FACE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_SCHEMA_VERSION 1

struct results;
struct namer;

struct json_options {
	const char *target_name;
	const char *started, *finished;	/* RFC 3339 */
	const struct namer *namer;	/* responder names (namer.h); NULL with -n */
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
