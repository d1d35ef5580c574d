#!/bin/sh
# W&B's wandb-history.jsonl (before W&B 0.10) and "Export CSV" files: the
# fixtures follow formats.md (_step, _runtime, _timestamp and the logged
# keys, the Hugging Face callback's train/* and eval/* names; every field
# quoted, "Step" first, "<run> - <key>" with __MIN and __MAX, "" where a
# run has no point, a group as "Group: <name>").
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
R="$DATA/wbhist/wandb/run-20190612_101500-3xk2p9aa"
# exp(X) as the program spells it (the shortest text that reads back).
e() { python3 -c 'import math, sys; print(repr(math.exp(float(sys.argv[1]))))' "$1"; }

# _step is the step, _timestamp the time; _runtime is bookkeeping (no
# column); eval/X is eval_X, train/X is X; train/train_loss (the run's
# mean) is no point; a table (a nested object) is no column; NaN is not
# logged.
for job in "$R" "$R/wandb-history.jsonl"; do
	trc --data "$job"
	[ "$rc" -eq 0 ] || fail "$job: exit $rc: $(cat "$T/err")"
	grep -v '^#' "$T/out" | grep . >"$T/got"
	cat >"$T/want" <<EOT
"step" "epoch" "time" "train_loss" "eval_loss" "train_perplexity" "perplexity" "learning_rate" "global_step" "eval_accuracy" "eval_runtime" "train_runtime" "total_flos"
0 0.1 1560334531.5 2.4812 NaN $(e 2.4812) NaN 4.9e-05 10 NaN NaN NaN NaN
1 0.2 1560334561.2 2.1093 NaN $(e 2.1093) NaN 4.8e-05 20 NaN NaN NaN NaN
2 0.2 1560334566.3 NaN 2.2031 NaN $(e 2.2031) NaN 20 0.41 5.1 NaN NaN
3 0.3 1560334590.7 NaN NaN NaN NaN 4.7e-05 30 NaN NaN NaN NaN
4 0.3 1560334595.4 NaN NaN NaN NaN NaN 30 NaN NaN 95 1e+15
EOT
	cmp -s "$T/want" "$T/got" || fail "$job: --data differs:
$(diff "$T/want" "$T/got")"
	ok "wandb-history.jsonl read as W&B history: $job"
	grep '^# label: ' "$T/out" >"$T/got"
	echo "# label: run-20190612_101500-3xk2p9aa" >"$T/want"
	cmp -s "$T/want" "$T/got" || fail "$job: label $(cat "$T/got")"
	ok "labelled by its run directory: $job"
	echo "trcompare-plot: warning: $job: 1 value was not finite (read as not logged)" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "$job: stderr $(cat "$T/err")"
	ok "NaN counted: $job"
done

# Logged keys named like the step or the time are metrics, as in W&B's run
# files: "step" is no point, "global_step" and "timestamp" are columns,
# "time" is time_metric; _step stays the step and _timestamp the time
# (W&B writes the logged keys first).
H="$T/wandb/run-20240101_000000-abcd1234"
mkdir -p "$H"
cat >"$H/wandb-history.jsonl" <<'EOT'
{"loss": 2.5, "step": 900, "global_step": 7, "timestamp": 0.5, "time": 3, "elapsed_time": "0:01:00", "_runtime": 1.0, "_timestamp": 1700000010.0, "_step": 0}
{"loss": 2.25, "step": 901, "global_step": 57, "timestamp": 1.5, "time": 4, "elapsed_time": "0:02:00", "_runtime": 2.0, "_timestamp": 1700000020.0, "_step": 1}
EOT
expect_ok --data "$H"
grep -v '^#' "$T/out" | grep . >"$T/got"
cat >"$T/want" <<EOT
"step" "time" "train_loss" "train_perplexity" "global_step" "timestamp" "time_metric"
0 1700000010 2.5 $(e 2.5) 7 0.5 3
1 1700000020 2.25 $(e 2.25) 57 1.5 4
EOT
check_want "wandb-history.jsonl: keys named like the step or the time are metrics"

# ... also as nested values, in rows over 64 KiB (a histogram: the
# parser's streaming path) and small ones; a logged "metrics" object or
# array is no envelope.
for big in 0 1; do
	H="$T/wandb/run-20240101_000000-big$big"
	mkdir -p "$H"
	python3 - "$H/wandb-history.jsonl" "$big" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for s in (1, 2):
        row = {"_step": s, "_runtime": s, "_timestamp": 1560334530.5 + s, "loss": 3.0 - s,
               "step": {"a": s}, "timestamp": {"a": s}, "global_step": [s],
               "metrics": {"acc": 0.5} if s == 1 else [1, 2]}
        if sys.argv[2] == "1":
            row["gradients/w"] = {"_type": "histogram", "bins": list(range(20001)), "values": [1] * 20000}
        f.write(json.dumps(row) + "\n")
PY
	expect_ok --data "$H"
	grep -v '^#' "$T/out" | grep . >"$T/got"
	cat >"$T/want" <<EOT
"step" "time" "train_loss" "train_perplexity"
1 1560334531.5 2 $(e 2)
2 1560334532.5 1 $(e 1)
EOT
	check_want "wandb-history.jsonl: nested step, timestamp, metrics are no columns (rows over 64 KiB: $big)"
done

# --- W&B "Export CSV": one job per run, in header order, labelled by the
# run name (the last " - " ends it); keys map as in run files; __MIN and
# __MAX keep their suffix; a run's empty cells are no row of its.
X="$DATA/wbcsv/wandb_export.csv"
trc --data "$X"
[ "$rc" -eq 0 ] || fail "export: exit $rc: $(cat "$T/err")"
awk '/^# label: / { l = substr($0, 10) } /^[0-9]/ { print l ": " $0 } /^"step"/ { print }' "$T/out" >"$T/got"
cat >"$T/want" <<EOT
"step" "train_loss" "eval_loss" "train_perplexity" "perplexity" "train_loss__MIN" "train_loss__MAX" "eval_loss__MIN" "eval_loss__MAX"
lora-r8: 10 2.5 NaN $(e 2.5) NaN 2.4 2.6 NaN NaN
lora-r8: 20 2.25 2.4 $(e 2.25) $(e 2.4) 2.2 2.3 2.4 2.4
"step" "train_loss" "eval_loss" "train_perplexity" "perplexity" "train_loss__MIN" "train_loss__MAX" "eval_loss__MIN" "eval_loss__MAX"
Group: r16 - x: 10 2.75 NaN $(e 2.75) NaN 2.7 2.8 NaN NaN
Group: r16 - x: 30 2.5 NaN $(e 2.5) NaN 2.45 2.55 NaN NaN
Group: r16 - x: 40 2.25 NaN $(e 2.25) NaN 2.25 2.25 NaN NaN
EOT
cmp -s "$T/want" "$T/got" || fail "export: --data differs:
$(diff "$T/want" "$T/got")"
ok "a W&B export of two runs is two jobs"
echo "trcompare-plot: warning: $X#lora-r8: 1 value was not finite (read as not logged)" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "export: stderr $(cat "$T/err")"
ok "a W&B export: NaN counted for its run"
trc --data "mine=$X#Group: r16 - x"
grep -c '^[0-9]' "$T/out" >"$T/got"
echo 3 >"$T/want"
cmp -s "$T/want" "$T/got" || fail "FILE#RUN: $(cat "$T/got") rows"
grep -q '^# label: mine$' "$T/out" || fail "FILE#RUN: label"
ok "LABEL=FILE#RUN reads one run of a W&B export"
expect_fail 1 "trcompare-plot: $X#nope: no run 'nope' in the W&B export" --data "$X#nope"
printf '"Relative Time (Process)","a - train/loss"\n"1.5","2"\n' >"$T/time.csv"
expect_fail 1 "trcompare-plot: $T/time.csv: the W&B export's x axis is 'Relative Time (Process)', not Step (export the chart with Step as its x axis)" \
	--data "$T/time.csv"
expect_ok --data - <"$X"
grep -q '"lora-r8_-_train_loss"' "$T/out" || fail "stdin: not read as a CSV"
ok "a W&B export on stdin is read as any CSV"
printf '"Step","only - loss"\n"1","2"\n' >"$T/one.csv"
expect_fail 1 "trcompare-plot: $T/one.csv#other: no run 'other' in the W&B export" --data "$T/one.csv#other"
