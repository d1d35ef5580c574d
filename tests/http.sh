#!/bin/sh
# tests/http.sh: jobs fetched from the platform's API, against the loopback
# test server (tests/server/testd.c) serving tests/data/http: success, every
# failure mode with its exact message and exit status, retries, redirects,
# limits, concurrency, job lists and labels, and the token kept secret.
. "$(dirname "$0")/lib.sh"

TESTD="$top_builddir/tests/server/trcompare-testd"
[ -x "$TESTD" ] || skip "trcompare-testd not built (libmicrohttpd missing?)"
HTTPDATA="$DATA/http"

# Proxies from the environment would take our loopback requests elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

TOKEN='trc-Test-Token-9f3Kq7Zx'
printf '%s' "$TOKEN" >"$T/token"

# start_server NAME ARGS...: starts a test server; its port in $PORT, its
# request log in $T/NAME.log.
SERVERS=""
start_server() {
	name=$1
	shift
	"$TESTD" --dir="$HTTPDATA" --port-file="$T/$name.port" --log="$T/$name.log" \
		--lifetime=300 "$@" 2>"$T/$name.err" &
	SERVERS="$SERVERS $!"
	i=0
	while [ ! -s "$T/$name.port" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "test server $name did not start: $(cat "$T/$name.err")"
		sleep 0.05
	done
	PORT=$(cat "$T/$name.port")
}
stop_servers() {
	for pid in $SERVERS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $SERVERS; do
		wait "$pid" 2>/dev/null || true
	done
	SERVERS=""
}
trap 'stop_servers; cleanup_T' EXIT

# now_ms: milliseconds since the epoch (GNU date).
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# count_requests NAME PATH: how many times the server NAME saw GET PATH.
count_requests() { grep -c "^GET $2\$" "$T/$1.log" || true; }

# expect_fail_re STATUS REGEX ARGS...: like expect_fail, for messages that
# hold a number libcurl measures (milliseconds): stderr is one line matching
# the extended REGEX.
expect_fail_re() {
	want_rc=$1 want_re=$2
	shift 2
	trc "$@"
	[ "$rc" -eq "$want_rc" ] || fail "trcompare-plot $*: exit $rc, want $want_rc; stderr: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] && grep -Eq "^$want_re\$" "$T/err" ||
		fail "trcompare-plot $*: stderr does not match $want_re: $(cat "$T/err")"
	ok "exit $want_rc: $(cat "$T/err")"
}

start_server api --token-file="$T/token" --page-max=2
API="http://127.0.0.1:$PORT"
TRCOMPARE_URL=$API
TRCOMPARE_TOKEN=$TOKEN
export TRCOMPARE_URL TRCOMPARE_TOKEN

# --- success: the same data as reading the fixtures directly -------------
# (Only the "# source:" line, the JOB as written, and the label, the model
# name from the job list for jobs given by id, may differ.)
expect_ok --data r1 r2 r3
grep -v '^# source: \|^# label: ' "$T/out" >"$T/fetched"
expect_ok --data "$HTTPDATA/r1.json" "$HTTPDATA/r2.json" "$HTTPDATA/r3.json"
grep -v '^# source: \|^# label: ' "$T/out" | cmp -s - "$T/fetched" || fail "fetched data differs from the files' data"
grep -q '^# rows: 30$' "$T/fetched" || fail "r1 not fully fetched"
ok "jobs by id give the same tidy data as the files"

grep -q "^	Authorization: Bearer $TOKEN\$" "$T/api.log" || fail "no Bearer token sent"
ok "the token is sent as Authorization: Bearer"
grep -q '^GET /api/training/local/r1/metrics$' "$T/api.log" || fail "default endpoint not used"
ok "default endpoint /api/training/local/{id}/metrics"

expect_ok --data --api-key-header r4
grep -q "^	X-API-Key: $TOKEN\$" "$T/api.log" || fail "no X-API-Key sent"
ok "--api-key-header sends X-API-Key"

expect_ok --data --endpoint='/api/training/metrics/{id}' r5
grep -q '^GET /api/training/metrics/r5$' "$T/api.log" || fail "--endpoint not used"
ok "--endpoint template (the trainer's route)"

expect_ok --data --token-file="$T/token" r1
ok "--token-file"

# {id} is URL-escaped: unescaped, '?' would end the path ("Not found").
expect_fail 2 'trcompare-plot: r1?x: HTTP 404: Job not found or unauthorized' --data 'r1?x'

# --- authentication failures ---------------------------------------------
TRC_SAVED=$TRC
TRC="env -u TRCOMPARE_TOKEN $TRC_SAVED"
expect_fail 2 'trcompare-plot: r1: HTTP 401: Unauthorized: Missing authentication' --data r1
TRC="env TRCOMPARE_TOKEN=wrong-token $TRC_SAVED"
expect_fail 2 'trcompare-plot: r1: HTTP 401: Unauthorized: Invalid token' --data r1
TRC=$TRC_SAVED

# --- HTTP errors: status and the body's error (and details) --------------
expect_fail 2 'trcompare-plot: nosuchjob: HTTP 404: Job not found or unauthorized' --data nosuchjob
expect_fail 2 'trcompare-plot: status-500: HTTP 500: Failed to fetch metrics: db down' \
	--retry=0 --data status-500
expect_fail 2 'trcompare-plot: html500: HTTP 500: Internal Server Error' --retry=0 --data html500
expect_fail 2 'trcompare-plot: status-429: HTTP 429: Too many requests' --retry=0 --data status-429
[ "$(count_requests api /api/training/local/status-500/metrics)" -eq 1 ] || fail "--retry=0 retried"
ok "--retry=0 makes one request"

# --- retries -------------------------------------------------------------
t0=$(now_ms)
expect_ok --data --retry=2 flaky500-2-r1
t1=$(now_ms)
[ $((t1 - t0)) -ge 2900 ] || fail "no backoff between retries (1 s, then 2 s): $((t1 - t0)) ms"
ok "retries back off: 1 s, then 2 s ($((t1 - t0)) ms)"
[ "$(count_requests api /api/training/local/flaky500-2-r1/metrics)" -eq 3 ] ||
	fail "flaky500-2: want 3 requests, log has $(count_requests api /api/training/local/flaky500-2-r1/metrics)"
ok "500 twice, then 200: 3 requests with --retry=2"

expect_fail 2 'trcompare-plot: flaky500-2-r2: HTTP 500: Failed to fetch metrics: db down' \
	--data --retry=1 flaky500-2-r2
[ "$(count_requests api /api/training/local/flaky500-2-r2/metrics)" -eq 2 ] || fail "--retry=1: not 2 requests"
ok "--retry=1 gives up after 2 requests"

t0=$(now_ms)
expect_ok --data --retry=1 flaky429-1-r3
t1=$(now_ms)
[ "$(count_requests api /api/training/local/flaky429-1-r3/metrics)" -eq 2 ] || fail "429: not retried once"
[ $((t1 - t0)) -ge 900 ] || fail "Retry-After: 1 not honoured (retried after $((t1 - t0)) ms)"
ok "429 with Retry-After: 1 is retried after a second ($((t1 - t0)) ms)"

# A dropped connection is retried, and the retry starts the job afresh.
expect_ok --data --retry=1 flakydrop-1-r2
sed 's/flakydrop-1-r2/r2/' "$T/out" | grep -v '^# label: ' >"$T/retried"
expect_ok --data r2
grep -v '^# label: ' "$T/out" | cmp -s - "$T/retried" || fail "data after a retried, dropped transfer differs"
ok "a retried transfer resets the parser (same data as a clean fetch)"

# --- broken transfers and bodies ------------------------------------------
size=$(wc -c <"$HTTPDATA/r1.json")
expect_fail 2 "trcompare-plot: drop-r1: transfer closed with $((size - size / 2)) bytes remaining to read" \
	--retry=0 --data drop-r1
expect_fail 1 'trcompare-plot: badjson: invalid JSON at line 2, column 24: unexpected character' --data badjson
expect_fail 1 'trcompare-plot: truncated: unexpected end of input (truncated JSON?) at line 2, column 20' \
	--data truncated
expect_fail 2 'trcompare-plot: huge-5000000: response larger than --max-filesize (1000000 bytes)' \
	--max-filesize=1000000 --data huge-5000000
expect_fail 2 'trcompare-plot: hugechunked-5000000: response larger than --max-filesize (1000000 bytes)' \
	--max-filesize=1000000 --data hugechunked-5000000
expect_fail_re 2 'trcompare-plot: delay-3000-r1: Operation timed out after 1[0-9]{3} milliseconds with 0 bytes received' \
	--retry=0 --max-time=1 --data delay-3000-r1
expect_fail_re 2 'trcompare-plot: http://127\.0\.0\.1:1/x: Failed to connect to 127\.0\.0\.1 port 1 after [0-9]+ ms: (Couldn.t connect to server|Connection refused)' \
	--retry=0 --data http://127.0.0.1:1/x
expect_fail 2 'trcompare-plot: file:///nonexistent/r.json: Couldn'"'"'t open file /nonexistent/r.json' \
	--data file:///nonexistent/r.json

# --- redirects ------------------------------------------------------------
expect_ok --data redirect-r1
grep -q '^# rows: 30$' "$T/out" || fail "redirect not followed"
ok "a redirect on the same origin is followed with the token"
# Another origin (localhost instead of 127.0.0.1) must not get the token.
expect_fail 2 'trcompare-plot: xredirect-r1: HTTP 401: Unauthorized: Missing authentication' --data xredirect-r1
grep -q '^	Host: localhost:' "$T/api.log" || fail "the redirect to localhost was not followed"
awk '/^GET /{ if (loc && auth) bad = 1; loc = 0; auth = 0; next }
	/^	Host: localhost:/ { loc = 1 }
	/^	(Authorization|X-API-Key):/ { auth = 1 }
	END { if (loc && auth) bad = 1; exit bad }' "$T/api.log" || fail "the token went to another origin"
ok "the token does not follow a redirect to another origin"
expect_fail 2 'trcompare-plot: redirectloop: too many redirects (more than 5)' --data redirectloop
# The token goes to the API's origin only, with or without an API URL;
# other origins get it only when named with --token-for.
LOCALR1="http://localhost:$PORT/api/training/local/r1/metrics"
expect_fail 2 "trcompare-plot: $LOCALR1: HTTP 401: Unauthorized: Missing authentication" --data "$LOCALR1"
TRC_SAVED=$TRC
TRC="env -u TRCOMPARE_URL $TRC_SAVED"
expect_fail 2 "trcompare-plot: $LOCALR1: HTTP 401: Unauthorized: Missing authentication" --data "$LOCALR1"
ok "with no API URL, a URL given as a JOB does not get the token"
expect_ok --data --token-for="http://LOCALHOST:$PORT/" "$LOCALR1"
grep -q '^# rows: 30$' "$T/out" || fail "--token-for: no data"
ok "--token-for=ORIGIN sends the token to that origin"
expect_fail 2 "trcompare-plot: $API/api/training/local/r2/metrics: HTTP 401: Unauthorized: Missing authentication" \
	--data --token-for="http://localhost:$PORT" "$LOCALR1" "$API/api/training/local/r2/metrics"
ok "--token-for names one origin: others still get no token"
TRC=$TRC_SAVED
expect_ok --data --token-for="http://localhost:$PORT" r1 "$LOCALR1"
[ "$(grep -c '^# rows: 30$' "$T/out")" -eq 2 ] || fail "--url and --token-for together"
ok "--token-for adds an origin to the API's"
try="Try \`trcompare-plot --help' or \`trcompare-plot --usage' for more information."
expect_fail 64 "trcompare-plot: --token-for: 'http://localhost:$PORT/api' is not an origin (like https://host:port)
$try" --token-for="http://localhost:$PORT/api" r1
expect_fail 64 "trcompare-plot: --token-for: 'ftp://localhost:$PORT' is not an origin (like https://host:port)
$try" --token-for="ftp://u:pw@localhost:$PORT" r1

# --- an HTML page (a login form) and long error bodies ----------------------
expect_fail 2 'trcompare-plot: login: the server sent an HTML page, not JSON ("Sign in & continue [31m")' --data login
expect_fail 2 'trcompare-plot: bigerror-200000: HTTP 400: Quota exceeded: try "later"' --data bigerror-200000
expect_fail 2 'trcompare-plot: bigerror-10: HTTP 400: Quota exceeded: try "later"' --data bigerror-10

# --- the API URL: a scheme is required; a query stays after the path --------
expect_fail 64 "trcompare-plot: r1: the API URL (--url or TRCOMPARE_URL) must start with http:// or https://" \
	--url "127.0.0.1:$PORT" --data r1
expect_fail 64 "trcompare-plot: 127.0.0.1:$PORT: the API URL (--url or TRCOMPARE_URL) must start with http:// or https://" \
	--url "127.0.0.1:$PORT" --list-jobs
TRC_SAVED=$TRC
TRC="env TRCOMPARE_URL=localhost:$PORT $TRC_SAVED"
expect_fail 64 "trcompare-plot: r1: the API URL (--url or TRCOMPARE_URL) must start with http:// or https://" --data r1
TRC=$TRC_SAVED
expect_ok --url "HTTP://127.0.0.1:$PORT" --data r1
ok "the scheme is matched case-insensitively"
start_server based --token-file="$T/token" --prefix=/base
expect_ok --url "http://127.0.0.1:$PORT/base/?x=1&y=a%20b#frag" --data r1 --endpoint='/api/training/metrics/{id}?v=2'
grep -q '^# rows: 30$' "$T/out" || fail "--url with a path and a query: no data"
grep -q '^GET /base/api/training/metrics/r1?x=1&y=a b&v=2$' "$T/based.log" ||
	fail "the path and query from --url are not where they belong: $(grep '^GET' "$T/based.log")"
expect_ok --url "http://127.0.0.1:$PORT/base?x=1" --list-jobs --format=csv
grep -q '^GET /base/api/training/local/jobs?limit=100&offset=0&x=1$' "$T/based.log" ||
	fail "the job list's path and query: $(grep '^GET' "$T/based.log")"
grep -q '^r5,' "$T/out" || fail "--list-jobs under a base path and query: $(cat "$T/out")"
ok "--url's path comes before the endpoint, its query after it"

# --- a URL's user and password are never shown nor written -----------------
start_server open
OPEN=$PORT
API_PORT=${API##*:}
PW='s3cr3tPW'
UPW="alice:$PW@"
# no_secret WHAT FILE...: the password and the user appear in none of FILE.
no_secret() {
	what=$1
	shift
	for f in "$@"; do
		! grep -q "$PW\|alice" "$f" || fail "$what: the URL's userinfo is in $(basename "$f"): $(grep "$PW\|alice" "$f")"
	done
	ok "$what: no userinfo"
}
expect_fail 2 "trcompare-plot: http://127.0.0.1:$OPEN/api/training/local/nosuchjob/metrics: HTTP 404: Job not found or unauthorized" \
	--data "http://$UPW""127.0.0.1:$OPEN/api/training/local/nosuchjob/metrics"
expect_fail 2 "trcompare-plot: mine=http://127.0.0.1:$OPEN/x: HTTP 404: Not found" --data "mine=http://$UPW""127.0.0.1:$OPEN/x"
expect_fail_re 2 "trcompare-plot: http://127\\.0\\.0\\.1:1/x: Failed to connect to 127\\.0\\.0\\.1 port 1 after [0-9]+ ms: (Couldn.t connect to server|Connection refused)" \
	--retry=0 --data "http://$UPW""127.0.0.1:1/x"
TRC_SAVED=$TRC
TRC="env -u TRCOMPARE_TOKEN $TRC_SAVED"
expect_fail 2 "trcompare-plot: http://127.0.0.1:$API_PORT: HTTP 401: Unauthorized: Invalid token" \
	--url "http://$UPW""127.0.0.1:$API_PORT" --list-jobs
expect_fail 2 "trcompare-plot: r1: HTTP 401: Unauthorized: Invalid token" --url "http://$UPW""127.0.0.1:$API_PORT" --data r1
TRC=$TRC_SAVED
expect_fail 64 "trcompare-plot: 127.0.0.1:$API_PORT: the API URL (--url or TRCOMPARE_URL) must start with http:// or https://" \
	--url "$UPW""127.0.0.1:$API_PORT" --list-jobs
expect_ok -v --data "http://$UPW""127.0.0.1:$OPEN/api/training/local/r1/metrics" "lbl=http://$UPW""127.0.0.1:$OPEN/api/training/local/empty/metrics"
grep -q "^# source: http://127.0.0.1:$OPEN/api/training/local/r1/metrics\$" "$T/out" || fail "--data: # source: $(grep '^# source' "$T/out")"
grep -q "^trcompare-plot: warning: lbl=http://127.0.0.1:$OPEN/api/training/local/empty/metrics: " "$T/err" ||
	fail "warning: $(cat "$T/err")"
grep -q "^trcompare-plot: GET http://127.0.0.1:$OPEN/api/training/local/r1/metrics\$" "$T/err" || fail "-v: $(cat "$T/err")"
no_secret "--data, -v and warnings" "$T/out" "$T/err"
expect_ok -d "$T/pwdir" -S csv "http://$UPW""127.0.0.1:$OPEN/api/training/local/r1/metrics"
grep -q "^# source: http://127.0.0.1:$OPEN/api/training/local/r1/metrics\$" "$T"/pwdir/*.dat || fail "-d: # source: $(grep -h '^# source' "$T"/pwdir/*.dat)"
no_secret "-d files and the summary" "$T/out" "$T/err" "$T"/pwdir/*

expect_ok --data empty r1
grep -q '^trcompare-plot: warning: empty: ' "$T/err" || fail "no warning for an empty job: $(cat "$T/err")"
ok "\"metrics\": [] is a warning"

# --- failures: every one reported; --keep-going draws the rest -------------
trc --data r1 nosuchjob r2 status-401
[ "$rc" -eq 2 ] || fail "a failed job did not fail the run (exit $rc)"
[ ! -s "$T/out" ] || fail "data written although a job failed"
printf '%s\n' 'trcompare-plot: nosuchjob: HTTP 404: Job not found or unauthorized' \
	'trcompare-plot: status-401: HTTP 401: Unauthorized: Invalid token' >"$T/want"
cmp -s "$T/want" "$T/err" || fail "failures not all reported: $(cat "$T/err")"
ok "without --keep-going: exit 2, nothing written, every failure said"
trc --data --keep-going r1 nosuchjob r2 status-401
[ "$rc" -eq 2 ] || fail "--keep-going: exit $rc, want 2"
cmp -s "$T/want" "$T/err" || fail "--keep-going: failures not all reported: $(cat "$T/err")"
[ "$(grep -c '^# rows: 30$' "$T/out")" -eq 2 ] || fail "--keep-going: the good jobs were not written"
ok "--keep-going: the good jobs are written, every failure said, exit 2"

# --- concurrency ----------------------------------------------------------
t0=$(now_ms)
expect_ok --data delay-500-r1 delay-500-r2 delay-500-r3 delay-500-r4 delay-500-r5
t1=$(now_ms)
# (One at a time would take 2500 ms; valgrind's start-up time is no measure.)
[ -n "${TRC_VALGRIND:-}" ] || [ $((t1 - t0)) -lt 2000 ] ||
	fail "five 500 ms jobs took $((t1 - t0)) ms: not concurrent"
ok "five jobs delayed 500 ms each finish together ($((t1 - t0)) ms)"
t0=$(now_ms)
expect_ok --data --parallel=1 delay-500-r1 delay-500-r2 delay-500-r3
t1=$(now_ms)
[ $((t1 - t0)) -ge 1500 ] || fail "--parallel=1: three 500 ms jobs took only $((t1 - t0)) ms"
ok "--parallel=1 fetches one at a time ($((t1 - t0)) ms for three)"

# --- files, URLs and ids mixed, in JOB order --------------------------------
expect_ok --data "$HTTPDATA/r1.json" "$API/api/training/metrics/r2" r3 mine=r4 \
	"file://$HTTPDATA/r5.json" - <"$HTTPDATA/5c1f9a2b-7d3e-4f10-8a6b-0c2d4e6f8a01.json"
grep '^# job: ' "$T/out" >"$T/got"
printf '# job: %s\n' r1 r2 r3 r4 r5 5c1f9a2b-7d3e-4f10-8a6b-0c2d4e6f8a01 >"$T/want"
cmp -s "$T/want" "$T/got" || fail "mixed sources out of order: $(cat "$T/got")"
grep -q '^# label: mine$' "$T/out" || fail "LABEL=id not used"
ok "files, URLs, ids, LABEL=id, file:// and stdin mix in JOB order"

expect_fail 64 'trcompare-plot: -: standard input (-) can be read only once' \
	--data - r1 - <"$HTTPDATA/r2.json"

# A JOB that looks like a file stays a file, even with an API URL set.
expect_fail 1 'trcompare-plot: missing.json: No such file or directory' --data missing.json
expect_fail 1 'trcompare-plot: lbl=runs/missing: No such file or directory' --data lbl=runs/missing
expect_fail 1 'trcompare-plot: ./x=y: No such file or directory' --data ./x=y
cp "$HTTPDATA/r1.json" "$T/a=r2"
expect_ok --data "$T/a=r2"
grep -q '^# job: r1$' "$T/out" || fail "an existing path holding = was split"
ok "an existing path is read whole even when it holds '='"

# --- job lists ------------------------------------------------------------
expect_ok --list-jobs
cat >"$T/want" <<'EOF'
ID                                    MODEL                   STATUS           PROGRESS  STEPS    LOSS    EVAL_LOSS  BEST    STARTED              COMPLETED
r7                                    mistral-7b              pending          -         -        -       -          -       -                    -
r5                                    =cmd|calc               completed        100%      200/200  0.9500  1.0000     0.9900  2026-11-05 10:00:00  2026-11-05 11:00:00
r4                                    evil"name  [31mred`id`  failed           40%       200/500  1.2000  -          -       2026-11-04 10:00:00  2026-11-04 10:30:00
r3                                    llama-1.3b              running (stale)  62%       250/400  0.9000  -          -       2026-11-03 10:00:00  -
r2                                    qwen-350m               completed        100%      300/300  0.8300  0.8800     0.8700  2026-11-02 10:00:00  2026-11-02 12:00:00
r1                                    qwen-350m               completed        100%      300/300  0.8100  0.8600     0.8500  2026-11-01 10:00:00  2026-11-01 12:00:00
5c1f9a2b-7d3e-4f10-8a6b-0c2d4e6f8a01  -                       queued           0%        -        -       -          -       -                    -
EOF
cmp -s "$T/want" "$T/out" || fail "--list-jobs text differs:
$(diff "$T/want" "$T/out")"
LC_ALL=C grep -q "$(printf '\033')" "$T/out" && fail "an escape character reached the terminal"
ok "--list-jobs: newest first, stale marked, control characters removed"
for off in 0 2 4 6; do
	grep -q "^GET /api/training/local/jobs?limit=100&offset=$off\$" "$T/api.log" ||
		fail "job list page at offset $off not requested"
done
grep -q 'offset=8$' "$T/api.log" && fail "job list paged past its total"
ok "--list-jobs follows limit/offset pagination up to the total"

expect_ok --list-jobs --format=csv --status=completed,running
cat >"$T/want" <<'EOF'
id,model_name,status,progress,current_step,total_steps,loss,eval_loss,best_eval_loss,started_at,completed_at,created_at,stale
r5,'=cmd|calc,completed,100,200,200,0.95,1,0.99,2026-11-05T10:00:00Z,2026-11-05T11:00:00Z,2026-11-05T09:59:00Z,false
r3,llama-1.3b,running,62.5,250,400,0.9,,,2026-11-03T10:00:00Z,,2026-11-03T09:59:00Z,true
r2,qwen-350m,completed,100,300,300,0.83,0.88,0.87,2026-11-02T10:00:00Z,2026-11-02T12:00:00Z,2026-11-02T09:59:00Z,false
r1,qwen-350m,completed,100,300,300,0.81,0.86,0.85,2026-11-01T10:00:00Z,2026-11-01T12:00:00Z,2026-11-01T09:59:00Z,false
EOF
cmp -s "$T/want" "$T/out" || fail "--list-jobs csv differs:
$(diff "$T/want" "$T/out")"
ok "--list-jobs --format=csv --status filters (formula-safe cells)"

expect_ok --list-jobs --format=json --status=failed
cat >"$T/want" <<'EOF'
[
  {"id": "r4", "model_name": "evil\"name  [31mred`id`", "status": "failed", "progress": 40, "current_step": 200, "total_steps": 500, "loss": 1.2, "eval_loss": null, "best_eval_loss": null, "started_at": "2026-11-04T10:00:00Z", "completed_at": "2026-11-04T10:30:00Z", "created_at": "2026-11-04T09:59:00Z", "stale": false}
]
EOF
cmp -s "$T/want" "$T/out" || fail "--list-jobs json differs:
$(diff "$T/want" "$T/out")"
if command -v python3 >/dev/null 2>&1; then
	expect_ok --list-jobs --format=json
	python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 7' "$T/out" ||
		fail "--list-jobs json does not parse"
fi
ok "--list-jobs --format=json"

# --latest: the newest jobs of the list; labels from model names, unique.
expect_ok --data --latest=2 --status=completed
printf '# job: %s\n' r5 r2 >"$T/want"
grep '^# job: ' "$T/out" | cmp -s "$T/want" - || fail "--latest=2 did not take r5, r2"
grep -q '^# label: =cmd|calc$' "$T/out" || fail "--latest: label is not the model name"
ok "--latest=2 --status=completed compares the two newest completed jobs"
expect_fail 1 "trcompare-plot: --latest: the job list has no matching jobs" --data --latest=2 --status=nosuchstatus
expect_ok --data --latest=4 --status=completed,running
grep '^# label: ' "$T/out" >"$T/got"
printf '# label: %s\n' '=cmd|calc' llama-1.3b 'qwen-350m (r2)' 'qwen-350m (r1)' >"$T/want"
cmp -s "$T/want" "$T/got" || fail "labels from the job list: $(cat "$T/got")"
ok "a shared model name is made unique with the id"

TRC="env -u TRCOMPARE_TOKEN $TRC_SAVED"
expect_fail 2 "trcompare-plot: $API: HTTP 401: Unauthorized: Missing authentication" --list-jobs
TRC=$TRC_SAVED

# The short route when the local one is missing.
start_server old --token-file="$T/token" --no-local-jobs
TRC_SAVED=$TRC
TRC="env TRCOMPARE_URL=http://127.0.0.1:$PORT $TRC_SAVED"
expect_ok --list-jobs --format=csv --status=queued
TRC=$TRC_SAVED
grep -q '^GET /api/training/jobs$' "$T/old.log" || fail "no fallback to /api/training/jobs"
grep -q '^5c1f9a2b-7d3e-4f10-8a6b-0c2d4e6f8a01,,queued,' "$T/out" || fail "fallback list: $(cat "$T/out")"
ok "--list-jobs falls back to /api/training/jobs"

# --- a job list not to be trusted: capped, streamed, de-duplicated -----------
expect_ok --list-jobs
cp "$T/out" "$T/list-normal"
# listjobs NAME ARGS...: --list-jobs (or ARGS) against server NAME ($PORT).
listjobs() {
	lname=$1
	shift
	TRC="env TRCOMPARE_URL=http://127.0.0.1:$PORT $TRC_SAVED"
	trc "$@"
	TRC=$TRC_SAVED
}
# A page of 200 MB of empty objects: read no further than the 101st.
start_server bomb --token-file="$T/token" --list=bomb
ORIG_TRC=$TRC
if [ -z "${TRC_VALGRIND:-}" ] && ! ldd "$PROG" 2>/dev/null | grep -q 'libasan'; then
	# 500 MB of address space: json-c would need gigabytes for the page.
	printf '#!/bin/sh\nulimit -v 500000\nexec "$@"\n' >"$T/limited"
	chmod +x "$T/limited"
	TRC="$T/limited $TRC"
fi
TRC_SAVED=$TRC
t0=$(now_ms)
listjobs bomb --list-jobs
t1=$(now_ms)
[ "$rc" -eq 0 ] || fail "--list-jobs on a page of empty objects: exit $rc: $(cat "$T/err")"
[ "$(cat "$T/err")" = 'trcompare-plot: warning: the server sent more than the 100 jobs asked for in one page; the job list was cut at 0 jobs' ] ||
	fail "--list-jobs on a page of empty objects: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "jobs without ids listed: $(cat "$T/out")"
[ -n "${TRC_VALGRIND:-}" ] || [ $((t1 - t0)) -lt 5000 ] || fail "the bomb took $((t1 - t0)) ms"
ok "a 200 MB page of empty objects: cut after 100 of them, with a warning ($((t1 - t0)) ms)"
listjobs bomb --data r1
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "a comparison by id with a bombed job list: exit $rc: $(cat "$T/err")"
grep -q '^# label: r1$' "$T/out" || fail "label: $(grep '^# label' "$T/out")"
ok "a comparison by id does not suffer from a bombed job list"
TRC=$ORIG_TRC
TRC_SAVED=$TRC

# A server that ignores offset (but echoes it) and claims a million jobs.
start_server nooffset --token-file="$T/token" --page-max=2 --list=nooffset
listjobs nooffset --list-jobs
[ "$rc" -eq 0 ] || fail "nooffset: exit $rc: $(cat "$T/err")"
[ "$(cat "$T/err")" = 'trcompare-plot: warning: the server ignores offset (the page at offset 2 brought no new job); the job list was cut at 2 jobs' ] ||
	fail "nooffset: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "nooffset: jobs listed twice? $(cat "$T/out")"
[ "$(grep -c '^GET /api/training/local/jobs' "$T/nooffset.log")" -eq 2 ] ||
	fail "nooffset: $(grep -c '^GET /api/training/local/jobs' "$T/nooffset.log") page requests, want 2"
ok "a server that ignores offset: 2 page requests, each job once, a warning"

# Every job listed twice: each once, and --latest picks distinct jobs.
start_server dupids --token-file="$T/token" --page-max=3 --list=dupids
listjobs dupids --list-jobs
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "dupids: exit $rc: $(cat "$T/err")"
cmp -s "$T/list-normal" "$T/out" || fail "dupids: the list differs:
$(diff "$T/list-normal" "$T/out")"
ok "a job listed twice is listed once"
listjobs dupids --data --latest=3 --status=completed
[ "$rc" -eq 0 ] || fail "dupids --latest=3 --status=completed: exit $rc: $(cat "$T/err")"
[ "$(grep '^# job: ' "$T/out" | sort -u | wc -l)" -eq 3 ] || fail "--latest=3 picked a job twice: $(grep '^# job: ' "$T/out")"
ok "--latest=3 picks three different jobs from a list with duplicates"

# New jobs at every offset, forever: 10,000 jobs, or 200 pages.
start_server endless --token-file="$T/token" --list=endless
listjobs endless --list-jobs --format=csv
[ "$rc" -eq 0 ] || fail "endless: exit $rc: $(cat "$T/err")"
[ "$(cat "$T/err")" = 'trcompare-plot: warning: the job list was cut at 10000 jobs' ] || fail "endless: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" -eq 10001 ] || fail "endless: $(wc -l <"$T/out") lines"
[ "$(grep -c '^GET /api/training/local/jobs' "$T/endless.log")" -eq 100 ] || fail "endless: not 100 pages"
ok "an endless list stops at 10,000 jobs"
start_server endless1 --token-file="$T/token" --list=endless --page-max=1
listjobs endless1 --list-jobs --format=csv
[ "$rc" -eq 0 ] || fail "endless1: exit $rc: $(cat "$T/err")"
[ "$(cat "$T/err")" = 'trcompare-plot: warning: the job list was cut at 200 pages (200 jobs)' ] || fail "endless1: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" -eq 201 ] || fail "endless1: $(wc -l <"$T/out") lines"
ok "an endless list of one job per page stops at 200 pages"

start_server bigpage --token-file="$T/token" --list=bigpage
listjobs bigpage --list-jobs
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: http://127.0.0.1:$PORT: the job list from /api/training/local/jobs sent a page larger than 4 MiB" ] ||
	fail "bigpage: exit $rc: $(cat "$T/err")"
ok "exit 1: a job list page over 4 MiB"
start_server bigjob --token-file="$T/token" --list=bigjob
listjobs bigjob --list-jobs
[ "$rc" -eq 1 ] && [ "$(cat "$T/err")" = "trcompare-plot: http://127.0.0.1:$PORT: a job in the job list from /api/training/local/jobs is larger than 64 KiB" ] ||
	fail "bigjob: exit $rc: $(cat "$T/err")"
ok "exit 1: a job over 64 KiB in the job list"

# The label lookup is a nicety: a slow list does not hold up a comparison.
start_server slow --token-file="$T/token" --list-delay=6000
t0=$(now_ms)
listjobs slow --data r1
t1=$(now_ms)
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "slow list: exit $rc: $(cat "$T/err")"
grep -q '^# label: r1$' "$T/out" || fail "slow list: label $(grep '^# label' "$T/out")"
[ -n "${TRC_VALGRIND:-}" ] || [ $((t1 - t0)) -lt 4500 ] || fail "a slow job list held up the comparison $((t1 - t0)) ms"
ok "a slow job list delays a comparison by id by at most ~3 s ($((t1 - t0)) ms), labels from the ids"
listjobs slow -v --data r1
grep -Eq '^trcompare-plot: no job list for labels: Operation timed out after 2[0-9]{3} milliseconds with 0 bytes received$' "$T/err" ||
	fail "-v does not say why labels are ids: $(cat "$T/err")"
ok "-v says the job list for labels did not come"

# --- no API URL ---------------------------------------------------------------
TRC_SAVED=$TRC
TRC="env -u TRCOMPARE_URL $TRC_SAVED"
expect_fail 64 'trcompare-plot: r1: no API URL: set TRCOMPARE_URL or --url' --data r1
TRC=$TRC_SAVED

# --- proxies from the environment, as in curl -----------------------------------
TRC="env http_proxy=$API TRCOMPARE_URL=http://proxied.invalid $TRC_SAVED"
expect_ok --data r1
TRC=$TRC_SAVED
grep -q '^GET http://proxied.invalid/api/training/local/r1/metrics$' "$T/api.log" ||
	fail "http_proxy not used"
ok "http_proxy is honoured"

# --- --netrc ---------------------------------------------------------------------
mkdir "$T/home"
printf 'machine 127.0.0.1\nlogin alice\npassword s3cret\n' >"$T/home/.netrc"
chmod 600 "$T/home/.netrc"
TRC="env -u TRCOMPARE_TOKEN HOME=$T/home $TRC_SAVED"
expect_fail 2 'trcompare-plot: r2: HTTP 401: Unauthorized: Invalid token' --netrc --data r2
TRC=$TRC_SAVED
grep -q '^	Authorization: Basic YWxpY2U6czNjcmV0$' "$T/api.log" || fail "--netrc credentials not sent"
ok "--netrc sends the machine's credentials"

# --- TLS: verified by default; --cacert; --insecure ---------------------------
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	start_server tls --token-file="$T/token" --tls-cert="$T/cert.pem" --tls-key="$T/key.pem"
	TRC="env TRCOMPARE_URL=https://127.0.0.1:$PORT $TRC_SAVED"
	expect_fail_re 2 'trcompare-plot: r1: SSL certificate problem: self[- ]signed certificate' --retry=0 --data r1
	expect_ok --data --cacert="$T/cert.pem" r1
	grep -q '^# rows: 30$' "$T/out" || fail "--cacert: no data"
	ok "--cacert: the server's certificate is trusted"
	expect_ok --data --insecure r1
	grep -q '^# rows: 30$' "$T/out" || fail "--insecure: no data"
	ok "--insecure skips verification"
	TRC=$TRC_SAVED
fi

# --- progress: on a terminal only, for fetches over a second ---------------------
if command -v script >/dev/null 2>&1; then
	script -qec "$PROG --data delay-1600-r1 >$T/tty-data" /dev/null >"$T/tty" 2>&1 </dev/null || true
	grep -q 'fetching 1 job, 1 s: delay-1600-… [0-9.]* [kM]*B [0-9]* rows' "$T/tty" ||
		fail "no progress line on a terminal: $(cat "$T/tty")"
	grep -q '^# rows: 30$' "$T/tty-data" || fail "progress run lost its data"
	ok "a progress line on a terminal when a fetch takes over a second"
	script -qec "$PROG --data delay-200-r1 >$T/tty-data" /dev/null >"$T/tty" 2>&1 </dev/null || true
	[ ! -s "$T/tty" ] || fail "progress shown for a short fetch: $(cat "$T/tty")"
	ok "no progress line for a short fetch"
	script -qec "$PROG --data http://$UPW""127.0.0.1:$OPEN/api/training/local/delay-1600-r1/metrics >$T/tty-data" \
		/dev/null >"$T/tty" 2>&1 </dev/null || true
	grep -q 'fetching 1 job, 1 s: http://127\.' "$T/tty" || fail "no progress line: $(cat "$T/tty")"
	no_secret "the progress line" "$T/tty"
fi

# --- the token stays secret ------------------------------------------------
# A gnuplot stand-in records its arguments and environment, then plots.
if command -v gnuplot >/dev/null 2>&1; then
	cat >"$T/gnuplot-spy" <<EOF
#!/bin/sh
printf '%s\n' "\$0" "\$@" >>"$T/child-args"
env >>"$T/child-env"
exec gnuplot "\$@"
EOF
	chmod +x "$T/gnuplot-spy"
	TRC_SAVED=$TRC
	TRC="env TRCOMPARE_GNUPLOT=$T/gnuplot-spy $TRC_SAVED"
	trc -v -v -o "$T/chart.png" -d "$T/dd" --summary=json --keep-going r1 r2 status-404
	cat "$T/out" "$T/err" >"$T/all-output"
	grep -q "GET $API/api/training/local/r1/metrics, token as Authorization: Bearer (redacted)\$" "$T/err" ||
		fail "-v does not show the requests: $(cat "$T/err")"
	ok "-v shows each request, the token redacted"
	trc -v -o "$T/chart.gp" --data --keep-going r1 nosuchjob
	cat "$T/out" "$T/err" >>"$T/all-output"
	TRC=$TRC_SAVED
	[ -s "$T/chart.png" ] && [ -s "$T/child-args" ] || fail "gnuplot was not run"
	for f in "$T/all-output" "$T/child-args" "$T/chart.gp" "$T"/dd/*; do
		if grep -qF "$TOKEN" "$f"; then
			fail "the token appears in $(basename "$f")"
		fi
	done
	ok "the token is in no output, script, data file or child argument list"
	if grep -qF "$TOKEN" "$T/child-env"; then
		fail "the token is in gnuplot's environment (TRCOMPARE_TOKEN inherited)"
	fi
	ok "the token is not passed on to gnuplot's environment"
fi
"$PROG" --help >"$T/help" 2>&1 || true
grep -qF "$TOKEN" "$T/help" && fail "the token appears in --help"
# The token lives in the server's log only: it was sent.
grep -qF "$TOKEN" "$T/api.log" || fail "the token never reached the server"
ok "the token reached the server and nothing else"

echo "$nchecks checks passed"
