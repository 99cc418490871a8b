#!/bin/bash
# awscli conformance suite for the emulator's S3, IAM and STS (Debian's /usr/bin/aws, loopback only).
# Starts its own emulator unless EMU_ENDPOINT is set. Runs sibling conformance/*.sh scripts (e.g.
# firehose_kinesis.sh) with the same environment and adds their counts. Last line: "N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
EMU_DIR=$(dirname "$HERE")
TMP=$(mktemp -d)
EMU_PID=""
cleanup() {
    if [ -n "$EMU_PID" ]; then kill -TERM "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; fi
    if [ -n "${EMU2_PID:-}" ]; then kill -TERM "$EMU2_PID" 2>/dev/null; wait "$EMU2_PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

if [ -z "${EMU_ENDPOINT:-}" ]; then
    "$EMU_DIR/run" --port 0 --ready-file "$TMP/ready" >"$TMP/emu.out" 2>"$TMP/emu.err" &
    EMU_PID=$!
    for _ in $(seq 100); do [ -s "$TMP/ready" ] && break; sleep 0.1; done
    [ -s "$TMP/ready" ] || { echo "emulator did not start: $(cat "$TMP/emu.err")" >&2; echo "0 passed, 1 failed"; exit 1; }
    EMU_ENDPOINT=$(cat "$TMP/ready")
fi
export EMU_ENDPOINT

# isolation: no user config, no real credentials, no pager
mkdir -p "$TMP/home"
export HOME="$TMP/home" AWS_CONFIG_FILE="$TMP/home/config" AWS_SHARED_CREDENTIALS_FILE="$TMP/home/credentials"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_ENDPOINT_URL 2>/dev/null || true
export AWS_BIN=/usr/bin/aws

# shellcheck source=lib.sh
. "$HERE/lib.sh"

# Sibling suites run concurrently (own emulator instance, same isolated environment) to keep wall time down.
declare -A SIB_PID=()
SIBLINGS=()
EMU2_PID=""
for s in "$HERE"/*.sh; do
    case "$(basename "$s")" in run.sh|lib.sh) continue ;; esac
    SIBLINGS+=("$s")
done
if [ ${#SIBLINGS[@]} -gt 0 ]; then
    "$EMU_DIR/run" --port 0 --ready-file "$TMP/ready2" >"$TMP/emu2.out" 2>"$TMP/emu2.err" &
    EMU2_PID=$!
    for _ in $(seq 100); do [ -s "$TMP/ready2" ] && break; sleep 0.1; done
    for s in "${SIBLINGS[@]}"; do
        name=$(basename "$s")
        EMU_ENDPOINT=$(cat "$TMP/ready2") bash "$s" >"$TMP/sib.$name.out" 2>&1 &
        SIB_PID[$name]=$!
    done
fi

TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
POLICY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::conf-bucket/*"}]}'

# ------------------------------------------------------------------------------------------------ S3
B=conf-bucket
expect_ok "s3 create-bucket" s3api create-bucket --bucket $B && check "create-bucket location" '.Location == "/conf-bucket"'
expect_ok "s3 create-bucket again in us-east-1 (legacy 200)" s3api create-bucket --bucket $B
expect_ok "s3 head-bucket" s3api head-bucket --bucket $B
expect_ok "s3 get-bucket-location" s3api get-bucket-location --bucket $B && check "location us-east-1 is null" '.LocationConstraint == null'
expect_err "s3 invalid bucket name" InvalidBucketName s3api create-bucket --bucket Bad_Name
expect_err "s3 location constraint us-east-1" InvalidLocationConstraint s3api create-bucket --bucket conf-east --create-bucket-configuration LocationConstraint=us-east-1
AWS_DEFAULT_REGION=eu-west-1 expect_err "s3 no location constraint outside us-east-1" IllegalLocationConstraintException s3api create-bucket --bucket conf-eu
AWS_DEFAULT_REGION=eu-west-1 expect_ok "s3 create-bucket eu-west-1" s3api create-bucket --bucket conf-eu --create-bucket-configuration LocationConstraint=eu-west-1
AWS_DEFAULT_REGION=eu-west-1 expect_err "s3 create twice eu-west-1" BucketAlreadyOwnedByYou s3api create-bucket --bucket conf-eu --create-bucket-configuration LocationConstraint=eu-west-1
expect_ok "s3 get-bucket-location eu" s3api get-bucket-location --bucket conf-eu && check "location eu-west-1" '.LocationConstraint == "eu-west-1"'
expect_err "s3 missing bucket" NoSuchBucket s3api list-objects-v2 --bucket conf-missing
expect_err "s3 head missing bucket" 404 s3api head-bucket --bucket conf-missing

expect_err "s3 get-public-access-block unset" NoSuchPublicAccessBlockConfiguration s3api get-public-access-block --bucket $B
expect_ok "s3 put-public-access-block" s3api put-public-access-block --bucket $B --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
expect_ok "s3 get-public-access-block" s3api get-public-access-block --bucket $B && check "pab values" '.PublicAccessBlockConfiguration | .BlockPublicAcls and .IgnorePublicAcls and .BlockPublicPolicy and .RestrictPublicBuckets'
expect_ok "s3 delete-public-access-block" s3api delete-public-access-block --bucket $B
expect_ok "s3 get-bucket-encryption default" s3api get-bucket-encryption --bucket $B && check "default SSE-S3" '.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == "AES256"'
expect_ok "s3 put-bucket-encryption" s3api put-bucket-encryption --bucket $B --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/conf"},"BucketKeyEnabled":true}]}'
expect_ok "s3 get-bucket-encryption" s3api get-bucket-encryption --bucket $B && check "kms key" '.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID == "alias/conf"'
expect_ok "s3 delete-bucket-encryption" s3api delete-bucket-encryption --bucket $B
expect_err "s3 get-bucket-policy unset" NoSuchBucketPolicy s3api get-bucket-policy --bucket $B
expect_ok "s3 put-bucket-policy" s3api put-bucket-policy --bucket $B --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::conf-bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}'
expect_ok "s3 get-bucket-policy" s3api get-bucket-policy --bucket $B && check "policy text" '.Policy | fromjson | .Statement[0].Effect == "Deny"'
expect_err "s3 malformed policy" MalformedPolicy s3api put-bucket-policy --bucket $B --policy 'not json'
expect_ok "s3 delete-bucket-policy" s3api delete-bucket-policy --bucket $B
expect_err "s3 get-ownership-controls unset" OwnershipControlsNotFoundError s3api get-bucket-ownership-controls --bucket $B
expect_ok "s3 put-ownership-controls" s3api put-bucket-ownership-controls --bucket $B --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
expect_ok "s3 get-ownership-controls" s3api get-bucket-ownership-controls --bucket $B && check "ownership" '.OwnershipControls.Rules[0].ObjectOwnership == "BucketOwnerEnforced"'
expect_ok "s3 delete-ownership-controls" s3api delete-bucket-ownership-controls --bucket $B
expect_err "s3 get-bucket-tagging unset" NoSuchTagSet s3api get-bucket-tagging --bucket $B
expect_ok "s3 put-bucket-tagging" s3api put-bucket-tagging --bucket $B --tagging 'TagSet=[{Key=team,Value=data},{Key=env,Value=test}]'
expect_ok "s3 get-bucket-tagging" s3api get-bucket-tagging --bucket $B && check "tags" '[.TagSet[] | .Key] | sort == ["env","team"]'
expect_ok "s3 delete-bucket-tagging" s3api delete-bucket-tagging --bucket $B
expect_err "s3 get-lifecycle unset" NoSuchLifecycleConfiguration s3api get-bucket-lifecycle-configuration --bucket $B
expect_ok "s3 put-lifecycle" s3api put-bucket-lifecycle-configuration --bucket $B --lifecycle-configuration '{"Rules":[{"ID":"expire-tmp","Status":"Enabled","Filter":{"Prefix":"tmp/"},"Expiration":{"Days":1}},{"ID":"abort","Status":"Enabled","Filter":{"Prefix":""},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":2}}]}'
expect_ok "s3 get-lifecycle" s3api get-bucket-lifecycle-configuration --bucket $B && check "lifecycle rules" '[.Rules[].ID] == ["expire-tmp","abort"] and .Rules[0].Expiration.Days == 1'
expect_ok "s3 delete-lifecycle" s3api delete-bucket-lifecycle --bucket $B

printf 'hello conformance\n' >"$TMP/body.txt"
head -c 300000 /dev/urandom >"$TMP/big.bin"
expect_ok "s3 put-object" s3api put-object --bucket $B --key "dir/hello world.txt" --body "$TMP/body.txt" --content-type text/plain && check "etag is quoted md5" ".ETag == \"\\\"$(md5sum "$TMP/body.txt" | cut -d' ' -f1)\\\"\""
expect_ok "s3 put-object big" s3api put-object --bucket $B --key big.bin --body "$TMP/big.bin"
expect_ok "s3 head-object" s3api head-object --bucket $B --key "dir/hello world.txt" && check "head size/type" '.ContentLength == 18 and .ContentType == "text/plain" and (.LastModified | length > 0)'
expect_ok "s3 get-object" s3api get-object --bucket $B --key big.bin "$TMP/got.bin" && check "get length" '.ContentLength == 300000'
if cmp -s "$TMP/big.bin" "$TMP/got.bin"; then _pass "s3 get-object body matches"; else _fail "s3 get-object body matches" "differs"; fi
expect_ok "s3 get-object range" s3api get-object --bucket $B --key "dir/hello world.txt" --range bytes=0-4 "$TMP/range.txt" && check "content-range" '.ContentRange == "bytes 0-4/18"'
if [ "$(cat "$TMP/range.txt")" = "hello" ]; then _pass "s3 range body"; else _fail "s3 range body" "$(cat "$TMP/range.txt")"; fi
expect_err "s3 get missing key" NoSuchKey s3api get-object --bucket $B --key nope "$TMP/nope"
expect_err "s3 head missing key" 404 s3api head-object --bucket $B --key nope
for i in 1 2 3 4 5; do awsx s3api put-object --bucket $B --key "page/k+$i=/x" --body "$TMP/body.txt"; done
expect_ok "s3 list-objects-v2 page 1" s3api list-objects-v2 --bucket $B --prefix page/ --max-items 2 --page-size 2
check "page 1 has 2 keys and a token" '(.Contents | length) == 2 and (.NextToken | length) > 0'
TOKEN=$(printf '%s' "$OUT" | jq -r .NextToken)
expect_ok "s3 list-objects-v2 page 2" s3api list-objects-v2 --bucket $B --prefix page/ --max-items 2 --page-size 2 --starting-token "$TOKEN"
check "page 2 keys" '[.Contents[].Key] == ["page/k+3=/x","page/k+4=/x"]'
expect_ok "s3 list-objects-v2 raw continuation" s3api list-objects-v2 --bucket $B --prefix page/ --max-keys 2 --no-paginate
check "raw token contains + / =" '.NextContinuationToken | test("[+/=]")'
RAWTOK=$(printf '%s' "$OUT" | jq -r .NextContinuationToken)
expect_ok "s3 list-objects-v2 with raw token" s3api list-objects-v2 --bucket $B --prefix page/ --max-keys 2 --continuation-token "$RAWTOK" --no-paginate
check "raw token page" '.KeyCount == 2 and .IsTruncated == true and .ContinuationToken != null'
expect_ok "s3 list-objects-v2 delimiter" s3api list-objects-v2 --bucket $B --delimiter /
check "common prefixes" '[.CommonPrefixes[].Prefix] == ["dir/","page/"] and [.Contents[].Key] == ["big.bin"]'
expect_ok "s3 list-objects-v2 start-after" s3api list-objects-v2 --bucket $B --start-after page/k+4=/x
check "start-after" '[.Contents[].Key] == ["page/k+5=/x"]'
expect_ok "s3 delete-objects" s3api delete-objects --bucket $B --delete '{"Objects":[{"Key":"page/k+1=/x"},{"Key":"page/k+2=/x"}]}'
check "deleted keys" '[.Deleted[].Key] | sort == ["page/k+1=/x","page/k+2=/x"]'
expect_ok "s3 delete-object" s3api delete-object --bucket $B --key big.bin
expect_err "s3 delete non-empty bucket" BucketNotEmpty s3api delete-bucket --bucket $B
AWS_SECRET_ACCESS_KEY=wrong expect_err "s3 wrong secret" SignatureDoesNotMatch s3api list-objects-v2 --bucket $B
AWS_ACCESS_KEY_ID=AKIANOTKNOWN expect_err "s3 unknown key" InvalidAccessKeyId s3api list-objects-v2 --bucket $B
awsx s3api list-objects-v2 --bucket $B --query 'Contents[].Key' --output text
for k in $(printf '%s' "$OUT" | tr '\t' '\n'); do :; done
expect_ok "s3 delete remaining" s3api delete-objects --bucket $B --delete '{"Objects":[{"Key":"dir/hello world.txt"},{"Key":"page/k+3=/x"},{"Key":"page/k+4=/x"},{"Key":"page/k+5=/x"}]}'
expect_ok "s3 delete-bucket" s3api delete-bucket --bucket $B
AWS_DEFAULT_REGION=eu-west-1 expect_ok "s3 delete-bucket eu" s3api delete-bucket --bucket conf-eu
expect_ok "s3 list-buckets" s3api list-buckets && check "no buckets left" '.Buckets == []'

# ------------------------------------------------------------------------------------------------ IAM
expect_ok "iam create-role" iam create-role --role-name conf-role --path /svc/ --assume-role-policy-document "$TRUST" --tags Key=team,Value=data
check "role arn/id" '.Role.Arn == "arn:aws:iam::000000000000:role/svc/conf-role" and (.Role.RoleId | test("^AROA[A-Z0-9]{17}$"))'
expect_err "iam create-role twice" EntityAlreadyExists iam create-role --role-name conf-role --assume-role-policy-document "$TRUST"
expect_err "iam bad role name" ValidationError iam create-role --role-name 'bad name!' --assume-role-policy-document "$TRUST"
expect_err "iam malformed trust policy" MalformedPolicyDocument iam create-role --role-name conf-bad --assume-role-policy-document '{nope'
expect_ok "iam get-role" iam get-role --role-name conf-role && check "trust policy decoded" '.Role.AssumeRolePolicyDocument.Statement[0].Principal.Service == "firehose.amazonaws.com"'
expect_err "iam get missing role" NoSuchEntity iam get-role --role-name conf-missing
expect_ok "iam update-assume-role-policy" iam update-assume-role-policy --role-name conf-role --policy-document "${TRUST/firehose/kinesis}"
expect_ok "iam get-role after update" iam get-role --role-name conf-role && check "trust updated" '.Role.AssumeRolePolicyDocument.Statement[0].Principal.Service == "kinesis.amazonaws.com"'
expect_ok "iam put-role-policy" iam put-role-policy --role-name conf-role --policy-name write --policy-document "$POLICY"
expect_ok "iam get-role-policy" iam get-role-policy --role-name conf-role --policy-name write && check "policy doc" '.PolicyDocument.Statement[0].Action == ["s3:PutObject"] and .PolicyName == "write"'
expect_ok "iam list-role-policies" iam list-role-policies --role-name conf-role && check "policy names" '.PolicyNames == ["write"]'
expect_ok "iam tag-role" iam tag-role --role-name conf-role --tags Key=env,Value=test
expect_err "iam delete role with policies" DeleteConflict iam delete-role --role-name conf-role
expect_ok "iam delete-role-policy" iam delete-role-policy --role-name conf-role --policy-name write
expect_err "iam delete missing policy" NoSuchEntity iam delete-role-policy --role-name conf-role --policy-name write
ADMIN=arn:aws:iam::aws:policy/AdministratorAccess
expect_ok "iam attach-role-policy" iam attach-role-policy --role-name conf-role --policy-arn "$ADMIN"
expect_err "iam attach missing policy" NoSuchEntity iam attach-role-policy --role-name conf-role --policy-arn arn:aws:iam::aws:policy/NoSuchPolicyHere
expect_err "iam attach malformed arn" InvalidInput iam attach-role-policy --role-name conf-role --policy-arn not-an-arn-but-long-enough
expect_ok "iam create-policy" iam create-policy --policy-name conf-extra --policy-document "$POLICY" && check "policy arn" '.Policy.Arn == "arn:aws:iam::000000000000:policy/conf-extra"'
expect_ok "iam attach customer policy" iam attach-role-policy --role-name conf-role --policy-arn arn:aws:iam::000000000000:policy/conf-extra
expect_ok "iam list-attached-role-policies" iam list-attached-role-policies --role-name conf-role && check "attached" '[.AttachedPolicies[].PolicyName] == ["AdministratorAccess", "conf-extra"]'
expect_err "iam delete role with attached" DeleteConflict iam delete-role --role-name conf-role
expect_err "iam delete attached policy" DeleteConflict iam delete-policy --policy-arn arn:aws:iam::000000000000:policy/conf-extra
expect_ok "iam put-role-permissions-boundary" iam put-role-permissions-boundary --role-name conf-role --permissions-boundary "$ADMIN"
expect_ok "iam get-role boundary" iam get-role --role-name conf-role && check "boundary" ".Role.PermissionsBoundary.PermissionsBoundaryArn == \"$ADMIN\""
expect_ok "iam delete-role-permissions-boundary" iam delete-role-permissions-boundary --role-name conf-role
expect_ok "iam detach-role-policy" iam detach-role-policy --role-name conf-role --policy-arn "$ADMIN"
expect_err "iam detach not attached" NoSuchEntity iam detach-role-policy --role-name conf-role --policy-arn "$ADMIN"
expect_ok "iam detach customer policy" iam detach-role-policy --role-name conf-role --policy-arn arn:aws:iam::000000000000:policy/conf-extra
expect_ok "iam delete-policy" iam delete-policy --policy-arn arn:aws:iam::000000000000:policy/conf-extra
expect_ok "iam list-attached empty" iam list-attached-role-policies --role-name conf-role && check "none attached" '.AttachedPolicies == []'
AWS_SECRET_ACCESS_KEY=wrong expect_err "iam wrong secret" SignatureDoesNotMatch iam get-role --role-name conf-role
AWS_ACCESS_KEY_ID=AKIANOTKNOWN expect_err "iam unknown key" InvalidClientTokenId iam get-role --role-name conf-role

# ------------------------------------------------------------------------------------------------ CloudWatch Logs
LG=/aws/kinesisfirehose/conf
expect_ok "logs create-log-group" logs create-log-group --log-group-name "$LG" --tags team=data
expect_err "logs create-log-group twice" ResourceAlreadyExistsException logs create-log-group --log-group-name "$LG"
expect_err "logs bad group name" InvalidParameterException logs create-log-group --log-group-name 'bad name!'
expect_ok "logs put-retention-policy" logs put-retention-policy --log-group-name "$LG" --retention-in-days 14
expect_err "logs retention not allowed" InvalidParameterException logs put-retention-policy --log-group-name "$LG" --retention-in-days 15
expect_ok "logs describe-log-groups" logs describe-log-groups --log-group-name-prefix /aws/kinesisfirehose/ && check "group" '.logGroups[0].logGroupName == "/aws/kinesisfirehose/conf" and .logGroups[0].retentionInDays == 14 and .logGroups[0].arn == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/kinesisfirehose/conf:*"'
expect_ok "logs create-log-stream" logs create-log-stream --log-group-name "$LG" --log-stream-name DestinationDelivery
expect_err "logs create-log-stream twice" ResourceAlreadyExistsException logs create-log-stream --log-group-name "$LG" --log-stream-name DestinationDelivery
expect_err "logs stream in a missing group" ResourceNotFoundException logs create-log-stream --log-group-name /nope --log-stream-name s
expect_ok "logs describe-log-streams" logs describe-log-streams --log-group-name "$LG" && check "streams" '[.logStreams[].logStreamName] == ["DestinationDelivery"]'
LGARN="arn:aws:logs:us-east-1:000000000000:log-group:$LG"
expect_ok "logs tag-resource" logs tag-resource --resource-arn "$LGARN" --tags env=dev
expect_ok "logs list-tags-for-resource" logs list-tags-for-resource --resource-arn "$LGARN" && check "tags" '.tags == {"team": "data", "env": "dev"}'
expect_ok "logs untag-resource" logs untag-resource --resource-arn "$LGARN" --tag-keys team
expect_ok "logs tags after untag" logs list-tags-for-resource --resource-arn "$LGARN" && check "tags left" '.tags == {"env": "dev"}'
expect_ok "logs delete-retention-policy" logs delete-retention-policy --log-group-name "$LG"
expect_ok "logs no retention" logs describe-log-groups --log-group-name-prefix "$LG" && check "never expire" '.logGroups[0] | has("retentionInDays") | not'
expect_ok "logs delete-log-stream" logs delete-log-stream --log-group-name "$LG" --log-stream-name DestinationDelivery
expect_err "logs delete missing stream" ResourceNotFoundException logs delete-log-stream --log-group-name "$LG" --log-stream-name DestinationDelivery
expect_ok "logs no streams" logs describe-log-streams --log-group-name "$LG" && check "streams gone" '.logStreams == []'
expect_err "logs describe streams of a missing group" ResourceNotFoundException logs describe-log-streams --log-group-name /nope
AWS_DEFAULT_REGION=us-west-2 expect_ok "logs groups are regional" logs describe-log-groups --log-group-name-prefix /aws/kinesisfirehose/ && check "none in us-west-2" '.logGroups == []'
expect_ok "logs delete-log-group" logs delete-log-group --log-group-name "$LG"
expect_err "logs delete missing group" ResourceNotFoundException logs delete-log-group --log-group-name "$LG"

# ------------------------------------------------------------------------------------------------ STS
expect_ok "sts get-caller-identity" sts get-caller-identity && check "caller" '.Account == "000000000000" and .Arn == "arn:aws:iam::000000000000:root"'
expect_ok "sts assume-role" sts assume-role --role-arn arn:aws:iam::000000000000:role/svc/conf-role --role-session-name conf --duration-seconds 900
check "temp creds" '(.Credentials.AccessKeyId | test("^ASIA")) and .AssumedRoleUser.Arn == "arn:aws:sts::000000000000:assumed-role/conf-role/conf"'
TAK=$(printf '%s' "$OUT" | jq -r .Credentials.AccessKeyId)
TSK=$(printf '%s' "$OUT" | jq -r .Credentials.SecretAccessKey)
TST=$(printf '%s' "$OUT" | jq -r .Credentials.SessionToken)
AWS_ACCESS_KEY_ID=$TAK AWS_SECRET_ACCESS_KEY=$TSK AWS_SESSION_TOKEN=$TST expect_ok "sts temp creds work" sts get-caller-identity
check "assumed identity" '.Arn == "arn:aws:sts::000000000000:assumed-role/conf-role/conf"'
AWS_ACCESS_KEY_ID=$TAK AWS_SECRET_ACCESS_KEY=$TSK AWS_SESSION_TOKEN=wrong expect_err "sts wrong session token" InvalidClientTokenId sts get-caller-identity
expect_err "sts assume missing role" AccessDenied sts assume-role --role-arn arn:aws:iam::000000000000:role/conf-missing --role-session-name conf
expect_ok "sts assume-role-with-web-identity" sts assume-role-with-web-identity --role-arn arn:aws:iam::000000000000:role/svc/conf-role --role-session-name web --web-identity-token header.payload.sig
check "web identity creds" '.Credentials.AccessKeyId | test("^ASIA")'
expect_err "sts invalid web identity token" InvalidIdentityToken sts assume-role-with-web-identity --role-arn arn:aws:iam::000000000000:role/svc/conf-role --role-session-name web --web-identity-token invalid
AWS_ACCESS_KEY_ID=AKIANOTKNOWN expect_err "sts unknown key" InvalidClientTokenId sts get-caller-identity
expect_ok "iam delete-role" iam delete-role --role-name conf-role

# ------------------------------------------------------------------------------------------------ ledger
LEDGER=$(curl -s "$EMU_ENDPOINT/_emu/ledger/summary" 2>/dev/null || /usr/bin/python3 -c "import urllib.request,sys;print(urllib.request.urlopen(sys.argv[1]).read().decode())" "$EMU_ENDPOINT/_emu/ledger/summary")
OUT=$LEDGER check "ledger counted calls" '.calls > 50 and .mutating_calls > 20 and .mutating_calls < .calls'

# ------------------------------------------------------------------------------------------------ siblings
# Firehose/Kinesis conformance lives in sibling scripts (e.g. conformance/firehose_kinesis.sh, written by the
# Firehose/Kinesis side). They were started in the background at the top (see start_siblings) with their own
# emulator instance; each may source lib.sh and must end its output with "N passed, N failed".
for s in "${SIBLINGS[@]}"; do
    name=$(basename "$s")
    wait "${SIB_PID[$name]}"
    rc=$?
    echo "--- $name"
    cat "$TMP/sib.$name.out"
    last=$(tail -n 1 "$TMP/sib.$name.out")
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        PASS=$((PASS + BASH_REMATCH[1])); FAIL=$((FAIL + BASH_REMATCH[2]))
        if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then _fail "$name" "exit $rc"; fi
    else
        _fail "$name" "no summary line (exit $rc)"
    fi
done

summary
[ "$FAIL" -eq 0 ]
