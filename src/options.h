/* options.h: the command line and the environment of trcompare-plot.
 * Filled by options_parse() in options.c (top level: may print and exit).
 * The library never sees this struct: main.c hands it the two parts it
 * needs, the fetch settings (fetch.h) and the comparison (spec.h). */
#ifndef TRCOMPARE_OPTIONS_H
#define TRCOMPARE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "joblist.h"
#include "spec.h"

struct options {
	struct fetch_config fetch; /* fetch.token and fetch.token_for point at
	                              token and token_for below */
	struct compare_spec spec;  /* spec.jobs and spec.colors point at the
	                              arrays below */

	char **jobs;         /* owned array of JOB arguments borrowed from argv;
	                        main.c may append --latest's ids (owned there) */
	size_t njobs;
	char **colors;       /* owned --colors list */
	size_t ncolors;
	char *token;         /* owned; wiped by options_free */
	char **token_for;    /* --token-for origins (borrowed from argv; owned
	                        array) */
	size_t ntoken_for;

	bool quiet;          /* -q */
	int verbose;         /* -v */
	bool list_jobs;      /* --list-jobs */
	const char *status;  /* --status LIST, or NULL */
	int latest;          /* --latest N, 0 = off */
	enum list_format format;
	long gnuplot_timeout; /* --gnuplot-timeout seconds, default 300, 0 = none */
	long summary_width;  /* --width N; -1 (default): the terminal's width
	                        when stdout is one */

	const char **outputs; /* every -o FILE (borrowed from argv; owned array) */
	size_t noutputs;
	const char *batch;   /* --batch MANIFEST, or NULL */
	long pool;           /* -j N: gnuplot sessions for --batch; 0: the
	                        number of online cores */
	bool newer;          /* --newer */
	const char *index;   /* --index FILE (.md or .html), or NULL */
	long shard_k, shard_n; /* --shard K/N (1-based); 0/0: every line */
	int line_start;      /* options_parse_line: where the manifest line's
	                        words start in argv (0: the command line) */
	int bad_arg;         /* options_parse_line: the argv index at fault, or -1 */
	bool *wide_words;    /* options_parse_line: for each argv index before
	                        LINE_START, true when it belongs to an option for
	                        the whole batch (-j, --shard, the API's ...): what
	                        is false there are the lines' defaults (owned) */
	double watch;        /* --watch: seconds between reads; 0 off, -1 the
	                        default (2, or 10 with API jobs or URLs) */
	bool watch_forever;  /* --watch-forever */
	bool list_metrics;   /* --list-metrics */
	char **alias_from;   /* --alias FROM=TO, in order: owned arrays of */
	char **alias_to;     /* owned strings */
	size_t naliases;
};

/* Parses argv into OPTS (zeroed first).  Usage errors print and exit 64. */
void options_parse(int argc, char **argv, struct options *opts);
void options_free(struct options *opts);

/* The same with argp FLAGS (ARGP_SILENT for the fuzz target: nothing printed,
 * nothing exits); returns 0 or argp's error code. */
int options_parse_ex(int argc, char **argv, struct options *opts, unsigned flags);

/* Parses one manifest line for --batch: ARGV is the --batch command line
 * (the defaults) followed, from index LINE_START, by the line's words.
 * Nothing is printed and nothing exits: returns 0, or -1 with *cause
 * (malloc'd, argp's or our usage message without the program name) and
 * opts->bad_arg the argv index at fault (or -1 when unknown).  Options that
 * hold for the whole batch (the API's, -q, -v, -j, --shard, ...) are
 * refused on the line's part. */
int options_parse_line(int argc, char **argv, int line_start, struct options *opts, char **cause);

#endif
