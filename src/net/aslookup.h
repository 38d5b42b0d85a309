/*
 * -z: the origin AS of each responder address, from DNS TXT records as mtr
 * asks them (origin.asn.cymru.com, origin6.asn.cymru.com; wire/asn.h).
 * Asked on the resolver's worker thread and cached per address (resolve.h),
 * never on the probing path; the faces see it as a namer (namer.h) whose
 * lookups answer the AS number as text.
 */
#ifndef ECMPTRACE_NET_ASLOOKUP_H
#define ECMPTRACE_NET_ASLOOKUP_H

#include "net/resolve.h"

/* A cache of origin AS numbers; NULL without memory. */
struct resolver *aslookup_new(void);

#endif
