/*
 * The live view: an ncurses screen showing hops, their branches, flows and
 * findings as they form.  Reads engine snapshots only; the keys it acts on
 * (pause, reset) go through the engine's public calls.
 */
#ifndef ECMPTRACE_FACE_TUI_H
#define ECMPTRACE_FACE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "run.h"

struct engine;
struct namer;
struct tui;

struct tui_options {
	const char *target_name;	/* as the user typed it */
	struct ip_addr target;
	bool numeric;			/* start with DNS off (-n) */
	const struct namer *namer;	/* responder names (namer.h), may be NULL */
	bool mpls;			/* -e: the MPLS labels branches quoted */
	const struct namer *asn;	/* -z: origin AS per address (namer.h), else NULL */
};

/* Takes over the terminal; NULL (and err) if it cannot. */
struct tui *tui_open(const struct tui_options *o, char *err, size_t errlen);
/* run_face callbacks: ctx is the struct tui. */
enum run_verdict tui_tick(void *ctx, struct engine *e, uint64_t now_us);
enum run_verdict tui_input(void *ctx, struct engine *e, uint64_t now_us);
/* Gives the terminal back in its original state.  Safe to call twice. */
void tui_close(struct tui *t);
/*
 * Several targets in one view: a list of them above the table, worst
 * first (most standing findings, then most end-to-end loss), and Tab /
 * Shift-Tab to show the next / previous.  Each target's engine gets its
 * own face, whose ctx is what tui_add_target returns (NULL: out of
 * memory), with tui_target_tick and tui_target_input; the first target
 * added is the one tui_open was given.  The view draws the target shown,
 * whichever face ticks; the others' snapshots are refreshed less often
 * (for the list).
 */
struct tui_target *tui_add_target(struct tui *t, const char *name, const struct ip_addr *addr,
				  struct engine *e);
enum run_verdict tui_target_tick(void *ctx, struct engine *e, uint64_t now_us);
enum run_verdict tui_target_input(void *ctx, struct engine *e, uint64_t now_us);

#endif
