/*
 * The MPLS label stacks routers quote (mpls.h).  A table searched from the
 * end: the pairs of one path are few, and a run whose routers quote no
 * labels never adds one, so answers without labels cost one comparison.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/mpls.h"

static struct mpls_seen *find(const struct mpls_table *t, int ttl, const struct ip_addr *addr)
{
	for (int i = t->n - 1; i >= 0; i--)
		if (t->v[i].ttl == ttl && addr_equal(&t->v[i].addr, addr))
			return &t->v[i];
	return NULL;
}

/* A new entry for (ttl, addr), or NULL at the limit or without memory. */
static struct mpls_seen *add(struct mpls_table *t, int ttl, const struct ip_addr *addr)
{
	struct mpls_seen *s;

	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;

		if (t->n >= MPLS_SEEN_MAX)
			return NULL;
		s = realloc(t->v, (size_t)cap * sizeof(*s));
		if (s == NULL)
			return NULL;
		t->v = s;
		t->cap = cap;
	}
	s = &t->v[t->n++];
	*s = (struct mpls_seen){.ttl = ttl, .addr = *addr};
	return s;
}

void mpls_note(struct mpls_table *t, int ttl, const struct reply *r)
{
	struct mpls_seen *s;
	int n = r->mpls_count;

	if (n <= 0 && t->n == 0)
		return;
	s = find(t, ttl, &r->from);
	if (s == NULL && n <= 0)
		return;
	if (s == NULL)
		s = add(t, ttl, &r->from);
	if (s == NULL)
		return;
	if (n > MPLS_STACK_MAX)
		n = MPLS_STACK_MAX;
	s->stack.n = n > 0 ? n : 0;
	if (n > 0)
		memcpy(s->stack.entry, r->mpls_entry, (size_t)n * sizeof(s->stack.entry[0]));
}

const struct mpls_stack *mpls_find(const struct mpls_table *t, int ttl, const struct ip_addr *addr)
{
	const struct mpls_seen *s = find(t, ttl, addr);

	return s != NULL && s->stack.n > 0 ? &s->stack : NULL;
}

void mpls_table_free(struct mpls_table *t)
{
	free(t->v);
	*t = (struct mpls_table){0};
}
