/* index.c: the --batch index page (see index.h). */
#include "config.h"

#include "index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "text.h"
#include "util.h"

/* True when PATH ends in EXT (case-insensitive). */
static bool ends_with(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && strcasecmp(path + n - e, ext) == 0;
}

bool index_path_ok(const char *path)
{
	return ends_with(path, ".md") || ends_with(path, ".html");
}

bool index_is_html(const char *path)
{
	return ends_with(path, ".html");
}

/* The directory of PATH, resolved (malloc'd), or NULL. */
static char *real_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = !slash ? xstrdup(".") : slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	char *r = realpath(dir, NULL);
	free(dir);
	return r;
}

/* The length of the leading part of absolute paths A and B made of whole
 * components they share. */
static size_t common_dirs(const char *a, const char *b)
{
	size_t i = 0, common = 0;
	for (;; i++) {
		bool ea = a[i] == '\0' || a[i] == '/', eb = b[i] == '\0' || b[i] == '/';
		if (ea && eb)
			common = i;
		if (!a[i] || !b[i] || a[i] != b[i])
			break;
	}
	return common;
}

/* TARGET as seen from the directory FROM (resolved): a relative path, or
 * TARGET as written when it cannot be resolved.  malloc'd. */
static char *relative_to(const char *from, const char *target)
{
	char *tdir = real_dir(target);
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	if (!tdir || !from) {
		free(tdir);
		return xstrdup(target);
	}
	size_t common = common_dirs(from, tdir);
	struct buf b = {0};
	/* One ".." per component of FROM past the common part. */
	for (const char *p = from + common; *p; p++)
		if (*p == '/' && p[1])
			buf_puts(&b, "../");
	const char *rest = tdir + common;
	while (*rest == '/')
		rest++;
	if (*rest) {
		buf_puts(&b, rest);
		buf_puts(&b, "/");
	}
	buf_puts(&b, base);
	free(tdir);
	return b.data;
}

/* PATH percent-encoded for a link (all but [A-Za-z0-9._~/-]).  malloc'd. */
static char *link_escape(const char *path)
{
	struct buf b = {0};
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("._~/-", *p))
			buf_append(&b, p, 1);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return b.data ? b.data : xstrdup("");
}

/* True for an output a page shows as an image. */
static bool is_image(const char *path)
{
	return ends_with(path, ".png") || ends_with(path, ".svg");
}

/* One link (an image for charts) to TARGET, in markdown or HTML. */
static void put_link(FILE *out, bool html, const char *from, const char *target, const char *prefix)
{
	char *rel = relative_to(from, target);
	char *url = link_escape(rel);
	char *shown = text_sanitize(rel, strlen(rel), TEXT_MAX_CHARS, "(empty)");
	if (html) {
		char *h = text_html_escape(shown);
		if (is_image(target))
			fprintf(out, "<p><img src=\"%s\" alt=\"%s\"></p>\n", url, h);
		else
			fprintf(out, "<p>%s<a href=\"%s\">%s</a></p>\n", prefix, url, h);
		free(h);
	} else {
		char *m = text_md_cell(shown);
		if (is_image(target))
			fprintf(out, "![%s](%s)\n\n", m, url);
		else
			fprintf(out, "%s[%s](%s)\n\n", prefix, m, url);
		free(m);
	}
	free(shown);
	free(url);
	free(rel);
}

/* One comparison's section. */
static void put_entry(FILE *out, bool html, const char *from, const struct index_entry *e)
{
	const char *t = e->title ? e->title : e->where;
	char *title = text_sanitize(t, strlen(t), TEXT_MAX_CHARS, "(untitled)");
	char *where = text_sanitize(e->where, strlen(e->where), TEXT_MAX_CHARS, "");
	if (html) {
		char *h = text_html_escape(title), *w = text_html_escape(where);
		fprintf(out, "<h2>%s</h2>\n<p><small>%s%s%s</small></p>\n", h, w, e->status ? ": " : "",
			e->status ? e->status : "");
		free(h);
		free(w);
	} else {
		char *m = text_md_line(title), *w = text_md_line(where);
		fprintf(out, "## %s\n\n%s%s%s\n\n", m, w, e->status ? ": " : "", e->status ? e->status : "");
		free(m);
		free(w);
	}
	for (size_t i = 0; i < e->noutputs; i++)
		put_link(out, html, from, e->outputs[i], "");
	if (e->data_dir)
		put_link(out, html, from, e->data_dir, "data: ");
	if (e->summary_file)
		put_link(out, html, from, e->summary_file, "summary: ");
	if (e->report)
		put_link(out, html, from, e->report, "report: ");
	if (e->summary) {
		if (html) {
			char *h = text_html_escape(e->summary);
			fprintf(out, "<pre>%s</pre>\n", h);
			free(h);
		} else {
			fprintf(out, "%s\n", e->summary);
		}
	}
	free(title);
	free(where);
}

/* Makes the missing directories above PATH. */
static void make_parents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		(void)mkdir(p, 0777);
		*s = '/';
	}
	free(p);
}

int index_write(const char *path, const struct index_entry *e, size_t n, char **cause)
{
	bool html = index_is_html(path);
	struct atomic_out ao;
	make_parents(path);
	if (atomic_open(&ao, path, cause) != 0)
		return -1;
	char *from = real_dir(path);
	if (html)
		fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Training run comparisons"
		      "</title></head>\n<body>\n<h1>Training run comparisons</h1>\n", ao.fp);
	else
		fputs("# Training run comparisons\n\n", ao.fp);
	for (size_t i = 0; i < n; i++)
		put_entry(ao.fp, html, from, &e[i]);
	if (html)
		fputs("</body></html>\n", ao.fp);
	free(from);
	return atomic_commit(&ao, cause);
}
