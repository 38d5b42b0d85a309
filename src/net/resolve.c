/*
 * Forward resolution of the target and a reverse-DNS cache for responders
 * (see resolve.h).  A target must be an address a host can hold: not
 * unspecified, multicast or broadcast, not a numeric shorthand ("1"), and
 * a link-local one only with its zone.  getnameinfo() blocks, so reverse lookups run on one
 * worker thread; the live view polls the cache and never waits.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/resolve.h"
#include "numparse.h"

/*
 * A literal with a zone, "fe80::1%eth0" (RFC 4007 section 11): the zone
 * names the interface (or is its index), and only a link-local address
 * needs one.  False + err when the text has a '%' but is not that.
 */
static bool parse_scoped(const char *host, struct ip_addr *out, char *err, size_t errlen)
{
	const char *pct = strchr(host, '%');
	char literal[INET6_ADDRSTRLEN];
	size_t n = (size_t)(pct - host);
	unsigned idx;

	if (n >= sizeof(literal)) {
		snprintf(err, errlen, "'%s' is not an address with a zone (ADDRESS%%INTERFACE)", host);
		return false;
	}
	memcpy(literal, host, n);
	literal[n] = '\0';
	if (!addr_parse(literal, out) || !addr_is_link_local(out)) {
		snprintf(err, errlen, "'%s': a zone (%%INTERFACE) belongs only to an IPv6 "
			 "link-local address (fe80::/10)", host);
		return false;
	}
	idx = if_nametoindex(pct + 1);
	if (idx == 0) {
		long long v;

		if (!parse_int(pct + 1, 1, UINT32_MAX, &v, NULL, 0) || if_indextoname((unsigned)v,
		    (char[IF_NAMESIZE]){0}) == NULL) {
			snprintf(err, errlen, "'%s': no interface '%s' on this host", host, pct + 1);
			return false;
		}
		idx = (unsigned)v;
	}
	out->scope = idx;
	return true;
}

/* A name or an address is resolved; whether it can be a target is judged here. */
static bool usable_target(const char *host, const struct ip_addr *a, char *err, size_t errlen)
{
	const char *problem = addr_target_problem(a);
	char text[ADDR_STRLEN];

	if (problem != NULL) {
		addr_format(a, text, sizeof(text));
		if (strcmp(text, host) == 0)
			snprintf(err, errlen, "'%s' is %s %s address: not a host to trace", host,
				 problem[0] == 'u' || problem[0] == 'I' ? "an" : "a", problem);
		else
			snprintf(err, errlen, "'%s' resolves to %s, %s %s address: not a host to "
				 "trace", host, text, problem[0] == 'u' || problem[0] == 'I' ?
				 "an" : "a", problem);
		return false;
	}
	if (addr_is_link_local(a) && a->scope == 0) {
		snprintf(err, errlen, "'%s' is link-local: name the interface, as in '%s%%eth0'",
			 host, host);
		return false;
	}
	return true;
}

/*
 * Whether a getaddrinfo failure says something about the name (it does
 * not exist, or has no address of the family asked: the user's mistake,
 * a usage error) or about this host's name service (a temporary failure,
 * a server that failed, no memory, a system error: a runtime failure,
 * which a retry may not repeat).
 */
static bool gai_is_runtime(int rc)
{
	return rc != EAI_NONAME && rc != EAI_NODATA && rc != EAI_ADDRFAMILY;
}

static bool resolve_any(const char *host, int family, struct ip_addr *out, bool *runtime,
			char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_family = AF_UNSPEC}, *res, *ai;
	int rc;

	if (addr_parse(host, out))
		return true;
	if (strchr(host, '%') != NULL)
		return parse_scoped(host, out, err, errlen);
	if (addr_is_numeric_shorthand(host)) {
		struct in_addr meant;
		char full[INET_ADDRSTRLEN] = "?";

		if (inet_aton(host, &meant) != 0)
			inet_ntop(AF_INET, &meant, full, sizeof(full));
		snprintf(err, errlen, "'%s' is not a full IPv4 address (it would mean %s): "
			 "write all four decimal parts, or a name", host, full);
		return false;
	}
	hints.ai_family = family ? family : AF_UNSPEC;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		*runtime = gai_is_runtime(rc);
		if (!*runtime)
			snprintf(err, errlen, "unknown host '%s'%s", host,
				 family == AF_INET ? " (no IPv4 address)" :
				 family == AF_INET6 ? " (no IPv6 address)" : "");
		else
			snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return false;
	}
	/* getaddrinfo already sorted by RFC 6724 preference: take the first usable one. */
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (addr_from_sockaddr(ai->ai_addr, out))
			break;
	freeaddrinfo(res);
	if (ai == NULL) {
		snprintf(err, errlen, "unknown host '%s'", host);
		return false;
	}
	return true;
}

bool resolve_target(const char *host, int family, struct ip_addr *out, char *err, size_t errlen)
{
	bool runtime;

	return resolve_target_status(host, family, out, &runtime, err, errlen);
}

bool resolve_target_status(const char *host, int family, struct ip_addr *out, bool *runtime,
			   char *err, size_t errlen)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	*runtime = false;
	if (!resolve_any(host, family, &a, runtime, err, errlen))
		return false;
	if (family != 0 && a.family != family) {
		snprintf(err, errlen, "address '%s' is not an IPv%d address", host,
			 family == AF_INET ? 4 : 6);
		return false;
	}
	if (!usable_target(host, &a, err, errlen))
		return false;
	*out = a;
	return true;
}

enum entry_state { ENTRY_PENDING, ENTRY_DONE };

/* How long resolver_free waits for its worker to end (it is idle unless a lookup is stuck). */
#define JOIN_WAIT_NS 100000000L

struct entry {
	struct ip_addr addr;
	enum entry_state state;
	char *name;		/* NULL when the address has no name */
};

struct resolver {
	resolver_fn fn;		/* what is asked about each address */
	pthread_mutex_t lock;
	pthread_cond_t work;	/* signalled when an entry is queued or on shutdown */
	pthread_cond_t done;	/* signalled when an entry is resolved */
	pthread_t thread;
	bool started, quit;
	struct entry *entries;
	size_t count, cap;
	size_t pending;
};

static struct entry *find(struct resolver *r, const struct ip_addr *a)
{
	for (size_t i = 0; i < r->count; i++)
		if (addr_equal(&r->entries[i].addr, a))
			return &r->entries[i];
	return NULL;
}

static void *worker(void *arg)
{
	struct resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->quit) {
		struct entry *todo = NULL;
		struct ip_addr addr;
		char host[NI_MAXHOST];
		bool known;

		for (size_t i = 0; i < r->count && todo == NULL; i++)
			if (r->entries[i].state == ENTRY_PENDING)
				todo = &r->entries[i];
		if (todo == NULL) {
			pthread_cond_wait(&r->work, &r->lock);
			continue;
		}
		addr = todo->addr;
		pthread_mutex_unlock(&r->lock);
		known = r->fn(&addr, host, sizeof(host));
		pthread_mutex_lock(&r->lock);
		/* The array may have moved while unlocked: look the entry up again. */
		todo = find(r, &addr);
		if (todo != NULL && todo->state == ENTRY_PENDING) {
			todo->state = ENTRY_DONE;
			todo->name = known ? strdup(host) : NULL;
			r->pending--;
			pthread_cond_broadcast(&r->done);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* The reverse-DNS name of a (getnameinfo blocks: the worker's job). */
static bool reverse_name(const struct ip_addr *a, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(a, 0, &ss);

	return getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)len, NULL, 0,
			   NI_NAMEREQD) == 0;
}

struct resolver *resolver_new(void)
{
	return resolver_new_with(reverse_name);
}

struct resolver *resolver_new_with(resolver_fn fn)
{
	struct resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fn = fn;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->done, NULL);
	return r;
}

void resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	if (r->started) {
		struct timespec until;

		pthread_mutex_lock(&r->lock);
		r->quit = true;
		pthread_cond_signal(&r->work);
		pthread_mutex_unlock(&r->lock);
		/*
		 * An idle worker ends at once and everything is freed.  One in a
		 * lookup may be stuck for the resolver's own timeout; do not hold
		 * up the exit for it: it keeps the cache.
		 */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += JOIN_WAIT_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(r->thread, NULL, &until) != 0) {
			pthread_detach(r->thread);
			return;
		}
	}
	for (size_t i = 0; i < r->count; i++)
		free(r->entries[i].name);
	free(r->entries);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->work);
	pthread_cond_destroy(&r->done);
	free(r);
}

const char *resolver_lookup(struct resolver *r, const struct ip_addr *a)
{
	struct entry *e;
	const char *name = NULL;

	if (r == NULL || !addr_is_set(a))
		return NULL;
	pthread_mutex_lock(&r->lock);
	e = find(r, a);
	if (e == NULL) {
		if (r->count == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 64;
			struct entry *grown = realloc(r->entries, cap * sizeof(*grown));

			if (grown == NULL)
				goto out;
			r->entries = grown;
			r->cap = cap;
		}
		r->entries[r->count++] = (struct entry){.addr = *a, .state = ENTRY_PENDING};
		r->pending++;
		if (!r->started && pthread_create(&r->thread, NULL, worker, r) == 0)
			r->started = true;
		pthread_cond_signal(&r->work);
	} else if (e->state == ENTRY_DONE) {
		/* Names are never freed while the resolver lives, so the pointer stays valid. */
		name = e->name;
	}
out:
	pthread_mutex_unlock(&r->lock);
	return name;
}

void resolver_wait(struct resolver *r, int timeout_ms)
{
	struct timespec until;

	if (r == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	while (r->pending > 0 && r->started)
		if (pthread_cond_timedwait(&r->done, &r->lock, &until) != 0)
			break;
	pthread_mutex_unlock(&r->lock);
}

static const char *namer_lookup(void *ctx, const struct ip_addr *a)
{
	return resolver_lookup(ctx, a);
}

static void namer_wait(void *ctx, int timeout_ms)
{
	resolver_wait(ctx, timeout_ms);
}

struct namer resolver_namer(struct resolver *r)
{
	return (struct namer){namer_lookup, namer_wait, r};
}
