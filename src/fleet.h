/*
 * The targets of one run (start-up, with main.c): the hosts of the command
 * line and the lines of a --targets file (targets.h), each resolved and
 * turned into its own engine's configuration.  Every target has its own
 * engine; the event loop (run.c) runs them all over one raw socket and one
 * capture.  They share --rate equally (rate/N each): an engine paces
 * itself and plans its rounds and bursts by its own rate, so an equal share
 * it can count on keeps every target's engine independent and its timing
 * honest, where a bucket drawn on by all would let a busy target slow the
 * others' rounds and make their loss deadlines wrong.  The price: a share a
 * quiet target leaves unused is not lent to the others.
 */
#ifndef ECMPTRACE_FLEET_H
#define ECMPTRACE_FLEET_H

#include "addr.h"
#include "engine/engine.h"
#include "options.h"
#include "targets.h"

/* One target of the run: what start-up decided for it, and its engine. */
struct target_run {
	const char *name;		/* as given (the host of the command line or the file) */
	int line;			/* its line in the --targets file, 0: the command line */
	struct ip_addr dst;
	struct engine_config cfg;
	struct engine *e;		/* made and freed by main.c */
};

struct fleet {
	struct target_list list;	/* what the names point into */
	struct target_run *t;
	int n;
};

/*
 * Gathers the targets (options' hosts, then the file's lines), resolves
 * them and configures an engine for each.  0, or the exit status 2 (bad
 * input: a file that cannot be read, a bad line, an unknown host, a
 * duplicate, a rate too small to share), the
 * reason said on stderr.
 */
int fleet_plan(struct fleet *f, const struct options *o);
void fleet_free(struct fleet *f);

#endif
