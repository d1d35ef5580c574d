/* read_wbhist.c: W&B's wandb-history.jsonl, the history file of W&B
 * before 0.10 (wandb/run-<time>-<id>/wandb-history.jsonl).
 *
 * JSON Lines, one object per wandb.log() call: _step, _runtime (seconds),
 * _timestamp (Unix seconds) and the logged keys (train/loss, eval/loss …;
 * media as nested objects, which are no numbers and so no columns).  The
 * JSON reader (parse.c) reads it in W&B mode (parser_set_wandb): _step is
 * the step, _timestamp the time column, other _ keys are skipped, names map
 * as in W&B run files (tagmap.h).
 *
 * Sniffed from content: the first line is an object naming "_step" and
 * "_runtime".  Directories: DIR/wandb-history.jsonl (an old run
 * directory); the run is named after its directory. */
#include "config.h"

#include <string.h>

#include "parse.h"
#include "reader.h"
#include "util.h"

/* Is the first line of HEAD an object naming "_step" and "_runtime"? */
static enum reader_sniff wbh_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	size_t i = 0;

	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == len)
		return at_eof ? READER_NO : READER_MORE;
	if (head[i] != '{')
		return READER_NO;
	const unsigned char *nl = memchr(head + i, '\n', len - i);
	if (nl == NULL && !at_eof && len < READER_SNIFF_MAX)
		return READER_MORE;
	size_t end = nl ? (size_t)(nl - head) : len;
	return memmem(head + i, end - i, "\"_step\"", 7) && memmem(head + i, end - i, "\"_runtime\"", 10)
		? READER_YES : READER_NO;
}

/* The JSON reader in W&B mode. */
static void *wbh_open(struct run *run)
{
	struct parser *p = parser_new(run);
	parser_set_wandb(p, true);
	return p;
}

/* DIR/wandb-history.jsonl. */
static int wbh_load_dir(struct run *run, const char *dir, char **cause)
{
	return reader_load_file(run, dir, "wandb-history.jsonl", cause);
}

/* Is DIR a run directory of this format (reader.h)? */
static bool wbh_is_run_dir(const char *dir)
{
	return reader_dir_has(dir, "wandb-history.jsonl");
}

const struct reader_format read_wbhist_format = {
	.name = "wandb-history",
	.sniff = wbh_sniff,
	.open = wbh_open,
	.feed = parse_reader_feed,
	.finish = parse_reader_finish,
	.close = parse_reader_close,
	.load_dir = wbh_load_dir,
	.is_run_dir = wbh_is_run_dir,
	.label_dir = true,
};
