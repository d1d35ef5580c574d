/* fuzz_wandb.c: libFuzzer target for the W&B run-file reader
 * (read_wandb.c) and the protobuf walker (pb.c).
 *
 * Input: byte 0 picks the mode and where the bytes are split in two
 * chunks.  Mode "raw" (bit 0 clear) feeds the W&B header then the rest;
 * mode "framed" (bit 0 set) cuts the rest into chunks (a length byte, a
 * type byte, then that many bytes) written with valid zlib CRC-32s, so
 * that the fuzzer reaches record assembly and the protobuf walk without
 * having to forge checksums.  Checked: no crash, leak or undefined
 * behaviour, and the same result (rows, counters, name, parameters (the
 * config), or the exact error) whether the file arrives whole, in two
 * chunks or (short files) byte by byte.
 *
 *   ./configure --enable-fuzzing CC=clang \
 *       CFLAGS='-g -O1 -fsanitize=fuzzer-no-link,address,undefined'
 *   make tests/fuzz/fuzz_wandb
 *   tests/fuzz/fuzz_wandb -max_len=4096 -max_total_time=600 \
 *       /tmp/wb-corpus $top_srcdir/tests/fuzz/corpus/wandb */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "reader.h"
#include "run.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The W&B header, then the chunks of DATA[0..SIZE) (length byte, type
 * byte, bytes) with valid CRCs. */
static uint8_t *frame(const uint8_t *data, size_t size, size_t *out_len)
{
	uint8_t *out = xmalloc(7 + size * 5 + 16);
	size_t n = 0, pos = 0;
	memcpy(out, ":W&B\xe1\xbe", 7); /* with the string's NUL: version 0 */
	n = 7;
	while (pos + 2 <= size) {
		size_t len = data[pos];
		uint8_t type = (uint8_t)(data[pos + 1] % 5); /* 0 tests padding */
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		uLong c = crc32(crc32(0L, &type, 1), data + pos, (uInt)len);
		for (int i = 0; i < 4; i++)
			out[n + (size_t)i] = (uint8_t)(c >> (8 * i));
		out[n + 4] = (uint8_t)len;
		out[n + 5] = 0;
		out[n + 6] = type;
		memcpy(out + n + 7, data + pos, len);
		n += 7 + len;
		pos += len;
	}
	*out_len = n;
	return out;
}

/* The run's rows, columns and counters, or the error, as text. */
static char *dump(struct run *r, int rc, const char *cause)
{
	struct buf b = { 0 };
	buf_printf(&b, "rc %d %s\n", rc, rc ? cause : "");
	buf_printf(&b, "rows %zu cols %zu bad %zu trunc %zu nonfinite %zu ignored %zu nostep %zu\n",
		   r->nrows, r->ncols, r->bad_records, r->truncated, r->nonfinite, r->ignored_fields,
		   r->skipped_nostep);
	buf_printf(&b, "name %s id %s\n", r->name ? r->name : "-", r->id ? r->id : "-");
	for (size_t c = 0; c < r->ncols; c++)
		buf_printf(&b, "col %s\n", r->names[c]);
	for (size_t k = 0; k < r->nparams; k++)
		buf_printf(&b, "param %s = %s\n", r->param_keys[k], r->param_values[k]);
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t c = 0; c < r->ncols; c++)
			buf_printf(&b, " %.17g", r->cols[c][i]);
		buf_puts(&b, "\n");
	}
	return b.data;
}

/* Reads FILE[0..N) in pieces (the first FIRST bytes, then PIECE at a
 * time); returns dump(). */
static char *read_pieces(const uint8_t *file, size_t n, size_t first, size_t piece)
{
	struct run *r = run_new("fuzz");
	const struct reader_format *f = &wandb_format;
	void *st = f->open(r);
	char *cause = NULL;
	size_t pos = 0, k = first;
	int rc = 0;
	do {
		if (k > n - pos)
			k = n - pos;
		rc = f->feed(st, file + pos, k, &cause);
		pos += k;
		k = piece;
	} while (pos < n && rc == 0);
	if (rc == 0)
		rc = f->finish(st, &cause);
	f->close(st);
	char *d = dump(r, rc, cause);
	run_finish(r);
	run_free(r);
	free(cause);
	return d;
}

/* One input: see the top of the file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	bool framed = data[0] & 1;
	size_t n;
	uint8_t *file;
	if (framed) {
		file = frame(data + 1, size - 1, &n);
	} else {
		n = size - 1 + 7;
		file = xmalloc(n);
		memcpy(file, ":W&B\xe1\xbe", 7);
		memcpy(file + 7, data + 1, size - 1);
	}
	size_t split = n ? (size_t)(data[0] >> 1) * 7 % (n + 1) : 0;
	char *whole = read_pieces(file, n, n, n);
	char *two = read_pieces(file, n, split, n);
	if (strcmp(whole, two) != 0) {
		fprintf(stderr, "split at %zu differs:\n--- whole\n%s--- split\n%s", split, whole, two);
		abort();
	}
	if (n <= 512) {
		char *bytes = read_pieces(file, n, 1, 1);
		if (strcmp(whole, bytes) != 0) {
			fprintf(stderr, "byte by byte differs:\n--- whole\n%s--- bytes\n%s", whole, bytes);
			abort();
		}
		free(bytes);
	}
	/* Through the sniffing reader too: never a crash, whatever it picks. */
	struct run *r = run_new("fuzz");
	struct reader *rd = reader_new(r);
	char *cause = NULL;
	if (reader_feed(rd, file, n, &cause) == 0)
		(void)reader_finish(rd, &cause);
	reader_free(rd);
	run_free(r);
	free(cause);
	free(whole);
	free(two);
	free(file);
	return 0;
}
