/* read_wbcsv.c: W&B's "Export CSV" of a chart, several runs in one file.
 *
 * Every field is quoted; the first column is the x axis ("Step"); then per
 * run "<run name> - <key>", "<run name> - <key>__MIN" and "<run name> -
 * <key>__MAX" (grouped runs: "Group: <name> - <key>"); a cell is "" where
 * the run has no point (points are sampled).  The run name is what comes
 * before the last " - ".  The file holds runs (list_runs: "#<run name>",
 * in header order); "FILE#RUN" reads one: its keys map through tagmap.h
 * (train/loss is train_loss, eval/loss eval_loss), the __MIN and __MAX
 * columns keep their suffix (train_loss__MIN), rows where the run has no
 * value are not rows of its.  Parsed with libcsv, strictly.  Read by path;
 * on a stream (stdin, a URL) the file is read as any CSV (read_csv.c).
 * Errors: "the W&B export's x axis is 'X', not Step (export the chart
 * with Step as its x axis)", "no run 'RUN' in the W&B export", "CSV
 * header has more than 1024 columns", "malformed CSV (…)". */
#include "config.h"

#include <csv.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "colmap.h"
#include "reader.h"
#include "tagmap.h"
#include "util.h"

#define WBC_MAX_COLS 1024       /* columns in the header */
#define WBC_MAX_FIELD (1 << 20) /* bytes in one field */
#define WBC_CHUNK (64 * 1024)   /* bytes read at once */
#define WBC_SEP " - "           /* between run name and key */

enum { COL_SKIP = -1 };

struct wbc {
	struct run *run;   /* NULL while listing the runs */
	const char *sel;   /* the run to read */
	char **runs;       /* listing: the run names, in header order */
	size_t nruns;
	size_t record;     /* records done (0: in the header) */
	size_t field;      /* the field's index in its record */
	int *col;          /* per header field: the run's column, or COL_SKIP */
	double *vals;      /* the current record's values (NaN: none) */
	size_t ncols;
	double step;       /* the current record's step (NaN: none) */
	locale_t cloc;
	char *err;         /* the first error */
};

/* Sets the first error (MSG taken). */
static void wbc_fail(struct wbc *w, char *msg)
{
	if (w->err == NULL)
		w->err = msg;
	else
		free(msg);
}

/* The header field NAME (LEN bytes) number I. */
static void header_field(struct wbc *w, const char *name, size_t len)
{
	size_t i = w->ncols++;
	if (i >= WBC_MAX_COLS) {
		wbc_fail(w, xasprintf("CSV header has more than %d columns", WBC_MAX_COLS));
		return;
	}
	w->col = xreallocarray(w->col, i + 1, sizeof *w->col);
	w->col[i] = COL_SKIP;
	if (i == 0) {
		const char *to = colmap_lookup(name, len);
		if (!to || strcmp(to, COL_STEP) != 0) {
			char *x = xstrndup(name, len);
			wbc_fail(w, xasprintf("the W&B export's x axis is '%s', not Step "
					      "(export the chart with Step as its x axis)", x));
			free(x);
		}
		return;
	}
	/* "<run> - <key>": the run is what comes before the last " - ". */
	const char *sep = NULL;
	for (const char *p = name; (p = memmem(p, len - (size_t)(p - name), WBC_SEP, 3)) != NULL; p++)
		sep = p;
	if (!sep)
		return;
	size_t rl = (size_t)(sep - name);
	if (!w->run) {
		for (size_t k = 0; k < w->nruns; k++)
			if (strlen(w->runs[k]) == rl && memcmp(w->runs[k], name, rl) == 0)
				return;
		w->runs = xreallocarray(w->runs, w->nruns + 1, sizeof *w->runs);
		w->runs[w->nruns++] = xstrndup(name, rl);
		return;
	}
	if (strlen(w->sel) != rl || memcmp(w->sel, name, rl) != 0)
		return;
	const char *key = sep + 3;
	size_t kl = len - rl - 3;
	const char *suffix = "";
	if (kl > 5 && (memcmp(key + kl - 5, "__MIN", 5) == 0 || memcmp(key + kl - 5, "__MAX", 5) == 0)) {
		suffix = key[kl - 2] == 'I' ? "__MIN" : "__MAX";
		kl -= 5;
	}
	char *base = tagmap_column(key, kl, false);
	if (!base)
		return; /* train/train_loss: the run's mean, no point */
	char *colname = xasprintf("%s%s", base, suffix);
	int c = run_col(w->run, colname);
	if (c < 0)
		w->run->ignored_fields++;
	w->col[i] = c < 0 ? COL_SKIP : c;
	free(colname);
	free(base);
}

/* libcsv: one field. */
static void on_field(void *data, size_t len, void *ctx)
{
	struct wbc *w = ctx;
	size_t i = w->field++;
	if (w->err)
		return;
	if (len > WBC_MAX_FIELD) {
		wbc_fail(w, xasprintf("CSV field larger than %d bytes", WBC_MAX_FIELD));
		return;
	}
	if (w->record == 0) {
		header_field(w, data, len);
		return;
	}
	if (!w->run || i >= w->ncols || (i > 0 && w->col[i] == COL_SKIP) || len == 0)
		return;
	char *end;
	double v = strtod_l(data, &end, w->cloc);
	if (end == (char *)data || *end != '\0')
		return; /* text: not logged */
	if (i == 0) {
		w->step = v;
	} else if (!isfinite(v)) {
		w->run->nonfinite++;
	} else {
		w->vals[i] = v;
	}
}

/* libcsv: the end of a record. */
static void on_record(int c, void *ctx)
{
	struct wbc *w = ctx;
	(void)c;
	if (w->record++ == 0 && w->run)
		w->vals = xcalloc(w->ncols ? w->ncols : 1, sizeof *w->vals);
	else if (w->run && !w->err) {
		bool any = false;
		for (size_t i = 1; i < w->ncols; i++)
			any |= !isnan(w->vals[i]);
		bool step_ok = isfinite(w->step) && w->step >= 0 && w->step < 9007199254740992.0 &&
			       floor(w->step) == w->step;
		char *cause = NULL;
		if (any && !step_ok) {
			w->run->skipped_nostep++;
		} else if (any && run_add_row(w->run, w->step, &cause) < 0) {
			wbc_fail(w, cause);
		} else if (any) {
			for (size_t i = 1; i < w->ncols; i++)
				if (!isnan(w->vals[i]))
					run_set(w->run, w->col[i], w->vals[i]);
		}
	}
	for (size_t i = 0; w->vals && i < w->ncols; i++)
		w->vals[i] = NAN;
	w->step = NAN;
	w->field = 0;
}

/* Parses file PATH into W: the header only when listing (W->run NULL). */
static int wbc_parse(struct wbc *w, const char *path, char **cause)
{
	FILE *f = fopen(path, "rbe");
	if (!f) {
		*cause = xasprintf("%s", strerror(errno));
		return -1;
	}
	struct csv_parser cp;
	if (csv_init(&cp, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
		oom();
	w->cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	w->step = NAN;
	char *buf = xmalloc(WBC_CHUNK);
	size_t n;
	bool bom_checked = false;
	while (!w->err && (w->run || w->record == 0) && (n = fread(buf, 1, WBC_CHUNK, f)) > 0) {
		size_t skip = 0;
		if (!bom_checked && n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
			skip = 3;
		bom_checked = true;
		if (csv_parse(&cp, buf + skip, n - skip, on_field, on_record, w) != n - skip)
			wbc_fail(w, xasprintf("malformed CSV (%s)", csv_strerror(csv_error(&cp))));
	}
	if (!w->err && ferror(f))
		wbc_fail(w, xasprintf("read error: %s", strerror(errno)));
	if (!w->err && (w->run || w->record == 0) && csv_fini(&cp, on_field, on_record, w) != 0)
		wbc_fail(w, xasprintf("malformed CSV (%s)", csv_strerror(csv_error(&cp))));
	csv_free(&cp);
	free(buf);
	fclose(f);
	if (w->cloc != (locale_t)0)
		freelocale(w->cloc);
	free(w->col);
	free(w->vals);
	if (w->err) {
		*cause = w->err;
		return -1;
	}
	return 0;
}

/* The runs of export PATH, "#<run name>" each, in header order. */
static int wbc_list_runs(const char *path, char ***rels, size_t *n, char **cause)
{
	struct wbc w = { 0 };
	*rels = NULL;
	*n = 0;
	if (wbc_parse(&w, path, cause) < 0) {
		/* (Reading the file as one job says what is wrong.) */
		free(*cause);
		*cause = NULL;
	}
	*rels = xcalloc(w.nruns ? w.nruns : 1, sizeof **rels);
	for (size_t i = 0; i < w.nruns; i++) {
		(*rels)[i] = xasprintf("#%s", w.runs[i]);
		free(w.runs[i]);
	}
	free(w.runs);
	*n = w.nruns;
	return 0;
}

/* Reads run SEL of export PATH into RUN (SEL NULL: the file's only run). */
static int wbc_load_path(struct run *run, const char *path, const char *sel, char **cause)
{
	struct wbc list = { 0 };
	int rc = wbc_parse(&list, path, cause);
	bool found = false;
	for (size_t i = 0; i < list.nruns; i++)
		found |= sel && strcmp(list.runs[i], sel) == 0;
	const char *use = NULL;
	if (rc == 0 && sel && found)
		use = sel;
	else if (rc == 0 && sel)
		*cause = xasprintf("no run '%s' in the W&B export", sel);
	else if (rc == 0 && list.nruns == 1)
		use = list.runs[0];
	else if (rc == 0)
		*cause = xstrdup(list.nruns ? "the W&B export holds several runs: name one as FILE#RUN"
					    : "the W&B export names no run (no \"RUN - KEY\" column)");
	if (!use)
		rc = -1;
	if (use) {
		struct wbc w = { .run = run, .sel = use };
		free(run->name);
		run->name = xstrdup(use);
		rc = wbc_parse(&w, path, cause);
	}
	for (size_t i = 0; i < list.nruns; i++)
		free(list.runs[i]);
	free(list.runs);
	return rc;
}

/* Is the first line of HEAD quoted fields, a later one "RUN - KEY"? */
static enum reader_sniff wbc_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	size_t i = len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (len <= i)
		return at_eof ? READER_NO : READER_MORE;
	if (head[i] != '"')
		return READER_NO;
	const unsigned char *nl = memchr(head + i, '\n', len - i);
	if (!nl && !at_eof && len < READER_SNIFF_MAX)
		return READER_MORE;
	size_t end = nl ? (size_t)(nl - head) : len;
	const unsigned char *comma = memmem(head + i, end - i, "\",\"", 3);
	return comma && memmem(comma, end - (size_t)(comma - head), WBC_SEP, 3) ? READER_YES : READER_NO;
}

/* On a stream: the CSV reader's. */
static void *wbc_open(struct run *run)
{
	return read_csv_format.open(run);
}

/* Pushes bytes to the CSV reader. */
static int wbc_feed(void *state, const void *buf, size_t len, char **cause)
{
	return read_csv_format.feed(state, buf, len, cause);
}

/* End of the input. */
static int wbc_finish(void *state, char **cause)
{
	return read_csv_format.finish(state, cause);
}

/* Frees the CSV reader. */
static void wbc_close(void *state)
{
	read_csv_format.close(state);
}

const struct reader_format read_wbcsv_format = {
	.name = "wandb-csv",
	.sniff = wbc_sniff,
	.open = wbc_open,
	.feed = wbc_feed,
	.finish = wbc_finish,
	.close = wbc_close,
	.list_runs = wbc_list_runs,
	.load_path = wbc_load_path,
};
