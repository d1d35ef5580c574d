/* gpscript.h: the gnuplot script writer — the only code that writes
 * gnuplot syntax.  Untrusted text (labels, titles, column names) reaches the
 * script only as text_gp_quote(text_sanitize(...)) in the arrays T[] and
 * PT[]; datablocks hold numbers only; datablock names are generated.  The
 * script is gnuplot 5.2 syntax (no `else if`, no function blocks). */
#ifndef TRCOMPARE_GPSCRIPT_H
#define TRCOMPARE_GPSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "datafile.h"
#include "options.h"
#include "run.h"
#include "view.h"

struct gp_job {
	const char *label; /* sanitized */
	const char *color; /* "#rrggbb" */
	const char *file;  /* files mode: data file name inside the data dir */
	double t0;         /* files mode, -x relative: the job's first time */
};

/* A panel's axis ranges; NaN = automatic. */
struct gp_range {
	double min, max;
};

struct gpscript {
	const struct options *opts;
	struct run *const *runs;
	const struct gp_job *jobs;
	size_t njobs;
	const struct panel *panels;
	size_t npanels;
	const struct gp_range *yranges; /* one per panel */
	struct gp_range xrange;

	/* Inline mode: the series to embed as datablocks; a panel whose
	 * view->xrange is set is drawn over exactly that x range (else
	 * xrange).  Files mode (view == NULL): plot the tidy files named in
	 * jobs[].file, columns from cs. */
	const struct view *view;
	const struct colset *cs;

	const char *terminal; /* NULL: leave gnuplot's terminal alone */
	int width, height;    /* in the terminal's units (gnuplot_default_size);
	                         the layout is computed for it, so it must be
	                         set when terminal is; without a terminal, 0
	                         means a nominal 1200x800 */
	bool ansi_color;      /* dumb terminal drawing on a colour tty */
	const char *output;   /* path for `set output`, or NULL */
	bool stdin_fast;      /* first line: load /dev/stdin when piped */
	bool window;          /* end with `pause mouse close` on qt/wxt/x11 */
};

/* Writes the whole script.  Returns 0, or -1 when the stream failed. */
int gpscript_write(FILE *out, const struct gpscript *g);

/* gnuplot commands that make a gnuplot started ahead of the chart
 * (gnuplot_prestart) load the fonts and libraries of TERMINAL by drawing
 * nothing to /dev/null, then reset: about 25 ms of a cairo terminal's
 * start-up that then overlaps the reading of the jobs.  NULL (nothing to
 * gain) for other terminals.  Malloc'd. */
char *gpscript_warmup(const char *terminal);

/* The grid N panels are laid out in: 1x1, 1x2, 2x2, 2x3, then square-ish. */
void gpscript_layout(size_t n, int *rows, int *cols);

/* Where panel PANEL (0-based) of NPANELS puts its plot area on a chart
 * WIDTH units wide drawn by TERMINAL (as in struct gpscript: pixels, or
 * character cells for a text terminal; 0 = the nominal width), by the same
 * layout gpscript_write states: when a panel's x range is [lo, hi], x is
 * drawn in column floor(*LEFT + (x - lo) * *WIDTH_PX / (hi - lo)).  Exact
 * for pngcairo and dumb (gnuplot's own rounding); for other terminals the
 * nominal grid.  The downsampling grid (view_build) comes from here. */
void gpscript_panel_px(const char *terminal, int width, size_t npanels, size_t panel,
		       double *left, double *width_px);

/* Colour of job I (0-based): opts->colors cycled, else the platform's five
 * (#2563eb #16a34a #dc2626 #9333ea #ea580c) then seven more distinct ones
 * (#0891b2 #db2777 #65a30d #ca8a04 #4f46e5 #0d9488 #78716c), cycling. */
const char *gpscript_color(const struct options *opts, size_t i);

#endif
