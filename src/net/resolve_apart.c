/*
 * Target names resolved in a process of their own with no privilege
 * (resolve_apart.h).  Resolving a name parses what a name server sent:
 * outside bytes, which the privileged part of the program must never
 * read (OpenBSD's rule: open what needs privilege, drop it, then parse).
 * The targets must be known before the raw sockets and the capture are
 * opened (their family, the capture's filter), so the privileged process
 * forks a child that drops everything (privdrop.h), resolves, and writes
 * fixed-size records into a pipe; the parent checks each before use.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/privdrop.h"
#include "net/resolve.h"
#include "net/resolve_apart.h"

/* Writes all of len bytes; false when the pipe is gone. */
static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads exactly len bytes; false at an early end or an error. */
static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* The child: drop every privilege, resolve each host, one record each. */
static _Noreturn void resolve_child(int fd, const char *const *hosts, int n, int family)
{
	char err[sizeof(((struct resolved_target *)0)->err)];

	if (!privdrop_all(err, sizeof(err)))
		_exit(2);
	for (int i = 0; i < n; i++) {
		struct resolved_target r;

		memset(&r, 0, sizeof(r));
		r.ok = resolve_target_status(hosts[i], family, &r.addr, &r.runtime, r.err,
					     sizeof(r.err));
		if (!write_all(fd, &r, sizeof(r)))
			_exit(1);
	}
	_exit(0);
}

/* A record from the child is only believed when it is one it could have written. */
static bool record_sane(struct resolved_target *r, int family)
{
	r->err[sizeof(r->err) - 1] = '\0';
	if (!r->ok)
		return r->err[0] != '\0';
	if (r->addr.family != AF_INET && r->addr.family != AF_INET6)
		return false;
	return family == 0 || r->addr.family == family;
}

/* Reads n records; false (and err) when the child ended early or wrote nonsense. */
static bool read_records(int fd, struct resolved_target *out, int n, int family, char *err,
			 size_t errlen)
{
	for (int i = 0; i < n; i++) {
		if (!read_all(fd, &out[i], sizeof(out[i]))) {
			snprintf(err, errlen, "the name resolution process ended early");
			return false;
		}
		if (!record_sane(&out[i], family)) {
			snprintf(err, errlen, "the name resolution process answered nonsense");
			return false;
		}
	}
	return true;
}

bool resolve_apart(const char *const *hosts, int n, int family, struct resolved_target *out,
		   char *err, size_t errlen)
{
	int fds[2], status = 0;
	bool ok;
	pid_t pid;

	if (pipe(fds) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		close(fds[0]);
		resolve_child(fds[1], hosts, n, family);
	}
	close(fds[1]);
	ok = read_records(fds[0], out, n, family, err, errlen);
	close(fds[0]);
	if (!ok)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		snprintf(err, errlen, "the name resolution process failed (status %d)", status);
		ok = false;
	}
	if (!ok && WIFEXITED(status) && WEXITSTATUS(status) == 2)
		snprintf(err, errlen, "the name resolution process could not drop its privileges");
	return ok;
}
