/*
 * Command-line options: one table drives getopt_long, the range checks and
 * the usage text, so an option, its bounds and its help cannot disagree.
 * Parsing never prints or exits; errors are one line in the caller's buffer.
 */
#include "config.h"

#include "options.h"
#include "options_text.h"

#include <getopt.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "engine/flow.h"
#include "numparse.h"

/* Values of the options that have no short letter (above any char). */
enum {
	OPT_FLOWS = 256,
	OPT_TIMEOUT,
	OPT_RATE,
	OPT_VARY,
	OPT_ICMP,
	OPT_JSON_STREAM,
	OPT_REPORT_ON_EXIT,
	OPT_NO_LINK_CHECK,
	OPT_PMTU,
	OPT_CONFIDENCE,
	OPT_TARGETS,
	OPT_DOT,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_UNPRIVILEGED,
};

/* What an option's argument is. */
enum opt_arg {
	ARG_NONE = 0,		/* a switch */
	ARG_INT,		/* decimal integer in [min, max] */
	ARG_SECONDS,		/* seconds; min/max in microseconds */
	ARG_TEXT,		/* checked by the option's own code */
};

struct opt_def {
	const char *name;	/* long form, without "--" */
	int val;		/* short letter, or OPT_* for long-only options */
	enum opt_arg arg;
	const char *metavar;	/* argument in the usage text */
	const char *noun;	/* what the value is, in error messages */
	long long min, max;	/* bounds of ARG_INT; of ARG_SECONDS in microseconds */
	const char *help;	/* usage text; the range is appended from min/max */
	const char *dflt;	/* default shown in the usage text, or NULL */
};

static const struct opt_def opt_table[] = {
	{ "ipv4", '4', ARG_NONE, NULL, NULL, 0, 0, "use IPv4 only", "family of HOST" },
	{ "ipv6", '6', ARG_NONE, NULL, NULL, 0, 0, "use IPv6 only", NULL },
	{ "udp", 'u', ARG_NONE, NULL, NULL, 0, 0, "probe with UDP datagrams (the default)", NULL },
	{ "tcp", 'T', ARG_NONE, NULL, NULL, 0, 0, "probe with TCP SYNs", NULL },
	{ "icmp", OPT_ICMP, ARG_NONE, NULL, NULL, 0, 0, "probe with ICMP echo requests", NULL },
	{ "port", 'P', ARG_INT, "PORT", "port", 1, 65535, "destination port",
	  "33434; TCP 80" },
	{ "source-port", 'L', ARG_INT, "BASE", "source port", 1, 65535,
	  "source port of flow 0", "random" },
	{ "flows", OPT_FLOWS, ARG_INT, "N", "number of flows", 1, 4096,
	  "exact flow count", "adaptive" },
	{ "confidence", OPT_CONFIDENCE, ARG_INT, "95|99", "confidence", 95, 99,
	  "discovery confidence", "95" },
	{ "first-ttl", 'f', ARG_INT, "N", "first TTL", 1, 255, "first TTL to probe", "1" },
	{ "max-ttl", 'm', ARG_INT, "N", "max TTL", 1, 255, "last TTL to probe", "30" },
	{ "count", 'c', ARG_INT, "N", "count", 1, 1000000, "rounds to send", "10" },
	{ "interval", 'i', ARG_SECONDS, "SECONDS", "interval", 10000, 3600000000LL,
	  "time between rounds", "1" },
	{ "timeout", OPT_TIMEOUT, ARG_SECONDS, "SECONDS", "timeout", 50000, 60000000,
	  "how long to wait for a reply", "2" },
	{ "rate", OPT_RATE, ARG_INT, "PPS", "rate", 1, 100000, "probes per second at most",
	  "200" },
	{ "max-unknown", 'U', ARG_INT, "N", "max-unknown", 1, 255,
	  "silent hops before giving up", "5" },
	{ "vary", OPT_VARY, ARG_TEXT, "FIELDS", "vary", 0, 0,
	  "vary sport, label or sport,label", "auto" },
	{ "tos", 'Q', ARG_INT, "N", "TOS", 0, 255, "IPv4 TOS / IPv6 traffic class", "0" },
	{ "interface", 'I', ARG_TEXT, "IFACE", "interface", 0, 0,
	  "send and capture on IFACE only", "any" },
	{ "address", 'a', ARG_TEXT, "ADDR", "source address", 0, 0,
	  "source address, one of this host's", "route's" },
	{ "mark", 'M', ARG_INT, "N", "mark", 0, 4294967295LL, "SO_MARK of the probes",
	  "none" },
	{ "psize", 's', ARG_INT, "BYTES", "probe size", OPTIONS_PSIZE_MIN, PROBE_PLAIN_MAX,
	  "UDP/ICMP probe bytes", "40; IPv6 60" },
	{ "pmtu", OPT_PMTU, ARG_NONE, NULL, NULL, 0, 0,
	  "path MTU to the byte (default: within 8)", NULL },
	{ "no-link-check", OPT_NO_LINK_CHECK, ARG_NONE, NULL, NULL, 0, 0,
	  "do not ask first-hop neighbours for their MAC", NULL },
	{ "unprivileged", OPT_UNPRIVILEGED, ARG_NONE, NULL, NULL, 0, 0,
	  "use ordinary sockets", "without CAP_NET_RAW" },
	{ "no-dns", 'n', ARG_NONE, NULL, NULL, 0, 0, "show addresses, do not look up names",
	  NULL },
	{ "mpls", 'e', ARG_NONE, NULL, NULL, 0, 0, "show MPLS labels quoted in ICMP errors",
	  NULL },
	{ "aslookup", 'z', ARG_NONE, NULL, NULL, 0, 0, "show each address's origin AS (DNS)",
	  NULL },
	{ "report", 'r', ARG_NONE, NULL, NULL, 0, 0, "print a report at the end",
	  "if not a tty" },
	{ "report-wide", 'w', ARG_NONE, NULL, NULL, 0, 0, "report, never truncating names",
	  NULL },
	{ "json", 'j', ARG_NONE, NULL, NULL, 0, 0, "print the results as one JSON document",
	  NULL },
	{ "json-stream", OPT_JSON_STREAM, ARG_NONE, NULL, NULL, 0, 0,
	  "print JSON lines while running", NULL },
	{ "csv", 'C', ARG_NONE, NULL, NULL, 0, 0,
	  "print one CSV row per hop per branch at the end", NULL },
	{ "dot", OPT_DOT, ARG_NONE, NULL, NULL, 0, 0,
	  "print the branch graph for Graphviz at the end", NULL },
	{ "curses", 't', ARG_NONE, NULL, NULL, 0, 0, "live view", "on a tty" },
	{ "report-on-exit", OPT_REPORT_ON_EXIT, ARG_NONE, NULL, NULL, 0, 0,
	  "print a report when the live view ends", NULL },
	{ "targets", OPT_TARGETS, ARG_TEXT, "FILE", "targets file", 0, 0,
	  "trace every target of FILE too", NULL },
	{ "listen", OPT_LISTEN, ARG_TEXT, "ADDR:PORT", "listen address", 0, 0,
	  "serve Prometheus /metrics", "127.0.0.1:PORT" },
	{ "textfile", OPT_TEXTFILE, ARG_TEXT, "PATH", "textfile", 0, 0,
	  "write the metrics to PATH every 5 s", NULL },
	{ "help", 'h', ARG_NONE, NULL, NULL, 0, 0, "show this help and exit", NULL },
	{ "version", 'v', ARG_NONE, NULL, NULL, 0, 0, "show the version and exit", NULL },
};

#define OPT_COUNT (sizeof(opt_table) / sizeof(opt_table[0]))

static const struct opt_def *opt_find(int val)
{
	for (size_t i = 0; i < OPT_COUNT; i++)
		if (opt_table[i].val == val)
			return &opt_table[i];
	return NULL;
}

/* "-c/--count" or "--flows": how the option is named in messages. */
static const char *opt_label(const struct opt_def *d, char *buf, size_t len)
{
	if (d->val < 256)
		snprintf(buf, len, "-%c/--%s", d->val, d->name);
	else
		snprintf(buf, len, "--%s", d->name);
	return buf;
}

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->host = NULL;
	o->family = 0;
	o->proto = PROBE_UDP;
	o->port = 0;
	o->sport_base = 0;
	o->nflows = 16;
	o->flows_fixed = false;
	o->confidence = 95;
	o->first_ttl = 1;
	o->max_ttl = 30;
	o->count = 10;
	o->count_set = false;
	o->interval_us = 1000000;
	o->timeout_us = 2000000;
	o->rate_pps = 200;
	o->max_unknown = 5;
	o->vary = 0;
	o->tos = 0;
	o->link_check = true;
	o->face = FACE_AUTO;
}

/* The numeric value of an ARG_INT or ARG_SECONDS option, range-checked. */
static bool opt_number(const struct opt_def *d, const char *text, long long *out,
		       char *err, size_t errlen)
{
	char why[96], q[OPTIONS_QUOTE_BUF];
	uint64_t us = 0;
	bool good;

	if (d->arg == ARG_SECONDS) {
		good = parse_seconds(text, (uint64_t)d->min, (uint64_t)d->max, &us, why,
				     sizeof(why));
		*out = (long long)us;
	} else {
		good = parse_int(text, d->min, d->max, out, why, sizeof(why));
	}
	if (good)
		return true;
	options_quote(text, q, sizeof(q));
	/*
	 * A well-formed number that is too big or small reads best without
	 * quotes ("port 70000 out of range (1-65535)"); anything else is
	 * quoted so that an empty or odd value is visible.
	 */
	if (strncmp(why, "out of range", 12) == 0)
		set_err(err, errlen, "%s %s %s", d->noun, q, why);
	else
		set_err(err, errlen, "invalid %s '%s': %s", d->noun, q, why);
	return false;
}

/*
 * --listen PORT, ADDR:PORT or [IPV6]:PORT.  The address must be numeric:
 * a name would be looked up before the privileges are dropped, and an
 * exporter's address is the operator's choice, not DNS's.
 */
static bool parse_listen(const char *text, struct options *o, char *err, size_t errlen)
{
	char q[OPTIONS_QUOTE_BUF], why[96];
	const char *close = text[0] == '[' ? strchr(text, ']') : NULL;
	const char *colon = close ? (close[1] == ':' ? close + 1 : NULL) : strrchr(text, ':');
	const char *addr = close ? text + 1 : text, *port = colon ? colon + 1 : text;
	size_t alen = close ? (size_t)(close - addr) : colon ? (size_t)(colon - text) : 0;
	struct ip_addr a;
	long long n;

	if ((text[0] == '[' && colon == NULL) ||
	    (close == NULL && colon != NULL && memchr(text, ':', alen) != NULL)) {
		set_err(err, errlen, "invalid listen address '%s': write an IPv6 address "
			"in brackets, then the port: [::1]:9101", options_quote(text, q, sizeof(q)));
		return false;
	}
	if (!parse_int(port, 1, 65535, &n, why, sizeof(why))) {
		set_err(err, errlen, "invalid listen port in '%s': %s", options_quote(text, q, sizeof(q)),
			why);
		return false;
	}
	if (colon == NULL) {
		snprintf(o->listen_addr, sizeof(o->listen_addr), "127.0.0.1");
	} else if (alen == 0 || alen >= sizeof(o->listen_addr) ||
		   (memcpy(o->listen_addr, addr, alen), o->listen_addr[alen] = '\0',
		    !addr_parse(o->listen_addr, &a))) {
		set_err(err, errlen, "invalid listen address '%s': a numeric IPv4 or IPv6 "
			"address is needed", options_quote(text, q, sizeof(q)));
		return false;
	}
	o->listen_port = (uint16_t)n;
	return true;
}

/*
 * Options that exclude each other (-4/-6, the protocols, the faces) are
 * checked as they arrive: the second one names the first.  first and
 * second are the option values as seen by getopt.
 */
static bool conflict(int first, int second, char *err, size_t errlen)
{
	char a[40], b[40];

	set_err(err, errlen, "%s cannot be combined with %s",
		opt_label(opt_find(second), b, sizeof(b)),
		opt_label(opt_find(first), a, sizeof(a)));
	return false;
}

/* What getopt saw so far, for the checks between options. */
struct parse_state {
	int family_opt;		/* '4' or '6' once given, else 0 */
	int proto_opt;		/* 'u', 'T' or OPT_ICMP once given, else 0 */
	int face_opt;		/* first of -r/-w/-j/--json-stream/-C/--dot/-t given, else 0 */
	bool port_set;		/* -P given */
	bool sport_set;		/* -L given */
};

/* Two options of one exclusive group: the same twice is fine. */
static bool exclusive(int *seen, int val, bool same, char *err, size_t errlen)
{
	if (*seen != 0 && !same)
		return conflict(*seen, val, err, errlen);
	if (*seen == 0)
		*seen = val;
	return true;
}

static enum face face_of(int val)
{
	switch (val) {
	case 't':
		return FACE_CURSES;
	case 'j':
		return FACE_JSON;
	case OPT_JSON_STREAM:
		return FACE_JSON_STREAM;
	case 'C':
		return FACE_CSV;
	case OPT_DOT:
		return FACE_DOT;
	default:
		return FACE_REPORT;	/* -r, -w */
	}
}

/* -4/-6, the protocols and the faces: one of each group (the same one twice is fine). */
static bool apply_choice(struct options *o, struct parse_state *st, int val, char *err,
			 size_t errlen)
{
	switch (val) {
	case '4':
	case '6':
		if (!exclusive(&st->family_opt, val, st->family_opt == val, err, errlen))
			return false;
		o->family = val == '4' ? AF_INET : AF_INET6;
		break;
	case 'u':
	case 'T':
	case OPT_ICMP:
		if (!exclusive(&st->proto_opt, val, st->proto_opt == val, err, errlen))
			return false;
		o->proto = val == 'u' ? PROBE_UDP : val == 'T' ? PROBE_TCP : PROBE_ICMP;
		break;
	default:	/* -r, -w, -j, --json-stream, -C, --dot, -t */
		if (!exclusive(&st->face_opt, val,
			       st->face_opt != 0 && face_of(st->face_opt) == face_of(val), err,
			       errlen))
			return false;
		/* -w stays with -r; a command line's -j overrides ECMPTRACE_OPTIONS' -w. */
		o->report_wide = val == 'w' || (o->report_wide && face_of(val) == FACE_REPORT);
		o->face = face_of(val);
		break;
	}
	return true;
}

/* An option that sets a value its table entry has already bounded (n), or a switch. */
static void apply_value(struct options *o, struct parse_state *st, int val, long long n)
{
	switch (val) {
	case 'P':
		o->port = (uint16_t)n;
		st->port_set = true;
		break;
	case 'L':
		o->sport_base = (uint16_t)n;
		st->sport_set = true;
		break;
	case OPT_FLOWS:
		o->nflows = (int)n;
		o->flows_fixed = true;
		break;
	case 'f':
		o->first_ttl = (int)n;
		break;
	case 'm':
		o->max_ttl = (int)n;
		break;
	case 'c':
		o->count = (uint64_t)n;
		o->count_set = true;
		break;
	case 'i':
		o->interval_us = (uint64_t)n;
		break;
	case OPT_TIMEOUT:
		o->timeout_us = (uint64_t)n;
		break;
	case OPT_RATE:
		o->rate_pps = (uint32_t)n;
		break;
	case 'U':
		o->max_unknown = (int)n;
		break;
	case 'Q':
		o->tos = (int)n;
		break;
	case 'M':
		o->mark = (uint32_t)n;
		o->mark_set = true;
		break;
	case 's':
		o->psize = (int)n;
		break;
	case 'n':
		o->numeric = true;
		break;
	case 'e':
		o->mpls = true;
		break;
	case 'z':
		o->aslookup = true;
		break;
	case OPT_REPORT_ON_EXIT:
		o->report_on_exit = true;
		break;
	case OPT_NO_LINK_CHECK:
		o->link_check = false;
		break;
	case OPT_PMTU:
		o->pmtu_full = true;
		break;
	case OPT_UNPRIVILEGED:
		o->unprivileged = true;
		break;
	}
}

/* Applies one recognized option; false with err set when it is wrong. */
static bool apply(struct options *o, struct parse_state *st, const struct opt_def *d,
		  const char *arg, char *err, size_t errlen)
{
	long long n = 0;

	if ((d->arg == ARG_INT || d->arg == ARG_SECONDS) && !opt_number(d, arg, &n, err, errlen))
		return false;
	switch (d->val) {
	case '4':
	case '6':
	case 'u':
	case 'T':
	case OPT_ICMP:
	case 'r':
	case 'w':
	case 'j':
	case OPT_JSON_STREAM:
	case 'C':
	case OPT_DOT:
	case 't':
		return apply_choice(o, st, d->val, err, errlen);
	case OPT_CONFIDENCE:
		if (n != 95 && n != 99) {
			set_err(err, errlen, "--confidence %lld: only 95 or 99 (percent) are known",
				n);
			return false;
		}
		o->confidence = (int)n;
		return true;
	case OPT_VARY:
		return options_parse_vary(arg, &o->vary, err, errlen);
	case 'I':
		return options_parse_interface(arg, o->interface, err, errlen);
	case 'a':
		return options_parse_source(arg, &o->source, err, errlen);
	case OPT_TARGETS:
		if (arg[0] == '\0') {
			set_err(err, errlen, "--targets needs a file name");
			return false;
		}
		o->targets_file = arg;
		return true;
	case OPT_LISTEN:
		return parse_listen(arg, o, err, errlen);
	case OPT_TEXTFILE:
		if (arg[0] == '\0') {
			set_err(err, errlen, "--textfile needs a file name, not ''");
			return false;
		}
		o->textfile = arg;
		return true;
	default:
		apply_value(o, st, d->val, n);
		return true;
	}
}

/* The checks that need every option: order on the command line does not matter. */
static bool check_combined(const struct options *o, const struct parse_state *st,
			   char *err, size_t errlen)
{
	if (o->first_ttl > o->max_ttl) {
		set_err(err, errlen, "first TTL %d is above max TTL %d", o->first_ttl,
			o->max_ttl);
		return false;
	}
	if (st->sport_set && (long)o->sport_base + o->nflows - 1 > 65535) {
		set_err(err, errlen,
			"%d flows from source port %u need ports up to %ld (max 65535)",
			o->nflows, (unsigned)o->sport_base, (long)o->sport_base + o->nflows - 1);
		return false;
	}
	/* One ordinary socket per flow: two flows cannot share a source port. */
	if (o->unprivileged && o->vary == VARY_LABEL) {
		set_err(err, errlen, "--vary label does not apply to --unprivileged: ordinary "
			"sockets need a source port per flow");
		return false;
	}
	if ((o->vary & VARY_LABEL) && o->family == AF_INET) {
		set_err(err, errlen, "--vary %s needs IPv6: IPv4 has no flow label (-4 given)",
			o->vary & VARY_SPORT ? "sport,label" : "label");
		return false;
	}
	if (o->source.family != 0 && o->family != 0 && o->source.family != o->family) {
		set_err(err, errlen, "-a/--address is an IPv%c address but %s was given",
			o->source.family == AF_INET ? '4' : '6',
			o->family == AF_INET ? "-4" : "-6");
		return false;
	}
	if (o->pmtu_full && o->proto == PROBE_TCP && o->unprivileged) {
		set_err(err, errlen, "--pmtu with -T/--tcp needs raw sockets: a connect() sends no "
			"data in its SYN");
		return false;
	}
	if (o->psize && o->proto == PROBE_TCP) {
		set_err(err, errlen, "-s/--psize does not apply to -T/--tcp: TCP probes are bare SYNs");
		return false;
	}
	if (o->psize && o->family == AF_INET6 && o->psize < OPTIONS_PSIZE_MIN + 20) {
		set_err(err, errlen, "probe size %d is too small for IPv6 (at least %d: headers of "
			"48 bytes and 2 of payload)", o->psize, OPTIONS_PSIZE_MIN + 20);
		return false;
	}
	if ((o->listen_port || o->textfile) && st->face_opt != 0) {
		char a[40];

		set_err(err, errlen, "%s cannot be combined with %s: the exporter is the run's "
			"output", opt_label(opt_find(st->face_opt), a, sizeof(a)),
			o->listen_port ? "--listen" : "--textfile");
		return false;
	}
	if (st->port_set && o->proto == PROBE_ICMP) {
		set_err(err, errlen, "-P/--port %u does not apply to --icmp: ICMP has no ports",
			(unsigned)o->port);
		return false;
	}
	return true;
}

/* One line for an option getopt did not accept (opterr is off: we say it). */
static void getopt_failure(int c, int argc, char **argv, char *err, size_t errlen)
{
	const struct opt_def *d = optopt != 0 ? opt_find(optopt) : NULL;
	char q[OPTIONS_QUOTE_BUF], label[40];
	char ch[2] = { (char)optopt, '\0' };

	if (c == ':' && d != NULL) {
		set_err(err, errlen, "option %s needs an argument (%s)",
			opt_label(d, label, sizeof(label)), d->metavar);
	} else if (d != NULL) {
		/* A known option answered with '?': "--json=x" on a switch. */
		set_err(err, errlen, "option --%s takes no argument", d->name);
	} else if (optopt != 0) {
		set_err(err, errlen, "unknown option '-%s'", options_quote(ch, q, sizeof(q)));
	} else if (optind >= 1 && optind - 1 < argc && argv[optind - 1] != NULL) {
		/* Unknown or ambiguous long option: getopt leaves optopt 0. */
		set_err(err, errlen, "unknown or ambiguous option '%s'",
			options_quote(argv[optind - 1], q, sizeof(q)));
	} else {
		set_err(err, errlen, "unknown option");
	}
}

/* Keeps the operands as the hosts; *extra: the first one past OPTIONS_HOSTS_MAX. */
static void note_operand(char *arg, struct options *o, char **extra)
{
	if (arg == NULL)
		return;
	if (o->nhosts < OPTIONS_HOSTS_MAX)
		o->hosts[o->nhosts++] = arg;
	else if (*extra == NULL)
		*extra = arg;
}

/*
 * getopt_long's tables, built from opt_table.  The leading '-' makes getopt
 * hand us each operand in order (as option 1) instead of permuting argv,
 * so "HOST -c 3" works the same with or without POSIXLY_CORRECT in the
 * environment.  The ':' after it makes getopt report a missing argument as
 * ':' and, with opterr 0, print nothing: messages are ours and go in err.
 */
static void getopt_tables(struct option longopts[OPT_COUNT + 1],
			  char shortopts[2 * OPT_COUNT + 3])
{
	size_t ns = 0;

	shortopts[ns++] = '-';
	shortopts[ns++] = ':';
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *d = &opt_table[i];

		longopts[i] = (struct option){ d->name,
					       d->arg == ARG_NONE ? no_argument
								  : required_argument,
					       NULL, d->val };
		if (d->val < 256) {
			shortopts[ns++] = (char)d->val;
			if (d->arg != ARG_NONE)
				shortopts[ns++] = ':';
		}
	}
	longopts[OPT_COUNT] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[ns] = '\0';
}

/* At least one host (or a --targets file), none empty, not too many. */
static bool check_hosts(const struct options *o, const char *extra, char *err, size_t errlen)
{
	char q[OPTIONS_QUOTE_BUF];

	if (o->nhosts == 0 && o->targets_file == NULL) {
		set_err(err, errlen, "no host given (try --help)");
		return false;
	}
	if (extra != NULL) {
		set_err(err, errlen, "more than %d hosts ('%s' is one more): put them in a "
			"--targets file", OPTIONS_HOSTS_MAX, options_quote(extra, q, sizeof(q)));
		return false;
	}
	for (int i = 0; i < o->nhosts; i++)
		if (o->hosts[i][0] == '\0') {
			set_err(err, errlen, "empty host ''");
			return false;
		}
	return true;
}

/*
 * Runs getopt over one word list (the environment's or the command line's)
 * into o and st; operands go to o->hosts, one too many to *extra.  OPTIONS_RUN when every
 * option was good.
 */
static enum options_status parse_words(int argc, char **argv, struct options *o,
				       struct parse_state *st, char **extra, char *err,
				       size_t errlen)
{
	struct option longopts[OPT_COUNT + 1];
	char shortopts[2 * OPT_COUNT + 3];
	int c;

	getopt_tables(longopts, shortopts);
	/* optind 0 makes glibc and musl start afresh, so we can parse again. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct opt_def *d;

		if (c == 1) {
			note_operand(optarg, o, extra);
			continue;
		}
		if (c == '?' || c == ':') {
			getopt_failure(c, argc, argv, err, errlen);
			return OPTIONS_ERROR;
		}
		if (c == 'h')
			return OPTIONS_HELP;
		if (c == 'v')
			return OPTIONS_VERSION;
		d = opt_find(c);
		if (d == NULL) {
			set_err(err, errlen, "internal error: option %d has no table entry", c);
			return OPTIONS_ERROR;
		}
		if (!apply(o, st, d, optarg, err, errlen))
			return OPTIONS_ERROR;
	}
	/* Operands after "--" are left for us at optind. */
	for (int i = optind; i < argc; i++)
		note_operand(argv[i], o, extra);
	return OPTIONS_RUN;
}

/* Most words and characters ECMPTRACE_OPTIONS may hold. */
#define ENV_WORDS_MAX 64
#define ENV_TEXT_MAX 1024

/* The environment's words: split at white space, no quoting (as mtr splits MTR_OPTIONS). */
struct env_words {
	char text[ENV_TEXT_MAX];
	char *argv[ENV_WORDS_MAX + 2];	/* a program name first, NULL last */
	int argc;
};

static bool split_env(const char *env, const char *prog, struct env_words *w, char *err,
		      size_t errlen)
{
	size_t n = strlen(env);

	if (n >= sizeof(w->text)) {
		set_err(err, errlen, "%s: longer than %d characters", OPTIONS_ENV,
			ENV_TEXT_MAX - 1);
		return false;
	}
	memcpy(w->text, env, n + 1);
	w->argc = 0;
	w->argv[w->argc++] = (char *)prog;
	for (char *p = w->text; *p != '\0';) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' ||
		    *p == '\f') {
			*p++ = '\0';
			continue;
		}
		if (w->argc == ENV_WORDS_MAX + 1) {
			set_err(err, errlen, "%s: more than %d words", OPTIONS_ENV, ENV_WORDS_MAX);
			return false;
		}
		w->argv[w->argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		       *p != '\v' && *p != '\f')
			p++;
	}
	w->argv[w->argc] = NULL;
	return true;
}

/*
 * The environment's words, parsed before the command line.  They may not
 * name the host.  The choices of one group (-4/-6, protocol, face) are
 * forgotten afterwards, so the command line replaces them, not conflicts.
 */
static enum options_status parse_env(const char *env, const char *prog, struct options *o,
				     struct parse_state *st, char *err, size_t errlen)
{
	struct env_words w;
	char *extra = NULL, msg[512], q[OPTIONS_QUOTE_BUF];
	enum options_status s;

	if (!split_env(env, prog, &w, err, errlen))
		return OPTIONS_ERROR;
	s = parse_words(w.argc, w.argv, o, st, &extra, msg, sizeof(msg));
	if (s == OPTIONS_ERROR) {
		set_err(err, errlen, "%s: %s", OPTIONS_ENV, msg);
		return s;
	}
	if (s == OPTIONS_RUN && o->nhosts > 0) {
		set_err(err, errlen, "%s: '%s' is not an option (the host belongs on the "
			"command line)", OPTIONS_ENV, options_quote(o->hosts[0], q, sizeof(q)));
		return OPTIONS_ERROR;
	}
	st->family_opt = st->proto_opt = st->face_opt = 0;
	return s;
}

enum options_status options_parse_env(const char *env, int argc, char **argv,
				      struct options *o, char *err, size_t errlen)
{
	char *extra = NULL;
	struct parse_state st = { 0 };
	enum options_status s;

	options_defaults(o);
	set_err(err, errlen, "%s", "");
	if (argc < 1 || argv == NULL) {
		set_err(err, errlen, "no arguments at all (not even a program name)");
		return OPTIONS_ERROR;
	}
	if (env != NULL && env[0] != '\0') {
		s = parse_env(env, argv[0] ? argv[0] : "ecmptrace", o, &st, err, errlen);
		if (s != OPTIONS_RUN)
			return s;
	}
	s = parse_words(argc, argv, o, &st, &extra, err, errlen);
	if (s != OPTIONS_RUN)
		return s;
	if (!check_hosts(o, extra, err, errlen) || !check_combined(o, &st, err, errlen))
		return OPTIONS_ERROR;
	if (o->listen_port || o->textfile)
		o->face = FACE_EXPORTER;
	o->host = o->nhosts > 0 ? o->hosts[0] : NULL;
	return OPTIONS_RUN;
}

enum options_status options_parse(int argc, char **argv, struct options *o,
				  char *err, size_t errlen)
{
	return options_parse_env(NULL, argc, argv, o, err, errlen);
}

void options_usage(FILE *out)
{
	fputs("Usage: ecmptrace [OPTION]... HOST...\n"
	      "Traces every equal-cost (ECMP) path to HOST: many flows, each with constant\n"
	      "header fields, and loss and latency for each hop of each branch.\n"
	      "Several hosts (or --targets FILE) are traced at once, sharing --rate.\n"
	      "\n"
	      "Options (SECONDS may have a fraction, e.g. 0.25):\n",
	      out);
	for (size_t i = 0; i < OPT_COUNT; i++) {
		const struct opt_def *d = &opt_table[i];
		char left[40], range[48] = "", dflt[48] = "";

		if (d->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->val, d->name,
				 d->metavar ? " " : "", d->metavar ? d->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name,
				 d->metavar ? " " : "", d->metavar ? d->metavar : "");
		/* A metavar that lists the choices ("95|99") says it better than a range. */
		if (d->arg == ARG_INT && !(d->metavar && strchr(d->metavar, '|')))
			snprintf(range, sizeof(range), ", %lld-%lld", d->min, d->max);
		else if (d->arg == ARG_SECONDS)
			snprintf(range, sizeof(range), ", %g-%g", (double)d->min / 1e6,
				 (double)d->max / 1e6);
		if (d->dflt != NULL)
			snprintf(dflt, sizeof(dflt), " (default: %s)", d->dflt);
		fprintf(out, "  %-23s %s%s%s\n", left, d->help, range, dflt);
	}
	fputs("\nOptions in $" OPTIONS_ENV " (split at spaces) come before the command line's.\n"
	      "\nExit status: 0 done, 1 runtime error, 2 usage error.  See ecmptrace(8).\n", out);
}
