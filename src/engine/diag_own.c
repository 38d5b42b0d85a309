/*
 * Loss on a path of its own (diagnose.c, after lossy branches and return
 * paths): flows that lose end to end and share their whole forward path,
 * when no branch explains them and no flow that gets through takes that
 * path whole (no path-mates).  Several ECMP stages in a row make such
 * paths common: two flows of nineteen alone crossed one bad link (seed
 * 81) and nothing was said.  A link of their path that a clean flow also
 * crosses cannot be dropping their probes; forward loss lies on the links
 * no clean flow crosses, or the replies are lost on the way back.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "engine/diagnose_int.h"
#include "engine/statistics.h"

/* The responder of flow i at hop index k; unset when unknown (or k < 0: none). */
static struct ip_addr at_hop(const struct diag *d, int i, int k)
{
	const struct flow_result *f = &d->r->flows[i];

	if (k < 0 || !flow_has_hop(f, k))
		return (struct ip_addr){0};
	return f->path[k];
}

/*
 * Does clean flow c cross the link into hop index k of flow i's path
 * (k == end: the last link, into the target)?  Only a flow surely much
 * cleaner than the group counts: one that lost nothing in a few probes
 * may cross a bad link by luck.
 */
static bool crosses_cleanly(const struct diag *d, int c, int i, int k, int end, struct tally tg)
{
	const struct flow_result *fc = &d->r->flows[c];
	struct ip_addr a = at_hop(d, i, k - 1), b = at_hop(d, i, k);
	struct ip_addr ca = at_hop(d, c, k - 1), cb = at_hop(d, c, k);

	if (!much_cleaner(tg, (struct tally){.recv = fc->received, .lost = fc->lost}))
		return false;
	if (k > 0 && (!addr_is_set(&a) || !addr_equal(&ca, &a)))
		return false;
	if (k == end)
		return fc->dest_ttl > 0 && d->end[c] == end;
	return addr_is_set(&b) && addr_equal(&cb, &b);
}

/* The first and last link indexes (0 .. end) of flow i's path no clean flow crosses; false: none. */
static bool uncovered_links(const struct diag *d, int i, const unsigned char *clean, int end,
			    struct tally tg, int *first, int *last)
{
	*first = *last = -1;
	for (int k = 0; k <= end; k++) {
		bool covered = false;

		for (int c = 0; c < d->nflows && !covered; c++)
			covered = clean[c] && crosses_cleanly(d, c, i, k, end, tg);
		if (covered)
			continue;
		if (*first < 0)
			*first = k;
		*last = k;
	}
	return *first >= 0;
}

static void say_own_path(struct diag *d, const unsigned char *g, int i, int first, int last,
			 int end, struct tally tg, struct tally tc)
{
	struct finding *f = finding_new(d, FINDING_LOSSY_BRANCH);
	struct ip_addr to;

	if (f == NULL)
		return;
	f->ttl = ttl_of(d, first < end ? first : end);
	f->addr = first < end ? at_hop(d, i, first) : d->r->config.dst;
	f->prev_addr = first > 0 ? at_hop(d, i, first - 1) : d->r->config.src;
	add_cause(f, CAUSE_FORWARD_LOSS);
	add_cause(f, CAUSE_RETURN_PATH);
	to = last < end ? at_hop(d, i, last) : d->r->config.dst;
	set_range(d, f, g, first - 1, last, to);
	finding_loss(f, tg, tally_rate(tc));
	finding_failing_flows(d, f, g);
	say(f, "%d flow%s (source ports ", f->nflows, f->nflows == 1 ? "" : "s");
	say_ports(f);
	say(f, ") on a forward path no other flow takes whole ");
	say_loss(f, "end to end");
	say(f, "; flows that get through cross its other links: forward loss lies on the rest (");
	say_range(f);
	say(f, "), or their replies are lost on the way back");
}

/* The lossy flows sharing flow i's forward path (into g); their figures. */
static struct tally group_of(const struct diag *d, int i, const unsigned char *lossy,
			     const unsigned char *done, const unsigned char *named, unsigned char *g)
{
	for (int j = 0; j < d->nflows; j++)
		g[j] = j == i || (lossy[j] && !done[j] && !named[j] && same_forward_path(d, i, j));
	return pool_e2e(d, g);
}

void find_own_path(struct diag *d, unsigned char *active, const unsigned char *lossy,
		   const unsigned char *named)
{
	unsigned char *clean = calloc((size_t)d->nflows + 1, 3);
	unsigned char *done = clean + d->nflows, *g = done + d->nflows;
	int nactive = mask_count(d, active);
	struct tally tc;

	if (clean == NULL) {
		d->oom = true;
		return;
	}
	for (int i = 0; i < d->nflows; i++)
		clean[i] = active[i] && !lossy[i];
	tc = pool_e2e(d, clean);
	for (int i = 0; i < d->nflows && mask_count(d, clean) >= 2; i++) {
		struct tally tg;
		int end, first, last;

		if (!active[i] || !lossy[i] || done[i] || named[i])
			continue;
		tg = group_of(d, i, lossy, done, named, g);
		for (int j = 0; j < d->nflows; j++)
			done[j] |= g[j];
		end = mask_end(d, g);
		/* Past per-packet balancing a flow's probes take several paths: no path of its own. */
		if (tally_n(tg) < MIN_COMMON_FLOW || mixed_from(d, g) < end ||
		    test_lossier(tg, tc) >= ALPHA / nactive || !much_cleaner(tg, tc) ||
		    !uncovered_links(d, i, clean, end, tg, &first, &last))
			continue;
		say_own_path(d, g, i, first, last, end, tg, tc);
		for (int j = 0; j < d->nflows; j++)
			if (g[j])
				active[j] = 0;
	}
	free(clean);
}
