/* watchwin.c: a window that --watch redraws in place (see watchwin.h). */
#include "config.h"

#include "watchwin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"
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
	char *path = xasprintf("%s/trcompare-XXXXXX", env->tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		char *dir = text_sanitize(env->tmpdir, strlen(env->tmpdir), TEXT_MAX_CHARS, "(empty)");
		*cause = xasprintf("%s: cannot create a temporary file: %s", dir, strerror(errno));
		free(dir);
		free(path);
		return -1;
	}
	cleanup_register_path(path);
	FILE *fp = fdopen(fd, "w");
	int rc = 0;
	if (!fp) {
		close(fd);
		*cause = xasprintf("%s: %s", path, strerror(errno));
		rc = -1;
	} else {
		gpscript_write(fp, ch, &e);
		char *why = NULL;
		if (close_stream(fp, &why) != 0) {
			*cause = xasprintf("%s: %s", path, why);
			free(why);
			rc = -1;
		}
	}
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
	unlink(path);
	cleanup_unregister_path(path);
	free(path);
	return rc;
}
