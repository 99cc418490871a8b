#!/usr/bin/env bash
# tags.sh — [aws] default_tags on every resource (bucket with its own tags
# over them, role with sluice's owner tag, both streams), read back with the
# AWS CLI; a second apply makes no call; a tag added or changed by hand is
# drift that plan shows and apply undoes. Last line: "tags: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
suite_setup
sorted() { jq -r 'sort_by(.Key) | map("\(.Key)=\(.Value)") | join(",")'; }

ctl POST config '{"iam_propagation_seconds": 0, "lifecycle_seconds": 0.3}' >/dev/null
name="tags-$$"
write_profile "$work/p.ini" "$name" aws='default_tags = team=data, env=dev' bucket='tags = env=prod, cost=42' source=kinesis
printf '\n[kinesis]\nname = %s-src\nshards = 1\n' "$name" >>"$work/p.ini"
run apply1 "$P" apply "$work/p.ini"
eq "apply: exit" "$rc" 0
eq "bucket: defaults with its own over them" "$(awsx s3api get-bucket-tagging --bucket "$name" --query TagSet --output json | sorted)" \
  "cost=42,env=prod,team=data"
eq "role: defaults and the owner tag" "$(awsx iam list-role-tags --role-name "$name-role" --query Tags --output json | sorted)" \
  "env=dev,sluice:pipeline=us-east-1/$name,team=data"
eq "firehose: defaults" "$(awsx firehose list-tags-for-delivery-stream --delivery-stream-name "$name" --query Tags --output json | sorted)" \
  "env=dev,team=data"
eq "kinesis: defaults" "$(awsx kinesis list-tags-for-stream --stream-name "$name-src" --query Tags --output json | sorted)" \
  "env=dev,team=data"
ctl POST ledger/reset >/dev/null
run apply2 "$P" apply "$work/p.ini"
eq "second apply: no changing call" "$(mutating_ops)" ""

# --- by hand: a tag added to each stream, one changed on the role
awsx firehose tag-delivery-stream --delivery-stream-name "$name" --tags Key=owner,Value=bob
awsx kinesis add-tags-to-stream --stream-name "$name-src" --tags owner=bob
awsx iam tag-role --role-name "$name-role" --tags Key=env,Value=test
run plan1 "$P" plan "$work/p.ini"
eq "plan: tag drift exit" "$rc" 2
eq "plan: the tag lines" "$(grep '~ tags' "$work/plan1.out")" \
"    ~ tags: team=data, env=test, sluice:pipeline=us-east-1/$name -> team=data, env=dev, sluice:pipeline=us-east-1/$name
    ~ tags: env=dev, owner=bob, team=data -> team=data, env=dev
    ~ tags: env=dev, owner=bob, team=data -> team=data, env=dev"
run status1 "$P" status "$work/p.ini"
eq "status: the stream's tags" "$(grep -c '^    tags: env=dev, owner=bob, team=data$' "$work/status1.out")" 2
ctl POST ledger/reset >/dev/null
run apply3 "$P" apply "$work/p.ini"
eq "apply: exit" "$rc" 0
eq "apply: only the tag calls" "$(mutating_ops)" "TagRole RemoveTagsFromStream UntagDeliveryStream"
run plan2 "$P" plan "$work/p.ini"
eq "after apply: in sync" "$rc" 0
run destroy "$P" destroy "$work/p.ini"
eq "destroy" "$rc" 0
done_counts tags
