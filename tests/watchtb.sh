#!/bin/sh
# tests/watchtb.sh: a --watch following a TensorBoard event file as it
# grows, record by record, as PyTorch's SummaryWriter writes it (one event
# per tag, so a step's values arrive in several records, maybe in several
# polls; a restart's session_log START drops the steps it rewinds).  After
# every append the watch's tidy data (-d) must be a cold run's of the same
# bytes: the in-place extension of watch.c must see a value added to its
# last row and rows dropped by run_drop_from.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

D="$T/tb"
mkdir "$D"
EV="$D/events.out.tfevents.1700000000.host.1.0"
# tb OP ARGS: appends records to $EV with tests/trackers.py's encoder.
#   start                  the file's first (version) record
#   scalars S0 S1          events for steps S0..S1-1: loss, then lr
#   tag TAG STEP VALUE     one event of one scalar
#   restart STEP [TAG V]   a session_log START event at STEP (and in the
#                          same write one event of TAG = V at STEP)
#   half                   the first half of a record (the writer mid-write)
#   rest                   the record whose first half "half" wrote
tb() {
	python3 - "$EV" "$@" <<'PY'
import sys
import os
sys.path.insert(0, os.environ["TRC_TESTS"])
import trackers as t
path, op, args = sys.argv[1], sys.argv[2], sys.argv[3:]
T0 = 1700000000.0
half = t.record(t.event(T0 + 999, 999, t.summary(t.v_simple("train/loss", 0.125))))
out = b""
if op == "start":
    out = t.version_record(T0)
elif op == "scalars":
    for s in range(int(args[0]), int(args[1])):
        out += t.record(t.event(T0 + s, s, t.summary(t.v_simple("train/loss", 3.0 / (1 + s / 40)))))
        out += t.record(t.event(T0 + s, s, t.summary(t.v_simple("train/learning_rate", 1e-3 * (1 - s / 5000)))))
elif op == "tag":
    out = t.record(t.event(T0 + int(args[1]), int(args[1]), t.summary(t.v_simple(args[0], float(args[2])))))
elif op == "restart":
    out = t.record(t.event(T0 + 500, int(args[0]), session_start=True))
    if args[1:]:  # and in the same write, one scalar at that step
        out += t.record(t.event(T0 + 501, int(args[0]), t.summary(t.v_simple(args[1], float(args[2])))))
elif op == "half":
    out = half[:len(half) // 2]
elif op == "rest":
    out = half[len(half) // 2:]
with open(path, "ab") as f:
    f.write(out)
PY
}
TRC_TESTS="$top_srcdir/tests"
export TRC_TESTS

tb start
tb scalars 0 20
start_watch "$T/watch.log" -v --watch=0.2 -d "$D/out" "$EV"

# same WHAT: waits until the watch's data file is a cold run's.
same() { same_as_cold "$1" "$D/out" "$T/watch.log" "$EV"; }

same "first read"
tb scalars 20 40
same "steps in order"
# One tag of a new step, then (next poll) the other tag of the same step:
# a value added to the watch's last row.
tb tag train/loss 40 0.75
same "a step's first tag"
tb tag train/learning_rate 40 0.0005
same "the same step's second tag (a value added to the last row)"
# A record half written: not an error, and nothing of it read yet.
tb half
same "a record half written"
tb rest
same "the record completed"
# A restart at step 30: the steps from 30 on are dropped, then written again.
tb restart 30
tb scalars 30 35
same "a restart (session_log START) drops the rewound steps"
tb scalars 35 60
same "steps in order after the restart"
# A restart that drops as many rows as it then writes (step 59 again, with
# another loss and no learning rate): as many rows as before, but changed.
tb restart 59 train/loss 0.0625
same "a restart dropping as many rows as it writes"

stop_watch TERM
[ "$wrc" -eq 143 ] || fail "SIGTERM: exit $wrc, want 143: $(tail -3 "$T/watch.log")"
ok "the watch ends on SIGTERM (143)"
