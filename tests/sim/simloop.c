/*
 * simloop: a simnet behind the program's event loop (see simloop.h).  The
 * transport sends each probe into the simulated network at the virtual
 * now and hands back the replies due; the clock's wait jumps to the
 * earliest of the wake-up asked for, the next reply, the next claim and
 * the harness's own events, and looks at real descriptors (a test's pipe
 * standing for the terminal) without blocking.
 */
#include <poll.h>
#include <string.h>

#include "simloop.h"

/* The network a probe goes into: the second one's when it is for that one's destination. */
static struct simnet *net_of(struct simloop *sl, const struct probe_spec *p)
{
	if (sl->net2 != NULL && addr_equal(&p->dst, &simnet_node(sl->net2, SIMNET_DST)->addr))
		return sl->net2;
	return sl->net;
}

static int sl_send(void *ctx, const struct probe_spec *probes, int count,
		   const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct simloop *sl = ctx;

	(void)sink;
	(void)err;
	(void)errlen;
	sl->send_calls++;
	sl->probes += (uint64_t)count;
	if (count > sl->largest_batch)
		sl->largest_batch = count;
	sl->sent = true;
	for (int i = 0; i < count; i++) {
		enum simnet_fate fate = simnet_send(net_of(sl, &probes[i]), &probes[i], now_us);

		if (sl->hooks.sent)
			sl->hooks.sent(sl->hooks.ctx, &probes[i], fate, now_us);
	}
	return 0;
}

/* The simulated network has no descriptor: everything due is handed over after each wait. */
static int sl_fds(void *ctx, struct pollfd *fds, int cap)
{
	(void)ctx;
	(void)fds;
	(void)cap;
	return 0;
}

/* Hands over the claims due (in arrival order: they are queued in time order). */
static void deliver_claims(struct simloop *sl, const struct transport_sink *sink, uint64_t now)
{
	int kept = 0;

	for (int i = 0; i < sl->nclaims; i++) {
		const struct simloop_claim *c = &sl->claims[i];

		if (c->at > now) {
			sl->claims[kept++] = *c;
			continue;
		}
		sink->claim(sink->ctx, &c->addr, c->lladdr, 6, now);
		sl->claims_delivered++;
	}
	sl->nclaims = kept;
}

static int sl_receive(void *ctx, const struct pollfd *fds, int nfds,
		      const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct simloop *sl = ctx;
	struct reply rep;

	(void)fds;
	(void)nfds;
	(void)err;
	(void)errlen;
	if (sl->hooks.before_receive)
		sl->hooks.before_receive(sl->hooks.ctx, now_us);
	deliver_claims(sl, sink, now_us);
	for (struct simnet *n = sl->net; n != NULL; n = n == sl->net ? sl->net2 : NULL)
		while (simnet_next_reply(n, now_us, &rep)) {
			int m = sink->reply(sink->ctx, &rep, now_us);

			if (m >= 0 && (size_t)m < sizeof(sl->match) / sizeof(sl->match[0]))
				sl->match[m]++;
			sl->delivered++;
		}
	if (sl->hooks.after_receive)
		sl->hooks.after_receive(sl->hooks.ctx, now_us);
	return 0;
}

/* The first-hop router answering from addr, or NULL. */
static const struct simnet_node *first_hop(struct simloop *sl, const struct ip_addr *addr)
{
	const struct simnet_node *src = simnet_node(sl->net, SIMNET_SRC);

	for (int k = 0; k < src->nnext; k++) {
		const struct simnet_node *n = simnet_node(sl->net, src->next[k]);

		if (addr_equal(&n->addr, addr))
			return n;
	}
	return NULL;
}

static bool sl_ask(void *ctx, const struct ip_addr *addr, transport_table_fn table_fn, void *fctx)
{
	struct simloop *sl = ctx;
	const struct simnet_node *n = first_hop(sl, addr);

	if (sl->nquestions < SIMLOOP_MAX_QUESTIONS)
		sl->questions[sl->nquestions++] = (struct simloop_claim){.at = sl->now_us,
									 .addr = *addr};
	if (n == NULL)
		return false;	/* not on our link: cannot be asked */
	if (n->nlladdrs > 0)
		table_fn(fctx, addr, n->lladdrs[0], 6);
	for (int i = 0; i < n->nlladdrs && !sl->no_claims && sl->nclaims < SIMLOOP_MAX_CLAIMS; i++) {
		struct simloop_claim *c = &sl->claims[sl->nclaims++];

		*c = (struct simloop_claim){.at = sl->now_us + sl->claim_delay_us, .addr = *addr};
		memcpy(c->lladdr, n->lladdrs[i], 6);
	}
	return true;
}

static uint64_t sl_now(void *ctx)
{
	const struct simloop *sl = ctx;

	return sl->now_us;
}

/* The earliest of until and what arrives before it (a reply, a claim, a harness event). */
static uint64_t wait_end(struct simloop *sl, uint64_t now, uint64_t until)
{
	uint64_t arrival;

	if (simnet_next_arrival(sl->net, &arrival) && arrival < until)
		until = arrival > now ? arrival : now + 1;
	if (sl->net2 != NULL && simnet_next_arrival(sl->net2, &arrival) && arrival < until)
		until = arrival > now ? arrival : now + 1;
	for (int i = 0; i < sl->nclaims; i++)
		if (sl->claims[i].at < until)
			until = sl->claims[i].at > now ? sl->claims[i].at : now + 1;
	if (sl->hooks.clamp)
		until = sl->hooks.clamp(sl->hooks.ctx, now, until);
	return until;
}

static int sl_wait(void *ctx, struct pollfd *fds, int nfds, uint64_t now_us, uint64_t until_us)
{
	struct simloop *sl = ctx;
	int ready = 0;

	/* Real descriptors (a face's input) are looked at, never waited for. */
	if (nfds > 0)
		ready = poll(fds, (nfds_t)nfds, 0);
	if (!sl->sent) {
		if (++sl->waits >= sl->max_waits)
			sl->stop = 1;	/* a loop that spins: the harness ends it */
		if (until_us <= now_us) {
			/* A wake-up in the past would spin forever: nudge the clock. */
			sl->stale_waits++;
			until_us = now_us + 1;
		}
	}
	sl->sent = false;
	if (until_us > now_us)
		sl->now_us = wait_end(sl, now_us, until_us);
	return ready;
}

static const struct transport_ops simloop_ops = {
	.send = sl_send, .fds = sl_fds, .receive = sl_receive, .ask = sl_ask,
};
static const struct transport_ops simloop_ops_no_link = {
	.send = sl_send, .fds = sl_fds, .receive = sl_receive, .ask = NULL,
};

void simloop_init(struct simloop *sl, struct simnet *net, uint64_t start_us)
{
	memset(sl, 0, sizeof(*sl));
	sl->net = net;
	sl->now_us = start_us;
	sl->claim_delay_us = 2000;
	sl->max_waits = 10000000;
	sl->transport = (struct transport){.ops = &simloop_ops_no_link, .ctx = sl};
	sl->clock = (struct run_clock){.now = sl_now, .wait = sl_wait, .ctx = sl};
}

/* Turns neighbour questions on or off (the program offers them only with the check's sockets). */
void simloop_link_check(struct simloop *sl, bool on)
{
	sl->link_check = on;
	sl->transport.ops = on ? &simloop_ops : &simloop_ops_no_link;
}
