#!/bin/sh
# tests/watchgrow.sh: a --watch extends its jobs' runs in place while rows
# are appended in step order (watch.h); whatever is appended, the tidy data
# it writes (-d) must be a cold run's of the same bytes: rows in order, a
# step going back (a restart), a column appearing, perplexity derived from
# the first loss below 100, a file rewritten.
. "$(dirname "$0")/lib.sh"

D="$T/grow"
mkdir "$D"
printf '{"step":1,"train_loss":150,"epoch":0.1}\n{"step":2,"train_loss":120,"epoch":0.2}\n' >"$D/a.jsonl"
printf 'step,train_loss,learning_rate\n0,3.2,0.001\n10,3.0,\n' >"$D/b.csv"
start_watch "$T/watch.log" -v --watch=0.2 -d "$D/out" "$D/a.jsonl" "$D/b.csv"

# same WHAT: waits until the watch's data files are a cold run's.
same() { same_as_cold "$1" "$D/out" "$T/watch.log" "$D/a.jsonl" "$D/b.csv"; }

# rows FROM TO: JSON Lines rows of steps FROM..TO-1 (loss below 100).
rows() {
	awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i < b; i++)
		printf "{\"step\":%d,\"train_loss\":%.6f,\"epoch\":%.4f}\n", i, 3 / (1 + i / 50), i / 400 }'
}

same "first read"
printf '{"step":3,"train_loss":110,"epoch":0.3}\n' >>"$D/a.jsonl"
printf '20,2.9,0.002\n30,2.8,\n' >>"$D/b.csv"
same "rows in order"
# The first loss below 100: train_perplexity appears.
rows 4 6 >>"$D/a.jsonl"
same "a column derived for the first time"
i=6
while [ "$i" -lt 1206 ]; do
	rows "$i" $((i + 300)) >>"$D/a.jsonl"
	awk -v a="$i" 'BEGIN { for (k = a; k < a + 300; k++) printf "%d,%.5f,\n", k * 10 + 40, 2.7 - k / 1000 }' >>"$D/b.csv"
	i=$((i + 300))
	same "300 rows in order, to step $i"
done
# A restart: the steps go back; the values logged last are kept.
rows 1000 1010 >>"$D/a.jsonl"
printf '40,9.5,\n' >>"$D/b.csv"
same "the step went back"
rows 1206 1300 >>"$D/a.jsonl"
same "rows in order after the restart"
# A column appears mid-watch (and perplexity from it).
printf '{"step":1300,"train_loss":0.5,"eval_loss":0.9}\n' >>"$D/a.jsonl"
same "a new column"
printf '{"step":1310,"eval_loss":0.8}\n{"step":1320,"eval_loss":0.7,"epoch":1}\n' >>"$D/a.jsonl"
same "rows of the new column in order"
# The file rewritten (shorter): read again from the start.
rows 1 50 >"$D/a.jsonl"
same "a file rewritten"

stop_watch TERM
[ "$wrc" -eq 143 ] || fail "SIGTERM: exit $wrc, want 143: $(tail -3 "$T/watch.log")"
ok "the watch ends on SIGTERM (143)"
