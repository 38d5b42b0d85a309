/*
 * Link-layer framing (see link.h).  Link type numbers are the tcpdump.org
 * LINKTYPE_/DLT_ values; only the ones Linux captures produce are handled.
 */
#include <stdbool.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/link.h"

enum {
	LINK_NULL = 0,		/* BSD loopback: 4-byte host-order family */
	LINK_EN10MB = 1,	/* Ethernet */
	LINK_RAW = 12,		/* raw IP (DLT_RAW on Linux) */
	LINK_RAW_ALT = 101,	/* LINKTYPE_RAW */
	LINK_LINUX_SLL = 113,	/* Linux cooked v1: 16 bytes, protocol at 14 */
	LINK_IPV4 = 228,
	LINK_IPV6 = 229,
	LINK_LINUX_SLL2 = 276,	/* Linux cooked v2: 20 bytes, protocol at 0 */
};

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

static long ip_if(unsigned ethertype, size_t offset, size_t len)
{
	if (ethertype != ETHERTYPE_IPV4 && ethertype != ETHERTYPE_IPV6)
		return -1;
	if (offset >= len)
		return -1;
	return (long)offset;
}

long link_ip_offset(int linktype, const uint8_t *pkt, size_t len)
{
	size_t off;
	unsigned type;
	int tags;

	switch (linktype) {
	case LINK_RAW:
	case LINK_RAW_ALT:
	case LINK_IPV4:
	case LINK_IPV6:
		return len > 0 ? 0 : -1;
	case LINK_NULL:
		return len > 4 ? 4 : -1;
	case LINK_LINUX_SLL:
		if (len < 16)
			return -1;
		return ip_if(get16(pkt + 14), 16, len);
	case LINK_LINUX_SLL2:
		if (len < 20)
			return -1;
		return ip_if(get16(pkt), 20, len);
	case LINK_EN10MB:
		if (len < 14)
			return -1;
		off = 12;
		type = get16(pkt + off);
		/* At most two VLAN tags (802.1Q, QinQ): more is not a frame we sent for. */
		for (tags = 0; (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && tags < 2; tags++) {
			off += 4;
			if (off + 2 > len)
				return -1;
			type = get16(pkt + off);
		}
		return ip_if(type, off + 2, len);
	default:
		return -1;
	}
}

/* Linux packet types (linux/if_packet.h): what a cooked header says of a frame. */
#define SLL_OUTGOING 4

/* Copies a link-layer address of n bytes at a; 0 when it does not fit or is all zeros (none). */
static size_t lladdr_copy(const uint8_t *a, size_t n, uint8_t *out, size_t cap)
{
	bool any = false;

	if (n == 0 || n > cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		any |= a[i] != 0;
	if (!any)
		return 0;	/* loopback and tunnels carry zeros */
	memcpy(out, a, n);
	return n;
}

size_t link_source_addr(int linktype, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap)
{
	switch (linktype) {
	case LINK_LINUX_SLL:
		/* packet type (2), ARPHRD (2), address length (2), address (8), protocol (2) */
		if (len < 16 || get16(pkt) == SLL_OUTGOING || get16(pkt + 4) > 8)
			return 0;
		return lladdr_copy(pkt + 6, get16(pkt + 4), out, cap);
	case LINK_LINUX_SLL2:
		/* protocol (2), reserved (2), ifindex (4), ARPHRD (2), type (1), length (1), address (8) */
		if (len < 20 || pkt[10] == SLL_OUTGOING || pkt[11] > 8)
			return 0;
		return lladdr_copy(pkt + 12, pkt[11], out, cap);
	case LINK_EN10MB:
		if (len < 14)
			return 0;
		return lladdr_copy(pkt + 6, 6, out, cap);
	default:
		return 0;	/* raw IP and loopback have no link-layer source */
	}
}
