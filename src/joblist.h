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
};

/* Fetches every page of {url}/api/training/local/jobs (limit/offset),
 * falling back to {url}/api/training/jobs; keeps jobs whose status is in
 * STATUS (all when NULL; a comma-separated list, case-insensitive).
 * Newest first (created_at, else started_at).  Returns 0, or -1 with *cause
 * set and *exit_status EXIT_FETCH or EXIT_DATA, or EXIT_USAGE when
 * fc->url is NULL ("no API URL: set TRCOMPARE_URL or --url"). */
int joblist_fetch(const struct fetch_config *fc, const char *status, struct joblist *out,
		  char **cause, int *exit_status);
void joblist_free(struct joblist *jl);

/* Writes the list as text, csv or json.  Returns 0 or -1 (write error). */
int joblist_print(const struct joblist *jl, enum list_format fmt, FILE *out);

/* The job with id ID, or NULL. */
const struct job_info *joblist_find(const struct joblist *jl, const char *id);

/* Default legend labels for N jobs whose ids are IDS (entries may be NULL):
 * the model name from JL when the id is listed, else the first 8
 * characters of the id.  Labels that would clash get " (ID8)" appended,
 * then " #K" if they still clash.  JL may be NULL.  Returns a malloc'd
 * array of N malloc'd strings (raw, untrusted text; NULL where ids[i] is
 * NULL); free each and the array. */
char **joblist_labels(const struct joblist *jl, const char *const *ids, size_t n);

#endif
