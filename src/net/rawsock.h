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

/* Most datagrams one rawsock_send_batch() call takes. */
#define RAWSOCK_BATCH_MAX 32

/* Returns the socket, or -1 with errno set and a message in err. */
int rawsock_open(int family, char *err, size_t errlen);
/*
 * Sends n datagrams in one system call; returns how many went (-1 on
 * error, errno set).  oifs, when not NULL, names per datagram the
 * interface index it must leave by (IP_PKTINFO / IPV6_PKTINFO), 0 for the
 * route's own choice.
 */
int rawsock_send_batch(int fd, uint8_t *const *pkts, const size_t *lens, const int *oifs, int n,
		       const struct ip_addr *dst);

#endif
