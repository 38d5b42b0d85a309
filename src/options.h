/*
 * Command-line options: one getopt_long table, bounded number parsing and
 * the cross-option checks (first-ttl <= max-ttl, flows within the
 * source-port range, ...).  Parsing does no I/O and never exits, so tests
 * and the fuzzer drive it directly; main() prints and exits.
 */
#ifndef ECMPTRACE_OPTIONS_H
#define ECMPTRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wire/probe.h"

enum face {
	FACE_AUTO = 0,		/* live view on a terminal, report otherwise */
	FACE_CURSES,		/* -t/--curses */
	FACE_REPORT,		/* -r/--report */
	FACE_JSON,		/* -j/--json */
	FACE_JSON_STREAM,	/* --json-stream */
};

struct options {
	const char *host;		/* the one positional argument (points into argv) */
	int family;			/* 0 (either), AF_INET (-4) or AF_INET6 (-6) */
	enum probe_proto proto;		/* -u (default) / -T / -I */
	uint16_t port;			/* -P; 0 = protocol default */
	uint16_t sport_base;		/* -L; 0 = pick one per run */
	int nflows;			/* --flows */
	bool flows_fixed;		/* --flows given: exactly nflows, no branch discovery */
	int confidence;			/* --confidence: 95 or 99, the discovery stopping rule's */
	int first_ttl, max_ttl;		/* -f, -m */
	uint64_t count;			/* -c: rounds (1..1000000); without -c the face decides */
	bool count_set;			/* -c was given */
	uint64_t interval_us;		/* -i */
	uint64_t timeout_us;		/* --timeout */
	uint32_t rate_pps;		/* --rate */
	int max_unknown;		/* --max-unknown: silent hops before giving up */
	unsigned vary;			/* --vary: enum flow_vary bits; 0 = family default */
	int tos;			/* --tos */
	bool numeric;			/* -n: no reverse DNS */
	bool report_wide;		/* -w (implies -r) */
	bool report_on_exit;		/* --report-on-exit */
	bool link_check;		/* ARP/ND questions to first-hop neighbours (--no-link-check: off) */
	bool unprivileged;		/* --unprivileged: ordinary sockets even with CAP_NET_RAW */
	enum face face;
};

enum options_status {
	OPTIONS_RUN = 0,	/* parsed: run */
	OPTIONS_HELP,		/* --help: print usage to stdout, exit 0 */
	OPTIONS_VERSION,	/* --version: print version, exit 0 */
	OPTIONS_ERROR,		/* err holds one line naming the problem: exit 2 */
};

/* Defaults for every option (what running with only a host means). */
void options_defaults(struct options *o);
/*
 * Parses argv.  Resets getopt itself, so it can be called more than once.
 * On OPTIONS_ERROR, err holds a one-line message without the program name
 * and trailing newline.
 */
enum options_status options_parse(int argc, char **argv, struct options *o,
				  char *err, size_t errlen);
void options_usage(FILE *out);

#endif
