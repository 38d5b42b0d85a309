/*
 * What the files of one discovery pass share (mda.c: the pass's
 * observations; mda_ttl.c: the rules at one TTL; mda_pick.c: which probe
 * comes next).  Private to those files; the rest of the engine uses mda.h.
 */
#ifndef ECMPTRACE_ENGINE_MDA_INT_H
#define ECMPTRACE_ENGINE_MDA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_int.h"
#include "engine/mda.h"

/* What the rules at one TTL ask for. */
struct want {
	enum mda_step step;
	int flow;		/* -1: a new flow */
	int ttl;
	uint64_t wake;
};

/* Did flow f reach the target (or an unreachable) before TTL t in this pass? */
static inline bool mda_ended_before(const struct flow_state *f, int t)
{
	return f->pass_end != 0 && f->pass_end < t;
}

/* mda.c: answers hop t needs, with what it has shown so far, before the pass may leave it. */
int mda_hop_stop_count(const struct engine *e, int t, const struct mda_hop *h);

/*
 * mda_ttl.c: the flow to take at TTL t when nothing ties it to a vertex
 * (-1: a new flow, -2: none may be made).  for_prev: a node-control probe
 * at t for the hop after it.
 */
int mda_free_flow(const struct engine *e, int t, bool for_prev);
/* A probe of flow at ttl, when the hop's rate limiters allow it (mda_pace.c). */
struct want mda_paced(struct engine *e, int flow, int ttl, uint64_t now);
/* The walk's rule at TTL t; *gaveup_out: flows silent there after every try. */
struct want mda_plan_ttl(struct engine *e, int t, uint64_t now, int *gaveup_out);
/* The pass leaves TTL t: is there a next one? */
bool mda_finish_ttl(struct engine *e, int t, int gaveup);

#endif
