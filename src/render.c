/* render.c: outputs of a chart (see render.h). */
#include "config.h"

#include "render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canvas.h"
#include "datafile.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "summary.h"
#include "text.h"
#include "util.h"
#include "watchwin.h"

static void (*log_fn)(void *ctx, const char *line);
static void *log_ctx;

void render_set_log(void (*fn)(void *ctx, const char *line), void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

/* Logs one line (-v). */
static void note(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void note(const char *fmt, ...)
{
	if (!log_fn)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	log_fn(log_ctx, line);
	free(line);
}

/* User text made safe for a message (malloc'd). */
static char *shown(const char *s)
{
	return text_sanitize(s, strlen(s), TEXT_MAX_CHARS, "(empty)");
}

/* -o FILE: the terminal from the extension (or -t). */
static int plan_file(const struct compare_spec *spec, struct render_plan *pl, char **cause)
{
	const char *term = NULL;
	char *why = NULL;
	if (strcmp(spec->output, "-") == 0) {
		/* -o -: the script, or with -t the rendered chart, to stdout. */
		pl->mode = spec->terminal ? CHART_RENDER_FILE : CHART_SCRIPT_STDOUT;
		pl->terminal = spec->terminal;
		return 0;
	}
	/* A known extension without a terminal is .gp: the script (for -t's
	 * terminal, if given).  An unknown one needs -t. */
	bool known = gnuplot_terminal_for_path(spec->output, &term, &why) == 0;
	if (!known && !spec->terminal) {
		*cause = xasprintf("-o: %s", why);
		free(why);
		return -1;
	}
	free(why);
	pl->mode = known && term == NULL ? CHART_SCRIPT_FILE : CHART_RENDER_FILE;
	pl->terminal = spec->terminal ? spec->terminal : term;
	/* These write a second file named after the output, which a temporary
	 * name would break; gnuplot must run them itself. */
	static const char *const two_files[] = {"cairolatex", "epslatex", "pslatex", "pstex",
						"pstricks", "mp", "context", "lua"};
	for (size_t i = 0; pl->mode == CHART_RENDER_FILE && i < ARRAY_SIZE(two_files); i++)
		if (strcmp(pl->terminal, two_files[i]) == 0) {
			*cause = xasprintf("-t %s: this terminal writes more than one file; write the "
					   "script with -o FILE.gp and run gnuplot on it", pl->terminal);
			return -1;
		}
	return 0;
}

/* No -o: the script to standard output, or a window or text chart on a terminal. */
static int plan_stdout(const struct compare_spec *spec, const struct render_env *env,
		       struct render_plan *pl, char **cause)
{
	if (spec->summary != SUMMARY_NONE || spec->data_stdout || spec->data_dir || spec->report) {
		pl->mode = CHART_NONE;
		return 0;
	}
	if (!env->stdout_tty) {
		pl->mode = CHART_SCRIPT_STDOUT;
		pl->terminal = spec->terminal;
		return 0;
	}
	const char *t = spec->terminal;
	if (!t) {
		t = env->window_terminal;
		pl->mode = t ? CHART_WINDOW : CHART_TEXT_TTY;
		pl->terminal = t ? t : "dumb";
	} else if (strcmp(t, "dumb") == 0) {
		pl->mode = CHART_TEXT_TTY;
		pl->terminal = t;
	} else if (strcmp(t, "qt") == 0 || strcmp(t, "wxt") == 0 || strcmp(t, "x11") == 0) {
		pl->mode = CHART_WINDOW;
		pl->terminal = t;
	} else {
		char *s = shown(t);
		*cause = xasprintf("-t %s: not writing %s output to a terminal; use -o FILE or a pipe", s, s);
		free(s);
		return -1;
	}
	pl->ansi = pl->mode == CHART_TEXT_TTY && env->ansi;
	return 0;
}

/* The chart's size in its terminal's units: --size, else a window's
 * 1000x650, the terminal's own size for a text chart drawn on it, else the
 * gnuplot terminal's default. */
static void chart_size(const struct compare_spec *spec, const struct render_env *env,
		       struct render_plan *pl)
{
	int *w = &pl->width, *h = &pl->height;
	*w = spec->width;
	*h = spec->height;
	if (*w && *h)
		return;
	if (pl->mode == CHART_WINDOW) {
		*w = 1000, *h = 650; /* fits a laptop screen */
	} else if (pl->mode == CHART_TEXT_TTY && env->tty_cols > 0 && env->tty_rows > 0) {
		*w = env->tty_cols, *h = env->tty_rows;
		return;
	} else if (pl->terminal) {
		gnuplot_default_size(pl->terminal, w, h);
	}
	if (!*w || !*h)
		*w = 1200, *h = 800;
}

int render_plan(const struct compare_spec *spec, const struct render_env *env,
		struct render_plan *pl, char **cause)
{
	memset(pl, 0, sizeof *pl);
	pl->output = spec->output;
	pl->html_title = spec->title;
	int rc = spec->output ? plan_file(spec, pl, cause) : plan_stdout(spec, env, pl, cause);
	if (rc == 0)
		chart_size(spec, env, pl);
	return rc;
}

struct chart_target render_target(const struct render_plan *pl, bool data_dir)
{
	struct chart_target t = {
		.terminal = pl->terminal,
		.width = pl->width,
		.height = pl->height,
		.view = pl->mode != CHART_NONE || data_dir,
	};
	return t;
}

/* Writes CH's script for E to an atomic file PATH (in the -d directory
 * DIRFD, whose path is DIR, unless DIRFD is -1). */
static int script_file(int dirfd, const char *dir, const char *path, const struct chart *ch,
		       const struct gp_emit *e, char **cause)
{
	struct atomic_out ao;
	if ((dirfd < 0 ? atomic_open(&ao, path, cause) : atomic_open_at(&ao, dirfd, dir, path, cause)) != 0)
		return -1;
	gpscript_write(ao.fp, ch, e); /* atomic_commit reports the stream's error */
	return atomic_commit(&ao, cause);
}

/* Draws CH for E in the gnuplot session S: the script goes to gnuplot as
 * it is written. */
static int run_session(struct gp_session *s, const struct chart *ch, const struct gp_emit *e,
		       bool keep, char **warnings, char **cause)
{
	const char *term = e->terminal ? e->terminal : "gnuplot's default";
	/* Before the stream: it holds SIGPIPE, and a note flushes standard output,
	 * whose reader may be gone (a SIGPIPE the top level must see). */
	note("running %s, the script on its stdin (terminal %s)", gnuplot_program(), term);
	FILE *stream = gp_session_script(s);
	if (!stream)
		return gp_session_finish(s, warnings, cause);
	gpscript_write(stream, ch, e);
	return keep ? gp_session_sync(s, warnings, cause) : gp_session_finish(s, warnings, cause);
}

/* Draws CH for E in PL's session (kept open when PL says so), or in a
 * gnuplot started for it. */
static int draw_planned(const struct render_plan *pl, const struct chart *ch, const struct gp_emit *e,
			char **warnings, char **cause)
{
	if (pl->session)
		return run_session(pl->session, ch, e, pl->keep_session, warnings, cause);
	struct gp_session *s = gp_session_start(NULL, cause);
	int rc = s ? run_session(s, ch, e, false, warnings, cause) : -1;
	gp_session_free(s);
	return rc;
}

int render_script_file(const struct chart *ch, const struct gp_emit *e, const char *tmpdir,
		       char **path, char **cause)
{
	char *p = xasprintf("%s/trcompare-XXXXXX", tmpdir);
	int fd = mkstemp(p);
	if (fd < 0) {
		char *dir = shown(tmpdir);
		*cause = xasprintf("%s: cannot create a temporary file: %s", dir, strerror(errno));
		free(dir);
		free(p);
		*path = NULL;
		return -1;
	}
	cleanup_register_path(p);
	*path = p;
	FILE *fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		*cause = xasprintf("%s: %s", p, strerror(errno));
		return -1;
	}
	gpscript_write(fp, ch, e);
	char *why = NULL;
	if (close_stream(fp, &why) != 0) {
		*cause = xasprintf("%s: %s", p, why);
		free(why);
		return -1;
	}
	return 0;
}

void render_script_remove(char *path)
{
	if (!path)
		return;
	unlink(path);
	cleanup_unregister_path(path);
	free(path);
}

/* Runs gnuplot on the script of CH for E, written to a private temporary
 * script file (text charts and windows: gnuplot draws on our terminal). */
static int run_gnuplot(const struct chart *ch, const struct gp_emit *e,
		       const struct render_env *env, FILE *out, char **warnings, char **cause)
{
	const char *term = e->terminal ? e->terminal : "gnuplot's default";
	char *path;
	int rc = render_script_file(ch, e, env->tmpdir, &path, cause);
	if (rc == 0) {
		if (out)
			fflush(out);
		note("running %s on %s (terminal %s)", gnuplot_program(), path, term);
		rc = e->window ? gnuplot_run_window(path, warnings, cause)
			       : gnuplot_run(path, warnings, cause);
	}
	render_script_remove(path);
	return rc;
}

/* Copies the file at PATH to OUT. */
static int copy_to(const char *path, FILE *out, char **cause)
{
	FILE *in = fopen(path, "rb");
	if (!in) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
		if (fwrite(chunk, 1, n, out) != n)
			break;
	bool bad = ferror(in);
	fclose(in);
	if (bad) {
		*cause = xasprintf("%s: read error", path);
		return -1;
	}
	return 0; /* the caller checks OUT */
}

/* -o - with -t: gnuplot renders into a private temporary file, which is
 * then copied to OUT (standard output). */
static int render_stdout(const struct render_plan *pl, const struct chart *ch, struct gp_emit *e,
			 const struct render_env *env, FILE *out, char **warnings, char **cause)
{
	char *path = xasprintf("%s/trcompare-XXXXXX", env->tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		char *dir = shown(env->tmpdir);
		*cause = xasprintf("%s: cannot create a temporary file: %s", dir, strerror(errno));
		free(dir);
		free(path);
		return -1;
	}
	close(fd);
	cleanup_register_path(path);
	e->output = path;
	int rc = draw_planned(pl, ch, e, warnings, cause);
	if (rc == 0 && strcmp(pl->terminal, "canvas") == 0)
		rc = canvas_inline_scripts(path, "-", &(struct canvas_page){ .title = pl->html_title }, cause);
	if (rc == 0)
		rc = copy_to(path, out, cause);
	unlink(path);
	cleanup_unregister_path(path);
	free(path);
	return rc;
}

/* -o FILE.png …: gnuplot renders into a temporary file beside FILE, which
 * is renamed into place when complete. */
static int render_file(const struct render_plan *pl, const struct chart *ch, struct gp_emit *e,
		       const struct render_env *env, FILE *out, char **warnings, char **cause)
{
	if (gnuplot_check(cause) != 0)
		return -1;
	if (!gnuplot_has_terminal(pl->terminal)) {
		char *t = shown(pl->terminal);
		*cause = xasprintf("%s: this gnuplot has no '%s' terminal", pl->output, t);
		free(t);
		return -1;
	}
	if (strcmp(pl->output, "-") == 0)
		return render_stdout(pl, ch, e, env, out, warnings, cause);
	struct atomic_out ao;
	if (atomic_open(&ao, pl->output, cause) != 0)
		return -1;
	/* gnuplot and the canvas rewrite open the file we created, by its
	 * descriptor: never what someone may have put at its name since. */
	char *target = atomic_fd_path(&ao);
	e->output = target;
	int rc = draw_planned(pl, ch, e, warnings, cause);
	if (rc == 0)
		rc = render_file_check(pl, target, cause);
	free(target);
	if (rc == 0)
		return atomic_commit(&ao, cause);
	atomic_abort(&ao);
	return -1;
}

int render_file_check(const struct render_plan *pl, const char *tmp, char **cause)
{
	struct canvas_page page = { .title = pl->html_title, .refresh = pl->html_refresh };
	if (strcmp(pl->terminal, "canvas") == 0 && canvas_inline_scripts(tmp, pl->output, &page, cause) != 0)
		return -1;
	struct stat sb;
	if (stat(tmp, &sb) == 0 && sb.st_size == 0) {
		*cause = xasprintf("%s: gnuplot wrote nothing", pl->output);
		return -1;
	}
	return 0;
}

void render_emit(const struct render_plan *pl, const struct compare_spec *spec,
		 const struct render_env *env, struct gp_emit *e)
{
	struct gp_emit init = {
		.terminal = pl->terminal,
		/* The layout is computed for this size, so the script states it. */
		.width = pl->width,
		.height = pl->height,
		.size_given = spec->width && spec->height,
		.ansi_color = pl->ansi,
		.display = env->display,
	};
	*e = init;
}

int render_chart(const struct render_plan *pl, const struct chart *ch,
		 const struct compare_spec *spec, const struct render_env *env, FILE *out,
		 char **warnings, char **cause)
{
	*warnings = NULL;
	struct gp_emit e;
	render_emit(pl, spec, env, &e);
	switch (pl->mode) {
	case CHART_NONE:
		return 0;
	case CHART_SCRIPT_STDOUT:
		e.stdin_fast = true;
		e.window = true;
		gpscript_write(out, ch, &e); /* the caller checks OUT */
		return 0;
	case CHART_SCRIPT_FILE:
		e.window = true;
		return script_file(-1, NULL, pl->output, ch, &e, cause);
	case CHART_RENDER_FILE:
		return render_file(pl, ch, &e, env, out, warnings, cause);
	case CHART_TEXT_TTY:
	case CHART_WINDOW:
		if (pl->mode == CHART_WINDOW && pl->session && pl->keep_session)
			return watchwin_draw(pl, ch, spec, env, pl->window_title, warnings, cause);
		e.window = pl->mode == CHART_WINDOW;
		return run_gnuplot(ch, &e, env, out, warnings, cause);
	}
	return 0;
}

int render_data_dir(const char *dir, const struct chart *ch, const struct compare_spec *spec,
		    const struct render_env *env, char **cause)
{
	char *why = NULL;
	int dirfd = dir_open_or_make(dir, &why);
	if (dirfd < 0) {
		char *d = shown(dir);
		*cause = xasprintf("%s: %s", d, why);
		free(d);
		free(why);
		return -1;
	}
	for (size_t i = 0; i < ch->njobs; i++) {
		const struct chart_job *j = &ch->jobs[i];
		struct atomic_out ao;
		int rc = atomic_open_at(&ao, dirfd, dir, j->file, cause);
		if (rc == 0) {
			datafile_write(ao.fp, j->table, j->label, j->color, &ch->cs);
			rc = atomic_commit(&ao, cause);
		}
		if (rc != 0) {
			close(dirfd);
			return -1;
		}
	}
	struct gp_emit e = {
		.terminal = spec->terminal,
		.width = spec->width,
		.height = spec->height,
		.size_given = spec->width && spec->height,
		.display = env->display,
		.files = true,
		.window = true,
	};
	if (e.terminal && (!e.width || !e.height))
		gnuplot_default_size(e.terminal, &e.width, &e.height);
	int rc = script_file(dirfd, dir, "compare.gp", ch, &e, cause);
	if (rc == 0 && spec->watch > 0) {
		struct atomic_out ao;
		rc = atomic_open_at(&ao, dirfd, dir, "watch.gp", cause);
		if (rc == 0) {
			gpscript_watch_loop(ao.fp, spec->watch); /* commit checks the stream */
			rc = atomic_commit(&ao, cause);
		}
	}
	close(dirfd);
	return rc;
}

int render_data_dir_prune(const char *dir, char **old, size_t *n, const struct chart *ch, char **cause)
{
	size_t left = 0;
	const char *sep = *dir && dir[strlen(dir) - 1] == '/' ? "" : "/";
	for (size_t i = 0; i < *n; i++) {
		bool kept = false;
		for (size_t j = 0; j < ch->njobs && !kept; j++)
			kept = strcmp(ch->jobs[j].file, old[i]) == 0;
		char *path = kept ? NULL : xasprintf("%s%s%s", dir, sep, old[i]);
		if (path && unlink(path) != 0 && errno != ENOENT) {
			if (!*cause) {
				char *p = shown(path);
				*cause = xasprintf("%s: cannot remove: %s", p, strerror(errno));
				free(p);
			}
			old[left++] = old[i];
		} else {
			free(old[i]);
		}
		free(path);
	}
	*n = left;
	return left ? -1 : 0;
}

void render_data(FILE *out, const struct chart *ch)
{
	for (size_t i = 0; i < ch->njobs; i++) {
		const struct chart_job *j = &ch->jobs[i];
		if (i)
			fputs("\n\n", out);
		datafile_write(out, j->table, j->label, j->color, &ch->cs);
	}
}

long render_baseline(const struct chart *ch, const char *job)
{
	size_t len = strlen(job);
	for (int pass = 0; pass < 4; pass++)
		for (size_t j = 0; j < ch->njobs; j++) {
			const char *arg = ch->jobs[j].arg;
			bool hit = pass == 0 ? strcmp(arg, job) == 0
				 : pass == 1 ? strncmp(arg, job, len) == 0 && arg[len] == '='
				 : pass == 2 ? strcmp(ch->jobs[j].label, job) == 0
					     : len && strncmp(arg, job, len) == 0 &&
						       (arg[len] == '/' || job[len - 1] == '/');
			if (hit)
				return (long)j;
		}
	return -1;
}

int render_summary(FILE *out, const struct chart *ch, enum summary_format fmt, int width)
{
	return render_summary_baseline(out, ch, fmt, width, -1);
}

int render_summary_baseline(FILE *out, const struct chart *ch, enum summary_format fmt, int width,
			    long base)
{
	size_t n = ch->njobs;
	struct summary_row *rows = xcalloc(n ? n : 1, sizeof *rows);
	struct run **runs = xcalloc(n ? n : 1, sizeof *runs);
	const char **labels = xcalloc(n ? n : 1, sizeof *labels);
	for (size_t i = 0; i < n; i++) {
		runs[i] = ch->jobs[i].table;
		labels[i] = ch->jobs[i].label;
	}
	summary_compute(runs, labels, n, rows);
	if (base >= 0 && (size_t)base < n)
		summary_set_baseline(rows, n, (size_t)base);
	int rc = summary_write(rows, n, fmt, width, out);
	free(rows);
	free(runs);
	free(labels);
	return rc;
}
