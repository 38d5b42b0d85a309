/*
 * ICMP rate limiters (see limiter.h).  Each limiter is modelled as the
 * token bucket Linux uses (net/ipv4/icmp.c, inet_peer_xrlim_allow): tokens
 * come back at one per refill period up to the burst, every error sent
 * takes one, an error without a token is not sent.  Until a limiter
 * withholds something the model is only a prior (Linux's defaults); the
 * first answer it withholds fixes its burst at the answers it had just
 * given, and a withheld answer when the model said a token was there
 * means the refill is slower than thought.
 */
#include <stdlib.h>

#include "engine/limiter.h"

void limiter_free(struct limiters *L)
{
	free(L->a);
	free(L->l);
	*L = (struct limiters){0};
}

static bool grow(void **p, int *cap, int need, size_t size)
{
	int cap2;
	void *q;

	if (need <= *cap)
		return true;
	cap2 = *cap ? *cap * 2 : 16;
	while (cap2 < need)
		cap2 *= 2;
	q = realloc(*p, (size_t)cap2 * size);
	if (q == NULL)
		return false;
	*p = q;
	*cap = cap2;
	return true;
}

/* A new limiter holding one address, with Linux's bucket as the prior, full. */
static int new_limiter(struct limiters *L, int ttl, uint64_t now, uint64_t refill_us)
{
	void *p = L->l;

	if (!grow(&p, &L->capl, L->nl + 1, sizeof(*L->l)))
		return -1;
	L->l = p;
	L->l[L->nl] = (struct limiter){
		.used = true,
		.members = 1,
		.burst = LIMITER_BURST,
		.refill_us = refill_us,
		.tokens = LIMITER_BURST,
		.at = now,
		.first_ttl = ttl,
	};
	return L->nl++;
}

int limiter_find(const struct limiters *L, const struct ip_addr *a)
{
	for (int i = 0; i < L->na; i++)
		if (addr_equal(&L->a[i].addr, a))
			return L->a[i].lim;
	return -1;
}

int limiter_of(struct limiters *L, const struct ip_addr *a, int ttl, uint64_t now)
{
	int i = limiter_find(L, a);
	void *p = L->a;

	if (i >= 0) {
		if (ttl < L->l[i].first_ttl)
			L->l[i].first_ttl = ttl;
		return i;
	}
	if (!grow(&p, &L->capa, L->na + 1, sizeof(*L->a)))
		return -1;
	L->a = p;
	i = new_limiter(L, ttl, now, a->family == AF_INET6 ? LIMITER_REFILL6_US : LIMITER_REFILL_US);
	if (i < 0)
		return -1;
	L->a[L->na++] = (struct limiter_addr){.addr = *a, .lim = i};
	return i;
}

double limiter_tokens(const struct limiters *L, int i, uint64_t now)
{
	const struct limiter *l = &L->l[i];
	double t = l->tokens;

	if (now > l->at)
		t += (double)(now - l->at) / (double)l->refill_us;
	return t < l->burst ? t : l->burst;
}

bool limiter_answer(struct limiters *L, int i, uint64_t now)
{
	struct limiter *l = &L->l[i];
	double t = limiter_tokens(L, i, now) - 1;

	l->answers++;
	l->at = now > l->at ? now : l->at;
	/*
	 * A real bucket never answers without a token.  The model can fall
	 * short a little (answers were sent before they reached us, and the
	 * kernel counts in jiffies); by more than a token and a half, the
	 * addresses are not one bucket.
	 */
	if (l->limited && l->members > 1) {
		/* A joined bucket keeps its debt: two answers beyond it are not one bucket. */
		l->tokens = t;
		return t >= -1.5;
	}
	l->tokens = t < 0 ? 0 : t;
	return true;
}

void limiter_withheld(struct limiters *L, int i, uint64_t now, int answers_before)
{
	struct limiter *l = &L->l[i];

	/*
	 * Withheld although a token was due: the refill is slower than the
	 * model's -- or a probe was lost, so only the second time.
	 */
	if (l->limited && limiter_tokens(L, i, now) >= 1.0 && ++l->surprises >= 2 &&
	    l->refill_us < LIMITER_REFILL_MAX_US) {
		l->refill_us *= 2;
		l->surprises = 0;
	}
	if (!l->limited && answers_before > 0)
		l->burst = answers_before;
	l->limited = true;
	l->withheld++;
	l->tokens = 0;
	l->at = now;
	L->seen_limiting = true;
}

uint64_t limiter_ready(const struct limiters *L, int i, uint64_t now, int need, bool prior)
{
	const struct limiter *l = &L->l[i];
	double short_by;

	if (!l->limited && !prior)
		return now;
	if (need > l->burst)
		need = l->burst;
	short_by = (double)need - limiter_tokens(L, i, now);
	if (short_by <= 0)
		return now;
	return now + (uint64_t)(short_by * (double)l->refill_us) + 1;
}

int limiter_join(struct limiters *L, int i, int j, enum limiter_evidence ev)
{
	struct limiter *a = &L->l[i], *b = &L->l[j];

	if (i == j)
		return i;
	if (a->split || b->split)
		return -1;
	for (int k = 0; k < L->na; k++)
		if (L->a[k].lim == j)
			L->a[k].lim = i;
	a->members += b->members;
	a->answers += b->answers;
	a->withheld += b->withheld;
	a->limited = a->limited || b->limited;
	if (b->first_ttl < a->first_ttl)
		a->first_ttl = b->first_ttl;
	/* One bucket: it holds no more than the emptier estimate, both taken at the later time. */
	{
		uint64_t at = a->at > b->at ? a->at : b->at;
		double ta = limiter_tokens(L, i, at), tb = limiter_tokens(L, j, at);

		a->at = at;
		a->tokens = ta < tb ? ta : tb;
	}
	a->evidence = (uint8_t)ev;
	*b = (struct limiter){0};
	return i;
}

void limiter_split(struct limiters *L, int i, uint64_t now)
{
	struct limiter *l = &L->l[i];
	bool first = true, limited = l->limited;

	for (int k = 0; k < L->na; k++) {
		int n;

		if (L->a[k].lim != i)
			continue;
		if (first) {
			first = false;
			continue;
		}
		n = new_limiter(L, L->l[i].first_ttl, now, L->l[i].refill_us);
		if (n < 0)
			break;
		L->a[k].lim = n;
		L->l[n].split = true;
		L->l[n].limited = limited;
		if (limited)
			L->l[n].tokens = 0;
		L->l[i].members--;
	}
	l = &L->l[i];
	l->split = true;
	l->evidence = LIMITER_ALONE;
}
