/* main.c: trcompare-plot — the command line, then one comparison:
 *   options -> spec + fetch settings -> run cache -> chart -> outputs
 * This is the only file that prints diagnostics and chooses exit codes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "colmap.h"
#include "compare.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "http.h"
#include "joblist.h"
#include "listing.h"
#include "options.h"
#include "render.h"
#include "source.h"
#include "text.h"
#include "util.h"

/* Everything main owns, freed in one place. */
struct state {
	struct options opts;
	struct joblist jl;
	bool have_jl;
	char **latest_ids;     /* --latest: owned job ids */
	size_t nlatest;
	struct run_cache *cache;
	struct chart *chart;
	struct gp_session *gnuplot; /* -o: started while the jobs are read */
};

/* Prints "trcompare-plot: WHAT: CAUSE" and frees CAUSE; WHAT (a JOB, an
 * option, a URL) is sanitized and loses any URL's password. */
static void report(const char *what, char *cause)
{
	char *r = http_redact(what);
	char *w = text_sanitize(r, strlen(r), TEXT_MAX_CHARS, "(empty)");
	diag_error("%s: %s", w, cause);
	free(w);
	free(r);
	free(cause);
}

/* Prints CAUSE as it is and frees it; returns STATUS. */
static int fail(int status, char *cause)
{
	diag_error("%s", cause);
	free(cause);
	return status;
}

/* --list-jobs and --latest.  Returns -1 to go on comparing, else the exit
 * status. */
static int use_joblist(struct state *st)
{
	struct options *o = &st->opts;
	char *cause = NULL;
	int status = EXIT_FETCH;
	if (joblist_fetch(&o->fetch, o->status, &st->jl, &cause, &status) != 0) {
		report(o->fetch.url, cause);
		return status;
	}
	st->have_jl = true;
	if (st->jl.warning)
		diag_warn("%s", st->jl.warning);
	if (o->list_jobs) {
		int rc = joblist_print(&st->jl, o->format, stdout);
		char *why = NULL;
		if (close_stream(stdout, &why) != 0 || rc != 0)
			return fail(EXIT_DATA, xasprintf("stdout: %s", why ? why : "write error"));
		return EXIT_OK;
	}
	size_t n = st->jl.n < (size_t)o->latest ? st->jl.n : (size_t)o->latest;
	if (n == 0)
		return fail(EXIT_DATA, xasprintf("--latest: the job list has no %sjobs",
						  o->status ? "matching " : ""));
	st->latest_ids = xcalloc(n, sizeof *st->latest_ids);
	o->jobs = xreallocarray(o->jobs, o->njobs + n, sizeof *o->jobs);
	for (size_t i = 0; i < n; i++) {
		st->latest_ids[i] = xstrdup(st->jl.jobs[i].id);
		o->jobs[o->njobs++] = st->latest_ids[i];
	}
	st->nlatest = n;
	o->spec.jobs = o->jobs;
	o->spec.njobs = o->njobs;
	return -1;
}

/* Progress on stderr for long fetches (stderr a terminal only). */
static void progress_line(void *ctx, const char *line)
{
	(void)ctx;
	if (line)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* -v lines from the library (the token is never in them). */
static void verbose_line(void *ctx, const char *line)
{
	(void)ctx;
	diag_note("%s", line);
}

/* What the program knows of where it runs, for render_plan. */
static void read_env(struct render_env *env, const struct compare_spec *spec)
{
	memset(env, 0, sizeof *env);
	env->stdout_tty = isatty(STDOUT_FILENO);
	env->display = env_set("DISPLAY") || env_set("WAYLAND_DISPLAY");
	/* An absolute TMPDIR only: gnuplot runs a script path starting with
	 * '<' as a command. */
	env->tmpdir = getenv("TMPDIR");
	if (!env->tmpdir || env->tmpdir[0] != '/')
		env->tmpdir = "/tmp";
	if (!env->stdout_tty || spec->output)
		return;
	if (!tty_size(STDOUT_FILENO, &env->tty_cols, &env->tty_rows))
		env->tty_cols = env->tty_rows = 0;
	if (!spec->terminal)
		env->window_terminal = gnuplot_window_terminal();
	const char *term = getenv("TERM");
	env->ansi = !env_set("NO_COLOR") && term && strcmp(term, "dumb") != 0;
}

/* Reports every job that failed (every failure, every time), then warns
 * about what each source that was read deserves (once per source).
 * Returns the worst status. */
static int check_jobs(const struct state *st)
{
	const struct compare_spec *spec = &st->opts.spec;
	const struct cache_entry **warned = xcalloc(cache_size(st->cache) + 1, sizeof *warned);
	size_t nwarned = 0;
	int rc = EXIT_OK;
	for (size_t i = 0; i < spec->njobs; i++) {
		size_t nr;
		struct job_run *jr = compare_job_runs(st->cache, spec->jobs[i], &nr);
		for (size_t k = 0; k < nr; k++) {
			const struct cache_entry *e = jr[k].entry;
			if (e->status != EXIT_OK) {
				report(jr[k].rel ? e->arg : spec->jobs[i],
				       xstrdup(e->error ? e->error : "failed"));
				if (e->status == EXIT_FETCH || rc == EXIT_OK)
					rc = e->status;
				continue;
			}
			/* A directory's runs without metrics are left out quietly. */
			bool seen = jr[k].rel && e->run->nrows == 0;
			for (size_t w = 0; w < nwarned; w++)
				seen |= warned[w] == e;
			if (!seen) {
				size_t nw;
				char **w = run_warnings(e->run, &nw);
				for (size_t m = 0; m < nw; m++) {
					diag_warn("%s", w[m]);
					free(w[m]);
				}
				free(w);
				warned[nwarned++] = e;
			}
		}
		free(jr);
	}
	free(warned);
	return rc;
}

/* Usage errors (panels, the output, JOB arguments) before anything is
 * read; then gnuplot starts up for -o (to say which terminals it has, and
 * to draw) while the jobs are read.  Returns -1 to go on, else the exit
 * status. */
static int prepare(struct state *st, struct render_env *env, struct render_plan *pl)
{
	struct options *o = &st->opts;
	const struct compare_spec *spec = &o->spec;
	struct panel_set ps;
	const char *option;
	char *cause = NULL;
	if (compare_panels(spec, &ps, &option, &cause) != 0) {
		report(option, cause);
		return EXIT_USAGE;
	}
	panel_set_free(&ps);
	read_env(env, spec);
	if (render_plan(spec, env, pl, &cause) != 0)
		return fail(EXIT_USAGE, cause);
	st->cache = cache_new(&o->fetch);
	size_t bad;
	if (compare_add_jobs(spec, st->cache, &o->fetch, &bad, &cause) != 0) {
		report(spec->jobs[bad], cause);
		return EXIT_USAGE;
	}
	if (pl->mode == CHART_RENDER_FILE) {
		gnuplot_probe_start();
		char *warmup = gpscript_warmup(pl->terminal);
		st->gnuplot = pl->session = gp_session_start(warmup, &cause);
		free(cause); /* drawing tries again and says why it cannot */
		free(warmup);
	}
	return -1;
}

/* Reads every job and says what failed (every failure, every time) and
 * what deserves a warning; fetches the job list for model names when jobs
 * were given by id.  Returns -1 to go on (*RC: the status of failures -k
 * goes past), else the exit status. */
static int load(struct state *st, int *rc)
{
	struct options *o = &st->opts;
	if (isatty(STDERR_FILENO) && !o->quiet)
		source_set_progress(progress_line, NULL);
	if (o->verbose)
		diag_note("reading %zu job%s", o->spec.njobs, o->spec.njobs == 1 ? "" : "s");
	cache_load(st->cache);
	*rc = check_jobs(st);
	if (*rc != EXIT_OK && !o->spec.keep_going)
		return *rc;
	size_t nloaded = 0, with_data = 0;
	bool any_id = false;
	for (size_t i = 0; i < cache_size(st->cache); i++) {
		const struct cache_entry *e = cache_entry_at(st->cache, i);
		if (e->status != EXIT_OK)
			continue;
		nloaded++;
		with_data += e->run->nrows > 0;
		any_id |= e->kind == SOURCE_JOBID;
	}
	if (with_data == 0) {
		diag_error(nloaded ? "no job has any metrics" : "no job could be read");
		return *rc != EXIT_OK ? *rc : EXIT_DATA;
	}
	/* Without the job list (a nicety with a short time budget), labels
	 * fall back to the ids. */
	if (any_id && !st->have_jl) {
		char *cause = NULL;
		int status = 0;
		if (joblist_fetch_quick(&o->fetch, &st->jl, &cause, &status) == 0)
			st->have_jl = true;
		else if (o->verbose)
			diag_note("no job list for labels: %s", cause);
		free(cause);
	}
	return -1;
}

/* Writes what was asked for: the summary, --data, -d and the chart, then
 * closes stdout.  Returns the exit status. */
static int write_outputs(struct state *st, const struct render_plan *pl,
			 const struct render_env *env)
{
	const struct compare_spec *spec = &st->opts.spec;
	const struct chart *ch = st->chart;
	char *cause = NULL;
	int rc = EXIT_OK;
	if (spec->summary != SUMMARY_NONE) {
		/* The text summary fits the terminal it is shown on. */
		int width = (int)st->opts.summary_width, cols, rows;
		if (width < 0)
			width = tty_size(STDOUT_FILENO, &cols, &rows) ? cols : 0;
		render_summary(stdout, ch, spec->summary, width);
	}
	if (spec->data_stdout)
		render_data(stdout, ch);
	if (spec->data_dir && render_data_dir(spec->data_dir, ch, spec, env, &cause) != 0)
		rc = fail(EXIT_DATA, cause);
	if (rc == EXIT_OK && pl->mode != CHART_NONE) {
		char *warnings = NULL;
		if (render_chart(pl, ch, spec, env, stdout, &warnings, &cause) != 0) {
			rc = fail(EXIT_DATA, cause);
		} else if (warnings && !diag_quiet) {
			char *w = text_sanitize(warnings, strlen(warnings), 2000, "");
			diag_warn("gnuplot: %s", w);
			free(w);
		}
		free(warnings);
	}
	char *why = NULL;
	if (close_stream(stdout, &why) != 0) {
		cleanup_release_sigpipe(); /* the files are in: end as a filter does */
		diag_error("stdout: %s", why);
		free(why);
		if (rc == EXIT_OK)
			rc = EXIT_DATA;
	}
	return rc;
}

/* --list-metrics: the chart's jobs' columns on stdout.  Returns the exit
 * status (FAILED when jobs failed to load and -k went past them). */
static int list_metrics(struct state *st, int failed)
{
	char *text = listing_metrics(st->chart);
	fputs(text, stdout);
	free(text);
	char *why = NULL;
	if (close_stream(stdout, &why) != 0)
		return fail(EXIT_DATA, xasprintf("stdout: %s", why ? why : "write error"));
	return failed;
}

/* One comparison: the jobs are read, the chart built and written.
 * Returns the exit status. */
static int compare(struct state *st)
{
	const struct compare_spec *spec = &st->opts.spec;
	struct render_env env;
	struct render_plan pl;
	int rc = prepare(st, &env, &pl), failed = EXIT_OK;
	if (rc < 0)
		rc = load(st, &failed);
	if (rc >= 0)
		return rc;
	struct chart_target target = render_target(&pl, spec->data_dir != NULL);
	if (st->opts.list_metrics)
		target.view = false; /* nothing is drawn */
	char *cause = NULL;
	if (compare_build(spec, st->cache, st->have_jl ? &st->jl : NULL, &target, &st->chart,
			  &cause) != 0)
		return fail(EXIT_DATA, cause);
	for (size_t i = 0; i < st->chart->nwarnings; i++)
		diag_warn("%s", st->chart->warnings[i]);
	if (st->opts.list_metrics)
		return list_metrics(st, failed);
	if (st->opts.verbose && target.view) {
		size_t drawn, all;
		chart_points(st->chart, &drawn, &all);
		diag_note("drawing %zu series: %zu of %zu points after downsampling",
			  st->chart->view.n, drawn, all);
	}
	rc = write_outputs(st, &pl, &env);
	return rc != EXIT_OK ? rc : failed;
}

/* Frees everything. */
static void state_free(struct state *st)
{
	gp_session_free(st->gnuplot);
	chart_free(st->chart);
	cache_free(st->cache);
	for (size_t i = 0; i < st->nlatest; i++)
		free(st->latest_ids[i]);
	free(st->latest_ids);
	if (st->have_jl)
		joblist_free(&st->jl);
	options_free(&st->opts);
}

/* Occupies a closed stdin, stdout or stderr with /dev/null opened the wrong
 * way round: the next file opened cannot take that number (and receive
 * what was meant for stdout), while reads and writes there still fail with
 * EBADF and are reported as before. */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			(void)open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
}

int main(int argc, char **argv)
{
	hold_std_fds();
	struct state st;
	memset(&st, 0, sizeof st);
	cleanup_install_signals();
	options_parse(argc, argv, &st.opts);
	diag_quiet = st.opts.quiet;
	gnuplot_set_timeout(st.opts.gnuplot_timeout);
	/* Output files are finished whatever became of stdout's reader. */
	if (st.opts.spec.output || st.opts.spec.data_dir)
		cleanup_hold_sigpipe();
	if (st.opts.verbose) {
		http_set_log(verbose_line, NULL);
		render_set_log(verbose_line, NULL);
	}
	colmap_set_aliases((const char *const *)st.opts.alias_from,
			   (const char *const *)st.opts.alias_to, st.opts.naliases);
	int rc = -1;
	if (st.opts.list_jobs || st.opts.latest)
		rc = use_joblist(&st);
	if (rc < 0)
		rc = compare(&st);
	state_free(&st);
	return rc;
}
