/* gpscript.c: writes the gnuplot script (see gpscript.h for the rules). */
#include "config.h"

#include "gpscript.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "text.h"
#include "util.h"

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

/* put_string_var for a text gnuplot draws in at most MAXCOLS columns
 * (text_fit), in a form a text chart (TEXT) draws whole (text_for_dumb). */
static void put_fitted_var(FILE *out, const char *name, const char *text, size_t maxcols, bool text_chart)
{
	char *clean = text_sanitize(text, strlen(text), TEXT_MAX_CHARS, "");
	char *fit = text_fit(clean, maxcols, text_chart);
	char *shown = text_chart ? text_for_dumb(fit) : xstrdup(fit);
	char *q = text_gp_quote(shown);
	fprintf(out, "%s = %s\n", name, q);
	free(q);
	free(shown);
	free(fit);
	free(clean);
}

/* Writes a number the way gnuplot reads it back ("NaN" when not finite). */
static void put_num(FILE *out, double v)
{
	char b[FMT_DOUBLE_MAX];
	fmt_double(b, v);
	fputs(b, out);
}

/* May a script for TERMINAL (NULL: gnuplot's own) draw in a window? */
static bool may_be_window(const char *t)
{
	return !t || strcmp(t, "qt") == 0 || strcmp(t, "wxt") == 0 || strcmp(t, "x11") == 0;
}

/* Writes `set terminal …` with size and font, then noenhanced. */
static void put_terminal(FILE *out, const struct gp_emit *g)
{
	const char *t = g->terminal;
	if (t) {
		int w = g->width, h = g->height;
		fprintf(out, "set terminal %s", t);
		if (strcmp(t, "pngcairo") == 0 || strcmp(t, "svg") == 0) {
			fprintf(out, " size %d,%d font \"sans,10\"", w, h);
			if (strcmp(t, "svg") == 0)
				fputs(" background \"#ffffff\"", out);
			if (strcmp(t, "svg") == 0 && g->svg_mouse)
				fputs(" mouse", out);
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
				      g->size_given)) {
			/* Pixel terminals; others (postscript, tikz …) measure in
			 * inches or cm, so only a --size the user gave is passed. */
			fprintf(out, " size %d,%d", w, h);
		}
		fputc('\n', out);
	} else {
		/* No terminal chosen: keep the user's, unless it cannot draw
		 * where gnuplot runs this script: gnuplot's "unknown", or an X11
		 * or Wayland window terminal (gnuplot picks wxt or qt even
		 * without a display) with neither DISPLAY nor WAYLAND_DISPLAY
		 * set, as over ssh; then a text chart.  Decided when the script
		 * runs, not when it was made; aqua and windows need neither.
		 * gnuplot 5.4 has no function reading the environment: a fixed
		 * shell command prints the two variables (their values are
		 * compared, never run). */
		fputs("if (GPVAL_TERM eq \"qt\" || GPVAL_TERM eq \"wxt\" || GPVAL_TERM eq \"x11\") "
		      "{ if (system('printf %s \"$DISPLAY$WAYLAND_DISPLAY\"') eq \"\") "
		      "{ set terminal dumb size 120,40 } }\n"
		      "if (GPVAL_TERM eq \"unknown\") { set terminal dumb size 120,40 }\n",
		      out);
	}
	/* A window is titled with the comparison (trc_wtitle, put_head). */
	if (may_be_window(t))
		fputs("if (GPVAL_TERM eq \"qt\") { set terminal qt title trc_wtitle }\n"
		      "if (GPVAL_TERM eq \"wxt\") { set terminal wxt title trc_wtitle }\n"
		      "if (GPVAL_TERM eq \"x11\") { set terminal x11 title trc_wtitle }\n",
		      out);
	/* Enhanced text would mangle names holding ^ _ { } @ & ~. */
	fputs("set termoption noenhanced\n", out);
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

/* qsort's order of doubles. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* On a log axis spanning less than two decades gnuplot labels no tics
 * (it labels only powers of ten): list 1-2-5 tics instead, as many as
 * ROOM (layout_ylabels) leaves apart. */
static void put_log_tics(FILE *out, bool logy, struct gp_range r, double room)
{
	if (!logy || !isfinite(r.min) || !isfinite(r.max) || r.min <= 0 || r.max / r.min >= 100) {
		fputs("set ytics autofreq\n", out);
		return;
	}
	static const double wide[] = {1, 5, 2}, narrow[] = {1, 5, 2, 3, 1.5, 4, 6, 8};
	bool one_decade = r.max / r.min < 10;
	const double *mant = one_decade ? narrow : wide;
	size_t nmant = one_decade ? ARRAY_SIZE(narrow) : ARRAY_SIZE(wide);
	/* Labels at least one label's room apart (ROOM of them would fill
	 * the axis evenly): decades first, then 5s, 2s, the rest; where two
	 * would meet (a text chart's row holding "0.5" and "1" read "0 1"),
	 * the later is left out. */
	double span = log10(r.max / r.min), apart = room > 0 ? span / room : 0;
	double kept[64];
	size_t n = 0;
	for (size_t k = 0; k < nmant; k++)
		for (int e = (int)floor(log10(r.min)); e <= (int)ceil(log10(r.max)); e++) {
			double t = mant[k] * pow(10, e);
			if (t < r.min || t > r.max || n == ARRAY_SIZE(kept))
				continue;
			bool near = false;
			for (size_t i = 0; i < n && !near; i++)
				near = fabs(log10(t / kept[i])) < apart * 0.999;
			if (!near)
				kept[n++] = t;
		}
	qsort(kept, n, sizeof *kept, cmp_double);
	fputs("set ytics (", out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		put_num(out, kept[i]);
	}
	if (n == 0) /* no 1-2-5 value inside: label both ends */
		put_num(out, r.min), fputs(", ", out), put_num(out, r.max);
	fputs(")\n", out);
}

/* Line style of one drawn series.  Every series of job J is linetype J
 * (its colour and dash type given too): the text terminal draws each
 * linetype with its own glyph, so the legend's glyph for a job is the
 * one its lines are drawn with, whatever the order of the plot clauses. */
static void put_style(FILE *out, const struct panel_series *ps, bool faded_line, bool smoothed,
		      size_t job)
{
	if (faded_line)
		fprintf(out, " with lines lt %zu dt solid lw 1 lc rgb F[%zu] notitle", job + 1, job + 1);
	else if (ps->dashed)
		fprintf(out, " with linespoints lt %zu dt 2 lw 1.5 pt 7 ps 0.5 lc rgb C[%zu] notitle",
			job + 1, job + 1);
	else
		fprintf(out, " with lines lt %zu dt solid lw %s lc rgb C[%zu] notitle", job + 1,
			smoothed ? "2" : "1.5", job + 1);
}

/* The datablock name of view series K. */
static void block_name(char *b, size_t k)
{
	snprintf(b, 32, "$trc%zu", k);
}

/* Writes the inline datablocks: numbers only, generated names.  The
 * points are formatted into a buffer written a few KB at a time (a
 * stream call per number cost as much as the formatting). */
static void put_datablocks(FILE *out, const struct view *v)
{
	char name[32], buf[8192];
	size_t len = 0;
	for (size_t k = 0; k < v->n; k++) {
		const struct view_series *s = &v->s[k];
		if (s->n == 0)
			continue;
		block_name(name, k);
		fprintf(out, "%s << EOD\n", name);
		for (size_t i = 0; i < s->n; i++) {
			if (len > sizeof buf - 2 * FMT_DOUBLE_MAX - 2) {
				fwrite(buf, 1, len, out);
				len = 0;
			}
			len += (size_t)fmt_double(buf + len, s->x[i]);
			buf[len++] = ' ';
			len += (size_t)fmt_double(buf + len, s->y[i]);
			buf[len++] = '\n';
		}
		fwrite(buf, 1, len, out);
		len = 0;
		fputs("EOD\n", out);
	}
}

/* Files mode: the x "using" expression for job J. */
static void put_x_using(FILE *out, const struct chart *ch, size_t j)
{
	const char *col = COL_STEP;
	if (ch->xaxis == XAXIS_EPOCH)
		col = COL_EPOCH;
	else if (ch->xaxis == XAXIS_TIME || ch->xaxis == XAXIS_RELATIVE)
		col = COL_TIME;
	int c = colset_index(&ch->cs, col);
	if (ch->xaxis == XAXIS_RELATIVE) {
		fprintf(out, "($%d-", c);
		put_num(out, ch->jobs[j].t0);
		fputc(')', out);
	} else {
		fprintf(out, "%d", c);
	}
}

/* Files mode: does job J have what the x axis needs? */
static bool has_x(const struct chart *ch, size_t j)
{
	const struct run *t = ch->jobs[j].table;
	switch (ch->xaxis) {
	case XAXIS_EPOCH: return run_find(t, COL_EPOCH) >= 0 && colset_index(&ch->cs, COL_EPOCH) > 0;
	case XAXIS_TIME: return run_find(t, COL_TIME) >= 0 && colset_index(&ch->cs, COL_TIME) > 0;
	case XAXIS_RELATIVE: return isfinite(ch->jobs[j].t0) && colset_index(&ch->cs, COL_TIME) > 0;
	case XAXIS_STEP: break;
	}
	return true;
}

/* Inline mode: is series S a clause of panel P in pass PASS (0: the
 * faded raw lines, 1: the others)? */
static bool view_clause(const struct view_series *s, size_t p, int pass)
{
	return s->panel == p && s->n > 0 && (pass == 0) == s->faded;
}

size_t gpscript_clause_jobs(const struct chart *ch, size_t p, size_t *jobs)
{
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < ch->view.n; k++)
			if (view_clause(&ch->view.s[k], p, pass))
				jobs[n++] = ch->view.s[k].run;
	return n;
}

/* Inline mode: the plot clauses of panel P from the view's datablocks;
 * returns how many were written. */
static int put_view_clauses(FILE *out, const struct chart *ch, size_t p)
{
	const struct panel *pan = &ch->ps.panels[p];
	const struct view *v = &ch->view;
	int nclauses = 0;
	char name[32];
	/* Faded raw lines first, so they stay behind. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < v->n; k++) {
			const struct view_series *s = &v->s[k];
			if (!view_clause(s, p, pass))
				continue;
			block_name(name, k);
			fprintf(out, "%s%s using 1:2", nclauses ? ", \\\n     " : "plot ", name);
			bool smoothed = !s->faded && ch->smooth > 0 && pan->series[s->series].smooth;
			put_style(out, &pan->series[s->series], s->faded, smoothed, s->run);
			nclauses++;
		}
	}
	return nclauses;
}

/* Files mode: does job J's column NAME have a point gnuplot draws
 * (view_is_drawn) inside --xrange?  A plot whose files have none fails
 * ("x range is invalid"), so such clauses are left out and a panel left
 * without any says "no data". */
static bool file_draws(const struct chart *ch, size_t j, const char *name, bool logy)
{
	const struct run *r = ch->jobs[j].table;
	int yc = run_find(r, name), xc = 0;
	double off = 0;
	if (ch->xaxis == XAXIS_EPOCH)
		xc = run_find(r, COL_EPOCH);
	else if (ch->xaxis == XAXIS_TIME || ch->xaxis == XAXIS_RELATIVE)
		xc = run_find(r, COL_TIME);
	if (ch->xaxis == XAXIS_RELATIVE)
		off = ch->jobs[j].t0;
	if (yc < 0 || xc < 0)
		return false;
	const struct gp_range *xr = &ch->ps.xrange;
	for (size_t i = 0; i < r->nrows; i++) {
		double x = r->cols[xc][i] - off;
		if (view_is_drawn(x, r->cols[yc][i], logy) && !(x < xr->min) && !(x > xr->max))
			return true;
	}
	return false;
}

/* Files mode: the plot clauses of panel P, every job's file, one clause
 * per series with a column; returns how many were written. */
static int put_file_clauses(FILE *out, const struct chart *ch, size_t p)
{
	const struct panel *pan = &ch->ps.panels[p];
	int nclauses = 0;
	bool smoothing = ch->smooth > 0;
	struct run **tables = xcalloc(ch->njobs ? ch->njobs : 1, sizeof *tables);
	for (size_t j = 0; j < ch->njobs; j++)
		tables[j] = ch->jobs[j].table;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j < ch->njobs; j++) {
			/* Jobs without what the x axis needs were reported by name. */
			if (!ch->jobs[j].file || ch->jobs[j].table->nrows == 0 || !has_x(ch, j))
				continue;
			for (size_t si = 0; si < pan->nseries; si++) {
				const struct panel_series *ps = &pan->series[si];
				bool smoothable = smoothing && ps->smooth;
				if (pass == 0 && !smoothable)
					continue;
				int yc = colset_index(&ch->cs, ps->column);
				if (pass == 1 && smoothable) {
					char *sc = run_derived_name(tables, ch->njobs, ps->column, "_smoothed");
					yc = colset_index(&ch->cs, sc);
					free(sc);
				}
				if (yc <= 0 || !file_draws(ch, j, ps->column, pan->logy))
					continue;
				fprintf(out, "%s(trc_dir.D[%zu]) using ", nclauses ? ", \\\n     " : "plot ", j + 1);
				put_x_using(out, ch, j);
				fprintf(out, ":%d", yc);
				put_style(out, ps, pass == 0, smoothable && pass == 1, j);
				nclauses++;
			}
		}
	}
	free(tables);
	return nclauses;
}

/* Does any panel draw a train/eval pair (so the key explains dashes)? */
static bool any_pair(const struct chart *ch)
{
	for (size_t p = 0; p < ch->ps.npanels; p++)
		if (ch->ps.panels[p].nseries > 1)
			return true;
	return false;
}

/* Appends the legend's entries to a plot command: job colours, and what
 * solid and dashed mean when a panel draws train and eval. */
static void put_key_entries(FILE *out, const struct chart *ch)
{
	/* The same linetype per job as its series (put_style); train and
	 * eval in the first job's linetype: on a monochrome text chart they
	 * differ, as drawn, by eval's point marks. */
	for (size_t j = 0; j < ch->njobs; j++)
		fprintf(out, ", \\\n     NaN with lines lt %zu dt solid lw 2 lc rgb C[%zu] title T[%zu]", j + 1,
			j + 1, j + 1);
	if (any_pair(ch))
		fputs(", \\\n     NaN with lines lt 1 dt solid lw 1.5 lc rgb \"#4b5563\" title \"train\""
		      ", \\\n     NaN with linespoints lt 1 dt 2 lw 1.5 pt 7 ps 0.5 lc rgb \"#4b5563\" "
		      "title \"eval\"",
		      out);
}

/* True when S (NULL: none) has a byte outside ASCII. */
static bool non_ascii(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* True when a text of CH that gnuplot draws (a job label, a panel title,
 * the title) has a byte outside ASCII. */
static bool chart_non_ascii(const struct chart *ch)
{
	for (size_t j = 0; j < ch->njobs; j++)
		if (non_ascii(ch->jobs[j].label))
			return true;
	for (size_t p = 0; p < ch->ps.npanels; p++)
		if (non_ascii(ch->ps.panels[p].title))
			return true;
	return non_ascii(ch->title);
}

/* trc_wtitle: a window's title: a watch's status line, else the
 * comparison (--title, else the jobs' labels), sanitized and quoted as
 * every name is. */
static void put_window_title(FILE *out, const struct chart *ch, const struct gp_emit *e)
{
	if (e->window_title) { /* a watch's status line */
		put_string_var(out, "trc_wtitle", e->window_title);
		return;
	}
	char *t = xasprintf("%s-plot: %s", PACKAGE_NAME, ch->title ? ch->title : "");
	for (size_t j = 0; !ch->title && j < ch->njobs && strlen(t) < TEXT_MAX_CHARS; j++) {
		char *u = xasprintf("%s%s%s", t, j ? " vs " : "", ch->jobs[j].label);
		free(t);
		t = u;
	}
	put_string_var(out, "trc_wtitle", t);
	free(t);
}

/* The script's head: how to run it, the terminal, the output. */
static void put_head(FILE *out, const struct chart *ch, const struct gp_emit *e)
{
	fputs("# Generated by " PACKAGE_NAME "-plot " PACKAGE_VERSION ": a comparison of training runs.\n"
	      "# Run it with gnuplot (5.4 or later): gnuplot THIS_FILE, load 'THIS_FILE', or pipe it in.\n", out);
	if (e->stdin_fast)
		/* gnuplot reads a pipe one byte per system call; reading the rest
		 * as a file is 10-30x faster.  ARG0 is empty (or, in a gnuplot -d,
		 * undefined) only on stdin. */
		fputs("if ((!exists(\"ARG0\") || ARG0 eq \"\") && !exists(\"trc_stdin\")) "
		      "{ trc_stdin = 1; load \"/dev/stdin\"; exit }\n", out);
	/* A user's ~/.gnuplot has run before a script they run themselves
	 * (set datafile separator, set logscale, set xdata time ...): back to
	 * gnuplot's defaults.  reset keeps the terminal and output (a terminal
	 * chosen there is still used when the script names none). */
	fputs("reset\n", out);
	if (may_be_window(e->terminal))
		put_window_title(out, ch, e);
	put_terminal(out, e);
	/* UTF-8 labels; not on x11, where gnuplot 5.4 then returns from
	 * `pause mouse close` at once and the window vanishes.  Only when a
	 * text needs it: in the C locale every `set encoding` makes gnuplot
	 * (5.4, 6.0) warn "iconv failed to convert degree sign", and ASCII
	 * text draws the same in any encoding. */
	if (chart_non_ascii(ch))
		fputs("if (GPVAL_TERM ne \"x11\") { set encoding utf8 }\n", out);
	if (e->output) {
		/* A leading '<' or '|' would make gnuplot run a command. */
		char *safe = e->output[0] == '<' || e->output[0] == '|' ? xasprintf("./%s", e->output)
									: xstrdup(e->output);
		char *q = text_gp_quote(safe);
		free(safe);
		fprintf(out, "set output %s\n", q);
		free(q);
	}
}

/* Names and colours, each once, and the panel titles, cut to the room
 * layout L gives them. */
static void put_names(FILE *out, const struct chart *ch, const struct layout *l)
{
	size_t nj = ch->njobs;
	fprintf(out, "array T[%zu]\narray C[%zu]\narray F[%zu]\n", nj, nj, nj);
	for (size_t j = 0; j < nj; j++) {
		char var[32], fc[8];
		snprintf(var, sizeof var, "T[%zu]", j + 1);
		put_fitted_var(out, var, ch->jobs[j].label, l->label_cols, l->text);
		faded(ch->jobs[j].color, fc);
		fprintf(out, "C[%zu] = \"%s\"; F[%zu] = \"%s\"\n", j + 1, ch->jobs[j].color, j + 1, fc);
	}
	fprintf(out, "array PT[%zu]\n", ch->ps.npanels);
	for (size_t p = 0; p < ch->ps.npanels; p++) {
		char var[32];
		snprintf(var, sizeof var, "PT[%zu]", p + 1);
		put_fitted_var(out, var, ch->ps.panels[p].title, l->panel_title_cols, l->text);
	}
	if (ch->title)
		put_fitted_var(out, "trc_title", ch->title, l->title_cols, l->text);
}

/* Files mode: the data file names, and trc_dir, the script's directory. */
static void put_file_names(FILE *out, const struct chart *ch)
{
	/* Data files sit beside this script, wherever it is run from.  ARG0
	 * is the script's path when run as a file or loaded. */
	fprintf(out, "array D[%zu]\n", ch->njobs);
	for (size_t j = 0; j < ch->njobs; j++) {
		if (!ch->jobs[j].file)
			continue;
		char var[32];
		snprintf(var, sizeof var, "D[%zu]", j + 1);
		char *q = text_gp_quote(ch->jobs[j].file);
		fprintf(out, "%s = %s\n", var, q);
		free(q);
	}
	fputs("trc_dir = \"\"; trc_p = exists(\"ARG0\") ? ARG0 : \"\"\n"
	      "while (strstrt(trc_p, \"/\") > 0) { trc_i = strstrt(trc_p, \"/\"); "
	      "trc_dir = trc_dir.trc_p[1:trc_i]; trc_p = trc_p[trc_i+1:] }\n"
	      /* A directory starting with < or | would run a command,
	       * one starting with $ would name a datablock. */
	      "if (strlen(trc_dir) > 0 && (trc_dir[1:1] eq \"<\" || trc_dir[1:1] eq \"|\" "
	      "|| trc_dir[1:1] eq \"$\")) "
	      "{ trc_dir = \"./\".trc_dir }\n",
	      out);
}

/* Grid, borders, tics and the time format of the x axis. */
static void put_look(FILE *out, const struct chart *ch, bool text)
{
	if (!text)
		fputs("set grid lc rgb \"#e5e7eb\" lw 1\n", out);
	fputs("set datafile missing \"NaN\"\n"
	      "set border 3 lc rgb \"#6b7280\"\n"
	      "set tics nomirror\n"
	      "set xtics out\nset ytics out\n",
	      out);
	if (ch->xaxis == XAXIS_TIME)
		fputs("set format x \"%m-%d\\n%H:%M\" timedate\n", out);
	else if (ch->xaxis == XAXIS_RELATIVE)
		fputs("set format x \"%tH:%tM\" timedate\n", out);
	/* Minor tics on time axes: gnuplot 5.4 draws them by default, 6.0
	 * only when asked; asked, both draw the same pixels (no version
	 * guard needed). */
	if (ch->xaxis == XAXIS_TIME || ch->xaxis == XAXIS_RELATIVE)
		fputs("set mxtics\n", out);
}

/* The y range panel P draws, from its view's points (LO > HI: none):
 * the y tic step of a small panel is chosen from it. */
static void panel_ydata(const struct chart *ch, size_t p, bool logy, double *lo, double *hi)
{
	*lo = INFINITY, *hi = -INFINITY;
	for (size_t k = 0; k < ch->view.n; k++) {
		const struct view_series *s = &ch->view.s[k];
		for (size_t i = 0; s->panel == p && i < s->n; i++)
			if (view_is_drawn(s->x[i], s->y[i], logy)) {
				*lo = fmin(*lo, s->y[i]);
				*hi = fmax(*hi, s->y[i]);
			}
	}
}

/* Panel P: its place, title, axes and plot. */
static void put_panel(FILE *out, const struct chart *ch, const struct gp_emit *e,
		      const struct layout *l, size_t p)
{
	const struct panel *pan = &ch->ps.panels[p];
	const struct layout_panel *lp = &l->panels[p];
	fprintf(out, "# panel %zu\n", p + 1);
	/* The plot area's left and right edges are fixed, so the
	 * downsampling grid (layout_panel_px) is gnuplot's.  A script for
	 * any terminal: margins in characters, the left one gnuplot's own
	 * (from its tic labels), which hold at any size. */
	if (l->chars && l->single) {
		fputs("set rmargin 3\n", out);
	} else if (l->chars) {
		double x, y, w, h, tm;
		layout_cell(l, p, &x, &y, &w, &h, &tm);
		fprintf(out, "set origin %.4f,%.4f; set size %.4f,%.4f\n", x, y, w, h);
		fputs("unset lmargin; set rmargin 3; unset bmargin\n", out);
		if (tm > 0)
			fprintf(out, "set tmargin %.1f\n", tm + (ch->title ? 1.5 : 0));
		else
			fputs("unset tmargin\n", out);
	} else {
		fprintf(out, "set lmargin at screen %.4f; set rmargin at screen %.4f\n", lp->left, lp->right);
	}
	if (l->single) {
		fprintf(out, "set xlabel \"%s\"\n", x_label(ch->xaxis));
		fputs(ch->title ? "set title trc_title.\"\\n\".PT[1]\n" : "set title PT[1]\n", out);
		fprintf(out, "set key outside top center horizontal noautotitle samplen 2.5 spacing 1.1%s\n",
			l->text || l->chars ? " width 1" : "");
	} else {
		if (!l->chars)
			fprintf(out, "set tmargin at screen %.4f; set bmargin at screen %.4f\n", lp->top,
				lp->bottom);
		if (lp->xlabel)
			/* gnuplot's text terminal leaves one row for two-line tic labels. */
			fprintf(out, "set xlabel \"%s\"%s\n", x_label(ch->xaxis),
				l->text && l->xlines > 1 ? " offset 0,-1" : "");
		else
			fputs("unset xlabel\n", out);
		fprintf(out, "set title PT[%zu]\n", p + 1);
		fputs("unset key\n", out);
	}
	fputs(pan->logy ? "set logscale y\n" : "unset logscale y\n", out);
	fputs(pan->exp_format ? "set format y \"%.1e\"\n" : "set format y \"% h\"\n", out);
	/* Inline data: the x range the view downsampled for, stated exactly
	 * (gnuplot would widen an automatic one to a tic). */
	struct gp_range xr = ch->ps.xrange;
	const struct view *v = &ch->view;
	if (!e->files && v->xrange && p < v->npanels && v->xrange[p].set)
		xr = (struct gp_range){ v->xrange[p].lo, v->xrange[p].hi };
	put_range(out, "x", xr);
	/* As many x tics as fit: text charts, and dates on any chart. */
	double xstep = ch->xaxis == XAXIS_STEP || ch->xaxis == XAXIS_EPOCH
			       ? layout_text_xtics(l, p, xr.min, xr.max)
			       : ch->xaxis == XAXIS_TIME ? layout_xtime(l, p, xr.min, xr.max) : 0;
	if (xstep > 0) {
		fputs("set xtics ", out);
		put_num(out, xstep);
		fputc('\n', out);
	} else if (l->text) {
		fputs("set xtics autofreq\n", out);
	}
	struct gp_range yr = ch->ps.yranges[p];
	/* Small panels: fewer y tics than gnuplot's, which would overlap. */
	double ylo = yr.min, yhi = yr.max;
	if (!isfinite(ylo) || !isfinite(yhi)) {
		double dlo, dhi;
		panel_ydata(ch, p, pan->logy, &dlo, &dhi);
		ylo = isfinite(ylo) ? ylo : dlo;
		yhi = isfinite(yhi) ? yhi : dhi;
		/* A log axis under two decades: gnuplot would widen it to whole
		 * decades (perplexity 3-20 drawn over 1-100); the data's range,
		 * 5 % of its span added at each end, labelled 1-2-5. */
		if (pan->logy && dlo > 0 && dhi >= dlo && dhi / dlo < 50) {
			double pad = fmax(pow(dhi / dlo, 0.05), 1.02);
			if (!isfinite(yr.min))
				yr.min = dlo / pad;
			if (!isfinite(yr.max))
				yr.max = dhi * pad;
		}
	}
	put_range(out, "y", yr);
	double ystep = pan->logy ? 0 : layout_ytics(l, p, ylo, yhi);
	if (ystep > 0) {
		fputs("set ytics ", out);
		put_num(out, ystep);
		fputc('\n', out);
	} else {
		/* (A script for any terminal keeps them all: it may be drawn large.) */
		put_log_tics(out, pan->logy, yr, l->chars ? 0 : layout_ylabels(l, p));
	}
	if (e->keep_zoom && l->single) {
		/* The user's zoom of the window, kept across a watch's charts
		 * (with gnuplot's own tics for the zoomed ranges). */
		fputs("if (trc_zoomed) { set xrange [trc_zx0:trc_zx1]; set yrange [trc_zy0:trc_zy1]; "
		      "set xtics autofreq; set ytics autofreq }\n",
		      out);
	}
	int n = e->files ? put_file_clauses(out, ch, p) : put_view_clauses(out, ch, p);
	if (n == 0)
		/* Nothing to draw here: an empty frame that says so. */
		fputs("set label 1 \"no data\" at graph 0.5, graph 0.5 center\n"
		      "unset logscale y\nset xrange [0:1]\nset yrange [0:1]\n"
		      "plot 2 notitle",
		      out);
	if (l->single)
		put_key_entries(out, ch);
	fputc('\n', out);
	if (n == 0)
		fputs("unset label 1\n", out);
}

/* The one legend of a multiplot: job colours, and what solid and dashed
 * mean, across the top of the page. */
static void put_legend(FILE *out, const struct chart *ch, const struct layout *l)
{
	fputs("# legend\n", out);
	if (l->chars)
		/* The whole page, the legend at its top, gnuplot choosing its rows. */
		fprintf(out, "set origin 0,0; set size 1,1\n"
			     "set lmargin at screen 0.01; set rmargin at screen 0.99\n"
			     "set tmargin %s; set bmargin at screen 0\n",
			ch->title ? "1.5" : "0");
	else
		fprintf(out, "set lmargin at screen 0.01; set rmargin at screen 0.99\n"
			     "set tmargin at screen %.4f; set bmargin at screen %.4f\n",
			l->key_top, l->key_bottom);
	fprintf(out, "unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\nunset grid\n"
		     "unset logscale y\nset key %s horizontal noautotitle samplen 2.5 spacing 1.1%s\n"
		     "plot [0:1] [0:1] 2 notitle",
		l->chars ? "inside top center" : "center center", l->text || l->chars ? " width 1" : "");
	put_key_entries(out, ch);
	fputc('\n', out);
}

/* A window --watch, before the chart: did the user zoom (or pan) since
 * the last chart?  The ranges gnuplot last drew differ from those the
 * last chart left (trc_dx0 …); then they are the zoom to keep. */
static void put_zoom_check(FILE *out)
{
	fputs("if (!exists(\"trc_zoomed\")) { trc_zoomed = 0 }\n"
	      "if (exists(\"trc_dx0\")) { if (GPVAL_X_MIN != trc_dx0 || GPVAL_X_MAX != trc_dx1 || "
	      "GPVAL_Y_MIN != trc_dy0 || GPVAL_Y_MAX != trc_dy1) { trc_zoomed = 1; "
	      "trc_zx0 = GPVAL_X_MIN; trc_zx1 = GPVAL_X_MAX; trc_zy0 = GPVAL_Y_MIN; trc_zy1 = GPVAL_Y_MAX } }\n",
	      out);
}

/* Writes a range as `[min:max]`, '*' for automatic ends, into BUF. */
static void range_text(char *buf, size_t size, struct gp_range r)
{
	char lo[40] = "*", hi[40] = "*";
	if (isfinite(r.min))
		fmt_double(lo, r.min);
	if (isfinite(r.max))
		fmt_double(hi, r.max);
	snprintf(buf, size, "[%s:%s]", lo, hi);
}

/* A window --watch, after the chart: what it drew, to tell a zoom by;
 * `a` back to the chart's own ranges; closing the window exits gnuplot
 * (the watch then ends).  A multiplot cannot be zoomed. */
static void put_zoom_mark(FILE *out, const struct chart *ch, const struct gp_emit *e, bool single)
{
	if (single && ch->ps.npanels == 1) {
		struct gp_range xr = ch->ps.xrange;
		const struct view *v = &ch->view;
		if (!e->files && v->xrange && v->npanels > 0 && v->xrange[0].set)
			xr = (struct gp_range){ v->xrange[0].lo, v->xrange[0].hi };
		char xs[96], ys[96];
		range_text(xs, sizeof xs, xr);
		range_text(ys, sizeof ys, ch->ps.yranges[0]);
		fputs("trc_dx0 = GPVAL_X_MIN; trc_dx1 = GPVAL_X_MAX; "
		      "trc_dy0 = GPVAL_Y_MIN; trc_dy1 = GPVAL_Y_MAX\n", out);
		fprintf(out, "bind a \"trc_zoomed = 0; set xrange %s; set yrange %s; replot; "
			     "trc_dx0 = GPVAL_X_MIN; trc_dx1 = GPVAL_X_MAX; trc_dy0 = GPVAL_Y_MIN; "
			     "trc_dy1 = GPVAL_Y_MAX\"\n",
			xs, ys);
	} else {
		fputs("trc_zoomed = 0\nundefine trc_dx0 trc_dx1 trc_dy0 trc_dy1\n", out);
	}
	fputs("bind Close \"exit gnuplot\"\n", out);
}

int gpscript_load(FILE *out, const char *path)
{
	char *q = text_gp_quote(path);
	fprintf(out, "load %s\n", q);
	free(q);
	return ferror(out) ? -1 : 0;
}

/* Writes the script. */
int gpscript_write(FILE *out, const struct chart *ch, const struct gp_emit *e)
{
	if (e->keep_zoom)
		put_zoom_check(out);
	put_head(out, ch, e);
	const char **labels = xcalloc(ch->njobs ? ch->njobs : 1, sizeof *labels);
	for (size_t j = 0; j < ch->njobs; j++)
		labels[j] = ch->jobs[j].label;
	struct layout l;
	layout_compute_axes(&l, e->terminal, e->width, e->height, ch->ps.npanels, ch->title != NULL,
			    labels, ch->njobs, any_pair(ch), ch->xaxis == XAXIS_TIME ? 2 : 1);
	free(labels);
	put_names(out, ch, &l);
	if (e->files)
		put_file_names(out, ch);
	else
		put_datablocks(out, &ch->view);
	put_look(out, ch, l.text);

	size_t np = ch->ps.npanels;
	fprintf(out, "# %zu panel%s in %d row%s x %d column%s\n", np, np == 1 ? "" : "s",
		l.rows, l.rows == 1 ? "" : "s", l.cols, l.cols == 1 ? "" : "s");
	/* One panel is a plain plot with its own legend: a window can zoom
	 * it (gnuplot does not zoom multiplots). */
	if (!l.single)
		fputs(ch->title ? "set multiplot title trc_title\n" : "set multiplot\n", out);
	for (size_t p = 0; p < np; p++)
		put_panel(out, ch, e, &l, p);
	if (!l.single) {
		put_legend(out, ch, &l);
		fputs("unset multiplot\n", out);
	}
	bool single = l.single;
	layout_free(&l);
	if (e->output)
		fputs("unset output\n", out);
	if (e->keep_zoom)
		put_zoom_mark(out, ch, e, single);
	/* (Not inside watch.gp's loop, which redraws the window itself.) */
	if (e->window)
		fputs("if (!exists(\"trc_watch\") && (GPVAL_TERM eq \"qt\" || GPVAL_TERM eq \"wxt\" || "
		      "GPVAL_TERM eq \"x11\")) { pause mouse close }\n", out);
	return ferror(out) ? -1 : 0;
}

int gpscript_watch_loop(FILE *out, double seconds)
{
	fputs("# Generated by trcompare-plot " PACKAGE_VERSION ": draws compare.gp beside it again\n"
	      "# every few seconds, while `trcompare-plot --watch -d DIR` rewrites its data\n"
	      "# files.  Run it with gnuplot: gnuplot DIR/watch.gp (stop it with Ctrl-C).\n"
	      "trc_watch = 1\n", out);
	/* compare.gp beside this file, wherever gnuplot is started. */
	fputs("trc_wdir = \"\"; trc_wp = exists(\"ARG0\") ? ARG0 : \"\"\n"
	      "while (strstrt(trc_wp, \"/\") > 0) { trc_wi = strstrt(trc_wp, \"/\"); "
	      "trc_wdir = trc_wdir.trc_wp[1:trc_wi]; trc_wp = trc_wp[trc_wi+1:] }\n"
	      "if (strlen(trc_wdir) > 0 && (trc_wdir[1:1] eq \"<\" || trc_wdir[1:1] eq \"|\" || "
	      "trc_wdir[1:1] eq \"$\")) { trc_wdir = \"./\".trc_wdir }\n", out);
	fprintf(out, "while (1) { call trc_wdir.\"compare.gp\"; pause %.1f }\n", seconds);
	return ferror(out) ? -1 : 0;
}
