/*
 * The field cases end to end: simulated network -> engine -> snapshot ->
 * diagnosis.  Each scenario plants one fault and checks that the findings
 * (diagnose.h) name it, with the right flows/ports/hop, and nothing else
 * about loss; a clean network must give no loss finding at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/diagnose.h"
#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

static int count_kind(const struct results *r, enum finding_kind kind)
{
	int count = 0;

	if (!r || !r->findings)
		return -1;
	for (int i = 0; i < r->findings->count; i++)
		count += r->findings->items[i].kind == kind;
	return count;
}

static const struct finding *first_kind(const struct results *r, enum finding_kind kind)
{
	if (!r || !r->findings)
		return NULL;
	for (int i = 0; i < r->findings->count; i++)
		if (r->findings->items[i].kind == kind)
			return &r->findings->items[i];
	return NULL;
}

static int loss_findings(const struct results *r)
{
	return count_kind(r, FINDING_LOSSY_BRANCH) + count_kind(r, FINDING_RETURN_PATH_LOSS) +
	       count_kind(r, FINDING_DESTINATION_LOSS);
}

/* For test output: the kinds found. */
static const char *kinds(const struct results *r, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (int i = 0; r && r->findings && i < r->findings->count && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? "," : "",
				 finding_kind_name(r->findings->items[i].kind));

		if (w < 0)
			break;
		at += (size_t)w;
	}
	return buf;
}

static void clean(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 3, 2, 1};
	struct simnet *n;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 71;
	cfg.rounds = 30;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, true, 71);
	SIMRUN_OK(&c, &cfg, n, NULL, "clean ECMP network");
	ok(c.res && c.res->findings && c.res->findings->count == 0, "clean network: no findings (%s)",
	   kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

static void lossy_branch(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, bad[64], nbad;
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 72;
	cfg.rounds = 50;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 21);
	simnet_node(n, simnet_at(n, 2, 1))->fwd_loss = 0.3;
	SIMRUN_OK(&c, &cfg, n, NULL, "30% loss behind one ECMP member");
	nbad = simrun_oracle_flows(n, &c, simnet_at(n, 2, 1), bad, 64);
	f = first_kind(c.res, FINDING_LOSSY_BRANCH);
	ok(f != NULL && count_kind(c.res, FINDING_LOSSY_BRANCH) == 1 && loss_findings(c.res) == 1,
	   "one lossy-branch finding and no other loss finding (%s)", kinds(c.res, buf, sizeof(buf)));
	if (!f)
		goto out;
	ok(f->nflows == nbad && memcmp(f->flows, bad, (size_t)nbad * sizeof(int)) == 0,
	   "it names exactly the flows through the bad member (%d of %d)", f->nflows, nbad);
	ok(f->ttl == 3 && addr_equal(&f->prev_addr, &simnet_node(n, simnet_at(n, 2, 1))->addr),
	   "localised at TTL 3, after the bad member (ttl %d)", f->ttl);
	ok(f->ci_lo_pct <= 30 && f->ci_hi_pct >= 30 && f->baseline_pct < 1,
	   "its interval [%.1f, %.1f]%% holds the true 30%%, baseline %.1f%%", f->ci_lo_pct,
	   f->ci_hi_pct, f->baseline_pct);
out:
	simrun_case_free(&c);
	simnet_free(n);
}

/*
 * A member that forwards nothing: its flows are answered by it and by no
 * hop behind it.  The loss starts on the link out of it (the far end
 * unknown: nothing there answers these flows), not at the destination.
 */
static void dead_branch(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1, 1}, bad[64], nbad;
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 73;
	cfg.rounds = 20;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, false, 23);
	simnet_node(n, simnet_at(n, 2, 1))->fwd_loss = 1.0;
	SIMRUN_OK(&c, &cfg, n, NULL, "an ECMP member that forwards nothing");
	nbad = simrun_oracle_flows(n, &c, simnet_at(n, 2, 1), bad, 64);
	f = first_kind(c.res, FINDING_LOSSY_BRANCH);
	ok(f != NULL && f->nflows == nbad && f->nflows > 0,
	   "dead member: a lossy-branch finding names its %d flows (%s)", nbad,
	   kinds(c.res, buf, sizeof(buf)));
	ok(f != NULL && f->ttl == 3 &&
	   addr_equal(&f->prev_addr, &simnet_node(n, simnet_at(n, 2, 1))->addr) &&
	   !addr_is_set(&f->addr),
	   "dead member: localised at TTL 3, on the link out of it, far end unknown (ttl %d)",
	   f ? f->ttl : 0);
	simrun_case_free(&c);
	simnet_free(n);
}

/*
 * Field cases 2 and 3: the first hop's address answers from two link-layer
 * addresses in turn.  One finding at TTL 1 naming both; with one address,
 * the branch lists it and nothing is raised.
 */
static void link_conflict(void)
{
	static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a}, mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet_node *gw;
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	for (int two = 0; two <= 1; two++) {
		simrun_config(&cfg, AF_INET);
		cfg.seed = 74;
		cfg.rounds = 10;
		n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 24);
		gw = simnet_node(n, simnet_at(n, 1, 0));
		memcpy(gw->lladdrs[0], mac_a, 6);
		memcpy(gw->lladdrs[1], mac_b, 6);
		gw->nlladdrs = two ? 2 : 1;
		SIMRUN_OK(&c, &cfg, n, NULL, two ? "first hop answering from two MACs" : "first hop, one MAC");
		f = first_kind(c.res, FINDING_LINK_ADDRESS_CONFLICT);
		if (two) {
			ok(f != NULL && count_kind(c.res, FINDING_LINK_ADDRESS_CONFLICT) == 1 &&
			   f->ttl == 1 && addr_equal(&f->addr, &gw->addr) &&
			   strstr(f->summary, "02:00:00:00:00:0a") && strstr(f->summary, "02:00:00:00:00:0b"),
			   "two MACs: one link-address-conflict at TTL 1 naming both (%s)",
			   f ? f->summary : kinds(c.res, buf, sizeof(buf)));
			ok(c.res->hops[0].nbranches == 1 && c.res->hops[0].branches[0].nlink_addrs == 2 &&
			   c.res->hops[1].branches[0].nlink_addrs == 0,
			   "two MACs: the first hop's branch lists both, later hops none");
		} else {
			ok(f == NULL && c.res->hops[0].branches[0].nlink_addrs == 1 &&
			   memcmp(c.res->hops[0].branches[0].link_addrs[0].addr, mac_a, 6) == 0,
			   "one MAC: listed, no finding (%s)", kinds(c.res, buf, sizeof(buf)));
		}
		simrun_case_free(&c);
		simnet_free(n);
	}
	/* Field case 4: the host's two next hops are clones with one MAC. */
	{
		int w2[] = {2, 1};
		const struct finding *g;

		simrun_config(&cfg, AF_INET);
		cfg.seed = 75;
		cfg.rounds = 10;
		n = simnet_diamond(&cfg.src, &cfg.dst, w2, 2, false, 25);
		for (int i = 0; i < 2; i++) {
			memcpy(simnet_node(n, simnet_at(n, 1, i))->lladdrs[0], mac_a, 6);
			simnet_node(n, simnet_at(n, 1, i))->nlladdrs = 1;
		}
		SIMRUN_OK(&c, &cfg, n, NULL, "two first hops with one MAC");
		g = first_kind(c.res, FINDING_LINK_ADDRESS_SHARED);
		ok(g != NULL && count_kind(c.res, FINDING_LINK_ADDRESS_SHARED) == 1 && g->ttl == 1 &&
		   g->nflows == c.res->nflows && strstr(g->summary, "02:00:00:00:00:0a") &&
		   first_kind(c.res, FINDING_LINK_ADDRESS_CONFLICT) == NULL,
		   "one MAC, two first-hop addresses: one link-address-shared over all flows (%s)",
		   g ? g->summary : kinds(c.res, buf, sizeof(buf)));
		simrun_case_free(&c);
		simnet_free(n);
	}
}

/* Field case 1: one TCP connection in five never gets its SYN-ACK back. */
static void return_path(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 73;
	cfg.proto = PROBE_TCP;
	cfg.payload_len = 0;
	cfg.dport = 3306;
	cfg.sport_base = 30000;
	cfg.nflows = 10;
	cfg.rounds = 20;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 73);
	simnet_dest(n)->drop_sports[0] = 30003;
	simnet_dest(n)->drop_sports[1] = 30007;
	simnet_dest(n)->ndrop_sports = 2;
	SIMRUN_OK(&c, &cfg, n, NULL, "SYN-ACKs to ports 30003 and 30007 lost");
	f = first_kind(c.res, FINDING_RETURN_PATH_LOSS);
	ok(f != NULL && loss_findings(c.res) == 1, "one return-path-loss finding, no other loss finding (%s)",
	   kinds(c.res, buf, sizeof(buf)));
	ok(f && f->nflows == 2 && f->source_ports[0] == 30003 && f->source_ports[1] == 30007,
	   "it names source ports 30003 and 30007");
	simrun_case_free(&c);
	simnet_free(n);
}

/* A bad member of the destination's return ECMP group: half of its replies die. */
static void return_member(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1}, want[64], nwant = 0;
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 79;
	cfg.rounds = 40;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 79);
	simnet_dest(n)->ret_members = 4;
	simnet_dest(n)->ret_loss[1] = 0.5;
	SIMRUN_OK(&c, &cfg, n, NULL, "one of four return members loses 50%");
	for (int i = 0; c.res && i < cfg.nflows; i++)
		if (simnet_return_member(n, simrun_flow_probe(&c.run, &cfg, i)) == 1)
			want[nwant++] = i;
	f = first_kind(c.res, FINDING_RETURN_PATH_LOSS);
	ok(nwant > 0 && f && loss_findings(c.res) == 1,
	   "one return-path-loss finding, no other loss finding (%s)", kinds(c.res, buf, sizeof(buf)));
	ok(f && f->nflows == nwant && memcmp(f->flows, want, (size_t)nwant * sizeof(int)) == 0,
	   "it names exactly the %d flows hashed onto the bad member (%d)", nwant, f ? f->nflows : -1);
	simrun_case_free(&c);
	simnet_free(n);
}

static void destination(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 74;
	cfg.rounds = 30;
	n = simnet_chain(&cfg.src, &cfg.dst, 3, 74);
	simnet_dest(n)->loss = 0.2;
	SIMRUN_OK(&c, &cfg, n, NULL, "20% loss at the destination");
	ok(count_kind(c.res, FINDING_DESTINATION_LOSS) == 1 && loss_findings(c.res) == 1,
	   "one destination-loss finding, no other loss finding (%s)", kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

static void rate_limited(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 75;
	cfg.rounds = 20;
	n = simnet_chain(&cfg.src, &cfg.dst, 4, 75);
	simnet_rate_limit(simnet_node(n, simnet_at(n, 2, 0)), SIMNET_LINUX_RL_BURST,
			  SIMNET_LINUX_RL_INTERVAL_US);
	SIMRUN_OK(&c, &cfg, n, NULL, "ICMP rate limit at hop 2");
	f = first_kind(c.res, FINDING_RATE_LIMITED_HOP);
	ok(f && f->ttl == 2 && loss_findings(c.res) == 0,
	   "a rate-limited-hop finding at TTL 2, and no loss finding (%s)", kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

static void per_packet(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;
	const struct finding *f;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 76;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 76);
	simnet_node(n, simnet_at(n, 1, 0))->hash = SIMNET_HASH_PER_PACKET;
	SIMRUN_OK(&c, &cfg, n, NULL, "per-packet balancing after hop 1");
	f = first_kind(c.res, FINDING_PER_PACKET_BALANCING);
	ok(f && f->ttl == 2 && loss_findings(c.res) == 0,
	   "a per-packet-balancing finding at TTL 2 (%s)", kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

/* Per-packet findings at ttl. */
static int count_pp_at(const struct results *r, int ttl)
{
	int n = 0;

	for (int i = 0; r && r->findings && i < r->findings->count; i++)
		n += r->findings->items[i].kind == FINDING_PER_PACKET_BALANCING &&
		     r->findings->items[i].ttl == ttl;
	return n;
}

/*
 * Adaptive mode: a single discovery pass (-c 1) probes every flow once per
 * TTL, so only its per-packet test (flows probed again at the branching
 * hop, once the 1:1 stage after it looks meshed) can show per-packet
 * balancing; with more rounds the flows' own responders show it too, and
 * the two must make one finding, not two.
 */
static void per_packet_discovery(int rounds)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 4, 4, 1};
	struct simnet *n;
	const struct finding *f;
	char buf[200], what[80];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 79;
	cfg.adaptive = true;
	cfg.rounds = rounds;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, false, 79);
	simnet_node(n, simnet_at(n, 1, 0))->hash = SIMNET_HASH_PER_PACKET;
	snprintf(what, sizeof(what), "adaptive, %d round%s, per-packet 1 -> 4 -> 4 -> 1", rounds,
		 rounds == 1 ? "" : "s");
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	f = first_kind(c.res, FINDING_PER_PACKET_BALANCING);
	ok(c.res && c.res->nhops >= 2 && c.res->hops[1].ttl == 2 && c.res->hops[1].per_packet &&
	   !c.res->hops[0].per_packet, "%s: discovery marks hop 2 per-packet, hop 1 not", what);
	ok(f && f->ttl == 2 && count_pp_at(c.res, 2) == 1 && loss_findings(c.res) == 0,
	   "%s: one per-packet-balancing finding at TTL 2 (%s)", what,
	   kinds(c.res, buf, sizeof(buf)));
	ok(f && strstr(f->summary, "unreliable") != NULL && f->nflows > 0,
	   "%s: it names flows and says per-branch figures are unreliable: %s", what,
	   f ? f->summary : "");
	simrun_case_free(&c);
	simnet_free(n);
}

/* The same single pass over per-flow balancing raises no per-packet alarm. */
static void per_flow_discovery(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 4, 1};
	struct simnet *n;
	bool marked = false;
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 79;
	cfg.adaptive = true;
	cfg.rounds = 1;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 79);
	SIMRUN_OK(&c, &cfg, n, NULL, "adaptive, 1 round, per-flow 1 -> 4 -> 1");
	for (int h = 0; c.res && h < c.res->nhops; h++)
		marked |= c.res->hops[h].per_packet;
	ok(c.res && !marked && count_kind(c.res, FINDING_PER_PACKET_BALANCING) == 0,
	   "per-flow 1 -> 4 -> 1: no hop marked per-packet, no finding (%s)",
	   kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

static void do_change(void *ctx, struct engine *e, struct simnet *n, uint64_t now)
{
	(void)ctx;
	(void)e;
	(void)now;
	simnet_node(n, simnet_at(n, 1, 0))->seed ^= 0xdeadbeefu;
}

static void path_change(void)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;
	struct simrun_limits lim = {.events = {{.after_us = 5005000, .fn = do_change}}};
	char buf[200];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 77;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 64);
	SIMRUN_OK(&c, &cfg, n, &lim, "ECMP rehash at 5 s");
	ok(count_kind(c.res, FINDING_PATH_CHANGE) >= 1 && count_kind(c.res, FINDING_PER_PACKET_BALANCING) == 0 &&
	   loss_findings(c.res) == 0, "a path-change finding, not per-packet balancing (%s)",
	   kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

/*
 * Every node with Linux's ICMP rate limit (6, then 1 per second per
 * source), as in a lab of Linux namespaces.  Echo replies and SYN-ACKs are
 * not rate limited, but UDP's port unreachables from the destination are:
 * at 16 probes a second to the target, most of them go unanswered.
 */
static void linux_everywhere(enum probe_proto proto, const char *name)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 2, 1};
	struct simnet *n;
	char buf[300], what[80];

	simrun_config(&cfg, AF_INET);
	cfg.seed = 78;
	cfg.proto = proto;
	cfg.payload_len = proto == PROBE_TCP ? 0 : cfg.payload_len;
	cfg.rounds = 30;
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 4, false, 78);
	for (int i = 0; i < simnet_node_count(n); i++)
		if (i != SIMNET_SRC)
			simnet_rate_limit(simnet_node(n, i), SIMNET_LINUX_RL_BURST,
					  SIMNET_LINUX_RL_INTERVAL_US);
	snprintf(what, sizeof(what), "%s, Linux ICMP rate limits everywhere", name);
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	ok(count_kind(c.res, FINDING_RATE_LIMITED_HOP) >= 1, "%s: rate limiting is recognised", what);
	ok(c.res && loss_findings(c.res) == 0, "%s: no loss is reported (%s)", what,
	   kinds(c.res, buf, sizeof(buf)));
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	clean();
	lossy_branch();
	dead_branch();
	link_conflict();
	return_path();
	return_member();
	destination();
	rate_limited();
	per_packet();
	per_packet_discovery(1);
	per_packet_discovery(10);
	per_flow_discovery();
	path_change();
	linux_everywhere(PROBE_ICMP, "ICMP");
	linux_everywhere(PROBE_TCP, "TCP");
	linux_everywhere(PROBE_UDP, "UDP");
	return tap_done();
}
