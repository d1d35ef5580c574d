/* mlflow.h: what MLflow's readers share (read_mlflow.c, read_mlflowdb.c). */
#ifndef TRCOMPARE_MLFLOW_H
#define TRCOMPARE_MLFLOW_H

/* MLflow's run status S, as the file store writes it (meta.yaml "status:
 * 3") or as the database and the REST API spell it ("FINISHED"), in the
 * job list's words: RUNNING 1 running, SCHEDULED 2 queued, FINISHED 3
 * completed, FAILED 4 failed, KILLED 5 cancelled.  NULL for anything
 * else.  A static string. */
const char *mlflow_status(const char *s);

#endif
