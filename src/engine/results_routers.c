/*
 * The snapshot's routers of several addresses (results.h): every learned
 * ICMP rate limiter (limiter.h) that holds more than one answer address
 * is one router whose route back to us is multipath.  Each branch whose
 * address is one of them carries the router's id, so faces can say that
 * branches which look distinct are one machine.
 */
#include <stdlib.h>

#include "engine/engine_int.h"
#include "engine/results.h"

/* Fills one router from limiter l; false when out of memory. */
static bool router_fill(const struct limiters *L, int l, struct router_result *rr)
{
	const struct limiter *lim = &L->l[l];

	rr->addrs = calloc((size_t)lim->members, sizeof(*rr->addrs));
	if (rr->addrs == NULL)
		return false;
	for (int k = 0; k < L->na && rr->naddrs < lim->members; k++)
		if (L->a[k].lim == l)
			rr->addrs[rr->naddrs++] = L->a[k].addr;
	rr->ttl = lim->first_ttl;
	rr->sure = lim->evidence == LIMITER_LOCKSTEP;
	rr->burst = lim->burst;
	rr->refill_us = lim->refill_us;
	rr->withheld = lim->withheld;
	return true;
}

/* Orders routers by TTL, then by their first address's place in the table. */
static int router_cmp(const void *pa, const void *pb)
{
	const struct router_result *a = pa, *b = pb;

	return (a->ttl > b->ttl) - (a->ttl < b->ttl);
}

bool results_routers(const struct engine *e, struct results *r)
{
	const struct limiters *L = &e->lim;
	int n = 0;

	for (int l = 0; l < L->nl; l++)
		n += L->l[l].used && L->l[l].members >= 2;
	if (n == 0)
		return true;
	r->routers = calloc((size_t)n, sizeof(*r->routers));
	if (r->routers == NULL)
		return false;
	for (int l = 0; l < L->nl; l++) {
		if (!L->l[l].used || L->l[l].members < 2)
			continue;
		if (!router_fill(L, l, &r->routers[r->nrouters++]))
			return false;
	}
	/* Stable enough: limiters are made in the order addresses first answered. */
	qsort(r->routers, (size_t)r->nrouters, sizeof(*r->routers), router_cmp);
	for (int i = 0; i < r->nrouters; i++)
		r->routers[i].id = i + 1;
	for (int h = 0; h < r->nhops; h++) {
		struct hop_result *hop = &r->hops[h];

		for (int b = 0; b < hop->nbranches; b++) {
			struct branch_result *br = &hop->branches[b];

			for (int i = 0; i < r->nrouters && br->router == 0; i++)
				for (int k = 0; k < r->routers[i].naddrs; k++)
					if (addr_equal(&r->routers[i].addrs[k], &br->addr))
						br->router = r->routers[i].id;
		}
	}
	return true;
}
