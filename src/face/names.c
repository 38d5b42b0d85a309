/*
 * Responder names for the batch faces (see names.h).  One wait for all
 * lookups, so a report with twenty routers costs one DNS timeout, not twenty.
 */
#include <stdio.h>
#include <string.h>

#include "engine/results.h"
#include "face/names.h"
#include "net/resolve.h"

/* How long a report waits for reverse DNS in all. */
#define NAMES_WAIT_MS 3000

void names_prefetch(const struct results *r, struct resolver *res)
{
	if (res == NULL)
		return;
	for (int i = 0; i < r->nhops; i++)
		for (int j = 0; j < r->hops[i].nbranches; j++)
			(void)resolver_lookup(res, &r->hops[i].branches[j].addr);
	resolver_wait(res, NAMES_WAIT_MS);
}

const char *names_label(struct resolver *res, const struct ip_addr *a, char *buf, size_t len)
{
	char num[ADDR_STRLEN];
	const char *name;

	if (!addr_is_set(a)) {
		snprintf(buf, len, "*");
		return buf;
	}
	addr_format(a, num, sizeof(num));
	name = res ? resolver_lookup(res, a) : NULL;
	if (name != NULL && strcmp(name, num) != 0)
		snprintf(buf, len, "%s (%s)", name, num);
	else
		snprintf(buf, len, "%s", num);
	return buf;
}
