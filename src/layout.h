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
	/* Set by layout_compute_axes (layout_compute: defaults). */
	double height;       /* the chart's height in its units */
	double font;         /* the font's size in the chart's units */
	int xlines;          /* lines of each x tic label (2: dates over times) */
	/* No terminal: a script for whatever terminal gnuplot has.  Margins
	 * are then in character units, which hold at any size: panels sit in
	 * cells (cell_*, screen fractions) with gnuplot's own left margin
	 * (measured from its tic labels) and these rows above and below. */
	bool chars;
	double key_chars;    /* rows of the legend (at the top of the page) */
	/* Room for text, in columns of a terminal (text_width; an image's
	 * characters at 8 pixels of its 10-pixel font, a script for any
	 * terminal's at 640 pixels): a legend entry's label beside its sample,
	 * the title, and a panel's title. */
	size_t label_cols, title_cols, panel_title_cols;
};

/* Lays out NPANELS panels on a chart WIDTH x HEIGHT (the terminal's units;
 * 0 = nominal 1200x800, 120x40 for text) with a title line when TITLE, and
 * a legend of NLABELS job LABELS plus "train" and "eval" when PAIR.  Sizes
 * are fixed in pixels (characters for text charts), so small and large
 * charts both leave room for the legend, titles and tic labels. */
void layout_compute(struct layout *l, const char *terminal, int width, int height,
		    size_t npanels, bool title, const char *const *labels, size_t nlabels, bool pair);
void layout_free(struct layout *l);

/* layout_compute for x tic labels of XLINES lines (2 for -x time's
 * dates over times), which the bottom margins and, in a text chart, the
 * tic spacing make room for. */
void layout_compute_axes(struct layout *l, const char *terminal, int width, int height,
			 size_t npanels, bool title, const char *const *labels, size_t nlabels,
			 bool pair, int xlines);

/* The y tic step for panel P of an image chart whose linear y axis runs
 * from LO to HI: a 1-2-2.5-5 step leaving about two lines of the font
 * between labels (gnuplot's own step crowds 11 labels into a small
 * panel, where they overlap; in a text chart one label per row).  0:
 * gnuplot's own tics are fine (large panels). */
double layout_ytics(const struct layout *l, size_t p, double lo, double hi);

/* How many y tic labels panel P has room for, evenly spaced: its whole
 * rows in a text chart, its height over 2.2 font sizes in an image (a
 * fraction). */
double layout_ylabels(const struct layout *l, size_t p);

/* The x tic step in seconds for panel P of a chart whose time axis runs
 * from LO to HI (seconds since 1970): a round step (minutes, hours, days)
 * leaving every 5-character label ("11-18" over "12:00") room, so that
 * dates never run together ("11-1811-18" in a text chart, overlapping
 * labels in a small image). */
double layout_xtime(const struct layout *l, size_t p, double lo, double hi);

/* A panel's cell in a chars layout (screen fractions) and its top
 * margin in character rows (0: gnuplot's own, from the title). */
void layout_cell(const struct layout *l, size_t p, double *x, double *y, double *w, double *h,
		 double *tmargin);

/* The x tic step for panel P of a chart whose x axis runs from LO to HI:
 * a 1-2-2.5-5 step leaving every label (as "%g") room, three characters
 * in a text chart, so that gnuplot neither cuts nor runs labels together
 * (at 80 columns a 2x2 panel is 28 characters wide: 0 1000 2000 3000,
 * not 0 500 100 1500 …), a digit in an image (at 480x360: 0 1000 2000
 * 3000, not 500 1000 15002000 …).  0 (gnuplot's own tics) for an image
 * whose panel fits gnuplot's own labels, and a script for any terminal. */
double layout_text_xtics(const struct layout *l, size_t p, double lo, double hi);

#endif
