/*
 * The engine against simulated networks, for what it measures about loss:
 * one lossy ECMP member (the field case ecmptrace exists for), a bad
 * return path for some source ports, a destination that never answers
 * (max_unknown), a rate-limited router, and loss at the destination.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

/* lost out of n within k standard deviations of Binomial(n, p). */
static bool binomial_ok(uint64_t lost, uint64_t n, double p, double k)
{
	return n > 0 && fabs((double)lost - (double)n * p) <= k * sqrt((double)n * p * (1 - p)) + 1;
}

static void lossy_branch(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, bad[64], nbad;
	struct simnet *n;
	uint64_t bad_recv = 0, bad_lost = 0, good_lost = 0, good_recv = 0;
	bool in_bad[64] = {false};

	simrun_config(&cfg, AF_INET);
	cfg.seed = 11;
	cfg.rounds = 50;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 21);
	simnet_node(n, simnet_at(n, 2, 1))->fwd_loss = 0.3;
	SIMRUN_OK(&c, &cfg, n, NULL, "lossy branch");
	if (!c.res || c.res->nhops < 4)
		goto out;
	nbad = simrun_oracle_flows(n, &c, simnet_at(n, 2, 1), bad, 64);
	for (int i = 0; i < nbad; i++)
		in_bad[bad[i]] = true;
	for (int f = 0; f < c.res->nflows; f++) {
		const struct flow_result *fr = &c.res->flows[f];

		if (in_bad[f]) {
			bad_recv += fr->received;
			bad_lost += fr->lost;
		} else {
			good_recv += fr->received;
			good_lost += fr->lost;
		}
	}
	ok(nbad > 0 && nbad < cfg.nflows, "the lossy member carries %d of %d flows", nbad, cfg.nflows);
	ok(binomial_ok(bad_lost, bad_recv + bad_lost, 0.3, 4.5),
	   "its flows lose ~30%% end to end (%llu of %llu)", (unsigned long long)bad_lost,
	   (unsigned long long)(bad_recv + bad_lost));
	ok(good_lost == 0 && good_recv == cfg.rounds * (uint64_t)(cfg.nflows - nbad),
	   "the other flows lose nothing (%llu lost)", (unsigned long long)good_lost);

	const struct hop_result *h2 = &c.res->hops[1], *h3 = &c.res->hops[2];
	int kb = simrun_branch(h2, &simnet_node(n, simnet_at(n, 2, 1))->addr);
	int kg = simrun_branch(h2, &simnet_node(n, simnet_at(n, 2, 0))->addr);

	ok(kb >= 0 && kg >= 0 && h2->branches[kg].lost == 0 && h2->branches[kb].lost == 0,
	   "hop 2: neither branch loses (the lossy router answers what expires at it)");
	ok(h3->nbranches == 1 && binomial_ok(h3->lost, (uint64_t)nbad * cfg.rounds, 0.3, 4.5),
	   "hop 3: the loss shows after the bad member (%llu lost)", (unsigned long long)h3->lost);
	uint64_t lost3 = 0, sent3 = 0;

	for (int i = 0; i < nbad; i++) {
		lost3 += c.res->flows[bad[i]].hop_lost[2];
		sent3 += c.res->flows[bad[i]].hop_lost[2] + c.res->flows[bad[i]].hop_received[2];
	}
	ok(lost3 == h3->lost && sent3 == (uint64_t)nbad * cfg.rounds,
	   "per-flow TTL-3 losses add up to the hop's");
	ok(c.res->counters.probes_sent == c.run.nsends && c.res->counters.replies == c.run.delivered,
	   "counters agree with the simulator");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/* Field case 1: SYN-ACKs to source ports 30003 and 30007 never come back. */
static void return_path(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	bool good = true;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 12;
	cfg.proto = PROBE_TCP;
	cfg.payload_len = 0;
	cfg.dport = 3306;
	cfg.sport_base = 30000;
	cfg.nflows = 10;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 22);
	simnet_dest(n)->drop_sports[0] = 30003;
	simnet_dest(n)->drop_sports[1] = 30007;
	simnet_dest(n)->ndrop_sports = 2;
	SIMRUN_OK(&c, &cfg, n, NULL, "return-path loss");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++) {
		const struct flow_result *fr = &c.res->flows[f];
		bool dropped = fr->sport == 30003 || fr->sport == 30007;

		if (dropped)
			good &= fr->dest_ttl == 0 && fr->received == 0 && fr->lost >= cfg.rounds;
		else
			good &= fr->dest_ttl == 4 && fr->received == cfg.rounds && fr->lost == 0;
		for (int k = 0; k < 3 && k < fr->path_len; k++)
			good &= addr_equal(&fr->path[k], &c.res->flows[0].path[k]) && fr->hop_lost[k] == 0;
	}
	ok(good, "flows from ports 30003 and 30007 lose 100%% end to end, the others 0%%, same forward path");
	ok(c.run.now_us - c.run.start_us <= cfg.rounds * cfg.interval_us + 2 * cfg.timeout_us,
	   "and the run still ends on time (%llu us)", (unsigned long long)(c.run.now_us - c.run.start_us));
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void max_unknown(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	struct simrun_limits lim = {.max_virtual_us = 120000000};
	bool good;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 13;
	cfg.max_unknown = 3;
	cfg.rounds = 5;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 23);
	simnet_node(n, SIMNET_DST)->silent = true;
	good = simrun_case_run(&c, &cfg, n, &lim);
	ok(good && c.run.done, "silent destination: the engine still finishes (%s)", c.run.why);
	ok(simrun_max_ttl(&c.run) == 3 + 3,
	   "it probes max_unknown (3) silent TTLs past the last responder (3), no more (max TTL %d)",
	   simrun_max_ttl(&c.run));
	ok(c.run.now_us - c.run.start_us <= (cfg.rounds + 1) * (cfg.interval_us + cfg.timeout_us),
	   "in bounded virtual time (%llu us)", (unsigned long long)(c.run.now_us - c.run.start_us));
	if (c.res) {
		ok(c.res->dest_ttl == 0 && c.res->nhops == 4 && c.res->hops[3].received == 0 &&
		   c.res->hops[3].lost > 0, "snapshot: no destination; one silent hop shown after the last router");
		ok(c.res->counters.rounds_started == cfg.rounds && c.res->counters.rounds_done == cfg.rounds,
		   "every round completes");
	}
	simrun_case_free(&c);
	simnet_free(n);

	/* A chain longer than max_unknown silent routers: the engine gives up in the silence. */
	simrun_config(&cfg, AF_INET);
	cfg.seed = 14;
	cfg.max_unknown = 2;
	cfg.rounds = 3;
	n = simnet_chain(&cfg.src, &cfg.dst, 6, 24);
	for (int s = 2; s <= 4; s++)
		simnet_node(n, simnet_at(n, s, 0))->silent = true;
	good = simrun_case_run(&c, &cfg, n, &lim);
	ok(good && simrun_max_ttl(&c.run) == 3 && c.res && c.res->dest_ttl == 0,
	   "three silent routers after TTL 1 with max_unknown 2: stops at TTL 3 (max TTL %d)",
	   simrun_max_ttl(&c.run));
	simrun_case_free(&c);
	simnet_free(n);
}

static void rate_limited_hop(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 15;
	cfg.rounds = 20;
	n = simnet_chain(&cfg.src, &cfg.dst, 4, 25);
	simnet_rate_limit(simnet_node(n, simnet_at(n, 2, 0)), SIMNET_LINUX_RL_BURST,
			  SIMNET_LINUX_RL_INTERVAL_US);
	SIMRUN_OK(&c, &cfg, n, NULL, "rate limit");
	if (!c.res || c.res->nhops < 5)
		goto out;
	/* 16 probes a second reach the router; it answers 6, then 1 a second. */
	const struct hop_result *h2 = &c.res->hops[1];
	uint64_t answered = h2->received;

	ok(answered >= 6 + 19 - 1 && answered <= 6 + 20 + 1,
	   "the rate-limited hop answers the burst then 1 per second (%llu of %llu)",
	   (unsigned long long)answered, (unsigned long long)(h2->received + h2->lost));
	ok(c.res->hops[2].lost == 0 && c.res->hops[3].lost == 0 && c.res->hops[4].lost == 0,
	   "hops after it lose nothing: the loss is not carried on");
	ok(c.res->dest_ttl == 5, "the destination is still found at TTL 5");
	/*
	 * The router's one token a second must not always go to the same flow
	 * (the engine rotates the flow order each round), or the others would
	 * show an unknown branch "*" behind a router that answers.
	 */
	ok(h2->nbranches == 1 && addr_is_set(&h2->branches[0].addr),
	   "every flow gets some answer from the rate-limited router (%d branches at hop 2)",
	   h2->nbranches);
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void destination_loss(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	uint64_t recv = 0, lost = 0;
	bool hops_clean = true;

	simrun_config(&cfg, AF_INET);
	cfg.seed = 16;
	cfg.rounds = 40;
	n = simnet_chain(&cfg.src, &cfg.dst, 2, 26);
	simnet_dest(n)->loss = 0.2;
	SIMRUN_OK(&c, &cfg, n, NULL, "destination loss");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++) {
		recv += c.res->flows[f].received;
		lost += c.res->flows[f].lost;
	}
	for (int h = 0; h < 2 && h < c.res->nhops; h++)
		hops_clean &= c.res->hops[h].lost == 0;
	ok(binomial_ok(lost, recv + lost, 0.2, 4.5), "20%% loss at the destination: %llu of %llu",
	   (unsigned long long)lost, (unsigned long long)(recv + lost));
	ok(hops_clean && c.res->dest_ttl == 3, "routers before it: no loss");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	lossy_branch();
	return_path();
	max_unknown();
	rate_limited_hop();
	destination_loss();
	return tap_done();
}
