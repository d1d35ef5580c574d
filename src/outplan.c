/* The files a comparison writes, compared and checked before anything is
 * read (outplan.h). */
#include "config.h"

#include "outplan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "source.h"
#include "compare.h"
#include "http.h"
#include "text.h"
#include "util.h"

/* User text made safe for a message, any URL's password removed (malloc'd). */
static char *shown(const char *s)
{
	char *r = http_redact(s);
	char *t = text_sanitize(r, strlen(r), TEXT_MAX_CHARS, "(empty)");
	free(r);
	return t;
}

/* PATH made absolute, its longest existing directory through realpath
 * (symbolic links and ".." there as the kernel follows them), the rest
 * with ".", ".." and repeated slashes folded in the text (directories
 * still to be made).  Malloc'd. */
static char *fold(const char *path)
{
	char *abs;
	if (path[0] == '/') {
		abs = xstrdup(path);
	} else {
		char *cwd = getcwd(NULL, 0);
		abs = xasprintf("%s/%s", cwd ? cwd : ".", path);
		free(cwd);
	}
	char *dir = xstrdup(abs), *real = NULL;
	size_t cut = 0;
	for (char *slash; !real && (slash = strrchr(dir, '/')) != NULL;) {
		*slash = '\0';
		real = realpath(*dir ? dir : "/", NULL);
		cut = (size_t)(slash - dir);
	}
	free(dir);
	const char *head = real && strcmp(real, "/") != 0 ? real : "";
	size_t nhead = strlen(head);
	char *out = xmalloc(nhead + strlen(abs) + 2);
	memcpy(out, head, nhead);
	size_t n = nhead;
	for (const char *s = real ? abs + cut : abs; *s;) {
		while (*s == '/')
			s++;
		size_t len = strcspn(s, "/");
		if (len == 0)
			break;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (!(len == 1 && s[0] == '.')) {
			out[n++] = '/';
			memcpy(out + n, s, len);
			n += len;
		}
		s += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	free(real);
	free(abs);
	return out;
}

/* PATH as one name per file, so that "out/a.png", "./out//a.png", a
 * symbolic link's name for "out", "link/../a.png", "out/x/../a.png" (x
 * still to be made), "new/../link/a.png" and a bind mount's name for
 * "out" all meet: fold()'s path, then the device and inode of its
 * longest existing directory (all of it when WHOLE, else all but its last
 * name: a file's own symbolic link is replaced, not followed) and the
 * rest.  Malloc'd. */
static char *path_key(const char *path, bool whole)
{
	char *f = fold(path);
	size_t end = strlen(f);
	if (!whole) {
		char *last = strrchr(f, '/');
		end = last ? (size_t)(last - f) : 0;
	}
	char *p = xstrndup(f, end);
	char *key = NULL;
	while (!key) {
		struct stat sb;
		if (stat(*p ? p : "/", &sb) == 0 && S_ISDIR(sb.st_mode)) {
			key = xasprintf("@%ju:%ju%s", (uintmax_t)sb.st_dev, (uintmax_t)sb.st_ino, f + strlen(p));
		} else {
			char *slash = strrchr(p, '/');
			if (!slash) /* "/" itself cannot be stat'ed: the text alone */
				key = xstrdup(f);
			else
				*slash = '\0';
		}
	}
	free(p);
	free(f);
	return key;
}

/* The key of the directory DIR ("" for the current one). */
static char *dir_key(const char *dir)
{
	return path_key(*dir ? dir : ".", true);
}

/* Appends PATH (written by the option OPT given ARG) to OP. */
static struct out_file *add(struct out_plan *op, enum out_kind kind, const char *path, const char *opt,
			    const char *arg)
{
	op->v = xreallocarray(op->v, op->n + 1, sizeof *op->v);
	struct out_file *f = &op->v[op->n++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->path = xstrdup(path);
	char *a = shown(arg);
	f->who = xasprintf("%s %s", opt, a);
	free(a);
	/* The last name, trailing slashes aside (a directory's), and what
	 * is above it. */
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	f->name = kind == OUT_DATS ? xstrdup("") : xstrndup(path + start, end - start);
	char *dir = kind == OUT_DATS ? xstrdup(path)
		    : start == 0 ? xstrdup("")
		    : xstrndup(path, start == 1 ? 1 : start - 1);
	f->dir_key = dir_key(dir);
	free(dir);
	struct stat sb;
	f->through = kind == OUT_FILE && stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
	return f;
}

void outplan_of(const struct compare_spec *spec, bool watch, struct out_plan *op)
{
	op->v = NULL;
	op->n = 0;
	if (spec->data_dir) {
		const char *d = spec->data_dir;
		const char *sep = *d && d[strlen(d) - 1] == '/' ? "" : "/";
		char *p = xasprintf("%s%scompare.gp", d, sep);
		add(op, OUT_FILE, p, "-d", d)->in_dir = true;
		free(p);
		if (watch) {
			p = xasprintf("%s%swatch.gp", d, sep);
			add(op, OUT_FILE, p, "-d", d)->in_dir = true;
			free(p);
		}
		add(op, OUT_DIR, d, "-d", d);
		add(op, OUT_DATS, d, "-d", d)->in_dir = true;
	}
	if (spec->report) {
		struct panel_set ps;
		const char *option;
		char *cause = NULL;
		if (report_is_markdown(spec->report) && compare_panels(spec, &ps, &option, &cause) == 0) {
			for (size_t p = 0; p < ps.npanels; p++) {
				char *img = report_image_path(spec->report, p, spec->report_svg);
				add(op, OUT_FILE, img, "--report", spec->report);
				free(img);
			}
			panel_set_free(&ps);
		}
		free(cause); /* compare_panels' errors are reported before */
		/* after its charts, which are written first */
		add(op, OUT_FILE, spec->report, "--report", spec->report);
	}
	if (spec->summary_output && strcmp(spec->summary_output, "-") != 0)
		add(op, OUT_FILE, spec->summary_output, "--summary-output", spec->summary_output);
	for (size_t i = 0; i < spec->noutputs; i++)
		if (strcmp(spec->outputs[i], "-") != 0)
			add(op, OUT_FILE, spec->outputs[i], "-o", spec->outputs[i]);
}

void outplan_inputs_of(const struct compare_spec *spec, struct out_plan *in)
{
	in->v = NULL;
	in->n = 0;
	for (size_t i = 0; i < spec->njobs; i++) {
		char *label = NULL, *target = NULL;
		struct stat sb;
		if (source_classify(spec->jobs[i], &label, &target) == SOURCE_FILE && stat(target, &sb) == 0 &&
		    S_ISREG(sb.st_mode)) {
			add(in, OUT_FILE, target, "the JOB", spec->jobs[i]);
		}
		free(label);
		free(target);
	}
}

int outplan_reads(const struct out_plan *op, const struct out_plan *in, char **cause)
{
	for (size_t i = 0; i < op->n; i++)
		for (size_t j = 0; j < in->n; j++)
			if (op->v[i].kind != OUT_DIR && outplan_same(&op->v[i], &in->v[j])) {
				char *p = shown(op->v[i].kind == OUT_DATS ? in->v[j].path : op->v[i].path);
				*cause = xasprintf("%s: it is %s", p, in->v[j].who);
				free(p);
				return -1;
			}
	return 0;
}

void outplan_add_file(struct out_plan *op, const char *path, const char *opt)
{
	add(op, OUT_FILE, path, opt, path);
}

void outplan_free(struct out_plan *op)
{
	for (size_t i = 0; i < op->n; i++) {
		free(op->v[i].path);
		free(op->v[i].who);
		free(op->v[i].dir_key);
		free(op->v[i].name);
	}
	free(op->v);
	op->v = NULL;
	op->n = 0;
}

/* Is NAME a .dat file's? */
static bool dat_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".dat") == 0;
}

bool outplan_same(const struct out_file *a, const struct out_file *b)
{
	if (a->through || b->through || strcmp(a->dir_key, b->dir_key) != 0)
		return false;
	if (a->kind == OUT_DATS || b->kind == OUT_DATS) {
		const struct out_file *o = a->kind == OUT_DATS ? b : a;
		return o->kind == OUT_DATS || dat_name(o->name);
	}
	return strcmp(a->name, b->name) == 0;
}

char *outplan_clash_message(const struct out_file *a, const struct out_file *b)
{
	char *p = shown(a->path);
	char *m = b->kind == OUT_DATS && a->kind != OUT_DATS
			  ? xasprintf("%s: %s writes its .dat files there", p, b->who)
			  : xasprintf("%s: %s writes it too", p, b->who);
	free(p);
	return m;
}

/* One file of an index under one key (a file meets those under its own
 * keys, see index_keys). */
struct key_entry {
	char *key;
	size_t owner;
	const struct out_file *f;
};

struct outplan_index {
	struct key_entry *v;
	size_t n, cap;
	bool sorted;
};

struct outplan_index *outplan_index_new(void)
{
	return xcalloc(1, sizeof(struct outplan_index));
}

void outplan_index_free(struct outplan_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->n; i++)
		free(idx->v[i].key);
	free(idx->v);
	free(idx);
}

/* The keys F is filed under (outplan_same's cases): "N" DIR \1 NAME for a
 * file or directory, also "T" DIR for a .dat file, "S" DIR for -d's .dat
 * files.  Returns how many (at most 2) into KEYS (malloc'd). */
static size_t index_keys(const struct out_file *f, char *keys[2])
{
	if (f->kind == OUT_DATS) {
		keys[0] = xasprintf("S%s", f->dir_key);
		return 1;
	}
	keys[0] = xasprintf("N%s\1%s", f->dir_key, f->name);
	if (!dat_name(f->name))
		return 1;
	keys[1] = xasprintf("T%s", f->dir_key);
	return 2;
}

/* The keys a file F meets (those it would be filed under, with -d's .dat
 * files meeting any .dat file there and back).  As index_keys. */
static size_t query_keys(const struct out_file *f, char *keys[2])
{
	if (f->kind == OUT_DATS) {
		keys[0] = xasprintf("S%s", f->dir_key);
		keys[1] = xasprintf("T%s", f->dir_key);
		return 2;
	}
	keys[0] = xasprintf("N%s\1%s", f->dir_key, f->name);
	if (!dat_name(f->name))
		return 1;
	keys[1] = xasprintf("S%s", f->dir_key);
	return 2;
}

void outplan_index_add(struct outplan_index *idx, const struct out_plan *op, size_t owner)
{
	for (size_t i = 0; i < op->n; i++) {
		if (op->v[i].through)
			continue;
		char *keys[2];
		size_t nk = index_keys(&op->v[i], keys);
		for (size_t k = 0; k < nk; k++) {
			if (idx->n == idx->cap) {
				idx->cap = idx->cap ? 2 * idx->cap : 64;
				idx->v = xreallocarray(idx->v, idx->cap, sizeof *idx->v);
			}
			idx->v[idx->n++] = (struct key_entry){ keys[k], owner, &op->v[i] };
		}
	}
	idx->sorted = false;
}

/* By key, then owner. */
static int entry_cmp(const void *a, const void *b)
{
	const struct key_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : x->owner < y->owner ? -1 : x->owner > y->owner;
}

const struct out_file *outplan_index_find(struct outplan_index *idx, const struct out_file *f,
					  size_t *owner)
{
	if (f->through)
		return NULL;
	if (!idx->sorted) {
		if (idx->n)
			qsort(idx->v, idx->n, sizeof *idx->v, entry_cmp);
		idx->sorted = true;
	}
	char *keys[2];
	size_t nk = query_keys(f, keys);
	const struct key_entry *best = NULL;
	for (size_t k = 0; k < nk; k++) {
		/* The first entry of the key: its smallest owner. */
		size_t lo = 0, hi = idx->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(idx->v[mid].key, keys[k]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < idx->n && strcmp(idx->v[lo].key, keys[k]) == 0 && (!best || idx->v[lo].owner < best->owner))
			best = &idx->v[lo];
		free(keys[k]);
	}
	if (best)
		*owner = best->owner;
	return best ? best->f : NULL;
}

int outplan_clash(const struct out_plan *op, char **cause)
{
	for (size_t i = 0; i < op->n; i++)
		for (size_t j = 0; j < i; j++)
			if (outplan_same(&op->v[i], &op->v[j]) &&
			    !(op->v[i].kind != OUT_FILE && op->v[j].kind != OUT_FILE)) {
				*cause = outplan_clash_message(&op->v[i], &op->v[j]);
				return -1;
			}
	return 0;
}

/* Is F in the -d directory of OP (which -d makes first: `-d out -o
 * out/compare.png`)? */
static bool in_data_dir(const struct out_plan *op, const struct out_file *f)
{
	bool in = false;
	for (size_t i = 0; i < op->n && !in; i++)
		if (op->v[i].kind == OUT_DIR) {
			char *d = dir_key(op->v[i].path);
			in = strcmp(d, f->dir_key) == 0;
			free(d);
		}
	return in;
}

int outplan_check(const struct out_plan *op, bool make, char **cause)
{
	/* -d's directory first: its files are checked once it is there. */
	for (size_t i = 0; i < op->n; i++) {
		char *why = NULL;
		if (op->v[i].kind == OUT_DIR && dir_check(op->v[i].path, make, &why) != 0) {
			char *d = shown(op->v[i].path);
			*cause = xasprintf("%s: %s", d, why);
			free(d);
			free(why);
			return -1;
		}
	}
	for (size_t i = 0; i < op->n; i++)
		if (op->v[i].kind == OUT_FILE &&
		    atomic_check(op->v[i].path, make || op->v[i].in_dir || in_data_dir(op, &op->v[i]), cause) != 0)
			return -1;
	return 0;
}
