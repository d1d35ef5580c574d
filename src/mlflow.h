/* mlflow.h: what MLflow's readers share (read_mlflow.c, read_mlflowdb.c). */
#ifndef TRCOMPARE_MLFLOW_H
#define TRCOMPARE_MLFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "run.h"

/* MLflow's run status S, as the file store writes it (meta.yaml "status:
 * 3") or as the database and the REST API spell it ("FINISHED"), in the
 * job list's words: RUNNING 1 running, SCHEDULED 2 queued, FINISHED 3
 * completed, FAILED 4 failed, KILLED 5 cancelled.  NULL for anything
 * else.  A static string. */
const char *mlflow_status(const char *s);

/* The MLflow tracking server (read_mlflowhttp.c): a JOB
 * "mlflow+http://HOST:PORT[/PREFIX]#RUN_ID" (or mlflow+https), or the
 * MLflow UI's "…#/experiments/EXP/runs/RUN_ID" (a tab or a query after it
 * ignored), is run RUN_ID of the server at http://HOST:PORT[/PREFIX],
 * read through its REST API: runs/get for the run's name, status, params
 * and metric keys, then metrics/get-history of each key, page by page
 * (page_token).  The UI's "…#/experiments/EXP" and the tabs of that
 * page, "…#/experiments/EXP/TAB" (runs, traces, models, …: letters,
 * digits, '-' and '_'; a '/' or a query after either ignored), stand for
 * every run of experiment EXP not deleted (mlflow_http_list), in start
 * order. */
#define MLFLOW_HTTP_PAGE 1000    /* points asked for per page */
#define MLFLOW_HTTP_MAX_PAGES 1000 /* pages of one metric (or of runs), at most */
#define MLFLOW_HTTP_SEARCH_PAGE 1000 /* runs asked for per page */
#define MLFLOW_HTTP_MAX_RUNS 1000 /* runs of one experiment, at most */

/* Does TARGET name a run on an MLflow tracking server? */
bool mlflow_http_is(const char *target);

/* What JOB TARGET (mlflow_http_is) names, whatever its spelling: a run
 * "SERVER#/runs/RUN_ID" (#RUN_ID, #/runs/RUN_ID,
 * #/experiments/EXP/runs/RUN_ID and its tabs alike) or an experiment
 * "SERVER#/experiments/EXP" (and its page's tabs), SERVER the
 * http_url_identity of the server's URL: its scheme, host, port and path
 * prefix; then " " and its http_url_access when the URL has userinfo or
 * a query (a run asked with other credentials is asked again: with one
 * entry, one JOB's credentials would be used for both).  The run cache's
 * key (cache.h), never shown.  malloc'd, or NULL for a compare page or a
 * TARGET that names nothing. */
char *mlflow_http_key(const char *target);

/* A --watch's look at a run it holds (source_job's validators): runs/get
 * first, and the metrics' histories only when that answer's stamp (what
 * it says of the run that reading it again could change: status, end
 * time, name, params, each metric's latest value, step and timestamp)
 * differs from IF_SAME's.  A point that leaves every metric's latest
 * value, step and timestamp as they were is seen at the run's next
 * change. */
struct mlflow_stamp {
	const char *if_same; /* the stamp of the run held, or NULL */
	char *stamp;         /* out: this answer's stamp (malloc'd), or NULL
	                        when runs/get failed */
	bool same;           /* out: it is IF_SAME; RUN is left empty */
};

/* Reads run TARGET (mlflow_http_is) into RUN, through http_get with FC's
 * settings (ST: see struct mlflow_stamp; or NULL).  0, or -1 with *cause
 * and *exit_status (EXIT_FETCH: the server failed or answered an error;
 * EXIT_DATA: its answer made no sense, or TARGET names no run: "no run
 * id: give …"). */
int mlflow_http_load(struct run *run, const char *target, const struct fetch_config *fc,
		     struct mlflow_stamp *st, char **cause, int *exit_status);

/* How mlflow_http_walk asks the server: GET(CTX, PATH, ...) answers PATH
 * ("/api/2.0/mlflow/runs/get?run_id=ID", ...) with 0 and *BODY (malloc'd,
 * LEN bytes), or -1 with *CAUSE (malloc'd, or NULL: "no answer") and
 * *CODE the HTTP status (0: no answer); POST the same for PATH with the
 * JSON body JSON (runs/search).  mlflow_http_load's getter is http_get
 * and http_post_json on the server's URL; fuzz_mlflowhttp's serves its
 * input. */
struct mlflow_getter {
	int (*get)(void *ctx, const char *path, char **body, size_t *len, long *code, char **cause);
	int (*post)(void *ctx, const char *path, const char *json, char **body, size_t *len, long *code,
		    char **cause);
	void *ctx;
};

/* mlflow_http_load without HTTP: reads run RUN_ID (unescaped) through
 * GET; the walk of the server's answers (runs/get, then each metric's
 * history pages).  Same returns. */
int mlflow_http_walk(struct run *run, const char *run_id, const struct mlflow_getter *get,
		     struct mlflow_stamp *st, char **cause, int *exit_status);

/* The runs of experiment EXP (unescaped) through GET: experiments/get
 * (404: "no experiment 'EXP' on the MLflow server (CAUSE)", EXIT_FETCH),
 * then runs/search page by page (ACTIVE_ONLY; a run whose
 * lifecycle_stage is "deleted" is left out too; each id once).  *IDS
 * (malloc'd array of *N malloc'd run ids, each 1 to 64 of
 * [A-Za-z0-9_.-]) in start_time order, the server's order between equal
 * times; *STATUSES (unless STATUSES is NULL; malloc'd array of *N static
 * strings) each run's status as mlflow_status names it, or NULL.  0, or
 * -1 with *cause and *exit_status: EXIT_DATA for "experiment
 * 'EXP' has no runs (deleted runs are left out)", more than
 * MLFLOW_HTTP_MAX_RUNS runs or MLFLOW_HTTP_MAX_PAGES pages, a repeated page
 * token, an id that is none. */
int mlflow_http_search(const char *exp, const struct mlflow_getter *get, char ***ids,
		       const char ***statuses, size_t *n, char **cause, int *exit_status);

/* The runs JOB TARGET stands for when it names an experiment
 * ("…#/experiments/EXP", or a tab "…#/experiments/EXP/TAB"): *TARGETS
 * (malloc'd array of *N malloc'd JOBs "…#/experiments/EXP/runs/RUN_ID",
 * TARGET's part before '#' kept), as mlflow_http_search lists them over
 * HTTP with FC's settings; or the UI's compare page
 * ("…#/compare-runs?runs=[…]"): the JOBs "…#/runs/RUN_ID" of its list,
 * nothing asked of the server, every status NULL.  *N = 0 when TARGET
 * names neither.  0, or -1 with *cause and *exit_status. */
int mlflow_http_list(const char *target, const struct fetch_config *fc, char ***targets,
		     const char ***statuses, size_t *n,
		     char **cause, int *exit_status);

#endif
