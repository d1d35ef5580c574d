#!/bin/sh
# Tracker logs: TensorBoard event files and log directories, MLflow file
# stores.  The fixtures are written at test time by tests/trackers.py (an
# independent encoder, standard library only); expected values are worked
# out here (float32 values by Python's struct, as the shortest decimal that
# reads back as the same float32).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"
W="$top_srcdir/tests/trackers.py"
python3 "$W" tfevents "$T/tb"
python3 "$W" mlflow "$T/ml"
python3 "$W" wandb "$T/wb"

# f32 X...: each X as float32, printed as the shortest decimal that reads
# back as that float32, in the program's spelling (%.15g of that decimal).
f32() {
	python3 -c '
import struct, sys
for x in sys.argv[1:]:
    f = struct.unpack("<f", struct.pack("<f", float(x)))[0]
    for p in range(1, 10):
        s = "%.*g" % (p, f)
        if struct.unpack("<f", struct.pack("<f", float(s)))[0] == f:
            break
    print("%.15g" % float(s))' "$@"
}

# --- Hugging Face run directory: two event files merge; a restart
# (session_log START at 30) drops the steps >= 30 logged before it; a bad
# data checksum skips one record; train/train_loss and an image are
# skipped; the last record is cut short.
trc --data "$T/tb/hf"
[ "$rc" -eq 0 ] || fail "hf: exit $rc: $(cat "$T/err")"
cols train_loss learning_rate eval_loss eval_accuracy grad_norm >"$T/got"
{
	echo "hf 10 2.5 $(f32 1e-4) NaN NaN NaN"
	echo "hf 20 NaN $(f32 9e-5) NaN NaN NaN"
	echo "hf 30 1.5 NaN NaN NaN NaN"
	echo "hf 50 1.25 NaN $(f32 1.4) 0.75 NaN"
} >"$T/want"
check_want "TensorBoard run directory: merge, restart, bad record, float32 values"
cat >"$T/want" <<EOF
trcompare-plot: warning: $T/tb/hf: skipped 1 record with a bad checksum or unreadable contents
trcompare-plot: warning: $T/tb/hf: 1 file ends mid-record (still being written?)
EOF
cp "$T/err" "$T/got"
check_want "TensorBoard warnings: bad record, truncated file"
grep -q '"loss_img"\|"train_train_loss"\|"train_loss_img"' "$T/out" && fail "skipped tags became columns"
ok "images and train/train_loss are no columns"
awk '/^1700000/ || /^10 / { print $2; exit }' "$T/out" >"$T/got"
echo 1700000010 >"$T/want"
check_want "wall_time is the time column"

# --- one event file as the JOB, named in the warnings.
f="$T/tb/hf/events.out.tfevents.1700000000.host.1.0"
trc --data "$f"
cols train_loss >"$T/got"
printf '%s\n' "hf 10 2.5" \
	"hf 20 NaN" \
	"hf 30 1.5" \
	"hf 50 1.25" >"$T/want"
check_want "one event file as a JOB"

# --- Keras: train/ + validation/ are one run; rank-0 tensors (float_val,
# packed, tensor_content; validation in DOUBLE); a histogram skipped; a
# negative step.
trc --data "$T/tb/keras"
[ "$rc" -eq 0 ] || fail "keras: exit $rc: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "keras: stderr: $(cat "$T/err")"
cols train_loss eval_loss learning_rate >"$T/got"
{
	echo "keras -1 1 NaN NaN"
	echo "keras 0 $(f32 0.9) 1.1 $(f32 0.001)"
	echo "keras 1 $(f32 0.7) 0.95 $(f32 0.001)"
	echo "keras 2 $(f32 0.6) 0.9 $(f32 0.001)"
} >"$T/want"
check_want "Keras train/ and validation/: one run, validation as eval columns"
grep -q kernel "$T/out" && fail "the histogram became a column"
ok "histograms are no columns"

# --- two runs in one directory: two jobs labelled by relative path.
trc --data "$T/tb/multi"
cols train_loss >"$T/got"
{
	printf 'run_a 1 3\nrun_a 2 1.5\nrun_a 3 1\n'
	echo "sub/run_b 1 2"
	echo "sub/run_b 2 1"
	echo "sub/run_b 3 $(f32 0.6666666666666666)"
} >"$T/want"
check_want "a directory of two runs is two jobs"
trc --data "L=$T/tb/multi"
grep '^# label:' "$T/out" >"$T/got"
printf '# label: L/run_a\n# label: L/sub/run_b\n' >"$T/want"
check_want "LABEL= on a directory of runs prefixes each run's path"
expect_ok -o "$T/multi.gp" "$T/tb/multi"
grep '^T\[\|^C\[' "$T/multi.gp" | sed 's/; F.*//' >"$T/got"
printf '%s\n' 'T[1] = "run_a"' 'C[1] = "#2563eb"' 'T[2] = "sub/run_b"' 'C[2] = "#16a34a"' >"$T/want"
check_want "two runs of one directory: two labels, two colours"
[ "$(grep -c '^set key' "$T/multi.gp")" -eq 1 ] || fail "multi: not one legend"
ok "two runs of one directory: one legend"

# --- more than 1000 runs under one directory is refused before reading.
python3 -c '
import os, sys
for i in range(1001):
    d = os.path.join(sys.argv[1], "r%04d" % i)
    os.makedirs(d)
    open(os.path.join(d, "events.out.tfevents.1.h.1.0"), "wb").close()' "$T/many"
expect_fail 64 "trcompare-plot: $T/many: more than 1000 runs in the directory" --data "$T/many"

# --- a bad length checksum ends the file with an error naming it.
python3 - "$T/tb/badlen/events.out.tfevents.1.h.4.0" >"$T/off" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
pos = 0
for _ in range(2):  # the version record and one good record
    (n,) = struct.unpack("<Q", d[pos:pos + 8])
    pos += 16 + n
print(pos)
EOF
off=$(cat "$T/off")
expect_fail 1 "trcompare-plot: $T/tb/badlen: events.out.tfevents.1.h.4.0: bad length checksum at offset $off" \
	--data "$T/tb/badlen"
expect_fail 1 "trcompare-plot: $T/tb/badlen/events.out.tfevents.1.h.4.0: bad length checksum at offset $off" \
	--data "$T/tb/badlen/events.out.tfevents.1.h.4.0"

# --- MLflow: the store's root yields every live run, labelled by run
# name (older stores: tags/mlflow.runName); nested keys; old two-field
# lines (step 0); nan and inf are not logged.
trc --data "$T/ml/mlruns"
[ "$rc" -eq 0 ] || fail "mlruns: exit $rc: $(cat "$T/err")"
cols train_loss grad_norm eval_loss learning_rate time >"$T/got"
cat >"$T/want" <<EOF
lora-r8 1 2.5 0.5 NaN NaN 1700000001
lora-r8 2 2 NaN 2.2 NaN 1700000002
lora-r8 3 NaN NaN NaN NaN 1700000003
old-style 0 NaN NaN NaN 5e-05 1700000006
EOF
check_want "MLflow store: runs, nested keys, two-field lines, nan/inf"
echo "trcompare-plot: warning: $T/ml/mlruns/0/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6: 2 values were not finite (read as not logged)" >"$T/want"
cp "$T/err" "$T/got"
check_want "MLflow: non-finite values warned once"
trc --data "$T/ml/mlruns/0/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
grep '^# label:\|^# job:' "$T/out" >"$T/got"
printf '# label: lora-r8\n# job: a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6\n' >"$T/want"
check_want "an MLflow run directory is one job, labelled by its run name"

# --- W&B: the wandb/ directory yields its runs (latest-run, a symlink, is
# not a second one), labelled by display name; a 70 kB record split across
# three blocks; a chunk with a bad CRC loses the rest of its block (steps
# 7 and 8); NaN is not logged; a crash cut the other file short.
trc --data "$T/wb/wandb"
[ "$rc" -eq 0 ] || fail "wandb: exit $rc: $(cat "$T/err")"
cols train_loss eval_loss learning_rate time >"$T/got"
cat >"$T/want" <<EOF
calm-sea-2 0 2 NaN NaN NaN
calm-sea-2 1 1.875 NaN NaN NaN
sweet-sun-1 1 2.75 NaN 0.0001 1700000001.25
sweet-sun-1 2 2.5 NaN 0.0001 1700000002.25
sweet-sun-1 3 2.25 NaN 0.0001 1700000003.25
sweet-sun-1 4 2 2.125 0.0001 1700000004.25
sweet-sun-1 5 1.75 NaN 0.0001 1700000005.25
sweet-sun-1 6 1.5 NaN 0.0001 1700000006.25
EOF
check_want "W&B run files: runs, split record, bad chunk, NaN"
cat >"$T/want" <<EOF
trcompare-plot: warning: $T/wb/wandb/offline-run-20231115_080000-def456: 1 file ends mid-record (still being written?)
trcompare-plot: warning: $T/wb/wandb/run-20231114_221320-abc123: 1 value was not finite (read as not logged)
trcompare-plot: warning: $T/wb/wandb/run-20231114_221320-abc123: skipped 1 record with a bad checksum or unreadable contents
EOF
cp "$T/err" "$T/got"
check_want "W&B warnings: truncated file, NaN, bad chunk"
trc --data "$T/wb/wandb/latest-run"
grep '^# label:\|^# rows:' "$T/out" >"$T/got"
printf '# label: sweet-sun-1\n# rows: 6\n' >"$T/want"
check_want "wandb/latest-run is one job"
trc -q --data "$T/wb/wandb/run-20231114_221320-abc123/run-abc123.wandb"
grep '^# rows:' "$T/out" >"$T/got"
echo '# rows: 6' >"$T/want"
check_want "a .wandb file as a JOB"
# The config (the run record's, then config records' updates and removals)
# as parameters, in -S json: JSON strings decoded (the tab shown as a
# space), other values as written, nested keys joined with '.', _wandb and
# the removed key left out; a run without config has no params.
trc -q -S json "$T/wb/wandb"
python3 -c '
import json, sys
for j in json.load(open(sys.argv[1])):
    print(j["label"], json.dumps(j.get("params"), ensure_ascii=False))' "$T/out" >"$T/got"
cat >"$T/want" <<'EOF2'
calm-sea-2 null
sweet-sun-1 {"learning_rate": "0.0001", "optimizer": "sgd", "lora": "{\"r\": 8, \"alpha\": 16}", "note": "tab here \"q\" é", "sched.warmup": "100", "seed": "42"}
EOF2
check_want "W&B config as params in -S json"
trc -q --list-metrics "$T/wb/wandb/run-20231114_221320-abc123"
grep '^  param ' "$T/out" >"$T/got"
cat >"$T/want" <<'EOF2'
  param learning_rate = 0.0001
  param optimizer = sgd
  param lora = {"r": 8, "alpha": 16}
  param note = tab here "q" é
  param sched.warmup = 100
  param seed = 42
EOF2
check_want "W&B config as params in --list-metrics"
printf ':W&B\341\276\001' >"$T/v1.wandb"
expect_fail 1 "trcompare-plot: $T/v1.wandb: W&B run file version 1, not 0" --data "$T/v1.wandb"
mkdir "$T/run-x"
printf ':W&B\341\276' >"$T/run-x/run-x.wandb"
expect_fail 1 "trcompare-plot: $T/run-x: run-x.wandb: not a W&B run file (bad header)" --data "$T/run-x"

# --- the README's examples (examples/tensorboard, examples/mlruns) are
# what tests/trackers.py writes, and run as shown.
python3 "$W" examples "$T/ex"
for f in $(cd "$top_srcdir/examples" && find tensorboard mlruns -type f | sort); do
	cmp -s "$top_srcdir/examples/$f" "$T/ex/$f" || fail "examples/$f is not what tests/trackers.py writes"
done
ok "examples/tensorboard and examples/mlruns are reproducible"
cd "$top_srcdir"
expect_ok --data examples/tensorboard
grep '^# label:' "$T/out" >"$T/got"
printf '# label: keras\n# label: runs/Nov30_12-00-00_gpu1\n' >"$T/want"
check_want "README: --data examples/tensorboard"
expect_ok -S examples/mlruns/1
grep -c 'lora-lr' "$T/out" >"$T/got"
echo 2 >"$T/want"
check_want "README: -S examples/mlruns/1"
need_gnuplot
expect_ok -o "$T/mix.png" examples/tensorboard examples/mlruns/1 examples/runs/qwen-350m-lr1e-4.json
[ "$(png_size "$T/mix.png")" = "1200x800" ] || fail "mix.png: $(png_size "$T/mix.png")"
ok "README: one PNG of TensorBoard + MLflow + platform JSON"
