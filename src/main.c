/* main.c: trcompare-plot — the command line, then one comparison:
 *   options -> spec + fetch settings -> run cache -> chart -> outputs
 * This is the only file that prints diagnostics and chooses exit codes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cache.h"
#include "colmap.h"
#include "compare.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "http.h"
#include "index.h"
#include "joblist.h"
#include "manifest.h"
#include "listing.h"
#include "options.h"
#include "outplan.h"
#include "render.h"
#include "report.h"
#include "source.h"
#include "text.h"
#include "util.h"
#include "watchstat.h"

/* Everything main owns, freed in one place. */
struct state {
	struct options opts;
	struct joblist jl;
	bool have_jl;
	char **latest_ids;     /* --latest: owned job ids, every one a watch
	                          picked (the chart may still point at them) */
	size_t nids;
	size_t nlatest;        /* --latest: the last NLATEST of opts.jobs */
	size_t *job_colors;    /* a --latest watch whose jobs changed: the
	                          colour of each JOB (spec.job_colors) */
	bool jobs_joined;      /* ... and new jobs are to be read */
	struct run_cache *cache;
	struct chart *chart;
	struct gp_session *gnuplot; /* -o: started while the jobs are read */
	long baseline;         /* --baseline: the chart job, or -1 */
	char **argv;           /* the command line as given (argp permutes
	                          argv), for --report; the array is owned */
	int argc;
	struct joblist watch_jl; /* --watch: the last job list asked for the
	                            jobs' status (have_watch_jl) */
	bool have_watch_jl;
	char *status;          /* --watch: the status line (watchstat.h) */
	bool status_shown;     /* it is on stderr now */
	bool window_failed;    /* a window watch's gnuplot failed (said) */
	struct color_pin *pins; /* --watch: the colours of the last chart's
	                           runs (spec.pins; each job owned) */
	size_t npins;
	char **dats;           /* --watch -d: the data files written there
	                          and not removed since (owned) */
	size_t ndats;
	struct failing {       /* --watch: what fails now, as it was said */
		char *key;     /* a cache entry's key, or "list:" + a JOB */
		char *said;    /* its message */
	} *failing;
	size_t nfailing;
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
	st->nlatest = st->nids = n;
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
				report(jr[k].rel ? jr[k].job : spec->jobs[i],
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
	for (size_t i = 1; i < spec->noutputs; i++) {
		struct compare_spec other = *spec;
		struct render_plan opl;
		other.output = spec->outputs[i];
		if (render_plan(&other, env, &opl, &cause) != 0)
			return fail(EXIT_USAGE, cause);
	}
	if (o->watch && !(pl->mode == CHART_RENDER_FILE || pl->mode == CHART_SCRIPT_FILE ||
			  pl->mode == CHART_WINDOW ||
			  pl->mode == CHART_TEXT_TTY ||
			  (pl->mode == CHART_NONE && (spec->data_dir || spec->report || spec->summary_output ||
						      env->stdout_tty))))
		return fail(EXIT_USAGE, xstrdup("--watch needs -o FILE, or a terminal on stdout "
						"(a text chart or -S)"));
	/* No file written twice, and each one's directory there: nothing is
	 * written when one of them cannot be. */
	struct out_plan op;
	outplan_of(spec, o->watch != 0, &op);
	int orc = -1;
	struct out_plan in;
	outplan_inputs_of(spec, &in);
	if (outplan_clash(&op, &cause) != 0 || outplan_reads(&op, &in, &cause) != 0)
		orc = fail(EXIT_USAGE, cause);
	else if (!o->list_metrics && outplan_check(&op, false, &cause) != 0)
		orc = fail(EXIT_DATA, cause);
	outplan_free(&op);
	outplan_free(&in);
	if (orc >= 0)
		return orc;
	st->cache = cache_new(&o->fetch);
	size_t bad;
	int status;
	if (compare_add_jobs(spec, st->cache, &o->fetch, &bad, &cause, &status) != 0) {
		report(spec->jobs[bad], cause);
		return status;
	}
	if (o->watch && pl->mode == CHART_WINDOW) {
		/* One gnuplot keeps the window for the whole watch. */
		st->gnuplot = pl->session = gp_session_start_window(&cause);
		if (!st->gnuplot)
			return fail(EXIT_DATA, cause);
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
		for (size_t i = 0; i < o->spec.njobs; i++) {
			char *empty = compare_job_empty(st->cache, o->spec.jobs[i]);
			if (empty)
				diag_warn("%s", empty);
			free(empty);
		}
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

static double watch_interval(const struct state *st);

/* What a window watch's draw fails with when the window was closed
 * meanwhile (gp_session_sync's message for a gnuplot that exited 0). */
#define WINDOW_GONE "gnuplot ended before reading all of its script"

/* What gnuplot printed while drawing well (WARNINGS, or NULL): one
 * warning, sanitized, unless -q. */
static void gnuplot_said(const char *warnings)
{
	if (!warnings || diag_quiet)
		return;
	char *w = text_sanitize(warnings, strlen(warnings), 2000, "");
	diag_warn("gnuplot: %s", w);
	free(w);
}

/* The job list for labels: a --latest watch whose jobs changed uses the
 * last one it fetched (its new jobs are in it). */
static const struct joblist *labels_jl(const struct state *st)
{
	if (st->job_colors && st->have_watch_jl)
		return &st->watch_jl;
	return st->have_jl ? &st->jl : NULL;
}

/* -o given again: output I (> 0) of the same comparison, its chart built
 * for that output's terminal and size as a lone -o would.  Returns the
 * exit status. */
static int another_output(struct state *st, size_t i, const struct render_env *env)
{
	struct compare_spec spec = st->opts.spec;
	spec.output = spec.outputs[i];
	struct render_plan pl;
	char *cause = NULL;
	if (render_plan(&spec, env, &pl, &cause) != 0) /* checked in prepare() */
		return fail(EXIT_USAGE, cause);
	if (st->opts.watch)
		pl.html_refresh = watch_interval(st);
	struct chart_target target = render_target(&pl, false);
	struct chart *ch = NULL;
	if (compare_build(&spec, st->cache, labels_jl(st), &target, &ch, &cause) != 0)
		return fail(EXIT_DATA, cause);
	char *warnings = NULL;
	int rc = EXIT_OK;
	if (render_chart(&pl, ch, &spec, env, stdout, &warnings, &cause) != 0) {
		rc = fail(EXIT_DATA, cause);
	} else {
		gnuplot_said(warnings);
	}
	free(warnings);
	chart_free(ch);
	return rc;
}

/* --report: the chart again, built for the report's SVGs, and the page.
 * Returns the exit status. */
static int write_report(struct state *st, const struct render_env *env)
{
	const struct compare_spec *spec = &st->opts.spec;
	struct chart_target target = report_target(st->chart->ps.npanels);
	struct chart *ch = NULL;
	char *cause = NULL, *warnings = NULL;
	if (compare_build(spec, st->cache, labels_jl(st), &target, &ch, &cause) != 0)
		return fail(EXIT_DATA, cause);
	struct report_opts ro = {
		.argv = st->argv,
		.argc = (size_t)st->argc,
		.generated = time(NULL),
		.jl = labels_jl(st),
		.tmpdir = env->tmpdir,
		.images = spec->report_svg ? REPORT_IMAGES_SVG : REPORT_IMAGES_PNG,
		.refresh = st->opts.watch ? watch_interval(st) : 0,
	};
	int rc = EXIT_OK;
	if (report_write(spec->report, ch, spec, &ro, &warnings, &cause) != 0) {
		rc = fail(EXIT_DATA, cause);
	} else {
		gnuplot_said(warnings);
	}
	free(warnings);
	chart_free(ch);
	return rc;
}

/* --summary-output FILE: the summary table written atomically. */
static int summary_file(const struct state *st)
{
	struct atomic_out ao;
	char *cause = NULL;
	const struct compare_spec *spec = &st->opts.spec;
	int width = st->opts.summary_width > 0 ? (int)st->opts.summary_width : 0;
	if (atomic_open(&ao, spec->summary_output, &cause) != 0)
		return fail(EXIT_DATA, cause);
	long base = spec->baseline ? render_baseline(st->chart, spec->baseline) : -1;
	/* commit checks the stream */
	render_summary_baseline(ao.fp, st->chart, spec->summary, width, base);
	if (atomic_commit(&ao, &cause) != 0)
		return fail(EXIT_DATA, cause);
	return EXIT_OK;
}

static void hold_std_fds(void);

/* Writes what was asked for: the summary, --data, -d and the chart, then
 * closes stdout.  Returns the exit status. */
static int write_outputs(struct state *st, const struct render_plan *pl,
			 const struct render_env *env)
{
	const struct compare_spec *spec = &st->opts.spec;
	const struct chart *ch = st->chart;
	char *cause = NULL;
	int rc = EXIT_OK;
	if (spec->summary_output) {
		rc = summary_file(st);
	} else if (spec->summary != SUMMARY_NONE) {
		/* The text summary fits the terminal it is shown on. */
		int width = (int)st->opts.summary_width, cols, rows;
		if (width < 0)
			width = tty_size(STDOUT_FILENO, &cols, &rows) ? cols : 0;
		render_summary_baseline(stdout, ch, spec->summary, width, st->baseline);
	}
	if (spec->data_stdout)
		render_data(stdout, ch);
	/* What went to stdout is in before the files: `-o /dev/stdout` opens
	 * stdout's file anew and appends there, so stdout's own offset must
	 * already be past it (`-S -o /dev/stdout >FILE`). */
	int flush_errno = fflush(stdout) == 0 ? 0 : errno;
	if (spec->data_dir && rc == EXIT_OK && render_data_dir(spec->data_dir, ch, spec, env, &cause) != 0)
		rc = fail(EXIT_DATA, cause);
	if (rc == EXIT_OK && pl->mode != CHART_NONE) {
		char *warnings = NULL;
		if (render_chart(pl, ch, spec, env, stdout, &warnings, &cause) != 0) {
			rc = fail(EXIT_DATA, cause);
		} else {
			gnuplot_said(warnings);
		}
		free(warnings);
		for (size_t i = 1; i < spec->noutputs; i++) {
			int orc = another_output(st, i, env);
			if (rc == EXIT_OK)
				rc = orc;
		}
	}
	if (rc == EXIT_OK && spec->report)
		rc = write_report(st, env);
	char *why = NULL;
	if (close_stream(stdout, &why) != 0) {
		cleanup_release_sigpipe(); /* the files are in: end as a filter does */
		if (flush_errno != 0 && strcmp(why, "write error") == 0) {
			free(why); /* the early flush failed: say why */
			why = xasprintf("write error: %s", strerror(flush_errno));
		}
		diag_error("stdout: %s", why);
		free(why);
		if (rc == EXIT_OK)
			rc = EXIT_DATA;
	}
	/* A watch goes on: descriptor 1 must not become the next file opened
	 * (a temporary output) or a restarted gnuplot's stdout. */
	if (st->opts.watch)
		hold_std_fds();
	return rc;
}

/* --watch: SECONDS between reads, by default 2, or 10 when a job is
 * fetched (an API is not to be polled like a local file). */
static double watch_interval(const struct state *st)
{
	if (st->opts.watch > 0)
		return st->opts.watch;
	for (size_t i = 0; i < cache_size(st->cache); i++) {
		enum source_kind k = cache_entry_at(st->cache, i)->kind;
		if (k == SOURCE_URL || k == SOURCE_JOBID)
			return 10;
	}
	return 2;
}

/* Sleeps SECONDS; SIGINT or SIGTERM meanwhile end the program (util.h's
 * clean-up: no gnuplot, no temporary file left). */
static void nap(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Does this watch draw on the terminal (a text chart, or -S), in the
 * alternate screen? */
static bool watch_on_tty(const struct state *st, const struct render_plan *pl)
{
	return pl->mode == CHART_TEXT_TTY ||
	       (pl->mode == CHART_NONE && st->opts.spec.summary != SUMMARY_NONE &&
		!st->opts.spec.summary_output && isatty(STDOUT_FILENO));
}

#define ALT_SCREEN_ON "\033[?1049h"
#define ALT_SCREEN_OFF "\033[?1049l"

/* Draws the chart (or -S) on the terminal, over what was there, sized to
 * the terminal as it is now.  A failure is shown and never ends the
 * watch. */
static void watch_draw_tty(struct state *st, struct render_plan *pl, const struct render_env *env)
{
	const struct compare_spec *spec = &st->opts.spec;
	char *cause = NULL, *warnings = NULL;
	int cols = 0, rows = 0;
	if (!st->chart)
		return; /* the last round could not build one (said then) */
	fputs("\033[H\033[2J", stdout);
	if (pl->mode == CHART_NONE) {
		bool sized = tty_size(STDOUT_FILENO, &cols, &rows);
		long base = spec->baseline ? render_baseline(st->chart, spec->baseline) : -1;
		render_summary_baseline(stdout, st->chart, spec->summary, sized ? cols : 0, base);
		fflush(stdout);
		return;
	}
	if (render_chart(pl, st->chart, spec, env, stdout, &warnings, &cause) != 0)
		fail(EXIT_DATA, cause);
	free(warnings); /* (they would scroll the chart away) */
	fflush(stdout);
}

/* A text chart follows the terminal's size: true when it changed (the
 * chart is then built again). */
static bool watch_resized(const struct state *st, struct render_plan *pl)
{
	int cols, rows;
	if (pl->mode != CHART_TEXT_TTY || (st->opts.spec.width && st->opts.spec.height) ||
	    !tty_size(STDOUT_FILENO, &cols, &rows) || (cols == pl->width && rows == pl->height))
		return false;
	pl->width = cols;
	pl->height = rows;
	return true;
}

/* The files of a watch besides the chart it draws: each -o after the
 * first, --summary-output and --report (each says its own failure). */
static void watch_files(struct state *st, const struct render_env *env)
{
	const struct compare_spec *spec = &st->opts.spec;
	for (size_t i = 1; i < spec->noutputs; i++)
		(void)another_output(st, i, env);
	if (spec->summary_output)
		(void)summary_file(st);
	if (spec->report)
		(void)write_report(st, env);
}

static bool status_final(const char *status);

/* The status line: stderr is a terminal, not -q, and not a watch drawn on
 * the terminal itself. */
static bool status_on_stderr(const struct state *st, const struct render_plan *pl)
{
	return !st->opts.quiet && !watch_on_tty(st, pl) && isatty(STDERR_FILENO);
}

/* Takes the status line off stderr, before other messages. */
static void status_clear(struct state *st)
{
	if (!st->status_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	st->status_shown = false;
}

/* The status line of the chart just built (the window's title, when a
 * window is drawn). */
static void status_update(struct state *st, struct render_plan *pl)
{
	if (!st->chart)
		return;
	enum watch_job_state *states = xcalloc(st->chart->njobs + 1, sizeof *states);
	for (size_t j = 0; st->have_watch_jl && j < st->chart->njobs; j++) {
		const struct cache_entry *e = st->chart->jobs[j].entry;
		const struct job_info *ji = e->kind == SOURCE_JOBID ? joblist_find(&st->watch_jl, e->target) : NULL;
		if (ji)
			states[j] = status_final(ji->status) ? WATCH_JOB_DONE : WATCH_JOB_RUNNING;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	free(st->status);
	st->status = watch_status(st->chart, &tm, states);
	free(states);
	pl->window_title = pl->mode == CHART_WINDOW ? st->status : NULL;
}

/* Shows the status line on stderr, fitted to the terminal, in place. */
static void status_show(struct state *st, const struct render_plan *pl)
{
	if (!st->status || !status_on_stderr(st, pl))
		return;
	int cols = 0, rows;
	if (!tty_size(STDERR_FILENO, &cols, &rows))
		cols = 0;
	char *line = watch_status_fit(st->status, cols > 1 ? cols - 1 : 0);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	free(line);
	st->status_shown = true;
}

/* Frees the pins of a watch's colours. */
static void pins_free(struct state *st)
{
	for (size_t i = 0; i < st->npins; i++)
		free((char *)st->pins[i].job);
	free(st->pins);
	st->pins = NULL;
	st->npins = 0;
}

/* A watch's chart was built: each of its runs keeps its colour in the
 * next charts (spec.pins), so a run that joins or leaves moves no other
 * run's colour. */
static void pin_colors(struct state *st)
{
	struct compare_spec *spec = &st->opts.spec;
	pins_free(st);
	st->npins = st->chart ? st->chart->njobs : 0;
	st->pins = xcalloc(st->npins ? st->npins : 1, sizeof *st->pins);
	for (size_t i = 0; i < st->npins; i++) {
		const struct chart_job *j = &st->chart->jobs[i];
		st->pins[i].job = xstrdup(spec->jobs[j->spec_job]);
		st->pins[i].entry = j->entry;
		st->pins[i].color = j->color_index;
	}
	spec->pins = st->pins;
	spec->npins = st->npins;
}

/* Says "watch: JOB WHAT" unless -q; JOB is sanitized and loses any
 * URL's password. */
static void note_watch(const struct state *st, const char *job, const char *what)
{
	if (st->opts.quiet)
		return;
	char *r = http_redact(job);
	char *w = text_sanitize(r, strlen(r), TEXT_MAX_CHARS, "(empty)");
	diag_note("watch: %s %s", w, what);
	free(w);
	free(r);
}

/* note_watch for each of JOBS[0..N). */
static void note_runs(const struct state *st, char *const *jobs, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		note_watch(st, jobs[i], what);
}

/* A watch's failure of KEY (a job WHAT, or its listing) this round: WHY
 * (taken), or NULL once it reads well.  Like tail -F, a failure is said
 * when it starts or its message changes, not again every round, and its
 * end is said ("watch: WHAT read again", not with -q).  FORGET: KEY is no
 * longer watched (a run that left), nothing is said. */
static void watch_failure(struct state *st, const char *key, const char *what, char *why, bool forget)
{
	size_t k = 0;
	while (k < st->nfailing && strcmp(st->failing[k].key, key) != 0)
		k++;
	if (why && !forget) {
		if (k < st->nfailing && strcmp(st->failing[k].said, why) == 0) {
			free(why);
			return;
		}
		if (k == st->nfailing) {
			st->failing = xreallocarray(st->failing, st->nfailing + 1, sizeof *st->failing);
			st->failing[st->nfailing++].key = xstrdup(key);
		} else
			free(st->failing[k].said);
		st->failing[k].said = xstrdup(why);
		report(what, why);
		return;
	}
	free(why);
	if (k == st->nfailing)
		return;
	if (!forget)
		note_watch(st, what, "read again");
	free(st->failing[k].key);
	free(st->failing[k].said);
	st->failing[k] = st->failing[--st->nfailing];
}

/* A watch's round lists the runs of each JOB that stands for several
 * again (compare_relist): a run that appeared joins, one gone leaves
 * ("watch: JOB joined", "watch: JOB left").  A listing that fails is
 * said (unless AGAIN: the round's second listing) and asked again next
 * round; *FAILED is set then.  Returns how many runs joined or left. */
static size_t relist_jobs(struct state *st, double interval, bool again, bool *failed)
{
	const struct compare_spec *spec = &st->opts.spec;
	size_t moved = 0;
	for (size_t i = 0; i < spec->njobs; i++) {
		char **joined, **left;
		size_t nj, nl;
		char *cause = NULL;
		char *key = xasprintf("list:%s", spec->jobs[i]);
		if (compare_relist(spec, i, st->cache, &st->opts.fetch, &joined, &nj, &left, &nl, &cause) != 0) {
			if (!again)
				watch_failure(st, key, spec->jobs[i],
					      xasprintf("%s (reading it again in %g s)", cause, interval), false);
			free(cause);
			free(key);
			*failed = true;
			continue;
		}
		watch_failure(st, key, spec->jobs[i], NULL, false);
		free(key);
		note_runs(st, left, nl, "left");
		note_runs(st, joined, nj, "joined");
		moved += nj + nl;
		for (size_t k = 0; k < nj; k++)
			free(joined[k]);
		for (size_t k = 0; k < nl; k++)
			free(left[k]);
		free(joined);
		free(left);
	}
	return moved;
}

/* -d DIR has just been written for st->chart under --watch: the data
 * files written before that it no longer writes (runs that left, labels
 * that changed) are removed; one that cannot be is said, tried again
 * next time, and the watch goes on. */
static void dats_written(struct state *st)
{
	char *cause = NULL;
	if (render_data_dir_prune(st->opts.spec.data_dir, st->dats, &st->ndats, st->chart, &cause) != 0)
		diag_error("%s", cause);
	free(cause);
	st->dats = xreallocarray(st->dats, st->ndats + st->chart->njobs + 1, sizeof *st->dats);
	for (size_t j = 0; j < st->chart->njobs; j++)
		st->dats[st->ndats++] = xstrdup(st->chart->jobs[j].file);
}

/* Did a job drawn now fail its last read? */
static bool read_failed(const struct state *st)
{
	for (size_t i = 0; i < cache_size(st->cache); i++) {
		const struct cache_entry *e = cache_entry_at(st->cache, i);
		if (!e->idle && (e->refresh_error || e->status != EXIT_OK))
			return true;
	}
	return false;
}

/* One round of a watch: the runs of JOBs that stand for several listed
 * again, every job read again (only what was added, for local files);
 * when one changed, the chart is built again and redrawn.  Failures are
 * reported and never end the watch. */
static void watch_round(struct state *st, struct render_plan *pl, const struct render_env *env,
			double interval)
{
	const struct compare_spec *spec = &st->opts.spec;
	bool list_failed = false;
	size_t moved = relist_jobs(st, interval, false, &list_failed);
	size_t changed = moved + cache_refresh_all(st->cache);
	if (st->jobs_joined || moved) { /* a --latest watch's jobs changed, runs joined */
		cache_load(st->cache);
		changed += st->jobs_joined;
		st->jobs_joined = false;
	}
	/* A run listed above may be gone by the time it was read (its
	 * directory deleted, the run deleted on the server, meanwhile): when
	 * a read failed, the runs are listed once more, and a run gone leaves
	 * rather than being said unreadable. */
	if (!list_failed && read_failed(st)) {
		size_t again = relist_jobs(st, interval, true, &list_failed);
		if (again) {
			cache_load(st->cache); /* (a run that joined meanwhile) */
			changed += again;
		}
	}
	bool resized = watch_resized(st, pl);
	for (size_t i = 0; i < cache_size(st->cache); i++) {
		const struct cache_entry *e = cache_entry_at(st->cache, i);
		const char *why = e->refresh_error ? e->refresh_error : e->status != EXIT_OK ? e->error : NULL;
		char *said = why && !e->idle ? xasprintf("%s (reading it again in %g s)", why, interval) : NULL;
		watch_failure(st, e->key, e->arg, said, e->idle);
	}
	if (changed == 0 && !resized) {
		if (st->opts.verbose)
			diag_note("watch: no job changed");
		return;
	}
	if (st->opts.verbose)
		diag_note("watch: %zu job%s changed; drawing again", changed, changed == 1 ? "" : "s");
	chart_free(st->chart);
	st->chart = NULL;
	struct chart_target target = render_target(pl, spec->data_dir != NULL);
	char *cause = NULL, *warnings = NULL;
	if (compare_build(spec, st->cache, labels_jl(st), &target, &st->chart, &cause) != 0) {
		fail(EXIT_DATA, cause);
		return;
	}
	pin_colors(st);
	if (spec->data_dir && render_data_dir(spec->data_dir, st->chart, spec, env, &cause) != 0) {
		fail(EXIT_DATA, cause);
		return;
	}
	if (spec->data_dir)
		dats_written(st);
	watch_files(st, env);
	status_update(st, pl);
	if (watch_on_tty(st, pl)) {
		watch_draw_tty(st, pl, env);
		return;
	}
	if (pl->mode == CHART_RENDER_FILE && !st->gnuplot) {
		char *warmup = gpscript_warmup(pl->terminal);
		st->gnuplot = pl->session = gp_session_start(warmup, &cause);
		free(cause); /* drawing says why it cannot */
		cause = NULL;
		free(warmup);
	}
	if (render_chart(pl, st->chart, spec, env, NULL, &warnings, &cause) != 0 &&
	    pl->mode == CHART_WINDOW) {
		/* The window's gnuplot has ended: closed meanwhile (its exit
		 * binding, status 0, before all was read), or failed. */
		if (strcmp(cause, WINDOW_GONE) != 0) {
			diag_error("%s", cause);
			st->window_failed = true;
		}
		free(cause);
	} else if (cause) {
		fail(EXIT_DATA, cause);
		/* A gnuplot that failed has ended: the next round starts one. */
		gp_session_free(st->gnuplot);
		st->gnuplot = pl->session = NULL;
	}
	free(warnings);
}

/* Waits SECONDS between rounds: with a window, for its gnuplot, which
 * ends when the window is closed.  Returns true when it was. */
static bool watch_wait(struct state *st, const struct render_plan *pl, double seconds)
{
	if (pl->mode != CHART_WINDOW) {
		nap(seconds);
		return false;
	}
	return !st->gnuplot || gp_session_wait(st->gnuplot, seconds);
}

/* A window watch's gnuplot has ended: closed (it exited 0, by its exit
 * binding: NOTE, unless -q) or failed (a crash or an error: said, if not
 * yet).  Returns the exit status. */
static int window_ended(struct state *st, const char *note)
{
	if (st->window_failed || !st->gnuplot || !gp_session_closed(st->gnuplot)) {
		if (!st->window_failed)
			diag_error("gnuplot's window ended with a failure; the watch ends");
		return EXIT_DATA;
	}
	if (note && !st->opts.quiet)
		diag_note("%s", note);
	return EXIT_OK;
}

/* Is STATUS (the job list's) one a job ends in? */
static bool status_final(const char *status)
{
	static const char *const final[] = { "completed", "succeeded", "failed", "cancelled" };
	for (size_t i = 0; status && i < ARRAY_SIZE(final); i++)
		if (strcasecmp(status, final[i]) == 0)
			return true;
	return false;
}

/* Is cache entry E one of the jobs the chart is of now? */
static bool entry_active(const struct cache_entry *e)
{
	return !e->idle;
}

/* ID (a job list's, untrusted) for a message: sanitized, malloc'd. */
static char *shown_id(const char *id)
{
	return text_sanitize(id, strlen(id), TEXT_MAX_CHARS, "(empty)");
}

/* The colour index of spec job I (its first run's in the chart), or
 * SIZE_MAX when the chart has none. */
static size_t job_color_now(const struct state *st, size_t i)
{
	for (size_t j = 0; st->chart && j < st->chart->njobs; j++)
		if (st->chart->jobs[j].spec_job == i)
			return st->chart->jobs[j].color_index;
	if (!st->chart && st->job_colors)
		return st->job_colors[i];
	return SIZE_MAX;
}

/* The first colour index USED does not mark; marks it. */
static size_t take_free_color(bool *used)
{
	size_t c = 0;
	while (used[c])
		c++;
	used[c] = true;
	return c;
}

/* --latest with --watch: the N newest jobs of JL (the job list, newest
 * first) with a --status wanted, as the command run again would pick
 * them.  When they differ from the jobs drawn, they become the JOBs: new
 * jobs are added to the cache (read in the next round), jobs that left
 * are idle there; a job that stays keeps its colour, a new one takes the
 * first colour no job drawn has.  No job wanted keeps the jobs as they
 * are.  Says "watch: JOB joined" and "watch: JOB left" unless -q. */
static void latest_again(struct state *st, const struct joblist *jl)
{
	struct options *o = &st->opts;
	size_t want = (size_t)o->latest, n = 0, nfixed = o->njobs - st->nlatest;
	const char **ids = xcalloc(want, sizeof *ids);
	for (size_t i = 0; i < jl->n && n < want; i++)
		if (joblist_status_wanted(o->status, jl->jobs[i].status))
			ids[n++] = jl->jobs[i].id;
	bool same = n == st->nlatest;
	for (size_t i = 0; same && i < n; i++) {
		same = false;
		for (size_t k = nfixed; k < o->njobs && !same; k++)
			same = strcmp(o->jobs[k], ids[i]) == 0;
	}
	if (n == 0 || same) {
		free(ids);
		return;
	}
	status_clear(st);
	/* The colours of the jobs drawn now; the jobs that leave. */
	size_t *colors = xcalloc(nfixed + n, sizeof *colors);
	bool *used = NULL;
	size_t nused = 0;
	for (size_t j = 0; st->chart && j < st->chart->njobs; j++)
		nused = st->chart->jobs[j].color_index + 1 > nused ? st->chart->jobs[j].color_index + 1 : nused;
	for (size_t i = 0; st->job_colors && i < o->njobs; i++)
		nused = st->job_colors[i] + 1 > nused ? st->job_colors[i] + 1 : nused;
	used = xcalloc(nused + nfixed + n + 1, sizeof *used);
	char **jobs = xcalloc(nfixed + n, sizeof *jobs);
	for (size_t i = 0; i < nfixed; i++) {
		jobs[i] = o->jobs[i];
		colors[i] = job_color_now(st, i);
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = nfixed + k;
		colors[i] = SIZE_MAX;
		for (size_t old = nfixed; old < o->njobs; old++)
			if (strcmp(o->jobs[old], ids[k]) == 0) {
				jobs[i] = o->jobs[old];
				colors[i] = job_color_now(st, old);
			}
	}
	for (size_t i = 0; i < nfixed + n; i++)
		if (colors[i] != SIZE_MAX)
			used[colors[i]] = true;
	for (size_t j = 0; st->chart && j < st->chart->njobs; j++)
		if (st->chart->jobs[j].spec_job < nfixed) /* a directory's runs */
			used[st->chart->jobs[j].color_index] = true;
	/* Jobs that left: idle in the cache. */
	for (size_t old = nfixed; old < o->njobs; old++) {
		bool stays = false;
		for (size_t k = 0; k < n && !stays; k++)
			stays = strcmp(o->jobs[old], ids[k]) == 0;
		if (stays)
			continue;
		char *label = NULL, *target = NULL;
		enum source_kind kind = source_classify(o->jobs[old], &label, &target);
		const struct cache_entry *e = cache_find(st->cache, target, kind);
		if (e)
			cache_set_idle(st->cache, e, true);
		free(label);
		free(target);
		if (!o->quiet) {
			char *w = shown_id(o->jobs[old]);
			diag_note("watch: %s left", w);
			free(w);
		}
	}
	/* New jobs: added (or made active again), with a free colour. */
	for (size_t k = 0; k < n; k++) {
		size_t i = nfixed + k;
		if (!jobs[i]) {
			st->latest_ids = xreallocarray(st->latest_ids, st->nids + 1, sizeof *st->latest_ids);
			jobs[i] = st->latest_ids[st->nids++] = xstrdup(ids[k]);
			char *label = NULL, *target = NULL;
			enum source_kind kind = source_classify(jobs[i], &label, &target);
			const struct cache_entry *e = cache_find(st->cache, target, kind);
			if (e) {
				cache_set_idle(st->cache, e, false);
			} else {
				struct compare_spec one = o->spec;
				size_t bad;
				int status;
				char *cause = NULL;
				one.jobs = &jobs[i];
				one.njobs = 1;
				if (compare_add_jobs(&one, st->cache, &o->fetch, &bad, &cause, &status) != 0)
					report(jobs[i], cause);
			}
			free(label);
			free(target);
			st->jobs_joined = true;
			if (!o->quiet) {
				char *w = shown_id(jobs[i]);
				diag_note("watch: %s joined", w);
				free(w);
			}
		}
		if (colors[i] == SIZE_MAX)
			colors[i] = take_free_color(used);
	}
	for (size_t i = 0; i < nfixed; i++)
		if (colors[i] == SIZE_MAX)
			colors[i] = take_free_color(used);
	free(o->jobs);
	o->jobs = jobs;
	o->njobs = nfixed + n;
	st->nlatest = n;
	o->spec.jobs = o->jobs;
	o->spec.njobs = o->njobs;
	free(st->job_colors);
	st->job_colors = colors;
	o->spec.job_colors = colors;
	st->jobs_joined = true; /* (a job that left is a change too) */
	free(used);
	free(ids);
}

/* Has every job finished, by the job list's status?  Only when every job
 * drawn is an API job (a file or URL has no status) and not
 * --watch-forever; a list that cannot be fetched says no (with -v, why).
 * With --latest the jobs are picked again from the list first
 * (latest_again). */
static bool jobs_finished(struct state *st)
{
	const struct options *o = &st->opts;
	size_t n = cache_size(st->cache);
	bool all_ids = n > 0;
	for (size_t i = 0; i < n; i++) {
		const struct cache_entry *e = cache_entry_at(st->cache, i);
		if (entry_active(e) && e->kind != SOURCE_JOBID)
			all_ids = false;
	}
	if (!st->nlatest && (o->watch_forever || !all_ids))
		return false;
	struct joblist jl;
	char *cause = NULL;
	int status = 0;
	memset(&jl, 0, sizeof jl);
	if (joblist_fetch_quick(&o->fetch, &jl, &cause, &status) != 0) {
		if (o->verbose)
			diag_note("watch: no job list for the jobs' status: %s", cause);
		free(cause);
		return false;
	}
	if (st->nlatest)
		latest_again(st, &jl);
	bool done = !o->watch_forever && all_ids;
	for (size_t i = 0; i < cache_size(st->cache) && done; i++) {
		const struct cache_entry *e = cache_entry_at(st->cache, i);
		const struct job_info *j = joblist_find(&jl, e->target);
		done = !entry_active(e) || (j && status_final(j->status));
	}
	if (st->have_watch_jl)
		joblist_free(&st->watch_jl);
	st->watch_jl = jl; /* for the status line */
	st->have_watch_jl = true;
	return done;
}

/* --watch after the first chart: rounds until every job has finished (API
 * jobs; then once more, after the status said so) or a signal ends the
 * program. */
static int watch(struct state *st, struct render_plan *pl, const struct render_env *env)
{
	double interval = watch_interval(st);
	bool tty = watch_on_tty(st, pl);
	if (st->opts.verbose)
		diag_note("watch: reading the jobs every %g s", interval);
#ifdef M_TRIM_THRESHOLD
	/* Every round frees and allocates the same large blocks again (the
	 * chart's scratch and series): keep freed memory in the heap for the
	 * next round rather than giving it back and faulting it in anew. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
	if (tty) {
		/* The alternate screen, left again at the end, by a signal too. */
		fputs(ALT_SCREEN_ON, stdout);
		cleanup_set_restore(STDOUT_FILENO, ALT_SCREEN_OFF);
		watch_draw_tty(st, pl, env);
	}
	bool closed = false;
	pin_colors(st);
	if (st->opts.spec.data_dir && st->chart)
		dats_written(st); /* the first chart's, written before */
	status_show(st, pl);
	for (;;) {
		bool last = jobs_finished(st);
		if (!last && (closed = watch_wait(st, pl, interval)))
			break;
		status_clear(st);
		watch_round(st, pl, env, interval);
		status_update(st, pl);
		status_show(st, pl);
		if (pl->mode == CHART_WINDOW && (closed = watch_wait(st, pl, 0)))
			break;
		if (last)
			break;
	}
	if (st->status_shown) {
		fputs("\n", stderr); /* the last status stays */
		st->status_shown = false;
	}
	if (closed)
		return window_ended(st, "the window was closed; the watch ends");
	if (pl->mode == CHART_WINDOW) {
		/* The last chart stays until the window is closed. */
		if (!st->opts.quiet)
			diag_note("every job has finished; close the window to end");
		while (!watch_wait(st, pl, 3600))
			;
		return window_ended(st, NULL);
	}
	if (tty) {
		fputs(ALT_SCREEN_OFF, stdout);
		fflush(stdout);
		cleanup_set_restore(-1, NULL);
		/* The last chart stays on the normal screen. */
		watch_draw_tty(st, pl, env);
		fputs("\n", stdout);
	}
	if (!st->opts.quiet)
		diag_note("every job has finished; the watch ends");
	char *why = NULL;
	if (tty && close_stream(stdout, &why) != 0) {
		diag_error("stdout: %s", why);
		free(why);
		return EXIT_DATA;
	}
	return EXIT_OK;
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
	pl.keep_session = st->opts.watch != 0;
	if (rc < 0 && st->opts.watch)
		cache_set_follow(st->cache, true);
	if (rc < 0)
		rc = load(st, &failed);
	if (rc >= 0)
		return rc;
	if (st->opts.watch) {
		pl.html_refresh = watch_interval(st); /* an HTML chart reloads itself */
		st->opts.spec.watch = pl.html_refresh; /* -d writes watch.gp */
	}
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
	st->baseline = spec->baseline ? render_baseline(st->chart, spec->baseline) : -1;
	if (spec->baseline && st->baseline < 0) {
		report("--baseline", xasprintf("'%s' was not read", spec->baseline));
		return EXIT_DATA;
	}
	if (st->opts.verbose && target.view) {
		size_t drawn, all;
		chart_points(st->chart, &drawn, &all);
		diag_note("drawing %zu series: %zu of %zu points after downsampling",
			  st->chart->view.n, drawn, all);
	}
	/* A watch on the terminal draws in the alternate screen; its files
	 * are written first. */
	if (st->opts.watch && watch_on_tty(st, &pl)) {
		rc = EXIT_OK;
		cause = NULL;
		if (spec->data_dir && render_data_dir(spec->data_dir, st->chart, spec, &env, &cause) != 0)
			rc = fail(EXIT_DATA, cause);
		if (rc == EXIT_OK)
			watch_files(st, &env);
	} else {
		if (st->opts.watch)
			status_update(st, &pl); /* a window's first title */
		rc = write_outputs(st, &pl, &env);
	}
	if (rc == EXIT_OK && st->opts.watch)
		rc = watch(st, &pl, &env);
	return rc != EXIT_OK ? rc : failed;
}

/* --batch: the manifest's lines parsed, and what they own. */
struct manifest_run {
	const char *name;          /* the manifest as given ("stdin" for -) */
	struct manifest m;
	char ***argvs;             /* per line: the command line then its words */
	struct options *opts;      /* per line */
	struct batch_line *lines;  /* of the lines that parsed */
	size_t nlines;
	size_t n;                  /* lines parsed (or not) */
	char **owned;              /* resolved paths and messages' places */
	size_t nowned, capowned;
	bool progress;             /* a progress line is on stderr */
};

/* Keeps S until the batch ends; returns it. */
static char *keep(struct manifest_run *mr, char *s)
{
	if (mr->nowned == mr->capowned) {
		mr->capowned = mr->capowned ? 2 * mr->capowned : 64;
		mr->owned = xreallocarray(mr->owned, mr->capowned, sizeof *mr->owned);
	}
	return mr->owned[mr->nowned++] = s;
}

/* Frees what the manifest's lines hold. */
static void manifest_run_free(struct manifest_run *mr)
{
	for (size_t i = 0; i < mr->n; i++) {
		options_free(&mr->opts[i]);
		free(mr->argvs[i]);
	}
	free(mr->argvs);
	free(mr->opts);
	free(mr->lines);
	for (size_t i = 0; i < mr->nowned; i++)
		free(mr->owned[i]);
	free(mr->owned);
	manifest_free(&mr->m);
}

/* Parses entry E of the manifest as ARGV's defaults followed by its words
 * into line I, its paths resolved against DIR.  Returns 0, or -1 after
 * saying "MANIFEST:LINE:COL: what". */
static int parse_line(struct manifest_run *mr, size_t i, const struct manifest_entry *e, int argc,
		      char **argv, const char *dir)
{
	/* The parsed command line (argp may reorder it), then, after its NULL,
	 * what a report shows: the program, the defaults given with --batch
	 * (but the options for the whole run) and the line's words, in order. */
	size_t all = (size_t)argc + e->nwords + 1;
	char **v = xcalloc(2 * all + 1, sizeof *v);
	char **shown = v + all;
	/* A "--" of the command line (it ended its options, and it has no
	 * JOB) is not a default: it would make every word of a line a JOB. */
	int nd = 0;
	for (int k = 0; k < argc; k++)
		if (k == 0 || strcmp(argv[k], "--") != 0)
			v[nd++] = argv[k];
	for (size_t k = 0; k < e->nwords; k++)
		v[(size_t)nd + k] = e->words[k].text;
	mr->argvs[i] = v;
	struct options *o = &mr->opts[i];
	char *cause = NULL;
	if (options_parse_line(nd + (int)e->nwords, v, nd, o, &cause) != 0) {
		const struct manifest_word *w = &e->words[0];
		if (o->bad_arg >= nd)
			w = &e->words[o->bad_arg - nd];
		diag_error("%s:%zu:%zu: %s", mr->name, w->line, w->col, cause);
		free(cause);
		return -1;
	}
	for (size_t k = 0; k < o->njobs; k++) {
		const char *was = o->jobs[k];
		o->jobs[k] = keep(mr, batch_job(dir, o->jobs[k]));
		/* --baseline names a JOB as written: the same JOB, resolved */
		if (o->spec.baseline && strcmp(o->spec.baseline, was) == 0)
			o->spec.baseline = o->jobs[k];
	}
	for (size_t k = 0; k < o->noutputs; k++)
		o->outputs[k] = keep(mr, batch_path(dir, o->outputs[k]));
	o->spec.output = o->noutputs ? o->outputs[0] : NULL;
	if (o->spec.data_dir)
		o->spec.data_dir = keep(mr, batch_path(dir, o->spec.data_dir));
	if (o->spec.summary_output)
		o->spec.summary_output = keep(mr, batch_path(dir, o->spec.summary_output));
	if (o->spec.report)
		o->spec.report = keep(mr, batch_path(dir, o->spec.report));
	struct batch_line *l = &mr->lines[mr->nlines++];
	l->spec = &o->spec;
	size_t n = 0;
	shown[n++] = v[0];
	for (int k = 1; k < nd; k++)
		if (!o->wide_words || !o->wide_words[k])
			shown[n++] = v[k];
	for (size_t k = 0; k < e->nwords; k++)
		shown[n++] = e->words[k].text;
	l->argv = shown; /* run in the manifest's directory */
	l->argc = n;
	l->where = keep(mr, xasprintf("%s:%zu", mr->name, e->line));
	return 0;
}

/* --batch's messages. */
static void batch_say(void *ctx, enum batch_say what, const char *msg)
{
	struct manifest_run *mr = ctx;
	if (what == BATCH_WROTE || (what == BATCH_WARNING && diag_quiet))
		return;
	if (mr->progress)
		fputs("\r\033[K", stderr);
	if (what == BATCH_ERROR)
		diag_error("%s", msg);
	else
		diag_warn("%s", msg);
}

/* --batch -v: each output written. */
static void batch_say_verbose(void *ctx, enum batch_say what, const char *msg)
{
	if (what == BATCH_WROTE) {
		struct manifest_run *mr = ctx;
		if (mr->progress)
			fputs("\r\033[K", stderr);
		char *p = text_sanitize(msg, strlen(msg), TEXT_MAX_CHARS, "(empty)");
		diag_note("wrote %s", p);
		free(p);
		return;
	}
	batch_say(ctx, what, msg);
}

/* Seconds since START. */
static double since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static struct timespec batch_start;

/* --batch on a terminal: one line of progress on stderr. */
static void batch_progress(void *ctx, const struct batch_stats *bs)
{
	struct manifest_run *mr = ctx;
	mr->progress = true;
	fprintf(stderr, "\r\033[K%zu job%s read; charts %zu/%zu, %zu failed; %.1f s", bs->jobs,
		bs->jobs == 1 ? "" : "s", bs->done, bs->lines, bs->failed, since(&batch_start));
	fflush(stderr);
}

/* --index FILE: the page linking every line's outputs.  Returns 0 or -1
 * (said). */
static int batch_index(const struct manifest_run *mr, const struct batch *b, const char *path)
{
	struct index_entry *e = xcalloc(mr->nlines + 1, sizeof *e);
	for (size_t i = 0; i < mr->nlines; i++) {
		const struct compare_spec *spec = mr->lines[i].spec;
		e[i].title = spec->title;
		e[i].where = mr->lines[i].where;
		e[i].outputs = spec->outputs;
		e[i].noutputs = spec->noutputs;
		e[i].data_dir = spec->data_dir;
		e[i].summary_file = spec->summary_output;
		e[i].report = spec->report;
		e[i].status = batch_line_status(b, i);
		e[i].summary = batch_line_summary(b, i);
	}
	char *cause = NULL;
	int rc = index_write(path, e, mr->nlines, &cause);
	free(e);
	if (rc != 0) {
		diag_error("%s", cause);
		free(cause);
	}
	return rc;
}

/* --batch MANIFEST: every line's comparison.  Returns the exit status. */
static int run_batch(struct state *st, int argc, char **argv)
{
	struct options *o = &st->opts;
	clock_gettime(CLOCK_MONOTONIC, &batch_start);
	struct manifest_run mr;
	memset(&mr, 0, sizeof mr);
	/* Every message names the manifest: made safe once. */
	const char *given = strcmp(o->batch, "-") == 0 ? "stdin" : o->batch;
	mr.name = keep(&mr, text_sanitize(given, strlen(given), TEXT_MAX_CHARS, "(empty)"));
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	if (manifest_read(o->batch, &text, &len, &cause) != 0) {
		manifest_run_free(&mr);
		return fail(EXIT_USAGE, cause);
	}
	int rc = manifest_parse(text, len, &mr.m, &cause);
	free(text);
	if (rc != 0) {
		diag_error("%s:%s", mr.name, cause);
		free(cause);
		manifest_run_free(&mr);
		return EXIT_USAGE;
	}
	/* --shard K/N: every N-th comparison, starting with the K-th. */
	size_t step = o->shard_n ? (size_t)o->shard_n : 1, first = o->shard_n ? (size_t)o->shard_k - 1 : 0;
	size_t nsel = mr.m.n > first ? (mr.m.n - first + step - 1) / step : 0;
	mr.argvs = xcalloc(nsel + 1, sizeof *mr.argvs);
	mr.opts = xcalloc(nsel + 1, sizeof *mr.opts);
	mr.lines = xcalloc(nsel + 1, sizeof *mr.lines);
	char *dir = manifest_dir(o->batch);
	size_t errors = 0;
	for (size_t i = 0; i < nsel; i++) {
		mr.n = i + 1;
		errors += parse_line(&mr, i, &mr.m.entries[first + i * step], argc, argv, dir) != 0;
	}
	free(dir);
	struct render_env env;
	struct compare_spec files = { .output = o->batch };
	read_env(&env, &files);
	st->cache = cache_new(&o->fetch);
	long pool = o->pool ? o->pool : sysconf(_SC_NPROCESSORS_ONLN);
	struct batch_config cfg = {
		.pool = pool < 1 ? 1 : pool > 64 ? 64 : (int)pool,
		.newer = o->newer,
		.stdin_taken = strcmp(o->batch, "-") == 0,
		.env = &env,
		.fc = &o->fetch,
		.say = o->verbose ? batch_say_verbose : batch_say,
		.progress = isatty(STDERR_FILENO) && !o->quiet ? batch_progress : NULL,
		.ctx = &mr,
		.summary = !o->index ? SUMMARY_NONE : index_is_html(o->index) ? SUMMARY_TEXT : SUMMARY_MARKDOWN,
		.index = o->index,
		.manifest = strcmp(o->batch, "-") == 0 ? NULL : o->batch,
	};
	/* Every line's usage errors are said, then nothing is done. */
	struct batch *b = batch_new(mr.lines, mr.nlines, &cfg, st->cache);
	errors += batch_check(b);
	struct batch_stats bs;
	memset(&bs, 0, sizeof bs);
	if (errors) {
		rc = EXIT_USAGE;
	} else {
		if (cfg.progress)
			source_set_progress(progress_line, NULL);
		batch_load(b);
		bool any_id = false;
		for (size_t i = 0; i < cache_size(st->cache); i++) {
			const struct cache_entry *e = cache_entry_at(st->cache, i);
			any_id |= e->status == EXIT_OK && e->kind == SOURCE_JOBID;
		}
		if (any_id && joblist_fetch_quick(&o->fetch, &st->jl, &cause, &rc) == 0)
			st->have_jl = true;
		free(cause);
		rc = batch_write(b, st->have_jl ? &st->jl : NULL, &bs);
		if (o->index && batch_index(&mr, b, o->index) != 0 && rc == EXIT_OK)
			rc = EXIT_DATA;
		if (mr.progress)
			fputs("\r\033[K", stderr);
		if (!o->quiet)
			fprintf(stderr, "%zu chart%s written, %zu skipped, %zu failed in %.1f s\n", bs.written,
				bs.written == 1 ? "" : "s", bs.skipped, bs.failed, since(&batch_start));
	}
	batch_free(b);
	manifest_run_free(&mr);
	return rc;
}

/* Frees everything. */
static void state_free(struct state *st)
{
	gp_session_free(st->gnuplot);
	chart_free(st->chart);
	cache_free(st->cache);
	for (size_t i = 0; i < st->nids; i++)
		free(st->latest_ids[i]);
	free(st->latest_ids);
	free(st->job_colors);
	pins_free(st);
	for (size_t i = 0; i < st->ndats; i++)
		free(st->dats[i]);
	free(st->dats);
	for (size_t i = 0; i < st->nfailing; i++) {
		free(st->failing[i].key);
		free(st->failing[i].said);
	}
	free(st->failing);
	if (st->have_jl)
		joblist_free(&st->jl);
	if (st->have_watch_jl)
		joblist_free(&st->watch_jl);
	free(st->status);
	options_free(&st->opts);
	free(st->argv);
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
	st.argv = xcalloc((size_t)argc + 1, sizeof *st.argv);
	memcpy(st.argv, argv, (size_t)argc * sizeof *argv);
	st.argc = argc;
	cleanup_install_signals();
	options_parse(argc, argv, &st.opts);
	diag_quiet = st.opts.quiet;
	gnuplot_set_timeout(st.opts.gnuplot_timeout);
	/* Output files are finished whatever became of stdout's reader. */
	if (st.opts.spec.output || st.opts.spec.data_dir || st.opts.spec.report)
		cleanup_hold_sigpipe();
	if (st.opts.verbose) {
		http_set_log(verbose_line, NULL);
		render_set_log(verbose_line, NULL);
	}
	colmap_set_aliases((const char *const *)st.opts.alias_from,
			   (const char *const *)st.opts.alias_to, st.opts.naliases);
	int rc = -1;
	if (st.opts.batch) {
		cleanup_hold_sigpipe();
		rc = run_batch(&st, argc, argv);
	} else if (st.opts.list_jobs || st.opts.latest) {
		rc = use_joblist(&st);
	}
	if (rc < 0)
		rc = compare(&st);
	state_free(&st);
	return rc;
}
