/*
 * The statistics column table (see columns.h).  RTTs are kept in
 * microseconds and shown in milliseconds with one decimal, as mtr does.
 */
#include <stdio.h>

#include "engine/rtt_stats.h"
#include "face/columns.h"

static void ms(char *buf, size_t len, const struct row_stats *s, double us)
{
	if (s->rtt == NULL || s->rtt->n == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", us / 1000.0);
}

static void fmt_loss(const struct row_stats *s, char *buf, size_t len)
{
	if (s->received + s->lost == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", loss_pct(s->received, s->lost));
}

static void fmt_sent(const struct row_stats *s, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)(s->received + s->lost));
}

static void fmt_last(const struct row_stats *s, char *buf, size_t len)
{
	ms(buf, len, s, s->rtt ? (double)s->rtt->last : 0);
}

static void fmt_avg(const struct row_stats *s, char *buf, size_t len)
{
	ms(buf, len, s, s->rtt ? s->rtt->mean : 0);
}

static void fmt_best(const struct row_stats *s, char *buf, size_t len)
{
	ms(buf, len, s, s->rtt ? (double)s->rtt->min : 0);
}

static void fmt_worst(const struct row_stats *s, char *buf, size_t len)
{
	ms(buf, len, s, s->rtt ? (double)s->rtt->max : 0);
}

static void fmt_stddev(const struct row_stats *s, char *buf, size_t len)
{
	ms(buf, len, s, s->rtt ? rtt_stddev(s->rtt) : 0);
}

static void fmt_flows(const struct row_stats *s, char *buf, size_t len)
{
	snprintf(buf, len, "%d", s->nflows);
}

const struct column stat_columns[] = {
	{"loss_pct", "Loss%", 6, fmt_loss},
	{"sent", "Snt", 5, fmt_sent},
	{"last", "Last", 6, fmt_last},
	{"avg", "Avg", 6, fmt_avg},
	{"best", "Best", 6, fmt_best},
	{"worst", "Wrst", 6, fmt_worst},
	{"stddev", "StDev", 6, fmt_stddev},
	{"flows", "Flows", 5, fmt_flows},
};
const size_t stat_column_count = sizeof(stat_columns) / sizeof(stat_columns[0]);

int columns_width(void)
{
	int w = 0;

	for (size_t i = 0; i < stat_column_count; i++)
		w += 1 + stat_columns[i].width;
	return w;
}
