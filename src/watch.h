/* watch.h: following files that grow, for --watch (incremental reading).
 *
 * A tail follows one local regular file.  Its reader (reader.h) stays
 * open between polls: each tail_poll() reads only the bytes added since
 * the last one and pushes them into the same reader, so a half-written
 * last line (or record) simply waits inside the reader for the rest of
 * it; the reader is never finished.  What the chart sees is a snapshot: a
 * copy of the rows read so far, finished (run_finish), owned by the
 * caller, and extended in place by later polls while the file is only
 * appended to (tail_poll), so a round costs the new rows, not a copy of
 * every column.
 *
 * The file is read again from the start when it was replaced (another
 * device or inode: a rename over it), when it shrank, when the bytes just
 * before where the last read stopped changed (a file rewritten in place,
 * such as trainer_state.json), or when the appended bytes do not read
 * (the format does not allow appending there: the whole file is read
 * once more, and only that read's error is an error).
 *
 * Every format works, since readers are push-style: JSON Lines, CSV,
 * TensorBoard event files and W&B run files are appended to, so each poll
 * costs the new bytes only; a JSON document rewritten whole costs a full
 * read each time it changes.  Not thread-safe; one tail per file. */
#ifndef TRCOMPARE_WATCH_H
#define TRCOMPARE_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "run.h"

struct tail;

/* A tail for the file PATH (copied) whose runs are for JOB argument ARG
 * (copied).  Nothing is read yet.  Never NULL. */
struct tail *tail_new(const char *path, const char *arg);
void tail_free(struct tail *t);

/* Reads what was added to the file since the last poll (all of it the
 * first time).  Returns 1 when the rows changed (rows added, or the file
 * read from the start again) with *SNAPSHOT the finished run, 0 when
 * nothing changed (*SNAPSHOT NULL), or -1 with *cause (strerror's text
 * for open and read errors, the reader's message).
 *
 * PREV is NULL or the caller's copy of the last snapshot this tail
 * returned, unchanged since (the caller must know: the tail only compares
 * the pointer).  When the rows read since only continue it (a trainer
 * appending: the rows before unchanged, the new steps ascending beyond
 * its last, no new column), PREV is extended in place and returned as
 * *SNAPSHOT: its columns may have moved (realloc), so whatever borrowed
 * them (run_overlay) must not be used after this call.  Otherwise (a
 * restart, a step going back or repeated, a new column, the file read
 * again) *SNAPSHOT is a new run, the caller's, and PREV is untouched.
 * Either way the snapshot is what run_finish of a cold read of the same
 * bytes gives. */
int tail_poll(struct tail *t, struct run *prev, struct run **snapshot, char **cause);

/* Bytes read from the file by every poll so far (for -v and the bench). */
uint64_t tail_bytes_read(const struct tail *t);

/* A deep copy of R (rows, columns, counters, names, parameters).  Never
 * NULL. */
struct run *watch_run_copy(const struct run *r);

/* True when A and B hold the same rows, columns and values (NaN equal to
 * NaN), names and counters: a source read again that did not change. */
bool watch_run_same(const struct run *a, const struct run *b);

#endif
