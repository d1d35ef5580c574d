/* canvas.c: inlines gnuplot's canvas JavaScript (see canvas.h). */
#include "config.h"

#include "canvas.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* Reads all of PATH into B.  Returns 0, or -1 with errno set. */
static int slurp(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(b, chunk, n);
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		errno = EIO;
		return -1;
	}
	if (!b->data)
		buf_append(b, "", 0);
	return 0;
}

/* Rewrites PATH with its local scripts inlined. */
int canvas_inline_scripts(const char *path, const char *name, const struct canvas_page *page,
			  char **cause)
{
	struct buf in = {0}, out = {0};
	if (slurp(path, &in) != 0) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		buf_free(&in);
		return -1;
	}
	/* gnuplot's title: the chart's instead, and the refresh beside it. */
	static const char gp_title[] = "<title>Gnuplot Canvas Graph</title>";
	char *t = strstr(in.data, gp_title);
	if (t) {
		const char *raw = page && page->title ? page->title : "Training runs (trcompare-plot)";
		char *clean = text_sanitize(raw, strlen(raw), TEXT_MAX_CHARS, "Training runs");
		char *h = text_html_escape(clean);
		buf_append(&out, in.data, (size_t)(t - in.data));
		buf_printf(&out, "<title>%s</title>", h);
		if (page && page->refresh > 0)
			buf_printf(&out, "\n<meta http-equiv=\"refresh\" content=\"%ld\">",
				   (long)(page->refresh < 1 ? 1 : page->refresh + 0.5));
		free(h);
		free(clean);
		memmove(in.data, t + strlen(gp_title), in.len - (size_t)(t + strlen(gp_title) - in.data) + 1);
		in.len -= (size_t)(t + strlen(gp_title) - in.data);
	}
	static const char open_tag[] = "<script src=\"/";
	static const char close_tag[] = "\"></script>";
	const char *p = in.data;
	for (;;) {
		const char *s = strstr(p, open_tag);
		if (!s)
			break;
		const char *src = s + strlen(open_tag) - 1; /* at the '/' */
		const char *e = strstr(src, close_tag);
		const char *nl = strchr(src, '\n');
		if (!e || (nl && nl < e))
			break;
		char *file = xstrndup(src, (size_t)(e - src));
		size_t flen = strlen(file);
		struct buf js = {0};
		bool ok = flen > 3 && strcmp(file + flen - 3, ".js") == 0 && !strstr(file, "..") &&
			  slurp(file, &js) == 0 && !strstr(js.data, "</script");
		buf_append(&out, p, (size_t)(s - p));
		if (ok) {
			buf_puts(&out, "<script>\n");
			buf_append(&out, js.data, js.len);
			buf_puts(&out, "\n</script>");
		} else {
			buf_append(&out, s, (size_t)(e + strlen(close_tag) - s));
		}
		p = e + strlen(close_tag);
		buf_free(&js);
		free(file);
	}
	buf_puts(&out, p);

	int rc = 0;
	FILE *fp = fopen(path, "wb");
	if (!fp) {
		*cause = xasprintf("%s: %s", name, strerror(errno));
		rc = -1;
	} else {
		fwrite(out.data, 1, out.len, fp);
		char *why = NULL;
		if (close_stream(fp, &why) != 0) {
			*cause = xasprintf("%s: %s", name, why);
			free(why);
			rc = -1;
		}
	}
	buf_free(&in);
	buf_free(&out);
	return rc;
}
