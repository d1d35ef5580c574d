/* gpscript.h: the gnuplot script writer — the only code that writes
 * gnuplot syntax.  It reads a chart (compare.h) and how to emit it, nothing
 * else.  Untrusted text (labels, titles, column names) reaches the script
 * only as text_gp_quote(text_sanitize(...)) in the arrays T[] and PT[];
 * datablocks hold numbers only; datablock names are generated.  The script
 * is gnuplot 5.2 syntax (no `else if`, no function blocks). */
#ifndef TRCOMPARE_GPSCRIPT_H
#define TRCOMPARE_GPSCRIPT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"

/* How a chart becomes a script. */
struct gp_emit {
	const char *terminal; /* NULL: leave gnuplot's terminal alone */
	int width, height;    /* in the terminal's units (gnuplot_default_size);
	                         the layout is computed for it, so it must be
	                         set when terminal is; without a terminal, 0
	                         means a nominal 1200x800 */
	bool size_given;      /* --size was given: pass it to any terminal */
	bool ansi_color;      /* dumb terminal drawing on a colour tty */
	bool display;         /* made with a display (no longer read: a
	                         script without a terminal checks DISPLAY and
	                         WAYLAND_DISPLAY itself when gnuplot runs it) */
	bool files;           /* plot the chart's tidy files (-d), not inline
	                         datablocks of its view */
	const char *output;   /* path for `set output`, or NULL */
	bool stdin_fast;      /* first line: load /dev/stdin when piped */
	bool window;          /* end with `pause mouse close` on qt/wxt/x11 */
	bool svg_mouse;       /* svg: gnuplot's `mouse` option (its script,
	                         linked by absolute path, toggles plots from
	                         the legend and shows coordinates) */
	bool keep_zoom;       /* a window --watch redraws in one gnuplot: a
	                         single panel the user zoomed keeps the zoom
	                         (read back from GPVAL_X_MIN … before the
	                         chart), `a` returns to the chart's ranges, and
	                         closing the window exits gnuplot */
	const char *window_title; /* untrusted text for a window terminal's
	                             title (the watch's status), or NULL */
};

/* Writes the whole script.  Returns 0, or -1 when the stream failed. */
int gpscript_write(FILE *out, const struct chart *ch, const struct gp_emit *e);

/* Writes -d's watch.gp (--watch): a loop that runs compare.gp beside it
 * (found from ARG0) every SECONDS, for gnuplot alone to follow the data
 * files a watch rewrites.  Returns 0, or -1 when the stream failed. */
int gpscript_watch_loop(FILE *out, double seconds);

/* The command that makes a window --watch's gnuplot (reading commands
 * on stdin) run the chart script at PATH.  Returns 0, or -1 when the
 * stream failed. */
int gpscript_load(FILE *out, const char *path);

/* The plot clauses panel P of CH draws from its view (inline mode), in
 * the order gpscript_write plots them: JOBS[i] (room for ch->view.n) is
 * the job of clause i.  In a single-panel chart gnuplot's SVG numbers
 * them gnuplot_plot_1 … in this order, and the legend's job entries
 * follow as clauses n+1 … n+njobs.  Returns the number of clauses. */
size_t gpscript_clause_jobs(const struct chart *ch, size_t p, size_t *jobs);

/* gnuplot commands that make a gnuplot started ahead of the chart
 * (gnuplot_prestart) load the fonts and libraries of TERMINAL by drawing
 * nothing to /dev/null, then reset: about 25 ms of a cairo terminal's
 * start-up that then overlaps the reading of the jobs.  NULL (nothing to
 * gain) for other terminals.  Malloc'd. */
char *gpscript_warmup(const char *terminal);

#endif
