/* view.h: what is drawn, derived from runs and options — panels, the x
 * axis, smoothing and downsampling.  Pure computation: no I/O. */
#ifndef TRCOMPARE_VIEW_H
#define TRCOMPARE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "run.h"

#define VIEW_DEFAULT_METRICS "loss,perplexity,lr,grad_norm"

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
 * "unknown metric 'foo' (no job has a column of that name)". */
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

struct view_opts {
	enum x_axis xaxis;
	double smooth;      /* 0 = off */
	long max_points;    /* per series; -1 = from width_px, 0 = keep all */
	int panel_width_px; /* drawing width of one panel in pixels */
	bool ignore_outliers; /* fill view.yrange (--ignore-outliers) */
};

/* A y range chosen for a panel (--ignore-outliers). */
struct view_range {
	bool set;           /* false: too few distinct values, autoscale */
	double lo, hi;
};

struct view {
	struct view_series *s;
	size_t n;
	char **warnings;    /* malloc'd messages the top level prints */
	size_t nwarnings;
	struct view_range *yrange; /* npanels entries when ignore_outliers,
	                              else NULL; owned */
	size_t npanels;
};

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
 * are left out, as gnuplot would drop them.  Relative time is seconds since
 * the job's earliest timestamp. */
int view_build(struct view *v, struct run *const *runs, size_t nruns,
	       const struct panel *panels, size_t npanels, const struct view_opts *o,
	       char **cause);
void view_free(struct view *v);

/* TensorBoard's debiased EMA over finite points: last = last*w + (1-w)*y;
 * n += 1; out = last / (1 - w^n).  Non-finite values pass through; a
 * constant series is left as is.  IN and OUT may alias. */
void view_smooth(const double *in, double *out, size_t n, double w);

/* Shape-preserving reduction of (x,y) to about BUDGET points: per bucket of
 * x the first, last, min and max points, always keeping the series' first,
 * last and minimum points.  X must be ascending; when it is not, buckets
 * are taken by index instead.  BUDGET 0 or >= N keeps every point; the
 * result never exceeds max(BUDGET, 4) points.  Writes to ox/oy (room for n
 * points; they may be x/y themselves) and returns the count. */
size_t view_downsample(const double *x, const double *y, size_t n, size_t budget,
		       double *ox, double *oy);

/* Points per series when max_points is -1, per pixel of panel width: 3
 * buckets per pixel column, each keeping first/last/min/max.  Measured on
 * 5 x 100 000 noisy rows, 1200x800 pngcairo 2x2 (tests/view.sh): 4 per
 * pixel differed from the all-points chart in 1.7 % of pixels, 8 in 0.5 %,
 * 12 in 0.21 %; gnuplot's drawing time grows from 0.28 s to 0.61 s. */
#define VIEW_POINTS_PER_PX 12
#define VIEW_DEFAULT_WIDTH_PX 800 /* when panel_width_px <= 0 */

/* The y range without outliers of N values V (reordered in place): the
 * 5th to 95th percentile (linear interpolation) widened by 10 % of that
 * span on each side, in log space when LOGY (values <= 0 and non-finite
 * values ignored).  A linear range over non-negative data never goes below
 * 0.  Returns false (range unset) with fewer than 2 usable values or a
 * zero span. */
bool view_robust_range(double *v, size_t n, bool logy, double *lo, double *hi);

#endif
