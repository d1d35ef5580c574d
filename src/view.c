/* view.c: panels, the x axis, smoothing and downsampling (see view.h). */
#include "view.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define PANEL_NAME_MAX 128 /* bytes of one metric name */
#define PANELS_MAX 16      /* panels in one chart */

/* A known panel: the names that select it and how it is drawn. */
struct panel_def {
	const char *name, *alias;
	const char *title;
	bool logy, exp_format;
	size_t nseries;
	struct panel_series series[2];
};

static const struct panel_def panel_defs[] = {
	{ "loss", NULL, "Loss", false, false, 2,
	  { { COL_TRAIN_LOSS, "train", false, true }, { COL_EVAL_LOSS, "eval", true, false } } },
	{ "perplexity", NULL, "Perplexity", true, false, 2,
	  { { COL_TRAIN_PPL, "train", false, true }, { COL_PPL, "eval", true, false } } },
	{ "lr", "learning_rate", "Learning rate", false, true, 1,
	  { { COL_LR, NULL, false, false } } },
	{ "grad_norm", NULL, "Gradient norm", false, false, 1,
	  { { COL_GRAD_NORM, NULL, false, true } } },
	{ "throughput", COL_TOKENS_PS, "Throughput (tokens/s)", false, false, 1,
	  { { COL_TOKENS_PS, NULL, false, true } } },
	{ "gpu_memory", COL_GPU_MEM, "GPU memory (GB)", false, false, 1,
	  { { COL_GPU_MEM, NULL, false, true } } },
	{ "gpu_util", COL_GPU_UTIL, "GPU utilization (%)", false, false, 1,
	  { { COL_GPU_UTIL, NULL, false, true } } },
};

/* Fills P for the metric NAME of LEN bytes (known panel or raw column). */
static void panel_init(struct panel *p, const char *name, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrndup(name, len);
	for (size_t i = 0; i < ARRAY_SIZE(panel_defs); i++) {
		const struct panel_def *d = &panel_defs[i];
		if (strcmp(p->name, d->name) != 0 && (!d->alias || strcmp(p->name, d->alias) != 0))
			continue;
		p->title = xstrdup(d->title);
		p->logy = d->logy;
		p->exp_format = d->exp_format;
		p->nseries = d->nseries;
		memcpy(p->series, d->series, sizeof(p->series));
		return;
	}
	/* A raw column: eval-like columns (sparse) are dashed and never
	 * smoothed, the rest are train-like. */
	bool eval = strstr(p->name, "eval") != NULL;
	p->owned_column = xstrdup(p->name);
	p->title = xstrdup(p->name);
	p->nseries = 1;
	p->series[0] = (struct panel_series){ p->owned_column, NULL, eval, !eval };
}

int panel_list_parse(const char *list, struct panel **panels, size_t *n, char **cause)
{
	struct panel *ps = NULL;
	size_t np = 0;
	const char *s = list ? list : "";

	*panels = NULL;
	*n = 0;
	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		const char *b = s, *e = s + len;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b) {
			if ((size_t)(e - b) > PANEL_NAME_MAX) {
				panel_list_free(ps, np);
				*cause = xstrdup("metric name too long");
				return -1;
			}
			if (np == PANELS_MAX) {
				panel_list_free(ps, np);
				*cause = xasprintf("too many metrics (at most %d)", PANELS_MAX);
				return -1;
			}
			ps = xreallocarray(ps, np + 1, sizeof(*ps));
			panel_init(&ps[np++], b, (size_t)(e - b));
		}
		if (!end)
			break;
		s = end + 1;
	}
	if (np == 0) {
		*cause = xstrdup("empty metric list");
		return -1;
	}
	*panels = ps;
	*n = np;
	return 0;
}

void panel_list_free(struct panel *panels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(panels[i].name);
		free(panels[i].title);
		free(panels[i].owned_column);
	}
	free(panels);
}

/* Columns of R that came from the input (not this chart's derived ones). */
static size_t logged_cols(const struct run *r)
{
	return r->finished ? r->nlogged : r->ncols;
}

/* What -m can name, for the message about an unknown one: the panels,
 * then every column of RUNS (union, in order of first appearance; names
 * sanitized and cut at 40 characters, at most 40 of them).  malloc'd. */
static char *metric_choices(struct run *const *runs, size_t nruns)
{
	struct buf b = {0};
	buf_puts(&b, "panels:");
	for (size_t k = 0; k < ARRAY_SIZE(panel_defs); k++)
		buf_printf(&b, "%s %s", k ? "," : "", panel_defs[k].name);
	buf_puts(&b, "; columns:");
	size_t shown = 0, more = 0;
	for (size_t r = 0; r < nruns; r++)
		for (size_t c = 1; c < logged_cols(runs[r]); c++) {
			const char *name = runs[r]->names[c];
			bool seen = false;
			for (size_t q = 0; q < r && !seen; q++) {
				int at = run_find(runs[q], name);
				seen = at >= 0 && (size_t)at < logged_cols(runs[q]);
			}
			if (seen)
				continue;
			if (shown == 40) {
				more++;
				continue;
			}
			char *clean = text_sanitize(name, strlen(name), 40, "?");
			buf_printf(&b, "%s %s", shown ? "," : "", clean);
			free(clean);
			shown++;
		}
	if (shown == 0)
		buf_puts(&b, " none");
	if (more)
		buf_printf(&b, " and %zu more", more);
	return b.data;
}

int panel_list_check(const struct panel *panels, size_t n, struct run *const *runs,
		     size_t nruns, char **cause)
{
	for (size_t p = 0; p < n; p++) {
		/* Known panels may be empty (a job without grad_norm); a name
		 * that is not a column anywhere is a typo. */
		if (!panels[p].owned_column)
			continue;
		bool found = false;
		for (size_t r = 0; r < nruns && !found; r++)
			found = run_find(runs[r], panels[p].owned_column) >= 0;
		if (!found) {
			char *name = text_sanitize(panels[p].name, strlen(panels[p].name),
						   TEXT_MAX_CHARS, "?");
			char *choices = metric_choices(runs, nruns);
			*cause = xasprintf("unknown metric '%s' (no job has a column of that name; %s)", name,
					   choices);
			free(choices);
			free(name);
			return -1;
		}
	}
	return 0;
}

void view_smooth(const double *in, double *out, size_t n, double w)
{
	/* A constant series (over its finite points) is left as is: the
	 * debiased average of a constant is that constant, but not to the
	 * last bit. */
	bool constant = true, seen = false;
	double first = 0;
	for (size_t i = 0; i < n && constant; i++) {
		if (!isfinite(in[i]))
			continue;
		if (!seen) {
			first = in[i];
			seen = true;
		} else if (in[i] != first) {
			constant = false;
		}
	}
	if (constant || w <= 0) {
		if (out != in)
			memmove(out, in, n * sizeof(*out));
		return;
	}
	double last = 0, wn = 1; /* wn = w^count, kept as a running product */
	for (size_t i = 0; i < n; i++) {
		double y = in[i];
		if (!isfinite(y)) {
			out[i] = y;
			continue;
		}
		last = last * w + (1 - w) * y;
		wn *= w;
		out[i] = last / (1 - wn);
	}
}

/* Appends the points of indexes IDX (K of them, unsorted, maybe repeated)
 * in ascending order to ox/oy at *m. */
static void emit_bucket(const double *x, const double *y, size_t *idx, size_t k,
			double *ox, double *oy, size_t *m)
{
	/* Sort at most 4 indexes by insertion. */
	for (size_t i = 1; i < k; i++) {
		size_t v = idx[i], j = i;
		while (j > 0 && idx[j - 1] > v) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && idx[i] == idx[i - 1])
			continue;
		/* idx[i] >= *m always: reading before writing keeps ox == x safe. */
		double xv = x[idx[i]], yv = y[idx[i]];
		ox[*m] = xv;
		oy[*m] = yv;
		(*m)++;
	}
}

/* The column of position POS (floored): far outside (or not a number),
 * the outermost columns. */
static int64_t pos_col(double pos)
{
	pos = floor(pos);
	if (!(pos > -9e18))
		return pos < 0 ? INT64_C(-9000000000000000000) : 0;
	if (pos > 9e18)
		return INT64_C(9000000000000000000);
	return (int64_t)pos;
}

/* Column of X on grid G (see struct view_grid): SCALE is columns per unit
 * of x (0 for a one-column grid), END the position of hi. */
static int64_t grid_col(const struct view_grid *g, double scale, double end, double x)
{
	if (x == g->hi && end == floor(end))
		return pos_col(end - 1);
	return pos_col(g->left + (x - g->lo) * scale);
}

/* The smallest x whose column (by position, as for any x in [lo, hi)) is
 * beyond B: from the arithmetic's inverse, then moved ulp by ulp until it
 * is exactly that; NaN when that does not come within 64 ulps (the
 * caller searches instead). */
static double col_end(const struct view_grid *g, double scale, int64_t b)
{
	if (!(scale > 0) || b >= INT64_C(9000000000000000000) || b <= INT64_C(-9000000000000000000))
		return NAN;
	double t = g->lo + ((double)b + 1 - g->left) / scale;
	int k = 0;
	while (isfinite(t) && pos_col(g->left + (t - g->lo) * scale) <= b && k++ < 64)
		t = nextafter(t, INFINITY);
	if (!isfinite(t) || k > 64)
		return NAN;
	for (k = 0; k < 64; k++) {
		double p = nextafter(t, -INFINITY);
		if (pos_col(g->left + (p - g->lo) * scale) <= b)
			return t;
		t = p;
	}
	return NAN;
}

/* First index in [I, N) whose x is not below V (X ascending), or N. */
static size_t lower_bound(const double *x, size_t i, size_t n, double v)
{
	while (i < n) {
		size_t mid = i + (n - i) / 2;
		if (x[mid] < v)
			i = mid + 1;
		else
			n = mid;
	}
	return i;
}

/* The first index of the smallest and of the largest of Y[I..E) into *LO
 * and *HI, as the loop "if (y[k] < y[lo]) lo = k" from I would find them
 * (a NaN at I stays; later NaNs never win): the values first, in two
 * independent pairs of registers, then the first index holding each
 * (the bucket is in the cache by then). */
static void bucket_extremes(const double *y, size_t i, size_t e, size_t *lo, size_t *hi)
{
	double l0 = y[i], l1 = y[i], h0 = y[i], h1 = y[i];
	*lo = *hi = i;
	if (isnan(y[i]))
		return;
	size_t k = i + 1;
	for (; k + 2 <= e; k += 2) {
		double a = y[k], b = y[k + 1];
		l0 = a < l0 ? a : l0;
		h0 = a > h0 ? a : h0;
		l1 = b < l1 ? b : l1;
		h1 = b > h1 ? b : h1;
	}
	if (k < e) {
		l0 = y[k] < l0 ? y[k] : l0;
		h0 = y[k] > h0 ? y[k] : h0;
	}
	double l = l1 < l0 ? l1 : l0, h = h1 > h0 ? h1 : h0;
	/* == takes -0.0 for 0.0, as "<" never preferred one to the other. */
	for (k = i; y[k] != l; k++)
		;
	*lo = k;
	for (k = i; y[k] != h; k++)
		;
	*hi = k;
}

/* view_downsample's buckets for ascending X on a grid of several columns,
 * bucket by bucket instead of point by point: the same buckets, the same
 * points.  On [lo, hi) a point's column never decreases with x (every
 * step of grid_col is monotone there), so where a bucket of those ends is
 * found by binary search; the points at x == hi (their own rule) and
 * outside [lo, hi] are taken one by one, as the loop in view_downsample
 * does. */
static size_t downsample_sorted(const double *x, const double *y, size_t n,
				const struct view_grid *g, double scale, double end, double *ox,
				double *oy)
{
	size_t below = lower_bound(x, 0, n, g->lo);     /* [0, below): x < lo */
	size_t inner = lower_bound(x, below, n, g->hi); /* [below, inner): x < hi */
	size_t m = 0;
	for (size_t i = 0; i < n;) {
		int side = x[i] < g->lo ? -1 : x[i] > g->hi ? 1 : 0;
		int64_t b = side < 0 ? INT64_MIN : side > 0 ? INT64_MAX : grid_col(g, scale, end, x[i]);
		size_t e;
		double thr;
		if (i < below) {
			e = below;
		} else if (i < inner && !isnan(thr = col_end(g, scale, b))) {
			/* The points before the first x of a later column:
			 * one comparison each, read in order. */
			e = i + 1;
			while (e < inner && x[e] < thr)
				e++;
		} else if (i < inner) {
			/* The first point in (i, inner) of a later column. */
			size_t lo = i + 1, hi = inner;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (grid_col(g, scale, end, x[mid]) > b)
					hi = mid;
				else
					lo = mid + 1;
			}
			e = lo;
		} else {
			e = i + 1;
		}
		while (e < n) {
			int es = x[e] < g->lo ? -1 : x[e] > g->hi ? 1 : 0;
			if (es != side || (side == 0 && grid_col(g, scale, end, x[e]) != b))
				break;
			e++;
		}
		size_t idx[4] = { i, e - 1, i, i };
		bucket_extremes(y, i, e, &idx[2], &idx[3]);
		emit_bucket(x, y, idx, 4, ox, oy, &m);
		i = e;
	}
	return m;
}

/* view_downsample, told when X is known to ascend (ASCENDING: no pass to
 * check it). */
static size_t downsample(const double *x, const double *y, size_t n, const struct view_grid *g,
			 double *ox, double *oy, bool ascending)
{
	if (!g || n <= 4) {
		if (ox != x)
			memmove(ox, x, n * sizeof(*ox));
		if (oy != y)
			memmove(oy, y, n * sizeof(*oy));
		return n;
	}
	/* Buckets by x when x ascends (pixel columns), else by index. */
	bool by_x = true;
	for (size_t i = 1; i < n && by_x && !ascending; i++)
		by_x = x[i] >= x[i - 1];
	double span = g->hi - g->lo, end = g->left + g->width;
	bool one = !(span > 0 && isfinite(span) && g->width > 0 && isfinite(g->width) &&
		     isfinite(g->left) && isfinite(g->lo));
	double scale = one ? 0 : g->width / span;
	if (!isfinite(scale))
		scale = 0;
	double nb = one || !(g->width >= 1) ? 1 : ceil(g->width);
	if (!by_x && nb >= (double)n)
		nb = (double)n; /* one point per bucket: every point */
	double per_i = nb / (double)n;
	if (by_x && !one)
		return downsample_sorted(x, y, n, g, scale, end, ox, oy);

	size_t m = 0, first = 0, last = 0, lo = 0, hi = 0;
	int64_t cur = 0;
	int cur_side = 0;
	for (size_t i = 0; i < n; i++) {
		/* Points outside [lo, hi] (a --xrange narrower than the data)
		 * are one bucket on each side: gnuplot clips them, and the
		 * bucket's first and last points keep the segments that cross
		 * the border whole.  So the budget holds whatever the range. */
		int side = !by_x || one ? 0 : x[i] < g->lo ? -1 : x[i] > g->hi ? 1 : 0;
		int64_t b = !by_x ? (int64_t)((double)i * per_i)
			    : one ? 0
			    : side < 0 ? INT64_MIN
			    : side > 0 ? INT64_MAX
			    : grid_col(g, scale, end, x[i]);
		if (i == 0 || b != cur || side != cur_side) {
			if (i > 0) {
				size_t idx[4] = { first, last, lo, hi };
				emit_bucket(x, y, idx, 4, ox, oy, &m);
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
	size_t idx[4] = { first, last, lo, hi };
	emit_bucket(x, y, idx, 4, ox, oy, &m);
	return m;
}

size_t view_downsample(const double *x, const double *y, size_t n, const struct view_grid *g,
		       double *ox, double *oy)
{
	return downsample(x, y, n, g, ox, oy, false);
}

/* Sorting helper for qsort. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Returns the K-th smallest of V[0..N) (0-based), reordering V so that
 * every element after K is >= it (Hoare quickselect, median-of-three). */
static double select_kth(double *v, size_t n, size_t k)
{
	ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
	while (r - l > 16) {
		ptrdiff_t mid = l + (r - l) / 2;
		double t;
		if (v[mid] < v[l]) { t = v[mid]; v[mid] = v[l]; v[l] = t; }
		if (v[r] < v[l]) { t = v[r]; v[r] = v[l]; v[l] = t; }
		if (v[r] < v[mid]) { t = v[r]; v[r] = v[mid]; v[mid] = t; }
		double pivot = v[mid];
		ptrdiff_t i = l, j = r;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i]; v[i] = v[j]; v[j] = t;
				i++;
				j--;
			}
		}
		if (kk <= j)
			r = j;
		else if (kk >= i)
			l = i;
		else
			return v[kk];
	}
	qsort(v + l, (size_t)(r - l + 1), sizeof(*v), cmp_double);
	return v[kk];
}

/* The P-quantile (0..1) of V[0..N), linear interpolation between order
 * statistics; reorders V. */
static double quantile(double *v, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t k = (size_t)pos;
	double a = select_kth(v, n, k);
	if (k + 1 >= n || pos == (double)k)
		return a;
	/* After selection every element above k is >= a: the next order
	 * statistic is their minimum. */
	double b = v[k + 1];
	for (size_t i = k + 2; i < n; i++)
		if (v[i] < b)
			b = v[i];
	return a + (b - a) * (pos - (double)k);
}

bool view_robust_range(double *v, size_t n, bool logy, double *lo, double *hi)
{
	size_t m = 0;
	bool nonneg = true;
	for (size_t i = 0; i < n; i++) {
		double y = v[i];
		if (!isfinite(y) || (logy && y <= 0))
			continue;
		if (y < 0)
			nonneg = false;
		v[m++] = logy ? log10(y) : y;
	}
	if (m < 2)
		return false;
	double a = quantile(v, m, 0.05);
	double b = quantile(v, m, 0.95);
	double span = b - a;
	if (!(span > 0) || !isfinite(span))
		return false;
	a -= 0.1 * span;
	b += 0.1 * span;
	if (logy) {
		a = pow(10, a);
		b = pow(10, b);
	} else if (nonneg && a < 0) {
		a = 0;
	}
	*lo = a;
	*hi = b;
	return true;
}

/* How one run supplies x values. */
struct xsource {
	int col;       /* column index, or -1: the run is left out */
	double offset; /* subtracted (relative time) */
};

/* Index of column NAME in R when it holds a finite value, else -1; sets
 * *min to its smallest finite value. */
static int finite_col(const struct run *r, const char *name, double *min)
{
	int c = run_find(r, name);
	if (c < 0)
		return -1;
	bool any = false;
	double lo = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		double v = r->cols[c][i];
		if (isfinite(v) && (!any || v < lo)) {
			lo = v;
			any = true;
		}
	}
	*min = lo;
	return any ? c : -1;
}

/* Adds message MSG (owned) to V's warnings. */
static void add_warning(struct view *v, char *msg)
{
	v->warnings = xreallocarray(v->warnings, v->nwarnings + 1, sizeof(*v->warnings));
	v->warnings[v->nwarnings++] = msg;
}

/* Decides the x column of every run; warns about runs that lack it.
 * Returns 0, or -1 with *cause when no run has it. */
static int choose_x(struct view *v, struct run *const *runs, size_t nruns, enum x_axis ax,
		    struct xsource *xs, char **cause)
{
	const char *col, *flag, *what, *none;
	switch (ax) {
	case XAXIS_EPOCH:
		col = COL_EPOCH, flag = "-x epoch", what = "no epoch logged";
		none = "no job logged an epoch";
		break;
	case XAXIS_TIME:
	case XAXIS_RELATIVE:
		col = COL_TIME, flag = ax == XAXIS_TIME ? "-x time" : "-x relative";
		what = "no timestamps", none = "no job has timestamps";
		break;
	case XAXIS_STEP:
	default:
		for (size_t r = 0; r < nruns; r++)
			xs[r] = (struct xsource){ 0, 0 };
		return 0;
	}
	size_t have = 0, nonempty = 0;
	for (size_t r = 0; r < nruns; r++) {
		double min = 0;
		xs[r].col = finite_col(runs[r], col, &min);
		xs[r].offset = ax == XAXIS_RELATIVE ? min : 0;
		if (xs[r].col >= 0)
			have++;
		/* An empty job is reported as such by the caller, not here. */
		if (xs[r].col >= 0 || runs[r]->nrows == 0)
			continue;
		nonempty++;
		const char *arg = runs[r]->arg ? runs[r]->arg : "";
		char *job = text_sanitize(arg, strlen(arg), TEXT_MAX_CHARS, "-");
		add_warning(v, xasprintf("%s: %s, left out of the chart (%s)", job, what, flag));
		free(job);
	}
	if (have == 0 && nonempty > 0) {
		*cause = xasprintf("%s (needed by %s)", none, flag);
		return -1;
	}
	return 0;
}

/* A growable list of series. */
struct slist {
	struct view_series *s;
	size_t n, cap;
};

/* Appends S to L. */
static void slist_push(struct slist *l, const struct view_series *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->s = xreallocarray(l->s, l->cap, sizeof(*l->s));
	}
	l->s[l->n++] = *s;
}

/* A growable array of doubles (values for the outlier-free range). */
struct dvec {
	double *v;
	size_t n, cap;
};

/* Appends N values of P to D. */
static void dvec_append(struct dvec *d, const double *p, size_t n)
{
	if (d->n + n > d->cap) {
		d->cap = d->n + n > 2 * d->cap ? d->n + n : 2 * d->cap;
		d->v = xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	memcpy(d->v + d->n, p, n * sizeof(*p));
	d->n += n;
}

/* A series for S's run/panel/series from the N filtered points X/Y
 * (scratch or the run's columns, not kept), downsampled on grid G (NULL:
 * every point) through the scratch OX/OY (room for N points) into new
 * arrays.  ASCENDING: X is known to ascend. */
static struct view_series make_series(const struct view_series *s, const double *x,
				      const double *y, size_t n, const struct view_grid *g,
				      double *ox, double *oy, bool ascending)
{
	struct view_series out = *s;
	out.n = downsample(x, y, n, g, ox, oy, ascending);
	out.x = xmalloc((out.n ? out.n : 1) * sizeof(*out.x));
	out.y = xmalloc((out.n ? out.n : 1) * sizeof(*out.y));
	memcpy(out.x, ox, out.n * sizeof(*out.x));
	memcpy(out.y, oy, out.n * sizeof(*out.y));
	out.n_full = n;
	return out;
}

/* True for a point that is drawn (view.h). */
bool view_is_drawn(double xv, double yv, bool logy)
{
	/* & rather than &&: no branches in the loops over every row. */
	return (fabs(xv) <= VIEW_MAX_ABS) & (fabs(yv) <= VIEW_MAX_ABS) & !(logy & (yv <= 0));
}

/* What one pass over a (run, column) of a panel tells: the x extent of
 * its drawn points (lo > hi: none), the points with a finite x and y that
 * are not drawn (y <= 0 on a log axis: nonpos; beyond VIEW_MAX_ABS:
 * huge), and whether a drawn point lies within --xrange. */
struct series_scan {
	bool have;          /* the run has the column and the x */
	double lo, hi;
	size_t ndrawn;      /* drawn points */
	size_t nonpos, huge;
	bool within;
	bool ascending;     /* the drawn points' x ascend (known) */
};

/* Scans RUN's column YC with x from XS (WLO, WHI: --xrange or infinite). */
static struct series_scan scan_series(const struct run *run, const struct xsource *xs, int yc,
				      bool logy, double wlo, double whi)
{
	struct series_scan sc = { true, INFINITY, -INFINITY, 0, 0, 0, false, false };
	/* A finished run drawn by step, whose counts (run->stat) say every
	 * point is drawn: its steps ascend strictly, so no pass is needed. */
	size_t n = run->nrows;
	if (run->finished && xs->col == 0 && xs->offset == 0 && (size_t)yc < run->nstat && n > 0) {
		const struct run_colstat *cx = &run->stat[0], *cy = &run->stat[yc];
		if (!cx->nonfinite && !cx->huge && !cy->nonfinite && !cy->huge && !(logy && cy->nonpos)) {
			const double *x = run->cols[0];
			size_t at = lower_bound(x, 0, n, wlo);
			sc.lo = x[0];
			sc.hi = x[n - 1];
			sc.ndrawn = n;
			sc.within = at < n && x[at] <= whi;
			sc.ascending = true;
			return sc;
		}
	}
	const double *xcol = run->cols[xs->col], *ycol = run->cols[yc];
	double off = xs->offset;
	for (size_t i = 0; i < run->nrows; i++) {
		/* Branch-light: flags added up, the extent compared. */
		double xv = xcol[i] - off, yv = ycol[i];
		double ax = fabs(xv), ay = fabs(yv);
		bool finite = (ax <= DBL_MAX) & (ay <= DBL_MAX);
		bool small = (ax <= VIEW_MAX_ABS) & (ay <= VIEW_MAX_ABS);
		bool nonpos = small & logy & (yv <= 0);
		bool drawn = small & !nonpos;
		sc.huge += finite & !small;
		sc.nonpos += nonpos;
		sc.ndrawn += drawn;
		if (drawn & (xv < sc.lo))
			sc.lo = xv;
		if (drawn & (xv > sc.hi))
			sc.hi = xv;
		sc.within |= drawn & (xv >= wlo) & (xv <= whi);
	}
	return sc;
}

/* The points of RUN's column YC that are drawn (is_drawn), with x from XS,
 * into SX/SY (room for run->nrows); returns how many. */
static size_t drawn_points(const struct run *run, const struct xsource *xs, int yc, bool logy,
			   double *sx, double *sy)
{
	const double *xcol = run->cols[xs->col], *ycol = run->cols[yc];
	double off = xs->offset;
	size_t m = 0;
	for (size_t i = 0; i < run->nrows; i++) {
		double xv = xcol[i] - off, yv = ycol[i];
		/* Written always, kept when drawn: m <= i < nrows. */
		sx[m] = xv;
		sy[m] = yv;
		m += view_is_drawn(xv, yv, logy);
	}
	return m;
}

/* The x range panel PN is drawn over: --xrange's ends, the others from
 * the smallest and largest x drawn in it (the scans SC of its series k
 * of run r at SC[r * 2 + k]).  Sets *dlo and *dhi to the data's own
 * range (lo > hi when the panel has no points). */
static struct view_range panel_xrange(const struct panel *pn, size_t nruns,
				      const struct series_scan *sc, const struct view_opts *o,
				      double *dlo, double *dhi)
{
	double lo = INFINITY, hi = -INFINITY;
	for (size_t k = 0; k < pn->nseries; k++) {
		for (size_t r = 0; r < nruns; r++) {
			const struct series_scan *c = &sc[r * 2 + k];
			if (!c->have)
				continue;
			if (c->lo < lo)
				lo = c->lo;
			if (c->hi > hi)
				hi = c->hi;
		}
	}
	*dlo = lo;
	*dhi = hi;
	struct view_range xr = { false, o->xmin_set ? o->xmin : lo, o->xmax_set ? o->xmax : hi };
	xr.set = isfinite(xr.lo) && isfinite(xr.hi) && xr.lo < xr.hi;
	return xr;
}

int view_build(struct view *v, struct run *const *runs, size_t nruns,
	       const struct panel *panels, size_t npanels, const struct view_opts *o,
	       char **cause)
{
	memset(v, 0, sizeof(*v));
	if ((o->xmin_set && !(fabs(o->xmin) <= VIEW_MAX_ABS)) || (o->xmax_set && !(fabs(o->xmax) <= VIEW_MAX_ABS))) {
		*cause = xstrdup("--xrange: values beyond +-1e300 cannot be drawn");
		return -1;
	}
	struct xsource *xs = xcalloc(nruns ? nruns : 1, sizeof(*xs));
	if (choose_x(v, runs, nruns, o->xaxis, xs, cause) < 0) {
		free(xs);
		view_free(v);
		return -1;
	}

	bool smoothing = o->smooth > 0 && o->smooth < 1;
	if (o->ignore_outliers)
		v->yrange = xcalloc(npanels ? npanels : 1, sizeof(*v->yrange));
	v->xrange = xcalloc(npanels ? npanels : 1, sizeof(*v->xrange));
	v->npanels = npanels;

	struct slist all = { 0 }, faded = { 0 }, strong = { 0 };
	struct dvec vals = { 0 };
	/* Scratch for one series' finite points and its reduction, reused:
	 * the kept arrays are only as large as the result. */
	size_t maxrows = 1;
	for (size_t r = 0; r < nruns; r++)
		if (runs[r]->nrows > maxrows)
			maxrows = runs[r]->nrows;
	double *sx = xmalloc(maxrows * sizeof(*sx)), *sy = xmalloc(maxrows * sizeof(*sy));
	double *ox = xmalloc(maxrows * sizeof(*ox)), *oy = xmalloc(maxrows * sizeof(*oy));
	struct series_scan *scans = xcalloc(nruns ? 2 * nruns : 1, sizeof(*scans));
	for (size_t p = 0; p < npanels; p++) {
		const struct panel *pn = &panels[p];
		faded.n = strong.n = vals.n = 0;

		/* One pass over every series: its extent, what is left out,
		 * whether it shows within --xrange. */
		for (size_t r = 0; r < nruns; r++)
			for (size_t k = 0; k < 2; k++) {
				int yc = k < pn->nseries ? run_find(runs[r], pn->series[k].column) : -1;
				scans[r * 2 + k].have = false;
				if (xs[r].col >= 0 && yc >= 0)
					scans[r * 2 + k] = scan_series(runs[r], &xs[r], yc, pn->logy,
								       o->xmin_set ? o->xmin : -INFINITY,
								       o->xmax_set ? o->xmax : INFINITY);
			}
		/* The panel's x range first: every series is bucketed on it. */
		double dlo, dhi;
		v->xrange[p] = panel_xrange(pn, nruns, scans, o, &dlo, &dhi);
		struct view_grid grid = { dlo, dhi, 0, 1 }, *g = &grid;
		if (v->xrange[p].set)
			grid.lo = v->xrange[p].lo, grid.hi = v->xrange[p].hi;
		if (o->max_points > 0) {
			long nb = o->max_points / 4;
			grid.width = nb > 1 ? (double)nb : 1;
		} else if (o->max_points < 0) {
			struct view_px px = o->px ? o->px[p] : (struct view_px){ 0, VIEW_DEFAULT_WIDTH_PX };
			grid.left = px.left * (VIEW_POINTS_PER_PX / 4.0);
			grid.width = px.width * (VIEW_POINTS_PER_PX / 4.0);
		} else {
			g = NULL;
		}

		/* Points left out, said per job and panel; and whether any
		 * point lies inside the panel's x range at all. */
		bool inside = false;
		for (size_t r = 0; r < nruns; r++) {
			size_t nonpos = 0, huge = 0;
			for (size_t k = 0; k < pn->nseries; k++) {
				const struct series_scan *c = &scans[r * 2 + k];
				if (!c->have)
					continue;
				nonpos += c->nonpos;
				huge += c->huge;
				inside = inside || c->within;
			}
			if (nonpos == 0 && huge == 0)
				continue;
			const char *arg = runs[r]->arg ? runs[r]->arg : "";
			char *job = text_sanitize(arg, strlen(arg), TEXT_MAX_CHARS, "-");
			char *name = text_sanitize(pn->name, strlen(pn->name), TEXT_MAX_CHARS, "-");
			if (nonpos)
				add_warning(v, xasprintf("%s: %zu value%s <= 0 left out of the log-scale panel '%s'",
							 job, nonpos, nonpos == 1 ? "" : "s", name));
			if (huge)
				add_warning(v, xasprintf("%s: %zu value%s beyond +-1e300 left out of the panel '%s'",
							 job, huge, huge == 1 ? "" : "s", name));
			free(job);
			free(name);
		}

		for (size_t k = 0; k < pn->nseries && inside; k++) {
			for (size_t r = 0; r < nruns; r++) {
				int yc = run_find(runs[r], pn->series[k].column);
				if (xs[r].col < 0 || yc < 0)
					continue;
				bool smooth = smoothing && pn->series[k].smooth;
				const struct series_scan *c = &scans[r * 2 + k];
				/* Every point drawn, x as logged, nothing to smooth:
				 * the run's own columns are the points (the rows of
				 * a finished run ascend by step); else a copy. */
				const double *px = sx, *py = sy;
				size_t m;
				if (!smooth && xs[r].offset == 0 && c->ndrawn == runs[r]->nrows) {
					px = runs[r]->cols[xs[r].col];
					py = runs[r]->cols[yc];
					m = runs[r]->nrows;
				} else {
					m = drawn_points(runs[r], &xs[r], yc, pn->logy, sx, sy);
				}
				if (m == 0)
					continue;
				if (v->yrange)
					dvec_append(&vals, py, m);
				struct view_series s = { .run = r, .panel = p, .series = k };
				if (smooth) {
					s.faded = true;
					struct view_series raw = make_series(&s, sx, sy, m, g, ox, oy, false);
					slist_push(&faded, &raw);
					s.faded = false;
					view_smooth(sy, sy, m, o->smooth);
				}
				bool asc = px != sx && c->ascending;
				struct view_series line = make_series(&s, px, py, m, g, ox, oy, asc);
				slist_push(&strong, &line);
			}
		}
		for (size_t i = 0; i < faded.n; i++)
			slist_push(&all, &faded.s[i]);
		for (size_t i = 0; i < strong.n; i++)
			slist_push(&all, &strong.s[i]);
		if (v->yrange)
			v->yrange[p].set = view_robust_range(vals.v, vals.n, pn->logy,
							     &v->yrange[p].lo, &v->yrange[p].hi);
	}
	free(sx);
	free(sy);
	free(ox);
	free(oy);
	free(scans);
	free(faded.s);
	free(strong.s);
	free(vals.v);
	free(xs);
	v->s = all.s;
	v->n = all.n;
	return 0;
}

void view_free(struct view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->s[i].x);
		free(v->s[i].y);
	}
	free(v->s);
	for (size_t i = 0; i < v->nwarnings; i++)
		free(v->warnings[i]);
	free(v->warnings);
	free(v->xrange);
	free(v->yrange);
	memset(v, 0, sizeof(*v));
}
