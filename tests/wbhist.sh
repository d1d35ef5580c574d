#!/bin/sh
# W&B's wandb-history.jsonl (before W&B 0.10): the fixture follows
# formats.md (_step, _runtime, _timestamp and the logged keys; the Hugging
# Face callback's train/* and eval/* names).
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
