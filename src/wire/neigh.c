/*
 * Address resolution on the local segment: ARP requests and replies for
 * Ethernet/IPv4 (RFC 826) and IPv6 Neighbor Solicitations and
 * Advertisements (RFC 4861, 4.3, 4.4, 4.6.1 and 7.1.2).  The parsers read
 * what any host on the segment may send, so every length is checked
 * before the byte it covers is touched.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "wire/bytes.h"
#include "wire/neigh.h"

/* RFC 826 field values for Ethernet carrying IPv4. */
#define ARP_HTYPE_ETHER 1
#define ARP_PTYPE_IPV4 0x0800
#define ARP_HLEN_ETHER 6
#define ARP_PLEN_IPV4 4
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* ARP message offsets (no Ethernet header: a SOCK_DGRAM packet socket strips it). */
#define ARP_OFF_SHA 8
#define ARP_OFF_SPA 14
#define ARP_OFF_THA 18
#define ARP_OFF_TPA 24

/* RFC 4861 message types, option types and the NA flags byte. */
#define ND_NS 135
#define ND_NA 136
#define ND_OPT_SLLAO 1
#define ND_OPT_TLLAO 2
#define ND_NA_SOLICITED 0x40
/* Type, code, checksum, 4 bytes of flags/reserved, 16 bytes of target. */
#define ND_HDR_LEN 24
#define ND_OFF_TARGET 8
/* Options are counted in units of 8 bytes; an option's type and length take 2 of them. */
#define ND_OPT_UNIT 8
#define ND_OPT_HDR 2
/* A link-layer option may carry at most this (mac_len over 8 is refused by the contract). */
#define ND_LLADDR_MAX 8
/* RFC 4861, 7.1.2: only a hop limit of 255 proves the sender is on the link. */
#define ND_HOP_LIMIT 255

size_t neigh_arp_request(const uint8_t sender_mac[6], const struct ip_addr *sender_ip,
			 const struct ip_addr *target, uint8_t *out, size_t cap)
{
	if (sender_mac == NULL || sender_ip == NULL || target == NULL || out == NULL)
		return 0;
	if (cap < NEIGH_ARP_LEN || sender_ip->family != AF_INET || target->family != AF_INET)
		return 0;
	put16(out, ARP_HTYPE_ETHER);
	put16(out + 2, ARP_PTYPE_IPV4);
	out[4] = ARP_HLEN_ETHER;
	out[5] = ARP_PLEN_IPV4;
	put16(out + 6, ARP_OP_REQUEST);
	memcpy(out + ARP_OFF_SHA, sender_mac, ARP_HLEN_ETHER);
	memcpy(out + ARP_OFF_SPA, sender_ip->b, ARP_PLEN_IPV4);
	/* The target hardware address is what we ask for: zero, as RFC 826 leaves it unset. */
	memset(out + ARP_OFF_THA, 0, ARP_HLEN_ETHER);
	memcpy(out + ARP_OFF_TPA, target->b, ARP_PLEN_IPV4);
	return NEIGH_ARP_LEN;
}

/*
 * Also refuses mac == NULL with mac_len > 0 (not in the contract's list,
 * but there is nothing to copy).
 */
size_t neigh_ns_build(const struct ip_addr *target, const uint8_t *mac, size_t mac_len,
		      uint8_t *out, size_t cap)
{
	size_t opt_len = 0, len;

	if (target == NULL || out == NULL || target->family != AF_INET6)
		return 0;
	if (mac_len > ND_LLADDR_MAX || (mac_len > 0 && mac == NULL))
		return 0;
	if (mac_len > 0)
		opt_len = (ND_OPT_HDR + mac_len + ND_OPT_UNIT - 1) / ND_OPT_UNIT * ND_OPT_UNIT;
	len = ND_HDR_LEN + opt_len;
	if (cap < len)
		return 0;
	/* Code, checksum (the kernel fills it in), reserved word and option padding stay zero. */
	memset(out, 0, len);
	out[0] = ND_NS;
	memcpy(out + ND_OFF_TARGET, target->b, 16);
	if (mac_len > 0) {
		out[ND_HDR_LEN] = ND_OPT_SLLAO;
		out[ND_HDR_LEN + 1] = (uint8_t)(opt_len / ND_OPT_UNIT);
		memcpy(out + ND_HDR_LEN + ND_OPT_HDR, mac, mac_len);
	}
	return len;
}

/* A target that is not IPv6 has no solicited-node group: out is then unset (family 0). */
void neigh_solicited_node(const struct ip_addr *target, struct ip_addr *out)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	if (target == NULL || target->family != AF_INET6)
		return;
	out->family = AF_INET6;
	memcpy(out->b, prefix, sizeof(prefix));
	/* The low 24 bits of the address select the group. */
	memcpy(out->b + 13, target->b + 13, 3);
}

/* Whether n bytes are all zero. */
static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

bool neigh_arp_parse(const uint8_t *msg, size_t len, struct neigh_claim *claim)
{
	uint16_t op;

	if (claim == NULL)
		return false;
	memset(claim, 0, sizeof(*claim));
	/* Longer is fine: Ethernet pads short frames to 60 bytes, and the padding is not ours. */
	if (msg == NULL || len < NEIGH_ARP_LEN)
		return false;
	if (get16(msg) != ARP_HTYPE_ETHER || get16(msg + 2) != ARP_PTYPE_IPV4 ||
	    msg[4] != ARP_HLEN_ETHER || msg[5] != ARP_PLEN_IPV4)
		return false;
	op = get16(msg + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return false;
	/* An RFC 5227 probe asks whether anyone holds the address; it claims none. */
	if (all_zero(msg + ARP_OFF_SPA, ARP_PLEN_IPV4))
		return false;
	claim->addr.family = AF_INET;
	memcpy(claim->addr.b, msg + ARP_OFF_SPA, ARP_PLEN_IPV4);
	memcpy(claim->lladdr, msg + ARP_OFF_SHA, ARP_HLEN_ETHER);
	claim->lladdr_len = ARP_HLEN_ETHER;
	claim->is_reply = op == ARP_OP_REPLY;
	return true;
}

/*
 * Walks the options after the fixed header (RFC 4861, 4.6): each has a
 * type byte and a length byte in units of 8 bytes.  A length of zero would
 * loop forever and one that runs past the message is a lie: both make the
 * whole message invalid (7.1.2).  Unknown options are skipped (4.6).  The
 * first Target Link-Layer Address option is kept; its payload (length * 8
 * - 2 bytes, 6 for Ethernet) is cut to what a claim holds.
 */
static bool nd_options(const uint8_t *opt, size_t len, struct neigh_claim *claim)
{
	size_t off = 0;

	while (off < len) {
		size_t olen, payload;

		if (len - off < ND_OPT_HDR)
			return false;
		olen = (size_t)opt[off + 1] * ND_OPT_UNIT;
		if (olen == 0 || olen > len - off)
			return false;
		if (opt[off] == ND_OPT_TLLAO && claim->lladdr_len == 0) {
			payload = olen - ND_OPT_HDR;
			if (payload > REPLY_LLADDR_MAX)
				payload = REPLY_LLADDR_MAX;
			memcpy(claim->lladdr, opt + off + ND_OPT_HDR, payload);
			claim->lladdr_len = (uint8_t)payload;
		}
		off += olen;
	}
	return true;
}

bool neigh_na_parse(const uint8_t *msg, size_t len, int hop_limit, struct neigh_claim *claim)
{
	if (claim == NULL)
		return false;
	memset(claim, 0, sizeof(*claim));
	if (msg == NULL || len < ND_HDR_LEN || hop_limit != ND_HOP_LIMIT)
		return false;
	if (msg[0] != ND_NA || msg[1] != 0)
		return false;
	/* A multicast target is never anyone's address (7.1.2); "::" claims nothing. */
	if (msg[ND_OFF_TARGET] == 0xff || all_zero(msg + ND_OFF_TARGET, 16))
		return false;
	if (!nd_options(msg + ND_HDR_LEN, len - ND_HDR_LEN, claim)) {
		memset(claim, 0, sizeof(*claim));
		return false;
	}
	claim->addr.family = AF_INET6;
	memcpy(claim->addr.b, msg + ND_OFF_TARGET, 16);
	claim->is_reply = (msg[4] & ND_NA_SOLICITED) != 0;
	return true;
}
