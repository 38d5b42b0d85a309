/*
 * The Prometheus metrics (src/face/metrics.c, metrics_text.c): label
 * values escaped as the format says (and non-UTF-8 replaced), buffers that
 * never pass their limit, counters per branch and lineage that add up to
 * the cells' figures and never go back when a flow changes branch, an
 * early loss is taken back or discovery drops flows, the RTT summary, the
 * per-flow counters, the findings in force, the series cap and its
 * counter, reachability, and the two formats (OpenMetrics's family names
 * and "# EOF"), with content negotiation.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/metrics.h"
#include "tests/tap.h"

#define NTTL 3
#define MAXF 8
#define S 1000000ull

/*
 * A toy snapshot: TTL 1 one router (R), TTL 2 a split (A or B), TTL 3 the
 * target (T) behind both.  path[f][k] names the responder ('\0': none yet).
 */
struct toy {
	int nflows;
	char path[MAXF][NTTL];
	uint64_t recv[MAXF][NTTL], lost[MAXF][NTTL];
	uint64_t rtt_us;			/* every answer's RTT */
};

static struct ip_addr toy_addr(char c)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	if (c == '\0')
		return a;
	a.family = AF_INET;
	a.b[0] = 10;
	a.b[3] = (uint8_t)c;
	return a;
}

/* The branch of hop h answering from c (unset c: the unknown one), made if new. */
static struct branch_result *toy_branch(struct hop_result *h, char c)
{
	struct ip_addr a = toy_addr(c);

	for (int j = 0; j < h->nbranches; j++)
		if (addr_equal(&h->branches[j].addr, &a))
			return &h->branches[j];
	h->branches = realloc(h->branches, (size_t)(h->nbranches + 1) * sizeof(*h->branches));
	memset(&h->branches[h->nbranches], 0, sizeof(*h->branches));
	h->branches[h->nbranches].addr = a;
	return &h->branches[h->nbranches++];
}

static void toy_flow(struct results *r, const struct toy *t, int i)
{
	struct flow_result *f = &r->flows[i];

	f->id = i;
	f->sport = (uint16_t)(33000 + i);
	f->path_len = NTTL;
	f->path = calloc(NTTL, sizeof(*f->path));
	f->hop_received = calloc(NTTL, sizeof(*f->hop_received));
	f->hop_lost = calloc(NTTL, sizeof(*f->hop_lost));
	for (int k = 0; k < NTTL; k++) {
		f->path[k] = toy_addr(t->path[i][k]);
		f->hop_received[k] = t->recv[i][k];
		f->hop_lost[k] = t->lost[i][k];
	}
	f->received = t->recv[i][NTTL - 1];
	f->lost = t->lost[i][NTTL - 1];
}

/* Adds flow i's cell at hop k to its branch, with the lineage at TTL 2 for TTL 3. */
static void toy_cell(struct results *r, const struct toy *t, int i, int k)
{
	struct branch_result *b = toy_branch(&r->hops[k], t->path[i][k]);
	struct rtt_stats c;

	rtt_init(&c);
	for (uint64_t n = 0; n < t->recv[i][k]; n++)
		rtt_add(&c, (int64_t)t->rtt_us, 0);
	b->flows = realloc(b->flows, (size_t)(b->nflows + 1) * sizeof(*b->flows));
	b->flows[b->nflows++] = i;
	b->received += t->recv[i][k];
	b->lost += t->lost[i][k];
	rtt_merge(&b->rtt, &c);
	if (k == 2) {
		struct hop_result *split = &r->hops[1];
		int lineage = (int)(toy_branch(split, t->path[i][1]) - split->branches);
		int v = 0;

		b->via_ttl = 2;
		while (v < b->nvia && b->via[v].branch != lineage)
			v++;
		if (v == b->nvia) {
			b->via = realloc(b->via, (size_t)(b->nvia + 1) * sizeof(*b->via));
			memset(&b->via[v], 0, sizeof(*b->via));
			b->via[v].branch = lineage;
			rtt_init(&b->via[v].rtt);
			b->nvia++;
		}
		b->via[v].received += t->recv[i][k];
		rtt_merge(&b->via[v].rtt, &c);
	}
}

static struct results *toy_results(const struct toy *t)
{
	struct results *r = calloc(1, sizeof(*r));

	engine_config_defaults(&r->config);
	r->config.first_ttl = 1;
	r->nhops = NTTL;
	r->hops = calloc(NTTL, sizeof(*r->hops));
	for (int k = 0; k < NTTL; k++) {
		r->hops[k].ttl = k + 1;
		r->hops[k].confidence = 95;
		r->hops[k].discovery_complete = true;
		/* Branches made in a fixed order, so lineage indexes stay put. */
		toy_branch(&r->hops[k], k == 0 ? 'R' : k == 1 ? 'A' : 'T');
		if (k == 1)
			toy_branch(&r->hops[k], 'B');
	}
	r->nflows = t->nflows;
	r->flows = calloc((size_t)t->nflows, sizeof(*r->flows));
	for (int i = 0; i < t->nflows; i++) {
		toy_flow(r, t, i);
		for (int k = 0; k < NTTL; k++)
			toy_cell(r, t, i, k);
		if (t->recv[i][NTTL - 1] > 0)
			r->dest_ttl = NTTL;
	}
	return r;
}

/* Four flows, even ones through A, odd ones through B; B's flows lose half at the target. */
static void toy_start(struct toy *t)
{
	memset(t, 0, sizeof(*t));
	t->nflows = 4;
	t->rtt_us = 2000;
	for (int i = 0; i < 4; i++) {
		t->path[i][0] = 'R';
		t->path[i][1] = i % 2 ? 'B' : 'A';
		t->path[i][2] = 'T';
		for (int k = 0; k < NTTL; k++)
			t->recv[i][k] = 10;
		if (i % 2)
			t->lost[i][2] = 10;
	}
}

/* The exposition of one target as text (Prometheus or OpenMetrics). */
static char *expose(const struct metrics_target *m, enum metrics_format fmt)
{
	struct metrics_bodies b;
	const struct metrics_bodies *one = &b;
	struct metrics_buf out;
	char *text;

	metrics_buf_init(&out, 1 << 20);
	if (!metrics_target_render(m, &b, 1 << 20) ||
	    !metrics_assemble(&one, 1, fmt, "9.9", &out)) {
		metrics_bodies_free(&b);
		metrics_buf_free(&out);
		return strdup("");
	}
	metrics_bodies_free(&b);
	text = out.data ? out.data : strdup("");
	return text;
}

/* The value of the sample whose line starts with prefix, or -1. */
static double value_of(const char *text, const char *prefix)
{
	const char *at = text;

	while ((at = strstr(at, prefix)) != NULL) {
		if (at == text || at[-1] == '\n') {
			const char *sp = strchr(at + strlen(prefix), ' ');

			return sp ? strtod(sp + 1, NULL) : -1;
		}
		at++;
	}
	return -1;
}

static double sent_of(const char *text, int ttl, const char *addr, const char *via)
{
	char p[160];

	snprintf(p, sizeof(p),
		 "ecmptrace_probes_sent_total{target=\"t\",ttl=\"%d\",address=\"%s\",via=\"%s\"}",
		 ttl, addr, via);
	return value_of(text, p);
}

static double replies_of(const char *text, int ttl, const char *addr, const char *via)
{
	char p[160];

	snprintf(p, sizeof(p),
		 "ecmptrace_replies_total{target=\"t\",ttl=\"%d\",address=\"%s\",via=\"%s\"}", ttl,
		 addr, via);
	return value_of(text, p);
}

static void test_escaping(void)
{
	struct metrics_buf b;
	bool done;

	metrics_buf_init(&b, 64);
	done = metrics_buf_label_value(&b, "a\\b\"c\nd\xff\xc3\xa9\xed\xa0\x80");
	ok(done && strcmp(b.data, "a\\\\b\\\"c\\nd?\xc3\xa9???") == 0,
	   "label values: \\ \" and newline escaped, é kept, a bad byte and a surrogate replaced (%s)",
	   b.data);
	metrics_buf_free(&b);
	metrics_buf_init(&b, 8);
	ok(metrics_buf_add(&b, "1234567", 7) && !metrics_buf_add(&b, "8", 1) && b.full &&
	   b.len == 7 && !metrics_buf_add(&b, "", 0),
	   "a buffer of 8 takes 7 characters and its NUL, then refuses anything (and says full)");
	metrics_buf_free(&b);
}

static void test_counters(void)
{
	struct metrics_target *m = metrics_target_new("t", 0);
	struct toy t;
	struct results *r;
	char *text;

	toy_start(&t);
	r = toy_results(&t);
	ok(metrics_target_update(m, r, 1 * S), "first snapshot taken");
	results_free(r);
	text = expose(m, METRICS_PROMETHEUS);
	ok(sent_of(text, 2, "10.0.0.65", "") == 20 && sent_of(text, 2, "10.0.0.66", "") == 20 &&
	   replies_of(text, 2, "10.0.0.66", "") == 20,
	   "TTL 2: 20 probes and 20 answers on each branch (A, B)");
	ok(sent_of(text, 3, "10.0.0.84", "10.0.0.65") == 20 &&
	   replies_of(text, 3, "10.0.0.84", "10.0.0.65") == 20 &&
	   sent_of(text, 3, "10.0.0.84", "10.0.0.66") == 40 &&
	   replies_of(text, 3, "10.0.0.84", "10.0.0.66") == 20,
	   "TTL 3: the target's figures split by lineage: via A no loss, via B half lost");
	ok(value_of(text, "ecmptrace_flow_probes_total{target=\"t\",source_port=\"33001\"}") == 20 &&
	   value_of(text, "ecmptrace_flow_replies_total{target=\"t\",source_port=\"33001\"}") == 10,
	   "per flow: source port 33001 sent 20 end to end, 10 answered");
	ok(value_of(text, "ecmptrace_rtt_seconds_count{target=\"t\",ttl=\"2\",address=\"10.0.0.65\",via=\"\"}") == 20 &&
	   value_of(text, "ecmptrace_rtt_seconds_sum{target=\"t\",ttl=\"2\",address=\"10.0.0.65\",via=\"\"}") > 0.0399 &&
	   value_of(text, "ecmptrace_rtt_seconds_sum{target=\"t\",ttl=\"2\",address=\"10.0.0.65\",via=\"\"}") < 0.0401,
	   "RTT summary in seconds: 20 answers of 2 ms sum to 0.04 s");
	ok(value_of(text, "ecmptrace_branches{target=\"t\",ttl=\"2\"}") == 2 &&
	   value_of(text, "ecmptrace_discovery_complete{target=\"t\"}") == 1 &&
	   value_of(text, "ecmptrace_target_reachable{target=\"t\"}") == 1 &&
	   value_of(text, "ecmptrace_destination_ttl{target=\"t\"}") == 3,
	   "gauges: 2 branches at TTL 2, discovery complete, reachable at TTL 3");
	free(text);

	/*
	 * Flow 1 moves from B to A with its history; flow 3's 10 early losses
	 * at the target are taken back (answered after all); discovery drops
	 * flow 2.  Nothing may go back; only the new probes count, and flow 1's
	 * go to A now.
	 */
	t.path[1][1] = 'A';
	t.recv[1][1] += 5;
	t.recv[3][2] += 10;
	t.lost[3][2] = 0;
	t.recv[2][0] = t.recv[2][1] = t.recv[2][2] = 0;
	t.nflows = 4;
	r = toy_results(&t);
	r->nflows = 3;	/* flow 3 stays, as index 3 would be out: swap it into place */
	{
		struct flow_result keep = r->flows[3];

		free(r->flows[2].path);
		free(r->flows[2].hop_received);
		free(r->flows[2].hop_lost);
		r->flows[2] = keep;
	}
	ok(metrics_target_update(m, r, 2 * S), "second snapshot taken");
	results_free(r);
	text = expose(m, METRICS_PROMETHEUS);
	ok(sent_of(text, 2, "10.0.0.65", "") == 25 && sent_of(text, 2, "10.0.0.66", "") == 20,
	   "flow 1's 5 new probes at TTL 2 count for A, where it goes now; B keeps its 20 (%g %g)",
	   sent_of(text, 2, "10.0.0.65", ""), sent_of(text, 2, "10.0.0.66", ""));
	ok(replies_of(text, 3, "10.0.0.84", "10.0.0.66") == 30 &&
	   sent_of(text, 3, "10.0.0.84", "10.0.0.66") == 40,
	   "an early loss taken back: 10 more answers via B, no more probes (30 of 40)");
	ok(value_of(text, "ecmptrace_flow_probes_total{target=\"t\",source_port=\"33002\"}") == 10,
	   "a flow discovery dropped keeps its counters (10)");
	free(text);
	metrics_target_free(m);
}

static void test_findings_and_cap(void)
{
	struct metrics_target *m = metrics_target_new("t", 5);
	struct finding items[3];
	struct findings fs = {items, 3};
	struct toy t;
	struct results *r;
	char *text;

	memset(items, 0, sizeof(items));
	items[0].kind = FINDING_LOSSY_BRANCH;
	items[0].ttl = 2;
	items[0].addr = toy_addr('B');
	items[1] = items[0];
	items[2].kind = FINDING_RETURN_PATH_LOSS;
	toy_start(&t);
	r = toy_results(&t);
	r->findings = &fs;
	ok(metrics_target_update(m, r, 1 * S), "snapshot with 3 findings taken");
	r->findings = NULL;
	results_free(r);
	text = expose(m, METRICS_PROMETHEUS);
	ok(value_of(text, "ecmptrace_finding{target=\"t\",kind=\"lossy-branch\",ttl=\"2\",address=\"10.0.0.66\",from=\"\"}") == 1 &&
	   value_of(text, "ecmptrace_finding{target=\"t\",kind=\"return-path-loss\",ttl=\"0\",address=\"\",from=\"\"}") == 1 &&
	   strstr(strstr(text, "kind=\"lossy-branch\"") + 1, "kind=\"lossy-branch\"") == NULL,
	   "findings in force are 1, a key given twice is one series");
	ok(metrics_target_series(m) == 5,
	   "the cap: 5 series exposed (%d)", metrics_target_series(m));
	/* 5 branch series of 7 (R, A, B, T via A, T via B + 4 flows): the rest dropped, once each. */
	ok(value_of(text, "ecmptrace_series_dropped_total{target=\"t\"}") == 4,
	   "4 series refused by the cap, counted once each (%g)",
	   value_of(text, "ecmptrace_series_dropped_total{target=\"t\"}"));
	free(text);
	r = toy_results(&t);
	metrics_target_update(m, r, 2 * S);
	results_free(r);
	text = expose(m, METRICS_PROMETHEUS);
	ok(value_of(text, "ecmptrace_series_dropped_total{target=\"t\"}") == 4 &&
	   strstr(text, "ecmptrace_finding{") == NULL,
	   "the same refusals again do not count again; a finding no longer in force goes");
	free(text);
	metrics_target_free(m);
}

static void test_reachable(void)
{
	struct metrics_target *m = metrics_target_new("t", 0);
	struct toy t;
	struct results *r;
	char *text;

	toy_start(&t);
	r = toy_results(&t);
	metrics_target_update(m, r, 1 * S);
	metrics_target_update(m, r, 5 * S);
	text = expose(m, METRICS_PROMETHEUS);
	ok(value_of(text, "ecmptrace_target_reachable{target=\"t\"}") == 1,
	   "no new answer for 4 s: still reachable (window 10 s)");
	free(text);
	metrics_target_update(m, r, 12 * S);
	results_free(r);
	text = expose(m, METRICS_PROMETHEUS);
	ok(value_of(text, "ecmptrace_target_reachable{target=\"t\"}") == 0,
	   "no new answer for 11 s: unreachable");
	free(text);
	metrics_target_free(m);
}

static void test_formats(void)
{
	struct metrics_target *m = metrics_target_new("we\"ird\\name\n", 0);
	struct toy t;
	struct results *r;
	char *prom, *om;

	toy_start(&t);
	r = toy_results(&t);
	metrics_target_update(m, r, 1 * S);
	results_free(r);
	prom = expose(m, METRICS_PROMETHEUS);
	om = expose(m, METRICS_OPENMETRICS);
	ok(strstr(prom, "# TYPE ecmptrace_probes_sent_total counter\n") != NULL &&
	   strstr(prom, "# TYPE ecmptrace_build_info gauge\necmptrace_build_info{version=\"9.9\"} 1\n") &&
	   strstr(prom, "# EOF") == NULL,
	   "Prometheus text: counters typed under their _total name, build info a gauge, no EOF");
	ok(strstr(om, "# TYPE ecmptrace_probes_sent counter\n") != NULL &&
	   strstr(om, "# TYPE ecmptrace_build info\n") != NULL &&
	   strlen(om) > 6 && strcmp(om + strlen(om) - 6, "# EOF\n") == 0,
	   "OpenMetrics: counter families without _total, an info family, ends in # EOF");
	ok(strstr(prom, "{target=\"we\\\"ird\\\\name\\n\",") != NULL,
	   "the target's name is escaped in every sample");
	free(prom);
	free(om);
	metrics_target_free(m);
	ok(metrics_negotiate(NULL) == METRICS_PROMETHEUS &&
	   metrics_negotiate("text/plain;version=0.0.4;q=0.5,*/*;q=0.1") == METRICS_PROMETHEUS &&
	   metrics_negotiate("application/openmetrics-text;version=1.0.0,application/"
			     "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
			     "q=0.5,*/*;q=0.1") == METRICS_OPENMETRICS &&
	   metrics_negotiate("application/openmetrics-text;q=0,text/plain") == METRICS_PROMETHEUS,
	   "negotiation: OpenMetrics when Prometheus asks for it, not with q=0");
}

/* A text limit reached: assembly says so rather than exposing half a line silently. */
static void test_limit(void)
{
	struct metrics_target *m = metrics_target_new("t", 0);
	struct metrics_bodies b;
	const struct metrics_bodies *one = &b;
	struct metrics_buf out;
	struct toy t;
	struct results *r;
	bool done;

	toy_start(&t);
	r = toy_results(&t);
	metrics_target_update(m, r, 1 * S);
	results_free(r);
	metrics_target_render(m, &b, 1 << 20);
	metrics_buf_init(&out, 512);
	done = metrics_assemble(&one, 1, METRICS_PROMETHEUS, "9.9", &out);
	ok(!done && out.len < 512 && out.len > 400,
	   "a 512-byte limit: assembly refuses and stays within it (%zu)", out.len);
	metrics_buf_free(&out);
	metrics_bodies_free(&b);
	metrics_target_free(m);
}

int main(void)
{
	test_escaping();
	test_counters();
	test_findings_and_cap();
	test_reachable();
	test_formats();
	test_limit();
	return tap_done();
}
