/*
 * Tests of the simulated network itself (no engine): TTL expiry at the
 * right router, replies filled as reply_dissect would, ECMP hash splits,
 * loss probabilities, the Linux ICMP token bucket, per-packet balancing,
 * return-path loss, impairments and determinism.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

static struct ip_addr src4, dst4, src6, dst6;

static bool same(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

static struct probe_spec probe(const struct ip_addr *src, const struct ip_addr *dst,
			       enum probe_proto proto, int ttl, uint16_t sport, uint16_t id)
{
	struct probe_spec p;

	memset(&p, 0, sizeof(p));
	p.proto = proto;
	p.src = *src;
	p.dst = *dst;
	p.ttl = (uint8_t)ttl;
	p.sport = sport;
	p.dport = proto == PROBE_ICMP ? 0 : 33434;
	p.probe_id = id;
	p.tag = 0x1234567890abcdefull;
	p.icmp_checksum = (uint16_t)(0x8000u ^ (sport * 0x9e37u + 1u));
	p.payload_len = 12;
	if (dst->family == AF_INET6)
		p.flow_label = 7;
	return p;
}

/* |x - n p| within k standard deviations of a binomial(n, p). */
static bool binomial_ok(double x, double n, double p, double k)
{
	return fabs(x - n * p) <= k * sqrt(n * p * (1 - p)) + 1;
}

static void test_chain(void)
{
	struct simnet *n = simnet_chain(&src4, &dst4, 4, 1);
	struct reply r;
	bool good = true;
	uint64_t at;

	ok(n != NULL, "chain(4) builds");
	for (int t = 1; t <= 4; t++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, t, 33000, (uint16_t)(100 + t));
		struct ip_addr want;

		simnet_stage_addr(AF_INET, t, 0, &want);
		good &= simnet_send(n, &p, 5000000) == SIMNET_FATE_ANSWERED;
		good &= simnet_next_arrival(n, &at) && at == 5000000 + 1000u * (uint64_t)t;
		good &= !simnet_next_reply(n, at - 1, &r);
		good &= simnet_next_reply(n, at, &r);
		good &= r.kind == REPLY_TIME_EXCEEDED && r.icmp_type == 11 && r.icmp_code == 0;
		good &= same(&r.from, &want) && r.reply_ttl == 64 - (t - 1);
		good &= same(&r.probe_src, &src4) && same(&r.probe_dst, &dst4);
		good &= r.proto == PROBE_UDP && r.sport == 33000 && r.dport == 33434;
		good &= r.probe_id == 100 + t && r.ip_id == 0xcdef && r.quoted_ttl == 1;
		good &= r.tcp_seq == 0 && r.mpls_count == 0 && r.payload_len == 12;
		good &= r.payload[2] == 0x12 && r.payload[9] == 0xef && r.payload[10] == 0x12;
	}
	ok(good, "TTL t expires at router t with a TIME_EXCEEDED filled like reply_dissect");

	struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 9, 33001, 200);

	ok(simnet_send(n, &p, 0) == SIMNET_FATE_DEST_ANSWERED, "TTL 9 reaches the destination");
	ok(simnet_next_reply(n, 1000000, &r) && r.kind == REPLY_DEST_UNREACH && r.icmp_type == 3 &&
	   r.icmp_code == 3 && same(&r.from, &dst4) && r.quoted_ttl == 5 && r.reply_ttl == 60 &&
	   r.probe_id == 200 && r.sport == 33001, "UDP at the destination: port unreachable, quoted TTL 5");

	p = probe(&src4, &dst4, PROBE_TCP, 5, 33002, 201);
	simnet_send(n, &p, 0);
	ok(simnet_next_reply(n, 1000000, &r) && r.kind == REPLY_TCP_SYNACK && r.icmp_type == 0 &&
	   same(&r.from, &dst4) && r.probe_id == 201 && r.tcp_seq == (201u << 16 | 0x90ab) && r.sport == 33002 &&
	   r.dport == 33434 && r.ip_id == 0 && r.quoted_ttl == 0, "TCP SYN to a listener: SYN-ACK");
	simnet_dest(n)->listening = false;
	simnet_send(n, &p, 0);
	ok(simnet_next_reply(n, 1000000, &r) && r.kind == REPLY_TCP_RST, "TCP SYN to a closed port: RST");
	p = probe(&src4, &dst4, PROBE_ICMP, 5, 33003, 202);
	simnet_send(n, &p, 0);
	ok(simnet_next_reply(n, 1000000, &r) && r.kind == REPLY_ECHO_REPLY && r.icmp_type == 0 &&
	   r.sport == 33003 && r.dport == 0 && r.probe_id == 202, "ICMP echo: echo reply");
	p.ttl = 0;
	ok(simnet_send(n, &p, 0) == SIMNET_FATE_INVALID && simnet_pending(n) == 0, "TTL 0 is dropped");

	int ids[8];

	p = probe(&src4, &dst4, PROBE_UDP, 1, 40000, 1);
	ok(simnet_path_ids(n, &p, ids, 8) == 4 && ids[0] == simnet_at(n, 1, 0) &&
	   ids[3] == simnet_at(n, 4, 0), "oracle: the chain's four routers");
	simnet_free(n);
}

static void test_v6(void)
{
	struct simnet *n = simnet_chain(&src6, &dst6, 2, 2);
	struct probe_spec p = probe(&src6, &dst6, PROBE_UDP, 1, 33000, 300);
	struct reply r;
	struct ip_addr want;

	simnet_stage_addr(AF_INET6, 1, 0, &want);
	simnet_send(n, &p, 0);
	ok(simnet_next_reply(n, 10000, &r) && r.kind == REPLY_TIME_EXCEEDED && r.icmp_type == 3 &&
	   same(&r.from, &want) && r.flow_label == 7 && r.ip_id == 0 && r.quoted_ttl == 1,
	   "IPv6 hop limit exceeded: type 3, flow label quoted");
	p.ttl = 3;
	simnet_send(n, &p, 0);
	ok(simnet_next_reply(n, 10000, &r) && r.kind == REPLY_DEST_UNREACH && r.icmp_type == 1 &&
	   r.icmp_code == 4 && same(&r.from, &dst6), "IPv6 port unreachable: type 1 code 4");
	p.proto = PROBE_ICMP;
	simnet_send(n, &p, 0);
	ok(simnet_next_reply(n, 10000, &r) && r.kind == REPLY_ECHO_REPLY && r.icmp_type == 129 &&
	   r.flow_label == 0, "IPv6 echo reply: type 129, no quoted label");
	simnet_free(n);
}

/* Which stage-2 router answers flow sport at TTL 2 (index), or -1. */
static int answer_index(struct simnet *n, const struct probe_spec *p)
{
	struct reply r;
	int id;

	simnet_send(n, p, 0);
	if (!simnet_next_reply(n, UINT64_MAX, &r))
		return -1;
	id = simnet_find(n, &r.from);
	return id < 0 ? -1 : simnet_node(n, id)->index;
}

static void test_hash(void)
{
	int widths[] = {1, 4, 1};
	struct simnet *n = simnet_diamond(&src4, &dst4, widths, 3, false, 3);
	int count[4] = {0}, agree = 0, total = 4000;
	bool even = true;

	for (int i = 0; i < total; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 2, (uint16_t)(20000 + i), 5);
		struct ip_addr path[8];
		int k = answer_index(n, &p);

		if (k >= 0)
			count[k]++;
		if (k >= 0 && simnet_path(n, &p, path, 8) == 3 &&
		    same(&path[1], &simnet_node(n, simnet_at(n, 2, k))->addr))
			agree++;
	}
	for (int k = 0; k < 4; k++)
		even &= binomial_ok(count[k], total, 0.25, 5);
	ok(even, "PORTS hash splits 4000 flows evenly over 4 next hops (%d %d %d %d)",
	   count[0], count[1], count[2], count[3]);
	ok(agree == total, "the oracle's path matches the responder at TTL 2 for every flow");

	/* Same flow, other probe ids and TTLs: the same branch every time. */
	bool stable = true;
	struct probe_spec p0 = probe(&src4, &dst4, PROBE_UDP, 2, 33333, 1);
	int k0 = answer_index(n, &p0);

	for (int i = 0; i < 50; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 2, 33333, (uint16_t)(2 + i));

		stable &= answer_index(n, &p) == k0;
	}
	ok(stable, "a flow keeps its branch whatever the probe id");

	/* ICMP flows hash on the checksum (Paris traceroute): they split too. */
	int icount[4] = {0};

	for (int i = 0; i < 400; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_ICMP, 2, (uint16_t)(1000 + i), 9);
		int k = answer_index(n, &p);

		if (k >= 0)
			icount[k]++;
	}
	ok(icount[0] && icount[1] && icount[2] && icount[3], "ICMP flows reach every branch");
	simnet_free(n);

	/* Meshed: two stages of two; the second choice must not copy the first. */
	int w2[] = {1, 2, 2, 1};
	int pairs[2][2] = {{0}};
	bool mixed = true;

	n = simnet_diamond(&src4, &dst4, w2, 4, true, 4);
	for (int i = 0; i < total; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 1, (uint16_t)(20000 + i), 5);
		int ids[8];

		if (simnet_path_ids(n, &p, ids, 8) == 4)
			pairs[simnet_node(n, ids[1])->index][simnet_node(n, ids[2])->index]++;
	}
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 2; b++)
			mixed &= binomial_ok(pairs[a][b], total, 0.25, 5);
	ok(mixed, "per-router seeds: successive ECMP stages split independently (%d %d %d %d)",
	   pairs[0][0], pairs[0][1], pairs[1][0], pairs[1][1]);
	simnet_free(n);
}

static void test_label_and_per_packet(void)
{
	int widths[] = {1, 2, 1};
	struct simnet *n = simnet_diamond(&src6, &dst6, widths, 3, false, 5);
	int by_label[2] = {0}, by_port[2] = {0};

	simnet_set_hash(n, SIMNET_HASH_LABEL);
	for (int i = 0; i < 1000; i++) {
		struct probe_spec p = probe(&src6, &dst6, PROBE_UDP, 2, 33000, 1);
		int k;

		p.flow_label = (uint32_t)(1 + i);
		k = answer_index(n, &p);
		if (k >= 0)
			by_label[k]++;
		p = probe(&src6, &dst6, PROBE_UDP, 2, (uint16_t)(33000 + i), 1);
		k = answer_index(n, &p);
		if (k >= 0)
			by_port[k]++;
	}
	ok(binomial_ok(by_label[0], 1000, 0.5, 5), "LABEL hash splits by flow label (%d/%d)",
	   by_label[0], by_label[1]);
	ok(by_port[0] == 1000 || by_port[1] == 1000, "LABEL hash ignores ports when the label is fixed");
	simnet_free(n);

	n = simnet_diamond(&src4, &dst4, widths, 3, false, 6);
	simnet_set_hash(n, SIMNET_HASH_PER_PACKET);
	int pp[2] = {0};
	struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 2, 33000, 1);
	struct ip_addr path[4];

	for (int i = 0; i < 2000; i++) {
		int k = answer_index(n, &p);

		if (k >= 0)
			pp[k]++;
	}
	ok(binomial_ok(pp[0], 2000, 0.5, 5) && pp[0] + pp[1] == 2000,
	   "PER_PACKET: one flow's probes spread over both branches (%d/%d)", pp[0], pp[1]);
	ok(simnet_path(n, &p, path, 4) == -1, "PER_PACKET: the oracle has no single path");
	simnet_free(n);
}

static void test_loss(void)
{
	struct simnet *n = simnet_chain(&src4, &dst4, 4, 7);
	int fwd = 0, at_router = 0, total = 10000;
	struct reply r;

	simnet_node(n, simnet_at(n, 2, 0))->fwd_loss = 0.3;
	for (int i = 0; i < total; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 5, (uint16_t)(1000 + i % 50), 9);

		if (simnet_send(n, &p, (uint64_t)i * 1000) == SIMNET_FATE_FWD_LOST)
			fwd++;
		p.ttl = 2;
		if (simnet_send(n, &p, (uint64_t)i * 1000) == SIMNET_FATE_ANSWERED)
			at_router++;
	}
	ok(binomial_ok(fwd, total, 0.3, 5), "forward loss 0.3: %d of %d lost", fwd, total);
	ok(at_router == total, "the lossy router still answers probes that expire at it");
	while (simnet_next_reply(n, UINT64_MAX, &r))
		;
	ok(simnet_pending(n) == 0, "the queue drains");
	simnet_free(n);

	n = simnet_chain(&src4, &dst4, 2, 8);
	simnet_dest(n)->loss = 0.1;
	simnet_node(n, simnet_at(n, 1, 0))->reply_loss = 0.2;
	int dl = 0, rl = 0;

	for (int i = 0; i < total; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 3, 1000, 9);

		dl += simnet_send(n, &p, 0) == SIMNET_FATE_DEST_LOST;
		p.ttl = 1;
		rl += simnet_send(n, &p, 0) == SIMNET_FATE_RETURN_LOST;
	}
	ok(binomial_ok(dl, total, 0.1, 5), "destination loss 0.1: %d of %d", dl, total);
	ok(binomial_ok(rl, total, 0.2, 5), "router reply loss 0.2: %d of %d", rl, total);
	simnet_free(n);
}

static void test_rate_limit(void)
{
	struct simnet *n = simnet_chain(&src4, &dst4, 1, 9);
	struct simnet_node *r1 = simnet_node(n, simnet_at(n, 1, 0));
	struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 1, 1000, 9);
	uint64_t t0 = 50000000;
	int a = 0, b = 0, c = 0, d = 0;

	simnet_rate_limit(r1, SIMNET_LINUX_RL_BURST, SIMNET_LINUX_RL_INTERVAL_US);
	for (int i = 0; i < 20; i++)
		a += simnet_send(n, &p, t0 + (uint64_t)i * 1000) == SIMNET_FATE_ANSWERED;
	ok(a == 6, "token bucket: a burst of 6 answered out of 20 (%d)", a);
	for (int i = 0; i < 10; i++)
		b += simnet_send(n, &p, t0 + 1500000 + (uint64_t)i * 1000) == SIMNET_FATE_ANSWERED;
	ok(b == 1, "then one per second (%d)", b);
	for (int i = 0; i < 100; i++)
		c += simnet_send(n, &p, t0 + 2000000 + (uint64_t)i * 100000) == SIMNET_FATE_ANSWERED;
	ok(c >= 9 && c <= 11, "100 probes over 10 s at 10/s: about 10 answered (%d)", c);
	for (int i = 0; i < 20; i++)
		d += simnet_send(n, &p, t0 + 100000000 + (uint64_t)i) == SIMNET_FATE_ANSWERED;
	ok(d == 6 && r1->rate_limited > 0, "after a long pause the bucket holds 6 again, not more (%d)", d);

	/* The destination's port unreachables are ICMP errors: limited; echo replies are not. */
	struct simnet_node *dn = simnet_node(n, SIMNET_DST);
	int u = 0, e = 0;

	simnet_rate_limit(dn, 6, 1000000);
	for (int i = 0; i < 20; i++) {
		p = probe(&src4, &dst4, PROBE_UDP, 2, 1000, 9);
		u += simnet_send(n, &p, t0) == SIMNET_FATE_DEST_ANSWERED;
		p.proto = PROBE_ICMP;
		e += simnet_send(n, &p, t0) == SIMNET_FATE_DEST_ANSWERED;
	}
	ok(u == 6 && e == 20, "destination: port unreachables limited (%d), echo replies not (%d)", u, e);
	simnet_free(n);
}

static void test_silent_unreach_split(void)
{
	int widths[] = {1, 2, 1};
	struct simnet *n = simnet_diamond(&src4, &dst4, widths, 3, false, 10);
	int b0 = simnet_at(n, 2, 0), b1 = simnet_at(n, 2, 1);
	struct ip_addr extra;
	char err[80];
	struct reply r;

	simnet_node(n, b0)->silent = true;
	simnet_stage_addr(AF_INET, 9, 9, &extra);
	ok(simnet_split(n, b1, simnet_at(n, 3, 0), &extra) > 0, "split a link");
	ok(simnet_check(n, err, sizeof(err)), "the split diamond is a DAG");

	int silent = 0, answered = 0, len3 = 0, len4 = 0;

	for (int i = 0; i < 200; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 2, (uint16_t)(7000 + i), 3);
		int ids[8], len = simnet_path_ids(n, &p, ids, 8);
		enum simnet_fate f = simnet_send(n, &p, 0);

		if (ids[1] == b0)
			silent += f == SIMNET_FATE_SILENT;
		else
			answered += f == SIMNET_FATE_ANSWERED;
		len3 += len == 3 && ids[1] == b0;
		len4 += len == 4 && ids[1] == b1;
	}
	ok(silent + answered == 200 && silent > 0 && answered > 0,
	   "the silent router never answers, its sibling always does");
	ok(len3 + len4 == 200, "unequal paths: 3 routers via one branch, 4 via the other");
	while (simnet_next_reply(n, UINT64_MAX, &r))
		;

	simnet_node(n, b0)->silent = false;
	simnet_node(n, b0)->unreach_code = 13;
	int unreach = 0;

	for (int i = 0; i < 200; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 6, (uint16_t)(7000 + i), 3);
		int ids[8];

		simnet_path_ids(n, &p, ids, 8);
		if (ids[1] != b0)
			continue;
		simnet_send(n, &p, 0);
		unreach += simnet_next_reply(n, UINT64_MAX, &r) && r.kind == REPLY_DEST_UNREACH &&
			   r.icmp_code == 13 && same(&r.from, &simnet_node(n, b0)->addr) &&
			   r.quoted_ttl == 5;
	}
	ok(unreach > 0 && simnet_pending(n) == 0, "an unreachable router answers code 13 (%d)", unreach);

	simnet_link(n, simnet_at(n, 3, 0), b0);
	ok(!simnet_check(n, err, sizeof(err)), "a cycle is detected (%s)", err);
	simnet_free(n);
}

static void test_return_path(void)
{
	struct simnet *n = simnet_chain(&src4, &dst4, 2, 11);
	struct simnet_dest *d = simnet_dest(n);
	int all_or_nothing = 1, bad_flows = 0;

	d->drop_sports[0] = 30003;
	d->drop_sports[1] = 30007;
	d->ndrop_sports = 2;
	int dropped = 0;

	for (int s = 30000; s < 30010; s++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_TCP, 3, (uint16_t)s, 4);

		dropped += simnet_send(n, &p, 0) == SIMNET_FATE_RETURN_LOST;
	}
	ok(dropped == 2, "replies to source ports 30003 and 30007 never come back");

	d->ndrop_sports = 0;
	d->ret_members = 4;
	d->ret_loss[2] = 1.0;
	for (int s = 0; s < 400; s++) {
		int lost = 0;

		for (int k = 0; k < 5; k++) {
			struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 3, (uint16_t)(40000 + s),
						    (uint16_t)(k + 1));

			lost += simnet_send(n, &p, 0) == SIMNET_FATE_RETURN_LOST;
		}
		all_or_nothing &= lost == 0 || lost == 5;
		bad_flows += lost == 5;
	}
	ok(all_or_nothing, "a bad return member loses all replies of its flows, none of the others");
	ok(binomial_ok(bad_flows, 400, 0.25, 5), "one member of four: about a quarter of flows (%d)",
	   bad_flows);
	simnet_free(n);
}

/* Fates of 500 probes through a lossy diamond, for comparisons. */
static void fates(uint32_t seed, double dup, double foreign, enum simnet_fate *out, uint64_t *queued)
{
	int widths[] = {2, 3, 1};
	struct simnet *n = simnet_diamond(&src4, &dst4, widths, 3, true, seed);
	struct reply r;

	simnet_set_hash(n, SIMNET_HASH_PER_PACKET);
	simnet_node(n, simnet_at(n, 2, 1))->fwd_loss = 0.4;
	simnet_dest(n)->loss = 0.05;
	simnet_faults(n)->dup_prob = dup;
	simnet_faults(n)->foreign_prob = foreign;
	for (int i = 0; i < 500; i++) {
		struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 1 + i % 5, (uint16_t)(100 + i % 7), 3);

		out[i] = simnet_send(n, &p, (uint64_t)i * 100);
	}
	*queued = 0;
	while (simnet_next_reply(n, UINT64_MAX, &r))
		(*queued)++;
	simnet_free(n);
}

static void test_faults_and_determinism(void)
{
	enum simnet_fate a[500], b[500], c[500], d[500];
	uint64_t qa, qb, qc, qd;

	fates(77, 0, 0, a, &qa);
	fates(77, 0, 0, b, &qb);
	fates(77, 0.5, 0.5, c, &qc);
	fates(78, 0, 0, d, &qd);
	ok(memcmp(a, b, sizeof(a)) == 0 && qa == qb, "same seed, same fates");
	ok(memcmp(a, c, sizeof(a)) == 0 && qc > qa, "impairments do not change any probe's fate");
	ok(memcmp(a, d, sizeof(a)) != 0, "another seed, other fates");

	struct simnet *n = simnet_chain(&src4, &dst4, 2, 12);
	struct simnet_faults *f = simnet_faults(n);
	struct probe_spec p = probe(&src4, &dst4, PROBE_UDP, 1, 2000, 77);
	struct reply r1, r2;
	uint64_t at1, at2;

	f->dup_prob = 1;
	f->dup_gap_us = 300;
	simnet_send(n, &p, 0);
	ok(simnet_next_arrival(n, &at1) && simnet_next_reply(n, at1, &r1) &&
	   simnet_next_arrival(n, &at2) && simnet_next_reply(n, at2, &r2) &&
	   at2 == at1 + 300 && memcmp(&r1, &r2, sizeof(r1)) == 0, "duplicate: the same reply twice");
	f->dup_prob = 0;
	f->late_prob = 1;
	f->late_extra_us = 5000000;
	simnet_send(n, &p, 0);
	ok(simnet_next_arrival(n, &at1) && at1 == 1000 + 5000000, "late: held back by late_extra_us");
	simnet_next_reply(n, at1, &r1);
	f->late_prob = 0;
	f->reorder_prob = 1;
	f->reorder_extra_us = 3000;
	simnet_send(n, &p, 0);
	f->reorder_prob = 0;
	p.ttl = 2;
	simnet_send(n, &p, 100);
	ok(simnet_next_reply(n, UINT64_MAX, &r1) && simnet_next_reply(n, UINT64_MAX, &r2) &&
	   r1.quoted_ttl == 1 && simnet_find(n, &r1.from) == simnet_at(n, 2, 0) &&
	   simnet_find(n, &r2.from) == simnet_at(n, 1, 0), "reordering: a later reply overtakes");

	bool kinds = true;

	f->foreign_prob = 1;
	p.ttl = 1;
	for (int k = 0; k < SIMNET_FOREIGN_KINDS; k++) {
		struct reply got[2];
		int m = 0;

		f->foreign_kind = k;
		simnet_send(n, &p, 0);
		while (m < 2 && simnet_next_reply(n, UINT64_MAX, &got[m]))
			m++;
		kinds &= m == 2;
		for (int j = 0; j < m; j++) {
			struct reply *x = &got[j];
			bool ours = same(&x->probe_dst, &dst4) && same(&x->probe_src, &src4) &&
				    x->dport == 33434 && x->probe_id == 77;

			if (simnet_find(n, &x->from) < 0)
				kinds &= !ours;
			else
				kinds &= ours;
		}
	}
	ok(kinds, "each foreign kind differs from the real reply in the field it names");
	ok(simnet_stats(n)->foreign == SIMNET_FOREIGN_KINDS && simnet_stats(n)->late == 1 &&
	   simnet_stats(n)->duplicates == 1 && simnet_stats(n)->reordered == 1, "impairment counters");
	simnet_free(n);
}

int main(void)
{
	simrun_default_addrs(AF_INET, &src4, &dst4);
	simrun_default_addrs(AF_INET6, &src6, &dst6);
	test_chain();
	test_v6();
	test_hash();
	test_label_and_per_packet();
	test_loss();
	test_rate_limit();
	test_silent_unreach_split();
	test_return_path();
	test_faults_and_determinism();
	return tap_done();
}
