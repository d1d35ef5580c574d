/* read_mlflow.c: MLflow file stores (mlruns/), directories only.
 *
 *   mlruns/<experiment_id>/meta.yaml            the experiment
 *   mlruns/<experiment_id>/<run_id>/meta.yaml   a run: run_id (older
 *       run_uuid), run_name (older: name, or tags/mlflow.runName),
 *       status, start_time (ms), lifecycle_stage
 *   .../<run_id>/metrics/<key>   lines "<timestamp ms> <value> <step>"
 *       (older files: two fields, step 0); a key with '/' is a
 *       subdirectory; values as Python prints floats (nan, inf, -inf)
 * A run directory is one run; an experiment directory, or the store's
 * root, holds runs (list_runs), deleted ones (lifecycle_stage: deleted)
 * left out as MLflow's UI does.  Metric keys map to columns through
 * tagmap.h; the timestamp feeds the time column.  params/<key> files
 * (raw text; nested keys are subdirectories) are the run's parameters;
 * meta.yaml's status (a number, mlflow.h) is the run's status. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mlflow.h"
#include "reader.h"
#include "tagmap.h"
#include "util.h"

#define MLF_MAX_DEPTH 8     /* levels of '/' in a metric key, at most */
/* mlruns/EXPERIMENT/RUN/metrics/KEY... below a store given as the JOB */
_Static_assert(3 + MLF_MAX_DEPTH + 1 <= READER_DIR_DEPTH, "--newer looks as deep as metrics are read");
#define MLF_MAX_LINE 4096   /* bytes of a metric line, at most */
#define MLF_MAX_META 65536  /* bytes of meta.yaml read, at most */

/* The value of top-level KEY in meta.yaml text YAML (quotes removed), or
 * NULL; malloc'd. */
static char *yaml_get(const char *yaml, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = yaml; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, kl) != 0 || l[kl] != ':')
			continue;
		const char *v = l + kl + 1;
		v += strspn(v, " \t");
		size_t n = strcspn(v, "\r\n");
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		return xstrndup(v, n);
	}
	return NULL;
}

/* The first MLF_MAX_META bytes of file PATH, NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *s = xmalloc(MLF_MAX_META + 1);
	size_t n = fread(s, 1, MLF_MAX_META, f);
	fclose(f);
	s[n] = '\0';
	return s;
}

/* DIR's meta.yaml when DIR is a run (it names a run_id or run_uuid), or
 * NULL; malloc'd. */
static char *run_meta(const char *dir)
{
	char *path = xasprintf("%s/meta.yaml", dir);
	char *yaml = slurp(path);
	free(path);
	if (!yaml)
		return NULL;
	char *id = yaml_get(yaml, "run_id");
	if (!id)
		id = yaml_get(yaml, "run_uuid");
	if (!id) {
		free(yaml);
		return NULL;
	}
	free(id);
	return yaml;
}

const char *mlflow_status(const char *s)
{
	static const char *const names[][3] = {
		{ "1", "RUNNING", "running" },    { "2", "SCHEDULED", "queued" },
		{ "3", "FINISHED", "completed" }, { "4", "FAILED", "failed" },
		{ "5", "KILLED", "cancelled" },
	};
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i][0]) == 0 || strcmp(s, names[i][1]) == 0)
			return names[i][2];
	return NULL;
}

/* The status in meta.yaml text YAML (mlflow_status), malloc'd, or NULL. */
static char *meta_status(const char *yaml)
{
	char *raw = yaml_get(yaml, "status");
	const char *st = mlflow_status(raw);
	free(raw);
	return st ? xstrdup(st) : NULL;
}

/* Reads metric file PATH (key KEY) into RUN: a row per line.  HF: the run
 * holds Hugging Face's summary (tagmap_hf_summary). */
static int read_metric(struct run *run, const char *path, const char *key, bool hf, int time_col,
		       char **cause)
{
	if (hf && strcmp(key, TAGMAP_HF_MEAN) == 0)
		return 0;
	char *colname = tagmap_column(key, strlen(key), false);
	if (!colname)
		return 0;
	int col = run_col(run, colname);
	free(colname);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	if (col < 0) {
		run->ignored_fields++;
		fclose(f);
		return 0;
	}
	char line[MLF_MAX_LINE];
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		char *p = line, *end;
		double ts = strtod(p, &end);
		bool ok = end != p;
		p = end;
		double v = strtod(p, &end);
		ok = ok && end != p;
		p = end;
		double step = 0;
		p += strspn(p, " \t");
		if (*p && *p != '\n' && *p != '\r') {
			step = strtod(p, &end);
			ok = ok && end != p && fabs(step) < 9.007199254740992e15 && step == floor(step);
			p = end;
		}
		p += strspn(p, " \t\r\n");
		if (!ok || *p) {
			/* A line that does not fit (too long, or not numbers). */
			run->skipped_nostep++;
			if (!strchr(line, '\n'))
				while (fgets(line, sizeof line, f) && !strchr(line, '\n'))
					;
			continue;
		}
		if (run_add_row(run, step, cause) < 0) {
			rc = -1;
			break;
		}
		if (isfinite(ts) && ts > 0)
			run_set(run, time_col, ts / 1000);
		if (isfinite(v))
			run_set(run, col, v);
		else
			run->nonfinite++;
	}
	fclose(f);
	return rc;
}

/* tagmap_hf_summary: does metrics directory CTX hold a file KEY? */
static bool has_metric(const void *ctx, const char *key)
{
	return reader_dir_has(ctx, key);
}

/* Reads the metrics under DIR/REL (REL "" at the top), key prefix REL. */
static int read_metrics(struct run *run, const char *dir, const char *rel, int depth, bool hf,
			int time_col, char **cause)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = opendir(path);
	if (!d) {
		free(path);
		return 0;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *key = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		char *fp = xasprintf("%s/%s", path, names[i]);
		struct stat st;
		if (rc == 0 && stat(fp, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < MLF_MAX_DEPTH)
				rc = read_metrics(run, dir, key, depth + 1, hf, time_col, cause);
			else if (S_ISREG(st.st_mode))
				rc = read_metric(run, fp, key, hf, time_col, cause);
		}
		free(fp);
		free(key);
		free(names[i]);
	}
	free(names);
	free(path);
	return rc;
}

/* Adds the parameters under DIR/REL (REL "" at the top; a key with '/'
 * is a subdirectory) to RUN, in name order: each file's text is the value
 * (MLF_MAX_META bytes at most). */
static int read_params(struct run *run, const char *dir, const char *rel, int depth, char **cause)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	struct dirent **des = NULL;
	int nd = scandir(path, &des, NULL, alphasort);
	int rc = 0;
	for (int i = 0; i < nd; i++) {
		const char *nm = des[i]->d_name;
		char *key = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
		char *fp = xasprintf("%s/%s", path, nm);
		struct stat st;
		if (rc == 0 && nm[0] != '.' && stat(fp, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < MLF_MAX_DEPTH) {
				rc = read_params(run, dir, key, depth + 1, cause);
			} else if (S_ISREG(st.st_mode)) {
				char *v = slurp(fp);
				if (v)
					rc = run_add_param(run, key, v, cause);
				free(v);
			}
		}
		free(fp);
		free(key);
		free(des[i]);
	}
	free(des);
	free(path);
	return rc;
}

/* An MLflow run directory: meta.yaml naming a run, metrics/, params/. */
static int mlf_load_dir(struct run *run, const char *dir, char **cause)
{
	char *yaml = run_meta(dir);
	if (!yaml)
		return 1;
	char *name = yaml_get(yaml, "run_name");
	if (!name || !*name) {
		free(name);
		name = yaml_get(yaml, "name");
	}
	if (!name || !*name) {
		free(name);
		char *path = xasprintf("%s/tags/mlflow.runName", dir);
		name = slurp(path);
		free(path);
		if (name)
			name[strcspn(name, "\r\n")] = '\0';
	}
	if (name && *name) {
		free(run->name);
		run->name = name;
	} else {
		free(name);
	}
	free(run->id);
	run->id = yaml_get(yaml, "run_id");
	if (!run->id)
		run->id = yaml_get(yaml, "run_uuid");
	free(run->status);
	run->status = meta_status(yaml);
	free(yaml);
	char *mdir = xasprintf("%s/metrics", dir);
	int time_col = run_col(run, COL_TIME);
	bool hf = tagmap_hf_summary(has_metric, mdir);
	int rc = read_metrics(run, mdir, "", 0, hf, time_col, cause);
	free(mdir);
	char *pdir = xasprintf("%s/params", dir);
	if (rc == 0)
		rc = read_params(run, pdir, "", 0, cause);
	free(pdir);
	/* Each metric file is in step order; together they are not. */
	run_sort_rows(run);
	return rc < 0 ? -1 : 0;
}

/* Is DIR a run not deleted?  */
static bool live_run(const char *dir)
{
	char *yaml = run_meta(dir);
	if (!yaml)
		return false;
	char *stage = yaml_get(yaml, "lifecycle_stage");
	bool live = !stage || strcmp(stage, "deleted") != 0;
	free(stage);
	free(yaml);
	return live;
}

/* qsort: by name. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the runs in DIR/REL (an experiment, or DEPTH 0 the store's root)
 * to *RELS. */
static void find_runs(const char *dir, const char *rel, int depth, char ***rels, size_t *n)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *r2 = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		char *sub = xasprintf("%s/%s", path, de->d_name);
		struct stat st;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (live_run(sub)) {
				*rels = xreallocarray(*rels, *n + 1, sizeof **rels);
				(*rels)[(*n)++] = xstrdup(r2);
			} else if (depth == 0) {
				find_runs(dir, r2, 1, rels, n);
			}
		}
		free(sub);
		free(r2);
	}
	if (d)
		closedir(d);
	free(path);
}

/* The runs of a store, an experiment, or a run itself (".").  */
static int mlf_list_runs(const char *dir, char ***rels, size_t *n, char **cause)
{
	(void)cause;
	*rels = NULL;
	*n = 0;
	char *self = run_meta(dir);
	if (self) {
		free(self);
		*rels = xcalloc(1, sizeof **rels);
		(*rels)[(*n)++] = xstrdup(".");
		return 0;
	}
	find_runs(dir, "", 0, rels, n);
	if (*n)
		qsort(*rels, *n, sizeof **rels, cmp_str);
	return 0;
}

/* The status of run directory DIR (SEL is for files: none here). */
static char *mlf_run_status(const char *dir, const char *sel)
{
	char *yaml = sel ? NULL : run_meta(dir);
	char *status = yaml ? meta_status(yaml) : NULL;
	free(yaml);
	return status;
}

/* No file is an MLflow store: only directories are. */
static enum reader_sniff mlf_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	(void)head;
	(void)len;
	(void)at_eof;
	return READER_NO;
}

const struct reader_format mlflow_format = {
	.name = "mlflow",
	.sniff = mlf_sniff,
	.load_dir = mlf_load_dir,
	.list_runs = mlf_list_runs,
	.run_status = mlf_run_status,
};
