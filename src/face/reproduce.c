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
		/*
		 * A connection from the flow's port that sends 8000 bytes
		 * (full-size segments, DF set by the kernel's PMTU discovery)
		 * and says whether the server acknowledged them within 5 s
		 * (SIOCOUTQ: bytes not yet acknowledged).  An nc transfer's
		 * exit status says nothing here: the server may close first.
		 */
		snprintf(buf, len,
			 "python3 -c \"import socket,fcntl,time;"
			 "c=socket.create_connection(('%s',%u),5,('',%u));c.sendall(bytes(8000));"
			 "t=time.time()+5;q=lambda:int.from_bytes(fcntl.ioctl(c,0x5411,bytes(4)),"
			 "'little');[time.sleep(.05) for _ in iter(lambda:q() and time.time()<t,0)];"
			 "print('stalled' if q() else 'ok')\"",
			 host, r->config.dport, sport);
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
