/*
 * Unprivileged transport (see dgram_transport.h).  Every socket is in one
 * epoll set, keyed by its flow's source port, so the loop waits on one
 * descriptor however many flows there are.  What the sockets receive is
 * turned into replies by wire/sockreply.c against the probes the flow
 * sent: a reply is only ever made for a probe this transport sent.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "net/dgram_sock.h"
#include "net/dgram_transport.h"
#include "wire/sockreply.h"

/*
 * Probes of a flow remembered for matching: a ring that starts small and
 * doubles while its oldest probe could still be answered (within the
 * timeout), so a fast flow on a slow path loses no late answer.
 */
#define RING_FIRST 16
#define RING_MAX 8192
/* TCP probes of a flow waiting for the one in flight. */
#define TCP_QUEUE 32
/*
 * A TCP probe behind which others of its flow wait is given up after
 * max(this, 3 slowest round trips): a lost probe must not hold the
 * flow's queue for long, or the probes behind it would be counted lost
 * by the engine before they even left.  Alone, it is waited for the
 * whole timeout.
 */
#define TCP_GIVE_UP_MIN_US 20000
#define TCP_GIVE_UP_RTTS 3
/* The epoll key of the timer that wakes the loop for the next give-up (ports are 16 bits). */
#define TIMER_KEY (1ull << 32)
/* Largest datagram read: a quote is at most the IPv6 minimum MTU. */
#define READ_MAX 1500

struct queued {
	struct probe_spec spec;
	uint64_t at;		/* when the engine handed it over */
};

struct flow {
	int fd;				/* UDP/ping socket, or the TCP probe in flight; -1: none */
	bool broken;			/* its socket could not be opened: its probes fail */
	int ttl;			/* TTL the UDP/ping socket is set to (-1: not yet) */
	int df;				/* its don't-fragment setting, dgram_sock_set_df (-1: not yet) */
	struct probe_spec *ring;	/* probes sent, any order (TCP: [0] is the one in flight) */
	uint64_t *ring_at;		/* when each was sent */
	int cap, next, count;
	uint64_t handed_at, sent_at;	/* TCP: of the probe in flight */
	struct queued *queue;		/* TCP: FIFO of TCP_QUEUE */
	int qhead, qlen;
};

struct dgram_transport {
	struct transport transport;
	enum probe_proto proto;
	int family;
	int epfd;
	int timerfd;			/* TCP: due when a probe in flight is to be given up; -1 */
	uint64_t timeout_us;
	uint64_t rtt_max_us;		/* slowest TCP answer so far */
	struct flow *flows[65536];	/* by source port */
	uint16_t ports[65536];		/* the ports with a flow, in order of creation */
	int nports;
	bool warned_open, warned_send;
};

static void warn_once(bool *said, const struct transport_sink *sink, const char *msg)
{
	if (*said || sink->warn == NULL)
		return;
	sink->warn(sink->ctx, msg);
	*said = true;
}

static void flow_free(struct flow *f)
{
	free(f->ring);
	free(f->ring_at);
	free(f->queue);
	free(f);
}

static struct flow *flow_of(struct dgram_transport *t, uint16_t port)
{
	struct flow *f = t->flows[port];

	if (f != NULL)
		return f;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->fd = -1;
	f->ttl = -1;
	f->df = -1;
	f->cap = t->proto == PROBE_TCP ? 1 : RING_FIRST;
	f->ring = calloc((size_t)f->cap, sizeof(*f->ring));
	f->ring_at = calloc((size_t)f->cap, sizeof(*f->ring_at));
	if (t->proto == PROBE_TCP)
		f->queue = calloc(TCP_QUEUE, sizeof(*f->queue));
	if (f->ring == NULL || f->ring_at == NULL || (t->proto == PROBE_TCP && f->queue == NULL)) {
		flow_free(f);
		return NULL;
	}
	t->flows[port] = f;
	t->ports[t->nports++] = port;
	return f;
}

/* Doubles a full ring, oldest first; false when it cannot (the oldest is then forgotten). */
static bool grow(struct flow *f)
{
	int cap = f->cap * 2;
	struct probe_spec *ring;
	uint64_t *at;

	if (cap > RING_MAX)
		return false;
	ring = malloc((size_t)cap * sizeof(*ring));
	at = malloc((size_t)cap * sizeof(*at));
	if (ring == NULL || at == NULL) {
		free(ring);
		free(at);
		return false;
	}
	for (int i = 0; i < f->count; i++) {
		ring[i] = f->ring[(f->next + i) % f->cap];
		at[i] = f->ring_at[(f->next + i) % f->cap];
	}
	free(f->ring);
	free(f->ring_at);
	f->ring = ring;
	f->ring_at = at;
	f->next = f->count;
	f->cap = cap;
	return true;
}

static void remember(const struct dgram_transport *t, struct flow *f, const struct probe_spec *p,
		     uint64_t now)
{
	/* Full, and the oldest could still be answered: make room rather than forget it. */
	if (f->count == f->cap && now - f->ring_at[f->next] < t->timeout_us)
		(void)grow(f);
	f->ring[f->next] = *p;
	f->ring_at[f->next] = now;
	f->next = (f->next + 1) % f->cap;
	if (f->count < f->cap)
		f->count++;
}

static bool watch(struct dgram_transport *t, int fd, uint16_t port, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = port};

	return epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

static struct dgram_flow_id id_of(const struct probe_spec *p)
{
	return (struct dgram_flow_id){.proto = p->proto, .dst = p->dst, .dport = p->dport,
				      .sport = p->sport, .flow_label = p->flow_label,
				      .tos = p->tos};
}

/* The flow's UDP or ping socket, opened at its first probe; false: it cannot be. */
static bool flow_socket(struct dgram_transport *t, struct flow *f, const struct probe_spec *p,
			const struct transport_sink *sink)
{
	struct dgram_flow_id id = id_of(p);
	char err[200], msg[300];

	if (f->fd >= 0 || f->broken)
		return f->fd >= 0;
	f->fd = dgram_sock_flow(&id, err, sizeof(err));
	if (f->fd >= 0 && !watch(t, f->fd, p->sport, EPOLLIN)) {
		snprintf(err, sizeof(err), "epoll: %s", strerror(errno));
		close(f->fd);
		f->fd = -1;
	}
	if (f->fd < 0) {
		f->broken = true;
		snprintf(msg, sizeof(msg), "the flow from port %u cannot be probed: %s",
			 (unsigned)p->sport, err);
		warn_once(&t->warned_open, sink, msg);
	}
	return f->fd >= 0;
}

/* The bytes a UDP or ping socket sends for probe p: what follows the header the kernel writes. */
static bool payload_of(const struct probe_spec *p, uint8_t *pkt, const uint8_t **data,
		       size_t *len)
{
	size_t n = probe_build(p, pkt, PROBE_MAX_LEN), l4 = probe_l4_len(p);
	size_t skip = p->proto == PROBE_UDP ? 8 : 0;	/* the kernel writes the UDP header */

	if (n == 0 || l4 < skip || n < l4)
		return false;
	*data = pkt + (n - l4) + skip;
	*len = l4 - skip;
	return true;
}

/*
 * Sends one UDP or ICMP probe on its flow's socket.  An ICMP error queued
 * on a socket also makes its next send fail once with the error's errno
 * (and be forgotten): that send is tried again.
 */
static bool send_datagram(struct dgram_transport *t, const struct probe_spec *p, uint64_t now,
			  const struct transport_sink *sink)
{
	struct flow *f = flow_of(t, p->sport);
	uint8_t pkt[PROBE_MAX_LEN];
	const uint8_t *data;
	size_t len;
	ssize_t sent;

	if (f == NULL || !flow_socket(t, f, p, sink) || !payload_of(p, pkt, &data, &len))
		return false;
	if (f->ttl != p->ttl) {
		if (!dgram_sock_set_ttl(f->fd, t->family, p->ttl))
			return false;
		f->ttl = p->ttl;
	}
	if (f->df != (int)p->df) {
		if (!dgram_sock_set_df(f->fd, t->family, p->df))
			return false;
		f->df = p->df;
	}
	sent = send(f->fd, data, len, 0);
	if (sent < 0 && errno != EAGAIN && errno != ENOBUFS)
		sent = send(f->fd, data, len, 0);
	if (sent != (ssize_t)len)
		return false;
	remember(t, f, p, now);
	return true;
}

/* Starts a TCP probe: its socket's connect() sends the SYN.  handed_at: when the engine sent it. */
static bool start_tcp(struct dgram_transport *t, struct flow *f, const struct probe_spec *p,
		      uint64_t handed_at, uint64_t now, const struct transport_sink *sink)
{
	struct dgram_flow_id id = id_of(p);
	char err[200], msg[300];

	f->fd = dgram_sock_tcp(&id, p->ttl, err, sizeof(err));
	if (f->fd >= 0 && !watch(t, f->fd, p->sport, EPOLLOUT)) {
		snprintf(err, sizeof(err), "epoll: %s", strerror(errno));
		dgram_sock_abort(f->fd);
		f->fd = -1;
	}
	if (f->fd < 0) {
		snprintf(msg, sizeof(msg), "a TCP probe from port %u could not be sent: %s",
			 (unsigned)p->sport, err);
		warn_once(&t->warned_send, sink, msg);
		return false;
	}
	f->ring[0] = *p;
	f->count = 1;
	f->handed_at = handed_at;
	f->sent_at = now;
	return true;
}

/* Ends the flow's TCP probe in flight and starts the next queued one still worth sending. */
static void next_tcp(struct dgram_transport *t, struct flow *f, uint64_t now,
		     const struct transport_sink *sink)
{
	if (f->fd >= 0)
		dgram_sock_abort(f->fd);
	f->fd = -1;
	f->count = 0;
	while (f->qlen > 0) {
		struct queued q = f->queue[f->qhead];

		f->qhead = (f->qhead + 1) % TCP_QUEUE;
		f->qlen--;
		/* The engine has counted it lost by now. */
		if (now - q.at >= t->timeout_us)
			continue;
		if (start_tcp(t, f, &q.spec, q.at, now, sink))
			return;
	}
}

static bool send_tcp(struct dgram_transport *t, const struct probe_spec *p, uint64_t now,
		     const struct transport_sink *sink)
{
	struct flow *f = flow_of(t, p->sport);

	if (f == NULL)
		return false;
	if (f->fd < 0)
		return start_tcp(t, f, p, now, now, sink);
	if (f->qlen == TCP_QUEUE)
		return false;
	f->queue[(f->qhead + f->qlen) % TCP_QUEUE] = (struct queued){.spec = *p, .at = now};
	f->qlen++;
	return true;
}

/* When the flow's TCP probe in flight is given up: sooner when others of the flow wait. */
static uint64_t give_up_at(const struct dgram_transport *t, const struct flow *f)
{
	uint64_t soon = TCP_GIVE_UP_RTTS * t->rtt_max_us;

	if (soon < TCP_GIVE_UP_MIN_US)
		soon = TCP_GIVE_UP_MIN_US;
	return f->sent_at + (f->qlen > 0 && soon < t->timeout_us ? soon : t->timeout_us);
}

/*
 * Gives up the TCP probes unanswered too long, then sets the timer for
 * the next one (relative to now: src/net reads no clock of the loop's).
 */
static void tcp_timeouts(struct dgram_transport *t, uint64_t now, const struct transport_sink *sink)
{
	struct itimerspec next = {{0, 0}, {0, 0}};
	uint64_t first = 0;

	for (int i = 0; i < t->nports; i++) {
		struct flow *f = t->flows[t->ports[i]];
		uint64_t at;

		if (f->fd < 0)
			continue;
		if (now >= give_up_at(t, f))
			next_tcp(t, f, now, sink);
		if (f->fd < 0)
			continue;
		at = give_up_at(t, f);
		if (first == 0 || at < first)
			first = at;
	}
	if (t->timerfd < 0)
		return;
	if (first != 0) {
		uint64_t in = first > now ? first - now : 1;

		next.it_value.tv_sec = (time_t)(in / 1000000);
		next.it_value.tv_nsec = (long)(in % 1000000) * 1000;
	}
	(void)timerfd_settime(t->timerfd, 0, &next, NULL);
}

static int dt_send(void *ctx, const struct probe_spec *probes, int count,
		   const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct dgram_transport *t = ctx;
	int failed = 0;

	(void)err;
	(void)errlen;
	for (int i = 0; i < count; i++) {
		bool ok = t->proto == PROBE_TCP ? send_tcp(t, &probes[i], now_us, sink)
						: send_datagram(t, &probes[i], now_us, sink);

		if (!ok) {
			char msg[160];

			snprintf(msg, sizeof(msg), "send: %s", strerror(errno ? errno : EIO));
			warn_once(&t->warned_send, sink, msg);
			failed++;
		}
	}
	if (t->proto == PROBE_TCP)
		tcp_timeouts(t, now_us, sink);
	return failed;
}

static int dt_fds(void *ctx, struct pollfd *fds, int cap)
{
	struct dgram_transport *t = ctx;

	if (cap < 1)
		return 0;
	fds[0] = (struct pollfd){.fd = t->epfd, .events = POLLIN};
	return 1;
}

/* The probes a flow's socket may answer, for wire/sockreply.c. */
static struct sockreply_socket socket_of(const struct dgram_transport *t, const struct flow *f)
{
	return (struct sockreply_socket){.proto = t->proto, .family = t->family, .sent = f->ring,
					 .nsent = f->count};
}

/*
 * Hands over every ICMP error queued on the flow's socket (or only reads
 * them, when !deliver); how many were the flow's.
 */
static int drain_errors(struct dgram_transport *t, struct flow *f, uint64_t at, bool deliver,
			const struct transport_sink *sink)
{
	struct sockreply_socket s = socket_of(t, f);
	uint8_t buf[READ_MAX], ttl;
	struct sockreply_note n;
	struct reply r;
	ssize_t len;
	int found = 0;

	while ((len = dgram_sock_read_error(f->fd, t->family, &n, buf, sizeof(buf), &ttl)) >= 0) {
		if (sockreply_from_error(&n, buf, (size_t)len, &s, &r) < 0)
			continue;
		r.reply_ttl = ttl;
		if (deliver)
			(void)sink->reply(sink->ctx, &r, at);
		found++;
	}
	return found;
}

/* Echo replies on a ping socket; anything a UDP socket receives is not an answer. */
static void drain_data(struct dgram_transport *t, struct flow *f, uint64_t at,
		       const struct transport_sink *sink)
{
	struct sockreply_socket s = socket_of(t, f);
	uint8_t buf[READ_MAX], ttl;
	struct ip_addr from;
	struct reply r;
	ssize_t len;

	while ((len = dgram_sock_read(f->fd, buf, sizeof(buf), &from, &ttl)) >= 0) {
		if (t->proto != PROBE_ICMP ||
		    sockreply_from_echo(&from, buf, (size_t)len, &s, &r) < 0)
			continue;
		r.reply_ttl = ttl;
		(void)sink->reply(sink->ctx, &r, at);
	}
}

/* The TCP probe in flight answered, or failed: what it came to, then the next one. */
static void tcp_event(struct dgram_transport *t, struct flow *f, uint64_t now,
		      const struct transport_sink *sink)
{
	/* Its round trip from when it really left, on the engine's time for it. */
	uint64_t at = now - (f->sent_at - f->handed_at);
	/*
	 * The kernel sends an unanswered SYN again after a second or so; an
	 * answer may then be the second one's, which the engine never sent:
	 * the probe stays unanswered (lost) rather than answered by another.
	 */
	bool deliver = !dgram_sock_tcp_resent(f->fd);
	int found = drain_errors(t, f, at, deliver, sink), state;
	struct reply r;

	state = dgram_sock_tcp_state(f->fd);
	if (found == 0 && state == EINPROGRESS)
		return;
	if (found == 0 && (state == 0 || state == ECONNREFUSED)) {
		sockreply_from_tcp(&f->ring[0], state == 0, &r);
		if (deliver)
			(void)sink->reply(sink->ctx, &r, at);
		found++;
	}
	if (found > 0 && deliver && now - f->sent_at > t->rtt_max_us)
		t->rtt_max_us = now - f->sent_at;
	next_tcp(t, f, now, sink);
}

static int dt_receive(void *ctx, const struct pollfd *fds, int nfds,
		      const struct transport_sink *sink, uint64_t now_us, char *err, size_t errlen)
{
	struct dgram_transport *t = ctx;
	struct epoll_event ev[64];
	int n;

	(void)fds;
	(void)nfds;
	do {
		n = epoll_wait(t->epfd, ev, 64, 0);
		if (n < 0 && errno != EINTR) {
			snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			struct flow *f;

			if (ev[i].data.u64 == TIMER_KEY) {
				uint64_t expirations;

				/* Read to rearm it; the give-ups are done below. */
				(void)!read(t->timerfd, &expirations, sizeof(expirations));
				continue;
			}
			f = t->flows[(uint16_t)ev[i].data.u64];
			if (f == NULL || f->fd < 0)
				continue;
			if (t->proto == PROBE_TCP) {
				tcp_event(t, f, now_us, sink);
				continue;
			}
			drain_errors(t, f, now_us, true, sink);
			drain_data(t, f, now_us, sink);
		}
	} while (n == 64);
	if (t->proto == PROBE_TCP)
		tcp_timeouts(t, now_us, sink);
	return 0;
}

static const struct transport_ops dgram_ops = {
	.send = dt_send, .fds = dt_fds, .receive = dt_receive, .ask = NULL,
};

/* Whether this process may open ping sockets (net.ipv4.ping_group_range). */
static bool ping_allowed(int family, char *err, size_t errlen)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC,
			family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	snprintf(err, errlen, "ICMP probes without privilege need a ping socket, refused "
		 "(%s): group %u is not in net.ipv4.ping_group_range", strerror(errno),
		 (unsigned)getegid());
	return false;
}

struct dgram_transport *dgram_transport_new(enum probe_proto proto, const struct ip_addr *dst,
					    uint64_t timeout_us, char *err, size_t errlen)
{
	struct dgram_transport *t;

	if (proto == PROBE_ICMP && !ping_allowed(dst->family, err, errlen))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->timerfd = -1;
	t->proto = proto;
	t->family = dst->family;
	t->timeout_us = timeout_us;
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		free(t);
		return NULL;
	}
	if (proto == PROBE_TCP) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TIMER_KEY};

		t->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (t->timerfd < 0 || epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->timerfd, &ev) != 0) {
			snprintf(err, errlen, "timerfd: %s", strerror(errno));
			if (t->timerfd >= 0)
				close(t->timerfd);
			close(t->epfd);
			free(t);
			return NULL;
		}
	}
	t->transport = (struct transport){.ops = &dgram_ops, .ctx = t};
	return t;
}

struct transport *dgram_transport_get(struct dgram_transport *t)
{
	return &t->transport;
}

void dgram_transport_free(struct dgram_transport *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nports; i++) {
		struct flow *f = t->flows[t->ports[i]];

		if (f->fd >= 0 && t->proto == PROBE_TCP)
			dgram_sock_abort(f->fd);
		else if (f->fd >= 0)
			close(f->fd);
		flow_free(f);
	}
	if (t->timerfd >= 0)
		close(t->timerfd);
	close(t->epfd);
	free(t);
}
