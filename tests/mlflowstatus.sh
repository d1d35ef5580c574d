#!/bin/sh
# --status for MLflow runs: the status of a file-store run (meta.yaml's
# number) and of an mlflow.db run (runs.status), in the job list's words,
# in -S json and reports, and --status choosing among the runs of a store,
# an experiment or a database.  Fixtures: tests/trackers.py mlflow-status.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
python3 -c 'import sqlite3' 2>/dev/null || skip "python3 has no sqlite3 module"
python3 "$top_srcdir/tests/trackers.py" mlflow-status "$T/s"
ML="$T/s/mlruns"
DB="$T/s/status.db"

# runs: "label status" per job of -S json ($T/out), into $T/got.
runs() {
	python3 -c '
import json, sys
for j in json.load(open(sys.argv[1])):
    print(j["label"], j.get("status", "-"))' "$T/out" >"$T/got"
}

# Every status, mapped (RUNNING running, SCHEDULED queued, FINISHED
# completed, FAILED failed, KILLED cancelled), from both stores.
printf '%s\n' "run-running running" "run-scheduled queued" "run-finished completed" \
	"run-failed failed" "run-killed cancelled" >"$T/all"
expect_ok -S json "$ML"
runs
sort "$T/all" >"$T/want"
sort -o "$T/got" "$T/got"
check_want "-S json: the status of each file-store run"
expect_ok -S json "$DB"
runs
cp "$T/all" "$T/want"
check_want "-S json: the status of each mlflow.db run (start order)"

# --status filters the runs of a store, an experiment and a database,
# case-insensitively, as the job list's.
expect_ok -S json --status=completed,failed "$ML"
runs
printf '%s\n' "run-failed failed" "run-finished completed" >"$T/want"
sort -o "$T/got" "$T/got"
check_want "--status=completed,failed: the store's completed and failed runs"
expect_ok -S json --status=CANCELLED "$ML/1"
runs
echo "run-killed cancelled" >"$T/want"
check_want "--status=CANCELLED: the experiment's killed run"
expect_ok -S json --status=queued,running "$DB"
runs
printf '%s\n' "run-running running" "run-scheduled queued" >"$T/want"
check_want "--status=queued,running: the database's runs"

# A filter that leaves no run is an error naming the JOB.
expect_fail 64 "trcompare-plot: $ML: none of its 5 runs has a status in --status=paused" \
	-S json --status=paused "$ML"
expect_fail 64 "trcompare-plot: $DB: none of its 5 runs has a status in --status=succeeded" \
	-S json --status=succeeded "$DB"

# A run named itself is read whatever its status; a run whose source
# keeps no status is not filtered out.
expect_ok -S json --status=completed "$ML/1/10000000000000000000000000000004"
runs
echo "run-failed failed" >"$T/want"
check_want "--status does not filter a run directory named itself"
expect_ok -S json --status=completed "$DB#run-killed"
runs
echo "run-killed cancelled" >"$T/want"
check_want "--status does not filter FILE#RUN"
expect_ok -S json --status=completed "$T/s/nostatus"
runs
echo "no-status -" >"$T/want"
check_want "--status keeps a run without a status"

# Reports show the run's status in its details.
expect_ok --report "$T/r.html" --status=failed "$ML"
grep -q '<tr><th class="text">status</th><td class="text">failed</td></tr>' "$T/r.html" ||
	fail "report: no status row"
ok "--report: the run's status in its details"
expect_ok --report "$T/r.md" --status=cancelled "$DB"
grep -q '^| status | cancelled |$' "$T/r.md" || fail "Markdown report: no status row: $(cat "$T/r.md")"
ok "--report FILE.md: the run's status in its details"
