/*
 * Unit tests of what a loss finding says about its causes and where
 * forward loss can lie (finding.causes, finding.range_*): one cause only
 * when the others are ruled out, a range that widens over hops that cannot
 * be judged, and loss seen only at the target over a last hop the clean
 * flows share read as the return path.  Hand-built snapshots (diag_scen.c).
 */
#include <stdarg.h>
#include <string.h>

#include "../tap.h"
#include "diag_scen.h"

static struct results *run(const struct scen *s)
{
	struct results *r = scen_run(s);

	ok(r->findings != NULL, "diagnose returns findings");
	return r;
}

/*
 * Diagnoses the scenario as a run secs seconds long: how many answers
 * Linux's default ICMP limit would have let a router send (it shows
 * whether a router limits) depends on it.
 */
static struct results *run_after(const struct scen *s, unsigned secs)
{
	struct results *r = build(s);

	r->elapsed_us = (uint64_t)secs * 1000000u;
	results_with_findings(r);
	ok(r->findings != NULL, "diagnose returns findings (a %u s run)", secs);
	return r;
}

/* The finding's causes are exactly the listed ones, in order. */
static bool causes_are(const struct finding *f, int n, ...)
{
	va_list ap;
	bool same = f != NULL && f->ncauses == n;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		enum finding_cause c = va_arg(ap, enum finding_cause);

		if (same && f->causes[i] != c)
			same = false;
	}
	va_end(ap);
	return same;
}

/* The forward range runs from hop `from` (address a; 0 = this host) to hop `to` (address b). */
static bool range_is(const struct finding *f, int from, const char *a, int to, const char *b)
{
	if (f == NULL || f->range_from_ttl != from || f->range_to_ttl != to)
		return false;
	return (a == NULL || addr_is(&f->range_from, a)) && addr_is(&f->range_to, b);
}

/* No flow has been probed hop by hop yet: only the paths discovery found are known. */
static void hops_unjudged(struct scen *s, int upto_ttl)
{
	for (int i = 0; i < s->nflows; i++)
		for (int k = 0; k < upto_ttl - FIRST; k++) {
			s->f[i].hr[k] = 0;
			s->f[i].hl[k] = 0;
		}
}

static void test_link_shown(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/* Branch A loses a third from hop 3 on; hop 2 (the branch) is clean. */
	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 3, A3, 10);
		reach(&s, i, 4, 10);
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->ttl == 3, "loss from hop 3 on: a lossy-branch at TTL 3");
	ok(range_is(f, 2, BR_A, 3, A3), "range: one link, " BR_A " -> " A3);
	ok(causes_are(f, 2, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH),
	   "forward loss first; the same links backwards stay possible (symmetric hashing)");
	ok(f && strstr(f->summary, "link " BR_A " -> " A3) && strstr(f->summary, "symmetric"),
	   "the summary names the link and the other cause: %s", f ? f->summary : "");
	results_free(r);
}

static void test_range_widens(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/*
	 * Hop 3 loses more than the flows do end to end (its ICMP is rate
	 * limited), hop 4 and the target lose a third: forward loss may start
	 * on either link, so the range covers both.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 3, A3, 17 + (uint64_t)(i % 3));
		hop(&s, i, 4, A4, 10);
		reach(&s, i, 5, 10);
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && (f->ttl == 3 || f->ttl == 4) && count_kind(r, FINDING_LOSSY_BRANCH) == 1,
	   "one lossy-branch, shown from hop 3 or 4");
	ok(range_is(f, 2, BR_A, 4, A4),
	   "the range reaches back over the rate-limited hop to the last clean one (" BR_A ")");
	ok(f && strstr(f->summary, "between hop 2 (" BR_A ") and hop 4 (" A4 ")"),
	   "the summary says the range: %s", f ? f->summary : "");
	results_free(r);

	/* No hop judged yet: the branch is lossy, the loss anywhere up to the target. */
	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++)
		reach(&s, i, 4, 12);
	hops_unjudged(&s, 4);
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "unjudged hops: a lossy-branch, not a return path");
	ok(range_is(f, 0, NULL, 4, DST), "range from this host to the target, not one link");
	ok(causes_are(f, 2, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH), "both causes remain");
	results_free(r);

	/*
	 * Every router limits its answers (none answered more than Linux's
	 * default limit allows over a 200 s run): hops 3 and 4 of branch A
	 * lose what the flows lose end to end by their limits alone, and the
	 * real loss may lie on the last link.  The range must reach the target.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 3, A3, 10);
		hop(&s, i, 4, A4, 10);
		reach(&s, i, 5, 10);
	}
	r = run_after(&s, 200);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->range_to_ttl == 5 && addr_is(&f->range_to, DST),
	   "routers within their limits: the range reaches the target, not hop 3 or 4 (to %d)",
	   f ? f->range_to_ttl : -1);
	results_free(r);
}

/* R1, then branch A (flows 0-7) or B, then one merge router R3, the target at TTL 4. */
static void merged(struct scen *s)
{
	for (int i = 0; i < s->nflows; i++) {
		hop(s, i, 1, R1, 0);
		hop(s, i, 2, i < 8 ? BR_A : BR_B, 0);
		hop(s, i, 3, R3, 0);
		reach(s, i, 4, 0);
	}
}

static void test_target_only(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/*
	 * Symmetric hashing: branch A's flows get no answer from the target
	 * though every hop answers them, and branch B's flows reach it over
	 * the same merge router.  The forward link R3 -> target is theirs too.
	 */
	scen_init(&s, 16, 30);
	merged(&s);
	for (int i = 0; i < 8; i++)
		reach(&s, i, 4, 30);
	r = run(&s);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f != NULL && count_kind(r, FINDING_LOSSY_BRANCH) == 0,
	   "loss at the target only, over a shared last hop: return-path-loss, no lossy-branch");
	ok(causes_are(f, 2, CAUSE_RETURN_PATH, CAUSE_FORWARD_LOSS),
	   "the return path first, a filter on the last link second");
	ok(range_is(f, 3, R3, 4, DST), "forward range: the last link " R3 " -> target");
	ok(f && flows_are_range(f, 0, 7), "names all of branch A's flows");
	ok(f && strstr(f->summary, "mirror of " BR_A), "says the mirror of the branch: %s",
	   f ? f->summary : "");
	results_free(r);

	/* Each branch reaches the target over its own last hop: forward loss there fits best. */
	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++)
		reach(&s, i, 4, 10);
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && causes_are(f, 2, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH),
	   "own last hop: lossy-branch, forward loss first");
	ok(range_is(f, 3, A3, 4, DST), "range: the branch's last link " A3 " -> target");
	results_free(r);
}

/* One branch fails whole, the other has failing flows beside clean ones: one return-path finding. */
static void test_merged_return(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	merged(&s);
	for (int i = 0; i < 10; i++)
		reach(&s, i, 4, 30);
	r = run(&s);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 1 && count_kind(r, FINDING_LOSSY_BRANCH) == 0,
	   "a whole branch and two flows beside clean mates fail: one return-path-loss");
	ok(f && flows_are_range(f, 0, 9), "it names all ten failing flows");
	ok(f && f->nunplaced == 0 && !strstr(f->summary, "more flow"),
	   "and lists none of them again apart: %s", f ? f->summary : "");
	ok(causes_are(f, 2, CAUSE_RETURN_PATH, CAUSE_FORWARD_LOSS),
	   "the return path first; the whole branch keeps its last link possible");
	results_free(r);
}

/* A failing flow whose branch is unknown (its hop rate-limits) is named apart, not dropped. */
static void test_unplaced(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	reach(&s, 2, 4, 30);
	reach(&s, 3, 4, 30);
	hop(&s, 10, 2, BR_B, 30);
	reach(&s, 10, 4, 30);
	r = run(&s);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f != NULL && f->nflows == 2 && f->flows[0] == 2 && f->flows[1] == 3,
	   "the return-path finding names the two flows beside clean path-mates");
	ok(f && f->nunplaced == 1 && f->unplaced_ports[0] == SPORT + 10,
	   "and the flow whose branch is unknown apart, by its port");
	ok(f && strstr(f->summary, "1 more flow loses as much, not yet set against clean flows on its forward path (port 33010)"),
	   "the summary says so: %s", f ? f->summary : "");
	results_free(r);
}

/*
 * Seed 158, early: a branch router that drops everything it gets never
 * answers, so the only router known at TTL 2 is the other branch's.
 * Flows 13-15 are silent at TTL 2 and after (UDP, 8 probes end to end,
 * 2 at each hop), where R2 answers the others beyond any ICMP limit: they
 * do not go through it, so they are nobody's path-mates, and no return
 * path is blamed.
 */
static void test_dark_not_mates(void)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 8);
	s.proto = PROBE_UDP;
	single(&s, 4);
	for (int i = 13; i < 16; i++) {
		reach(&s, i, 4, 8);
		/* Two probes at TTL 2 and 3 so far: too few for a dark branch (MIN_SAMPLES). */
		for (int k = 1; k <= 2; k++) {
			s.f[i].path[k] = NULL;
			s.f[i].hr[k] = 0;
			s.f[i].hl[k] = 2;
		}
	}
	r = build(&s);
	r->elapsed_us = 1000000u;
	r->target_unlimited = true;	/* the target answered beyond a limit */
	r->findings = diagnose(r);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "flows silent where a router answers the others beyond its limit are not its path-mates");
	results_free(r);
}

/*
 * Seed 39, early: flows 0-3 (branch A) lose every probe end to end and
 * were asked only at TTLs 1-2 so far; flows 4-7 on branch A answer at
 * TTL 3 (A3) and get through.  Compared over TTLs 1-2 alone, flows 0-3
 * would be their path-mates and their replies blamed; where flows 0-3 go
 * at TTL 3 is not known, so nothing is blamed on the way back.
 */
static void test_unasked_hop(void)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 8);
	s.proto = PROBE_TCP;
	ecmp(&s, 4);
	for (int i = 0; i < 4; i++) {
		reach(&s, i, 4, 8);
		s.f[i].len = 2;		/* not asked at TTL 3 yet */
		s.f[i].path[2] = NULL;
		s.f[i].hr[2] = s.f[i].hl[2] = 0;
	}
	r = scen_run(&s);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "flows not yet asked where the branches part are nobody's path-mates");
	results_free(r);
}

/*
 * Seed 26: branch A's flows lose a fifth from the link R1 -> BR_A on, but
 * BR_A happened to answer all 30 of the probes it got (0.8^30: one run
 * in a thousand, and every snapshot tests again).  Significantly cleaner
 * than the 20% end to end, yet not surely much cleaner: BR_A cannot bound
 * the range, which must still hold the link R1 -> BR_A.
 */
static void test_lucky_hop(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++) {
		s.f[i].hr[1] = i < 6 ? 4 : 3;	/* 30 answers at BR_A in all, none lost */
		hop(&s, i, 3, A3, 6);
		reach(&s, i, 4, 6);
	}
	r = scen_run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->range_from_ttl <= 1,
	   "a hop that got lucky does not bound the range: it starts at hop %d", f ? f->range_from_ttl : -1);
	results_free(r);
}

/* A later split among a lossy branch's flows inherits its loss: only the branch is named. */
static void test_inherited(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 0; i < 16; i++)
		hop(&s, i, 4, i < 4 ? A4 : B4, 0);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 10);
		hop(&s, i, 3, A3, 10);
		hop(&s, i, 4, i < 4 ? A4 : B4, 10);
		reach(&s, i, 5, 10);
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f && flows_are_range(f, 0, 7),
	   "one lossy-branch, for branch " BR_A "'s flows; its share of a later split adds none");
	ok(f && f->range_from_ttl <= 1 && f->range_to_ttl >= 2, "its range holds the link into " BR_A);
	results_free(r);
}

/* Flows that die on a link into a router that never answers them: a dark branch. */
static void test_dark_branch(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 3; i++) {
		hop(&s, i, 3, A3, 30);
		reach(&s, i, 4, 30);
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f && flows_are_range(f, 0, 2) && count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "flows dark from hop 3 on: a lossy-branch for them, not a return path");
	ok(f && f->range_from_ttl <= 2 && f->range_to_ttl >= 3, "its range holds the link after " BR_A);
	ok(f && strstr(f->summary, "unanswered at hop 3 after " BR_A), "summary: %s",
	   f ? f->summary : "");
	ok(f && f->range_to_ttl == 3, "the routers answer beyond any limit: the loss is placed at hop 3");
	results_free(r);

	/*
	 * The same figures over a long run: the routers at hop 3 answered
	 * no more than a default ICMP limit allows, so they and every router
	 * behind them may only keep quiet towards these flows (seed 164): the
	 * loss is not placed at hop 3, it runs on to the target.
	 */
	r = run_after(&s, 1000);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f && f->range_from_ttl <= 2 && f->range_to_ttl == RANGE_TO_TARGET,
	   "limiting routers: the range runs from hop %d to the target (to %d)",
	   f ? f->range_from_ttl : -1, f ? f->range_to_ttl : -9);
	results_free(r);
}

/* A branch that only drew most of its flows from a lossier later split gives way to it. */
static void test_rider(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 0; i < 16; i++) {
		bool via_a4 = i < 6 || i == 8 || i == 9;

		hop(&s, i, 4, via_a4 ? A4 : B4, 0);
		if (via_a4)
			reach(&s, i, 5, 10);
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f && f->ttl >= 4 && f->nflows == 8,
	   "the split at hop 4 carries the loss; branch " BR_A " (6 of its 8 flows lossy) is not named");
	results_free(r);
}

static void test_single_causes(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/* Path-mates on the very same forward path get through: only the way back is left. */
	scen_init(&s, 16, 30);
	single(&s, 3);
	reach(&s, 3, 3, 30);
	reach(&s, 7, 3, 30);
	r = run(&s);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(causes_are(f, 1, CAUSE_RETURN_PATH), "same forward path, clean mates: the return path alone");
	ok(f && f->range_to_ttl == 0, "and no forward range");
	results_free(r);

	/* Rate limiting is no loss at all. */
	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++)
		hop(&s, i, 2, BR_A, 17 + (uint64_t)(i % 3));
	r = run(&s);
	f = first_kind(r, FINDING_RATE_LIMITED_HOP);
	ok(causes_are(f, 1, CAUSE_RATE_LIMITING), "rate-limited-hop: rate limiting alone");
	results_free(r);
}

static void test_everyone_loses(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/* TCP: every flow loses a fifth at the target, every hop clean. */
	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	single(&s, 3);
	for (int i = 0; i < 16; i++)
		reach(&s, i, 3, 6);
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(causes_are(f, 3, CAUSE_DESTINATION, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH),
	   "destination-loss: the target first, its last link and the way back remain");
	ok(range_is(f, 2, R2, 3, DST), "range: the last link " R2 " -> target");
	results_free(r);

	/* UDP: the target's port unreachables may be rate limited too. */
	s.proto = PROBE_UDP;
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(f == NULL || (f->ncauses == 4 && f->causes[1] == CAUSE_RATE_LIMITING),
	   "UDP destination-loss also names the target's rate limit");
	results_free(r);
}

/*
 * Every flow loses at the target; the last router of one branch rate-limits
 * (the other branch's last router passes its flows cleanly): the loss is
 * not placed at that hop.
 */
static void test_common_not_at_limiter(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	ecmp(&s, 5);
	for (int i = 0; i < 16; i++) {
		if (i < 8)
			hop(&s, i, 4, A4, 12 + (uint64_t)(i % 3));
		reach(&s, i, 5, 8 + (uint64_t)(i % 2));
	}
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(f != NULL && count_kind(r, FINDING_LOSSY_BRANCH) == 0,
	   "loss at the target, one branch's hop 4 rate-limited: destination-loss, no lossy-branch");
	ok(f && f->range_to_ttl == 5, "its range runs to the target");
	results_free(r);
}

/*
 * Every flow loses a quarter from hop 2 on (a per-packet balancer after
 * hop 1 spreads one bad link's loss over every flow like this), hop 1 is
 * clean, and the routers after it answered no more than a default ICMP
 * limit allows: the loss lies somewhere from hop 1 to the target, which is
 * a place (lossy-branch, range) and not "at the destination".
 */
static void test_common_in_range(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 32);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, R2, 8);
		hop(&s, i, 3, R3, 8 + (uint64_t)(i % 2));
		reach(&s, i, 4, 8);
	}
	r = run_after(&s, 1000);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && count_kind(r, FINDING_DESTINATION_LOSS) == 0,
	   "common loss after a clean hop, limited routers behind it: a lossy-branch, not destination");
	ok(range_is(f, 1, R1, 4, DST), "its range: from hop 1 (" R1 ") to the target");
	ok(causes_are(f, 3, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH, CAUSE_DESTINATION),
	   "forward loss, the way back, the target: all remain");
	ok(f && f->nflows == 16 && strstr(f->summary, "somewhere"), "names every flow: %s",
	   f ? f->summary : "");
	results_free(r);

	/* The same routers shown not to limit (a short run): the loss is placed at hop 2. */
	r = run_after(&s, 10);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->ttl == 2 && range_is(f, 1, R1, 2, R2), "routers unlimited: link " R1 " -> " R2);
	results_free(r);
}

/*
 * Every flow loses a quarter end to end and every router, the first
 * included, leaves as much unanswered (they all limit their answers, or
 * per-packet balancing mixes every hop): no hop is clean, so the loss is
 * anywhere from this host to the target, target included.  Calling it
 * "at the destination" would name a place the evidence does not.
 */
static void test_common_no_clean_hop(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 32);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		hop(&s, i, 1, R1, 8);
		hop(&s, i, 2, R2, 8 + (uint64_t)(i % 2));
		reach(&s, i, 3, 8);
	}
	r = run_after(&s, 1000);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && count_kind(r, FINDING_DESTINATION_LOSS) == 0,
	   "common loss, no clean hop: a lossy-branch over the whole path, not destination-loss");
	ok(f && f->range_from_ttl == 0 && f->range_to_ttl == 3 && addr_is(&f->range_to, DST),
	   "its range: from this host to the target");
	ok(causes_are(f, 3, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH, CAUSE_DESTINATION),
	   "forward loss, the way back, the target: all remain");
	ok(f && f->nflows == 16 && strstr(f->summary, "no hop is clean enough"), "says why: %s",
	   f ? f->summary : "");
	results_free(r);
}

/*
 * Per-packet balancing after hop 1: every flow's probes meet several
 * routers at hop 2, so one bad link behind it costs every flow a quarter.
 * Hop 3 happens to look clean (its probes took the good branches): past
 * the balancer a clean-looking hop proves nothing, and the range must not
 * start there.
 */
static void test_common_per_packet(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 32);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, R2, 8);
		s.f[i].seen[1] = 3;
		hop(&s, i, 3, R3, 0);
		reach(&s, i, 4, 8);
	}
	r = run(&s);
	f = r->findings && r->findings->count ? &r->findings->items[0] : NULL;
	for (int i = 0; r->findings && i < r->findings->count; i++)
		if (r->findings->items[i].kind == FINDING_LOSSY_BRANCH ||
		    r->findings->items[i].kind == FINDING_DESTINATION_LOSS)
			f = &r->findings->items[i];
	ok(f != NULL && f->range_from_ttl <= 1,
	   "per-packet balancing after hop 1: the loss range starts at or before it (from hop %d)",
	   f ? f->range_from_ttl : -1);
	results_free(r);
}

/*
 * Every flow loses about half at the target; branch A's eight flows
 * happen to lose 81% of their 64 probes, B's 55%.  Significant at 1% (p
 * about 0.001), but with siblings that lose as well that is chance, not a
 * lossy branch.  The same gap over clean siblings is a lossy branch.
 */
static void test_chance_branch(void)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 8);
	s.proto = PROBE_TCP;
	ecmp(&s, 4);
	for (int i = 0; i < 16; i++)
		reach(&s, i, 4, i < 8 ? 6 + (uint64_t)(i % 2) : 4 + (uint64_t)(i % 3 == 0));
	r = run(&s);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 0,
	   "81%% vs 55%% over siblings that lose too: no lossy-branch");
	results_free(r);

	for (int i = 8; i < 16; i++)
		reach(&s, i, 4, 0);
	r = run(&s);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1, "81%% vs clean siblings: a lossy-branch");
	results_free(r);
}

/* Two addresses of one router (its errors leave by either) are not two branches to compare. */
static void test_alias_not_sibling(void)
{
	struct scen s;
	struct results *r;
	bool named_a = false;

	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++)
		reach(&s, i, 4, 12);
	r = build(&s);
	for (int b = 0; b < r->hops[1].nbranches; b++)
		r->hops[1].branches[b].router = 1;
	results_with_findings(r);
	ok(r->findings != NULL, "diagnose returns findings");
	for (int i = 0; r->findings && i < r->findings->count; i++)
		named_a |= strstr(r->findings->items[i].summary, "through " BR_A " ") != NULL;
	ok(!named_a, "flows answered by one router's two addresses at TTL 2: neither is blamed as a branch");
	results_free(r);
}

/*
 * 16 TCP flows on one path, flow 5 losing `lost` of its 30 probes at the
 * target and the others base + i % spread.
 */
static void one_apart(struct scen *s, uint64_t lost, uint64_t base, int spread)
{
	scen_init(s, 16, 30);
	s->proto = PROBE_TCP;
	single(s, 3);
	for (int i = 0; i < 16; i++)
		reach(s, i, 3, i == 5 ? lost : base + (uint64_t)(i % spread));
}

/* Every flow loses a third at the target; one loses more by chance: no return path of its own. */
static void test_chance_not_return(void)
{
	struct scen s;
	struct results *r;

	one_apart(&s, 26, 9, 3);
	r = run(&s);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "one flow losing 87%% beside path-mates losing a third: no return-path-loss");
	results_free(r);

	/* Path-mates losing half (a forward link they share): 28 of 30 is chance, not a return path. */
	one_apart(&s, 28, 13, 4);
	r = run(&s);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "one flow losing 93%% beside path-mates losing half: no return-path-loss");
	results_free(r);
	/* The same flow losing every probe has a return path of its own. */
	one_apart(&s, 30, 9, 3);
	r = run(&s);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 1, "losing every probe: return-path-loss");
	results_free(r);
}

/*
 * The target never answers: every hop up to R3 answers, TTL 4 is silent
 * for every flow, and the probes sent with the largest TTL all went
 * unanswered (UDP and TCP alike).
 */
static void silent_target(struct scen *s, enum probe_proto proto, uint64_t reach_lost)
{
	scen_init(s, 16, 10);
	s->proto = proto;
	for (int i = 0; i < 16; i++) {
		hop(s, i, 1, R1, 0);
		hop(s, i, 2, R2, 0);
		hop(s, i, 3, R3, 0);
		hop(s, i, 4, DST, 10);
		s->f[i].reach_lost = reach_lost;
	}
}

static void test_silent_target(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	silent_target(&s, PROBE_TCP, 4);
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(f != NULL && r->findings->count == 1, "a silent target: one destination-loss finding");
	ok(causes_are(f, 3, CAUSE_DESTINATION, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH),
	   "the target, the links after the last router, the way back");
	ok(range_is(f, 3, R3, RANGE_TO_TARGET, DST), "range: after hop 3 (" R3 "), up to the target");
	ok(f && f->nflows == 16 && f->lost == 64 && f->loss_pct == 100.0,
	   "names every flow, 100%% of the 64 probes");
	ok(f && strstr(f->summary, "hop 3 (" R3 ") answers"), "says the last router that answers: %s",
	   f ? f->summary : "");
	results_free(r);

	/* UDP: 20 unanswered probes over 10 flows are enough (the lane's first burst). */
	silent_target(&s, PROBE_UDP, 0);
	for (int i = 0; i < 10; i++)
		s.f[i].reach_lost = 2;
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(f != NULL && f->nflows == 10, "UDP, 20 probes on 10 flows: said, naming the 10");
	ok(f && strstr(f->summary, "port unreachable"), "UDP: says hosts may send no port unreachable");
	results_free(r);

	silent_target(&s, PROBE_TCP, 4);
	s.f[7].reach_recv = 1;
	r = run(&s);
	ok(count_kind(r, FINDING_DESTINATION_LOSS) == 0, "one answer from the target: not silent");
	results_free(r);

	silent_target(&s, PROBE_TCP, 1);
	r = run(&s);
	ok(count_kind(r, FINDING_DESTINATION_LOSS) == 0, "16 unanswered probes: too few to say");
	results_free(r);

	/* Discovery has not asked past hop 3 yet: "after hop 3" would be a guess. */
	silent_target(&s, PROBE_TCP, 4);
	for (int i = 0; i < 16; i++)
		s.f[i].len = 3;
	r = run(&s);
	ok(count_kind(r, FINDING_DESTINATION_LOSS) == 0, "the hop after the last router not asked: nothing");
	results_free(r);
}

/*
 * Branch A's path is one hop longer than B's: B's flows meet the target at
 * TTL 4 where A4 answers A's, and A's flows never met the target at any
 * TTL (their lane probes alone reach it, and lose half).  A's hops go on
 * past TTL 4: the range of their loss must reach past A4, where the lossy
 * link may be, not stop at TTL 4 as if the target were there.
 */
static void test_longer_path(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++) {
		struct tflow *t = &s.f[i];

		hop(&s, i, 4, A4, 0);
		hop(&s, i, 5, DST, 30);		/* silent: only the lane's probes met the target */
		t->dest_ttl = 0;
		t->recv = 15;
		t->lost = 15;
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->range_to_ttl == RANGE_TO_TARGET && addr_is(&f->range_to, DST) &&
	   f->range_from_ttl <= 4,
	   "a longer path's loss: the range runs from hop %d to the target, past A4",
	   f ? f->range_from_ttl : -1);
	ok(f && strstr(f->summary, "and the target " DST ", whose hop is not known yet"),
	   "says the target's hop is not known: %s", f ? f->summary : "");
	results_free(r);
}

static void test_names(void)
{
	ok(strcmp(finding_cause_name(CAUSE_FORWARD_LOSS), "forward-loss") == 0 &&
		   strcmp(finding_cause_name(CAUSE_RETURN_PATH), "return-path") == 0 &&
		   strcmp(finding_cause_name(CAUSE_DESTINATION), "destination") == 0 &&
		   strcmp(finding_cause_name(CAUSE_RATE_LIMITING), "rate-limiting") == 0,
	   "cause names");
	ok(strcmp(finding_cause_name(CAUSE_COUNT), "unknown") == 0, "out-of-range cause has a name");
}

/*
 * Seed 142: every flow loses 60% from the link R2 -> R3 on.  Hop 4 was
 * just probed in a burst: its answers are in, its losses still out (a
 * loss counts only at its deadline).  Counted as they stand, hop 4 looks
 * clean and the loss lands past it, at the target; with the probes still
 * out taken as possibly lost, the range must start no later than hop 2.
 */
static void test_burst_not_clean(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 20);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, R2, 0);
		hop(&s, i, 3, R3, 12);
		hop(&s, i, 4, A4, 0);
		s.f[i].hr[3] = 2;	/* a burst: 2 answers in, 4 probes still out */
		s.f[i].hp[3] = 4;
		reach(&s, i, 5, 12);
	}
	r = run_after(&s, 10);
	ok(count_kind(r, FINDING_DESTINATION_LOSS) == 0, "a hop whose losses are still out is not clean");
	for (int i = 0; i < r->findings->count; i++) {
		f = &r->findings->items[i];
		if (f->kind == FINDING_LOSSY_BRANCH || f->kind == FINDING_DESTINATION_LOSS)
			ok(f->range_from_ttl <= 2 && (f->range_to_ttl == 0 || f->range_to_ttl >= 3),
			   "the range holds the link R2 -> R3: %d..%d", f->range_from_ttl, f->range_to_ttl);
	}
	ok(first_kind(r, FINDING_LOSSY_BRANCH) != NULL, "the loss is found: %s",
	   r->findings->count ? r->findings->items[0].summary : "none");
	results_free(r);

	/* The same hop with its probes settled as answered is clean again: the range starts there. */
	for (int i = 0; i < 16; i++) {
		s.f[i].hr[3] = 6;
		s.f[i].hp[3] = 0;
	}
	r = run_after(&s, 10);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	if (f == NULL)
		f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->range_from_ttl == 4, "settled answers bound it at hop 4: %s",
	   f ? f->summary : "none");
	results_free(r);
}

/*
 * Seed 56: paths of different lengths.  Flows 6-11 go R1, BR_B, B3, B4
 * and meet the target at TTL 5; flows 12-15 take a longer branch with a
 * router at TTL 5; flows 0-5 a shorter one (target at TTL 4).  The
 * target's replies to flows 6 and 7 are lost on the way back: their
 * probes at TTL 5 and 6 go unanswered.  Their path-mates are flows 8-11
 * (the same routers up to the target): compared past where those met
 * the target, they had none, and no finding came at all.
 */
static void test_mates_end_at_target(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 10);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		bool a = i < 6, longer = i >= 12;

		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, a ? BR_A : BR_B, 0);
		hop(&s, i, 3, a ? A3 : B3, 0);
		if (a) {
			reach(&s, i, 4, 0);
			continue;
		}
		hop(&s, i, 4, longer ? A4 : B4, 0);
		if (longer) {
			hop(&s, i, 5, "10.5.0.5", 0);
			reach(&s, i, 6, 0);
		} else if (i <= 7) {
			hop(&s, i, 5, DST, 10);		/* silent at the target's TTL */
			hop(&s, i, 6, DST, 10);		/* and past it */
			s.f[i].recv = 0;
			s.f[i].lost = 20;
		} else {
			reach(&s, i, 5, 0);
		}
	}
	r = run_after(&s, 10);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f != NULL && f->nflows == 2, "flows the target never answers on a long branch: the way back (%s)",
	   f ? f->summary : "no finding");
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 0, "no branch blamed");
	results_free(r);

	/* Flow 6 answered by a router at TTL 6 (a longer path of its own): not flow 8-11's mate. */
	hop(&s, 6, 6, "10.6.0.6", 0);
	s.f[6].hl[5] = 10;
	r = run_after(&s, 10);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f == NULL || f->nflows == 1, "a flow a router answers past the mates' target is not their mate");
	results_free(r);
}

/*
 * Seed 72: a merge router at TTL 3 answers from the address of whichever
 * interface its route back picks (A3, B3: one router), and limits its
 * answers, so most flows have no responder there.  Flows 0 and 1 lose 8
 * of 10 end to end; flows 2-4 on the same branch are silent at TTL 3 too
 * and get through.  Two addresses of one router are not branches parting:
 * the flows are path-mates and the way back is blamed.
 */
static void test_alias_merge_mates(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 10);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		bool a = i < 8;

		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, a ? BR_A : BR_B, 0);
		hop(&s, i, 3, i % 8 < 5 ? NULL : (a ? A3 : B3), i % 8 < 5 ? 10 : 0);
		reach(&s, i, 4, i < 2 ? 8 : 0);
	}
	r = build(&s);
	for (int j = 0; j < r->hops[2].nbranches; j++)
		if (addr_is_set(&r->hops[2].branches[j].addr))
			r->hops[2].branches[j].router = 1;
	r->elapsed_us = 100000000u;	/* within a default limit: it limits */
	results_with_findings(r);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f != NULL && f->nflows == 2, "flows silent at a router that answers from 2 addresses have mates: %s",
	   f ? f->summary : "no finding");
	results_free(r);

	/* Two routers there: where flows 0-4 went is not known, nothing is blamed on the way back. */
	r = build(&s);
	r->elapsed_us = 100000000u;	/* within a default limit: it limits */
	results_with_findings(r);
	ok(count_kind(r, FINDING_RETURN_PATH_LOSS) == 0, "two routers at that hop: no return path");
	results_free(r);
}

/*
 * Seed 81: flows 0 and 1 alone take BR_A -> C3 (three stages of ECMP make
 * paths of their own common) and lose half their probes there; flows 2-7
 * cross R1 -> BR_A and flows 14-15 C3 -> the target, cleanly.  No branch
 * and no path-mate explains them, and nothing was said: the loss lies on
 * the link no clean flow crosses, BR_A -> C3, or on the way back.
 */
static void test_own_path(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f = NULL;

	scen_init(&s, 16, 20);
	s.proto = PROBE_TCP;
	for (int i = 0; i < 16; i++) {
		bool a = i < 8, mine = i < 2;

		hop(&s, i, 1, R1, 0);
		hop(&s, i, 2, a ? BR_A : BR_B, 0);
		hop(&s, i, 3, mine || i >= 14 ? "10.3.2.3" : a ? A3 : B3, mine ? 10 : 0);
		reach(&s, i, 4, mine ? 10 : 0);
	}
	r = run_after(&s, 10);
	for (int i = 0; i < r->findings->count; i++)
		if (r->findings->items[i].kind == FINDING_LOSSY_BRANCH)
			f = &r->findings->items[i];
	ok(f != NULL && f->nflows == 2, "two flows on a path of their own: a finding (%s)",
	   f ? f->summary : "none");
	ok(range_is(f, 2, BR_A, 3, "10.3.2.3"), "its range: the one link no clean flow crosses");
	ok(causes_are(f, 2, CAUSE_FORWARD_LOSS, CAUSE_RETURN_PATH), "forward loss or the way back");
	results_free(r);

	/* A clean flow on BR_A -> 10.3.2.3 too: that link is not it; the last link, into the target. */
	hop(&s, 2, 3, "10.3.2.3", 0);
	r = run_after(&s, 10);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(f == NULL || f->nflows != 2 || f->range_from_ttl >= 2,
	   "a link a clean flow crosses is not blamed (%s)", f ? f->summary : "none");
	results_free(r);
}

int main(void)
{
	test_link_shown();
	test_range_widens();
	test_target_only();
	test_merged_return();
	test_unplaced();
	test_dark_not_mates();
	test_unasked_hop();
	test_lucky_hop();
	test_burst_not_clean();
	test_mates_end_at_target();
	test_alias_merge_mates();
	test_own_path();
	test_inherited();
	test_dark_branch();
	test_rider();
	test_single_causes();
	test_everyone_loses();
	test_common_not_at_limiter();
	test_common_in_range();
	test_common_no_clean_hop();
	test_common_per_packet();
	test_chance_branch();
	test_alias_not_sibling();
	test_chance_not_return();
	test_silent_target();
	test_longer_path();
	test_names();
	return tap_done();
}
