/*
 * Unit tests of the engine's pure parts: flow identity round trips, RTT
 * accumulators, and reply matching (duplicates, late answers, foreign
 * traffic, reordering, statistics reset), driven by hand-made replies in
 * virtual time.  Topology-level behaviour is tested in tests/sim.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/flow.h"
#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "tests/tap.h"
#include "wire/link.h"
#include "wire/probe_check.h"

static void test_flow_ids(void)
{
	static const struct {
		unsigned vary;
		uint16_t sport_base;
		uint32_t label_base;
		int nflows;
	} plans[] = {
		{VARY_SPORT, 33000, 0, 16},
		{VARY_SPORT, 65535 - 15, 0, 16},	/* last port is 65535 */
		{VARY_LABEL, 40000, 0xffff0, 64},	/* labels wrap past 0xfffff, skipping 0 */
		{VARY_SPORT | VARY_LABEL, 20000, 1, 256},
	};

	for (size_t p = 0; p < sizeof(plans) / sizeof(plans[0]); p++) {
		struct flow_plan plan = {.proto = PROBE_UDP, .vary = plans[p].vary,
					 .sport_base = plans[p].sport_base,
					 .label_base = plans[p].label_base};
		int n = plans[p].nflows, good = 0, distinct = 1;

		for (int i = 0; i < n; i++) {
			struct flow_id id;

			flow_encode(&plan, i, &id);
			if (flow_decode(&plan, n, id.sport, id.flow_label) == i &&
			    ((plan.vary & VARY_LABEL) ? id.flow_label != 0 && id.flow_label <= 0xfffff : 1))
				good++;
			for (int j = 0; j < i; j++) {
				struct flow_id other;

				flow_encode(&plan, j, &other);
				if (other.sport == id.sport && other.flow_label == id.flow_label)
					distinct = 0;
			}
		}
		ok(good == n, "plan %zu: every flow decodes to itself (%d/%d)", p, good, n);
		ok(distinct, "plan %zu: flows are pairwise distinct", p);
	}
	{
		struct flow_plan plan = {.vary = VARY_SPORT, .sport_base = 1000};

		ok(flow_decode(&plan, 8, 999, 0) == -1, "port below the base is no flow");
		ok(flow_decode(&plan, 8, 1008, 0) == -1, "port past the last flow is no flow");
		ok(flow_decode(&plan, 8, 1007, 0) == 7, "the last flow decodes");
		ok(flow_max_count(&plan) == 64536, "max flows from base 1000 is 64536");
	}
	{
		struct flow_plan plan = {.vary = VARY_LABEL, .sport_base = 5, .label_base = 7};

		ok(flow_decode(&plan, 8, 5, 0) == -1, "label 0 is no flow");
		ok(flow_decode(&plan, 8, 6, 7) == -1, "label flows need the constant port");
		ok(flow_decode(&plan, 8, 5, 0x100007) == -1, "labels above 20 bits are no flow");
	}
}

static void test_stats(void)
{
	static const int64_t samples[] = {1200, 800, 1500, 900, 3000, 1100, 1000};
	struct rtt_stats all, a, b;
	double mean = 0, var = 0;
	size_t n = sizeof(samples) / sizeof(samples[0]);

	rtt_init(&all);
	rtt_init(&a);
	rtt_init(&b);
	for (size_t i = 0; i < n; i++) {
		rtt_add(&all, samples[i], i);
		rtt_add(i % 2 ? &a : &b, samples[i], i);
		mean += (double)samples[i];
	}
	mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		var += ((double)samples[i] - mean) * ((double)samples[i] - mean);
	var /= (double)n;
	ok(fabs(all.mean - mean) < 1e-9, "mean %.3f", all.mean);
	ok(fabs(rtt_stddev(&all) - sqrt(var)) < 1e-6, "population stddev %.3f", rtt_stddev(&all));
	ok(all.min == 800 && all.max == 3000 && all.last == 1000, "min/max/last");
	rtt_merge(&a, &b);
	ok(a.n == n && fabs(a.mean - mean) < 1e-9 && fabs(rtt_stddev(&a) - sqrt(var)) < 1e-6,
	   "merging halves equals adding all");
	ok(a.min == 800 && a.max == 3000 && a.last == 1000, "merge keeps min/max and the latest");
	ok(loss_pct(0, 0) == 0.0 && loss_pct(3, 1) == 25.0, "loss percentages");
}

/* A tiny harness: one engine, virtual time, replies made by hand. */
struct bench {
	struct engine *e;
	struct engine_config cfg;
	uint64_t now;
	struct probe_spec sent[256];
	int nsent;
};

static void bench_init(struct bench *b, enum probe_proto proto, uint64_t rounds)
{
	char err[128];

	memset(b, 0, sizeof(*b));
	engine_config_defaults(&b->cfg);
	addr_parse("192.0.2.1", &b->cfg.src);
	addr_parse("198.51.100.9", &b->cfg.dst);
	b->cfg.proto = proto;
	b->cfg.payload_len = proto == PROBE_TCP ? 0 : 12;
	b->cfg.nflows = 2;
	b->cfg.max_ttl = 4;
	b->cfg.max_unknown = 2;
	b->cfg.rounds = rounds;
	b->cfg.rate_pps = 1000;
	b->cfg.interval_us = 10000;
	b->cfg.timeout_us = 50000;
	b->cfg.seed = 0x12340007;
	b->now = 1000000;
	b->e = engine_new(&b->cfg, err, sizeof(err));
}

/* Sends everything the engine wants right now (advancing time for pacing). */
static int bench_send_until_wait(struct bench *b, uint64_t horizon)
{
	int n = 0;

	for (;;) {
		uint64_t wake = 0;
		enum engine_step s = engine_next(b->e, b->now, &b->sent[b->nsent % 256], &wake);

		if (s == ENGINE_SEND) {
			b->nsent++;
			n++;
			continue;
		}
		if (s == ENGINE_DONE || wake > horizon)
			return n;
		b->now = wake > b->now ? wake : b->now + 1;
	}
}

static struct reply reply_for(const struct bench *b, const struct probe_spec *p,
			      enum reply_kind kind, const char *from)
{
	struct reply r;

	(void)b;
	probe_expected_reply(p, kind, 1, true, &r);
	addr_parse(from, &r.from);
	return r;
}

static void diag_hop(const struct results *r)
{
	for (int i = 0; i < r->nhops; i++)
		for (int j = 0; j < r->hops[i].nbranches; j++)
			printf("# hop %d branch %d: recv %llu lost %llu flows %d\n", r->hops[i].ttl, j,
			       (unsigned long long)r->hops[i].branches[j].received,
			       (unsigned long long)r->hops[i].branches[j].lost,
			       r->hops[i].branches[j].nflows);
}

static void test_matching(void)
{
	struct bench b;
	struct reply r;
	struct probe_spec first;
	struct engine_counters c;
	struct results *res;

	bench_init(&b, PROBE_UDP, 1);
	ok(b.e != NULL, "engine created");
	/* TTLs 1 and 2 (max_unknown 2) for 2 flows, then it waits for answers. */
	ok(bench_send_until_wait(&b, b.now + 10000) == 4, "first round opens with 2 TTLs x 2 flows");
	first = b.sent[0];
	ok(first.ttl == 1 && b.sent[1].ttl == 1 && b.sent[2].ttl == 2, "TTL by TTL, every flow");
	ok(first.sport != b.sent[1].sport, "flows differ in source port");
	ok(first.sport == b.sent[2].sport && first.dport == b.sent[2].dport,
	   "a flow keeps its ports across TTLs");
	ok(first.probe_id != b.sent[2].probe_id, "probes of a flow differ in id");

	/* Answers out of order: TTL 2 first, then TTL 1. */
	b.now += 300;
	r = reply_for(&b, &b.sent[3], REPLY_TIME_EXCEEDED, "203.0.113.2");
	ok(engine_reply(b.e, &r, b.now) == MATCH_OK, "reordered answer matched");
	r = reply_for(&b, &first, REPLY_TIME_EXCEEDED, "203.0.113.1");
	ok(engine_reply(b.e, &r, b.now) == MATCH_OK, "answer matched");
	ok(engine_reply(b.e, &r, b.now + 5) == MATCH_DUPLICATE, "second answer is a duplicate");

	r.sport ^= 0x4000;
	ok(engine_reply(b.e, &r, b.now) == MATCH_FOREIGN, "another source port is foreign");
	r = reply_for(&b, &first, REPLY_TIME_EXCEEDED, "203.0.113.1");
	addr_parse("198.51.100.10", &r.probe_dst);
	ok(engine_reply(b.e, &r, b.now) == MATCH_FOREIGN, "another destination is foreign");
	r = reply_for(&b, &first, REPLY_TIME_EXCEEDED, "203.0.113.1");
	r.dport++;
	ok(engine_reply(b.e, &r, b.now) == MATCH_FOREIGN, "another destination port is foreign");
	r = reply_for(&b, &first, REPLY_TIME_EXCEEDED, "203.0.113.1");
	r.probe_id = (uint16_t)(first.probe_id + 1000);
	ok(engine_reply(b.e, &r, b.now) == MATCH_UNAUTHENTICATED,
	   "an id never sent, in one of our flows, is unauthenticated");
	r = reply_for(&b, &first, REPLY_TIME_EXCEEDED, "203.0.113.1");
	r.proto = PROBE_TCP;
	ok(engine_reply(b.e, &r, b.now) == MATCH_FOREIGN, "another protocol is foreign");
	r = reply_for(&b, &b.sent[1], REPLY_ECHO_REPLY, "203.0.113.1");
	ok(engine_reply(b.e, &r, b.now) == MATCH_UNAUTHENTICATED,
	   "echo reply not from the target is unauthenticated");

	/* Let flow 1's TTL 1 time out, then answer it late. */
	b.now += b.cfg.timeout_us + 1;
	bench_send_until_wait(&b, b.now);
	r = reply_for(&b, &b.sent[1], REPLY_TIME_EXCEEDED, "203.0.113.1");
	ok(engine_reply(b.e, &r, b.now) == MATCH_LATE, "answer after the timeout is late");

	c = engine_get_counters(b.e);
	ok(c.replies == 2 && c.duplicates == 1 && c.late == 1 && c.foreign == 4 &&
	   c.unauthenticated == 2,
	   "counters: %llu ok, %llu dup, %llu late, %llu foreign, %llu unauthenticated",
	   (unsigned long long)c.replies, (unsigned long long)c.duplicates,
	   (unsigned long long)c.late, (unsigned long long)c.foreign,
	   (unsigned long long)c.unauthenticated);

	res = engine_results(b.e, b.now);
	if (res)
		diag_hop(res);
	ok(res != NULL && res->nhops >= 1 && res->hops[0].nbranches == 2 &&
	   res->hops[0].branches[0].received == 1 && res->hops[0].branches[0].lost == 0 &&
	   addr_is_set(&res->hops[0].branches[0].addr),
	   "hop 1: the answering flow is a known branch");
	ok(res != NULL && res->hops[0].nbranches == 2 && !addr_is_set(&res->hops[0].branches[1].addr) &&
	   res->hops[0].branches[1].received == 0 && res->hops[0].branches[1].lost == 1,
	   "hop 1: the flow never answered is an unknown branch; its late answer does not count");
	results_free(res);

	/* Reset: in-flight probes' answers are ignored, counts start over. */
	engine_reset_stats(b.e);
	res = engine_results(b.e, b.now);
	ok(res && res->nhops >= 1 && res->hops[0].nbranches >= 1 &&
	   res->hops[0].branches[0].received == 0 && res->hops[0].branches[0].lost == 0,
	   "reset clears the figures");
	ok(res && res->flows[0].path_len >= 1 && addr_is_set(&res->flows[0].path[0]),
	   "reset keeps the known path");
	results_free(res);
	engine_free(b.e);
}

/* The target answering stops a flow; the run ends once every probe resolved. */
static void test_destination_and_done(enum probe_proto proto, enum reply_kind kind)
{
	struct bench b;
	int guard = 0;
	uint64_t wake;
	struct probe_spec p;
	struct results *res;
	enum engine_step s;

	bench_init(&b, proto, 3);
	while ((s = engine_next(b.e, b.now, &p, &wake)) != ENGINE_DONE && guard++ < 10000) {
		struct reply r;

		if (s == ENGINE_WAIT) {
			b.now = wake > b.now ? wake : b.now + 1;
			continue;
		}
		/* Path: 10.0.0.1 at TTL 1, the target at TTL 2 and beyond. */
		r = reply_for(&b, &p, p.ttl >= 2 ? kind : REPLY_TIME_EXCEEDED,
			      p.ttl >= 2 ? "198.51.100.9" : "10.0.0.1");
		engine_reply(b.e, &r, b.now + 100);
	}
	ok(s == ENGINE_DONE, "%s: the run finishes", proto == PROBE_TCP ? "tcp" : "other");
	res = engine_results(b.e, b.now);
	ok(res && res->dest_ttl == 2 && res->nhops == 2, "target found at TTL 2 (%d hops)",
	   res ? res->nhops : -1);
	ok(res && res->flows[0].dest_ttl == 2 && res->flows[0].lost == 0 &&
	   res->flows[0].received >= 3, "end to end: every round answered");
	ok(res && res->hops[1].branches[0].is_destination, "last hop is the target");
	ok(engine_get_counters(b.e).rounds_done == 3, "3 rounds done");
	if (proto == PROBE_TCP) {
		/* The snapshot does not diagnose itself; whoever shows findings asks for them once. */
		const struct findings *fs;

		ok(res && res->findings == NULL, "engine_results: a snapshot without findings");
		fs = results_with_findings(res) ? res->findings : NULL;
		ok(fs != NULL && fs->count == 0 && results_with_findings(res) == res &&
		   res->findings == fs, "results_with_findings: a clean run's (none), attached once");
		ok(results_with_findings(NULL) == NULL, "results_with_findings(NULL) is NULL");
	}
	results_free(res);
	engine_free(b.e);
}

/* One altered field of a faithful answer, and what the engine must make of it. */
struct tamper {
	const char *what;
	void (*apply)(struct reply *r);
};

static void t_ip_id(struct reply *r) { r->ip_id ^= 0x0100, r->payload_len = 0; }
static void t_payload(struct reply *r) { r->payload[5] ^= 1; }
static void t_ttl(struct reply *r) { r->quoted_ttl = 200; }
static void t_len(struct reply *r) { r->quoted_len += 4; }
static void t_udp_len(struct reply *r) { r->quoted_l4_len += 4; }
static void t_id(struct reply *r) { r->probe_id ^= 0x0001; }
static void t_to(struct reply *r) { r->to.b[3] ^= 1; }
static void t_short(struct reply *r) { r->payload_len = 6; }

/*
 * Issue 11: an answer is counted only if it carries the probe's MAC and
 * quotes every field as sent; otherwise it is unauthenticated, however
 * plausible, and the probe still waits for its real answer.
 */
static void test_authentication(void)
{
	static const struct tamper tampers[] = {
		{"IP-ID (MAC) in an 8-byte quote", t_ip_id},
		{"payload byte (MAC)", t_payload},
		{"quoted TTL above the one sent", t_ttl},
		{"quoted IP length", t_len},
		{"quoted UDP length", t_udp_len},
		{"probe id", t_id},
		{"quote not about the address it came to", t_to},
	};
	struct bench b, other;
	struct reply r;
	struct probe_spec p;
	bool steps_of_one = true;

	bench_init(&b, PROBE_UDP, 1);
	bench_send_until_wait(&b, b.now + 10000);
	p = b.sent[0];
	for (int i = 1; i < b.nsent; i++)
		steps_of_one &= b.sent[i].probe_id == (uint16_t)(b.sent[i - 1].probe_id + 1);
	ok(b.nsent >= 3 && !steps_of_one, "wire ids are not sequential (%d probes)", b.nsent);
	for (size_t i = 0; i < sizeof(tampers) / sizeof(tampers[0]); i++) {
		r = reply_for(&b, &p, REPLY_TIME_EXCEEDED, "203.0.113.1");
		tampers[i].apply(&r);
		ok(engine_reply(b.e, &r, b.now + 10) == MATCH_UNAUTHENTICATED, "altered %s: unauthenticated",
		   tampers[i].what);
	}
	/* The old second guess: the transport id of no probe, the IP-ID of a real one. */
	r = reply_for(&b, &p, REPLY_TIME_EXCEEDED, "203.0.113.1");
	r.probe_id = (uint16_t)(p.probe_id ^ 0x5555);
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_UNAUTHENTICATED, "no IP-ID second guess");
	/* An 8-byte quote (RFC 792) still authenticates on IPv4: IP-ID and checksum. */
	probe_expected_reply(&p, REPLY_TIME_EXCEEDED, 1, false, &r);
	addr_parse("203.0.113.1", &r.from);
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_OK, "the faithful answer still counts after all that");

	/* The same answer under another key (another run) is not ours. */
	memset(&other, 0, sizeof(other));
	bench_init(&other, PROBE_UDP, 1);
	engine_free(other.e);
	other.cfg.key[0] ^= 1;
	other.e = engine_new(&other.cfg, (char[64]){0}, 64);
	bench_send_until_wait(&other, other.now + 10000);
	r = reply_for(&b, &b.sent[1], REPLY_TIME_EXCEEDED, "203.0.113.1");
	ok(other.e && other.sent[1].probe_id != b.sent[1].probe_id &&
	   engine_reply(other.e, &r, other.now + 10) == MATCH_UNAUTHENTICATED,
	   "another key: other wire ids, and the first run's answers are unauthenticated");
	engine_free(other.e);
	engine_free(b.e);

	/* Direct answers carry the MAC too: TCP in the acknowledgement, echo in the payload. */
	bench_init(&b, PROBE_TCP, 1);
	b.cfg.max_ttl = 1;
	bench_send_until_wait(&b, b.now + 10000);
	p = b.sent[0];
	r = reply_for(&b, &p, REPLY_TCP_SYNACK, "198.51.100.9");
	r.tcp_seq ^= 0x10000 >> 1;
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_UNAUTHENTICATED, "SYN-ACK acking another sequence");
	r = reply_for(&b, &p, REPLY_TCP_RST, "198.51.100.9");
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_OK, "the RST acking seq + 1 counts");
	engine_free(b.e);

	bench_init(&b, PROBE_ICMP, 1);
	bench_send_until_wait(&b, b.now + 10000);
	p = b.sent[0];
	r = reply_for(&b, &p, REPLY_ECHO_REPLY, "198.51.100.9");
	t_short(&r);
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_UNAUTHENTICATED, "echo reply without the whole payload");
	r = reply_for(&b, &p, REPLY_ECHO_REPLY, "198.51.100.9");
	t_payload(&r);
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_UNAUTHENTICATED, "echo reply with another payload");
	r = reply_for(&b, &p, REPLY_ECHO_REPLY, "198.51.100.9");
	ok(engine_reply(b.e, &r, b.now + 10) == MATCH_OK, "the echo reply with the MAC counts");
	ok(engine_get_counters(b.e).unauthenticated == 2, "two unauthenticated, counted");
	engine_free(b.e);
}

static void test_config_errors(void)
{
	struct engine_config c;
	char err[128];

	engine_config_defaults(&c);
	ok(engine_new(&c, err, sizeof(err)) == NULL && err[0], "no addresses: %s", err);
	addr_parse("192.0.2.1", &c.src);
	addr_parse("198.51.100.9", &c.dst);
	c.first_ttl = 9;
	c.max_ttl = 3;
	ok(engine_new(&c, err, sizeof(err)) == NULL, "first > max TTL: %s", err);
	engine_config_defaults(&c);
	addr_parse("192.0.2.1", &c.src);
	addr_parse("198.51.100.9", &c.dst);
	c.sport_base = 65530;
	c.nflows = 16;
	ok(engine_new(&c, err, sizeof(err)) == NULL, "flows past port 65535: %s", err);
	c.sport_base = 1000;
	c.vary = VARY_LABEL;
	ok(engine_new(&c, err, sizeof(err)) == NULL, "labels on IPv4: %s", err);
	c.vary = VARY_SPORT;
	c.rate_pps = 100000;
	c.timeout_us = 60000000;
	ok(engine_new(&c, err, sizeof(err)) == NULL, "too many probes in flight: %s", err);
}

static void test_link(void)
{
	uint8_t eth[64] = {0}, sll[40] = {0}, vlan[64] = {0};

	eth[12] = 0x08;
	ok(link_ip_offset(1, eth, sizeof(eth)) == 14, "ethernet IPv4 at 14");
	ok(link_ip_offset(1, eth, 14) == -1, "ethernet header only: nothing");
	eth[12] = 0x08;
	eth[13] = 0x06;
	ok(link_ip_offset(1, eth, sizeof(eth)) == -1, "ARP is not IP");
	vlan[12] = 0x81;
	vlan[16] = 0x86;
	vlan[17] = 0xdd;
	ok(link_ip_offset(1, vlan, sizeof(vlan)) == 18, "802.1Q IPv6 at 18");
	ok(link_ip_offset(1, vlan, 17) == -1, "truncated VLAN tag");
	sll[14] = 0x08;
	ok(link_ip_offset(113, sll, sizeof(sll)) == 16, "Linux cooked v1 at 16");
	ok(link_ip_offset(113, sll, 15) == -1, "short cooked header");
	sll[0] = 0x86;
	sll[1] = 0xdd;
	ok(link_ip_offset(276, sll, sizeof(sll)) == 20, "Linux cooked v2 at 20");
	ok(link_ip_offset(12, sll, 0) == -1 && link_ip_offset(12, sll, 1) == 0, "raw IP");
	ok(link_ip_offset(999, sll, sizeof(sll)) == -1, "unknown link type");
}

/* The sender's link-layer address, for every frame shape and every way it can be short. */
static void test_link_source(void)
{
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint8_t eth[20] = {0}, v1[20] = {0}, v2[24] = {0}, out[8];
	bool all_short = true;

	memcpy(eth + 6, mac, 6);
	ok(link_source_addr(1, eth, sizeof(eth), out, sizeof(out)) == 6 &&
	   memcmp(out, mac, 6) == 0, "ethernet: the source address");
	ok(link_source_addr(1, eth, 13, out, sizeof(out)) == 0, "ethernet: short header, none");
	ok(link_source_addr(1, eth, sizeof(eth), out, 5) == 0, "a buffer too small: none");
	v1[5] = 6;			/* address length */
	memcpy(v1 + 6, mac, 6);
	ok(link_source_addr(113, v1, sizeof(v1), out, sizeof(out)) == 6 &&
	   memcmp(out, mac, 6) == 0, "cooked v1: the sender's address");
	v1[1] = 4;			/* PACKET_OUTGOING */
	ok(link_source_addr(113, v1, sizeof(v1), out, sizeof(out)) == 0,
	   "cooked v1: a frame we sent has no sender to report");
	v1[1] = 0;
	v1[5] = 9;
	ok(link_source_addr(113, v1, sizeof(v1), out, sizeof(out)) == 0,
	   "cooked v1: an address length over 8 is refused");
	v2[11] = 6;
	memcpy(v2 + 12, mac, 6);
	ok(link_source_addr(276, v2, sizeof(v2), out, sizeof(out)) == 6 &&
	   memcmp(out, mac, 6) == 0, "cooked v2: the sender's address");
	v2[10] = 4;
	ok(link_source_addr(276, v2, sizeof(v2), out, sizeof(out)) == 0, "cooked v2: outgoing, none");
	v2[10] = 0;
	memset(v2 + 12, 0, 6);
	ok(link_source_addr(276, v2, sizeof(v2), out, sizeof(out)) == 0,
	   "cooked v2: loopback's all-zero address is none");
	memcpy(v2 + 12, mac, 6);
	for (size_t n = 0; n < 20; n++)
		all_short &= link_source_addr(276, v2, n, out, sizeof(out)) == 0;
	ok(all_short, "cooked v2: every truncation gives none");
	ok(link_source_addr(12, v2, sizeof(v2), out, sizeof(out)) == 0 &&
	   link_source_addr(0, v2, sizeof(v2), out, sizeof(out)) == 0,
	   "raw IP and BSD loopback carry no link-layer source");
}

int main(void)
{
	test_flow_ids();
	test_stats();
	test_matching();
	test_authentication();
	test_destination_and_done(PROBE_UDP, REPLY_DEST_UNREACH);
	test_destination_and_done(PROBE_TCP, REPLY_TCP_SYNACK);
	test_destination_and_done(PROBE_ICMP, REPLY_ECHO_REPLY);
	test_config_errors();
	test_link();
	test_link_source();
	return tap_done();
}
