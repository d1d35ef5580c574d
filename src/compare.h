/* compare.h: one comparison as a library call — a spec and the run cache
 * in, a chart out.
 *
 *   spec (spec.h) ─┐
 *   run cache ─────┴─► compare_build ─► chart ─► emitters: gpscript.c (the
 *   (cache.h)           labels, colours,         script), datafile.c (tidy
 *                       derived columns,         tables), summary.c (the
 *                       panels, view             table), render.c (files)
 *
 * The chart is everything an emitter needs; emitters read nothing else
 * (no options, no environment).  Cached runs are never changed: what one
 * comparison derives (smoothed columns) lives in the chart's tables. */
#ifndef TRCOMPARE_COMPARE_H
#define TRCOMPARE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "datafile.h"
#include "joblist.h"
#include "run.h"
#include "spec.h"
#include "view.h"

/* An axis range; NaN = automatic. */
struct gp_range {
	double min, max;
};

/* The panels of a spec, with their ranges: what -m, --logy, --xrange and
 * --yrange say. */
struct panel_set {
	struct panel *panels;
	size_t npanels;
	struct gp_range *yranges; /* one per panel */
	struct gp_range xrange;
};

/* Parses the spec's panels and ranges.  Returns 0, or -1 with *cause and
 * *option the option at fault ("--metrics", "--xrange", "--logy",
 * "--yrange"): these are usage errors, found before any job is read.
 * Causes: panel_list_parse's, "'1:x' is not MIN:MAX", "'foo' is not one of
 * the panels (-m loss,lr)", "'loss' is not PANEL=MIN:MAX". */
int compare_panels(const struct compare_spec *spec, struct panel_set *ps, const char **option,
		   char **cause);
void panel_set_free(struct panel_set *ps);

/* Adds the spec's jobs to the cache (not reading them).  A JOB naming a
 * directory that holds several runs (reader_list_runs), or one run below
 * it, is added as a group (cache_add_group): one job per run; so is an
 * MLflow server's experiment, whose runs are listed here, over the network
 * (mlflow_http_list).  Returns 0, or -1 with *bad the index of the first
 * job that failed, *cause (source_usage_problem's message,
 * reader_list_runs' or mlflow_http_list's) and *status (EXIT_USAGE, or
 * mlflow_http_list's EXIT_FETCH or EXIT_DATA). */
int compare_add_jobs(const struct compare_spec *spec, struct run_cache *c,
		     const struct fetch_config *fc, size_t *bad, char **cause, int *status);

/* --watch: lists the runs of the spec's JOB number JOB again when at the
 * start it stood for several (a group: a directory's runs, an MLflow
 * server experiment's), as compare_add_jobs listed them, and makes them
 * the group's: a run listed now that was not joins (added to the cache
 * unread, or made active again), a run no longer listed leaves (idle,
 * unless another JOB still stands for it).  SPEC->status decides which
 * runs join; a run that stays listed stays whatever its status now.  A
 * listing without a run changes nothing; nor does a JOB that is no group,
 * or whose group an earlier JOB names.  Returns 0 with *JOINED and *LEFT
 * (malloc'd arrays of *NJOINED and *NLEFT malloc'd JOBs: the runs that
 * joined and left as the listing names them, "DIR/REL" or an experiment's
 * "…#/experiments/EXP/runs/RUN_ID", whatever spelling another JOB named
 * the same run by; or NULL), or -1 with *cause: the listing failed
 * (strerror's text when a directory is gone, reader_list_runs' and
 * mlflow_http_list's causes), nothing changed. */
int compare_relist(const struct compare_spec *spec, size_t job, struct run_cache *c,
		   const struct fetch_config *fc, char ***joined, size_t *njoined, char ***left,
		   size_t *nleft, char **cause);

/* One run a JOB stands for. */
struct job_run {
	const struct cache_entry *entry; /* borrowed from the cache */
	const char *rel;  /* a group member's path relative to the JOB's
	                     directory (borrowed), or NULL */
	const char *job;  /* a group member: the JOB its listing names it by
	                     (cache_group's jobs, borrowed), or NULL */
};

/* The runs JOB (as written) stands for after compare_add_jobs: one, or a
 * group's members in order; *N = 0 when the cache has none.  Returns a
 * malloc'd array (the caller frees it; the entries stay the cache's). */
struct job_run *compare_job_runs(const struct run_cache *c, const char *job, size_t *n);

/* When JOB stands for runs below a directory (or an experiment) that were
 * all read and none of which has rows, the warning that says so ("DIR:
 * its run REL has no metrics yet", "DIR: none of its N runs has metrics
 * yet"); else NULL.  Such runs are left out of the chart.  malloc'd. */
char *compare_job_empty(const struct run_cache *c, const char *job);

/* What the chart is drawn on: the downsampling grid and layout follow it. */
struct chart_target {
	const char *terminal; /* gnuplot terminal, or NULL (nominal 1200x800) */
	int width, height;    /* in the terminal's units; 0 = nominal */
	bool view;            /* build the drawn series (a chart or -d) */
};

/* One job of the chart. */
struct chart_job {
	const char *arg;          /* the JOB as written (borrowed from the spec),
	                             or MEMBER */
	char *member;             /* one of a JOB's runs (a directory's,
	                             an experiment's, a compare page's) as
	                             its listing names it ("DIR/REL",
	                             "…#/experiments/EXP/runs/RUN_ID"), owned;
	                             else NULL */
	const struct cache_entry *entry; /* borrowed from the cache */
	const struct run *run;    /* the cached run (read-only) */
	struct run *table;        /* run plus this chart's derived columns
	                             (COLUMN_smoothed with --smooth): an overlay
	                             (run_overlay), owned */
	char *label;              /* sanitized, unique; owned */
	const char *color;        /* "#rrggbb" (borrowed: spec or static) */
	size_t color_index;       /* compare_color's I for it */
	size_t spec_job;          /* the spec's JOB it is (of): spec->jobs[I] */
	char *file;               /* -d data file name, unique; owned */
	double t0;                /* the first timestamp, or NaN */
};

struct chart {
	struct chart_job *jobs;   /* the jobs that loaded, in JOB order */
	size_t njobs;
	struct panel_set ps;      /* panels and ranges (--ignore-outliers
	                             filled the y ranges it could) */
	struct colset cs;         /* tidy-data columns, shared by every job */
	struct view view;         /* drawn series, when target.view */
	struct chart_target target;
	enum x_axis xaxis;
	double smooth;
	const char *title;        /* borrowed from the spec, untrusted */
	char **warnings;          /* malloc'd messages for the top level */
	size_t nwarnings;
};

/* Builds the chart of SPEC from the cache C, whose entries for the spec's
 * jobs (compare_add_jobs) were loaded; jobs that failed to load are left
 * out (the caller decides whether that is fatal).  JL (may be NULL) gives
 * model names for labels of jobs given by id.  Returns 0, or -1 with
 * *cause: "no job has any metrics", compare_panels' and view_build's
 * causes, panel_list_check's (only when TARGET->view). */
int compare_build(const struct compare_spec *spec, const struct run_cache *c,
		  const struct joblist *jl, const struct chart_target *target, struct chart **out,
		  char **cause);
void chart_free(struct chart *ch);

/* Points CH draws (*DRAWN) out of its series' finite points (*ALL). */
void chart_points(const struct chart *ch, size_t *drawn, size_t *all);

/* Colour of job I (0-based): SPEC's --colors cycled, else the platform's
 * five (#2563eb #16a34a #dc2626 #9333ea #ea580c) then seven more
 * (#0891b2 #db2777 #65a30d #ca8a04 #4f46e5 #0d9488 #78716c), cycling. */
const char *compare_color(const struct compare_spec *spec, size_t i);

/* The one label policy, in two steps.  First the default names of jobs
 * read from files and URLs: PATHS[i] is job i's path or URL (NULL for
 * jobs given otherwise; skipped, NULL in the result).  Each gets the
 * shortest trailing part of its path that no other job's path shares
 * (as TensorBoard names runs by directory): a/run1/metrics.json and
 * b/run1/metrics.json give "a/run1" and "b/run1", runs/x.json and
 * runs/y.json give "x" and "y".  A URL counts by its path; the last
 * component loses its extension (".json"); a file name every path
 * shares is dropped; "." components are ignored, and the same path twice
 * gets the same name.  Returns N malloc'd names (or NULL) in a malloc'd
 * array; raw (untrusted, not sanitized). */
char **compare_path_labels(const char *const *paths, size_t n);

/* Then the labels.  RAW[i] are the default labels of N jobs (LABEL=, else
 * for jobs given by id the job list's model name or the id's first 8
 * characters, for files and URLs their compare_path_labels name, for stdin
 * the body's job id shortened or "stdin"; untrusted), IDS[i] their job ids
 * (or NULL).  Each label
 * is sanitized (64 characters, "job I" when empty); labels shared by
 * several jobs get " (ID8)" (the id's first 8 characters, unless the label
 * holds them already or they do not tell the jobs apart), and any still taken " (2)", " (3)", … in JOB order.
 * Returns N malloc'd labels in a malloc'd array. */
char **compare_labels(const char *const *raw, const char *const *ids, size_t n);

#endif
