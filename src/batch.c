/* batch.c: many comparisons in one process (see batch.h). */
#include "config.h"

#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "gnuplot.h"
#include "gpscript.h"
#include "http.h"
#include "outplan.h"
#include "reader.h"
#include "report.h"
#include "source.h"
#include "text.h"
#include "util.h"

/* What becomes of one line. */
struct line_state {
	struct render_plan *plans; /* one per -o output */
	bool skip;          /* --newer: up to date */
	bool bad;           /* a usage error */
	bool failed;        /* an output failed, or its jobs */
	bool submitted;     /* every output is written or in the pool */
	size_t pending;     /* outputs the pool still draws */
	bool finished;
	char *summary;      /* cfg->summary: the summary table */
};

/* A chart being drawn by one gnuplot of the pool. */
struct slot {
	struct gp_session *s;
	bool busy;
	size_t line;        /* whose */
	struct render_plan pl;
	struct atomic_out ao;
	char *target;       /* how gnuplot opens ao's file (atomic_fd_path) */
	char *script;       /* the chart's script, a private temporary file
	                       gnuplot loads (removed once drawn), or NULL */
};

static void drop_script(struct slot *sl);

struct batch {
	const struct batch_line *lines;
	size_t n;
	const struct batch_config *cfg;
	struct run_cache *cache;
	struct line_state *ls;
	struct slot *slots;
	size_t nslots, next_slot;
	const char *warmup_terminal;
	const struct cache_entry **warned; /* entries whose warnings were said */
	size_t nwarned;
	struct batch_stats st;
	int rc;
	struct newer_memo {  /* --newer: each input looked at once */
		char *path;
		bool ok;
		struct timespec newest;
	} *memo;
	size_t nmemo;
};

/* Says one message "WHERE: ..." (WHERE may be NULL). */
static void say(struct batch *b, enum batch_say what, const char *where, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
static void say(struct batch *b, enum batch_say what, const char *where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *line = where ? xasprintf("%s: %s", where, msg) : msg;
	b->cfg->say(b->cfg->ctx, what, line);
	if (line != msg)
		free(line);
	free(msg);
}

/* User text made safe for a message, any URL's password removed (malloc'd). */
static char *shown(const char *s)
{
	char *r = http_redact(s);
	char *t = text_sanitize(r, strlen(r), TEXT_MAX_CHARS, "(empty)");
	free(r);
	return t;
}

char *batch_path(const char *dir, const char *path)
{
	if (strcmp(dir, ".") == 0 || path[0] == '/' || strcmp(path, "-") == 0 || !*path)
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

/* True when PATH exists (any kind of file). */
static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

char *batch_job(const char *dir, const char *job)
{
	if (strcmp(dir, ".") == 0 || strcmp(job, "-") == 0 || strstr(job, "://") || job[0] == '/')
		return xstrdup(job);
	char *whole = batch_path(dir, job);
	if (exists(whole))
		return whole;
	free(whole);
	char *label = NULL, *target = NULL, *out = NULL;
	enum source_kind kind = source_classify(job, &label, &target);
	if (target[0] != '/' && (kind == SOURCE_FILE || kind == SOURCE_JOBID)) {
		/* A word like a job id is a file when the manifest's directory
		 * has it, or it names a run in one (export.csv#RUN). */
		char *t = batch_path(dir, target);
		if (kind == SOURCE_FILE || exists(t) || reader_path_has_sel(t))
			out = label ? xasprintf("%s=%s", label, t) : xstrdup(t);
		free(t);
	}
	free(label);
	free(target);
	return out ? out : xstrdup(job);
}

struct batch *batch_new(const struct batch_line *lines, size_t n, const struct batch_config *cfg,
			struct run_cache *cache)
{
	struct batch *b = xcalloc(1, sizeof *b);
	b->lines = lines;
	b->n = n;
	b->cfg = cfg;
	b->cache = cache;
	b->ls = xcalloc(n ? n : 1, sizeof *b->ls);
	b->st.lines = n;
	return b;
}

void batch_free(struct batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nslots; i++) {
		if (b->slots[i].busy)
			atomic_abort(&b->slots[i].ao);
		free(b->slots[i].target);
		gp_session_free(b->slots[i].s);
		drop_script(&b->slots[i]);
	}
	free(b->slots);
	for (size_t i = 0; i < b->n; i++) {
		free(b->ls[i].plans);
		free(b->ls[i].summary);
	}
	free(b->ls);
	free(b->warned);
	for (size_t i = 0; i < b->nmemo; i++)
		free(b->memo[i].path);
	free(b->memo);
	free(b);
}

/* ------------------------------------------------------------ --newer */

/* Raises *NEWEST to T. */
static void raise_to(struct timespec *newest, const struct timespec *t)
{
	if (t->tv_sec > newest->tv_sec || (t->tv_sec == newest->tv_sec && t->tv_nsec > newest->tv_nsec))
		*newest = *t;
}

/* The newest modification time under PATH into *NEWEST: PATH's own, and
 * a directory's files DEPTH levels down, as deep as the readers look
 * (READER_DIR_DEPTH).  Below TOP only real directories are entered, as
 * the readers do (a link loop is never followed); a link's time is its
 * target's, and a file that vanishes meanwhile (a logger's temporary
 * file) is no change.  False when PATH cannot be read. */
static bool newest_under(const char *path, int depth, bool top, struct timespec *newest)
{
	struct stat sb;
	if ((top ? stat(path, &sb) : lstat(path, &sb)) != 0)
		return !top && errno == ENOENT;
	bool descend = S_ISDIR(sb.st_mode);
	if (S_ISLNK(sb.st_mode)) {
		struct stat t;
		if (stat(path, &t) == 0)
			sb = t;
		descend = false;
	}
	raise_to(newest, &sb.st_mtim);
	if (!descend || depth == 0)
		return true;
	DIR *d = opendir(path);
	if (!d)
		return !top && errno == ENOENT;
	bool ok = true;
	struct dirent *de;
	while (ok && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *sub = xasprintf("%s/%s", path, de->d_name);
		ok = newest_under(sub, depth - 1, false, newest);
		free(sub);
	}
	closedir(d);
	return ok;
}

/* newest_under(PATH) for a JOB's file or directory, looked at once per
 * batch however many lines name it.  False when it cannot be read. */
static bool input_newest(struct batch *b, const char *path, struct timespec *newest)
{
	for (size_t i = 0; i < b->nmemo; i++)
		if (strcmp(b->memo[i].path, path) == 0) {
			raise_to(newest, &b->memo[i].newest);
			return b->memo[i].ok;
		}
	struct newer_memo m = { .path = xstrdup(path) };
	m.ok = newest_under(path, READER_DIR_DEPTH + 1, true, &m.newest);
	/* An SQLite file in WAL mode (MLflow's mlflow.db) takes its commits
	 * in PATH-wal, and the file itself changes only at a checkpoint.
	 * (In a directory, the -wal file is one of its files.) */
	struct stat sb;
	if (m.ok && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		char *wal = xasprintf("%s-wal", path);
		(void)newest_under(wal, 0, false, &m.newest);
		free(wal);
	}
	b->memo = xreallocarray(b->memo, b->nmemo + 1, sizeof *b->memo);
	b->memo[b->nmemo++] = m;
	raise_to(newest, &m.newest);
	return m.ok;
}

/* Lowers *OLDEST to PATH's modification time; false when PATH is missing. */
static bool oldest_of(const char *path, struct timespec *oldest)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return false;
	if (sb.st_mtim.tv_sec < oldest->tv_sec ||
	    (sb.st_mtim.tv_sec == oldest->tv_sec && sb.st_mtim.tv_nsec < oldest->tv_nsec))
		*oldest = sb.st_mtim;
	return true;
}

/* --newer: every output of SPEC exists and is newer than every one of its
 * inputs, which are all local files or directories. */
static bool up_to_date(struct batch *b, const struct compare_spec *spec)
{
	struct timespec oldest = { .tv_sec = (time_t)1 << 62 }, newest = { 0, 0 };
	bool ok = true;
	struct out_plan op;
	outplan_of(spec, false, &op);
	for (size_t i = 0; ok && i < op.n; i++)
		if (op.v[i].kind == OUT_FILE)
			ok = oldest_of(op.v[i].path, &oldest);
	outplan_free(&op);
	for (size_t i = 0; ok && i < spec->njobs; i++) {
		char *label = NULL, *target = NULL;
		ok = source_classify(spec->jobs[i], &label, &target) == SOURCE_FILE;
		if (ok) {
			/* FILE#RUN (a W&B export's run, mlflow.db#RUN): FILE */
			struct stat sb;
			char *file = stat(target, &sb) != 0 ? reader_path_file(target) : NULL;
			ok = input_newest(b, file ? file : target, &newest);
			free(file);
		}
		free(label);
		free(target);
	}
	return ok && (newest.tv_sec < oldest.tv_sec ||
		      (newest.tv_sec == oldest.tv_sec && newest.tv_nsec < oldest.tv_nsec));
}

/* ------------------------------------------------------------ checks */

/* Usage errors of line I; its plans.  Returns the number of errors. */
static size_t check_line(struct batch *b, size_t i)
{
	const struct compare_spec *spec = b->lines[i].spec;
	const char *where = b->lines[i].where;
	struct line_state *ls = &b->ls[i];
	struct panel_set ps;
	const char *option;
	char *cause = NULL;
	if (compare_panels(spec, &ps, &option, &cause) != 0) {
		say(b, BATCH_ERROR, where, "%s: %s", option, cause);
		free(cause);
		return 1;
	}
	panel_set_free(&ps);
	ls->plans = xcalloc(spec->noutputs ? spec->noutputs : 1, sizeof *ls->plans);
	size_t errors = 0;
	for (size_t k = 0; k < spec->noutputs; k++) {
		struct compare_spec one = *spec;
		one.output = spec->outputs[k];
		if (render_plan(&one, b->cfg->env, &ls->plans[k], &cause) != 0) {
			say(b, BATCH_ERROR, where, "%s", cause);
			free(cause);
			errors++;
		}
	}
	for (size_t k = 0; k < spec->njobs && b->cfg->stdin_taken; k++) {
		char *label = NULL, *target = NULL;
		if (source_classify(spec->jobs[k], &label, &target) == SOURCE_STDIN) {
			say(b, BATCH_ERROR, where, "-: standard input holds the manifest");
			errors++;
		}
		free(label);
		free(target);
	}
	return errors;
}

/* An output of a line (OPS[i]) that is a JOB's file of any line, or the
 * manifest: it would replace what the batch reads (and the next run's
 * charts would be drawn from a chart or a table). */
static size_t check_inputs(struct batch *b, const struct out_plan *ops)
{
	size_t errors = 0;
	struct out_plan *ins = xcalloc(b->n + 1, sizeof *ins);
	struct outplan_index *idx = outplan_index_new();
	for (size_t j = 0; j < b->n; j++) {
		outplan_inputs_of(b->lines[j].spec, &ins[j]);
		outplan_index_add(idx, &ins[j], j);
	}
	if (b->cfg->manifest) {
		outplan_add_file(&ins[b->n], b->cfg->manifest, "--batch");
		free(ins[b->n].v[0].who);
		ins[b->n].v[0].who = xstrdup("the manifest");
		outplan_index_add(idx, &ins[b->n], b->n);
	}
	for (size_t i = 0; i < b->n; i++) {
		/* The first line (the manifest last) reading one of line I's
		 * outputs, the first such output. */
		const struct out_file *out = NULL, *in = NULL;
		size_t by = SIZE_MAX;
		for (size_t k = 0; k < ops[i].n && !b->ls[i].bad; k++) {
			size_t j;
			const struct out_file *f = ops[i].v[k].kind == OUT_DIR ? NULL
						   : outplan_index_find(idx, &ops[i].v[k], &j);
			if (f && j < by) {
				out = &ops[i].v[k];
				in = f;
				by = j;
			}
		}
		if (!in)
			continue;
		char *p = shown(out->kind == OUT_DATS ? in->path : out->path);
		if (by == i || by == b->n)
			say(b, BATCH_ERROR, b->lines[i].where, "%s: it is %s", p, in->who);
		else
			say(b, BATCH_ERROR, b->lines[i].where, "%s: it is %s of %s", p, in->who,
			    b->lines[by].where);
		free(p);
		b->ls[i].bad = true;
		errors++;
	}
	outplan_index_free(idx);
	for (size_t j = 0; j <= b->n; j++)
		outplan_free(&ins[j]);
	free(ins);
	return errors;
}

/* An output written by two lines (or twice by one), or where --index
 * goes, is an error, however it is spelt (outplan_same), a Markdown
 * report's charts and -d's files included. */
static size_t check_collisions(struct batch *b)
{
	size_t errors = 0;
	struct out_plan *ops = xcalloc(b->n ? b->n : 1, sizeof *ops);
	/* Every line's files, found by key (outplan_index): thousands of
	 * lines are not compared two by two. */
	struct outplan_index *idx = outplan_index_new();
	for (size_t i = 0; i < b->n; i++) {
		outplan_of(b->lines[i].spec, false, &ops[i]);
		outplan_index_add(idx, &ops[i], i);
	}
	for (size_t i = 0; i < b->n; i++) {
		char *cause = NULL;
		if (!b->ls[i].bad && outplan_clash(&ops[i], &cause) != 0) {
			say(b, BATCH_ERROR, b->lines[i].where, "%s", cause);
			free(cause);
			b->ls[i].bad = true;
			errors++;
		}
		for (size_t k = 0; k < ops[i].n && !b->ls[i].bad; k++) {
			size_t j;
			if (outplan_index_find(idx, &ops[i].v[k], &j) && j < i) {
				char *p = shown(ops[i].v[k].path);
				say(b, BATCH_ERROR, b->lines[i].where, "%s: %s writes it too", p, b->lines[j].where);
				free(p);
				b->ls[i].bad = true;
				errors++;
			}
		}
	}
	outplan_index_free(idx);
	/* --index FILE is written last, over any line's output of that name. */
	struct out_plan idxf = { NULL, 0 };
	if (b->cfg->index)
		outplan_add_file(&idxf, b->cfg->index, "--index");
	for (size_t i = 0; i < b->n && idxf.n; i++)
		for (size_t k = 0; k < ops[i].n && !b->ls[i].bad; k++)
			if (outplan_same(&ops[i].v[k], &idxf.v[0])) {
				char *cause = outplan_clash_message(&ops[i].v[k], &idxf.v[0]);
				say(b, BATCH_ERROR, b->lines[i].where, "%s", cause);
				free(cause);
				b->ls[i].bad = true;
				errors++;
			}
	outplan_free(&idxf);
	errors += check_inputs(b, ops);
	for (size_t i = 0; i < b->n; i++)
		outplan_free(&ops[i]);
	free(ops);
	return errors;
}

/* Line I's outputs that cannot be written (a directory that is a file or
 * cannot be made): the line fails before its jobs are read; the others
 * are written. */
static bool check_writable(struct batch *b, size_t i)
{
	struct out_plan op;
	char *cause = NULL;
	outplan_of(b->lines[i].spec, false, &op);
	bool ok = outplan_check(&op, true, &cause) == 0;
	outplan_free(&op);
	if (!ok) {
		say(b, BATCH_ERROR, b->lines[i].where, "%s", cause);
		free(cause);
		b->ls[i].failed = true;
	}
	return ok;
}

size_t batch_check(struct batch *b)
{
	size_t errors = 0;
	for (size_t i = 0; i < b->n; i++) {
		size_t e = check_line(b, i);
		b->ls[i].bad = e > 0;
		errors += e;
	}
	errors += check_collisions(b);
	if (errors)
		return errors;
	for (size_t i = 0; i < b->n; i++) {
		const struct compare_spec *spec = b->lines[i].spec;
		if (!check_writable(b, i))
			continue;
		if (b->cfg->newer && up_to_date(b, spec)) {
			b->ls[i].skip = true;
			continue;
		}
		size_t bad;
		int status;
		char *cause = NULL;
		if (compare_add_jobs(spec, b->cache, b->cfg->fc, &bad, &cause, &status) != 0) {
			char *j = shown(spec->jobs[bad]);
			say(b, BATCH_ERROR, b->lines[i].where, "%s: %s", j, cause);
			free(j);
			free(cause);
			errors++;
		}
		for (size_t k = 0; k < spec->noutputs && !b->warmup_terminal; k++)
			if (b->ls[i].plans[k].mode == CHART_RENDER_FILE)
				b->warmup_terminal = b->ls[i].plans[k].terminal;
	}
	return errors;
}

/* ------------------------------------------------------------ the pool */

void batch_load(struct batch *b)
{
	if (b->warmup_terminal) {
		gnuplot_probe_start();
		b->nslots = (size_t)(b->cfg->pool > 0 ? b->cfg->pool : 1);
		b->slots = xcalloc(b->nslots, sizeof *b->slots);
		char *warmup = gpscript_warmup(b->warmup_terminal);
		for (size_t i = 0; i < b->nslots; i++) {
			char *cause = NULL;
			b->slots[i].s = gp_session_start(warmup, &cause);
			free(cause); /* drawing starts one again and says why it cannot */
		}
		free(warmup);
	}
	cache_load(b->cache);
	b->st.jobs = cache_size(b->cache);
}

/* Line I is done when all its outputs are: counted, and progress said. */
static void line_done(struct batch *b, size_t i)
{
	struct line_state *ls = &b->ls[i];
	if (ls->finished || !ls->submitted || ls->pending)
		return;
	ls->finished = true;
	if (ls->skip)
		b->st.skipped++;
	else if (ls->failed)
		b->st.failed++;
	else
		b->st.written++;
	b->st.done++;
	if (ls->failed && b->rc == EXIT_OK)
		b->rc = EXIT_DATA;
	if (b->cfg->progress)
		b->cfg->progress(b->cfg->ctx, &b->st);
}

/* Says gnuplot's WARNINGS for line I (and frees them). */
static void gnuplot_warnings(struct batch *b, size_t i, char *warnings)
{
	if (warnings) {
		char *w = text_sanitize(warnings, strlen(warnings), 2000, "");
		say(b, BATCH_WARNING, b->lines[i].where, "gnuplot: %s", w);
		free(w);
	}
	free(warnings);
}

/* Removes the script file slot SL's gnuplot loaded, if any. */
static void drop_script(struct slot *sl)
{
	render_script_remove(sl->script);
	sl->script = NULL;
}

/* Waits for the chart slot SL draws, then commits or removes its file. */
static void slot_finish(struct batch *b, struct slot *sl)
{
	if (!sl->busy)
		return;
	sl->busy = false;
	char *warnings = NULL, *cause = NULL;
	int rc = gp_session_sync(sl->s, &warnings, &cause);
	if (rc == 0)
		rc = render_file_check(&sl->pl, sl->target, &cause);
	free(sl->target);
	sl->target = NULL;
	drop_script(sl);
	if (rc == 0)
		rc = atomic_commit(&sl->ao, &cause);
	else
		atomic_abort(&sl->ao);
	struct line_state *ls = &b->ls[sl->line];
	if (rc == 0) {
		gnuplot_warnings(b, sl->line, warnings);
		b->cfg->say(b->cfg->ctx, BATCH_WROTE, sl->pl.output);
	} else {
		free(warnings);
		char *o = shown(sl->pl.output);
		/* gnuplot_run's causes name no file; atomic_commit's do. */
		if (strncmp(cause, sl->pl.output, strlen(sl->pl.output)) == 0)
			say(b, BATCH_ERROR, b->lines[sl->line].where, "%s", cause);
		else
			say(b, BATCH_ERROR, b->lines[sl->line].where, "%s: %s", o, cause);
		free(o);
		free(cause);
		ls->failed = true;
		/* A gnuplot that failed has ended: the next chart starts another. */
		gp_session_free(sl->s);
		sl->s = NULL;
	}
	ls->pending--;
	line_done(b, sl->line);
}

/* Hands the chart CH of line I, output plan PL, to the pool.  Returns 0,
 * or -1 with *cause when it could not be started. */
static int pool_draw(struct batch *b, size_t i, const struct render_plan *pl, const struct chart *ch,
		     char **cause)
{
	if (gnuplot_check(cause) != 0)
		return -1;
	if (!gnuplot_has_terminal(pl->terminal)) {
		char *t = shown(pl->terminal);
		*cause = xasprintf("%s: this gnuplot has no '%s' terminal", pl->output, t);
		free(t);
		return -1;
	}
	struct slot *sl = &b->slots[b->next_slot];
	b->next_slot = (b->next_slot + 1) % b->nslots;
	slot_finish(b, sl);
	if (!sl->s && (sl->s = gp_session_start(NULL, cause)) == NULL)
		return -1;
	if (atomic_open(&sl->ao, pl->output, cause) != 0)
		return -1;
	struct gp_emit e;
	render_emit(pl, b->lines[i].spec, b->cfg->env, &e);
	sl->target = atomic_fd_path(&sl->ao);
	e.output = sl->target;
	/* The script goes into a file gnuplot loads, not down its pipe: the
	 * pipe would hold us until this gnuplot had read all of it, and the
	 * other gnuplots would wait for their next chart meanwhile. */
	FILE *fp = gp_session_script(sl->s);
	char *why = NULL;
	if (render_script_file(ch, &e, b->cfg->env->tmpdir, &sl->script, &why) == 0) {
		char *q = text_gp_quote(sl->script);
		if (fp)
			fprintf(fp, "load %s\n", q);
		free(q);
	} else {
		/* No temporary file (or a short write: the disk is full): the
		 * script goes down the pipe instead. */
		free(why);
		drop_script(sl);
		if (fp)
			gpscript_write(fp, ch, &e);
	}
	if (fp)
		fflush(fp); /* gnuplot draws while the next chart is made */
	sl->pl = *pl;
	sl->line = i;
	sl->busy = true;
	b->ls[i].pending++;
	return 0;
}

/* ------------------------------------------------------------ writing */

/* Says what failed among line I's jobs, and each source's warnings once.
 * Returns the line's status (EXIT_OK, EXIT_DATA, EXIT_FETCH). */
static int line_jobs(struct batch *b, size_t i, size_t *with_data, size_t *loaded)
{
	const struct compare_spec *spec = b->lines[i].spec;
	int rc = EXIT_OK;
	*with_data = *loaded = 0;
	for (size_t j = 0; j < spec->njobs; j++) {
		size_t nr;
		struct job_run *jr = compare_job_runs(b->cache, spec->jobs[j], &nr);
		for (size_t k = 0; k < nr; k++) {
			const struct cache_entry *e = jr[k].entry;
			if (e->status != EXIT_OK) {
				char *a = shown(jr[k].rel ? jr[k].job : spec->jobs[j]);
				say(b, BATCH_ERROR, b->lines[i].where, "%s: %s", a, e->error ? e->error : "failed");
				free(a);
				if (e->status == EXIT_FETCH || rc == EXIT_OK)
					rc = e->status;
				continue;
			}
			(*loaded)++;
			*with_data += e->run->nrows > 0;
			bool seen = jr[k].rel && e->run->nrows == 0;
			for (size_t w = 0; w < b->nwarned; w++)
				seen |= b->warned[w] == e;
			if (!seen) {
				size_t nw;
				char **w = run_warnings(e->run, &nw);
				for (size_t m = 0; m < nw; m++) {
					say(b, BATCH_WARNING, b->lines[i].where, "%s", w[m]);
					free(w[m]);
				}
				free(w);
				b->warned = xreallocarray(b->warned, b->nwarned + 1, sizeof *b->warned);
				b->warned[b->nwarned++] = e;
			}
		}
		free(jr);
	}
	return rc;
}

/* Builds line I's chart for TARGET; says why not.  NULL on failure. */
static struct chart *build(struct batch *b, size_t i, const struct joblist *jl,
			   const struct chart_target *target, bool first)
{
	struct chart *ch = NULL;
	char *cause = NULL;
	if (compare_build(b->lines[i].spec, b->cache, jl, target, &ch, &cause) != 0) {
		say(b, BATCH_ERROR, b->lines[i].where, "%s", cause);
		free(cause);
		return NULL;
	}
	for (size_t w = 0; first && w < ch->nwarnings; w++)
		say(b, BATCH_WARNING, b->lines[i].where, "%s", ch->warnings[w]);
	const char *base = b->lines[i].spec->baseline;
	if (base && render_baseline(ch, base) < 0) {
		char *shown_base = shown(base);
		say(b, BATCH_ERROR, b->lines[i].where, "--baseline: '%s' was not read", shown_base);
		free(shown_base);
		chart_free(ch);
		return NULL;
	}
	return ch;
}

/* --summary-output and -d of line I (drawn on the chart CH). */
static void write_files(struct batch *b, size_t i, const struct chart *ch)
{
	const struct compare_spec *spec = b->lines[i].spec;
	const char *where = b->lines[i].where;
	struct line_state *ls = &b->ls[i];
	char *cause = NULL;
	if (spec->summary_output) {
		struct atomic_out ao;
		if (atomic_open(&ao, spec->summary_output, &cause) == 0) {
			render_summary_baseline(ao.fp, ch, spec->summary, 0,
						spec->baseline ? render_baseline(ch, spec->baseline) : -1);
			if (atomic_commit(&ao, &cause) == 0)
				b->cfg->say(b->cfg->ctx, BATCH_WROTE, spec->summary_output);
		}
		if (cause) {
			say(b, BATCH_ERROR, where, "%s", cause);
			free(cause);
			cause = NULL;
			ls->failed = true;
		}
	}
	if (spec->data_dir) {
		if (render_data_dir(spec->data_dir, ch, spec, b->cfg->env, &cause) == 0) {
			b->cfg->say(b->cfg->ctx, BATCH_WROTE, spec->data_dir);
		} else {
			say(b, BATCH_ERROR, where, "%s", cause);
			free(cause);
			ls->failed = true;
		}
	}
}

/* --report of line I: its chart built for the report's SVGs, and the page
 * (its own gnuplot, not the pool's). */
static void write_report(struct batch *b, size_t i, const struct joblist *jl, bool first)
{
	const struct compare_spec *spec = b->lines[i].spec;
	struct panel_set ps;
	const char *option;
	char *cause = NULL, *warnings = NULL;
	if (compare_panels(spec, &ps, &option, &cause) != 0) { /* checked in check_line */
		say(b, BATCH_ERROR, b->lines[i].where, "%s: %s", option, cause);
		free(cause);
		b->ls[i].failed = true;
		return;
	}
	struct chart_target t = report_target(ps.npanels);
	panel_set_free(&ps);
	struct chart *ch = build(b, i, jl, &t, first);
	if (!ch) {
		b->ls[i].failed = true;
		return;
	}
	struct report_opts ro = {
		.argv = b->lines[i].argv,
		.argc = b->lines[i].argc,
		.generated = time(NULL),
		.jl = jl,
		.tmpdir = b->cfg->env->tmpdir,
		.images = spec->report_svg ? REPORT_IMAGES_SVG : REPORT_IMAGES_PNG,
	};
	if (report_write(spec->report, ch, spec, &ro, &warnings, &cause) == 0) {
		gnuplot_warnings(b, i, warnings);
		b->cfg->say(b->cfg->ctx, BATCH_WROTE, spec->report);
	} else {
		free(warnings);
		say(b, BATCH_ERROR, b->lines[i].where, "%s", cause);
		free(cause);
		b->ls[i].failed = true;
	}
	chart_free(ch);
}

/* Makes the missing directories above PATH (a manifest's "-o out/x.png"
 * needs no mkdir first); a failure shows when the file is opened. */
static void make_parents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(p, 0777);
		*s = '/';
	}
	free(p);
}

/* Line I: its jobs, then every output (the rendered ones into the pool). */
static void write_line(struct batch *b, size_t i, const struct joblist *jl)
{
	const struct compare_spec *spec = b->lines[i].spec;
	struct line_state *ls = &b->ls[i];
	size_t with_data, loaded;
	int jobs_rc = line_jobs(b, i, &with_data, &loaded);
	if (jobs_rc == EXIT_FETCH)
		b->rc = EXIT_FETCH;
	if ((jobs_rc != EXIT_OK && !spec->keep_going) || with_data == 0) {
		if (with_data == 0 && (jobs_rc == EXIT_OK || spec->keep_going)) {
			for (size_t k = 0; k < spec->njobs; k++) {
				char *empty = compare_job_empty(b->cache, spec->jobs[k]);
				if (empty)
					say(b, BATCH_WARNING, b->lines[i].where, "%s", empty);
				free(empty);
			}
			say(b, BATCH_ERROR, b->lines[i].where, "%s",
			    loaded ? "no job has any metrics" : "no job could be read");
		}
		ls->failed = true;
		return;
	}
	for (size_t k = 0; k < spec->noutputs; k++)
		make_parents(spec->outputs[k]);
	if (spec->summary_output)
		make_parents(spec->summary_output);
	if (spec->data_dir)
		make_parents(spec->data_dir);
	if (spec->report)
		make_parents(spec->report);
	bool first = true;
	if (b->cfg->summary != SUMMARY_NONE) {
		struct chart_target t = { .view = false };
		struct chart *ch = build(b, i, jl, &t, first);
		first = false;
		if (ch) {
			size_t len;
			FILE *mem = open_memstream(&ls->summary, &len);
			if (mem) {
				render_summary_baseline(mem, ch, b->cfg->summary, 0,
							spec->baseline ? render_baseline(ch, spec->baseline) : -1);
				fclose(mem);
			}
		}
		chart_free(ch);
	}
	if (spec->summary_output || spec->data_dir) {
		struct chart_target t = { .view = spec->data_dir != NULL };
		struct chart *ch = build(b, i, jl, &t, first);
		first = false;
		if (ch)
			write_files(b, i, ch);
		else
			ls->failed = true;
		chart_free(ch);
	}
	if (spec->report) {
		write_report(b, i, jl, first);
		first = false;
	}
	for (size_t k = 0; k < spec->noutputs; k++) {
		const struct render_plan *pl = &ls->plans[k];
		struct chart_target t = render_target(pl, false);
		struct chart *ch = build(b, i, jl, &t, first);
		first = false;
		if (!ch) {
			ls->failed = true;
			continue;
		}
		char *cause = NULL, *warnings = NULL;
		int rc;
		if (pl->mode == CHART_RENDER_FILE) {
			rc = pool_draw(b, i, pl, ch, &cause);
		} else {
			struct compare_spec one = *spec;
			one.output = pl->output;
			rc = render_chart(pl, ch, &one, b->cfg->env, NULL, &warnings, &cause);
			if (rc == 0) {
				gnuplot_warnings(b, i, warnings);
				b->cfg->say(b->cfg->ctx, BATCH_WROTE, pl->output);
			}
		}
		if (rc != 0) {
			say(b, BATCH_ERROR, b->lines[i].where, "%s", cause);
			free(cause);
			ls->failed = true;
		}
		chart_free(ch);
	}
}

const char *batch_line_status(const struct batch *b, size_t i)
{
	return b->ls[i].skip ? "skipped (up to date)" : b->ls[i].failed ? "failed" : NULL;
}

const char *batch_line_summary(const struct batch *b, size_t i)
{
	return b->ls[i].summary;
}

int batch_write(struct batch *b, const struct joblist *jl, struct batch_stats *st)
{
	b->rc = EXIT_OK;
	for (size_t i = 0; i < b->n; i++) {
		if (!b->ls[i].skip && !b->ls[i].failed)
			write_line(b, i, jl);
		b->ls[i].submitted = true;
		line_done(b, i);
	}
	for (size_t k = 0; k < b->nslots; k++)
		slot_finish(b, &b->slots[k]);
	*st = b->st;
	return b->rc;
}
