#!/bin/sh
# tests/watch.sh: logs still being written — a half-written last line —
# and --watch (charts redrawn as the jobs grow).
. "$(dirname "$0")/lib.sh"

# --- a half-written last line is never an error ---------------------------
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.5}\n{"step":3,"train_lo' >"$T/half.jsonl"
printf 'step,train_loss\n1,2\n2,1.5\n3,1.' >"$T/half.csv"
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.5}\n' >"$T/whole.jsonl"
printf 'step,train_loss\n1,2\n2,1.5\n' >"$T/whole.csv"
for f in half.jsonl half.csv; do
	expect_ok -S csv "$T/$f"
	printf '%s\n' "trcompare-plot: warning: $T/$f: ends mid-line (still being written?); the partial last line was not read" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "$f: stderr: $(cat "$T/err")"
	cp "$T/out" "$T/half.out"
	expect_ok -S csv "$T/whole.${f#half.}"
	sed "s/whole/half/g" "$T/out" | cmp -s - "$T/half.out" || fail "$f: not the rows before the partial line"
	ok "$f: read up to the last whole line, one warning"
done
# Pinned with its exit status: the rows before the cut are drawn.
expect_fail 0 "trcompare-plot: warning: $T/half.jsonl: ends mid-line (still being written?); the partial last line was not read" \
	--data "$T/half.jsonl"
# A document cut on its first line, or a JSON array, is still truncated.
printf '{"step":1,"train_lo' >"$T/first.jsonl"
expect_fail 1 "trcompare-plot: $T/first.jsonl: unexpected end of input (truncated JSON?) at line 1, column 20" \
	--data "$T/first.jsonl"
printf '[{"step":1},\n{"st' >"$T/arr.json"
expect_fail 1 "trcompare-plot: $T/arr.json: unexpected end of input (truncated JSON?) at line 2, column 5" \
	--data "$T/arr.json"

# --- usage -----------------------------------------------------------------
try="Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information."
expect_fail 64 "trcompare-plot: --watch needs -o FILE, or a terminal on stdout (a text chart or -S)" \
	--watch "$T/whole.jsonl"
expect_fail 64 "trcompare-plot: --watch redraws -o FILE and -d DIR, or a text chart or -S on a terminal; not --data, --list-jobs, or -S with -o
$try" -w -S -o "$T/w.png" "$T/whole.jsonl"
expect_fail 64 "trcompare-plot: --watch redraws -o FILE and -d DIR, or a text chart or -S on a terminal; not --data, --list-jobs, or -S with -o
$try" -w --data "$T/whole.jsonl"
expect_fail 64 "trcompare-plot: --watch: '0.1' is not a number of seconds from 0.2 to 86400
$try" --watch=0.1 -o "$T/w.png" "$T/whole.jsonl"
expect_fail 64 "trcompare-plot: --watch-forever goes with --watch
$try" --watch-forever -o "$T/w.png" "$T/whole.jsonl"
# The first read is as without --watch: a missing job ends it.
expect_fail 1 "trcompare-plot: $T/missing.jsonl: No such file or directory" -w0.2 -o "$T/w.png" "$T/missing.jsonl"

need_gnuplot

# png_ok FILE...: each a whole PNG (signature, every chunk's CRC, IHDR
# first, IEND last); names the first that is not.
png_ok() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
for f in sys.argv[1:]:
    d = open(f, 'rb').read()
    try:
        assert d[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
        i, kinds = 8, []
        while i < len(d):
            n, = struct.unpack('>I', d[i:i + 4]); k = d[i + 4:i + 8]; body = d[i + 8:i + 8 + n]
            crc, = struct.unpack('>I', d[i + 8 + n:i + 12 + n])
            assert len(body) == n and zlib.crc32(k + body) == crc, 'chunk %r' % k
            kinds.append(k); i += 12 + n
        assert kinds[0] == b'IHDR' and kinds[-1] == b'IEND' and i == len(d), 'layout'
    except Exception as e:
        sys.exit('%s: %s' % (f, e))
PY
}

# --- a writer appends while --watch -o redraws --------------------------------
D="$T/live"
mkdir "$D"
printf '{"step":0,"train_loss":3,"learning_rate":0.001}\n' >"$D/a.jsonl"
printf 'step,train_loss,val_loss\n0,3.2,\n' >"$D/b.csv"
start_watch "$T/watch.log" -v --watch=0.2 -o "$D/out.png" "$D/a.jsonl" "$D/b.csv"
wait_for 60 test -s "$D/out.png" || fail "no first chart: $(cat "$T/watch.log")"
# Copies of the chart as it changes, taken while the writer writes.
mkdir "$T/shots"
(
	n=0
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		cp "$D/out.png" "$T/shots/$n.png" 2>/dev/null || true
		sleep 0.05
	done
) &
spid=$!
i=1
while [ "$i" -le 12 ]; do
	loss=$(awk "BEGIN{print 3 / (1 + $i / 4)}")
	# Half a line, a pause (a redraw may come meanwhile), then the rest.
	printf '{"step":%d,"train_loss":%s,' "$((i * 10))" "$loss" >>"$D/a.jsonl"
	printf '%d,%s' "$((i * 10))" "$loss" >>"$D/b.csv"
	sleep 0.3
	printf '"learning_rate":0.001}\n' >>"$D/a.jsonl"
	if [ $((i % 4)) -eq 0 ]; then printf ',%s\n' "$loss" >>"$D/b.csv"; else printf ',\n' >>"$D/b.csv"; fi
	sleep 0.2
	i=$((i + 1))
done
# The final data, drawn cold: the watch must come to the same bytes.
$TRC "$D/a.jsonl" "$D/b.csv" -o "$T/cold.png" 2>"$T/cold.err" || fail "cold render: $(cat "$T/cold.err")"
wait_for 60 cmp -s "$D/out.png" "$T/cold.png" || fail "the watched chart never became the cold render: $(cat "$T/watch.log")"
touch "$T/stop"
wait "$spid"
nshots=$(ls "$T/shots" | wc -l)
png_ok "$T/shots"/*.png || fail "an intermediate chart is not a whole PNG"
ndistinct=$(cksum "$T/shots"/*.png | awk '{print $1}' | sort -u | wc -l)
[ "$ndistinct" -ge 3 ] || fail "the chart was redrawn $ndistinct times while the writer wrote"
ok "--watch -o: $nshots copies, $ndistinct distinct charts, each a whole PNG; the last equals a cold render"
grep -q 'ends mid-line' "$T/watch.log" && fail "a watch warned about a partial line"
ok "a watch reads partial lines later, without a warning"

# Nothing changed: nothing is drawn again.
wait_for 20 grep -q 'watch: no job changed' "$T/watch.log" || fail "no idle round: $(cat "$T/watch.log")"
before=$(grep -c 'drawing again' "$T/watch.log")
stamp=$(stat -c %Y.%i "$D/out.png")
sleep 1.5
[ "$(grep -c 'drawing again' "$T/watch.log")" -eq "$before" ] || fail "redrawn without a change"
[ "$(stat -c %Y.%i "$D/out.png")" = "$stamp" ] || fail "out.png rewritten without a change"
ok "no job changed: the chart is not redrawn"

# A read failure is reported and retried; it never ends the watch.
mv "$D/a.jsonl" "$D/a.saved"
wait_for 20 grep -q "a.jsonl: No such file or directory (reading it again in 0.2 s)" "$T/watch.log" ||
	fail "no message for a missing file: $(cat "$T/watch.log")"
grep "a.jsonl: No such" "$T/watch.log" | head -1 >"$T/got"
printf '%s\n' "trcompare-plot: $D/a.jsonl: No such file or directory (reading it again in 0.2 s)" | cmp -s - "$T/got" ||
	fail "message: $(cat "$T/got")"
kill -0 "$wpid" || fail "the watch ended on a read failure"
ok "a read failure during a watch: reported, retried"
# Said once, as tail -F says it, not at every round while it lasts.
idle() { grep -c '^trcompare-plot: watch: no job changed$' "$T/watch.log" || true; }
idle_since() { [ "$(idle)" -ge "$1" ]; }
wait_for 20 idle_since $(($(idle) + 4)) || fail "the watch stopped its rounds: $(tail -3 "$T/watch.log")"
[ "$(grep -c 'a.jsonl: No such file' "$T/watch.log")" -eq 1 ] ||
	fail "a failure said at every round: $(grep -c 'a.jsonl: No such file' "$T/watch.log") times"
ok "a read failure that lasts is said once"
# The file back, replaced (a new inode) and grown: read from the start.
cat "$D/a.saved" >"$D/a.new"
printf '{"step":130,"train_loss":0.5,"learning_rate":0.001}\n' >>"$D/a.new"
mv "$D/a.new" "$D/a.jsonl"
$TRC "$D/a.jsonl" "$D/b.csv" -o "$T/cold2.png" 2>/dev/null || fail "cold render 2"
wait_for 60 cmp -s "$D/out.png" "$T/cold2.png" || fail "a replaced file was not read again"
ok "a file replaced while watched is read from the start"
[ "$(grep -c "^trcompare-plot: watch: $D/a.jsonl read again\$" "$T/watch.log")" -eq 1 ] ||
	fail "the failure's end is not said once: $(tail -5 "$T/watch.log")"
ok "the end of a failure is said: watch: FILE read again"

# SIGTERM ends the watch as it ends the program: by the signal, with no
# gnuplot and no temporary file left behind.
kids=$(pgrep -P "$wpid" || true)
[ -n "$kids" ] || fail "no gnuplot session kept between rounds"
stop_watch TERM
[ "$wrc" -eq 143 ] || fail "SIGTERM: exit $wrc, want 143"
for k in $kids; do wait_for 10 gone "$k" || fail "gnuplot $k left running"; done
ls -a "$D" | grep -q '^\.trc' && fail "a temporary file was left: $(ls -a "$D")"
png_ok "$D/out.png" || fail "out.png damaged"
ok "SIGTERM: status 143, no gnuplot, no temporary file, the chart whole"

# SIGINT (Ctrl-C) the same: status 130.  (A shell starts background jobs
# with SIGINT ignored; env gives it back its default action.)
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1}\n' >"$D/c.jsonl"
env --default-signal=INT $TRC --watch=0.2 -o "$D/c.png" "$D/c.jsonl" 2>"$T/int.log" &
wpid=$!
bg_started "$wpid"
wait_for 60 test -s "$D/c.png" || fail "no chart: $(cat "$T/int.log")"
kids=$(pgrep -P "$wpid" || true)
stop_watch INT
[ "$wrc" -eq 130 ] || fail "SIGINT: exit $wrc, want 130"
for k in $kids; do wait_for 10 gone "$k" || fail "gnuplot $k left running"; done
ls -a "$D" | grep -q '^\.trc' && fail "a temporary file was left: $(ls -a "$D")"
[ ! -s "$T/int.log" ] || fail "SIGINT: stderr: $(cat "$T/int.log")"
ok "SIGINT: status 130, no gnuplot, no temporary file, nothing said"

# -k: a job that never read well and fails again changes nothing: the
# chart is not drawn again at every round while it fails.
start_watch "$T/k.log" -v -k --watch=0.2 -o "$D/k.png" "$D/c.jsonl" "$D/none.jsonl"
kidle() { [ "$(grep -c '^trcompare-plot: watch: no job changed$' "$T/k.log")" -ge 4 ]; }
wait_for 20 kidle || fail "-k: a job failing still is a change: $(tail -3 "$T/k.log")"
! grep -q 'drawing again' "$T/k.log" || fail "-k: drawn again while a job failed: $(cat "$T/k.log")"
stop_watch TERM
ok "-k: a job that fails again and again changes nothing"

# --- API jobs: the watch ends when the job list says every job finished ------
need_testd
S="$T/api"
mkdir "$S"
# The server reads its fixtures at every request: the test grows the job's
# metrics and flips its status by rewriting them, whole (put: a request
# that came while `>` had emptied one would be an error, said on stderr).
printf '{"job_id":"j1","metrics":[{"step":1,"train_loss":2},{"step":2,"train_loss":1.8}]}' >"$S/j1.json"
printf '[{"id":"j1","model_name":"live-model","status":"running","created_at":"2026-01-01T00:00:00Z"}]' >"$S/jobs.json"
start_testd "$S" "$T/port" "$T/api.log"
start_watch "$T/api-watch.log" --url="$URL" --watch=0.2 -o "$S/out.png" j1
wait_for 60 test -s "$S/out.png" || fail "no first chart: $(cat "$T/api-watch.log")"
sleep 1
kill -0 "$wpid" || fail "the watch ended while the job runs: $(cat "$T/api-watch.log")"
printf '{"job_id":"j1","metrics":[{"step":1,"train_loss":2},{"step":2,"train_loss":1.8},{"step":3,"train_loss":1.1}]}' | put "$S/j1.json"
printf '[{"id":"j1","model_name":"live-model","status":"completed","created_at":"2026-01-01T00:00:00Z"}]' | put "$S/jobs.json"
i=0
while ! gone "$wpid"; do
	i=$((i + 1))
	[ "$i" -lt 300 ] || fail "the watch did not end when the job completed: $(cat "$T/api-watch.log")"
	sleep 0.1
done
wrc=0
wait "$wpid" || wrc=$?
[ "$wrc" -eq 0 ] || fail "the watch of a completed job: exit $wrc: $(cat "$T/api-watch.log")"
printf '%s\n' "trcompare-plot: every job has finished; the watch ends" | cmp -s - "$T/api-watch.log" ||
	fail "stderr: $(cat "$T/api-watch.log")"
$TRC --url="$URL" -o "$T/api-cold.png" j1 2>/dev/null || fail "cold render of j1"
cmp -s "$S/out.png" "$T/api-cold.png" || fail "the last chart is not the job's final data"
ok "API job: the watch draws once more and exits 0 when the job list says completed"

# --watch-forever goes on.
start_watch "$T/forever.log" --url="$URL" --watch=0.2 --watch-forever -o "$S/f.png" j1
wait_for 60 test -s "$S/f.png" || fail "no chart: $(cat "$T/forever.log")"
sleep 1
kill -0 "$wpid" || fail "--watch-forever ended: $(cat "$T/forever.log")"
stop_watch TERM
ok "--watch-forever: goes on after every job finished"
kill "$tpid"
wait "$tpid" || true

# --- conditional requests: a job that did not change costs a 304 ----------
for mode in etag date; do
	: >"$T/$mode.log"
	start_testd "$S" "$T/$mode.port" "$T/$mode.log" --validators="$mode"
	start_watch "$T/cond.log" -v --url="$URL" --watch=0.2 --watch-forever -o "$S/c.png" j1
	wait_for 60 test -s "$S/c.png" || fail "no first chart: $(cat "$T/cond.log")"
	header=$([ "$mode" = etag ] && echo If-None-Match || echo If-Modified-Since)
	wait_for 30 sh -c "[ \$(grep -c '^	$header: ' '$T/$mode.log') -ge 3 ]" ||
		fail "$mode: no conditional requests: $(cat "$T/$mode.log")"
	# (The server logs a request as it comes, the watch says the answer
	# later: the third 304 may not be said yet.)
	wait_for 30 sh -c "[ \$(grep -c 'HTTP 304, not modified' '$T/cond.log') -ge 3 ]" ||
		fail "$mode: $(grep -c 'HTTP 304, not modified' "$T/cond.log" || true) answers 304"
	grep -q 'drawing again' "$T/cond.log" && fail "$mode: redrawn on a 304"
	ok "conditional requests ($header): $(grep -c "^	$header: " "$T/$mode.log") sent, the server's 304 skips the redraw"
	if [ "$mode" = etag ]; then
		printf '{"job_id":"j1","metrics":[{"step":1,"train_loss":2},{"step":2,"train_loss":1.8},{"step":3,"train_loss":1.1},{"step":4,"train_loss":0.9}]}' | put "$S/j1.json"
		wait_for 30 grep -q 'drawing again' "$T/cond.log" || fail "a changed job was not redrawn: $(cat "$T/cond.log")"
		ok "a changed job (a new ETag) is drawn again"
	fi
	stop_watch TERM
	kill "$tpid"
	wait "$tpid" || true
done

# --- a text chart and -S on a terminal: redrawn in place ----------------------
command -v script >/dev/null 2>&1 || skip "script(1) not installed"
# draws: how many times the screen was cleared and drawn in $T/tty.out.
draws() { grep -o '\[H' "$T/tty.out" | wc -l; }
redrawn() { [ "$(draws)" -ge 2 ]; }
for what in chart summary; do
	printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.5}\n' >"$D/t.jsonl"
	extra=$([ "$what" = summary ] && echo -S || echo -tdumb)
	rm -f "$T/tty.out" "$T/tty.pid"
	# script(1) gives the program a terminal; SIGINT once it has drawn a
	# row appended (not after a fixed time: under valgrind or a loaded
	# machine the rounds are slower), through timeout (a safety net).
	( unset DISPLAY WAYLAND_DISPLAY
	  script -qfec "echo \$\$ >'$T/tty.pid'; exec env --default-signal=INT timeout -s INT 120 $TRC --watch=0.2 $extra $D/t.jsonl" \
		"$T/tty.out" >/dev/null 2>&1 ) &
	spid=$!
	bg_started "$spid"
	# (The alternate screen comes after the first read of the job.)
	wait_for 30 grep -q '1049h' "$T/tty.out" || fail "$what: nothing drawn"
	printf '{"step":3,"train_loss":0.5}\n' >>"$D/t.jsonl"
	wait_for 60 redrawn || fail "$what: not redrawn: $(cat "$T/tty.out")"
	kill -INT "$(cat "$T/tty.pid")"
	wait "$spid" || true
	out=$(cat "$T/tty.out")
	on=$(printf '\033[?1049h')
	off=$(printf '\033[?1049l')
	case $out in *"$on"*) ;; *) fail "$what: no alternate screen: $out" ;; esac
	case $out in *"$off"*) ;; *) fail "$what: the screen was not restored: $out" ;; esac
	# Restored after the last drawing.
	last=$(printf '%s' "$out" | tr -d '\r' | awk -v on="$on" -v off="$off" '{ if (index($0, off)) s = "off"; else if (index($0, on)) s = "on" } END { print s }')
	[ "$last" = off ] || fail "$what: the alternate screen is still on at the end"
	ok "--watch $extra on a terminal: the alternate screen, redrawn, restored on SIGINT"
done

# --- every output follows: several -o, --summary-output, --report; HTML
# pages reload themselves --------------------------------------------------
E="$T/every"
mkdir "$E"
printf '{"step":1,"train_loss":2}\n' >"$E/e.jsonl"
start_watch "$T/every.log" --watch=0.5 --title 'live <run>' -o "$E/a.png" -o "$E/b.html" -S csv \
	--summary-output "$E/s.csv" --report "$E/r.html" "$E/e.jsonl"
wait_for 60 test -s "$E/r.html" || fail "--watch: no first report: $(cat "$T/every.log")"
# stdout was closed after the first chart: descriptor 1 now holds /dev/null.
[ "$(readlink "/proc/$wpid/fd/1" 2>/dev/null)" = /dev/null ] ||
	fail "--watch: descriptor 1 after the first chart: $(readlink "/proc/$wpid/fd/1" 2>&1)"
grep -q '<meta http-equiv="refresh" content="1">' "$E/r.html" || fail "--watch: the report does not reload itself"
grep -q '<meta http-equiv="refresh" content="1">' "$E/b.html" || fail "--watch: the canvas page does not reload itself"
grep -q '<title>live &lt;run&gt;</title>' "$E/b.html" || fail "--watch: the canvas page's title: $(grep -i '<title' "$E/b.html")"
printf '{"step":2,"train_loss":1}\n{"step":3,"train_loss":0.5}\n' >>"$E/e.jsonl"
wait_for 60 grep -q '^e,,3,3,' "$E/s.csv" || fail "--watch: --summary-output not rewritten: $(cat "$E/s.csv")"
wait_for 60 grep -q '>3<' "$E/r.html" || fail "--watch: the report was not rewritten"
expect_ok -o "$E/cold.png" --title 'live <run>' "$E/e.jsonl"
wait_for 60 cmp -s "$E/a.png" "$E/cold.png" || fail "--watch: the first -o is not the cold chart of the new rows"
stop_watch TERM
[ "$wrc" -eq 143 ] || fail "--watch with every output: exit $wrc: $(cat "$T/every.log")"
ls -a "$E" | grep -q '^\.trc' && fail "a temporary file was left: $(ls -a "$E")"
ok "--watch: every -o, --summary-output and --report rewritten; HTML pages reload themselves"

# --- review fixes: what a watch refuses and what it writes without a terminal
expect_fail 64 "trcompare-plot: --watch: -o - is not redrawn; name a file
$try" --watch -t svg -o - "$T/whole.jsonl"
F="$T/files"
mkdir "$F"
printf '{"step":1,"train_loss":2}\n' >"$F/f.jsonl"
# stdout not a terminal, no -o: -S goes to its file, the report is written
# at once, and nothing is drawn on stdout (no terminal escapes).
start_watch "$T/files.log" --watch=0.3 -S csv --summary-output "$F/s.csv" --report "$F/r.html" "$F/f.jsonl" >"$F/stdout"
wait_for 60 test -s "$F/r.html" || fail "--watch with only files: no report at once: $(cat "$T/files.log")"
wait_for 60 test -s "$F/s.csv" || fail "--watch with only files: no --summary-output at once"
stop_watch TERM
[ ! -s "$F/stdout" ] || fail "--watch with only files wrote to stdout: $(od -c "$F/stdout" | head -3)"
ok "--watch -S --summary-output --report without a terminal: the files at once, stdout untouched"

# -d with --watch: DIR/watch.gp redraws compare.gp in a loop, for gnuplot
# alone (here on the text terminal, from another directory, for 3 s).
G="$T/gpw"
mkdir "$G" "$T/elsewhere"
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1}\n' >"$G/g.jsonl"
start_watch "$T/gpw.log" --watch=0.5 -d "$G/out" "$G/g.jsonl"
wait_for 60 test -s "$G/out/watch.gp" || fail "--watch -d: no watch.gp: $(cat "$T/gpw.log")"
grep -q '^while (1) { call trc_wdir."compare.gp"; pause 0.5 }$' "$G/out/watch.gp" || fail "--watch -d: watch.gp: $(cat "$G/out/watch.gp")"
rc=0
(cd "$T/elsewhere" && timeout 3 gnuplot -d -e 'set terminal dumb size 80,30' "$G/out/watch.gp") >"$T/gpw.out" 2>"$T/gpw.err" || rc=$?
[ "$rc" -eq 124 ] || fail "watch.gp ended by itself (exit $rc): $(cat "$T/gpw.err")"
[ "$(tr -cd '\f' <"$T/gpw.out" | wc -c)" -ge 2 ] || fail "watch.gp drew fewer than 2 charts in 3 s: $(head -c 300 "$T/gpw.err")"
stop_watch TERM
ok "--watch -d DIR: DIR/watch.gp, a loop gnuplot runs alone, redraws the chart"
