/* path_format.h: the harness of the fuzz targets for formats read by path
 * (reader.h's list_runs and load_path: mlflow.db, W&B export CSV): the input
 * is written to a scratch file, which is listed and each run read, then read
 * as a whole and as FILE#x.  An error must always say why; the sanitizers
 * catch the rest (crashes, leaks, undefined behaviour). */
#ifndef TRCOMPARE_FUZZ_PATH_FORMAT_H
#define TRCOMPARE_FUZZ_PATH_FORMAT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"
#include "run.h"
#include "util.h"

/* Writes DATA to PATH. */
static void path_format_put(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
}

/* Reads run SEL (NULL: the whole file) of PATH with FMT and frees it. */
static void path_format_load(const struct reader_format *fmt, const char *path, const char *sel)
{
	struct run *run = run_new("fuzz");
	char *cause = NULL;
	if (fmt->load_path(run, path, sel, &cause) < 0 && !cause)
		abort(); /* an error always says why */
	free(cause);
	run_finish(run);
	run_free(run);
}

/* One fuzz input for FMT, its scratch file named after NAME. */
static int path_format_run(const struct reader_format *fmt, const char *name, const uint8_t *data,
			   size_t size)
{
	static char path[64];
	if (!*path)
		snprintf(path, sizeof path, "/tmp/fuzz-%s-%ld", name, (long)getpid());
	path_format_put(path, data, size);
	char **rels = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (fmt->list_runs(path, &rels, &n, &cause) < 0 && !cause)
		abort();
	free(cause);
	for (size_t i = 0; i < n; i++) {
		if (rels[i][0] != '#')
			abort();
		path_format_load(fmt, path, rels[i] + 1);
		free(rels[i]);
	}
	free(rels);
	path_format_load(fmt, path, NULL);
	path_format_load(fmt, path, "x");
	unlink(path);
	return 0;
}

#endif
