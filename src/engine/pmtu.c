/*
 * The path MTU search (pmtu.h).  Sizes are whole IP datagrams, as the
 * MTU counts them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/pmtu.h"
#include "wake.h"

/* IP + UDP/ICMP (8) or TCP (20, no options) headers of a probe. */
uint16_t pmtu_headers(const struct engine *e)
{
	return (uint16_t)((e->cfg.dst.family == AF_INET6 ? 40 : 20) +
			  (e->cfg.proto == PROBE_TCP ? 20 : 8));
}

/* FNV-1a over the responders flow f meets from the first TTL to the target; 0: not there yet. */
static uint64_t path_sig(const struct engine *e, const struct flow_state *f)
{
	uint64_t h = 0xcbf29ce484222325ull;

	/* A target on this host's own link: its MTU is the link's, no path to measure. */
	if (f->dest_ttl <= 1)
		return 0;
	for (int t = e->cfg.first_ttl; t < f->dest_ttl; t++) {
		const struct responder *who = cell_dominant(&f->cells[t]);
		uint8_t b[16] = {0};

		if (who != NULL)
			memcpy(b, who->addr.b, addr_len(&who->addr));
		for (size_t i = 0; i < sizeof(b); i++)
			h = (h ^ b[i]) * 0x100000001b3ull;
	}
	return h ? h : 1;
}

static struct pmtu_path *path_of_sig(const struct pmtu_state *s, uint64_t sig)
{
	for (int i = 0; i < s->npaths; i++)
		if (s->paths[i].sig == sig)
			return &s->paths[i];
	return NULL;
}

/* The path flow f probes for, if it probes one. */
static struct pmtu_path *path_of_flow(const struct pmtu_state *s, int f)
{
	for (int i = 0; i < s->npaths; i++)
		if (s->paths[i].flow == f)
			return &s->paths[i];
	return NULL;
}

/* Paths no flow has measured yet get the first flow that takes them. */
static void find_paths(struct engine *e)
{
	struct pmtu_state *s = &e->pmtu;
	/* IPv6 links carry 1280 bytes at least (RFC 8200); IPv4: what ordinary probes showed. */
	uint16_t floor = e->cfg.dst.family == AF_INET6 ? 1280
			 : (uint16_t)(pmtu_headers(e) + e->cfg.payload_len);

	for (int i = 0; i < e->nflows; i++) {
		uint64_t sig = path_sig(e, &e->flows[i]);
		struct pmtu_path *grown;

		if (sig == 0 || path_of_sig(s, sig) != NULL)
			continue;
		if (s->npaths == s->cap) {
			int cap = s->cap ? 2 * s->cap : 8;

			grown = realloc(s->paths, (size_t)cap * sizeof(*grown));
			if (grown == NULL)
				return;
			s->paths = grown;
			s->cap = cap;
		}
		s->paths[s->npaths++] = (struct pmtu_path){.sig = sig, .flow = i, .lo = floor};
	}
}

/* The size of the ordinary probes, which every flow's answers prove. */
static uint16_t plain_size(const struct engine *e)
{
	return (uint16_t)(pmtu_headers(e) + e->cfg.payload_len);
}

/* The size to try next on path p. */
static uint16_t next_size(const struct engine *e, const struct pmtu_path *p)
{
	if (p->hi == 0)
		return PMTU_CEILING;
	/*
	 * Narrowed down to an IPv6 floor (1280) without a single answer: one
	 * probe of the floor's size says whether the target answers these
	 * probes at all.  (An IPv4 floor is the ordinary probes' size.)
	 */
	if (!p->answered && p->lo > plain_size(e) &&
	    p->hi - p->lo <= (e->cfg.pmtu_step > 0 ? e->cfg.pmtu_step : 1))
		return p->lo;
	if (p->next > p->lo && p->next < p->hi)
		return p->next;
	return (uint16_t)(p->lo + (p->hi - p->lo) / 2);
}

/*
 * An echo probe's limit found by silence alone may be the way back's
 * (pmtu.h): it is checked on the way there, once.
 */
static bool needs_check(const struct engine *e, const struct pmtu_path *p)
{
	return e->cfg.proto == PROBE_ICMP && p->hi != 0 && p->hi > p->lo && p->answered &&
	       !p->told && !p->both_ways && p->check_ttl == 0;
}

/*
 * Probes of the first size that failed go to the hop before the target,
 * if that hop answers this flow at all and its answer can reach the
 * engine; else the size stays as both ways.
 */
static void start_check(const struct engine *e, struct pmtu_path *p)
{
	const struct flow_state *f = &e->flows[p->flow];
	int t = f->dest_ttl - 1;

	if (e->cfg.whole_quotes_only || t < e->cfg.first_ttl || t < 1 ||
	    f->cells[t].received == 0) {
		p->both_ways = true;
		return;
	}
	p->check_ttl = (uint8_t)t;
	p->checking = true;
	p->silences = 0;
	p->done = false;
}

static void check_done(const struct engine *e, struct pmtu_path *p)
{
	int step = e->cfg.pmtu_step > 0 ? e->cfg.pmtu_step : 1;

	bool narrow = p->lo >= PMTU_CEILING || (p->hi != 0 && p->hi - p->lo <= step);

	/* Unanswered above an IPv6 floor: it ends once the floor's size went unanswered too. */
	p->done = narrow && (p->answered || p->lo <= plain_size(e) ||
			     (p->hi != 0 && p->hi <= p->lo));
	if (p->done && needs_check(e, p))
		start_check(e, p);
}

bool pmtu_next(struct engine *e, uint64_t now, int *flow, uint16_t *size, int *ttl,
	       uint64_t *wake)
{
	struct pmtu_state *s = &e->pmtu;
	bool busy = false;

	/* After the first round, and never while discovery probes the paths it would measure. */
	if (e->cfg.pmtu_step <= 0 || e->round < 2 || e->mda.running)
		return false;
	if (now < s->next_at) {
		*wake = wake_earliest(*wake, s->next_at);
		return false;
	}
	find_paths(e);
	/*
	 * One probe in flight per path, a gap between any two: cheap, and
	 * paths whose sizes die in silence (a black hole, each size waited
	 * for several times) do not queue behind one another.
	 */
	for (int k = 1; k <= s->npaths; k++) {
		int i = (s->turn + k) % s->npaths;
		struct pmtu_path *p = &s->paths[i];

		if (p->trying != 0)
			busy = true;
		if (p->done || p->trying != 0)
			continue;
		s->turn = i;
		*flow = p->flow;
		*size = p->checking ? p->hi : next_size(e, p);
		*ttl = p->checking ? p->check_ttl : 0;
		return true;
	}
	if (busy) {
		*wake = wake_earliest(*wake, now + PMTU_POLL_US);
		return false;
	}
	/* Every path measured: look for new ones a gap from now, not at every call. */
	s->next_at = now + PMTU_GAP_US;
	return false;
}

void pmtu_sent(struct engine *e, int flow, uint16_t size, uint64_t now)
{
	struct pmtu_path *p = path_of_flow(&e->pmtu, flow);

	e->pmtu.next_at = now + PMTU_GAP_US;
	if (p == NULL)
		return;
	if (p->last != size)
		p->silences = 0;
	p->last = size;
	p->trying = size;
}

/*
 * The answer to a way-there check's probe: a time exceeded says the size
 * reached the hop before the target (the limit is past it, or on the way
 * back); an error about its size, that the limit is on the way there; the
 * target's own answer (the path got shorter), that the size gets through
 * after all: the search opens again above it.
 */
static void check_answer(const struct engine *e, struct pmtu_path *pp, const struct probe_rec *p,
			 const struct reply *r)
{
	pp->checking = false;
	pp->done = true;
	if (r->kind == REPLY_TIME_EXCEEDED) {
		pp->both_ways = true;
	} else if (!addr_equal(&r->from, &e->cfg.dst)) {
		pp->told = true;
		pp->ptb = pp->ptb || r->mtu != 0;
	} else {
		pp->lo = p->size;
		pp->hi = 0;
		pp->check_ttl = 0;
		pp->done = false;
	}
}

void pmtu_answer(struct engine *e, const struct probe_rec *p, const struct reply *r)
{
	struct pmtu_path *pp = path_of_flow(&e->pmtu, p->flow);

	if (pp == NULL)
		return;
	if (pp->trying == p->size)
		pp->trying = 0;
	if (p->pmtu_check) {
		/* A time exceeded after its silences were taken for the way there: it was not. */
		if (pp->checking || (pp->check_ttl != 0 && r->kind == REPLY_TIME_EXCEEDED))
			check_answer(e, pp, p, r);
		return;
	}
	if (r->mtu != 0 || (r->kind == REPLY_DEST_UNREACH && !addr_equal(&r->from, &e->cfg.dst))) {
		/* Too big somewhere on the way; the next-hop MTU is the size to try. */
		pp->ptb = pp->ptb || r->mtu != 0;
		pp->told = true;
		if (pp->hi == 0 || p->size < pp->hi)
			pp->hi = p->size;
		if (r->mtu > pp->lo && r->mtu < pp->hi)
			pp->next = (uint16_t)r->mtu;
	} else if (addr_equal(&r->from, &e->cfg.dst)) {
		/* Only a size larger than the ordinary probes' tells anything new. */
		pp->answered = pp->answered || p->size > plain_size(e);
		if (p->size > pp->lo)
			pp->lo = p->size;
		/* The MTU a router named gets through: that is the path's, to the byte. */
		if (pp->next != 0 && p->size == pp->next)
			pp->hi = (uint16_t)(p->size + 1);
		/* A late answer to a size taken as too big: the search opens again above it. */
		if (pp->hi != 0 && pp->hi <= pp->lo) {
			pp->hi = 0;
			pp->check_ttl = 0;
			pp->both_ways = false;
		}
	}
	pp->silences = 0;
	check_done(e, pp);
}

/*
 * Silences in a row that take a size for too big on flow f's path: q^k <
 * 1 / PMTU_FALSE_SILENCE for the loss q its ordinary probes to the target
 * showed (Laplace's estimate, so a few probes without loss are no proof
 * of none).
 */
static int silences_needed(const struct engine *e, int f, int ttl)
{
	const struct flow_state *fl = &e->flows[f];
	int at = ttl ? ttl : fl->dest_ttl;
	const struct cell *c = at ? &fl->cells[at] : NULL;
	/* To the target, the flow's reach probes count too; at a router's TTL, its cell alone. */
	double lost = (ttl ? 0.0 : (double)fl->reach.lost) + (c ? (double)c->lost : 0.0);
	double n = lost + (ttl ? 0.0 : (double)fl->reach.received) + (c ? (double)c->received : 0.0);
	double q = (lost + 1.0) / (n + 2.0);
	int k = (int)ceil(log(1.0 / PMTU_FALSE_SILENCE) / log(q));

	return k < PMTU_SILENCES ? PMTU_SILENCES : k > PMTU_SILENCES_MAX ? PMTU_SILENCES_MAX : k;
}

void pmtu_lost(struct engine *e, const struct probe_rec *p)
{
	struct pmtu_path *pp = path_of_flow(&e->pmtu, p->flow);

	if (pp == NULL || pp->trying != p->size)
		return;
	pp->trying = 0;
	if (p->pmtu_check) {
		if (!pp->checking || ++pp->silences < silences_needed(e, p->flow, p->ttl))
			return;
		/* The hop before the target never saw the size either: the limit is on the way there. */
		pp->silences = 0;
		pp->checking = false;
		pp->done = true;
		return;
	}
	if (++pp->silences < silences_needed(e, p->flow, 0))
		return;
	pp->silences = 0;
	if (pp->hi == 0 || p->size < pp->hi)
		pp->hi = p->size;
	check_done(e, pp);
}

uint16_t pmtu_of_flow(const struct engine *e, int i, bool *ptb, bool *both_ways)
{
	const struct pmtu_path *p = path_of_sig(&e->pmtu, path_sig(e, &e->flows[i]));

	*ptb = p != NULL && p->ptb;
	*both_ways = p != NULL && p->both_ways;
	return p != NULL && p->done && p->answered ? p->lo : 0;
}

void pmtu_discarded(struct pmtu_state *s)
{
	for (int i = 0; i < s->npaths; i++)
		s->paths[i].trying = 0;
}

void pmtu_free(struct pmtu_state *s)
{
	free(s->paths);
	*s = (struct pmtu_state){0};
}
