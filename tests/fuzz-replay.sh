#!/bin/sh
# Replays the committed fuzz corpora (tests/fuzz/corpus) through the fuzz
# targets, built without libFuzzer (tests/fuzz/replay.c): the parser's fast
# path against json-c, the argument parser, the gnuplot quoting round
# trip, the TensorBoard event-file, W&B run-file, mlflow.db and W&B export
# readers, the MLflow tracking server reader's walk of its answers, and the
# --batch manifest's words.  Any violated property aborts the target and fails this test.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_gnuplot
command -v xmllint >/dev/null 2>&1 || skip "xmllint not installed"
C="$top_srcdir/tests/fuzz/corpus"
for t in parse args quote readers tfevents wandb manifest mlflowdb wbcsv mlflowhttp; do
	"$top_builddir/tests/fuzz/replay_$t" "$C/$t" >"$T/out" 2>"$T/err" ||
		fail "replay_$t: $(tail -5 "$T/err")"
	ok "fuzz corpus $t: $(cat "$T/out")"
done
