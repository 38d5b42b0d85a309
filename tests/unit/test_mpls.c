/*
 * -e and -z end to end without a network: the engine keeps the MPLS label
 * stack (RFC 4950) each responder last quoted per TTL, and the report, the
 * JSON document and the live view's words show it; the origin AS of -z
 * comes through a namer (namer.h) and shows as "AS64500" / "asn".  Replies
 * are built by hand in virtual time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/mpls.h"
#include "engine/results.h"
#include "face/json.h"
#include "face/report.h"
#include "face/vocab.h"
#include "namer.h"
#include "tests/tap.h"
#include "wire/probe_check.h"

/* The table alone: last seen wins, none clears, pairs are per TTL. */
static void test_table(void)
{
	struct mpls_table t = {0};
	struct reply r;
	const struct mpls_stack *s;

	memset(&r, 0, sizeof(r));
	addr_parse("203.0.113.1", &r.from);
	mpls_note(&t, 1, &r);
	ok(t.n == 0, "answers without labels add nothing to an empty table");
	r.mpls_count = 2;
	r.mpls_entry[0] = 24001u << 12 | 1;
	r.mpls_entry[1] = 16u << 12 | 1u << 8 | 1;
	mpls_note(&t, 1, &r);
	s = mpls_find(&t, 1, &r.from);
	ok(s != NULL && s->n == 2 && mpls_label(s->entry[0]) == 24001 &&
	   mpls_s(s->entry[1]) == 1 && mpls_ttl(s->entry[1]) == 1, "a stack of two is kept");
	ok(mpls_find(&t, 2, &r.from) == NULL, "... at its TTL only");
	r.mpls_count = 1;
	r.mpls_entry[0] = 30000u << 12 | 3u << 9 | 255;
	mpls_note(&t, 1, &r);
	s = mpls_find(&t, 1, &r.from);
	ok(s != NULL && s->n == 1 && mpls_label(s->entry[0]) == 30000 && mpls_tc(s->entry[0]) == 3 &&
	   mpls_ttl(s->entry[0]) == 255 && t.n == 1, "the stack last seen replaces the earlier one");
	r.mpls_count = 0;
	mpls_note(&t, 1, &r);
	ok(mpls_find(&t, 1, &r.from) == NULL, "an answer without labels clears it");
	r.mpls_count = 1;
	for (int i = 0; i < MPLS_SEEN_MAX + 10; i++) {
		r.from.b[3] = (uint8_t)i;
		r.from.b[2] = (uint8_t)(i >> 8);
		mpls_note(&t, 3, &r);
	}
	ok(t.n == MPLS_SEEN_MAX, "the table stops at %d pairs (%d)", MPLS_SEEN_MAX, t.n);
	mpls_table_free(&t);
	ok(t.n == 0 && t.v == NULL, "freed");
}

/* One engine, two flows, virtual time. */
struct bench {
	struct engine *e;
	struct engine_config cfg;
	uint64_t now;
	struct probe_spec sent[64];
	int nsent;
};

static void bench_init(struct bench *b)
{
	char err[128];

	memset(b, 0, sizeof(*b));
	engine_config_defaults(&b->cfg);
	addr_parse("192.0.2.1", &b->cfg.src);
	addr_parse("198.51.100.9", &b->cfg.dst);
	b->cfg.proto = PROBE_UDP;
	b->cfg.payload_len = 12;
	b->cfg.nflows = 2;
	b->cfg.max_ttl = 4;
	b->cfg.max_unknown = 2;
	b->cfg.rounds = 1;
	b->cfg.rate_pps = 1000;
	b->cfg.interval_us = 10000;
	b->cfg.timeout_us = 50000;
	b->cfg.seed = 0x4950;
	b->now = 1000000;
	b->e = engine_new(&b->cfg, err, sizeof(err));
}

static void bench_send(struct bench *b)
{
	for (;;) {
		uint64_t wake = 0;
		enum engine_step s = engine_next(b->e, b->now, &b->sent[b->nsent % 64], &wake);

		if (s == ENGINE_SEND) {
			b->nsent++;
			continue;
		}
		if (s == ENGINE_DONE || wake > b->now + 10000)
			return;
		b->now = wake > b->now ? wake : b->now + 1;
	}
}

/* The router's answer to probe p, quoting n label stack entries. */
static void answer(struct bench *b, const struct probe_spec *p, const char *from,
		   const uint32_t *entries, int n)
{
	struct reply r;

	probe_expected_reply(p, REPLY_TIME_EXCEEDED, 1, true, &r);
	addr_parse(from, &r.from);
	r.mpls_count = n;
	for (int i = 0; i < n; i++) {
		r.mpls_entry[i] = entries[i];
		r.mpls_label[i] = entries[i] >> 12;
	}
	b->now += 200;
	engine_reply(b->e, &r, b->now);
}

/* A namer that knows the AS of 203.0.113.1 only. */
static const char *fake_asn(void *ctx, const struct ip_addr *a)
{
	struct ip_addr known;

	(void)ctx;
	addr_parse("203.0.113.1", &known);
	return addr_equal(a, &known) ? "64500" : NULL;
}

static char *report_text(const struct results *r, bool mpls, const struct namer *asn)
{
	struct report_options ro = {.target_name = "t", .mpls = mpls, .asn = asn};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL)
		return NULL;
	report_print(f, r, &ro);
	fclose(f);
	return text;
}

static char *json_text(const struct results *r, const struct namer *asn)
{
	struct json_options jo = {.target_name = "t", .asn = asn};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL)
		return NULL;
	json_print_report(f, r, &jo);
	fclose(f);
	return text;
}

static void test_faces(void)
{
	static const uint32_t stack[] = { 24001u << 12 | 1, 16u << 12 | 5u << 9 | 1u << 8 | 1 };
	struct namer asn = {.lookup = fake_asn};
	struct bench b;
	struct results *r;
	char *rep, *rep_e, *rep_z, *js, *js_z;
	int t1[2] = {-1, -1}, t2 = -1;

	bench_init(&b);
	ok(b.e != NULL, "engine created");
	bench_send(&b);
	for (int i = 0; i < b.nsent; i++) {
		if (b.sent[i].ttl == 1)
			t1[t1[0] < 0 ? 0 : 1] = i;
		else if (b.sent[i].ttl == 2 && t2 < 0)
			t2 = i;
	}
	ok(t1[0] >= 0 && t1[1] >= 0 && t2 >= 0, "probes at TTL 1 (two flows) and 2 sent");
	if (t1[0] < 0 || t1[1] < 0 || t2 < 0)
		return;
	answer(&b, &b.sent[t1[0]], "203.0.113.1", stack, 2);
	answer(&b, &b.sent[t1[1]], "203.0.113.1", stack, 2);
	answer(&b, &b.sent[t2], "203.0.113.2", NULL, 0);
	r = engine_results(b.e, b.now);
	ok(r != NULL && r->nhops >= 2 && r->hops[0].nbranches == 1 &&
	   r->hops[0].branches[0].mpls.n == 2 && r->hops[0].branches[0].mpls.entry[1] == stack[1] &&
	   r->hops[1].branches[0].mpls.n == 0,
	   "the snapshot has hop 1's two labels and none at hop 2");
	if (r == NULL)
		return;
	rep = report_text(r, false, NULL);
	rep_e = report_text(r, true, NULL);
	rep_z = report_text(r, false, &asn);
	js = json_text(r, NULL);
	js_z = json_text(r, &asn);
	ok(rep && !strstr(rep, "MPLS"), "report without -e: no labels");
	ok(rep_e && strstr(rep_e, "[MPLS: Lbl 24001 TC 0 S 0 TTL 1]") &&
	   strstr(rep_e, "[MPLS: Lbl 16 TC 5 S 1 TTL 1]"),
	   "report with -e: one mtr-style line per label");
	ok(rep_e && strstr(rep_e, "[MPLS: Lbl 24001") > strstr(rep_e, "203.0.113.1") &&
	   strstr(rep_e, "[MPLS: Lbl 24001") < strstr(rep_e, "203.0.113.2"),
	   "... under hop 1's row, before hop 2");
	ok(rep_z && strstr(rep_z, "AS64500 203.0.113.1") && strstr(rep_z, "AS??? 203.0.113.2"),
	   "report with -z: AS64500 before the address, AS??? where unknown");
	ok(js && strstr(js, "\"mpls\":") && strstr(js, "\"label\":\t24001") &&
	   strstr(js, "\"tc\":\t5") && !strstr(js, "\"asn\""),
	   "JSON: the stack as objects; no asn without -z");
	ok(js_z && strstr(js_z, "\"asn\":\t64500") && strstr(js_z, "\"asn\":\tnull"),
	   "JSON with -z: asn 64500, null where unknown");
	free(rep);
	free(rep_e);
	free(rep_z);
	free(js);
	free(js_z);
	results_free(r);
	engine_free(b.e);
}

static void test_words(void)
{
	char buf[64];
	struct namer asn = {.lookup = fake_asn};
	struct ip_addr a;

	vocab_mpls(1048575u << 12 | 7u << 9 | 1u << 8 | 255, buf, sizeof(buf));
	ok(strcmp(buf, "[MPLS: Lbl 1048575 TC 7 S 1 TTL 255]") == 0, "widest entry: %s", buf);
	addr_parse("203.0.113.1", &a);
	ok(strcmp(vocab_asn(&asn, &a, buf, sizeof(buf)), "AS64500") == 0 &&
	   strcmp(vocab_asn(NULL, &a, buf, sizeof(buf)), "") == 0, "AS words");
}

int main(void)
{
	test_table();
	test_faces();
	test_words();
	return tap_done();
}
