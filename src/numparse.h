/*
 * Range-checked number parsing for the command line: every number a user
 * types goes through here, so "abc", "12x", "" and out-of-range values get
 * a clear message instead of a silent 0 (the reason atoi is banned).
 */
#ifndef ECMPTRACE_NUMPARSE_H
#define ECMPTRACE_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a decimal integer in [min, max]; on failure writes why into err. */
bool parse_int(const char *text, long long min, long long max, long long *out,
	       char *err, size_t errlen);
/*
 * Parses non-negative seconds with an optional fraction ("0.25", "2") into
 * microseconds in [min_us, max_us].
 */
bool parse_seconds(const char *text, uint64_t min_us, uint64_t max_us, uint64_t *out_us,
		   char *err, size_t errlen);

/* Writes a printf-style message into err when the caller gave room (err may be NULL). */
void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
