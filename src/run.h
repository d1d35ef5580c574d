/* run.h: one training job's metric history as named columns of doubles.
 *
 * Rows are appended while parsing (in log order); run_finish() then sorts by
 * step and resolves repeated steps.  Column 0 is always "step".  NaN in a
 * cell means "not logged at this step".
 *
 * Repeated and backwards steps (restarts): rows are sorted by step with a
 * stable sort, so rows of one step stay in log order; rows with the same step
 * are merged field by field, a later logged value replacing an earlier one.
 * A job resumed from a checkpoint therefore shows what it logged last for
 * each step.  run_finish() counts how often the step went backwards. */
#ifndef TRCOMPARE_RUN_H
#define TRCOMPARE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#define RUN_MAX_ROWS 1000000 /* rows per job (the API caps at 100 000) */
#define RUN_MAX_COLS 64      /* distinct metric columns per job, besides step */

/* Canonical column names.  "loss" in input is read as train_loss;
 * "timestamp" (ISO-8601) is stored as "time" in seconds since the epoch. */
#define COL_STEP "step"
#define COL_EPOCH "epoch"
#define COL_TIME "time"
#define COL_TRAIN_LOSS "train_loss"
#define COL_EVAL_LOSS "eval_loss"
#define COL_PPL "perplexity"             /* eval perplexity */
#define COL_TRAIN_PPL "train_perplexity"
#define COL_LR "learning_rate"
#define COL_GRAD_NORM "grad_norm"
#define COL_TOKENS_PS "tokens_per_second"
#define COL_SAMPLES_PS "samples_per_second"
#define COL_GPU_UTIL "gpu_utilization_percent"
#define COL_GPU_MEM "gpu_memory_allocated_gb"
#define COL_GPU_MEM_RES "gpu_memory_reserved_gb"

/* Values beyond +-RUN_HUGE are not drawn (view.h's VIEW_MAX_ABS). */
#define RUN_HUGE 1e300

/* What a pass over one column of a finished run finds, kept so the chart
 * need not make that pass (view.c): cells that are NaN or infinite, finite
 * beyond +-RUN_HUGE, and finite within it but <= 0 (left out on a log
 * axis). */
struct run_colstat {
	size_t nonfinite, huge, nonpos;
};

struct run {
	char *arg;   /* the JOB argument as written (messages); owned */
	char *id;    /* job_id from the body, or NULL; owned, untrusted */
	char *message; /* the body's "message" (e.g. "No metrics available
	                  yet"), or NULL; owned, untrusted */
	char *name;  /* the label the source suggests: the run's name as its
	                tracker keeps it (MLflow's run_name, W&B's display
	                name), or the directory name of a run read from a
	                directory or from a file of a format with a fixed name
	                (trainer_state.json); or NULL; owned, untrusted.  The
	                default label prefers LABEL= and a model name to it,
	                and it to the path. */

	/* The run's parameters (hyperparameters, config) where the source
	 * keeps them (MLflow params, W&B config, the platform job's config),
	 * in the order added; keys and values owned, untrusted. */
	char **param_keys, **param_values;
	size_t nparams;
	/* Their hash index (run.c): param_slots[param_nslots] hold a key's
	 * index + 1, 0 when empty; NULL when not built (yet). */
	size_t *param_slots;
	size_t param_nslots;

	size_t nrows, cap;
	size_t size_hint;           /* bytes of the input being read when
	                               known (reader_read_fd: a regular
	                               file's size), else 0: a reader may
	                               reserve rows from it (run_reserve) */
	size_t ncols;
	char *names[RUN_MAX_COLS + 1];  /* owned column names; names[0] = "step" */
	double *cols[RUN_MAX_COLS + 1]; /* cols[c][r], each of capacity cap */
	size_t borrowed;            /* names and cols [0, borrowed) belong to
	                               the run this one overlays (run_overlay) */
	char *arena;                /* one block holding the columns run_reserve
	                               placed (cols[c] pointing into it are not
	                               freed or resized in place), NULL none;
	                               given back once they all moved out;
	                               never shared: a copy of the struct must
	                               clear it */
	size_t arena_size, arena_used; /* its bytes, and those given out */

	/* Counters the top level turns into warnings. */
	size_t skipped_nostep;  /* rows without a usable step */
	size_t nonfinite;       /* values that were not finite numbers */
	size_t ignored_fields;  /* numeric fields dropped: RUN_MAX_COLS reached */
	size_t dup_steps;       /* rows merged into an earlier row (same step) */
	size_t backwards;       /* times the logged step went backwards */
	size_t bad_timestamps;  /* timestamps neither ISO-8601 nor a number of
	                           seconds, ms, µs or ns below 1e20 */
	size_t mixed_timestamps; /* numeric timestamps in another unit than
	                            the job's first (time_unit) */
	int time_unit;          /* of numeric timestamps: 0 none yet, 1 s,
	                           2 ms, 3 µs, 4 ns (by magnitude) */
	size_t bad_records;     /* binary records skipped: bad checksum or
	                           unreadable contents (read_tfevents.c) */
	size_t truncated;       /* files ending mid-record (still written?) */
	bool finished;          /* run_finish() was called */
	size_t nlogged;         /* columns 0 .. nlogged-1 came from the input
	                           (set by run_finish; later ones are derived
	                           by the caller, e.g. smoothed series) */
	size_t drops;           /* times run_drop_from dropped rows (watch.c:
	                           rows read before may have changed) */
	size_t partial_lines;   /* text files (JSON Lines, CSV) ending with a
	                           partial last line, which was not read
	                           (still being written?) */
	struct run_colstat stat[RUN_MAX_COLS + 1];
	size_t nstat;           /* stat[] counts every row of columns
	                           [0, nstat) while the run is finished
	                           (run_finish, run_stat_rows); 0 before */
	size_t epoch_back;      /* rows (in step order, after merging) whose
	                           epoch is below the one before (run_finish) */
	char *status;           /* the run's status where its source keeps
	                           one (MLflow), in the job list's words:
	                           running, queued, completed, failed,
	                           cancelled; or NULL; owned */
};

/* A new empty run for JOB argument ARG (copied).  Never NULL. */
struct run *run_new(const char *arg);
void run_free(struct run *r);

/* A run showing BASE's rows and columns (borrowed: BASE must outlive it
 * and not change) to which columns can be added with run_col(), for
 * what one comparison derives (smoothed lines) without touching BASE, a
 * run shared through the cache.  No rows may be added.  run_free() frees
 * only what the overlay added.  Never NULL. */
struct run *run_overlay(const struct run *base);

/* Records parameter KEY = VALUE (both copied; a key added again replaces
 * its value).  Returns 0, or -1 with *cause ("more than 4096 parameters")
 * when RUN_MAX_PARAMS are held. */
#define RUN_MAX_PARAMS 4096
int run_add_param(struct run *r, const char *key, const char *value, char **cause);

/* Gives DST (a copy of a run made with *DST = *SRC) its own copy of SRC's
 * parameters, in their order. */
void run_copy_params(struct run *dst, const struct run *src);

/* Removes parameter KEY (nothing when there is none); the others keep
 * their order. */
void run_del_param(struct run *r, const char *key);

/* Value of parameter KEY, or NULL. */
const char *run_param(const struct run *r, const char *key);

/* Index of column NAME, or -1 when the run has no such column. */
int run_find(const struct run *r, const char *name);

/* Index of column NAME, added (filled with NaN) when missing.  Returns -1
 * when RUN_MAX_COLS columns exist already besides step. */
int run_col(struct run *r, const char *name);

/* Appends a row for STEP with every other cell NaN (capacity doubles).
 * Returns 0, or -1 with *cause set ("more than 1000000 rows") when the run
 * already holds RUN_MAX_ROWS rows. */
int run_add_row(struct run *r, double step, char **cause);

/* Makes room for ROWS rows in all (at most RUN_MAX_ROWS; nothing when
 * there is room already): a reader that can tell how many rows are
 * coming saves the copies of growing the columns. */
void run_reserve(struct run *r, size_t rows);

/* Sets column COL of the last row (nothing when COL is out of range or
 * there is no row). */
void run_set(struct run *r, int col, double v);

/* Value of column COL at row ROW; NaN when COL < 0. */
static inline double run_get(const struct run *r, int col, size_t row)
{
	return col < 0 ? __builtin_nan("") : r->cols[col][row];
}

/* Drops the rows added so far whose step is >= STEP (before run_finish:
 * rows are still in log order), TensorBoard's rule for a restarted run
 * (session_log START).  Returns how many were dropped. */
size_t run_drop_from(struct run *r, double step);

/* Sorts the rows added so far by step (stable), without counting that as
 * the step going back: for a source made of several streams each in step
 * order (MLflow's metric files, Keras's train/ and validation/). */
void run_sort_rows(struct run *r);

/* Sorts by step (a stable merge sort; input already in order costs one
 * pass), merges repeated steps (see above; a NaN cell never replaces a
 * value), and derives perplexity where absent, cell by cell: exp(loss)
 * only where the loss is finite and below 100 (the platform's rule), for
 * perplexity from eval_loss and train_perplexity from train_loss; the
 * column is added only when something is derived.  Idempotent until the
 * next run_add_row(). */
void run_finish(struct run *r);

/* Counts rows [FROM, nrows) of every column into stat[] (FROM 0: anew)
 * and sets nstat = ncols: for a finished run to which rows were appended
 * in step order, keeping it finished (watch.c).  With FROM > 0 the
 * columns must be those counted before (nstat == ncols). */
void run_stat_rows(struct run *r, size_t from);

/* The warnings the counters of R call for, each "JOB: what" with the JOB
 * (r->arg) sanitized: "JOB: skipped N rows without a usable step", "JOB:
 * N values were not finite (read as not logged)", "JOB: more than 64
 * metric columns; N values of further columns ignored", "JOB: the step
 * went back N times (a resumed run?); where a step was logged twice, the
 * values logged last are kept", "JOB: skipped N records with a bad
 * checksum or unreadable contents", "JOB: N files end mid-record (still
 * being written?)", "JOB: the epoch went back N times while the step
 * went forward (epochs counted anew after a resume?)", "JOB: no metrics" or "JOB: no metrics
 * (MESSAGE)".  Returns a malloc'd array of *N malloc'd strings. */
char **run_warnings(const struct run *r, size_t *n);

/* The name of a column derived from COLUMN with SUFFIX ("_smoothed"):
 * COLUMN SUFFIX, or COLUMN SUFFIX _2, _3 … the first that none of the NRUNS
 * RUNS logged (among their first nlogged columns), so a derived column
 * never takes a logged one's place.  The same for the same logged columns,
 * before and after derived columns are added.  malloc'd. */
char *run_derived_name(struct run *const *runs, size_t nruns, const char *column, const char *suffix);

/* Index of the last row where column COL is finite, or -1. */
long run_last_finite(const struct run *r, int col);

#endif
