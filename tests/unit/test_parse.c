/* test_parse.c: the streaming metrics reader — formats, edge cases, every
 * error message, and chunking (one byte at a time and random splits must
 * give the same result as one chunk). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "util.h"

#include "../fuzz/parse_dump.h"

/* ------------------------------------------------------------ helpers */

/* parse_split() with json-c reading every row (parser_set_fast). */
static bool slow_parse;

/* Parses LEN bytes of S fed in pieces: SPLIT 0 = one chunk, 1.. = pieces
 * of SPLIT bytes, -1 = random pieces (seeded by SEED).  Returns parse_dump(). */
static char *parse_split(const char *s, size_t len, long split, unsigned seed, struct run **out)
{
	struct run *r = run_new("test");
	struct parser *p = parser_new(r);
	char *cause = NULL, *d;
	size_t pos = 0;
	int rc = 0;

	parser_set_fast(p, !slow_parse);

	srand(seed);
	while (pos < len && rc == 0) {
		size_t n = len - pos;

		if (split > 0 && n > (size_t)split)
			n = (size_t)split;
		else if (split < 0)
			n = 1 + (size_t)rand() % (n < 64 ? n : (rand() % 4 ? 64 : n));
		rc = parser_feed(p, s + pos, n, &cause);
		pos += n;
	}
	if (rc == 0)
		rc = parser_finish(p, &cause);
	parser_free(p);
	d = parse_dump(r, rc, cause);
	free(cause);
	if (out)
		*out = r;
	else
		run_free(r);
	return d;
}

/* Parses LEN bytes of S whole, checks that byte-by-byte and random splits
 * agree, and returns the run; *CAUSE is the error (malloc'd) or NULL. */
static struct run *parse_n(const char *s, size_t len, char **cause)
{
	struct run *r = run_new("test");
	struct parser *p = parser_new(r);
	int rc;

	*cause = NULL;
	rc = parser_feed(p, s, len, cause);
	if (rc == 0)
		rc = parser_finish(p, cause);
	parser_free(p);

	/* Byte by byte costs a json-c call per byte: big inputs (the limit
	 * tests) are split into odd-sized pieces instead. */
	bool big = len > 65536;
	char *whole = parse_dump(r, rc, *cause);
	char *one = parse_split(s, len, big ? 4093 : 1, 0, NULL);

	assert_string_equal(whole, one);
	free(one);
	/* The fast path for flat rows changes nothing (parse.c). */
	slow_parse = true;
	one = parse_split(s, len, 0, 0, NULL);
	slow_parse = false;
	assert_string_equal(whole, one);
	free(one);
	for (unsigned seed = 1; seed <= (big ? 2u : 8u); seed++) {
		char *rnd = parse_split(s, len, big ? 65521 : -1, seed, NULL);

		assert_string_equal(whole, rnd);
		free(rnd);
	}
	free(whole);
	return r;
}

/* parse_n for a C string. */
static struct run *parse_s(const char *s, char **cause)
{
	return parse_n(s, strlen(s), cause);
}

/* Parses S, which must succeed. */
static struct run *ok(const char *s)
{
	char *cause;
	struct run *r = parse_s(s, &cause);

	if (cause != NULL)
		fail_msg("unexpected error: %s", cause);
	return r;
}

/* Parses LEN bytes of S, which must fail with exactly MSG. */
static void fails_n(const char *s, size_t len, const char *msg)
{
	char *cause;
	struct run *r = parse_n(s, len, &cause);

	assert_non_null(cause);
	assert_string_equal(cause, msg);
	free(cause);
	run_free(r);
}

/* fails_n for a C string. */
static void fails(const char *s, const char *msg)
{
	fails_n(s, strlen(s), msg);
}

/* Cell of column NAME at ROW (NaN when the column does not exist). */
static double cell(const struct run *r, const char *name, size_t row)
{
	int c = run_find(r, name);

	assert_true(row < r->nrows);
	return run_get(r, c, row);
}

/* ------------------------------------------------------------ formats */

static const char ENVELOPE[] =
    "{\"job_id\": \"5c1f-a\", \"metrics\": [\n"
    " {\"id\": 7, \"job_id\": \"5c1f-a\", \"step\": 10, \"epoch\": 0.5, \"train_loss\": 2.5,\n"
    "  \"eval_loss\": null, \"learning_rate\": 0.0002, \"grad_norm\": 1.25,\n"
    "  \"tokens_per_second\": 1200.5, \"samples_per_second\": 3, \"gpu_utilization_percent\": 97,\n"
    "  \"gpu_memory_allocated_gb\": 20.5, \"gpu_memory_reserved_gb\": 22,\n"
    "  \"timestamp\": \"2024-05-01T12:00:00Z\", \"loss_trend\": \"down\", \"best_eval_loss\": 1.5,\n"
    "  \"best_epoch\": 1, \"best_step\": 5, \"epochs_without_improvement\": 2},\n"
    " {\"step\": 20, \"train_loss\": 2.0, \"eval_loss\": 2.25, \"perplexity\": 9.5,\n"
    "  \"train_perplexity\": 7.25}\n"
    "]}\n";

/* The platform answer: every known column, bookkeeping ignored. */
static void test_envelope(void **state)
{
	struct run *r = ok(ENVELOPE);

	(void)state;
	assert_string_equal(r->id, "5c1f-a");
	assert_null(r->message);
	assert_int_equal(r->nrows, 2);
	assert_true(cell(r, COL_STEP, 0) == 10);
	assert_true(cell(r, COL_EPOCH, 0) == 0.5);
	assert_true(cell(r, COL_TRAIN_LOSS, 0) == 2.5);
	assert_true(isnan(cell(r, COL_EVAL_LOSS, 0)));
	assert_true(cell(r, COL_LR, 0) == 0.0002);
	assert_true(cell(r, COL_GRAD_NORM, 0) == 1.25);
	assert_true(cell(r, COL_TOKENS_PS, 0) == 1200.5);
	assert_true(cell(r, COL_SAMPLES_PS, 0) == 3);
	assert_true(cell(r, COL_GPU_UTIL, 0) == 97);
	assert_true(cell(r, COL_GPU_MEM, 0) == 20.5);
	assert_true(cell(r, COL_GPU_MEM_RES, 0) == 22);
	assert_true(cell(r, COL_TIME, 0) == 1714564800);
	assert_true(cell(r, COL_EVAL_LOSS, 1) == 2.25);
	assert_true(cell(r, COL_PPL, 1) == 9.5);
	assert_true(cell(r, COL_TRAIN_PPL, 1) == 7.25);
	/* Bookkeeping fields are not columns. */
	assert_int_equal(run_find(r, "id"), -1);
	assert_int_equal(run_find(r, "job_id"), -1);
	assert_int_equal(run_find(r, "loss_trend"), -1);
	assert_int_equal(run_find(r, "best_eval_loss"), -1);
	assert_int_equal(run_find(r, "best_epoch"), -1);
	assert_int_equal(run_find(r, "best_step"), -1);
	assert_int_equal(run_find(r, "epochs_without_improvement"), -1);
	assert_int_equal(run_find(r, "timestamp"), -1);
	assert_string_equal(r->names[0], "step");
	assert_int_equal(r->skipped_nostep + r->nonfinite + r->ignored_fields, 0);
	run_free(r);
}

/* Envelope keys: message, job_id as a number or after the rows, "metrics": null. */
static void test_envelope_message(void **state)
{
	struct run *r = ok("{\"job_id\":\"j\",\"metrics\":[],\"message\":\"No metrics available yet\"}");

	(void)state;
	assert_string_equal(r->id, "j");
	assert_string_equal(r->message, "No metrics available yet");
	assert_int_equal(r->nrows, 0);
	assert_int_equal(r->ncols, 1);
	run_free(r);

	/* job_id after the metrics, as a number; other keys dropped. */
	r = ok("{\"metrics\":[{\"step\":1}],\"total\":5,\"job_id\":42,\"extra\":{\"a\":[1,2]}}");
	assert_string_equal(r->id, "42");
	assert_int_equal(r->nrows, 1);
	assert_int_equal(r->ncols, 1); /* "total" is not a column */
	run_free(r);

	/* "metrics": null is an envelope without rows. */
	r = ok("{\"job_id\":\"x\",\"count\":3,\"metrics\":null}");
	assert_string_equal(r->id, "x");
	assert_int_equal(r->nrows, 0);
	assert_int_equal(r->ncols, 1);
	assert_int_equal(r->skipped_nostep, 0);
	run_free(r);
}

/* A bare array of rows, and an empty one. */
static void test_bare_array(void **state)
{
	struct run *r = ok("  [ {\"step\": 0, \"loss\": 3}, {\"step\": 1, \"loss\": 2.5} ]  \n");

	(void)state;
	assert_null(r->id);
	assert_int_equal(r->nrows, 2);
	assert_true(cell(r, COL_TRAIN_LOSS, 1) == 2.5);
	assert_int_equal(run_find(r, "loss"), -1);
	run_free(r);

	r = ok("[]");
	assert_int_equal(r->nrows, 0);
	run_free(r);
}

/* JSON Lines with BOM, CRLF and blank lines; objects back to back; envelopes among rows. */
static void test_json_lines(void **state)
{
	/* BOM, CRLF, blank lines, job_id in rows ignored. */
	struct run *r = ok("\xEF\xBB\xBF{\"step\": 1, \"train_loss\": 2.0, \"job_id\": \"row\"}\r\n"
	                   "\r\n"
	                   "{\"step\": 2, \"train_loss\": 1.5}\r\n"
	                   "{\"step\": 3, \"train_loss\": 1.25}");

	(void)state;
	assert_null(r->id);
	assert_int_equal(r->nrows, 3);
	assert_true(cell(r, COL_TRAIN_LOSS, 2) == 1.25);
	run_free(r);

	/* Objects back to back, and an envelope followed by more rows. */
	r = ok("{\"step\":1}{\"step\":2}\n{\"job_id\":\"e\",\"metrics\":[{\"step\":3}]}\n{\"step\":4}");
	assert_int_equal(r->nrows, 4);
	assert_string_equal(r->id, "e");
	assert_true(cell(r, COL_STEP, 3) == 4);
	run_free(r);
}

/* An envelope bigger than PARSE_MAX_VALUE, and a JSON Lines file with big
 * rows: the whole-object trial gives way to key-by-key reading. */
static void test_big_envelope(void **state)
{
	struct buf b = {0};
	size_t n = 30000;

	(void)state;
	buf_puts(&b, "{\"message\": \"m\", \"job_id\": \"big\",\r\n \"metrics\": [");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s{\"step\": %zu, \"train_loss\": %zu.5, \"note\": \"%s\"}", i ? ",\n" : "", i, i,
		           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	buf_puts(&b, "], \"count\": 30000, \"job_id\": \"big2\"}\n{\"step\": 99999}");
	assert_true(b.len > 2 * PARSE_MAX_VALUE);

	struct run *r = ok(b.data);

	assert_int_equal(r->nrows, n + 1);
	assert_string_equal(r->id, "big2");
	assert_string_equal(r->message, "m");
	assert_true(cell(r, COL_TRAIN_LOSS, 29999) == 29999.5);
	assert_true(cell(r, COL_STEP, n) == 99999);
	assert_int_equal(run_find(r, "note"), -1);
	assert_int_equal(run_find(r, "count"), -1);
	run_free(r);

	/* The row numbers in messages count rows of the big envelope. */
	b.len = 0;
	buf_puts(&b, "{\"metrics\": [");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "{\"step\": %zu, \"pad\": \"%s\"},", i, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
	buf_puts(&b, "7]}");
	fails(b.data, "row 30001 is not an object");
	buf_free(&b);
}

/* ------------------------------------------------------------ fields */

/* "loss" is train_loss, and train_loss wins over it. */
static void test_loss_alias(void **state)
{
	struct run *r = ok("[{\"step\":1,\"loss\":2},"
	                   "{\"step\":2,\"loss\":3,\"train_loss\":4},"
	                   "{\"step\":3,\"train_loss\":5,\"loss\":6},"
	                   "{\"step\":4,\"train_loss\":null,\"loss\":7},"
	                   "{\"step\":5,\"loss\":null}]");

	(void)state;
	assert_true(cell(r, COL_TRAIN_LOSS, 0) == 2);
	assert_true(cell(r, COL_TRAIN_LOSS, 1) == 4);
	assert_true(cell(r, COL_TRAIN_LOSS, 2) == 5);
	assert_true(cell(r, COL_TRAIN_LOSS, 3) == 7);
	assert_true(isnan(cell(r, COL_TRAIN_LOSS, 4)));
	assert_int_equal(run_find(r, "loss"), -1);
	run_free(r);

	/* The same in JSON Lines, read key by key or whole. */
	r = ok("{\"step\":2,\"loss\":3,\"train_loss\":4}\n{\"step\":3,\"train_loss\":5,\"loss\":6}");
	assert_true(cell(r, COL_TRAIN_LOSS, 0) == 4);
	assert_true(cell(r, COL_TRAIN_LOSS, 1) == 5);
	run_free(r);
}

/* Unknown fields: numbers and numeric strings are columns, the rest is ignored. */
static void test_other_fields(void **state)
{
	/* Unknown numbers are columns; strings, booleans, objects, arrays
	 * and nulls are not; numeric strings are numbers. */
	struct run *r = ok("[{\"step\":1,\"my_metric\":0.25,\"name\":\"abc\",\"flag\":true,\"obj\":{\"a\":1},"
	                   "\"arr\":[1,2],\"gone\":null,\"s\":\"0.5\",\"e\":\"-1e-3\",\"plus\":\"+2\","
	                   "\"sp\":\" 1\",\"hex\":\"0x10\",\"empty\":\"\",\"dot\":\".\"}]");

	(void)state;
	assert_true(cell(r, "my_metric", 0) == 0.25);
	assert_true(cell(r, "s", 0) == 0.5);
	assert_true(cell(r, "e", 0) == -0.001);
	assert_true(cell(r, "plus", 0) == 2);
	assert_int_equal(run_find(r, "name"), -1);
	assert_int_equal(run_find(r, "flag"), -1);
	assert_int_equal(run_find(r, "obj"), -1);
	assert_int_equal(run_find(r, "arr"), -1);
	assert_int_equal(run_find(r, "gone"), -1);
	assert_int_equal(run_find(r, "sp"), -1);
	assert_int_equal(run_find(r, "hex"), -1);
	assert_int_equal(run_find(r, "empty"), -1);
	assert_int_equal(run_find(r, "dot"), -1);
	assert_int_equal(r->ncols, 5);
	run_free(r);

	/* An empty key is not a column. */
	r = ok("[{\"step\":1,\"\":5}]");
	assert_int_equal(r->ncols, 1);
	run_free(r);
}

/* Non-finite and overflowing numbers become NaN and are counted. */
static void test_nonfinite(void **state)
{
	struct run *r = ok("[{\"step\":1,\"a\":1e400,\"b\":-1e400,\"c\":NaN,\"d\":Infinity,\"e\":-Infinity,"
	                   "\"f\":\"NaN\",\"g\":\"Infinity\",\"h\":\"-inf\",\"i\":\"nan\",\"j\":-0,\"k\":-0.0,"
	                   "\"l\":99999999999999999999999,\"m\":-99999999999999999999999,"
	                   "\"n\":18446744073709551614,\"o\":1e308}]");

	(void)state;
	for (const char *c = "abcdefghilm"; *c; c++) {
		char name[2] = {*c, 0};

		assert_true(isnan(cell(r, name, 0)));
	}
	assert_int_equal(r->nonfinite, 11);
	assert_true(cell(r, "j", 0) == 0);
	assert_true(cell(r, "k", 0) == 0);
	assert_true(cell(r, "n", 0) == 18446744073709551614.0);
	assert_true(cell(r, "o", 0) == 1e308);
	run_free(r);

	/* Lower-case or bare inf are not JSON. */
	fails("[{\"step\":1,\"a\":nan}]", "invalid JSON at line 1, column 17: null expected");
	fails("[{\"step\":1,\"a\":inf}]", "invalid JSON at line 1, column 16: unexpected character");
}

/* Which steps are usable; the others skip their row. */
static void test_step(void **state)
{
	struct run *r = ok("[{\"step\":-1},{\"step\":1.5},{\"step\":\"abc\"},{\"loss\":1},{\"step\":null},"
	                   "{\"step\":true},{\"step\":NaN},{\"step\":1e300},{\"step\":[1]},"
	                   "{\"step\":-0},{\"step\":\"7\"},{\"step\":8.0},{\"step\":9e0},"
	                   "{\"step\":9007199254740991}]");

	(void)state;
	assert_int_equal(r->skipped_nostep, 9);
	assert_int_equal(r->nrows, 5);
	assert_true(cell(r, COL_STEP, 0) == 0 && !signbit(cell(r, COL_STEP, 0)));
	assert_true(cell(r, COL_STEP, 1) == 7);
	assert_true(cell(r, COL_STEP, 2) == 8);
	assert_true(cell(r, COL_STEP, 3) == 9);
	assert_true(cell(r, COL_STEP, 4) == 9007199254740991.0);
	/* A skipped row adds no column. */
	assert_int_equal(run_find(r, COL_TRAIN_LOSS), -1);
	run_free(r);

	/* Steps a double cannot hold exactly (2^53 + 1 reads as 2^53) are
	 * unusable, on the fast path and (nested values, strings) json-c's. */
	r = ok("[{\"step\":9007199254740992,\"a\":1},{\"step\":9007199254740993,\"a\":2},"
	       "{\"step\":9007199254740993,\"n\":{\"x\":1}},{\"step\":\"9007199254740993\"},"
	       "{\"step\":9007199254740992.5},{\"step\":1e16},{\"step\":18446744073709551617},"
	       "{\"step\":9007199254740991,\"a\":3}]");
	assert_int_equal(r->skipped_nostep, 7);
	assert_int_equal(r->nrows, 1);
	assert_true(cell(r, "a", 0) == 3);
	run_free(r);
	r = ok("{\"step\":9007199254740993,\"a\":4}\n{\"step\":9007199254740993,\"a\":5,\"n\":[1]}\n"
	       "{\"step\":9007199254740992}");
	assert_int_equal(r->skipped_nostep, 3);
	assert_int_equal(r->nrows, 0);
	run_free(r);

	/* Steps out of order stay in log order until run_finish. */
	r = ok("{\"step\":5}\n{\"step\":3}\n{\"step\":5,\"x\":1}");
	assert_true(cell(r, COL_STEP, 1) == 3);
	run_free(r);
}

/* A repeated key: the last value wins. */
static void test_duplicate_keys(void **state)
{
	/* The last value of a repeated key wins, null included, whether the
	 * row comes whole or key by key. */
	struct run *r = ok("[{\"step\":1,\"a\":1,\"a\":2,\"b\":3,\"b\":null,\"step\":2}]\n");

	(void)state;
	assert_true(cell(r, COL_STEP, 0) == 2);
	assert_true(cell(r, "a", 0) == 2);
	assert_true(isnan(cell(r, "b", 0)));
	run_free(r);

	r = ok("{\"step\":1,\"a\":1,\"a\":2,\"b\":3,\"b\":null,\"step\":2}");
	assert_true(cell(r, COL_STEP, 0) == 2);
	assert_true(cell(r, "a", 0) == 2);
	assert_true(isnan(cell(r, "b", 0)));
	run_free(r);
}

/* parse_timestamp, and timestamps in rows. */
static void test_timestamps(void **state)
{
	static const struct {
		const char *s;
		double t;
	} good[] = {
	    {"1970-01-01T00:00:00Z", 0},
	    {"2024-05-01T12:00:00Z", 1714564800},
	    {"2024-05-01T12:00:00.5Z", 1714564800.5},
	    {"2024-05-01t12:00:00.25z", 1714564800.25},
	    {"2024-05-01 12:00:00", 1714564800},
	    {"2024-05-01T12:00:00", 1714564800},
	    {"2024-05-01T14:00:00+02:00", 1714564800},
	    {"2024-05-01T14:00:00.125+0200", 1714564800.125},
	    {"2024-05-01T07:30:00-04:30", 1714564800},
	    {"2024-05-01 14:00:00+02", 1714564800},
	    {"2024-05-01T12:00Z", 1714564800},
	    {"2024-05-01T12:00:00,5Z", 1714564800.5},
	    {"2024-05-01", 1714521600},
	    {"2024-02-29T00:00:00Z", 1709164800},
	    {"2000-02-29T00:00:00Z", 951782400},
	    {"1969-12-31T23:59:59Z", -1},
	    {"2016-12-31T23:59:60Z", 1483228800},
	    {"2024-05-01T12:00:00.123456Z", 1714564800.123456},
	};
	static const char *const bad[] = {
	    "", "2024", "2024-05", "2024-5-01", "2024-05-01T", "2024-05-01T12", "2024-05-01T12:00:",
	    "2024-13-01", "2024-00-01", "2024-04-31", "2023-02-29", "1900-02-29", "2024-05-01T24:00:00",
	    "2024-05-01T12:60:00", "2024-05-01T12:00:61", "2024-05-01T12:00:00.", "2024-05-01T12:00:00Zx",
	    "2024-05-01T12:00:00+2", "2024-05-01T12:00:00+02:0", "2024-05-01T12:00:00+02:", "2024-05-01T12:00:00+24:00",
	    "2024-05-01T12:00:00 ", "x2024-05-01", "1714564800",
	};
	double t;

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (parse_timestamp(good[i].s, &t) != 0)
			fail_msg("rejected %s", good[i].s);
		if (fabs(t - good[i].t) > 1e-6)
			fail_msg("%s: %.9f, expected %.9f", good[i].s, t, good[i].t);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (parse_timestamp(bad[i], &t) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(parse_timestamp(NULL, &t), -1);

	/* In rows: bad timestamps leave the cell empty; a number is seconds. */
	struct run *r = ok("[{\"step\":1,\"timestamp\":\"2024-05-01T12:00:00Z\"},{\"step\":2,\"timestamp\":\"soon\"},"
	                   "{\"step\":3,\"timestamp\":1714564801.5},{\"step\":4,\"timestamp\":null}]");
	assert_true(cell(r, COL_TIME, 0) == 1714564800);
	assert_true(isnan(cell(r, COL_TIME, 1)));
	assert_true(cell(r, COL_TIME, 2) == 1714564801.5);
	assert_true(isnan(cell(r, COL_TIME, 3)));
	assert_int_equal(r->nonfinite, 0);
	assert_int_equal(r->bad_timestamps, 1);
	assert_int_equal(r->time_unit, 1);
	run_free(r);

	/* Numeric timestamps: the unit by magnitude, fixed by the job's first
	 * (here nanoseconds); others, absurd ones and non-times are counted;
	 * rows without a step count nothing.  Fast path and json-c alike. */
	r = ok("{\"step\":1,\"timestamp\":1714564800000000000}\n"
	       "{\"step\":2,\"timestamp\":1714564801500000000,\"n\":[1]}\n"
	       "{\"step\":3,\"timestamp\":1714564802}\n"
	       "{\"step\":4,\"timestamp\":1e25}\n"
	       "{\"step\":5,\"timestamp\":true}\n"
	       "{\"step\":6,\"timestamp\":\"2024-05-01T12:00:10Z\"}\n"
	       "{\"step\":7,\"timestamp\":\"1714564811000000000\"}\n"
	       "{\"step\":8,\"timestamp\":1e400}\n"
	       "{\"timestamp\":\"bad\"}\n{\"timestamp\":1}\n");
	assert_int_equal(r->nrows, 8);
	assert_int_equal(r->time_unit, 4);
	assert_true(cell(r, COL_TIME, 0) == 1714564800);
	assert_true(cell(r, COL_TIME, 1) == 1714564801.5);
	assert_true(isnan(cell(r, COL_TIME, 2)));
	assert_true(isnan(cell(r, COL_TIME, 3)));
	assert_true(isnan(cell(r, COL_TIME, 4)));
	assert_true(cell(r, COL_TIME, 5) == 1714564810);
	assert_true(cell(r, COL_TIME, 6) == 1714564811);
	assert_true(isnan(cell(r, COL_TIME, 7)));
	assert_int_equal(r->mixed_timestamps, 1);
	assert_int_equal(r->bad_timestamps, 2);
	assert_int_equal(r->nonfinite, 1);
	assert_int_equal(r->skipped_nostep, 2);
	run_free(r);
	static const struct {
		const char *row;
		int unit;
	} units[] = {
	    {"{\"step\":1,\"timestamp\":1714564800}", 1},
	    {"{\"step\":1,\"timestamp\":1714564800000}", 2},
	    {"{\"step\":1,\"timestamp\":1714564800000000}", 3},
	    {"{\"step\":1,\"timestamp\":1714564800000000000}", 4},
	    {"{\"step\":1,\"timestamp\":1714564800.0e3}", 2},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		r = ok(units[i].row);
		assert_int_equal(r->time_unit, units[i].unit);
		assert_true(cell(r, COL_TIME, 0) == 1714564800);
		run_free(r);
	}
}

/* Columns beyond RUN_MAX_COLS are counted, not kept. */
static void test_max_cols(void **state)
{
	struct buf b = {0};

	(void)state;
	buf_puts(&b, "[{\"step\":1");
	for (int i = 0; i < 70; i++)
		buf_printf(&b, ",\"m%d\":%d", i, i);
	buf_puts(&b, "},{\"step\":2,\"m69\":1,\"m0\":5}]");

	struct run *r = ok(b.data);

	/* 64 metric columns, as documented, besides step. */
	assert_int_equal(RUN_MAX_COLS, 64);
	assert_int_equal(r->ncols, 1 + 64);
	assert_true(cell(r, "m63", 0) == 63);
	assert_int_equal(run_find(r, "m64"), -1);
	assert_int_equal(r->ignored_fields, 70 - 64 + 1);
	assert_true(cell(r, "m0", 1) == 5);
	run_free(r);
	buf_free(&b);
}

/* ------------------------------------------------------------ errors */

/* Empty, truncated and non-JSON inputs, with positions. */
static void test_errors_basic(void **state)
{
	(void)state;
	fails("", "empty input");
	fails(" \r\n\t ", "empty input");
	fails("\xEF\xBB\xBF", "empty input");
	fails("\xEF\xBB\xBF \n", "empty input");
	fails("\xEF\xBB", "unexpected end of input (truncated JSON?) at line 1, column 1");
	fails("\xEF\xBBx", "invalid JSON at line 1, column 1: unexpected character");
	fails("\xEF\xBB\xBF\xEF\xBB\xBF{}", "invalid JSON at line 1, column 1: unexpected character");
	fails("5", "top-level JSON value is not an object or array");
	fails("\"text\"", "top-level JSON value is not an object or array");
	fails("null", "top-level JSON value is not an object or array");
	fails("<html>", "invalid JSON at line 1, column 1: unexpected character");
	fails("\n\n   x", "invalid JSON at line 3, column 4: unexpected character");
	fails("[{\"step\":1}", "unexpected end of input (truncated JSON?) at line 1, column 12");
	fails("[{\"step\":1},\r\n {\"step\":", "unexpected end of input (truncated JSON?) at line 2, column 10");
	fails("{\"job_id\":\"a\",\"metrics\":[{\"step\":1}]",
	      "unexpected end of input (truncated JSON?) at line 1, column 37");
	fails("{\"step\":1}{\"st", "unexpected end of input (truncated JSON?) at line 1, column 15");
	fails("{\"step\":1}\n{\"step\":2,\n", "unexpected end of input (truncated JSON?) at line 3, column 1");
	fails("[", "unexpected end of input (truncated JSON?) at line 1, column 2");
	fails("{", "unexpected end of input (truncated JSON?) at line 1, column 2");
}

/* A half-written last line of JSON Lines is left unread and counted, cut
 * anywhere (in a key, a string, a number, after a comma); a document cut
 * on its first line, a line already ended, or an array stays an error. */
static void test_partial_line(void **state)
{
	static const char *const cuts[] = {
		"{\"step\":1,\"train_loss\":2}\n{",
		"{\"step\":1,\"train_loss\":2}\n{\"st",
		"{\"step\":1,\"train_loss\":2}\r\n{\"step\":2,\"train_loss\":1.",
		"{\"step\":1,\"train_loss\":2}\n{\"step\":2,\"train_loss\":1e",
		"{\"step\":1,\"train_loss\":2}\n{\"step\":2,\"train_loss\":-",
		"{\"step\":1,\"train_loss\":2}\n  {\"step\":2,\"note\":\"a\\u00",
		"{\"step\":1,\"train_loss\":2}\n{\"step\":2,\"train_loss\":1,",
		"{\"step\":1,\"train_loss\":2}\n{\"step\":2,\"train_loss\":1}\n{\"step\":3,\"ok\":tr",
	};
	(void)state;
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		struct run *r = ok(cuts[i]);

		assert_int_equal(r->partial_lines, 1);
		assert_int_equal(r->nrows, i == 7 ? 2 : 1);
		assert_true(cell(r, "train_loss", 0) == 2);
		run_free(r);
	}
	/* A whole last row without a line end is read. */
	struct run *r = ok("{\"step\":1}\n{\"step\":2}");
	assert_int_equal(r->partial_lines, 0);
	assert_int_equal(r->nrows, 2);
	run_free(r);
	fails("{\"step\":1,\"tr", "unexpected end of input (truncated JSON?) at line 1, column 14");
	fails("[{\"step\":1},\n{\"st", "unexpected end of input (truncated JSON?) at line 2, column 5");
}

/* Syntax errors in the skeleton and inside values, with positions. */
static void test_errors_syntax(void **state)
{
	(void)state;
	fails("[{\"step\":1},\n {\"step\": x}]", "invalid JSON at line 2, column 11: unexpected character");
	fails("[{\"step\":1} {\"step\":2}]", "invalid JSON at line 1, column 13: array value separator ',' expected");
	fails("[{\"step\":1},]", "invalid JSON at line 1, column 13: unexpected character");
	fails("[{\"step\":1,}]", "invalid JSON at line 1, column 12: unexpected character");
	fails("[/* c */{\"step\":1}]", "invalid JSON at line 1, column 2: unexpected character");
	fails("[{\"step\":01}]", "invalid JSON at line 1, column 12: number expected");
	fails("[{\"a\":tru}]", "invalid JSON at line 1, column 10: boolean expected");
	fails("[{\"a\":\"\\x\"}]", "invalid JSON at line 1, column 9: invalid string sequence");
	fails("[{\"step\":1}] x", "invalid JSON at line 1, column 14: unexpected data after the top-level array");
	fails("[] []", "invalid JSON at line 1, column 4: unexpected data after the top-level array");
	fails("{\"a\" 1}", "invalid JSON at line 1, column 6: object property name separator ':' expected");
	fails("{\"a\":1 \"b\":2}", "invalid JSON at line 1, column 8: object value separator ',' expected");
	fails("{a:1}", "invalid JSON at line 1, column 2: quoted object property name expected");
	fails("{\"a\":1,}", "invalid JSON at line 1, column 8: unexpected character");
	fails("{\"metrics\":[{\"step\":1}] x}",
	      "invalid JSON at line 1, column 25: object value separator ',' expected");
	fails("{\"metrics\":[{\"step\":1},]}", "invalid JSON at line 1, column 24: unexpected character");
	fails("{\"step\":1}\n}", "invalid JSON at line 2, column 1: unexpected character");
	fails("{\"metrics\": 5}", "\"metrics\" is not an array");
	fails("{\"metrics\": {\"step\": 1}}", "\"metrics\" is not an array");
	/* A big envelope (read key by key) says the same. */
	{
		struct buf b = {0};

		buf_printf(&b, "{\"pad\": \"%*s\", \"metrics\": 5}", PARSE_MAX_VALUE / 2, "");
		fails(b.data, "\"metrics\" is not an array");
		buf_free(&b);
	}
}

/* Rows that are not objects, numbered across formats. */
static void test_errors_rows(void **state)
{
	(void)state;
	fails("[{\"step\":1}, 5]", "row 2 is not an object");
	fails("[null]", "row 1 is not an object");
	fails("[[{\"step\":1}]]", "row 1 is not an object");
	fails("{\"metrics\":[{\"step\":1},{\"step\":2},\"x\"]}", "row 3 is not an object");
	fails("{\"step\":1}\n[1]", "row 2 is not an object");
	fails("{\"step\":1}\n{\"step\":2}\n7", "row 3 is not an object");
	fails("{\"step\":1}\n{\"job_id\":\"e\",\"metrics\":[{\"step\":2},false]}", "row 3 is not an object");
}

/* A NUL byte anywhere is an error at its position. */
static void test_errors_nul(void **state)
{
	(void)state;
	fails_n("[{\"step\":1}]\0", 13, "invalid JSON at line 1, column 13: unexpected NUL byte");
	fails_n("\0", 1, "invalid JSON at line 1, column 1: unexpected NUL byte");
	fails_n("[{\"name\":\"a\0b\"}]", 16, "invalid JSON at line 1, column 12: unexpected NUL byte");
	fails_n("{\"name\":\"a\0b\"}", 14, "invalid JSON at line 1, column 11: unexpected NUL byte");
	fails_n("{\"step\":1}\n\0", 12, "invalid JSON at line 2, column 1: unexpected NUL byte");
}

/* Nesting deeper than PARSE_MAX_DEPTH inside a row. */
static void test_limit_depth(void **state)
{
	struct buf b = {0};

	(void)state;
	/* 32 levels inside a row are fine, 33 are not. */
	buf_puts(&b, "[{\"step\":1,\"deep\":");
	for (int i = 0; i < 31; i++)
		buf_puts(&b, "[");
	for (int i = 0; i < 31; i++)
		buf_puts(&b, "]");
	buf_puts(&b, "}]");
	struct run *r = ok(b.data);
	assert_int_equal(r->nrows, 1);
	run_free(r);

	b.len = 0;
	buf_puts(&b, "[{\"step\":1,\"deep\":");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "[");
	fails(b.data, "JSON nested deeper than 32 levels at line 1, column 50");

	b.len = 0;
	buf_puts(&b, "\n{\"step\":1,\"deep\":");
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "{\"a\":");
	fails(b.data, "JSON nested deeper than 32 levels at line 2, column 173");
	buf_free(&b);
}

/* Rows and values larger than PARSE_MAX_VALUE. */
static void test_limit_value_size(void **state)
{
	struct buf b = {0};
	char *big = xmalloc(PARSE_MAX_VALUE + 1);

	(void)state;
	memset(big, 'x', PARSE_MAX_VALUE);
	big[PARSE_MAX_VALUE] = '\0';

	/* A row with a huge string, in an array and in JSON Lines. */
	buf_printf(&b, "[{\"step\":1},\n  {\"step\":2,\"s\":\"%s\"}]", big);
	fails(b.data, "JSON value larger than 1048576 bytes at line 2, column 3");
	b.len = 0;
	buf_printf(&b, "{\"step\":1}\n {\"step\":2,\"s\":\"%s\"}", big);
	fails(b.data, "JSON value larger than 1048576 bytes at line 2, column 2");
	/* Just under the limit is fine. */
	b.len = 0;
	buf_printf(&b, "[{\"step\":2,\"s\":\"%.*s\"}]", PARSE_MAX_VALUE - 20, big);
	struct run *r = ok(b.data);
	assert_int_equal(r->nrows, 1);
	run_free(r);
	b.len = 0;
	buf_printf(&b, "{\"step\":2,\"s\":\"%.*s\"}\n{\"step\":3,\"s\":\"%.*s\"}", PARSE_MAX_VALUE - 20, big,
	           PARSE_MAX_VALUE - 20, big);
	r = ok(b.data);
	assert_int_equal(r->nrows, 2);
	run_free(r);
	/* Whitespace counts in a top-level row. */
	b.len = 0;
	buf_printf(&b, "{\"step\":2,%s\"a\":1}", big);
	for (size_t i = 10; i < 10 + PARSE_MAX_VALUE; i++)
		b.data[i] = ' ';
	fails(b.data, "JSON value larger than 1048576 bytes at line 1, column 1");
	/* A huge value in an envelope, before and after "metrics". */
	b.len = 0;
	buf_printf(&b, "{\"details\":\"%s\",\"metrics\":[]}", big);
	fails(b.data, "JSON value larger than 1048576 bytes at line 1, column 1");
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[],\n\"details\":\"%s\"}", big);
	fails(b.data, "JSON value larger than 1048576 bytes at line 2, column 11");
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[],\n\"%s\":1}", big);
	fails(b.data, "JSON value larger than 1048576 bytes at line 2, column 1");
	/* An object or array field no column takes (a job's config) is
	 * skipped whatever its size, before or after "metrics", and in a
	 * top-level row; brackets inside its strings do not count. */
	struct buf cfg = {0};
	buf_puts(&cfg, "{\"a\":[1,{\"b\":\"}]\\\"[{\"}],\"c\":[[[]]],\"s\":\"");
	buf_append(&cfg, big, PARSE_MAX_VALUE);
	buf_puts(&cfg, "\"}");
	b.len = 0;
	buf_printf(&b, "{\"job_id\":\"j\",\"config\":%s,\"metrics\":[{\"step\":1,\"loss\":2}]}", cfg.data);
	r = ok(b.data);
	assert_int_equal(r->nrows, 1);
	assert_string_equal(r->id, "j");
	run_free(r);
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[{\"step\":1,\"loss\":2}],\"config\":[%s,%s]}", cfg.data, cfg.data);
	r = ok(b.data);
	assert_int_equal(r->nrows, 1);
	run_free(r);
	b.len = 0;
	buf_printf(&b, "{\"step\":1,\"loss\":2,\"config\":%s}\n{\"step\":2,\"loss\":1}", cfg.data);
	r = ok(b.data);
	assert_int_equal(r->nrows, 2);
	run_free(r);
	/* ... but its brackets must match, end before the input, and nest
	 * no deeper than json-c allows. */
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[],\"config\":%s\n,\"x\":[1,2}}", cfg.data);
	fails(b.data, "invalid JSON at line 2, column 10: unexpected character");
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[],\"config\":%s", cfg.data);
	b.len -= 1;
	fails_n(b.data, b.len, "unexpected end of input (truncated JSON?) at line 1, column 1048641");
	b.len = 0;
	buf_puts(&b, "{\"metrics\":[],\"config\":");
	for (int i = 0; i < PARSE_MAX_DEPTH; i++)
		buf_puts(&b, "[");
	fails(b.data, "JSON nested deeper than 32 levels at line 1, column 55"); /* json-c's */
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[],\"config\":%s,\"y\":", cfg.data);
	for (int i = 0; i < PARSE_MAX_DEPTH; i++)
		buf_puts(&b, "[");
	fails(b.data, "JSON nested deeper than 32 levels at line 1, column 1048678"); /* skipped */
	b.len = 0;
	buf_puts(&b, "{\"metrics\":[],\"config\":{\"a\":\"x");
	buf_append(&b, "\0\"}}", 4);
	fails_n(b.data, b.len, "invalid JSON at line 1, column 31: unexpected NUL byte");
	b.len = 0;
	buf_printf(&b, "{\"metrics\":[],\"config\":%s,\"y\":{\"a\":\"x", cfg.data);
	buf_append(&b, "\0\"}}", 4);
	fails_n(b.data, b.len, "invalid JSON at line 1, column 1048654: unexpected NUL byte");
	buf_free(&cfg);
	free(big);
	buf_free(&b);
}

/* Rows with more than PARSE_MAX_FIELDS fields. */
static void test_limit_fields(void **state)
{
	struct buf b = {0};

	(void)state;
	buf_puts(&b, "[{\"step\":1");
	for (int i = 1; i < PARSE_MAX_FIELDS; i++)
		buf_printf(&b, ",\"f%d\":\"x\"", i);
	buf_puts(&b, "}]");
	struct run *r = ok(b.data);
	assert_int_equal(r->nrows, 1);
	run_free(r);

	b.len = 0;
	buf_puts(&b, "[{\"step\":1},{\"step\":2");
	for (int i = 0; i < PARSE_MAX_FIELDS; i++)
		buf_printf(&b, ",\"f%d\":%d", i, i);
	buf_puts(&b, "}]");
	fails(b.data, "row 2 has more than 1024 fields");
	b.data[0] = ' ';
	b.data[b.len - 1] = ' ';
	b.data[11] = '\n';
	fails(b.data, "row 2 has more than 1024 fields");

	/* A top-level object too big for one json-c value is read key by key;
	 * the field count is checked there too. */
	b.len = 0;
	buf_puts(&b, "{\"step\":1}\n{\"step\":1");
	for (int i = 0; i < PARSE_MAX_FIELDS; i++)
		buf_printf(&b, ",\"f%d\":%d", i, i);
	buf_printf(&b, ",\"pad\":\"%*s\"}", PARSE_MAX_VALUE, "");
	fails(b.data, "row 2 has more than 1024 fields");
	buf_free(&b);
}

/* Feeds S in one chunk; returns the parse status (cause freed). */
static int parse_once(struct run *r, const char *s, size_t len, char **cause)
{
	struct parser *p = parser_new(r);
	int rc = parser_feed(p, s, len, cause);

	if (rc == 0)
		rc = parser_finish(p, cause);
	parser_free(p);
	return rc;
}

/* More than RUN_MAX_ROWS rows. */
static void test_limit_rows(void **state)
{
	/* RUN_MAX_ROWS rows are fine; one more is an error.  One chunk
	 * only: this is about the count, not the chunking. */
	struct buf b = {0};
	struct run *r = run_new("x");
	char *cause = NULL;

	(void)state;
	buf_puts(&b, "[");
	for (long i = 0; i < RUN_MAX_ROWS; i++)
		buf_puts(&b, "{\"step\":1},");
	buf_puts(&b, "{\"step\":2}]");
	assert_int_equal(parse_once(r, b.data, b.len, &cause), -1);
	assert_string_equal(cause, "more than 1000000 rows");
	assert_int_equal(r->nrows, RUN_MAX_ROWS);
	free(cause);
	cause = NULL;
	run_free(r);

	r = run_new("x");
	b.data[b.len - 12] = ']';
	b.len -= 11;
	b.data[b.len] = '\0';
	assert_int_equal(parse_once(r, b.data, b.len, &cause), 0);
	assert_null(cause);
	assert_int_equal(r->nrows, RUN_MAX_ROWS);
	run_free(r);

	/* Rows without a step do not count. */
	r = run_new("x");
	b.len = 0;
	for (long i = 0; i < RUN_MAX_ROWS + 10; i++)
		buf_puts(&b, "{}\n");
	assert_int_equal(parse_once(r, b.data, b.len, &cause), 0);
	assert_int_equal(r->skipped_nostep, RUN_MAX_ROWS + 10);
	run_free(r);
	buf_free(&b);
}

/* json-c does not carry its number state across calls; numbers cut by a
 * chunk boundary must still parse as in one piece (found by fuzz_parse:
 * "124-0-Infinity" split after "124" was taken as one number). */
static void test_number_splits(void **state)
{
	(void)state;
	fails("{\"step\":124-0-Infinity0:00.5+02:00\"}\r\n{\"step\":1,\"eval_loss\":3}\n",
	      "invalid JSON at line 1, column 12: number expected");
	fails("[{\"a\":-5Infinity}]", "invalid JSON at line 1, column 9: object value separator ',' expected");
	fails("{\"a\":1,\"b\":true12}", "invalid JSON at line 1, column 16: object value separator ',' expected");
	fails("[{\"step\":12-3}]", "invalid JSON at line 1, column 12: number expected");
	fails("[{\"step\":1e5e5}]", "invalid JSON at line 1, column 13: number expected");
	fails("{\"metrics\":[{\"step\":1}],\"n\":12", "unexpected end of input (truncated JSON?) at line 1, column 31");
	fails("{\"metrics\":[{\"step\":1}],\"n\":--1}", "invalid JSON at line 1, column 30: number expected");

	struct run *r = ok("{\"step\":2,\"a\":-Infinity,\"b\":-12.5e-3,\"c\":1E+2}\n{\"step\":3,\"a\":true}");
	assert_int_equal(r->nrows, 2);
	assert_int_equal(r->nonfinite, 1);
	assert_true(cell(r, "b", 0) == -12.5e-3);
	assert_true(cell(r, "c", 0) == 100);
	run_free(r);
}

/* After an error the parser keeps refusing with the same message. */
static void test_error_sticks(void **state)
{
	struct run *r = run_new("x");
	struct parser *p = parser_new(r);
	char *cause = NULL;

	(void)state;
	assert_int_equal(parser_feed(p, "[1", 2, &cause), -1);
	assert_string_equal(cause, "row 1 is not an object");
	free(cause);
	assert_int_equal(parser_feed(p, "]", 1, &cause), -1);
	assert_string_equal(cause, "row 1 is not an object");
	free(cause);
	assert_int_equal(parser_finish(p, &cause), -1);
	assert_string_equal(cause, "row 1 is not an object");
	free(cause);
	parser_free(p);

	/* Empty feeds change nothing; finish twice is fine. */
	p = parser_new(r);
	assert_int_equal(parser_feed(p, "", 0, &cause), 0);
	assert_int_equal(parser_feed(p, "[]", 2, &cause), 0);
	assert_int_equal(parser_feed(p, "", 0, &cause), 0);
	assert_int_equal(parser_finish(p, &cause), 0);
	assert_int_equal(parser_finish(p, &cause), 0);
	parser_free(p);
	run_free(r);
}

/* ------------------------------------------------------------ fast path */

/* Rows at the edges of the fast path (parse.c) read exactly as json-c reads
 * them: parse_n() compares the two on every input; a few values are also
 * pinned. */
static void test_fast_path(void **state)
{
	static const char *const rows[] = {
	    /* numbers: exact, strtod's, json-c's integer rules */
	    "{\"step\": 1, \"a\": 0.1, \"b\": -0.0, \"c\": -0, \"d\": 1e22, \"e\": 1e23, \"f\": 5e-324}",
	    "{\"step\": 2, \"a\": 9007199254740993.5, \"b\": 123456789012345678, \"c\": 1234567890123456789}",
	    "{\"step\": 3, \"a\": 1.7976931348623157e308, \"b\": 2.2250738585072011e-308, \"c\": 1e400}",
	    "{\"step\": 4, \"a\": 0e5, \"b\": 1E+2, \"c\": 1e-0000000000000000000000001, \"d\": 0.000000000000000000001}",
	    "{\"step\": 5, \"a\": 12345678901234567890123, \"b\": -9223372036854775809, \"c\": 1.00000000000000000001}",
	    "{\"step\": 6.0, \"a\": NaN, \"b\": -Infinity, \"c\": Infinity}",
	    /* strings, literals, keys */
	    "{\"step\": \"7\", \"a\": \"0.5\", \"b\": \"nan\", \"c\": \"x\", \"d\": true, \"e\": false, \"f\": null}",
	    "{\"step\": 8, \"timestamp\": \"2024-05-01T12:00:00Z\", \"\": 1, \"a\\u0062\": 2, \"\\u00e9\": 3, \"\xc3\xa9\": 4}",
	    "{\"step\": 9, \"timestamp\": \"2024-05-01T12:00:00.1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890Z\"}",
	    "{\"step\": 10, \"a\": {\"b\": 1}, \"c\": [1, 2]}",
	    " {\"step\":11,\"a\":1}\n{\t\"step\"\r:\n12 , \"a\" : 2 }",
	    /* repeated keys: the last wins, null included */
	    "{\"step\": 13, \"a\": 1, \"a\": null, \"train_loss\": 1, \"loss\": 2, \"train_loss\": null}",
	    "{\"step\": 14, \"timestamp\": \"2024-05-01T12:00:00Z\", \"timestamp\": \"bad\", \"step\": 15}",
	    "{}",
	    "{\"a\": 1}",
	    /* json-c takes these too */
	    "{\"step\": 1., \"a\": \"x\ny\"}",
	    /* 17-19 significant digits (decimal.c): halfway, double rounding traps */
	    "{\"step\": 16, \"a\": 9007199254740993.0, \"b\": 0.24487257333508552, \"c\": 83e25, \"d\": 1.6988605088447218687e23}",
	    "{\"step\": 17, \"a\": 9999999999999999999e-27, \"b\": 2.9999999999999997e-05, \"c\": 18014398509481985.0, \"d\": 1844674407370955161.5e-3}",
	};
	/* Rows json-c rejects: the fast path must leave them to it. */
	static const char *const bad[] = {
	    "{\"step\": 01}", "{\"step\": .5}", "{\"step\": 1e}", "{\"step\": -}", "{\"step\": +1}",
	    "{\"step\": nullx}", "{\"step\": tru}", "{\"step\": 1,}", "{\"step\" 1}", "{\"step\": 1 \"a\": 2}",
	    "{\"step\": 1}x", "{step: 1}", "{\"step\": 1]",
	};
	char *cause;

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		/* As JSON Lines, and as the rows of an envelope. */
		char *env = xasprintf("{\"job_id\": \"j\", \"metrics\": [%s]}", rows[i]);
		struct run *r = parse_s(rows[i], &cause);

		/* Alone, an object without a step is no run: it says its keys. */
		if (strcmp(rows[i], "{\"a\": 1}") == 0 &&
		    (cause == NULL ||
		     strcmp(cause, "a JSON object with neither \"metrics\" nor \"log_history\" (its keys: a)") != 0))
			fail_msg("%s: %s", rows[i], cause ? cause : "no error");
		else if (cause != NULL && strcmp(rows[i], "{\"a\": 1}") != 0)
			fail_msg("%s: %s", rows[i], cause);
		free(cause);
		run_free(r);
		r = parse_s(env, &cause);
		if (cause != NULL && strchr(rows[i], '\n') == NULL)
			fail_msg("%s: %s", env, cause);
		free(cause);
		run_free(r);
		free(env);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct run *r = parse_s(bad[i], &cause);

		if (cause == NULL)
			fail_msg("accepted: %s", bad[i]);
		free(cause);
		run_free(r);
	}

	/* The platform's own rows (bookkeeping fields, a string, job_id) take
	 * the fast path; only what it cannot read goes to json-c. */
	struct {
		const char *json;
		size_t fast;
	} taken[] = {
	    {NULL, 0}, /* a big envelope of platform rows: below */
	    {"[{\"step\": 1, \"id\": 1, \"best_step\": 1, \"best_step\": 2, \"loss\": 1}]", 1},
	    {"{\"step\": 1, \"loss\": 1}\n{\"step\": 2, \"loss\": 1, \"loss\": 2}\n{\"step\": 3, \"a\": \"\\n\"}", 1},
	};
	/* 300 rows of ENVELOPE's first kind (id, job_id, loss_trend, best_*):
	 * over TRIAL_MAX, so read key by key, and every row but the one the
	 * trial cut (json-c's) on the fast path. */
	const char *row = strstr(ENVELOPE, " {\"id\"");
	size_t rowlen = (size_t)(strstr(row, "},\n") + 1 - row);
	struct buf big = {0};

	buf_puts(&big, "{\"job_id\": \"5c1f-a\", \"metrics\": [\n");
	for (int i = 0; i < 300; i++) {
		buf_append(&big, row, rowlen);
		buf_puts(&big, i < 299 ? ",\n" : "\n]}\n");
	}
	buf_append(&big, "", 1);
	taken[0].json = big.data;
	taken[0].fast = 299;
	for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
		struct run *t = run_new("fast");
		struct parser *p = parser_new(t);

		assert_int_equal(parser_feed(p, taken[i].json, strlen(taken[i].json), &cause), 0);
		assert_int_equal(parser_finish(p, &cause), 0);
		if (parser_fast_rows(p) != taken[i].fast)
			fail_msg("%zu rows on the fast path, want %zu: %.60s", parser_fast_rows(p), taken[i].fast,
			         taken[i].json);
		parser_free(p);
		run_free(t);
	}
	buf_free(&big);

	struct run *r = ok(rows[0]);
	assert_true(cell(r, "a", 0) == 0.1);
	assert_true(cell(r, "b", 0) == 0 && signbit(cell(r, "b", 0)));
	assert_true(cell(r, "c", 0) == 0 && !signbit(cell(r, "c", 0)));
	assert_true(cell(r, "d", 0) == 1e22);
	assert_true(cell(r, "e", 0) == 1e23);
	assert_true(cell(r, "f", 0) == 5e-324);
	run_free(r);
	r = ok(rows[1]);
	assert_true(cell(r, "a", 0) == 9007199254740994.0);
	assert_true(cell(r, "b", 0) == 123456789012345678.0);
	assert_true(cell(r, "c", 0) == 1234567890123456789.0);
	run_free(r);
	r = ok(rows[11]);
	assert_int_equal(run_find(r, "a"), -1); /* only a null is left */
	assert_true(cell(r, "train_loss", 0) == 2); /* train_loss is null: loss */
	run_free(r);
	r = ok(rows[12]);
	assert_true(cell(r, COL_STEP, 0) == 15);
	assert_int_equal(run_find(r, COL_TIME), -1); /* "bad" came last */
	run_free(r);
}

/* ------------------------------------------------------------ chunking */

/* Every fixture under tests/data/parse gives the same result however it is
 * split. */
static void test_chunking_fixtures(void **state)
{
	static const char *const files[] = {"envelope.json", "array.json", "lines.jsonl", "crlf-bom.jsonl",
	                                    "restart.jsonl", "nonfinite.json", "empty-metrics.json"};
	const char *srcdir = getenv("top_srcdir");

	(void)state;
	if (srcdir == NULL)
		srcdir = ".";
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *path = xasprintf("%s/tests/data/parse/%s", srcdir, files[i]);
		FILE *fp = fopen(path, "rb");
		struct buf b = {0};
		char tmp[4096];
		size_t n;

		if (fp == NULL)
			fail_msg("%s: %s", path, strerror(errno));
		while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
			buf_append(&b, tmp, n);
		fclose(fp);

		char *cause;
		struct run *r = parse_n(b.data, b.len, &cause);

		if (cause != NULL)
			fail_msg("%s: %s", files[i], cause);
		assert_true(r->nrows > 0 || strcmp(files[i], "empty-metrics.json") == 0);

		/* parse_fd agrees with parser_feed. */
		struct run *r2 = run_new("fd");
		int fd = open(path, O_RDONLY);
		char *d1 = parse_dump(r, 0, NULL), *d2;

		assert_true(fd >= 0);
		assert_int_equal(reader_read_fd(r2, fd, &cause), 0);
		close(fd);
		d2 = parse_dump(r2, 0, NULL);
		assert_string_equal(d1, d2);
		free(d1);
		free(d2);
		run_free(r2);
		run_free(r);
		buf_free(&b);
		free(path);
	}
}

/* parse_fd: read errors, a directory, empty and truncated pipes. */
static void test_parse_fd_errors(void **state)
{
	struct run *r = run_new("x");
	char *cause = NULL;
	int fds[2];

	(void)state;
	assert_int_equal(reader_read_fd(r, -1, &cause), -1);
	assert_string_equal(cause, "read error: Bad file descriptor");
	free(cause);

	int fd = open(".", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(reader_read_fd(r, fd, &cause), -1);
	assert_string_equal(cause, "read error: Is a directory");
	free(cause);
	close(fd);

	/* A pipe closed without data is empty input. */
	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	assert_int_equal(reader_read_fd(r, fds[0], &cause), -1);
	assert_string_equal(cause, "empty input");
	free(cause);
	close(fds[0]);

	/* A pipe with a truncated body. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "[{\"step\":1},", 12), 12);
	close(fds[1]);
	assert_int_equal(reader_read_fd(r, fds[0], &cause), -1);
	assert_string_equal(cause, "unexpected end of input (truncated JSON?) at line 1, column 13");
	free(cause);
	close(fds[0]);
	assert_int_equal(r->nrows, 1);
	run_free(r);
}

/* Runs the tests. */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envelope),
	    cmocka_unit_test(test_envelope_message),
	    cmocka_unit_test(test_bare_array),
	    cmocka_unit_test(test_json_lines),
	    cmocka_unit_test(test_big_envelope),
	    cmocka_unit_test(test_loss_alias),
	    cmocka_unit_test(test_other_fields),
	    cmocka_unit_test(test_nonfinite),
	    cmocka_unit_test(test_step),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_max_cols),
	    cmocka_unit_test(test_errors_basic),
	    cmocka_unit_test(test_partial_line),
	    cmocka_unit_test(test_errors_syntax),
	    cmocka_unit_test(test_errors_rows),
	    cmocka_unit_test(test_errors_nul),
	    cmocka_unit_test(test_limit_depth),
	    cmocka_unit_test(test_limit_value_size),
	    cmocka_unit_test(test_limit_fields),
	    cmocka_unit_test(test_limit_rows),
	    cmocka_unit_test(test_number_splits),
	    cmocka_unit_test(test_error_sticks),
	    cmocka_unit_test(test_fast_path),
	    cmocka_unit_test(test_chunking_fixtures),
	    cmocka_unit_test(test_parse_fd_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
