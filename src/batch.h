/* batch.h: many comparisons in one process (--batch): every job read once
 * through one run cache, the charts drawn by a pool of persistent gnuplot
 * sessions, a failing line reported with its place while the others are
 * still written.
 *
 *   manifest lines (main.c: manifest.h's words, options.c's parsing)
 *     └► batch_new ─► batch_check (usage errors, --newer, jobs into the
 *        cache) ─► batch_load (the pool starts, cache_load once)
 *        ─► batch_write (per line: charts, -d, --summary-output, --report; the
 *        rendered outputs go round the pool, one chart after another per
 *        gnuplot, gp_session_sync between them) ─► batch_free
 *
 * Each chart's script is render_emit()'s, as `-o` writes it.  Nothing here
 * prints: messages go to the caller's callback. */
#ifndef TRCOMPARE_BATCH_H
#define TRCOMPARE_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "fetch.h"
#include "joblist.h"
#include "render.h"
#include "spec.h"

/* One comparison of the manifest. */
struct batch_line {
	const struct compare_spec *spec; /* JOBs and outputs resolved
	                                    (batch_path, batch_job) */
	const char *where;  /* "MANIFEST:LINE", the prefix of its messages */
	char *const *argv;  /* the line as a command (the program, then its
	                       words), for --report */
	size_t argc;
};

enum batch_say {
	BATCH_ERROR,   /* "WHERE: what failed" */
	BATCH_WARNING, /* "WHERE: ..." (a job's or gnuplot's warning) */
	BATCH_WROTE,   /* an output written: its path */
};

struct batch_stats {
	size_t lines;   /* comparisons to make (after --shard) */
	size_t done;    /* of them, finished (written, skipped or failed) */
	size_t written, skipped, failed;
	size_t jobs;    /* distinct jobs read */
};

struct batch_config {
	int pool;                 /* gnuplot sessions at once (>= 1) */
	bool newer;               /* --newer */
	bool stdin_taken;         /* the manifest came on standard input */
	const struct render_env *env;
	const struct fetch_config *fc;
	void (*say)(void *ctx, enum batch_say what, const char *msg);
	void (*progress)(void *ctx, const struct batch_stats *st); /* or NULL */
	void *ctx;
	enum summary_format summary; /* keep each line's summary table in
	                                this format for an index (SUMMARY_NONE:
	                                not) */
	const char *index;        /* --index FILE, or NULL: no line may write
	                             it (batch_check) */
	const char *manifest;     /* the manifest's file (NULL: stdin), which
	                             no line may write either */
};

struct batch;

/* A batch of LINES[0..N) (borrowed, like CFG and CACHE, until batch_free). */
struct batch *batch_new(const struct batch_line *lines, size_t n, const struct batch_config *cfg,
			struct run_cache *cache);
void batch_free(struct batch *b);

/* Usage errors of every line, each said as "WHERE: ..." (compare_panels'
 * and render_plan's causes, the JOBs' (compare_add_jobs), "-o FILE: line
 * N writes it too", "PATH: --index PATH writes it too", "PATH: it is the
 * JOB J of MANIFEST:LINE", "PATH: it is the manifest"); with --newer,
 * skips the lines that are up to date; the other lines' jobs go into the
 * cache.  Returns the number of errors (0: go on). */
size_t batch_check(struct batch *b);

/* Starts the gnuplot pool, then reads every job once (cache_load). */
void batch_load(struct batch *b);

/* Writes every line's outputs.  Returns the exit status: EXIT_OK when all
 * were written (or skipped), EXIT_FETCH when a job could not be fetched,
 * else EXIT_DATA when some output failed.  *ST says what happened. */
int batch_write(struct batch *b, const struct joblist *jl, struct batch_stats *st);

/* After batch_write, line I for an index page: NULL when written, else
 * "skipped (up to date)" or "failed"; and its summary table
 * (in cfg->summary's format; NULL when its jobs did not load). */
const char *batch_line_status(const struct batch *b, size_t i);
const char *batch_line_summary(const struct batch *b, size_t i);

/* PATH (an output) relative to the manifest's directory DIR: DIR/PATH
 * unless PATH is absolute, "-" or DIR is ".".  malloc'd. */
char *batch_path(const char *dir, const char *path);

/* JOB as written on a manifest line, its file path (also after LABEL=,
 * and FILE#RUN when DIR has FILE) resolved against DIR like batch_path;
 * URLs, "-" and job ids stay.
 * malloc'd. */
char *batch_job(const char *dir, const char *job);

#endif
