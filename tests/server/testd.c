/* testd.c: the loopback test server for trcompare-plot (libmicrohttpd).
 *
 * Serves the training platform's API (../../shared docs: api.md) from a
 * directory of fixtures on 127.0.0.1 with an ephemeral port:
 *
 *   GET /api/training/local/{id}/metrics   DIR/{id}.json
 *   GET /api/training/metrics/{id}         the same (the trainer's route)
 *   GET /api/training/local/jobs?status=&limit=&offset=   DIR/jobs.json
 *   GET /api/training/jobs                 the same list, short form
 *
 * DIR/jobs.json is a JSON array of Job objects; without it the list is made
 * from the fixture names (one completed job per DIR/NAME.json, model name
 * NAME).  A job id can ask for a fault; NAME is a fixture:
 *
 *   delay-MS-NAME       answer NAME after MS milliseconds
 *   flaky429-K-NAME     K answers 429 (Retry-After: 1), then NAME
 *   flaky500-K-NAME     K answers 500, then NAME
 *   flakydrop-K-NAME    K dropped connections (half a body), then NAME
 *   status-CODE         CODE with the platform's JSON error body
 *   drop-NAME           half of NAME, then the connection is closed
 *   badjson             200 with invalid JSON on line 2
 *   truncated           200 with JSON cut short (complete HTTP body)
 *   huge-BYTES          200 with Content-Length BYTES of JSON padding
 *   hugechunked-BYTES   the same without Content-Length (chunked)
 *   redirect-NAME       302 to NAME's metrics on this origin
 *   xredirect-NAME      302 to NAME's metrics on http://localhost:PORT
 *                       (another origin: the token must not follow)
 *   redirectloop        302 to itself, forever
 *   html500             500 with an HTML body (no JSON error)
 *   login               200 with a login page (text/html, a <title>)
 *   bigerror-BYTES      400 with a JSON error body whose "error" and
 *                       "details" come after a BYTES-long "trace"
 *   empty               {"metrics": [], "message": "No metrics available yet"}
 *   unknown ids         404 {"error":"Job not found or unauthorized"}
 *
 * Options:
 *   --dir=DIR           fixtures (default .)
 *   --port-file=FILE    write the port there once listening (else stdout)
 *   --log=FILE          append each request: "METHOD PATH[?QUERY]" (status,
 *                       limit, offset first, then any other argument) and
 *                       its headers, one per line indented by a tab
 *   --token-file=FILE   require this token (Bearer or X-API-Key); else 401
 *   --delay=MS          delay every metrics answer
 *   --page-max=N        cap the job list's page size (to test pagination)
 *   --no-local-jobs     404 on /api/training/local/jobs (test the fallback)
 *   --list=MODE         a hostile job list: "bomb" (200 MB of empty objects
 *                       in one page), "nooffset" (offset ignored though
 *                       echoed, total 1000000), "dupids" (every job listed
 *                       twice), "endless" (new jobs j0, j1, ... at every
 *                       offset, total 1000000000), "bigpage" (100 jobs of
 *                       50 kB each), "bigjob" (one job of 100 kB)
 *   --list-delay=MS     delay every job list answer
 *   --prefix=PATH       serve the API under PATH ("/base": /base/api/...)
 *   --tls-cert=PEM --tls-key=PEM   serve HTTPS with this certificate
 *   --validators=MODE   metrics answers carry validators and answer 304
 *                       to a request holding the current one: "etag"
 *                       (ETag: a hash of the body; If-None-Match), "date"
 *                       (Last-Modified: the fixture file's mtime;
 *                       If-Modified-Since), or "both"
 *   --lifetime=S        exit after S seconds (default 600: a safety net for
 *                       tests; 0 = run until a signal)
 *
 * Requests in absolute form (GET http://host/path) are answered as if for
 * /path, so the server doubles as an HTTP proxy in front of itself.
 *
 * Runs until SIGTERM or SIGINT. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNTERS 256

static const char *fixture_dir = ".";
static char *token;
static FILE *logfp;
static long delay_ms;
static long page_max = 100;
static bool no_local_jobs;
static const char *list_mode = "";
static const char *validators = "";
static long list_delay_ms;
static const char *path_prefix = "";
static unsigned port;
static char *tls_cert, *tls_key;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Requests seen per path (for the flaky-K faults). */
static struct {
	char *path;
	long n;
} counters[MAX_COUNTERS];

/* Prints a message and exits 1. */
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("trcompare-testd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Sleeps MS milliseconds. */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* How many times PATH was requested before, counting this one. */
static long count_path(const char *path)
{
	long n = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < MAX_COUNTERS; i++) {
		if (!counters[i].path) {
			counters[i].path = strdup(path);
			n = counters[i].n = 1;
			break;
		}
		if (strcmp(counters[i].path, path) == 0) {
			n = ++counters[i].n;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return n;
}

/* Reads FILE whole; NULL when it cannot.  *len gets the size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0, got;

	if (!fp)
		return NULL;
	do {
		if (n + 65536 > cap) {
			cap = cap ? cap * 2 : 65536 * 2;
			data = realloc(data, cap + 1);
			if (!data)
				die("out of memory");
		}
		got = fread(data + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	data[n] = '\0';
	*len = n;
	return data;
}

/* True when NAME is a safe fixture name ([A-Za-z0-9._-], no leading dot). */
static bool safe_name(const char *name)
{
	if (!*name || *name == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

/* The fixture NAME's bytes, or NULL. */
static char *fixture(const char *name, size_t *len)
{
	char path[4096];

	if (!safe_name(name))
		return NULL;
	snprintf(path, sizeof path, "%s/%s.json", fixture_dir, name);
	return slurp(path, len);
}

/* Queues a response with BODY (copied) and STATUS; adds the JSON type. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body,
			     size_t len, const char *ctype)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", ctype ? ctype : "application/json");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The platform's JSON error body for STATUS. */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status)
{
	const char *body;

	switch (status) {
	case 401:
		body = "{\"error\":\"Unauthorized: Invalid token\"}";
		break;
	case 404:
		body = "{\"error\":\"Job not found or unauthorized\"}";
		break;
	case 429:
		body = "{\"error\":\"Too many requests\"}";
		break;
	case 500:
		body = "{\"error\":\"Failed to fetch metrics\",\"details\":\"db down\"}";
		break;
	default:
		body = "{\"error\":\"Something went wrong\"}";
		break;
	}
	return reply(c, status, body, strlen(body), NULL);
}

/* A redirect to LOCATION. */
static enum MHD_Result reply_redirect(struct MHD_Connection *c, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Location", location);
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return ret;
}

/* A body that stops half-way: the connection is closed mid-body. */
struct dropper {
	char *data;
	size_t len;
};

/* Content reader for drop-NAME: serves the first half, then fails. */
static ssize_t drop_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct dropper *d = cls;
	size_t half = d->len / 2, n;

	if (pos >= half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = half - pos < max ? half - (size_t)pos : max;
	memcpy(buf, d->data + pos, n);
	return (ssize_t)n;
}

/* Frees a dropper. */
static void drop_free(void *cls)
{
	struct dropper *d = cls;

	free(d->data);
	free(d);
}

/* Content reader for huge bodies: an opening, then spaces forever. */
static ssize_t huge_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char head[] = "{\"job_id\":\"huge\",\"metrics\":[";
	uint64_t total = *(uint64_t *)cls;
	size_t n = max;

	if (total && pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (total && total - pos < n)
		n = (size_t)(total - pos);
	memset(buf, ' ', n);
	if (pos < sizeof head - 1) {
		size_t k = sizeof head - 1 - (size_t)pos;

		memcpy(buf, head + pos, k < n ? k : n);
	}
	return (ssize_t)n;
}

/* Content reader for --list=bomb: a page of empty job objects, 200 MB. */
static ssize_t bomb_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char head[] = "{\"total\":1000000,\"jobs\":[";
	const uint64_t total = 200000000;
	size_t n = max;

	(void)cls;
	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (total - pos < n)
		n = (size_t)(total - pos);
	for (size_t i = 0; i < n; i++) {
		uint64_t p = pos + i;

		buf[i] = p < sizeof head - 1 ? head[p] : "{},"[(p - (sizeof head - 1)) % 3];
	}
	return (ssize_t)n;
}

/* Serves fixture NAME, or drops it half-way when DROP. */
static enum MHD_Result serve_fixture(struct MHD_Connection *c, const char *name, bool drop)
{
	size_t len;
	char *data = fixture(name, &len);

	if (!data)
		return reply_error(c, 404);
	if (drop) {
		struct dropper *d = malloc(sizeof *d);
		struct MHD_Response *r;
		enum MHD_Result ret;

		if (!d)
			die("out of memory");
		d->data = data;
		d->len = len;
		r = MHD_create_response_from_callback(len, 4096, drop_read, d, drop_free);
		MHD_add_response_header(r, "Content-Type", "application/json");
		ret = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return ret;
	}
	bool etag = strcmp(validators, "etag") == 0 || strcmp(validators, "both") == 0;
	bool date = strcmp(validators, "date") == 0 || strcmp(validators, "both") == 0;
	char tag[32] = "", when[64] = "";
	if (etag) {
		uint64_t h = 1469598103934665603ULL; /* FNV-1a */
		for (size_t i = 0; i < len; i++)
			h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
		snprintf(tag, sizeof tag, "\"%016llx\"", (unsigned long long)h);
	}
	if (date) {
		char path[4096];
		struct stat st;
		struct tm tm;
		snprintf(path, sizeof path, "%s/%s.json", fixture_dir, name);
		if (stat(path, &st) == 0 && gmtime_r(&st.st_mtime, &tm))
			strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	}
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
	bool fresh = (*tag && inm && strcmp(inm, tag) == 0) || (!inm && *when && ims && strcmp(ims, when) == 0);
	struct MHD_Response *r = fresh ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
				       : MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_COPY);
	if (!fresh)
		MHD_add_response_header(r, "Content-Type", "application/json");
	if (*tag)
		MHD_add_response_header(r, "ETag", tag);
	if (*when)
		MHD_add_response_header(r, "Last-Modified", when);
	enum MHD_Result ret = MHD_queue_response(c, fresh ? 304 : MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	free(data);
	return ret;
}

/* Splits "WORD-NUMBER-REST" after PREFIX ("flaky429-"): *num, *rest. */
static bool split_num(const char *id, const char *prefix, long *num, const char **rest)
{
	size_t pl = strlen(prefix);
	char *end;

	if (strncmp(id, prefix, pl) != 0)
		return false;
	*num = strtol(id + pl, &end, 10);
	if (end == id + pl)
		return false;
	*rest = *end == '-' ? end + 1 : end;
	return true;
}

/* Answers a metrics request for job ID (PATH for the per-path counters). */
static enum MHD_Result serve_metrics(struct MHD_Connection *c, const char *id, const char *path)
{
	long num;
	const char *rest;
	char loc[1024];

	if (delay_ms > 0)
		sleep_ms(delay_ms);
	if (split_num(id, "delay-", &num, &rest)) {
		sleep_ms(num);
		return serve_metrics(c, rest, path);
	}
	if (split_num(id, "flaky429-", &num, &rest)) {
		if (count_path(path) <= num) {
			struct MHD_Response *r;
			static const char body[] = "{\"error\":\"Too many requests\"}";
			enum MHD_Result ret;

			r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
							    MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(r, "Content-Type", "application/json");
			MHD_add_response_header(r, "Retry-After", "1");
			ret = MHD_queue_response(c, 429, r);
			MHD_destroy_response(r);
			return ret;
		}
		return serve_fixture(c, rest, false);
	}
	if (split_num(id, "flaky500-", &num, &rest))
		return count_path(path) <= num ? reply_error(c, 500) : serve_fixture(c, rest, false);
	if (split_num(id, "flakydrop-", &num, &rest))
		return serve_fixture(c, rest, count_path(path) <= num);
	if (split_num(id, "status-", &num, &rest))
		return reply_error(c, (unsigned)num);
	if (strncmp(id, "drop-", 5) == 0)
		return serve_fixture(c, id + 5, true);
	if (strcmp(id, "badjson") == 0) {
		static const char body[] = "{\"job_id\":\"badjson\",\"metrics\":[{\"step\":1,\"train_loss\":2.5},\n"
					   "{\"step\":2,\"train_loss\":}]}\n";
		return reply(c, 200, body, sizeof body - 1, NULL);
	}
	if (strcmp(id, "truncated") == 0) {
		static const char body[] = "{\"job_id\":\"truncated\",\"metrics\":[{\"step\":1,\"train_loss\":2.5},\n"
					   "{\"step\":2,\"train_lo";
		return reply(c, 200, body, sizeof body - 1, NULL);
	}
	if (strcmp(id, "html500") == 0) {
		static const char body[] = "<html><body>Internal error</body></html>";
		return reply(c, 500, body, sizeof body - 1, "text/html");
	}
	if (strcmp(id, "login") == 0) {
		static const char body[] = "<!DOCTYPE html>\n<html><head><meta charset=utf-8>\n"
					   "<TITLE>\n  Sign in &amp; continue\033[31m </TITLE></head>\n"
					   "<body><form>...</form></body></html>\n";
		return reply(c, 200, body, sizeof body - 1, "text/html; charset=utf-8");
	}
	if (split_num(id, "bigerror-", &num, &rest)) {
		size_t n = (size_t)num;
		char *body = malloc(n + 200);
		enum MHD_Result ret;

		if (!body)
			die("out of memory");
		memcpy(body, "{\"trace\":\"", 10);
		memset(body + 10, 'x', n);
		strcpy(body + 10 + n, "\",\"error\":\"Quota exceeded\",\"details\":\"try \\\"later\\\"\"}");
		ret = reply(c, 400, body, strlen(body), NULL);
		free(body);
		return ret;
	}
	if (strcmp(id, "empty") == 0) {
		static const char body[] =
			"{\"job_id\":\"empty\",\"metrics\":[],\"message\":\"No metrics available yet\"}";
		return reply(c, 200, body, sizeof body - 1, NULL);
	}
	if (split_num(id, "huge-", &num, &rest) || split_num(id, "hugechunked-", &num, &rest)) {
		static uint64_t sizes[2];
		bool chunked = strncmp(id, "hugechunked-", 12) == 0;
		struct MHD_Response *r;
		enum MHD_Result ret;

		/* Immutable per kind for the server's life: tests use one size. */
		sizes[chunked] = (uint64_t)num;
		r = MHD_create_response_from_callback(chunked ? MHD_SIZE_UNKNOWN : (uint64_t)num, 65536,
						      huge_read, &sizes[chunked], NULL);
		MHD_add_response_header(r, "Content-Type", "application/json");
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (strncmp(id, "redirect-", 9) == 0) {
		snprintf(loc, sizeof loc, "/api/training/local/%s/metrics", id + 9);
		return reply_redirect(c, loc);
	}
	if (strncmp(id, "xredirect-", 10) == 0) {
		snprintf(loc, sizeof loc, "http://localhost:%u/api/training/local/%s/metrics", port, id + 10);
		return reply_redirect(c, loc);
	}
	if (strcmp(id, "redirectloop") == 0)
		return reply_redirect(c, path);
	return serve_fixture(c, id, false);
}

/* strcmp for qsort over char *. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds what a job list shows (steps, losses, times) from fixture NAME's
 * metrics, when it is the platform's JSON answer. */
static void summarize_fixture(struct json_object *job, const char *name)
{
	char path[4096];
	struct json_object *root, *rows, *v;
	const char *first_ts = NULL, *last_ts = NULL;
	double step = -1, loss = NAN, eval = NAN, best = INFINITY;
	size_t n;

	snprintf(path, sizeof path, "%s/%s.json", fixture_dir, name);
	root = json_object_from_file(path);
	if (!root || !json_object_object_get_ex(root, "metrics", &rows) ||
	    !json_object_is_type(rows, json_type_array)) {
		json_object_put(root);
		return;
	}
	n = json_object_array_length(rows);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		if (json_object_object_get_ex(r, "step", &v) && json_object_get_double(v) > step)
			step = json_object_get_double(v);
		if (json_object_object_get_ex(r, "train_loss", &v) && v)
			loss = json_object_get_double(v);
		if (json_object_object_get_ex(r, "eval_loss", &v) && v) {
			eval = json_object_get_double(v);
			if (eval < best)
				best = eval;
		}
		if (json_object_object_get_ex(r, "timestamp", &v) && v) {
			last_ts = json_object_get_string(v);
			if (!first_ts)
				first_ts = last_ts;
		}
	}
	if (step >= 0) {
		json_object_object_add(job, "current_step", json_object_new_int64((int64_t)step));
		json_object_object_add(job, "total_steps", json_object_new_int64((int64_t)step));
	}
	if (!isnan(loss))
		json_object_object_add(job, "loss", json_object_new_double(loss));
	if (!isnan(eval))
		json_object_object_add(job, "eval_loss", json_object_new_double(eval));
	if (isfinite(best))
		json_object_object_add(job, "best_eval_loss", json_object_new_double(best));
	if (first_ts) {
		json_object_object_add(job, "started_at", json_object_new_string(first_ts));
		json_object_object_add(job, "created_at", json_object_new_string(first_ts));
	}
	if (last_ts)
		json_object_object_add(job, "completed_at", json_object_new_string(last_ts));
	json_object_put(root);
}

/* A job list made from the fixture names (DIR/NAME.json), one completed job
 * each, created a minute apart in name order.  A new reference. */
static struct json_object *synth_jobs(void)
{
	struct json_object *arr = json_object_new_array();
	DIR *dir = opendir(fixture_dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!dir)
		return arr;
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 &&
		    strcmp(e->d_name, "jobs.json") != 0 && e->d_name[0] != '.') {
			names = realloc(names, (n + 1) * sizeof *names);
			if (!names || !(names[n] = strndup(e->d_name, len - 5)))
				die("out of memory");
			n++;
		}
	}
	closedir(dir);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		struct json_object *job = json_object_new_object();
		char created[32];

		snprintf(created, sizeof created, "2026-01-01T00:%02zu:00Z", i % 60);
		json_object_object_add(job, "id", json_object_new_string(names[i]));
		json_object_object_add(job, "model_name", json_object_new_string(names[i]));
		json_object_object_add(job, "status", json_object_new_string("completed"));
		json_object_object_add(job, "progress", json_object_new_int(100));
		summarize_fixture(job, names[i]);
		if (!json_object_object_get_ex(job, "created_at", NULL))
			json_object_object_add(job, "created_at", json_object_new_string(created));
		json_object_array_add(arr, job);
		free(names[i]);
	}
	free(names);
	return arr;
}

/* The job list: DIR/jobs.json, or one entry per fixture.  A new reference. */
static struct json_object *load_jobs(void)
{
	char path[4096];
	size_t len;
	char *data;
	struct json_object *jobs;

	snprintf(path, sizeof path, "%s/jobs.json", fixture_dir);
	data = slurp(path, &len);
	if (data) {
		jobs = json_tokener_parse(data);
		free(data);
		if (!jobs || !json_object_is_type(jobs, json_type_array))
			die("%s: not a JSON array", path);
		return jobs;
	}
	return synth_jobs();
}

/* Job list routes: the paginated local one, or the short one. */
static enum MHD_Result serve_jobs(struct MHD_Connection *c, bool local)
{
	struct json_object *all = load_jobs(), *out = json_object_new_object();
	struct json_object *page = json_object_new_array();
	const char *status = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
	const char *limit_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *offset_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset");
	long limit = limit_s ? atol(limit_s) : 50, offset = offset_s ? atol(offset_s) : 0;
	size_t n = json_object_array_length(all), matched = 0;
	const char *text;
	enum MHD_Result ret;

	if (limit <= 0 || limit > 100)
		limit = limit <= 0 ? 50 : 100;
	if (limit > page_max)
		limit = page_max;
	if (offset < 0)
		offset = 0;
	if (list_delay_ms > 0)
		sleep_ms(list_delay_ms);
	if (strcmp(list_mode, "bomb") == 0) {
		struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536,
									   bomb_read, NULL, NULL);

		MHD_add_response_header(r, "Content-Type", "application/json");
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		json_object_put(out);
		json_object_put(page);
		json_object_put(all);
		return ret;
	}
	long asked_offset = offset;
	if (strcmp(list_mode, "nooffset") == 0)
		offset = 0;
	if (strcmp(list_mode, "endless") == 0 || strcmp(list_mode, "bigpage") == 0 ||
	    strcmp(list_mode, "bigjob") == 0) {
		long count = strcmp(list_mode, "endless") == 0 ? limit : strcmp(list_mode, "bigpage") == 0 ? 100 : 1;
		size_t pad = strcmp(list_mode, "endless") == 0 ? 0 : strcmp(list_mode, "bigpage") == 0 ? 50000 : 100000;
		char *padding = calloc(pad + 1, 1);

		if (!padding)
			die("out of memory");
		memset(padding, 'x', pad);
		for (long i = 0; i < count; i++) {
			struct json_object *job = json_object_new_object();
			char jid[64];

			snprintf(jid, sizeof jid, "j%ld", offset + i);
			json_object_object_add(job, "id", json_object_new_string(jid));
			json_object_object_add(job, "status", json_object_new_string("completed"));
			json_object_object_add(job, "pad", json_object_new_string(padding));
			json_object_array_add(page, job);
		}
		free(padding);
		json_object_object_add(out, "jobs", page);
		json_object_object_add(out, "total", json_object_new_int64(1000000000));
		json_object_object_add(out, "offset", json_object_new_int64(offset));
		text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
		ret = reply(c, 200, text, strlen(text), NULL);
		json_object_put(out);
		json_object_put(all);
		return ret;
	}
	if (strcmp(list_mode, "dupids") == 0) {
		struct json_object *twice = json_object_new_array();

		for (size_t i = 0; i < n; i++) {
			json_object_array_add(twice, json_object_get(json_object_array_get_idx(all, i)));
			json_object_array_add(twice, json_object_get(json_object_array_get_idx(all, i)));
		}
		json_object_put(all);
		all = twice;
		n = json_object_array_length(all);
	}
	if (!local) {
		limit = (long)n;
		offset = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *job = json_object_array_get_idx(all, i), *st;

		if (status && *status &&
		    (!json_object_object_get_ex(job, "status", &st) ||
		     strcmp(json_object_get_string(st), status) != 0))
			continue;
		if ((long)matched >= offset && (long)matched < offset + limit)
			json_object_array_add(page, json_object_get(job));
		matched++;
	}
	if (local) {
		json_object_object_add(out, "jobs", page);
		json_object_object_add(out, "total", json_object_new_int64(strcmp(list_mode, "nooffset") == 0
										  ? 1000000
										  : (int64_t)matched));
		json_object_object_add(out, "limit", json_object_new_int64(limit));
		json_object_object_add(out, "offset", json_object_new_int64(asked_offset));
	} else {
		json_object_object_add(out, "success", json_object_new_boolean(1));
		json_object_object_add(out, "count", json_object_new_int64((int64_t)matched));
		json_object_object_add(out, "jobs", page);
	}
	text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);
	ret = reply(c, 200, text, strlen(text), NULL);
	json_object_put(out);
	json_object_put(all);
	return ret;
}

/* Logs one header line of a request. */
static enum MHD_Result log_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	fprintf(logfp, "\t%s: %s\n", key, value ? value : "");
	return MHD_YES;
}

/* Logs a query argument other than status, limit and offset. */
static enum MHD_Result log_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	bool *first = cls;

	if (strcmp(key, "status") == 0 || strcmp(key, "limit") == 0 || strcmp(key, "offset") == 0)
		return MHD_YES;
	fprintf(logfp, "%c%s=%s", *first ? '?' : '&', key, value ? value : "");
	*first = false;
	return MHD_YES;
}

/* Logs the request line, its query and its headers. */
static void log_request(struct MHD_Connection *c, const char *method, const char *url)
{
	const char *q[] = { "status", "limit", "offset" };
	bool first = true;

	if (!logfp)
		return;
	pthread_mutex_lock(&lock);
	fprintf(logfp, "%s %s", method, url);
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, q[i]);

		if (v) {
			fprintf(logfp, "%c%s=%s", first ? '?' : '&', q[i], v);
			first = false;
		}
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, log_arg, &first);
	fputc('\n', logfp);
	MHD_get_connection_values(c, MHD_HEADER_KIND, log_header, NULL);
	fflush(logfp);
	pthread_mutex_unlock(&lock);
}

/* Checks the token: NULL when fine, else the 401 body. */
static const char *auth_problem(struct MHD_Connection *c)
{
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");

	if (!token)
		return NULL;
	if (!a && !k)
		return "{\"error\":\"Unauthorized: Missing authentication\"}";
	if (a && strncmp(a, "Bearer ", 7) == 0 && strcmp(a + 7, token) == 0)
		return NULL;
	if (k && strcmp(k, token) == 0)
		return NULL;
	return "{\"error\":\"Unauthorized: Invalid token\"}";
}

/* libmicrohttpd's request handler. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static int first_call;
	const char *problem;
	char id[512];
	size_t len = strlen(url);

	if (*con_cls == NULL) {
		*con_cls = &first_call;
		return MHD_YES;
	}
	log_request(c, method, url);
	/* Absolute form ("GET http://host/path"): we are someone's proxy. */
	if (strncmp(url, "http://", 7) == 0) {
		const char *path = strchr(url + 7, '/');

		url = path ? path : "/";
		len = strlen(url);
	}
	if (strcmp(method, "GET") != 0)
		return reply(c, 405, "{\"error\":\"Method not allowed\"}", 30, NULL);
	if ((problem = auth_problem(c)) != NULL)
		return reply(c, 401, problem, strlen(problem), NULL);
	if (*path_prefix) {
		if (strncmp(url, path_prefix, strlen(path_prefix)) != 0)
			return reply(c, 404, "{\"error\":\"Not found\"}", 21, NULL);
		url += strlen(path_prefix);
		len = strlen(url);
	}

	if (strcmp(url, "/api/training/local/jobs") == 0)
		return no_local_jobs ? reply_error(c, 404) : serve_jobs(c, true);
	if (strcmp(url, "/api/training/jobs") == 0)
		return serve_jobs(c, false);
	if (strncmp(url, "/api/training/local/", 20) == 0 && len > 28 &&
	    strcmp(url + len - 8, "/metrics") == 0 && len - 28 < sizeof id) {
		memcpy(id, url + 20, len - 28);
		id[len - 28] = '\0';
		if (!strchr(id, '/'))
			return serve_metrics(c, id, url);
	}
	if (strncmp(url, "/api/training/metrics/", 22) == 0 && len - 22 < sizeof id &&
	    !strchr(url + 22, '/')) {
		memcpy(id, url + 22, len - 22 + 1);
		return serve_metrics(c, id, url);
	}
	return reply(c, 404, "{\"error\":\"Not found\"}", 21, NULL);
}

/* Writes the port to PATH atomically (tests wait for the file). */
static void write_port(const char *path)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (!fp || fprintf(fp, "%u\n", port) < 0 || fclose(fp) != 0)
		die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, path) != 0)
		die("%s: %s", path, strerror(errno));
}

/* Reads the first line of PATH (the token). */
static char *read_token(const char *path)
{
	size_t len;
	char *t = slurp(path, &len);

	if (!t)
		die("%s: %s", path, strerror(errno));
	t[strcspn(t, "\r\n")] = '\0';
	return t;
}

/* Value of "--NAME=VALUE" in ARG for NAME, or NULL. */
static const char *opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) == 0 && arg[n] == '=')
		return arg + n + 1;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *v;
	long lifetime = 600;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	socklen_t slen = sizeof sin;
	sigset_t set;
	int sig;
	struct timespec ts;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((v = opt(a, "--dir")))
			fixture_dir = v;
		else if ((v = opt(a, "--port-file")))
			port_file = v;
		else if ((v = opt(a, "--log"))) {
			logfp = fopen(v, "a");
			if (!logfp)
				die("%s: %s", v, strerror(errno));
		} else if ((v = opt(a, "--token-file")))
			token = read_token(v);
		else if ((v = opt(a, "--delay")))
			delay_ms = atol(v);
		else if ((v = opt(a, "--page-max")))
			page_max = atol(v) > 0 ? atol(v) : 1;
		else if ((v = opt(a, "--lifetime")))
			lifetime = atol(v);
		else if ((v = opt(a, "--tls-cert"))) {
			size_t len;

			if (!(tls_cert = slurp(v, &len)))
				die("%s: %s", v, strerror(errno));
		} else if ((v = opt(a, "--tls-key"))) {
			size_t len;

			if (!(tls_key = slurp(v, &len)))
				die("%s: %s", v, strerror(errno));
		} else if ((v = opt(a, "--list")))
			list_mode = v;
		else if ((v = opt(a, "--validators")))
			validators = v;
		else if ((v = opt(a, "--list-delay")))
			list_delay_ms = atol(v);
		else if ((v = opt(a, "--prefix")))
			path_prefix = v;
		else if (strcmp(a, "--no-local-jobs") == 0)
			no_local_jobs = true;
		else
			die("unknown argument: %s (see the comment at the top of testd.c)", a);
	}

	/* Signals are taken by sigwait below; MHD's threads must not get them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (tls_cert && tls_key) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			die("this libmicrohttpd has no TLS");
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
					     MHD_USE_ERROR_LOG | MHD_USE_TLS,
				     0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sin,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				     MHD_OPTION_HTTPS_MEM_CERT, tls_cert, MHD_OPTION_HTTPS_MEM_KEY, tls_key,
				     MHD_OPTION_END);
	} else {
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
					     MHD_USE_ERROR_LOG,
				     0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sin,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
	}
	if (!d)
		die("cannot start the HTTP daemon on 127.0.0.1");
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&sin, &slen) != 0)
		die("cannot find the listening port");
	port = ntohs(sin.sin_port);
	if (port_file)
		write_port(port_file);
	else {
		printf("%u\n", port);
		fflush(stdout);
	}

	ts.tv_sec = lifetime;
	ts.tv_nsec = 0;
	sigdelset(&set, SIGPIPE);
	if (lifetime > 0)
		sig = sigtimedwait(&set, NULL, &ts);
	else
		sigwait(&set, &sig);
	(void)sig;
	MHD_stop_daemon(d);
	if (logfp)
		fclose(logfp);
	free(token);
	free(tls_cert);
	free(tls_key);
	for (size_t i = 0; i < MAX_COUNTERS && counters[i].path; i++)
		free(counters[i].path);
	return 0;
}
