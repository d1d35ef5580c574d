/* test_watch.c: a tail (watch.h) following files that grow.  Every poll's
 * snapshot must be what a cold read of the same bytes gives (reader +
 * run_finish), whether the tail extended the last snapshot in place (rows
 * appended in step order) or made a new one (a step going back, a repeated
 * step, a new column, a column newly derived, a file rewritten). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"
#include "run.h"
#include "watch.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/trc-watch-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* DIR/NAME, in a static buffer. */
static const char *path_of(const char *name)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

/* Appends TEXT to DIR/NAME (MODE "a") or writes it anew ("w"). */
static void put(const char *name, const char *mode, const char *text)
{
	FILE *f = fopen(path_of(name), mode);
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The file read cold and finished, as without --watch. */
static struct run *cold(const char *name)
{
	struct run *r = run_new(path_of(name));
	int fd = open(path_of(name), O_RDONLY);
	assert_true(fd >= 0);
	char *cause = NULL;
	int rc = reader_read_file(r, fd, path_of(name), &cause);
	close(fd);
	if (rc != 0)
		fail_msg("cold read: %s", cause);
	run_finish(r);
	return r;
}

/* Fails unless snapshot S equals the cold read of NAME: rows, columns
 * (NaN and bits), names, counters, what run_finish counts. */
static void check_cold(const struct run *s, const char *name, const char *what)
{
	struct run *c = cold(name);
	if (!watch_run_same(s, c))
		fail_msg("%s: the snapshot (%zu rows, %zu columns) is not the cold read (%zu rows, %zu columns)",
			 what, s->nrows, s->ncols, c->nrows, c->ncols);
	assert_int_equal(s->backwards, c->backwards);
	assert_int_equal(s->dup_steps, c->dup_steps);
	assert_int_equal(s->epoch_back, c->epoch_back);
	assert_int_equal(s->nlogged, c->nlogged);
	assert_true(s->finished);
	assert_int_equal(s->nstat, c->nstat);
	for (size_t k = 0; k < c->nstat; k++) {
		assert_int_equal(s->stat[k].nonfinite, c->stat[k].nonfinite);
		assert_int_equal(s->stat[k].huge, c->stat[k].huge);
		assert_int_equal(s->stat[k].nonpos, c->stat[k].nonpos);
	}
	run_free(c);
}

/* Polls T holding *SNAP (NULL: none); expects a change, extended in place
 * when INPLACE, else a new run (the old one freed); *SNAP is the result. */
static void poll_changed(struct tail *t, struct run **snap, bool inplace, const char *what)
{
	struct run *got = NULL;
	char *cause = NULL;
	int rc = tail_poll(t, *snap, &got, &cause);
	if (rc != 1)
		fail_msg("%s: tail_poll returned %d (%s)", what, rc, cause ? cause : "");
	if (inplace && got != *snap)
		fail_msg("%s: a new snapshot, not the last one extended", what);
	if (!inplace && got == *snap)
		fail_msg("%s: the last snapshot extended, not a new one", what);
	if (got != *snap)
		run_free(*snap);
	*snap = got;
}

static void test_jsonl_grows(void **state)
{
	(void)state;
	const char *f = "a.jsonl";
	put(f, "w", "{\"step\":1,\"train_loss\":3,\"epoch\":0.1}\n"
		    "{\"step\":2,\"train_loss\":2.5,\"epoch\":0.2}\n");
	struct tail *t = tail_new(path_of(f), path_of(f));
	struct run *s = NULL;
	poll_changed(t, &s, false, "first read");
	check_cold(s, f, "first read");

	/* Rows in step order: extended in place, perplexity derived for
	 * the new rows only, NaN where not logged. */
	put(f, "a", "{\"step\":3,\"train_loss\":2.25}\n{\"step\":5,\"train_loss\":2,\"epoch\":0.3}\n");
	poll_changed(t, &s, true, "rows appended");
	check_cold(s, f, "rows appended");

	/* A half line waits; nothing changed. */
	put(f, "a", "{\"step\":6,\"train_lo");
	struct run *none = s;
	char *cause = NULL;
	assert_int_equal(tail_poll(t, s, &none, &cause), 0);
	assert_null(none);
	/* Its rest, and an epoch going back while the step goes forward
	 * (counted on the new rows against the last before them). */
	put(f, "a", "ss\":1.9,\"epoch\":0.05}\n{\"step\":7,\"train_loss\":150}\n"
		    "{\"step\":8,\"train_loss\":1.8,\"epoch\":0.06}\n");
	poll_changed(t, &s, true, "a half line completed, the epoch back");
	check_cold(s, f, "a half line completed, the epoch back");
	assert_int_equal(s->epoch_back, 1);

	/* Many rows: the columns grow (realloc) and stay right. */
	for (int i = 9; i < 3000; i++) {
		char line[96];
		snprintf(line, sizeof line, "{\"step\":%d,\"train_loss\":%g,\"epoch\":%g}\n", i,
			 2 - i / 3000.0, i / 1000.0);
		put(f, "a", line);
		if (i % 700 == 0) {
			poll_changed(t, &s, true, "many rows");
			check_cold(s, f, "many rows");
		}
	}
	poll_changed(t, &s, true, "many rows");
	check_cold(s, f, "many rows");

	/* A restart: the step goes back (rows merged and sorted): a new
	 * snapshot; then rows in order again extend it. */
	put(f, "a", "{\"step\":2990,\"train_loss\":0.5}\n{\"step\":2991,\"train_loss\":0.4}\n");
	poll_changed(t, &s, false, "the step went back");
	check_cold(s, f, "the step went back");
	assert_int_equal(s->backwards, 1);
	put(f, "a", "{\"step\":3000,\"train_loss\":0.3}\n{\"step\":3001,\"train_loss\":0.2}\n");
	poll_changed(t, &s, true, "rows in order after the restart");
	check_cold(s, f, "rows in order after the restart");

	/* The last step repeated: merged, so a new snapshot. */
	put(f, "a", "{\"step\":3001,\"epoch\":3.5}\n");
	poll_changed(t, &s, false, "the last step repeated");
	check_cold(s, f, "the last step repeated");

	/* A new column mid-watch (eval_loss, and perplexity from it). */
	put(f, "a", "{\"step\":3002,\"train_loss\":0.2,\"eval_loss\":0.7}\n");
	poll_changed(t, &s, false, "a new column");
	check_cold(s, f, "a new column");
	put(f, "a", "{\"step\":3010,\"eval_loss\":0.6}\n{\"step\":3020,\"eval_loss\":0.5}\n");
	poll_changed(t, &s, true, "rows of the new column");
	check_cold(s, f, "rows of the new column");
	/* Perplexity logged (a column of its own now, derived where not
	 * logged). */
	put(f, "a", "{\"step\":3021,\"eval_loss\":0.5,\"perplexity\":9}\n");
	poll_changed(t, &s, false, "perplexity logged");
	check_cold(s, f, "perplexity logged");
	put(f, "a", "{\"step\":3022,\"eval_loss\":0.4}\n{\"step\":3023,\"eval_loss\":0.4,\"perplexity\":8}\n");
	poll_changed(t, &s, true, "perplexity logged and derived");
	check_cold(s, f, "perplexity logged and derived");

	/* Without the last snapshot in hand, a new one. */
	put(f, "a", "{\"step\":3030,\"train_loss\":0.1}\n");
	struct run *mine = NULL;
	poll_changed(t, &mine, false, "no snapshot held");
	check_cold(mine, f, "no snapshot held");
	run_free(s);
	s = mine;

	/* The file rewritten shorter: read again from the start. */
	put(f, "w", "{\"step\":1,\"train_loss\":9}\n");
	poll_changed(t, &s, false, "rewritten");
	check_cold(s, f, "rewritten");
	run_free(s);
	tail_free(t);
}

static void test_derived_column_appears(void **state)
{
	(void)state;
	/* A loss of 100 or more derives no perplexity: the column comes with
	 * the first loss below 100, after the columns logged, as in a cold
	 * read: a new snapshot. */
	const char *f = "b.jsonl";
	put(f, "w", "{\"step\":1,\"train_loss\":150,\"eval_loss\":200}\n");
	struct tail *t = tail_new(path_of(f), "b");
	struct run *s = NULL;
	poll_changed(t, &s, false, "first read");
	check_cold(s, f, "first read");
	assert_int_equal(run_find(s, COL_TRAIN_PPL), -1);
	put(f, "a", "{\"step\":2,\"train_loss\":120}\n");
	poll_changed(t, &s, true, "nothing derived yet");
	check_cold(s, f, "nothing derived yet");
	put(f, "a", "{\"step\":3,\"train_loss\":2}\n");
	poll_changed(t, &s, false, "train_perplexity appears");
	check_cold(s, f, "train_perplexity appears");
	put(f, "a", "{\"step\":4,\"eval_loss\":3}\n");
	poll_changed(t, &s, false, "perplexity appears");
	check_cold(s, f, "perplexity appears");
	put(f, "a", "{\"step\":5,\"eval_loss\":2.5,\"train_loss\":1}\n");
	poll_changed(t, &s, true, "both derived");
	check_cold(s, f, "both derived");
	run_free(s);
	tail_free(t);
}

static void test_csv_grows(void **state)
{
	(void)state;
	/* CSV: empty cells are not logged; a row cut mid-way waits. */
	const char *f = "c.csv";
	put(f, "w", "step,train_loss,eval_loss\n0,3.2,\n10,3.0,3.1\n");
	struct tail *t = tail_new(path_of(f), "c");
	struct run *s = NULL;
	poll_changed(t, &s, false, "first read");
	check_cold(s, f, "first read");
	put(f, "a", "20,2.9,\n30,2.");
	poll_changed(t, &s, true, "a row and a half");
	put(f, "a", "8,2.7\n");
	poll_changed(t, &s, true, "the rest");
	check_cold(s, f, "the rest");
	put(f, "a", "25,2.85,\n");
	poll_changed(t, &s, false, "a step back");
	check_cold(s, f, "a step back");
	run_free(s);
	tail_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl_grows),
		cmocka_unit_test(test_derived_column_appears),
		cmocka_unit_test(test_csv_grows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
