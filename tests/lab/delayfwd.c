/*
 * delayfwd: the lab's delay element.  This kernel has no netem and no
 * nftables queue, so a link that adds latency is a namespace holding two
 * interfaces with no addresses, and this program copying every frame
 * from one to the other after a delay (a "slow wire": it is invisible at
 * the IP layer, no TTL is spent in it).  Packet sockets (AF_PACKET, raw
 * Ethernet frames) on both interfaces; each direction has its own delay.
 *
 *	delayfwd [-j JITTER_US] [-S SEED] [-r READY_FILE] IF_A IF_B AB_US BA_US|-
 *
 * Frames from IF_A leave by IF_B AB_US microseconds later (plus a uniform
 * random 0..JITTER_US), and the other way round with BA_US.  BA_US "-"
 * leaves the way back to the kernel (an nftables netdev "fwd" rule the lab
 * adds): this program then reads nothing from IF_B, so a frame going back
 * never waits for it to wake (an element asleep until its next frame is
 * due wakes some microseconds late, and not equally on two elements: that
 * skewed the way back by more than a latency test can tell).  Each
 * direction is a FIFO: a frame never leaves before one that came earlier
 * (a random delay shorter than the previous frame's is stretched), so
 * jitter does not reorder, as a queue on a real link does not.  The
 * READY_FILE is created once both sockets listen.  SIGTERM/SIGINT end
 * it; it prints its counters to stderr.  SIGUSR1 prints, per direction,
 * how long the frames so far were really held: the median time from a
 * frame's arrival stamp to just before and to just after the send() that
 * passed it on.  Tests compare what they measure with that (the delay the
 * lab delivered), not with the delay asked for: the element's own cost
 * (waking, a system call, a veth crossing) adds microseconds, not the same
 * on two elements.
 *
 * Frames longer than FRAME_MAX (GSO super-frames of a local TCP sender,
 * which veth hands to packet sockets unsegmented) are dropped and counted;
 * the lab sends probes and pings through it, never bulk TCP.
 *
 * Both sockets carry a virtio-net header before each frame (PACKET_VNET_HDR)
 * and hand it back on the way out: a TCP or UDP segment a host in the lab
 * sent over veth has no checksum yet (checksum offload, CHECKSUM_PARTIAL,
 * to be filled in by a NIC there is none of), and copied as bare bytes it
 * would arrive with a wrong one and be dropped; the header tells the
 * kernel to finish it, as a real wire gets it finished.  (Seen in the
 * scenario lab: a server's SYN-ACKs across the element were lost.)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "numparse.h"

/* A jumbo frame and its virtio-net header; larger ones are dropped. */
#define FRAME_MAX (9216 + (int)sizeof(struct virtio_net_hdr))
#define QUEUE_SLOTS 2048	/* per direction: 2048 frames in flight */

struct slot {
	uint64_t due_us;	/* when it may leave */
	uint64_t at_ns;		/* when it came (the kernel's stamp) */
	uint32_t len;
	uint8_t data[FRAME_MAX];
};

/* One direction: frames read from in_fd, written to out_fd after delay_us. */
struct dir {
	int in_fd, out_fd;
	uint64_t delay_us;
	struct slot *q;
	uint32_t head, len;
	uint64_t last_due;	/* due time of the latest frame queued (FIFO) */
	uint64_t forwarded, dropped_full, dropped_big, send_errors;
	/* Hold times (ns) of the latest HOLD_SAMPLES frames: before and after their send(). */
	uint32_t *held_before, *held_after;
	uint64_t held_n;
};

#define HOLD_SAMPLES 65536

static volatile sig_atomic_t stop_flag, report_flag;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_flag = 1;
	else
		stop_flag = 1;
}

/*
 * The real-time clock, because the kernel stamps each frame's arrival on
 * it (SO_TIMESTAMPNS): a frame is due its delay after it reached the
 * socket, not after this program got round to reading it.
 */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_us(void)
{
	return now_ns() / 1000u;
}

/* How early to stop sleeping before a frame is due, and spin instead. */
#define SPIN_US 150

/* xorshift64*: the jitter needs no quality beyond "spread", and a seed replays it. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* A packet socket bound to one interface, every frame on it (promiscuous), none we send,
 * each behind a virtio-net header. */
static int open_port(const char *ifname)
{
	struct sockaddr_ll sll = {0};
	struct packet_mreq mr = {0};
	int one = 1;
	unsigned idx = if_nametoindex(ifname);
	int fd;

	if (idx == 0) {
		fprintf(stderr, "delayfwd: no interface %s\n", ifname);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("delayfwd: socket");
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	mr.mr_ifindex = (int)idx;
	mr.mr_type = PACKET_MR_PROMISC;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0) {
		perror("delayfwd: bind/setsockopt");
		close(fd);
		return -1;
	}
	return fd;
}

/* A socket we only send on: a filter that takes no frame, so none queue up unread. */
static bool read_nothing(int fd)
{
	struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = {.len = 1, .filter = &none};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
		perror("delayfwd: SO_ATTACH_FILTER");
		return false;
	}
	return true;
}

/* Reads one frame into buf; its arrival time in ns (kernel stamp, else now) into *at. */
static ssize_t recv_stamped(int fd, void *buf, size_t len, uint64_t *at)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC);

	*at = now_ns();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
	return n;
}

/* Reads every frame waiting on d's input into its queue, each due delay (+ jitter) after it came. */
static void drain_in(struct dir *d, uint64_t jitter_us, uint64_t *rng)
{
	for (;;) {
		struct slot *s = &d->q[(d->head + d->len) % QUEUE_SLOTS];
		uint8_t scratch[64];
		bool full = d->len == QUEUE_SLOTS;
		uint64_t at, due;
		ssize_t n = recv_stamped(d->in_fd, full ? scratch : s->data,
					 full ? sizeof(scratch) : FRAME_MAX, &at);

		if (n < 0)
			return;	/* EAGAIN: nothing more now */
		if (full) {
			d->dropped_full++;
			continue;
		}
		if (n > FRAME_MAX) {
			d->dropped_big++;
			continue;
		}
		due = at / 1000u + d->delay_us + (jitter_us ? rng_next(rng) % (jitter_us + 1) : 0);
		if (due < d->last_due)
			due = d->last_due;
		d->last_due = due;
		s->due_us = due;
		s->at_ns = at;
		s->len = (uint32_t)n;
		d->len++;
	}
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void note_hold(struct dir *d, uint64_t before_ns, uint64_t after_ns)
{
	d->held_before[d->held_n % HOLD_SAMPLES] = clamp32(before_ns);
	d->held_after[d->held_n % HOLD_SAMPLES] = clamp32(after_ns);
	d->held_n++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Median of the first n values of v (sorted in place), in microseconds. */
static double median_us(uint32_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
	return n % 2 ? v[n / 2] / 1000.0 : (v[n / 2 - 1] + (double)v[n / 2]) / 2000.0;
}

/* SIGUSR1: "delayfwd: direction D held N frames: median B us before send, A us after". */
static void report_holds(struct dir *dirs)
{
	for (int i = 0; i < 2; i++) {
		struct dir *d = &dirs[i];
		size_t n = d->held_n < HOLD_SAMPLES ? (size_t)d->held_n : HOLD_SAMPLES;
		uint32_t *copy = n ? malloc(2 * n * sizeof(*copy)) : NULL;

		if (copy == NULL) {
			fprintf(stderr, "delayfwd: direction %d held 0 frames\n", i);
			continue;
		}
		memcpy(copy, d->held_before, n * sizeof(*copy));
		memcpy(copy + n, d->held_after, n * sizeof(*copy));
		fprintf(stderr, "delayfwd: direction %d held %zu frames: median %.3f us before "
			"send, %.3f us after\n", i, n, median_us(copy, n), median_us(copy + n, n));
		free(copy);
	}
	fflush(stderr);
}

/* Sends the frames that are due; returns when the next one is due (0: queue empty). */
static uint64_t flush_due(struct dir *d)
{
	while (d->len > 0) {
		struct slot *s = &d->q[d->head];

		uint64_t before = now_ns();

		if (s->due_us > before / 1000u)
			return s->due_us;
		if (send(d->out_fd, s->data, s->len, 0) < 0) {
			d->send_errors++;
		} else {
			d->forwarded++;
			note_hold(d, before - s->at_ns, now_ns() - s->at_ns);
		}
		d->head = (d->head + 1) % QUEUE_SLOTS;
		d->len--;
	}
	return 0;
}

static bool parse_us(const char *text, const char *what, uint64_t *out)
{
	long long v;
	char err[128];

	if (!parse_int(text, 0, 10000000, &v, err, sizeof(err))) {
		fprintf(stderr, "delayfwd: %s: %s\n", what, err);
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

static void usage(void)
{
	fprintf(stderr, "usage: delayfwd [-j JITTER_US] [-S SEED] [-r READY_FILE] "
			"IF_A IF_B AB_US BA_US|-\n");
}

/*
 * Waits until a frame arrives or the earliest queued frame is due: asleep
 * until SPIN_US before, then spinning, so that frames leave within a few
 * microseconds of their time rather than a timer's wake-up latency later
 * (which would add to the delay asked for).
 */
static void wait_next(struct dir *dirs, uint64_t next)
{
	struct pollfd pfd[2] = {{.fd = dirs[0].in_fd, .events = POLLIN},
				{.fd = dirs[1].in_fd, .events = POLLIN}};
	struct timespec ts = {1, 0};
	uint64_t now = now_us();

	if (next) {
		uint64_t wait = next > now + SPIN_US ? next - now - SPIN_US : 0;

		ts.tv_sec = (time_t)(wait / 1000000u);
		ts.tv_nsec = (long)(wait % 1000000u) * 1000;
	}
	(void)ppoll(pfd, 2, &ts, NULL);
}

static int forward(struct dir *dirs, uint64_t jitter_us, uint64_t seed)
{
	uint64_t rng = seed ? seed : 0x9E3779B97F4A7C15ull;

	while (!stop_flag) {
		uint64_t next = 0;

		if (report_flag) {
			report_flag = 0;
			report_holds(dirs);
		}

		for (int i = 0; i < 2; i++) {
			uint64_t due;

			drain_in(&dirs[i], jitter_us, &rng);
			due = flush_due(&dirs[i]);
			if (due && (next == 0 || due < next))
				next = due;
		}
		wait_next(dirs, next);
	}
	for (int i = 0; i < 2; i++)
		fprintf(stderr, "delayfwd: direction %d: %llu forwarded, %llu dropped (queue full), "
			"%llu dropped (too big), %llu send errors\n", i,
			(unsigned long long)dirs[i].forwarded,
			(unsigned long long)dirs[i].dropped_full,
			(unsigned long long)dirs[i].dropped_big,
			(unsigned long long)dirs[i].send_errors);
	return 0;
}

int main(int argc, char **argv)
{
	struct dir dirs[2] = {{0}};
	uint64_t jitter_us = 0, seed = 0;
	const char *ready = NULL;
	struct sigaction sa = {0};
	int fa, fb, opt;
	bool one_way;

	while ((opt = getopt(argc, argv, "j:S:r:")) != -1) {
		if (opt == 'j' && parse_us(optarg, "-j", &jitter_us))
			continue;
		if (opt == 'S' && parse_us(optarg, "-S", &seed))
			continue;
		if (opt == 'r') {
			ready = optarg;
			continue;
		}
		usage();
		return 2;
	}
	if (argc - optind != 4) {
		usage();
		return 2;
	}
	one_way = strcmp(argv[optind + 3], "-") == 0;
	if (!parse_us(argv[optind + 2], "AB_US", &dirs[0].delay_us) ||
	    (!one_way && !parse_us(argv[optind + 3], "BA_US", &dirs[1].delay_us)))
		return 2;
	fa = open_port(argv[optind]);
	fb = open_port(argv[optind + 1]);
	for (int i = 0; i < 2; i++) {
		dirs[i].q = calloc(QUEUE_SLOTS, sizeof(struct slot));
		dirs[i].held_before = calloc(HOLD_SAMPLES, sizeof(uint32_t));
		dirs[i].held_after = calloc(HOLD_SAMPLES, sizeof(uint32_t));
		if (dirs[i].q == NULL || dirs[i].held_before == NULL || dirs[i].held_after == NULL)
			return 1;
	}
	if (fa < 0 || fb < 0)
		return 1;
	dirs[0].in_fd = fa;
	dirs[0].out_fd = fb;
	dirs[1].in_fd = fb;
	dirs[1].out_fd = fa;
	if (one_way) {
		if (!read_nothing(fb))
			return 1;
		dirs[1].in_fd = -1;	/* poll() skips it, recv() fails: nothing to forward */
	}
	/* Timers as exact as the kernel will make them (the default slack is 50 us). */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (ready != NULL) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0) {
			perror("delayfwd: ready file");
			return 1;
		}
		close(fd);
	}
	return forward(dirs, jitter_us, seed);
}
