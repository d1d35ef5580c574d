/* read_lf.c: LLaMA-Factory's trainer_log.jsonl (LogCallback in
 * hiyouga/LLaMA-Factory src/llamafactory/train/callbacks.py).
 *
 * JSON Lines, one object per logging step: current_steps, total_steps,
 * loss, eval_loss, lr (older versions: learning_rate), epoch, percentage,
 * elapsed_time and remaining_time (Python timedelta strings), throughput,
 * total_tokens; keys whose value is null are left out; resumed runs append
 * to the same file.  The JSON reader (parse.c) reads it: current_steps is
 * the step and lr the learning_rate through colmap.h, elapsed_time becomes
 * the "time" column in seconds from the start (for -x relative), a
 * repeated step after a resume keeps what was logged last.
 *
 * Sniffed from content: the first line is an object with a
 * "current_steps" key.  Directories: DIR/trainer_log.jsonl (when no
 * format asked earlier, as hf with DIR/trainer_state.json, took DIR). */
#include "config.h"

#include <string.h>

#include "parse.h"
#include "reader.h"
#include "util.h"

/* Is the first line of HEAD an object naming "current_steps"? */
static enum reader_sniff lf_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	static const char key[] = "\"current_steps\"";
	size_t i = 0;

	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == len)
		return at_eof ? READER_NO : READER_MORE;
	if (head[i] != '{')
		return READER_NO;
	const unsigned char *nl = memchr(head + i, '\n', len - i);
	if (nl == NULL && !at_eof)
		return READER_MORE;
	size_t end = nl ? (size_t)(nl - head) : len;
	return memmem(head + i, end - i, key, sizeof key - 1) ? READER_YES : READER_NO;
}

/* DIR/trainer_log.jsonl. */
static int lf_load_dir(struct run *run, const char *dir, char **cause)
{
	return reader_load_file(run, dir, "trainer_log.jsonl", cause);
}

/* Is DIR a run directory of this format (reader.h)? */
static bool lf_is_run_dir(const char *dir)
{
	return reader_dir_has(dir, "trainer_log.jsonl");
}

const struct reader_format read_lf_format = {
	.name = "llamafactory",
	.sniff = lf_sniff,
	.open = parse_reader_open,
	.feed = parse_reader_feed,
	.finish = parse_reader_finish,
	.close = parse_reader_close,
	.load_dir = lf_load_dir,
	.is_run_dir = lf_is_run_dir,
	.label_dir = true,
};
