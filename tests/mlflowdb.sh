#!/bin/sh
# MLflow's SQLite store (mlflow.db) and run parameters.  The databases are
# written at test time by tests/trackers.py with Python's sqlite3 and the
# tables MLflow's migrations define; expected values are worked out here.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
python3 -c 'import sqlite3' 2>/dev/null || skip "python3 has no sqlite3 module"
W="$top_srcdir/tests/trackers.py"
python3 "$W" mlflowdb "$T/db"
DB="$T/db/mlflow.db"
A=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6
B=ffff0000ffff0000ffff0000ffff0000

sum() { cksum <"$DB"; }
before=$(sum)

# --- the whole store: one job per live run, in start order, labelled by
# run name (the old-style run by its mlflow.runName tag); the deleted run
# left out.  NaN (is_nan) and +Inf (the largest double) are not logged;
# train/train_loss (the run's mean) is no point; a step logged twice keeps
# the later value (1.75 after the NaN).
trc --data "$DB"
[ "$rc" -eq 0 ] || fail "mlflow.db: exit $rc: $(cat "$T/err")"
cols train_loss eval_loss learning_rate grad_norm time >"$T/got"
{
	echo "lora-r8 1 2.5 NaN NaN 0.5 1700000001"
	echo "lora-r8 2 2 2.2 NaN NaN 1700000002"
	echo "lora-r8 3 1.75 NaN NaN NaN 1700000004"
	echo "old-style 1 NaN NaN 0.0001 NaN 1700000105"
	echo "old-style 2 NaN NaN 5e-05 NaN 1700000106"
} >"$T/want"
check_want "mlflow.db: every live run is a job, values as stored"
echo "trcompare-plot: warning: $DB#$A: 2 values were not finite (read as not logged)" >"$T/want"
cp "$T/err" "$T/got"
check_want "mlflow.db: NaN and Inf counted as not finite"
grep '^# job: ' "$T/out" >"$T/got"
printf '# job: %s\n' "$A" "$B" >"$T/want"
check_want "mlflow.db: the run ids are the job ids"

# --- FILE#RUN: one run, by id or by name; LABEL= works.
for sel in "$A" lora-r8; do
	trc --data "$DB#$sel"
	[ "$rc" -eq 0 ] || fail "#$sel: exit $rc: $(cat "$T/err")"
	cols train_loss >"$T/got"
	printf 'lora-r8 1 2.5\nlora-r8 2 2\nlora-r8 3 1.75\n' >"$T/want"
	check_want "mlflow.db#$sel reads that run only"
done
trc --data "mine=$DB#old-style"
grep '^# label: ' "$T/out" >"$T/got"
echo "# label: mine" >"$T/want"
check_want "LABEL=mlflow.db#RUN"

# --- errors, each a data error (exit 1).
expect_fail 1 "trcompare-plot: $DB#nope: no run 'nope' in the MLflow database (give a run id or run name)" \
	--data "$DB#nope"
expect_fail 1 "trcompare-plot: $DB#gone: no run 'gone' in the MLflow database (give a run id or run name)" \
	--data "$DB#gone"
expect_fail 1 "trcompare-plot: $T/db/dup.db#dup: 'dup' names several runs in the MLflow database: give the run id" \
	--data "$T/db/dup.db#dup"
trc --data "$T/db/dup.db#22222222222222222222222222222222"
cols train_loss >"$T/got"
echo "dup 1 2" >"$T/want"
check_want "a run id picks one of two runs of one name"
expect_fail 1 "trcompare-plot: $T/db/other.db: not an MLflow database: no such table: runs" --data "$T/db/other.db"
head -c 16 "$DB" >"$T/magic.db"
expect_fail 1 "trcompare-plot: $T/magic.db: MLflow database: file is not a database" --data "$T/magic.db"
head -c 5000 "$DB" >"$T/half.db"
expect_fail 1 "trcompare-plot: $T/half.db: MLflow database: database disk image is malformed" --data "$T/half.db"
expect_fail 1 "trcompare-plot: -: an SQLite database (MLflow's mlflow.db) is read from a file, not a stream: give its path" \
	--data - <"$DB"

# --- read-only: the file is unchanged and no journal or WAL file appears.
[ "$(sum)" = "$before" ] || fail "mlflow.db changed"
ls "$T/db" >"$T/got"
printf 'dup.db\nmlflow.db\nother.db\n' >"$T/want"
check_want "mlflow.db is read without writing anything"

# --- a tracker in the middle of a transaction (a RESERVED lock) does not
# stop the reader, which sees the last commit; one holding the EXCLUSIVE
# lock (committing) is waited for, then reported.
# (Held until the test kills the writer, not for a time the program may
# outlast: under valgrind on a loaded machine, starting takes seconds.)
hold() { # hold LOCK SECONDS: a writer deleting the params, not committed
	python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN " + sys.argv[2])
db.execute("DELETE FROM params")
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[3]))' "$DB" "$1" "$2" &
	holder=$!
	bg_started "$holder"
	wait_for 10 test -e "$DB.held" || fail "the writer did not start"
}
hold IMMEDIATE 120
trc --list-metrics "$DB#lora-r8"
[ "$rc" -eq 0 ] || fail "reserved lock: exit $rc: $(cat "$T/err")"
grep -c '^  param ' "$T/out" >"$T/got"
echo 2 >"$T/want"
check_want "a writer's open transaction does not block the reader, which sees the last commit"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
rm -f "$DB.held" "$DB-journal"
hold EXCLUSIVE 120
expect_fail 1 "trcompare-plot: $DB: MLflow database: database is locked" --data "$DB"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
rm -f "$DB.held" "$DB-journal"

# --- a store without runs, and one from before is_nan (MLflow < 1.4):
# its tables, also used below.
OLD_TABLES="CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), start_time BIGINT,
    lifecycle_stage VARCHAR(20));
CREATE TABLE metrics (key VARCHAR(250), value FLOAT NOT NULL, timestamp BIGINT, run_uuid VARCHAR(32),
    step BIGINT DEFAULT '0' NOT NULL);
CREATE TABLE params (key VARCHAR(250), value VARCHAR(250) NOT NULL, run_uuid VARCHAR(32));
CREATE TABLE tags (key VARCHAR(250), value VARCHAR(250), run_uuid VARCHAR(32));
"
python3 - "$T/old" "$OLD_TABLES" <<'PY'
import os, sqlite3, sys
os.makedirs(sys.argv[1])
db = sqlite3.connect(os.path.join(sys.argv[1], "empty.db"))
db.executescript("CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), "
                 "start_time BIGINT, lifecycle_stage VARCHAR(20));")
db.commit()
db = sqlite3.connect(os.path.join(sys.argv[1], "old.db"))
db.executescript(sys.argv[2] + """
INSERT INTO runs VALUES ('0123abcd', '', 1, 'active');
INSERT INTO metrics VALUES ('loss', 1.5, 1000, '0123abcd', 1), ('loss', 1.25, 2000, '0123abcd', 2);
""")
db.commit()
PY
expect_fail 1 "trcompare-plot: $T/old/empty.db: the MLflow database holds no runs" --data "$T/old/empty.db"
trc --data "$T/old/old.db"
cols train_loss >"$T/got"
printf '0123abcd 1 1.5\n0123abcd 2 1.25\n' >"$T/want"
check_want "a store from before is_nan; a run without a name is labelled by its id"

# --- Hugging Face's Trainer logs its final summary through its MLflow
# callback at the last step: train_loss there is the run's mean, no point
# (the curve ends at the last logged loss), in mlflow.db and in the file
# store.  Without a summary key (train_runtime, total_flos) beside loss, a
# train_loss (as Lightning logs it) is the curve.
python3 - "$T/hf" "$OLD_TABLES" <<'PY'
import os, sqlite3, sys
os.makedirs(sys.argv[1])
db = sqlite3.connect(os.path.join(sys.argv[1], "hf.db"))
db.executescript(sys.argv[2] + """
INSERT INTO runs VALUES ('aaaa', 'hf', 1, 'active'), ('bbbb', 'lightning', 2, 'active');
INSERT INTO metrics VALUES ('loss', 1.5, 1000, 'aaaa', 1), ('loss', 1.25, 2000, 'aaaa', 2),
    ('train_loss', 1.375, 2001, 'aaaa', 2), ('train_runtime', 12.5, 2001, 'aaaa', 2),
    ('train_loss', 2.5, 1000, 'bbbb', 1), ('train_loss', 2.25, 2000, 'bbbb', 2);
""")
db.commit()
PY
trc --data "$T/hf/hf.db"
[ "$rc" -eq 0 ] || fail "hf.db: exit $rc: $(cat "$T/err")"
cols train_loss train_runtime >"$T/got"
printf '%s\n' "hf 1 1.5 NaN" "hf 2 1.25 12.5" "lightning 1 2.5 NaN" "lightning 2 2.25 NaN" >"$T/want"
check_want "mlflow.db: Hugging Face's summary train_loss (the run's mean) is no point"
cp -R "$top_srcdir/examples/mlruns" "$T/hf/mlruns"
R=$(ls -d "$T/hf/mlruns/1"/*/ | head -n 1)
tail -n 1 "$R/metrics/loss" | awk '{ print $1 + 1, 9.75, $3 }' >"$R/metrics/train_loss"
expect_ok -S csv "$R"
want=$(tail -n 1 "$R/metrics/loss" | awk '{ print $2 }')
[ "$(cut -d, -f5 "$T/out" | tail -n 1)" = 9.75 ] || fail "file store: train_loss without a summary key is not the curve: $(cat "$T/out")"
tail -n 1 "$R/metrics/train_loss" | awk '{ print $1, 12.5, $3 }' >"$R/metrics/total_flos"
expect_ok -S csv "$R"
[ "$(cut -d, -f5 "$T/out" | tail -n 1)" = "$want" ] || fail "file store: the final train loss is not the last loss ($want): $(cat "$T/out")"
ok "file store: Hugging Face's summary train_loss (the run's mean) is no point"

# --- --list-metrics: columns (rows with a value, first and last step, the
# panel), then the parameters (the params table; the file store's params/
# files, nested keys as subdirectories).
trc --list-metrics "$DB"
[ "$rc" -eq 0 ] || fail "--list-metrics: exit $rc: $(cat "$T/err")"
cat >"$T/want" <<EOT
lora-r8: $DB#$A
  column                       rows   first step    last step  panel
  time                            3            1            3  -
  eval_loss                       1            2            2  loss
  train_loss                      3            1            3  loss
  grad_norm                       1            1            1  grad_norm
  perplexity                      1            2            2  perplexity
  train_perplexity                3            1            3  perplexity
  param learning_rate = 0.0001
  param lora_r = 8

old-style: $DB#$B
  column                       rows   first step    last step  panel
  time                            2            1            2  -
  learning_rate                   2            1            2  lr
  param lora_r = 16
EOT
cp "$T/out" "$T/got"
check_want "--list-metrics: mlflow.db's columns and params"
python3 "$W" mlflow "$T/ml"
R="$T/ml/mlruns/0/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
mkdir -p "$R/params/optimizer"
printf 'adamw' >"$R/params/optimizer/name"
printf 'two\nlines' >"$R/params/note"
trc --list-metrics "$R"
grep '^  param' "$T/out" >"$T/got"
printf '  param lora_r = 8\n  param note = two lines\n  param optimizer/name = adamw\n' >"$T/want"
check_want "--list-metrics: the file store's params/ (nested, sanitized)"
expect_fail 64 "trcompare-plot: --list-metrics writes only the listing: no -o, -d, --data, --summary, --report, --watch, --batch or --list-jobs
Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information." --list-metrics -S "$DB"

# --- hostile run names and params: sanitized in labels and the listing.
python3 - "$T/evil.db" <<'PY'
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("trk", os.path.join(os.environ["top_srcdir"], "tests", "trackers.py"))
trk = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trk)
trk.mlflow_db(sys.argv[1], [("e1", "evil\n\x1b[31m\u202ename", "active", 1, [("loss\n\x1b", 1.0, 1000, 1)],
                             [("k\x1b", "v\nx\u202e")], [])])
PY
trc --list-metrics "$T/evil.db"
[ "$rc" -eq 0 ] || fail "evil: exit $rc: $(cat "$T/err")"
if LC_ALL=C grep -q "$(printf '\033')" "$T/out" || grep -q "$(printf '\342\200\256')" "$T/out"; then
	fail "evil: control characters in the listing: $(cat -v "$T/out")"
fi
head -1 "$T/out" >"$T/got"
echo "evil  [31m name: $T/evil.db#e1" >"$T/want"
check_want "hostile run names are sanitized"

# Parameters in -S json (the file store's params/).
expect_ok -S json "$top_srcdir/examples/mlruns"
jq -e '.[0].params.learning_rate == "0.0001" and .[1].params.learning_rate == "0.0003"' "$T/out" >/dev/null ||
	fail "-S json: no params: $(cat "$T/out")"
ok "-S json gives each run's params"
