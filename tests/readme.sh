#!/bin/sh
# Every command shown in README.md runs: the indented and fenced code lines
# are extracted, placeholders replaced by the bundled examples, and each is
# run (shell lines with sh, gnuplot lines in gnuplot) in a scratch
# directory; it must exit 0 and leave non-empty output (the files it names
# with -o/-d, else its stdout).  The API lines run against
# scripts/serve-examples (the loopback test server over examples/runs).  A
# code line that is neither run nor in the exclusions below fails the test,
# so a new README command must be made to run here.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
TESTD="$top_builddir/tests/server/trcompare-testd"
[ -x "$TESTD" ] || skip "trcompare-testd not built (libmicrohttpd missing?)"
README=${TRC_README:-$top_srcdir/README.md}

W="$T/work"
mkdir "$W" "$T/bin"
# A copy: --batch examples/batch.manifest writes beside the manifest.
cp -R "$top_srcdir/examples" "$W/examples"
chmod -R u+w "$W/examples"
ln -s "$top_srcdir/scripts" "$W/scripts"
ln -s "$top_srcdir/tests" "$W/tests" # tests/trackers.py writes an mlflow.db
# The README's commands call trcompare-plot by name: this build's (under
# valgrind when asked).
printf '#!/bin/sh\nexec %s "$@"\n' "$TRC" >"$T/bin/trcompare-plot"
chmod +x "$T/bin/trcompare-plot"
PATH="$T/bin:$PATH"
export PATH
unset DISPLAY WAYLAND_DISPLAY 2>/dev/null || true
HOME="$T/home" # no ~/.gnuplot
mkdir "$HOME"
export HOME

# The code lines: "LINE<TAB>TEXT", indentation removed; a line ending in a
# backslash goes on with the next one (one command, the first line's number).
awk '
function emit(text) {
	if (held != "") { text = held " " text; n = heldnr } else n = NR
	if (text ~ /\\$/) { sub(/ *\\$/, "", text); held = text; heldnr = n; return }
	held = ""
	printf "%d\t%s\n", n, text
}
/^```/ { fenced = !fenced; next }
fenced { emit($0); next }
/^    +[^ ]/ && (prev == "" || code) { code = 1; prev = $0; sub(/^ +/, ""); emit($0); next }
{ code = 0; prev = $0 }
' "$README" >"$T/lines"
[ -s "$T/lines" ] || fail "no code lines in $README"

# The API lines need the server: scripts/serve-examples, as the README says.
TRCOMPARE_TESTD="$TESTD"
export TRCOMPARE_TESTD
grep -q '	scripts/serve-examples' "$T/lines" || fail "README no longer shows scripts/serve-examples"
TRCOMPARE_TOKEN=readme-token
export TRCOMPARE_TOKEN
# The schedulers' variables of the --shard recipes (a Slurm array task, a
# CI matrix job).
SLURM_ARRAY_TASK_ID=2 SLURM_CPUS_PER_TASK=1 SHARD=3
export SLURM_ARRAY_TASK_ID SLURM_CPUS_PER_TASK SHARD
(cd "$W" && exec scripts/serve-examples >"$T/serve.out" 2>"$T/serve.err") &
serve_pid=$!
cleanup_serve() {
	kill "$serve_pid" 2>/dev/null || true
	wait "$serve_pid" 2>/dev/null || true
	cleanup_T
}
trap cleanup_serve EXIT
unset TRCOMPARE_TOKEN
grep_port() { grep -q 'http://127.0.0.1:[0-9]' "$T/serve.out"; }
wait_for 10 grep_port || fail "scripts/serve-examples did not start: $(cat "$T/serve.err")"
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\).*|\1|p' "$T/serve.out" | head -1)

EX=examples/runs
# subst TEXT: the README's placeholders replaced by the bundled examples.
subst() {
	printf '%s\n' "$1" | sed \
		-e "s|JOB\\.\\.\\.|$EX/*.json|g" \
		-e "s|--data JOB'|--data $EX/qwen-350m-lr1e-4.json'|g" \
		-e "s|a\\.json b\\.json|$EX/qwen-350m-lr1e-4.json $EX/qwen-350m-lr3e-4.json|g" \
		-e "s|5c1f… 9a2b… 77e0…|qwen-350m-lr1e-4 qwen-350m-lr3e-4 llama-1.3b-lr2e-4|g" \
		-e "s|https://train.example.org|http://127.0.0.1:$port|g" \
		-e "s|TRCOMPARE_TOKEN=…|TRCOMPARE_TOKEN=readme-token|g"
}

# marks FILE: how many line and point glyphs a dumb chart holds.
marks() { tr -cd '*#$%@&=ABCDEFGHI' <"$1" | wc -c; }

# run_shell N TEXT: runs one shell line; checks status and output.
run_shell() {
	n=$1 cmd=$(subst "$2")
	bare=$(printf '%s\n' "$cmd" | sed 's/  *# .*//') # without its comment
	case $cmd in *…*) fail "README line $n: a placeholder this test does not fill: $cmd" ;; esac
	case $cmd in
	export\ *)
		eval "$cmd"
		ok "README line $n: $cmd"
		return
		;;
	esac
	# Outputs named with -o, -d and --report: removed first, non-empty after.
	outs=$(printf '%s\n' "$bare" | grep -o -E -- '(-[od]|--report) [^ ]*' | sed 's/^[^ ]* //' || true)
	for o in $outs; do rm -rf "${W:?}/$o"; done
	# --batch examples/batch.manifest: its outputs, removed first.
	case $bare in *--batch\ examples/batch.manifest*) rm -rf "${W:?}/examples/out" ;; esac
	rc=0
	# A watch of local files runs until stopped: 8 s, then SIGTERM, which
	# ends it with status 143 (README: Watching running jobs).
	case $bare in
	*" -w -t dumb "*examples/*|*" -w -S "*examples/*)
		# On a terminal (script(1) gives it one), in the alternate screen.
		(cd "$W" && script -qfec "timeout --preserve-status -s TERM 8 $cmd" /dev/null) </dev/null >"$T/o" 2>"$T/e" || rc=$?
		[ "$rc" -eq 143 ] && rc=0
		grep -q "$(printf '\033')\[?1049l" "$T/o" || fail "README line $n: $cmd: the screen was not restored" ;;
	*" --watch "*examples/*|*" -w"[0-9]*examples/*)
		(cd "$W" && sh -c "timeout --preserve-status -s TERM 8 $cmd") >"$T/o" 2>"$T/e" || rc=$?
		[ "$rc" -eq 143 ] && rc=0 ;;
	*)
		(cd "$W" && sh -c "$cmd") >"$T/o" 2>"$T/e" || rc=$? ;;
	esac
	[ "$rc" -eq 0 ] || fail "README line $n: $cmd: exit $rc: $(cat "$T/e")"
	if [ -n "$outs" ]; then
		for o in $outs; do
			[ -s "$W/$o" ] || [ -d "$W/$o" ] && [ -n "$(ls -A "$W/$o" 2>/dev/null || echo f)" ] ||
				fail "README line $n: $cmd: $o is empty or missing"
			case $o in *.png) [ "$(od -An -c -N4 "$W/$o" | tr -d ' ')" = '211PNG' ] ||
				fail "README line $n: $o is not a PNG" ;; esac
		done
	fi
	case $bare in
	*'--shard "$'*)
		# One shard of a scheduler's (its variables set below): a part.
		[ -n "$(ls -A "$W/examples/out" 2>/dev/null)" ] || fail "README line $n: $cmd: the shard wrote nothing" ;;
	*--batch\ examples/batch.manifest*)
		for o in all.png all.svg all.md lr-sweep.png model-size.png in-progress.png loss.txt data/compare.gp; do
			[ -s "$W/examples/out/$o" ] || fail "README line $n: $cmd: examples/out/$o not written"
		done ;;
	esac
	case $bare in *--index\ examples/out/index.md*)
		grep -q '^!\[all.png\](all.png)$' "$W/examples/out/index.md" ||
			fail "README line $n: $cmd: the index links no chart" ;;
	esac
	case $bare in *gnuplot*|*--list-jobs*) [ -s "$T/o" ] || fail "README line $n: $cmd: no output" ;; esac
	case $bare in *gnuplot*) [ "$(marks "$T/o")" -ge 40 ] || fail "README line $n: $cmd: the chart is empty: $(cat "$T/o")" ;; esac
	ok "README line $n: $cmd"
}

# run_gnuplot N FILE: runs gnuplot lines (one session) on a text terminal;
# the chart must draw (an empty frame fails).
run_gnuplot() {
	{ echo 'set terminal dumb size 100,30'; echo 'set key off'; subst "$(cat "$2")"; } >"$T/s.gp"
	rc=0
	(cd "$W" && gnuplot "$T/s.gp") >"$T/o" 2>"$T/e" || rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/e" ] || fail "README line $1: gnuplot: exit $rc: $(cat "$T/e")
$(cat "$T/s.gp")"
	[ "$(marks "$T/o")" -ge 40 ] || fail "README line $1: gnuplot draws an empty chart:
$(cat "$T/s.gp")
$(cat "$T/o")"
	ok "README line $1: gnuplot: $(tr '\n' ';' <"$2")"
}

gp_start=0
: >"$T/gp"
flush_gp() {
	if [ -s "$T/gp" ]; then
		run_gnuplot "$gp_start" "$T/gp"
		: >"$T/gp"
	fi
}
nrun=0
prev_n=0
while IFS='	' read -r n text; do
	case $text in
	set\ *|plot\ *)
		# gnuplot commands; consecutive lines are one session.
		[ "$n" -eq $((prev_n + 1)) ] && [ -s "$T/gp" ] || { flush_gp; gp_start=$n; }
		printf '%s\n' "$text" >>"$T/gp"
		prev_n=$n
		nrun=$((nrun + 1))
		continue
		;;
	esac
	flush_gp
	prev_n=$n
	case $text in
	# Exclusions, each with its reason:
	"scripts/quickstart")
		;; # installs Debian packages (sudo) and builds: what this suite runs in
	"scripts/install-deps --test && scripts/test")
		;; # runs this very test suite
	"autoreconf -fi && ./configure && make && make check")
		;; # the build this test runs in
	"scripts/build-gnuplot "*)
		;; # downloads and builds gnuplot (minutes), by hand only
	"TRCOMPARE_GNUPLOT="*" make check "*)
		;; # runs this very test suite against another gnuplot
	"sudo make install"*)
		;; # installs system-wide; make distcheck (scripts/test) checks the install
	\#*|\"step\"*|[0-9]*)
		;; # the tidy data format, not a command
	"src/ "*|"tests/ "*|"scripts/ "*|"examples/ "*|"bench/ "*|"doc/ "*)
		;; # the source tree listing, not a command
	scripts/serve-examples*)
		# Started above; it must have said where it serves.
		grep -q "^Serving .* at http://127.0.0.1:$port" "$T/serve.out" ||
			fail "README line $n: scripts/serve-examples: $(cat "$T/serve.out")"
		ok "README line $n: $text (running on port $port)"
		nrun=$((nrun + 1))
		;;
	trcompare-plot\ *|gnuplot\ *|export\ *|for\ k\ in\ *|parallel\ trcompare-plot\ *|"python3 tests/trackers.py "*)
		run_shell "$n" "$text"
		nrun=$((nrun + 1))
		;;
	*)
		fail "README line $n is neither run nor excluded in tests/readme.sh: $text" ;;
	esac
done <"$T/lines"
flush_gp
[ "$nrun" -ge 12 ] || fail "only $nrun README commands run"
ok "$nrun README commands ran"
