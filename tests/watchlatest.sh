#!/bin/sh
# tests/watchlatest.sh: --latest=N --watch picks the N newest jobs again at
# every round: a job started meanwhile joins the chart, the oldest leaves,
# a job that stays keeps its colour, and the watch ends (status 0) when
# every job drawn now has finished.  The test server reads jobs.json at
# every request, so rewriting it starts and ends jobs.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_testd
S="$T/api"
mkdir "$S"
printf '{"job_id":"j0","metrics":[{"step":1,"train_loss":3}]}' >"$S/j0.json"
printf '{"job_id":"j1","metrics":[{"step":1,"train_loss":2},{"step":2,"train_loss":1.8}]}' >"$S/j1.json"
printf '{"job_id":"j2","metrics":[{"step":1,"train_loss":2.5}]}' >"$S/j2.json"
printf '{"job_id":"j3","metrics":[{"step":1,"train_loss":2.2},{"step":2,"train_loss":2}]}' >"$S/j3.json"
# jobs FILE STATUS1 STATUS2 [STATUS3]: the job list, j3 listed when
# STATUS3 is given (the newest).
jobs() {
	{
		printf '[{"id":"j0","model_name":"zero","status":"completed","created_at":"2026-01-01T00:00:00Z"}'
		printf ',{"id":"j1","model_name":"one","status":"%s","created_at":"2026-01-02T00:00:00Z"}' "$1"
		printf ',{"id":"j2","model_name":"two","status":"%s","created_at":"2026-01-03T00:00:00Z"}' "$2"
		[ $# -lt 3 ] || printf ',{"id":"j3","model_name":"three","status":"%s","created_at":"2026-01-04T00:00:00Z"}' "$3"
		printf ']'
	} >"$S/jobs.json.new"
	mv "$S/jobs.json.new" "$S/jobs.json"
}
jobs running running
start_testd "$S" "$T/port" "$T/api.log"

D="$T/d"
rc=0
# -d DIR: compare.gp names each job's title and colour.
timeout 60 $TRC --url="$URL" --latest=2 --watch=0.3 -d "$D" -S csv --summary-output "$T/sum.csv" \
	2>"$T/err" &
wpid=$!
bg_started "$wpid"
# colour LABEL: the colour compare.gp draws LABEL's lines in.
colour() {
	k=$(sed -n "s/^T\[\([0-9]*\)\] = \"$1\"\$/\1/p" "$D/compare.gp" 2>/dev/null)
	[ -z "$k" ] || sed -n "s/^C\[$k\] = \"\(#[0-9a-f]*\)\".*/\1/p" "$D/compare.gp"
}
has_colour() { [ -n "$(colour "$1")" ]; }
wait_for 20 grep -qs '^two,' "$T/sum.csv" || fail "no first chart: $(cat "$T/err")"
grep -qs '^one,' "$T/sum.csv" && ! grep -q '^zero,' "$T/sum.csv" || fail "not the 2 newest: $(cat "$T/sum.csv")"
wait_for 10 has_colour two || fail "no colour for two in compare.gp"
two=$(colour two)
[ -n "$two" ] || fail "no colour for two in compare.gp: $(cat "$D/compare.gp")"

# A newer job starts: it joins, the oldest of the two leaves.
jobs running running running
wait_for 20 grep -qs '^three,' "$T/sum.csv" ||
	{ kill "$wpid" 2>/dev/null; fail "the new job did not join: $(cat "$T/sum.csv") $(cat "$T/err")"; }
! grep -qs '^one,' "$T/sum.csv" || fail "the oldest job stayed: $(cat "$T/sum.csv")"
wait_for 10 has_colour three || fail "compare.gp without three: $(cat "$D/compare.gp")"
[ "$(colour two)" = "$two" ] || fail "two changed colour: $two, now $(colour two)"
[ -n "$(colour three)" ] && [ "$(colour three)" != "$two" ] || fail "three's colour: $(colour three)"
ok "--latest=2 --watch: a newer job joins, the oldest leaves, colours stay"

# Every job drawn now finishes (j1 no more drawn: its status does not count).
jobs running completed completed
wait "$wpid" || rc=$?
[ "$rc" -eq 0 ] || fail "exit $rc: $(cat "$T/err")"
grep -qx 'trcompare-plot: watch: j3 joined' "$T/err" || fail "no joined note: $(cat "$T/err")"
grep -qx 'trcompare-plot: watch: j1 left' "$T/err" || fail "no left note: $(cat "$T/err")"
grep -qx 'trcompare-plot: every job has finished; the watch ends' "$T/err" || fail "no end note: $(cat "$T/err")"
ok "--latest=2 --watch: ends when the jobs drawn now have finished; JOB joined/left on stderr"

# -q: no notes.
jobs completed running
rm -rf "$D" "$T/sum.csv"
timeout 60 $TRC -q --url="$URL" --latest=2 --watch=0.3 -S csv --summary-output "$T/sum.csv" \
	2>"$T/err" &
wpid=$!
bg_started "$wpid"
wait_for 20 grep -qs '^one,' "$T/sum.csv" || fail "-q: no first table: $(cat "$T/err")"
jobs completed completed completed
rc=0
wait "$wpid" || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "-q: exit $rc, stderr: $(cat "$T/err")"
grep -qs '^three,' "$T/sum.csv" || fail "-q: three did not join: $(cat "$T/sum.csv")"
ok "-q: no joined/left notes"
$TRC --help | tr -s ' \n' '  ' | grep -q -- '--latest=N Compare the N newest jobs from the job list (with --watch: picked again every round, so new jobs join)' ||
	fail "--help does not say --latest follows the list in a watch"
ok "--help: --latest with --watch"
kill "$tpid" 2>/dev/null || true
