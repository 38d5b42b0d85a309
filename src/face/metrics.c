/*
 * One target's metrics (see metrics.h): monotonic totals kept from the
 * snapshots, the gauges of the latest one, and their samples rendered in
 * the exposition format's syntax (metrics_text.c writes the headers).
 *
 * Why per (flow, TTL) cells: a branch's figures in a snapshot are the sums
 * of the cells of the flows that go through it now, so a flow that moves
 * to another branch takes its history along, and an early loss later
 * answered leaves "lost" for "received".  Counting what each cell
 * resolved since the last update, and giving it to the branch the flow
 * takes now, makes counters that never go back and whose rates are the
 * branch's loss over any window.  RTT has no per-cell figures in a
 * snapshot: the summary takes the growth of each (branch, lineage)'s
 * count and sum, and starts again from the new figures when they shrink.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "face/metrics.h"

/* A target unanswered this long (with 3 intervals and the timeout, if longer) is unreachable. */
#define REACH_WINDOW_MIN_US 10000000u

/* What a series is keyed by: the branch at a TTL and the branch at the last split before. */
struct series_key {
	int ttl;
	struct ip_addr addr;	/* unset: no answer at this TTL yet ("unknown") */
	struct ip_addr via;	/* unset: no split before; else the branch taken there */
	bool via_unknown;		/* a split came before but this flow's branch there is unknown */
};

struct series {
	struct series_key key;
	uint64_t sent, replies;		/* monotonic */
	uint64_t rtt_count;		/* monotonic */
	double rtt_sum_s;		/* monotonic */
	uint64_t rtt_prev_n;		/* the snapshot's figures at the last update */
	double rtt_prev_sum_us;
};

/* A cell's figures at the last update, and the series it went to (a hint, checked). */
struct cell_prev {
	uint64_t received, resolved;
	int series;
};

struct flow_state {
	int id;
	uint16_t sport;
	uint32_t label;
	bool exposed;			/* counted against the cap */
	uint64_t prev_received, prev_resolved;
	uint64_t sent, replies;		/* monotonic */
	struct cell_prev *cells;	/* per TTL index */
	int ncells;
};

struct finding_label {
	enum finding_kind kind;
	int ttl;
	struct ip_addr addr;
	struct ip_addr from;	/* the last clean responder before it: the link is from -> addr */
};

struct metrics_target {
	char *name;
	int series_max;
	struct series *series;
	int nseries, series_cap;
	struct flow_state *flows;
	int nflows;
	int nexposed;			/* flows exposed (counted against the cap) */
	struct series_key *dropped;	/* distinct keys refused by the cap (up to series_max) */
	int ndropped;
	uint64_t dropped_total;
	/* The latest snapshot's gauges. */
	int first_ttl;
	int *branches;			/* per TTL index: distinct answering addresses */
	int nhops;
	bool discovery_complete;
	int dest_ttl;
	bool vary_label;		/* flows differ by IPv6 flow label: it is a label too */
	uint64_t rounds;
	uint64_t probes, probes_prev;	/* the engine's probes sent: monotonic, and its last figure */
	struct finding_label *findings;
	int nfindings;
	uint64_t last_reply_us;		/* last update that saw end-to-end answers grow */
	bool ever_reached;
	bool reachable;
};

struct metrics_target *metrics_target_new(const char *name, int series_max)
{
	struct metrics_target *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->name = strdup(name);
	if (t->name == NULL) {
		free(t);
		return NULL;
	}
	t->series_max = series_max > 0 ? series_max : METRICS_SERIES_MAX;
	return t;
}

void metrics_target_free(struct metrics_target *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nflows; i++)
		free(t->flows[i].cells);
	free(t->flows);
	free(t->series);
	free(t->dropped);
	free(t->branches);
	free(t->findings);
	free(t->name);
	free(t);
}

int metrics_target_series(const struct metrics_target *t)
{
	return t->nseries + t->nexposed;
}

static bool key_equal(const struct series_key *a, const struct series_key *b)
{
	return a->ttl == b->ttl && a->via_unknown == b->via_unknown && addr_equal(&a->addr, &b->addr) &&
	       addr_equal(&a->via, &b->via);
}

/* Counts a key the cap refused, once per distinct key while the list has room. */
static void note_dropped(struct metrics_target *t, const struct series_key *k)
{
	struct series_key *grown;

	for (int i = 0; i < t->ndropped; i++)
		if (key_equal(&t->dropped[i], k))
			return;
	t->dropped_total++;
	if (t->ndropped >= t->series_max)
		return;
	grown = realloc(t->dropped, (size_t)(t->ndropped + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	t->dropped = grown;
	t->dropped[t->ndropped++] = *k;
}

/* The series of key, made if the cap allows; NULL when refused (counted) or out of memory. */
static struct series *series_of(struct metrics_target *t, const struct series_key *k, int *hint)
{
	struct series *s;

	if (*hint >= 0 && *hint < t->nseries && key_equal(&t->series[*hint].key, k))
		return &t->series[*hint];
	for (int i = 0; i < t->nseries; i++)
		if (key_equal(&t->series[i].key, k)) {
			*hint = i;
			return &t->series[i];
		}
	if (metrics_target_series(t) >= t->series_max) {
		note_dropped(t, k);
		return NULL;
	}
	if (t->nseries == t->series_cap) {
		int cap = t->series_cap ? 2 * t->series_cap : 64;
		struct series *grown = realloc(t->series, (size_t)cap * sizeof(*grown));

		if (grown == NULL)
			return NULL;
		t->series = grown;
		t->series_cap = cap;
	}
	s = &t->series[t->nseries];
	memset(s, 0, sizeof(*s));
	s->key = *k;
	*hint = t->nseries++;
	return s;
}

/* The flow's state by id, made (with room for nttl cells) if new; NULL: no memory. */
static struct flow_state *flow_of(struct metrics_target *t, const struct flow_result *f, int nttl)
{
	struct flow_state *fs = NULL;

	/* Flows are met in id order (take_flows comes first): flow i is usually at i. */
	if (f->id >= 0 && f->id < t->nflows && t->flows[f->id].id == f->id)
		fs = &t->flows[f->id];
	for (int i = 0; i < t->nflows && fs == NULL; i++)
		if (t->flows[i].id == f->id)
			fs = &t->flows[i];
	if (fs == NULL) {
		struct flow_state *grown = realloc(t->flows, (size_t)(t->nflows + 1) * sizeof(*grown));

		if (grown == NULL)
			return NULL;
		t->flows = grown;
		fs = &t->flows[t->nflows++];
		memset(fs, 0, sizeof(*fs));
		fs->id = f->id;
	}
	fs->sport = f->sport;
	fs->label = f->flow_label;
	if (fs->ncells < nttl) {
		struct cell_prev *cells = realloc(fs->cells, (size_t)nttl * sizeof(*cells));

		if (cells == NULL)
			return NULL;
		memset(cells + fs->ncells, 0, (size_t)(nttl - fs->ncells) * sizeof(*cells));
		fs->cells = cells;
		fs->ncells = nttl;
	}
	return fs;
}

/*
 * What a figure grew by since it was prev (and makes prev the figure).  A
 * figure below prev started again (the flow was dropped and made anew):
 * all of it is new.
 */
static uint64_t growth(uint64_t *prev, uint64_t now)
{
	uint64_t d = now >= *prev ? now - *prev : now;

	*prev = now;
	return d;
}

/*
 * The key of flow f's cell at hop index k, in branch b; split: the index
 * of the last hop before k with several known branches, or -1.
 */
static struct series_key cell_key(const struct results *r, const struct flow_result *f, int k,
				  const struct branch_result *b, int split)
{
	struct series_key key;

	memset(&key, 0, sizeof(key));
	key.ttl = r->hops[k].ttl;
	key.addr = b->addr;
	if (split >= 0 && split < f->path_len) {
		key.via = f->path[split];
		key.via_unknown = !addr_is_set(&key.via);
	}
	return key;
}

/* Adds what flow index i resolved at hop k since the last update to its branch's series. */
static bool take_cell(struct metrics_target *t, const struct results *r, int i, int k,
		      const struct branch_result *b, int split)
{
	const struct flow_result *f = &r->flows[i];
	struct flow_state *fs;
	struct series_key key;
	struct series *s;
	uint64_t sent, got;

	if (k >= f->path_len)
		return true;
	fs = flow_of(t, f, r->nhops);
	if (fs == NULL)
		return false;
	sent = growth(&fs->cells[k].resolved, f->hop_received[k] + f->hop_lost[k]);
	got = growth(&fs->cells[k].received, f->hop_received[k]);
	if (sent == 0 && got == 0)
		return true;
	key = cell_key(r, f, k, b, split);
	s = series_of(t, &key, &fs->cells[k].series);
	if (s != NULL) {
		s->sent += sent;
		s->replies += got;
	}
	return true;
}

/* One (branch, lineage) figure's RTT growth into its summary. */
static void take_rtt(struct metrics_target *t, const struct series_key *key,
		     const struct rtt_stats *rtt)
{
	double sum_us = rtt->mean * (double)rtt->n;
	struct series *s;
	int hint = -1;

	if (rtt->n == 0)
		return;
	s = series_of(t, key, &hint);
	if (s == NULL)
		return;
	if (rtt->n >= s->rtt_prev_n && sum_us >= s->rtt_prev_sum_us) {
		s->rtt_count += rtt->n - s->rtt_prev_n;
		s->rtt_sum_s += (sum_us - s->rtt_prev_sum_us) / 1e6;
	}
	s->rtt_prev_n = rtt->n;
	s->rtt_prev_sum_us = sum_us;
}

/*
 * A branch's RTT, per lineage when a split came before it (split, as in
 * cell_key).  The snapshot splits its figures at the last hop with
 * several branches, counting a silent flow's unknown one; the counters
 * split at known branches only, so a hop where new flows have not
 * answered yet does not make a lineage.  When the two differ (for a tick
 * or two), the RTT waits: its growth is taken once they agree again.
 */
static void take_branch_rtt(struct metrics_target *t, const struct results *r, int k,
			    const struct branch_result *b, int split)
{
	struct series_key key;
	int vk = b->via_ttl - r->config.first_ttl;

	memset(&key, 0, sizeof(key));
	key.ttl = r->hops[k].ttl;
	key.addr = b->addr;
	if (split < 0 && (b->via_ttl == 0 || b->nvia == 0)) {
		take_rtt(t, &key, &b->rtt);
		return;
	}
	if (split < 0 || vk != split || b->nvia == 0)
		return;
	for (int v = 0; v < b->nvia; v++) {
		const struct hop_result *vh = &r->hops[vk];

		if (b->via[v].branch < 0 || b->via[v].branch >= vh->nbranches)
			continue;
		key.via = vh->branches[b->via[v].branch].addr;
		key.via_unknown = !addr_is_set(&key.via);
		take_rtt(t, &key, &b->via[v].rtt);
	}
}

/* Every cell of every branch, and the branches' RTT. */
static bool take_hops(struct metrics_target *t, const struct results *r)
{
	int *grown = realloc(t->branches, (size_t)(r->nhops + 1) * sizeof(*grown));

	if (grown == NULL)
		return false;
	t->branches = grown;
	t->nhops = r->nhops;
	t->first_ttl = r->config.first_ttl;
	for (int k = 0, split = -1; k < r->nhops; k++) {
		const struct hop_result *h = &r->hops[k];

		t->branches[k] = 0;
		for (int j = 0; j < h->nbranches; j++) {
			const struct branch_result *b = &h->branches[j];

			t->branches[k] += addr_is_set(&b->addr);
			for (int n = 0; n < b->nflows; n++) {
				int i = flow_index(r, b->flows[n]);

				if (i >= 0 && !take_cell(t, r, i, k, b, split))
					return false;
			}
			if (addr_is_set(&b->addr))
				take_branch_rtt(t, r, k, b, split);
		}
		if (t->branches[k] > 1)
			split = k;
	}
	return true;
}

/* Each flow's end-to-end figures; a flow is exposed while the cap allows. */
static bool take_flows(struct metrics_target *t, const struct results *r, uint64_t now_us)
{
	uint64_t grew = 0;

	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		struct flow_state *fs = flow_of(t, f, r->nhops);
		uint64_t got;

		if (fs == NULL)
			return false;
		fs->sent += growth(&fs->prev_resolved, f->received + f->lost);
		got = growth(&fs->prev_received, f->received);
		fs->replies += got;
		grew += got;
		if (!fs->exposed && fs->sent > 0) {
			struct series_key k = {.ttl = -1 - f->id};

			if (metrics_target_series(t) < t->series_max) {
				fs->exposed = true;
				t->nexposed++;
			} else
				note_dropped(t, &k);
		}
	}
	if (grew > 0 || (!t->ever_reached && r->dest_ttl > 0)) {
		t->last_reply_us = now_us;
		t->ever_reached = true;
	}
	return true;
}

static bool take_findings(struct metrics_target *t, const struct results *r)
{
	const struct findings *fs = r->findings;
	int n = fs ? fs->count : 0;
	struct finding_label *grown = realloc(t->findings, (size_t)(n + 1) * sizeof(*grown));

	if (grown == NULL)
		return false;
	t->findings = grown;
	for (int i = 0; i < n; i++)
		t->findings[i] = (struct finding_label){fs->items[i].kind, fs->items[i].ttl,
							fs->items[i].addr, fs->items[i].prev_addr};
	t->nfindings = n;
	return true;
}

/* Discovery is complete when its rule holds at every hop up to the target (all, if not met). */
static bool discovery_done(const struct results *r)
{
	int last = r->dest_ttl > 0 ? r->dest_ttl : r->config.first_ttl + r->nhops - 1;
	bool any = false;

	for (int k = 0; k < r->nhops && r->hops[k].ttl <= last; k++) {
		if (r->hops[k].confidence == 0)
			continue;
		if (!r->hops[k].discovery_complete)
			return false;
		any = true;
	}
	return any;
}

bool metrics_target_update(struct metrics_target *t, const struct results *r, uint64_t now_us)
{
	uint64_t window = 3 * r->config.interval_us + r->config.timeout_us;

	if (!take_flows(t, r, now_us) || !take_hops(t, r) || !take_findings(t, r))
		return false;
	t->discovery_complete = discovery_done(r);
	t->dest_ttl = r->dest_ttl;
	t->vary_label = (r->config.vary & VARY_LABEL) != 0;
	t->rounds = r->counters.rounds_done;
	t->probes += growth(&t->probes_prev, r->counters.probes_sent);
	if (window < REACH_WINDOW_MIN_US)
		window = REACH_WINDOW_MIN_US;
	t->reachable = t->ever_reached && now_us - t->last_reply_us <= window;
	return true;
}

/* ---- the samples ---- */

/* An address as a label value: "unknown" when unset. */
static const char *addr_label(const struct ip_addr *a, bool unknown, char *buf, size_t len)
{
	if (addr_is_set(a))
		return addr_format(a, buf, len);
	return unknown ? "unknown" : "";
}

/* name{target="...", then the caller adds its labels and closes them with sample_end. */
static bool sample_start(struct metrics_buf *b, const char *name, const struct metrics_target *t)
{
	return metrics_buf_add(b, name, strlen(name)) && metrics_buf_add(b, "{target=\"", 9) &&
	       metrics_buf_label_value(b, t->name) && metrics_buf_add(b, "\"", 1);
}

static bool label(struct metrics_buf *b, const char *name, const char *value)
{
	return metrics_buf_add(b, ",", 1) && metrics_buf_add(b, name, strlen(name)) &&
	       metrics_buf_add(b, "=\"", 2) && metrics_buf_label_value(b, value) &&
	       metrics_buf_add(b, "\"", 1);
}

static bool label_int(struct metrics_buf *b, const char *name, long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", v);
	return label(b, name, num);
}

static bool sample_end_u64(struct metrics_buf *b, uint64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "} %" PRIu64 "\n", v);

	return metrics_buf_add(b, num, (size_t)n);
}

static bool sample_end_double(struct metrics_buf *b, double v)
{
	char num[48];
	int n = snprintf(num, sizeof(num), "} %.9g\n", v);

	return metrics_buf_add(b, num, (size_t)n);
}

/* name{target,ttl,address,via */
static bool branch_labels(struct metrics_buf *b, const char *name, const struct metrics_target *t,
			  const struct series_key *k)
{
	char a[64], v[64];

	return sample_start(b, name, t) && label_int(b, "ttl", k->ttl) &&
	       label(b, "address", addr_label(&k->addr, true, a, sizeof(a))) &&
	       label(b, "via", addr_label(&k->via, k->via_unknown, v, sizeof(v)));
}

static bool render_series(const struct metrics_target *t, struct metrics_bodies *m)
{
	bool ok = true;

	for (int i = 0; ok && i < t->nseries; i++) {
		const struct series *s = &t->series[i];

		if (s->sent > 0 || s->replies > 0)
			ok = branch_labels(&m->family[MF_PROBES_SENT], "ecmptrace_probes_sent_total",
					   t, &s->key) &&
			     sample_end_u64(&m->family[MF_PROBES_SENT], s->sent) &&
			     branch_labels(&m->family[MF_REPLIES], "ecmptrace_replies_total", t,
					   &s->key) &&
			     sample_end_u64(&m->family[MF_REPLIES], s->replies);
		if (ok && s->rtt_count > 0)
			ok = branch_labels(&m->family[MF_RTT], "ecmptrace_rtt_seconds_sum", t,
					   &s->key) &&
			     sample_end_double(&m->family[MF_RTT], s->rtt_sum_s) &&
			     branch_labels(&m->family[MF_RTT], "ecmptrace_rtt_seconds_count", t,
					   &s->key) &&
			     sample_end_u64(&m->family[MF_RTT], s->rtt_count);
	}
	return ok;
}

/* name{target,source_port[,flow_label] */
static bool flow_labels(struct metrics_buf *b, const char *name, const struct metrics_target *t,
			const struct flow_state *f)
{
	char lab[16];

	snprintf(lab, sizeof(lab), "0x%05x", (unsigned)f->label);
	return sample_start(b, name, t) && label_int(b, "source_port", f->sport) &&
	       (!t->vary_label || label(b, "flow_label", lab));
}

static bool render_flows(const struct metrics_target *t, struct metrics_bodies *m)
{
	bool ok = true;

	for (int i = 0; ok && i < t->nflows; i++) {
		const struct flow_state *f = &t->flows[i];

		if (f->exposed)
			ok = flow_labels(&m->family[MF_FLOW_PROBES], "ecmptrace_flow_probes_total", t,
					 f) &&
			     sample_end_u64(&m->family[MF_FLOW_PROBES], f->sent) &&
			     flow_labels(&m->family[MF_FLOW_REPLIES], "ecmptrace_flow_replies_total",
					 t, f) &&
			     sample_end_u64(&m->family[MF_FLOW_REPLIES], f->replies);
	}
	return ok;
}

static bool render_findings(const struct metrics_target *t, struct metrics_buf *b)
{
	bool ok = true;

	for (int i = 0; ok && i < t->nfindings; i++) {
		const struct finding_label *f = &t->findings[i];
		char a[64], p[64];
		bool dup = false;

		/* Two findings with one key (kind, TTL, address) would be one series twice. */
		for (int j = 0; j < i && !dup; j++)
			dup = t->findings[j].kind == f->kind && t->findings[j].ttl == f->ttl &&
			      addr_equal(&t->findings[j].addr, &f->addr);
		if (!dup)
			ok = sample_start(b, "ecmptrace_finding", t) &&
			     label(b, "kind", finding_kind_name(f->kind)) &&
			     label_int(b, "ttl", f->ttl) &&
			     label(b, "address", addr_label(&f->addr, false, a, sizeof(a))) &&
			     label(b, "from", addr_label(&f->from, false, p, sizeof(p))) &&
			     sample_end_u64(b, 1);
	}
	return ok;
}

/* The per-target gauges and counters with the target as their only label. */
static bool render_target(const struct metrics_target *t, struct metrics_bodies *m)
{
	bool ok = true;

	for (int k = 0; ok && k < t->nhops; k++)
		ok = sample_start(&m->family[MF_BRANCHES], "ecmptrace_branches", t) &&
		     label_int(&m->family[MF_BRANCHES], "ttl", t->first_ttl + k) &&
		     sample_end_u64(&m->family[MF_BRANCHES], (uint64_t)t->branches[k]);
	return ok &&
	       sample_start(&m->family[MF_DISCOVERY_COMPLETE], "ecmptrace_discovery_complete", t) &&
	       sample_end_u64(&m->family[MF_DISCOVERY_COMPLETE], t->discovery_complete) &&
	       sample_start(&m->family[MF_DEST_TTL], "ecmptrace_destination_ttl", t) &&
	       sample_end_u64(&m->family[MF_DEST_TTL], (uint64_t)t->dest_ttl) &&
	       sample_start(&m->family[MF_REACHABLE], "ecmptrace_target_reachable", t) &&
	       sample_end_u64(&m->family[MF_REACHABLE], t->reachable) &&
	       sample_start(&m->family[MF_ROUNDS], "ecmptrace_rounds_total", t) &&
	       sample_end_u64(&m->family[MF_ROUNDS], t->rounds) &&
	       sample_start(&m->family[MF_TARGET_PROBES], "ecmptrace_target_probes_total", t) &&
	       sample_end_u64(&m->family[MF_TARGET_PROBES], t->probes) &&
	       sample_start(&m->family[MF_SERIES_DROPPED], "ecmptrace_series_dropped_total", t) &&
	       sample_end_u64(&m->family[MF_SERIES_DROPPED], t->dropped_total);
}

bool metrics_target_render(const struct metrics_target *t, struct metrics_bodies *bodies,
			   size_t max)
{
	for (int f = 0; f < MF_COUNT; f++)
		metrics_buf_init(&bodies->family[f], max);
	return render_series(t, bodies) && render_flows(t, bodies) &&
	       render_findings(t, &bodies->family[MF_FINDING]) && render_target(t, bodies);
}

void metrics_bodies_free(struct metrics_bodies *bodies)
{
	for (int f = 0; f < MF_COUNT; f++)
		metrics_buf_free(&bodies->family[f]);
}
