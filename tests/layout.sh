#!/bin/sh
# tests/layout.sh: the render matrix (issue 11).  Every output size and
# terminal -- PNG at 480x360, 640x480, 800x600, 1200x800, 1920x1080; SVG;
# PDF at 5x3.5 in; text at 60x20, 80x24, 100x30, 140x45, 200x60; and a script run by
# gnuplot with the user's own `set terminal` -- each with the default step
# axis, -x time, five jobs with 40-character labels, and one panel.  Checks
# (tests/layout.py): text charts parsed (x tic labels whole and increasing,
# titles and legend entries intact); SVG text boxes inside the canvas and
# apart; PDF word boxes (pdftotext) likewise; PNG: no ink in the outermost
# pixel rows and columns (a clipped "5.0e-04" touches column 0), and the
# same chart as SVG at that size for overlaps.  Every failing cell is
# listed before the test fails.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
command -v convert >/dev/null 2>&1 || skip "ImageMagick not installed"
command -v pdftotext >/dev/null 2>&1 || skip "pdftotext not installed (poppler-utils)"
CHECK="python3 $top_srcdir/tests/layout.py"

# The variants: arguments, panel columns, axis kind, titles, legend labels.
L1=aaaa-first-experiment-with-a-long-name-1
L2=bbbb-second-experiment-with-long-name--2
L3=cccc-third-experiment-with-a-long-name-3
L4=dddd-fourth-experiment-with-long-name--4
L5=eeee-fifth-experiment-with-a-long-name-5
[ ${#L1} -eq 40 ] && [ ${#L5} -eq 40 ] || fail "labels are not 40 characters"
TITLES4="Loss|Perplexity|Learning rate|Gradient norm"
LABELS4="llama-1.3b-lr2e-4|qwen-350m-lr1e-4|qwen-350m-lr3e-4|qwen-350m-lr5e-4-5ep"
set_variant() {
	case $1 in
	step) set -- "$RUNS"/*.json; cols=2 axis=num titles=$TITLES4 labels=$LABELS4 ;;
	time) set -- -x time "$RUNS"/*.json; cols=2 axis=time titles=$TITLES4 labels=$LABELS4 ;;
	five)
		set -- "$L1=$RUNS/llama-1.3b-lr2e-4.json" "$L2=$RUNS/qwen-350m-lr1e-4.json" \
			"$L3=$RUNS/qwen-350m-lr3e-4.json" "$L4=$RUNS/qwen-350m-lr5e-4-5ep.json" \
			"$L5=$RUNS/qwen-350m-lr3e-4.json"
		cols=2 axis=num titles=$TITLES4 labels="$L1|$L2|$L3|$L4|$L5"
		;;
	one) set -- -m loss "$RUNS"/*.json; cols=1 axis=num titles=Loss labels=$LABELS4 ;;
	esac
	vargs=$(for a in "$@"; do printf '%s\n' "$a"; done)
}
VARIANTS="step time five one"

failed= passed=0
cell_fail() {
	failed="$failed
  $1: $(head -n 3 "$T/problems" | tr '\n' ';')"
}
# run_cell NAME COMMAND...: the cell passes when COMMAND does.
run_cell() {
	name=$1
	shift
	if "$@" >"$T/problems" 2>&1; then
		passed=$((passed + 1))
	else
		cell_fail "$name"
	fi
}
# trc_variant ARGS...: the program on the current variant's jobs.
trc_variant() {
	old_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2086
	set -- "$@" $vargs
	IFS=$old_ifs
	$TRC "$@" 2>"$T/trc.err" || { echo "trcompare-plot $*: exit $?: $(cat "$T/trc.err")"; return 1; }
}

# edge_ink PNG: fails when a pixel of the outermost rows or columns is ink
# (darker than the grid's light grey).
edge_ink() {
	size=$(png_size "$1")
	w=${size%x*} h=${size#*x}
	for crop in "${w}x1+0+0" "${w}x1+0+$((h - 1))" "1x${h}+0+0" "1x${h}+$((w - 1))+0"; do
		min=$(convert "$1" -colorspace gray -crop "$crop" +repage -format '%[fx:minima]' info:)
		awk -v m="$min" 'BEGIN { exit !(m < 0.75) }' && { echo "ink at the edge $crop of $1 ($min)"; return 1; }
	done
	return 0
}

text_cell() { # W H
	trc_variant -o "$T/c.txt" --size "$1,$2" || return 1
	$CHECK text "$T/c.txt" "$cols" "$axis" "$titles" "$labels" || { cat "$T/c.txt"; return 1; }
}
png_cell() { # W H
	trc_variant -o "$T/c.png" --size "$1,$2" || return 1
	edge_ink "$T/c.png" || return 1
	trc_variant -o "$T/c.svg" --size "$1,$2" || return 1
	$CHECK svg "$T/c.svg"
}
svg_cell() {
	trc_variant -o "$T/c.svg" || return 1
	$CHECK svg "$T/c.svg"
}
pdf_cell() {
	trc_variant -o "$T/c.pdf" --size 5in,3.5in || return 1
	pdftotext -bbox "$T/c.pdf" "$T/c.bbox" || return 1
	$CHECK pdf "$T/c.bbox"
}
# A script written without a terminal, run by gnuplot with the user's.
user_cell() { # W H
	trc_variant -o "$T/c.gp" || return 1
	gnuplot -e "set terminal pngcairo size $1,$2 font 'sans,10'; set output '$T/u.png'" "$T/c.gp" || return 1
	edge_ink "$T/u.png" || return 1
	gnuplot -e "set terminal svg size $1,$2 font 'sans,10'; set output '$T/u.svg'" "$T/c.gp" || return 1
	$CHECK svg "$T/u.svg"
}

for v in $VARIANTS; do
	set_variant "$v"
	for s in 480,360 640,480 800,600 1200,800 1920,1080; do
		run_cell "png $s $v" png_cell "${s%,*}" "${s#*,}"
	done
	run_cell "svg $v" svg_cell
	run_cell "pdf 5x3.5in $v" pdf_cell
	for s in 60,20 80,24 100,30 140,45 200,60; do
		# 20 rows hold neither two-line date tics nor a 7-row legend
		# over two rows of panels (README: Truthful charts at any size).
		case "$v,$s" in time,60,20 | five,60,20) continue ;; esac
		run_cell "text $s $v" text_cell "${s%,*}" "${s#*,}"
	done
	for s in 640,480 1200,800; do
		run_cell "user's pngcairo $s $v" user_cell "${s%,*}" "${s#*,}"
	done
done

if [ -n "$failed" ]; then
	fail "$passed cells pass; these fail:$failed"
fi
ok "render matrix: $passed cells, no label cut, outside or overlapping"
