/*
 * Loss every flow shares (a step of the diagnosis, after the lossy
 * branches and return paths of diag_loss.c have taken the flows they
 * explain): told from some flows' own loss by the flows losing alike,
 * then placed after the last clean hop (at the hop where it shows, or
 * somewhere up to the target when the routers there may be limiting their
 * answers), or at the destination.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/diagnose_int.h"
#include "engine/statistics.h"

/* "all 16 flows " or, when other findings took some, "the other 8 flows ". */
static void say_flock(const struct diag *d, struct finding *f, const unsigned char *u)
{
	int n = mask_count(d, u);

	if (n == mask_count(d, d->eligible))
		say(f, "all %d flows ", n);
	else
		say(f, "%d flows ", n);
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

/*
 * The flows of in with probes enough to be judged alike (MIN_COMMON_FLOW):
 * the lane gives its first flows more, so a run with many flows still has
 * a set it can speak of.  False when fewer than COMMON_MIN_FLOWS have.
 */
static bool judged_flows(const struct diag *d, const unsigned char *in, unsigned char *out)
{
	int n = 0;

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		out[i] = in[i] && f->received + f->lost >= MIN_COMMON_FLOW;
		n += out[i];
	}
	return n >= COMMON_MIN_FLOWS;
}

/* Where loss every flow of u shares lies, as far as the hops show it. */
struct common_place {
	struct tally e2e, base;		/* end to end; the clean hop's figure */
	int end, clean, at;		/* hop indexes; -1: none */
	bool unplaced;			/* a hop shows it, but its routers may be limiting */
};

/* The first hop index from `from` (before end) whose figure for the flows of u shows loss; -1: none. */
static int first_showing(const struct diag *d, const unsigned char *u, int from, int end)
{
	for (int k = from; k < end; k++) {
		struct tally t = pool_hop(d, u, k);

		if (informative(t) && !clean_figure(t))
			return k;
	}
	return -1;
}

/* The last clean hop, and the first hop after it that shows the loss (see above). */
static void common_placement(const struct diag *d, const unsigned char *u, struct common_place *c)
{
	int m = 0, first = -1, mixed = mixed_from(d, u);
	bool udp = udp_target_limited(d->r), uniform = true;

	c->end = mask_end(d, u);
	c->clean = c->at = -1;
	c->unplaced = false;
	for (int k = 0; k < c->end; k++)
		if (informative(pool_hop(d, u, k))) {
			m++;
			if (first < 0)
				first = k;
		}
	for (int k = 0; k < c->end; k++) {
		struct tally t = pool_hop(d, u, k);

		if (!informative(t))
			continue;
		if (test_lossier(c->e2e, t) < ALPHA / m) {
			struct tally settled = pool_hop_settled(d, u, k);

			uniform = false;
			/* Past per-packet balancing a clean-looking hop proves nothing (mixed_from). */
			if (clean_figure(settled) && test_lossier(c->e2e, settled) < ALPHA / m &&
			    k < mixed) {
				c->clean = k;
				c->base = settled;
			}
		}
		/* "Every hop alike" needs every hop to show the loss, not only to fail to disprove it. */
		if (test_lossier(t, c->e2e) < ALPHA / m || clean_figure(t))
			uniform = false;
	}
	if (c->clean >= 0) {
		c->at = first_showing(d, u, c->clean + 1, c->end);
	} else if (!(udp && c->end > 0) && first >= 0 && uniform) {
		c->at = first;
	}
	/*
	 * A hop where some router passes the flows cleanly does not place it
	 * (loss every flow shares cannot start before it): a later hop may.
	 * A hop's loss may be its routers' ICMP limits: only routers shown not
	 * to limit place it; after a clean hop the loss is then somewhere
	 * between it and the target.
	 */
	while (c->at >= 0 && !every_router_loses(d, u, c->at))
		c->at = first_showing(d, u, c->at + 1, c->end);
	if (c->at >= 0 && !hop_unlimited(d, u, c->at)) {
		c->unplaced = c->clean >= 0;
		c->at = -1;
	}
}

/* The loss shows from hop c->at on. */
static void emit_common_at(struct diag *d, const unsigned char *u, const struct common_place *c)
{
	struct finding *f = finding_new(d, FINDING_LOSSY_BRANCH);
	char x[16];
	int to;

	if (f == NULL)
		return;
	finding_loss(f, c->e2e, tally_rate(c->base));
	finding_failing_flows(d, f, u);
	f->ttl = ttl_of(d, c->at);
	f->addr = majority_addr(d, u, c->at);
	f->prev_addr = prev_responder(d, u, c->at);
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	to = surely_by(d, u, c->at, c->e2e);
	set_range(d, f, u, c->clean, to, to == c->at ? f->addr : to >= c->end ? d->r->config.dst :
		  majority_addr(d, u, to));
	say_flock(d, f, u);
	say_loss(f, "end to end");
	say(f, " from hop %d on (", f->ttl);
	say_range(f);
	say(f, ")");
	if (c->clean >= 0)
		say(f, "; hop %d before it loses %s%%", ttl_of(d, c->clean),
		    pct(f->baseline_pct, x, sizeof(x)));
	else
		say(f, ", every hop alike");
}

/*
 * After a clean hop the loss shows at hops whose routers may be limiting
 * their answers: somewhere between the clean hop and the target, the
 * target included (a per-packet balancer spreads one bad link's loss
 * over every flow like this).  With no clean hop at all (every router
 * limits its answers, or per-packet balancing mixes every hop's figure
 * from the first on) it is anywhere between this host and the target:
 * calling that loss "at the destination" would name a place the
 * evidence does not.
 */
static void emit_common_range(struct diag *d, const unsigned char *u, const struct common_place *c)
{
	struct finding *f = finding_new(d, FINDING_LOSSY_BRANCH);
	int first = c->clean + 1;
	char x[16];

	if (f == NULL)
		return;
	finding_loss(f, c->e2e, tally_rate(c->base));
	finding_failing_flows(d, f, u);
	f->ttl = ttl_of(d, first);
	f->addr = majority_addr(d, u, first);
	if (c->clean >= 0)
		f->prev_addr = majority_addr(d, u, c->clean);
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	add_cause(f, CAUSE_DESTINATION);
	set_range(d, f, u, c->clean, c->end, d->r->config.dst);
	say_flock(d, f, u);
	say_loss(f, "end to end");
	say(f, " somewhere ");
	say_range(f);
	if (c->clean >= 0)
		say(f, "; hop %d loses %s%%, and the routers after it may be limiting their "
		       "answers, so the loss cannot be placed closer",
		    ttl_of(d, c->clean), pct(f->baseline_pct, x, sizeof(x)));
	else
		say(f, "; no hop is clean enough to place it closer (routers limiting their answers "
		       "look lossy, and past per-packet balancing a hop mixes branches)");
	say(f, "; the target may drop them too");
}

/* No hop shows the loss (or none is clean): the destination, its last link or the way back. */
static void emit_common_destination(struct diag *d, const unsigned char *u,
				    const struct common_place *c)
{
	struct finding *f = finding_new(d, FINDING_DESTINATION_LOSS);
	bool udp = udp_target_limited(d->r);
	char a[ADDR_STRLEN], x[16], where[32 + ADDR_STRLEN];

	if (f == NULL)
		return;
	finding_loss(f, c->e2e, tally_rate(c->base));
	finding_failing_flows(d, f, u);
	f->ttl = d->r->dest_ttl;
	f->addr = d->r->config.dst;
	f->prev_addr = prev_responder(d, u, c->end);
	add_cause(f, CAUSE_DESTINATION);
	if (udp)
		add_cause(f, CAUSE_RATE_LIMITING);
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	set_range(d, f, u, c->clean, c->end, f->addr);
	snprintf(where, sizeof(where), "at the destination %s", addr_format(&f->addr, a, sizeof(a)));
	say_flock(d, f, u);
	say_loss(f, where);
	if (c->clean >= 0)
		say(f, " while hop %d before it loses %s%%", ttl_of(d, c->clean),
		    pct(f->baseline_pct, x, sizeof(x)));
	if (udp)
		say(f, ": the service or its host (or its rate limit on port-unreachable errors)");
	else
		say(f, ": the service or its host drops them");
}

static void common_loss_of(struct diag *d, const unsigned char *u)
{
	struct common_place c = {.e2e = pool_e2e(d, u)};

	if (tally_n(c.e2e) < MIN_SAMPLES || clean_figure(c.e2e) || !alike(d, u, c.e2e))
		return;
	common_placement(d, u, &c);
	/* UDP without a clean hop: the target's limit proves no more than the routers'. */
	if (c.clean < 0 && c.at < 0 && udp_target_limited(d->r) && c.end > 0)
		return;
	if (c.at >= 0)
		emit_common_at(d, u, &c);
	else if (c.unplaced || (c.clean < 0 && c.end > 0))
		emit_common_range(d, u, &c);
	else
		emit_common_destination(d, u, &c);
}

/* Loss every flow of in shares, judged on those with probes enough (judged_flows). */
void find_common_loss(struct diag *d, const unsigned char *in)
{
	unsigned char *u = malloc((size_t)d->nflows + 1);

	if (u == NULL) {
		d->oom = true;
		return;
	}
	if (judged_flows(d, in, u))
		common_loss_of(d, u);
	free(u);
}
