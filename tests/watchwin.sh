#!/bin/sh
# tests/watchwin.sh: --watch in a window, for real.  Under a virtual X
# server (Xvfb), with stdout a terminal (script(1) gives it a pty) and
# DISPLAY set, `trcompare-plot --watch JOB` keeps one gnuplot window open
# and redraws it in place as the job grows; a zoom of a single-panel chart
# is kept across a refresh, `a` returns to the chart's ranges, closing the
# window ends the watch with status 0 and Ctrl-C ends it as a signal does,
# each leaving no gnuplot and no temporary file behind.  Needs Xvfb,
# xdotool, ImageMagick and an X-capable gnuplot (Debian: xvfb xdotool
# imagemagick gnuplot-x11); skipped (77) when one is missing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

need_tools Xvfb xdotool import compare script python3
# An X-capable gnuplot and a private X server (lib.sh); on exit the
# program (prog_pid) and the server are ended.
find_x_gnuplot
start_xvfb
TRCOMPARE_GNUPLOT=$GP
export TRCOMPARE_GNUPLOT
# The watch's temporary scripts go here: it must be empty at the end.
mkdir "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR

# rows FILE FIRST LAST: JSON Lines rows FIRST..LAST of a falling loss.
rows() {
	python3 - "$@" <<'PY'
import json, sys
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, 'a') as f:
    for i in range(first, last + 1):
        f.write(json.dumps({"step": i, "train_loss": round(3.0 / (1 + i * 0.05), 6),
                            "eval_loss": round(3.2 / (1 + i * 0.05), 6)}) + "\n")
PY
}

# start ARGS...: the program in script(1)'s pty, in the background; the
# shell there prints its exit status.  (script runs it through a shell:
# each word quoted.)
start() {
	cmd=
	# A command started with & from a script ignores SIGINT, and so would
	# the program: python3 sets it back to the default first, as a
	# terminal's Ctrl-C finds it.
	for w in python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' $TRC "$@"; do
		cmd="$cmd '$(printf '%s' "$w" | sed "s/'/'\\\\''/g")'"
	done
	script -qec "$cmd; echo \"status=\$?\"" /dev/null </dev/null >"$T/tty.out" 2>&1 &
	prog_pid=$!
}
find_window() {
	win=$(xdotool search --onlyvisible --name '^(Gnuplot|watch )' 2>/dev/null | head -n 1)
	[ -n "$win" ]
}
# shot NAME: a screenshot of the window the same as one 0.4 s before
# (drawing has finished), in $T/NAME.png; without the status bar at the
# bottom (wxt shows the mouse's coordinates there).  The window is looked
# up again each time (as window.sh does: wxt may replace its window, and
# every import of a stale id fails).
shot() {
	rm -f "$T/prev.png"
	[ ! -f "$T/$1.png" ] || mv "$T/$1.png" "$T/prev.png"
	sleep 0.4
	find_window || return 1
	timeout 10 import -window "$win" "$T/raw.png" 2>/dev/null || return 1
	convert "$T/raw.png" -gravity South -chop 0x30 "$T/$1.png" || return 1
	[ -f "$T/prev.png" ] && same "$T/$1.png" "$T/prev.png"
}
same() { [ "$(compare -metric AE "$1" "$2" null: 2>&1)" = 0 ]; }
# The pixels of the job's colour (the first job's, #2563eb).
blue() {
	convert "$1" -format %c histogram:info:- |
		awk 'toupper($0) ~ /#2563EB/ { sub(":", "", $1); n += $1 } END { print n + 0 }'
}
draws() { grep -c 'drawing again' "$T/tty.out" || true; }
gnuplots() {
	gp_pids=
	for p in $(descendants "$prog_pid"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in gnuplot*) gp_pids="$gp_pids $p" ;; esac
	done
	[ -n "$gp_pids" ]
}
exited() { ! kill -0 "$prog_pid" 2>/dev/null; }

# --- one panel: the zoom is kept across a refresh ------------------------
rows "$T/run.jsonl" 1 200
start -v -w0.3 -m loss "$T/run.jsonl"
wait_for 30 find_window || fail "no gnuplot window appeared; output: $(cat "$T/tty.out")"
wait_for 30 shot full || fail "the window never settled"
[ "$(blue "$T/full.png")" -gt 200 ] || fail "the window does not show the job's curve"
gnuplots || fail "no gnuplot behind the window"
ok "--watch with a display and a terminal: a window ($win)"

# Zoom as a user does: right-click, move, right-click (again until it
# took: the first click may come before the window listens).
zoom() {
	xdotool mousemove --window "$win" 300 250 click 3 >/dev/null 2>&1
	sleep 0.3
	xdotool mousemove --window "$win" 600 450 click 3 >/dev/null 2>&1
	sleep 0.5
	tries=0
	until shot zoom; do
		tries=$((tries + 1))
		[ "$tries" -lt 10 ] || return 1
	done
	! same "$T/zoom.png" "$T/full.png"
}
attempts=0
until zoom; do
	attempts=$((attempts + 1))
	[ "$attempts" -lt 5 ] || fail "the window did not zoom"
done
ok "the window zoomed"

# Rows past the zoomed range: a refresh draws, and the zoom stays.
ndraws=$(draws)
rows "$T/run.jsonl" 201 400
redrawn() { [ "$(draws)" -gt "$ndraws" ]; }
wait_for 20 redrawn || fail "no redraw after rows were added: $(cat "$T/tty.out")"
sleep 1
wait_for 20 shot after || fail "the window never settled after the redraw"
same "$T/after.png" "$T/zoom.png" || fail "the zoom was lost at the redraw"
ok "the zoom is kept across a refresh"
# (Waited for: the rows came in more than one write, and the redraw seen
# above may have read only the first.)
title_is() {
	title=$(xdotool getwindowname "$win" 2>/dev/null) || return 1
	printf '%s\n' "$title" | grep -Eq "$1"
}
wait_for 20 title_is '^watch [0-2][0-9]:[0-5][0-9]:[0-6][0-9]: run 400 rows$' ||
	fail "the window's title is not the status line: $title"
ok "the window's title is the status line ($title)"

# `a`: the chart's own ranges again, now with the new rows.
xdotool windowfocus --sync "$win" >/dev/null 2>&1 || true
xdotool key --window "$win" a >/dev/null 2>&1
unzoomed() { shot back && ! same "$T/back.png" "$T/zoom.png" && ! same "$T/back.png" "$T/full.png"; }
wait_for 20 unzoomed || fail "'a' did not return to the chart's ranges"
[ "$(blue "$T/back.png")" -gt 200 ] || fail "after 'a' the curve does not show"
ok "'a' returns to the chart's ranges"

# Closing the window ('q', as a user would) ends the watch: status 0.
press_q() {
	exited && return 0
	if find_window; then
		xdotool windowfocus --sync "$win" >/dev/null 2>&1 || true
		xdotool key --window "$win" q >/dev/null 2>&1 || true
	fi
	sleep 1
	exited
}
wait_for 30 press_q || fail "the watch did not end when the window was closed: $(cat "$T/tty.out")"
prog_pid=
grep -q '^status=0' "$T/tty.out" || fail "exit status after closing the window: $(cat "$T/tty.out")"
grep -q '^trcompare-plot: the window was closed; the watch ends' "$T/tty.out" ||
	fail "no note that the watch ended: $(cat "$T/tty.out")"
ok "closing the window ends the watch with status 0"
for p in $gp_pids; do
	wait_for 10 gone "$p" || fail "gnuplot ($p) still running after the window was closed"
done
[ -z "$(ls -A "$T/tmp")" ] || fail "left in TMPDIR: $(ls -A "$T/tmp")"
ok "no gnuplot and no temporary file left"

# --- several panels: redrawn in place ------------------------------------
# A hostile name: it reaches the window's title quoted, inert.
hostile='m`touch pwned`"q'"'"'@$x'
M="$T/$hostile.jsonl"
rows "$M" 1 50
start -v -w0.3 -q "$M"
wait_for 30 find_window || fail "no window for the multiplot: $(cat "$T/tty.out")"
wait_for 30 shot m1 || fail "the multiplot window never settled"
gnuplots || fail "no gnuplot behind the multiplot window"
ndraws=$(draws)
rows "$M" 51 400
wait_for 20 redrawn || fail "no redraw of the multiplot: $(cat "$T/tty.out")"
sleep 1
wait_for 20 shot m2 || fail "the multiplot window never settled after the redraw"
same "$T/m1.png" "$T/m2.png" && fail "the multiplot was not redrawn with the new rows"
ok "several panels: redrawn in place"
hostile_title() {
	title=$(xdotool getwindowname "$win" 2>/dev/null) || return 1
	[ "$title" = "$(printf 'watch %s: %s 400 rows' "$(printf '%s' "$title" | cut -c7-14)" "$hostile")" ]
}
wait_for 20 hostile_title || fail "the window's title with a hostile name: $title"
[ ! -e pwned ] || fail "a name in the window's title ran a command"
ok "a hostile name in the window's title: quoted ($title)"

# Ctrl-C (SIGINT to the program) ends the watch as a signal does (130).
prog=$(for p in $(descendants "$prog_pid"); do
	case $(cat "/proc/$p/comm" 2>/dev/null) in trcompare-plot | memcheck*) echo "$p" ;; esac
done | head -n 1)
[ -n "$prog" ] || fail "no trcompare-plot process under script(1)"
kill -INT "$prog"
wait_for 20 exited || fail "SIGINT did not end the watch"
prog_pid=
grep -q '^status=130' "$T/tty.out" || fail "exit status after SIGINT: $(cat "$T/tty.out")"
for p in $gp_pids; do
	wait_for 10 gone "$p" || fail "gnuplot ($p) still running after SIGINT"
done
[ -z "$(ls -A "$T/tmp")" ] || fail "left in TMPDIR after SIGINT: $(ls -A "$T/tmp")"
ok "SIGINT ends the watch (status 130), no gnuplot and no temporary file left"
# A window whose gnuplot dies (killed here; a crash or an error alike) is
# a failure (status 1), not a closed window.
rows "$T/k.jsonl" 1 50
start -w0.3 -m loss "$T/k.jsonl"
wait_for 30 find_window || fail "no window for the crash check; output: $(cat "$T/tty.out")"
wait_for 20 gnuplots || fail "no gnuplot behind the window"
kill -KILL $gp_pids
wait_for 20 exited || fail "the watch went on after its gnuplot died: $(cat "$T/tty.out")"
prog_pid=
grep -q '^status=1' "$T/tty.out" || fail "exit status after gnuplot died: $(cat "$T/tty.out")"
# Said either way: killed while drawing (the draw's error) or between
# charts (the watch's own line); never "closed".
grep -Eq "^trcompare-plot: (gnuplot's window ended with a failure; the watch ends|gnuplot was killed by signal 9)" "$T/tty.out" &&
	! grep -q 'the window was closed' "$T/tty.out" ||
	fail "a dead gnuplot reported as: $(cat "$T/tty.out")"
[ -z "$(ls -A "$T/tmp")" ] || fail "left in TMPDIR after gnuplot died: $(ls -A "$T/tmp")"
ok "a window whose gnuplot dies: status 1, said, nothing left"

