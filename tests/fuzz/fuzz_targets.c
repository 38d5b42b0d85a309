/*
 * libFuzzer target for the --targets file parser (src/targets.c): the file
 * is whatever its owner wrote, so any bytes must give either a list whose
 * every target is well formed (a printable host without spaces, a known
 * protocol, a port for UDP/TCP and none for ICMP, no two alike, at most
 * TARGETS_MAX) or one printable line "f:LINE: ..." naming a line the
 * input has; the same bytes give the same answer twice.  The first byte
 * picks the defaults (protocol and port), the rest is the file.  In
 * `make check` this runs through replay.c over tests/fuzz/corpus/targets;
 * under real libFuzzer:
 *
 *   FUZZ_SOURCES="src/numparse.c src/targets.c" tests/fuzz/run-libfuzzer.sh targets 60
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "targets.h"
#include "fuzz.h"

static void check_target(const struct target_spec *t, const struct target_list *l, int i)
{
	size_t n = strlen(t->host);

	CHECK(n >= 1 && n <= TARGET_HOST_MAX);
	for (size_t k = 0; k < n; k++)
		CHECK(t->host[k] > ' ' && t->host[k] < 0x7f && t->host[k] != '#');
	CHECK(t->proto == PROBE_UDP || t->proto == PROBE_TCP || t->proto == PROBE_ICMP);
	CHECK((t->proto == PROBE_ICMP) == (t->port == 0));
	CHECK(t->line >= 1);
	CHECK(i == 0 || t->line > l->v[i - 1].line);
	for (int j = 0; j < i; j++)
		CHECK(l->v[j].proto != t->proto || l->v[j].port != t->port ||
		      strcasecmp(l->v[j].host, t->host) != 0);
}

/* "f:LINE: why" on one printable line, LINE at most the input's lines. */
static void check_error(const char *err, size_t lines)
{
	char *end;
	unsigned long line;

	CHECK(strncmp(err, "f:", 2) == 0);
	line = strtoul(err + 2, &end, 10);
	CHECK(line >= 1 && line <= lines && strncmp(end, ": ", 2) == 0 && end[2] != '\0');
	for (const char *p = err; *p; p++)
		CHECK(*p >= ' ' && *p < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum probe_proto protos[] = {PROBE_UDP, PROBE_TCP, PROBE_ICMP};
	struct target_defaults d;
	struct target_list l = {0}, again = {0};
	char err[256], err2[256];
	size_t lines = 1;
	bool r;

	if (size < 1 || size > 65536)
		return 0;
	d.proto = protos[data[0] % 3];
	d.port = data[0] >= 128 ? (uint16_t)(data[0] * 100u) : 0;
	for (size_t i = 1; i < size; i++)
		lines += data[i] == '\n';
	r = targets_parse((const char *)data + 1, size - 1, "f", &d, &l, err, sizeof(err));
	CHECK(l.count <= TARGETS_MAX);
	for (int i = 0; i < l.count; i++)
		check_target(&l.v[i], &l, i);
	if (!r)
		check_error(err, lines);
	CHECK(targets_parse((const char *)data + 1, size - 1, "f", &d, &again, err2,
			    sizeof(err2)) == r);
	CHECK(again.count == l.count && (r || strcmp(err, err2) == 0));
	targets_free(&l);
	targets_free(&again);
	return 0;
}
