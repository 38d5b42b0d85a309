/*
 * Tests of src/addr.c: parsing and formatting both families, equality,
 * hashing and the sockaddr conversions, table-driven.
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
