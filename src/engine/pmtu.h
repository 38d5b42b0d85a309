/*
 * Path MTU per path (issue 15): one ECMP member with a smaller MTU (a
 * mis-set link, a tunnel) whose "fragmentation needed" (RFC 1191) or
 * "packet too big" (RFC 8201) messages are filtered breaks bulk transfers
 * only for the flows hashed onto it.  For every distinct end-to-end path
 * the flows take (the responders they meet, TTL by TTL), one of its flows
 * sends don't-fragment probes of chosen sizes to the target: an answer
 * from the target says the size gets through, a frag-needed / packet-too-
 * big says it does not and which next-hop MTU to try, three silences at
 * one size (more where the flow loses probes anyway) say it does not (a
 * black hole).  A binary search down from
 * 1500 bytes, to engine_config.pmtu_step bytes: one probe per path when
 * the path takes 1500, a handful when it does not.  Probes go to the
 * largest TTL like reach probes and count in no cell.
 * UDP, TCP and ICMP probes, each on the flow's own identity (routers hash
 * TCP flows by ports and protocol, so a UDP probe would measure another
 * branch): a TCP one is a SYN carrying data on the flow's own ports,
 * answered by a SYN-ACK or a reset that proves the size got through
 * (wire/probe_check.c takes either ack); an ICMP one an echo request of
 * that size with the flow's identifier, checksum and flow label.
 *
 * ICMP is the one whose answer is as big as the probe, and it comes back
 * by a return path of its own.  An IPv4 echo reply leaves Linux without
 * don't-fragment, so routers fragment it and its first fragment still
 * answers (wire/probe_check.c); an IPv6 one too big for the way back
 * makes a router send the target a packet too big, and the target
 * fragments its next replies: one reply lost.  Only where those messages
 * are filtered on the way back does the reply never come, and silence
 * then measures the smaller of the two directions.  So a size found by
 * silence alone, with echo probes, is checked on the way there: probes of
 * the first size that failed go to the hop before the target, whose time
 * exceeded (at most 576 / 1280 bytes) comes back whatever the return
 * MTU.  Silence there too: the limit is on the way there.  An answer: it
 * lies on the last link or on the way back, which probes cannot tell
 * apart; the path's size is then kept but marked both_ways, and
 * engine/diag_mtu.c names no branch from it.
 */
#ifndef ECMPTRACE_ENGINE_PMTU_H
#define ECMPTRACE_ENGINE_PMTU_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/dissect.h"

struct engine;
struct probe_rec;

/* Largest size searched: Ethernet's MTU (wire/probe.h PROBE_MAX_LEN). */
#define PMTU_CEILING 1500
/*
 * Silences at one size before it is taken as too big (loss is not MTU):
 * at least this many, more on a path that loses, so that plain loss gives
 * that many in a row less than once in PMTU_FALSE_SILENCE; at most
 * PMTU_SILENCES_MAX.
 */
#define PMTU_SILENCES 3
#define PMTU_SILENCES_MAX 10
#define PMTU_FALSE_SILENCE 1000
/* Least time between two path MTU probes. */
#define PMTU_GAP_US 20000
/*
 * While one is out, look again this often: its loss is declared by the
 * engine's next step (early loss: 0.25 s at least), and nothing else may
 * call it for a whole round.
 */
#define PMTU_POLL_US 50000

/* One end-to-end path and its search. */
struct pmtu_path {
	uint64_t sig;		/* hash of the responders its flows meet */
	int flow;		/* the flow that probes it */
	uint16_t lo;		/* largest size known to get through */
	uint16_t hi;		/* smallest size known not to; 0: none yet */
	uint16_t next;		/* a size a packet-too-big suggested; 0: none */
	uint16_t trying;	/* size of the probe in flight; 0: none */
	uint16_t last;		/* size of the latest probe */
	uint8_t silences;	/* at `last`, in a row */
	bool ptb;		/* a frag-needed / packet-too-big came for it */
	bool told;		/* any error (those, or an unreachable) about a size came */
	bool answered;		/* the target answered one of its probes */
	/* ICMP: the way-there check at check_ttl (see above) is under way. */
	bool checking;
	uint8_t check_ttl;
	/* The size may be the way back's: the check reached the hop before the target, or could not run. */
	bool both_ways;
	bool done;
};

struct pmtu_state {
	struct pmtu_path *paths;
	int npaths, cap;
	uint64_t next_at;	/* no probe before this */
	int turn;		/* the path probed last: paths take turns */
	uint64_t lost_sink;	/* where lost_count() points for these probes */
};

/* IP and transport headers of a path MTU probe: its payload is its size less these. */
uint16_t pmtu_headers(const struct engine *e);
/*
 * The next probe, when one is due: its flow, size and TTL (0: the largest,
 * as reach probes); else false and *wake lowered.
 */
bool pmtu_next(struct engine *e, uint64_t now, int *flow, uint16_t *size, int *ttl,
	       uint64_t *wake);
/* A path MTU probe of that flow and size went out. */
void pmtu_sent(struct engine *e, int flow, uint16_t size, uint64_t now);
/* Its answer (any authentic reply), or its loss. */
void pmtu_answer(struct engine *e, const struct probe_rec *p, const struct reply *r);
void pmtu_lost(struct engine *e, const struct probe_rec *p);
/*
 * Flow i's path MTU: the largest size known to get through on its path
 * once the search is over (0: not known, also when no probe of the search
 * was ever answered, not even one of the ordinary probes' size: something
 * drops them, a SYN with data say, whatever their size); *ptb: PMTU
 * messages came; *both_ways: the size may be the way back's (ICMP, above).
 */
uint16_t pmtu_of_flow(const struct engine *e, int i, bool *ptb, bool *both_ways);
/* A statistics reset discarded the probes in flight: none will resolve. */
void pmtu_discarded(struct pmtu_state *s);
void pmtu_free(struct pmtu_state *s);

#endif
