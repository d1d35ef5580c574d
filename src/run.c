/* run.c: one job's metric history as columns of doubles (see run.h). */
#include "config.h"

#include "run.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "text.h"
#include "util.h"

/* Creates an empty run for ARG. */
struct run *run_new(const char *arg)
{
	struct run *r = xcalloc(1, sizeof *r);

	r->arg = xstrdup(arg ? arg : "");
	r->names[0] = xstrdup(COL_STEP);
	r->ncols = 1;
	return r;
}

/* Does P point into R's arena (run_reserve)?  (Compared as integers: P
 * may belong to another allocation.) */
static bool in_arena(const struct run *r, const double *p)
{
	uintptr_t a = (uintptr_t)r->arena, q = (uintptr_t)p;

	return r->arena != NULL && p != NULL && q >= a && q - a < r->arena_size;
}

/* Frees R and everything it owns. */
void run_free(struct run *r)
{
	if (r == NULL)
		return;
	for (size_t c = r->borrowed; c < r->ncols; c++) {
		free(r->names[c]);
		if (!in_arena(r, r->cols[c]))
			free(r->cols[c]);
	}
	free(r->arena);
	for (size_t i = 0; i < r->nparams; i++) {
		free(r->param_keys[i]);
		free(r->param_values[i]);
	}
	free(r->param_keys);
	free(r->param_values);
	free(r->param_slots);
	free(r->arg);
	free(r->id);
	free(r->message);
	free(r->name);
	free(r->status);
	free(r);
}

/* FNV-1a of KEY. */
static uint64_t key_hash(const char *key)
{
	uint64_t h = 14695981039346656037u;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

/* The slot of R's index (built) holding KEY, or the empty slot where it
 * would go. */
static size_t param_slot(const struct run *r, const char *key)
{
	size_t mask = r->param_nslots - 1, s = (size_t)key_hash(key) & mask;
	while (r->param_slots[s] && strcmp(r->param_keys[r->param_slots[s] - 1], key) != 0)
		s = (s + 1) & mask;
	return s;
}

/* Builds R's index of its parameters, with room for N keys (at most half
 * the slots filled, so that a probe ends soon). */
static void param_index(struct run *r, size_t n)
{
	if (r->param_slots && 2 * n <= r->param_nslots)
		return;
	size_t nslots = 16;
	while (nslots < 2 * n)
		nslots *= 2;
	free(r->param_slots);
	r->param_slots = xcalloc(nslots, sizeof *r->param_slots);
	r->param_nslots = nslots;
	for (size_t i = 0; i < r->nparams; i++)
		r->param_slots[param_slot(r, r->param_keys[i])] = i + 1;
}

/* Index of parameter KEY in R, or -1. */
static ptrdiff_t param_find(const struct run *r, const char *key)
{
	if (r->param_slots) {
		size_t s = param_slot(r, key);
		return r->param_slots[s] ? (ptrdiff_t)r->param_slots[s] - 1 : -1;
	}
	for (size_t i = 0; i < r->nparams; i++)
		if (strcmp(r->param_keys[i], key) == 0)
			return (ptrdiff_t)i;
	return -1;
}

const char *run_param(const struct run *r, const char *key)
{
	ptrdiff_t i = param_find(r, key);
	return i < 0 ? NULL : r->param_values[i];
}

void run_del_param(struct run *r, const char *key)
{
	ptrdiff_t found = param_find(r, key);
	if (found < 0)
		return;
	size_t i = (size_t)found;
	free(r->param_keys[i]);
	free(r->param_values[i]);
	r->nparams--;
	memmove(r->param_keys + i, r->param_keys + i + 1, (r->nparams - i) * sizeof *r->param_keys);
	memmove(r->param_values + i, r->param_values + i + 1, (r->nparams - i) * sizeof *r->param_values);
	/* The indexes after I moved: the next add builds the index again. */
	free(r->param_slots);
	r->param_slots = NULL;
	r->param_nslots = 0;
}

/* A hash index (param_index) finds a key added again: a linear search
 * made RUN_MAX_PARAMS distinct keys cost 8 million string compares. */
int run_add_param(struct run *r, const char *key, const char *value, char **cause)
{
	param_index(r, r->nparams + 1);
	size_t s = param_slot(r, key);
	if (r->param_slots[s]) {
		size_t i = r->param_slots[s] - 1;
		free(r->param_values[i]);
		r->param_values[i] = xstrdup(value);
		return 0;
	}
	if (r->nparams >= RUN_MAX_PARAMS) {
		*cause = xstrdup("more than 4096 parameters");
		return -1;
	}
	r->param_keys = xreallocarray(r->param_keys, r->nparams + 1, sizeof *r->param_keys);
	r->param_values = xreallocarray(r->param_values, r->nparams + 1, sizeof *r->param_values);
	r->param_keys[r->nparams] = xstrdup(key);
	r->param_values[r->nparams] = xstrdup(value);
	r->param_slots[s] = ++r->nparams;
	return 0;
}

void run_copy_params(struct run *dst, const struct run *src)
{
	dst->param_keys = dst->param_values = NULL;
	dst->param_slots = NULL;
	dst->nparams = dst->param_nslots = 0;
	for (size_t i = 0; i < src->nparams; i++) {
		char *cause = NULL;
		if (run_add_param(dst, src->param_keys[i], src->param_values[i], &cause) < 0)
			free(cause); /* cannot happen: SRC holds at most as many */
	}
}

/* Copies BASE's header and borrows its columns. */
struct run *run_overlay(const struct run *base)
{
	struct run *r = xmalloc(sizeof *r);

	*r = *base; /* counters, columns (borrowed) and all */
	r->arg = xstrdup(base->arg);
	r->id = base->id ? xstrdup(base->id) : NULL;
	r->message = base->message ? xstrdup(base->message) : NULL;
	r->name = base->name ? xstrdup(base->name) : NULL;
	r->status = base->status ? xstrdup(base->status) : NULL;
	run_copy_params(r, base);
	r->cap = base->nrows;
	r->borrowed = base->ncols;
	r->arena = NULL; /* BASE's */
	r->arena_size = r->arena_used = 0;
	return r;
}

/* Linear search: at most RUN_MAX_COLS names. */
int run_find(const struct run *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->names[c], name) == 0)
			return (int)c;
	return -1;
}

#define HUGE_PAGE ((size_t)2 << 20)
#define ARENA_MIN ((size_t)4 << 20) /* bytes from which run_reserve makes one: at
                                    * most a third of it is rounding */

#ifdef MADV_HUGEPAGE
/* A block of *BYTES rounded up to whole huge pages (the new size in
 * *BYTES), aligned to 2 MiB and marked for transparent huge pages. */
static void *huge_block(size_t *bytes)
{
	void *q = NULL;

	*bytes = (*bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	if (posix_memalign(&q, HUGE_PAGE, *bytes) != 0)
		oom();
	(void)madvise(q, *bytes, MADV_HUGEPAGE);
	return q;
}
#endif

/* Column P of R (NULL: a new one) holding USED values resized to CAP
 * doubles (one in R's arena is copied out, not freed).
 * A column of 2 MiB or more is put in a block of its own aligned to 2 MiB
 * and marked for transparent huge pages where the system has them
 * (madvise, Linux): its pages are then faulted in 2 MiB at a time, not 4
 * KiB (a 500 000-row column's 4 MB was one page fault per 512 rows, a
 * fifth of the CSV reader's time on a virtual machine).  The advice
 * changes no contents. */
static double *col_resize(struct run *r, double *p, size_t used, size_t cap)
{
	if (in_arena(r, p)) { /* moves out: the arena keeps its place */
		double *q = col_resize(r, NULL, 0, cap);
		memcpy(q, p, used * sizeof(double));
		return q;
	}
#ifdef MADV_HUGEPAGE
	size_t bytes = cap * sizeof(double);

	if (bytes >= HUGE_PAGE) { /* cap <= RUN_MAX_ROWS: no overflow */
		void *q = huge_block(&bytes);

		if (used > 0)
			memcpy(q, p, used * sizeof(double));
		free(p);
		return q;
	}
#else
	(void)used;
#endif
	return xreallocarray(p, cap, sizeof(double));
}

/* Gives back R's arena once every column has moved out of it (all were
 * resized): kept, its pages (faulted in by col_prefault too) would stay
 * resident beside the grown columns until run_free. */
static void arena_release(struct run *r)
{
	free(r->arena);
	r->arena = NULL;
	r->arena_size = r->arena_used = 0;
}

/* Finds or adds column NAME, NaN-filled for the rows that exist. */
int run_col(struct run *r, const char *name)
{
	int c = run_find(r, name);

	if (c >= 0)
		return c;
	if (r->ncols >= RUN_MAX_COLS + 1) /* step takes no metric's slot */
		return -1;
	c = (int)r->ncols;
	r->names[c] = xstrdup(name);
	if (r->cap > 0) {
		size_t bytes = r->cap * sizeof(double);

		if (r->arena != NULL && r->arena_used + bytes <= r->arena_size) {
			r->cols[c] = (double *)(void *)(r->arena + r->arena_used);
			r->arena_used += bytes;
		} else {
			r->cols[c] = col_resize(r, NULL, 0, r->cap);
		}
		for (size_t i = 0; i < r->nrows; i++)
			r->cols[c][i] = NAN;
	}
	r->ncols++;
	return c;
}

/* Faults in the pages of P[USED..CAP) now, with one system call, rather
 * than one page fault per 4 KiB as the rows arrive (MADV_POPULATE_WRITE,
 * Linux 5.14; elsewhere, or when refused, nothing).  Only for capacity
 * the caller expects to fill (run_reserve): on a virtual machine the
 * faults of a 100 000-row CSV's columns were a fifth of its reading. */
static void col_prefault(double *p, size_t used, size_t cap)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = 4096;
	uintptr_t a = ((uintptr_t)(p + used) + page - 1) & ~(page - 1);
	uintptr_t b = (uintptr_t)(p + cap) & ~(page - 1);

	if (b > a + 16 * page)
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)used;
	(void)cap;
#endif
}

/* Grows every column to ROWS. */
void run_reserve(struct run *r, size_t rows)
{
	if (rows > RUN_MAX_ROWS)
		rows = RUN_MAX_ROWS;
	if (rows <= r->cap || r->borrowed > 0)
		return;
	/* The reservation is a guess from the bytes read so far: a file of
	 * short lines and then one long one could reserve far too much, so
	 * only up to 64 MiB is faulted in; the rest stays untouched. */
	bool prefault = (rows - r->nrows) * r->ncols <= (64u << 20) / sizeof(double);

#ifdef MADV_HUGEPAGE
	/* Every column in one block, with room for two more (the derived
	 * perplexities), on 2 MiB transparent huge pages: touching a fresh
	 * 4 KiB page costs a fault (on a virtual machine also one in the
	 * host), and columns of 100 000 rows each had 200 of them, a fifth
	 * of reading such a CSV.  One block wastes at most one huge page
	 * for the whole run, where a huge page per column would waste up
	 * to one per column. */
	size_t slots = r->ncols + 2;
	if (r->arena == NULL && slots * rows * sizeof(double) >= ARENA_MIN) {
		size_t bytes = slots * rows * sizeof(double);

		r->arena = huge_block(&bytes);
		r->arena_size = bytes;
		r->arena_used = 0;
		for (size_t c = 0; c < r->ncols; c++) {
			double *q = (double *)(void *)(r->arena + r->arena_used);

			r->arena_used += rows * sizeof(double);
			if (r->nrows > 0) /* else the column may be NULL */
				memcpy(q, r->cols[c], r->nrows * sizeof(double));
			free(r->cols[c]); /* not in the arena: it is new */
			r->cols[c] = q;
			if (prefault)
				col_prefault(q, r->nrows, rows);
		}
		r->cap = rows;
		return;
	}
#endif
	for (size_t c = 0; c < r->ncols; c++) {
		r->cols[c] = col_resize(r, r->cols[c], r->nrows, rows);
		if (prefault)
			col_prefault(r->cols[c], r->nrows, rows);
	}
	arena_release(r); /* every column moved out */
	r->cap = rows;
}

/* Appends a row; capacity doubles so appending is amortised O(1). */
int run_add_row(struct run *r, double step, char **cause)
{
	if (r->nrows >= RUN_MAX_ROWS) {
		*cause = xasprintf("more than %d rows", RUN_MAX_ROWS);
		return -1;
	}
	if (r->nrows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;

		if (cap > RUN_MAX_ROWS)
			cap = RUN_MAX_ROWS;
		for (size_t c = 0; c < r->ncols; c++)
			r->cols[c] = col_resize(r, r->cols[c], r->nrows, cap);
		arena_release(r); /* every column moved out */
		r->cap = cap;
	}
	size_t i = r->nrows++;

	r->cols[0][i] = step;
	for (size_t c = 1; c < r->ncols; c++)
		r->cols[c][i] = NAN;
	r->finished = false;
	return 0;
}

/* Stores V in column COL of the last row. */
void run_set(struct run *r, int col, double v)
{
	if (col < 0 || (size_t)col >= r->ncols || r->nrows == 0)
		return;
	r->cols[col][r->nrows - 1] = v;
}

/* Compacts the rows, keeping those whose step is below STEP. */
size_t run_drop_from(struct run *r, double step)
{
	size_t k = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		if (r->cols[0][i] >= step)
			continue;
		if (k != i)
			for (size_t c = 0; c < r->ncols; c++)
				r->cols[c][k] = r->cols[c][i];
		k++;
	}
	size_t dropped = r->nrows - k;
	r->nrows = k;
	if (dropped) {
		r->finished = false;
		r->drops++;
	}
	return dropped;
}

/* Stable merge sort of the row indices IDX[0..N) by STEP, using TMP. */
static void sort_idx(const double *step, uint32_t *idx, uint32_t *tmp, size_t n)
{
	/* Bottom-up: runs of width 1, 2, 4 ...; a merge whose halves are
	 * already in order is a copy, so sorted stretches cost O(n). */
	uint32_t *src = idx, *dst = tmp;

	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			if (mid == hi || step[src[mid - 1]] <= step[src[mid]]) {
				memcpy(dst + lo, src + lo, (hi - lo) * sizeof *src);
				continue;
			}
			while (i < mid && j < hi)
				dst[k++] = step[src[j]] < step[src[i]] ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, n * sizeof *idx);
}

/* Puts the rows of R in the order IDX (row i becomes old row IDX[i]). */
static void permute(struct run *r, const uint32_t *idx)
{
	double *tmp = xreallocarray(NULL, r->nrows, sizeof(double));

	for (size_t c = 0; c < r->ncols; c++) {
		double *col = r->cols[c];

		for (size_t i = 0; i < r->nrows; i++)
			tmp[i] = col[idx[i]];
		memcpy(col, tmp, r->nrows * sizeof(double));
	}
	free(tmp);
}

/* Merges rows with equal steps (now adjacent, in log order). */
static void merge_dups(struct run *r)
{
	double *step = r->cols[0];
	size_t out = 0;

	for (size_t i = 0; i < r->nrows; i++) {
		if (out > 0 && step[i] == step[out - 1]) {
			/* Later logged values replace earlier ones; NaN
			 * ("not logged") replaces nothing. */
			for (size_t c = 1; c < r->ncols; c++)
				if (!isnan(r->cols[c][i]))
					r->cols[c][out - 1] = r->cols[c][i];
			r->dup_steps++;
			continue;
		}
		if (out != i)
			for (size_t c = 0; c < r->ncols; c++)
				r->cols[c][out] = r->cols[c][i];
		out++;
	}
	r->nrows = out;
}

/* Fills column DST with exp(SRC) where DST is NaN and SRC is finite and
 * below 100 (the platform's rule); adds DST only when something is
 * derived. */
static void derive_ppl(struct run *r, const char *src_name, const char *dst_name)
{
	int src = run_find(r, src_name);
	int dst = run_find(r, dst_name);

	if (src < 0)
		return;
	for (size_t i = 0; i < r->nrows; i++) {
		double l = r->cols[src][i];

		if (!isfinite(l) || l >= 100)
			continue;
		if (dst < 0) {
			dst = run_col(r, dst_name);
			if (dst < 0)
				return;
		}
		if (isnan(r->cols[dst][i]))
			r->cols[dst][i] = exp(l);
	}
}

/* Stable sort of the rows by step, not counted as the step going back. */
void run_sort_rows(struct run *r)
{
	const double *step = r->cols[0];
	bool sorted = true;

	for (size_t i = 1; i < r->nrows && sorted; i++)
		sorted = !(step[i] < step[i - 1]);
	if (sorted)
		return;
	/* RUN_MAX_ROWS fits in 32 bits: half the index memory. */
	uint32_t *idx = xreallocarray(NULL, r->nrows, 2 * sizeof(uint32_t));

	for (size_t i = 0; i < r->nrows; i++)
		idx[i] = (uint32_t)i;
	sort_idx(step, idx, idx + r->nrows, r->nrows);
	permute(r, idx);
	free(idx);
}

/* Sorts, merges repeated steps and derives perplexity; once. */
void run_finish(struct run *r)
{
	if (r->finished)
		return;
	r->finished = true;

	const double *step = r->cols[0];

	for (size_t i = 1; i < r->nrows; i++)
		r->backwards += step[i] < step[i - 1];
	run_sort_rows(r);
	merge_dups(r);
	int ec = run_find(r, COL_EPOCH);
	double last = NAN;
	for (size_t i = 0; ec > 0 && i < r->nrows; i++) {
		double e = r->cols[ec][i];
		if (!isfinite(e))
			continue;
		r->epoch_back += e < last;
		last = e;
	}
	derive_ppl(r, COL_EVAL_LOSS, COL_PPL);
	derive_ppl(r, COL_TRAIN_LOSS, COL_TRAIN_PPL);
	r->nlogged = r->ncols;
	run_stat_rows(r, 0);
}

void run_stat_rows(struct run *r, size_t from)
{
	for (size_t c = 0; c < r->ncols; c++) {
		struct run_colstat st = from ? r->stat[c] : (struct run_colstat){ 0, 0, 0 };
		const double *col = r->cols[c];
		for (size_t i = from; i < r->nrows; i++) {
			/* Flags added up: no branches. */
			double v = col[i], a = fabs(v);
			bool finite = a <= DBL_MAX, small = a <= RUN_HUGE;
			st.nonfinite += !finite;
			st.huge += finite & !small;
			st.nonpos += small & (v <= 0);
		}
		r->stat[c] = st;
	}
	r->nstat = r->ncols;
}

/* Is NAME among the logged columns of one of RUNS? */
static bool logged_anywhere(struct run *const *runs, size_t nruns, const char *name)
{
	for (size_t i = 0; i < nruns; i++) {
		size_t n = runs[i]->finished ? runs[i]->nlogged : runs[i]->ncols;

		for (size_t c = 0; c < n && c < runs[i]->ncols; c++)
			if (strcmp(runs[i]->names[c], name) == 0)
				return true;
	}
	return false;
}

/* COLUMN SUFFIX, numbered until no run logged that name. */
char *run_derived_name(struct run *const *runs, size_t nruns, const char *column, const char *suffix)
{
	char *name = xasprintf("%s%s", column, suffix);

	for (unsigned k = 2; logged_anywhere(runs, nruns, name); k++) {
		free(name);
		name = xasprintf("%s%s_%u", column, suffix, k);
	}
	return name;
}

/* Scans backwards for the last finite cell of COL. */
long run_last_finite(const struct run *r, int col)
{
	if (col < 0 || (size_t)col >= r->ncols)
		return -1;
	for (size_t i = r->nrows; i > 0; i--)
		if (isfinite(r->cols[col][i - 1]))
			return (long)(i - 1);
	return -1;
}

/* Appends a message to the list *W of *N. */
static void add_msg(char ***w, size_t *n, char *msg)
{
	*w = xreallocarray(*w, *n + 1, sizeof **w);
	(*w)[(*n)++] = msg;
}

char **run_warnings(const struct run *r, size_t *n)
{
	char **w = NULL;
	char *job = text_sanitize(r->arg, strlen(r->arg), TEXT_MAX_CHARS, "(empty)");
	*n = 0;
	if (r->skipped_nostep)
		add_msg(&w, n, xasprintf("%s: skipped %zu row%s without a usable step", job,
					 r->skipped_nostep, r->skipped_nostep == 1 ? "" : "s"));
	if (r->nonfinite)
		add_msg(&w, n, xasprintf("%s: %zu value%s not finite (read as not logged)", job,
					 r->nonfinite, r->nonfinite == 1 ? " was" : "s were"));
	if (r->ignored_fields)
		add_msg(&w, n, xasprintf("%s: more than %d metric columns; %zu value%s of further "
					 "columns ignored", job, RUN_MAX_COLS, r->ignored_fields,
					 r->ignored_fields == 1 ? "" : "s"));
	if (r->bad_timestamps)
		add_msg(&w, n, xasprintf("%s: %zu timestamp%s neither ISO-8601 nor a number of seconds, "
					 "ms, us or ns (read as not logged)", job, r->bad_timestamps,
					 r->bad_timestamps == 1 ? "" : "s"));
	if (r->mixed_timestamps)
		add_msg(&w, n, xasprintf("%s: %zu numeric timestamp%s not in the unit of the job's first "
					 "(%s; read as not logged)", job, r->mixed_timestamps,
					 r->mixed_timestamps == 1 ? "" : "s",
					 r->time_unit == 2 ? "milliseconds" : r->time_unit == 3 ? "microseconds"
					 : r->time_unit == 4 ? "nanoseconds" : "seconds"));
	if (r->backwards)
		add_msg(&w, n, xasprintf("%s: the step went back %zu time%s (a resumed run?); where a "
					 "step was logged twice, the values logged last are kept",
					 job, r->backwards, r->backwards == 1 ? "" : "s"));
	if (r->epoch_back)
		add_msg(&w, n, xasprintf("%s: the epoch went back %zu time%s while the step went forward "
					 "(epochs counted anew after a resume?)", job, r->epoch_back,
					 r->epoch_back == 1 ? "" : "s"));
	if (r->bad_records)
		add_msg(&w, n, xasprintf("%s: skipped %zu record%s with a bad checksum or unreadable "
					 "contents", job, r->bad_records, r->bad_records == 1 ? "" : "s"));
	if (r->truncated)
		add_msg(&w, n, xasprintf("%s: %zu file%s mid-record (still being written?)", job,
					 r->truncated, r->truncated == 1 ? " ends" : "s end"));
	if (r->partial_lines == 1)
		add_msg(&w, n, xasprintf("%s: ends mid-line (still being written?); the partial last "
					 "line was not read", job));
	else if (r->partial_lines)
		add_msg(&w, n, xasprintf("%s: %zu files end mid-line (still being written?); their "
					 "partial last lines were not read", job, r->partial_lines));
	if (r->nrows == 0 && r->message) {
		char *m = text_sanitize(r->message, strlen(r->message), TEXT_MAX_CHARS, "");
		add_msg(&w, n, xasprintf("%s: no metrics (%s)", job, m));
		free(m);
	} else if (r->nrows == 0) {
		add_msg(&w, n, xasprintf("%s: no metrics", job));
	}
	free(job);
	return w;
}
