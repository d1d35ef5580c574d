/* watchstat.h: the --watch status line: when the jobs were last read, the
 * rows of each job, and which jobs are still running.  It goes on stderr
 * (a terminal: one line rewritten in place) and into a window's title
 * (gpscript quotes it there). */
#ifndef TRCOMPARE_WATCHSTAT_H
#define TRCOMPARE_WATCHSTAT_H

#include <time.h>

#include "compare.h"

/* What the job list says of a job. */
enum watch_job_state {
	WATCH_JOB_UNKNOWN, /* no status: a file, a URL, or no job list */
	WATCH_JOB_RUNNING,
	WATCH_JOB_DONE,    /* completed, succeeded, failed or cancelled */
};

/* "watch 09:12:05: LABEL 1200 rows, LABEL 800 rows; running: LABEL"
 * for CH's jobs (their sanitized labels) read at WHEN (local time, the
 * caller's).  STATES (one per chart job, or NULL) gives the running part:
 * left out when no job's state is known, "running: none" when every known
 * one is done.  Malloc'd. */
char *watch_status(const struct chart *ch, const struct tm *when,
		   const enum watch_job_state *states);

/* S cut to at most COLS characters (UTF-8 aware; COLS <= 0: S whole),
 * "…" ending a cut.  Malloc'd. */
char *watch_status_fit(const char *s, int cols);

#endif
