/*
 * The exporter face (--listen, --textfile): each target's snapshots feed
 * its metrics (metrics.h) on every tick, with the standing findings
 * (standing.h) in force; the rendered text is published for the HTTP
 * server and written to the textfile.
 *
 * The HTTP server is libmicrohttpd with its own thread, on the listening
 * socket opened before the privileges were dropped.  Why a thread, not
 * MHD_run() from our loop: the probing thread then never parses HTTP nor
 * writes to a client; a scrape storm, a slow reader or half a request
 * cost the server's thread, and the probing thread only takes a mutex for
 * as long as it takes to swap a target's rendered text in.  Scrapes copy
 * the assembled text (rebuilt once after each change), never render.
 * Limits: EXPORTER_MAX_CONNECTIONS at once, a connection idle for
 * EXPORTER_TIMEOUT_S is closed, requests larger than a few kilobytes are
 * refused by the library's memory limit.
 */
#ifndef ECMPTRACE_FACE_EXPORTER_H
#define ECMPTRACE_FACE_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run.h"

#define EXPORTER_MAX_CONNECTIONS 32
#define EXPORTER_TIMEOUT_S 10
/* How often each target's metrics are taken (and the textfile written, at most). */
#define EXPORTER_TICK_US 1000000u
#define EXPORTER_TEXTFILE_US 5000000u

struct exporter;
struct textfile;

struct exporter_options {
	const char *const *names;	/* each target's name (its "target" label) */
	int ntargets;
	int listen_fd;			/* listening socket for /metrics; -1: none */
	struct textfile *textfile;	/* NULL: none; the exporter closes it */
	const char *version;		/* for ecmptrace_build_info */
	/* Says a textfile write error (once until a write succeeds); NULL: stderr. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* NULL with a message in err. */
struct exporter *exporter_new(const struct exporter_options *o, char *err, size_t errlen);
/* Starts the HTTP server (after the privilege drop); false with a message in err. */
bool exporter_start(struct exporter *x, char *err, size_t errlen);
/* The face of target i (0 <= i < ntargets): its tick feeds that target's metrics. */
struct run_face exporter_face(struct exporter *x, int i);
/* The face tick (ctx: as exporter_face gives it). */
enum run_verdict exporter_tick(void *ctx, struct engine *e, uint64_t now_us);
/* The text a scrape would get now (the caller frees it); NULL when there is none. */
char *exporter_text(struct exporter *x, bool openmetrics, size_t *len);
/* Stops the server, writes the textfile a last time, frees everything. */
void exporter_free(struct exporter *x);

#endif
