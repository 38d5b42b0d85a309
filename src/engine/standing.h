/*
 * Standing findings: what a live face (the stream, the live view, a
 * fleet's exporter) shows from diagnoses made again and again.  Each
 * diagnosis tests the figures anew, so a chance figure shows up for one
 * snapshot now and then, and a real finding near the edge of significance
 * blinks.  A finding stands once it has held over at least two diagnoses
 * spanning STANDING_RAISE_US, and goes once it has been missing from at
 * least two spanning STANDING_CLEAR_US (Prometheus's "for:" on alerts does
 * the same for the same reason).  Its range is the widest of its last few
 * diagnoses.  Pure: the caller gives the time.
 */
#ifndef ECMPTRACE_STANDING_H
#define ECMPTRACE_STANDING_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/diagnose.h"

#define STANDING_RAISE_US 200000u
#define STANDING_CLEAR_US 300000u

struct standing_item;

struct standing {
	struct standing_item *items;
	int n, cap;
	struct findings view;	/* the standing ones, latest details, oldest first */
};

/* An empty tracker. */
void standing_init(struct standing *s);
/*
 * Takes the findings of one diagnosis made at now_us (times never go
 * back).  False when out of memory; the view is then the one before.
 */
bool standing_update(struct standing *s, const struct findings *fresh, uint64_t now_us);
/* The findings that stand now; valid until the next update or standing_free. */
const struct findings *standing_view(const struct standing *s);
/*
 * A deep copy of the view, for a snapshot to own in place of its own
 * diagnosis (findings_free frees it); NULL when out of memory.
 */
struct findings *standing_copy(const struct standing *s);
/*
 * The face's step: takes the findings of snapshot r (diagnosed at now_us)
 * and puts the standing ones in their place.
 */
void standing_apply(struct standing *s, struct results *r, uint64_t now_us);
void standing_free(struct standing *s);

#endif
