# tests/lib.sh: shared set-up for the shell tests (sourced).
# Every test: set -eu, C locale, a private temporary directory removed on
# exit, helpers that pin messages and exit codes.  Exit 77 means "skipped".
set -eu
LC_ALL=C
export LC_ALL
# TRCOMPARE_GNUPLOT=PATH (an absolute path) runs the tests against that
# gnuplot: it becomes "gnuplot" first on PATH (below), for the tests'
# own gnuplot runs and the program's alike, and TRC_TEST_GNUPLOT keeps its
# path; the variable itself is unset, as tests set it to name fakes.
TRC_TEST_GNUPLOT=${TRCOMPARE_GNUPLOT:-}
unset TRCOMPARE_URL TRCOMPARE_TOKEN TRCOMPARE_GNUPLOT 2>/dev/null || true

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PROG="$top_builddir/trcompare-plot"
# What a directory holding no run is told (after "trcompare-plot: DIR: ").
NO_RUN_DIR='no run in this directory: no TensorBoard event files below it, not an MLflow store, experiment or run, not a W&B run directory, and no trainer_state.json, metrics.csv, trainer_log.jsonl or wandb-history.jsonl in it or the directories in it'
RUNS="$top_srcdir/examples/runs"
DATA="$top_srcdir/tests/data"
# Run the program under valgrind when asked (make check-valgrind).
TRC="$PROG"
if [ -n "${TRC_VALGRIND:-}" ]; then
	TRC="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect $PROG"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/trc-test.XXXXXX")
# Background processes the test started (bg_started, start_xvfb,
# start_mlflowd): cleanup_T ends them (and waits for them) before removing
# $T, after the program if the test runs it in the background with its pid
# in prog_pid.  A test with its own EXIT trap calls cleanup_T last in it.
bg_pids= prog_pid=
cleanup_T() {
	[ -z "$prog_pid" ] || kill "$prog_pid" 2>/dev/null || true
	for p in $bg_pids; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup_T EXIT
if [ -n "$TRC_TEST_GNUPLOT" ]; then
	case $TRC_TEST_GNUPLOT in
	/*) ;;
	*) echo "FAIL: TRCOMPARE_GNUPLOT=$TRC_TEST_GNUPLOT: not an absolute path" >&2; exit 1 ;;
	esac
	[ -x "$TRC_TEST_GNUPLOT" ] || { echo "FAIL: TRCOMPARE_GNUPLOT=$TRC_TEST_GNUPLOT: not executable" >&2; exit 1; }
	mkdir "$T/gnuplot-bin"
	ln -s "$TRC_TEST_GNUPLOT" "$T/gnuplot-bin/gnuplot"
	PATH="$T/gnuplot-bin:$PATH"
	export PATH
fi
export TRC_TEST_GNUPLOT

nchecks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
ok() { nchecks=$((nchecks + 1)); echo "ok $nchecks - $*"; }

# trc ARGS...: run the program; stdout in $T/out, stderr in $T/err, status in $rc.
trc() {
	rc=0
	$TRC "$@" >"$T/out" 2>"$T/err" || rc=$?
}

# expect_fail STATUS MESSAGE ARGS...: the program must exit STATUS and print
# exactly MESSAGE (one line) on stderr.
expect_fail() {
	want_rc=$1 want_msg=$2
	shift 2
	trc "$@"
	[ "$rc" -eq "$want_rc" ] || fail "trcompare-plot $*: exit $rc, want $want_rc; stderr: $(cat "$T/err")"
	printf '%s\n' "$want_msg" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "trcompare-plot $*: stderr differs:
--- want
$want_msg
--- got
$(cat "$T/err")"
	ok "exit $want_rc: $want_msg"
}

# expect_ok ARGS...: the program must succeed.
expect_ok() {
	trc "$@"
	[ "$rc" -eq 0 ] || fail "trcompare-plot $*: exit $rc; stderr: $(cat "$T/err")"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# fails (status 1) after SECONDS.
wait_for() {
	n=$(($1 * 10))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# put FILE: standard input becomes FILE whole, renamed into place.  For a
# file that a watch or a test server may read at any moment: written with
# `>FILE`, it is empty (or cut short) for a moment, and a reader there
# rightly says so (the test server ends on a job list that is not JSON).
put() {
	put_tmp=$(mktemp "$T/put.XXXXXX") && cat >"$put_tmp" && mv -f "$put_tmp" "$1"
}

# gone PID: the process no longer runs (a zombie counts as gone).
gone() {
	! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# cols COLUMN...: "label step COLUMN..." for every data row of $T/out
# (--data), NaN where a job has no such column.
cols() {
	awk -v want="$*" '
	BEGIN { n = split(want, w, " ") }
	/^# label: / { label = substr($0, 10); next }
	/^#/ || NF == 0 { next }
	/^"step"/ { delete idx; for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); idx[h] = i }; next }
	{ line = label " " $1; for (k = 1; k <= n; k++) line = line " " (w[k] in idx ? $(idx[w[k]]) : "NaN"); print line }' "$T/out"
}

# check_want WHAT: $T/got must equal $T/want.
check_want() {
	cmp -s "$T/want" "$T/got" || fail "$1:
--- want
$(cat "$T/want")
--- got
$(cat "$T/got")"
	ok "$1"
}

# need_tools TOOL...: skips the test unless every TOOL is on PATH.
need_tools() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
	done
}

need_gnuplot() { command -v gnuplot >/dev/null 2>&1 || skip "gnuplot not installed"; }

# png_size FILE: "WxH" from the PNG header.
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}

# bg_started PID: PID (a background process of the test) is ended on exit
# by cleanup_T.
bg_started() { bg_pids="$bg_pids $1"; }

# start_watch LOG ARGS...: the program with ARGS in the background (a
# --watch), stderr to LOG; its pid in $wpid, ended on exit.
start_watch() {
	log=$1
	shift
	$TRC "$@" 2>"$log" &
	wpid=$!
	bg_started "$wpid"
}

# stop_watch SIGNAL: sends SIGNAL to $wpid, waits; $wrc is the exit status.
stop_watch() {
	kill "-$1" "$wpid"
	wrc=0
	wait "$wpid" || wrc=$?
}

# need_testd: the platform API test server (tests/server/trcompare-testd)
# in $TESTD, proxies unset for loopback; skips the test when it is not built.
need_testd() {
	TESTD="$top_builddir/tests/server/trcompare-testd"
	[ -x "$TESTD" ] || skip "trcompare-testd not built (libmicrohttpd missing?)"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
}

# start_testd DIR PORTFILE LOG [ARG...]: $TESTD (need_testd first; real
# HTTP on 127.0.0.1) serving DIR's fixtures, read at every request, each
# request logged to LOG, for at most 300 s; URL is its address, tpid its
# pid (ended on exit).
start_testd() {
	tdir=$1 tport=$2 tlog=$3
	shift 3
	"$TESTD" --dir="$tdir" --port-file="$tport" --log="$tlog" --lifetime=300 "$@" \
		</dev/null >/dev/null 2>"$T/testd.err" &
	tpid=$!
	bg_started "$tpid"
	wait_for 10 test -s "$tport" || fail "test server did not start: $(cat "$T/testd.err")"
	URL="http://127.0.0.1:$(cat "$tport")"
}

# same_as_cold WHAT OUT LOG JOB...: waits until the tidy data files that
# a running watch writes to OUT (-d OUT, stderr in LOG) are those a cold
# `-d` of the same JOBs writes now.
same_as_cold() {
	what=$1 out=$2 log=$3
	shift 3
	rm -rf "$T/cold"
	$TRC -q -d "$T/cold" "$@" 2>"$T/cold.err" || fail "$what: cold run: $(cat "$T/cold.err")"
	set -- "$T/cold"/*.dat
	[ -f "$1" ] || fail "$what: the cold run wrote no data file"
	cmps=
	for f in "$@"; do
		cmps="$cmps && cmp -s '$out/${f##*/}' '$f'"
	done
	if ! wait_for 60 sh -c "true $cmps"; then
		for f in "$@"; do
			diff "$out/${f##*/}" "$f" | head -5 >&2
		done
		fail "$what: the watch's tidy data is not the cold run's: $(tail -3 "$log")"
	fi
	ok "$what: the watch's tidy data is the cold run's"
}

# start_mlflowd LOG: the MLflow tracking server of the tests
# (tests/mlflowd.py, real HTTP on 127.0.0.1), each request logged to LOG;
# MLFLOWD is its JOB prefix "mlflow+http://127.0.0.1:PORT/" (add "#RUN_ID").
# Ended on exit.  Needs python3.
start_mlflowd() {
	python3 "$top_srcdir/tests/mlflowd.py" "$T/mlflowd.port" "$1" &
	bg_started $!
	wait_for 20 test -s "$T/mlflowd.port" || fail "mlflowd.py did not start"
	MLFLOWD="mlflow+http://127.0.0.1:$(cat "$T/mlflowd.port")/"
}

# find_x_gnuplot: GP is a gnuplot with an interactive terminal (qt, wxt or
# x11), named explicitly: gnuplot-nox may be the one on PATH (with
# TRCOMPARE_GNUPLOT, only that one).  Skips the test when there is none.
find_x_gnuplot() {
	GP= cands="gnuplot-x11 gnuplot-qt gnuplot"
	[ -z "$TRC_TEST_GNUPLOT" ] || cands=$TRC_TEST_GNUPLOT
	for cand in $cands; do
		p=$(command -v "$cand" 2>/dev/null) || continue
		if "$p" -e 'print GPVAL_TERMINALS' 2>&1 </dev/null | grep -Eq '(^| )(qt|wxt|x11)( |$)'; then
			GP=$p
			return 0
		fi
	done
	skip "no gnuplot with an interactive terminal (apt-get install gnuplot-x11)"
}

# start_xvfb: a private X server on a free display number (-displayfd
# picks one and reports it when the server is ready), DISPLAY exported
# once it accepts clients, WAYLAND_DISPLAY unset; ended on exit.
# -noreset: by default the server resets whenever its last client
# disconnects, and a reset drops every client still in its connection
# handshake.  The tests' xdotool polls connect and disconnect ten times a
# second, so now and then the reset caught gnuplot's connection ("Unable to
# initialize GTK+, is DISPLAY set properly?"; 3 of 100 connections under
# that polling).  Needs Xvfb and xdotool.
x_ready() { timeout 5 xdotool getmouselocation >/dev/null 2>&1; }
start_xvfb() {
	: >"$T/display"
	Xvfb -displayfd 3 -noreset -screen 0 1280x1024x24 -nolisten tcp 3>"$T/display" >"$T/xvfb.log" 2>&1 &
	bg_started $!
	wait_for 20 grep -q '^[0-9][0-9]*$' "$T/display" || fail "Xvfb did not start: $(cat "$T/xvfb.log")"
	DISPLAY=:$(tr -dc 0-9 <"$T/display")
	export DISPLAY
	wait_for 20 x_ready || fail "Xvfb on $DISPLAY accepts no client: $(cat "$T/xvfb.log")"
	unset WAYLAND_DISPLAY 2>/dev/null || true
}

# descendants PID: the processes below PID (children, grandchildren...).
descendants() {
	ps -e -o pid= -o ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				q = p
				while (q in parent && q != root && q > 1) q = parent[q]
				if (q == root && p != root) print p
			}
		}'
}
