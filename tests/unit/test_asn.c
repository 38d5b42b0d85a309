/*
 * Unit tests of src/wire/asn.c (-z): the TXT question names mtr asks
 * (reversed octets, reversed nibbles) and the AS number read from crafted
 * DNS answers: plain, several origins, a CNAME first, compression, and
 * every way an answer can be wrong (error code, no TXT, cut short,
 * lengths past the end, not a number, over 32 bits), then random damage.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "wire/asn.h"

static void test_names(void)
{
	struct ip_addr a;
	char buf[ASN_QNAME_MAX];

	addr_parse("192.0.2.1", &a);
	ok(asn_query_name(&a, buf, sizeof(buf)) && strcmp(buf, "1.2.0.192.origin.asn.cymru.com") == 0,
	   "IPv4: %s", buf);
	addr_parse("2001:db8::1", &a);
	ok(asn_query_name(&a, buf, sizeof(buf)) &&
	   strcmp(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
		       "origin6.asn.cymru.com") == 0,
	   "IPv6: reversed nibbles under origin6");
	ok(!asn_query_name(&a, buf, 40), "IPv6: a short buffer is refused");
	addr_parse("198.51.100.254", &a);
	ok(!asn_query_name(&a, buf, 10), "IPv4: a short buffer is refused");
	memset(&a, 0, sizeof(a));
	ok(!asn_query_name(&a, buf, sizeof(buf)), "an unset address has no question");
}

/* A DNS answer message: header, the question, then the records given. */
struct msg {
	uint8_t b[512];
	size_t len;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void put16(struct msg *m, unsigned v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(m, x, 2);
}

static void start(struct msg *m, unsigned rcode, unsigned answers)
{
	static const uint8_t qname[] = "\x01" "1\x01" "2\x01" "0\x03" "192\x06" "origin\x03"
				       "asn\x05" "cymru\x03" "com";

	m->len = 0;
	put16(m, 0x1234);
	put16(m, 0x8180 | rcode);
	put16(m, 1);
	put16(m, answers);
	put16(m, 0);
	put16(m, 0);
	put(m, qname, sizeof(qname));	/* with its terminating 0 */
	put16(m, 16);
	put16(m, 1);
}

/* A record named by a pointer to the question (offset 12). */
static void record(struct msg *m, unsigned type, const char *txt)
{
	size_t n = strlen(txt);

	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 3600);
	if (type == 16) {
		uint8_t l = (uint8_t)n;

		put16(m, (unsigned)n + 1);
		put(m, &l, 1);
	} else {
		put16(m, (unsigned)n);
	}
	put(m, txt, n);
}

static bool parse(const struct msg *m, char *out)
{
	uint8_t *copy = malloc(m->len ? m->len : 1);	/* exact size: over-reads show */
	bool r;

	memcpy(copy, m->b, m->len);
	r = asn_parse_answer(copy, m->len, out);
	free(copy);
	return r;
}

static void test_answers(void)
{
	struct msg m;
	char as[ASN_TEXT_MAX];

	start(&m, 0, 1);
	record(&m, 16, "64500 | 192.0.2.0/24 | ZZ | arin | 2006-01-01");
	ok(parse(&m, as) && strcmp(as, "64500") == 0, "one TXT record: AS %s", as);
	start(&m, 0, 1);
	record(&m, 16, "64500 64501 | 192.0.2.0/24 | ZZ");
	ok(parse(&m, as) && strcmp(as, "64500") == 0, "several origins: the first (%s)", as);
	start(&m, 0, 1);
	record(&m, 16, "4294967295|x");
	ok(parse(&m, as) && strcmp(as, "4294967295") == 0, "the largest AS, no space before '|'");
	start(&m, 0, 2);
	record(&m, 5, "\x05" "other\x00");
	record(&m, 16, "65001 | x");
	ok(parse(&m, as) && strcmp(as, "65001") == 0, "a CNAME first, then the TXT record");

	start(&m, 3, 0);
	ok(!parse(&m, as), "NXDOMAIN: no AS");
	start(&m, 0, 0);
	ok(!parse(&m, as), "no answer: no AS");
	start(&m, 0, 1);
	record(&m, 1, "\xc0\x00\x02\x01");
	ok(!parse(&m, as), "an A record only: no AS");
	start(&m, 0, 1);
	record(&m, 16, "4294967296 | x");
	ok(!parse(&m, as), "over 32 bits: refused");
	start(&m, 0, 1);
	record(&m, 16, "AS64500 | x");
	ok(!parse(&m, as), "not a number: refused");
	start(&m, 0, 1);
	record(&m, 16, "64500abc | x");
	ok(!parse(&m, as), "digits then letters: refused");
	start(&m, 0, 1);
	record(&m, 16, "");
	ok(!parse(&m, as), "an empty string: refused");

	start(&m, 0, 1);
	record(&m, 16, "64500 | x");
	m.b[2] &= 0x7f;
	ok(!parse(&m, as), "a question, not a response: refused");
	start(&m, 0, 1);
	record(&m, 16, "64500 | x");
	m.b[m.len - 10] = 200;	/* the TXT string's length, past its record */
	ok(!parse(&m, as), "a string longer than its record: refused");
	start(&m, 0, 1);
	record(&m, 16, "64500 | x");
	m.b[m.len - 12] = 2;	/* the record's length, past the message */
	ok(!parse(&m, as), "a record longer than the message: refused");
	start(&m, 0, 1);
	record(&m, 16, "64500 | x");
	{
		int bad = 0;

		for (size_t n = 0; n < m.len; n++) {
			struct msg cut = m;

			cut.len = n;
			bad += parse(&cut, as);
		}
		ok(bad == 0, "cut at each of %zu lengths: never an AS (%d were)", m.len, bad);
	}
	start(&m, 0, 1);
	m.b[12] = 0x80;		/* reserved label type in the question */
	record(&m, 16, "64500 | x");
	ok(!parse(&m, as), "a reserved label type: refused");
}

/* Random damage: never a crash, and an AS read is always digits. */
static void test_random(void)
{
	struct msg base, m;
	char as[ASN_TEXT_MAX];
	unsigned seed = 14;
	int odd = 0;

	start(&base, 0, 2);
	record(&base, 5, "\x01" "x\x00");
	record(&base, 16, "64500 | 192.0.2.0/24");
	for (int i = 0; i < 20000; i++) {
		m = base;
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			m.b[(seed >> 8) % m.len] = (uint8_t)(seed >> 20);
		}
		if (parse(&m, as))
			odd += strspn(as, "0123456789") != strlen(as) || as[0] == '\0';
	}
	ok(odd == 0, "20000 damaged answers: no crash, %d odd ASes", odd);
}

int main(void)
{
	test_names();
	test_answers();
	test_random();
	return tap_done();
}
