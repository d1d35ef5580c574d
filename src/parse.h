/* parse.h: the streaming JSON metrics reader (the json format of reader.h).
 *
 * Bytes are pushed in as they arrive (from a file or an HTTP transfer) and
 * rows are appended to a struct run; memory grows with the numbers kept, not
 * with the JSON.  Formats, detected from content:
 *   - the platform's answer  {"job_id": …, "metrics": [MetricPoint…], …}
 *   - a bare JSON array of MetricPoints
 *   - JSON Lines: one MetricPoint object per line
 * A UTF-8 BOM and CRLF line ends are accepted.  This module walks the
 * outer skeleton; a flat row of numbers, nulls and plain strings that lies
 * whole in the bytes at hand is read by a fast path of its own, and every
 * other value by json-c, with the same result either way.
 *
 * A top-level object is an envelope when it has a "metrics" key (or
 * "log_history": a Hugging Face trainer_state.json, see read_hf.c), else it is
 * a row; any number of top-level objects may follow each other (separated
 * by whitespace or nothing), so an envelope may be followed by more rows or
 * envelopes.
 * After a top-level array only whitespace may follow.
 *
 * The result never depends on how the input is cut into chunks (feeding
 * one byte at a time gives the same rows, counters and errors).
 *
 * What is read (MetricPoint fields, api.md):
 *   - step: a number or numeric string that is an integer in 0 .. 2^53 - 1
 *     ("7", 8.0 and -0 are fine; 2^53 and above are refused, as a double
 *     cannot tell 2^53 + 1 from 2^53).  A row whose step is missing, null,
 *     negative, fractional, non-finite or not a number is skipped and
 *     counted in run->skipped_nostep.
 *   - numbers: JSON numbers, NaN/Infinity/-Infinity as bare tokens (what
 *     Python's json writes), and numeric strings ("0.5", "-1e-3", "+2",
 *     "nan", "inf", "-Infinity"; no spaces, hex or trailing text).  A
 *     value that is not finite — including 1e400 and integers beyond 64
 *     bits, which overflow — is stored as NaN and counted in run->nonfinite.
 *     -0 reads as 0.
 *   - null means "not logged" (NaN) and creates no column; booleans,
 *     non-numeric strings, objects and arrays are ignored.
 *   - loss is train_loss; when a row has both, train_loss wins (unless it
 *     is null).  timestamp (ISO-8601, see parse_timestamp, or a number
 *     or numeric string) becomes the column "time" in seconds.  A number's
 *     unit comes from its magnitude: seconds below 1e11, ms below 1e14, µs
 *     below 1e17, ns below 1e20; the job's first numeric timestamp fixes
 *     run->time_unit, and one of another unit is left NaN and counted in
 *     run->mixed_timestamps.  Any other timestamp (not ISO-8601, 1e20 and
 *     above, a boolean …) is left NaN and counted in run->bad_timestamps;
 *     a non-finite number in run->nonfinite.  Counted only in rows with a
 *     usable step; the last timestamp of a row wins.
 *   - field names go through the column table of colmap.h when not one of
 *     the names above ("global_step", "current_steps", "_step" and "Step"
 *     are the step, "lr" the learning_rate, "train/loss" the train_loss
 *     ...); "loss" still yields to "train_loss".
 *   - elapsed_time as a string (Python's timedelta: "0:10:07", "1 day,
 *     2:03:04", LLaMA-Factory's trainer_log.jsonl) becomes "time" in
 *     seconds from the start (so -x relative works); other strings are
 *     ignored, and a number is a column "elapsed_time".  With a timestamp
 *     in the same row, the field written last wins.
 *   - id, job_id, loss_trend, best_eval_loss, best_epoch, best_step and
 *     epochs_without_improvement inside rows are ignored.
 *   - any other numeric field becomes a column named by its key (untrusted
 *     text; an empty key is ignored).  Beyond RUN_MAX_COLS columns the
 *     values are counted in run->ignored_fields.
 *   - a key repeated in one object: the last value wins (null included).
 *   - of the envelope, job_id (a string or a number, as written) becomes
 *     run->id and "message" run->message; other keys are ignored.
 *     "metrics": null is an envelope without rows.
 * Rows are appended in input order; run_finish() (not called here) sorts.
 *
 * Strict JSON otherwise: no comments, trailing commas, single-quoted
 * strings or leading zeros.  (json-c still accepts single-quoted keys
 * inside a value.)
 *
 * Errors are returned as a malloc'd *cause without the job name; the
 * caller prefixes the job.  L and C are the 1-based line and byte column
 * (a BOM takes no column):
 *   "empty input"                      (nothing but whitespace and a BOM)
 *   "invalid JSON at line L, column C: WHAT"   WHAT is json-c's text, e.g.
 *        "unexpected character", "number expected", or "unexpected NUL
 *        byte", "unexpected data after the top-level array"
 *   "unexpected end of input (truncated JSON?) at line L, column C"
 *        (but JSON Lines cut inside a row that began on a line of its own
 *        after a complete top-level object, with no line end since, is a
 *        trainer's half-written last line: parser_finish() leaves it
 *        unread, counts it in run->partial_lines and succeeds; a partial
 *        line is never read as a row, and feeding more bytes instead of
 *        finishing completes it — what a watch does)
 *   "top-level JSON value is not an object or array"
 *   "row N is not an object"           (N counts rows from 1, all formats)
 *   "\"metrics\" is not an array"
 *   "a JSON object with neither \"metrics\" nor \"log_history\" (its keys:
 *        K1, K2, ...)"  (the whole input one object without a step; the
 *        first 8 keys, sanitized, each cut to 40 characters, then
 *        ", ... (N keys)")
 *   "JSON nested deeper than 32 levels at line L, column C"  (within one
 *        row or value)
 *   "JSON value larger than 1048576 bytes at line L, column C"  (L, C
 *        where the row or value began)
 *   "row N has more than 1024 fields"
 *   "more than 1000000 rows"           (rows with a usable step)
 *   "read error: STRERROR"             (reader_read_fd) */
#ifndef TRCOMPARE_PARSE_H
#define TRCOMPARE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "reader.h"
#include "run.h"

/* Limits.  A fuzzing build may define smaller ones (-DPARSE_MAX_VALUE=256)
 * to reach the limit paths with small inputs. */
#ifndef PARSE_MAX_DEPTH
#define PARSE_MAX_DEPTH 32          /* JSON nesting depth */
#endif
#ifndef PARSE_MAX_VALUE
#define PARSE_MAX_VALUE (1 << 20)   /* bytes in one row or top-level value
                                       (a top-level row: the whole object) */
#endif
#ifndef PARSE_MAX_FIELDS
#define PARSE_MAX_FIELDS 1024       /* fields in one row */
#endif

struct parser;

/* A parser appending to RUN (borrowed; must outlive the parser). */
struct parser *parser_new(struct run *run);
void parser_free(struct parser *p);

/* Whether flat rows may skip json-c (on by default; see parse.c).  Off,
 * json-c reads every row: the tests compare the two. */
void parser_set_fast(struct parser *p, bool fast);

/* How many rows P read on the fast path (for the tests: it must be taken
 * by the platform's own rows). */
size_t parser_fast_rows(const struct parser *p);

/* Hugging Face mode (read_hf.c): a row with a non-null train_loss or a
 * total_flos is the final summary entry of log_history (train_loss is the
 * mean over the run) and is dropped, never a data point nor counted. */
void parser_set_hf(struct parser *p, bool hf);

/* W&B mode (read_wbhist.c, wandb-history.jsonl): _step is the step,
 * _timestamp the time (Unix seconds), other keys starting with '_' are
 * W&B's bookkeeping and ignored; other names map as in W&B run files
 * (tagmap.h: eval/X is eval_X, train/X is X, train/train_loss dropped). */
void parser_set_wandb(struct parser *p, bool wandb);

/* Pushes LEN bytes (LEN may be 0).  Returns 0, or -1 with *cause set;
 * after an error the parser accepts nothing more and repeats the error. */
int parser_feed(struct parser *p, const void *buf, size_t len, char **cause);

/* End of input: reports truncated JSON or an empty input.  Returns 0, or -1
 * with *cause set.  Does not call run_finish(). */
int parser_finish(struct parser *p, char **cause);

/* The json format of reader.h (parser_new/feed/finish/free); read a file
 * with reader_read_fd(). */
extern const struct reader_format parse_json_format;

/* Its open, feed, finish and close, for the formats that are JSON read in
 * one of the parser's modes (read_hf.c, read_lf.c, read_wbhist.c): STATE is
 * a struct parser. */
void *parse_reader_open(struct run *run);
int parse_reader_feed(void *state, const void *buf, size_t len, char **cause);
int parse_reader_finish(void *state, char **cause);
void parse_reader_close(void *state);

/* Parses an ISO-8601 timestamp ("2024-05-01T12:00:00.5Z", "+02:00" offsets,
 * no zone = UTC, a space instead of T) to seconds since the epoch.
 * Accepted: YYYY-MM-DD, optionally followed by T, t or a space and HH:MM,
 * optional :SS (60 for a leap second) with an optional fraction after . or
 * a comma, then optionally Z, z, +HH, +HHMM or +HH:MM (or -).  Dates are
 * checked (no 2023-02-29).  Returns 0, or -1 when S (may be NULL) is not
 * such a time. */
int parse_timestamp(const char *s, double *out);

#endif
