/*
 * Unit tests of the link-layer check (linkcheck.c; ARP, RFC 826, and
 * Neighbor Solicitation, RFC 4861, are sent by the caller): when the
 * engine asks a first-hop neighbour for its link-layer address, how a
 * -c 1 run waits for the answers without spinning, which claims and
 * neighbour-table entries are kept, and what the results and the
 * diagnosis make of them.  Virtual time, hand-made replies, no sockets;
 * the runs go through the program's event loop (linkbench.c).
 */
#include <string.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "linkbench.h"
#include "tests/tap.h"
#include "wire/probe_check.h"

/* The engine's timing, as documented in linkcheck.c (a test, not a copy of the code). */
#define RETRY_US 250000
#define SETTLE_US 100000
#define PERIOD_US 30000000

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t MAC_Z[6] = {0x02, 0, 0, 0, 0, 0x7f};

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	addr_parse(s, &a);
	return a;
}

/* A claim, or a table entry, for an address written as text. */
static void claim_at(struct engine *e, const char *addr, const uint8_t *mac, size_t len,
		     uint64_t now)
{
	struct ip_addr a = ip(addr);

	engine_neighbour_claim(e, &a, mac, len, now);
}

static void table_at(struct engine *e, const char *addr, const uint8_t *mac, size_t len)
{
	struct ip_addr a = ip(addr);

	engine_neighbour_table(e, &a, mac, len);
}

/* Sends and answers the first probe (TTL 1, flow 0) only; returns when it was answered. */
static uint64_t answer_first_probe(struct bench *b)
{
	struct probe_spec p;
	uint64_t wake = 0;
	struct reply r;

	if (engine_next(b->e, b->now, &p, &wake) != ENGINE_SEND || p.ttl != 1) {
		printf("# the first step is not a TTL-1 probe\n");
		return 0;
	}
	b->now += 300;
	r = answer_to(b, &p);
	engine_reply(b->e, &r, b->now);
	return b->now;
}

/* Whether a question is due at t (and it is about hop1); *wake as the engine left it. */
static bool ask(struct bench *b, uint64_t t, uint64_t *wake)
{
	struct ip_addr q;
	uint64_t w = 0;
	bool due = engine_next_neighbour_query(b->e, t, &q, &w);

	if (due && !addr_equal(&q, &b->hop1))
		due = false;
	if (wake)
		*wake = w;
	return due;
}

static void test_schedule(void)
{
	struct bench b;
	uint64_t t0, wake;
	struct probe_spec p;
	struct reply r;

	bench_init(&b, false, 1, 0, true, NULL);
	ok(b.e != NULL, "engine created");
	ok(!ask(&b, b.now, &wake) && wake == 0, "no question before any answer (wake left alone)");
	/* An answer at TTL 2 is not from a neighbour. */
	{
		uint64_t w = 0;
		int guard = 0;

		/* Skip the TTL-1 probe, unanswered; pacing may make the TTL-2 one wait. */
		while (guard++ < 16) {
			w = 0;
			if (engine_next(b.e, b.now, &p, &w) == ENGINE_SEND) {
				if (p.ttl == 2)
					break;
			} else {
				b.now = w > b.now ? w : b.now + 1;
			}
		}
		r = answer_to(&b, &p);
		engine_reply(b.e, &r, b.now + 200);
	}
	ok(p.ttl == 2 && !ask(&b, b.now + 200, NULL), "an answer from beyond TTL 1 asks nothing");
	engine_free(b.e);

	bench_init(&b, false, 1, 0, true, NULL);
	t0 = answer_first_probe(&b);
	ok(ask(&b, t0, NULL), "a TTL-1 answer: its address asked at once");
	ok(!ask(&b, t0, &wake), "exactly one question at once");
	ok(wake == t0 + RETRY_US, "the next question is due 250 ms later (wake %+lld us)",
	   (long long)(wake - t0));
	ok(!ask(&b, t0 + RETRY_US - 1, NULL), "no retry before 250 ms");
	ok(ask(&b, t0 + RETRY_US, NULL), "second question at +250 ms");
	ok(!ask(&b, t0 + RETRY_US + 1, NULL), "not twice");
	ok(ask(&b, t0 + 2 * RETRY_US, NULL), "third question at +500 ms");
	ok(!ask(&b, t0 + 2 * RETRY_US + 100000, &wake) && wake == t0 + 3 * RETRY_US,
	   "while the series listens, wake is its end (+750 ms), not never (%+lld us)",
	   (long long)(wake - t0));
	ok(!ask(&b, t0 + 3 * RETRY_US, &wake) && !ask(&b, t0 + 3 * RETRY_US + 100000, NULL),
	   "no fourth question in the series");
	ok(wake == t0 + PERIOD_US, "the next series is due 30 s after the first question (%+lld us)",
	   (long long)(wake - t0));
	ok(!ask(&b, t0 + PERIOD_US - 1, NULL), "no question just before the next series");
	ok(ask(&b, t0 + PERIOD_US, NULL), "the next series starts 30 s after the previous one");
	/* A claim ends the series after it settles. */
	engine_neighbour_claim(b.e, &b.hop1, MAC_A, 6, t0 + PERIOD_US + 1000);
	ok(!ask(&b, t0 + PERIOD_US + RETRY_US, NULL) && !ask(&b, t0 + PERIOD_US + 2 * RETRY_US, NULL) &&
	   !ask(&b, t0 + PERIOD_US + 20 * RETRY_US, &wake), "a claim: no more questions in the series");
	ok(wake == t0 + 2 * PERIOD_US, "after a claim, the next series is still 30 s after the first "
	   "question (%+lld us)", (long long)(wake - t0));
	ok(ask(&b, t0 + 2 * PERIOD_US, NULL), "and it comes");
	/* Paused: nothing is asked; resumed: the question due is asked. */
	engine_pause(b.e, true, t0 + 3 * PERIOD_US);
	ok(!ask(&b, t0 + 3 * PERIOD_US, NULL) && !ask(&b, t0 + 3 * PERIOD_US + RETRY_US, NULL),
	   "a paused engine asks nothing");
	engine_pause(b.e, false, t0 + 3 * PERIOD_US + 2 * RETRY_US);
	ok(ask(&b, t0 + 3 * PERIOD_US + 2 * RETRY_US, NULL), "resumed, the due question is asked");
	/* Unaskable: never again. */
	engine_neighbour_unaskable(b.e, &b.hop1);
	ok(!ask(&b, t0 + 3 * PERIOD_US + 3 * RETRY_US, &wake) && wake == 0 &&
	   !ask(&b, t0 + 10 * PERIOD_US, NULL), "an unaskable neighbour is never asked again");
	{
		struct results *res = results_with_findings(engine_results(b.e, t0 + 10 * PERIOD_US));

		ok(res != NULL && res->nhops >= 1 && res->hops[0].nlink_checks == 1 &&
		   res->hops[0].link_checks[0].unaskable &&
		   addr_equal(&res->hops[0].link_checks[0].addr, &b.hop1) &&
		   res->hops[0].link_checks[0].asked == 6 && res->hops[0].link_checks[0].claimed,
		   "results: the check shows unaskable, 6 questions (3 + 1 + 1 + 1), claimed (%llu)",
		   res && res->nhops >= 1 && res->hops[0].nlink_checks == 1
		   ? (unsigned long long)res->hops[0].link_checks[0].asked : 0ULL);
		results_free(res);
	}
	engine_free(b.e);

	/* Without the check, answers still count but nobody is asked. */
	bench_init(&b, false, 1, 0, false, NULL);
	t0 = answer_first_probe(&b);
	ok(!ask(&b, t0, &wake) && wake == 0 && !ask(&b, t0 + PERIOD_US, NULL),
	   "link_check off: never a question");
	{
		struct results *res = results_with_findings(engine_results(b.e, t0));

		ok(res != NULL && res->nhops >= 1 && res->hops[0].nlink_checks == 0 &&
		   res->hops[0].nneighbours == 1 && res->hops[0].neighbours[0].link.answers == 1,
		   "link_check off: answers counted, no link checks in the results");
		results_free(res);
	}
	engine_free(b.e);

	/* Unaskable before the first question: it is never asked. */
	bench_init(&b, false, 1, 0, true, NULL);
	t0 = answer_first_probe(&b);
	engine_neighbour_unaskable(b.e, &b.hop1);
	ok(!ask(&b, t0, NULL) && !ask(&b, t0 + PERIOD_US, NULL), "unaskable at once: never asked");
	engine_free(b.e);

	/* Paused when the answer arrives: the first question waits for the resume. */
	bench_init(&b, false, 1, 0, true, NULL);
	t0 = answer_first_probe(&b);
	engine_pause(b.e, true, t0);
	ok(!ask(&b, t0, NULL) && !ask(&b, t0 + 5 * RETRY_US, NULL), "paused at once: no question");
	engine_pause(b.e, false, t0 + 6 * RETRY_US);
	ok(ask(&b, t0 + 6 * RETRY_US, NULL) && !ask(&b, t0 + 6 * RETRY_US, NULL),
	   "resumed: one question");
	engine_free(b.e);
}

/* -c 1: the run ends only after the series, and never spins while waiting. */
static void test_single_round(void)
{
	struct bench b;
	struct drive d;
	uint64_t done, t0;

	/* Reference: without the check the run is over within a few probe timeouts. */
	bench_init(&b, false, 1, 1, false, NULL);
	t0 = b.now;
	memset(&d, 0, sizeof(d));
	d.until = t0 + 5 * PERIOD_US;
	done = drive(&b, &d);
	ok(done != 0 && done < t0 + RETRY_US && d.nasked == 0,
	   "-c 1 without the check: done after %lld us, nothing asked", (long long)(done - t0));
	engine_free(b.e);

	/* No claim: three questions, DONE 250 ms after the third. */
	bench_init(&b, false, 1, 1, true, NULL);
	memset(&d, 0, sizeof(d));
	d.until = b.now + 5 * PERIOD_US;
	d.latest_wake = 0;
	done = drive(&b, &d);
	t0 = d.nasked > 0 ? d.asked_at[0] : 0;
	ok(d.nasked == 3, "-c 1, no claim: 3 questions (%d)", d.nasked);
	ok(d.nasked == 3 && d.asked_at[1] == t0 + RETRY_US && d.asked_at[2] == t0 + 2 * RETRY_US,
	   "-c 1, no claim: retries at +250 and +500 ms");
	ok(done != 0 && done >= t0 + 3 * RETRY_US,
	   "-c 1, no claim: DONE deferred until 250 ms after the third question (%+lld us)",
	   (long long)(done - t0));
	ok(done != 0 && done <= t0 + 3 * RETRY_US + 1000, "-c 1, no claim: DONE right then");
	ok(d.stale_wakes == 0 && d.steps < 200,
	   "-c 1, no claim: every wake in the future (%d stale, %d steps)", d.stale_wakes,
	   d.steps);
	engine_free(b.e);

	/* Same, checking that no wake overshoots the end of the series. */
	bench_init(&b, false, 1, 1, true, NULL);
	memset(&d, 0, sizeof(d));
	d.until = b.now + 5 * PERIOD_US;
	d.latest_wake = b.now + 3 * RETRY_US + 10000;	/* the first question comes within 10 ms */
	done = drive(&b, &d);
	ok(done != 0 && d.late_wakes == 0, "-c 1, no claim: no wake past the end of the series");
	engine_free(b.e);

	/* A claim 5 ms after the first question: DONE 100 ms after it. */
	bench_init(&b, false, 1, 1, true, NULL);
	memset(&d, 0, sizeof(d));
	d.until = b.now + 5 * PERIOD_US;
	d.claim_mac = MAC_A;
	d.claim_delay = 5000;
	done = drive(&b, &d);
	ok(d.nasked == 1 && d.claim_at != 0, "-c 1, claimed: one question (%d)", d.nasked);
	ok(done != 0 && d.claim_at != 0 && done >= d.claim_at + SETTLE_US,
	   "-c 1, claimed: DONE deferred until 100 ms after the claim (%+lld us)",
	   (long long)(done - d.claim_at));
	ok(done != 0 && done <= d.claim_at + SETTLE_US + 1000, "-c 1, claimed: DONE right then");
	ok(d.stale_wakes == 0 && d.steps < 200,
	   "-c 1, claimed: every wake in the future (%d stale, %d steps)", d.stale_wakes, d.steps);
	engine_free(b.e);

	/* Unaskable at the first question: the run does not wait for it. */
	bench_init(&b, false, 1, 1, true, NULL);
	memset(&d, 0, sizeof(d));
	d.until = b.now + 5 * PERIOD_US;
	d.unaskable = true;
	done = drive(&b, &d);
	ok(done != 0 && d.nasked == 1 && d.steps < 200,
	   "-c 1, unaskable: done without waiting (%d asked, %d steps)", d.nasked, d.steps);
	engine_free(b.e);

	/*
	 * Paused in a series, at its second question (the round is over by
	 * then): no questions, no spinning, DONE after the face resumes it
	 * 2 s later (the resume comes from the face, before the loop asks).
	 */
	bench_init(&b, false, 1, 1, true, NULL);
	memset(&d, 0, sizeof(d));
	d.until = b.now + 5 * PERIOD_US;
	d.pause_at_question = 2;
	d.pause_us = 2 * PERIOD_US / 30;
	done = drive(&b, &d);
	ok(d.paused_at != 0 && d.asked_paused == 0 && d.nasked == 3 &&
	   done >= d.paused_at + d.pause_us,
	   "-c 1, paused mid-series: nothing asked while paused, DONE after the resume");
	ok(d.stale_wakes == 0 && d.steps < 500, "-c 1, paused: no spinning (%d stale, %d steps)",
	   d.stale_wakes, d.steps);
	engine_free(b.e);
}

/*
 * A caller that calls engine_next before asking (a reply just came in):
 * the neighbour not yet asked keeps a -c 1 run open, and the question is due.
 */
static void test_first_series_pending(void)
{
	struct bench b;
	struct probe_spec p;
	struct ip_addr q;
	uint64_t wake = 0;
	int guard = 0, dones = 0;
	enum engine_step s = ENGINE_SEND;

	bench_init(&b, false, 1, 1, true, NULL);
	while (guard++ < 1000) {
		wake = 0;
		s = engine_next(b.e, b.now, &p, &wake);
		if (s == ENGINE_DONE) {
			dones++;
			break;
		}
		if (s == ENGINE_SEND) {
			struct reply r = answer_to(&b, &p);

			engine_reply(b.e, &r, b.now);
			continue;
		}
		if (wake <= b.now)
			break;		/* the engine waits for the caller to ask */
		b.now = wake;
	}
	ok(dones == 0 && s == ENGINE_WAIT,
	   "-c 1: every probe answered, no question yet: not done (a first series is due)");
	ok(engine_next_neighbour_query(b.e, b.now, &q, &wake) && addr_equal(&q, &b.hop1),
	   "-c 1: and the question is due now");
	engine_free(b.e);
}

/* Two neighbours (ECMP at the host): each asked at once; a claim stops only its own series. */
static void test_two_neighbours(void)
{
	struct bench b;
	struct ip_addr other = ip("192.0.2.253"), q;
	struct reply r;
	struct probe_spec p0, p1;
	uint64_t wake = 0, t0;
	int n0 = 0, n1 = 0, guard = 0;

	bench_init(&b, false, 2, 0, true, NULL);
	/* The two flows' TTL-1 probes (pacing may put a wait between them). */
	while (guard++ < 16 && n0 + n1 < 2) {
		struct probe_spec p;

		wake = 0;
		if (engine_next(b.e, b.now, &p, &wake) != ENGINE_SEND) {
			b.now = wake > b.now ? wake : b.now + 1;
			continue;
		}
		if (p.ttl != 1)
			continue;
		if (p.sport == b.cfg.sport_base) {
			p0 = p;
			n0++;
		} else {
			p1 = p;
			n1++;
		}
	}
	if (n0 != 1 || n1 != 1) {
		ok(0, "two neighbours: no TTL-1 probe for each flow");
		engine_free(b.e);
		return;
	}
	b.now += 300;
	t0 = b.now;
	r = answer_to(&b, &p0);
	engine_reply(b.e, &r, t0);
	r = answer_to(&b, &p1);
	r.from = other;
	memcpy(r.lladdr, MAC_B, 6);
	engine_reply(b.e, &r, t0);
	n0 = n1 = 0;
	while (engine_next_neighbour_query(b.e, t0, &q, &wake) && n0 + n1 < 8) {
		n0 += addr_equal(&q, &b.hop1);
		n1 += addr_equal(&q, &other);
	}
	ok(n0 == 1 && n1 == 1, "two neighbours: each asked once at once (%d, %d)", n0, n1);
	engine_neighbour_claim(b.e, &other, MAC_B, 6, t0 + 1000);
	n0 = n1 = 0;
	while (engine_next_neighbour_query(b.e, t0 + RETRY_US, &q, &wake) && n0 + n1 < 8) {
		n0 += addr_equal(&q, &b.hop1);
		n1 += addr_equal(&q, &other);
	}
	ok(n0 == 1 && n1 == 0, "two neighbours: at +250 ms only the unclaimed one is asked again");
	engine_free(b.e);
}

/* Finds the neighbour pair (addr, mac) in hop 1 of res; NULL when absent. */
static const struct link_address *pair_in(const struct results *res, const char *addr,
					  const uint8_t *mac)
{
	struct ip_addr a = ip(addr);

	if (res == NULL || res->nhops < 1 || res->hops[0].ttl != 1)
		return NULL;
	for (int i = 0; i < res->hops[0].nneighbours; i++) {
		const struct neighbour_result *n = &res->hops[0].neighbours[i];

		if (addr_equal(&n->addr, &a) && n->link.len == 6 && memcmp(n->link.addr, mac, 6) == 0)
			return &n->link;
	}
	return NULL;
}

static int nneighbours(const struct results *res)
{
	return res != NULL && res->nhops >= 1 ? res->hops[0].nneighbours : -1;
}

/* Runs the -c 1 round and the first series to the end; the engine stays for more calls. */
static void run_round(struct bench *b)
{
	struct drive d;

	memset(&d, 0, sizeof(d));
	d.until = b->now + PERIOD_US / 2;
	(void)drive(b, &d);
}

static void test_filters(void)
{
	struct bench b;
	struct results *res;
	const struct link_address *l;

	bench_init(&b, false, 1, 1, true, NULL);
	run_round(&b);
	claim_at(b.e, "10.9.9.9", MAC_Z, 6, b.now);
	table_at(b.e, "10.9.9.8", MAC_Z, 6);
	res = results_with_findings(engine_results(b.e, b.now));
	ok(nneighbours(res) == 1, "an unrelated IP on an unrelated MAC is ignored (%d pairs)",
	   nneighbours(res));
	results_free(res);

	claim_at(b.e, "192.0.2.77", MAC_A, 6, b.now);
	engine_neighbour_claim(b.e, &b.hop1, MAC_B, 6, b.now);
	engine_neighbour_table(b.e, &b.hop1, MAC_C, 6);
	engine_neighbour_claim(b.e, &b.hop1, MAC_Z, 0, b.now);	/* no link-layer address */
	res = results_with_findings(engine_results(b.e, b.now));
	l = pair_in(res, "192.0.2.77", MAC_A);
	ok(l != NULL && l->claims == 1 && l->answers == 0 && !l->in_table,
	   "another IP claimed by the neighbour's MAC is kept: 1 claim, 0 answers");
	l = pair_in(res, "192.0.2.254", MAC_B);
	ok(l != NULL && l->claims == 1 && l->answers == 0,
	   "the neighbour's IP claimed by another MAC is kept");
	l = pair_in(res, "192.0.2.254", MAC_C);
	ok(l != NULL && l->in_table && l->claims == 0 && l->answers == 0,
	   "the host's table entry for the neighbour, on another MAC, is kept as in_table");
	l = pair_in(res, "192.0.2.254", MAC_A);
	ok(l != NULL && l->answers >= 1 && l->claims == 0 && !l->in_table,
	   "the neighbour's own pair: answers only");
	ok(nneighbours(res) == 4, "4 pairs in all, the empty link-layer address ignored (%d)",
	   nneighbours(res));
	results_free(res);

	/* A MAC known only from the table (C) is no reason to keep other IPs on it. */
	claim_at(b.e, "192.0.2.78", MAC_C, 6, b.now);
	/* But a MAC that claimed (B) is. */
	table_at(b.e, "192.0.2.79", MAC_B, 6);
	res = results_with_findings(engine_results(b.e, b.now));
	ok(pair_in(res, "192.0.2.78", MAC_C) == NULL,
	   "another IP on a MAC known only from the table is ignored");
	ok(pair_in(res, "192.0.2.79", MAC_B) != NULL && pair_in(res, "192.0.2.79", MAC_B)->in_table,
	   "another IP on a MAC that claimed the neighbour is kept");
	results_free(res);
	engine_free(b.e);

	/*
	 * One process tracing both families: the IPv6 target's claims reach
	 * this IPv4 engine too, and a dual-stack neighbour holds both on one MAC.
	 */
	bench_init(&b, false, 1, 1, true, NULL);
	run_round(&b);
	claim_at(b.e, "2001:db8::77", MAC_A, 6, b.now);
	table_at(b.e, "2001:db8::78", MAC_A, 6);
	res = results_with_findings(engine_results(b.e, b.now));
	ok(nneighbours(res) == 1 && pair_in(res, "2001:db8::77", MAC_A) == NULL,
	   "an IPv6 address on the IPv4 neighbour's MAC is none of this engine's (%d pairs)",
	   nneighbours(res));
	ok(res->findings == NULL || res->findings->count == 0,
	   "and no link-address-shared finding from it");
	results_free(res);
	engine_free(b.e);

	/* IPv6: link-local addresses share every interface's MAC. */
	bench_init(&b, true, 1, 1, true, NULL);
	ok(b.e != NULL, "IPv6 engine created");
	run_round(&b);
	table_at(b.e, "fe80::1", MAC_A, 6);
	claim_at(b.e, "fe80::1", MAC_A, 6, b.now);
	table_at(b.e, "2001:db8::20", MAC_A, 6);
	res = results_with_findings(engine_results(b.e, b.now));
	ok(pair_in(res, "fe80::1", MAC_A) == NULL,
	   "IPv6: a link-local table entry or claim on the neighbour's MAC is ignored");
	ok(pair_in(res, "2001:db8::20", MAC_A) != NULL && pair_in(res, "2001:db8::20", MAC_A)->in_table,
	   "IPv6: a global address on the neighbour's MAC is kept");
	ok(nneighbours(res) == 2, "IPv6: 2 pairs (%d)", nneighbours(res));
	ok(res != NULL && res->nhops >= 1 && res->hops[0].nlink_checks == 1 &&
	   res->hops[0].link_checks[0].asked == 3 && !res->hops[0].link_checks[0].claimed,
	   "IPv6: the neighbour was asked 3 times, no claim");
	results_free(res);
	engine_free(b.e);

	/* IPv6: a neighbour answering from its link-local address is a target, so claims count. */
	bench_init(&b, true, 1, 1, true, "fe80::fe");
	run_round(&b);
	claim_at(b.e, "fe80::fe", MAC_B, 6, b.now);
	res = results_with_findings(engine_results(b.e, b.now));
	ok(pair_in(res, "fe80::fe", MAC_B) != NULL,
	   "IPv6: a claim for a link-local neighbour we ask is kept");
	results_free(res);
	engine_free(b.e);
}

static int count_kind(const struct findings *f, enum finding_kind kind, const struct finding **last)
{
	int n = 0;

	for (int i = 0; f != NULL && i < f->count; i++)
		if (f->items[i].kind == kind) {
			n++;
			if (last)
				*last = &f->items[i];
		}
	return n;
}

static bool names_mac(const struct finding *f, const uint8_t *mac)
{
	char m[LLADDR_STRLEN];

	return f != NULL && strstr(f->summary, lladdr_format(mac, 6, m, sizeof(m))) != NULL;
}

/*
 * One -c 1 run with 2 flows whose TTL-1 answers come from ans[0], ans[1];
 * then claims from claim[] and table entries (addr, mac).  Returns the
 * snapshot (diagnosed by results_with_findings).
 */
struct scene {
	const uint8_t *ans[2];
	const uint8_t *claim[2];
	int nclaims;
	const char *table_addr;
	const uint8_t *table_mac;
};

static struct results *play(const struct scene *s)
{
	struct bench b;
	struct drive d;
	struct results *res;

	bench_init(&b, false, 2, 1, true, NULL);
	b.macs[0] = s->ans[0];
	b.macs[1] = s->ans[1];
	b.nmacs = 2;
	memset(&d, 0, sizeof(d));
	d.until = b.now + 10000;	/* the round, and the first question */
	(void)drive(&b, &d);
	for (int i = 0; i < s->nclaims; i++)
		engine_neighbour_claim(b.e, &b.hop1, s->claim[i], 6, b.now + 1000 * (uint64_t)i);
	if (s->table_addr != NULL)
		table_at(b.e, s->table_addr, s->table_mac, 6);
	memset(&d, 0, sizeof(d));
	d.until = b.now + PERIOD_US / 2;
	(void)drive(&b, &d);
	res = results_with_findings(engine_results(b.e, b.now));
	engine_free(b.e);
	return res;
}

static void test_diagnosis(void)
{
	struct results *res;
	const struct finding *f = NULL;
	const struct link_address *l;
	char buf[96];
	int n;

	/* Duplicated IP: answers from A, claims from A and B. */
	res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {MAC_A, MAC_B}, .nclaims = 2});
	n = res ? count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, &f) : -1;
	ok(res != NULL && res->findings != NULL, "duplicate: results and findings");
	ok(res && res->nhops >= 1 && res->hops[0].nlink_checks == 1 &&
	   res->hops[0].link_checks[0].asked > 0 && res->hops[0].link_checks[0].claimed &&
	   !res->hops[0].link_checks[0].unaskable, "duplicate: the check asked and got a claim");
	l = pair_in(res, "192.0.2.254", MAC_A);
	ok(l && l->answers == 2 && l->claims == 1, "duplicate: A answered twice and claimed once");
	l = pair_in(res, "192.0.2.254", MAC_B);
	ok(l && l->answers == 0 && l->claims == 1 && !l->in_table, "duplicate: B only claimed");
	ok(res && res->hops[0].nbranches >= 1 && res->hops[0].branches[0].nlink_addrs == 2,
	   "duplicate: the branch lists both link-layer addresses (%d)",
	   res && res->hops[0].nbranches >= 1 ? res->hops[0].branches[0].nlink_addrs : -1);
	ok(n == 1 && count_kind(res->findings, FINDING_LINK_ADDRESS_SHARED, NULL) == 0,
	   "duplicate: exactly one link-address-conflict finding");
	ok(names_mac(f, MAC_A) && names_mac(f, MAC_B) && strstr(f->summary, "duplicated IP") &&
	   !strstr(f->summary, "team") && !strstr(f->summary, "neighbour entry") && f->ttl == 1,
	   "duplicate: it names both MACs and a duplicated IP: %s", f ? f->summary : "");
	{
		struct findings *again = res ? diagnose(res) : NULL;

		ok(again && count_kind(again, FINDING_LINK_ADDRESS_CONFLICT, NULL) == 1,
		   "duplicate: diagnose() on the snapshot agrees");
		findings_free(again);
	}
	results_free(res);

	/* Team: both send, only A claims. */
	f = NULL;
	res = play(&(struct scene){.ans = {MAC_A, MAC_B}, .claim = {MAC_A}, .nclaims = 1});
	n = res ? count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, &f) : -1;
	ok(n == 1 &&
	   names_mac(f, MAC_A) && names_mac(f, MAC_B) && strstr(f->summary, "team") &&
	   !strstr(f->summary, "two machines claim"),
	   "team: one conflict finding, a NIC team: %s", f ? f->summary : "");
	results_free(res);

	/* Table only: A answers and claims, this host's entry says C. */
	f = NULL;
	res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {MAC_A}, .nclaims = 1,
				   .table_addr = "192.0.2.254", .table_mac = MAC_C});
	n = res ? count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, &f) : -1;
	ok(n == 1 &&
	   names_mac(f, MAC_A) && names_mac(f, MAC_C) && strstr(f->summary, "neighbour entry") &&
	   !strstr(f->summary, "team"),
	   "table only: one conflict finding about the host's neighbour entry: %s",
	   f ? f->summary : "");
	results_free(res);

	/* Two claimers outweigh a stale table entry: still a duplicated IP. */
	f = NULL;
	res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {MAC_A, MAC_B}, .nclaims = 2,
				   .table_addr = "192.0.2.254", .table_mac = MAC_C});
	n = res ? count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, &f) : -1;
	ok(n == 1 && names_mac(f, MAC_A) && names_mac(f, MAC_B) && names_mac(f, MAC_C) &&
	   strstr(f->summary, "two machines claim") && !strstr(f->summary, "neighbour entry"),
	   "two claimers and a table entry: one conflict, two machines claim: %s",
	   f ? f->summary : "");
	results_free(res);

	/* Shared through the table: 192.0.2.20 is on A too. */
	f = NULL;
	res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {MAC_A}, .nclaims = 1,
				   .table_addr = "192.0.2.20", .table_mac = MAC_A});
	n = res ? count_kind(res->findings, FINDING_LINK_ADDRESS_SHARED, &f) : -1;
	ok(n == 1 &&
	   count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, NULL) == 0 && f &&
	   strstr(f->summary, "192.0.2.254") && strstr(f->summary, "192.0.2.20") &&
	   names_mac(f, MAC_A), "shared via the table: one finding naming both IPs: %s",
	   f ? f->summary : "");
	results_free(res);

	/*
	 * A redundancy group's virtual MAC (VRRP 00:00:5e:00:01:xx, HSRP
	 * 00:00:0c:07:ac:xx / 00:00:0c:9f:fx:xx) stands for the virtual
	 * address and the routers' own: no shared finding.  A MAC one byte
	 * off each range still raises it.
	 */
	{
		static const uint8_t vmacs[][6] = {
			{0x00, 0x00, 0x5e, 0x00, 0x01, 0x07}, {0x00, 0x00, 0x5e, 0x00, 0x02, 0x07},
			{0x00, 0x00, 0x0c, 0x07, 0xac, 0x01}, {0x00, 0x00, 0x0c, 0x9f, 0xf0, 0x2a},
		};
		static const uint8_t plain[][6] = {
			{0x00, 0x00, 0x5e, 0x00, 0x03, 0x07}, {0x00, 0x00, 0x0c, 0x07, 0xad, 0x01},
			{0x00, 0x00, 0x0c, 0x9f, 0xe0, 0x2a},
		};

		for (size_t i = 0; i < sizeof(vmacs) / sizeof(vmacs[0]); i++) {
			res = play(&(struct scene){.ans = {vmacs[i], vmacs[i]}, .claim = {vmacs[i]},
						   .nclaims = 1, .table_addr = "192.0.2.1",
						   .table_mac = vmacs[i]});
			ok(res && res->findings &&
			   count_kind(res->findings, FINDING_LINK_ADDRESS_SHARED, NULL) == 0,
			   "virtual router MAC %zu: two addresses on it raise nothing", i);
			results_free(res);
		}
		for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
			res = play(&(struct scene){.ans = {plain[i], plain[i]}, .claim = {plain[i]},
						   .nclaims = 1, .table_addr = "192.0.2.1",
						   .table_mac = plain[i]});
			ok(res && res->findings &&
			   count_kind(res->findings, FINDING_LINK_ADDRESS_SHARED, NULL) == 1,
			   "MAC %zu just outside the virtual router ranges: still shared", i);
			results_free(res);
		}
	}

	/*
	 * A virtual router address: ARP names the group's virtual MAC, the
	 * master answers from its own NIC.  Not a conflict; a real NIC
	 * claiming it as well is one.
	 */
	{
		static const uint8_t vmac[6] = {0x00, 0x00, 0x5e, 0x00, 0x01, 0x01};

		res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {vmac}, .nclaims = 1,
					   .table_addr = "192.0.2.254", .table_mac = vmac});
		ok(res && res->findings &&
		   count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, NULL) == 0,
		   "a VRRP address answered from the master's own MAC: no conflict");
		results_free(res);
		f = NULL;
		res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {vmac, MAC_B},
					   .nclaims = 2, .table_addr = "192.0.2.254", .table_mac = vmac});
		n = res ? count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, &f) : -1;
		ok(n == 1 && names_mac(f, MAC_B), "a VRRP address that a real NIC claims too: "
		   "a conflict: %s", f ? f->summary : "");
		results_free(res);
	}

	/* Clean: everything says A. */
	res = play(&(struct scene){.ans = {MAC_A, MAC_A}, .claim = {MAC_A, MAC_A}, .nclaims = 2,
				   .table_addr = "192.0.2.254", .table_mac = MAC_A});
	l = pair_in(res, "192.0.2.254", MAC_A);
	ok(l && l->answers == 2 && l->claims == 2 && l->in_table && nneighbours(res) == 1,
	   "clean: one pair with 2 answers, 2 claims, in the table");
	ok(res && res->findings && count_kind(res->findings, FINDING_LINK_ADDRESS_CONFLICT, NULL) == 0 &&
	   count_kind(res->findings, FINDING_LINK_ADDRESS_SHARED, NULL) == 0,
	   "clean: no link-address finding");
	if (l)
		ok(strcmp(link_address_describe(l, buf, sizeof(buf)),
			  "2 answers, 2 ARP/ND claims, this host's entry") == 0,
		   "describe: %s", buf);
	else
		ok(0, "describe: no pair to describe");
	results_free(res);
}

static void test_describe(void)
{
	struct link_address l = {.answers = 1, .claims = 1};
	char buf[64], tiny[8];

	ok(strcmp(link_address_describe(&l, buf, sizeof(buf)), "1 answer, 1 ARP/ND claim") == 0,
	   "describe singular: %s", buf);
	l = (struct link_address){.in_table = true};
	ok(strcmp(link_address_describe(&l, buf, sizeof(buf)), "this host's entry") == 0,
	   "describe table only: %s", buf);
	l = (struct link_address){0};
	ok(strcmp(link_address_describe(&l, buf, sizeof(buf)), "") == 0, "describe nothing: empty");
	l = (struct link_address){.answers = 12345, .claims = 678, .in_table = true};
	memset(tiny, 'x', sizeof(tiny));
	link_address_describe(&l, tiny, sizeof(tiny));
	ok(memchr(tiny, '\0', sizeof(tiny)) != NULL && strncmp(tiny, "12345 a", 7) == 0,
	   "describe truncates within the buffer: %s", tiny);
}

/* r in the live view: answers count again from zero; claims and the table stay. */
static void test_reset(void)
{
	struct bench b;
	struct results *res;
	const struct link_address *a, *z;

	bench_init(&b, false, 1, 0, true, NULL);
	(void)answer_first_probe(&b);
	claim_at(b.e, "192.0.2.254", MAC_B, 6, b.now);	/* another holder claims hop 1 */
	engine_reset_stats(b.e);
	res = results_with_findings(engine_results(b.e, b.now));
	a = pair_in(res, "192.0.2.254", MAC_A);
	z = pair_in(res, "192.0.2.254", MAC_B);
	ok(a == NULL, "after a reset the answer-only pair is gone");
	ok(z != NULL && z->claims == 1 && z->answers == 0, "after a reset the claim stays");
	results_free(res);
	engine_free(b.e);
}

int main(void)
{
	test_schedule();
	test_single_round();
	test_first_series_pending();
	test_two_neighbours();
	test_filters();
	test_diagnosis();
	test_describe();
	test_reset();
	return tap_done();
}
