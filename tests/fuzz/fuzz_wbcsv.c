/* fuzz_wbcsv.c: libFuzzer target for the W&B export CSV reader
 * (read_wbcsv.c) through path_format.h (the input as a
 * file, listed, each run read, then the whole and FILE#x): the header's split into runs and keys, the values, the error
 * paths (no crash, leak or undefined behaviour; an error says why).
 *
 *   ./configure --enable-fuzzing CC=clang
 *   make tests/fuzz/fuzz_wbcsv
 *   tests/fuzz/fuzz_wbcsv -max_len=4096 -max_total_time=600 \
 *       /tmp/wbcsv-corpus $top_srcdir/tests/fuzz/corpus/wbcsv */
#include "config.h"

#include "path_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return path_format_run(&read_wbcsv_format, "wbcsv", data, size);
}
