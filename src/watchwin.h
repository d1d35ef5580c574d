/* watchwin.h: a window that --watch redraws in place.
 *
 * One gnuplot (gp_session_start_window) keeps the window open for the
 * whole watch and reads commands on its stdin between the window's
 * events.  Each chart is written to a private temporary file that gnuplot
 * loads whole, then removed (a signal meanwhile removes it too).  The
 * script (gp_emit.keep_zoom) keeps a zoom the user made on a single-panel
 * chart across charts, binds `a` to the chart's own ranges again, and
 * makes closing the window exit gnuplot, which gp_session_wait() sees.
 * A multiplot (several panels) is redrawn; gnuplot cannot zoom it. */
#ifndef TRCOMPARE_WATCHWIN_H
#define TRCOMPARE_WATCHWIN_H

#include "render.h"

/* Draws CH as planned by PL (a CHART_WINDOW plan whose session is a
 * window session) in that session, with TITLE (untrusted, or NULL) as the
 * window's title.  Returns 0 with *warnings (what gnuplot said, or NULL),
 * or -1 with *cause ("DIR: cannot create a temporary file: …", or the
 * session's: gnuplot stopped, for one because the window was closed). */
int watchwin_draw(const struct render_plan *pl, const struct chart *ch,
		  const struct compare_spec *spec, const struct render_env *env, const char *title,
		  char **warnings, char **cause);

#endif
