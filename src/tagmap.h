/* tagmap.h: the column a tracker's metric name feeds.
 *
 * TensorBoard tags and MLflow metric keys name the same metrics as the
 * platform's JSON under other spellings: Hugging Face's TensorBoard and
 * MLflow callbacks write `train/loss`, `eval/loss`, Keras `epoch_loss`,
 * `val_loss`.  The entries are colmap.c's one table (those marked for
 * tags), used by the trackers' readers (read_tfevents.c, read_mlflow.c,
 * read_mlflowdb.c, read_wandb.c, read_wbhist.c, read_wbcsv.c); the user's
 * aliases (colmap_set_aliases) come first. */
#ifndef TRCOMPARE_TAGMAP_H
#define TRCOMPARE_TAGMAP_H

#include <stdbool.h>
#include <stddef.h>

/* The column for metric NAME (LEN bytes, not NUL-terminated), malloc'd, or
 * NULL when the metric is not a point of the curve (Hugging Face's
 * `train/train_loss`, the run's mean loss).  EVAL: the name comes from a
 * Keras `validation/` directory, so it is an evaluation metric.
 *   train/loss, loss, epoch_loss  -> train_loss   (EVAL: eval_loss)
 *   eval/loss, val_loss           -> eval_loss
 *   train/learning_rate, epoch_learning_rate, lr, epoch_lr -> learning_rate
 *   train/grad_norm -> grad_norm;  train/epoch -> epoch
 *   otherwise: eval/X -> eval_X, train/X -> X, epoch_X -> X (EVAL:
 *   eval_X), anything else as it is (EVAL: eval_NAME);
 *   but NULL for a name that would be the step's column (step,
 *   train/step, epoch_step): the points carry their step; and
 *   TAGMAP_TIME_METRIC for one that would be the time's (time,
 *   train/time, epoch_time): that column holds the tracker's timestamps. */
#define TAGMAP_TIME_METRIC "time_metric"
char *tagmap_column(const char *name, size_t len, bool eval);

/* Hugging Face's Trainer logs its final summary through its MLflow
 * callback as metrics at the last step, beside the per-step "loss":
 * train_runtime, total_flos, … and train_loss, the run's mean loss (its
 * TensorBoard callback writes the same as train/train_loss, never a
 * point).  True when a run whose metric keys HAS (called with CTX) tells
 * holds "loss" and "train_runtime" or "total_flos": then its "train_loss"
 * (TAGMAP_HF_MEAN) is that mean and no point of the curve. */
bool tagmap_hf_summary(bool (*has)(const void *ctx, const char *key), const void *ctx);
#define TAGMAP_HF_MEAN "train_loss"

#endif
