#!/bin/sh
# tests/readers.sh: the logs fine-tuners already have (issue 12): Hugging
# Face trainer_state.json (files, output directories, checkpoint-only
# directories), LLaMA-Factory trainer_log.jsonl (old and new keys),
# CSV/TSV (Lightning's sparse CRLF metrics.csv, Keras with NA and an
# appended session), the column table (src/colmap.h), Git LFS pointers, and
# a comparison mixing formats drawn to PNG.  Expected values are computed by
# hand from the fixtures in tests/data/readers (see the comments).
. "$(dirname "$0")/lib.sh"

D="$DATA/readers"
EX="$top_srcdir/examples"

# data_rows ARGS...: --data of one job, without the comment lines.
data_rows() {
	expect_ok --data "$@"
	grep -v '^#' "$T/out" >"$T/rows"
}

# want_rows NAME: $T/rows must equal stdin.
want_rows() {
	cat >"$T/want"
	cmp -s "$T/want" "$T/rows" || fail "$1: --data differs:
$(diff "$T/want" "$T/rows" || true)"
	ok "$1: --data as computed by hand"
}

# --------------------------------------------------------- Hugging Face
# hf-resumed: steps 10..40; step 30 logged twice (a resume: the second,
# 1.5, wins); eval rows merge into steps 20 and 40; the final summary
# (train_loss 99, total_flos) is no data point; grad_norm NaN at 20 is
# not finite (one warning); mean_token_accuracy (TRL) is a column;
# num_train_epochs = 2^63 - 1 and best_metric Infinity change nothing.
# Perplexity derived: exp(2.5) = 12.182..., exp(2.25) = 9.4877...
data_rows "$D/hf-resumed/trainer_state.json"
want_rows hf-resumed <<'W'
"step" "epoch" "train_loss" "eval_loss" "train_perplexity" "perplexity" "learning_rate" "grad_norm" "mean_token_accuracy" "eval_runtime" "eval_samples_per_second" "eval_steps_per_second"
10 0.5 2.5 NaN 12.182493960703473 NaN 4e-05 3.25 0.25 NaN NaN NaN
20 1 2 2.25 7.38905609893065 9.487735836358526 3e-05 NaN 0.5 1.5 40 5
30 1.5 1.5 NaN 4.4816890703380645 NaN 2e-05 1.5 NaN NaN NaN NaN
40 2 1.25 1.75 3.4903429574618414 5.754602676005731 1e-05 1.25 NaN 1.5 40 5
W
printf '%s\n' "trcompare-plot: warning: $D/hf-resumed/trainer_state.json: 1 value was not finite (read as not logged)" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "hf-resumed warnings: $(cat "$T/err")"
grep -qx '# label: hf-resumed' "$T/out" || fail "trainer_state.json: label is not the directory name"
ok "hf: the summary entry is dropped, one warning, label = directory name"

# The directory reads the same rows.
expect_ok --data "$D/hf-resumed"
grep -v '^#' "$T/out" | cmp -s - "$T/rows" || fail "hf directory differs from its trainer_state.json"
grep -qx '# label: hf-resumed' "$T/out" || fail "hf directory: label"
ok "hf: an output directory reads DIR/trainer_state.json"

# Checkpoint-only: checkpoint-10 is newer than checkpoint-5 (by number, not
# by name); its history has steps 5 and 10.
data_rows "$D/hf-ckpt"
want_rows hf-ckpt <<'W'
"step" "epoch" "train_loss" "train_perplexity" "learning_rate" "grad_norm"
5 0.5 3 20.085536923187668 5e-05 4
10 1 2 7.38905609893065 0 2
W
grep -qx '# label: hf-ckpt' "$T/out" || fail "checkpoint dir: label"
# A checkpoint's own file is named after the run, not "checkpoint-5".
expect_ok --data "$D/hf-ckpt/checkpoint-5/trainer_state.json"
grep -qx '# label: hf-ckpt' "$T/out" || fail "checkpoint-5/trainer_state.json: label $(grep '^# label' "$T/out")"
ok "hf: checkpoint-N/trainer_state.json is labelled by the run's directory"
expect_ok --data "mine=$D/hf-ckpt"
grep -qx '# label: mine' "$T/out" || fail "LABEL= does not win over the directory name"
ok "hf: LABEL= wins over the directory name"

# ------------------------------------------------------- LLaMA-Factory
# New keys (lr); elapsed_time "1 day, 0:00:10" = 86410 s; the eval row at
# step 20 comes later (0:01:10 = 70 s) and wins the time of step 20.
data_rows "$D/lf-new"
want_rows lf-new <<'W'
"step" "epoch" "time" "train_loss" "eval_loss" "train_perplexity" "perplexity" "learning_rate" "total_steps" "percentage" "throughput" "total_tokens"
10 0.33 30 2 NaN 7.38905609893065 NaN 4e-05 30 33.33 1500.5 45000
20 0.67 70 1.5 1.75 4.4816890703380645 5.754602676005731 2e-05 30 66.67 1500 90000
30 1 86410 1.25 NaN 3.4903429574618414 NaN 0 30 100 1499 135000
W
# Old keys (learning_rate; eval_loss null, omitted columns).
data_rows "$D/lf-old/trainer_log.jsonl"
want_rows lf-old <<'W'
"step" "epoch" "time" "train_loss" "train_perplexity" "learning_rate" "total_steps" "percentage"
5 0.5 20 3 20.085536923187668 5e-05 10 50
10 1 40 2.5 12.182493960703473 0 10 100
W
grep -qx '# label: lf-old' "$T/out" || fail "trainer_log.jsonl: label"
# -x relative uses elapsed_time: 20 s and 40 s from the start are 0 and 20.
expect_ok -x relative --data "$D/lf-old/trainer_log.jsonl"
[ ! -s "$T/err" ] || fail "-x relative on trainer_log.jsonl: $(cat "$T/err")"
ok "llamafactory: -x relative from elapsed_time"

# ------------------------------------------------------------------ CSV
# Lightning (CRLF, sparse): train_loss_step is train_loss, val_loss the
# eval loss, train_loss_epoch keeps its name; the epoch rows at steps 1
# and 3 merge into the step rows.
data_rows "$D/lightning_logs/version_0"
want_rows lightning <<'W'
"step" "epoch" "train_loss" "eval_loss" "train_perplexity" "perplexity" "train_loss_epoch"
0 NaN 2.5 NaN 12.182493960703473 NaN NaN
1 0 2.25 2 9.487735836358526 7.38905609893065 2.375
2 NaN 1.75 NaN 5.754602676005731 NaN NaN
3 1 1.5 1.25 4.4816890703380645 3.4903429574618414 1.625
W
grep -qx '# label: version_0' "$T/out" || fail "version_N directory: label"
# Keras ("\r\r\n", NA, a second session appended from epoch 0): epoch is
# the step; the second session's epochs 0 and 1 replace the first's; one
# warning says the step went back.
data_rows "$D/keras.csv"
want_rows keras <<'W'
"step" "epoch" "train_loss" "eval_loss" "train_perplexity" "perplexity" "learning_rate" "accuracy" "val_accuracy"
0 0 1.5 1.5 4.4816890703380645 4.4816890703380645 0.001 0.5 0.5
1 1 0.75 1 2.117000016612675 2.718281828459045 0.001 0.875 0.75
2 2 1 1.125 2.718281828459045 3.080216848918031 0.0005 0.75 0.625
W
printf '%s\n' "trcompare-plot: warning: $D/keras.csv: the step went back 1 time (a resumed run?); where a step was logged twice, the values logged last are kept" >"$T/want"
cmp -s "$T/want" "$T/err" || fail "keras warnings: $(cat "$T/err")"
ok "csv: Keras restart warned once"

# TSV with a BOM, quoted names, W&B's "Step", lr-AdamW, a column mapping
# to train_loss twice (train/loss yields to train_loss, which is spelled
# like the canonical name; the data file writes the column train/loss as
# train_loss_2, its rule for names that clash once made file-safe), nan
# and text cells.
printf '\357\273\277"Step"\t"train/loss"\t"train_loss"\tlr-AdamW\tnote\r\n3\t9\t1.5\t0.1\tok\r\n1\t8\t2.5\tnan\t"a\tb"\r\n' >"$T/w.tsv"
data_rows "$T/w.tsv"
want_rows tsv <<'W'
"step" "train_loss" "train_perplexity" "learning_rate" "train_loss_2"
1 2.5 12.182493960703473 NaN 8
3 1.5 4.4816890703380645 0.1 9
W
ok "csv: TSV, BOM, quoting, the column table"

# Lines without quotes are split without libcsv (read_csv.c's fast path),
# the rest by libcsv: both must read every line alike.  Each file is read
# as it is and with its first header cell quoted (libcsv then reads every
# line); the tidy data must be the same.  The mix: spaces and tabs around
# cells, CRLF and \r\r\n, blank and white-space lines, an empty last
# cell, NA, nan and -inf, a quoted line in the middle (the fast path hands
# over there), a last line without a line end, and a 70 kB line.
long=$(head -c 70000 /dev/zero | tr '\0' 'x')
printf 'step, train_loss,\teval_loss ,lr\r\n1, 2.5 ,\t,0.1\r\n\r\n  \t \n2,NA,nan,\r\r\n3,1.25,-inf,1e-4\n4,"1.5",2,3\n5,1,1,%s\n6,0.5,0.75,0.01' "$long" >"$T/mix.csv"
printf 'step\tloss\tnote\n1\t 2 \ta b\n2\t1\t"q"\n3\t0.5\t\n4\t1,5\t2\n5\t0.25\t7\n' >"$T/mix.tsv"
# Lines of numbers only are read in one pass (numeric_line): numbers
# followed by other bytes, cells of 20 digits and of 65 bytes (not a
# number), more and fewer cells than the header, an empty last cell,
# exponents beyond the exact range.
printf 'step,a,b,c\r\n1,1x2,3,4\r\n2,12abc,5,6\r\n3,1.5.3,7,8\r\n4,3e,1e5e2,9\r\n5,0x1A,+-1,-0\r\n6,007,1 ,2\r\n7,12345678901234567890123,0.1,1\r\n8,1%064d,2,3\r\n9,1,2,3,4,5\r\n10,1\r\n11,5,1,\r\n12,1.5e-70,2.5e+300,1e400\r\n13,0.24487257333508552,7.499999999999999e-07,1.0\r\n' 0 >"$T/nums.csv"
# More than 1024 rows after a line with a quote (the header read without
# libcsv, the rest by it): the reader reserves no rows from the bytes the
# fast path read (a division by zero did).
{ printf 'step,loss\n1,"2"\n'; seq 2 1100 | sed 's/$/,0.5/'; } >"$T/late.csv"
for f in "$T/mix.csv" "$T/mix.tsv" "$T/nums.csv" "$T/late.csv" "$D/keras.csv" "$D/lightning_logs/version_0/metrics.csv"; do
	sed '1s/^\([^,\t]*\)/"\1"/' "$f" >"$T/quoted"
	[ "$(head -c 1 "$T/quoted")" = '"' ] || fail "csv fast path: could not quote $f's header"
	$TRC --data "$f" 2>"$T/err1" | grep -v '^#' >"$T/fast" || fail "csv fast path: $f: $(cat "$T/err1")"
	$TRC --data "$T/quoted" 2>"$T/err2" | grep -v '^#' >"$T/slow" || fail "csv fast path: $f quoted: $(cat "$T/err2")"
	[ -s "$T/fast" ] && cmp -s "$T/fast" "$T/slow" || fail "csv fast path: $f reads differently from libcsv:
$(diff "$T/fast" "$T/slow" | head -20)"
done
[ "$(grep -c . "$T/fast")" -ge 3 ] || fail "csv fast path: too few rows read"
ok "csv: lines read without libcsv read as libcsv reads them"

# The column table in the JSON reader too (W&B-style and HF-style names in
# JSON Lines); "loss" still yields to "train_loss".
printf '%s\n' '{"global_step": 1, "train/loss": 2, "lr": 0.5, "train/epoch": 0.25}' \
	'{"_step": 2, "loss": 9, "train_loss": 1.5, "train/grad_norm": 3}' >"$T/wb.jsonl"
data_rows "$T/wb.jsonl"
want_rows json-colmap <<'W'
"step" "epoch" "train_loss" "train_perplexity" "learning_rate" "grad_norm"
1 0.25 2 7.38905609893065 0.5 NaN
2 NaN 1.5 4.4816890703380645 NaN 3
W

# Hostile names: a run directory and CSV columns with quotes, markup and
# control characters stay inert in every output (JSON parses, SVG is XML).
H="$T/r\"un<!--&#x1;$(printf '\001')"
mkdir -p "$H"
printf 'step,"x""y</script>\001",val_loss\n1,2,3\n2,1,2\n' >"$H/metrics.csv"
expect_ok -S json "$H"
if command -v jq >/dev/null 2>&1; then
	# (text.h: "<!" and "&#x" are broken with a space, a trailing control dropped.)
	jq -e '.[0].label == "r\"un< !--& #x1;" and .[0].rows == 2' "$T/out" >/dev/null ||
		fail "hostile: -S json: $(cat "$T/out")"
fi
expect_ok --data "$H"
if command -v gnuplot >/dev/null 2>&1 && command -v xmllint >/dev/null 2>&1; then
	expect_ok -o "$T/h.svg" "$H"
	xmllint --noout "$T/h.svg" || fail "hostile: the SVG is not XML"
fi
ok "hostile directory and column names stay inert"

# ------------------------------------------------------- summary numbers
# By hand: hf-resumed final train 1.25 (not the summary's 99), best eval
# 1.75 at 40, gap 0.5, lr 1e-05, max grad 3.25, epochs 2; version_0 final
# train 1.5, eval 1.25, gap -0.25; keras final train 1 (step 2), best
# eval 1 at step 1, final eval 1.125, gap 0; lf-new wall 86410 - 30 =
# 86380 s.
expect_ok -S csv "$D/hf-resumed" "$D/lightning_logs/version_0" "$D/keras.csv" "$D/lf-new"
cut -d, -f1,3-11,13-15 "$T/out" | tr -d '\r' >"$T/got"
cat >"$T/want" <<'W'
label,rows,last_step,final_train_loss,final_eval_loss,best_eval_loss,best_eval_step,gap,overfitting,final_learning_rate,mean_tokens_per_second,wall_seconds,epochs
hf-resumed,4,40,1.25,1.75,1.75,40,0.5,true,1e-05,,,2
version_0,4,3,1.5,1.25,1.25,3,-0.25,false,,,,1
keras,3,2,1,1.125,1,1,0,false,0.0005,,,2
lf-new,3,30,1.25,1.75,1.75,20,0.5,true,0,,86380,1
W
cmp -s "$T/want" "$T/got" || fail "-S csv differs:
$(diff "$T/want" "$T/got" || true)"
ok "-S csv numbers as computed by hand"

# ---------------------------------------------------------------- errors
expect_fail 1 "trcompare-plot: $D/lfs-pointer.json: a Git LFS pointer, not the log itself (run \`git lfs pull\`)" \
	--data "$D/lfs-pointer.json"
expect_fail 1 "trcompare-plot: $D/header-only.csv: CSV has a header but no rows" --data "$D/header-only.csv"
expect_fail 1 "trcompare-plot: $D/nostep.csv: no step-like column (step, global_step, _step, Step, current_steps or epoch) among the CSV columns: time, my loss, acc (name the step with --alias COLUMN=step)" \
	--data "$D/nostep.csv"
printf 'step,"a\n1,2\n' >"$T/trunc.csv"
expect_fail 1 "trcompare-plot: $T/trunc.csv: unterminated quoted field at the end of the CSV (truncated file?)" \
	--data "$T/trunc.csv"
printf 'step,a\n1,"x"y\n' >"$T/bad.csv"
expect_fail 1 "trcompare-plot: $T/bad.csv: malformed CSV at line 2 (a quote inside a field must be doubled, and a quoted field must end at a delimiter or line end)" \
	--data "$T/bad.csv"
mkdir "$T/empty"
expect_fail 1 "trcompare-plot: $T/empty: $NO_RUN_DIR" --data "$T/empty"

# A directory of runs: one job per subdirectory that is a run (Lightning's
# version_N, Hugging Face output directories, LLaMA-Factory's), in name
# order, labelled by its name (one starting with '#' too); hidden and
# non-run subdirectories and loose files are skipped, and a link to one of
# the others (e-link, 0-latest: sorted first, still c-lf's); a directory
# that is a run itself is not split.
S="$T/sweep"
mkdir -p "$S/.hidden" "$S/notes" "$S/deeper/x"
cp -R "$EX"/lightning_logs/version_0 "$S/b-lightning"
cp -R "$EX"/hf/qwen-sft "$S/a-hf"
cp -R "$EX"/llamafactory/llama-lora "$S/c-lf"
cp -R "$EX"/lightning_logs/version_0 "$S/#d-hash"
ln -s b-lightning "$S/e-link"
ln -s c-lf "$S/0-latest"
cp -R "$EX"/lightning_logs/version_0/. "$S/.hidden/"
cp -R "$EX"/lightning_logs/version_0/. "$S/deeper/x/"
echo notes >"$S/notes/readme.txt"
cp "$EX"/runs/qwen-350m-lr1e-4.json "$S/loose.json"
expect_ok -S csv "$S"
cut -d, -f1,3,4 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step '#d-hash,20,19' a-hf,20,200 b-lightning,20,19 c-lf,12,60 >"$T/want"
check_want "a directory of runs: one job per run directory in it"
expect_ok -S csv "$S/#d-hash" "$S/a-hf" "$S/b-lightning" "$S/c-lf"
cut -d, -f1,3,4 "$T/out" >"$T/got"
check_want "a directory of runs: as its runs named one by one"
cp "$EX"/lightning_logs/version_0/metrics.csv "$S/"
expect_ok -S csv "$S"
cut -d, -f1,3,4 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step sweep,20,19 >"$T/want"
check_want "a directory that is a run itself is one job, its run subdirectories not read"
rm "$S/metrics.csv"
# A finished Hugging Face output directory (its own trainer_state.json)
# with its TensorBoard logs in runs/ (the Trainer's default logging_dir)
# is its trainer_state.json.
mkdir "$T/hfout"
cp -R "$EX"/hf/qwen-sft "$T/hfout/run-a"
cp -R "$EX"/tensorboard/runs "$T/hfout/run-a/runs"
expect_ok -S csv "$T/hfout/run-a"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss run-a,20,200,1.3911 >"$T/want"
check_want "a Hugging Face output directory with runs/ is read as its trainer_state.json"
# A directory of such output directories, beside a TensorBoard run of its
# own: one job per output directory (not per TensorBoard run below them)
# and the TensorBoard run.
cp -R "$T/hfout/run-a" "$T/hfout/run-b"
cp -R "$EX"/tensorboard/runs/. "$T/hfout/tb-run"
expect_ok -S csv "$T/hfout"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss run-a,20,200,1.3911 run-b,20,200,1.3911 \
	tb-run/Nov30_12-00-00_gpu1,20,200,1.1134 >"$T/want"
check_want "a directory of Hugging Face output directories: one job each, not their TensorBoard runs"
# A sweep whose output directories do not all hold TensorBoard logs: the
# TensorBoard listing (folded onto a) and the other run directories.
mkdir -p "$T/sw/b" "$T/sw/c"
cp -R "$T/hfout/run-a" "$T/sw/a"
cp "$EX"/hf/qwen-sft/trainer_state.json "$T/sw/b/"
cp "$EX"/lightning_logs/version_0/metrics.csv "$T/sw/c/"
expect_ok -S csv "$T/sw"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss a,20,200,1.3911 b,20,200,1.3911 c,20,19,1.1516 >"$T/want"
check_want "a directory of runs of which only some hold TensorBoard logs: every run"
mkdir -p "$T/ll/version_0" "$T/ll/version_1"
cp "$EX"/lightning_logs/version_0/metrics.csv "$T/ll/version_0/"
cp "$EX"/tensorboard/runs/*/events.* "$T/ll/version_1/"
expect_ok -S csv "$T/ll"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss version_0,20,19,1.1516 version_1,20,200,1.1134 >"$T/want"
check_want "lightning_logs/ with a CSV-only version_0 and a TensorBoard-only version_1: both"
# A finished Hugging Face output directory with its event files beside
# trainer_state.json (logging_dir = output_dir) is its trainer_state.json,
# named alone or as one of a directory's runs.
mkdir -p "$T/hfl/out"
cp "$EX"/hf/qwen-sft/trainer_state.json "$EX"/tensorboard/runs/*/events.* "$T/hfl/out/"
cp -R "$EX"/tensorboard/runs/. "$T/hfl/tb"
expect_ok -S csv "$T/hfl/out"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss out,20,200,1.3911 >"$T/want"
check_want "an output directory with trainer_state.json and event files side by side: trainer_state.json"
expect_ok -S csv "$T/hfl"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss out,20,200,1.3911 tb/Nov30_12-00-00_gpu1,20,200,1.1134 >"$T/want"
check_want "the same output directory as one of a log root's runs: trainer_state.json"
# A run given alone and again as one of a directory's runs, or of two
# directories' runs: drawn twice, with a warning.
expect_ok -S csv "$T/ll" "$T/ll/version_0"
printf 'trcompare-plot: warning: %s/ll/version_0: the same job as %s/ll'"'"'s run version_0, given again\n' "$T" "$T" >"$T/want"
cp "$T/err" "$T/got"
check_want "a directory's run named again: a warning"
expect_ok -S csv "$T/ll/version_1" "$T/ll"
printf 'trcompare-plot: warning: %s/ll'"'"'s run version_1: the same job as %s/ll/version_1, given again\n' "$T" "$T" >"$T/want"
cp "$T/err" "$T/got"
check_want "a run named, then again as a directory's run: a warning"
expect_ok -S csv "$EX/mlruns/1" "$EX/mlruns"
{
	for r in 6f1c0a8e2b7d4e3fa1c29b8d7e6f5a41 9a2e4c6b8d0f4a1c3e5b7d9f1a3c5e72; do
		printf 'trcompare-plot: warning: %s/mlruns'"'"'s run 1/%s: the same job as %s/mlruns/1'"'"'s run %s, given again\n' \
			"$EX" "$r" "$EX" "$r"
	done
} >"$T/want"
cp "$T/err" "$T/got"
check_want "two directories sharing runs: a warning for each run given again"
# Hugging Face output directories still training (checkpoints, no
# trainer_state.json of their own) are read from their live TensorBoard
# logs, labelled by the directory (DIR/REL, or LABEL/REL, when several).
for r in lr1 lr2; do
	mkdir -p "$T/live/$r/checkpoint-100" "$T/live/$r/runs/Nov30_12-00-00_gpu1"
	cp "$EX"/hf/qwen-sft/trainer_state.json "$T/live/$r/checkpoint-100/"
	cp "$EX"/tensorboard/runs/*/events.* "$T/live/$r/runs/Nov30_12-00-00_gpu1/"
done
expect_ok -S csv "$T/live/lr1" "$T/live/lr2"
cut -d, -f1,3,4,5 "$T/out" >"$T/got"
printf '%s\n' label,rows,last_step,final_train_loss lr1,20,200,1.1134 lr2,20,200,1.1134 >"$T/want"
check_want "two output directories still training: labelled by their directories"
mkdir -p "$T/live/lr2/runs/Dec01_gpu2"
cp "$EX"/tensorboard/runs/*/events.* "$T/live/lr2/runs/Dec01_gpu2/"
expect_ok -S csv "$T/live/lr1" "X=$T/live/lr2"
cut -d, -f1 "$T/out" >"$T/got"
printf '%s\n' label lr1 X/runs/Dec01_gpu2 X/runs/Nov30_12-00-00_gpu1 >"$T/want"
check_want "an output directory still training with two TensorBoard sessions: LABEL/REL"
# One still training whose event file holds no scalars yet (only the
# file_version record: 8 + 4 + 24 + 4 bytes of the example's) is left out
# with a warning naming it.
mkdir -p "$T/early/out/checkpoint-100" "$T/early/out/runs/X" "$T/early/tb/a" "$T/early/tb/b"
cp "$EX"/hf/qwen-sft/trainer_state.json "$T/early/out/checkpoint-100/"
for f in "$EX"/tensorboard/runs/*/events.*; do
	head -c 40 "$f" >"$T/early/out/runs/X/${f##*/}"
	head -c 40 "$f" >"$T/early/tb/a/${f##*/}"
	head -c 40 "$f" >"$T/early/tb/b/${f##*/}"
done
expect_fail 1 "trcompare-plot: warning: $T/early/out: its run runs/X has no metrics yet
trcompare-plot: no job has any metrics" -S csv "$T/early/out"
expect_ok -S csv "$T/early/out" "$RUNS/qwen-350m-lr1e-4.json"
printf 'trcompare-plot: warning: %s/early/out: its run runs/X has no metrics yet\n' "$T" >"$T/want"
cp "$T/err" "$T/got"
check_want "a run directory whose runs have no metrics yet, beside a job that has: a warning"
expect_fail 1 "trcompare-plot: warning: $T/early/tb: none of its 2 runs has metrics yet
trcompare-plot: no job has any metrics" -S csv "$T/early/tb"
printf -- '-o %s/early.svg %s/early/out\n' "$T" "$T" >"$T/early.manifest"
trc --batch "$T/early.manifest"
[ "$rc" -eq 1 ] || fail "--batch, a line whose only run has no metrics yet: exit $rc"
head -2 "$T/err" >"$T/got"
printf 'trcompare-plot: warning: %s/early.manifest:1: %s/early/out: its run runs/X has no metrics yet\ntrcompare-plot: %s/early.manifest:1: no job has any metrics\n' \
	"$T" "$T" "$T" >"$T/want"
check_want "--batch: a line whose only run has no metrics yet: the warning, then the line's error"
# The same job given twice, named as given: a run directory's one run by
# the directory, a directory's run without its LABEL=.
expect_ok -S csv "$T/live/lr1" "$T/live/lr1/runs/Nov30_12-00-00_gpu1"
printf 'trcompare-plot: warning: %s/live/lr1/runs/Nov30_12-00-00_gpu1: the same job as %s/live/lr1, given again\n' "$T" "$T" >"$T/want"
cp "$T/err" "$T/got"
check_want "a run directory's run named again: named as the directory"
expect_ok -S csv "$T/ll/version_0" "X=$T/ll"
printf 'trcompare-plot: warning: %s/ll'"'"'s run version_0: the same job as %s/ll/version_0, given again\n' "$T" "$T" >"$T/want"
cp "$T/err" "$T/got"
check_want "a directory's run given again under LABEL=: the directory without the label"
mkdir -p "$T/two/levels"
cp -R "$EX"/hf/qwen-sft "$T/two/levels/run"
expect_fail 1 "trcompare-plot: $T/two: $NO_RUN_DIR" -S csv "$T/two"
# At most 1000 runs: the 1001st is refused before any is read.
mkdir "$T/many"
i=0
while [ $i -le 1000 ]; do
	mkdir "$T/many/r$i" && : >"$T/many/r$i/trainer_log.jsonl"
	i=$((i + 1))
done
expect_fail 64 "trcompare-plot: $T/many: more than 1000 runs in the directory" -S csv "$T/many"
rm -rf "$T/many"
# A directory's file that fails names the file.
mkdir "$T/broken"
printf '{"log_history": [' >"$T/broken/trainer_state.json"
expect_fail 1 "trcompare-plot: $T/broken: trainer_state.json: unexpected end of input (truncated JSON?) at line 1, column 18" \
	--data "$T/broken"

# ------------------------------------------------------------ examples
# README "What it reads": each example command.
need_gnuplot
cd "$T"
expect_ok "$EX/hf/qwen-sft" -o hf.png
[ "$(png_size hf.png)" = 1200x800 ] || fail "hf.png: $(png_size hf.png)"
expect_ok --data "$EX/hf/qwen-sft/trainer_state.json"
expect_ok -S "$EX/lightning_logs/version_0" "$EX/llamafactory/llama-lora"
grep -q '^\* llama-lora ' "$T/out" || fail "examples: llama-lora not recommended: $(cat "$T/out")"
expect_ok -x relative "$EX/llamafactory/llama-lora" -o lf.png
# Mixing formats in one comparison: a Hugging Face directory, a Lightning
# CSV directory and the platform's JSON, one chart.
expect_ok "$EX/hf/qwen-sft" "$EX/lightning_logs/version_0" "$EX/runs/qwen-350m-lr1e-4.json" -o mixed.png
[ "$(png_size mixed.png)" = 1200x800 ] || fail "mixed.png: $(png_size mixed.png)"
expect_ok -S csv "$EX/hf/qwen-sft" "$EX/lightning_logs/version_0" "$EX/runs/qwen-350m-lr1e-4.json"
cut -d, -f1-3 "$T/out" | tr -d '\r' >"$T/got"
printf '%s\n' label,id,rows qwen-sft,,20 version_0,,20 qwen-350m-lr1e-4,943ff9fc-99de-4f03-b080-aa269da8a457,200 >"$T/want"
cmp -s "$T/want" "$T/got" || fail "mixed -S csv: $(cat "$T/got")"
ok "README examples: each format, and three formats in one chart"
