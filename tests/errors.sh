#!/bin/sh
# Every user-visible error message of local inputs and outputs, with its
# exit status (the datamash way: one table).  Nothing half-written.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
good="$RUNS/qwen-350m-lr1e-4.json"

printf '{"metrics": [{"step": 1,}]}' >"$T/bad.json"
: >"$T/empty.json"
printf '{"job_id": "j", "metrics": []}' >"$T/nometrics.json"
printf '{"job_id": "j", "message": "No metrics available yet", "metrics": []}' >"$T/notyet.json"
printf '{"metrics": [{"step": 1, "train_loss"' >"$T/trunc.json"
printf '{"metrics": [1, 2]}' >"$T/notobj.json"
printf '"hello"' >"$T/scalar.json"
printf '{"error": "Job not found or unauthorized"}' >"$T/error-answer.json"
printf '{"metrics": [{"step": 1, "train_loss": 2}]}\n{"step": 2, "train_loss": 1\n' >"$T/badline.jsonl"
printf '{"metrics":[{"step":"x","train_loss":1},{"train_loss":2},{"step":3,"train_loss":1.5}]}' >"$T/nostep.json"
printf '{"metrics":[{"step":1,"train_loss":1},{"step":2,"train_loss":1e400}]}' >"$T/inf.json"
printf '{"metrics":[{"step":5,"train_loss":1},{"step":1,"train_loss":2},{"step":5,"train_loss":0.5}]}' >"$T/restart.json"

#           status  message                                                                  arguments
expect_fail 1 "trcompare-plot: $T/bad.json: invalid JSON at line 1, column 25: unexpected character" "$T/bad.json" -o "$T/o.png"
expect_fail 1 "trcompare-plot: $T/empty.json: empty input" "$T/empty.json" -o "$T/o.png"
expect_fail 1 "trcompare-plot: $T/trunc.json: unexpected end of input (truncated JSON?) at line 1, column 38" "$T/trunc.json" -o "$T/o.png"
expect_fail 1 "trcompare-plot: $T/error-answer.json: an error answer, not metrics: Job not found or unauthorized" "$T/error-answer.json" -o "$T/o.png"
expect_fail 1 "trcompare-plot: /nonexistent/x.json: No such file or directory" /nonexistent/x.json -o "$T/o.png"
expect_fail 1 "trcompare-plot: $T: $NO_RUN_DIR" "$T" -o "$T/o.png"
expect_fail 1 "trcompare-plot: warning: $T/nometrics.json: no metrics
trcompare-plot: no job has any metrics" "$T/nometrics.json" -o "$T/o.png"
expect_fail 1 "trcompare-plot: warning: $T/notyet.json: no metrics (No metrics available yet)
trcompare-plot: no job has any metrics" "$T/notyet.json" -o "$T/o.png"
# An unknown -m name lists what exists: the panels and the jobs' columns.
expect_fail 1 "trcompare-plot: --metrics: unknown metric 'lr_typo' (no job has a column of that name; panels: loss, perplexity, lr, grad_norm, throughput, gpu_memory, gpu_util; columns: learning_rate, grad_norm)" \
	-m lr,lr_typo "$DATA/charts/lr.json" "$DATA/charts/gn.json" -o "$T/o.png"
# --width: a number of columns.
expect_fail 64 "trcompare-plot: --width: 'x' is not a whole number from 0 to 100000
Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information." -S --width=x "$DATA/charts/lr.json"
[ ! -e "$T/o.png" ] || fail "an output was written despite errors"
ls -a "$T" | grep -q '^\.o\.png\.' && fail "temporary output left behind"
ok "no output and no temporary file after errors"

# Every failing JOB is named, not just the first; the good one is not drawn.
trc "$T/bad.json" "$good" "$T/empty.json" -o "$T/o.png"
[ "$rc" -eq 1 ] || fail "exit $rc"
grep -q "bad.json: invalid JSON" "$T/err" && grep -q "empty.json: empty input" "$T/err" || fail "not every failure named: $(cat "$T/err")"
[ ! -e "$T/o.png" ] || fail "chart drawn despite a failed job"
ok "every failed JOB is reported; no chart without --keep-going"
# --keep-going draws the others and still fails.
trc -k "$T/bad.json" "$good" -o "$T/o.png"
[ "$rc" -eq 1 ] && [ -s "$T/o.png" ] || fail "--keep-going: exit $rc, chart $(ls "$T")"
ok "--keep-going draws the jobs that loaded, exits 1"
rm -f "$T/o.png"

# --keep-going with nothing left to draw.
expect_fail 1 "trcompare-plot: $T/bad.json: invalid JSON at line 1, column 25: unexpected character
trcompare-plot: no job could be read" -k "$T/bad.json" -o "$T/o.png"
# gnuplot without the terminal asked for, and a gnuplot that draws nothing.
expect_fail 1 "trcompare-plot: $T/o.png: this gnuplot has no 'nosuchterm' terminal" -t nosuchterm "$good" -o "$T/o.png"
printf '#!/bin/sh\ncase "$*" in *GPVAL_TERMINALS*) echo " pngcairo dumb " >&2;; *) shift; cat "$1" >/dev/null;; esac\nexit 0\n' >"$T/lazy-gnuplot"
chmod +x "$T/lazy-gnuplot"
TRCOMPARE_GNUPLOT="$T/lazy-gnuplot" expect_fail 1 "trcompare-plot: $T/o.png: gnuplot wrote nothing" "$good" -o "$T/o.png"
[ ! -e "$T/o.png" ] || fail "empty output left behind"
# -o needs no temporary file: the script goes straight to the gnuplot
# started while the jobs were read.  (Without valgrind, which needs TMPDIR
# for itself.)  The temporary script of a text chart: tests/cli.sh.
saved_trc=$TRC
TRC=$PROG
TMPDIR="$T/no-such-dir" expect_ok "$good" -o "$T/o.png"
[ "$(png_size "$T/o.png")" = 1200x800 ] || fail "-o with TMPDIR missing: no chart"
ok "-o works without a TMPDIR"
rm -f "$T/o.png"
TRC=$saved_trc

# An output in a directory named like a gnuplot pipe runs nothing.
mkdir "$T/|touch canary;echo "
cd "$T"
expect_ok "$good" -o "|touch canary;echo /a.png"
cd - >/dev/null
[ ! -e "$T/canary" ] || fail "an -o path ran a command"
[ -s "$T/|touch canary;echo /a.png" ] || fail "no chart in the oddly named directory"
ok "-o '|cmd;dir/x.png' runs nothing"

# Warnings, then success.
trc "$T/nostep.json" -o "$T/w.gp"
[ "$rc" -eq 0 ] || fail "nostep: exit $rc"
printf '%s\n' "trcompare-plot: warning: $T/nostep.json: skipped 2 rows without a usable step" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "nostep warning: $(cat "$T/err")"
ok "rows without a step: one warning with the count"
trc "$T/inf.json" -o "$T/w.gp"
printf '%s\n' "trcompare-plot: warning: $T/inf.json: 1 value was not finite (read as not logged)" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "inf warning: $(cat "$T/err")"
ok "non-finite values: warning"
trc "$T/restart.json" -o "$T/w.gp"
printf '%s\n' "trcompare-plot: warning: $T/restart.json: the step went back 1 time (a resumed run?); where a step was logged twice, the values logged last are kept" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "restart warning: $(cat "$T/err")"
trc --data "$T/restart.json"
grep -v '^#' "$T/out" | tail -n +2 | awk '{print $1, $2}' >"$T/got"
printf '1 2\n5 0.5\n' >"$T/want"
cmp -s "$T/want" "$T/got" || fail "restart rows: $(cat "$T/got")"
ok "restart: sorted, the value logged last kept"

# Timestamps: seconds in one job, nanoseconds in another (gnuplot looped on
# "time value out of range"), milliseconds in a third: each read as seconds;
# unreadable ones and another unit in the same job are counted per job.
if command -v gnuplot >/dev/null 2>&1; then
	printf '{"step":1,"train_loss":2,"timestamp":1763473200}\n{"step":2,"train_loss":1,"timestamp":1763476800}\n' >"$T/ts-s.jsonl"
	printf '{"step":1,"train_loss":2,"timestamp":1763473200000000000}\n{"step":2,"train_loss":1,"timestamp":1763480400000000000}\n{"step":3,"train_loss":1,"timestamp":1763480500}\n' >"$T/ts-ns.jsonl"
	printf '{"step":1,"train_loss":2,"timestamp":1763473200000}\n{"step":2,"train_loss":1,"timestamp":"yesterday"}\n{"step":3,"train_loss":1,"timestamp":1e30}\n{"step":4,"train_loss":1,"timestamp":1763473260000}\n' >"$T/ts-ms.jsonl"
	rc=0
	timeout 60 $TRC -x time "$T/ts-s.jsonl" "$T/ts-ns.jsonl" "$T/ts-ms.jsonl" -o "$T/ts.txt" -S csv >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 0 ] || fail "-x time with s, ms and ns: exit $rc: $(cat "$T/err")"
	printf '%s\n' "trcompare-plot: warning: $T/ts-ns.jsonl: 1 numeric timestamp not in the unit of the job's first (nanoseconds; read as not logged)" \
		"trcompare-plot: warning: $T/ts-ms.jsonl: 2 timestamps neither ISO-8601 nor a number of seconds, ms, us or ns (read as not logged)" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "timestamp warnings: $(cat "$T/err")"
	[ -s "$T/ts.txt" ] || fail "-x time with s, ms and ns: no chart"
	awk -F, 'NR > 1 {print $1, $14}' "$T/out" >"$T/got"
	printf 'ts-s 3600\nts-ns 7200\nts-ms 60\n' >"$T/want"
	cmp -s "$T/want" "$T/got" || fail "wall seconds of s, ns, ms jobs: $(cat "$T/got")"
	ok "timestamps in s, ms and ns: read as seconds, odd ones counted per job, chart drawn"
fi

# Outputs that cannot be written.
expect_fail 1 "trcompare-plot: $T/missing/dir/c.png: cannot create: No such file or directory" "$good" -o "$T/missing/dir/c.png"
expect_fail 1 "trcompare-plot: $T/missing/c.gp: cannot create: No such file or directory" "$good" -o "$T/missing/c.gp"
if [ -w /dev/full ]; then
	rc=0; $TRC "$good" --data >/dev/full 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "--data to /dev/full: exit $rc"
	printf '%s\n' "trcompare-plot: stdout: write error: No space left on device" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "--data to /dev/full: $(cat "$T/err")"
	ok "--data to /dev/full: exit 1 with the message"
	rc=0; $TRC "$good" >/dev/full 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "script to /dev/full: exit $rc"
	grep -q 'stdout: write error: No space left on device' "$T/err" || fail "script to /dev/full: $(cat "$T/err")"
	ok "script to /dev/full: exit 1"
fi
echo "errors: $nchecks checks"
