/* summary.h: per-job final/best metrics and the platform's recommendation,
 * computed on the full data, written as text, markdown, csv or json. */
#ifndef TRCOMPARE_SUMMARY_H
#define TRCOMPARE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"
#include "run.h"

struct summary_row {
	const struct run *run;  /* borrowed */
	size_t rows;
	double last_step;
	double final_train_loss, final_eval_loss;
	double best_eval_loss, best_eval_step;
	double gap;             /* best_eval_loss - final_train_loss */
	bool overfitting;       /* gap > 0.1 */
	double final_lr, max_grad_norm;
	double wall_seconds;    /* last - first timestamp */
	double epochs;          /* last epoch */
	double score;           /* platform score; NaN when no eval loss */
	bool recommended;
};

/* Rows for RUNS (labels set).  The recommended run is the highest score
 * among jobs with an eval loss (the platform restricts to completed jobs;
 * files carry no status, so every job counts). ROWS has room for n. */
void summary_compute(struct run *const *runs, size_t n, struct summary_row *rows);

/* The platform's score: 0.7*max(0, 100 - 50*eval_loss) + 0.3*overfit,
 * overfit 40 if gap < 0, 100 if < 0.05, 80 if < 0.1, 60 if < 0.2, else
 * 30, 50 when gap is unknown. NaN when eval_loss is not finite. */
double summary_score(double eval_loss, double gap);

/* Writes the table.  Returns 0, or -1 when the stream failed. */
int summary_write(const struct summary_row *rows, size_t n, enum summary_format fmt, FILE *out);

#endif
