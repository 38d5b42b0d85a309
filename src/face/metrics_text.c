/*
 * The exposition formats of metrics.h: a bounded text buffer, label
 * values escaped as both formats require, each family's HELP and TYPE
 * lines, and the assembly of every target's samples family by family
 * (both formats want a family's samples together).  Prometheus text
 * format 0.0.4 ("Exposition formats" in Prometheus's documentation) and
 * OpenMetrics 1.0: they differ here only in a counter's family name
 * (OpenMetrics drops "_total"), the info type of ecmptrace_build_info, and
 * OpenMetrics's closing "# EOF".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "face/metrics.h"

void metrics_buf_init(struct metrics_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void metrics_buf_free(struct metrics_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

bool metrics_buf_add(struct metrics_buf *b, const char *s, size_t n)
{
	if (b->full || n > b->max || b->len + 1 > b->max - n) {
		b->full = true;
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > b->max)
			cap = b->max;
		grown = realloc(b->data, cap);
		if (grown == NULL) {
			b->full = true;
			return false;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned min;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, min = 0x80, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, min = 0x800, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, min = 0x10000, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8. */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

bool metrics_buf_label_value(struct metrics_buf *b, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	bool ok = true;

	while (*s != '\0' && ok) {
		size_t n = utf8_len(s);

		if (*s == '\\')
			ok = metrics_buf_add(b, "\\\\", 2);
		else if (*s == '"')
			ok = metrics_buf_add(b, "\\\"", 2);
		else if (*s == '\n')
			ok = metrics_buf_add(b, "\\n", 2);
		else if (n == 0)
			ok = metrics_buf_add(b, "?", 1);
		else
			ok = metrics_buf_add(b, (const char *)s, n);
		s += n ? n : 1;
	}
	return ok;
}

static bool add_str(struct metrics_buf *b, const char *s)
{
	return metrics_buf_add(b, s, strlen(s));
}

/* What a family is called and says; base is the OpenMetrics family name. */
struct family_def {
	const char *base;
	const char *suffix;	/* of its samples: "_total" for counters */
	const char *type;	/* summary families expose _sum and _count themselves */
	const char *help;
};

static const struct family_def families[MF_COUNT] = {
	[MF_PROBES_SENT] = {"ecmptrace_probes_sent", "_total", "counter",
		"Probes resolved (answered or timed out) at a TTL, by the branch answering there "
		"(address; \"unknown\" when no answer came yet) and the branch taken at the last "
		"split before it (via)."},
	[MF_REPLIES] = {"ecmptrace_replies", "_total", "counter",
		"Probes answered at a TTL, by branch (address) and lineage (via)."},
	[MF_RTT] = {"ecmptrace_rtt_seconds", "", "summary",
		"Round-trip time of the answers of a branch at a TTL, by lineage (via)."},
	[MF_BRANCHES] = {"ecmptrace_branches", "", "gauge",
		"Distinct responders (branches) found at a TTL."},
	[MF_DISCOVERY_COMPLETE] = {"ecmptrace_discovery_complete", "", "gauge",
		"1 when branch discovery's stopping rule holds at every hop up to the target."},
	[MF_DEST_TTL] = {"ecmptrace_destination_ttl", "", "gauge",
		"Smallest TTL at which the target answered (0: not yet)."},
	[MF_FINDING] = {"ecmptrace_finding", "", "gauge",
		"1 while a finding stands (held over diagnoses 200 ms apart), by kind, TTL, "
		"the address it blames and the last clean responder before it (from)."},
	[MF_FLOW_PROBES] = {"ecmptrace_flow_probes", "_total", "counter",
		"End-to-end probes of a flow resolved at or beyond the target's TTL."},
	[MF_FLOW_REPLIES] = {"ecmptrace_flow_replies", "_total", "counter",
		"End-to-end probes of a flow the target answered."},
	[MF_REACHABLE] = {"ecmptrace_target_reachable", "", "gauge",
		"1 when the target answered within the last 3 intervals plus the timeout "
		"(at least 10 s)."},
	[MF_ROUNDS] = {"ecmptrace_rounds", "_total", "counter",
		"Rounds whose every probe is resolved."},
	[MF_TARGET_PROBES] = {"ecmptrace_target_probes", "_total", "counter",
		"Probes sent towards the target, at every TTL, whatever became of them: "
		"the pace of the probing."},
	[MF_SERIES_DROPPED] = {"ecmptrace_series_dropped", "_total", "counter",
		"Series not exposed because the target reached its cap (see ecmptrace(8))."},
};

/* "# HELP name text" and "# TYPE name type" for one family. */
static bool family_header(struct metrics_buf *b, const struct family_def *f,
			  enum metrics_format fmt)
{
	const char *suffix = fmt == METRICS_OPENMETRICS ? "" : f->suffix;

	return add_str(b, "# HELP ") && add_str(b, f->base) && add_str(b, suffix) &&
	       add_str(b, " ") && add_str(b, f->help) && add_str(b, "\n# TYPE ") &&
	       add_str(b, f->base) && add_str(b, suffix) && add_str(b, " ") &&
	       add_str(b, f->type) && add_str(b, "\n");
}

/* ecmptrace_build_info: an info metric in OpenMetrics, a gauge of 1 in the text format. */
static bool build_info(struct metrics_buf *b, enum metrics_format fmt, const char *version)
{
	const char *type = fmt == METRICS_OPENMETRICS ? "ecmptrace_build info\n"
						       : "ecmptrace_build_info gauge\n";
	const char *name = fmt == METRICS_OPENMETRICS ? "ecmptrace_build" : "ecmptrace_build_info";

	return add_str(b, "# HELP ") && add_str(b, name) &&
	       add_str(b, " The ecmptrace version exposing these metrics.\n# TYPE ") &&
	       add_str(b, type) && add_str(b, "ecmptrace_build_info{version=\"") &&
	       metrics_buf_label_value(b, version) && add_str(b, "\"} 1\n");
}

bool metrics_assemble(const struct metrics_bodies *const *targets, int n,
		      enum metrics_format fmt, const char *version, struct metrics_buf *out)
{
	bool ok = build_info(out, fmt, version);

	for (int f = 0; ok && f < MF_COUNT; f++) {
		ok = family_header(out, &families[f], fmt);
		for (int t = 0; ok && t < n; t++) {
			const struct metrics_buf *body;

			if (targets[t] == NULL)
				continue;
			body = &targets[t]->family[f];
			if (body->len > 0)
				ok = metrics_buf_add(out, body->data, body->len);
		}
	}
	if (ok && fmt == METRICS_OPENMETRICS)
		ok = add_str(out, "# EOF\n");
	return ok;
}

const char *metrics_content_type(enum metrics_format fmt)
{
	return fmt == METRICS_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
					  : "text/plain; version=0.0.4; charset=utf-8";
}

/*
 * Prometheus asks "application/openmetrics-text;version=1.0.0,...;q=0.5,
 * text/plain;version=0.0.4;q=0.4,...;q=0.1" when it may have either: the
 * type named at all (with a q above 0) wins, the text format otherwise.
 */
enum metrics_format metrics_negotiate(const char *accept)
{
	static const char om[] = "application/openmetrics-text";
	const char *at = accept ? strstr(accept, om) : NULL;
	const char *end, *q;

	if (at == NULL)
		return METRICS_PROMETHEUS;
	end = strchr(at, ',');
	q = strstr(at, "q=");
	/* "q=0" refuses it. */
	if (q != NULL && (end == NULL || q < end) && strtod(q + 2, NULL) <= 0.0)
		return METRICS_PROMETHEUS;
	return METRICS_OPENMETRICS;
}
