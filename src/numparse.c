/*
 * Range-checked parsing of the numbers a user types on the command line
 * (counts, ports, TTLs, seconds).  Unlike atoi/strtol used bare, every
 * malformed or out-of-range value is refused with a reason; the caller
 * adds which option it was and the text itself.
 */
#include "config.h"

#include "numparse.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#define US_PER_S 1000000ULL

/* Writes the reason, if the caller gave room for one. */
void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Formats microseconds as seconds without useless zeros ("0.05", "2"),
 * the way a user would type them, for the range in messages.
 */
static void format_seconds(uint64_t us, char *buf, size_t len)
{
	uint64_t frac = us % US_PER_S;
	int digits = 6;

	if (frac == 0) {
		snprintf(buf, len, "%llu", (unsigned long long)(us / US_PER_S));
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%llu.%0*llu", (unsigned long long)(us / US_PER_S), digits,
		 (unsigned long long)frac);
}

/*
 * Reads a run of digits into *value, saturating instead of overflowing so
 * that "99999999999999999999" is reported as out of range, not wrapped.
 * Returns the first character after the digits.
 */
static const char *read_digits(const char *p, unsigned long long *value, bool *overflow)
{
	const unsigned long long limit = ~0ULL;

	*value = 0;
	for (; is_digit(*p); p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (*value > (limit - digit) / 10) {
			*overflow = true;
			*value = limit;
		} else {
			*value = *value * 10 + digit;
		}
	}
	return p;
}

/*
 * Accepts an optional sign and decimal digits, nothing else: no leading
 * blanks, no hex or octal prefixes (a leading zero is just a zero), no
 * trailing characters.  The sign is accepted so that "-1" says "out of
 * range" rather than "not a number".
 */
bool parse_int(const char *text, long long min, long long max, long long *out,
	       char *err, size_t errlen)
{
	const char *p = text;
	unsigned long long magnitude;
	bool negative = false, overflow = false;
	long long value;

	if (text == NULL || *text == '\0') {
		set_err(err, errlen, "empty value");
		return false;
	}
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	if (!is_digit(*p)) {
		set_err(err, errlen, "not a number");
		return false;
	}
	p = read_digits(p, &magnitude, &overflow);
	if (*p != '\0') {
		set_err(err, errlen, "trailing characters after the number");
		return false;
	}
	/* Anything beyond the long long range is outside every [min, max]. */
	if (overflow || magnitude > (unsigned long long)LLONG_MAX + (negative ? 1 : 0))
		goto range;
	if (negative)
		value = magnitude == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
								     : -(long long)magnitude;
	else
		value = (long long)magnitude;
	if (value < min || value > max)
		goto range;
	*out = value;
	return true;
range:
	set_err(err, errlen, "out of range (%lld-%lld)", min, max);
	return false;
}

/*
 * Accepts "2", "0.25", ".5" and "2."; digits beyond the sixth decimal are
 * below the clock's resolution and are dropped (but must still be digits).
 * Dropping them must not bring a value back into range: "60.0000001" is
 * above a maximum of 60 s even though it counts as 60 s.
 * Exponents, "inf" and "nan" are not numbers here.
 */
bool parse_seconds(const char *text, uint64_t min_us, uint64_t max_us, uint64_t *out_us,
		   char *err, size_t errlen)
{
	const char *p = text;
	unsigned long long whole = 0, frac = 0;
	bool overflow = false, digits = false, beyond = false;	/* a dropped digit > 0 */
	char lo[32], hi[32];
	int place;

	if (text == NULL || *text == '\0') {
		set_err(err, errlen, "empty value");
		return false;
	}
	if (*p == '+' || *p == '-') {
		bool negative = *p++ == '-';

		if (negative && (is_digit(*p) || *p == '.')) {
			set_err(err, errlen, "must not be negative");
			return false;
		}
	}
	if (is_digit(*p)) {
		digits = true;
		p = read_digits(p, &whole, &overflow);
	}
	if (*p == '.') {
		p++;
		for (place = 0; is_digit(*p); p++, place++) {
			digits = true;
			if (place < 6)
				frac = frac * 10 + (unsigned)(*p - '0');
			else if (*p != '0')
				beyond = true;
		}
		for (; place < 6; place++)
			frac *= 10;
	}
	if (!digits) {
		set_err(err, errlen, "not a number");
		return false;
	}
	if (*p != '\0') {
		set_err(err, errlen, "trailing characters after the number");
		return false;
	}
	if (overflow || whole > (~0ULL - frac) / US_PER_S)
		goto range;
	if (whole * US_PER_S + frac < min_us || whole * US_PER_S + frac > max_us ||
	    (beyond && whole * US_PER_S + frac == max_us))
		goto range;
	*out_us = whole * US_PER_S + frac;
	return true;
range:
	format_seconds(min_us, lo, sizeof(lo));
	format_seconds(max_us, hi, sizeof(hi));
	set_err(err, errlen, "out of range (%s-%s seconds)", lo, hi);
	return false;
}
