/* read_csv.c: CSV and TSV with a header row, parsed by libcsv (RFC 4180
 * quoting; LF, CRLF and "\r\r\n" line ends; blank lines skipped; a UTF-8
 * BOM).  Written for PyTorch Lightning's CSVLogger (metrics.csv: sparse
 * rows, step and epoch columns, *_step / *_epoch names), Keras' CSVLogger
 * (epoch, val_*, NA, appended sessions) and any CSV naming a step.
 *
 * Sniffed from content: the first line is text (not starting with '{',
 * '[' or white space) holding a comma or a tab.  The delimiter is a tab
 * when the first line (or its first 64 KiB) holds a tab and no comma,
 * else a comma.
 *
 * The header names the columns; each name goes through colmap.h.  The x
 * column (the step) is the first column whose name maps to "step" (step,
 * global_step, _step, Step, current_steps; one spelled "step" first), else
 * "epoch" (Keras: the 0-based epoch as logged is the step; the epoch column
 * is kept too).  Where several columns map to one name, the one spelled
 * like the name keeps it (else the first) and the others keep their own
 * names.  Cells: numbers in the C locale (as parse.h's numeric strings;
 * surrounding spaces are trimmed); empty, "NA" or any other text is "not
 * logged"; nan and inf are not finite (run->nonfinite).  A column appears
 * with its first number.  The step must be an integer in 0 .. 2^53 - 1,
 * else the row is skipped (run->skipped_nostep).  A row repeating the
 * header is skipped (appended sessions).  Extra cells beyond the header
 * are ignored.  A step that goes back (Keras' appended sessions restart at
 * epoch 0, a resumed run) is run_finish's "the step went back" warning.
 *
 * Errors (a malloc'd *cause):
 *   "CSV has a header but no rows"
 *   "no step-like column (step, global_step, _step, Step, current_steps or
 *    epoch) among the CSV columns: NAMES (name the step with --alias
 *    COLUMN=step)"  (each name sanitized, at most 40 characters, the list
 *    cut after 400 bytes)
 *   "CSV header has more than 1024 columns"
 *   "CSV field larger than 1048576 bytes at line L"
 *   "unterminated quoted field at the end of the CSV (truncated file?)"
 *        (a quote open since the last line end; a last line without a line
 *        end after the header is a row still being written: it is not
 *        read, and counted in run->partial_lines)
 *   "malformed CSV at line L (a quote inside a field must be doubled, and
 *    a quoted field must end at a delimiter or line end)"  (strict RFC
 *    4180 quoting)
 *   "more than 1000000 rows"
 * Directories (load_dir): DIR/metrics.csv (lightning_logs/version_N). */
#include "config.h"

#include <csv.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "colmap.h"
#include "decimal.h"
#include "reader.h"
#include "text.h"
#include "util.h"

#define CSV_MAX_COLS 1024         /* columns in the header */
#define CSV_MAX_FIELD (1 << 20)   /* bytes in one field */
#define CSV_CHUNK (64 * 1024)     /* bytes handed to libcsv at once */
#define CSV_HOLD_MAX (64 * 1024)  /* bytes held to see the first line */
#define STEP_MAX 9007199254740992.0 /* 2^53 (see parse.h) */

enum { COL_UNSET = -1, COL_NONE = -2 };

struct csvr {
	struct run *run;  /* borrowed */
	struct csv_parser cp;
	bool started;     /* the delimiter is chosen, the BOM skipped */
	struct buf hold;  /* the first line, held until it is whole */
	size_t line;      /* records ended so far (the header is 1) */
	char *err;        /* the first error, or NULL */

	/* The header. */
	bool have_header;
	size_t ncols;
	char **names;     /* column names as written */
	const char **canon; /* the run column each feeds: names[i] or
	                       colmap's static name (not owned) */
	int *col;         /* run column, COL_UNSET until a number comes */
	long stepcol;     /* header index of the step, -1 none */
	long epochcol;    /* the epoch when it is also the step, else -1 */

	/* The record being read. */
	size_t field;     /* index of the next field */
	double *vals;     /* per header column; NaN: not logged */
	bool *isnum;      /* the cell held a number (maybe not finite) */
	bool like_header; /* every field so far equals the header's */
	bool numeric_ok;  /* some header name is not a number (numeric_line) */
	size_t nrows;     /* data records seen */
	unsigned char last; /* the last byte of input so far */
	locale_t cloc;

	/* Lines without quotes are split here, not by libcsv (fast_lines). */
	bool slow;        /* libcsv reads the rest */
	unsigned char delim; /* ',' or '\t' (csv_start) */
	struct buf carry; /* the start of a line the next feed ends */
	struct buf cell;  /* a cell, NUL-terminated for on_field */
	size_t consumed;  /* bytes of the lines fast_lines has read */
};

/* Is S[0..N) (N bytes) a delimiter-holding first line of text? */
static enum reader_sniff csv_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	size_t i = 0;

	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (i == len)
		return at_eof ? READER_NO : READER_MORE;
	unsigned char c = head[i];
	if (c == '{' || c == '[' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return READER_NO;
	bool delim = false;
	for (; i < len && head[i] != '\n' && head[i] != '\r'; i++) {
		if (head[i] == '\0')
			return READER_NO;
		delim |= head[i] == ',' || head[i] == '\t';
	}
	if (i == len && !at_eof && len < READER_SNIFF_MAX)
		return READER_MORE;
	return delim ? READER_YES : READER_NO;
}

/* A new CSV reading state for RUN. */
static void *csv_open(struct run *run)
{
	struct csvr *s = xcalloc(1, sizeof *s);

	s->run = run;
	if (csv_init(&s->cp, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
		oom();
	s->stepcol = -1;
	s->epochcol = -1;
	s->cloc = (locale_t)0;
	return s;
}

/* Frees S (not its run). */
static void csv_close(void *state)
{
	struct csvr *s = state;

	if (s == NULL)
		return;
	csv_free(&s->cp);
	buf_free(&s->hold);
	buf_free(&s->carry);
	buf_free(&s->cell);
	for (size_t i = 0; i < s->ncols; i++)
		free(s->names[i]);
	free(s->names);
	free(s->canon);
	free(s->col);
	free(s->vals);
	free(s->isnum);
	free(s->err);
	if (s->cloc != (locale_t)0)
		freelocale(s->cloc);
	free(s);
}

/* Sets the first error (MSG taken). */
static void csv_fail(struct csvr *s, char *msg)
{
	if (s->err == NULL)
		s->err = msg;
	else
		free(msg);
}

/* The value of the 8 digits at P minus '0' each (W: bytes in memory
 * order, little-endian, the first digit most significant; leading zero
 * bytes are leading zeros), in three multiplications. */
static uint64_t eight_value(uint64_t w)
{
	w = w * 10 + (w >> 8);
	return (((w & UINT64_C(0x000000ff000000ff)) * (100 + (UINT64_C(1000000) << 32))) +
	        (((w >> 16) & UINT64_C(0x000000ff000000ff)) * (1 + (UINT64_C(10000) << 32)))) >>
	       32;
}

/* Appends the digits at P[*I..N) to *M; returns how many.  Eight bytes
 * at a time while eight lie before N: the digits among them (those before
 * the first other byte) in one step. */
static inline size_t take_digits(const char *p, size_t n, size_t *i, uint64_t *m)
{
	size_t from = *i, k = *i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	static const uint64_t pow10_u[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

	/* Past 19 digits the caller refuses the number: *M may wrap. */
	while (k + 8 <= n) {
		uint64_t w, t, other;

		memcpy(&w, p + k, sizeof w);
		/* Byte b - '0' is a digit's value when below 10: its top bit
		 * is clear in T and in T + 0x76.  A byte below '0' borrows
		 * from the ones after it, above '9' carries into them: both
		 * only past the first byte that is no digit. */
		t = w - UINT64_C(0x3030303030303030);
		other = (t | (t + UINT64_C(0x7676767676767676))) & UINT64_C(0x8080808080808080);
		if (other == 0) {
			*m = *m * 100000000 + eight_value(t);
			k += 8;
			continue;
		}
		unsigned nd = (unsigned)__builtin_ctzll(other) / 8;
		if (nd > 0)
			*m = *m * pow10_u[nd] + eight_value(t << (8 * (8 - nd)));
		*i = k + nd;
		return k + nd - from;
	}
#endif
	for (; k < n && p[k] >= '0' && p[k] <= '9'; k++)
		*m = *m * 10 + (uint64_t)(p[k] - '0');
	*i = k;
	return k - from;
}

/* Reads the number "[+-]DIGITS[.DIGITS][e[+-]DIGITS]" of at most 19
 * significant digits at the start of P[0..N) when decimal_to_double()
 * computes its value exactly (strtod's result, without strtod's cost):
 * returns its length, with *V set; 0 for anything else (the caller uses
 * strtod).  The caller checks what follows it. */
static size_t scan_decimal(const char *p, size_t n, double *v)
{
	size_t i = 0, digits;
	bool neg = false;
	uint64_t m = 0;
	int scale = 0;

	if (n > 0 && (p[0] == '+' || p[0] == '-'))
		neg = p[i++] == '-';
	if (i == n || p[i] < '0' || p[i] > '9')
		return 0;
	while (i < n && p[i] == '0')
		i++;
	digits = take_digits(p, n, &i, &m);
	if (i < n && p[i] == '.') {
		size_t f = ++i;

		if (digits == 0)
			while (i < n && p[i] == '0')
				i++;
		digits += take_digits(p, n, &i, &m);
		scale = -(int)(i - f);
	}
	if (digits > 19)
		return 0;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		int e = 0, esign = 1;

		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			esign = p[i++] == '-' ? -1 : 1;
		if (i == n || p[i] < '0' || p[i] > '9')
			return 0;
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			if ((e = e * 10 + (p[i] - '0')) > 400)
				return 0;
		scale += esign * e;
	}
	double d;

	if (!decimal_to_double(m, scale, &d))
		return 0;
	*v = neg ? -d : d;
	return i;
}

/* The cell P[0..N) (N at most 64) when it is all a number scan_decimal
 * reads. */
static bool fast_decimal(const char *p, size_t n, double *v)
{
	return scan_decimal(p, n, v) == n;
}

/* Reads cell S (length N, NUL-terminated) as a number.  Returns 1 for a
 * number (*V may be NaN or infinite), 0 for anything else. */
static int cell_number(struct csvr *s, const char *p, size_t n, double *v)
{
	size_t i = 0, digits = 0;

	if (n == 0 || n > 64)
		return 0;
	if (p[0] == '+' || p[0] == '-')
		i++;
	bool digit = p[i] >= '0' && p[i] <= '9';
	if (digit && fast_decimal(p, n, v))
		return 1;
	if (!digit && strcasecmp(p + i, "nan") == 0) {
		*v = NAN;
		return 1;
	}
	if (!digit && (strcasecmp(p + i, "inf") == 0 || strcasecmp(p + i, "infinity") == 0)) {
		*v = p[0] == '-' ? -INFINITY : INFINITY;
		return 1;
	}
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return 0;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t e = 0;

		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			e++;
		if (e == 0)
			return 0;
	}
	if (i != n)
		return 0;
	if (s->cloc == (locale_t)0 && (s->cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) == (locale_t)0)
		return 0;
	*v = strtod_l(p, NULL, s->cloc);
	return 1;
}

/* Picks the step column and each column's run name, once the header is
 * read. */
static void header_done(struct csvr *s)
{
	size_t n = s->ncols;

	s->canon = xcalloc(n ? n : 1, sizeof *s->canon);
	s->col = xcalloc(n ? n : 1, sizeof *s->col);
	s->vals = xcalloc(n ? n : 1, sizeof *s->vals);
	s->isnum = xcalloc(n ? n : 1, sizeof *s->isnum);
	/* A canonical name goes to the column spelled like it, else to the
	 * first column mapping to it. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const char *to = colmap_lookup(s->names[i], strlen(s->names[i]));

			if (s->canon[i] || !to || (pass == 0 && strcmp(to, s->names[i]) != 0))
				continue;
			bool taken = false;
			for (size_t j = 0; j < n; j++)
				taken |= s->canon[j] && strcmp(s->canon[j], to) == 0;
			if (!taken)
				s->canon[i] = to;
		}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(s->names[i]);
		double v;

		if (len > 64 || scan_decimal(s->names[i], len, &v) != len)
			s->numeric_ok = true;
		if (!s->canon[i])
			s->canon[i] = s->names[i];
		s->col[i] = s->names[i][0] ? COL_UNSET : COL_NONE;
		if (s->stepcol < 0 && strcmp(s->canon[i], COL_STEP) == 0)
			s->stepcol = (long)i;
	}
	for (size_t i = 0; i < n && s->stepcol < 0; i++)
		if (strcmp(s->canon[i], COL_EPOCH) == 0)
			s->stepcol = s->epochcol = (long)i;
	if (s->stepcol >= 0)
		return;
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		char *clean = text_sanitize(s->names[i], strlen(s->names[i]), 40, "\"\"");
		buf_printf(&b, "%s%s", i ? ", " : "", clean);
		free(clean);
		if (b.len > 400 && i + 1 < n) {
			buf_printf(&b, " ... (%zu columns)", n);
			break;
		}
	}
	csv_fail(s, xasprintf("no step-like column (step, global_step, _step, Step, current_steps or epoch) "
	                      "among the CSV columns: %s (name the step with --alias COLUMN=step)",
	                      b.data ? b.data : ""));
	buf_free(&b);
}

/* libcsv field callback: a header name or a cell. */
static void on_field(void *data, size_t n, void *arg)
{
	struct csvr *s = arg;
	const char *p = data ? data : "";

	if (data == NULL)
		n = 0;
	if (s->err)
		return;
	if (!s->have_header) {
		if (s->ncols == CSV_MAX_COLS) {
			csv_fail(s, xasprintf("CSV header has more than %d columns", CSV_MAX_COLS));
			return;
		}
		s->names = xreallocarray(s->names, s->ncols + 1, sizeof *s->names);
		s->names[s->ncols++] = xstrndup(p, n);
		return;
	}
	size_t f = s->field++;
	if (f >= s->ncols)
		return;
	if (s->like_header && strcmp(p, s->names[f]) != 0)
		s->like_header = false;
	double v;
	s->isnum[f] = cell_number(s, p, strlen(p), &v) > 0;
	s->vals[f] = s->isnum[f] ? v : NAN;
}

/* Sets column I of the last row to its cell's value. */
static void put_cell(struct csvr *s, size_t i)
{
	struct run *r = s->run;

	if (s->col[i] == COL_NONE)
		return;
	if (s->col[i] == COL_UNSET) {
		int c = run_col(r, s->canon[i]);
		if (c < 0) {
			r->ignored_fields++;
			return;
		}
		s->col[i] = c;
	}
	if (!isfinite(s->vals[i])) {
		r->nonfinite++;
		s->vals[i] = NAN;
	}
	run_set(r, s->col[i], s->vals[i]);
}

/* libcsv record callback: the header, or a row to append. */
static void on_record(int c, void *arg)
{
	struct csvr *s = arg;
	struct run *r = s->run;

	(void)c;
	s->line++;
	if (s->err)
		return;
	if (!s->have_header) {
		s->have_header = true;
		header_done(s);
		s->like_header = true;
		return;
	}
	size_t nf = s->field < s->ncols ? s->field : s->ncols;
	bool repeat = s->like_header && s->field == s->ncols;

	s->field = 0;
	s->like_header = true;
	if (repeat)
		return;
	s->nrows++;
	double step = (long)s->stepcol < (long)nf && s->isnum[s->stepcol] ? s->vals[s->stepcol] : NAN;
	if (!(isfinite(step) && step >= 0 && step < STEP_MAX && floor(step) == step)) {
		r->skipped_nostep++;
	} else {
		char *msg = NULL;
		if (run_add_row(r, step + 0.0, &msg) < 0) {
			csv_fail(s, msg);
			return;
		}
		for (size_t i = 0; i < nf; i++)
			if (s->isnum[i] && ((long)i != s->stepcol || s->epochcol >= 0))
				put_cell(s, i);
		/* Room for the rows to come, from the file's size and the
		 * bytes per line so far (a guess: a shorter one grows the
		 * columns as ever).  Only while every line so far went through
		 * fast_lines: libcsv's lines are not in consumed (a header
		 * read there, then a quote, left it below a byte per line). */
		if (s->nrows == 1024 && !s->slow && s->line > 1 && s->consumed > 0 &&
		    r->size_hint > s->consumed) {
			size_t more = (r->size_hint - s->consumed) / (s->consumed / (s->line - 1));

			run_reserve(r, r->nrows + more + more / 16 + 16);
		}
	}
	for (size_t i = 0; i < s->ncols; i++)
		s->isnum[i] = false;
}

/* Keeps spaces, not tabs, as what libcsv trims around a TSV field. */
static int tsv_space(unsigned char c)
{
	return c == ' ';
}

/* The message for libcsv's parse error (strict quoting). */
static char *malformed(const struct csvr *s)
{
	return xasprintf("malformed CSV at line %zu (a quote inside a field must be doubled, "
	                 "and a quoted field must end at a delimiter or line end)",
	                 s->line + 1);
}

/* Pushes B[0..LEN) through libcsv in chunks, checking the field size. */
static void libcsv_push(struct csvr *s, const unsigned char *b, size_t len)
{
	while (len > 0 && s->err == NULL) {
		size_t n = len < CSV_CHUNK ? len : CSV_CHUNK;
		if (csv_parse(&s->cp, b, n, on_field, on_record, s) != n)
			csv_fail(s, csv_error(&s->cp) == CSV_EPARSE ? malformed(s)
			                                            : xstrdup(csv_strerror(csv_error(&s->cp))));
		else if (s->cp.entry_pos > CSV_MAX_FIELD)
			csv_fail(s, xasprintf("CSV field larger than %d bytes at line %zu", CSV_MAX_FIELD,
			                      s->line + 1));
		b += n;
		len -= n;
	}
}

/* Is C a byte libcsv trims around an unquoted field? */
static bool trimmed(const struct csvr *s, unsigned char c)
{
	return c == ' ' || (c == '\t' && s->delim != '\t');
}

/* on_field for cell P[0..N) of a plain line (fast_line), read in place:
 * a cell that fast_decimal takes is stored without copying it (what
 * cell_number would give: a digit after the optional sign, at most 64
 * bytes); any other goes to on_field as a NUL-terminated copy. */
static void fast_cell(struct csvr *s, const char *p, size_t n)
{
	size_t f = s->field, i = n > 0 && (p[0] == '+' || p[0] == '-');
	double v;

	if (s->have_header && s->err == NULL && f < s->ncols && n <= 64 && i < n && p[i] >= '0' &&
	    p[i] <= '9' && fast_decimal(p, n, &v)) {
		s->field++;
		if (s->like_header && (strncmp(p, s->names[f], n) != 0 || s->names[f][n] != '\0'))
			s->like_header = false;
		s->isnum[f] = true;
		s->vals[f] = v;
		return;
	}
	s->cell.len = 0;
	buf_append(&s->cell, p, n); /* NUL-terminates */
	on_field(s->cell.data, n, s);
}

/* A data line L[0..N) (its line end stripped) of numbers only: cells
 * that scan_decimal reads whole (at most 64 bytes: what fast_cell takes),
 * each followed by the delimiter or the line's end.  Stored as fast_line
 * stores it, in one pass (no search for quotes, delimiters and spaces
 * first, no comparison with the header: the header holds a name that is
 * not such a number, numeric_ok).  Returns false, having changed nothing,
 * for any other line. */
static bool numeric_line(struct csvr *s, const unsigned char *l, size_t n)
{
	const char *p = (const char *)l;
	char delim = (char)s->delim;
	size_t i = 0, f = 0;

	for (;;) {
		double v;
		size_t len = scan_decimal(p + i, n - i < 64 ? n - i : 64, &v);

		if (len == 0 || (i + len < n && p[i + len] != delim)) {
			for (size_t j = 0; j < f && j < s->ncols; j++)
				s->isnum[j] = false;
			return false;
		}
		if (f < s->ncols) {
			s->isnum[f] = true;
			s->vals[f] = v;
		}
		f++;
		i += len;
		if (i == n)
			break;
		i++;
	}
	s->field = f;
	s->like_header = false;
	on_record('\n', s);
	return true;
}

/* One line L[0..N) (its '\n' not included) read as libcsv reads it, with
 * the same callbacks, when it holds no quote, no CR but at its end and no
 * NUL: such a line means the same to every CSV reader (fields between
 * delimiters, spaces around them trimmed; only white space: a blank line,
 * skipped).  Returns false, having done nothing, for any other line. */
static bool fast_line(struct csvr *s, const unsigned char *l, size_t n)
{
	while (n > 0 && l[n - 1] == '\r')
		n--;
	if (s->numeric_ok && s->err == NULL && n > 0 && n <= CSV_MAX_FIELD && numeric_line(s, l, n))
		return true;
	if (n > CSV_MAX_FIELD || memchr(l, '"', n) || memchr(l, '\r', n) || memchr(l, '\0', n))
		return false;
	unsigned char delim = s->delim;
	size_t i = 0;
	while (i < n && trimmed(s, l[i]))
		i++;
	if (i == n)
		return true;
	for (;;) {
		size_t a = i, e;
		const unsigned char *d = memchr(l + i, delim, n - i);
		e = d ? (size_t)(d - l) : n;
		while (a < e && trimmed(s, l[a]))
			a++;
		size_t z = e;
		while (z > a && trimmed(s, l[z - 1]))
			z--;
		fast_cell(s, (const char *)l + a, z - a);
		if (!d)
			break;
		i = e + 1;
	}
	on_record('\n', s);
	return true;
}

/* Leaves the fast path for good: what it held goes to libcsv first. */
static void go_slow(struct csvr *s)
{
	s->slow = true;
	libcsv_push(s, (const unsigned char *)s->carry.data, s->carry.len);
	buf_free(&s->carry);
}

/* Reads the whole lines of B[0..LEN) that fast_line can, holding a line's
 * start until its end comes; returns the bytes taken.  The first line it
 * cannot read (and anything held) goes to libcsv, which reads the rest. */
static size_t fast_lines(struct csvr *s, const unsigned char *b, size_t len)
{
	size_t pos = 0;

	while (!s->slow && s->err == NULL && pos < len) {
		const unsigned char *nl = memchr(b + pos, '\n', len - pos);
		size_t held = s->carry.len;
		if (nl == NULL) {
			if (held + (len - pos) > CSV_CHUNK) {
				go_slow(s);
				break;
			}
			buf_append(&s->carry, (const char *)b + pos, len - pos);
			return len;
		}
		size_t n = (size_t)(nl - (b + pos));
		bool ok;
		if (held > 0) {
			buf_append(&s->carry, (const char *)b + pos, n);
			ok = fast_line(s, (const unsigned char *)s->carry.data, s->carry.len);
			s->carry.len = held;
		} else {
			ok = fast_line(s, b + pos, n);
		}
		if (!ok) {
			go_slow(s);
			break;
		}
		s->carry.len = 0;
		s->consumed += held + n + 1;
		pos += n + 1;
	}
	return pos;
}

/* Pushes B[0..LEN): plain lines through fast_lines, the rest through
 * libcsv. */
static void csv_push(struct csvr *s, const unsigned char *b, size_t len)
{
	if (len > 0)
		s->last = b[len - 1];
	size_t used = s->slow ? 0 : fast_lines(s, b, len);
	if (s->slow)
		libcsv_push(s, b + used, len - used);
}

/* Chooses the delimiter from the held bytes (the first line, or the first
 * CSV_HOLD_MAX bytes when it is longer: never from how the input was cut)
 * and pushes them. */
static void csv_start(struct csvr *s)
{
	const unsigned char *b = (const unsigned char *)s->hold.data;
	size_t len = s->hold.len, i = 0;
	bool comma = false, tab = false;

	s->started = true;
	if (len >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0) {
		b += 3;
		len -= 3;
	}
	for (; i < len && b[i] != '\n' && b[i] != '\r'; i++) {
		comma |= b[i] == ',';
		tab |= b[i] == '\t';
	}
	s->delim = tab && !comma ? '\t' : ',';
	if (tab && !comma) {
		csv_set_delim(&s->cp, '\t');
		csv_set_space_func(&s->cp, tsv_space);
	}
	csv_push(s, b, len);
	buf_free(&s->hold);
}

/* Holds the first line, then pushes bytes through libcsv. */
static int csv_feed(void *state, const void *buf, size_t len, char **cause)
{
	struct csvr *s = state;

	if (!s->started) {
		size_t take = len;
		const unsigned char *end = NULL;

		for (size_t i = 0; i < len && end == NULL; i++)
			if (((const unsigned char *)buf)[i] == '\n' ||
			    ((const unsigned char *)buf)[i] == '\r')
				end = (const unsigned char *)buf + i;
		if (end == NULL && s->hold.len + len > CSV_HOLD_MAX)
			take = CSV_HOLD_MAX - s->hold.len;
		else if (end != NULL)
			take = (size_t)(end - (const unsigned char *)buf) + 1;
		buf_append(&s->hold, buf, take);
		buf = (const unsigned char *)buf + take;
		len -= take;
		if (end != NULL || s->hold.len == CSV_HOLD_MAX)
			csv_start(s);
	}
	if (s->started)
		csv_push(s, buf, len);
	if (s->err) {
		*cause = xstrdup(s->err);
		return -1;
	}
	return 0;
}

/* End of input: the last record, then the errors of a whole file. */
static int csv_finish(void *state, char **cause)
{
	struct csvr *s = state;

	if (!s->started)
		csv_start(s);
	if (!s->slow)
		go_slow(s); /* what fast_lines holds goes to libcsv */
	/* After the header, bytes after the last line end are a row still
	 * being written: left unread (a quoted field open too). */
	if (s->err == NULL && s->have_header && s->last != '\n' && s->last != '\r') {
		s->run->partial_lines++;
		(void)csv_fini(&s->cp, NULL, NULL, s);
	} else if (s->err == NULL && csv_fini(&s->cp, on_field, on_record, s) != 0)
		csv_fail(s, xstrdup("unterminated quoted field at the end of the CSV (truncated file?)"));
	if (s->err == NULL && s->nrows == 0)
		csv_fail(s, xstrdup(s->have_header ? "CSV has a header but no rows" : "empty input"));
	if (s->err) {
		*cause = xstrdup(s->err);
		return -1;
	}
	return 0;
}

/* DIR/metrics.csv (Lightning's lightning_logs/version_N). */
static int csv_load_dir(struct run *run, const char *dir, char **cause)
{
	return reader_load_file(run, dir, "metrics.csv", cause);
}

/* Is DIR a run directory of this format (reader.h)? */
static bool csv_is_run_dir(const char *dir)
{
	return reader_dir_has(dir, "metrics.csv");
}

const struct reader_format read_csv_format = {
	.name = "csv",
	.sniff = csv_sniff,
	.open = csv_open,
	.feed = csv_feed,
	.finish = csv_finish,
	.close = csv_close,
	.load_dir = csv_load_dir,
	.is_run_dir = csv_is_run_dir,
};
