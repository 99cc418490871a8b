#!/bin/bash
# Conformance: S3 bucket policies as the emulator enforces them, driven with the AWS CLI (Debian's /usr/bin/aws):
# a policy denying plain http locks every call but the owner's policy calls (S3's lock-out guard);
# a prefix-scoped Deny; a malformed condition refused.
#
# Usage: EMU_ENDPOINT=http://127.0.0.1:PORT tests/emulator/conformance/bucket_policy.sh
#   Without EMU_ENDPOINT the script starts its own emulator (tests/emulator/run) and stops it at the end.
# Prints "ok - ..." / "not ok - ..." per check and "N passed, N failed"; exits non-zero on any failure.
set -u

HERE="$(cd "$(dirname "$0")" && pwd)"
AWS_BIN=/usr/bin/aws
JQ=jq
T="$(mktemp -d)"
EMU_PID=""
cleanup() {
    if [ -n "$EMU_PID" ]; then kill "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

if [ -z "${EMU_ENDPOINT:-}" ]; then
    "$HERE/../run" --port 0 --ready-file "$T/ready" >"$T/emu.out" 2>"$T/emu.err" &
    EMU_PID=$!
    for _ in $(seq 1 100); do [ -s "$T/ready" ] && break; sleep 0.1; done
    EMU_ENDPOINT="$(cat "$T/ready" 2>/dev/null)"
    [ -n "$EMU_ENDPOINT" ] || { echo "not ok - emulator did not start"; cat "$T/emu.err"; echo "0 passed, 1 failed"; exit 1; }
fi
EP="$EMU_ENDPOINT"

PASS=0
FAIL=0
ok()    { PASS=$((PASS + 1)); echo "ok - $*"; }
notok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
# check "description" command...: ok when the command succeeds
check() { local d="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else notok "$d"; fi; }

# aws with an isolated environment: no user config, fixed test credentials, no retries
aws_() {
    env -i PATH=/usr/bin:/bin HOME="$T" AWS_CONFIG_FILE="$T/config" AWS_SHARED_CREDENTIALS_FILE="$T/credentials" \
        AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
        AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard \
        "$AWS_BIN" --endpoint-url "$EP" --no-cli-pager --output json "$@"
}
# run aws; stdout -> $T/out, stderr -> $T/err, return the exit code
run() { aws_ "$@" >"$T/out" 2>"$T/err"; }
# jq assertion on the last output: jqt 'filter that must yield true' "description"
jqt() { if [ "$($JQ -r "$1" "$T/out" 2>/dev/null)" = "true" ]; then ok "$2"; else notok "$2 (got: $(head -c 400 "$T/out"))"; fi; }
# expect the last command to have failed with error code $1
experr() {
    local rc="$1" code="$2" d="$3"
    if [ "$rc" -ne 0 ] && grep -q "($code)" "$T/err"; then ok "$d"; else notok "$d (rc=$rc: $(head -c 300 "$T/err"))"; fi
}

B=conf-policy-bucket
run s3api create-bucket --bucket $B; check "create bucket" test $? -eq 0
printf 'x' >"$T/obj"
run s3api put-object --bucket $B --key logs/a --body "$T/obj"; check "put logs/a" test $? -eq 0
run s3api put-object --bucket $B --key secret/b --body "$T/obj"; check "put secret/b" test $? -eq 0

# --- a policy that denies every request not made over TLS; the emulator speaks plain http
cat >"$T/tls.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",
 "Action":"s3:*","Resource":["arn:aws:s3:::$B","arn:aws:s3:::$B/*"],
 "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}
JSON
run s3api put-bucket-policy --bucket $B --policy "file://$T/tls.json"; check "put TLS-only policy" test $? -eq 0
run s3api get-object --bucket $B --key logs/a "$T/got"; experr $? AccessDenied "get-object over http: AccessDenied"
run s3api list-objects-v2 --bucket $B; experr $? AccessDenied "list-objects-v2 over http: AccessDenied"
run s3api put-object --bucket $B --key c --body "$T/obj"; experr $? AccessDenied "put-object over http: AccessDenied"
run s3api head-object --bucket $B --key logs/a; rc=$?
if [ $rc -ne 0 ] && grep -q "403" "$T/err"; then ok "head-object over http: 403"; else notok "head-object over http: 403 (rc=$rc: $(head -c 300 "$T/err"))"; fi
run s3api get-bucket-policy --bucket $B; check "the owner still reads the policy (lock-out guard)" test $? -eq 0
jqt '.Policy | fromjson | .Statement[0].Sid == "DenyInsecureTransport"' "get-bucket-policy returns it"
run s3api delete-bucket-policy --bucket $B; check "the owner still deletes the policy" test $? -eq 0
run s3api get-object --bucket $B --key logs/a "$T/got"; check "get-object works again" test $? -eq 0

# --- a Deny for one prefix only
cat >"$T/prefix.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:GetObject",
 "Resource":"arn:aws:s3:::$B/secret/*"}]}
JSON
run s3api put-bucket-policy --bucket $B --policy "file://$T/prefix.json"; check "put prefix Deny" test $? -eq 0
run s3api get-object --bucket $B --key logs/a "$T/got"; check "get-object outside the prefix works" test $? -eq 0
run s3api get-object --bucket $B --key secret/b "$T/got"; experr $? AccessDenied "get-object under the prefix: AccessDenied"
run s3api list-objects-v2 --bucket $B; check "listing is not denied" test $? -eq 0

# --- what S3 refuses at PutBucketPolicy
run s3api put-bucket-policy --bucket $B --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringSoundsLike":{"a":"b"}}}]}'
experr $? MalformedPolicy "an unknown condition operator: MalformedPolicy"
run s3api put-bucket-policy --bucket $B --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:*","Resource":"*"}]}'
experr $? MalformedPolicy "an invalid Effect: MalformedPolicy"

run s3api delete-bucket-policy --bucket $B
run s3api delete-object --bucket $B --key logs/a
run s3api delete-object --bucket $B --key secret/b
run s3api delete-bucket --bucket $B; check "delete bucket" test $? -eq 0

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
