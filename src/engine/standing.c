/*
 * Standing findings (see standing.h): which findings of repeated
 * diagnoses have held long enough to be shown, and which have been gone
 * long enough to be taken back.  A finding is the same one from one
 * diagnosis to the next when it has the same kind, hop and address (its
 * flows and figures may change as probes come in).  Where it lays the
 * blame (its range and causes) is shown once two diagnoses in a row agree
 * on it: a range that is wrong for one snapshot is never shown.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/results.h"
#include "engine/standing.h"

struct standing_item {
	struct finding last;	/* its latest details (owned copy) */
	struct finding shown;	/* the details the view shows (owned copy) */
	uint64_t digest;	/* where and why of last: its range and causes */
	bool steady;		/* the last two diagnoses agreed on them */
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

/* FNV-1a over where a finding lays the blame and why: its range and its causes. */
static uint64_t blame_digest(const struct finding *f)
{
	uint64_t h = 14695981039346656037ull;
	int v[2 + CAUSE_COUNT];
	int n = 0;

	v[n++] = f->range_from_ttl;
	v[n++] = f->range_to_ttl;
	for (int i = 0; i < f->ncauses && i < CAUSE_COUNT; i++)
		v[n++] = 0x100 + (int)f->causes[i];
	for (int i = 0; i < n; i++)
		h = (h ^ (uint64_t)(unsigned)v[i]) * 1099511628211ull;
	return h;
}

static void finding_release(struct finding *f)
{
	free(f->flows);
	free(f->source_ports);
	free(f->unplaced_ports);
	f->flows = NULL;
	f->source_ports = NULL;
	f->unplaced_ports = NULL;
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

/* Notes that f is in the diagnosis made at now_us. */
static bool note_present(struct standing *s, const struct finding *f, uint64_t now_us)
{
	struct standing_item *it = NULL;

	for (int i = 0; i < s->n && it == NULL; i++)
		if (!s->items[i].present && same_key(&s->items[i].last, f))
			it = &s->items[i];
	if (it == NULL) {
		if (!make_room(s))
			return false;
		it = &s->items[s->n];
		memset(it, 0, sizeof(*it));
		if (!finding_copy(&it->last, f))
			return false;
		s->n++;
		it->since_us = now_us;
	} else if (!finding_copy(&it->last, f)) {
		return false;
	}
	it->steady = it->seen > 0 && it->missed == 0 && blame_digest(f) == it->digest;
	it->digest = blame_digest(f);
	if (it->missed > 0 && !it->raised) {
		/* Its run broke before it stood: it starts again. */
		it->since_us = now_us;
		it->seen = 0;
	}
	it->missed = 0;
	it->gone_us = 0;
	it->seen++;
	it->present = true;
	return true;
}

/* Is item it, missing from the diagnosis at now_us, to be dropped? */
static bool note_missing(struct standing_item *it, uint64_t now_us)
{
	it->steady = false;
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

		if (!it->present && note_missing(it, now_us)) {
			finding_release(&it->last);
			finding_release(&it->shown);
			continue;
		}
		/* Shown: the latest details once their blame holds; the ones before until then. */
		if (!it->raised && it->seen >= 2 && now_us - it->since_us >= STANDING_RAISE_US &&
		    it->steady) {
			it->raised = finding_copy(&it->shown, &it->last);
			ok &= it->raised;
		} else if (it->raised && it->present && it->steady) {
			ok &= finding_copy(&it->shown, &it->last);
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
		finding_release(&s->items[i].last);
		finding_release(&s->items[i].shown);
	}
	free(s->items);
	free(s->view.items);
	memset(s, 0, sizeof(*s));
}
