/* colmap.h: the one table mapping the column names other tools log to the
 * canonical names of run.h, shared by every reader (colmap.c; the tag
 * readers' view of it is tagmap_column, tagmap.h), and the user's aliases.
 *
 *   input name                                            canonical
 *   loss, train/loss, train_loss, train_loss_step,        train_loss
 *     epoch_loss
 *   eval_loss, eval/loss, val_loss, validation/epoch_loss eval_loss
 *   lr, lr-AdamW, learning_rate, train/learning_rate      learning_rate
 *   grad_norm, train/grad_norm                            grad_norm
 *   step, current_steps, global_step, _step, Step         step
 *   epoch, train/epoch                                    epoch
 *
 * Names are compared exactly (case matters: "Step" is W&B's, "STEP" is
 * not mapped).  A name not in the table keeps its own name as the column.
 * Where one source has several columns mapping to one canonical name, the
 * readers keep the one spelled like the canonical name (else the first)
 * and the others under their own names; in the JSON reader, "loss" yields
 * to "train_loss" (see parse.h). */
#ifndef TRCOMPARE_COLMAP_H
#define TRCOMPARE_COLMAP_H

#include <stddef.h>

/* The canonical name (a static string, or an alias's borrowed one) of
 * input column NAME (N bytes, not necessarily NUL-terminated): its alias
 * (colmap_set_aliases), else its entry in the table, or NULL when NAME is
 * in neither. */
const char *colmap_lookup(const char *name, size_t n);

/* The canonical name of NAME (NUL-terminated), or NAME itself. */
const char *colmap_name(const char *name);

/* --alias: input name FROM[i] is read as TO[i] (i < N; the last alias of a
 * name wins), before the table, by every reader; in the tag readers
 * (tagmap.h) except onto "step" and "time" (their points carry their
 * step and timestamp).  The
 * arrays and strings are borrowed and must outlive the reading; N = 0
 * removes them.  Process-wide, not thread-safe: set before reading. */
void colmap_set_aliases(const char *const *from, const char *const *to, size_t n);

#endif
