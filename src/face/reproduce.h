/*
 * Commands an engineer can paste to reproduce what one flow sees with a
 * standard tool (the field case's `nc -p 30003 -w 5 -vz VIP 3306`).
 */
#ifndef ECMPTRACE_FACE_REPRODUCE_H
#define ECMPTRACE_FACE_REPRODUCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ip_addr;
struct results;

/* Writes the command for source port sport into buf; returns buf. */
const char *reproduce_command(const struct results *r, const char *host, uint16_t sport,
			      char *buf, size_t len);

/*
 * For a flow whose path takes at most pmtu bytes: a command sending one
 * don't-fragment packet of `size` bytes (the siblings' path MTU) on the
 * flow (ICMP: ping -M do with the flow's identifier and IPv6 flow label,
 * exit status 1 when no reply comes; UDP: a datagram from
 * the flow's port; TCP: a connection from it sending 8000 bytes, with DF
 * as Linux sends them, that prints whether they were acknowledged: ok or
 * stalled).
 */
const char *reproduce_mtu(const struct results *r, const char *host, uint16_t sport, int size,
			  char *buf, size_t len);

/*
 * For a neighbour that answers from several link-layer addresses: a
 * command that shows every machine answering for addr (IPv4: arping,
 * which prints each reply's MAC; IPv6: the neighbour cache).  shared:
 * several addresses with one link-layer address; the neighbour cache
 * shows them side by side.
 */
const char *reproduce_neighbour(const struct ip_addr *addr, bool shared, char *buf, size_t len);

#endif
