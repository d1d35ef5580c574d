/* watchstat.c: the --watch status line (see watchstat.h). */
#include "config.h"

#include "watchstat.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

char *watch_status(const struct chart *ch, const struct tm *when,
		   const enum watch_job_state *states)
{
	struct buf b = { 0 };
	buf_printf(&b, "watch %02d:%02d:%02d:", when->tm_hour, when->tm_min, when->tm_sec);
	for (size_t j = 0; j < ch->njobs; j++) {
		size_t n = ch->jobs[j].run->nrows;
		buf_printf(&b, "%s %s %zu row%s", j ? "," : "", ch->jobs[j].label, n, n == 1 ? "" : "s");
	}
	bool known = false;
	size_t nrunning = 0;
	for (size_t j = 0; states && j < ch->njobs; j++) {
		known |= states[j] != WATCH_JOB_UNKNOWN;
		nrunning += states[j] == WATCH_JOB_RUNNING;
	}
	if (known) {
		buf_printf(&b, "; running:%s", nrunning ? "" : " none");
		size_t k = 0;
		for (size_t j = 0; j < ch->njobs; j++)
			if (states[j] == WATCH_JOB_RUNNING)
				buf_printf(&b, "%s %s", k++ ? "," : "", ch->jobs[j].label);
	}
	if (!b.data)
		return xstrdup("");
	return b.data;
}

char *watch_status_fit(const char *s, int cols)
{
	size_t len = strlen(s), chars = 0, cut = len;
	if (cols <= 0)
		return xstrdup(s);
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue; /* a continuation byte */
		if (chars == (size_t)cols - 1 && cut == len)
			cut = i; /* where "…" goes, should it not fit */
		chars++;
	}
	if (chars <= (size_t)cols)
		return xstrdup(s);
	char *r = xmalloc(cut + sizeof "\u2026");
	memcpy(r, s, cut);
	memcpy(r + cut, "\u2026", sizeof "\u2026");
	return r;
}
