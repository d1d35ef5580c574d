#!/bin/sh
# bench/readers.sh: the readers of issue 12 per MB.  The same N training
# rows (step, loss, learning_rate, grad_norm, epoch; numbers as Python's
# repr writes them) as the platform's JSON (compact, as the API writes it),
# as a Hugging Face trainer_state.json (indent=2, sort_keys, as
# save_to_json writes it, with the final summary entry) and as a
# Lightning-style CSV (Python's csv module: CRLF), each read by
# `trcompare-plot -S csv FILE`; prints per format the size, the median
# task-clock of R rounds (min in parentheses), ms per MB and each format's
# ms per MB against the JSON's; then the same with the start-up taken
# away (the median of the same program reading a one-row file of the same
# format: loading its libraries alone is ~25 ms), which is what reading
# the file costs.  Run by hand from the build directory.
#
# Usage: bench/readers.sh [-n "ROWS ..."] [-r ROUNDS] [-k DIR]
#   -n LIST  rows (default "100000 500000")
#   -r N     rounds per file and program (default 11)
#   -k DIR   keep the generated files in DIR (reused next time)
# Environment: TRCOMPARE (default ./trcompare-plot), BASELINE (a second
#   trcompare-plot, e.g. an older build: timed in the same rounds,
#   alternating with TRCOMPARE), PYTHON (default /usr/bin/python3).
# Times are perf stat's task-clock (CPU ms of the whole program), else
# user + system time from /usr/bin/time.
set -eu

rows_list="100000 500000"
rounds=11
keep=
while getopts n:r:k:h opt; do
	case $opt in
	n) rows_list=$OPTARG ;;
	r) rounds=$OPTARG ;;
	k) keep=$OPTARG ;;
	h) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: bench/readers.sh [-n \"ROWS ...\"] [-r ROUNDS] [-k DIR]" >&2; exit 64 ;;
	esac
done

abspath() {
	case $1 in
	/*) echo "$1" ;;
	*/*) echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" ;;
	*) command -v "$1" || echo "$1" ;;
	esac
}
trc=$(abspath "${TRCOMPARE:-./trcompare-plot}")
base=
[ -z "${BASELINE:-}" ] || base=$(abspath "$BASELINE")
for p in "$trc" $base; do
	[ -x "$p" ] || { echo "bench/readers.sh: $p is not an executable (set TRCOMPARE/BASELINE)" >&2; exit 66; }
done
python=${PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=$(command -v python3)
if perf stat -x, -e task-clock -- true >/dev/null 2>&1; then
	clock=perf
elif [ -x /usr/bin/time ]; then
	clock=time
else
	echo "bench/readers.sh: needs perf (apt-get install linux-perf) or /usr/bin/time (apt-get install time)" >&2
	exit 69
fi

if [ -n "$keep" ]; then
	dir=$keep
	mkdir -p "$dir"
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/readers.XXXXXX")
	trap 'rm -rf "$dir"' EXIT INT TERM
fi

# gen ROWS: writes $dir/ROWS.json, ROWS-trainer_state.json, ROWS.csv
gen() {
	[ -s "$dir/$1.csv" ] && [ -s "$dir/$1.json" ] && [ -s "$dir/$1-trainer_state.json" ] && return 0
	"$python" - "$1" "$dir" <<'EOF'
import csv, json, math, os, random, sys

rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(12)
per_epoch = rows / 3.0
data = []
for i in range(rows):
    step = i + 1
    p = i / rows
    lr = 3e-4 * min(1.0, step / (rows / 50)) * (0.1 + 0.45 * (1 + math.cos(math.pi * p)))
    loss = 1.2 + 1.7 / (1 + 40 * p) + 0.12 * rng.gauss(0, 1)
    gn = (0.55 + 1200 * lr) * math.exp(0.2 * rng.gauss(0, 1))
    data.append((step, loss, lr, gn, step / per_epoch))
with open(os.path.join(out, "%d.json.tmp" % rows), "w") as f:
    json.dump({"job_id": "bench-readers", "metrics": [
        {"step": s, "train_loss": l, "learning_rate": r, "grad_norm": g, "epoch": e}
        for s, l, r, g, e in data]}, f, separators=(",", ":"))
hist = [{"epoch": e, "grad_norm": g, "learning_rate": r, "loss": l, "step": s}
        for s, l, r, g, e in data]
hist.append({"epoch": 3.0, "step": rows, "total_flos": 1.2e18, "train_loss": 1.4,
             "train_runtime": 3600.5, "train_samples_per_second": 12.5,
             "train_steps_per_second": 0.4})
state = {"best_metric": None, "best_model_checkpoint": None, "epoch": 3.0,
         "eval_steps": 500, "global_step": rows, "is_hyper_param_search": False,
         "is_local_process_zero": True, "is_world_process_zero": True,
         "log_history": hist, "logging_steps": 1, "max_steps": rows,
         "num_train_epochs": 3, "save_steps": 500, "total_flos": 1.2e18,
         "train_batch_size": 8, "trial_name": None, "trial_params": None}
with open(os.path.join(out, "%d-trainer_state.json.tmp" % rows), "w") as f:
    f.write(json.dumps(state, indent=2, sort_keys=True) + "\n")
with open(os.path.join(out, "%d.csv.tmp" % rows), "w", newline="") as f:
    w = csv.writer(f)  # lineterminator "\r\n", as Lightning's CSVLogger
    w.writerow(["step", "loss", "learning_rate", "grad_norm", "epoch"])
    w.writerows(data)
for name in ("%d.json", "%d-trainer_state.json", "%d.csv"):
    os.replace(os.path.join(out, (name % rows) + ".tmp"), os.path.join(out, name % rows))
EOF
}

# cpu_ms PROGRAM FILE: CPU milliseconds of PROGRAM -S csv FILE
cpu_ms() {
	if [ "$clock" = perf ]; then
		perf stat -x, -e task-clock -o "$dir/stat" -- "$1" -S csv "$2" >/dev/null 2>"$dir/err" ||
			{ cat "$dir/err" >&2; exit 1; }
		awk -F, '/task-clock/ { printf "%.1f\n", $1 }' "$dir/stat"
	else
		/usr/bin/time -f '%U %S' -o "$dir/stat" "$1" -S csv "$2" >/dev/null 2>"$dir/err" ||
			{ cat "$dir/err" >&2; exit 1; }
		awk '{ printf "%.1f\n", ($1 + $2) * 1000 }' "$dir/stat"
	fi
}

# stats: "median min" of the numbers on stdin
stats() {
	sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1] }'
}

echo "# $(uname -m), $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg); clock: $clock; $rounds rounds"
echo "# TRCOMPARE=$trc${base:+; BASELINE=$base}"
gen 1
for rows in $rows_list; do
	gen "$rows"
	echo
	echo "## $rows rows"
	echo
	echo "| program | file | MB | ms, median (min) | ms per MB | per MB / JSON's | start ms | reading ms per MB | reading per MB / JSON's |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for f in json trainer_state csv; do
		case $f in
		json) path=$dir/$rows.json one=$dir/1.json ;;
		trainer_state) path=$dir/$rows-trainer_state.json one=$dir/1-trainer_state.json ;;
		csv) path=$dir/$rows.csv one=$dir/1.csv ;;
		esac
		: >"$dir/t.$f.new"
		: >"$dir/t.$f.base"
		: >"$dir/s.$f.new"
		: >"$dir/s.$f.base"
		r=0
		while [ "$r" -lt "$rounds" ]; do
			cpu_ms "$trc" "$path" >>"$dir/t.$f.new"
			cpu_ms "$trc" "$one" >>"$dir/s.$f.new"
			[ -z "$base" ] || cpu_ms "$base" "$path" >>"$dir/t.$f.base"
			[ -z "$base" ] || cpu_ms "$base" "$one" >>"$dir/s.$f.base"
			r=$((r + 1))
		done
		wc -c <"$path" >"$dir/size.$f"
	done
	for which in base new; do
		[ "$which" = new ] || [ -n "$base" ] || continue
		prog=$trc
		[ "$which" = new ] || prog=$base
		json_per_mb=
		json_read_per_mb=
		for f in json trainer_state csv; do
			set -- $(stats <"$dir/t.$f.$which") $(stats <"$dir/s.$f.$which")
			awk -v name="$prog" -v f="$f" -v bytes="$(cat "$dir/size.$f")" -v med="$1" -v min="$2" \
				-v start="$3" -v jpm="${json_per_mb:-0}" -v jrpm="${json_read_per_mb:-0}" 'BEGIN {
				mb = bytes / 1e6; pm = med / mb; rpm = (med - start) / mb
				ratio = jpm > 0 ? sprintf("%.2f", pm / jpm) : "1"
				rratio = jrpm > 0 ? sprintf("%.2f", rpm / jrpm) : "1"
				printf "| %s | %s | %.1f | %.0f (%.0f) | %.2f | %s | %.0f | %.2f | %s |\n",
					name, f, mb, med, min, pm, ratio, start, rpm, rratio
			}'
			if [ -z "$json_per_mb" ]; then
				json_per_mb=$(awk -v b="$(cat "$dir/size.json")" -v m="$1" 'BEGIN { print m / (b / 1e6) }')
				json_read_per_mb=$(awk -v b="$(cat "$dir/size.json")" -v m="$1" -v s="$3" 'BEGIN { print (m - s) / (b / 1e6) }')
			fi
		done
	done
done
