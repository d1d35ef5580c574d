/* test_text.c: unit tests for text.c.  Exact outputs for every function,
 * then the gnuplot round trip (tests/fuzz/quote_check.h) over a corpus of
 * hostile names with the real gnuplot and xmllint. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"
#include "../fuzz/quote_check.h"

/* Sanitizes LEN bytes of S with MAXCHARS and checks the result is WANT. */
static void check_sanitize(const char *s, size_t len, size_t maxchars, const char *want)
{
	char *got = text_sanitize(s, len, maxchars, "FB");

	assert_string_equal(got, want);
	free(got);
}

#define SAN(lit, want) check_sanitize(lit, sizeof(lit) - 1, 200, want)
#define FFFD "\xEF\xBF\xBD"

/* Plain text passes unchanged; empty and blank input give the fallback. */
static void test_sanitize_plain(void **state)
{
	char *s;

	(void)state;
	SAN("gpt2-small run 3", "gpt2-small run 3");
	SAN("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");
	SAN("", "FB");
	SAN("   ", "FB");
	SAN("\n\t\r\0", "FB");
	SAN("  a b  ", "a b");
	s = text_sanitize(NULL, 0, 200, "job 3");
	assert_string_equal(s, "job 3");
	free(s);
	s = text_sanitize("", 0, 200, NULL);
	assert_string_equal(s, "");
	free(s);
	/* The fallback is copied. */
	{
		char fb[] = "job 7";

		s = text_sanitize(" ", 1, 200, fb);
		fb[0] = 'X';
		assert_string_equal(s, "job 7");
		free(s);
	}
}

/* C0 and C1 controls and DEL become spaces; NUL does not end the text. */
static void test_sanitize_controls(void **state)
{
	(void)state;
	SAN("a\nb", "a b");
	SAN("a\r\nb", "a  b");
	SAN("a\tb", "a b");
	SAN("a\0b", "a b");
	SAN("a\x1b[31mred", "a [31mred");
	SAN("a\x7f" "b", "a b");
	SAN("a\xC2\x80" "b", "a b");    /* U+0080 */
	SAN("a\xC2\x85" "b", "a b");    /* U+0085 NEL */
	SAN("a\xC2\x9B" "b", "a b");    /* U+009B CSI */
	SAN("a\xC2\x9F" "b", "a b");    /* U+009F */
	SAN("a\xC2\xA0" "b", "a\xC2\xA0" "b"); /* U+00A0 stays */
	SAN("\x01\x02x\x1f", "x");
	/* Invalid in SVG text, which gnuplot does not escape. */
	SAN("]]>", "]] >");
	SAN("a]]]>]]>b", "a]]] >]] >b");
	SAN("]]\n>", "]] >");
	SAN("] ]>", "] ]>");
	SAN("&#x1;", "& #x1;");
	SAN("&#X1; &#1; &amp;", "&#X1; &#1; &amp;");
	SAN("&&#x&#x", "&& #x& #x");
	SAN("</script>", "< /script>");
	SAN("<!--", "< !--");
	SAN("<</<!", "<< /< !");
	SAN("<a>", "<a>");
	SAN("a\xE2\x80\xA8" "b\xE2\x80\xA9", "a b");
	/* Invisible format and bidirectional controls. */
	SAN("evil\xE2\x80\xAEgpj.exe", "evil gpj.exe");          /* U+202E RLO */
	SAN("a\xE2\x81\xA6" "b\xE2\x81\xA7" "c\xE2\x81\xA8" "d\xE2\x81\xA9" "e", "a b c d e"); /* U+2066-9 */
	SAN("pay\xE2\x80\x8Bpal", "pay pal");                    /* U+200B */
	SAN("a\xE2\x80\x8E" "b\xE2\x80\x8F" "c", "a b c");         /* U+200E, U+200F */
	SAN("a\xE2\x80\xAA" "b\xE2\x80\xAB" "c\xE2\x80\xAC" "d\xE2\x80\xAD" "e", "a b c d e"); /* U+202A-D */
	SAN("a\xE2\x81\xA0" "b\xE2\x81\xA4" "c", "a b c");         /* U+2060, U+2064 */
	SAN("\xEF\xBB\xBF" "bom\xEF\xBB\xBF" "x", "bom x");         /* U+FEFF */
	SAN("a\xC2\xAD" "b\xD8\x9C" "c", "a b c");                   /* U+00AD, U+061C */
	SAN("a\xF3\xA0\x80\x81" "b\xF3\xA0\x81\xBF" "c", "a b c");   /* U+E0001, U+E007F */
	SAN("a\xE2\x80\x8A" "b\xE2\x80\x90" "c", "a\xE2\x80\x8A" "b\xE2\x80\x90" "c"); /* U+200A, U+2010 stay */
	SAN("x\n", "x");
	SAN("\nx", "x");
}

/* Invalid UTF-8 becomes U+FFFD, one per maximal subpart. */
static void test_sanitize_invalid_utf8(void **state)
{
	(void)state;
	SAN("\x80", FFFD);
	SAN("a\xBF" "b", "a" FFFD "b");
	SAN("\xFF\xFE", FFFD FFFD);
	SAN("\xC0\xAF", FFFD FFFD);                 /* overlong '/' */
	SAN("\xC1\xBF", FFFD FFFD);                 /* overlong */
	SAN("\xE0\x80\xAF", FFFD FFFD FFFD);        /* overlong '/' */
	SAN("\xE0\x9F\xBF", FFFD FFFD FFFD);        /* overlong U+07FF */
	SAN("\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD); /* overlong '/' */
	SAN("\xF0\x8F\xBF\xBF", FFFD FFFD FFFD FFFD); /* overlong U+FFFF */
	SAN("\xC0\x80", FFFD FFFD);                 /* modified-UTF-8 NUL */
	SAN("\xED\xA0\x80", FFFD FFFD FFFD);        /* surrogate U+D800 */
	SAN("\xED\xBF\xBF", FFFD FFFD FFFD);        /* surrogate U+DFFF */
	SAN("\xED\x9F\xBF", "\xED\x9F\xBF");        /* U+D7FF is fine */
	SAN("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* U+110000 */
	SAN("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF is fine */
	SAN("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	SAN("\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
	SAN("\xE2\x82", FFFD);                      /* truncated at the end */
	SAN("\xE2\x82" "x", FFFD "x");              /* truncated, then ASCII */
	SAN("\xF0\x9F\x98", FFFD);
	SAN("\xF0\x9F\x98\xF0\x9F\x98\x80", FFFD "\xF0\x9F\x98\x80");
	SAN("\xC3", FFFD);
	SAN("\xC3\xC3\xA9", FFFD "\xC3\xA9");
	/* Not characters and not allowed in XML. */
	SAN("\xEF\xBF\xBE", FFFD);
	SAN("\xEF\xBF\xBF", FFFD);
	SAN("\xEF\xBF\xBD", FFFD);
	SAN("\xEF\xBB\xBF" "x", "x"); /* U+FEFF (a BOM, or zero-width no-break space) goes */
}

/* The cap counts characters and ends a cut text with an ellipsis. */
static void test_sanitize_cap(void **state)
{
	char in[1000], want[1000];
	char *s;

	(void)state;
	memset(in, 'a', 250);
	s = text_sanitize(in, 250, 200, "FB");
	memset(want, 'a', 199);
	memcpy(want + 199, "\xE2\x80\xA6", 4);
	assert_string_equal(s, want);
	free(s);

	s = text_sanitize(in, 200, 200, "FB");
	assert_int_equal(strlen(s), 200);
	free(s);
	s = text_sanitize(in, 201, 200, "FB");
	assert_int_equal(strlen(s), 199 + 3);
	free(s);

	/* Characters, not bytes: 201 × "é" keeps 199 of them. */
	for (int i = 0; i < 201; i++)
		memcpy(in + 2 * i, "\xC3\xA9", 2);
	s = text_sanitize(in, 402, 200, "FB");
	assert_int_equal(strlen(s), 199 * 2 + 3);
	assert_memory_equal(s, in, 199 * 2);
	assert_string_equal(s + 398, "\xE2\x80\xA6");
	free(s);

	/* No space before the ellipsis; surrounding blanks do not count. */
	check_sanitize("abc defgh", 9, 5, "abc\xE2\x80\xA6");
	check_sanitize("   abcde   ", 11, 5, "abcde");
	check_sanitize("abcdef", 6, 1, "\xE2\x80\xA6");
	check_sanitize("a", 1, 1, "a");
	/* Long inputs: only what is kept counts. */
	{
		size_t big = 10 * 1000 * 1000;
		char *h = malloc(big);

		assert_non_null(h);
		memset(h, 'a', big);
		s = text_sanitize(h, big, 200, "FB");
		assert_int_equal(strlen(s), 199 + 3);
		free(s);
		memset(h, ' ', big);
		h[0] = 'a';
		s = text_sanitize(h, big, 5, "FB");
		assert_string_equal(s, "a");
		free(s);
		h[big - 1] = 'b';
		s = text_sanitize(h, big, 5, "FB");
		assert_string_equal(s, "a\xE2\x80\xA6");
		free(s);
		free(h);
	}
	/* The cut never splits a rule: "]] >" and "& #x" count their space. */
	check_sanitize("ab]]>", 5, 4, "ab]\xE2\x80\xA6");
	check_sanitize("ab]]>", 5, 5, "ab]]\xE2\x80\xA6");
	check_sanitize("ab]]>", 5, 6, "ab]] >");
	check_sanitize("&#x1", 4, 3, "&\xE2\x80\xA6");
	/* 0: no cap. */
	memset(in, 'b', 999);
	s = text_sanitize(in, 999, 0, "FB");
	assert_int_equal(strlen(s), 999);
	free(s);
}

#define GPQ(in, want)                                   \
	do {                                            \
		char *q_ = text_gp_quote(in);           \
		assert_string_equal(q_, want);          \
		free(q_);                               \
	} while (0)

/* The octal-escape rule of gnuplot.md, byte by byte. */
static void test_gp_quote(void **state)
{
	(void)state;
	GPQ("", "\"\"");
	GPQ("run 1", "\"run 1\"");
	GPQ("AZaz09 -_.,:/+=()[]", "\"AZaz09 -_.,:/+=()[]\"");
	GPQ("it's", "\"it\\0047s\"");
	GPQ("\"", "\"\\0042\"");
	GPQ("`touch x`", "\"\\140touch x\\140\"");
	GPQ("@x", "\"\\100x\"");
	GPQ("#$;", "\"\\0043\\0044\\0073\"");
	GPQ("\\", "\"\\134\"");
	GPQ("a\\", "\"a\\134\"");
	GPQ("!%&*<>?|", "\"\\0041\\0045\\0046\\0052\\0074\\0076\\0077\\174\"");
	GPQ("^_{}~", "\"\\136_\\173\\175\\176\"");
	GPQ("'1", "\"\\00471\""); /* a digit after an escape stays a digit */
	GPQ("`1", "\"\\1401\"");
	GPQ("\xC3\xA9", "\"\\303\\251\"");
	GPQ("\xE2\x80\xA6", "\"\\342\\200\\246\"");
	GPQ("\n", "\"\\0012\"");  /* not in sanitized text, escaped anyway */
	GPQ("\x7f", "\"\\177\"");
	/* Every byte: only allowed characters survive unescaped. */
	for (int c = 1; c < 256; c++) {
		char in[2] = {(char)c, 0};
		char *q = text_gp_quote(in);
		int literal = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || strchr(" -_.,:/+=()[]", c);
		char want[16];

		if (literal)
			snprintf(want, sizeof want, "\"%c\"", c);
		else if (c < 0100)
			snprintf(want, sizeof want, "\"\\0%03o\"", (unsigned)c);
		else
			snprintf(want, sizeof want, "\"\\%03o\"", (unsigned)c);
		assert_string_equal(q, want);
		q[strlen(q) - 1] = '\0';
		assert_null(strpbrk(q + 1, "\"`@#$'\n"));
		free(q);
	}
}

#define JQ(in, want)                                    \
	do {                                            \
		char *q_ = text_json_quote(in);         \
		assert_string_equal(q_, want);          \
		free(q_);                               \
	} while (0)

/* JSON string literals. */
static void test_json_quote(void **state)
{
	(void)state;
	JQ("", "\"\"");
	JQ("run 1", "\"run 1\"");
	JQ("say \"hi\"", "\"say \\\"hi\\\"\"");
	JQ("a\\b", "\"a\\\\b\"");
	JQ("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	JQ("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	JQ("</script> ]]> @$`'", "\"</script> ]]> @$`'\"");
	JQ("caf\xC3\xA9", "\"caf\xC3\xA9\"");
}

#define CSV(in, want)                                   \
	do {                                            \
		char *q_ = text_csv_field(in);          \
		assert_string_equal(q_, want);          \
		free(q_);                               \
	} while (0)

/* CSV fields (RFC 4180) with the formula guard. */
static void test_csv_field(void **state)
{
	(void)state;
	CSV("", "");
	CSV("run 1", "run 1");
	CSV("a,b", "\"a,b\"");
	CSV("say \"hi\"", "\"say \"\"hi\"\"\"");
	CSV("a\nb", "\"a\nb\"");
	CSV("a\rb", "\"a\rb\"");
	CSV("=1+1", "'=1+1");
	CSV("+cmd", "'+cmd");
	CSV("-2", "'-2");
	CSV("@SUM(A1)", "'@SUM(A1)");
	CSV("\tx", "'\tx");
	CSV("=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	CSV("a=b", "a=b");
	CSV("'quoted'", "'quoted'");
	CSV("a;b|c", "a;b|c");
}

#define MD(in, want)                                    \
	do {                                            \
		char *q_ = text_md_cell(in);            \
		assert_string_equal(q_, want);          \
		free(q_);                               \
	} while (0)

/* Markdown table cells. */
static void test_md_cell(void **state)
{
	(void)state;
	MD("", "");
	MD("run 1", "run 1");
	MD("a|b", "a\\|b");
	MD("a\\b", "a\\\\b");
	MD("`x` *y* _z_", "\\`x\\` \\*y\\* \\_z\\_");
	MD("[l](u)", "\\[l\\](u)");
	MD("<b>", "\\<b\\>");
	MD("a\nb\rc", "a b c");
	MD("caf\xC3\xA9 #1 !x", "caf\xC3\xA9 #1 !x");
	/* No autolink, entity, math or strike-through on GitHub. */
	MD("$x$ ~~y~~ &lt;", "\\$x\\$ \\~\\~y\\~\\~ \\&lt;");
	MD("http://e.com a@b.co WWW.e.com w.x @@", "http\\://e.com a`@`b.co WWW\\.e.com w.x `@@`");
}

#define STEM(in, want)                                  \
	do {                                            \
		char *q_ = text_file_stem(in);          \
		assert_string_equal(q_, want);          \
		free(q_);                               \
	} while (0)

/* File name stems. */
static void test_file_stem(void **state)
{
	char in[200], want[65];

	(void)state;
	STEM("run-1.a_b", "run-1.a_b");
	STEM("", "job");
	STEM(".", "job");
	STEM("..", "job");
	STEM("-", "job");
	STEM("-rf", "rf");
	STEM(".hidden", "hidden");
	STEM("..-.x", "x");
	STEM("../../etc/passwd", "_.._etc_passwd");
	STEM("a/b", "a_b");
	STEM("a  /\\ b", "a_b");
	STEM("caf\xC3\xA9", "caf_");
	STEM("\xC3\xA9t\xC3\xA9", "_t_");
	STEM("`touch x`", "_touch_x_");
	STEM("a\nb", "a_b");
	STEM(" ", "_");
	memset(in, 'x', 100);
	in[100] = '\0';
	memset(want, 'x', 64);
	want[64] = '\0';
	STEM(in, want);
}

/* One entry of the hostile-name corpus: bytes (NULs allowed) and length. */
struct hostile {
	const char *s;
	size_t len;
};
#define H(lit) {lit, sizeof(lit) - 1}

/* Names that broke naive quoting (gnuplot.md) and every class issue 5 lists.
 * Commands that would run write a canary file into gnuplot's working
 * directory, which qc_roundtrip treats as failure. */
static const struct hostile hostile_names[] = {
	H("it's"),
	H("say \"hi\""),
	H("'''a'"),
	H("\""),
	H("'"),
	H("\\"),
	H("ends in backslash\\"),
	H("\\\""),
	H("\\'"),
	H("`touch canary`"),
	H("x`touch canary`y"),
	H("\"`touch canary`\""),
	H("'`touch canary`'"),
	H("\\`touch canary`"),
	H("@T"),
	H("@GPVAL_TERM"),
	H("a'@x'b"),
	H("\"a'@T[1]'\""),
	H("system(\"touch canary\")"),
	H("\"; system(\"touch canary\"); \""),
	H("'; system(\"touch canary\"); '"),
	H("\" . system(\"touch canary\") . \""),
	H("!touch canary"),
	H("a\nsystem(\"touch canary\")"),
	H("a\n!touch canary"),
	H("a\r!touch canary"),
	H("a\"\nsystem(\"touch canary\")\n#"),
	H("tab\there"),
	H("nul\0inside"),
	H("\\\0system(\"touch canary\")"),
	H("a\\\0\nsystem(\"touch canary\")"),
	H("EOD"),
	H("EODX 1 2"),
	H("$data << EOD\nsystem(\"touch canary\")\nEOD"),
	H("<touch canary"),
	H("< touch canary"),
	H("|touch canary"),
	H("load \"<touch canary\""),
	H("evaluate \"system('touch canary')\""),
	H("set output \"canary\""),
	H("set print \"canary\"; print 1"),
	H("$job0"),
	H("$"),
	H("#comment"),
	H("a # b"),
	H(";"),
	H("a; !touch canary"),
	H("x^2_{i}"),
	H("{/Symbol a} @^{a}_{b} &{space} ~a{.8-}"),
	H("^_{}@&~"),
	H("\xFF\xFE"),
	H("\xC0\xAF\xE0\x80\xAF"),
	H("\xED\xA0\x80 surrogate"),
	H("\xF4\x90\x80\x80 too big"),
	H("trunc \xE2\x82"),
	H("\xEF\xBF\xBE\xEF\xBF\xBF"),
	H("]]>"),
	H("<![CDATA[x]]>"),
	H("</text></svg><script>alert(1)</script>"),
	H("&amp; &#0; &#x1; &lt;"),
	H("%s%n%d%%"),
	H("sprintf(\"%s\")"),
	H("\\0047\\140\\100"),
	H("\\u0000\\n"),
	H("\x1b[31mred\x1b]0;title\x07"),
	H("\xC2\x9B" "31m C1 CSI"),
	H("\xE2\x80\xA8line sep\xE2\x80\xA9"),
	H("\xE2\x80\xAEright-to-left"),
	H("\xEF\xBB\xBF" "bom"),
	H("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 e\xCC\x81"),
	H("-rf"),
	H("../../etc/passwd"),
	H(".hidden"),
	H(""),
	H("   "),
	H("\n\t\r"),
	H("\x7f"),
	H("reset session"),
	H("quit"),
	H("\nquit\n"),
	H("\npause -1\n"),
	H("T[1] = \"pwned\""),
	H("=1+1"),
	H("+cmd|' /C calc'!A0"),
	H("a|b **bold** [l](http://x)"),
	H("{"),
	H("}"),
	H("\" {"),
	H("a\\\nb"),
	H("import f(x) from \"canary.so\""),
	H("cd \"..\""),
	/* Digits right after an escape must stay digits. */
	H("'1 '12 '123 `7 @0 \xC3\xA9" "9 \\0 #00 $1"),
	H("\xC3\xBF\xC3\xBF" "377"),
	/* What the round trip found in gnuplot's terminals (see text.h). */
	H("&#xD800; &#x; &#x110000; &#X1;"),
	H("<!--<script>"),
	H("</SCRIPT >"),
};

/* Every hostile name survives the gnuplot round trip with the product's cap. */
static void test_gp_roundtrip_hostile(void **state)
{
	char msg[QC_MSG_MAX];
	size_t n = sizeof hostile_names / sizeof hostile_names[0];

	(void)state;
	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++) {
		if (qc_roundtrip(hostile_names[i].s, hostile_names[i].len, TEXT_MAX_CHARS, 1, msg) != 0)
			fail_msg("hostile name %zu: %s", i, msg);
	}
}

/* 100 kB names: capped as the product does, and uncapped to show that the
 * quoting itself holds on a 400 kB command line. */
static void test_gp_roundtrip_huge(void **state)
{
	static const char *const units[] = {
		"`touch canary`", "\xC3\xA9", "'\"@$#\n\\", "\xFF", "]]>&<",
	};
	char msg[QC_MSG_MAX];
	size_t len = 100000;
	char *s = malloc(len);

	(void)state;
	assert_non_null(s);
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t ul = strlen(units[u]);

		for (size_t i = 0; i < len; i++)
			s[i] = units[u][i % ul];
		if (qc_roundtrip(s, len, TEXT_MAX_CHARS, 1, msg) != 0)
			fail_msg("100 kB of unit %zu, capped: %s", u, msg);
		if (qc_roundtrip(s, len, 0, 1, msg) != 0)
			fail_msg("100 kB of unit %zu, uncapped: %s", u, msg);
	}
	free(s);
}

/* The checker catches what naive quoting lets through, so the round trips
 * above can fail: each literal here runs a command or mangles the text. */
static void test_gp_roundtrip_detects(void **state)
{
	static const char *const naive[][2] = {
		/* text gnuplot should print, literal given to gnuplot */
		{"`touch canary`", "\"`touch canary`\""},
		{"a", "\"a\"\nsystem(\"touch canary\")"},
		{"a", "\"a\"; set print \"canary\"; print 1; unset print"},
		{"'a", "'''a'"},
		{"a\\", "\"a\\\""},
		{"]]>", "\"]]>\""},
		{"</script>", "\"</script>\""},
	};
	char msg[QC_MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof naive / sizeof naive[0]; i++) {
		if (qc_check_literal(naive[i][0], naive[i][1], 1, msg) != -1)
			fail_msg("naive literal %zu passed the check", i);
		if (i < 3 && strstr(msg, "something ran") == NULL)
			fail_msg("naive literal %zu: %s", i, msg);
	}
	/* And a plain literal passes. */
	assert_int_equal(qc_check_literal("it's", "\"it\\0047s\"", 1, msg), 0);
}

/* text_gp_quote alone round-trips any bytes (the program quotes output
 * paths with it unsanitized): every byte 1-255, digits after escapes. */
static void test_gp_roundtrip_all_bytes(void **state)
{
	char raw[256 * 2 + 1], msg[QC_MSG_MAX];
	size_t n = 0;

	(void)state;
	for (int c = 1; c < 256; c++) {
		raw[n++] = (char)c;
		raw[n++] = (char)('0' + c % 8);
	}
	raw[n] = '\0';
	{
		char *q = text_gp_quote(raw);
		int rc = qc_check_literal(raw, q, 0, msg);

		free(q);
		if (rc != 0)
			fail_msg("all bytes: %s", msg);
	}
}

/* True when gnuplot and xmllint can be run. */
static int have_tools(void)
{
	return system("command -v gnuplot >/dev/null 2>&1 && command -v xmllint >/dev/null 2>&1") == 0;
}

/* Terminal columns: CJK and emoji 2, combining accents 0. */
static void test_width_fit(void **state)
{
	(void)state;
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("\xE8\xAE\xAD\xE7\xBB\x83"), 4);      /* 训练 */
	assert_int_equal(text_width("\xF0\x9F\x9A\x80" "a"), 3);               /* rocket, a */
	assert_int_equal(text_width("e\xCC\x81"), 1);                       /* e + U+0301 */
	assert_int_equal(text_width_as("\xE8\xAE\xAD\xE7\xBB\x83", true), 6); /* with U+200B */
	assert_int_equal(text_width_as("e\xCC\x81", true), 2);
	char *s = text_fit("abcdef", 6, false);
	assert_string_equal(s, "abcdef");
	free(s);
	s = text_fit("abcdef", 4, false);
	assert_string_equal(s, "abc\xE2\x80\xA6");
	free(s);
	s = text_fit("ab cdef", 4, false); /* no space before the ellipsis */
	assert_string_equal(s, "ab\xE2\x80\xA6");
	free(s);
	/* 训练运: 6 columns; in 5 only one character and the ellipsis fit
	 * (a second would make 5 with no room for it). */
	s = text_fit("\xE8\xAE\xAD\xE7\xBB\x83\xE8\xBF\x90", 5, false);
	assert_string_equal(s, "\xE8\xAE\xAD\xE7\xBB\x83\xE2\x80\xA6");
	free(s);
	s = text_fit("\xE8\xAE\xAD\xE7\xBB\x83\xE8\xBF\x90", 5, true);
	assert_string_equal(s, "\xE8\xAE\xAD\xE2\x80\xA6");
	free(s);
	s = text_fit("abc", 0, false);
	assert_string_equal(s, "");
	free(s);
}

/* dumb: an emoji becomes U+FFFD, a wide character gets U+200B after it. */
static void test_for_dumb(void **state)
{
	(void)state;
	char *s = text_for_dumb("a\xF0\x9F\x9A\x80" "b\xE8\xAE\xAD" "c");
	assert_string_equal(s, "a\xEF\xBF\xBD" "b\xE8\xAE\xAD\xE2\x80\x8B" "c");
	free(s);
	s = text_for_dumb("");
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_plain),
		cmocka_unit_test(test_sanitize_controls),
		cmocka_unit_test(test_sanitize_invalid_utf8),
		cmocka_unit_test(test_sanitize_cap),
		cmocka_unit_test(test_gp_quote),
		cmocka_unit_test(test_json_quote),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_md_cell),
		cmocka_unit_test(test_file_stem),
		cmocka_unit_test(test_width_fit),
		cmocka_unit_test(test_for_dumb),
	};
	const struct CMUnitTest gnuplot_tests[] = {
		cmocka_unit_test(test_gp_roundtrip_detects),
		cmocka_unit_test(test_gp_roundtrip_hostile),
		cmocka_unit_test(test_gp_roundtrip_all_bytes),
		cmocka_unit_test(test_gp_roundtrip_huge),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	if (failed)
		return 1;
	if (!have_tools()) {
		/* Reported as skipped (77): the round trips did not run. */
		fprintf(stderr, "SKIP: gnuplot or xmllint not installed\n");
		return 77;
	}
	failed = cmocka_run_group_tests_name("gnuplot round trip", gnuplot_tests, NULL, NULL);
	return failed ? 1 : 0;
}
