/*
 * The CSV face (-C/--csv), in the spirit of mtr -C: one header line, then
 * one row per hop per branch (and, where branches merged again, one row per
 * branch per earlier branch its flows came through: the report's "via"
 * sub-rows).  Fields are quoted as RFC 4180 says, so names with commas or
 * quotes survive a spreadsheet or Python's csv module.
 */
#ifndef ECMPTRACE_FACE_CSV_H
#define ECMPTRACE_FACE_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct results;
struct namer;

struct csv_options {
	const char *target_name;	/* as the user typed it */
	const char *version;		/* the program's version; NULL: PACKAGE_VERSION */
	int64_t start_time;		/* seconds since the epoch, as mtr -C writes it */
	const char *status;		/* how the run ended: "done", "signal" or "error" */
	const struct namer *namer;	/* responder names (namer.h); NULL with -n */
	bool no_header;			/* rows only: a later target's, under the first one's header */
};

/* Writes the header and the rows; the caller checks the stream for errors. */
void csv_print(FILE *out, const struct results *r, const struct csv_options *o);

#endif
