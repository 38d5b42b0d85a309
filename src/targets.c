/*
 * The list of targets (see targets.h): hosts of the command line and the
 * lines of a --targets file, checked word by word, pure (no I/O).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "numparse.h"
#include "targets.h"

/* Words on a line: protocol, host, port, and one more to say "too many". */
#define LINE_WORDS 4
/* How much of a bad word an error shows. */
#define SHOW_MAX 40
#define SHOW_BUF (SHOW_MAX * 4 + 8)

/* One word of a line: where it starts in the text and how long it is. */
struct word {
	const char *p;
	size_t len;
};

uint16_t target_default_port(enum probe_proto proto, uint16_t given)
{
	if (proto == PROBE_ICMP)
		return 0;
	if (given != 0)
		return given;
	return proto == PROBE_TCP ? 80 : 33434;
}

const char *target_proto_name(enum probe_proto proto)
{
	return proto == PROBE_TCP ? "tcp" : proto == PROBE_ICMP ? "icmp" : "udp";
}

uint16_t targets_sport_base(int i, int n, int flows, uint32_t rnd)
{
	uint32_t span = TARGETS_SPORT_HIGH - TARGETS_SPORT_LOW;
	uint32_t slice = n > 0 ? span / (uint32_t)n : span;

	if (flows < 1)
		flows = 1;
	if (n > 1 && slice > (uint32_t)flows)
		return (uint16_t)(TARGETS_SPORT_LOW + (uint32_t)i * slice +
				  rnd % (slice - (uint32_t)flows));
	if ((uint32_t)flows >= span)
		return (uint16_t)(65536 - flows > TARGETS_SPORT_LOW ? TARGETS_SPORT_LOW
								   : 65536 - flows);
	/* Overlapping slices: each target somewhere else in the range all the same. */
	rnd += (uint32_t)i * 7919u;
	return (uint16_t)(TARGETS_SPORT_LOW + rnd % (span - (uint32_t)flows));
}

uint32_t targets_rate_share(uint32_t total_pps, int n)
{
	return n > 0 ? total_pps / (uint32_t)n : total_pps;
}

void targets_free(struct target_list *l)
{
	free(l->v);
	*l = (struct target_list){0};
}

/*
 * A word as an error shows it: at most SHOW_MAX bytes, anything that is not
 * printable ASCII as \xHH (a newline or an escape cannot break the line or
 * the terminal).  buf holds SHOW_BUF bytes.
 */
static const char *show(const struct word *w, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < w->len && n + 8 < len; i++) {
		unsigned char c = (unsigned char)w->p[i];

		if (i == SHOW_MAX) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (c > ' ' && c < 0x7f) {
			buf[n++] = (char)c;
			continue;
		}
		buf[n++] = '\\';
		buf[n++] = 'x';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 15];
	}
	buf[n] = '\0';
	return buf;
}

static bool word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && strncasecmp(w->p, s, w->len) == 0;
}

static bool proto_word(const struct word *w, enum probe_proto *proto)
{
	if (word_is(w, "udp"))
		*proto = PROBE_UDP;
	else if (word_is(w, "tcp"))
		*proto = PROBE_TCP;
	else if (word_is(w, "icmp"))
		*proto = PROBE_ICMP;
	else
		return false;
	return true;
}

/* The same target twice: one protocol, one host (names are not case-sensitive), one port. */
static const struct target_spec *find_same(const struct target_list *l,
					   const struct target_spec *t)
{
	for (int i = 0; i < l->count; i++)
		if (l->v[i].proto == t->proto && l->v[i].port == t->port &&
		    strcasecmp(l->v[i].host, t->host) == 0)
			return &l->v[i];
	return NULL;
}

/* Appends t unless it is a duplicate or one too many; err says which (no prefix). */
static bool append(struct target_list *l, const struct target_spec *t, char *err, size_t errlen)
{
	const struct target_spec *same = find_same(l, t);

	if (same != NULL) {
		if (same->line > 0)
			set_err(err, errlen, "duplicate of line %d (%s %s %u)", same->line,
				target_proto_name(t->proto), t->host, (unsigned)t->port);
		else
			set_err(err, errlen, "duplicate target '%s' (%s, port %u)", t->host,
				target_proto_name(t->proto), (unsigned)t->port);
		return false;
	}
	if (l->count >= TARGETS_MAX) {
		set_err(err, errlen, "more than %d targets", TARGETS_MAX);
		return false;
	}
	if (l->count == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct target_spec *v = realloc(l->v, (size_t)cap * sizeof(*v));

		if (v == NULL) {
			set_err(err, errlen, "out of memory");
			return false;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->count++] = *t;
	return true;
}

/* A host is printable ASCII without spaces, at most TARGET_HOST_MAX long; err: why not. */
static bool set_host(struct target_spec *t, const struct word *w, char *err, size_t errlen)
{
	char s[SHOW_BUF];

	if (w->len == 0) {
		set_err(err, errlen, "empty host");
		return false;
	}
	if (w->len > TARGET_HOST_MAX) {
		set_err(err, errlen, "host longer than %d characters", TARGET_HOST_MAX);
		return false;
	}
	for (size_t i = 0; i < w->len; i++)
		if (w->p[i] <= ' ' || w->p[i] >= 0x7f) {
			set_err(err, errlen, "host '%s' has a character that is not printable",
				show(w, s, sizeof(s)));
			return false;
		}
	memcpy(t->host, w->p, w->len);
	t->host[w->len] = '\0';
	return true;
}

bool targets_add_host(struct target_list *l, const char *host, const struct target_defaults *d,
		      char *err, size_t errlen)
{
	struct target_spec t = {.proto = d->proto, .port = target_default_port(d->proto, d->port)};
	struct word w = {.p = host, .len = strlen(host)};

	return set_host(&t, &w, err, errlen) && append(l, &t, err, errlen);
}

/* Splits a line (comment already cut) into at most LINE_WORDS words; how many. */
static int split_words(const char *p, size_t len, struct word *words)
{
	int n = 0;
	size_t i = 0;

	while (i < len && n < LINE_WORDS) {
		size_t from;

		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
			i++;
		if (i == len)
			break;
		from = i;
		while (i < len && p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			i++;
		words[n++] = (struct word){.p = p + from, .len = i - from};
	}
	return n;
}

/* The port word: 1-65535, and none for ICMP. */
static bool set_port(struct target_spec *t, const struct word *w, char *err, size_t errlen)
{
	char text[16], s[SHOW_BUF];
	long long v;

	if (t->proto == PROBE_ICMP) {
		set_err(err, errlen, "icmp takes no port ('%s')", show(w, s, sizeof(s)));
		return false;
	}
	if (w->len >= sizeof(text)) {
		set_err(err, errlen, "port '%s' is not a number from 1 to 65535",
			show(w, s, sizeof(s)));
		return false;
	}
	memcpy(text, w->p, w->len);
	text[w->len] = '\0';
	if (memchr(w->p, '\0', w->len) != NULL ||
	    !parse_int(text, 1, 65535, &v, NULL, 0)) {
		set_err(err, errlen, "port '%s' is not a number from 1 to 65535",
			show(w, s, sizeof(s)));
		return false;
	}
	t->port = (uint16_t)v;
	return true;
}

/* One line's words into a target; err (no prefix) says what is wrong. */
static bool parse_words(const struct word *w, int n, const struct target_defaults *d,
			struct target_spec *t, char *err, size_t errlen)
{
	char s[SHOW_BUF];
	bool has_proto = proto_word(&w[0], &t->proto);
	int host = has_proto ? 1 : 0;

	if (!has_proto)
		t->proto = d->proto;
	if (n > host + 2) {
		set_err(err, errlen, "too many words from '%s' on (expected [udp|tcp|icmp] HOST "
			"[PORT])", show(&w[host + 2], s, sizeof(s)));
		return false;
	}
	if (n == host) {
		set_err(err, errlen, "no host after '%s'", show(&w[0], s, sizeof(s)));
		return false;
	}
	if (!set_host(t, &w[host], err, errlen))
		return false;
	if (n == host + 2)
		return set_port(t, &w[host + 1], err, errlen);
	t->port = target_default_port(t->proto, d->port);
	return true;
}

/* One line of the file, without its newline; false with "name:line: ..." in err. */
static bool parse_line(const char *p, size_t len, int line, const char *name,
		       const struct target_defaults *d, struct target_list *l, char *err,
		       size_t errlen)
{
	const char *hash = memchr(p, '#', len);
	struct word w[LINE_WORDS];
	struct target_spec t = {.line = line};
	char why[200];
	int n;

	if (hash != NULL)
		len = (size_t)(hash - p);
	n = split_words(p, len, w);
	if (n == 0)
		return true;
	if (parse_words(w, n, d, &t, why, sizeof(why)) && append(l, &t, why, sizeof(why)))
		return true;
	set_err(err, errlen, "%s:%d: %s", name, line, why);
	return false;
}

bool targets_parse(const char *text, size_t len, const char *name,
		   const struct target_defaults *d, struct target_list *l, char *err,
		   size_t errlen)
{
	size_t start = 0;
	int line = 1;

	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		if (!parse_line(text + start, end - start, line, name, d, l, err, errlen))
			return false;
		start = end + 1;
		line++;
	}
	return true;
}
