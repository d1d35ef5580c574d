/* options.h: everything the command line (and environment) decides.
 * Filled by options_parse() in options.c (top level: may print and exit);
 * read-only for every other module. */
#ifndef TRCOMPARE_OPTIONS_H
#define TRCOMPARE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum summary_format { SUMMARY_NONE, SUMMARY_TEXT, SUMMARY_MARKDOWN, SUMMARY_CSV, SUMMARY_JSON };
enum list_format { LIST_TEXT, LIST_CSV, LIST_JSON };
enum x_axis { XAXIS_STEP, XAXIS_EPOCH, XAXIS_TIME, XAXIS_RELATIVE };
enum auth_header { AUTH_BEARER, AUTH_X_API_KEY };

struct options {
	/* JOB arguments as written (borrowed from argv or owned by joblist) */
	char **jobs;
	size_t njobs;

	/* output */
	char *output;        /* -o FILE, or NULL */
	char *terminal;      /* -t NAME (gnuplot terminal), or NULL */
	int width, height;   /* --size; 0 = the terminal's default */
	char *data_dir;      /* -d DIR, or NULL */
	bool data_stdout;    /* --data */
	enum summary_format summary; /* -S */
	char *metrics;       /* -m LIST, default "loss,perplexity,lr,grad_norm" */
	char **colors;       /* --colors LIST, or NULL for the defaults */
	size_t ncolors;
	char *title;         /* --title (untrusted like any text), or NULL */
	bool quiet;          /* -q */
	int verbose;         /* -v */

	/* the platform API (issue 3) */
	char *url;           /* --url or TRCOMPARE_URL */
	char *endpoint;      /* --endpoint, default /api/training/local/{id}/metrics */
	char *token;         /* from TRCOMPARE_TOKEN or --token-file; never argv */
	char **token_for;    /* --token-for origins (borrowed strings, owned array) */
	size_t ntoken_for;
	enum auth_header auth;
	bool netrc;
	char *cacert;
	bool insecure;
	int parallel;        /* --parallel, default 5 */
	int retry;           /* --retry, default 2 */
	long connect_timeout;/* seconds, default 10 */
	long max_time;       /* seconds per transfer, default 300 */
	long long max_filesize; /* bytes, default 256 MiB */
	bool keep_going;
	bool list_jobs;      /* --list-jobs */
	char *status;        /* --status LIST, or NULL */
	int latest;          /* --latest N, 0 = off */
	enum list_format format;

	/* views (issue 4) */
	enum x_axis xaxis;
	double smooth;       /* --smooth W in [0,1) */
	bool smooth_set;
	long max_points;     /* --max-points; -1 = from the output's width, 0 = all */
	bool ignore_outliers;
	char *logy;          /* --logy PANELS, or NULL */
	char *xrange;        /* --xrange MIN:MAX, or NULL */
	char *yrange;        /* --yrange PANEL=MIN:MAX[,…], or NULL */
};

/* Parses argv into OPTS (zeroed first).  Usage errors print and exit 64. */
void options_parse(int argc, char **argv, struct options *opts);
void options_free(struct options *opts);

/* The same with argp FLAGS (ARGP_SILENT for the fuzz target: nothing printed,
 * nothing exits); returns 0 or argp's error code. */
int options_parse_ex(int argc, char **argv, struct options *opts, unsigned flags);

#endif
