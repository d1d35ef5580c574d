/* index.h: --batch --index FILE: one page (markdown or HTML, by FILE's
 * extension) linking every chart of the batch, each comparison with its
 * summary table.  Paths in the page are relative to FILE's directory. */
#ifndef TRCOMPARE_INDEX_H
#define TRCOMPARE_INDEX_H

#include <stdbool.h>
#include <stddef.h>

/* One comparison of the page (strings borrowed, untrusted). */
struct index_entry {
	const char *title;        /* its --title, or NULL (then WHERE) */
	const char *where;        /* "MANIFEST:LINE" */
	const char *const *outputs; /* its -o files */
	size_t noutputs;
	const char *data_dir;     /* -d, or NULL */
	const char *summary_file; /* --summary-output, or NULL */
	const char *report;       /* --report, or NULL */
	const char *status;       /* NULL: written; else "skipped (up to date)", "failed" */
	const char *summary;      /* the summary table, or NULL: Markdown for
	                             a .md page, text for .html (shown as it
	                             is, escaped) */
};

/* True when PATH ends in .md or .html (case-insensitive). */
bool index_path_ok(const char *path);
/* True when PATH ends in .html: an HTML page, else Markdown. */
bool index_is_html(const char *path);

/* Writes the page for E[0..N) to PATH atomically (its missing
 * directories made).  Returns 0, or -1 with
 * *cause (atomic_open's and atomic_commit's). */
int index_write(const char *path, const struct index_entry *e, size_t n, char **cause);

#endif
