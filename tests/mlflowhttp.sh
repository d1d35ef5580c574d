#!/bin/sh
# An MLflow tracking server over HTTP: JOB mlflow+http://HOST:PORT/#RUN_ID,
# read through runs/get and metrics/get-history with page_token paging.
# The server is tests/mlflowd.py (standard library, real HTTP on
# 127.0.0.1, three points per page whatever is asked); expected values are
# those it serves, worked out here.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
need_gnuplot
start_mlflowd "$T/log"
S=$MLFLOWD
A="${S}#a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
B="${S}#ffff0000ffff0000ffff0000ffff0000"
H="${S}#h0st1le"

# The points: loss 3 - s/4 at steps 1..8 (three pages), eval_loss at 4 and
# 8, grad_norm with a NaN at step 2; time = 1700000000 + step.
trc --data "$A"
[ "$rc" -eq 0 ] || fail "--data: exit $rc: $(cat "$T/err")"
awk '/^"step"/ { for (i = 1; i <= NF; i++) c[$i] = i; next } /^#/ || NF == 0 { next }
	{ print $c["\"step\""], $c["\"time\""], $c["\"train_loss\""], $c["\"eval_loss\""], $c["\"grad_norm\""] }' \
	"$T/out" >"$T/got"
python3 -c '
for s in range(1, 9):
    ev = {4: "2.125", 8: "1.5"}.get(s, "NaN")
    gn = {1: "0.5", 3: "0.25"}.get(s, "NaN")
    print(s, 1700000000 + s, "%.15g" % (3 - s / 4), ev, gn)' >"$T/want"
check_want "mlflow+http: every point of every metric, int64s as numbers or strings"
echo "trcompare-plot: warning: $A: 1 value was not finite (read as not logged)" >"$T/want"
cp "$T/err" "$T/got"
check_want "mlflow+http: NaN (\"NaN\") read as not logged, with the usual warning"

# Paging: the server gives three points a page, so loss (8 points) takes
# three requests, each after the first with the page_token it was given.
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    p, q = json.loads(l)
    if p.endswith("get-history") and q["metric_key"] == "loss" and q["run_id"].startswith("a1b2"):
        print(q["max_results"], q.get("page_token", "-"))' "$T/log" >"$T/got"
printf '%s\n' "1000 -" "1000 Mw==" "1000 Ng==" >"$T/want"
check_want "mlflow+http: loss over three pages, page_token passed on"

# Name, status and params in -S json; a run without a name is labelled by
# its id.
trc -q -S json "$A" "$B"
python3 -c '
import json, sys
for j in json.load(open(sys.argv[1])):
    print(j["label"], j["status"], json.dumps(j.get("params")))' "$T/out" >"$T/got"
printf '%s\n' 'lora-r8 completed {"learning_rate": "0.0001", "lora_r": "8"}' \
	'ffff0000ffff0000ffff0000ffff0000 running null' >"$T/want"
check_want "mlflow+http: run name, status and params in -S json"

# Errors: an unknown run (the server's 404) and a JOB without a run id.
expect_fail 2 "trcompare-plot: ${S}#nope: no run 'nope' on the MLflow server (HTTP 404: Not Found)" -S json "${S}#nope"
expect_fail 1 "trcompare-plot: $S: no run id: give mlflow+http://HOST:PORT/#RUN_ID, #/runs/RUN_ID, #/experiments/EXP/runs/RUN_ID, #/experiments/EXP or #/compare-runs?runs=[…]" -S json "$S"

# A hostile server: a key listed 50 times is read once (2 requests, not
# 51); a page token that repeats is an error at the second page, the key's
# control characters not reaching stderr.
: >"$T/log"
trc -q -S csv "${S}#dupkeys"
[ "$rc" -eq 0 ] || fail "dupkeys: exit $rc: $(cat "$T/err")"
[ "$(grep -c dupkeys "$T/log")" -eq 2 ] || fail "a key listed 50 times was read $(($(grep -c dupkeys "$T/log") - 1)) times"
ok "mlflow+http: a metric key the server lists 50 times is read once"
expect_fail 1 "trcompare-plot: ${S}#loop: metric 'lo [31mss': the server gave the same page token twice" -S csv "${S}#loop"
[ "$(grep -c '"loop"' "$T/log")" -le 4 ] || fail "a repeated page token was followed: $(grep -c '"loop"' "$T/log") requests"

# A metric named "step" is no point: its values do not become steps (the
# steps stay those of loss), and it is no column.
expect_ok --data "${S}#stepkey"
awk '/^"step"/ { print; next } /^#/ || NF == 0 { next } { print $1, $3 }' "$T/out" >"$T/got"
printf '%s\n' '"step" "time" "train_loss" "train_perplexity"' "1 2" "2 1.5" >"$T/want"
check_want "mlflow+http: a metric named step does not overwrite the steps"

# A metric named "time" keeps its values as time_metric; the time column
# stays the points' timestamps (ms since 1970 in seconds).
expect_ok --data "${S}#timekey"
awk '/^"step"/ { print; next } /^#/ || NF == 0 { next } { print $1, $2, $5 }' "$T/out" >"$T/got"
printf '%s\n' '"step" "time" "train_loss" "train_perplexity" "time_metric"' "1 1700000001 0.25" "2 1700000002 0.5" >"$T/want"
check_want "mlflow+http: a metric named time does not overwrite the timestamps"

# Hugging Face's summary train_loss (the run's mean, logged at the last
# step) is no point: the loss curve ends at the last loss.
expect_ok --data "${S}#hfsum"
cols train_loss train_runtime >"$T/got"
printf '%s\n' "hfsum 1 2 NaN" "hfsum 2 1.75 12.5" >"$T/want"
check_want "mlflow+http: Hugging Face's summary train_loss is no point"

# Hostile run name, param keys and values, metric keys: through -S json,
# an SVG chart drawn by gnuplot and the report; nothing runs.
W="$T/work"
mkdir "$W"
(cd "$W" && $TRC -S json -m 'loss,`touch canary`,a
EOD
b' -o chart.svg "$H" >"$T/out" 2>"$T/err") || fail "hostile: $(cat "$T/err")"
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))[0]
print(j["status"], len(j["params"]), j["rows"])' "$T/out" >"$T/got"
echo "cancelled 6 4" >"$T/want"
check_want "mlflow+http: hostile run read (status, 6 params, 4 rows)"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$W/chart.svg" || fail "hostile: invalid SVG"
else
	[ -s "$W/chart.svg" ] || fail "hostile: no SVG"
fi
(cd "$W" && $TRC -q --report r.html "$H") || fail "report of the hostile run"
(cd "$W" && $TRC -q --report base.html "$B") || fail "report of a plain run"
[ "$(grep -o -i '</script' "$W/r.html" | wc -l)" -eq "$(grep -o -i '</script' "$W/base.html" | wc -l)" ] ||
	fail "hostile: a name ends a <script> in the report"
[ -z "$(find "$T" -name 'canary*')" ] || fail "hostile: a command ran"
ok "mlflow+http: hostile names through -S json, SVG and report; nothing ran"

# The MLflow UI's run URL, #/experiments/EXP/runs/RUN_ID (a tab after it,
# a path prefix before '#'), and its direct one, #/runs/RUN_ID, are that
# run: the same -S json, byte for byte.
trc -q -S json "$A"
[ "$rc" -eq 0 ] || fail "-S json: exit $rc"
mv "$T/out" "$T/want"
for ui in "${S}#/experiments/0/runs/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6" \
	"${S}#/experiments/0/runs/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6/artifacts" \
	"${S}mlflow/#/experiments/0/runs/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6" \
	"${S}#/runs/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6" "${S}#/runs/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6?o=1"; do
	trc -q -S json "$ui"
	[ "$rc" -eq 0 ] || fail "$ui: exit $rc: $(cat "$T/err")"
	cmp -s "$T/out" "$T/want" || fail "$ui: -S json differs from #RUN_ID's"
done
ok "mlflow+http: the UI's run URLs read as #RUN_ID (with a tab, behind a path prefix, #/runs/RUN_ID)"

# The UI's experiment URL, #/experiments/EXP: every run not deleted, one
# job per run, in start order (the server lists the latest first, two a
# page); a run without a name labelled by its id as when named alone.
: >"$T/log"
trc -q -S json "${S}#/experiments/1"
[ "$rc" -eq 0 ] || fail "experiment: exit $rc: $(cat "$T/err")"
python3 -c '
import json, sys
for j in json.load(open(sys.argv[1])):
    print(j["label"], j["id"], j["status"], j["rows"])' "$T/out" >"$T/got"
printf '%s\n' "exp1-first e1000000000000000000000000000001 completed 2" \
	"e1000000000000000000000000000002 e1000000000000000000000000000002 running 2" \
	"exp1-last e1000000000000000000000000000003 completed 2" >"$T/want"
check_want "mlflow+http: an experiment's runs in start order, the deleted one left out"
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e[0].endswith("runs/search"):
        print(e[2], json.dumps(e[1], sort_keys=True))
    elif e[0].endswith("runs/get") or e[0].endswith("experiments/get"):
        print(e[0].rsplit("/", 2)[1], list(e[1].values())[0])' "$T/log" >"$T/got"
printf '%s\n' 'experiments 1' 'application/json {"experiment_ids": ["1"], "max_results": 1000, "run_view_type": "ACTIVE_ONLY"}' \
	'application/json {"experiment_ids": ["1"], "max_results": 1000, "page_token": "Mg==", "run_view_type": "ACTIVE_ONLY"}' \
	'runs e1000000000000000000000000000001' 'runs e1000000000000000000000000000002' \
	'runs e1000000000000000000000000000003' >"$T/want"
check_want "mlflow+http: runs/search over two pages (POST, JSON), the deleted run never read"

# The tabs of the experiment's page, #/experiments/EXP/TAB (the UI's
# Runs tab URL, #/experiments/1/runs, with a '/' or a query after it; the
# Traces and Models tabs), are the experiment: the same -S json.
mv "$T/out" "$T/exp1.json"
for tab in runs runs/ "runs?searchFilter=x&o=1" runs/?o=1 traces models evaluation-runs; do
	trc -q -S json "${S}#/experiments/1/$tab"
	[ "$rc" -eq 0 ] || fail "#/experiments/1/$tab: exit $rc: $(cat "$T/err")"
	cmp -s "$T/out" "$T/exp1.json" || fail "#/experiments/1/$tab: -S json differs from #/experiments/1's"
done
ok "mlflow+http: a tab of the experiment's page (#/experiments/1/runs, /traces …) is the experiment"

# The UI's page comparing runs, #/compare-runs?runs=[…]&experiments=[…]
# (as a browser copies it, '"' as %22; or as typed): those runs, in the
# page's order, each once, labelled by name; nothing listed.
: >"$T/log"
for cmp in '#/compare-runs?runs=[%22e1000000000000000000000000000003%22,%22a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6%22]&experiments=[%221%22,%220%22]' \
	'#/compare-runs?experiments=["1"]&runs=["e1000000000000000000000000000003","a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6","e1000000000000000000000000000003"]'; do
	trc -q -S json "${S}$cmp"
	[ "$rc" -eq 0 ] || fail "compare page: exit $rc: $(cat "$T/err")"
	python3 -c '
import json, sys
for j in json.load(open(sys.argv[1])):
    print(j["label"], j["id"])' "$T/out" >"$T/got"
	printf '%s\n' "exp1-last e1000000000000000000000000000003" "lora-r8 a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6" >"$T/want"
	check_want "mlflow+http: the compare page's runs ($cmp)"
done
! grep -q 'search\|experiments/get' "$T/log" || fail "compare page: something was listed: $(cat "$T/log")"
C="${S}#/compare-runs?runs="
expect_fail 1 "trcompare-plot: ${C}%5B: the compare page's runs= is not a JSON list of run ids" -S json "${C}%5B"
expect_fail 1 "trcompare-plot: ${C}{}: the compare page's runs= is not a JSON list of run ids" -S json "${C}{}"
for junk in '["e1000000000000000000000000000003"]junk{' '["e1000000000000000000000000000003"]["zz"]' \
	'["e1000000000000000000000000000003"]%00x' '["e1000000000000000000000000000003%00x"]'; do
	expect_fail 1 "trcompare-plot: ${C}$junk: the compare page's runs= is not a JSON list of run ids" -S json "${C}$junk"
done
expect_fail 1 "trcompare-plot: ${C}[]: the compare page's runs= lists no run" -S json "${C}[]"
expect_fail 1 "trcompare-plot: ${C}[\"ok\",\"../x y\"]: the compare page lists a run id that is none: \"..\/x y\"" -S json "${C}[\"ok\",\"../x y\"]"
expect_fail 1 "trcompare-plot: ${C}[1]: the compare page lists a run id that is none: 1" -S json "${C}[1]"
expect_fail 1 "trcompare-plot: ${C}[\"a\",null]: the compare page lists a run id that is none: null" -S json "${C}[\"a\",null]"
many=$(python3 -c 'print("[" + ",".join("\"r%d\"" % i for i in range(1001)) + "]")')
# (the JOB, too long, is cut short in the message)
trc -S json "${C}$many"
[ "$rc" -eq 1 ] && grep -q '^trcompare-plot: mlflow+http://.*…: more than 1000 runs on the compare page$' "$T/err" ||
	fail "1001 runs on the compare page: exit $rc: $(cat "$T/err")"
ok "mlflow+http: the compare page's runs= that makes no sense or lists none or too many: exit 1"
$TRC --help | tr -s ' \n' '  ' | grep -qF -- '#/runs/RUN_ID, #/experiments/EXP/runs/RUN_ID, #/experiments/EXP or a tab of its page, #/experiments/EXP/runs, for its runs, #/compare-runs?runs=[...] for the runs it lists' ||
	fail "--help does not name the MLflow UI's run and compare page URLs"
ok "--help: the MLflow UI's direct run and compare page URLs"

# --status keeps the experiment's runs of those statuses (the others are
# never read); one that leaves none is a usage error.
: >"$T/log"
trc -q -S csv --status=running "${S}#/experiments/1"
[ "$rc" -eq 0 ] || fail "experiment --status: exit $rc: $(cat "$T/err")"
cut -d, -f1 "$T/out" >"$T/got"
printf '%s\n' label e1000000000000000000000000000002 >"$T/want"
check_want "mlflow+http: --status keeps an experiment's runs of that status"
[ "$(grep -c runs/get "$T/log")" -eq 1 ] || fail "--status: $(grep -c runs/get "$T/log") runs read, not 1"
expect_fail 64 "trcompare-plot: ${S}#/experiments/1: none of its 3 runs has a status in --status=paused" \
	-S csv --status=paused "${S}#/experiments/1"

# An experiment the server cannot list fails as a fetch does: -k draws
# the other jobs, and a batch writes its other lines' charts (exit 2).
V="$top_srcdir/examples/lightning_logs/version_0"
# (Named twice, it is asked for once.)
: >"$T/log"
trc -k -q -S csv "$V" "${S}#/experiments/99" "b=${S}#/experiments/99"
printf '%s\n' "$rc $(cut -d, -f1 "$T/out" | tail -n 1) $(grep -c experiments/get "$T/log")" \
	"$(cat "$T/err")" >"$T/got"
printf '%s\n' "2 version_0 1" "trcompare-plot: ${S}#/experiments/99: no experiment '99' on the MLflow server (HTTP 404: Not Found)" \
	"trcompare-plot: b=${S}#/experiments/99: no experiment '99' on the MLflow server (HTTP 404: Not Found)" >"$T/want"
check_want "mlflow+http: -k goes on past an experiment the server cannot list"
printf '%s\n' "-o $T/b1.gp $V" "-o $T/b2.gp '${S}#/experiments/99'" >"$T/manifest"
trc --batch "$T/manifest" -q
[ "$rc" -eq 2 ] || fail "batch with an unlistable experiment: exit $rc: $(cat "$T/err")"
[ -s "$T/b1.gp" ] && [ ! -e "$T/b2.gp" ] || fail "batch with an unlistable experiment: b1.gp or b2.gp wrong"
echo "trcompare-plot: $T/manifest:2: ${S}#/experiments/99: no experiment '99' on the MLflow server (HTTP 404: Not Found)" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "batch: stderr $(cat "$T/err")"
ok "mlflow+http: a batch writes the other lines past an experiment the server cannot list"

# An experiment named by two JOBs (or two batch lines) is listed once.
: >"$T/log"
trc -q -S csv "${S}#/experiments/1" "b=${S}#/experiments/1"
[ "$rc" -eq 0 ] || fail "experiment twice: exit $rc: $(cat "$T/err")"
printf '%s\n' "$(grep -c experiments/get "$T/log") $(grep -c runs/search "$T/log")" >"$T/got"
echo "1 2" >"$T/want"
check_want "mlflow+http: an experiment named twice is listed once"

# The POSTs go through the same client: -v names them; the token goes
# to the --url origin only.
: >"$T/log"
O=$(printf '%s' "$S" | sed 's|^mlflow+||; s|/$||')
export TRCOMPARE_TOKEN=s3cret
trc -v -q -S csv --url="$O" "${S}#/experiments/1"
[ "$rc" -eq 0 ] || fail "token: exit $rc: $(cat "$T/err")"
grep -c "^trcompare-plot: POST $O/api/2.0/mlflow/runs/search, token as Authorization: Bearer (redacted)\$" "$T/err" >"$T/got"
echo 2 >"$T/want"
check_want "mlflow+http: -v names each runs/search POST"
trc -q -S csv --url=http://127.0.0.2:9 "${S}#/experiments/1"
unset TRCOMPARE_TOKEN
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e[0].endswith("runs/search"):
        print(e[3])' "$T/log" >"$T/got"
printf '%s\n' "Bearer s3cret" "Bearer s3cret" None None >"$T/want"
check_want "mlflow+http: the token goes with runs/search to the --url origin only"

# A server that lists deleted runs anyway (run_view_type ignored): their
# lifecycle_stage leaves them out.  A query in the fragment (the UI keeps
# its view there) is no part of the experiment.
trc -q -S json "${S}#/experiments/5?searchFilter=x&o=1"
python3 -c '
import json, sys
print(" ".join(j["label"] for j in json.load(open(sys.argv[1]))))' "$T/out" >"$T/got"
echo "exp5-live" >"$T/want"
check_want "mlflow+http: a deleted run the server lists is left out; a query after the experiment ignored"

# Behind a path prefix, and with LABEL=: labels as a directory's runs.
trc -q -S json "sweep=${S}mlflow/#/experiments/1/"
python3 -c '
import json, sys
print(" ".join(j["label"] for j in json.load(open(sys.argv[1]))))' "$T/out" >"$T/got"
echo "sweep/exp1-first sweep/e1000000000000000000000000000002 sweep/exp1-last" >"$T/want"
check_want "mlflow+http: LABEL= an experiment behind a path prefix"

# Errors: an unknown experiment (the server's 404), one with only deleted
# runs, a page token that repeats, one of 1001 runs, a run id that cannot be one, fragments
# that name nothing.
expect_fail 2 "trcompare-plot: ${S}#/experiments/99: no experiment '99' on the MLflow server (HTTP 404: Not Found)" -S json "${S}#/experiments/99"
expect_fail 1 "trcompare-plot: ${S}#/experiments/2: experiment '2' has no runs (deleted runs are left out)" -S json "${S}#/experiments/2"
expect_fail 1 "trcompare-plot: ${S}#/experiments/3: experiment '3': the server gave the same page token twice" -S json "${S}#/experiments/3"
expect_fail 1 "trcompare-plot: ${S}#/experiments/6: more than 1000 runs in experiment '6'" -S json "${S}#/experiments/6"
expect_fail 1 "trcompare-plot: ${S}#/experiments/4: the server listed a run id that is none: '../e4 x'" -S json "${S}#/experiments/4"
for frag in "#/experiments/" "#/experiments/1//" "#/experiments/1/runs//x" "#/experiments/1/models/m-1" \
	"#/experiments/1/x%20y" "#/experiments/1/prompts/p?x" "#/runs/" "#/runs//x" "#/compare-runs?experiments=[]"; do
	expect_fail 1 "trcompare-plot: ${S}$frag: no run id: give mlflow+http://HOST:PORT/#RUN_ID, #/runs/RUN_ID, #/experiments/EXP/runs/RUN_ID, #/experiments/EXP or #/compare-runs?runs=[…]" -S json "${S}$frag"
done
expect_fail 2 "trcompare-plot: ${S}#/experiments/1/runs/nope: no run 'nope' on the MLflow server (HTTP 404: Not Found)" -S json "${S}#/experiments/1/runs/nope"
expect_fail 2 "trcompare-plot: ${S}#/runs/nope: no run 'nope' on the MLflow server (HTTP 404: Not Found)" -S json "${S}#/runs/nope"

# The same run named in other spellings (#/runs/RUN_ID without the '/'
# before '#'; the UI's run URL with a tab) is the same job as for a file
# given twice: read once (one runs/get, each history page once), a
# warning naming both JOBs, drawn for each JOB (labels made unique).
# Spellings with their own credentials (user:password@, a query in the
# server's URL) are read each with its own: one may be refused.
RID=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6
S0=${S%/}
: >"$T/log"
expect_ok -S csv "$A"
grep "$RID" "$T/log" | sort >"$T/once.log"
: >"$T/log"
trc -S csv "$A" "${S0}#/runs/$RID" "${S}#/experiments/0/runs/$RID/metrics"
{
	echo "$rc"
	cut -d, -f1 "$T/out" | tr -d '\r'
	cat "$T/err"
} >"$T/got"
printf '%s\n' 0 label lora-r8 "lora-r8 (2)" "lora-r8 (3)" \
	"trcompare-plot: warning: $A: 1 value was not finite (read as not logged)" \
	"trcompare-plot: warning: ${S0}#/runs/$RID: the same job as $A, given again" \
	"trcompare-plot: warning: ${S}#/experiments/0/runs/$RID/metrics: the same job as $A, given again" >"$T/want"
check_want "mlflow+http: one run in three spellings: a warning for each given again"
grep "$RID" "$T/log" | sort >"$T/got"
cp "$T/once.log" "$T/want"
check_want "mlflow+http: one run in three spellings is read once"
: >"$T/log"
trc -S csv "$A" "mlflow+http://u:pw@${S0#mlflow+http://}/#/experiments/0/runs/$RID/metrics" \
	"${S}?token=s3cret#$RID" "${S}?token=s3cret#/runs/$RID"
{
	echo "$rc"
	cut -d, -f1 "$T/out" | tr -d '\r'
	grep 'given again' "$T/err"
	grep -c "runs/get.*$RID" "$T/log"
} >"$T/got"
printf '%s\n' 0 label lora-r8 "lora-r8 (2)" "lora-r8 (3)" "lora-r8 (4)" \
	"trcompare-plot: warning: ${S}?token=REDACTED#/runs/$RID: the same job as ${S}?token=REDACTED#$RID, given again" \
	3 >"$T/want"
check_want "mlflow+http: a run named with other credentials is read with them (three reads for three)"

# A run of an experiment's listing or a compare page, named again by its
# id, is that run too; so is an experiment named again in another
# spelling (listed once).
E3=e1000000000000000000000000000003
: >"$T/log"
trc -S csv "${S}#/experiments/1" "${S0}#$E3" "${S}#/compare-runs?runs=[%22$E3%22]" "x=${S0}#/experiments/1/runs"
{
	echo "$rc"
	cut -d, -f1 "$T/out" | tr -d '\r'
	cat "$T/err"
	echo "$(grep -c "runs/get.*$E3" "$T/log") $(grep -c experiments/get "$T/log")"
} >"$T/got"
{
	printf '%s\n' 0 label exp1-first e1000000000000000000000000000002 exp1-last "exp1-last (2)" "exp1-last (3)" \
		x/exp1-first x/e1000000000000000000000000000002 x/exp1-last \
		"trcompare-plot: warning: ${S0}#$E3: the same job as ${S}#/experiments/1's run $E3, given again" \
		"trcompare-plot: warning: ${S}#/compare-runs?runs=[%22$E3%22]'s run $E3: the same job as ${S}#/experiments/1's run $E3, given again"
	for r in e1000000000000000000000000000001 e1000000000000000000000000000002 $E3; do
		echo "trcompare-plot: warning: ${S0}#/experiments/1/runs's run $r: the same job as ${S}#/experiments/1's run $r, given again"
	done
	echo "1 1"
} >"$T/want"
check_want "mlflow+http: an experiment's run named again, by id and on a compare page: read once, a warning"

# The report's source of an experiment's run is the experiment's run,
# though its id, named first, read it.
(cd "$T" && $TRC -q --report r.md "${S0}#$E3" "${S}#/experiments/1") || fail "report of a run named twice"
grep '^| source' "$T/r.md" >"$T/got"
printf '| source (URL) | %s |\n' "${S0}#$E3" "${S}#/experiments/1/runs/e1000000000000000000000000000001" \
	"${S}#/experiments/1/runs/e1000000000000000000000000000002" "${S}#/experiments/1/runs/$E3" |
	sed 's/:/\\:/g' >"$T/want"
check_want "mlflow+http: the report names an experiment's run named first by id as the experiment's run"

# Runs of different servers are not merged: another path prefix is
# another server (a trailing slash is not).
: >"$T/log"
trc -S csv "$A" "${S}mlflow/#$RID" "${S}mlflow//#/runs/$RID"
printf '%s\n' "$rc $(grep -c "runs/get.*$RID" "$T/log")" "$(grep 'given again' "$T/err")" >"$T/got"
printf '%s\n' "0 2" "trcompare-plot: warning: ${S}mlflow//#/runs/$RID: the same job as ${S}mlflow/#$RID, given again" >"$T/want"
check_want "mlflow+http: the same run id behind another path prefix is another run"

# --watch of an experiment: its runs are read again each round (runs/get
# of each asked again), and the experiment is listed again each round
# (tests/watchjoin.sh: runs that join and leave).
: >"$T/log"
start_watch "$T/watch.log" --watch=0.2 --watch-forever -o "$T/w.png" "${S}#/experiments/1"
wait_for 60 test -s "$T/w.png" || fail "--watch: no chart: $(cat "$T/watch.log")"
wait_for 60 sh -c "[ \$(grep -c 'runs/get.*e1000000000000000000000000000003' '$T/log') -ge 3 ]" ||
	fail "--watch: the experiment's runs are not read again: $(cat "$T/log")"
# (Waited for too, not counted once the runs were: the server logs each
# request as it comes, in whatever order a round's come.)
listed() { [ "$(grep -c 'experiments/get' "$T/log")" -ge 3 ] && [ "$(grep -c 'runs/search' "$T/log")" -ge 3 ]; }
wait_for 60 listed ||
	fail "--watch: the experiment was not listed again: $(grep -c 'experiments/get' "$T/log") experiments/get, $(grep -c 'runs/search' "$T/log") runs/search"
stop_watch TERM
! grep -q 'e1dddd' "$T/log" || fail "--watch: the deleted run was read"
ok "mlflow+http: --watch of an experiment reads its runs again, and lists it again"
