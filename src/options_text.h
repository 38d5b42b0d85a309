/*
 * User text in options (options_text.c): quoting for messages, and the
 * parsers of the text-valued options.
 */
#ifndef ECMPTRACE_OPTIONS_TEXT_H
#define ECMPTRACE_OPTIONS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "options.h"

/* A buffer options_quote can always fill (64 characters, each up to 4 bytes, "..."). */
#define OPTIONS_QUOTE_BUF (64 * 4 + 8)

/*
 * Copies user text for a message, escaping anything that is not printable
 * ASCII as \xHH and cutting it short; returns buf.
 */
const char *options_quote(const char *s, char *buf, size_t len);
/* --vary: sport, label or sport,label into enum flow_vary bits. */
bool options_parse_vary(const char *text, unsigned *out, char *err, size_t errlen);
/* -I: a name the kernel could hold. */
bool options_parse_interface(const char *text, char out[OPTIONS_IFNAME_MAX], char *err,
			     size_t errlen);
/* -a: a numeric address that could be one of this host's. */
bool options_parse_source(const char *text, struct ip_addr *out, char *err,
			  size_t errlen);

#endif
