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
#include "gnuplot.h"
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
	int status = 0;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause, &status), 0);
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
	int status = 0;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause, &status), -1);
	assert_int_equal(bad, 2);
	assert_int_equal(status, EXIT_USAGE);
	assert_string_equal(cause, "standard input (-) can be read only once");
	free(cause);
	cache_free(c);

	char *ids[] = { "5c1f9a2b" };
	spec = make_spec(ids, 1);
	c = cache_new(&no_api);
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause, &status), -1);
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
	int status = 0;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(&spec, c, &no_api, &bad, &cause, &status), 0);
	cache_load(c);
	assert_int_equal(cache_entry_at(c, 0)->status, EXIT_DATA);
	assert_string_equal(cache_entry_at(c, 0)->error, "No such file or directory");
	assert_int_equal(cache_entry_at(c, 1)->status, EXIT_DATA);
	assert_true(strncmp(cache_entry_at(c, 1)->error, "no run in this directory", 24) == 0);
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

/* Same label, same id (the same job twice): the id tells nothing. */
static void test_labels_same_job(void **state)
{
	(void)state;
	const char *raw[] = { "m", "m", "m" };
	const char *ids[] = { "6aa9d614-0", "6aa9d614-0", "77e0aa11-2" };
	char **l = compare_labels(raw, ids, 3);
	assert_string_equal(l[0], "m (6aa9d614)");
	assert_string_equal(l[1], "m (6aa9d614) (2)");
	assert_string_equal(l[2], "m (77e0aa11)");
	for (size_t i = 0; i < 3; i++)
		free(l[i]);
	free(l);
	l = compare_labels(raw, ids, 2);
	assert_string_equal(l[0], "m");
	assert_string_equal(l[1], "m (2)");
	for (size_t i = 0; i < 2; i++)
		free(l[i]);
	free(l);
}

/* check_paths: compare_path_labels(PATHS) gives WANT (NULL where NULL). */
static void check_paths(const char *const *paths, const char *const *want, size_t n)
{
	char **l = compare_path_labels(paths, n);
	for (size_t i = 0; i < n; i++) {
		if (want[i])
			assert_string_equal(l[i], want[i]);
		else
			assert_null(l[i]);
		free(l[i]);
	}
	free(l);
}

/* Default names from paths: the shortest trailing part that differs. */
static void test_path_labels(void **state)
{
	(void)state;
	const char *p1[] = { "examples/runs/qwen-350m-lr3e-4.json", "examples/runs/llama-1.3b-lr2e-4.json" };
	const char *w1[] = { "qwen-350m-lr3e-4", "llama-1.3b-lr2e-4" };
	check_paths(p1, w1, 2);
	/* TensorBoard-like: the shared file name dropped, then the directories. */
	const char *p2[] = { "a/run1/metrics.json", "b/run1/metrics.json", "b/run2/metrics.json" };
	const char *w2[] = { "a/run1", "b/run1", "run2" };
	check_paths(p2, w2, 3);
	/* One job: its file name; a directory keeps a dot not before a letter. */
	const char *p3[] = { "out/x/trainer_state.json" };
	const char *w3[] = { "trainer_state" };
	check_paths(p3, w3, 1);
	const char *p4[] = { "logs/run-1.5/", "logs/run-2.5", NULL };
	const char *w4[] = { "run-1.5", "run-2.5", NULL };
	check_paths(p4, w4, 3);
	/* The same file twice, in two spellings: the same name (the file name
	 * all share dropped). */
	const char *p5[] = { "./runs/a.json", "runs/a.json", "other/a.json" };
	const char *w5[] = { "runs", "runs", "other" };
	check_paths(p5, w5, 3);
	/* URLs by their path (no host, user, query); the host when no path. */
	const char *p6[] = { "https://u:pw@h.example/runs/a.json?x=1", "http://h2.example:8080/", "/tmp/b.jsonl" };
	const char *w6[] = { "a", "h2.example:8080", "b" };
	check_paths(p6, w6, 3);
	/* A path that is all shared file name: kept whole. */
	const char *p7[] = { "metrics.json", "x/metrics.json" };
	const char *w7[] = { "metrics", "x/metrics" };
	check_paths(p7, w7, 2);
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
	int status = 0;
	char *cause = NULL;
	assert_int_equal(compare_add_jobs(spec, c, &no_api, &bad, &cause, &status), 0);
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
	assert_string_equal(ch->jobs[0].label, "a");
	assert_string_equal(ch->jobs[1].label, "B");
	assert_string_equal(ch->jobs[0].file, "a.dat");
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
	assert_string_equal(ch->jobs[0].label, "a");
	chart_free(ch2);
	free(relabel[0]);

	/* An unknown metric: a clear error. */
	spec.metrics = "loss,nope";
	assert_int_equal(compare_build(&spec, c, NULL, &t, &ch2, &cause), -1);
	assert_string_equal(cause, "--metrics: unknown metric 'nope' (no job has a column of that name; panels: loss, perplexity, lr, grad_norm, throughput, gpu_memory, gpu_util; columns: "
			    "train_loss, learning_rate, grad_norm, eval_loss, perplexity, train_perplexity)");
	free(cause);
	chart_free(ch);
	cache_free(c);
	for (int i = 0; i < 3; i++)
		free(jobs[i]);
}

/* spec.job_colors: each JOB's colour index, whatever the chart's order
 * (a --latest watch keeps a job's colour while it stays); without it the
 * chart's job order.  An idle cache entry is not read again. */
static void test_job_colors(void **state)
{
	(void)state;
	char *jobs[3];
	struct compare_spec spec;
	struct run_cache *c = loaded(&spec, jobs);
	struct chart_target t = { .terminal = "dumb", .width = 100, .height = 30, .view = true };
	struct chart *ch = NULL;
	char *cause = NULL;
	assert_int_equal(compare_build(&spec, c, NULL, &t, &ch, &cause), 0);
	assert_int_equal(ch->njobs, 2);
	assert_int_equal(ch->jobs[1].color_index, 1);
	assert_int_equal(ch->jobs[1].spec_job, 1);
	assert_string_equal(ch->jobs[1].color, compare_color(&spec, 1));
	chart_free(ch);

	/* B first, then a: B keeps index 1, a takes 4. */
	char *swapped[] = { jobs[1], jobs[0] };
	const size_t colors[] = { 1, 4 };
	spec.jobs = swapped;
	spec.njobs = 2;
	spec.job_colors = colors;
	assert_int_equal(compare_build(&spec, c, NULL, &t, &ch, &cause), 0);
	assert_int_equal(ch->njobs, 2);
	assert_string_equal(ch->jobs[0].label, "B");
	assert_int_equal(ch->jobs[0].color_index, 1);
	assert_string_equal(ch->jobs[0].color, compare_color(&spec, 1));
	assert_string_equal(ch->jobs[1].color, compare_color(&spec, 4));
	assert_int_equal(ch->jobs[1].spec_job, 1);
	chart_free(ch);

	/* Idle: passed by cache_refresh_all even when the file changed. */
	const struct cache_entry *e = cache_entry_at(c, 0);
	cache_set_idle(c, e, true);
	assert_true(e->idle);
	free(put_file("a.json", run_b));
	size_t gen = e->generation;
	cache_set_idle(c, cache_entry_at(c, 2), true); /* (failed: read again, a change) */
	assert_int_equal(cache_refresh_all(c), 0);
	assert_int_equal(e->generation, gen);
	cache_set_idle(c, e, false);
	assert_int_equal(cache_refresh_all(c), 1);
	assert_true(e->generation > gen);
	free(put_file("a.json", run_a));
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
	assert_non_null(strstr(s, "T[1] = \"a\"\nC[1] = \"#2563eb\""));
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
	assert_non_null(strstr(s, "D[1] = \"a.dat\"\nD[2] = \"B.dat\"\n"));
	assert_null(strstr(s, "<< EOD"));
	assert_non_null(strstr(s, "pause mouse close"));
	free(s);

	fp = tmpfile();
	render_data(fp, ch);
	s = slurp(fp);
	fclose(fp);
	assert_non_null(strstr(s, "# label: a\n"));
	assert_non_null(strstr(s, "# label: B\n# source: "));
	assert_non_null(strstr(s, "\n\n\n# trcompare-plot tidy data"));
	free(s);

	fp = tmpfile();
	assert_int_equal(render_summary(fp, ch, SUMMARY_CSV, 0), 0);
	s = slurp(fp);
	fclose(fp);
	assert_non_null(strstr(s, "\r\na,c4ca37b7-0000-4000-8000-000000000001,3,30,"));
	assert_non_null(strstr(s, "\r\nB,,2,20,2.5,2.75,"));
	free(s);

	chart_free(ch);
	cache_free(c);
	for (int i = 0; i < 3; i++)
		free(jobs[i]);
}

/* Size of PATH, or -1. */
static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* One gnuplot session draws several charts, one after another, and stays
 * open between them; an error in a script ends it with gnuplot's message;
 * a chart that takes too long is stopped at the time limit. */
static void test_session(void **state)
{
	(void)state;
	if (system("command -v gnuplot >/dev/null 2>&1") != 0)
		skip();
	char *cause = NULL, *warnings = NULL;
	struct gp_session *s = gp_session_start("set terminal dumb size 60,20\n", &cause);
	assert_non_null(s);
	for (int k = 1; k <= 3; k++) {
		char *out = xasprintf("%s/chart%d.txt", dir, k);
		FILE *fp = gp_session_script(s);
		assert_non_null(fp);
		fprintf(fp, "set output \"%s\"\nplot x**%d title \"chart %d\"\nunset output\n", out, k, k);
		assert_int_equal(gp_session_sync(s, &warnings, &cause), 0);
		assert_null(warnings);
		/* Drawn and closed by the time sync returns. */
		assert_true(file_size(out) > 100);
		free(out);
	}
	/* What gnuplot says about one chart is that chart's warning. */
	FILE *fp = gp_session_script(s);
	fputs("print \"hello\"\n", fp);
	assert_int_equal(gp_session_sync(s, &warnings, &cause), 0);
	assert_string_equal(warnings, "hello");
	free(warnings);
	assert_int_equal(gp_session_finish(s, &warnings, &cause), 0);
	gp_session_free(s);

	/* An error ends the session with gnuplot's message. */
	s = gp_session_start(NULL, &cause);
	assert_non_null(s);
	fp = gp_session_script(s);
	fputs("plot nosuchfunction(x)\n", fp);
	assert_int_equal(gp_session_sync(s, &warnings, &cause), -1);
	assert_non_null(strstr(cause, "gnuplot failed (exit status 1)"));
	assert_non_null(strstr(cause, "undefined function: nosuchfunction"));
	free(cause);
	assert_null(gp_session_script(s));
	gp_session_free(s);

	/* The time limit stops a chart that does not finish. */
	gnuplot_set_timeout(1);
	s = gp_session_start(NULL, &cause);
	assert_non_null(s);
	fp = gp_session_script(s);
	fputs("pause 30\n", fp);
	assert_int_equal(gp_session_sync(s, &warnings, &cause), -1);
	assert_string_equal(cause, "gnuplot did not finish within 1 s (--gnuplot-timeout); stopped it");
	free(cause);
	gp_session_free(s);
	gnuplot_set_timeout(300);

	/* A session never given a chart is stopped by gp_session_free. */
	s = gp_session_start(NULL, &cause);
	assert_non_null(s);
	gp_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_shares),
		cmocka_unit_test(test_add_jobs_usage),
		cmocka_unit_test(test_cache_errors),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_labels_same_job),
		cmocka_unit_test(test_path_labels),
		cmocka_unit_test(test_panels),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_job_colors),
		cmocka_unit_test(test_emitters),
		cmocka_unit_test(test_session),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
