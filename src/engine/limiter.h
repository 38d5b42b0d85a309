/*
 * ICMP rate limiters as the engine learns them.  Routers limit the ICMP
 * errors they send per destination (Linux: icmp_ratelimit, a token bucket
 * of 6 answers refilled at one a second, for us as a whole), not per
 * address: a router whose route back to us is multipath answers from the
 * address of whichever interface the error leaves by, so several addresses
 * share one bucket.  This file keeps which answer addresses share a
 * limiter (one router), each limiter's bucket (burst and refill, learned
 * from what it withheld), and when it can next answer.  Pure: no I/O, no
 * clock of its own; the caller passes the engine clock (microseconds).
 */
#ifndef ECMPTRACE_ENGINE_LIMITER_H
#define ECMPTRACE_ENGINE_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* What a router answers at once before limiting: Linux's burst (6 x icmp_ratelimit). */
#define LIMITER_BURST 6
/* Time one token takes to come back: Linux's icmp_ratelimit default, 1000 ms. */
#define LIMITER_REFILL_US 1000000u
/* The same for ICMPv6: net.ipv6.icmp.ratelimit, 100 ms by default. */
#define LIMITER_REFILL6_US 100000u
/* Slowest refill learned (a limiter that withholds answers even when paced). */
#define LIMITER_REFILL_MAX_US 8000000u

/* Why addresses are taken for one limiter (one router). */
enum limiter_evidence {
	LIMITER_ALONE = 0,	/* nothing joins it to another address */
	LIMITER_LOCKSTEP,	/* answers stopped together: one bucket ran dry for all */
	LIMITER_LOCKSTEP_UNSURE,	/* the same, once, with nothing else to back it */
};

/* One limiter: a token bucket shared by its addresses. */
struct limiter {
	bool used;		/* false: a free slot (its addresses were moved) */
	bool limited;		/* it withheld an answer: it is paced */
	bool split;		/* joined once, then answered beyond one bucket: never joined again */
	uint8_t evidence;	/* enum limiter_evidence */
	int members;		/* addresses in it */
	int burst;		/* answers it gives at once (learned when it first withheld one) */
	uint64_t refill_us;	/* time per token once the burst is spent */
	double tokens;		/* estimated tokens at `at` */
	uint64_t at;		/* engine clock of that estimate */
	uint64_t answers;	/* answers seen from its addresses */
	uint64_t withheld;	/* probes it was seen to drop */
	int surprises;		/* answers withheld although the model had a token for them */
	int first_ttl;		/* smallest TTL at which one of its addresses answered */
};

/* An answer address and the limiter it belongs to. */
struct limiter_addr {
	struct ip_addr addr;
	int lim;		/* index in limiters.l */
};

struct limiters {
	struct limiter_addr *a;
	int na, capa;
	struct limiter *l;
	int nl, capl;
	bool seen_limiting;	/* some router in this run withheld answers */
};

void limiter_free(struct limiters *L);
/*
 * The limiter of address a, made (alone, full, Linux's bucket for a's
 * family as the prior) if a is new; -1 out of memory.
 */
int limiter_of(struct limiters *L, const struct ip_addr *a, int ttl, uint64_t now);
/* The limiter of address a, or -1 if it never answered. */
int limiter_find(const struct limiters *L, const struct ip_addr *a);
/* Tokens limiter i holds at now (its burst if it never withheld anything). */
double limiter_tokens(const struct limiters *L, int i, uint64_t now);
/* An answer came from limiter i: one token spent.  Returns false if one bucket cannot explain it. */
bool limiter_answer(struct limiters *L, int i, uint64_t now);
/* Limiter i withheld an answer at now (its bucket is empty); answers_before: its recent answers. */
void limiter_withheld(struct limiters *L, int i, uint64_t now, int answers_before);
/*
 * When limiter i holds `need` tokens: now if it does, or if it never
 * withheld anything and prior is false (prior: model it as Linux's bucket
 * anyway, as in a run where other routers were seen limiting).
 */
uint64_t limiter_ready(const struct limiters *L, int i, uint64_t now, int need, bool prior);
/* Joins limiter j into i (one router); returns the limiter kept, -1 if either may not be joined. */
int limiter_join(struct limiters *L, int i, int j, enum limiter_evidence ev);
/* Limiter i answered faster than one bucket allows: its addresses are limiters of their own again. */
void limiter_split(struct limiters *L, int i, uint64_t now);

#endif
