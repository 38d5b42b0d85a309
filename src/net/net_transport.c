/*
 * The kernel's network as a transport (see net_transport.h).  Each probe
 * is steered (net_prepare_probe) before it is built, because its source
 * address is in its checksums; a batch goes to the kernel in as few
 * system calls as it allows (net_send_batch).  Answers that do not
 * dissect cleanly are someone else's or garbage, and are dropped here.
 */
#include <stdio.h>
#include <string.h>

#include "net/neighbours.h"
#include "net/net_transport.h"
#include "wire/dissect.h"
#include "wire/probe.h"

/* Steers, builds and sends at most TRANSPORT_MAX_BATCH probes; how many failed, or -1. */
static int send_chunk(struct net_transport *nt, const struct probe_spec *probes, int n,
		      const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	uint8_t pkt[TRANSPORT_MAX_BATCH][PROBE_MAX_LEN], *ptrs[TRANSPORT_MAX_BATCH];
	size_t lens[TRANSPORT_MAX_BATCH];
	struct probe_spec specs[TRANSPORT_MAX_BATCH];	/* what each packet was built from */
	struct net_route routes[TRANSPORT_MAX_BATCH];	/* ... and how it leaves */
	char why[256];

	for (int i = 0; i < n; i++) {
		specs[i] = probes[i];
		ptrs[i] = pkt[i];
		if (!net_prepare_probe(nt->net, &specs[i], &routes[i], now_us, why, sizeof(why)) &&
		    !nt->warned_source && sink->warn) {
			sink->warn(sink->ctx, why);
			nt->warned_source = true;
		}
		lens[i] = probe_build(&specs[i], pkt[i], sizeof(pkt[i]));
		if (lens[i] == 0) {
			snprintf(err, errlen, "internal error: probe could not be built");
			return -1;
		}
	}
	{
		int failed = net_send_batch(nt->net, ptrs, lens, specs, routes, n);

		if (failed > 0 && !nt->warned_send && sink->warn) {
			/* Those probes are counted and will time out; say why once. */
			snprintf(why, sizeof(why), "send: %s", strerror(nt->net->last_send_errno));
			sink->warn(sink->ctx, why);
			nt->warned_send = true;
		}
		return failed;
	}
}

static int nt_send(void *ctx, const struct probe_spec *probes, int count,
		   const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	int failed = 0;

	for (int done = 0; done < count; done += TRANSPORT_MAX_BATCH) {
		int n = count - done < TRANSPORT_MAX_BATCH ? count - done : TRANSPORT_MAX_BATCH;
		int rc = send_chunk(ctx, probes + done, n, sink, now_us, err, errlen);

		if (rc < 0)
			return -1;
		failed += rc;
	}
	return failed;
}

static int nt_fds(void *ctx, struct pollfd *fds, int cap)
{
	struct net_transport *nt = ctx;
	int n = 0;

	if (n < cap)
		fds[n++] = (struct pollfd){.fd = net_fd(nt->net), .events = POLLIN};
	if (nt->net->neighbours != NULL && n < cap)
		fds[n++] = (struct pollfd){.fd = neighbours_fd(nt->net->neighbours), .events = POLLIN};
	return n;
}

/* Dissects a captured datagram and hands the answer to the sink. */
static void on_packet(void *ctx, const uint8_t *ip, size_t len, uint64_t at,
		      const uint8_t *lladdr, size_t lladdr_len)
{
	const struct transport_sink *sink = ctx;
	struct reply r;

	if (reply_dissect(ip, len, &r) != DISSECT_OK)
		return;
	if (lladdr_len > 0 && lladdr_len <= sizeof(r.lladdr)) {
		memcpy(r.lladdr, lladdr, lladdr_len);
		r.lladdr_len = (uint8_t)lladdr_len;
	}
	(void)sink->reply(sink->ctx, &r, at);
}

/* Claims heard on the segment, stamped with the time they were read. */
struct claim_ctx {
	const struct transport_sink *sink;
	uint64_t now;
};

static void on_claim(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr, size_t len)
{
	struct claim_ctx *c = ctx;

	c->sink->claim(c->sink->ctx, addr, lladdr, len, c->now);
}

static int nt_receive(void *ctx, const struct pollfd *fds, int nfds,
		      const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct net_transport *nt = ctx;

	if (nfds > 0 && (fds[0].revents & POLLIN) &&
	    net_dispatch(nt->net, on_packet, (void *)sink, now_us, err, errlen) < 0)
		return -1;
	if (nfds > 1 && (fds[1].revents & POLLIN)) {
		struct claim_ctx c = {.sink = sink, .now = now_us};

		neighbours_dispatch(nt->net->neighbours, on_claim, &c);
	}
	return 0;
}

static bool nt_ask(void *ctx, const struct ip_addr *addr, transport_table_fn table_fn, void *fctx)
{
	struct net_transport *nt = ctx;

	return neighbours_ask(nt->net->neighbours, addr, table_fn, fctx);
}

static const struct transport_ops with_neighbours = {
	.send = nt_send, .fds = nt_fds, .receive = nt_receive, .ask = nt_ask,
};
/* Without the link-layer check's sockets there is no one to ask. */
static const struct transport_ops without_neighbours = {
	.send = nt_send, .fds = nt_fds, .receive = nt_receive, .ask = NULL,
};

void net_transport_init(struct net_transport *nt, struct net *n)
{
	*nt = (struct net_transport){.net = n};
	nt->transport.ops = n->neighbours != NULL ? &with_neighbours : &without_neighbours;
	nt->transport.ctx = nt;
}
