/*
 * What the JSON says about the run itself, the same way in the -j
 * document and in the --json-stream's start and end events: the program's
 * version, the settings in effect (every option's effective value), times
 * (RFC 3339 with milliseconds; durations in milliseconds, "_ms"), how the
 * run ended, and the probe counters.
 */
#ifndef ECMPTRACE_FACE_JSON_RUN_H
#define ECMPTRACE_FACE_JSON_RUN_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct results;
struct json_options;
struct json_end;

/* "2026-01-01T00:00:00.250Z" for wall-clock microseconds since the epoch. */
void json_time(uint64_t wall_us, char *buf, size_t len);
/* Adds "version" (json_options.version, or PACKAGE_VERSION). */
void json_add_version(struct cJSON *obj, const struct json_options *o);
/* The "settings" object: every option's effective value (doc/ecmptrace.schema.json). */
struct cJSON *json_settings(const struct results *r, const struct json_options *o);
/* The "probes" counters object. */
struct cJSON *json_probes(const struct results *r);
/* Adds "reason", "signal" and "error": how the run ended. */
void json_add_end(struct cJSON *obj, const struct json_end *end);

#endif
