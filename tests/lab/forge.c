/*
 * forge: a blind attacker for tests/lab/t_forgery.sh and bench/forgery.sh.
 * It knows the prober's address, the target, the destination port and the
 * window of source ports the flows use (-L, or seen on the wire), but not
 * the probes themselves, and floods the prober with answers to probes it
 * guesses: ICMP time exceeded from addresses never on the path (a quote
 * with random probe id, IP-ID, TCP sequence and payload), port unreachable
 * or echo replies or TCP SYN-ACK/RST in the target's name.  Raw sockets,
 * batches of sendmmsg; traffic goes only where the lab routes it.
 *
 *   forge -4|-6 -m error|unreach|echo|tcp -p udp|tcp|icmp -s PROBER -d TARGET
 *         [-P DPORT] -L SPORT_LO -H SPORT_HI -f FORGED_FROM [-n COUNT]
 *         [-t SECONDS] [-r PPS] [-q full|short] [-S SEED]
 *
 * Prints the number of packets sent.  FORGED_FROM is the base of the
 * addresses errors claim to come from; the low byte varies (1..250).
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "numparse.h"
#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/probe.h"

#define BATCH 64
#define PKT_MAX 1500

struct forge {
	int family;
	enum { M_ERROR, M_UNREACH, M_ECHO, M_TCP } mode;
	enum probe_proto proto;
	struct ip_addr prober, target, from;
	uint16_t dport, sport_lo, sport_hi;
	uint64_t count, pps, seconds;
	int full_quote;
	uint64_t rng;
};

/* xorshift64*: fast, and the seed makes a flood replayable. */
static uint64_t rnd(struct forge *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An IP header; returns its length. */
static size_t ip_header(uint8_t *b, const struct ip_addr *src, const struct ip_addr *dst,
			uint8_t proto, size_t l4len, uint16_t id)
{
	if (src->family == AF_INET) {
		memset(b, 0, 20);
		b[0] = 0x45;
		put16(b + 2, (uint16_t)(20 + l4len));
		put16(b + 4, id);
		b[8] = 64;
		b[9] = proto;
		memcpy(b + 12, src->b, 4);
		memcpy(b + 16, dst->b, 4);
		put16(b + 10, cksum_finish(cksum_add(0, b, 20)));
		return 20;
	}
	memset(b, 0, 40);
	put32(b, 6u << 28);
	put16(b + 4, (uint16_t)l4len);
	b[6] = proto;
	b[7] = 64;
	memcpy(b + 8, src->b, 16);
	memcpy(b + 24, dst->b, 16);
	return 40;
}

/* The ICMP(v6) checksum of the message at m (len bytes) from src to dst. */
static void icmp_sum(uint8_t *m, size_t len, const struct ip_addr *src, const struct ip_addr *dst)
{
	uint32_t sum = src->family == AF_INET6 ? cksum_pseudo(src, dst, 58, (uint32_t)len) : 0;

	put16(m + 2, 0);
	put16(m + 2, cksum_finish(cksum_add(sum, m, len)));
}

/* A guessed probe: a port in the window, everything the attacker cannot know drawn at random. */
static void guess(struct forge *f, struct probe_spec *p)
{
	uint64_t r = rnd(f);
	uint16_t flow = (uint16_t)(r % (uint64_t)(f->sport_hi - f->sport_lo + 1));

	memset(p, 0, sizeof(*p));
	p->proto = f->proto;
	p->src = f->prober;
	p->dst = f->target;
	p->ttl = 1;
	p->sport = (uint16_t)(f->sport_lo + flow);
	p->dport = f->proto == PROBE_ICMP ? 0 : f->dport;
	p->probe_id = (uint16_t)(r >> 16);
	if (p->probe_id == 0 || p->probe_id == 0xffff)
		p->probe_id = 1;
	p->tag = rnd(f);
	/* ecmptrace's public flow rule for the ICMP checksum (flow.c), known to anyone. */
	p->icmp_checksum = (uint16_t)(0x8000u ^ ((unsigned)(p->sport - f->sport_lo) * 0x9e37u + 1u));
	p->payload_len = f->proto == PROBE_TCP ? 0 : 12;
}

/* An ICMP error from a forged router (or the target) quoting a guessed probe. */
static size_t forge_error(struct forge *f, uint8_t *b)
{
	struct probe_spec p;
	uint8_t probe[PKT_MAX];
	size_t plen, hl = f->family == AF_INET ? 20 : 40, qlen;
	struct ip_addr from = f->target;
	uint8_t *m = b + hl;
	int v4 = f->family == AF_INET;

	guess(f, &p);
	plen = probe_build(&p, probe, sizeof(probe));
	if (plen == 0)
		return 0;
	/* IPv4 routers may quote 8 transport bytes (RFC 792): the least an attacker must guess. */
	qlen = f->full_quote || !v4 ? plen : hl + 8;
	if (f->mode == M_ERROR) {
		from = f->from;
		from.b[v4 ? 3 : 15] = (uint8_t)(1 + rnd(f) % 250);
	}
	memset(m, 0, 8);
	if (f->mode == M_ERROR)
		m[0] = v4 ? 11 : 3;
	else
		m[0] = v4 ? 3 : 1, m[1] = v4 ? 3 : 4;
	memcpy(m + 8, probe, qlen);
	icmp_sum(m, 8 + qlen, &from, &f->prober);
	return ip_header(b, &from, &f->prober, v4 ? 1 : 58, 8 + qlen, (uint16_t)rnd(f)) + 8 + qlen;
}

/* The target's own answer, guessed: an echo reply or a TCP SYN-ACK / RST. */
static size_t forge_direct(struct forge *f, uint8_t *b)
{
	struct probe_spec p;
	size_t hl = f->family == AF_INET ? 20 : 40, l4len;
	uint8_t *l4 = b + hl;
	int v4 = f->family == AF_INET;

	guess(f, &p);
	if (f->mode == M_ECHO) {
		uint64_t t = rnd(f);

		l4len = 8 + 12;
		memset(l4, 0, l4len);
		l4[0] = v4 ? 0 : 129;
		put16(l4 + 4, p.sport);
		put16(l4 + 6, p.probe_id);
		for (int i = 0; i < 12; i++)
			l4[8 + i] = (uint8_t)(t >> (8 * (i % 8)));
		icmp_sum(l4, l4len, &f->target, &f->prober);
		return ip_header(b, &f->target, &f->prober, v4 ? 1 : 58, l4len, (uint16_t)t) + l4len;
	}
	l4len = 20;
	memset(l4, 0, l4len);
	put16(l4, f->dport);
	put16(l4 + 2, p.sport);
	put32(l4 + 4, (uint32_t)rnd(f));
	put32(l4 + 8, probe_tcp_seq(&p) + 1);
	l4[12] = 0x50;
	l4[13] = rnd(f) & 1 ? 0x12 : 0x14;
	put16(l4 + 14, 64240);
	{
		uint32_t sum = cksum_pseudo(&f->target, &f->prober, 6, (uint32_t)l4len);

		put16(l4 + 16, cksum_finish(cksum_add(sum, l4, l4len)));
	}
	return ip_header(b, &f->target, &f->prober, 6, l4len, (uint16_t)rnd(f)) + l4len;
}

static int usage(const char *why)
{
	fprintf(stderr, "forge: %s\nusage: forge -4|-6 -m error|unreach|echo|tcp -p udp|tcp|icmp "
		"-s PROBER -d TARGET [-P DPORT] -L LO -H HI -f FROM [-n N] [-t S] [-r PPS] "
		"[-q full|short] [-S SEED]\n", why);
	return 2;
}

static int number(const char *arg, long long min, long long max, uint64_t *out)
{
	long long v;
	char err[128];

	if (!parse_int(arg, min, max, &v, err, sizeof(err))) {
		fprintf(stderr, "forge: %s\n", err);
		return 0;
	}
	*out = (uint64_t)v;
	return 1;
}

static int parse(int argc, char **argv, struct forge *f)
{
	uint64_t v;
	int c;

	memset(f, 0, sizeof(*f));
	f->rng = 0x9e3779b97f4a7c15ull;
	f->dport = 33434;
	while ((c = getopt(argc, argv, "46m:p:s:d:P:L:H:f:n:t:r:q:S:")) != -1) {
		switch (c) {
		case '4': f->family = AF_INET; break;
		case '6': f->family = AF_INET6; break;
		case 'm':
			f->mode = !strcmp(optarg, "error") ? M_ERROR : !strcmp(optarg, "unreach") ? M_UNREACH
				: !strcmp(optarg, "echo") ? M_ECHO : M_TCP;
			break;
		case 'p':
			f->proto = !strcmp(optarg, "udp") ? PROBE_UDP : !strcmp(optarg, "tcp") ? PROBE_TCP
				 : PROBE_ICMP;
			break;
		case 's': if (!addr_parse(optarg, &f->prober)) return usage("bad -s"); break;
		case 'd': if (!addr_parse(optarg, &f->target)) return usage("bad -d"); break;
		case 'f': if (!addr_parse(optarg, &f->from)) return usage("bad -f"); break;
		case 'P': if (!number(optarg, 1, 65535, &v)) return 2; f->dport = (uint16_t)v; break;
		case 'L': if (!number(optarg, 1, 65535, &v)) return 2; f->sport_lo = (uint16_t)v; break;
		case 'H': if (!number(optarg, 1, 65535, &v)) return 2; f->sport_hi = (uint16_t)v; break;
		case 'n': if (!number(optarg, 1, 1000000000000LL, &f->count)) return 2; break;
		case 't': if (!number(optarg, 1, 86400, &f->seconds)) return 2; break;
		case 'r': if (!number(optarg, 1, 100000000, &f->pps)) return 2; break;
		case 'q': f->full_quote = !strcmp(optarg, "full"); break;
		case 'S': if (!number(optarg, 0, 0x7fffffffffffffffLL, &v)) return 2; f->rng ^= v; break;
		default: return usage("unknown option");
		}
	}
	if (f->family == 0 || f->prober.family != f->family || f->target.family != f->family)
		return usage("-4/-6, -s and -d of that family are required");
	if (f->mode == M_ERROR && f->from.family != f->family)
		return usage("-f of the family is required for -m error");
	if (f->sport_lo == 0 || f->sport_hi < f->sport_lo)
		return usage("-L LO -H HI: a window of source ports");
	if (f->count == 0 && f->seconds == 0)
		return usage("-n or -t");
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[BATCH][PKT_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage to;
	socklen_t tolen;
	struct forge f;
	uint64_t sent = 0;
	double start, end;
	int fd, rc = parse(argc, argv, &f);

	if (rc != 0)
		return rc;
	fd = socket(f.family, SOCK_RAW, IPPROTO_RAW);	/* IPPROTO_RAW: we write the IP header */
	if (fd < 0) {
		perror("forge: socket");
		return 1;
	}
	tolen = addr_to_sockaddr(&f.prober, 0, &to);
	start = now_s();
	end = f.seconds ? start + (double)f.seconds : 0;
	for (;;) {
		int n = 0, k;

		while (n < BATCH && (f.count == 0 || sent + (uint64_t)n < f.count)) {
			size_t len = f.mode <= M_UNREACH ? forge_error(&f, pkts[n]) : forge_direct(&f, pkts[n]);

			iov[n] = (struct iovec){.iov_base = pkts[n], .iov_len = len};
			msgs[n] = (struct mmsghdr){.msg_hdr = {.msg_name = &to, .msg_namelen = tolen,
							       .msg_iov = &iov[n], .msg_iovlen = 1}};
			n++;
		}
		if (n == 0)
			break;
		k = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (k < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			perror("forge: sendmmsg");
			break;
		}
		sent += (uint64_t)k;
		if (end != 0 && now_s() >= end)
			break;
		/* Paced: sleep until the schedule of -r catches up with what went out. */
		while (f.pps != 0) {
			double due = start + (double)sent / (double)f.pps, t = now_s();

			if (t >= due)
				break;
			usleep((useconds_t)((due - t) * 1e6) + 1);
		}
	}
	printf("%llu\n", (unsigned long long)sent);
	close(fd);
	return 0;
}
