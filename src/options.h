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

#include "addr.h"
#include "wire/probe.h"

/* Longest interface name -I takes, with its NUL (Linux's IFNAMSIZ). */
#define OPTIONS_IFNAME_MAX 16
/* The environment variable read before the command line, like mtr's MTR_OPTIONS. */
#define OPTIONS_ENV "ECMPTRACE_OPTIONS"

enum face {
	FACE_AUTO = 0,		/* live view on a terminal, report otherwise */
	FACE_CURSES,		/* -t/--curses */
	FACE_REPORT,		/* -r/--report */
	FACE_JSON,		/* -j/--json */
	FACE_JSON_STREAM,	/* --json-stream */
	FACE_CSV,		/* -C/--csv */
	FACE_DOT,		/* --dot */
	FACE_EXPORTER,		/* --listen / --textfile: metrics for Prometheus, tracing on */
};

/* Most hosts on the command line; more go in a --targets file. */
#define OPTIONS_HOSTS_MAX 64
/*
 * Smallest -s/--psize: an IPv4 header (20), a UDP or ICMP header (8) and
 * the 2 payload bytes probes need (wire/probe.h); IPv6 needs 20 more.
 */
#define OPTIONS_PSIZE_MIN 30

struct options {
	const char *host;		/* the first host (hosts[0]), NULL with only --targets */
	const char *hosts[OPTIONS_HOSTS_MAX];	/* the positional arguments (point into argv) */
	int nhosts;
	const char *targets_file;	/* --targets FILE (points into argv), NULL: none */
	int family;			/* 0 (either), AF_INET (-4) or AF_INET6 (-6) */
	enum probe_proto proto;		/* -u (default) / -T / --icmp */
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
	int max_unknown;		/* -U/--max-unknown: silent hops before giving up */
	unsigned vary;			/* --vary: enum flow_vary bits; 0 = family default */
	int tos;			/* -Q/--tos */
	char interface[OPTIONS_IFNAME_MAX];	/* -I: probes and capture on it; "" = any */
	struct ip_addr source;		/* -a: source address; family 0 = the route's */
	uint32_t mark;			/* -M: SO_MARK of the probes (mark_set) */
	bool mark_set;
	bool pmtu_full;			/* --pmtu: path MTU to the byte */
	int psize;			/* -s/--psize: probe datagram bytes, IP header included; 0 = default */
	bool numeric;			/* -n: no reverse DNS */
	bool mpls;			/* -e: show the MPLS labels routers quote */
	bool aslookup;			/* -z: look up and show each responder's origin AS */
	bool report_wide;		/* -w (implies -r) */
	bool report_on_exit;		/* --report-on-exit */
	bool link_check;		/* ARP/ND questions to first-hop neighbours (--no-link-check: off) */
	bool unprivileged;		/* --unprivileged: ordinary sockets even with CAP_NET_RAW */
	enum face face;
	/* --listen [ADDR:]PORT: the exporter's address (numeric; default 127.0.0.1) and port. */
	char listen_addr[48];
	uint16_t listen_port;		/* 0: no --listen */
	const char *textfile;		/* --textfile PATH (points into argv); NULL: none */
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
/*
 * The same, with the words of env (the value of ECMPTRACE_OPTIONS, split
 * at white space, no quoting) parsed before argv: argv overrides them, as
 * the command line overrides MTR_OPTIONS.  env NULL or empty: no words.
 * Errors in env's words are prefixed with the variable's name.
 */
enum options_status options_parse_env(const char *env, int argc, char **argv,
				      struct options *o, char *err, size_t errlen);
void options_usage(FILE *out);

#endif
