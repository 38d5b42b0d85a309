/*
 * ecmptrace start-up: parse options, resolve the target, open the raw
 * socket, the capture and the link-layer check's sockets, drop every
 * privilege and enter the seccomp sandbox, ask the routing table (per-flow
 * steering), then run the chosen face (live view, text report, JSON) over
 * the engine with the event loop.  Exit status: 0 done, 1 runtime error
 * (including missing privilege), 2 usage error.
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

#include "clock.h"
#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "face/json.h"
#include "face/json_stream.h"
#include "face/report.h"
#include "face/tui.h"
#include "net/capture.h"
#include "net/net.h"
#include "net/net_transport.h"
#include "net/dgram_transport.h"
#include "net/privdrop.h"
#include "net/sandbox.h"
#include "net/resolve.h"
#include "net/route.h"
#include "options.h"
#include "run.h"
#include "unprivileged.h"

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

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void say_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "ecmptrace: %s\n", msg);
}

/*
 * Runs the event loop over the kernel's network with the monotonic clock.
 * SIGINT, SIGTERM and SIGHUP (a closed terminal, a supervisor's hang-up)
 * end it the same way, results kept: 1.  0 done, -1 error (said here).
 */
static int loop_over_network(struct transport *tr, struct engine *e,
			     const struct run_face *face)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct run_env env = {.transport = tr, .clock = clock_monotonic(),
			      .stop = &stop_signal, .warn = say_warning};
	struct run_engine one = {.e = e, .face = face};
	int rc;

	/* No SA_RESTART: the wait must return so the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = run_loop(&env, &one, 1);
	if (rc < 0)
		fprintf(stderr, "ecmptrace: %s\n", env.err);
	return rc;
}

static int run_live(struct transport *tr, struct engine *e, const struct options *o,
		    const struct ip_addr *dst, const struct namer *names, const char *started)
{
	struct tui_options to = {.target_name = o->host, .target = *dst, .numeric = o->numeric,
				 .namer = names};
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
	rc = loop_over_network(tr, e, &face);
	tui_close(t);
	if (rc < 0)
		return 1;
	if (o->report_on_exit) {
		struct results *r = results_with_findings(engine_results(e, clock_monotonic_us()));
		struct report_options ro = {.target_name = o->host, .started = started,
					    .wide = o->report_wide,
					    .namer = o->numeric ? NULL : names};

		if (r == NULL)
			return 1;
		report_print(stdout, r, &ro);
		results_free(r);
	}
	return finish_stdout(0);
}

static int run_stream(struct transport *tr, struct engine *e, const struct options *o,
		      const struct namer *names, const char *const *unavailable)
{
	struct json_options jo = {.target_name = o->host, .namer = names,
				  .unavailable = unavailable};
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
	rc = loop_over_network(tr, e, &face);
	json_stream_end(s, e, clock_monotonic_us(),
			rc == 1 ? "signal" : rc < 0 ? "error" : "done");
	werr = json_stream_error(s);
	json_stream_free(s);
	/* A reader that went away (| head) is the usual end of a stream, not a failure. */
	if (werr == EPIPE)
		return rc < 0 ? 1 : 0;
	if (werr != 0)
		return write_error(werr);
	return finish_stdout(rc < 0 ? 1 : 0);
}

static int run_batch(struct transport *tr, struct engine *e, enum face face,
		     const struct options *o, const struct namer *names, const char *started,
		     const char *const *unavailable)
{
	struct results *r;
	char finished[40];
	int rc;

	rc = loop_over_network(tr, e, NULL);
	if (rc < 0)
		return 1;
	rfc3339_now(finished, sizeof(finished));
	r = results_with_findings(engine_results(e, clock_monotonic_us()));
	if (r == NULL) {
		fprintf(stderr, "ecmptrace: out of memory\n");
		return 1;
	}
	if (face == FACE_JSON) {
		struct json_options jo = {.target_name = o->host, .started = started,
					  .finished = finished, .namer = names,
					  .unavailable = unavailable};

		if (!json_print_report(stdout, r, &jo)) {
			fprintf(stderr, "ecmptrace: out of memory\n");
			rc = -1;
		}
	} else {
		struct report_options ro = {.target_name = o->host, .started = started,
					    .wide = o->report_wide, .namer = names};

		report_print(stdout, r, &ro);
	}
	results_free(r);
	return finish_stdout(rc < 0 ? 1 : 0);
}

/* What start-up decided: the options, the target, the engine's configuration, the face. */
struct plan {
	struct options o;
	struct ip_addr dst;
	struct engine_config cfg;
	enum face face;
	char warning[700];	/* said again after the live view, which covers it */
	bool unprivileged;	/* ordinary sockets, no raw socket (unprivileged.h) */
	const char *argv0;	/* the program as run, for the setcap hint */
};

/* Parses the command line; false with the exit status in *rc when there is nothing to run. */
static bool parse_command_line(int argc, char **argv, struct options *o, int *rc)
{
	char err[512];

	options_defaults(o);
	switch (options_parse(argc, argv, o, err, sizeof(err))) {
	case OPTIONS_HELP:
		options_usage(stdout);
		*rc = finish_stdout(0);
		return false;
	case OPTIONS_VERSION:
		printf("ecmptrace %s\n", PACKAGE_VERSION);
		*rc = finish_stdout(0);
		return false;
	case OPTIONS_ERROR:
		*rc = usage_error(err);
		return false;
	case OPTIONS_RUN:
		break;
	}
	return true;
}

/*
 * Resolves the target and turns the options into the engine's
 * configuration.  This comes before the sockets are opened, not after the
 * privileges are dropped, because what is opened depends on the target:
 * the raw socket's family, the source address the capture's filter lets
 * answers to, the neighbour sockets' family and link (a link-local IPv6
 * target's zone).  An unknown host is a usage error (2) whoever runs it.
 */
static int plan_run(struct plan *p)
{
	char err[512];

	if (!resolve_target(p->o.host, p->o.family, &p->dst, err, sizeof(err)) ||
	    !configure(&p->o, &p->dst, &p->cfg, err, sizeof(err)))
		return usage_error(err);
	p->face = pick_face(&p->o);
	if (!p->o.count_set && (p->face == FACE_CURSES || p->face == FACE_JSON_STREAM))
		p->cfg.rounds = 0;
	else
		p->cfg.rounds = p->o.count;
	return 0;
}

/*
 * The raw socket and the capture: the privileged part.  Without the
 * privilege (or with --unprivileged) the run goes on over ordinary
 * sockets: p->unprivileged.  False when neither can be (said).
 */
static bool open_network(struct net *net, struct plan *p)
{
	char err[512];
	bool need_privilege;

	if (p->o.unprivileged) {
		p->unprivileged = true;
		return true;
	}
	if (net_open(net, &p->dst, p->cfg.proto, err, sizeof(err), &need_privilege))
		return true;
	if (need_privilege) {
		p->unprivileged = true;
		return true;
	}
	fprintf(stderr, "ecmptrace: %s\n", err);
	return false;
}

/*
 * The host is the first balancer: its routing table (rtnetlink, asked with
 * no privilege) says over how many next hops.  Then each flow must leave
 * by the next hop a connection on its ports would take; next hops that
 * share an interface are reached with frames on the packet socket opened
 * before the drop (net_frames_reserve), which is closed when not needed.
 */
static void follow_host_balancing(struct net *net, struct plan *p)
{
	bool shared_interface = false;
	char err[512];

	p->cfg.first_hop_fanout = route_first_hop_fanout(&p->dst, &shared_interface);
	if (p->cfg.first_hop_fanout <= 1 || p->cfg.proto == PROBE_ICMP) {
		net_frames_release(net);
		return;
	}
	/* Next hops on one interface: choosing the interface cannot choose them. */
	if (!net_steer_enable(net, shared_interface, err, sizeof(err)))
		snprintf(p->warning, sizeof(p->warning), "ecmptrace: warning: this host balances "
			 "over %d next hops, but probes cannot follow its choice per flow "
			 "(%s); the first hop may differ from a real connection's\n",
			 p->cfg.first_hop_fanout, err);
	fputs(p->warning, stderr);
}

/* Asking neighbours for their MAC is part of the picture, not a condition of it. */
static void open_link_check(struct net *net, struct plan *p)
{
	char err[512];

	p->cfg.link_check = p->o.link_check && net_neighbours_enable(net, err, sizeof(err));
	if (p->o.link_check && !p->cfg.link_check)
		fprintf(stderr, "ecmptrace: warning: no link-layer check: %s\n", err);
}

/* Every privilege goes, then the seccomp filter closes what is left.  False: said why. */
static bool drop_privileges(void)
{
	char err[512];

	if (privdrop_all(err, sizeof(err)) && sandbox_enter(err, sizeof(err)))
		return true;
	fprintf(stderr, "ecmptrace: %s\n", err);
	return false;
}

/* Runs the chosen face over a new engine and transport tr; the exit status. */
static int trace(struct transport *tr, struct plan *p)
{
	struct resolver *res = NULL;
	struct namer names;
	const struct namer *nm = NULL;
	struct engine *e;
	char err[512], started[40];
	/* Said in the JSON faces beside the target (unprivileged.h). */
	const char *const *unavailable = p->unprivileged ? unprivileged_unavailable(p->cfg.proto)
							 : NULL;
	int rc;

	e = engine_new(&p->cfg, err, sizeof(err));
	if (e == NULL)
		return usage_error(err);
	if (!p->o.numeric || p->face == FACE_CURSES)
		res = resolver_new();
	if (res != NULL) {
		names = resolver_namer(res);
		nm = &names;
	}
	rfc3339_now(started, sizeof(started));
	if (p->face == FACE_CURSES)
		rc = run_live(tr, e, &p->o, &p->dst, nm, started);
	else if (p->face == FACE_JSON_STREAM)
		rc = run_stream(tr, e, &p->o, p->o.numeric ? NULL : nm, unavailable);
	else
		rc = run_batch(tr, e, p->face, &p->o, p->o.numeric ? NULL : nm, started,
			       unavailable);
	engine_free(e);
	resolver_free(res);
	return rc;
}

/*
 * Without CAP_NET_RAW: what is not available is said once, privileges
 * (if any) are dropped all the same, and the probes go on ordinary
 * sockets (net/dgram_transport.h).
 */
static int trace_unprivileged(struct plan *p)
{
	struct dgram_transport *dt;
	char err[512];
	int rc;

	rc = unprivileged_plan(&p->o, p->argv0, &p->dst, &p->cfg, p->warning,
			       sizeof(p->warning), err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		return rc;
	}
	fputs(p->warning, stderr);
	if (!drop_privileges())
		return 1;
	dt = dgram_transport_new(p->cfg.proto, &p->dst, p->cfg.timeout_us, err, sizeof(err));
	if (dt == NULL) {
		fprintf(stderr, "ecmptrace: %s; or grant CAP_NET_RAW ('sudo setcap "
			"cap_net_raw+ep %s')\n", err, p->argv0);
		return 1;
	}
	rc = trace(dgram_transport_get(dt), p);
	dgram_transport_free(dt);
	if (p->face == FACE_CURSES)
		fputs(p->warning, stderr);
	return rc;
}

int main(int argc, char **argv)
{
	struct plan p = {.warning = ""};
	struct net_transport nt;
	struct net net;
	int rc = 0;

	if (!standard_fds_open())
		return 1;
	if (!parse_command_line(argc, argv, &p.o, &rc))
		return rc;
	rc = plan_run(&p);
	if (rc != 0)
		return rc;
	p.argv0 = argv[0];
	/* Everything that needs privilege happens here, and nothing else does. */
	if (!open_network(&net, &p))
		return 1;
	if (p.unprivileged)
		return trace_unprivileged(&p);
	net_frames_reserve(&net, p.cfg.proto);
	open_link_check(&net, &p);
	if (!drop_privileges()) {
		net_close(&net);
		return 1;
	}
	/* Then what needs none: the routing table, asked under the seccomp filter. */
	follow_host_balancing(&net, &p);
	p.cfg.src = net.src;
	net_transport_init(&nt, &net);
	rc = trace(&nt.transport, &p);
	net_close(&net);
	/* The live view covered the screen the warning was written on. */
	if (p.face == FACE_CURSES)
		fputs(p.warning, stderr);
	return rc;
}
