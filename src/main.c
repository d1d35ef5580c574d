/* main.c: trcompare-plot — options, then the pipeline
 *   sources -> runs -> views -> outputs
 * This is the only file that prints diagnostics and chooses exit codes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canvas.h"
#include "datafile.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "http.h"
#include "joblist.h"
#include "options.h"
#include "source.h"
#include "summary.h"
#include "text.h"
#include "util.h"
#include "view.h"

/* How the chart leaves the program. */
enum chart_mode {
	CHART_NONE,          /* only --summary / --data / -d were asked for */
	CHART_SCRIPT_STDOUT, /* stdout is not a terminal: the script */
	CHART_SCRIPT_FILE,   /* -o FILE.gp */
	CHART_RENDER_FILE,   /* -o FILE.png … : gnuplot renders it */
	CHART_TEXT_TTY,      /* stdout is a terminal, no window: text chart */
	CHART_WINDOW,        /* stdout is a terminal, a display: gnuplot window */
};

struct plan {
	enum chart_mode mode;
	const char *terminal; /* gnuplot terminal for the chart, or NULL */
	int width, height;
	bool ansi;
};

/* Everything main owns, freed in one place. */
struct state {
	struct options opts;
	struct source_result *results;
	size_t njobs;
	struct run **runs;     /* the runs that loaded (borrowed from results) */
	size_t nruns;
	char **labels;         /* sanitized labels, one per run */
	char **files;          /* -d data file names, one per run */
	struct gp_job *jobs;
	struct panel *panels;
	size_t npanels;
	struct gp_range *yranges;
	struct gp_range xrange;
	char **latest_ids;     /* --latest: owned job ids */
	size_t nlatest;
	struct joblist jl;
	bool have_jl;
};

/* A JOB argument or other user text made safe to print. */
static char *shown(const char *s)
{
	return text_sanitize(s, strlen(s), TEXT_MAX_CHARS, "(empty)");
}

/* Prints "trcompare-plot: WHAT: CAUSE" and frees CAUSE. */
static void report(const char *what, char *cause)
{
	char *w = shown(what);
	diag_error("%s: %s", w, cause);
	free(w);
	free(cause);
}

/* Parses "MIN:MAX" (either side may be empty) into R. */
static int parse_range(const char *s, struct gp_range *r)
{
	r->min = r->max = NAN;
	const char *colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -1;
	char *end;
	if (colon != s) {
		r->min = strtod(s, &end);
		if (end != colon || !isfinite(r->min))
			return -1;
	}
	if (colon[1]) {
		r->max = strtod(colon + 1, &end);
		if (*end || !isfinite(r->max))
			return -1;
	}
	if (isfinite(r->min) && isfinite(r->max) && !(r->min < r->max))
		return -1;
	return 0;
}

/* Index of the panel named NAME (as written in -m, or its aliases), or -1. */
static int panel_index(const struct state *st, const char *name)
{
	for (size_t p = 0; p < st->npanels; p++) {
		const struct panel *pan = &st->panels[p];
		if (strcmp(pan->name, name) == 0)
			return (int)p;
		for (size_t s = 0; s < pan->nseries; s++)
			if (strcmp(pan->series[s].column, name) == 0)
				return (int)p;
	}
	return -1;
}

/* --metrics, --logy, --xrange, --yrange: usage errors exit 64. */
static void setup_panels(struct state *st)
{
	struct options *o = &st->opts;
	char *cause = NULL;
	if (panel_list_parse(o->metrics, &st->panels, &st->npanels, &cause) != 0) {
		report("--metrics", cause);
		exit(EXIT_USAGE);
	}
	st->yranges = xcalloc(st->npanels, sizeof *st->yranges);
	for (size_t p = 0; p < st->npanels; p++)
		st->yranges[p].min = st->yranges[p].max = NAN;
	st->xrange.min = st->xrange.max = NAN;
	if (o->xrange && parse_range(o->xrange, &st->xrange) != 0) {
		report("--xrange", xasprintf("'%s' is not MIN:MAX", o->xrange));
		exit(EXIT_USAGE);
	}
	if (o->logy) {
		char *list = xstrdup(o->logy), *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			int p = panel_index(st, t);
			if (p < 0) {
				char *msg = xasprintf("'%s' is not one of the panels (-m %s)", t, o->metrics);
				free(list);
				report("--logy", msg);
				exit(EXIT_USAGE);
			}
			st->panels[p].logy = true;
		}
		free(list);
	}
	if (o->yrange) {
		char *list = xstrdup(o->yrange), *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(t, '=');
			int p = -1;
			if (eq) {
				*eq = '\0';
				p = panel_index(st, t);
			}
			if (!eq || p < 0 || parse_range(eq + 1, &st->yranges[p]) != 0) {
				char *msg = eq && p < 0
					? xasprintf("'%s' is not one of the panels (-m %s)", t, o->metrics)
					: xasprintf("'%s%s%s' is not PANEL=MIN:MAX", t, eq ? "=" : "", eq ? eq + 1 : "");
				free(list);
				report("--yrange", msg);
				exit(EXIT_USAGE);
			}
		}
		free(list);
	}
}

/* Decides where the chart goes; usage errors exit 64. */
static void plan_output(const struct options *o, struct plan *pl)
{
	memset(pl, 0, sizeof *pl);
	pl->width = o->width;
	pl->height = o->height;
	if (o->output) {
		const char *term = NULL;
		char *cause = NULL;
		/* A known extension without a terminal is .gp: the script (for
		 * -t's terminal, if given).  An unknown one needs -t. */
		bool known = gnuplot_terminal_for_path(o->output, &term, &cause) == 0;
		if (!known && !o->terminal) {
			report("-o", cause);
			exit(EXIT_USAGE);
		}
		free(cause);
		pl->mode = known && term == NULL ? CHART_SCRIPT_FILE : CHART_RENDER_FILE;
		pl->terminal = o->terminal ? o->terminal : term;
		/* These write a second file named after the output, which a
		 * temporary name would break; gnuplot must run them itself. */
		static const char *const two_files[] = {"cairolatex", "epslatex", "pslatex", "pstex",
							"pstricks", "mp", "context", "lua"};
		for (size_t i = 0; pl->mode == CHART_RENDER_FILE && i < ARRAY_SIZE(two_files); i++)
			if (strcmp(pl->terminal, two_files[i]) == 0) {
				diag_error("-t %s: this terminal writes more than one file; write the script "
					   "with -o FILE.gp and run gnuplot on it", pl->terminal);
				exit(EXIT_USAGE);
			}
		return;
	}
	if (o->summary != SUMMARY_NONE || o->data_stdout || o->data_dir) {
		pl->mode = CHART_NONE;
		return;
	}
	if (!isatty(STDOUT_FILENO)) {
		pl->mode = CHART_SCRIPT_STDOUT;
		pl->terminal = o->terminal;
		return;
	}
	const char *t = o->terminal;
	if (!t) {
		t = gnuplot_window_terminal();
		pl->mode = t ? CHART_WINDOW : CHART_TEXT_TTY;
		pl->terminal = t ? t : "dumb";
	} else if (strcmp(t, "dumb") == 0) {
		pl->mode = CHART_TEXT_TTY;
		pl->terminal = t;
	} else if (strcmp(t, "qt") == 0 || strcmp(t, "wxt") == 0 || strcmp(t, "x11") == 0) {
		pl->mode = CHART_WINDOW;
		pl->terminal = t;
	} else {
		diag_error("-t %s: not writing %s output to a terminal; use -o FILE or a pipe", t, t);
		exit(EXIT_USAGE);
	}
	if (pl->mode == CHART_TEXT_TTY) {
		const char *term = getenv("TERM");
		pl->ansi = !env_set("NO_COLOR") && term && strcmp(term, "dumb") != 0;
	}
}

/* True for a UUID-shaped id (8-4-4-4-12 hex digits). */
static bool uuid_like(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

/* Default label for a run: LABEL=, the job list's model name, the body's
 * job_id (a UUID shortened to its first 8 characters, as the platform
 * shows it), else the file name without directory and extension. */
static char *default_label(const struct run *r, const char *listed)
{
	if (r->label)
		return xstrdup(r->label);
	if (listed)
		return xstrdup(listed);
	if (r->id && r->id[strspn(r->id, " \t\r\n")])
		return uuid_like(r->id) ? xstrndup(r->id, 8) : xstrdup(r->id);
	const char *base = strrchr(r->arg, '/');
	base = base && base[1] ? base + 1 : r->arg;
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	return xstrndup(base, len);
}

/* Is LABEL among the first N labels? */
static bool label_taken(char *const *labels, size_t n, const char *label)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(labels[j], label) == 0)
			return true;
	return false;
}

/* Is STEM.dat among the first N file names? */
static bool stem_taken(char *const *files, size_t n, const char *stem)
{
	size_t len = strlen(stem);
	for (size_t j = 0; j < n; j++)
		if (strncmp(files[j], stem, len) == 0 && strcmp(files[j] + len, ".dat") == 0)
			return true;
	return false;
}

/* Labels (sanitized, unique), colours and -d file names. */
static void name_jobs(struct state *st)
{
	size_t n = st->nruns;
	char **listed = NULL;
	if (st->have_jl) {
		const char **ids = xcalloc(n, sizeof *ids);
		for (size_t i = 0; i < n; i++) {
			const struct source_result *res = NULL;
			for (size_t k = 0; k < st->njobs; k++)
				if (st->results[k].run == st->runs[i])
					res = &st->results[k];
			if (res && res->kind == SOURCE_JOBID && !st->runs[i]->label)
				ids[i] = st->runs[i]->arg;
		}
		listed = joblist_labels(&st->jl, ids, n);
		free(ids);
	}
	st->labels = xcalloc(n, sizeof *st->labels);
	st->files = xcalloc(n, sizeof *st->files);
	st->jobs = xcalloc(n, sizeof *st->jobs);
	char fallback[32];
	for (size_t i = 0; i < n; i++) {
		char *raw = default_label(st->runs[i], listed ? listed[i] : NULL);
		snprintf(fallback, sizeof fallback, "job %zu", i + 1);
		char *clean = text_sanitize(raw, strlen(raw), 64, fallback);
		free(raw);
		/* Unique: "name", "name (2)", … */
		char *label = xstrdup(clean);
		for (int k = 2; label_taken(st->labels, i, label); k++) {
			free(label);
			label = xasprintf("%s (%d)", clean, k);
		}
		free(clean);
		st->labels[i] = label;
		/* File names: unique stems; "compare" is the script's. */
		char *base = text_file_stem(label);
		char *stem = xstrdup(base);
		for (int k = 2; strcmp(stem, "compare") == 0 || stem_taken(st->files, i, stem); k++) {
			free(stem);
			stem = xasprintf("%s-%d", base, k);
		}
		free(base);
		st->files[i] = xasprintf("%s.dat", stem);
		free(stem);
		st->jobs[i].label = st->labels[i];
		st->jobs[i].color = gpscript_color(&st->opts, i);
		st->jobs[i].file = st->files[i];
		st->jobs[i].t0 = NAN;
		int tc = run_find(st->runs[i], COL_TIME);
		for (size_t r = 0; tc >= 0 && r < st->runs[i]->nrows; r++)
			if (isfinite(st->runs[i]->cols[tc][r])) {
				st->jobs[i].t0 = st->runs[i]->cols[tc][r];
				break;
			}
	}
	if (listed) {
		for (size_t i = 0; i < n; i++)
			free(listed[i]);
		free(listed);
	}
}

/* Prints the warnings a run collected while it was read. */
static void warn_run(const struct run *r)
{
	char *job = shown(r->arg);
	if (r->skipped_nostep)
		diag_warn("%s: skipped %zu row%s without a usable step", job, r->skipped_nostep,
			  r->skipped_nostep == 1 ? "" : "s");
	if (r->nonfinite)
		diag_warn("%s: %zu value%s not finite (read as not logged)", job, r->nonfinite,
			  r->nonfinite == 1 ? " was" : "s were");
	if (r->ignored_fields)
		diag_warn("%s: more than %d metric columns; %zu value%s of further columns ignored", job,
			  RUN_MAX_COLS, r->ignored_fields, r->ignored_fields == 1 ? "" : "s");
	if (r->backwards)
		diag_warn("%s: the step went back %zu time%s (a resumed run?); where a step was logged "
			  "twice, the values logged last are kept",
			  job, r->backwards, r->backwards == 1 ? "" : "s");
	if (r->nrows == 0) {
		if (r->message) {
			char *m = shown(r->message);
			diag_warn("%s: no metrics (%s)", job, m);
			free(m);
		} else {
			diag_warn("%s: no metrics", job);
		}
	}
	free(job);
}

/* With --smooth and tidy data output: adds COLUMN_smoothed columns so the
 * data files (and the -d script that plots them) carry the smoothed line. */
static void add_smoothed_columns(struct state *st)
{
	for (size_t i = 0; i < st->nruns; i++) {
		struct run *r = st->runs[i];
		for (size_t p = 0; p < st->npanels; p++)
			for (size_t s = 0; s < st->panels[p].nseries; s++) {
				const struct panel_series *ps = &st->panels[p].series[s];
				int c = run_find(r, ps->column);
				if (!ps->smooth || c < 0)
					continue;
				char *name = xasprintf("%s_smoothed", ps->column);
				if (run_find(r, name) < 0) {
					int sc = run_col(r, name);
					c = run_find(r, ps->column); /* run_col may move nothing, but be safe */
					if (sc >= 0)
						view_smooth(r->cols[c], r->cols[sc], r->nrows, st->opts.smooth);
				}
				free(name);
			}
	}
}

/* Fills the script description shared by every chart mode. */
static void script_init(struct state *st, struct gpscript *g, const struct colset *cs,
			const struct view *v)
{
	memset(g, 0, sizeof *g);
	g->opts = &st->opts;
	g->runs = st->runs;
	g->jobs = st->jobs;
	g->njobs = st->nruns;
	g->panels = st->panels;
	g->npanels = st->npanels;
	g->yranges = st->yranges;
	g->xrange = st->xrange;
	g->view = v;
	g->cs = cs;
}

/* Writes the script G to an atomic file PATH (in the -d directory DIRFD
 * when that is not -1).  Returns 0 or -1 (reported). */
static int write_script_file(int dirfd, const char *path, const struct gpscript *g)
{
	struct atomic_out ao;
	char *cause = NULL;
	if ((dirfd < 0 ? atomic_open(&ao, path, &cause)
		       : atomic_open_at(&ao, dirfd, g->opts->data_dir, path, &cause)) != 0) {
		diag_error("%s", cause);
		free(cause);
		return -1;
	}
	if (gpscript_write(ao.fp, g) != 0) {
		/* the commit below reports the stream's error */
	}
	if (atomic_commit(&ao, &cause) != 0) {
		diag_error("%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* -d DIR: one tidy file per job and DIR/compare.gp.  Returns an exit code. */
static int write_data_dir(struct state *st, const struct colset *cs)
{
	const char *dir = st->opts.data_dir;
	char *cause = NULL;
	int dirfd = dir_open_or_make(dir, &cause);
	if (dirfd < 0) {
		report(dir, cause);
		return EXIT_DATA;
	}
	for (size_t i = 0; i < st->nruns; i++) {
		struct atomic_out ao;
		int rc = atomic_open_at(&ao, dirfd, dir, st->files[i], &cause);
		if (rc == 0) {
			datafile_write(ao.fp, st->runs[i], st->labels[i], st->jobs[i].color, cs);
			rc = atomic_commit(&ao, &cause);
		}
		if (rc != 0) {
			diag_error("%s", cause);
			free(cause);
			close(dirfd);
			return EXIT_DATA;
		}
	}
	struct gpscript g;
	script_init(st, &g, cs, NULL);
	g.terminal = st->opts.terminal;
	g.width = st->opts.width;
	g.height = st->opts.height;
	if (g.terminal && (!g.width || !g.height))
		gnuplot_default_size(g.terminal, &g.width, &g.height);
	g.window = true;
	int rc = write_script_file(dirfd, "compare.gp", &g);
	close(dirfd);
	return rc == 0 ? EXIT_OK : EXIT_DATA;
}

/* Reports how a gnuplot run ended (RAN: gnuplot_run's result; WARNINGS
 * and CAUSE are taken).  Returns an exit code. */
static int gnuplot_outcome(int ran, char *warnings, char *cause)
{
	int rc = EXIT_OK;
	if (ran != 0) {
		diag_error("%s", cause);
		rc = EXIT_DATA;
	} else if (warnings && !diag_quiet) {
		char *w = text_sanitize(warnings, strlen(warnings), 2000, "");
		diag_warn("gnuplot: %s", w);
		free(w);
	}
	free(cause);
	free(warnings);
	return rc;
}

/* Gives the script to the gnuplot started early (gnuplot_prestart), or
 * writes it to a private temporary file and runs gnuplot on it.  Returns
 * an exit code (messages printed). */
static int run_gnuplot(const struct gpscript *g)
{
	/* A gnuplot started while the jobs were read takes the script as it
	 * is written. */
	FILE *stream = gnuplot_script_stream();
	if (stream) {
		char *warnings = NULL, *cause = NULL;
		if (g->opts->verbose)
			diag_note("running %s, the script on its stdin (terminal %s)", gnuplot_program(),
				  g->terminal ? g->terminal : "gnuplot's default");
		gpscript_write(stream, g);
		int rc = gnuplot_script_finish(&warnings, &cause);
		return gnuplot_outcome(rc, warnings, cause);
	}

	/* An absolute TMPDIR only: gnuplot runs a script path starting with
	 * '<' as a command. */
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || tmpdir[0] != '/')
		tmpdir = "/tmp";
	char *path = xasprintf("%s/trcompare-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		char *dir = shown(tmpdir);
		diag_error("%s: cannot create a temporary file: %s", dir, strerror(errno));
		free(dir);
		free(path);
		return EXIT_DATA;
	}
	cleanup_register_path(path);
	FILE *fp = fdopen(fd, "w");
	char *cause = NULL;
	int rc = EXIT_OK;
	if (!fp) {
		close(fd);
		cause = xasprintf("%s: %s", path, strerror(errno));
	} else {
		gpscript_write(fp, g);
		char *why = NULL;
		if (close_stream(fp, &why) != 0) {
			cause = xasprintf("%s: %s", path, why);
			free(why);
		}
	}
	if (cause) {
		diag_error("%s", cause);
		free(cause);
		rc = EXIT_DATA;
	} else {
		char *warnings = NULL;
		fflush(stdout);
		if (g->opts->verbose)
			diag_note("running %s on %s (terminal %s)", gnuplot_program(), path,
				  g->terminal ? g->terminal : "gnuplot's default");
		int ran = gnuplot_run(path, &warnings, &cause);
		rc = gnuplot_outcome(ran, warnings, cause);
	}
	unlink(path);
	cleanup_unregister_path(path);
	free(path);
	return rc;
}

/* Draws the chart as planned.  Returns an exit code. */
/* The chart's size in its terminal's units: --size, else a window's
 * 1000x650, the terminal's own size for a text chart drawn on it, else the
 * gnuplot terminal's default. */
static void chart_size(const struct plan *pl, int *w, int *h)
{
	*w = pl->width;
	*h = pl->height;
	if (*w && *h)
		return;
	if (pl->mode == CHART_WINDOW) {
		*w = 1000, *h = 650; /* fits a laptop screen */
	} else if (pl->mode == CHART_TEXT_TTY && tty_size(STDOUT_FILENO, w, h)) {
		return;
	} else if (pl->terminal) {
		gnuplot_default_size(pl->terminal, w, h);
	}
	if (!*w || !*h)
		*w = 1200, *h = 800;
}

/* Builds what is drawn (also for -d: its x-axis checks and --ignore-outliers
 * ranges).  Prints warnings; returns an exit code. */
static int build_view(struct state *st, const struct plan *pl, struct view *v)
{
	const struct options *o = &st->opts;
	int w, h;
	chart_size(pl, &w, &h);
	/* Where each panel's plot area lies in pixels (characters for text
	 * charts), by the layout draw_chart's script states for this terminal
	 * and size: the downsampling grid. */
	struct view_px *px = xcalloc(st->npanels ? st->npanels : 1, sizeof *px);
	for (size_t p = 0; p < st->npanels; p++)
		gpscript_panel_px(pl->terminal, w, st->npanels, p, &px[p].left, &px[p].width);
	struct view_opts vo = {
		.xaxis = o->xaxis,
		.smooth = o->smooth,
		.max_points = o->max_points,
		.px = px,
		.xmin_set = isfinite(st->xrange.min),
		.xmax_set = isfinite(st->xrange.max),
		.xmin = st->xrange.min,
		.xmax = st->xrange.max,
		.ignore_outliers = o->ignore_outliers,
	};
	char *cause = NULL;
	int rc = view_build(v, st->runs, st->nruns, st->panels, st->npanels, &vo, &cause);
	free(px);
	if (rc != 0) {
		diag_error("%s", cause);
		free(cause);
		return EXIT_DATA;
	}
	for (size_t i = 0; i < v->nwarnings; i++)
		diag_warn("%s", v->warnings[i]);
	/* --ignore-outliers fills the y ranges --yrange left automatic. */
	for (size_t p = 0; v->yrange && p < st->npanels; p++) {
		struct gp_range *yr = &st->yranges[p];
		if (v->yrange[p].set && !isfinite(yr->min) && !isfinite(yr->max)) {
			yr->min = v->yrange[p].lo;
			yr->max = v->yrange[p].hi;
		}
	}
	if (o->verbose) {
		size_t pts = 0, full = 0;
		for (size_t i = 0; i < v->n; i++) {
			pts += v->s[i].n;
			full += v->s[i].n_full;
		}
		diag_note("drawing %zu series: %zu of %zu points after downsampling", v->n, pts, full);
	}
	return EXIT_OK;
}

/* Draws the chart as planned from the view V.  Returns an exit code. */
static int draw_chart(struct state *st, const struct plan *pl, const struct view *v)
{
	const struct options *o = &st->opts;
	int w, h;
	chart_size(pl, &w, &h);
	char *cause = NULL;

	struct gpscript g;
	script_init(st, &g, NULL, v);
	g.terminal = pl->terminal;
	/* The layout is computed for this size, so the script states it. */
	g.width = w;
	g.height = h;
	g.ansi_color = pl->ansi;
	int rc = EXIT_OK;

	switch (pl->mode) {
	case CHART_NONE:
		break;
	case CHART_SCRIPT_STDOUT:
		g.stdin_fast = true;
		g.window = true;
		gpscript_write(stdout, &g);
		break;
	case CHART_SCRIPT_FILE:
		g.window = true;
		if (write_script_file(-1, o->output, &g) != 0)
			rc = EXIT_DATA;
		break;
	case CHART_RENDER_FILE: {
		if (gnuplot_check(&cause) != 0) {
			diag_error("%s", cause);
			free(cause);
			rc = EXIT_DATA;
			break;
		}
		if (!gnuplot_has_terminal(pl->terminal)) {
			char *t = shown(pl->terminal);
			diag_error("%s: this gnuplot has no '%s' terminal", o->output, t);
			free(t);
			rc = EXIT_DATA;
			break;
		}
		struct atomic_out ao;
		if (atomic_open(&ao, o->output, &cause) != 0) {
			diag_error("%s", cause);
			free(cause);
			rc = EXIT_DATA;
			break;
		}
		g.output = ao.tmp;
		rc = run_gnuplot(&g);
		if (rc == EXIT_OK && strcmp(pl->terminal, "canvas") == 0 &&
		    canvas_inline_scripts(ao.tmp, &cause) != 0) {
			diag_error("%s", cause);
			free(cause);
			rc = EXIT_DATA;
		}
		if (rc == EXIT_OK) {
			struct stat sb;
			if (stat(ao.tmp, &sb) == 0 && sb.st_size == 0) {
				diag_error("%s: gnuplot wrote nothing", o->output);
				rc = EXIT_DATA;
			}
		}
		if (rc == EXIT_OK) {
			if (atomic_commit(&ao, &cause) != 0) {
				diag_error("%s", cause);
				free(cause);
				rc = EXIT_DATA;
			}
		} else {
			atomic_abort(&ao);
		}
		break;
	}
	case CHART_TEXT_TTY:
	case CHART_WINDOW:
		g.window = pl->mode == CHART_WINDOW;
		rc = run_gnuplot(&g);
		break;
	}
	return rc;
}

/* --list-jobs and --latest.  Exits on failure. */
static void use_joblist(struct state *st)
{
	struct options *o = &st->opts;
	char *cause = NULL;
	int status = EXIT_FETCH;
	if (joblist_fetch(o, &st->jl, &cause, &status) != 0) {
		report(o->url, cause);
		exit(status);
	}
	st->have_jl = true;
	if (o->list_jobs) {
		int rc = joblist_print(&st->jl, o->format, stdout);
		char *why = NULL;
		if (close_stream(stdout, &why) != 0 || rc != 0) {
			diag_error("stdout: %s", why ? why : "write error");
			free(why);
			exit(EXIT_DATA);
		}
		joblist_free(&st->jl);
		options_free(o);
		exit(EXIT_OK);
	}
	if (o->latest) {
		size_t n = st->jl.n < (size_t)o->latest ? st->jl.n : (size_t)o->latest;
		if (n == 0) {
			diag_error("--latest: the job list has no %sjobs", o->status ? "matching " : "");
			exit(EXIT_DATA);
		}
		st->latest_ids = xcalloc(n, sizeof *st->latest_ids);
		o->jobs = xreallocarray(o->jobs, o->njobs + n, sizeof *o->jobs);
		for (size_t i = 0; i < n; i++) {
			st->latest_ids[i] = xstrdup(st->jl.jobs[i].id);
			o->jobs[o->njobs++] = st->latest_ids[i];
		}
		st->nlatest = n;
	}
}

/* Progress on stderr for long fetches (stderr a terminal only). */
static void progress_line(void *ctx, const char *line)
{
	(void)ctx;
	if (line)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* -v lines from the HTTP layer (the token is never in them). */
static void verbose_line(void *ctx, const char *line)
{
	(void)ctx;
	diag_note("%s", line);
}

/* Frees everything. */
static void state_free(struct state *st)
{
	for (size_t i = 0; i < st->njobs; i++)
		source_result_free(&st->results[i]);
	free(st->results);
	free(st->runs);
	for (size_t i = 0; i < st->nruns; i++) {
		free(st->labels ? st->labels[i] : NULL);
		free(st->files ? st->files[i] : NULL);
	}
	free(st->labels);
	free(st->files);
	free(st->jobs);
	panel_list_free(st->panels, st->npanels);
	free(st->yranges);
	for (size_t i = 0; i < st->nlatest; i++)
		free(st->latest_ids[i]);
	free(st->latest_ids);
	if (st->have_jl)
		joblist_free(&st->jl);
	options_free(&st->opts);
}

/* Occupies a closed stdin, stdout or stderr with /dev/null opened the wrong
 * way round: the next file opened cannot take that number (and receive
 * what was meant for stdout), while reads and writes there still fail with
 * EBADF and are reported as before. */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			(void)open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
}

int main(int argc, char **argv)
{
	hold_std_fds();
	struct state st;
	memset(&st, 0, sizeof st);
	cleanup_install_signals();
	options_parse(argc, argv, &st.opts);
	struct options *o = &st.opts;
	diag_quiet = o->quiet;
	if (o->output || o->data_dir)
		cleanup_hold_sigpipe();

	if (o->list_jobs || o->latest)
		use_joblist(&st);
	setup_panels(&st);
	struct plan pl;
	plan_output(o, &pl);

	/* Usage errors hidden in JOB arguments are reported before anything
	 * is fetched. */
	size_t bad;
	char *why_bad = NULL;
	if (source_check(o, &bad, &why_bad) != 0) {
		report(o->jobs[bad], why_bad);
		state_free(&st);
		return EXIT_USAGE;
	}
	/* gnuplot starts up (to say which terminals it has, and to draw)
	 * while the jobs are read. */
	if (pl.mode == CHART_RENDER_FILE) {
		gnuplot_probe_start();
		char *warmup = gpscript_warmup(pl.terminal);
		gnuplot_prestart(warmup);
		free(warmup);
	}
	if (isatty(STDERR_FILENO) && !o->quiet)
		source_set_progress(progress_line, NULL);
	if (o->verbose)
		http_set_log(verbose_line, NULL);
	st.njobs = o->njobs;
	st.results = xcalloc(st.njobs, sizeof *st.results);
	if (o->verbose)
		diag_note("reading %zu job%s", st.njobs, st.njobs == 1 ? "" : "s");
	source_load_all(o, st.results);

	/* Every failure is said, every time. */
	int rc = EXIT_OK;
	st.runs = xcalloc(st.njobs, sizeof *st.runs);
	for (size_t i = 0; i < st.njobs; i++) {
		struct source_result *res = &st.results[i];
		if (res->status != EXIT_OK) {
			report(o->jobs[i], res->error ? res->error : xstrdup("failed"));
			res->error = NULL;
			if (res->status == EXIT_USAGE) {
				state_free(&st);
				return EXIT_USAGE;
			}
			if (res->status == EXIT_FETCH || rc == EXIT_OK)
				rc = res->status;
			continue;
		}
		warn_run(res->run);
		st.runs[st.nruns++] = res->run;
	}
	if (rc != EXIT_OK && !o->keep_going) {
		state_free(&st);
		return rc;
	}
	size_t with_data = 0;
	for (size_t i = 0; i < st.nruns; i++)
		with_data += st.runs[i]->nrows > 0;
	if (with_data == 0) {
		diag_error(st.nruns ? "no job has any metrics" : "no job could be read");
		state_free(&st);
		return rc != EXIT_OK ? rc : EXIT_DATA;
	}

	/* Jobs given by id are labelled with their model names when the job
	 * list can be had; without it, labels fall back to the ids. */
	bool any_id = false;
	for (size_t i = 0; i < st.njobs; i++)
		any_id |= st.results[i].kind == SOURCE_JOBID && st.results[i].status == EXIT_OK;
	if (any_id && !st.have_jl && o->url) {
		char *why = NULL;
		int status = 0;
		if (joblist_fetch(o, &st.jl, &why, &status) == 0)
			st.have_jl = true;
		else if (o->verbose)
			diag_note("no job list for labels: %s", why);
		free(why);
	}
	name_jobs(&st);
	char *cause = NULL;
	if (pl.mode != CHART_NONE || o->data_dir) {
		if (panel_list_check(st.panels, st.npanels, st.runs, st.nruns, &cause) != 0) {
			report("--metrics", cause);
			state_free(&st);
			return EXIT_DATA;
		}
	}
	if (o->smooth > 0 && (o->data_dir || o->data_stdout))
		add_smoothed_columns(&st);

	int out_rc = EXIT_OK;
	if (o->summary != SUMMARY_NONE) {
		struct summary_row *rows = xcalloc(st.nruns, sizeof *rows);
		for (size_t i = 0; i < st.nruns; i++) {
			free(st.runs[i]->label);
			st.runs[i]->label = xstrdup(st.labels[i]);
		}
		summary_compute(st.runs, st.nruns, rows);
		summary_write(rows, st.nruns, o->summary, stdout);
		free(rows);
	}
	struct colset cs;
	colset_build(&cs, st.runs, st.nruns);
	if (o->data_stdout) {
		for (size_t i = 0; i < st.nruns; i++) {
			if (i)
				fputs("\n\n", stdout);
			datafile_write(stdout, st.runs[i], st.labels[i], st.jobs[i].color, &cs);
		}
	}
	struct view view = {0};
	if (pl.mode != CHART_NONE || o->data_dir)
		out_rc = build_view(&st, &pl, &view);
	if (out_rc == EXIT_OK && o->data_dir)
		out_rc = write_data_dir(&st, &cs);
	if (out_rc == EXIT_OK && pl.mode != CHART_NONE)
		out_rc = draw_chart(&st, &pl, &view);
	view_free(&view);
	colset_free(&cs);

	char *why = NULL;
	if (close_stream(stdout, &why) != 0) {
		cleanup_release_sigpipe(); /* the files are in: end as a filter does */
		diag_error("stdout: %s", why);
		free(why);
		if (out_rc == EXIT_OK)
			out_rc = EXIT_DATA;
	}
	state_free(&st);
	if (out_rc != EXIT_OK)
		return out_rc;
	return rc;
}
