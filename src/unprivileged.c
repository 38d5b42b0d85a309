/*
 * Planning an unprivileged run (see unprivileged.h).  Every flow holds a
 * socket (TCP: while a probe is in flight), so the flow count is bounded
 * by the descriptors the process may open; the soft limit is raised
 * towards the hard one first, which needs no privilege.
 */
#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include "net/rawsock.h"
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

int unprivileged_plan(const struct options *o, const char *argv0, const struct ip_addr *dst,
		      struct engine_config *c, char *say, size_t saylen, char *err, size_t errlen)
{
	long room;

	/* One socket per flow: two flows cannot share a source port. */
	if (!(c->vary & VARY_SPORT)) {
		snprintf(err, errlen, "--vary label needs raw sockets: without CAP_NET_RAW "
			 "each flow needs a source port of its own");
		return 2;
	}
	room = fd_room((long)(c->adaptive ? c->max_flows : c->nflows) + SPARE_FDS) - SPARE_FDS;
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
	if (!rawsock_source_for(dst, &c->src, err, errlen))
		return 1;
	say_unavailable(o, c, argv0, say, saylen);
	return 0;
}

const char *const *unprivileged_unavailable(enum probe_proto proto)
{
	static const char *const all[] = {"link_check", "next_hop_frames", "short_quotes",
					  NULL, NULL};
	static const char *const tcp[] = {"link_check", "next_hop_frames", "short_quotes",
					  "parallel_tcp", "pmtu", NULL};

	return proto == PROBE_TCP ? tcp : all;
}
