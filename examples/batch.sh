#!/bin/sh
# examples/batch.sh: the comparisons a CI job publishes after a sweep.
#
# Renders one PNG and one markdown summary per comparison, a text chart for
# the CI log, and an index.md that links them; exits 1 if any comparison
# failed (after trying all of them), so the pipeline step goes red.
#
# Usage:  examples/batch.sh [OUTDIR]              (default: ./trcompare-out)
#         TRCOMPARE=/path/to/trcompare-plot examples/batch.sh out/
#
# In CI, point the runs at your own metrics files (or at job ids with
# --url, see the README) and publish OUTDIR as the job's artifact.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
runs=$here/runs
out=${1:-trcompare-out}
trc=${TRCOMPARE:-trcompare-plot}

if ! command -v "$trc" >/dev/null 2>&1; then
	echo "batch.sh: '$trc' not found; build it or set TRCOMPARE=/path/to/trcompare-plot" >&2
	exit 1
fi
mkdir -p "$out"

failed=0
index=$out/index.md
printf '# Training run comparisons\n\n' >"$index"

# compare NAME TITLE TRCOMPARE-ARGS...: NAME.png and NAME.md (the summary
# table, computed on the full data) from one invocation.
compare() {
	name=$1 title=$2
	shift 2
	rc=0
	"$trc" --title "$title" --summary=markdown -o "$out/$name.png" "$@" \
		>"$out/$name.md.tmp" || rc=$?
	if [ "$rc" = 0 ]; then
		mv "$out/$name.md.tmp" "$out/$name.md"
		{
			printf '## %s\n\n![%s](%s.png)\n\n' "$title" "$name" "$name"
			cat "$out/$name.md"
			printf '\n'
		} >>"$index"
		echo "ok    $out/$name.png"
	else
		rm -f "$out/$name.md.tmp"
		echo "FAIL  $name (trcompare-plot exit status $rc)" >&2
		failed=1
	fi
}

# Every run, labelled (LABEL=PATH), default panels: loss, perplexity,
# learning rate, grad norm.
compare all "All runs" \
	"350M lr 3e-4=$runs/qwen-350m-lr3e-4.json" \
	"350M lr 1e-4=$runs/qwen-350m-lr1e-4.json" \
	"1.3B lr 2e-4=$runs/llama-1.3b-lr2e-4.json" \
	"350M lr 5e-4 5 ep=$runs/qwen-350m-lr5e-4-5ep.json"

# Learning-rate sweep on one model: the loss and the schedule side by side.
compare lr-sweep "350M: learning rate sweep" -m loss,lr \
	"lr 1e-4=$runs/qwen-350m-lr1e-4.json" \
	"lr 3e-4=$runs/qwen-350m-lr3e-4.json" \
	"lr 5e-4, 5 epochs=$runs/qwen-350m-lr5e-4-5ep.json"

# Model size: what the bigger model costs in throughput and GPU memory.
compare model-size "350M vs 1.3B" -m loss,throughput,gpu_memory,grad_norm \
	"350M=$runs/qwen-350m-lr3e-4.json" \
	"1.3B=$runs/llama-1.3b-lr2e-4.json"

# A run still being written (JSON Lines, as the trainer appends it) against
# the finished run with the same recipe.
compare in-progress "Running job vs finished baseline" \
	"running, lr 2e-4=$here/jsonl/qwen-350m-lr2e-4-running.jsonl" \
	"finished, lr 3e-4=$runs/qwen-350m-lr3e-4.json"

# A text chart straight into the CI log (dumb terminal, 100x30 characters).
if "$trc" -t dumb --size 100,30 -m loss "$runs"/*.json >"$out/loss.gp" &&
	gnuplot "$out/loss.gp" >"$out/loss.txt"; then
	cat "$out/loss.txt"
	rm -f "$out/loss.gp"
else
	echo "FAIL  text chart" >&2
	failed=1
fi

echo "index: $index"
exit "$failed"
