/*
 * Reproduction commands (see reproduce.h).  TCP and UDP flows are defined
 * by their source port, so nc -p reproduces them exactly; ping cannot pick
 * its ICMP identifier, so for ICMP the command only retries the target.
 */
#include <stdio.h>
#include <sys/socket.h>

#include "addr.h"
#include "engine/results.h"
#include "face/reproduce.h"

const char *reproduce_command(const struct results *r, const char *host, uint16_t sport,
			      char *buf, size_t len)
{
	const char *six = r->config.dst.family == AF_INET6 ? "-6 " : "";

	switch (r->config.proto) {
	case PROBE_TCP:
		snprintf(buf, len, "nc %s-v -z -w 2 -p %u %s %u", six, sport, host, r->config.dport);
		break;
	case PROBE_UDP:
		snprintf(buf, len, "nc %s-u -v -z -w 2 -p %u %s %u", six, sport, host,
			 r->config.dport);
		break;
	case PROBE_ICMP:
	default:
		snprintf(buf, len, "ping %s-c 10 %s", six, host);
		break;
	}
	return buf;
}

const char *reproduce_mtu(const struct results *r, const char *host, uint16_t sport, int size,
			  char *buf, size_t len)
{
	bool v6 = r->config.dst.family == AF_INET6;
	int payload = size - (v6 ? 48 : 28);

	switch (r->config.proto) {
	case PROBE_TCP:
		snprintf(buf, len, "head -c 1000000 /dev/zero | nc %s-w 5 -p %u %s %u", v6 ? "-6 " : "",
			 sport, host, r->config.dport);
		break;
	case PROBE_UDP:
		snprintf(buf, len, "head -c %d /dev/zero | nc %s-u -w 2 -p %u %s %u", payload,
			 v6 ? "-6 " : "", sport, host, r->config.dport);
		break;
	case PROBE_ICMP:
	default:
		snprintf(buf, len, "ping %s-M do -s %d -c 3 %s", v6 ? "-6 " : "", payload, host);
		break;
	}
	return buf;
}

const char *reproduce_neighbour(const struct ip_addr *addr, bool shared, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	addr_format(addr, a, sizeof(a));
	if (shared)
		snprintf(buf, len, "ip %sneigh show", addr->family == AF_INET6 ? "-6 " : "");
	else if (addr->family == AF_INET6)
		snprintf(buf, len, "ip -6 neigh show %s", a);
	else
		snprintf(buf, len, "arping -c 4 %s", a);
	return buf;
}
