/*
 * The targets one process traces: the hosts of the command line and the
 * lines of a --targets file, one target a line:
 *
 *     [udp|tcp|icmp] HOST [PORT]      # a comment
 *
 * A line that says less takes the command line's protocol and port.  The
 * parser is pure (text in, list out, no I/O), so the unit tests and the
 * fuzzer (tests/fuzz/fuzz_targets.c) drive it directly; main.c reads the
 * file.  A bad line stops the start with "FILE:LINE: what is wrong";
 * a duplicate (same protocol, host and port) is refused the same way,
 * naming the line it repeats: two engines on one set of flows would take
 * each other's answers.
 */
#ifndef ECMPTRACE_TARGETS_H
#define ECMPTRACE_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/probe.h"

/* Most targets one process traces (the file's lines and the hosts together). */
#define TARGETS_MAX 4096
/* Longest host (a DNS name is at most 253 characters; an IPv6 literal with a zone fits). */
#define TARGET_HOST_MAX 255

struct target_spec {
	char host[TARGET_HOST_MAX + 1];
	enum probe_proto proto;
	uint16_t port;		/* the destination port (0 for ICMP) */
	int line;		/* the file's line, 0 for a host of the command line */
};

struct target_list {
	struct target_spec *v;
	int count, cap;
};

/* What a target that says less gets: the command line's -u/-T/-I and -P (0: the default). */
struct target_defaults {
	enum probe_proto proto;
	uint16_t port;
};

/* The port a probe of proto goes to when nobody said: traceroute's 33434, HTTP's 80. */
uint16_t target_default_port(enum probe_proto proto, uint16_t given);

/*
 * Adds one target of the command line (host, the defaults).  False with a
 * message in err: empty or too long a host, a duplicate, too many.
 */
bool targets_add_host(struct target_list *l, const char *host, const struct target_defaults *d,
		      char *err, size_t errlen);
/*
 * Parses a targets file's text (len bytes, NUL bytes included, no
 * terminator needed) named name in messages, adding its targets to l.
 * False with "name:LINE: what is wrong" in err; l then holds the targets
 * of the lines before.
 */
bool targets_parse(const char *text, size_t len, const char *name,
		   const struct target_defaults *d, struct target_list *l, char *err,
		   size_t errlen);
/*
 * Source ports are picked in [TARGETS_SPORT_LOW, TARGETS_SPORT_HIGH), below
 * Linux's ephemeral range, so nc -p can reuse them.
 */
#define TARGETS_SPORT_LOW 10000
#define TARGETS_SPORT_HIGH 32000
/*
 * The first source port of target i of n, each using up to flows ports:
 * disjoint slices of the range while a slice holds them (a flow's 5-tuple
 * then differs in its source port too, for whatever keys on ports alone:
 * conntrack, a middlebox), overlapping beyond (answers are still told apart
 * by target).  rnd places it in its slice; with n 1 the whole range.
 */
uint16_t targets_sport_base(int i, int n, int flows, uint32_t rnd);
/*
 * Each of n targets' share of a total rate (probes per second): an equal
 * share, 0 when the total cannot give each one probe a second.
 */
uint32_t targets_rate_share(uint32_t total_pps, int n);
/* "udp", "tcp" or "icmp". */
const char *target_proto_name(enum probe_proto proto);
void targets_free(struct target_list *l);

#endif
