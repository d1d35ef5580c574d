/* read_mlflowhttp.c: a run on an MLflow tracking server, over its REST API
 * (mlflow.h).
 *
 *   GET BASE/api/2.0/mlflow/runs/get?run_id=ID
 *       {"run": {"info": {"run_id", "run_name", "status", …},
 *                "data": {"metrics": [{"key", …}], "params": [{"key",
 *                "value"}], "tags": […]}}}
 *   GET BASE/api/2.0/mlflow/metrics/get-history?run_id=ID&metric_key=K
 *       &max_results=N[&page_token=T]
 *       {"metrics": [{"key", "value", "timestamp", "step"}],
 *        "next_page_token": "…"}
 * and for a JOB naming an experiment (mlflow_http_list):
 *   GET BASE/api/2.0/mlflow/experiments/get?experiment_id=EXP
 *   POST BASE/api/2.0/mlflow/runs/search {"experiment_ids": ["EXP"],
 *       "run_view_type": "ACTIVE_ONLY", "max_results": N[, "page_token"]}
 *       {"runs": [{"info": {"run_id", "start_time", "lifecycle_stage"…},
 *        …}], "next_page_token": "…"}
 * Numbers may come as JSON numbers or as strings (protobuf's JSON writes
 * int64 and NaN/Infinity as strings).  Every answer is untrusted: held
 * whole (http_get, --max-filesize bounds it), parsed with json-c; keys map
 * through tagmap.h as in the file store. */
#include "config.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mlflow.h"
#include "tagmap.h"
#include "text.h"
#include "util.h"

#define SCHEME "mlflow+"

bool mlflow_http_is(const char *target)
{
	return strncmp(target, SCHEME "http://", 14) == 0 || strncmp(target, SCHEME "https://", 15) == 0;
}

/* Member KEY of object O, or NULL. */
static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* String member KEY of O, or NULL (borrowed). */
static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* V as a number: a JSON number, or a string holding one ("NaN",
 * "Infinity" too).  False when it is neither. */
static bool number(struct json_object *v, double *out)
{
	if (v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))) {
		*out = json_object_get_double(v);
		return true;
	}
	if (!v || !json_object_is_type(v, json_type_string))
		return false;
	const char *s = json_object_get_string(v);
	char *end;
	*out = strtod(s, &end);
	return end != s && *end == '\0';
}

/* Asks GET for PATH (a POST of JSON when JSON is not NULL) and parses the
 * answer as JSON into *OUT.  0, or -1 with *cause and *exit_status; *CODE
 * the HTTP status (0: no answer). */
static int ask_json(const struct mlflow_getter *get, const char *path, const char *json,
		    struct json_object **out, long *code, char **cause, int *exit_status)
{
	char *body = NULL, *err = NULL;
	size_t len = 0;
	*out = NULL;
	*code = 0;
	int rc = json ? get->post(get->ctx, path, json, &body, &len, code, &err)
		      : get->get(get->ctx, path, &body, &len, code, &err);
	if (rc < 0) {
		*cause = err ? err : xstrdup("no answer");
		*exit_status = EXIT_FETCH;
		return -1;
	}
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = len < 0x7fffffff ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
	bool whole = o && json_tokener_get_error(tok) == json_tokener_success;
	json_tokener_free(tok);
	free(body);
	if (!whole || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*cause = xstrdup("the answer is not a JSON object");
		*exit_status = EXIT_DATA;
		return -1;
	}
	*out = o;
	return 0;
}

/* The page token to ask with after answer O (TOKEN the one just asked
 * with, freed; SOME: the page held items), malloc'd, or NULL when the
 * pages end or *RC is not 0.  A token that repeats TOKEN sets *RC to -1,
 * *cause ("KIND 'SHOWN': the server gave the same page token twice") and
 * *exit_status (EXIT_DATA). */
static char *next_page(struct json_object *o, char *token, bool some, const char *kind, const char *shown,
		       int *rc, char **cause, int *exit_status)
{
	const char *next = str_member(o, "next_page_token");
	if (*rc == 0 && next && token && strcmp(next, token) == 0) {
		*cause = xasprintf("%s '%s': the server gave the same page token twice", kind, shown);
		*exit_status = EXIT_DATA;
		*rc = -1;
	}
	free(token);
	return *rc == 0 && next && *next && some ? xstrdup(next) : NULL;
}

/* ask_json's GET. */
static int get_json(const struct mlflow_getter *get, const char *path, struct json_object **out,
		    long *code, char **cause, int *exit_status)
{
	return ask_json(get, path, NULL, out, code, cause, exit_status);
}

/* tagmap_hf_summary: does the array of metrics CTX (runs/get's) name KEY? */
static bool has_key(const void *ctx, const char *key)
{
	struct json_object *metrics = (struct json_object *)ctx;
	size_t n = json_object_array_length(metrics);
	for (size_t i = 0; i < n; i++) {
		const char *k = str_member(json_object_array_get_idx(metrics, i), "key");
		if (k && strcmp(k, key) == 0)
			return true;
	}
	return false;
}

/* Reads every page of metric KEY of run ID (escaped: EID) into RUN;
 * COLS_READ[NCOLS_READ] marks the columns read (a key whose column is, is
 * skipped: the server listed it twice). */
static int read_history(struct run *run, const struct mlflow_getter *get, const char *eid, const char *key,
			int time_col, bool *cols_read, size_t ncols_read, char **cause, int *exit_status)
{
	char *colname = tagmap_column(key, strlen(key), false);
	if (!colname)
		return 0;
	int col = run_col(run, colname);
	free(colname);
	if (col < 0) {
		run->ignored_fields++;
		return 0;
	}
	if ((size_t)col < ncols_read && cols_read[col])
		return 0; /* a key listed twice, or another key of the same column */
	if ((size_t)col < ncols_read)
		cols_read[col] = true;
	/* The server's text in our messages: no control characters. */
	char *shown = text_sanitize(key, strlen(key), TEXT_MAX_CHARS, "?");
	char *ekey = http_escape(key), *token = NULL;
	int rc = 0;
	for (int page = 0; rc == 0; page++) {
		if (page >= MLFLOW_HTTP_MAX_PAGES) {
			*cause = xasprintf("metric '%s': more than %d pages", shown, MLFLOW_HTTP_MAX_PAGES);
			*exit_status = EXIT_DATA;
			rc = -1;
			break;
		}
		char *etok = token ? http_escape(token) : NULL;
		char *path = xasprintf("/api/2.0/mlflow/metrics/get-history?run_id=%s&metric_key=%s"
				       "&max_results=%d%s%s", eid, ekey, MLFLOW_HTTP_PAGE,
				       etok ? "&page_token=" : "", etok ? etok : "");
		free(etok);
		struct json_object *o;
		long code;
		rc = get_json(get, path, &o, &code, cause, exit_status);
		free(path);
		if (rc < 0) {
			char *c = xasprintf("metric '%s': %s", shown, *cause);
			free(*cause);
			*cause = c;
			break;
		}
		struct json_object *pts = member(o, "metrics");
		size_t n = pts && json_object_is_type(pts, json_type_array) ? json_object_array_length(pts) : 0;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			struct json_object *p = json_object_array_get_idx(pts, i);
			double v, ts = NAN, step = 0;
			struct json_object *sv = member(p, "step");
			if (!number(member(p, "value"), &v) ||
			    (sv && !(number(sv, &step) && fabs(step) < 9.007199254740992e15 && step == floor(step)))) {
				run->skipped_nostep++;
				continue;
			}
			(void)number(member(p, "timestamp"), &ts);
			if ((rc = run_add_row(run, step, cause)) < 0) {
				*exit_status = EXIT_DATA;
				break;
			}
			if (isfinite(ts) && ts > 0)
				run_set(run, time_col, ts / 1000);
			if (isfinite(v) && fabs(v) < 1.7976931348623157e308)
				run_set(run, col, v);
			else
				run->nonfinite++;
		}
		token = next_page(o, token, n > 0, "metric", shown, &rc, cause, exit_status);
		json_object_put(o);
		if (!token)
			break;
	}
	free(token);
	free(ekey);
	free(shown);
	return rc;
}

/* Appends string S to B, its length first (so that no two lists of
 * strings spell the same); "-" for NULL. */
static void stamp_str(struct buf *b, const char *s)
{
	if (s)
		buf_printf(b, "%zu:%s", strlen(s), s);
	else
		buf_puts(b, "-");
}

/* Appends number V to B as its value ("5" and 5 alike), else as its JSON. */
static void stamp_num(struct buf *b, struct json_object *v)
{
	double d;
	if (number(v, &d))
		buf_printf(b, "%.17g;", d);
	else
		stamp_str(b, v ? json_object_to_json_string(v) : NULL);
}

/* struct mlflow_stamp's stamp of runs/get's run R (INFO, DATA its
 * members), malloc'd. */
static char *run_stamp(struct json_object *info, struct json_object *data)
{
	struct buf b = { 0 };
	stamp_str(&b, str_member(info, "status"));
	stamp_num(&b, member(info, "end_time"));
	stamp_str(&b, str_member(info, "lifecycle_stage"));
	stamp_str(&b, str_member(info, "run_name"));
	static const char *const lists[] = { "params", "metrics" };
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		struct json_object *a = member(data, lists[l]);
		size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
		buf_printf(&b, "%s%zu;", lists[l], n);
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(a, i);
			stamp_str(&b, str_member(e, "key"));
			if (l == 0) {
				stamp_str(&b, str_member(e, "value"));
			} else {
				stamp_num(&b, member(e, "value"));
				stamp_num(&b, member(e, "step"));
				stamp_num(&b, member(e, "timestamp"));
			}
		}
	}
	return b.data;
}

int mlflow_http_walk(struct run *run, const char *run_id, const struct mlflow_getter *get,
		     struct mlflow_stamp *st, char **cause, int *exit_status)
{
	char *eid = http_escape(run_id);
	char *path = xasprintf("/api/2.0/mlflow/runs/get?run_id=%s", eid);
	struct json_object *o;
	long code;
	int rc = get_json(get, path, &o, &code, cause, exit_status);
	free(path);
	if (rc < 0 && code == 404) {
		char *c = xasprintf("no run '%s' on the MLflow server (%s)", run_id, *cause);
		free(*cause);
		*cause = c;
	}
	struct json_object *r = rc == 0 ? member(o, "run") : NULL;
	struct json_object *info = member(r, "info"), *data = member(r, "data");
	if (rc == 0 && !info) {
		*cause = xstrdup("the answer holds no run");
		*exit_status = EXIT_DATA;
		rc = -1;
	}
	if (rc == 0 && st) {
		st->stamp = run_stamp(info, data);
		st->same = st->if_same && strcmp(st->if_same, st->stamp) == 0;
		if (st->same) {
			json_object_put(o);
			free(eid);
			return 0;
		}
	}
	if (rc == 0) {
		const char *name = str_member(info, "run_name");
		const char *id = str_member(info, "run_id");
		const char *status = mlflow_status(str_member(info, "status"));
		free(run->name);
		run->name = xstrdup(name && *name ? name : run_id);
		free(run->id);
		run->id = xstrdup(id && *id ? id : run_id);
		free(run->status);
		run->status = status ? xstrdup(status) : NULL;
		struct json_object *params = member(data, "params");
		size_t n = params && json_object_is_type(params, json_type_array)
			   ? json_object_array_length(params) : 0;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			struct json_object *p = json_object_array_get_idx(params, i);
			const char *k = str_member(p, "key"), *v = str_member(p, "value");
			if (k && (rc = run_add_param(run, k, v ? v : "", cause)) < 0)
				*exit_status = EXIT_DATA;
		}
	}
	struct json_object *metrics = rc == 0 ? member(data, "metrics") : NULL;
	size_t n = metrics && json_object_is_type(metrics, json_type_array) ? json_object_array_length(metrics) : 0;
	int time_col = run_col(run, COL_TIME);
	bool cols_read[RUN_MAX_COLS + 1] = { false }; /* each column read once */
	bool hf = n && tagmap_hf_summary(has_key, metrics);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *k = str_member(json_object_array_get_idx(metrics, i), "key");
		if (k && !(hf && strcmp(k, TAGMAP_HF_MEAN) == 0))
			rc = read_history(run, get, eid, k, time_col, cols_read, ARRAY_SIZE(cols_read), cause,
					  exit_status);
	}
	json_object_put(o);
	free(eid);
	/* Each key's points are in step order; together they are not. */
	run_sort_rows(run);
	return rc;
}

/* A run id the server listed, fit to stand in a JOB's fragment and a
 * message: 1 to 64 of [A-Za-z0-9_.-] (MLflow's are 32 hex digits). */
static bool id_ok(const char *id)
{
	size_t n = strlen(id);
	return n > 0 && n <= 64 && strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789_.-") == n;
}

/* A run of a search: its id, start time (ms; INFINITY when unknown) and
 * place in the server's list. */
struct found {
	char *id;
	const char *status; /* mlflow_status of info.status, or NULL */
	double start;
	size_t at;
};

/* qsort's order of struct found: by start time; equal times keep the
 * server's order (AT breaks ties: qsort is not stable). */
static int by_start(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Adds the runs of search answer O to FOUND[*N] (growing *CAP): those not
 * deleted, each id once.  0, or -1 with *cause (EXIT_DATA). */
static int add_found(struct json_object *o, const char *shown_exp, struct found **found, size_t *n,
		     size_t *cap, char **cause)
{
	struct json_object *runs = member(o, "runs");
	size_t m = runs && json_object_is_type(runs, json_type_array) ? json_object_array_length(runs) : 0;
	for (size_t i = 0; i < m; i++) {
		struct json_object *info = member(json_object_array_get_idx(runs, i), "info");
		const char *id = str_member(info, "run_id");
		if (!id)
			id = str_member(info, "run_uuid");
		const char *stage = str_member(info, "lifecycle_stage");
		if (!id || (stage && strcmp(stage, "deleted") == 0))
			continue;
		if (!id_ok(id)) {
			char *shown = text_sanitize(id, strlen(id), TEXT_MAX_CHARS, "?");
			*cause = xasprintf("the server listed a run id that is none: '%s'", shown);
			free(shown);
			return -1;
		}
		bool dup = false;
		for (size_t k = 0; k < *n && !dup; k++)
			dup = strcmp((*found)[k].id, id) == 0;
		if (dup)
			continue;
		if (*n >= MLFLOW_HTTP_MAX_RUNS) {
			*cause = xasprintf("more than %d runs in experiment '%s'", MLFLOW_HTTP_MAX_RUNS, shown_exp);
			return -1;
		}
		double start;
		if (!number(member(info, "start_time"), &start) || !isfinite(start))
			start = INFINITY;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*found = xreallocarray(*found, *cap, sizeof **found);
		}
		(*found)[*n].id = xstrdup(id);
		(*found)[*n].status = mlflow_status(str_member(info, "status"));
		(*found)[*n].start = start;
		(*found)[*n].at = *n;
		(*n)++;
	}
	return 0;
}

int mlflow_http_search(const char *exp, const struct mlflow_getter *get, char ***ids,
		       const char ***statuses, size_t *n, char **cause, int *exit_status)
{
	*ids = NULL;
	if (statuses)
		*statuses = NULL;
	*n = 0;
	char *shown = text_sanitize(exp, strlen(exp), TEXT_MAX_CHARS, "?");
	char *eexp = http_escape(exp);
	char *path = xasprintf("/api/2.0/mlflow/experiments/get?experiment_id=%s", eexp);
	free(eexp);
	struct json_object *o;
	long code;
	int rc = get_json(get, path, &o, &code, cause, exit_status);
	free(path);
	json_object_put(o);
	if (rc < 0) {
		char *c = code == 404 ? xasprintf("no experiment '%s' on the MLflow server (%s)", shown, *cause)
				      : xasprintf("experiment '%s': %s", shown, *cause);
		free(*cause);
		*cause = c;
		free(shown);
		return -1;
	}
	struct found *found = NULL;
	size_t nfound = 0, cap = 0;
	char *token = NULL;
	for (int page = 0; rc == 0; page++) {
		if (page >= MLFLOW_HTTP_MAX_PAGES) {
			*cause = xasprintf("experiment '%s': more than %d pages of runs", shown, MLFLOW_HTTP_MAX_PAGES);
			*exit_status = EXIT_DATA;
			rc = -1;
			break;
		}
		/* The request built by json-c: the id and the server's token
		 * quoted as JSON strings, whatever they hold. */
		struct json_object *req = json_object_new_object(), *eids = json_object_new_array();
		json_object_array_add(eids, json_object_new_string(exp));
		json_object_object_add(req, "experiment_ids", eids);
		json_object_object_add(req, "run_view_type", json_object_new_string("ACTIVE_ONLY"));
		json_object_object_add(req, "max_results", json_object_new_int(MLFLOW_HTTP_SEARCH_PAGE));
		if (token)
			json_object_object_add(req, "page_token", json_object_new_string(token));
		rc = ask_json(get, "/api/2.0/mlflow/runs/search",
			      json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), &o, &code, cause,
			      exit_status);
		json_object_put(req);
		if (rc < 0) {
			char *c = code == 404 && page == 0
				  ? xasprintf("no experiment '%s' on the MLflow server (%s)", shown, *cause)
				  : xasprintf("experiment '%s': %s", shown, *cause);
			free(*cause);
			*cause = c;
			break;
		}
		if ((rc = add_found(o, shown, &found, &nfound, &cap, cause)) < 0)
			*exit_status = EXIT_DATA;
		struct json_object *runs = member(o, "runs");
		bool some = runs && json_object_is_type(runs, json_type_array) && json_object_array_length(runs);
		token = next_page(o, token, some, "experiment", shown, &rc, cause, exit_status);
		json_object_put(o);
		if (!token)
			break;
	}
	free(token);
	if (rc == 0 && nfound == 0) {
		*cause = xasprintf("experiment '%s' has no runs (deleted runs are left out)", shown);
		*exit_status = EXIT_DATA;
		rc = -1;
	}
	if (rc == 0) {
		qsort(found, nfound, sizeof *found, by_start);
		*ids = xcalloc(nfound, sizeof **ids);
		if (statuses)
			*statuses = xcalloc(nfound, sizeof **statuses);
		for (size_t i = 0; i < nfound; i++) {
			(*ids)[i] = found[i].id;
			if (statuses)
				(*statuses)[i] = found[i].status;
		}
		*n = nfound;
	} else {
		for (size_t i = 0; i < nfound; i++)
			free(found[i].id);
	}
	free(found);
	free(shown);
	return rc;
}

/* The value of hex digit C, or -1. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* The value of parameter NAME in QUERY ("a=1&b=2"), percent-decoded
 * (malloc'd; *LEN its length, a decoded NUL byte included), or NULL. */
static char *query_value(const char *query, const char *name, size_t *len_out)
{
	size_t nl = strlen(name);
	for (const char *q = query; *q;) {
		size_t len = strcspn(q, "&");
		if (len > nl && strncmp(q, name, nl) == 0 && q[nl] == '=') {
			const char *v = q + nl + 1;
			size_t vlen = len - nl - 1;
			char *out = xmalloc(vlen + 1), *o = out;
			for (size_t i = 0; i < vlen; i++) {
				int hi, lo;
				if (v[i] == '%' && i + 2 < vlen && (hi = hexval(v[i + 1])) >= 0 &&
				    (lo = hexval(v[i + 2])) >= 0) {
					*o++ = (char)(hi * 16 + lo);
					i += 2;
				} else {
					*o++ = v[i];
				}
			}
			*o = '\0';
			*len_out = (size_t)(o - out);
			return out;
		}
		q += len + (q[len] == '&');
	}
	return NULL;
}

/* The parts of JOB TARGET (mlflow_http_is): the server's URL (*BASE,
 * malloc'd) and one of a run (*RUN), an experiment (*EXP) or the runs=
 * value of the UI's compare page (*CMP, percent-decoded, *CMP_LEN bytes:
 * a JSON list of run ids), the others NULL (malloc'd).  0, or -1 when the fragment names
 * none of them. */
static int parse_target(const char *target, char **base, char **run, char **exp, char **cmp, size_t *cmp_len)
{
	*base = *run = *exp = *cmp = NULL;
	*cmp_len = 0;
	const char *hash = strchr(target, '#');
	if (!hash || !hash[1])
		return -1;
	const char *f = hash + 1;
	static const char ex[] = "/experiments/", runs[] = "/runs/", compare[] = "/compare-runs?";
	if (f[0] != '/') {
		*run = xstrdup(f);
	} else if (strncmp(f, runs, strlen(runs)) == 0) {
		/* The UI's direct run URL, /runs/ID (its runPageDirect
		 * route), what follows ID ignored as after …/runs/ID below. */
		const char *r = f + strlen(runs);
		size_t rlen = strcspn(r, "/?");
		if (rlen == 0)
			return -1;
		*run = xstrndup(r, rlen);
	} else if (strncmp(f, compare, strlen(compare)) == 0) {
		/* The UI's page comparing runs (its compareRuns route),
		 * /compare-runs?runs=["ID",…]&experiments=["EXP",…]. */
		*cmp = query_value(f + strlen(compare), "runs", cmp_len);
		if (!*cmp)
			return -1;
	} else if (strncmp(f, ex, strlen(ex)) == 0) {
		/* The MLflow UI's routes; a query the UI keeps in the fragment
		 * ("?searchFilter=…") is no part of them. */
		const char *e = f + strlen(ex);
		size_t elen = strcspn(e, "/?");
		const char *rest = e + elen;
		if (elen == 0)
			return -1;
		/* A tab of the experiment page, /experiments/EXP/TAB
		 * ("runs", "traces", "models", … : the UI's experimentPageTabbed
		 * route, /experiments/:experimentId/:tabName), is the
		 * experiment too. */
		const char *tab = rest[0] == '/' ? rest + 1 : rest;
		size_t tlen = strspn(tab, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
		const char *after = tab + tlen;
		if (after[0] == '/' && tlen)
			after++;
		if (*rest == '\0' || *rest == '?' || (rest[0] == '/' && (*after == '\0' || *after == '?'))) {
			*exp = xstrndup(e, elen);
		} else if (strncmp(rest, runs, strlen(runs)) == 0) {
			/* …/runs/ID, and the run page's tabs after it. */
			const char *r = rest + strlen(runs);
			size_t rlen = strcspn(r, "/?");
			if (rlen == 0)
				return -1;
			*run = xstrndup(r, rlen);
		} else {
			return -1;
		}
	} else {
		return -1;
	}
	*base = xstrndup(target + strlen(SCHEME), (size_t)(hash - target) - strlen(SCHEME));
	return 0;
}

char *mlflow_http_key(const char *target)
{
	char *base, *id, *exp, *cmp, *key = NULL;
	size_t cmp_len;
	if (parse_target(target, &base, &id, &exp, &cmp, &cmp_len) == 0 && !cmp) {
		char *server = http_url_identity(base), *access = http_url_access(base);
		if (server)
			key = xasprintf("%s#/%s/%s%s%s", server, id ? "runs" : "experiments", id ? id : exp,
					*access ? " " : "", access);
		free(server);
		free(access);
	}
	free(base);
	free(id);
	free(exp);
	free(cmp);
	return key;
}

#define NO_RUN \
	"no run id: give mlflow+http://HOST:PORT/#RUN_ID, #/runs/RUN_ID, " \
	"#/experiments/EXP/runs/RUN_ID, #/experiments/EXP or #/compare-runs?runs=[…]"

/* What http_getter needs: the server's base URL and the fetch settings. */
struct http_ctx {
	const char *base;
	const struct fetch_config *fc;
};

/* The getter of mlflow_http_load (struct mlflow_getter): http_get of PATH
 * joined to CTX's base URL. */
static int http_getter(void *ctx, const char *path, char **body, size_t *len, long *code, char **cause)
{
	const struct http_ctx *h = ctx;
	char *url = http_url_join(h->base, path);
	int rc = http_get(url, h->fc, body, len, code, cause);
	free(url);
	return rc;
}

/* The getter's POST: http_post_json of JSON to PATH joined to CTX's base. */
static int http_poster(void *ctx, const char *path, const char *json, char **body, size_t *len, long *code,
		       char **cause)
{
	const struct http_ctx *h = ctx;
	char *url = http_url_join(h->base, path);
	int rc = http_post_json(url, h->fc, json, body, len, code, cause);
	free(url);
	return rc;
}

int mlflow_http_load(struct run *run, const char *target, const struct fetch_config *fc,
		     struct mlflow_stamp *st, char **cause, int *exit_status)
{
	char *base, *id, *exp, *cmp;
	size_t cmp_len;
	if (parse_target(target, &base, &id, &exp, &cmp, &cmp_len) < 0 || !id) {
		/* An experiment (a compare page) stands for its runs
		 * (mlflow_http_list): it is read as one run only when it
		 * could not be listed. */
		free(base);
		free(id);
		free(exp);
		free(cmp);
		*cause = xstrdup(NO_RUN);
		*exit_status = EXIT_DATA;
		return -1;
	}
	struct http_ctx h = { base, fc };
	struct mlflow_getter get = { http_getter, http_poster, &h };
	int rc = mlflow_http_walk(run, id, &get, st, cause, exit_status);
	free(base);
	free(id);
	return rc;
}

/* The runs of the UI's compare page TARGET, RUNS its runs= value (LEN
 * bytes): a JSON list of run ids, each once, at most
 * MLFLOW_HTTP_MAX_RUNS, in the page's order, as mlflow_http_list's
 * *TARGETS "…#/runs/RUN_ID" (statuses unknown: NULL).  Nothing is asked
 * of the server.  Same returns. */
static int compare_list(const char *target, const char *runs, size_t len, char ***targets,
			const char ***statuses, size_t *n, char **cause, int *exit_status)
{
	*exit_status = EXIT_DATA;
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = len < 0x7fffffff ? json_tokener_parse_ex(tok, runs, (int)len) : NULL;
	/* One value, all of RUNS: nothing but white space after the list. */
	size_t end = o ? json_tokener_get_parse_end(tok) : 0;
	while (end < len && (runs[end] == ' ' || runs[end] == '\t' || runs[end] == '\n' || runs[end] == '\r'))
		end++;
	bool whole = o && json_tokener_get_error(tok) == json_tokener_success && end == len;
	json_tokener_free(tok);
	if (!whole || !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		*cause = xstrdup("the compare page's runs= is not a JSON list of run ids");
		return -1;
	}
	size_t count = json_object_array_length(o);
	if (count == 0) {
		json_object_put(o);
		*cause = xstrdup("the compare page's runs= lists no run");
		return -1;
	}
	if (count > MLFLOW_HTTP_MAX_RUNS) {
		json_object_put(o);
		*cause = xasprintf("more than %d runs on the compare page", MLFLOW_HTTP_MAX_RUNS);
		return -1;
	}
	char **t = xcalloc(count, sizeof *t);
	size_t k = 0;
	const char *hash = strchr(target, '#');
	for (size_t i = 0; i < count; i++) {
		struct json_object *e = json_object_array_get_idx(o, i);
		const char *id = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
		if (!id || !id_ok(id) || strlen(id) != (size_t)json_object_get_string_len(e)) {
			const char *js = e ? json_object_to_json_string(e) : "null";
			char *shown = text_sanitize(js, strlen(js), TEXT_MAX_CHARS, "(empty)");
			*cause = xasprintf("the compare page lists a run id that is none: %s", shown);
			free(shown);
			for (size_t j = 0; j < k; j++)
				free(t[j]);
			free(t);
			json_object_put(o);
			return -1;
		}
		char *job = xasprintf("%.*s#/runs/%s", (int)(hash - target), target, id);
		bool again = false;
		for (size_t j = 0; j < k && !again; j++)
			again = strcmp(t[j], job) == 0;
		if (again)
			free(job);
		else
			t[k++] = job;
	}
	json_object_put(o);
	*targets = t;
	*statuses = xcalloc(k, sizeof **statuses);
	*n = k;
	return 0;
}

int mlflow_http_list(const char *target, const struct fetch_config *fc, char ***targets,
		     const char ***statuses, size_t *n, char **cause, int *exit_status)
{
	*targets = NULL;
	*statuses = NULL;
	*n = 0;
	char *base, *id, *exp, *cmp;
	size_t cmp_len;
	if (parse_target(target, &base, &id, &exp, &cmp, &cmp_len) < 0 || (!exp && !cmp)) {
		free(base);
		free(id);
		return 0;
	}
	if (cmp) {
		free(base);
		int rc = compare_list(target, cmp, cmp_len, targets, statuses, n, cause, exit_status);
		free(cmp);
		return rc;
	}
	struct http_ctx h = { base, fc };
	struct mlflow_getter get = { http_getter, http_poster, &h };
	char **ids;
	int rc = mlflow_http_search(exp, &get, &ids, statuses, n, cause, exit_status);
	const char *hash = strchr(target, '#');
	for (size_t i = 0; rc == 0 && i < *n; i++) {
		char *t = xasprintf("%.*s#/experiments/%s/runs/%s", (int)(hash - target), target, exp, ids[i]);
		free(ids[i]);
		ids[i] = t;
	}
	if (rc == 0)
		*targets = ids;
	free(base);
	free(exp);
	return rc;
}
