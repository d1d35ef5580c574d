/* pieces.h: the checks shared by the fuzz targets of the binary readers
 * (fuzz_tfevents.c, fuzz_wandb.c): a file read whole, in two chunks split at
 * a place the input picks, and (short files) byte by byte must give the same
 * rows, counters or exact error; then the sniffing reader gets it too (never a
 * crash, whatever it picks). */
#ifndef TRCOMPARE_FUZZ_PIECES_H
#define TRCOMPARE_FUZZ_PIECES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "run.h"
#include "util.h"

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

/* Reads FILE[0..N) with F in pieces (the first FIRST bytes, then PIECE at a
 * time); returns dump(). */
static char *read_pieces(const struct reader_format *f, const uint8_t *file, size_t n, size_t first,
			 size_t piece)
{
	struct run *r = run_new("fuzz");
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

/* Reads FILE[0..N) with F every way (see the top); SEED picks the split.
 * Aborts on a difference. */
static void pieces_check(const struct reader_format *f, const uint8_t *file, size_t n, uint8_t seed)
{
	size_t split = n ? (size_t)(seed >> 1) * 7 % (n + 1) : 0;
	char *whole = read_pieces(f, file, n, n, n);
	char *two = read_pieces(f, file, n, split, n);
	if (strcmp(whole, two) != 0) {
		fprintf(stderr, "split at %zu differs:\n--- whole\n%s--- split\n%s", split, whole, two);
		abort();
	}
	if (n <= 512) {
		char *bytes = read_pieces(f, file, n, 1, 1);
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
}

#endif
