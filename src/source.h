/* source.h: JOB arguments to runs.
 *
 * A JOB is, in this order: "-" (stdin); LABEL=PATH, unless the whole
 * argument names an existing path; an existing path; an http://, https://
 * or file:// URL; otherwise a job id on the platform's API (--url plus
 * --endpoint with {id} URL-escaped).  The part after LABEL= is classified
 * the same way (-, path, URL or id); an argument that starts with http://,
 * https:// or file:// is never split at '='; a missing path holding '/' or
 * ending in .json, .jsonl, .ndjson, .txt or .log is still a path (job ids
 * never look like that).  Local files are read and parsed
 * on worker threads (both cores); URLs and ids are fetched at once through
 * one libcurl multi handle and parsed as bytes arrive. */
#ifndef TRCOMPARE_SOURCE_H
#define TRCOMPARE_SOURCE_H

#include <stddef.h>

#include "options.h"
#include "run.h"

enum source_kind { SOURCE_STDIN, SOURCE_FILE, SOURCE_URL, SOURCE_JOBID };

/* One JOB's outcome. */
struct source_result {
	struct run *run;   /* owned, never NULL after source_load_all; its arg
	                      is the JOB with URLs' userinfo removed; rows
	                      parsed (run_finish() already called); label set
	                      from LABEL= or NULL; empty or partial on error */
	enum source_kind kind;
	int status;        /* EXIT_OK, EXIT_DATA (read/parse) or EXIT_FETCH;
	                      EXIT_USAGE for a job id when opts->url is NULL
	                      (error "no API URL: set TRCOMPARE_URL or --url")
	                      or not http(s) (HTTP_URL_NO_SCHEME), and for a
	                      second "-" */
	char *error;       /* malloc'd message without the job prefix, or NULL */
};

/* Classifies ARG; sets *label (malloc'd) when written LABEL=PATH, and
 * *target to the path/URL/id part (malloc'd). */
enum source_kind source_classify(const char *arg, char **label, char **target);

/* Loads every JOB in OPTS.  RESULTS (array of opts->njobs, zeroed by the
 * caller) receives one entry per JOB, in order.  Never fails as a whole:
 * each result says how its JOB went. */
void source_load_all(const struct options *opts, struct source_result *results);

/* Checks the JOBs for usage errors before anything is read (a job id
 * without an API URL, "-" twice): returns 0, or -1 with *JOB the index of
 * the first such JOB and *cause (malloc'd) the same message
 * source_load_all would give it. */
int source_check(const struct options *opts, size_t *job, char **cause);
void source_result_free(struct source_result *r);

/* Progress of network fetches, for a terminal.  When set, FN is called from
 * source_load_all (on the calling thread) about four times a second once
 * fetching has taken over a second, with LINE a one-line summary (bytes and
 * rows per job; sanitized, no newline, borrowed for the call); after the
 * last such call it is called once more with LINE NULL (clear the line).
 * Never called when all fetches finish within a second.  FN NULL turns it
 * off.  Not thread-safe: set it before source_load_all. */
void source_set_progress(void (*fn)(void *ctx, const char *line), void *ctx);

#endif
