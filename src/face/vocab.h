/*
 * The faces' shared vocabulary: the words and number formats that the text
 * report, the JSON document and stream and the live view all use for the
 * same things (protocol names, flow identity, loss and RTT text, what
 * branch discovery concluded at a hop, the address behind a via index), so
 * that the three never say one thing three ways.
 */
#ifndef ECMPTRACE_FACE_VOCAB_H
#define ECMPTRACE_FACE_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/probe.h"

struct results;
struct hop_result;
struct branch_result;
struct flow_result;
struct rtt_stats;
struct router_result;

/* "udp", "tcp", "icmp" ("?" out of range): the protocol's name in every face. */
const char *vocab_proto(enum probe_proto p);

/*
 * Loss and RTT as text.  One rule for every face:
 *  - loss: percent with one decimal ("0.0%", "12.5%", "100.0%"), "-" when
 *    no probe was resolved yet (no sample is not 0% loss);
 *  - RTT: milliseconds with one decimal below one second ("0.3", "912.4"),
 *    whole milliseconds from one second on ("1234"): there the decimal is
 *    noise and dropping it keeps six-column cells aligned; "-" without a
 *    sample.
 * The JSON carries the numbers themselves (3 decimals), not this text.
 */
void vocab_loss(uint64_t received, uint64_t lost, char *buf, size_t len);
void vocab_ms(double us, char *buf, size_t len);

/*
 * What branch discovery concluded at a hop, most telling first: per-packet
 * balancing seen (its branches are not per flow), complete at 95/99%,
 * partial, or partial because routers rate-limit their ICMP.
 */
enum vocab_found {
	FOUND_NONE = 0,		/* hop not covered by discovery: no statement */
	FOUND_PER_PACKET,	/* one flow met several routers there */
	FOUND_COMPLETE,		/* no unseen branch remains at the stated confidence */
	FOUND_PART,		/* discovery could not conclude */
	FOUND_PART_RL,		/* ... because answers came only on retries (ICMP rate limits) */
};
enum vocab_found vocab_found(const struct hop_result *h);
/* The verdict's mark, as the report's Found column shows it: "", "per-pkt", "95%", "99%", "part", "part/rl". */
const char *vocab_found_mark(const struct hop_result *h);

/*
 * Flow identity: a flow is named by what tells this run's flows apart,
 * its source port (ICMP: identifier), its IPv6 flow label, or both.
 */
/* "33434", "0x12345" or "33434/0x12345". */
void vocab_flow_ident(const struct results *r, const struct flow_result *f, char *buf, size_t len);
/* The same in words, for many ("source ports") and for one ("source port"). */
const char *vocab_ident_many(const struct results *r);
const char *vocab_ident_one(const struct results *r);
/* Column title for the port field: "Sport", or "IcmpId" for ICMP. */
const char *vocab_port_title(const struct results *r);
/* The flow with that id, or NULL. */
const struct flow_result *vocab_flow_by_id(const struct results *r, int id);

/* The hop at that TTL, or NULL. */
const struct hop_result *vocab_hop_at(const struct results *r, int ttl);
/*
 * The address of the branch that via index k of branch b points to (at
 * b->via_ttl); unset when the index or TTL is out of range.
 */
struct ip_addr vocab_via_addr(const struct results *r, const struct branch_result *b, int k);

/* A router's ICMP limit: "6 answers at once, then 1 per 1.0 s; 12 withheld (seen once)". */
void vocab_router_limit(const struct router_result *rr, char *buf, size_t len);

/* One MPLS label stack entry as mtr -e shows it: "[MPLS: Lbl 24001 TC 0 S 1 TTL 1]". */
void vocab_mpls(uint32_t entry, char *buf, size_t len);
/*
 * The origin AS of a as the asn namer (-z; namer.h, lookups answer the
 * number as text) knows it: "AS64500", "AS???" while unknown, "" without
 * a namer.
 */
struct namer;
const char *vocab_asn(const struct namer *asn, const struct ip_addr *a, char *buf, size_t len);

#endif
