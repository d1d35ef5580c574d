/* gpscript.c: writes the gnuplot script (see gpscript.h for the rules). */
#include "config.h"

#include "gpscript.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

static const char *const default_colors[] = {
	"#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", /* the platform's */
	"#0891b2", "#db2777", "#65a30d", "#ca8a04", "#4f46e5", "#0d9488", "#78716c",
};

/* Colour of job I. */
const char *gpscript_color(const struct options *opts, size_t i)
{
	if (opts && opts->ncolors)
		return opts->colors[i % opts->ncolors];
	return default_colors[i % ARRAY_SIZE(default_colors)];
}

/* "#rrggbb" mixed 65 % towards white: the faded raw line behind a smoothed one. */
static void faded(const char *color, char out[8])
{
	unsigned r = 0, g = 0, b = 0;
	if (sscanf(color, "#%2x%2x%2x", &r, &g, &b) != 3)
		r = g = b = 0x80;
	r = r + (255 - r) * 65 / 100;
	g = g + (255 - g) * 65 / 100;
	b = b + (255 - b) * 65 / 100;
	snprintf(out, 8, "#%02x%02x%02x", r & 0xff, g & 0xff, b & 0xff);
}

/* Writes NAME = <quoted sanitized text> for untrusted TEXT. */
static void put_string_var(FILE *out, const char *name, const char *text)
{
	char *clean = text_sanitize(text, strlen(text), TEXT_MAX_CHARS, "");
	char *q = text_gp_quote(clean);
	fprintf(out, "%s = %s\n", name, q);
	free(q);
	free(clean);
}

/* Writes a number the way gnuplot reads it back ("NaN" when not finite). */
static void put_num(FILE *out, double v)
{
	char b[FMT_DOUBLE_MAX];
	fmt_double(b, v);
	fputs(b, out);
}

/* Is this terminal's size measured in characters? */
static bool term_is_text(const char *t)
{
	return t && strcmp(t, "dumb") == 0;
}

/* Writes `set terminal …` with size and font, then noenhanced. */
static void put_terminal(FILE *out, const struct gpscript *g)
{
	const char *t = g->terminal;
	if (t) {
		int w = g->width, h = g->height;
		fprintf(out, "set terminal %s", t);
		if (strcmp(t, "pngcairo") == 0 || strcmp(t, "svg") == 0) {
			fprintf(out, " size %d,%d font \"sans,10\"", w, h);
			if (strcmp(t, "svg") == 0)
				fputs(" background \"#ffffff\"", out);
		} else if (strcmp(t, "pdfcairo") == 0 || strcmp(t, "epscairo") == 0) {
			fprintf(out, " size %.2fin,%.2fin font \"sans,9\"", w / 100.0, h / 100.0);
		} else if (strcmp(t, "dumb") == 0) {
			fprintf(out, " size %d,%d", w, h);
			if (g->ansi_color)
				fputs(" ansirgb", out);
		} else if (strcmp(t, "canvas") == 0) {
			fprintf(out, " size %d,%d standalone", w, h);
		} else if ((strcmp(t, "png") == 0 || strcmp(t, "wxt") == 0 || strcmp(t, "qt") == 0 ||
				      strcmp(t, "x11") == 0 || strcmp(t, "sixelgd") == 0 || strcmp(t, "jpeg") == 0 ||
				      strcmp(t, "gif") == 0 || strcmp(t, "webp") == 0 ||
				      (g->opts->width && g->opts->height))) {
			/* Pixel terminals; others (postscript, tikz …) measure in
			 * inches or cm, so only a --size the user gave is passed. */
			fprintf(out, " size %d,%d", w, h);
		}
		fputc('\n', out);
	} else {
		/* No terminal chosen: keep the user's, unless it cannot draw here
		 * (gnuplot's "unknown", or a window terminal with no display when
		 * this script was made); then draw a text chart. */
		bool display = env_set("DISPLAY") || env_set("WAYLAND_DISPLAY");
		fprintf(out, "if (GPVAL_TERM eq \"unknown\" || (%d && (GPVAL_TERM eq \"qt\" || "
			     "GPVAL_TERM eq \"wxt\" || GPVAL_TERM eq \"x11\"))) { set terminal dumb size 120,40 }\n",
			display ? 0 : 1);
	}
	/* Enhanced text would mangle names holding ^ _ { } @ & ~. */
	fputs("set termoption noenhanced\n", out);
}

/* The chart's width in its terminal's units: WIDTH, else the nominal
 * 1200 pixels (120 characters for a text terminal). */
static double chart_width(const char *terminal, int width)
{
	return width > 0 ? width : term_is_text(terminal) ? 120 : 1200;
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
 * (78 pixels or 12 characters) and on the right (22 or 2), at most 30 %
 * and 10 % of the panel's cell. */
static void panel_edges(bool text, double W, size_t n, size_t p, double *left, double *right)
{
	int rows, cols;
	gpscript_layout(n, &rows, &cols);
	double cw = 1.0 / cols, m_left = text ? 12 : 78, m_right = text ? 2 : 22;
	double x0 = (double)(p % (size_t)cols) * cw;
	*left = as_written(x0 + fmin(m_left / W, cw * 0.3));
	*right = as_written(x0 + cw - fmin(m_right / W, cw * 0.1));
}

/* Panel P's plot area in pixel columns (see gpscript.h). */
void gpscript_panel_px(const char *terminal, int width, size_t npanels, size_t panel,
		       double *left, double *width_px)
{
	bool text = term_is_text(terminal);
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

char *gpscript_warmup(const char *terminal)
{
	static const char *const cairo[] = {"pngcairo", "pdfcairo", "epscairo"};
	bool known = false;
	for (size_t i = 0; terminal && i < ARRAY_SIZE(cairo); i++)
		known = known || strcmp(terminal, cairo[i]) == 0;
	if (!known)
		return NULL;
	/* Text in the chart's font, drawn to nowhere; reset leaves the
	 * terminal and output alone and everything else as at start-up.  One
	 * line, so that gnuplot's messages about the script are off by one
	 * line only ("/dev/stdin" line N+1). */
	return xasprintf("set terminal %s font \"sans,10\"; set output \"/dev/null\"; set title \"0\"; "
			 "plot [0:1] [0:1] 0 notitle; set output; reset\n",
			 terminal);
}

/* Layout of N panels: rows and columns. */
void gpscript_layout(size_t n, int *rows, int *cols)
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

/* The x label for the chosen axis. */
static const char *x_label(enum x_axis x)
{
	switch (x) {
	case XAXIS_EPOCH: return "epoch";
	case XAXIS_TIME: return "time";
	case XAXIS_RELATIVE: return "time since start (h:min)";
	case XAXIS_STEP: break;
	}
	return "step";
}

/* Writes a [min:max] range, '*' for automatic ends. */
static void put_range(FILE *out, const char *axis, struct gp_range r)
{
	fprintf(out, "set %srange [", axis);
	if (isfinite(r.min))
		put_num(out, r.min);
	else
		fputc('*', out);
	fputc(':', out);
	if (isfinite(r.max))
		put_num(out, r.max);
	else
		fputc('*', out);
	fputs("]\n", out);
}

/* On a log axis spanning less than two decades gnuplot labels no tics
 * (it labels only powers of ten): list 1-2-5 tics instead. */
static void put_log_tics(FILE *out, bool logy, struct gp_range r)
{
	if (!logy || !isfinite(r.min) || !isfinite(r.max) || r.min <= 0 || r.max / r.min >= 100) {
		fputs("set ytics autofreq\n", out);
		return;
	}
	static const double wide[] = {1, 2, 5}, narrow[] = {1, 1.5, 2, 3, 4, 5, 6, 8};
	bool one_decade = r.max / r.min < 10;
	const double *mant = one_decade ? narrow : wide;
	size_t nmant = one_decade ? ARRAY_SIZE(narrow) : ARRAY_SIZE(wide);
	int n = 0;
	fputs("set ytics (", out);
	for (int e = (int)floor(log10(r.min)); e <= (int)ceil(log10(r.max)); e++)
		for (size_t k = 0; k < nmant; k++) {
			double t = mant[k] * pow(10, e);
			if (t < r.min || t > r.max)
				continue;
			if (n++)
				fputs(", ", out);
			put_num(out, t);
		}
	if (n == 0) /* no 1-2-5 value inside: label both ends */
		put_num(out, r.min), fputs(", ", out), put_num(out, r.max);
	fputs(")\n", out);
}

/* Line style of one drawn series. */
static void put_style(FILE *out, const struct panel_series *ps, bool faded_line, bool smoothed,
		      size_t job)
{
	if (faded_line)
		fprintf(out, " with lines lw 1 lc rgb F[%zu] notitle", job + 1);
	else if (ps->dashed)
		fprintf(out, " with linespoints dt 2 lw 1.5 pt 7 ps 0.5 lc rgb C[%zu] notitle", job + 1);
	else
		fprintf(out, " with lines lw %s lc rgb C[%zu] notitle", smoothed ? "2" : "1.5", job + 1);
}

/* The datablock name of view series K. */
static void block_name(char *b, size_t k)
{
	snprintf(b, 32, "$trc%zu", k);
}

/* Writes the inline datablocks: numbers only, generated names. */
static void put_datablocks(FILE *out, const struct view *v)
{
	char name[32], num[FMT_DOUBLE_MAX];
	for (size_t k = 0; k < v->n; k++) {
		const struct view_series *s = &v->s[k];
		if (s->n == 0)
			continue;
		block_name(name, k);
		fprintf(out, "%s << EOD\n", name);
		for (size_t i = 0; i < s->n; i++) {
			int n = fmt_double(num, s->x[i]);
			num[n++] = ' ';
			fwrite(num, 1, (size_t)n, out);
			n = fmt_double(num, s->y[i]);
			num[n++] = '\n';
			fwrite(num, 1, (size_t)n, out);
		}
		fputs("EOD\n", out);
	}
}

/* Files mode: the x "using" expression for job J. */
static void put_x_using(FILE *out, const struct gpscript *g, size_t j)
{
	const char *col = COL_STEP;
	if (g->opts->xaxis == XAXIS_EPOCH)
		col = COL_EPOCH;
	else if (g->opts->xaxis == XAXIS_TIME || g->opts->xaxis == XAXIS_RELATIVE)
		col = COL_TIME;
	int c = colset_index(g->cs, col);
	if (g->opts->xaxis == XAXIS_RELATIVE) {
		fprintf(out, "($%d-", c);
		put_num(out, g->jobs[j].t0);
		fputc(')', out);
	} else {
		fprintf(out, "%d", c);
	}
}

/* Files mode: does job J have what the x axis needs? */
static bool has_x(const struct gpscript *g, size_t j)
{
	switch (g->opts->xaxis) {
	case XAXIS_EPOCH: return run_find(g->runs[j], COL_EPOCH) >= 0 && colset_index(g->cs, COL_EPOCH) > 0;
	case XAXIS_TIME: return run_find(g->runs[j], COL_TIME) >= 0 && colset_index(g->cs, COL_TIME) > 0;
	case XAXIS_RELATIVE: return isfinite(g->jobs[j].t0) && colset_index(g->cs, COL_TIME) > 0;
	case XAXIS_STEP: break;
	}
	return true;
}

/* Writes the plot clauses of panel P; returns how many were written. */
static int put_clauses(FILE *out, const struct gpscript *g, size_t p)
{
	const struct panel *pan = &g->panels[p];
	int nclauses = 0;
	char name[32];
	if (g->view) {
		/* Faded raw lines first, so they stay behind. */
		for (int pass = 0; pass < 2; pass++) {
			for (size_t k = 0; k < g->view->n; k++) {
				const struct view_series *s = &g->view->s[k];
				if (s->panel != p || s->n == 0 || (pass == 0) != s->faded)
					continue;
				block_name(name, k);
				fprintf(out, "%s%s using 1:2", nclauses ? ", \\\n     " : "plot ", name);
				bool smoothed = !s->faded && g->opts->smooth > 0 && pan->series[s->series].smooth;
				put_style(out, &pan->series[s->series], s->faded, smoothed, s->run);
				nclauses++;
			}
		}
		return nclauses;
	}
	/* Files mode: every job's file, one clause per series with a column. */
	bool smoothing = g->opts->smooth > 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j < g->njobs; j++) {
			/* Jobs without what the x axis needs were reported by name. */
			if (!g->jobs[j].file || g->runs[j]->nrows == 0 || !has_x(g, j))
				continue;
			for (size_t si = 0; si < pan->nseries; si++) {
				const struct panel_series *ps = &pan->series[si];
				bool smoothable = smoothing && ps->smooth;
				if (pass == 0 && !smoothable)
					continue;
				int yc = colset_index(g->cs, ps->column);
				if (pass == 1 && smoothable) {
					char *sc = xasprintf("%s_smoothed", ps->column);
					yc = colset_index(g->cs, sc);
					free(sc);
				}
				if (yc <= 0 || run_find(g->runs[j], ps->column) < 0)
					continue;
				fprintf(out, "%s(trc_dir.D[%zu]) using ", nclauses ? ", \\\n     " : "plot ", j + 1);
				put_x_using(out, g, j);
				fprintf(out, ":%d", yc);
				put_style(out, ps, pass == 0, smoothable && pass == 1, j);
				nclauses++;
			}
		}
	}
	return nclauses;
}

/* Does any panel draw a train/eval pair (so the key explains dashes)? */
static bool any_pair(const struct gpscript *g)
{
	for (size_t p = 0; p < g->npanels; p++)
		if (g->panels[p].nseries > 1)
			return true;
	return false;
}

/* Appends the legend's entries to a plot command: job colours, and what
 * solid and dashed mean when a panel draws train and eval. */
static void put_key_entries(FILE *out, const struct gpscript *g)
{
	for (size_t j = 0; j < g->njobs; j++)
		fprintf(out, ", \\\n     NaN with lines lw 2 lc rgb C[%zu] title T[%zu]", j + 1, j + 1);
	if (any_pair(g))
		fputs(", \\\n     NaN with lines lw 1.5 lc rgb \"#4b5563\" title \"train\""
		      ", \\\n     NaN with linespoints dt 2 lw 1.5 pt 7 ps 0.5 lc rgb \"#4b5563\" title \"eval\"",
		      out);
}

/* Writes the script. */
int gpscript_write(FILE *out, const struct gpscript *g)
{
	const struct options *o = g->opts;
	size_t nj = g->njobs;

	fputs("# Generated by " PACKAGE_NAME "-plot " PACKAGE_VERSION ": a comparison of training runs.\n"
	      "# Run it with gnuplot (5.2 or later): gnuplot THIS_FILE, load 'THIS_FILE', or pipe it in.\n", out);
	if (g->stdin_fast)
		/* gnuplot reads a pipe one byte per system call; reading the rest
		 * as a file is 10-30x faster.  ARG0 is empty only on stdin. */
		fputs("if (ARG0 eq \"\" && !exists(\"trc_stdin\")) { trc_stdin = 1; load \"/dev/stdin\"; exit }\n", out);
	put_terminal(out, g);
	/* UTF-8 labels; not on x11, where gnuplot 5.4 then returns from
	 * `pause mouse close` at once and the window vanishes. */
	fputs("if (GPVAL_TERM ne \"x11\") { set encoding utf8 }\n", out);
	if (g->output) {
		/* A leading '<' or '|' would make gnuplot run a command. */
		char *safe = g->output[0] == '<' || g->output[0] == '|' ? xasprintf("./%s", g->output)
									: xstrdup(g->output);
		char *q = text_gp_quote(safe);
		free(safe);
		fprintf(out, "set output %s\n", q);
		free(q);
	}

	/* Names and colours, each once. */
	fprintf(out, "array T[%zu]\narray C[%zu]\narray F[%zu]\n", nj, nj, nj);
	for (size_t j = 0; j < nj; j++) {
		char var[32], fc[8];
		snprintf(var, sizeof var, "T[%zu]", j + 1);
		put_string_var(out, var, g->jobs[j].label);
		faded(g->jobs[j].color, fc);
		fprintf(out, "C[%zu] = \"%s\"; F[%zu] = \"%s\"\n", j + 1, g->jobs[j].color, j + 1, fc);
	}
	fprintf(out, "array PT[%zu]\n", g->npanels);
	for (size_t p = 0; p < g->npanels; p++) {
		char var[32];
		snprintf(var, sizeof var, "PT[%zu]", p + 1);
		put_string_var(out, var, g->panels[p].title);
	}
	if (o->title)
		put_string_var(out, "trc_title", o->title);

	if (g->view) {
		put_datablocks(out, g->view);
	} else {
		/* Files mode: data files sit beside this script, wherever it is run
		 * from.  ARG0 is the script's path when run as a file or loaded. */
		fprintf(out, "array D[%zu]\n", nj);
		for (size_t j = 0; j < nj; j++) {
			if (!g->jobs[j].file)
				continue;
			char var[32];
			snprintf(var, sizeof var, "D[%zu]", j + 1);
			char *q = text_gp_quote(g->jobs[j].file);
			fprintf(out, "%s = %s\n", var, q);
			free(q);
		}
		fputs("trc_dir = \"\"; trc_p = ARG0\n"
		      "while (strstrt(trc_p, \"/\") > 0) { trc_i = strstrt(trc_p, \"/\"); "
		      "trc_dir = trc_dir.trc_p[1:trc_i]; trc_p = trc_p[trc_i+1:] }\n"
		      /* A directory starting with < or | would run a command,
		       * one starting with $ would name a datablock. */
		      "if (strlen(trc_dir) > 0 && (trc_dir[1:1] eq \"<\" || trc_dir[1:1] eq \"|\" "
		      "|| trc_dir[1:1] eq \"$\")) "
		      "{ trc_dir = \"./\".trc_dir }\n",
		      out);
	}

	/* Look. */
	if (!term_is_text(g->terminal))
		fputs("set grid lc rgb \"#e5e7eb\" lw 1\n", out);
	fputs("set datafile missing \"NaN\"\n"
	      "set border 3 lc rgb \"#6b7280\"\n"
	      "set tics nomirror\n"
	      "set xtics out\nset ytics out\n",
	      out);
	if (o->xaxis == XAXIS_TIME)
		fputs("set format x \"%m-%d\\n%H:%M\" timedate\n", out);
	else if (o->xaxis == XAXIS_RELATIVE)
		fputs("set format x \"%tH:%tM\" timedate\n", out);

	int rows, cols;
	gpscript_layout(g->npanels, &rows, &cols);
	bool text = term_is_text(g->terminal);
	/* Placement in screen fractions from fixed sizes in pixels (characters
	 * for text charts), so small and large charts both leave room for the
	 * legend, titles and tic labels.  The legend is its own full-width
	 * plot at the top, so it is laid out across the whole page.  Left and
	 * right edges come from panel_edges (shared with gpscript_panel_px). */
	double W = chart_width(g->terminal, g->width);
	double H = g->height ? g->height : text ? 40 : 800;
	double m_title = text ? 1 : 28, m_tics = text ? 2 : 32, m_xlabel = text ? 2 : 28;
	double title_h = o->title ? (text ? 2 : 26) : 0;
	/* Legend rows: entries of the label's width plus the sample. */
	double entry_pad = text ? 9 : 70, char_w = text ? 1 : 7, row_h = text ? 1 : 17;
	double row_w = 0, key_rows = 1;
	size_t nentries = nj + (any_pair(g) ? 2 : 0);
	for (size_t e = 0; e < nentries; e++) {
		double w = (e < nj ? (double)strlen(g->jobs[e].label) : 5) * char_w + entry_pad;
		if (row_w > 0 && row_w + w > W * 0.94) {
			key_rows++;
			row_w = 0;
		}
		row_w += w;
	}
	double key_h = key_rows * row_h + (text ? 1 : 14);
	double panels_top = 1 - fmin((title_h + key_h) / H, 0.45);
	double ch = panels_top / rows;

	fprintf(out, "# %zu panel%s in %d row%s x %d column%s\n", g->npanels, g->npanels == 1 ? "" : "s",
		rows, rows == 1 ? "" : "s", cols, cols == 1 ? "" : "s");
	/* One panel is a plain plot with its own legend: a window can zoom
	 * it (gnuplot does not zoom multiplots). */
	bool single = g->npanels == 1;
	if (!single)
		fputs(o->title ? "set multiplot title trc_title\n" : "set multiplot\n", out);
	for (size_t p = 0; p < g->npanels; p++) {
		const struct panel *pan = &g->panels[p];
		fprintf(out, "# panel %zu\n", p + 1);
		/* The plot area's left and right edges are fixed, so the
		 * downsampling grid (gpscript_panel_px) is gnuplot's. */
		double left, right;
		panel_edges(text, W, g->npanels, p, &left, &right);
		fprintf(out, "set lmargin at screen %.4f; set rmargin at screen %.4f\n", left, right);
		if (single) {
			fprintf(out, "set xlabel \"%s\"\n", x_label(o->xaxis));
			fputs(o->title ? "set title trc_title.\"\\n\".PT[1]\n" : "set title PT[1]\n", out);
			fputs("set key outside top center horizontal noautotitle samplen 2.5 spacing 1.1\n", out);
		} else {
			int r = (int)(p / (size_t)cols);
			double y1 = panels_top - r * ch;
			/* The x label only under the bottom panel of each column. */
			bool xlabel = p + (size_t)cols >= g->npanels;
			double m_bottom = m_tics + (xlabel ? m_xlabel : 0);
			fprintf(out, "set tmargin at screen %.4f; set bmargin at screen %.4f\n",
				y1 - fmin(m_title / H, ch * 0.2), y1 - ch + fmin(m_bottom / H, ch * 0.4));
			if (xlabel)
				fprintf(out, "set xlabel \"%s\"\n", x_label(o->xaxis));
			else
				fputs("unset xlabel\n", out);
			fprintf(out, "set title PT[%zu]\n", p + 1);
			fputs("unset key\n", out);
		}
		fputs(pan->logy ? "set logscale y\n" : "unset logscale y\n", out);
		fputs(pan->exp_format ? "set format y \"%.1e\"\n" : "set format y \"% h\"\n", out);
		/* Inline data: the x range the view downsampled for, stated
		 * exactly (gnuplot would widen an automatic one to a tic). */
		struct gp_range xr = g->xrange;
		if (g->view && g->view->xrange && p < g->view->npanels && g->view->xrange[p].set)
			xr = (struct gp_range){ g->view->xrange[p].lo, g->view->xrange[p].hi };
		put_range(out, "x", xr);
		struct gp_range yr = g->yranges ? g->yranges[p] : (struct gp_range){NAN, NAN};
		put_range(out, "y", yr);
		put_log_tics(out, pan->logy, yr);
		int n = put_clauses(out, g, p);
		if (n == 0)
			/* Nothing to draw here: an empty frame that says so. */
			fputs("set label 1 \"no data\" at graph 0.5, graph 0.5 center\n"
			      "unset logscale y\nset xrange [0:1]\nset yrange [0:1]\n"
			      "plot 2 notitle",
			      out);
		if (single)
			put_key_entries(out, g);
		fputc('\n', out);
		if (n == 0)
			fputs("unset label 1\n", out);
	}

	if (!single) {
		/* The one legend: job colours, and what solid and dashed mean. */
		fputs("# legend\n", out);
		fprintf(out, "set lmargin at screen 0.01; set rmargin at screen 0.99\n"
			     "set tmargin at screen %.4f; set bmargin at screen %.4f\n",
			1 - fmin(title_h / H, 0.2), panels_top);
		fputs("unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\nunset grid\n"
		      "unset logscale y\nset key center center horizontal noautotitle samplen 2.5 spacing 1.1\n"
		      "plot [0:1] [0:1] 2 notitle",
		      out);
		put_key_entries(out, g);
		fputc('\n', out);
		fputs("unset multiplot\n", out);
	}
	if (g->output)
		fputs("unset output\n", out);
	if (g->window)
		fputs("if (GPVAL_TERM eq \"qt\" || GPVAL_TERM eq \"wxt\" || GPVAL_TERM eq \"x11\") { pause mouse close }\n",
		      out);
	return ferror(out) ? -1 : 0;
}
