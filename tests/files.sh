#!/bin/sh
# tests/files.sh: what -o and -d do to the names they write: FIFOs, devices
# and links (swapped while we draw), modes and read-only files, a reader of
# stdout that goes away, concurrent -d, long names, odd directory names.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot

RUN="$RUNS/qwen-350m-lr1e-4.json"
DAT=qwen-350m-lr1e-4.dat # the -d file of $RUN
REAL_GP=$(command -v gnuplot)
OUT="$T/out.d"
mkdir "$OUT"
TMPDIR="$T/tmp"
export TMPDIR
mkdir "$TMPDIR"
bg_pids=
cleanup_files() {
	for p in $bg_pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup_files EXIT

# LeakSanitizer cannot run under strace (ptrace): off for those runs.
no_lsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# is_svg FILE: a whole SVG.
is_svg() { grep -q '<svg' "$1" && grep -q '</svg>' "$1"; }
# is_png FILE: a PNG with its end chunk.
is_png() { [ "$(od -An -c -N4 "$1" | tr -d ' ')" = '211PNG' ] && tail -c 8 "$1" | grep -q IEND; }

# ------------------------------------------------- a FIFO swapped for a link

# -o onto a FIFO, replaced by a link to another file while gnuplot draws:
# the chart goes into the FIFO that was there (opened once), never into the
# link's target.  The fake gnuplot holds the render until the swap is done.
printf '#!/bin/sh\n[ "${1:-}" != -d ] || shift\nif [ "${1:-}" = -e ]; then exec "%s" -d "$@"; fi\ncat >"%s/script.gp"\n: >"%s/have-script"\nwhile [ ! -e "%s/go" ]; do sleep 0.05; done\nexec "%s" "%s/script.gp"\n' \
	"$REAL_GP" "$T" "$T" "$T" "$REAL_GP" "$T" >"$T/gp-gate"
chmod +x "$T/gp-gate"
printf 'precious\n' >"$T/victim"
mkfifo "$OUT/c.svg"
cat "$OUT/c.svg" >"$T/got.svg" &
cat_pid=$!
bg_pids="$cat_pid"
rc=0
TRCOMPARE_GNUPLOT=$T/gp-gate $TRC -o "$OUT/c.svg" "$RUN" >"$T/out" 2>"$T/err" &
pid=$!
bg_pids="$bg_pids $pid"
wait_for 60 test -e "$T/have-script" || fail "the gated gnuplot got no script"
rm "$OUT/c.svg"
ln -s "$T/victim" "$OUT/c.svg"
: >"$T/go"
wait "$pid" || rc=$?
[ "$(cat "$T/victim")" = precious ] || fail "-o FIFO swapped for a link: wrote through the link"
[ "$rc" -eq 0 ] || fail "-o FIFO swapped for a link: exit $rc: $(cat "$T/err")"
wait_for 10 gone "$cat_pid" || fail "the FIFO's reader got no end of file"
is_svg "$T/got.svg" || fail "-o FIFO: the reader of the FIFO got no SVG"
[ -L "$OUT/c.svg" ] || fail "-o FIFO: the link put in its place was touched"
ok "-o FIFO swapped for a link while drawing: the SVG goes into the FIFO, the link's target is untouched"
rm -f "$OUT/c.svg" "$T/go" "$T/have-script"

# -o onto a regular file: gnuplot draws into our temporary file beside it.
# Someone who can write the directory replaces that temporary file by a
# link while gnuplot is held: gnuplot still writes the file we created
# (it opens it by our descriptor, /proc/PID/fd/N), the link's target is
# untouched, and the link is not renamed into place.
rc=0
TRCOMPARE_GNUPLOT=$T/gp-gate $TRC -o "$OUT/reg.svg" "$RUN" >"$T/out" 2>"$T/err" &
pid=$!
bg_pids="$bg_pids $pid"
wait_for 60 test -e "$T/have-script" || fail "the gated gnuplot got no script"
tmpf=$(ls -A "$OUT" | grep '^\.trc' || true)
[ -n "$tmpf" ] && [ -f "$OUT/$tmpf" ] || fail "-o: no temporary file beside the output while drawing: $(ls -A "$OUT")"
rm "$OUT/$tmpf"
ln -s "$T/victim" "$OUT/$tmpf"
: >"$T/go"
wait "$pid" || rc=$?
[ "$(cat "$T/victim")" = precious ] || fail "-o temporary file swapped for a link: gnuplot wrote through the link"
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: $OUT/reg.svg: changed while it was written" ] ||
	fail "-o temporary file swapped: exit $rc: $(cat "$T/err")"
[ ! -e "$OUT/reg.svg" ] && [ ! -L "$OUT/reg.svg" ] || fail "-o temporary file swapped: something was put in place"
ok "exit 1: trcompare-plot: OUT/reg.svg: changed while it was written (the swapped-in link's target untouched)"
rm -f "$OUT/$tmpf" "$T/go" "$T/have-script"

# The FIFO swapped for a link between the look and the open (strace holds
# each system call on the name for 2.5 s): refused, nothing written.  The
# job comes through a FIFO of its own, which the program opens after its
# first system calls on sw.gp (planning its outputs); the swap comes once
# strace has logged the next one, the look: inside the look's hold and
# before the open (not at a fixed time after the input: under valgrind
# and strace on a loaded machine, reading it may take longer).
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
	mkfifo "$OUT/sw.gp" "$T/in.json"
	rc=0
	(cd "$OUT" && ASAN_OPTIONS=$no_lsan exec timeout 60 strace -f -qq -o "$T/sw.strace" -P sw.gp -e inject=all:delay_exit=2500000 \
		$TRC -o sw.gp "$T/in.json") >"$T/out" 2>"$T/err" &
	sw_pid=$!
	cat "$RUN" >"$T/in.json"
	calls() { grep -c '"sw.gp"' "$T/sw.strace" || true; }
	n0=$(calls)
	looked() { [ "$(calls)" -gt "$n0" ]; }
	wait_for 60 looked || fail "-o FIFO: no look at sw.gp after the input: $(cat "$T/sw.strace")"
	(cd "$OUT" && rm sw.gp && ln -s "$T/victim" sw.gp)
	wait "$sw_pid" || rc=$?
	err=$(grep -v '^strace: ' "$T/err" || true)
	[ "$rc" -eq 1 ] && [ "$err" = "trcompare-plot: sw.gp: changed while it was opened" ] ||
		fail "-o FIFO swapped before the open: exit $rc: $err"
	[ "$(cat "$T/victim")" = precious ] || fail "-o FIFO swapped before the open: wrote through the link"
	ok "exit 1: trcompare-plot: sw.gp: changed while it was opened"
	rm -f "$OUT/sw.gp"
else
	echo "# no strace (or no ptrace) here: the swap before the open skipped"
fi

# -o onto a FIFO (or a link to one, as /dev/stdout) still writes into it.
mkfifo "$T/fifo2"
ln -s "$T/fifo2" "$OUT/via-link.gp"
cat "$T/fifo2" >"$T/got.gp" &
expect_ok -o "$OUT/via-link.gp" "$RUN"
wait $!
grep -q '^# Generated by trcompare-plot' "$T/got.gp" || fail "-o link to a FIFO: nothing came through"
[ -L "$OUT/via-link.gp" ] && [ -p "$T/fifo2" ] || fail "-o link to a FIFO: the link or FIFO was replaced"
ok "-o link to a FIFO writes into the FIFO"
rm -f "$OUT/via-link.gp"

# -S with -o /dev/stdout and stdout a file opened by `>`: the summary comes
# first, then the whole SVG; neither overwrites the other.
rc=0
$TRC -S csv -t svg -o /dev/stdout "$RUN" >"$T/both.out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "-S -o /dev/stdout >FILE: exit $rc: $(cat "$T/err")"
head -1 "$T/both.out" | grep -q '^label,' || fail "-S -o /dev/stdout >FILE: the summary is not first: $(head -c 200 "$T/both.out")"
sed -n '/<svg/,$p' "$T/both.out" >"$T/both.svg"
is_svg "$T/both.svg" || fail "-S -o /dev/stdout >FILE: the SVG is not whole"
ok "-S -o /dev/stdout >FILE: the summary, then the whole SVG"

# -o /dev/stdout (a link into /proc) with stdout a regular file: written
# into (appended, as `>>` would), /dev/stdout stays a link.
printf 'before\n' >"$T/stdout.svg"
rc=0
$TRC -t svg -o /dev/stdout "$RUN" >>"$T/stdout.svg" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "-o /dev/stdout: exit $rc: $(cat "$T/err")"
[ -L /dev/stdout ] || fail "-o /dev/stdout replaced /dev/stdout"
[ "$(head -1 "$T/stdout.svg")" = before ] && is_svg "$T/stdout.svg" || fail "-o /dev/stdout >>FILE: no SVG after the first line"
ok "-o /dev/stdout >>FILE: the SVG is appended to FILE"

# -o onto a link to a regular file replaces the link (as mv and install
# do); the file it pointed to is not touched.
printf 'precious\n' >"$T/linked.gp"
ln -s "$T/linked.gp" "$OUT/link.gp"
expect_ok -o "$OUT/link.gp" "$RUN"
[ ! -L "$OUT/link.gp" ] && grep -q '^# Generated by trcompare-plot' "$OUT/link.gp" ||
	fail "-o link to a file: the link was not replaced"
[ "$(cat "$T/linked.gp")" = precious ] || fail "-o link to a file: wrote through the link"
ok "-o link to a regular file: the link is replaced, its target untouched"
rm -f "$OUT/link.gp"

# -d never writes through what is in the directory: a link to a FIFO or a
# device outside it (or a FIFO in it) is replaced by the data file.
mkdir "$OUT/d"
mkfifo "$T/outside-fifo"
ln -s "$T/outside-fifo" "$OUT/d/$DAT"
mkfifo "$OUT/d/compare.gp"
rc=0
timeout 60 $TRC -d "$OUT/d" "$RUN" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "-d over a link to a FIFO: exit $rc: $(cat "$T/err")"
[ -f "$OUT/d/$DAT" ] && [ ! -L "$OUT/d/$DAT" ] && [ -f "$OUT/d/compare.gp" ] ||
	fail "-d over a link to a FIFO: the link or FIFO is still there"
[ -p "$T/outside-fifo" ] || fail "-d over a link to a FIFO: the FIFO outside was replaced"
ok "-d over a link to a FIFO outside and a FIFO inside: both replaced, nothing written through"
if mknod "$T/null" c 1 3 2>/dev/null; then
	rm -f "$OUT/d/compare.gp"
	ln -sf "$T/null" "$OUT/d/$DAT"
	expect_ok -d "$OUT/d" "$RUN"
	[ -f "$OUT/d/$DAT" ] && [ ! -L "$OUT/d/$DAT" ] && [ -c "$T/null" ] ||
		fail "-d over a link to a device: not replaced"
	ok "-d over a link to a device outside: replaced, the device untouched"
else
	echo "# no mknod here: -d over a device link skipped"
fi
rm -rf "$OUT/d"

# ------------------------------------------------- modes and read-only files

expect_ok -o "$OUT/m.gp" "$RUN"
chmod 600 "$OUT/m.gp"
grp=$(getent group daemon >/dev/null 2>&1 && echo daemon || echo "")
[ -z "$grp" ] || chgrp "$grp" "$OUT/m.gp"
want_g=$(stat -c %g "$OUT/m.gp")
expect_ok -o "$OUT/m.gp" "$RUN"
[ "$(stat -c %a "$OUT/m.gp")" = 600 ] || fail "rewriting a 0600 file: mode $(stat -c %a "$OUT/m.gp")"
[ "$(stat -c %g "$OUT/m.gp")" = "$want_g" ] || fail "rewriting a file: group $(stat -c %g "$OUT/m.gp"), want $want_g"
ok "rewriting an -o file keeps its mode (0600) and group"
chmod 640 "$OUT/m.gp"
expect_ok -d "$OUT" "$RUN"
chmod 600 "$OUT/$DAT"
expect_ok -d "$OUT" "$RUN"
[ "$(stat -c %a "$OUT/$DAT")" = 600 ] || fail "rewriting a -d file: mode $(stat -c %a "$OUT/$DAT")"
ok "rewriting a -d file keeps its mode"

# A read-only file is refused, as `>` refuses it (root too: by mode bits).
printf 'precious\n' >"$OUT/ro.png"
chmod 444 "$OUT/ro.png"
expect_fail 1 "trcompare-plot: $OUT/ro.png: Permission denied (the file is read-only)" \
	-o "$OUT/ro.png" "$RUN"
[ "$(cat "$OUT/ro.png")" = precious ] && [ "$(stat -c %a "$OUT/ro.png")" = 444 ] ||
	fail "a read-only -o file was replaced"
printf 'precious\n' >"$OUT/ro.gp"
chmod 444 "$OUT/ro.gp"
expect_fail 1 "trcompare-plot: $OUT/ro.gp: Permission denied (the file is read-only)" \
	-o "$OUT/ro.gp" "$RUN"
chmod 444 "$OUT/$DAT"
expect_fail 1 "trcompare-plot: $OUT/$DAT: Permission denied (the file is read-only)" -d "$OUT" "$RUN"
[ -z "$(ls -A "$OUT" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$OUT")"
rm -f "$OUT"/*

# Not read-only, but not ours to write: refused for an unprivileged user.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T"
	chmod 777 "$OUT"
	printf 'precious\n' >"$OUT/theirs.gp"
	chmod 644 "$OUT/theirs.gp"
	# (A copy of the job nobody can read: the source tree may lie below a
	# private directory, as in make distcheck.)
	cp "$RUN" "$OUT/job.json"
	chmod 644 "$OUT/job.json"
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- \
		"$PROG" -o "$OUT/theirs.gp" "$OUT/job.json" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: $OUT/theirs.gp: Permission denied" ] ||
		fail "someone else's file: exit $rc: $(cat "$T/err")"
	[ "$(cat "$OUT/theirs.gp")" = precious ] || fail "someone else's 0644 file was replaced"
	ok "exit 1: someone else's file in a directory we may write"
	rm -f "$OUT/theirs.gp" "$OUT/job.json"
	chmod 700 "$T" "$OUT"
fi

# ------------------------------------------------- a reader of stdout that goes away

# The chart and the data files are written whole before the closed stdout
# ends us (as SIGPIPE ends a filter: status 141 from the shell, no message).
# -v: its notes flush stdout early, which used to end us before the files.
printf 'old\n' >"$OUT/c.png"
mkdir "$OUT/dd"
printf 'old\n' >"$OUT/dd/$DAT"
for reader in true 'head -1'; do
	rm -f "$T/rc"
	{
		(echo 'a first line') 2>/dev/null || true # for head (a subshell: if the reader
		# is gone already, SIGPIPE ends only it)
		sleep 0.5           # the reader is gone before we write
		rc=0
		$TRC -v -S csv -o "$OUT/c.png" -d "$OUT/dd" "$RUN" 2>"$T/err" || rc=$?
		echo "$rc" >"$T/rc"
	} | $reader >/dev/null
	rc=$(cat "$T/rc")
	[ "$rc" -eq 141 ] || fail "-S -o … | $reader: exit $rc, want 141: $(cat "$T/err")"
	! grep -v '^trcompare-plot: \(reading\|read\|running\|drew\|drawing\|[0-9]\)' "$T/err" ||
		fail "-S -o … | $reader: a message besides -v's notes"
	is_png "$OUT/c.png" || fail "-S -o c.png … | $reader: c.png is not the new chart"
	grep -q '^# trcompare-plot tidy data' "$OUT/dd/$DAT" && [ -f "$OUT/dd/compare.gp" ] ||
		fail "-S -d … | $reader: the data files were not written"
	ok "-S -o c.png -d DIR … | $reader: the chart and the data files are new and whole (exit $rc)"
	printf 'old\n' >"$OUT/c.png"
	rm -f "$OUT/dd/"*
	printf 'old\n' >"$OUT/dd/$DAT"
done
rm -rf "$OUT/c.png" "$OUT/dd"

# ------------------------------------------------- concurrent -d, long names, odd names

# 8 runs make the same new directory at once: none fails.
for round in 1 2 3 4 5; do
	pids=
	for i in 1 2 3 4 5 6 7 8; do
		$TRC -d "$OUT/race$round" "$RUN" >/dev/null 2>"$T/err.$i" &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p" || fail "8 concurrent -d into a new directory: one failed: $(cat "$T"/err.*)"
	done
	[ "$(ls "$OUT/race$round")" = "$(printf '%s\n' "$DAT" compare.gp | sort)" ] || fail "8 concurrent -d: $(ls -A "$OUT/race$round")"
done
ok "8 concurrent -d into one new directory (5 rounds): all succeed"
rm -rf "$OUT"/race*
# The same race made certain: strace holds every system call on the
# directory's path for 0.7 s, and the directory appears meanwhile.
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
	(sleep 0.3 && mkdir "$OUT/late") &
	mk_pid=$!
	rc=0
	ASAN_OPTIONS=$no_lsan strace -f -qq -o /dev/null -P "$OUT/late" -e inject=all:delay_exit=700000 \
		$TRC -d "$OUT/late" "$RUN" >"$T/out" 2>"$T/err" || rc=$?
	wait "$mk_pid"
	[ "$rc" -eq 0 ] || fail "-d into a directory made meanwhile: exit $rc: $(cat "$T/err")"
	[ -f "$OUT/late/$DAT" ] || fail "-d into a directory made meanwhile: no data file"
	ok "-d into a directory made by someone else after we looked"
	rm -rf "$OUT/late"
else
	echo "# no strace (or no ptrace) here: the certain -d race skipped"
fi

# An -o name of 250 characters (NAME_MAX is 255): the temporary name fits.
long=$(printf '%0246d' 0 | tr 0 a)
expect_ok -o "$OUT/$long.gp" "$RUN"
expect_ok -o "$OUT/$long.png" "$RUN"
is_png "$OUT/$long.png" || fail "a 250-character -o name: no PNG"
ok "-o with a 250-character file name"
rm -f "$OUT/$long.gp" "$OUT/$long.png"

# A -d directory whose path is a few bytes short of PATH_MAX (4096).
deep=$OUT
while [ ${#deep} -lt 3800 ]; do deep="$deep/$(printf '%0199d' 0 | tr 0 b)"; done
pad=$((4078 - ${#deep} - 1))
deep="$deep/$(printf "%0${pad}d" 0 | tr 0 c)"
mkdir -p "$deep"
expect_ok -d "$deep" "$RUN"
(cd "$deep" && [ -f "$DAT" ] && [ -f compare.gp ]) || fail "-d near PATH_MAX: files missing"
ok "-d with a path of ${#deep} bytes (PATH_MAX 4096)"
rm -rf "$OUT"/b*

# A -d directory named '$dd': its compare.gp reads the files, not a datablock.
cd "$OUT"
expect_ok -t svg -d '$dd' "$RUN"
rc=0
"$REAL_GP" '$dd/compare.gp' >"$T/gp.svg" 2>"$T/gp.err" </dev/null || rc=$?
# (Not even the C locale's "iconv failed to convert degree sign".)
[ "$rc" -eq 0 ] && [ ! -s "$T/gp.err" ] || fail "gnuplot '\$dd/compare.gp': exit $rc: $(cat "$T/gp.err")"
is_svg "$T/gp.svg" && grep -q '<path' "$T/gp.svg" || fail "gnuplot '\$dd/compare.gp' drew nothing"
ok "gnuplot '\$dd/compare.gp' draws"
cd "$T"
[ -z "$(ls -A "$TMPDIR")" ] || fail "left in \$TMPDIR: $(ls -A "$TMPDIR")"
