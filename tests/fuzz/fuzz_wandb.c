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

#include "pieces.h"

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
	pieces_check(&wandb_format, file, n, data[0]);
	free(file);
	return 0;
}
