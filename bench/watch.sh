#!/bin/sh
# bench/watch.sh: what one --watch round costs trcompare-plot itself, against
# its cold run.  Five JSON Lines jobs of ROWS rows; a watch (-o PNG) reads
# them once (the cold read and the first chart), then APPEND rows are added
# to every job before each of ROUNDS rounds.  Measured on the process (not
# its gnuplot, which is a child of its own): CPU time (/proc/PID/stat) and
# bytes read (/proc/PID/io rchar) of the first chart, and per round.  Prints
# one line each, then the ratio.  Run by hand from the build directory.
#
# Usage: bench/watch.sh [-n ROWS] [-a APPEND] [-r ROUNDS]
# Environment: TRCOMPARE (default ./trcompare-plot).
set -eu
rows=100000
append=100
rounds=10
while getopts n:a:r:h opt; do
	case $opt in
	n) rows=$OPTARG ;;
	a) append=$OPTARG ;;
	r) rounds=$OPTARG ;;
	h) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 64 ;;
	esac
done
prog=${TRCOMPARE:-./trcompare-plot}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/trc-watch-bench.XXXXXX")
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=

# rows FROM TO SEED: JSON Lines rows of steps FROM..TO-1.
gen() {
	awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { srand(s); for (i = a; i < b; i++)
		printf "{\"step\":%d,\"train_loss\":%.6f,\"learning_rate\":%.3g,\"grad_norm\":%.4f}\n",
			i, 3 * exp(-i / 30000) + rand() / 10, 0.0003 * (1 - i / 200000), 1 + rand() }'
}
for j in 1 2 3 4 5; do gen 0 "$rows" "$j" >"$tmp/job$j.jsonl"; done
# cpu PID: user+system clock ticks; io PID: bytes read.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
io() { awk '/^rchar/ { print $2 }' "/proc/$1/io"; }
rounds_done() { grep -c 'drawing again' "$tmp/log" || true; }

"$prog" -v --watch=1 -o "$tmp/out.png" "$tmp"/job*.jsonl 2>"$tmp/log" &
pid=$!
while ! grep -q 'watch: reading the jobs' "$tmp/log"; do sleep 0.1; done
hz=$(getconf CLK_TCK)
c0=$(cpu "$pid") b0=$(io "$pid")
printf 'cold: 5 jobs x %d rows, %d bytes: %d bytes read, %.2f s CPU (the read and the first chart)\n' \
	"$rows" "$(cat "$tmp"/job*.jsonl | wc -c)" "$b0" "$(echo "$c0 / $hz" | bc -l)"
total_c=0 total_b=0 n=0 step=$rows
while [ "$n" -lt "$rounds" ]; do
	for j in 1 2 3 4 5; do gen "$step" $((step + append)) "$j$n" >>"$tmp/job$j.jsonl"; done
	step=$((step + append))
	want=$((n + 1))
	while [ "$(rounds_done)" -lt "$want" ]; do sleep 0.05; done
	# The round is done once its chart is in: wait for the file to change.
	sleep 0.5
	c=$(cpu "$pid") b=$(io "$pid")
	total_c=$((total_c + c - c0)) total_b=$((total_b + b - b0))
	c0=$c b0=$b
	n=$((n + 1))
done
appended=$(gen 0 "$append" 1 | wc -c)
printf 'round: %d rows appended to each job (%d bytes in all): %d bytes read, %.3f s CPU per round (mean of %d)\n' \
	"$append" "$((appended * 5))" "$((total_b / rounds))" "$(echo "$total_c / $hz / $rounds" | bc -l)" "$rounds"
