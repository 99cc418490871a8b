#!/usr/bin/env bash
# exit_codes.sh — every row of the one exit-code table (common/cli/cli_spec.h,
# README), for every command that can give it, against the emulator the
# runner started: 0 done, 1 failed, 2 plan pending, 3 bad data or
# dead-lettered, 64 usage or profile error, 130/143 interrupted/terminated.
# Last line: "exit-codes: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
I="$SLUICE_BUILD/inspect/inspect"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'ctl POST faults "{}" >/dev/null; rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
faults() { ctl POST faults "$1" >/dev/null; }
# code WHAT WANT COMMAND...: the command's exit code is WANT.
code() {
  local what=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err" </dev/null
  eq "$what" "$?" "$want"
}
# signalled WHAT SIGNAL WANT COMMAND...: started in its own job (so SIGINT is
# not ignored, as it is for a background command without job control),
# signalled once it runs, its status is WANT.
signalled() {
  local what=$1 sig=$2 want=$3 pid st
  shift 3
  set -m
  "$@" >"$work/sig.out" 2>"$work/sig.err" &
  pid=$!
  set +m
  sleep 1.5
  kill "-$sig" "$pid"
  wait "$pid"; st=$?
  eq "$what" "$st" "$want"
}

# signal_after OP WHAT SIGNAL WANT COMMAND...: as signalled, but the signal
# goes once the emulator's ledger has an OP call (plus 0.3 s), so a slow
# build is signalled at the same point as a fast one.
signal_after() {
  local op=$1 what=$2 sig=$3 want=$4 pid st
  shift 4
  ctl POST ledger/reset >/dev/null
  set -m
  "$@" >"$work/sig.out" 2>"$work/sig.err" &
  pid=$!
  set +m
  for _ in $(seq 300); do
    ctl GET ledger | jq -e --arg op "$op" 'any(.calls[]; .operation == $op)' >/dev/null && break
    sleep 0.1
  done
  sleep 0.3
  kill "-$sig" "$pid"
  wait "$pid"; st=$?
  eq "$what" "$st" "$want"
}

name="sl-exit-$$"
prof="$work/p.ini"
write_profile "$prof" "$name"
down="$work/down.ini"
write_profile "$down" "$name" endpoint=http://127.0.0.1:9 attempts=1
printf '[bucket]\nname = B\n' >"$work/bad.ini"

# ---- provision plan / apply / destroy / status ------------------------------
for c in plan apply destroy status; do
  code "$c: 64 bad profile" 64 "$P" "$c" "$work/bad.ini"
  code "$c: 64 unknown option" 64 "$P" "$c" "$prof" --frobnicate
  code "$c: 1 nothing listening" 1 "$P" "$c" "$down"
done
code "plan: 2 changes pending" 2 "$P" plan "$prof"
code "apply --dry-run: 2 changes pending" 2 "$P" apply --dry-run "$prof"
code "status: 0 before apply" 0 "$P" status "$prof"
code "apply: 0" 0 "$P" apply "$prof"
code "plan: 0 nothing pending" 0 "$P" plan "$prof"
code "apply --dry-run: 0 nothing pending" 0 "$P" apply --dry-run "$prof"
code "status: 0" 0 "$P" status "$prof"
# A signal mid-apply / mid-destroy (each stream call held 4 s): what was
# done is reported, then what is not converged yet (apply) or left
# (destroy); a rerun finishes.
sig="$work/sig.ini"
write_profile "$sig" "$name-sig"
faults '{"slow": 1.0, "slow_ms": 4000, "operations": ["CreateDeliveryStream", "DeleteDeliveryStream"]}'
signal_after PutRolePolicy "apply: 130 on SIGINT" INT 130 "$P" apply "$sig"
eq "apply on SIGINT: the last line" "$(tail -1 "$work/sig.out")" \
  "apply: interrupted (SIGINT); not converged yet: firehose $name-sig"
faults '{}'
sleep 3 # the held create finishes in the emulator
code "apply after SIGINT: 0" 0 "$P" apply "$sig"
faults '{"slow": 1.0, "slow_ms": 4000, "operations": ["DeleteDeliveryStream"]}'
signal_after ListObjectsV2 "destroy: 143 on SIGTERM" TERM 143 "$P" destroy "$sig"
eq "destroy on SIGTERM: what is left" "$(tail -1 "$work/sig.out")" \
  "destroy: 0 deleted, 0 absent, 3 left: firehose $name-sig, role $name-sig-role, bucket $name-sig"
faults '{}'
sleep 3
code "destroy after SIGTERM: 0" 0 "$P" destroy "$sig"

# ---- provision send ------------------------------------------------------------
code "send: 0" 0 "$P" send "$prof" one two
code "send: 64 usage" 64 "$P" send "$prof" --batch-size 0 one
code "send: 64 bad profile" 64 "$P" send "$work/bad.ini" one
code "send: 1 nothing listening" 1 "$P" send "$down" one
faults '{"seed":3,"partial_failure":1.0,"operations":["PutRecordBatch"]}'
code "send: 1 records not accepted" 1 "$P" send "$prof" --max-attempts 1 one
code "send: 3 dead-lettered" 3 "$P" send "$prof" --max-attempts 1 --dead-letter "$work/dl.jsonl" one
faults '{}'
eq "send: the dead-lettered record is in the file" "$(wc -l <"$work/dl.jsonl")" 1
code "send: 3 bad data (not JSON)" 3 "$P" send "$prof" --format json --file <(printf '{"a":1} {"b"')
# Input that never ends: send waits for more when the signal comes.
signalled "send: 130 on SIGINT" INT 130 "$P" send "$prof" --file <(sleep 20)
signalled "send: 143 on SIGTERM" TERM 143 "$P" send "$prof" --file <(sleep 20)

# ---- provision smoke -------------------------------------------------------------
ctl POST config '{"time_scale": 60.0}' >/dev/null
code "smoke: 0" 0 "$P" smoke "$prof" --count 2 --timeout 60s
ctl POST config '{"time_scale": 1.0}' >/dev/null
code "smoke: 64 usage" 64 "$P" smoke "$prof" --count 0
code "smoke: 64 bad profile" 64 "$P" smoke "$work/bad.ini"
code "smoke: 1 nothing listening" 1 "$P" smoke "$down"
ctl POST firehose/pause >/dev/null
code "smoke: 1 canaries missing" 1 "$P" smoke "$prof" --count 1 --timeout 2s --interval 500ms
signalled "smoke: 130 on SIGINT" INT 130 "$P" smoke "$prof" --count 1 --timeout 60s
signalled "smoke: 143 on SIGTERM" TERM 143 "$P" smoke "$prof" --count 1 --timeout 60s
ctl POST firehose/resume >/dev/null

# ---- inspect -----------------------------------------------------------------------
# s3:// targets take region and endpoint from the environment.
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$EP
mkdir -p "$work/good" "$work/corrupt" "$work/good-errors"
printf '{"a":1}\n' | gzip >"$work/good/o.gz"
printf '{"attemptsMade":4,"arrivalTimestamp":1733486400000,"errorCode":"S3.AccessDenied","errorMessage":"Access Denied","attemptEndingTimestamp":1733486460000,"rawData":"eyJhIjoxfQo="}\n' \
  >"$work/good-errors/e.json"
printf '{"a":1}\n{"b":2}\n' | gzip | head -c 20 >"$work/corrupt/cut.gz"
awsx s3 cp --quiet "$work/corrupt/cut.gz" "s3://$name/bad/cut.gz"
for c in ls cat stats errors; do
  good="$work/good"; [ "$c" = errors ] && good="$work/good-errors"
  code "$c: 0" 0 "$I" "$c" --local "$good"
  code "$c: 64 usage" 64 "$I" "$c" --local "$work/good" --concurrency 0
  code "$c: 64 bad profile" 64 "$I" "$c" "$work/bad.ini"
  code "$c: 1 no such bucket" 1 "$I" "$c" "s3://sl-exit-nosuch-$$/x/"
  code "$c: 1 nothing listening" 1 "$I" "$c" "$down"
done
for c in cat stats errors; do
  code "$c: 3 a cut-off object" 3 "$I" "$c" --local "$work/corrupt"
  code "$c: 3 a cut-off object in S3" 3 "$I" "$c" "s3://$name/bad/"
done
code "tail: 0 at --timeout" 0 "$I" tail "$prof" --timeout 1 --interval 0.2
code "tail: 3 a cut-off object" 3 "$I" tail "s3://$name/bad/" --flat --since 1h --timeout 1 --interval 0.2
code "tail: 64 usage" 64 "$I" tail "$prof" --interval 0
code "tail: 64 bad profile" 64 "$I" tail "$work/bad.ini"
code "tail: 1 no such bucket" 1 "$I" tail "s3://sl-exit-nosuch-$$/x/" --timeout 1
signalled "tail: 130 on SIGINT" INT 130 "$I" tail "$prof" --interval 0.2
signalled "tail: 143 on SIGTERM" TERM 143 "$I" tail "$prof" --interval 0.2

code "destroy: 0" 0 "$P" destroy --empty-bucket "$prof"
code "destroy: 0 again (nothing left)" 0 "$P" destroy "$prof"
done_counts exit-codes
