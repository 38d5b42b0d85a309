/*
 * libpcap capture on the "any" device (or the one -I names) with a kernel
 * (BPF) filter, so that only datagrams addressed to us that can answer a
 * probe reach user space.
 * Arrival times come from the capture's timestamps, mapped onto the
 * monotonic clock, so RTTs do not include our own scheduling delays.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/capture.h"
#include "wire/dissect.h"
#include "wire/link.h"

/*
 * Source addresses the filter lets answers to: ours, and those per-flow
 * steering chose for flows leaving by other uplinks.  A host has about as
 * many as uplinks; past this many the filter stops looking at them.
 */
#define CAPTURE_SOURCES_MAX 8
/*
 * TCP targets the filter names (their SYN-ACKs and RSTs come from them);
 * past this many, TCP from anyone with SYN or RST set goes through and
 * the engines tell theirs apart (every answer is authenticated anyway).
 */
#define CAPTURE_TCP_TARGETS_MAX 16

struct capture {
	pcap_t *pcap;
	int linktype;
	int fd;
	bool has4, has6;		/* targets of each family */
	struct ip_addr tcp_dsts[CAPTURE_TCP_TARGETS_MAX];	/* TCP targets (the first: dst) */
	int ntcp;
	bool any_tcp;			/* more TCP targets than tcp_dsts holds */
	struct ip_addr srcs[CAPTURE_SOURCES_MAX];
	int nsrcs;
	bool any_source;		/* more sources than srcs holds */
};

/* "dst host A or dst host B ..." for family, or "1 = 1" for any destination of ours. */
static void dst_clause(const struct capture *c, int family, char *out, size_t len)
{
	size_t used = 0;
	char a[ADDR_STRLEN];

	out[0] = '\0';
	if (c->any_source) {
		snprintf(out, len, "1 = 1");
		return;
	}
	for (int i = 0; i < c->nsrcs && used < len; i++) {
		int n;

		if (c->srcs[i].family != family)
			continue;
		n = snprintf(out + used, len - used, "%sdst host %s", used ? " or " : "",
			     addr_format(&c->srcs[i], a, sizeof(a)));
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* " or (tcp and (src host A or ...))" for the IPv4 TCP targets, "" when there is none. */
static void tcp_clause(const struct capture *c, char *out, size_t len)
{
	size_t used = 0;
	char a[ADDR_STRLEN];

	out[0] = '\0';
	if (c->any_tcp) {
		snprintf(out, len, " or (tcp and tcp[13] & 0x06 != 0)");
		return;
	}
	for (int i = 0; i < c->ntcp && used < len; i++) {
		int n;

		if (c->tcp_dsts[i].family != AF_INET)
			continue;
		n = snprintf(out + used, len - used, "%ssrc host %s",
			     used ? " or " : " or (tcp and (", addr_format(&c->tcp_dsts[i], a, sizeof(a)));
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (used > 0 && used < len)
		snprintf(out + used, len - used, "))");
}

/*
 * The BPF program: answers to us, from anyone for ICMP, from the targets
 * for TCP; for each family there are targets of (both: either program).
 */
static void build_filter(const struct capture *c, char *out, size_t len)
{
	char dsts4[CAPTURE_SOURCES_MAX * (ADDR_STRLEN + 16)];
	char dsts6[CAPTURE_SOURCES_MAX * (ADDR_STRLEN + 16)];
	char tcp[CAPTURE_TCP_TARGETS_MAX * (ADDR_STRLEN + 16) + 32];
	char v4[sizeof(dsts4) + sizeof(tcp) + 40] = "", v6[sizeof(dsts6) + 20] = "";

	dst_clause(c, AF_INET, dsts4, sizeof(dsts4));
	dst_clause(c, AF_INET6, dsts6, sizeof(dsts6));
	tcp_clause(c, tcp, sizeof(tcp));
	/* A family without a source of ours yet has nothing to let through. */
	if (c->has4 && dsts4[0] != '\0')
		snprintf(v4, sizeof(v4), "ip and (%s) and (icmp%s)", dsts4, tcp);
	/* IPv6 extension headers hide "icmp6" from BPF: let the dissector decide. */
	if (c->has6 && dsts6[0] != '\0')
		snprintf(v6, sizeof(v6), "ip6 and (%s)", dsts6);
	if (v4[0] != '\0' && v6[0] != '\0')
		snprintf(out, len, "(%s) or (%s)", v4, v6);
	else
		snprintf(out, len, "%s", v4[0] != '\0' ? v4 : v6);
}

/* Compiles and installs the filter for the current sources. */
static bool apply_filter(struct capture *c, char *err, size_t errlen)
{
	char filter[(2 * CAPTURE_SOURCES_MAX + CAPTURE_TCP_TARGETS_MAX) * (ADDR_STRLEN + 16) + 200];
	struct bpf_program prog;
	bool ok;

	build_filter(c, filter, sizeof(filter));
	if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "capture filter: %s", pcap_geterr(c->pcap));
		return false;
	}
	ok = pcap_setfilter(c->pcap, &prog) == 0;
	if (!ok)
		snprintf(err, errlen, "capture filter: %s", pcap_geterr(c->pcap));
	pcap_freecode(&prog);
	return ok;
}

bool capture_add_source(struct capture *c, const struct ip_addr *src, char *err, size_t errlen)
{
	for (int i = 0; i < c->nsrcs; i++)
		if (addr_equal(&c->srcs[i], src))
			return true;
	if (c->any_source)
		return true;
	if (c->nsrcs < CAPTURE_SOURCES_MAX)
		c->srcs[c->nsrcs++] = *src;
	else
		c->any_source = true;
	return apply_filter(c, err, errlen);
}

bool capture_add_target(struct capture *c, const struct ip_addr *dst, enum probe_proto proto,
			char *err, size_t errlen)
{
	bool *has = dst->family == AF_INET6 ? &c->has6 : &c->has4;
	bool new_family = !*has, tcp_known = proto != PROBE_TCP || c->any_tcp;

	for (int i = 0; !tcp_known && i < c->ntcp; i++)
		tcp_known = addr_equal(&c->tcp_dsts[i], dst);
	if (!new_family && tcp_known)
		return true;
	*has = true;
	if (!tcp_known && c->ntcp < CAPTURE_TCP_TARGETS_MAX)
		c->tcp_dsts[c->ntcp++] = *dst;
	else if (!tcp_known)
		c->any_tcp = true;
	return apply_filter(c, err, errlen);
}

struct capture *capture_open(const struct ip_addr *src, const struct ip_addr *dst,
			     enum probe_proto proto, const char *device, char *err,
			     size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->pcap = pcap_create(device != NULL && device[0] != '\0' ? device : "any", ebuf);
	if (c->pcap == NULL) {
		snprintf(err, errlen, "capture: %s", ebuf);
		free(c);
		return NULL;
	}
	pcap_set_snaplen(c->pcap, 2048);
	pcap_set_promisc(c->pcap, 0);
	/*
	 * Answers are timestamped by the kernel as they arrive, so RTTs do
	 * not depend on when we read them: let the kernel hand them over in
	 * batches (at most CAPTURE_BATCH_MS late) instead of waking us once
	 * per packet.  The engine judges timeouts that much later.
	 */
	pcap_set_immediate_mode(c->pcap, 0);
	pcap_set_timeout(c->pcap, CAPTURE_BATCH_MS);
	pcap_set_buffer_size(c->pcap, 4 << 20);
	pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_MICRO);
	if (pcap_activate(c->pcap) < 0) {
		snprintf(err, errlen, "capture: %s", pcap_geterr(c->pcap));
		goto fail;
	}
	c->has4 = dst->family == AF_INET;
	c->has6 = dst->family == AF_INET6;
	if (proto == PROBE_TCP)
		c->tcp_dsts[c->ntcp++] = *dst;
	c->srcs[0] = *src;
	c->nsrcs = 1;
	if (!apply_filter(c, err, errlen))
		goto fail;
	/* Our own probes are outgoing; where the platform can, skip them in the kernel. */
	(void)pcap_setdirection(c->pcap, PCAP_D_IN);
	if (pcap_setnonblock(c->pcap, 1, ebuf) < 0) {
		snprintf(err, errlen, "capture: %s", ebuf);
		goto fail;
	}
	c->linktype = pcap_datalink(c->pcap);
	c->fd = pcap_get_selectable_fd(c->pcap);
	if (c->fd < 0) {
		snprintf(err, errlen, "capture: no selectable descriptor");
		goto fail;
	}
	return c;
fail:
	pcap_close(c->pcap);
	free(c);
	return NULL;
}

void capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	pcap_close(c->pcap);
	free(c);
}

int capture_fd(const struct capture *c)
{
	return c->fd;
}

struct dispatch_ctx {
	struct capture *c;
	net_packet_fn fn;
	void *ctx;
	uint64_t mono_now, real_now;	/* one clock reading per batch */
};

/* Maps a capture timestamp (real time) onto the monotonic clock. */
static uint64_t arrival(const struct dispatch_ctx *d, const struct timeval *ts)
{
	uint64_t real = (uint64_t)ts->tv_sec * 1000000 + (uint64_t)ts->tv_usec;

	/* A timestamp from the future or older than a second is not trusted. */
	if (real > d->real_now || d->real_now - real > 1000000)
		return d->mono_now;
	return d->mono_now - (d->real_now - real);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct dispatch_ctx *d = (struct dispatch_ctx *)user;
	long off = link_ip_offset(d->c->linktype, bytes, h->caplen);
	uint8_t ll[REPLY_LLADDR_MAX];
	size_t lllen;

	if (off < 0)
		return;
	lllen = link_source_addr(d->c->linktype, bytes, (size_t)off, ll, sizeof(ll));
	d->fn(d->ctx, bytes + off, h->caplen - (size_t)off, arrival(d, &h->ts), ll, lllen);
}

int capture_dispatch(struct capture *c, net_packet_fn fn, void *ctx, uint64_t now_us, char *err,
		     size_t errlen)
{
	struct dispatch_ctx d = {.c = c, .fn = fn, .ctx = ctx};
	struct timespec rt;
	int n;

	clock_gettime(CLOCK_REALTIME, &rt);
	d.mono_now = now_us;
	d.real_now = (uint64_t)rt.tv_sec * 1000000 + (uint64_t)rt.tv_nsec / 1000;
	n = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)&d);
	if (n < 0) {
		snprintf(err, errlen, "capture: %s", pcap_geterr(c->pcap));
		return -1;
	}
	return n;
}
