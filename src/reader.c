/* reader.c: format sniffing and the format table (see reader.h). */
#include "config.h"

#include "reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "util.h"

/* The formats, in the order they are asked; the one without sniff is the
 * fallback and comes last. */
static const struct reader_format *const formats[] = {
	&read_lfs_format,
	&mlflowdb_format,
	&tfevents_format,
	&wandb_format,
	&read_hf_format,
	&read_lf_format,
	&read_wbhist_format,
	&read_wbcsv_format,
	&read_csv_format,
	&mlflow_format,
	&parse_json_format,
};

struct reader {
	struct run *run;
	const struct reader_format *fmt; /* NULL while sniffing */
	void *state;
	unsigned char *head;             /* bytes held back while sniffing */
	size_t nhead;
};

struct reader *reader_new(struct run *run)
{
	struct reader *r = xcalloc(1, sizeof *r);
	r->run = run;
	return r;
}

void reader_free(struct reader *r)
{
	if (!r)
		return;
	if (r->fmt)
		r->fmt->close(r->state);
	free(r->head);
	free(r);
}

const char *reader_format_name(const struct reader *r)
{
	return r->fmt ? r->fmt->name : NULL;
}

/* Picks the format for the bytes held (HEAD, NHEAD) plus BUF; returns
 * NULL when a format wants to see more. */
static const struct reader_format *choose(const unsigned char *head, size_t len, bool at_eof)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		const struct reader_format *f = formats[i];
		if (!f->sniff)
			return f;
		switch (f->sniff(head, len, at_eof)) {
		case READER_YES:
			return f;
		case READER_MORE:
			if (!at_eof && len < READER_SNIFF_MAX)
				return NULL;
			break;
		case READER_NO:
			break;
		}
	}
	return formats[ARRAY_SIZE(formats) - 1];
}

/* Sniffs with BUF appended to what is held; once a format is chosen, it
 * gets the held bytes.  Returns 0 (chosen or still sniffing), or -1. */
static int sniff_feed(struct reader *r, const void *buf, size_t len, bool at_eof, char **cause)
{
	const unsigned char *head = buf;
	size_t n = len;
	if (r->nhead) {
		r->head = xrealloc(r->head, r->nhead + len);
		memcpy(r->head + r->nhead, buf, len);
		r->nhead += len;
		head = r->head;
		n = r->nhead;
	}
	const struct reader_format *f = choose(head, n, at_eof);
	if (!f) {
		/* (An empty push before any byte holds nothing.) */
		if (!r->nhead && len) {
			r->head = xmalloc(len);
			memcpy(r->head, buf, len);
			r->nhead = len;
		}
		return 0;
	}
	r->fmt = f;
	r->state = f->open(r->run);
	int rc = n ? f->feed(r->state, head, n, cause) : 0;
	free(r->head);
	r->head = NULL;
	r->nhead = 0;
	return rc;
}

int reader_feed(struct reader *r, const void *buf, size_t len, char **cause)
{
	if (r->fmt)
		return r->fmt->feed(r->state, buf, len, cause);
	return sniff_feed(r, buf, len, false, cause);
}

int reader_finish(struct reader *r, char **cause)
{
	if (!r->fmt && sniff_feed(r, "", 0, true, cause) < 0)
		return -1;
	return r->fmt->finish(r->state, cause);
}

#define READ_CHUNK (128 * 1024) /* bytes per read(2) */

/* Reads all of FD into RUN; *FMT becomes the format chosen (or NULL). */
static int read_fd(struct run *run, int fd, const struct reader_format **fmt, char **cause)
{
	struct reader *r = reader_new(run);
	char *buf = xmalloc(READ_CHUNK);
	struct stat st;
	int ret;

	run->size_hint = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 0;
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xasprintf("read error: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (n == 0) {
			ret = reader_finish(r, cause);
			break;
		}
		if (reader_feed(r, buf, (size_t)n, cause) < 0) {
			ret = -1;
			break;
		}
	}
	free(buf);
	*fmt = r->fmt;
	reader_free(r);
	return ret;
}

int reader_read_fd(struct run *run, int fd, char **cause)
{
	const struct reader_format *fmt;

	return read_fd(run, fd, &fmt, cause);
}

char *reader_dir_name(const char *dir)
{
	char *real = realpath(dir, NULL);

	if (real == NULL)
		return NULL;
	const char *slash = strrchr(real, '/');
	char *name = xstrdup(slash && slash[1] ? slash + 1 : real);
	free(real);
	return name;
}

/* Is NAME "checkpoint-" followed by digits? */
static bool checkpoint_name(const char *name)
{
	if (strncmp(name, "checkpoint-", 11) != 0 || name[11] == '\0')
		return false;
	return strspn(name + 11, "0123456789") == strlen(name + 11);
}

/* Names RUN after PATH's directory when FMT has label_dir (see
 * reader_read_file). */
static void name_run(struct run *run, const struct reader_format *fmt, const char *path)
{
	if (path == NULL || fmt == NULL || !fmt->label_dir || run->name)
		return;
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup(".");
	char *name = reader_dir_name(dir);
	if (name && checkpoint_name(name)) {
		char *up = xasprintf("%s/..", dir);
		char *parent = reader_dir_name(up);
		if (parent) {
			free(name);
			name = parent;
		}
		free(up);
	}
	free(dir);
	run->name = name;
}

int reader_read_file(struct run *run, int fd, const char *path, char **cause)
{
	const struct reader_format *fmt = NULL;
	int rc = read_fd(run, fd, &fmt, cause);

	if (rc == 0)
		name_run(run, fmt, path);
	return rc;
}

void reader_name_run(struct reader *r, const char *path)
{
	name_run(r->run, r->fmt, path);
}

int reader_load_file(struct run *run, const char *dir, const char *file, char **cause)
{
	char *path = xasprintf("%s/%s", dir, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	free(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		*cause = xasprintf("%s: %s", file, strerror(errno));
		return -1;
	}
	char *inner = NULL;
	int rc = reader_read_fd(run, fd, &inner);
	close(fd);
	if (rc < 0) {
		*cause = xasprintf("%s: %s", file, inner);
		free(inner);
	}
	return rc;
}

int reader_load_dir(struct run *run, const char *dir, char **cause)
{
	/* A directory a format owns is that format's run (a finished Hugging
	 * Face output directory, even with event files beside its
	 * trainer_state.json: logging_dir = output_dir). */
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i]->owns_dir && formats[i]->load_dir && formats[i]->owns_dir(dir)) {
			int rc = formats[i]->load_dir(run, dir, cause);
			if (rc == 0 && run->name == NULL)
				run->name = reader_dir_name(dir);
			if (rc <= 0)
				return rc;
		}
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!formats[i]->load_dir)
			continue;
		int rc = formats[i]->load_dir(run, dir, cause);
		if (rc == 0 && run->name == NULL)
			run->name = reader_dir_name(dir);
		if (rc <= 0)
			return rc;
	}
	*cause = xstrdup("no run in this directory: no TensorBoard event files below it, not an MLflow "
			 "store, experiment or run, not a W&B run directory, and no trainer_state.json, "
			 "metrics.csv, trainer_log.jsonl or wandb-history.jsonl in it or the directories in it");
	return -1;
}

char *reader_member_path(const char *target, const char *rel)
{
	size_t tl = strlen(target);
	struct stat st;
	if (strcmp(rel, ".") == 0)
		return xstrdup(target);
	if (rel[0] == '#' && stat(target, &st) == 0 && S_ISREG(st.st_mode))
		return xasprintf("%s%s", target, rel);
	return xasprintf(tl && target[tl - 1] == '/' ? "%s%s" : "%s/%s", target, rel);
}

bool reader_dir_has(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct stat st;
	bool have = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return have;
}

/* Does a format's is_run_dir claim directory DIR? */
static bool claimed_dir(const char *dir)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i]->is_run_dir && formats[i]->is_run_dir(dir))
			return true;
	return false;
}

bool reader_is_run_dir(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && claimed_dir(dir);
}

/* qsort: strings in byte order. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Frees the list *RELS of *N paths and empties it. */
static void free_rels(char ***rels, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*rels)[i]);
	free(*rels);
	*rels = NULL;
	*n = 0;
}

#define READER_MAX_RUNS 1000 /* subdirectories of one directory of runs */

/* The subdirectories of DIR that claimed_dir takes (reader_list_runs). */
static int list_run_dirs(const char *dir, char ***rels, size_t *n, char **cause)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		bool run = stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && claimed_dir(sub);
		free(sub);
		if (!run)
			continue;
		if (*n >= READER_MAX_RUNS) {
			*cause = xasprintf("more than %d runs in the directory", READER_MAX_RUNS);
			rc = -1;
			break;
		}
		*rels = xreallocarray(*rels, *n + 1, sizeof **rels);
		(*rels)[(*n)++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (rc < 0) {
		free_rels(rels, n);
		return -1;
	}
	if (*n)
		qsort(*rels, *n, sizeof **rels, cmp_str);
	/* A link to another of them is that run again: listed once, by the
	 * directory's own name (latest -> run-2 is run-2), or by the first
	 * link's when only links lead there.  Real directories first, then
	 * links; the list keeps its name order. */
	char **real = xcalloc(*n ? *n : 1, sizeof *real);
	bool *keep = xcalloc(*n ? *n : 1, sizeof *keep);
	for (int links = 0; links < 2; links++)
		for (size_t i = 0; i < *n; i++) {
			char *sub = xasprintf("%s/%s", dir, (*rels)[i]);
			struct stat st;
			bool link = lstat(sub, &st) == 0 && S_ISLNK(st.st_mode);
			if (link != (links == 1)) {
				free(sub);
				continue;
			}
			real[i] = realpath(sub, NULL);
			free(sub);
			keep[i] = true;
			for (size_t k = 0; real[i] && k < *n && keep[i]; k++)
				keep[i] = k == i || !keep[k] || !real[k] || strcmp(real[k], real[i]) != 0;
		}
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		free(real[i]);
		if (keep[i])
			(*rels)[kept++] = (*rels)[i];
		else
			free((*rels)[i]);
	}
	free(real);
	free(keep);
	*n = kept;
	return 0;
}

#define PATH_HEAD READER_SNIFF_MAX /* bytes a load_path format's sniff sees */

/* The format with load_path that claims regular file PATH, or NULL. */
static const struct reader_format *path_format(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	unsigned char *head = xmalloc(PATH_HEAD);
	ssize_t got = read(fd, head, PATH_HEAD);
	close(fd);
	const struct reader_format *found = NULL;
	for (size_t i = 0; got > 0 && !found && i < ARRAY_SIZE(formats); i++)
		if (formats[i]->load_path && formats[i]->sniff(head, (size_t)got, true) == READER_YES)
			found = formats[i];
	free(head);
	return found;
}

/* Splits "FILE#SEL" (see reader.h): the format, *FILE (malloc'd) and *SEL
 * (borrowed from TARGET), or NULL. */
static const struct reader_format *split_sel(const char *target, char **file, const char **sel)
{
	for (const char *h = strchr(target, '#'); h; h = strchr(h + 1, '#')) {
		char *f = xstrndup(target, (size_t)(h - target));
		const struct reader_format *fmt = path_format(f);
		if (fmt) {
			*file = f;
			*sel = h + 1;
			return fmt;
		}
		free(f);
	}
	return NULL;
}

bool reader_path_has_sel(const char *target)
{
	char *file = NULL;
	const char *sel;
	bool yes = split_sel(target, &file, &sel) != NULL;
	free(file);
	return yes;
}

char *reader_path_file(const char *target)
{
	char *file = NULL;
	const char *sel;
	return split_sel(target, &file, &sel) ? file : NULL;
}

int reader_load_path(struct run *run, const char *target, char **cause)
{
	const struct reader_format *fmt = path_format(target);
	if (fmt)
		return fmt->load_path(run, target, NULL, cause) < 0 ? -1 : 0;
	struct stat st;
	char *file = NULL;
	const char *sel;
	if (lstat(target, &st) == 0 || (fmt = split_sel(target, &file, &sel)) == NULL)
		return 1;
	int rc = fmt->load_path(run, file, sel, cause);
	free(file);
	return rc < 0 ? -1 : 0;
}

char *reader_run_status(const char *target)
{
	char *file = NULL, *status = NULL;
	const char *sel;
	struct stat st;
	const struct reader_format *fmt = NULL;
	if (lstat(target, &st) != 0 && (fmt = split_sel(target, &file, &sel)) != NULL) {
		status = fmt->run_status ? fmt->run_status(file, sel) : NULL;
		free(file);
		return status;
	}
	if (stat(target, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	for (size_t i = 0; !status && i < ARRAY_SIZE(formats); i++)
		if (formats[i]->run_status)
			status = formats[i]->run_status(target, NULL);
	return status;
}

bool reader_reads_by_path(const char *target)
{
	return path_format(target) != NULL;
}

/* Is directory PATH one run whatever lies below it (an owns_dir)? */
static bool owned_dir(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i]->owns_dir && formats[i]->owns_dir(path))
			return true;
	return false;
}

/* A tracker's run below an owned directory of DIR (a finished Hugging Face
 * output directory's runs/<date>_<host> of TensorBoard events) is that
 * directory's run: each of the *N entries of *RELS becomes its shortest
 * owned ancestor below DIR, when it has one, listed once; the list stays
 * sorted.  Entries that start with '#' (runs inside a file) are left. */
static void fold_owned(const char *dir, char **rels, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		char *rel = rels[i];
		if (rel[0] == '#')
			continue;
		for (char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
			char *up = xasprintf("%s/%.*s", dir, (int)(slash - rel), rel);
			bool owned = owned_dir(up);
			free(up);
			if (owned) {
				*slash = '\0';
				break;
			}
		}
	}
	qsort(rels, *n, sizeof *rels, cmp_str);
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		if (kept && strcmp(rels[kept - 1], rels[i]) == 0)
			free(rels[i]);
		else
			rels[kept++] = rels[i];
	}
	*n = kept;
}

/* Adds to a tracker's listing *RELS[0..*N) of DIR the run subdirectories
 * of DIR (list_run_dirs) that none of its entries is or lies below: a
 * sweep whose output directories do not all hold TensorBoard logs, a
 * lightning_logs/ whose version_0 has only metrics.csv.  Not when the
 * listing has DIR itself or a format claims DIR.  Sorted; 0, or -1 with
 * *cause and the list freed. */
static int add_run_dirs(const char *dir, char ***rels, size_t *n, char **cause)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*rels)[i], ".") == 0)
			return 0;
	if (claimed_dir(dir))
		return 0;
	char **more = NULL;
	size_t m = 0;
	int rc = list_run_dirs(dir, &more, &m, cause);
	for (size_t k = 0; k < m; k++) {
		size_t len = strlen(more[k]);
		bool covered = false;
		for (size_t i = 0; i < *n && !covered; i++)
			covered = strncmp((*rels)[i], more[k], len) == 0 &&
				  ((*rels)[i][len] == '\0' || (*rels)[i][len] == '/');
		if (covered || rc < 0 || *n >= READER_MAX_RUNS) {
			if (!covered && rc == 0) {
				*cause = xasprintf("more than %d runs in the directory", READER_MAX_RUNS);
				rc = -1;
			}
			free(more[k]);
			continue;
		}
		*rels = xreallocarray(*rels, *n + 1, sizeof **rels);
		(*rels)[(*n)++] = more[k];
	}
	free(more);
	if (rc < 0) {
		free_rels(rels, n);
		return -1;
	}
	qsort(*rels, *n, sizeof **rels, cmp_str);
	return 0;
}

int reader_list_runs(const char *dir, char ***rels, size_t *n, char **cause)
{
	*rels = NULL;
	*n = 0;
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode)) {
		const struct reader_format *fmt = path_format(dir);
		return fmt && fmt->list_runs ? fmt->list_runs(dir, rels, n, cause) : 0;
	}
	if (owned_dir(dir))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!formats[i]->list_runs)
			continue;
		if (formats[i]->list_runs(dir, rels, n, cause) < 0)
			return -1;
		if (*n) {
			fold_owned(dir, *rels, n);
			return add_run_dirs(dir, rels, n, cause);
		}
		free(*rels);
		*rels = NULL;
	}
	/* A directory of runs (lightning_logs/, a sweep's output/): its
	 * subdirectories that are runs, unless it is one itself. */
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && !claimed_dir(dir))
		return list_run_dirs(dir, rels, n, cause);
	return 0;
}
