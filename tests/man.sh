#!/bin/sh
# tests/man.sh: the man page (made from --help by help2man) reads as a man
# page: option groups are subsections, every option has its own paragraph,
# the input schema is there; make install puts the README and the examples
# beside it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

MAN="$top_builddir/man/trcompare-plot.1"
[ -f "$MAN" ] || skip "no man page built (help2man missing)"
for g in Output Chart 'Training platform API'; do
	grep -qx ".SS $g" "$MAN" || fail "man: no subsection '$g'"
done
! grep -q '^[A-Z][A-Za-z ]*:$' "$MAN" || fail "man: a group header left as text: $(grep '^[A-Z][A-Za-z ]*:$' "$MAN" | head -1)"
ok "man: option groups are subsections"
# --format's description is its own paragraph, not run into the option.
grep -A1 '^\\fB\\-\\-format\\fR' "$MAN" | tail -1 | grep -q '^Output format of' ||
	fail "man: --format's description: $(grep -A1 'format' "$MAN" | head -4)"
ok "man: --format has its own description line"
grep -q '^\.SH INPUT' "$MAN" && grep -q 'MetricPoint' "$MAN" || fail "man: no INPUT section with the schema"
ok "man: the INPUT section states the schema"

command -v make >/dev/null 2>&1 || skip "no make"
inst="$T/inst"
make -s -C "$top_builddir" install DESTDIR="$inst" prefix=/usr >"$T/make.out" 2>&1 ||
	fail "make install: $(tail -5 "$T/make.out")"
[ -f "$inst/usr/share/doc/trcompare/README.md" ] || fail "make install: no README.md: $(cd "$inst" && find . | head -20)"
[ -f "$inst/usr/share/doc/trcompare/examples/runs/qwen-350m-lr1e-4.json" ] || fail "make install: no examples"
[ -f "$inst/usr/share/man/man1/trcompare-plot.1" ] || fail "make install: no man page"
ok "make install: the program, its man page, README.md and the examples"
make -s -C "$top_builddir" uninstall DESTDIR="$inst" prefix=/usr >"$T/make.out" 2>&1 || fail "make uninstall: $(tail -5 "$T/make.out")"
left=$(find "$inst" -type f | head -3)
[ -z "$left" ] || fail "make uninstall left files: $left"
ok "make uninstall removes them"
