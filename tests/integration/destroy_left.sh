#!/usr/bin/env bash
# destroy_left.sh — destroy stopped midway says exactly what is left and
# exits 1; run again it finishes. Each deletion in turn fails (the emulator
# answers it 500, one attempt): the Firehose stream, the CloudWatch log group,
# the Kinesis stream, the role (after its policies went, an attached one too)
# and the bucket.
# Last line: "destroy_left: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'ctl POST faults "{}" >/dev/null; rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
ctl POST config '{"iam_propagation_seconds": 0, "lifecycle_seconds": 0.3}' >/dev/null

# case OPERATION LEFT...: apply, fail OPERATION, check the summary lists LEFT, finish
case_left() {
  local op=$1 left=$2 name="left-$$-$3"
  write_profile "$work/$name.ini" "$name" attempts=1 source=kinesis firehose='cloudwatch_logging = true'
  printf '\n[kinesis]\nname = %s-src\nshards = 1\n' "$name" >>"$work/$name.ini"
  "$P" apply -q "$work/$name.ini" || { bad "$op: apply"; return; }
  awsx iam attach-role-policy --role-name "$name-role" --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess
  ctl POST faults "{\"http_500\": 1.0, \"operations\": [\"$op\"]}" >/dev/null
  "$P" destroy "$work/$name.ini" >"$work/$name.out" 2>"$work/$name.err"
  eq "$op fails: exit 1" "$?" 1
  eq "$op fails: what is left" "$(tail -1 "$work/$name.out")" "${left//NAME/$name}"
  "$P" destroy --json "$work/$name.ini" >"$work/$name.json" 2>/dev/null
  eq "$op fails: --json left" "$(jq -c '[.left[] | .type]' "$work/$name.json")" "$4"
  ctl POST faults '{}' >/dev/null
  "$P" destroy "$work/$name.ini" >"$work/$name.out2" 2>&1
  eq "$op: destroy again finishes" "$?" 0
  eq "$op: nothing left" "$("$P" status "$work/$name.ini" | tail -1)" "status: 0 of 5 exist, 5 differ from the profile"
}

case_left DeleteDeliveryStream "destroy: 0 deleted, 0 absent, 5 left: firehose NAME, log_group /aws/kinesisfirehose/NAME, kinesis NAME-src, role NAME-role, bucket NAME" a \
  '["firehose","log_group","kinesis","role","bucket"]'
case_left DeleteLogGroup "destroy: 1 deleted, 0 absent, 4 left: log_group /aws/kinesisfirehose/NAME, kinesis NAME-src, role NAME-role, bucket NAME" e \
  '["log_group","kinesis","role","bucket"]'
case_left DeleteStream "destroy: 2 deleted, 0 absent, 3 left: kinesis NAME-src, role NAME-role, bucket NAME" b \
  '["kinesis","role","bucket"]'
case_left DeleteRole "destroy: 3 deleted, 0 absent, 2 left: role NAME-role, bucket NAME" c '["role","bucket"]'
case_left DeleteBucket "destroy: 4 deleted, 0 absent, 1 left: bucket NAME" d '["bucket"]'
done_counts destroy_left
