/*
 * Unit tests of src/wire/sockreply.c: answers as unprivileged sockets
 * deliver them (an error-queue control message and the quote; a ping
 * socket's echo reply; a TCP connection's outcome) turned into replies.
 * Every reply made must pass the probe's own check (probe_check.h) and the
 * engine's matching (engine_reply), and must fail for every other probe:
 * the kernel's choice of socket never stands in for the MAC where the
 * quote carries it.  Malformed and hostile inputs (short control messages,
 * cut quotes, a flipped MAC byte, other origins, types and families, and
 * random bytes) are refused without reading past them.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "tests/tap.h"
#include "wire/probe_check.h"
#include "wire/sockreply.h"

#define NPROBES 6

/* A control message body: sock_extended_err, then the offender's sockaddr. */
static size_t make_ee(uint8_t *buf, uint8_t origin, uint8_t type, uint8_t code,
		      const char *offender)
{
	struct ip_addr a = {0};
	uint32_t err = 113;	/* EHOSTUNREACH */
	sa_family_t fam;

	memset(buf, 0, 64);
	memcpy(buf, &err, 4);
	buf[4] = origin;
	buf[5] = type;
	buf[6] = code;
	if (offender == NULL || !addr_parse(offender, &a)) {
		fam = AF_UNSPEC;
		memcpy(buf + 16, &fam, sizeof(fam));
		return 16 + 16;
	}
	fam = (sa_family_t)a.family;
	memcpy(buf + 16, &fam, sizeof(fam));
	if (a.family == AF_INET) {
		memcpy(buf + 16 + 4, a.b, 4);
		return 16 + 16;
	}
	memcpy(buf + 16 + 8, a.b, 16);
	return 16 + 28;
}

/* Probes of one flow, as the engine would fill them, at TTLs 1..NPROBES. */
static void make_probes(struct probe_spec *p, enum probe_proto proto, int family)
{
	for (int i = 0; i < NPROBES; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].proto = proto;
		addr_parse(family == AF_INET6 ? "2001:db8::1" : "192.0.2.1", &p[i].src);
		addr_parse(family == AF_INET6 ? "2001:db8:9::9" : "198.51.100.9", &p[i].dst);
		p[i].ttl = (uint8_t)(i + 1);
		p[i].sport = 20000;
		p[i].dport = proto == PROBE_ICMP ? 0 : 33434;
		p[i].flow_label = family == AF_INET6 ? 0x12345 : 0;
		p[i].probe_id = (uint16_t)(0x1000 + 37 * i);
		p[i].tag = 0x0123456789abcdefULL * (uint64_t)(i + 3);
		p[i].icmp_checksum = 0x8001;
		p[i].payload_len = proto == PROBE_TCP ? 0 : 12;
	}
}

/* What the kernel hands over of probe p: from its transport payload (UDP) or header on. */
static size_t quote_of(const struct probe_spec *p, uint8_t *q)
{
	uint8_t pkt[PROBE_MAX_LEN];
	size_t n = probe_build(p, pkt, sizeof(pkt)), l4 = probe_l4_len(p);
	size_t skip = p->proto == PROBE_UDP ? 8 : 0;

	memcpy(q, pkt + (n - l4) + skip, l4 - skip);
	return l4 - skip;
}

/* Only probe k of the set accepts the reply. */
static bool only_probe(const struct probe_spec *p, int k, const struct reply *r)
{
	for (int i = 0; i < NPROBES; i++)
		if ((probe_check_reply(&p[i], r) == PROBE_CHECK_OK) != (i == k))
			return false;
	return true;
}

static void test_parse_ee(void)
{
	uint8_t buf[64];
	struct sockreply_note n;
	size_t len;

	len = make_ee(buf, SOCKREPLY_ORIGIN_ICMP, 11, 0, "203.0.113.7");
	ok(sockreply_parse_ee(buf, len, &n) && n.origin == 2 && n.type == 11 && n.code == 0 &&
	   n.err == 113 && n.offender.family == AF_INET && n.offender.b[3] == 7,
	   "an IPv4 error: origin, type, code, errno and offender");
	len = make_ee(buf, SOCKREPLY_ORIGIN_ICMP6, 3, 0, "2001:db8:5::5");
	ok(sockreply_parse_ee(buf, len, &n) && n.origin == 3 && n.offender.family == AF_INET6 &&
	   n.offender.b[15] == 5, "an IPv6 error and its offender");
	ok(!sockreply_parse_ee(buf, 15, &n) && n.origin == 0, "shorter than sock_extended_err");
	ok(!sockreply_parse_ee(NULL, 40, &n), "no control message");
	ok(sockreply_parse_ee(buf, 16, &n) && n.offender.family == 0,
	   "no room for an offender: none");
	ok(sockreply_parse_ee(buf, 16 + 20, &n) && n.offender.family == 0,
	   "a cut sockaddr_in6: no offender");
	len = make_ee(buf, SOCKREPLY_ORIGIN_LOCAL, 0, 0, NULL);
	ok(sockreply_parse_ee(buf, len, &n) && n.offender.family == 0 && n.origin == 1,
	   "a local error names no one");
}

/* An error about each probe of proto/family is that probe's reply, and no other's. */
static void test_errors(enum probe_proto proto, int family)
{
	static const char *const names[] = {"udp", "tcp", "icmp"};
	struct probe_spec p[NPROBES];
	struct sockreply_socket s = {.proto = proto, .family = family, .sent = p,
				     .nsent = NPROBES};
	uint8_t ee[64], q[PROBE_MAX_LEN];
	uint8_t origin = family == AF_INET6 ? SOCKREPLY_ORIGIN_ICMP6 : SOCKREPLY_ORIGIN_ICMP;
	uint8_t te = family == AF_INET6 ? 3 : 11, du = family == AF_INET6 ? 1 : 3;
	const char *router = family == AF_INET6 ? "2001:db8:7::7" : "203.0.113.7";
	const char *v = family == AF_INET6 ? "v6" : "v4";
	struct sockreply_note n;
	struct reply r;
	int good = 0, strict = 0;
	size_t ql;

	make_probes(p, proto, family);
	/* TCP: a socket holds one probe. */
	if (proto == PROBE_TCP)
		s.nsent = 1;
	sockreply_parse_ee(ee, make_ee(ee, origin, te, 0, router), &n);
	for (int k = 0; k < s.nsent; k++) {
		ql = quote_of(&p[k], q);
		if (sockreply_from_error(&n, q, ql, &s, &r) == k && r.kind == REPLY_TIME_EXCEEDED &&
		    r.from.b[family == AF_INET6 ? 15 : 3] == 7 && r.icmp_type == te)
			good++;
		if (only_probe(p, k, &r) || (proto == PROBE_TCP && probe_check_reply(&p[k], &r) == 0))
			strict++;
	}
	ok(good == s.nsent, "%s %s: each probe's time exceeded is found (%d/%d)", names[proto], v,
	   good, s.nsent);
	ok(strict == s.nsent, "%s %s: its reply passes that probe's check, no other's",
	   names[proto], v);
	ql = quote_of(&p[2 % s.nsent], q);
	sockreply_parse_ee(ee, make_ee(ee, origin, du, family == AF_INET6 ? 4 : 3, router), &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) == 2 % s.nsent && r.kind == REPLY_DEST_UNREACH,
	   "%s %s: a destination unreachable", names[proto], v);
	sockreply_parse_ee(ee, make_ee(ee, origin, 5, 0, router), &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) < 0, "%s %s: another ICMP type is not a reply",
	   names[proto], v);
	sockreply_parse_ee(ee, make_ee(ee, SOCKREPLY_ORIGIN_LOCAL, te, 0, router), &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) < 0, "%s %s: a local error is not a reply",
	   names[proto], v);
	sockreply_parse_ee(ee, make_ee(ee, origin, te, 0,
				       family == AF_INET6 ? "203.0.113.7" : "2001:db8:7::7"), &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) < 0, "%s %s: an offender of the other family",
	   names[proto], v);
	sockreply_parse_ee(ee, make_ee(ee, origin, te, 0, NULL), &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) < 0, "%s %s: no offender", names[proto], v);
}

/* What a UDP or ICMP quote must carry: the whole MAC, unchanged. */
static void test_cut_and_forged(enum probe_proto proto, int family)
{
	struct probe_spec p[NPROBES];
	struct sockreply_socket s = {.proto = proto, .family = family, .sent = p,
				     .nsent = NPROBES};
	uint8_t ee[64], q[PROBE_MAX_LEN];
	struct sockreply_note n;
	struct reply r;
	size_t ql;
	int refused = 0, cuts = 0;

	make_probes(p, proto, family);
	sockreply_parse_ee(ee, make_ee(ee, family == AF_INET6 ? 3 : 2, family == AF_INET6 ? 3 : 11,
				       0, family == AF_INET6 ? "2001:db8:7::7" : "203.0.113.7"),
			   &n);
	ql = quote_of(&p[4], q);
	for (size_t cut = 0; cut < ql; cut++, cuts++)
		if (sockreply_from_error(&n, q, cut, &s, &r) < 0)
			refused++;
	ok(refused == cuts, "%s: every quote cut short of the payload is refused (%d/%d)",
	   proto == PROBE_UDP ? "udp" : "icmp", refused, cuts);
	refused = 0;
	for (size_t i = proto == PROBE_ICMP ? 8 + 2 : 2; i < ql; i++) {
		q[i] ^= 0x40;
		if (sockreply_from_error(&n, q, ql, &s, &r) < 0)
			refused++;
		q[i] ^= 0x40;
	}
	ok(refused == (int)ql - (proto == PROBE_ICMP ? 10 : 2),
	   "%s: a flipped MAC byte anywhere is refused", proto == PROBE_UDP ? "udp" : "icmp");
	ok(sockreply_from_error(&n, NULL, 5, &s, &r) < 0, "no quote buffer");
	s.nsent = 4;	/* the probe at TTL 5 was forgotten */
	ok(sockreply_from_error(&n, q, ql, &s, &r) < 0, "a probe the socket no longer holds");
	if (proto == PROBE_ICMP) {
		s.nsent = NPROBES;
		q[0] = family == AF_INET6 ? 129 : 0;
		ok(sockreply_from_error(&n, q, ql, &s, &r) < 0, "icmp: a quote of an echo reply");
	}
}

static void test_echo(int family)
{
	struct probe_spec p[NPROBES];
	struct sockreply_socket s = {.proto = PROBE_ICMP, .family = family, .sent = p,
				     .nsent = NPROBES};
	uint8_t m[PROBE_MAX_LEN];
	struct ip_addr other;
	struct reply r;
	size_t len;

	make_probes(p, PROBE_ICMP, family);
	len = quote_of(&p[3], m);
	m[0] = family == AF_INET6 ? 129 : 0;	/* the target's echo reply */
	ok(sockreply_from_echo(&p[3].dst, m, len, &s, &r) == 3 && r.kind == REPLY_ECHO_REPLY &&
	   only_probe(p, 3, &r), "echo %s: the reply is probe 3's and no other's",
	   family == AF_INET6 ? "v6" : "v4");
	addr_parse(family == AF_INET6 ? "2001:db8:7::7" : "203.0.113.7", &other);
	ok(sockreply_from_echo(&other, m, len, &s, &r) == 3 &&
	   probe_check_reply(&p[3], &r) == PROBE_CHECK_ADDRESS,
	   "echo: one from another address fails the probe's check");
	ok(sockreply_from_echo(&p[3].dst, m, len + 1, &s, &r) < 0, "echo: a longer payload");
	ok(sockreply_from_echo(&p[3].dst, m, len - 1, &s, &r) < 0, "echo: a shorter payload");
	ok(sockreply_from_echo(&p[3].dst, m, 7, &s, &r) < 0, "echo: shorter than its header");
	m[6] ^= 1;
	ok(sockreply_from_echo(&p[3].dst, m, len, &s, &r) < 0, "echo: another sequence");
	m[6] ^= 1;
	m[0] = family == AF_INET6 ? 128 : 8;
	ok(sockreply_from_echo(&p[3].dst, m, len, &s, &r) < 0, "echo: a request is not a reply");
}

/* An RFC 4884 extension structure with one RFC 4950 MPLS object of one label, at q + at. */
static size_t put_mpls_ext(uint8_t *q, size_t at, uint32_t label)
{
	uint8_t *e = q + at;
	uint32_t sum = 0, entry = label << 12 | 0x100 | 1;	/* bottom of stack, TTL 1 */

	memset(e, 0, 12);
	e[0] = 2 << 4;				/* version 2 */
	e[5] = 8;				/* object length */
	e[6] = 1;				/* class: MPLS label stack */
	e[7] = 1;				/* c-type: incoming stack */
	e[8] = (uint8_t)(entry >> 24);
	e[9] = (uint8_t)(entry >> 16);
	e[10] = (uint8_t)(entry >> 8);
	e[11] = (uint8_t)entry;
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)(e[i] << 8 | e[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	e[2] = (uint8_t)(~sum >> 8);
	e[3] = (uint8_t)~sum;
	return at + 12;
}

/* RFC 4884 / 4950 through the error queue: the kernel says where the extension starts. */
static void test_mpls(void)
{
	struct probe_spec p[NPROBES];
	struct sockreply_socket s = {.proto = PROBE_UDP, .family = AF_INET, .sent = p,
				     .nsent = NPROBES};
	uint8_t ee[64], q[PROBE_MAX_LEN];
	struct sockreply_note n;
	struct reply r;
	uint16_t at = 128 - 28;	/* the quoted datagram is padded to 128 bytes; the kernel
				   hands it over from the UDP payload on */
	size_t ql;

	make_probes(p, PROBE_UDP, AF_INET);
	memset(q, 0, sizeof(q));
	quote_of(&p[1], q);
	ql = put_mpls_ext(q, at, 16001);
	make_ee(ee, SOCKREPLY_ORIGIN_ICMP, 11, 0, "203.0.113.7");
	memcpy(ee + 12, &at, 2);
	ok(sockreply_parse_ee(ee, 32, &n) && n.ext_at == at, "the extension's offset is read");
	ok(sockreply_from_error(&n, q, ql, &s, &r) == 1 && r.mpls_count == 1 &&
	   r.mpls_label[0] == 16001 && only_probe(p, 1, &r),
	   "an MPLS label from the extension; the reply still the probe's own");
	ee[14] = 1;	/* SO_EE_RFC4884_FLAG_INVALID */
	ok(sockreply_parse_ee(ee, 32, &n) && n.ext_at == 0 &&
	   sockreply_from_error(&n, q, ql, &s, &r) == 1 && r.mpls_count == 0,
	   "an extension the kernel found malformed is not read");
	ee[14] = 0;
	q[at + 3] ^= 1;	/* its checksum */
	sockreply_parse_ee(ee, 32, &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) == 1 && r.mpls_count == 0,
	   "a bad checksum: no label");
	q[at + 3] ^= 1;
	for (uint16_t bad = 1; bad < 12; bad++) {
		memcpy(ee + 12, &bad, 2);
		sockreply_parse_ee(ee, 32, &n);
		if (sockreply_from_error(&n, q, ql, &s, &r) != 1 || r.mpls_count != 0)
			break;
		if (bad == 11)
			ok(1, "an offset inside the probe's own bytes is not read");
	}
	memcpy(ee + 12, &(uint16_t){(uint16_t)ql}, 2);
	sockreply_parse_ee(ee, 32, &n);
	ok(sockreply_from_error(&n, q, ql, &s, &r) == 1 && r.mpls_count == 0,
	   "an offset at the end of the quote is not read");
}

static void test_tcp_outcome(void)
{
	struct probe_spec p[NPROBES];
	struct reply r;

	make_probes(p, PROBE_TCP, AF_INET);
	sockreply_from_tcp(&p[2], true, &r);
	ok(r.kind == REPLY_TCP_SYNACK && only_probe(p, 2, &r), "tcp: a connection is a SYN-ACK");
	sockreply_from_tcp(&p[2], false, &r);
	ok(r.kind == REPLY_TCP_RST && addr_equal(&r.from, &p[2].dst) && only_probe(p, 2, &r),
	   "tcp: a refusal is the target's RST");
}

/* Random control messages and quotes: never a read outside, never a reply the probe refuses. */
static void test_random(void)
{
	struct probe_spec p[NPROBES];
	uint8_t ee[64], q[64];
	int bad = 0, made = 0;

	srand(4242);
	printf("# random inputs, seed 4242\n");
	for (int round = 0; round < 20000; round++) {
		enum probe_proto proto = (enum probe_proto)(round % 3);
		int family = round & 4 ? AF_INET6 : AF_INET;
		struct sockreply_socket s = {.proto = proto, .family = family, .sent = p,
					     .nsent = proto == PROBE_TCP ? 1 : NPROBES};
		size_t el = (size_t)rand() % sizeof(ee), ql = (size_t)rand() % sizeof(q);
		struct sockreply_note n;
		struct reply r;
		int k;

		make_probes(p, proto, family);
		for (size_t i = 0; i < sizeof(ee); i++)
			ee[i] = (uint8_t)rand();
		for (size_t i = 0; i < sizeof(q); i++)
			q[i] = (uint8_t)rand();
		/* Half the time a real quote with random damage, to reach the matching. */
		if (round & 1 && proto != PROBE_TCP) {
			ql = quote_of(&p[round % NPROBES], q);
			q[(size_t)rand() % ql] ^= (uint8_t)(rand() & 1 ? rand() : 0);
			ee[4] = family == AF_INET6 ? 3 : 2;
			ee[5] = family == AF_INET6 ? 3 : 11;
			memcpy(ee + 16, &(sa_family_t){(sa_family_t)family}, sizeof(sa_family_t));
			el = family == AF_INET6 ? 44 : 32;
		}
		sockreply_parse_ee(ee, el, &n);
		k = sockreply_from_error(&n, q, ql, &s, &r);
		if (k >= 0) {
			made++;
			if (proto != PROBE_TCP && probe_check_reply(&p[k], &r) != PROBE_CHECK_OK) {
				if (bad == 0)
					printf("# proto %d family %d check %d\n", proto, family,
					       probe_check_reply(&p[k], &r));
				bad++;
			}
		}
		/* An echo reply from anyone but the target fails the probe's address check. */
		k = sockreply_from_echo(&n.offender, q, ql, &s, &r);
		if (k >= 0) {
			enum probe_check c = probe_check_reply(&p[k], &r);

			made++;
			if (c != PROBE_CHECK_OK && c != PROBE_CHECK_ADDRESS)
				bad++;
		}
	}
	ok(bad == 0, "every reply made from random input passes its probe's check (%d made)", made);
}

/* The engine itself takes the reply of a probe it sent, made from what a socket hands over. */
static void test_engine_accepts(enum probe_proto proto, int family)
{
	struct engine_config cfg;
	struct engine *e;
	struct probe_spec sent[8];
	uint8_t ee[64], q[PROBE_MAX_LEN];
	struct sockreply_note n;
	struct reply r;
	char err[128];
	uint64_t now = 1000000, wake = 0;
	int ns = 0, accepted = 0, forged = 0;

	engine_config_defaults(&cfg);
	addr_parse(family == AF_INET6 ? "2001:db8::1" : "192.0.2.1", &cfg.src);
	addr_parse(family == AF_INET6 ? "2001:db8:9::9" : "198.51.100.9", &cfg.dst);
	cfg.proto = proto;
	cfg.payload_len = proto == PROBE_TCP ? 0 : 12;
	cfg.nflows = 2;
	cfg.adaptive = false;
	cfg.sport_base = 20000;
	cfg.vary = family == AF_INET6 ? VARY_SPORT | VARY_LABEL : VARY_SPORT;
	cfg.label_base = 77;
	cfg.max_ttl = 4;
	cfg.rounds = 1;
	memset(cfg.key, 0x5a, sizeof(cfg.key));
	e = engine_new(&cfg, err, sizeof(err));
	if (e == NULL) {
		ok(0, "engine: %s", err);
		return;
	}
	/* The probes of the first round, time moving on as the engine paces them. */
	while (ns < 8) {
		enum engine_step step = engine_next(e, now, &sent[ns], &wake);

		if (step == ENGINE_SEND)
			ns++;
		else if (step == ENGINE_DONE || wake > 2000000)
			break;
		else
			now = wake > now ? wake : now + 1;
	}
	sockreply_parse_ee(ee, make_ee(ee, family == AF_INET6 ? 3 : 2, family == AF_INET6 ? 3 : 11,
				       0, family == AF_INET6 ? "2001:db8:7::7" : "203.0.113.7"),
			   &n);
	for (int i = 0; i < ns; i++) {
		struct sockreply_socket s = {.proto = proto, .family = family, .sent = &sent[i],
					     .nsent = 1};
		size_t ql = quote_of(&sent[i], q);

		if (sockreply_from_error(&n, q, ql, &s, &r) == 0 &&
		    engine_reply(e, &r, now + 500) == MATCH_OK)
			accepted++;
		/* The same answer again is a duplicate, not a second answer. */
		if (sockreply_from_error(&n, q, ql, &s, &r) == 0 &&
		    engine_reply(e, &r, now + 600) != MATCH_DUPLICATE)
			forged++;
	}
	ok(ns > 0 && accepted == ns && forged == 0,
	   "engine %s %s: each of %d probes accepts its socket's answer once",
	   proto == PROBE_UDP ? "udp" : proto == PROBE_TCP ? "tcp" : "icmp",
	   family == AF_INET6 ? "v6" : "v4", ns);
	engine_free(e);
}

int main(void)
{
	static const int families[] = {AF_INET, AF_INET6};

	test_parse_ee();
	for (int f = 0; f < 2; f++) {
		test_errors(PROBE_UDP, families[f]);
		test_errors(PROBE_ICMP, families[f]);
		test_errors(PROBE_TCP, families[f]);
		test_cut_and_forged(PROBE_UDP, families[f]);
		test_cut_and_forged(PROBE_ICMP, families[f]);
		test_echo(families[f]);
		test_engine_accepts(PROBE_UDP, families[f]);
		test_engine_accepts(PROBE_ICMP, families[f]);
		test_engine_accepts(PROBE_TCP, families[f]);
	}
	test_tcp_outcome();
	test_mpls();
	test_random();
	return tap_done();
}
