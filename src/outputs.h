/*
 * Running the chosen face (live view, report, JSON document or stream,
 * CSV, Graphviz) over every target's engine with the event loop on the
 * kernel's network, and ending the output: what main.c does once start-up
 * is over.  The signals that stop a run, how it ended (done, a signal, an
 * error) and the write errors of standard output are kept here.
 */
#ifndef ECMPTRACE_OUTPUTS_H
#define ECMPTRACE_OUTPUTS_H

#include "fleet.h"
#include "options.h"

struct namer;
struct textfile;
struct transport;

/* What a face run needs from start-up (the engines are in fleet). */
struct outputs {
	const struct options *o;
	const struct fleet *f;
	enum face face;			/* the chosen one (never FACE_AUTO) */
	const struct namer *names;	/* reverse DNS (NULL: none) */
	const struct namer *asn;	/* -z: origin AS per address (NULL: off) */
	/* The exporter's (FACE_EXPORTER): --listen's socket or -1, --textfile's directory or NULL. */
	int listen_fd;
	struct textfile *textfile;
	/* Unprivileged mode: what is not available, said beside the target in JSON (NULL: none). */
	const char *const *unavailable;
};

/* Runs the loop with the face over every target; the exit status. */
int outputs_run(const struct transport *tr, const struct outputs *out);
/* Flushes stdout: a full disk or a closed descriptor is status 1 (said), never a silent 0. */
int outputs_finish_stdout(int rc);

#endif
