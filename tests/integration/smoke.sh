#!/usr/bin/env bash
# smoke.sh — `provision smoke` end to end against the emulator the runner
# started ($SLUICE_TEST_ENDPOINT, $SLUICE_BUILD): a working pipeline passes
# with exact counts; a role without s3:PutObject, paused delivery and a
# duplicated record each fail with the report saying why; --cleanup removes
# only canary-only objects; a Kinesis-source pipeline gets its canaries
# through Kinesis. Delivery is sped up with the emulator's time_scale (the
# profiles keep a 60 s buffer interval). Last line: "smoke: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
bg=
finish() {
  [ -n "$bg" ] && kill "$bg" 2>/dev/null
  ctl POST firehose/resume >/dev/null
  ctl POST faults '{}' >/dev/null
  ctl POST config '{"time_scale": 1.0, "lifecycle_seconds": 1.0}' >/dev/null
  rm -rf "$work"
}
trap finish EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
# has WHAT FILE REGEX: a line of the file matches
has() { if grep -qE -- "$3" "$2"; then ok; else bad "$1: no line like [$3] in:"; sed 's/^/    /' "$2"; fi; }
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
records() { ctl GET ledger/summary | jq .records; }

# run NAME ARGS...: provision's stdout/stderr in $work/NAME.{out,err}, exit code in $rc
run() {
  local n=$1
  shift
  "$P" "$@" >"$work/$n.out" 2>"$work/$n.err"
  rc=$?
}
# The facts of a --json report that every case checks.
counts() { jq -c '[.passed, .sent, .found, .missing, .duplicated, .in_error]' "$work/$1.out"; }

# profile FILE NAME [kinesis]
profile() {
  local src=direct
  [ -n "${3:-}" ] && src=kinesis
  write_profile "$1" "$2" source="$src"
  if [ -n "${3:-}" ]; then printf '\n[kinesis]\nname = %s-src\nshards = 1\n' "$2" >>"$1"; fi
}

# 60 emulated seconds per real second: the 60 s buffer interval takes 1 s.
ctl POST config '{"time_scale": 60, "lifecycle_seconds": 0.3, "iam_propagation_seconds": 0}' >/dev/null
name="slsmoke-$$"
prof="$work/p.ini"
profile "$prof" "$name"

# --- usage and a pipeline that is not there
run usage1 smoke "$prof" --count 0
eq "--count 0 is bad usage" "$rc" 64
run usage2 smoke "$prof" --timeout soon
eq "--timeout soon is bad usage" "$rc" 64
run usage3 smoke "$prof" --frobnicate
eq "unknown option is bad usage" "$rc" 64
run absent smoke "$prof" --json
eq "smoke before apply exits 1" "$rc" 1
eq "smoke before apply names the bucket" "$(cat "$work/absent.err")" \
  "provision: bucket $name: NotReady: does not exist (run provision apply)"
eq "smoke before apply --json error" "$(jq -c '[.passed, .sent, .error.code, .error.resource]' \
  "$work/absent.out")" "[false,0,\"NotReady\",\"bucket $name\"]"

run apply apply "$prof"
eq "apply exits 0" "$rc" 0

# --- a working pipeline: exit 0, exact counts, one object, latency measured
before=$(records)
run pass smoke "$prof" --json
eq "smoke passes" "$rc" 0
eq "smoke counts" "$(counts pass)" "[true,10,10,0,0,0]"
eq "smoke target and stream" "$(jq -c '[.target, .stream, .bucket, .prefix, (.run_id | length)]' \
  "$work/pass.out")" "[\"firehose\",\"$name\",\"$name\",\"logs/\",36]"
eq "smoke objects" "$(jq -c '[.objects[] | [.error_output, .canaries, .other_records,
  (.key | startswith("logs/"))]]' "$work/pass.out")" "[[false,10,0,true]]"
eq "smoke latency measured" "$(jq -c '.latency_s | [.min >= 0, .min <= .median, .median <= .max,
  .max < 30]' "$work/pass.out")" "[true,true,true,true]"
eq "smoke default timeout: buffer interval + 2 min" "$(jq .timeout_s "$work/pass.out")" 180
eq "ten records in the ledger" "$(($(records) - before))" 10
key=$(jq -r '.objects[0].key' "$work/pass.out")
awsx s3 cp "s3://$name/$key" "$work/canaries.ndjson" >/dev/null 2>&1
eq "canary records" "$(jq -c 'select(.sluice_canary == true) | [.seq, (.sent_at | test("^20[0-9-]{8}T[0-9:]{8}\\.[0-9]{3}Z$"))]' \
  "$work/canaries.ndjson" | tr -d '\n')" "$(for i in $(seq 10); do printf '[%d,true]' "$i"; done)"

run text smoke "$prof" --count 3 --interval 0.5s
eq "text smoke passes" "$rc" 0
has "text summary" "$work/text.out" \
  '^smoke: passed: sent 3, found 3, missing 0, duplicated 0, in error prefix 0 \([0-9.]+ s\)$'
has "text object line" "$work/text.out" "^  object s3://$name/logs/[0-9/]+/$name-1-[0-9-]+-[0-9a-f-]{36}: 3 canaries$"
has "text progress" "$work/text.err" "^provision smoke: sent 3 of 3 canaries to firehose $name \\(run id [0-9a-f-]{36}\\); waiting up to 180 s"

# --- the stream delivers under another prefix than the profile's (changed by
# hand): smoke watches where it really delivers, and says so
desc=$(awsx firehose describe-delivery-stream --delivery-stream-name "$name" --output json)
awsx firehose update-destination --delivery-stream-name "$name" \
  --current-delivery-stream-version-id "$(jq -r .DeliveryStreamDescription.VersionId <<<"$desc")" \
  --destination-id "$(jq -r '.DeliveryStreamDescription.Destinations[0].DestinationId' <<<"$desc")" \
  --extended-s3-destination-update Prefix=logs/moved/ >/dev/null
run moved smoke "$prof" --count 2 --interval 0.5s
eq "moved prefix: smoke passes" "$rc" 0
has "moved prefix: the hint" "$work/moved.out" \
  "^  the stream delivers elsewhere than the profile says: prefix 'logs/moved/' \\(profile: 'logs/'\\); watching where it delivers \\(provision plan shows the drift\\)$"
has "moved prefix: found there" "$work/moved.out" "^  object s3://$name/logs/moved/[0-9/]+/$name-"
run movedj smoke "$prof" --count 1 --interval 0.5s --json
eq "moved prefix --json" "$(jq -c '[.passed, .prefix, .delivery_differs]' "$work/movedj.out")" \
  "[true,\"logs/moved/\",\"prefix 'logs/moved/' (profile: 'logs/')\"]"
run moveback apply "$prof"
eq "apply puts the prefix back" "$(awsx firehose describe-delivery-stream --delivery-stream-name "$name" \
  --query 'DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.Prefix' --output text)" "logs/"
run back smoke "$prof" --count 1 --interval 0.5s --json
eq "as the profile again: no note" "$(jq -c '[.passed, .delivery_differs]' "$work/back.out")" "[true,null]"

# --- entries the stream refuses are sent again
ctl POST faults '{"seed": 7, "partial_failure": 0.3, "operations": ["PutRecordBatch"]}' >/dev/null
before=$(records)
run partial smoke "$prof" --json --interval 0.5s
ctl POST faults '{}' >/dev/null
eq "refused entries retried: passes" "$(counts partial)" "[true,10,10,0,0,0]"
eq "refused entries retried: each stored once" "$(($(records) - before))" 10

# --- (b) delivery paused: missing after the timeout
ctl POST firehose/pause >/dev/null
run paused smoke "$prof" --json --timeout 3s --interval 1s
eq "paused: exits 1" "$rc" 1
eq "paused: counts" "$(counts paused)" "[false,10,0,10,0,0]"
eq "paused: timed out, every seq missing" "$(jq -c '[.timed_out, .timeout_s, (.missing_seq | length)]' \
  "$work/paused.out")" "[true,3,10]"
run pausedt smoke "$prof" --count 2 --timeout 2s --interval 1s
eq "paused text: exits 1" "$rc" 1
has "paused text: missing line" "$work/pausedt.out" "^  missing: seq 1, 2 \\(not under s3://$name/logs/ nor the error prefix after [0-9]+ s\\)$"
has "paused text: summary" "$work/pausedt.out" '^smoke: FAILED: sent 2, found 0, missing 2, duplicated 0, in error prefix 0 \([0-9.]+ s, timed out\)$'
ctl POST firehose/resume >/dev/null
ctl POST firehose/flush >/dev/null

# --- (c) one record delivered twice
ctl POST firehose/duplicate-next "{\"stream\": \"$name\", \"count\": 1}" >/dev/null
run dup smoke "$prof" --json --interval 0.5s
eq "duplicate: exits 1" "$rc" 1
eq "duplicate: counts" "$(counts dup)" "[false,10,10,0,1,0]"
eq "duplicate: which" "$(jq -c '[.duplicated_seq, .objects[0].canaries]' "$work/dup.out")" "[[1],11]"

# --- (a) the role may not write to S3: canaries in the error prefix
awsx iam put-role-policy --role-name "$name-role" --policy-name sluice-delivery \
  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}'
run denied smoke "$prof" --json --count 4 --cleanup --interval 0.5s
eq "denied: exits 1" "$rc" 1
eq "denied: counts" "$(counts denied)" "[false,4,0,0,0,4]"
eq "denied: error codes" "$(jq -c .error_codes "$work/denied.out")" '[{"errorCode":"S3.AccessDenied","canaries":4}]'
eq "denied: error object" "$(jq -c '[.objects[] | [.error_output, .errorCode, .canaries,
  (.key | startswith("errors/s3-failed/")), .removed]]' "$work/denied.out")" \
  '[[true,"S3.AccessDenied",4,true,true]]'
run deniedt smoke "$prof" --count 2 --interval 0.5s
eq "denied text: exits 1" "$rc" 1
has "denied text: error line" "$work/deniedt.out" "^  in the error prefix s3://$name/errors/!\\{firehose:error-output-type\\}/: 2 canaries, errorCode S3.AccessDenied \\(2\\)$"
has "denied text: summary" "$work/deniedt.out" '^smoke: FAILED: sent 2, found 0, missing 0, duplicated 0, in error prefix 2 '
run fix apply "$prof"
has "apply restores the policy" "$work/fix.out" "^~ role $name-role: updated \\(PutRolePolicy sluice-delivery\\)$"

# --- --cleanup: a canary-only object goes
run clean smoke "$prof" --json --count 5 --cleanup --interval 0.5s
eq "cleanup: exits 0" "$rc" 0
eq "cleanup: counts" "$(jq -c '[.passed, .found, .cleanup.removed, .cleanup.kept, .objects[0].removed]' \
  "$work/clean.out")" "[true,5,1,0,true]"
key=$(jq -r '.objects[0].key' "$work/clean.out")
awsx s3api head-object --bucket "$name" --key "$key" >/dev/null 2>&1
eq "cleanup: the object is gone" "$?" 255

# --- --cleanup keeps an object that also holds someone else's record
ctl POST firehose/pause >/dev/null
"$P" send "$prof" '{"app":"checkout","msg":"not a canary"}' >/dev/null
before=$(records)
"$P" smoke "$prof" --json --cleanup --count 3 --timeout 30s --interval 0.5s >"$work/mixed.out" 2>"$work/mixed.err" &
bg=$!
for _ in $(seq 100); do [ "$(records)" -ge $((before + 3)) ] && break; sleep 0.1; done
ctl POST firehose/flush >/dev/null
wait $bg
rc=$?
bg=
ctl POST firehose/resume >/dev/null
eq "mixed: exits 0" "$rc" 0
eq "mixed: kept, not removed" "$(jq -c '[.found, .cleanup.removed, .cleanup.kept,
  [.objects[] | [.canaries, .other_records, .removed]]]' "$work/mixed.out")" "[3,0,1,[[3,1,false]]]"
key=$(jq -r '.objects[0].key' "$work/mixed.out")
awsx s3api head-object --bucket "$name" --key "$key" >/dev/null 2>&1
eq "mixed: the object is still there" "$?" 0

# --- a Kinesis source: canaries go to the Kinesis stream
kname="slsmokek-$$"
profile "$work/k.ini" "$kname" kinesis
run kapply apply "$work/k.ini"
eq "kinesis apply exits 0" "$rc" 0
run kin smoke "$work/k.ini" --json --count 6 --interval 0.5s
eq "kinesis smoke passes" "$rc" 0
eq "kinesis smoke counts" "$(counts kin)" "[true,6,6,0,0,0]"
eq "kinesis smoke target" "$(jq -c '[.target, .stream]' "$work/kin.out")" "[\"kinesis\",\"$kname-src\"]"
eq "kinesis records ledgered as kinesis" "$(ctl GET ledger | jq --arg s "$kname-src" \
  '[.records[] | select(.stream == $s and .stream_kind == "kinesis")] | length')" 6

run d1 destroy --empty-bucket "$prof"
eq "destroy exits 0" "$rc" 0
run d2 destroy --empty-bucket "$work/k.ini"
eq "destroy kinesis pipeline exits 0" "$rc" 0

done_counts smoke
