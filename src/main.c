/*
 * ecmptrace start-up: parse options, resolve the targets (fleet.c), open
 * the raw socket, the capture and the link-layer check's sockets (one of
 * each for every target), drop every privilege and enter the seccomp
 * sandbox, ask the routing table (per-flow steering), then run the chosen
 * face (live view, text report, JSON) over one engine per target with the
 * event loop.  Exit status: 0 done, 1 runtime error
 * (including missing privilege), 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "face/json.h"
#include "face/json_stream.h"
#include "face/report.h"
#include "face/tui.h"
#include "fleet.h"
#include "net/net.h"
#include "net/net_transport.h"
#include "net/privdrop.h"
#include "net/sandbox.h"
#include "net/aslookup.h"
#include "net/resolve.h"
#include "net/route.h"
#include "net/source.h"
#include "options.h"
#include "run.h"

#define EXIT_USAGE 2

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
 * Runs the event loop over the kernel's network with the monotonic clock,
 * every target's engine in it.  SIGINT, SIGTERM and SIGHUP (a closed
 * terminal, a supervisor's hang-up) end it the same way, results kept: 1.
 * 0 done, -1 error (said here).
 */
static int loop_over_network(struct net_transport *nt, struct run_engine *engines, int n)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct run_env env = {.transport = &nt->transport, .clock = clock_monotonic(),
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
	return rc;
}

/* What start-up decided: the options, the targets and their engines, the face. */
struct plan {
	struct options o;
	struct fleet f;
	struct net_source source;	/* -I, -a, -M, checked against this host */
	const struct namer *asn;	/* -z: origin AS per address (NULL: off) */
	enum face face;
	char warning[700];	/* said again after the live view, which covers it */
};

/* One run_engine per target, each with faces[i] (faces NULL: none); NULL when out of memory. */
static struct run_engine *engines_of(const struct plan *p, const struct run_face *faces)
{
	struct run_engine *re = calloc((size_t)p->f.n, sizeof(*re));

	if (re == NULL) {
		fprintf(stderr, "ecmptrace: out of memory\n");
		return NULL;
	}
	for (int i = 0; i < p->f.n; i++)
		re[i] = (struct run_engine){.e = p->f.t[i].e, .face = faces ? &faces[i] : NULL};
	return re;
}

/* Prints every target's report, one after another. */
static bool print_reports(const struct plan *p, const struct namer *names, const char *started)
{
	for (int i = 0; i < p->f.n; i++) {
		const struct target_run *t = &p->f.t[i];
		struct results *r = results_with_findings(engine_results(t->e, clock_monotonic_us()));
		struct report_options ro = {.target_name = t->name, .started = started,
					    .wide = p->o.report_wide, .namer = names,
					    .mpls = p->o.mpls, .asn = p->asn};

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
static int run_live_faces(struct net_transport *nt, struct plan *p, struct tui *t)
{
	struct run_face *faces = calloc((size_t)p->f.n, sizeof(*faces));
	struct run_engine *re = NULL;
	int rc = -1;

	if (faces == NULL)
		return -1;
	for (int i = 0; i < p->f.n; i++) {
		/* Every target's face reads the one terminal: the loop reads it once a turn. */
		faces[i] = (struct run_face){.tick = tui_target_tick, .tick_us = 200000,
					     .input_fd = STDIN_FILENO,
					     .on_input = tui_target_input};
		faces[i].ctx = tui_add_target(t, p->f.t[i].name, &p->f.t[i].dst, p->f.t[i].e);
		if (faces[i].ctx == NULL)
			goto out;
	}
	re = engines_of(p, faces);
	if (re != NULL)
		rc = loop_over_network(nt, re, p->f.n);
out:
	free(re);
	free(faces);
	return rc;
}

static int run_live(struct net_transport *nt, struct plan *p, const struct namer *names,
		    const char *started)
{
	struct tui_options to = {.target_name = p->f.t[0].name, .target = p->f.t[0].dst,
				 .numeric = p->o.numeric, .namer = names, .mpls = p->o.mpls,
				 .asn = p->asn};
	struct run_face face = {.tick = tui_tick, .tick_us = 200000, .input_fd = STDIN_FILENO,
				.on_input = tui_input};
	struct run_engine one = {.e = p->f.t[0].e, .face = &face};
	char err[256];
	struct tui *t;
	int rc;

	t = tui_open(&to, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		return 1;
	}
	face.ctx = t;
	rc = p->f.n == 1 ? loop_over_network(nt, &one, 1) : run_live_faces(nt, p, t);
	tui_close(t);
	if (rc < 0)
		return 1;
	if (p->o.report_on_exit && !print_reports(p, p->o.numeric ? NULL : names, started))
		return 1;
	return finish_stdout(0);
}

/* The streams' ends and their first write error (0: none). */
static int end_streams(const struct plan *p, struct json_stream **s, int rc)
{
	int werr = 0;

	for (int i = 0; i < p->f.n; i++) {
		if (s[i] == NULL)
			continue;
		json_stream_end(s[i], p->f.t[i].e, clock_monotonic_us(),
				rc == 1 ? "signal" : rc < 0 ? "error" : "done");
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

/* One stream per target on stdout; with several, each of its events names its target. */
static int run_stream(struct net_transport *nt, struct plan *p, const struct namer *names)
{
	struct json_stream **s = calloc((size_t)p->f.n, sizeof(*s));
	struct run_face *faces = calloc((size_t)p->f.n, sizeof(*faces));
	struct run_engine *re = NULL;
	int rc = -1, werr;

	/* A reader that goes away ends the run through ferror(), not a signal. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; s != NULL && faces != NULL && i < p->f.n; i++) {
		struct json_options jo = {.target_name = p->f.t[i].name, .namer = names,
					  .asn = p->asn, .every_event_target = p->f.n > 1};

		s[i] = json_stream_new(stdout, &jo);
		if (s[i] == NULL)
			break;
		faces[i] = (struct run_face){.ctx = s[i], .tick = json_stream_tick,
					     .tick_us = stream_tick_us(p->f.n), .input_fd = -1};
		if (i == p->f.n - 1)
			re = engines_of(p, faces);
	}
	if (re == NULL)
		fprintf(stderr, "ecmptrace: out of memory\n");
	else
		rc = loop_over_network(nt, re, p->f.n);
	werr = s != NULL ? end_streams(p, s, rc) : 0;
	free(re);
	free(faces);
	free(s);
	/* A reader that went away (| head) is the usual end of a stream, not a failure. */
	if (werr == EPIPE)
		return rc < 0 ? 1 : 0;
	if (werr != 0)
		return write_error(werr);
	return finish_stdout(rc < 0 ? 1 : 0);
}

/* -j: one target's document as it always was; several: a document of documents. */
static bool print_json(const struct plan *p, const struct namer *names, const char *started,
		       const char *finished)
{
	struct results **r = calloc((size_t)p->f.n, sizeof(*r));
	struct json_options *jo = calloc((size_t)p->f.n, sizeof(*jo));
	bool ok = r != NULL && jo != NULL;

	for (int i = 0; ok && i < p->f.n; i++) {
		r[i] = results_with_findings(engine_results(p->f.t[i].e, clock_monotonic_us()));
		jo[i] = (struct json_options){.target_name = p->f.t[i].name, .started = started,
					      .finished = finished, .namer = names, .asn = p->asn};
		ok = r[i] != NULL;
	}
	if (ok)
		ok = p->f.n == 1 ? json_print_report(stdout, r[0], &jo[0])
				 : json_print_reports(stdout, (const struct results *const *)r, jo,
						      p->f.n);
	for (int i = 0; r != NULL && i < p->f.n; i++)
		results_free(r[i]);
	free(r);
	free(jo);
	if (!ok)
		fprintf(stderr, "ecmptrace: out of memory\n");
	return ok;
}

static int run_batch(struct net_transport *nt, struct plan *p, const struct namer *names,
		     const char *started)
{
	struct run_engine *re = engines_of(p, NULL);
	char finished[40];
	bool ok;
	int rc;

	if (re == NULL)
		return 1;
	rc = loop_over_network(nt, re, p->f.n);
	free(re);
	if (rc < 0)
		return 1;
	rfc3339_now(finished, sizeof(finished));
	if (p->face == FACE_JSON)
		ok = print_json(p, names, started, finished);
	else
		ok = print_reports(p, names, started);
	return finish_stdout(ok ? 0 : 1);
}

/* Parses the command line; false with the exit status in *rc when there is nothing to run. */
static bool parse_command_line(int argc, char **argv, struct options *o, int *rc)
{
	char err[512];

	options_defaults(o);
	switch (options_parse_env(getenv(OPTIONS_ENV), argc, argv, o, err, sizeof(err))) {
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
 * Resolves the targets and turns the options into their engines'
 * configurations.  This comes before the sockets are opened, not after
 * the privileges are dropped, because what is opened depends on the
 * targets: the raw socket's family, the source addresses the capture's
 * filter lets answers to, the neighbour sockets' family and link (a
 * link-local IPv6 target's zone).  An unknown host is a usage error (2)
 * whoever runs it.
 */
static int plan_run(struct plan *p)
{
	int rc = fleet_plan(&p->f, &p->o);

	if (rc != 0)
		return rc;
	/* A mistyped interface or address is the user's, whoever runs it: no privilege asked. */
	snprintf(p->source.ifname, sizeof(p->source.ifname), "%s", p->o.interface);
	p->source.addr = p->o.source;
	p->source.mark = p->o.mark;
	p->source.mark_set = p->o.mark_set;
	for (int i = 0; i < p->f.n; i++) {
		char err[512];

		if (!source_check(&p->source, &p->f.t[i].dst, err, sizeof(err)))
			return usage_error(err);
	}
	p->face = pick_face(&p->o);
	for (int i = 0; i < p->f.n; i++) {
		struct engine_config *c = &p->f.t[i].cfg;

		if (!p->o.count_set && (p->face == FACE_CURSES || p->face == FACE_JSON_STREAM))
			c->rounds = 0;
		else
			c->rounds = p->o.count;
	}
	return 0;
}

/* Names target i in a message when there are several. */
static void say_which(const struct plan *p, int i, char *err, size_t errlen)
{
	char why[512];

	if (p->f.n == 1)
		return;
	snprintf(why, sizeof(why), "%s", err);
	/* Cut short when long: a message to read. */
	if (snprintf(err, errlen, "%s: %s", p->f.t[i].name, why) < 0)
		err[0] = '\0';
}

/*
 * The raw sockets and the capture: the privileged part, one capture and
 * one raw socket per family for every target (the first target's family
 * is the network's own: steering and the link-layer check serve it).
 * False when they cannot be opened (said).
 */
static bool open_network(struct net *net, struct plan *p, const char *argv0)
{
	char err[512];
	bool need_privilege;

	if (!net_open(net, &p->f.t[0].dst, p->f.t[0].cfg.proto, &p->source, err, sizeof(err),
		      &need_privilege)) {
		if (need_privilege)
			fprintf(stderr, "ecmptrace: %s: raw sockets and packet capture need "
				"CAP_NET_RAW; run as root or grant it once with "
				"'sudo setcap cap_net_raw+ep %s'\n", err, argv0);
		else
			fprintf(stderr, "ecmptrace: %s\n", err);
		return false;
	}
	for (int i = 0; i < p->f.n; i++) {
		struct target_run *t = &p->f.t[i];

		if (!net_add_target(net, &t->dst, t->cfg.proto, &t->cfg.src, err, sizeof(err))) {
			say_which(p, i, err, sizeof(err));
			fprintf(stderr, "ecmptrace: %s\n", err);
			net_close(net);
			return false;
		}
	}
	return true;
}

/* The protocol the packet socket for steering is kept for: any that is steered (not ICMP). */
static enum probe_proto steered_proto(const struct plan *p)
{
	for (int i = 0; i < p->f.n; i++)
		if (p->f.t[i].cfg.proto != PROBE_ICMP)
			return p->f.t[i].cfg.proto;
	return PROBE_ICMP;
}

/*
 * The host is the first balancer: its routing table (rtnetlink, asked with
 * no privilege) says over how many next hops, for each target.  Then each
 * flow must leave by the next hop a connection on its ports would take;
 * next hops that share an interface are reached with frames on the packet
 * socket opened before the drop (net_frames_reserve), which is closed when
 * not needed.
 */
static void follow_host_balancing(struct net *net, struct plan *p)
{
	bool shared_interface = false, steer = false, other_family = false;
	int fanout = 0;
	char err[512];

	/*
	 * A chosen interface, address or mark is the user's way out: probes
	 * keep it, and the routing table asked without it cannot say how many
	 * next hops are left, so TTL 1 is explored like any other hop.
	 */
	if (source_chosen(&p->source)) {
		for (int i = 0; i < p->f.n; i++)
			p->f.t[i].cfg.first_hop_fanout = 0;
		net_frames_release(net);
		return;
	}
	for (int i = 0; i < p->f.n; i++) {
		struct engine_config *c = &p->f.t[i].cfg;
		bool shared = false;

		c->first_hop_fanout = route_first_hop_fanout(&c->dst, &shared);
		if (c->first_hop_fanout <= 1 || c->proto == PROBE_ICMP)
			continue;
		/* The other family's probes take the raw socket's route (net.h). */
		if (c->dst.family != p->f.t[0].dst.family) {
			other_family = true;
			continue;
		}
		steer = true;
		shared_interface = shared_interface || shared;
		if (c->first_hop_fanout > fanout)
			fanout = c->first_hop_fanout;
	}
	if (other_family)
		fprintf(stderr, "ecmptrace: warning: this host balances its IPv%d targets over "
			"several next hops itself, but only the IPv%d targets' probes follow its "
			"choice per flow; their first hop may differ from a real connection's\n",
			p->f.t[0].dst.family == AF_INET ? 6 : 4,
			p->f.t[0].dst.family == AF_INET ? 4 : 6);
	if (!steer) {
		net_frames_release(net);
		return;
	}
	/* Next hops on one interface: choosing the interface cannot choose them. */
	if (!net_steer_enable(net, shared_interface, err, sizeof(err)))
		snprintf(p->warning, sizeof(p->warning), "ecmptrace: warning: this host balances "
			 "over %d next hops, but probes cannot follow its choice per flow "
			 "(%s); the first hop may differ from a real connection's\n",
			 fanout, err);
	fputs(p->warning, stderr);
}

/* Asking neighbours for their MAC is part of the picture, not a condition of it. */
static void open_link_check(struct net *net, struct plan *p)
{
	char err[512];
	bool on = p->o.link_check && net_neighbours_enable(net, err, sizeof(err));

	if (p->o.link_check && !on)
		fprintf(stderr, "ecmptrace: warning: no link-layer check: %s\n", err);
	/* Its sockets are of the network's family (the first target's). */
	for (int i = 0; i < p->f.n; i++)
		p->f.t[i].cfg.link_check = on && p->f.t[i].dst.family == p->f.t[0].dst.family;
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

/* An engine for every target; false (said, exit status 2) when one cannot be made. */
static bool make_engines(struct plan *p)
{
	char err[512];

	for (int i = 0; i < p->f.n; i++) {
		p->f.t[i].e = engine_new(&p->f.t[i].cfg, err, sizeof(err));
		if (p->f.t[i].e == NULL) {
			say_which(p, i, err, sizeof(err));
			usage_error(err);
			return false;
		}
	}
	return true;
}

static void free_engines(struct plan *p)
{
	for (int i = 0; i < p->f.n; i++) {
		engine_free(p->f.t[i].e);
		p->f.t[i].e = NULL;
	}
}

/* Runs the chosen face over the targets' engines; the exit status. */
static int trace(struct net *net, struct plan *p)
{
	struct net_transport nt;
	struct resolver *res = NULL, *as_res = NULL;
	struct namer names, as_names;
	const struct namer *nm = NULL;
	char started[40];
	int rc;

	if (!make_engines(p)) {
		free_engines(p);
		return EXIT_USAGE;
	}
	net_transport_init(&nt, net);
	if (!p->o.numeric || p->face == FACE_CURSES)
		res = resolver_new();
	if (res != NULL) {
		names = resolver_namer(res);
		nm = &names;
	}
	/* -z: asked like the names, on a worker thread, never on the probing path. */
	if (p->o.aslookup)
		as_res = aslookup_new();
	if (as_res != NULL) {
		as_names = resolver_namer(as_res);
		p->asn = &as_names;
	}
	rfc3339_now(started, sizeof(started));
	if (p->face == FACE_CURSES)
		rc = run_live(&nt, p, nm, started);
	else if (p->face == FACE_JSON_STREAM)
		rc = run_stream(&nt, p, p->o.numeric ? NULL : nm);
	else
		rc = run_batch(&nt, p, p->o.numeric ? NULL : nm, started);
	free_engines(p);
	resolver_free(res);
	resolver_free(as_res);
	p->asn = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	struct plan p = {.warning = ""};
	struct net net;
	int rc = 0;

	if (!standard_fds_open())
		return 1;
	if (!parse_command_line(argc, argv, &p.o, &rc))
		return rc;
	rc = plan_run(&p);
	/* Everything that needs privilege happens here, and nothing else does. */
	if (rc != 0 || !open_network(&net, &p, argv[0])) {
		fleet_free(&p.f);
		return rc != 0 ? rc : 1;
	}
	net_frames_reserve(&net, steered_proto(&p));
	open_link_check(&net, &p);
	if (!drop_privileges()) {
		net_close(&net);
		fleet_free(&p.f);
		return 1;
	}
	/* Then what needs none: the routing table, asked under the seccomp filter. */
	follow_host_balancing(&net, &p);
	rc = trace(&net, &p);
	net_close(&net);
	fleet_free(&p.f);
	/* The live view covered the screen the warning was written on. */
	if (p.face == FACE_CURSES)
		fputs(p.warning, stderr);
	return rc;
}
