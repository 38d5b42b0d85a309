/*
 * The target that never answers (a step of the diagnosis, diagnose.c):
 * no flow has met the target, every flow's probes sent with the largest
 * TTL (the lane's "reach" probes, lane.h) went unanswered, and routers
 * answer up to some hop.  mtr shows this as rows of "???" after the last
 * router; it is the commonest "the service is down, or is it the network?"
 * question, and the loss analyses (diag_loss.c) never see it: with no hop
 * count for the target there are no end-to-end figures to compare.
 *
 * Total silence is not an ICMP rate limit (a limited target answers its
 * first few probes), so what remains is the target itself (down, or a
 * filter dropping the probes; many hosts send no port unreachable for UDP),
 * the links after the last router that answers, or the way back for every
 * flow.  The finding names them all, the last router that answers, and
 * every flow (all of them fail).
 */
#include "config.h"

#include <stdlib.h>

#include "engine/diagnose_int.h"

/* Did a router say the target is unreachable, or did any flow meet it? */
static bool target_ever_heard(const struct diag *d)
{
	const struct results *r = d->r;

	if (r->dest_ttl > 0)
		return true;
	for (int k = 0; k < d->nhops; k++)
		for (int j = 0; j < r->hops[k].nbranches; j++)
			if (r->hops[k].branches[j].is_unreachable ||
			    r->hops[k].branches[j].is_destination)
				return true;
	for (int i = 0; i < d->nflows; i++)
		if (r->flows[i].dest_ttl > 0 || r->flows[i].reach_received > 0)
			return true;
	return false;
}

/*
 * Unanswered probes, pooled over the flows, before silence is said: with
 * 20 of 20 lost, a target that answered even a fifth of its probes would
 * have shown itself (0.8^20 ~ 1%), and 20 is what the lane may spend at
 * once on a UDP target (its port unreachables may be rate limited).
 */
#define SILENT_MIN_PROBES 20

/*
 * The flows that lost reach probes, in mask, and their pooled tally;
 * false when fewer than COMMON_MIN_FLOWS did or SILENT_MIN_PROBES were lost.
 */
static bool silent_flows(const struct diag *d, unsigned char *mask, struct tally *t)
{
	int n = 0;

	*t = (struct tally){0, 0};
	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		mask[i] = f->reach_lost > 0;
		n += mask[i];
		t->lost += f->reach_lost;
	}
	return n >= COMMON_MIN_FLOWS && t->lost >= SILENT_MIN_PROBES;
}

/* The hop index of the farthest router that answered any of the flows in mask; -1: none. */
static int last_answering_hop(const struct diag *d, const unsigned char *mask)
{
	int last = -1;

	for (int i = 0; i < d->nflows; i++) {
		const struct flow_result *f = &d->r->flows[i];

		if (!mask[i])
			continue;
		for (int k = f->path_len - 1; k > last; k--)
			if (addr_is_set(&f->path[k])) {
				last = k;
				break;
			}
	}
	return last;
}

/*
 * Was the hop after k asked and silent for the flows in mask?  Until then
 * discovery may simply not have gone that far, and "after hop k" would be
 * a guess.
 */
static bool silent_after(const struct diag *d, const unsigned char *mask, int k)
{
	struct tally t = pool_hop(d, mask, k + 1);

	return t.lost > 0 && t.recv == 0;
}

static void say_silent(const struct diag *d, struct finding *f, int nflows)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	say(f, "no flow reaches the destination %s: all %d flows lose 100%% of %llu probes "
	    "while hop %d (%s) answers; the target (down, or a filter dropping the probes",
	    addr_format(&f->addr, a, sizeof(a)), nflows, (unsigned long long)f->lost,
	    f->range_from_ttl, addr_format(&f->range_from, b, sizeof(b)));
	if (d->r->config.proto == PROBE_UDP)
		say(f, "; many hosts send no port unreachable at all");
	say(f, "), the links after hop %d, or the way back for every flow", f->range_from_ttl);
}

void find_silent_target(struct diag *d)
{
	unsigned char *mask;
	struct finding *f;
	struct tally t;
	int last;

	if (d->nflows <= 0 || target_ever_heard(d))
		return;
	mask = malloc((size_t)d->nflows + 1);
	if (mask == NULL) {
		d->oom = true;
		return;
	}
	if (!silent_flows(d, mask, &t) || (last = last_answering_hop(d, mask)) < 0 ||
	    !silent_after(d, mask, last))
		goto out;
	f = finding_new(d, FINDING_DESTINATION_LOSS);
	if (f == NULL)
		goto out;
	finding_loss(f, t, 0.0);
	finding_flows(d, f, mask);
	f->ttl = 0;			/* the target's hop is not known */
	f->addr = d->r->config.dst;
	f->prev_addr = majority_addr(d, mask, last);
	add_cause(f, CAUSE_DESTINATION);
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	f->range_from_ttl = ttl_of(d, last);
	f->range_from = f->prev_addr;
	f->range_to_ttl = RANGE_TO_TARGET;
	f->range_to = f->addr;
	say_silent(d, f, mask_count(d, mask));
out:
	free(mask);
}
