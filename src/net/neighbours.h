/*
 * The link-layer check's sockets: asks on-link neighbours which link-layer
 * address holds their IP (ARP requests on a packet socket for IPv4, RFC
 * 826; Neighbor Solicitations on a raw ICMPv6 socket, RFC 4861) and hears
 * every claim on the segment (ARP replies and requests, Neighbor
 * Advertisements).  Before each question it reads this host's neighbour
 * table over rtnetlink, so the report can say where the host itself sends.
 */
#ifndef ECMPTRACE_NET_NEIGHBOURS_H
#define ECMPTRACE_NET_NEIGHBOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct neighbours;

/*
 * Opens the sockets for family; needs CAP_NET_RAW, so before privileges
 * are dropped.  zone: the interface of a link-local IPv6 target (0: none),
 * the only link then asked and heard.  NULL with a message in err when
 * they cannot be opened.
 */
struct neighbours *neighbours_open(int family, uint32_t zone, char *err, size_t errlen);
void neighbours_close(struct neighbours *nb);
/* Descriptor to poll for readability (claims waiting). */
int neighbours_fd(const struct neighbours *nb);

/* An entry of the host's neighbour table, or a claim heard on the segment. */
typedef void (*neighbours_fn)(void *ctx, const struct ip_addr *addr, const uint8_t *lladdr,
			      size_t len);

/*
 * Reads the host's neighbour table (table_fn for each entry of the
 * neighbour's interface), then asks who holds addr.  False when addr is
 * not on a link of this host, or the question could not be sent: it
 * cannot be asked.
 */
bool neighbours_ask(struct neighbours *nb, const struct ip_addr *addr, neighbours_fn table_fn,
		    void *ctx);
/* Hands each claim waiting on the sockets to claim_fn. */
void neighbours_dispatch(struct neighbours *nb, neighbours_fn claim_fn, void *ctx);

#endif
