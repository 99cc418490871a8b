#!/usr/bin/env bash
# role_drift.sh — plan reads all of the role: an inline policy and a managed
# policy added by hand (the AWS CLI here) and a permissions boundary are
# drift, one line each; apply removes exactly them, a second apply changes
# nothing; [role] permissions_boundary is set at create and kept; destroy of
# a role with an attached policy finishes. Last line: "role_drift: N passed,
# N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
suite_setup
ADMIN=arn:aws:iam::aws:policy/AdministratorAccess
S3FULL=arn:aws:iam::aws:policy/AmazonS3FullAccess
ANY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

ctl POST config '{"iam_propagation_seconds": 0}' >/dev/null
name="drift-$$"
role="$name-role"
write_profile "$work/p.ini" "$name"
run apply1 "$P" apply "$work/p.ini"
eq "apply creates" "$rc" 0

# --- policies added by hand
awsx iam put-role-policy --role-name "$role" --policy-name handmade --policy-document "$ANY"
awsx iam attach-role-policy --role-name "$role" --policy-arn "$ADMIN"
awsx iam attach-role-policy --role-name "$role" --policy-arn "$S3FULL"
awsx iam put-role-permissions-boundary --role-name "$role" --permissions-boundary "$S3FULL"

run plan1 "$P" plan "$work/p.ini"
eq "plan with drift exits 2" "$rc" 2
eq "plan shows each extra policy" "$(sed -n '/role/,/^[=+~]/p' "$work/plan1.out" | sed '$d')" \
"~ role $role: update
    ~ permissions_boundary: $S3FULL -> none
    ~ extra_policy: inline handmade -> deleted
    ~ extra_policy: managed $ADMIN -> detached
    ~ extra_policy: managed $S3FULL -> detached"
eq "plan summary" "$(tail -1 "$work/plan1.out")" "plan: 0 to create, 1 to update, 0 to replace, 2 ok"

run json1 "$P" plan --json "$work/p.ini"
eq "plan --json: role changes" "$(jq -c '.resources[] | select(.type == "role") | [.action, [.changes[] | .from]]' "$work/json1.out")" \
  "[\"update\",[\"$S3FULL\",\"inline handmade\",\"managed $ADMIN\",\"managed $S3FULL\"]]"

run status1 "$P" status "$work/p.ini"
eq "status: attached policies" "$(grep '^    attached_policies:' "$work/status1.out")" "    attached_policies: $ADMIN, $S3FULL"
eq "status: other inline policies" "$(grep '^    other_inline_policies:' "$work/status1.out")" "    other_inline_policies: handmade"
eq "status: boundary" "$(grep '^    permissions_boundary:' "$work/status1.out")" "    permissions_boundary: $S3FULL"
run status1j "$P" status --json "$work/p.ini"
eq "status --json: attached" "$(jq -r '.resources[] | select(.type == "role") | .state.attached_policies' "$work/status1j.out")" "$ADMIN, $S3FULL"

# --- apply removes exactly the drift; the policies themselves stay
ctl POST ledger/reset >/dev/null
run apply2 "$P" apply "$work/p.ini"
eq "apply removes drift: exit" "$rc" 0
eq "apply removes drift: calls" "$(mutating_ops)" "DeleteRolePermissionsBoundary DeleteRolePolicy DetachRolePolicy DetachRolePolicy"
grep -qxF "~ role $role: updated (DeleteRolePermissionsBoundary, DeleteRolePolicy handmade, DetachRolePolicy $ADMIN, DetachRolePolicy $S3FULL)" "$work/apply2.out" \
  && ok || { bad "apply line:"; cat "$work/apply2.out"; }
eq "only our inline policy left" "$(awsx iam list-role-policies --role-name "$role" --query 'PolicyNames' --output text)" "sluice-delivery"
eq "nothing attached" "$(awsx iam list-attached-role-policies --role-name "$role" --query 'length(AttachedPolicies)')" 0
eq "no boundary" "$(awsx iam get-role --role-name "$role" --query 'Role.PermissionsBoundary' --output text)" "None"
ctl POST ledger/reset >/dev/null
run apply3 "$P" apply "$work/p.ini"
eq "second apply: exit" "$rc" 0
eq "second apply: no changing call" "$(mutating_ops)" ""

# --- a widened sluice policy: plan shows the statement that was added by hand
doc=$(awsx iam get-role-policy --role-name "$role" --policy-name sluice-delivery --query PolicyDocument --output json |
      jq -c '.Statement += [{"Sid":"Extra","Effect":"Allow","Action":"s3:*","Resource":"*"}]')
awsx iam put-role-policy --role-name "$role" --policy-name sluice-delivery --policy-document "$doc"
run pdiff "$P" plan "$work/p.ini"
eq "policy drift shown as a diff" "$(grep -A1 '~ inline_policy' "$work/pdiff.out")" \
'    ~ inline_policy: differs -> sluice-delivery (least privilege)
        - {"Action":"s3:*","Effect":"Allow","Resource":"*","Sid":"Extra"}'
run pdiffj "$P" plan --json "$work/p.ini"
eq "policy drift --json: before, after, removed" "$(jq -c '.resources[] | select(.type == "role") | .changes[0] |
  [(.before.Statement | length) - (.after.Statement | length), .removed[0].Sid, (.added | length)]' "$work/pdiffj.out")" '[1,"Extra",0]'
run pfix "$P" apply "$work/p.ini"
eq "policy drift: apply puts it back" "$rc" 0

# --- [role] permissions_boundary: put on the existing role, then kept
sed -i "/^name = $role\$/a permissions_boundary = $S3FULL" "$work/p.ini"
run plan2 "$P" plan "$work/p.ini"
eq "boundary wanted: plan line" "$(grep permissions_boundary "$work/plan2.out")" "    ~ permissions_boundary: none -> $S3FULL"
ctl POST ledger/reset >/dev/null
run apply4 "$P" apply "$work/p.ini"
eq "boundary wanted: apply calls" "$(mutating_ops)" "PutRolePermissionsBoundary"
eq "boundary on the role" "$(awsx iam get-role --role-name "$role" --query 'Role.PermissionsBoundary.PermissionsBoundaryArn' --output text)" "$S3FULL"
run plan3 "$P" plan "$work/p.ini"
eq "boundary kept: plan ok" "$rc" 0

# --- destroy of a role with an attached managed policy finishes
awsx iam attach-role-policy --role-name "$role" --policy-arn "$ADMIN"
awsx iam put-role-policy --role-name "$role" --policy-name late --policy-document "$ANY"
ctl POST ledger/reset >/dev/null
run destroy1 "$P" destroy "$work/p.ini"
eq "destroy with attached policy: exit" "$rc" 0
grep -qxF -- "- role $role: deleted (DeleteRolePolicy sluice-delivery, DeleteRolePolicy late, DetachRolePolicy $ADMIN, DeleteRole)" "$work/destroy1.out" \
  && ok || { bad "destroy role line:"; cat "$work/destroy1.out" "$work/destroy1.err"; }
run gone awsx iam get-role --role-name "$role"
eq "role gone" "$(grep -c 'NoSuchEntity' "$work/gone.err")" 1

# --- a new role gets its boundary in CreateRole
ctl POST ledger/reset >/dev/null
run apply5 "$P" apply "$work/p.ini"
eq "create with boundary: exit" "$rc" 0
eq "CreateRole carried the boundary" "$(ctl GET ledger | jq -r '[.calls[] | select(.operation == "PutRolePermissionsBoundary")] | length')" 0
eq "boundary on the new role" "$(awsx iam get-role --role-name "$role" --query 'Role.PermissionsBoundary.PermissionsBoundaryArn' --output text)" "$S3FULL"
run plan4 "$P" plan "$work/p.ini"
eq "after create: plan ok" "$rc" 0
run destroy2 "$P" destroy "$work/p.ini"
eq "destroy: exit" "$rc" 0

# --- no silent sharing across regions. The default role name carries the
# region (the emulator keeps one Firehose name across regions, so the two
# pipelines here differ by a letter; the name rule itself is unit-tested).
two="tworeg-$$"
for r in us-east-1 us-west-2; do
  write_profile "$work/$r.ini" "$two-${r#us-}" region=$r
  sed -i -e '/^\[role\]$/,/^$/d' "$work/$r.ini"     # no [role]: the default name
  run "reg-$r" "$P" apply "$work/$r.ini"
  eq "default role in $r: apply" "$rc" 0
done
eq "two regions, two roles" "$(awsx iam list-roles --query "Roles[?starts_with(RoleName, '$two')].RoleName" --output text | tr '\t' ' ')" \
  "$two-east-1-us-east-1-firehose $two-west-2-us-west-2-firehose"
eq "the role names its pipeline" "$(awsx iam list-role-tags --role-name "$two-west-2-us-west-2-firehose" --query "Tags[?Key=='sluice:pipeline'].Value" --output text)" \
  "us-west-2/$two-west-2"
# One [role] name given to both: the second apply refuses, naming the first pipeline.
for r in us-east-1 us-west-2; do
  sed -i "s/^\[firehose\]$/[role]\nname = $two-shared\n\n[firehose]/" "$work/$r.ini"
done
run shared1 "$P" apply "$work/us-east-1.ini"
eq "shared role: first apply" "$rc" 0
ctl POST ledger/reset >/dev/null
run shared2 "$P" apply "$work/us-west-2.ini"
eq "shared role: second apply refused" "$rc" 1
eq "shared role: the message" "$(cat "$work/shared2.err")" \
  "provision: role $two-shared: RoleInUse: is used by the pipeline us-east-1/$two-east-1 (its tag sluice:pipeline); apply does not take it over (its policy would stop serving that pipeline): give this profile its own [role] name"
eq "shared role: nothing changed" "$(mutating_ops)" ""
run shared3 "$P" plan "$work/us-west-2.ini"
eq "shared role: plan says so" "$(grep "role $two-shared" "$work/shared3.out")" \
  "~ role $two-shared: update (used by the pipeline us-east-1/$two-east-1 (its tag sluice:pipeline): apply refuses to take it over; give this profile its own [role] name)"
# A role from before the tag, whose policy grants another bucket: refused too.
awsx iam untag-role --role-name "$two-shared" --tag-keys sluice:pipeline
run shared4 "$P" apply "$work/us-west-2.ini"
eq "untagged role of another bucket: refused" "$(cut -d: -f1-3 "$work/shared4.err")" "provision: role $two-shared: RoleInUse"
grep -qF "the pipeline writing to arn:aws:s3:::$two-east-1 (its sluice-delivery policy)" "$work/shared4.err" && ok || bad "untagged: names the bucket: $(cat "$work/shared4.err")"
# The default name before 0.3.0: plan says how to keep using it.
write_profile "$work/legacy.ini" "leg-$$"
sed -i -e '/^\[role\]$/,/^$/d' "$work/legacy.ini"
awsx iam create-role --role-name "leg-$$-firehose" --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"firehose.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
run legacy "$P" plan "$work/legacy.ini"
eq "old default name: the hint" "$(grep '^+ role' "$work/legacy.out")" \
  "+ role leg-$$-us-east-1-firehose: create (a role leg-$$-firehose, the default name before sluice 0.3.0, exists: set [role] name = leg-$$-firehose to keep using it)"

done_counts role_drift
