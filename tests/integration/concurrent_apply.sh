#!/usr/bin/env bash
# concurrent_apply.sh — two applies of one profile at once: each resource is
# created by one of them, and the other says it found it made by another
# run (not "created"); both exit 0 and the pipeline then matches the
# profile. The emulator holds each create 1.5 s so both plans see nothing
# (a real race, made certain). Region us-west-2: in us-east-1 S3 answers a
# second CreateBucket of one's own bucket with 200, so the bucket's race
# cannot be seen there. Last line: "concurrent_apply: N passed, N failed".
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

ctl POST config '{"iam_propagation_seconds": 0, "lifecycle_seconds": 0.3}' >/dev/null
name="race-$$"
write_profile "$work/p.ini" "$name" region=us-west-2 firehose='cloudwatch_logging = true'
ctl POST faults '{"seed": 1, "slow": 1.0, "slow_ms": 1500, "operations": ["CreateBucket", "CreateRole", "CreateLogGroup", "CreateDeliveryStream"]}' >/dev/null
"$P" apply "$work/p.ini" >"$work/a.out" 2>"$work/a.err" &
a=$!
"$P" apply "$work/p.ini" >"$work/b.out" 2>"$work/b.err" &
b=$!
wait $a; ra=$?
wait $b; rb=$?
ctl POST faults '{}' >/dev/null
eq "first apply exits 0" "$ra" 0
eq "second apply exits 0" "$rb" 0
for r in "bucket $name" "role $name-role" "log_group /aws/kinesisfirehose/$name" "firehose $name"; do
  created=$(cat "$work/a.out" "$work/b.out" | grep -c "^+ $r: created")
  raced=$(cat "$work/a.out" "$work/b.out" | grep -c "^+ $r: exists (created by another run)")
  eq "$r: created by one run" "$created" 1
  eq "$r: the other says another run made it" "$raced" 1
done
# Which run wins each race is chance; between them the summaries count each
# resource once as created and once as made by another run.
sum_of() { cat "$work/a.out" "$work/b.out" | sed -n "s/^apply: .*$1.*/&/p" | grep -o "[0-9]* $1" | awk '{s += $1} END {print s + 0}'; }
eq "summaries: created, in all" "$(sum_of created,)" 4
eq "summaries: created by another run, in all" "$(sum_of 'created by another run')" 4
"$P" plan "$work/p.ini" >"$work/plan.out" 2>&1
eq "after both: the pipeline matches the profile" "$?" 0
"$P" destroy "$work/p.ini" >/dev/null 2>&1
eq "destroy" "$?" 0
done_counts concurrent_apply
