#!/bin/sh
# Text charts read right: the monochrome text chart is parsed, and each
# legend entry's glyph must be the one its series are drawn with.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot

C="$DATA/charts"

# glyph FILE LABEL: the glyph of LABEL's sample in the legend (the first
# line holding LABEL followed by blanks and a run of one character).
glyph() {
	awk -v l="$2" '{
		i = index($0, l " ")
		if (!i) next
		rest = substr($0, i + length(l))
		sub(/^ +/, "", rest)
		print substr(rest, 1, 1)
		exit
	}' "$1"
}

# area FILE ROW0 ROW1 COL0 COL1: the set of line glyphs (sorted, one
# string) in rows ROW0..ROW1 and columns COL0..COL1 (1-based, inclusive).
area() {
	awk -v r0="$2" -v r1="$3" -v c0="$4" -v c1="$5" '
	NR >= r0 && NR <= r1 {
		s = substr($0, c0, c1 - c0 + 1)
		for (i = 1; i <= length(s); i++) {
			ch = substr(s, i, 1)
			if (index("*#$%@&=G", ch))
				seen[ch] = 1
		}
	}
	END { n = split("* # $ % @ & = G", all, " "); for (k = 1; k <= n; k++) if (all[k] in seen) printf "%s", all[k]; print "" }' "$1"
}

# row FILE TEXT: the first line number holding TEXT.
row() { grep -n -F -- "$2" "$1" | head -1 | cut -d: -f1; }

# A 2x2 text chart where each job has its own panel: Loss (job L, which
# also gets a derived perplexity), Learning rate (job R), Gradient norm (G).
expect_ok -o "$T/c.txt" L="$C/loss.json" R="$C/lr.json" N="$C/gn.json"
gl=$(glyph "$T/c.txt" L) gr=$(glyph "$T/c.txt" R) gn=$(glyph "$T/c.txt" N)
[ -n "$gl" ] && [ -n "$gr" ] && [ -n "$gn" ] || fail "no legend glyphs in: $(cat "$T/c.txt")"
[ "$gl" != "$gr" ] && [ "$gr" != "$gn" ] && [ "$gl" != "$gn" ] || fail "jobs share a glyph: $gl $gr $gn"
top=$(row "$T/c.txt" Loss) bottom=$(row "$T/c.txt" "Learning rate")
last=$(wc -l <"$T/c.txt")
half=60 # -o x.txt is 120 columns wide
[ "$(area "$T/c.txt" $((top + 1)) $((bottom - 1)) 1 $half)" = "${gl}G" ] ||
	fail "Loss panel draws '$(area "$T/c.txt" $((top + 1)) $((bottom - 1)) 1 $half)', legend says L is '$gl' (eval G)"
[ "$(area "$T/c.txt" $((bottom + 1)) "$last" 1 $half)" = "$gr" ] ||
	fail "Learning rate panel draws '$(area "$T/c.txt" $((bottom + 1)) "$last" 1 $half)', legend says R is '$gr'"
[ "$(area "$T/c.txt" $((bottom + 1)) "$last" $((half + 1)) 120)" = "$gn" ] ||
	fail "Gradient norm panel draws '$(area "$T/c.txt" $((bottom + 1)) "$last" $((half + 1)) 120)', legend says N is '$gn'"
ok "2x2 text chart: each job's legend glyph is the glyph of its panel's lines"

# The train/eval entries too, on one panel: L has train and eval, M train
# only; the plot area holds exactly the jobs' glyphs and eval's marks.
expect_ok -o "$T/one.txt" -m loss L="$C/loss.json" M="$C/loss2.json"
gl=$(glyph "$T/one.txt" L) gm=$(glyph "$T/one.txt" M)
gt=$(glyph "$T/one.txt" train)
ge=$(awk '{ i = index($0, "eval "); if (i) { s = substr($0, i + 5); sub(/^ +/, "", s); print substr(s, 1, 5); exit } }' "$T/one.txt")
[ "$gl" != "$gm" ] || fail "L and M share the glyph $gl"
top=$(row "$T/one.txt" Loss)
got=$(area "$T/one.txt" $((top + 1)) "$(wc -l <"$T/one.txt")" 1 120)
[ ${#got} -eq 3 ] || fail "one panel draws '$got', want L's '$gl', M's '$gm' and eval's G only"
for c in "$gl" "$gm" "$gt" G "$(printf '%s' "$ge" | cut -c1)"; do
	case $got in *"$c"*) ;; *) fail "legend glyph '$c' is not drawn in the panel ('$got'; eval entry '$ge')" ;; esac
done
case $ge in *G*) ;; *) fail "the eval entry '$ge' shows no eval mark G" ;; esac
ok "one-panel text chart: job, train and eval legend glyphs are the ones drawn"

# NO_COLOR and -t dumb draw the same glyphs (the script is the same).
expect_ok -t dumb --size=120,40 L="$C/loss.json" R="$C/lr.json" N="$C/gn.json"
gnuplot "$T/out" >"$T/dumb.txt" 2>"$T/gperr" || fail "gnuplot: $(cat "$T/gperr")"
[ "$(glyph "$T/dumb.txt" R)" = "$(glyph "$T/c.txt" R)" ] || fail "-t dumb draws R with another glyph"
ok "-t dumb: the same legend glyphs"

# Default labels: the shortest trailing part of the paths that tells the
# jobs apart; the body's job id stays in the summary's id column.
expect_ok -S csv "$RUNS/qwen-350m-lr3e-4.json" "$RUNS/llama-1.3b-lr2e-4.json"
[ "$(cut -d, -f1,2 "$T/out" | tr -d '\r')" = "label,id
qwen-350m-lr3e-4,50f5647d-2380-409d-832a-5cd27a6b13a1
llama-1.3b-lr2e-4,c4ca37b7-f8ad-4aff-9424-e3deaf36a071" ] || fail "labels of the examples: $(cat "$T/out")"
ok "the bundled examples are labelled by file name, the id column keeps the job id"
mkdir -p "$T/a/run1" "$T/b/run1"
cp "$RUNS/qwen-350m-lr1e-4.json" "$T/a/run1/metrics.json"
cp "$RUNS/qwen-350m-lr3e-4.json" "$T/b/run1/metrics.json"
(cd "$T" && $TRC -S csv a/run1/metrics.json b/run1/metrics.json >"$T/out2") || fail "a/run1 b/run1"
[ "$(cut -d, -f1 "$T/out2" | tr -d '\r')" = "label
a/run1
b/run1" ] || fail "labels of a/run1/metrics.json b/run1/metrics.json: $(cat "$T/out2")"
ok "a/run1/metrics.json and b/run1/metrics.json are labelled a/run1 and b/run1"
expect_ok -S csv - <"$RUNS/qwen-350m-lr3e-4.json"
[ "$(sed -n 2p "$T/out" | cut -d, -f1)" = 50f5647d ] || fail "stdin label: $(cat "$T/out")"
ok "stdin is labelled with the body's job id"

# The same job given twice: a warning naming it, labels made unique.
trc -S csv "$RUNS/qwen-350m-lr3e-4.json" "$RUNS/../runs/qwen-350m-lr3e-4.json"
[ "$rc" -eq 0 ] || fail "the same job twice: exit $rc"
printf 'trcompare-plot: warning: %s/../runs/qwen-350m-lr3e-4.json: the same job as %s/qwen-350m-lr3e-4.json, given again\n' \
	"$RUNS" "$RUNS" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "the same job twice: stderr $(cat "$T/err")"
[ "$(cut -d, -f1 "$T/out" | tr -d '\r' | tail -n 2 | tr '\n' ' ')" = "qwen-350m-lr3e-4 qwen-350m-lr3e-4 (2) " ] ||
	fail "the same job twice: labels $(cat "$T/out")"
ok "the same job twice: a warning, labels X and X (2)"

# The text summary fits the width asked for, or the terminal's.
# widest FILE: the widest line, in characters.
widest() { sed 's/…/./g' "$1" | tr -d '\r' | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }'; }
expect_ok -S text --width=80 "$RUNS"/*.json
[ "$(widest "$T/out")" -le 80 ] || fail "--width=80: a line of $(widest "$T/out") characters: $(cat "$T/out")"
grep -q '^(left out to fit 80 columns: epoch, wall, tok/s, max grad, rows, at step, lr,$' "$T/out" ||
	fail "--width=80: no note of the columns left out: $(cat "$T/out")"
grep -q '^  qwen-350m-lr5e-4-5ep ' "$T/out" || fail "--width=80 cut a label that fits: $(cat "$T/out")"
ok "-S --width=80: every line within 80 columns, the columns left out named"
expect_ok -S text "$RUNS"/*.json
[ "$(widest "$T/out")" -gt 140 ] || fail "-S into a pipe was narrowed: $(cat "$T/out")"
ok "-S into a pipe: every column"
if command -v script >/dev/null 2>&1; then
	script -qec "stty cols 90 rows 30; $TRC -S text -o $T/s.png $RUNS/*.json" /dev/null >"$T/tty.out" 2>&1 ||
		fail "-S on a terminal: $(cat "$T/tty.out")"
	[ "$(widest "$T/tty.out")" -le 90 ] && grep -q 'left out to fit 90 columns' "$T/tty.out" ||
		fail "-S on a 90-column terminal: $(cat "$T/tty.out")"
	ok "-S on a 90-column terminal fits it"
fi

# Text charts at ordinary terminal sizes: no x tic label cut or run
# together (each panel's labels an even progression), panel titles alone
# on their rows (not over tic labels or the legend).
for size in 80,24 100,30 140,45; do
	w=${size%,*}
	expect_ok -t dumb --size=$size "$RUNS"/*.json
	gnuplot "$T/out" >"$T/tc.txt" 2>"$T/gperr" || fail "$size: gnuplot: $(cat "$T/gperr")"
	[ "$(wc -l <"$T/tc.txt")" -le "${size#*,}" ] || fail "$size: more rows than asked"
	# Rows of x tic labels: numbers only; per half (panel column) an even progression.
	awk -v w="$w" -v size="$size" '
	/^ *-?[0-9][0-9.e+-]*( +-?[0-9][0-9.e+-]*)+ *$/ {
		for (h = 0; h < 2; h++) {
			s = substr($0, h * w / 2 + 1, w / 2)
			n = split(s, t, " ")
			if (n < 2) { print size ": row " NR " half " h ": fewer than 2 x tics: " $0; bad = 1; continue }
			for (i = 3; i <= n; i++)
				if (t[i] - t[i - 1] != t[2] - t[1]) { print size ": row " NR ": x tics cut or run together: " $0; bad = 1 }
		}
		rows++
	}
	END { if (rows < 2) { print size ": " rows + 0 " rows of x tic labels"; bad = 1 } exit bad }' "$T/tc.txt" ||
		fail "$size: $(cat "$T/tc.txt")"
	grep -q '^ *Loss  *Perplexity *$' "$T/tc.txt" && grep -q '^ *Learning rate  *Gradient norm *$' "$T/tc.txt" ||
		fail "$size: a panel title shares its row: $(cat "$T/tc.txt")"
	ok "$size text chart: x tic labels whole, titles on their own rows"
done
