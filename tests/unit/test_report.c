/* test_report.c: unit tests for report.c's pure parts: shell quoting, the
 * command line shown in the report (secrets redacted) and the CSP hash
 * (SHA-256 against FIPS 180-4's examples). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

/* Quotes S and checks the result is WANT. */
static void check_quote(const char *s, const char *want)
{
	char *got = report_shell_quote(s);
	assert_string_equal(got, want);
	free(got);
}

/* Plain words stay; everything else is single-quoted, ' as '\''. */
static void test_shell_quote(void **state)
{
	(void)state;
	check_quote("examples/runs/a.json", "examples/runs/a.json");
	check_quote("--title=x", "--title=x");
	check_quote("", "''");
	check_quote("a b", "'a b'");
	check_quote("it's", "'it'\\''s'");
	check_quote("$(touch x)`y`", "'$(touch x)`y`'");
	check_quote("*", "'*'");
	check_quote("'", "\\'");
	check_quote("'a'", "\\''a'\\'");
}

/* What a page cannot show as it is (control characters, invalid UTF-8,
 * bidirectional and line-separator characters) is written as printf's
 * octal escapes; a newline stays inside the quotes; other UTF-8 stays. */
static void test_shell_quote_bytes(void **state)
{
	(void)state;
	check_quote("x\ny", "'x\ny'");
	check_quote("\n", "'\n'");
	check_quote("a\tb", "'a'\"$(printf '\\011')\"'b'");
	check_quote("\033[31m\r", "\"$(printf '\\033')\"'[31m'\"$(printf '\\015')\"");
	check_quote("\xff\xfe", "\"$(printf '\\377\\376')\"");
	check_quote("a\xe2\x80\xae" "b", "'a'\"$(printf '\\342\\200\\256')\"'b'");
	check_quote("caf\xc3\xa9 \xe2\x86\x92", "'caf\xc3\xa9 \xe2\x86\x92'");
	check_quote("it's\n\x01", "'it'\\''s\n'\"$(printf '\\001')\"");
}

/* Checks report_command of the N words of ARGV gives WANT. */
static void check_command(char *const *argv, size_t n, const char *want)
{
	char *got = report_command(argv, n);
	assert_string_equal(got, want);
	free(got);
}

/* Tokens never reach the page: --token's value, a URL's password and
 * secret query parameters are redacted; other words are kept. */
static void test_command_redacts(void **state)
{
	(void)state;
	char *a[] = {"trcompare-plot", "--token", "s3cret", "--token=s3cret", "x y.json"};
	check_command(a, 5, "trcompare-plot --token REDACTED --token=REDACTED 'x y.json'");
	char *b[] = {"p", "https://u:pw@h/m.json?access_token=t1&step=2&API_KEY=t2#frag",
		     "L=http://u:pw@h/x?sig=abc"};
	check_command(b, 3, "p 'https://h/m.json?access_token=REDACTED&step=2&API_KEY=REDACTED#frag' "
			    "'L=http://h/x?sig=REDACTED'");
	char *c[] = {"p", "a\nb", "</x>]]>"};
	check_command(c, 3, "p 'a\nb' '</x>]]>'");
}

/* Checks the CSP source of S is WANT. */
static void check_hash(const char *s, size_t n, const char *want)
{
	char *got = report_csp_hash(s, n);
	assert_string_equal(got, want);
	free(got);
}

/* SHA-256 of FIPS 180-4's examples (one block, two blocks) and of the
 * empty string, and of 55, 56 and 64 bytes (the padding's edges),
 * against sha256sum | xxd -r -p | base64. */
static void test_csp_hash(void **state)
{
	(void)state;
	check_hash("abc", 3, "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
	check_hash("", 0, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_hash(two, strlen(two), "'sha256-JI1qYdIGOLjlwCaTDD5gOaM85Flk/yFn9uzt1BnbBsE='");
	char a[65];
	memset(a, 'a', sizeof a);
	check_hash(a, 55, "'sha256-n0OQ+NMMLdkuyfCVtl4rmumwqSWlJY4kHJ8ekQ9zQxg='");
	check_hash(a, 56, "'sha256-s1Q5pKxvCUi21vnjxq8PX1kM4g8b3nCQ73lwaG7Gc4o='");
	check_hash(a, 64, "'sha256-/+BU/nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs='");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_shell_quote_bytes),
		cmocka_unit_test(test_command_redacts),
		cmocka_unit_test(test_csp_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
