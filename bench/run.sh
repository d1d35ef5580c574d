#!/bin/sh
# bench/run.sh: time one comparison (5 jobs, 2x2 PNG at 1200x800: loss,
# perplexity, learning rate, grad norm) with trcompare-plot and with the
# tools people use today, at 5x1 000 and 5x100 000 rows, in one run.
# Prints wall time, the ratio to trcompare-plot, CPU use and peak RSS, then
# checks the targets of issue 4.  Run by hand (not part of make check); it
# installs nothing.  See bench/README.md.
#
# Usage: bench/run.sh [-r REPEAT] [-s "ROWS ..."] [-k DIR] [-p] [-a]
#   -r N     runs per measurement (default 5 up to 10 000 rows, else 1);
#            the median wall time is reported, the largest peak RSS
#   -s LIST  rows per job (default "1000 100000")
#   -k DIR   keep generated inputs and output PNGs in DIR (reused next time)
#   -p       also profile trcompare-plot -o at the largest size (perf)
#   -a       run even when a comparison tool is missing (its rows are skipped)
# Environment: TRCOMPARE (the program; default ./trcompare-plot, then PATH),
#   PYTHON (default /usr/bin/python3), TIMEOUT (seconds per run, default 900).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repeat=
sizes="1000 100000"
keep=
profile=0
allow_missing=0
while getopts r:s:k:pah opt; do
	case $opt in
	r) repeat=$OPTARG ;;
	s) sizes=$OPTARG ;;
	k) keep=$OPTARG ;;
	p) profile=1 ;;
	a) allow_missing=1 ;;
	h) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: bench/run.sh [-r REPEAT] [-s \"ROWS ...\"] [-k DIR] [-p] [-a]" >&2; exit 64 ;;
	esac
done

# ------------------------------------------------------------ tools
if [ -n "${TRCOMPARE:-}" ]; then
	trc=$TRCOMPARE
elif [ -x ./trcompare-plot ]; then
	trc=$PWD/trcompare-plot
else
	trc=$(command -v trcompare-plot || true)
fi
case $trc in
/*) ;;
*/*) trc=$PWD/$trc ;;
?*) trc=$(command -v "$trc" || echo "$trc") ;;
esac
python=${PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=$(command -v python3 || echo python3)
timeout_s=${TIMEOUT:-900}

missing=
need() { # need PACKAGE: record a missing Debian package
	case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac
}
have() { command -v "$1" >/dev/null 2>&1; }
if [ -z "$trc" ] || [ ! -x "$trc" ]; then
	echo "bench: trcompare-plot not found: build it and run from the build directory, or set TRCOMPARE=/path/to/trcompare-plot" >&2
	exit 1
fi
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is needed: apt-get install time" >&2; exit 1; }
have gnuplot || need gnuplot-nox
have timeout || need coreutils
have file || need file
have jq || need jq
have feedgnuplot || need feedgnuplot
"$python" -c 'import pandas' 2>/dev/null || need python3-pandas
"$python" -c 'import matplotlib' 2>/dev/null || need python3-matplotlib
if [ "$profile" = 1 ] && ! have perf; then need linux-perf; fi
if [ -n "$missing" ]; then
	echo "bench: missing tools; install them with: apt-get install$missing" >&2
	[ "$allow_missing" = 1 ] || { echo "bench: (or run with -a to skip the missing ones)" >&2; exit 1; }
fi

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/trcompare-bench.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
fi
results=$work/results.tsv
: >"$results"

# ------------------------------------------------------------ measuring
# measure KEY ROWS OUT.png CMD...: runs CMD $reps times under /usr/bin/time -v
# and appends "KEY ROWS wall_median cpu_percent maxrss_kb status" to results.
measure() {
	key=$1 rows=$2 png=$3
	shift 3
	walls='' cpus='' rss=0 cpu=0 status=ok
	i=0
	while [ "$i" -lt "$reps" ]; do
		i=$((i + 1))
		rm -f "$png"
		rc=0
		t0=$(date +%s.%N)
		/usr/bin/time -v -o "$work/time.txt" timeout "$timeout_s" "$@" \
			>"$work/$key.$rows.out" 2>"$work/$key.$rows.err" || rc=$?
		t1=$(date +%s.%N)
		if [ "$rc" = 124 ]; then status="timeout:${timeout_s}s"; break; fi
		if [ "$rc" != 0 ]; then status="failed:exit-$rc"; break; fi
		w=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
		r=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
		c=$(sed -n 's/.*Percent of CPU this job got: \([0-9]*\)%.*/\1/p' "$work/time.txt")
		u=$(sed -n 's/.*User time (seconds): //p; s/.*System time (seconds): //p' "$work/time.txt" |
			awk '{ s += $1 } END { printf "%.2f", s }')
		walls="$walls $w"
		cpus="$cpus $u"
		[ "$r" -gt "$rss" ] && rss=$r
		cpu=$c
	done
	if [ "$status" = ok ] && [ "$png" != - ]; then
		if ! file "$png" 2>/dev/null | grep -q 'PNG image data, 1200 x 800'; then
			status="bad-output"
		fi
	fi
	if [ "$status" != ok ]; then
		echo "bench: $key at $rows rows: $status; last lines of its stderr:" >&2
		tail -n 5 "$work/$key.$rows.err" | cut -c1-200 >&2
		echo "$key $rows - - - $status" >>"$results"
		return 0
	fi
	med=$(echo "$walls" | tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	cmed=$(echo "$cpus" | tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	echo "$key $rows $med $cpu $rss ok $cmed" >>"$results"
	printf '  %-32s %8.3f s  %6.2f s CPU  %7.1f MB\n' "$(label "$key")" "$med" "$cmed" \
		"$(echo "$rss" | awk '{ print $1 / 1024 }')" >&2
}

label() {
	case $1 in
	trc) echo "trcompare-plot -o" ;;
	trcpipe) echo "trcompare-plot | gnuplot" ;;
	trcparse) echo "trcompare-plot -S (parse only)" ;;
	trcgp) echo "trcompare-plot -o x.gp (script)" ;;
	gponly) echo "gnuplot x.gp (drawing only)" ;;
	jq) echo "jq + gnuplot" ;;
	mpl) echo "pandas + matplotlib" ;;
	feed) echo "feedgnuplot (loss only)" ;;
	esac
}

# The pipe variant: the script on stdout into gnuplot, PNG on gnuplot's stdout.
cat >"$work/pipe.sh" <<'EOF'
#!/bin/sh
trc=$1 out=$2
shift 2
"$trc" -t pngcairo --size 1200,800 "$@" | gnuplot >"$out"
EOF

# ------------------------------------------------------------ run
echo "trcompare bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m)," \
	"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" >&2
echo "program: $trc ($("$trc" --version 2>/dev/null | head -n 1))" >&2
echo "gnuplot: $(gnuplot --version 2>/dev/null)" >&2
load=$(cut -d' ' -f1 /proc/loadavg)
echo "load average before the run: $load" >&2
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > 0.5 * n) }'; then
	echo "bench: warning: the machine is busy (load $load on $(nproc) cores); wall times will be inflated, CPU seconds less so" >&2
fi

for rows in $sizes; do
	reps=$repeat
	[ -n "$reps" ] || { [ "$rows" -le 10000 ] && reps=5 || reps=1; }
	d=$work/$rows
	if [ ! -f "$d/.done" ]; then
		echo "generating 5 x $rows rows in $d ..." >&2
		"$python" "$here/gen" "$rows" "$d" 5
		touch "$d/.done"
	fi
	set -- "$d"/job1.json "$d"/job2.json "$d"/job3.json "$d"/job4.json "$d"/job5.json
	bytes=$(cat "$@" | wc -c)
	echo "5 x $rows rows ($(echo "$bytes" | awk '{ printf "%.1f", $1 / 1048576 }') MB of JSON), $reps run(s) each:" >&2
	echo "bytes $rows $bytes" >>"$results"
	measure trc "$rows" "$d/trc.png" "$trc" --size 1200,800 -o "$d/trc.png" "$@"
	measure trcpipe "$rows" "$d/trcpipe.png" sh "$work/pipe.sh" "$trc" "$d/trcpipe.png" "$@"
	measure trcparse "$rows" - "$trc" --summary=csv "$@"
	# Where -o's time goes: writing the script, then gnuplot drawing it.
	measure trcgp "$rows" - "$trc" -t pngcairo --size 1200,800 -o "$d/trc.gp" "$@"
	measure gponly "$rows" "$d/gponly.png" sh -c 'gnuplot "$1" >"$2"' sh "$d/trc.gp" "$d/gponly.png"
	if have jq && have gnuplot; then
		measure jq "$rows" "$d/jq.png" sh "$here/jq-gnuplot.sh" "$d/jq.png" "$@"
	fi
	if "$python" -c 'import pandas, matplotlib' 2>/dev/null; then
		measure mpl "$rows" "$d/mpl.png" "$python" "$here/mpl_compare.py" "$d/mpl.png" "$@"
	fi
	if have feedgnuplot && have jq; then
		measure feed "$rows" "$d/feed.png" sh "$here/feedgnuplot.sh" "$d/feed.png" "$@"
	fi
done

# ------------------------------------------------------------ report
echo
awk '
function lbl(k) {
	if (k == "trc") return "trcompare-plot -o"
	if (k == "trcpipe") return "trcompare-plot \\| gnuplot"
	if (k == "trcparse") return "trcompare-plot --summary=csv (parse only)"
	if (k == "trcgp") return "trcompare-plot -o x.gp (script only)"
	if (k == "gponly") return "gnuplot x.gp (drawing only)"
	if (k == "jq") return "jq + gnuplot"
	if (k == "mpl") return "pandas + matplotlib"
	if (k == "feed") return "feedgnuplot (loss panel only)"
	return k
}
$1 == "bytes" { bytes[$2] = $3; next }
{ key[NR] = $1; rows[NR] = $2; wall[NR] = $3; cpu[NR] = $4; rss[NR] = $5; st[NR] = $6; cs[NR] = $7
  if ($6 == "ok") { W[$1, $2] = $3; R[$1, $2] = $5; CS[$1, $2] = $7 }
  if (!($2 in seen)) { seen[$2] = 1; order[++ns] = $2 } }
END {
	printf "| rows/job | tool | wall s | × trcompare-plot -o | CPU s (user+sys) | × (CPU s) | cores busy | peak RSS MB |\n"
	printf "|---:|---|---:|---:|---:|---:|---:|---:|\n"
	for (i = 1; i <= NR; i++) {
		if (!(i in key)) continue
		if (st[i] != "ok") { printf "| %d | %s | %s | | | | | |\n", rows[i], lbl(key[i]), st[i]; continue }
		t = W["trc", rows[i]]
		c = CS["trc", rows[i]]
		printf "| %d | %s | %.3f | %s | %.2f | %s | %.2f | %.0f |\n", rows[i], lbl(key[i]), wall[i],
			(t > 0 ? sprintf("%.2f", wall[i] / t) : "-"), cs[i],
			(c > 0 ? sprintf("%.2f", cs[i] / c) : "-"), (wall[i] > 0 ? cs[i] / wall[i] : 0), rss[i] / 1024
	}
	print ""
	for (s = 1; s <= ns; s++) {
		n = order[s]
		if (("trcparse", n) in W && W["trcparse", n] > 0)
			printf "parse (--summary=csv) at 5 x %d rows: %.0f MB/s of JSON\n", n, bytes[n] / 1048576 / W["trcparse", n]
	}
	print ""
	print "issue 4 targets (trcompare-plot -o time / other tool time):"
	check(100000, "mpl", 1 / 6, "≤ 1/6 of pandas + matplotlib")
	check(100000, "jq", 1 / 10, "≤ 1/10 of jq + gnuplot")
	check(1000, "jq", 0.8, "≤ 0.8 × jq + gnuplot")
	check(1000, "mpl", 0.3, "≤ 0.3 × pandas + matplotlib")
	if (("trcpipe", 100000) in W && ("trc", 100000) in W)
		verdict(W["trcpipe", 100000] / W["trc", 100000], 1.5, "100000 rows: | gnuplot ≤ 1.5 × -o", "")
	if (("trc", 100000) in R)
		verdict(R["trc", 100000] / 1024, 100, "100000 rows: peak RSS < 100 MB", "   (MB)")
}
function check(n, k, lim, text) {
	if (!((k, n) in W) || !(("trc", n) in W)) return
	cstr = (CS[k, n] > 0) ? sprintf("   (by CPU seconds: %.3f)", CS["trc", n] / CS[k, n]) : ""
	verdict(W["trc", n] / W[k, n], lim, n " rows: " text, cstr)
}
function verdict(v, lim, text, unit) {
	printf "  %-45s %7.3f  %-7s%s\n", text, v, (v <= lim ? "met" : "NOT met"), unit
}' "$results"

# ------------------------------------------------------------ profile
if [ "$profile" = 1 ] && have perf; then
	big=$(echo "$sizes" | tr ' ' '\n' | sort -n | tail -n 1)
	d=$work/$big
	echo
	echo "profile: perf record -g trcompare-plot -o at 5 x $big rows (samples in all processes, gnuplot included)"
	perf record -q -F 250 --call-graph dwarf,16384 -o "$work/perf.data" -- "$trc" --size 1200,800 \
		-o "$d/prof.png" "$d"/job1.json "$d"/job2.json "$d"/job3.json "$d"/job4.json "$d"/job5.json \
		>/dev/null 2>"$work/perf.err" || { cat "$work/perf.err" >&2; exit 1; }
	echo "by process (share of all samples):"
	perf report -i "$work/perf.data" --stdio --no-children --sort comm -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -n 5
	echo "trcompare-plot, inclusive time by function (children included):"
	perf report -i "$work/perf.data" --stdio --children --comm trcompare-plot --sort symbol \
		-g none --percent-limit 2 2>/dev/null | grep -E '^ +[0-9]' | head -n 30
	echo "all processes, self time by function:"
	perf report -i "$work/perf.data" --stdio --no-children --sort comm,dso,symbol -g none 2>/dev/null |
		grep -E '^ +[0-9]' | head -n 20
fi
[ -z "$keep" ] || echo "inputs, PNGs and raw results kept in $work"
