/*
 * Diagnosis (diagnose.h): reads a results snapshot and says what is wrong
 * and where, with the evidence.  The method works from end-to-end figures
 * per flow first, because routers rate-limit their ICMP errors (Linux: a
 * burst of 6, then 1 per second) and hop loss alone proves little:
 *
 *   1. Lossy branch: a branch whose flows lose significantly more end to
 *      end than the flows through its siblings (same TTL, a shared parent),
 *      by a one-sided Fisher exact test with a Bonferroni correction, and
 *      whose loss is spread over its flows rather than held by a few of
 *      them.  It is localised to the first TTL along those flows where
 *      their hop loss rises above the siblings' and no later hop is
 *      cleaner than their end-to-end loss.
 *   2. Return-path loss: lossy flows that share their whole forward path
 *      with flows that lose less; the replies must be hashed onto a bad
 *      branch on the way back.
 *   3. Loss common to all remaining flows: placed after the last clean
 *      hop, at the destination when every hop before it is clean.
 *   4. Rate-limited hop: a branch's hop loss that the same flows do not
 *      show further on.  Never reported as loss.
 *   5. Per-packet balancing and path changes, from the responders each flow
 *      saw at each TTL, and per-packet balancing from the discovery pass's
 *      own test (hop_result.per_packet), which needs no repeated rounds.
 *
 * In UDP mode the target's answers are ICMP errors too, rate-limited like
 * any router's, so flows probed late in a round lose more: there a branch
 * or a return path is only blamed against flows that do not lose, and
 * common loss only with a clean hop before it.  TCP SYN-ACKs/RSTs and
 * echo replies are not rate-limited.
 *
 * Splitting flows into lossy and clean ones is calibrated by a seeded
 * parametric bootstrap (the cut is chosen by the data, so its own p-value
 * would lie).  No finding comes from fewer than MIN_SAMPLES resolved probes
 * per group, from a difference smaller than MIN_EFFECT, or from loss that
 * is not significantly above BACKGROUND_LOSS.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "engine/statistics.h"

/* Least resolved probes in any group compared. */
#define MIN_SAMPLES 8
/* Family-wise significance level of each kind of test (before Bonferroni). */
#define ALPHA 0.01
/* Looser level, only used to keep a branch finding (never to create one). */
#define ALPHA_LOOSE 0.05
/* Least difference in loss (fraction) worth telling anyone about. */
#define MIN_EFFECT 0.03
/* Loss at or below this (fraction) is the background noise of any network. */
#define BACKGROUND_LOSS 0.01
/* Linux's ICMP error limit towards one destination: a burst of this many, then one a second. */
#define LINUX_RL_BURST 6
/* Least end-to-end probes of every flow before loss common to all of them is said. */
#define MIN_COMMON_FLOW 16
/* Rounds of "find branches, then return paths" (each removes what it explains). */
#define MAX_PASSES 4

static const char *const kind_names[FINDING_KIND_COUNT] = {
	[FINDING_LOSSY_BRANCH] = "lossy-branch",
	[FINDING_RATE_LIMITED_HOP] = "rate-limited-hop",
	[FINDING_RETURN_PATH_LOSS] = "return-path-loss",
	[FINDING_DESTINATION_LOSS] = "destination-loss",
	[FINDING_PER_PACKET_BALANCING] = "per-packet-balancing",
	[FINDING_PATH_CHANGE] = "path-change",
	[FINDING_LINK_ADDRESS_CONFLICT] = "link-address-conflict",
	[FINDING_LINK_ADDRESS_SHARED] = "link-address-shared",
};

/* Most severe first: loss the user suffers, then what limits the analysis. */
static const int kind_rank[FINDING_KIND_COUNT] = {
	[FINDING_LOSSY_BRANCH] = 0,
	[FINDING_RETURN_PATH_LOSS] = 1,
	[FINDING_DESTINATION_LOSS] = 2,
	[FINDING_LINK_ADDRESS_CONFLICT] = 3,
	[FINDING_LINK_ADDRESS_SHARED] = 3,
	[FINDING_PER_PACKET_BALANCING] = 4,
	[FINDING_PATH_CHANGE] = 5,
	[FINDING_RATE_LIMITED_HOP] = 6,
};

const char *finding_kind_name(enum finding_kind kind)
{
	if ((int)kind < 0 || kind >= FINDING_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

static const char *const cause_names[CAUSE_COUNT] = {
	[CAUSE_FORWARD_LOSS] = "forward-loss",
	[CAUSE_RETURN_PATH] = "return-path",
	[CAUSE_DESTINATION] = "destination",
	[CAUSE_RATE_LIMITING] = "rate-limiting",
};

const char *finding_cause_name(enum finding_cause cause)
{
	if ((int)cause < 0 || cause >= CAUSE_COUNT)
		return "unknown";
	return cause_names[cause];
}

/*
 * UDP probes the target answers with ICMP port unreachables, which it may
 * rate-limit like any router: its silences prove loss only once it has
 * answered beyond a default limit (results.target_unlimited).
 */
static bool udp_target_limited(const struct results *r)
{
	return r->config.proto == PROBE_UDP && !r->target_unlimited;
}

/* Resolved probes of a group: answered and timed out. */
struct tally {
	uint64_t recv, lost;
};

static uint64_t tally_n(struct tally t)
{
	return t.recv + t.lost;
}

static double tally_rate(struct tally t)
{
	return tally_n(t) ? (double)t.lost / (double)tally_n(t) : 0.0;
}

/* State of one diagnosis; flow masks are indexed like r->flows. */
struct diag {
	const struct results *r;
	int nflows;
	int nhops;		/* r->nhops, or 0 when there is no hop array */
	int *end;		/* per flow: hop index where its intermediate hops end */
	unsigned char *eligible;	/* enough end-to-end samples to judge the flow */
	struct findings *out;
	int cap;		/* allocated items in out */
	bool oom;
};

/*
 * One-sided test that group a loses more than group b: the Fisher p-value,
 * or 1 when either group is too small or the difference too small to matter.
 * Group a must also lose more than the background noise of any network, so
 * three probes lost here and there never make a group "lossy".
 */
static double test_lossier(struct tally a, struct tally b)
{
	double p, q;

	if (tally_n(a) < MIN_SAMPLES || tally_n(b) < MIN_SAMPLES)
		return 1.0;
	if (tally_rate(a) - tally_rate(b) < MIN_EFFECT)
		return 1.0;
	p = stat_fisher_greater(a.lost, a.recv, b.lost, b.recv);
	q = stat_binom_greater(a.lost, tally_n(a), BACKGROUND_LOSS);
	return p > q ? p : q;
}

/* Index in r->flows of flow id, or -1 (ids are normally their index). */
static int flow_index(const struct results *r, int id)
{
	if (id >= 0 && id < r->nflows && r->flows[id].id == id)
		return id;
	for (int i = 0; i < r->nflows; i++)
		if (r->flows[i].id == id)
			return i;
	return -1;
}

/* Whether flow i has figures at hop index k at all. */
static bool flow_has_hop(const struct flow_result *f, int k)
{
	return k >= 0 && k < f->path_len && f->path && f->hop_received && f->hop_lost &&
	       f->responders_seen;
}

static struct tally pool_e2e(const struct diag *d, const unsigned char *mask)
{
	struct tally t = {0, 0};

	for (int i = 0; i < d->nflows; i++)
		if (mask[i]) {
			t.recv += d->r->flows[i].received;
			t.lost += d->r->flows[i].lost;
		}
	return t;
}

/* The flows' answers at hop index k, where k is before their destination. */
static struct tally pool_hop(const struct diag *d, const unsigned char *mask, int k)
{
	struct tally t = {0, 0};

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (mask[i] && k < d->end[i] && flow_has_hop(f, k)) {
			t.recv += f->hop_received[k];
			t.lost += f->hop_lost[k];
		}
	}
	return t;
}

/*
 * Whether a hop's figures say anything: enough probes, and at least one
 * answer (a router that never answers these flows is silent by policy; its
 * 100% "loss" is no evidence).
 */
static bool informative(struct tally t)
{
	return tally_n(t) >= MIN_SAMPLES && t.recv > 0;
}

/* A figure any network could show: loss within background noise. */
static bool clean_figure(struct tally t)
{
	return tally_rate(t) < MIN_EFFECT ||
	       stat_binom_greater(t.lost, tally_n(t), BACKGROUND_LOSS) >= ALPHA;
}

static int mask_count(const struct diag *d, const unsigned char *mask)
{
	int n = 0;

	for (int i = 0; i < d->nflows; i++)
		n += mask[i] != 0;
	return n;
}

/* Hop index just past the last intermediate hop of the masked flows. */
static int mask_end(const struct diag *d, const unsigned char *mask)
{
	int e = 0;

	for (int i = 0; i < d->nflows; i++)
		if (mask[i] && d->end[i] > e)
			e = d->end[i];
	return e;
}

/* Marks the valid flows of a branch in mask (cleared first). */
static void branch_mask(const struct diag *d, const struct branch_result *b, unsigned char *mask)
{
	memset(mask, 0, (size_t)d->nflows);
	if (b->flows == NULL)
		return;
	for (int j = 0; j < b->nflows; j++) {
		int i = flow_index(d->r, b->flows[j]);

		if (i >= 0)
			mask[i] = 1;
	}
}

/* The responder most of the masked flows saw at hop index k (unset if none). */
static struct ip_addr majority_addr(const struct diag *d, const unsigned char *mask, int k)
{
	struct ip_addr best = {0};
	int best_n = 0;

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];
		int n = 0;

		/* Only hops before the flow's own destination: a longer path's hop k may be its target. */
		if (!mask[i] || k >= d->end[i] || !flow_has_hop(f, k) || !addr_is_set(&f->path[k]))
			continue;
		for (int j = i; j < d->nflows; j++)
			if (mask[j] && k < d->end[j] && flow_has_hop(&d->r->flows[j], k) &&
			    addr_equal(&d->r->flows[j].path[k], &f->path[k]))
				n++;
		if (n > best_n) {
			best_n = n;
			best = f->path[k];
		}
	}
	return best;
}

/* The last responder before hop index k on the masked flows' path (unset if none). */
static struct ip_addr prev_responder(const struct diag *d, const unsigned char *mask, int k)
{
	for (int j = k - 1; j >= 0; j--) {
		struct ip_addr a = majority_addr(d, mask, j);

		if (addr_is_set(&a))
			return a;
	}
	return (struct ip_addr){0};
}

static int ttl_of(const struct diag *d, int k)
{
	return (int)d->r->config.first_ttl + k;
}

/* ---- Findings ---- */

static struct finding *finding_new(struct diag *d, enum finding_kind kind)
{
	struct finding *f;

	if (d->oom)
		return NULL;
	if (d->out->count == d->cap) {
		int cap = d->cap ? 2 * d->cap : 8;
		struct finding *grown = realloc(d->out->items, (size_t)cap * sizeof(*grown));

		if (grown == NULL) {
			d->oom = true;
			return NULL;
		}
		d->out->items = grown;
		d->cap = cap;
	}
	f = &d->out->items[d->out->count++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	return f;
}

/* Copies the masked flows (ascending ids) and their source ports into f. */
static void finding_flows(struct diag *d, struct finding *f, const unsigned char *mask)
{
	int n = mask_count(d, mask), j = 0;

	if (n == 0)
		return;
	f->flows = malloc((size_t)n * sizeof(*f->flows));
	f->source_ports = malloc((size_t)n * sizeof(*f->source_ports));
	if (f->flows == NULL || f->source_ports == NULL) {
		free(f->flows);
		free(f->source_ports);
		f->flows = NULL;
		f->source_ports = NULL;
		d->oom = true;
		return;
	}
	for (int i = 0; i < d->nflows; i++)
		if (mask[i]) {
			f->flows[j] = d->r->flows[i].id;
			f->source_ports[j] = d->r->flows[i].sport;
			j++;
		}
	f->nflows = n;
	/* Ids normally equal indexes, so this is already sorted; make sure. */
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && f->flows[b - 1] > f->flows[b]; b--) {
			int t = f->flows[b];
			uint16_t p = f->source_ports[b];

			f->flows[b] = f->flows[b - 1];
			f->source_ports[b] = f->source_ports[b - 1];
			f->flows[b - 1] = t;
			f->source_ports[b - 1] = p;
		}
}

/*
 * A loss finding names the flows that lost probes end to end: with partial
 * loss a flow of the group seen losing nothing may not cross the bad link
 * at all (a branch mixes flows whose replies return different ways), and
 * a port named is a port the user will try.  The figures stay the group's.
 */
static void finding_failing_flows(struct diag *d, struct finding *f, const unsigned char *mask)
{
	unsigned char *lost = malloc((size_t)d->nflows + 1);

	if (lost == NULL) {
		d->oom = true;
		return;
	}
	for (int i = 0; i < d->nflows; i++)
		lost[i] = mask[i] && d->r->flows[i].lost > 0;
	finding_flows(d, f, lost);
	free(lost);
}

static void finding_loss(struct finding *f, struct tally t, double baseline)
{
	double lo, hi;

	f->received = t.recv;
	f->lost = t.lost;
	f->loss_pct = 100.0 * tally_rate(t);
	stat_wilson(t.lost, tally_n(t), STAT_Z95, &lo, &hi);
	f->ci_lo_pct = 100.0 * lo;
	f->ci_hi_pct = 100.0 * hi;
	f->baseline_pct = 100.0 * baseline;
}

static void say(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the summary; a sentence too long for it is cut, never overrun. */
static void say(struct finding *f, const char *fmt, ...)
{
	size_t used = strnlen(f->summary, sizeof(f->summary));
	va_list ap;

	if (used + 1 >= sizeof(f->summary))
		return;
	va_start(ap, fmt);
	vsnprintf(f->summary + used, sizeof(f->summary) - used, fmt, ap);
	va_end(ap);
}

/* A percentage as people write it: "31", "2.5", "0". */
static const char *pct(double v, char *buf, size_t len)
{
	if (v >= 10.0 || v == 0.0 || v >= 99.95)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

/* "lose 31% end to end (95% CI 24-39%, 62 probes)" */
static void say_loss(struct finding *f, const char *where)
{
	char a[16], b[16], c[16];

	say(f, "lose %s%% %s (95%% CI %s-%s%%, %llu probes)", pct(f->loss_pct, a, sizeof(a)), where,
	    pct(f->ci_lo_pct, b, sizeof(b)), pct(f->ci_hi_pct, c, sizeof(c)),
	    (unsigned long long)(f->received + f->lost));
}

/* ", 30003, 30007" style list of the finding's source ports. */
static void say_ports(struct finding *f)
{
	for (int i = 0; i < f->nflows; i++) {
		if (strnlen(f->summary, sizeof(f->summary)) + 48 > sizeof(f->summary)) {
			say(f, " and %d more", f->nflows - i);
			return;
		}
		say(f, "%s%u", i ? ", " : "", (unsigned)f->source_ports[i]);
	}
}

/* "; 2 more flows whose branch is not known yet lose as much (ports 30003, 30007)" */
static void say_unplaced(struct finding *f)
{
	int n = f->nunplaced;

	if (n == 0)
		return;
	say(f, "; %d more flow%s whose branch is not known yet lose%s as much (port%s", n,
	    n == 1 ? "" : "s", n == 1 ? "s" : "", n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
		say(f, "%s %u", i ? "," : "", (unsigned)f->unplaced_ports[i]);
	say(f, ")");
}

/* ---- Causes and where they can lie ---- */

/* Adds a cause after those already named (most likely first); a repeat is ignored. */
static void add_cause(struct finding *f, enum finding_cause c)
{
	for (int i = 0; i < f->ncauses; i++)
		if (f->causes[i] == c)
			return;
	if (f->ncauses < CAUSE_COUNT)
		f->causes[f->ncauses++] = c;
}

/*
 * The last hop index before k where the masked flows got through cleanly:
 * no more loss than background noise, and significantly less than they
 * lose end to end (e2e), so that a few lucky probes at one of many hops
 * do not count; -1 when none did (the range starts at this host).  A hop
 * that cannot be judged (too few answers, or loss from rate limiting) is
 * passed over: the range widens rather than name a link the evidence
 * cannot.
 */
static int clean_before(const struct diag *d, const unsigned char *g, int k, struct tally e2e)
{
	int m = 0;

	for (int j = 0; j < k; j++)
		m += informative(pool_hop(d, g, j));
	for (int j = k - 1; j >= 0; j--) {
		struct tally t = pool_hop(d, g, j);

		if (informative(t) && clean_figure(t) && test_lossier(e2e, t) < ALPHA / (m ? m : 1))
			return j;
	}
	return -1;
}

/*
 * Did the router answering at at (hop index k) answer more often than
 * Linux's default ICMP limit (LINUX_RL_BURST, then one a second) would
 * let it over the run?  Then its silences were not that limit's.
 */
static bool beyond_default_limit(const struct diag *d, int k, const struct ip_addr *at)
{
	const struct hop_result *h;
	uint64_t allowed = LINUX_RL_BURST + d->r->elapsed_us / 1000000u + 1;

	if (k >= d->nhops || !addr_is_set(at))
		return false;
	h = &d->r->hops[k];
	for (int i = 0; h->branches != NULL && i < h->nbranches; i++)
		if (addr_equal(&h->branches[i].addr, at))
			return h->branches[i].received > allowed;
	return false;
}

/*
 * Is the loss of flows g at hop index k forwarding loss rather than the
 * router's ICMP limit?  A router limits its errors towards us whoever they
 * are about, so one that answers the reference flows cleanly at k while
 * g's probes go unanswered is not limiting them; and loss that a later hop
 * of g's shows again is not one router's limit either, nor are the
 * silences of a router that answered more than a default limit allows.
 * Otherwise the hop alone proves nothing.
 */
static bool loss_confirmed(const struct diag *d, const unsigned char *g, const unsigned char *ref,
			   int k, int end, struct tally e2e)
{
	struct ip_addr at = majority_addr(d, g, k);
	struct tally same = {0, 0};

	if (beyond_default_limit(d, k, &at))
		return true;

	for (int i = 0; ref != NULL && addr_is_set(&at) && i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (ref[i] && flow_has_hop(f, k) && addr_equal(&f->path[k], &at)) {
			same.recv += f->hop_received[k];
			same.lost += f->hop_lost[k];
		}
	}
	if (informative(same) && clean_figure(same))
		return true;
	for (int j = k + 1; j < end; j++) {
		struct tally t = pool_hop(d, g, j);

		if (informative(t) && !clean_figure(t) && test_lossier(e2e, t) >= ALPHA)
			return true;
	}
	return false;
}

/*
 * Where loss that shows from hop index k on has surely started: k itself,
 * unless k loses significantly more than the flows do end to end (rate
 * limiting adds to it there, and it may have no forwarding loss at all);
 * then the first later hop whose figure is the end-to-end one, or the
 * target.
 */
static int surely_by(const struct diag *d, const unsigned char *g, int k, struct tally e2e)
{
	int end = mask_end(d, g);

	if (k >= end || test_lossier(pool_hop(d, g, k), e2e) >= ALPHA)
		return k;
	for (int j = k + 1; j < end; j++) {
		struct tally t = pool_hop(d, g, j);

		if (informative(t) && test_lossier(t, e2e) >= ALPHA)
			return j;
	}
	return end;
}

/* Forward loss of flows g lies after hop index from (-1: this host) and at or before hop index to. */
static void set_range(const struct diag *d, struct finding *f, const unsigned char *g, int from,
		      int to, struct ip_addr to_addr)
{
	f->range_from_ttl = from >= 0 ? ttl_of(d, from) : 0;
	f->range_from = from >= 0 ? majority_addr(d, g, from) : d->r->config.src;
	f->range_to_ttl = ttl_of(d, to);
	f->range_to = to_addr;
}

/* "link A -> B" when the range is one link, else "between hop 2 (A) and hop 5 (B)". */
static void say_range(struct finding *f)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	addr_format(&f->range_from, a, sizeof(a));
	addr_format(&f->range_to, b, sizeof(b));
	if (f->range_to_ttl == f->range_from_ttl + 1)
		say(f, "link %s -> %s", a, b);
	else if (f->range_from_ttl == 0)
		say(f, "between this host and hop %d (%s)", f->range_to_ttl, b);
	else
		say(f, "between hop %d (%s) and hop %d (%s)", f->range_from_ttl, a,
		    f->range_to_ttl, b);
}

/*
 * Do the clean siblings reach the target over the same last hop as flows
 * g?  Then forward loss on that last link would have to spare them: a
 * filter that picks flows, not a bad link.
 */
static bool last_hop_shared(const struct diag *d, const unsigned char *g, const unsigned char *s,
			    int end)
{
	struct ip_addr last;

	if (end <= 0)
		return false;
	last = majority_addr(d, g, end - 1);
	if (!addr_is_set(&last))
		return false;
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *fl = &d->r->flows[i];

		if (s[i] && flow_has_hop(fl, end - 1) && addr_equal(&fl->path[end - 1], &last))
			return true;
	}
	return false;
}

/* ---- Grouping flows by loss ---- */

/*
 * Splitting flows sorted by their own loss rate always finds a "lossy"
 * top, even when every flow loses alike; the cut is chosen by the data, so
 * its p-value means little.  The split is therefore calibrated by a
 * parametric bootstrap: the same statistic on flows that all lose at the
 * pooled rate, BOOT_ROUNDS times, from a fixed seed so that one snapshot
 * always gives the same answer.
 */
#define BOOT_ROUNDS 299
#define TWO_PI 6.283185307179586

struct ranked {
	int i;			/* flow index, or position in the bootstrap arrays */
	uint64_t n, lost;
	double rate;
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->rate != b->rate)
		return a->rate > b->rate ? -1 : 1;
	return a->i - b->i;
}

/*
 * Sorts v by loss rate and returns the largest two-proportion z over the
 * cuts between different rates; *cut is how many flows are above it.
 */
static double split_stat(struct ranked *v, int m, int *cut)
{
	uint64_t n = 0, lost = 0, n1 = 0, l1 = 0;
	double best = 0.0;

	*cut = 0;
	for (int s = 0; s < m; s++) {
		v[s].rate = v[s].n ? (double)v[s].lost / (double)v[s].n : 0.0;
		n += v[s].n;
		lost += v[s].lost;
	}
	if (n == 0 || lost == 0 || lost == n)
		return 0.0;
	qsort(v, (size_t)m, sizeof(*v), ranked_cmp);
	for (int s = 1; s < m; s++) {
		double p1, p2, p, se, z;
		uint64_t n2, l2;

		n1 += v[s - 1].n;
		l1 += v[s - 1].lost;
		if (v[s - 1].rate == v[s].rate)
			continue;
		n2 = n - n1;
		l2 = lost - l1;
		if (n1 == 0 || n2 == 0)
			continue;
		p1 = (double)l1 / (double)n1;
		p2 = (double)l2 / (double)n2;
		p = (double)lost / (double)n;
		se = sqrt(p * (1.0 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
		z = (p1 - p2) / se;
		if (z > best) {
			best = z;
			*cut = s;
		}
	}
	return best;
}

/* splitmix64: a small, good generator with a fixed seed; no global state. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_uniform(uint64_t *state)
{
	return ((double)(rng_next(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* A Binomial(n, p) draw: by inversion when the mean is small, else normal. */
static uint64_t rng_binomial(uint64_t *state, uint64_t n, double p)
{
	double mean = (double)n * p, u, pk, cdf, x;
	uint64_t k = 0;

	if (n == 0 || p <= 0.0)
		return 0;
	if (p >= 1.0)
		return n;
	if (mean < 30.0 && p < 0.5) {
		u = rng_uniform(state);
		pk = exp((double)n * log1p(-p));
		cdf = pk;
		while (u > cdf && k < n) {
			pk *= (double)(n - k) / (double)(k + 1) * p / (1.0 - p);
			k++;
			cdf += pk;
			if (pk < 1e-300)
				break;
		}
		return k;
	}
	/* Box-Muller; good enough for a calibration of a tail beyond 1%. */
	x = sqrt(-2.0 * log(rng_uniform(state))) * cos(TWO_PI * rng_uniform(state));
	x = floor(mean + x * sqrt(mean * (1.0 - p)) + 0.5);
	if (x < 0.0)
		return 0;
	if (x > (double)n)
		return n;
	return (uint64_t)x;
}

/*
 * Splits the flows of `in` into lossy and clean by end-to-end loss: the cut
 * of the flows sorted by loss rate with the largest z, when the two sides
 * differ by a meaningful amount (test_lossier) and no more than one
 * bootstrap round in BOOT_ROUNDS of homogeneous flows gives as large a z.
 * Returns whether such a cut exists; lossy is cleared otherwise.
 */
static bool partition(struct diag *d, const unsigned char *in, unsigned char *lossy)
{
	struct ranked *v, *w;
	struct tally top = {0, 0}, rest = {0, 0};
	int m = 0, cut = 0, wcut, beaten = 0;
	double z;
	uint64_t seed = 0x65636d7074726163ull;	/* "ecmptrac" */
	bool split = false;

	memset(lossy, 0, (size_t)d->nflows);
	v = malloc(2 * (size_t)d->nflows * sizeof(*v) + 1);
	if (v == NULL) {
		d->oom = true;
		return false;
	}
	w = v + d->nflows;
	for (int i = 0; i < d->nflows; i++)
		if (in[i]) {
			const struct flow_result *f = &d->r->flows[i];

			v[m] = (struct ranked){.i = i, .n = f->received + f->lost, .lost = f->lost};
			m++;
		}
	z = m >= 2 ? split_stat(v, m, &cut) : 0.0;
	if (cut == 0)
		goto out;
	for (int s = 0; s < m; s++) {
		struct tally *t = s < cut ? &top : &rest;

		t->lost += v[s].lost;
		t->recv += v[s].n - v[s].lost;
		seed = seed * 31 + v[s].n * 7 + v[s].lost;
	}
	if (test_lossier(top, rest) >= ALPHA)
		goto out;
	for (int b = 0; b < BOOT_ROUNDS && beaten < 2; b++) {
		double p0 = tally_rate((struct tally){top.recv + rest.recv, top.lost + rest.lost});

		for (int s = 0; s < m; s++) {
			w[s] = (struct ranked){.i = s, .n = v[s].n};
			w[s].lost = rng_binomial(&seed, v[s].n, p0);
		}
		if (split_stat(w, m, &wcut) >= z)
			beaten++;
	}
	/* p = (beaten + 1) / (BOOT_ROUNDS + 1) < ALPHA */
	if (beaten >= 2)
		goto out;
	for (int s = 0; s < cut; s++)
		lossy[v[s].i] = 1;
	split = true;
out:
	free(v);
	return split;
}

/* ---- Localisation ---- */

/*
 * The hop index where the loss of flows g starts: the first hop from
 * from_k on where their hop loss is significantly above the reference
 * flows' (or, without reference flows, any hop) and where no later hop of
 * theirs is significantly cleaner than their end-to-end loss (a cleaner
 * later hop means the loss seen here did not carry on).  If there is none:
 * past the last hop (the destination) when every hop is clean, else from_k.
 * *shown says whether the hop returned is where the evidence puts the
 * start (false for the last fallback: loss somewhere from from_k on).
 */
static int localise(const struct diag *d, const unsigned char *g, const unsigned char *ref,
		    int from_k, struct tally e2e, bool *shown)
{
	int end = mask_end(d, g), m = 0;

	*shown = true;

	for (int k = from_k; k < end; k++)
		m += informative(pool_hop(d, g, k));
	for (int k = from_k; k < end; k++) {
		struct tally gk = pool_hop(d, g, k);
		bool persists = true;

		if (!informative(gk))
			continue;
		if (test_lossier(gk, pool_hop(d, ref, k)) >= ALPHA / (m > 0 ? m : 1))
			continue;
		for (int k2 = k + 1; k2 < end && persists; k2++)
			if (test_lossier(e2e, pool_hop(d, g, k2)) < ALPHA)
				persists = false;
		if (persists) {
			/* Shown here only if not the router's own limit (else: from here on, somewhere). */
			*shown = loss_confirmed(d, g, ref, k, end, e2e);
			return k;
		}
	}
	/*
	 * From some hop on these flows get no answer at all, there and at
	 * every hop behind it, nor from the destination, while the reference
	 * flows are answered there: a router that only keeps quiet would let
	 * the hops behind it answer, so the loss starts at that hop.
	 */
	for (int k = from_k; k < end && e2e.recv == 0; k++) {
		struct tally gk = pool_hop(d, g, k);
		bool dark = tally_n(gk) >= MIN_SAMPLES && gk.recv == 0;

		for (int k2 = k + 1; k2 < end && dark; k2++)
			dark = pool_hop(d, g, k2).recv == 0;
		if (dark && (ref == NULL || informative(pool_hop(d, ref, k))))
			return k;
	}
	/*
	 * Every hop clean, the last one shown clean: the loss shows at the
	 * destination only.  Hops not judged yet prove nothing either way.
	 */
	for (int k = from_k; k < end; k++) {
		struct tally gk = pool_hop(d, g, k);

		if ((informative(gk) && !clean_figure(gk)) ||
		    (k == end - 1 && !(informative(gk) && clean_figure(gk)))) {
			*shown = false;
			return from_k;
		}
	}
	return end;
}

/* ---- Lossy branches ---- */

struct candidate {
	int k, b;			/* hop index, branch index */
	double p;			/* branch lossier than siblings */
	struct tally g, s;		/* end to end: branch flows, sibling flows */
	unsigned char *gmask, *smask;
	int nsiblings;			/* sibling branches */
	struct ip_addr sibling;		/* the first sibling's address */
	bool keep;
};

static bool share_parent(const struct branch_result *a, const struct branch_result *b, int k)
{
	if (k == 0 || (a->nparents == 0 && b->nparents == 0))
		return true;
	if (a->parents == NULL || b->parents == NULL)
		return false;
	for (int i = 0; i < a->nparents; i++)
		for (int j = 0; j < b->nparents; j++)
			if (a->parents[i] == b->parents[j])
				return true;
	return false;
}

/* Whether the branch can be compared: a known router, not the target. */
static bool branch_comparable(const struct branch_result *b)
{
	return addr_is_set(&b->addr) && !b->is_destination && b->flows != NULL && b->nflows > 0;
}

/*
 * An unknown branch ("*") whose flows never got an answer there: they may
 * have died on the link into it (a mesh link, a next hop that is gone).
 * It can be blamed like a router, by what its flows lose end to end.
 */
static bool branch_dark(const struct branch_result *b)
{
	return !addr_is_set(&b->addr) && !b->is_destination && b->flows != NULL && b->nflows > 0 &&
	       b->received == 0 && b->lost >= MIN_SAMPLES;
}

/* Do the branch's flows stay unanswered from hop index k on (a router that only keeps quiet would not)? */
static bool dark_on(const struct diag *d, const struct branch_result *b, int k)
{
	for (int j = 0; j < b->nflows; j++) {
		int i = flow_index(d->r, b->flows[j]);
		const struct flow_result *f;

		if (i < 0)
			return false;
		f = &d->r->flows[i];
		if (f->received > 0)
			return false;
		for (int k2 = k; k2 < f->path_len && k2 < d->end[i]; k2++)
			if (f->hop_received[k2] > 0)
				return false;
	}
	return true;
}

/* "flows through 10.0.2.2 ", or for a dark branch "flows unanswered at hop 3 after 10.0.2.2 " */
static void say_branch(const struct diag *d, struct finding *f, const struct candidate *c)
{
	const struct ip_addr *a = &d->r->hops[c->k].branches[c->b].addr;
	struct ip_addr before;
	char br[ADDR_STRLEN];

	if (addr_is_set(a)) {
		say(f, "flows through %s ", addr_format(a, br, sizeof(br)));
		return;
	}
	before = prev_responder(d, c->gmask, c->k);
	say(f, "flows unanswered at hop %d after %s ", ttl_of(d, c->k),
	    addr_format(&before, br, sizeof(br)));
}

/* "their 7 siblings through 10.0.3.2 lose 0%" */
static void say_siblings(const struct diag *d, struct finding *f, const struct candidate *c)
{
	char s[ADDR_STRLEN], x[16];

	int n = mask_count(d, c->smask);

	say(f, "their %d sibling%s through ", n, n == 1 ? "" : "s");
	if (c->nsiblings == 1)
		say(f, "%s", addr_format(&c->sibling, s, sizeof(s)));
	else
		say(f, "%d other branches", c->nsiblings);
	say(f, " lose %s%%", pct(f->baseline_pct, x, sizeof(x)));
}

/*
 * Every hop answers the branch's flows as well as their siblings, the
 * target does not, and the siblings reach it over the same last link:
 * the replies are lost on their way back (with symmetric hashing, on the
 * mirror of the branch), or a filter on the last link picks these flows.
 */
static void emit_return_of_branch(struct diag *d, const struct candidate *c, int end)
{
	const struct results *r = d->r;
	struct finding *f = finding_new(d, FINDING_RETURN_PATH_LOSS);
	char br[ADDR_STRLEN], dst[ADDR_STRLEN];

	if (f == NULL)
		return;
	f->ttl = ttl_of(d, end);
	f->addr = r->config.dst;
	f->prev_addr = prev_responder(d, c->gmask, end);
	add_cause(f, CAUSE_RETURN_PATH);
	add_cause(f, CAUSE_FORWARD_LOSS);
	set_range(d, f, c->gmask, clean_before(d, c->gmask, end, c->g), end, r->config.dst);
	finding_loss(f, c->g, tally_rate(c->s));
	finding_failing_flows(d, f, c->gmask);
	addr_format(&r->hops[c->k].branches[c->b].addr, br, sizeof(br));
	say(f, "flows through %s ", br);
	say_loss(f, "end to end");
	say(f, " though every hop answers them; ");
	say_siblings(d, f, c);
	say(f, " over the same last hop: %s's replies to them are lost on the way back (on the "
	       "mirror of %s if routers hash symmetrically), or a filter on the ",
	    addr_format(&r->config.dst, dst, sizeof(dst)), br);
	say_range(f);
	say(f, " drops only them");
}

/*
 * The branch's flows fail like flows found failing on the way back beside
 * clean path-mates (find_return_path): one cause, one finding.  Their
 * flows join it; forward loss on the last link stays possible for the
 * branch's flows, which have no clean path-mates.  False when there is no
 * such finding.
 */
static bool merge_return(struct diag *d, const struct candidate *c, int end)
{
	struct finding *f = NULL;
	unsigned char *mask;
	char dst[ADDR_STRLEN], br[ADDR_STRLEN];
	double baseline;

	for (int i = 0; i < d->out->count && f == NULL; i++)
		if (d->out->items[i].kind == FINDING_RETURN_PATH_LOSS && d->out->items[i].ncauses == 1)
			f = &d->out->items[i];
	if (f == NULL || (mask = calloc((size_t)d->nflows + 1, 1)) == NULL)
		return false;
	for (int i = 0; i < d->nflows; i++)
		mask[i] = c->gmask[i];
	for (int j = 0; j < f->nflows; j++) {
		int i = flow_index(d->r, f->flows[j]);

		if (i >= 0)
			mask[i] = 1;
	}
	baseline = f->baseline_pct / 100.0;
	free(f->flows);
	free(f->source_ports);
	f->flows = NULL;
	f->source_ports = NULL;
	f->summary[0] = '\0';
	finding_loss(f, pool_e2e(d, mask), baseline);
	finding_failing_flows(d, f, mask);
	free(mask);
	add_cause(f, CAUSE_FORWARD_LOSS);
	set_range(d, f, c->gmask, clean_before(d, c->gmask, end, c->g), end, d->r->config.dst);
	addr_format(&d->r->hops[c->k].branches[c->b].addr, br, sizeof(br));
	say(f, "%d flows (source ports ", f->nflows);
	say_ports(f);
	say(f, ") ");
	say_loss(f, "end to end");
	say(f, ": some beside clean flows on the same forward path, and every flow through %s "
	       "though every hop answers it; replies from %s are hashed onto a bad return path",
	    br, addr_format(&d->r->config.dst, dst, sizeof(dst)));
	say_unplaced(f);
	return true;
}

static void emit_lossy_branch(struct diag *d, const struct candidate *c)
{
	const struct results *r = d->r;
	int end = mask_end(d, c->gmask), k, to;
	bool shown;
	struct ip_addr at, prev;
	struct finding *f;

	k = localise(d, c->gmask, c->smask, c->k, c->g, &shown);
	prev = prev_responder(d, c->gmask, k);
	if (shown && k >= end && last_hop_shared(d, c->gmask, c->smask, end)) {
		if (!merge_return(d, c, end))
			emit_return_of_branch(d, c, end);
		return;
	}
	if (k == c->k)
		at = r->hops[c->k].branches[c->b].addr;
	else if (k >= end)
		at = r->config.dst;	/* every hop clean: the last link */
	else
		at = majority_addr(d, c->gmask, k);
	f = finding_new(d, FINDING_LOSSY_BRANCH);
	if (f == NULL)
		return;
	/* No answer at the hop where the loss starts: the far end of the link is unknown ("*"). */
	if (!addr_is_set(&at) && k == c->k)
		at = r->hops[c->k].branches[c->b].addr;
	f->ttl = ttl_of(d, k);
	f->addr = at;
	f->prev_addr = prev;
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	say_branch(d, f, c);
	/* Loss not placed yet: anywhere from the link into the branch to the target. */
	to = shown ? surely_by(d, c->gmask, k, c->g) : end;
	set_range(d, f, c->gmask, clean_before(d, c->gmask, k, c->g), to,
		  to == k ? at : to >= end ? r->config.dst : majority_addr(d, c->gmask, to));
	finding_loss(f, c->g, tally_rate(c->s));
	finding_failing_flows(d, f, c->gmask);
	say_loss(f, "end to end");
	if (shown)
		say(f, " from hop %d on (", f->ttl);
	else
		say(f, " somewhere ");
	say_range(f);
	say(f, shown ? "); " : "; ");
	say_siblings(d, f, c);
	/* Symmetric hashing sends exactly these flows' replies back over the same links. */
	say(f, "; or their replies are lost on the way back over the same links, if routers hash "
	       "symmetrically");
}

/* Lossy branches found, reported once every pass is done. */
struct kept {
	struct candidate *v;
	int n, cap;
};

/* Is every flow of inner in outer?  Then rest holds outer's other flows. */
static bool outside_of(const struct diag *d, const unsigned char *inner, const unsigned char *outer,
		       unsigned char *rest)
{
	for (int f = 0; f < d->nflows; f++)
		if (inner[f] && !outer[f])
			return false;
	for (int f = 0; f < d->nflows; f++)
		rest[f] = outer[f] && !inner[f];
	return true;
}

/*
 * Two lossy branches share some flows (at different hops, each split
 * picks its own): the one whose other flows lose nothing special while
 * the other's other flows lose on their own is only riding on it, by the
 * chance of which flows it drew, and gives way.
 */
static void drop_riders(struct diag *d, struct candidate *cands, int ncands, unsigned char *xo,
			unsigned char *yo)
{
	for (int i = 0; i < ncands; i++) {
		struct candidate *x = &cands[i];

		for (int j = 0; j < ncands && x->keep; j++) {
			const struct candidate *y = &cands[j];
			bool overlap = false;
			struct tally tx, ty;

			if (j == i || !y->keep)
				continue;
			for (int f = 0; f < d->nflows; f++) {
				overlap |= x->gmask[f] && y->gmask[f];
				xo[f] = x->gmask[f] && !y->gmask[f];
				yo[f] = y->gmask[f] && !x->gmask[f];
			}
			tx = pool_e2e(d, xo);
			ty = pool_e2e(d, yo);
			if (!overlap || tally_n(ty) == 0)
				continue;
			if ((tally_n(tx) == 0 || test_lossier(tx, x->s) >= ALPHA_LOOSE) &&
			    test_lossier(ty, y->s) < ALPHA)
				x->keep = false;
		}
	}
}

/*
 * A branch further on whose flows all went through an earlier lossy
 * branch, and lose no more than that branch's other flows, only inherits
 * the earlier loss: it gives way, or its range would miss the link.
 */
static void drop_explained(struct diag *d, struct candidate *cands, int ncands, unsigned char *part)
{
	for (int i = 0; i < ncands; i++) {
		struct candidate *y = &cands[i];

		for (int j = 0; j < ncands && y->keep; j++) {
			const struct candidate *x = &cands[j];

			if (j == i || !x->keep || x->k >= y->k ||
			    !outside_of(d, y->gmask, x->gmask, part))
				continue;
			if (test_lossier(y->g, pool_e2e(d, part)) >= ALPHA)
				y->keep = false;
		}
	}
}

/*
 * Finds branches whose flows lose more end to end than their siblings'
 * (among the active flows), adds them to kept and removes their flows from
 * active.  A branch whose flows split into lossy and clean ones, the clean
 * ones no worse than the siblings, holds a few bad flows, not a bad link:
 * it is left to the return-path test.
 */
static bool find_lossy_branches(struct diag *d, unsigned char *active, struct kept *kept)
{
	const struct results *r = d->r;
	struct candidate *cands = NULL;
	unsigned char *part = NULL, *lossy = NULL;
	int ncands = 0, cap = 0, m = 0;
	bool found = false;

	part = malloc((size_t)d->nflows + 1);
	lossy = malloc((size_t)d->nflows + 1);
	if (part == NULL || lossy == NULL)
		goto oom;
	for (int k = 0; k < d->nhops; k++) {
		const struct hop_result *h = &r->hops[k];

		if (h->branches == NULL)
			continue;
		for (int bi = 0; bi < h->nbranches; bi++) {
			const struct branch_result *b = &h->branches[bi];
			struct candidate c = {.k = k, .b = bi, .p = 1.0};

			bool done = false;

			/* A branch reported in an earlier pass stays reported once. */
			for (int j = 0; j < kept->n; j++)
				done |= kept->v[j].k == k && kept->v[j].b == bi;
			if (done || !(branch_comparable(b) || (branch_dark(b) && dark_on(d, b, k))))
				continue;
			c.gmask = calloc((size_t)d->nflows + 1, 1);
			c.smask = calloc((size_t)d->nflows + 1, 1);
			if (c.gmask == NULL || c.smask == NULL) {
				free(c.gmask);
				free(c.smask);
				goto oom;
			}
			branch_mask(d, b, c.gmask);
			for (int i = 0; i < d->nflows; i++)
				c.gmask[i] = c.gmask[i] && active[i] && k < d->end[i];
			for (int sj = 0; sj < h->nbranches; sj++) {
				const struct branch_result *s = &h->branches[sj];

				if (sj == bi || !branch_comparable(s) || !share_parent(b, s, k))
					continue;
				branch_mask(d, s, part);
				for (int i = 0; i < d->nflows; i++)
					if (part[i] && active[i] && !c.gmask[i] && k < d->end[i])
						c.smask[i] = 1;
				if (c.nsiblings++ == 0)
					c.sibling = s->addr;
			}
			c.g = pool_e2e(d, c.gmask);
			c.s = pool_e2e(d, c.smask);
			if (tally_n(c.g) < MIN_SAMPLES || tally_n(c.s) < MIN_SAMPLES) {
				free(c.gmask);
				free(c.smask);
				continue;
			}
			m++;
			c.p = test_lossier(c.g, c.s);
			/*
			 * In UDP mode the target's port unreachables are rate
			 * limited: flows probed later in a round lose more.  Only
			 * siblings that do not lose make the branch stand out.
			 */
			if (udp_target_limited(r) && !clean_figure(c.s))
				c.p = 1.0;
			if (ncands == cap) {
				int ncap = cap ? 2 * cap : 16;
				struct candidate *grown = realloc(cands, (size_t)ncap * sizeof(*grown));

				if (grown == NULL) {
					free(c.gmask);
					free(c.smask);
					goto oom;
				}
				cands = grown;
				cap = ncap;
			}
			cands[ncands++] = c;
		}
	}
	for (int i = 0; i < ncands; i++) {
		struct candidate *c = &cands[i];

		struct tally clean;
		int n;

		c->keep = c->p < ALPHA / m;
		if (!c->keep || !partition(d, c->gmask, lossy))
			continue;
		/* The branch's flows differ: are its clean ones still worse than the siblings? */
		for (int j = 0; j < d->nflows; j++)
			part[j] = c->gmask[j] && !lossy[j];
		clean = pool_e2e(d, part);
		if (test_lossier(clean, c->s) >= ALPHA_LOOSE) {
			c->keep = false;
			continue;
		}
		/*
		 * A lossy branch, and some of its flows lose much more still:
		 * those stay out of it, for the return-path test to judge.
		 */
		n = mask_count(d, c->gmask);
		for (int j = 0; j < d->nflows; j++) {
			struct tally t = {r->flows[j].received, r->flows[j].lost};

			if (c->gmask[j] && lossy[j] && test_lossier(t, clean) < ALPHA / n)
				c->gmask[j] = 0;
		}
		c->g = pool_e2e(d, c->gmask);
	}
	/*
	 * A branch that only looks lossy because a narrower branch further on
	 * carries the loss gives way to it: compare what is left of it.  The
	 * narrower one need only be loosely significant: the wider one's
	 * other flows being clean is what shows it is a mix.
	 */
	for (int i = 0; i < ncands; i++) {
		struct candidate *x = &cands[i];

		if (!x->keep)
			continue;
		for (int j = 0; j < ncands; j++) {
			const struct candidate *y = &cands[j];

			if (j == i || y->k <= x->k || !(y->p < ALPHA_LOOSE) ||
			    !outside_of(d, y->gmask, x->gmask, part))
				continue;
			if (test_lossier(pool_e2e(d, part), x->s) >= ALPHA) {
				x->keep = false;
				break;
			}
		}
	}
	drop_explained(d, cands, ncands, part);
	drop_riders(d, cands, ncands, part, lossy);
	for (int i = 0; i < ncands; i++) {
		if (!cands[i].keep)
			continue;
		for (int f = 0; f < d->nflows; f++)
			if (cands[i].gmask[f])
				active[f] = 0;
		if (kept->n == kept->cap) {
			int ncap = kept->cap ? 2 * kept->cap : 4;
			struct candidate *grown = realloc(kept->v, (size_t)ncap * sizeof(*grown));

			if (grown == NULL)
				goto oom;
			kept->v = grown;
			kept->cap = ncap;
		}
		/* The list takes the masks over. */
		kept->v[kept->n++] = cands[i];
		cands[i].gmask = NULL;
		cands[i].smask = NULL;
		found = true;
	}
	goto out;
oom:
	d->oom = true;
out:
	for (int i = 0; i < ncands; i++) {
		free(cands[i].gmask);
		free(cands[i].smask);
	}
	free(cands);
	free(part);
	free(lossy);
	return found;
}

/* ---- Return path ---- */

/* Does hop index k show several known routers (branches part there)? */
static bool hop_branches(const struct diag *d, int k)
{
	const struct hop_result *h;
	int known = 0;

	if (k >= d->nhops)
		return false;
	h = &d->r->hops[k];
	for (int i = 0; h->branches != NULL && i < h->nbranches; i++)
		known += addr_is_set(&h->branches[i].addr);
	return known > 1;
}

/* Is flow i's responder unknown at a hop where the branches part? */
static bool branch_unknown(const struct diag *d, int i)
{
	const struct flow_result *f = &d->r->flows[i];

	for (int k = 0; k < d->end[i]; k++)
		if (hop_branches(d, k) && (!flow_has_hop(f, k) || !addr_is_set(&f->path[k])))
			return true;
	return false;
}

/*
 * Flows that lose like the finding's (significantly more than the clean
 * path-mates, tg) but cannot be placed: their branch is not known yet.
 * They are named apart, with the count, so no failing port goes unsaid.
 */
static void add_unplaced(struct diag *d, struct finding *f, const unsigned char *active,
			 const unsigned char *lossy, const unsigned char *bad, struct tally tg)
{
	int n = 0, nactive = mask_count(d, active);

	f->unplaced_ports = malloc((size_t)d->nflows * sizeof(*f->unplaced_ports));
	if (f->unplaced_ports == NULL) {
		d->oom = true;
		return;
	}
	for (int i = 0; i < d->nflows; i++) {
		struct tally t = {d->r->flows[i].received, d->r->flows[i].lost};

		if (!active[i] || !lossy[i] || bad[i] || !branch_unknown(d, i))
			continue;
		if (test_lossier(t, tg) < ALPHA / (nactive > 0 ? nactive : 1))
			f->unplaced_ports[n++] = d->r->flows[i].sport;
	}
	f->nunplaced = n;
	say_unplaced(f);
}

/*
 * Same forward path: no TTL before both destinations where both answered
 * differently, and both known wherever the branches part (a flow whose
 * branch is not known yet may take any of them).
 */
static bool same_forward_path(const struct diag *d, int a, int b)
{
	const struct flow_result *fa = &d->r->flows[a], *fb = &d->r->flows[b];
	int n = d->end[a] < d->end[b] ? d->end[a] : d->end[b];

	for (int k = 0; k < n; k++) {
		bool sa, sb;

		if (!flow_has_hop(fa, k) || !flow_has_hop(fb, k))
			return false;
		sa = addr_is_set(&fa->path[k]);
		sb = addr_is_set(&fb->path[k]);
		if (sa && sb && !addr_equal(&fa->path[k], &fb->path[k]))
			return false;
		if ((!sa || !sb) && hop_branches(d, k))
			return false;
	}
	return true;
}

/*
 * Lossy flows (per the split of the active flows) that share their forward
 * path with flows that lose less lose their replies on the way back.  The
 * flows to compare with are any judged flows not blamed already: the clean
 * active ones, and those of lossy branches (a flow failing every time on a
 * branch that loses 30% fails for another reason).  Reports the blamed
 * flows, marks them in returned and removes them from active.
 */
static bool find_return_path(struct diag *d, unsigned char *active, const unsigned char *lossy,
			     unsigned char *returned)
{
	unsigned char *bad = calloc((size_t)d->nflows + 1, 1);
	unsigned char *good = calloc((size_t)d->nflows + 1, 1);
	unsigned char *mine = calloc((size_t)d->nflows + 1, 1);
	int nactive = mask_count(d, active);
	struct tally tb, tg;
	struct finding *f;
	bool found = false;
	char a[16], dst[ADDR_STRLEN];

	if (bad == NULL || good == NULL || mine == NULL) {
		d->oom = true;
		goto out;
	}
	for (int i = 0; i < d->nflows; i++) {
		struct tally t = {d->r->flows[i].received, d->r->flows[i].lost}, tm;

		if (!active[i] || !lossy[i])
			continue;
		for (int j = 0; j < d->nflows; j++)
			mine[j] = d->eligible[j] && !lossy[j] && !returned[j] && j != i &&
				  same_forward_path(d, i, j);
		tm = pool_e2e(d, mine);
		/*
		 * The clean side was chosen for being clean, so each flow blamed
		 * must stand out from its own path-mates on its own, corrected
		 * for the flows that could have.
		 */
		if (test_lossier(t, tm) >= ALPHA / nactive)
			continue;
		/* UDP: path-mates that lose too may just be rate-limited by the target. */
		if (udp_target_limited(d->r) && !clean_figure(tm))
			continue;
		bad[i] = 1;
		for (int j = 0; j < d->nflows; j++)
			good[j] |= mine[j];
	}
	tb = pool_e2e(d, bad);
	tg = pool_e2e(d, good);
	if (test_lossier(tb, tg) >= ALPHA)
		goto out;
	f = finding_new(d, FINDING_RETURN_PATH_LOSS);
	if (f == NULL)
		goto out;
	/* The path-mates cross every forward link these flows cross, and get through. */
	add_cause(f, CAUSE_RETURN_PATH);
	finding_loss(f, tb, tally_rate(tg));
	finding_failing_flows(d, f, bad);
	say(f, "%d flows (source ports ", f->nflows);
	say_ports(f);
	say(f, ") ");
	say_loss(f, "end to end");
	say(f, " while %d flows on the same forward path lose %s%%: ", mask_count(d, good),
	    pct(f->baseline_pct, a, sizeof(a)));
	say(f, "replies from %s are hashed onto a bad return path",
	    addr_format(&d->r->config.dst, dst, sizeof(dst)));
	add_unplaced(d, f, active, lossy, bad, tg);
	for (int i = 0; i < d->nflows; i++)
		if (bad[i]) {
			active[i] = 0;
			returned[i] = 1;
		}
	found = true;
out:
	free(bad);
	free(good);
	free(mine);
	return found;
}

/* ---- Loss every remaining flow shares ---- */

/* "all 16 flows " or, when other findings took some, "the other 8 flows ". */
static void say_flock(const struct diag *d, struct finding *f)
{
	if (f->nflows == mask_count(d, d->eligible))
		say(f, "all %d flows ", f->nflows);
	else
		say(f, "the other %d flows ", f->nflows);
}

/*
 * The flows in u lose alike end to end.  The loss starts after the last
 * clean hop (its loss no more than background noise) that is significantly
 * cleaner than the end-to-end figure: at the next hop that answers, or at
 * the destination when none does.  Without a clean hop:
 *   - every hop losing about what the flows lose end to end means loss
 *     from the first hop on (TCP and ICMP echo only: see below);
 *   - in UDP mode nothing is said: the target's answers are ICMP errors,
 *     rate-limited like every router's (Linux: 6, then 1 per second), so
 *     its loss proves no more than theirs;
 *   - otherwise the loss is real (SYN-ACKs and echo replies are not rate
 *     limited) but cannot be placed: it is reported at the destination,
 *     saying so.
 */
/* At hop index k, does no router pass the flows of u through it cleanly? */
static bool every_router_loses(const struct diag *d, const unsigned char *u, int k)
{
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];
		struct tally t = {0, 0};

		if (!u[i] || k >= d->end[i] || !flow_has_hop(f, k) || !addr_is_set(&f->path[k]))
			continue;
		for (int j = 0; j < d->nflows; j++) {
			const struct flow_result *g = &d->r->flows[j];

			if (u[j] && k < d->end[j] && flow_has_hop(g, k) &&
			    addr_equal(&g->path[k], &f->path[k])) {
				t.recv += g->hop_received[k];
				t.lost += g->hop_lost[k];
			}
		}
		if (informative(t) && clean_figure(t))
			return false;
	}
	return true;
}

/*
 * Do the flows in u lose alike, as loss common to all of them would make
 * them?  Each must have MIN_COMMON_FLOW probes behind it (fewer cannot
 * show a flow that loses more), none may lose significantly more than the
 * pooled rate, and no more may lose nothing at all than chance allows.
 * Otherwise some flows fail for a reason of their own, and naming every
 * flow would name ports that do not fail.
 */
static bool alike(const struct diag *d, const unsigned char *u, struct tally pooled)
{
	double p = tally_rate(pooled), zeros_expected = 0.0;
	int n = mask_count(d, u), zeros = 0;

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];
		uint64_t total = f->received + f->lost;

		if (!u[i])
			continue;
		if (total < MIN_COMMON_FLOW)
			return false;
		if (stat_binom_greater(f->lost, total, p) < ALPHA / n)
			return false;
		zeros += f->lost == 0;
		zeros_expected += pow(1.0 - p, (double)total);
	}
	return zeros <= zeros_expected + 3.0 * sqrt(zeros_expected) + 1.0;
}

static void find_common_loss(struct diag *d, const unsigned char *u)
{
	const struct results *r = d->r;
	struct tally e2e = pool_e2e(d, u), base = {0, 0};
	int end = mask_end(d, u), m = 0, clean = -1, first = -1, at = -1, to;
	bool udp = udp_target_limited(r), uniform = true;
	struct finding *f;
	char a[ADDR_STRLEN], x[16], where[32 + ADDR_STRLEN];

	if (tally_n(e2e) < MIN_SAMPLES || clean_figure(e2e) || !alike(d, u, e2e))
		return;
	for (int k = 0; k < end; k++)
		if (informative(pool_hop(d, u, k))) {
			m++;
			if (first < 0)
				first = k;
		}
	for (int k = 0; k < end; k++) {
		struct tally t = pool_hop(d, u, k);

		if (!informative(t))
			continue;
		if (test_lossier(e2e, t) < ALPHA / m) {
			uniform = false;
			if (clean_figure(t)) {
				clean = k;
				base = t;
			}
		}
		/* "Every hop alike" needs every hop to show the loss, not only to fail to disprove it. */
		if (test_lossier(t, e2e) < ALPHA / m || clean_figure(t))
			uniform = false;
	}
	if (clean >= 0) {
		/* The first hop after the clean one that shows the loss; none: the destination. */
		for (int k = clean + 1; k < end && at < 0; k++)
			if (informative(pool_hop(d, u, k)) && !clean_figure(pool_hop(d, u, k)))
				at = k;
	} else if (udp && end > 0) {
		return;
	} else if (first >= 0 && uniform) {
		at = first;
	}
	/*
	 * One hop's loss may be its ICMP limit: without a later hop showing it
	 * too, it places nothing; nor does a hop where some router passes its
	 * flows cleanly (loss every flow shares cannot start before it).
	 */
	if (at >= 0 && (!loss_confirmed(d, u, NULL, at, end, e2e) || !every_router_loses(d, u, at)))
		at = -1;
	f = finding_new(d, at >= 0 ? FINDING_LOSSY_BRANCH : FINDING_DESTINATION_LOSS);
	if (f == NULL)
		return;
	finding_loss(f, e2e, tally_rate(base));
	finding_failing_flows(d, f, u);
	if (at >= 0) {
		f->ttl = ttl_of(d, at);
		f->addr = majority_addr(d, u, at);
		f->prev_addr = prev_responder(d, u, at);
		add_cause(f, CAUSE_FORWARD_LOSS);
		add_cause(f, CAUSE_RETURN_PATH);
		to = surely_by(d, u, at, e2e);
		set_range(d, f, u, clean, to, to == at ? f->addr : to >= end ? r->config.dst :
			  majority_addr(d, u, to));
		say_flock(d, f);
		say_loss(f, "end to end");
		say(f, " from hop %d on (", f->ttl);
		say_range(f);
		say(f, ")");
		if (clean >= 0)
			say(f, "; hop %d before it loses %s%%", ttl_of(d, clean),
			    pct(f->baseline_pct, x, sizeof(x)));
		else
			say(f, ", every hop alike");
		return;
	}
	f->ttl = r->dest_ttl;
	f->addr = r->config.dst;
	f->prev_addr = prev_responder(d, u, end);
	/* Every flow alike: the target, its last link, or the way back all fit. */
	add_cause(f, CAUSE_DESTINATION);
	if (udp)
		add_cause(f, CAUSE_RATE_LIMITING);
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	set_range(d, f, u, clean, end, f->addr);
	snprintf(where, sizeof(where), "at the destination %s", addr_format(&f->addr, a, sizeof(a)));
	say_flock(d, f);
	say_loss(f, where);
	if (clean >= 0)
		say(f, " while hop %d before it loses %s%%", ttl_of(d, clean),
		    pct(f->baseline_pct, x, sizeof(x)));
	if (clean < 0 && end > 0)
		say(f, "; no hop before it is clean enough to show where the loss starts");
	else if (udp)
		say(f, ": the service or its host (or its rate limit on port-unreachable errors)");
	else
		say(f, ": the service or its host drops them");
}

/* ---- Rate-limited hops ---- */

struct limited {
	int k, b;
	struct tally later;		/* the cleanest later figure of the same flows */
	double p;
};

/*
 * Per branch: hop loss well above what the same flows show at any later
 * hop or end to end is the router limiting its ICMP, not forwarding loss.
 */
static void find_rate_limited(struct diag *d)
{
	const struct results *r = d->r;
	struct limited *v = NULL;
	unsigned char *fm = malloc((size_t)d->nflows + 1);
	int n = 0, cap = 0;

	if (fm == NULL) {
		d->oom = true;
		return;
	}
	for (int k = 0; k < d->nhops; k++) {
		const struct hop_result *h = &r->hops[k];

		for (int bi = 0; h->branches && bi < h->nbranches; bi++) {
			const struct branch_result *b = &h->branches[bi];
			struct tally own = {b->received, b->lost}, later = {0, 0}, e2e;
			bool have = false;
			int end;

			if (!branch_comparable(b) || b->is_unreachable || tally_n(own) < MIN_SAMPLES)
				continue;
			branch_mask(d, b, fm);
			end = mask_end(d, fm);
			for (int k2 = k + 1; k2 < end; k2++) {
				struct tally t = pool_hop(d, fm, k2);

				if (tally_n(t) >= MIN_SAMPLES && (!have || tally_rate(t) < tally_rate(later))) {
					later = t;
					have = true;
				}
			}
			e2e = pool_e2e(d, fm);
			if (tally_n(e2e) >= MIN_SAMPLES && (!have || tally_rate(e2e) < tally_rate(later))) {
				later = e2e;
				have = true;
			}
			if (!have)
				continue;
			if (n == cap) {
				int ncap = cap ? 2 * cap : 16;
				struct limited *grown = realloc(v, (size_t)ncap * sizeof(*grown));

				if (grown == NULL) {
					d->oom = true;
					goto out;
				}
				v = grown;
				cap = ncap;
			}
			v[n++] = (struct limited){k, bi, later, test_lossier(own, later)};
		}
	}
	for (int i = 0; i < n; i++) {
		const struct branch_result *b = &r->hops[v[i].k].branches[v[i].b];
		struct tally own = {b->received, b->lost};
		struct finding *f;
		char a[ADDR_STRLEN], x[16];

		if (v[i].p >= ALPHA / n)
			continue;
		f = finding_new(d, FINDING_RATE_LIMITED_HOP);
		if (f == NULL)
			break;
		add_cause(f, CAUSE_RATE_LIMITING);
		branch_mask(d, b, fm);
		f->ttl = ttl_of(d, v[i].k);
		f->addr = b->addr;
		f->prev_addr = prev_responder(d, fm, v[i].k);
		finding_loss(f, own, tally_rate(v[i].later));
		finding_flows(d, f, fm);
		say(f, "hop %d %s leaves %s%% of probes unanswered (95%% CI ", f->ttl,
		    addr_format(&f->addr, a, sizeof(a)), pct(f->loss_pct, x, sizeof(x)));
		say(f, "%s-", pct(f->ci_lo_pct, x, sizeof(x)));
		say(f, "%s%%, %llu probes) but the same %d flows lose ", pct(f->ci_hi_pct, x, sizeof(x)),
		    (unsigned long long)tally_n(own), f->nflows);
		say(f, "%s%% further on: ICMP rate limiting, not forwarding loss",
		    pct(f->baseline_pct, x, sizeof(x)));
	}
out:
	free(v);
	free(fm);
}

/* ---- Responders that change ---- */

/*
 * A flow that saw several responders at a TTL either alternates between
 * them (per-packet balancing: the engine counts each switch, so about two
 * or more per such TTL) or moved once (a path change: one switch per TTL).
 * Flows are grouped by the first TTL where it happened.
 */
static void find_responder_changes(struct diag *d)
{
	const struct results *r = d->r;
	int *first = calloc((size_t)d->nflows + 1, sizeof(*first));
	unsigned char *per_packet = calloc((size_t)d->nflows + 1, 1);
	unsigned char *mask = calloc((size_t)d->nflows + 1, 1);
	int max_len = 0;

	if (first == NULL || per_packet == NULL || mask == NULL) {
		d->oom = true;
		goto out;
	}
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		int multi = 0;

		first[i] = -1;
		for (int k = 0; k < f->path_len && flow_has_hop(f, k); k++)
			if (f->responders_seen[k] > 1) {
				if (first[i] < 0)
					first[i] = k;
				multi++;
			}
		per_packet[i] = multi > 0 && (f->path_changes == 0 || f->path_changes >= 2 * multi);
		if (f->path_len > max_len)
			max_len = f->path_len;
	}
	for (int pp = 1; pp >= 0; pp--)
		for (int k = 0; k < max_len; k++) {
			struct tally t = {0, 0};
			struct finding *f;
			struct ip_addr prev = {0};
			char a[ADDR_STRLEN], x[16];

			for (int i = 0; i < d->nflows; i++) {
				mask[i] = first[i] == k && per_packet[i] == pp;
				if (mask[i]) {
					t.recv += r->flows[i].hop_received[k];
					t.lost += r->flows[i].hop_lost[k];
				}
			}
			if (mask_count(d, mask) == 0 || tally_n(t) < MIN_SAMPLES)
				continue;
			prev = prev_responder(d, mask, k);
			f = finding_new(d, pp ? FINDING_PER_PACKET_BALANCING : FINDING_PATH_CHANGE);
			if (f == NULL)
				goto out;
			f->ttl = ttl_of(d, k);
			f->prev_addr = prev;
			finding_loss(f, t, 0.0);
			finding_flows(d, f, mask);
			if (pp) {
				say(f, "%d %s several responders at hop %d", f->nflows,
				    f->nflows == 1 ? "flow sees" : "flows see", f->ttl);
				if (addr_is_set(&prev))
					say(f, " (after %s)", addr_format(&prev, a, sizeof(a)));
				say(f, ", a sign of per-packet load balancing: ");
				say(f, "per-branch figures from hop %d on are unreliable", f->ttl);
			} else {
				say(f, "%d %s path at hop %d during the run", f->nflows,
				    f->nflows == 1 ? "flow changed" : "flows changed", f->ttl);
				if (addr_is_set(&prev))
					say(f, " (after %s)", addr_format(&prev, a, sizeof(a)));
				say(f, "; their figures from hop %d on mix both paths (%s%% loss there)", f->ttl,
				    pct(f->loss_pct, x, sizeof(x)));
			}
		}
out:
	free(first);
	free(per_packet);
	free(mask);
}

/*
 * Per-packet balancing that discovery proved (it probed a flow twice at a
 * branching hop and got two routers): one finding at the first such TTL,
 * unless the flows' own responders already raised one there.  Structural
 * evidence, not a loss rate, so no sample minimum applies.
 */
static void find_discovery_per_packet(struct diag *d)
{
	const struct results *r = d->r;
	const struct hop_result *hop = NULL;
	unsigned char *mask;
	struct finding *f;
	struct tally t = {0, 0};
	struct ip_addr prev;
	char a[ADDR_STRLEN];
	int k;

	for (int h = 0; h < d->nhops && hop == NULL; h++)
		if (r->hops[h].per_packet)
			hop = &r->hops[h];
	if (hop == NULL)
		return;
	for (int i = 0; i < d->out->count; i++)
		if (d->out->items[i].kind == FINDING_PER_PACKET_BALANCING &&
		    d->out->items[i].ttl == hop->ttl)
			return;
	k = hop->ttl - (int)r->config.first_ttl;
	mask = calloc((size_t)d->nflows + 1, 1);
	if (mask == NULL) {
		d->oom = true;
		return;
	}
	/* The flows that showed it; if their cells do not, every flow through the hop. */
	for (int i = 0; i < d->nflows; i++)
		mask[i] = flow_has_hop(&r->flows[i], k) && r->flows[i].responders_seen[k] > 1;
	if (mask_count(d, mask) == 0)
		for (int i = 0; i < d->nflows; i++)
			mask[i] = flow_has_hop(&r->flows[i], k) && r->flows[i].hop_received[k] > 0;
	for (int i = 0; i < d->nflows; i++)
		if (mask[i]) {
			t.recv += r->flows[i].hop_received[k];
			t.lost += r->flows[i].hop_lost[k];
		}
	prev = prev_responder(d, mask, k);
	f = finding_new(d, FINDING_PER_PACKET_BALANCING);
	if (f == NULL)
		goto out;
	f->ttl = hop->ttl;
	f->prev_addr = prev;
	finding_loss(f, t, 0.0);
	finding_flows(d, f, mask);
	say(f, "discovery saw a flow answer from different routers at hop %d", f->ttl);
	if (addr_is_set(&prev))
		say(f, " (after %s)", addr_format(&prev, a, sizeof(a)));
	say(f, ", a sign of per-packet load balancing: ");
	say(f, "per-branch figures from hop %d on are unreliable", f->ttl);
out:
	free(mask);
}

/* ---- The local segment ---- */

static bool same_link(const struct link_address *x, const struct link_address *y)
{
	return x->len == y->len && memcmp(x->addr, y->addr, x->len) == 0;
}

/* The TTL-1 hop of the snapshot, or NULL. */
static const struct hop_result *first_hop(const struct diag *d)
{
	for (int h = 0; h < d->nhops; h++)
		if (d->r->hops[h].ttl == 1)
			return &d->r->hops[h];
	return NULL;
}

/* Adds to mask the flows of the hop's branch answering from addr (if one does). */
static void add_branch_flows(const struct diag *d, const struct hop_result *hop,
			     const struct ip_addr *addr, unsigned char *mask, unsigned char *tmp)
{
	for (int b = 0; b < hop->nbranches; b++) {
		if (!addr_equal(&hop->branches[b].addr, addr))
			continue;
		branch_mask(d, &hop->branches[b], tmp);
		for (int i = 0; i < d->nflows; i++)
			mask[i] |= tmp[i];
	}
}

/* A finding of the segment, with the flows of the branches of the given pairs' addresses. */
static struct finding *segment_finding(struct diag *d, const struct hop_result *hop,
				       enum finding_kind kind, const bool *pick)
{
	unsigned char *mask = calloc(2 * ((size_t)d->nflows + 1), 1);
	struct finding *f = mask ? finding_new(d, kind) : NULL;

	if (f == NULL) {
		free(mask);
		d->oom = true;
		return NULL;
	}
	f->ttl = hop->ttl;
	for (int i = 0; i < hop->nneighbours; i++)
		if (pick[i])
			add_branch_flows(d, hop, &hop->neighbours[i].addr, mask, mask + d->nflows + 1);
	finding_flows(d, f, mask);
	free(mask);
	return f;
}

/*
 * The virtual MACs of first-hop redundancy protocols: VRRP for IPv4 and
 * IPv6 (RFC 5798: 00-00-5E-00-01-{VRID}, 00-00-5E-00-02-{VRID}), and
 * Cisco HSRP version 1 (00-00-0C-07-AC-{group}) and 2 (00-00-0C-9F-F0-00
 * to -FF-FF).  Routers of such a group answer from it for the virtual
 * address and often for their own, so several addresses on it are normal.
 */
static bool lladdr_is_virtual_router(const uint8_t *a, size_t len)
{
	if (len != 6)
		return false;
	if (a[0] == 0x00 && a[1] == 0x00 && a[2] == 0x5e && a[3] == 0x00 &&
	    (a[4] == 0x01 || a[4] == 0x02))
		return true;
	if (a[0] == 0x00 && a[1] == 0x00 && a[2] == 0x0c)
		return (a[3] == 0x07 && a[4] == 0xac) || (a[3] == 0x9f && (a[4] & 0xf0) == 0xf0);
	return false;
}

/*
 * A virtual router address: only a redundancy group's virtual MAC claims
 * it, and the other link-layer addresses only send from it (the group's
 * routers answering from their own NICs).  That is how VRRP and HSRP
 * work, not a conflict.
 */
static bool virtual_address(const struct hop_result *hop, const bool *pick)
{
	bool virtual_claim = false;

	for (int j = 0; j < hop->nneighbours; j++) {
		const struct link_address *l = &hop->neighbours[j].link;

		if (!pick[j])
			continue;
		if (lladdr_is_virtual_router(l->addr, l->len))
			virtual_claim |= l->claims > 0 || l->in_table;
		else if (l->claims > 0)
			return false;	/* a real NIC claims it too: a real conflict */
	}
	return virtual_claim;
}

/*
 * Why one IP has several link-layer addresses, from who said what: several
 * claim it (two machines hold it), one claims it and another only sends
 * from it (a team transmitting from every member), or this host's table
 * names one that neither answers nor claims (it learnt a holder that is
 * silent now: the duplicate answers some peers and not others).
 */
static const char *conflict_cause(const struct hop_result *hop, const bool *pick)
{
	int claimers = 0, senders_only = 0, table_only = 0;

	for (int j = 0; j < hop->nneighbours; j++) {
		const struct link_address *l = &hop->neighbours[j].link;

		if (!pick[j])
			continue;
		claimers += l->claims > 0;
		senders_only += l->claims == 0 && l->answers > 0;
		table_only += l->claims == 0 && l->answers == 0 && l->in_table;
	}
	if (claimers >= 2)
		return "two machines claim the address (a duplicated IP); peers reach whichever "
		       "their neighbour cache learnt last, so some connect and others do not";
	if (claimers == 1 && senders_only >= 1)
		return "one link-layer address claims it and another only sends from it: a NIC "
		       "team in transmit load balancing (peers that learn the sending one cannot "
		       "answer it), or a second machine with the address";
	if (table_only >= 1)
		return "this host's neighbour entry names a link-layer address that neither "
		       "answers nor claims the IP now: another machine held it (a duplicated IP), "
		       "and peers caching that one fail to connect";
	return "two machines claim the address, or one sends from several NICs (teaming in "
	       "transmit load balancing); peers caching the other one fail to connect";
}

/*
 * Answers at TTL 1 come straight from the neighbour, so the link layer
 * speaks too.  One address answering from several link-layer addresses:
 * two machines claim it (a duplicated address: which one gets a peer's
 * traffic follows that peer's neighbour cache), or one machine sends from
 * several NICs (a team in transmit load balancing: peers that learn the
 * wrong one cannot answer it).  Several addresses from one link-layer
 * address: one machine holding them all (harmless), or machines cloned
 * with one MAC, between which the switch delivers each one's traffic to
 * whichever spoke last.  Some peers connect and others do not, and ping
 * from here still works.  Structural evidence: no sample minimum.
 */
static void find_segment_conflicts(struct diag *d)
{
	const struct hop_result *hop = first_hop(d);
	bool *pick;

	if (hop == NULL || hop->nneighbours < 2)
		return;
	pick = calloc((size_t)hop->nneighbours, sizeof(*pick));
	if (pick == NULL) {
		d->oom = true;
		return;
	}
	for (int by_link = 0; by_link <= 1; by_link++)
		for (int i = 0; i < hop->nneighbours; i++) {
			const struct neighbour_result *ni = &hop->neighbours[i];
			struct finding *f;
			char a[ADDR_STRLEN], m[LLADDR_STRLEN], ev[96];
			int n = 0, first = -1, shown = 0;

			/* Each group once, at its first pair; it must pair its key with two others. */
			for (int j = 0; j < hop->nneighbours; j++) {
				const struct neighbour_result *nj = &hop->neighbours[j];

				pick[j] = by_link ? same_link(&nj->link, &ni->link)
						  : addr_equal(&nj->addr, &ni->addr);
				if (pick[j] && first < 0)
					first = j;
				n += pick[j];
			}
			if (n < 2 || first != i)
				continue;
			/* A redundancy group's virtual MAC stands for several addresses by design. */
			if (by_link && lladdr_is_virtual_router(ni->link.addr, ni->link.len))
				continue;
			if (!by_link && virtual_address(hop, pick))
				continue;
			f = segment_finding(d, hop, by_link ? FINDING_LINK_ADDRESS_SHARED
							    : FINDING_LINK_ADDRESS_CONFLICT, pick);
			if (f == NULL)
				break;
			f->addr = ni->addr;
			if (by_link)
				say(f, "%d first-hop addresses use one link-layer address, %s:", n,
				    lladdr_format(ni->link.addr, ni->link.len, m, sizeof(m)));
			else
				say(f, "%s is held by %d link-layer addresses:",
				    addr_format(&ni->addr, a, sizeof(a)), n);
			for (int j = 0; j < hop->nneighbours && shown < 3; j++) {
				const struct neighbour_result *nj = &hop->neighbours[j];

				if (!pick[j])
					continue;
				say(f, "%s %s (%s)", shown ? "," : "",
				    by_link ? addr_format(&nj->addr, a, sizeof(a))
					    : lladdr_format(nj->link.addr, nj->link.len, m, sizeof(m)),
				    link_address_describe(&nj->link, ev, sizeof(ev)));
				shown++;
			}
			if (n > 3)
				say(f, " and %d more", n - 3);
			if (by_link)
				say(f, "; one machine holding them all is harmless, machines cloned with "
				    "one MAC are not: the switch sends each one's traffic to whichever "
				    "spoke last");
			else
				say(f, ": %s", conflict_cause(hop, pick));
		}
	free(pick);
}

/* ---- Entry points ---- */

static int finding_cmp(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;

	if (kind_rank[a->kind] != kind_rank[b->kind])
		return kind_rank[a->kind] - kind_rank[b->kind];
	if (a->loss_pct != b->loss_pct)
		return a->loss_pct > b->loss_pct ? -1 : 1;
	if (a->lost != b->lost)
		return a->lost > b->lost ? -1 : 1;
	return a->ttl - b->ttl;
}

/* The flow analyses that need end-to-end figures (steps 1-3 above). */
static void find_loss(struct diag *d)
{
	unsigned char *active = malloc((size_t)d->nflows + 1);
	unsigned char *lossy = malloc((size_t)d->nflows + 1);
	unsigned char *returned = calloc((size_t)d->nflows + 1, 1);
	struct kept kept = {NULL, 0, 0};
	bool split = false;

	if (active == NULL || lossy == NULL || returned == NULL) {
		d->oom = true;
		goto out;
	}
	memcpy(active, d->eligible, (size_t)d->nflows);
	/*
	 * Each pass removes the flows it explains, so a bad branch hidden by
	 * flows that fail for another reason shows in the next pass.
	 */
	for (int pass = 0; pass < MAX_PASSES && !d->oom; pass++) {
		bool found;

		found = find_lossy_branches(d, active, &kept);
		split = partition(d, active, lossy);
		if (split && find_return_path(d, active, lossy, returned))
			found = true;
		if (!found)
			break;
	}
	if (d->oom)
		goto out;
	/*
	 * Report the lossy branches now, their siblings' figures without the
	 * flows found failing on the way back since.
	 */
	for (int i = 0; i < kept.n; i++) {
		struct candidate *c = &kept.v[i];

		for (int j = 0; j < d->nflows; j++)
			c->smask[j] = c->smask[j] && !returned[j];
		c->s = pool_e2e(d, c->smask);
		emit_lossy_branch(d, c);
	}
	split = partition(d, active, lossy);
	/* Flows the split calls lossy but nothing explains are left out. */
	for (int i = 0; i < d->nflows; i++)
		if (split && lossy[i])
			active[i] = 0;
	find_common_loss(d, active);
out:
	for (int i = 0; i < kept.n; i++) {
		free(kept.v[i].gmask);
		free(kept.v[i].smask);
	}
	free(kept.v);
	free(active);
	free(lossy);
	free(returned);
}

struct findings *diagnose(const struct results *r)
{
	struct diag d = {0};
	struct findings *out = calloc(1, sizeof(*out));

	if (out == NULL)
		return NULL;
	if (r == NULL || r->nflows <= 0 || r->flows == NULL)
		return out;
	d.r = r;
	d.out = out;
	d.nflows = r->nflows;
	d.nhops = r->hops ? r->nhops : 0;
	d.end = calloc((size_t)r->nflows, sizeof(*d.end));
	d.eligible = calloc((size_t)r->nflows, 1);
	if (d.end == NULL || d.eligible == NULL)
		goto fail;
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];
		int e;

		if (f->dest_ttl > 0)
			e = f->dest_ttl - r->config.first_ttl;
		else if (r->dest_ttl > 0)
			e = r->dest_ttl - r->config.first_ttl;
		else
			e = f->path_len;
		if (e > f->path_len)
			e = f->path_len;
		if (e < 0 || !flow_has_hop(f, 0))
			e = 0;
		d.end[i] = e;
		d.eligible[i] = f->received + f->lost >= MIN_SAMPLES;
	}
	find_loss(&d);
	find_rate_limited(&d);
	find_responder_changes(&d);
	find_discovery_per_packet(&d);
	find_segment_conflicts(&d);
	if (d.oom)
		goto fail;
	if (out->count > 1)
		qsort(out->items, (size_t)out->count, sizeof(*out->items), finding_cmp);
	free(d.end);
	free(d.eligible);
	return out;
fail:
	free(d.end);
	free(d.eligible);
	findings_free(out);
	return NULL;
}

void findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->count; i++) {
		free(f->items[i].flows);
		free(f->items[i].source_ports);
		free(f->items[i].unplaced_ports);
	}
	free(f->items);
	free(f);
}
