/*
 * Target names resolved by an unprivileged child process: the privileged
 * start-up must know its targets' addresses before it opens the raw
 * sockets and the capture, but must not itself parse a name server's
 * answers.
 */
#ifndef ECMPTRACE_NET_RESOLVE_APART_H
#define ECMPTRACE_NET_RESOLVE_APART_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

/* What resolve_target_status (resolve.h) said of one host. */
struct resolved_target {
	struct ip_addr addr;	/* when ok */
	bool ok;
	bool runtime;		/* a failure of the name service, not of the name */
	char err[400];		/* when not ok */
};

/*
 * Resolves the n hosts (family 0, AF_INET or AF_INET6) in a child that
 * first drops every privilege (privdrop.h): out[i] for hosts[i].  False
 * (and err) when that process could not run or did not finish, whatever
 * the names.  Call it before any thread starts (it forks).
 */
bool resolve_apart(const char *const *hosts, int n, int family, struct resolved_target *out,
		   char *err, size_t errlen);

#endif
