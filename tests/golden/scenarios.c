/*
 * The golden-output scenarios (see scenarios.h): seven hand-built runs
 * that together use every part of the report, the JSON document and the
 * stream.  Addresses are documentation or private ranges; the findings'
 * sentences are written here in the diagnosis' style, so these files test
 * the faces, not the diagnosis (tests/unit/test_diagnose.c does that).
 */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "namer.h"
#include "scenarios.h"

/* A clean IPv4 UDP run over a 2-way ECMP, with the first hop's link layer. */
static struct results *clean(bool early)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x01, 0x01};
	static const char *const even[] = {"10.0.1.1", "10.0.2.2", "198.51.100.20", NULL};
	static const char *const odd[] = {"10.0.1.1", "10.0.3.2", "198.51.100.20", NULL};
	struct gscen s;
	struct results *r;

	(void)early;
	g_init(&s, PROBE_UDP, "192.0.2.10", "198.51.100.20", 8, 10);
	for (int i = 0; i < 8; i++)
		g_route(&s, i, i + 1, i % 2 ? odd : even);
	r = g_build(&s);
	g_neighbour(r, "10.0.1.1", mac, 80, 1, true);
	g_link_check(r, "10.0.1.1", 1, true, false);
	g_link_check(r, "10.0.1.9", 3, false, false);
	return r;
}

/* TCP to 443: branch 10.1.2.2 of a 2-way split loses 30%; the flows through it stay apart after the merge. */
static struct results *lossy_branch(bool early)
{
	static const int odd[] = {1, 3, 5, 7, -1};
	struct gscen s;
	struct results *r;
	struct finding *f;

	(void)early;
	g_init(&s, PROBE_TCP, "192.0.2.10", "203.0.113.5", 8, 20);
	for (int i = 0; i < 8; i++) {
		uint64_t lost = i % 2 ? 6 : 0;

		g_hop(&s, i, 1, "10.1.0.1", 0);
		g_hop(&s, i, 2, i % 2 ? "10.1.2.2" : "10.1.1.2", lost);
		g_hop(&s, i, 3, "10.1.3.1", lost);
		g_reach(&s, i, 4, lost);
	}
	r = g_build(&s);
	f = g_finding(r, FINDING_LOSSY_BRANCH, 2, "10.1.2.2");
	f->prev_addr = g_addr("10.1.0.1");
	g_finding_loss(f, 56, 24, 20.7, 41.3, 0.0);
	g_finding_flows(r, f, odd);
	f->causes[f->ncauses++] = CAUSE_FORWARD_LOSS;
	f->causes[f->ncauses++] = CAUSE_RETURN_PATH;
	f->range_from_ttl = 1;
	f->range_from = g_addr("10.1.0.1");
	f->range_to_ttl = 2;
	f->range_to = g_addr("10.1.2.2");
	snprintf(f->summary, sizeof(f->summary),
		 "Flows through 10.1.2.2 (hop 2) lose 30.0%% (24 of 80, 95%% interval 20.7-41.3%%) "
		 "from hop 2 on; their siblings through 10.1.1.2 lose 0.0%%. The loss lies on the "
		 "link 10.1.0.1 -> 10.1.2.2, or on the way back.");
	return r;
}

/* UDP on one forward path: flow 5 alone loses 40% end to end, its replies on their way back. */
static struct results *return_path(bool early)
{
	static const char *const path[] = {"10.2.0.1", "10.2.1.1", "198.51.100.77", NULL};
	static const int five[] = {5, -1};
	struct gscen s;
	struct results *r;
	struct finding *f;

	(void)early;
	g_init(&s, PROBE_UDP, "192.0.2.10", "198.51.100.77", 8, 20);
	g_route(&s, 0, 8, path);
	g_reach(&s, 5, 3, 8);
	r = g_build(&s);
	f = g_finding(r, FINDING_RETURN_PATH_LOSS, 3, "198.51.100.77");
	f->prev_addr = g_addr("10.2.1.1");
	g_finding_loss(f, 12, 8, 21.9, 61.3, 0.0);
	g_finding_flows(r, f, five);
	f->causes[f->ncauses++] = CAUSE_RETURN_PATH;
	snprintf(f->summary, sizeof(f->summary),
		 "Flow 5 (source port 33439) loses 40.0%% (8 of 20) end to end while 7 flows on the "
		 "same forward path lose 0.0%%: its replies are lost on their way back.");
	return r;
}

/* Hop 2 is one router with two addresses whose ICMP limit withholds half its answers; nothing is lost. */
static struct results *rate_limited(bool early)
{
	static const char *const r1[] = {"10.3.1.1", "10.3.2.1", NULL};
	static const int odd[] = {1, 3, 5, -1};
	struct gscen s;
	struct results *r;
	struct hop_result *h;
	struct finding *f;

	g_init(&s, PROBE_UDP, "192.0.2.10", "198.51.100.30", 6, 10);
	for (int i = 0; i < 6; i++) {
		g_hop(&s, i, 1, "10.3.0.1", 0);
		g_hop(&s, i, 2, i % 2 ? "10.3.2.1" : "10.3.1.1", 5);
		g_hop(&s, i, 3, "10.3.3.1", 0);
		g_reach(&s, i, 4, 0);
	}
	r = g_build(&s);
	h = g_hop_at(r, 2);
	h->discovery_complete = false;
	h->rate_limited = true;
	h->flows_probed = 4;
	g_router(r, 2, r1, 6, 1000000, 30, true);
	if (early) {
		/* Before the limit was known, the odd flows' branch looked lossy: cleared later. */
		f = g_finding(r, FINDING_LOSSY_BRANCH, 2, "10.3.2.1");
		g_finding_loss(f, 15, 15, 31.3, 68.7, 50.0);
		g_finding_flows(r, f, odd);
		f->causes[f->ncauses++] = CAUSE_FORWARD_LOSS;
		snprintf(f->summary, sizeof(f->summary), "Flows through 10.3.2.1 (hop 2) lose 50.0%%.");
		return r;
	}
	f = g_finding(r, FINDING_RATE_LIMITED_HOP, 2, "10.3.1.1");
	f->prev_addr = g_addr("10.3.0.1");
	g_finding_loss(f, 30, 30, 37.8, 62.2, 0.0);
	f->causes[f->ncauses++] = CAUSE_RATE_LIMITING;
	snprintf(f->summary, sizeof(f->summary),
		 "Hop 2 (router R1: 10.3.1.1, 10.3.2.1) answers 50.0%% of probes but hop 3 answers "
		 "all: its ICMP answers are rate limited (6 at once, then 1 per second); no traffic "
		 "is lost there.");
	return r;
}

/* IPv6, flows told apart by their flow label alone, over a slow link (RTTs past one second), from two sources. */
static struct results *ipv6(bool early)
{
	struct gscen s;

	(void)early;
	g_init(&s, PROBE_UDP, "2001:db8::10", "2001:db8:ffff::20", 6, 8);
	s.vary = VARY_LABEL;
	s.confidence = 99;
	s.base_ms = 480.0;
	s.per_hop_ms = 300.0;
	for (int i = 0; i < 6; i++) {
		g_hop(&s, i, 1, "2001:db8:1::1", 0);
		g_hop(&s, i, 2, i < 2 ? "2001:db8:2::1" : "2001:db8:3::1", 0);
		g_reach(&s, i, 3, i == 4 ? 1 : 0);
		s.f[i].src = i < 3 ? "2001:db8::10" : "2001:db8::11";
	}
	return g_build(&s);
}

/* ICMP: hop 2 balances per packet, so each flow meets both routers there. */
static struct results *per_packet(bool early)
{
	static const int all[] = {0, 1, 2, 3, -1};
	struct gscen s;
	struct results *r;
	struct finding *f;

	g_init(&s, PROBE_ICMP, "192.0.2.10", "198.51.100.40", 4, 12);
	for (int i = 0; i < 4; i++) {
		g_hop(&s, i, 1, "10.4.0.1", 0);
		g_hop(&s, i, 2, i % 2 ? "10.4.2.1" : "10.4.1.1", 0);
		g_reach(&s, i, 3, 0);
		s.f[i].seen[1] = 2;
		s.f[i].path_changes = early ? 0 : 3;
	}
	if (early)
		s.f[0].path[1] = "10.4.2.1";	/* flow 0 met the other router first */
	r = g_build(&s);
	g_hop_at(r, 2)->per_packet = true;
	g_hop_at(r, 2)->discovery_per_vertex = true;
	if (early)
		return r;
	f = g_finding(r, FINDING_PER_PACKET_BALANCING, 2, "10.4.1.1");
	f->prev_addr = g_addr("10.4.0.1");
	g_finding_flows(r, f, all);
	snprintf(f->summary, sizeof(f->summary),
		 "Hop 2 balances per packet: each of 4 flows met 2 routers there (10.4.1.1, "
		 "10.4.2.1); figures past hop 2 mix both paths.");
	return r;
}

/* TCP to 5432: routers answer up to hop 2, then nothing; the target never answers. */
static struct results *silent_target(bool early)
{
	static const int all[] = {0, 1, 2, 3, -1};
	struct gscen s;
	struct results *r;
	struct finding *f;

	(void)early;
	g_init(&s, PROBE_TCP, "192.0.2.10", "198.51.100.50", 4, 6);
	s.dport = 5432;
	for (int i = 0; i < 4; i++) {
		g_hop(&s, i, 1, "10.5.0.1", 0);
		g_hop(&s, i, 2, "10.5.1.1", 0);
		for (int ttl = 3; ttl <= 5; ttl++)
			g_hop(&s, i, ttl, NULL, 6);
		s.f[i].e2e_lost = 6;
	}
	r = g_build(&s);
	for (int ttl = 3; ttl <= 5; ttl++)
		g_hop_at(r, ttl)->confidence = 0;	/* nothing answered: no statement */
	f = g_finding(r, FINDING_DESTINATION_LOSS, 0, "198.51.100.50");
	f->prev_addr = g_addr("10.5.1.1");
	g_finding_loss(f, 0, 24, 86.2, 100.0, 0.0);
	g_finding_flows(r, f, all);
	f->causes[f->ncauses++] = CAUSE_DESTINATION;
	f->causes[f->ncauses++] = CAUSE_FORWARD_LOSS;
	f->range_from_ttl = 2;
	f->range_from = g_addr("10.5.1.1");
	f->range_to_ttl = RANGE_TO_TARGET;
	snprintf(f->summary, sizeof(f->summary),
		 "No flow reached 198.51.100.50 (24 probes, none answered); the last answer came "
		 "from 10.5.1.1 at hop 2. The target does not answer TCP port 5432, or the probes "
		 "are lost past hop 2.");
	return r;
}

/*
 * -e and -z: a 2-way split whose branch routers quote MPLS label stacks
 * (two labels, one), and origin AS numbers for every address but one.
 */
static struct results *mpls_as(bool early)
{
	static const char *const even[] = {"10.0.1.1", "10.0.2.2", "198.51.100.20", NULL};
	static const char *const odd[] = {"10.0.1.1", "10.0.3.2", "198.51.100.20", NULL};
	struct branch_result *b;
	struct gscen s;
	struct results *r;

	(void)early;
	g_init(&s, PROBE_UDP, "192.0.2.10", "198.51.100.20", 4, 10);
	for (int i = 0; i < 4; i++)
		g_route(&s, i, i + 1, i % 2 ? odd : even);
	r = g_build(&s);
	b = g_branch(r, 2, "10.0.2.2");
	b->mpls = (struct mpls_stack){2, {24001u << 12 | 1, 16u << 12 | 5u << 9 | 1u << 8 | 1}};
	b = g_branch(r, 2, "10.0.3.2");
	b->mpls = (struct mpls_stack){1, {24002u << 12 | 1u << 8 | 1}};
	return r;
}

/* The AS numbers of mpls_as's addresses; 10.0.3.2 has none. */
static const char *golden_asn(void *ctx, const struct ip_addr *a)
{
	static const char *const table[][2] = {
		{"10.0.1.1", "64500"}, {"10.0.2.2", "64501"}, {"198.51.100.20", "64511"},
	};
	char text[ADDR_STRLEN];

	(void)ctx;
	addr_format(a, text, sizeof(text));
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(text, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}

static const struct namer golden_asn_namer = {.lookup = golden_asn};

const struct golden_scenario golden_scenarios[] = {
	{"clean", clean, false, NULL},
	{"lossy-branch", lossy_branch, false, NULL},
	{"return-path", return_path, false, NULL},
	{"rate-limited", rate_limited, false, NULL},
	{"ipv6", ipv6, false, NULL},
	{"per-packet", per_packet, false, NULL},
	{"silent-target", silent_target, false, NULL},
	{"mpls-as", mpls_as, true, &golden_asn_namer},
};
const size_t golden_nscenarios = sizeof(golden_scenarios) / sizeof(golden_scenarios[0]);
