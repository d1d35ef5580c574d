/* test_view.c: panels, x axes and ranges, smoothing, downsampling on the
 * panels' pixel columns (layout_panel_px) and outlier ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "util.h"
#include "view.h"

#define EPS 1e-12

/* cmocka 1.1 compares floats only: doubles to within EPS (0: exactly). */
#define assert_double_equal(a, b, eps) assert_double_near((a), (b), (eps), #a, __LINE__)

/* Fails the test when |A - B| > EPS. */
static void assert_double_near(double a, double b, double eps, const char *what, int line)
{
	if (fabs(a - b) <= eps)
		return;
	print_error("line %d: %s = %.17g, want %.17g (within %g)\n", line, what, a, b, eps);
	fail();
}

/* ---------------------------------------------------------------- helpers */

/* A run named ARG with N rows: steps 10, 20, …; column NAME[c] holds
 * VALUES[c][i] (NAN = not logged).  NCOL columns besides step. */
static struct run *make_run(const char *arg, size_t n, size_t ncol, const char *const *names,
			    const double *const *values)
{
	struct run *r = run_new(arg);
	char *cause = NULL;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(run_add_row(r, (double)(10 * (i + 1)), &cause), 0);
		for (size_t c = 0; c < ncol; c++) {
			if (isnan(values[c][i]))
				continue;
			int col = run_col(r, names[c]);
			assert_true(col > 0);
			run_set(r, col, values[c][i]);
		}
	}
	run_finish(r);
	return r;
}

/* Parses LIST into panels, failing the test on error. */
static struct panel *parse_ok(const char *list, size_t *n)
{
	struct panel *p = NULL;
	char *cause = NULL;
	assert_int_equal(panel_list_parse(list, &p, n, &cause), 0);
	assert_null(cause);
	return p;
}

/* Asserts panel_list_parse(LIST) fails with CAUSE. */
static void parse_fails(const char *list, const char *want)
{
	struct panel *p = (struct panel *)1;
	size_t n = 99;
	char *cause = NULL;
	assert_int_equal(panel_list_parse(list, &p, &n, &cause), -1);
	assert_string_equal(cause, want);
	assert_null(p);
	assert_int_equal(n, 0);
	free(cause);
}

/* ---------------------------------------------------------------- panels */

static void test_panels_known(void **state)
{
	(void)state;
	size_t n;
	struct panel *p = parse_ok("loss,perplexity,lr,grad_norm", &n);
	assert_int_equal(n, 4);

	assert_string_equal(p[0].name, "loss");
	assert_string_equal(p[0].title, "Loss");
	assert_int_equal(p[0].nseries, 2);
	assert_string_equal(p[0].series[0].column, "train_loss");
	assert_string_equal(p[0].series[0].kind, "train");
	assert_false(p[0].series[0].dashed);
	assert_true(p[0].series[0].smooth);
	assert_string_equal(p[0].series[1].column, "eval_loss");
	assert_string_equal(p[0].series[1].kind, "eval");
	assert_true(p[0].series[1].dashed);
	assert_false(p[0].series[1].smooth);
	assert_false(p[0].logy);

	assert_true(p[1].logy);
	assert_int_equal(p[1].nseries, 2);
	assert_string_equal(p[1].series[0].column, "train_perplexity");
	assert_true(p[1].series[0].smooth);
	assert_string_equal(p[1].series[1].column, "perplexity");
	assert_true(p[1].series[1].dashed);
	assert_false(p[1].series[1].smooth);

	assert_string_equal(p[2].title, "Learning rate");
	assert_true(p[2].exp_format);
	assert_int_equal(p[2].nseries, 1);
	assert_string_equal(p[2].series[0].column, "learning_rate");
	assert_false(p[2].series[0].smooth);

	assert_string_equal(p[3].series[0].column, "grad_norm");
	assert_true(p[3].series[0].smooth);
	for (size_t i = 0; i < n; i++)
		assert_null(p[i].owned_column);
	panel_list_free(p, n);
}

static void test_panels_aliases_and_raw(void **state)
{
	(void)state;
	size_t n;
	struct panel *p = parse_ok(" learning_rate , throughput,gpu_memory,gpu_util,,"
				   "tokens_per_second,my_metric,eval_accuracy", &n);
	assert_int_equal(n, 7);
	assert_string_equal(p[0].name, "learning_rate");
	assert_string_equal(p[0].series[0].column, "learning_rate");
	assert_true(p[0].exp_format);
	assert_string_equal(p[1].series[0].column, "tokens_per_second");
	assert_string_equal(p[2].series[0].column, "gpu_memory_allocated_gb");
	assert_string_equal(p[3].series[0].column, "gpu_utilization_percent");
	assert_string_equal(p[4].name, "tokens_per_second");
	assert_null(p[4].owned_column);

	assert_string_equal(p[5].name, "my_metric");
	assert_string_equal(p[5].title, "my_metric");
	assert_non_null(p[5].owned_column);
	assert_string_equal(p[5].series[0].column, "my_metric");
	assert_true(p[5].series[0].smooth);
	assert_false(p[5].series[0].dashed);
	/* Eval-like raw columns are sparse: dashed, never smoothed. */
	assert_string_equal(p[6].series[0].column, "eval_accuracy");
	assert_false(p[6].series[0].smooth);
	assert_true(p[6].series[0].dashed);
	panel_list_free(p, n);
}

static void test_panels_errors(void **state)
{
	(void)state;
	parse_fails("", "empty metric list");
	parse_fails(" , ,", "empty metric list");
	parse_fails(NULL, "empty metric list");
	char longname[200];
	memset(longname, 'a', 129);
	longname[129] = '\0';
	parse_fails(longname, "metric name too long");
	longname[128] = '\0';
	size_t n;
	struct panel *p = parse_ok(longname, &n);
	panel_list_free(p, n);
	parse_fails("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "too many metrics (at most 16)");
	p = parse_ok("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", &n);
	assert_int_equal(n, 16);
	panel_list_free(p, n);
}

static void test_panels_check(void **state)
{
	(void)state;
	const char *names[] = { "train_loss", "my_metric" };
	double a[] = { 1, 2 }, b[] = { 5, NAN };
	const double *vals[] = { a, b };
	struct run *runs[2];
	runs[0] = make_run("a.json", 2, 1, names, vals);
	runs[1] = make_run("b.json", 2, 2, names, vals);

	size_t n;
	char *cause = NULL;
	struct panel *p = parse_ok("loss,grad_norm,my_metric", &n);
	assert_int_equal(panel_list_check(p, n, runs, 2, &cause), 0);
	panel_list_free(p, n);

	p = parse_ok("loss,typo_metric", &n);
	assert_int_equal(panel_list_check(p, n, runs, 2, &cause), -1);
	assert_string_equal(cause, "unknown metric 'typo_metric' (no job has a column of that name; "
			    "panels: loss, perplexity, lr, grad_norm, throughput, gpu_memory, gpu_util; columns: train_loss, train_perplexity, my_metric)");
	free(cause);
	panel_list_free(p, n);
	run_free(runs[0]);
	run_free(runs[1]);

	/* Many columns: the first 40 listed, the rest counted; names cut. */
	char *many[45];
	const char *cnames[45];
	double one[] = { 1 };
	const double *cvals[45];
	for (size_t c = 0; c < 45; c++) {
		many[c] = c == 0 ? xasprintf("m%s", "-a-column-name-of-more-than-forty-characters")
				 : xasprintf("m%zu", c);
		cnames[c] = many[c];
		cvals[c] = one;
	}
	struct run *big = make_run("big.json", 1, 45, cnames, cvals);
	p = parse_ok("nope", &n);
	assert_int_equal(panel_list_check(p, n, &big, 1, &cause), -1);
	if (!strstr(cause, "; columns: m-a-column-name-of-more-than-forty-char\u2026, m1, m2, "))
		fail_msg("%s", cause);
	assert_non_null(strstr(cause, ", m39 and 5 more)"));
	free(cause);
	panel_list_free(p, n);
	run_free(big);
	for (size_t c = 0; c < 45; c++)
		free(many[c]);
}

/* ---------------------------------------------------------------- smoothing */

static void test_smooth_hand(void **state)
{
	(void)state;
	/* w = 0.6: last = 0.4, /0.4 = 1; last = 0.24 + 0.8 = 1.04, /0.64;
	 * NaN passes and does not count; last = 0.624 + 1.6 = 2.224, /0.784. */
	double in[] = { 1, 2, NAN, 4 }, out[4];
	view_smooth(in, out, 4, 0.6);
	assert_double_equal(out[0], 1.0, EPS);
	assert_double_equal(out[1], 1.04 / 0.64, EPS);
	assert_true(isnan(out[2]));
	assert_double_equal(out[3], 2.224 / 0.784, EPS);

	/* Infinities pass through too; a leading NaN does not start the count. */
	double in2[] = { NAN, 1, INFINITY, 3 }, out2[4];
	view_smooth(in2, out2, 4, 0.5);
	assert_true(isnan(out2[0]));
	assert_double_equal(out2[1], 1.0, EPS);
	assert_true(isinf(out2[2]) && out2[2] > 0);
	assert_double_equal(out2[3], 1.75 / 0.75, EPS);
}

static void test_smooth_in_place_matches(void **state)
{
	(void)state;
	double in[50], out[50], buf[50];
	for (int i = 0; i < 50; i++)
		in[i] = buf[i] = sin(i * 0.7) + i * 0.01;
	view_smooth(in, out, 50, 0.9);
	view_smooth(buf, buf, 50, 0.9);
	assert_memory_equal(out, buf, sizeof(out));
	/* The debiased first value is the first point itself. */
	assert_double_equal(out[0], in[0], EPS);
}

static void test_smooth_constant_and_zero(void **state)
{
	(void)state;
	/* A constant series is left exactly as is (NaNs still pass). */
	double c[] = { 0.1, NAN, 0.1, 0.1, 0.1 }, out[5];
	view_smooth(c, out, 5, 0.99);
	assert_true(out[0] == 0.1 && out[2] == 0.1 && out[3] == 0.1 && out[4] == 0.1);
	assert_true(isnan(out[1]));

	/* w = 0 is the identity, bit for bit. */
	double y[] = { 3.3, -1e300, NAN, 7e-300, 0 }, o2[5];
	view_smooth(y, o2, 5, 0);
	for (int i = 0; i < 5; i++)
		assert_memory_equal(&o2[i], &y[i], sizeof(double));

	/* Empty and all-NaN series. */
	view_smooth(y, o2, 0, 0.5);
	double nn[] = { NAN, NAN };
	view_smooth(nn, nn, 2, 0.5);
	assert_true(isnan(nn[0]) && isnan(nn[1]));
}

/* ---------------------------------------------------------------- downsampling */

static void test_downsample_exact_small(void **state)
{
	(void)state;
	/* Two columns over [0, 11] (x 0..5 and 6..11; x == hi stays in the
	 * last column since left + width is whole), each keeps first, last,
	 * min and max in x order. */
	double x[12], y[] = { 5, 1, 9, 3, 7, 2, 8, 0, 6, 4, 10, 3 }, ox[12], oy[12];
	for (int i = 0; i < 12; i++)
		x[i] = i;
	struct view_grid g = { 0, 11, 0, 2 };
	size_t m = view_downsample(x, y, 12, &g, ox, oy);
	double wx[] = { 0, 1, 2, 5, 6, 7, 10, 11 }, wy[] = { 5, 1, 9, 2, 8, 0, 10, 3 };
	assert_int_equal(m, 8);
	assert_memory_equal(ox, wx, sizeof(wx));
	assert_memory_equal(oy, wy, sizeof(wy));

	/* 12 columns of one point: every point unchanged; no grid, too. */
	g.width = 12;
	m = view_downsample(x, y, 12, &g, ox, oy);
	assert_int_equal(m, 12);
	assert_memory_equal(ox, x, sizeof(x));
	assert_memory_equal(oy, y, sizeof(y));
	memset(oy, 0, sizeof(oy));
	m = view_downsample(x, y, 12, NULL, ox, oy);
	assert_int_equal(m, 12);
	assert_memory_equal(oy, y, sizeof(y));
	assert_int_equal(view_downsample(x, y, 0, &g, ox, oy), 0);
}

/* The bucket of X on G, written out as view.h defines it: 3 × its column,
 * + 0 left of lo, 1 inside [lo, hi], 2 right of hi. */
static int64_t column_of(const struct view_grid *g, double x)
{
	double end = g->left + g->width;
	/* Outside [lo, hi]: one bucket on each side. */
	if (x < g->lo)
		return INT64_MIN;
	if (x > g->hi)
		return INT64_MAX;
	if (x == g->hi && end == floor(end))
		return (int64_t)end - 1;
	return (int64_t)floor(g->left + (x - g->lo) * g->width / (g->hi - g->lo));
}

/* Checks OX/OY (M points) against M4 on grid G of X/Y (N points, x
 * ascending): every output point is an input point in input order, each
 * bucket's first, last, min and max are there, no bucket gives more than
 * 4, and the series' first, last and minimum are kept.  Returns the number
 * of buckets holding points. */
static size_t check_columns(const double *x, const double *y, size_t n, const struct view_grid *g,
			    const double *ox, const double *oy, size_t m)
{
	size_t j = 0;
	for (size_t k = 0; k < m; k++) {
		while (j < n && !(x[j] == ox[k] && y[j] == oy[k]))
			j++;
		assert_true(j < n); /* an input point, in input order */
		j++;
	}
	assert_true(ox[0] == x[0] && oy[0] == y[0]);
	assert_true(ox[m - 1] == x[n - 1] && oy[m - 1] == y[n - 1]);
	size_t imin = 0;
	for (size_t i = 1; i < n; i++)
		if (y[i] < y[imin])
			imin = i;
	bool best = false;
	for (size_t k = 0; k < m; k++)
		best |= ox[k] == x[imin] && oy[k] == y[imin];
	assert_true(best);

	size_t ncols = 0, i = 0, k = 0;
	while (i < n) {
		int64_t c = column_of(g, x[i]);
		size_t first = i, lo = i, hi = i, last = i;
		for (; i < n && column_of(g, x[i]) == c; i++) {
			last = i;
			if (y[i] < y[lo])
				lo = i;
			if (y[i] > y[hi])
				hi = i;
		}
		ncols++;
		size_t want[] = { first, last, lo, hi };
		for (size_t w = 0; w < ARRAY_SIZE(want); w++) {
			bool found = false;
			for (size_t q = 0; q < m && !found; q++)
				found = ox[q] == x[want[w]] && oy[q] == y[want[w]];
			assert_true(found);
		}
		/* This column's output points: at most 4. */
		size_t here = 0;
		for (; k < m && ox[k] <= x[last]; k++)
			here++;
		assert_true(here <= 4);
	}
	return ncols;
}

static void test_downsample_columns_noise(void **state)
{
	(void)state;
	/* 100 000 noisy steps on a 500.35-column plot area starting at pixel
	 * 78.525 (pngcairo's left edge of a 2x2 chart 1200 wide). */
	size_t n = 100000;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
	double *ox = malloc(n * sizeof(*ox)), *oy = malloc(n * sizeof(*oy));
	srand(7);
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(i * 3 + 1); /* steps with a stride */
		y[i] = 3.0 * exp(-(double)i / 20000.0) + (rand() / (double)RAND_MAX - 0.5);
	}
	struct view_grid g = { x[0], x[n - 1], 78.525, 500.35 };
	size_t m = view_downsample(x, y, n, &g, ox, oy);
	size_t ncols = check_columns(x, y, n, &g, ox, oy, m);
	assert_int_equal(ncols, 501); /* columns 78 .. 578 */
	assert_true(m <= 4 * ncols && m > 3 * ncols);

	/* In place gives the same result. */
	size_t m2 = view_downsample(x, y, n, &g, x, y);
	assert_int_equal(m2, m);
	assert_memory_equal(x, ox, m * sizeof(*x));
	assert_memory_equal(y, oy, m * sizeof(*y));
	free(x);
	free(y);
	free(ox);
	free(oy);
}

static void test_downsample_alignment(void **state)
{
	(void)state;
	/* x 0, 0.1 … 1.9 on a grid of 1 column per unit whose left edge is at
	 * 0.5: columns are x < 0.5, 0.5 <= x < 1.5 and x >= 1.5, not 0..1 and
	 * 1..2 as the series' own range would give. */
	double x[20], y[20], ox[20], oy[20];
	for (int i = 0; i < 20; i++) {
		x[i] = i / 10.0;
		y[i] = (double)((i * 7) % 20); /* a permutation of 0..19 */
	}
	struct view_grid g = { 0, 4, 0.5, 4 };
	size_t m = view_downsample(x, y, 20, &g, ox, oy);
	/* Column 0 (i 0-4, y 0 7 14 1 8): first 0, max 2, min-is-first, last
	 * 4 (i 3 dropped); column 1 (i 5-14, y 15 2 9 16 3 10 17 4 11 18):
	 * first 5, min 6, max 14 = last; column 2 (i 15-19, y 5 12 19 6 13):
	 * first 15, max 17, last 19 (min-is-first). */
	size_t want[] = { 0, 2, 4, 5, 6, 14, 15, 17, 19 };
	assert_int_equal(m, ARRAY_SIZE(want));
	for (size_t k = 0; k < m; k++) {
		assert_double_equal(ox[k], x[want[k]], 0);
		assert_double_equal(oy[k], y[want[k]], 0);
	}
	check_columns(x, y, 20, &g, ox, oy, m);

	/* The same points on a grid starting at 0 are bucketed differently. */
	struct view_grid g0 = { 0, 4, 0, 4 };
	size_t m0 = view_downsample(x, y, 20, &g0, ox, oy);
	check_columns(x, y, 20, &g0, ox, oy, m0);
	size_t want0[] = { 0, 8, 9, 10, 12, 17, 19 };
	assert_int_equal(m0, ARRAY_SIZE(want0));
	for (size_t k = 0; k < m0; k++)
		assert_double_equal(ox[k], x[want0[k]], 0);
}

static void test_downsample_outside_range(void **state)
{
	(void)state;
	/* x 0 .. 30 on a panel drawn over [10, 20] (--xrange): the points
	 * outside are one bucket on each side (gnuplot clips them), whose
	 * first and last points keep the segments crossing the border. */
	size_t n = 3001;
	double x[3001], y[3001], ox[3001], oy[3001];
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)i / 100.0;
		y[i] = sin((double)i * 0.7) * (1 + (double)(i % 17));
	}
	struct view_grid g = { 10, 20, 0.25, 10 };
	size_t m = view_downsample(x, y, n, &g, ox, oy);
	size_t ncols = check_columns(x, y, n, &g, ox, oy, m);
	/* Columns 0 .. 10 inside, and the two sides: the budget holds. */
	assert_int_equal(ncols, 13);
	assert_true(m <= 4 * 13);
	/* The last point before 10 and the first after 20 are kept. */
	bool before = false, after = false;
	for (size_t k = 0; k < m; k++) {
		before |= ox[k] == 9.99;
		after |= ox[k] == 20.01;
	}
	assert_true(before && after);

	/* Absurdly far points land in the outermost columns, without
	 * overflow. */
	double fx[] = { -1e300, -1e20, 0, 1e20, 1e300, INFINITY }, fy[] = { 1, 2, 3, 4, 5, 6 };
	double fox[6], foy[6];
	struct view_grid tiny = { 0, 1e-300, 0, 1000 };
	size_t fm = view_downsample(fx, fy, 6, &tiny, fox, foy);
	double wfx[] = { -1e300, -1e20, 0, 1e20, INFINITY }, wfy[] = { 1, 2, 3, 4, 6 };
	assert_int_equal(fm, 5); /* 1e300 is neither first, last, min nor max */
	assert_memory_equal(fox, wfx, sizeof(wfx));
	assert_memory_equal(foy, wfy, sizeof(wfy));
}

static void test_downsample_uneven_and_budgets(void **state)
{
	(void)state;
	/* --max-points=N: N/4 equal buckets of the range.  Uneven x (dense
	 * start, sparse end), every N from 1 to 60: never more than
	 * max(N, 4), columns as defined, first/last/min always kept. */
	size_t n = 500;
	double x[500], y[500], ox[500], oy[500];
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(i * i) / 7.0;
		y[i] = cos((double)i * 0.37) * (1 + (double)(i % 13));
	}
	for (size_t budget = 1; budget <= 60; budget++) {
		struct view_grid g = { x[0], x[n - 1], 0, budget < 8 ? 1 : (double)(budget / 4) };
		size_t m = view_downsample(x, y, n, &g, ox, oy);
		assert_true(m <= (budget < 4 ? 4 : budget));
		check_columns(x, y, n, &g, ox, oy, m);
	}
}

/* The reduction point by point, as view_downsample did it before it went
 * bucket by bucket (binary search, lanes): every point's column, a new
 * bucket where the column or side changes, min and max by "y < y[lo]".
 * For ascending x on a grid of several columns only. */
static size_t ref_downsample(const double *x, const double *y, size_t n, const struct view_grid *g,
			     double *ox, double *oy)
{
	double span = g->hi - g->lo, end = g->left + g->width, scale = g->width / span;
	size_t m = 0, first = 0, last = 0, lo = 0, hi = 0;
	int64_t cur = 0;
	int cur_side = 0;
	for (size_t i = 0; i <= n; i++) {
		int side = 0;
		int64_t b = 0;
		if (i < n) {
			side = x[i] < g->lo ? -1 : x[i] > g->hi ? 1 : 0;
			double pos = g->left + (x[i] - g->lo) * scale;
			if (x[i] == g->hi && end == floor(end))
				pos = end - 1;
			pos = floor(pos);
			b = side < 0 ? INT64_MIN : side > 0 ? INT64_MAX
			    : !(pos > -9e18) ? (pos < 0 ? INT64_C(-9000000000000000000) : 0)
			    : pos > 9e18 ? INT64_C(9000000000000000000) : (int64_t)pos;
		}
		if (i == n || i == 0 || b != cur || side != cur_side) {
			if (i > 0) {
				size_t idx[4] = { first, last, lo, hi };
				for (size_t a = 1; a < 4; a++) /* sort 4 indexes */
					for (size_t c = a; c > 0 && idx[c - 1] > idx[c]; c--) {
						size_t t = idx[c];
						idx[c] = idx[c - 1];
						idx[c - 1] = t;
					}
				for (size_t a = 0; a < 4; a++)
					if (a == 0 || idx[a] != idx[a - 1]) {
						ox[m] = x[idx[a]];
						oy[m] = y[idx[a]];
						m++;
					}
			}
			cur = b;
			cur_side = side;
			first = last = lo = hi = i;
			continue;
		}
		last = i;
		if (y[i] < y[lo])
			lo = i;
		if (y[i] > y[hi])
			hi = i;
	}
	return m;
}

static void test_downsample_same_as_pointwise(void **state)
{
	(void)state;
	/* Random ascending x (repeats, runs at lo and hi, points outside a
	 * narrower range), y with repeats, -0.0 against 0.0 and NaNs, on
	 * grids of whole and fractional ends: the same points, bit for bit,
	 * as the point-by-point loop, into separate arrays and in place. */
	enum { N = 4000 };
	static double x[N], y[N], ox[N], oy[N], rx[N], ry[N];
	srand(12345);
	for (int t = 0; t < 400; t++) {
		size_t n = 5 + (size_t)rand() % (N - 5);
		double v = (double)(rand() % 50) - 25;
		for (size_t i = 0; i < n; i++) {
			int r = rand() % 10;
			v += r < 3 ? 0 : r < 9 ? (double)(rand() % 1000) / 997.0 : 50;
			x[i] = v;
			int q = rand() % 20;
			y[i] = q == 0 ? -0.0 : q == 1 ? 0.0 : q == 2 && t % 3 == 0 ? NAN
			       : q < 6 ? 1.5 : (double)(rand() % 2000) / 7.0 - 100;
		}
		double lo = x[0], hi = x[n - 1];
		if (t % 4 == 1) { /* a range inside the data (--xrange) */
			lo = x[n / 5];
			hi = x[n - n / 4];
		} else if (t % 4 == 2) { /* a range beyond it */
			lo -= 3.25;
			hi += 1.5;
		}
		if (!(hi > lo))
			hi = lo + 1;
		double width = t % 2 ? (double)(1 + rand() % 3000) : 0.5 + (double)(rand() % 3000) * 0.37;
		struct view_grid g = { lo, hi, (double)(rand() % 7) * (t % 5 == 0 ? 0.3 : 1), width };
		size_t want = ref_downsample(x, y, n, &g, rx, ry);
		size_t m = view_downsample(x, y, n, &g, ox, oy);
		assert_int_equal(m, want);
		assert_memory_equal(ox, rx, m * sizeof(double));
		assert_memory_equal(oy, ry, m * sizeof(double));
		m = view_downsample(x, y, n, &g, x, y);
		assert_int_equal(m, want);
		assert_memory_equal(x, rx, m * sizeof(double));
		assert_memory_equal(y, ry, m * sizeof(double));
	}
	/* x on the columns' borders and one ulp either side of them: a
	 * border found an ulp off puts a point in the wrong bucket. */
	for (int t = 0; t < 200; t++) {
		double lo = (double)(rand() % 2000) / 7.0 - 100, span = 1 + (double)(rand() % 5000) / 3.0;
		double width = t % 2 ? (double)(2 + rand() % 400) : 1.5 + (double)(rand() % 400) * 0.77;
		struct view_grid g = { lo, lo + span, t % 3 ? 0 : 0.5, width };
		size_t n = 0;
		for (int j = 0; n + 3 <= N && j <= (int)width + 1; j++) {
			double b = lo + (double)j * span / width;
			x[n++] = nextafter(b, -INFINITY);
			x[n++] = b;
			x[n++] = nextafter(b, INFINITY);
		}
		for (size_t i = 0; i < n; i++)
			y[i] = (double)(rand() % 100);
		size_t want = ref_downsample(x, y, n, &g, rx, ry);
		size_t m = view_downsample(x, y, n, &g, ox, oy);
		assert_int_equal(m, want);
		assert_memory_equal(ox, rx, m * sizeof(double));
		assert_memory_equal(oy, ry, m * sizeof(double));
	}
}

static void test_downsample_not_ascending(void **state)
{
	(void)state;
	/* x goes back once (a restart seen on a time axis): ceil(width)
	 * buckets by index, still bounded, first/last/min kept, points in
	 * input order. */
	size_t n = 1000;
	double x[1000], y[1000], ox[1000], oy[1000];
	for (size_t i = 0; i < n; i++) {
		x[i] = i < 600 ? (double)i : (double)i - 300;
		y[i] = (double)((i * 7919) % 1000);
	}
	y[777] = -5;
	struct view_grid g = { 0, 699, 3.5, 9.2 };
	size_t m = view_downsample(x, y, n, &g, ox, oy);
	assert_true(m <= 40 && m > 20);
	assert_true(ox[0] == 0 && oy[0] == y[0]);
	assert_true(ox[m - 1] == x[n - 1] && oy[m - 1] == y[n - 1]);
	bool found = false;
	for (size_t k = 0; k < m; k++)
		found |= oy[k] == -5 && ox[k] == x[777];
	assert_true(found);

	/* All points at one x, or a grid of no width: one bucket of 4. */
	for (size_t i = 0; i < n; i++)
		x[i] = 2;
	m = view_downsample(x, y, n, &g, ox, oy);
	assert_true(m <= 4);
	assert_true(oy[0] == y[0] && oy[m - 1] == y[n - 1]);
	for (size_t i = 0; i < n; i++)
		x[i] = (double)i;
	struct view_grid flat = { 5, 5, 0, 100 };
	m = view_downsample(x, y, n, &flat, ox, oy);
	assert_true(m <= 4);
	assert_true(ox[0] == 0 && ox[m - 1] == 999);
}

/* ---------------------------------------------------------------- view_build */

/* Two runs: "a.json" with epoch and timestamps, "b.json" with neither.
 * Columns: train_loss, eval_loss (every 5th row), learning_rate, epoch,
 * time, perplexity (with a 0 and a negative value). */
static void two_runs(struct run **runs, size_t n)
{
	const char *names[] = { "train_loss", "eval_loss", "learning_rate", "epoch", "time",
				"perplexity" };
	double *v[6];
	for (int c = 0; c < 6; c++)
		v[c] = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		v[0][i] = 2.0 + sin((double)i);
		v[1][i] = i % 5 == 4 ? 2.5 - (double)i / (double)n : NAN;
		v[2][i] = 1e-4;
		v[3][i] = (double)i / 4.0;
		v[4][i] = 1.7e9 + 3.0 * (double)i;
		v[5][i] = i == 0 ? 0 : i == 1 ? -1 : 10.0 + (double)i;
	}
	v[0][3] = NAN;
	runs[0] = make_run("a.json", n, 6, names, (const double *const *)v);
	runs[1] = make_run("b.json", n, 3, names, (const double *const *)v);
	for (int c = 0; c < 6; c++)
		free(v[c]);
}

/* Finds the series of RUN, PANEL, SERIES (faded or not) in V, or NULL. */
static const struct view_series *find_series(const struct view *v, size_t run, size_t panel,
					     size_t series, bool faded)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct view_series *s = &v->s[i];
		if (s->run == run && s->panel == panel && s->series == series && s->faded == faded)
			return s;
	}
	return NULL;
}

static void test_build_step_axis(void **state)
{
	(void)state;
	struct run *runs[2];
	two_runs(runs, 20);
	size_t np;
	struct panel *p = parse_ok("loss,perplexity", &np);
	struct view_opts o = { .xaxis = XAXIS_STEP, .max_points = 0 };
	struct view v;
	char *cause = NULL;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	/* perplexity 0 and -1 cannot be drawn on the log panel: said. */
	assert_int_equal(v.nwarnings, 1);
	assert_string_equal(v.warnings[0], "a.json: 2 values <= 0 left out of the log-scale panel 'perplexity'");
	assert_null(v.yrange);
	/* loss: 2 runs × (train, eval), then perplexity (derived by
	 * run_finish where not logged). */
	assert_true(v.n >= 5);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(v.s[i].panel, 0);
	const struct view_series *s = find_series(&v, 1, 0, 0, false);
	assert_non_null(s);
	assert_int_equal(s->n, 19); /* NaN at row 3 left out */
	assert_int_equal(s->n_full, 19);
	assert_double_equal(s->x[0], 10, 0);
	assert_double_equal(s->x[3], 50, 0);
	assert_double_equal(s->y[3], 2.0 + sin(4.0), EPS);
	s = find_series(&v, 0, 0, 1, false);
	assert_int_equal(s->n, 4); /* eval every 5th row */
	assert_double_equal(s->x[0], 50, 0);
	/* Log axis: the 0 and the negative perplexity are left out. */
	s = find_series(&v, 0, 1, 1, false);
	assert_int_equal(s->n, 18);
	assert_double_equal(s->y[0], 12, 0);
	/* Order: panel by panel, series[0] of each run before series[1]. */
	assert_true(v.s[0].panel == 0 && v.s[0].series == 0 && v.s[0].run == 0);
	assert_true(v.s[1].panel == 0 && v.s[1].series == 0 && v.s[1].run == 1);
	assert_true(v.s[2].panel == 0 && v.s[2].series == 1 && v.s[2].run == 0);
	assert_true(v.s[4].panel == 1);
	view_free(&v);
	panel_list_free(p, np);
	run_free(runs[0]);
	run_free(runs[1]);
}

static void test_build_epoch_time_relative(void **state)
{
	(void)state;
	struct run *runs[2];
	two_runs(runs, 20);
	size_t np;
	struct panel *p = parse_ok("loss", &np);
	struct view v;
	char *cause = NULL;

	struct view_opts o = { .xaxis = XAXIS_EPOCH, .max_points = 0 };
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	assert_int_equal(v.nwarnings, 1);
	assert_string_equal(v.warnings[0], "b.json: no epoch logged, left out of the chart (-x epoch)");
	assert_int_equal(v.n, 2); /* run a: train and eval */
	assert_null(find_series(&v, 1, 0, 0, false));
	const struct view_series *s = find_series(&v, 0, 0, 0, false);
	assert_double_equal(s->x[1], 0.25, 0);
	view_free(&v);

	o.xaxis = XAXIS_TIME;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	assert_int_equal(v.nwarnings, 1);
	assert_string_equal(v.warnings[0], "b.json: no timestamps, left out of the chart (-x time)");
	s = find_series(&v, 0, 0, 0, false);
	assert_double_equal(s->x[0], 1.7e9, 0);
	assert_double_equal(s->x[1], 1.7e9 + 3, 0);
	view_free(&v);

	o.xaxis = XAXIS_RELATIVE;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	assert_int_equal(v.nwarnings, 1);
	assert_string_equal(v.warnings[0], "b.json: no timestamps, left out of the chart (-x relative)");
	s = find_series(&v, 0, 0, 0, false);
	assert_double_equal(s->x[0], 0, 0);
	assert_double_equal(s->x[1], 3, 0);
	s = find_series(&v, 0, 0, 1, false);
	assert_double_equal(s->x[0], 12, 0); /* eval at row 4 */
	view_free(&v);

	/* No run has what the axis needs: an error. */
	o.xaxis = XAXIS_TIME;
	assert_int_equal(view_build(&v, runs + 1, 1, p, np, &o, &cause), -1);
	assert_string_equal(cause, "no job has timestamps (needed by -x time)");
	free(cause);
	cause = NULL;
	assert_int_equal(v.n, 0);
	o.xaxis = XAXIS_RELATIVE;
	assert_int_equal(view_build(&v, runs + 1, 1, p, np, &o, &cause), -1);
	assert_string_equal(cause, "no job has timestamps (needed by -x relative)");
	free(cause);
	cause = NULL;
	o.xaxis = XAXIS_EPOCH;
	assert_int_equal(view_build(&v, runs + 1, 1, p, np, &o, &cause), -1);
	assert_string_equal(cause, "no job logged an epoch (needed by -x epoch)");
	free(cause);
	cause = NULL;

	/* A job without rows is the caller's to report: no warning, no error. */
	struct run *empty[2] = { run_new("empty.json"), runs[0] };
	run_finish(empty[0]);
	o.xaxis = XAXIS_TIME;
	assert_int_equal(view_build(&v, empty, 2, p, np, &o, &cause), 0);
	assert_int_equal(v.nwarnings, 0);
	assert_int_equal(v.n, 2);
	view_free(&v);
	assert_int_equal(view_build(&v, empty, 1, p, np, &o, &cause), 0);
	assert_int_equal(v.nwarnings, 0);
	assert_int_equal(v.n, 0);
	view_free(&v);
	run_free(empty[0]);

	panel_list_free(p, np);
	run_free(runs[0]);
	run_free(runs[1]);
}

static void test_build_smooth(void **state)
{
	(void)state;
	struct run *runs[2];
	two_runs(runs, 30);
	size_t np;
	struct panel *p = parse_ok("loss,lr", &np);
	struct view_opts o = { .xaxis = XAXIS_STEP, .smooth = 0.6, .max_points = 0 };
	struct view v;
	char *cause = NULL;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	/* loss: faded train ×2, smoothed train ×2, eval ×2; lr: 2 raw. */
	assert_int_equal(v.n, 2 + 2 + 2 + 2);
	assert_true(v.s[0].faded && v.s[1].faded);
	assert_true(v.s[0].series == 0 && v.s[1].series == 0);
	for (size_t i = 2; i < v.n; i++)
		assert_false(v.s[i].faded);

	const struct view_series *raw = find_series(&v, 0, 0, 0, true);
	const struct view_series *sm = find_series(&v, 0, 0, 0, false);
	assert_int_equal(raw->n, sm->n);
	double want[30];
	memcpy(want, raw->y, raw->n * sizeof(double));
	view_smooth(want, want, raw->n, 0.6);
	for (size_t i = 0; i < sm->n; i++) {
		assert_double_equal(sm->x[i], raw->x[i], 0);
		assert_double_equal(sm->y[i], want[i], EPS);
	}
	assert_double_equal(raw->y[1], 2.0 + sin(1.0), EPS);
	/* Eval and learning rate are never smoothed. */
	const struct view_series *ev = find_series(&v, 0, 0, 1, false);
	assert_double_equal(ev->y[0], 2.5 - 4.0 / 30.0, EPS);
	assert_null(find_series(&v, 0, 0, 1, true));
	assert_null(find_series(&v, 0, 1, 0, true));
	view_free(&v);
	panel_list_free(p, np);
	run_free(runs[0]);
	run_free(runs[1]);
}

static void test_build_budget(void **state)
{
	(void)state;
	struct run *runs[2];
	two_runs(runs, 5000);
	size_t np;
	struct panel *p = parse_ok("loss", &np);
	struct view v;
	char *cause = NULL;

	/* -1: VIEW_POINTS_PER_PX / 4 buckets per pixel column of the panel,
	 * on its x range [10, 50000]: exactly view_downsample on that grid. */
	struct view_px px = { 40.6, 20 };
	struct view_opts o = { .xaxis = XAXIS_STEP, .max_points = -1, .px = &px };
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	assert_true(v.xrange[0].set);
	assert_double_equal(v.xrange[0].lo, 10, 0);
	assert_double_equal(v.xrange[0].hi, 50000, 0);
	const struct view_series *s = find_series(&v, 0, 0, 0, false);
	assert_int_equal(s->n_full, 4999);
	double *x = malloc(5000 * sizeof(*x)), *y = malloc(5000 * sizeof(*y));
	size_t m = 0;
	for (size_t i = 0; i < 5000; i++) {
		if (i == 3)
			continue; /* NaN */
		x[m] = (double)(10 * (i + 1));
		y[m++] = 2.0 + sin((double)i);
	}
	struct view_grid g = { 10, 50000, 40.6 * VIEW_POINTS_PER_PX / 4.0,
			       20.0 * VIEW_POINTS_PER_PX / 4.0 };
	m = view_downsample(x, y, m, &g, x, y);
	assert_int_equal(s->n, m);
	assert_memory_equal(s->x, x, m * sizeof(*x));
	assert_memory_equal(s->y, y, m * sizeof(*y));
	size_t cols = 20 * VIEW_POINTS_PER_PX / 4 + 1;
	assert_true(s->n <= 4 * cols && s->n > 3 * cols);
	s = find_series(&v, 0, 0, 1, false);
	assert_int_equal(s->n_full, 1000); /* eval: every 5th row */
	/* A falling straight line: first = max and last = min in each column. */
	assert_int_equal(s->n, 2 * cols);
	view_free(&v);
	free(x);
	free(y);

	/* N > 0: N/4 equal buckets of the range, at most N points. */
	o.max_points = 50;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	for (size_t i = 0; i < v.n; i++)
		assert_true(v.s[i].n <= 50);
	assert_true(find_series(&v, 0, 0, 0, false)->n > 40); /* 12 noisy buckets */
	assert_int_equal(find_series(&v, 0, 0, 1, false)->n, 24); /* 12 straight ones */
	view_free(&v);

	o.max_points = 0;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	s = find_series(&v, 1, 0, 0, false);
	assert_int_equal(s->n, 4999);
	view_free(&v);

	/* No plot areas given: the default width. */
	o.max_points = -1;
	o.px = NULL;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	s = find_series(&v, 1, 0, 0, false);
	assert_true(s->n <= 4 * (VIEW_DEFAULT_WIDTH_PX * VIEW_POINTS_PER_PX / 4 + 1));
	view_free(&v);

	panel_list_free(p, np);
	run_free(runs[0]);
	run_free(runs[1]);
}

static void test_build_xrange(void **state)
{
	(void)state;
	/* a.json and b.json: steps 10..200; c.json: steps 10..300, train loss
	 * until 280 but eval loss at 300, and a column "myppl" drawn on a log
	 * axis whose first two values (0, -1) cannot be drawn, none at 300. */
	struct run *runs[3];
	two_runs(runs, 20);
	const char *names[] = { "train_loss", "eval_loss", "myppl" };
	double tl[30], el[30], pp[30];
	for (size_t i = 0; i < 30; i++) {
		tl[i] = i >= 28 ? NAN : 3.0 - (double)i / 30.0;
		el[i] = i % 5 == 4 ? 3.1 - (double)i / 30.0 : NAN;
		pp[i] = i == 0 ? 0 : i == 1 ? -1 : i == 29 ? NAN : 5.0 + (double)i;
	}
	const double *cv[] = { tl, el, pp };
	runs[2] = make_run("c.json", 30, 3, names, cv);
	size_t np;
	struct panel *p = parse_ok("loss,lr,myppl,grad_norm", &np);
	p[2].logy = true;
	struct view v;
	char *cause = NULL;

	/* From the data: every series drawn in the panel counts. */
	struct view_opts o = { .xaxis = XAXIS_STEP, .max_points = 0 };
	assert_int_equal(view_build(&v, runs, 3, p, np, &o, &cause), 0);
	assert_int_equal(v.npanels, 4);
	double want[][2] = { { 10, 300 }, { 10, 200 }, { 30, 290 } };
	for (size_t k = 0; k < 3; k++) {
		assert_true(v.xrange[k].set);
		assert_double_equal(v.xrange[k].lo, want[k][0], 0);
		assert_double_equal(v.xrange[k].hi, want[k][1], 0);
	}
	assert_false(v.xrange[3].set); /* grad_norm: no data */
	view_free(&v);

	/* --xrange 50:100 on every panel; the points outside are one bucket
	 * on each side (2 buckets over [50, 100] inside). */
	o.xmin_set = o.xmax_set = true;
	o.xmin = 50;
	o.xmax = 100;
	o.max_points = 8;
	assert_int_equal(view_build(&v, runs, 3, p, np, &o, &cause), 0);
	for (size_t k = 0; k < 4; k++) {
		assert_true(v.xrange[k].set);
		assert_double_equal(v.xrange[k].lo, 50, 0);
		assert_double_equal(v.xrange[k].hi, 100, 0);
	}
	const struct view_series *s = find_series(&v, 2, 0, 0, false);
	assert_int_equal(s->n_full, 28);
	double x[28], y[28];
	for (size_t i = 0; i < 28; i++)
		x[i] = (double)(10 * (i + 1)), y[i] = tl[i];
	struct view_grid g = { 50, 100, 0, 2 };
	size_t m = view_downsample(x, y, 28, &g, x, y);
	assert_int_equal(s->n, m);
	assert_memory_equal(s->x, x, m * sizeof(*x));
	assert_true(s->x[0] == 10 && s->x[s->n - 1] == 280);
	view_free(&v);

	/* One side given: the other from the data. */
	o.xmax_set = false;
	o.xmin = 100;
	o.max_points = 0;
	assert_int_equal(view_build(&v, runs, 3, p, np, &o, &cause), 0);
	double want1[][2] = { { 100, 300 }, { 100, 200 }, { 100, 290 } };
	for (size_t k = 0; k < 3; k++) {
		assert_true(v.xrange[k].set);
		assert_double_equal(v.xrange[k].lo, want1[k][0], 0);
		assert_double_equal(v.xrange[k].hi, want1[k][1], 0);
	}
	view_free(&v);
	o.xmin_set = false;
	o.xmax_set = true;
	o.xmax = 150;
	assert_int_equal(view_build(&v, runs, 3, p, np, &o, &cause), 0);
	assert_true(v.xrange[2].set);
	assert_double_equal(v.xrange[2].lo, 30, 0);
	assert_double_equal(v.xrange[2].hi, 150, 0);
	view_free(&v);

	/* A side that leaves nothing between (--xrange :5): autoscale, and
	 * no point inside, so no series (the script draws "no data"). */
	o.xmax = 5;
	assert_int_equal(view_build(&v, runs, 3, p, np, &o, &cause), 0);
	for (size_t k = 0; k < 4; k++)
		assert_false(v.xrange[k].set);
	assert_null(find_series(&v, 2, 0, 0, false));
	view_free(&v);

	/* All points at one x: autoscale (gnuplot widens it). */
	double one_loss[] = { 2.5 };
	const double *one_v[] = { one_loss };
	struct run *one = make_run("one.json", 1, 1, names, one_v);
	o.xmax_set = false;
	o.max_points = -1;
	assert_int_equal(view_build(&v, &one, 1, p, np, &o, &cause), 0);
	assert_false(v.xrange[0].set);
	assert_int_equal(find_series(&v, 0, 0, 0, false)->n, 1);
	view_free(&v);
	run_free(one);

	panel_list_free(p, np);
	for (size_t r = 0; r < 3; r++)
		run_free(runs[r]);
}

/* ---------------------------------------------------------------- plot areas */

static void test_panel_px(void **state)
{
	(void)state;
	/* pngcairo 1200 wide, 2x2: the script says lmargin 0.0650 and
	 * rmargin 0.4817; gnuplot puts the plot area at 1560 .. 11560 of its
	 * 24 000 units (1/20 pixel) and cairo adds half a pixel. */
	double left, width;
	layout_panel_px("pngcairo", 1200, 4, 0, &left, &width);
	assert_double_equal(left, (1560 + 10.5) / 20, 1e-12);
	assert_double_equal(width, 500, 1e-12);
	/* Right column: 0.5650 * 24000 truncates to 13559, as in gnuplot. */
	layout_panel_px("pngcairo", 1200, 4, 3, &left, &width);
	assert_double_equal(left, (13559 + 10.5) / 20, 1e-12);
	assert_double_equal(width, 500, 1e-12);
	/* One panel spans the chart. */
	layout_panel_px("pngcairo", 1200, 1, 0, &left, &width);
	assert_double_equal(left, 78.525, 1e-12);
	assert_true(width > 1099 && width < 1100);
	/* dumb 120 wide: character cells, 12 .. 57 of 120, rounded to the
	 * nearest cell. */
	layout_panel_px("dumb", 120, 4, 2, &left, &width);
	assert_double_equal(left, 12.5, 0);
	assert_double_equal(width, 45, 0);
	layout_panel_px("dumb", 120, 4, 1, &left, &width);
	assert_double_equal(left, 72.5, 0);
	/* Other terminals and no terminal: the nominal grid. */
	layout_panel_px("svg", 1000, 2, 1, &left, &width);
	assert_double_equal(left, 578, 1e-9);
	assert_double_equal(width, 400, 1e-9);
	layout_panel_px(NULL, 0, 1, 0, &left, &width);
	assert_double_equal(left, 78, 1e-9);
	assert_double_equal(width, 1100.04, 1e-9);
}

/* ---------------------------------------------------------------- outliers */

static void test_robust_range(void **state)
{
	(void)state;
	/* 100..200: p5 = 105, p95 = 195, margin 9. */
	double v[101];
	for (int i = 0; i < 101; i++)
		v[100 - i] = 100 + i;
	double lo, hi;
	assert_true(view_robust_range(v, 101, false, &lo, &hi));
	assert_double_equal(lo, 96, 1e-9);
	assert_double_equal(hi, 204, 1e-9);

	/* 1..99 and a spike of 1e6: p5 = 5.95, p95 = 95.05; clipped at 0. */
	double w[102];
	for (int i = 0; i < 99; i++)
		w[i] = 99 - i;
	w[99] = 1e6;
	w[100] = NAN;
	w[101] = INFINITY;
	assert_true(view_robust_range(w, 102, false, &lo, &hi));
	assert_double_equal(lo, 0, 0);
	assert_double_equal(hi, 95.05 + 8.91, 1e-9);

	/* Log: 10^0 .. 10^4 in 41 steps, plus values that cannot be drawn. */
	double l[43];
	for (int i = 0; i < 41; i++)
		l[i] = pow(10, i / 10.0);
	l[41] = 0;
	l[42] = -3;
	assert_true(view_robust_range(l, 43, true, &lo, &hi));
	assert_double_equal(log10(lo), 0.2 - 0.36, 1e-9);
	assert_double_equal(log10(hi), 3.8 + 0.36, 1e-9);

	/* Negative data may go below 0. */
	double neg[] = { -1, -2, -3, -4, -5 };
	assert_true(view_robust_range(neg, 5, false, &lo, &hi));
	assert_true(lo < -4.8 && hi > -1.2);

	/* Too few values or no spread: unset. */
	double one[] = { 3 }, same[] = { 2, 2, 2 };
	assert_false(view_robust_range(one, 1, false, &lo, &hi));
	assert_false(view_robust_range(same, 3, false, &lo, &hi));
	assert_false(view_robust_range(NULL, 0, false, &lo, &hi));
}

static void test_robust_range_large(void **state)
{
	(void)state;
	/* A shuffled permutation of 0..n-1 exercises the selection. */
	size_t n = 100001;
	double *v = malloc(n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (double)((i * 48271) % n);
	double lo, hi;
	assert_true(view_robust_range(v, n, false, &lo, &hi));
	assert_double_equal(lo, 0, 0); /* 5000 - 9000, clipped at 0 */
	assert_double_equal(hi, 95000 + 9000, 1e-9);
	free(v);
}

static void test_build_outliers(void **state)
{
	(void)state;
	struct run *runs[2];
	two_runs(runs, 200);
	size_t np;
	struct panel *p = parse_ok("loss,lr", &np);
	struct view_px px[2] = { { 3.5, 10 }, { 3.5, 10 } };
	struct view_opts o = { .xaxis = XAXIS_STEP, .max_points = -1, .px = px,
			       .ignore_outliers = true };
	struct view v;
	char *cause = NULL;
	assert_int_equal(view_build(&v, runs, 2, p, np, &o, &cause), 0);
	assert_non_null(v.yrange);
	assert_int_equal(v.npanels, 2);
	/* Loss: 1 + sin and eval near 2.5, ranged over the full data. */
	assert_true(v.yrange[0].set);
	assert_true(v.yrange[0].lo > 0.6 && v.yrange[0].lo < 1.2);
	assert_true(v.yrange[0].hi > 2.9 && v.yrange[0].hi < 3.4);
	/* A constant learning rate: no range, autoscale. */
	assert_false(v.yrange[1].set);
	view_free(&v);
	panel_list_free(p, np);
	run_free(runs[0]);
	run_free(runs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_panels_known),
		cmocka_unit_test(test_panels_aliases_and_raw),
		cmocka_unit_test(test_panels_errors),
		cmocka_unit_test(test_panels_check),
		cmocka_unit_test(test_smooth_hand),
		cmocka_unit_test(test_smooth_in_place_matches),
		cmocka_unit_test(test_smooth_constant_and_zero),
		cmocka_unit_test(test_downsample_exact_small),
		cmocka_unit_test(test_downsample_columns_noise),
		cmocka_unit_test(test_downsample_alignment),
		cmocka_unit_test(test_downsample_outside_range),
		cmocka_unit_test(test_downsample_uneven_and_budgets),
		cmocka_unit_test(test_downsample_same_as_pointwise),
		cmocka_unit_test(test_downsample_not_ascending),
		cmocka_unit_test(test_build_step_axis),
		cmocka_unit_test(test_build_epoch_time_relative),
		cmocka_unit_test(test_build_smooth),
		cmocka_unit_test(test_build_budget),
		cmocka_unit_test(test_build_xrange),
		cmocka_unit_test(test_panel_px),
		cmocka_unit_test(test_robust_range),
		cmocka_unit_test(test_robust_range_large),
		cmocka_unit_test(test_build_outliers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
