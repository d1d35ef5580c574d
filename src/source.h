/* source.h: JOB arguments to runs.
 *
 * A JOB is, in this order: "-" (stdin); LABEL=PATH, unless the whole
 * argument names an existing path; an existing path; an http://, https://
 * or file:// URL; otherwise a job id on the platform's API (--url plus
 * --endpoint with {id} URL-escaped).  Local files are read and parsed on
 * worker threads (both cores); URLs and ids are fetched at once through one
 * libcurl multi handle and parsed as bytes arrive. */
#ifndef TRCOMPARE_SOURCE_H
#define TRCOMPARE_SOURCE_H

#include <stddef.h>

#include "options.h"
#include "run.h"

enum source_kind { SOURCE_STDIN, SOURCE_FILE, SOURCE_URL, SOURCE_JOBID };

/* One JOB's outcome. */
struct source_result {
	struct run *run;   /* owned; rows parsed (run_finish() already called) */
	enum source_kind kind;
	int status;        /* EXIT_OK, EXIT_DATA (read/parse) or EXIT_FETCH */
	char *error;       /* malloc'd message without the job prefix, or NULL */
};

/* Classifies ARG; sets *label (malloc'd) when written LABEL=PATH, and
 * *target to the path/URL/id part (malloc'd). */
enum source_kind source_classify(const char *arg, char **label, char **target);

/* Loads every JOB in OPTS.  RESULTS (array of opts->njobs, zeroed by the
 * caller) receives one entry per JOB, in order.  Never fails as a whole:
 * each result says how its JOB went. */
void source_load_all(const struct options *opts, struct source_result *results);
void source_result_free(struct source_result *r);

#endif
