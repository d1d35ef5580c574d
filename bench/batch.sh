#!/bin/sh
# bench/batch.sh: 100 comparisons of 5 jobs each, drawn from a pool of 20
# jobs x 10 000 rows, a 2x2 PNG (1200x800) per comparison: one
# `trcompare-plot --batch` run against a shell loop of 100 `trcompare-plot
# -o` invocations (and, with -m, a loop of the pandas + matplotlib script).
# Prints wall time, CPU time, CPU utilisation (of all online cores) and peak
# RSS of each, and the ratios.  Run by hand (not part of make check).
#
# Usage: bench/batch.sh [-n COMPARISONS] [-r ROWS] [-j N] [-k DIR] [-m]
#   -n N    comparisons (default 100)
#   -r N    rows per job (default 10000)
#   -j N    --batch's gnuplot pool (default: the number of online cores)
#   -k DIR  keep the generated jobs and the charts in DIR
#   -m      also time the matplotlib loop (slow: minutes)
# Environment: TRCOMPARE (default ./trcompare-plot), PYTHON (default python3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
n=100
rows=10000
pool=
keep=
mpl=0
while getopts n:r:j:k:mh opt; do
	case $opt in
	n) n=$OPTARG ;;
	r) rows=$OPTARG ;;
	j) pool=$OPTARG ;;
	k) keep=$OPTARG ;;
	m) mpl=1 ;;
	h) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: bench/batch.sh [-n N] [-r ROWS] [-j N] [-k DIR] [-m]" >&2; exit 64 ;;
	esac
done
trc=${TRCOMPARE:-./trcompare-plot}
[ -x "$trc" ] || trc=$(command -v trcompare-plot) || { echo "bench/batch.sh: no trcompare-plot (set TRCOMPARE)" >&2; exit 1; }
python=${PYTHON:-python3}
cores=$(getconf _NPROCESSORS_ONLN)
[ -n "$pool" ] || pool=$cores

if [ -n "$keep" ]; then
	d=$keep
	mkdir -p "$d"
else
	d=$(mktemp -d "${TMPDIR:-/tmp}/trc-batch-bench.XXXXXX")
	trap 'rm -rf "$d"' EXIT
fi
[ -s "$d/jobs/job20.json" ] || "$here/gen" "$rows" "$d/jobs" 20 >/dev/null

# Comparison i (0-based) draws jobs i, i+4, i+8, i+12, i+16 (mod 20).
jobs_of() {
	for k in 0 4 8 12 16; do printf ' %s/jobs/job%d.json' "$d" $((($1 + k) % 20 + 1)); done
}
rm -rf "$d/loop" "$d/batch" "$d/mpl"
mkdir -p "$d/loop" "$d/batch" "$d/mpl"
: >"$d/manifest"
i=0
while [ $i -lt "$n" ]; do
	echo "-o batch/c$i.png$(jobs_of $i)" >>"$d/manifest"
	i=$((i + 1))
done
# Both sides read the files once before (the page cache is warm for both).
cat "$d"/jobs/*.json >/dev/null

# measure NAME COMMAND...: one run under /usr/bin/time; prints the row.
measure() {
	name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$d/time.$name" "$@" >/dev/null 2>"$d/err.$name" ||
		{ echo "bench/batch.sh: $name failed: $(tail -3 "$d/err.$name")" >&2; exit 1; }
	read -r wall user sys rss <"$d/time.$name"
	awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v c="$cores" 'BEGIN {
		printf "%-34s %8.2f s wall %8.2f s CPU %5.0f%% of %d cores  peak RSS %6.1f MB\n",
			n, w, u + s, 100 * (u + s) / (w > 0 ? w : 1) / c, c, r / 1024 }'
}

echo "bench/batch.sh: $n comparisons of 5 jobs from 20 x $rows rows, 2x2 PNG, $cores cores, --batch -j $pool"
export d n trc python
measure "--batch (-j $pool)" "$trc" --batch "$d/manifest" -j "$pool" -q
measure "shell loop of $n trcompare-plot -o" sh -c '
	i=0
	while [ $i -lt "$n" ]; do
		set -- $(for k in 0 4 8 12 16; do printf " %s/jobs/job%d.json" "$d" $((($i + k) % 20 + 1)); done)
		"$trc" -o "$d/loop/c$i.png" "$@" || exit 1
		i=$((i + 1))
	done'
[ "$(ls "$d/batch" | wc -l)" -eq "$n" ] && [ "$(ls "$d/loop" | wc -l)" -eq "$n" ] ||
	{ echo "bench/batch.sh: not every chart was written" >&2; exit 1; }
cmp -s "$d/batch/c0.png" "$d/loop/c0.png" || echo "note: c0.png differs between --batch and -o" >&2
if [ "$mpl" = 1 ]; then
	measure "shell loop of $n matplotlib scripts" sh -c '
	i=0
	while [ $i -lt "$n" ]; do
		set -- $(for k in 0 4 8 12 16; do printf " %s/jobs/job%d.json" "$d" $((($i + k) % 20 + 1)); done)
		"$python" "'"$here"'/mpl_compare.py" "$d/mpl/c$i.png" "$@" || exit 1
		i=$((i + 1))
	done'
fi
awk -v b="$(cut -d' ' -f1 "$d/time.--batch (-j $pool)")" \
	-v l="$(cut -d' ' -f1 "$d/time.shell loop of $n trcompare-plot -o")" \
	'BEGIN { printf "--batch takes %.2f of the shell loop'"'"'s time (%.1fx faster)\n", b / l, l / b }'
if [ "$mpl" = 1 ]; then
	awk -v b="$(cut -d' ' -f1 "$d/time.--batch (-j $pool)")" \
		-v m="$(cut -d' ' -f1 "$d/time.shell loop of $n matplotlib scripts")" \
		'BEGIN { printf "--batch takes %.3f of the matplotlib loop'"'"'s time (%.1fx faster)\n", b / m, m / b }'
fi
