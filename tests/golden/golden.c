/*
 * Golden-output driver: writes one face's output for one hand-built
 * scenario (scenarios.c) on standard output, for t_golden.sh to compare
 * with the files beside it.  No sockets, no engine, no root: the report,
 * the JSON document and the JSON stream from a results snapshot alone, as
 * tcpdump's tests replay captures through its printers.
 *
 *   golden list                      the scenario names
 *   golden NAME report|json|stream|screen|csv|dot   that output
 *   golden NAME csv-names|dot-names  the same with every responder named
 *                                    by a hostile reverse-DNS answer
 *   golden NAME hostile-name         that name, as bytes
 *   golden NAME json-signal|json-error|stream-signal|stream-error
 *                                    the JSON of a run cut short by SIGTERM
 *                                    or ended by an error
 *
 * What would differ from run to run is fixed: the stream's clock starts at
 * 2026-01-01T00:00:00Z and steps 250 ms per event, and the report's
 * version reads "VERSION".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "face/csv.h"
#include "face/dot.h"
#include "face/json.h"
#include "face/json_stream.h"
#include "face/report.h"
#include "namer.h"
#include "scenarios.h"
#include "screen.h"

#define STARTED "2026-01-01T00:00:00Z"
/* The document's: 2026-01-01T00:00:00Z and 10.25 s later. */
#define STARTED_US 1767225600000000ull
#define FINISHED_US 1767225610250000ull
#define TARGET "db.example"

static uint64_t fixed_clock_us = 1767225600000000ull;

static uint64_t fixed_wall_us(void)
{
	fixed_clock_us += 250000;
	return fixed_clock_us;
}

/* The report with the package version replaced, so a release does not change every file. */
static int report(const struct golden_scenario *sc, const struct results *r)
{
	struct report_options o = {.target_name = TARGET, .started = STARTED, .mpls = sc->mpls,
				   .asn = sc->asn};
	const char *version = "ecmptrace " PACKAGE_VERSION " to";
	char *text = NULL, *at;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem == NULL)
		return 1;
	report_print(mem, r, &o);
	if (fclose(mem) != 0 || text == NULL)
		return 1;
	at = strstr(text, version);
	if (at != NULL) {
		fwrite(text, 1, (size_t)(at - text), stdout);
		fputs("ecmptrace VERSION to", stdout);
		fputs(at + strlen(version), stdout);
	} else {
		fputs(text, stdout);
	}
	free(text);
	return 0;
}

/*
 * A reverse-DNS answer no face may trust: a comma, quotes, a line break,
 * Graphviz's escapes and a byte that is not UTF-8 ("NAMES" below).
 */
#define HOSTILE_NAME "a,b \"c\"\\N\\l\nd\xff.example"

static const char *hostile_lookup(void *ctx, const struct ip_addr *a)
{
	(void)ctx;
	(void)a;
	return HOSTILE_NAME;
}

static const struct namer hostile_namer = {.lookup = hostile_lookup};

/* The CSV with a fixed version and start time (2026-01-01T00:00:00Z). */
static int csv(const struct results *r, const struct namer *nm)
{
	struct csv_options o = {.target_name = TARGET, .version = "VERSION",
				.start_time = 1767225600, .status = "done", .namer = nm};

	csv_print(stdout, r, &o);
	return ferror(stdout) != 0;
}

/* The Graphviz graph with a fixed version. */
static int dot(const struct results *r, const struct namer *nm)
{
	struct dot_options o = {.target_name = TARGET, .version = "VERSION", .status = "done",
				.namer = nm};

	dot_print(stdout, r, &o);
	return ferror(stdout) != 0;
}

/*
 * The stream of a run that was snapshot twice: early (one hop fewer, one
 * round, and whatever the scenario says was different then), then at its
 * end; then the end event.
 */
static int stream(const struct golden_scenario *sc, const struct json_end *end)
{
	struct json_options o = {.target_name = TARGET, .version = "VERSION",
				 .wall_us = fixed_wall_us, .asn = sc->asn};
	struct json_stream *s = json_stream_new(stdout, &o);
	struct results *r;
	int err;

	if (s == NULL)
		return 1;
	r = sc->build(true);
	if (r->nhops > 1)
		r->nhops--;
	r->counters.rounds_done = 1;
	json_stream_snapshot(s, r);
	g_free(r);
	r = sc->build(false);
	json_stream_snapshot(s, r);
	json_stream_finish(s, r, end);
	g_free(r);
	err = json_stream_error(s);
	json_stream_free(s);
	return err != 0;
}

/*
 * Several targets (one per scenario, each named after it): "json" the -j
 * document of all of them, "stream" their streams interleaved as one
 * process writes them, every event naming its target.  Not golden files:
 * t_golden.sh checks them against the single-target outputs and the schema.
 */
static int fleet(const char *kind)
{
	struct results *r[16];
	struct json_options o[16];
	struct json_stream *s[16];
	size_t n = golden_nscenarios < 16 ? golden_nscenarios : 16;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		o[i] = (struct json_options){.target_name = golden_scenarios[i].name,
					     .version = "VERSION", .started_us = STARTED_US,
					     .finished_us = FINISHED_US, .end = {.reason = "done"},
					     .wall_us = fixed_wall_us, .every_event_target = true,
					     .asn = golden_scenarios[i].asn};
		r[i] = golden_scenarios[i].build(false);
		s[i] = strcmp(kind, "stream") == 0 ? json_stream_new(stdout, &o[i]) : NULL;
		if (s[i] != NULL)
			json_stream_snapshot(s[i], r[i]);
	}
	if (strcmp(kind, "json") == 0)
		rc = !json_print_reports(stdout, (const struct results *const *)r, o, (int)n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != NULL) {
			json_stream_finish(s[i], r[i], &o[i].end);
			rc |= json_stream_error(s[i]) != 0;
			json_stream_free(s[i]);
		} else if (strcmp(kind, "stream") == 0) {
			rc = 1;
		}
	}
	g_free(r[0]);	/* every snapshot: they share the builder's arena */
	return rc;
}

int main(int argc, char **argv)
{
	const struct golden_scenario *sc = NULL;
	struct json_options jo = {.target_name = TARGET, .version = "VERSION",
				  .started_us = STARTED_US, .finished_us = FINISHED_US,
				  .end = {.reason = "done"}};
	struct results *r;
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (size_t i = 0; i < golden_nscenarios; i++)
			printf("%s\n", golden_scenarios[i].name);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "fleet") == 0 &&
	    (strcmp(argv[2], "json") == 0 || strcmp(argv[2], "stream") == 0))
		return fleet(argv[2]);
	for (size_t i = 0; argc == 3 && i < golden_nscenarios; i++)
		if (strcmp(argv[1], golden_scenarios[i].name) == 0)
			sc = &golden_scenarios[i];
	if (sc == NULL) {
		fprintf(stderr, "usage: golden list | golden NAME report|json|stream|screen|csv|dot | "
			"golden fleet json|stream\n");
		return 2;
	}
	if (strcmp(argv[2], "stream") == 0)
		return stream(sc, &jo.end);
	/* Runs cut short: the document and the stream say how. */
	if (strcmp(argv[2], "stream-signal") == 0 || strcmp(argv[2], "json-signal") == 0)
		jo.end = (struct json_end){.reason = "signal", .signal = "SIGTERM"};
	if (strcmp(argv[2], "stream-error") == 0 || strcmp(argv[2], "json-error") == 0)
		jo.end = (struct json_end){.reason = "error", .error = "sendmmsg: No buffer space"};
	if (strncmp(argv[2], "stream-", 7) == 0)
		return stream(sc, &jo.end);
	if (strcmp(argv[2], "screen") == 0)
		return screen_write(stdout, sc->build, TARGET, sc->mpls, sc->asn);
	r = sc->build(false);
	jo.asn = sc->asn;
	if (strcmp(argv[2], "report") == 0)
		rc = report(sc, r);
	else if (strncmp(argv[2], "json", 4) == 0)
		rc = !json_print_report(stdout, r, &jo);
	else if (strcmp(argv[2], "csv") == 0)
		rc = csv(r, NULL);
	else if (strcmp(argv[2], "dot") == 0)
		rc = dot(r, NULL);
	else if (strcmp(argv[2], "csv-names") == 0)
		rc = csv(r, &hostile_namer);
	else if (strcmp(argv[2], "dot-names") == 0)
		rc = dot(r, &hostile_namer);
	else if (strcmp(argv[2], "hostile-name") == 0)
		rc = fputs(HOSTILE_NAME, stdout) < 0;
	else
		rc = 2;
	g_free(r);
	return rc;
}
