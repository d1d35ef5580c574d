#!/bin/sh
# tests/watch.sh: logs still being written — a half-written last line —
# and --watch (charts redrawn as the jobs grow).
. "$(dirname "$0")/lib.sh"

# --- a half-written last line is never an error ---------------------------
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.5}\n{"step":3,"train_lo' >"$T/half.jsonl"
printf 'step,train_loss\n1,2\n2,1.5\n3,1.' >"$T/half.csv"
printf '{"step":1,"train_loss":2}\n{"step":2,"train_loss":1.5}\n' >"$T/whole.jsonl"
printf 'step,train_loss\n1,2\n2,1.5\n' >"$T/whole.csv"
for f in half.jsonl half.csv; do
	expect_ok -S csv "$T/$f"
	printf '%s\n' "trcompare-plot: warning: $T/$f: ends mid-line (still being written?); the partial last line was not read" >"$T/want"
	cmp -s "$T/want" "$T/err" || fail "$f: stderr: $(cat "$T/err")"
	cp "$T/out" "$T/half.out"
	expect_ok -S csv "$T/whole.${f#half.}"
	sed "s/whole/half/g" "$T/out" | cmp -s - "$T/half.out" || fail "$f: not the rows before the partial line"
	ok "$f: read up to the last whole line, one warning"
done
# Pinned with its exit status: the rows before the cut are drawn.
expect_fail 0 "trcompare-plot: warning: $T/half.jsonl: ends mid-line (still being written?); the partial last line was not read" \
	--data "$T/half.jsonl"
# A document cut on its first line, or a JSON array, is still truncated.
printf '{"step":1,"train_lo' >"$T/first.jsonl"
expect_fail 1 "trcompare-plot: $T/first.jsonl: unexpected end of input (truncated JSON?) at line 1, column 20" \
	--data "$T/first.jsonl"
printf '[{"step":1},\n{"st' >"$T/arr.json"
expect_fail 1 "trcompare-plot: $T/arr.json: unexpected end of input (truncated JSON?) at line 2, column 5" \
	--data "$T/arr.json"
