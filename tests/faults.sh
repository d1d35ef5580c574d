#!/bin/sh
# tests/faults.sh: output faults, gnuplot failures, signals and odd inputs.
# Each case pins the message and exit status, and checks that no output
# file, temporary file or gnuplot process is left behind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot

RUN="$RUNS/qwen-350m-lr1e-4.json"
REAL_GP=$(command -v gnuplot)
OUT="$T/out.d" # where outputs go; must hold nothing but what we expect
mkdir "$OUT"
# The program's own temporary files (scripts for gnuplot) go to $TMPDIR.
TMPDIR="$T/tmp"
export TMPDIR
mkdir "$TMPDIR"

# no_leftovers [FILE...]: $OUT holds exactly FILE... (no temporary files,
# no partial output) and $TMPDIR is empty.
no_leftovers() {
	want=$(printf '%s\n' "$@" | sort | sed '/^$/d')
	got=$(ls -A "$OUT" | sort)
	[ "$got" = "$want" ] || fail "left in $OUT: '$got', want '$want'"
	[ -z "$(ls -A "$TMPDIR")" ] || fail "left in \$TMPDIR: $(ls -A "$TMPDIR")"
}

# fake_gnuplot NAME BODY: an executable $T/NAME that answers the terminal
# probe (-e ...) with the real gnuplot and otherwise runs BODY (sh), with
# the -d that comes first shifted away ("$1" is the script).
fake_gnuplot() {
	printf '#!/bin/sh\n[ "${1:-}" != -d ] || shift\nif [ "${1:-}" = -e ]; then exec "%s" -d "$@"; fi\n%s\n' "$REAL_GP" "$2" >"$T/$1"
	chmod +x "$T/$1"
}

# ---------------------------------------------------------------- output faults

# A full disk.  Our own device node with /dev/full's numbers: if the program
# ever replaced the target with a regular file, only this copy is lost.
if mknod "$T/full" c 1 7 2>/dev/null && mknod "$OUT/full.gp" c 1 7 2>/dev/null &&
	mknod "$OUT/full.png" c 1 7 2>/dev/null; then
	rc=0
	$TRC "$RUN" >"$T/full" 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "stdout on a full disk: exit $rc"
	[ "$(cat "$T/err")" = "trcompare-plot: stdout: write error: No space left on device" ] ||
		fail "stdout on a full disk: $(cat "$T/err")"
	ok "exit 1: stdout on a full disk"
	expect_fail 1 "trcompare-plot: $OUT/full.gp: write error: No space left on device" \
		-o "$OUT/full.gp" "$RUN"
	[ -c "$OUT/full.gp" ] || fail "-o on a device replaced the device with a file"
	ok "-o DEVICE writes to the device"
	expect_fail 1 "trcompare-plot: $OUT/full.png: write error: No space left on device" \
		-o "$OUT/full.png" "$RUN"
	[ -c "$OUT/full.png" ] || fail "-o on a device replaced the device with a file"
	rm -f "$OUT/full.gp" "$OUT/full.png"
	no_leftovers
else
	rm -f "$OUT/full.gp" "$OUT/full.png"
	echo "# no mknod here: full-disk checks skipped"
fi

# A parent directory that does not exist.
expect_fail 1 "trcompare-plot: $OUT/missing/chart.png: cannot create: No such file or directory" \
	-o "$OUT/missing/chart.png" "$RUN"
expect_fail 1 "trcompare-plot: $OUT/missing/chart.gp: cannot create: No such file or directory" \
	-o "$OUT/missing/chart.gp" "$RUN"
no_leftovers

# A read-only directory.  root writes anywhere, so run that check as an
# unprivileged user (setpriv) when we are root.
as_user=
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		# (valgrind, under make check-valgrind, needs a TMPDIR it can write)
		mkdir "$T/tmp-nobody"
		chmod 1777 "$T/tmp-nobody"
		as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- env TMPDIR=$T/tmp-nobody"
		chmod 755 "$T" "$OUT"
		$as_user test -x "$PROG" -a -r "$RUN" || as_user=none
	else
		as_user=none
	fi
fi
if [ "$as_user" != none ]; then
	mkdir "$OUT/ro"
	chmod 555 "$OUT/ro"
	for f in chart.png chart.gp; do
		rc=0
		$as_user $TRC -o "$OUT/ro/$f" "$RUN" >"$T/out" 2>"$T/err" || rc=$?
		[ "$rc" -eq 1 ] || fail "-o in a read-only directory: exit $rc; $(cat "$T/err")"
		[ "$(cat "$T/err")" = "trcompare-plot: $OUT/ro/$f: cannot create: Permission denied" ] ||
			fail "-o in a read-only directory: $(cat "$T/err")"
		[ -z "$(ls -A "$OUT/ro")" ] || fail "left in the read-only directory: $(ls -A "$OUT/ro")"
	done
	ok "exit 1: -o in a read-only directory"
	rmdir "$OUT/ro"
	chmod 700 "$T"
else
	echo "# no unprivileged user to run as: read-only directory check skipped"
fi
no_leftovers

# stdout closed: writing the script there fails; with -o nothing goes to
# stdout, the file is written, and nothing leaks into it.
expect_ok -o "$OUT/ref.gp" "$RUN"
rc=0
$TRC "$RUN" >&- 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: stdout: write error: Bad file descriptor" ] ||
	fail "stdout closed: exit $rc: $(cat "$T/err")"
ok "exit 1: stdout closed"
rc=0
$TRC -o "$OUT/closed.gp" "$RUN" >&- 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "-o with stdout closed: exit $rc: $(cat "$T/err")"
cmp -s "$OUT/ref.gp" "$OUT/closed.gp" || fail "-o with stdout closed: the script differs"
ok "-o with stdout closed"
rm -f "$OUT/ref.gp" "$OUT/closed.gp"
no_leftovers

# ---------------------------------------------------------------- gnuplot faults

# gnuplot missing: the default one on PATH gets the install hint; one named
# by TRCOMPARE_GNUPLOT is named, with the variable.
mkdir "$T/emptybin"
rc=0
PATH="$T/emptybin" "$PROG" -o "$OUT/chart.png" "$RUN" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: gnuplot not found; install it (Debian: apt-get install gnuplot-nox)" ] ||
	fail "no gnuplot on PATH: exit $rc: $(cat "$T/err")"
ok "exit 1: no gnuplot on PATH: the install hint"
no_leftovers
TRCOMPARE_GNUPLOT=/nonexistent/gnuplot
export TRCOMPARE_GNUPLOT
expect_fail 1 "trcompare-plot: TRCOMPARE_GNUPLOT=/nonexistent/gnuplot: No such file or directory" \
	-o "$OUT/chart.png" "$RUN"
no_leftovers
expect_fail 1 "trcompare-plot: TRCOMPARE_GNUPLOT=/nonexistent/gnuplot: No such file or directory" \
	-o "$OUT/chart.svg" "$RUN"
no_leftovers

# gnuplot fails: its message is shown, no output file is left.
fake_gnuplot gp-fail 'echo "fake gnuplot: out of ink" >&2; exit 3'
TRCOMPARE_GNUPLOT=$T/gp-fail
expect_fail 1 "trcompare-plot: gnuplot failed (exit status 3): fake gnuplot: out of ink" \
	-o "$OUT/chart.png" "$RUN"
no_leftovers
expect_fail 1 "trcompare-plot: gnuplot failed (exit status 3): fake gnuplot: out of ink" \
	-o "$OUT/chart.svg" "$RUN"
no_leftovers

# gnuplot fails before it has read a script bigger than a pipe holds: its
# message, not a broken pipe.
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "{\"step\": %d, \"train_loss\": %.6f}\n", i, 1 + sin(i) / 3 }' >"$T/big.jsonl"
expect_fail 1 "trcompare-plot: gnuplot failed (exit status 3): fake gnuplot: out of ink" \
	--max-points=0 -o "$OUT/chart.png" "$T/big.jsonl"
no_leftovers
# ... or ends "successfully" without reading it.
fake_gnuplot gp-quit 'exit 0'
TRCOMPARE_GNUPLOT=$T/gp-quit
expect_fail 1 "trcompare-plot: gnuplot ended before reading all of its script" \
	--max-points=0 -o "$OUT/chart.png" "$T/big.jsonl"
no_leftovers

# gnuplot writes more on stderr than a pipe holds before it reads a script
# bigger than a pipe holds: both are drained, nothing deadlocks.
fake_gnuplot gp-chatty 'yes "fake gnuplot: warming up" | head -n 8000 >&2
exec "'"$REAL_GP"'" "$@"'
TRCOMPARE_GNUPLOT=$T/gp-chatty
rc=0
timeout 120 $TRC --max-points=0 -o "$OUT/chart.png" "$T/big.jsonl" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "a chatty gnuplot: exit $rc: $(head -c 300 "$T/err")"
[ "$(png_size "$OUT/chart.png")" = 1200x800 ] || fail "a chatty gnuplot: no chart"
# One line, cut (with an ellipsis) at 2000 characters.
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^trcompare-plot: warning: gnuplot: fake gnuplot: warming up fake gnuplot: warming up' "$T/err" &&
	grep -q 'warming up…$' "$T/err" || fail "a chatty gnuplot's warnings: $(head -c 300 "$T/err")"
ok "gnuplot writing 200 kB on stderr while reading a 1 MB script: no deadlock, the chart is drawn"
rm -f "$OUT/chart.png"
no_leftovers
TRCOMPARE_GNUPLOT=$T/gp-fail

# gnuplot fails after writing part of the output: still no file.
fake_gnuplot gp-partial 'out=$(sed -n "s/^set output \"\(.*\)\"$/\1/p" "$1" | head -n 1)
[ -n "$out" ] && printf "half a PNG" >"$out"
echo "fake gnuplot: died half-way" >&2; exit 1'
TRCOMPARE_GNUPLOT=$T/gp-partial
expect_fail 1 "trcompare-plot: gnuplot failed (exit status 1): fake gnuplot: died half-way" \
	-o "$OUT/chart.png" "$RUN"
no_leftovers

# gnuplot killed by a signal.
fake_gnuplot gp-killed 'kill -KILL $$'
TRCOMPARE_GNUPLOT=$T/gp-killed
expect_fail 1 "trcompare-plot: gnuplot was killed by signal 9" -o "$OUT/chart.png" "$RUN"
no_leftovers

# A real gnuplot error (a script gnuplot rejects) shows gnuplot's own lines.
fake_gnuplot gp-error 'printf "set terminal dumb\nplot sin(x) with nonsense\n" >"$TMPDIR/bad.gp"
cd "$TMPDIR" && "'"$REAL_GP"'" bad.gp; rc=$?; rm -f bad.gp; exit $rc'
TRCOMPARE_GNUPLOT=$T/gp-error
expect_fail 1 "trcompare-plot: gnuplot failed (exit status 1):
plot sin(x) with nonsense
                         ^
\"bad.gp\" line 2: unrecognized plot type" -o "$OUT/chart.png" "$RUN"
no_leftovers

# gnuplot that cannot be run (no execute permission, even for root).
printf 'not a program\n' >"$T/gp-noexec"
chmod 644 "$T/gp-noexec"
TRCOMPARE_GNUPLOT=$T/gp-noexec
expect_fail 1 "trcompare-plot: cannot run gnuplot '$T/gp-noexec': Permission denied" \
	-o "$OUT/chart.png" "$RUN"
no_leftovers

# Warnings on success are shown and the chart is written.
fake_gnuplot gp-warn 'echo "fake gnuplot: just a warning" >&2; exec "'"$REAL_GP"'" "$@"'
TRCOMPARE_GNUPLOT=$T/gp-warn
expect_ok -o "$OUT/chart.png" "$RUN"
[ "$(cat "$T/err")" = "trcompare-plot: warning: gnuplot: fake gnuplot: just a warning" ] ||
	fail "gnuplot's warning: $(cat "$T/err")"
[ "$(png_size "$OUT/chart.png")" = 1200x800 ] || fail "no chart with a warning"
ok "gnuplot's warnings are shown, the chart is written"
expect_ok -q -o "$OUT/chart.png" "$RUN"
[ ! -s "$T/err" ] || fail "-q shows gnuplot's warning: $(cat "$T/err")"
ok "-q silences gnuplot's warnings"
rm -f "$OUT/chart.png"
no_leftovers

# ---------------------------------------------------------------- time limit

# gnuplot_pids_gone: every process the fake gnuplots below recorded has
# been stopped.
gnuplot_pids_gone() {
	[ -s "$T/gp.pids" ] || fail "$1: the fake gnuplot did not start"
	for p in $(cat "$T/gp.pids"); do
		wait_for 10 gone "$p" || fail "$1: process $p still running"
	done
	rm -f "$T/gp.pids"
}
# A gnuplot that never answers the terminal query.
rm -f "$T/gp.pids"
printf '#!/bin/sh\nsleep 300 &\necho "$$ $!" >>"%s/gp.pids"\nwait\n' "$T" >"$T/gp-hang"
chmod +x "$T/gp-hang"
TRCOMPARE_GNUPLOT=$T/gp-hang
expect_fail 1 "trcompare-plot: gnuplot did not finish within 1 s (--gnuplot-timeout); stopped it" \
	--gnuplot-timeout=1 -o "$OUT/chart.png" "$RUN"
gnuplot_pids_gone "a hung terminal query"
no_leftovers
# One that answers, then hangs without reading its script (the script is
# bigger than a pipe holds) ...
fake_gnuplot gp-hang-start 'sleep 300 &
echo "$$ $!" >>"'"$T"'/gp.pids"
wait'
TRCOMPARE_GNUPLOT=$T/gp-hang-start
for ext in png svg; do
	expect_fail 1 "trcompare-plot: gnuplot did not finish within 1 s (--gnuplot-timeout); stopped it" \
		--gnuplot-timeout=1 --max-points=0 -o "$OUT/chart.$ext" "$T/big.jsonl"
	gnuplot_pids_gone "a gnuplot that reads no script"
	no_leftovers
done
# ... or reads it and then hangs (gnuplot looping on a time axis).
fake_gnuplot gp-hang-end 'cat "$1" >/dev/null
sleep 300 &
echo "$$ $!" >>"'"$T"'/gp.pids"
wait'
TRCOMPARE_GNUPLOT=$T/gp-hang-end
expect_fail 1 "trcompare-plot: gnuplot did not finish within 2 s (--gnuplot-timeout); stopped it" \
	--gnuplot-timeout=2 -o "$OUT/chart.png" "$RUN"
gnuplot_pids_gone "a gnuplot that hangs after its script"
no_leftovers
# A text chart on a terminal (gnuplot run on a script file) has the limit too.
if command -v script >/dev/null 2>&1; then
	rc=0
	TERM=dumb script -qec "$PROG --gnuplot-timeout=1 $RUN" /dev/null </dev/null >"$T/tty" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] && grep -q "^trcompare-plot: gnuplot did not finish within 1 s (--gnuplot-timeout); stopped it" "$T/tty" ||
		fail "a hung text chart: exit $rc: $(cat "$T/tty")"
	gnuplot_pids_gone "a hung text chart"
	no_leftovers
	ok "exit 1: a text chart on a terminal is stopped at the limit"
fi
# A slow gnuplot within the limit draws; 0 means no limit.
fake_gnuplot gp-late 'sleep 2; exec "'"$REAL_GP"'" "$@"'
TRCOMPARE_GNUPLOT=$T/gp-late
expect_fail 1 "trcompare-plot: gnuplot did not finish within 1 s (--gnuplot-timeout); stopped it" \
	--gnuplot-timeout=1 -o "$OUT/chart.png" "$RUN"
no_leftovers
expect_ok --gnuplot-timeout=0 -o "$OUT/chart.png" "$RUN"
[ "$(png_size "$OUT/chart.png")" = 1200x800 ] || fail "--gnuplot-timeout=0: no chart"
ok "--gnuplot-timeout=0: a gnuplot taking 2 s draws"
rm -f "$OUT/chart.png"
expect_ok --gnuplot-timeout=30 -o "$OUT/chart.png" "$RUN"
[ "$(png_size "$OUT/chart.png")" = 1200x800 ] || fail "--gnuplot-timeout=30: no chart"
ok "--gnuplot-timeout=30: a gnuplot taking 2 s draws"
rm -f "$OUT/chart.png"
no_leftovers
TRCOMPARE_GNUPLOT=$REAL_GP

# ---------------------------------------------------------------- signals

# gnuplot is started while the jobs are read; when they cannot be drawn it
# is stopped, with whatever it started.
fake_gnuplot gp-wait 'sleep 300 &
echo "$$ $!" >"'"$T"'/gp.pids.tmp"; mv "'"$T"'/gp.pids.tmp" "'"$T"'/gp.pids"
wait'
TRCOMPARE_GNUPLOT=$T/gp-wait
rm -f "$T/gp.pids"
printf '{"metrics": [{"step": 1,}]}' >"$T/bad.json"
slow_fifo="$T/slow.fifo"
mkfifo "$slow_fifo"
# The bad job arrives through a FIFO once gnuplot has started.
(wait_for 60 test -s "$T/gp.pids" && cat "$T/bad.json" >"$slow_fifo") &
writer=$!
expect_fail 1 "trcompare-plot: $slow_fifo: invalid JSON at line 1, column 25: unexpected character" \
	-o "$OUT/chart.png" "$slow_fifo"
wait "$writer" || fail "gnuplot was not started while the job was read"
for p in $(cat "$T/gp.pids"); do
	wait_for 10 gone "$p" || fail "a job that cannot be drawn left process $p running"
done
no_leftovers
ok "a failed job stops the gnuplot started for it"
TRCOMPARE_GNUPLOT=$REAL_GP

# SIGINT/SIGTERM while gnuplot renders: no temporary file, no output and no
# gnuplot (nor anything it started) left running.  The fake gnuplot reads
# its whole script, starts a child of its own and waits; the signal must
# reach both.  Background jobs
# of a non-interactive shell ignore SIGINT: env restores the default.
fake_gnuplot gp-slow 'cat "$1" >/dev/null
sleep 300 &
echo "$$ $!" >"'"$T"'/gp.pids.tmp"; mv "'"$T"'/gp.pids.tmp" "'"$T"'/gp.pids"
wait'
TRCOMPARE_GNUPLOT=$T/gp-slow
for sig in INT:2 TERM:15; do
	signum=${sig#*:} sig=${sig%:*}
	rm -f "$T/gp.pids"
	env --default-signal=INT $TRC -o "$OUT/chart.png" "$RUN" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_for 60 test -s "$T/gp.pids" || fail "the slow gnuplot did not start"
	kill -s "$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	want=$((128 + signum))
	[ "$rc" -eq "$want" ] || fail "SIG$sig during a render: exit $rc, want $want; $(cat "$T/err")"
	for p in $(cat "$T/gp.pids"); do
		wait_for 10 gone "$p" || fail "SIG$sig during a render left process $p running"
	done
	[ ! -s "$T/err" ] || fail "SIG$sig: unexpected message: $(cat "$T/err")"
	no_leftovers
	ok "SIG$sig during a render: killed by SIG$sig, no gnuplot and no files left"
done
TRCOMPARE_GNUPLOT=$REAL_GP

# ---------------------------------------------------------------- odd inputs

# stdin closed with JOB "-".
rc=0
$TRC - <&- >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: -: read error: Bad file descriptor" ] ||
	fail "stdin closed: exit $rc: $(cat "$T/err")"
ok "exit 1: JOB - with stdin closed"
# ... also after another JOB whose file might take descriptor 0.
rc=0
$TRC "$RUN" - <&- >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: -: read error: Bad file descriptor" ] ||
	fail "stdin closed after a file: exit $rc: $(cat "$T/err")"
ok "exit 1: JOB - with stdin closed, after a file"
# stdin closed does not matter when no JOB reads it (gnuplot included).
rc=0
$TRC -o "$OUT/chart.png" "$RUN" <&- >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] || fail "-o with stdin closed: exit $rc: $(cat "$T/err")"
rm -f "$OUT/chart.png"
ok "a render with stdin closed"

# A JOB that is a directory.
mkdir "$T/adir"
expect_fail 1 "trcompare-plot: $T/adir: $NO_RUN_DIR" "$T/adir"

# A JOB that is a FIFO is read like a pipe.
expect_ok "$RUN"
mv "$T/out" "$T/want.gp"
mkfifo "$T/fifo"
cat "$RUN" >"$T/fifo" &
expect_ok "$T/fifo"
wait
# The label comes from the file name, so compare with the name swapped.
sed "s/qwen-350m-lr1e-4/fifo/g" "$T/want.gp" >"$T/want2.gp"
grep -v '^# Generated' "$T/out" >"$T/got" || true
grep -v '^# Generated' "$T/want2.gp" >"$T/want" || true
if ! cmp -s "$T/got" "$T/want"; then
	# Labels may come from the body's job_id: then the scripts are equal.
	grep -v '^# Generated' "$T/want.gp" >"$T/want" || true
	cmp -s "$T/got" "$T/want" || fail "a FIFO JOB gives a different script"
fi
ok "a FIFO JOB reads like the file"
no_leftovers
