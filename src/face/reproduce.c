/*
 * Reproduction commands (see reproduce.h).  TCP and UDP flows are defined
 * by their source port, so nc -p reproduces them exactly.  For ICMP the
 * loss command only retries the target; the path MTU one gives ping the
 * flow's identifier and flow label (icmp_mtu).
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

/* The flow whose source port or ICMP identifier is sport; NULL: none. */
static const struct flow_result *flow_of_port(const struct results *r, uint16_t sport)
{
	for (int i = 0; i < r->nflows; i++)
		if (r->flows[i].sport == sport)
			return &r->flows[i];
	return NULL;
}

/*
 * ICMP: iputils ping (Debian 12: 20221126) sends a don't-fragment echo
 * request of the size with the flow's identifier (-e) and, in IPv6, its
 * flow label (-F, 0x and hex); routers that hash those (and the addresses) send
 * it down the flow's branch.  Its checksum is not the flow's: a router
 * that hashes the ICMP checksum too may send it elsewhere (ecmptrace's
 * man page says so).  An IPv6 flow without a label of its own (--vary
 * sport) has no -F: ping would let the kernel pick one.  Exit status 0
 * when a reply came, 1 when none (a black hole, or "frag needed").
 */
static void icmp_mtu(const struct results *r, const char *host, uint16_t sport, int payload,
		     char *buf, size_t len)
{
	const struct flow_result *f = flow_of_port(r, sport);
	bool v6 = r->config.dst.family == AF_INET6;
	char label[24] = "";

	if (v6 && f != NULL && f->flow_label != 0)
		snprintf(label, sizeof(label), " -F 0x%x", (unsigned)f->flow_label);
	snprintf(buf, len, "ping %s-M do -s %d -c 3 -i 0.2 -W 1 -e %u%s %s", v6 ? "-6 " : "", payload,
		 (unsigned)sport, label, host);
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
		icmp_mtu(r, host, sport, payload, buf, len);
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
