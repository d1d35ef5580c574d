/* test_run.c: the run model — columns, growth, sorting, repeated steps,
 * the perplexity rule. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "run.h"

/* Appends a row STEP with column COL set to V (COL < 0: nothing set). */
static void add(struct run *r, double step, int col, double v)
{
	char *cause = NULL;

	assert_int_equal(run_add_row(r, step, &cause), 0);
	assert_null(cause);
	if (col >= 0)
		run_set(r, col, v);
}

/* A new run has only the step column. */
static void test_new_free(void **state)
{
	struct run *r = run_new("job-arg");

	(void)state;
	assert_string_equal(r->arg, "job-arg");
	assert_null(r->id);
	assert_int_equal(r->ncols, 1);
	assert_string_equal(r->names[0], COL_STEP);
	assert_int_equal(run_find(r, COL_STEP), 0);
	assert_int_equal(r->nrows, 0);
	run_finish(r);
	assert_int_equal(r->nrows, 0);
	assert_int_equal(run_last_finite(r, 0), -1);
	run_free(r);
	run_free(NULL);
}

/* Columns: lookup, creation, NaN fill, run_set and run_get. */
static void test_columns(void **state)
{
	struct run *r = run_new("x");
	int a, b;

	(void)state;
	assert_int_equal(run_find(r, "a"), -1);
	a = run_col(r, "a");
	assert_int_equal(a, 1);
	assert_int_equal(run_col(r, "a"), 1);
	add(r, 0, a, 1.5);
	add(r, 1, -1, 0);
	/* A column added later is NaN in the rows that exist. */
	b = run_col(r, "b");
	assert_int_equal(b, 2);
	assert_true(isnan(run_get(r, b, 0)));
	assert_true(isnan(run_get(r, b, 1)));
	run_set(r, b, 7);
	assert_true(run_get(r, b, 1) == 7);
	assert_true(run_get(r, a, 0) == 1.5);
	assert_true(isnan(run_get(r, a, 1)));
	assert_true(isnan(run_get(r, -1, 0)));
	/* Out-of-range columns are ignored by run_set. */
	run_set(r, 99, 1);
	run_set(r, -1, 1);
	run_free(r);
}

/* No column beyond RUN_MAX_COLS. */
static void test_max_cols(void **state)
{
	struct run *r = run_new("x");
	char name[16];

	(void)state;
	for (int i = 1; i <= RUN_MAX_COLS; i++) {
		snprintf(name, sizeof name, "c%d", i);
		assert_int_equal(run_col(r, name), i);
	}
	assert_int_equal(r->ncols, RUN_MAX_COLS + 1); /* step is not a metric */
	assert_int_equal(run_col(r, "one-too-many"), -1);
	assert_int_equal(run_col(r, "c5"), 5);
	run_free(r);
}

/* Derived column names never take a logged column's name. */
static void test_derived_name(void **state)
{
	struct run *a = run_new("a"), *b = run_new("b");
	struct run *runs[2] = {a, b};
	char *n;

	(void)state;
	run_col(a, "loss");
	run_col(b, "loss_smoothed");
	run_col(b, "loss_smoothed_2");
	run_finish(a);
	run_finish(b);
	n = run_derived_name(runs, 1, "loss", "_smoothed");
	assert_string_equal(n, "loss_smoothed");
	free(n);
	n = run_derived_name(runs, 2, "loss", "_smoothed");
	assert_string_equal(n, "loss_smoothed_3");
	/* The same once the derived column exists. */
	run_col(a, n);
	free(n);
	n = run_derived_name(runs, 2, "loss", "_smoothed");
	assert_string_equal(n, "loss_smoothed_3");
	free(n);
	run_free(a);
	run_free(b);
}

/* No row beyond RUN_MAX_ROWS, with the message pinned. */
static void test_max_rows(void **state)
{
	struct run *r = run_new("x");
	char *cause = NULL;

	(void)state;
	for (long i = 0; i < RUN_MAX_ROWS; i++)
		assert_int_equal(run_add_row(r, (double)i, &cause), 0);
	assert_int_equal(r->nrows, RUN_MAX_ROWS);
	assert_true(r->cap <= RUN_MAX_ROWS);
	assert_int_equal(run_add_row(r, 1, &cause), -1);
	assert_string_equal(cause, "more than 1000000 rows");
	free(cause);
	assert_int_equal(r->nrows, RUN_MAX_ROWS);
	run_finish(r);
	assert_int_equal(r->backwards, 0);
	assert_true(run_get(r, 0, RUN_MAX_ROWS - 1) == RUN_MAX_ROWS - 1);
	run_free(r);
}

/* A resumed job: sorted, repeated steps merged field by field. */
static void test_sort_merge(void **state)
{
	/* A resumed job: 0 10 20 30, restart from 10: 10 20 30 40. */
	struct run *r = run_new("x");
	int l = run_col(r, COL_TRAIN_LOSS), e = run_col(r, COL_EVAL_LOSS);

	(void)state;
	add(r, 0, l, 4.0);
	add(r, 10, l, 3.0);
	add(r, 20, l, 2.0);
	run_set(r, e, 2.5);
	add(r, 30, l, 1.0);
	add(r, 10, l, 3.1);
	add(r, 20, l, 2.1);
	add(r, 30, -1, 0); /* logs nothing but the step */
	add(r, 40, l, 0.9);
	run_finish(r);
	assert_int_equal(r->nrows, 5);
	assert_int_equal(r->dup_steps, 3);
	assert_int_equal(r->backwards, 1);
	const double steps[] = {0, 10, 20, 30, 40}, loss[] = {4.0, 3.1, 2.1, 1.0, 0.9};
	for (size_t i = 0; i < 5; i++) {
		assert_true(run_get(r, 0, i) == steps[i]);
		assert_true(run_get(r, l, i) == loss[i]);
	}
	/* Merged field by field: the eval loss of the first step-20 row stays. */
	assert_true(run_get(r, e, 2) == 2.5);
	assert_true(isnan(run_get(r, e, 1)));
	/* Idempotent. */
	run_finish(r);
	assert_int_equal(r->nrows, 5);
	assert_int_equal(r->dup_steps, 3);
	assert_int_equal(r->backwards, 1);
	run_free(r);
}

/* A large reversed and shuffled input sorts stably. */
static void test_sort_stable(void **state)
{
	/* Many rows in reverse and shuffled order: sorted by step, rows of a
	 * step kept in log order (the last value wins). */
	struct run *r = run_new("x");
	int v = run_col(r, "v");
	size_t n = 100000;

	(void)state;
	srand(7);
	for (size_t i = 0; i < n; i++)
		add(r, (double)(n - 1 - i), v, (double)i);
	for (size_t i = 0; i < 1000; i++)
		add(r, (double)(rand() % 500), v, (double)(n + i));
	run_finish(r);
	assert_int_equal(r->nrows, n);
	assert_int_equal(r->dup_steps, 1000);
	for (size_t i = 0; i < n; i++)
		assert_true(run_get(r, 0, i) == (double)i);
	/* The value for a step is its last logged one. */
	double want[500];
	srand(7);
	for (size_t s = 0; s < 500; s++)
		want[s] = (double)(n - 1 - s);
	for (size_t i = 0; i < 1000; i++)
		want[rand() % 500] = (double)(n + i);
	for (size_t s = 0; s < 500; s++)
		assert_true(run_get(r, v, s) == want[s]);
	assert_true(run_get(r, v, n - 1) == 0);
	run_free(r);
}

/* Sorted input with one repeated step. */
static void test_sorted_untouched(void **state)
{
	struct run *r = run_new("x");
	int v = run_col(r, "v");

	(void)state;
	for (int i = 0; i < 1000; i++)
		add(r, i, v, i * 2.0);
	add(r, 999, v, -1);
	run_finish(r);
	assert_int_equal(r->nrows, 1000);
	assert_int_equal(r->backwards, 0);
	assert_int_equal(r->dup_steps, 1);
	assert_true(run_get(r, v, 999) == -1);
	assert_true(run_get(r, v, 500) == 1000);
	run_free(r);
}

/* Perplexity derived by the platform's rule, cell by cell. */
static void test_perplexity_rule(void **state)
{
	struct run *r = run_new("x");
	int tl = run_col(r, COL_TRAIN_LOSS), el = run_col(r, COL_EVAL_LOSS);

	(void)state;
	add(r, 0, tl, 2.0);
	run_set(r, el, 1.0);
	add(r, 1, tl, 100.0); /* not below 100: missing */
	run_set(r, el, 99.5);
	add(r, 2, tl, NAN);
	run_set(r, el, INFINITY);
	add(r, 3, tl, -1.0);
	add(r, 4, -1, 0);
	run_finish(r);

	int ppl = run_find(r, COL_PPL), tppl = run_find(r, COL_TRAIN_PPL);

	assert_true(ppl > 0 && tppl > 0);
	assert_true(run_get(r, tppl, 0) == exp(2.0));
	assert_true(run_get(r, ppl, 0) == exp(1.0));
	assert_true(isnan(run_get(r, tppl, 1)));
	assert_true(run_get(r, ppl, 1) == exp(99.5));
	assert_true(isnan(run_get(r, tppl, 2)));
	assert_true(isnan(run_get(r, ppl, 2)));
	assert_true(run_get(r, tppl, 3) == exp(-1.0));
	assert_true(isnan(run_get(r, ppl, 3)));
	assert_true(isnan(run_get(r, tppl, 4)));
	run_free(r);

	/* Logged perplexity is kept; gaps are filled. */
	r = run_new("x");
	el = run_col(r, COL_EVAL_LOSS);
	ppl = run_col(r, COL_PPL);
	add(r, 0, el, 1.0);
	run_set(r, ppl, 3.5);
	add(r, 1, el, 2.0);
	run_finish(r);
	assert_true(run_get(r, ppl, 0) == 3.5);
	assert_true(run_get(r, ppl, 1) == exp(2.0));
	assert_int_equal(run_find(r, COL_TRAIN_PPL), -1);
	run_free(r);

	/* No loss that qualifies: no column. */
	r = run_new("x");
	tl = run_col(r, COL_TRAIN_LOSS);
	add(r, 0, tl, 150.0);
	run_finish(r);
	assert_int_equal(run_find(r, COL_TRAIN_PPL), -1);
	run_free(r);
}

/* run_last_finite skips NaN and bad columns. */
static void test_last_finite(void **state)
{
	struct run *r = run_new("x");
	int v = run_col(r, "v");

	(void)state;
	add(r, 0, v, 1);
	add(r, 1, v, 2);
	add(r, 2, v, NAN);
	add(r, 3, -1, 0);
	assert_int_equal(run_last_finite(r, v), 1);
	assert_int_equal(run_last_finite(r, 0), 3);
	assert_int_equal(run_last_finite(r, -1), -1);
	assert_int_equal(run_last_finite(r, 42), -1);
	run_free(r);
}

/* Runs the tests. */
/* Parameters: added in order, a repeated key replaces its value in its
 * place (also among thousands of keys, and after a key was removed), and
 * an overlay has its own copy (freed twice would be caught by ASan). */
static void test_params(void **state)
{
	(void)state;
	struct run *r = run_new("j");
	char *cause = NULL;

	assert_int_equal(run_add_param(r, "lr", "0.1", &cause), 0);
	assert_int_equal(run_add_param(r, "bs", "32", &cause), 0);
	assert_int_equal(run_add_param(r, "lr", "0.2", &cause), 0);
	assert_int_equal(r->nparams, 2);
	assert_string_equal(run_param(r, "lr"), "0.2");
	assert_string_equal(r->param_keys[0], "lr");
	assert_string_equal(r->param_keys[1], "bs");
	assert_null(run_param(r, "wd"));
	struct run *o = run_overlay(r);
	assert_int_equal(o->nparams, 2);
	assert_string_equal(run_param(o, "bs"), "32");
	assert_ptr_not_equal(o->param_keys, r->param_keys);
	run_free(o);
	for (int i = 0; i < RUN_MAX_PARAMS - 2; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%d", i);
		assert_int_equal(run_add_param(r, k, "v", &cause), 0);
	}
	assert_int_equal(run_add_param(r, "one-more", "v", &cause), -1);
	assert_string_equal(cause, "more than 4096 parameters");
	free(cause);
	cause = NULL;
	/* Full, a key added again still replaces its value, in its place. */
	assert_int_equal(run_add_param(r, "k1000", "w", &cause), 0);
	assert_int_equal(r->nparams, RUN_MAX_PARAMS);
	assert_string_equal(r->param_keys[1002], "k1000");
	assert_string_equal(r->param_values[1002], "w");
	assert_string_equal(run_param(r, "k4093"), "v");
	assert_null(run_param(r, "k4094"));
	/* Removing a key moves the later ones up; lookups and adds go on. */
	run_del_param(r, "bs");
	assert_int_equal(r->nparams, RUN_MAX_PARAMS - 1);
	assert_string_equal(r->param_keys[1], "k0");
	assert_null(run_param(r, "bs"));
	assert_string_equal(run_param(r, "k1000"), "w");
	assert_int_equal(run_add_param(r, "k7", "x", &cause), 0);
	assert_string_equal(r->param_keys[8], "k7");
	assert_string_equal(r->param_values[8], "x");
	assert_int_equal(run_add_param(r, "bs", "64", &cause), 0);
	assert_int_equal(r->nparams, RUN_MAX_PARAMS);
	assert_string_equal(r->param_keys[RUN_MAX_PARAMS - 1], "bs");
	assert_string_equal(run_param(r, "k7"), "x");
	struct run *o2 = run_overlay(r);
	assert_int_equal(o2->nparams, RUN_MAX_PARAMS);
	for (size_t i = 0; i < o2->nparams; i++) {
		assert_string_equal(o2->param_keys[i], r->param_keys[i]);
		assert_string_equal(run_param(o2, r->param_keys[i]), r->param_values[i]);
	}
	run_free(o2);
	run_free(r);
}

/* run_reserve puts a large run's columns in one block with room for two
 * derived columns; a column added later takes a slot while one is free,
 * the rows outgrowing the reservation move every column out (the values
 * kept), an overlay of the run neither frees nor uses the block, and the
 * run's values are those of the same rows added without a reservation.
 * (Under ASan and valgrind a wrong free of a slot fails the test.) */
static void test_reserve_arena(void **state)
{
	struct run *r = run_new("arena"), *plain = run_new("plain");
	const size_t rows = 200000, more = 60000;

	(void)state;
	int a = run_col(r, "loss"), b = run_col(r, "lr");
	assert_int_equal(run_col(plain, "loss"), a);
	assert_int_equal(run_col(plain, "lr"), b);
	for (size_t i = 0; i < 1024; i++) {
		add(r, (double)i, a, (double)i / 2);
		run_set(r, b, (double)i * 3);
		add(plain, (double)i, a, (double)i / 2);
		run_set(plain, b, (double)i * 3);
	}
	run_reserve(r, rows);
#ifdef MADV_HUGEPAGE
	assert_non_null(r->arena);
#endif
	if (r->arena != NULL) {
		assert_true(r->arena_size >= (r->ncols + 2) * rows * sizeof(double));
		assert_int_equal(r->arena_size % ((size_t)2 << 20), 0);
		for (size_t c = 0; c < r->ncols; c++)
			assert_true((char *)r->cols[c] >= r->arena &&
			            (char *)r->cols[c] < r->arena + r->arena_size);
	}
	assert_int_equal(r->cap, rows);
	/* A column added now takes one of the two spare slots. */
	int d = run_col(r, "grad_norm");
	assert_int_equal(run_col(plain, "grad_norm"), d);
	if (r->arena != NULL)
		assert_true((char *)r->cols[d] >= r->arena &&
		            (char *)(r->cols[d] + rows) <= r->arena + r->arena_size);
	for (size_t i = 0; i < 1024; i++) {
		assert_true(isnan(r->cols[d][i]));
		assert_true(r->cols[a][i] == (double)i / 2);
	}
	/* An overlay borrows the columns, not the block. */
	struct run *o = run_overlay(r);
	assert_null(o->arena);
	int e = run_col(o, "extra");
	assert_true(e >= 0);
	if (r->arena != NULL)
		assert_false((char *)o->cols[e] >= r->arena &&
		             (char *)o->cols[e] < r->arena + r->arena_size);
	run_free(o);
	/* Past the reservation: every column moves out, values kept. */
	for (size_t i = 1024; i < rows + more; i++) {
		add(r, (double)i, a, (double)i / 2);
		run_set(r, b, (double)i * 3);
		if (i % 7 == 0)
			run_set(r, d, (double)i);
		add(plain, (double)i, a, (double)i / 2);
		run_set(plain, b, (double)i * 3);
		if (i % 7 == 0)
			run_set(plain, d, (double)i);
	}
	assert_true(r->cap >= rows + more);
	/* A column added after the move: the block's last free slot is too
	 * small for the grown capacity, so it is a column of its own. */
	int f = run_col(r, "epoch");
	assert_int_equal(run_col(plain, "epoch"), f);
	run_set(r, f, 1.5);
	run_set(plain, f, 1.5);
	run_finish(r);
	run_finish(plain);
	assert_int_equal(r->nrows, plain->nrows);
	assert_int_equal(r->ncols, plain->ncols);
	for (size_t c = 0; c < r->ncols; c++) {
		assert_string_equal(r->names[c], plain->names[c]);
		assert_memory_equal(r->cols[c], plain->cols[c], r->nrows * sizeof(double));
	}
	run_free(r);
	run_free(plain);
}

/* run_reserve on a run with columns but no rows yet (no column has
 * memory) gives each column room without copying from a NULL column. */
static void test_reserve_empty(void **state)
{
	struct run *r = run_new("empty");

	(void)state;
	int a = run_col(r, "loss"), b = run_col(r, "lr");
	run_reserve(r, 200000); /* 3 + 2 columns of 200 000: a block */
#ifdef MADV_HUGEPAGE
	assert_non_null(r->arena);
#endif
	assert_int_equal(r->cap, 200000);
	add(r, 1, a, 0.5);
	run_set(r, b, 2);
	assert_true(r->cols[a][0] == 0.5 && r->cols[b][0] == 2);
	run_free(r);
}

/* Rows outgrowing the reservation move every column out of the arena:
 * the block, its touched pages too, is given back then, not held until
 * run_free beside the grown columns. */
static void test_reserve_outgrown(void **state)
{
	struct run *r = run_new("outgrown");
	const size_t rows = 200000;

	(void)state;
	int a = run_col(r, "loss");
	for (size_t i = 0; i < 1024; i++)
		add(r, (double)i, a, (double)i);
	run_reserve(r, rows);
#ifdef MADV_HUGEPAGE
	assert_non_null(r->arena);
#endif
	for (size_t i = 1024; i <= rows; i++)
		add(r, (double)i, a, (double)i);
	assert_true(r->cap > rows);
	assert_null(r->arena);
	assert_int_equal(r->arena_size, 0);
	int d = run_col(r, "grad_norm"); /* a column of its own */
	run_set(r, d, 1);
	for (size_t i = 0; i <= rows; i++)
		assert_true(r->cols[a][i] == (double)i);
	/* Reserving again once the block is gone makes a new one. */
	run_reserve(r, 3 * rows);
#ifdef MADV_HUGEPAGE
	assert_non_null(r->arena);
#endif
	assert_true(r->cols[d][rows] == 1 && r->cols[a][rows] == (double)rows);
	run_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_free),      cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_max_cols),
	    cmocka_unit_test(test_derived_name),      cmocka_unit_test(test_max_rows),
	    cmocka_unit_test(test_sort_merge),    cmocka_unit_test(test_sort_stable),
	    cmocka_unit_test(test_sorted_untouched), cmocka_unit_test(test_perplexity_rule),
	    cmocka_unit_test(test_last_finite), cmocka_unit_test(test_params),
	    cmocka_unit_test(test_reserve_arena), cmocka_unit_test(test_reserve_empty),
	    cmocka_unit_test(test_reserve_outgrown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
