/*
 * The faces' shared vocabulary (see vocab.h): one definition of each word
 * and number format the report, the JSON and the live view have in common.
 */
#include <stdio.h>

#include "engine/results.h"
#include "engine/rtt_stats.h"
#include "face/vocab.h"
#include "namer.h"

const char *vocab_proto(enum probe_proto p)
{
	static const char *const names[] = {[PROBE_UDP] = "udp", [PROBE_TCP] = "tcp",
					    [PROBE_ICMP] = "icmp"};

	if ((unsigned)p >= sizeof(names) / sizeof(names[0]) || names[p] == NULL)
		return "?";
	return names[p];
}

void vocab_loss(uint64_t received, uint64_t lost, char *buf, size_t len)
{
	if (received + lost == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", loss_pct(received, lost));
}

void vocab_ms(double us, char *buf, size_t len)
{
	double ms = us / 1000.0;

	/* Compare the rounded value, so 999.96 ms shows "1000", not "1000.0". */
	snprintf(buf, len, ms < 999.95 ? "%.1f" : "%.0f", ms);
}

enum vocab_found vocab_found(const struct hop_result *h)
{
	if (h->confidence == 0)
		return FOUND_NONE;
	if (h->per_packet)
		return FOUND_PER_PACKET;
	if (h->discovery_complete)
		return FOUND_COMPLETE;
	return h->rate_limited ? FOUND_PART_RL : FOUND_PART;
}

const char *vocab_found_mark(const struct hop_result *h)
{
	switch (vocab_found(h)) {
	case FOUND_PER_PACKET:
		return "per-pkt";
	case FOUND_COMPLETE:
		return h->confidence >= 99 ? "99%" : "95%";
	case FOUND_PART:
		return "part";
	case FOUND_PART_RL:
		return "part/rl";
	case FOUND_NONE:
	default:
		return "";
	}
}

void vocab_flow_ident(const struct results *r, const struct flow_result *f, char *buf, size_t len)
{
	unsigned vary = r->config.vary;

	if ((vary & VARY_LABEL) && !(vary & VARY_SPORT))
		snprintf(buf, len, "0x%05x", (unsigned)f->flow_label);
	else if (vary & VARY_LABEL)
		snprintf(buf, len, "%u/0x%05x", (unsigned)f->sport, (unsigned)f->flow_label);
	else
		snprintf(buf, len, "%u", (unsigned)f->sport);
}

const char *vocab_ident_many(const struct results *r)
{
	bool icmp = r->config.proto == PROBE_ICMP;

	if ((r->config.vary & VARY_LABEL) && !(r->config.vary & VARY_SPORT))
		return "flow labels";
	if (r->config.vary & VARY_LABEL)
		return icmp ? "ICMP identifiers/flow labels" : "source ports/flow labels";
	return icmp ? "ICMP identifiers" : "source ports";
}

const char *vocab_ident_one(const struct results *r)
{
	bool icmp = r->config.proto == PROBE_ICMP;

	if ((r->config.vary & VARY_LABEL) && !(r->config.vary & VARY_SPORT))
		return "flow label";
	if (r->config.vary & VARY_LABEL)
		return icmp ? "ICMP id/flow label" : "source port/flow label";
	return icmp ? "ICMP id" : "source port";
}

const char *vocab_port_title(const struct results *r)
{
	return r->config.proto == PROBE_ICMP ? "IcmpId" : "Sport";
}

const struct flow_result *vocab_flow_by_id(const struct results *r, int id)
{
	if (id >= 0 && id < r->nflows && r->flows[id].id == id)
		return &r->flows[id];
	for (int i = 0; i < r->nflows; i++)
		if (r->flows[i].id == id)
			return &r->flows[i];
	return NULL;
}

const struct hop_result *vocab_hop_at(const struct results *r, int ttl)
{
	int i = ttl - r->config.first_ttl;

	if (i >= 0 && i < r->nhops && r->hops[i].ttl == ttl)
		return &r->hops[i];
	for (i = 0; i < r->nhops; i++)
		if (r->hops[i].ttl == ttl)
			return &r->hops[i];
	return NULL;
}

struct ip_addr vocab_via_addr(const struct results *r, const struct branch_result *b, int k)
{
	const struct hop_result *h;
	struct ip_addr none = {0};

	if (k < 0 || k >= b->nvia || b->via_ttl <= 0)
		return none;
	h = vocab_hop_at(r, b->via_ttl);
	if (h == NULL || b->via[k].branch < 0 || b->via[k].branch >= h->nbranches)
		return none;
	return h->branches[b->via[k].branch].addr;
}

void vocab_router_limit(const struct router_result *rr, char *buf, size_t len)
{
	snprintf(buf, len, "%d answers at once, then 1 per %.1f s; %llu withheld%s", rr->burst,
		 (double)rr->refill_us / 1e6, (unsigned long long)rr->withheld,
		 rr->sure ? "" : " (seen once: could be a silent router or a loss)");
}

void vocab_mpls(uint32_t entry, char *buf, size_t len)
{
	snprintf(buf, len, "[MPLS: Lbl %u TC %u S %u TTL %u]", (unsigned)mpls_label(entry),
		 mpls_tc(entry), mpls_s(entry), mpls_ttl(entry));
}

const char *vocab_asn(const struct namer *asn, const struct ip_addr *a, char *buf, size_t len)
{
	const char *as = asn != NULL && addr_is_set(a) ? asn->lookup(asn->ctx, a) : NULL;

	if (asn == NULL)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "AS%s", as != NULL ? as : "???");
	return buf;
}
