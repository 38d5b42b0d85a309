/*
 * The link-layer check of the first hop (linkcheck.c): what the local
 * segment says about each neighbour that answers at TTL 1, and the
 * questions (ARP, RFC 826; Neighbor Solicitation, RFC 4861) the engine
 * asks about them.  Private to src/engine; callers use the engine_neighbour_*
 * functions of engine.h.
 */
#ifndef ECMPTRACE_ENGINE_LINKCHECK_H
#define ECMPTRACE_ENGINE_LINKCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "wire/dissect.h"

struct engine;

/*
 * One (address, link-layer address) pair on the local segment.  Answers
 * at TTL 1 come straight from the neighbour that sent them; ARP and
 * Neighbor Discovery messages claim an address for a link-layer address;
 * this host's own neighbour table says where it sends.  The same IP with
 * several link-layer addresses is a duplicated address or a NIC team
 * sending from all its members; one link-layer address with several IPs
 * is one machine with several addresses, or machines cloned with one MAC.
 */
struct neighbour_seen {
	struct ip_addr addr;
	uint8_t lladdr[REPLY_LLADDR_MAX];
	uint8_t lladdr_len;
	uint64_t answers;	/* probes answered at TTL 1 from this link-layer address */
	uint64_t claims;	/* ARP / Neighbor Discovery messages claiming addr for it */
	bool in_table;		/* this host's neighbour table mapped addr to it */
};

/*
 * A neighbour the link-layer check asks (cfg.link_check, linkcheck.c):
 * series of up to LINK_TRIES questions, one series at first sight and
 * then every LINK_PERIOD_US.
 */
struct link_target {
	struct ip_addr addr;
	bool in_series;
	bool unaskable;		/* not on a link of this host: never asked again */
	int asked;		/* questions of the current series */
	uint64_t asked_total;
	uint64_t next_at;	/* next question (latest + LINK_RETRY_US), or next series */
	uint64_t series_at;	/* first question of the current (or latest) series */
	uint64_t claimed_at;	/* first claim during the current series; 0 = none yet */
	bool claimed;		/* some series got a claim */
};

/* Pairs (and asked neighbours) kept; a segment with more is not one a trace can say much about. */
#define ENGINE_NEIGHBOURS_MAX 32

/* An answer at TTL 1 (the neighbour itself sent it). */
void link_note_answer(struct engine *e, const struct reply *r, uint64_t now);
/*
 * Statistics reset.  Answer counts start again; what the segment claimed
 * and the host's table held is structure, and stays.
 */
void link_reset_answers(struct engine *e);
/* 0 when no question series is running, else when to look again. */
uint64_t link_busy_until(const struct engine *e, uint64_t now);

#endif
