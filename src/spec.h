/* spec.h: one comparison, as a command line (or, later, a batch manifest
 * line) describes it: which jobs, what is drawn, and where it goes.
 * compare_build() (compare.h) turns a spec and the run cache into a chart.
 * Process-wide fetch settings are in fetch.h.  Strings are borrowed. */
#ifndef TRCOMPARE_SPEC_H
#define TRCOMPARE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

enum summary_format { SUMMARY_NONE, SUMMARY_TEXT, SUMMARY_MARKDOWN, SUMMARY_CSV, SUMMARY_JSON };
enum x_axis { XAXIS_STEP, XAXIS_EPOCH, XAXIS_TIME, XAXIS_RELATIVE };

#define SPEC_DEFAULT_METRICS "loss,perplexity,lr,grad_norm"

struct cache_entry;

/* A run's colour a watch keeps (compare_spec.pins): the run of cache
 * entry ENTRY drawn for JOB (as written; strcmp) has colour COLOR
 * (compare_color's index). */
struct color_pin {
	const char *job;
	const struct cache_entry *entry;
	size_t color;
};

struct compare_spec {
	/* JOB references as written: a path, URL or job id, optionally
	 * LABEL=… (source.h says how each is read). */
	char *const *jobs;
	size_t njobs;

	/* what is drawn */
	const char *metrics;   /* -m LIST (SPEC_DEFAULT_METRICS when NULL) */
	const char *const *colors; /* --colors, cycled; NULL: the platform's */
	size_t ncolors;
	const size_t *job_colors; /* per JOB (njobs): the colour index
	                             (compare_color) of its first run, the
	                             next runs of a directory the indices
	                             after it; NULL: the chart's job order
	                             (a --latest watch keeps colours with it) */
	const struct color_pin *pins; /* a watch's colours: the chart's run
	                                 of a pin's JOB and entry keeps its
	                                 colour, and a run without a pin
	                                 takes the first colour no other run
	                                 has (job_colors' when free) */
	size_t npins;
	const char *title;     /* --title (untrusted like any text), or NULL */
	enum x_axis xaxis;
	double smooth;         /* TensorBoard EMA weight in [0,1), 0 = off */
	long max_points;       /* per series: -1 = per pixel column, 0 = all */
	bool ignore_outliers;
	const char *logy;      /* PANEL,… or NULL */
	const char *xrange;    /* MIN:MAX or NULL */
	const char *yrange;    /* PANEL=MIN:MAX,… or NULL */

	/* where it goes */
	const char *output;    /* -o FILE, or NULL */
	const char *terminal;  /* -t NAME, or NULL */
	int width, height;     /* --size; 0 = the terminal's default */
	const char *data_dir;  /* -d DIR, or NULL */
	bool data_stdout;      /* --data */
	enum summary_format summary; /* -S */
	bool keep_going;       /* -k: draw the jobs that loaded */
	double watch;          /* --watch: seconds between redraws (then -d
	                          also writes DIR/watch.gp), or 0 */

	/* several outputs (-o given more than once); output is the first */
	const char *const *outputs; /* every -o FILE in order, or NULL */
	size_t noutputs;
	const char *summary_output; /* --summary-output FILE: where -S goes
	                               instead of standard output, or NULL */
	const char *report;    /* --report FILE.html (report.h), or NULL */
	bool report_svg;       /* --report-images=svg: a Markdown report's
	                          charts as SVG, not PNG */
	const char *baseline;  /* --baseline JOB: a JOB as written or its
	                          LABEL (render_baseline), or NULL */
	const char *status;    /* --status LIST: of the runs a directory or
	                          file holding several runs stands for, only
	                          those with these statuses (the job list's
	                          words); NULL: all */
};

#endif
