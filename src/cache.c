/* cache.c: the run cache (see cache.h). */
#include "config.h"

#include "cache.h"
#include "reader.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mlflow.h"
#include "util.h"
#include "watch.h"

/* An entry with what cache.h shows, plus the run and message it owns. */
struct slot {
	struct cache_entry pub;
	struct run *run;
	char *error;
	struct tail *tail;   /* follow mode: a local regular file */
	bool tail_snap;      /* run is the last snapshot TAIL returned, as
	                        returned (tail_poll may extend it in place) */
	char *refresh_error;
	char *etag, *last_modified; /* follow mode: the validators of the
	                               answer the run came from (URLs, ids) */
};

struct run_cache {
	const struct fetch_config *fc;
	struct slot **slots;
	size_t n;
	struct cache_group **groups;
	size_t ngroups;
	bool follow;
};

struct run_cache *cache_new(const struct fetch_config *fc)
{
	struct run_cache *c = xcalloc(1, sizeof *c);
	c->fc = fc;
	return c;
}

/* Forgets what SLOT read. */
static void slot_clear(struct slot *s)
{
	run_free(s->run);
	free(s->error);
	s->run = NULL;
	s->error = NULL;
	s->pub.run = NULL;
	s->pub.error = NULL;
	s->pub.loaded = false;
	s->tail_snap = false;
}

void cache_free(struct run_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		slot_clear(c->slots[i]);
		tail_free(c->slots[i]->tail);
		free(c->slots[i]->refresh_error);
		free(c->slots[i]->etag);
		free(c->slots[i]->last_modified);
		free(c->slots[i]->pub.key);
		free(c->slots[i]->pub.target);
		free(c->slots[i]->pub.arg);
		free(c->slots[i]);
	}
	free(c->slots);
	for (size_t i = 0; i < c->ngroups; i++) {
		struct cache_group *g = c->groups[i];
		for (size_t k = 0; k < g->n; k++)
			free(g->rels[k]);
		free(g->rels);
		for (size_t k = 0; k < g->n; k++)
			free(g->jobs[k]);
		free(g->jobs);
		free(g->members);
		free(g->key);
		free(g);
	}
	free(c->groups);
	free(c);
}

/* The real path of TARGET, a file or directory; when it is gone (a
 * directory a watch lists, deleted meanwhile), the real path of its
 * longest leading part there is and the rest as written ("." and empty
 * components left out), so that it keeps the key it had; TARGET as
 * written when no part resolves, or the rest has "..".  malloc'd. */
static char *real_file(const char *target)
{
	char *real = realpath(target, NULL);
	if (real)
		return real;
	char *head = xstrdup(target);
	const char *rest = NULL;
	for (size_t k = strlen(target); !real;) {
		while (k > 0 && target[k - 1] != '/')
			k--;
		if (k == 0 && target[0] == '/')
			break;
		if (k == 0) {
			real = realpath(".", NULL);
			rest = target;
			if (!real)
				break;
			continue;
		}
		head[k - 1] = '\0';
		real = realpath(k == 1 ? "/" : head, NULL);
		rest = target + k;
		k--;
	}
	free(head);
	if (!real)
		return xstrdup(target);
	struct buf b = { 0 };
	buf_puts(&b, real);
	free(real);
	for (const char *p = rest; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			buf_free(&b);
			return xstrdup(target);
		}
		if (len && !(len == 1 && p[0] == '.')) {
			if (b.data[b.len - 1] != '/')
				buf_puts(&b, "/");
			buf_append(&b, p, len);
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return b.data;
}

/* The canonical key of TARGET of KIND (malloc'd). */
static char *make_key(const char *target, enum source_kind kind)
{
	switch (kind) {
	case SOURCE_STDIN:
		return xstrdup("-");
	case SOURCE_FILE: {
		char *real = real_file(target);
		char *key = xasprintf("file:%s", real);
		free(real);
		return key;
	}
	case SOURCE_URL: {
		/* An MLflow server's run (or experiment) in any spelling. */
		char *run = mlflow_http_is(target) ? mlflow_http_key(target) : NULL;
		char *key = run ? xasprintf("mlflow:%s", run) : xasprintf("url:%s", target);
		free(run);
		return key;
	}
	case SOURCE_JOBID:
		break;
	}
	return xasprintf("id:%s", target);
}

/* The slot whose key is KEY, or NULL. */
static struct slot *find_key(const struct run_cache *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->slots[i]->pub.key, key) == 0)
			return c->slots[i];
	return NULL;
}

const struct cache_entry *cache_find(const struct run_cache *c, const char *target,
				     enum source_kind kind)
{
	char *key = make_key(target, kind);
	struct slot *s = find_key(c, key);
	free(key);
	return s ? &s->pub : NULL;
}

const struct cache_entry *cache_add(struct run_cache *c, const char *arg, const char *target,
				    enum source_kind kind)
{
	char *key = make_key(target, kind);
	struct slot *s = find_key(c, key);
	if (s) {
		free(key);
		return &s->pub;
	}
	s = xcalloc(1, sizeof *s);
	s->pub.key = key;
	s->pub.target = xstrdup(target);
	s->pub.arg = xstrdup(arg);
	s->pub.kind = kind;
	c->slots = xreallocarray(c->slots, c->n + 1, sizeof *c->slots);
	c->slots[c->n++] = s;
	return &s->pub;
}

/* The group whose key is KEY, or NULL. */
static struct cache_group *find_group_key(const struct run_cache *c, const char *key)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i]->key, key) == 0)
			return c->groups[i];
	return NULL;
}

const struct cache_group *cache_find_group(const struct run_cache *c, const char *target,
					   enum source_kind kind)
{
	if (kind != SOURCE_FILE && kind != SOURCE_URL)
		return NULL;
	char *key = make_key(target, kind);
	struct cache_group *g = find_group_key(c, key);
	free(key);
	return g;
}

const struct cache_group *cache_add_group(struct run_cache *c, const char *target, enum source_kind kind,
					  char *const *rels, char *const *members, size_t n)
{
	char *key = make_key(target, kind);
	struct cache_group *g = find_group_key(c, key);
	if (g) {
		free(key);
		return g;
	}
	g = xcalloc(1, sizeof *g);
	g->key = key;
	g->n = n;
	g->members = xcalloc(n ? n : 1, sizeof *g->members);
	g->rels = xcalloc(n ? n : 1, sizeof *g->rels);
	g->jobs = xcalloc(n ? n : 1, sizeof *g->jobs);
	for (size_t i = 0; i < n; i++) {
		g->rels[i] = xstrdup(rels[i]);
		if (members) {
			g->members[i] = cache_add(c, members[i], members[i], kind);
			g->jobs[i] = xstrdup(members[i]);
			continue;
		}
		char *path = reader_member_path(target, rels[i]);
		g->members[i] = cache_add(c, path, path, SOURCE_FILE);
		g->jobs[i] = path;
	}
	c->groups = xreallocarray(c->groups, c->ngroups + 1, sizeof *c->groups);
	c->groups[c->ngroups++] = g;
	return g;
}

void cache_group_set(struct run_cache *c, const struct cache_group *group, enum source_kind kind,
		     char *const *rels, char *const *members, size_t n)
{
	struct cache_group *g = find_group_key(c, group->key);
	const struct cache_entry **m = xcalloc(n ? n : 1, sizeof *m);
	char **r = xcalloc(n ? n : 1, sizeof *r);
	char **jobs = xcalloc(n ? n : 1, sizeof *jobs);
	for (size_t i = 0; i < n; i++) {
		m[i] = cache_add(c, members[i], members[i], kind);
		r[i] = xstrdup(rels[i]);
		jobs[i] = xstrdup(members[i]);
	}
	for (size_t k = 0; k < g->n; k++) {
		free(g->rels[k]);
		free(g->jobs[k]);
	}
	free(g->rels);
	free(g->jobs);
	free(g->members);
	g->members = m;
	g->rels = r;
	g->jobs = jobs;
	g->n = n;
}

void cache_set_follow(struct run_cache *c, bool follow)
{
	c->follow = follow;
}

/* Does slot S read through a tail (follow mode, a regular file)? */
static bool use_tail(const struct run_cache *c, struct slot *s)
{
	struct stat st;
	if (s->tail)
		return true;
	/* A file read by its path (mlflow.db, a W&B export) is read whole
	 * each round, as without --watch. */
	if (!c->follow || s->pub.kind != SOURCE_FILE || stat(s->pub.target, &st) != 0 ||
	    !S_ISREG(st.st_mode) || reader_reads_by_path(s->pub.target))
		return false;
	s->tail = tail_new(s->pub.target, s->pub.arg);
	return true;
}

/* Slot S read RUN (ours), with STATUS and ERROR (ours, or NULL); on a
 * refresh (REFRESH), a failure keeps a good run, and neither a failure
 * after one nor a run like the one held changes anything.  Returns true
 * when S changed. */
static bool slot_take(struct slot *s, bool refresh, struct run *run, int status, char *error)
{
	free(s->refresh_error);
	s->refresh_error = NULL;
	s->pub.refresh_error = NULL;
	if (refresh && status != EXIT_OK && s->pub.status == EXIT_OK) {
		s->refresh_error = error;
		s->pub.refresh_error = error;
		run_free(run);
		return false;
	}
	if (refresh && status != EXIT_OK && s->pub.status != EXIT_OK) {
		/* Failing still (never read well: -k): a chart leaves it out
		 * as before; its message is the new one. */
		free(s->error);
		s->error = error;
		s->pub.error = error;
		s->pub.status = status;
		run_free(run);
		return false;
	}
	if (refresh && status == EXIT_OK && s->pub.status == EXIT_OK && watch_run_same(s->run, run)) {
		run_free(run);
		return false;
	}
	slot_clear(s);
	s->run = run;
	s->error = error;
	s->pub.run = s->run;
	s->pub.error = s->error;
	s->pub.status = status;
	s->pub.loaded = true;
	s->pub.generation++;
	return true;
}

const struct cache_entry *cache_add_failed(struct run_cache *c, const char *arg, const char *target,
					   enum source_kind kind, int status, char *cause)
{
	const struct cache_entry *e = cache_add(c, arg, target, kind);
	struct slot *s = find_key(c, e->key);
	if (s->pub.loaded) {
		free(cause);
		return e;
	}
	slot_take(s, false, run_new(arg), status, cause);
	s->pub.idle = true;
	return e;
}

/* Reads slot S through its tail.  Returns true when S changed.  The
 * run held may be extended in place: the entry's run, like any run a
 * refresh replaces, is good until the next refresh (cache.h). */
static bool load_tail(struct slot *s, bool refresh)
{
	struct run *snap = NULL;
	char *cause = NULL;
	struct run *prev = s->tail_snap ? s->run : NULL;
	int rc = tail_poll(s->tail, prev, &snap, &cause);
	if (rc < 0) {
		bool took = slot_take(s, refresh, run_new(s->pub.arg), EXIT_DATA, cause);
		s->tail_snap = false; /* the tail starts over: a new snapshot */
		return took;
	}
	if (rc > 0 && snap == prev) { /* extended in place: changed */
		free(s->refresh_error);
		s->refresh_error = NULL;
		s->pub.refresh_error = NULL;
		s->pub.generation++;
		return true;
	}
	if (rc == 0 && s->pub.loaded) {
		free(s->refresh_error);
		s->refresh_error = NULL;
		s->pub.refresh_error = NULL;
		return false;
	}
	if (rc == 0) { /* (an empty file's first poll) */
		snap = run_new(s->pub.arg);
		run_finish(snap);
	}
	bool fresh = rc > 0;
	bool took = slot_take(s, refresh, snap, EXIT_OK, NULL);
	/* A snapshot found the same as the run held was freed: the run
	 * held is not the tail's last any more. */
	s->tail_snap = fresh && took;
	return took;
}

/* Reads the slots SEL[0..N) at once (REFRESH: again).  Returns how many
 * changed. */
static size_t load_slots(struct run_cache *c, struct slot **sel, size_t n, bool refresh)
{
	size_t changed = 0, nj = 0;
	if (n == 0)
		return 0;
	struct source_job *jobs = xcalloc(n, sizeof *jobs);
	struct slot **js = xcalloc(n, sizeof *js);
	for (size_t i = 0; i < n; i++) {
		if (refresh && sel[i]->pub.kind == SOURCE_STDIN)
			continue; /* read once */
		if (use_tail(c, sel[i])) {
			changed += load_tail(sel[i], refresh);
			continue;
		}
		js[nj] = sel[i];
		jobs[nj].arg = sel[i]->pub.arg;
		jobs[nj].target = sel[i]->pub.target;
		jobs[nj].kind = sel[i]->pub.kind;
		/* Conditional only when the run held came from that answer. */
		jobs[nj].validators = c->follow;
		if (refresh && sel[i]->pub.status == EXIT_OK) {
			jobs[nj].if_none_match = sel[i]->etag;
			jobs[nj].if_modified_since = sel[i]->last_modified;
		}
		nj++;
	}
	if (nj)
		source_load(c->fc, jobs, nj);
	for (size_t i = 0; i < nj; i++) {
		struct slot *s = js[i];
		if (jobs[i].not_modified) {
			run_free(jobs[i].run);
			free(jobs[i].error);
			free(jobs[i].etag);
			free(jobs[i].last_modified);
			free(s->refresh_error);
			s->refresh_error = NULL;
			s->pub.refresh_error = NULL;
			continue;
		}
		bool took = slot_take(s, refresh, jobs[i].run, jobs[i].status, jobs[i].error);
		changed += took;
		if (took || (jobs[i].status == EXIT_OK && s->pub.status == EXIT_OK)) {
			/* The validators of the run held now. */
			free(s->etag);
			free(s->last_modified);
			s->etag = jobs[i].etag;
			s->last_modified = jobs[i].last_modified;
		} else {
			free(jobs[i].etag);
			free(jobs[i].last_modified);
		}
	}
	free(jobs);
	free(js);
	return changed;
}

void cache_load(struct run_cache *c)
{
	struct slot **sel = xcalloc(c->n ? c->n : 1, sizeof *sel);
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (!c->slots[i]->pub.loaded)
			sel[n++] = c->slots[i];
	load_slots(c, sel, n, false);
	free(sel);
}

bool cache_refresh(struct run_cache *c, const struct cache_entry *e)
{
	struct slot *s = find_key(c, e->key);
	return s && load_slots(c, &s, 1, s->pub.loaded) > 0;
}

size_t cache_refresh_all(struct run_cache *c)
{
	struct slot **sel = xcalloc(c->n ? c->n : 1, sizeof *sel);
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->slots[i]->pub.loaded && !c->slots[i]->pub.idle)
			sel[n++] = c->slots[i];
	size_t changed = load_slots(c, sel, n, true);
	free(sel);
	return changed;
}

void cache_set_idle(struct run_cache *c, const struct cache_entry *e, bool idle)
{
	struct slot *s = find_key(c, e->key);
	if (s)
		s->pub.idle = idle;
}

size_t cache_size(const struct run_cache *c)
{
	return c->n;
}

const struct cache_entry *cache_entry_at(const struct run_cache *c, size_t i)
{
	return i < c->n ? &c->slots[i]->pub : NULL;
}
