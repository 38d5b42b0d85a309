/*
 * Running the chosen face over every target's engine (outputs.h): the
 * event loop on the kernel's network with the monotonic clock, the
 * signals that end a run, and what each face prints during and after it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "face/csv.h"
#include "face/dot.h"
#include "face/exporter.h"
#include "face/json.h"
#include "face/json_stream.h"
#include "face/report.h"
#include "face/tui.h"
#include "transport.h"
#include "outputs.h"
#include "run.h"

/* When the run started, for the faces that say it. */
struct run_start {
	uint64_t wall_us;	/* wall clock, microseconds since the epoch */
	char text[40];		/* RFC 3339 in whole seconds, as the report says it */
};

/* How the event loop ended, for the faces that say it. */
struct run_end {
	int rc;			/* run_loop's: 0 done, 1 stopped by a signal, -1 error */
	char err[256];		/* with -1: what went wrong */
};

/* The wall clock in microseconds since the epoch (the JSON's times). */
static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void rfc3339_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && len > 0)
		buf[0] = '\0';
}

/* Says why the output could not be written; every face ends through here. */
static int write_error(int errnum)
{
	fprintf(stderr, "ecmptrace: cannot write the output: %s\n", strerror(errnum ? errnum : EIO));
	return 1;
}

int outputs_finish_stdout(int rc)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		return write_error(errno);
	return rc;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* The name of a signal that ends a run, as the JSON says it. */
static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return NULL;
	}
}

/* How a run ended, for the faces that say it: "done", "signal" or "error". */
static const char *end_reason(int rc)
{
	return rc == 1 ? "signal" : rc < 0 ? "error" : "done";
}

/* The JSON's account of how the run ended (points into end). */
static struct json_end json_end_of(const struct run_end *end)
{
	return (struct json_end){.reason = end_reason(end->rc),
				 .signal = end->rc == 1 ? signal_name(stop_signal) : NULL,
				 .error = end->rc < 0 ? end->err : NULL};
}

static void say_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "ecmptrace: %s\n", msg);
}

/*
 * Runs the event loop over the kernel's network with the monotonic clock,
 * every target's engine in it.  SIGINT, SIGTERM and SIGHUP (a closed
 * terminal, a supervisor's hang-up) end it the same way, results kept: 1.
 * 0 done, -1 error (said here).  How it ended goes in *end as well.
 */
static int loop_over_network(const struct transport *nt, struct run_engine *engines, int n,
			     struct run_end *end)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct run_env env = {.transport = nt, .clock = clock_monotonic(),
			      .stop = &stop_signal, .warn = say_warning};
	int rc;

	/* No SA_RESTART: the wait must return so the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = run_loop(&env, engines, n);
	if (rc < 0)
		fprintf(stderr, "ecmptrace: %s\n", env.err);
	end->rc = rc;
	snprintf(end->err, sizeof(end->err), "%s", rc < 0 ? env.err : "");
	return rc;
}

/* One run_engine per target, each with faces[i] (faces NULL: none); NULL when out of memory. */
static struct run_engine *engines_of(const struct outputs *p, const struct run_face *faces)
{
	struct run_engine *re = calloc((size_t)p->f->n, sizeof(*re));

	if (re == NULL) {
		fprintf(stderr, "ecmptrace: out of memory\n");
		return NULL;
	}
	for (int i = 0; i < p->f->n; i++)
		re[i] = (struct run_engine){.e = p->f->t[i].e, .face = faces ? &faces[i] : NULL};
	return re;
}

/* Prints every target's report, one after another. */
static bool print_reports(const struct outputs *p, const struct namer *names,
			  const struct run_start *start)
{
	for (int i = 0; i < p->f->n; i++) {
		const struct target_run *t = &p->f->t[i];
		struct results *r = results_with_findings(engine_results(t->e, clock_monotonic_us()));
		struct report_options ro = {.target_name = t->name, .started = start->text,
					    .wide = p->o->report_wide, .namer = names,
					    .mpls = p->o->mpls, .asn = p->asn};

		if (r == NULL) {
			fprintf(stderr, "ecmptrace: out of memory\n");
			return false;
		}
		if (i > 0)
			fputc('\n', stdout);
		report_print(stdout, r, &ro);
		results_free(r);
	}
	return true;
}

/* The live view over several targets: a face for each, all drawing on the one view. */
static int run_live_faces(const struct transport *nt, const struct outputs *p, struct tui *t,
			  struct run_end *end)
{
	struct run_face *faces = calloc((size_t)p->f->n, sizeof(*faces));
	struct run_engine *re = NULL;
	int rc = -1;

	if (faces == NULL)
		return -1;
	for (int i = 0; i < p->f->n; i++) {
		/* Every target's face reads the one terminal: the loop reads it once a turn. */
		faces[i] = (struct run_face){.tick = tui_target_tick, .tick_us = 200000,
					     .input_fd = STDIN_FILENO,
					     .on_input = tui_target_input};
		faces[i].ctx = tui_add_target(t, p->f->t[i].name, &p->f->t[i].dst, p->f->t[i].e);
		if (faces[i].ctx == NULL)
			goto out;
	}
	re = engines_of(p, faces);
	if (re != NULL)
		rc = loop_over_network(nt, re, p->f->n, end);
out:
	free(re);
	free(faces);
	return rc;
}

static int run_live(const struct transport *nt, const struct outputs *p, const struct namer *names,
		    const struct run_start *start)
{
	struct tui_options to = {.target_name = p->f->t[0].name, .target = p->f->t[0].dst,
				 .numeric = p->o->numeric, .namer = names, .mpls = p->o->mpls,
				 .asn = p->asn};
	struct run_face face = {.tick = tui_tick, .tick_us = 200000, .input_fd = STDIN_FILENO,
				.on_input = tui_input};
	struct run_engine one = {.e = p->f->t[0].e, .face = &face};
	struct run_end end;
	char err[256];
	struct tui *t;
	int rc;

	t = tui_open(&to, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		return 1;
	}
	face.ctx = t;
	rc = p->f->n == 1 ? loop_over_network(nt, &one, 1, &end) : run_live_faces(nt, p, t, &end);
	tui_close(t);
	if (rc < 0)
		return 1;
	if (p->o->report_on_exit && !print_reports(p, p->o->numeric ? NULL : names, start))
		return 1;
	return outputs_finish_stdout(0);
}

/* The streams' ends and their first write error (0: none). */
static int end_streams(const struct outputs *p, struct json_stream **s, const struct run_end *end)
{
	struct json_end je = json_end_of(end);
	int werr = 0;

	for (int i = 0; i < p->f->n; i++) {
		if (s[i] == NULL)
			continue;
		json_stream_end(s[i], p->f->t[i].e, clock_monotonic_us(), &je);
		if (werr == 0)
			werr = json_stream_error(s[i]);
		json_stream_free(s[i]);
	}
	return werr;
}

/*
 * How often each stream looks at its engine: 10 times a second, less often
 * beyond 100 targets (at most 1000 snapshots and diagnoses a second in
 * all, about 30 us each), at least once a second.
 */
static uint64_t stream_tick_us(int n)
{
	return n <= 100 ? 100000 : n >= 1000 ? 1000000 : (uint64_t)n * 1000;
}

/* The JSON options of target i: its name, and the options its snapshot does not hold. */
static struct json_options json_opts(const struct outputs *p, int i, const struct namer *names)
{
	return (struct json_options){.target_name = p->f->t[i].name, .namer = names,
				     .asn = p->asn, .interface = p->o->interface,
				     .address = &p->o->source,
				     .mark = p->o->mark_set ? &p->o->mark : NULL,
				     .mpls = p->o->mpls, .psize = p->o->psize,
				     .pmtu_full = p->o->pmtu_full, .targets_file = p->o->targets_file,
				     .unavailable = p->unavailable};
}

/* One stream per target on stdout; with several, each of its events names its target. */
static int run_stream(const struct transport *nt, const struct outputs *p, const struct namer *names)
{
	struct json_stream **s = calloc((size_t)p->f->n, sizeof(*s));
	struct run_face *faces = calloc((size_t)p->f->n, sizeof(*faces));
	struct run_engine *re = NULL;
	struct run_end end = {.rc = -1, .err = "out of memory"};
	int rc = -1, werr;

	/* A reader that goes away ends the run through ferror(), not a signal. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; s != NULL && faces != NULL && i < p->f->n; i++) {
		struct json_options jo = json_opts(p, i, names);

		jo.every_event_target = p->f->n > 1;

		s[i] = json_stream_new(stdout, &jo);
		if (s[i] == NULL)
			break;
		faces[i] = (struct run_face){.ctx = s[i], .tick = json_stream_tick,
					     .tick_us = stream_tick_us(p->f->n), .input_fd = -1};
		if (i == p->f->n - 1)
			re = engines_of(p, faces);
	}
	if (re == NULL)
		fprintf(stderr, "ecmptrace: out of memory\n");
	else
		rc = loop_over_network(nt, re, p->f->n, &end);
	werr = s != NULL ? end_streams(p, s, &end) : 0;
	free(re);
	free(faces);
	free(s);
	/* A reader that went away (| head) is the usual end of a stream, not a failure. */
	if (werr == EPIPE)
		return rc < 0 ? 1 : 0;
	if (werr != 0)
		return write_error(werr);
	return outputs_finish_stdout(rc < 0 ? 1 : 0);
}

/* -j: one target's document as it always was; several: a document of documents. */
static bool print_json(const struct outputs *p, const struct namer *names,
		       const struct run_start *start, const struct run_end *end)
{
	struct results **r = calloc((size_t)p->f->n, sizeof(*r));
	struct json_options *jo = calloc((size_t)p->f->n, sizeof(*jo));
	bool ok = r != NULL && jo != NULL;
	uint64_t finished = wall_us();

	for (int i = 0; ok && i < p->f->n; i++) {
		r[i] = results_with_findings(engine_results(p->f->t[i].e, clock_monotonic_us()));
		jo[i] = json_opts(p, i, names);
		jo[i].started_us = start->wall_us;
		jo[i].finished_us = finished;
		jo[i].end = json_end_of(end);
		ok = r[i] != NULL;
	}
	if (ok)
		ok = p->f->n == 1 ? json_print_report(stdout, r[0], &jo[0])
				 : json_print_reports(stdout, (const struct results *const *)r, jo,
						      p->f->n);
	for (int i = 0; r != NULL && i < p->f->n; i++)
		results_free(r[i]);
	free(r);
	free(jo);
	if (!ok)
		fprintf(stderr, "ecmptrace: out of memory\n");
	return ok;
}

/* -C and --dot: each target's, one after another (CSV: one header for all). */
static bool print_each(const struct outputs *p, const struct namer *names,
		       const struct run_start *start, const struct run_end *end)
{
	for (int i = 0; i < p->f->n; i++) {
		const struct target_run *t = &p->f->t[i];
		struct results *r = results_with_findings(engine_results(t->e, clock_monotonic_us()));

		if (r == NULL) {
			fprintf(stderr, "ecmptrace: out of memory\n");
			return false;
		}
		if (p->face == FACE_CSV) {
			struct csv_options co = {.target_name = t->name,
						 .start_time = (int64_t)(start->wall_us / 1000000u),
						 .status = end_reason(end->rc), .namer = names,
						 .no_header = i > 0};

			csv_print(stdout, r, &co);
		} else {
			struct dot_options d = {.target_name = t->name, .status = end_reason(end->rc),
						.namer = names};

			dot_print(stdout, r, &d);
		}
		results_free(r);
	}
	return true;
}

/*
 * The batch faces print the results at the end, also when a signal or an
 * error cut the run short (they say so where they can); an error is still
 * status 1.
 */
static int run_batch(const struct transport *nt, const struct outputs *p, const struct namer *names,
		     const struct run_start *start)
{
	struct run_engine *re = engines_of(p, NULL);
	struct run_end end;
	bool ok;
	int rc;

	if (re == NULL)
		return 1;
	rc = loop_over_network(nt, re, p->f->n, &end);
	free(re);
	if (p->face == FACE_JSON)
		ok = print_json(p, names, start, &end);
	else if (p->face == FACE_CSV || p->face == FACE_DOT)
		ok = print_each(p, names, start, &end);
	else
		ok = print_reports(p, names, start);
	return outputs_finish_stdout(ok && rc >= 0 ? 0 : 1);
}

/*
 * The exporter face (--listen, --textfile): every target traced until
 * stopped (or -c), its metrics served.  The exporter takes the socket and
 * the directory, and frees them.
 */
static int run_exporter(const struct transport *nt, const struct outputs *p)
{
	const char **names = calloc((size_t)p->f->n, sizeof(*names));
	struct run_face *faces = calloc((size_t)p->f->n, sizeof(*faces));
	struct exporter_options xo = {.names = names, .ntargets = p->f->n,
				      .listen_fd = p->listen_fd, .textfile = p->textfile,
				      .version = PACKAGE_VERSION};
	struct exporter *x = NULL;
	struct run_engine *re = NULL;
	struct run_end end;
	char err[512] = "out of memory";
	int rc = -1;

	for (int i = 0; names != NULL && i < p->f->n; i++)
		names[i] = p->f->t[i].name;
	if (names != NULL && faces != NULL)
		x = exporter_new(&xo, err, sizeof(err));
	if (x == NULL || !exporter_start(x, err, sizeof(err))) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		goto out;
	}
	for (int i = 0; i < p->f->n; i++)
		faces[i] = exporter_face(x, i);
	re = engines_of(p, faces);
	signal(SIGPIPE, SIG_IGN);
	if (re != NULL)
		rc = loop_over_network(nt, re, p->f->n, &end);
out:
	exporter_free(x);
	free(re);
	free(faces);
	free(names);
	return rc < 0 ? 1 : 0;
}

int outputs_run(const struct transport *nt, const struct outputs *out)
{
	struct run_start start;

	start.wall_us = wall_us();
	rfc3339_now(start.text, sizeof(start.text));
	if (out->face == FACE_CURSES)
		return run_live(nt, out, out->names, &start);
	if (out->face == FACE_JSON_STREAM)
		return run_stream(nt, out, out->o->numeric ? NULL : out->names);
	if (out->face == FACE_EXPORTER)
		return run_exporter(nt, out);
	return run_batch(nt, out, out->o->numeric ? NULL : out->names, &start);
}
