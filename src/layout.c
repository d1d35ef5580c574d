/* layout.c: panel placement (see layout.h). */
#include "config.h"

#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

bool layout_is_text(const char *t)
{
	return t && strcmp(t, "dumb") == 0;
}

void layout_grid(size_t n, int *rows, int *cols)
{
	if (n <= 1) {
		*rows = *cols = 1;
	} else if (n == 2) {
		*rows = 1, *cols = 2;
	} else if (n <= 4) {
		*rows = 2, *cols = 2;
	} else if (n <= 6) {
		*rows = 2, *cols = 3;
	} else {
		int c = (int)ceil(sqrt((double)n));
		*cols = c;
		*rows = (int)((n + (size_t)c - 1) / (size_t)c);
	}
}

/* The chart's width in its terminal's units: WIDTH, else the nominal
 * 1200 pixels (120 characters for a text terminal). */
static double chart_width(const char *terminal, int width)
{
	return width > 0 ? width : layout_is_text(terminal) ? 120 : 1200;
}

/* A screen fraction as the script writes it ("%.4f") and gnuplot reads it
 * back, so both sides compute with the same number. */
static double as_written(double f)
{
	char b[32];
	snprintf(b, sizeof b, "%.4f", f);
	return strtod(b, NULL);
}

/* The left and right edges of panel P's plot area (of N panels) in screen
 * fractions, on a chart W units wide: fixed margins for the y tic labels
 * (78 pixels or 12 characters: "5.0e-04 +-") and on the right (22 or
 * 2), at most 50 % and 10 % of the panel's cell. */
static void panel_edges(bool text, double W, size_t n, size_t p, double *left, double *right)
{
	int rows, cols;
	layout_grid(n, &rows, &cols);
	double cw = 1.0 / cols, m_left = text ? 12 : 78, m_right = text ? 2 : 22;
	double x0 = (double)(p % (size_t)cols) * cw;
	*left = as_written(x0 + fmin(m_left / W, cw * 0.5));
	*right = as_written(x0 + cw - fmin(m_right / W, cw * 0.1));
}

void layout_panel_px(const char *terminal, int width, size_t npanels, size_t panel,
		     double *left, double *width_px)
{
	bool text = layout_is_text(terminal);
	double W = chart_width(terminal, width), l, r;
	panel_edges(text, W, npanels, panel, &l, &r);
	/* gnuplot (boundary.c) places the plot area at xleft = (int)(l * xmax)
	 * and xright = (int)(r * (xmax - 1)) in terminal units, and maps x to
	 * (int)(xleft + (x - min) * (xright - xleft) / (max - min) + 0.5).
	 * pngcairo's unit is 1/20 pixel (GP_CAIRO_SCALE) and cairo's matrix
	 * adds half a pixel: pixel column = floor((xleft + 0.5 + 10 + d) / 20)
	 * for a distance d from xleft.  dumb's unit is one character cell. */
	double k = 0, offset = 0;
	if (terminal && strcmp(terminal, "pngcairo") == 0)
		k = 20, offset = 0.5;
	else if (text)
		k = 1, offset = 0;
	if (k > 0) {
		double xmax = k * W;
		double xl = (double)(long)(l * (double)(float)xmax);
		double xr = (double)(long)(r * (double)(float)(xmax - 1));
		*left = (xl + 0.5) / k + offset;
		*width_px = (xr - xl) / k;
	} else {
		/* Other terminals: the nominal grid, to a fraction of a pixel. */
		*left = l * W;
		*width_px = (r - l) * W;
	}
}

/* The font's size in the chart's units: a character for text, 9 pt in
 * hundredths of an inch for PDF and EPS (--size 5in is 500 units), 10
 * pixels otherwise. */
static double font_units(const char *terminal)
{
	if (layout_is_text(terminal))
		return 1;
	if (terminal && (strcmp(terminal, "pdfcairo") == 0 || strcmp(terminal, "epscairo") == 0))
		return 12.5;
	return 10;
}

/* Rows of a horizontal legend of the NLABELS LABELS (plus "train" and
 * "eval" when PAIR) across W units: gnuplot gives every entry the width
 * of the widest, sample included. */
static double key_rows(double W, bool text, double s, const char *const *labels, size_t nlabels,
		       bool pair)
{
	double char_w = text ? 1 : 7 * s, entry_pad = text ? 10 : 70 * s, widest = 5;
	for (size_t e = 0; e < nlabels; e++)
		widest = fmax(widest, (double)text_width_as(labels[e], text));
	/* (Labels are cut to fit the width: layout_compute_axes.) */
	widest = fmin(widest, fmax(1, floor((W * 0.98 - entry_pad) / char_w)));
	size_t n = nlabels + (pair ? 2 : 0);
	double cols = fmax(1, floor(W * 0.98 / (widest * char_w + entry_pad)));
	return n ? ceil((double)n / cols) : 1;
}

void layout_compute(struct layout *l, const char *terminal, int width, int height,
		    size_t npanels, bool title, const char *const *labels, size_t nlabels, bool pair)
{
	layout_compute_axes(l, terminal, width, height, npanels, title, labels, nlabels, pair, 1);
}

void layout_compute_axes(struct layout *l, const char *terminal, int width, int height,
			 size_t npanels, bool title, const char *const *labels, size_t nlabels,
			 bool pair, int xlines)
{
	memset(l, 0, sizeof *l);
	bool text = l->text = layout_is_text(terminal);
	l->single = npanels == 1;
	l->npanels = npanels;
	l->panels = xcalloc(npanels ? npanels : 1, sizeof *l->panels);
	l->xlines = xlines > 1 ? xlines : 1;
	l->chars = terminal == NULL;
	layout_grid(npanels, &l->rows, &l->cols);
	double W = l->width = chart_width(terminal, width);
	double H = l->height = height ? height : text ? 40 : 800;
	double f = l->font = font_units(terminal), s = f / 10;
	/* Text: a title needs its row and one between it and the tic
	 * labels of the panel above (gnuplot rounds rows down).  A second
	 * line of x tic labels needs its own row (pixels: 1.5 lines). */
	double extra = (l->xlines - 1) * (text ? 1 : 15 * s);
	double m_title = text ? 2 : 28 * s, m_tics = (text ? 2 : 32 * s) + extra;
	double m_xlabel = text ? 2 : 28 * s;
	double title_h = title ? (text ? 2 : 26 * s) : 0;
	/* Legend rows of gnuplot's height (spacing 1.1 of a line).  PDF and
	 * EPS: gnuplot's cairo key measures its 9 pt entries smaller than
	 * the font's size in hundredths of an inch says (at 5 in, four
	 * 20-character labels and train/eval take 3 columns, 2 rows). */
	double ks = f > 10 ? 0.75 : s;
	double row_h = text ? 1 : 19 * ks;
	double rows = key_rows(W, text, ks, labels, nlabels, pair);
	/* Text that cannot fit is cut (with "…"), never drawn past the edge
	 * where gnuplot drops or clips it.  One panel's legend sits over its
	 * plot area (12 characters in from the left in a text chart). */
	double cw = text ? 1 : 8 * ks, tw = l->chars ? fmin(W, 640) : W;
	if (l->chars)
		cw = 8;
	double pad = text ? 10 : l->chars ? 70 : 70 * ks, kw = tw * 0.98;
	if (l->single) {
		double left, right;
		panel_edges(text, tw, 1, 0, &left, &right);
		kw = (right - left) * tw;
	}
	l->label_cols = (size_t)fmax(1, floor((kw - pad) / cw));
	double tcw = text ? 1 : l->chars ? 8 : 8 * s;
	l->title_cols = (size_t)fmax(1, floor(tw * 0.98 / tcw));
	l->panel_title_cols = (size_t)fmax(1, floor(tw / l->cols * 0.95 / tcw));
	/* A script for any terminal: the rows the legend takes at 640
	 * pixels, the smallest size the layout is made for. */
	l->key_chars = key_rows(fmin(W, 640), false, 1, labels, nlabels, pair) * 1.1 + 1;
	/* Text: gnuplot leaves a blank row above and below the key. */
	double key_h = rows * row_h + (text ? 2 : 14 * s);
	double panels_top = 1 - fmin((title_h + key_h) / H, 0.45);
	double ch = panels_top / l->rows;
	l->key_top = 1 - fmin(title_h / H, 0.2);
	l->key_bottom = panels_top;
	for (size_t p = 0; p < npanels; p++) {
		struct layout_panel *lp = &l->panels[p];
		panel_edges(text, W, npanels, p, &lp->left, &lp->right);
		int r = (int)(p / (size_t)l->cols);
		double y1 = panels_top - r * ch;
		/* The x label only under the bottom panel of each column. */
		lp->xlabel = l->single || p + (size_t)l->cols >= npanels;
		double m_bottom = m_tics + (lp->xlabel ? m_xlabel : 0);
		double bottom_cap = ch * H * (text ? 0.4 : 0.5);
		/* A cell too low for the x label's row: no x label (gnuplot would
		 * draw it over the tic labels: "0  step000").  Text: the label
		 * takes one row of its two, which gnuplot's rounding gives it
		 * from 3.5 rows on (80x24 has 3.8); the panel keeps its place. */
		if (!l->single && lp->xlabel && bottom_cap < (text ? m_tics + 1.5 : m_bottom)) {
			lp->xlabel = false;
			if (!text)
				m_bottom = m_tics;
		}
		/* At most 20 % and 40 % of the cell for text; an image's small
		 * panels keep the rows their titles and tic labels need up to
		 * 30 % and 50 % (under 640x480 gnuplot would overlap them). */
		lp->top = y1 - fmin(m_title / H, ch * (text ? 0.2 : 0.3));
		lp->bottom = y1 - ch + fmin(m_bottom / H, ch * (text ? 0.4 : 0.5));
	}
}

void layout_cell(const struct layout *l, size_t p, double *x, double *y, double *w, double *h,
		 double *tmargin)
{
	int r = (int)(p / (size_t)l->cols), c = (int)(p % (size_t)l->cols);
	*w = as_written(1.0 / l->cols);
	*h = as_written(1.0 / l->rows);
	*x = as_written(c * (1.0 / l->cols));
	*y = as_written(1 - (r + 1) * (1.0 / l->rows));
	/* The top row: under the legend (and the title), the panel title. */
	*tmargin = r == 0 ? l->key_chars + 2 : 0;
}

/* A 1-2-2.5-5 step of at least RAW. */
static double nice_step(double raw)
{
	static const double nice[] = {1, 2, 2.5, 5, 10};
	double mag = pow(10, floor(log10(raw)));
	for (size_t k = 0; k < ARRAY_SIZE(nice); k++)
		if (nice[k] * mag >= raw * (1 - 1e-9))
			return nice[k] * mag;
	return 10 * mag;
}

double layout_ylabels(const struct layout *l, size_t p)
{
	if (p >= l->npanels)
		return 0;
	if (l->text) {
		/* A label per row at most: gnuplot prints two on one row. */
		double rows = floor((l->panels[p].top - l->panels[p].bottom) * l->height);
		return l->single ? floor(l->height * 0.6) : rows;
	}
	/* The plot area's height.  A script for any terminal: at 480
	 * pixels, less the rows of its margins (a line is 1.7 font sizes). */
	double h = (l->panels[p].top - l->panels[p].bottom) * l->height;
	if (l->single) {
		h = l->height * 0.72;
	} else if (l->chars) {
		double x, y, w, ch, tm;
		layout_cell(l, p, &x, &y, &w, &ch, &tm);
		h = fmin(l->height, 480) * ch - (fmax(tm, 2) + 3) * 1.7 * l->font;
	}
	return h / (2.2 * l->font);
}

double layout_ytics(const struct layout *l, size_t p, double lo, double hi)
{
	if (p >= l->npanels || !isfinite(lo) || !isfinite(hi) || !(hi > lo))
		return 0;
	double room = floor(layout_ylabels(l, p));
	if (l->text)
		return room >= 11 ? 0 : nice_step((hi - lo) / fmax(room - 1, 1));
	if (room >= 10)
		return 0;
	return nice_step((hi - lo) / fmax(room, 1));
}

double layout_xtime(const struct layout *l, size_t p, double lo, double hi)
{
	if (p >= l->npanels || !isfinite(lo) || !isfinite(hi) || !(hi > lo))
		return 0;
	static const double steps[] = {60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
				       43200, 86400, 172800, 604800, 1209600, 2419200};
	/* The panel's width, and a 5-character label with its gap: 3
	 * characters of text; 5.3 font sizes in an image (a script for any
	 * terminal: at 640 pixels). */
	double w = (l->panels[p].right - l->panels[p].left) * l->width;
	if (l->chars)
		w = 640.0 / l->cols * 0.8;
	double label = l->text ? 5 + 3 : 5.3 * l->font;
	double raw = (hi - lo) / fmax(2, floor(w / label));
	for (size_t k = 0; k < ARRAY_SIZE(steps); k++)
		if (steps[k] >= raw)
			return steps[k];
	return ceil(raw / 2419200) * 2419200;
}

/* gnuplot's own x tic step for a span of SPAN (axis.c,
 * quantize_normal_tics with its guide of 20). */
static double gnuplot_step(double span)
{
	double power = pow(10, floor(log10(span))), xnorm = span / power, posns = 20 / xnorm;
	double t = posns > 40 ? 0.05 : posns > 20 ? 0.1 : posns > 10 ? 0.2 : posns > 4 ? 0.5
		 : posns > 2 ? 1 : posns > 0.5 ? 2 : ceil(xnorm);
	return t * power;
}

/* Width of "%g" label V: in characters for a text chart (TEXT), else in
 * font sizes (DejaVu Sans: a digit 0.64, '.' and '-' 0.34, a little
 * generous). */
static double tic_width(double v, bool text)
{
	char b[64];
	snprintf(b, sizeof b, "%g", fabs(v) < 1e-12 ? 0 : v);
	if (text)
		return (double)strlen(b);
	double w = 0;
	for (const char *c = b; *c; c++)
		w += *c == '.' || *c == '-' ? 0.36 : 0.66;
	return w;
}

/* The widest label of the tics STEP apart in [LO, HI]. */
static double widest_tic(double lo, double hi, double step, bool text)
{
	double lab = 0;
	for (double t = ceil(lo / step) * step; t <= hi; t += step)
		lab = fmax(lab, tic_width(t, text));
	return lab;
}

double layout_text_xtics(const struct layout *l, size_t p, double lo, double hi)
{
	if (l->chars || p >= l->npanels || !isfinite(lo) || !isfinite(hi) || !(hi > lo))
		return 0;
	/* The panel's width in characters (an image: in font sizes) and the
	 * room between two labels (3 characters; 0.4 of the font). */
	bool text = l->text;
	double gap = text ? 3 : 0.4;
	double chars = (l->panels[p].right - l->panels[p].left) * l->width / (text ? 1 : l->font);
	double span = hi - lo, step = 0;
	if (!text) {
		/* gnuplot's own step where its labels fit (large panels). */
		double own = gnuplot_step(span);
		if (chars * own / span >= widest_tic(lo, hi, own, false) + gap)
			return 0;
	}
	double lab = fmax(tic_width(lo, text), tic_width(hi, text));
	/* Twice: the step's own digits may widen the labels (0.25 vs 0.2). */
	for (int pass = 0; pass < 2; pass++) {
		double room = fmax(2, floor(chars / (lab + gap)));
		double raw = span / room, mag = pow(10, floor(log10(raw)));
		static const double nice[] = {1, 2, 2.5, 5, 10};
		step = 10 * mag;
		for (size_t k = 0; k < ARRAY_SIZE(nice); k++)
			if (nice[k] * mag >= raw) {
				step = nice[k] * mag;
				break;
			}
		lab = fmax(lab, widest_tic(lo, hi, step, text));
	}
	return step;
}

void layout_free(struct layout *l)
{
	free(l->panels);
	memset(l, 0, sizeof *l);
}
