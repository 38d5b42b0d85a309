/*
 * Link-layer framing (see link.h).  Link type numbers are the tcpdump.org
 * LINKTYPE_/DLT_ values; only the ones Linux captures produce are handled.
 */
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
