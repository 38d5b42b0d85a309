/*
 * The engine with each probe protocol against simulated networks: TCP SYN
 * (answered by SYN-ACK or RST), ICMP echo (echo reply), UDP; IPv4 and IPv6,
 * flows told apart by source port or by IPv6 flow label, through ECMP
 * routers hashing ports or labels.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/results.h"
#include "simnet.h"
#include "simrun.h"
#include "tests/tap.h"

/* Every flow reaches the destination at the oracle's TTL over the oracle's path, losing nothing. */
static bool all_reach(const struct simnet *n, const struct simrun_case *c)
{
	const struct engine_config *cfg = c->res ? &c->res->config : NULL;
	bool good = c->res != NULL;

	for (int f = 0; good && f < c->res->nflows; f++) {
		const struct flow_result *fr = &c->res->flows[f];
		const struct probe_spec *p = simrun_flow_probe(&c->run, cfg, f);
		struct ip_addr path[16];
		int len = p ? simnet_path(n, p, path, 16) : -1;

		good = len >= 0 && len < 16 && fr->dest_ttl == len + 1 && fr->lost == 0 &&
		       fr->received == cfg->rounds && fr->path_len == len + 1;
		for (int k = 0; good && k < len; k++)
			good = addr_equal(&fr->path[k], &path[k]) && fr->hop_lost[k] == 0;
	}
	return good;
}

/* Branches at hop ttl: how many, and does one of them hold the destination. */
static int branches(const struct simrun_case *c, int ttl)
{
	return c->res && c->res->nhops >= ttl ? c->res->hops[ttl - 1].nbranches : -1;
}

static void one(int family, enum probe_proto proto, unsigned vary, enum simnet_hash hash,
		bool listening, const char *what)
{
	struct engine_config cfg;
	struct simrun_case c;
	int widths[] = {1, 2, 1};
	struct simnet *n;

	simrun_config(&cfg, family);
	cfg.seed = 0xabc0000u + (uint32_t)proto * 16 + vary;
	cfg.proto = proto;
	cfg.vary = vary;
	cfg.rounds = 5;
	if (proto == PROBE_TCP) {
		cfg.payload_len = 0;
		cfg.dport = 443;
	}
	n = simnet_diamond(&cfg.src, &cfg.dst, widths, 3, false, 41);
	simnet_set_hash(n, hash);
	simnet_dest(n)->listening = listening;
	SIMRUN_OK(&c, &cfg, n, NULL, what);
	bool reach = all_reach(n, &c);
	int d = c.res && c.res->nhops >= 4 ? simrun_branch(&c.res->hops[3], &cfg.dst) : -1;

	ok(reach, "%s: every flow reaches the destination over the oracle's path", what);
	ok(c.res && c.res->dest_ttl == 4 && d >= 0 && c.res->hops[3].branches[d].is_destination,
		"%s: hop 4 is the destination", what);
	ok(branches(&c, 2) == 2, "%s: both ECMP branches found at hop 2 (%d)", what, branches(&c, 2));
	ok(c.res && c.res->counters.foreign == 0 && c.res->counters.late == 0,
		"%s: no reply is taken for foreign or late", what);
	simrun_case_free(&c);
	simnet_free(n);
}

int main(void)
{
	one(AF_INET, PROBE_UDP, VARY_SPORT, SIMNET_HASH_PORTS, true, "IPv4 UDP");
	one(AF_INET, PROBE_TCP, VARY_SPORT, SIMNET_HASH_PORTS, true, "IPv4 TCP SYN-ACK");
	one(AF_INET, PROBE_TCP, VARY_SPORT, SIMNET_HASH_PORTS, false, "IPv4 TCP RST");
	one(AF_INET, PROBE_ICMP, VARY_SPORT, SIMNET_HASH_PORTS, true, "IPv4 ICMP echo");
	one(AF_INET6, PROBE_UDP, VARY_SPORT, SIMNET_HASH_PORTS, true, "IPv6 UDP by port");
	one(AF_INET6, PROBE_TCP, VARY_SPORT, SIMNET_HASH_PORTS, true, "IPv6 TCP by port");
	one(AF_INET6, PROBE_ICMP, VARY_SPORT, SIMNET_HASH_PORTS, true, "IPv6 ICMP by identifier");
	one(AF_INET6, PROBE_UDP, VARY_LABEL, SIMNET_HASH_LABEL, true, "IPv6 UDP by flow label");
	one(AF_INET6, PROBE_UDP, VARY_LABEL | VARY_SPORT, SIMNET_HASH_LABEL, true,
	    "IPv6 UDP by port and label");
	/*
	 * Echo replies and SYN-ACKs quote nothing (no flow label): the engine
	 * must match them by probe id and port alone.
	 */
	one(AF_INET6, PROBE_ICMP, VARY_LABEL | VARY_SPORT, SIMNET_HASH_LABEL, true,
	    "IPv6 ICMP by identifier and label");
	one(AF_INET6, PROBE_TCP, VARY_LABEL, SIMNET_HASH_LABEL, true, "IPv6 TCP by flow label");
	return tap_done();
}
