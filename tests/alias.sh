#!/bin/sh
# --alias FROM=TO: a source's own name read as another, in every format;
# and the JSON error naming the keys of an object that is no run.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# header STEP...: the --data header line of $T/out.
header() { grep '^"step"' "$T/out" | head -1; }

printf 'iteration,val/loss,acc\n1,2.5,0.1\n2,2.0,0.2\n' >"$T/a.csv"
expect_fail 1 "trcompare-plot: $T/a.csv: no step-like column (step, global_step, _step, Step, current_steps or epoch) among the CSV columns: iteration, val/loss, acc (name the step with --alias COLUMN=step)" \
	--data "$T/a.csv"

# CSV: a step column by another name, a column into the loss panel, a
# column renamed; repeatable and comma-separated.
expect_ok --alias iteration=step --alias val/loss=eval_loss,acc=accuracy --data "$T/a.csv"
header >"$T/got"
echo '"step" "eval_loss" "perplexity" "accuracy"' >"$T/want"
cmp -s "$T/want" "$T/got" || fail "csv alias: $(cat "$T/got")"
grep -q '^2 2 ' "$T/out" || fail "csv alias: values $(cat "$T/out")"
ok "--alias in a CSV: the step, eval_loss, a renamed column"

# JSON: onto a known column and onto a new name; the last alias wins.
printf '{"step":1,"val/loss":2,"foo":3}\n' >"$T/a.jsonl"
expect_ok --alias foo=baz --alias val/loss=eval_loss,foo=bar --data "$T/a.jsonl"
header >"$T/got"
echo '"step" "eval_loss" "perplexity" "bar"' >"$T/want"
cmp -s "$T/want" "$T/got" || fail "json alias: $(cat "$T/got")"
ok "--alias in JSON: onto eval_loss and onto a new name, the last wins"

# A tracker (an MLflow file store): tags as logged; an alias onto step or
# time is not used there (loss stays train_loss).
python3 "$top_srcdir/tests/trackers.py" mlflow "$T/ml" 2>/dev/null || skip "python3 not installed"
R="$T/ml/mlruns/0/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
expect_ok --alias train/grad_norm=gn,eval_loss=step,loss=time --list-metrics "$R"
awk 'NR > 2 { print $1 }' "$T/out" | grep -v '^param$' >"$T/got"
printf '%s\n' time gn train_loss eval_loss perplexity train_perplexity >"$T/want"
cmp -s "$T/want" "$T/got" || fail "tag alias: $(cat "$T/got")"
ok "--alias in a tracker's tags; not onto step or time"

# Usage errors.
for bad in foo =x x= 'a=b,'; do
	w=$bad
	[ "$bad" = 'a=b,' ] && w=
	expect_fail 64 "trcompare-plot: --alias: '$w' is not FROM=TO
Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information." --alias "$bad" "$T/a.csv"
done

# --- a JSON object that is no run names its keys (json-c's path and the
# fast path for flat objects; the first 8 keys, sanitized).
printf '{"model": "x", "config": {"lr": 1}, "results": [1, 2]}\n' >"$T/cfg.json"
expect_fail 1 "trcompare-plot: $T/cfg.json: a JSON object with neither \"metrics\" nor \"log_history\" (its keys: model, config, results)" \
	--data "$T/cfg.json"
printf '{"eval_accuracy": 0.91, "eval_loss": 0.35, "epoch": 3.0}' >"$T/all_results.json"
expect_fail 1 "trcompare-plot: $T/all_results.json: a JSON object with neither \"metrics\" nor \"log_history\" (its keys: eval_accuracy, eval_loss, epoch)" \
	--data "$T/all_results.json"
printf '{"a":1,"b":2,"c":3,"d":4,"e":{"x":5},"f":6,"g":7,"h\\u202e":8,"i":9}' >"$T/many.json"
expect_fail 1 "trcompare-plot: $T/many.json: a JSON object with neither \"metrics\" nor \"log_history\" (its keys: a, b, c, d, e, f, g, h, ... (9 keys))" \
	--data "$T/many.json"
printf '{"note": "start"}\n{"step": 1, "loss": 2}\n' >"$T/lines.jsonl"
expect_ok --data "$T/lines.jsonl"
echo "trcompare-plot: warning: $T/lines.jsonl: skipped 1 row without a usable step" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "JSON Lines with a first line without step: $(cat "$T/err")"
ok "JSON Lines whose first line has no step: a skipped row, not the error"

# --- the epoch going back while the step goes forward: one warning.
printf '%s\n' '{"step":1,"epoch":0.5,"loss":2}' '{"step":2,"epoch":1.0,"loss":1.9}' \
	'{"step":3,"epoch":0.1,"loss":1.8}' '{"step":4,"epoch":0.2,"loss":1.7}' >"$T/epoch.jsonl"
expect_ok --data "$T/epoch.jsonl"
echo "trcompare-plot: warning: $T/epoch.jsonl: the epoch went back 1 time while the step went forward (epochs counted anew after a resume?)" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "epoch back: $(cat "$T/err")"
ok "the epoch going back while the step goes forward is said once"
