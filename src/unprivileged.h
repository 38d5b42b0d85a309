/*
 * Start-up of unprivileged mode (issue 14): when raw sockets are refused
 * (or --unprivileged), the probes go on ordinary sockets
 * (net/dgram_transport.h, one per target, as one: net/dgram_fleet.h).  This part
 * plans it and opens them: what is not available
 * without privilege, said once; the engine's configuration made to fit
 * (no link-layer check, as many flows as the descriptor limit allows
 * sockets for, the source address the kernel will use).
 */
#ifndef ECMPTRACE_UNPRIVILEGED_H
#define ECMPTRACE_UNPRIVILEGED_H

#include <stddef.h>

#include "addr.h"
#include "engine/engine.h"
#include "fleet.h"
#include "options.h"
#include "net/dgram_fleet.h"

/*
 * Fits every target's configuration to ordinary sockets (no link-layer
 * check, as many flows as the descriptors shared among the targets allow
 * sockets for, the source address the kernel will use); what is not
 * available (argv0 in the setcap hint) in say, each protocol's once.
 * 0, or the exit status with a message in err: 2 when the options cannot
 * run without raw sockets (a source port given for all, -L, with several
 * targets: two ordinary sockets cannot hold one port), 1 when a target
 * has no route.
 */
int unprivileged_plan_all(const struct options *o, const char *argv0, struct fleet *f, char *say,
			  size_t saylen, char *err, size_t errlen);

/*
 * The ordinary sockets of every target (after the privilege drop), shown
 * to the loop as one transport (dgram_fleet_get; dgram_fleet_free).
 */
struct dgram_fleet *unprivileged_open(const struct fleet *f, char *err, size_t errlen);

/*
 * What a run of proto cannot do without privilege, as the JSON faces name
 * it (doc/ecmptrace.schema.json, "unavailable"); NULL-terminated.
 */
const char *const *unprivileged_unavailable(enum probe_proto proto);

#endif
