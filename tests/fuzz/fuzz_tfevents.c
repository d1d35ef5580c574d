/* fuzz_tfevents.c: libFuzzer target for the TensorBoard event-file reader
 * (read_tfevents.c) and its protobuf walker (pb.c).
 *
 * Input: byte 0 picks the mode and where the bytes are split in two
 * chunks.  Mode "raw" (bit 0 clear) feeds the rest as an event file; mode
 * "framed" (bit 0 set) cuts the rest into payloads (a length byte, then
 * that many bytes) and frames each as a TFRecord with valid checksums, so
 * that the fuzzer reaches the protobuf walker without having to forge
 * CRC-32C.  Checked: no crash, leak or undefined behaviour, and the same
 * result (rows, counters, or the exact error) whether the file arrives
 * whole, in two chunks or (short files) byte by byte.
 *
 *   ./configure --enable-fuzzing CC=clang \
 *       CFLAGS='-g -O1 -fsanitize=fuzzer-no-link,address,undefined'
 *   make tests/fuzz/fuzz_tfevents
 *   tests/fuzz/fuzz_tfevents -max_len=4096 -max_total_time=600 \
 *       /tmp/tfe-corpus $top_srcdir/tests/fuzz/corpus/tfevents */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "run.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* CRC-32C bit by bit (independent of the reader's tables). */
static uint32_t crc32c_slow(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return c ^ 0xffffffffu;
}

/* TFRecord's mask of CRC-32C of P[0..N), stored little-endian at OUT. */
static void put_masked(uint8_t *out, const uint8_t *p, size_t n)
{
	uint32_t c = crc32c_slow(p, n);
	c = ((c >> 15) | (c << 17)) + 0xa282ead8u;
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(c >> (8 * i));
}

/* Frames the payloads of DATA[0..SIZE) (length byte + bytes) as records. */
static uint8_t *frame(const uint8_t *data, size_t size, size_t *out_len)
{
	uint8_t *out = xmalloc(size * 17 + 16);
	size_t n = 0, pos = 0;
	while (pos < size) {
		size_t len = data[pos++];
		if (len > size - pos)
			len = size - pos;
		for (int i = 0; i < 8; i++)
			out[n + i] = (uint8_t)((uint64_t)len >> (8 * i));
		put_masked(out + n + 8, out + n, 8);
		memcpy(out + n + 12, data + pos, len);
		put_masked(out + n + 12 + len, data + pos, len);
		n += 16 + len;
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
	buf_printf(&b, "rows %zu cols %zu bad %zu trunc %zu nonfinite %zu ignored %zu\n", r->nrows,
		   r->ncols, r->bad_records, r->truncated, r->nonfinite, r->ignored_fields);
	for (size_t c = 0; c < r->ncols; c++)
		buf_printf(&b, "col %s\n", r->names[c]);
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
	const struct reader_format *f = &tfevents_format;
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
		n = size - 1;
		file = xmalloc(n ? n : 1);
		memcpy(file, data + 1, n);
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
