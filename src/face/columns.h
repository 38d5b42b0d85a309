/*
 * The statistics columns shared by the text report, the live view and the
 * JSON (mtr's Loss%, Snt, Last, Avg, Best, Wrst, StDev, plus Flows, and
 * mtr's jitter columns Jttr, Javg, Jmax, Jint): one
 * table, so a new column is one line and every face shows it alike.
 */
#ifndef ECMPTRACE_FACE_COLUMNS_H
#define ECMPTRACE_FACE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rtt_recent.h"
#include "engine/rtt_stats.h"

/* What one row (hop, branch, via or flow) has to show. */
struct row_stats {
	uint64_t received, lost;
	const struct rtt_stats *rtt;	/* NULL: no RTT figures */
	int nflows;
	const struct jitter_stats *jitter;	/* NULL or none yet: "-" / null */
};

struct column {
	const char *key;	/* machine name, e.g. "loss_pct" */
	const char *title;	/* header text */
	int width;		/* characters, right-aligned */
	/* Writes the cell text (vocab.h's rules); "-" when there is no sample. */
	void (*format)(const struct row_stats *s, char *buf, size_t len);
	/*
	 * The JSON field (doc/ecmptrace.schema.json), or NULL when the JSON
	 * says it otherwise (flows: the list of flow ids).  in_rtt: inside
	 * the row's "rtt_ms" object.
	 */
	const char *json;
	bool in_rtt;
	/* The value in JSON units (count, percent, milliseconds); NAN: null. */
	double (*value)(const struct row_stats *s);
};

extern const struct column stat_columns[];
extern const size_t stat_column_count;

#endif
