/* source.h: JOB arguments to runs.
 *
 * A JOB is, in this order: "-" (stdin); LABEL=PATH, unless the whole
 * argument names an existing path; an existing path; an http://, https://
 * or file:// URL; otherwise a job id on the platform's API (--url plus
 * --endpoint with {id} URL-escaped).  The part after LABEL= is classified
 * the same way (-, path, URL or id); an argument that starts with http://,
 * https:// or file:// is never split at '='; a missing path holding '/' or
 * ending in .json, .jsonl, .ndjson, .txt or .log is still a path (job ids
 * never look like that).  Local files (and directories) are read on
 * worker threads, one per file up to 8; URLs and ids are fetched at once
 * through one libcurl multi handle; each source's bytes go through a
 * reader (reader.h) as they arrive.  The run cache (cache.h) calls this. */
#ifndef TRCOMPARE_SOURCE_H
#define TRCOMPARE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "run.h"

enum source_kind { SOURCE_STDIN, SOURCE_FILE, SOURCE_URL, SOURCE_JOBID };

/* One source to read, and how it went. */
struct source_job {
	const char *arg;     /* name for messages and progress (borrowed) */
	const char *target;  /* the path, "-", URL or job id (borrowed) */
	enum source_kind kind;

	/* results */
	struct run *run;     /* new run (the caller owns it), never NULL after
	                        source_load; its arg is ARG with URLs' userinfo
	                        removed; rows parsed, run_finish() called;
	                        empty or partial on error */
	int status;          /* EXIT_OK, EXIT_DATA (read/parse) or EXIT_FETCH */
	char *error;         /* malloc'd message without the job prefix, or NULL */

	/* Conditional fetches of URLs and ids (--watch; http.h): with
	 * VALIDATORS, IF_NONE_MATCH and IF_MODIFIED_SINCE (borrowed, or NULL)
	 * are sent, and the answer's ETag and Last-Modified come back in etag
	 * and last_modified (malloc'd, the caller's).  not_modified: the
	 * server answered 304; the run is empty and stands for nothing. */
	bool validators;
	const char *if_none_match, *if_modified_since;
	bool not_modified;
	char *etag, *last_modified;
};

/* Classifies ARG; sets *label (malloc'd) when written LABEL=PATH, and
 * *target to the path/URL/id part (malloc'd). */
enum source_kind source_classify(const char *arg, char **label, char **target);

/* The usage error of a source of KIND, or NULL: a job id needs an API URL
 * ("no API URL: set TRCOMPARE_URL or --url") that is http(s)
 * (HTTP_URL_NO_SCHEME), and "-" can be read once
 * ("standard input (-) can be read only once"; *STDIN_TAKEN tracks it). */
const char *source_usage_problem(enum source_kind kind, const struct fetch_config *fc,
				 bool *stdin_taken);

/* The URL of job id ID: fc->endpoint ({id} URL-escaped) under fc->url,
 * its path before its query (http_url_join).  malloc'd. */
char *source_job_url(const struct fetch_config *fc, const char *id);

/* Reads every job of JOBS[0..N), all at once.  Never fails as a whole:
 * each job says how it went. */
void source_load(const struct fetch_config *fc, struct source_job *jobs, size_t n);

/* Progress of network fetches, for a terminal.  When set, FN is called from
 * source_load (on the calling thread) about four times a second once
 * fetching has taken over a second, with LINE a one-line summary (bytes and
 * rows per job; sanitized, no newline, borrowed for the call); after the
 * last such call it is called once more with LINE NULL (clear the line).
 * Never called when all fetches finish within a second.  FN NULL turns it
 * off.  Not thread-safe: set it before source_load. */
void source_set_progress(void (*fn)(void *ctx, const char *line), void *ctx);

#endif
