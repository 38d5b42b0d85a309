/*
 * What the local segment says about the first hop: which link-layer
 * addresses answer for, claim, or (in this host's neighbour table) stand
 * for each neighbour's IP.  Answers at TTL 1 are counted as they come;
 * with cfg.link_check the engine also asks every neighbour that answered
 * which link-layer address holds its IP (ARP, RFC 826; Neighbor
 * Solicitation, RFC 4861), so that a duplicated address shows even when
 * only one of its holders gets our probes.  Pure: the caller sends the
 * questions and hands over what comes back.
 */
#include <string.h>

#include "engine/engine_int.h"
#include "engine/linkcheck.h"

/* Questions per series, and the wait for a claim before asking again. */
#define LINK_TRIES 3
#define LINK_RETRY_US 250000
/*
 * After the first claim, how long a series still listens: every holder of
 * a duplicated address answers the same broadcast, within microseconds to
 * milliseconds of each other on one segment.
 */
#define LINK_SETTLE_US 100000
/*
 * A new series this often while monitoring.  Each claim also refreshes this
 * host's neighbour entry (as the kernel's own re-resolution does), so ask
 * rarely: a duplicated address is seen by one series.
 */
#define LINK_PERIOD_US 30000000

static bool same_lladdr(const struct neighbour_seen *n, const uint8_t *ll, size_t len)
{
	return n->lladdr_len == len && memcmp(n->lladdr, ll, len) == 0;
}

/* The pair (addr, ll), added when missing; NULL when the table is full or ll is unusable. */
static struct neighbour_seen *pair(struct engine *e, const struct ip_addr *addr,
				   const uint8_t *ll, size_t len)
{
	struct neighbour_seen *n;

	if (len == 0 || len > REPLY_LLADDR_MAX || !addr_is_set(addr))
		return NULL;
	for (int i = 0; i < e->nneighbours; i++) {
		n = &e->neighbours[i];
		if (addr_equal(&n->addr, addr) && same_lladdr(n, ll, len))
			return n;
	}
	if (e->nneighbours == ENGINE_NEIGHBOURS_MAX)
		return NULL;
	n = &e->neighbours[e->nneighbours++];
	*n = (struct neighbour_seen){.addr = *addr, .lladdr_len = (uint8_t)len};
	memcpy(n->lladdr, ll, len);
	return n;
}

static struct link_target *target_of(struct engine *e, const struct ip_addr *addr)
{
	for (int i = 0; i < e->nlink_targets; i++)
		if (addr_equal(&e->link_targets[i].addr, addr))
			return &e->link_targets[i];
	return NULL;
}

/*
 * Whether a claim or a table entry concerns the segment we trace through:
 * it is about a neighbour we ask, or it names the link-layer address of
 * one (another IP on a neighbour's MAC: one machine, or clones).
 */
static bool concerns_us(const struct engine *e, const struct ip_addr *addr, const uint8_t *ll,
			size_t len)
{
	/*
	 * The other family's (another target's, when one process traces
	 * both): every dual-stack router holds both families on one MAC.
	 */
	if (addr->family != e->cfg.dst.family)
		return false;
	for (int i = 0; i < e->nlink_targets; i++)
		if (addr_equal(&e->link_targets[i].addr, addr))
			return true;
	/* Every IPv6 interface has a link-local address on the MAC of its global ones. */
	if (addr->family == AF_INET6 && addr->b[0] == 0xfe && (addr->b[1] & 0xc0) == 0x80)
		return false;
	for (int i = 0; i < e->nneighbours; i++) {
		const struct neighbour_seen *n = &e->neighbours[i];

		if ((n->answers > 0 || n->claims > 0) && same_lladdr(n, ll, len))
			return true;
	}
	return false;
}

void link_reset_answers(struct engine *e)
{
	int kept = 0;

	for (int i = 0; i < e->nneighbours; i++) {
		struct neighbour_seen n = e->neighbours[i];

		n.answers = 0;
		if (n.claims > 0 || n.in_table)
			e->neighbours[kept++] = n;
	}
	e->nneighbours = kept;
}

void link_note_answer(struct engine *e, const struct reply *r, uint64_t now)
{
	struct neighbour_seen *n = pair(e, &r->from, r->lladdr, r->lladdr_len);

	if (n != NULL)
		n->answers++;
	/* Ask every neighbour that answers, once it is known; the target too when on-link. */
	if (!e->cfg.link_check || target_of(e, &r->from) != NULL ||
	    e->nlink_targets == ENGINE_NEIGHBOURS_MAX || r->from.family != e->cfg.src.family)
		return;
	e->link_targets[e->nlink_targets++] = (struct link_target){.addr = r->from, .next_at = now};
}

/* When the series of t ends: a claim heard and settled, or every question unanswered. */
static uint64_t series_end(const struct link_target *t)
{
	if (t->claimed_at != 0)
		return t->claimed_at + LINK_SETTLE_US;
	if (t->asked >= LINK_TRIES)
		return t->next_at;	/* the last question's retry time: none will come */
	return 0;	/* more questions to come */
}

uint64_t link_busy_until(const struct engine *e, uint64_t now)
{
	uint64_t until = 0;

	for (int i = 0; i < e->nlink_targets; i++) {
		const struct link_target *t = &e->link_targets[i];
		uint64_t end, at;

		if (t->unaskable)
			continue;
		if (!t->in_series) {
			/* A first series not yet begun keeps the run open too. */
			if (t->asked_total > 0)
				continue;
			at = t->next_at > now ? t->next_at : now;
		} else {
			end = series_end(t);
			if (end != 0 && end <= now)
				continue;
			at = end != 0 ? end : (t->next_at > now ? t->next_at : now);
		}
		if (until == 0 || at < until)
			until = at;
	}
	return until;
}

bool engine_next_neighbour_query(struct engine *e, uint64_t now, struct ip_addr *addr,
				 uint64_t *wake)
{
	if (!e->cfg.link_check || e->paused)
		return false;
	for (int i = 0; i < e->nlink_targets; i++) {
		struct link_target *t = &e->link_targets[i];
		uint64_t end;

		if (t->unaskable)
			continue;
		if (t->in_series) {
			end = series_end(t);
			if (end != 0 && end <= now) {
				t->in_series = false;
				t->next_at = t->series_at + LINK_PERIOD_US;
			} else if (end != 0) {
				/* Listening for more holders, or a late claim; then a new series. */
				if (*wake == 0 || end < *wake)
					*wake = end;
				continue;
			}
		}
		if (now < t->next_at) {
			if (*wake == 0 || t->next_at < *wake)
				*wake = t->next_at;
			continue;
		}
		if (!t->in_series) {
			t->in_series = true;
			t->asked = 0;
			t->claimed_at = 0;
			t->series_at = now;
		}
		t->asked++;
		t->asked_total++;
		t->next_at = now + LINK_RETRY_US;
		*addr = t->addr;
		return true;
	}
	return false;
}

void engine_neighbour_claim(struct engine *e, const struct ip_addr *addr, const uint8_t *lladdr,
			    size_t len, uint64_t now)
{
	struct link_target *t;
	struct neighbour_seen *n;

	if (!concerns_us(e, addr, lladdr, len))
		return;
	n = pair(e, addr, lladdr, len);
	if (n == NULL)
		return;
	n->claims++;
	t = target_of(e, addr);
	if (t != NULL && t->in_series && t->claimed_at == 0) {
		t->claimed_at = now ? now : 1;
		t->claimed = true;
	}
}

void engine_neighbour_table(struct engine *e, const struct ip_addr *addr, const uint8_t *lladdr,
			    size_t len)
{
	struct neighbour_seen *n;

	if (!concerns_us(e, addr, lladdr, len))
		return;
	n = pair(e, addr, lladdr, len);
	if (n != NULL)
		n->in_table = true;
}

void engine_neighbour_unaskable(struct engine *e, const struct ip_addr *addr)
{
	struct link_target *t = target_of(e, addr);

	if (t != NULL) {
		t->unaskable = true;
		t->in_series = false;
	}
}
