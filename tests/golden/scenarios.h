/*
 * The golden-output scenarios: each builds a results snapshot by hand,
 * the last one of a run, or (early) one from before the end, which the
 * stream test sends first so that branch, path and finding events show.
 */
#ifndef ECMPTRACE_TESTS_GOLDEN_SCENARIOS_H
#define ECMPTRACE_TESTS_GOLDEN_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>

struct results;
struct namer;

struct golden_scenario {
	const char *name;		/* file names under tests/golden/: NAME.report, ... */
	struct results *(*build)(bool early);
	bool mpls;			/* the faces show MPLS labels, as with -e */
	const struct namer *asn;	/* origin AS numbers, as with -z; NULL: without */
};

extern const struct golden_scenario golden_scenarios[];
extern const size_t golden_nscenarios;

#endif
