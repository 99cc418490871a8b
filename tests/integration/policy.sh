#!/usr/bin/env bash
# policy.sh — bucket policies over plain http, with the emulator enforcing
# them as S3 does: the default profile (tls_only = auto) works end to end
# (apply, send, smoke, inspect cat and stats); a bucket whose policy denies
# requests not made over TLS makes every read fail with the cause and the
# way out (exit 1), not a bare 403; the owner can still remove that policy
# (S3's lock-out guard) and then everything reads again.
# Last line: "policy: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
I="$SLUICE_BUILD/inspect/inspect"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
finish() {
  ctl POST config '{"time_scale": 1.0, "lifecycle_seconds": 1.0}' >/dev/null
  rm -rf "$work"
}
trap finish EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
# has WHAT FILE TEXT: the text is somewhere in the file
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no [$3] in:"; sed 's/^/    /' "$2"; fi; }
# run NAME PROGRAM ARGS...: stdout/stderr in $work/NAME.{out,err}, exit code in $rc
run() {
  local n=$1
  shift
  "$@" >"$work/$n.out" 2>"$work/$n.err"
  rc=$?
}

ctl POST config '{"time_scale": 60, "lifecycle_seconds": 0.3, "iam_propagation_seconds": 0}' >/dev/null
name="slpol-$$"
prof="$work/p.ini"
write_profile "$prof" "$name"

# --- the default profile over http: everything works with enforcement on
run apply "$P" apply "$prof"
eq "apply exits 0" "$rc" 0
has "apply says why there is no bucket policy" "$work/apply.out" \
  "    bucket_policy: TLS-only statement not applied: the S3 endpoint is http"
eq "no bucket policy" "$(awsx s3api get-bucket-policy --bucket "$name" 2>&1 >/dev/null |
  grep -o NoSuchBucketPolicy)" "NoSuchBucketPolicy"
run send "$P" send "$prof" '{"n":1}' '{"n":2}' '{"n":3}'
eq "send exits 0" "$rc" 0
ctl POST firehose/flush >/dev/null
run smoke "$P" smoke "$prof" --count 3 --timeout 60s --interval 0.5s
eq "smoke exits 0" "$rc" 0
run cat "$I" cat "$prof"
eq "inspect cat exits 0" "$rc" 0
eq "inspect cat: the three records and the canaries" "$(grep -c '"n":' "$work/cat.out")" 3
run stats "$I" stats "$prof"
eq "inspect stats exits 0" "$rc" 0

# --- a bucket policy denying plain http: reads fail and say why
deny=$(printf '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",'\
'"Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"],'\
'"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}' "$name" "$name")
awsx s3api put-bucket-policy --bucket "$name" --policy "$deny"
eq "the owner put the policy" "$?" 0
why="the policy of bucket $name denies every request not made over TLS (aws:SecureTransport false) and the S3 endpoint in effect is http"
for c in cat stats; do
  run "denied-$c" "$I" "$c" "$prof"
  eq "inspect $c denied: exit 1" "$rc" 1
  has "inspect $c denied: the AWS code" "$work/denied-$c.err" "AccessDenied"
  has "inspect $c denied: the request id" "$work/denied-$c.err" "request id "
  has "inspect $c denied: the cause" "$work/denied-$c.err" "$why"
  has "inspect $c denied: the way out" "$work/denied-$c.err" \
    "aws s3api delete-bucket-policy --bucket $name"
done
run denied-smoke "$P" smoke "$prof" --count 1 --timeout 5s --interval 0.5s
eq "smoke denied: exit 1" "$rc" 1
has "smoke denied: the cause" "$work/denied-smoke.err" "$why"
run denied-plan "$P" plan "$prof"
eq "plan denied: exit 1" "$rc" 1
has "plan denied: the cause" "$work/denied-plan.err" "$why"
if grep -q "HTTP 403 with no body" "$work"/denied-*.err && ! grep -q AccessDenied "$work"/denied-*.err; then
  bad "a bare 403 was reported without AccessDenied"
else
  ok
fi

# --- S3's lock-out guard: the owner can still delete the policy; then all reads again
awsx s3api delete-bucket-policy --bucket "$name"
eq "the owner deleted the policy" "$?" 0
run cat2 "$I" cat "$prof"
eq "inspect cat after the policy is gone exits 0" "$rc" 0
run destroy "$P" destroy --empty-bucket "$prof"
eq "destroy exits 0" "$rc" 0

done_counts policy
