/* colmap.h: the one table mapping the column names other tools log to the
 * canonical names of run.h, shared by every reader.
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

/* The canonical name (a static string) of input column NAME (N bytes, not
 * necessarily NUL-terminated), or NULL when NAME is not in the table. */
const char *colmap_lookup(const char *name, size_t n);

/* The canonical name of NAME (NUL-terminated), or NAME itself. */
const char *colmap_name(const char *name);

#endif
