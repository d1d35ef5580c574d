#!/bin/sh
# --batch MANIFEST: many comparisons in one process.  Manifest words
# (quotes, continuations, comments), paths relative to the manifest,
# command-line defaults, usage errors at MANIFEST:LINE:COL, each job read
# once (counted on the test HTTP server), the gnuplot pool (every chart
# as a lone -o draws it), failure isolation and exit status, --newer,
# --shard, -v, -q, and hostile text reaching no shell.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
try="Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information."
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

# final_line: the last line of stderr, its time replaced by T.
final_line() { tail -1 "$T/err" | sed 's/ in [0-9.]* s$/ in T s/'; }

# A manifest in its own directory, its jobs beside it, run from elsewhere.
M="$T/sweep"
mkdir -p "$M/runs" "$M/out" "$T/elsewhere"
cp "$RUNS"/*.json "$M/runs/"
cat >"$M/m.txt" <<'MANIFEST'
# Every run, two formats
-o out/all.png -o out/all.svg runs/qwen-350m-lr1e-4.json runs/qwen-350m-lr3e-4.json \
	runs/llama-1.3b-lr2e-4.json   # a continuation, then a comment

-m loss,lr --title 'lr sweep: "1e-4" vs 3e-4' -o out/lr.png -o out/lr.gp \
	"lr 1e-4=runs/qwen-350m-lr1e-4.json" lr\ 3e-4=runs/qwen-350m-lr3e-4.json
-S markdown --summary-output out/size.md -d out/size-data runs/qwen-350m-lr3e-4.json runs/llama-1.3b-lr2e-4.json
MANIFEST
cd "$T/elsewhere"
expect_ok --batch "$M/m.txt" -m loss
cd "$T"
for f in all.png all.svg lr.png lr.gp size.md size-data/compare.gp; do
	[ -s "$M/out/$f" ] || fail "--batch: $f not written"
done
[ "$(final_line)" = "3 charts written, 0 skipped, 0 failed in T s" ] || fail "final line: $(cat "$T/err")"
ok "--batch: every output of 3 lines, paths relative to the manifest"

# The command line's -m loss is every line's default; a line's -m wins.
grep -q '^# 1 panel' "$M/out/all.gp" 2>/dev/null || true
expect_ok -m loss -o "$T/all.png" "$M/runs/qwen-350m-lr1e-4.json" "$M/runs/qwen-350m-lr3e-4.json" \
	"$M/runs/llama-1.3b-lr2e-4.json"
cmp -s "$T/all.png" "$M/out/all.png" || fail "all.png differs from a lone -o with the default -m loss"
expect_ok -m loss,lr --title 'lr sweep: "1e-4" vs 3e-4' -o "$T/lr.gp" \
	"lr 1e-4=$M/runs/qwen-350m-lr1e-4.json" "lr 3e-4=$M/runs/qwen-350m-lr3e-4.json"
cmp -s "$T/lr.gp" "$M/out/lr.gp" || fail "lr.gp differs from a lone -o lr.gp"
expect_ok -m loss,lr --title 'lr sweep: "1e-4" vs 3e-4' -o "$T/lr.png" \
	"lr 1e-4=$M/runs/qwen-350m-lr1e-4.json" "lr 3e-4=$M/runs/qwen-350m-lr3e-4.json"
cmp -s "$T/lr.png" "$M/out/lr.png" || fail "lr.png (drawn by the pool) differs from a lone -o"
expect_ok -m loss -S markdown "$M/runs/qwen-350m-lr3e-4.json" "$M/runs/llama-1.3b-lr2e-4.json"
cmp -s "$T/out" "$M/out/size.md" || fail "size.md differs from -S markdown"
ok "each output as a lone -o writes it (defaults from the command line, overridden by a line)"

# The pool: one gnuplot draws one chart after another; -j 1 and -j 3 the same.
mkdir "$T/pool"
i=0
: >"$T/pool/m"
for a in qwen-350m-lr1e-4 qwen-350m-lr3e-4 llama-1.3b-lr2e-4 qwen-350m-lr5e-4-5ep; do
	for b in qwen-350m-lr1e-4 llama-1.3b-lr2e-4; do
		i=$((i + 1))
		echo "-o c$i.png -o c$i.txt --size 400,300 $RUNS/$a.json $RUNS/$b.json" >>"$T/pool/m"
	done
done
expect_ok --batch "$T/pool/m" -j 1
mkdir "$T/pool1" && mv "$T/pool"/c* "$T/pool1/"
expect_ok --batch "$T/pool/m" -j 3
for f in "$T/pool1"/c*; do cmp -s "$f" "$T/pool/${f##*/}" || fail "-j 1 and -j 3 differ: ${f##*/}"; done
expect_ok -o "$T/lone.png" --size 400,300 "$RUNS/qwen-350m-lr5e-4-5ep.json" "$RUNS/llama-1.3b-lr2e-4.json"
cmp -s "$T/lone.png" "$T/pool/c8.png" || fail "the 8th chart of a session differs from a lone -o"
ok "the gnuplot pool: -j 1 and -j 3 write the same 16 files, as lone -o does"

# Manifest on stdin: paths relative to the working directory.
cd "$M"
printf -- '-o out/stdin.txt runs/qwen-350m-lr1e-4.json\n' | $TRC --batch - >"$T/out" 2>"$T/err" || fail "--batch -: $(cat "$T/err")"
cd "$T"
[ -s "$M/out/stdin.txt" ] || fail "--batch -: no output"
ok "--batch - reads the manifest from stdin"

# Usage errors: every line's, at MANIFEST:LINE:COL, nothing written.
cat >"$T/bad.txt" <<'MANIFEST'
-o b1.png runs/a.json
-o b2.png --frob runs/a.json
--url http://127.0.0.1:9 -o b3.png runs/a.json

 -S runs/a.json
   runs/a.json
-o b1.png runs/b.json
-o b4.xyz runs/a.json
MANIFEST
expect_fail 64 "trcompare-plot: $T/bad.txt:2:11: '--frob': unknown option, or its argument is missing
trcompare-plot: $T/bad.txt:3:1: --url: give it on the --batch command line, not on a manifest line
trcompare-plot: $T/bad.txt:5:2: -S: on a manifest line, name its file with --summary-output FILE
trcompare-plot: $T/bad.txt:6:4: the line names no output (-o FILE, -d DIR, --summary-output FILE or --report FILE)
trcompare-plot: $T/bad.txt:8: -o: unknown output extension '.xyz' (known: .png .svg .pdf .eps .txt .html .gp)
trcompare-plot: $T/bad.txt:7: $T/b1.png: $T/bad.txt:1 writes it too" --batch "$T/bad.txt"
[ ! -e "$T/b1.png" ] || fail "a manifest with usage errors wrote an output"
# The same file spelt two ways, a Markdown report's chart beside it, and
# -d's files are collisions too, between lines and on one line.
cat >"$T/coll.txt" <<MANIFEST
-o out/c.png runs/a.json
-o ./out//c.png runs/b.json
--report out/r.md -m loss runs/a.json
-o out/x/../r-panel-1.png runs/b.json
-o elsewhere/c2.png runs/a.json
-o link/../c2.png runs/b.json
-o out/y.png -o ./out/y.png runs/a.json
-d out/dd runs/a.json
-S csv --summary-output out/dd/x.dat runs/b.json
--report out/q.md -m loss -o out/q-panel-1.png runs/a.json
-o elsewhere/e.png runs/a.json
-o elsewhere/new/../e.png runs/b.json
-o link/f.png runs/a.json
-o elsewhere/deep/f.png runs/b.json
-o elsewhere/deep/g.png runs/a.json
-o new/../link/g.png runs/b.json
-S csv --summary-output out/ee/y.dat runs/b.json
-d out/ee runs/a.json
-d out/ee/ runs/b.json
MANIFEST
mkdir -p "$T/elsewhere/deep"
ln -sfn elsewhere/deep "$T/link"
expect_fail 64 "trcompare-plot: $T/coll.txt:2: $T/./out//c.png: $T/coll.txt:1 writes it too
trcompare-plot: $T/coll.txt:4: $T/out/x/../r-panel-1.png: $T/coll.txt:3 writes it too
trcompare-plot: $T/coll.txt:6: $T/link/../c2.png: $T/coll.txt:5 writes it too
trcompare-plot: $T/coll.txt:7: $T/./out/y.png: -o $T/out/y.png writes it too
trcompare-plot: $T/coll.txt:9: $T/out/dd/x.dat: $T/coll.txt:8 writes it too
trcompare-plot: $T/coll.txt:10: $T/out/q-panel-1.png: --report $T/out/q.md writes it too
trcompare-plot: $T/coll.txt:12: $T/elsewhere/new/../e.png: $T/coll.txt:11 writes it too
trcompare-plot: $T/coll.txt:14: $T/elsewhere/deep/f.png: $T/coll.txt:13 writes it too
trcompare-plot: $T/coll.txt:16: $T/new/../link/g.png: $T/coll.txt:15 writes it too
trcompare-plot: $T/coll.txt:18: $T/out/ee: $T/coll.txt:17 writes it too
trcompare-plot: $T/coll.txt:19: $T/out/ee/compare.gp: $T/coll.txt:18 writes it too" --batch "$T/coll.txt"
# A bind mount's name for a directory is that directory (where this test
# may mount: as root, with mount(8) allowed).
mkdir "$T/bind"
if [ "$(id -u)" -eq 0 ] && mount --bind "$T/elsewhere" "$T/bind" 2>/dev/null; then
	printf -- '-o elsewhere/h.png runs/a.json\n-o bind/h.png runs/b.json\n' >"$T/bind.txt"
	trc --batch "$T/bind.txt"
	umount "$T/bind"
	[ "$rc" -eq 64 ] && [ "$(cat "$T/err")" = "trcompare-plot: $T/bind.txt:2: $T/bind/h.png: $T/bind.txt:1 writes it too" ] ||
		fail "a bind mount's name: exit $rc: $(cat "$T/err")"
fi
# A Windows editor's manifest: a byte order mark, CRLF line ends, also in
# a quoted newline; columns count from after the mark.
mkdir -p "$T/win"
printf '\357\273\277-o a.txt %s\r\n' "$RUNS/qwen-350m-lr1e-4.json" >"$T/win/m"
expect_ok --batch "$T/win/m" -q
printf -- '-o "b\r\nc.txt" %s\r\n' "$RUNS/qwen-350m-lr1e-4.json" >"$T/win/m2"
expect_ok --batch "$T/win/m2" -q
[ -s "$T/win/a.txt" ] && [ -s "$T/win/b
c.txt" ] || fail "a manifest with a BOM and CRLF: $(ls "$T/win" | od -c | head)"
printf '\357\273\277-o x.png "a\r\n' >"$T/win/q"
expect_fail 64 "trcompare-plot: $T/win/q:1:10: unterminated double quote" --batch "$T/win/q"
ok "a manifest with a UTF-8 byte order mark and CRLF line ends"
# An output that a line reads as a JOB, or the manifest itself: refused,
# nothing replaced.
mkdir -p "$T/rd/dd"
cp "$DATA/readers/keras.csv" "$T/rd/k.csv"
cp "$DATA/readers/keras.csv" "$T/rd/dd/a.dat"
cp "$T/rd/k.csv" "$T/rd/k0"
cat >"$T/rd/m.txt" <<MANIFEST
-S csv --summary-output k.csv L=k.csv
-o ./m.txt $RUNS/qwen-350m-lr1e-4.json
-d dd $RUNS/qwen-350m-lr1e-4.json
-o x.txt dd/a.dat
MANIFEST
expect_fail 64 "trcompare-plot: $T/rd/m.txt:1: $T/rd/k.csv: it is the JOB L=$T/rd/k.csv
trcompare-plot: $T/rd/m.txt:2: $T/rd/./m.txt: it is the manifest
trcompare-plot: $T/rd/m.txt:3: $T/rd/dd/a.dat: it is the JOB $T/rd/dd/a.dat of $T/rd/m.txt:4" --batch "$T/rd/m.txt"
cmp -s "$T/rd/k.csv" "$T/rd/k0" && [ -s "$T/rd/m.txt" ] && [ ! -e "$T/rd/x.txt" ] || fail "an input was replaced"
printf -- '-o x.txt a\0b\n' >"$T/nul.txt"
expect_fail 64 "trcompare-plot: $T/nul.txt:1:11: NUL byte" --batch "$T/nul.txt"
printf -- '-o x.txt "a\0b"\n' >"$T/nul.txt"
expect_fail 64 "trcompare-plot: $T/nul.txt:1:12: NUL byte" --batch "$T/nul.txt"
printf -- '-o x.txt a\\' >"$T/bs.txt"
expect_fail 64 "trcompare-plot: $T/bs.txt:1:11: backslash at the end of the manifest" --batch "$T/bs.txt"
rc=0
head -c 65M /dev/zero | "$PROG" --batch - >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 64 ] && [ "$(cat "$T/err")" = "trcompare-plot: stdin: larger than 64 MiB" ] ||
	fail "a manifest on stdin over 64 MiB: exit $rc: $(cat "$T/err")"
printf -- "-o x.png 'runs/a.json\n" >"$T/quote.txt"
expect_fail 64 "trcompare-plot: $T/quote.txt:1:10: unterminated single quote" --batch "$T/quote.txt"
expect_fail 64 "trcompare-plot: $T/none.txt: No such file or directory" --batch "$T/none.txt"
expect_fail 64 "trcompare-plot: --batch takes no JOB; write the JOBs on the manifest's lines
$try" --batch "$T/bad.txt" "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --batch: name the outputs (-o, -d, --summary-output, --report) on the manifest's lines
$try" --batch "$T/bad.txt" -o x.png
expect_fail 64 "trcompare-plot: --newer: only with --batch
$try" --newer "$RUNS/qwen-350m-lr1e-4.json"
expect_fail 64 "trcompare-plot: --shard: '3/2' is not K/N (1 <= K <= N <= 1000000)
$try" --batch "$T/bad.txt" --shard 3/2
for bad in +1/3 ' 1/3' 1/+3 1/3x 0/3 1/1000001; do
	expect_fail 64 "trcompare-plot: --shard: '$bad' is not K/N (1 <= K <= N <= 1000000)
$try" --batch "$T/bad.txt" --shard "$bad"
done
printf -- '-o x.png -o - a.json\n--data -o y.png a.json\n' >"$T/stdout.txt"
expect_fail 64 "trcompare-plot: $T/stdout.txt:1:1: -o -: not on a manifest line (name a file)
trcompare-plot: $T/stdout.txt:2:1: --data: not on a manifest line (use -d DIR)" --batch "$T/stdout.txt"
printf -- '-o x.png -\n' >"$T/stdin.txt"
expect_fail 64 "trcompare-plot: stdin:1: -: standard input holds the manifest" --batch - <"$T/stdin.txt"

# Failure isolation: a missing job, an unwritable output; the rest written.
mkdir "$T/iso"
echo "a file, not a directory" >"$T/iso/afile"
cat >"$T/iso/m" <<MANIFEST
-o ok1.png $RUNS/qwen-350m-lr1e-4.json
-o miss.png $RUNS/qwen-350m-lr1e-4.json nothere.json
-o afile/x.png -o ok2.svg $RUNS/qwen-350m-lr3e-4.json
-o ok3.txt $RUNS/llama-1.3b-lr2e-4.json
MANIFEST
trc --batch "$T/iso/m"
[ "$rc" -eq 1 ] || fail "a failing line: exit $rc, want 1: $(cat "$T/err")"
grep -qx "trcompare-plot: $T/iso/m:2: $T/iso/nothere.json: No such file or directory" "$T/err" ||
	fail "the missing job is not reported with its line: $(cat "$T/err")"
grep -qx "trcompare-plot: $T/iso/m:3: $T/iso/afile/x.png: cannot create: Not a directory" "$T/err" ||
	fail "the unwritable output is not reported with its line: $(cat "$T/err")"
[ "$(final_line)" = "2 charts written, 0 skipped, 2 failed in T s" ] || fail "final line: $(cat "$T/err")"
for f in ok1.png ok3.txt; do [ -s "$T/iso/$f" ] || fail "$f not written beside failing lines"; done
# The unwritable output is found before the line draws anything: its
# other output is not written either.
[ ! -e "$T/iso/ok2.svg" ] || fail "a line with an unwritable output wrote its other output"
[ ! -e "$T/iso/miss.png" ] || fail "a line whose job failed wrote its chart"
[ -z "$(ls -A "$T/iso" | grep '^\.trc')" ] || fail "temporary files left: $(ls -A "$T/iso")"
# Missing directories above an output are made.
printf -- '-o deep/er/x.txt %s\n' "$RUNS/qwen-350m-lr1e-4.json" >"$T/iso/m3"
expect_ok --batch "$T/iso/m3"
[ -s "$T/iso/deep/er/x.txt" ] || fail "--batch: the output's directories were not made"
ok "a failing job and output are reported with their line; the others are written; exit 1"
# A job that cannot be fetched: exit 2 (-k draws the rest of its line).
cat >"$T/iso/m2" <<MANIFEST
-o f1.png $RUNS/qwen-350m-lr1e-4.json
-k -o f2.png $RUNS/qwen-350m-lr1e-4.json http://127.0.0.1:9/gone.json
MANIFEST
trc --batch "$T/iso/m2" --retry 0
[ "$rc" -eq 2 ] || fail "a job not fetched: exit $rc, want 2: $(cat "$T/err")"
grep -q "^trcompare-plot: $T/iso/m2:2: http://127.0.0.1:9/gone.json: " "$T/err" || fail "fetch failure: $(cat "$T/err")"
[ -s "$T/iso/f1.png" ] && [ -s "$T/iso/f2.png" ] || fail "exit 2: the charts were not drawn"
ok "a job that cannot be fetched: exit 2, the charts drawn"

# --newer: up-to-date lines are skipped; a touched input redraws its line.
N="$T/newer"
mkdir -p "$N/runs"
cp "$RUNS"/*.json "$N/runs/"
printf -- '-o a.png runs/qwen-350m-lr1e-4.json\n-o b.txt -d bd runs/qwen-350m-lr3e-4.json\n-o c.gp https://example.invalid/x.json\n' >"$N/m"
touch -d '2020-01-01' "$N"/runs/*.json
trc --batch "$N/m" --newer
[ "$(final_line)" = "2 charts written, 0 skipped, 1 failed in T s" ] || fail "--newer, first run: $(cat "$T/err")"
trc --batch "$N/m" --newer -v
grep -q "wrote $N/a.png" "$T/err" && fail "--newer redrew an up-to-date line"
[ "$(final_line)" = "0 charts written, 2 skipped, 1 failed in T s" ] || fail "--newer, second run: $(cat "$T/err")"
touch "$N/runs/qwen-350m-lr3e-4.json"
trc --batch "$N/m" --newer -v
grep -qx "trcompare-plot: wrote $N/b.txt" "$T/err" || fail "--newer: a newer input did not redraw: $(cat "$T/err")"
[ "$(final_line)" = "1 chart written, 1 skipped, 1 failed in T s" ] || fail "--newer, third run: $(cat "$T/err")"
rm "$N/bd/compare.gp"
trc --batch "$N/m" --newer
[ "$(final_line)" = "1 chart written, 1 skipped, 1 failed in T s" ] || fail "--newer, a missing output: $(cat "$T/err")"
ok "--newer skips up-to-date lines, redraws those with a newer input or a missing output"
# A TensorBoard log root: its event files may be many levels down (runs
# 16 levels below are read); --newer looks as deep, once per input
# however many lines name it.
python3 "$top_srcdir/tests/trackers.py" tfevents "$T/tfe" >/dev/null
mkdir -p "$N/logs/sweep/lr-1e-4/seed-0/v2"
cp -r "$T/tfe/multi/run_a" "$N/logs/sweep/lr-1e-4/seed-0/v2/run_a"
ev=$(echo "$N"/logs/sweep/lr-1e-4/seed-0/v2/run_a/events.*)
printf -- '-o tb.txt logs\n-o tb2.txt logs\n' >"$N/tb"
touch -d '2020-01-01' "$ev"
trc --batch "$N/tb" --newer
[ "$rc" -eq 0 ] && [ "$(final_line)" = "2 charts written, 0 skipped, 0 failed in T s" ] || fail "--newer, a log root: $(cat "$T/err")"
trc --batch "$N/tb" --newer
[ "$(final_line)" = "0 charts written, 2 skipped, 0 failed in T s" ] || fail "--newer, a log root unchanged: $(cat "$T/err")"
touch "$ev"
trc --batch "$N/tb" --newer
[ "$(final_line)" = "2 charts written, 0 skipped, 0 failed in T s" ] ||
	fail "--newer: an event file 6 levels down changed, the chart was not redrawn: $(cat "$T/err")"
ok "--newer: a log root's event file far down is an input"
# A run inside a file (a W&B export's FILE#RUN) is that file's: skipped
# while it is older than the chart, redrawn once it is newer.
# (export.csv#RUN, a name like a job id, is the manifest directory's file.)
mkdir -p "$N/wb"
cp "$DATA/wbcsv/wandb_export.csv" "$N/export.csv"
cp "$DATA/wbcsv/wandb_export.csv" "$N/wb/export.csv"
touch -d '2020-01-01' "$N/export.csv" "$N/wb/export.csv"
printf -- '-o wb.txt wb/export.csv#lora-r8\n-o wb2.txt export.csv#lora-r8\n' >"$N/wb.m"
trc --batch "$N/wb.m" --newer -q
[ "$rc" -eq 0 ] && [ -s "$N/wb.txt" ] && [ -s "$N/wb2.txt" ] || fail "--newer FILE#RUN, first run: $(cat "$T/err")"
trc --batch "$N/wb.m" --newer
[ "$(final_line)" = "0 charts written, 2 skipped, 0 failed in T s" ] || fail "--newer FILE#RUN up to date: $(cat "$T/err")"
touch "$N/wb/export.csv"
trc --batch "$N/wb.m" --newer -v
[ "$(final_line)" = "1 chart written, 1 skipped, 0 failed in T s" ] && grep -qx "trcompare-plot: wrote $N/wb.txt" "$T/err" ||
	fail "--newer FILE#RUN, a newer file: $(cat "$T/err")"
ok "--newer: FILE#RUN is an input file; export.csv#RUN is the manifest directory's"

# An mlflow.db in WAL mode takes its commits in mlflow.db-wal, the file
# itself unchanged until a checkpoint: the -wal file is an input too.
if python3 -c 'import sqlite3' 2>/dev/null; then
	python3 "$top_srcdir/tests/trackers.py" mlflowdb "$N/db"
	python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL").fetchall()' "$N/db/mlflow.db"
	touch -d '2020-01-01' "$N/db/mlflow.db"
	echo "-S text --summary-output wal.txt db/mlflow.db" >"$N/wal.m"
	trc --batch "$N/wal.m" --newer
	trc --batch "$N/wal.m" --newer
	[ "$(final_line)" = "0 charts written, 1 skipped, 0 failed in T s" ] || fail "--newer mlflow.db up to date: $(cat "$T/err")"
	# A commit left in the -wal file (the writer still open: no checkpoint).
	python3 -c '
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO metrics SELECT key, 0.125, timestamp + 1, run_uuid, step + 1000, 0 FROM metrics WHERE key = \"loss\" ORDER BY step DESC LIMIT 1")
db.commit()
os._exit(0)' "$N/db/mlflow.db"
	[ -s "$N/db/mlflow.db-wal" ] && [ "$N/db/mlflow.db" -ot "$N/wal.txt" ] || fail "no commit in mlflow.db-wal alone"
	trc --batch "$N/wal.m" --newer -v
	[ "$(final_line)" = "1 chart written, 0 skipped, 0 failed in T s" ] && grep -q '0\.125' "$N/wal.txt" ||
		fail "--newer: a commit in mlflow.db-wal did not redraw: $(cat "$T/err") $(cat "$N/wal.txt")"
	ok "--newer: mlflow.db's -wal file is an input"
fi

# --shard K/N: the shards together are the whole, no line twice.
S="$T/shard"
mkdir "$S"
for i in $(seq 1 11); do echo "-o s$i.gp $RUNS/qwen-350m-lr1e-4.json" >>"$S/m"; done
: >"$S/all"
for k in 1 2 3 4; do
	trc --batch "$S/m" --shard "$k/4" -v
	[ "$rc" -eq 0 ] || fail "--shard $k/4: exit $rc"
	grep '^trcompare-plot: wrote ' "$T/err" >>"$S/all"
done
[ "$(wc -l <"$S/all")" -eq 11 ] || fail "4 shards wrote $(wc -l <"$S/all") outputs, want 11"
[ -z "$(sort "$S/all" | uniq -d)" ] || fail "a line in two shards: $(sort "$S/all" | uniq -d)"
[ "$(ls "$S"/s*.gp | wc -l)" -eq 11 ] || fail "not every line was drawn by some shard"
grep -q "wrote $S/s5.gp" "$S/all" && sed -n 5p "$S/all" | grep -q "s4.gp" || true
trc --batch "$S/m" --shard 2/4 -v
[ "$(grep -c wrote "$T/err")" -eq 3 ] && grep -q "wrote $S/s2.gp" "$T/err" && grep -q "wrote $S/s6.gp" "$T/err" &&
	grep -q "wrote $S/s10.gp" "$T/err" || fail "--shard 2/4 is not lines 2, 6, 10: $(cat "$T/err")"
trc --batch "$S/m" --shard 12/20
[ "$rc" -eq 0 ] && [ "$(final_line)" = "0 charts written, 0 skipped, 0 failed in T s" ] || fail "an empty shard: $(cat "$T/err")"
ok "--shard: 4 shards of 11 lines are the whole, no line twice; 2/4 is lines 2, 6, 10"

# Progress: one line on a terminal (script(1) makes one), none in a file.
grep -q "$(printf '\r')" "$T/err" && fail "a progress line when stderr is no terminal"
if command -v script >/dev/null 2>&1; then
	script -qc "$PROG --batch '$S/m' -j 1 2>&1 >/dev/null" /dev/null >"$T/tty" </dev/null
	tr '\r' '\n' <"$T/tty" | grep -q '^.\[K1 job read; charts 11/11, 0 failed; [0-9.]* s$' ||
		fail "no progress line on a terminal: $(od -c "$T/tty" | head)"
	script -qc "$PROG --batch '$S/m' -q 2>&1 >/dev/null" /dev/null >"$T/tty" </dev/null
	[ ! -s "$T/tty" ] || fail "-q on a terminal: $(od -c "$T/tty" | head)"
	ok "progress: a line on a terminal, none with -q"
fi

# A "--" ending the --batch command line is no default: the lines' words
# stay options (they were all read as JOBs: "the line names no output").
trc --batch "$S/m" --shard 1/11 -m loss --
[ "$rc" -eq 0 ] && [ "$(final_line)" = "1 chart written, 0 skipped, 0 failed in T s" ] ||
	fail "--batch M --: exit $rc: $(cat "$T/err")"
ok "--batch M -- : the lines' options stay options"

# -q: nothing on stderr.
trc --batch "$S/m" -q
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "-q: $(cat "$T/err")"
ok "-q: no final line"

# Hostile text: no shell, no gnuplot command.
H="$T/hostile"
mkdir "$H"
cd "$H"
cat >"$H/m" <<MANIFEST
--title '\`touch pwned1\`"; system "touch pwned2' -o 'h\$(touch pwned3).png' \
	'lab"; system("touch pwned4")=$RUNS/qwen-350m-lr1e-4.json'
-o '|touch pwned7.png' -o '<x.svg' $RUNS/qwen-350m-lr1e-4.json
-o h3.png ./;touch\ pwned5 '\$(touch pwned6).json'
MANIFEST
trc --batch "$H/m"
cd "$T"
[ "$rc" -eq 1 ] || fail "hostile manifest: exit $rc: $(cat "$T/err")"
for f in pwned1 pwned2 pwned3 pwned4 pwned5 pwned6 pwned7.png; do
	[ ! -e "$H/$f" ] && [ ! -e "$T/$f" ] || fail "a manifest line ran something: $f"
done
[ -s "$H/h\$(touch pwned3).png" ] && [ -s "$H/|touch pwned7.png" ] && [ -s "$H/<x.svg" ] ||
	fail "hostile names: not written as named: $(ls "$H"); $(cat "$T/err")"
grep -qx "trcompare-plot: $H/m:3: $H/./;touch pwned5: No such file or directory" "$T/err" ||
	fail "hostile job: $(cat "$T/err")"
ok "hostile words reach no shell and no gnuplot command"

# Each job read once: 24 lines over 5 jobs on the test HTTP server, every
# job fetched exactly once.
TESTD="$top_builddir/tests/server/trcompare-testd"
[ -x "$TESTD" ] || skip "trcompare-testd not built (libmicrohttpd missing?)"
"$TESTD" --dir="$DATA/http" --port-file="$T/port" --log="$T/http.log" --lifetime=120 2>"$T/testd.err" &
testd=$!
trap 'kill $testd 2>/dev/null; wait $testd 2>/dev/null; cleanup_T' EXIT
wait_for 10 test -s "$T/port" || fail "test server did not start: $(cat "$T/testd.err")"
W="$T/web"
mkdir "$W"
n=0
for a in r1 r2 r3 r4 r5; do
	for b in r1 r2 r3 r4 r5; do
		[ "$a" = "$b" ] && continue
		n=$((n + 1))
		[ $n -le 24 ] || continue
		if [ $((n % 3)) -eq 0 ]; then
			echo "-o c$n.png -o c$n.svg -m loss $a $b r5" >>"$W/m"
		else
			echo "-o c$n.txt $a $b" >>"$W/m"
		fi
	done
done
[ "$(wc -l <"$W/m")" -eq 20 ] || [ "$(wc -l <"$W/m")" -eq 24 ] || fail "manifest: $(wc -l <"$W/m") lines"
expect_ok --batch "$W/m" --url "http://127.0.0.1:$(cat "$T/port")" -j 2
[ "$(final_line)" = "$(wc -l <"$W/m" | tr -d ' ') charts written, 0 skipped, 0 failed in T s" ] ||
	fail "HTTP batch: $(cat "$T/err")"
for j in r1 r2 r3 r4 r5; do
	c=$(grep -c "^GET /api/training/local/$j/metrics\$" "$T/http.log" || true)
	[ "$c" -eq 1 ] || fail "job $j fetched $c times, want once: $(cat "$T/http.log")"
done
[ -s "$W/c3.png" ] && [ -s "$W/c3.svg" ] && [ -s "$W/c20.txt" ] || fail "HTTP batch: outputs missing"
ok "$(wc -l <"$W/m" | tr -d ' ') lines over 5 jobs on the API: each job fetched once"

# --index: one page linking every chart (relative to the page), with its
# summary table; a failed line says so.
mkdir -p "$T/site/pages"
cat >"$T/site/m" <<MANIFEST
--title 'two <b>runs</b>' -o charts/a.png -o 'charts/a b.svg' -o charts/a.gp $RUNS/qwen-350m-lr1e-4.json $RUNS/qwen-350m-lr3e-4.json
-o charts/bad.png $T/site/missing.json
MANIFEST
trc --batch "$T/site/m" --index "$T/site/pages/index.md"
[ "$rc" -eq 1 ] || fail "--index: exit $rc: $(cat "$T/err")"
cd "$T/site/pages"
grep -qx '## two \\<b\\>runs\\< /b\\>' index.md || fail "--index: no title heading: $(cat index.md)"
grep -qx '!\[../charts/a.png\](../charts/a.png)' index.md || fail "--index: no image link: $(cat index.md)"
grep -qx '!\[../charts/a b.svg\](../charts/a%20b.svg)' index.md || fail "--index: no escaped link: $(cat index.md)"
grep -qx '\[../charts/a.gp\](../charts/a.gp)' index.md || fail "--index: no script link: $(cat index.md)"
grep -q '| qwen-350m-lr3e-4 |' index.md || fail "--index: no summary table"
# (":" is escaped in Markdown: GitHub would make a link of "http:…")
grep -Fqx "$T/site/m\\:2: failed" index.md || fail "--index: the failed line is not marked: $(cat index.md)"
for l in $(sed -n 's/^!\?\[[^]]*\](\([^)]*\))$/\1/p' index.md | sed 's/%20/ /g' | tr ' ' '@'); do
	f=$(printf '%s' "$l" | tr '@' ' ')
	[ "$f" = ../charts/bad.png ] || [ -s "$f" ] || fail "--index links a missing file: $f"
done
cd "$T"
expect_ok --batch "$T/site/m" --index "$T/site/index.html" -q --shard 1/2
grep -q '<h2>two &lt;b&gt;runs&lt; /b&gt;</h2>' "$T/site/index.html" && grep -q '<img src="charts/a.png"' "$T/site/index.html" &&
	grep -q '<pre>.*job' "$T/site/index.html" || fail "--index .html: $(cat "$T/site/index.html")"
ok "--index .md and .html: every chart linked relative to the page, summaries, failures marked"
# A line writing the index's file (however it is spelt) is a usage error:
# nothing is read or written.
mkdir -p "$T/ix"
cat >"$T/ix/m" <<MANIFEST
-o a.png $RUNS/qwen-350m-lr1e-4.json
-S markdown --summary-output pages/../index.md -o b.png $RUNS/qwen-350m-lr1e-4.json
MANIFEST
expect_fail 64 "trcompare-plot: $T/ix/m:2: $T/ix/pages/../index.md: --index $T/ix/./index.md writes it too" \
	--batch "$T/ix/m" --index "$T/ix/./index.md"
[ "$(ls "$T/ix")" = m ] || fail "--index clash: something was written: $(ls "$T/ix")"
ok "--index: a line writing the index's file is refused before anything is written"
# Hostile text on the page: a title of '#' or ending in '#' (a heading's
# closing '#'s), a manifest named like a list item, a label with < | in
# the HTML page's plain-text summary (no Markdown escapes there); a
# report's title likewise.
mkdir -p "$T/ixh"
cat >"$T/ixh/1. m" <<MANIFEST
--title '#' -o a.txt 'lab<b>|x=$RUNS/qwen-350m-lr1e-4.json'
--title 'sweep #3 #' -o b.txt $RUNS/qwen-350m-lr1e-4.json
--title '# x #' --report r.md -m loss $RUNS/qwen-350m-lr1e-4.json
MANIFEST
cd "$T/ixh"
expect_ok --batch '1. m' --index i.md -q
expect_ok --batch '1. m' --index i.html -q
cd "$T"
grep -qx '## \\#' "$T/ixh/i.md" && grep -qx '## sweep \\#3 \\#' "$T/ixh/i.md" && grep -qx '1\\. m\\:2' "$T/ixh/i.md" ||
	fail "--index .md: a '#' title or a list-like place: $(grep -v '^|' "$T/ixh/i.md")"
[ "$(head -1 "$T/ixh/r.md")" = '# \# x \#' ] || fail "--report .md: a '#' title: $(head -1 "$T/ixh/r.md")"
if command -v cmark-gfm >/dev/null 2>&1; then
	cmark-gfm -e table "$T/ixh/i.md" >"$T/ixh/md.html"
	grep -qx '<h2>#</h2>' "$T/ixh/md.html" && grep -qx '<h2>sweep #3 #</h2>' "$T/ixh/md.html" &&
		grep -qx '<p>1. m:1</p>' "$T/ixh/md.html" && ! grep -q '<ol' "$T/ixh/md.html" ||
		fail "--index .md rendered: $(grep -v '<t[dhr]\|</t' "$T/ixh/md.html")"
	[ "$(head -1 "$T/ixh/r.md" | cmark-gfm)" = '<h1># x #</h1>' ] || fail "--report .md: a '#' title rendered"
fi
sed -n '/<pre>/,/<\/pre>/p' "$T/ixh/i.html" >"$T/ixh/pre"
grep -q '^\* lab&lt;b&gt;|x ' "$T/ixh/pre" && ! grep -q '\\' "$T/ixh/pre" ||
	fail "--index .html: the summary is not plain text: $(cat "$T/ixh/pre")"
ok "--index: '#' titles, a list-like manifest name, a plain-text summary in HTML; a report's '#' title"
expect_fail 64 "trcompare-plot: --index: 'x.txt' does not end in .md or .html
$try" --batch "$T/site/m" --index x.txt
expect_fail 64 "trcompare-plot: --index: only with --batch
$try" --index x.md "$RUNS/qwen-350m-lr1e-4.json"

# --report on manifest lines: an HTML page and a Markdown report (its charts
# beside it), each showing the line's own command; --newer counts them.
mkdir -p "$T/rep"
cat >"$T/rep/m" <<MANIFEST
--report pages/r.html --title 'line one' $RUNS/qwen-350m-lr1e-4.json $RUNS/qwen-350m-lr3e-4.json
--report pages/r.md -m loss $RUNS/qwen-350m-lr1e-4.json LAB=$RUNS/llama-1.3b-lr2e-4.json
MANIFEST
trc --batch "$T/rep/m" -q
[ "$rc" -eq 0 ] || fail "--report lines: exit $rc: $(cat "$T/err")"
grep -q '<svg' "$T/rep/pages/r.html" && grep -q 'line one' "$T/rep/pages/r.html" ||
	fail "--report line: no chart or title in the page"
grep -q 'trcompare-plot --report pages/r.html --title' "$T/rep/pages/r.html" ||
	fail "--report line: the page does not show the line's command"
grep -q 'r-panel-1.png' "$T/rep/pages/r.md" && [ -s "$T/rep/pages/r-panel-1.png" ] ||
	fail "--report .md line: no chart beside it: $(ls "$T/rep/pages")"
grep -q 'LAB' "$T/rep/pages/r.md" || fail "--report .md line: no LAB job"
touch "$T/rep/pages/r.html" "$T/rep/pages/r.md"
trc --batch "$T/rep/m" --newer
grep -q '^0 charts written, 2 skipped, 0 failed' "$T/err" || fail "--report lines with --newer: $(cat "$T/err")"
# The page's command has the defaults given with --batch, not the options
# for the whole run (-q, -j, --shard, --newer, the API's).
rm "$T/rep/pages/r.html"
trc --batch "$T/rep/m" -q -j 1 --smooth 0.5 --shard=1/1 -x epoch --newer --retry 2
grep -q 'trcompare-plot --smooth 0.5 -x epoch --report pages/r.html --title' "$T/rep/pages/r.html" ||
	fail "--report line: the page's command lacks the defaults or shows batch options: $(grep -o 'trcompare-plot [^<]*' "$T/rep/pages/r.html" | head -1)"
rm "$T/rep/pages/r-panel-1.png"
trc --batch "$T/rep/m" --newer
grep -q '^1 chart written, 1 skipped, 0 failed' "$T/err" && [ -s "$T/rep/pages/r-panel-1.png" ] ||
	fail "--newer: a Markdown report without its chart was not redrawn: $(cat "$T/err")"
expect_fail 64 "trcompare-plot: --batch: name the outputs (-o, -d, --summary-output, --report) on the manifest's lines
$try" --batch "$T/rep/m" --report x.html
ok "--report on manifest lines: HTML and Markdown, the line's command, --newer"

# --- review fixes: --watch is not for --batch; --baseline on a line names
# the line's JOB (resolved against the manifest's directory) and feeds the
# summary file; a baseline that was not read fails the line.
expect_fail 64 "trcompare-plot: --batch draws each chart once: no --watch
$try" --batch "$T/rep/m" --watch
mkdir -p "$T/bl/sub"
cp "$RUNS/qwen-350m-lr1e-4.json" "$RUNS/qwen-350m-lr3e-4.json" "$T/bl/sub/"
printf '%s\n' '-S csv --summary-output s.csv --baseline=qwen-350m-lr1e-4.json qwen-350m-lr1e-4.json qwen-350m-lr3e-4.json' >"$T/bl/sub/m"
printf '%s\n' '-w -o x.png qwen-350m-lr1e-4.json' >"$T/bl/sub/w"
expect_ok --batch "$T/bl/sub/m" -q
head -1 "$T/bl/sub/s.csv" | grep -q ',baseline,delta_final_eval_loss,' || fail "--baseline on a line: no deltas: $(head -2 "$T/bl/sub/s.csv")"
tr -d '\r' <"$T/bl/sub/s.csv" | grep -q '^qwen-350m-lr1e-4,.*,true,0,0,0,0,0$' || fail "--baseline on a line: the baseline row: $(cat "$T/bl/sub/s.csv")"
trc --batch "$T/bl/sub/w"
[ "$rc" -eq 64 ] && grep -q "^trcompare-plot: $T/bl/sub/w:1:1: --watch: not with --batch\$" "$T/err" ||
	fail "-w on a manifest line: exit $rc: $(cat "$T/err")"
ok "--batch: --watch refused, --baseline on a line resolved and in the summary file"

# --- no private temporary file (TMPDIR missing): each chart's script goes
# down its gnuplot's pipe instead, and the charts are the same.
mkdir -p "$T/notmp"
printf '%s\n' "-o a.png $RUNS/llama-1.3b-lr2e-4.json" "-o b.svg $RUNS/qwen-350m-lr1e-4.json $RUNS/qwen-350m-lr3e-4.json" >"$T/notmp/m"
# (The program itself: valgrind needs TMPDIR for its own files.)
rc=0
TMPDIR=$T/notmp/missing "$PROG" --batch "$T/notmp/m" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 0 ] && grep -q '^2 charts written, 0 skipped, 0 failed' "$T/err" &&
	[ "$(od -An -tx1 -N4 "$T/notmp/a.png" | tr -d ' ')" = 89504e47 ] && grep -q '</svg>' "$T/notmp/b.svg" ||
	fail "--batch with TMPDIR missing: exit $rc: $(cat "$T/err")"
ok "--batch without a temporary directory: the scripts go down the pipes"
