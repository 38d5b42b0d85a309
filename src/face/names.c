/*
 * Responder names for the batch faces (see names.h).  One wait for all
 * lookups, so a report with twenty routers costs one DNS timeout, not twenty.
 */
#include <stdio.h>
#include <string.h>

#include "engine/results.h"
#include "face/names.h"
#include "namer.h"

/* How long a report waits for reverse DNS in all. */
#define NAMES_WAIT_MS 3000

void names_prefetch(const struct results *r, const struct namer *nm)
{
	if (nm == NULL)
		return;
	for (int i = 0; i < r->nhops; i++)
		for (int j = 0; j < r->hops[i].nbranches; j++)
			(void)nm->lookup(nm->ctx, &r->hops[i].branches[j].addr);
	if (nm->wait != NULL)
		nm->wait(nm->ctx, NAMES_WAIT_MS);
}

const char *names_label(const struct namer *nm, const struct ip_addr *a, char *buf, size_t len)
{
	char num[ADDR_STRLEN];
	const char *name;

	if (!addr_is_set(a)) {
		snprintf(buf, len, "*");
		return buf;
	}
	addr_format(a, num, sizeof(num));
	name = nm ? nm->lookup(nm->ctx, a) : NULL;
	if (name != NULL && strcmp(name, num) != 0)
		snprintf(buf, len, "%s (%s)", name, num);
	else
		snprintf(buf, len, "%s", num);
	return buf;
}
