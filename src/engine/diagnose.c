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
 *      them.  Its forward loss lies in a range of hops: after the last hop
 *      its flows get through cleanly, up to where the loss surely shows
 *      (not a router's own ICMP limit).  Seen only at the target over a
 *      last hop clean flows share, it is the return path.
 *   2. Return-path loss: lossy flows that share their whole forward path
 *      with flows that lose less; the replies must be hashed onto a bad
 *      branch on the way back.
 *   3. Loss common to all remaining flows, when they lose alike: placed
 *      after the last clean hop, at the hop that shows it for every
 *      router, somewhere up to the target when those routers may be
 *      limiting, at the destination when no later hop shows it.  A target
 *      that answers no flow at all while routers before it do is said too.
 *
 * Every loss finding says which causes remain (forward loss, the return
 * path, the destination, rate limiting); one alone only when the others
 * are ruled out.  Steps 1-2 live in diag_loss.c, step 3 in diag_common.c
 * and diag_silent.c, the figures, sentences, causes and ranges they share
 * in diag_evidence.c (diagnose_int.h).
 *   4. Rate-limited hop: a branch's hop loss that the same flows do not
 *      show further on.  Never reported as loss.
 *   4b. Slow branch: a branch whose flows' round trips end to end are
 *      longer than its siblings' flows' by a rank test, by 1 ms and 20% at
 *      least (diag_slow.c).
 *   4c. MTU branch: a branch whose flows' path MTU is smaller than its
 *      siblings' flows' (diag_mtu.c).
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

#include "engine/diagnose_int.h"

static const char *const kind_names[FINDING_KIND_COUNT] = {
	[FINDING_LOSSY_BRANCH] = "lossy-branch",
	[FINDING_RATE_LIMITED_HOP] = "rate-limited-hop",
	[FINDING_RETURN_PATH_LOSS] = "return-path-loss",
	[FINDING_DESTINATION_LOSS] = "destination-loss",
	[FINDING_PER_PACKET_BALANCING] = "per-packet-balancing",
	[FINDING_PATH_CHANGE] = "path-change",
	[FINDING_LINK_ADDRESS_CONFLICT] = "link-address-conflict",
	[FINDING_LINK_ADDRESS_SHARED] = "link-address-shared",
	[FINDING_SLOW_BRANCH] = "slow-branch",
	[FINDING_MTU_BRANCH] = "mtu-branch",
};

/* Most severe first: loss the user suffers, then what limits the analysis. */
static const int kind_rank[FINDING_KIND_COUNT] = {
	[FINDING_LOSSY_BRANCH] = 0,
	[FINDING_RETURN_PATH_LOSS] = 1,
	[FINDING_DESTINATION_LOSS] = 2,
	[FINDING_SLOW_BRANCH] = 2,
	[FINDING_MTU_BRANCH] = 1,
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

/* ---- Rate-limited hops ---- */

struct limited {
	int k, b;
	struct tally later;		/* the cleanest later figure of the same flows */
	double p;
};

/*
 * The cleanest figure the flows of fm show after hop index k, at a later
 * hop or end to end (enough samples only); false when there is none.
 */
static bool cleanest_later(const struct diag *d, const unsigned char *fm, int k, struct tally *later)
{
	int end = mask_end(d, fm);
	bool have = false;
	struct tally e2e;

	for (int k2 = k + 1; k2 < end; k2++) {
		struct tally t = pool_hop(d, fm, k2);

		if (tally_n(t) >= MIN_SAMPLES && (!have || tally_rate(t) < tally_rate(*later))) {
			*later = t;
			have = true;
		}
	}
	e2e = pool_e2e(d, fm);
	if (tally_n(e2e) >= MIN_SAMPLES && (!have || tally_rate(e2e) < tally_rate(*later))) {
		*later = e2e;
		have = true;
	}
	return have;
}

/* Every branch whose own loss can be set against its flows' later figures; n of them, -1 if out of memory. */
static int rate_limit_tests(struct diag *d, unsigned char *fm, struct limited **out)
{
	struct limited *v = NULL;
	int n = 0, cap = 0;

	for (int k = 0; k < d->nhops; k++) {
		const struct hop_result *h = &d->r->hops[k];

		for (int bi = 0; h->branches && bi < h->nbranches; bi++) {
			const struct branch_result *b = &h->branches[bi];
			struct tally own = {b->received, b->lost}, later = {0, 0};

			if (!branch_comparable(b) || b->is_unreachable || tally_n(own) < MIN_SAMPLES)
				continue;
			branch_mask(d, b, fm);
			/*
			 * Past per-packet balancing a flow's probes to one TTL
			 * meet several routers, and its unanswered ones count
			 * against the branch it is filed under: the silence may
			 * be another router's limit, so no address is named.
			 */
			if (mixed_from(d, fm) <= k || !cleanest_later(d, fm, k, &later))
				continue;
			if (n == cap) {
				int ncap = cap ? 2 * cap : 16;
				struct limited *grown = realloc(v, (size_t)ncap * sizeof(*grown));

				if (grown == NULL) {
					free(v);
					return -1;
				}
				v = grown;
				cap = ncap;
			}
			v[n++] = (struct limited){k, bi, later, test_lossier(own, later)};
		}
	}
	*out = v;
	return n;
}

/* The finding for a branch that leaves more unanswered than its flows lose further on. */
static void say_rate_limited(struct diag *d, const struct limited *l, unsigned char *fm)
{
	const struct branch_result *b = &d->r->hops[l->k].branches[l->b];
	struct tally own = {b->received, b->lost};
	struct finding *f = finding_new(d, FINDING_RATE_LIMITED_HOP);
	char a[ADDR_STRLEN], x[16];

	if (f == NULL)
		return;
	add_cause(f, CAUSE_RATE_LIMITING);
	branch_mask(d, b, fm);
	f->ttl = ttl_of(d, l->k);
	f->addr = b->addr;
	f->prev_addr = prev_responder(d, fm, l->k);
	finding_loss(f, own, tally_rate(l->later));
	finding_flows(d, f, fm);
	say(f, "hop %d %s leaves %s%% of probes unanswered (95%% CI ", f->ttl,
	    addr_format(&f->addr, a, sizeof(a)), pct(f->loss_pct, x, sizeof(x)));
	say(f, "%s-", pct(f->ci_lo_pct, x, sizeof(x)));
	say(f, "%s%%, %llu probes) but the same %d flows lose ", pct(f->ci_hi_pct, x, sizeof(x)),
	    (unsigned long long)tally_n(own), f->nflows);
	say(f, "%s%% further on: ICMP rate limiting, not forwarding loss",
	    pct(f->baseline_pct, x, sizeof(x)));
}

/*
 * Per branch: hop loss well above what the same flows show at any later
 * hop or end to end is the router limiting its ICMP, not forwarding loss.
 */
static void find_rate_limited(struct diag *d)
{
	struct limited *v = NULL;
	unsigned char *fm = malloc((size_t)d->nflows + 1);
	int n = fm != NULL ? rate_limit_tests(d, fm, &v) : -1;

	if (n < 0)
		d->oom = true;
	for (int i = 0; i < n && !d->oom; i++)
		if (v[i].p < ALPHA / n)
			say_rate_limited(d, &v[i], fm);
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


/*
 * Did a router answer flow f at hop index k or beyond?  Then its path is
 * longer than the nearest flow's to the target, and its hops go on past
 * where that one met it (the target is not at that TTL for f).
 */
static bool answered_from(const struct flow_result *f, int k)
{
	for (int j = k > 0 ? k : 0; j < f->path_len; j++)
		if (addr_is_set(&f->path[j]))
			return true;
	return false;
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
		else if (r->dest_ttl > 0 && !answered_from(f, r->dest_ttl - r->config.first_ttl))
			e = r->dest_ttl - r->config.first_ttl;
		else
			e = f->path_len;	/* a longer path: a router answers it there */
		if (e > f->path_len)
			e = f->path_len;
		if (e < 0 || !flow_has_hop(f, 0))
			e = 0;
		d.end[i] = e;
		d.eligible[i] = f->received + f->lost >= MIN_SAMPLES;
	}
	find_loss(&d);
	find_silent_target(&d);
	find_rate_limited(&d);
	find_slow(&d);
	find_mtu(&d);
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

void finding_release(struct finding *f)
{
	free(f->flows);
	free(f->source_ports);
	free(f->unplaced_ports);
	f->flows = NULL;
	f->source_ports = NULL;
	f->unplaced_ports = NULL;
}

void findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->count; i++)
		finding_release(&f->items[i]);
	free(f->items);
	free(f);
}
