/*
 * User text in options: quoted safely for the one-line error messages, and
 * the options whose value is text, not a number (--vary, -I, -a), parsed
 * and checked.  Pure: no I/O (whether an interface or address exists is
 * asked at start-up, not here).
 */
#include <stdbool.h>
#include <string.h>

#include "addr.h"
#include "engine/flow.h"
#include "numparse.h"
#include "options_text.h"

/* Longest user text quoted in a message; the rest becomes "...". */
#define QUOTE_MAX 64

/*
 * Copies user text for a message, escaping anything that is not printable
 * ASCII as \xHH so a newline or escape sequence in argv cannot break the
 * one-line contract or the terminal, and cutting very long text short.
 */
const char *options_quote(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, shown = 0;

	for (; *s != '\0' && n + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (shown++ == QUOTE_MAX) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
	return buf;
}

/* --vary: the flow fields that differ between flows. */
bool options_parse_vary(const char *text, unsigned *out, char *err, size_t errlen)
{
	static const struct {
		const char *text;
		unsigned bits;
	} forms[] = {
		{ "sport", VARY_SPORT },
		{ "label", VARY_LABEL },
		{ "sport,label", VARY_SPORT | VARY_LABEL },
		{ "label,sport", VARY_SPORT | VARY_LABEL },
	};
	char q[OPTIONS_QUOTE_BUF];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcmp(text, forms[i].text) == 0) {
			*out = forms[i].bits;
			return true;
		}
	}
	set_err(err, errlen, "invalid vary '%s': expected sport, label or sport,label",
		options_quote(text, q, sizeof(q)));
	return false;
}

/*
 * -I: a name the kernel could hold (Linux's dev_valid_name: 1-15 bytes, no
 * '/', ':' or white space, not "." or "..").  Whether such an interface
 * exists is asked at start-up, where the error can name what there is.
 */
bool options_parse_interface(const char *text, char out[OPTIONS_IFNAME_MAX], char *err,
			     size_t errlen)
{
	char q[OPTIONS_QUOTE_BUF];
	size_t n = strlen(text);
	bool good = n > 0 && n < OPTIONS_IFNAME_MAX && strcmp(text, ".") != 0 &&
		    strcmp(text, "..") != 0;

	for (size_t i = 0; good && i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		good = c > 0x20 && c < 0x7f && c != '/' && c != ':';
	}
	if (!good) {
		set_err(err, errlen, "invalid interface '%s': not an interface name (1-%d "
			"characters, no '/', ':' or spaces)", options_quote(text, q, sizeof(q)),
			OPTIONS_IFNAME_MAX - 1);
		return false;
	}
	memcpy(out, text, n + 1);
	return true;
}

/*
 * -a: a numeric address that could be ours.  Whether this host holds it is
 * asked at start-up (bind), which parsing must not do.
 */
bool options_parse_source(const char *text, struct ip_addr *out, char *err,
			  size_t errlen)
{
	char q[OPTIONS_QUOTE_BUF];
	const char *problem;

	if (!addr_parse(text, out)) {
		set_err(err, errlen, "invalid source address '%s': not a numeric IPv4 or IPv6 "
			"address", options_quote(text, q, sizeof(q)));
		return false;
	}
	problem = addr_target_problem(out);
	if (problem != NULL) {
		set_err(err, errlen, "invalid source address '%s': %s address",
			options_quote(text, q, sizeof(q)), problem);
		*out = (struct ip_addr){0};
		return false;
	}
	return true;
}

