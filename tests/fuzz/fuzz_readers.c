/* fuzz_readers.c: libFuzzer target for the readers of other tools' logs
 * (read_csv.c, read_hf.c, read_lf.c, read_lfs.c, read_wbhist.c) and the
 * format table.
 *
 * The first byte picks the reader: 0 the format table (sniffing, as for a
 * file), 1 the CSV reader, 2 the Hugging Face reader, each fed directly;
 * the second picks where the rest is split in two.  Checked: no crash, leak
 * or undefined behaviour (ASan/UBSan), and the result (rows, counters, the
 * exact error) is the same whether the input arrives whole, in the two
 * chunks, or (for short inputs) one byte at a time.  run_finish() runs on
 * every result.
 *
 *   ./configure --enable-fuzzing CC=clang
 *   make tests/fuzz/fuzz_readers
 *   mkdir -p /tmp/readers-corpus
 *   tests/fuzz/fuzz_readers -max_len=4096 -max_total_time=600 \
 *       -dict=$top_srcdir/tests/fuzz/readers.dict \
 *       /tmp/readers-corpus $top_srcdir/tests/fuzz/corpus/readers */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "reader.h"
#include "util.h"

#include "parse_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads DATA with reader WHICH, fed in pieces of at most PIECE bytes, the
 * first FIRST bytes long; returns parse_dump(). */
static char *read_pieces(int which, const uint8_t *data, size_t size, size_t first, size_t piece)
{
	const struct reader_format *fmt = which == 1 ? &read_csv_format : &read_hf_format;
	struct run *r = run_new("fuzz");
	struct reader *rd = which == 0 ? reader_new(r) : NULL;
	void *st = which == 0 ? NULL : fmt->open(r);
	char *cause = NULL, *d;
	size_t pos = 0, n = first;
	int rc = 0;

	do {
		if (n > size - pos)
			n = size - pos;
		rc = rd ? reader_feed(rd, data + pos, n, &cause) : fmt->feed(st, data + pos, n, &cause);
		pos += n;
		n = piece;
	} while (pos < size && rc == 0);
	if (rc == 0)
		rc = rd ? reader_finish(rd, &cause) : fmt->finish(st, &cause);
	if (rd)
		reader_free(rd);
	else
		fmt->close(st);
	d = parse_dump(r, rc, cause);
	run_finish(r);
	run_free(r);
	free(cause);
	return d;
}

/* One fuzz input: whole, split in two, and byte by byte. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;

	int which = data[0] % 3;
	size_t split;
	char *whole, *two;

	data++;
	size--;
	split = data[0] % size;
	data++;
	size--;
	whole = read_pieces(which, data, size, size, size);
	two = read_pieces(which, data, size, split, size);
	if (strcmp(whole, two) != 0) {
		fprintf(stderr, "split at %zu differs:\n--- whole\n%s--- split\n%s", split, whole, two);
		abort();
	}
	if (size <= 256) {
		char *bytes = read_pieces(which, data, size, 1, 1);

		if (strcmp(whole, bytes) != 0) {
			fprintf(stderr, "byte by byte differs:\n--- whole\n%s--- bytes\n%s", whole, bytes);
			abort();
		}
		free(bytes);
	}
	free(whole);
	free(two);
	return 0;
}
