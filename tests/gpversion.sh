#!/bin/sh
# The gnuplot the tests run, and what differs between gnuplot versions:
# TRCOMPARE_GNUPLOT=PATH runs the tests against another gnuplot (the
# program draws with the same one); our scripts make gnuplot say nothing
# in the C locale (no "iconv failed to convert degree sign") and still
# draw UTF-8 names; version-guarded script lines are valid on every
# version.  Run it against gnuplot 6.0 with
#   TRCOMPARE_GNUPLOT=/opt/gnuplot-6.0.2/bin/gnuplot make check TESTS=tests/gpversion.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
A="$RUNS/qwen-350m-lr1e-4.json"
B="$RUNS/qwen-350m-lr3e-4.json"

# "5.4 patchlevel 4": the version of the gnuplot on PATH.
gp_version=$(gnuplot -e 'print GPVAL_VERSION, "patchlevel", GPVAL_PATCHLEVEL' 2>&1 </dev/null) ||
	fail "gnuplot -e print GPVAL_VERSION: $gp_version"
echo "# gnuplot $gp_version ($(command -v gnuplot))"
if [ -n "$TRC_TEST_GNUPLOT" ]; then
	[ "$(command -v gnuplot)" = "$T/gnuplot-bin/gnuplot" ] || fail "TRCOMPARE_GNUPLOT: gnuplot is $(command -v gnuplot)"
	v=$("$TRC_TEST_GNUPLOT" -e 'print GPVAL_VERSION, "patchlevel", GPVAL_PATCHLEVEL' 2>&1 </dev/null)
	[ "$v" = "$gp_version" ] || fail "TRCOMPARE_GNUPLOT: gnuplot $v, PATH's $gp_version"
	ok "TRCOMPARE_GNUPLOT=$TRC_TEST_GNUPLOT: the tests' gnuplot"
fi
# The program draws with the same gnuplot (its SVG names the version).
expect_ok -o "$T/v.svg" "$A" "$B"
grep -q "<desc>Produced by GNUPLOT $gp_version *</desc>" "$T/v.svg" ||
	fail "the program's gnuplot: $(grep '<desc>' "$T/v.svg")"
ok "the program draws with the tests' gnuplot ($gp_version)"

# In the C locale, a script of ASCII names makes gnuplot say nothing:
# every `set encoding` there warns "iconv failed to convert degree sign".
for t in pngcairo svg dumb canvas pdfcairo; do
	expect_ok -t "$t" -o "$T/c-$t.gp" "$A" "$B"
	rc=0
	(cd "$T" && LC_ALL=C gnuplot "c-$t.gp") >"$T/c-$t.out" 2>"$T/gp.err" </dev/null || rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/gp.err" ] || fail "LC_ALL=C gnuplot c-$t.gp: exit $rc: $(cat "$T/gp.err")"
	[ -s "$T/c-$t.out" ] || fail "LC_ALL=C gnuplot c-$t.gp: no chart"
done
ok "LC_ALL=C gnuplot on our scripts: not a word on stderr"
grep -q 'set encoding' "$T/c-svg.gp" && fail "an ASCII chart's script sets the encoding"
ok "an ASCII chart's script leaves the encoding alone"

# UTF-8 names: the script says `set encoding utf8`, and the name is drawn
# intact, by the program in the C locale (it gives gnuplot a UTF-8
# LC_CTYPE) and by gnuplot run on the script in a UTF-8 locale.
name=$(printf 'Lauf \303\234ber \316\273 3e-4')
expect_ok -t svg -o "$T/u.svg" "$name=$B" "$A"
[ ! -s "$T/err" ] || fail "a UTF-8 name in the C locale: $(cat "$T/err")"
grep -q "$(printf 'Lauf \303\234ber \316\273 3e-4')" "$T/u.svg" || fail "a UTF-8 name: not in the SVG"
ok "a UTF-8 name, the program in the C locale: drawn, no warning"
expect_ok -o "$T/u.gp" "$name=$B" "$A"
grep -q '^if (GPVAL_TERM ne "x11") { set encoding utf8 }$' "$T/u.gp" || fail "a UTF-8 name: no set encoding utf8"
rc=0
LC_ALL=C.UTF-8 gnuplot -e 'set terminal dumb size 120,40' "$T/u.gp" >"$T/u.txt" 2>"$T/gp.err" </dev/null || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/gp.err" ] || fail "LC_ALL=C.UTF-8 gnuplot u.gp: exit $rc: $(cat "$T/gp.err")"
grep -q "$(printf 'Lauf \303\234ber \316\273 3e-4')" "$T/u.txt" || fail "a UTF-8 name: not in the text chart"
ok "a UTF-8 name, the script run in a UTF-8 locale: drawn, no warning"

# Minor tics on time axes: gnuplot 5.4 draws them unasked, 6.0 only with
# `set mxtics`, which the script says.  The chart must differ from the
# same script with minor tics turned off (on 6.0 without `set mxtics` it
# did not).  (ImageMagick's compare tells; CI has it.)
command -v compare >/dev/null 2>&1 || skip "ImageMagick's compare is not installed (the rest passed)"
for x in time relative; do
	expect_ok -x "$x" -m loss -t pngcairo --size 800,500 -o "$T/mt.gp" "$A" "$B"
	awk '/^set mxtics$/ { next } /^# [0-9]+ panels? in / { print "unset mxtics" } { print }' "$T/mt.gp" >"$T/mt-off.gp"
	grep -q '^unset mxtics$' "$T/mt-off.gp" || fail "-x $x: no place for unset mxtics in the script"
	gnuplot "$T/mt.gp" >"$T/mt.png" 2>"$T/gp.err" </dev/null || fail "-x $x: gnuplot: $(cat "$T/gp.err")"
	gnuplot "$T/mt-off.gp" >"$T/mt-off.png" 2>"$T/gp.err" </dev/null || fail "-x $x: gnuplot: $(cat "$T/gp.err")"
	ae=$(compare -metric AE "$T/mt.png" "$T/mt-off.png" null: 2>&1 || true)
	case $ae in '' | *[!0-9]*) fail "compare: $ae" ;; esac
	[ "$ae" -gt 0 ] || fail "-x $x: no minor tics on the time axis (gnuplot $gp_version)"
	ok "-x $x: minor tics on the time axis ($ae pixels of them, gnuplot $gp_version)"
done
