#!/bin/sh
# bench/http-bench.sh: five jobs behind an API that takes 500 ms to answer
# each, fetched and drawn by trcompare-plot and by the pipeline people write
# today (curl in a loop, jq, gnuplot), in one run.  Prints the median wall
# time of each and the ratio.  Run by hand from the build directory (it needs
# tests/server/trcompare-testd: make tests/server/trcompare-testd).
#
# Usage: bench/http-bench.sh [-r REPEAT] [-d DELAY_MS]
#   -r N   runs per measurement (default 3; the median is reported)
#   -d MS  the server's delay per answer (default 500)
# Environment: TRCOMPARE (default ./trcompare-plot), TRCOMPARE_TESTD
#   (default ./tests/server/trcompare-testd).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repeat=3
delay=500
while getopts r:d:h opt; do
	case $opt in
	r) repeat=$OPTARG ;;
	d) delay=$OPTARG ;;
	h) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: bench/http-bench.sh [-r REPEAT] [-d DELAY_MS]" >&2; exit 64 ;;
	esac
done

trc=${TRCOMPARE:-./trcompare-plot}
testd=${TRCOMPARE_TESTD:-./tests/server/trcompare-testd}
case $trc in /*) ;; *) trc=$PWD/$trc ;; esac
case $testd in /*) ;; *) testd=$PWD/$testd ;; esac
[ -x "$trc" ] || { echo "http-bench: $trc not found: run from the build directory or set TRCOMPARE" >&2; exit 1; }
[ -x "$testd" ] || { echo "http-bench: $testd not found: make tests/server/trcompare-testd, or set TRCOMPARE_TESTD" >&2; exit 1; }
for tool in curl jq gnuplot; do
	command -v $tool >/dev/null 2>&1 || { echo "http-bench: $tool is needed (apt-get install $tool)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/http-bench.XXXXXX")
pid=""
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Five jobs: the example runs, plus a copy of the first if there are four.
mkdir "$tmp/runs"
n=0
for f in "$here"/../examples/runs/*.json; do
	n=$((n + 1))
	[ $n -le 5 ] && cp "$f" "$tmp/runs/job$n.json"
done
while [ $n -lt 5 ]; do
	n=$((n + 1))
	cp "$tmp/runs/job1.json" "$tmp/runs/job$n.json"
done
ids="job1 job2 job3 job4 job5"

token="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
(umask 077 && printf '%s' "$token" >"$tmp/token")
"$testd" --dir="$tmp/runs" --port-file="$tmp/port" --delay="$delay" --token-file="$tmp/token" \
	--lifetime=3600 2>"$tmp/testd.err" &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "http-bench: the server did not start: $(cat "$tmp/testd.err")" >&2; exit 1; }
	sleep 0.05
done
url="http://127.0.0.1:$(cat "$tmp/port")"

# The pipeline people write today: curl each job in turn, then jq + gnuplot
# (bench/jq-gnuplot.sh, the same 2x2 chart) or jq to TSV files.
curl_loop() { # curl_loop DIR: each job's JSON into DIR
	for id in $ids; do
		curl -sSf -H @"$tmp/auth-header" "$url/api/training/local/$id/metrics" -o "$1/$id.json"
	done
}
printf 'Authorization: Bearer %s\n' "$token" >"$tmp/auth-header"
pipeline_png() {
	rm -rf "$tmp/dl" && mkdir "$tmp/dl"
	curl_loop "$tmp/dl"
	sh "$here/jq-gnuplot.sh" "$tmp/pipeline.png" "$tmp"/dl/*.json
}
pipeline_data() {
	for id in $ids; do
		curl -sSf -H @"$tmp/auth-header" "$url/api/training/local/$id/metrics" |
			jq -r '.metrics[] | [.step, (.train_loss // .loss // "NaN"), (.eval_loss // "NaN"),
				(.learning_rate // "NaN"), (.grad_norm // "NaN")] | @tsv' >"$tmp/$id.tsv"
	done
}
tool_png() {
	TRCOMPARE_URL=$url TRCOMPARE_TOKEN=$token "$trc" -q --size 1200,800 -o "$tmp/trc.png" $ids
}
tool_data() {
	TRCOMPARE_URL=$url TRCOMPARE_TOKEN=$token "$trc" -q --data $ids >"$tmp/trc.dat"
}

# median_ms FUNCTION: runs it $repeat times, prints the median wall time (ms).
median_ms() {
	: >"$tmp/times"
	r=0
	while [ $r -lt "$repeat" ]; do
		t0=$(date +%s%N)
		"$1" || { echo "http-bench: $1 failed" >&2; exit 1; }
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000)) >>"$tmp/times"
		r=$((r + 1))
	done
	sort -n "$tmp/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "five jobs (examples/runs), server delay $delay ms per answer, median of $repeat runs"
printf '%-44s %9s %9s\n' "what" "ms" "ratio"
for what in data png; do
	t_tool=$(median_ms tool_$what)
	t_pipe=$(median_ms pipeline_$what)
	case $what in
	data)
		l1="trcompare-plot --data (tidy data)"
		l2="curl loop | jq @tsv" ;;
	png)
		l1="trcompare-plot -o out.png (2x2, 1200x800)"
		l2="curl loop + jq + gnuplot (jq-gnuplot.sh)" ;;
	esac
	printf '%-44s %9d %9s\n' "$l1" "$t_tool" "1.0x"
	printf '%-44s %9d %8sx\n' "$l2" "$t_pipe" "$(awk -v a="$t_pipe" -v b="$t_tool" 'BEGIN { printf "%.1f", a / b }')"
done
