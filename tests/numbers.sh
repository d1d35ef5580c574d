#!/bin/sh
# tests/numbers.sh: the CSV reader's own number parsing (src/decimal.c:
# 17-19 digit significands without strtod) gives strtod's doubles.  The
# same 419 values, hard cases first (2^53 + 1 and other integers halfway
# between two doubles, 19-digit significands at exponents +-27, double
# rounding traps such as 83e25, subnormals, the largest double) then
# Python reprs of random magnitudes and random 18-19 digit significands,
# in a CSV and in JSON Lines padded with zeros to 24 digits (more than the
# JSON reader's fast path takes: strtod reads them): the tidy data,
# written at full precision, must be the same.
. "$(dirname "$0")/lib.sh"

D="$DATA/numbers"

expect_ok --data "$D/hard.csv"
grep -v '^#' "$T/out" >"$T/csv"
expect_ok --data "$D/hard.jsonl"
grep -v '^#' "$T/out" >"$T/json"
[ "$(wc -l <"$T/csv")" -eq 420 ] || fail "hard.csv: $(wc -l <"$T/csv") lines of data"
cmp -s "$T/csv" "$T/json" || fail "CSV and JSON Lines read different numbers:
$(diff "$T/json" "$T/csv" | head -20)"
ok "419 hard and random decimals: CSV reads what strtod reads"
grep -q '^2 9007199254740992 ' "$T/csv" || fail "2^53 + 1 is not 2^53 (ties to even)"
grep -q '^3 9007199254740996 ' "$T/csv" || fail "2^53 + 3 is not 2^53 + 4 (ties to even)"
ok "halfway integers round to even"
