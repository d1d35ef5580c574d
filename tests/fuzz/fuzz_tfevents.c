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

#include "pieces.h"

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
	pieces_check(&tfevents_format, file, n, data[0]);
	free(file);
	return 0;
}
