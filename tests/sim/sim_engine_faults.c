/*
 * The engine against a misbehaving reply stream: duplicated, reordered,
 * late and foreign replies must be counted as such and leave the
 * statistics alone (compared with a clean run of the same seed).  Also
 * the pacing contract: never faster than rate_pps, rounds at least
 * interval_us apart.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

/* A lossy 3-way ECMP network with some jitter: statistics worth comparing. */
static struct simnet *network(const struct engine_config *cfg)
{
	int widths[] = {1, 3, 2, 1};
	struct simnet *n = simnet_diamond(&cfg->src, &cfg->dst, widths, 4, true, 31);

	simnet_node(n, simnet_at(n, 2, 2))->fwd_loss = 0.2;
	simnet_node(n, simnet_at(n, 3, 0))->jitter_us = 2000;
	simnet_dest(n)->loss = 0.05;
	return n;
}

static void config(struct engine_config *cfg)
{
	simrun_config(cfg, AF_INET);
	cfg->seed = 0x5eed0001;
	cfg->rounds = 12;
}

static struct simrun_case clean;

static void run_clean(void)
{
	struct engine_config cfg;
	struct simnet *n;

	config(&cfg);
	n = network(&cfg);
	SIMRUN_OK(&clean, &cfg, n, NULL, "clean");
	ok(clean.res && clean.res->counters.duplicates + clean.res->counters.late +
	   clean.res->counters.foreign == 0, "clean run: no duplicates, late or foreign replies");
	simnet_free(n);

	/* Negative control: the comparison does see a small change in the network. */
	struct simrun_case other;
	char why[200] = "";

	config(&cfg);
	n = network(&cfg);
	simnet_dest(n)->loss = 0.07;
	SIMRUN_OK(&other, &cfg, n, NULL, "control");
	ok(clean.res && other.res && !simrun_results_equal(other.res, clean.res, true, why, sizeof(why)),
	   "control: 7%% instead of 5%% destination loss is a difference (%s)", why);
	simrun_case_free(&other);
	simnet_free(n);
}

static bool same_sends(const struct simrun *a, const struct simrun *b)
{
	if (a->nsends != b->nsends)
		return false;
	for (size_t i = 0; i < a->nsends; i++)
		if (a->sends[i].at != b->sends[i].at ||
		    !simrun_probe_equal(&a->sends[i].probe, &b->sends[i].probe))
			return false;
	return true;
}

static void duplicates(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	char why[200] = "";

	config(&cfg);
	n = network(&cfg);
	simnet_faults(n)->dup_prob = 0.3;
	simnet_faults(n)->dup_gap_us = 200;
	SIMRUN_OK(&c, &cfg, n, NULL, "duplicates");
	if (!c.res || !clean.res)
		goto out;
	ok(simnet_stats(n)->duplicates > 0 &&
	   c.res->counters.duplicates == simnet_stats(n)->duplicates &&
	   c.run.match[MATCH_DUPLICATE] == simnet_stats(n)->duplicates,
	   "every duplicate is counted as one (%llu of %llu)",
	   (unsigned long long)c.res->counters.duplicates,
	   (unsigned long long)simnet_stats(n)->duplicates);
	ok(same_sends(&c.run, &clean.run), "the engine sends exactly what it sends in the clean run");
	ok(simrun_results_equal(c.res, clean.res, true, why, sizeof(why)),
	   "statistics identical to the clean run %s", why);
	ok(c.res->counters.replies == clean.res->counters.replies, "replies counted once");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void foreign(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	char why[200] = "";

	config(&cfg);
	n = network(&cfg);
	simnet_faults(n)->foreign_prob = 0.5;
	SIMRUN_OK(&c, &cfg, n, NULL, "foreign");
	if (!c.res || !clean.res)
		goto out;
	/* Not about our flows: foreign; about one of them but no probe it sent: unauthenticated. */
	ok(simnet_stats(n)->foreign > 0 && simnet_pending(n) == 0 &&
	   c.res->counters.foreign + c.res->counters.unauthenticated == simnet_stats(n)->foreign,
	   "every foreign reply is counted foreign or unauthenticated (%llu + %llu of %llu)",
	   (unsigned long long)c.res->counters.foreign,
	   (unsigned long long)c.res->counters.unauthenticated,
	   (unsigned long long)simnet_stats(n)->foreign);
	ok(same_sends(&c.run, &clean.run) && simrun_results_equal(c.res, clean.res, true, why, sizeof(why)),
	   "sends and statistics identical to the clean run %s", why);
out:
	simrun_case_free(&c);
	simnet_free(n);

	/* Each kind alone, so one blind spot cannot hide behind the others. */
	for (int k = 0; k < SIMNET_FOREIGN_KINDS; k++) {
		static const char *const names[] = {"another destination", "another port",
						    "probe id 0", "probe id 0xffff"};
		/* Ids 0 and 0xffff (and ICMP from another source) name one of our flows. */
		enum match_result want = k >= SIMNET_FOREIGN_ID_ZERO ? MATCH_UNAUTHENTICATED
								     : MATCH_FOREIGN;
		uint64_t got;

		config(&cfg);
		cfg.rounds = 2;
		n = network(&cfg);
		simnet_faults(n)->foreign_prob = 1;
		simnet_faults(n)->foreign_kind = k;
		bool ran = simrun_case_run(&c, &cfg, n, NULL);

		got = !c.res ? 0 : want == MATCH_FOREIGN ? c.res->counters.foreign
							 : c.res->counters.unauthenticated;
		if (cfg.proto == PROBE_ICMP && k == SIMNET_FOREIGN_OTHER_PORT)
			want = MATCH_UNAUTHENTICATED, got = c.res ? c.res->counters.unauthenticated : 0;
		ok(ran && c.res && got == simnet_stats(n)->foreign && simnet_stats(n)->foreign > 0 &&
		   c.run.match[want] == simnet_stats(n)->foreign && c.res->counters.late == 0 &&
		   c.res->counters.duplicates == 0,
		   "foreign replies quoting %s: all %s (%llu of %llu)", names[k],
		   want == MATCH_FOREIGN ? "foreign" : "unauthenticated", (unsigned long long)got,
		   (unsigned long long)simnet_stats(n)->foreign);
		simrun_case_free(&c);
		simnet_free(n);
	}
}

static void reordering(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	int widths[] = {1, 2, 1};
	bool paths = true;

	/* Loss-free: reordering may shift the schedule, but nothing may be lost. */
	config(&cfg);
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 32);
	simnet_faults(n)->reorder_prob = 0.4;
	simnet_faults(n)->reorder_extra_us = 30000;
	SIMRUN_OK(&c, &cfg, n, NULL, "reordering");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++) {
		const struct flow_result *fr = &c.res->flows[f];
		struct ip_addr path[8];
		int len = simnet_path(n, simrun_flow_probe(&c.run, &cfg, f), path, 8);

		paths &= fr->dest_ttl == len + 1 && fr->lost == 0;
		for (int k = 0; k < len && k < fr->path_len; k++)
			paths &= addr_equal(&fr->path[k], &path[k]) && fr->hop_lost[k] == 0;
	}
	ok(simnet_stats(n)->reordered > 0 && c.run.match[MATCH_OK] == c.run.delivered &&
	   c.res->counters.duplicates + c.res->counters.late + c.res->counters.foreign == 0,
	   "reordered replies (%llu) all match", (unsigned long long)simnet_stats(n)->reordered);
	ok(paths, "paths as the oracle says and no loss");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

static void late(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	uint64_t lost = 0, received = 0;

	/* Loss-free chain: every loss the engine sees is a late reply. */
	config(&cfg);
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 33);
	simnet_faults(n)->late_prob = 0.1;
	simnet_faults(n)->late_extra_us = cfg.timeout_us + 500000;
	SIMRUN_OK(&c, &cfg, n, NULL, "late");
	if (!c.res)
		goto out;
	for (int f = 0; f < c.res->nflows; f++) {
		const struct flow_result *fr = &c.res->flows[f];

		for (int k = 0; k < fr->path_len - 1; k++) {
			lost += fr->hop_lost[k];
			received += fr->hop_received[k];
		}
		lost += fr->lost;
		received += fr->received;
	}
	ok(lost == simnet_stats(n)->late && received + lost == c.res->counters.probes_sent,
	   "each late reply's probe counts as lost (%llu lost, %llu late)", (unsigned long long)lost,
	   (unsigned long long)simnet_stats(n)->late);
	ok(c.res->counters.late > 0 && c.res->counters.late + simnet_pending(n) == simnet_stats(n)->late &&
	   c.run.match[MATCH_LATE] == c.res->counters.late,
	   "late replies that arrive are counted late (%llu, %zu still in flight at the end)",
	   (unsigned long long)c.res->counters.late, simnet_pending(n));
	ok(c.res->counters.replies == received && c.res->counters.duplicates == 0 &&
	   c.res->counters.foreign == 0, "and never counted as received");
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/*
 * Above 1000 pps up to a millisecond's worth of probes may go back to back
 * (so the caller wakes once per millisecond, not once per probe): a token
 * bucket 1 ms deep, so any window of T holds at most depth + rate * T
 * probes (over a second, the rate plus 0.1%), and the rate is reached.
 */
static void burst_case(uint32_t rate)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	int widths[] = {1, 4, 1};
	uint64_t depth = rate / 1000, worst = 0, span;
	size_t together = 0;
	char what[64];

	config(&cfg);
	cfg.rate_pps = rate;
	cfg.interval_us = 0;
	cfg.nflows = 64;
	cfg.rounds = 20;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 35);
	snprintf(what, sizeof(what), "bursts at %u pps", rate);
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	/* The most sends in any window of 1 ms (a sliding window over the send times). */
	for (size_t i = 0, j = 0; i < c.run.nsends; i++) {
		while (c.run.sends[i].at - c.run.sends[j].at >= 1000)
			j++;
		if (i - j + 1 > worst)
			worst = i - j + 1;
	}
	/* A millisecond's probes leave together: most sends share the time of the one before. */
	for (size_t i = 1; i < c.run.nsends; i++)
		together += c.run.sends[i].at == c.run.sends[i - 1].at;
	ok(c.run.nsends > 1 && together * 10 * depth >= (c.run.nsends - 1) * 9 * (depth - 1),
	   "%s: sends come in groups of %llu, a millisecond's worth (%zu of %zu share a time)",
	   what, (unsigned long long)depth, together, c.run.nsends - 1);
	span = c.run.nsends > 1 ? c.run.sends[c.run.nsends - 1].at - c.run.sends[0].at : 0;
	ok(worst <= 2 * depth + 1, "%s: at most %llu probes in any millisecond (worst %llu)", what,
	   (unsigned long long)(2 * depth + 1), (unsigned long long)worst);
	ok(span > 0 && (double)c.run.nsends * 1e6 / (double)span >= 0.8 * rate &&
	   (double)(c.run.nsends - depth) * 1e6 / (double)span <= rate,
	   "%s: %zu probes in %llu us, the rate reached but not passed", what, c.run.nsends,
	   (unsigned long long)span);
	simrun_case_free(&c);
	simnet_free(n);
}

/* Sends never closer than 1e6 / rate us; rounds never closer than interval. */
static void pacing_case(uint32_t rate, uint64_t interval, int nflows)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	uint64_t gap = 1000000 / rate, min_gap = UINT64_MAX, min_round = UINT64_MAX, last_start = 0;
	uint64_t starts = 0;
	int widths[] = {1, 2, 1};

	config(&cfg);
	cfg.rate_pps = rate;
	cfg.interval_us = interval;
	cfg.nflows = nflows;
	cfg.rounds = 6;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 34);
	char what[64];

	snprintf(what, sizeof(what), "pacing %u pps, interval %llu us", rate, (unsigned long long)interval);
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	for (size_t i = 0; i < c.run.nsends; i++) {
		const struct simrun_send *s = &c.run.sends[i];

		if (i > 0 && s->at - c.run.sends[i - 1].at < min_gap)
			min_gap = s->at - c.run.sends[i - 1].at;
		/*
		 * A round starts with its first probe at the first TTL: the first
		 * send, or one at the first TTL right after a higher TTL (the
		 * flow it starts with rotates from round to round).
		 */
		if (s->probe.ttl == cfg.first_ttl &&
		    (i == 0 || c.run.sends[i - 1].probe.ttl != cfg.first_ttl)) {
			if (starts > 0 && s->at - last_start < min_round)
				min_round = s->at - last_start;
			last_start = s->at;
			starts++;
		}
	}
	ok(c.run.nsends > 1 && min_gap + 1 >= gap, "no two sends closer than %llu us (closest %llu)",
	   (unsigned long long)gap, (unsigned long long)min_gap);
	ok(starts == cfg.rounds && min_round >= interval,
	   "%llu rounds, starts at least %llu us apart (closest %llu)", (unsigned long long)starts,
	   (unsigned long long)interval, (unsigned long long)min_round);
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	run_clean();
	duplicates();
	foreign();
	reordering();
	late();
	pacing_case(100, 1000000, 16);
	pacing_case(1000, 200000, 16);
	pacing_case(333, 50000, 32);	/* rounds take longer than the interval */
	pacing_case(7, 1000000, 2);
	burst_case(10000);
	burst_case(2500);
	simrun_case_free(&clean);
	return tap_done();
}
