/* summary.c: see summary.h.  The four writers share one list of columns;
 * text and markdown build a table of cells first so widths can be measured. */
#include <config.h>

#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define TEXT_LABEL_CHARS 40 /* label and id width cap in the text table */

/* Value of column COL at the last row where it is finite; NaN if none. */
static double last_value(const struct run *r, int col)
{
	if (col < 0)
		return NAN;
	long i = run_last_finite(r, col);
	return i < 0 ? NAN : run_get(r, col, (size_t)i);
}

/* V rounded to 12 significant digits: every digit of a computed value
 * that means something, without the arithmetic's noise (1.709 - 1.609 is
 * 0.10000000000000009, 0.8724 - 0.7724 is 0.09999999999999998; both are
 * 0.1). */
static double round12(double v)
{
	char num[FMT_DOUBLE_MAX];
	if (!isfinite(v))
		return v;
	snprintf(num, sizeof num, "%.12g", v);
	return strtod(num, NULL);
}

/* A - B without the arithmetic's noise: rounded to the 12th significant
 * digit of the larger operand (where the noise of a difference lies: 1 -
 * 0.99999 is 1.0000000000065512e-05, 12 significant digits of which
 * keep the noise), then to 12 significant digits of its own. */
static double round_diff(double a, double b)
{
	double d = a - b, scale = fmax(fabs(a), fabs(b));
	if (!isfinite(d) || scale == 0)
		return d;
	double quantum = pow(10, floor(log10(scale)) - 11);
	return round12(round(d / quantum) * quantum);
}

/* Fills the fields of ROW that come from one run. */
static void compute_one(const struct run *r, struct summary_row *row)
{
	int c_train = run_find(r, COL_TRAIN_LOSS), c_eval = run_find(r, COL_EVAL_LOSS);
	int c_lr = run_find(r, COL_LR), c_grad = run_find(r, COL_GRAD_NORM);
	int c_tps = run_find(r, COL_TOKENS_PS), c_time = run_find(r, COL_TIME);
	int c_epoch = run_find(r, COL_EPOCH);

	memset(row, 0, sizeof *row);
	row->run = r;
	row->rows = r->nrows;
	row->last_step = r->nrows ? run_get(r, 0, r->nrows - 1) : NAN;
	row->final_train_loss = last_value(r, c_train);
	row->final_eval_loss = last_value(r, c_eval);
	row->final_lr = last_value(r, c_lr);
	row->epochs = last_value(r, c_epoch);

	row->best_eval_loss = row->best_eval_step = NAN;
	row->max_grad_norm = NAN;
	double first_time = NAN, last_time = NAN, tps_sum = 0;
	size_t ntimes = 0, ntps = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		double ev = run_get(r, c_eval, i), g = run_get(r, c_grad, i);
		double t = run_get(r, c_time, i), tps = run_get(r, c_tps, i);

		/* Strict "<": the first step wins a tie. */
		if (isfinite(ev) && !(ev >= row->best_eval_loss)) {
			row->best_eval_loss = ev;
			row->best_eval_step = run_get(r, 0, i);
		}
		if (isfinite(g) && !(g <= row->max_grad_norm))
			row->max_grad_norm = g;
		/* Wall time spans the earliest to the latest timestamp: a
		 * clock that went back (a resumed run, a reset clock) never
		 * gives a negative time. */
		if (isfinite(t)) {
			if (ntimes++ == 0 || t < first_time)
				first_time = t;
			if (ntimes == 1 || t > last_time)
				last_time = t;
		}
		if (isfinite(tps)) {
			tps_sum += tps;
			ntps++;
		}
	}
	row->wall_seconds = ntimes >= 2 ? last_time - first_time : NAN;
	row->mean_tokens_per_second = ntps ? tps_sum / (double)ntps : NAN;
	/* The flag and the score are decided on the gap every format shows,
	 * not on the noise of the subtraction. */
	row->gap = round_diff(row->best_eval_loss, row->final_train_loss); /* NaN propagates */
	row->overfitting = isfinite(row->gap) && row->gap > SUMMARY_OVERFIT_GAP;
	/* Rounded too: a tie in the score is a tie, whatever the noise. */
	row->score = round12(summary_score(row->best_eval_loss, row->gap));
}

/* Computes every job's row, then marks the first job with the top score. */
void summary_compute(struct run *const *runs, const char *const *labels, size_t n,
		     struct summary_row *rows)
{
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		compute_one(runs[i], &rows[i]);
		rows[i].label = labels ? labels[i] : NULL;
		if (isfinite(rows[i].score) && (best < 0 || rows[i].score > rows[best].score))
			best = (long)i;
	}
	if (best >= 0)
		rows[best].recommended = true;
}

void summary_set_baseline(struct summary_row *rows, size_t n, size_t base)
{
	const struct summary_row *b = &rows[base];
	double bfe = b->final_eval_loss, bbe = b->best_eval_loss, bgap = b->gap, bscore = b->score;
	for (size_t i = 0; i < n; i++) {
		struct summary_row *r = &rows[i];
		r->has_deltas = true;
		r->is_baseline = i == base;
		r->d_final_eval_loss = r->final_eval_loss - bfe;
		r->d_best_eval_loss = r->best_eval_loss - bbe;
		r->d_perplexity_pct = expm1(r->best_eval_loss - bbe) * 100;
		r->d_gap = r->gap - bgap;
		r->d_score = r->score - bscore;
	}
}

/* The platform's score (api.md, "recommended run"). */
double summary_score(double eval_loss, double gap)
{
	double overfit;

	if (!isfinite(eval_loss))
		return NAN;
	if (!isfinite(gap))
		overfit = 50;
	else if (gap < 0)
		overfit = 40;
	else if (gap < 0.05)
		overfit = 100;
	else if (gap < 0.1)
		overfit = 80;
	else if (gap < 0.2)
		overfit = 60;
	else
		overfit = 30;
	return 0.7 * fmax(0, 100 - 50 * eval_loss) + 0.3 * overfit;
}

/* ------------------------------------------------------------------ text */

/* Sanitized label of ROW (the JOB argument when no label is set), capped
 * at MAXCHARS characters.  malloc'd. */
static char *row_label(const struct summary_row *row, size_t maxchars)
{
	const struct run *r = row->run;
	const char *s = row->label ? row->label : r->arg ? r->arg : "";
	return text_sanitize(s, strlen(s), maxchars, "job");
}

/* ROW's label for a text table: at most COLS columns of a terminal. */
static char *row_label_cols(const struct summary_row *row, size_t cols)
{
	char *s = row_label(row, TEXT_MAX_CHARS), *t = text_fit(s, cols, false);
	free(s);
	return t;
}

/* Sanitized id of ROW's run capped at MAXCHARS, or NULL when it has none. */
static char *row_id(const struct summary_row *row, size_t maxchars)
{
	const char *id = row->run->id;
	return id ? text_sanitize(id, strlen(id), maxchars, "") : NULL;
}

/* Rounded number for people: "-" when missing, 4 significant digits, and
 * no exponent for large values a person reads as integers (tokens/s). */
static char *fmt_human(double v)
{
	if (!isfinite(v))
		return xstrdup("-");
	if (v == 0)
		return xstrdup("0");
	if (fabs(v) >= 1e4 && fabs(v) < 1e15)
		return xasprintf("%.0f", v);
	return xasprintf("%.4g", v);
}

/* A step (or other count-like value) as an integer when it is one. */
static char *fmt_step(double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
		return xasprintf("%.0f", v);
	return fmt_human(v);
}

/* Wall time for people: "45s", "12m 5s", "2h 13m", "3d 4h"; "-" missing. */
static char *fmt_duration(double sec)
{
	if (!isfinite(sec))
		return xstrdup("-");
	if (sec < 0) {
		char *pos = fmt_duration(-sec);
		char *neg = xasprintf("-%s", pos);
		free(pos);
		return neg;
	}
	if (sec >= 1e12) /* beyond any training run; avoid integer overflow */
		return xasprintf("%.4gd", sec / 86400);
	long long s = llround(sec);
	if (s < 60)
		return xasprintf("%llds", s);
	if (s < 3600)
		return xasprintf("%lldm %llds", s / 60, s % 60);
	if (s < 86400)
		return xasprintf("%lldh %lldm", s / 3600, s % 3600 / 60);
	return xasprintf("%lldd %lldh", s / 86400, s % 86400 / 3600);
}

/* Which side of each threshold of the flag and the score GAP is on. */
static int gap_class(double gap)
{
	return (gap > SUMMARY_OVERFIT_GAP) | (gap < 0) << 1 | (gap < 0.05) << 2 | (gap < 0.1) << 3 |
	       (gap < 0.2) << 4;
}

/* Gap cell: the number with " !" when flagged, "  " otherwise, so the
 * digits of flagged and plain rows line up when right-aligned.  Four
 * significant digits, or as many more as it takes for the number shown
 * to be on the same side of 0.1 and the score's thresholds as the gap
 * (0.10004 is flagged: "0.10004 !", not "0.1 !"). */
static char *fmt_gap(const struct summary_row *row, bool pad)
{
	char *num = fmt_human(row->gap);
	for (int prec = 5; prec <= 12 && isfinite(row->gap) &&
			   gap_class(strtod(num, NULL)) != gap_class(row->gap); prec++) {
		free(num);
		num = xasprintf("%.*g", prec, row->gap);
	}
	char *cell = xasprintf("%s%s", num, row->overfitting ? " !" : pad ? "  " : "");
	free(num);
	return cell;
}

/* Columns of the text and markdown tables. */
enum tcol {
	TC_MARK, TC_LABEL, TC_ID, TC_ROWS, TC_STEP, TC_TRAIN, TC_EVAL, TC_BEST,
	TC_BEST_STEP, TC_GAP, TC_LR, TC_GRAD, TC_TPS, TC_WALL, TC_EPOCH,
	TC_SCORE, TC_COUNT
};

static const char *const tcol_title[TC_COUNT] = {
	"", "job", "id", "rows", "last step", "train loss", "eval loss",
	"best eval", "at step", "gap", "lr", "max grad", "tok/s", "wall",
	"epoch", "score",
};

/* Title of column C; in text the gap's title leaves room for the flag so
 * it stands over the digits. */
static const char *table_title(int c, bool md)
{
	return c == TC_GAP && !md ? "gap  " : tcol_title[c];
}

/* Left-aligned columns (text); all others are right-aligned. */
static bool tcol_left(int c)
{
	return c == TC_MARK || c == TC_LABEL || c == TC_ID;
}

/* True when no job's id adds anything to its label (absent or equal), so
 * the id column can be left out of the tables people read. */
static bool ids_redundant(const struct summary_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *id = row_id(&rows[i], TEXT_MAX_CHARS);
		char *label = row_label(&rows[i], TEXT_MAX_CHARS);
		bool same = id == NULL || strcmp(id, label) == 0;
		free(id);
		free(label);
		if (!same)
			return false;
	}
	return true;
}

/* Cell C of ROW for the text (MD false) or markdown (MD true) table;
 * text labels and ids are cut at CAP[TC_LABEL] and CAP[TC_ID] columns.
 * malloc'd. */
static char *table_cell(const struct summary_row *row, int c, bool md, const size_t *cap)
{
	char *s, *t;

	switch (c) {
	case TC_MARK:
		return xstrdup(row->recommended ? (md ? "\\*" : "*") : "");
	case TC_LABEL:
	case TC_ID:
		/* A terminal line has little room; a rendered table wraps. */
		s = c == TC_LABEL ? row_label(row, TEXT_MAX_CHARS) : row_id(row, TEXT_MAX_CHARS);
		if (s == NULL || *s == '\0') {
			free(s);
			return xstrdup("-");
		}
		/* Cut to the columns a terminal shows (a CJK character takes 2). */
		t = md ? text_md_cell(s) : text_fit(s, cap[c], false);
		free(s);
		return t;
	case TC_ROWS: return xasprintf("%zu", row->rows);
	case TC_STEP: return fmt_step(row->last_step);
	case TC_TRAIN: return fmt_human(row->final_train_loss);
	case TC_EVAL: return fmt_human(row->final_eval_loss);
	case TC_BEST: return fmt_human(row->best_eval_loss);
	case TC_BEST_STEP: return fmt_step(row->best_eval_step);
	case TC_GAP: return fmt_gap(row, !md);
	case TC_LR: return fmt_human(row->final_lr);
	case TC_GRAD: return fmt_human(row->max_grad_norm);
	case TC_TPS: return fmt_human(row->mean_tokens_per_second);
	case TC_WALL: return fmt_duration(row->wall_seconds);
	case TC_EPOCH: return fmt_human(row->epochs);
	case TC_SCORE:
		return isfinite(row->score) ? xasprintf("%.1f", row->score) : xstrdup("-");
	}
	return xstrdup("");
}

/* Footnotes explaining the marks actually used (text or markdown). */
static void write_footnotes(const struct summary_row *rows, size_t n, bool md, FILE *out)
{
	bool any_rec = false, any_flag = false;

	for (size_t i = 0; i < n; i++) {
		any_rec |= rows[i].recommended;
		any_flag |= rows[i].overfitting;
	}
	if (n == 0)
		return;
	fputs("\n", out);
	if (any_rec && md)
		fputs("\\* recommended: highest score = 0.7 \\* max(0, 100 - 50 \\* best eval)"
		      " + 0.3 \\* g, where g is 40 if gap < 0, 100 if gap < 0.05, 80 if < 0.1,"
		      " 60 if < 0.2, else 30 (50 without a gap)\n", out);
	else if (any_rec) /* lines within 80 columns */
		fputs("* recommended: the highest score, 0.7*max(0, 100 - 50*best eval) + 0.3*g,\n"
		      "  g = 40 if gap < 0, 100 if gap < 0.05, 80 if < 0.1, 60 if < 0.2, else 30\n"
		      "  (50 without a gap)\n",
		      out);
	else
		fputs("no recommendation: no job logged an eval loss\n", out);
	if (any_flag)
		fprintf(out, "%s! overfitting: gap = best eval - final train loss is above 0.1\n",
			md ? "\n" : "");
}

/* How a text table too wide is narrowed, one step at a time until it
 * fits: a column left out (the least read first), or the label or id cut
 * to fewer characters (ending in "…"; the platform shows ids by 8). */
static const struct fit_step {
	int drop;    /* column to leave out, or -1 */
	size_t cap;  /* else: cut column CAP_COL to CAP characters */
	int cap_col;
} fit_steps[] = {
	{-1, 9, TC_ID}, {TC_EPOCH, 0, 0}, {TC_WALL, 0, 0}, {TC_TPS, 0, 0}, {TC_GRAD, 0, 0},
	{TC_ROWS, 0, 0}, {TC_BEST_STEP, 0, 0}, {-1, 24, TC_LABEL}, {TC_LR, 0, 0}, {TC_STEP, 0, 0},
	{TC_ID, 0, 0}, {-1, 16, TC_LABEL},
};

/* The cells of the table (N rows) for label and id caps CAP, and each
 * column's width.  Returns the malloc'd cells, N * TC_COUNT. */
static char **table_cells(const struct summary_row *rows, size_t n, bool md, const size_t *cap,
			  size_t *width)
{
	char **cells = xreallocarray(NULL, n * TC_COUNT + 1, sizeof *cells);
	for (int c = 0; c < TC_COUNT; c++)
		width[c] = text_width(table_title(c, md));
	width[TC_MARK] = 1; /* rows line up whether or not a job is marked */
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < TC_COUNT; c++) {
			char *s = table_cell(&rows[i], c, md, cap);
			size_t w = text_width(s);
			cells[i * TC_COUNT + (size_t)c] = s;
			if (w > width[c])
				width[c] = w;
		}
	}
	return cells;
}

/* Frees the N * TC_COUNT cells of a table. */
static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n * TC_COUNT; i++)
		free(cells[i]);
	free(cells);
}

/* Characters of a text table line with the columns SHOWN of WIDTH. */
static size_t text_line_width(const size_t *width, const bool *shown)
{
	size_t w = 0;
	for (int c = 0; c < TC_COUNT; c++)
		if (shown[c])
			w += width[c] + (c == 0 ? 0 : c == TC_LABEL ? 1 : 2);
	return w;
}

/* Writes the aligned text table or the markdown table; a text table
 * wider than MAXWIDTH characters (0: no limit) is fitted (fit_steps), and
 * a footnote names the columns left out. */
static void write_table(const struct summary_row *rows, size_t n, bool md, int maxwidth, FILE *out)
{
	bool shown[TC_COUNT];
	size_t width[TC_COUNT];
	size_t cap[TC_COUNT] = {0};
	cap[TC_LABEL] = TEXT_LABEL_CHARS;
	cap[TC_ID] = TEXT_LABEL_CHARS;
	for (int c = 0; c < TC_COUNT; c++)
		shown[c] = true;
	shown[TC_ID] = !ids_redundant(rows, n);
	char **cells = table_cells(rows, n, md, cap, width);
	size_t limit = maxwidth > 0 && !md ? (size_t)maxwidth : SIZE_MAX;
	size_t ndropped = 0;
	int dropped[ARRAY_SIZE(fit_steps)];
	/* What is left after the last step is shown, however wide. */
	for (size_t k = 0; k < ARRAY_SIZE(fit_steps) && text_line_width(width, shown) > limit; k++) {
		const struct fit_step *f = &fit_steps[k];
		if (f->drop < 0) {
			cap[f->cap_col] = f->cap;
			free_cells(cells, n);
			cells = table_cells(rows, n, md, cap, width);
		} else if (shown[f->drop]) {
			shown[f->drop] = false;
			dropped[ndropped++] = f->drop;
		}
	}

	if (md) {
		fputs("|", out);
		for (int c = 0; c < TC_COUNT; c++)
			if (shown[c])
				fprintf(out, " %s |", tcol_title[c]);
		fputs("\n|", out);
		for (int c = 0; c < TC_COUNT; c++)
			if (shown[c])
				fputs(tcol_left(c) ? ":---|" : "---:|", out);
		fputs("\n", out);
		for (size_t i = 0; i < n; i++) {
			fputs("|", out);
			for (int c = 0; c < TC_COUNT; c++)
				if (shown[c])
					fprintf(out, " %s |", cells[i * TC_COUNT + (size_t)c]);
			fputs("\n", out);
		}
	} else {
		for (size_t i = 0; i <= n; i++) {
			struct buf line = {0};
			for (int c = 0; c < TC_COUNT; c++) {
				if (!shown[c])
					continue;
				const char *s = i == 0 ? table_title(c, md) : cells[(i - 1) * TC_COUNT + (size_t)c];
				size_t pad = width[c] - text_width(s);
				if (c > 0)
					buf_puts(&line, c == TC_LABEL ? " " : "  ");
				if (!tcol_left(c))
					buf_printf(&line, "%*s", (int)pad, "");
				buf_puts(&line, s);
				if (tcol_left(c))
					buf_printf(&line, "%*s", (int)pad, "");
			}
			while (line.len > 0 && line.data[line.len - 1] == ' ')
				line.len--;
			fprintf(out, "%.*s\n", (int)line.len, line.data ? line.data : "");
			buf_free(&line);
		}
	}
	write_footnotes(rows, n, md, out);
	if (ndropped) {
		/* Word-wrapped at the width asked for. */
		struct buf note = {0};
		buf_printf(&note, "(left out to fit %d columns:", maxwidth);
		for (size_t k = 0; k < ndropped; k++)
			buf_printf(&note, "%s %s", k ? "," : "", tcol_title[dropped[k]]);
		buf_puts(&note, "; --width=0 shows all)");
		size_t col = 0, start = 0;
		for (size_t i = 0; i <= note.len; i++) {
			if (i < note.len && note.data[i] != ' ')
				continue;
			size_t wlen = i - start;
			if (col && col + 1 + wlen > limit) {
				fputs("\n ", out);
				col = 1;
			} else if (col) {
				fputc(' ', out);
				col++;
			}
			fwrite(note.data + start, 1, wlen, out);
			col += wlen;
			start = i + 1;
		}
		fputc('\n', out);
		buf_free(&note);
	}
	free_cells(cells, n);
}

_Static_assert(TC_COUNT == SUMMARY_NCOLS, "summary.h's SUMMARY_NCOLS is the text table's");

const char *summary_col_title(int c)
{
	return c >= 0 && c < TC_COUNT ? tcol_title[c] : "";
}

char *summary_cell(const struct summary_row *row, int c)
{
	size_t cap[TC_COUNT] = {0};
	cap[TC_LABEL] = cap[TC_ID] = SIZE_MAX; /* (row_label's cap only) */
	return c == TC_GAP ? fmt_gap(row, false) : table_cell(row, c, false, cap);
}

double summary_cell_value(const struct summary_row *row, int c)
{
	switch (c) {
	case TC_MARK: return row->recommended;
	case TC_ROWS: return (double)row->rows;
	case TC_STEP: return row->last_step;
	case TC_TRAIN: return row->final_train_loss;
	case TC_EVAL: return row->final_eval_loss;
	case TC_BEST: return row->best_eval_loss;
	case TC_BEST_STEP: return row->best_eval_step;
	case TC_GAP: return row->gap;
	case TC_LR: return row->final_lr;
	case TC_GRAD: return row->max_grad_norm;
	case TC_TPS: return row->mean_tokens_per_second;
	case TC_WALL: return row->wall_seconds;
	case TC_EPOCH: return row->epochs;
	case TC_SCORE: return row->score;
	default: return NAN;
	}
}

static const char *const delta_title[SUMMARY_NDELTAS] = {
	"\xce\x94 eval loss", "\xce\x94 best eval", "\xce\x94 perplexity", "\xce\x94 gap", "\xce\x94 score",
};

const char *summary_delta_title(int k)
{
	return k >= 0 && k < SUMMARY_NDELTAS ? delta_title[k] : "";
}

double summary_delta_value(const struct summary_row *row, int k)
{
	switch (k) {
	case 0: return row->d_final_eval_loss;
	case 1: return row->d_best_eval_loss;
	case 2: return row->d_perplexity_pct;
	case 3: return row->d_gap;
	case 4: return row->d_score;
	default: return NAN;
	}
}

char *summary_delta_cell(const struct summary_row *row, int k)
{
	double v = summary_delta_value(row, k);
	if (!isfinite(v))
		return xstrdup("-");
	/* 12 significant digits first: the baseline's own row is exactly 0,
	 * and a difference's noise never shows as "+1e-17". */
	v = round12(v);
	if (v == 0)
		return xstrdup(k == 2 ? "0%" : "0");
	if (k == 2)
		return xasprintf("%+.3g%%", v);
	if (k == 4)
		return xasprintf("%+.1f", v);
	return xasprintf("%+.4g", v);
}

/* The second table of text and markdown: each job against the baseline;
 * a text table's labels are cut to fit MAXWIDTH columns (0: at 40). */
static void write_deltas(const struct summary_row *rows, size_t n, bool md, int maxwidth, FILE *out)
{
	size_t base = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].is_baseline)
			base = i;
	char *bl = md ? row_label(&rows[base], TEXT_MAX_CHARS) : row_label_cols(&rows[base], TEXT_LABEL_CHARS);
	char *blmd = md ? text_md_cell(bl) : xstrdup(bl);
	fprintf(out, "\nDeltas against the baseline, %s\n(this job minus the baseline; lower loss, "
		     "perplexity and gap are better,\na higher score is better; perplexity in percent, "
		     "score in points):\n\n", blmd);
	free(blmd);
	free(bl);
	size_t ncols = SUMMARY_NDELTAS + 1;
	char **cells = xcalloc((n + 1) * ncols, sizeof *cells);
	size_t width[SUMMARY_NDELTAS + 1] = {0};
	/* The numbers first: the labels get the columns they leave. */
	size_t numbers = 2;
	for (size_t c = 1; c < ncols; c++) {
		for (size_t i = 0; i <= n; i++) {
			char *s = i == 0 ? xstrdup(delta_title[c - 1]) : summary_delta_cell(&rows[i - 1], (int)c - 1);
			cells[i * ncols + c] = s;
			if (text_width(s) > width[c])
				width[c] = text_width(s);
		}
		numbers += 2 + width[c];
	}
	size_t cap = TEXT_LABEL_CHARS;
	if (maxwidth > 0)
		cap = (size_t)maxwidth > numbers + 8 ? (size_t)maxwidth - numbers : 8;
	if (cap > TEXT_LABEL_CHARS)
		cap = TEXT_LABEL_CHARS;
	static const char mark[] = " (baseline)";
	for (size_t i = 0; i <= n; i++) {
		char *s;
		if (i == 0) {
			s = xstrdup("job");
		} else {
			const struct summary_row *r = &rows[i - 1];
			size_t room = maxwidth > 0 && r->is_baseline && cap > sizeof mark + 3
					      ? cap - (sizeof mark - 1) : cap;
			char *l = md ? row_label(r, TEXT_MAX_CHARS) : row_label_cols(r, room);
			s = md ? text_md_cell(l) : xstrdup(l);
			free(l);
			if (r->is_baseline) {
				char *t = xasprintf("%s%s", s, mark);
				free(s);
				s = t;
			}
		}
		cells[i * ncols] = s;
		if (text_width(s) > width[0])
			width[0] = text_width(s);
	}
	for (size_t i = 0; i <= n; i++) {
		if (md && i == 1) {
			fputs("|:---|", out);
			for (size_t c = 1; c < ncols; c++)
				fputs("---:|", out);
			fputc('\n', out);
		}
		struct buf line = {0};
		for (size_t c = 0; c < ncols; c++) {
			const char *s = cells[i * ncols + c];
			size_t pad = width[c] - text_width(s);
			if (md) {
				buf_printf(&line, "%s %s |", c ? "" : "|", s);
				continue;
			}
			if (c)
				buf_printf(&line, "  %*s", (int)pad, "");
			buf_puts(&line, s);
			if (!c)
				buf_printf(&line, "%*s", (int)pad, "");
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		fprintf(out, "%s%.*s\n", md ? "" : "  ", (int)line.len, line.data ? line.data : "");
		buf_free(&line);
	}
	for (size_t i = 0; i < (n + 1) * ncols; i++)
		free(cells[i]);
	free(cells);
}

/* ------------------------------------------------------------ csv, json */

/* Kinds of value in the machine-readable formats. */
enum mkind { MK_LABEL, MK_ID, MK_COUNT, MK_NUM, MK_DERIVED, MK_SECONDS, MK_FLAG, MK_BOOL,
	     MK_BASELINE };

/* Columns of csv and json, in the order documented in summary.h. */
static const struct mcol {
	const char *name;
	enum mkind kind;
	size_t off; /* offset of the double (MK_NUM, MK_DERIVED, MK_SECONDS) */
} mcols[] = {
	{"label", MK_LABEL, 0},
	{"id", MK_ID, 0},
	{"rows", MK_COUNT, 0},
	{"last_step", MK_NUM, offsetof(struct summary_row, last_step)},
	{"final_train_loss", MK_NUM, offsetof(struct summary_row, final_train_loss)},
	{"final_eval_loss", MK_NUM, offsetof(struct summary_row, final_eval_loss)},
	{"best_eval_loss", MK_NUM, offsetof(struct summary_row, best_eval_loss)},
	{"best_eval_step", MK_NUM, offsetof(struct summary_row, best_eval_step)},
	{"gap", MK_DERIVED, offsetof(struct summary_row, gap)},
	{"overfitting", MK_FLAG, 0},
	{"final_learning_rate", MK_NUM, offsetof(struct summary_row, final_lr)},
	{"max_grad_norm", MK_NUM, offsetof(struct summary_row, max_grad_norm)},
	{"mean_tokens_per_second", MK_DERIVED, offsetof(struct summary_row, mean_tokens_per_second)},
	{"wall_seconds", MK_SECONDS, offsetof(struct summary_row, wall_seconds)},
	{"epochs", MK_NUM, offsetof(struct summary_row, epochs)},
	{"score", MK_DERIVED, offsetof(struct summary_row, score)},
	{"recommended", MK_BOOL, 0},
	/* With a baseline only (summary_set_baseline): */
	{"baseline", MK_BASELINE, 0},
	{"delta_final_eval_loss", MK_DERIVED, offsetof(struct summary_row, d_final_eval_loss)},
	{"delta_best_eval_loss", MK_DERIVED, offsetof(struct summary_row, d_best_eval_loss)},
	{"delta_perplexity_pct", MK_DERIVED, offsetof(struct summary_row, d_perplexity_pct)},
	{"delta_gap", MK_DERIVED, offsetof(struct summary_row, d_gap)},
	{"delta_score", MK_DERIVED, offsetof(struct summary_row, d_score)},
};

/* Columns of csv and json for ROWS: the deltas only with a baseline. */
static size_t machine_ncols(const struct summary_row *rows, size_t n)
{
	return n && rows[0].has_deltas ? ARRAY_SIZE(mcols) : ARRAY_SIZE(mcols) - 6;
}

/* Value of column MC for ROW in csv (JSON false) or json (JSON true);
 * MISSING (copied) when absent.  malloc'd. */
static char *machine_value(const struct summary_row *row, const struct mcol *mc, bool json)
{
	const char *missing = json ? "null" : "";
	char num[FMT_DOUBLE_MAX];
	char *s, *q;
	double v;

	switch (mc->kind) {
	case MK_LABEL:
	case MK_ID:
		s = mc->kind == MK_LABEL ? row_label(row, TEXT_MAX_CHARS) : row_id(row, TEXT_MAX_CHARS);
		if (s == NULL)
			return xstrdup(missing);
		q = json ? text_json_quote(s) : text_csv_field(s);
		free(s);
		return q;
	case MK_COUNT:
		return xasprintf("%zu", row->rows);
	case MK_NUM:
	case MK_DERIVED:
	case MK_SECONDS:
		memcpy(&v, (const char *)row + mc->off, sizeof v);
		if (!isfinite(v))
			return xstrdup(missing);
		/* Computed values carry the arithmetic's rounding noise in their
		 * last digits (1.3659 - 1.334 is 0.03189999999999982): 12
		 * significant digits keep every digit that means something; a
		 * difference of timestamps (a double near 2e9 s is exact to
		 * 2.4e-7 s) is good to the microsecond. */
		if (mc->kind == MK_DERIVED) {
			v = round12(v);
		} else if (mc->kind == MK_SECONDS && fabs(v) < 1e15) {
			snprintf(num, sizeof num, "%.6f", v);
			v = strtod(num, NULL);
		}
		fmt_double(num, v);
		return xstrdup(num);
	case MK_FLAG:
		if (!isfinite(row->gap))
			return xstrdup(missing);
		return xstrdup(row->overfitting ? "true" : "false");
	case MK_BOOL:
		return xstrdup(row->recommended ? "true" : "false");
	case MK_BASELINE:
		return xstrdup(row->is_baseline ? "true" : "false");
	}
	return xstrdup(missing);
}

/* Writes the csv header and one record per job. */
static void write_csv(const struct summary_row *rows, size_t n, FILE *out)
{
	size_t nc = machine_ncols(rows, n);
	for (size_t c = 0; c < nc; c++)
		fprintf(out, "%s%s", c ? "," : "", mcols[c].name);
	fputs("\r\n", out);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < nc; c++) {
			char *v = machine_value(&rows[i], &mcols[c], false);
			fprintf(out, "%s%s", c ? "," : "", v);
			free(v);
		}
		fputs("\r\n", out);
	}
}

/* Writes a json array with one object per job, one job per line. */
static void write_json(const struct summary_row *rows, size_t n, FILE *out)
{
	if (n == 0) {
		fputs("[]\n", out);
		return;
	}
	fputs("[\n", out);
	size_t nc = machine_ncols(rows, n);
	for (size_t i = 0; i < n; i++) {
		fputs("  {", out);
		for (size_t c = 0; c < nc; c++) {
			char *v = machine_value(&rows[i], &mcols[c], true);
			fprintf(out, "%s\"%s\": %s", c ? ", " : "", mcols[c].name, v);
			free(v);
		}
		/* The run's status and parameters where its source keeps them
		 * (MLflow). */
		const struct run *r = rows[i].run;
		if (r && r->status) {
			char *q = text_json_quote(r->status);
			fprintf(out, ", \"status\": %s", q);
			free(q);
		}
		if (r && r->nparams) {
			fputs(", \"params\": {", out);
			for (size_t k = 0; k < r->nparams; k++) {
				const char *kv[2] = {r->param_keys[k], r->param_values[k]};
				for (int h = 0; h < 2; h++) {
					char *clean = text_sanitize(kv[h], strlen(kv[h]), TEXT_MAX_CHARS * 10, "");
					char *q = text_json_quote(clean);
					fprintf(out, "%s%s", h ? ": " : k ? ", " : "", q);
					free(q);
					free(clean);
				}
			}
			fputc('}', out);
		}
		fputs(i + 1 < n ? "},\n" : "}\n", out);
	}
	fputs("]\n", out);
}

/* Writes ROWS in FMT and reports whether the stream is still good. */
int summary_write(const struct summary_row *rows, size_t n, enum summary_format fmt, int width,
		  FILE *out)
{
	switch (fmt) {
	case SUMMARY_NONE:
		return 0;
	case SUMMARY_TEXT:
	case SUMMARY_MARKDOWN:
		write_table(rows, n, fmt == SUMMARY_MARKDOWN, fmt == SUMMARY_MARKDOWN ? 0 : width, out);
		if (n && rows[0].has_deltas)
			write_deltas(rows, n, fmt == SUMMARY_MARKDOWN, fmt == SUMMARY_MARKDOWN ? 0 : width, out);
		break;
	case SUMMARY_CSV:
		write_csv(rows, n, out);
		break;
	case SUMMARY_JSON:
		write_json(rows, n, out);
		break;
	}
	return ferror(out) ? -1 : 0;
}
