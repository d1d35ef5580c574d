/* The files a comparison writes, known before anything is read: every -o
 * FILE, -d's directory and its files, --summary-output, --report and a
 * Markdown report's charts beside it.  One check for a single run and
 * each --batch line: no file written twice (however it is spelt), and
 * every file's directory there (or, for --batch, to be made) to write in.
 */
#ifndef TRCOMPARE_OUTPLAN_H
#define TRCOMPARE_OUTPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

enum out_kind {
	OUT_FILE, /* one file */
	OUT_DIR,  /* -d's directory itself */
	OUT_DATS, /* every NAME.dat in -d's directory (the names come from the
	             jobs' labels, known only once they are read) */
};

struct out_file {
	enum out_kind kind;
	char *path;    /* as it is opened: "out/compare.gp" */
	char *who;     /* the option that writes it, shown: "-d out" */
	char *dir_key; /* its directory: "@DEV:INO" of the longest part of
	                  it that exists (through realpath), then the rest
	                  with ".", ".." and "//" folded */
	char *name;    /* its last name ("" for OUT_DATS) */
	bool in_dir;   /* -d's: its directory is made by -d */
	bool through;  /* an existing FIFO or device: written into, never
	                  replaced (not compared) */
};

struct out_plan {
	struct out_file *v;
	size_t n;
};

/* SPEC's files (WATCH: -d also writes watch.gp), in this order: -d's
 * (compare.gp, watch.gp, the directory, its .dat files), a Markdown
 * report's charts then --report, --summary-output, each -o but "-".  Relative paths resolve
 * against the working directory. */
void outplan_of(const struct compare_spec *spec, bool watch, struct out_plan *op);
void outplan_free(struct out_plan *op);

/* SPEC's JOBs that are local regular files (after a LABEL=) into IN,
 * each as an OUT_FILE shown as "the JOB ARG": what no output may replace
 * (outplan_reads). */
void outplan_inputs_of(const struct compare_spec *spec, struct out_plan *in);

/* The first of OP's files that is one of IN's: returns 0, or -1 with
 * *cause "PATH: it is the JOB ARG" (an output would replace what is
 * read). */
int outplan_reads(const struct out_plan *op, const struct out_plan *in, char **cause);

/* Many plans' files, each with its OWNER (a --batch line), sorted once
 * to find the files outplan_same() matches in O(log n), not by comparing
 * every file of every plan with every other (quadratic in the lines). */
struct outplan_index;
struct outplan_index *outplan_index_new(void);
/* Adds OP's files (borrowed until the index is freed) for OWNER. */
void outplan_index_add(struct outplan_index *idx, const struct out_plan *op, size_t owner);
/* Of the files F is the same file as (outplan_same), the one whose owner
 * is smallest, with *OWNER; NULL when none.  Sorts IDX on first use after
 * an add. */
const struct out_file *outplan_index_find(struct outplan_index *idx, const struct out_file *f,
					  size_t *owner);
void outplan_index_free(struct outplan_index *idx);

/* Appends PATH, a file the option OPT writes ("--index"), to OP. */
void outplan_add_file(struct out_plan *op, const char *path, const char *opt);

/* Do A and B write one file?  The same directory (dir_key) and the same
 * last name; -d's .dat files meet any NAME.dat there. */
bool outplan_same(const struct out_file *a, const struct out_file *b);

/* "PATH: WHO writes it too" for A, which B writes too (malloc'd); -d's
 * .dat files: "PATH: WHO writes its .dat files there". */
char *outplan_clash_message(const struct out_file *a, const struct out_file *b);

/* The first of OP's files that an earlier one writes too: returns 0, or
 * -1 with *cause (outplan_clash_message). */
int outplan_clash(const struct out_plan *op, char **cause);

/* Whether every file of OP can be written, before anything is read:
 * atomic_check and dir_check (util.h); MAKE: the missing directories
 * above them are made first (--batch).  Returns 0, or -1 with *cause, the
 * message writing it would fail with: "PATH: cannot create: REASON",
 * "DIR: not a directory", "DIR: cannot create directory: REASON", ... */
int outplan_check(const struct out_plan *op, bool make, char **cause);

#endif
