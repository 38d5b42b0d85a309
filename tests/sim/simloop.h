/*
 * simloop: the simulated network (simnet) as the event loop's transport
 * (src/transport.h), with a virtual clock (src/clock.h), so the program's
 * own loop (src/run.c) runs against it without sockets and without root.
 * Time moves only when the loop waits, straight to the wake-up it asked
 * for or to the next thing that arrives, whichever comes first.
 *
 * Neighbour questions (the link-layer check) are answered by the routers
 * one hop from the source: each link-layer address the node has
 * (lladdrs) claims its IP claim_delay_us after the question, and the
 * first is in this host's neighbour table.
 */
#ifndef ECMPTRACE_TESTS_SIM_SIMLOOP_H
#define ECMPTRACE_TESTS_SIM_SIMLOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "simnet.h"
#include "transport.h"

#define SIMLOOP_MAX_CLAIMS 64
#define SIMLOOP_MAX_QUESTIONS 64

/* A claim on its way, or a question asked. */
struct simloop_claim {
	uint64_t at;
	struct ip_addr addr;
	uint8_t lladdr[6];
};

/* Hooks a harness sets (all may be NULL); ctx is hook_ctx. */
struct simloop_hooks {
	/* Each probe sent, with what the network did with it. */
	void (*sent)(void *ctx, const struct probe_spec *p, enum simnet_fate fate, uint64_t now_us);
	/* Before and after what is due at now_us is delivered (each wait's end). */
	void (*before_receive)(void *ctx, uint64_t now_us);
	void (*after_receive)(void *ctx, uint64_t now_us);
	/* May bring a wait's end (until_us, after now_us) earlier; returns the new end. */
	uint64_t (*clamp)(void *ctx, uint64_t now_us, uint64_t until_us);
	void *ctx;
};

struct simloop {
	struct simnet *net;
	/*
	 * NULL, or a second network with a destination of its own: probes to
	 * it go there (one process, two targets, each behind its own paths).
	 */
	struct simnet *net2;
	uint64_t now_us;		/* the virtual clock */
	volatile sig_atomic_t stop;	/* the loop's stop flag (run_env.stop) */
	bool link_check;		/* neighbour questions offered (simloop_link_check) */
	uint64_t claim_delay_us;	/* a question's claims arrive this much later */
	bool no_claims;			/* the neighbours stay silent */
	uint64_t max_waits;		/* the loop is stopped after this many waits (a spin) */
	struct simloop_hooks hooks;
	/* what happened */
	uint64_t send_calls;		/* transport sends (batches) */
	uint64_t probes;		/* probes in them */
	int largest_batch;
	uint64_t waits;			/* waits that were not just a look after a send */
	uint64_t stale_waits;		/* of those, ending at or before now (nudged by 1 us) */
	uint64_t delivered;		/* replies handed to the loop */
	uint64_t match[8];		/* what the engines made of them (enum match_result) */
	uint64_t claims_delivered;
	struct simloop_claim questions[SIMLOOP_MAX_QUESTIONS];	/* at: when asked */
	int nquestions;
	/* state */
	bool sent;			/* a send since the last wait */
	struct simloop_claim claims[SIMLOOP_MAX_CLAIMS];
	int nclaims;
	struct transport transport;
	struct run_clock clock;
};

/* Sets up sl over net, the clock at start_us, without neighbour questions. */
void simloop_init(struct simloop *sl, struct simnet *net, uint64_t start_us);
/* Offers neighbour questions (the program does only with the link-layer check's sockets). */
void simloop_link_check(struct simloop *sl, bool on);

#endif
