/* cache.c: the run cache (see cache.h). */
#include "config.h"

#include "cache.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* An entry with what cache.h shows, plus the run and message it owns. */
struct slot {
	struct cache_entry pub;
	struct run *run;
	char *error;
};

struct run_cache {
	const struct fetch_config *fc;
	struct slot **slots;
	size_t n;
	struct cache_group **groups;
	size_t ngroups;
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
}

void cache_free(struct run_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		slot_clear(c->slots[i]);
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
		free(g->members);
		free(g->key);
		free(g);
	}
	free(c->groups);
	free(c);
}

/* The canonical key of TARGET of KIND (malloc'd). */
static char *make_key(const char *target, enum source_kind kind)
{
	switch (kind) {
	case SOURCE_STDIN:
		return xstrdup("-");
	case SOURCE_FILE: {
		char *real = realpath(target, NULL);
		char *key = xasprintf("file:%s", real ? real : target);
		free(real);
		return key;
	}
	case SOURCE_URL:
		return xasprintf("url:%s", target);
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
	if (kind != SOURCE_FILE)
		return NULL;
	char *key = make_key(target, kind);
	struct cache_group *g = find_group_key(c, key);
	free(key);
	return g;
}

const struct cache_group *cache_add_group(struct run_cache *c, const char *target,
					  char *const *rels, size_t n)
{
	char *key = make_key(target, SOURCE_FILE);
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
	size_t tl = strlen(target);
	for (size_t i = 0; i < n; i++) {
		g->rels[i] = xstrdup(rels[i]);
		/* ("#RUN": a run inside the file TARGET.) */
		char *path = strcmp(rels[i], ".") == 0 ? xstrdup(target)
			   : (tl && target[tl - 1] == '/') || rels[i][0] == '#'
			   ? xasprintf("%s%s", target, rels[i])
			   : xasprintf("%s/%s", target, rels[i]);
		g->members[i] = cache_add(c, path, path, SOURCE_FILE);
		free(path);
	}
	c->groups = xreallocarray(c->groups, c->ngroups + 1, sizeof *c->groups);
	c->groups[c->ngroups++] = g;
	return g;
}

/* Reads the slots SEL[0..N) at once. */
static void load_slots(struct run_cache *c, struct slot **sel, size_t n)
{
	if (n == 0)
		return;
	struct source_job *jobs = xcalloc(n, sizeof *jobs);
	for (size_t i = 0; i < n; i++) {
		jobs[i].arg = sel[i]->pub.arg;
		jobs[i].target = sel[i]->pub.target;
		jobs[i].kind = sel[i]->pub.kind;
	}
	source_load(c->fc, jobs, n);
	for (size_t i = 0; i < n; i++) {
		struct slot *s = sel[i];
		slot_clear(s);
		s->run = jobs[i].run;
		s->error = jobs[i].error;
		s->pub.run = s->run;
		s->pub.error = s->error;
		s->pub.status = jobs[i].status;
		s->pub.loaded = true;
		s->pub.generation++;
	}
	free(jobs);
}

void cache_load(struct run_cache *c)
{
	struct slot **sel = xcalloc(c->n ? c->n : 1, sizeof *sel);
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (!c->slots[i]->pub.loaded)
			sel[n++] = c->slots[i];
	load_slots(c, sel, n);
	free(sel);
}

void cache_refresh(struct run_cache *c, const struct cache_entry *e)
{
	struct slot *s = find_key(c, e->key);
	if (s)
		load_slots(c, &s, 1);
}

size_t cache_size(const struct run_cache *c)
{
	return c->n;
}

const struct cache_entry *cache_entry_at(const struct run_cache *c, size_t i)
{
	return i < c->n ? &c->slots[i]->pub : NULL;
}
