/* view.h: what is drawn, derived from runs and options — panels, the x
 * axis, smoothing and downsampling.  Pure computation: no I/O. */
#ifndef TRCOMPARE_VIEW_H
#define TRCOMPARE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"
#include "run.h"

/* One line style inside a panel: which column, and how it is drawn. */
struct panel_series {
	const char *column;  /* run column name (static string or owned by
	                        the panel, see panel_list_free) */
	const char *kind;    /* legend word: "train", "eval", or NULL */
	bool dashed;         /* eval: dashed with points */
	bool smooth;         /* smoothed when --smooth is on (train-like) */
};

struct panel {
	char *name;       /* as written: "loss", "lr", "tokens_per_second" */
	char *title;      /* "Loss", "Learning rate" … (or the column name) */
	bool logy;        /* perplexity by default; --logy */
	bool exp_format;  /* y tics in exponent notation (learning rate) */
	size_t nseries;   /* 1 or 2 */
	struct panel_series series[2];
	char *owned_column; /* for panels named by a raw column */
};

/* Parses a metric list ("loss,perplexity,lr,grad_norm,throughput,
 * gpu_memory,gpu_util" or any column name).  Known names: loss (train
 * solid + eval dashed), perplexity (log y), lr/learning_rate (exponent
 * tics), grad_norm, throughput/tokens_per_second, gpu_memory, gpu_util;
 * anything else is taken as a column name, checked later against the runs.
 * Returns 0, or -1 with *cause ("empty metric list", "metric name too
 * long"). */
int panel_list_parse(const char *list, struct panel **panels, size_t *n, char **cause);
void panel_list_free(struct panel *panels, size_t n);

/* Checks every panel has data in at least one run; else -1 with *cause
 * "unknown metric 'foo' (no job has a column of that name; panels: loss,
 * perplexity, lr, grad_norm, throughput, gpu_memory, gpu_util; columns:
 * epoch, train_loss, …)": the runs' columns, each once, sanitized and cut
 * at 40 characters, at most 40 of them ("and N more"). */
int panel_list_check(const struct panel *panels, size_t n, struct run *const *runs,
		     size_t nruns, char **cause);

/* A drawn series: points of one run's column in one panel. */
struct view_series {
	size_t run, panel, series; /* indexes into runs, panels, panel->series */
	bool faded;                /* the raw line behind a smoothed one */
	double *x, *y;             /* owned */
	size_t n;
	size_t n_full;             /* finite points before downsampling */
};

/* Where a panel's plot area lies on the output's grid of pixel columns
 * (character cells for a text chart): x = lo of the panel's x range is at
 * column position LEFT, x = hi at LEFT + WIDTH (gpscript_panel_px). */
struct view_px {
	double left, width;
};

struct view_opts {
	enum x_axis xaxis;
	double smooth;      /* 0 = off */
	long max_points;    /* per series: -1 = VIEW_POINTS_PER_PX per pixel
	                       column, N > 0 = N/4 equal buckets of the panel's
	                       x range, 0 = keep all */
	const struct view_px *px; /* npanels entries, or NULL: every panel
	                             VIEW_DEFAULT_WIDTH_PX wide at 0 */
	bool xmin_set, xmax_set;  /* --xrange gave this end */
	double xmin, xmax;
	bool ignore_outliers; /* fill view.yrange (--ignore-outliers) */
};

/* A range chosen for a panel: x (always) or y (--ignore-outliers). */
struct view_range {
	bool set;           /* false: autoscale (y: too few distinct values;
	                       x: no data, or all at one x) */
	double lo, hi;
};

struct view {
	struct view_series *s;
	size_t n;
	char **warnings;    /* malloc'd messages the top level prints */
	size_t nwarnings;
	struct view_range *xrange; /* npanels entries: the x range each panel
	                              is drawn over, which the script must
	                              state exactly; owned */
	struct view_range *yrange; /* npanels entries when ignore_outliers,
	                              else NULL; owned */
	size_t npanels;
};

/* Values (x or y) beyond +-VIEW_MAX_ABS are not drawn: gnuplot's axis
 * arithmetic overflows near DBL_MAX ("x axis range undefined or overflow"
 * already at +-8.9e307). */
#define VIEW_MAX_ABS RUN_HUGE /* 1e300 */

/* True for a point that is drawn: finite x and y within +-VIEW_MAX_ABS,
 * and y > 0 on a log axis. */
bool view_is_drawn(double x, double y, bool logy);

/* Builds every series.  A run lacking what the x axis needs (no epoch, no
 * timestamps) yields a warning naming it, or -1 with *cause when no run has
 * it (runs without rows are neither warned about nor counted).
 * Warnings: "JOB: no epoch logged, left out of the chart (-x epoch)",
 * "JOB: no timestamps, left out of the chart (-x time)" (or "-x relative");
 * causes: "no job logged an epoch (needed by -x epoch)", "no job has
 * timestamps (needed by -x time)".  Series are ordered by panel; within a
 * panel the faded raw lines (--smooth) come first, so drawing in order puts
 * them behind, then every series of panel->series[0] for each run in order,
 * then series[1].  A (run, series) pair without finite points yields no
 * series.  On a log-y panel (panel->logy, set before this call) values <= 0
 * are left out, as gnuplot would drop them, with a warning per job and panel
 * "JOB: N values <= 0 left out of the log-scale panel 'NAME'"; values
 * beyond +-VIEW_MAX_ABS likewise ("JOB: N values beyond +-1e300 left out of
 * the panel 'NAME'").  A panel none of whose points lies in its x range
 * (--xrange outside the data) gets no series (the script draws it as "no
 * data").  --xrange ends beyond +-VIEW_MAX_ABS: -1 with *cause "--xrange:
 * values beyond +-1e300 cannot be drawn".  Relative time is seconds since
 * the job's earliest timestamp.
 * Each panel's x range (v->xrange) is --xrange where given, the rest from
 * the smallest and largest x of every point drawn in the panel; unset when
 * that leaves lo >= hi.  Series are downsampled (view_downsample) on that
 * range's pixel columns (o->px), or on N/4 equal buckets of it. */
int view_build(struct view *v, struct run *const *runs, size_t nruns,
	       const struct panel *panels, size_t npanels, const struct view_opts *o,
	       char **cause);
void view_free(struct view *v);

/* TensorBoard's debiased EMA over finite points: last = last*w + (1-w)*y;
 * n += 1; out = last / (1 - w^n).  Non-finite values pass through; a
 * constant series is left as is.  IN and OUT may alias. */
void view_smooth(const double *in, double *out, size_t n, double w);

/* A grid of buckets along x: x in [lo, hi] falls in column
 * floor(left + (x - lo) * width / (hi - lo)); the points left of lo are
 * one bucket, and those right of hi another (a --xrange narrower than the
 * data: gnuplot clips them, and the first and last points of those
 * buckets keep the segments that cross the border).
 * When left + width is a whole number, x == hi belongs to the column
 * before it (N equal buckets of [lo, hi] are N, not N + 1).  A grid with
 * lo >= hi, a width <= 0 or a non-finite field is one column. */
struct view_grid {
	double lo, hi;
	double left, width;
};

/* M4 (Jugel et al., VLDB 2014): reduces (x,y) to the first, last, minimum
 * and maximum point of every column of G that holds points, in input
 * order.  Drawn as lines on G's pixel columns this looks like the full
 * series; the series' first, last and minimum points are always kept.
 * X must ascend; when it does not, buckets are equal runs of points by
 * index, ceil(width) of them.  G NULL, or N <= 4, keeps every point.  The
 * result has at most 4 points per column holding points.  Writes to ox/oy
 * (room for n points; they may be x/y themselves) and returns the count. */
size_t view_downsample(const double *x, const double *y, size_t n, const struct view_grid *g,
		       double *ox, double *oy);

/* Points per series per pixel column when max_points is -1: the grid is
 * VIEW_POINTS_PER_PX / 4 buckets per pixel column, aligned on the columns,
 * each keeping first/last/min/max.  One bucket per column (4) is M4's
 * figure and exact for one-cell lines: a dumb chart's lines come out byte
 * for byte as from every point (tests/view.sh).  But pngcairo draws 1.5-pixel
 * anti-aliased lines, whose coverage of a column depends on where inside
 * it (and its neighbours) the points lie, so spikes drawn from fewer points
 * lean and blend differently.  Measured on 5 x 100 000 noisy rows (bench/gen),
 * 1200x800 pngcairo 2x2, against the chart of every point (compare -metric
 * AE -fuzz 10%, 960 000 pixels; gnuplot drawing 25 s): 2 per pixel column
 * 4.9 % of pixels differ (0.18 s), 4: 2.1 % (0.23 s), 6: 1.2 % (0.28 s),
 * 8: 0.74 % (0.34 s), 12: 0.30 % (0.46 s).  scripts/gen-runs data: 4:
 * 2.2 %, 8: 0.80 %, 10: 0.51 %, 12: 0.34 %.  Alignment itself made no
 * measurable difference on pngcairo (shifting the grid by a fraction of a
 * pixel moved the 4-point figure between 2.0 % and 2.1 %). */
#define VIEW_POINTS_PER_PX 12
#define VIEW_DEFAULT_WIDTH_PX 800 /* when o->px is NULL */

/* The y range without outliers of N values V (reordered in place): the
 * 5th to 95th percentile (linear interpolation) widened by 10 % of that
 * span on each side, in log space when LOGY (values <= 0 and non-finite
 * values ignored).  A linear range over non-negative data never goes below
 * 0.  Returns false (range unset) with fewer than 2 usable values or a
 * zero span. */
bool view_robust_range(double *v, size_t n, bool logy, double *lo, double *hi);

#endif
