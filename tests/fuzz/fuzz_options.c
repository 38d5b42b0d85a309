/*
 * libFuzzer target for the option parser: the input bytes, split at NUL
 * or newline, become argv.  Whatever the bytes, options_parse must return
 * a known status; a run must come with a host and every value within its
 * documented range; an error must be one printable line; and parsing the
 * same words again must give the same answer (getopt state is reset).
 * A first word "ENV=..." is not an argument but ECMPTRACE_OPTIONS' value.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/flow.h"
#include "options.h"
#include "fuzz.h"

#define MAX_ARGS 256
#define MAX_INPUT 4096

struct fuzz_argv {
	char text[MAX_INPUT + 1];
	char *argv[MAX_ARGS + 2];
	int argc;
};

/* Splits data into words; an empty word (two separators in a row) is kept. */
static void split(const uint8_t *data, size_t size, struct fuzz_argv *a)
{
	static char prog[] = "ecmptrace";
	size_t start = 0;

	memcpy(a->text, data, size);
	a->text[size] = '\0';
	a->argc = 0;
	a->argv[a->argc++] = prog;
	if (size == 0) {
		a->argv[a->argc] = NULL;
		return;
	}
	for (size_t i = 0; i <= size && a->argc < MAX_ARGS + 1; i++) {
		if (i == size || a->text[i] == '\0' || a->text[i] == '\n') {
			a->text[i] = '\0';
			a->argv[a->argc++] = &a->text[start];
			start = i + 1;
		}
	}
	a->argv[a->argc] = NULL;
}

static void check_one_line(const char *err, size_t cap)
{
	size_t n = strnlen(err, cap);

	CHECK(n > 0 && n < cap);
	for (size_t i = 0; i < n; i++)
		CHECK(err[i] >= 0x20 && err[i] < 0x7f);
}

static void check_run(const struct options *o, const struct fuzz_argv *a)
{
	CHECK(o->nhosts >= 0 && o->nhosts <= OPTIONS_HOSTS_MAX);
	CHECK(o->nhosts > 0 || o->targets_file != NULL);
	CHECK((o->host == NULL) == (o->nhosts == 0));
	for (int i = 0; i < o->nhosts; i++)
		CHECK(o->hosts[i][0] != '\0' && o->hosts[i] >= a->text &&
		      o->hosts[i] <= a->text + sizeof(a->text));
	CHECK(o->targets_file == NULL ||
	      (o->targets_file[0] != '\0' && o->targets_file >= a->text &&
	       o->targets_file <= a->text + sizeof(a->text)));
	CHECK(o->family == 0 || o->family == AF_INET || o->family == AF_INET6);
	CHECK(o->proto == PROBE_UDP || o->proto == PROBE_TCP || o->proto == PROBE_ICMP);
	CHECK(o->proto != PROBE_ICMP || o->port == 0);
	CHECK(o->nflows >= 1 && o->nflows <= 4096);
	CHECK(o->sport_base == 0 || (long)o->sport_base + o->nflows - 1 <= 65535);
	CHECK(o->first_ttl >= 1 && o->first_ttl <= o->max_ttl && o->max_ttl <= 255);
	CHECK(o->count >= 1 && o->count <= 1000000);
	CHECK(o->count_set || o->count == 10);
	CHECK(o->interval_us >= 10000 && o->interval_us <= 3600000000ULL);
	CHECK(o->timeout_us >= 50000 && o->timeout_us <= 60000000);
	CHECK(o->rate_pps >= 1 && o->rate_pps <= 100000);
	CHECK(o->max_unknown >= 1 && o->max_unknown <= 255);
	CHECK((o->vary & ~(unsigned)(VARY_SPORT | VARY_LABEL)) == 0);
	CHECK(!(o->vary & VARY_LABEL) || o->family != AF_INET);
	CHECK(o->tos >= 0 && o->tos <= 255);
	CHECK(o->face >= FACE_AUTO && o->face <= FACE_EXPORTER);
	CHECK(!o->report_wide || o->face == FACE_REPORT);
	CHECK(strnlen(o->interface, sizeof(o->interface)) < sizeof(o->interface));
	CHECK(strchr(o->interface, '/') == NULL && strchr(o->interface, ' ') == NULL);
	CHECK(o->source.family == 0 || o->source.family == AF_INET ||
	      o->source.family == AF_INET6);
	CHECK(o->source.family == 0 || o->family == 0 || o->source.family == o->family);
	CHECK(o->mark_set || o->mark == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_argv a, b;
	struct options o, o2;
	char err[256], err2[256];
	enum options_status s, s2;
	const char *env = NULL;
	int skip = 0;

	if (size > MAX_INPUT)
		return 0;
	split(data, size, &a);
	/* "ENV=words": ECMPTRACE_OPTIONS, parsed before the rest. */
	if (a.argc > 1 && strncmp(a.argv[1], "ENV=", 4) == 0) {
		env = a.argv[1] + 4;
		a.argv[1] = a.argv[0];
		skip = 1;
	}
	memset(err, 'x', sizeof(err));
	s = options_parse_env(env, a.argc - skip, a.argv + skip, &o, err, sizeof(err));
	switch (s) {
	case OPTIONS_RUN:
		check_run(&o, &a);
		break;
	case OPTIONS_ERROR:
		check_one_line(err, sizeof(err));
		break;
	case OPTIONS_HELP:
	case OPTIONS_VERSION:
		break;
	default:
		abort();
	}

	/* A second parse of fresh words must agree with the first. */
	split(data, size, &b);
	if (skip)
		b.argv[1] = b.argv[0];
	/* env still points into a's text, which the second split leaves alone. */
	s2 = options_parse_env(env, b.argc - skip, b.argv + skip, &o2, err2, sizeof(err2));
	CHECK(s2 == s);
	if (s == OPTIONS_ERROR)
		CHECK(strcmp(err, err2) == 0);
	if (s == OPTIONS_RUN)
		CHECK(o.nhosts == o2.nhosts && (o.host == NULL || strcmp(o.host, o2.host) == 0) &&
		      o.count == o2.count &&
		      o.nflows == o2.nflows && o.face == o2.face && o.vary == o2.vary);
	return 0;
}
