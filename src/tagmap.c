/* tagmap.c: tracker metric names -> columns (see tagmap.h). */
#include "config.h"

#include "tagmap.h"

#include <string.h>

#include "run.h"
#include "util.h"

/* Exact names; col NULL drops the metric. */
static const struct {
	const char *name;
	const char *col;
} exact[] = {
	{ "train/loss", COL_TRAIN_LOSS },
	{ "loss", COL_TRAIN_LOSS },
	{ "epoch_loss", COL_TRAIN_LOSS },
	{ "eval/loss", COL_EVAL_LOSS },
	{ "val_loss", COL_EVAL_LOSS },
	{ "train/learning_rate", COL_LR },
	{ "epoch_learning_rate", COL_LR },
	{ "epoch_lr", COL_LR },
	{ "lr", COL_LR },
	{ "train/grad_norm", COL_GRAD_NORM },
	{ "train/epoch", COL_EPOCH },
	{ "train/train_loss", NULL }, /* the Trainer's mean over the run */
};

/* Does NAME[0..LEN) start with PREFIX (and go on after it)? */
static bool has_prefix(const char *name, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len > n && memcmp(name, prefix, n) == 0;
}

char *tagmap_column(const char *name, size_t len, bool eval)
{
	for (size_t i = 0; i < ARRAY_SIZE(exact); i++) {
		if (strlen(exact[i].name) != len || memcmp(exact[i].name, name, len) != 0)
			continue;
		if (!exact[i].col)
			return NULL;
		if (eval && strcmp(exact[i].col, COL_TRAIN_LOSS) == 0)
			return xstrdup(COL_EVAL_LOSS);
		if (eval && strcmp(exact[i].col, COL_EVAL_LOSS) != 0)
			return xasprintf("eval_%s", exact[i].col);
		return xstrdup(exact[i].col);
	}
	if (has_prefix(name, len, "eval/"))
		return xasprintf("eval_%.*s", (int)(len - 5), name + 5);
	if (has_prefix(name, len, "train/"))
		return xstrndup(name + 6, len - 6);
	if (has_prefix(name, len, "epoch_"))
		return eval ? xasprintf("eval_%.*s", (int)(len - 6), name + 6)
			    : xstrndup(name + 6, len - 6);
	return eval ? xasprintf("eval_%.*s", (int)len, name) : xstrndup(name, len);
}
