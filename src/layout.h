/* layout.h: where the panels and the legend go on the page — the layout
 * arithmetic, computed once, apart from the script that states it
 * (gpscript.c) and shared with the downsampling grid (view.c's pixel
 * columns come from layout_panel_px). */
#ifndef TRCOMPARE_LAYOUT_H
#define TRCOMPARE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* Is TERMINAL's size measured in characters (a text chart)? */
bool layout_is_text(const char *terminal);

/* The grid N panels are laid out in: 1x1, 1x2, 2x2, 2x3, then square-ish. */
void layout_grid(size_t n, int *rows, int *cols);

/* Where panel PANEL (0-based) of NPANELS puts its plot area on a chart
 * WIDTH units wide drawn by TERMINAL (pixels, or character cells for a
 * text terminal; 0 = the nominal width): when a panel's x range is [lo,
 * hi], x is drawn in column floor(*LEFT + (x - lo) * *WIDTH_PX / (hi -
 * lo)).  Exact for pngcairo and dumb (gnuplot's own rounding); for other
 * terminals the nominal grid. */
void layout_panel_px(const char *terminal, int width, size_t npanels, size_t panel,
		     double *left, double *width_px);

/* One panel's plot area in screen fractions, as the script states it. */
struct layout_panel {
	double left, right;  /* always set */
	double top, bottom;  /* multiplot only (a single panel keeps gnuplot's) */
	bool xlabel;         /* the x label goes under this panel */
};

struct layout {
	bool text;           /* a text chart */
	bool single;         /* one panel: a plain plot with its own legend */
	int rows, cols;
	double key_top, key_bottom; /* the legend's band (multiplot) */
	struct layout_panel *panels; /* npanels entries, owned */
	size_t npanels;
	double width;        /* the chart's width in its units */
};

/* Lays out NPANELS panels on a chart WIDTH x HEIGHT (the terminal's units;
 * 0 = nominal 1200x800, 120x40 for text) with a title line when TITLE, and
 * a legend of NLABELS job LABELS plus "train" and "eval" when PAIR.  Sizes
 * are fixed in pixels (characters for text charts), so small and large
 * charts both leave room for the legend, titles and tic labels. */
void layout_compute(struct layout *l, const char *terminal, int width, int height,
		    size_t npanels, bool title, const char *const *labels, size_t nlabels, bool pair);
void layout_free(struct layout *l);

/* The x tic step for panel P of a text chart whose x axis runs from LO
 * to HI: a 1-2-2.5-5 step leaving every label (as "%g") three characters
 * of room, so that gnuplot neither cuts nor runs labels together (at
 * 80 columns a 2x2 panel is 28 characters wide: 0 1000 2000 3000, not
 * 0 500 100 1500 …).  0 (gnuplot's own tics) for other charts. */
double layout_text_xtics(const struct layout *l, size_t p, double lo, double hi);

#endif
