#!/bin/sh
# tests/textfit.sh: text that does not fit its chart is cut to fit, never
# drawn past the edge: a long --title, legend labels wider than the chart
# (text charts at 40 and 80 columns, PNG/SVG at 400x300 and 640x480), and
# labels in wide characters (CJK, emoji), combining characters and
# right-to-left script in text charts and in the text summary, measured in
# terminal columns (tests/layout.py width/table).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
command -v convert >/dev/null 2>&1 || skip "ImageMagick not installed"
CHECK="python3 $top_srcdir/tests/layout.py"

X70=$(printf 'x%.0s' $(seq 70))
TITLE=$(printf 'Title %.0s' $(seq 40))
A="$RUNS/llama-1.3b-lr2e-4.json" B="$RUNS/qwen-350m-lr1e-4.json"
C="$RUNS/qwen-350m-lr3e-4.json" D="$RUNS/qwen-350m-lr5e-4-5ep.json"

# A text chart: the title's start and every legend entry with its sample
# are there, and no line is wider than the chart.
for size in 40,20 80,24; do
	for m in "" "-m loss"; do
		# shellcheck disable=SC2086
		expect_ok -o "$T/c.txt" --size "$size" --title "$TITLE" $m "$X70=$A" "short=$B"
		$CHECK width "$T/c.txt" "${size%,*}" >"$T/p" || fail "text $size $m: $(cat "$T/p")"
		grep -q 'Title Title .*…' "$T/c.txt" || fail "text $size $m: no title cut with …:
$(cat "$T/c.txt")"
		grep -q 'xxxxxxxxxx… [*]\{5\}' "$T/c.txt" || fail "text $size $m: the long label lost its sample:
$(cat "$T/c.txt")"
		for e in 'short #####' 'train [*]\{5\}' 'eval [*][*]G[*][*]'; do
			grep -q "$e" "$T/c.txt" || fail "text $size $m: legend entry '$e' missing:
$(cat "$T/c.txt")"
		done
		[ ! -s "$T/err" ] || fail "text $size $m: gnuplot warned: $(cat "$T/err")"
		ok "text $size ${m:-4 panels}: title and a 70-character label cut to fit, every legend entry drawn"
	done
done

# Images: the title and legend inside the canvas (SVG text boxes; a PNG
# has no ink in its top and side edges' title and legend band).
for size in 400,300 640,480; do
	for m in "" "-m loss"; do
		# shellcheck disable=SC2086
		expect_ok -o "$T/c.svg" --size "$size" --title "$TITLE" $m "$X70$X70=$A" "short=$B"
		$CHECK svg "$T/c.svg" >"$T/p" || true # (other text may overlap at 400x300)
		grep -E "'(Title|x{10})" "$T/p" >"$T/bad" && fail "svg $size $m: $(cat "$T/bad")"
		# shellcheck disable=SC2086
		expect_ok -o "$T/c.png" --size "$size" --title "$TITLE" $m "$X70$X70=$A" "short=$B"
		w=${size%,*}
		for crop in "1x60+0+0" "1x60+$((w - 1))+0" "${w}x1+0+0"; do
			min=$(convert "$T/c.png" -colorspace gray -crop "$crop" +repage -format '%[fx:minima]' info:)
			awk -v m="$min" 'BEGIN { exit !(m < 0.75) }' && fail "png $size $m: ink at the edge $crop ($min)"
		done
		[ ! -s "$T/err" ] || fail "png $size $m: gnuplot warned: $(cat "$T/err")"
		ok "svg and png $size ${m:-4 panels}: long title and label inside the canvas"
	done
done

# Wide, combining and right-to-left labels in a text chart: lines no wider
# than the chart, emoji (which gnuplot's dumb terminal mangles: "🚀a"
# came out "🚀aa") drawn as U+FFFD.
CJK=训练运行一号大模型对比实验
for size in 60,20 100,30; do
	expect_ok -o "$T/u.txt" --size "$size" "$CJK$CJK=$A" "🚀a-run=$B" "é́combining=$C" "שלום-rtl=$D"
	$CHECK width "$T/u.txt" "${size%,*}" >"$T/p" || fail "text $size: $(cat "$T/p")"
	grep -q '�a-run  *#####' "$T/u.txt" || fail "text $size: the emoji label is not drawn as �a-run:
$(cat "$T/u.txt")"
	grep -q 'aa-run' "$T/u.txt" && fail "text $size: gnuplot mangled the emoji label"
	grep -q 'שלום-rtl %%%%%' "$T/u.txt" || fail "text $size: the RTL label is missing"
	ok "text $size: CJK, emoji, combining and RTL labels within the chart's columns"
done

# The text summary measures labels in terminal columns: a CJK label takes
# two per character, a combining accent none; the rows line up.
for width in 80 60; do
	expect_ok -S text --width "$width" "$CJK$CJK=$A" "é́combining=$C" "🚀🔥emoji-run=$B"
	$CHECK table "$T/out" 80 3 >"$T/p" || fail "summary --width $width: $(cat "$T/p")"
	ok "summary --width $width: CJK, emoji and combining labels line up"
done
# The deltas table: labels cut to what the numbers leave of --width.
Y60=$(printf 'y%.0s' $(seq 60))
for l in "$CJK$CJK$CJK" "$Y60"; do
	expect_ok -S text --width 80 --baseline "$l" "$l=$A" "é́combining=$C"
	$CHECK width "$T/out" 80 >"$T/p" || fail "summary deltas: $(cat "$T/p")"
	grep -q '… (baseline) ' "$T/out" || fail "summary deltas: the baseline's label is not cut: $(cat "$T/out")"
done
ok "summary deltas --width 80: long and CJK labels cut to fit"

# Seven panels (3x3) at 640x480: gnuplot's own x tics (every 500 steps)
# ran together in the small panels; the SVG's text boxes stay apart.
expect_ok -o "$T/m.svg" --size 640,480 -m loss,perplexity,lr,grad_norm,throughput,gpu_memory,gpu_util \
	--smooth 0.6 "$RUNS"/*.json
$CHECK svg "$T/m.svg" >"$T/p" || fail "7 panels at 640x480: $(head -n 5 "$T/p")"
ok "7 panels at 640x480: no label outside the canvas or overlapping"

# Log y axes in a text chart: one tic label per row (the gradient norm's
# 0.5 and 1 shared a row and read "0 1").
TITLES4="Loss|Perplexity|Learning rate|Gradient norm"
LABELS4="llama-1.3b-lr2e-4|qwen-350m-lr1e-4|qwen-350m-lr3e-4|qwen-350m-lr5e-4-5ep"
for size in 80,24 100,30; do
	expect_ok -o "$T/g.txt" --size "$size" --logy loss,lr,grad_norm "$RUNS"/*.json
	$CHECK text "$T/g.txt" 2 num "$TITLES4" "$LABELS4" >"$T/p" || fail "--logy text $size: $(cat "$T/p")
$(cat "$T/g.txt")"
	ok "--logy text $size: one y tic label per row"
done
