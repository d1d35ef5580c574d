/* test_manifest.c: unit tests of src/manifest.c: the --batch manifest's
 * shell-like words (quotes, backslashes, comments, continuations), where
 * each word starts, and the errors with their line and column. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest.h"

/* Parses TEXT, which must succeed. */
static struct manifest parse_ok(const char *text)
{
	struct manifest m;
	char *cause = NULL;
	int rc = manifest_parse(text, strlen(text), &m, &cause);
	if (rc != 0)
		fail_msg("manifest_parse: %s", cause);
	return m;
}

/* Entry E of M has exactly the words given (NULL-terminated). */
static void words_are(const struct manifest *m, size_t e, ...)
{
	assert_true(e < m->n);
	va_list ap;
	va_start(ap, e);
	size_t i = 0;
	for (const char *w; (w = va_arg(ap, const char *)) != NULL; i++) {
		assert_true(i < m->entries[e].nwords);
		assert_string_equal(m->entries[e].words[i].text, w);
	}
	va_end(ap);
	assert_int_equal(m->entries[e].nwords, i);
}

/* Parsing TEXT fails with CAUSE. */
static void fails_with(const char *text, size_t len, const char *want)
{
	struct manifest m;
	char *cause = NULL;
	assert_int_equal(manifest_parse(text, len, &m, &cause), -1);
	assert_string_equal(cause, want);
	assert_int_equal(m.n, 0);
	free(cause);
}

static void test_words(void **state)
{
	(void)state;
	struct manifest m = parse_ok("-o a.png  a.json\tb.json\n\n-m loss -o b.svg c.json\n");
	assert_int_equal(m.n, 2);
	words_are(&m, 0, "-o", "a.png", "a.json", "b.json", NULL);
	words_are(&m, 1, "-m", "loss", "-o", "b.svg", "c.json", NULL);
	assert_int_equal(m.entries[1].line, 3);
	assert_int_equal(m.entries[1].words[3].line, 3);
	assert_int_equal(m.entries[1].words[3].col, 12);
	manifest_free(&m);
}

static void test_quotes(void **state)
{
	(void)state;
	struct manifest m = parse_ok("--title 'it'\\''s \"x\" $HOME' \"a \\\"b\\\" \\$c \\n\" x\\ y ''\n");
	words_are(&m, 0, "--title", "it's \"x\" $HOME", "a \"b\" $c \\n", "x y", "", NULL);
	manifest_free(&m);
	/* Quotes join with what touches them; a quoted newline stays. */
	m = parse_ok("lr=\"1e-4\"'.json' 'two\nlines'\n");
	assert_int_equal(m.n, 1);
	words_are(&m, 0, "lr=1e-4.json", "two\nlines", NULL);
	manifest_free(&m);
}

static void test_no_expansion(void **state)
{
	(void)state;
	struct manifest m = parse_ok("$(rm -rf /) `id` *.json ~/x a;b c|d e>f $HOME\n");
	words_are(&m, 0, "$(rm", "-rf", "/)", "`id`", "*.json", "~/x", "a;b", "c|d", "e>f", "$HOME", NULL);
	manifest_free(&m);
}

static void test_comments_continuations(void **state)
{
	(void)state;
	struct manifest m = parse_ok("# a comment\n   \n-o a.png \\\n  a.json # trailing\n"
				     "b#c '#d' \\#e\r\n-o x\\\r\ny.png\n\\\nz\n");
	assert_int_equal(m.n, 4);
	words_are(&m, 0, "-o", "a.png", "a.json", NULL);
	assert_int_equal(m.entries[0].line, 3);
	assert_int_equal(m.entries[0].words[2].line, 4);
	assert_int_equal(m.entries[0].words[2].col, 3);
	words_are(&m, 1, "b#c", "#d", "#e", NULL);
	words_are(&m, 2, "-o", "xy.png", NULL);
	assert_int_equal(m.entries[2].line, 6);
	words_are(&m, 3, "z", NULL);
	assert_int_equal(m.entries[3].line, 9);
	manifest_free(&m);
	/* Double quotes: backslash-newline is removed there too. */
	m = parse_ok("\"a\\\nb\"");
	words_are(&m, 0, "ab", NULL);
	manifest_free(&m);
	m = parse_ok("");
	assert_int_equal(m.n, 0);
	manifest_free(&m);
}

static void test_errors(void **state)
{
	(void)state;
	fails_with("a.json\n-o 'x.png\n", 17, "2:4: unterminated single quote");
	fails_with("a \"b\n\nc", 7, "1:3: unterminated double quote");
	fails_with("a b\\", 4, "1:4: backslash at the end of the manifest");
	fails_with("a\n b\0c", 6, "2:3: NUL byte");
	fails_with("'a\0'", 4, "1:3: NUL byte");
}

static void test_dir(void **state)
{
	(void)state;
	char *d = manifest_dir("runs/sweep.manifest");
	assert_string_equal(d, "runs");
	free(d);
	d = manifest_dir("m.txt");
	assert_string_equal(d, ".");
	free(d);
	d = manifest_dir("-");
	assert_string_equal(d, ".");
	free(d);
	d = manifest_dir("/m");
	assert_string_equal(d, "/");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_no_expansion),
		cmocka_unit_test(test_comments_continuations),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dir),
	};
	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
