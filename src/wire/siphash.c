/*
 * SipHash-2-4, written from the description in section 2 of the paper
 * (Aumasson and Bernstein, INDOCRYPT 2012): four 64-bit words of state
 * initialised from the key and four constants, two SipRounds per 8-byte
 * message word, the length in the top byte of the last word, then four
 * SipRounds after xoring 0xff into v2.  Words are little-endian.
 */
#include "config.h"

#include "wire/siphash.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/* One SipRound: the ARX network of the paper's figure 2.3. */
static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

/* Compression: c = 2 rounds per message word. */
static void absorb(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const uint8_t *msg, size_t len)
{
	uint64_t k0 = load_le64(key, 8), k1 = load_le64(key + 8, 8);
	/* "somepseudorandomlygeneratedbytes", as the paper's initialisation. */
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ull,
		k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull,
		k1 ^ 0x7465646279746573ull,
	};
	size_t full = len - len % 8;

	for (size_t i = 0; i < full; i += 8)
		absorb(v, load_le64(msg + i, 8));
	/* The last word: the remaining bytes, and the length modulo 256 on top. */
	absorb(v, load_le64(msg + full, len - full) | (uint64_t)(len & 0xff) << 56);
	/* Finalisation: d = 4 rounds. */
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
