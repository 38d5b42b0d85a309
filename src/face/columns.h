/*
 * The statistics columns shared by the text report and the live view
 * (mtr's Loss%, Snt, Last, Avg, Best, Wrst, StDev, plus Flows): one table,
 * so a new column is one line.
 */
#ifndef ECMPTRACE_FACE_COLUMNS_H
#define ECMPTRACE_FACE_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/rtt_stats.h"

/* What one row (hop, branch or flow) has to show. */
struct row_stats {
	uint64_t received, lost;
	const struct rtt_stats *rtt;
	int nflows;
};

struct column {
	const char *key;	/* machine name, e.g. "loss_pct" */
	const char *title;	/* header text */
	int width;		/* characters, right-aligned */
	/* Writes the cell text; "-" style blanks when there is no sample. */
	void (*format)(const struct row_stats *s, char *buf, size_t len);
};

extern const struct column stat_columns[];
extern const size_t stat_column_count;

/* Total width of all columns with one space before each. */
int columns_width(void);

#endif
