/*
 * The end-to-end lane of the adaptive mode: while discovery maps the
 * branches and rounds measure every hop, the lane probes the target itself
 * with every flow the engine has, so the verdict ("these source ports
 * fail") comes from the first second on instead of after discovery and
 * many rounds.  A flow whose hop count is not known yet is probed with the
 * largest TTL: it reaches the target whatever the path's length.  Private
 * to src/engine: engine.c drives it.
 */
#ifndef ECMPTRACE_ENGINE_LANE_H
#define ECMPTRACE_ENGINE_LANE_H

#include <stdbool.h>
#include <stdint.h>

struct engine;

/* Flows the lane makes itself when discovery has not made that many yet. */
#define LANE_SEED_FLOWS 16
/*
 * End-to-end probes every flow gets quickly, one LANE_BURST_GAP_US apart:
 * enough for the diagnosis to judge the flow (its MIN_SAMPLES).
 */
#define LANE_BURST 8
#define LANE_BURST_GAP_US 50000u
/*
 * A flow that lost one of them goes on to this many: partial loss, and
 * loss every flow shares (which must be told from a few flows' own loss),
 * need more probes per flow before anything is said.
 */
#define LANE_BURST_LOSSY 16
/* Flows (by index) that get the longer burst: enough to judge, soon, with many flows. */
#define LANE_LOSSY_FLOWS 16
/* Flows (by index) that get the quick burst; later ones only the steady pace. */
#define LANE_BURST_FLOWS 64
/*
 * After the burst the lane takes at most this share (percent) of the
 * probe rate, and probes each flow at most once per round interval.
 */
#define LANE_STEADY_SHARE 50
/*
 * UDP: the target's answers are ICMP port unreachables, which Linux rate
 * limits (a burst of 6, then 1 a second).  The lane spends this many at
 * first; a target that answers LANE_UDP_PROOF of them within a second
 * (more than a burst and its refill) is not limited and gets the full lane; else one a second.
 */
#define LANE_UDP_FIRST 20
#define LANE_UDP_PROOF 9
#define LANE_UDP_REFILL_US 1000000u
/*
 * A limiter answers the first of a quick burst and then nothing; loss
 * answers any of them.  An answer to a probe this far into the first
 * burst proves the target is not limited, however lossy it is.
 */
#define LANE_UDP_LATE_POS 10

/*
 * A failing flow is named with its branch only when its path is known
 * where the branches part.  The lane asks a flow whose responder at such a
 * hop is unknown with a TTL-limited probe there, at most this many times,
 * and at most one probe a second per router of that hop (Linux's ICMP
 * limit refills that fast), so it spends no probe a limiter will drop.
 */
#define LANE_PLACE_TRIES 3
#define LANE_PLACE_GAP_US 1000000u
/*
 * A failing flow's own return path is judged against clean flows on its
 * forward path (diag_return.c wants 16 probes of them): the lane also
 * places clean flows, first while a failing flow's branch has fewer than
 * this many placed beside it.
 */
#define LANE_CLEAN_MATES 2

struct lane {
	bool seeded;			/* the seed flows were made */
	uint64_t place_next[256];	/* per TTL: the next placement probe's earliest time */
	uint64_t next_send;		/* pacing of the lane's steady share */
	/* UDP target limiter: tokens left, when one is added next, and what it proved. */
	int udp_tokens;
	uint64_t udp_refill_at;
	bool udp_unlimited;
	int udp_burst_sent;		/* lane probes of the first burst sent so far */
	uint64_t udp_window_start;	/* first lane answer from the target in the current second */
	int udp_window_answers;
};

/* Is the lane running (adaptive mode, more than one round, not stopped)? */
bool lane_enabled(const struct engine *e);
/*
 * The lane's next probe: true with *flow and *ttl (0: the largest TTL, a
 * reach probe) when one is due now, *place telling a placement probe
 * from an end-to-end one; false otherwise, lowering *wake to when one will
 * be (left alone when never).  May add the seed flows.
 */
bool lane_pick(struct engine *e, uint64_t now, int *flow, int *ttl, bool *place, uint64_t *wake);
/* Is the lane still placing flows at ttl (a hop where branches part)? */
bool lane_placing(struct engine *e, int ttl);
/* A lane probe of flow was sent now (place: a placement probe at ttl). */
void lane_sent(struct engine *e, int flow, int ttl, bool place, uint64_t now);
/*
 * The target answered now (UDP: evidence on its limiter); burst_pos: the
 * answered probe's place in the lane's first burst (1..), 0 if none.
 */
void lane_target_answered(struct engine *e, uint64_t now, int burst_pos);
/* The place of the lane probe just sent in the first UDP burst (1..), 0 past it. */
int lane_burst_pos(const struct engine *e);
/* Has the target shown it does not limit its answers (UDP; always true otherwise)? */
bool lane_target_unlimited(const struct engine *e);

#endif
