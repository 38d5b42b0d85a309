/*
 * The faces' shared vocabulary at its edges (src/face/vocab.c): the loss
 * and RTT text rule, protocol names, the discovery verdict and its marks,
 * flow identity, and via indexes out of range.  The golden files show the
 * words in context; this pins the boundaries they may not cross.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/results.h"
#include "face/vocab.h"
#include "../tap.h"

static const char *ms(double us)
{
	static char buf[32];

	vocab_ms(us, buf, sizeof(buf));
	return buf;
}

static const char *loss(uint64_t received, uint64_t lost)
{
	static char buf[32];

	vocab_loss(received, lost, buf, sizeof(buf));
	return buf;
}

static void text_rule(void)
{
	static const struct {
		double us;
		const char *want;
	} rtts[] = {
		{0, "0.0"}, {49, "0.0"}, {51, "0.1"}, {912400, "912.4"}, {999940, "999.9"},
		{999950, "1000"}, {1000000, "1000"}, {1234567, "1235"}, {99999000, "99999"},
	};

	for (size_t i = 0; i < sizeof(rtts) / sizeof(rtts[0]); i++)
		ok(strcmp(ms(rtts[i].us), rtts[i].want) == 0, "RTT %.0f us reads %s (got %s)", rtts[i].us,
		   rtts[i].want, ms(rtts[i].us));
	ok(strcmp(loss(0, 0), "-") == 0, "no resolved probe: loss '-', not 0%%");
	ok(strcmp(loss(5, 0), "0.0%") == 0, "no loss: 0.0%%");
	ok(strcmp(loss(3, 1), "25.0%") == 0, "1 of 4 lost: 25.0%%");
	ok(strcmp(loss(2, 1), "33.3%") == 0, "1 of 3 lost: 33.3%% (one decimal)");
	ok(strcmp(loss(0, 7), "100.0%") == 0, "all lost: 100.0%% (fits the 6-column cell)");
}

static void names(void)
{
	ok(strcmp(vocab_proto(PROBE_UDP), "udp") == 0 && strcmp(vocab_proto(PROBE_TCP), "tcp") == 0 &&
	   strcmp(vocab_proto(PROBE_ICMP), "icmp") == 0, "protocol names udp, tcp, icmp");
	ok(strcmp(vocab_proto((enum probe_proto)9), "?") == 0, "an unknown protocol reads ?");
}

static void found(void)
{
	struct hop_result h = {0};

	ok(vocab_found(&h) == FOUND_NONE && strcmp(vocab_found_mark(&h), "") == 0,
	   "a hop discovery did not cover: no mark");
	h.confidence = 95;
	ok(strcmp(vocab_found_mark(&h), "part") == 0, "open: part");
	h.rate_limited = true;
	ok(strcmp(vocab_found_mark(&h), "part/rl") == 0, "open under ICMP rate limits: part/rl");
	h.discovery_complete = true;
	ok(strcmp(vocab_found_mark(&h), "95%") == 0, "complete at 95%%: 95%% (rate limits or not)");
	h.confidence = 99;
	ok(strcmp(vocab_found_mark(&h), "99%") == 0, "complete at 99%%: 99%%");
	h.per_packet = true;
	ok(vocab_found(&h) == FOUND_PER_PACKET && strcmp(vocab_found_mark(&h), "per-pkt") == 0,
	   "per-packet balancing outranks completeness: per-pkt");
}

static void identity_and_via(void)
{
	struct flow_result f = {.id = 0, .sport = 33434, .flow_label = 0x3a001};
	struct via_result v[2] = {{.branch = 1}, {.branch = 5}};
	struct branch_result b2[2] = {{.nflows = 0}, {.nflows = 0}}, b3 = {.via_ttl = 2, .via = v, .nvia = 2};
	struct hop_result hops[2] = {{.ttl = 1}, {.ttl = 2, .branches = b2, .nbranches = 2}};
	struct results r = {.hops = hops, .nhops = 2, .flows = &f, .nflows = 1};
	struct ip_addr a;
	char buf[32];

	r.config.first_ttl = 1;
	r.config.vary = VARY_SPORT;
	vocab_flow_ident(&r, &f, buf, sizeof(buf));
	ok(strcmp(buf, "33434") == 0 && strcmp(vocab_ident_many(&r), "source ports") == 0,
	   "flows by source port: 33434, source ports");
	r.config.vary = VARY_LABEL;
	vocab_flow_ident(&r, &f, buf, sizeof(buf));
	ok(strcmp(buf, "0x3a001") == 0 && strcmp(vocab_ident_one(&r), "flow label") == 0,
	   "flows by flow label: 0x3a001, flow label");
	r.config.vary = VARY_SPORT | VARY_LABEL;
	r.config.proto = PROBE_ICMP;
	vocab_flow_ident(&r, &f, buf, sizeof(buf));
	ok(strcmp(buf, "33434/0x3a001") == 0 && strcmp(vocab_port_title(&r), "IcmpId") == 0,
	   "both: 33434/0x3a001; ICMP's port column is IcmpId");
	ok(vocab_flow_by_id(&r, 0) == &f && vocab_flow_by_id(&r, 1) == NULL, "flow by id");
	b2[1].addr.family = AF_INET;
	b2[1].addr.b[0] = 10;
	a = vocab_via_addr(&r, &b3, 0);
	ok(addr_equal(&a, &b2[1].addr), "via 0 is branch 1 at TTL 2");
	a = vocab_via_addr(&r, &b3, 1);
	ok(!addr_is_set(&a), "a via naming a branch that does not exist: unset, not out of bounds");
	a = vocab_via_addr(&r, &b3, 2);
	ok(!addr_is_set(&a), "a via index past the end: unset");
	b3.via_ttl = 7;
	a = vocab_via_addr(&r, &b3, 0);
	ok(!addr_is_set(&a), "a via TTL with no hop: unset");
}

int main(void)
{
	text_rule();
	names();
	found();
	identity_and_via();
	return tap_done();
}
