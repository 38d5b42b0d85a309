/*
 * Runs any libFuzzer target without libFuzzer (and without clang), so
 * `make check` exercises it, under the sanitizers when configured with
 * --enable-sanitizers.  Every file of a corpus directory is fed to
 * LLVMFuzzerTestOneInput, then a fixed number of deterministic mutations
 * of each (bit flips, byte and 16-bit overwrites with edge values,
 * truncation, growth, insertion, deletion, splicing with another seed),
 * each in a heap block of exactly its size so any over-read is caught.
 * Output is TAP: one line per seed file; a target that fails aborts.
 *
 *   fuzz_NAME_replay [CORPUS_DIR [MUTATIONS_PER_FILE]]
 *
 * CORPUS_DIR defaults to $FUZZ_CORPUS, else $top_srcdir/tests/fuzz/corpus/NAME,
 * NAME being the program name without "fuzz_" and "_replay" (so
 * fuzz_dissect_replay reads corpus/dissect).  MUTATIONS_PER_FILE defaults
 * to $FUZZ_MUTATIONS, else 10000.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../tap.h"
#include "fuzz.h"

/* Seeds larger than this are cut: fuzz inputs are small by design. */
#define MAX_SEED (1u << 20)
#define MAX_GROW 256
#define DEFAULT_MUTATIONS 10000

struct seed {
	char *name;
	uint8_t *data;
	size_t len;
};

/* xorshift64*: deterministic, so a failure reproduces with the same corpus. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* Feeds one input in a heap block of exactly its size (ASan then sees any over-read). */
static void run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (copy == NULL)
		abort();
	if (len)
		memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct seed *)a)->name, ((const struct seed *)b)->name);
}

/* Reads every regular, non-hidden file of dir, sorted by name; returns the count or -1. */
static int load_corpus(const char *dir, struct seed **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct seed *v = NULL;
	int n = 0, cap = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		FILE *f;
		struct seed s;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		s.len = (size_t)st.st_size < MAX_SEED ? (size_t)st.st_size : MAX_SEED;
		s.data = malloc(s.len ? s.len : 1);
		s.name = strdup(e->d_name);
		f = fopen(path, "rb");
		if (s.data == NULL || s.name == NULL || f == NULL)
			abort();
		s.len = fread(s.data, 1, s.len, f);
		fclose(f);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			v = realloc(v, (size_t)cap * sizeof(*v));
			if (v == NULL)
				abort();
		}
		v[n++] = s;
	}
	closedir(d);
	if (n > 0)
		qsort(v, (size_t)n, sizeof(*v), by_name);
	*out = v;
	return n;
}

/* Applies 1 to 8 random edits to buf (capacity cap); returns the new length. */
static size_t mutate(uint8_t *buf, size_t len, size_t cap, const struct seed *all, int nall,
		     uint64_t *rs)
{
	static const uint16_t edge16[] = { 0, 1, 0x7fff, 0x8000, 0xffff, 0x00ff, 0xff00 };
	static const uint8_t edge8[] = { 0, 1, 0x7f, 0x80, 0xff, 0x40, 0x45, 0x60 };
	int edits = 1 + (int)(next_rand(rs) % 8);

	for (int k = 0; k < edits; k++) {
		uint64_t r = next_rand(rs);
		size_t pos = len ? (size_t)(r >> 16) % len : 0;

		switch (r % 9) {
		case 0:		/* flip a bit */
			if (len)
				buf[pos] ^= (uint8_t)(1u << ((r >> 8) % 8));
			break;
		case 1:		/* random byte */
			if (len)
				buf[pos] = (uint8_t)(r >> 40);
			break;
		case 2:		/* edge byte */
			if (len)
				buf[pos] = edge8[(r >> 8) % sizeof(edge8)];
			break;
		case 3:		/* edge 16-bit value, or the input's own length +-1 (length fields) */
			if (len >= 2) {
				uint16_t v = edge16[(r >> 8) % 7];
				size_t p = pos < len - 1 ? pos : len - 2;

				if ((r >> 12) % 3 == 0)
					v = (uint16_t)(len + ((r >> 14) % 3) - 1);
				buf[p] = (uint8_t)(v >> 8);
				buf[p + 1] = (uint8_t)v;
			}
			break;
		case 4:		/* truncate */
			len = len ? (size_t)(r >> 20) % len : 0;
			break;
		case 5:		/* grow with random bytes */
			for (size_t g = 1 + (r >> 8) % 64; g > 0 && len < cap; g--)
				buf[len++] = (uint8_t)next_rand(rs);
			break;
		case 6:		/* insert one byte */
			if (len < cap) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = (uint8_t)(r >> 8);
				len++;
			}
			break;
		case 7:		/* delete a run */
			if (len) {
				size_t d = 1 + (size_t)(r >> 8) % 16;

				if (d > len - pos)
					d = len - pos;
				memmove(buf + pos, buf + pos + d, len - pos - d);
				len -= d;
			}
			break;
		default: {	/* splice: the tail of another seed over our tail */
			const struct seed *o = &all[(r >> 8) % (uint64_t)nall];
			size_t from = o->len ? (size_t)(r >> 24) % o->len : 0;
			size_t n = o->len - from;

			if (n > cap - pos)
				n = cap - pos;
			memcpy(buf + pos, o->data + from, n);
			if (pos + n > len)
				len = pos + n;
			break;
		}
		}
	}
	return len;
}

/* "fuzz_dissect_replay" (any directory, libtool "lt-" prefix) -> "dissect". */
static void target_name(const char *argv0, char *out, size_t cap)
{
	const char *base = strrchr(argv0, '/');
	size_t n;

	base = base ? base + 1 : argv0;
	if (strncmp(base, "lt-", 3) == 0)
		base += 3;
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	n = strlen(base);
	if (n > 7 && strcmp(base + n - 7, "_replay") == 0)
		n -= 7;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, base, n);
	out[n] = '\0';
}

int main(int argc, char **argv)
{
	char dir[4096], name[256];
	const char *env;
	struct seed *seeds = NULL;
	long mutations = DEFAULT_MUTATIONS;
	int n;
	uint64_t rs;

	target_name(argv[0], name, sizeof(name));
	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else if ((env = getenv("FUZZ_CORPUS")) != NULL && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
			 (env = getenv("top_srcdir")) != NULL && *env ? env : ".", name);
	env = argc > 2 ? argv[2] : getenv("FUZZ_MUTATIONS");
	if (env != NULL && *env) {
		char *end;

		errno = 0;
		mutations = strtol(env, &end, 10);
		if (errno || *end || mutations < 0 || mutations > 100000000) {
			fprintf(stderr, "%s: bad mutation count \"%s\"\n", argv[0], env);
			return 2;
		}
	}

	n = load_corpus(dir, &seeds);
	ok(n > 0, "corpus %s: %d seed files", dir, n);
	if (n <= 0)
		return tap_done();

	for (int i = 0; i < n; i++) {
		size_t cap = seeds[i].len * 2 + MAX_GROW;
		uint8_t *buf = malloc(cap);

		if (buf == NULL)
			abort();
		run_one(seeds[i].data, seeds[i].len);
		/* Seeded by the file name and position, so runs are repeatable. */
		rs = 0x9e3779b97f4a7c15ull ^ (uint64_t)i;
		for (const char *c = seeds[i].name; *c; c++)
			rs = (rs ^ (uint8_t)*c) * 0x100000001b3ull;
		rs |= 1;
		for (long m = 0; m < mutations; m++) {
			size_t len;

			memcpy(buf, seeds[i].data, seeds[i].len);
			len = mutate(buf, seeds[i].len, cap, seeds, n, &rs);
			run_one(buf, len);
		}
		free(buf);
		ok(1, "%s: seed and %ld mutations", seeds[i].name, mutations);
	}

	/* Plain random bytes of every small length, for targets without a useful corpus shape. */
	rs = 0x2545f4914f6cdd1dull;
	for (size_t len = 0; len < 512; len++) {
		uint8_t buf[512];

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)next_rand(&rs);
		run_one(buf, len);
	}
	ok(1, "512 random inputs of length 0..511");

	for (int i = 0; i < n; i++) {
		free(seeds[i].name);
		free(seeds[i].data);
	}
	free(seeds);
	return tap_done();
}
