/*
 * The seccomp filter (see sandbox.h), built with libseccomp.  The list was
 * measured, not guessed: strace -f of every face (-j, -r, --json-stream,
 * the live view), UDP, TCP and ICMP, IPv4 and IPv6, with reverse DNS, on
 * lab topologies, counting the calls made after the privilege drop (see
 * tests/lab/t_sandbox.sh), plus what glibc does on paths a short run may
 * not take (realloc of a large block, a thread's exit, abort()).
 * Arguments are checked where that narrows a call a lot: sockets of the
 * families name lookups use, files opened read-only, terminal and
 * interface ioctls only, threads but no processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "net/sandbox.h"

/*
 * Allowed whatever their arguments: reading and writing what is open,
 * waiting, memory, signals, time, and the socket calls on descriptors the
 * process already holds (a new socket is checked below).
 */
static const char *const plain[] = {
	"read", "readv", "pread64", "write", "writev", "close", "lseek", "fcntl",
	"fstat", "newfstatat", "stat", "lstat", "statx", "access", "faccessat", "faccessat2",
	"poll", "ppoll", "select", "pselect6",
	/* Unprivileged mode's sockets, one per flow, in one epoll set (dgram_transport.c). */
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"timerfd_create", "timerfd_settime",
	"sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "connect",
	"getsockname", "getpeername", "getsockopt", "setsockopt", "bind", "shutdown",
	"mmap", "munmap", "mremap", "mprotect", "madvise", "brk",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"futex", "set_robust_list", "rseq", "sched_yield", "exit", "exit_group",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "getrandom",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "uname",
	/* glibc's qsort() asks for the memory size before sorting a large array. */
	"sysinfo",
	/*
	 * The exporter's HTTP server (libmicrohttpd, --listen): it accepts on
	 * the socket opened before the drop (no new listening socket can be
	 * made: "socket" is narrowed below and "listen" absent) and wakes its
	 * thread through an eventfd.  fsync: --textfile's file on disk before
	 * its rename.
	 */
	"accept4", "accept", "eventfd2", "fsync", "fdatasync",
};

/*
 * What the sanitizers' run-time needs on top (the build says whether it
 * has one): LeakSanitizer stops the world at exit with a tracer made by
 * clone() that ptrace()s every thread; the reports read /proc/self/maps.
 */
static const char *const sanitizer[] = {
	"clone", "ptrace", "wait4", "prctl", "sched_getaffinity", "readlink", "readlinkat",
	"getrlimit", "prlimit64", "mincore", "pipe", "pipe2", "dup", "dup2", "dup3", "kill",
	"tgkill", "tkill", "getdents", "getdents64", "getppid", "arch_prctl",
	"process_vm_readv",
};

/* The only ioctls: the live view's terminal and the link-layer check's interface names. */
static const unsigned long ioctls[] = {
	TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, FIONREAD,
	SIOCGIFNAME, SIOCGIFINDEX, SIOCGIFHWADDR, SIOCGIFFLAGS,
};

/* New sockets: name lookups (DNS, nscd), interface names, rtnetlink. */
static const int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

/* Says which call it was (async-signal-safe: no stdio), then dies by SIGSYS. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char head[] = "ecmptrace: forbidden system call ";
	static const char tail[] = ": stopped by the seccomp filter\n";
	char num[16];
	int n = si->si_syscall, at = (int)sizeof(num);
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	(void)uc;
	do {
		num[--at] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && at > 0);
	(void)!write(STDERR_FILENO, head, sizeof(head) - 1);
	(void)!write(STDERR_FILENO, num + at, sizeof(num) - (size_t)at);
	(void)!write(STDERR_FILENO, tail, sizeof(tail) - 1);
	/* Pending until the handler returns, then the default action: the process ends. */
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

/* Adds one rule by name; a call this architecture lacks is skipped. */
static int allow(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, args);
}

/* The calls allowed only with some arguments. */
static int add_narrow_rules(scmp_filter_ctx ctx, bool sanitizers)
{
	/* Read-only opens: /etc/hosts, resolv.conf, terminfo, NSS modules. */
	const struct scmp_arg_cmp ro_at = SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
						  O_RDONLY);
	const struct scmp_arg_cmp ro = SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC,
					       O_RDONLY);
	/* Threads (the DNS worker) but not processes. */
	const struct scmp_arg_cmp thread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
	/* abort() and raise() signal this process only. */
	const struct scmp_arg_cmp self = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid());
	const struct scmp_arg_cmp thread_name = SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME);
	const struct scmp_arg_cmp own_nice[2] = {SCMP_A0(SCMP_CMP_EQ, PRIO_PROCESS),
						 SCMP_A1(SCMP_CMP_EQ, 0)};
	int rc = allow(ctx, "openat", 1, &ro_at);

	rc = rc ? rc : allow(ctx, "open", 1, &ro);
	/* The sanitizers' tracer is a process, and may signal any thread: allowed whole above. */
	rc = rc || sanitizers ? rc : allow(ctx, "clone", 1, &thread);
	rc = rc || sanitizers ? rc : allow(ctx, "tgkill", 1, &self);
	/* The exporter's HTTP server names its thread (and nothing else of prctl). */
	rc = rc || sanitizers ? rc : allow(ctx, "prctl", 1, &thread_name);
	/* And lowers its own thread's priority (PRIO_PROCESS, 0: the calling thread). */
	rc = rc ? rc : allow(ctx, "setpriority", 2, own_nice);
	for (size_t i = 0; rc == 0 && i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		const struct scmp_arg_cmp req = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, ioctls[i]);

		rc = allow(ctx, "ioctl", 1, &req);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(families) / sizeof(families[0]); i++) {
		const struct scmp_arg_cmp fam = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]);

		rc = allow(ctx, "socket", 1, &fam);
	}
	/* glibc makes threads with clone3 and falls back to clone, whose flags can be seen. */
	return rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
}

/*
 * --textfile: new files and renames only relative to the directory
 * opened before the drop (the path's other calls are relative to dirfd,
 * whose number the filter compares).
 */
static int add_writing_rules(scmp_filter_ctx ctx, int dirfd)
{
	const struct scmp_arg_cmp in_dir = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dirfd);
	const struct scmp_arg_cmp both[2] = {SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dirfd),
					     SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)dirfd)};
	int rc;

	if (dirfd < 0)
		return 0;
	rc = allow(ctx, "openat", 1, &in_dir);
	rc = rc ? rc : allow(ctx, "renameat", 2, both);
	return rc ? rc : allow(ctx, "renameat2", 2, both);
}

bool sandbox_enter(char *err, size_t errlen)
{
	return sandbox_enter_writing(-1, err, errlen);
}

bool sandbox_enter_writing(int dirfd, char *err, size_t errlen)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	scmp_filter_ctx ctx;
	bool sanitizers = false;
	int rc = 0;

#ifdef ECMPTRACE_SANITIZERS
	sanitizers = true;
#endif
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "seccomp: %s", strerror(errno));
		return false;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp: cannot build the filter");
		return false;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(plain) / sizeof(plain[0]); i++)
		rc = allow(ctx, plain[i], 0, NULL);
	for (size_t i = 0; rc == 0 && sanitizers && i < sizeof(sanitizer) / sizeof(sanitizer[0]); i++)
		rc = allow(ctx, sanitizer[i], 0, NULL);
	if (rc == 0)
		rc = add_narrow_rules(ctx, sanitizers);
	if (rc == 0)
		rc = add_writing_rules(ctx, dirfd);
	/* Every thread gets it (there is none yet; the DNS worker is made later). */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: cannot install the filter: %s", strerror(-rc));
		return false;
	}
	return true;
}
