/* datafile.c: tidy multi-column data (see datafile.h). */
#include "config.h"

#include "datafile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* Canonical metrics come first, in this order, when any job has them. */
static const char *const canonical[] = {
	COL_STEP, COL_EPOCH, COL_TIME, COL_TRAIN_LOSS, COL_EVAL_LOSS, COL_TRAIN_PPL, COL_PPL,
	COL_LR, COL_GRAD_NORM, COL_TOKENS_PS, COL_SAMPLES_PS, COL_GPU_UTIL, COL_GPU_MEM,
	COL_GPU_MEM_RES,
};

/* Adds NAME unless present. */
static void colset_add(struct colset *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->names[i], name) == 0)
			return;
	cs->names = xreallocarray(cs->names, cs->n + 1, sizeof *cs->names);
	cs->names[cs->n++] = name;
}

/* The union of the runs' columns: step, canonical metrics, then the rest in
 * the order first seen. */
void colset_build(struct colset *cs, struct run *const *runs, size_t nruns)
{
	memset(cs, 0, sizeof *cs);
	colset_add(cs, COL_STEP);
	for (size_t k = 1; k < ARRAY_SIZE(canonical); k++)
		for (size_t r = 0; r < nruns; r++) {
			int c = run_find(runs[r], canonical[k]);
			if (c >= 0) {
				colset_add(cs, runs[r]->names[c]);
				break;
			}
		}
	for (size_t r = 0; r < nruns; r++)
		for (size_t c = 0; c < runs[r]->ncols; c++)
			colset_add(cs, runs[r]->names[c]);
}

/* Frees the name array (the names belong to the runs). */
void colset_free(struct colset *cs)
{
	free(cs->names);
	memset(cs, 0, sizeof *cs);
}

/* 1-based column of NAME, or 0. */
int colset_index(const struct colset *cs, const char *name)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->names[i], name) == 0)
			return (int)i + 1;
	return 0;
}

/* A column name as one whitespace-free token gnuplot can name in `using`:
 * [A-Za-z0-9_.-] kept, anything else '_'. */
static char *header_token(const char *name)
{
	size_t n = strlen(name);
	if (n > 64)
		n = 64;
	char *t = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
		t[i] = ok ? (char)ch : '_';
	}
	t[n] = '\0';
	if (n == 0) {
		free(t);
		t = xstrdup("_");
	}
	return t;
}

/* Is TOKENS[I] used by a column placed before it: a clean name (pass 0
 * places those first), or an earlier column of the same pass? */
static bool token_taken(char **tokens, const struct colset *cs, size_t i, int pass)
{
	for (size_t j = 0; j < cs->n; j++) {
		if (j == i)
			continue;
		bool clean_j = strcmp(tokens[j], cs->names[j]) == 0;
		bool placed = pass == 0 ? (clean_j && j < i) : (clean_j || j < i);
		if (placed && strcmp(tokens[j], tokens[i]) == 0)
			return true;
	}
	return false;
}

/* Writes one commented header line "# KEY: VALUE" with VALUE sanitized. */
static void put_comment(FILE *out, const char *key, const char *value)
{
	char *clean = text_sanitize(value, strlen(value), TEXT_MAX_CHARS, "");
	fprintf(out, "# %s: %s\n", key, clean);
	free(clean);
}

/* Writes one job's table. */
int datafile_write(FILE *out, const struct run *run, const char *label, const char *color,
		   const struct colset *cs)
{
	fputs("# trcompare-plot tidy data: one row per logged step, one column per metric, "
	      "NaN = not logged at that step.\n"
	      "# Rows are sorted by step; a step logged twice (a resumed run) keeps the value "
	      "logged last for each metric.\n"
	      "# In gnuplot, \"set datafile missing NaN\" joins a metric's lines across the steps it "
	      "was not logged at.\n",
	      out);
	put_comment(out, "label", label);
	if (run->id)
		put_comment(out, "job", run->id);
	put_comment(out, "source", run->arg);
	fprintf(out, "# color: %s\n# rows: %zu\n# columns:", color, run->nrows);
	int *map = xmalloc((cs->n ? cs->n : 1) * sizeof *map);
	char **tokens = xmalloc((cs->n ? cs->n : 1) * sizeof *tokens);
	/* Header tokens: names that are already tokens keep them; others made
	 * alike by header_token stay apart as name_2, name_3 … */
	for (size_t i = 0; i < cs->n; i++) {
		map[i] = run_find(run, cs->names[i]);
		tokens[i] = header_token(cs->names[i]);
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < cs->n; i++) {
			bool clean = strcmp(tokens[i], cs->names[i]) == 0;
			if (clean != (pass == 0))
				continue;
			for (int k = 2; token_taken(tokens, cs, i, pass); k++) {
				char *t = header_token(cs->names[i]);
				free(tokens[i]);
				tokens[i] = xasprintf("%s_%d", t, k);
				free(t);
			}
		}
	for (size_t i = 0; i < cs->n; i++)
		fprintf(out, " %zu=%s", i + 1, tokens[i]);
	fputs("\n# time is in seconds since 1970-01-01 UTC.\n", out);
	/* Each name double-quoted: gnuplot reads a quoted first token as
	 * text, so it skips this line even when a name is a number ("100")
	 * and the plot uses column numbers; `using "100"` still works. */
	for (size_t i = 0; i < cs->n; i++) {
		fprintf(out, "\"%s\"", tokens[i]);
		fputc(i + 1 < cs->n ? ' ' : '\n', out);
		free(tokens[i]);
	}
	free(tokens);

	char num[FMT_DOUBLE_MAX + 1];
	for (size_t r = 0; r < run->nrows; r++) {
		for (size_t i = 0; i < cs->n; i++) {
			int n = fmt_double(num, map[i] < 0 ? NAN : run->cols[map[i]][r]);
			num[n++] = i + 1 < cs->n ? ' ' : '\n';
			fwrite(num, 1, (size_t)n, out);
		}
	}
	free(map);
	return ferror(out) ? -1 : 0;
}
