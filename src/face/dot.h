/*
 * The Graphviz face (--dot): the branch graph as a DOT digraph, for
 * `ecmptrace --dot HOST | dot -Tsvg > paths.svg`.  Nodes are the
 * responders per hop (with name and loss), edges the links between a
 * branch and the branches at the next hop its flows went on to (labelled
 * with the loss of those flows there), the source host and the target
 * are nodes too, and what the findings blame is drawn red and bold.
 */
#ifndef ECMPTRACE_FACE_DOT_H
#define ECMPTRACE_FACE_DOT_H

#include <stdio.h>

struct results;
struct namer;

struct dot_options {
	const char *target_name;	/* as the user typed it */
	const char *version;		/* the program's version; NULL: PACKAGE_VERSION */
	const char *status;		/* how the run ended: "done", "signal" or "error" */
	const struct namer *namer;	/* responder names (namer.h); NULL with -n */
};

/* Writes the graph; the caller checks the stream for errors. */
void dot_print(FILE *out, const struct results *r, const struct dot_options *o);

#endif
