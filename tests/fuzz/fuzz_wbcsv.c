/* fuzz_wbcsv.c: libFuzzer target for the W&B export CSV reader
 * (read_wbcsv.c): the input is written to a file, which is listed
 * (list_runs) and each run read (load_path), then read as a whole and as
 * FILE#x: the header's split into runs and keys, the values, the error
 * paths (no crash, leak or undefined behaviour; an error says why).
 *
 *   ./configure --enable-fuzzing CC=clang
 *   make tests/fuzz/fuzz_wbcsv
 *   tests/fuzz/fuzz_wbcsv -max_len=4096 -max_total_time=600 \
 *       /tmp/wbcsv-corpus $top_srcdir/tests/fuzz/corpus/wbcsv */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"
#include "run.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

/* Writes DATA to the scratch file (made once per process). */
static void put(const uint8_t *data, size_t size)
{
	if (!*path) {
		snprintf(path, sizeof path, "/tmp/fuzz-wbcsv-%ld.db", (long)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
}

/* Reads one run SEL (NULL: the whole file) and frees it. */
static void load(const char *sel)
{
	struct run *run = run_new("fuzz");
	char *cause = NULL;
	if (read_wbcsv_format.load_path(run, path, sel, &cause) < 0 && !cause)
		abort(); /* an error always says why */
	free(cause);
	run_finish(run);
	run_free(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	put(data, size);
	char **rels = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (read_wbcsv_format.list_runs(path, &rels, &n, &cause) < 0 && !cause)
		abort();
	free(cause);
	for (size_t i = 0; i < n; i++) {
		if (rels[i][0] != '#')
			abort();
		load(rels[i] + 1);
		free(rels[i]);
	}
	free(rels);
	load(NULL);
	load("x");
	unlink(path);
	return 0;
}
