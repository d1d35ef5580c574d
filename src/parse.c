/* parse.c: the streaming metrics reader (see parse.h).
 *
 * A small state machine walks the outer skeleton of the input byte by byte:
 * a top-level array of rows, or top-level objects (an envelope with a
 * "metrics" array, or JSON Lines rows).  Every value inside is handed to
 * json-c's incremental tokener, one value at a time, so memory holds at most
 * one row's JSON.  Rows go through one accumulator (struct cell) whether
 * they came whole from the tokener or field by field from the skeleton.
 *
 * A top-level object up to TRIAL_MAX bytes is parsed whole by json-c; a
 * bigger one key by key (obj_begin).  The two agree on valid input; on odd
 * input they differ slightly, by object size (never by chunking): json-c
 * accepts single-quoted keys, keeps only the last of two "metrics" arrays
 * and counts the object itself as a nesting level, and a few messages
 * differ ("unexpected character" where the skeleton says what it
 * expected). */
#include "config.h"

#include "parse.h"
#include "colmap.h"
#include "decimal.h"
#include "tagmap.h"
#include "text.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* 2^53: this and larger steps are refused, since 2^53 + 1 reads as 2^53
 * and would overwrite its neighbour. */
#define STEP_MAX 9007199254740992.0
/* A top-level object is first tried as one json-c value up to this size
 * (obj_begin); a bigger one (an envelope) is read key by key. */
#ifndef TRIAL_MAX /* (a fuzzing build may set a small one) */
#define TRIAL_MAX (PARSE_MAX_VALUE < 65536 ? PARSE_MAX_VALUE : 65536)
#endif

/* Where the skeleton is. */
enum pstate {
	P_START,     /* before the first value: BOM, whitespace */
	P_TOP_END,   /* after a top-level array: whitespace only */
	P_LINES,     /* between top-level objects (JSON Lines) */
	P_ARR_FIRST, /* after '[': a row or ']' */
	P_ARR_ELEM,  /* after ',' in an array: a row */
	P_ARR_NEXT,  /* after a row: ',' or ']' */
	P_OBJ_FIRST, /* after a top-level '{': a key or '}' */
	P_OBJ_KEY,   /* after ',' in a top-level object: a key */
	P_OBJ_COLON, /* after a key: ':' */
	P_OBJ_VALUE, /* after ':': the value */
	P_OBJ_NEXT,  /* after a value: ',' or '}' */
	P_TOKENER,   /* json-c is parsing a value (see tok_for) */
	P_SKIP,      /* an object or array value of a top-level object read
	                key by key, which no column takes: skipped (skip_*),
	                of any size */
	P_ERROR,     /* failed; p->err holds the message */
};

/* What the value json-c is parsing will be. */
enum tokfor {
	T_ROW,   /* an array element (a MetricPoint) */
	T_KEY,   /* a key of a top-level object */
	T_VALUE, /* a value of a top-level object */
	T_TOP,   /* a whole top-level object, on trial (see obj_begin) */
};

/* Field kinds.  The first K_NCOLS are known metric columns (the slot indexes
 * known_names and p->known_col); the rest need special handling. */
enum kind {
	K_EPOCH,
	K_TIME,
	K_TRAIN_LOSS,
	K_EVAL_LOSS,
	K_PPL,
	K_TRAIN_PPL,
	K_LR,
	K_GRAD_NORM,
	K_TOKENS_PS,
	K_SAMPLES_PS,
	K_GPU_UTIL,
	K_GPU_MEM,
	K_GPU_MEM_RES,
	K_NCOLS,
	K_OTHER = K_NCOLS, /* any other numeric field: a column by its name */
	K_STEP,
	K_LOSS,      /* alias of train_loss; train_loss wins */
	K_TIMESTAMP, /* ISO-8601 string (or seconds) into "time" */
	K_JOB_ID,
	K_MESSAGE,
	K_METRICS,   /* "metrics", or Hugging Face's "log_history" */
	K_ELAPSED,   /* "H:MM:SS" (LLaMA-Factory) into "time"; a number is a
	                column of its own */
	K_IGNORE, /* row bookkeeping */
};

static const char *const known_names[K_NCOLS] = {
	[K_EPOCH] = COL_EPOCH,
	[K_TIME] = COL_TIME,
	[K_TRAIN_LOSS] = COL_TRAIN_LOSS,
	[K_EVAL_LOSS] = COL_EVAL_LOSS,
	[K_PPL] = COL_PPL,
	[K_TRAIN_PPL] = COL_TRAIN_PPL,
	[K_LR] = COL_LR,
	[K_GRAD_NORM] = COL_GRAD_NORM,
	[K_TOKENS_PS] = COL_TOKENS_PS,
	[K_SAMPLES_PS] = COL_SAMPLES_PS,
	[K_GPU_UTIL] = COL_GPU_UTIL,
	[K_GPU_MEM] = COL_GPU_MEM,
	[K_GPU_MEM_RES] = COL_GPU_MEM_RES,
};

/* One numeric field of the row being accumulated. */
struct cell {
	int kind;        /* a column slot < K_NCOLS, or K_OTHER */
	bool null;       /* JSON null: "not logged" (matters for duplicates) */
	size_t name_off; /* K_OTHER: offset of the name in p->names */
	double v;        /* NaN when the input was not a finite number */
};

struct parser {
	struct run *run; /* borrowed */
	struct json_tokener *tok;
	enum pstate state;
	enum tokfor tok_for;
	char *err; /* the error message once failed */

	/* Position of the next byte: 1-based line and byte column, and the
	 * absolute offset. */
	size_t line, col;
	uint64_t off;
	int bom; /* bytes of a UTF-8 BOM matched at the start */

	/* Size limit of the current row or value: it may not reach past
	 * lim_off; it began at lim_line:lim_col. */
	uint64_t lim_off;
	size_t lim_line, lim_col;

	bool in_metrics;        /* the open array is an envelope's "metrics" */
	bool envelope;          /* the open top-level object has "metrics" */
	bool no_trial;          /* read the next top-level object key by key */
	enum pstate trial_prev; /* the state before a T_TOP trial */
	struct buf replay;      /* the bytes json-c took during the trial */
	struct buf carry;       /* bytes held back from json-c (tok_feed) */
	struct buf joined;      /* carry + the next bytes (carry_feed) */
	bool metrics_value;     /* json-c is parsing a non-array "metrics" */
	/* P_SKIP: the open brackets (bit I set: level I is an array), how
	 * deep, inside a string, after a backslash in one, where it began. */
	uint64_t skip_arrays;
	int skip_depth;
	bool skip_str, skip_esc;
	uint64_t skip_start;
	struct json_object *key; /* the current top-level key (a string) */
	size_t obj_fields;      /* fields of the open top-level object */
	size_t rows_seen;       /* rows begun, for "row N" messages */
	size_t end_line;        /* the line the last top-level object ended on */

	/* The row being accumulated. */
	struct cell *cells;
	size_t ncells;
	struct buf names; /* NUL-separated names of K_OTHER cells */
	int step_state;   /* 0 missing, 1 usable, 2 unusable */
	double step;
	bool have_loss; /* "loss" holds a number (maybe NaN) */
	double loss;
	int ts_state;   /* the row's timestamp: TS_NONE … (row_time) */
	double ts;      /* TS_ISO: seconds; TS_NUM: the number as written */
	char *pend_id, *pend_msg; /* job_id/message until the object is known
	                             to be an envelope */

	int known_col[K_NCOLS]; /* run column of each slot, -1 unresolved */
	bool slow;              /* json-c reads every row (parser_set_fast) */
	bool hf;                /* Hugging Face log_history (parser_set_hf) */
	bool wandb;             /* W&B wandb-history.jsonl (parser_set_wandb) */
	char *nokeys;           /* the keys of the first top-level object,
	                           when it had neither "metrics",
	                           "log_history" nor "step" (sanitized) */
	size_t summaries;       /* rows dropped as the final summary */
	size_t fast_rows;       /* rows read on the fast path */
	locale_t cloc;          /* "C" numeric locale for numeric strings */
};

/* What the row's "timestamp" held (the last one wins). */
enum { TS_NONE, TS_ISO, TS_NUM, TS_BAD };

/* A new parser for RUN. */
struct parser *parser_new(struct run *run)
{
	struct parser *p = xcalloc(1, sizeof *p);

	p->run = run;
	p->tok = json_tokener_new_ex(PARSE_MAX_DEPTH);
	if (p->tok == NULL)
		oom(); /* json-c fails only when out of memory */
	/* Strict JSON (no comments, single quotes, trailing commas), but
	 * json-c still reads NaN, Infinity and -Infinity as numbers, which is
	 * what Python's json module writes for non-finite floats. */
	json_tokener_set_flags(p->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	p->state = P_START;
	p->line = 1;
	p->col = 1;
	p->cells = xreallocarray(NULL, PARSE_MAX_FIELDS, sizeof *p->cells);
	for (int k = 0; k < K_NCOLS; k++)
		p->known_col[k] = -1;
	p->cloc = (locale_t)0;
	return p;
}

/* Frees P (not its run). */
void parser_free(struct parser *p)
{
	if (p == NULL)
		return;
	json_tokener_free(p->tok);
	json_object_put(p->key);
	free(p->cells);
	buf_free(&p->names);
	buf_free(&p->replay);
	buf_free(&p->carry);
	buf_free(&p->joined);
	free(p->pend_id);
	free(p->pend_msg);
	free(p->nokeys);
	free(p->err);
	if (p->cloc != (locale_t)0)
		freelocale(p->cloc);
	free(p);
}

void parser_set_fast(struct parser *p, bool fast)
{
	p->slow = !fast;
}

size_t parser_fast_rows(const struct parser *p)
{
	return p->fast_rows;
}

void parser_set_hf(struct parser *p, bool hf)
{
	p->hf = hf;
}

void parser_set_wandb(struct parser *p, bool wandb)
{
	p->wandb = wandb;
}

/* Puts P in the error state with message MSG (taken) and copies it to
 * *CAUSE.  Returns -1. */
static int fail(struct parser *p, char **cause, char *msg)
{
	free(p->err);
	p->err = msg;
	p->state = P_ERROR;
	*cause = xstrdup(msg);
	return -1;
}

/* "invalid JSON at line L, column C: WHAT" at the current position. */
static int fail_json(struct parser *p, char **cause, const char *what)
{
	return fail(p, cause, xasprintf("invalid JSON at line %zu, column %zu: %s", p->line, p->col, what));
}

/* The size-limit error for the current row or value. */
static int fail_size(struct parser *p, char **cause)
{
	return fail(p, cause, xasprintf("JSON value larger than %d bytes at line %zu, column %zu",
	                                PARSE_MAX_VALUE, p->lim_line, p->lim_col));
}

/* Moves the position over N bytes of S. */
static void advance(struct parser *p, const char *s, size_t n)
{
	const char *end = s + n, *nl;

	while ((nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		p->line++;
		p->col = 1;
		s = nl + 1;
	}
	p->col += (size_t)(end - s);
	p->off += n;
}

/* Moves the position over the one byte C. */
static void advance1(struct parser *p, unsigned char c)
{
	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else {
		p->col++;
	}
	p->off++;
}

/* JSON whitespace (RFC 8259): CR counts, so CRLF line ends are fine. */
static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* True when C can start a JSON value (including json-c's NaN/Infinity). */
static bool starts_value(unsigned char c)
{
	return c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
	       c == 'f' || c == 'n' || c == 'N' || c == 'I';
}

/* Error for the unexpected byte C in the skeleton; WHAT says what was
 * expected. */
static int fail_char(struct parser *p, char **cause, unsigned char c, const char *what)
{
	return fail_json(p, cause, c == '\0' ? "unexpected NUL byte" : what);
}

/* Reads a number of at most MAX digits at *S (at least one) and moves *S
 * past it. */
static bool elapsed_digits(const char **s, int max, long *v)
{
	int i = 0;

	for (*v = 0; i < max && **s >= '0' && **s <= '9'; i++, (*s)++)
		*v = *v * 10 + (**s - '0');
	return i > 0;
}

/* Reads a Python timedelta's str() S (NUL-terminated): "H:MM:SS", "D day,
 * H:MM:SS" or "D days, H:MM:SS", optionally with ".FFFFFF", into seconds. */
static bool elapsed_seconds(const char *s, double *out)
{
	long days = 0, h, m, sec;
	double frac = 0, scale = 0.1;
	const char *q = strchr(s, ' ');

	if (q != NULL) {
		if (!elapsed_digits(&s, 9, &days) || s != q)
			return false;
		if (strncmp(q, " days, ", 7) == 0)
			s = q + 7;
		else if (strncmp(q, " day, ", 6) == 0)
			s = q + 6;
		else
			return false;
	}
	if (!elapsed_digits(&s, 2, &h) || *s++ != ':' || !elapsed_digits(&s, 2, &m) || *s++ != ':' ||
	    !elapsed_digits(&s, 2, &sec) || h > 23 || m > 59 || sec > 59)
		return false;
	if (*s == '.') {
		if (*++s == '\0')
			return false;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	if (*s != '\0')
		return false;
	*out = (double)days * 86400.0 + (double)(h * 3600 + m * 60 + sec) + frac;
	return true;
}

/* The kind of field KEY (length N) by its exact name.  A switch on the
 * length keeps this to one or two memcmp per field. */
static enum kind key_kind_exact(const char *k, size_t n)
{
#define IS(lit) (memcmp(k, lit, sizeof(lit) - 1) == 0)
	switch (n) {
	case 2:
		return IS("id") ? K_IGNORE : K_OTHER;
	case 4:
		return IS("step") ? K_STEP : IS("loss") ? K_LOSS : K_OTHER;
	case 5:
		return IS("epoch") ? K_EPOCH : K_OTHER;
	case 6:
		return IS("job_id") ? K_JOB_ID : K_OTHER;
	case 7:
		return IS("message") ? K_MESSAGE : IS("metrics") ? K_METRICS : K_OTHER;
	case 11:
		return IS("log_history") ? K_METRICS : K_OTHER;
	case 12:
		return IS("elapsed_time") ? K_ELAPSED : K_OTHER;
	case 9:
		return IS("eval_loss")   ? K_EVAL_LOSS
		       : IS("grad_norm") ? K_GRAD_NORM
		       : IS("timestamp") ? K_TIMESTAMP
		       : IS("best_step") ? K_IGNORE
		                         : K_OTHER;
	case 10:
		return IS("train_loss")   ? K_TRAIN_LOSS
		       : IS("perplexity") ? K_PPL
		       : IS("best_epoch") ? K_IGNORE
		       : IS("loss_trend") ? K_IGNORE
		                          : K_OTHER;
	case 13:
		return IS("learning_rate") ? K_LR : K_OTHER;
	case 14:
		return IS("best_eval_loss") ? K_IGNORE : K_OTHER;
	case 16:
		return IS("train_perplexity") ? K_TRAIN_PPL : K_OTHER;
	case 17:
		return IS("tokens_per_second") ? K_TOKENS_PS : K_OTHER;
	case 18:
		return IS("samples_per_second") ? K_SAMPLES_PS : K_OTHER;
	case 22:
		return IS("gpu_memory_reserved_gb") ? K_GPU_MEM_RES : K_OTHER;
	case 23:
		return IS("gpu_utilization_percent")   ? K_GPU_UTIL
		       : IS("gpu_memory_allocated_gb") ? K_GPU_MEM
		                                       : K_OTHER;
	case 26:
		return IS("epochs_without_improvement") ? K_IGNORE : K_OTHER;
	default:
		return K_OTHER;
	}
#undef IS
}

/* The kind of field KEY (length N): by its name, else by the name the
 * column table (colmap.h) maps it to. */
static enum kind key_kind(const char *k, size_t n)
{
	enum kind kind = key_kind_exact(k, n);
	const char *to;

	if (kind != K_OTHER || (to = colmap_lookup(k, n)) == NULL)
		return kind;
	return key_kind_exact(to, strlen(to));
}

/* key_kind in P's mode: for W&B, _step is the step, _timestamp the time
 * (seconds), other _ keys W&B's bookkeeping, and every other key a logged
 * metric, named through tagmap_column as in W&B's run files (read_wandb.c):
 * a metric logged as "timestamp", "global_step" or "elapsed_time" is a
 * column, not the time or the step. */
static enum kind key_kind_p(const struct parser *p, const char *k, size_t n)
{
	if (p->wandb && n && k[0] == '_')
		return n == 5 && memcmp(k, "_step", 5) == 0 ? K_STEP
		       : n == 10 && memcmp(k, "_timestamp", 10) == 0 ? K_TIMESTAMP
		       : K_IGNORE;
	if (p->wandb)
		return K_OTHER;
	return key_kind(k, n);
}

/* Case-insensitive match of S (length N) against lower-case LIT. */
static bool ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i]; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return false;
	}
	return i == n && lit[i] == '\0';
}

/* strtod on the number at S (checked by the caller) in the "C" locale,
 * whatever LC_NUMERIC is.  False when that locale cannot be had. */
static bool c_strtod(struct parser *p, const char *s, double *v)
{
	if (p->cloc == (locale_t)0) {
		p->cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
		if (p->cloc == (locale_t)0)
			return false;
	}
	*v = strtod_l(s, NULL, p->cloc);
	return true;
}

/* Reads a numeric string: a decimal number ("0.5", "-1e-3", "+2", "5.")
 * or nan/inf/infinity in any case with an optional sign.  Nothing else:
 * no spaces, hex or trailing text.  Returns true and sets *V. */
static bool numeric_string(struct parser *p, const char *s, size_t n, double *v)
{
	size_t i = 0, digits = 0;

	if (n == 0 || n > 64 || strlen(s) != n)
		return false;
	if (s[0] == '+' || s[0] == '-')
		i++;
	if (ieq(s + i, n - i, "nan")) {
		*v = NAN;
		return true;
	}
	if (ieq(s + i, n - i, "inf") || ieq(s + i, n - i, "infinity")) {
		*v = s[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			e++;
		if (e == 0)
			return false;
	}
	if (i != n)
		return false;
	/* The grammar is checked. */
	return c_strtod(p, s, v);
}

/* A field's value as the row accumulator sees it, from json-c or from the
 * fast path (fast_row).  A string is S[0..N); it is NUL-terminated only
 * when TERMINATED (json-c's strings are; the fast path's point into the
 * input). */
struct jv {
	enum { JV_NULL, JV_NUM, JV_STR, JV_OTHER } type;
	double d; /* JV_NUM: the number (may be non-finite) */
	const char *s;
	size_t n;
	bool terminated;
};

/* The value of json-c's O (NULL is JSON null). */
static struct jv jv_of(struct json_object *o)
{
	struct jv v = {.type = JV_OTHER};

	switch (json_object_get_type(o)) {
	case json_type_null:
		v.type = JV_NULL;
		break;
	case json_type_double:
		v.type = JV_NUM;
		v.d = json_object_get_double(o);
		break;
	case json_type_int: {
		/* json-c saturates integers outside 64 bits; those read as
		 * overflow (non-finite) rather than as a wrong value. */
		int64_t i = json_object_get_int64(o);

		v.type = JV_NUM;
		if (i == INT64_MIN)
			v.d = -INFINITY;
		else if (i < INT64_MAX)
			v.d = (double)i;
		else if (json_object_get_uint64(o) == UINT64_MAX)
			v.d = INFINITY;
		else
			v.d = (double)json_object_get_uint64(o);
		break;
	}
	case json_type_string:
		v.type = JV_STR;
		v.s = json_object_get_string(o);
		v.n = (size_t)json_object_get_string_len(o);
		v.terminated = true;
		break;
	default:
		break;
	}
	return v;
}

/* Calls FN(P, S, ARG) with the string of V NUL-terminated (a copy when it
 * is not).  Returns FN's result. */
static bool with_cstr(struct parser *p, const struct jv *v, bool (*fn)(struct parser *, const char *, size_t, void *),
                      void *arg)
{
	char tmp[128], *heap = NULL;
	const char *s = v->s;
	bool ok;

	if (!v->terminated) {
		char *d = v->n < sizeof tmp ? tmp : (heap = xmalloc(v->n + 1));

		memcpy(d, v->s, v->n);
		d[v->n] = '\0';
		s = d;
	}
	ok = fn(p, s, v->n, arg);
	free(heap);
	return ok;
}

/* with_cstr() callback: numeric_string() into *(double *)ARG. */
static bool numeric_cb(struct parser *p, const char *s, size_t n, void *arg)
{
	return numeric_string(p, s, n, arg);
}

/* with_cstr() callback: parse_timestamp() into *(double *)ARG. */
static bool timestamp_cb(struct parser *p, const char *s, size_t n, void *arg)
{
	(void)p;
	(void)n;
	return parse_timestamp(s, arg) == 0;
}

/* Converts V to a double.  Returns 1 (a number, or a numeric string; *D may
 * be non-finite), 0 for null, -1 for anything else. */
static int number_of(struct parser *p, const struct jv *v, double *d)
{
	switch (v->type) {
	case JV_NULL:
		return 0;
	case JV_NUM:
		*d = v->d;
		return 1;
	case JV_STR:
		/* Longer strings are never numbers (numeric_string). */
		return v->n <= 64 && with_cstr(p, v, numeric_cb, d) ? 1 : -1;
	case JV_OTHER:
	default:
		return -1;
	}
}

/* Forgets the accumulated row. */
static void row_reset(struct parser *p)
{
	p->ncells = 0;
	p->names.len = 0;
	p->step_state = 0;
	p->have_loss = false;
	p->ts_state = TS_NONE;
	p->obj_fields = 0;
}

/* Adds a numeric cell of KIND (or the K_OTHER column NAME, length N). */
static void row_cell(struct parser *p, int kind, const char *name, size_t n, int isnum, double v)
{
	struct cell *c;

	if (isnum < 0 || p->ncells >= PARSE_MAX_FIELDS)
		return;
	if (kind == K_OTHER && n == 0)
		return; /* an empty name cannot be a column */
	char *mapped = NULL;
	if (kind == K_OTHER && p->wandb) {
		/* W&B names as in its run files: eval/X is eval_X, train/X is
		 * X; train/train_loss (the run's mean) is no point. */
		mapped = tagmap_column(name, n, false);
		if (!mapped)
			return;
		name = mapped;
		n = strlen(mapped);
	} else if (kind == K_OTHER) {
		/* An alias onto a name of no known kind (--alias a=b). */
		const char *to = colmap_lookup(name, n);
		if (to) {
			name = to;
			n = strlen(to);
		}
	}
	c = &p->cells[p->ncells++];
	c->kind = kind;
	c->null = isnum == 0;
	c->v = isnum > 0 && isfinite(v) ? v : NAN;
	if (kind == K_OTHER) {
		c->name_off = p->names.len;
		buf_append(&p->names, name, n);
		buf_append(&p->names, "", 1); /* (NAME may not be terminated) */
	}
	free(mapped);
}

/* with_cstr callback: an elapsed time ("1 day, 2:03:04") into *ARG. */
static bool elapsed_cb(struct parser *p, const char *s, size_t n, void *arg)
{
	(void)p;
	(void)n;
	return elapsed_seconds(s, arg);
}

/* Takes one field of kind K, KEY (length N, maybe not NUL-terminated) = V
 * into the row.  job_id and message are the caller's (row_field). */
static void row_value(struct parser *p, enum kind k, const char *key, size_t n, const struct jv *val)
{
	double v = 0;
	int isnum;

	switch (k) {
	case K_STEP:
		isnum = number_of(p, val, &v);
		if (isnum > 0 && isfinite(v) && v >= 0 && v < STEP_MAX && floor(v) == v) {
			p->step_state = 1;
			p->step = v + 0.0; /* -0 becomes 0 */
		} else {
			p->step_state = isnum == 0 ? 0 : 2;
		}
		return;
	case K_LOSS:
		isnum = number_of(p, val, &v);
		if (isnum >= 0) {
			p->have_loss = isnum > 0;
			p->loss = isnum > 0 && isfinite(v) ? v : NAN;
		}
		return;
	case K_TIMESTAMP:
		/* Kept aside until the row is committed (row_time): a number's
		 * unit is the job's. */
		if (val->type == JV_STR && with_cstr(p, val, timestamp_cb, &v)) {
			p->ts_state = TS_ISO;
			p->ts = v;
			return;
		}
		isnum = number_of(p, val, &v);
		p->ts_state = isnum > 0 ? TS_NUM : isnum == 0 ? TS_NONE : TS_BAD;
		p->ts = v;
		return;
	case K_ELAPSED:
		if (val->type == JV_STR) {
			if (with_cstr(p, val, elapsed_cb, &v)) {
				p->ts_state = TS_ISO;
				p->ts = v;
			}
			return;
		}
		isnum = number_of(p, val, &v);
		row_cell(p, K_OTHER, key, n, isnum, v);
		return;
	case K_JOB_ID:
	case K_MESSAGE:
	case K_METRICS:
	case K_IGNORE:
		return;
	default:
		isnum = number_of(p, val, &v);
		row_cell(p, (int)k, key, n, isnum, v);
		return;
	}
}

/* Takes one field KEY (NUL-terminated, length N) = VAL (json-c's) into the
 * row; TOP when the row is a top-level object, where job_id and message may
 * yet turn out to belong to an envelope. */
static void row_field(struct parser *p, const char *key, size_t n, struct json_object *val, bool top)
{
	enum kind k = key_kind_p(p, key, n);
	struct jv v;

	if (k == K_JOB_ID) {
		if (top && (json_object_is_type(val, json_type_string) || json_object_is_type(val, json_type_int) ||
		            json_object_is_type(val, json_type_double))) {
			free(p->pend_id);
			p->pend_id = xstrdup(json_object_get_string(val));
		}
		return;
	}
	if (k == K_MESSAGE) {
		if (top && json_object_is_type(val, json_type_string)) {
			free(p->pend_msg);
			p->pend_msg = xstrdup(json_object_get_string(val));
		}
		return;
	}
	v = jv_of(val);
	row_value(p, k, key, n, &v);
}

/* The run column of cell C, created when CREATE; -1 when there is none. */
static int cell_col(struct parser *p, const struct cell *c, bool create)
{
	if (c->kind == K_OTHER) {
		const char *name = p->names.data + c->name_off;

		return create ? run_col(p->run, name) : run_find(p->run, name);
	}
	if (p->known_col[c->kind] < 0)
		p->known_col[c->kind] =
		    create ? run_col(p->run, known_names[c->kind]) : run_find(p->run, known_names[c->kind]);
	return p->known_col[c->kind];
}

/* The row's timestamp in seconds, or NaN (counted) when it has none that
 * can be used.  A number's unit is read from its magnitude (seconds below
 * 1e11, milliseconds below 1e14, microseconds below 1e17, nanoseconds
 * below 1e20); the first numeric timestamp of a job fixes the job's unit,
 * and a later one of another magnitude is not used. */
static double row_time(struct parser *p, bool *have)
{
	static const double scale[4] = {1, 1e3, 1e6, 1e9};
	struct run *r = p->run;
	double a = fabs(p->ts);
	int unit;

	*have = p->ts_state != TS_NONE;
	switch (p->ts_state) {
	case TS_ISO:
		return p->ts;
	case TS_NUM:
		break;
	case TS_BAD:
		r->bad_timestamps++;
		return NAN;
	default:
		return NAN;
	}
	if (!isfinite(p->ts)) {
		r->nonfinite++;
		return NAN;
	}
	unit = a < 1e11 ? 1 : a < 1e14 ? 2 : a < 1e17 ? 3 : a < 1e20 ? 4 : 0;
	if (unit == 0) {
		r->bad_timestamps++;
		return NAN;
	}
	if (r->time_unit == 0)
		r->time_unit = unit;
	if (unit != r->time_unit) {
		r->mixed_timestamps++;
		return NAN;
	}
	return p->ts / scale[unit - 1];
}

/* Is the accumulated row Hugging Face's final summary (train_loss, the
 * run's mean, or total_flos)? */
static bool row_is_summary(const struct parser *p)
{
	for (size_t i = 0; i < p->ncells; i++) {
		const struct cell *c = &p->cells[i];

		if ((c->kind == K_TRAIN_LOSS && !c->null) ||
		    (c->kind == K_OTHER && strcmp(p->names.data + c->name_off, "total_flos") == 0))
			return true;
	}
	return false;
}

/* Appends the accumulated row to the run, or counts it as skipped when it
 * has no usable step.  Returns 0, or -1 with *cause set. */
static int row_commit(struct parser *p, char **cause)
{
	struct run *r = p->run;
	bool have_train_loss = false;

	if (p->hf && row_is_summary(p)) {
		p->summaries++;
		row_reset(p);
		return 0;
	}
	if (p->step_state != 1) {
		r->skipped_nostep++;
		row_reset(p);
		return 0;
	}
	char *msg = NULL;

	if (run_add_row(r, p->step, &msg) < 0) {
		row_reset(p);
		return fail(p, cause, msg);
	}
	/* Room for the rows to come, from the file's size and the bytes per
	 * row so far (a guess, as read_csv.c's: a wrong one costs only
	 * growing the columns as ever). */
	if (r->nrows == 1024 && r->size_hint > p->off && p->off >= 1024) {
		size_t more = (size_t)((r->size_hint - p->off) / (p->off / 1024));

		run_reserve(r, r->nrows + more + more / 16 + 16);
	}
	for (size_t i = 0; i < p->ncells; i++) {
		const struct cell *c = &p->cells[i];
		int col = cell_col(p, c, !c->null);

		if (c->kind == K_TRAIN_LOSS)
			have_train_loss = !c->null;
		if (col < 0) {
			if (!c->null)
				r->ignored_fields++;
			continue;
		}
		if (!c->null && isnan(c->v))
			r->nonfinite++;
		run_set(r, col, c->v);
	}
	if (p->ts_state != TS_NONE) {
		bool have;
		double t = row_time(p, &have);
		struct cell c = {.kind = K_TIME};
		int col = cell_col(p, &c, !isnan(t));

		if (col < 0 && !isnan(t))
			r->ignored_fields++;
		else if (have)
			run_set(r, col, t);
	}
	if (p->have_loss && !have_train_loss) {
		struct cell c = {.kind = K_TRAIN_LOSS};
		int col = cell_col(p, &c, true);

		if (col < 0)
			r->ignored_fields++;
		else {
			if (isnan(p->loss))
				r->nonfinite++;
			run_set(r, col, p->loss);
		}
	}
	row_reset(p);
	return 0;
}

/* Takes the array element O (a MetricPoint) as a row. */
static int row_from_object(struct parser *p, struct json_object *o, char **cause)
{
	struct json_object_iter it;

	if (!json_object_is_type(o, json_type_object))
		return fail(p, cause, xasprintf("row %zu is not an object", p->rows_seen));
	if (json_object_object_length(o) > PARSE_MAX_FIELDS)
		return fail(p, cause, xasprintf("row %zu has more than %d fields", p->rows_seen, PARSE_MAX_FIELDS));
	row_reset(p);
	json_object_object_foreachC(o, it) row_field(p, it.key, strlen(it.key), it.val, false);
	return row_commit(p, cause);
}

/* ------------------------------------------------------------------
 * The fast path.  Nearly every row is a flat object of numbers, nulls and
 * short plain strings, whole inside the chunk at hand.  fast_row() reads
 * such a row directly into the accumulator; anything else (an escape, a
 * non-ASCII byte, a nested value, NaN/Infinity, a big integer, a repeated
 * key, a row cut by the chunk's end, a syntax error ...) makes it give up
 * having consumed nothing, and json-c reads the row as before.  The two
 * give the same rows, counters and errors on every input: a differential
 * check in the parser's unit test and fuzz target (parser_set_fast). */

#if PARSE_MAX_DEPTH >= 3 /* json-c needs 3 levels for a flat row */
#define FAST_PATH 1
#else
#define FAST_PATH 0
#endif

/* The first byte at or after S (before END) that is not JSON whitespace. */
static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
		s++;
	return s;
}

/* The closing quote of the plain string whose bytes begin at S, or NULL
 * when it has an escape, a control or non-ASCII byte, or no end before
 * END. */
static const char *plain_string(const char *s, const char *end)
{
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"')
			return s;
		if (c < 0x20 || c == '\\' || c >= 0x80)
			return NULL;
	}
	return NULL;
}

/* True for the bytes that may follow a value inside an object. */
static bool ends_value(char c)
{
	return c == ',' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Reads the JSON number at S (before END) into *V, as json-c would: an
 * integer as a 64-bit integer, anything with a fraction or exponent with
 * strtod in the C locale.  Returns the byte after it, or NULL when the
 * fast path does not take it (bad syntax, an integer of 19 or more
 * digits, no byte after it). */
static const char *fast_number(struct parser *p, const char *s, const char *end, double *v)
{
	const char *start = s;
	bool neg = false, isint = true;
	uint64_t w = 0; /* the first 19 significant-or-not digits */
	int nd = 0, frac = 0, e = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (s >= end || *s < '0' || *s > '9')
		return NULL;
	if (*s == '0') {
		s++;
		if (s < end && *s >= '0' && *s <= '9')
			return NULL; /* a leading zero: json-c's error */
	} else {
		for (; s < end && *s >= '0' && *s <= '9'; s++, nd++)
			if (nd < 19)
				w = w * 10 + (uint64_t)(*s - '0');
	}
	if (s < end && *s == '.') {
		const char *f = ++s;

		isint = false;
		for (; s < end && *s >= '0' && *s <= '9'; s++, nd++, frac++)
			if (nd < 19)
				w = w * 10 + (uint64_t)(*s - '0');
		if (s == f)
			return NULL;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		bool eneg = false;
		const char *f;

		isint = false;
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		for (f = s; s < end && *s >= '0' && *s <= '9'; s++)
			if (e < 100000)
				e = e * 10 + (*s - '0');
		if (s == f)
			return NULL;
		if (eneg)
			e = -e;
	}
	if (s >= end || !ends_value(*s))
		return NULL;
	if (isint) {
		if (nd > 18)
			return NULL; /* json-c's 64-bit saturation rules */
		*v = neg ? (double)-(int64_t)w : (double)w; /* -0 is 0 */
		return s;
	}
	e -= frac;
	double d;

	if (nd <= 19 && decimal_to_double(w, e, &d)) {
		/* What strtod gives (decimal.h: Clinger's fast path, or one
		 * long double operation away from a midpoint). */
		*v = neg ? -d : d;
		return s;
	}
	/* The number ends before a byte that cannot extend it. */
	return c_strtod(p, start, v) ? s : NULL;
}

/* Reads the value at *Q (before END) into *V and moves *Q past it.
 * Returns false when the fast path does not take it. */
static bool fast_value(struct parser *p, const char **q, const char *end, struct jv *v)
{
	const char *s = *q, *e;

	memset(v, 0, sizeof *v);
	switch (*s) {
	case '"':
		if ((e = plain_string(s + 1, end)) == NULL)
			return false;
		v->type = JV_STR;
		v->s = s + 1;
		v->n = (size_t)(e - s - 1);
		*q = e + 1;
		return true;
	case 'n':
	case 't':
	case 'f': {
		const char *lit = *s == 'n' ? "null" : *s == 't' ? "true" : "false";
		size_t n = strlen(lit);

		if ((size_t)(end - s) <= n || memcmp(s, lit, n) != 0 || !ends_value(s[n]))
			return false;
		v->type = *s == 'n' ? JV_NULL : JV_OTHER;
		*q = s + n;
		return true;
	}
	default:
		if ((e = fast_number(p, s, end, &v->d)) == NULL)
			return false;
		v->type = JV_NUM;
		*q = e;
		return true;
	}
}

/* Reads the flat object at S[0..N) (S[0] is '{') into the accumulator.
 * TOP when it is a top-level object (JSON Lines), which must not be an
 * envelope or an error answer.  Returns the bytes it spans, or 0 when
 * json-c must read it (the accumulator is then reset). */
static size_t fast_row(struct parser *p, const char *s, size_t n, bool top)
{
	size_t limit = top ? TRIAL_MAX : PARSE_MAX_VALUE;
	const char *end = s + (n < limit ? n : limit), *q;
	uint32_t seen = 0; /* kinds met (a repeated key goes to json-c) */
	size_t fields = 0, others = 0, other_len[16];
	const char *other_key[16]; /* the K_OTHER keys so far, in the input */

	row_reset(p);
	q = skip_ws(s + 1, end);
	if (q < end && *q == '}')
		return (size_t)(q + 1 - s);
	for (;;) {
		const char *key, *ke;
		enum kind k;
		struct jv v;

		if (q >= end || *q != '"' || (ke = plain_string(q + 1, end)) == NULL)
			break;
		key = q + 1;
		k = key_kind_p(p, key, (size_t)(ke - key));
		if (++fields > PARSE_MAX_FIELDS)
			break;
		if (k == K_OTHER) {
			size_t kn = (size_t)(ke - key), i;

			if (others == sizeof other_key / sizeof other_key[0] ||
			    (top && kn == 5 && memcmp(key, "error", 5) == 0))
				break;
			for (i = 0; i < others; i++)
				if (other_len[i] == kn && memcmp(other_key[i], key, kn) == 0)
					break;
			if (i < others)
				break;
			other_key[others] = key;
			other_len[others++] = kn;
		} else if (top && k == K_METRICS) {
			break;
		} else if (k != K_IGNORE && k != K_JOB_ID && k != K_MESSAGE && k != K_METRICS) {
			/* (Repeats of the fields a row ignores change nothing:
			 * every platform row has several K_IGNORE ones.) */
			if ((seen & (UINT32_C(1) << k)) != 0)
				break;
			seen |= UINT32_C(1) << k;
		}
		q = skip_ws(ke + 1, end);
		if (q >= end || *q != ':')
			break;
		q = skip_ws(q + 1, end);
		if (q >= end || !fast_value(p, &q, end, &v))
			break;
		row_value(p, k, key, (size_t)(ke - key), &v);
		q = skip_ws(q, end);
		if (q < end && *q == '}')
			return (size_t)(q + 1 - s);
		if (q >= end || *q != ',')
			break;
		q = skip_ws(q + 1, end);
	}
	row_reset(p);
	return 0;
}

static void note_keys(struct parser *p, struct json_object *o);

/* The JSON value in S[0..N), or NULL. */
static struct json_object *parse_span(const char *s, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		oom();
	struct json_object *o = n <= INT_MAX ? json_tokener_parse_ex(tok, s, (int)n) : NULL;
	json_tokener_free(tok);
	return o;
}

/* At the '{' at BUF[*POS] that starts a row (TOP: a top-level object):
 * reads it on the fast path when it can.  Returns 1 when it did (the row
 * is committed and *POS is past it), 0 when json-c must, -1 on error. */
static int fast_take(struct parser *p, const char *buf, size_t len, size_t *pos, bool top, char **cause)
{
	size_t used;

	if (!FAST_PATH || p->slow || (top && p->no_trial))
		return 0;
	used = fast_row(p, buf + *pos, len - *pos, top);
	if (used == 0)
		return 0;
	p->rows_seen++;
	p->fast_rows++;
	if (top)
		p->envelope = false;
	if (top && p->rows_seen == 1 && p->step_state == 0 && !p->nokeys) {
		/* The first object has no step: keep its keys in case it is
		 * the only one (parser_finish).  Once per input, so json-c. */
		struct json_object *o = parse_span(buf + *pos, used);
		if (o && json_object_is_type(o, json_type_object))
			note_keys(p, o);
		json_object_put(o);
	}
	advance(p, buf + *pos, used);
	*pos += used;
	if (top)
		p->end_line = p->line;
	if (row_commit(p, cause) < 0)
		return -1;
	p->state = top ? P_LINES : P_ARR_NEXT;
	return 1;
}

/* True for the bytes a JSON number is made of. */
static bool number_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Feeds json-c from BUF[*POS..LEN), at most up to the size limit.  Returns
 * 1 when the value is complete (*VAL is ours; NULL for JSON null), 0 when
 * every byte was taken and more are needed, 2 when a T_TOP trial reached
 * the limit, -1 on error.
 *
 * Unless FINAL, bytes of a number at the end of BUF are not given to
 * json-c but held back in p->carry: json-c does not keep its whole number
 * state across calls (after "12" it takes a "-" that starts the next call),
 * so a number cut by a chunk boundary could parse differently from the
 * same number in one piece.  carry_feed() passes them on with what follows. */
static int tok_feed(struct parser *p, const char *buf, size_t len, size_t *pos, size_t *nulpos, bool final,
                    struct json_object **val, char **cause)
{
	const char *s = buf + *pos;
	size_t n = len - *pos, hold = 0;
	size_t room = p->off < p->lim_off ? (size_t)(p->lim_off - p->off) : 0;
	bool capped = false, nul = false;

	if (n > room) {
		n = room;
		capped = true;
	}
	/* json-c takes a NUL byte for the end of its input.  *NULPOS is the
	 * first NUL at or after *POS (LEN when none), found once per chunk
	 * rather than once per value. */
	if (*nulpos < *pos) {
		const char *z = memchr(s, '\0', len - *pos);

		*nulpos = z != NULL ? (size_t)(z - buf) : len;
	}
	if (*nulpos - *pos < n) {
		n = *nulpos - *pos;
		nul = true;
	}
	if (!capped && !nul && !final)
		while (hold < n && number_byte((unsigned char)s[n - 1 - hold]))
			hold++;
	n -= hold;
	if (n > 0) {
		struct json_object *o = json_tokener_parse_ex(p->tok, s, (int)n);
		enum json_tokener_error e = json_tokener_get_error(p->tok);
		size_t used = e == json_tokener_continue ? n : json_tokener_get_parse_end(p->tok);

		if (p->tok_for == T_TOP)
			buf_append(&p->replay, s, used);
		advance(p, s, used);
		*pos += used;
		if (e != json_tokener_continue)
			json_tokener_reset(p->tok);
		if (e == json_tokener_success) {
			*val = o;
			return 1;
		}
		if (e == json_tokener_error_depth)
			return fail(p, cause,
			            xasprintf("JSON nested deeper than %d levels at line %zu, column %zu",
			                      PARSE_MAX_DEPTH, p->line, p->col));
		if (e != json_tokener_continue)
			return fail_json(p, cause, json_tokener_error_desc(e));
	}
	if (hold > 0) {
		buf_append(&p->carry, s + n, hold);
		*pos += hold;
		return 0;
	}
	if (nul)
		return fail_json(p, cause, "unexpected NUL byte");
	if (capped)
		return p->tok_for == T_TOP ? 2 : fail_size(p, cause);
	return 0;
}

/* Starts the size limit of a row or value here. */
static void limit_here(struct parser *p)
{
	p->lim_off = p->off + PARSE_MAX_VALUE;
	p->lim_line = p->line;
	p->lim_col = p->col;
}

/* Hands the value starting at the current byte to json-c. */
static void tok_begin(struct parser *p, enum tokfor what)
{
	/* Inside a top-level object that may still be a row, keys and values
	 * share the object's limit. */
	if (what == T_ROW || p->envelope)
		limit_here(p);
	p->tok_for = what;
	p->state = P_TOKENER;
}

/* The open top-level object has "metrics": it is an envelope, not a row. */
static void become_envelope(struct parser *p)
{
	if (p->envelope)
		return;
	p->envelope = true;
	p->rows_seen--;
	row_reset(p);
	if (p->pend_id != NULL) {
		free(p->run->id);
		p->run->id = p->pend_id;
		p->pend_id = NULL;
	}
	if (p->pend_msg != NULL) {
		free(p->run->message);
		p->run->message = p->pend_msg;
		p->pend_msg = NULL;
	}
}

/* A field KEY = VAL of an envelope: job_id and message are kept. */
static void envelope_field(struct parser *p, const char *key, struct json_object *val)
{
	enum kind k = key_kind_p(p, key, strlen(key));

	if (k == K_JOB_ID && (json_object_is_type(val, json_type_string) || json_object_is_type(val, json_type_int) ||
	                      json_object_is_type(val, json_type_double))) {
		free(p->run->id);
		p->run->id = xstrdup(json_object_get_string(val));
	} else if (k == K_MESSAGE && json_object_is_type(val, json_type_string)) {
		free(p->run->message);
		p->run->message = xstrdup(json_object_get_string(val));
	}
}

static int top_object(struct parser *p, struct json_object *o, char **cause);

/* json-c finished the value VAL (ours); moves the skeleton on. */
static int value_done(struct parser *p, struct json_object *val, char **cause)
{
	int ret = 0;

	switch (p->tok_for) {
	case T_ROW:
		ret = row_from_object(p, val, cause);
		json_object_put(val);
		if (ret == 0)
			p->state = P_ARR_NEXT;
		return ret;
	case T_KEY:
		p->key = val;
		p->state = P_OBJ_COLON;
		if (!p->envelope && ++p->obj_fields > PARSE_MAX_FIELDS)
			return fail(p, cause,
			            xasprintf("row %zu has more than %d fields", p->rows_seen, PARSE_MAX_FIELDS));
		return 0;
	case T_TOP:
		ret = top_object(p, val, cause);
		json_object_put(val);
		/* json-c may have taken white space after the '}'. */
		p->end_line = p->line;
		for (size_t i = p->replay.len; i > 0 && p->replay.data[i - 1] != '}'; i--)
			p->end_line -= p->replay.data[i - 1] == '\n';
		if (ret == 0)
			p->state = P_LINES;
		return ret;
	case T_VALUE:
	default: {
		const char *key = json_object_get_string(p->key);

		if (p->metrics_value) {
			p->metrics_value = false;
			if (val != NULL)
				ret = fail(p, cause, xstrdup("\"metrics\" is not an array"));
			else
				become_envelope(p);
		} else if (p->envelope) {
			envelope_field(p, key, val);
		} else {
			row_field(p, key, strlen(key), val, true);
		}
		json_object_put(val);
		json_object_put(p->key);
		p->key = NULL;
		if (ret == 0)
			p->state = P_OBJ_NEXT;
		return ret;
	}
	}
}

/* A top-level '{' at byte POS of the chunk: a row or an envelope.
 *
 * Reading an object key by key costs a json-c call per key and per value,
 * and each call sets up a locale: JSON Lines would parse at half the speed
 * of an array.  So the whole object is first tried as one json-c value (a
 * row or a small envelope); only when it outgrows TRIAL_MAX (a big
 * envelope, or a huge row) are its bytes replayed through the skeleton
 * (parser_feed), which then applies PARSE_MAX_VALUE to a row. */
static void obj_begin(struct parser *p, unsigned char c)
{
	p->rows_seen++;
	row_reset(p);
	p->envelope = false;
	limit_here(p);
	if (!p->no_trial) {
		p->lim_off = p->off + TRIAL_MAX;
		p->trial_prev = p->state;
		p->replay.len = 0;
		p->tok_for = T_TOP;
		p->state = P_TOKENER;
		return;
	}
	p->no_trial = false;
	advance1(p, c);
	p->state = P_OBJ_FIRST;
}

#define NOKEYS_SHOWN 8 /* keys named in the "neither" error */

/* Records O's first keys in p->nokeys ("a, b, c" or "a, b, ... (N
 * keys)"), each sanitized and cut to 40 characters; nothing for {} or
 * an object with a key for the step (whatever its value). */
static void note_keys(struct parser *p, struct json_object *o)
{
	struct buf b = { 0 };
	size_t n = 0;
	json_object_object_foreach(o, k, v) {
		(void)v;
		if (key_kind_p(p, k, strlen(k)) == K_STEP)
			return;
	}
	buf_puts(&b, "");
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (n++ < NOKEYS_SHOWN) {
			char *clean = text_sanitize(key, strlen(key), 40, "\"\"");
			buf_printf(&b, "%s%s", n > 1 ? ", " : "", clean);
			free(clean);
		}
	}
	if (n > NOKEYS_SHOWN)
		buf_printf(&b, ", ... (%zu keys)", n);
	if (n == 0) { /* {}: nothing to name; "no metrics" says it */
		buf_free(&b);
		return;
	}
	p->nokeys = b.data;
}

/* A whole top-level object O from a trial: an envelope when it has
 * "metrics", else a row (always, for a W&B history: its keys are metrics,
 * whatever their names). */
static int top_object(struct parser *p, struct json_object *o, char **cause)
{
	struct json_object *m = NULL, *v;

	if (p->wandb ||
	    (!json_object_object_get_ex(o, "metrics", &m) && !json_object_object_get_ex(o, "log_history", &m))) {
		/* A saved error answer ({"error": "..."}) is not a row without a
		 * step: say what the server said. */
		if (!p->wandb && !json_object_object_get_ex(o, "step", &v) &&
		    json_object_object_get_ex(o, "error", &v) && json_object_is_type(v, json_type_string)) {
			const char *e = json_object_get_string(v);
			char *clean = text_sanitize(e, (size_t)json_object_get_string_len(v), 200, "");
			int rc = fail(p, cause, xasprintf("an error answer, not metrics: %s", clean));
			free(clean);
			return rc;
		}
		/* Perhaps no run at all: parser_finish says so if it was the
		 * only value. */
		if (p->rows_seen == 1 && !p->nokeys)
			note_keys(p, o);
		return row_from_object(p, o, cause);
	}
	p->rows_seen--;
	if (json_object_object_get_ex(o, "job_id", &v))
		envelope_field(p, "job_id", v);
	if (json_object_object_get_ex(o, "message", &v))
		envelope_field(p, "message", v);
	if (m == NULL)
		return 0;
	if (!json_object_is_type(m, json_type_array))
		return fail(p, cause, xstrdup("\"metrics\" is not an array"));
	for (size_t i = 0, n = json_object_array_length(m); i < n; i++) {
		p->rows_seen++;
		if (row_from_object(p, json_object_array_get_idx(m, i), cause) < 0)
			return -1;
	}
	return 0;
}

/* A trial (obj_begin) hit the size limit: replays the object so far
 * through the skeleton, key by key. */
static int trial_replay(struct parser *p, char **cause)
{
	struct buf rp = p->replay;
	int ret;

	memset(&p->replay, 0, sizeof p->replay);
	json_tokener_reset(p->tok);
	p->off = p->lim_off - TRIAL_MAX;
	p->line = p->lim_line;
	p->col = p->lim_col;
	p->state = p->trial_prev;
	p->rows_seen--;
	p->no_trial = true;
	ret = parser_feed(p, rp.data, rp.len, cause);
	rp.len = 0;
	p->replay = rp;
	return ret;
}

/* The top-level object closes: commit it when it was a row. */
static int obj_end(struct parser *p, unsigned char c, char **cause)
{
	int ret = 0;

	advance1(p, c);
	if (!p->envelope)
		ret = row_commit(p, cause);
	free(p->pend_id);
	free(p->pend_msg);
	p->pend_id = p->pend_msg = NULL;
	p->envelope = false;
	p->end_line = p->line;
	if (ret == 0)
		p->state = P_LINES;
	return ret;
}

/* The element starting with C in an array of rows. */
static int arr_elem(struct parser *p, unsigned char c, char **cause)
{
	if (c == '{') {
		p->rows_seen++;
		tok_begin(p, T_ROW);
		return 0;
	}
	if (starts_value(c)) {
		p->rows_seen++;
		return fail(p, cause, xasprintf("row %zu is not an object", p->rows_seen));
	}
	return fail_char(p, cause, c, "unexpected character");
}

/* Feeds p->carry followed by MORE[0..K) to json-c (all of MORE is taken:
 * what json-c leaves goes through parser_feed); FINAL at the end of input.
 * Returns 0 or -1. */
static int carry_feed(struct parser *p, const char *more, size_t k, bool final, char **cause)
{
	struct buf j = p->joined;
	size_t c = p->carry.len, used = 0, nulpos = 0;
	struct json_object *val = NULL;
	int r, ret = 0;

	memset(&p->joined, 0, sizeof p->joined);
	j.len = 0;
	buf_append(&j, p->carry.data, c);
	buf_append(&j, more, k);
	p->carry.len = 0;
	if (j.len > 0) {
		const char *z = memchr(j.data, '\0', j.len);

		nulpos = z != NULL ? (size_t)(z - j.data) : j.len;
	}
	r = tok_feed(p, j.data, j.len, &used, &nulpos, final, &val, cause);
	if (r < 0 || (r == 1 && value_done(p, val, cause) < 0) || (r == 2 && trial_replay(p, cause) < 0))
		ret = -1;
	else if (used < j.len)
		ret = parser_feed(p, j.data + used, j.len - used, cause);
	j.len = 0;
	if (p->joined.data == NULL)
		p->joined = j;
	else
		buf_free(&j);
	return ret;
}

/* True in the states between the bytes of a top-level object. */
static bool in_object(enum pstate s)
{
	return s == P_OBJ_FIRST || s == P_OBJ_KEY || s == P_OBJ_COLON || s == P_OBJ_VALUE || s == P_OBJ_NEXT;
}

/* Skips bytes of the P_SKIP value from BUF[*POS..LEN): strings, brackets
 * matched, nesting limited as json-c's is; nothing is kept, so its size is
 * not limited.  At its end the field is taken as a value no column uses
 * (as json-c's object would be) and the skipped bytes do not count towards
 * the object's size limit.  Returns 0 or -1. */
static int skip_feed(struct parser *p, const char *buf, size_t len, size_t *pos, char **cause)
{
	const char *s = buf + *pos;
	size_t n = len - *pos, i;
	bool done = false;

	for (i = 0; i < n && !done; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0') {
			advance(p, s, i);
			*pos += i;
			return fail_json(p, cause, "unexpected NUL byte");
		}
		if (p->skip_str) {
			if (p->skip_esc)
				p->skip_esc = false;
			else if (c == '\\')
				p->skip_esc = true;
			else if (c == '"')
				p->skip_str = false;
		} else if (c == '"') {
			p->skip_str = true;
		} else if (c == '{' || c == '[') {
			/* the top-level object is one level, as json-c counts */
			if (p->skip_depth + 1 >= PARSE_MAX_DEPTH) {
				advance(p, s, i);
				*pos += i;
				return fail(p, cause,
				            xasprintf("JSON nested deeper than %d levels at line %zu, column %zu",
				                      PARSE_MAX_DEPTH, p->line, p->col));
			}
			if (c == '[')
				p->skip_arrays |= UINT64_C(1) << p->skip_depth;
			else
				p->skip_arrays &= ~(UINT64_C(1) << p->skip_depth);
			p->skip_depth++;
		} else if (c == '}' || c == ']') {
			bool arr = (p->skip_arrays >> (p->skip_depth - 1)) & 1;

			if (arr != (c == ']')) {
				advance(p, s, i);
				*pos += i;
				return fail_char(p, cause, c, "unexpected character");
			}
			done = --p->skip_depth == 0;
		}
	}
	advance(p, s, i);
	*pos += i;
	if (!done)
		return 0;
	const char *key = json_object_get_string(p->key);
	size_t kn = strlen(key);
	enum kind k = key_kind_p(p, key, kn);

	if (!p->envelope) {
		struct jv v = {.type = JV_OTHER};

		p->lim_off += p->off - p->skip_start;
		if (k != K_JOB_ID && k != K_MESSAGE)
			row_value(p, k, key, kn, &v);
	}
	json_object_put(p->key);
	p->key = NULL;
	p->state = P_OBJ_NEXT;
	return 0;
}

/* Pushes bytes through the skeleton; values go to json-c. */
int parser_feed(struct parser *p, const void *data, size_t len, char **cause)
{
	static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
	const char *buf = data;
	size_t pos = 0, nulpos = 0;

	if (p->state == P_ERROR) {
		*cause = xstrdup(p->err);
		return -1;
	}
	if (len > 0) {
		const char *z = memchr(buf, '\0', len);

		nulpos = z != NULL ? (size_t)(z - buf) : len;
	}
	while (pos < len) {
		if (p->state == P_TOKENER && p->carry.len > 0) {
			/* Held-back number bytes go first, with the rest of the
			 * number and the byte after it. */
			size_t k = 0;

			while (pos + k < len && number_byte((unsigned char)buf[pos + k]))
				k++;
			if (pos + k < len)
				k++;
			if (carry_feed(p, buf + pos, k, false, cause) < 0)
				return -1;
			pos += k;
			continue;
		}
		if (p->state == P_TOKENER) {
			struct json_object *val = NULL;
			int r = tok_feed(p, buf, len, &pos, &nulpos, false, &val, cause);

			if (r < 0 || (r == 1 && value_done(p, val, cause) < 0) ||
			    (r == 2 && trial_replay(p, cause) < 0))
				return -1;
			continue;
		}
		if (p->state == P_SKIP) {
			if (skip_feed(p, buf, len, &pos, cause) < 0)
				return -1;
			continue;
		}

		unsigned char c = (unsigned char)buf[pos];

		if (p->bom < 3) {
			/* A UTF-8 BOM may open the input; it takes no column. */
			if ((uint64_t)p->bom == p->off && c == bom[p->bom]) {
				p->bom++;
				p->off++;
				pos++;
				continue;
			}
			if (p->bom > 0)
				return fail_char(p, cause, c, "unexpected character");
			p->bom = 3;
		}
		if (in_object(p->state) && !p->envelope && p->off >= p->lim_off)
			return fail_size(p, cause);
		if (is_ws(c)) {
			advance1(p, c);
			pos++;
			continue;
		}
		int ret = 0;

		if (c == '{' && (p->state == P_ARR_FIRST || p->state == P_ARR_ELEM || p->state == P_START ||
		                 p->state == P_LINES)) {
			ret = fast_take(p, buf, len, &pos, p->state == P_START || p->state == P_LINES, cause);
			if (ret < 0)
				return -1;
			if (ret > 0)
				continue;
		}
		switch (p->state) {
		case P_START:
			if (c == '[') {
				advance1(p, c);
				p->in_metrics = false;
				p->state = P_ARR_FIRST;
			} else if (c == '{') {
				obj_begin(p, c);
			} else if (starts_value(c)) {
				ret = fail(p, cause, xstrdup("top-level JSON value is not an object or array"));
			} else {
				ret = fail_char(p, cause, c, "unexpected character");
			}
			break;
		case P_LINES:
			if (c == '{') {
				obj_begin(p, c);
			} else if (starts_value(c)) {
				p->rows_seen++;
				ret = fail(p, cause, xasprintf("row %zu is not an object", p->rows_seen));
			} else {
				ret = fail_char(p, cause, c, "unexpected character");
			}
			break;
		case P_TOP_END:
			ret = fail_char(p, cause, c, "unexpected data after the top-level array");
			break;
		case P_ARR_FIRST:
		case P_ARR_NEXT:
			if (c == ']') {
				advance1(p, c);
				p->state = p->in_metrics ? P_OBJ_NEXT : P_TOP_END;
				p->in_metrics = false;
			} else if (p->state == P_ARR_FIRST) {
				ret = arr_elem(p, c, cause);
			} else if (c == ',') {
				advance1(p, c);
				p->state = P_ARR_ELEM;
			} else {
				ret = fail_char(p, cause, c, "array value separator ',' expected");
			}
			break;
		case P_ARR_ELEM:
			ret = arr_elem(p, c, cause);
			break;
		case P_OBJ_FIRST:
		case P_OBJ_KEY:
			if (c == '"')
				tok_begin(p, T_KEY);
			else if (c == '}' && p->state == P_OBJ_FIRST)
				ret = obj_end(p, c, cause);
			else
				ret = fail_char(p, cause, c, "quoted object property name expected");
			break;
		case P_OBJ_COLON:
			if (c == ':') {
				advance1(p, c);
				p->state = P_OBJ_VALUE;
			} else {
				ret = fail_char(p, cause, c, "object property name separator ':' expected");
			}
			break;
		case P_OBJ_VALUE: {
			const char *key = json_object_get_string(p->key);

			/* (A W&B history row's keys are its metrics, whatever
			 * their names: none is an envelope.) */
			if (!p->wandb && key_kind(key, strlen(key)) == K_METRICS) {
				if (c == '[') {
					json_object_put(p->key);
					p->key = NULL;
					become_envelope(p);
					advance1(p, c);
					p->in_metrics = true;
					p->state = P_ARR_FIRST;
					break;
				}
				p->metrics_value = true;
			} else if (c == '{' || c == '[') {
				p->skip_start = p->off;
				p->skip_arrays = c == '[';
				p->skip_depth = 1;
				p->skip_str = p->skip_esc = false;
				advance1(p, c);
				p->state = P_SKIP;
				break;
			}
			tok_begin(p, T_VALUE);
			break;
		}
		case P_OBJ_NEXT:
			if (c == ',') {
				advance1(p, c);
				p->state = P_OBJ_KEY;
			} else if (c == '}') {
				ret = obj_end(p, c, cause);
			} else {
				ret = fail_char(p, cause, c, "object value separator ',' expected");
			}
			break;
		case P_TOKENER:
		case P_ERROR:
		default:
			break;
		}
		if (ret < 0)
			return -1;
		if (p->state != P_TOKENER)
			pos++;
	}
	return 0;
}

/* Is the input cut inside a top-level row of JSON Lines that began on a
 * line of its own after a complete top-level object, with no line end
 * since?  That is a trainer's half-written last line: it is left unread
 * (parse.h).  A document cut on its first line (a one-line envelope looks
 * the same) stays an error. */
static bool partial_line(const struct parser *p)
{
	bool row;

	if (p->state == P_TOKENER)
		row = p->tok_for == T_TOP || ((p->tok_for == T_KEY || p->tok_for == T_VALUE) && !p->envelope);
	else
		row = in_object(p->state) && !p->envelope;
	return row && p->trial_prev == P_LINES && p->lim_line == p->line && p->lim_line > p->end_line;
}

/* End of input: only complete values may have been read, but for a
 * partial last line of JSON Lines. */
int parser_finish(struct parser *p, char **cause)
{
	if (partial_line(p)) {
		p->run->partial_lines++;
		json_tokener_reset(p->tok);
		p->carry.len = 0;
		p->replay.len = 0;
		p->envelope = false;
		p->state = P_LINES;
		return 0;
	}
	if (p->state == P_TOKENER && p->carry.len > 0 && carry_feed(p, NULL, 0, true, cause) < 0)
		return -1;
	switch (p->state) {
	case P_ERROR:
		*cause = xstrdup(p->err);
		return -1;
	case P_TOP_END:
		return 0;
	case P_LINES:
		/* One object, no run in it (a config file, a results dict). */
		if (p->nokeys && p->rows_seen == 1 && p->run->nrows == 0)
			return fail(p, cause, xasprintf("a JSON object with neither \"metrics\" nor "
							"\"log_history\" (its keys: %s)", p->nokeys));
		return 0;
	default:
		break;
	}
	/* Only whitespace (after a BOM): empty.  Part of a BOM: truncated. */
	if (p->state == P_START && (p->bom == 3 || p->off == 0))
		return fail(p, cause, xstrdup("empty input"));
	return fail(p, cause,
	            xasprintf("unexpected end of input (truncated JSON?) at line %zu, column %zu", p->line, p->col));
}

/* The json format of reader.h (the fallback, so it sniffs nothing): a
 * parser appending to RUN. */
void *parse_reader_open(struct run *run)
{
	return parser_new(run);
}

int parse_reader_feed(void *state, const void *buf, size_t len, char **cause)
{
	return parser_feed(state, buf, len, cause);
}

int parse_reader_finish(void *state, char **cause)
{
	return parser_finish(state, cause);
}

void parse_reader_close(void *state)
{
	parser_free(state);
}

const struct reader_format parse_json_format = {
	.name = "json",
	.open = parse_reader_open,
	.feed = parse_reader_feed,
	.finish = parse_reader_finish,
	.close = parse_reader_close,
};

/* Reads exactly N digits at *S into *V and moves *S past them. */
static bool digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return true;
}

/* Days from 1970-01-01 to Y-M-D in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)FRACTION]][Z|z|(+|-)HH[[:]MM]]]. */
int parse_timestamp(const char *s, double *out)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	double frac = 0;
	int sign = 0;

	if (s == NULL || !digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || h > 23 || mi > 59)
			return -1;
		if (*s == ':') {
			s++;
			if (!digits(&s, 2, &sec) || sec > 60) /* 60: a leap second */
				return -1;
			if (*s == '.' || *s == ',') {
				double scale = 0.1;

				s++;
				if (*s < '0' || *s > '9')
					return -1;
				for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
					frac += (*s - '0') * scale;
			}
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (!digits(&s, 2, &oh) || oh > 23)
				return -1;
			bool colon = *s == ':';

			s += colon;
			if ((colon || *s != '\0') && (!digits(&s, 2, &om) || om > 59))
				return -1;
		}
	}
	if (*s != '\0')
		return -1;
	*out = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac -
	       sign * (oh * 3600.0 + om * 60.0);
	return 0;
}
