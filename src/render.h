/* render.h: where a chart goes — planning the output from the spec and
 * what the top level knows of its surroundings, then writing it: the
 * script (stdout or a file), a file gnuplot renders, a window or text
 * chart, the tidy data (-d, --data) and the summary.  Every file is
 * written atomically (util.h).  Nothing here prints or exits: failures
 * return -1 with a message, warnings are handed back. */
#ifndef TRCOMPARE_RENDER_H
#define TRCOMPARE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "spec.h"

/* How the chart leaves the program. */
enum chart_mode {
	CHART_NONE,          /* only --summary / --data / -d were asked for */
	CHART_SCRIPT_STDOUT, /* stdout is not a terminal: the script */
	CHART_SCRIPT_FILE,   /* -o FILE.gp */
	CHART_RENDER_FILE,   /* -o FILE.png … : gnuplot renders it */
	CHART_TEXT_TTY,      /* stdout is a terminal, no window: text chart */
	CHART_WINDOW,        /* stdout is a terminal, a display: gnuplot window */
};

/* What the top level knows of where it runs (the library reads no
 * environment). */
struct render_env {
	bool stdout_tty;       /* stdout is a terminal */
	int tty_cols, tty_rows; /* its size, or 0 */
	const char *window_terminal; /* "qt", "wxt" or "x11" when a window can
	                                open (gnuplot_window_terminal), or NULL */
	bool ansi;             /* a text chart on the terminal may use colour
	                          (TERM is not dumb, NO_COLOR unset) */
	bool display;          /* DISPLAY or WAYLAND_DISPLAY is set */
	const char *tmpdir;    /* for private temporary files: $TMPDIR when
	                          absolute, else /tmp (gnuplot runs a script path
	                          starting with '<' as a command) */
};

struct render_plan {
	enum chart_mode mode;
	const char *terminal;  /* gnuplot terminal for the chart, or NULL */
	int width, height;     /* the chart's size in the terminal's units */
	bool ansi;             /* a coloured text chart */
	const char *output;    /* -o FILE, or NULL */
	struct gp_session *session; /* CHART_RENDER_FILE: the gnuplot started
	                               while the jobs were read; CHART_WINDOW
	                               with keep_session (--watch): the window's
	                               (gp_session_start_window, watchwin.h);
	                               while the jobs were read (borrowed), or
	                               NULL to start one when drawing */
	bool keep_session;     /* CHART_RENDER_FILE with a session: leave it
	                          open after the chart (gp_session_sync), for
	                          the next one (--watch) */
	const char *html_title; /* the canvas page's title: --title, or NULL */
	double html_refresh;   /* seconds after which a canvas page reloads
	                          itself (--watch), or 0 */
	const char *window_title; /* CHART_WINDOW with a window session
	                             (keep_session, watchwin.h): the window's
	                             title (the watch's status), or NULL */
};

/* Decides where SPEC's chart goes and its size.  Returns 0, or -1 with
 * *cause (a usage error): "-o: unknown output extension …", "-t
 * cairolatex: this terminal writes more than one file; write the script
 * with -o FILE.gp and run gnuplot on it", "-t png: not writing png output
 * to a terminal; use -o FILE or a pipe". */
int render_plan(const struct compare_spec *spec, const struct render_env *env,
		struct render_plan *pl, char **cause);

/* The target a chart is built for under plan PL (DATA_DIR: -d is asked
 * for, which needs the view's checks too). */
struct chart_target render_target(const struct render_plan *pl, bool data_dir);

/* Draws CH as planned (nothing for CHART_NONE); the script for
 * CHART_SCRIPT_STDOUT goes to OUT (standard output), which is flushed before gnuplot
 * draws a text chart there.  SPEC gives --size.  Returns 0, or -1 with
 * *cause; what gnuplot printed on success is in *warnings (malloc'd) or
 * NULL. */
int render_chart(const struct render_plan *pl, const struct chart *ch,
		 const struct compare_spec *spec, const struct render_env *env, FILE *out,
		 char **warnings, char **cause);

/* How render_chart emits CH's script under PL (for a CHART_RENDER_FILE
 * plan, the caller then sets E->output): --batch's gnuplot pool draws
 * with it, so its scripts are the ones -o writes. */
void render_emit(const struct render_plan *pl, const struct compare_spec *spec,
		 const struct render_env *env, struct gp_emit *e);

/* Writes CH's script for E to a new private file in TMPDIR, removed by
 * the signal cleanup until render_script_remove().  Returns 0 with *path
 * (malloc'd), or -1 with *cause ("DIR: cannot create a temporary file:
 * …", or the write's error) and *path (NULL when no file was made); pass
 * *path to render_script_remove() either way. */
int render_script_file(const struct chart *ch, const struct gp_emit *e, const char *tmpdir,
		       char **path, char **cause);

/* Removes and frees a file of render_script_file() (nothing for NULL). */
void render_script_remove(char *path);

/* After gnuplot rendered PL's output into the temporary file TMP (its
 * atomic_fd_path): inlines
 * the canvas terminal's scripts, and fails with "OUTPUT: gnuplot wrote
 * nothing" for an empty file.  Returns 0 or -1 with *cause. */
int render_file_check(const struct render_plan *pl, const char *tmp, char **cause);

/* -d DIR: one tidy file per job, then DIR/compare.gp (for SPEC's -t and
 * --size, if any).  Returns 0, or -1 with *cause ("DIR: not a
 * directory", "DIR: cannot create directory: …", atomic_commit's). */
int render_data_dir(const char *dir, const struct chart *ch, const struct compare_spec *spec,
		    const struct render_env *env, char **cause);

/* A watch's -d DIR drawn again: removes the data files OLD[0..*N) (names
 * an earlier render_data_dir wrote there, malloc'd) that CH does not
 * write, those of runs that left the chart or changed their label.  A
 * file already gone is fine.  OLD keeps, in *N, the names that could not
 * be removed (the others freed).  Returns 0, or -1 with *cause naming
 * the first ("DIR/NAME: cannot remove: …"). */
int render_data_dir_prune(const char *dir, char **old, size_t *n, const struct chart *ch, char **cause);

/* --data: every job's table to OUT, one gnuplot index block each. */
void render_data(FILE *out, const struct chart *ch);

/* -S: the summary table of CH's jobs in FMT to OUT, a text table fitted
 * into WIDTH characters (0: no limit; summary_write).  Returns 0 or -1
 * (the stream failed). */
int render_summary(FILE *out, const struct chart *ch, enum summary_format fmt, int width);

/* The index of the chart job JOB (--baseline) names: the first whose JOB
 * argument is JOB as written, else whose LABEL= is JOB, else whose label
 * is JOB, else the first run of a directory JOB.  -1 when none (a JOB
 * that failed to load). */
long render_baseline(const struct chart *ch, const char *job);

/* render_summary with deltas against chart job BASE (render_baseline;
 * -1: none, as render_summary). */
int render_summary_baseline(FILE *out, const struct chart *ch, enum summary_format fmt, int width,
			    long base);

/* Verbose log hook (-v): one line per gnuplot run, saying how it runs.
 * NULL turns it off. */
void render_set_log(void (*fn)(void *ctx, const char *line), void *ctx);

#endif
