/*
 * Start-up of unprivileged mode (issue 14): when raw sockets are refused
 * (or --unprivileged), the probes go on ordinary sockets
 * (net/dgram_transport.h; several targets: net/dgram_fleet.h).  This part
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
#include "transport.h"

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

/* The ordinary sockets of every target (after the privilege drop). */
struct unprivileged_net;
struct unprivileged_net *unprivileged_open(const struct fleet *f, char *err, size_t errlen);
struct transport *unprivileged_transport(struct unprivileged_net *un);
void unprivileged_close(struct unprivileged_net *un);

/*
 * What a run of proto cannot do without privilege, as the JSON faces name
 * it (doc/ecmptrace.schema.json, "unavailable"); NULL-terminated.
 */
const char *const *unprivileged_unavailable(enum probe_proto proto);

#endif
