/*
 * The event loop (see run.h).  Single-threaded: poll() on the capture and
 * the face's input, with the timeout set by the engine's next wake-up and
 * the face's next tick.  Signals only set a flag; the loop notices it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "net/neighbours.h"
#include "net/net.h"
#include "run.h"
#include "wake.h"
#include "wire/dissect.h"
#include "wire/probe.h"

/* Most probes handed to the kernel in one system call. */
#define SEND_BATCH 32

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

uint64_t run_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void on_packet(void *ctx, const uint8_t *ip, size_t len, uint64_t at,
		      const uint8_t *lladdr, size_t lladdr_len)
{
	struct engine *e = ctx;
	struct reply r;

	/* Anything that does not dissect cleanly is someone else's or garbage: ignore it. */
	if (reply_dissect(ip, len, &r) != DISSECT_OK)
		return;
	if (lladdr_len > 0 && lladdr_len <= sizeof(r.lladdr)) {
		memcpy(r.lladdr, lladdr, lladdr_len);
		r.lladdr_len = (uint8_t)lladdr_len;
	}
	(void)engine_reply(e, &r, at);
}

/* The link-layer check's callbacks: the host's neighbour table, and claims heard. */
struct claim_ctx {
	struct engine *e;
	uint64_t now;
};

static void on_table_entry(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr,
			   size_t len)
{
	engine_neighbour_table(ctx, addr, lladdr, len);
}

static void on_claim(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr, size_t len)
{
	struct claim_ctx *c = ctx;

	engine_neighbour_claim(c->e, addr, lladdr, len, c->now);
}

/* Asks every neighbour the engine wants asked now; *wake is lowered to the next one due. */
static void ask_neighbours(struct net *net, struct engine *e, uint64_t now, uint64_t *wake)
{
	struct ip_addr addr;

	if (net->neighbours == NULL)
		return;
	while (engine_next_neighbour_query(e, now, &addr, wake))
		if (!neighbours_ask(net->neighbours, &addr, on_table_entry, e))
			engine_neighbour_unaskable(e, &addr);
}

/* How long to wait, to the microsecond (pacing above 1000 pps needs better than poll's ms). */
static struct timespec wait_for(uint64_t now, uint64_t until)
{
	uint64_t us = until > now ? until - now : 0;

	if (us > 1000000)
		us = 1000000;	/* wake at least once a second */
	return (struct timespec){.tv_sec = (time_t)(us / 1000000),
				 .tv_nsec = (long)(us % 1000000) * 1000};
}

int run_loop(struct net *net, struct engine *e, const struct run_face *face)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd fds[3];
	uint8_t pkt[SEND_BATCH][PROBE_MAX_LEN], *ptrs[SEND_BATCH];
	size_t lens[SEND_BATCH];
	struct probe_spec specs[SEND_BATCH];	/* what each packet was built from */
	struct net_route routes[SEND_BATCH];	/* ... and how it leaves */
	char err[256];
	uint64_t now, wake = 0, next_tick = 0;
	bool warned = false, warned_source = false;

	for (int i = 0; i < SEND_BATCH; i++)
		ptrs[i] = pkt[i];
	/* No SA_RESTART: poll() must return so the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed terminal or a supervisor's hang-up ends the run the same way: results kept. */
	sigaction(SIGHUP, &sa, NULL);

	for (;;) {
		struct probe_spec probe;
		enum engine_step step;
		int nfds = 1, rc, input = -1, nb = -1;
		uint64_t link_wake = 0;	/* when a neighbour is next due to be asked */

		if (stop_signal)
			return 1;
		now = run_now_us();
		ask_neighbours(net, e, now, &link_wake);
		step = engine_next(e, now, &probe, &wake);
		if (step == ENGINE_SEND) {
			int n = 0;

			/* Everything due now (a burst above 1000 pps) goes in one system call. */
			do {
				if (!net_prepare_probe(net, &probe, &routes[n], err, sizeof(err)) &&
				    !warned_source) {
					fprintf(stderr, "ecmptrace: %s\n", err);
					warned_source = true;
				}
				lens[n] = probe_build(&probe, pkt[n], sizeof(pkt[n]));
				if (lens[n] == 0) {
					fprintf(stderr, "ecmptrace: internal error: probe could not be built\n");
					return -1;
				}
				specs[n] = probe;
				n++;
			} while (n < SEND_BATCH &&
				 engine_next(e, now, &probe, &wake) == ENGINE_SEND);
			if (net_send_batch(net, ptrs, lens, specs, routes, n) > 0 && !warned) {
				/* Those probes are counted and will time out; say why once. */
				fprintf(stderr, "ecmptrace: send: %s\n", strerror(net->last_send_errno));
				warned = true;
			}
			wake = now;	/* look at the capture, then ask again */
		}
		if (step == ENGINE_DONE) {
			if (face && face->tick)
				face->tick(face->ctx, e, now);
			return 0;
		}
		fds[0] = (struct pollfd){.fd = net_fd(net), .events = POLLIN};
		if (net->neighbours != NULL) {
			nb = nfds++;
			fds[nb] = (struct pollfd){.fd = neighbours_fd(net->neighbours), .events = POLLIN};
		}
		if (face && face->input_fd >= 0 && face->on_input) {
			input = nfds++;
			fds[input] = (struct pollfd){.fd = face->input_fd, .events = POLLIN};
		}
		wake = wake_earliest(wake, link_wake);
		if (face && face->tick && next_tick < wake && next_tick != 0)
			wake = next_tick;
		{
			struct timespec ts = wait_for(now, wake);

			rc = ppoll(fds, (nfds_t)nfds, &ts, NULL);
		}
		if (rc < 0 && errno != EINTR) {
			fprintf(stderr, "ecmptrace: poll: %s\n", strerror(errno));
			return -1;
		}
		if (rc > 0 && (fds[0].revents & POLLIN) &&
		    net_dispatch(net, on_packet, e, err, sizeof(err)) < 0) {
			fprintf(stderr, "ecmptrace: %s\n", err);
			return -1;
		}
		if (rc > 0 && nb >= 0 && (fds[nb].revents & POLLIN)) {
			struct claim_ctx c = {.e = e, .now = run_now_us()};

			neighbours_dispatch(net->neighbours, on_claim, &c);
		}
		if (rc > 0 && input >= 0 && (fds[input].revents & (POLLIN | POLLHUP)) &&
		    face->on_input(face->ctx, e, run_now_us()) == RUN_QUIT)
			return 0;
		now = run_now_us();
		if (face && face->tick && now >= next_tick) {
			if (face->tick(face->ctx, e, now) == RUN_QUIT)
				return 0;
			next_tick = now + (face->tick_us ? face->tick_us : 200000);
		}
	}
}
