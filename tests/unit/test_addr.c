/*
 * Tests of src/addr.c: parsing and formatting both families, equality,
 * hashing and the sockaddr conversions, which addresses can be targets,
 * numeric shorthands and zones, table-driven.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"
#include "../tap.h"

static const struct {
	const char *text;	/* input */
	int family;		/* expected family, 0 = must not parse */
	const char *canon;	/* expected formatted form */
} parse_cases[] = {
	{ "192.0.2.1", AF_INET, "192.0.2.1" },
	{ "0.0.0.0", AF_INET, "0.0.0.0" },
	{ "255.255.255.255", AF_INET, "255.255.255.255" },
	{ "2001:db8::1", AF_INET6, "2001:db8::1" },
	{ "2001:DB8:0:0:0:0:0:1", AF_INET6, "2001:db8::1" },
	{ "::", AF_INET6, "::" },
	{ "::ffff:192.0.2.1", AF_INET6, "::ffff:192.0.2.1" },
	{ "fe80:0:0:0:1:2:3:4", AF_INET6, "fe80::1:2:3:4" },
	{ "256.0.0.1", 0, NULL },
	{ "192.0.2", 0, NULL },
	{ "192.0.2.1.5", 0, NULL },
	{ "2001:db8:::1", 0, NULL },
	{ "example.com", 0, NULL },
	{ "", 0, NULL },
	{ " 192.0.2.1", 0, NULL },
	{ "192.0.2.1/24", 0, NULL },
};

/* Which addresses can be a target, and why not (NULL: it can). */
static const struct {
	const char *text;
	const char *problem;
} target_cases[] = {
	{ "192.0.2.1", NULL },
	{ "10.0.0.1", NULL },
	{ "1.0.0.0", NULL },
	{ "223.255.255.255", NULL },
	{ "255.255.255.254", NULL },
	{ "0.0.0.0", "unspecified" },
	{ "0.0.0.1", "this network" },
	{ "0.255.255.255", "this network" },
	{ "224.0.0.1", "multicast" },
	{ "239.255.255.250", "multicast" },
	{ "255.255.255.255", "broadcast" },
	{ "2001:db8::1", NULL },
	{ "fe80::1", NULL },
	{ "::1", NULL },
	{ "::", "unspecified" },
	{ "ff02::1", "multicast" },
	{ "ff0e::1", "multicast" },
	{ "::ffff:192.0.2.1", "IPv4-mapped" },
};

/* Numeric forms getaddrinfo() takes for IPv4 but nobody means (true), and others. */
static const struct {
	const char *text;
	bool shorthand;
} shorthand_cases[] = {
	{ "1", true },
	{ "10.1", true },
	{ "10.0.1", true },
	{ "0x7f.1", true },
	{ "0x7f000001", true },
	{ "127.0.0.01", true },		/* octal: 127.0.0.1, but who knows */
	{ "010.0.0.1", true },		/* octal: 8.0.0.1 */
	{ "4294967295", true },
	{ "192.0.2.1", false },
	{ "0.0.0.0", false },
	{ "4294967296", false },	/* not even inet_aton's */
	{ "1.2.3.4.5", false },
	{ "example.com", false },
	{ "1.example", false },
	{ "cafe", false },
	{ "2001:db8::1", false },
	{ "1 2", false },		/* inet_aton would stop at the blank */
	{ "", false },
};

static void test_targets(void)
{
	struct ip_addr a;

	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++) {
		const char *want = target_cases[i].problem, *got;

		addr_parse(target_cases[i].text, &a);
		got = addr_target_problem(&a);
		ok(want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0,
		   "target %s: %s (got %s)", target_cases[i].text, want ? want : "fine",
		   got ? got : "fine");
	}
	for (size_t i = 0; i < sizeof(shorthand_cases) / sizeof(shorthand_cases[0]); i++)
		ok(addr_is_numeric_shorthand(shorthand_cases[i].text) == shorthand_cases[i].shorthand,
		   "\"%s\" is %sa numeric shorthand", shorthand_cases[i].text,
		   shorthand_cases[i].shorthand ? "" : "not ");
	addr_parse("fe80::1", &a);
	ok(addr_is_link_local(&a), "fe80::1 is link-local");
	addr_parse("febf::1", &a);
	ok(addr_is_link_local(&a), "febf::1 is link-local (fe80::/10)");
	addr_parse("fec0::1", &a);
	ok(!addr_is_link_local(&a), "fec0::1 is not");
	addr_parse("169.254.0.1", &a);
	ok(!addr_is_link_local(&a), "IPv4 169.254.0.1 needs no zone");
}

/* The zone of a link-local address survives the sockaddr round trip, and equality ignores it. */
static void test_zone(void)
{
	struct sockaddr_storage ss;
	struct ip_addr a, b;

	addr_parse("fe80::99", &a);
	ok(a.scope == 0, "a parsed address has no zone");
	a.scope = 7;
	addr_to_sockaddr(&a, 0, &ss);
	ok(((struct sockaddr_in6 *)(void *)&ss)->sin6_scope_id == 7, "the zone reaches the sockaddr");
	ok(addr_from_sockaddr((struct sockaddr *)&ss, &b) && b.scope == 7,
	   "and comes back from it");
	b.scope = 0;
	ok(addr_equal(&a, &b) && addr_hash(&a) == addr_hash(&b),
	   "a reply without zone is the zoned target");
}

/* Link-layer addresses print as lower-case colon pairs, never past the buffer. */
static void test_lladdr(void)
{
	static const uint8_t mac[8] = {0x02, 0xab, 0x00, 0x10, 0xff, 0x7e, 0x01, 0x02};
	char buf[LLADDR_STRLEN], small[9];

	ok(strcmp(lladdr_format(mac, 6, buf, sizeof(buf)), "02:ab:00:10:ff:7e") == 0,
	   "6-byte MAC: %s", buf);
	ok(strcmp(lladdr_format(mac, 8, buf, sizeof(buf)), "02:ab:00:10:ff:7e:01:02") == 0,
	   "8-byte address fits LLADDR_STRLEN: %s", buf);
	ok(strcmp(lladdr_format(mac, 6, small, sizeof(small)), "02:ab:00") == 0,
	   "a small buffer gets whole pairs only: %s", small);
	ok(strcmp(lladdr_format(mac, 0, buf, sizeof(buf)), "") == 0, "no bytes: empty");
}

int main(void)
{
	test_lladdr();
	test_targets();
	test_zone();
	struct ip_addr a, b, unset;
	struct sockaddr_storage ss;
	char buf[ADDR_STRLEN], tiny[4];
	socklen_t sl;

	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		bool parsed = addr_parse(parse_cases[i].text, &a);

		if (parse_cases[i].family == 0) {
			ok(!parsed, "\"%s\" is not an address", parse_cases[i].text);
			continue;
		}
		ok(parsed && a.family == parse_cases[i].family &&
		   strcmp(addr_format(&a, buf, sizeof(buf)), parse_cases[i].canon) == 0,
		   "\"%s\" parses and formats as %s", parse_cases[i].text, parse_cases[i].canon);
	}

	memset(&unset, 0, sizeof(unset));
	ok(!addr_is_set(&unset) && addr_len(&unset) == 0, "zeroed address is unset, length 0");
	ok(strcmp(addr_format(&unset, buf, sizeof(buf)), "*") == 0, "unset formats as *");
	ok(addr_equal(&unset, &unset), "unset equals unset");

	addr_parse("192.0.2.1", &a);
	ok(addr_is_set(&a) && addr_len(&a) == 4, "IPv4 length 4");
	ok(!addr_equal(&a, &unset), "set differs from unset");
	b = a;
	b.b[10] = 0x99;	/* bytes past an IPv4 address mean nothing */
	ok(addr_equal(&a, &b) && addr_hash(&a) == addr_hash(&b), "IPv4 equality and hash ignore b[4..]");
	addr_parse("192.0.2.2", &b);
	ok(!addr_equal(&a, &b) && addr_hash(&a) != addr_hash(&b), "neighbouring IPv4 addresses differ");
	addr_parse("::c000:201", &b);	/* same bytes 12..15 but another family */
	ok(!addr_equal(&a, &b), "IPv4 and IPv6 never equal");
	addr_format(&a, tiny, sizeof(tiny));
	ok(strcmp(tiny, "*") == 0, "too small a buffer gives * rather than a cut address");

	sl = addr_to_sockaddr(&a, 33434, &ss);
	ok(sl == sizeof(struct sockaddr_in) && ss.ss_family == AF_INET &&
	   ((struct sockaddr_in *)(void *)&ss)->sin_port == htons(33434), "IPv4 sockaddr with port");
	ok(addr_from_sockaddr((struct sockaddr *)&ss, &b) && addr_equal(&a, &b), "IPv4 sockaddr round trip");

	addr_parse("2001:db8::42", &a);
	ok(addr_len(&a) == 16, "IPv6 length 16");
	sl = addr_to_sockaddr(&a, 443, &ss);
	ok(sl == sizeof(struct sockaddr_in6) && ss.ss_family == AF_INET6 &&
	   ((struct sockaddr_in6 *)(void *)&ss)->sin6_port == htons(443), "IPv6 sockaddr with port");
	ok(addr_from_sockaddr((struct sockaddr *)&ss, &b) && addr_equal(&a, &b), "IPv6 sockaddr round trip");

	ok(addr_to_sockaddr(&unset, 1, &ss) == 0, "unset address has no sockaddr");
	ss.ss_family = AF_UNIX;
	ok(!addr_from_sockaddr((struct sockaddr *)&ss, &b), "AF_UNIX sockaddr refused");
	return tap_done();
}
