/*
 * Start-up of unprivileged mode (issue 14): when raw sockets are refused
 * (or --unprivileged), the probes go on ordinary sockets
 * (net/dgram_transport.h).  This part plans it: what is not available
 * without privilege, said once; the engine's configuration made to fit
 * (no link-layer check, as many flows as the descriptor limit allows
 * sockets for, the source address the kernel will use).
 */
#ifndef ECMPTRACE_UNPRIVILEGED_H
#define ECMPTRACE_UNPRIVILEGED_H

#include <stddef.h>

#include "addr.h"
#include "engine/engine.h"
#include "options.h"

/*
 * Fits c (configured for dst from o) to ordinary sockets; the notice to
 * print ("ecmptrace: ..." lines; argv0 in the setcap hint) in say.
 * Returns 0, or the exit status with a message in err: 2 when the
 * options cannot run without raw sockets, 1 when the target has no route.
 */
int unprivileged_plan(const struct options *o, const char *argv0, const struct ip_addr *dst,
		      struct engine_config *c, char *say, size_t saylen, char *err, size_t errlen);

/*
 * What a run of proto cannot do without privilege, as the JSON faces name
 * it (doc/ecmptrace.schema.json, "unavailable"); NULL-terminated.
 */
const char *const *unprivileged_unavailable(enum probe_proto proto);

#endif
