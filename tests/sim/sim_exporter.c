/*
 * The exporter face (src/face/exporter.c) with real engines, without root:
 * two targets traced by two engines on one simulated transport (the
 * program's loop, src/run.c), each with the exporter's face, over a
 * random diamond whose first stage has one router dropping 30% of what
 * it forwards.  Checked on the exposition (the text a scrape gets): each
 * family's HELP and TYPE once, with both targets' samples; no counter of
 * any tick's text below the tick before; at the end, each target's
 * probes and replies summed over branches equal what its engine's final
 * snapshot resolved, cell by cell, and its per-flow counters the flows'
 * end-to-end figures; at TTL 2, the flows that came through the lossy
 * router lose about 30%, the others nothing.  The seed varies per run
 * (printed; give it as the argument to replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/results.h"
#include "face/exporter.h"
#include "run.h"
#include "simloop.h"
#include "simrun.h"
#include "tests/tap.h"

#define NT 2

static uint32_t seed;
static const char *const names[NT] = {"alpha", "beta"};

/* Wraps the exporter's face: after each tick, the text's counters against the last tick's. */
struct watch {
	struct exporter *x;
	struct run_face inner[NT];
	char *last;		/* the text after the last tick */
	long compared;		/* counter samples compared with an earlier one */
	int went_back;		/* of those, lower than before */
	char example[200];	/* the first that went back */
};

struct watch_ctx {
	struct watch *w;
	int i;
};

/* A counter sample: a line (len bytes) of a family whose samples only grow. */
static bool is_counter(const char *line, size_t len)
{
	const char *brace = memchr(line, '{', len);
	size_t name = brace ? (size_t)(brace - line) : 0;

	return line[0] != '#' && brace != NULL &&
	       ((name > 6 && memcmp(brace - 6, "_total", 6) == 0) ||
		(name > 6 && memcmp(brace - 6, "_count", 6) == 0) ||
		(name > 4 && memcmp(brace - 4, "_sum", 4) == 0));
}

/* Compares every counter line of now with the same series in before. */
static void compare(struct watch *w, const char *before, const char *now)
{
	const char *line = now;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n'), *sp;
		size_t keylen;

		if (end == NULL)
			break;
		sp = memrchr(line, ' ', (size_t)(end - line));
		if (sp != NULL && is_counter(line, (size_t)(end - line))) {
			char key[512];
			const char *old;

			keylen = (size_t)(sp - line) + 1;
			if (keylen + 2 < sizeof(key)) {
				key[0] = '\n';
				memcpy(key + 1, line, keylen);
				key[keylen + 1] = '\0';
				old = strstr(before, key);
				if (old != NULL) {
					w->compared++;
					if (strtod(old + keylen + 1, NULL) > strtod(sp + 1, NULL) &&
					    w->went_back++ == 0)
						snprintf(w->example, sizeof(w->example), "%.*s",
							 (int)(end - line), line);
				}
			}
		}
		line = end + 1;
	}
}

static enum run_verdict watch_tick(void *ctx, struct engine *e, uint64_t now)
{
	struct watch_ctx *c = ctx;
	struct watch *w = c->w;
	enum run_verdict v = w->inner[c->i].tick(w->inner[c->i].ctx, e, now);
	size_t len;
	char *text = exporter_text(w->x, false, &len);

	if (text != NULL) {
		if (w->last != NULL)
			compare(w, w->last, text);
		free(w->last);
		w->last = text;
	}
	return v;
}

/* Sum of the samples of name whose labels contain each of the given strings (NULL: ends). */
static double sum_of(const char *text, const char *name, const char *a, const char *b)
{
	size_t n = strlen(name);
	double sum = 0;

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[600];

		if (len < sizeof(buf) && strncmp(line, name, n) == 0 && line[n] == '{') {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if ((a == NULL || strstr(buf, a)) && (b == NULL || strstr(buf, b)))
				sum += strtod(strrchr(buf, ' ') + 1, NULL);
		}
		line = end ? end + 1 : NULL;
	}
	return sum;
}

static int occurrences(const char *text, const char *what)
{
	int n = 0;

	for (const char *at = text; (at = strstr(at, what)) != NULL; at++)
		n++;
	return n;
}

/* What the final snapshot resolved: probes and answers over every cell, end to end per flow. */
static void resolved(const struct results *r, double *sent, double *got, double *e2e)
{
	*sent = *got = *e2e = 0;
	for (int i = 0; i < r->nflows; i++) {
		const struct flow_result *f = &r->flows[i];

		for (int k = 0; k < f->path_len; k++) {
			*sent += (double)(f->hop_received[k] + f->hop_lost[k]);
			*got += (double)f->hop_received[k];
		}
		*e2e += (double)(f->received + f->lost);
	}
}

/* Loss at TTL 2 of the flows of target name that came through via. */
static double loss_via(const char *text, const char *name, const char *via)
{
	char t[64], v[80];
	double sent, got;

	snprintf(t, sizeof(t), "{target=\"%s\",ttl=\"2\"", name);
	snprintf(v, sizeof(v), ",via=\"%s\"}", via);
	sent = sum_of(text, "ecmptrace_probes_sent_total", t, v);
	got = sum_of(text, "ecmptrace_replies_total", t, v);
	return sent > 0 ? 1.0 - got / sent : -1;
}

static void check_target(const char *text, int i, struct engine *e, uint64_t now,
			 const char *lossy, const char *clean)
{
	struct results *r = engine_results(e, now);
	char t[40];
	double sent, got, e2e, m_sent, m_got, m_e2e, l, c;

	snprintf(t, sizeof(t), "{target=\"%s\"", names[i]);
	if (r == NULL) {
		ok(0, "%s: a snapshot", names[i]);
		return;
	}
	resolved(r, &sent, &got, &e2e);
	m_sent = sum_of(text, "ecmptrace_probes_sent_total", t, NULL);
	m_got = sum_of(text, "ecmptrace_replies_total", t, NULL);
	m_e2e = sum_of(text, "ecmptrace_flow_probes_total", t, NULL);
	ok(sent > 0 && m_sent == sent && m_got == got,
	   "%s: probes %g and replies %g over the branches are the cells' (%g, %g)", names[i],
	   m_sent, m_got, sent, got);
	ok(e2e > 0 && m_e2e == e2e, "%s: per-flow end-to-end probes %g are the flows' (%g)",
	   names[i], m_e2e, e2e);
	ok(sum_of(text, "ecmptrace_rounds_total", t, NULL) == (double)r->counters.rounds_done &&
	   sum_of(text, "ecmptrace_target_probes_total", t, NULL) == (double)r->counters.probes_sent,
	   "%s: rounds and probes sent are the engine's", names[i]);
	l = loss_via(text, names[i], lossy);
	c = loss_via(text, names[i], clean);
	ok(l > 0.15 && l < 0.45 && c >= 0 && c < 0.05,
	   "%s: at TTL 2, loss %.3f through the lossy %s, %.3f through %s", names[i], l, lossy, c,
	   clean);
	results_free(r);
}

int main(int argc, char **argv)
{
	struct engine_config cfg[NT];
	struct run_engine engines[NT] = {{0}};
	struct exporter_options xo = {.names = names, .ntargets = NT, .listen_fd = -1,
				      .version = "test"};
	struct watch w = {0};
	struct watch_ctx wc[NT];
	struct run_face faces[NT];
	struct run_env env = {0};
	struct simloop sl;
	struct simnet *n;
	int widths[3], bad;
	char err[256], lossy[64], clean[64], *text;
	size_t len;
	int rc;

	seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : (uint32_t)time(NULL);
	printf("# seed %u (give it as the argument to replay)\n", seed);
	alarm(120);
	for (int i = 0; i < NT; i++) {
		simrun_config(&cfg[i], AF_INET);
		cfg[i].seed = seed + (uint32_t)i;
		cfg[i].sport_base = (uint16_t)(20000 + 1000 * i);	/* disjoint flows */
		cfg[i].rounds = 30;
		cfg[i].key[0] = (uint8_t)(i + 1);
	}
	widths[0] = 2 + (int)(seed % 2);
	widths[1] = 2 + (int)(seed / 2 % 3);
	widths[2] = 1 + (int)(seed / 6 % 3);
	n = simnet_diamond(&cfg[0].src, &cfg[0].dst, widths, 3, false, seed);
	bad = (int)(seed / 18 % (uint32_t)widths[0]);
	simnet_node(n, simnet_at(n, 1, bad))->fwd_loss = 0.3;
	addr_format(&simnet_node(n, simnet_at(n, 1, bad))->addr, lossy, sizeof(lossy));
	addr_format(&simnet_node(n, simnet_at(n, 1, (bad + 1) % widths[0]))->addr, clean,
		    sizeof(clean));
	printf("# diamond %d-%d-%d, router %s drops 30%% of what it forwards\n", widths[0], widths[1],
	     widths[2], lossy);
	w.x = exporter_new(&xo, err, sizeof(err));
	ok(w.x != NULL && exporter_start(w.x, err, sizeof(err)), "exporter for 2 targets, no server");
	simloop_init(&sl, n, SIMRUN_START_US);
	env.transport = &sl.transport;
	env.clock = &sl.clock;
	env.stop = &sl.stop;
	sl.max_waits = 1000000;
	for (int i = 0; i < NT; i++) {
		w.inner[i] = exporter_face(w.x, i);
		wc[i] = (struct watch_ctx){&w, i};
		faces[i] = w.inner[i];
		faces[i].ctx = &wc[i];
		faces[i].tick = watch_tick;
		engines[i].e = engine_new(&cfg[i], err, sizeof(err));
		engines[i].face = &faces[i];
	}
	rc = engines[0].e && engines[1].e ? run_loop(&env, engines, NT) : -1;
	ok(rc == 0 && engines[0].done && engines[1].done, "both engines ran their 30 rounds");
	ok(w.compared > 1000 && w.went_back == 0,
	   "no counter of any tick's text below the tick before (%ld compared, %d went back%s%s)",
	   w.compared, w.went_back, w.went_back ? ": " : "", w.example);
	text = exporter_text(w.x, false, &len);
	ok(text != NULL && occurrences(text, "# TYPE ecmptrace_probes_sent_total counter\n") == 1 &&
	   occurrences(text, "# TYPE ecmptrace_finding gauge\n") == 1 &&
	   occurrences(text, "ecmptrace_target_reachable{target=\"alpha\"} 1\n") == 1 &&
	   occurrences(text, "ecmptrace_target_reachable{target=\"beta\"} 1\n") == 1,
	   "one text: each family's header once, both targets' samples under it");
	for (int i = 0; text != NULL && i < NT; i++)
		check_target(text, i, engines[i].e, sl.now_us, lossy, clean);
	free(text);
	free(w.last);
	exporter_free(w.x);
	for (int i = 0; i < NT; i++)
		engine_free(engines[i].e);
	simnet_free(n);
	return tap_done();
}
