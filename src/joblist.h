/* joblist.h: the platform's job lists (--list-jobs, --latest, labels). */
#ifndef TRCOMPARE_JOBLIST_H
#define TRCOMPARE_JOBLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fetch.h"

enum list_format { LIST_TEXT, LIST_CSV, LIST_JSON };

struct job_info {
	char *id, *model_name, *status, *started_at, *completed_at, *created_at;
	double progress, current_step, total_steps, loss, eval_loss, best_eval_loss; /* NaN if absent */
	bool stale;
};

struct joblist {
	struct job_info *jobs;
	size_t n;
	char *warning;     /* malloc'd or NULL: why the list is incomplete
	                      ("the job list was cut at 10000 jobs") */
};

/* Fetches every page of {url}/api/training/local/jobs (limit/offset),
 * falling back to {url}/api/training/jobs; keeps jobs whose status is in
 * STATUS (all when NULL; a comma-separated list, case-insensitive).
 * Each id once (the first time it is listed).  Newest first (created_at,
 * else started_at).
 *
 * The server is not trusted: pages stream through a scanner (never held
 * whole), 100 jobs asked per page, at most 4 MiB per page (an error), 64
 * KiB per job object (an error), 200 pages and 10,000 jobs per listing.
 * Paging stops at an empty page, at the total, at a short page without a
 * total, at a page that brings no new id or echoes another offset (a
 * server ignoring offset), and at a page with more jobs than asked for (a
 * server ignoring limit; the first 100 are kept).  A list cut by a cap
 * (not by its end) gets out->warning.
 *
 * Returns 0, or -1 with *cause set and *exit_status EXIT_FETCH or
 * EXIT_DATA, or EXIT_USAGE when opts->url is NULL ("no API URL: set
 * TRCOMPARE_URL or --url") or not http(s) (HTTP_URL_NO_SCHEME). */
int joblist_fetch(const struct fetch_config *opts, const char *status, struct joblist *out,
		  char **cause, int *exit_status);

/* joblist_fetch for the labels of jobs given by id, a nicety that must
 * not hold up a comparison: no retries, and it fails ("the job list took
 * longer than 2 s") once 2 seconds have passed before a page starts; a
 * page's transfer is limited to the seconds left, rounded up. */
int joblist_fetch_quick(const struct fetch_config *opts, struct joblist *out, char **cause,
			int *exit_status);
void joblist_free(struct joblist *jl);

/* Writes the list as text, csv or json.  Returns 0 or -1 (write error). */
int joblist_print(const struct joblist *jl, enum list_format fmt, FILE *out);

/* The job with id ID, or NULL. */
/* Is STATUS (NULL: none) in the comma-separated, case-insensitive LIST
 * (NULL or "": everything)?  --status's rule. */
bool joblist_status_wanted(const char *list, const char *status);

const struct job_info *joblist_find(const struct joblist *jl, const char *id);

/* Default legend labels for N jobs whose ids are IDS (entries may be NULL):
 * the model name from JL when the id is listed, else the first 8
 * characters of the id.  Labels that would clash get " (ID8)" appended,
 * then " #K" if they still clash.  JL may be NULL.  Returns a malloc'd
 * array of N malloc'd strings (raw, untrusted text; NULL where ids[i] is
 * NULL); free each and the array. */
char **joblist_labels(const struct joblist *jl, const char *const *ids, size_t n);

#endif
