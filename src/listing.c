/* listing.c: --list-metrics (see listing.h). */
#include "config.h"

#include "listing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"
#include "view.h"

/* Every panel with a fixed meaning, to say which one draws a column. */
#define LISTING_PANELS "loss,perplexity,lr,grad_norm,throughput,gpu_memory,gpu_util"

/* The panel of PS[0..N) that draws COLUMN, or "-". */
static const char *panel_of(const struct panel *ps, size_t n, const char *column)
{
	for (size_t p = 0; p < n; p++)
		for (size_t k = 0; k < ps[p].nseries; k++)
			if (strcmp(ps[p].series[k].column, column) == 0)
				return ps[p].name;
	return "-";
}

/* Appends S (LEN bytes, untrusted) sanitized to B. */
static void put_clean(struct buf *b, const char *s, size_t len)
{
	char *c = text_sanitize(s, len, TEXT_MAX_CHARS, "?");
	buf_puts(b, c);
	free(c);
}

/* Appends job J's listing to B. */
static void list_job(struct buf *b, const struct chart_job *j, const struct panel *ps, size_t nps)
{
	const struct run *r = j->run;
	buf_printf(b, "%s: ", j->label);
	put_clean(b, r->arg, strlen(r->arg));
	buf_printf(b, "\n  %-24s %8s %12s %12s  %s\n", "column", "rows", "first step", "last step",
		   "panel");
	for (size_t c = 1; c < r->ncols; c++) {
		size_t rows = 0;
		double first = NAN, last = NAN;
		for (size_t i = 0; i < r->nrows; i++) {
			if (!isfinite(r->cols[c][i]))
				continue;
			if (rows++ == 0)
				first = r->cols[0][i];
			last = r->cols[0][i];
		}
		char *name = text_sanitize(r->names[c], strlen(r->names[c]), TEXT_MAX_CHARS, "?");
		buf_printf(b, "  %-24s %8zu ", name, rows);
		if (rows)
			buf_printf(b, "%12.17g %12.17g", first, last);
		else
			buf_printf(b, "%12s %12s", "-", "-");
		buf_printf(b, "  %s\n", panel_of(ps, nps, r->names[c]));
		free(name);
	}
	for (size_t p = 0; p < r->nparams; p++) {
		buf_puts(b, "  param ");
		put_clean(b, r->param_keys[p], strlen(r->param_keys[p]));
		buf_puts(b, " = ");
		put_clean(b, r->param_values[p], strlen(r->param_values[p]));
		buf_puts(b, "\n");
	}
}

char *listing_metrics(const struct chart *ch)
{
	struct panel *ps = NULL;
	size_t nps = 0;
	char *cause = NULL;
	if (panel_list_parse(LISTING_PANELS, &ps, &nps, &cause) != 0) {
		free(cause); /* (a fixed list: cannot fail) */
		nps = 0;
	}
	struct buf b = { 0 };
	buf_puts(&b, "");
	for (size_t i = 0; i < ch->njobs; i++) {
		if (i)
			buf_puts(&b, "\n");
		list_job(&b, &ch->jobs[i], ps, nps);
	}
	panel_list_free(ps, nps);
	return b.data;
}
