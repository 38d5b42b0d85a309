/*
 * Per-flow steering for a host that balances over several next hops
 * itself.  A raw socket's route lookup sees no ports, so every probe would
 * leave by one next hop whatever its ports; each UDP or TCP probe is sent
 * from the source address and out of the interface the kernel would give
 * a connection with the same destination, protocol and ports (asked once
 * per flow over rtnetlink).
 */
#ifndef ECMPTRACE_NET_STEER_H
#define ECMPTRACE_NET_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#include "wire/probe.h"

struct net_steer;

/*
 * Steering for probes to a target of family; NULL with a message in err
 * when the kernel cannot say (no rtnetlink, or a multipath hash policy
 * whose answer to a route query differs from its choice for its own
 * connections).
 */
struct net_steer *steer_new(int family, bool by_gateway, char *err, size_t errlen);
void steer_free(struct net_steer *st);
/*
 * Sets the probe's source address to the one a connection on its ports
 * would have (a host with one address per uplink and no common source
 * picks it per flow); unchanged when the kernel does not say.  Before the
 * probe is built: the address is in its checksums.
 */
void steer_source(struct net_steer *st, struct probe_spec *p);
/*
 * oifs[i]: the interface specs[i] must leave by, 0 for the route's own
 * choice (also for a probe whose source is not its flow's).
 */
void steer_oifs(struct net_steer *st, const struct probe_spec *specs, int count, int *oifs);
/*
 * Next hops behind one interface (by_gateway, set at steer_new, which then
 * needs CAP_NET_RAW for its packet socket): the probe, built, goes as a
 * frame to its flow's next hop.  1 sent, -1 failed (errno set), 0 when it
 * cannot go that way (no next hop or its link-layer address unknown): the
 * raw socket then sends it.
 */
bool steer_by_gateway(const struct net_steer *st);
int steer_send_frame(struct net_steer *st, const struct probe_spec *p, const uint8_t *pkt,
		     size_t len);
/* The probe's send failed: its interface may be gone, so the kernel is asked afresh. */
void steer_forget(struct net_steer *st, const struct probe_spec *p);

#endif
