#!/bin/sh
# tests/watchlive.sh: --watch's status line (last read, rows per job, jobs
# still running) on a terminal's stderr, rewritten in place; not when
# stderr is redirected, not with -q.  script(1) gives the program a pty.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
command -v script >/dev/null 2>&1 || skip "script (util-linux) not installed"

# in_pty SECONDS OUT ARGS...: the program on a pty (stdout and stderr) for
# SECONDS, then SIGTERM; what it wrote in OUT, its status in $prc.
in_pty() {
	secs=$1 out=$2
	shift 2
	cmd=
	for w in $TRC "$@"; do
		cmd="$cmd '$(printf '%s' "$w" | sed "s/'/'\\\\''/g")'"
	done
	prc=0
	script -qec "timeout --preserve-status -s TERM $secs $cmd" /dev/null </dev/null >"$out" 2>&1 || prc=$?
}

D="$T/live"
mkdir "$D"
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.8}\n' >"$D/a.jsonl"
printf '{"step":1,"train_loss":2.1}\n' >"$D/b.jsonl"
# Rows added while the watch runs.
(sleep 2; printf '{"step":3,"train_loss":1.5}\n{"step":4,"train_loss":1.2}\n' >>"$D/a.jsonl") &
in_pty 5 "$T/tty.out" --watch=0.3 -o "$D/out.png" "$D/a.jsonl" "$D/b.jsonl"
wait
[ "$prc" -eq 143 ] || fail "exit $prc: $(cat "$T/tty.out")"
esc=$(printf '\033')
cr=$(printf '\r')
# line TEXT [FILE]: a status line "watch HH:MM:SS: TEXT" was written in place.
line() { grep -q -- "${cr}${esc}\[Kwatch [0-2][0-9]:[0-5][0-9]:[0-6][0-9]: $1" "${2:-$T/tty.out}"; }
line 'a 2 rows, b 1 row' || fail "no first status line: $(od -c "$T/tty.out" | head -10)"
line 'a 4 rows, b 1 row' || fail "the status line did not follow the rows: $(od -c "$T/tty.out" | head -20)"
ok "a status line on a terminal's stderr, rewritten in place: rows per job"

# Not when stderr is redirected; not with -q.
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1}\n' >"$D/c.jsonl"
rc=0
timeout --preserve-status -s TERM 2 $TRC --watch=0.3 -o "$D/c.png" "$D/c.jsonl" 2>"$T/err" || rc=$?
[ "$rc" -eq 143 ] && [ ! -s "$T/err" ] || fail "stderr redirected: exit $rc, stderr: $(od -c "$T/err" | head -5)"
in_pty 2 "$T/q.out" -q --watch=0.3 -o "$D/c.png" "$D/c.jsonl"
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
(sleep 3; printf '[{"id":"j1","model_name":"one","status":"completed","created_at":"2026-01-01T00:00:00Z"},{"id":"j2","model_name":"two","status":"completed","created_at":"2026-01-01T00:00:00Z"}]' >"$S/jobs.json") &
in_pty 30 "$T/api.out" --url="$URL" --watch=0.3 -o "$S/out.png" j1 j2
wait $!
[ "$prc" -eq 0 ] || fail "API watch: exit $prc: $(cat "$T/api.out")"
line 'one 2 rows, two 1 row; running: one' "$T/api.out" || fail "no running job in the status line: $(od -c "$T/api.out" | head -20)"
line 'one 2 rows, two 1 row; running: none' "$T/api.out" || fail "no 'running: none' at the end: $(od -c "$T/api.out" | head -30)"
tail -n 1 "$T/api.out" | tr -d '\r' | grep -q '^trcompare-plot: every job has finished; the watch ends$' ||
	fail "the last status line is not left before the last note: $(tail -n 2 "$T/api.out" | od -c | head)"
ok "API jobs: the status line says which are still running"
kill "$tpid" 2>/dev/null || true
