/*
 * Building a finding (diagnose.c): its flows and ports, its loss figures,
 * the causes that remain, and its sentence ("7 flows (source ports ...)
 * lose 100% end to end ... link A -> B").
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/diagnose_int.h"
#include "engine/statistics.h"

/* ---- Findings ---- */

struct finding *finding_new(struct diag *d, enum finding_kind kind)
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
void finding_flows(struct diag *d, struct finding *f, const unsigned char *mask)
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
void finding_failing_flows(struct diag *d, struct finding *f, const unsigned char *mask)
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

void finding_loss(struct finding *f, struct tally t, double baseline)
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


/* Appends to the summary; a sentence too long for it is cut, never overrun. */
void say(struct finding *f, const char *fmt, ...)
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
const char *pct(double v, char *buf, size_t len)
{
	if (v >= 10.0 || v == 0.0 || v >= 99.95)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

/* "lose 31% end to end (95% CI 24-39%, 62 probes)" */
void say_loss(struct finding *f, const char *where)
{
	char a[16], b[16], c[16];

	say(f, "lose %s%% %s (95%% CI %s-%s%%, %llu probes)", pct(f->loss_pct, a, sizeof(a)), where,
	    pct(f->ci_lo_pct, b, sizeof(b)), pct(f->ci_hi_pct, c, sizeof(c)),
	    (unsigned long long)(f->received + f->lost));
}

/* ", 30003, 30007" style list of the finding's source ports. */
void say_ports(struct finding *f)
{
	for (int i = 0; i < f->nflows; i++) {
		if (strnlen(f->summary, sizeof(f->summary)) + 48 > sizeof(f->summary)) {
			say(f, " and %d more", f->nflows - i);
			return;
		}
		say(f, "%s%u", i ? ", " : "", (unsigned)f->source_ports[i]);
	}
}

/* Takes out of the unplaced ports those the finding names among its own flows. */
void unplaced_drop_named(struct finding *f)
{
	int n = 0;

	for (int i = 0; i < f->nunplaced; i++) {
		bool named = false;

		for (int j = 0; j < f->nflows && !named; j++)
			named = f->source_ports[j] == f->unplaced_ports[i];
		if (!named)
			f->unplaced_ports[n++] = f->unplaced_ports[i];
	}
	f->nunplaced = n;
}

/*
 * "; 2 more flows lose as much, not yet set against clean flows on their
 * forward path (ports 30003, 30007)"
 */
void say_unplaced(struct finding *f)
{
	int n = f->nunplaced;

	if (n == 0)
		return;
	say(f, "; %d more flow%s lose%s as much, not yet set against clean flows on %s forward "
	       "path (port%s", n, n == 1 ? "" : "s", n == 1 ? "s" : "", n == 1 ? "its" : "their",
	    n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
		say(f, "%s %u", i ? "," : "", (unsigned)f->unplaced_ports[i]);
	say(f, ")");
}

/* Adds a cause after those already named (most likely first); a repeat is ignored. */
void add_cause(struct finding *f, enum finding_cause c)
{
	for (int i = 0; i < f->ncauses; i++)
		if (f->causes[i] == c)
			return;
	if (f->ncauses < CAUSE_COUNT)
		f->causes[f->ncauses++] = c;
}

/* "link A -> B" when the range is one link, else "between hop 2 (A) and hop 5 (B)". */
void say_range(struct finding *f)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	addr_format(&f->range_from, a, sizeof(a));
	addr_format(&f->range_to, b, sizeof(b));
	if (f->range_to_ttl == RANGE_TO_TARGET && f->range_from_ttl == 0)
		say(f, "between this host and the target %s", b);
	else if (f->range_to_ttl == RANGE_TO_TARGET)
		say(f, "between hop %d (%s) and the target %s, whose hop is not known yet",
		    f->range_from_ttl, a, b);
	else if (f->range_to_ttl == f->range_from_ttl + 1)
		say(f, "link %s -> %s", a, b);
	else if (f->range_from_ttl == 0)
		say(f, "between this host and hop %d (%s)", f->range_to_ttl, b);
	else
		say(f, "between hop %d (%s) and hop %d (%s)", f->range_from_ttl, a,
		    f->range_to_ttl, b);
}
