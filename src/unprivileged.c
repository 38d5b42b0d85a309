/*
 * Planning an unprivileged run (see unprivileged.h).  Every flow holds a
 * socket (TCP: while a probe is in flight), so the flow count is bounded
 * by the descriptors the process may open; the soft limit is raised
 * towards the hard one first, which needs no privilege.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "net/dgram_fleet.h"
#include "net/dgram_transport.h"
#include "net/source.h"
#include "unprivileged.h"

/* Descriptors kept for everything else: standard streams, name lookups, epoll. */
#define SPARE_FDS 64
/* Fewest flows worth running. */
#define MIN_FLOWS 8

/* The descriptors this process may hold, raised towards what wanted flows need. */
static long fd_room(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max > want
			    ? (rlim_t)want : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return 1024;
	}
	return rl.rlim_cur == RLIM_INFINITY ? want : (long)rl.rlim_cur;
}

static void say_unavailable(const struct options *o, const struct engine_config *c,
			    const char *argv0, char *say, size_t saylen)
{
	snprintf(say, saylen,
		 "ecmptrace: %s: probing on ordinary sockets (unprivileged mode)\n"
		 "ecmptrace: not available without CAP_NET_RAW: the link-layer check (ARP/ND);"
		 " frames to the host's own next hops (each flow's socket follows the kernel's"
		 " route); answers quoting less than a probe's payload (old IPv4 routers)%s\n"
		 "ecmptrace: for all of it: sudo setcap cap_net_raw+ep %s\n",
		 o->unprivileged ? "--unprivileged" : "raw sockets are not allowed",
		 c->proto == PROBE_TCP ? "; a second TCP probe of a flow while one is out (it"
		 " waits its turn); the path MTU (a SYN with data)" : "", argv0);
}

/*
 * Fits c (configured for dst from o) to ordinary sockets, the descriptors
 * shared by `share` targets; the notice to print ("ecmptrace: ..." lines;
 * argv0 in the setcap hint) in say.  0, or the exit status with a message
 * in err: 2 when the options cannot run without raw sockets, 1 when the
 * target has no route.
 */
static int plan_share(const struct options *o, const char *argv0, const struct ip_addr *dst,
		      struct engine_config *c, int share, char *say, size_t saylen, char *err,
		      size_t errlen)
{
	long room, want = (long)(c->adaptive ? c->max_flows : c->nflows);

	/* One socket per flow: two flows cannot share a source port. */
	if (!(c->vary & VARY_SPORT)) {
		snprintf(err, errlen, "--vary label needs raw sockets: without CAP_NET_RAW "
			 "each flow needs a source port of its own");
		return 2;
	}
	room = (fd_room(want * share + SPARE_FDS) - SPARE_FDS) / share;
	if (room < MIN_FLOWS)
		room = MIN_FLOWS;
	if (c->adaptive && c->max_flows > room)
		c->max_flows = (int)room;
	if (!c->adaptive && c->nflows > room) {
		snprintf(err, errlen, "--flows %d: only %ld sockets may be opened without "
			 "privilege (ulimit -n)", c->nflows, room);
		return 2;
	}
	c->link_check = false;
	c->first_hop_fanout = 0;
	/* A connect() sends a bare SYN: no SYN with data measures the path MTU (engine/pmtu.h). */
	if (c->proto == PROBE_TCP)
		c->pmtu_step = 0;
	/* The errors about a path MTU probe quote part of it: none gets to the engine. */
	c->whole_quotes_only = true;
	if (!source_for(dst, NULL, &c->src, err, errlen))
		return 1;
	say_unavailable(o, c, argv0, say, saylen);
	return 0;
}

int unprivileged_plan_all(const struct options *o, const char *argv0, struct fleet *f, char *say,
			  size_t saylen, char *err, size_t errlen)
{
	if (f->n > 1 && o->sport_base != 0) {
		snprintf(err, errlen, "-L/--source-port with %d targets needs raw sockets: "
			 "without CAP_NET_RAW two targets cannot hold one source port", f->n);
		return 2;
	}
	say[0] = '\0';
	for (int i = 0; i < f->n; i++) {
		char one[1024];
		int rc = plan_share(o, argv0, &f->t[i].dst, &f->t[i].cfg, f->n, one, sizeof(one),
				    err, errlen);
		size_t used = strlen(say);

		if (rc != 0)
			return rc;
		/* The notice is the protocol's: said once for each protocol among the targets. */
		if (strstr(say, one) == NULL)
			snprintf(say + used, saylen - used, "%s", one);
	}
	return 0;
}

/* Each target's transport; the count made in *made. */
static bool open_parts(const struct fleet *f, struct dgram_transport **parts,
		       struct dgram_fleet_key *keys, int *made, char *err, size_t errlen)
{
	for (*made = 0; *made < f->n; (*made)++) {
		const struct target_run *t = &f->t[*made];
		char why[400];

		parts[*made] = dgram_transport_new(t->cfg.proto, &t->dst, t->cfg.timeout_us, why,
						   sizeof(why));
		if (parts[*made] == NULL) {
			snprintf(err, errlen, "%s%s%s", f->n > 1 ? t->name : "", f->n > 1 ? ": " : "",
				 why);
			return false;
		}
		keys[*made] = (struct dgram_fleet_key){.dst = t->dst, .proto = t->cfg.proto,
						       .dport = t->cfg.proto == PROBE_ICMP ? 0
							      : t->cfg.dport};
	}
	return true;
}

struct dgram_fleet *unprivileged_open(const struct fleet *f, char *err, size_t errlen)
{
	struct dgram_transport **parts = calloc((size_t)f->n, sizeof(*parts));
	struct dgram_fleet_key *keys = calloc((size_t)f->n, sizeof(*keys));
	struct dgram_fleet *all = NULL;
	int made = 0;

	if (parts == NULL || keys == NULL)
		snprintf(err, errlen, "out of memory");
	else if (open_parts(f, parts, keys, &made, err, errlen))
		all = dgram_fleet_new(parts, keys, f->n, err, errlen);
	if (all == NULL)
		for (int i = 0; i < made; i++)
			dgram_transport_free(parts[i]);
	free(parts);
	free(keys);
	return all;
}

const char *const *unprivileged_unavailable(enum probe_proto proto)
{
	static const char *const all[] = {"link_check", "next_hop_frames", "short_quotes",
					  NULL, NULL};
	static const char *const tcp[] = {"link_check", "next_hop_frames", "short_quotes",
					  "parallel_tcp", "pmtu", NULL};

	return proto == PROBE_TCP ? tcp : all;
}
