/* fuzz_mlflowhttp.c: libFuzzer target for the MLflow tracking server
 * reader (read_mlflowhttp.c): the walk of a hostile server's answers
 * (runs/get, then each metric's get-history pages) through
 * mlflow_http_walk, without HTTP; or, for an input that starts with 'S',
 * an experiment's listing (experiments/get, then runs/search pages)
 * through mlflow_http_search, the rest of the input being the answers.
 * The input is the server's answers in
 * the order they are asked for, separated by NUL bytes; an answer "!CODE"
 * is a failed request with HTTP status CODE (404: no such run), and once
 * the answers run out every request fails with no answer.  Checked: no
 * crash, leak or undefined behaviour; an error always says why, with
 * EXIT_FETCH or EXIT_DATA and no control character of the server's in it;
 * every path asked for is one of the routes with its query parameters
 * escaped (no server text adds a parameter); every row's step is a whole
 * number below 2^53; every POST body is one JSON object with the
 * experiment id as given; a listing's ids are 1 to 64 of [A-Za-z0-9_.-],
 * each once.
 *
 *   ./configure --enable-fuzzing CC=clang
 *   make tests/fuzz/fuzz_mlflowhttp
 *   tests/fuzz/fuzz_mlflowhttp -max_len=4096 -max_total_time=600 \
 *       -dict=$top_srcdir/tests/fuzz/mlflowhttp.dict \
 *       /tmp/mlh-corpus $top_srcdir/tests/fuzz/corpus/mlflowhttp */
#include "config.h"

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow.h"
#include "run.h"
#include "util.h"

#define RUN_ID "fuzz run/1"
#define EXP_ID "7 \"x\"/#"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct answers {
	const uint8_t *data;
	size_t size, pos;
	bool done; /* past the last answer */
};

static void violated(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_mlflowhttp: property violated: %s: \"%s\"\n", what, text);
	abort();
}

/* Does PATH start with ROUTE, followed by exactly the parameters NAMES
 * (space-separated, in order; a trailing "page_token" optional), each
 * value escaped? */
static bool path_ok(const char *path, const char *route, const char *names)
{
	size_t n = strlen(route);
	if (strncmp(path, route, n) != 0 || path[n] != '?')
		return false;
	const char *p = path + n + 1;
	char want[128];
	snprintf(want, sizeof want, "%s", names);
	for (char *save = NULL, *name = strtok_r(want, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		size_t k = strlen(name);
		if (!*p && strcmp(name, "page_token") == 0)
			return true;
		if (strncmp(p, name, k) != 0 || p[k] != '=')
			return false;
		p += k + 1;
		while (*p && *p != '&') {
			if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
			      strchr("-._~%", *p)))
				return false;
			p++;
		}
		if (*p == '&')
			p++;
		else if (*p)
			return false;
	}
	return !*p && p[-1] != '&';
}

/* The next answer. */
static int answer(struct answers *a, char **body, size_t *len, long *code, char **cause)
{
	if (a->done) {
		*cause = NULL; /* "no answer" */
		return -1;
	}
	const uint8_t *start = a->data + a->pos, *nul = memchr(start, 0, a->size - a->pos);
	size_t n = nul ? (size_t)(nul - start) : a->size - a->pos;
	a->pos += n + 1;
	a->done = !nul;
	if (n && start[0] == '!') {
		char digits[8] = { 0 };
		memcpy(digits, start + 1, n - 1 < sizeof digits - 1 ? n - 1 : sizeof digits - 1);
		*code = strtol(digits, NULL, 10);
		*cause = xasprintf("HTTP %ld", *code);
		return -1;
	}
	*body = xmalloc(n + 1);
	if (n)
		memcpy(*body, start, n);
	(*body)[n] = '\0';
	*len = n;
	*code = 200;
	return 0;
}

static int serve(void *ctx, const char *path, char **body, size_t *len, long *code, char **cause)
{
	if (!path_ok(path, "/api/2.0/mlflow/runs/get", "run_id") &&
	    !path_ok(path, "/api/2.0/mlflow/metrics/get-history", "run_id metric_key max_results page_token") &&
	    !path_ok(path, "/api/2.0/mlflow/experiments/get", "experiment_id"))
		violated("a path asked for", path);
	return answer(ctx, body, len, code, cause);
}

static int post(void *ctx, const char *path, const char *json, char **body, size_t *len, long *code,
		char **cause)
{
	if (strcmp(path, "/api/2.0/mlflow/runs/search") != 0)
		violated("a path posted to", path);
	struct json_object *o = json_tokener_parse(json), *ids = NULL;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "experiment_ids", &ids) || json_object_array_length(ids) != 1 ||
	    strcmp(json_object_get_string(json_object_array_get_idx(ids, 0)), EXP_ID) != 0)
		violated("a search's body", json);
	json_object_put(o);
	return answer(ctx, body, len, code, cause);
}

/* An error's cause and status, as every error must be. */
static void check_error(const char *cause, int status)
{
	if (!cause)
		violated("an error without a cause", "");
	if (status != EXIT_FETCH && status != EXIT_DATA)
		violated("an error's exit status", cause);
	for (const char *c = cause; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			violated("a control character in the cause", cause);
}

/* The listing of an experiment from the answers in DATA. */
static void search(const uint8_t *data, size_t size)
{
	struct answers a = { data, size, 0, false };
	struct mlflow_getter get = { serve, post, &a };
	char **ids = NULL, *cause = NULL;
	const char **statuses = NULL;
	size_t n = 0;
	int status = 0;
	if (mlflow_http_search(EXP_ID, &get, &ids, &statuses, &n, &cause, &status) < 0) {
		check_error(cause, status);
		if (ids || statuses || n)
			violated("runs listed with an error", cause);
	} else if (cause || n == 0) {
		violated("success with a cause or no run", cause ? cause : "");
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(ids[i]);
		if (statuses[i] && strlen(statuses[i]) > 9)
			violated("a run's status", statuses[i]);
		if (k == 0 || k > 64 ||
		    strspn(ids[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != k)
			violated("a listed run id", ids[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				violated("a run listed twice", ids[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(statuses);
	free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 'S') {
		search(data + 1, size - 1);
		return 0;
	}
	struct answers a = { data, size, 0, false };
	struct mlflow_getter get = { serve, post, &a };
	struct run *run = run_new("fuzz");
	char *cause = NULL;
	int status = 0;
	struct mlflow_stamp st = { NULL, NULL, false };
	int rc = mlflow_http_walk(run, RUN_ID, &get, &st, &cause, &status);
	if (rc < 0) {
		check_error(cause, status);
	} else if (rc != 0 || cause) {
		violated("success with a cause", cause ? cause : "");
	} else if (!st.stamp || st.same) {
		violated("a run read without its stamp", "");
	}
	free(st.stamp);
	run_finish(run);
	for (size_t i = 0; i < run->nrows; i++) {
		double s = run->cols[0][i];
		if (!(fabs(s) < 9.007199254740992e15 && s == floor(s)))
			violated("a step that is not a whole number", "");
	}
	run_free(run);
	free(cause);
	return 0;
}
