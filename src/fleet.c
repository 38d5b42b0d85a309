/*
 * The targets of one run (see fleet.h): gathered from the command line and
 * the --targets file, resolved, checked against each other, configured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fleet.h"
#include "net/capture.h"
#include "net/resolve_apart.h"

#define EXIT_USAGE 2
/* A targets file larger than this is not a list of hosts. */
#define TARGETS_FILE_MAX (4u << 20)
/* Unknown hosts named in one message at most. */
#define UNKNOWN_SHOWN 5

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	return v;
}

/*
 * The run's secret for the probes' MACs and ids (engine/auth.h).  Unlike
 * the port window it has no weaker fallback: without the kernel's random
 * source, answers could be forged.
 */
static bool random_key(uint8_t *key, size_t len)
{
	return getrandom(key, len, 0) == (ssize_t)len;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ecmptrace: %s\n", msg);
	return EXIT_USAGE;
}

/* Reads the whole file into *text (*len bytes); false with err. */
static bool read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 4096, n = 0, got;
	char *buf = NULL;

	if (fp == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return false;
	}
	do {
		char *grown = n == 0 || n == cap ? realloc(buf, cap *= 2) : buf;

		if (grown == NULL || cap > 2 * TARGETS_FILE_MAX) {
			snprintf(err, errlen, grown ? "%s: larger than %u bytes" : "%s: out of memory",
				 path, TARGETS_FILE_MAX);
			free(grown ? grown : buf);
			fclose(fp);
			return false;
		}
		buf = grown;
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno ? errno : EIO));
		free(buf);
		fclose(fp);
		return false;
	}
	fclose(fp);
	*text = buf;
	*len = n;
	return true;
}

/* The hosts of the command line, then the file's targets.  0 or the exit status. */
static int gather(struct target_list *l, const struct options *o)
{
	struct target_defaults d = {.proto = o->proto, .port = o->port};
	char err[512], *text = NULL;
	size_t len = 0;
	bool ok;

	for (int i = 0; i < o->nhosts; i++)
		if (!targets_add_host(l, o->hosts[i], &d, err, sizeof(err)))
			return usage_error(err);
	if (o->targets_file == NULL)
		return 0;
	if (!read_file(o->targets_file, &text, &len, err, sizeof(err)))
		return usage_error(err);
	ok = targets_parse(text, len, o->targets_file, &d, l, err, sizeof(err));
	free(text);
	if (!ok)
		return usage_error(err);
	if (l->count == 0) {
		snprintf(err, sizeof(err), "%s: no targets in it", o->targets_file);
		return usage_error(err);
	}
	return 0;
}

/* "h" or "h (FILE:LINE)": a target as messages name it. */
static const char *say_target(const struct target_run *t, const struct options *o, char *buf,
			      size_t len)
{
	if (t->line > 0)
		snprintf(buf, len, "'%s' (%s:%d)", t->name, o->targets_file, t->line);
	else
		snprintf(buf, len, "'%s'", t->name);
	return buf;
}

/*
 * Resolves every target (in -4/-6's family, else each in its own: one
 * process traces both).  Every unknown host is named, not only the first.
 * 0 or the exit status.
 */
static int resolve_all(struct fleet *f, const struct options *o)
{
	char err[512], first_err[512] = "", names[UNKNOWN_SHOWN * 80] = "", who[400];
	int unknown = 0;
	bool runtime = false;
	const char **hosts = calloc((size_t)f->n, sizeof(*hosts));
	struct resolved_target *got = calloc((size_t)f->n, sizeof(*got));

	if (hosts == NULL || got == NULL) {
		free(hosts);
		free(got);
		fprintf(stderr, "ecmptrace: out of memory\n");
		return 1;
	}
	for (int i = 0; i < f->n; i++)
		hosts[i] = f->t[i].name;
	if (!resolve_apart(hosts, f->n, o->family, got, err, sizeof(err))) {
		free(hosts);
		free(got);
		fprintf(stderr, "ecmptrace: %s\n", err);
		return 1;
	}
	for (int i = 0; i < f->n; i++) {
		struct target_run *t = &f->t[i];

		t->dst = got[i].addr;
		if (got[i].ok)
			continue;
		/* A name service that failed (not "no such name"): a retry may succeed. */
		runtime = runtime || got[i].runtime;
		if (unknown++ == 0)
			snprintf(first_err, sizeof(first_err), "%s", got[i].err);
		if (unknown <= UNKNOWN_SHOWN) {
			size_t used = strlen(names);

			/* Cut short when long: the names are there to be read, not parsed. */
			if (snprintf(names + used, sizeof(names) - used, "%s%s",
				     unknown > 1 ? ", " : "", say_target(t, o, who, sizeof(who))) < 0)
				break;
		}
	}
	free(hosts);
	free(got);
	if (unknown == 0)
		return 0;
	if (f->n == 1)
		snprintf(err, sizeof(err), "%s", first_err);
	else
		snprintf(err, sizeof(err), "%d of %d targets cannot be traced: %s%s (the first: %s)",
			 unknown, f->n, names, unknown > UNKNOWN_SHOWN ? ", ..." : "", first_err);
	if (!runtime)
		return usage_error(err);
	fprintf(stderr, "ecmptrace: %s\n", err);
	return 1;
}

/* Two targets that are one (same address, protocol and port) would share flows.  0 or 2. */
static int refuse_duplicates(const struct fleet *f, const struct options *o)
{
	char err[1200], a[400], b[400], addr[ADDR_STRLEN];

	for (int i = 1; i < f->n; i++)
		for (int j = 0; j < i; j++) {
			const struct engine_config *x = &f->t[i].cfg, *y = &f->t[j].cfg;

			if (x->proto != y->proto || x->dport != y->dport ||
			    !addr_equal(&x->dst, &y->dst))
				continue;
			snprintf(err, sizeof(err), "%s and %s are the same target (%s, %s%s%.0u)",
				 say_target(&f->t[j], o, a, sizeof(a)),
				 say_target(&f->t[i], o, b, sizeof(b)),
				 addr_format(&x->dst, addr, sizeof(addr)),
				 target_proto_name(x->proto), x->proto == PROBE_ICMP ? "" : " port ",
				 (unsigned)x->dport);
			return usage_error(err);
		}
	return 0;
}

/* Turns the options and target i of n (resolved) into its engine's configuration. */
static bool configure(const struct options *o, const struct target_spec *spec, int i, int n,
		      struct target_run *t, char *err, size_t errlen)
{
	struct engine_config *c = &t->cfg;
	uint32_t rnd = random_u32();

	engine_config_defaults(c);
	c->proto = spec->proto;
	c->dst = t->dst;
	/* ICMP has no port; the engine keeps traceroute's for it as it always did. */
	c->dport = spec->port ? spec->port : 33434;
	c->nflows = o->nflows;
	/* Without --flows, branch discovery decides how many flows (up to max_flows). */
	c->adaptive = !o->flows_fixed;
	c->confidence = o->confidence;
	c->sport_base = o->sport_base ? o->sport_base
		      : targets_sport_base(i, n, c->adaptive ? c->max_flows : o->nflows, rnd);
	c->vary = o->vary ? o->vary
		: t->dst.family == AF_INET6 ? VARY_SPORT | VARY_LABEL : VARY_SPORT;
	if ((c->vary & VARY_LABEL) && t->dst.family != AF_INET6) {
		snprintf(err, errlen, "--vary label needs an IPv6 target");
		return false;
	}
	c->label_base = 1 + (rnd >> 12) % 0xff000;
	c->first_ttl = (uint8_t)o->first_ttl;
	c->max_ttl = (uint8_t)o->max_ttl;
	c->tos = (uint8_t)o->tos;
	c->max_unknown = o->max_unknown;
	c->interval_us = o->interval_us;
	c->timeout_us = o->timeout_us;
	c->answer_delay_us = CAPTURE_BATCH_MS * 1000;
	c->rate_pps = targets_rate_share(o->rate_pps, n);
	c->payload_len = spec->proto == PROBE_TCP ? 0 : 12;
	/*
	 * Path MTU per path: cheap by default (within 8 bytes), UDP, TCP (a
	 * SYN with data on the flow's ports) and ICMP (an echo request; a
	 * size its reply may have met on the way back is said, engine/pmtu.h).
	 */
	c->pmtu_step = o->pmtu_full ? 1 : 8;
	if (o->psize && spec->proto != PROBE_TCP) {
		/* -s counts the whole datagram, as mtr's does: IP and UDP/ICMP headers too. */
		int headers = (t->dst.family == AF_INET6 ? 40 : 20) + 8;

		if (o->psize - headers < PROBE_MIN_PAYLOAD) {
			snprintf(err, errlen, "probe size %d is too small for %s (at least %d)",
				 o->psize, t->dst.family == AF_INET6 ? "IPv6" : "IPv4",
				 headers + PROBE_MIN_PAYLOAD);
			return false;
		}
		c->payload_len = (uint16_t)(o->psize - headers);
	}
	c->seed = random_u32();
	if (!random_key(c->key, sizeof(c->key))) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return false;
	}
	return true;
}

int fleet_plan(struct fleet *f, const struct options *o)
{
	char err[512];
	int rc;

	*f = (struct fleet){0};
	rc = gather(&f->list, o);
	if (rc != 0)
		return rc;
	if (targets_rate_share(o->rate_pps, f->list.count) == 0) {
		snprintf(err, sizeof(err), "--rate %u cannot give each of %d targets a probe a "
			 "second: give --rate %d or more", (unsigned)o->rate_pps, f->list.count,
			 f->list.count);
		return usage_error(err);
	}
	f->t = calloc((size_t)f->list.count, sizeof(*f->t));
	if (f->t == NULL)
		return usage_error("out of memory");
	f->n = f->list.count;
	for (int i = 0; i < f->n; i++) {
		f->t[i].name = f->list.v[i].host;
		f->t[i].line = f->list.v[i].line;
	}
	rc = resolve_all(f, o);
	if (rc != 0)
		return rc;
	for (int i = 0; i < f->n; i++)
		if (!configure(o, &f->list.v[i], i, f->n, &f->t[i], err, sizeof(err)))
			return usage_error(err);
	return refuse_duplicates(f, o);
}

void fleet_free(struct fleet *f)
{
	free(f->t);
	targets_free(&f->list);
	*f = (struct fleet){0};
}
