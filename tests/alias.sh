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

# A tracker (an MLflow file store): tags as logged; an alias onto step is
# not used there.
python3 "$top_srcdir/tests/trackers.py" mlflow "$T/ml" 2>/dev/null || skip "python3 not installed"
R="$T/ml/mlruns/0/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
expect_ok --alias train/grad_norm=gn,eval_loss=step --list-metrics "$R"
awk 'NR > 2 { print $1 }' "$T/out" | grep -v '^param$' >"$T/got"
printf '%s\n' time gn train_loss eval_loss perplexity train_perplexity >"$T/want"
cmp -s "$T/want" "$T/got" || fail "tag alias: $(cat "$T/got")"
ok "--alias in a tracker's tags; not onto step"

# Usage errors.
for bad in foo =x x= 'a=b,'; do
	w=$bad
	[ "$bad" = 'a=b,' ] && w=
	expect_fail 64 "trcompare-plot: --alias: '$w' is not FROM=TO
Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information." --alias "$bad" "$T/a.csv"
done
