/* summary.h: per-job final/best metrics and the platform's recommendation,
 * computed on the full data, written as text, markdown, csv or json.
 *
 * Columns of the csv header and keys of each json object, in this order
 * (json: an array with one object per job; numbers are JSON numbers,
 * missing values null; csv: missing values are empty fields):
 *
 *   label                  legend label (sanitized text)
 *   id                     job_id from the body, or null/empty
 *   rows                   number of rows (logged steps) after merging
 *   last_step              step of the last row
 *   final_train_loss       last logged (finite) training loss
 *   final_eval_loss        last logged (finite) eval loss
 *   best_eval_loss         lowest eval loss
 *   best_eval_step         step of the lowest eval loss (first one on ties)
 *   gap                    best_eval_loss - final_train_loss, rounded
 *                          to 12 significant digits
 *   overfitting            true when gap > 0.1; null/empty when gap unknown
 *   final_learning_rate    last logged learning rate
 *   max_grad_norm          largest logged gradient norm
 *   mean_tokens_per_second mean of the logged tokens_per_second
 *   wall_seconds           last minus first logged timestamp, in seconds
 *   epochs                 last logged epoch
 *   score                  the platform's score (summary_score), from
 *                          best_eval_loss and gap
 *   recommended            true for the one recommended job, else false
 *
 * Numbers are the shortest text that reads back as the same double;
 * the computed ones (gap, mean_tokens_per_second, score) are first
 * rounded to 12 significant digits, which drops the arithmetic's noise (a
 * gap of 1.3659 - 1.334 is 0.0319, not 0.03189999999999982), and
 * wall_seconds to the microsecond.  The gap and the score are rounded so
 * when computed (summary_compute), and the flag and the score are decided
 * on that gap: 1.709 - 1.609 (0.10000000000000009) and 0.8724 - 0.7724
 * (0.09999999999999998) are both 0.1, neither flagged.
 *
 * csv follows RFC 4180: a header line, one record per job, CRLF line ends,
 * text fields quoted by text_csv_field.  text and markdown round numbers to
 * 4 significant digits, print wall time as "2h 13m" and "-" for missing
 * values, mark the recommended job with "*" and a flagged gap with "!", and
 * end with footnote lines that explain both marks. */
#ifndef TRCOMPARE_SUMMARY_H
#define TRCOMPARE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "spec.h"
#include "run.h"

#define SUMMARY_OVERFIT_GAP 0.1 /* gap above this is flagged */

struct summary_row {
	const struct run *run;  /* borrowed */
	const char *label;      /* borrowed legend label, or NULL */
	size_t rows;
	double last_step;       /* NaN when the run has no rows */
	double final_train_loss, final_eval_loss;
	double best_eval_loss, best_eval_step;
	double gap;             /* best_eval_loss - final_train_loss, rounded
	                           to 12 significant digits */
	bool overfitting;       /* gap > 0.1 (false when gap is NaN) */
	double final_lr, max_grad_norm;
	double mean_tokens_per_second;
	double wall_seconds;    /* last - first timestamp; NaN with fewer
	                           than two timestamps */
	double epochs;          /* last epoch */
	double score;           /* platform score of best_eval_loss and gap,
	                           rounded to 12 significant digits; NaN when
	                           no eval loss */
	bool recommended;
	/* Against a baseline job (summary_set_baseline): this job's value
	 * minus the baseline's, NaN when either is missing. */
	bool has_deltas;        /* the deltas below are set */
	bool is_baseline;       /* this row is the baseline */
	double d_final_eval_loss, d_best_eval_loss;
	double d_perplexity_pct; /* perplexity of the best eval loss relative to
	                            the baseline's, in percent: (exp(best) /
	                            exp(baseline's best) - 1) * 100 */
	double d_gap;
	double d_score;         /* in score points */
};

/* Rows for RUNS labelled LABELS (NULL, or NULL entries: the run's JOB
 * argument).
 * Every value is NaN when the run never logged that metric.  The score
 * takes the best eval loss (the checkpoint one keeps) and the gap.  The
 * recommended run is the highest score among jobs with an eval loss, the
 * first in JOB order on ties (the platform restricts to completed jobs;
 * files carry no status, so every job counts); none when no job has an eval
 * loss.  ROWS has room for n. */
void summary_compute(struct run *const *runs, const char *const *labels, size_t n,
		     struct summary_row *rows);

/* Sets the deltas of every row against row BASE (< n): final and best
 * eval loss, perplexity (percent), gap and score.  summary_write then adds
 * them: text and markdown as a second table ("Deltas against the
 * baseline, LABEL" and what the signs mean) whose values carry their sign ("+0.0123", "-27.7%", "+5.1"
 * points; "-" missing), csv and json as six more columns after
 * recommended: baseline (true for the baseline's row), delta_final_eval_loss,
 * delta_best_eval_loss, delta_perplexity_pct, delta_gap, delta_score
 * (rounded to 12 significant digits like the other computed values). */
void summary_set_baseline(struct summary_row *rows, size_t n, size_t base);

/* The platform's score: 0.7*max(0, 100 - 50*eval_loss) + 0.3*overfit,
 * overfit 40 if gap < 0, 100 if < 0.05, 80 if < 0.1, 60 if < 0.2, else
 * 30, 50 when gap is unknown. NaN when eval_loss is not finite. */
double summary_score(double eval_loss, double gap);

/* Writes the table (nothing for SUMMARY_NONE).  A text table wider than
 * WIDTH characters (0: no limit; lines of the footnotes stay within 80)
 * is fitted, one step at a time while it is still too wide: ids cut to
 * 8 characters and "…"; the columns epoch, wall, tok/s, max grad, rows,
 * at step left out; labels cut to 23 characters and "…"; lr, last step,
 * id left out; labels cut to 15 and "…".  A last line names the
 * columns left out ("(left out to fit 80 columns: epoch, wall;
 * --width=0 shows all)", wrapped at WIDTH).  The job, train loss, eval
 * loss, best eval, gap and score columns always stay (about 66
 * characters wide).  Returns 0, or
 * -1 when the stream failed (ferror); the caller reports the error. */
int summary_write(const struct summary_row *rows, size_t n, enum summary_format fmt, int width,
		  FILE *out);

/* The text table's columns, for other emitters (the report's HTML table):
 * SUMMARY_NCOLS of them in the text table's order, column 0 the mark of
 * the recommended job ("*"), column 1 the job's label, 2 its id. */
#define SUMMARY_NCOLS 16
const char *summary_col_title(int c);

/* Cell C of ROW as the text table prints it, label and id sanitized but
 * not cut, "-" for missing values, the gap with " !" when flagged (and
 * with more than 4 significant digits when 4 would put it on the other
 * side of 0.1 or of a step of the score).  malloc'd. */
char *summary_cell(const struct summary_row *row, int c);

/* The number behind cell C of ROW, for sorting: NaN for the label and id
 * and for missing values; the mark is 1 for the recommended job. */
double summary_cell_value(const struct summary_row *row, int c);

/* The delta columns (rows with has_deltas), for other emitters: title,
 * the cell as the text table prints it (malloc'd) and the number. */
#define SUMMARY_NDELTAS 5
const char *summary_delta_title(int k);
char *summary_delta_cell(const struct summary_row *row, int k);
double summary_delta_value(const struct summary_row *row, int k);

#endif
