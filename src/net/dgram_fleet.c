/*
 * Several unprivileged targets as one transport (see dgram_fleet.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net/dgram_fleet.h"

struct dgram_fleet {
	struct dgram_transport **parts;
	struct dgram_fleet_key *keys;
	int n;
	int epfd;		/* holds each part's own descriptor, keyed by its index */
	struct transport view;
};

static bool same_target(const struct probe_spec *a, const struct probe_spec *b)
{
	return a->proto == b->proto && a->dport == b->dport && addr_equal(&a->dst, &b->dst);
}

/* The part that sends p; -1 for none. */
static int part_of(const struct dgram_fleet *f, const struct probe_spec *p)
{
	for (int i = 0; i < f->n; i++) {
		const struct dgram_fleet_key *k = &f->keys[i];

		if (k->proto == p->proto && k->dport == p->dport && addr_equal(&k->dst, &p->dst))
			return i;
	}
	return -1;
}

/* Sends each run of probes to one target through that target's part. */
static int fleet_send(void *ctx, const struct probe_spec *probes, int count,
		      const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct dgram_fleet *f = ctx;
	int unsent = 0;

	for (int at = 0; at < count;) {
		int i = part_of(f, &probes[at]), run = 1, rc;
		const struct transport *t;

		while (at + run < count && same_target(&probes[at + run], &probes[at]))
			run++;
		if (i < 0) {
			unsent += run;	/* no target of ours: counted lost by its engine */
			at += run;
			continue;
		}
		t = dgram_transport_get(f->parts[i]);
		rc = t->ops->send(t->ctx, probes + at, run, sink, now_us, err, errlen);
		if (rc < 0)
			return -1;
		unsent += rc;
		at += run;
	}
	return unsent;
}

static int fleet_fds(void *ctx, struct pollfd *fds, int cap)
{
	struct dgram_fleet *f = ctx;

	if (cap < 1)
		return 0;
	fds[0] = (struct pollfd){.fd = f->epfd, .events = POLLIN};
	return 1;
}

/* Hands over what arrived for each part that has something. */
static int fleet_receive(void *ctx, const struct pollfd *fds, int nfds,
			 const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct dgram_fleet *f = ctx;
	struct epoll_event ev[64];
	int n;

	(void)fds;
	(void)nfds;
	do {
		n = epoll_wait(f->epfd, ev, 64, 0);
		if (n < 0 && errno != EINTR) {
			snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int k = 0; k < n; k++) {
			const struct transport *t;
			struct pollfd pfd;

			if (ev[k].data.u32 >= (uint32_t)f->n)
				continue;
			t = dgram_transport_get(f->parts[ev[k].data.u32]);
			if (t->ops->fds(t->ctx, &pfd, 1) != 1)
				continue;
			pfd.revents = POLLIN;
			if (t->ops->receive(t->ctx, &pfd, 1, sink, now_us, err, errlen) < 0)
				return -1;
		}
	} while (n == 64);
	return 0;
}

static const struct transport_ops fleet_ops = {
	.send = fleet_send, .fds = fleet_fds, .receive = fleet_receive, .ask = NULL,
};

/* Puts each part's own descriptor into the fleet's epoll set. */
static bool watch_parts(struct dgram_fleet *f, char *err, size_t errlen)
{
	for (int i = 0; i < f->n; i++) {
		const struct transport *t = dgram_transport_get(f->parts[i]);
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		struct pollfd pfd;

		if (t->ops->fds(t->ctx, &pfd, 1) != 1 ||
		    epoll_ctl(f->epfd, EPOLL_CTL_ADD, pfd.fd, &ev) != 0) {
			snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
			return false;
		}
	}
	return true;
}

struct dgram_fleet *dgram_fleet_new(struct dgram_transport **parts,
				    const struct dgram_fleet_key *keys, int n, char *err,
				    size_t errlen)
{
	struct dgram_fleet *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->parts = calloc((size_t)n, sizeof(*f->parts))) == NULL ||
	    (f->keys = calloc((size_t)n, sizeof(*f->keys))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->epfd < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	memcpy(f->parts, parts, (size_t)n * sizeof(*parts));
	memcpy(f->keys, keys, (size_t)n * sizeof(*keys));
	f->n = n;
	if (!watch_parts(f, err, errlen)) {
		close(f->epfd);
		goto fail;
	}
	f->view = (struct transport){.ops = &fleet_ops, .ctx = f};
	return f;
fail:
	if (f != NULL) {
		free(f->parts);
		free(f->keys);
	}
	free(f);
	return NULL;
}

struct transport *dgram_fleet_get(struct dgram_fleet *f)
{
	return &f->view;
}

void dgram_fleet_free(struct dgram_fleet *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->n; i++)
		dgram_transport_free(f->parts[i]);
	close(f->epfd);
	free(f->parts);
	free(f->keys);
	free(f);
}
