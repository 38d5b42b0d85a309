/*
 * Unit tests of src/numparse.c: every accepted and refused shape of an
 * integer or a number of seconds, the bounds (min, max, one past), and
 * that refusals leave the output alone and say why.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "numparse.h"
#include "../tap.h"

struct int_case {
	const char *text;
	long long min, max;
	bool good;
	long long value;	/* when good */
	const char *why;	/* substring of the reason when not good */
};

static const struct int_case int_cases[] = {
	{ "0", 0, 10, true, 0, NULL },
	{ "10", 0, 10, true, 10, NULL },
	{ "11", 0, 10, false, 0, "out of range (0-10)" },
	{ "1", 1, 65535, true, 1, NULL },
	{ "65535", 1, 65535, true, 65535, NULL },
	{ "65536", 1, 65535, false, 0, "out of range (1-65535)" },
	{ "0", 1, 65535, false, 0, "out of range (1-65535)" },
	{ "-1", 1, 65535, false, 0, "out of range" },
	{ "-5", -10, 10, true, -5, NULL },
	{ "+7", 0, 10, true, 7, NULL },
	{ "007", 0, 10, true, 7, NULL },	/* decimal, not octal */
	{ "0x10", 0, 100, false, 0, "trailing characters" },
	{ "abc", 0, 10, false, 0, "not a number" },
	{ "12x", 0, 100, false, 0, "trailing characters" },
	{ "1.5", 0, 10, false, 0, "trailing characters" },
	{ "", 0, 10, false, 0, "empty" },
	{ " 5", 0, 10, false, 0, "not a number" },
	{ "5 ", 0, 10, false, 0, "trailing characters" },
	{ "-", 0, 10, false, 0, "not a number" },
	{ "+", 0, 10, false, 0, "not a number" },
	{ "--5", -10, 10, false, 0, "not a number" },
	{ "1e3", 0, 10000, false, 0, "trailing characters" },
	{ "9223372036854775807", 0, LLONG_MAX, true, LLONG_MAX, NULL },
	{ "-9223372036854775808", LLONG_MIN, 0, true, LLONG_MIN, NULL },
	{ "9223372036854775808", 0, LLONG_MAX, false, 0, "out of range" },
	{ "-9223372036854775809", LLONG_MIN, 0, false, 0, "out of range" },
	{ "99999999999999999999999999", 0, 10, false, 0, "out of range" },
	{ "1000000", 1, 1000000, true, 1000000, NULL },
	{ "1000001", 1, 1000000, false, 0, "out of range (1-1000000)" },
};

struct sec_case {
	const char *text;
	uint64_t min_us, max_us;
	bool good;
	uint64_t us;		/* when good */
	const char *why;	/* substring of the reason when not good */
};

static const struct sec_case sec_cases[] = {
	{ "1", 10000, 3600000000ULL, true, 1000000, NULL },
	{ "0.25", 10000, 3600000000ULL, true, 250000, NULL },
	{ ".5", 10000, 3600000000ULL, true, 500000, NULL },
	{ "2.", 10000, 3600000000ULL, true, 2000000, NULL },
	{ "+2", 10000, 3600000000ULL, true, 2000000, NULL },
	{ "0.01", 10000, 3600000000ULL, true, 10000, NULL },
	{ "0.009", 10000, 3600000000ULL, false, 0, "out of range (0.01-3600 seconds)" },
	{ "3600", 10000, 3600000000ULL, true, 3600000000ULL, NULL },
	{ "3600.000001", 10000, 3600000000ULL, false, 0, "out of range" },
	{ "3601", 10000, 3600000000ULL, false, 0, "out of range" },
	{ "0.0500001", 50000, 60000000, true, 50000, NULL },	/* below 1 us is dropped */
	{ "0.0499999", 50000, 60000000, false, 0, "out of range (0.05-60 seconds)" },
	{ "60.0000001", 50000, 60000000, false, 0, "out of range (0.05-60 seconds)" },
	{ "60.0000000", 50000, 60000000, true, 60000000, NULL },
	{ "59.9999999", 50000, 60000000, true, 59999999, NULL },
	{ "3600.0000000001", 10000, 3600000000ULL, false, 0, "out of range" },
	{ "1.123456", 0, 60000000, true, 1123456, NULL },
	{ "0", 0, 10, true, 0, NULL },
	{ "-1", 10000, 3600000000ULL, false, 0, "negative" },
	{ "-0.5", 10000, 3600000000ULL, false, 0, "negative" },
	{ "-.5", 10000, 3600000000ULL, false, 0, "negative" },
	{ "", 10000, 3600000000ULL, false, 0, "empty" },
	{ ".", 10000, 3600000000ULL, false, 0, "not a number" },
	{ "abc", 10000, 3600000000ULL, false, 0, "not a number" },
	{ "-abc", 10000, 3600000000ULL, false, 0, "not a number" },
	{ "1s", 10000, 3600000000ULL, false, 0, "trailing characters" },
	{ "1.2.3", 10000, 3600000000ULL, false, 0, "trailing characters" },
	{ "1e2", 10000, 3600000000ULL, false, 0, "trailing characters" },
	{ "inf", 10000, 3600000000ULL, false, 0, "not a number" },
	{ "nan", 10000, 3600000000ULL, false, 0, "not a number" },
	{ "1,5", 10000, 3600000000ULL, false, 0, "trailing characters" },
	{ "99999999999999999999999", 10000, 3600000000ULL, false, 0, "out of range" },
	{ "18446744073710", 0, UINT64_MAX, false, 0, "out of range" },	/* * 1e6 overflows */
	{ "18446744073709.551615", 0, UINT64_MAX, true, UINT64_MAX, NULL },
};

static void test_ints(void)
{
	for (size_t i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
		const struct int_case *t = &int_cases[i];
		long long v = 4242;
		char err[128] = "";
		bool good = parse_int(t->text, t->min, t->max, &v, err, sizeof(err));

		if (t->good) {
			ok(good && v == t->value, "parse_int '%s' in [%lld, %lld] = %lld (got %lld)",
			   t->text, t->min, t->max, t->value, v);
		} else {
			ok(!good && v == 4242 && strstr(err, t->why) != NULL,
			   "parse_int '%s' in [%lld, %lld] refused: '%s' has '%s'", t->text, t->min,
			   t->max, err, t->why);
		}
	}
}

static void test_seconds(void)
{
	for (size_t i = 0; i < sizeof(sec_cases) / sizeof(sec_cases[0]); i++) {
		const struct sec_case *t = &sec_cases[i];
		uint64_t us = 4242;
		char err[128] = "";
		bool good = parse_seconds(t->text, t->min_us, t->max_us, &us, err, sizeof(err));

		if (t->good) {
			ok(good && us == t->us, "parse_seconds '%s' = %llu us (got %llu)", t->text,
			   (unsigned long long)t->us, (unsigned long long)us);
		} else {
			ok(!good && us == 4242 && strstr(err, t->why) != NULL,
			   "parse_seconds '%s' refused: '%s' has '%s'", t->text, err, t->why);
		}
	}
}

/* The reason must fit any buffer, including none at all. */
static void test_small_buffers(void)
{
	char tiny[6] = "xxxxx";
	long long v;
	uint64_t us;

	ok(!parse_int("abc", 0, 1, &v, tiny, sizeof(tiny)) && strlen(tiny) == 5,
	   "a short err buffer is truncated and terminated ('%s')", tiny);
	ok(!parse_int("abc", 0, 1, &v, NULL, 0), "no err buffer is fine for parse_int");
	ok(!parse_seconds("x", 0, 1, &us, NULL, 0), "no err buffer is fine for parse_seconds");
	ok(!parse_int(NULL, 0, 1, &v, tiny, sizeof(tiny)), "NULL text is refused");
}

int main(void)
{
	test_ints();
	test_seconds();
	test_small_buffers();
	return tap_done();
}
