/* read_hf.c: Hugging Face trainer_state.json (TrainerState.save_to_json in
 * transformers' trainer_callback.py).
 *
 * The file is a JSON object whose "log_history" holds three kinds of
 * entries: training (loss, learning_rate, grad_norm, epoch, step, ...),
 * evaluation (eval_loss, eval_<metric>, eval_<name>_loss, at a training
 * entry's step) and one final summary (train_loss, the mean over the run,
 * total_flos, train_runtime ...).  The JSON reader (parse.c) reads it,
 * log_history as the envelope's rows, in Hugging Face mode: the summary
 * entry is dropped (parser_set_hf).  Every other key (TRL's rewards/chosen,
 * mean_token_accuracy ...) is a column by its name through colmap.h; the
 * other top-level keys (num_train_epochs may be 2^63 - 1) are skipped.
 *
 * Sniffed from content: the first value is an object with a "log_history"
 * key among its keys (keys are sorted, so it comes within the first bytes)
 * and no "metrics" key before it.
 *
 * Directories (load_dir): DIR/trainer_state.json, else the newest
 * DIR/checkpoint-N/trainer_state.json (each checkpoint holds the history up
 * to N); a directory with neither is not this format's.  The run is named
 * after the directory (reader.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "reader.h"
#include "util.h"

#define HF_FILE "trainer_state.json"

/* Is the first JSON value in HEAD an object with a "log_history" key?  A
 * small scanner of the outer object: strings, nesting, keys at depth 1. */
static enum reader_sniff hf_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	size_t i = 0, depth = 0;

	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
		i++;
	if (i == len)
		return at_eof ? READER_NO : READER_MORE;
	if (head[i] != '{')
		return READER_NO;
	for (; i < len; i++) {
		unsigned char c = head[i];

		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return READER_NO;
		} else if (c == '"') {
			size_t start = ++i;

			while (i < len && head[i] != '"')
				i += head[i] == '\\' ? 2 : 1;
			if (i >= len)
				break;
			size_t n = i - start, k = i + 1;

			while (k < len && (head[k] == ' ' || head[k] == '\t' || head[k] == '\n' || head[k] == '\r'))
				k++;
			if (depth != 1 || k >= len || head[k] != ':')
				continue;
			if (n == 11 && memcmp(head + start, "log_history", 11) == 0)
				return READER_YES;
			if (n == 7 && memcmp(head + start, "metrics", 7) == 0)
				return READER_NO;
		}
	}
	return at_eof ? READER_NO : READER_MORE;
}

/* The JSON reader in Hugging Face mode. */
static void *hf_open(struct run *run)
{
	struct parser *p = parser_new(run);

	parser_set_hf(p, true);
	return p;
}

/* The N of the newest DIR/checkpoint-N holding trainer_state.json, or -1. */
static long newest_checkpoint(const char *dir)
{
	DIR *d = opendir(dir);
	long best = -1;
	struct dirent *e;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		const char *s = e->d_name;
		char *end;

		if (strncmp(s, "checkpoint-", 11) != 0 || s[11] < '0' || s[11] > '9')
			continue;
		errno = 0;
		long n = strtol(s + 11, &end, 10);
		if (*end != '\0' || errno != 0 || n <= best)
			continue;
		char *path = xasprintf("%s/%s/" HF_FILE, dir, s);
		bool have = access(path, R_OK) == 0;
		free(path);
		if (have)
			best = n;
	}
	closedir(d);
	return best;
}

/* DIR/trainer_state.json, or the newest checkpoint's. */
static int hf_load_dir(struct run *run, const char *dir, char **cause)
{
	int rc = reader_load_file(run, dir, HF_FILE, cause);

	if (rc != 1)
		return rc;
	long n = newest_checkpoint(dir);
	if (n < 0)
		return 1;
	char *file = xasprintf("checkpoint-%ld/" HF_FILE, n);
	rc = reader_load_file(run, dir, file, cause);
	free(file);
	return rc;
}

/* Does DIR hold its own trainer_state.json (reader.h's owns_dir: a
 * finished run; a running one has only its checkpoints' and is left to
 * its live TensorBoard logs)? */
static bool hf_owns_dir(const char *dir)
{
	return reader_dir_has(dir, HF_FILE);
}

/* Is DIR a run directory of this format (reader.h)? */
static bool hf_is_run_dir(const char *dir)
{
	return reader_dir_has(dir, HF_FILE) || newest_checkpoint(dir) >= 0;
}

const struct reader_format read_hf_format = {
	.name = "hf",
	.sniff = hf_sniff,
	.open = hf_open,
	.feed = parse_reader_feed,
	.finish = parse_reader_finish,
	.close = parse_reader_close,
	.load_dir = hf_load_dir,
	.is_run_dir = hf_is_run_dir,
	.owns_dir = hf_owns_dir,
	.label_dir = true,
};
