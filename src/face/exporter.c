/*
 * The exporter face (see exporter.h): per-target ticks that take the
 * metrics and publish their text, the HTTP server's request handler, and
 * the textfile.
 */
#include "config.h"

#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/diagnose.h"
#include "engine/engine.h"
#include "engine/results.h"
#include "engine/standing.h"
#include "face/exporter.h"
#include "face/metrics.h"
#include "face/textfile.h"

/* Limits on the text: one target's families, and the whole exposition. */
#define BODY_MAX ((size_t)8 << 20)
#define TEXT_MAX ((size_t)64 << 20)
/* What a request may make the server keep (headers, URL): plenty for a scraper. */
#define REQUEST_MEMORY 16384
/*
 * The server's thread yields the processor to the probing thread: under a
 * scrape storm on a busy host, the probes' pace comes first.
 */
#define SERVER_NICE 10

struct exporter_target {
	struct exporter *x;
	struct metrics_target *m;
	struct standing standing;	/* the findings that have held (standing.h) */
	struct metrics_bodies *bodies;	/* published text; under x->lock */
	bool render_failed_said;
};

struct exporter {
	pthread_mutex_t lock;		/* guards targets[].bodies, view, text and stale */
	struct exporter_target *targets;
	int n;
	const struct metrics_bodies **view;	/* targets[].bodies, for metrics_assemble */
	struct metrics_buf text[2];	/* assembled, per format (metrics_format) */
	bool stale[2];
	char *version;
	struct MHD_Daemon *mhd;
	int listen_fd;
	struct textfile *textfile;
	uint64_t next_textfile_us;
	bool textfile_failing;		/* said; said again only after a write succeeded */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	bool server_niced;		/* the server's thread lowered its priority (its own flag) */
};

static void say(struct exporter *x, const char *msg)
{
	if (x->warn != NULL)
		x->warn(x->warn_ctx, msg);
	else
		fprintf(stderr, "ecmptrace: %s\n", msg);
}

struct exporter *exporter_new(const struct exporter_options *o, char *err, size_t errlen)
{
	struct exporter *x = calloc(1, sizeof(*x));
	bool ok = x != NULL && o->ntargets > 0;

	if (ok) {
		pthread_mutex_init(&x->lock, NULL);
		x->listen_fd = o->listen_fd;
		x->textfile = o->textfile;
		x->warn = o->warn;
		x->warn_ctx = o->warn_ctx;
		x->stale[0] = x->stale[1] = true;
		x->version = strdup(o->version ? o->version : "");
		x->targets = calloc((size_t)o->ntargets, sizeof(*x->targets));
		x->view = calloc((size_t)o->ntargets, sizeof(*x->view));
		ok = x->version != NULL && x->targets != NULL && x->view != NULL;
	}
	for (int i = 0; ok && i < o->ntargets; i++) {
		x->targets[i].x = x;
		standing_init(&x->targets[i].standing);
		x->targets[i].m = metrics_target_new(o->names[i], 0);
		ok = x->targets[i].m != NULL;
		x->n = i + 1;
	}
	if (!ok) {
		snprintf(err, errlen, x == NULL || o->ntargets > 0 ? "out of memory" : "no target");
		if (x != NULL)
			x->listen_fd = -1;
		exporter_free(x);
		return NULL;
	}
	return x;
}

/* The assembled text of fmt, rebuilt if a target published since; under x->lock. */
static const struct metrics_buf *assembled(struct exporter *x, enum metrics_format fmt)
{
	struct metrics_buf *b = &x->text[fmt];

	if (x->stale[fmt]) {
		metrics_buf_free(b);
		metrics_buf_init(b, TEXT_MAX);
		/* Cut short (TEXT_MAX): what fitted is served; the sizes are documented. */
		metrics_assemble(x->view, x->n, fmt, x->version, b);
		x->stale[fmt] = false;
	}
	return b;
}

char *exporter_text(struct exporter *x, bool openmetrics, size_t *len)
{
	const struct metrics_buf *b;
	char *copy = NULL;

	pthread_mutex_lock(&x->lock);
	b = assembled(x, openmetrics ? METRICS_OPENMETRICS : METRICS_PROMETHEUS);
	if (b->data != NULL && (copy = malloc(b->len + 1)) != NULL) {
		memcpy(copy, b->data, b->len + 1);
		*len = b->len;
	}
	pthread_mutex_unlock(&x->lock);
	return copy;
}

/* One response, queued; the body is copied. */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
			       const char *body)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body,
								    MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result serve_metrics(struct exporter *x, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	enum metrics_format fmt = metrics_negotiate(accept);
	struct MHD_Response *resp;
	enum MHD_Result rc;
	size_t len = 0;
	char *text = exporter_text(x, fmt == METRICS_OPENMETRICS, &len);

	if (text == NULL)
		return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "no metrics yet\n");
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, metrics_content_type(fmt));
	rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

/*
 * Every request: GET or HEAD of /metrics (or / for a pointer to it).
 * MHD calls first with the headers only (*state still NULL): we answer on
 * the second call, as its documentation asks, and never take a body.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct exporter *x = cls;

	(void)version;
	(void)upload;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			       "only GET and HEAD\n");
	if (*state == NULL) {
		*state = x;	/* any non-NULL pointer: "headers seen" */
		return MHD_YES;
	}
	if (*upload_size != 0)
		return respond(c, MHD_HTTP_BAD_REQUEST, "text/plain", "no body, please\n");
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(x, c);
	if (strcmp(url, "/") == 0)
		return respond(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
			       "ecmptrace exporter: the metrics are at /metrics\n");
	return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found: try /metrics\n");
}

/*
 * Called by the server's thread as a connection starts: the first time,
 * it lowers that thread's own priority (Linux's nice is per thread, and
 * raising it needs no privilege).  A failure only leaves it as it was.
 */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	struct exporter *x = cls;

	(void)c;
	(void)socket_ctx;
	if (code == MHD_CONNECTION_NOTIFY_STARTED && !x->server_niced) {
		x->server_niced = true;
		(void)setpriority(PRIO_PROCESS, 0, SERVER_NICE);
	}
}

bool exporter_start(struct exporter *x, char *err, size_t errlen)
{
	sigset_t block, was;

	if (x->listen_fd < 0)
		return true;
	/*
	 * The server's thread inherits this mask: the stop signals must reach
	 * the probing thread, whose wait they interrupt.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &was);
	x->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
				  on_request, x,
				  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)x->listen_fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)EXPORTER_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)EXPORTER_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_MEMORY,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, x,
				  MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (x->mhd == NULL) {
		snprintf(err, errlen, "cannot start the HTTP server for /metrics");
		return false;
	}
	return true;
}

struct run_face exporter_face(struct exporter *x, int i)
{
	struct run_face f = {.ctx = &x->targets[i], .tick = exporter_tick,
			     .tick_us = EXPORTER_TICK_US, .input_fd = -1};

	return f;
}

/* Writes the textfile; a failure is said once, until a write succeeds again. */
static void write_textfile(struct exporter *x)
{
	char err[512];
	size_t len = 0;
	char *text = exporter_text(x, false, &len);

	if (text == NULL)
		return;
	if (textfile_write(x->textfile, text, len, err, sizeof(err))) {
		x->textfile_failing = false;
	} else if (!x->textfile_failing) {
		say(x, err);
		x->textfile_failing = true;
	}
	free(text);
}

/* Renders target t's text and swaps it in for the server. */
static void publish(struct exporter_target *t)
{
	struct exporter *x = t->x;
	struct metrics_bodies *b = malloc(sizeof(*b)), *old;

	if (b == NULL)
		return;
	if (!metrics_target_render(t->m, b, BODY_MAX)) {
		metrics_bodies_free(b);
		free(b);
		if (!t->render_failed_said)
			say(x, "the metrics of a target passed their size limit; the last "
			       "complete ones are served");
		t->render_failed_said = true;
		return;
	}
	pthread_mutex_lock(&x->lock);
	old = t->bodies;
	t->bodies = b;
	x->view[t - x->targets] = b;
	x->stale[0] = x->stale[1] = true;
	pthread_mutex_unlock(&x->lock);
	if (old != NULL)
		metrics_bodies_free(old);
	free(old);
}

enum run_verdict exporter_tick(void *ctx, struct engine *e, uint64_t now_us)
{
	struct exporter_target *t = ctx;
	struct exporter *x = t->x;
	struct results *r = results_with_findings(engine_results(e, now_us));

	if (r == NULL)
		return RUN_CONTINUE;
	/* Exposed while it stands, as the stream raises it: not one snapshot's chance. */
	standing_apply(&t->standing, r, now_us);
	if (metrics_target_update(t->m, r, now_us))
		publish(t);
	results_free(r);
	if (x->textfile != NULL && now_us >= x->next_textfile_us) {
		write_textfile(x);
		x->next_textfile_us = now_us + EXPORTER_TEXTFILE_US;
	}
	return RUN_CONTINUE;
}

void exporter_free(struct exporter *x)
{
	if (x == NULL)
		return;
	/* The server closes the listening socket it was given; else it is ours to close. */
	if (x->mhd != NULL)
		MHD_stop_daemon(x->mhd);
	else if (x->listen_fd >= 0)
		close(x->listen_fd);
	if (x->textfile != NULL) {
		write_textfile(x);
		textfile_close(x->textfile);
	}
	for (int i = 0; i < x->n; i++) {
		metrics_target_free(x->targets[i].m);
		standing_free(&x->targets[i].standing);
		if (x->targets[i].bodies != NULL)
			metrics_bodies_free(x->targets[i].bodies);
		free(x->targets[i].bodies);
	}
	metrics_buf_free(&x->text[0]);
	metrics_buf_free(&x->text[1]);
	pthread_mutex_destroy(&x->lock);
	free(x->targets);
	free(x->view);
	free(x->version);
	free(x);
}
