#!/bin/sh
# gen-runs.sh: writes realistic, noisy training runs in the platform's API
# format (docs: ../shared api.md) for tests and benchmarks.
#
#   sh tests/gen-runs.sh [-j JOBS] [-r ROWS] [-s SEED] [-E] [-T] OUTDIR
#
# Writes OUTDIR/run1.json … runJOBS.json, each {"job_id": "gen-K",
# "metrics": [...]} with ROWS rows (steps 1..ROWS): epoch, a decaying noisy
# train_loss with rare spikes, eval_loss every 500 steps (and at the last
# step), a warmup-cosine learning_rate, a noisy grad_norm and ISO-8601
# timestamps (about 1.3 s per step).  -E leaves out epoch, -T leaves out
# timestamps.  The same arguments always give the same bytes (a
# Park–Miller generator, exact in any awk's doubles).  Defaults: 5 jobs,
# 100000 rows, seed 1.
set -eu

jobs=5 rows=100000 seed=1 epoch=1 stamps=1
while getopts j:r:s:ET opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	r) rows=$OPTARG ;;
	s) seed=$OPTARG ;;
	E) epoch=0 ;;
	T) stamps=0 ;;
	*) echo "usage: gen-runs.sh [-j JOBS] [-r ROWS] [-s SEED] [-E] [-T] OUTDIR" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: gen-runs.sh [-j JOBS] [-r ROWS] [-s SEED] [-E] [-T] OUTDIR" >&2; exit 64; }
out=$1
mkdir -p "$out"

k=1
while [ "$k" -le "$jobs" ]; do
	awk -v job="$k" -v rows="$rows" -v seed="$seed" -v epoch="$epoch" -v stamps="$stamps" '
	# Park-Miller minimal standard generator: uniform in (0,1).
	function rnd() { state = (16807 * state) % 2147483647; return state / 2147483647 }
	# Roughly normal noise: mean 0, standard deviation 1.
	function noise() { return (rnd() + rnd() + rnd() + rnd() - 2) * 1.7320508 }
	# ISO-8601 time T seconds after 2026-01-01T00:00:00Z (within 28 days).
	function iso(t,  d, h, m, s) {
		d = int(t / 86400); t -= d * 86400
		h = int(t / 3600); t -= h * 3600
		m = int(t / 60); s = t - m * 60
		return sprintf("2026-01-%02dT%02d:%02d:%02dZ", d + 1, h, m, s)
	}
	BEGIN {
		state = (seed * 7919 + job * 104729) % 2147483646 + 1
		for (i = 0; i < 10; i++) rnd()
		floor_loss = 1.6 + 0.15 * job          # where each job converges
		tau = rows * (0.05 + 0.02 * job)      # how fast it gets there
		peak = 1e-4 * job                      # peak learning rate
		warm = int(rows * 0.03) + 1
		per_epoch = rows / 3
		start = (job - 1) * 3 * 86400 + 3600 * job
		pi = 3.14159265358979
		printf "{\"job_id\": \"gen-%d\", \"metrics\": [\n", job
		for (step = 1; step <= rows; step++) {
			p = step / rows
			base = floor_loss + 2.8 * exp(-step / tau)
			loss = base + 0.12 * noise()
			if (rnd() < 0.0005) loss += 0.5 + 2 * rnd()       # spikes
			if (step <= warm) lr = peak * step / warm
			else lr = peak * (0.1 + 0.45 * (1 + cos(pi * (step - warm) / (rows - warm))))
			gn = 0.6 + 1.5 * exp(-step / tau) + 0.2 * noise() * noise()
			if (gn < 0.05) gn = 0.05
			if (rnd() < 0.001) gn += 5 * rnd()
			line = sprintf("{\"step\": %d", step)
			if (epoch) line = line sprintf(", \"epoch\": %.4f", step / per_epoch)
			line = line sprintf(", \"train_loss\": %.5f, \"learning_rate\": %.6g, \"grad_norm\": %.4f", loss, lr, gn)
			if (step % 500 == 0 || step == rows)
				line = line sprintf(", \"eval_loss\": %.5f", base + 0.05 + 0.1 * p * (job == 3) + 0.01 * noise())
			if (stamps) line = line sprintf(", \"timestamp\": \"%s\"", iso(start + int(step * 1.3)))
			printf "%s}%s\n", line, step < rows ? "," : ""
		}
		print "]}"
	}' >"$out/run$k.json"
	k=$((k + 1))
done
