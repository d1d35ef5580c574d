#!/bin/sh
# The jq + gnuplot pipeline people write today: extract the columns of each
# job with jq into a temporary TSV file, then draw one 2x2 multiplot PNG
# (loss, perplexity, learning rate, grad norm) with gnuplot.
# Usage: bench/jq-gnuplot.sh OUT.png JOB.json...
set -eu
out=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
for f in "$@"; do
	n=$((n + 1))
	jq -r '.metrics[] | [.step, (.train_loss // .loss // "NaN"),
		(.eval_loss // "NaN"), (.train_perplexity // "NaN"),
		(.perplexity // "NaN"), (.learning_rate // "NaN"),
		(.grad_norm // "NaN")] | @tsv' \
		"$f" >"$tmp/$n.tsv"
	basename "$f" .json >"$tmp/$n.name"
done

cat >"$tmp/plot.gp" <<GP
set terminal pngcairo size 1200,800
set output '$out'
set datafile separator tab
set datafile missing 'NaN'
array C[5] = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c']
dir = '$tmp'
f(i) = sprintf('%s/%d.tsv', dir, i)
name(i) = system(sprintf('cat %s/%d.name', dir, i))
set key top right
set xlabel 'step'
set multiplot layout 2,2
set title 'loss'
plot for [i=1:$n] f(i) using 1:2 with lines lc rgb C[(i-1)%5+1] title name(i), \
     for [i=1:$n] f(i) using 1:3 with linespoints dt 2 pt 7 ps 0.5 lc rgb C[(i-1)%5+1] notitle
set title 'perplexity'
set logscale y
plot for [i=1:$n] f(i) using 1:4 with lines lc rgb C[(i-1)%5+1] notitle, \
     for [i=1:$n] f(i) using 1:5 with linespoints dt 2 pt 7 ps 0.5 lc rgb C[(i-1)%5+1] notitle
unset logscale y
set title 'learning rate'
set format y '%.1e'
plot for [i=1:$n] f(i) using 1:6 with lines lc rgb C[(i-1)%5+1] notitle
set format y '% g'
set title 'grad norm'
plot for [i=1:$n] f(i) using 1:7 with lines lc rgb C[(i-1)%5+1] notitle
unset multiplot
GP
gnuplot "$tmp/plot.gp"
