/* datafile.h: tidy multi-column data files (-d DIR) and --data on stdout.
 *
 * One row per logged step, one column per metric, NaN where not logged.  All
 * jobs share one column set (the union, canonical metrics first), so column
 * N means the same in every file.  A commented header names the job, its
 * label and colour, and the columns; the first non-comment line holds the
 * column names, each double-quoted ("step" "train_loss" …), so gnuplot
 * reads `using "step":"train_loss"` as well as `using 1:4`, and skips that
 * line with column numbers even when a name is a number. */
#ifndef TRCOMPARE_DATAFILE_H
#define TRCOMPARE_DATAFILE_H

#include <stddef.h>
#include <stdio.h>

#include "run.h"

/* The shared column set of RUNS (names borrowed from the runs). */
struct colset {
	const char **names;
	size_t n;
};
void colset_build(struct colset *cs, struct run *const *runs, size_t nruns);
void colset_free(struct colset *cs);
/* 1-based gnuplot column of NAME, or 0. */
int colset_index(const struct colset *cs, const char *name);

/* Writes one job's table.  LABEL is sanitized text; COLOR "#rrggbb". */
int datafile_write(FILE *out, const struct run *run, const char *label, const char *color,
		   const struct colset *cs);

#endif
