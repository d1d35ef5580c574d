/* reader.h: the input formats, behind one interface.
 *
 * A reader turns the bytes of one source (a file, stdin, an HTTP body) into
 * the rows of a struct run, pushed in as they arrive.  Each format is one
 * file defining a struct reader_format and one entry in the table in
 * reader.c; the source's first bytes choose the format (sniff), never its
 * name.  Today's formats, in the order they are asked:
 *   - lfs: a Git LFS pointer file (read_lfs.c), only to say so.
 *   - tfevents: TensorBoard event files and log directories
 *     (read_tfevents.c).
 *   - wandb: W&B run files (.wandb) and run directories (read_wandb.c).
 *   - hf: Hugging Face trainer_state.json, a JSON object with "log_history"
 *     (read_hf.c; directories: DIR/trainer_state.json or the newest
 *     DIR/checkpoint-N/trainer_state.json).
 *   - llamafactory: LLaMA-Factory's trainer_log.jsonl, JSON Lines whose
 *     first line has "current_steps" (read_lf.c; directories holding
 *     trainer_log.jsonl).
 *   - wandb-history: W&B's wandb-history.jsonl (before W&B 0.10), JSON
 *     Lines whose first line has "_step" and "_runtime" (read_wbhist.c;
 *     directories holding wandb-history.jsonl).
 *   - wandb-csv: W&B's "Export CSV" of a chart, several runs in one file
 *     (read_wbcsv.c; read by path, list_runs "#RUN"; a stream is read as
 *     any CSV).
 *   - csv: CSV or TSV with a header row naming a step-like column
 *     (read_csv.c; Lightning's CSVLogger, Keras' CSVLogger; directories
 *     holding metrics.csv, as lightning_logs/version_N).
 *   - mlflowdb: MLflow's SQLite store, mlflow.db (read_mlflowdb.c; a
 *     file read by path with load_path, never as a stream).
 *   - mlflow: MLflow file stores, directories only (read_mlflow.c).
 *   - json: the platform's answer, a bare array of metric points, JSON
 *     Lines (parse.c; the fallback, chosen when no other format claims the
 *     bytes).
 * Column names go through colmap.h in every format.
 * Directory sources (a run's log directory) are offered to every format
 * with a load_dir hook, in table order; a directory read sets run->name to
 * the directory's name (the default label).
 *
 * One JOB, several runs: a directory may hold several runs (TensorBoard's
 * log root, an MLflow experiment).  reader_list_runs() asks the formats
 * with a list_runs hook for the runs under a directory; the comparison
 * then reads each run as its own job (compare_add_jobs, cache_add_group),
 * labelled by its path relative to the directory (or the run's name).
 * A file may hold several runs too (an SQLite store): its runs are
 * "#RUN" relative to it, and the JOB "FILE#RUN" reads one of them
 * (reader_load_path). */
#ifndef TRCOMPARE_READER_H
#define TRCOMPARE_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "run.h"

#define READER_SNIFF_MAX 4096 /* bytes a format may ask to see first */
/* Levels of directories below a JOB's directory that a directory reader
 * looks in, at most (its files one level further): --batch --newer looks
 * this deep for a changed file.  TensorBoard's runs 16 levels down, an
 * MLflow store's metric keys 8 levels below a run's metrics/. */
#define READER_DIR_DEPTH 32

enum reader_sniff { READER_NO, READER_YES, READER_MORE };

struct reader_format {
	const char *name;
	/* Do bytes HEAD[0..LEN) that start a source look like this format?
	 * READER_MORE asks for more (given at most READER_SNIFF_MAX bytes,
	 * or fewer at the end of the input, AT_EOF).  NULL: the fallback. */
	enum reader_sniff (*sniff)(const unsigned char *head, size_t len, bool at_eof);
	/* A reading state appending to RUN (borrowed; outlives the state). */
	void *(*open)(struct run *run);
	/* As parser_feed/parser_finish: 0, or -1 with *cause (malloc'd,
	 * without the job's name). */
	int (*feed)(void *state, const void *buf, size_t len, char **cause);
	int (*finish)(void *state, char **cause);
	void (*close)(void *state);
	/* Reads directory DIR into RUN (optional, NULL when the format has no
	 * directory layout): 0 when read, 1 when DIR is not this format's,
	 * -1 with *cause on error. */
	int (*load_dir)(struct run *run, const char *dir, char **cause);
	/* Is directory DIR a run of this format (optional; for the formats
	 * whose run directory holds a fixed file and that have no list_runs):
	 * decided by names only, nothing is read.  A directory that no format
	 * lists runs under and that none of these claims is offered as a
	 * directory of runs: its subdirectories that one claims. */
	bool (*is_run_dir)(const char *dir);
	/* Is directory DIR this format's run whatever logs lie below it
	 * (optional): asked before any format lists runs under DIR, so that
	 * a finished Hugging Face output directory is its trainer_state.json,
	 * not the TensorBoard runs of its runs/ (the Trainer's default
	 * logging_dir).  By file names only. */
	bool (*owns_dir)(const char *dir);
	/* The file has a fixed name (trainer_state.json): a run read from
	 * a file of this format is named after its directory (run->name;
	 * a checkpoint-N directory's parent). */
	bool label_dir;
	/* The runs under directory DIR (optional): *RELS (malloc'd array of
	 * *N malloc'd paths relative to DIR, "." for DIR itself, sorted), each
	 * a directory load_dir reads as one run; *N = 0 when DIR holds none of
	 * this format's.  0, or -1 with *cause. */
	int (*list_runs)(const char *dir, char ***rels, size_t *n, char **cause);
	/* Reads the file PATH by its name (optional: a format that needs the
	 * file itself, such as an SQLite database; its feed then refuses a
	 * stream), SEL the run "PATH#SEL" names (NULL: the file has one).
	 * For such a format list_runs gets the file's path and gives runs
	 * "#SEL".  0, or -1 with *cause. */
	int (*load_path)(struct run *run, const char *path, const char *sel, char **cause);
	/* The status of the run at PATH (optional): a run directory (SEL
	 * NULL), or run SEL of the file PATH (a load_path format), in the
	 * words of run->status, malloc'd; NULL when PATH is no run of this
	 * format or the run keeps no status.  Cheaper than reading the run:
	 * --status filters runs with it before they are read. */
	char *(*run_status)(const char *path, const char *sel);
};

extern const struct reader_format read_lfs_format;
extern const struct reader_format read_hf_format;
extern const struct reader_format read_lf_format;
extern const struct reader_format read_wbhist_format;
extern const struct reader_format read_csv_format;
extern const struct reader_format read_wbcsv_format;
extern const struct reader_format tfevents_format;
extern const struct reader_format mlflow_format;
extern const struct reader_format mlflowdb_format;
extern const struct reader_format wandb_format;

/* One source being read.  Not thread-safe; one per source. */
struct reader;

/* A reader appending to RUN (borrowed).  Never NULL. */
struct reader *reader_new(struct run *run);
void reader_free(struct reader *r);

/* Pushes LEN bytes.  Returns 0, or -1 with *cause set; after an error the
 * reader repeats it. */
int reader_feed(struct reader *r, const void *buf, size_t len, char **cause);

/* End of input.  Returns 0, or -1 with *cause set.  Does not call
 * run_finish(). */
int reader_finish(struct reader *r, char **cause);

/* The chosen format's name, or NULL before enough bytes came. */
const char *reader_format_name(const struct reader *r);

/* Reads all of FD through a reader.  Returns 0, or -1 with *cause set
 * ("read error: STRERROR" for read failures). */
int reader_read_fd(struct run *run, int fd, char **cause);

/* As reader_read_fd for the file PATH open as FD: when the format read
 * has label_dir and RUN has no name yet, run->name becomes the name of
 * PATH's directory (of its parent when that is checkpoint-N). */
int reader_read_file(struct run *run, int fd, const char *path, char **cause);

/* What reader_read_file does to the run once read, for a reader fed by
 * hand (watch.h): when the chosen format has label_dir and the run has no
 * name yet, it is named after PATH's directory.  Nothing before a format
 * is chosen. */
void reader_name_run(struct reader *r, const char *path);

/* Opens DIR/FILE and reads it through a reader.  Returns 0, 1 when
 * DIR/FILE does not exist, or -1 with *cause set ("FILE: WHAT"). */
int reader_load_file(struct run *run, const char *dir, const char *file, char **cause);

/* The name of directory DIR (of the real path: "." and "a/" work), or
 * NULL when it cannot be resolved.  malloc'd. */
char *reader_dir_name(const char *dir);

/* Reads the directory DIR with the first format whose load_dir takes it.
 * Returns 0, or -1 with *cause set ("no run in this directory …" when no format reads
 * directories like it). */
int reader_load_dir(struct run *run, const char *dir, char **cause);

/* The JOB for run REL (as list_runs gives it) of TARGET, malloc'd: TARGET
 * itself for ".", "TARGET#RUN" for "#RUN" when TARGET is a regular file
 * (a store like mlflow.db), else "TARGET/REL" (one '/'; a directory's
 * entry may start with '#'). */
char *reader_member_path(const char *target, const char *rel);

/* Is DIR a directory that a format's is_run_dir takes for one run (by
 * file names: trainer_state.json or checkpoint-N, metrics.csv, …)? */
bool reader_is_run_dir(const char *dir);

/* Does directory DIR hold FILE (a regular file, or a link to one)? */
bool reader_dir_has(const char *dir, const char *file);

/* The runs under directory DIR, from the first format (in table order)
 * that finds any: *RELS and *N as list_runs gives them (*N = 0, *RELS
 * NULL when no format finds a run; none either when an owns_dir claims
 * DIR: it is one run).  When none does and no is_run_dir
 * claims DIR, its subdirectories (not those whose name starts with '.')
 * that an is_run_dir claims: a directory of runs (lightning_logs/, a
 * sweep's output directories, LLaMA-Factory's saves/).  DIR may be a regular file: then only
 * a format with load_path that claims its first bytes is asked.  Returns
 * 0, or -1 with *cause ("more than 1000 runs in the directory"). */
int reader_list_runs(const char *dir, char ***rels, size_t *n, char **cause);

/* Reads TARGET when a format reads it by path (load_path): a regular file
 * such a format claims, or "FILE#SEL" where FILE (the part before the
 * first '#' that leaves a regular file) is one.  Returns 0 when read, 1
 * when TARGET is neither (read it as usual), or -1 with *cause. */
int reader_load_path(struct run *run, const char *target, char **cause);

/* The status of the run TARGET (a directory, or "FILE#SEL"), as
 * run_status gives it, from the first format that knows it; NULL when
 * none does (a format that keeps no status).  malloc'd. */
char *reader_run_status(const char *target);

/* Is TARGET a regular file that a format reads by path (an SQLite
 * database, a W&B export), not as a stream? */
bool reader_reads_by_path(const char *target);

/* Does TARGET name "FILE#SEL", FILE a regular file (see reader_load_path)? */
bool reader_path_has_sel(const char *target);

/* The FILE of TARGET "FILE#SEL" (as reader_path_has_sel), malloc'd, or
 * NULL when TARGET is no such name. */
char *reader_path_file(const char *target);

#endif
