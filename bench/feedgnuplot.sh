#!/bin/sh
# feedgnuplot, loss panel only (it draws one plot per invocation): one jq
# process streams "step id value" lines for every job (train and eval loss)
# into feedgnuplot, which writes a 1200x800 PNG.
# Usage: bench/feedgnuplot.sh OUT.png JOB.json...
set -eu
out=$1
shift
jq -r '(input_filename | sub(".*/"; "") | sub("\\.json$"; "")) as $j
	| .metrics[]
	| "\(.step) \($j) \(.train_loss // .loss // "NaN")"
	  + (if .eval_loss != null then " \($j)-eval \(.eval_loss)" else "" end)' "$@" |
	feedgnuplot --domain --dataid --lines --autolegend \
		--title loss --xlabel step \
		--terminal 'pngcairo size 1200,800' --hardcopy "$out"
