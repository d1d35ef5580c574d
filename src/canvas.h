/* canvas.h: making gnuplot's `canvas standalone` HTML self-contained.
 * gnuplot links its JavaScript by absolute local path (its jsdir), so the
 * page would only work on a machine with the same gnuplot; we copy each
 * linked script into the page instead. */
#ifndef TRCOMPARE_CANVAS_H
#define TRCOMPARE_CANVAS_H

/* How the page of a canvas chart is titled and refreshed. */
struct canvas_page {
	const char *title;   /* the page's <title> (untrusted: sanitized and
	                        escaped here), or NULL for a default */
	double refresh;      /* seconds: the page reloads itself (--watch), or 0 */
};

/* Rewrites the HTML file PATH in place, replacing every
 * <script src="/abs/path.js"></script> whose file can be read with an
 * inline <script> holding its text, and gnuplot's <title> by PAGE's (with
 * a <meta http-equiv="refresh"> after it when PAGE asks).  Returns 0, or
 * -1 with *cause set ("NAME: REASON": NAME is how messages call the file). */
int canvas_inline_scripts(const char *path, const char *name, const struct canvas_page *page,
			  char **cause);

#endif
