/* colmap.c: the column-name table (see colmap.h and tagmap.h), and the
 * user's aliases (--alias). */
#include "config.h"

#include "colmap.h"
#include "tagmap.h"

#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "util.h"

/* Which readers an entry is for: the column readers (JSON, CSV: colmap_
 * lookup) and the trackers' tag readers (TensorBoard, MLflow, W&B:
 * tagmap_column). */
#define FOR_COLUMNS 1
#define FOR_TAGS 2
#define FOR_BOTH (FOR_COLUMNS | FOR_TAGS)

/* The one table: input name -> canonical name (NULL: not a point; the tag
 * readers drop it). */
static const struct {
	const char *from, *to;
	size_t len;
	int use;
} colmap[] = {
#define M(from, to, use) {from, to, sizeof(from) - 1, use}
	M("loss", COL_TRAIN_LOSS, FOR_BOTH),
	M("train/loss", COL_TRAIN_LOSS, FOR_BOTH),
	M("train_loss", COL_TRAIN_LOSS, FOR_COLUMNS),
	M("train_loss_step", COL_TRAIN_LOSS, FOR_COLUMNS),
	M("epoch_loss", COL_TRAIN_LOSS, FOR_BOTH),
	M("eval_loss", COL_EVAL_LOSS, FOR_COLUMNS),
	M("eval/loss", COL_EVAL_LOSS, FOR_BOTH),
	M("val_loss", COL_EVAL_LOSS, FOR_BOTH),
	M("validation/epoch_loss", COL_EVAL_LOSS, FOR_COLUMNS),
	M("lr", COL_LR, FOR_BOTH),
	M("lr-AdamW", COL_LR, FOR_COLUMNS),
	M("learning_rate", COL_LR, FOR_COLUMNS),
	M("train/learning_rate", COL_LR, FOR_BOTH),
	M("epoch_learning_rate", COL_LR, FOR_TAGS),
	M("epoch_lr", COL_LR, FOR_TAGS),
	M("grad_norm", COL_GRAD_NORM, FOR_COLUMNS),
	M("train/grad_norm", COL_GRAD_NORM, FOR_BOTH),
	M("step", COL_STEP, FOR_COLUMNS),
	M("current_steps", COL_STEP, FOR_COLUMNS),
	M("global_step", COL_STEP, FOR_COLUMNS),
	M("_step", COL_STEP, FOR_COLUMNS),
	M("Step", COL_STEP, FOR_COLUMNS),
	M("epoch", COL_EPOCH, FOR_COLUMNS),
	M("train/epoch", COL_EPOCH, FOR_BOTH),
	M("train/train_loss", NULL, FOR_TAGS), /* the Trainer's mean over the run */
#undef M
};

/* The user's aliases (colmap_set_aliases), borrowed. */
static const char *const *alias_from, *const *alias_to;
static size_t nalias;

void colmap_set_aliases(const char *const *from, const char *const *to, size_t n)
{
	alias_from = from;
	alias_to = to;
	nalias = n;
}

/* The alias of NAME (N bytes), or NULL; the last given wins. */
static const char *alias_of(const char *name, size_t n)
{
	for (size_t i = nalias; i-- > 0;)
		if (strlen(alias_from[i]) == n && memcmp(alias_from[i], name, n) == 0)
			return alias_to[i];
	return NULL;
}

/* The entry for NAME (N bytes) used by USE, or -1. */
static int entry(const char *name, size_t n, int use)
{
	for (size_t i = 0; i < ARRAY_SIZE(colmap); i++)
		if ((colmap[i].use & use) && colmap[i].len == n && memcmp(colmap[i].from, name, n) == 0)
			return (int)i;
	return -1;
}

const char *colmap_lookup(const char *name, size_t n)
{
	const char *a = alias_of(name, n);
	if (a)
		return a;
	int e = entry(name, n, FOR_COLUMNS);
	return e < 0 ? NULL : colmap[e].to;
}

const char *colmap_name(const char *name)
{
	const char *to = colmap_lookup(name, strlen(name));
	return to ? to : name;
}

/* Does NAME[0..LEN) start with PREFIX (and go on after it)? */
static bool has_prefix(const char *name, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len > n && memcmp(name, prefix, n) == 0;
}

/* COL, a canonical name, as an evaluation metric when EVAL. */
static char *as_eval(const char *col, bool eval)
{
	if (eval && strcmp(col, COL_TRAIN_LOSS) == 0)
		return xstrdup(COL_EVAL_LOSS);
	if (eval && strcmp(col, COL_EVAL_LOSS) != 0)
		return xasprintf("eval_%s", col);
	return xstrdup(col);
}

/* tagmap_column before the step check. */
static char *tag_column(const char *name, size_t len, bool eval)
{
	/* (An alias onto the step or the time is for column tables only: a
	 * tracker's points carry their step and timestamp.) */
	const char *a = alias_of(name, len);
	if (a && strcmp(a, COL_STEP) != 0 && strcmp(a, COL_TIME) != 0)
		return as_eval(a, eval);
	int e = entry(name, len, FOR_TAGS);
	if (e >= 0)
		return colmap[e].to ? as_eval(colmap[e].to, eval) : NULL;
	if (has_prefix(name, len, "eval/"))
		return xasprintf("eval_%.*s", (int)(len - 5), name + 5);
	if (has_prefix(name, len, "train/"))
		return xstrndup(name + 6, len - 6);
	if (has_prefix(name, len, "epoch_"))
		return eval ? xasprintf("eval_%.*s", (int)(len - 6), name + 6)
			    : xstrndup(name + 6, len - 6);
	return eval ? xasprintf("eval_%.*s", (int)len, name) : xstrndup(name, len);
}

bool tagmap_hf_summary(bool (*has)(const void *ctx, const char *key), const void *ctx)
{
	return has(ctx, "loss") && (has(ctx, "train_runtime") || has(ctx, "total_flos"));
}

char *tagmap_column(const char *name, size_t len, bool eval)
{
	char *c = tag_column(name, len, eval);
	/* A metric whose column would be the step's ("step", "train/step")
	 * is no point either: its values would overwrite the steps its
	 * points carry. */
	if (c && strcmp(c, COL_STEP) == 0) {
		free(c);
		return NULL;
	}
	/* A metric whose column would be the time's ("time", "train/time",
	 * Keras's "epoch_time") is a metric of its own: the time column holds
	 * the tracker's timestamps, which its values would overwrite. */
	if (c && strcmp(c, COL_TIME) == 0) {
		free(c);
		return xstrdup(TAGMAP_TIME_METRIC);
	}
	return c;
}
