/*
 * The ICMP rate limiter model (src/engine/limiter.c): Linux's token bucket
 * as the prior, what a withheld answer teaches, joining addresses into one
 * limiter and splitting a join that answers faster than one bucket.
 */
#include <string.h>

#include "engine/limiter.h"
#include "tests/tap.h"

#define S 1000000ull	/* one second of engine clock */

static struct ip_addr v4(int last)
{
	struct ip_addr a = {.family = AF_INET, .b = {10, 0, 0, (uint8_t)last}};

	return a;
}

/* A fresh limiter paces nothing until it withholds; then it is Linux's bucket. */
static void bucket(void)
{
	struct limiters L = {0};
	struct ip_addr a = v4(1);
	int l = limiter_of(&L, &a, 3, 10 * S);

	ok(l >= 0 && limiter_find(&L, &a) == l, "an address gets a limiter of its own");
	ok(limiter_ready(&L, l, 10 * S, 100, false) == 10 * S,
	   "a limiter that never withheld anything does not hold probes back");
	for (int i = 0; i < 6; i++)
		limiter_answer(&L, l, 10 * S + (uint64_t)i);
	ok(limiter_tokens(&L, l, 10 * S + 10) < 0.1, "six answers spend Linux's burst");
	ok(limiter_ready(&L, l, 10 * S + 10, 1, true) > 10 * S + 10,
	   "with the prior (others limit), the spent bucket holds the next probe back");
	limiter_withheld(&L, l, 10 * S + 20, 6);
	ok(L.l[l].limited && L.l[l].burst == 6 && L.seen_limiting,
	   "a withheld answer: limited, burst learned from the answers before it");
	ok(limiter_ready(&L, l, 10 * S + 20, 1, false) == 11 * S + 21,
	   "the next token comes a refill period after the silence");
	ok(limiter_ready(&L, l, 12 * S, 2, false) > 12 * S && limiter_ready(&L, l, 12 * S, 1, false) == 12 * S,
	   "tokens come back one a second");
	ok(limiter_ready(&L, l, 40 * S, 6, false) == 40 * S, "and no more than the burst");
	limiter_free(&L);
}

/* A withheld answer while the model had a token, twice: the refill is slower. */
static void slower_refill(void)
{
	struct limiters L = {0};
	struct ip_addr a = v4(2);
	int l = limiter_of(&L, &a, 2, S);

	limiter_withheld(&L, l, S, 3);
	limiter_withheld(&L, l, 3 * S, 0);
	ok(L.l[l].refill_us == LIMITER_REFILL_US, "one surprise could be a loss: refill kept");
	limiter_withheld(&L, l, 5 * S, 0);
	ok(L.l[l].refill_us == 2 * LIMITER_REFILL_US, "a second one doubles the refill period");
	ok(L.l[l].burst == 3, "the burst stays what the first silence showed");
	limiter_free(&L);
}

/* Four addresses joined are one bucket; answering faster than it allows splits them. */
static void join_split(void)
{
	struct limiters L = {0};
	struct ip_addr a[4];
	int l[4], k;

	for (int i = 0; i < 4; i++) {
		a[i] = v4(10 + i);
		l[i] = limiter_of(&L, &a[i], 3, S);
	}
	k = l[0];
	for (int i = 1; i < 4; i++)
		k = limiter_join(&L, k, l[i], LIMITER_LOCKSTEP);
	ok(k == l[0] && L.l[k].members == 4, "four addresses joined into one limiter");
	for (int i = 0; i < 4; i++)
		ok(limiter_find(&L, &a[i]) == k, "address %d is found in the joined limiter", i);
	limiter_withheld(&L, k, 2 * S, 6);
	ok(limiter_answer(&L, k, 3 * S), "one answer a second fits one bucket");
	ok(!limiter_answer(&L, k, 3 * S + 10) || !limiter_answer(&L, k, 3 * S + 20),
	   "three answers at once after a silence do not");
	limiter_split(&L, k, 3 * S + 20);
	ok(L.l[k].members == 1 && L.l[k].split, "the join is undone");
	ok(limiter_find(&L, &a[1]) != k && limiter_find(&L, &a[1]) >= 0,
	   "its addresses have limiters of their own again");
	ok(limiter_join(&L, limiter_find(&L, &a[1]), limiter_find(&L, &a[2]), LIMITER_LOCKSTEP) < 0,
	   "and are never joined again");
	limiter_free(&L);
}

/* ICMPv6 errors come back ten times faster by default (net.ipv6.icmp.ratelimit 100 ms). */
static void v6_prior(void)
{
	struct limiters L = {0};
	struct ip_addr a = {.family = AF_INET6, .b = {0xfd, 0, [15] = 1}};
	int l = limiter_of(&L, &a, 2, S);

	limiter_withheld(&L, l, S, 6);
	ok(L.l[l].refill_us == LIMITER_REFILL6_US &&
	   limiter_ready(&L, l, S, 1, false) == S + LIMITER_REFILL6_US + 1,
	   "an IPv6 limiter refills a token in 100 ms");
	limiter_free(&L);
}

int main(void)
{
	bucket();
	v6_prior();
	slower_refill();
	join_split();
	return tap_done();
}
