/* joblist.c: see joblist.h.
 *
 * Job lists are small (the platform caps a page at 100 jobs), so each page
 * is fetched into memory with http_get and parsed whole with json-c. */
#include "config.h"

#include "joblist.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "parse.h"
#include "text.h"
#include "util.h"

#define JOBLIST_PAGE 100       /* the platform's largest page */
#define JOBLIST_MAX_PAGES 1000 /* a server that never ends its list */
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

/* Appends the jobs of JSON array ARR to JL (those the filter keeps). */
static void add_jobs(struct joblist *jl, size_t *cap, struct json_object *arr, const char *filter)
{
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *st;
		struct job_info *j;
		char *id, *status;

		if (!o || !json_object_is_type(o, json_type_object))
			continue;
		id = get_str(o, "id");
		if (!id)
			continue;
		status = get_str(o, "status");
		if (!status_wanted(filter, status)) {
			free(id);
			free(status);
			continue;
		}
		if (jl->n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			jl->jobs = xreallocarray(jl->jobs, *cap, sizeof *jl->jobs);
		}
		j = &jl->jobs[jl->n++];
		memset(j, 0, sizeof *j);
		j->id = id;
		j->status = status;
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
}

/* Parses BODY (LEN bytes) as JSON: the root, or NULL with *cause set. */
static struct json_object *parse_body(const char *body, size_t len, const char *what, char **cause)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = json_tokener_parse_ex(tok, body, (int)len);
	enum json_tokener_error err = json_tokener_get_error(tok);

	if (!root || err != json_tokener_success) {
		*cause = xasprintf("invalid JSON in the job list from %s: %s", what,
				   err == json_tokener_continue ? "unexpected end of data"
								 : json_tokener_error_desc(err));
		json_object_put(root);
		root = NULL;
	} else if (!json_object_is_type(root, json_type_object)) {
		*cause = xasprintf("unexpected job list from %s: not a JSON object", what);
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* Base URL without trailing slashes.  malloc'd. */
static char *base_url(const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	return xstrndup(url, n);
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

/* GETs URL (the job list ROUTE) and returns its parsed body, with its
 * "jobs" array in *JOBS; NULL on failure with *cause, *exit_status
 * (EXIT_FETCH or EXIT_DATA) and the HTTP status in *CODE. */
static struct json_object *get_jobs(const char *url, const char *route, const struct fetch_config *opts,
				    struct json_object **jobs, long *code, char **cause, int *exit_status)
{
	char *body = NULL;
	size_t len = 0;
	if (http_get(url, opts, &body, &len, code, cause) < 0) {
		*exit_status = EXIT_FETCH;
		return NULL;
	}
	struct json_object *root = parse_body(body, len, route, cause);
	free(body);
	if (!root) {
		*exit_status = EXIT_DATA;
		return NULL;
	}
	if (!json_object_object_get_ex(root, "jobs", jobs) || !json_object_is_type(*jobs, json_type_array)) {
		json_object_put(root);
		*cause = xasprintf("unexpected job list from %s: no \"jobs\" array", route);
		*exit_status = EXIT_DATA;
		return NULL;
	}
	return root;
}

/* Fetches the job list (see joblist.h). */
int joblist_fetch(const struct fetch_config *opts, const char *status, struct joblist *out,
		  char **cause, int *exit_status)
{
	size_t cap = 0, offset = 0;
	char *base, *url;
	long code = 0;
	bool fallback = false;

	memset(out, 0, sizeof *out);
	if (!opts->url || !*opts->url) {
		*cause = xstrdup("no API URL: set TRCOMPARE_URL or --url");
		*exit_status = EXIT_USAGE;
		return -1;
	}
	base = base_url(opts->url);

	for (int page = 0; page < JOBLIST_MAX_PAGES; page++) {
		struct json_object *root, *jobs, *total, *off;
		bool has_total, last;
		size_t got;

		url = xasprintf("%s/api/training/local/jobs?limit=%d&offset=%zu", base, JOBLIST_PAGE, offset);
		root = get_jobs(url, "/api/training/local/jobs", opts, &jobs, &code, cause, exit_status);
		free(url);
		if (!root) {
			/* An older platform without the local route: the short list. */
			if (page == 0 && *exit_status == EXIT_FETCH &&
			    (code == 404 || code == 405 || code == 501)) {
				free(*cause);
				*cause = NULL;
				fallback = true;
				break;
			}
			goto fail;
		}
		got = json_object_array_length(jobs);
		add_jobs(out, &cap, jobs, status);
		/* The last page: empty, at the total, short when there is no
		 * total, or from a server that ignores offset (it would repeat
		 * the first page forever). */
		has_total = json_object_object_get_ex(root, "total", &total) &&
			    json_object_is_type(total, json_type_int);
		last = got == 0 ||
		       (has_total && (int64_t)(offset + got) >= json_object_get_int64(total)) ||
		       (!has_total && got < JOBLIST_PAGE) ||
		       (json_object_object_get_ex(root, "offset", &off) &&
			json_object_is_type(off, json_type_int) &&
			json_object_get_int64(off) != (int64_t)offset);
		offset += got;
		json_object_put(root);
		if (last)
			break;
	}

	if (fallback) {
		struct json_object *root, *jobs;

		url = xasprintf("%s/api/training/jobs", base);
		root = get_jobs(url, "/api/training/jobs", opts, &jobs, &code, cause, exit_status);
		free(url);
		if (!root)
			goto fail;
		add_jobs(out, &cap, jobs, status);
		json_object_put(root);
	}
	free(base);
	sort_newest(out);
	return 0;

fail:
	free(base);
	joblist_free(out);
	return -1;
}

/* Frees the list's jobs. */
void joblist_free(struct joblist *jl)
{
	if (!jl)
		return;
	for (size_t i = 0; i < jl->n; i++) {
		struct job_info *j = &jl->jobs[i];

		free(j->id);
		free(j->model_name);
		free(j->status);
		free(j->started_at);
		free(j->completed_at);
		free(j->created_at);
	}
	free(jl->jobs);
	jl->jobs = NULL;
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
		bool is_str[13] = { true, true, true, false, false, false, false, false, false, true, true, true, false };

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
