/*
 * Standing findings (src/engine/standing.c): a finding stands after two
 * diagnoses spanning STANDING_RAISE_US, a one-snapshot blip never does, a
 * standing one survives one missing snapshot and goes after two spanning
 * STANDING_CLEAR_US, the view shows the widest range of its last
 * diagnoses (the latest of equals), two findings with the same key in one
 * diagnosis are two, and copies are deep.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/standing.h"
#include "tests/tap.h"

#define MS 1000ull

static struct finding make(enum finding_kind kind, int ttl, int last_octet, int nflows)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.ttl = ttl;
	f.addr.family = AF_INET;
	f.addr.b[0] = 10;
	f.addr.b[3] = (uint8_t)last_octet;
	f.nflows = nflows;
	f.flows = calloc((size_t)nflows, sizeof(*f.flows));
	f.source_ports = calloc((size_t)nflows, sizeof(*f.source_ports));
	for (int i = 0; i < nflows; i++) {
		f.flows[i] = i;
		f.source_ports[i] = (uint16_t)(33434 + i);
	}
	return f;
}

/* One diagnosis of n findings (the caller's array, freed after the update, as diagnose's are). */
static bool feed(struct standing *s, struct finding *v, int n, uint64_t at)
{
	struct findings fs = {v, n};
	bool ok_ = standing_update(s, &fs, at);

	for (int i = 0; i < n; i++) {
		free(v[i].flows);
		free(v[i].source_ports);
		free(v[i].unplaced_ports);
	}
	return ok_;
}

static int shown(const struct standing *s)
{
	return standing_view(s)->count;
}

static void raise_and_blip(void)
{
	struct standing s;
	struct finding f[2];

	standing_init(&s);
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 3);
	ok(feed(&s, f, 1, 1000 * MS) && shown(&s) == 0, "a finding seen once does not stand yet");
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 3);
	ok(feed(&s, f, 1, 1100 * MS) && shown(&s) == 0,
	   "seen twice within less than STANDING_RAISE_US: not yet");
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 4);
	ok(feed(&s, f, 1, 1200 * MS) && shown(&s) == 1, "held for STANDING_RAISE_US over 3 diagnoses: it stands");
	ok(standing_view(&s)->items[0].nflows == 4 && standing_view(&s)->items[0].source_ports[3] == 33437,
	   "the view shows the latest details, copied deep (the diagnosis' arrays are freed)");

	/* A blip: one snapshot, then gone, then back: its clock starts again. */
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 4);
	f[1] = make(FINDING_RETURN_PATH_LOSS, 6, 9, 2);
	ok(feed(&s, f, 2, 1300 * MS) && shown(&s) == 1, "a new finding beside a standing one waits");
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 4);
	ok(feed(&s, f, 1, 1400 * MS) && shown(&s) == 1, "the blip is gone, the standing one stays");
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 4);
	f[1] = make(FINDING_RETURN_PATH_LOSS, 6, 9, 2);
	ok(feed(&s, f, 2, 1500 * MS) && shown(&s) == 1, "back after a gap: it starts again");
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 4);
	f[1] = make(FINDING_RETURN_PATH_LOSS, 6, 9, 2);
	ok(feed(&s, f, 2, 1600 * MS) && shown(&s) == 1, "two diagnoses 100 ms apart are not enough");
	f[0] = make(FINDING_LOSSY_BRANCH, 2, 5, 4);
	f[1] = make(FINDING_RETURN_PATH_LOSS, 6, 9, 2);
	ok(feed(&s, f, 2, 1700 * MS) && shown(&s) == 2 &&
	   standing_view(&s)->items[1].kind == FINDING_RETURN_PATH_LOSS,
	   "held again for STANDING_RAISE_US: both stand, oldest first");
	standing_free(&s);
}

static void clear_after_gap(void)
{
	struct standing s;
	struct finding f[1];

	standing_init(&s);
	for (int i = 0; i < 3; i++) {
		f[0] = make(FINDING_DESTINATION_LOSS, 7, 2, 5);
		feed(&s, f, 1, (uint64_t)(i * 100) * MS);
	}
	ok(shown(&s) == 1, "a destination finding stands");
	ok(feed(&s, NULL, 0, 300 * MS) && shown(&s) == 1, "missing once: it stays");
	ok(feed(&s, NULL, 0, 400 * MS) && shown(&s) == 1, "missing twice within STANDING_CLEAR_US: stays");
	f[0] = make(FINDING_DESTINATION_LOSS, 7, 2, 6);
	ok(feed(&s, f, 1, 500 * MS) && shown(&s) == 1 && standing_view(&s)->items[0].nflows == 6,
	   "back before it went: it stood all along, with the new details");
	ok(feed(&s, NULL, 0, 600 * MS) && feed(&s, NULL, 0, 700 * MS) && shown(&s) == 1,
	   "missing again for 100 ms: stays");
	ok(feed(&s, NULL, 0, 900 * MS) && shown(&s) == 0,
	   "missing from diagnoses spanning STANDING_CLEAR_US: it goes");
	ok(feed(&s, NULL, 0, 3000 * MS) && shown(&s) == 0 && s.n == 0, "and nothing is left behind");
	standing_free(&s);
}

static void same_key_twice(void)
{
	struct standing s;
	struct finding f[2];

	standing_init(&s);
	for (int i = 0; i < 3; i++) {
		f[0] = make(FINDING_LOSSY_BRANCH, 3, 7, 2);
		f[1] = make(FINDING_LOSSY_BRANCH, 3, 7, 5);
		feed(&s, f, 2, (uint64_t)(i * 150) * MS);
	}
	ok(shown(&s) == 2 && standing_view(&s)->items[0].nflows == 2 &&
	   standing_view(&s)->items[1].nflows == 5,
	   "two findings with one kind, hop and address in each diagnosis are two, in order");
	f[0] = make(FINDING_LOSSY_BRANCH, 3, 7, 2);
	feed(&s, f, 1, 500 * MS);
	ok(shown(&s) == 2, "one of them missing once: both still shown");
	standing_free(&s);
	ok(s.n == 0 && s.items == NULL && standing_view(&s)->count == 0, "freed empty");
}

/* A finding with its range (from_ttl, to_ttl). */
static struct finding ranged(int from, int to)
{
	struct finding f = make(FINDING_LOSSY_BRANCH, 3, 7, 2);

	f.range_from_ttl = from;
	f.range_to_ttl = to;
	f.causes[0] = CAUSE_FORWARD_LOSS;
	f.ncauses = 1;
	return f;
}

static int from_shown(const struct standing *s)
{
	return standing_view(s)->items[0].range_from_ttl;
}

static void widest_range(void)
{
	struct standing s;
	struct finding f[1];

	standing_init(&s);
	for (int i = 0; i < 3; i++) {
		f[0] = ranged(i % 2 ? 1 : 2, 3);
		feed(&s, f, 1, (uint64_t)(i * 100) * MS);
	}
	ok(shown(&s) == 1 && from_shown(&s) == 1,
	   "ranges 2-3, 1-3, 2-3: it stands with the widest, 1-3");
	f[0] = ranged(3, 3);
	feed(&s, f, 1, 300 * MS);
	ok(from_shown(&s) == 1, "one diagnosis narrowing it past the others does not show");
	for (int i = 0; i < 3; i++) {
		f[0] = ranged(3, 3);
		feed(&s, f, 1, (uint64_t)(400 + i * 100) * MS);
	}
	ok(from_shown(&s) == 3, "every recent diagnosis says 3-3: shown");
	f[0] = ranged(0, 0);
	feed(&s, f, 1, 700 * MS);
	ok(standing_view(&s)->items[0].range_to_ttl == 0,
	   "one that cannot place it at all is the widest of all");
	f[0] = ranged(2, RANGE_TO_TARGET);
	f[0].causes[1] = CAUSE_RETURN_PATH;
	f[0].ncauses = 2;
	feed(&s, f, 1, 800 * MS);
	ok(standing_view(&s)->items[0].range_to_ttl == 0, "still in the window: still shown");
	for (int i = 0; i < 2; i++) {
		f[0] = ranged(1, 3);
		feed(&s, f, 1, (uint64_t)(900 + i * 100) * MS);
	}
	ok(standing_view(&s)->items[0].range_to_ttl == RANGE_TO_TARGET &&
	   standing_view(&s)->items[0].ncauses == 2,
	   "up to the target is wider than any hop range; shown as that diagnosis wrote it");
	standing_free(&s);
}

int main(void)
{
	raise_and_blip();
	clear_after_gap();
	same_key_twice();
	widest_range();
	return tap_done();
}
