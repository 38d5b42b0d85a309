/*
 * Tests of src/net/sandbox.c: a forbidden system call must end the process
 * loudly (one line on stderr naming the call, death by SIGSYS), and what
 * the run needs must still work.  Each case runs in a child that enters
 * the sandbox (no privilege needed: no-new-privileges allows a filter);
 * the parent reads its stderr and how it ended.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/sandbox.h"
#include "../tap.h"

/* How a child ended and what it said on stderr. */
struct outcome {
	int status;
	char err[512];
};

/* Runs fn in a sandboxed child; false when the child could not be run. */
static bool in_sandbox(void (*fn)(void), struct outcome *o)
{
	int pipefd[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	memset(o, 0, sizeof(*o));
	fflush(stdout);
	if (pipe(pipefd) != 0)
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		char err[256];

		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		if (!sandbox_enter(err, sizeof(err))) {
			fprintf(stderr, "sandbox_enter: %s\n", err);
			_exit(3);
		}
		fn();
		_exit(0);
	}
	close(pipefd[1]);
	while (got + 1 < sizeof(o->err) &&
	       (n = read(pipefd[0], o->err + got, sizeof(o->err) - 1 - got)) > 0)
		got += (size_t)n;
	close(pipefd[0]);
	/* One TAP line: the message's newline would end it. */
	while (got > 0 && o->err[got - 1] == '\n')
		o->err[--got] = '\0';
	return waitpid(pid, &o->status, 0) == pid;
}

static bool killed_by_sigsys(const struct outcome *o, long nr)
{
	char want[64];

	snprintf(want, sizeof(want), "ecmptrace: forbidden system call %ld:", nr);
	return WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGSYS && strstr(o->err, want) != NULL;
}

static void do_execve(void)
{
	char *argv[] = {"true", NULL}, *envp[] = {NULL};

	syscall(SYS_execve, "/bin/true", argv, envp);
	_exit(4);	/* reached only if execve was allowed and failed */
}

static void do_packet_socket(void)
{
	syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
	_exit(4);
}

static void do_write_open(void)
{
	syscall(SYS_openat, AT_FDCWD, "/tmp/ecmptrace-sandbox-test", O_WRONLY | O_CREAT, 0600);
	_exit(4);
}

#ifndef ECMPTRACE_SANITIZERS
static void do_fork(void)
{
	/* A new process (no CLONE_THREAD), as fork() makes it. */
	syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
	_exit(4);
}
#endif

static void *thread_main(void *arg)
{
	return arg;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * What a run does: sockets for DNS, files read-only, a thread, the status
 * file, and sorting a large array (glibc's qsort() then calls sysinfo(),
 * which killed a run of the diagnosis once).
 */
static void do_allowed(void)
{
	static int big[50000];
	char buf[4096];
	const char *p;
	pthread_t t;
	void *back = NULL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0)
		_exit(10);
	close(fd);
	for (int i = 0; i < 50000; i++)
		big[i] = (i * 7919) % 50000;
	qsort(big, 50000, sizeof(big[0]), int_cmp);
	if (big[0] != 0 || big[49999] != 49999)
		_exit(15);
	if (pthread_create(&t, NULL, thread_main, buf) != 0 || pthread_join(t, &back) != 0 ||
	    back != buf)
		_exit(11);
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(12);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		_exit(13);
	buf[n] = '\0';
	p = strstr(buf, "Seccomp:");
	if (p == NULL || strncmp(p, "Seccomp:\t2", 10) != 0 || strstr(buf, "NoNewPrivs:\t1") == NULL)
		_exit(14);
}

/* One case: run fn sandboxed, then judge it. */
static void expect_sigsys(void (*fn)(void), long nr, const char *what)
{
	struct outcome o;
	bool ran = in_sandbox(fn, &o);

	ok(ran && killed_by_sigsys(&o, nr), "%s: killed by SIGSYS, saying so (status 0x%x, stderr '%s')",
	   what, o.status, o.err);
}

int main(void)
{
	struct outcome o;
	bool ran = in_sandbox(do_allowed, &o);

	ok(ran && WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0,
	   "allowed: a UDP socket, a thread, a large qsort, reading /proc/self/status (Seccomp 2, "
	   "NoNewPrivs 1) "
	   "(status 0x%x, stderr '%s')", o.status, o.err);
	expect_sigsys(do_execve, SYS_execve, "execve");
	expect_sigsys(do_packet_socket, SYS_socket, "a packet socket");
	expect_sigsys(do_write_open, SYS_openat, "opening a file for writing");
#ifdef ECMPTRACE_SANITIZERS
	ok(1, "# SKIP a new process: the sanitizers' leak check needs one, so it is allowed");
#else
	expect_sigsys(do_fork, SYS_clone, "a new process (clone without CLONE_THREAD)");
#endif
	unlink("/tmp/ecmptrace-sandbox-test");
	return tap_done();
}
