/*
 * Address resolution on the local segment: ARP for IPv4 over Ethernet
 * (RFC 826) and IPv6 Neighbor Discovery (RFC 4861, sections 4.3, 4.4 and
 * 7.1.2).  Builds the questions ecmptrace asks of a neighbour ("which
 * link-layer address holds this IP?") and reads the answers, which come
 * from whoever is on the segment: every byte is bounds-checked.  Pure: no
 * sockets.
 */
#ifndef ECMPTRACE_WIRE_NEIGH_H
#define ECMPTRACE_WIRE_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "wire/dissect.h"

/* An ARP message for Ethernet and IPv4, as a packet socket of type SOCK_DGRAM carries it. */
#define NEIGH_ARP_LEN 28
/* A Neighbor Solicitation with a Source Link-Layer Address option of up to 8 bytes. */
#define NEIGH_NS_MAX_LEN 40

/*
 * "Who has target? Tell sender_ip (at sender_mac)": an ARP request for
 * Ethernet (hardware type 1) and IPv4, without the Ethernet header (the
 * packet socket adds it).  The target hardware address is zero.  Returns
 * NEIGH_ARP_LEN, or 0 when cap is too small or an address is not IPv4.
 */
size_t neigh_arp_request(const uint8_t sender_mac[6], const struct ip_addr *sender_ip,
			 const struct ip_addr *target, uint8_t *out, size_t cap);

/*
 * A Neighbor Solicitation for target (ICMPv6 type 135, code 0) without
 * the IPv6 header, checksum zero: a raw ICMPv6 socket fills it in.  When
 * mac_len > 0 the Source Link-Layer Address option carries mac (RFC 4861
 * requires it in multicast solicitations from an address that is not
 * unspecified), padded to a multiple of 8 bytes.  Returns the length, or
 * 0 when cap is too small, mac_len is over 8 or target is not IPv6.
 */
size_t neigh_ns_build(const struct ip_addr *target, const uint8_t *mac, size_t mac_len,
		      uint8_t *out, size_t cap);

/* The solicited-node multicast address of an IPv6 address (RFC 4291, 2.7.1): ff02::1:ffXX:XXXX. */
void neigh_solicited_node(const struct ip_addr *target, struct ip_addr *out);

/* Who claims an address on the segment: the IP and the link-layer address it claims it with. */
struct neigh_claim {
	struct ip_addr addr;
	uint8_t lladdr[REPLY_LLADDR_MAX];
	uint8_t lladdr_len;		/* 0: the message named no link-layer address */
	bool is_reply;			/* an ARP reply or a solicited advertisement */
};

/*
 * Reads an ARP message for Ethernet/IPv4 (hardware type 1, protocol
 * 0x0800, lengths 6 and 4; other types are not ours and are refused).
 * Requests and replies both claim their sender's address: the claim is
 * the sender protocol and hardware address.  A sender IP of 0.0.0.0 (an
 * RFC 5227 probe) claims nothing and is refused.  Trailing bytes (frame
 * padding) are allowed.  False when the message is not one of those.
 */
bool neigh_arp_parse(const uint8_t *msg, size_t len, struct neigh_claim *claim);

/*
 * Reads a Neighbor Advertisement (ICMPv6 type 136), without its IPv6
 * header, as a raw ICMPv6 socket hands it over.  hop_limit is the IPv6
 * hop limit it arrived with: anything but 255 may come from off the link
 * and is refused (RFC 4861, 7.1.2), as are a code other than 0, a length
 * under 24, a multicast or unspecified target (it claims nothing), and options that are truncated or of
 * length zero.  The claim is the target address and its Target Link-Layer
 * Address option (lladdr_len 0 when absent); is_reply is the Solicited
 * flag.  The checksum was checked by the kernel.
 */
bool neigh_na_parse(const uint8_t *msg, size_t len, int hop_limit, struct neigh_claim *claim);

#endif
