#!/bin/sh
# tests/watchjoin.sh: a --watch on a JOB that stands for several runs (a
# directory of runs, an MLflow store's experiment, an MLflow server's
# experiment) lists its runs again at every round: a run that appears
# joins the chart ("watch: JOB joined"), one whose directory is deleted
# leaves it ("watch: JOB left", its -d data file removed); the runs drawn keep their colours and a
# run that joins takes the first colour no drawn run has; --status decides
# which runs join; a listing that fails (the directory gone, more than 1000
# runs) is said and never ends the watch; -q says nothing.
. "$(dirname "$0")/lib.sh"
need_gnuplot
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

L="$T/lightning_logs"
D="$T/out"
mkdir "$L"
cp -R "$top_srcdir/examples/lightning_logs/version_0" "$L/"
# run NAME LOSS: a Lightning run directory NAME in $L, as Lightning makes
# one (the directory, then metrics.csv), its train_loss_step LOSS - step/10.
# metrics.csv comes whole (renamed into place): a round that read it while
# it was still empty would say "metrics.csv: empty input", as it should,
# which the -q part below would count as output.
run() {
	mkdir "$L/$1"
	awk -v l="$2" 'BEGIN { print "epoch,step,train_loss_step"; for (s = 0; s < 20; s++) printf "0,%d,%g\n", s, l - s / 10 }' \
		>"$T/metrics.csv.new"
	mv "$T/metrics.csv.new" "$L/$1/metrics.csv"
}
# colour LABEL: the colour compare.gp draws LABEL's lines in (empty: none).
colour() {
	k=$(sed -n "s/^T\[\([0-9]*\)\] = \"$1\"\$/\1/p" "$D/compare.gp" 2>/dev/null)
	[ -z "$k" ] || sed -n "s/^C\[$k\] = \"\(#[0-9a-f]*\)\".*/\1/p" "$D/compare.gp"
}
drawn() { [ -n "$(colour "$1")" ]; }
not_drawn() { ! drawn "$1"; }
# coloured LABEL COLOUR...: waits until each LABEL is drawn in its COLOUR.
is_colour() { [ "$(colour "$1")" = "$2" ]; }
coloured() {
	while [ $# -gt 0 ]; do
		wait_for 20 is_colour "$1" "$2" || fail "$1's colour: $(colour "$1"), want $2"
		shift 2
	done
}
# rounds LOG N: waits until the -v watch logging to LOG has done N rounds
# more than when called.
nrounds() { grep -c '^trcompare-plot: watch: \(no job changed\|[0-9]* jobs\{0,1\} changed; drawing again\)$' "$1" || true; }
at_least() { [ "$(nrounds "$1")" -ge "$2" ]; }
rounds() {
	wait_for 20 at_least "$1" $(($(nrounds "$1") + $2)) || fail "the watch did not do $2 rounds: $(tail -3 "$1")"
}

# same_data WHAT LOG JOB: waits until the data files the watch writes to
# $D (stderr in LOG) are those a cold `-d` of JOB writes now, but for
# their colours (a run that stays keeps its colour where a cold run
# numbers the runs afresh).
nocolour() { sed '/^# color: /d' "$1"; }
same_files() {
	for f in "$T"/cold/*.dat; do
		[ -f "$D/${f##*/}" ] && [ "$(nocolour "$D/${f##*/}")" = "$(nocolour "$f")" ] || return 1
	done
}
same_data() {
	rm -rf "$T/cold"
	$TRC -q -d "$T/cold" "$3" 2>"$T/cold.err" || fail "$1: cold run: $(cat "$T/cold.err")"
	wait_for 30 same_files || fail "$1: the watch's data is not the cold run's: $(ls "$D") $(tail -3 "$2")"
	ok "$1: the watch's data is the cold run's"
}

start_watch "$T/w.log" -v --watch=0.2 -d "$D" -o "$T/live.png" "$L"
same() { same_data "$1" "$T/w.log" "$L"; }
same "a directory of one run"
coloured version_0 "#2563eb"

run version_1 3
same "a run that appears joins"
grep -qx "trcompare-plot: watch: $L/version_1 joined" "$T/w.log" || fail "no joined note: $(cat "$T/w.log")"
coloured version_0 "#2563eb" version_1 "#16a34a"
ok "watch: $L/version_1 joined; the run drawn keeps its colour"
run version_2 2.5
same "a third run joins"

# (rm -rf: a round may list it, then find it gone when it reads it; it
# lists the runs again then, and the run leaves unsaid.)
rm -rf "$L/version_0"
wait_for 20 not_drawn version_0 || fail "version_0 still drawn"
same "a run deleted leaves"
grep -qx "trcompare-plot: watch: $L/version_0 left" "$T/w.log" || fail "no left note: $(cat "$T/w.log")"
# Its data file goes with it: -d's directory holds the files compare.gp reads.
[ ! -e "$D/version_0.dat" ] && [ -f "$D/version_1.dat" ] || fail "-d after a run left: $(ls "$D")"
! grep -q "version_0.*reading it again" "$T/w.log" || fail "a run that left is read again: $(cat "$T/w.log")"
coloured version_1 "#16a34a" version_2 "#dc2626"
ok "watch: $L/version_0 left; not drawn, not read again, the others keep their colours"
run version_3 2
same "a run joins after one left"
coloured version_3 "#2563eb"
ok "a run that joins takes the first colour no drawn run has"

# A data file that cannot be removed (a directory now) is said; the chart
# is drawn all the same, and the file is removed at the next drawing.
sum0=$(cksum <"$T/live.png")
kill -STOP "$wpid"
rm -rf "$L/version_2" "$D/version_2.dat"
mkdir "$D/version_2.dat"
kill -CONT "$wpid"
wait_for 20 grep -qx "trcompare-plot: $D/version_2.dat: cannot remove: Is a directory" "$T/w.log" ||
	fail "no message for a data file that cannot be removed: $(tail -5 "$T/w.log")"
redrawn() { [ "$(cksum <"$T/live.png")" != "$sum0" ]; }
wait_for 20 redrawn || fail "-o not drawn again after a data file could not be removed"
rmdir "$D/version_2.dat"
: >"$D/version_2.dat"
echo "0,20,0.5" >>"$L/version_1/metrics.csv"
wait_for 20 test ! -e "$D/version_2.dat" || fail "the data file was not removed at the next drawing: $(ls "$D")"
run version_2 2.5
same "a data file that could not be removed: said, the chart drawn, removed later"

# The directory gone: said, the watch goes on; back, it is listed again.
mv "$L" "$T/away"
wait_for 20 grep -qx "trcompare-plot: $L: No such file or directory (reading it again in 0.2 s)" "$T/w.log" ||
	fail "no message for the directory gone: $(tail -5 "$T/w.log")"
mv "$T/away" "$L"
run version_4 1.5
same "the directory back: listed again"
[ "$(grep -c "^trcompare-plot: $L: No such file or directory" "$T/w.log")" -eq 1 ] &&
	grep -qx "trcompare-plot: watch: $L read again" "$T/w.log" ||
	fail "a listing that fails is not said once, nor its end: $(tail -5 "$T/w.log")"
ok "a listing that fails is said and the watch goes on"

# More than 1000 runs: the listing fails (the limit holds), the runs drawn stay.
mkdir "$T/big"
python3 -c '
import os, sys
for i in range(1001):
    os.mkdir("%s/v%04d" % (sys.argv[1], i))
    open("%s/v%04d/metrics.csv" % (sys.argv[1], i), "w").write("step,train_loss\n1,2\n")' "$T/big"
cp -R "$L"/version_* "$T/big/"
mv "$L" "$T/away"
mv "$T/big" "$L"
wait_for 30 grep -qx "trcompare-plot: $L: more than 1000 runs in the directory (reading it again in 0.2 s)" "$T/w.log" ||
	fail "no message for more than 1000 runs: $(tail -5 "$T/w.log")"
! grep -q "v0000 joined" "$T/w.log" || fail "runs of a listing over the limit joined"
coloured version_4 "#9333ea"
ok "more than 1000 runs in a later round: said, the runs drawn stay"
# (Swapped back at once: rm -rf of the big directory would list fewer
# and fewer of its runs, and they would join.)
mv "$L" "$T/big"
mv "$T/away" "$L"

stop_watch TERM
[ "$wrc" -eq 143 ] || fail "SIGTERM: exit $wrc, want 143: $(tail -3 "$T/w.log")"
[ "$(png_size "$T/live.png")" = "1200x800" ] || fail "no chart drawn: $(png_size "$T/live.png")"
ok "the watch ends on SIGTERM (143), its PNG drawn"

# -q: no notes.
rm -rf "$D"
start_watch "$T/q.log" -q --watch=0.2 -d "$D" "$L"
wait_for 20 drawn version_4 || fail "-q: no first chart: $(cat "$T/q.log")"
run version_5 1
wait_for 20 drawn version_5 || fail "-q: version_5 did not join: $(cat "$T/q.log")"
mv "$L/version_1" "$T/gone" # (at once: rm -rf leaves it a moment without metrics.csv)
wait_for 20 not_drawn version_1 || fail "-q: version_1 still drawn"
stop_watch TERM
# (valgrind's own report, under make check-valgrind, aside)
[ -z "$(grep -v '^==[0-9]*==' "$T/q.log")" ] || fail "-q: stderr: $(cat "$T/q.log")"
ok "-q: no joined/left notes"

# An MLflow store's experiment with --status=running: a finished run does
# not join, it joins once it runs; a run drawn that finishes stays.
M="$T/mlruns"
cp -R "$top_srcdir/examples/mlruns" "$M"
A="$M/1/6f1c0a8e2b7d4e3fa1c29b8d7e6f5a41"
B="$M/1/9a2e4c6b8d0f4a1c3e5b7d9f1a3c5e72"
mv "$B" "$T/b"
sed 's/^status: 3$/status: 1/' "$A/meta.yaml" >"$T/meta" && mv "$T/meta" "$A/meta.yaml"
rm -rf "$D"
start_watch "$T/m.log" -v --status=running --watch=0.2 -d "$D" "$M/1"
wait_for 20 drawn lora-lr1e-4 || fail "--status: no first chart: $(cat "$T/m.log")"
mv "$T/b" "$B"
rounds "$T/m.log" 3
! grep -q "joined" "$T/m.log" || fail "--status=running: a finished run joined: $(cat "$T/m.log")"
ok "--status=running: a finished run that appears does not join"
sed 's/^status: 3$/status: 1/' "$B/meta.yaml" >"$T/meta" && mv "$T/meta" "$B/meta.yaml"
wait_for 20 drawn lora-lr3e-4 || fail "--status=running: a running run did not join: $(cat "$T/m.log")"
grep -qx "trcompare-plot: watch: $B joined" "$T/m.log" || fail "no joined note: $(cat "$T/m.log")"
ok "--status=running: the run joins once it runs"
sed 's/^status: 1$/status: 3/' "$A/meta.yaml" >"$T/meta" && mv "$T/meta" "$A/meta.yaml"
rounds "$T/m.log" 3
drawn lora-lr1e-4 && ! grep -q "left" "$T/m.log" || fail "a run drawn that finished left: $(cat "$T/m.log")"
ok "--status=running: a run drawn that finishes stays"
stop_watch TERM

# An MLflow server's experiment gaining a run, then losing one.
MLFLOWD_LIVE="$T/live.json"
export MLFLOWD_LIVE
# live RUN...: experiment 7 holds the runs RUN (of a, b: a started first),
# each with LIVE_STEPS (default 5) points of loss; RUN:EXP is run RUN in
# experiment EXP instead (the server has it; 7 does not list it); those in
# LIVE_VANISH are deleted by the server as soon as a listing has named them.
live() {
	python3 -c '
import json, os, sys
runs = {"a": ("live-a", 1700000100000, 3.0), "b": ("live-b", 1700000200000, 2.0)}
out = {}
for arg in sys.argv[2:]:
    r, _, exp = arg.partition(":")
    name, start, l = runs[r]
    out["e7" + r * 30] = {"name": name, "status": "RUNNING", "start": start, "exp": exp or "7",
                          "loss": [[s, l - s / 8] for s in range(1, int(os.environ.get("LIVE_STEPS", "5")) + 1)]}
    if r in os.environ.get("LIVE_VANISH", ""):
        out["e7" + r * 30]["vanish"] = True
json.dump(out, open(sys.argv[1] + ".new", "w"))' "$MLFLOWD_LIVE" "$@"
	mv "$MLFLOWD_LIVE.new" "$MLFLOWD_LIVE"
}
live a
start_mlflowd "$T/mlflowd.log"
X="${MLFLOWD}#/experiments/7"
rm -rf "$D"
start_watch "$T/x.log" -v --watch=0.2 -d "$D" "$X"
same_data "an MLflow server's experiment of one run" "$T/x.log" "$X"
live a b
same_data "a run started on the server joins" "$T/x.log" "$X"
grep -qx "trcompare-plot: watch: $X/runs/e7bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb joined" "$T/x.log" ||
	fail "no joined note: $(cat "$T/x.log")"
coloured live-a "#2563eb" live-b "#16a34a"
ok "watch: $X/runs/e7b… joined"

# A run whose runs/get answer is the same is not read again: a round
# asks runs/get only; once it logs more points, its history is read.
# (How many runs/get fall between the counts is not pinned: the next
# round may start before this shell counts, under load.)
histories() { grep -c 'get-history' "$T/mlflowd.log" || true; }
rounds "$T/x.log" 2
h0=$(histories) g0=$(grep -c 'runs/get' "$T/mlflowd.log")
rounds "$T/x.log" 3
h1=$(histories) g1=$(grep -c 'runs/get' "$T/mlflowd.log")
[ "$h1" -eq "$h0" ] && [ "$g1" -gt "$g0" ] ||
	fail "runs unchanged: get-history $h0 -> $h1, runs/get $g0 -> $g1"
LIVE_STEPS=7 live a b
same_data "runs that logged more points are read again" "$T/x.log" "$X"
[ "$(histories)" -gt "$h1" ] || fail "no history read after the runs changed"
ok "watch: an MLflow run's history is read again only when runs/get says it changed"
live b
wait_for 20 not_drawn live-a || fail "live-a still drawn"
grep -qx "trcompare-plot: watch: $X/runs/e7aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa left" "$T/x.log" ||
	fail "no left note: $(cat "$T/x.log")"
same_data "a run deleted on the server leaves" "$T/x.log" "$X"
coloured live-b "#16a34a"
ok "watch: $X/runs/e7a… left"
# A run deleted between the round's listing and its read (the server
# deletes it once a listing named it): it leaves, and its read's 404 is
# not said.
live a b
wait_for 20 drawn live-a || fail "live-a did not join again: $(tail -3 "$T/x.log")"
n0=$(wc -l <"$T/x.log")
LIVE_VANISH=a live a b
wait_for 20 not_drawn live-a || fail "live-a, deleted after a listing, still drawn: $(tail -3 "$T/x.log")"
# (-v: the requests are said too, the 404 among them.)
tail -n +$((n0 + 1)) "$T/x.log" >"$T/got"
grep -qx "trcompare-plot: watch: $X/runs/e7aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa left" "$T/got" ||
	fail "no left note for a run deleted after a listing: $(cat "$T/got")"
! grep 'reading it again' "$T/got" || fail "a run deleted after a listing was said unreadable"
ok "a run deleted between a listing and its read: it leaves, no error said"
stop_watch TERM
[ "$wrc" -eq 143 ] || fail "SIGTERM: exit $wrc, want 143: $(tail -3 "$T/x.log")"
ok "the watch ends on SIGTERM (143)"

# A run named by its id and also one of the experiment's runs is one run
# (given again: a warning, as without --watch); when the experiment stops
# listing it, it leaves as the experiment's run, the run named by id
# drawn all along; listed again, it joins as the experiment's run.
Bid=e7bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
live a b
rm -rf "$D"
start_watch "$T/y.log" -v --watch=0.2 -d "$D" "${MLFLOWD}#$Bid" "$X"
wait_for 20 drawn "live-b (2)" || fail "the experiment's live-b not drawn: $(cat "$T/y.log")"
live a b:0
wait_for 20 not_drawn "live-b (2)" || fail "the experiment's live-b still drawn: $(cat "$T/y.log")"
drawn live-b && drawn live-a || fail "live-b (named by its id) or live-a not drawn any more"
live a b
wait_for 20 drawn "live-b (2)" || fail "the experiment's live-b not drawn again: $(cat "$T/y.log")"
stop_watch TERM
grep '^trcompare-plot: \(warning: .*given again\|watch: .*\(joined\|left\)\)$' "$T/y.log" >"$T/got"
printf '%s\n' "trcompare-plot: warning: $X's run $Bid: the same job as ${MLFLOWD}#$Bid, given again" \
	"trcompare-plot: watch: $X/runs/$Bid left" "trcompare-plot: watch: $X/runs/$Bid joined" >"$T/want"
check_want "watch: a run named by id, one of the experiment's runs too: given again; it leaves and joins as the experiment's run"
# JOBs named by relative paths (a bare name, ./DIR) whose directories go
# away: each listing's failure is said, and the runs drawn stay drawn when
# another job makes the chart drawn again (a bare name that names nothing
# reads as a job id; a path that cannot be resolved was another cache
# key); back, they are read again.  With -k, a file missing at the start
# and made later is drawn.
R="$T/rel"
mkdir "$R" "$R/logs"
cp -R "$top_srcdir/examples/lightning_logs/version_0" "$R/logs/"
cp -R "$R/logs" "$R/other"
printf '{"step":1,"train_loss":2}\n' >"$R/grow.jsonl"
rm -rf "$D"
here=$(pwd)
cd "$R"
start_watch "$T/r.log" -k --watch=0.2 -d "$D" logs ./other grow.jsonl ./late.jsonl
cd "$here"
# (watch.gp is written after the first chart's data files, all of them)
wait_for 20 test -f "$D/watch.gp" || fail "relative JOBs: no first chart: $(cat "$T/r.log")"
ls "$D" >"$T/r.before"
mv "$R/logs" "$R/logs.away"
mv "$R/other" "$R/other.away"
for j in logs ./other; do
	wait_for 20 grep -qx "trcompare-plot: $j: No such file or directory (reading it again in 0.2 s)" "$T/r.log" ||
		fail "relative JOBs: the listing of $j gone is not said: $(cat "$T/r.log")"
done
sum0=$(cksum <"$D/grow.dat")
printf '{"step":2,"train_loss":1}\n' >>"$R/grow.jsonl"
grown() { [ "$(cksum <"$D/grow.dat")" != "$sum0" ]; }
wait_for 20 grown || fail "relative JOBs: grow.jsonl not drawn again: $(cat "$T/r.log")"
ls "$D" | cmp -s "$T/r.before" - || fail "relative JOBs: the runs of a directory gone left the chart: $(ls "$D")"
cp "$R/grow.jsonl" "$R/late.jsonl"
wait_for 20 test -f "$D/late.dat" || fail "-k: a file made later is not drawn: $(ls "$D"; cat "$T/r.log")"
mv "$R/logs.away" "$R/logs"
mv "$R/other.away" "$R/other"
for j in logs ./other ./late.jsonl; do
	wait_for 20 grep -qx "trcompare-plot: watch: $j read again" "$T/r.log" ||
		fail "relative JOBs: $j is not said read again: $(cat "$T/r.log")"
done
stop_watch TERM
ok "relative JOBs gone: their listings' failures said, their runs drawn meanwhile; -k: a file made later is drawn"
$TRC --help | tr -s ' \n' '  ' | grep -q -- 'whenever a job changed (a directory of runs or an MLflow experiment is listed again each round: new runs join, runs gone leave)' ||
	fail "--help does not say a directory of runs is listed again"
ok "--help: a directory of runs listed again each round"
