#!/bin/sh
# Rendering with the real gnuplot: every file terminal, the piped script,
# text charts, sizes, and the look of the chart (job colours in the PNG).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot

# -o by extension: a real file of the right kind, nothing else left behind.
expect_ok "$RUNS"/*.json -o "$T/c.png"
[ "$(png_size "$T/c.png")" = 1200x800 ] || fail "png size $(png_size "$T/c.png")"
ok "-o png: 1200x800 PNG"
expect_ok "$RUNS"/*.json -o "$T/small.png" --size=640,480
[ "$(png_size "$T/small.png")" = 640x480 ] || fail "--size: $(png_size "$T/small.png")"
ok "--size 640,480"
expect_ok "$RUNS"/*.json -o "$T/c.svg"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/c.svg" || fail "SVG is not XML"
fi
grep -q '<svg' "$T/c.svg" || fail "no <svg> element"
ok "-o svg: valid XML"
expect_ok "$RUNS"/*.json -o "$T/c.pdf"
head -c 5 "$T/c.pdf" | grep -q '%PDF-' || fail "not a PDF"
ok "-o pdf"
expect_ok "$RUNS"/*.json -o "$T/c.eps"
head -c 20 "$T/c.eps" | grep -q 'EPSF' || fail "not EPS"
ok "-o eps"
expect_ok "$RUNS"/*.json -o "$T/c.html"
grep -q '<canvas' "$T/c.html" || fail "no canvas in HTML"
grep -q 'src="/' "$T/c.html" && fail "HTML still links local files: $(grep 'src="/' "$T/c.html")"
grep -q 'function gnuplot_canvas\|gnuplot_canvas' "$T/c.html" || fail "HTML lacks the drawing code"
ok "-o html: self-contained page"
expect_ok "$RUNS"/*.json -o "$T/c.txt"
grep -q 'Loss' "$T/c.txt" || fail "text chart lacks the Loss panel"
grep -q 'llama-1.3b-lr2e-4' "$T/c.txt" || fail "text chart lacks a legend label"
ok "-o txt: text chart with titles and legend"
ls -a "$T" | grep '^\.c\.' && fail "temporary files left behind"
ok "no temporary files left"

# The colours of the platform, in JOB order, are in the PNG.
if command -v convert >/dev/null 2>&1 && convert -version 2>/dev/null | grep -q ImageMagick; then
	convert "$T/c.png" -format %c histogram:info:- >"$T/hist"
	for c in 2563EB 16A34A DC2626 9333EA; do
		grep -qi "#$c" "$T/hist" || fail "colour #$c not drawn"
	done
	ok "job colours drawn"
fi

# The script piped into gnuplot, with -t: same picture as -o.
$PROG -t pngcairo "$RUNS"/*.json >"$T/s.gp"
gnuplot <"$T/s.gp" >"$T/piped.png" 2>"$T/gperr" || fail "piped script failed: $(cat "$T/gperr")"
[ "$(png_size "$T/piped.png")" = 1200x800 ] || fail "piped png size"
ok "script | gnuplot -> PNG"
$PROG -t dumb "$RUNS"/*.json | gnuplot >"$T/dumb.txt" 2>"$T/gperr" || fail "dumb: $(cat "$T/gperr")"
grep -q 'Learning rate' "$T/dumb.txt" || fail "text chart lacks the lr panel"
ok "-t dumb | gnuplot draws text"
# The same script read as a file and loaded.
(cd "$T" && gnuplot s.gp >"$T/file.png") || fail "gnuplot FILE failed"
cmp -s "$T/file.png" "$T/piped.png" || fail "script from a file differs from piped"
ok "script as a file = piped"
# -o draws with a gnuplot started (and warmed up) while the jobs are read:
# the same picture.
$PROG "$RUNS"/*.json -o "$T/direct.png" || fail "-o direct.png failed"
cmp -s "$T/file.png" "$T/direct.png" || fail "-o differs from gnuplot running the script"
ok "-o = gnuplot running the script"

# -o x.gp writes the script for gnuplot to run later.
expect_ok "$RUNS"/*.json -o "$T/later.gp" -t svg
grep -q '^set terminal svg' "$T/later.gp" || fail "-t not in the .gp script"
(cd "$T" && gnuplot later.gp >later.svg) || fail "later.gp failed"
grep -q '<svg' "$T/later.svg" || fail "later.gp drew no SVG"
ok "-o .gp with -t"

# Metrics: throughput and a raw column, with a single panel layout.
expect_ok "$RUNS"/*.json -m throughput,gpu_memory_reserved_gb -o "$T/m.gp"
grep -q '^# 2 panels in 1 row x 2 columns' "$T/m.gp" || fail "two panels are not 1x2"
ok "-m picks panels, raw columns allowed"
# One panel is a plain plot with its own legend (a window can zoom it).
expect_ok "$RUNS"/*.json -m loss -o "$T/one.gp" -t pngcairo --title 'Only loss'
grep -q '^set multiplot' "$T/one.gp" && fail "one panel drawn as a multiplot"
grep -q '^set key outside top center' "$T/one.gp" || fail "one panel has no legend"
(cd "$T" && gnuplot one.gp >one.png) || fail "one.gp failed"
[ "$(png_size "$T/one.png")" = 1200x800 ] || fail "one panel: $(png_size "$T/one.png")"
ok "-m loss: a single zoomable plot with its legend"
expect_fail 1 "trcompare-plot: --metrics: unknown metric 'nope' (no job has a column of that name; panels: loss, perplexity, lr, grad_norm, throughput, gpu_memory, gpu_util; columns: epoch, train_loss, train_perplexity, learning_rate, grad_norm, tokens_per_second, samples_per_second, gpu_utilization_percent, gpu_memory_allocated_gb, gpu_memory_reserved_gb, time, eval_loss, perplexity)" \
	"$RUNS"/*.json -m loss,nope -o "$T/m2.png"
[ ! -e "$T/m2.png" ] || fail "output written despite the error"

# Colours: the sixth job onward get further colours; --colors overrides.
for i in 1 2 3 4 5 6; do cp "$RUNS/qwen-350m-lr1e-4.json" "$T/r$i.json"; done
expect_ok "$T"/r?.json -o "$T/six.gp"
grep -q 'C\[6\] = "#0891b2"' "$T/six.gp" || fail "sixth colour"
expect_ok --colors='#000000,#ffffff' "$T"/r1.json "$T"/r2.json "$T"/r3.json -o "$T/col.gp"
grep -q 'C\[3\] = "#000000"' "$T/col.gp" || fail "--colors does not cycle"
ok "colours: defaults and --colors"
# A user's ~/.gnuplot changes nothing: the gnuplot we run reads no init
# file (-d), and the scripts handed out start with reset.
mkdir "$T/home"
cat >"$T/home/.gnuplot" <<'EOF'
set datafile separator ","
set xdata time
set logscale x
set print "-"
print "hello from ~/.gnuplot"
EOF
saved_home=${HOME:-}
for ext in png svg html txt; do
	HOME="$T/home"
	export HOME
	trc "$RUNS"/*.json -o "$T/home.$ext"
	HOME=$saved_home
	[ "$rc" -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] ||
		fail "-o $ext with a hostile ~/.gnuplot: exit $rc: $(cat "$T/out" "$T/err")"
	cmp -s "$T/c.$ext" "$T/home.$ext" || fail "-o $ext with a hostile ~/.gnuplot: a different chart"
	ok "-o $ext: the same chart with a hostile ~/.gnuplot"
done
# What the user runs: the piped script, -o x.gp and -d DIR's compare.gp.
$PROG -t dumb "$RUNS"/*.json >"$T/h.gp"
$PROG -t dumb "$RUNS"/*.json -o "$T/hf.gp"
$PROG -t dumb "$RUNS"/*.json -d "$T/hd" >/dev/null
for how in pipe file dir; do
	# What gnuplot draws without any init file (-d).
	case $how in
	pipe) ref=$T/h.gp ;;
	file) ref=$T/hf.gp ;;
	dir) ref=$T/hd/compare.gp ;;
	esac
	gnuplot -d "$ref" >"$T/h-ref.txt" 2>"$T/gperr" || fail "$ref: $(cat "$T/gperr")"
	rc=0
	case $how in
	pipe) HOME="$T/home" gnuplot <"$T/h.gp" >"$T/h.txt" 2>"$T/gperr" || rc=$? ;;
	file) (cd "$T" && HOME="$T/home" gnuplot hf.gp) >"$T/h.txt" 2>"$T/gperr" || rc=$? ;;
	dir) HOME="$T/home" gnuplot "$T/hd/compare.gp" >"$T/h.txt" 2>"$T/gperr" || rc=$? ;;
	esac
	# (Not even the C locale's "iconv failed to convert degree sign".)
	[ "$rc" -eq 0 ] && [ ! -s "$T/gperr" ] || fail "$how with a hostile ~/.gnuplot: exit $rc: $(head -c 300 "$T/gperr")"
	# (The init file's own print stays: the user asked for it.)
	grep -v '^hello from ~/.gnuplot$' "$T/h.txt" >"$T/h-got.txt" || true
	cmp -s "$T/h-ref.txt" "$T/h-got.txt" || fail "$how with a hostile ~/.gnuplot: a different chart"
	ok "script run by the user ($how): the same chart with a hostile ~/.gnuplot"
done
# gnuplot -d (no init file) leaves ARG0 undefined on a pipe: the piped
# script still reads itself as a file and draws the same chart.
gnuplot -d <"$T/h.gp" >"$T/h-d.txt" 2>"$T/gperr" || fail "| gnuplot -d: $(cat "$T/gperr")"
gnuplot -d "$T/h.gp" >"$T/h-ref.txt" 2>/dev/null
cmp -s "$T/h-ref.txt" "$T/h-d.txt" || fail "| gnuplot -d: a different chart"
ok "the piped script draws with gnuplot -d too"

# A canvas page is titled by --title (escaped), else by a default; never
# gnuplot's "Gnuplot Canvas Graph"; no refresh without --watch.
expect_ok -o "$T/t1.html" "$RUNS/qwen-350m-lr1e-4.json"
grep -q '<title>Training runs (trcompare-plot)</title>' "$T/t1.html" || fail "canvas default title: $(grep -i '<title' "$T/t1.html")"
! grep -q 'http-equiv="refresh"' "$T/t1.html" || fail "canvas page refreshes without --watch"
expect_ok -o "$T/t2.html" --title 'a <b> & "c"' "$RUNS/qwen-350m-lr1e-4.json"
grep -q '<title>a &lt;b&gt; &amp; &quot;c&quot;</title>' "$T/t2.html" || fail "canvas --title: $(grep -i '<title' "$T/t2.html")"
ok "-o FILE.html: the page is titled by --title, escaped"
echo "render: $nchecks checks"
