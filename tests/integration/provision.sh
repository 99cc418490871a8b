#!/usr/bin/env bash
# provision.sh — the provision CLI end to end against the emulator: plan
# exit codes and exact output, apply then a second apply with zero mutating
# calls, --json parsed with jq, a buffer-size drift shown and fixed, a
# broken profile, an apply killed halfway then re-run, error lines, destroy
# twice. Needs SLUICE_BUILD and SLUICE_TEST_ENDPOINT (tests/integration/run).
set -u
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
tmp=$(mktemp -d)
bg=
trap '[ -n "$bg" ] && kill -9 $bg 2>/dev/null; rm -rf "$tmp"' EXIT

# has WHAT FILE LINE: the exact line is in the file
has() { if grep -qxF -- "$3" "$2"; then ok; else bad "$1: no line [$3] in:"; sed 's/^/    /' "$2"; fi; }

reset_ledger() { ctl POST ledger/reset >/dev/null; }
mutating() { ctl GET ledger/summary | jq -r .mutating_calls; }
mutating_ops() { ctl GET ledger | jq -r '[.calls[] | select(.mutating) | .operation] | join(" ")'; }

# run NAME ARGS...: runs provision, keeps stdout/stderr in $tmp/NAME.{out,err}, sets $rc
run() {
  local n=$1
  shift
  "$P" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
  rc=$?
}

# profile FILE NAME [buffer_mb] [region] [compression] [create_delay_s]
profile() {
  write_profile "$1" "$2" buffer="${3:-1}" region="${4:-us-east-1}" compression="${5:-GZIP}" \
    delay="${6:-1}" bucket=$'expire_after_days = 7\ntags = suite=provision-cli'
}

ctl POST config '{"lifecycle_seconds": 0.3, "iam_propagation_seconds": 0}' >/dev/null
name="slcli-$$"
prof="$tmp/p.ini"
profile "$prof" "$name"

# --- plan on nothing: exit 2, every resource to create
run plan1 plan "$prof"
eq "plan on nothing exits 2" "$rc" 2
eq "plan on nothing prints" "$(cat "$tmp/plan1.out")" "+ bucket $name: create
    bucket_policy: TLS-only statement not applied: the S3 endpoint is http
+ role $name-role: create
+ firehose $name: create
plan: 3 to create, 0 to update, 0 to replace, 0 ok"

# --- apply creates all
reset_ledger
run apply1 apply "$prof"
eq "apply exits 0" "$rc" 0
# A new bucket is closed first: the call after CreateBucket, reads included,
# blocks public access.
eq "apply: public access blocked right after CreateBucket" \
  "$(curl -s "$EP/_emu/ledger" | jq -r '[.calls[] | select(.service == "s3") | .operation] |
    . as $c | ($c | index("CreateBucket")) as $i | $c[$i + 1]')" PutPublicAccessBlock
has "apply summary" "$tmp/apply1.out" "apply: 3 created, 0 updated, 0 replaced, 0 ok"
has "apply firehose line" "$tmp/apply1.out" "+ firehose $name: created (CreateDeliveryStream)"

# --- the second apply changes nothing: zero mutating calls
reset_ledger
run apply2 apply "$prof"
eq "second apply exits 0" "$rc" 0
eq "second apply mutating calls" "$(mutating)" 0
eq "second apply prints" "$(cat "$tmp/apply2.out")" "= bucket $name: ok
    bucket_policy: TLS-only statement not applied: the S3 endpoint is http
= role $name-role: ok
= firehose $name: ok
apply: 0 created, 0 updated, 0 replaced, 3 ok"
run plan2 plan "$prof"
eq "plan after apply exits 0" "$rc" 0

# --- --json, parsed
run planj plan --json "$prof"
eq "plan --json exits 0" "$rc" 0
eq "plan --json facts" "$(jq -c '[.command, .account, .region, .changes_pending,
    [.resources[] | .type + ":" + .action], .summary.ok]' "$tmp/planj.out")" \
  "[\"plan\",\"000000000000\",\"us-east-1\",false,[\"bucket:ok\",\"role:ok\",\"firehose:ok\"],3]"
run statusj status --json "$prof"
eq "status --json exits 0" "$rc" 0
eq "status --json firehose" "$(jq -c '.resources[] | select(.type == "firehose") |
    [.arn, .state.status, .state.buffer_size_mb, .state.prefix, .state.compression]' \
    "$tmp/statusj.out")" \
  "[\"arn:aws:firehose:us-east-1:000000000000:deliverystream/$name\",\"ACTIVE\",1,\"logs/\",\"GZIP\"]"
eq "status --json bucket" "$(jq -c '.resources[0] | [.arn, .state.encryption,
    .state.block_public_access, .state.object_ownership, .state.bucket_policy,
    .state.expire_after_days]' "$tmp/statusj.out")" \
  "[\"arn:aws:s3:::$name\",\"SSE-S3\",\"on\",\"BucketOwnerEnforced\",\"none\",7]"
eq "status --json tls_only" "$(jq -c '.resources[0].tls_only' "$tmp/statusj.out")" \
  '{"applied":false,"reason":"the S3 endpoint is http"}'
run status status "$prof"
has "status firehose line" "$tmp/status.out" "firehose $name: ACTIVE (as profile)"
has "status role arn" "$tmp/status.out" "    arn: arn:aws:iam::000000000000:role/$name-role"

# --- a changed buffer size: plan shows the field, apply --dry-run changes nothing, apply fixes
profile "$prof" "$name" 64
run plan3 plan "$prof"
eq "plan with drift exits 2" "$rc" 2
has "plan drift resource line" "$tmp/plan3.out" "~ firehose $name: update"
has "plan drift field line" "$tmp/plan3.out" "    ~ buffer_size_mb: 1 -> 64"
has "plan drift summary" "$tmp/plan3.out" "plan: 0 to create, 1 to update, 0 to replace, 2 ok"
run plan3j plan --json "$prof"
eq "plan --json drift" "$(jq -c '[.changes_pending, (.resources[] | select(.type == "firehose")
    | .action, .changes)]' "$tmp/plan3j.out")" \
  '[true,"update",[{"field":"buffer_size_mb","from":"1","to":"64"}]]'
reset_ledger
run dry apply --dry-run "$prof"
eq "apply --dry-run exits 2" "$rc" 2
eq "apply --dry-run mutating calls" "$(mutating)" 0
reset_ledger
run apply3 apply "$prof"
eq "apply drift exits 0" "$rc" 0
has "apply drift line" "$tmp/apply3.out" "~ firehose $name: updated (UpdateDestination)"
eq "apply drift calls" "$(mutating_ops)" "UpdateDestination"
run plan4 plan "$prof"
eq "plan after fix exits 0" "$rc" 0

# --- a broken profile: exit 1, every problem as FILE:LINE
printf '[bucket]\nname = Not_A_Bucket\n[firehose]\nprefix = /x\n' >"$tmp/broken.ini"
run broken plan "$tmp/broken.ini"
eq "broken profile exits 64" "$rc" 64
eq "broken profile diagnostics" "$(cat "$tmp/broken.err")" \
"provision: $tmp/broken.ini:2: [bucket] name: 'Not_A_Bucket' is not a valid S3 bucket name: it may hold only lowercase letters, digits, dots and hyphens
provision: $tmp/broken.ini:3: [firehose] name: is required by provision plan
provision: $tmp/broken.ini:4: [firehose] prefix: must not start with '/' (S3 keys would begin with an empty folder)"
eq "broken profile prints nothing on stdout" "$(wc -c <"$tmp/broken.out")" 0
run missing plan "$tmp/no-such.ini"
eq "missing profile exits 64" "$rc" 64
eq "missing profile named once" "$(cat "$tmp/missing.err")" \
"provision: $tmp/no-such.ini: cannot open profile: No such file or directory"
run brokenj plan --json "$tmp/broken.ini"
eq "broken profile --json exits 64" "$rc" 64
eq "broken profile --json" "$(jq -r '.error.message | startswith("'"$tmp"'/broken.ini:2:")' \
  "$tmp/brokenj.out")" "true"

# --- error lines: provision: <resource>: <Code>: <message> (HTTP n, request id X)
profile "$tmp/eu.ini" "$name" 1 eu-west-1
run region plan "$tmp/eu.ini"
eq "bucket in another region exits 1" "$rc" 1
eq "bucket in another region message" "$(cat "$tmp/region.err")" \
  "provision: bucket $name: BucketInOtherRegion: bucket $name exists in region us-east-1, not eu-west-1"
# a create the service refuses (one attempt, so the 500 is not retried away)
write_profile "$tmp/zip.ini" "$name-zip" attempts=1 compression=ZIP
ctl POST faults '{"http_500": 1.0, "operations": ["CreateDeliveryStream"]}' >/dev/null
run zip apply "$tmp/zip.ini"
ctl POST faults '{}' >/dev/null
eq "refused create exits 1" "$rc" 1
if grep -qE "^provision: firehose $name-zip: InternalFailure: We encountered an internal error\. Please try again\. \(HTTP 500, request id [^ )]+\)$" "$tmp/zip.err"
then ok; else bad "refused create error line"; cat "$tmp/zip.err"; fi
run zipd destroy "$tmp/zip.ini"
eq "destroy after refused create" "$rc" 0

# --- an apply killed after the role exists converges when run again
name2="slkill-$$"
profile "$tmp/k.ini" "$name2"
ctl POST config '{"iam_propagation_seconds": 30}' >/dev/null
reset_ledger
"$P" apply "$tmp/k.ini" >"$tmp/kill.out" 2>&1 &
bg=$!
for _ in $(seq 100); do
  [ "$(ctl GET ledger | jq '[.calls[] | select(.operation == "CreateDeliveryStream")] | length')" -ge 1 ] && break
  sleep 0.1
done
kill -9 $bg 2>/dev/null
wait $bg 2>/dev/null
bg=
eq "killed apply left the role" "$(ctl GET ledger | jq -r '[.calls[] | select(.operation == "CreateRole")][0].status')" 200
ctl POST config '{"iam_propagation_seconds": 0}' >/dev/null
run plan5 plan "$tmp/k.ini"
eq "plan after kill" "$(tail -1 "$tmp/plan5.out")" "plan: 1 to create, 0 to update, 0 to replace, 2 ok"
reset_ledger
run apply5 apply "$tmp/k.ini"
eq "re-run apply exits 0" "$rc" 0
eq "re-run apply creates only the stream" "$(mutating_ops)" "CreateDeliveryStream"
reset_ledger
run apply6 apply "$tmp/k.ini"
eq "then nothing to do" "$(mutating)" 0
run kd destroy "$tmp/k.ini"
eq "destroy killed pipeline" "$rc" 0

# --- provision output: names and ARNs of what exists, one value alone, JSON
run out1 output "$prof"
eq "output: exit" "$rc" 0
eq "output: lines" "$(cat "$tmp/out1.out")" "region = us-east-1
account = 000000000000
bucket = $name
bucket_arn = arn:aws:s3:::$name
role = $name-role
role_arn = arn:aws:iam::000000000000:role/$name-role
firehose_stream = $name
firehose_stream_arn = arn:aws:firehose:us-east-1:000000000000:deliverystream/$name
s3_prefix = logs/
s3_error_prefix = errors/!{firehose:error-output-type}/"
run out2 output "$prof" firehose_stream_arn
eq "output NAME: the value alone" "$(cat "$tmp/out2.out")" "arn:aws:firehose:us-east-1:000000000000:deliverystream/$name"
run out3 output "$prof" no_such
eq "output unknown NAME: exit" "$rc" 64
eq "output unknown NAME: message" "$(head -c 52 "$tmp/out3.err")" "provision output: no_such: unknown output (known: re"
run out4 output --json "$prof"
eq "output --json: role_arn" "$(jq -r '.outputs.role_arn' "$tmp/out4.out")" "arn:aws:iam::000000000000:role/$name-role"
reset_ledger
run out5 output "$prof"
eq "output changes nothing" "$(mutating)" 0

# --- destroy, then destroy again: a no-op
reset_ledger
run d1 destroy "$prof"
eq "destroy exits 0" "$rc" 0
eq "destroy prints" "$(cat "$tmp/d1.out")" "- firehose $name: deleted (DeleteDeliveryStream)
- role $name-role: deleted (DeleteRolePolicy sluice-delivery, DeleteRole)
- bucket $name: deleted (DeleteBucket)
destroy: 3 deleted, 0 absent"
eq "destroy calls" "$(mutating_ops)" "DeleteDeliveryStream DeleteRolePolicy DeleteRole DeleteBucket"
reset_ledger
run d2 destroy --json "$prof"
eq "second destroy exits 0" "$rc" 0
eq "second destroy mutating calls" "$(mutating)" 0
eq "second destroy --json" "$(jq -c '[.resources[] | .type + ":" + .result]' "$tmp/d2.out")" \
  '["firehose:absent","role:absent","bucket:absent"]'
run plan6 plan "$prof"
eq "plan after destroy exits 2" "$rc" 2

# --- tls_only = true over plain http: a profile error naming file and line,
# before any request (from the profile's endpoint_url, or from the environment)
write_profile "$tmp/tls1.ini" "$name" bucket='tls_only = true'
reset_ledger
run tls1 plan "$tmp/tls1.ini"
eq "tls_only=true, http endpoint_url: exit" "$rc" 64
eq "tls_only=true, http endpoint_url: message" "$(cat "$tmp/tls1.err")" \
  "provision: $tmp/tls1.ini:8: [bucket] tls_only: true, but the S3 endpoint $EP is plain http: the TLS-only statement would deny sluice's own requests (use tls_only = auto, or an https endpoint)"
printf '[aws]\nregion = us-east-1\n\n[bucket]\nname = %s\ntls_only = true\n\n[firehose]\nname = %s\n' \
  "$name" "$name" >"$tmp/tls2.ini"
AWS_ENDPOINT_URL=$EP run tls2 apply "$tmp/tls2.ini"
eq "tls_only=true, http from the environment: exit" "$rc" 64
eq "tls_only=true, http from the environment: message" "$(cat "$tmp/tls2.err")" \
  "provision: $tmp/tls2.ini:6: [bucket] tls_only: true, but the S3 endpoint $EP is plain http: the TLS-only statement would deny sluice's own requests (use tls_only = auto, or an https endpoint)"
eq "tls_only=true over http: no request sent" "$(ctl GET ledger | jq '.calls | length')" 0

# --- output before apply: what is missing is named, exit 1
write_profile "$tmp/none.ini" "$name-none"
run outnone output "$tmp/none.ini" bucket
eq "output of nothing: exit" "$rc" 1
eq "output of nothing: stdout empty" "$(wc -c <"$tmp/outnone.out")" 0
eq "output of nothing: stderr" "$(cat "$tmp/outnone.err")" "provision output: bucket $name-none: does not exist (provision apply creates it)
provision output: role $name-none-role: does not exist (provision apply creates it)
provision output: firehose $name-none: does not exist (provision apply creates it)"

# --- a profile with bad UTF-8 (in a tag, which S3 would refuse only after the
# bucket exists), a control character and a section given twice: every
# problem in one pass, and apply makes no call at all
write_profile "$tmp/utf.ini" "$name" bucket=$'tags = team=d\xc3\x28ta\n[bucket]\nexpire_after_days = 3'
sed -i $'s|^prefix = logs/$|prefix = logs/\x01/|' "$tmp/utf.ini"
reset_ledger
run utf apply "$tmp/utf.ini"
eq "bad UTF-8: exit" "$rc" 64
eq "bad UTF-8: all problems at once" "$(cat "$tmp/utf.err")" \
"provision: $tmp/utf.ini:8: [bucket] tags: not valid UTF-8 (byte 0xc3 at column 7)
provision: $tmp/utf.ini:9: section [bucket] appears twice (first on line 6)
provision: $tmp/utf.ini:17: [firehose] prefix: control character 0x01 at column 6 (values are printable text)"
eq "bad UTF-8: no request sent" "$(ctl GET ledger | jq '.calls | length')" 0

ctl POST config '{"lifecycle_seconds": 1.0}' >/dev/null
done_counts provision-cli
