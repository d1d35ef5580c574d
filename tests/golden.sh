#!/bin/sh
# Golden outputs: the scripts, tidy data and summaries trcompare-plot writes
# for the bundled examples under a set of option combinations, compared byte
# for byte with tests/data/golden.  They pin behaviour across restructuring;
# a deliberate change regenerates them with
#   TRC_UPDATE_GOLDEN=1 make check TESTS=tests/golden.sh
# and the diff is reviewed like code.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

GOLD="$DATA/golden"
# Relative paths, so the "# source:" lines do not depend on the checkout.
cd "$top_srcdir"

# case NAME OUTPUT ARGS...: runs the program with ARGS, then compares OUTPUT
# (a file, a directory, or "stdout") in $T with $GOLD/NAME.
case_() {
	name=$1 what=$2
	shift 2
	rm -rf "$T/case"
	mkdir "$T/case"
	rc=0
	$TRC "$@" >"$T/case/stdout" 2>"$T/err" || rc=$?
	[ "$rc" -eq 0 ] || fail "$name: trcompare-plot $*: exit $rc; stderr: $(cat "$T/err")"
	got="$T/case/$what"
	if [ -n "${TRC_UPDATE_GOLDEN:-}" ]; then
		rm -rf "${GOLD:?}/$name"
		cp -R "$got" "$GOLD/$name"
		ok "$name: updated"
		return
	fi
	[ -e "$GOLD/$name" ] || fail "$name: no golden output $GOLD/$name (run with TRC_UPDATE_GOLDEN=1)"
	diff -r "$GOLD/$name" "$got" >"$T/diff" || fail "$name: output differs from $GOLD/$name:
$(head -40 "$T/diff")"
	ok "$name: same as the golden output"
}

E=examples/runs
J=examples/jsonl/qwen-350m-lr2e-4-running.jsonl
case_ default.gp x.gp $E/*.json -o "$T/case/x.gp"
case_ png-smooth-epoch.gp x.gp $E/*.json -t pngcairo --size=900,600 --smooth=0.6 -x epoch -o "$T/case/x.gp"
case_ dumb-zoom.gp x.gp -t dumb -m loss,throughput --max-points=400 --xrange=500:1500 \
	$E/qwen-350m-lr1e-4.json $E/qwen-350m-lr3e-4.json -o "$T/case/x.gp"
case_ outliers-relative.gp x.gp --ignore-outliers --logy=loss --yrange=lr=0:0.001 -x relative \
	-t svg --title='Sweep <1> "a"' run=$J $E/llama-1.3b-lr2e-4.json -o "$T/case/x.gp"
case_ time-one-panel.gp x.gp -x time -m loss -t pngcairo --colors='#111111,#222222' \
	$E/qwen-350m-lr5e-4-5ep.json $J -o "$T/case/x.gp"
case_ stdout-script stdout -m lr,grad_norm,gpu_util base=$E/qwen-350m-lr1e-4.json $E/qwen-350m-lr1e-4.json
case_ datadir dd --smooth=0.5 -d "$T/case/dd" A=$E/qwen-350m-lr3e-4.json B=$J
case_ datadir-dumb dd -t dumb --size=100,30 -m loss -d "$T/case/dd" $E/llama-1.3b-lr2e-4.json
case_ data-stdout stdout --data --smooth=0.3 $J tests/data/summary/a.json
case_ summary-json stdout -S json $E/*.json $J
case_ summary-text stdout -S text $E/*.json
# --baseline: each job's deltas against one job, in every format.
for f in text markdown csv json; do
	case_ "summary-baseline-$f" stdout -S "$f" --baseline=$E/qwen-350m-lr1e-4.json $E/*.json
done
case_ summary-baseline-label stdout -S text --baseline=run $E/llama-1.3b-lr2e-4.json run=$J
# Labels come from file names; hostile ones are given with LABEL= here.
case_ hostile.gp x.gp "it's \"quoted\" '''a' \\\" \\' \`touch canary\` @m \$v ends\\=tests/data/hostile/00-quotes.json" \
	"x^2_{i} {/Symbol a} @^{a}_{b} &{sp} ~a{.8-}=tests/data/hostile/11-enhanced.json" \
	"$(printf 'bad \377\376 trunc \342\202')=tests/data/hostile/22-invalid-utf8.json" -o "$T/case/x.gp"
