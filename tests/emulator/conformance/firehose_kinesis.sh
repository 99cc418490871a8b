#!/bin/bash
# Conformance: drive the emulator's Firehose and Kinesis APIs with the official AWS CLI (Debian's /usr/bin/aws).
#
# Usage: EMU_ENDPOINT=http://127.0.0.1:PORT tests/emulator/conformance/firehose_kinesis.sh
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
# wait until a describe command reports the wanted status (jq path) or the resource is gone
wait_status() {   # wait_status "<jq path>" <status|GONE> aws args...
    local path="$1" want="$2"; shift 2
    for _ in $(seq 1 40); do
        if aws_ "$@" >"$T/w" 2>"$T/werr"; then
            [ "$($JQ -r "$path" "$T/w")" = "$want" ] && return 0
        else
            [ "$want" = GONE ] && grep -q "ResourceNotFoundException" "$T/werr" && return 0
        fi
        sleep 0.25
    done
    return 1
}
control() { curl -s -X POST -H 'Content-Type: application/json' -d "${2:-{\}}" "$EP/_emu/$1"; }
b64() { printf '%s' "$1" | base64 -w0; }
# python only for generating big JSON request files (Debian's python3)
gen() { /usr/bin/python3 -c "$1" >"$2"; }

SFX="$$"
KS="conf-ks-$SFX"
FH="conf-fh-$SFX"
FK="conf-fk-$SFX"
BUCKET="conf-bucket-$SFX"
ROLE="conf-role-$SFX"

# ------------------------------------------------------------------------------------------------ Kinesis
run kinesis create-stream --stream-name "$KS" --shard-count 2; rc=$?
[ $rc -eq 0 ] && ok "kinesis create-stream" || notok "kinesis create-stream ($(cat "$T/err"))"
run kinesis create-stream --stream-name "$KS" --shard-count 2; experr $? ResourceInUseException "kinesis create-stream on an existing name -> ResourceInUseException"
# Streams are regional: the stream is not found when asked for in another region.
run --region eu-west-1 kinesis describe-stream-summary --stream-name "$KS"; experr $? ResourceNotFoundException "kinesis stream of us-east-1 is not found from eu-west-1"
run --region eu-west-1 kinesis list-streams; jqt '.StreamNames == []' "kinesis list-streams in another region is empty"
check "kinesis stream becomes ACTIVE" wait_status .StreamDescriptionSummary.StreamStatus ACTIVE \
    kinesis describe-stream-summary --stream-name "$KS"
run kinesis describe-stream-summary --stream-name "$KS"
jqt ".StreamDescriptionSummary | .OpenShardCount == 2 and .RetentionPeriodHours == 24 and
     .StreamARN == \"arn:aws:kinesis:us-east-1:000000000000:stream/$KS\" and
     .StreamModeDetails.StreamMode == \"PROVISIONED\"" "kinesis describe-stream-summary fields"
run kinesis describe-stream --stream-name "$KS"
jqt '.StreamDescription.Shards | length == 2 and .[0].HashKeyRange.StartingHashKey == "0" and
     .[1].HashKeyRange.EndingHashKey == "340282366920938463463374607431768211455" and
     .[0].HashKeyRange.EndingHashKey == "170141183460469231731687303715884105727" and
     .[0].ShardId == "shardId-000000000000"' "kinesis describe-stream shards split the hash space evenly"
run kinesis list-shards --stream-name "$KS"
jqt '.Shards | length == 2 and (.[0].SequenceNumberRange.StartingSequenceNumber | test("^[0-9]+$"))' "kinesis list-shards"
run kinesis list-streams
jqt "[.StreamNames[] | select(. == \"$KS\")] | length == 1" "kinesis list-streams contains the stream"

run kinesis put-record --stream-name "$KS" --cli-binary-format raw-in-base64-out --data "hello" --partition-key k1
jqt '(.ShardId | startswith("shardId-")) and (.SequenceNumber | test("^[0-9]{20,}$"))' "kinesis put-record"
SHARD="$($JQ -r .ShardId "$T/out")"
SEQ1="$($JQ -r .SequenceNumber "$T/out")"
run kinesis put-record --stream-name "$KS" --cli-binary-format raw-in-base64-out --data "world" --partition-key k1 \
    --sequence-number-for-ordering "$SEQ1"
jqt ".ShardId == \"$SHARD\" and ((.SequenceNumber | length) >= (\"$SEQ1\" | length)) and .SequenceNumber != \"$SEQ1\"" \
    "kinesis same partition key -> same shard, new sequence number"
cat >"$T/recs.json" <<EOF
[{"Data": "$(b64 r1)", "PartitionKey": "a"}, {"Data": "$(b64 r2)", "PartitionKey": "b"},
 {"Data": "$(b64 r3)", "PartitionKey": "c", "ExplicitHashKey": "0"}]
EOF
run kinesis put-records --stream-name "$KS" --records "file://$T/recs.json"
jqt '.FailedRecordCount == 0 and (.Records | length == 3) and .Records[2].ShardId == "shardId-000000000000"' \
    "kinesis put-records (ExplicitHashKey honoured)"
run kinesis get-shard-iterator --stream-name "$KS" --shard-id "$SHARD" --shard-iterator-type TRIM_HORIZON
IT="$($JQ -r .ShardIterator "$T/out")"
run kinesis get-records --shard-iterator "$IT"
jqt '[.Records[] | select(.PartitionKey == "k1") | .Data | @base64d] == ["hello", "world"] and
     (.NextShardIterator | length > 0) and .MillisBehindLatest == 0' "kinesis get-records from TRIM_HORIZON"
run kinesis get-shard-iterator --stream-name "$KS" --shard-id "$SHARD" --shard-iterator-type AFTER_SEQUENCE_NUMBER \
    --starting-sequence-number "$SEQ1"
IT="$($JQ -r .ShardIterator "$T/out")"
run kinesis get-records --shard-iterator "$IT"
jqt '.Records[0].Data | @base64d == "world"' "kinesis get-records AFTER_SEQUENCE_NUMBER"
run kinesis get-shard-iterator --stream-name "$KS" --shard-id shardId-000000000000 --shard-iterator-type LATEST
jqt '.ShardIterator | length > 0' "kinesis get-shard-iterator LATEST"

gen "import json,base64; print(json.dumps([{'Data': base64.b64encode(b'x').decode(), 'PartitionKey': 'k'}]*501))" "$T/r501.json"
run kinesis put-records --stream-name "$KS" --records "file://$T/r501.json"; experr $? ValidationException "kinesis put-records with 501 records -> ValidationException"
gen "import json,base64; print(json.dumps([{'Data': base64.b64encode(b'x').decode(), 'PartitionKey': 'k'}]*500))" "$T/r500.json"
run kinesis put-records --stream-name "$KS" --records "file://$T/r500.json"
jqt '.FailedRecordCount == 0 and (.Records | length == 500)' "kinesis put-records with 500 records"
run kinesis put-record --stream-name "$KS" --cli-binary-format raw-in-base64-out --data x \
    --partition-key "$(printf 'k%.0s' $(seq 1 257))"; experr $? ValidationException "kinesis partition key of 257 chars -> ValidationException"
run kinesis put-record --stream-name "$KS" --cli-binary-format raw-in-base64-out --data x \
    --partition-key "$(printf 'k%.0s' $(seq 1 256))"
jqt '.SequenceNumber | length > 0' "kinesis partition key of 256 chars accepted"
gen "import json,base64; print(json.dumps([{'Data': base64.b64encode(b'a'*(1048576-1)).decode(), 'PartitionKey': 'k'}]*5))" "$T/r5m.json"
run kinesis put-records --stream-name "$KS" --records "file://$T/r5m.json"
# a valid request (no ValidationException), but one shard takes 1 MiB/s: the rest is throttled inside the 200
jqt '(.Records | length == 5) and .FailedRecordCount >= 4 and all(.Records[]; has("SequenceNumber") or .ErrorCode == "ProvisionedThroughputExceededException")' \
    "kinesis put-records of exactly 5 MiB (data + keys) to one shard: accepted, over 1 MiB/s throttled"
gen "import json,base64; r=[{'Data': base64.b64encode(b'a'*(1048576-1)).decode(), 'PartitionKey': 'k'}]*5; r.append({'Data': 'eA==', 'PartitionKey': 'k'}); print(json.dumps(r))" "$T/r5m1.json"
run kinesis put-records --stream-name "$KS" --records "file://$T/r5m1.json"; experr $? InvalidArgumentException "kinesis put-records over 5 MiB -> InvalidArgumentException"
run kinesis put-record --stream-name "nope-$SFX" --cli-binary-format raw-in-base64-out --data x --partition-key k
experr $? ResourceNotFoundException "kinesis put-record to a missing stream -> ResourceNotFoundException"
run kinesis get-records --shard-iterator "bm90LWFuLWl0ZXJhdG9y"; experr $? InvalidArgumentException "kinesis get-records with a bogus iterator -> InvalidArgumentException"

run kinesis increase-stream-retention-period --stream-name "$KS" --retention-period-hours 48
[ $? -eq 0 ] && ok "kinesis increase-stream-retention-period" || notok "kinesis increase-stream-retention-period ($(cat "$T/err"))"
check "kinesis retention update settles (ACTIVE)" wait_status .StreamDescriptionSummary.StreamStatus ACTIVE \
    kinesis describe-stream-summary --stream-name "$KS"
run kinesis describe-stream-summary --stream-name "$KS"
jqt '.StreamDescriptionSummary.RetentionPeriodHours == 48' "kinesis retention is 48 hours"
run kinesis decrease-stream-retention-period --stream-name "$KS" --retention-period-hours 12
experr $? InvalidArgumentException "kinesis retention below 24 hours -> InvalidArgumentException"
run kinesis update-shard-count --stream-name "$KS" --target-shard-count 4 --scaling-type UNIFORM_SCALING
jqt '.CurrentShardCount == 2 and .TargetShardCount == 4' "kinesis update-shard-count"
check "kinesis resharding settles (ACTIVE)" wait_status .StreamDescriptionSummary.StreamStatus ACTIVE \
    kinesis describe-stream-summary --stream-name "$KS"
run kinesis describe-stream-summary --stream-name "$KS"
jqt '.StreamDescriptionSummary.OpenShardCount == 4' "kinesis stream has 4 open shards"
KS_ARN="arn:aws:kinesis:us-east-1:000000000000:stream/$KS"
run kinesis update-stream-mode --stream-arn "$KS_ARN" --stream-mode-details StreamMode=ON_DEMAND
[ $? -eq 0 ] && ok "kinesis update-stream-mode ON_DEMAND" || notok "kinesis update-stream-mode ON_DEMAND ($(cat "$T/err"))"
check "kinesis mode switch settles (ACTIVE)" wait_status .StreamDescriptionSummary.StreamStatus ACTIVE \
    kinesis describe-stream-summary --stream-name "$KS"
run kinesis update-stream-mode --stream-arn "$KS_ARN" --stream-mode-details StreamMode=PROVISIONED
[ $? -eq 0 ] && ok "kinesis update-stream-mode PROVISIONED" || notok "kinesis update-stream-mode PROVISIONED ($(cat "$T/err"))"
run kinesis describe-stream-summary --stream-name "$KS"
jqt '.StreamDescriptionSummary.StreamModeDetails.StreamMode == "PROVISIONED"' "kinesis mode switch reports the new mode"
check "kinesis mode switch back settles (ACTIVE)" wait_status .StreamDescriptionSummary.StreamStatus ACTIVE \
    kinesis describe-stream-summary --stream-name "$KS"
run kinesis describe-stream-summary --stream-name "$KS"
jqt '.StreamDescriptionSummary.OpenShardCount == 4' "kinesis shard count kept across mode switches"
run kinesis update-stream-mode --stream-arn "arn:aws:kinesis:us-east-1:000000000000:stream/nope-$SFX" \
    --stream-mode-details StreamMode=ON_DEMAND
experr $? ResourceNotFoundException "kinesis update-stream-mode on a missing stream -> ResourceNotFoundException"

# ------------------------------------------------------------------------------------------------ Firehose
run s3api create-bucket --bucket "$BUCKET"
cat >"$T/trust.json" <<'EOF'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"},
 "Action": "sts:AssumeRole"}]}
EOF
cat >"$T/policy.json" <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucketLocation"],
 "Resource": ["arn:aws:s3:::$BUCKET", "arn:aws:s3:::$BUCKET/*"]}]}
EOF
run iam create-role --role-name "$ROLE" --assume-role-policy-document "file://$T/trust.json"
ROLE_ARN="$($JQ -r .Role.Arn "$T/out" 2>/dev/null)"
run iam put-role-policy --role-name "$ROLE" --policy-name write --policy-document "file://$T/policy.json"
[ -n "$ROLE_ARN" ] && [ "$ROLE_ARN" != null ] && ok "setup: bucket and delivery role" || notok "setup: bucket and delivery role ($(cat "$T/err"))"

cat >"$T/dest.json" <<EOF
{"RoleARN": "$ROLE_ARN", "BucketARN": "arn:aws:s3:::$BUCKET", "Prefix": "conf/",
 "ErrorOutputPrefix": "conf-errors/", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
 "CompressionFormat": "UNCOMPRESSED"}
EOF
run firehose create-delivery-stream --delivery-stream-name "$FH" --delivery-stream-type DirectPut \
    --extended-s3-destination-configuration "file://$T/dest.json" --tags Key=team,Value=sluice
jqt ".DeliveryStreamARN == \"arn:aws:firehose:us-east-1:000000000000:deliverystream/$FH\"" "firehose create-delivery-stream"
run firehose create-delivery-stream --delivery-stream-name "$FH" --extended-s3-destination-configuration "file://$T/dest.json"
experr $? ResourceInUseException "firehose create-delivery-stream on an existing name -> ResourceInUseException"
check "firehose stream becomes ACTIVE" wait_status .DeliveryStreamDescription.DeliveryStreamStatus ACTIVE \
    firehose describe-delivery-stream --delivery-stream-name "$FH"
run firehose describe-delivery-stream --delivery-stream-name "$FH"
jqt '.DeliveryStreamDescription | .VersionId == "1" and .DeliveryStreamType == "DirectPut" and
     .HasMoreDestinations == false and (.Destinations | length == 1) and
     .Destinations[0].DestinationId == "destinationId-000000000001" and
     (.Destinations[0].ExtendedS3DestinationDescription | .S3BackupMode == "Disabled" and .Prefix == "conf/" and
      .ErrorOutputPrefix == "conf-errors/" and .BufferingHints.SizeInMBs == 1 and
      .BufferingHints.IntervalInSeconds == 60 and .CompressionFormat == "UNCOMPRESSED" and
      .EncryptionConfiguration.NoEncryptionConfig == "NoEncryption")' "firehose describe-delivery-stream description"
run firehose list-delivery-streams
jqt "([.DeliveryStreamNames[] | select(. == \"$FH\")] | length == 1) and .HasMoreDeliveryStreams == false" \
    "firehose list-delivery-streams"
run firehose list-tags-for-delivery-stream --delivery-stream-name "$FH"
jqt '.Tags == [{"Key": "team", "Value": "sluice"}] and .HasMoreTags == false' "firehose tags from create"
run firehose tag-delivery-stream --delivery-stream-name "$FH" --tags Key=env,Value=test
run firehose list-tags-for-delivery-stream --delivery-stream-name "$FH"
jqt '.Tags | length == 2' "firehose tag-delivery-stream"

run firehose put-record --delivery-stream-name "$FH" --cli-binary-format raw-in-base64-out --record '{"Data": "first\n"}'
jqt '(.RecordId | length > 0) and .Encrypted == false' "firehose put-record"
cat >"$T/batch.json" <<EOF
[{"Data": "$(printf 'a\n' | base64 -w0)"}, {"Data": "$(printf 'b\n' | base64 -w0)"}, {"Data": "$(printf 'c\n' | base64 -w0)"}]
EOF
run firehose put-record-batch --delivery-stream-name "$FH" --records "file://$T/batch.json"
jqt '.FailedPutCount == 0 and .Encrypted == false and (.RequestResponses | length == 3) and
     all(.RequestResponses[]; has("RecordId"))' "firehose put-record-batch"
gen "import json; print(json.dumps([{'Data': 'eA=='}]*501))" "$T/f501.json"
run firehose put-record-batch --delivery-stream-name "$FH" --records "file://$T/f501.json"
experr $? ValidationException "firehose put-record-batch with 501 records -> ValidationException"
gen "import json,base64; print(json.dumps([{'Data': base64.b64encode(b'z'*1024001).decode()}]))" "$T/fbig.json"
run firehose put-record-batch --delivery-stream-name "$FH" --records "file://$T/fbig.json"
experr $? ValidationException "firehose record of 1,024,001 bytes -> ValidationException"
gen "import json,base64; d=[b'z'*1024000]*4+[b'y'*(4194304-4096000+1)]; print(json.dumps([{'Data': base64.b64encode(x).decode()} for x in d]))" "$T/f4m1.json"
run firehose put-record-batch --delivery-stream-name "$FH" --records "file://$T/f4m1.json"
experr $? InvalidArgumentException "firehose batch of 4 MiB + 1 byte -> InvalidArgumentException"
run firehose put-record --delivery-stream-name "nope-$SFX" --cli-binary-format raw-in-base64-out --record Data=x
experr $? ResourceNotFoundException "firehose put-record to a missing stream -> ResourceNotFoundException"

FLUSH="$(control firehose/flush "{\"stream\": \"$FH\"}")"
if [ "$(printf '%s' "$FLUSH" | $JQ -r '.delivered_objects')" = 1 ]; then ok "control: /_emu/firehose/flush delivered one object"; else notok "control: flush ($FLUSH)"; fi
run s3api list-objects-v2 --bucket "$BUCKET" --prefix conf/
jqt "(.Contents | length == 1) and (.Contents[0].Key | test(\"^conf/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}/$FH-1-[0-9]{4}(-[0-9]{2}){5}-[0-9a-f-]{36}\$\"))" \
    "delivered object key: prefix + YYYY/MM/dd/HH/ + stream-version-timestamp-uuid"
KEY="$($JQ -r '.Contents[0].Key' "$T/out" 2>/dev/null)"
aws_ s3api get-object --bucket "$BUCKET" --key "$KEY" "$T/obj" >/dev/null 2>"$T/err"
if [ "$(cat "$T/obj" 2>/dev/null)" = "$(printf 'first\na\nb\nc')" ]; then ok "delivered object is the records concatenated"; else notok "delivered object content ($(head -c 200 "$T/obj" 2>/dev/null))"; fi

run firehose update-destination --delivery-stream-name "$FH" --current-delivery-stream-version-id 7 \
    --destination-id destinationId-000000000001 --extended-s3-destination-update Prefix=v2/
experr $? ConcurrentModificationException "firehose update-destination with a stale version -> ConcurrentModificationException"
run firehose update-destination --delivery-stream-name "$FH" --current-delivery-stream-version-id 1 \
    --destination-id destinationId-000000000001 --extended-s3-destination-update 'Prefix=v2/,CompressionFormat=GZIP'
run firehose describe-delivery-stream --delivery-stream-name "$FH"
jqt '.DeliveryStreamDescription | .VersionId == "2" and
     (.Destinations[0].ExtendedS3DestinationDescription | .Prefix == "v2/" and .CompressionFormat == "GZIP" and
      .BufferingHints.SizeInMBs == 1)' "firehose update-destination merges and bumps VersionId"

run firehose create-delivery-stream --delivery-stream-name "$FH-norole" --extended-s3-destination-configuration \
    "RoleARN=arn:aws:iam::000000000000:role/missing-$SFX,BucketARN=arn:aws:s3:::$BUCKET"
rc=$?; experr $rc InvalidArgumentException "firehose create with a missing role -> InvalidArgumentException"
grep -q "unable to assume role" "$T/err" && ok "missing role message says 'unable to assume role'" || notok "missing role message ($(cat "$T/err"))"

run firehose create-delivery-stream --delivery-stream-name "$FH-snappy" --extended-s3-destination-configuration \
    "RoleARN=$ROLE_ARN,BucketARN=arn:aws:s3:::$BUCKET,Prefix=snappy/,CompressionFormat=Snappy"
jqt ".DeliveryStreamARN == \"arn:aws:firehose:us-east-1:000000000000:deliverystream/$FH-snappy\"" \
    "firehose create-delivery-stream with CompressionFormat Snappy"
run firehose describe-delivery-stream --delivery-stream-name "$FH-snappy"
jqt '.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.CompressionFormat == "Snappy"' \
    "firehose describe shows CompressionFormat Snappy"

run firehose create-delivery-stream --delivery-stream-name "$FK" --delivery-stream-type KinesisStreamAsSource \
    --kinesis-stream-source-configuration "KinesisStreamARN=arn:aws:kinesis:us-east-1:000000000000:stream/$KS,RoleARN=$ROLE_ARN" \
    --extended-s3-destination-configuration "RoleARN=$ROLE_ARN,BucketARN=arn:aws:s3:::$BUCKET,Prefix=fromkinesis/"
jqt '.DeliveryStreamARN | length > 0' "firehose create KinesisStreamAsSource"
check "kinesis-sourced stream becomes ACTIVE" wait_status .DeliveryStreamDescription.DeliveryStreamStatus ACTIVE \
    firehose describe-delivery-stream --delivery-stream-name "$FK"
run firehose describe-delivery-stream --delivery-stream-name "$FK"
jqt ".DeliveryStreamDescription.Source.KinesisStreamSourceDescription.KinesisStreamARN == \"arn:aws:kinesis:us-east-1:000000000000:stream/$KS\"" \
    "firehose describe shows KinesisStreamSourceDescription"
run firehose put-record --delivery-stream-name "$FK" --cli-binary-format raw-in-base64-out --record Data=x
experr $? InvalidArgumentException "firehose put-record to a KinesisStreamAsSource stream -> InvalidArgumentException"
run kinesis put-record --stream-name "$KS" --cli-binary-format raw-in-base64-out --data "via-kinesis" --partition-key z
FLUSH="$(control firehose/flush "{\"stream\": \"$FK\"}")"
run s3api list-objects-v2 --bucket "$BUCKET" --prefix fromkinesis/
KEY="$($JQ -r '.Contents[0].Key' "$T/out" 2>/dev/null)"
aws_ s3api get-object --bucket "$BUCKET" --key "$KEY" "$T/kobj" >/dev/null 2>&1
if [ "$(cat "$T/kobj" 2>/dev/null)" = "via-kinesis" ]; then ok "kinesis-sourced firehose delivers records put after its creation"; else notok "kinesis-sourced delivery (flush: $FLUSH)"; fi

run firehose delete-delivery-stream --delivery-stream-name "$FH"
[ $? -eq 0 ] && ok "firehose delete-delivery-stream" || notok "firehose delete-delivery-stream ($(cat "$T/err"))"
check "firehose stream is gone after DELETING" wait_status .DeliveryStreamDescription.DeliveryStreamStatus GONE \
    firehose describe-delivery-stream --delivery-stream-name "$FH"
run firehose delete-delivery-stream --delivery-stream-name "$FK"
run kinesis delete-stream --stream-name "$KS"
[ $? -eq 0 ] && ok "kinesis delete-stream" || notok "kinesis delete-stream ($(cat "$T/err"))"
check "kinesis stream is gone after DELETING" wait_status .StreamDescriptionSummary.StreamStatus GONE \
    kinesis describe-stream-summary --stream-name "$KS"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
