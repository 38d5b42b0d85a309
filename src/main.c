/*
 * ecmptrace start-up: parse options, resolve the targets (fleet.c, in an
 * unprivileged child: net/resolve_apart.h), open
 * the raw socket, the capture and the link-layer check's sockets (one of
 * each for every target), drop every privilege and enter the seccomp
 * sandbox, ask the routing table (per-flow steering), then run the chosen
 * face (outputs.c) over one engine per target with the event loop.  Exit status: 0 done, 1 runtime error
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
#include "engine/engine.h"
#include "fleet.h"
#include "face/textfile.h"
#include "net/listener.h"
#include "net/net.h"
#include "net/net_transport.h"
#include "net/privdrop.h"
#include "net/sandbox.h"
#include "net/aslookup.h"
#include "net/resolve.h"
#include "net/route.h"
#include "net/source.h"
#include "options.h"
#include "outputs.h"
#include "unprivileged.h"

#define EXIT_USAGE 2

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

/* What start-up decided: the options, the targets and their engines, the face. */
struct plan {
	struct options o;
	struct fleet f;
	struct net_source source;	/* -I, -a, -M, checked against this host */
	enum face face;
	char warning[700];	/* said again after the live view, which covers it */
	int listen_fd;		/* --listen's socket, or -1 (the exporter takes it) */
	struct textfile *textfile;	/* --textfile's directory, or NULL (likewise) */
	bool unprivileged;	/* ordinary sockets, no raw socket (unprivileged.h) */
	const char *argv0;	/* the program as run, for the setcap hint */
};

/* Parses the command line; false with the exit status in *rc when there is nothing to run. */
static bool parse_command_line(int argc, char **argv, struct options *o, int *rc)
{
	char err[512];

	options_defaults(o);
	switch (options_parse_env(getenv(OPTIONS_ENV), argc, argv, o, err, sizeof(err))) {
	case OPTIONS_HELP:
		options_usage(stdout);
		*rc = outputs_finish_stdout(0);
		return false;
	case OPTIONS_VERSION:
		printf("ecmptrace %s\n", PACKAGE_VERSION);
		*rc = outputs_finish_stdout(0);
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
 * the privileges are dropped (the names are resolved by a child that has
 * dropped them: net/resolve_apart.h), because what is opened depends on the
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

		if (!p->o.count_set && (p->face == FACE_CURSES || p->face == FACE_JSON_STREAM ||
					p->face == FACE_EXPORTER))
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
 * Without the privilege (or with --unprivileged) the run goes on over
 * ordinary sockets: p->unprivileged.  False when neither can be (said).
 */
static bool open_network(struct net *net, struct plan *p)
{
	char err[512];
	bool need_privilege;

	if (p->o.unprivileged) {
		p->unprivileged = true;
		return true;
	}
	if (!net_open(net, &p->f.t[0].dst, p->f.t[0].cfg.proto, &p->source, err, sizeof(err),
		      &need_privilege)) {
		p->unprivileged = need_privilege;
		if (!need_privilege)
			fprintf(stderr, "ecmptrace: %s\n", err);
		return need_privilege;
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

/*
 * --listen's socket and --textfile's directory: opened while privileged
 * (a port below 1024; the sandbox opens no listening socket and writes
 * only in that directory).  False: said why.
 */
static bool open_exporter(struct plan *p)
{
	char err[512];

	p->listen_fd = -1;
	if (p->o.listen_port != 0)
		p->listen_fd = listener_open(p->o.listen_addr, p->o.listen_port, err, sizeof(err));
	if (p->o.listen_port != 0 && p->listen_fd < 0) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		return false;
	}
	if (p->o.textfile != NULL && (p->textfile = textfile_open(p->o.textfile, err,
								 sizeof(err))) == NULL) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		if (p->listen_fd >= 0)
			close(p->listen_fd);
		return false;
	}
	return true;
}

/* Every privilege goes, then the seccomp filter closes what is left.  False: said why. */
static bool drop_privileges(const struct plan *p)
{
	char err[512];
	int dirfd = p->textfile ? textfile_dir_fd(p->textfile) : -1;

	if (privdrop_all(err, sizeof(err)) && sandbox_enter_writing(dirfd, err, sizeof(err)))
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
static int trace(struct transport *tr, struct plan *p)
{
	struct resolver *res = NULL, *as_res = NULL;
	struct namer names, as_names;
	struct outputs out = {.o = &p->o, .f = &p->f, .face = p->face,
			      .listen_fd = p->listen_fd, .textfile = p->textfile};
	int rc;

	if (!make_engines(p)) {
		free_engines(p);
		return EXIT_USAGE;
	}
	/* Said in the JSON faces beside the target (unprivileged.h). */
	if (p->unprivileged)
		out.unavailable = unprivileged_unavailable(p->f.t[0].cfg.proto);
	if (!p->o.numeric || p->face == FACE_CURSES)
		res = resolver_new();
	if (res != NULL) {
		names = resolver_namer(res);
		out.names = &names;
	}
	/* -z: asked like the names, on a worker thread, never on the probing path. */
	if (p->o.aslookup)
		as_res = aslookup_new();
	if (as_res != NULL) {
		as_names = resolver_namer(as_res);
		out.asn = &as_names;
	}
	/* The exporter owns them now. */
	p->listen_fd = -1;
	p->textfile = NULL;
	rc = outputs_run(tr, &out);
	free_engines(p);
	resolver_free(res);
	resolver_free(as_res);
	return rc;
}

/*
 * Without CAP_NET_RAW (or with --unprivileged): every privilege is
 * dropped all the same, and the probes go on ordinary sockets, one
 * datagram transport per target (net/dgram_transport.h), shown to the
 * loop as one (net/dgram_fleet.h).
 */
static int trace_unprivileged(struct plan *p)
{
	struct dgram_fleet *un;
	char err[512];
	int rc = unprivileged_plan_all(&p->o, p->argv0, &p->f, p->warning, sizeof(p->warning), err,
				       sizeof(err));

	if (rc != 0) {
		fprintf(stderr, "ecmptrace: %s\n", err);
		return rc;
	}
	fputs(p->warning, stderr);
	if (!open_exporter(p) || !drop_privileges(p))
		return 1;
	un = unprivileged_open(&p->f, err, sizeof(err));
	if (un == NULL) {
		fprintf(stderr, "ecmptrace: %s; or grant CAP_NET_RAW ('sudo setcap "
			"cap_net_raw+ep %s')\n", err, p->argv0);
		return 1;
	}
	rc = trace(dgram_fleet_get(un), p);
	dgram_fleet_free(un);
	if (p->face == FACE_CURSES)
		fputs(p->warning, stderr);
	return rc;
}

int main(int argc, char **argv)
{
	struct plan p = {.warning = "", .listen_fd = -1};
	struct net_transport nt;
	struct net net;
	int rc = 0;

	if (!standard_fds_open())
		return 1;
	if (!parse_command_line(argc, argv, &p.o, &rc))
		return rc;
	rc = plan_run(&p);
	p.argv0 = argv[0];
	/* Everything that needs privilege happens here, and nothing else does. */
	if (rc != 0 || !open_network(&net, &p)) {
		fleet_free(&p.f);
		return rc != 0 ? rc : 1;
	}
	if (p.unprivileged) {
		rc = trace_unprivileged(&p);
		fleet_free(&p.f);
		return rc;
	}
	if (!open_exporter(&p)) {
		net_close(&net);
		fleet_free(&p.f);
		return 1;
	}
	net_frames_reserve(&net, steered_proto(&p));
	open_link_check(&net, &p);
	if (!drop_privileges(&p)) {
		net_close(&net);
		fleet_free(&p.f);
		return 1;
	}
	/* Then what needs none: the routing table, asked under the seccomp filter. */
	follow_host_balancing(&net, &p);
	net_transport_init(&nt, &net);
	rc = trace(&nt.transport, &p);
	net_close(&net);
	fleet_free(&p.f);
	/* The live view covered the screen the warning was written on. */
	if (p.face == FACE_CURSES)
		fputs(p.warning, stderr);
	return rc;
}
