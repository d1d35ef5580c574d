/* watchwin.c: a window that --watch redraws in place (see watchwin.h). */
#include "config.h"

#include "watchwin.h"

#include <stdlib.h>

#include "util.h"

int watchwin_draw(const struct render_plan *pl, const struct chart *ch,
		  const struct compare_spec *spec, const struct render_env *env, const char *title,
		  char **warnings, char **cause)
{
	*warnings = NULL;
	struct gp_emit e;
	render_emit(pl, spec, env, &e);
	e.keep_zoom = true;
	e.window_title = title;
	char *path;
	int rc = render_script_file(ch, &e, env->tmpdir, &path, cause);
	if (rc == 0) {
		FILE *gp = gp_session_script(pl->session);
		if (!gp) {
			*cause = xstrdup("gnuplot is not running (the window was closed)");
			rc = -1;
		} else {
			gpscript_load(gp, path);
			rc = gp_session_sync(pl->session, warnings, cause);
		}
	}
	render_script_remove(path);
	return rc;
}
