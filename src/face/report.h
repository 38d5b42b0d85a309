/*
 * The batch text report (-r/--report, -w/--report-wide): hops with their
 * branches as indented sub-rows, then one line per flow, then findings.
 */
#ifndef ECMPTRACE_FACE_REPORT_H
#define ECMPTRACE_FACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct results;
struct namer;

struct report_options {
	const char *target_name;	/* as the user typed it */
	const char *started;		/* RFC 3339 start time */
	bool wide;			/* never truncate names */
	const struct namer *namer;	/* responder names (namer.h); NULL with -n */
	bool mpls;			/* -e: a line per MPLS label under a branch */
	const struct namer *asn;	/* -z: origin AS per address (namer.h), else NULL */
};

void report_print(FILE *out, const struct results *r, const struct report_options *o);

#endif
