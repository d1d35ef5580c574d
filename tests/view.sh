# view.sh: smoothing, x axes and downsampling, end to end with the real
# gnuplot: the downsampled chart of 5 × 100 000 noisy rows must look like
# the chart of every point (ImageMagick compare), a text chart downsampled
# on its character columns is byte for byte the chart of every point (the
# grid is gnuplot's own), each panel states its exact x range, --smooth
# draws the raw line faded behind the exact TensorBoard EMA, -x
# epoch/time/relative put the right numbers on x, and a job without what
# the axis needs is named.
. "$(dirname "$0")/lib.sh"
need_gnuplot
command -v compare >/dev/null 2>&1 || skip "ImageMagick's compare is not installed"

GEN="$top_srcdir/scripts/gen-runs"

# block NAME SCRIPT: the numbers of datablock NAME ("$trc3") in SCRIPT.
block() {
	awk -v name="$1" '$0 == name " << EOD" { on = 1; next } on && $0 == "EOD" { exit } on' "$2"
}

# clause_block PATTERN SCRIPT: the datablock drawn by the plot clause
# matching PATTERN (a fixed string), e.g. "lc rgb F[1] notitle".
clause_block() {
	grep -F -- "$1" "$2" | sed -n 's/.*\(\$trc[0-9]*\) using.*/\1/p' | head -n 1
}

# ---------------------------------------------------------------- small runs
sh "$GEN" -j 2 -r 300 "$T/small"
sh "$GEN" -j 1 -r 300 -s 2 -E -T "$T/bare"
A="$T/small/run1.json" B="$T/small/run2.json" N="$T/bare/run1.json"

# --smooth: the faded raw line and the smoothed line, same job, same x.
expect_ok --smooth=0.6 --max-points=0 -m loss "$A" "$B"
cp "$T/out" "$T/smooth.gp"
raw=$(clause_block 'lc rgb F[1] notitle' "$T/smooth.gp")
sm=$(clause_block 'lw 2 lc rgb C[1] notitle' "$T/smooth.gp")
[ -n "$raw" ] && [ -n "$sm" ] && [ "$raw" != "$sm" ] ||
	fail "--smooth: no faded raw + smoothed pair for job 1 in the script"
[ "$(grep -c -F 'lc rgb F[' "$T/smooth.gp")" -eq 2 ] ||
	fail "--smooth: want one faded line per job (eval is never smoothed)"
block "$raw" "$T/smooth.gp" >"$T/raw.dat"
block "$sm" "$T/smooth.gp" >"$T/sm.dat"
[ "$(wc -l <"$T/raw.dat")" -eq 300 ] || fail "--smooth: raw line has $(wc -l <"$T/raw.dat") points, want 300"
# The raw line holds the input; the smoothed one TensorBoard's debiased EMA
# of it (last = 0.6 last + 0.4 y; shown = last / (1 - 0.6^n)).
sed -n 's/.*"step": \([0-9]*\),.*"train_loss": \([-0-9.e]*\),.*/\1 \2/p' "$A" >"$T/input.dat"
awk 'NR == FNR { want[FNR] = $0; next }
     { split(want[FNR], w, " "); if ($1 != w[1] || $2 - w[2] > 1e-9 || w[2] - $2 > 1e-9) bad++ }
     END { exit bad || FNR != 300 }' "$T/input.dat" "$T/raw.dat" ||
	fail "--smooth: the faded line is not the raw train loss"
awk 'NR == FNR { y[FNR] = $2; next }
     { last = last * 0.6 + 0.4 * y[FNR]; wn = (FNR == 1 ? 0.6 : wn * 0.6); want = last / (1 - wn)
       d = $2 - want; if (d > 1e-9 || d < -1e-9) { print "row " FNR ": " $2 " want " want; bad++ } }
     END { exit bad || FNR != 300 }' "$T/raw.dat" "$T/sm.dat" ||
	fail "--smooth: the smoothed line is not the debiased EMA of the raw line"
ok "--smooth=0.6 draws the raw line faded behind the exact EMA"

# Without --smooth: one solid line per job, nothing faded.
expect_ok --max-points=0 -m loss "$A" "$B"
! grep -q -F 'lc rgb F[' "$T/out" || fail "faded lines without --smooth"
ok "no faded lines without --smooth"

# -x epoch / time / relative: the first x of job 1's train loss.
first_x() {
	b=$(clause_block 'lc rgb C[1] notitle' "$T/out")
	block "$b" "$T/out" | head -n 1 | cut -d' ' -f1
}
expect_ok --max-points=0 -m loss "$A"
[ "$(first_x)" = 1 ] || fail "-x step: first x $(first_x), want 1"
expect_ok -x epoch --max-points=0 -m loss "$A"
# 300 rows are 3 epochs: step / 100.
[ "$(first_x)" = 0.01 ] || fail "-x epoch: first x $(first_x), want 0.01"
b=$(clause_block 'lc rgb C[1] notitle' "$T/out")
[ "$(block "$b" "$T/out" | sed -n 300p | cut -d' ' -f1)" = 3 ] ||
	fail "-x epoch: last x is not epoch 3"
# 2026-01-01T01:00:01Z (job 1's first row) is 1767229201 s since 1970.
expect_ok -x time --max-points=0 -m loss "$A"
[ "$(first_x)" = 1767229201 ] || fail "-x time: first x $(first_x), want 1767229201"
expect_ok --x-axis=relative --max-points=0 -m loss "$A"
[ "$(first_x)" = 0 ] || fail "-x relative: first x $(first_x), want 0"
b=$(clause_block 'lc rgb C[1] notitle' "$T/out")
[ "$(block "$b" "$T/out" | sed -n 2p | cut -d' ' -f1)" = 1 ] || fail "-x relative: second x, want 1"
ok "-x step/epoch/time/relative put the logged values on x"

# A job without timestamps (or epoch) is named, the others are drawn.
for ax in time relative; do
	expect_ok -x $ax -m loss "$A" "$N"
	printf '%s\n' "trcompare-plot: warning: $N: no timestamps, left out of the chart (-x $ax)" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "-x $ax: stderr: $(cat "$T/err")"
	grep -q -F 'lc rgb C[1] notitle' "$T/out" || fail "-x $ax: job 1 not drawn"
	! grep -q -F 'lc rgb C[2] notitle' "$T/out" || fail "-x $ax: job 2 drawn without timestamps"
	ok "-x $ax: a job without timestamps is reported"
done
expect_ok -x epoch -m loss "$N" "$A"
printf '%s\n' "trcompare-plot: warning: $N: no epoch logged, left out of the chart (-x epoch)" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "-x epoch: stderr: $(cat "$T/err")"
ok "-x epoch: a job without epoch is reported"
# … and when no job has it, that is an error.
expect_fail 1 "trcompare-plot: no job has timestamps (needed by -x time)" -x time "$N"
expect_fail 1 "trcompare-plot: no job has timestamps (needed by -x relative)" -x relative "$N"
expect_fail 1 "trcompare-plot: no job logged an epoch (needed by -x epoch)" -x epoch "$N"

# x ranges: stated exactly (gnuplot would widen an automatic one to the next
# tic, and the downsampling grid would no longer be its pixel columns):
# from the data, --xrange's ends where given.
xr() { sed -n 's/^set xrange \[\(.*\)\]$/\1/p' "$T/out" | sort -u | tr '\n' ' '; }
expect_ok -m loss,lr "$A" "$B"
[ "$(xr)" = "1:300 " ] || fail "x range from the data: [$(xr)], want [1:300]"
expect_ok --xrange=100: -m loss,lr "$A" "$B"
[ "$(xr)" = "100:300 " ] || fail "--xrange=100: gives [$(xr)], want [100:300]"
expect_ok --xrange=:50.25 -m loss "$A"
[ "$(xr)" = "1:50.25 " ] || fail "--xrange=:50.25 gives [$(xr)], want [1:50.25]"
expect_ok --xrange=-7:1e9 -m loss "$A"
[ "$(xr)" = "-7:1000000000 " ] || fail "--xrange=-7:1e9 gives [$(xr)]"
# A side beyond all the data: nothing lies in the range, so the panel is
# the "no data" frame (its own [0:1]; gnuplot failed on [*:0.5] before).
expect_ok --xrange=:0.5 -m loss "$A"
[ "$(xr)" = "*:0.5 0:1 " ] || fail "--xrange=:0.5 gives [$(xr)], want [*:0.5 0:1]"
grep -q '"no data"' "$T/out" || fail "--xrange=:0.5: no \"no data\" panel"
ok "each panel states its x range: from the data, or --xrange's ends"

# A text chart is drawn on character cells with one-cell lines, where
# keeping each cell column's first, last, min and max points (M4) is exact:
# the downsampled chart must be the chart of every point, byte for byte.
# Any error in the grid (a column off by a fraction) shows; so does a
# budget not aligned on the columns.
sh "$GEN" -j 2 -r 3000 "$T/mid"
for size in 120,40 97,30; do
	expect_ok -t dumb --size $size --max-points=0 -o "$T/full.txt" "$T/mid/run1.json" "$T/mid/run2.json"
	expect_ok -v -t dumb --size $size -o "$T/ds.txt" "$T/mid/run1.json" "$T/mid/run2.json"
	kept=$(sed -n 's/.*: \([0-9]*\) of [0-9]* points after downsampling$/\1/p' "$T/err")
	[ -n "$kept" ] && [ "$kept" -lt 6000 ] || fail "dumb $size: kept $kept of 24024 points: $(cat "$T/err")"
	cmp -s "$T/ds.txt" "$T/full.txt" || fail "dumb $size: the downsampled text chart differs from all points"
	expect_ok -t dumb --size $size --max-points=200 -o "$T/off.txt" "$T/mid/run1.json" "$T/mid/run2.json"
	! cmp -s "$T/off.txt" "$T/full.txt" || fail "dumb $size: 50 unaligned buckets look the same"
	ok "dumb $size: $kept of 24024 points draw the identical text chart"
done

# --ignore-outliers: the loss panel's y range stops below the early, high
# losses (the top 5 %) and is autoscaled without the flag.
expect_ok -m loss "$A"
grep -q -x 'set yrange \[\*:\*\]' "$T/out" || fail "no --ignore-outliers: y range not automatic"
expect_ok --ignore-outliers -m loss "$A"
range=$(sed -n 's/^set yrange \[\([-0-9.e]*\):\([-0-9.e]*\)\]$/\1 \2/p' "$T/out")
[ -n "$range" ] || fail "--ignore-outliers: no numeric y range in the script"
max=$(sort -g -k2 "$T/input.dat" | tail -n 1 | cut -d' ' -f2)
min=$(sort -g -k2 "$T/input.dat" | head -n 1 | cut -d' ' -f2)
echo "$range $min $max" | awk '{ exit !($1 < $2 && $2 < $4 && $1 > $3 - ($4 - $3)) }' ||
	fail "--ignore-outliers: y range [$range] for losses from $min to $max"
ok "--ignore-outliers: y range [$range] for losses from $min to $max"

# ---------------------------------------------------------------- fidelity
# 5 jobs × 100 000 noisy rows in a 2×2 PNG: the default (downsampled)
# chart against the chart of every point.  Drawing every point takes
# gnuplot ~25 s; it is done once.
sh "$GEN" "$T/big"
set -- "$T"/big/run1.json "$T"/big/run2.json "$T"/big/run3.json "$T"/big/run4.json "$T"/big/run5.json

# The downsampled script must really be small (else the comparison below
# would pass trivially): 30 series of at most 4 points per bucket, 3
# buckets per pixel column of a 500-pixel plot area (VIEW_POINTS_PER_PX
# 12), against 2 000 000 rows.  Each panel is drawn over exactly the
# steps' range.
expect_ok --size 1200,800 -t pngcairo "$@"
pts=$(grep -c '^[-0-9.e]* [-0-9.einfa]*$' "$T/out" || true)
[ "$pts" -gt 5000 ] && [ "$pts" -le $((30 * 4 * (1500 + 1))) ] ||
	fail "default downsampling: $pts points in the script (2 000 000 rows drawn)"
[ "$(grep -c -x 'set xrange \[1:100000\]' "$T/out")" -eq 4 ] ||
	fail "default downsampling: not every panel drawn over [1:100000]"
ok "default script holds $pts of ~2 000 000 points"

start=$(date +%s)
expect_ok --size 1200,800 -o "$T/ds.png" "$@"
ds_s=$(($(date +%s) - start))
start=$(date +%s)
# (No gnuplot time limit: on a loaded machine this took 130 s.)
expect_ok --size 1200,800 --max-points=0 --gnuplot-timeout=0 -o "$T/full.png" "$@"
full_s=$(($(date +%s) - start))
[ "$(png_size "$T/ds.png")" = 1200x800 ] || fail "ds.png is $(png_size "$T/ds.png")"
# pixels_off PNG: sets $ae to the number of pixels of PNG that differ from
# full.png (compare -metric AE with a 10 % fuzz).
pixels_off() {
	ae=$(compare -metric AE -fuzz 10% "$1" "$T/full.png" null: 2>&1 || true)
	case $ae in
	'' | *[!0-9]*) fail "compare: $ae" ;;
	esac
}
pixels_off "$T/ds.png"
# Under 0.5 % of the 960 000 pixels.
[ "$ae" -lt 4800 ] || fail "downsampled chart differs in $ae pixels (limit 4800)"
ok "downsampled PNG differs from all points in $ae of 960000 pixels (${ds_s}s vs ${full_s}s)"

# Coarser budgets must be caught: the comparison is able to fail.  2000
# points are M4's 4 per pixel column of the 500-pixel plot area (about
# 2 % of the pixels differ: 1.5-pixel anti-aliased lines need finer
# buckets, see VIEW_POINTS_PER_PX); 40 is far too few.
for n in 2000 40; do
	expect_ok --size 1200,800 --max-points=$n -o "$T/coarse.png" "$@"
	pixels_off "$T/coarse.png"
	[ "$ae" -ge 4800 ] || fail "a $n-point chart passes the fidelity check ($ae pixels)"
	ok "a $n-point chart differs in $ae pixels: the check can fail"
done
# ---------------------------------------------------------------- no data
# Panels with nothing to draw: --xrange outside every job's data, a job
# whose rows are all null or NaN.  -o, the script piped into gnuplot and
# gnuplot DIR/compare.gp must all succeed and say "no data".
# all_modes CASE ARGS...: the three ways, each checked; text charts.
all_modes() {
	c=$1
	shift
	rm -rf "$T/nd"
	trc "$@" -o "$T/nd.txt"
	[ "$rc" -eq 0 ] || fail "$c: -o: exit $rc: $(cat "$T/err")"
	grep -q 'no data' "$T/nd.txt" || fail "$c: -o: no \"no data\" panel"
	grep -q 'gnuplot' "$T/err" && fail "$c: -o: gnuplot complained: $(cat "$T/err")"
	gprc=0
	$TRC -t dumb "$@" 2>/dev/null | gnuplot >"$T/nd-pipe.txt" 2>"$T/gp.err" || gprc=$?
	[ "$gprc" -eq 0 ] || fail "$c: | gnuplot: exit $gprc: $(cat "$T/gp.err")"
	grep -v -i 'warning' "$T/gp.err" | grep -q . && fail "$c: | gnuplot: $(cat "$T/gp.err")"
	grep -q 'no data' "$T/nd-pipe.txt" || fail "$c: | gnuplot: no \"no data\" panel"
	expect_ok "$@" -d "$T/nd"
	gprc=0
	gnuplot -e 'set terminal dumb' "$T/nd/compare.gp" >"$T/nd-d.txt" 2>"$T/gp.err" || gprc=$?
	[ "$gprc" -eq 0 ] || fail "$c: gnuplot DIR/compare.gp: exit $gprc: $(cat "$T/gp.err")"
	grep -v -i 'warning' "$T/gp.err" | grep -q . && fail "$c: gnuplot DIR/compare.gp: $(cat "$T/gp.err")"
	grep -q 'no data' "$T/nd-d.txt" || fail "$c: gnuplot DIR/compare.gp: no \"no data\" panel"
	ok "$c: -o, | gnuplot and -d draw \"no data\""
}
all_modes "--xrange outside the data" "$A" "$B" --xrange=1e9:2e9
all_modes "--xrange=MIN: beyond the data" "$A" -m loss --xrange=1e9:
printf '{"step":1,"train_loss":NaN,"eval_loss":null}\n{"step":2,"train_loss":null}\n' >"$T/nan.jsonl"
all_modes "a job whose values are all null or NaN" "$T/nan.jsonl" -m loss
# Beside a job with data, the empty one is simply not drawn.
expect_ok "$T/nan.jsonl" "$A" -m loss -d "$T/nd2"
gnuplot -e 'set terminal dumb' "$T/nd2/compare.gp" >/dev/null 2>"$T/gp.err" || fail "empty job beside a full one: $(cat "$T/gp.err")"
grep -q 'no valid points' "$T/gp.err" && fail "empty job beside a full one: gnuplot said $(cat "$T/gp.err")"
ok "-d: a job without points beside one with points: no clause for it, gnuplot silent"

# Values gnuplot cannot draw: --xrange near DBL_MAX is an error; data near
# DBL_MAX and values <= 0 on a log panel are left out with a warning each.
expect_fail 1 "trcompare-plot: --xrange: values beyond +-1e300 cannot be drawn" "$A" --xrange=-1.7e308:1.7e308 -o "$T/x.png"
expect_fail 1 "trcompare-plot: --xrange: values beyond +-1e300 cannot be drawn" "$A" --xrange=0:1e301 -d "$T/xd"
printf '{"step":1,"train_loss":1.7e308,"eval_loss":1}\n{"step":2,"train_loss":0,"eval_loss":-1}\n{"step":3,"train_loss":2,"eval_loss":0.5}\n' >"$T/odd.jsonl"
trc "$T/odd.jsonl" -m loss,perplexity --logy=loss -o "$T/odd.txt"
[ "$rc" -eq 0 ] || fail "values beyond 1e300 and <= 0 on log panels: exit $rc: $(cat "$T/err")"
printf '%s\n' "trcompare-plot: warning: $T/odd.jsonl: 2 values <= 0 left out of the log-scale panel 'loss'" \
	"trcompare-plot: warning: $T/odd.jsonl: 1 value beyond +-1e300 left out of the panel 'loss'" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "warnings for points left out: $(cat "$T/err")"
ok "values beyond +-1e300 and values <= 0 on a log panel: left out with a warning per job and panel"

echo "$nchecks checks passed"
