/*
 * Diagnosis: turns a results snapshot into findings an engineer can act on
 * ("flows through 10.3.0.2 lose 31% from hop 3 on, reproduce with nc -p
 * 30003 ..."), each with its evidence: sample counts, a 95% interval, the
 * flows and their source ports.  Pure functions of the snapshot; no I/O.
 */
#ifndef ECMPTRACE_ENGINE_DIAGNOSE_H
#define ECMPTRACE_ENGINE_DIAGNOSE_H

#include <stdint.h>

#include "addr.h"

struct results;

enum finding_kind {
	FINDING_LOSSY_BRANCH,		/* one branch loses significantly more than its siblings */
	FINDING_RATE_LIMITED_HOP,	/* loss at a hop that does not carry on: ICMP rate limiting */
	FINDING_RETURN_PATH_LOSS,	/* same forward path, different end-to-end loss */
	FINDING_DESTINATION_LOSS,	/* every flow loses at the destination only */
	FINDING_PER_PACKET_BALANCING,	/* one flow sees several responders at one TTL */
	FINDING_PATH_CHANGE,		/* a flow's path changed during the run */
	FINDING_LINK_ADDRESS_CONFLICT,	/* a neighbour's address answers from several link-layer addresses */
	FINDING_LINK_ADDRESS_SHARED,	/* several neighbour addresses answer from one link-layer address */
	FINDING_SLOW_BRANCH,		/* one branch's flows take significantly longer than its siblings' */
	FINDING_MTU_BRANCH,		/* one branch's flows get smaller packets through than its siblings' */
	FINDING_KIND_COUNT
};

/*
 * What can explain a loss finding.  Several stay possible when the
 * evidence fits each (forward loss on a link vs the replies lost on the
 * way back when routers hash symmetrically; loss at the destination host
 * vs its last link); one is named alone only when the others are ruled out.
 */
enum finding_cause {
	CAUSE_FORWARD_LOSS,	/* probes are lost on the way to the target (range: where) */
	CAUSE_RETURN_PATH,	/* the replies are lost on their way back */
	CAUSE_DESTINATION,	/* the target itself drops them or does not answer */
	CAUSE_RATE_LIMITING,	/* a router limits its ICMP errors: no loss of traffic at all */
	CAUSE_COUNT
};

struct finding {
	enum finding_kind kind;
	int ttl;			/* where it is localised (0 if not a hop) */
	struct ip_addr addr;		/* the branch / hop it blames (unset if none) */
	struct ip_addr prev_addr;	/* last clean responder before it (link = prev -> addr) */
	uint64_t received, lost;	/* the evidence behind loss_pct */
	double loss_pct;
	double ci_lo_pct, ci_hi_pct;	/* 95% interval of loss_pct */
	double baseline_pct;		/* the siblings' / clean flows' loss, for contrast */
	int *flows;			/* flow ids involved, ascending */
	uint16_t *source_ports;		/* their source ports (ICMP identifiers) */
	int nflows;
	/*
	 * Flows that lose as much as the finding's but whose branch is not
	 * known yet (its hop rate-limits its answers), so they cannot be
	 * placed: their source ports, to reproduce with all the same.
	 */
	uint16_t *unplaced_ports;
	int nunplaced;
	/* Causes that remain, most likely first (none for findings that are not loss). */
	enum finding_cause causes[CAUSE_COUNT];
	int ncauses;
	/*
	 * Where forward loss can lie: after hop range_from_ttl (0: this host)
	 * and at or before hop range_to_ttl; range_to_ttl 0: not placed,
	 * RANGE_TO_TARGET: anywhere up to the target, whose hop is not known.
	 * One link when they are one apart; hops that cannot be judged (rate
	 * limited) between them widen it.
	 */
	int range_from_ttl, range_to_ttl;
#define RANGE_TO_TARGET (-1)
	struct ip_addr range_from, range_to;
	/*
	 * slow-branch: how much longer the flows' round trips are than their
	 * siblings' (Hodges-Lehmann shift, us), its 95% interval, both
	 * medians, and the rank test's one-sided p (rank_test.h).
	 */
	double shift_us, shift_lo_us, shift_hi_us;
	double median_us, baseline_median_us;
	double p_value;
	/*
	 * mtu-branch: the largest packet its flows get through, its siblings'
	 * flows' (bytes), and whether frag-needed / packet-too-big came.
	 */
	int pmtu_bytes, pmtu_others;
	bool pmtu_messages;
	char summary[480];		/* plain sentences, no trailing newline */
};

struct findings {
	struct finding *items;
	int count;
};

/* The name used in text and JSON output ("lossy-branch", ...). */
const char *finding_kind_name(enum finding_kind kind);
/* The name of a cause in text and JSON ("forward-loss", "return-path", ...). */
const char *finding_cause_name(enum finding_cause cause);
/* Diagnoses a snapshot; never NULL except when out of memory. */
struct findings *diagnose(const struct results *r);
void findings_free(struct findings *f);
/* Frees what one finding points to (its flows and ports), leaving it empty. */
void finding_release(struct finding *f);
/*
 * Diagnoses r unless it carries a diagnosis already, and attaches the
 * findings to it (results_free frees them); returns r.  For the faces and
 * callers that want a snapshot with its findings; r may be NULL.
 */
struct results *results_with_findings(struct results *r);

#endif
