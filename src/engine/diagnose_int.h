/*
 * The diagnosis' shared parts, private to diagnose.c and its diag_*.c steps:
 * thresholds, the tallies and masks flows are judged by, the
 * building of findings and their sentences, and where loss can lie.
 */
#ifndef ECMPTRACE_ENGINE_DIAGNOSE_INT_H
#define ECMPTRACE_ENGINE_DIAGNOSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/diagnose.h"
#include "engine/results.h"

/* Least resolved probes in any group compared. */
#define MIN_SAMPLES 8
/*
 * Unanswered probes of one flow at a hop whose router answers everyone
 * else beyond any ICMP limit that show the flow does not go through it.
 */
#define DARK_MIN_LOST 2
/* Family-wise significance level of each kind of test (before Bonferroni). */
#define ALPHA 0.01
/* Looser level, only used to keep a branch finding (never to create one). */
#define ALPHA_LOOSE 0.05
/* Least difference in loss (fraction) worth telling anyone about. */
#define MIN_EFFECT 0.03
/* Loss at or below this (fraction) is the background noise of any network. */
#define BACKGROUND_LOSS 0.01
/* Linux's ICMP error limit towards one destination: a burst of this many, then one a second. */
#define LINUX_RL_BURST 6
/* Least end-to-end probes of every flow before loss common to all of them is said. */
#define MIN_COMMON_FLOW 16
/* ... and least flows with that many. */
#define COMMON_MIN_FLOWS 8
/* How much more a branch must stand out when its siblings lose too (diag_loss.c). */
#define LOSSY_SIBLINGS_FACTOR 100.0
/* Rounds of "find branches, then return paths" (each removes what it explains). */
#define MAX_PASSES 4

/* Resolved probes of a group: answered and timed out. */
struct tally {
	uint64_t recv, lost;
};

static inline uint64_t tally_n(struct tally t)
{
	return t.recv + t.lost;
}

static inline double tally_rate(struct tally t)
{
	return tally_n(t) ? (double)t.lost / (double)tally_n(t) : 0.0;
}

/* State of one diagnosis; flow masks are indexed like r->flows. */
struct diag {
	const struct results *r;
	int nflows;
	int nhops;		/* r->nhops, or 0 when there is no hop array */
	int *end;		/* per flow: hop index where its intermediate hops end */
	unsigned char *eligible;	/* enough end-to-end samples to judge the flow */
	struct findings *out;
	int cap;		/* allocated items in out */
	bool oom;
};

/* diag_evidence.c: figures, masks, responders, ranges, the split into lossy and clean flows. */
bool udp_target_limited(const struct results *r);
double test_lossier(struct tally a, struct tally b);
bool flow_has_hop(const struct flow_result *f, int k);
struct tally pool_e2e(const struct diag *d, const unsigned char *mask);
struct tally pool_hop(const struct diag *d, const unsigned char *mask, int k);
bool branches_share_parent(const struct branch_result *a, const struct branch_result *b, int k);
struct tally pool_hop_settled(const struct diag *d, const unsigned char *mask, int k);
bool informative(struct tally t);
bool clean_figure(struct tally t);
bool much_cleaner(struct tally tl, struct tally tc);
int mask_count(const struct diag *d, const unsigned char *mask);
int mask_end(const struct diag *d, const unsigned char *mask);
void branch_mask(const struct diag *d, const struct branch_result *b, unsigned char *mask);
struct ip_addr majority_addr(const struct diag *d, const unsigned char *mask, int k);
struct ip_addr prev_responder(const struct diag *d, const unsigned char *mask, int k);
int ttl_of(const struct diag *d, int k);
int mixed_from(const struct diag *d, const unsigned char *g);
int clean_before(const struct diag *d, const unsigned char *g, int k, struct tally e2e);
bool beyond_default_limit(const struct diag *d, int k, const struct ip_addr *at);
bool hop_unlimited(const struct diag *d, const unsigned char *u, int k);
bool loss_confirmed(const struct diag *d, const unsigned char *g, const unsigned char *ref,
			   int k, int end, struct tally e2e);
int surely_by(const struct diag *d, const unsigned char *g, int k, struct tally e2e);
void set_range(const struct diag *d, struct finding *f, const unsigned char *g, int from,
		      int to, struct ip_addr to_addr);
bool last_hop_shared(const struct diag *d, const unsigned char *g, const unsigned char *s,
			    int end);
bool partition(struct diag *d, const unsigned char *in, unsigned char *lossy);
int localise(const struct diag *d, const unsigned char *g, const unsigned char *ref,
		    int from_k, struct tally e2e, bool *shown);

/* diag_say.c: a finding, its flows, figures, causes and sentence. */
struct finding *finding_new(struct diag *d, enum finding_kind kind);
void finding_flows(struct diag *d, struct finding *f, const unsigned char *mask);
void finding_failing_flows(struct diag *d, struct finding *f, const unsigned char *mask);
void finding_loss(struct finding *f, struct tally t, double baseline);
void say(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *pct(double v, char *buf, size_t len);
void say_loss(struct finding *f, const char *where);
void say_ports(struct finding *f);
void unplaced_drop_named(struct finding *f);
void say_unplaced(struct finding *f);
void add_cause(struct finding *f, enum finding_cause c);
void say_range(struct finding *f);

/* diag_loss.c: lossy branches, then return paths and loss every flow shares. */
bool branch_comparable(const struct branch_result *b);
void find_loss(struct diag *d);
/* diag_return.c: flows whose replies are lost on the way back. */
bool find_return_path(struct diag *d, unsigned char *active, const unsigned char *lossy,
		      unsigned char *returned, const unsigned char *spared);
/* Do flows a and b take the same forward path, as far as it is known (diag_return.c)? */
bool same_forward_path(const struct diag *d, int a, int b);
/* diag_own.c: flows that lose on a forward path no clean flow takes whole. */
void find_own_path(struct diag *d, unsigned char *active, const unsigned char *lossy,
		   const unsigned char *named);
/* diag_common.c: loss every flow of in shares. */
void find_common_loss(struct diag *d, const unsigned char *in);
/* diag_silent.c: the target that never answers. */
void find_silent_target(struct diag *d);
/* diag_slow.c: branches whose flows take longer than their siblings' (after find_rate_limited). */
void find_slow(struct diag *d);
/* diag_mtu.c: branches whose flows get smaller packets through than their siblings'. */
void find_mtu(struct diag *d);

#endif
