/*
 * Flow identity.  Flow i keeps every header field a router may hash on
 * constant for all its probes and differs from flow j in at least one such
 * field: the UDP/TCP source port (base + i), the ICMP echo identifier
 * (base + i, with a per-flow constant checksum), and on IPv6 the flow label.
 * This is the Paris traceroute rule (Augustin et al., IMC 2006).
 */
#ifndef ECMPTRACE_ENGINE_FLOW_H
#define ECMPTRACE_ENGINE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/probe.h"

/* Which fields vary between flows (IPv6 may vary either or both). */
enum flow_vary {
	VARY_SPORT = 1 << 0,
	VARY_LABEL = 1 << 1,
};

struct flow_plan {
	enum probe_proto proto;
	unsigned vary;			/* enum flow_vary bits */
	uint16_t sport_base;		/* first flow's source port / ICMP identifier */
	uint32_t label_base;		/* first flow's IPv6 flow label */
};

struct flow_id {
	uint16_t sport;			/* UDP/TCP source port or ICMP identifier */
	uint32_t flow_label;		/* 20 bits, IPv6 only */
	uint16_t icmp_checksum;		/* constant ICMP checksum of the flow */
};

/* Highest number of flows the plan's base allows (ports cannot pass 65535). */
int flow_max_count(const struct flow_plan *plan);
/* Identity of flow i (0 <= i < nflows). */
void flow_encode(const struct flow_plan *plan, int i, struct flow_id *out);
/*
 * Flow index from the identifying fields seen in a reply, or -1 if none of
 * the plan's first nflows flows (ids 0 .. nflows-1, those that exist) has them.
 */
int flow_decode(const struct flow_plan *plan, int nflows, uint16_t sport, uint32_t flow_label);

#endif
