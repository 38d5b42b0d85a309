/*
 * What the event loop (run.h) needs of a network: send a batch of probes,
 * name the descriptors to wait on, hand over what arrived (answers, and
 * link-layer claims for the link-layer check), and ask a neighbour who
 * holds its address.  The program's transport is the kernel's (raw socket,
 * capture, neighbour sockets: net/net_transport.h); the tests' is a
 * simulated network in virtual time (tests/sim/simrun.c).  Time is not the
 * transport's: every call gets "now" from the loop's clock (clock.h).
 */
#ifndef ECMPTRACE_TRANSPORT_H
#define ECMPTRACE_TRANSPORT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/dissect.h"
#include "wire/probe.h"

/*
 * Where a transport delivers what arrived.  reply returns what the loop's
 * engines made of it (an enum match_result, opaque here: the transport
 * does not know the engine); at_us is the arrival time.
 */
struct transport_sink {
	int (*reply)(void *ctx, const struct reply *r, uint64_t at_us);
	/* A message heard on the segment claims addr for lladdr (ARP, Neighbor Advertisement). */
	void (*claim)(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr, size_t len,
		      uint64_t now_us);
	/* Something worth saying once (a transport says each kind once); may be NULL. */
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

/* An entry of this host's neighbour table, read before a question. */
typedef void (*transport_table_fn)(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr,
				   size_t len);

struct transport_ops {
	/*
	 * Sends count probes, now.  Returns how many could not be sent (they
	 * are counted by the engine and time out; sink->warn may say why), or
	 * -1 when one could not even be built (err says why).
	 */
	int (*send)(void *t, const struct probe_spec *probes, int count,
		    const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen);
	/* Fills fds (at most cap) with the descriptors to wait on; returns how many (may be 0). */
	int (*fds)(void *t, struct pollfd *fds, int cap);
	/*
	 * After each wait: hands everything ready to sink (fds as fds() made
	 * them, with revents filled).  -1 with err on a fatal error.
	 */
	int (*receive)(void *t, const struct pollfd *fds, int nfds, const struct transport_sink *sink,
		       uint64_t now_us, char *err, size_t errlen);
	/*
	 * Reads this host's neighbour table (table_fn for each entry on addr's
	 * link), then asks who holds addr.  False: addr cannot be asked.
	 * NULL when the transport has no link-layer check.
	 */
	bool (*ask)(void *t, const struct ip_addr *addr, transport_table_fn table_fn, void *ctx);
};

struct transport {
	const struct transport_ops *ops;
	void *ctx;
};

/* Most probes the loop hands to send() at once. */
#define TRANSPORT_MAX_BATCH 32
/* Most descriptors a transport waits on (fds()'s cap is at least this). */
#define TRANSPORT_MAX_FDS 4

#endif
