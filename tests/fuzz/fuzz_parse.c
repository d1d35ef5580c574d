/* fuzz_parse.c: libFuzzer target for the streaming metrics reader.
 *
 * The first byte picks where the rest of the input is split into two
 * chunks.  Checked: no crash, leak or undefined behaviour (ASan/UBSan),
 * and two properties: the result (rows, counters, id, message, or the
 * exact error message) is the same whether the input arrives whole, in the
 * two chunks, or (for short inputs) one byte at a time; and the same with
 * the fast path for flat rows off (json-c reading every row,
 * parser_set_fast).  run_finish() runs on every result.
 *
 *   ./configure --enable-fuzzing CC=clang \
 *       CFLAGS='-g -O1 -fsanitize=fuzzer-no-link,address,undefined'
 *   make tests/fuzz/fuzz_parse
 *   mkdir -p /tmp/parse-corpus
 *   tests/fuzz/fuzz_parse -max_len=4096 -max_total_time=600 \
 *       -dict=$top_srcdir/tests/fuzz/parse.dict \
 *       /tmp/parse-corpus $top_srcdir/tests/fuzz/corpus/parse
 *
 * The size, field and depth limits (and the switch from whole-object to
 * key-by-key reading) are out of reach of small inputs; a second build
 * directory with tiny limits fuzzes those paths:
 *   CFLAGS='... -DPARSE_MAX_VALUE=200 -DPARSE_MAX_FIELDS=6 \
 *       -DPARSE_MAX_DEPTH=5 -DTRIAL_MAX=64' */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

#include "parse_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses DATA fed in pieces of at most PIECE bytes, the first piece
 * FIRST bytes long, with the fast path when FAST; returns parse_dump(). */
static char *parse_pieces(const uint8_t *data, size_t size, size_t first, size_t piece, bool fast)
{
	struct run *r = run_new("fuzz");
	struct parser *p = parser_new(r);
	char *cause = NULL, *d;
	size_t pos = 0, n = first;
	int rc = 0;

	parser_set_fast(p, fast);
	/* The first piece may be empty: an empty push must change nothing. */
	do {
		if (n > size - pos)
			n = size - pos;
		rc = parser_feed(p, data + pos, n, &cause);
		pos += n;
		n = piece;
	} while (pos < size && rc == 0);
	if (rc == 0)
		rc = parser_finish(p, &cause);
	parser_free(p);
	d = parse_dump(r, rc, cause);
	run_finish(r);
	run_free(r);
	free(cause);
	return d;
}

/* One fuzz input: whole, split in two at the first byte, and byte by byte. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;

	size_t split = size > 1 ? data[0] % size : 0;
	char *whole, *two, *slow;

	data++;
	size--;
	whole = parse_pieces(data, size, size, size, true);
	two = parse_pieces(data, size, split, size, true);
	if (strcmp(whole, two) != 0) {
		fprintf(stderr, "split at %zu differs:\n--- whole\n%s--- split\n%s", split, whole, two);
		abort();
	}
	slow = parse_pieces(data, size, size, size, false);
	if (strcmp(whole, slow) != 0) {
		fprintf(stderr, "the fast path differs:\n--- fast\n%s--- json-c\n%s", whole, slow);
		abort();
	}
	free(slow);
	if (size <= 256) {
		char *bytes = parse_pieces(data, size, 1, 1, true);

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
