/*
 * Raw sockets for sending probes whose IP header we write ourselves
 * (IPv4 IP_HDRINCL, IPv6 IPV6_HDRINCL), and the kernel's choice of source
 * address towards a destination.
 */
#ifndef ECMPTRACE_NET_RAWSOCK_H
#define ECMPTRACE_NET_RAWSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Returns the socket, or -1 with errno set and a message in err. */
int rawsock_open(int family, char *err, size_t errlen);
bool rawsock_send(int fd, const uint8_t *pkt, size_t len, const struct ip_addr *dst);
/* The address the kernel would send from towards dst (no packet is sent). */
bool rawsock_source_for(const struct ip_addr *dst, struct ip_addr *src, char *err, size_t errlen);

#endif
