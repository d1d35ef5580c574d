/* compare.c: spec + run cache -> chart (see compare.h). */
#include "config.h"

#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http.h"
#include "joblist.h"
#include "layout.h"
#include "mlflow.h"
#include "reader.h"
#include "source.h"
#include "text.h"
#include "util.h"

#define LABEL_CHARS 64 /* characters of a legend label */

static const char *const default_colors[] = {
	"#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", /* the platform's */
	"#0891b2", "#db2777", "#65a30d", "#ca8a04", "#4f46e5", "#0d9488", "#78716c",
};

const char *compare_color(const struct compare_spec *spec, size_t i)
{
	if (spec && spec->ncolors)
		return spec->colors[i % spec->ncolors];
	return default_colors[i % ARRAY_SIZE(default_colors)];
}

/* ------------------------------------------------------------- panels */

/* Parses "MIN:MAX" (either side may be empty) into R. */
static int parse_range(const char *s, struct gp_range *r)
{
	r->min = r->max = NAN;
	const char *colon = strchr(s, ':');
	if (!colon || strchr(colon + 1, ':'))
		return -1;
	char *end;
	if (colon != s) {
		r->min = strtod(s, &end);
		if (end != colon || !isfinite(r->min))
			return -1;
	}
	if (colon[1]) {
		r->max = strtod(colon + 1, &end);
		if (*end || !isfinite(r->max))
			return -1;
	}
	if (isfinite(r->min) && isfinite(r->max) && !(r->min < r->max))
		return -1;
	return 0;
}

/* Index of the panel named NAME (as written in -m, or its columns), or -1. */
static int panel_index(const struct panel_set *ps, const char *name)
{
	for (size_t p = 0; p < ps->npanels; p++) {
		const struct panel *pan = &ps->panels[p];
		if (strcmp(pan->name, name) == 0)
			return (int)p;
		for (size_t s = 0; s < pan->nseries; s++)
			if (strcmp(pan->series[s].column, name) == 0)
				return (int)p;
	}
	return -1;
}

/* --logy LIST: sets logy on the panels named. */
static int set_logy(struct panel_set *ps, const char *list, const char *metrics, char **cause)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
		int p = panel_index(ps, t);
		if (p < 0) {
			*cause = xasprintf("'%s' is not one of the panels (-m %s)", t, metrics);
			rc = -1;
		} else {
			ps->panels[p].logy = true;
		}
	}
	free(copy);
	return rc;
}

/* --yrange PANEL=MIN:MAX,…: sets the y ranges. */
static int set_yranges(struct panel_set *ps, const char *list, const char *metrics, char **cause)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		int p = -1;
		if (eq) {
			*eq = '\0';
			p = panel_index(ps, t);
		}
		if (!eq || p < 0 || parse_range(eq + 1, &ps->yranges[p]) != 0) {
			*cause = eq && p < 0
				? xasprintf("'%s' is not one of the panels (-m %s)", t, metrics)
				: xasprintf("'%s%s%s' is not PANEL=MIN:MAX", t, eq ? "=" : "", eq ? eq + 1 : "");
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

int compare_panels(const struct compare_spec *spec, struct panel_set *ps, const char **option,
		   char **cause)
{
	const char *metrics = spec->metrics ? spec->metrics : SPEC_DEFAULT_METRICS;
	memset(ps, 0, sizeof *ps);
	ps->xrange.min = ps->xrange.max = NAN;
	*option = "--metrics";
	if (panel_list_parse(metrics, &ps->panels, &ps->npanels, cause) != 0)
		return -1;
	ps->yranges = xcalloc(ps->npanels, sizeof *ps->yranges);
	for (size_t p = 0; p < ps->npanels; p++)
		ps->yranges[p].min = ps->yranges[p].max = NAN;
	int rc = 0;
	if (spec->xrange && parse_range(spec->xrange, &ps->xrange) != 0) {
		*option = "--xrange";
		*cause = xasprintf("'%s' is not MIN:MAX", spec->xrange);
		rc = -1;
	}
	if (rc == 0 && spec->logy) {
		*option = "--logy";
		rc = set_logy(ps, spec->logy, metrics, cause);
	}
	if (rc == 0 && spec->yrange) {
		*option = "--yrange";
		rc = set_yranges(ps, spec->yrange, metrics, cause);
	}
	if (rc != 0)
		panel_set_free(ps);
	return rc;
}

void panel_set_free(struct panel_set *ps)
{
	panel_list_free(ps->panels, ps->npanels);
	free(ps->yranges);
	memset(ps, 0, sizeof *ps);
}

/* --------------------------------------------------------------- jobs */

/* Keeps those of NAMES[0..*N) whose STATUSES[i] is in WANT (a run
 * without one, NULL, is kept: its source keeps none), freeing the others'
 * names.  0, or -1 with *cause (and *N 0) when none is left. */
static int keep_status(char **names, const char *const *statuses, size_t *n, const char *want, char **cause)
{
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		if (!statuses[i] || joblist_status_wanted(want, statuses[i]))
			names[kept++] = names[i];
		else
			free(names[i]);
	}
	if (kept == 0) {
		*cause = xasprintf("none of its %zu runs has a status in --status=%s", *n, want);
		*n = 0;
		return -1;
	}
	*n = kept;
	return 0;
}

/* keep_status for the runs RELS[0..*N) under TARGET, by reader_run_status. */
static int filter_status(const char *target, const char *status, char **rels, size_t *n, char **cause)
{
	char **st = xcalloc(*n ? *n : 1, sizeof *st);
	size_t was = *n;
	for (size_t i = 0; i < *n; i++) {
		char *path = reader_member_path(target, rels[i]);
		st[i] = reader_run_status(path);
		free(path);
	}
	int rc = keep_status(rels, (const char *const *)st, n, status, cause);
	for (size_t i = 0; i < was; i++)
		free(st[i]);
	free(st);
	return rc;
}

/* Adds directory TARGET (or a file holding runs: mlflow.db) to the cache:
 * as a group when it holds several runs, or one run below it (those of
 * STATUS, when not NULL: filter_status); else as one entry.  0, or -1
 * with *cause. */
static int add_file(struct run_cache *c, const char *arg, const char *target, const char *status,
		    char **cause)
{
	struct stat st;
	char **rels = NULL;
	size_t n = 0;
	if (stat(target, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) &&
	    reader_list_runs(target, &rels, &n, cause) < 0)
		return -1;
	bool group = n > 1 || (n == 1 && strcmp(rels[0], ".") != 0);
	if (group && status && *status && filter_status(target, status, rels, &n, cause) < 0) {
		free(rels);
		return -1;
	}
	if (group)
		cache_add_group(c, target, SOURCE_FILE, rels, NULL, n);
	else
		cache_add(c, arg, target, SOURCE_FILE);
	for (size_t i = 0; i < n; i++)
		free(rels[i]);
	free(rels);
	return 0;
}

/* Adds URL TARGET: an MLflow server's experiment (mlflow_http_list) as
 * the group of its runs (those whose status is in STATUS, unless NULL;
 * a run without one is kept), anything else as one entry.  A listing the
 * server failed, or whose answer made no sense, is that entry, failed as
 * a fetch fails (cache_add_failed: the other jobs are still read, -k and
 * --batch go on).  0, or -1 with *cause and *status (EXIT_USAGE). */
static int add_url(struct run_cache *c, const char *arg, const char *target, const char *status_list,
		   const struct fetch_config *fc, char **cause, int *status)
{
	char **members = NULL;
	const char **statuses = NULL;
	size_t n = 0;
	/* (An experiment another JOB or batch line named is listed once,
	 * whether that worked or failed.) */
	if (cache_find_group(c, target, SOURCE_URL) || cache_find(c, target, SOURCE_URL))
		return 0;
	if (mlflow_http_is(target) && mlflow_http_list(target, fc, &members, &statuses, &n, cause, status) < 0) {
		cache_add_failed(c, arg, target, SOURCE_URL, *status, *cause);
		*cause = NULL;
		return 0;
	}
	if (n && status_list && *status_list &&
	    keep_status(members, statuses, &n, status_list, cause) < 0) {
		*status = EXIT_USAGE;
		free(members);
		free(statuses);
		return -1;
	}
	free(statuses);
	if (n == 0) {
		cache_add(c, arg, target, SOURCE_URL);
		return 0;
	}
	/* Each member's rel is its run id: a run without a name is labelled
	 * by its id, as when named alone. */
	char **rels = xcalloc(n, sizeof *rels);
	for (size_t i = 0; i < n; i++)
		rels[i] = strrchr(members[i], '/') + 1;
	cache_add_group(c, target, SOURCE_URL, rels, members, n);
	for (size_t i = 0; i < n; i++)
		free(members[i]);
	free(members);
	free(rels);
	return 0;
}

int compare_add_jobs(const struct compare_spec *spec, struct run_cache *c,
		     const struct fetch_config *fc, size_t *bad, char **cause, int *status)
{
	bool stdin_taken = false;
	for (size_t i = 0; i < spec->njobs; i++) {
		char *label = NULL, *target = NULL;
		enum source_kind kind = source_classify(spec->jobs[i], &label, &target);
		const char *why = source_usage_problem(kind, fc, &stdin_taken);
		int rc = 0;
		*status = EXIT_USAGE;
		if (why)
			*cause = xstrdup(why);
		else if (kind == SOURCE_FILE)
			rc = add_file(c, spec->jobs[i], target, spec->status, cause);
		else if (kind == SOURCE_URL)
			rc = add_url(c, spec->jobs[i], target, spec->status, fc, cause, status);
		else
			cache_add(c, spec->jobs[i], target, kind);
		free(label);
		free(target);
		if (why || rc < 0) {
			*bad = i;
			return -1;
		}
	}
	return 0;
}

/* source_classify(JOB) for a JOB in cache C: a JOB that named a file or
 * directory stays one while it is gone (a watch's directory deleted
 * meanwhile), where a bare name that names no file reads as a job id. */
static enum source_kind cached_kind(const struct run_cache *c, const char *job, char **label,
				    char **target)
{
	enum source_kind kind = source_classify(job, label, target);
	if (kind == SOURCE_JOBID &&
	    (cache_find_group(c, *target, SOURCE_FILE) || cache_find(c, *target, SOURCE_FILE)))
		kind = SOURCE_FILE;
	return kind;
}

/* The group JOB stands for, or NULL. */
static const struct cache_group *job_group(const struct run_cache *c, const char *job)
{
	char *label = NULL, *target = NULL;
	enum source_kind kind = cached_kind(c, job, &label, &target);
	const struct cache_group *g = cache_find_group(c, target, kind);
	free(label);
	free(target);
	return g;
}

/* Does a JOB of SPEC stand for entry E? */
static bool job_stands_for(const struct compare_spec *spec, const struct run_cache *c,
			   const struct cache_entry *e)
{
	bool found = false;
	for (size_t i = 0; i < spec->njobs && !found; i++) {
		size_t n;
		struct job_run *jr = compare_job_runs(c, spec->jobs[i], &n);
		for (size_t k = 0; k < n && !found; k++)
			found = jr[k].entry == e;
		free(jr);
	}
	return found;
}

/* The runs of directory (or mlflow.db) TARGET as add_file lists them:
 * *MEMBERS their JOBs, *RELS their paths below it, *STATUSES NULL.  0, or
 * -1 with *cause (strerror's text when TARGET is gone). */
static int list_file(const char *target, char ***members, char ***rels, char **cause)
{
	struct stat st;
	size_t n = 0;
	if (stat(target, &st) != 0) {
		*cause = xstrdup(strerror(errno));
		return -1;
	}
	if (reader_list_runs(target, rels, &n, cause) < 0)
		return -1;
	*members = xcalloc(n ? n : 1, sizeof **members);
	for (size_t i = 0; i < n; i++)
		(*members)[i] = reader_member_path(target, (*rels)[i]);
	return (int)n;
}

int compare_relist(const struct compare_spec *spec, size_t job, struct run_cache *c,
		   const struct fetch_config *fc, char ***joined, size_t *njoined, char ***left,
		   size_t *nleft, char **cause)
{
	*joined = *left = NULL;
	*njoined = *nleft = 0;
	char *label = NULL, *target = NULL;
	enum source_kind kind = cached_kind(c, spec->jobs[job], &label, &target);
	free(label);
	const struct cache_group *g = cache_find_group(c, target, kind);
	for (size_t k = 0; g && k < job; k++)
		if (job_group(c, spec->jobs[k]) == g)
			g = NULL; /* listed for that JOB */
	char **members = NULL, **rels = NULL;
	const char **statuses = NULL;
	size_t n = 0;
	int rc = 0, status;
	if (g && kind == SOURCE_URL) {
		rc = mlflow_http_list(target, fc, &members, &statuses, &n, cause, &status);
		rels = xcalloc(n ? n : 1, sizeof *rels);
		for (size_t i = 0; rc == 0 && i < n; i++)
			rels[i] = xstrdup(strrchr(members[i], '/') + 1);
	} else if (g) {
		rc = list_file(target, &members, &rels, cause);
		n = rc > 0 ? (size_t)rc : 0;
		rc = rc < 0 ? -1 : 0;
	}
	/* Who is listed now: the members that stay, and the runs that join
	 * when their status is wanted. */
	bool *was = xcalloc(n ? n : 1, sizeof *was);
	size_t kept = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct cache_entry *e = cache_find(c, members[i], kind);
		for (size_t k = 0; e && k < g->n && !was[i]; k++)
			was[i] = g->members[k] == e;
		bool want = was[i] || !spec->status || !*spec->status;
		if (!want && kind == SOURCE_URL) {
			want = !statuses[i] || joblist_status_wanted(spec->status, statuses[i]);
		} else if (!want) {
			char *st = reader_run_status(members[i]);
			want = !st || joblist_status_wanted(spec->status, st);
			free(st);
		}
		if (!want) {
			free(members[i]);
			free(rels[i]);
			continue;
		}
		members[kept] = members[i];
		rels[kept] = rels[i];
		was[kept++] = was[i];
	}
	size_t nwere = 0;
	for (size_t i = 0; i < kept; i++)
		nwere += was[i];
	/* A listing without a run (every run gone, the directory emptied)
	 * changes nothing: the runs drawn stay, as their own reads say. */
	if (rc == 0 && kept && (nwere < kept || nwere < g->n)) {
		size_t nold = g->n;
		const struct cache_entry **old = xcalloc(nold ? nold : 1, sizeof *old);
		char **old_jobs = xcalloc(nold ? nold : 1, sizeof *old_jobs);
		memcpy(old, g->members, nold * sizeof *old);
		for (size_t k = 0; k < nold; k++)
			old_jobs[k] = xstrdup(g->jobs[k]);
		cache_group_set(c, g, kind, rels, members, kept);
		*joined = xcalloc(kept, sizeof **joined);
		for (size_t i = 0; i < kept; i++)
			if (!was[i]) {
				cache_set_idle(c, g->members[i], false);
				(*joined)[(*njoined)++] = xstrdup(g->jobs[i]);
			}
		*left = xcalloc(nold ? nold : 1, sizeof **left);
		for (size_t k = 0; k < nold; k++) {
			bool stays = false;
			for (size_t i = 0; i < kept && !stays; i++)
				stays = g->members[i] == old[k];
			if (stays) {
				free(old_jobs[k]);
				continue;
			}
			(*left)[(*nleft)++] = old_jobs[k];
			if (!job_stands_for(spec, c, old[k]))
				cache_set_idle(c, old[k], true);
		}
		free(old_jobs);
		free(old);
	}
	for (size_t i = 0; i < (rc == 0 ? kept : n); i++) {
		free(members[i]);
		free(rels[i]);
	}
	free(members);
	free(rels);
	free(statuses);
	free(was);
	free(target);
	return rc;
}

struct job_run *compare_job_runs(const struct run_cache *c, const char *job, size_t *n)
{
	char *label = NULL, *target = NULL;
	enum source_kind kind = cached_kind(c, job, &label, &target);
	const struct cache_group *g = cache_find_group(c, target, kind);
	const struct cache_entry *e = g ? NULL : cache_find(c, target, kind);
	*n = g ? g->n : e ? 1 : 0;
	struct job_run *jr = xcalloc(*n ? *n : 1, sizeof *jr);
	for (size_t i = 0; g && i < g->n; i++) {
		jr[i].entry = g->members[i];
		jr[i].rel = g->rels[i];
		jr[i].job = g->jobs[i];
	}
	if (e)
		jr[0].entry = e;
	free(label);
	free(target);
	return jr;
}

/* ------------------------------------------------------------- labels */

/* True for a UUID-shaped id (8-4-4-4-12 hex digits). */
static bool uuid_like(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	}
	return true;
}

/* The first 8 characters of ID, whole UTF-8 sequences (malloc'd). */
static char *id8(const char *id)
{
	size_t i = 0;
	for (int k = 0; id[i] && k < 8; k++)
		do
			i++;
		while (((unsigned char)id[i] & 0xC0) == 0x80);
	return xstrndup(id, i);
}

/* Is LABEL among LABELS[0..N) (NULL entries skipped), other than SELF? */
static bool label_taken(char *const *labels, size_t n, size_t self, const char *label)
{
	for (size_t j = 0; j < n; j++)
		if (j != self && labels[j] && strcmp(labels[j], label) == 0)
			return true;
	return false;
}

char **compare_labels(const char *const *raw, const char *const *ids, size_t n)
{
	char **clean = xcalloc(n ? n : 1, sizeof *clean);
	char fallback[32];
	for (size_t i = 0; i < n; i++) {
		snprintf(fallback, sizeof fallback, "job %zu", i + 1);
		const char *r = raw[i] ? raw[i] : "";
		clean[i] = text_sanitize(r, strlen(r), LABEL_CHARS, fallback);
	}
	/* Labels several jobs share: the id tells them apart (when it does:
	 * not for the same job given twice). */
	char **with_id = xcalloc(n ? n : 1, sizeof *with_id);
	for (size_t i = 0; i < n; i++) {
		with_id[i] = xstrdup(clean[i]);
		if (!ids[i] || !*ids[i] || !label_taken(clean, n, i, clean[i]))
			continue;
		char *short_id = id8(ids[i]);
		bool tells = false;
		for (size_t j = 0; j < n && !tells; j++) {
			if (j == i || strcmp(clean[j], clean[i]) != 0)
				continue;
			char *other = ids[j] ? id8(ids[j]) : NULL;
			tells = !other || strcmp(other, short_id) != 0;
			free(other);
		}
		if (!tells) {
			free(short_id);
			continue;
		}
		char *s = text_sanitize(short_id, strlen(short_id), 8, "?");
		if (!strstr(clean[i], s)) {
			free(with_id[i]);
			with_id[i] = xasprintf("%s (%s)", clean[i], s);
		}
		free(s);
		free(short_id);
	}
	/* Whatever is still taken by an earlier job: " (2)", " (3)", … */
	char **out = xcalloc(n ? n : 1, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		out[i] = xstrdup(with_id[i]);
		for (int k = 2; label_taken(out, i, i, out[i]); k++) {
			free(out[i]);
			out[i] = xasprintf("%s (%d)", with_id[i], k);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(clean[i]);
		free(with_id[i]);
	}
	free(clean);
	free(with_id);
	return out;
}

/* The path part of TARGET as components: a URL's path (no scheme, host,
 * query or fragment; the host when the path is empty), "." and empty
 * components dropped, the last one's extension (".json", a dot followed
 * by a letter) removed.  Returns the count; *OUT holds malloc'd strings. */
static size_t path_parts(const char *target, char ***out)
{
	const char *p = target, *end = target + strlen(target);
	const char *scheme = strstr(target, "://");
	bool host_only = false;
	if (scheme) {
		const char *host = scheme + 3;
		const char *slash = host + strcspn(host, "/?#");
		end = slash + strcspn(slash, "?#");
		p = slash;
		if (p == end || (end - p == 1 && *p == '/')) { /* no path: the host */
			const char *at = memchr(host, '@', (size_t)(slash - host));
			p = at ? at + 1 : host;
			end = slash;
			host_only = true;
		}
	}
	char **parts = NULL;
	size_t n = 0;
	while (p < end) {
		size_t len = strcspn(p, "/");
		if (p + len > end)
			len = (size_t)(end - p);
		if (len && !(len == 1 && *p == '.')) {
			parts = xreallocarray(parts, n + 1, sizeof *parts);
			parts[n++] = xstrndup(p, len);
		}
		p += len + 1;
	}
	if (n && !host_only) {
		char *last = parts[n - 1], *dot = strrchr(last, '.');
		if (dot && dot != last && ((dot[1] >= 'a' && dot[1] <= 'z') || (dot[1] >= 'A' && dot[1] <= 'Z')))
			*dot = '\0';
	}
	*out = parts;
	return n;
}

/* Do the last K components of A and B read the same (a shorter one whole)? */
static bool tail_same(char *const *a, size_t na, char *const *b, size_t nb, size_t k)
{
	if ((na < k || nb < k) && na != nb)
		return false;
	size_t m = na < k ? na : k;
	for (size_t i = 1; i <= m; i++)
		if (strcmp(a[na - i], b[nb - i]) != 0)
			return false;
	return true;
}

char **compare_path_labels(const char *const *paths, size_t n)
{
	char ***parts = xcalloc(n ? n : 1, sizeof *parts);
	size_t *np = xcalloc(n ? n : 1, sizeof *np);
	for (size_t i = 0; i < n; i++)
		np[i] = paths[i] ? path_parts(paths[i], &parts[i]) : 0;
	/* Same(i, j): the same path, in any spelling; such jobs cannot be
	 * told apart and are left to compare_labels. */
	size_t minlen = SIZE_MAX, distinct = 0;
	for (size_t i = 0; i < n; i++) {
		if (!paths[i])
			continue;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = paths[j] && np[j] == np[i] && tail_same(parts[i], np[i], parts[j], np[j], np[i]);
		distinct += !seen;
		if (np[i] < minlen)
			minlen = np[i];
	}
	/* A file name every path shares (".../metrics.json") tells nothing:
	 * drop it, as long as each keeps a component. */
	size_t common = 0;
	if (distinct >= 2) {
		size_t first = 0;
		while (!paths[first])
			first++;
		for (bool same = true; same && common < 1 && common + 1 < minlen; common += same)
			for (size_t i = 0; i < n && same; i++)
				same = !paths[i] ||
				       strcmp(parts[i][np[i] - 1 - common], parts[first][np[first] - 1 - common]) == 0;
	}
	char **out = xcalloc(n ? n : 1, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		if (!paths[i])
			continue;
		size_t len = np[i] - common, k = 1;
		if (len == 0) {
			out[i] = xstrdup(paths[i]);
			continue;
		}
		/* The fewest trailing components that no other path shares. */
		for (; k < len; k++) {
			bool clash = false;
			for (size_t j = 0; j < n && !clash; j++) {
				if (j == i || !paths[j])
					continue;
				bool same_path = np[j] == np[i] && tail_same(parts[i], np[i], parts[j], np[j], np[i]);
				clash = !same_path &&
					tail_same(parts[i], np[i] - common, parts[j], np[j] - common, k);
			}
			if (!clash)
				break;
		}
		size_t size = 1;
		for (size_t c = len - k; c < len; c++)
			size += strlen(parts[i][c]) + 1;
		out[i] = xcalloc(size, 1);
		for (size_t c = len - k; c < len; c++) {
			if (c > len - k)
				strcat(out[i], "/");
			strcat(out[i], parts[i][c]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < np[i]; c++)
			free(parts[i][c]);
		free(parts[i]);
	}
	free(parts);
	free(np);
	return out;
}

/* The default label of a job: LABEL=, else for jobs given by id the job
 * list's model name (else the id's first 8 characters), else the name the
 * log gives its run (run->name: a Hugging Face or Lightning run directory,
 * an MLflow run name, a W&B display name), for files and URLs PATH_LABEL,
 * their compare_path_labels name, and for stdin the body's job_id (a UUID
 * shortened to 8 characters, as the platform shows it; else "stdin").  A
 * member of a directory's runs (REL not NULL): its run name, else REL;
 * after "LABEL/" with LABEL=.  Malloc'd, raw. */
static char *default_label(const char *label, const struct cache_entry *e, const struct joblist *jl,
			   const char *rel, const char *path_label)
{
	const struct run *r = e->run;
	if (rel) {
		/* The run's own name (an MLflow run_name), unless it is only its
		 * directory's name: then the relative path says more. */
		const char *last = strrchr(rel, '/');
		last = last ? last + 1 : rel;
		bool own = r->name && *r->name && strcmp(r->name, last) != 0;
		const char *base = own ? r->name : rel;
		return label ? xasprintf("%s/%s", label, base) : xstrdup(base);
	}
	if (label)
		return xstrdup(label);
	if (e->kind == SOURCE_JOBID) {
		const struct job_info *ji = jl ? joblist_find(jl, e->target) : NULL;
		if (ji && ji->model_name && *ji->model_name)
			return xstrdup(ji->model_name);
		return id8(e->target);
	}
	if (r->name && *r->name)
		return xstrdup(r->name);
	if (path_label)
		return xstrdup(path_label);
	if (r->id && r->id[strspn(r->id, " \t\r\n")])
		return uuid_like(r->id) ? xstrndup(r->id, 8) : xstrdup(r->id);
	return xstrdup("stdin");
}

/* Is STEM.dat among FILES[0..N)? */
static bool stem_taken(char *const *files, size_t n, const char *stem)
{
	size_t len = strlen(stem);
	for (size_t j = 0; j < n; j++)
		if (strncmp(files[j], stem, len) == 0 && strcmp(files[j] + len, ".dat") == 0)
			return true;
	return false;
}

char *compare_job_empty(const struct run_cache *c, const char *job)
{
	size_t nr, read = 0, rows = 0;
	struct job_run *jr = compare_job_runs(c, job, &nr);
	for (size_t k = 0; k < nr; k++) {
		const struct cache_entry *e = jr[k].entry;
		bool ok = e->loaded && e->status == EXIT_OK;
		read += ok;
		rows += ok && e->run->nrows > 0;
	}
	char *said = NULL;
	/* (A Hugging Face output directory still training whose event file
	 * holds no scalars yet; a log root of runs just started.) */
	if (nr && jr[0].rel && read == nr && rows == 0) {
		char *label = NULL, *t = NULL;
		source_classify(job, &label, &t);
		char *dir = http_redact(t);
		said = nr == 1 ? xasprintf("%s: its run %s has no metrics yet", dir, jr[0].rel)
			       : xasprintf("%s: none of its %zu runs has metrics yet", dir, nr);
		free(dir);
		free(label);
		free(t);
	}
	free(jr);
	return said;
}

/* Adds warning W (malloc'd, taken) to CH's. */
static void add_warning(struct chart *ch, char *w)
{
	ch->warnings = xreallocarray(ch->warnings, ch->nwarnings + 1, sizeof *ch->warnings);
	ch->warnings[ch->nwarnings++] = w;
}

/* Is JR a run the chart draws: read, and for one of a directory's runs
 * holding rows (TensorBoard's hparams subdirectories hold none)? */
static bool drawn_run(const struct job_run *jr)
{
	const struct cache_entry *e = jr->entry;
	return e->loaded && e->status == EXIT_OK && !(jr->rel && e->run->nrows == 0);
}

/* Chart job I as a message names it: the JOB as given (a URL's secrets
 * redacted); one of a JOB's runs, REL, as "DIR's run REL" (DIR without
 * LABEL=), and the one run of a run directory (REL NULL) as DIR.
 * malloc'd. */
static char *job_said(const struct chart *ch, const struct compare_spec *spec, size_t i, const char *rel)
{
	const char *job = spec->jobs[ch->jobs[i].spec_job];
	if (ch->jobs[i].arg == job)
		return http_redact(job);
	char *label = NULL, *t = NULL;
	source_classify(job, &label, &t);
	free(label);
	char *a = http_redact(t);
	free(t);
	if (!rel)
		return a;
	char *said = xasprintf("%s's run %s", a, rel);
	free(a);
	return said;
}

/* Labels, colours, -d file names and first timestamps of the jobs;
 * LABELS[i] is job i's LABEL= (or NULL), COLORS[i] its colour index. */
static void name_jobs(struct chart *ch, const struct compare_spec *spec, char **labels,
		      const char **rels, const size_t *colors, const struct joblist *jl)
{
	size_t n = ch->njobs;
	char **raw = xcalloc(n ? n : 1, sizeof *raw);
	const char **ids = xcalloc(n ? n : 1, sizeof *ids);
	const char **paths = xcalloc(n ? n : 1, sizeof *paths);
	for (size_t i = 0; i < n; i++) {
		const struct cache_entry *e = ch->jobs[i].entry;
		if (!rels[i] && (e->kind == SOURCE_FILE || e->kind == SOURCE_URL))
			paths[i] = e->target;
		/* The same source twice draws the same lines twice: a run
		 * named again, alone or as one of a directory's runs. */
		for (size_t k = 0; k < i; k++)
			if (ch->jobs[k].entry == e) {
				char *again = job_said(ch, spec, i, rels[i]);
				char *first = job_said(ch, spec, k, rels[k]);
				add_warning(ch, xasprintf("%s: the same job as %s, given again", again, first));
				free(again);
				free(first);
				break;
			}
	}
	char **path_labels = compare_path_labels(paths, n);
	for (size_t i = 0; i < n; i++) {
		const struct cache_entry *e = ch->jobs[i].entry;
		raw[i] = default_label(labels[i], e, jl, rels[i], path_labels[i]);
		ids[i] = e->kind == SOURCE_JOBID ? e->target : e->run->id;
		free(path_labels[i]);
	}
	free(path_labels);
	free(paths);
	char **unique = compare_labels((const char *const *)raw, ids, n);
	char **files = xcalloc(n ? n : 1, sizeof *files);
	for (size_t i = 0; i < n; i++) {
		struct chart_job *j = &ch->jobs[i];
		j->label = unique[i];
		/* File names: unique stems; "compare" is the script's. */
		char *base = text_file_stem(j->label);
		char *stem = xstrdup(base);
		for (int k = 2; strcmp(stem, "compare") == 0 || stem_taken(files, i, stem); k++) {
			free(stem);
			stem = xasprintf("%s-%d", base, k);
		}
		free(base);
		files[i] = j->file = xasprintf("%s.dat", stem);
		free(stem);
		j->color_index = colors[i];
		j->color = compare_color(spec, colors[i]);
		j->t0 = NAN;
		int tc = run_find(j->run, COL_TIME);
		for (size_t r = 0; tc >= 0 && r < j->run->nrows; r++)
			if (isfinite(j->run->cols[tc][r])) {
				j->t0 = j->run->cols[tc][r];
				break;
			}
		free(raw[i]);
	}
	free(unique);
	free(files);
	free(raw);
	free(ids);
}

/* ------------------------------------------------------------- tables */

/* With --smooth: COLUMN_smoothed columns in each job's table, so the data
 * files (and the -d script that plots them) carry the smoothed lines. */
static void add_smoothed_columns(struct chart *ch)
{
	struct run **tables = xcalloc(ch->njobs ? ch->njobs : 1, sizeof *tables);
	for (size_t i = 0; i < ch->njobs; i++)
		tables[i] = ch->jobs[i].table;
	for (size_t i = 0; i < ch->njobs; i++) {
		struct run *t = ch->jobs[i].table;
		for (size_t p = 0; p < ch->ps.npanels; p++)
			for (size_t s = 0; s < ch->ps.panels[p].nseries; s++) {
				const struct panel_series *pser = &ch->ps.panels[p].series[s];
				int c = run_find(t, pser->column);
				if (!pser->smooth || c < 0)
					continue;
				char *name = run_derived_name(tables, ch->njobs, pser->column, "_smoothed");
				if (run_find(t, name) < 0) {
					int sc = run_col(t, name);
					if (sc >= 0)
						view_smooth(t->cols[c], t->cols[sc], t->nrows, ch->smooth);
				}
				free(name);
			}
	}
	free(tables);
}

/* Builds the drawn series for the target's grid, and takes the y ranges
 * --ignore-outliers found where --yrange left them automatic. */
static int build_view(struct chart *ch, const struct compare_spec *spec, char **cause)
{
	size_t np = ch->ps.npanels;
	struct view_px *px = xcalloc(np ? np : 1, sizeof *px);
	for (size_t p = 0; p < np; p++)
		layout_panel_px(ch->target.terminal, ch->target.width, np, p, &px[p].left,
				&px[p].width);
	struct run **tables = xcalloc(ch->njobs ? ch->njobs : 1, sizeof *tables);
	for (size_t i = 0; i < ch->njobs; i++)
		tables[i] = ch->jobs[i].table;
	struct view_opts vo = {
		.xaxis = spec->xaxis,
		.smooth = spec->smooth,
		.max_points = spec->max_points,
		.px = px,
		.xmin_set = isfinite(ch->ps.xrange.min),
		.xmax_set = isfinite(ch->ps.xrange.max),
		.xmin = ch->ps.xrange.min,
		.xmax = ch->ps.xrange.max,
		.ignore_outliers = spec->ignore_outliers,
	};
	int rc = view_build(&ch->view, tables, ch->njobs, ch->ps.panels, np, &vo, cause);
	free(px);
	free(tables);
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < ch->view.nwarnings; i++) {
		ch->warnings = xreallocarray(ch->warnings, ch->nwarnings + 1, sizeof *ch->warnings);
		ch->warnings[ch->nwarnings++] = xstrdup(ch->view.warnings[i]);
	}
	for (size_t p = 0; ch->view.yrange && p < np; p++) {
		struct gp_range *yr = &ch->ps.yranges[p];
		if (ch->view.yrange[p].set && !isfinite(yr->min) && !isfinite(yr->max)) {
			yr->min = ch->view.yrange[p].lo;
			yr->max = ch->view.yrange[p].hi;
		}
	}
	return 0;
}

/* A watch's colours (spec->pins): each of CH's runs with a pin keeps its
 * colour (unless a run before took it: the same JOB twice); the others
 * take their COLORS[I] when it is job_colors' and no run has it, else
 * the first colour no run has. */
static void pin_colors(const struct chart *ch, const struct compare_spec *spec, size_t *colors)
{
	size_t n = ch->njobs, top = 0;
	for (size_t i = 0; i < n; i++)
		top = colors[i] >= top ? colors[i] + 1 : top;
	for (size_t p = 0; p < spec->npins; p++)
		top = spec->pins[p].color >= top ? spec->pins[p].color + 1 : top;
	bool *used = xcalloc(top + n + 1, sizeof *used);
	bool *pinned = xcalloc(n ? n : 1, sizeof *pinned);
	for (size_t i = 0; i < n; i++) {
		const char *job = spec->jobs[ch->jobs[i].spec_job];
		for (size_t p = 0; p < spec->npins && !pinned[i]; p++) {
			const struct color_pin *pin = &spec->pins[p];
			if (pin->entry != ch->jobs[i].entry || used[pin->color] || strcmp(pin->job, job) != 0)
				continue;
			colors[i] = pin->color;
			used[colors[i]] = pinned[i] = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (pinned[i])
			continue;
		if (!spec->job_colors || used[colors[i]])
			for (colors[i] = 0; used[colors[i]]; colors[i]++)
				;
		used[colors[i]] = true;
	}
	free(used);
	free(pinned);
}

int compare_build(const struct compare_spec *spec, const struct run_cache *c,
		  const struct joblist *jl, const struct chart_target *target, struct chart **out,
		  char **cause)
{
	struct chart *ch = xcalloc(1, sizeof *ch);
	ch->target = *target;
	ch->xaxis = spec->xaxis;
	ch->smooth = spec->smooth;
	ch->title = spec->title;
	const char *option;
	char *why = NULL;
	if (compare_panels(spec, &ch->ps, &option, &why) != 0) {
		*cause = xasprintf("%s: %s", option, why);
		free(why);
		free(ch);
		return -1;
	}

	/* The jobs that loaded, in JOB order; a directory's runs in list
	 * order, those without metrics left out (TensorBoard's hparams
	 * subdirectories). */
	size_t cap = spec->njobs ? spec->njobs : 1;
	ch->jobs = xcalloc(cap, sizeof *ch->jobs);
	char **labels = xcalloc(cap, sizeof *labels);
	const char **rels = xcalloc(cap, sizeof *rels);
	size_t *colors = xcalloc(cap, sizeof *colors);
	for (size_t i = 0; i < spec->njobs; i++) {
		size_t nr;
		struct job_run *jr = compare_job_runs(c, spec->jobs[i], &nr);
		char *label = NULL, *t = NULL;
		source_classify(spec->jobs[i], &label, &t);
		char *empty = compare_job_empty(c, spec->jobs[i]);
		if (empty)
			add_warning(ch, empty);
		/* The runs below a directory that is one run itself (a Hugging
		 * Face output directory still training, read from its live
		 * TensorBoard logs) are labelled by it (or LABEL=): "DIR", or
		 * "DIR/REL" when there are several. */
		size_t live = 0;
		for (size_t k = 0; k < nr; k++)
			live += drawn_run(&jr[k]);
		bool run_dir = live && jr[0].rel && reader_is_run_dir(t);
		if (run_dir && !label)
			label = reader_dir_name(t);
		bool whole = live == 1 && run_dir;
		free(t);
		for (size_t k = 0; k < nr; k++) {
			const struct cache_entry *e = jr[k].entry;
			if (!drawn_run(&jr[k]))
				continue;
			if (ch->njobs == cap) {
				cap *= 2;
				ch->jobs = xreallocarray(ch->jobs, cap, sizeof *ch->jobs);
				labels = xreallocarray(labels, cap, sizeof *labels);
				rels = xreallocarray(rels, cap, sizeof *rels);
				colors = xreallocarray(colors, cap, sizeof *colors);
			}
			struct chart_job *j = &ch->jobs[ch->njobs];
			memset(j, 0, sizeof *j);
			/* A group's run as its listing names it (the entry's
			 * arg is whichever JOB named the run first), a copy: a
			 * --watch's listing replaces the group's. */
			if (jr[k].rel)
				j->member = xstrdup(jr[k].job);
			j->arg = jr[k].rel ? j->member : spec->jobs[i];
			j->spec_job = i;
			j->entry = e;
			j->run = e->run;
			j->table = run_overlay(e->run);
			labels[ch->njobs] = label ? xstrdup(label) : NULL;
			colors[ch->njobs] = spec->job_colors ? spec->job_colors[i] + k : ch->njobs;
			rels[ch->njobs++] = whole ? NULL : jr[k].rel;
		}
		free(label);
		free(jr);
	}
	if (spec->npins)
		pin_colors(ch, spec, colors);
	name_jobs(ch, spec, labels, rels, colors, jl);
	for (size_t i = 0; i < ch->njobs; i++)
		free(labels[i]);
	free(labels);
	free(rels);
	free(colors);
	if (ch->smooth > 0)
		add_smoothed_columns(ch);
	struct run **tables = xcalloc(ch->njobs ? ch->njobs : 1, sizeof *tables);
	for (size_t i = 0; i < ch->njobs; i++)
		tables[i] = ch->jobs[i].table;
	colset_build(&ch->cs, tables, ch->njobs);
	int rc = 0;
	if (target->view) {
		rc = panel_list_check(ch->ps.panels, ch->ps.npanels, tables, ch->njobs, &why);
		if (rc != 0) {
			*cause = xasprintf("--metrics: %s", why);
			free(why);
		} else {
			rc = build_view(ch, spec, cause);
		}
	}
	free(tables);
	if (rc != 0) {
		chart_free(ch);
		return -1;
	}
	*out = ch;
	return 0;
}

void chart_free(struct chart *ch)
{
	if (!ch)
		return;
	for (size_t i = 0; i < ch->njobs; i++) {
		run_free(ch->jobs[i].table);
		free(ch->jobs[i].label);
		free(ch->jobs[i].file);
		free(ch->jobs[i].member);
	}
	free(ch->jobs);
	panel_set_free(&ch->ps);
	colset_free(&ch->cs);
	view_free(&ch->view);
	for (size_t i = 0; i < ch->nwarnings; i++)
		free(ch->warnings[i]);
	free(ch->warnings);
	free(ch);
}

void chart_points(const struct chart *ch, size_t *drawn, size_t *all)
{
	*drawn = *all = 0;
	for (size_t i = 0; i < ch->view.n; i++) {
		*drawn += ch->view.s[i].n;
		*all += ch->view.s[i].n_full;
	}
}
