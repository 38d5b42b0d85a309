/*
 * Commands an engineer can paste to reproduce what one flow sees with a
 * standard tool (the field case's `nc -p 30003 -w 5 -vz VIP 3306`).
 */
#ifndef ECMPTRACE_FACE_REPRODUCE_H
#define ECMPTRACE_FACE_REPRODUCE_H

#include <stddef.h>
#include <stdint.h>

struct results;

/* Writes the command for source port sport into buf; returns buf. */
const char *reproduce_command(const struct results *r, const char *host, uint16_t sport,
			      char *buf, size_t len);

#endif
