/*
 * The Internet checksum (RFC 1071) and the pseudo-header sums of UDP
 * (RFC 768), TCP (RFC 9293) and UDP/TCP/ICMPv6 over IPv6 (RFC 8200
 * section 8.1).  Sums are kept as 32-bit accumulators so a caller can add
 * a pseudo-header, a header and a payload before folding once.
 */
#include "config.h"

#include "wire/checksum.h"

/* Folds the carries of a wide accumulator back into 16 bits (RFC 1071 "end-around carry"). */
static uint32_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum;
}

/*
 * Adds big-endian 16-bit words; an odd final byte is padded with zero, so
 * only the last piece of a datagram may have an odd length.  The result is
 * folded, so any number of calls can be chained without overflow.
 */
uint32_t cksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		acc += (uint32_t)p[i] << 8;
	return fold(acc);
}

uint16_t cksum_finish(uint32_t sum)
{
	return (uint16_t)~fold(sum);
}

uint32_t cksum_pseudo(const struct ip_addr *src, const struct ip_addr *dst,
		      uint8_t proto, uint32_t len)
{
	uint32_t sum = 0;

	sum = cksum_add(sum, src->b, addr_len(src));
	sum = cksum_add(sum, dst->b, addr_len(dst));
	if (src->family == AF_INET6) {
		/* RFC 8200: 32-bit upper-layer length, 24 zero bits, next header. */
		sum += len >> 16;
		sum += len & 0xffff;
	} else {
		/* RFC 768: zero, protocol, 16-bit length. */
		sum += len & 0xffff;
	}
	sum += proto;
	return fold(sum);
}
