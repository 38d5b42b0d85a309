/*
 * The engine's controls (engine.h): stop a run, pause and resume the
 * rounds, and reset the figures (the live view's keys).  Split from
 * engine.c, which schedules the probes.
 */
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_int.h"

void engine_stop(struct engine *e)
{
	e->stopped = true;
	e->in_round = false;
	/* A pass cut short still reports what it found (its hops are not complete). */
	if (e->mda.running)
		mda_pass_end(e, e->first_send_at);
}

void engine_pause(struct engine *e, bool paused, uint64_t now)
{
	if (e->paused && !paused && e->next_round_at < now)
		e->next_round_at = now;
	e->paused = paused;
}

bool engine_paused(const struct engine *e)
{
	return e->paused;
}

void engine_reset_stats(struct engine *e)
{
	int i, t, k;

	/* In-flight probes were counted as sent before the reset: ignore their answers. */
	for (uint32_t n = 0; n < e->fifo_len; n++) {
		struct probe_rec *p = &e->probes[e->fifo[(e->fifo_head + n) % PROBE_SLOTS]];

		if (p->state == PROBE_PENDING) {
			/* Discovery must not wait for them: they will never resolve. */
			if (of_running_pass(e, p))
				mda_discarded(e, p->flow, p->ttl);
			p->state = PROBE_DISCARDED;
		}
	}
	/*
	 * Probes counted lost early were counted before the reset too: a late
	 * answer must not take back a loss the new figures never had.  They
	 * may have left the queue already, so every slot is looked at.
	 */
	for (uint32_t id = 0; id < PROBE_SLOTS; id++)
		if (e->probes[id].state == PROBE_LOST)
			e->probes[id].early_lost = false;
	link_reset_answers(e);
	pmtu_discarded(&e->pmtu);
	for (i = 0; i < e->nflows; i++) {
		e->flows[i].reach = (struct e2e_tally){0};
		for (t = 0; t <= e->cfg.max_ttl; t++) {
			struct cell *c = &e->flows[i].cells[t];

			c->sent = c->received = c->lost = 0;
			rtt_init(&c->rtt);
			c->recent = (struct rtt_recent){0};
			c->changes = 0;
			/* Keep who answered (the path), but let new counts decide. */
			for (k = 0; k < c->nresp; k++)
				c->resp[k].count = k == c->current ? 1 : 0;
		}
	}
}
