/* report.c: the HTML comparison report (see report.h). */
#include "config.h"

#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gnuplot.h"
#include "gpscript.h"
#include "http.h"
#include "layout.h"
#include "render.h"
#include "summary.h"
#include "text.h"
#include "util.h"

/* ---------------------------------------------------------------- SHA-256 */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* X rotated right by N bits. */
static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/* One 64-byte block B into the state H (FIPS 180-4, 6.2.2). */
static void sha_block(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t v[8];
	memcpy(v, h, sizeof v);
	for (int i = 0; i < 64; i++) {
		uint32_t s1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
		uint32_t s0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof *v);
		v[4] += t1;
		v[0] = t1 + s0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

/* The SHA-256 digest of N bytes at P into OUT. */
static void sha256(const void *p, size_t n, unsigned char out[32])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *b = p;
	size_t left = n;
	for (; left >= 64; left -= 64, b += 64)
		sha_block(h, b);
	unsigned char last[128] = {0};
	memcpy(last, b, left);
	last[left] = 0x80;
	size_t len = left + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int i = 0; i < 8; i++)
		last[len - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, last);
	if (len == 128)
		sha_block(h, last + 64);
	for (int i = 0; i < 8; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (unsigned char)(h[i] >> (24 - 8 * k));
}

char *report_csp_hash(const void *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char d[33] = {0};
	sha256(p, n, d);
	char s[45];
	size_t o = 0;
	for (size_t i = 0; i < 32; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | (i + 2 < 32 ? d[i + 2] : 0);
		s[o++] = b64[v >> 18 & 63];
		s[o++] = b64[v >> 12 & 63];
		s[o++] = b64[v >> 6 & 63];
		s[o++] = i + 2 < 32 ? b64[v & 63] : '=';
	}
	s[o] = '\0';
	return xasprintf("'sha256-%s'", s);
}

/* ------------------------------------------------------------ the command */

/* Bytes of the character at P when it is valid UTF-8 and neither a
 * control, a bidirectional nor a line-separator character (what
 * text_sanitize would change besides markup); 0 otherwise. */
static size_t safe_char_len(const unsigned char *p)
{
	unsigned c = *p, n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
					: (c & 0xF8) == 0xF0 ? 3 : 9;
	if (n == 9)
		return 0;
	unsigned cp = n == 0 ? c : c & (0x3F >> n);
	for (unsigned k = 1; k <= n; k++) {
		if ((p[k] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3F);
	}
	static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20 ||
	    (cp >= 0x7F && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	    (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return n + 1;
}


char *report_shell_quote(const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,@%+-",
			       *p) != NULL;
	if (plain)
		return xstrdup(s);
	/* Pieces side by side make one word: 'text', \' for a quote, and
	 * "$(printf '\ooo')" for the bytes a page cannot show as they are
	 * (a newline stays: a single-quoted newline is itself, and a command
	 * substitution would drop it). */
	struct buf b = {0};
	bool open = false;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p == '\n' ? 1 : safe_char_len(p);
		if (*p == '\'' || n == 0) {
			if (open)
				buf_puts(&b, "'");
			open = false;
			if (*p == '\'') {
				buf_puts(&b, "\\'");
				p++;
				continue;
			}
			buf_puts(&b, "\"$(printf '");
			for (; *p && *p != '\n' && safe_char_len(p) == 0; p++)
				buf_printf(&b, "\\%03o", *p);
			buf_puts(&b, "')\"");
			continue;
		}
		if (!open)
			buf_puts(&b, "'");
		open = true;
		buf_printf(&b, "%.*s", (int)n, (const char *)p);
		p += n;
	}
	if (open || b.data == NULL)
		buf_puts(&b, open ? "'" : "''");
	return b.data;
}

/* WORD with its URL password and secret query values redacted
 * (http_redact).  malloc'd. */
static char *redact_word(const char *word)
{
	return http_redact(word);
}

char *report_command(char *const *argv, size_t n)
{
	struct buf b = {0};
	bool secret_next = false;
	for (size_t i = 0; i < n; i++) {
		char *w;
		if (secret_next)
			w = xstrdup("REDACTED");
		else if (strncmp(argv[i], "--token=", 8) == 0)
			w = xstrdup("--token=REDACTED");
		else
			w = redact_word(argv[i]);
		secret_next = strcmp(argv[i], "--token") == 0;
		char *q = report_shell_quote(w);
		buf_printf(&b, "%s%s", i ? " " : "", q);
		free(q);
		free(w);
	}
	return b.data ? b.data : xstrdup("");
}

/* -------------------------------------------------------------- HTML text */

/* Is S valid UTF-8 without control, bidirectional or line-separator
 * characters (what text_sanitize would change besides markup, which
 * put_html escapes anyway)? */
static bool plain_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = safe_char_len(p);
		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

/* Writes S (untrusted) as HTML text or a double-quoted attribute value:
 * & < > " ' escaped; text that is not plain_utf8 is sanitized first. */
static void put_html(FILE *out, const char *s)
{
	char *clean = plain_utf8(s) ? xstrdup(s) : text_sanitize(s, strlen(s), 0, "");
	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*p, out);
		}
	}
	free(clean);
}

/* Writes a number for a data-v attribute (sorting): shortest round trip,
 * empty when missing. */
static void put_sort_value(FILE *out, double v)
{
	char num[FMT_DOUBLE_MAX];
	if (isfinite(v)) {
		fmt_double(num, v);
		fputs(num, out);
	}
}

/* A timestamp (seconds since the epoch) as UTC "YYYY-MM-DD HH:MM:SS",
 * "-" when missing.  OUT holds 32 bytes. */
static void fmt_time(char out[32], double t)
{
	struct tm tm;
	if (!isfinite(t) || fabs(t) > 1e12) { /* before the cast: it would be UB */
		snprintf(out, 32, "-");
		return;
	}
	time_t s = (time_t)floor(t);
	if (!gmtime_r(&s, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, 32, "-");
}

/* ------------------------------------------------------------------ SVGs */

/* What the SVGs of the panels need, and hold once drawn. */
struct svgs {
	char **path;     /* temporary file per panel (registered for clean-up) */
	char **svg;      /* the processed SVG per panel (malloc'd) */
	size_t **jobs;   /* per panel: the job of each plot clause */
	size_t *nclauses;
	size_t n;
	char *js_path;   /* gnuplot's mouse script, as its SVG links it */
};

/* Frees S and removes its temporary files. */
static void svgs_free(struct svgs *s)
{
	for (size_t p = 0; p < s->n; p++) {
		if (s->path[p]) {
			unlink(s->path[p]);
			cleanup_unregister_path(s->path[p]);
			free(s->path[p]);
		}
		free(s->svg[p]);
		free(s->jobs[p]);
	}
	free(s->path);
	free(s->svg);
	free(s->jobs);
	free(s->nclauses);
	free(s->js_path);
}

/* Panel P of CH alone, as a chart of one panel without a title: its
 * series (shallow copies in *SERIES, the caller frees the array). */
static struct chart panel_chart(const struct chart *ch, size_t p, struct view_series **series)
{
	struct chart sub = *ch;
	sub.ps.panels = &ch->ps.panels[p];
	sub.ps.npanels = 1;
	sub.ps.yranges = &ch->ps.yranges[p];
	sub.title = NULL;
	*series = xcalloc(ch->view.n ? ch->view.n : 1, sizeof **series);
	size_t n = 0;
	for (size_t k = 0; k < ch->view.n; k++)
		if (ch->view.s[k].panel == p) {
			(*series)[n] = ch->view.s[k];
			(*series)[n++].panel = 0;
		}
	sub.view.s = *series;
	sub.view.n = n;
	sub.view.xrange = ch->view.xrange && p < ch->view.npanels ? &ch->view.xrange[p] : NULL;
	sub.view.yrange = ch->view.yrange && p < ch->view.npanels ? &ch->view.yrange[p] : NULL;
	sub.view.npanels = ch->view.xrange && p < ch->view.npanels ? 1 : 0;
	return sub;
}

/* Makes a private temporary file in TMPDIR.  Returns its path
 * (registered for clean-up), or NULL with *cause. */
static char *temp_file(const char *tmpdir, char **cause)
{
	char *path = xasprintf("%s/trcompare-report-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		char *d = text_sanitize(tmpdir, strlen(tmpdir), TEXT_MAX_CHARS, "(empty)");
		*cause = xasprintf("%s: cannot create a temporary file: %s", d, strerror(errno));
		free(d);
		free(path);
		return NULL;
	}
	close(fd);
	cleanup_register_path(path);
	return path;
}

/* Reads all of PATH.  Returns the malloc'd text, or NULL with *cause. */
static char *slurp(const char *path, char **cause)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	struct buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	bool bad = ferror(fp);
	fclose(fp);
	if (bad || (b.data && strlen(b.data) != b.len)) {
		*cause = xasprintf("%s: %s", path, bad ? "read error" : "holds a NUL byte");
		buf_free(&b);
		return NULL;
	}
	return b.data ? b.data : xstrdup("");
}

/* Replaces the first FROM in *S after offset AT by TO; returns whether
 * there was one. */
static bool replace_once(char **s, const char *from, const char *to)
{
	char *hit = strstr(*s, from);
	if (!hit)
		return false;
	char *r = xasprintf("%.*s%s%s", (int)(hit - *s), *s, to, hit + strlen(from));
	free(*s);
	*s = r;
	return true;
}

/* Counts the occurrences of NEEDLE in S. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* gnuplot's SVG TEXT made ready for the page: the XML prolog and the
 * root's onload handler go; the linked mouse script (its path to *JS) is
 * left out, to be inlined once in the page; the settings script becomes
 * text/plain, which the mouse script reads but no browser runs.  Returns
 * the malloc'd SVG, or NULL when TEXT is not what gnuplot 5.2 - 6.0
 * write. */
static char *svg_for_page(const char *text, char **js)
{
	static const char link[] = "<script type=\"text/javascript\" xlink:href=\"";
	const char *start = strstr(text, "<svg");
	if (!start)
		return NULL;
	char *s = xstrdup(start);
	/* The root's handler calls a no-op; the CSP would refuse it anyway. */
	char *tag_end = strchr(s, '>'), *onload = strstr(s, " onload=\"");
	if (onload && tag_end && onload < tag_end) {
		char *q = strchr(onload + 9, '"');
		if (q && q < tag_end)
			memmove(onload, q + 1, strlen(q + 1) + 1);
	}
	char *l = strstr(s, link);
	if (l) {
		char *href = l + strlen(link), *end = strstr(href, "\"/>");
		if (!end) {
			free(s);
			return NULL;
		}
		if (!*js)
			*js = xstrndup(href, (size_t)(end - href));
		/* The mouse script reads the settings as the svg's second script. */
		char *r = xasprintf("%.*s<script type=\"text/plain\"></script>%s", (int)(l - s), s, end + 3);
		free(s);
		s = r;
	}
	replace_once(&s, "<script type=\"text/javascript\"><![CDATA[", "<script type=\"text/plain\"><![CDATA[");
	/* Labels cannot add markup: gnuplot writes '<' as "&lt;", and
	 * text_sanitize broke "]]>", "</" and "<!" in them.  Checked anyway. */
	if (count(s, "<script") != 2 - (l ? 0 : 1) || strstr(s, "type=\"text/javascript\"") ||
	    count(s, "</svg>") != 1 || strstr(s, "<foreignObject")) {
		free(s);
		return NULL;
	}
	return s;
}

/* Draws every panel of CH alone on TERMINAL ("svg": with gnuplot's
 * mouse script) into OUTPUTS[p], in one gnuplot session; JOBS[p] and
 * NCLAUSES[p] get which job each plot clause draws (may be NULL). */
static int draw_panels(const struct chart *ch, const char *terminal, char *const *outputs,
		       size_t **jobs, size_t *nclauses, char **warnings, char **cause)
{
	if (gnuplot_check(cause) != 0)
		return -1;
	if (!gnuplot_has_terminal(terminal)) {
		*cause = xasprintf("this gnuplot has no '%s' terminal", terminal);
		return -1;
	}
	struct gp_session *s = gp_session_start(NULL, cause);
	if (!s)
		return -1;
	FILE *stream = gp_session_script(s);
	for (size_t p = 0; stream && p < ch->ps.npanels; p++) {
		struct view_series *series;
		struct chart sub = panel_chart(ch, p, &series);
		struct gp_emit e = {
			.terminal = terminal,
			.width = REPORT_PANEL_WIDTH,
			.height = REPORT_PANEL_HEIGHT,
			.output = outputs[p],
			.svg_mouse = strcmp(terminal, "svg") == 0,
		};
		gpscript_write(stream, &sub, &e);
		if (jobs) {
			jobs[p] = xcalloc(sub.view.n ? sub.view.n : 1, sizeof *jobs[p]);
			nclauses[p] = gpscript_clause_jobs(&sub, 0, jobs[p]);
		}
		free(series);
	}
	int rc = gp_session_finish(s, warnings, cause);
	gp_session_free(s);
	return rc;
}

/* Draws every panel of CH as an SVG for the page. */
static int draw_svgs(const struct chart *ch, const struct report_opts *o, struct svgs *sv,
		     char **warnings, char **cause)
{
	size_t np = ch->ps.npanels;
	sv->n = np;
	sv->path = xcalloc(np ? np : 1, sizeof *sv->path);
	sv->svg = xcalloc(np ? np : 1, sizeof *sv->svg);
	sv->jobs = xcalloc(np ? np : 1, sizeof *sv->jobs);
	sv->nclauses = xcalloc(np ? np : 1, sizeof *sv->nclauses);
	for (size_t p = 0; p < np; p++)
		if (!(sv->path[p] = temp_file(o->tmpdir, cause)))
			return -1;
	int rc = draw_panels(ch, "svg", sv->path, sv->jobs, sv->nclauses, warnings, cause);
	for (size_t p = 0; rc == 0 && p < np; p++) {
		char *text = slurp(sv->path[p], cause);
		if (!text)
			return -1;
		sv->svg[p] = svg_for_page(text, &sv->js_path);
		free(text);
		if (!sv->svg[p]) {
			*cause = xstrdup("gnuplot's SVG is not what the report expects");
			return -1;
		}
	}
	return rc;
}

/* ------------------------------------------------------------- the page */

/* The page's own script: panel check boxes, the legend's job entries
 * (which hide or show all of that job's lines) and sortable tables.  No
 * untrusted text is in it; it reads the page's data attributes. */
static const char page_js[] =
	"(function () {\n"
	"'use strict';\n"
	"var each = function (list, f) { Array.prototype.forEach.call(list, f); };\n"
	"each(document.querySelectorAll('#toggles input[type=checkbox]'), function (cb) {\n"
	"  cb.addEventListener('change', function () {\n"
	"    var s = document.getElementById(cb.getAttribute('data-panel'));\n"
	"    if (s) s.hidden = !cb.checked;\n"
	"  });\n"
	"});\n"
	"each(document.querySelectorAll('div.chart'), function (div) {\n"
	"  var svg = div.querySelector('svg');\n"
	"  if (!svg) return;\n"
	"  var jobs = div.getAttribute('data-jobs').split(' ').filter(Boolean).map(Number);\n"
	"  var nj = Number(div.getAttribute('data-njobs'));\n"
	"  var plot = function (i) { return svg.querySelector('[id=\"gnuplot_plot_' + i + '\"]'); };\n"
	"  for (var j = 0; j < nj; j++) (function (j) {\n"
	"    var key = svg.querySelector('[id=\"gnuplot_plot_' + (jobs.length + j + 1) + '_keyentry\"]');\n"
	"    if (!key) return;\n"
	"    var shown = true;\n"
	"    key.setAttribute('cursor', 'pointer');\n"
	"    key.addEventListener('click', function () {\n"
	"      shown = !shown;\n"
	"      jobs.forEach(function (job, i) {\n"
	"        var g = plot(i + 1);\n"
	"        if (job === j && g) g.setAttribute('visibility', shown ? 'visible' : 'hidden');\n"
	"      });\n"
	"      key.setAttribute('opacity', shown ? '1' : '0.35');\n"
	"    });\n"
	"  })(j);\n"
	"});\n"
	"each(document.querySelectorAll('table.sortable'), function (t) {\n"
	"  var heads = t.tHead.rows[0].cells;\n"
	"  each(heads, function (th, c) {\n"
	"    th.addEventListener('click', function () {\n"
	"      var asc = th.getAttribute('aria-sort') !== 'ascending';\n"
	"      each(heads, function (h) { h.removeAttribute('aria-sort'); });\n"
	"      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');\n"
	"      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
	"      var key = function (r) {\n"
	"        var v = r.cells[c].getAttribute('data-v');\n"
	"        return v === null ? r.cells[c].textContent : v === '' ? NaN : Number(v);\n"
	"      };\n"
	"      rows.sort(function (a, b) {\n"
	"        var x = key(a), y = key(b);\n"
	"        if (typeof x === 'number' && isNaN(x)) return typeof y === 'number' && isNaN(y) ? 0 : 1;\n"
	"        if (typeof y === 'number' && isNaN(y)) return -1;\n"
	"        var r = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));\n"
	"        return asc ? r : -r;\n"
	"      });\n"
	"      rows.forEach(function (r) { body.appendChild(r); });\n"
	"    });\n"
	"  });\n"
	"});\n"
	"})();\n";

static const char page_css[] =
	"body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;"
	"color:#111827}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}\n"
	".meta{color:#4b5563;margin-top:0}\n"
	"pre{background:#f3f4f6;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\n"
	"#toggles label{margin-right:1em;white-space:nowrap}\n"
	".chart svg{max-width:100%;height:auto}\n"
	".wide{overflow-x:auto}\n"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}\n"
	"td{white-space:nowrap}\n"
	"th,td{border:1px solid #d1d5db;padding:.25em .6em;text-align:right}\n"
	"th.text,td.text{text-align:left}\n"
	"table.sortable th{cursor:pointer;background:#f9fafb}\n"
	"th[aria-sort=ascending]::after{content:' \\25B2'}\n"
	"th[aria-sort=descending]::after{content:' \\25BC'}\n"
	"tr.recommended{background:#ecfdf5;font-weight:600}\n"
	"td.overfit{color:#b91c1c}\n"
	".swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;"
	"vertical-align:middle}\n"
	".note{color:#4b5563}\n";

/* The default title: the jobs' labels. malloc'd. */
static char *default_title(const struct chart *ch)
{
	struct buf b = {0};
	buf_puts(&b, "Comparison of ");
	size_t shown = ch->njobs <= 6 ? ch->njobs : 5;
	for (size_t j = 0; j < shown; j++)
		buf_printf(&b, "%s%s", j == 0 ? "" : j + 1 == ch->njobs ? " and " : ", ", ch->jobs[j].label);
	if (shown < ch->njobs)
		buf_printf(&b, " and %zu more", ch->njobs - shown);
	return b.data;
}

/* The page's head, title and how it was made. */
static void put_head(FILE *out, const struct chart *ch, const struct report_opts *o,
		     const char *csp, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
	fprintf(out, "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n", csp);
	if (o->refresh > 0)
		fprintf(out, "<meta http-equiv=\"refresh\" content=\"%ld\">\n",
			(long)(o->refresh < 1 ? 1 : o->refresh + 0.5));
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"" PACKAGE_NAME "-plot " PACKAGE_VERSION "\">\n<title>",
	      out);
	put_html(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", page_css);
	put_html(out, title);
	char when[32];
	fmt_time(when, (double)o->generated);
	fprintf(out, "</h1>\n<p class=\"meta\">Generated %s by " PACKAGE_NAME "-plot " PACKAGE_VERSION
		     ", comparing %zu job%s.</p>\n<p>Made by this command:</p>\n<pre><code>",
		when, ch->njobs, ch->njobs == 1 ? "" : "s");
	char *cmd = report_command(o->argv, o->argc);
	/* put_html line by line: a newline (in a quoted word) stays one. */
	for (char *line = cmd, *nl;; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		put_html(out, line);
		if (nl == NULL)
			break;
		fputc('\n', out);
	}
	free(cmd);
	fputs("</code></pre>\n</header>\n", out);
}

/* The panel check boxes and one section per panel. */
static void put_charts(FILE *out, const struct chart *ch, const struct svgs *sv)
{
	fputs("<h2>Charts</h2>\n<p class=\"note\">Click a job in a legend to hide or show its lines; "
	      "click inside a chart to show the coordinates under the pointer.</p>\n"
	      "<p id=\"toggles\">Panels: ",
	      out);
	for (size_t p = 0; p < ch->ps.npanels; p++) {
		fprintf(out, "<label><input type=\"checkbox\" checked data-panel=\"panel-%zu\"> ", p + 1);
		put_html(out, ch->ps.panels[p].title);
		fputs("</label>\n", out);
	}
	fputs("</p>\n", out);
	for (size_t p = 0; p < ch->ps.npanels; p++) {
		fprintf(out, "<section class=\"panel\" id=\"panel-%zu\">\n<h3>", p + 1);
		put_html(out, ch->ps.panels[p].title);
		fprintf(out, "</h3>\n<div class=\"chart\" data-njobs=\"%zu\" data-jobs=\"", ch->njobs);
		for (size_t i = 0; i < sv->nclauses[p]; i++)
			fprintf(out, "%s%zu", i ? " " : "", sv->jobs[p][i]);
		fputs("\">\n", out);
		fputs(sv->svg[p], out);
		fputs("\n</div>\n</section>\n", out);
	}
}

/* The summary table: summary.c's cells, with numbers to sort by. */
static void put_summary(FILE *out, const struct chart *ch, const struct summary_row *rows)
{
	fputs("<h2>Summary</h2>\n<p class=\"note\">The numbers of <code>-S</code>; click a column's "
	      "title to sort by it.</p>\n<div class=\"wide\"><table id=\"summary\" class=\"sortable\">\n"
	      "<thead><tr>", out);
	for (int c = 0; c < SUMMARY_NCOLS; c++) {
		fprintf(out, "<th%s title=\"sort\">", c == 1 || c == 2 ? " class=\"text\"" : "");
		fputs(c == 0 ? "rec." : summary_col_title(c), out);
		fputs("</th>", out);
	}
	bool deltas = ch->njobs && rows[0].has_deltas;
	for (int k = 0; deltas && k < SUMMARY_NDELTAS; k++)
		fprintf(out, "<th title=\"sort\">%s</th>", summary_delta_title(k));
	fputs("</tr></thead>\n<tbody>\n", out);
	bool any_rec = false, any_flag = false;
	for (size_t i = 0; i < ch->njobs; i++) {
		const struct summary_row *r = &rows[i];
		any_rec |= r->recommended;
		any_flag |= r->overfitting;
		fprintf(out, "<tr%s>", r->recommended ? " class=\"recommended\"" : "");
		for (int c = 0; c < SUMMARY_NCOLS; c++) {
			char *cell = summary_cell(r, c);
			if (c == 1 || c == 2) {
				fputs("<td class=\"text\">", out);
				if (c == 1)
					fprintf(out, "<span class=\"swatch\" style=\"background:%s\"></span>",
						ch->jobs[i].color);
			} else {
				fprintf(out, "<td%s data-v=\"", c == 9 && r->overfitting ? " class=\"overfit\"" : "");
				put_sort_value(out, summary_cell_value(r, c));
				fputs("\">", out);
			}
			put_html(out, c == 0 && r->recommended ? "\xe2\x98\x85 *" : cell);
			fputs("</td>", out);
			free(cell);
		}
		for (int k = 0; deltas && k < SUMMARY_NDELTAS; k++) {
			char *cell = r->is_baseline ? xstrdup("baseline") : summary_delta_cell(r, k);
			fputs("<td class=\"delta\" data-v=\"", out);
			put_sort_value(out, summary_delta_value(r, k));
			fprintf(out, "\">%s</td>", cell);
			free(cell);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
	if (any_rec)
		fputs("<p class=\"note\">* recommended: the highest score, 0.7 &times; max(0, 100 &minus; 50 "
		      "&times; best eval) + 0.3 &times; g, g = 40 if gap &lt; 0, 100 if gap &lt; 0.05, 80 if "
		      "&lt; 0.1, 60 if &lt; 0.2, else 30 (50 without a gap).</p>\n", out);
	else
		fputs("<p class=\"note\">No recommendation: no job logged an eval loss.</p>\n", out);
	for (size_t i = 0; deltas && i < ch->njobs; i++)
		if (rows[i].is_baseline) {
			fputs("<p class=\"note\">&Delta;: this job minus the baseline, <b>", out);
			put_html(out, ch->jobs[i].label);
			fputs("</b>: lower loss, perplexity and gap are better, a higher score is better; "
			      "perplexity in percent, score in points.</p>\n", out);
		}
	if (any_flag)
		fputs("<p class=\"note\">! overfitting: gap = best eval &minus; final train loss is above "
		      "0.1.</p>\n", out);
}

/* One row of a details table: NAME (ours) and VALUE (untrusted). */
static void put_detail(FILE *out, const char *name, const char *value)
{
	fprintf(out, "<tr><th class=\"text\">%s</th><td class=\"text\">", name);
	put_html(out, value);
	fputs("</td></tr>\n", out);
}

/* What kind of source job J was read from. */
static const char *source_kind(const struct chart_job *j)
{
	switch (j->entry->kind) {
	case SOURCE_STDIN: return "standard input";
	case SOURCE_URL: return "URL";
	case SOURCE_JOBID: return "job id";
	case SOURCE_FILE: break;
	}
	return "file";
}

/* A run's step range and first and last timestamps, as shown. */
struct run_times {
	char first_step[FMT_DOUBLE_MAX], last_step[FMT_DOUBLE_MAX];
	char first[32], last[32];
};

/* Fills T for R. */
static void run_times(const struct run *r, struct run_times *t)
{
	fmt_double(t->first_step, r->nrows ? run_get(r, 0, 0) : NAN);
	fmt_double(t->last_step, r->nrows ? run_get(r, 0, r->nrows - 1) : NAN);
	int tc = run_find(r, COL_TIME);
	double first = NAN, last = NAN;
	for (size_t i = 0; tc >= 0 && i < r->nrows; i++) {
		double v = run_get(r, tc, i);
		if (isfinite(v) && !isfinite(first))
			first = v;
		if (isfinite(v))
			last = v;
	}
	fmt_time(t->first, first);
	fmt_time(t->last, last);
}

/* The details table of job J. */
static void put_job_details(FILE *out, const struct chart *ch, size_t j, const struct summary_row *row,
			    const struct report_opts *o)
{
	const struct chart_job *cj = &ch->jobs[j];
	const struct run *r = cj->run;
	fprintf(out, "<h3><span class=\"swatch\" style=\"background:%s\"></span>", cj->color);
	put_html(out, cj->label);
	fputs("</h3>\n<table class=\"details\">\n", out);
	char *src = redact_word(cj->arg);
	char *kind = xasprintf("source (%s)", source_kind(cj));
	put_detail(out, kind, src);
	free(kind);
	free(src);
	if (r->id)
		put_detail(out, "job id", r->id);
	const struct job_info *ji = o->jl && r->id ? joblist_find(o->jl, r->id) : NULL;
	if (ji && ji->status)
		put_detail(out, "status", ji->status);
	else if (r->status)
		put_detail(out, "status", r->status);
	if (ji && ji->model_name)
		put_detail(out, "model", ji->model_name);
	char *s = xasprintf("%zu", r->nrows);
	put_detail(out, "rows", s);
	free(s);
	struct run_times t;
	run_times(r, &t);
	if (r->nrows) {
		s = xasprintf("%s to %s", t.first_step, t.last_step);
		put_detail(out, "steps", s);
		free(s);
	}
	put_detail(out, "first timestamp", t.first);
	put_detail(out, "last timestamp", t.last);
	s = summary_cell(row, 13);
	put_detail(out, "wall time", s);
	free(s);
	fputs("</table>\n", out);
	if (r->nparams) {
		fputs("<table class=\"details params\">\n<thead><tr><th class=\"text\">parameter</th>"
		      "<th class=\"text\">value</th></tr></thead>\n<tbody>\n", out);
		for (size_t k = 0; k < r->nparams; k++) {
			fputs("<tr><td class=\"text\">", out);
			put_html(out, r->param_keys[k]);
			fputs("</td><td class=\"text\">", out);
			put_html(out, r->param_values[k] ? r->param_values[k] : "");
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody>\n</table>\n", out);
	}
}

/* How the chart was made: smoothing, x axis, points, warnings, as lines
 * of plain (untrusted) text in *LINES (malloc'd, each malloc'd).
 * Returns their number. */
static size_t note_lines(const struct chart *ch, const struct compare_spec *spec,
			 const char *gp_warnings, char ***lines)
{
	static const char *const axes[] = {"step", "epoch", "time (wall clock)", "time since each job's start"};
	size_t n = 0, cap = 8;
	char **l = xcalloc(cap, sizeof *l);
#define ADD(...) (n + 1 >= cap ? (void)(l = xreallocarray(l, cap *= 2, sizeof *l)) : (void)0, \
		  l[n++] = xasprintf(__VA_ARGS__))
	ADD("x axis: %s", axes[ch->xaxis]);
	if (ch->smooth > 0)
		ADD("smoothing: TensorBoard's EMA with weight %g on train-like series; the raw line is drawn "
		    "faded behind", ch->smooth);
	else
		ADD("smoothing: none");
	size_t drawn, all;
	chart_points(ch, &drawn, &all);
	if (spec->max_points == 0)
		ADD("point budget: every point is drawn; %zu of %zu points drawn", drawn, all);
	else if (spec->max_points > 0)
		ADD("point budget: at most %ld points per series; %zu of %zu points drawn", spec->max_points,
		    drawn, all);
	else
		ADD("point budget: a few points per pixel column of each panel (first, last, minimum and "
		    "maximum); %zu of %zu points drawn", drawn, all);
	ADD("summary: computed on the full data, not the drawn points");
	size_t before = n;
	for (size_t j = 0; j < ch->njobs; j++) {
		size_t nw;
		char **w = run_warnings(ch->jobs[j].run, &nw);
		for (size_t k = 0; k < nw; k++) {
			ADD("warning: %s", w[k]);
			free(w[k]);
		}
		free(w);
	}
	for (size_t k = 0; k < ch->nwarnings; k++)
		ADD("warning: %s", ch->warnings[k]);
	if (gp_warnings)
		ADD("gnuplot said: %s", gp_warnings);
	if (n == before)
		ADD("no warnings");
#undef ADD
	*lines = l;
	return n;
}

/* How the chart was made, as a list. */
static void put_note(FILE *out, const struct chart *ch, const struct compare_spec *spec,
		     const char *gp_warnings)
{
	char **lines;
	size_t n = note_lines(ch, spec, gp_warnings, &lines);
	fputs("<h2>How the chart was made</h2>\n<ul>\n", out);
	for (size_t k = 0; k < n; k++) {
		fputs("<li>", out);
		put_html(out, lines[k]);
		fputs("</li>\n", out);
		free(lines[k]);
	}
	free(lines);
	fputs("</ul>\n", out);
}

/* The summary rows of CH's jobs, with the deltas against SPEC's
 * baseline.  malloc'd. */
static struct summary_row *summary_rows(const struct chart *ch, const struct compare_spec *spec)
{
	size_t n = ch->njobs;
	struct summary_row *rows = xcalloc(n ? n : 1, sizeof *rows);
	struct run **runs = xcalloc(n ? n : 1, sizeof *runs);
	const char **labels = xcalloc(n ? n : 1, sizeof *labels);
	for (size_t i = 0; i < n; i++) {
		runs[i] = ch->jobs[i].table;
		labels[i] = ch->jobs[i].label;
	}
	summary_compute(runs, labels, n, rows);
	long base = spec->baseline ? render_baseline(ch, spec->baseline) : -1;
	if (base >= 0)
		summary_set_baseline(rows, n, (size_t)base);
	free(runs);
	free(labels);
	return rows;
}

/* ------------------------------------------------------------ Markdown */

/* Writes untrusted S, sanitized, through the Markdown escaper ESCAPE. */
static void put_md_with(FILE *out, const char *s, char *(*escape)(const char *))
{
	char *clean = plain_utf8(s) ? xstrdup(s) : text_sanitize(s, strlen(s), 0, "");
	char *q = escape(clean);
	fputs(q, out);
	free(q);
	free(clean);
}

/* Writes untrusted S as Markdown inline text (text_md_cell: no link,
 * image, raw HTML or emphasis can come of it). */
static void put_md(FILE *out, const char *s)
{
	put_md_with(out, s, text_md_cell);
}

/* Writes untrusted S as a Markdown heading's text (text_md_line: a '#'
 * in it is kept, and a title "#" makes no empty heading). */
static void put_md_heading(FILE *out, const char *s)
{
	put_md_with(out, s, text_md_line);
}

/* One row of a Markdown details table. */
static void put_md_detail(FILE *out, const char *name, const char *value)
{
	fprintf(out, "| %s | ", name);
	put_md(out, value);
	fputs(" |\n", out);
}

/* The image file of panel P beside a report named STEM (file names from
 * text_file_stem only: nothing to escape in a link).  malloc'd. */
static char *image_name(const char *stem, size_t p, const char *ext)
{
	return xasprintf("%s-panel-%zu.%s", stem, p + 1, ext);
}

char *report_image_path(const char *report, size_t panel, bool svg)
{
	const char *base = strrchr(report, '/') ? strrchr(report, '/') + 1 : report;
	size_t n = strlen(base);
	char *name = xstrndup(base, n >= 3 ? n - 3 : n); /* without ".md" */
	char *stem = text_file_stem(name);
	char *image = image_name(stem, panel, svg ? "svg" : "png");
	char *path = xasprintf("%.*s%s", (int)(base - report), report, image);
	free(image);
	free(stem);
	free(name);
	return path;
}

/* The details of job J in Markdown. */
static void put_md_job(FILE *out, const struct chart *ch, size_t j, const struct summary_row *row,
		       const struct report_opts *o)
{
	const struct chart_job *cj = &ch->jobs[j];
	const struct run *r = cj->run;
	fputs("### ", out);
	put_md(out, cj->label);
	fprintf(out, "\n\n| | |\n|:---|:---|\n| colour | %s |\n", cj->color);
	char *src = redact_word(cj->arg);
	char *kind = xasprintf("source (%s)", source_kind(cj));
	put_md_detail(out, kind, src);
	free(kind);
	free(src);
	if (r->id)
		put_md_detail(out, "job id", r->id);
	const struct job_info *ji = o->jl && r->id ? joblist_find(o->jl, r->id) : NULL;
	if (ji && ji->status)
		put_md_detail(out, "status", ji->status);
	else if (r->status)
		put_md_detail(out, "status", r->status);
	if (ji && ji->model_name)
		put_md_detail(out, "model", ji->model_name);
	fprintf(out, "| rows | %zu |\n", r->nrows);
	struct run_times t;
	run_times(r, &t);
	if (r->nrows)
		fprintf(out, "| steps | %s to %s |\n", t.first_step, t.last_step);
	fprintf(out, "| first timestamp | %s |\n| last timestamp | %s |\n", t.first, t.last);
	char *s = summary_cell(row, 13);
	fprintf(out, "| wall time | %s |\n\n", s);
	free(s);
	if (r->nparams) {
		fputs("| parameter | value |\n|:---|:---|\n", out);
		for (size_t k = 0; k < r->nparams; k++) {
			fputs("| ", out);
			put_md(out, r->param_keys[k]);
			fputs(" | ", out);
			put_md(out, r->param_values[k] ? r->param_values[k] : "");
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
}

/* Writes the Markdown report: IMAGES[p] are the charts' file names. */
static void put_markdown(FILE *out, const struct chart *ch, const struct compare_spec *spec,
			 const struct report_opts *o, char *const *images, const char *gp_warnings)
{
	char *title = spec->title ? xstrdup(spec->title) : default_title(ch);
	fputs("# ", out);
	put_md_heading(out, title);
	free(title);
	char when[32];
	fmt_time(when, (double)o->generated);
	fprintf(out, "\n\nGenerated %s by " PACKAGE_NAME "-plot " PACKAGE_VERSION ", comparing %zu job%s. "
		     "Made by this command:\n\n", when, ch->njobs, ch->njobs == 1 ? "" : "s");
	char *cmd = report_command(o->argv, o->argc);
	/* Each line kept as it is when plain (report_command quotes what
	 * is not, so it always is), else sanitized; a newline in a quoted
	 * word stays one inside the fence. */
	struct buf shown = {0};
	for (char *l = cmd, *nl;; l = nl + 1) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		char *clean = plain_utf8(l) ? xstrdup(l) : text_sanitize(l, strlen(l), 0, "");
		buf_printf(&shown, "%s%s", clean, nl ? "\n" : "");
		free(clean);
		if (nl == NULL)
			break;
	}
	char *line = shown.data ? shown.data : xstrdup("");
	/* A fence longer than any run of backquotes in the line: it cannot
	 * close it. */
	size_t run = 0, longest = 0;
	for (const char *p = line; *p; p++)
		longest = (run = *p == '`' ? run + 1 : 0) > longest ? run : longest;
	size_t fence = longest < 3 ? 3 : longest + 1;
	fprintf(out, "%.*s sh\n%s\n%.*s\n\n## Charts\n\n", (int)fence, "``````````````````````````````",
		line, (int)fence, "``````````````````````````````");
	free(line);
	free(cmd);
	for (size_t p = 0; p < ch->ps.npanels; p++) {
		fputs("### ", out);
		put_md(out, ch->ps.panels[p].title);
		fputs("\n\n![", out);
		put_md(out, ch->ps.panels[p].title);
		fprintf(out, "](%s)\n\n", images[p]);
	}
	size_t n = ch->njobs;
	struct summary_row *rows = summary_rows(ch, spec);
	fputs("## Summary\n\nThe numbers of `-S`.\n\n", out);
	summary_write(rows, n, SUMMARY_MARKDOWN, 0, out);
	fputs("\n## Runs\n\n", out);
	for (size_t j = 0; j < n; j++)
		put_md_job(out, ch, j, &rows[j], o);
	char **notes;
	size_t nnotes = note_lines(ch, spec, gp_warnings, &notes);
	fputs("## How the chart was made\n\n", out);
	for (size_t k = 0; k < nnotes; k++) {
		fputs("- ", out);
		put_md(out, notes[k]);
		fputc('\n', out);
		free(notes[k]);
	}
	free(notes);
	free(rows);
}

/* The Markdown report at PATH, its charts beside it as IMAGES ("png" or
 * "svg"). */
static int write_markdown(const char *path, const struct chart *ch, const struct compare_spec *spec,
			  const struct report_opts *o, char **warnings, char **cause)
{
	const char *ext = o->images == REPORT_IMAGES_SVG ? "svg" : "png";
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *dir = xstrndup(path, (size_t)(base - path));
	char *name = xstrndup(base, strlen(base) - 3); /* without ".md" */
	char *stem = text_file_stem(name);
	size_t np = ch->ps.npanels;
	char **images = xcalloc(np ? np : 1, sizeof *images);
	char **tmps = xcalloc(np ? np : 1, sizeof *tmps);
	struct atomic_out *aos = xcalloc(np ? np : 1, sizeof *aos);
	size_t nopen = 0;
	int rc = 0;
	for (size_t p = 0; rc == 0 && p < np; p++) {
		images[p] = image_name(stem, p, ext);
		char *full = xasprintf("%s%s", dir, images[p]);
		rc = atomic_open(&aos[p], full, cause);
		free(full);
		if (rc == 0) {
			nopen++;
			tmps[p] = atomic_fd_path(&aos[p]); /* never what is at its name */
		}
	}
	if (rc == 0)
		rc = draw_panels(ch, o->images == REPORT_IMAGES_SVG ? "svg" : "pngcairo", tmps, NULL, NULL,
				 warnings, cause);
	struct atomic_out ao;
	if (rc == 0 && (rc = atomic_open(&ao, path, cause)) == 0) {
		put_markdown(ao.fp, ch, spec, o, images, *warnings);
		rc = atomic_commit(&ao, cause);
	}
	/* The images are committed once the report is: none without it. */
	for (size_t p = 0; p < nopen; p++)
		if (rc == 0)
			rc = atomic_commit(&aos[p], cause);
		else
			atomic_abort(&aos[p]);
	for (size_t p = 0; p < np; p++) {
		free(images[p]);
		free(tmps[p]);
	}
	free(images);
	free(tmps);
	free(aos);
	free(stem);
	free(name);
	free(dir);
	return rc;
}

struct chart_target report_target(size_t npanels)
{
	int rows, cols;
	layout_grid(npanels ? npanels : 1, &rows, &cols);
	struct chart_target t = {
		.terminal = "svg",
		.width = REPORT_PANEL_WIDTH * cols,
		.height = REPORT_PANEL_HEIGHT * rows,
		.view = true,
	};
	return t;
}

/* Does PATH end in EXT (case-insensitive)? */
static bool has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && path[n - e - 1] != '/' && strcasecmp(path + n - e, ext) == 0;
}

bool report_is_markdown(const char *path)
{
	return has_ext(path, ".md");
}

int report_check_path(const char *path, char **cause)
{
	if (has_ext(path, ".html") || has_ext(path, ".htm") || has_ext(path, ".md"))
		return 0;
	char *p = text_sanitize(path, strlen(path), TEXT_MAX_CHARS, "(empty)");
	*cause = xasprintf("'%s': a report is FILE.html or FILE.md", p);
	free(p);
	return -1;
}

/* Writes the whole page to OUT. */
static void put_page(FILE *out, const struct chart *ch, const struct compare_spec *spec,
		     const struct report_opts *o, const struct svgs *sv, const char *js,
		     const char *gp_warnings)
{
	/* Scripts by hash, not 'unsafe-inline': a script that escaping let
	 * through (there should be none) would still not run, and gnuplot's
	 * inline on… handlers are refused (its script attaches its own
	 * listeners).  Images only as data: URIs (gnuplot's grid button),
	 * which fetch nothing.  Styles may be inline (gnuplot's SVG and the mouse
	 * script set style attributes): CSS cannot run code, and with
	 * default-src 'none' it cannot load anything either. */
	char *h1 = report_csp_hash(page_js, strlen(page_js));
	char *h2 = js ? report_csp_hash(js, strlen(js)) : xstrdup("");
	char *csp = xasprintf("default-src 'none'; script-src %s %s; style-src 'unsafe-inline'; "
			      "img-src data:; base-uri 'none'; form-action 'none'",
			      h1, h2);
	char *title = spec->title ? xstrdup(spec->title) : default_title(ch);
	put_head(out, ch, o, csp, title);
	put_charts(out, ch, sv);

	size_t n = ch->njobs;
	struct summary_row *rows = summary_rows(ch, spec);
	put_summary(out, ch, rows);
	fputs("<h2>Runs</h2>\n", out);
	for (size_t j = 0; j < n; j++)
		put_job_details(out, ch, j, &rows[j], o);
	put_note(out, ch, spec, gp_warnings);
	if (js)
		fprintf(out, "<script>%s</script>\n", js);
	fprintf(out, "<script>%s</script>\n</body>\n</html>\n", page_js);
	free(rows);
	free(title);
	free(csp);
	free(h1);
	free(h2);
}

int report_write(const char *path, const struct chart *ch, const struct compare_spec *spec,
		 const struct report_opts *o, char **warnings, char **cause)
{
	*warnings = NULL;
	if (report_is_markdown(path))
		return write_markdown(path, ch, spec, o, warnings, cause);
	struct svgs sv = {0};
	int rc = draw_svgs(ch, o, &sv, warnings, cause);
	char *js = NULL;
	if (rc == 0 && sv.js_path) {
		/* gnuplot's own script, as the canvas output inlines it; left
		 * out (the charts stay, without the mouse) when unreadable. */
		char *why = NULL;
		js = slurp(sv.js_path, &why);
		free(why);
		if (js && (strstr(js, "</script") || strstr(js, "</SCRIPT") || strstr(js, "<!--"))) {
			free(js);
			js = NULL;
		}
	}
	struct atomic_out ao;
	if (rc == 0 && (rc = atomic_open(&ao, path, cause)) == 0) {
		put_page(ao.fp, ch, spec, o, &sv, js, *warnings);
		rc = atomic_commit(&ao, cause);
	}
	free(js);
	svgs_free(&sv);
	return rc;
}
