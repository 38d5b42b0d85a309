/*
 * Standing findings (see standing.h): which findings of repeated
 * diagnoses have held long enough to be shown, and which have been gone
 * long enough to be taken back.  A finding is the same one from one
 * diagnosis to the next when it has the same kind, hop and address (its
 * flows and figures may change as probes come in).  Of its last
 * STANDING_WINDOW diagnoses the view shows the one with the widest range
 * (ties: the latest): a range that one snapshot's chance figures narrow
 * past the true link is covered by its neighbours' wider ones, and the
 * finding is still shown as one diagnosis wrote it, sentence and all.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/results.h"
#include "engine/standing.h"

/* Diagnoses of one finding the view chooses from. */
#define STANDING_WINDOW 3

struct standing_item {
	struct finding recent[STANDING_WINDOW];	/* its latest diagnoses (owned copies), a ring */
	int nrecent, head;			/* copies held; where the next one goes */
	struct finding shown;	/* the details the view shows (owned copy) */
	bool has_shown;		/* shown holds a copy */
	uint64_t since_us;	/* first diagnosis of its unbroken run */
	uint64_t gone_us;	/* first diagnosis it was missing from; 0 while present */
	int seen, missed;	/* diagnoses in a row it was in / missing from */
	bool raised, present;
};

void standing_init(struct standing *s)
{
	memset(s, 0, sizeof(*s));
}

static bool same_key(const struct finding *a, const struct finding *b)
{
	return a->kind == b->kind && a->ttl == b->ttl && addr_equal(&a->addr, &b->addr);
}

/* A copy of what src's array points to, or NULL (also for none). */
static void *dup_array(const void *src, size_t count, size_t size, bool *ok)
{
	void *p;

	if (src == NULL || count == 0)
		return NULL;
	p = malloc(count * size);
	if (p == NULL)
		*ok = false;
	else
		memcpy(p, src, count * size);
	return p;
}

/* dst becomes a deep copy of src; dst is left as it was when out of memory. */
static bool finding_copy(struct finding *dst, const struct finding *src)
{
	struct finding c = *src;
	bool ok = true;

	c.flows = dup_array(src->flows, (size_t)src->nflows, sizeof(*c.flows), &ok);
	c.source_ports = dup_array(src->source_ports, (size_t)src->nflows, sizeof(*c.source_ports), &ok);
	c.unplaced_ports = dup_array(src->unplaced_ports, (size_t)src->nunplaced,
				     sizeof(*c.unplaced_ports), &ok);
	if (!ok) {
		finding_release(&c);
		return false;
	}
	finding_release(dst);
	*dst = c;
	return true;
}

/* Room for one more item, and for a view of every item (so the view never allocates). */
static bool make_room(struct standing *s)
{
	int cap = s->cap ? 2 * s->cap : 8;
	struct standing_item *items;
	struct finding *view;

	if (s->n < s->cap)
		return true;
	items = realloc(s->items, (size_t)cap * sizeof(*items));
	if (items == NULL)
		return false;
	s->items = items;
	view = realloc(s->view.items, (size_t)cap * sizeof(*view));
	if (view == NULL)
		return false;
	s->view.items = view;
	s->cap = cap;
	return true;
}

/* The latest diagnosis of item it. */
static const struct finding *latest(const struct standing_item *it)
{
	return &it->recent[(it->head + STANDING_WINDOW - 1) % STANDING_WINDOW];
}

static void forget_recent(struct standing_item *it)
{
	for (int i = 0; i < STANDING_WINDOW; i++)
		finding_release(&it->recent[i]);
	it->nrecent = 0;
	it->head = 0;
}

/* Adds f as item it's latest diagnosis; false when out of memory. */
static bool push_recent(struct standing_item *it, const struct finding *f)
{
	if (!finding_copy(&it->recent[it->head], f))
		return false;
	it->head = (it->head + 1) % STANDING_WINDOW;
	if (it->nrecent < STANDING_WINDOW)
		it->nrecent++;
	return true;
}

/*
 * How much of the path a finding's range leaves open: "not placed" (no
 * range) most, then up to the target (its hop unknown), then by hops.
 */
static int range_span(const struct finding *f)
{
	if (f->range_to_ttl == 0)
		return 1 << 20;
	if (f->range_to_ttl == RANGE_TO_TARGET)
		return (1 << 16) - f->range_from_ttl;
	return f->range_to_ttl - f->range_from_ttl;
}

/* Of item it's recent diagnoses, the one with the widest range; the latest of equals. */
static const struct finding *widest(const struct standing_item *it)
{
	const struct finding *best = latest(it);

	for (int i = 1; i < it->nrecent; i++) {
		const struct finding *f =
			&it->recent[(it->head + STANDING_WINDOW - 1 - i) % STANDING_WINDOW];

		if (range_span(f) > range_span(best))
			best = f;
	}
	return best;
}

/* The item with f's key not seen yet in this diagnosis, or a new one; NULL when out of memory. */
static struct standing_item *item_for(struct standing *s, const struct finding *f, uint64_t now_us)
{
	struct standing_item *it;

	for (int i = 0; i < s->n; i++)
		if (!s->items[i].present && s->items[i].nrecent > 0 &&
		    same_key(latest(&s->items[i]), f))
			return &s->items[i];
	if (!make_room(s))
		return NULL;
	it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	it->since_us = now_us;
	return it;
}

/* Notes that f is in the diagnosis made at now_us. */
static bool note_present(struct standing *s, const struct finding *f, uint64_t now_us)
{
	struct standing_item *it = item_for(s, f, now_us);

	if (it == NULL)
		return false;
	if (it->missed > 0) {
		/* Back after a gap: its window starts again (and its clock, if it did not stand). */
		forget_recent(it);
		if (!it->raised) {
			it->since_us = now_us;
			it->seen = 0;
		}
	}
	it->missed = 0;
	it->gone_us = 0;
	it->seen++;
	it->present = true;
	return push_recent(it, f);
}

/* Is item it, missing from the diagnosis at now_us, to be dropped? */
static bool note_missing(struct standing_item *it, uint64_t now_us)
{
	if (!it->raised)
		return true;
	if (it->missed++ == 0)
		it->gone_us = now_us;
	return it->missed >= 2 && now_us - it->gone_us >= STANDING_CLEAR_US;
}

bool standing_update(struct standing *s, const struct findings *fresh, uint64_t now_us)
{
	bool ok = true;
	int kept = 0;

	for (int i = 0; i < s->n; i++)
		s->items[i].present = false;
	for (int i = 0; fresh != NULL && i < fresh->count; i++)
		ok &= note_present(s, &fresh->items[i], now_us);
	for (int i = 0; i < s->n; i++) {
		struct standing_item *it = &s->items[i];

		if (it->nrecent == 0 || (!it->present && note_missing(it, now_us))) {
			forget_recent(it);
			finding_release(&it->shown);
			continue;
		}
		if (!it->raised && it->seen >= 2 && now_us - it->since_us >= STANDING_RAISE_US)
			it->raised = true;
		/* While it is missing, the view keeps what it last showed. */
		if (it->raised && it->present) {
			if (finding_copy(&it->shown, widest(it))) {
				it->has_shown = true;
			} else {
				ok = false;
				it->raised = it->has_shown;	/* out of memory: keep what was shown */
			}
		}
		s->items[kept++] = *it;
	}
	s->n = kept;
	s->view.count = 0;
	for (int i = 0; i < s->n; i++)
		if (s->items[i].raised)
			s->view.items[s->view.count++] = s->items[i].shown;
	return ok;
}

const struct findings *standing_view(const struct standing *s)
{
	return &s->view;
}

struct findings *standing_copy(const struct standing *s)
{
	struct findings *out = calloc(1, sizeof(*out));

	if (out == NULL)
		return NULL;
	out->items = calloc((size_t)s->view.count + 1, sizeof(*out->items));
	if (out->items == NULL) {
		free(out);
		return NULL;
	}
	for (int i = 0; i < s->view.count; i++) {
		if (!finding_copy(&out->items[i], &s->view.items[i])) {
			findings_free(out);
			return NULL;
		}
		out->count++;
	}
	return out;
}

void standing_apply(struct standing *s, struct results *r, uint64_t now_us)
{
	standing_update(s, r->findings, now_us);
	findings_free(r->findings);
	r->findings = standing_copy(s);
}

void standing_free(struct standing *s)
{
	for (int i = 0; i < s->n; i++) {
		forget_recent(&s->items[i]);
		finding_release(&s->items[i].shown);
	}
	free(s->items);
	free(s->view.items);
	memset(s, 0, sizeof(*s));
}
