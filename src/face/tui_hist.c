/*
 * RTT history for the live view's charts (see tui_hist.h): a small
 * open-addressing hash table of ring buffers, fed once per tick from the
 * engine's running totals.
 */
#include <stdlib.h>
#include <string.h>

#include "face/tui_hist.h"

bool tui_key_equal(const struct tui_key *a, const struct tui_key *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TUI_KEY_HOP:
		return a->ttl == b->ttl;
	case TUI_KEY_BRANCH:
		if (a->ttl != b->ttl || addr_is_set(&a->addr) != addr_is_set(&b->addr))
			return false;
		return !addr_is_set(&a->addr) || addr_equal(&a->addr, &b->addr);
	case TUI_KEY_FLOW:
		return a->flow == b->flow;
	case TUI_KEY_VIA:
		return a->ttl == b->ttl && addr_equal(&a->addr, &b->addr) &&
		       addr_equal(&a->via, &b->via);
	case TUI_KEY_LABEL:
		return a->ttl == b->ttl && addr_equal(&a->addr, &b->addr) && a->flow == b->flow;
	case TUI_KEY_NONE:
		break;
	}
	return true;
}

static uint32_t key_hash(const struct tui_key *k)
{
	uint32_t h = (uint32_t)k->kind * 0x9e3779b1u;

	switch (k->kind) {
	case TUI_KEY_BRANCH:
		/* The TTL is part of a branch's identity: one router may answer at several. */
		if (addr_is_set(&k->addr))
			h ^= addr_hash(&k->addr);
		h ^= (uint32_t)k->ttl * 0x85ebca6bu;
		break;
	case TUI_KEY_HOP:
		h ^= (uint32_t)k->ttl * 0x85ebca6bu;
		break;
	case TUI_KEY_FLOW:
		h ^= (uint32_t)k->flow * 0xc2b2ae35u;
		break;
	case TUI_KEY_VIA:
		h ^= addr_hash(&k->addr) ^ (addr_hash(&k->via) * 31u);
		h ^= (uint32_t)k->ttl * 0x85ebca6bu;
		break;
	case TUI_KEY_LABEL:
		h ^= addr_hash(&k->addr) ^ (uint32_t)k->flow * 0xc2b2ae35u;
		h ^= (uint32_t)k->ttl * 0x85ebca6bu;
		break;
	case TUI_KEY_NONE:
		break;
	}
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

void tui_hist_init(struct tui_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void tui_hist_clear(struct tui_hist *h)
{
	if (h->slots)
		memset(h->slots, 0, h->cap * sizeof(*h->slots));
	h->used = 0;
}

void tui_hist_free(struct tui_hist *h)
{
	free(h->slots);
	tui_hist_init(h);
}

/* The slot holding k, or the empty slot where it would go. */
static struct tui_hist_entry *probe_slot(struct tui_hist_entry *slots, size_t cap,
					 const struct tui_key *k)
{
	size_t i = key_hash(k) & (cap - 1);

	while (slots[i].used && !tui_key_equal(&slots[i].key, k))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table, keeping the load under one half so probes stay short. */
static bool grow(struct tui_hist *h)
{
	size_t ncap = h->cap ? h->cap * 2 : 64;
	struct tui_hist_entry *ns;

	if (ncap > SIZE_MAX / sizeof(*ns))
		return false;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return false;
	for (size_t i = 0; i < h->cap; i++) {
		if (h->slots[i].used)
			*probe_slot(ns, ncap, &h->slots[i].key) = h->slots[i];
	}
	free(h->slots);
	h->slots = ns;
	h->cap = ncap;
	return true;
}

const struct tui_hist_entry *tui_hist_find(const struct tui_hist *h, const struct tui_key *k)
{
	const struct tui_hist_entry *e;

	if (!h->cap)
		return NULL;
	e = probe_slot(h->slots, h->cap, k);
	return e->used ? e : NULL;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

bool tui_hist_update(struct tui_hist *h, const struct tui_key *k,
		     uint64_t received, uint64_t lost, const struct rtt_stats *rtt)
{
	struct tui_hist_entry *e;
	struct tui_bucket *b;
	double sum = rtt->mean * (double)rtt->n;

	if ((h->used + 1) * 2 > h->cap && !grow(h))
		return false;
	e = probe_slot(h->slots, h->cap, k);
	if (!e->used) {
		/* A new key: what it has so far is its baseline, not news. */
		memset(e, 0, sizeof(*e));
		e->used = true;
		e->key = *k;
		h->used++;
		goto baseline;
	}
	if (received < e->seen_received || lost < e->seen_lost || rtt->n < e->seen_n)
		goto baseline;	/* statistics were reset under us */
	if (received == e->seen_received && lost == e->seen_lost)
		return true;
	b = &e->ring[e->head];
	b->received = clamp32(received - e->seen_received);
	b->lost = clamp32(lost - e->seen_lost);
	b->rtt_us = -1;
	if (rtt->n > e->seen_n && sum >= e->seen_sum_us)
		b->rtt_us = (int64_t)((sum - e->seen_sum_us) / (double)(rtt->n - e->seen_n) + 0.5);
	e->head = (e->head + 1) % TUI_HIST_LEN;
	if (e->count < TUI_HIST_LEN)
		e->count++;
baseline:
	e->seen_received = received;
	e->seen_lost = lost;
	e->seen_n = rtt->n;
	e->seen_sum_us = sum;
	return true;
}

size_t tui_hist_series(const struct tui_hist_entry *e, struct tui_bucket *out, size_t max)
{
	size_t n = (size_t)e->count < max ? (size_t)e->count : max;
	size_t start = ((size_t)e->head + TUI_HIST_LEN - n) % TUI_HIST_LEN;

	for (size_t i = 0; i < n; i++)
		out[i] = e->ring[(start + i) % TUI_HIST_LEN];
	return n;
}
