/*
 * The statistics column table (see columns.h).  RTTs are kept in
 * microseconds; the text shows milliseconds by vocab.h's rule, the JSON
 * carries milliseconds as numbers.
 */
#include <math.h>
#include <stdio.h>

#include "engine/rtt_stats.h"
#include "face/columns.h"
#include "face/vocab.h"

static bool has_rtt(const struct row_stats *s)
{
	return s->rtt != NULL && s->rtt->n > 0;
}

/* One RTT figure in milliseconds, NAN without a sample. */
static double rtt_ms(const struct row_stats *s, double us)
{
	return has_rtt(s) ? us / 1000.0 : NAN;
}

static double val_loss(const struct row_stats *s)
{
	return loss_pct(s->received, s->lost);
}

static double val_sent(const struct row_stats *s)
{
	return (double)(s->received + s->lost);
}

static double val_last(const struct row_stats *s)
{
	return rtt_ms(s, has_rtt(s) ? (double)s->rtt->last : 0);
}

static double val_avg(const struct row_stats *s)
{
	return rtt_ms(s, has_rtt(s) ? s->rtt->mean : 0);
}

static double val_best(const struct row_stats *s)
{
	return rtt_ms(s, has_rtt(s) ? (double)s->rtt->min : 0);
}

static double val_worst(const struct row_stats *s)
{
	return rtt_ms(s, has_rtt(s) ? (double)s->rtt->max : 0);
}

static double val_stddev(const struct row_stats *s)
{
	return rtt_ms(s, has_rtt(s) ? rtt_stddev(s->rtt) : 0);
}

static bool has_jitter(const struct row_stats *s)
{
	return s->jitter != NULL && s->jitter->n > 0;
}

static double val_jlast(const struct row_stats *s)
{
	return has_jitter(s) ? (double)s->jitter->last / 1000.0 : NAN;
}

static double val_javg(const struct row_stats *s)
{
	return has_jitter(s) ? s->jitter->mean / 1000.0 : NAN;
}

static double val_jmax(const struct row_stats *s)
{
	return has_jitter(s) ? (double)s->jitter->worst / 1000.0 : NAN;
}

static double val_jint(const struct row_stats *s)
{
	return has_jitter(s) ? s->jitter->inter / 1000.0 : NAN;
}

static double val_flows(const struct row_stats *s)
{
	return s->nflows;
}

/* An RTT cell: the value back in microseconds through vocab_ms, "-" when none. */
static void rtt_cell(double ms, char *buf, size_t len)
{
	if (isnan(ms))
		snprintf(buf, len, "-");
	else
		vocab_ms(ms * 1000.0, buf, len);
}

static void fmt_loss(const struct row_stats *s, char *buf, size_t len)
{
	vocab_loss(s->received, s->lost, buf, len);
}

static void fmt_sent(const struct row_stats *s, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)(s->received + s->lost));
}

static void fmt_last(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_last(s), buf, len);
}

static void fmt_avg(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_avg(s), buf, len);
}

static void fmt_best(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_best(s), buf, len);
}

static void fmt_worst(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_worst(s), buf, len);
}

static void fmt_stddev(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_stddev(s), buf, len);
}

static void fmt_jlast(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_jlast(s), buf, len);
}

static void fmt_javg(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_javg(s), buf, len);
}

static void fmt_jmax(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_jmax(s), buf, len);
}

static void fmt_jint(const struct row_stats *s, char *buf, size_t len)
{
	rtt_cell(val_jint(s), buf, len);
}

static void fmt_flows(const struct row_stats *s, char *buf, size_t len)
{
	snprintf(buf, len, "%d", s->nflows);
}

const struct column stat_columns[] = {
	{"loss_pct", "Loss%", 6, fmt_loss, "loss_pct", false, val_loss},
	{"sent", "Snt", 5, fmt_sent, "sent", false, val_sent},
	{"last", "Last", 6, fmt_last, "last", true, val_last},
	{"avg", "Avg", 6, fmt_avg, "avg", true, val_avg},
	{"best", "Best", 6, fmt_best, "min", true, val_best},
	{"worst", "Wrst", 6, fmt_worst, "max", true, val_worst},
	{"stddev", "StDev", 6, fmt_stddev, "stddev", true, val_stddev},
	{"flows", "Flows", 5, fmt_flows, NULL, false, val_flows},
	/* mtr's jitter: consecutive RTTs of one flow at one TTL (rtt_recent.h). */
	{"jitter", "Jttr", 6, fmt_jlast, "jitter", true, val_jlast},
	{"jitter_avg", "Javg", 6, fmt_javg, "jitter_avg", true, val_javg},
	{"jitter_max", "Jmax", 6, fmt_jmax, "jitter_max", true, val_jmax},
	{"jitter_inter", "Jint", 6, fmt_jint, "jitter_interarrival", true, val_jint},
};
const size_t stat_column_count = sizeof(stat_columns) / sizeof(stat_columns[0]);
