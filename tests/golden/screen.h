/*
 * The live view's screens of a scenario as text, for the golden-output
 * tests: the snapshot drawn by the real drawing code at 100x32 into a
 * curses screen on /dev/null (tree view with findings, flows by loss, the
 * detail pane of the lossiest row, merged hops with the help overlay).
 */
#ifndef ECMPTRACE_TESTS_GOLDEN_SCREEN_H
#define ECMPTRACE_TESTS_GOLDEN_SCREEN_H

#include <stdbool.h>
#include <stdio.h>

struct results;
struct namer;

/* 0, or 77 when curses cannot set up a screen here (no terminfo for xterm). */
/*
 * The screens of the snapshots build(true) (history only) and build(false)
 * (shown); mpls and asn as the live view's -e and -z (asn NULL: without).
 */
int screen_write(FILE *out, struct results *(*build)(bool early), const char *target_name,
		 bool mpls, const struct namer *asn);

#endif
