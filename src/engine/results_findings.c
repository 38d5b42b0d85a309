/*
 * Attaches a diagnosis to a results snapshot (diagnose.h).  The one place
 * that knows both the snapshot's builder and the analysis, so that
 * neither knows the other: engine_results() builds without analysing,
 * diagnose() reads a snapshot it did not build, and whoever needs the
 * findings asks for them at its own pace.
 */
#include <stddef.h>

#include "engine/diagnose.h"
#include "engine/results.h"

struct results *results_with_findings(struct results *r)
{
	if (r == NULL || r->findings != NULL)
		return r;
	r->findings = diagnose(r);
	r->findings_free = findings_free;
	return r;
}
