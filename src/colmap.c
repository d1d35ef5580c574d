/* colmap.c: the column-name table (see colmap.h). */
#include "config.h"

#include "colmap.h"

#include <string.h>

#include "run.h"
#include "util.h"

static const struct {
	const char *from, *to;
	size_t len;
} colmap[] = {
#define M(from, to) {from, to, sizeof(from) - 1}
	M("loss", COL_TRAIN_LOSS),
	M("train/loss", COL_TRAIN_LOSS),
	M("train_loss", COL_TRAIN_LOSS),
	M("train_loss_step", COL_TRAIN_LOSS),
	M("epoch_loss", COL_TRAIN_LOSS),
	M("eval_loss", COL_EVAL_LOSS),
	M("eval/loss", COL_EVAL_LOSS),
	M("val_loss", COL_EVAL_LOSS),
	M("validation/epoch_loss", COL_EVAL_LOSS),
	M("lr", COL_LR),
	M("lr-AdamW", COL_LR),
	M("learning_rate", COL_LR),
	M("train/learning_rate", COL_LR),
	M("grad_norm", COL_GRAD_NORM),
	M("train/grad_norm", COL_GRAD_NORM),
	M("step", COL_STEP),
	M("current_steps", COL_STEP),
	M("global_step", COL_STEP),
	M("_step", COL_STEP),
	M("Step", COL_STEP),
	M("epoch", COL_EPOCH),
	M("train/epoch", COL_EPOCH),
#undef M
};

const char *colmap_lookup(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(colmap); i++)
		if (colmap[i].len == n && memcmp(colmap[i].from, name, n) == 0)
			return colmap[i].to;
	return NULL;
}

const char *colmap_name(const char *name)
{
	const char *to = colmap_lookup(name, strlen(name));
	return to ? to : name;
}
