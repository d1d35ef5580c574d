/* fuzz_mlflowhttp.c: libFuzzer target for the MLflow tracking server
 * reader (read_mlflowhttp.c): the walk of a hostile server's answers
 * (runs/get, then each metric's get-history pages) through
 * mlflow_http_walk, without HTTP.  The input is the server's answers in
 * the order they are asked for, separated by NUL bytes; an answer "!CODE"
 * is a failed request with HTTP status CODE (404: no such run), and once
 * the answers run out every request fails with no answer.  Checked: no
 * crash, leak or undefined behaviour; an error always says why, with
 * EXIT_FETCH or EXIT_DATA and no control character of the server's in it;
 * every path asked for is one of the two routes with its query parameters
 * escaped (no server text adds a parameter); every row's step is a whole
 * number below 2^53.
 *
 *   ./configure --enable-fuzzing CC=clang
 *   make tests/fuzz/fuzz_mlflowhttp
 *   tests/fuzz/fuzz_mlflowhttp -max_len=4096 -max_total_time=600 \
 *       -dict=$top_srcdir/tests/fuzz/mlflowhttp.dict \
 *       /tmp/mlh-corpus $top_srcdir/tests/fuzz/corpus/mlflowhttp */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow.h"
#include "run.h"
#include "util.h"

#define RUN_ID "fuzz run/1"

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

static int serve(void *ctx, const char *path, char **body, size_t *len, long *code, char **cause)
{
	struct answers *a = ctx;
	if (!path_ok(path, "/api/2.0/mlflow/runs/get", "run_id") &&
	    !path_ok(path, "/api/2.0/mlflow/metrics/get-history", "run_id metric_key max_results page_token"))
		violated("a path asked for", path);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answers a = { data, size, 0, false };
	struct mlflow_getter get = { serve, &a };
	struct run *run = run_new("fuzz");
	char *cause = NULL;
	int status = 0;
	int rc = mlflow_http_walk(run, RUN_ID, &get, &cause, &status);
	if (rc < 0) {
		if (!cause)
			violated("an error without a cause", "");
		if (status != EXIT_FETCH && status != EXIT_DATA)
			violated("an error's exit status", cause);
		for (const char *c = cause; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				violated("a control character in the cause", cause);
	} else if (rc != 0 || cause) {
		violated("success with a cause", cause ? cause : "");
	}
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
