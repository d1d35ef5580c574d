/* joblist.c: see joblist.h.
 *
 * The job list comes from a server we do not trust with our memory: a few
 * kilobytes of gzip can unpack to millions of empty objects.  So a page is
 * never held whole: a small scanner walks its outer skeleton as the bytes
 * arrive, hands each job object (at most JOBLIST_JOB_BYTES) to json-c on
 * its own and keeps only what a job_info holds; everything is capped (jobs
 * and bytes per page, pages and jobs per listing). */
#include "config.h"

#include "joblist.h"

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "parse.h"
#include "text.h"
#include "util.h"

#define JOBLIST_PAGE 100       /* jobs asked for per page (the platform's largest) */
#define JOBLIST_MAX_PAGES 200  /* pages per listing: a server that never ends its list */
#define JOBLIST_MAX_JOBS 10000 /* jobs per listing */
#define JOBLIST_PAGE_BYTES (4L * 1024 * 1024) /* bytes of one page, unpacked */
#define JOBLIST_JOB_BYTES (64 * 1024)         /* bytes of one job object */
#define JOBLIST_MAX_DEPTH 64   /* nesting in a page */
#define JOBLIST_QUICK_SECONDS 2 /* the label lookup's time budget */
#define JOBLIST_TEXT_CHARS 40  /* characters of a model name in text lists */

/* A string member of OBJ, copied, or NULL when absent or null. */
static char *get_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !v || json_object_is_type(v, json_type_null) ||
	    json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

/* A numeric member of OBJ, or NaN when absent, null or not a number. */
static double get_num(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return NAN;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	return NAN;
}

/* True when STATUS is in the comma-separated LIST (NULL: everything). */
static bool status_wanted(const char *list, const char *status)
{
	const char *p = list;

	if (!list || !*list)
		return true;
	if (!status)
		return false;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == strlen(status) && strncasecmp(p, status, n) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

bool joblist_status_wanted(const char *list, const char *status)
{
	return status_wanted(list, status);
}

/* Appends job object O to JL when it has an id (the status filter is
 * applied when the page is merged). */
static void add_job(struct joblist *jl, size_t *cap, struct json_object *o)
{
	struct json_object *st;
	struct job_info *j;
	char *id;

	if (!o || !json_object_is_type(o, json_type_object) || !(id = get_str(o, "id")))
		return;
	if (jl->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		jl->jobs = xreallocarray(jl->jobs, *cap, sizeof *jl->jobs);
	}
	j = &jl->jobs[jl->n++];
	memset(j, 0, sizeof *j);
	j->id = id;
	j->status = get_str(o, "status");
	j->model_name = get_str(o, "model_name");
	j->started_at = get_str(o, "started_at");
	j->completed_at = get_str(o, "completed_at");
	j->created_at = get_str(o, "created_at");
	j->progress = get_num(o, "progress");
	j->current_step = get_num(o, "current_step");
	j->total_steps = get_num(o, "total_steps");
	j->loss = get_num(o, "loss");
	if (isnan(j->loss))
		j->loss = get_num(o, "train_loss");
	j->eval_loss = get_num(o, "eval_loss");
	j->best_eval_loss = get_num(o, "best_eval_loss");
	j->stale = json_object_object_get_ex(o, "_stale", &st) && json_object_get_boolean(st);
}

/* Frees job J's strings. */
static void job_free(struct job_info *j)
{
	free(j->id);
	free(j->model_name);
	free(j->status);
	free(j->started_at);
	free(j->completed_at);
	free(j->created_at);
}

/* The ids seen in one listing (a server may repeat jobs, or whole pages):
 * open addressing, sized for JOBLIST_MAX_JOBS plus a page. */
#define IDSET_SLOTS 32768
struct idset {
	char **slot;
	size_t n;
};

/* The slot of ID in S: where it is, or the empty one where it would go. */
static char **idset_slot(struct idset *s, const char *id)
{
	uint32_t h = 2166136261u;

	if (!s->slot)
		s->slot = xcalloc(IDSET_SLOTS, sizeof *s->slot);
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 16777619u;
	for (size_t i = h % IDSET_SLOTS;; i = (i + 1) % IDSET_SLOTS)
		if (!s->slot[i] || strcmp(s->slot[i], id) == 0)
			return &s->slot[i];
}

/* Adds ID to S: true when it was new. */
static bool idset_add(struct idset *s, const char *id)
{
	char **slot = idset_slot(s, id);

	if (*slot)
		return false;
	*slot = xstrdup(id);
	s->n++;
	return true;
}

/* Frees the ids of S. */
static void idset_free(struct idset *s)
{
	for (size_t i = 0; s->slot && i < IDSET_SLOTS; i++)
		free(s->slot[i]);
	free(s->slot);
}

enum top_field { TOP_NONE, TOP_JOBS, TOP_TOTAL, TOP_OFFSET };

/* One page of the job list as it streams in: {"jobs": [ {job}, ... ],
 * "total": N, "offset": N, ...}.  The scanner follows strings and nesting
 * only; each job object's bytes go to json-c alone. */
struct page {
	const char *route;       /* for messages */
	struct joblist jobs;     /* this page's jobs, unfiltered */
	size_t cap;
	int depth;
	bool in_str, esc, is_key, want_key, root_seen, in_jobs, jobs_seen, in_elem, stopped;
	char key[16];
	size_t klen;
	bool klong;
	enum top_field field;    /* the top-level member whose value comes next */
	enum top_field num_field;/* the number being read, or TOP_NONE */
	char num[32];
	size_t nlen;
	struct buf elem;         /* the job object being read */
	size_t bytes, got;       /* bytes and "jobs" elements so far */
	bool has_total, has_offset, overflow;
	long long total, offset;
};

/* Clears PG for a new page (or a retried one). */
static void page_reset(void *ctx)
{
	struct page *pg = ctx;
	const char *route = pg->route;
	struct buf elem = pg->elem;

	for (size_t i = 0; i < pg->jobs.n; i++)
		job_free(&pg->jobs.jobs[i]);
	free(pg->jobs.jobs);
	memset(pg, 0, sizeof *pg);
	pg->route = route;
	pg->elem = elem;
	pg->elem.len = 0;
}

/* Frees what PG holds. */
static void page_free(struct page *pg)
{
	page_reset(pg);
	buf_free(&pg->elem);
}

/* Ends the number of a top-level member (total, offset). */
static void page_number(struct page *pg)
{
	char *end;
	long long v;

	if (pg->num_field == TOP_NONE)
		return;
	pg->num[pg->nlen] = '\0';
	v = strtoll(pg->num, &end, 10);
	if (pg->nlen && *end == '\0') {
		if (pg->num_field == TOP_TOTAL) {
			pg->has_total = true;
			pg->total = v;
		} else {
			pg->has_offset = true;
			pg->offset = v;
		}
	}
	pg->num_field = TOP_NONE;
	pg->nlen = 0;
}

/* A whole job object in pg->elem: parsed on its own and kept. */
static int page_job(struct page *pg, char **cause)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, pg->elem.data, (int)pg->elem.len);
	enum json_tokener_error err = json_tokener_get_error(tok);

	json_tokener_free(tok);
	if (!o || err != json_tokener_success) {
		json_object_put(o);
		*cause = xasprintf("invalid JSON in the job list from %s: %s", pg->route,
				   json_tokener_error_desc(err));
		return -1;
	}
	add_job(&pg->jobs, &pg->cap, o);
	json_object_put(o);
	return 0;
}

/* Scans byte C of a page.  Returns 0, or -1 with *cause (an error), or
 * -1 with pg->stopped set (enough read: more jobs than asked for). */
static int page_byte(struct page *pg, char c, char **cause)
{
	if (pg->in_elem) {
		if (pg->elem.len >= JOBLIST_JOB_BYTES) {
			*cause = xasprintf("a job in the job list from %s is larger than %d KiB", pg->route,
					   JOBLIST_JOB_BYTES / 1024);
			return -1;
		}
		buf_append(&pg->elem, &c, 1);
	}
	if (pg->in_str) {
		if (pg->esc) {
			pg->esc = false;
		} else if (c == '\\') {
			pg->esc = true;
		} else if (c == '"') {
			pg->in_str = false;
			if (pg->is_key) {
				pg->is_key = false;
				pg->field = pg->klong ? TOP_NONE :
					    pg->klen == 4 && memcmp(pg->key, "jobs", 4) == 0 ? TOP_JOBS :
					    pg->klen == 5 && memcmp(pg->key, "total", 5) == 0 ? TOP_TOTAL :
					    pg->klen == 6 && memcmp(pg->key, "offset", 6) == 0 ? TOP_OFFSET :
												 TOP_NONE;
			}
			return 0;
		}
		if (pg->is_key) {
			if (pg->klen < sizeof pg->key)
				pg->key[pg->klen++] = c;
			else
				pg->klong = true;
		}
		return 0;
	}
	switch (c) {
	case '"':
		pg->in_str = true;
		if (pg->depth == 1 && pg->want_key) {
			pg->is_key = true;
			pg->klen = 0;
			pg->klong = false;
			pg->want_key = false;
		} else if (pg->depth == 1) {
			pg->field = TOP_NONE;
		}
		break;
	case '{':
	case '[':
		if (pg->depth == 0) {
			if (c != '{' || pg->root_seen)
				goto not_object;
			pg->root_seen = true;
			pg->want_key = true;
		} else if (pg->depth == 1) {
			if (pg->field == TOP_JOBS && c == '[')
				pg->in_jobs = pg->jobs_seen = true;
			pg->field = TOP_NONE;
		} else if (pg->depth == 2 && pg->in_jobs) {
			/* One more than asked for: the server ignores limit. */
			if (++pg->got > JOBLIST_PAGE) {
				pg->got--;
				pg->overflow = pg->stopped = true;
				return -1;
			}
			if (c == '{') {
				pg->in_elem = true;
				pg->elem.len = 0;
				buf_append(&pg->elem, &c, 1);
			}
		}
		if (++pg->depth > JOBLIST_MAX_DEPTH) {
			*cause = xasprintf("invalid JSON in the job list from %s: nested too deeply", pg->route);
			return -1;
		}
		break;
	case '}':
	case ']':
		if (pg->depth == 1)
			page_number(pg);
		if (--pg->depth < 0)
			goto not_object;
		if (pg->in_elem && pg->depth == 2) {
			pg->in_elem = false;
			if (page_job(pg, cause) < 0)
				return -1;
		} else if (pg->depth == 1) {
			pg->in_jobs = false;
		}
		break;
	case ',':
		if (pg->depth == 1) {
			page_number(pg);
			pg->want_key = true;
			pg->field = TOP_NONE;
		}
		break;
	case ':':
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		break;
	default:
		if (pg->depth == 0)
			goto not_object;
		if (pg->depth == 1 && (pg->field == TOP_TOTAL || pg->field == TOP_OFFSET)) {
			pg->num_field = pg->field;
			pg->field = TOP_NONE;
		}
		if (pg->depth == 1 && pg->num_field != TOP_NONE && pg->nlen + 1 < sizeof pg->num)
			pg->num[pg->nlen++] = c;
		break;
	}
	return 0;

not_object:
	*cause = xasprintf("unexpected job list from %s: not a JSON object", pg->route);
	return -1;
}

/* http sink: a page's bytes through the scanner, JOBLIST_PAGE_BYTES at most. */
static int page_sink(void *ctx, const void *buf, size_t len, char **cause)
{
	struct page *pg = ctx;
	const char *p = buf;

	pg->bytes += len;
	if (pg->bytes > (size_t)JOBLIST_PAGE_BYTES) {
		*cause = xasprintf("the job list from %s sent a page larger than %ld MiB", pg->route,
				   JOBLIST_PAGE_BYTES / (1024 * 1024));
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (page_byte(pg, p[i], cause) < 0)
			return -1;
	return 0;
}

/* Checks that the page ended as a job list should. */
static int page_finish(const struct page *pg, char **cause)
{
	if (pg->stopped)
		return 0;
	if (pg->depth != 0 || pg->in_str)
		*cause = xasprintf("invalid JSON in the job list from %s: unexpected end of data", pg->route);
	else if (!pg->root_seen)
		*cause = xasprintf("unexpected job list from %s: not a JSON object", pg->route);
	else if (!pg->jobs_seen)
		*cause = xasprintf("unexpected job list from %s: no \"jobs\" array", pg->route);
	else
		return 0;
	return -1;
}

/* GETs PATH under the API URL into PG.  Returns 0, or -1 with *cause,
 * *exit_status (EXIT_FETCH or EXIT_DATA) and the HTTP status in *CODE. */
static int get_page(const struct fetch_config *opts, const char *path, struct page *pg, long *code,
		    char **cause, int *exit_status)
{
	struct http_request req = { 0 };
	char *url = http_url_join(opts->url, path);

	req.url = url;
	req.sink = page_sink;
	req.reset = page_reset;
	req.ctx = pg;
	http_fetch_all(&req, 1, opts);
	free(url);
	*code = req.http_status;
	if (pg->stopped) {
		free(req.error);
		return 0;
	}
	if (req.status != EXIT_OK) {
		*cause = req.error;
		*exit_status = req.status == EXIT_DATA ? EXIT_DATA : EXIT_FETCH;
		return -1;
	}
	if (page_finish(pg, cause) < 0) {
		*exit_status = EXIT_DATA;
		return -1;
	}
	return 0;
}

/* Moves PG's jobs into OUT: each id once, the status filter applied, at
 * most JOBLIST_MAX_JOBS in all (*full set when that cut the page).
 * Returns how many ids were new (filtered out or not). */
static size_t page_merge(struct page *pg, struct joblist *out, size_t *cap, struct idset *seen,
			 const char *filter, bool *full)
{
	size_t fresh = 0;

	for (size_t i = 0; i < pg->jobs.n; i++) {
		struct job_info *j = &pg->jobs.jobs[i];

		bool is_new;

		if (seen->n >= JOBLIST_MAX_JOBS && *idset_slot(seen, j->id) == NULL)
			*full = true;
		is_new = !*full && idset_add(seen, j->id);
		fresh += is_new;
		if (!is_new || !status_wanted(filter, j->status)) {
			job_free(j);
			continue;
		}
		if (out->n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			out->jobs = xreallocarray(out->jobs, *cap, sizeof *out->jobs);
		}
		out->jobs[out->n++] = *j;
	}
	pg->jobs.n = 0;
	return fresh;
}

/* Seconds since the epoch of a job's creation (else start), or -inf. */
static double job_time(const struct job_info *j)
{
	double t;

	if (j->created_at && parse_timestamp(j->created_at, &t) == 0)
		return t;
	if (j->started_at && parse_timestamp(j->started_at, &t) == 0)
		return t;
	return -INFINITY;
}

struct keyed {
	double t;
	size_t i;
	struct job_info job;
};

/* Newest first; the server's order among equal or unknown times. */
static int cmp_newest(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->t != y->t)
		return x->t > y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorts JL newest first (stable). */
static void sort_newest(struct joblist *jl)
{
	struct keyed *k = xcalloc(jl->n, sizeof *k);

	for (size_t i = 0; i < jl->n; i++) {
		k[i].t = job_time(&jl->jobs[i]);
		k[i].i = i;
		k[i].job = jl->jobs[i];
	}
	qsort(k, jl->n, sizeof *k, cmp_newest);
	for (size_t i = 0; i < jl->n; i++)
		jl->jobs[i] = k[i].job;
	free(k);
}

/* Monotonic seconds. */
static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* joblist_fetch, with a time BUDGET in seconds (0: none) that also turns
 * retries off. */
static int fetch_list(const struct fetch_config *opts, const char *status, double budget,
		      struct joblist *out, char **cause, int *exit_status)
{
	struct fetch_config o = *opts;
	struct idset seen = { 0 };
	struct page pg;
	size_t cap = 0, offset = 0;
	double deadline = mono() + budget;
	long code = 0;
	int page;

	memset(out, 0, sizeof *out);
	memset(&pg, 0, sizeof pg);
	if (!opts->url || !*opts->url) {
		*cause = xstrdup("no API URL: set TRCOMPARE_URL or --url");
		*exit_status = EXIT_USAGE;
		return -1;
	}
	if (!http_is_api_url(opts->url)) {
		*cause = xstrdup(HTTP_URL_NO_SCHEME);
		*exit_status = EXIT_USAGE;
		return -1;
	}
	if (budget > 0)
		o.retry = 0;

	for (page = 0;; page++) {
		bool last, end, no_offset, full = false;
		size_t fresh;
		char *path;

		if (page == JOBLIST_MAX_PAGES) {
			out->warning = xasprintf("the job list was cut at %d pages (%zu jobs)",
						 JOBLIST_MAX_PAGES, seen.n);
			break;
		}
		if (budget > 0) {
			double left = deadline - mono();

			if (left <= 0) {
				*cause = xasprintf("the job list took longer than %.0f s", budget);
				*exit_status = EXIT_FETCH;
				goto fail;
			}
			o.max_time = (long)ceil(left);
			if (o.connect_timeout > o.max_time)
				o.connect_timeout = o.max_time;
		}
		page_reset(&pg);
		pg.route = "/api/training/local/jobs";
		path = xasprintf("/api/training/local/jobs?limit=%d&offset=%zu", JOBLIST_PAGE, offset);
		int rc = get_page(&o, path, &pg, &code, cause, exit_status);
		free(path);
		if (rc < 0) {
			/* An older platform without the local route: the short list. */
			if (page == 0 && *exit_status == EXIT_FETCH &&
			    (code == 404 || code == 405 || code == 501)) {
				free(*cause);
				*cause = NULL;
				page_reset(&pg);
				pg.route = "/api/training/jobs";
				if (get_page(&o, "/api/training/jobs", &pg, &code, cause, exit_status) < 0)
					goto fail;
				page_merge(&pg, out, &cap, &seen, status, &full);
				if (pg.overflow || full)
					out->warning = xasprintf("the job list was cut at %zu jobs", seen.n);
				break;
			}
			goto fail;
		}
		fresh = page_merge(&pg, out, &cap, &seen, status, &full);
		/* The last page: empty, at the total, or short when there is no
		 * total.  Or the list is cut: by a server that ignores offset
		 * (another offset echoed, or only jobs already seen), or limit
		 * (more jobs than asked for), or by JOBLIST_MAX_JOBS. */
		end = pg.got == 0 || (pg.has_total && (long long)(offset + pg.got) >= pg.total) ||
		      (!pg.has_total && pg.got < JOBLIST_PAGE);
		no_offset = pg.got > 0 && (fresh == 0 || (pg.has_offset && pg.offset != (long long)offset));
		if (!end && seen.n >= JOBLIST_MAX_JOBS)
			full = true;
		if (pg.overflow)
			out->warning = xasprintf("the server sent more than the %d jobs asked for in one "
						 "page; the job list was cut at %zu jobs",
						 JOBLIST_PAGE, seen.n);
		else if (full)
			out->warning = xasprintf("the job list was cut at %d jobs", JOBLIST_MAX_JOBS);
		else if (!end && no_offset)
			out->warning = xasprintf("the server ignores offset (the page at offset %zu brought "
						 "no new job); the job list was cut at %zu jobs",
						 offset, seen.n);
		last = end || no_offset || pg.overflow || full;
		offset += pg.got;
		if (last)
			break;
	}
	page_free(&pg);
	idset_free(&seen);
	sort_newest(out);
	return 0;

fail:
	page_free(&pg);
	idset_free(&seen);
	joblist_free(out);
	return -1;
}

/* Fetches the job list (see joblist.h). */
int joblist_fetch(const struct fetch_config *opts, const char *status, struct joblist *out,
		  char **cause, int *exit_status)
{
	return fetch_list(opts, status, 0, out, cause, exit_status);
}

/* Fetches the job list for labels, quickly or not at all (see joblist.h). */
int joblist_fetch_quick(const struct fetch_config *opts, struct joblist *out, char **cause,
			int *exit_status)
{
	return fetch_list(opts, NULL, JOBLIST_QUICK_SECONDS, out, cause, exit_status);
}

/* Frees the list's jobs. */
void joblist_free(struct joblist *jl)
{
	if (!jl)
		return;
	for (size_t i = 0; i < jl->n; i++)
		job_free(&jl->jobs[i]);
	free(jl->jobs);
	free(jl->warning);
	jl->jobs = NULL;
	jl->warning = NULL;
	jl->n = 0;
}

/* The job with id ID (see joblist.h). */
const struct job_info *joblist_find(const struct joblist *jl, const char *id)
{
	if (!jl || !id)
		return NULL;
	for (size_t i = 0; i < jl->n; i++)
		if (strcmp(jl->jobs[i].id, id) == 0)
			return &jl->jobs[i];
	return NULL;
}

/* Sanitized copy of S (NULL allowed) capped at MAXCHARS; FALLBACK when empty. */
static char *clean(const char *s, size_t maxchars, const char *fallback)
{
	return text_sanitize(s ? s : "", s ? strlen(s) : 0, maxchars, fallback);
}

/* Number of UTF-8 characters in S (for column alignment). */
static size_t u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* First N UTF-8 characters of S.  malloc'd. */
static char *u8prefix(const char *s, size_t n)
{
	const char *p = s;

	while (*p) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (n == 0)
				break;
			n--;
		}
		p++;
	}
	return xstrndup(s, (size_t)(p - s));
}

/* A time for the text list: "2026-11-18 13:55:25" from ISO-8601. */
static char *short_time(const char *iso)
{
	char *t = clean(iso, 64, "-");

	/* Seconds are enough; zones and fractions go (the server's are UTC). */
	if (strlen(t) > 19 && t[10] == 'T' && t[4] == '-' && t[13] == ':') {
		t[10] = ' ';
		t[19] = '\0';
	}
	return t;
}

/* A number for the text list: 4 decimals, or "-". */
static char *num_text(double v, const char *fmt)
{
	return isfinite(v) ? xasprintf(fmt, v) : xstrdup("-");
}

enum { C_ID, C_MODEL, C_STATUS, C_PROGRESS, C_STEPS, C_LOSS, C_EVAL, C_BEST, C_STARTED, C_DONE, NCOLS };

/* The text list: aligned columns, stale jobs marked. */
static void print_text(const struct joblist *jl, FILE *out)
{
	static const char *head[NCOLS] = { "ID",   "MODEL",     "STATUS", "PROGRESS", "STEPS",
					   "LOSS", "EVAL_LOSS", "BEST",   "STARTED",  "COMPLETED" };
	char **cells = xcalloc((jl->n + 1) * NCOLS, sizeof *cells);
	size_t width[NCOLS] = { 0 };

	for (size_t c = 0; c < NCOLS; c++)
		cells[c] = xstrdup(head[c]);
	for (size_t i = 0; i < jl->n; i++) {
		const struct job_info *j = &jl->jobs[i];
		char **row = cells + (i + 1) * NCOLS;
		char *st = clean(j->status, 20, "-");

		row[C_ID] = clean(j->id, 64, "-");
		row[C_MODEL] = clean(j->model_name, JOBLIST_TEXT_CHARS, "-");
		row[C_STATUS] = j->stale ? xasprintf("%s (stale)", st) : xstrdup(st);
		free(st);
		row[C_PROGRESS] = num_text(j->progress, "%.0f%%");
		if (isfinite(j->current_step) && isfinite(j->total_steps))
			row[C_STEPS] = xasprintf("%.0f/%.0f", j->current_step, j->total_steps);
		else
			row[C_STEPS] = num_text(j->current_step, "%.0f");
		row[C_LOSS] = num_text(j->loss, "%.4f");
		row[C_EVAL] = num_text(j->eval_loss, "%.4f");
		row[C_BEST] = num_text(j->best_eval_loss, "%.4f");
		row[C_STARTED] = short_time(j->started_at);
		row[C_DONE] = short_time(j->completed_at);
	}
	for (size_t r = 0; r <= jl->n; r++)
		for (size_t c = 0; c < NCOLS; c++)
			if (u8len(cells[r * NCOLS + c]) > width[c])
				width[c] = u8len(cells[r * NCOLS + c]);
	for (size_t r = 0; r <= jl->n; r++) {
		for (size_t c = 0; c < NCOLS; c++) {
			const char *s = cells[r * NCOLS + c];

			fputs(s, out);
			if (c + 1 < NCOLS)
				fprintf(out, "%*s", (int)(width[c] - u8len(s) + 2), "");
			free(cells[r * NCOLS + c]);
		}
		fputc('\n', out);
	}
	free(cells);
}

/* A number for csv/json: shortest round-trip text, or NULL when absent. */
static const char *num_field(char *buf, double v)
{
	if (!isfinite(v))
		return NULL;
	fmt_double(buf, v);
	return buf;
}

static const char *const field_names[] = { "id",         "model_name",   "status",     "progress",
					   "current_step", "total_steps", "loss",     "eval_loss",
					   "best_eval_loss", "started_at", "completed_at", "created_at",
					   "stale" };

/* The fields of J as strings (sanitized, malloc'd) or numbers (NULL: absent). */
static void job_fields(const struct job_info *j, char *str[13], double num[13])
{
	for (size_t k = 0; k < 13; k++) {
		str[k] = NULL;
		num[k] = NAN;
	}
	str[0] = clean(j->id, 200, "");
	str[1] = j->model_name ? clean(j->model_name, 200, "") : NULL;
	str[2] = j->status ? clean(j->status, 200, "") : NULL;
	num[3] = j->progress;
	num[4] = j->current_step;
	num[5] = j->total_steps;
	num[6] = j->loss;
	num[7] = j->eval_loss;
	num[8] = j->best_eval_loss;
	str[9] = j->started_at ? clean(j->started_at, 200, "") : NULL;
	str[10] = j->completed_at ? clean(j->completed_at, 200, "") : NULL;
	str[11] = j->created_at ? clean(j->created_at, 200, "") : NULL;
}

/* The csv list: a header row, then one row per job. */
static void print_csv(const struct joblist *jl, FILE *out)
{
	for (size_t k = 0; k < ARRAY_SIZE(field_names); k++)
		fprintf(out, "%s%s", k ? "," : "", field_names[k]);
	fputc('\n', out);
	for (size_t i = 0; i < jl->n; i++) {
		char *str[13], nb[FMT_DOUBLE_MAX];
		double num[13];

		job_fields(&jl->jobs[i], str, num);
		for (size_t k = 0; k < 12; k++) {
			const char *v = str[k] ? str[k] : num_field(nb, num[k]);
			char *f = text_csv_field(v ? v : "");

			fprintf(out, "%s%s", k ? "," : "", f);
			free(f);
			free(str[k]);
		}
		fprintf(out, ",%s\n", jl->jobs[i].stale ? "true" : "false");
	}
}

/* The json list: an array of objects, absent values null. */
static void print_json(const struct joblist *jl, FILE *out)
{
	fputs("[", out);
	for (size_t i = 0; i < jl->n; i++) {
		char *str[13], nb[FMT_DOUBLE_MAX];
		double num[13];
		bool is_str[13] = { true, true, true, false, false, false, false, false, false,
				    true, true, true, false };

		job_fields(&jl->jobs[i], str, num);
		fprintf(out, "%s\n  {", i ? "," : "");
		for (size_t k = 0; k < 12; k++) {
			fprintf(out, "%s\"%s\": ", k ? ", " : "", field_names[k]);
			if (is_str[k] && str[k]) {
				char *q = text_json_quote(str[k]);

				fputs(q, out);
				free(q);
			} else if (!is_str[k] && num_field(nb, num[k])) {
				fputs(nb, out);
			} else {
				fputs("null", out);
			}
			free(str[k]);
		}
		fprintf(out, ", \"stale\": %s}", jl->jobs[i].stale ? "true" : "false");
	}
	fputs(jl->n ? "\n]\n" : "]\n", out);
}

/* Writes the list (see joblist.h). */
int joblist_print(const struct joblist *jl, enum list_format fmt, FILE *out)
{
	switch (fmt) {
	case LIST_CSV:
		print_csv(jl, out);
		break;
	case LIST_JSON:
		print_json(jl, out);
		break;
	default:
		print_text(jl, out);
		break;
	}
	return ferror(out) ? -1 : 0;
}

/* Default labels (see joblist.h). */
char **joblist_labels(const struct joblist *jl, const char *const *ids, size_t n)
{
	char **labels = xcalloc(n ? n : 1, sizeof *labels);
	bool *from_model = xcalloc(n ? n : 1, sizeof *from_model);

	for (size_t i = 0; i < n; i++) {
		const struct job_info *j = joblist_find(jl, ids[i]);

		if (!ids[i])
			continue;
		if (j && j->model_name && *j->model_name) {
			labels[i] = xstrdup(j->model_name);
			from_model[i] = true;
		} else {
			labels[i] = u8prefix(ids[i], 8);
		}
	}
	/* Model names shared by several jobs: add the id's first characters. */
	bool *clash = xcalloc(n ? n : 1, sizeof *clash);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n && from_model[i]; k++)
			if (k != i && labels[k] && strcmp(labels[i], labels[k]) == 0)
				clash[i] = true;
	for (size_t i = 0; i < n; i++) {
		if (clash[i]) {
			char *id8 = u8prefix(ids[i], 8);
			char *l = xasprintf("%s (%s)", labels[i], id8);

			free(id8);
			free(labels[i]);
			labels[i] = l;
		}
	}
	free(clash);
	/* Whatever still clashes (the same id twice): " #K" on later ones. */
	char **snap = xcalloc(n ? n : 1, sizeof *snap);
	for (size_t i = 0; i < n; i++)
		snap[i] = labels[i] ? xstrdup(labels[i]) : NULL;
	for (size_t i = 0; i < n; i++) {
		size_t same = 1;

		for (size_t k = 0; k < i && snap[i]; k++)
			if (snap[k] && strcmp(snap[k], snap[i]) == 0)
				same++;
		if (same > 1) {
			char *l = xasprintf("%s #%zu", labels[i], same);

			free(labels[i]);
			labels[i] = l;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(snap[i]);
	free(snap);
	free(from_model);
	return labels;
}
