/* fuzz_quote.c: libFuzzer target for text_sanitize + text_gp_quote.
 *
 * Checks a property, not only "no crash": each input is sanitized as the
 * program does (TEXT_MAX_CHARS), quoted, placed in a script as a title,
 * axis label, label and key entry for the svg and canvas terminals and
 * printed back with `set print`; the real gnuplot runs it in a private
 * directory.  Any mismatch between the printed bytes and the sanitized
 * text, any file gnuplot was not told to write (a command ran), any
 * gnuplot error, an SVG that xmllint rejects or a canvas page whose inline
 * script a title could end makes the target abort() (quote_check.h).
 *
 * Build: ./configure --enable-fuzzing CC=clang && make tests/fuzz/fuzz_quote
 * Run:   see doc/fuzzing.md (about 30 executions per second: each one
 *        starts gnuplot and xmllint). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "quote_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Refuses to run without gnuplot and xmllint: every input would "fail". */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (system("command -v gnuplot >/dev/null 2>&1 && command -v xmllint >/dev/null 2>&1") != 0) {
		fprintf(stderr, "fuzz_quote: gnuplot and xmllint must be installed\n");
		exit(1);
	}
	return 0;
}

/* One input: the round trip must hold. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[QC_MSG_MAX];

	if (qc_roundtrip((const char *)data, size, TEXT_MAX_CHARS, 1, msg) != 0) {
		fprintf(stderr, "fuzz_quote: property violated: %s\n", msg);
		abort();
	}
	return 0;
}
