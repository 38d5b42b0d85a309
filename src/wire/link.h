/*
 * Link-layer framing of captured packets: where the IP datagram starts for
 * the link types a capture on Linux can hand us (Ethernet with VLAN tags,
 * Linux cooked v1/v2 as on the "any" device, raw IP, BSD loopback).
 */
#ifndef ECMPTRACE_WIRE_LINK_H
#define ECMPTRACE_WIRE_LINK_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the offset of the IP header in pkt for pcap link type linktype,
 * or -1 if the frame is truncated, not IP, or of an unknown link type.
 */
long link_ip_offset(int linktype, const uint8_t *pkt, size_t len);

/*
 * The link-layer source address of a frame this host received (Ethernet
 * source, or the address a Linux cooked header carries for incoming
 * packets), copied into out (cap bytes).  Returns its length, or 0 when
 * the frame has none, was sent by this host, or is truncated.
 */
size_t link_source_addr(int linktype, const uint8_t *pkt, size_t len, uint8_t *out, size_t cap);

#endif
