/* replay.c: runs a libFuzzer target on every file of the corpus
 * directories given as arguments, without libFuzzer, so that `make check`
 * replays the committed corpora in every build (normal, ASan+UBSan,
 * distcheck).  A target reports a violated property by aborting, which
 * fails the test.  Long fuzzing runs are done by hand (doc/fuzzing.md). */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Reads PATH whole into *DATA (malloc'd); returns its size, or -1. */
static long slurp(const char *path, uint8_t **data)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	size_t cap = 4096, n = 0, got;
	uint8_t *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	}
	int bad = ferror(fp) || !buf;
	fclose(fp);
	if (bad) {
		free(buf);
		return -1;
	}
	*data = buf;
	return (long)n;
}

/* Compares directory entry names, for a stable order. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	long total = 0;
	for (int a = 1; a < argc; a++) {
		struct dirent **names;
		int n = scandir(argv[a], &names, NULL, by_name);
		if (n < 0) {
			perror(argv[a]);
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (names[i]->d_name[0] != '.') {
				char path[4096];
				uint8_t *data = NULL;
				snprintf(path, sizeof path, "%s/%s", argv[a], names[i]->d_name);
				long size = slurp(path, &data);
				if (size < 0) {
					perror(path);
					return 1;
				}
				LLVMFuzzerTestOneInput(data, (size_t)size);
				free(data);
				total++;
			}
			free(names[i]);
		}
		free(names);
	}
	printf("replayed %ld inputs\n", total);
	return total > 0 ? 0 : 1;
}
