#!/bin/sh
# tests/report.sh: --report FILE.html, rendered by a real browser (headless
# Debian chromium) and parsed by a strict HTML5 parser (python3-html5lib).
#   - the bundled examples: the page parses strictly; after its scripts ran
#     (--dump-dom) gnuplot's mouse script and the page's own script both
#     ran under the page's Content-Security-Policy; the screenshot shows
#     every job's colour and the summary table; the numbers are -S's;
#   - hostile names (--title, LABEL=, a job id, a column name): no script
#     from a name runs (none sets document.title) and no resource loads (a
#     loopback HTTP listener sees no request), and the page still parses;
#   - the command line shown never holds a URL's password or a token, and
#     sh runs it again as shown (directories named with a newline, a tab,
#     a quote, an escape);
#   - --report FILE.md: rendered by cmark-gfm and parsed by html5lib; a
#     hostile name makes no link, image or raw HTML;
#   - --baseline: the deltas in the report; an unknown JOB (usage error)
#     and one that was not read;
#   - usage errors.
# Skipped only when chromium is missing.
. "$(dirname "$0")/lib.sh"

need_gnuplot
[ -x "$PROG" ] || skip "$PROG not built"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || skip "chromium not installed"
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import html5lib' 2>/dev/null; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || fail "python3-html5lib not installed (scripts/install-deps --test)"
command -v convert >/dev/null 2>&1 || fail "ImageMagick (convert) not installed"
HOME="$T/home"
export HOME
mkdir "$HOME"
# The report's temporary SVGs go here, where the test can see them gone.
TMPDIR="$T/tmp"
export TMPDIR
mkdir "$TMPDIR"
unset DISPLAY 2>/dev/null || true

# strict FILE: html5lib parses FILE without a single parse error.
strict() {
	"$PY" - "$1" <<'EOF' || fail "$1 does not parse as strict HTML5"
import sys, html5lib
p = html5lib.HTMLParser(strict=True)
try:
    p.parse(open(sys.argv[1], "rb").read())
except Exception as e:
    sys.exit("html5lib: %r %r" % (e, p.errors[:3]))
EOF
}

# browse FILE WHAT: chromium's DOM after the page's scripts ran (to
# $T/dom) or its screenshot (WHAT = shot: $T/shot.png), within 60 s.
browse() {
	# shellcheck disable=SC2086
	set -- "$1" "$2" --headless --no-sandbox --disable-gpu --user-data-dir="$T/chrome" \
		--no-first-run --disable-background-networking --virtual-time-budget=3000
	f=$1 what=$2
	shift 2
	if [ "$what" = shot ]; then
		timeout 60 "$CHROMIUM" "$@" --screenshot="$T/shot.png" --window-size=1280,4200 \
			"file://$f" >"$T/chrome.log" 2>&1 || fail "chromium failed: $(tail -3 "$T/chrome.log")"
		[ -s "$T/shot.png" ] || fail "chromium wrote no screenshot"
	else
		timeout 60 "$CHROMIUM" "$@" --dump-dom "file://$f" >"$T/dom" 2>"$T/chrome.log" ||
			fail "chromium failed: $(tail -3 "$T/chrome.log")"
	fi
}

# ------------------------------------------------------------ the examples
cp "$RUNS"/*.json "$T/"
cd "$T"
expect_ok ./llama-1.3b-lr2e-4.json ./qwen-350m-lr1e-4.json ./qwen-350m-lr3e-4.json \
	./qwen-350m-lr5e-4-5ep.json --report "$T/r.html"
[ ! -s "$T/out" ] || fail "--report wrote to stdout: $(head -3 "$T/out")"
[ -s "$T/r.html" ] || fail "no report"
ls -a "$T" | grep -q '^\.trc' && fail "a temporary file was left beside the report"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files were left in TMPDIR: $(ls -A "$TMPDIR")"
ok "--report writes one file, nothing on stdout, no temporary files left"

strict "$T/r.html"
ok "the report parses as strict HTML5 (html5lib)"

grep -q 'http-equiv="Content-Security-Policy" content="default-src '"'none'"'; script-src '"'sha256-" "$T/r.html" ||
	fail "no CSP with script hashes"
# Self-contained: nothing in the page names another file or site.
grep -E -o '(src|href)=["'"'"'][^"'"'"'#d][^"'"'"']*' "$T/r.html" | grep -v '^href=.#' >"$T/links" || true
[ ! -s "$T/links" ] || fail "the page links out: $(head -3 "$T/links")"
grep -q '<h1>Comparison of llama-1.3b-lr2e-4, qwen-350m-lr1e-4, qwen-350m-lr3e-4 and qwen-350m-lr5e-4-5ep</h1>' \
	"$T/r.html" || fail "default title"
grep -q "<code>$PROG ./llama-1.3b-lr2e-4.json ./qwen-350m-lr1e-4.json ./qwen-350m-lr3e-4.json ./qwen-350m-lr5e-4-5ep.json --report $T/r.html</code>" \
	"$T/r.html" || fail "the command line"
grep -q "by trcompare-plot $(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")" "$T/r.html" || fail "version"
n=$(grep -c '<section class="panel"' "$T/r.html")
[ "$n" -eq 4 ] || fail "$n panels, want 4"
ok "CSP, self-contained, default title, the command, the version, 4 panels"

# The summary's numbers are -S's (csv: the same rows, the same rounding).
expect_ok ./llama-1.3b-lr2e-4.json ./qwen-350m-lr1e-4.json ./qwen-350m-lr3e-4.json \
	./qwen-350m-lr5e-4-5ep.json -S
for cell in 1.334 1.377 1.366 0.0319 '0.7967 !' 17728 '4h 9m' 52.2; do
	grep -q -- "$cell" "$T/out" || fail "-S has no $cell"
	grep -q -- ">$cell</td>" "$T/r.html" || fail "the report's summary has no $cell"
done
grep -q '<tr class="recommended">.*llama-1.3b-lr2e-4' "$T/r.html" || fail "recommended row"
grep -q '<td class="overfit" data-v="0.796' "$T/r.html" || fail "overfitting flagged"
ok "the summary table holds -S's numbers, the recommendation and the flag"

browse "$T/r.html" dom
# gnuplot's mouse script removes the legend's inline handlers when it
# starts; the page's script marks the legend's job entries clickable.
grep -q '_keyentry" visibility=' "$T/dom" || fail "no legend in the DOM"
grep -q 'onclick="gnuplot_svg.toggleVisibility' "$T/dom" && fail "gnuplot's mouse script did not run (CSP hash?)"
n=$(grep -o 'cursor="pointer"' "$T/dom" | wc -l)
[ "$n" -eq 16 ] || fail "the page's script marked $n legend entries, want 16 (4 jobs x 4 panels)"
ok "after loading, gnuplot's mouse script and the page's script both ran (CSP hashes hold)"

browse "$T/r.html" shot
# Every job's colour and the table (the recommended row's background and
# the table's borders) are on the screen.
convert "$T/shot.png" -unique-colors -depth 8 txt:- | tr 'A-F' 'a-f' >"$T/colors"
for c in 2563eb 16a34a dc2626 9333ea ecfdf5 d1d5db; do
	grep -q "#$c" "$T/colors" || fail "the screenshot has no #$c"
done
ok "the screenshot shows every job's colour and the summary table"

# ------------------------------------------------------------ hostile names
# A loopback listener records any request; the names try to load from it.
cat >"$T/listen.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[2], "a").write(self.path + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
: >"$T/requests"
"$PY" "$T/listen.py" "$T/port" "$T/requests" &
LPID=$!
trap 'kill $LPID 2>/dev/null; cleanup_T' EXIT
wait_for 10 test -s "$T/port" || fail "the listener did not start"
PORT=$(cat "$T/port")
U="http://127.0.0.1:$PORT"
curl -s "$U/probe" >/dev/null 2>&1 || "$PY" -c "import urllib.request; urllib.request.urlopen('$U/probe')"
grep -q '^/probe$' "$T/requests" || fail "the listener records nothing"
: >"$T/requests"

# The job id and a column (drawn as a panel) carry markup; the id
# sets the title and loads an image if it becomes markup.
ID="\"><img src=$U/id onerror=\"document.title='PW'+'NED'\"><script>document.title='PW'+'NED'</script>]]><!--"
COL="<img src=$U/col>"
"$PY" - "$T/h1.json" "$ID" "$COL" <<'EOF'
import json, sys
path, jid, col = sys.argv[1:4]
pts = [{"step": s, "train_loss": 2.0 - s / 100, "eval_loss": 2.1 - s / 110, col: s / 10,
        "timestamp": "2026-11-19T07:%02d:00Z" % (s // 10)} for s in range(10, 110, 10)]
json.dump({"job_id": jid, "metrics": pts}, open(path, "w"))
EOF
# LABEL= cannot hold '=': these load and set the title without one.
L2="&amp; & &lt;b&gt;<style>@import '$U/css';</style><script>Object.assign(document,{title:'PW'+'NED'})</script>"
TITLE="</title><script>document.title='PW'+'NED'</script><img src=$U/title><svg><script>document.title='PW'+'NED'</script></svg>"
expect_ok "$T/h1.json" "$L2=$RUNS/qwen-350m-lr1e-4.json" -m "loss,$COL" --title "$TITLE" --report "$T/h.html"
strict "$T/h.html"
grep -q -- '&lt;img src=http://127.0.0.1' "$T/h.html" || fail "the column name is not shown escaped"
# gnuplot escapes & and < in the SVG's legend.
grep -q -- '<text>&amp;amp; &amp; &amp;lt;b&amp;gt;&lt;style>@import' "$T/h.html" ||
	fail "the label in the SVG legend is not escaped as expected"
n=$(grep -o '<script' "$T/h.html" | wc -l)
[ "$n" -eq 6 ] || fail "$n script tags, want 6 (two per SVG, text/plain, and the page's two)"
browse "$T/h.html" dom
grep -q 'PWNED' "$T/dom" && fail "a script from a name ran"
grep -q '<title>&lt;/title&gt;&lt;script&gt;document.title=' "$T/dom" || fail "the title is not the escaped --title: $(grep -o '<title>[^<]*' "$T/dom" | head -1)"
browse "$T/h.html" shot
sleep 0.5
[ ! -s "$T/requests" ] || fail "the page loaded: $(cat "$T/requests")"
ok "hostile names: strict HTML5, no script ran, nothing loaded"

# --------------------------------------------------- secrets in the command
# A job the program cannot fetch (-k goes on) with a password and a token
# in its URL: the report shows neither.
trc -k --retry 0 "$RUNS/qwen-350m-lr1e-4.json" "http://user:pw1@127.0.0.1:1/m.json?access_token=tok2" \
	--report "$T/s.html"
[ "$rc" -eq 2 ] || fail "-k with a job that cannot be fetched: exit $rc, want 2"
grep -q "&#39;http://127.0.0.1:1/m.json?access_token=REDACTED&#39;" "$T/s.html" || fail "the URL is not shown redacted"
grep -q -e pw1 -e tok2 "$T/s.html" && fail "a secret is in the report"
ok "the command shown holds no password and no token"

# ----------------------------------------------------------- usage errors
try="Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information."
expect_fail 64 "trcompare-plot: --report: 'r.txt': a report is FILE.html or FILE.md
$try" \
	"$RUNS/qwen-350m-lr1e-4.json" --report r.txt
expect_fail 1 "trcompare-plot: $T/nodir/r.html: cannot create: No such file or directory" \
	"$RUNS/qwen-350m-lr1e-4.json" --report "$T/nodir/r.html"
expect_fail 64 "trcompare-plot: --report-images: unknown format 'jpg' (png, svg)
$try" \
	"$RUNS/qwen-350m-lr1e-4.json" --report r.md --report-images=jpg

# ---------------------------------------------------------------- Markdown
command -v cmark-gfm >/dev/null 2>&1 || fail "cmark-gfm not installed (scripts/install-deps --test)"
# mdcheck FILE.md N STEM EXT: rendered by cmark-gfm (tables; and again with
# GitHub's autolinks, strike-through and tag filter), the HTML parses
# strictly and holds only the elements Markdown makes of our text: no
# link, exactly N images, each STEM-panel-K.EXT beside the report.
mdcheck() {
	for ext in "-e table" "-e table -e autolink -e strikethrough -e tagfilter"; do
		# shellcheck disable=SC2086
		cmark-gfm $ext "$1" >"$T/md.html" || fail "cmark-gfm failed on $1"
		"$PY" - "$T/md.html" "$2" "$3" "$4" <<'EOF' || fail "$1 rendered by cmark-gfm $ext: see above"
import sys, re, html5lib
path, n, stem, ext = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
try:
    frag = p.parseFragment(open(path, "rb").read().decode("utf-8"))
except Exception as e:
    sys.exit("html5lib: %r %r" % (e, p.errors[:3]))
allowed = {"h1", "h2", "h3", "p", "pre", "code", "table", "thead", "tbody", "tr", "th", "td",
           "img", "ul", "li", "strong", "em"}
imgs = []
for el in frag.iter():
    if el is frag or not isinstance(el.tag, str):
        continue
    if el.tag not in allowed:
        sys.exit("element <%s> in the rendered report" % el.tag)
    if el.tag == "em":
        sys.exit("emphasis made of a name: %r" % "".join(el.itertext()))
    if el.tag == "img":
        imgs.append(el.get("src"))
want = ["%s-panel-%d.%s" % (stem, k, ext) for k in range(1, n + 1)]
if imgs != want:
    sys.exit("images %r, want %r" % (imgs, want))
EOF
	done
}

mkdir -p "$T/md"
expect_ok ./llama-1.3b-lr2e-4.json ./qwen-350m-lr1e-4.json --report "$T/md/r.md" -m loss,lr
[ "$(ls "$T/md")" = "r-panel-1.png
r-panel-2.png
r.md" ] || fail "the Markdown report's files: $(ls -a "$T/md")"
for f in "$T"/md/*.png; do
	[ "$(od -An -c -N4 "$f" | tr -d ' ')" = '211PNG' ] || fail "$f is not a PNG"
done
mdcheck "$T/md/r.md" 2 r png
grep -q '^| \\\* | llama-1.3b-lr2e-4 |' "$T/md/r.md" || fail "the summary table (-S markdown) in the report"
ok "--report FILE.md: PNG charts beside it, relative links, renders cleanly (cmark-gfm, html5lib)"

expect_ok ./llama-1.3b-lr2e-4.json --report "$T/md/s.md" --report-images=svg -m loss
[ -s "$T/md/s-panel-1.svg" ] || fail "--report-images=svg wrote no SVG"
mdcheck "$T/md/s.md" 1 s svg
ok "--report-images=svg"

# Hostile names: links, images, raw HTML, autolinks, code fences, pipes.
HL='[x](http://e.com) ![i](http://e.com/i.png) <img src=x> http://e.com www.e.com a@b.co ``` | ~~s~~ *e* $m$'
"$PY" - "$T/h2.json" "$HL" <<'EOF'
import json, sys
pts = [{"step": s, "train_loss": 2.0 - s / 100, "eval_loss": 2.1 - s / 110} for s in range(10, 110, 10)]
json.dump({"job_id": sys.argv[2] + "\n# heading\n```", "metrics": pts}, open(sys.argv[1], "w"))
EOF
expect_ok "$T/h2.json" "x\`\`\`\`y=./qwen-350m-lr1e-4.json" --title "$HL" --report "$T/md/h.md" -m loss
mdcheck "$T/md/h.md" 1 h png
ok "hostile names in the Markdown report make no link, image, raw HTML or emphasis"

# --------------------------------------------- the command runs again
# Directories named with a newline, and with a tab, a quote and an escape:
# the command each report shows, taken from the page by an HTML parser and
# from the Markdown's code fence, run by sh, reads the same runs again.
mkdir "$T/cmd"
NL='x
y'
ODD=$(printf "a\tb'c\033d")
for d in "$NL" "$ODD"; do
	mkdir "$T/cmd/$d"
	cp "$top_srcdir/examples/llamafactory/llama-lora/trainer_log.jsonl" "$T/cmd/$d/"
done
cd "$T/cmd"
for r in c.html c.md; do
	expect_ok -S csv "$NL" "$ODD" -m loss --report "$r"
	cp "$T/out" "$T/cmd.csv"
	"$PY" - "$r" >"$T/cmd.sh" <<'EOF' || fail "$r: no command"
import sys, html5lib
f = sys.argv[1]
if f.endswith(".html"):
    doc = html5lib.parse(open(f, "rb").read(), namespaceHTMLElements=False)
    sys.stdout.write("".join(doc.find(".//header/pre").itertext()))
else:
    lines = open(f).read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("```") and l.endswith(" sh"))
    fence = lines[start].split(" ")[0]
    end = lines.index(fence, start + 1)
    sys.stdout.write("\n".join(lines[start + 1:end]))
EOF
	if [ "$r" = c.md ]; then mdcheck "$T/cmd/c.md" 1 c png; else strict "$T/cmd/c.html"; fi
	rm "$r"
	rc=0
	sh "$T/cmd.sh" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "$r: the command shown exits $rc: $(cat "$T/err")
$(cat "$T/cmd.sh")"
	cmp "$T/cmd.csv" "$T/out" || fail "$r: the command shown read other runs"
	[ -s "$r" ] || fail "$r: the command shown wrote no report"
done
grep -q " 'x$" "$T/cmd.sh" || fail "the newline is not kept in the quotes: $(cat "$T/cmd.sh")"
grep -Fq "'a'\"\$(printf '\\011')\"'b'\\''c'\"\$(printf '\\033')\"'d'" "$T/cmd.sh" ||
	fail "the tab, quote and escape: $(cat "$T/cmd.sh")"
cd "$T"
ok "a directory named with a newline, a tab, a quote, an escape: sh runs the report's command again"

# ---------------------------------------------------------------- --baseline
expect_ok ./llama-1.3b-lr2e-4.json base=./qwen-350m-lr1e-4.json --baseline base --report "$T/b.html"
strict "$T/b.html"
grep -q '<th title="sort">Δ best eval</th>' "$T/b.html" || fail "no delta columns in the report"
grep -q '<td class="delta" data-v="-0.32410000000000005">-0.3241</td>' "$T/b.html" || fail "the report's best eval delta"
grep -q '<td class="delta" data-v="0">baseline</td>' "$T/b.html" || fail "the baseline's row"
grep -q 'this job minus the baseline, <b>base</b>' "$T/b.html" || fail "the note naming the baseline"
ok "--baseline adds the deltas to the report's summary"
expect_fail 64 "trcompare-plot: --baseline: 'nope' is not one of the JOBs (give a JOB as written or its LABEL)
$try" \
	./llama-1.3b-lr2e-4.json ./qwen-350m-lr1e-4.json -S --baseline nope
expect_fail 1 "trcompare-plot: ./missing.json: No such file or directory
trcompare-plot: --baseline: './missing.json' was not read" \
	-k ./llama-1.3b-lr2e-4.json ./missing.json -S --baseline ./missing.json
echo "report.sh: $nchecks checks passed"

# `make docs`: the bundled examples' report, page and Markdown.
if command -v make >/dev/null 2>&1; then
	make -s -C "$top_builddir" docs >"$T/docs.out" 2>&1 || fail "make docs: $(tail -5 "$T/docs.out")"
	grep -q '<svg' "$top_builddir/docs/examples-report.html" &&
		grep -q 'The bundled example runs' "$top_builddir/docs/examples-report.html" ||
		fail "make docs: no report page"
	[ -s "$top_builddir/docs/examples-report-panel-1.png" ] || fail "make docs: no Markdown charts"
	ok "make docs: the bundled examples' report (HTML, and Markdown with its charts)"
fi
