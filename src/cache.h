/* cache.h: the run cache — every job a process reads, read once.
 *
 * An entry is keyed by what it reads: "-" for stdin, "file:" + the real
 * path of a file or directory (one gone: the real path of its longest
 * leading part there is, then the rest as written; as written when none
 * resolves), "url:" + a URL, "mlflow:" + mlflow_http_key for an MLflow
 * server's run or experiment (its server's scheme, host, port and path
 * prefix, and the run or experiment id: #RUN_ID and #/runs/RUN_ID, the
 * UI's run page and an experiment's listed run meet; then its userinfo
 * and query, when it has them), "id:" + a job
 * id on the API.  Comparisons that name the same source, in any spelling
 * (LABEL=, ./a.json and a.json), share one entry and one run, read
 * through the spelling that named it first.  cache_load() reads every
 * entry not read yet, all at once (source.h).  Runs are read-only once
 * loaded: per-comparison derivations (labels, smoothing, views) live in
 * the chart (compare.h). */
#ifndef TRCOMPARE_CACHE_H
#define TRCOMPARE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "run.h"
#include "source.h"

struct cache_entry {
	char *key;           /* canonical key (see above) */
	char *target;        /* path, "-", URL or id, as first written */
	char *arg;           /* the first JOB argument naming it (messages) */
	enum source_kind kind;
	bool loaded;         /* cache_load() read it */
	const struct run *run; /* the run once loaded (never NULL then) */
	int status;          /* EXIT_OK, EXIT_DATA or EXIT_FETCH */
	const char *error;   /* message without the job prefix, or NULL */
	size_t generation;   /* how often it was read (cache_refresh) */
	const char *refresh_error; /* the last cache_refresh failed: why (the
	                              run and status are the last good read's),
	                              or NULL */
	bool idle;           /* cache_set_idle: not read again */
};

struct run_cache;

/* An empty cache fetching with FC (borrowed; must outlive the cache). */
struct run_cache *cache_new(const struct fetch_config *fc);
void cache_free(struct run_cache *c);

/* The entry for TARGET of KIND (source_classify), added unread when new;
 * ARG is the JOB as written.  Never NULL.  Entries live as long as the
 * cache. */
const struct cache_entry *cache_add(struct run_cache *c, const char *arg, const char *target,
				    enum source_kind kind);

/* cache_add, the entry read already and failed: STATUS (EXIT_DATA or
 * EXIT_FETCH) and CAUSE (taken) as a read would set them, an empty run,
 * and idle (never read: what failed was finding the runs a JOB stands
 * for, an MLflow server's experiment).  An entry read before is kept as
 * it is. */
const struct cache_entry *cache_add_failed(struct run_cache *c, const char *arg, const char *target,
					   enum source_kind kind, int status, char *cause);
/* The entry for TARGET of KIND, or NULL when none was added. */
const struct cache_entry *cache_find(const struct run_cache *c, const char *target,
				     enum source_kind kind);

/* Reads every entry not read yet, concurrently.  Never fails as a whole:
 * each entry's status says how it went. */
void cache_load(struct run_cache *c);

/* Follow mode (--watch; set before cache_load): local regular files are
 * read through a tail (watch.h), which later refreshes read from where
 * the last read stopped.  Off: every read is a whole read, finished (a
 * partial last line is counted in run->partial_lines). */
void cache_set_follow(struct run_cache *c, bool follow);

/* Reads entry E again (a job that grew).  When what it read differs from
 * the run E holds (or E failed before), the run and status are replaced,
 * E->generation grows and the result is true; when it is the same, E
 * keeps its run and the result is false.  When the read fails and E had
 * read well before, E keeps its last good run and status, sets
 * E->refresh_error and the result is false (a failing E stays failed,
 * with the new message).  Standard input is never read again.  Runs and
 * charts taken from E before must not be used after a true result: in
 * follow mode E->run may even be the same run, extended in place by the
 * rows appended to its file (its columns moved, so a run_overlay of it
 * dangles). */
bool cache_refresh(struct run_cache *c, const struct cache_entry *e);

/* cache_refresh for every loaded entry not idle, all at once.  Returns
 * how many changed. */
size_t cache_refresh_all(struct run_cache *c);

/* An idle entry keeps its run but cache_refresh_all passes it by (a job
 * a --latest watch no longer draws); IDLE false makes it read again. */
void cache_set_idle(struct run_cache *c, const struct cache_entry *e, bool idle);

/* A directory JOB that holds several runs (reader_list_runs): one entry
 * per run, each read as its own job. */
struct cache_group {
	char *key;                          /* the directory's key */
	size_t n;
	const struct cache_entry **members; /* in list order */
	char **rels;                        /* their paths relative to the
	                                       directory ("." for itself) */
	char **jobs;                        /* the JOBs the listing names
	                                       them by ("DIR/REL", an
	                                       experiment's run URLs): an
	                                       entry's arg is the first JOB
	                                       that named it, which may be
	                                       another spelling */
};

/* Records directory TARGET (a SOURCE_FILE) as the group of the runs
 * RELS[0..N) under it (copied), adding an entry for each (target
 * "TARGET/REL", or "TARGETREL" for REL "#RUN", a run inside the file
 * TARGET; the JOB in messages the same).  Or, with MEMBERS not NULL, the
 * group of TARGET of KIND whose member I is the JOB MEMBERS[I] of KIND
 * (an MLflow server's experiment: its runs' URLs; REL the run id).
 * Returns the group, which lives as long as the cache; the same group
 * when added before. */
const struct cache_group *cache_add_group(struct run_cache *c, const char *target, enum source_kind kind,
					  char *const *rels, char *const *members, size_t n);

/* --watch: GROUP's runs as listed again: its members become the JOBs
 * MEMBERS[0..N) of KIND (copied; added to the cache unread when new:
 * cache_load reads them), REL[I] member I's (as cache_add_group's), in
 * that order.  Entries that are no members any more stay in the cache as
 * they are (the caller makes them idle: cache_set_idle). */
void cache_group_set(struct run_cache *c, const struct cache_group *group, enum source_kind kind,
		     char *const *rels, char *const *members, size_t n);

/* The group of TARGET of KIND, or NULL when TARGET is no group. */
const struct cache_group *cache_find_group(const struct run_cache *c, const char *target,
					   enum source_kind kind);

/* Number of entries, and entry I in the order they were added. */
size_t cache_size(const struct run_cache *c);
const struct cache_entry *cache_entry_at(const struct run_cache *c, size_t i);

#endif
