/*
 * The textfile writer (see textfile.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "face/textfile.h"

struct textfile {
	int dirfd;
	char *path;		/* as given, for messages */
	char *base;		/* the file's name in the directory */
	char *tmp;		/* base + ".tmp" */
};

struct textfile *textfile_open(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	struct textfile *t = calloc(1, sizeof(*t));
	char *dir = NULL;
	size_t n;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->dirfd = -1;
	t->path = strdup(path);
	t->base = strdup(slash ? slash + 1 : path);
	dir = slash == NULL ? strdup(".") : slash == path ? strdup("/")
					  : strndup(path, (size_t)(slash - path));
	n = t->base ? strlen(t->base) + 5 : 0;
	t->tmp = n ? malloc(n) : NULL;
	if (t->path == NULL || t->base == NULL || dir == NULL || t->tmp == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(t->tmp, n, "%s.tmp", t->base);
	if (t->base[0] == '\0' || strcmp(t->base, ".") == 0 || strcmp(t->base, "..") == 0) {
		snprintf(err, errlen, "--textfile %s: not a file name", path);
		goto fail;
	}
	t->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0) {
		snprintf(err, errlen, "--textfile %s: cannot open the directory %s: %s", path, dir,
			 strerror(errno));
		goto fail;
	}
	free(dir);
	return t;
fail:
	free(dir);
	textfile_close(t);
	return NULL;
}

int textfile_dir_fd(const struct textfile *t)
{
	return t->dirfd;
}

/* Writes all of data to fd, through short writes and signals. */
static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

bool textfile_write(struct textfile *t, const char *data, size_t len, char *err, size_t errlen)
{
	int fd = openat(t->dirfd, t->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "--textfile %s: cannot create %s: %s", t->path, t->tmp,
			 strerror(errno));
		return false;
	}
	/* On disk before the rename, or a crash could leave PATH empty. */
	ok = write_all(fd, data, len) && fsync(fd) == 0;
	if (!ok)
		snprintf(err, errlen, "--textfile %s: cannot write %s: %s", t->path, t->tmp,
			 strerror(errno ? errno : EIO));
	if (close(fd) != 0 && ok) {
		snprintf(err, errlen, "--textfile %s: cannot write %s: %s", t->path, t->tmp,
			 strerror(errno));
		ok = false;
	}
	if (ok && renameat(t->dirfd, t->tmp, t->dirfd, t->base) != 0) {
		snprintf(err, errlen, "--textfile %s: cannot rename %s over it: %s", t->path, t->tmp,
			 strerror(errno));
		ok = false;
	}
	return ok;
}

void textfile_close(struct textfile *t)
{
	if (t == NULL)
		return;
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->path);
	free(t->base);
	free(t->tmp);
	free(t);
}
