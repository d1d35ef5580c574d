#!/bin/sh
# tests/summary.sh: -S/--summary end to end.  Runs the real program on the
# fixture in tests/data/summary (three jobs in the three input formats: one
# that overfits, one recommended, one without eval loss and with a hostile
# label), pins each format against a golden file with cmp, and reads csv and
# json back with real parsers (python3's csv and json modules, jq).
# TRC_REGEN=1 rewrites the golden files (review the diff before committing).
. "$(dirname "$0")/lib.sh"

D="$DATA/summary"
command -v jq >/dev/null 2>&1 || skip "jq not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

# The three jobs: a label set on the command line for a file with a job_id,
# a JSON Lines file named by its file name, and a hostile label.
HOSTILE='x,"y"|z* <b>'
set -- "base=$D/a.json" "$D/b.jsonl" "$HOSTILE=$D/c.json"

# summary_fmt FMT EXT JOB...: run --summary=FMT and compare stdout with
# expected.EXT; keep a copy in $T/summary.EXT.
summary_fmt() {
	fmt=$1 ext=$2
	shift 2
	expect_ok --summary="$fmt" "$@"
	[ ! -s "$T/err" ] || fail "--summary=$fmt wrote to stderr: $(cat "$T/err")"
	if [ -n "${TRC_REGEN:-}" ]; then
		cp "$T/out" "$D/expected.$ext"
	fi
	cmp "$D/expected.$ext" "$T/out" || fail "--summary=$fmt differs from $D/expected.$ext:
$(diff "$D/expected.$ext" "$T/out" || true)"
	cp "$T/out" "$T/summary.$ext"
	ok "--summary=$fmt matches expected.$ext"
}

summary_fmt text txt "$@"
summary_fmt markdown md "$@"
summary_fmt csv csv "$@"
summary_fmt json json "$@"

# -S without a format is the text table; so is --summary.
expect_ok -S "$@"
cmp "$D/expected.txt" "$T/out" || fail "-S differs from --summary=text"
expect_ok --summary "$@"
cmp "$D/expected.txt" "$T/out" || fail "--summary differs from --summary=text"
ok "-S and --summary default to text"

# ------------------------------------------------------------------ json
# Values computed by hand from the fixture, so the parser, the run model
# and the summary are checked against arithmetic, not against themselves:
#   base: best eval 1.5 at step 40, final train 0.5, gap 1 (flagged);
#         score 0.7*(100-75) + 0.3*30 = 26.5; wall 10:00:00 to 12:13:20.5
#         = 8000.5 s; tokens/s mean (1000+...+1400)/5 = 1200.
#   b:    best eval 1.125 = final train 1.125, gap 0; score
#         0.7*(100-56.25) + 0.3*100 = 60.625 (recommended); wall 26.5 h.
#   c:    no eval loss: no gap, no score; "loss" read as train loss.
J="$T/summary.json"
jq -e 'type == "array" and length == 3' "$J" >/dev/null || fail "json: not an array of 3"
jq -e '[.[] | select(.recommended)] | length == 1 and .[0].label == "b"' "$J" >/dev/null ||
	fail "json: exactly one recommended job, b"
jq -e --arg h "$HOSTILE" '.[2].label == $h and .[2].id == null' "$J" >/dev/null ||
	fail "json: hostile label does not round-trip"
jq -e '.[0] | .label == "base" and .id == "job-a" and .rows == 5 and .last_step == 50
	and .final_train_loss == 0.5 and .final_eval_loss == 1.75 and .best_eval_loss == 1.5
	and .best_eval_step == 40 and .gap == 1 and .overfitting == true
	and .final_learning_rate == 0.00005 and .max_grad_norm == 4.5
	and .mean_tokens_per_second == 1200 and .wall_seconds == 8000.5 and .epochs == 1.25
	and .score == 26.5 and .recommended == false' "$J" >/dev/null ||
	fail "json: job base: $(jq -c '.[0]' "$J")"
jq -e '.[1] | .id == null and .rows == 3 and .last_step == 200 and .final_train_loss == 1.125
	and .best_eval_loss == 1.125 and .best_eval_step == 200 and .gap == 0
	and .overfitting == false and .final_learning_rate == 0.0003 and .max_grad_norm == 0.875
	and .mean_tokens_per_second == null and .wall_seconds == 95400 and .epochs == 2
	and .score == 60.625' "$J" >/dev/null ||
	fail "json: job b: $(jq -c '.[1]' "$J")"
jq -e '.[2] | .rows == 3 and .last_step == 3 and .final_train_loss == 2.75
	and .final_eval_loss == null and .best_eval_loss == null and .gap == null
	and .overfitting == null and .max_grad_norm == 2 and .wall_seconds == null
	and .score == null and .recommended == false' "$J" >/dev/null ||
	fail "json: job c: $(jq -c '.[2]' "$J")"
# Numbers are JSON numbers, never strings.
jq -e 'all(.[]; to_entries | all(.[];
	(.key | IN("label", "id")) or (.value | type) == "number" or (.value | type) == "boolean"
	or .value == null))' "$J" >/dev/null || fail "json: a value has the wrong type"
ok "json parses with jq and holds the computed values"

# ------------------------------------------------------------------- csv
# python3's csv module reads the file; its header is the column list that
# src/summary.h documents (the README copies it from there); every cell
# agrees with the json.
python3 - "$T/summary.csv" "$J" "$top_srcdir/src/summary.h" <<'EOF' || fail "csv check failed"
import csv, json, re, sys
csv_path, json_path, header_path = sys.argv[1:4]
with open(csv_path, newline="") as f:
    raw = f.read()
assert raw.endswith("\r\n") and raw.count("\n") == raw.count("\r\n"), "csv lines must end in CRLF"
rows = list(csv.reader(raw.splitlines(keepends=True), strict=True))
doc = open(header_path).read()
doc = doc[doc.index("in this order"):doc.index("csv follows")]
documented = re.findall(r"^ \*   ([a-z_]+) ", doc, re.M)
assert rows[0] == documented, f"csv header {rows[0]} != summary.h {documented}"
jobs = json.load(open(json_path))
assert len(rows) == 1 + len(jobs), f"{len(rows) - 1} csv records, {len(jobs)} json objects"
for rec, job in zip(rows[1:], jobs):
    assert list(job) == rows[0], f"json keys {list(job)}"
    for key, cell in zip(rows[0], rec):
        want = job[key]
        if want is None:
            assert cell == "", f"{key}: {cell!r} for null"
        elif isinstance(want, bool):
            assert cell == ("true" if want else "false"), f"{key}: {cell!r}"
        elif isinstance(want, (int, float)):
            assert float(cell) == want, f"{key}: {cell!r} != {want!r}"
        else:
            assert cell == want, f"{key}: {cell!r} != {want!r}"
EOF
ok "csv parses with python3 csv, header as documented, cells equal json"

# ------------------------------------------------------------- examples
# The bundled runs: one recommendation, every job labelled, json valid.
if [ -d "$RUNS" ] && ls "$RUNS"/*.json >/dev/null 2>&1; then
	expect_ok --summary=json "$RUNS"/*.json
	n=$(ls "$RUNS"/*.json | wc -l)
	jq -e --argjson n "$n" 'length == $n and ([.[] | select(.recommended)] | length) == 1
		and all(.[]; .rows > 0 and (.best_eval_loss | type) == "number")' "$T/out" >/dev/null ||
		fail "examples: $(cat "$T/out")"
	expect_ok --summary=text "$RUNS"/*.json
	# one marked row, plus the footnote that explains the mark
	[ "$(grep '^\* ' "$T/out" | grep -vc '^\* recommended: ')" -eq 1 ] ||
		fail "examples: text has no single '* ' mark: $(cat "$T/out")"
	grep -q '^\* recommended: ' "$T/out" || fail "examples: no footnote for '*'"
	ok "summary of examples/runs: $n jobs, one recommended"
fi

# ----------------------------------------------------- the gap at 0.1
# Two bundled jobs whose gap is 0.1 but whose subtraction is not:
# 1.709 - 1.609 is 0.10000000000000009 (MLflow lora-lr1e-4, and 1.0958 -
# 0.9958 for lora-lr3e-4), 0.8724 - 0.7724 is 0.09999999999999998
# (LLaMA-Factory llama-lora).  Every format shows 0.1, so every job is
# decided on 0.1: none flagged (not above 0.1) and each scored with
# g = 60 (not below 0.1): 0.7*(100 - 50*1.709) + 18 = 28.185,
# 0.7*(100 - 50*1.0958) + 18 = 49.647, 0.7*(100 - 50*0.8724) + 18 = 57.466.
# The outputs are pinned in tests/data/summary/gap.*.
set -- "$top_srcdir/examples/mlruns/1" "$top_srcdir/examples/llamafactory/llama-lora"
for f in text:txt markdown:md csv:csv json:json; do
	expect_ok --summary="${f%:*}" --width=0 "$@"
	if [ -n "${TRC_REGEN:-}" ]; then
		cp "$T/out" "$D/gap.${f#*:}"
	fi
	cmp "$D/gap.${f#*:}" "$T/out" || fail "gap 0.1: --summary=${f%:*} differs from $D/gap.${f#*:}:
$(diff "$D/gap.${f#*:}" "$T/out" || true)"
done
grep -q ' !' "$D/gap.txt" "$D/gap.md" && fail "gap 0.1: a job is flagged"
printf '%s\n' label,gap,overfitting,score lora-lr1e-4,0.1,false,28.185 \
	lora-lr3e-4,0.1,false,49.647 llama-lora,0.1,false,57.466 >"$T/want"
cut -d, -f1,9,10,16 "$D/gap.csv" | cmp - "$T/want" || fail "gap 0.1: csv: $(cat "$D/gap.csv")"
jq -e '[.[] | [.gap, .overfitting, .score]] == [[0.1, false, 28.185], [0.1, false, 49.647],
	[0.1, false, 57.466]]' "$D/gap.json" >/dev/null || fail "gap 0.1: json: $(cat "$D/gap.json")"
ok "gap 0.1 from 1.709 - 1.609 and from 0.8724 - 0.7724: same flag, same score part"
if command -v gnuplot >/dev/null 2>&1; then
	expect_ok --report "$T/gap.html" "$@"
	grep -q 'class="overfit"' "$T/gap.html" && fail "gap 0.1: the html report flags a job"
	for want in '<td data-v="0.1">0.1</td>' '<td data-v="28.185">28.2</td>' \
		'<td data-v="49.647">49.6</td>' '<td data-v="57.466">57.5</td>'; do
		[ "$(grep -Fo "$want" "$T/gap.html" | wc -l)" -eq "$(
			case $want in *'"0.1"'*) echo 3 ;; *) echo 1 ;; esac)" ] ||
			fail "gap 0.1: the html report lacks $want: $(grep -F 'lora' "$T/gap.html" | grep '<td')"
	done
	expect_ok --report "$T/gap.md" "$@"
	grep -Fq "$(sed -n 3p "$D/gap.md")" "$T/gap.md" || fail "gap 0.1: the markdown report's table"
	ok "gap 0.1: the html and markdown reports flag nothing, score as -S"
fi
set -- "base=$D/a.json" "$D/b.jsonl" "$HOSTILE=$D/c.json"

# ------------------------------------------------------------ with -o
# Combined with -o the chart is written too, and the summary still goes to
# stdout.
if command -v gnuplot >/dev/null 2>&1; then
	expect_ok --summary=csv -o "$T/chart.png" "$@"
	cmp "$D/expected.csv" "$T/out" || fail "--summary=csv -o: stdout differs"
	[ -s "$T/chart.png" ] || fail "--summary=csv -o: no chart written"
	ok "--summary with -o writes the chart and the summary"
fi

# A hostile job_id (quotes, backslash, newline, tab, control and escape
# characters, markdown and csv syntax, invalid UTF-8) leaves every format
# parseable, valid UTF-8 and free of control characters.
printf '%s\377\376%s\n' \
	'{"job_id": "a\"b\\c\n\td\u0001e\u001b[31mRED <x>|y`z,=1 ' \
	' end", "metrics": [{"step": 1, "train_loss": 1.0, "eval_loss": 1.25}]}' >"$T/hostile.json"
for fmt in text markdown csv json; do
	expect_ok --summary=$fmt "$T/hostile.json"
	cp "$T/out" "$T/hostile.$fmt"
done
jq -e 'length == 1 and .[0].label == "hostile" and .[0].recommended
	and .[0].id == "a\"b\\c  d e [31mRED <x>|y`z,=1 \ufffd\ufffd end"' "$T/hostile.json" >/dev/null ||
	fail "hostile json: $(cat "$T/hostile.json")"
python3 - "$T" <<'EOF' || fail "hostile job_id: see above"
import csv, io, sys
t = sys.argv[1]
for fmt in ("text", "markdown", "csv", "json"):
    text = open(f"{t}/hostile.{fmt}", "rb").read().decode("utf-8")  # strict
    allowed = "\r\n" if fmt == "csv" else "\n"
    bad = [c for c in text if (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f) and c not in allowed]
    assert not bad, f"{fmt}: control characters {bad!r}"
rows = list(csv.reader(io.StringIO(open(f"{t}/hostile.csv", newline="").read()), strict=True))
assert len(rows) == 2 and all(len(r) == 17 for r in rows), rows
assert rows[1][0] == 'hostile' and rows[1][1] == 'a"b\\c  d e [31mRED <x>|y`z,=1 \ufffd\ufffd end', repr(rows[1])
md = open(f"{t}/hostile.markdown").read().splitlines()
cells = lambda line: len(line.replace("\\|", "").split("|"))
assert cells(md[2]) == cells(md[0]), "markdown: a | in the label splits the row"
EOF
ok "hostile job_id: every format parses, valid UTF-8, no control characters"

# Computed on the full data: smoothing and downsampling change the chart
# and the data files, never the summary.
expect_ok --summary=csv --smooth=0.9 --max-points=2 -d "$T/dd" "$@"
cmp "$D/expected.csv" "$T/out" || fail "--smooth/--max-points changed the summary:
$(diff "$D/expected.csv" "$T/out" || true)"
ls "$T/dd"/*.dat >/dev/null 2>&1 || fail "-d wrote no data files"
ok "summary ignores --smooth and --max-points"

# -------------------------------------------------------- errors
# A full disk is an error, not a silent truncation.
if [ -w /dev/full ]; then
	rc=0
	$TRC --summary=json "$@" >/dev/full 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "--summary to /dev/full: exit $rc, want 1; stderr: $(cat "$T/err")"
	echo "trcompare-plot: stdout: write error: No space left on device" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "--summary to /dev/full: stderr: $(cat "$T/err")"
	ok "--summary to a full disk exits 1"
fi

expect_fail 64 "trcompare-plot: --summary: unknown format 'bogus' (text, markdown, csv, json)
Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information." \
	--summary=bogus "$@"
