/* text.c: making untrusted text safe for gnuplot, JSON, CSV, Markdown and
 * file names.  The rules come from ../shared/docs/gnuplot.md ("Quoting
 * untrusted text"); tests/unit/test_text.c pins them and tests/hostile.sh
 * and tests/fuzz/fuzz_quote.c prove them against the real gnuplot. */
#include "config.h"

#include "text.h"

#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "util.h"

#define REPLACEMENT 0xFFFDu /* U+FFFD REPLACEMENT CHARACTER */
#define ELLIPSIS 0x2026u    /* U+2026 HORIZONTAL ELLIPSIS */
#define ZWSP 0x200Bu        /* U+200B ZERO WIDTH SPACE */

/* Decodes one UTF-8 character at S (N > 0 bytes left) into *CP and returns
 * its length; an ill-formed sequence yields U+FFFD for its maximal subpart
 * (Unicode 15, section 3.9, "U+FFFD Substitution of Maximal Subparts"), so
 * overlongs, surrogates and code points above U+10FFFF never decode. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates U+D800-U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		/* 80-BF continuation without a lead, C0/C1 overlong, F5-FF. */
		*cp = REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		unsigned char b = i < n ? s[i] : 0;
		unsigned char bl = i == 1 ? lo : 0x80, bh = i == 1 ? hi : 0xBF;

		if (i >= n || b < bl || b > bh) {
			*cp = REPLACEMENT;
			return i;
		}
		v = (v << 6) | (b & 0x3F);
	}
	*cp = v;
	return need + 1;
}

/* Appends code point CP to B as UTF-8. */
static void utf8_append(struct buf *b, uint32_t cp)
{
	unsigned char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (unsigned char)(0xF0 | (cp >> 18));
		out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, out, n);
}

/* Maps a decoded code point to what sanitized text keeps of it. */
static uint32_t sanitize_cp(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return ' ';
	/* Line and paragraph separators: line breaks to some readers (and
	 * not allowed in JavaScript strings before ES2019). */
	if (cp == 0x2028 || cp == 0x2029)
		return ' ';
	/* Invisible format and bidirectional controls: they hide text or
	 * reorder what follows on a terminal or in a chart (U+202E shows a
	 * name backwards), so they go like control characters. */
	if (cp == 0x00AD || cp == 0x061C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
	    (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F))
		return ' ';
	/* Not characters, and not allowed in XML (SVG output). */
	if (cp == 0xFFFE || cp == 0xFFFF)
		return REPLACEMENT;
	return cp;
}

/* Appends CP to the growable code point array *CPS (*N used, *CAP held). */
static void cps_push(uint32_t **cps, size_t *n, size_t *cap, uint32_t cp)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*cps = xreallocarray(*cps, *cap, sizeof **cps);
	}
	(*cps)[(*n)++] = cp;
}

char *text_sanitize(const char *s, size_t len, size_t maxchars, const char *fallback)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t *cps = NULL;
	size_t ncp = 0, cap = 0, start, end;
	struct buf b = {0};

	if (len == 0 || s == NULL)
		return xstrdup(fallback ? fallback : "");
	/* Decode into code points first: trimming and the cap count characters.
	 * Leading spaces are never stored, and decoding stops once the cut is
	 * certain (more than MAXCHARS characters ending in a non-space), so a
	 * huge input costs no more than its first characters. */
	for (size_t i = 0; i < len;) {
		uint32_t cp;

		if (maxchars > 0 && ncp > maxchars && cps[ncp - 1] != ' ')
			break;
		i += utf8_decode(p + i, len - i, &cp);
		cp = sanitize_cp(cp);
		if (ncp == 0 && cp == ' ')
			continue;
		/* Sequences gnuplot's terminals copy unescaped into markup get a
		 * space: "]]>" may not appear in XML text (svg escapes < and &
		 * but not >); svg copies "&#x" as a character reference
		 * ("&#x1;" is invalid XML); canvas writes titles into an inline
		 * <script> where "</script" or "<!--" would end or derail it. */
		if (cp == '>' && ncp >= 2 && cps[ncp - 1] == ']' && cps[ncp - 2] == ']') {
			cps_push(&cps, &ncp, &cap, ' ');
		} else if ((cp == '/' || cp == '!') && ncp >= 1 && cps[ncp - 1] == '<') {
			cps_push(&cps, &ncp, &cap, ' ');
		} else if (cp == 'x' && ncp >= 2 && cps[ncp - 1] == '#' && cps[ncp - 2] == '&') {
			cps[ncp - 1] = ' ';
			cps_push(&cps, &ncp, &cap, '#');
		}
		cps_push(&cps, &ncp, &cap, cp);
	}
	start = 0;
	end = ncp;
	while (start < end && cps[start] == ' ')
		start++;
	while (end > start && cps[end - 1] == ' ')
		end--;
	if (maxchars > 0 && end - start > maxchars) {
		/* Keep MAXCHARS - 1 characters and the ellipsis; no space before it. */
		end = start + maxchars - 1;
		while (end > start && cps[end - 1] == ' ')
			end--;
		for (size_t i = start; i < end; i++)
			utf8_append(&b, cps[i]);
		utf8_append(&b, ELLIPSIS);
	} else {
		for (size_t i = start; i < end; i++)
			utf8_append(&b, cps[i]);
	}
	free(cps);
	if (b.len == 0) {
		buf_free(&b);
		return xstrdup(fallback ? fallback : "");
	}
	return b.data;
}

/* True for bytes that text_gp_quote copies literally. */
static int gp_literal(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr(" -_.,:/+=()[]", c) != NULL;
}

char *text_gp_quote(const char *s)
{
	struct buf b = {0};

	buf_puts(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (gp_literal(*p))
			buf_append(&b, p, 1);
		else if (*p < 0100)
			/* Four digits: gnuplot would take a following literal
			 * digit as part of a shorter escape. */
			buf_printf(&b, "\\0%03o", (unsigned)*p);
		else
			buf_printf(&b, "\\%03o", (unsigned)*p);
	}
	buf_puts(&b, "\"");
	return b.data;
}

char *text_json_quote(const char *s)
{
	struct buf b = {0};

	buf_puts(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_puts(&b, "\\\""); break;
		case '\\': buf_puts(&b, "\\\\"); break;
		case '\b': buf_puts(&b, "\\b"); break;
		case '\f': buf_puts(&b, "\\f"); break;
		case '\n': buf_puts(&b, "\\n"); break;
		case '\r': buf_puts(&b, "\\r"); break;
		case '\t': buf_puts(&b, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7F)
				buf_printf(&b, "\\u%04x", (unsigned)*p);
			else
				buf_append(&b, p, 1);
		}
	}
	buf_puts(&b, "\"");
	return b.data;
}

char *text_csv_field(const char *s)
{
	struct buf b = {0};
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_puts(&b, "\"");
	/* A spreadsheet would run a cell starting with these as a formula. */
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		buf_puts(&b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_puts(&b, "\"\"");
		else
			buf_append(&b, p, 1);
	}
	if (quote)
		buf_puts(&b, "\"");
	if (b.data == NULL)
		return xstrdup("");
	return b.data;
}

char *text_md_cell(const char *s)
{
	struct buf b = {0};

	for (const char *p = s; *p; p++) {
		/* GitHub links bare URLs (http://, www.) and e-mail addresses.
		 * Escaping ':' and the '.' of "www." stops the first two; an
		 * escaped '@' still makes an address, a code span does not
		 * (a run of '@' in one span: "@@" as two would leave "``"). */
		bool www_dot = *p == '.' && p - s >= 3 && strncasecmp(p - 3, "www", 3) == 0;
		if (*p == '@') {
			size_t n = strspn(p, "@");
			buf_puts(&b, "`");
			buf_append(&b, p, n);
			buf_puts(&b, "`");
			p += n - 1;
		} else if ((*p != '\0' && strchr("|\\`*_[]<>&~$:", *p) != NULL) || www_dot) {
			buf_puts(&b, "\\");
			buf_append(&b, p, 1);
		} else if (*p == '\n' || *p == '\r') {
			/* Defensive: a line break would end the table row. */
			buf_puts(&b, " ");
		} else {
			buf_append(&b, p, 1);
		}
	}
	if (b.data == NULL)
		return xstrdup("");
	return b.data;
}

char *text_md_line(const char *s)
{
	char *cell = text_md_cell(s);
	struct buf b = {0};
	const char *p = cell;
	if (*p == ' ') {
		buf_puts(&b, "&#32;");
		p++;
	} else if (*p == '-' || *p == '+') {
		buf_puts(&b, "\\");
	} else {
		size_t digits = strspn(p, "0123456789");
		if (digits > 0 && (p[digits] == '.' || p[digits] == ')')) {
			buf_append(&b, p, digits);
			buf_puts(&b, "\\");
			p += digits;
		}
	}
	for (; *p; p++) {
		if (*p == '#')
			buf_puts(&b, "\\");
		buf_append(&b, p, 1);
	}
	free(cell);
	return b.data ? b.data : xstrdup("");
}

#define STEM_MAX 64

char *text_file_stem(const char *s)
{
	struct buf b = {0};
	int in_run = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && b.len < STEM_MAX; p++) {
		unsigned char c = *p;
		int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		if (keep && b.len == 0 && (c == '.' || c == '-'))
			continue; /* no hidden files, no option look-alikes */
		if (keep) {
			buf_append(&b, &c, 1);
			in_run = 0;
		} else if (!in_run) {
			buf_puts(&b, "_");
			in_run = 1;
		}
	}
	if (b.len == 0) {
		buf_free(&b);
		return xstrdup("job");
	}
	return b.data;
}

char *text_html_escape(const char *s)
{
	struct buf b = {0};
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': buf_puts(&b, "&amp;"); break;
		case '<': buf_puts(&b, "&lt;"); break;
		case '>': buf_puts(&b, "&gt;"); break;
		case '"': buf_puts(&b, "&quot;"); break;
		case '\'': buf_puts(&b, "&#39;"); break;
		default: buf_append(&b, p, 1);
		}
	}
	return b.data ? b.data : xstrdup("");
}

/* C.UTF-8's character classes, for wcwidth (made once; (locale_t)0 when
 * the system has no such locale). */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

/* Makes utf8_locale (once, through pthread_once). */
static void utf8_locale_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Columns of code point CP in a terminal: 2 for wide (CJK, most emoji),
 * 0 for combining and other zero-width characters, else 1 (also for what
 * glibc calls unprintable, and everything when C.UTF-8 is missing). */
static size_t cp_columns(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	pthread_once(&utf8_once, utf8_locale_init);
	if (utf8_locale == (locale_t)0)
		return 1;
	locale_t old = uselocale(utf8_locale);
	int w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w < 0 ? 1 : (size_t)w;
}

/* Columns of CP in a terminal, or (DUMB) what gnuplot counts of it in a
 * text_for_dumb text: 3 for a wide character and its U+200B, 1 for a
 * zero-width one (dumb gives it a cell). */
static size_t cp_cols(uint32_t cp, bool dumb)
{
	size_t cw = cp_columns(cp);
	return !dumb ? cw : cw == 2 ? 3 : cw == 0 ? 1 : cw;
}

size_t text_width_as(const char *s, bool dumb)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(p + i, n - i, &cp);
		w += cp_cols(cp, dumb);
	}
	return w;
}

size_t text_width(const char *s)
{
	return text_width_as(s, false);
}

char *text_fit(const char *s, size_t maxcols, bool dumb)
{
	if (text_width_as(s, dumb) <= maxcols)
		return xstrdup(s);
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0;
	struct buf b = {0};
	/* Whole characters (with their combining marks) while the ellipsis
	 * still fits after them. */
	for (size_t i = 0; i < n && maxcols > 0;) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp), cw = cp_cols(cp, dumb);
		if (w + cw > maxcols - 1)
			break;
		buf_append(&b, s + i, len);
		w += cw;
		i += len;
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.len--;
	if (maxcols > 0)
		utf8_append(&b, ELLIPSIS);
	return b.data ? b.data : xstrdup("");
}

char *text_for_dumb(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	struct buf b = {0};
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(p + i, n - i, &cp);
		if (cp > 0xFFFF)
			cp = REPLACEMENT;
		size_t cw = cp_columns(cp);
		utf8_append(&b, cp);
		if (cw == 2)
			utf8_append(&b, ZWSP);
	}
	return b.data ? b.data : xstrdup("");
}
