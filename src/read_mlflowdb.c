/* read_mlflowdb.c: MLflow's SQLite backend store (mlflow.db, the default
 * since MLflow 3.7), read with SQLite itself.
 *
 * Tables (as MLflow's alembic migrations leave them):
 *   runs(run_uuid, name, status, start_time, lifecycle_stage, …)
 *   metrics(key, value, timestamp ms, step, is_nan, run_uuid): NaN is
 *       stored as 0 with is_nan = 1 (older stores: no is_nan), ±Inf as
 *       ±1.7976931348623157e308
 *   params(key, value, run_uuid), tags(key, value, run_uuid)
 * A database holds runs (list_runs gives "#RUN_ID" for each run not
 * deleted, in start order); "FILE#RUN" reads one run, RUN its id or its
 * name.  Metric keys map through tagmap.h as in the file store; runs.status
 * is the run's status (mlflow.h).
 *
 * The file is untrusted and may be in use by a tracker: it is opened
 * read-only (never written, no journal or WAL file created), with
 * defensive settings (SQLITE_DBCONFIG_DEFENSIVE, no trusted schema, no
 * triggers, views or extensions, query_only) and tight sqlite3_limits; one
 * run is read in one read transaction (a shared lock held for as long as
 * the queries take, so a writer's commit waits at most that long), and a
 * writer's lock is waited for up to MDB_BUSY_MS.  The database is not
 * opened "immutable": that would ignore a writer's journal and could read
 * a half-written commit.  Bytes arriving on a stream (stdin, a URL) are
 * refused: SQLite reads a file. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "mlflow.h"
#include "reader.h"
#include "tagmap.h"
#include "util.h"

#define MDB_MAGIC "SQLite format 3" /* the first 16 bytes, with the NUL */
#define MDB_BUSY_MS 2000            /* wait for a writer's lock, at most */
#define MDB_MAX_RUNS 1000           /* runs listed from one database */
#define MDB_MAX_ID 64               /* bytes of a run id used in a JOB */
#define MDB_MAX_VALUE (1 << 20)     /* bytes of any one value read */

/* Is S a run id we can put after '#': 1..MDB_MAX_ID letters, digits, -, _? */
static bool id_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= MDB_MAX_ID &&
	       strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == n;
}

/* *CAUSE = "WHAT: SQLite's message" for DB. */
static int db_error(sqlite3 *db, const char *what, char **cause)
{
	*cause = xasprintf("%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* Opens PATH read-only with the defensive settings above.  *DB is NULL on
 * error.  0, or -1 with *cause. */
static int db_open(const char *path, sqlite3 **out, char **cause)
{
	sqlite3 *db = NULL;
	*out = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*cause = xasprintf("cannot open the SQLite database: %s",
				   db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	static const struct { int id, v; } limits[] = {
		{ SQLITE_LIMIT_LENGTH, MDB_MAX_VALUE },
		{ SQLITE_LIMIT_SQL_LENGTH, 4096 },
		{ SQLITE_LIMIT_EXPR_DEPTH, 64 },
		{ SQLITE_LIMIT_COMPOUND_SELECT, 4 },
		{ SQLITE_LIMIT_VDBE_OP, 100000 },
		{ SQLITE_LIMIT_FUNCTION_ARG, 8 },
		{ SQLITE_LIMIT_ATTACHED, 0 },
		{ SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 64 },
		{ SQLITE_LIMIT_VARIABLE_NUMBER, 8 },
		{ SQLITE_LIMIT_TRIGGER_DEPTH, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		sqlite3_limit(db, limits[i].id, limits[i].v);
	static const int off[] = {
		SQLITE_DBCONFIG_TRUSTED_SCHEMA, SQLITE_DBCONFIG_ENABLE_TRIGGER,
		SQLITE_DBCONFIG_ENABLE_VIEW, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
		SQLITE_DBCONFIG_DQS_DML,
	};
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	for (size_t i = 0; i < ARRAY_SIZE(off); i++)
		sqlite3_db_config(db, off[i], 0, (int *)NULL);
	sqlite3_busy_timeout(db, MDB_BUSY_MS);
	if (sqlite3_exec(db, "PRAGMA query_only=ON; PRAGMA cell_size_check=ON; PRAGMA mmap_size=0;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		db_error(db, "cannot read the SQLite database", cause);
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

/* Prepares SQL on DB, binding text ARG (NULL: none) to ?1.  NULL with
 * *cause on error. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, const char *arg, char **cause)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		/* SQLITE_ERROR: no such table or column; else locked, damaged… */
		db_error(db, sqlite3_errcode(db) == SQLITE_ERROR ? "not an MLflow database"
								: "MLflow database", cause);
		return NULL;
	}
	if (arg && sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		db_error(db, "MLflow database", cause);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Column I of ST's row as a string ("" for NULL; a value with a NUL byte
 * ends there).  Borrowed until the next step. */
static const char *text_at(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* The runs in database PATH not deleted, as "#RUN_ID", in start order. */
static int mdb_list_runs(const char *path, char ***rels, size_t *n, char **cause)
{
	sqlite3 *db;
	*rels = NULL;
	*n = 0;
	if (db_open(path, &db, cause) < 0) {
		free(*cause); /* (reading it as one job says why) */
		*cause = NULL;
		return 0;
	}
	sqlite3_stmt *st = prepare(db,
		"SELECT run_uuid FROM runs WHERE lifecycle_stage IS NOT 'deleted' "
		"ORDER BY start_time, run_uuid", NULL, cause);
	if (!st) {
		/* Not a store (or damaged): no runs here; reading the file as
		 * one job then says what is wrong, as a data error. */
		free(*cause);
		*cause = NULL;
		sqlite3_close(db);
		return 0;
	}
	int rc = 0, s;
	while (rc == 0 && (s = sqlite3_step(st)) != SQLITE_DONE) {
		if (s != SQLITE_ROW) {
			rc = db_error(db, "MLflow database", cause);
		} else if (*n >= MDB_MAX_RUNS) {
			*cause = xasprintf("more than %d runs in the MLflow database (name one: FILE#RUN)",
					   MDB_MAX_RUNS);
			rc = -1;
		} else if (id_ok(text_at(st, 0))) {
			*rels = xreallocarray(*rels, *n + 1, sizeof **rels);
			(*rels)[(*n)++] = xasprintf("#%s", text_at(st, 0));
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			free((*rels)[i]);
		free(*rels);
		*rels = NULL;
		*n = 0;
	}
	return rc;
}

/* The id of the run SEL names (its id, else the name of a run not
 * deleted, as read_meta finds it), malloc'd, or NULL with *cause.  SEL
 * NULL: the database's only run. */
static char *find_run(sqlite3 *db, const char *sel, char **cause)
{
	sqlite3_stmt *st = sel
		? prepare(db, "SELECT run_uuid, run_uuid = ?1 FROM runs WHERE run_uuid = ?1 OR "
			      "(lifecycle_stage IS NOT 'deleted' AND (name = ?1 OR (coalesce(name, '') = '' "
			      "AND run_uuid IN (SELECT run_uuid FROM tags WHERE key = 'mlflow.runName' "
			      "AND value = ?1)))) ORDER BY 2 DESC LIMIT 2", sel, cause)
		: prepare(db, "SELECT run_uuid, 0 FROM runs WHERE lifecycle_stage IS NOT 'deleted' LIMIT 2",
			  NULL, cause);
	if (!st)
		return NULL;
	char *id = NULL;
	int s, found = 0;
	bool exact = false;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++ == 0) {
			id = xstrdup(text_at(st, 0));
			exact = sqlite3_column_int(st, 1) != 0;
		}
	}
	if (s != SQLITE_DONE) {
		db_error(db, "MLflow database", cause);
	} else if (found == 0) {
		*cause = sel ? xasprintf("no run '%s' in the MLflow database (give a run id or run name)", sel)
			     : xstrdup("the MLflow database holds no runs");
	} else if (found > 1 && !exact) {
		*cause = sel ? xasprintf("'%s' names several runs in the MLflow database: give the run id", sel)
			     : xstrdup("the MLflow database holds several runs: name one as FILE#RUN");
	} else {
		sqlite3_finalize(st);
		return id;
	}
	free(id);
	sqlite3_finalize(st);
	return NULL;
}

/* The status of run ID (mlflow_status of runs.status), malloc'd, or NULL
 * (also for a store without the column). */
static char *db_status(sqlite3 *db, const char *id)
{
	char *cause = NULL;
	sqlite3_stmt *st = prepare(db, "SELECT status FROM runs WHERE run_uuid = ?1", id, &cause);
	const char *s = st && sqlite3_step(st) == SQLITE_ROW ? mlflow_status(text_at(st, 0)) : NULL;
	char *status = s ? xstrdup(s) : NULL;
	sqlite3_finalize(st);
	free(cause);
	return status;
}

/* Sets run->name (runs.name, else the tag mlflow.runName), run->status,
 * run->id and the parameters of run ID. */
static int read_meta(sqlite3 *db, struct run *run, const char *id, char **cause)
{
	sqlite3_stmt *st = prepare(db,
		"SELECT coalesce(nullif(name, ''), (SELECT value FROM tags WHERE run_uuid = ?1 "
		"AND key = 'mlflow.runName')) FROM runs WHERE run_uuid = ?1", id, cause);
	if (!st)
		return -1;
	/* No name: the id (not "#ID", the group member's relative name). */
	bool named = sqlite3_step(st) == SQLITE_ROW && *text_at(st, 0);
	free(run->name);
	run->name = xstrdup(named ? text_at(st, 0) : id);
	free(run->status);
	run->status = db_status(db, id);
	sqlite3_finalize(st);
	free(run->id);
	run->id = xstrdup(id);
	st = prepare(db, "SELECT key, value FROM params WHERE run_uuid = ?1 ORDER BY key", id, cause);
	int rc = st ? 0 : -1, s;
	while (st && rc == 0 && (s = sqlite3_step(st)) != SQLITE_DONE)
		rc = s == SQLITE_ROW ? run_add_param(run, text_at(st, 0), text_at(st, 1), cause)
				     : db_error(db, "MLflow database", cause);
	sqlite3_finalize(st);
	return rc;
}

/* One metrics row of ST (key, value, timestamp, step, is_nan) into RUN;
 * *KEY and *COL cache the last key's column. */
static int read_point(sqlite3_stmt *st, struct run *run, char **key, int *col, bool hf, int time_col,
		      char **cause)
{
	const char *k = text_at(st, 0);
	if (!*key || strcmp(*key, k) != 0) {
		free(*key);
		*key = xstrdup(k);
		char *name = hf && strcmp(k, TAGMAP_HF_MEAN) == 0 ? NULL : tagmap_column(k, strlen(k), false);
		*col = name ? run_col(run, name) : -2; /* -2: not a point */
		free(name);
	}
	if (*col == -2 || !**key)
		return 0; /* not a point, or no key */
	if (*col < 0) {
		run->ignored_fields++;
		return 0;
	}
	sqlite3_int64 step = sqlite3_column_int64(st, 3);
	if (sqlite3_column_type(st, 3) != SQLITE_INTEGER || step >= (1LL << 53) || step <= -(1LL << 53)) {
		run->skipped_nostep++;
		return 0;
	}
	if (run_add_row(run, (double)step, cause) < 0)
		return -1;
	sqlite3_int64 ts = sqlite3_column_int64(st, 2);
	if (ts > 0)
		run_set(run, time_col, (double)ts / 1000);
	double v = sqlite3_column_double(st, 1);
	/* NaN is stored as 0 with is_nan; ±Inf as ±DBL_MAX. */
	if (sqlite3_column_int(st, 4) || sqlite3_column_type(st, 1) == SQLITE_NULL || !isfinite(v) ||
	    fabs(v) >= DBL_MAX)
		run->nonfinite++;
	else
		run_set(run, *col, v);
	return 0;
}

/* tagmap_hf_summary's question of run ID of DB. */
struct has_key {
	sqlite3 *db;
	const char *id;
};

/* Has the run (a struct has_key) a point of metric KEY?  (A failed query
 * says no.) */
static bool has_key(const void *ctx, const char *key)
{
	const struct has_key *hk = ctx;
	sqlite3_stmt *st = NULL;
	bool have = false;
	if (sqlite3_prepare_v2(hk->db, "SELECT 1 FROM metrics WHERE run_uuid = ?1 AND key = ?2 LIMIT 1", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, hk->id, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC) == SQLITE_OK)
		have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return have;
}

/* The metrics of run ID into RUN. */
static int read_points(sqlite3 *db, struct run *run, const char *id, char **cause)
{
	static const char *const sql[] = {
		"SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ?1 "
		"ORDER BY key, timestamp, step",
		/* Stores from before is_nan (MLflow 1.4). */
		"SELECT key, value, timestamp, step, 0 FROM metrics WHERE run_uuid = ?1 "
		"ORDER BY key, timestamp, step",
	};
	sqlite3_stmt *st = prepare(db, sql[0], id, cause);
	if (!st) {
		free(*cause);
		*cause = NULL;
		st = prepare(db, sql[1], id, cause);
	}
	if (!st)
		return -1;
	int time_col = run_col(run, COL_TIME);
	struct has_key hk = { db, id };
	bool hf = tagmap_hf_summary(has_key, &hk);
	char *key = NULL;
	int col = -2, rc = 0, s;
	while (rc == 0 && (s = sqlite3_step(st)) != SQLITE_DONE)
		rc = s == SQLITE_ROW ? read_point(st, run, &key, &col, hf, time_col, cause)
				     : db_error(db, "MLflow database", cause);
	free(key);
	sqlite3_finalize(st);
	/* Each key's points are in time order; together they are not. */
	run_sort_rows(run);
	return rc;
}

/* Reads the run SEL (NULL: the only one) of database PATH into RUN. */
static int mdb_load_path(struct run *run, const char *path, const char *sel, char **cause)
{
	sqlite3 *db;
	if (db_open(path, &db, cause) < 0)
		return -1;
	/* One read transaction: the run as of one moment. */
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0
		 : db_error(db, "MLflow database", cause);
	char *id = rc == 0 ? find_run(db, sel, cause) : NULL;
	if (rc == 0 && !id)
		rc = -1;
	if (rc == 0)
		rc = read_meta(db, run, id, cause);
	if (rc == 0)
		rc = read_points(db, run, id, cause);
	free(id);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* The status of run SEL (its id, as list_runs gives it) of database
 * PATH, or NULL. */
static char *mdb_run_status(const char *path, const char *sel)
{
	sqlite3 *db;
	char *cause = NULL;
	if (!sel || db_open(path, &db, &cause) < 0) {
		free(cause);
		return NULL;
	}
	char *status = db_status(db, sel);
	sqlite3_close(db);
	return status;
}

/* Does HEAD start with SQLite's file header? */
static enum reader_sniff mdb_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	size_t n = sizeof MDB_MAGIC; /* with the NUL */
	if (len < n)
		return !at_eof && memcmp(head, MDB_MAGIC, len) == 0 ? READER_MORE : READER_NO;
	return memcmp(head, MDB_MAGIC, n) == 0 ? READER_YES : READER_NO;
}

/* No state: a non-NULL token. */
static void *mdb_open(struct run *run)
{
	return run;
}

/* A database on a stream (stdin, a URL) cannot be read. */
static int mdb_feed(void *state, const void *buf, size_t len, char **cause)
{
	(void)state;
	(void)buf;
	(void)len;
	*cause = xstrdup("an SQLite database (MLflow's mlflow.db) is read from a file, not a stream: "
			 "give its path");
	return -1;
}

/* (Only reached after mdb_feed failed, or for a 16-byte file.) */
static int mdb_finish(void *state, char **cause)
{
	return mdb_feed(state, "", 0, cause);
}

/* Nothing to free. */
static void mdb_close(void *state)
{
	(void)state;
}

const struct reader_format mlflowdb_format = {
	.name = "mlflowdb",
	.sniff = mdb_sniff,
	.open = mdb_open,
	.feed = mdb_feed,
	.finish = mdb_finish,
	.close = mdb_close,
	.list_runs = mdb_list_runs,
	.load_path = mdb_load_path,
	.run_status = mdb_run_status,
};
