# shellcheck shell=bash
# Helpers for the awscli conformance scripts. Source this file; it expects EMU_ENDPOINT to be set and the
# isolated AWS_* environment to be exported (run.sh does both, and exports them to sibling scripts).
#
#   awsx ARGS...                 run Debian's /usr/bin/aws against the emulator (json output, no pager);
#                                stdout -> $OUT, stderr -> $ERR, exit code -> $RC
#   expect_ok NAME ARGS...       awsx ARGS; pass when exit 0 and stdout is JSON (or empty)
#   expect_err NAME CODE ARGS... awsx ARGS; pass when it fails and stderr names error CODE
#   check NAME JQ_EXPR           pass when `jq -e JQ_EXPR` is true on $OUT
#   summary                      print "N passed, N failed" (last line; run.sh/test.sh parse it)

AWS_BIN=${AWS_BIN:-/usr/bin/aws}
PASS=${PASS:-0}
FAIL=${FAIL:-0}
OUT=""
ERR=""
RC=0

awsx() {
    local o e
    o=$(mktemp) e=$(mktemp)
    "$AWS_BIN" --endpoint-url "$EMU_ENDPOINT" --no-cli-pager --output json "$@" >"$o" 2>"$e"
    RC=$?
    OUT=$(cat "$o")
    ERR=$(cat "$e")
    rm -f "$o" "$e"
}

_pass() { PASS=$((PASS + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
_fail() { FAIL=$((FAIL + 1)); echo "FAIL $1: $2" >&2; return 1; }

expect_ok() {
    local name=$1; shift
    awsx "$@"
    if [ "$RC" -ne 0 ]; then _fail "$name" "exit $RC: $ERR"; return 1; fi
    if [ -n "$OUT" ] && ! printf '%s' "$OUT" | jq -e . >/dev/null 2>&1; then
        _fail "$name" "output is not JSON: $OUT"; return 1
    fi
    _pass "$name"
}

expect_err() {
    local name=$1 code=$2; shift 2
    awsx "$@"
    if [ "$RC" -eq 0 ]; then _fail "$name" "expected $code, command succeeded: $OUT"; return 1; fi
    case "$ERR" in
        *"($code)"*) _pass "$name" ;;
        *) _fail "$name" "expected ($code), got: $ERR"; return 1 ;;
    esac
}

check() {
    local name=$1 expr=$2
    if printf '%s' "$OUT" | jq -e "$expr" >/dev/null 2>&1; then _pass "$name"
    else _fail "$name" "jq '$expr' is false on: $(printf '%s' "$OUT" | head -c 600)"; fi
}

summary() { echo "$PASS passed, $FAIL failed"; }
