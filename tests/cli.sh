#!/bin/sh
# Command line: --help, --version, usage errors (exit 64), output planning.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

expect_ok --help
grep -q '^Usage: trcompare-plot \[OPTION...\] JOB...' "$T/out" || fail "--help has no usage line"
for opt in --output --terminal --size --data-dir --data --summary --metrics --colors \
	--x-axis --smooth --max-points --url --endpoint --token-file --keep-going --list-jobs \
	--summary-output --batch --jobs --newer --shard --index; do
	grep -q -- "$opt" "$T/out" || fail "--help does not mention $opt"
done
ok "--help lists the options"
expect_ok --version
grep -q '^trcompare-plot [0-9]' "$T/out" || fail "--version: $(cat "$T/out")"
ok "--version"

try="Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information."
expect_fail 64 "trcompare-plot: no JOB given
$try"
expect_fail 64 "trcompare-plot: --summary: unknown format 'yaml' (text, markdown, csv, json)
$try" --summary=yaml "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --x-axis: unknown axis 'wall' (step, epoch, time, relative)
$try" -x wall "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --smooth: '1' is not a weight from 0 up to (not including) 1
$try" --smooth=1 "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --max-points: 'many' is not a whole number from 0 to 100000000
$try" --max-points=many "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --gnuplot-timeout: '-1' is not a whole number from 0 to 86400
$try" --gnuplot-timeout=-1 "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --colors: 'red' is not a colour like #2563eb
$try" --colors=red "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --size: 'big' is not W,H
$try" --size=big "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --terminal: 'png;x' is not a terminal name
$try" -t 'png;x' "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --data and --summary both write to stdout; use -d DIR for the data
$try" --data -S "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --endpoint: '/x' has no {id}
$try" --endpoint=/x "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --list-jobs needs the API URL: set TRCOMPARE_URL or --url
$try" --list-jobs
expect_fail 64 "trcompare-plot: --latest needs the API URL: set TRCOMPARE_URL or --url
$try" --latest=3
expect_fail 64 "trcompare-plot: empty JOB argument
$try" ""
expect_fail 64 "trcompare-plot: -o: unknown output extension '.bmp' (known: .png .svg .pdf .eps .txt .html .gp)" \
	-o "$T/x.bmp" "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --xrange: '5' is not MIN:MAX" --xrange=5 "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --yrange: 'bogus' is not one of the panels (-m loss,perplexity,lr,grad_norm)" \
	--yrange=bogus=0:1 "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --yrange: 'loss=3:1' is not PANEL=MIN:MAX" \
	--yrange=loss=3:1 "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --logy: 'lossy' is not one of the panels (-m loss,perplexity,lr,grad_norm)" \
	--logy=lossy "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --metrics: empty metric list" -m '' "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --token-file: $T/none: No such file or directory
$try" --token-file="$T/none" "$RUNS/qwen-350m-lr1e-4.json"

expect_fail 64 "trcompare-plot: --max-filesize: 'lots' is not a size (like 500M)
$try" --max-filesize=lots "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --size: '1,1' is out of range
$try" --size=1,1 "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --terminal: empty name
$try" -t '' "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --format: unknown format 'xml' (text, csv, json)
$try" --format=xml "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --list-jobs takes no JOB and no --latest
$try" --url=http://127.0.0.1:9 --list-jobs "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: -o - and --summary both write to stdout
$try" -o - -S "$RUNS/qwen-350m-lr1e-4.json"
printf '  \n' >"$T/blank-token"
expect_fail 64 "trcompare-plot: --token-file: $T/blank-token: the token is empty or holds control characters
$try" --token-file="$T/blank-token" "$RUNS/qwen-350m-lr1e-4.json"
rc=0
TRCOMPARE_TOKEN="$(printf 'abc\033def')" $PROG "$RUNS/qwen-350m-lr1e-4.json" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -eq 64 ] && [ "$(cat "$T/err")" = "trcompare-plot: TRCOMPARE_TOKEN holds control characters" ] ||
	fail "control characters in TRCOMPARE_TOKEN: exit $rc, $(cat "$T/err")"
ok "exit 64: TRCOMPARE_TOKEN holds control characters"
expect_fail 64 "trcompare-plot: --metrics: too many metrics (at most 16)" \
	-m a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q "$RUNS/qwen-350m-lr1e-4.json"

# Stdout not a terminal: the script, which gnuplot accepts as it is.
expect_ok "$RUNS"/*.json
head -3 "$T/out" | grep -q 'load "/dev/stdin"' || fail "script lacks the stdin fast path"
grep -q '^# 4 panels in 2 rows x 2 columns' "$T/out" || fail "default is not a 2x2 multiplot"
ok "script on stdout when stdout is a pipe"

# -q silences warnings but not errors.
printf '{"metrics":[{"epoch":1},{"step":1,"train_loss":2}]}' >"$T/skip.json"
expect_ok -q -o "$T/skip.gp" "$T/skip.json"
[ ! -s "$T/err" ] || fail "-q still printed: $(cat "$T/err")"
ok "-q silences warnings"

expect_fail 64 "trcompare-plot: -t cairolatex: this terminal writes more than one file; write the script with -o FILE.gp and run gnuplot on it" \
	-t cairolatex -o "$T/x.tex" "$RUNS/qwen-350m-lr1e-4.json"
# Terminals measured in inches get no pixel size.
expect_ok -t postscript -o "$T/ps.gp" "$RUNS/qwen-350m-lr1e-4.json"
grep -q '^set terminal postscript$' "$T/ps.gp" || fail "postscript got a size: $(grep '^set terminal' "$T/ps.gp")"
ok "no pixel size for terminals measured in inches"
# What the user typed is echoed without control characters.
trc --xrange="$(printf '\033]0;x\a1:')" "$RUNS/qwen-350m-lr1e-4.json"
[ "$rc" -eq 64 ] || fail "--xrange escape: exit $rc"
printf '%s\n' "trcompare-plot: --xrange: '?]0;x?1:' is not MIN:MAX" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "escape sequence echoed: $(od -c "$T/err" | head -3)"
ok "control characters in messages become ?"

# "-S markdown" with the format detached works like --summary=markdown.
expect_ok -S markdown "$RUNS/qwen-350m-lr1e-4.json"
cp "$T/out" "$T/detached"
expect_ok --summary=markdown "$RUNS/qwen-350m-lr1e-4.json"
cmp -s "$T/out" "$T/detached" || fail "-S markdown differs from --summary=markdown"
ok "-S FORMAT detached"

# A reader that stops early ends the program quietly (SIGPIPE), even when
# SIGPIPE was ignored by the caller, as gnuplot's popen may leave it.
rc=0
(trap '' PIPE; $PROG --data "$RUNS"/*.json 2>"$T/err" | head -c 10 >/dev/null) || rc=$?
[ ! -s "$T/err" ] || fail "broken pipe printed: $(cat "$T/err")"
ok "broken pipe: no message"

# A terminal that cannot write to a terminal, asked for on a terminal.
if command -v script >/dev/null 2>&1; then
	script -qec "$PROG -t pngcairo $RUNS/qwen-350m-lr1e-4.json" /dev/null >"$T/tty" 2>&1 && rc=0 || rc=$?
	[ "$rc" -eq 64 ] || fail "-t pngcairo on a tty: exit $rc"
	grep -q 'trcompare-plot: -t pngcairo: not writing pngcairo output to a terminal; use -o FILE or a pipe' "$T/tty" ||
		fail "-t pngcairo on a tty: $(cat "$T/tty")"
	ok "exit 64: -t pngcairo on a terminal"
	# A text chart on a terminal with `stty tostop` (gnuplot runs in its own
	# process group) must not stop.
	rc=0
	timeout 60 script -qec "stty tostop; $PROG $RUNS/qwen-350m-lr1e-4.json" /dev/null >"$T/tty" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || fail "text chart with stty tostop: exit $rc"
	grep -q 'Loss' "$T/tty" || fail "text chart with stty tostop drew nothing"
	ok "text chart on a terminal with stty tostop"
	# No room for the script of a text chart.
	rc=0
	TMPDIR="$T/no-such-dir" script -qec "$PROG $RUNS/qwen-350m-lr1e-4.json" /dev/null >"$T/tty" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || fail "text chart with TMPDIR missing: exit $rc"
	[ "$(tr -d '\r' <"$T/tty")" = "trcompare-plot: $T/no-such-dir: cannot create a temporary file: No such file or directory" ] ||
		fail "text chart with TMPDIR missing: $(cat "$T/tty")"
	ok "exit 1: no room for the script of a text chart"
	# -o FILE.txt is 120x40 whatever the terminal's size.
	script -qec "stty cols 60 rows 20; $PROG $RUNS/qwen-350m-lr1e-4.json -o $T/t.txt" /dev/null >/dev/null 2>&1 ||
		fail "-o t.txt from a tty failed"
	[ "$(tr -d '\f' <"$T/t.txt" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -eq 120 ] ||
		fail "-o t.txt width follows the tty"
	ok "-o FILE.txt is 120 columns wide from a terminal too"
fi

echo "cli: $nchecks checks"
