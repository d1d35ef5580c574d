/* watch.c: following files that grow (see watch.h). */
#include "config.h"

#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"
#include "util.h"

#define TAIL_CHUNK (128 * 1024) /* bytes per read(2) */
#define TAIL_CHECK 64           /* bytes before the offset checked again */
#define TAIL_COUNTS 8           /* counters raw_counts compares */

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
	/* The last snapshot handed out (the caller's; compared, never
	 * followed) and what of RAW it was finished from: its rows, columns,
	 * drops (run_drop_from) and last row, to tell whether the rows read
	 * since only continue it (snap_extend). */
	const struct run *snap;
	size_t snap_rows, snap_cols, snap_drops;
	double snap_last[RUN_MAX_COLS + 1];
	size_t snap_counts[TAIL_COUNTS]; /* raw_counts of RAW then */
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
	t->snap = NULL;
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

/* The counters of R whose change is a change of what is drawn or said. */
static void raw_counts(const struct run *r, size_t out[TAIL_COUNTS])
{
	out[0] = r->skipped_nostep;
	out[1] = r->nonfinite;
	out[2] = r->ignored_fields;
	out[3] = r->bad_timestamps;
	out[4] = r->mixed_timestamps;
	out[5] = r->bad_records;
	out[6] = r->truncated;
	out[7] = r->partial_lines;
}

/* Did T->raw change since the last snapshot was finished from it?  Its
 * size, its counters, rows dropped (run_drop_from), or its last row: a
 * reader may add a value to the last row (TensorBoard logs one tag per
 * event, so a step's values may arrive in several polls). */
static bool raw_changed(const struct tail *t)
{
	const struct run *r = t->raw;
	size_t now[TAIL_COUNTS];
	if (!t->snap || r->nrows != t->snap_rows || r->ncols != t->snap_cols || r->drops != t->snap_drops)
		return true;
	raw_counts(r, now);
	if (memcmp(now, t->snap_counts, sizeof now) != 0)
		return true;
	for (size_t c = 0; r->nrows && c < r->ncols; c++)
		if (memcmp(&r->cols[c][r->nrows - 1], &t->snap_last[c], sizeof(double)) != 0)
			return true;
	return false;
}

/* Remembers SNAP as the snapshot finished from T->raw as it is now. */
static void snap_remember(struct tail *t, const struct run *snap)
{
	const struct run *r = t->raw;
	t->snap = snap;
	t->snap_rows = r->nrows;
	t->snap_cols = r->ncols;
	t->snap_drops = r->drops;
	for (size_t c = 0; r->nrows && c < r->ncols; c++)
		t->snap_last[c] = r->cols[c][r->nrows - 1];
	raw_counts(r, t->snap_counts);
}

/* Would the raw rows [K, N) of R derive a value of column DST_NAME from
 * SRC_NAME (run_finish's rule) that S has no column for? */
static bool derives_new_col(const struct run *r, const struct run *s, size_t k, const char *src_name,
			    const char *dst_name)
{
	int src = run_find(r, src_name);
	if (src < 0 || run_find(s, dst_name) >= 0)
		return false;
	for (size_t i = k; i < r->nrows; i++) {
		double l = r->cols[src][i];
		if (isfinite(l) && l < 100)
			return true;
	}
	return false;
}

/* Derives column DST_NAME of S's rows from FROM on (run_finish's rule). */
static void derive_tail(struct run *s, size_t from, const char *src_name, const char *dst_name)
{
	int src = run_find(s, src_name), dst = run_find(s, dst_name);
	if (src < 0 || dst < 0)
		return;
	for (size_t i = from; i < s->nrows; i++) {
		double l = s->cols[src][i];
		if (isfinite(l) && l < 100 && isnan(s->cols[dst][i]))
			s->cols[dst][i] = exp(l);
	}
}

/* Replaces the string *DST with a copy of SRC when they differ. */
static void sync_str(char **dst, const char *src)
{
	if (*dst == src || (*dst && src && strcmp(*dst, src) == 0))
		return;
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

/* Gives S the strings, parameters and reader counters of R (what
 * watch_run_copy takes from it; run_finish's own counters stay). */
static void sync_header(struct run *s, const struct run *r)
{
	sync_str(&s->id, r->id);
	sync_str(&s->message, r->message);
	sync_str(&s->name, r->name);
	sync_str(&s->status, r->status);
	bool same = s->nparams == r->nparams;
	for (size_t i = 0; same && i < r->nparams; i++)
		same = strcmp(s->param_keys[i], r->param_keys[i]) == 0 &&
		       strcmp(s->param_values[i], r->param_values[i]) == 0;
	if (!same) {
		while (s->nparams)
			run_del_param(s, s->param_keys[s->nparams - 1]);
		for (size_t i = 0; i < r->nparams; i++) {
			char *cause = NULL;
			if (run_add_param(s, r->param_keys[i], r->param_values[i], &cause) < 0)
				free(cause); /* cannot happen: R holds at most as many */
		}
	}
	s->skipped_nostep = r->skipped_nostep;
	s->nonfinite = r->nonfinite;
	s->ignored_fields = r->ignored_fields;
	s->bad_timestamps = r->bad_timestamps;
	s->mixed_timestamps = r->mixed_timestamps;
	s->time_unit = r->time_unit;
	s->bad_records = r->bad_records;
	s->truncated = r->truncated;
	s->partial_lines = r->partial_lines;
	s->drops = r->drops;
}

/* Extends S, the snapshot finished from T->raw's first snap_rows rows,
 * in place by the raw rows read since, when run_finish of all the raw
 * rows would give S plus those rows: the rows before are unchanged
 * (same columns, no run_drop_from, the same last row), and the new
 * steps ascend strictly beyond S's last (nothing to sort or merge), and
 * derive no column that S lacks.  S's columns may move (realloc).
 * Returns false, S untouched, otherwise. */
static bool snap_extend(struct tail *t, struct run *s)
{
	const struct run *r = t->raw;
	size_t k = t->snap_rows;
	if (k == 0 || r->nrows < k || r->ncols != t->snap_cols || r->drops != t->snap_drops ||
	    s->nrows == 0 || s->borrowed || s->nstat != s->ncols)
		return false;
	for (size_t c = 0; c < r->ncols; c++)
		if (memcmp(&r->cols[c][k - 1], &t->snap_last[c], sizeof(double)) != 0)
			return false;
	double prev = s->cols[0][s->nrows - 1];
	for (size_t i = k; i < r->nrows; i++) {
		if (!(r->cols[0][i] > prev))
			return false;
		prev = r->cols[0][i];
	}
	if (derives_new_col(r, s, k, COL_EVAL_LOSS, COL_PPL) ||
	    derives_new_col(r, s, k, COL_TRAIN_LOSS, COL_TRAIN_PPL))
		return false;
	size_t add = r->nrows - k, old = s->nrows, need = old + add;
	if (need > s->cap) {
		size_t cap = s->cap * 2 > need ? s->cap * 2 : need;
		for (size_t c = 0; c < s->ncols; c++)
			s->cols[c] = xreallocarray(s->cols[c], cap, sizeof(double));
		s->cap = cap;
	}
	for (size_t c = 0; c < r->ncols; c++)
		memcpy(s->cols[c] + old, r->cols[c] + k, add * sizeof(double));
	for (size_t c = r->ncols; c < s->ncols; c++) /* derived: filled below */
		for (size_t i = old; i < need; i++)
			s->cols[c][i] = NAN;
	s->nrows = need;
	int ec = run_find(s, COL_EPOCH);
	if (ec > 0) {
		double last = NAN; /* the last finite epoch before the new rows */
		for (size_t i = old; i > 0 && isnan(last); i--)
			if (isfinite(s->cols[ec][i - 1]))
				last = s->cols[ec][i - 1];
		for (size_t i = old; i < need; i++) {
			double e = s->cols[ec][i];
			if (!isfinite(e))
				continue;
			s->epoch_back += e < last;
			last = e;
		}
	}
	derive_tail(s, old, COL_EVAL_LOSS, COL_PPL);
	derive_tail(s, old, COL_TRAIN_LOSS, COL_TRAIN_PPL);
	run_stat_rows(s, old);
	sync_header(s, r);
	snap_remember(t, s);
	return true;
}

int tail_poll(struct tail *t, struct run *prev, struct run **snapshot, char **cause)
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
		t->snap = NULL;
		return -1;
	}
	reader_name_run(t->reader, t->path);
	if (!restart && !raw_changed(t))
		return 0;
	if (!restart && prev && prev == t->snap && snap_extend(t, prev)) {
		*snapshot = prev;
		return 1;
	}
	*snapshot = watch_run_copy(t->raw);
	run_finish(*snapshot);
	snap_remember(t, *snapshot);
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
	c->status = dup_or_null(r->status);
	run_copy_params(c, r);
	c->cap = r->nrows;
	c->borrowed = 0;
	c->arena = NULL; /* R's; the copy's columns are its own */
	c->arena_size = c->arena_used = 0;
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
