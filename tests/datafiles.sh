#!/bin/sh
# Tidy data: -d DIR (files + compare.gp, from any working directory) and
# --data on stdout for plot '< trcompare-plot --data …'.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot

expect_ok "$RUNS"/*.json -d "$T/dd"
ls "$T/dd" | sort >"$T/list"
printf '%s\n' compare.gp llama-1.3b-lr2e-4.dat qwen-350m-lr1e-4.dat qwen-350m-lr3e-4.dat qwen-350m-lr5e-4-5ep.dat >"$T/want"
cmp -s "$T/want" "$T/list" || fail "-d files: $(cat "$T/list")"
ok "-d writes one file per job and compare.gp"

f="$T/dd/qwen-350m-lr1e-4.dat"
grep -q '^# label: qwen-350m-lr1e-4$' "$f" || fail "header lacks the label"
grep -q '^# job: 943ff9fc-99de-4f03-b080-aa269da8a457$' "$f" || fail "header lacks the job id"
grep -q '^# color: #16a34a$' "$f" || fail "header lacks the colour (2nd job)"
grep -q '^"step" "epoch" "time" "train_loss" "eval_loss"' "$f" || fail "column header line: $(grep -v '^#' "$f" | head -1)"
rows=$(grep -v '^#' "$f" | tail -n +2 | wc -l)
want=$(jq '.metrics | map(.step) | unique | length' "$RUNS/qwen-350m-lr1e-4.json")
[ "$rows" -eq "$want" ] || fail "$rows rows, want $want"
ok "data file: header and one row per step ($rows)"
# NaN where not logged: eval loss is sparse.
nan=$(grep -v '^#' "$f" | awk 'NR > 1 && $5 == "NaN"' | wc -l)
[ "$nan" -gt 0 ] || fail "no NaN cells for sparse eval loss"
ok "NaN where not logged"

# compare.gp works from any working directory, and by load.
mkdir "$T/elsewhere"
(cd "$T/elsewhere" && gnuplot -e 'set terminal pngcairo size 800,600; set output "a.png"' "$T/dd/compare.gp") \
	2>"$T/gperr" || fail "compare.gp from elsewhere: $(cat "$T/gperr")"
[ "$(png_size "$T/elsewhere/a.png")" = 800x600 ] || fail "compare.gp drew nothing"
(cd / && gnuplot -e "set terminal pngcairo; set output '$T/b.png'; load '$T/dd/compare.gp'") \
	2>"$T/gperr" || fail "load compare.gp: $(cat "$T/gperr")"
[ -s "$T/b.png" ] || fail "load drew nothing"
ok "gnuplot DIR/compare.gp from another directory, and load"

# Columns by name work in gnuplot.
gnuplot -e "set table '$T/tab'; plot '$f' using 'step':'train_loss' with lines" 2>"$T/gperr" \
	|| fail "using by name: $(cat "$T/gperr")"
grep -c ' i$' "$T/tab" | grep -qv '^0$' || fail "no points by column name"
ok "columns by name"

# --data: jobs as index blocks.
expect_ok --data "$RUNS/qwen-350m-lr1e-4.json" "$RUNS/llama-1.3b-lr2e-4.json"
cp "$T/out" "$T/data.txt"
cd "$T"
gnuplot -e "set table 'tab2'; plot '< $PROG --data $RUNS/qwen-350m-lr1e-4.json $RUNS/llama-1.3b-lr2e-4.json' index 1 using 'step':'train_loss' with lines" \
	2>gperr || fail "plot '< trcompare-plot --data': $(cat gperr)"
n1=$(grep -c ' i$' tab2)
want=$(jq '[.metrics[] | select(.train_loss != null)] | length' "$RUNS/llama-1.3b-lr2e-4.json")
[ "$n1" -eq "$want" ] || fail "index 1 has $n1 points, want $want"
ok "plot '< trcompare-plot --data …' index 1 by column name"

# Column names that a file could not hold as they are stay distinct, and a
# name that is already clean keeps it.
printf '{"metrics":[{"step":1,"a b":1,"a_b":2,"a?b":3}]}' >"$T/names.json"
expect_ok --data "$T/names.json"
grep -v '^#' "$T/out" | head -1 >"$T/got"
echo '"step" "a_b_2" "a_b" "a_b_3"' >"$T/want"
cmp -s "$T/want" "$T/got" || fail "header names: $(cat "$T/got")"
ok "header column names are unique tokens"

# Metrics named like numbers: the header line is never a data point, by
# column number or by name, in --data and in -d files (gnuplot skips a line
# whose first token is quoted text).
printf '{"step":1,"100":5,"200":7}\n{"step":2,"100":6,"200":8}\n' >"$T/num.jsonl"
expect_ok --data "$T/num.jsonl"
cp "$T/out" "$T/num.dat"
expect_ok "$T/num.jsonl" -d "$T/dnum"
for f in "$T/num.dat" "$T/dnum/num.dat"; do
	for u in '2:3' '"100":"200"' '3:2' '2'; do
		gnuplot -e "set table '$T/tabn'; plot '$f' using $u with lines" 2>"$T/gperr" \
			|| fail "using $u: $(cat "$T/gperr")"
		n=$(grep -c ' i$' "$T/tabn" || true)
		[ "$n" -eq 2 ] || fail "$f using $u: $n points, want 2: $(cat "$T/tabn")"
	done
done
(cd "$T" && gnuplot -e 'set terminal dumb; set output "/dev/null"' "$T/dnum/compare.gp") 2>"$T/gperr" \
	|| fail "compare.gp with numeric names: $(cat "$T/gperr")"
ok "metrics named like numbers: the header is no data point (using 2:3, \"100\", -d and --data)"

# A logged column named like a derived one is not taken for the smoothed
# series: the smoothed one is train_loss_smoothed_2, and compare.gp plots it.
printf '{"step":1,"train_loss":2,"train_loss_smoothed":99}\n{"step":2,"train_loss":1,"train_loss_smoothed":99}\n' >"$T/sm.jsonl"
expect_ok "$T/sm.jsonl" --smooth=0.5 -d "$T/dsm"
grep -v '^#' "$T/dsm/sm.dat" >"$T/got"
printf '%s\n' '"step" "train_loss" "train_perplexity" "train_loss_smoothed" "train_loss_smoothed_2" "train_perplexity_smoothed"' \
	'1 2 7.38905609893065 99 2 7.38905609893065' '2 1 2.718281828459045 99 1.3333333333333333 4.2752065852829135' >"$T/want"
cmp -s "$T/want" "$T/got" || fail "logged train_loss_smoothed: $(cat "$T/got")"
grep -q 'using 1:5 with lines lt [0-9]* dt solid lw 2 ' "$T/dsm/compare.gp" || fail "compare.gp does not plot column 5 as the smoothed line: $(grep using "$T/dsm/compare.gp")"
grep -q 'using 1:4 ' "$T/dsm/compare.gp" && fail "compare.gp plots the logged train_loss_smoothed"
expect_ok --data "$T/sm.jsonl" --smooth=0.5
grep -v '^#' "$T/out" | cmp -s "$T/want" - || fail "--data: logged train_loss_smoothed: $(cat "$T/out")"
ok "a logged train_loss_smoothed stays; the smoothed series is train_loss_smoothed_2"

# -d checks the x axis like the chart does, and --ignore-outliers reaches
# compare.gp.
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.8}\n' >"$T/nots.jsonl"
expect_fail 1 "trcompare-plot: no job has timestamps (needed by -x time)" "$T/nots.jsonl" -x time -d "$T/dx"
trc "$T/nots.jsonl" "$RUNS/qwen-350m-lr1e-4.json" -x time -d "$T/dx2"
[ "$rc" -eq 0 ] || fail "-d -x time with one job lacking timestamps: exit $rc"
grep -q "nots.jsonl: no timestamps, left out of the chart (-x time)" "$T/err" || fail "job without timestamps not named: $(cat "$T/err")"
grep -q 'D\[1\]) using' "$T/dx2/compare.gp" && fail "the job without timestamps is plotted"
grep -q 'using 0:' "$T/dx2/compare.gp" && fail "compare.gp plots against the row number"
ok "-d -x time: a job without timestamps is reported and left out"
expect_ok "$RUNS"/*.json --ignore-outliers -d "$T/dio"
grep -q '^set yrange \[[0-9]' "$T/dio/compare.gp" || fail "--ignore-outliers did not reach compare.gp"
ok "-d --ignore-outliers"

# Existing non-directory for -d.
: >"$T/plain"
expect_fail 1 "trcompare-plot: $T/plain: not a directory" "$RUNS/qwen-350m-lr1e-4.json" -d "$T/plain"
expect_fail 1 "trcompare-plot: $T/no/such: cannot create directory: No such file or directory" \
	"$RUNS/qwen-350m-lr1e-4.json" -d "$T/no/such"
echo "datafiles: $nchecks checks"
