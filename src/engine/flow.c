/*
 * Flow identity (see flow.h): flow i <-> (source port, flow label, ICMP
 * checksum).  Decoding is the inverse, so a reply's quoted ports or label
 * name its flow without any table.
 */
#include "engine/flow.h"

/*
 * IPv6 flow labels are 20 bits and 0 means "no label", so flow labels live in
 * 1..LABEL_SPAN and wrap around within that range.
 */
#define LABEL_SPAN 0xfffffu

int flow_max_count(const struct flow_plan *plan)
{
	if (!(plan->vary & VARY_SPORT))
		return (int)LABEL_SPAN;
	if (plan->sport_base == 0)
		return 0;
	return 65535 - plan->sport_base + 1;
}

/* The label base as an offset in 0..LABEL_SPAN-1. */
static uint32_t label_offset(const struct flow_plan *plan)
{
	uint32_t base = plan->label_base & LABEL_SPAN;

	return base == 0 ? 0 : base - 1;
}

static uint32_t label_of(const struct flow_plan *plan, int i)
{
	return (label_offset(plan) + (uint32_t)i) % LABEL_SPAN + 1;
}

void flow_encode(const struct flow_plan *plan, int i, struct flow_id *out)
{
	out->sport = plan->sport_base;
	if (plan->vary & VARY_SPORT)
		out->sport = (uint16_t)(plan->sport_base + i);
	out->flow_label = 0;
	if (plan->vary & VARY_LABEL)
		out->flow_label = label_of(plan, i);
	/*
	 * Routers that hash ICMP at all look at the identifier and sometimes
	 * the checksum: keep the checksum a constant of the flow, never 0 or
	 * 0xffff (both mean "no checksum" to someone).
	 */
	out->icmp_checksum = (uint16_t)(0x8000u ^ ((unsigned)i * 0x9e37u + 1u));
	if (out->icmp_checksum == 0 || out->icmp_checksum == 0xffff)
		out->icmp_checksum = 0x4242;
}

int flow_decode(const struct flow_plan *plan, int nflows, uint16_t sport, uint32_t flow_label)
{
	uint32_t i;

	if (plan->vary & VARY_SPORT) {
		if (sport < plan->sport_base)
			return -1;
		i = (uint32_t)(sport - plan->sport_base);
		if (nflows < 0 || i >= (uint32_t)nflows)
			return -1;
		if ((plan->vary & VARY_LABEL) && label_of(plan, (int)i) != flow_label)
			return -1;
		return (int)i;
	}
	if (!(plan->vary & VARY_LABEL) || sport != plan->sport_base)
		return -1;
	if (flow_label == 0 || flow_label > LABEL_SPAN)
		return -1;
	i = (flow_label - 1 + LABEL_SPAN - label_offset(plan)) % LABEL_SPAN;
	if (nflows < 0 || i >= (uint32_t)nflows)
		return -1;
	return (int)i;
}
