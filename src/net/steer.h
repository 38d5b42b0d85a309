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
#include "net/net.h"
#include "wire/probe.h"

struct net_steer;

/*
 * The packet socket frames are sent on (next hops behind one interface):
 * needs CAP_NET_RAW.  The descriptor, or -1 with errno.
 */
int steer_frame_socket(void);
/*
 * Steering for probes to a target of family; NULL with a message in err
 * when the kernel cannot say (no rtnetlink, or a multipath hash policy
 * whose answer to a route query differs from its choice for its own
 * connections).  frame_fd >= 0 (steer_frame_socket(), kept and closed by
 * the steering, or closed at once on failure): next hops share an
 * interface, so probes go as frames to their flow's next hop.
 */
struct net_steer *steer_new(int family, int frame_fd, char *err, size_t errlen);
void steer_free(struct net_steer *st);
/*
 * How the probe's flow leaves, as the kernel would route a connection on
 * its ports: sets the probe's source address (a host with one address per
 * uplink and no common source picks it per flow) and *route.  Before the
 * probe is built: the address is in its checksums.  now_us (the caller's
 * clock) says when a flow's answer is old enough to ask again.  Unchanged source and a
 * zero route when the kernel does not say, or for ICMP.
 */
void steer_route(struct net_steer *st, struct probe_spec *p, struct net_route *route,
		 uint64_t now_us);
/*
 * Sends a built probe as a frame to route's link-layer address (next hops
 * behind one interface: by_gateway at steer_new, whose packet socket
 * needs CAP_NET_RAW).  False when it failed (errno set).
 */
bool steer_send_frame(struct net_steer *st, const struct net_route *route, int family,
		      const uint8_t *pkt, size_t len);
/* The probe's send failed: its interface may be gone, so the kernel is asked afresh. */
void steer_forget(struct net_steer *st, const struct probe_spec *p);

#endif
