/* fuzz_mlflowdb.c: libFuzzer target for the mlflow.db reader
 * (read_mlflowdb.c) through path_format.h (the input as a
 * file, listed, each run read, then the whole and FILE#x).  SQLite
 * parses the file; what is checked here is our side: the queries, the
 * value checks, the ownership of what SQLite hands back, the error paths
 * (no crash, leak or undefined behaviour).
 *
 *   ./configure --enable-fuzzing CC=clang
 *   make tests/fuzz/fuzz_mlflowdb
 *   tests/fuzz/fuzz_mlflowdb -max_len=16384 -max_total_time=600 \
 *       /tmp/mdb-corpus $top_srcdir/tests/fuzz/corpus/mlflowdb */
#include "config.h"

#include "path_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return path_format_run(&mlflowdb_format, "mlflowdb", data, size);
}
