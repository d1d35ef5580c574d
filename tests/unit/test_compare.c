/* test_compare.c: unit tests for the comparison as a library call: the run
 * cache (one read per source, shared, refreshable), the reader interface,
 * the label policy, panels from the spec, the chart model (cached runs
 * never changed) and the emitters that read only the chart. */
#include <config.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache.h"
#include "compare.h"
#include "gpscript.h"
#include "reader.h"
#include "render.h"
#include "util.h"

static char dir[64];

/* Writes TEXT to DIR/NAME; returns the path (malloc'd). */
static char *put_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static const char run_a[] =
	"{\"job_id\": \"c4ca37b7-0000-4000-8000-000000000001\", \"metrics\": ["
	"{\"step\": 10, \"train_loss\": 2.0, \"learning_rate\": 1e-4, \"grad_norm\": 1.5},"
	"{\"step\": 20, \"train_loss\": 1.5, \"eval_loss\": 1.7, \"learning_rate\": 1e-4},"
	"{\"step\": 30, \"train_loss\": 1.25, \"learning_rate\": 5e-5, \"grad_norm\": 0.5}]}";
static const char run_b[] =
	"{\"step\": 10, \"loss\": 3.0}\n{\"step\": 20, \"loss\": 2.5, \"eval_loss\": 2.75}\n";

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s", "/tmp/trc-compare-XXXXXX");
	assert_non_null(mkdtemp(dir));
	free(put_file("a.json", run_a));
	free(put_file("b.jsonl", run_b));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static struct fetch_config no_api = { .endpoint = FETCH_DEFAULT_ENDPOINT, .parallel = 5 };

/* A spec over JOBS (N of them) with the defaults options_parse sets. */
static struct compare_spec make_spec(char *const *jobs, size_t n)
{
	struct compare_spec s = { .jobs = jobs, .njobs = n, .max_points = -1 };
	return s;
}

/* Every spelling of one file is one entry, read once. */
static void test_cache_shares(void **state)
{
	(void)state;
	char *a = xasprintf("%s/a.json", dir), *a2 = xasprintf("%s/./a.json", dir);
	char *la = xasprintf("first=%s", a), *b = xasprintf("%s/b.jsonl", dir);
	char *jobs[] = { a, la, a2, b };
	struct compare_spec spec = make_spec(jobs, 4);
	struct run_cache *c = cache_new(&no_api);
	size_t bad = 99;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause), 0);
	assert_int_equal(cache_size(c), 2);
	cache_load(c);
	const struct cache_entry *e = cache_entry_at(c, 0);
	assert_true(e->loaded);
	assert_int_equal(e->status, EXIT_OK);
	assert_int_equal(e->run->nrows, 3);
	assert_int_equal(e->generation, 1);
	assert_string_equal(e->arg, a);
	/* Loading again reads nothing new. */
	const struct run *before = e->run;
	cache_load(c);
	assert_ptr_equal(e->run, before);
	assert_int_equal(e->generation, 1);
	assert_ptr_equal(cache_find(c, a2, SOURCE_FILE), e);

	/* Refresh reads the file again: a grown job. */
	free(put_file("a.json", "{\"step\": 1, \"loss\": 1}\n{\"step\": 2, \"loss\": 0.5}\n"
				"{\"step\": 3, \"loss\": 0.25}\n{\"step\": 4, \"loss\": 0.2}\n"));
	cache_refresh(c, e);
	assert_int_equal(e->generation, 2);
	assert_int_equal(e->run->nrows, 4);
	free(put_file("a.json", run_a));
	cache_free(c);
	free(a), free(a2), free(la), free(b);
}

/* Usage problems are found before reading: a second "-", an id without
 * an API URL. */
static void test_add_jobs_usage(void **state)
{
	(void)state;
	char *jobs[] = { "-", "x.json", "-" };
	struct compare_spec spec = make_spec(jobs, 3);
	struct run_cache *c = cache_new(&no_api);
	size_t bad = 99;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause), -1);
	assert_int_equal(bad, 2);
	assert_string_equal(cause, "standard input (-) can be read only once");
	free(cause);
	cache_free(c);

	char *ids[] = { "5c1f9a2b" };
	spec = make_spec(ids, 1);
	c = cache_new(&no_api);
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause), -1);
	assert_int_equal(bad, 0);
	assert_string_equal(cause, "no API URL: set TRCOMPARE_URL or --url");
	free(cause);
	cache_free(c);
}

/* A failed source keeps its message; a directory no format reads says so. */
static void test_cache_errors(void **state)
{
	(void)state;
	char *missing = xasprintf("%s/missing.json", dir);
	char *jobs[] = { missing, dir };
	struct compare_spec spec = make_spec(jobs, 2);
	struct run_cache *c = cache_new(&no_api);
	size_t bad;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause), 0);
	cache_load(c);
	assert_int_equal(cache_entry_at(c, 0)->status, EXIT_DATA);
	assert_string_equal(cache_entry_at(c, 0)->error, "No such file or directory");
	assert_int_equal(cache_entry_at(c, 1)->status, EXIT_DATA);
	assert_string_equal(cache_entry_at(c, 1)->error, "Is a directory");
	cache_free(c);
	free(missing);
}

/* The reader picks the json format and reads what parse.c reads. */
static void test_reader(void **state)
{
	(void)state;
	struct run *r = run_new("x");
	struct reader *rd = reader_new(r);
	char *cause = NULL;
	assert_null(reader_format_name(rd));
	assert_int_equal(reader_feed(rd, "{\"step\": 1, \"lo", 15, &cause), 0);
	/* Not yet known: the object might have a "log_history" (hf). */
	assert_null(reader_format_name(rd));
	assert_int_equal(reader_feed(rd, "ss\": 2}\n", 8, &cause), 0);
	assert_string_equal(reader_format_name(rd), "json");
	assert_int_equal(reader_finish(rd, &cause), 0);
	reader_free(rd);
	run_finish(r);
	assert_int_equal(r->nrows, 1);
	assert_true(run_get(r, run_find(r, "train_loss"), 0) == 2);
	run_free(r);

	/* An empty input is the json format's error. */
	r = run_new("y");
	rd = reader_new(r);
	assert_int_equal(reader_finish(rd, &cause), -1);
	assert_string_equal(cause, "empty input");
	free(cause);
	reader_free(rd);
	run_free(r);
}

/* The one label policy. */
static void test_labels(void **state)
{
	(void)state;
	const char *raw[] = { "llama", "llama", "50f5647d", "50f5647d", "", "a\nb", "x", "x" };
	const char *ids[] = { "5c1f9a2b-1", "77e0aa11-2", "50f5647d-3", "50f5647d-3", NULL, NULL, NULL, NULL };
	char **l = compare_labels(raw, ids, 8);
	assert_string_equal(l[0], "llama (5c1f9a2b)");
	assert_string_equal(l[1], "llama (77e0aa11)");
	assert_string_equal(l[2], "50f5647d");     /* the id is in the label already */
	assert_string_equal(l[3], "50f5647d (2)");
	assert_string_equal(l[4], "job 5");        /* empty */
	assert_string_equal(l[5], "a b");          /* control characters replaced */
	assert_string_equal(l[6], "x");
	assert_string_equal(l[7], "x (2)");
	for (size_t i = 0; i < 8; i++)
		free(l[i]);
	free(l);

	/* A label made unique may meet a later one: still unique. */
	const char *raw2[] = { "a", "a", "a (2)" };
	const char *ids2[] = { NULL, NULL, NULL };
	l = compare_labels(raw2, ids2, 3);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[1], "a (2)");
	assert_string_equal(l[2], "a (2) (2)");
	for (size_t i = 0; i < 3; i++)
		free(l[i]);
	free(l);
}

/* Panels and ranges from the spec; usage errors name the option. */
static void test_panels(void **state)
{
	(void)state;
	struct compare_spec spec = make_spec(NULL, 0);
	struct panel_set ps;
	const char *opt = NULL;
	char *cause = NULL;
	spec.metrics = "loss,lr";
	spec.logy = "loss";
	spec.xrange = "10:";
	spec.yrange = "lr=0:0.001";
	assert_int_equal(compare_panels(&spec, &ps, &opt, &cause), 0);
	assert_int_equal(ps.npanels, 2);
	assert_true(ps.panels[0].logy);
	assert_false(ps.panels[1].logy);
	assert_true(ps.xrange.min == 10 && isnan(ps.xrange.max));
	assert_true(isnan(ps.yranges[0].min));
	assert_true(ps.yranges[1].min == 0 && ps.yranges[1].max == 0.001);
	panel_set_free(&ps);

	spec.xrange = "5:1";
	assert_int_equal(compare_panels(&spec, &ps, &opt, &cause), -1);
	assert_string_equal(opt, "--xrange");
	assert_string_equal(cause, "'5:1' is not MIN:MAX");
	free(cause);
	spec.xrange = NULL;
	spec.logy = "perplexity";
	assert_int_equal(compare_panels(&spec, &ps, &opt, &cause), -1);
	assert_string_equal(opt, "--logy");
	assert_string_equal(cause, "'perplexity' is not one of the panels (-m loss,lr)");
	free(cause);
	spec.logy = NULL;
	spec.yrange = "lr";
	assert_int_equal(compare_panels(&spec, &ps, &opt, &cause), -1);
	assert_string_equal(opt, "--yrange");
	assert_string_equal(cause, "'lr' is not PANEL=MIN:MAX");
	free(cause);
}

/* A loaded cache over a.json and b.jsonl (and a missing file). */
static struct run_cache *loaded(struct compare_spec *spec, char **jobs)
{
	jobs[0] = xasprintf("%s/a.json", dir);
	jobs[1] = xasprintf("B=%s/b.jsonl", dir);
	jobs[2] = xasprintf("%s/none.json", dir);
	*spec = make_spec(jobs, 3);
	struct run_cache *c = cache_new(&no_api);
	size_t bad;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(spec, c, &no_api, &bad, &cause), 0);
	cache_load(c);
	return c;
}

/* The chart: jobs that loaded, labels, colours, derived columns in the
 * chart's tables while the cached runs stay as read. */
static void test_build(void **state)
{
	(void)state;
	char *jobs[3];
	struct compare_spec spec;
	struct run_cache *c = loaded(&spec, jobs);
	const char *colors[] = { "#111111", "#222222" };
	spec.colors = colors;
	spec.ncolors = 2;
	spec.smooth = 0.5;
	const struct run *ra = cache_entry_at(c, 0)->run;
	size_t ncols = ra->ncols;
	struct chart_target t = { .terminal = "dumb", .width = 100, .height = 30, .view = true };
	struct chart *ch = NULL;
	char *cause = NULL;
	assert_int_equal(compare_build(&spec, c, NULL, &t, &ch, &cause), 0);
	assert_int_equal(ch->njobs, 2);
	assert_string_equal(ch->jobs[0].label, "c4ca37b7");
	assert_string_equal(ch->jobs[1].label, "B");
	assert_string_equal(ch->jobs[0].file, "c4ca37b7.dat");
	assert_string_equal(ch->jobs[1].color, "#222222");
	assert_ptr_equal(ch->jobs[0].run, ra);
	assert_int_equal(ra->ncols, ncols); /* the cached run is untouched */
	assert_true(run_find(ra, "train_loss_smoothed") < 0);
	assert_true(run_find(ch->jobs[0].table, "train_loss_smoothed") > 0);
	assert_true(colset_index(&ch->cs, "train_loss_smoothed") > 0);
	assert_int_equal(ch->ps.npanels, 4);
	assert_true(ch->view.n > 0);

	/* A second chart of the same cache, another spec: its own labels. */
	struct compare_spec spec2 = make_spec(jobs, 1);
	char *relabel[] = { NULL };
	relabel[0] = xasprintf("again=%s", jobs[0]);
	spec2.jobs = relabel;
	struct chart *ch2 = NULL;
	assert_int_equal(compare_build(&spec2, c, NULL, &t, &ch2, &cause), 0);
	assert_int_equal(ch2->njobs, 1);
	assert_string_equal(ch2->jobs[0].label, "again");
	assert_ptr_equal(ch2->jobs[0].run, ra);
	assert_string_equal(ch->jobs[0].label, "c4ca37b7");
	chart_free(ch2);
	free(relabel[0]);

	/* An unknown metric: a clear error. */
	spec.metrics = "loss,nope";
	assert_int_equal(compare_build(&spec, c, NULL, &t, &ch2, &cause), -1);
	assert_string_equal(cause, "--metrics: unknown metric 'nope' (no job has a column of that name)");
	free(cause);
	chart_free(ch);
	cache_free(c);
	for (int i = 0; i < 3; i++)
		free(jobs[i]);
}

/* Reads all of FP (a tmpfile) into a malloc'd string. */
static char *slurp(FILE *fp)
{
	long n = ftell(fp);
	rewind(fp);
	char *s = xmalloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	return s;
}

/* The emitters read the chart: the script (inline and files), the tidy
 * data and the summary agree on labels and colours. */
static void test_emitters(void **state)
{
	(void)state;
	char *jobs[3];
	struct compare_spec spec;
	struct run_cache *c = loaded(&spec, jobs);
	spec.metrics = "loss";
	struct chart_target t = { .terminal = "dumb", .width = 100, .height = 30, .view = true };
	struct chart *ch = NULL;
	char *cause = NULL;
	assert_int_equal(compare_build(&spec, c, NULL, &t, &ch, &cause), 0);

	struct gp_emit e = { .terminal = "dumb", .width = 100, .height = 30 };
	FILE *fp = tmpfile();
	assert_int_equal(gpscript_write(fp, ch, &e), 0);
	char *s = slurp(fp);
	fclose(fp);
	assert_non_null(strstr(s, "set terminal dumb size 100,30\n"));
	assert_non_null(strstr(s, "T[1] = \"c4ca37b7\"\nC[1] = \"#2563eb\""));
	assert_non_null(strstr(s, "T[2] = \"B\"\nC[2] = \"#16a34a\""));
	assert_non_null(strstr(s, "$trc0 << EOD\n10 2\n20 1.5\n30 1.25\nEOD\n"));
	assert_null(strstr(s, "array D["));
	assert_null(strstr(s, "pause mouse"));
	free(s);

	e.files = true;
	e.window = true;
	fp = tmpfile();
	assert_int_equal(gpscript_write(fp, ch, &e), 0);
	s = slurp(fp);
	fclose(fp);
	assert_non_null(strstr(s, "D[1] = \"c4ca37b7.dat\"\nD[2] = \"B.dat\"\n"));
	assert_null(strstr(s, "<< EOD"));
	assert_non_null(strstr(s, "pause mouse close"));
	free(s);

	fp = tmpfile();
	render_data(fp, ch);
	s = slurp(fp);
	fclose(fp);
	assert_non_null(strstr(s, "# label: c4ca37b7\n"));
	assert_non_null(strstr(s, "# label: B\n# source: "));
	assert_non_null(strstr(s, "\n\n\n# trcompare-plot tidy data"));
	free(s);

	fp = tmpfile();
	assert_int_equal(render_summary(fp, ch, SUMMARY_CSV), 0);
	s = slurp(fp);
	fclose(fp);
	assert_non_null(strstr(s, "\r\nc4ca37b7,c4ca37b7-0000-4000-8000-000000000001,3,30,"));
	assert_non_null(strstr(s, "\r\nB,,2,20,2.5,2.75,"));
	free(s);

	chart_free(ch);
	cache_free(c);
	for (int i = 0; i < 3; i++)
		free(jobs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_shares),
		cmocka_unit_test(test_add_jobs_usage),
		cmocka_unit_test(test_cache_errors),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_panels),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_emitters),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
