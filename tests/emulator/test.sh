#!/bin/bash
# Runs the emulator's unit tests and the awscli conformance suite(s); last line: "N passed, N failed".
# Works from any cwd. Exit 0 only when everything passed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# the conformance suite (mostly awscli start-up time) runs concurrently with the unit tests
"$HERE/conformance/run.sh" >"$TMP/conf.log" 2>&1 &
CONF_PID=$!

echo "== unit tests"
(cd "$HERE/tests" && "$PY" -W ignore::ResourceWarning -m unittest discover -s "$HERE/tests" -t "$HERE/tests" \
    -p 'test_*.py') >"$TMP/unit.log" 2>&1
UNIT_RC=$?
tail -n 25 "$TMP/unit.log"
RAN=$(sed -n 's/^Ran \([0-9]*\) tests\? in .*/\1/p' "$TMP/unit.log" | tail -n 1)
RAN=${RAN:-0}
count() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$TMP/unit.log" | tail -n 1; }
UF=$(count failures); UE=$(count errors); US=$(count skipped)
UF=${UF:-0}; UE=${UE:-0}; US=${US:-0}
U_FAIL=$((UF + UE))
U_PASS=$((RAN - U_FAIL - US))
if [ "$UNIT_RC" -ne 0 ] && [ "$U_FAIL" -eq 0 ]; then
    grep -E "^(ERROR|FAIL|Traceback)" "$TMP/unit.log" | head -5
    U_FAIL=$((U_FAIL + 1))   # e.g. an import error that stopped discovery
fi
echo "unit: $U_PASS passed, $U_FAIL failed, $US skipped"

echo "== conformance (awscli)"
wait "$CONF_PID"
CONF_RC=$?
grep -E "^(FAIL|---)" "$TMP/conf.log" | head -40
LAST=$(tail -n 1 "$TMP/conf.log")
C_PASS=0; C_FAIL=0
if [[ "$LAST" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    C_PASS=${BASH_REMATCH[1]}; C_FAIL=${BASH_REMATCH[2]}
else
    tail -n 5 "$TMP/conf.log"
    C_FAIL=1
fi
if [ "$CONF_RC" -ne 0 ] && [ "$C_FAIL" -eq 0 ]; then C_FAIL=1; fi
echo "conformance: $C_PASS passed, $C_FAIL failed"

P=$((U_PASS + C_PASS)); F=$((U_FAIL + C_FAIL))
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
