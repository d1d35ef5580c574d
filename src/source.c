/* source.c: see source.h.
 *
 * Local inputs (paths, stdin) are read by a few worker threads, each with
 * its own run and parser; network inputs are fetched on the calling thread
 * meanwhile, through http_fetch_all, parsing each body as it arrives.
 * Results land in the JOB's own slot, so their order never depends on
 * which finished first. */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "mlflow.h"
#include "reader.h"
#include "text.h"
#include "util.h"

#define SOURCE_MAX_THREADS 8   /* worker threads for local files, at most */
#define PROGRESS_AFTER 1.0     /* seconds of fetching before progress shows */

static void (*progress_fn)(void *ctx, const char *line);
static void *progress_ctx;

/* Sets the progress hook (see source.h). */
void source_set_progress(void (*fn)(void *ctx, const char *line), void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

/* True when S starts with a URL scheme we fetch. */
static bool is_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 ||
	       strncmp(s, "file://", 7) == 0 || mlflow_http_is(s);
}

/* True when PATH names something that exists (a dangling symlink counts:
 * opening it then reports the real problem). */
static bool path_exists(const char *path)
{
	struct stat st;
	return *path && lstat(path, &st) == 0;
}

/* True when T ends in a metrics file's extension (job ids never do). */
static bool file_like(const char *t)
{
	static const char *const exts[] = { ".json", ".jsonl", ".ndjson", ".txt", ".log" };
	size_t n = strlen(t);

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcasecmp(t + n - e, exts[i]) == 0)
			return true;
	}
	return false;
}

/* Classifies a target without a label: -, path, URL or job id.  A missing
 * path that holds '/' or ends in .json (.jsonl, .ndjson, .txt, .log) is
 * still a path, so a typo gets "No such file or directory" rather than a
 * fetch of job "runs.json". */
static enum source_kind classify_target(const char *t)
{
	if (strcmp(t, "-") == 0)
		return SOURCE_STDIN;
	if (path_exists(t))
		return SOURCE_FILE;
	if (!is_url(t) && reader_path_has_sel(t))
		return SOURCE_FILE; /* mlflow.db#RUN */
	if (is_url(t))
		return SOURCE_URL;
	if (*t == '\0' || strchr(t, '/') || file_like(t))
		return SOURCE_FILE;
	return SOURCE_JOBID;
}

/* Classifies ARG (see source.h). */
enum source_kind source_classify(const char *arg, char **label, char **target)
{
	const char *eq;

	*label = NULL;
	if (strcmp(arg, "-") != 0 && !path_exists(arg) && !is_url(arg) &&
	    (eq = strchr(arg, '=')) != NULL && eq != arg) {
		enum source_kind k = classify_target(eq + 1);

		/* "./runs/a=b" names a missing file, not label "./runs/a". */
		if (!(k == SOURCE_JOBID && memchr(arg, '/', (size_t)(eq - arg)))) {
			*label = xstrndup(arg, (size_t)(eq - arg));
			*target = xstrdup(eq + 1);
			return k;
		}
	}
	*target = xstrdup(arg);
	return classify_target(arg);
}

/* ------------------------------------------------------------ local files */

struct pool {
	struct source_job **jobs;    /* the local jobs */
	size_t n;
	size_t next;                 /* next job to take, under lock */
	pthread_mutex_t lock;
};

/* Reads one local input (a file, a directory or stdin) into its run. */
static void load_local(struct source_job *j)
{
	char *cause = NULL;
	struct stat st;
	int fd, rc;
	bool is_stdin = j->kind == SOURCE_STDIN;

	if (is_stdin) {
		fd = STDIN_FILENO;
	} else if ((rc = reader_load_path(j->run, j->target, &cause)) != 1) {
		/* A file read by its path (an SQLite store), or FILE#RUN. */
		if (rc < 0) {
			j->status = EXIT_DATA;
			j->error = cause;
		}
		return;
	} else {
		/* O_NONBLOCK would spoil FIFOs' blocking reads; a FIFO's open
		 * waits for its writer, which is what the user asked for. */
		fd = open(j->target, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			j->status = EXIT_DATA;
			j->error = xstrdup(strerror(errno));
			return;
		}
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		rc = reader_load_dir(j->run, j->target, &cause);
	else
		rc = reader_read_file(j->run, fd, is_stdin ? NULL : j->target, &cause);
	if (rc < 0) {
		j->status = EXIT_DATA;
		j->error = cause ? cause : xstrdup("read failed");
	}
	if (!is_stdin)
		close(fd);
}

/* Worker: takes jobs off the pool until none is left. */
static void *pool_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		load_local(p->jobs[i]);
	}
}

/* ---------------------------------------------------------------- network */

struct net_job {
	struct source_job *job;
	struct reader *reader;
};

/* http sink: feeds body bytes to the job's parser. */
static int net_sink(void *ctx, const void *buf, size_t len, char **cause)
{
	struct net_job *nj = ctx;

	return reader_feed(nj->reader, buf, len, cause);
}

/* http reset: a retry starts the job's run and parser over. */
static void net_reset(void *ctx)
{
	struct net_job *nj = ctx;
	struct run *fresh = run_new(nj->job->run->arg);

	reader_free(nj->reader);
	run_free(nj->job->run);
	nj->job->run = fresh;
	nj->reader = reader_new(fresh);
}

/* Builds the URL of job ID (see source.h). */
char *source_job_url(const struct fetch_config *opts, const char *id)
{
	const char *ep = opts->endpoint ? opts->endpoint : FETCH_DEFAULT_ENDPOINT;
	char *esc = http_escape(id), *url;
	struct buf b = { 0 };
	const char *p;

	buf_puts(&b, "");
	while ((p = strstr(ep, "{id}")) != NULL) {
		buf_append(&b, ep, (size_t)(p - ep));
		buf_puts(&b, esc);
		ep = p + 4;
	}
	buf_puts(&b, ep);
	free(esc);
	url = http_url_join(opts->url, b.data);
	buf_free(&b);
	return url;
}

/* Human size: "512 B", "3.4 kB", "12.0 MB". */
static void fmt_bytes(struct buf *b, size_t n)
{
	if (n < 1000)
		buf_printf(b, "%zu B", n);
	else if (n < 1000 * 1000)
		buf_printf(b, "%.1f kB", (double)n / 1e3);
	else
		buf_printf(b, "%.1f MB", (double)n / 1e6);
}

struct progress_state {
	struct net_job *jobs;
	bool shown;
};

/* http progress hook: after PROGRESS_AFTER seconds, one summary line. */
static void net_progress(void *ctx, const struct http_request *reqs, size_t n, double elapsed)
{
	struct progress_state *ps = ctx;
	struct buf b = { 0 };
	size_t ndone = 0;

	if (!progress_fn || elapsed < PROGRESS_AFTER)
		return;
	for (size_t i = 0; i < n; i++)
		ndone += reqs[i].done;
	buf_printf(&b, "fetching %zu job%s", n, n == 1 ? "" : "s");
	if (ndone)
		buf_printf(&b, " (%zu done)", ndone);
	buf_printf(&b, ", %.0f s:", elapsed);
	/* Only the jobs still coming: the line shrinks as they arrive. */
	for (size_t i = 0, shown = 0; i < n; i++) {
		struct net_job *nj = &ps->jobs[i];
		char *name;

		if (reqs[i].done)
			continue;
		name = text_sanitize(nj->job->run->arg, strlen(nj->job->run->arg), 12, "?");
		buf_printf(&b, "%s %s ", shown++ ? "," : "", name);
		fmt_bytes(&b, reqs[i].bytes);
		buf_printf(&b, " %zu rows", nj->job->run->nrows);
		free(name);
	}
	progress_fn(progress_ctx, b.data);
	ps->shown = true;
	buf_free(&b);
}

/* Fetches the network jobs JOBS[0..N) into their runs. */
static void load_network(const struct fetch_config *fc, struct source_job **jobs, size_t n)
{
	struct http_request *reqs = xcalloc(n, sizeof *reqs);
	struct net_job *nj = xcalloc(n, sizeof *nj);
	char **urls = xcalloc(n, sizeof *urls);
	struct progress_state ps = { nj, false };

	for (size_t k = 0; k < n; k++) {
		nj[k].job = jobs[k];
		nj[k].reader = reader_new(jobs[k]->run);
		urls[k] = jobs[k]->kind == SOURCE_JOBID ? source_job_url(fc, jobs[k]->target)
							: xstrdup(jobs[k]->target);
		reqs[k].url = urls[k];
		reqs[k].sink = net_sink;
		reqs[k].reset = net_reset;
		reqs[k].ctx = &nj[k];
		reqs[k].validators = jobs[k]->validators;
		reqs[k].if_none_match = jobs[k]->if_none_match;
		reqs[k].if_modified_since = jobs[k]->if_modified_since;
	}
	http_set_progress(progress_fn ? net_progress : NULL, &ps);
	http_fetch_all(reqs, n, fc);
	http_set_progress(NULL, NULL);
	if (ps.shown)
		progress_fn(progress_ctx, NULL);

	for (size_t k = 0; k < n; k++) {
		struct source_job *j = jobs[k];
		char *cause = NULL;

		j->etag = reqs[k].etag;
		j->last_modified = reqs[k].last_modified;
		j->not_modified = reqs[k].not_modified;
		if (reqs[k].status != EXIT_OK) {
			j->status = reqs[k].status;
			j->error = reqs[k].error;
			reqs[k].error = NULL;
		} else if (j->not_modified) {
			/* Nothing came: nothing to finish. */
		} else if (reader_finish(nj[k].reader, &cause) < 0) {
			j->status = EXIT_DATA;
			j->error = cause;
		}
		free(reqs[k].error);
		reader_free(nj[k].reader);
		free(urls[k]);
	}
	free(urls);
	free(nj);
	free(reqs);
}

/* The usage error of a source of KIND, or NULL (see source.h). */
const char *source_usage_problem(enum source_kind kind, const struct fetch_config *fc,
				 bool *stdin_taken)
{
	switch (kind) {
	case SOURCE_STDIN:
		/* Two readers of one stream would share it at random. */
		if (*stdin_taken)
			return "standard input (-) can be read only once";
		*stdin_taken = true;
		break;
	case SOURCE_JOBID:
		if (!fc->url || !*fc->url)
			return "no API URL: set TRCOMPARE_URL or --url";
		if (!http_is_api_url(fc->url))
			return HTTP_URL_NO_SCHEME;
		break;
	case SOURCE_FILE:
	case SOURCE_URL:
		break;
	}
	return NULL;
}

/* Reads every job (see source.h). */
void source_load(const struct fetch_config *fc, struct source_job *jobs, size_t n)
{
	size_t nlocal = 0, nnet = 0;
	struct source_job **local = xcalloc(n ? n : 1, sizeof *local);
	struct source_job **net = xcalloc(n ? n : 1, sizeof *net);
	struct source_job **mlflow = xcalloc(n ? n : 1, sizeof *mlflow);
	size_t nmlflow = 0;
	pthread_t threads[SOURCE_MAX_THREADS];
	size_t nthreads = 0;
	struct pool pool;

	for (size_t i = 0; i < n; i++) {
		struct source_job *j = &jobs[i];

		/* The run keeps the JOB as shown: no URL's password. */
		char *arg = http_redact(j->arg);
		j->run = run_new(arg);
		free(arg);
		j->status = EXIT_OK;
		j->error = NULL;
		if (j->kind == SOURCE_STDIN || j->kind == SOURCE_FILE)
			local[nlocal++] = j;
		else if (j->kind == SOURCE_URL && mlflow_http_is(j->target))
			mlflow[nmlflow++] = j;
		else
			net[nnet++] = j;
	}

	/* Local files on worker threads; the network on this thread meanwhile. */
	pool.jobs = local;
	pool.n = nlocal;
	pool.next = 0;
	pthread_mutex_init(&pool.lock, NULL);
	if (nlocal > 0) {
		/* A thread per file (up to SOURCE_MAX_THREADS), not per core:
		 * five equal files on two cores would otherwise take three
		 * rounds, the last on one core; the kernel shares the cores out
		 * so that all finish together. */
		size_t want = nlocal < SOURCE_MAX_THREADS ? nlocal : SOURCE_MAX_THREADS;
		/* With nothing to fetch, this thread is one of the workers. */
		if (nnet == 0 && nmlflow == 0)
			want--;
		for (size_t t = 0; t < want; t++) {
			if (pthread_create(&threads[nthreads], NULL, pool_worker, &pool) != 0)
				break;
			nthreads++;
		}
	}
	if (nnet > 0)
		load_network(fc, net, nnet);
	/* MLflow servers: a request per page, one after another. */
	for (size_t i = 0; i < nmlflow; i++) {
		struct source_job *j = mlflow[i];
		int status = EXIT_OK;
		/* The stamp of runs/get's answer stands in for an ETag. */
		struct mlflow_stamp st = { j->if_none_match, NULL, false };
		if (mlflow_http_load(j->run, j->target, fc, j->validators ? &st : NULL, &j->error, &status) < 0)
			j->status = status;
		/* The same run: as a 304, no validators come back. */
		j->not_modified = st.same;
		if (st.same)
			free(st.stamp);
		else
			j->etag = st.stamp;
	}
	pool_worker(&pool); /* help with (or do) what the threads have not taken */
	for (size_t t = 0; t < nthreads; t++)
		pthread_join(threads[t], NULL);
	pthread_mutex_destroy(&pool.lock);

	for (size_t i = 0; i < n; i++)
		run_finish(jobs[i].run);
	free(local);
	free(net);
	free(mlflow);
}
