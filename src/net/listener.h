/*
 * The exporter's listening TCP socket (--listen), opened before the
 * privileges are dropped (a port below 1024 needs them; the seccomp
 * filter allows no new listening socket), then handed to the HTTP server
 * of the exporter face, which only accepts on it.
 */
#ifndef ECMPTRACE_NET_LISTENER_H
#define ECMPTRACE_NET_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A non-blocking TCP socket listening on addr (numeric IPv4 or IPv6) and
 * port; -1 with a message naming the address and the reason in err.
 */
int listener_open(const char *addr, uint16_t port, char *err, size_t errlen);

#endif
