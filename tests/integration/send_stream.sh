#!/usr/bin/env bash
# send_stream.sh — `provision send --stream` to streams someone else made
# (here the AWS CLI), with no pipeline profile: region, credentials and
# endpoint from the environment and the shared config only, --region,
# --profile and --endpoint-url over them, a stream ARN (its region and
# account), a two-section profile, and the check before the first batch
# (missing, CREATING, fed by Kinesis). What arrived is read back with the AWS
# CLI. Last line: "send_stream: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'ctl POST config "{\"time_scale\": 1.0}" >/dev/null; rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
has() { if grep -qE -- "$3" "$2"; then ok; else bad "$1: no line like [$3] in:"; sed 's/^/    /' "$2"; fi; }
# run NAME COMMAND...: its output in $work/NAME.{out,err}, exit code in $rc.
run() {
  local n=$1
  shift
  "$@" >"$work/$n.out" 2>"$work/$n.err"
  rc=$?
}
# kinesis_data STREAM: every record's data in the stream's one shard, in order.
kinesis_data() {
  local it
  it=$(awsx kinesis get-shard-iterator --stream-name "$1" --shard-id shardId-000000000000 \
         --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
  awsx kinesis get-records --shard-iterator "$it" --output json | jq -j '.Records[].Data | @base64d'
}
# The environment of a user with no profile file and no shared config.
envonly() { env AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$EP" "$@"; }

# --- Kinesis, made by the AWS CLI, sent to right away (still CREATING) ----
awsx kinesis create-stream --stream-name ext-events --shard-count 1
run k1 envonly "$P" send --stream ext-events --to kinesis one two three
eq "kinesis by name: exit" "$rc" 0
has "kinesis by name: waited for CREATING" "$work/k1.err" \
  '^sluice: warning: kinesis stream ext-events is CREATING: waiting up to 300 s'
has "kinesis by name: report" "$work/k1.out" '^kinesis ext-events: total 3, delivered 3, failed 0'
eq "kinesis by name: the records, one per line" "$(kinesis_data ext-events | tr '\n' ',')" \
  "one,two,three,"

# By ARN, with only the service's endpoint variable and no region at all:
# the region comes from the ARN.
arn=$(awsx kinesis describe-stream-summary --stream-name ext-events \
        --query StreamDescriptionSummary.StreamARN --output text)
eq "the stream's ARN" "$arn" "arn:aws:kinesis:us-east-1:000000000000:stream/ext-events"
run k2 env AWS_ENDPOINT_URL_KINESIS="$EP" AWS_ENDPOINT_URL_STS="$EP" "$P" send --stream "$arn" \
  -v four
eq "kinesis by ARN: exit" "$rc" 0
has "kinesis by ARN: region from the ARN (-v)" "$work/k2.err" \
  '^sluice: info: region us-east-1 \(from the stream ARN\)$'
has "kinesis by ARN: endpoint from AWS_ENDPOINT_URL_KINESIS (-v)" "$work/k2.err" \
  "^sluice: info: kinesis endpoint $EP \(from AWS_ENDPOINT_URL_KINESIS\)\$"
eq "kinesis by ARN: arrived" "$(kinesis_data ext-events | tail -1)" "four"

# An ARN of another account: refused before anything is sent.
before=$(ledger_calls PutRecords)
run k3 envonly "$P" send --stream "${arn/000000000000/111111111111}" five
eq "ARN of another account: exit" "$rc" 1
eq "ARN of another account: message" "$(cat "$work/k3.err")" "provision send: AccountMismatch: the \
stream is in account 111111111111, but the credentials are for account 000000000000: nothing was \
sent (use credentials of account 111111111111)"
eq "ARN of another account: no PutRecords" "$(ledger_calls PutRecords)" "$before"

# --- a missing stream: one line, exit 1 -----------------------------------
run m1 envonly "$P" send --stream no-such --to kinesis x
eq "missing stream: exit" "$rc" 1
eq "missing stream: one line" "$(wc -l <"$work/m1.err")" 1
has "missing stream: names stream, region and account" "$work/m1.err" \
  '^provision send: ResourceNotFoundException: kinesis stream no-such does not exist in region us-east-1, account 000000000000 \(HTTP 400, request id [0-9a-f-]+\)$'
run m2 envonly "$P" send --stream no-such --to firehose x
eq "missing delivery stream: exit" "$rc" 1
has "missing delivery stream: message" "$work/m2.err" \
  '^provision send: ResourceNotFoundException: firehose stream no-such does not exist in region us-east-1, account 000000000000 '

# --- --region and --endpoint-url beat the environment ---------------------
run r1 env AWS_DEFAULT_REGION=eu-west-1 AWS_ENDPOINT_URL="$EP" "$P" send --stream ext-events \
  --to kinesis r
eq "environment's region: exit" "$rc" 1
has "environment's region: looked there" "$work/r1.err" 'in region eu-west-1, account'
run r2 env AWS_DEFAULT_REGION=eu-west-1 AWS_ENDPOINT_URL="$EP" "$P" send --stream ext-events \
  --to kinesis --region us-east-1 -v r
eq "--region: exit" "$rc" 0
has "--region: named (-v)" "$work/r2.err" '^sluice: info: region us-east-1 \(from --region\)$'
# Nothing listens on port 9: every request going to --endpoint-url is what
# makes this pass.
run e1 env AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 \
  AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:9 "$P" send --stream ext-events --to kinesis \
  --endpoint-url "$EP" e
eq "--endpoint-url: exit" "$rc" 0
eq "--endpoint-url: arrived" "$(kinesis_data ext-events | tail -1)" "e"

# --- the shared config: --profile, AWS_PROFILE, a services section --------
cat >"$work/config" <<EOF
[profile emu]
region = us-east-1
services = local-emu

[services local-emu]
kinesis =
  endpoint_url = $EP
sts =
  endpoint_url = $EP
EOF
run s1 env AWS_CONFIG_FILE="$work/config" "$P" send --stream ext-events --to kinesis \
  --profile emu -v s1
eq "--profile with a services section: exit" "$rc" 0
has "--profile: named (-v)" "$work/s1.err" '^sluice: info: profile emu \(from --profile\)$'
has "services section: named (-v)" "$work/s1.err" \
  "^sluice: info: kinesis endpoint $EP \(from \[services local-emu\] kinesis.endpoint_url\)\$"
run s2 env AWS_CONFIG_FILE="$work/config" AWS_PROFILE=emu "$P" send --stream ext-events \
  --to kinesis s2
eq "AWS_PROFILE: exit" "$rc" 0
eq "shared config: both arrived" "$(kinesis_data ext-events | tail -2 | tr '\n' ',')" "s1,s2,"
run s3 env AWS_CONFIG_FILE="$work/config" "$P" send --stream ext-events --to kinesis \
  --profile nobody x
eq "unknown --profile: exit" "$rc" 64
has "unknown --profile: named" "$work/s3.err" "AWS profile 'nobody' \(from --profile"

# --- a profile with only [aws] and [kinesis] ------------------------------
printf '[aws]\nregion = us-east-1\nendpoint_url = %s\n\n[kinesis]\nname = ext-events\n' "$EP" \
  >"$work/two.ini"
run t1 "$P" send "$work/two.ini" -v from-profile
eq "two-section profile: exit" "$rc" 0
has "two-section profile: sent to its Kinesis stream" "$work/t1.out" '^kinesis ext-events: total 1, delivered 1'
has "two-section profile: region from the profile (-v)" "$work/t1.err" \
  "^sluice: info: region us-east-1 \(from $work/two.ini \[aws\]\)\$"
eq "two-section profile: arrived" "$(kinesis_data ext-events | tail -1)" "from-profile"
run t2 "$P" send "$work/two.ini" --to firehose x
eq "two-section profile, --to firehose: exit" "$rc" 64
eq "two-section profile, --to firehose: message" "$(cat "$work/t2.err")" \
  "provision: $work/two.ini: [firehose] name: is required by provision send --to firehose"
run t3 "$P" plan "$work/two.ini"
eq "two-section profile, plan: exit" "$rc" 64
has "two-section profile, plan: names the command" "$work/t3.err" \
  "^provision: $work/two.ini: \[bucket\] name: is required by provision plan\$"

# --- Firehose, made by the AWS CLI ----------------------------------------
awsx s3api create-bucket --bucket ext-logs >/dev/null
cat >"$work/trust.json" <<'EOF'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":"sts:AssumeRole"}]}
EOF
cat >"$work/policy.json" <<'EOF'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:AbortMultipartUpload","s3:GetBucketLocation","s3:GetObject","s3:ListBucket","s3:ListBucketMultipartUploads","s3:PutObject"],"Resource":["arn:aws:s3:::ext-logs","arn:aws:s3:::ext-logs/*"]}]}
EOF
role=$(awsx iam create-role --role-name ext-logs-role --assume-role-policy-document \
         "file://$work/trust.json" --query Role.Arn --output text)
awsx iam put-role-policy --role-name ext-logs-role --policy-name s3 \
  --policy-document "file://$work/policy.json"
awsx firehose create-delivery-stream --delivery-stream-name ext-logs \
  --extended-s3-destination-configuration \
  "RoleARN=$role,BucketARN=arn:aws:s3:::ext-logs,Prefix=in/,BufferingHints={SizeInMBs=1,IntervalInSeconds=60}" \
  >/dev/null
printf 'alpha\nbeta\n' >"$work/lines"
run f1 envonly "$P" send --stream ext-logs --to firehose --file "$work/lines"
eq "firehose by name: exit" "$rc" 0
has "firehose by name: report" "$work/f1.out" '^firehose ext-logs: total 2, delivered 2, failed 0'
ctl POST config '{"time_scale": 120.0}' >/dev/null
key=
for _ in $(seq 50); do
  key=$(awsx s3api list-objects-v2 --bucket ext-logs --prefix in/ --query 'Contents[0].Key' \
          --output text)
  [ "$key" != None ] && [ -n "$key" ] && break
  sleep 0.2
done
ctl POST config '{"time_scale": 1.0}' >/dev/null
awsx s3 cp "s3://ext-logs/$key" "$work/object" >/dev/null 2>&1
eq "firehose by name: the object holds the records" "$(cat "$work/object" 2>/dev/null)" \
  "$(printf 'alpha\nbeta')"
farn=$(awsx firehose describe-delivery-stream --delivery-stream-name ext-logs \
         --query DeliveryStreamDescription.DeliveryStreamARN --output text)
run f2 envonly "$P" send --stream "$farn" gamma
eq "firehose by ARN: exit" "$rc" 0
has "firehose by ARN: report" "$work/f2.out" '^firehose ext-logs: total 1, delivered 1'

# inspect takes the same global options on an s3:// target (port 9: nothing there).
run i1 env AWS_DEFAULT_REGION=eu-west-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 \
  "$SLUICE_BUILD/inspect/inspect" ls "s3://ext-logs/in/" --region us-east-1 --endpoint-url "$EP" -v
eq "inspect ls with --region/--endpoint-url: exit" "$rc" 0
eq "inspect ls with --region/--endpoint-url: the object" "$(wc -l <"$work/i1.out")" 1
has "inspect ls: --endpoint-url named (-v)" "$work/i1.err" \
  "^sluice: info: endpoint_url $EP \(from --endpoint-url\)\$"
# A pipeline profile's region, beaten by --region (nothing exists in eu-west-2).
write_profile "$work/pipe.ini" ext-pipe
run p1 "$P" plan "$work/pipe.ini" --region eu-west-2 -v
eq "plan --region: exit (changes pending)" "$rc" 2
has "plan --region: named (-v)" "$work/p1.err" '^sluice: info: region eu-west-2 \(from --region\)$'
if grep -q 'region us-east-1 (from' "$work/p1.err"; then bad "plan --region: the profile's region logged as used"; else ok; fi

# A Firehose stream fed by a Kinesis stream takes no records of its own.
awsx firehose create-delivery-stream --delivery-stream-name ext-fed \
  --delivery-stream-type KinesisStreamAsSource \
  --kinesis-stream-source-configuration "KinesisStreamARN=$arn,RoleARN=$role" \
  --extended-s3-destination-configuration "RoleARN=$role,BucketARN=arn:aws:s3:::ext-logs" \
  >/dev/null
sleep 1.2
run f3 envonly "$P" send --stream ext-fed --to firehose x
eq "fed by Kinesis: exit" "$rc" 1
eq "fed by Kinesis: the hint" "$(cat "$work/f3.err")" "provision send: firehose stream ext-fed \
reads from the Kinesis stream ext-events and takes no records of its own: send to that stream \
(--stream ext-events --to kinesis)"

# --- usage ----------------------------------------------------------------
run u1 envonly "$P" send --stream ext-events x
eq "a name without --to: exit" "$rc" 64
eq "a name without --to: message" "$(cat "$work/u1.err")" \
  "provision send: --stream ext-events needs --to kinesis or --to firehose (or give the stream's ARN)"
run u2 envonly "$P" send --stream "$arn" --to firehose x
eq "--to against the ARN: exit" "$rc" 64
has "--to against the ARN: message" "$work/u2.err" '--to firehose, but --stream names a kinesis stream'
run u3 envonly "$P" send --stream "$arn" --region eu-west-1 x
eq "--region against the ARN: exit" "$rc" 64
has "--region against the ARN: message" "$work/u3.err" '--region eu-west-1, but the stream ARN is in us-east-1'
run u4 envonly "$P" send x
has "neither profile nor --stream: the profile is read" "$work/u4.err" 'x: cannot open profile'
run u5 envonly "$P" send
eq "nothing at all: exit" "$rc" 64
has "nothing at all: message" "$work/u5.err" 'needs a PROFILE or --stream NAME\|ARN'
run u6 envonly "$P" send --stream 'bad name' --to kinesis x
eq "a bad stream name: exit" "$rc" 64
run u7 envonly "$P" send --stream ext-events --to kinesis --region 'Mars 1' x
eq "a bad --region: exit" "$rc" 64
has "a bad --region: message" "$work/u7.err" "--region: 'Mars 1' is not a region name"
run u8 envonly "$P" send --stream ext-events --to kinesis --endpoint-url localhost:1 x
eq "a bad --endpoint-url: exit" "$rc" 64

done_counts send_stream
