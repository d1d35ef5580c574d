/* read_lfs.c: the Git LFS pointer "format": a small text file standing in
 * for a log that was never fetched (first line "version
 * https://git-lfs.github.com/spec/v1").  It reads nothing; it says what the
 * file is, where the JSON reader would say "invalid JSON".  Error:
 *   "a Git LFS pointer, not the log itself (run `git lfs pull`)" */
#include "config.h"

#include <string.h>

#include "reader.h"
#include "util.h"

#define LFS_LINE "version https://git-lfs.github.com/spec/v1"

/* Does HEAD start with the pointer's first line? */
static enum reader_sniff lfs_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	size_t n = sizeof LFS_LINE - 1;

	if (len < n)
		return !at_eof && memcmp(head, LFS_LINE, len) == 0 ? READER_MORE : READER_NO;
	return memcmp(head, LFS_LINE, n) == 0 ? READER_YES : READER_NO;
}

/* No state: a non-NULL token. */
static void *lfs_open(struct run *run)
{
	return run;
}

/* Any byte of a pointer file is the error. */
static int lfs_feed(void *state, const void *buf, size_t len, char **cause)
{
	(void)state;
	(void)buf;
	(void)len;
	*cause = xstrdup("a Git LFS pointer, not the log itself (run `git lfs pull`)");
	return -1;
}

/* (Only reached after lfs_feed failed, which the caller reports.) */
static int lfs_finish(void *state, char **cause)
{
	return lfs_feed(state, "", 0, cause);
}

/* Nothing to free. */
static void lfs_close(void *state)
{
	(void)state;
}

const struct reader_format read_lfs_format = {
	.name = "lfs",
	.sniff = lfs_sniff,
	.open = lfs_open,
	.feed = lfs_feed,
	.finish = lfs_finish,
	.close = lfs_close,
};
