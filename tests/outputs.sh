#!/bin/sh
# Several outputs of one comparison: -o given more than once renders the
# one chart into each file exactly as a lone -o would; -o - writes the
# script (with -t, the rendered chart) to stdout; the same path twice is a
# usage error; --summary-output writes -S to a file.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
try="Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information."
A="$RUNS/qwen-350m-lr1e-4.json"
B="$RUNS/qwen-350m-lr3e-4.json"

expect_ok -o "$T/m.png" -o "$T/m.svg" -o "$T/m.txt" -o "$T/m.gp" "$A" "$B"
for f in m.png m.svg m.txt m.gp; do [ -s "$T/$f" ] || fail "-o $f: not written"; done
[ "$(od -An -c -N4 "$T/m.png" | tr -d ' ')" = '211PNG' ] || fail "m.png is not a PNG"
grep -q '<svg' "$T/m.svg" || fail "m.svg is not SVG"
ok "four -o: four files"
# Each is what a lone -o writes (the script and the text chart byte for byte).
expect_ok -o "$T/one.gp" "$A" "$B"
cmp -s "$T/one.gp" "$T/m.gp" || fail "-o m.gp among others differs from a lone -o"
expect_ok -o "$T/one.txt" "$A" "$B"
cmp -s "$T/one.txt" "$T/m.txt" || fail "-o m.txt among others differs from a lone -o"
expect_ok -o "$T/one.png" "$A" "$B"
[ "$(png_size "$T/one.png")" = "$(png_size "$T/m.png")" ] || fail "m.png: another size than a lone -o"
ok "each output as a lone -o writes it"

# -o -: the script, as a pipe gets it without -o.
expect_ok -o - "$A" "$B"
mv "$T/out" "$T/dash.gp"
trc "$A" "$B"
cmp -s "$T/out" "$T/dash.gp" || fail "-o - differs from the piped script"
gnuplot -e 'set terminal dumb' "$T/dash.gp" >/dev/null 2>"$T/gp.err" || fail "-o -: gnuplot: $(cat "$T/gp.err")"
ok "-o -: the script on stdout"
expect_ok -o - -t pngcairo --size 300,200 "$A"
[ "$(od -An -c -N4 "$T/out" | tr -d ' ')" = '211PNG' ] || fail "-o - -t pngcairo: no PNG on stdout"
[ "$(png_size "$T/out")" = 300x200 ] || fail "-o - -t pngcairo: $(png_size "$T/out")"
ok "-o - -t pngcairo: the PNG on stdout"
expect_ok -o - -o "$T/both.png" -t pngcairo "$A"
[ "$(od -An -c -N4 "$T/out" | tr -d ' ')" = '211PNG' ] && [ -s "$T/both.png" ] ||
	fail "-o - -o FILE: not both written"
ok "-o - with another -o"

rm -f "$T/dup.png"
expect_fail 64 "trcompare-plot: -o: '$T/dup.png' is given twice
$try" -o "$T/dup.png" -o "$T/x.svg" -o "$T/dup.png" "$A"
[ ! -e "$T/dup.png" ] && [ ! -e "$T/x.svg" ] || fail "a usage error wrote an output"
# However it is spelt (./x.png, an absolute path, a link to the
# directory), and whatever writes it (a Markdown report's charts, -d's
# compare.gp and .dat files): a file written twice is a usage error before
# anything is read, and nothing is written.
mkdir "$T/sp"
ln -s . "$T/sp/lnk"
cd "$T/sp"
expect_fail 64 "trcompare-plot: ./x.png: -o x.png writes it too" -o x.png -o ./x.png "$A"
expect_fail 64 "trcompare-plot: $T/sp/x.png: -o x.png writes it too" -o x.png -o "$T/sp/x.png" "$A"
expect_fail 64 "trcompare-plot: lnk/x.svg: -o x.svg writes it too" -o x.svg -o lnk/x.svg "$A"
expect_fail 64 "trcompare-plot: r-panel-1.png: --report r.md writes it too" --report r.md -o r-panel-1.png "$A"
expect_fail 64 "trcompare-plot: dd/compare.gp: -d dd writes it too" -d dd -o dd/compare.gp "$A"
mkdir dd
expect_fail 64 "trcompare-plot: lnk/dd/compare.gp: -d dd writes it too" -d dd -o lnk/dd/compare.gp "$A"
expect_fail 64 "trcompare-plot: dd/a.dat: -d dd writes its .dat files there" -d dd -S csv --summary-output dd/a.dat "$A"
expect_fail 64 "trcompare-plot: ./s.txt: --summary-output s.txt writes it too" -S csv --summary-output s.txt -o ./s.txt "$A"
rmdir dd
cd "$OLDPWD"
[ -z "$(ls "$T/sp" | grep -v '^lnk$')" ] || fail "a file written twice: something was written: $(ls "$T/sp")"
expect_ok -o "$T/sp/x.png" -o "$T/sp/x.svg" -d "$T/sp/dd" -S csv --summary-output "$T/sp/summary.csv" "$A"
ok "a file written twice however spelt, by -o, --report or -d: exit 64, nothing written"

# An output whose directory is missing (or a file), or a read-only file:
# found before anything is read or drawn, the same message as writing it
# would give; no output is written.
expect_fail 1 "trcompare-plot: $T/nodir/b.svg: cannot create: No such file or directory" \
	-o "$T/a.png" -o "$T/nodir/b.svg" "$A"
[ ! -e "$T/a.png" ] || fail "-o a.png -o nodir/b.svg: a.png was written"
: >"$T/file"
expect_fail 1 "trcompare-plot: $T/file/b.svg: cannot create: Not a directory" \
	-o "$T/a.png" -o "$T/file/b.svg" "$A"
expect_fail 1 "trcompare-plot: $T/nodir/d: cannot create directory: No such file or directory" \
	-o "$T/a.png" -d "$T/nodir/d" "$A"
expect_fail 1 "trcompare-plot: $T/file: not a directory" -o "$T/a.png" -d "$T/file" "$A"
expect_fail 1 "trcompare-plot: $T/nodir/r-panel-1.png: cannot create: No such file or directory" \
	-o "$T/a.png" --report "$T/nodir/r.md" "$A"
expect_fail 1 "trcompare-plot: $T/nodir/s.csv: cannot create: No such file or directory" \
	-o "$T/a.png" -S csv --summary-output "$T/nodir/s.csv" "$A"
: >"$T/ro.svg"
chmod 444 "$T/ro.svg"
expect_fail 1 "trcompare-plot: $T/ro.svg: Permission denied (the file is read-only)" \
	-o "$T/a.png" -o "$T/ro.svg" "$A"
[ ! -e "$T/a.png" ] || fail "an output in a missing directory: a.png was written"
ok "an output in a missing directory: exit 1 before anything is drawn, nothing written"
# ... but an output in -d's directory, which -d makes first, is written.
expect_ok -d "$T/made" -o "$T/made/extra.png" "$A"
[ -s "$T/made/compare.gp" ] && [ -s "$T/made/extra.png" ] || fail "-d made -o made/extra.png: $(ls "$T/made" 2>&1)"
ok "an output in the directory -d makes: written"

expect_fail 64 "trcompare-plot: -o - and --data both write to stdout
$try" -o - --data "$A"
expect_fail 64 "trcompare-plot: -o: unknown output extension '.xyz' (known: .png .svg .pdf .eps .txt .html .gp)" \
	-o "$T/ok.png" -o "$T/bad.xyz" "$A"
[ ! -e "$T/ok.png" ] || fail "the first -o was written despite a bad second one"

# --summary-output FILE: -S into a file, the chart still drawn.
expect_ok -S markdown "$A" "$B"
mv "$T/out" "$T/sum.md"
expect_ok -S markdown --summary-output "$T/s.md" -o "$T/s.png" "$A" "$B"
cmp -s "$T/sum.md" "$T/s.md" || fail "--summary-output differs from -S on stdout"
[ ! -s "$T/out" ] && [ -s "$T/s.png" ] || fail "--summary-output: stdout not empty or no chart"
expect_ok --summary-output "$T/t.txt" "$A"
grep -q 'train loss' "$T/t.txt" || fail "--summary-output alone: no text summary"
ok "--summary-output"

# An output that is one of the JOBs (however spelt) is refused before
# anything is read: the input is not replaced by a table or a chart.
cp "$DATA/readers/keras.csv" "$T/k.csv"
cp "$T/k.csv" "$T/k0.csv"
expect_fail 64 "trcompare-plot: $T/./k.csv: it is the JOB run=$T/k.csv" -S csv --summary-output "$T/./k.csv" "run=$T/k.csv"
cp "$T/k.csv" "$T/k.txt"
expect_fail 64 "trcompare-plot: $T/k.txt: it is the JOB $T/k.txt" -o "$T/k.txt" "$T/k.txt"
cmp -s "$T/k.csv" "$T/k0.csv" && cmp -s "$T/k.txt" "$T/k0.csv" || fail "an input was replaced by an output"
ok "an output that is a JOB is refused"
