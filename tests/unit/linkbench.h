/*
 * The link-layer check's test bench (test_linkcheck.c): one engine in
 * virtual time whose path is the neighbour hop1 at TTL 1 and the target at
 * TTL 2, run by the program's event loop (src/run.c) over a transport that
 * answers every probe at once and records the neighbour questions.
 */
#ifndef ECMPTRACE_TESTS_UNIT_LINKBENCH_H
#define ECMPTRACE_TESTS_UNIT_LINKBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "wire/dissect.h"

/*
 * One engine in virtual time.  Flow i's TTL-1 answers come from
 * macs[i % nmacs], so two flows can show one IP answering from two
 * link-layer addresses.
 */
struct bench {
	struct engine *e;
	struct engine_config cfg;
	uint64_t now;
	struct ip_addr hop1;
	const uint8_t *macs[2];
	int nmacs;
};

/* hop1 NULL: 192.0.2.254 (2001:db8::fe); rounds 0: until stopped. */
void bench_init(struct bench *b, bool v6, int nflows, uint64_t rounds, bool link_check,
	       const char *hop1);
/* The answer the path gives to p: time exceeded from hop1 (with its MAC), else the target's. */
struct reply answer_to(const struct bench *b, const struct probe_spec *p);

/*
 * A run of the loop until ENGINE_DONE, `until`, or a guard.  Questions
 * are recorded; a claim from claim_mac (when set) arrives claim_delay
 * after the first question.  Counts WAITs whose wake was not in the
 * future, and wakes later than latest_wake (0: no limit).
 */
struct drive {
	uint64_t until;
	const uint8_t *claim_mac;
	uint64_t claim_delay;
	uint64_t latest_wake;
	bool unaskable;			/* every question fails to go out */
	int pause_at_question;		/* > 0: the engine is paused when asking this one ... */
	uint64_t pause_us;		/* ... and a face resumes it this much later */
	/* out */
	uint64_t asked_at[16];
	int nasked;
	int asked_paused;		/* questions asked while the engine was paused */
	uint64_t paused_at;
	int stale_wakes, late_wakes, steps;
	uint64_t claim_at;
};

/* Runs the loop; the time DONE came (0: never). */
uint64_t drive(struct bench *b, struct drive *d);

#endif
