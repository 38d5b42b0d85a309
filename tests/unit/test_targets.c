/*
 * Unit tests of src/targets.c: the --targets file's lines (protocol, host,
 * port, comments, blank lines, CRLF), the defaults a line that says less
 * takes from the command line, every refusal with its "FILE:LINE:" and
 * duplicates, which are refused (never merged) naming the line repeated.
 */
#include "config.h"

#include <string.h>

#include "targets.h"
#include "../tap.h"

static const struct target_defaults udp_default = {.proto = PROBE_UDP, .port = 0};

/* Parses text with defaults d; the list is freed by the caller. */
static bool parse(const char *text, const struct target_defaults *d, struct target_list *l,
		  char *err, size_t errlen)
{
	*l = (struct target_list){0};
	err[0] = '\0';
	return targets_parse(text, strlen(text), "t.txt", d, l, err, errlen);
}

static bool is(const struct target_spec *t, enum probe_proto proto, const char *host,
	       uint16_t port, int line)
{
	return t->proto == proto && strcmp(t->host, host) == 0 && t->port == port &&
	       t->line == line;
}

static void test_good_lines(void)
{
	struct target_list l;
	char err[256];
	bool r = parse("# fleet\n"
		       "tcp db.example 3306\n"
		       "\n"
		       "udp 10.1.2.3\n"
		       "   icmp   2001:db8::1   # the v6 one\n"
		       "10.9.9.9\n"
		       "10.9.9.8 5000\r\n"
		       "TCP web\t443\n"
		       "tcp web\n"
		       "fe80::99%eth0", &udp_default, &l, err, sizeof(err));

	ok(r && l.count == 8, "eight targets from ten lines (got %d, %s)", l.count, err);
	if (r && l.count == 8) {
		ok(is(&l.v[0], PROBE_TCP, "db.example", 3306, 2), "tcp with a port");
		ok(is(&l.v[1], PROBE_UDP, "10.1.2.3", 33434, 4), "udp takes 33434");
		ok(is(&l.v[2], PROBE_ICMP, "2001:db8::1", 0, 5), "icmp, a comment after it");
		ok(is(&l.v[3], PROBE_UDP, "10.9.9.9", 33434, 6), "no protocol: the default's");
		ok(is(&l.v[4], PROBE_UDP, "10.9.9.8", 5000, 7), "a port without protocol, CRLF");
		ok(is(&l.v[5], PROBE_TCP, "web", 443, 8), "protocol in capitals, a tab");
		ok(is(&l.v[6], PROBE_TCP, "web", 80, 9), "tcp takes 80: another target than 443");
		ok(is(&l.v[7], PROBE_UDP, "fe80::99%eth0", 33434, 10), "last line without newline");
	}
	targets_free(&l);
}

static void test_defaults(void)
{
	struct target_defaults tcp_22 = {.proto = PROBE_TCP, .port = 22};
	struct target_defaults icmp = {.proto = PROBE_ICMP};
	struct target_list l;
	char err[256];

	ok(parse("a\nudp b\ntcp c 8080\n", &tcp_22, &l, err, sizeof(err)) && l.count == 3 &&
	   is(&l.v[0], PROBE_TCP, "a", 22, 1) && is(&l.v[1], PROBE_UDP, "b", 22, 2) &&
	   is(&l.v[2], PROBE_TCP, "c", 8080, 3), "-T -P 22 give a line's missing protocol and port");
	targets_free(&l);
	ok(parse("a\nudp b\n", &icmp, &l, err, sizeof(err)) && l.count == 2 &&
	   is(&l.v[0], PROBE_ICMP, "a", 0, 1) && is(&l.v[1], PROBE_UDP, "b", 33434, 2),
	   "-I: icmp for a bare host, udp's own port for a udp line");
	targets_free(&l);
	ok(!parse("a 80\n", &icmp, &l, err, sizeof(err)) &&
	   strcmp(err, "t.txt:1: icmp takes no port ('80')") == 0,
	   "-I and a port on a bare line: refused (%s)", err);
	targets_free(&l);
}

struct bad_case {
	const char *text;
	const char *err;	/* the whole message */
};

static const struct bad_case bad_cases[] = {
	{"tcp\n", "t.txt:1: no host after 'tcp'"},
	{"a\n\n  udp  # nothing\n", "t.txt:3: no host after 'udp'"},
	{"tcp db 0\n", "t.txt:1: port '0' is not a number from 1 to 65535"},
	{"tcp db 65536\n", "t.txt:1: port '65536' is not a number from 1 to 65535"},
	{"db http\n", "t.txt:1: port 'http' is not a number from 1 to 65535"},
	{"tcp db -1\n", "t.txt:1: port '-1' is not a number from 1 to 65535"},
	{"tcp db 99999999999999999999\n",
	 "t.txt:1: port '99999999999999999999' is not a number from 1 to 65535"},
	{"sctp db 80\n", "t.txt:1: too many words from '80' on (expected [udp|tcp|icmp] HOST "
	 "[PORT])"},
	{"tcp db 80 90\n", "t.txt:1: too many words from '90' on (expected [udp|tcp|icmp] HOST "
	 "[PORT])"},
	{"icmp db 7\n", "t.txt:1: icmp takes no port ('7')"},
	{"x\nd\xc3\xa9j\xc3\xa0\n", "t.txt:2: host 'd\\xc3\\xa9j\\xc3\\xa0' has a character "
	 "that is not printable"},
	{"ok\ntcp db 80\nTCP DB 80\n", "t.txt:3: duplicate of line 2 (tcp DB 80)"},
	{"db\nudp db 33434\n", "t.txt:2: duplicate of line 1 (udp db 33434)"},
};

static void test_bad_lines(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct target_list l;
		char err[256];
		bool r = parse(bad_cases[i].text, &udp_default, &l, err, sizeof(err));

		ok(!r && strcmp(err, bad_cases[i].err) == 0, "refused: %s (got '%s')",
		   bad_cases[i].err, err);
		targets_free(&l);
	}
}

static void test_odd_bytes(void)
{
	static const char nul[] = "a\nb\0c\n";
	char big[TARGET_HOST_MAX + 20], err[256];
	struct target_list l = {0};

	ok(!targets_parse(nul, sizeof(nul) - 1, "f", &udp_default, &l, err, sizeof(err)) &&
	   strcmp(err, "f:2: host 'b\\x00c' has a character that is not printable") == 0 &&
	   l.count == 1, "a NUL byte in a host: refused (%s)", err);
	targets_free(&l);
	memset(big, 'h', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(!parse(big, &udp_default, &l, err, sizeof(err)) &&
	   strcmp(err, "t.txt:1: host longer than 255 characters") == 0, "a host too long");
	targets_free(&l);
	ok(parse("", &udp_default, &l, err, sizeof(err)) && l.count == 0,
	   "an empty file: no targets (main says so)");
	targets_free(&l);
	ok(parse("#a\n\n \t \n# b", &udp_default, &l, err, sizeof(err)) && l.count == 0,
	   "comments and blank lines only: no targets");
	targets_free(&l);
}

static void test_hosts_and_limits(void)
{
	struct target_list l = {0};
	char err[256], host[32];
	int i;
	bool r = true;

	ok(targets_add_host(&l, "a.example", &udp_default, err, sizeof(err)) &&
	   is(&l.v[0], PROBE_UDP, "a.example", 33434, 0), "a host of the command line");
	ok(!targets_add_host(&l, "A.example", &udp_default, err, sizeof(err)) &&
	   strcmp(err, "duplicate target 'A.example' (udp, port 33434)") == 0,
	   "the same host twice on the command line (%s)", err);
	ok(!targets_add_host(&l, "", &udp_default, err, sizeof(err)) &&
	   strcmp(err, "empty host") == 0, "an empty host");
	ok(!parse("x\n", &udp_default, &l, err, sizeof(err)) || l.count == 1, "reset");
	targets_free(&l);
	for (i = 0; r && i < TARGETS_MAX; i++) {
		snprintf(host, sizeof(host), "h%d", i);
		r = targets_add_host(&l, host, &udp_default, err, sizeof(err));
	}
	ok(r && l.count == TARGETS_MAX, "%d targets fit", TARGETS_MAX);
	ok(!targets_add_host(&l, "one-more", &udp_default, err, sizeof(err)) &&
	   strcmp(err, "more than 4096 targets") == 0, "one more does not (%s)", err);
	ok(!targets_parse("z\n", 2, "f", &udp_default, &l, err, sizeof(err)) &&
	   strcmp(err, "f:1: more than 4096 targets") == 0, "nor from a file (%s)", err);
	targets_free(&l);
}

/* Disjoint slices while they hold the flows, one range for one target, always in range. */
static void test_ports_and_rate(void)
{
	bool disjoint = true, inside = true;
	uint32_t rnd = 12345;

	for (int n = 1; n <= 10; n++)
		for (int i = 0; i < n; i++) {
			uint16_t a = targets_sport_base(i, n, 2048, rnd * (uint32_t)(i + 1));
			uint16_t b = i + 1 < n ? targets_sport_base(i + 1, n, 2048, rnd) : 0;

			inside = inside && a >= TARGETS_SPORT_LOW &&
				 a + 2048 <= TARGETS_SPORT_HIGH;
			disjoint = disjoint && (b == 0 || a + 2048 <= b);
		}
	ok(inside && disjoint, "2048 flows each: 1 to 10 targets get disjoint port ranges");
	inside = true;
	for (int i = 0; i < 1000; i++) {
		uint16_t a = targets_sport_base(i, 1000, 2048, rnd + (uint32_t)i * 77u);

		inside = inside && a >= TARGETS_SPORT_LOW && a + 2048 <= TARGETS_SPORT_HIGH;
	}
	ok(inside, "1000 targets: ranges overlap but stay within %d-%d", TARGETS_SPORT_LOW,
	   TARGETS_SPORT_HIGH);
	ok(targets_sport_base(0, 1, 16, 0) == TARGETS_SPORT_LOW &&
	   targets_sport_base(0, 1, 16, 21983) == TARGETS_SPORT_HIGH - 17,
	   "one target: anywhere in the whole range");
	ok(targets_sport_base(0, 1, 60000, 5) == 5536, "more flows than the range: from 65536 - N");
	ok(targets_rate_share(200, 1) == 200 && targets_rate_share(200, 3) == 66 &&
	   targets_rate_share(200, 200) == 1 && targets_rate_share(200, 201) == 0,
	   "the rate is shared equally, 0 below one probe a second each");
}

int main(void)
{
	test_ports_and_rate();
	test_good_lines();
	test_defaults();
	test_bad_lines();
	test_odd_bytes();
	test_hosts_and_limits();
	return tap_done();
}
