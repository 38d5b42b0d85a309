/*
 * Unit tests of src/options.c: a table of command lines, each with the
 * status it must give and either the fields it must set or a piece of the
 * one-line error.  Covers every option's good values and bounds, the
 * checks between options, getopt's own failures, repeated parsing and the
 * usage text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/flow.h"
#include "options.h"
#include "../tap.h"

#define MAX_ARGS 64

struct argv_buf {
	char text[1024];
	char *argv[MAX_ARGS + 1];
	int argc;
};

/*
 * Splits a command line at spaces into argv ("ecmptrace" first); the token
 * '' stands for an empty argument.
 */
static void split(const char *line, struct argv_buf *b)
{
	char *p;

	snprintf(b->text, sizeof(b->text), "%s", line);
	b->argc = 0;
	b->argv[b->argc++] = (char *)"ecmptrace";
	for (p = strtok(b->text, " "); p != NULL && b->argc < MAX_ARGS; p = strtok(NULL, " "))
		b->argv[b->argc++] = strcmp(p, "''") == 0 ? p + 2 : p;
	b->argv[b->argc] = NULL;
}

/* Field checks are "name=value" words; these read the named field. */
struct field {
	const char *name;
	long long (*get)(const struct options *o);
};

#define FIELD(n, expr) \
	static long long get_##n(const struct options *o) { return (long long)(expr); }
FIELD(family, o->family)
FIELD(proto, o->proto)
FIELD(port, o->port)
FIELD(sport, o->sport_base)
FIELD(flows, o->nflows)
FIELD(fixed, o->flows_fixed)
FIELD(confidence, o->confidence)
FIELD(first, o->first_ttl)
FIELD(max, o->max_ttl)
FIELD(count, o->count)
FIELD(count_set, o->count_set)
FIELD(interval, o->interval_us)
FIELD(timeout, o->timeout_us)
FIELD(rate, o->rate_pps)
FIELD(max_unknown, o->max_unknown)
FIELD(vary, o->vary)
FIELD(tos, o->tos)
FIELD(psize, o->psize)
FIELD(pmtu, o->pmtu_full)
FIELD(numeric, o->numeric)
FIELD(wide, o->report_wide)
FIELD(roe, o->report_on_exit)
FIELD(linkcheck, o->link_check)
FIELD(unpriv, o->unprivileged)
FIELD(face, o->face)
FIELD(mark, o->mark)
FIELD(mark_set, o->mark_set)
FIELD(src_family, o->source.family)
FIELD(mpls, o->mpls)
FIELD(asl, o->aslookup)
FIELD(nhosts, o->nhosts)
FIELD(targets, o->targets_file != NULL)
FIELD(listen_port, o->listen_port)
FIELD(textfile, o->textfile != NULL)

static const struct field fields[] = {
	{ "family", get_family }, { "proto", get_proto }, { "port", get_port },
	{ "sport", get_sport }, { "flows", get_flows }, { "fixed", get_fixed },
	{ "confidence", get_confidence }, { "first", get_first },
	{ "max", get_max }, { "count", get_count }, { "count_set", get_count_set },
	{ "interval", get_interval }, { "timeout", get_timeout }, { "rate", get_rate },
	{ "max_unknown", get_max_unknown }, { "vary", get_vary }, { "tos", get_tos },
	{ "psize", get_psize }, { "pmtu", get_pmtu },
	{ "numeric", get_numeric }, { "wide", get_wide }, { "roe", get_roe },
	{ "linkcheck", get_linkcheck }, { "unpriv", get_unpriv },
	{ "face", get_face }, { "mark", get_mark }, { "mark_set", get_mark_set },
	{ "src_family", get_src_family }, { "mpls", get_mpls }, { "asl", get_asl },
	{ "nhosts", get_nhosts }, { "targets", get_targets },
	{ "listen_port", get_listen_port }, { "textfile", get_textfile },
};

/* Symbolic values allowed on the right of '=' so the table reads well. */
static const struct {
	const char *name;
	long long value;
} symbols[] = {
	{ "inet", AF_INET }, { "inet6", AF_INET6 },
	{ "udp", PROBE_UDP }, { "tcp", PROBE_TCP }, { "icmp", PROBE_ICMP },
	{ "auto", FACE_AUTO }, { "curses", FACE_CURSES }, { "report", FACE_REPORT },
	{ "json", FACE_JSON }, { "stream", FACE_JSON_STREAM }, { "exporter", FACE_EXPORTER },
	{ "sport", VARY_SPORT }, { "label", VARY_LABEL },
	{ "both", VARY_SPORT | VARY_LABEL },
};

/* Checks every "name=value" of want against o; describes the first mismatch in why. */
static bool fields_match(const struct options *o, const char *want, char *why, size_t len)
{
	char copy[512], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", want);
	for (char *w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');
		long long expect, got;
		char *end;
		size_t i;

		if (eq == NULL) {
			snprintf(why, len, "bad check '%s'", w);
			return false;
		}
		*eq++ = '\0';
		if (strcmp(w, "iface") == 0 || strcmp(w, "src") == 0) {
			char a[ADDR_STRLEN] = "";
			const char *have = w[0] == 'i' ? o->interface
				: o->source.family ? addr_format(&o->source, a, sizeof(a)) : "";

			if (strcmp(have, eq) != 0) {
				snprintf(why, len, "%s '%s', want '%s'", w, have, eq);
				return false;
			}
			continue;
		}
		if (strcmp(w, "host") == 0) {
			if (o->host == NULL || strcmp(o->host, eq) != 0) {
				snprintf(why, len, "host '%s', want '%s'", o->host ? o->host : "(null)",
					 eq);
				return false;
			}
			continue;
		}
		if (strcmp(w, "listen_addr") == 0) {
			if (strcmp(o->listen_addr, eq) != 0) {
				snprintf(why, len, "listen_addr '%s', want '%s'", o->listen_addr, eq);
				return false;
			}
			continue;
		}
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(fields[i].name, w) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0])) {
			snprintf(why, len, "unknown field '%s'", w);
			return false;
		}
		expect = strtoll(eq, &end, 10);
		if (*end != '\0') {
			size_t s;

			for (s = 0; s < sizeof(symbols) / sizeof(symbols[0]); s++)
				if (strcmp(symbols[s].name, eq) == 0)
					break;
			if (s == sizeof(symbols) / sizeof(symbols[0])) {
				snprintf(why, len, "unknown value '%s'", eq);
				return false;
			}
			expect = symbols[s].value;
		}
		got = fields[i].get(o);
		if (got != expect) {
			snprintf(why, len, "%s=%lld, want %lld", w, got, expect);
			return false;
		}
	}
	return true;
}

struct option_case {
	const char *line;		/* arguments after the program name */
	enum options_status status;
	const char *expect;		/* OPTIONS_RUN: field checks; OPTIONS_ERROR: err substring */
};

static const struct option_case cases[] = {
	/* Defaults: only a host. */
	{ "h", OPTIONS_RUN,
	  "host=h family=0 proto=udp port=0 sport=0 flows=16 fixed=0 confidence=95 first=1 "
	  "max=30 count=10 "
	  "count_set=0 interval=1000000 timeout=2000000 rate=200 max_unknown=5 vary=0 "
	  "tos=0 numeric=0 wide=0 roe=0 face=auto mark_set=0 src_family=0" },

	/* Families and protocols. */
	{ "-4 h", OPTIONS_RUN, "family=inet" },
	{ "--ipv4 h", OPTIONS_RUN, "family=inet" },
	{ "-6 h", OPTIONS_RUN, "family=inet6" },
	{ "--ipv6 h", OPTIONS_RUN, "family=inet6" },
	{ "-4 -4 h", OPTIONS_RUN, "family=inet" },
	{ "-4 -6 h", OPTIONS_ERROR, "-6/--ipv6 cannot be combined with -4/--ipv4" },
	{ "--ipv6 h --ipv4", OPTIONS_ERROR, "cannot be combined" },
	{ "-46 h", OPTIONS_ERROR, "cannot be combined" },
	{ "-u h", OPTIONS_RUN, "proto=udp" },
	{ "--udp h", OPTIONS_RUN, "proto=udp" },
	{ "-T h", OPTIONS_RUN, "proto=tcp" },
	{ "--tcp h", OPTIONS_RUN, "proto=tcp" },
	{ "--icmp h", OPTIONS_RUN, "proto=icmp" },
	{ "--icm h", OPTIONS_RUN, "proto=icmp" },
	{ "-T -T h", OPTIONS_RUN, "proto=tcp" },
	{ "-T --icmp h", OPTIONS_ERROR, "--icmp cannot be combined with -T/--tcp" },
	{ "-u -T h", OPTIONS_ERROR, "-T/--tcp cannot be combined with -u/--udp" },
	{ "--icmp --udp h", OPTIONS_ERROR, "cannot be combined" },

	/* -P/--port 1-65535. */
	{ "-P 1 h", OPTIONS_RUN, "port=1" },
	{ "-P 65535 h", OPTIONS_RUN, "port=65535" },
	{ "--port 443 -T h", OPTIONS_RUN, "port=443 proto=tcp" },
	{ "--port=53 h", OPTIONS_RUN, "port=53" },
	{ "-P80 h", OPTIONS_RUN, "port=80" },
	{ "-P 0 h", OPTIONS_ERROR, "port 0 out of range (1-65535)" },
	{ "-P 65536 h", OPTIONS_ERROR, "port 65536 out of range (1-65535)" },
	{ "-P 70000 h", OPTIONS_ERROR, "port 70000 out of range (1-65535)" },
	{ "-P -1 h", OPTIONS_ERROR, "port -1 out of range" },
	{ "-P http h", OPTIONS_ERROR, "invalid port 'http': not a number" },
	{ "-P 80x h", OPTIONS_ERROR, "invalid port '80x': trailing characters" },
	{ "-P '' h", OPTIONS_ERROR, "invalid port '': empty" },
	{ "-P 80 --icmp h", OPTIONS_ERROR, "-P/--port 80 does not apply to --icmp" },
	{ "--icmp --port 80 h", OPTIONS_ERROR, "does not apply to --icmp" },

	/* -L/--source-port 1-65535 and --flows 1-4096 within the port range. */
	{ "-L 1 h", OPTIONS_RUN, "sport=1" },
	{ "-L 30000 h", OPTIONS_RUN, "sport=30000 flows=16" },
	{ "--source-port 65520 h", OPTIONS_RUN, "sport=65520" },
	{ "-L 65535 --flows 1 h", OPTIONS_RUN, "sport=65535 flows=1" },
	{ "-L 0 h", OPTIONS_ERROR, "source port 0 out of range (1-65535)" },
	{ "-L 65536 h", OPTIONS_ERROR, "source port 65536 out of range" },
	{ "-L x h", OPTIONS_ERROR, "invalid source port 'x': not a number" },
	{ "--flows 1 h", OPTIONS_RUN, "flows=1 fixed=1" },
	/* Branch discovery: --confidence 95|99; --flows N turns it off. */
	{ "--confidence 99 h", OPTIONS_RUN, "confidence=99 fixed=0 flows=16" },
	{ "--confidence=95 h", OPTIONS_RUN, "confidence=95" },
	{ "--confidence 97 h", OPTIONS_ERROR, "only 95 or 99" },
	{ "--confidence 90 h", OPTIONS_ERROR, "confidence 90 out of range (95-99)" },
	{ "--confidence h", OPTIONS_ERROR, "invalid confidence 'h'" },
	{ "--flows 16 h", OPTIONS_RUN, "flows=16 fixed=1 confidence=95" },
	{ "--flows 4096 h", OPTIONS_RUN, "flows=4096" },
	{ "--flows=64 h", OPTIONS_RUN, "flows=64" },
	{ "--flows 0 h", OPTIONS_ERROR, "number of flows 0 out of range (1-4096)" },
	{ "--flows 4097 h", OPTIONS_ERROR, "number of flows 4097 out of range (1-4096)" },
	{ "--flows many h", OPTIONS_ERROR, "invalid number of flows 'many'" },
	{ "-L 65521 h", OPTIONS_ERROR, "16 flows from source port 65521 need ports up to 65536" },
	{ "-L 65535 h", OPTIONS_ERROR, "need ports up to 65550 (max 65535)" },
	{ "--flows 4096 -L 61440 h", OPTIONS_RUN, "flows=4096 sport=61440" },
	{ "--flows 4096 -L 61441 h", OPTIONS_ERROR, "4096 flows from source port 61441" },
	{ "-L 61441 --flows 4096 h", OPTIONS_ERROR, "need ports up to 65536" },
	{ "--flows 4096 h", OPTIONS_RUN, "sport=0" },	/* main picks a base that fits */

	/* -f/--first-ttl, -m/--max-ttl 1-255, first <= max. */
	{ "-f 1 h", OPTIONS_RUN, "first=1" },
	{ "-f 30 h", OPTIONS_RUN, "first=30 max=30" },
	{ "--first-ttl 5 h", OPTIONS_RUN, "first=5" },
	{ "-f 0 h", OPTIONS_ERROR, "first TTL 0 out of range (1-255)" },
	{ "-f 256 h", OPTIONS_ERROR, "first TTL 256 out of range (1-255)" },
	{ "-f 31 h", OPTIONS_ERROR, "first TTL 31 is above max TTL 30" },
	{ "-f 255 -m 255 h", OPTIONS_RUN, "first=255 max=255" },
	{ "-m 1 h", OPTIONS_RUN, "first=1 max=1" },
	{ "-m 255 h", OPTIONS_RUN, "max=255" },
	{ "--max-ttl 64 h", OPTIONS_RUN, "max=64" },
	{ "-m 0 h", OPTIONS_ERROR, "max TTL 0 out of range (1-255)" },
	{ "-m 256 h", OPTIONS_ERROR, "max TTL 256 out of range (1-255)" },
	{ "-m 5 -f 6 h", OPTIONS_ERROR, "first TTL 6 is above max TTL 5" },
	{ "-m 10 -f 10 h", OPTIONS_RUN, "first=10 max=10" },
	{ "-m ttl h", OPTIONS_ERROR, "invalid max TTL 'ttl': not a number" },

	/* -c/--count 1-1000000. */
	{ "-c 1 h", OPTIONS_RUN, "count=1 count_set=1" },
	{ "-c 1000000 h", OPTIONS_RUN, "count=1000000 count_set=1" },
	{ "--count 10 h", OPTIONS_RUN, "count=10 count_set=1" },
	{ "--count=3 h", OPTIONS_RUN, "count=3 count_set=1" },
	{ "-c5 h", OPTIONS_RUN, "count=5 count_set=1" },
	{ "-c 0 h", OPTIONS_ERROR, "count 0 out of range (1-1000000)" },
	{ "-c 1000001 h", OPTIONS_ERROR, "count 1000001 out of range (1-1000000)" },
	{ "-c abc h", OPTIONS_ERROR, "invalid count 'abc': not a number" },
	{ "-c 10x h", OPTIONS_ERROR, "invalid count '10x': trailing characters" },
	{ "-c '' h", OPTIONS_ERROR, "invalid count '': empty" },
	{ "-c 1.5 h", OPTIONS_ERROR, "invalid count '1.5'" },
	{ "-c 99999999999999999999999 h", OPTIONS_ERROR, "count 99999999999999999999999 out" },
	{ "-c 2 -c 7 h", OPTIONS_RUN, "count=7" },	/* the last one wins */

	/* -i/--interval 0.01-3600 s, --timeout 0.05-60 s. */
	{ "-i 0.01 h", OPTIONS_RUN, "interval=10000" },
	{ "-i 3600 h", OPTIONS_RUN, "interval=3600000000" },
	{ "-i 0.25 h", OPTIONS_RUN, "interval=250000" },
	{ "--interval 2 h", OPTIONS_RUN, "interval=2000000" },
	{ "--interval=.5 h", OPTIONS_RUN, "interval=500000" },
	{ "-i 0.009 h", OPTIONS_ERROR, "interval 0.009 out of range (0.01-3600 seconds)" },
	{ "-i 3600.5 h", OPTIONS_ERROR, "interval 3600.5 out of range" },
	{ "-i 0 h", OPTIONS_ERROR, "interval 0 out of range" },
	{ "-i -1 h", OPTIONS_ERROR, "invalid interval '-1': must not be negative" },
	{ "-i -0.5 h", OPTIONS_ERROR, "negative" },
	{ "-i 1s h", OPTIONS_ERROR, "invalid interval '1s': trailing characters" },
	{ "-i fast h", OPTIONS_ERROR, "invalid interval 'fast': not a number" },
	{ "-i '' h", OPTIONS_ERROR, "invalid interval '': empty" },
	{ "--timeout 0.05 h", OPTIONS_RUN, "timeout=50000" },
	{ "--timeout 60 h", OPTIONS_RUN, "timeout=60000000" },
	{ "--timeout 1.5 h", OPTIONS_RUN, "timeout=1500000" },
	{ "--timeout 0.04 h", OPTIONS_ERROR, "timeout 0.04 out of range (0.05-60 seconds)" },
	{ "--timeout 61 h", OPTIONS_ERROR, "timeout 61 out of range" },
	{ "--timeout -2 h", OPTIONS_ERROR, "must not be negative" },
	{ "--timeout x h", OPTIONS_ERROR, "invalid timeout 'x'" },

	/* -I/--interface: mtr's letter; a name the kernel could hold. */
	{ "-I eth0 h", OPTIONS_RUN, "iface=eth0 proto=udp" },
	{ "--interface=veth-a.10 h", OPTIONS_RUN, "iface=veth-a.10" },
	{ "-Ieth1 -T h", OPTIONS_RUN, "iface=eth1 proto=tcp" },
	{ "-I 123456789012345 h", OPTIONS_RUN, "iface=123456789012345" },
	{ "h", OPTIONS_RUN, "iface=" },
	{ "-I 1234567890123456 h", OPTIONS_ERROR, "invalid interface '1234567890123456'" },
	{ "-I '' h", OPTIONS_ERROR, "invalid interface ''" },
	{ "-I a/b h", OPTIONS_ERROR, "invalid interface 'a/b'" },
	{ "-I a:1 h", OPTIONS_ERROR, "invalid interface 'a:1'" },
	{ "-I .. h", OPTIONS_ERROR, "invalid interface '..'" },
	{ "-I . h", OPTIONS_ERROR, "invalid interface '.'" },
	{ "h -I", OPTIONS_ERROR, "option -I/--interface needs an argument (IFACE)" },

	/* -a/--address: a numeric address a host could hold, of HOST's family. */
	{ "-a 192.0.2.7 h", OPTIONS_RUN, "src=192.0.2.7 src_family=inet" },
	{ "--address 2001:db8::7 h", OPTIONS_RUN, "src=2001:db8::7 src_family=inet6" },
	{ "-a 192.0.2.7 -4 h", OPTIONS_RUN, "src=192.0.2.7 family=inet" },
	{ "-a 192.0.2.7 -6 h", OPTIONS_ERROR, "-a/--address is an IPv4 address but -6" },
	{ "-4 -a 2001:db8::7 h", OPTIONS_ERROR, "-a/--address is an IPv6 address but -4" },
	{ "-a host.example h", OPTIONS_ERROR, "invalid source address 'host.example'" },
	{ "-a 10.1 h", OPTIONS_ERROR, "invalid source address '10.1'" },
	{ "-a 0.0.0.0 h", OPTIONS_ERROR, "'0.0.0.0': unspecified address" },
	{ "-a :: h", OPTIONS_ERROR, "'::': unspecified address" },
	{ "-a 224.0.0.1 h", OPTIONS_ERROR, "multicast address" },
	{ "-a '' h", OPTIONS_ERROR, "invalid source address ''" },
	{ "-a 192.0.2.1 -a 192.0.2.2 h", OPTIONS_RUN, "src=192.0.2.2" },

	/* -M/--mark 0-4294967295 (SO_MARK is 32 bits). */
	{ "-M 0 h", OPTIONS_RUN, "mark=0 mark_set=1" },
	{ "-M 4294967295 h", OPTIONS_RUN, "mark=4294967295 mark_set=1" },
	{ "--mark=7 h", OPTIONS_RUN, "mark=7 mark_set=1" },
	{ "-M 4294967296 h", OPTIONS_ERROR, "mark 4294967296 out of range (0-4294967295)" },
	{ "-M -1 h", OPTIONS_ERROR, "mark -1 out of range" },
	{ "-M 0x10 h", OPTIONS_ERROR, "invalid mark '0x10'" },
	{ "-M '' h", OPTIONS_ERROR, "invalid mark '': empty" },

	/* -e/--mpls: a switch. */
	{ "-e h", OPTIONS_RUN, "mpls=1" },
	{ "--mpls h", OPTIONS_RUN, "mpls=1" },
	{ "h", OPTIONS_RUN, "mpls=0" },
	{ "--mpls=1 h", OPTIONS_ERROR, "option --mpls takes no argument" },
	{ "-ne h", OPTIONS_RUN, "mpls=1 numeric=1" },
	/* -z/--aslookup: a switch, off by default. */
	{ "-z h", OPTIONS_RUN, "asl=1" },
	{ "--aslookup h", OPTIONS_RUN, "asl=1" },
	{ "h", OPTIONS_RUN, "asl=0" },
	{ "-nz h", OPTIONS_RUN, "asl=1 numeric=1" },
	{ "--aslookup=yes h", OPTIONS_ERROR, "option --aslookup takes no argument" },

	/* -U/--max-unknown and -Q/--tos: mtr's letters. */
	{ "-U 7 h", OPTIONS_RUN, "max_unknown=7" },
	{ "-U 0 h", OPTIONS_ERROR, "max-unknown 0 out of range (1-255)" },
	{ "-Q 184 h", OPTIONS_RUN, "tos=184" },
	{ "-Q 256 h", OPTIONS_ERROR, "TOS 256 out of range (0-255)" },

	/* --rate 1-100000, --max-unknown 1-255, --tos 0-255. */
	{ "--rate 1 h", OPTIONS_RUN, "rate=1" },
	{ "--rate 100000 h", OPTIONS_RUN, "rate=100000" },
	{ "--rate 0 h", OPTIONS_ERROR, "rate 0 out of range (1-100000)" },
	{ "--rate 100001 h", OPTIONS_ERROR, "rate 100001 out of range (1-100000)" },
	{ "--rate 1k h", OPTIONS_ERROR, "invalid rate '1k'" },
	{ "--max-unknown 1 h", OPTIONS_RUN, "max_unknown=1" },
	{ "--max-unknown 255 h", OPTIONS_RUN, "max_unknown=255" },
	{ "--max-unknown 0 h", OPTIONS_ERROR, "max-unknown 0 out of range (1-255)" },
	{ "--max-unknown 256 h", OPTIONS_ERROR, "max-unknown 256 out of range (1-255)" },
	{ "--tos 0 h", OPTIONS_RUN, "tos=0" },
	{ "--tos 255 h", OPTIONS_RUN, "tos=255" },
	{ "--tos 184 h", OPTIONS_RUN, "tos=184" },
	/* -s/--psize 30-1280 (IPv6 from 50, checked here with -6); not with -T. */
	{ "h", OPTIONS_RUN, "psize=0" },
	{ "-s 30 h", OPTIONS_RUN, "psize=30" },
	{ "--psize 1280 h", OPTIONS_RUN, "psize=1280" },
	{ "--psize=1000 --icmp h", OPTIONS_RUN, "psize=1000 proto=icmp" },
	{ "-s 29 h", OPTIONS_ERROR, "probe size 29 out of range (30-1280)" },
	{ "-s 1281 h", OPTIONS_ERROR, "out of range" },
	{ "-6 -s 49 h", OPTIONS_ERROR, "too small for IPv6" },
	{ "-6 -s 50 h", OPTIONS_RUN, "psize=50" },
	{ "-s 100 -T h", OPTIONS_ERROR, "does not apply to -T/--tcp" },
	{ "--pmtu h", OPTIONS_RUN, "pmtu=1" },
	{ "h", OPTIONS_RUN, "pmtu=0" },
	{ "--pmtu -T h", OPTIONS_RUN, "pmtu=1" },
	{ "--pmtu -T --unprivileged h", OPTIONS_ERROR, "--pmtu with -T/--tcp needs raw sockets" },
	{ "--pmtu --icmp h", OPTIONS_RUN, "pmtu=1" },
	{ "--tos 256 h", OPTIONS_ERROR, "TOS 256 out of range (0-255)" },
	{ "--tos -1 h", OPTIONS_ERROR, "TOS -1 out of range" },
	{ "--tos 0x10 h", OPTIONS_ERROR, "invalid TOS '0x10'" },

	/* --vary. */
	{ "--vary sport h", OPTIONS_RUN, "vary=sport" },
	{ "--vary label h", OPTIONS_RUN, "vary=label" },
	/* The exporter: continuous mode, its own face. */
	{ "--listen 9101 h", OPTIONS_RUN,
	  "face=exporter listen_port=9101 listen_addr=127.0.0.1 textfile=0 count_set=0" },
	{ "--listen 0.0.0.0:80 h", OPTIONS_RUN, "listen_port=80 listen_addr=0.0.0.0" },
	{ "--listen [::1]:9101 h", OPTIONS_RUN, "listen_port=9101 listen_addr=::1" },
	{ "--listen=[fd00::1]:65535 h", OPTIONS_RUN, "listen_port=65535 listen_addr=fd00::1" },
	{ "--textfile /x/m.prom -c 3 h", OPTIONS_RUN, "face=exporter textfile=1 listen_port=0 count=3" },
	{ "--listen 9101 --textfile m.prom -n h", OPTIONS_RUN, "face=exporter textfile=1 numeric=1" },
	{ "--listen 65536 h", OPTIONS_ERROR, "invalid listen port in '65536'" },
	{ "--listen [::1] h", OPTIONS_ERROR, "in brackets, then the port" },
	{ "--listen [::1 h", OPTIONS_ERROR, "in brackets, then the port" },
	{ "--listen [::1]: h", OPTIONS_ERROR, "invalid listen port" },
	{ "--listen []:80 h", OPTIONS_ERROR, "a numeric IPv4 or IPv6 address is needed" },
	{ "--listen 1.2.3.4.5:80 h", OPTIONS_ERROR, "a numeric IPv4 or IPv6 address is needed" },
	{ "--listen fe80::1:80 h", OPTIONS_ERROR, "in brackets" },
	{ "-r --listen 1 h", OPTIONS_ERROR, "-r/--report cannot be combined with --listen" },
	{ "--listen 1 --json-stream h", OPTIONS_ERROR, "--json-stream cannot be combined" },
	{ "--vary sport,label h", OPTIONS_RUN, "vary=both" },
	{ "--vary label,sport h", OPTIONS_RUN, "vary=both" },
	{ "--vary=label -6 h", OPTIONS_RUN, "vary=label family=inet6" },
	{ "--vary sport -4 h", OPTIONS_RUN, "vary=sport family=inet" },
	/* --unprivileged: ordinary sockets, one source port per flow. */
	{ "--unprivileged h", OPTIONS_RUN, "unpriv=1 vary=0" },
	{ "--unprivileged --vary sport,label -6 h", OPTIONS_RUN, "unpriv=1 vary=both" },
	{ "--unprivileged --vary label h", OPTIONS_ERROR, "does not apply to --unprivileged" },
	{ "--unprivileged=1 h", OPTIONS_ERROR, "takes no argument" },
	{ "--vary port h", OPTIONS_ERROR, "invalid vary 'port': expected sport, label" },
	{ "--vary sport, h", OPTIONS_ERROR, "invalid vary 'sport,'" },
	{ "--vary SPORT h", OPTIONS_ERROR, "invalid vary 'SPORT'" },
	{ "--vary '' h", OPTIONS_ERROR, "invalid vary ''" },
	{ "--vary sport,sport h", OPTIONS_ERROR, "invalid vary" },
	{ "--vary label -4 h", OPTIONS_ERROR, "--vary label needs IPv6" },
	{ "-4 --vary sport,label h", OPTIONS_ERROR, "--vary sport,label needs IPv6" },

	/* Switches and faces. */
	{ "-n h", OPTIONS_RUN, "numeric=1" },
	{ "--no-dns h", OPTIONS_RUN, "numeric=1" },
	{ "-r h", OPTIONS_RUN, "face=report wide=0" },
	{ "--report h", OPTIONS_RUN, "face=report" },
	{ "-w h", OPTIONS_RUN, "face=report wide=1" },
	{ "--report-wide h", OPTIONS_RUN, "face=report wide=1" },
	{ "-r -w h", OPTIONS_RUN, "face=report wide=1" },
	{ "-w -r h", OPTIONS_RUN, "face=report wide=1" },
	{ "-j h", OPTIONS_RUN, "face=json" },
	{ "--json h", OPTIONS_RUN, "face=json" },
	{ "--json-stream h", OPTIONS_RUN, "face=stream" },
	{ "-t h", OPTIONS_RUN, "face=curses" },
	{ "--curses h", OPTIONS_RUN, "face=curses" },
	{ "-t --report-on-exit h", OPTIONS_RUN, "face=curses roe=1" },
	{ "--report-on-exit h", OPTIONS_RUN, "face=auto roe=1" },
	{ "h", OPTIONS_RUN, "linkcheck=1" },
	{ "--no-link-check h", OPTIONS_RUN, "linkcheck=0" },
	{ "--no-link-check=1 h", OPTIONS_ERROR, "option --no-link-check takes no argument" },
	{ "-j -j h", OPTIONS_RUN, "face=json" },
	{ "-r -j h", OPTIONS_ERROR, "-j/--json cannot be combined with -r/--report" },
	{ "-w -j h", OPTIONS_ERROR, "-j/--json cannot be combined with -w/--report-wide" },
	{ "-j --json-stream h", OPTIONS_ERROR, "--json-stream cannot be combined with -j/--json" },
	{ "-t -r h", OPTIONS_ERROR, "-r/--report cannot be combined with -t/--curses" },
	{ "--json-stream -t h", OPTIONS_ERROR, "cannot be combined" },
	{ "-w --curses h", OPTIONS_ERROR, "cannot be combined" },
	{ "-nrc 3 h", OPTIONS_RUN, "numeric=1 face=report count=3" },
	{ "-Tn4P443 h", OPTIONS_RUN, "proto=tcp numeric=1 family=inet port=443" },

	/* Hosts. */
	{ "", OPTIONS_ERROR, "no host" },
	{ "-n", OPTIONS_ERROR, "no host" },
	{ "''", OPTIONS_ERROR, "empty host" },
	{ "a b", OPTIONS_RUN, "host=a nhosts=2 targets=0" },
	{ "-n a -r b", OPTIONS_RUN, "host=a nhosts=2 numeric=1 face=report" },
	{ "--targets f", OPTIONS_RUN, "nhosts=0 targets=1" },
	{ "a --targets=f b", OPTIONS_RUN, "host=a nhosts=2 targets=1" },
	{ "--targets ''", OPTIONS_ERROR, "--targets needs a file name" },
	{ "--targets", OPTIONS_ERROR, "option --targets needs an argument (FILE)" },
	{ "a ''", OPTIONS_ERROR, "empty host" },
	{ "h -n -c 2", OPTIONS_RUN, "host=h numeric=1 count=2" },	/* options after the host */
	{ "192.0.2.1", OPTIONS_RUN, "host=192.0.2.1" },
	{ "-6 2001:db8::1", OPTIONS_RUN, "host=2001:db8::1 family=inet6" },
	{ "-- -h", OPTIONS_RUN, "host=-h" },	/* "--" ends the options */
	{ "-n -- -h", OPTIONS_RUN, "host=-h numeric=1" },
	{ "a -- b", OPTIONS_RUN, "host=a nhosts=2" },
	{ "-- a b", OPTIONS_RUN, "host=a nhosts=2" },
	{ "-- ''", OPTIONS_ERROR, "empty host" },
	{ "a b c", OPTIONS_RUN, "host=a nhosts=3" },

	/* getopt's own failures, in our words. */
	{ "-Z h", OPTIONS_ERROR, "unknown option '-Z'" },
	{ "-nZ h", OPTIONS_ERROR, "unknown option '-Z'" },
	{ "-Zn h", OPTIONS_ERROR, "unknown option '-Z'" },
	{ "--json -Zn h", OPTIONS_ERROR, "unknown option '-Z'" },
	{ "--bogus h", OPTIONS_ERROR, "unknown or ambiguous option '--bogus'" },
	{ "--bogus=1 h", OPTIONS_ERROR, "option '--bogus=1'" },
	{ "--re h", OPTIONS_ERROR, "ambiguous option '--re'" },
	{ "--json=1 h", OPTIONS_ERROR, "option --json takes no argument" },
	{ "--json-stream=1 h", OPTIONS_ERROR, "option --json-stream takes no argument" },
	{ "h -c", OPTIONS_ERROR, "option -c/--count needs an argument" },
	{ "h --count", OPTIONS_ERROR, "option -c/--count needs an argument" },
	{ "h --flows", OPTIONS_ERROR, "option --flows needs an argument" },
	{ "h --vary", OPTIONS_ERROR, "option --vary needs an argument (FIELDS)" },
	{ "h -i", OPTIONS_ERROR, "option -i/--interval needs an argument (SECONDS)" },

	/* Help and version win as soon as they are seen, host or not. */
	{ "-h", OPTIONS_HELP, NULL },
	{ "--help", OPTIONS_HELP, NULL },
	{ "-n --help h", OPTIONS_HELP, NULL },
	{ "--he", OPTIONS_HELP, NULL },		/* unambiguous prefix */
	{ "-v", OPTIONS_VERSION, NULL },
	{ "--version", OPTIONS_VERSION, NULL },
	{ "-c 0 --help", OPTIONS_ERROR, "count 0" },	/* but an earlier error stands */

	/* Everything at once. */
	{ "-6 -T -P 443 -L 40000 --flows 32 -f 2 -m 20 -c 5 -i 0.5 --timeout 1 --rate 500 "
	  "--max-unknown 3 --vary sport,label --tos 32 -n -w -I eth0 -a 2001:db8::1 -M 9 "
	  "2001:db8::2",
	  OPTIONS_RUN,
	  "family=inet6 proto=tcp port=443 sport=40000 flows=32 first=2 max=20 count=5 "
	  "count_set=1 interval=500000 timeout=1000000 rate=500 max_unknown=3 vary=both "
	  "tos=32 numeric=1 wide=1 face=report host=2001:db8::2 iface=eth0 src=2001:db8::1 "
	  "mark=9" },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char *status_name(enum options_status s)
{
	static const char *const names[] = { "RUN", "HELP", "VERSION", "ERROR" };

	return (unsigned)s < 4 ? names[s] : "?";
}

/* One case; returns true when it behaved as the table says. */
static bool run_case(const struct option_case *t, char *why, size_t len)
{
	struct argv_buf b;
	struct options o;
	char err[256];
	enum options_status s;

	split(t->line, &b);
	memset(err, 'x', sizeof(err));
	s = options_parse(b.argc, b.argv, &o, err, sizeof(err));
	if (s != t->status) {
		snprintf(why, len, "status %s, want %s (err '%s')", status_name(s),
			 status_name(t->status), s == OPTIONS_ERROR ? err : "");
		return false;
	}
	if (s == OPTIONS_ERROR) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL) {
			snprintf(why, len, "err must be one non-empty line: '%s'", err);
			return false;
		}
		if (strstr(err, t->expect) == NULL) {
			snprintf(why, len, "err '%s' lacks '%s'", err, t->expect);
			return false;
		}
		snprintf(why, len, "'%s'", err);
		return true;
	}
	if (s == OPTIONS_RUN)
		return fields_match(&o, t->expect, why, len);
	snprintf(why, len, "%s", status_name(s));
	return true;
}

static void test_table(int pass)
{
	for (size_t i = 0; i < NCASES; i++) {
		char why[512] = "";
		bool good = run_case(&cases[i], why, sizeof(why));

		ok(good, "pass %d: ecmptrace %s: %s", pass, cases[i].line, why);
	}
}

/*
 * Parsing must not depend on what the previous parse left in getopt's
 * state: an error in the middle of an option cluster, then a good line.
 */
static void test_repeated(void)
{
	struct argv_buf b;
	struct options o;
	char err[256];
	int good = 0;

	for (int i = 0; i < 50; i++) {
		split("-nZr h", &b);
		if (options_parse(b.argc, b.argv, &o, err, sizeof(err)) != OPTIONS_ERROR)
			break;
		split("-c 3 h", &b);
		if (options_parse(b.argc, b.argv, &o, err, sizeof(err)) != OPTIONS_RUN ||
		    o.count != 3 || o.numeric || o.face != FACE_AUTO)
			break;
		good++;
	}
	ok(good == 50, "50 rounds of a failed cluster then a clean parse (%d good)", good);

	/* The same argv array twice: getopt permutes it, the result must not change. */
	split("h -T -c 4", &b);
	ok(options_parse(b.argc, b.argv, &o, err, sizeof(err)) == OPTIONS_RUN &&
	   options_parse(b.argc, b.argv, &o, err, sizeof(err)) == OPTIONS_RUN &&
	   o.proto == PROBE_TCP && o.count == 4 && strcmp(o.host, "h") == 0,
	   "parsing one argv twice gives the same options");
}

/* POSIXLY_CORRECT must not change what a command line means. */
static void test_posixly_correct(void)
{
	struct argv_buf b;
	struct options o;
	char err[256];
	enum options_status s;

	setenv("POSIXLY_CORRECT", "1", 1);
	split("h -c 2 -T", &b);
	s = options_parse(b.argc, b.argv, &o, err, sizeof(err));
	unsetenv("POSIXLY_CORRECT");
	ok(s == OPTIONS_RUN && o.count == 2 && o.proto == PROBE_TCP && strcmp(o.host, "h") == 0,
	   "options after the host still count with POSIXLY_CORRECT set");
}

/* ECMPTRACE_OPTIONS: words before the command line, which overrides them. */
static const struct env_case {
	const char *env;		/* the variable's value */
	const char *line;		/* the command line after the program name */
	enum options_status status;
	const char *expect;		/* as in option_case */
} env_cases[] = {
	{ "-n -c 3", "h", OPTIONS_RUN, "numeric=1 count=3 host=h" },
	{ "  -n\t-c\n3  ", "h", OPTIONS_RUN, "numeric=1 count=3" },
	{ "", "h", OPTIONS_RUN, "count=10 count_set=0" },
	{ "   ", "h", OPTIONS_RUN, "count=10" },
	{ "-c 3", "-c 7 h", OPTIONS_RUN, "count=7" },		/* the command line wins */
	{ "-T", "--icmp h", OPTIONS_RUN, "proto=icmp" },	/* a choice is replaced */
	{ "-4", "-6 h", OPTIONS_RUN, "family=inet6" },
	{ "-w", "-j h", OPTIONS_RUN, "face=json wide=0" },
	{ "-w", "-r h", OPTIONS_RUN, "face=report wide=1" },
	{ "-I eth9 -M 5", "h", OPTIONS_RUN, "iface=eth9 mark=5" },
	{ "-T -u", "h", OPTIONS_ERROR, "ECMPTRACE_OPTIONS: -u/--udp cannot be combined" },
	{ "-c 0", "h", OPTIONS_ERROR, "ECMPTRACE_OPTIONS: count 0 out of range" },
	{ "--bogus", "h", OPTIONS_ERROR, "ECMPTRACE_OPTIONS: unknown or ambiguous option" },
	{ "-c", "h", OPTIONS_ERROR, "ECMPTRACE_OPTIONS: option -c/--count needs an argument" },
	{ "-n other", "h", OPTIONS_ERROR, "ECMPTRACE_OPTIONS: 'other' is not an option" },
	{ "-n 'x y'", "h", OPTIONS_ERROR, "ECMPTRACE_OPTIONS: ''x' is not an option" },
	{ "-n", "-c 0 h", OPTIONS_ERROR, "count 0 out of range" },
	{ "--help", "h", OPTIONS_HELP, NULL },
	{ "-n", "", OPTIONS_ERROR, "no host" },
};

static void test_env(void)
{
	for (size_t i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		const struct env_case *t = &env_cases[i];
		struct argv_buf b;
		struct options o;
		char err[256], why[512] = "";
		enum options_status s;
		bool good;

		split(t->line, &b);
		s = options_parse_env(t->env, b.argc, b.argv, &o, err, sizeof(err));
		good = s == t->status;
		if (good && s == OPTIONS_RUN)
			good = fields_match(&o, t->expect, why, sizeof(why));
		else if (good && s == OPTIONS_ERROR)
			good = strstr(err, t->expect) != NULL && strchr(err, '\n') == NULL;
		ok(good, "ECMPTRACE_OPTIONS='%s' ecmptrace %s: %s %s", t->env, t->line,
		   status_name(s), s == OPTIONS_ERROR ? err : why);
	}
	{
		char longv[1100], err[256];
		struct argv_buf b;
		struct options o;

		memset(longv, 'n', sizeof(longv) - 1);
		longv[0] = '-';
		longv[sizeof(longv) - 1] = '\0';
		split("h", &b);
		ok(options_parse_env(longv, b.argc, b.argv, &o, err, sizeof(err)) ==
			   OPTIONS_ERROR && strstr(err, "ECMPTRACE_OPTIONS: longer than") != NULL,
		   "an over-long ECMPTRACE_OPTIONS is refused: %s", err);
		for (size_t i = 0; i + 3 < sizeof(longv); i += 3)
			memcpy(longv + i, "-n ", 3);
		longv[600] = '\0';
		ok(options_parse_env(longv, b.argc, b.argv, &o, err, sizeof(err)) ==
			   OPTIONS_ERROR && strstr(err, "more than 64 words") != NULL,
		   "too many words in ECMPTRACE_OPTIONS are refused: %s", err);
	}
}

/* Unusual argv and err buffers. */
static void test_edges(void)
{
	struct options o;
	char err[16], tiny[4];
	char *none[] = { NULL };
	char nl[] = "a\nb", esc[] = "-\x1b[2J", prog[] = "ecmptrace", two[] = "-c";
	char *with_nl[] = { prog, two, nl, NULL };
	char *with_esc[] = { prog, esc, NULL };
	char big[256];
	char *with_big[] = { prog, two, big, NULL };

	ok(options_parse(0, none, &o, err, sizeof(err)) == OPTIONS_ERROR && err[0] != '\0',
	   "argc 0 is an error, not a crash");
	ok(options_parse(3, with_nl, &o, tiny, sizeof(tiny)) == OPTIONS_ERROR &&
	   strlen(tiny) == 3, "a 4-byte err buffer gets a truncated message");
	ok(options_parse(3, with_nl, &o, NULL, 0) == OPTIONS_ERROR, "no err buffer at all");
	{
		char line[256];

		options_parse(3, with_nl, &o, line, sizeof(line));
		ok(strchr(line, '\n') == NULL && strstr(line, "a\\x0ab") != NULL,
		   "a newline in a value is escaped: '%s'", line);
		options_parse(2, with_esc, &o, line, sizeof(line));
		ok(strchr(line, '\x1b') == NULL && strstr(line, "\\x1b") != NULL,
		   "an escape in an option is escaped: '%s'", line);
		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		options_parse(3, with_big, &o, line, sizeof(line));
		ok(strstr(line, "...") != NULL && strlen(line) < 200,
		   "a very long argument is cut short in the message (%zu chars)", strlen(line));
	}
	options_defaults(&o);
	ok(o.host == NULL && o.nflows == 16 && o.max_ttl == 30 && o.count == 10 &&
	   !o.count_set && o.face == FACE_AUTO, "options_defaults");
}

/* OPTIONS_HOSTS_MAX hosts on the command line are taken in order; one more is refused. */
static void test_many_hosts(void)
{
	static char names[OPTIONS_HOSTS_MAX + 1][8];
	char *argv[OPTIONS_HOSTS_MAX + 3], err[256];
	struct options o;
	bool in_order = true;

	argv[0] = (char *)"ecmptrace";
	for (int i = 0; i <= OPTIONS_HOSTS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "h%d", i);
		argv[i + 1] = names[i];
	}
	argv[OPTIONS_HOSTS_MAX + 1] = NULL;
	ok(options_parse(OPTIONS_HOSTS_MAX + 1, argv, &o, err, sizeof(err)) == OPTIONS_RUN &&
	   o.nhosts == OPTIONS_HOSTS_MAX, "%d hosts", OPTIONS_HOSTS_MAX);
	for (int i = 0; i < o.nhosts; i++)
		in_order = in_order && o.hosts[i] == names[i];
	ok(in_order && o.host == names[0], "in the command line's order");
	argv[OPTIONS_HOSTS_MAX + 1] = names[OPTIONS_HOSTS_MAX];
	argv[OPTIONS_HOSTS_MAX + 2] = NULL;
	ok(options_parse(OPTIONS_HOSTS_MAX + 2, argv, &o, err, sizeof(err)) == OPTIONS_ERROR &&
	   strcmp(err, "more than 64 hosts ('h64' is one more): put them in a --targets file") ==
	   0, "one more: %s", err);
}

/* The usage text names every option once, with its default, in 80 columns. */
static void test_usage(void)
{
	static const char *const want[] = {
		"-4, --ipv4", "-6, --ipv6", "-u, --udp", "-T, --tcp", "    --icmp",
		"-I, --interface IFACE", "-a, --address ADDR", "-M, --mark N",
		"0-4294967295", "-U, --max-unknown N", "-Q, --tos N", "ECMPTRACE_OPTIONS",
		"-e, --mpls", "-z, --aslookup",
		"-P, --port PORT", "-L, --source-port BASE", "--flows N", "-f, --first-ttl N",
		"-m, --max-ttl N", "-c, --count N", "-i, --interval SECONDS", "--timeout SECONDS",
		"--rate PPS", "--max-unknown N", "--vary FIELDS", "--tos N", "-n, --no-dns",
		"-r, --report", "-w, --report-wide", "-j, --json", "--json-stream",
		"-t, --curses", "--report-on-exit", "--no-link-check", "-h, --help", "-v, --version",
		"1-4096 (default: adaptive)", "--confidence 95|99", "1-255 (default: 30)", "1-1000000 (default: 10)",
		"0.01-3600 (default: 1)", "0.05-60 (default: 2)", "1-100000 (default: 200)",
		"1-255 (default: 5)", "0-255 (default: 0)", "Usage: ecmptrace",
	};
	char *text = NULL;
	size_t size = 0, longest = 0, missing = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL) {
		ok(0, "open_memstream");
		return;
	}
	options_usage(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strstr(text, want[i]) == NULL) {
			printf("# usage lacks '%s'\n", want[i]);
			missing++;
		}
	}
	ok(missing == 0, "usage has every option and default (%zu missing)", missing);
	for (char *line = text; *line != '\0';) {
		size_t n = strcspn(line, "\n");

		if (n > longest)
			longest = n;
		line += n + (line[n] == '\n');
	}
	ok(longest <= 80, "usage lines fit in 80 columns (longest %zu)", longest);
	ok(size > 0 && text[size - 1] == '\n', "usage ends with a newline");
	free(text);
}

int main(void)
{
	test_table(1);
	test_table(2);
	test_repeated();
	test_posixly_correct();
	test_edges();
	test_env();
	test_many_hosts();
	test_usage();
	return tap_done();
}
