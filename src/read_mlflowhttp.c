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

/* GETs PATH through GET and parses the answer as JSON into *OUT.  0, or
 * -1 with *cause and *exit_status; *CODE the HTTP status (0: no answer). */
static int get_json(const struct mlflow_getter *get, const char *path, struct json_object **out,
		    long *code, char **cause, int *exit_status)
{
	char *body = NULL, *err = NULL;
	size_t len = 0;
	*out = NULL;
	*code = 0;
	if (get->get(get->ctx, path, &body, &len, code, &err) < 0) {
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
		const char *next = str_member(o, "next_page_token");
		if (rc == 0 && next && token && strcmp(next, token) == 0) {
			*cause = xasprintf("metric '%s': the server gave the same page token twice", shown);
			*exit_status = EXIT_DATA;
			rc = -1;
		}
		free(token);
		token = rc == 0 && next && *next && n ? xstrdup(next) : NULL;
		json_object_put(o);
		if (!token)
			break;
	}
	free(token);
	free(ekey);
	free(shown);
	return rc;
}

int mlflow_http_walk(struct run *run, const char *run_id, const struct mlflow_getter *get, char **cause,
		     int *exit_status)
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
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *k = str_member(json_object_array_get_idx(metrics, i), "key");
		if (k)
			rc = read_history(run, get, eid, k, time_col, cols_read, ARRAY_SIZE(cols_read), cause,
					  exit_status);
	}
	json_object_put(o);
	free(eid);
	/* Each key's points are in step order; together they are not. */
	run_sort_rows(run);
	return rc;
}

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

int mlflow_http_load(struct run *run, const char *target, const struct fetch_config *fc, char **cause,
		     int *exit_status)
{
	const char *hash = strchr(target, '#');
	if (!hash || !hash[1]) {
		*cause = xstrdup("no run id: give mlflow+http://HOST:PORT/#RUN_ID");
		*exit_status = EXIT_DATA;
		return -1;
	}
	char *base = xstrndup(target + strlen(SCHEME), (size_t)(hash - target) - strlen(SCHEME));
	struct http_ctx h = { base, fc };
	struct mlflow_getter get = { http_getter, &h };
	int rc = mlflow_http_walk(run, hash + 1, &get, cause, exit_status);
	free(base);
	return rc;
}
