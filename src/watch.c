/* watch.c: following files that grow (see watch.h). */
#include "config.h"

#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"
#include "util.h"

#define TAIL_CHUNK (128 * 1024) /* bytes per read(2) */
#define TAIL_CHECK 64           /* bytes before the offset checked again */

struct tail {
	char *path, *arg;
	struct run *raw;        /* the rows read so far, never finished */
	struct reader *reader;  /* open between polls; NULL before the first */
	dev_t dev;
	ino_t ino;
	off_t off;              /* bytes pushed into the reader */
	struct timespec mtime;  /* of the file when last read */
	unsigned char check[TAIL_CHECK]; /* the bytes before off */
	size_t ncheck;
	uint64_t bytes_read;
};

struct tail *tail_new(const char *path, const char *arg)
{
	struct tail *t = xcalloc(1, sizeof *t);
	t->path = xstrdup(path);
	t->arg = xstrdup(arg);
	return t;
}

void tail_free(struct tail *t)
{
	if (!t)
		return;
	reader_free(t->reader);
	run_free(t->raw);
	free(t->path);
	free(t->arg);
	free(t);
}

uint64_t tail_bytes_read(const struct tail *t)
{
	return t->bytes_read;
}

/* Forgets what was read: the next read starts at the file's first byte. */
static void tail_restart(struct tail *t)
{
	reader_free(t->reader);
	run_free(t->raw);
	t->raw = run_new(t->arg);
	t->reader = reader_new(t->raw);
	t->off = 0;
	t->ncheck = 0;
}

/* pread until N bytes or the end; returns the bytes read or -1. */
static ssize_t pread_full(int fd, void *buf, size_t n, off_t at)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, at + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* Are the bytes before the offset still those that were read? */
static bool tail_same_prefix(const struct tail *t, int fd)
{
	unsigned char now[TAIL_CHECK];
	if (t->ncheck == 0)
		return true;
	ssize_t k = pread_full(fd, now, t->ncheck, t->off - (off_t)t->ncheck);
	return k == (ssize_t)t->ncheck && memcmp(now, t->check, t->ncheck) == 0;
}

/* Remembers the last bytes of BUF[0..N) as those before the offset. */
static void tail_keep(struct tail *t, const unsigned char *buf, size_t n)
{
	if (n >= TAIL_CHECK) {
		memcpy(t->check, buf + n - TAIL_CHECK, TAIL_CHECK);
		t->ncheck = TAIL_CHECK;
		return;
	}
	size_t keep = t->ncheck + n > TAIL_CHECK ? TAIL_CHECK - n : t->ncheck;
	memmove(t->check, t->check + t->ncheck - keep, keep);
	memcpy(t->check + keep, buf, n);
	t->ncheck = keep + n;
}

/* Pushes the file's bytes from the offset to its end into the reader.
 * Returns 0, or -1 with *cause. */
static int tail_read(struct tail *t, int fd, char **cause)
{
	unsigned char *buf = xmalloc(TAIL_CHUNK);
	int rc = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, TAIL_CHUNK, t->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xasprintf("read error: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		t->bytes_read += (uint64_t)n;
		t->off += n;
		tail_keep(t, buf, (size_t)n);
		if (reader_feed(t->reader, buf, (size_t)n, cause) < 0) {
			rc = -1;
			break;
		}
	}
	free(buf);
	return rc;
}

/* The counters and sizes a poll compares to tell a change. */
static size_t tail_mark(const struct run *r)
{
	return r->nrows + r->skipped_nostep + r->ncols;
}

int tail_poll(struct tail *t, struct run **snapshot, char **cause)
{
	*snapshot = NULL;
	int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*cause = xstrdup(strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		*cause = xstrdup(strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xstrdup("not a regular file any more");
		close(fd);
		return -1;
	}
	bool restart = !t->reader || st.st_dev != t->dev || st.st_ino != t->ino || st.st_size < t->off;
	if (!restart && st.st_size == t->off && st.st_mtim.tv_sec == t->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == t->mtime.tv_nsec) {
		close(fd);
		return 0;
	}
	if (!restart && !tail_same_prefix(t, fd))
		restart = true;
	size_t before = t->raw ? tail_mark(t->raw) : 0;
	if (restart)
		tail_restart(t);
	int rc = tail_read(t, fd, cause);
	if (rc < 0 && !restart) {
		/* Bytes that do not read where the last read stopped: the file
		 * was rewritten rather than appended to.  Once more from the
		 * start; that read's error is the error. */
		free(*cause);
		*cause = NULL;
		restart = true;
		tail_restart(t);
		rc = tail_read(t, fd, cause);
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->mtime = st.st_mtim;
	close(fd);
	if (rc < 0) {
		/* Start over next time. */
		reader_free(t->reader);
		t->reader = NULL;
		return -1;
	}
	reader_name_run(t->reader, t->path);
	if (!restart && tail_mark(t->raw) == before)
		return 0;
	*snapshot = watch_run_copy(t->raw);
	run_finish(*snapshot);
	return 1;
}

/* A malloc'd copy of S, or NULL for NULL. */
static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct run *watch_run_copy(const struct run *r)
{
	struct run *c = xmalloc(sizeof *c);
	*c = *r; /* counters and sizes */
	c->arg = xstrdup(r->arg);
	c->id = dup_or_null(r->id);
	c->message = dup_or_null(r->message);
	c->name = dup_or_null(r->name);
	run_copy_params(c, r);
	c->cap = r->nrows;
	c->borrowed = 0;
	for (size_t k = 0; k < r->ncols; k++) {
		c->names[k] = xstrdup(r->names[k]);
		c->cols[k] = NULL;
		if (r->nrows) {
			c->cols[k] = xreallocarray(NULL, r->nrows, sizeof(double));
			memcpy(c->cols[k], r->cols[k], r->nrows * sizeof(double));
		}
	}
	return c;
}

/* Both NULL or equal strings. */
static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool watch_run_same(const struct run *a, const struct run *b)
{
	if (a->nrows != b->nrows || a->ncols != b->ncols || a->nparams != b->nparams ||
	    a->skipped_nostep != b->skipped_nostep || a->nonfinite != b->nonfinite ||
	    a->partial_lines != b->partial_lines || a->truncated != b->truncated ||
	    a->bad_records != b->bad_records || !same_str(a->id, b->id) ||
	    !same_str(a->message, b->message) || !same_str(a->name, b->name))
		return false;
	for (size_t k = 0; k < a->ncols; k++)
		if (strcmp(a->names[k], b->names[k]) != 0 ||
		    (a->nrows && memcmp(a->cols[k], b->cols[k], a->nrows * sizeof(double)) != 0))
			return false;
	for (size_t i = 0; i < a->nparams; i++)
		if (strcmp(a->param_keys[i], b->param_keys[i]) != 0 ||
		    strcmp(a->param_values[i], b->param_values[i]) != 0)
			return false;
	return true;
}
