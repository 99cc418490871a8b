#!/usr/bin/env bash
# logs.sh — cloudwatch_logging for real: apply creates the log group (the
# profile's retention, default tags) and its log stream, the role may
# PutLogEvents on exactly that stream, Firehose logs there; all read back
# with the AWS CLI. A second apply makes no call; retention, stream and tag
# drift made by hand is shown by plan and undone by apply; status and output
# show the group; destroy deletes it. Last line: "logs: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
suite_setup

ctl POST config '{"iam_propagation_seconds": 0}' >/dev/null
name="logs-$$"
group="/aws/kinesisfirehose/$name"
arn="arn:aws:logs:us-east-1:000000000000:log-group:$group"
write_profile "$work/p.ini" "$name" aws='default_tags = team=data' \
  firehose=$'cloudwatch_logging = true\nlog_retention_days = 30'

run plan0 "$P" plan "$work/p.ini"
eq "plan: the log group is to create, before the stream" \
  "$(grep -E '^\+ (log_group|firehose)' "$work/plan0.out")" \
"+ log_group $group: create
+ firehose $name: create"
ctl POST ledger/reset >/dev/null
run apply1 "$P" apply "$work/p.ini"
eq "apply: exit" "$rc" 0
eq "apply: the log group line" "$(grep '^+ log_group' "$work/apply1.out")" \
  "+ log_group $group: created (CreateLogGroup, PutRetentionPolicy, CreateLogStream)"
eq "apply: the log group is made before the stream" \
  "$(ctl GET ledger | jq -r '[.calls[] | select(.operation == "CreateLogGroup" or .operation == "CreateDeliveryStream") | .operation] | join(" ")')" \
  "CreateLogGroup CreateDeliveryStream"
eq "log group: retention" "$(awsx logs describe-log-groups --log-group-name-prefix "$group" \
  --query 'logGroups[0].retentionInDays' --output text)" 30
eq "log group: its one stream" "$(awsx logs describe-log-streams --log-group-name "$group" \
  --query 'logStreams[].logStreamName' --output text)" DestinationDelivery
eq "log group: default tags" "$(awsx logs list-tags-for-resource --resource-arn "$arn" \
  --query tags --output json | jq -c .)" '{"team":"data"}'
eq "firehose logs there" "$(awsx firehose describe-delivery-stream --delivery-stream-name "$name" \
  --query 'DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.CloudWatchLoggingOptions' \
  --output json | jq -c .)" "{\"Enabled\":true,\"LogGroupName\":\"$group\",\"LogStreamName\":\"DestinationDelivery\"}"
eq "role: PutLogEvents on exactly that stream" "$(awsx iam get-role-policy --role-name "$name-role" \
  --policy-name sluice-delivery --query PolicyDocument --output json |
  jq -c '.Statement[] | select(.Sid == "CloudWatchLogs") | [.Action, .Resource]')" \
  "[\"logs:PutLogEvents\",\"$arn:log-stream:DestinationDelivery\"]"
ctl POST ledger/reset >/dev/null
run apply2 "$P" apply "$work/p.ini"
eq "second apply: no changing call" "$(mutating_ops)" ""

# --- by hand: retention removed, the stream deleted, a tag added
awsx logs delete-retention-policy --log-group-name "$group"
awsx logs delete-log-stream --log-group-name "$group" --log-stream-name DestinationDelivery
awsx logs tag-resource --resource-arn "$arn" --tags owner=bob
run plan1 "$P" plan "$work/p.ini"
eq "plan: drift exit" "$rc" 2
eq "plan: the log group's lines" "$(sed -n "/^~ log_group/,/^[^ ]/p" "$work/plan1.out" | grep '^ ')" \
"    ~ retention_days: never expire -> 30
    ~ log_stream: missing -> DestinationDelivery
    ~ tags: owner=bob, team=data -> team=data"
run status1 "$P" status --json "$work/p.ini"
eq "status --json: the group's state" "$(jq -c '.resources[] | select(.type == "log_group") |
  [.name, .exists, .arn, .action, .state.retention_days, .state.log_stream]' "$work/status1.out")" \
  "[\"$group\",true,\"$arn\",\"update\",0,\"missing\"]"
ctl POST ledger/reset >/dev/null
run apply3 "$P" apply "$work/p.ini"
eq "apply: exit" "$rc" 0
eq "apply: exactly the calls that undo it" "$(mutating_ops)" \
  "PutRetentionPolicy CreateLogStream UntagResource"
eq "retention back" "$(awsx logs describe-log-groups --log-group-name-prefix "$group" \
  --query 'logGroups[0].retentionInDays' --output text)" 30
eq "tags back" "$(awsx logs list-tags-for-resource --resource-arn "$arn" --query tags --output json | jq -c .)" \
  '{"team":"data"}'

# --- never expire: 0 removes the retention policy
sed -i 's/^log_retention_days = 30$/log_retention_days = 0/' "$work/p.ini"
run plan2 "$P" plan "$work/p.ini"
eq "plan: 30 -> never expire" "$(grep 'retention_days' "$work/plan2.out")" \
  "    ~ retention_days: 30 -> never expire"
ctl POST ledger/reset >/dev/null
run apply4 "$P" apply "$work/p.ini"
eq "apply: DeleteRetentionPolicy" "$(mutating_ops)" "DeleteRetentionPolicy"
eq "no retention" "$(awsx logs describe-log-groups --log-group-name-prefix "$group" \
  --query 'logGroups[0].retentionInDays' --output text)" None

run out1 "$P" output "$work/p.ini" log_group_arn
eq "output log_group_arn" "$(cat "$work/out1.out")" "$arn"

# --- deleted by hand: plan creates it again, output names it missing
awsx logs delete-log-group --log-group-name "$group"
run plan3 "$P" plan "$work/p.ini"
eq "plan: create again" "$(grep '^+ log_group' "$work/plan3.out")" "+ log_group $group: create"
run out2 "$P" output --json "$work/p.ini"
eq "output: missing" "$rc/$(jq -c '.missing' "$work/out2.out")" \
  "1/[{\"type\":\"log_group\",\"name\":\"$group\"}]"
run apply5 "$P" apply "$work/p.ini"
eq "apply: made again" "$rc/$(awsx logs describe-log-streams --log-group-name "$group" \
  --query 'logStreams[].logStreamName' --output text)" "0/DestinationDelivery"

# --- destroy: the log group goes, before the role
ctl POST ledger/reset >/dev/null
run destroy "$P" destroy "$work/p.ini"
eq "destroy: exit" "$rc" 0
eq "destroy: the log group line" "$(grep 'log_group' "$work/destroy.out")" \
  "- log_group $group: deleted (DeleteLogGroup)"
eq "destroy: after the stream, before the role" \
  "$(mutating_ops | tr ' ' '\n' | grep -E '^(DeleteDeliveryStream|DeleteLogGroup|DeleteRole)$' | tr '\n' ' ')" \
  "DeleteDeliveryStream DeleteLogGroup DeleteRole "
eq "the group is gone" "$(awsx logs describe-log-groups --log-group-name-prefix "$group" \
  --query 'length(logGroups)' --output text)" 0
done_counts logs
