/* gnuplot.h: finding and running gnuplot, and choosing terminals.
 *
 * gnuplot is run on a script *file*: a temporary file, or `/dev/stdin` as
 * a file argument when the script comes through a pipe (gnuplot reads its
 * own stdin one byte per system call, but a file it loads through stdio),
 * with its stderr captured so a failure can be shown.  Children are
 * registered for clean-up on signals.  Every gnuplot is run with `-d`: the
 * user's ~/.gnuplot and the system gnuplotrc are not read (a `set datafile
 * separator`, `set print` or `print` there would break our scripts and the
 * terminal query).  Every wait for a gnuplot that opens no window has a
 * time limit (gnuplot_set_timeout); a gnuplot still running then is killed
 * with its process group, and the caller gets "gnuplot did not finish
 * within N s (--gnuplot-timeout); stopped it". */
#ifndef TRCOMPARE_GNUPLOT_H
#define TRCOMPARE_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

/* The gnuplot to run: $TRCOMPARE_GNUPLOT if set, else "gnuplot" (PATH). */
const char *gnuplot_program(void);

/* The time limit, in SECONDS (0: none; default 300), of every gnuplot run
 * but gnuplot_run_window: the terminal query (counted from when its answer
 * is first needed), a session's chart (from gp_session_script) and
 * gnuplot_run. */
void gnuplot_set_timeout(long seconds);

/* Terminal for an output file name, chosen by its extension
 * (case-insensitive): .png pngcairo, .svg svg, .pdf pdfcairo, .eps
 * epscairo, .txt dumb, .html canvas; .gp means "write the script" and sets
 * *terminal to NULL.  Returns 0, or -1 with *cause ("unknown output
 * extension '.xyz' (known: .png .svg .pdf .eps .txt .html .gp)"). */
int gnuplot_terminal_for_path(const char *path, const char **terminal, char **cause);

/* Default size for TERMINAL: pixels for pngcairo/png/svg/canvas/sixelgd
 * (1200x800), characters for dumb (120x40), and
 * inches×100 for pdfcairo/epscairo (1000x667 meaning 10in x 6.67in). */
void gnuplot_default_size(const char *terminal, int *width, int *height);

/* True when the installed gnuplot has TERMINAL (asks it once, caches:
 * `gnuplot -e 'print GPVAL_TERMINALS'`).  False when gnuplot is missing. */
bool gnuplot_has_terminal(const char *terminal);

/* Starts asking gnuplot for its terminals (the question of
 * gnuplot_has_terminal and gnuplot_check) in the background, so that its
 * start-up overlaps the caller's work; the answer is collected when first
 * needed, and a query still running at exit is stopped.  Optional. */
void gnuplot_probe_start(void);

/* Whether gnuplot can be run at all (the same single, cached question as
 * gnuplot_has_terminal).  Returns 0, or -1 with *cause (malloc'd): the
 * install hint of gnuplot_run when it is missing, "cannot run gnuplot
 * 'PROGRAM': Permission denied", or how it failed to answer
 * ("gnuplot failed (exit status 1): ..."). */
int gnuplot_check(char **cause);

/* The interactive terminal to use for a window: "qt", "wxt" or "x11" when
 * DISPLAY or WAYLAND_DISPLAY is set, something accepts a connection there
 * (the X socket, or TCP port 6000+N for HOST:N, within 2 s; the Wayland
 * socket) and gnuplot has one, else NULL. */
const char *gnuplot_window_terminal(void);

/* A gnuplot session: one gnuplot reading scripts from a pipe (`gnuplot -d
 * /dev/stdin`), started ahead of its first chart so that its start-up
 * overlaps the caller's work, able to draw several charts one after
 * another and to stay open between them.  Its stderr is read while scripts
 * are written, so neither side blocks the other.  The child is registered
 * for clean-up on signals; the owner frees the session. */
struct gp_session;

/* Starts gnuplot and gives it PRELUDE (commands, at most PIPE_BUF bytes,
 * or NULL) to run meanwhile.  Returns the session, or NULL with *cause
 * (gnuplot_run's messages for a gnuplot that cannot be started). */
struct gp_session *gp_session_start(const char *prelude, char **cause);

/* The stream to write the next chart's script to (the same stream for
 * every chart), and the start of that chart's time limit.  NULL when
 * gnuplot has stopped.  Writing fails once gnuplot stops reading;
 * gp_session_sync() or gp_session_finish() then tells why. */
FILE *gp_session_script(struct gp_session *s);

/* Waits until gnuplot has run everything written so far (it prints a
 * marker after the chart), within the time limit: 0 with *warnings (what
 * gnuplot said meanwhile, or NULL), else -1 with *cause as gnuplot_run's
 * (gnuplot stopped on an error in the script, or was stopped at the time
 * limit); the session has then ended.  The session stays open for more
 * charts. */
int gp_session_sync(struct gp_session *s, char **warnings, char **cause);

/* Ends the script and waits for gnuplot to exit, within the time limit: as
 * gnuplot_run(), and a gnuplot that exited 0 without reading the whole
 * script fails with "gnuplot ended before reading all of its script". */
int gp_session_finish(struct gp_session *s, char **warnings, char **cause);

/* A session for a window that stays open between charts (--watch): one
 * gnuplot reading commands from its stdin (`gnuplot -d`, no script file),
 * which it reads between the window's events, so that zooming and keys
 * work while it waits for the next chart.  Each chart is a script file
 * the caller writes and has gnuplot load (a load runs whole, with no event
 * in between).  As gp_session_start otherwise. */
struct gp_session *gp_session_start_window(char **cause);

/* Waits up to SECONDS for the session's gnuplot to end (a window closed
 * with a binding that exits), reading its stderr meanwhile.  Returns true
 * when it has ended (it was waited for), false when the time is up. */
bool gp_session_wait(struct gp_session *s, double seconds);

/* After gp_session_wait returned true: did gnuplot exit with status 0 (a
 * window closed by its exit binding), rather than fail or die? */
bool gp_session_closed(const struct gp_session *s);

/* Stops the session's gnuplot if it still runs, and frees S (NULL: nothing). */
void gp_session_free(struct gp_session *s);

/* Runs gnuplot on SCRIPT_PATH and waits, within the time limit.  stdout of
 * gnuplot goes to our stdout (text charts); its stderr is captured.
 * Returns 0, or -1 with *cause: "gnuplot not found; install it (Debian:
 * apt-get install gnuplot-nox)" (no TRCOMPARE_GNUPLOT),
 * "TRCOMPARE_GNUPLOT=PROGRAM: No such file or directory", "gnuplot failed
 * (exit status 1): <first lines of its stderr>", "gnuplot was killed by
 * signal 9", "gnuplot did not finish within 300 s (--gnuplot-timeout);
 * stopped it".  Warnings gnuplot printed on success are returned in
 * *warnings (malloc'd) or NULL. */
int gnuplot_run(const char *script_path, char **warnings, char **cause);

/* gnuplot_run without the time limit: for a script that opens a window,
 * which stays until the user closes it. */
int gnuplot_run_window(const char *script_path, char **warnings, char **cause);

#endif
