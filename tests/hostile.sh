#!/bin/sh
# tests/hostile.sh: hostile job ids, labels, column names and file names
# driven through every output of the real program with the real gnuplot.
#
# The fixtures in tests/data/hostile/ carry job_ids and column names with
# quotes, backquotes running `touch canary`, @macros, $, #, ;, newlines, CR,
# tabs, NUL (\u0000), EOD lines, < and |, system(), enhanced-text markup,
# ]]>, </script>, &#x1;, terminal escapes, invalid UTF-8 and a 100 kB id.
# On top of them: hostile file names, a hostile LABEL=, a hostile --title
# and hostile column names picked with -m.
#
# Everything runs in a private working directory.  After each step:
#   - nothing ran: no file named canary* anywhere under $T, and the working
#     directory holds exactly the files the step was meant to write;
#   - every output parses in its own syntax: SVG (xmllint), PNG/PDF/EPS
#     (magic), canvas HTML (no extra "</script" or "<!--"), text (valid
#     UTF-8 without control characters), data files and --data (comments,
#     one header of plain names, numbers), summary text/markdown/csv/json
#     (rows per job; python3's csv module; jq).
. "$(dirname "$0")/lib.sh"

need_gnuplot
command -v xmllint >/dev/null 2>&1 || skip "xmllint (libxml2-utils) not installed"
command -v jq >/dev/null 2>&1 || skip "jq not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
[ -x "$PROG" ] || skip "$PROG not built"

H="$DATA/hostile"
W="$T/work"
mkdir "$W" "$T/in" "$T/elsewhere"
# gnuplot must not read anyone's ~/.gnuplot, and runs where a canary would land.
HOME="$T/home"
export HOME
mkdir "$HOME"
unset DISPLAY GNUTERM GNUPLOT_LIB 2>/dev/null || true

# ---------------------------------------------------------------- checkers
# One python3 checker for the text formats; usage: check.py MODE FILE [N].
cat >"$T/check.py" <<'EOF'
import csv, re, sys

mode, path = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else None
raw = open(path, "rb").read()

def die(msg):
    sys.exit("%s: %s" % (path, msg))

try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    die("not valid UTF-8: %s" % e)
# gnuplot's dumb terminal starts each page with a form feed.
allowed = {"csv": "\n\r", "dumb": "\n\f"}.get(mode, "\n")
for i, ch in enumerate(text):
    o = ord(ch)
    if mode != "bidi" and ((o < 0x20 and ch not in allowed) or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029)):
        die("control character U+%04X at %d" % (o, i))
    # Invisible format and bidirectional controls (U+202E shows a name
    # backwards): in every output, SVG included.
    if o in (0xAD, 0x61C, 0x180E, 0xFEFF) or 0x200B <= o <= 0x200F or 0x202A <= o <= 0x202E \
            or 0x2060 <= o <= 0x206F or 0xFFF9 <= o <= 0xFFFB or 0xE0001 <= o <= 0xE007F:
        die("format/bidi control U+%04X at %d" % (o, i))
if mode == "csv":
    if "\r" in text.replace("\r\n", ""):
        die("bare CR")
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    if len(rows) != n + 1:
        die("%d rows, want %d (header + %d jobs)" % (len(rows), n + 1, n))
    widths = set(len(r) for r in rows)
    if len(widths) != 1:
        die("rows of different widths %s" % sorted(widths))
    num = re.compile(r"^-?[0-9.eE+-]+$")
    for r in rows:
        for c in r:
            if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not num.match(c)):
                die("cell %r would run as a spreadsheet formula" % c)
elif mode == "markdown":
    lines = [l for l in text.split("\n") if l.startswith("|")]
    if len(lines) != n + 2:
        die("%d table lines, want %d" % (len(lines), n + 2))
    # Unescaped pipes per row: the same in every row.
    counts = set(len(re.findall(r"(?<!\\)(?:\\\\)*\|", l)) for l in lines)
    if len(counts) != 1:
        die("rows with different cell counts %s" % sorted(counts))
    if not re.match(r"^\|(\s*:?-+:?\s*\|)+$", lines[1]):
        die("second line is not a delimiter row")
elif mode == "text-table":
    # The table runs up to the first blank line: a header and a row per job.
    rows = text.rstrip("\n").split("\n\n")[0].split("\n")
    if len(rows) != n + 1:
        die("%d table lines, want %d" % (len(rows), n + 1))
elif mode in ("data", "stream"):
    # Comments, blank lines (between --data blocks), one header of plain
    # column names per block, each in double quotes, then numbers.
    name = re.compile(r"^\"[A-Za-z0-9_.-]+\"$")
    number = re.compile(r"^(NaN|[-+]?(inf|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?))$")
    header_ok, blocks = True, 0
    for i, l in enumerate(text.split("\n")):
        if l.startswith("#"):
            continue
        if l.strip() == "":
            header_ok = True
            continue
        f = l.split()
        if header_ok and all(name.match(x) and not number.match(x) for x in f):
            header_ok = False
            blocks += 1
            continue
        header_ok = False
        for x in f:
            if not number.match(x):
                die("line %d: %r is neither a number nor in a header" % (i + 1, x))
    if mode == "stream" and n is not None and blocks != n:
        die("%d blocks with a header, want %d" % (blocks, n))
elif mode not in ("text", "dumb", "bidi"):
    die("unknown mode " + mode)
EOF

# nothing_ran STEP: no canary anywhere under $T (the fixtures all say
# "touch canary"; run from $W it would land there).
nothing_ran() {
	found=$(find "$T" -name 'canary*' -print | head -n 5)
	[ -z "$found" ] || fail "$1: a command ran: $found"
}

# only_files DIR STEP NAME...: DIR holds exactly the NAMEs.
only_files() {
	dir=$1 step=$2
	shift 2
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	got=$(cd "$dir" && ls -A | LC_ALL=C sort)
	[ "$got" = "$want" ] || fail "$step: $dir holds
$got
want
$want"
}

# gnuplot_ok STEP ARGS...: run gnuplot in $W, stdout in $W/gp.out; it must
# exit 0 with nothing but warnings on stderr.
gnuplot_ok() {
	step=$1
	shift
	gprc=0
	(cd "$W" && gnuplot "$@" >"$T/gp.out" 2>"$T/gp.err") || gprc=$?
	nothing_ran "$step"
	[ "$gprc" -eq 0 ] || fail "$step: gnuplot exit $gprc: $(head -c 2000 "$T/gp.err")"
	if grep -v -e 'warning:' -e '^ *$' "$T/gp.err" >/dev/null; then
		fail "$step: gnuplot complained: $(head -c 2000 "$T/gp.err")"
	fi
}

check() { python3 "$T/check.py" "$@" || fail "$1 check failed"; }
svg_ok() {
	xmllint --noout "$1" 2>"$T/xml.err" || fail "$2: invalid XML: $(head -c 1000 "$T/xml.err")"
	check bidi "$1"
}
magic() { [ "$(head -c "${#2}" "$1")" = "$2" ] || fail "$3: $1 does not start with $2"; }

# script_breaks FILE: how many "</script" and "<!--" a canvas page holds.
script_breaks() {
	LC_ALL=C grep -o -i -e '</script' -e '<!--' "$1" | wc -l
}

# ---------------------------------------------------------------- the jobs
# Hostile file names (for labels taken from the name, and for messages).
NL='
'
cp "$H/24-lines.jsonl" "$T/in/\`touch canary\`;\$(touch canary)'\"@x#.jsonl"
cp "$H/24-lines.jsonl" "$T/in/-rf <x |y${NL}z.jsonl"
LABEL="lab\`touch canary\`${NL}system(\"touch canary\")]]></script>"
# The same names as other trackers' metric names: TensorBoard tags, MLflow
# metric files, W&B history keys, a CSV header (tests/trackers.py hostile).
python3 "$top_srcdir/tests/trackers.py" hostile "$T/trk" || fail "trackers.py hostile"
# An MLflow tracking server's run with a hostile name, params and metric
# keys (tests/mlflowd.py, real HTTP on 127.0.0.1).
start_mlflowd "$T/mllog"
set -- "$H"/*.json "$H"/*.jsonl "$T/in/"* "$LABEL=$H/01-backquote.json" \
	"$T/trk/tb" "$T/trk/mlruns" "$T/trk/wandb" "$T/trk/hostile.csv" \
	"${MLFLOWD}#h0st1le"
NJOBS=$#
[ "$NJOBS" -ge 25 ] || fail "only $NJOBS hostile jobs"
ok "$NJOBS hostile jobs"

# The plain baseline for the canvas check.
BASE="$RUNS/qwen-350m-lr1e-4.json"

# ---------------------------------------------------------------- script
# Script on stdout for each terminal, run by gnuplot from a file and piped.
for term in svg canvas dumb pngcairo pdfcairo epscairo png; do
	(cd "$W" && $TRC -t "$term" "$@" >"$T/script.gp" 2>"$T/err") || fail "-t $term script: exit $?: $(cat "$T/err")"
	check text "$T/err"
	gnuplot_ok "-t $term script" "$T/script.gp"
	cp "$T/gp.out" "$W/chart"
	nothing_ran "-t $term script"
	only_files "$W" "-t $term script" chart
	case $term in
	svg) svg_ok "$W/chart" "-t svg script" ;;
	canvas)
		(cd "$W" && $TRC -t canvas "$BASE" | gnuplot >"$T/base.html" 2>/dev/null)
		[ "$(script_breaks "$W/chart")" -eq "$(script_breaks "$T/base.html")" ] ||
			fail "-t canvas: a title ends the inline <script>: $(LC_ALL=C grep -n -i -e '</script' -e '<!--' "$W/chart" | head)" ;;
	dumb) check dumb "$W/chart" ;;
	pngcairo | png) magic "$W/chart" "$(printf '\211PNG')" "-t $term" ;;
	pdfcairo) magic "$W/chart" "%PDF-" "-t pdfcairo" ;;
	epscairo) magic "$W/chart" "%!PS-Adobe" "-t epscairo" ;;
	esac
	rm -f "$W/chart"
	ok "-t $term: script run by gnuplot, nothing ran, output parses"
done

# Piped straight into gnuplot (the script reloads itself from /dev/stdin).
(cd "$W" && $TRC -t svg "$@" 2>"$T/err" | gnuplot >"$T/piped.svg" 2>"$T/gp.err") || fail "piped: $(cat "$T/err" "$T/gp.err")"
grep -v -e 'warning:' -e '^ *$' "$T/gp.err" >/dev/null && fail "piped: gnuplot complained: $(head -c 2000 "$T/gp.err")"
svg_ok "$T/piped.svg" "piped"
nothing_ran "piped"
only_files "$W" "piped"
ok "script piped into gnuplot: nothing ran, SVG parses"

# No terminal at all (gnuplot's default), and a hostile --title and panels
# named by hostile column names.
(cd "$W" && $TRC "$@" >"$T/script.gp" 2>"$T/err") || fail "no -t: $(cat "$T/err")"
gnuplot_ok "no -t" "$T/script.gp"
nothing_ran "no -t"
only_files "$W" "no -t"
ok "script without -t: gnuplot runs it, nothing ran"

TITLE="\`touch canary\`${NL}]]></script>@T \$x #c"
COLS='loss,`touch canary`,@T,$job0,#c,]]>,EOD,<touch canary,|touch canary,x^2_{i}&~,</script>,&#x1;,=1+1,a|b,\'
(cd "$W" && $TRC -t svg --title "$TITLE" -m "$COLS" "$H/00-quotes.json" "$H/03-newline.json" \
	"$H/24-lines.jsonl" >"$T/script.gp" 2>"$T/err") || fail "-m hostile columns: $(cat "$T/err")"
gnuplot_ok "-m hostile columns" "$T/script.gp"
cp "$T/gp.out" "$T/cols.svg"
svg_ok "$T/cols.svg" "-m hostile columns"
nothing_ran "-m hostile columns"
only_files "$W" "-m hostile columns"
ok "hostile --title and -m column names: nothing ran, SVG parses"

# Panels of the other trackers' hostile metric names, read from each.
TCOLS="\`touch canary\`,a${NL}EOD${NL}b,|touch canary,<touch canary,@x system(\"touch canary\")"
(cd "$W" && $TRC -t svg -m "$TCOLS" "$T/trk/tb" "$T/trk/mlruns" "$T/trk/wandb" "$T/trk/hostile.csv" \
	>"$T/script.gp" 2>"$T/err") || fail "-m hostile tracker columns: $(cat "$T/err")"
[ "$(grep -c '^plot ' "$T/script.gp")" -ge 5 ] || fail "-m hostile tracker columns: fewer than 5 panels drawn"
gnuplot_ok "-m hostile tracker columns" "$T/script.gp"
cp "$T/gp.out" "$T/tcols.svg"
svg_ok "$T/tcols.svg" "-m hostile tracker columns"
nothing_ran "-m hostile tracker columns"
only_files "$W" "-m hostile tracker columns"
ok "TensorBoard tags, MLflow metric files, W&B keys and CSV headers as panels: nothing ran, SVG parses"

# ---------------------------------------------------------------- -o FILE
for ext in png svg pdf txt eps html gp; do
	(cd "$W" && $TRC -v -o "chart.$ext" "$@" >"$T/out" 2>"$T/err") || fail "-o chart.$ext: exit $?: $(cat "$T/err")"
	check text "$T/err"
	nothing_ran "-o chart.$ext"
	only_files "$W" "-o chart.$ext" "chart.$ext"
	f="$W/chart.$ext"
	case $ext in
	png) magic "$f" "$(printf '\211PNG')" "-o .png" ;;
	svg) svg_ok "$f" "-o .svg" ;;
	pdf) magic "$f" "%PDF-" "-o .pdf" ;;
	eps) magic "$f" "%!PS-Adobe" "-o .eps" ;;
	txt) check dumb "$f" ;;
	html)
		(cd "$T" && $TRC -o base.html "$BASE")
		[ "$(script_breaks "$f")" -eq "$(script_breaks "$T/base.html")" ] ||
			fail "-o .html: a title ends the inline <script>: $(LC_ALL=C grep -n -i -e '</script' -e '<!--' "$f" | head)" ;;
	gp)
		mv "$f" "$T/chart.gp"
		gnuplot_ok "-o .gp" -e "set terminal svg" "$T/chart.gp"
		cp "$T/gp.out" "$T/chart-gp.svg"
		svg_ok "$T/chart-gp.svg" "-o .gp"
		nothing_ran "-o .gp run"
		only_files "$W" "-o .gp run" ;;
	esac
	rm -f "$f"
	ok "-o chart.$ext: nothing ran, output parses"
done

# Each terminal through -t with -o.
for tt in pngcairo:png png:png svg:svg pdfcairo:pdf epscairo:eps dumb:txt canvas:html; do
	term=${tt%%:*} ext=${tt#*:}
	(cd "$W" && $TRC -t "$term" -o "chart.$ext" "$@" >"$T/out" 2>"$T/err") || fail "-t $term -o: exit $?: $(cat "$T/err")"
	nothing_ran "-t $term -o"
	only_files "$W" "-t $term -o" "chart.$ext"
	case $ext in
	png) magic "$W/chart.$ext" "$(printf '\211PNG')" "-t $term" ;;
	svg) svg_ok "$W/chart.$ext" "-t $term" ;;
	pdf) magic "$W/chart.$ext" "%PDF-" "-t $term" ;;
	eps) magic "$W/chart.$ext" "%!PS-Adobe" "-t $term" ;;
	txt) check dumb "$W/chart.$ext" ;;
	html) [ "$(script_breaks "$W/chart.$ext")" -eq "$(script_breaks "$T/base.html")" ] || fail "-t canvas -o: script broken" ;;
	esac
	rm -f "$W/chart.$ext"
	ok "-t $term -o chart.$ext: nothing ran, output parses"
done

# ---------------------------------------------------------------- -d DIR
(cd "$W" && $TRC -d out "$@" >"$T/out" 2>"$T/err") || fail "-d: exit $?: $(cat "$T/err")"
nothing_ran "-d"
only_files "$W" "-d" out
n=$(ls -A "$W/out" | wc -l)
[ "$n" -eq $((NJOBS + 1)) ] || fail "-d: $n files for $NJOBS jobs (a clash?): $(ls -A "$W/out")"
[ -f "$W/out/compare.gp" ] || fail "-d: no compare.gp"
bad=$(cd "$W/out" && ls -A | LC_ALL=C grep -v -E '^[A-Za-z0-9_][A-Za-z0-9._-]*$' || true)
[ -z "$bad" ] || fail "-d: unsafe file names: $bad"
for f in "$W"/out/*.dat; do
	check data "$f"
done
ok "-d: $NJOBS data files with safe, distinct names; headers and rows parse"
# compare.gp from another directory.
(cd "$T/elsewhere" && gnuplot -e "set terminal svg" "$W/out/compare.gp" >"$T/d.svg" 2>"$T/gp.err") ||
	fail "-d: gnuplot compare.gp: $(cat "$T/gp.err")"
grep -v -e 'warning:' -e '^ *$' "$T/gp.err" >/dev/null && fail "-d: gnuplot complained: $(head -c 2000 "$T/gp.err")"
svg_ok "$T/d.svg" "-d compare.gp"
nothing_ran "-d compare.gp"
only_files "$T/elsewhere" "-d compare.gp"
rm -rf "$W/out"
ok "-d: gnuplot DIR/compare.gp from elsewhere: nothing ran, SVG parses"

# Output paths that gnuplot would take for commands ("|cmd" in set output,
# "<cmd" as a file name): the program must write them as plain files.
(cd "$W" && $TRC -o '|touch canary;x.svg' "$H/00-quotes.json" >"$T/out" 2>"$T/err") || fail "-o '|…': $(cat "$T/err")"
nothing_ran "-o '|…'"
only_files "$W" "-o '|…'" '|touch canary;x.svg'
svg_ok "$W/|touch canary;x.svg" "-o '|…'"
rm -f "$W/|touch canary;x.svg"
(cd "$W" && $TRC -d '<touch canary;d' "$H/00-quotes.json" "$H/01-backquote.json" >"$T/out" 2>"$T/err") ||
	fail "-d '<…': $(cat "$T/err")"
only_files "$W" "-d '<…'" '<touch canary;d'
# (gnuplot itself runs a command-line file name starting with '<', so the
# user writes ./ in front; compare.gp must then find its data.)
gnuplot_ok "-d '<…' compare.gp" -e "set terminal svg" "./<touch canary;d/compare.gp"
cp "$T/gp.out" "$T/lt.svg"
svg_ok "$T/lt.svg" "-d '<…' compare.gp"
only_files "$W" "-d '<…' compare.gp" '<touch canary;d'
rm -rf "$W/<touch canary;d"
ok "output paths starting with | and <: plain files, nothing ran"

# ---------------------------------------------------------------- --data
(cd "$W" && $TRC --data "$@" >"$T/data.txt" 2>"$T/err") || fail "--data: exit $?: $(cat "$T/err")"
nothing_ran "--data"
only_files "$W" "--data"
check stream "$T/data.txt" "$NJOBS"
gnuplot_ok "--data plotted" -e "set terminal svg; plot for [i=0:$((NJOBS - 1))] '$T/data.txt' index i using 1:4 with lines notitle"
cp "$T/gp.out" "$T/data.svg"
svg_ok "$T/data.svg" "--data plotted"
nothing_ran "--data plotted"
ok "--data: $NJOBS blocks of numbers, gnuplot plots them"

# ---------------------------------------------------------------- summary
(cd "$W" && $TRC --summary=text "$@" >"$T/s.txt" 2>"$T/err") || fail "--summary=text: $(cat "$T/err")"
check text "$T/s.txt"
check text-table "$T/s.txt" "$NJOBS"
ok "--summary=text: $NJOBS rows, no control characters"
(cd "$W" && $TRC --summary=markdown "$@" >"$T/s.md" 2>"$T/err") || fail "--summary=markdown: $(cat "$T/err")"
check markdown "$T/s.md" "$NJOBS"
ok "--summary=markdown: $NJOBS rows with the same cells"
(cd "$W" && $TRC --summary=csv "$@" >"$T/s.csv" 2>"$T/err") || fail "--summary=csv: $(cat "$T/err")"
check csv "$T/s.csv" "$NJOBS"
ok "--summary=csv: $NJOBS records of equal width, no formulas"
(cd "$W" && $TRC --summary=json "$@" >"$T/s.json" 2>"$T/err") || fail "--summary=json: $(cat "$T/err")"
jq . "$T/s.json" >/dev/null || fail "--summary=json: jq cannot read it"
check text "$T/s.json"
n=$(jq '[.. | objects | select(has("label"))] | length' "$T/s.json")
[ "$n" -eq "$NJOBS" ] || fail "--summary=json: $n jobs, want $NJOBS"
ok "--summary=json: jq reads $NJOBS jobs"
# The MLflow run's params and the W&B run's config: every hostile key and
# value arrives as a parameter (sanitized, still one per name).
n=$(jq '[.[] | select(.params) | .params | keys[]] | length' "$T/s.json")
[ "$n" -eq 26 ] || fail "--summary=json: $n hostile params, want 26 (10 MLflow, 10 W&B config, 6 MLflow server)"
ok "--summary=json: hostile MLflow params, W&B config and MLflow server params"
(cd "$W" && $TRC --report params.html "$T/trk/mlruns" "$T/trk/wandb" 2>"$T/err") || fail "--report: $(cat "$T/err")"
(cd "$W" && $TRC --report base.html "$BASE" 2>"$T/err") || fail "--report: $(cat "$T/err")"
[ "$(script_breaks "$W/params.html")" -eq "$(script_breaks "$W/base.html")" ] ||
	fail "--report: a hostile param ends a <script>: $(LC_ALL=C grep -n -i -e '</script' -e '<!--' "$W/params.html" | head)"
[ "$(grep -c '<tr><td class="text">[cp][0-9]' "$W/params.html")" -eq 20 ] || fail "--report: not 20 param rows"
nothing_ran "--report params"
rm -f "$W/params.html" "$W/base.html"
ok "--report: hostile params and config in the details, nothing ran, no script broken"
# With -o the chart is written too.
(cd "$W" && $TRC -S -o chart.svg "$@" >"$T/s2.txt" 2>"$T/err") || fail "-S -o: $(cat "$T/err")"
cmp -s "$T/s.txt" "$T/s2.txt" || fail "-S -o: the summary differs from --summary=text"
svg_ok "$W/chart.svg" "-S -o"
rm -f "$W/chart.svg"
nothing_ran "-S -o"
ok "-S with -o: the same summary and a valid SVG"

# ---------------------------------------------------------------- messages
# A missing file with a hostile name: one clean line on stderr, exit 1.
trc "$T/in/nope\`touch canary\`$(printf '\033[2J\r')${NL}x.json"
[ "$rc" -eq 1 ] || fail "missing hostile file: exit $rc, want 1: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "missing hostile file: not one line: $(cat "$T/err")"
check text "$T/err"
nothing_ran "missing hostile file"
ok "missing hostile file name: exit 1, one clean line"
# A hostile unknown metric name.
trc -m "nosuch\`touch canary\`$(printf '\033[2J')" "$H/00-quotes.json"
[ "$rc" -ne 0 ] || fail "hostile unknown metric accepted"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "hostile unknown metric: not one line: $(cat "$T/err")"
check text "$T/err"
nothing_ran "hostile unknown metric"
ok "hostile unknown metric name: exit $rc, one clean line"

# ---------------------------------------------------------------- HTTP
# The same names from the platform's API (tests/data/hostile/http: a job list
# whose ids are plain but whose model names, statuses, dataset paths and
# error messages are hostile, and metrics whose job_id and columns are).
TESTD="$top_builddir/tests/server/trcompare-testd"
if [ ! -x "$TESTD" ]; then
	echo "# HTTP part skipped: $TESTD not built"
	exit 0
fi
"$TESTD" --dir="$H/http" --port-file="$T/port" --lifetime=300 2>"$T/testd.err" &
TESTD_PID=$!
bg_started "$TESTD_PID"
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "test server did not start: $(cat "$T/testd.err")"
	sleep 0.05
done
TRCOMPARE_URL="http://127.0.0.1:$(cat "$T/port")"
export TRCOMPARE_URL
NHTTP=$(ls "$H"/http/h*.json | wc -l)

(cd "$W" && $TRC --list-jobs --format=text >"$T/l.txt" 2>"$T/err") || fail "--list-jobs: $(cat "$T/err")"
check text "$T/l.txt"
check text-table "$T/l.txt" "$NHTTP"
(cd "$W" && $TRC --list-jobs --format=csv >"$T/l.csv" 2>"$T/err") || fail "--list-jobs csv: $(cat "$T/err")"
check csv "$T/l.csv" "$NHTTP"
(cd "$W" && $TRC --list-jobs --format=json >"$T/l.json" 2>"$T/err") || fail "--list-jobs json: $(cat "$T/err")"
jq . "$T/l.json" >/dev/null || fail "--list-jobs json: jq cannot read it"
check text "$T/l.json"
[ "$(jq length "$T/l.json")" -eq "$NHTTP" ] || fail "--list-jobs json: not $NHTTP jobs"
nothing_ran "--list-jobs"
only_files "$W" "--list-jobs"
ok "--list-jobs text/csv/json with hostile model names: each parses"

(cd "$W" && $TRC --latest="$NHTTP" -S -o chart.svg >"$T/s.txt" 2>"$T/err") || fail "--latest: $(cat "$T/err")"
check text "$T/err"
check text "$T/s.txt"
check text-table "$T/s.txt" "$NHTTP"
svg_ok "$W/chart.svg" "--latest"
rm -f "$W/chart.svg"
(cd "$W" && $TRC --latest="$NHTTP" -d out >"$T/out" 2>"$T/err") || fail "--latest -d: $(cat "$T/err")"
for f in "$W"/out/*.dat; do
	check data "$f"
done
rm -rf "$W/out"
nothing_ran "--latest"
only_files "$W" "--latest"
ok "--latest $NHTTP over HTTP: summary, SVG and data files parse, nothing ran"
