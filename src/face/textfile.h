/*
 * --textfile PATH: the metrics written for node_exporter's textfile
 * collector, atomically: PATH.tmp in the same directory (the collector
 * reads only *.prom), flushed to disk, then renamed over PATH, so the
 * collector never reads half a file.  The directory is opened before the
 * privileges are dropped; the seccomp filter lets files be written only
 * relative to it (sandbox.h).
 */
#ifndef ECMPTRACE_FACE_TEXTFILE_H
#define ECMPTRACE_FACE_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

struct textfile;

/* Opens PATH's directory; NULL with a message in err. */
struct textfile *textfile_open(const char *path, char *err, size_t errlen);
/* The directory's descriptor, for the sandbox. */
int textfile_dir_fd(const struct textfile *t);
/* Replaces PATH's content with data; false with a message in err. */
bool textfile_write(struct textfile *t, const char *data, size_t len, char *err, size_t errlen);
void textfile_close(struct textfile *t);

#endif
