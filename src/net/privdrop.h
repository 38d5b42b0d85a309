/*
 * Giving up privileges once the raw socket and the capture are open: the
 * rest of the program parses hostile bytes and must not be able to do
 * anything a nobody cannot.
 */
#ifndef ECMPTRACE_NET_PRIVDROP_H
#define ECMPTRACE_NET_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Root becomes nobody (uid/gid 65534, no groups) and the drop is verified;
 * any user loses every capability (file capabilities included), and the
 * bounding set is emptied where that is allowed (CAP_SETPCAP: as root).
 * No new privileges can be gained afterwards.  False with a message on
 * failure.  The seccomp filter (sandbox.h) comes next.
 */
bool privdrop_all(char *err, size_t errlen);

#endif
