/*
 * ecmptrace start-up: parse options, resolve the target, open the raw
 * socket and the capture, drop every privilege, then run the chosen face
 * (live view, text report, JSON) over the engine.  Exit status: 0 done,
 * 1 runtime error (including missing privilege), 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "face/json.h"
#include "face/json_stream.h"
#include "face/report.h"
#include "face/tui.h"
#include "net/capture.h"
#include "net/net.h"
#include "net/privdrop.h"
#include "net/sandbox.h"
#include "net/resolve.h"
#include "net/route.h"
#include "options.h"
#include "run.h"

#define EXIT_USAGE 2

/* Source ports are picked below Linux's ephemeral range, so nc -p can reuse them. */
#define SPORT_PICK_LOW 10000
#define SPORT_PICK_HIGH 32000

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	return v;
}

/*
 * The run's secret for the probes' MACs and ids (engine/auth.h).  Unlike
 * the port window it has no weaker fallback: without the kernel's random
 * source, answers could be forged.
 */
static bool random_key(uint8_t *key, size_t len)
{
	return getrandom(key, len, 0) == (ssize_t)len;
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

/* Flushes stdout: a full disk or a closed descriptor is an error, never a silent 0. */
static int finish_stdout(int rc)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		return write_error(errno);
	return rc;
}

/*
 * A closed stdout cannot take the results, and a socket opened later would
 * take its number and receive them: refuse it.  A closed stdin or stderr
 * gets /dev/null for the same reason.
 */
static bool standard_fds_open(void)
{
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		fprintf(stderr, "ecmptrace: cannot write the output: standard output is closed\n");
		return false;
	}
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd += STDERR_FILENO - STDIN_FILENO)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return false;
	return true;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ecmptrace: %s\n", msg);
	return EXIT_USAGE;
}

static uint16_t pick_sport_base(int nflows, uint32_t rnd)
{
	uint32_t span = SPORT_PICK_HIGH - SPORT_PICK_LOW;

	if ((uint32_t)nflows >= span)
		return (uint16_t)(65536 - nflows > SPORT_PICK_LOW ? SPORT_PICK_LOW : 65536 - nflows);
	return (uint16_t)(SPORT_PICK_LOW + rnd % (span - (uint32_t)nflows));
}

/* Turns the options and the resolved target into the engine's configuration. */
static bool configure(const struct options *o, const struct ip_addr *dst, struct engine_config *c,
		      char *err, size_t errlen)
{
	uint32_t rnd = random_u32();

	engine_config_defaults(c);
	c->proto = o->proto;
	c->dst = *dst;
	c->dport = o->port ? o->port : o->proto == PROBE_TCP ? 80 : 33434;
	c->nflows = o->nflows;
	/* Without --flows, branch discovery decides how many flows (up to max_flows). */
	c->adaptive = !o->flows_fixed;
	c->confidence = o->confidence;
	c->sport_base = o->sport_base ? o->sport_base
		      : pick_sport_base(c->adaptive ? c->max_flows : o->nflows, rnd);
	c->vary = o->vary ? o->vary : dst->family == AF_INET6 ? VARY_SPORT | VARY_LABEL : VARY_SPORT;
	if ((c->vary & VARY_LABEL) && dst->family != AF_INET6) {
		snprintf(err, errlen, "--vary label needs an IPv6 target");
		return false;
	}
	c->label_base = 1 + (rnd >> 12) % 0xff000;
	c->first_ttl = (uint8_t)o->first_ttl;
	c->max_ttl = (uint8_t)o->max_ttl;
	c->tos = (uint8_t)o->tos;
	c->max_unknown = o->max_unknown;
	c->interval_us = o->interval_us;
	c->timeout_us = o->timeout_us;
	c->answer_delay_us = CAPTURE_BATCH_MS * 1000;
	c->rate_pps = o->rate_pps;
	c->payload_len = o->proto == PROBE_TCP ? 0 : 12;
	c->seed = random_u32();
	if (!random_key(c->key, sizeof(c->key))) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return false;
	}
	return true;
}

static enum face pick_face(const struct options *o)
{
	if (o->face != FACE_AUTO)
		return o->face;
	/* The live view needs a terminal both ways: keys in, screen out. */
	return isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) ? FACE_CURSES : FACE_REPORT;
}

static int run_live(struct net *net, struct engine *e, const struct options *o,
		    const struct ip_addr *dst, struct resolver *res, const char *started)
{
	struct tui_options to = {.target_name = o->host, .target = *dst, .numeric = o->numeric,
				 .resolver = res};
	struct run_face face = {.tick = tui_tick, .tick_us = 200000, .input_fd = STDIN_FILENO,
				.on_input = tui_input};
	char err[256];
	struct tui *t;
	int rc;

	t = tui_open(&to, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		return 1;
	}
	face.ctx = t;
	rc = run_loop(net, e, &face);
	tui_close(t);
	if (rc < 0)
		return 1;
	if (o->report_on_exit) {
		struct results *r = results_with_findings(engine_results(e, run_now_us()));
		struct report_options ro = {.target_name = o->host, .started = started,
					    .wide = o->report_wide,
					    .resolver = o->numeric ? NULL : res};

		if (r == NULL)
			return 1;
		report_print(stdout, r, &ro);
		results_free(r);
	}
	return finish_stdout(0);
}

static int run_stream(struct net *net, struct engine *e, const struct options *o,
		      struct resolver *res)
{
	struct json_options jo = {.target_name = o->host, .resolver = res};
	struct json_stream *s = json_stream_new(stdout, &jo);
	struct run_face face = {.tick = json_stream_tick, .tick_us = 100000, .input_fd = -1};
	int rc, werr;

	if (s == NULL) {
		fprintf(stderr, "ecmptrace: out of memory\n");
		return 1;
	}
	/* A reader that goes away ends the run through ferror(), not a signal. */
	signal(SIGPIPE, SIG_IGN);
	face.ctx = s;
	rc = run_loop(net, e, &face);
	json_stream_end(s, e, run_now_us(), rc == 1 ? "signal" : rc < 0 ? "error" : "done");
	werr = json_stream_error(s);
	json_stream_free(s);
	/* A reader that went away (| head) is the usual end of a stream, not a failure. */
	if (werr == EPIPE)
		return rc < 0 ? 1 : 0;
	if (werr != 0)
		return write_error(werr);
	return finish_stdout(rc < 0 ? 1 : 0);
}

static int run_batch(struct net *net, struct engine *e, enum face face, const struct options *o,
		     struct resolver *res, const char *started)
{
	struct results *r;
	char finished[40];
	int rc;

	rc = run_loop(net, e, NULL);
	if (rc < 0)
		return 1;
	rfc3339_now(finished, sizeof(finished));
	r = results_with_findings(engine_results(e, run_now_us()));
	if (r == NULL) {
		fprintf(stderr, "ecmptrace: out of memory\n");
		return 1;
	}
	if (face == FACE_JSON) {
		struct json_options jo = {.target_name = o->host, .started = started,
					  .finished = finished, .resolver = res};

		if (!json_print_report(stdout, r, &jo)) {
			fprintf(stderr, "ecmptrace: out of memory\n");
			rc = -1;
		}
	} else {
		struct report_options ro = {.target_name = o->host, .started = started,
					    .wide = o->report_wide, .resolver = res};

		report_print(stdout, r, &ro);
	}
	results_free(r);
	return finish_stdout(rc < 0 ? 1 : 0);
}

int main(int argc, char **argv)
{
	struct options o;
	struct ip_addr dst;
	struct engine_config cfg;
	struct engine *e;
	struct net net;
	struct resolver *res = NULL;
	char err[512], started[40], warning[700] = "";
	bool need_privilege, shared_interface = false;
	enum face face;
	int rc;

	if (!standard_fds_open())
		return 1;
	options_defaults(&o);
	switch (options_parse(argc, argv, &o, err, sizeof(err))) {
	case OPTIONS_HELP:
		options_usage(stdout);
		return finish_stdout(0);
	case OPTIONS_VERSION:
		printf("ecmptrace %s\n", PACKAGE_VERSION);
		return finish_stdout(0);
	case OPTIONS_ERROR:
		return usage_error(err);
	case OPTIONS_RUN:
		break;
	}
	if (!resolve_target(o.host, o.family, &dst, err, sizeof(err)))
		return usage_error(err);
	if (!configure(&o, &dst, &cfg, err, sizeof(err)))
		return usage_error(err);
	face = pick_face(&o);
	if (!o.count_set && (face == FACE_CURSES || face == FACE_JSON_STREAM))
		cfg.rounds = 0;
	else
		cfg.rounds = o.count;

	/* Everything that needs privilege happens here, and nothing else does. */
	if (!net_open(&net, &dst, cfg.proto, err, sizeof(err), &need_privilege)) {
		if (need_privilege) {
			fprintf(stderr, "ecmptrace: %s: raw sockets and packet capture need "
				"CAP_NET_RAW; run as root or grant it once with "
				"'sudo setcap cap_net_raw+ep %s'\n", err, argv[0]);
			return 1;
		}
		fprintf(stderr, "ecmptrace: %s\n", err);
		return 1;
	}
	/* The host is the first balancer: its routing table says over how many next hops. */
	cfg.first_hop_fanout = route_first_hop_fanout(&dst, &shared_interface);
	/* Then each flow must leave by the next hop a connection on its ports would take. */
	if (cfg.first_hop_fanout > 1 && cfg.proto != PROBE_ICMP) {
		/* Next hops on one interface: choosing the interface cannot choose them. */
		if (!net_steer_enable(&net, shared_interface, err, sizeof(err)))
			snprintf(warning, sizeof(warning), "ecmptrace: warning: this host balances "
				 "over %d next hops, but probes cannot follow its choice per flow "
				 "(%s); the first hop may differ from a real connection's\n",
				 cfg.first_hop_fanout, err);
		fputs(warning, stderr);
	}
	/* Asking neighbours for their MAC is part of the picture, not a condition of it. */
	cfg.link_check = o.link_check && net_neighbours_enable(&net, err, sizeof(err));
	if (o.link_check && !cfg.link_check)
		fprintf(stderr, "ecmptrace: warning: no link-layer check: %s\n", err);
	if (!privdrop_all(err, sizeof(err)) || !sandbox_enter(err, sizeof(err))) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		net_close(&net);
		return 1;
	}
	cfg.src = net.src;
	e = engine_new(&cfg, err, sizeof(err));
	if (e == NULL) {
		net_close(&net);
		return usage_error(err);
	}
	if (!o.numeric || face == FACE_CURSES)
		res = resolver_new();
	rfc3339_now(started, sizeof(started));
	if (face == FACE_CURSES)
		rc = run_live(&net, e, &o, &dst, res, started);
	else if (face == FACE_JSON_STREAM)
		rc = run_stream(&net, e, &o, o.numeric ? NULL : res);
	else
		rc = run_batch(&net, e, face, &o, o.numeric ? NULL : res, started);
	engine_free(e);
	net_close(&net);
	resolver_free(res);
	/* The live view covered the screen the warning was written on. */
	if (face == FACE_CURSES)
		fputs(warning, stderr);
	return rc;
}
