#!/bin/sh
# tests/watchlive.sh: --watch's status line (last read, rows per job, jobs
# still running) on a terminal's stderr, rewritten in place; not when
# stderr is redirected, not with -q.  script(1) gives the program a pty.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
command -v script >/dev/null 2>&1 || skip "script (util-linux) not installed"

# in_pty SECONDS OUT ARGS...: the program on a pty (stdout and stderr)
# until stop_pty, SIGTERM after SECONDS at most (a safety net); what it
# wrote in OUT, its status in $prc.
in_pty() {
	secs=$1 out=$2
	shift 2
	cmd=
	for w in $TRC "$@"; do
		cmd="$cmd '$(printf '%s' "$w" | sed "s/'/'\\\\''/g")'"
	done
	prc=0
	rm -f "$T/pty.pid"
	script -qec "echo \$\$ >'$T/pty.pid'; exec timeout --preserve-status -s TERM $secs $cmd" /dev/null </dev/null >"$out" 2>&1 || prc=$?
}
# stop_pty: SIGTERM to the program in_pty runs (through timeout, which
# passes it on), once it has started.
stop_pty() {
	wait_for 60 test -s "$T/pty.pid" && kill -TERM "$(cat "$T/pty.pid")"
}
esc=$(printf '\033')
cr=$(printf '\r')
# line TEXT [FILE]: a status line "watch HH:MM:SS: TEXT" was written in place.
line() { grep -qs -- "${cr}${esc}\[Kwatch [0-2][0-9]:[0-5][0-9]:[0-6][0-9]: $1" "${2:-$T/tty.out}"; }
# redrawn PNG CKSUM: PNG is there and no more the chart whose cksum is CKSUM.
redrawn() { [ -s "$1" ] && [ "$(cksum <"$1")" != "$2" ]; }
# grown JSONL PNG: waits for a first chart in PNG, appends a row to JSONL
# and waits until PNG is drawn again: the watch has done a round since.
grown() {
	wait_for 60 test -s "$2" || return 1
	sum=$(cksum <"$2")
	printf '{"step":3,"train_loss":0.5}\n' >>"$1"
	wait_for 60 redrawn "$2" "$sum"
}

D="$T/live"
mkdir "$D"
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.8}\n' >"$D/a.jsonl"
printf '{"step":1,"train_loss":2.1}\n' >"$D/b.jsonl"
# Rows added once the first status line is out, the watch ended once the
# status line has them (not after fixed times: the first chart and the
# rounds take longer under valgrind or on a loaded machine).
(
	wait_for 60 line 'a 2 rows, b 1 row' &&
		printf '{"step":3,"train_loss":1.5}\n{"step":4,"train_loss":1.2}\n' >>"$D/a.jsonl" &&
		wait_for 60 line 'a 4 rows, b 1 row'
	stop_pty
) &
in_pty 120 "$T/tty.out" --watch=0.3 -o "$D/out.png" "$D/a.jsonl" "$D/b.jsonl"
wait
[ "$prc" -eq 143 ] || fail "exit $prc: $(cat "$T/tty.out")"
line 'a 2 rows, b 1 row' || fail "no first status line: $(od -c "$T/tty.out" | head -10)"
line 'a 4 rows, b 1 row' || fail "the status line did not follow the rows: $(od -c "$T/tty.out" | head -20)"
ok "a status line on a terminal's stderr, rewritten in place: rows per job"

# Not when stderr is redirected; not with -q: after a round that drew a row
# appended (a status line would be out by then), SIGTERM.
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1}\n' >"$D/c.jsonl"
rm -f "$D/c.png"
rc=0
$TRC --watch=0.3 -o "$D/c.png" "$D/c.jsonl" 2>"$T/err" &
cpid=$!
bg_started "$cpid"
grown "$D/c.jsonl" "$D/c.png" || fail "stderr redirected: not drawn again: $(cat "$T/err")"
kill -TERM "$cpid"
wait "$cpid" || rc=$?
[ "$rc" -eq 143 ] && [ ! -s "$T/err" ] || fail "stderr redirected: exit $rc, stderr: $(od -c "$T/err" | head -5)"
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1}\n' >"$D/c.jsonl"
rm -f "$D/c.png"
(grown "$D/c.jsonl" "$D/c.png"; stop_pty) &
in_pty 120 "$T/q.out" -q --watch=0.3 -o "$D/c.png" "$D/c.jsonl"
wait
[ "$prc" -eq 143 ] && ! grep -q 'watch [0-9]' "$T/q.out" || fail "-q: exit $prc: $(od -c "$T/q.out" | head -5)"
ok "no status line when stderr is redirected, nor with -q"

# --- API jobs: which are still running ---------------------------------------
need_testd
S="$T/api"
mkdir "$S"
# The server reads its fixtures at every request.
printf '{"job_id":"j1","metrics":[{"step":1,"train_loss":2},{"step":2,"train_loss":1.8}]}' >"$S/j1.json"
printf '{"job_id":"j2","metrics":[{"step":1,"train_loss":2.5}]}' >"$S/j2.json"
printf '[{"id":"j1","model_name":"one","status":"running","created_at":"2026-01-01T00:00:00Z"},{"id":"j2","model_name":"two","status":"completed","created_at":"2026-01-01T00:00:00Z"}]' >"$S/jobs.json"
start_testd "$S" "$T/port" "$T/api.log"
# j1 completes once the status line has said it runs (put: the server
# would end on a job list read half-written).
(
	wait_for 60 line 'one 2 rows, two 1 row; running: one' "$T/api.out"
	printf '[{"id":"j1","model_name":"one","status":"completed","created_at":"2026-01-01T00:00:00Z"},{"id":"j2","model_name":"two","status":"completed","created_at":"2026-01-01T00:00:00Z"}]' | put "$S/jobs.json"
) &
in_pty 120 "$T/api.out" --url="$URL" --watch=0.3 -o "$S/out.png" j1 j2
wait $!
[ "$prc" -eq 0 ] || fail "API watch: exit $prc: $(cat "$T/api.out")"
line 'one 2 rows, two 1 row; running: one' "$T/api.out" || fail "no running job in the status line: $(od -c "$T/api.out" | head -20)"
line 'one 2 rows, two 1 row; running: none' "$T/api.out" || fail "no 'running: none' at the end: $(od -c "$T/api.out" | head -30)"
tail -n 1 "$T/api.out" | tr -d '\r' | grep -q '^trcompare-plot: every job has finished; the watch ends$' ||
	fail "the last status line is not left before the last note: $(tail -n 2 "$T/api.out" | od -c | head)"
ok "API jobs: the status line says which are still running"
kill "$tpid" 2>/dev/null || true
