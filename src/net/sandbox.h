/*
 * The seccomp filter installed once privileges are dropped: from then on
 * the process (every thread, the DNS worker included) may only make the
 * system calls the event loop, the faces, name lookups and the capture
 * need.  Anything else is a bug or an exploit, and ends the run loudly.
 */
#ifndef ECMPTRACE_NET_SANDBOX_H
#define ECMPTRACE_NET_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Sets no-new-privileges and installs the filter.  A forbidden call kills
 * the process by SIGSYS after one line on stderr naming the call's number
 * ("ecmptrace: forbidden system call 59"); clone3 fails with ENOSYS so
 * that threads are made with clone, whose flags the filter can see.
 * False with a message in err when the filter cannot be installed.
 */
bool sandbox_enter(char *err, size_t errlen);
/*
 * The same, and files may be created, written and renamed in the
 * directory open as dirfd (--textfile), and only there; -1: nowhere.
 */
bool sandbox_enter_writing(int dirfd, char *err, size_t errlen);

#endif
