/*
 * The JSON event stream (--json-stream): one compact object per line,
 * flushed as it happens, so `ecmptrace --json-stream host | jq` or a log
 * shipper can follow a live run.  Events: start, round, branch_new,
 * path_change, finding_raised, finding_cleared, end (doc/ecmptrace.schema.json).
 */
#ifndef ECMPTRACE_FACE_JSON_STREAM_H
#define ECMPTRACE_FACE_JSON_STREAM_H

#include <stdint.h>
#include <stdio.h>

#include "face/json.h"
#include "run.h"

struct json_stream;
struct engine;
struct results;

struct json_stream *json_stream_new(FILE *out, const struct json_options *o);
/* run_face tick: compares a fresh snapshot with the last one and writes the events. */
enum run_verdict json_stream_tick(void *ctx, struct engine *e, uint64_t now_us);
/* The events a snapshot brings since the last one (what a tick writes, for any snapshot). */
void json_stream_snapshot(struct json_stream *s, const struct results *r);
/* The final "end" event with r's figures and how the run ended. */
void json_stream_finish(struct json_stream *s, const struct results *r,
			const struct json_end *end);
/* Writes the final "end" event (with the whole last snapshot's figures). */
void json_stream_end(struct json_stream *s, struct engine *e, uint64_t now_us,
		     const struct json_end *end);
/* The errno of the first line that could not be written (EPIPE, ENOSPC...), or 0. */
int json_stream_error(const struct json_stream *s);
void json_stream_free(struct json_stream *s);

#endif
