/*
 * Unit tests of the diagnosis (src/engine/diagnose.c) on results snapshots
 * built by hand: a clean network, a lossy ECMP branch, loss that starts past
 * the branching point, ICMP rate limiting, return-path loss (the "nc -p
 * 30003 fails, 30004 works" case), destination loss, per-packet balancing,
 * path changes and too few samples.  No sockets, no clock.
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "diag_scen.h"

static struct results *run(const struct scen *s)
{
	struct results *r = scen_run(s);

	ok(r->findings != NULL, "diagnose returns findings");
	return r;
}

static void test_clean(void)
{
	struct scen s;
	struct results *r;

	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	r = run(&s);
	ok(count_total(r) == 0, "clean ECMP network: no findings");
	results_free(r);

	/* A probe lost here and there, uniformly: still nothing. */
	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 16; i++) {
		if (i % 5 == 0)
			hop(&s, i, 2, i < 8 ? BR_A : BR_B, 1);
		if (i % 7 == 0)
			reach(&s, i, 4, 1);
	}
	r = run(&s);
	ok(count_total(r) == 0, "tiny uniform loss: no findings");
	results_free(r);
}

static void test_lossy_branch(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 8 + (uint64_t)(i % 3));
		reach(&s, i, 3, 10 - (uint64_t)(i % 3));
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_total(r) == 1 && f != NULL, "lossy ECMP branch: exactly one finding, a lossy-branch");
	if (f) {
		ok(f->ttl == 2 && addr_is(&f->addr, BR_A), "localised at TTL 2, branch " BR_A);
		ok(addr_is(&f->prev_addr, R1), "link named from " R1);
		ok(flows_are_range(f, 0, 7), "names flows 0-7 and their source ports");
		ok(f->lost == 73 && f->received == 167, "evidence: 73 of 240 probes lost end to end");
		ok(f->loss_pct > 30.4 && f->loss_pct < 30.5 && f->baseline_pct == 0.0,
		   "30%% loss against 0%% on the sibling");
		ok(interval_ok(f) && f->ci_lo_pct > 24.0 && f->ci_hi_pct < 37.0, "95%% interval around 30%%");
		ok(strstr(f->summary, BR_A) && strstr(f->summary, BR_B) && strstr(f->summary, "end to end"),
		   "summary names the branch and its sibling: %s", f->summary);
		ok(strchr(f->summary, '\n') == NULL, "summary is one line");
	}
	ok(count_kind(r, FINDING_RATE_LIMITED_HOP) == 0, "persistent loss is not called rate limiting");
	results_free(r);
}

static void test_loss_after_branch(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 3, A3, 8 + (uint64_t)(i % 3));
		reach(&s, i, 4, 10 - (uint64_t)(i % 3));
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_total(r) == 1 && f != NULL, "loss from the hop after the branch: one lossy-branch");
	if (f) {
		ok(f->ttl == 3 && addr_is(&f->addr, A3), "localised at TTL 3, " A3);
		ok(addr_is(&f->prev_addr, BR_A), "last clean responder is " BR_A);
		ok(flows_are_range(f, 0, 7), "names flows 0-7");
	}
	results_free(r);
}

static void test_silent_router(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/*
	 * The router after A never answers these flows (a "*" hop); the loss
	 * starts one hop later.  The silent hop is no evidence of loss and the
	 * link is named from the last router that did answer.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 3, NULL, 30);
		hop(&s, i, 4, A4, 8 + (uint64_t)(i % 3));
		reach(&s, i, 5, 10 - (uint64_t)(i % 3));
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_total(r) == 1 && f != NULL, "silent router on the lossy branch: one lossy-branch");
	if (f) {
		ok(f->ttl == 4 && addr_is(&f->addr, A4), "localised past the silent hop, at TTL 4");
		ok(addr_is(&f->prev_addr, BR_A), "link named from the last responder, " BR_A);
	}
	results_free(r);
}

static void test_deterministic(void)
{
	struct scen s;
	struct results *r;
	struct findings *again;
	bool same;

	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 8 + (uint64_t)(i % 3));
		reach(&s, i, 3, 10 - (uint64_t)(i % 3));
	}
	reach(&s, 9, 3, 30);
	reach(&s, 12, 3, 30);
	r = run(&s);
	again = diagnose(r);
	same = again && r->findings && again->count == r->findings->count;
	for (int i = 0; same && i < again->count; i++)
		same = strcmp(again->items[i].summary, r->findings->items[i].summary) == 0 &&
		       again->items[i].nflows == r->findings->items[i].nflows;
	ok(same, "the same snapshot always gives the same findings");
	findings_free(again);
	results_free(r);
}

static void test_rate_limited(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	for (int i = 0; i < 8; i++)
		hop(&s, i, 2, BR_A, 17 + (uint64_t)(i % 3));
	r = run(&s);
	f = first_kind(r, FINDING_RATE_LIMITED_HOP);
	ok(count_total(r) == 1 && f != NULL, "60%% hop loss that does not persist: only rate-limited-hop");
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 0 && count_kind(r, FINDING_DESTINATION_LOSS) == 0,
	   "rate limiting is never a loss finding");
	if (f) {
		ok(f->ttl == 2 && addr_is(&f->addr, BR_A), "rate limiting blamed on " BR_A " at TTL 2");
		ok(f->lost == 143 && f->received == 97 && f->baseline_pct == 0.0,
		   "evidence: the branch's 143 of 240 against 0%% further on");
		ok(flows_are_range(f, 0, 7) && interval_ok(f), "flows 0-7, sane interval");
	}
	results_free(r);

	/*
	 * The same, but the flows met several routers at TTL 2 (per-packet
	 * balancing): their unanswered probes there may be another router's
	 * limit, filed under BR_A, so no address is named.
	 */
	for (int i = 0; i < 8; i++)
		s.f[i].seen[1] = 2;
	r = run(&s);
	ok(count_kind(r, FINDING_RATE_LIMITED_HOP) == 0,
	   "per-packet balancing at TTL 2: no rate-limited-hop names one of its routers");
	results_free(r);

	/*
	 * Rate limiting at TTL 2 on branch A, clean at TTL 3, real loss from
	 * TTL 4: the loss is placed at TTL 4 (past the clean hop), and TTL 2
	 * is rate limiting.  Findings come lossy first.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 17 + (uint64_t)(i % 3));
		hop(&s, i, 4, A4, 8 + (uint64_t)(i % 3));
		reach(&s, i, 5, 10 - (uint64_t)(i % 3));
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f != NULL && f->ttl == 4 && addr_is(&f->addr, A4) &&
		   addr_is(&f->prev_addr, A3),
	   "loss past a rate-limited hop is localised after the clean hop (link " A3 " -> " A4 ")");
	f = first_kind(r, FINDING_RATE_LIMITED_HOP);
	ok(f != NULL && f->ttl == 2 && addr_is(&f->addr, BR_A), "and TTL 2 is rate-limited-hop");
	ok(count_total(r) == 2 && r->findings->items[0].kind == FINDING_LOSSY_BRANCH &&
		   r->findings->items[1].kind == FINDING_RATE_LIMITED_HOP,
	   "ordered by severity: loss before rate limiting");
	results_free(r);
}

static void test_return_path(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/* One forward path; flows 3 and 7 never get an answer from the target. */
	scen_init(&s, 16, 30);
	single(&s, 3);
	reach(&s, 3, 3, 30);
	reach(&s, 7, 3, 30);
	r = run(&s);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(count_total(r) == 1 && f != NULL, "same forward path, two flows fail: one return-path-loss");
	if (f) {
		ok(f->nflows == 2 && f->flows[0] == 3 && f->flows[1] == 7 &&
			   f->source_ports[0] == SPORT + 3 && f->source_ports[1] == SPORT + 7,
		   "names exactly flows 3 and 7 (ports %d, %d)", SPORT + 3, SPORT + 7);
		ok(f->loss_pct == 100.0 && f->baseline_pct == 0.0 && f->lost == 60, "100%% against 0%%");
		ok(strstr(f->summary, "33003") && strstr(f->summary, "33007"), "summary lists the ports");
		ok(interval_ok(f) && f->ci_hi_pct == 100.0, "interval reaches 100%%");
	}
	results_free(r);

	/*
	 * The field case over ECMP: both failing flows go through branch A
	 * with six flows that never fail.  Branch A as a whole loses more than
	 * B, but it is not a bad link: return path, no lossy-branch.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	reach(&s, 3, 3, 30);
	reach(&s, 7, 3, 30);
	r = run(&s);
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 0, "field case: no lossy-branch for the mixed branch");
	ok(f != NULL && f->nflows == 2 && f->flows[0] == 3 && f->flows[1] == 7,
	   "field case: return-path-loss names flows 3 and 7");
	ok(count_total(r) == 1, "field case: nothing else");
	results_free(r);

	/*
	 * A lossy branch A and, on branch B, two flows failing on the way
	 * back: both are found, though each hides the other in one pass.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 8 + (uint64_t)(i % 3));
		reach(&s, i, 3, 10 - (uint64_t)(i % 3));
	}
	reach(&s, 9, 3, 30);
	reach(&s, 12, 3, 30);
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f && f->ttl == 2 && addr_is(&f->addr, BR_A) &&
		   flows_are_range(f, 0, 7),
	   "lossy branch A found beside return-path flows on B");
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f && f->nflows == 2 && f->flows[0] == 9 && f->flows[1] == 12,
	   "return-path-loss names flows 9 and 12");
	ok(count_total(r) == 2, "and nothing else");
	results_free(r);

	/*
	 * Both at once on the same branch: A loses 30%, and flows 3 and 7
	 * through it never get an answer (TCP: the target's SYN-ACKs are not
	 * rate limited).  The branch is reported without them, and they are
	 * reported on their own.
	 */
	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	ecmp(&s, 3);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 8 + (uint64_t)(i % 3));
		reach(&s, i, 3, i == 3 || i == 7 ? 30 : 10 - (uint64_t)(i % 3));
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f && f->ttl == 2 && addr_is(&f->addr, BR_A) &&
		   f->nflows == 6 && f->flows[2] == 2 && f->flows[3] == 4 && f->loss_pct < 35.0,
	   "lossy branch A reported with its 6 ordinary flows, about 30%%");
	f = first_kind(r, FINDING_RETURN_PATH_LOSS);
	ok(f && f->nflows == 2 && f->flows[0] == 3 && f->flows[1] == 7 && f->baseline_pct > 25.0,
	   "flows 3 and 7 through it: return-path-loss against the branch's 30%%");
	ok(count_total(r) == 2, "and nothing else");
	results_free(r);

	/*
	 * Flows 3 and 7 lose much more than the branch's 30% but not every
	 * probe (the way back cannot be told apart): they cross the branch's
	 * lossy links all the same, and its finding names them too, not a
	 * finding of their own (t_unprivileged: a port named apart).
	 */
	for (int i = 3; i < 8; i += 4)
		reach(&s, i, 3, 24);
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f && f->nflows == 8,
	   "flows losing much more through lossy branch A are named by its finding (%d flows, %d findings)",
	   f ? f->nflows : 0, count_total(r));
	results_free(r);
}

static void test_udp_target_rate_limit(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	/*
	 * UDP: the target's port unreachables are rate limited, and the flows
	 * through B, probed later in each round, lose more of them (95%%
	 * against 80%%).  The routers on the way answer everything.
	 */
	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	for (int i = 0; i < 16; i++)
		reach(&s, i, 3, i < 8 ? 24 : 28 + (uint64_t)(i % 2));
	r = run(&s);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 0 && count_kind(r, FINDING_RETURN_PATH_LOSS) == 0,
	   "UDP, target rate-limiting its errors: no lossy-branch, no return-path-loss");
	results_free(r);

	/*
	 * The same figures in TCP mode are real loss: B loses more than A,
	 * and as every hop answers, on the last link, B -> target.
	 */
	s.proto = PROBE_TCP;
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_kind(r, FINDING_LOSSY_BRANCH) == 1 && f && flows_are_range(f, 8, 15),
	   "TCP, same figures: the flows through B are a lossy-branch");
	ok(f && f->ttl == 3 && addr_is(&f->addr, DST) && addr_is(&f->prev_addr, BR_B),
	   "with clean hops it is placed on the last link, " BR_B " -> the target");
	results_free(r);
}

static void test_destination_loss(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	s.proto = PROBE_TCP;
	ecmp(&s, 3);
	for (int i = 0; i < 16; i++)
		reach(&s, i, 3, 5 + (uint64_t)(i % 3));
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(count_total(r) == 1 && f != NULL,
	   "every flow loses 20%% at the target only: one destination-loss");
	if (f) {
		ok(f->ttl == 3 && addr_is(&f->addr, DST), "blames the target at TTL 3");
		ok(f->nflows == 16 && f->loss_pct > 18.0 && f->loss_pct < 22.0 && f->baseline_pct == 0.0,
		   "all 16 flows, about 20%% against 0%% at the hop before");
		ok(interval_ok(f), "sane interval");
	}
	results_free(r);

	/* In UDP mode the target's port-unreachable errors may be rate-limited: say so. */
	scen_init(&s, 16, 30);
	ecmp(&s, 3);
	for (int i = 0; i < 16; i++)
		reach(&s, i, 3, 5 + (uint64_t)(i % 3));
	r = run(&s);
	f = first_kind(r, FINDING_DESTINATION_LOSS);
	ok(f != NULL && strstr(f->summary, "rate limit") != NULL,
	   "UDP destination-loss mentions the target's ICMP rate limit");
	results_free(r);

	/* The same loss starting at a router on a single path: placed there. */
	scen_init(&s, 16, 30);
	single(&s, 4);
	for (int i = 0; i < 16; i++) {
		hop(&s, i, 3, R3, 7 + (uint64_t)(i % 3));
		reach(&s, i, 4, 8 - (uint64_t)(i % 3));
	}
	r = run(&s);
	f = first_kind(r, FINDING_LOSSY_BRANCH);
	ok(count_total(r) == 1 && f && f->ttl == 3 && addr_is(&f->addr, R3) && addr_is(&f->prev_addr, R2),
	   "loss shared by all flows from TTL 3 on: link " R2 " -> " R3);
	results_free(r);
}

static void test_responders(void)
{
	struct scen s;
	struct results *r;
	const struct finding *f;

	scen_init(&s, 16, 30);
	ecmp(&s, 4);
	s.f[2].seen[1] = 2;
	s.f[2].changes = 9;
	r = run(&s);
	f = first_kind(r, FINDING_PER_PACKET_BALANCING);
	ok(count_total(r) == 1 && f != NULL,
	   "a flow alternating between responders: per-packet-balancing");
	if (f) {
		ok(f->ttl == 2 && f->nflows == 1 && f->flows[0] == 2 && f->source_ports[0] == SPORT + 2,
		   "at TTL 2, flow 2");
		ok(addr_is(&f->prev_addr, R1), "after " R1);
		ok(strstr(f->summary, "unreliable") != NULL, "says per-branch figures are unreliable");
	}
	results_free(r);

	scen_init(&s, 16, 30);
	ecmp(&s, 5);
	for (int i = 8; i < 12; i++) {
		s.f[i].seen[2] = 2;
		s.f[i].seen[3] = 2;
		s.f[i].changes = 2;
	}
	r = run(&s);
	f = first_kind(r, FINDING_PATH_CHANGE);
	ok(count_total(r) == 1 && f != NULL && f->ttl == 3 && flows_are_range(f, 8, 11),
	   "flows that moved once at TTL 3 and 4: one path-change at TTL 3 for flows 8-11");
	results_free(r);
}

static void test_too_few(void)
{
	struct scen s;
	struct results *r;

	/* Half the probes of branch A lost, but only 4 probes per flow. */
	scen_init(&s, 16, 4);
	ecmp(&s, 3);
	for (int i = 0; i < 8; i++) {
		hop(&s, i, 2, BR_A, 2);
		reach(&s, i, 3, 2);
	}
	r = run(&s);
	ok(count_total(r) == 0, "4 probes per flow: no findings");
	results_free(r);

	/* A single flow, however lossy, has no sibling to be compared with. */
	scen_init(&s, 2, 30);
	ecmp(&s, 3);
	reach(&s, 0, 3, 3);
	r = run(&s);
	ok(count_total(r) == 0, "10%% loss on one of two flows, 30 probes: no findings");
	results_free(r);
}

static void test_edges(void)
{
	struct results *r = calloc(1, sizeof(*r));
	struct findings *f;

	f = diagnose(r);
	ok(f != NULL && f->count == 0, "empty snapshot: no findings");
	findings_free(f);
	f = diagnose(NULL);
	ok(f != NULL && f->count == 0, "no snapshot: no findings");
	findings_free(f);
	findings_free(NULL);
	ok(1, "findings_free(NULL) is harmless");
	results_free(r);

	ok(strcmp(finding_kind_name(FINDING_LOSSY_BRANCH), "lossy-branch") == 0 &&
		   strcmp(finding_kind_name(FINDING_RATE_LIMITED_HOP), "rate-limited-hop") == 0 &&
		   strcmp(finding_kind_name(FINDING_RETURN_PATH_LOSS), "return-path-loss") == 0 &&
		   strcmp(finding_kind_name(FINDING_DESTINATION_LOSS), "destination-loss") == 0 &&
		   strcmp(finding_kind_name(FINDING_PER_PACKET_BALANCING), "per-packet-balancing") == 0 &&
		   strcmp(finding_kind_name(FINDING_PATH_CHANGE), "path-change") == 0,
	   "kind names");
	ok(strcmp(finding_kind_name(FINDING_KIND_COUNT), "unknown") == 0, "out-of-range kind has a name");
}

int main(void)
{
	test_clean();
	test_lossy_branch();
	test_loss_after_branch();
	test_silent_router();
	test_rate_limited();
	test_return_path();
	test_destination_loss();
	test_udp_target_rate_limit();
	test_responders();
	test_too_few();
	test_deterministic();
	test_edges();
	return tap_done();
}
