/*
 * Unit tests of src/net/resolve_apart.c: target names resolved in an
 * unprivileged child come back to the parent in order, literal addresses
 * as they are, a family mismatch refused with the name's message, and
 * more records than a pipe holds at once arrive whole.  No name server
 * is asked: literals and /etc/hosts' localhost only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "net/resolve_apart.h"
#include "../tap.h"

static bool addr_is_text(const struct ip_addr *a, const char *text)
{
	char buf[ADDR_STRLEN];

	return strcmp(addr_format(a, buf, sizeof(buf)), text) == 0;
}

static void test_literals(void)
{
	const char *hosts[] = {"192.0.2.7", "2001:db8::9", "localhost"};
	struct resolved_target got[3];
	char err[256] = "";
	bool ran = resolve_apart(hosts, 3, 0, got, err, sizeof(err));

	ok(ran, "the resolving process ran and finished (%s)", err);
	ok(ran && got[0].ok && got[0].addr.family == AF_INET && addr_is_text(&got[0].addr, "192.0.2.7"),
	   "an IPv4 literal comes back as it is");
	ok(ran && got[1].ok && got[1].addr.family == AF_INET6 &&
		   addr_is_text(&got[1].addr, "2001:db8::9"),
	   "an IPv6 literal comes back as it is, in its place");
	ok(ran && got[2].ok && (got[2].addr.family == AF_INET || got[2].addr.family == AF_INET6),
	   "localhost resolves (from /etc/hosts)");
}

static void test_family(void)
{
	const char *hosts[] = {"2001:db8::9", "192.0.2.7"};
	struct resolved_target got[2];
	char err[256] = "";
	bool ran = resolve_apart(hosts, 2, AF_INET, got, err, sizeof(err));

	ok(ran && !got[0].ok && !got[0].runtime && strstr(got[0].err, "2001:db8::9") != NULL,
	   "-4 with an IPv6 literal: refused as the name's fault, naming it (%s)",
	   ran ? got[0].err : err);
	ok(ran && got[1].ok && got[1].addr.family == AF_INET, "the IPv4 one beside it resolves");
}

/* 300 records of some 430 bytes: more than a pipe's 64 KiB, read while written. */
static void test_many(void)
{
	enum { N = 300 };
	static char names[N][32];
	static const char *hosts[N];
	static struct resolved_target got[N];
	char err[256] = "";
	int right = 0;
	bool ran;

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "10.%d.%d.1", i / 256, i % 256);
		hosts[i] = names[i];
	}
	ran = resolve_apart(hosts, N, 0, got, err, sizeof(err));
	for (int i = 0; ran && i < N; i++)
		right += got[i].ok && addr_is_text(&got[i].addr, names[i]);
	ok(ran && right == N, "%d targets: every one back, in order (%d right; %s)", N, right, err);
}

int main(void)
{
	test_literals();
	test_family();
	test_many();
	return tap_done();
}
