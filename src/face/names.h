/*
 * Responder names for the batch faces: ask the namer (namer.h) for every address
 * a snapshot shows, wait once, then label addresses as "name (address)".
 */
#ifndef ECMPTRACE_FACE_NAMES_H
#define ECMPTRACE_FACE_NAMES_H

#include <stddef.h>

#include "addr.h"

struct results;
struct namer;

/* Starts every lookup the snapshot needs and waits for them (bounded). */
void names_prefetch(const struct results *r, const struct namer *nm);
/* "name (address)", the address alone, or "*" when unset; returns buf. */
const char *names_label(const struct namer *nm, const struct ip_addr *a, char *buf, size_t len);

#endif
