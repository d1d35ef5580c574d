/* test_summary.c: unit tests for summary.c: every field, the score's
 * branches, the recommendation, missing values and each output format's
 * exact text. */
#include <config.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"
#include "summary.h"
#include "util.h"

/* Fails unless A and B are within 1e-12 (relative for large values). */
#define assert_near(a, b) check_near((a), (b), #a, __FILE__, __LINE__)
/* Fails unless X is NaN. */
#define assert_nan(x) check_nan((x), #x, __FILE__, __LINE__)

/* A failure message at FILE:LINE (cmocka 1.1 has no fail_msg_at). */
static void fail_at(const char *file, int line, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Prints a formatted failure and fails at FILE:LINE. */
static void fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	print_error("%s\n", msg);
	_fail(file, line);
}

/* Compares two doubles with a message naming the expression. */
static void check_near(double a, double b, const char *expr, const char *file, int line)
{
	double tol = 1e-12 * fmax(1, fabs(b));
	if (!(fabs(a - b) <= tol))
		fail_at(file, line, "%s = %.17g, want %.17g", expr, a, b);
}

/* Checks that X is NaN, with a message naming the expression. */
static void check_nan(double x, const char *expr, const char *file, int line)
{
	if (!isnan(x))
		fail_at(file, line, "%s = %.17g, want NaN", expr, x);
}


/* Column names in the order the rows below give values. */
static const char *const cols[] = {
	COL_TRAIN_LOSS, COL_EVAL_LOSS, COL_LR, COL_GRAD_NORM,
	COL_TIME, COL_EPOCH, COL_TOKENS_PS,
};
#define NCOLS (sizeof cols / sizeof cols[0])
#define X NAN /* not logged */

/* One logged row: the step and one value per column in COLS. */
struct row_spec {
	double step;
	double v[NCOLS];
};

/* Builds a finished run from ROWS, with LABEL and ID (either may be NULL).
 * WITH_COLS limits the columns created to the first WITH_COLS of COLS. */
static struct run *make_run(const char *label, const char *id, const struct row_spec *rows,
			    size_t nrows, size_t with_cols)
{
	struct run *r = run_new(label ? label : "job.json");
	int idx[NCOLS];
	char *cause = NULL;

	if (id)
		r->id = xstrdup(id);
	for (size_t c = 0; c < with_cols; c++) {
		idx[c] = run_col(r, cols[c]);
		assert_true(idx[c] > 0);
	}
	for (size_t i = 0; i < nrows; i++) {
		assert_int_equal(run_add_row(r, rows[i].step, &cause), 0);
		for (size_t c = 0; c < with_cols; c++)
			if (!isnan(rows[i].v[c]))
				run_set(r, idx[c], rows[i].v[c]);
	}
	run_finish(r);
	return r;
}

/* Frees N runs. */
static void free_runs(struct run **runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_free(runs[i]);
}

/* Output of summary_write for ROWS in FMT, malloc'd. */
static char *render(const struct summary_row *rows, size_t n, enum summary_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	assert_int_equal(summary_write(rows, n, fmt, 0, fp), 0);
	assert_int_equal(fclose(fp), 0);
	return text;
}

/* Compares output with a golden string, showing both on failure. */
static void assert_output(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		/* print_error truncates long messages */
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
		fail();
	}
}

/* ------------------------------------------------------------------ */

/* Every branch of the platform's score, at and around each threshold. */
static void test_score_branches(void **state)
{
	(void)state;
	/* eval loss 1: 0.7*(100-50) = 35, plus 0.3*overfit */
	assert_near(summary_score(1, -0.01), 35 + 0.3 * 40);
	assert_near(summary_score(1, -1e-300), 35 + 0.3 * 40);
	assert_near(summary_score(1, 0), 35 + 0.3 * 100);
	assert_near(summary_score(1, 0.0499), 35 + 0.3 * 100);
	assert_near(summary_score(1, 0.05), 35 + 0.3 * 80);
	assert_near(summary_score(1, 0.0999), 35 + 0.3 * 80);
	assert_near(summary_score(1, 0.1), 35 + 0.3 * 60);
	assert_near(summary_score(1, 0.1999), 35 + 0.3 * 60);
	assert_near(summary_score(1, 0.2), 35 + 0.3 * 30);
	assert_near(summary_score(1, 5), 35 + 0.3 * 30);
	assert_near(summary_score(1, INFINITY), 35 + 0.3 * 50);
	/* unknown gap */
	assert_near(summary_score(1, NAN), 35 + 0.3 * 50);
	/* the loss term is clamped at 0 (eval loss above 2) */
	assert_near(summary_score(2, 0), 0.3 * 100);
	assert_near(summary_score(7.5, 0.3), 0.3 * 30);
	assert_near(summary_score(0, 0.01), 70 + 30);
	assert_near(summary_score(0.25, 0.07), 0.7 * 87.5 + 0.3 * 80);
	/* no eval loss: no score */
	assert_nan(summary_score(NAN, 0));
	assert_nan(summary_score(INFINITY, 0));
	assert_nan(summary_score(-INFINITY, 0));
}

/* Each field from a run that logged everything, sparsely. */
static void test_fields(void **state)
{
	(void)state;
	static const struct row_spec rows[] = {
		/*        train eval  lr     grad time  epoch tok/s */
		{0, {2.0, X, 0, 5.0, 1000, 0, 1000}},
		{10, {1.5, 1.6, 1e-4, 3.0, 1060, 0.5, 2000}},
		{20, {1.25, 1.375, 2e-4, X, X, 1.0, 3000}},
		{30, {X, 1.45, 1.5e-4, 7.5, 9000, 1.5, X}},
		{40, {X, 1.375, X, 2.0, X, X, X}}, /* tie with step 20 */
	};
	struct run *r = make_run("base", "5c1f", rows, ARRAY_SIZE(rows), NCOLS);
	struct summary_row s;

	summary_compute(&r, NULL, 1, &s);
	assert_ptr_equal(s.run, r);
	assert_int_equal(s.rows, 5);
	assert_near(s.last_step, 40);
	assert_near(s.final_train_loss, 1.25);  /* last finite */
	assert_near(s.final_eval_loss, 1.375);
	assert_near(s.best_eval_loss, 1.375);
	assert_near(s.best_eval_step, 20);      /* first of the tie */
	assert_near(s.gap, 0.125);
	assert_true(s.overfitting);
	assert_near(s.final_lr, 1.5e-4);
	assert_near(s.max_grad_norm, 7.5);
	assert_near(s.mean_tokens_per_second, 2000);
	assert_near(s.wall_seconds, 8000);      /* last - first finite */
	assert_near(s.epochs, 1.5);
	assert_near(s.score, 0.7 * (100 - 50 * 1.375) + 0.3 * 60);
	assert_true(s.recommended);             /* the only job with a score */
	run_free(r);
}

/* A clock that went back: wall time is latest - earliest, never negative. */
static void test_wall_backwards(void **state)
{
	(void)state;
	static const struct row_spec rows[] = {
		/*        train eval  lr     grad time  epoch tok/s */
		{0, {2.0, X, X, X, 5000, X, X}},
		{10, {1.5, X, X, X, 9000, X, X}},
		{20, {1.0, X, X, X, 1000, X, X}}, /* the clock was reset */
	};
	struct run *r = make_run("back", NULL, rows, ARRAY_SIZE(rows), NCOLS);
	struct summary_row s;

	summary_compute(&r, NULL, 1, &s);
	assert_near(s.wall_seconds, 8000);
	run_free(r);
}

/* The gap's sign and the overfitting flag's threshold (> 0.1, not >=). */
static void test_gap_flag(void **state)
{
	(void)state;
	static const struct row_spec under[] = {{1, {0.5, 0.5625}}}; /* 0.0625 */
	static const struct row_spec near[] = {{1, {0.5, 0.6}}};     /* ~0.1 */
	static const struct row_spec at[] = {{1, {0, 0.1}}};         /* 0.1 */
	static const struct row_spec neg[] = {{1, {1.0, 0.75}}};     /* -0.25 */
	struct run *runs[4] = {
		make_run("under", NULL, under, 1, 2),
		make_run("near", NULL, near, 1, 2),
		make_run("neg", NULL, neg, 1, 2),
		make_run("at", NULL, at, 1, 2),
	};
	struct summary_row s[4];

	summary_compute(runs, NULL, 4, s);
	assert_near(s[0].gap, 0.0625);
	assert_false(s[0].overfitting);
	assert_near(s[0].score, 0.7 * (100 - 50 * 0.5625) + 0.3 * 80);
	/* 0.6 - 0.5 is 0.09999999999999998 in binary: the gap is 0.1, not
	 * above 0.1 and not below it */
	assert_true(s[1].gap == 0.1);
	assert_false(s[1].overfitting);
	assert_near(s[1].score, 0.7 * (100 - 50 * 0.6) + 0.3 * 60);
	assert_near(s[2].gap, -0.25);
	assert_false(s[2].overfitting);
	assert_near(s[2].score, 0.7 * (100 - 50 * 0.75) + 0.3 * 40);
	/* exactly 0.1: not flagged, and the "< 0.2" branch of the score */
	assert_true(s[3].gap == 0.1);
	assert_false(s[3].overfitting);
	assert_near(s[3].score, 0.7 * (100 - 50 * 0.1) + 0.3 * 60);
	free_runs(runs, 4);
}

/* A gap of 0.1 decides the flag and the score as 0.1 on either side of
 * the subtraction's noise (1.709 - 1.609 is 0.10000000000000009, 0.8724 -
 * 0.7724 is 0.09999999999999998: the bundled MLflow and LLaMA-Factory
 * runs), and the cells show a gap near a threshold with the digits that
 * put it on its side. */
static void test_gap_noise(void **state)
{
	(void)state;
	static const struct row_spec above[] = {{1, {1.609, 1.709}}};
	static const struct row_spec below[] = {{1, {0.7724, 0.8724}}};
	static const struct row_spec flagged[] = {{1, {1.0, 1.10004}}};
	static const struct row_spec under02[] = {{1, {1.0, 1.19999}}};
	static const struct row_spec under005[] = {{1, {1.0, 1.049996}}};
	static const struct row_spec tiny[] = {{1, {1.0, 0.99999}}};
	struct run *tiny_run = make_run("tiny", NULL, tiny, 1, 2);
	struct summary_row t;
	summary_compute(&tiny_run, NULL, 1, &t);
	assert_true(1 - 0.99999 != 1e-05);
	assert_true(t.gap == -1e-05); /* the noise is below the operands' 12th digit */
	run_free(tiny_run);
	struct run *runs[5] = {
		make_run("above", NULL, above, 1, 2),
		make_run("below", NULL, below, 1, 2),
		make_run("flagged", NULL, flagged, 1, 2),
		make_run("under02", NULL, under02, 1, 2),
		make_run("under005", NULL, under005, 1, 2),
	};
	struct summary_row s[5];

	assert_true(1.709 - 1.609 > 0.1);
	assert_true(0.8724 - 0.7724 < 0.1);
	summary_compute(runs, NULL, 5, s);
	for (int i = 0; i < 2; i++) {
		assert_true(s[i].gap == 0.1);
		assert_false(s[i].overfitting);
	}
	/* the gap's part of the score is 0.3 * 60 for both */
	assert_near(s[0].score - 0.7 * (100 - 50 * 1.709), 18);
	assert_near(s[1].score - 0.7 * (100 - 50 * 0.8724), 18);
	assert_true(s[0].score == 28.185);
	assert_true(s[1].score == 57.466);
	assert_true(s[2].overfitting);
	static const char *const want[5] = {"0.1", "0.1", "0.10004 !", "0.19999 !", "0.049996"};
	for (int i = 0; i < 5; i++) {
		char *cell = summary_cell(&s[i], 9);
		assert_string_equal(cell, want[i]);
		free(cell);
	}
	char *text = render(s, 2, SUMMARY_CSV);
	assert_output(text,
		"label,id,rows,last_step,final_train_loss,final_eval_loss,best_eval_loss,best_eval_step,gap,overfitting,"
		"final_learning_rate,max_grad_norm,mean_tokens_per_second,wall_seconds,epochs,score,recommended\r\n"
		"above,,1,1,1.609,1.709,1.709,1,0.1,false,,,,,,28.185,false\r\n"
		"below,,1,1,0.7724,0.8724,0.8724,1,0.1,false,,,,,,57.466,false\r\n");
	free(text);
	free_runs(runs, 5);
}

/* Missing metrics stay NaN: no columns, all-NaN columns, no rows, one
 * timestamp, infinities. */
static void test_missing(void **state)
{
	(void)state;
	static const struct row_spec train_only[] = {
		{5, {3.0}}, {7, {2.5}},
	};
	static const struct row_spec all_nan[] = {
		{1, {X, X, X, X, 100, X, X}}, /* one timestamp: no wall time */
	};
	static const struct row_spec infs[] = {
		{1, {INFINITY, 2.0, X, INFINITY, X, X, INFINITY}},
		{2, {1.0, -INFINITY, X, 4.0, X, X, 10}},
		{3, {NAN, INFINITY, X, -INFINITY, X, X, X}},
	};
	struct run *runs[4] = {
		make_run("train-only", NULL, train_only, 2, 1),
		make_run("all-nan", NULL, all_nan, 1, NCOLS),
		make_run("empty", NULL, NULL, 0, NCOLS),
		make_run("infs", NULL, infs, 3, NCOLS),
	};
	struct summary_row s[4];

	summary_compute(runs, NULL, 4, s);

	assert_int_equal(s[0].rows, 2);
	assert_near(s[0].last_step, 7);
	assert_near(s[0].final_train_loss, 2.5);
	assert_nan(s[0].final_eval_loss);
	assert_nan(s[0].best_eval_loss);
	assert_nan(s[0].best_eval_step);
	assert_nan(s[0].gap);
	assert_false(s[0].overfitting);
	assert_nan(s[0].final_lr);
	assert_nan(s[0].max_grad_norm);
	assert_nan(s[0].mean_tokens_per_second);
	assert_nan(s[0].wall_seconds);
	assert_nan(s[0].epochs);
	assert_nan(s[0].score);
	assert_false(s[0].recommended);

	assert_int_equal(s[1].rows, 1);
	assert_near(s[1].last_step, 1);
	assert_nan(s[1].final_train_loss);
	assert_nan(s[1].final_eval_loss);
	assert_nan(s[1].best_eval_loss);
	assert_nan(s[1].gap);
	assert_nan(s[1].final_lr);
	assert_nan(s[1].max_grad_norm);
	assert_nan(s[1].wall_seconds);
	assert_nan(s[1].score);

	assert_int_equal(s[2].rows, 0);
	assert_nan(s[2].last_step);
	assert_nan(s[2].final_train_loss);
	assert_nan(s[2].score);
	assert_false(s[2].recommended);

	/* Infinities are not values: skipped like NaN. */
	assert_near(s[3].final_train_loss, 1.0);
	assert_near(s[3].final_eval_loss, 2.0);
	assert_near(s[3].best_eval_loss, 2.0);
	assert_near(s[3].best_eval_step, 1);
	assert_near(s[3].max_grad_norm, 4.0);
	assert_near(s[3].mean_tokens_per_second, 10);
	assert_near(s[3].gap, 1.0);
	assert_true(s[3].overfitting);
	/* the only job with an eval loss */
	assert_true(s[3].recommended);
	for (size_t i = 0; i < 3; i++)
		assert_false(s[i].recommended);
	free_runs(runs, 4);
}

/* Highest score wins; ties go to the first job; no eval loss, no pick. */
static void test_recommendation(void **state)
{
	(void)state;
	static const struct row_spec a[] = {{1, {1.0, 1.0}}};   /* 35+30 = 65 */
	static const struct row_spec b[] = {{1, {0.75, 0.875}}}; /* 39.375+18 = 57.375 */
	static const struct row_spec c[] = {{1, {1.0, 0.875}}}; /* 39.375+12 = 51.375 */
	static const struct row_spec t[] = {{1, {3.0}}};        /* no eval */
	struct run *runs[5] = {
		make_run("no-eval", NULL, t, 1, 1),
		make_run("b", NULL, b, 1, 2),
		make_run("a1", NULL, a, 1, 2),
		make_run("a2", NULL, a, 1, 2),
		make_run("c", NULL, c, 1, 2),
	};
	struct summary_row s[5];

	summary_compute(runs, NULL, 5, s);
	assert_near(s[2].score, 65);
	assert_near(s[3].score, 65);
	assert_near(s[1].score, 57.375);
	assert_near(s[4].score, 51.375);
	assert_false(s[0].recommended);
	assert_false(s[1].recommended);
	assert_true(s[2].recommended);  /* first of the tie */
	assert_false(s[3].recommended);
	/* c has the lowest eval loss, yet its negative gap costs it the pick */
	assert_false(s[4].recommended);

	/* alone, a job with an eval loss is recommended whatever its score */
	summary_compute(runs + 4, NULL, 1, s);
	assert_true(s[0].recommended);

	/* no job with an eval loss: nobody is recommended */
	summary_compute(runs, NULL, 1, s);
	assert_false(s[0].recommended);
	free_runs(runs, 5);
}

/* ------------------------------------------------------------ formats */

/* Three jobs for the golden outputs: one recommended despite overfitting,
 * one with a hostile label and no id, one without eval loss. */
static void golden_runs(struct run **runs)
{
	static const struct row_spec base[] = {
		/*         train eval  lr     grad  time  epoch tok/s */
		{0, {2.0, X, 1e-4, 1.5, 0, 0.5, 1000}},
		{100, {1.0, 1.0, 5e-5, 0.75, 3600, 1, 1200}},
		{200, {0.75, 0.875, 0, 0.5, 7980, 2, 14000}},
	};
	static const struct row_spec hostile[] = {
		{0, {1.5, X, 3e-4, 12.25, 1e9, X, X}},
		{50, {1.25, 1.0, 2.5e-4, X, 1e9 + 45, X, X}},
	};
	static const struct row_spec noeval[] = {{7, {0.123456789}}};

	runs[0] = make_run("base", "5c1f-a", base, 3, NCOLS);
	runs[1] = make_run("x|y,\"z\" *b* <i>\n\x01", NULL, hostile, 2, NCOLS);
	runs[2] = make_run("=cmd", "c", noeval, 1, 1);
}

/* The aligned text table with marks and footnotes. */
static void test_text(void **state)
{
	(void)state;
	struct run *runs[3];
	struct summary_row s[3];
	golden_runs(runs);
	summary_compute(runs, NULL, 3, s);
	char *got = render(s, 3, SUMMARY_TEXT);
	assert_output(got,
		"  job              id      rows  last step  train loss  eval loss  best eval  at step    gap         lr  max grad  tok/s    wall  epoch  score\n"
		"* base             5c1f-a     3        200        0.75      0.875      0.875      200  0.125 !        0       1.5   5400  2h 13m      2   57.4\n"
		"  x|y,\"z\" *b* <i>  -          2         50        1.25          1          1       50  -0.25    0.00025     12.25      -     45s      -   47.0\n"
		"  =cmd             c          1          7      0.1235          -          -        -      -          -         -      -       -      -      -\n"
		"\n"
		"* recommended: the highest score, 0.7*max(0, 100 - 50*best eval) + 0.3*g,\n"
		"  g = 40 if gap < 0, 100 if gap < 0.05, 80 if < 0.1, 60 if < 0.2, else 30\n"
		"  (50 without a gap)\n"
		"! overfitting: gap = best eval - final train loss is above 0.1\n");
	free(got);
	free_runs(runs, 3);
}

/* The markdown table escapes the label and keeps every column. */
static void test_markdown(void **state)
{
	(void)state;
	struct run *runs[3];
	struct summary_row s[3];
	golden_runs(runs);
	summary_compute(runs, NULL, 3, s);
	char *got = render(s, 3, SUMMARY_MARKDOWN);
	assert_output(got,
		"|  | job | id | rows | last step | train loss | eval loss | best eval | at step | gap | lr | max grad | tok/s | wall | epoch | score |\n"
		"|:---|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
		"| \\* | base | 5c1f-a | 3 | 200 | 0.75 | 0.875 | 0.875 | 200 | 0.125 ! | 0 | 1.5 | 5400 | 2h 13m | 2 | 57.4 |\n"
		"|  | x\\|y,\"z\" \\*b\\* \\<i\\> | - | 2 | 50 | 1.25 | 1 | 1 | 50 | -0.25 | 0.00025 | 12.25 | - | 45s | - | 47.0 |\n"
		"|  | =cmd | c | 1 | 7 | 0.1235 | - | - | - | - | - | - | - | - | - | - |\n"
		"\n"
		"\\* recommended: highest score = 0.7 \\* max(0, 100 - 50 \\* best eval) + 0.3 \\* g, where g is 40 if gap < 0, 100 if gap < 0.05, 80 if < 0.1, 60 if < 0.2, else 30 (50 without a gap)\n"
		"\n"
		"! overfitting: gap = best eval - final train loss is above 0.1\n");
	free(got);
	free_runs(runs, 3);
}

/* csv: header, CRLF records, quoted hostile label, formula guard, empty
 * missing values, full precision. */
static void test_csv(void **state)
{
	(void)state;
	struct run *runs[3];
	struct summary_row s[3];
	golden_runs(runs);
	summary_compute(runs, NULL, 3, s);
	char *got = render(s, 3, SUMMARY_CSV);
	assert_output(got,
		"label,id,rows,last_step,final_train_loss,final_eval_loss,best_eval_loss,best_eval_step,gap,overfitting,"
		"final_learning_rate,max_grad_norm,mean_tokens_per_second,wall_seconds,epochs,score,recommended\r\n"
		"base,5c1f-a,3,200,0.75,0.875,0.875,200,0.125,true,0,1.5,5400,7980,2,57.375,true\r\n"
		"\"x|y,\"\"z\"\" *b* <i>\",,2,50,1.25,1,1,50,-0.25,false,0.00025,12.25,,45,,47,false\r\n"
		"'=cmd,c,1,7,0.123456789,,,,,,,,,,,,false\r\n");
	free(got);
	free_runs(runs, 3);
}

/* Computed numbers without the arithmetic's noise; logged ones exact. */
static void test_machine_numbers(void **state)
{
	(void)state;
	/* train_loss, eval_loss, lr, grad_norm, time, epoch, tokens/s */
	const struct row_spec rows[] = {
		{10, {1.4, 1.3659, 0.30000000000000004, X, 1795072576.215, X, 41072.1}},
		{20, {1.334, 1.3766, X, X, 1795074456.38, X, 41071.913}},
	};
	struct run *r = make_run("n", NULL, rows, 2, NCOLS);
	struct summary_row s[1];
	summary_compute(&r, NULL, 1, s);
	char *got = render(s, 1, SUMMARY_CSV);
	/* gap 1.3659 - 1.334 (0.03189999999999982 in binary), wall time
	 * 1880.164999961853, mean 41072.00649999999, score 52.19350000000001 */
	assert_non_null(strstr(got, "\r\nn,,2,20,1.334,1.3766,1.3659,10,0.0319,false,0.30000000000000004,,"
				  "41072.0065,1880.165,,52.1935,true\r\n"));
	free(got);
	run_free(r);
}

/* Characters of UTF-8 line S up to its newline. */
static size_t line_chars(const char *s)
{
	size_t n = 0;
	for (; *s && *s != '\n'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A text table fitted into a width: every line within it, ids and labels
 * cut, the columns left out named. */
static void test_text_width(void **state)
{
	(void)state;
	struct run *runs[3];
	struct summary_row s[3];
	golden_runs(runs);
	const char *labels[] = { "a-label-of-thirty-two-characters", "b", "c" };
	summary_compute(runs, labels, 3, s);
	static const int widths[] = { 100, 80, 72 };
	for (size_t k = 0; k < ARRAY_SIZE(widths); k++) {
		char *text = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&text, &len);
		assert_int_equal(summary_write(s, 3, SUMMARY_TEXT, widths[k], fp), 0);
		assert_int_equal(fclose(fp), 0);
		/* The table's lines; the footnotes' stay within 80. */
		for (const char *l = text; *l && *l != '\n'; l = strchr(l, '\n') + 1) {
			if (line_chars(l) > (size_t)widths[k])
				fail_at(__FILE__, __LINE__, "line wider than %d: %s", widths[k], l);
			if (!strchr(l, '\n'))
				break;
		}
		assert_non_null(strstr(text, "(left out to fit "));
		assert_non_null(strstr(text, "--width=0 shows all)\n"));
		assert_non_null(strstr(text, "train loss"));
		assert_non_null(strstr(text, "score"));
		if (widths[k] == 72) {
			if (!strstr(text, "\n* a-label-of-thir\u2026 ") ||
			    !strstr(text, "(left out to fit 72 columns: epoch, wall, tok/s, max grad, rows, at\n"
					  " step, lr, last step, id; --width=0 shows all)\n"))
				fail_at(__FILE__, __LINE__, "at 72 columns:\n%s", text);
		}
		free(text);
	}
	/* No limit: nothing left out. */
	char *full = render(s, 3, SUMMARY_TEXT);
	assert_null(strstr(full, "left out"));
	assert_non_null(strstr(full, "tok/s"));
	free(full);
	free_runs(runs, 3);
}

/* json: one object per job, numbers as numbers, null for missing. */
static void test_json(void **state)
{
	(void)state;
	struct run *runs[3];
	struct summary_row s[3];
	golden_runs(runs);
	summary_compute(runs, NULL, 3, s);
	char *got = render(s, 3, SUMMARY_JSON);
	assert_output(got,
		"[\n"
		"  {\"label\": \"base\", \"id\": \"5c1f-a\", \"rows\": 3, \"last_step\": 200, \"final_train_loss\": 0.75, "
		"\"final_eval_loss\": 0.875, \"best_eval_loss\": 0.875, \"best_eval_step\": 200, \"gap\": 0.125, "
		"\"overfitting\": true, \"final_learning_rate\": 0, \"max_grad_norm\": 1.5, \"mean_tokens_per_second\": 5400, "
		"\"wall_seconds\": 7980, \"epochs\": 2, \"score\": 57.375, \"recommended\": true},\n"
		"  {\"label\": \"x|y,\\\"z\\\" *b* <i>\", \"id\": null, \"rows\": 2, \"last_step\": 50, \"final_train_loss\": 1.25, "
		"\"final_eval_loss\": 1, \"best_eval_loss\": 1, \"best_eval_step\": 50, \"gap\": -0.25, "
		"\"overfitting\": false, \"final_learning_rate\": 0.00025, \"max_grad_norm\": 12.25, \"mean_tokens_per_second\": null, "
		"\"wall_seconds\": 45, \"epochs\": null, \"score\": 47, \"recommended\": false},\n"
		"  {\"label\": \"=cmd\", \"id\": \"c\", \"rows\": 1, \"last_step\": 7, \"final_train_loss\": 0.123456789, "
		"\"final_eval_loss\": null, \"best_eval_loss\": null, \"best_eval_step\": null, \"gap\": null, "
		"\"overfitting\": null, \"final_learning_rate\": null, \"max_grad_norm\": null, \"mean_tokens_per_second\": null, "
		"\"wall_seconds\": null, \"epochs\": null, \"score\": null, \"recommended\": false}\n"
		"]\n");
	free(got);
	free_runs(runs, 3);
}

/* The id column is left out of text and markdown when ids only repeat
 * the labels; no recommendation gives its own footnote; durations. */
static void test_text_variants(void **state)
{
	(void)state;
	static const struct row_spec r1[] = {
		{0, {X, X, X, X, 0, X, X}}, {1, {2.0, X, X, X, 59.6, X, X}},
	};
	static const struct row_spec r2[] = {
		{0, {X, X, X, X, 0, X, X}},
		{123456, {1.0, X, X, X, 3 * 86400 + 5 * 3600 + 59, X, X}},
	};
	static const struct row_spec r3[] = {
		{0, {X, X, X, X, 100, X, X}}, {1, {X, X, X, X, 100 + 725, X, X}},
	};
	struct run *runs[3] = {
		make_run("job-1", "job-1", r1, 2, NCOLS),
		make_run("job-2", NULL, r2, 2, NCOLS),
		make_run("job-3", "job-3", r3, 2, NCOLS),
	};
	struct summary_row s[3];
	summary_compute(runs, NULL, 3, s);

	char *got = render(s, 3, SUMMARY_TEXT);
	assert_output(got,
		"  job    rows  last step  train loss  eval loss  best eval  at step  gap    lr  max grad  tok/s    wall  epoch  score\n"
		"  job-1     2          1           2          -          -        -    -     -         -      -   1m 0s      -      -\n"
		"  job-2     2     123456           1          -          -        -    -     -         -      -   3d 5h      -      -\n"
		"  job-3     2          1           -          -          -        -    -     -         -      -  12m 5s      -      -\n"
		"\n"
		"no recommendation: no job logged an eval loss\n");
	free(got);
	got = render(s, 3, SUMMARY_MARKDOWN);
	assert_output(got,
		"|  | job | rows | last step | train loss | eval loss | best eval | at step | gap | lr | max grad | tok/s | wall | epoch | score |\n"
		"|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
		"|  | job-1 | 2 | 1 | 2 | - | - | - | - | - | - | - | 1m 0s | - | - |\n"
		"|  | job-2 | 2 | 123456 | 1 | - | - | - | - | - | - | - | 3d 5h | - | - |\n"
		"|  | job-3 | 2 | 1 | - | - | - | - | - | - | - | - | 12m 5s | - | - |\n"
		"\n"
		"no recommendation: no job logged an eval loss\n");
	free(got);
	free_runs(runs, 3);
}

/* "ünïcödé-λ": 9 characters, 14 bytes */
#define UNI "\xc3\xbc" "n" "\xc3\xaf" "c" "\xc3\xb6" "d" "\xc3\xa9" "-\xce\xbb"

/* Non-ASCII labels are aligned by characters; long labels are cut with
 * "…" in the text table only. */
static void test_unicode_long(void **state)
{
	(void)state;
	static const struct row_spec r[] = {{1, {1.0, X, X, X, X, X, X}}};
	char long_label[61];
	memset(long_label, 'L', 60);
	long_label[60] = '\0';
	struct run *runs[2] = {
		make_run(UNI, NULL, r, 1, 1),
		make_run(long_label, NULL, r, 1, 1),
	};
	struct summary_row s[2];
	summary_compute(runs, NULL, 2, s);

	char *got = render(s, 2, SUMMARY_TEXT);
	assert_output(got,
		"  job                                       rows  last step  train loss  eval loss  best eval  at step  gap    lr  max grad  tok/s  wall  epoch  score\n"
		"  " UNI "                                    1          1           1          -          -        -    -     -         -      -     -      -      -\n"
		"  LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL\xe2\x80\xa6     1          1           1          -          -        -    -     -         -      -     -      -      -\n"
		"\n"
		"no recommendation: no job logged an eval loss\n");
	free(got);
	got = render(s, 2, SUMMARY_CSV);
	assert_non_null(strstr(got, long_label));
	free(got);
	got = render(s, 2, SUMMARY_MARKDOWN);
	assert_non_null(strstr(got, long_label));
	free(got);
	free_runs(runs, 2);
}

/* No jobs: a header only (text, markdown, csv) and an empty json array;
 * SUMMARY_NONE writes nothing. */
static void test_empty(void **state)
{
	(void)state;
	char *got = render(NULL, 0, SUMMARY_JSON);
	assert_output(got, "[]\n");
	free(got);
	got = render(NULL, 0, SUMMARY_CSV);
	assert_output(got,
		"label,id,rows,last_step,final_train_loss,final_eval_loss,best_eval_loss,best_eval_step,gap,overfitting,"
		"final_learning_rate,max_grad_norm,mean_tokens_per_second,wall_seconds,epochs,score,recommended\r\n");
	free(got);
	got = render(NULL, 0, SUMMARY_NONE);
	assert_output(got, "");
	free(got);
	got = render(NULL, 0, SUMMARY_TEXT);
	assert_output(got,
		"  job  rows  last step  train loss  eval loss  best eval  at step  gap    lr  max grad  tok/s  wall  epoch  score\n");
	free(got);
}

/* A stream in error makes summary_write return -1. */
static void test_write_error(void **state)
{
	(void)state;
	struct run *runs[3];
	struct summary_row s[3];
	golden_runs(runs);
	summary_compute(runs, NULL, 3, s);
	FILE *fp = fopen("/dev/full", "w");
	if (fp == NULL) {
		free_runs(runs, 3);
		skip();
	}
	setvbuf(fp, NULL, _IONBF, 0); /* every write reaches the device */
	assert_int_equal(summary_write(s, 3, SUMMARY_JSON, 0, fp), -1);
	fclose(fp);
	free_runs(runs, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_branches),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_wall_backwards),
		cmocka_unit_test(test_gap_flag),
		cmocka_unit_test(test_gap_noise),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_recommendation),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_machine_numbers),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text_variants),
		cmocka_unit_test(test_unicode_long),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_write_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
