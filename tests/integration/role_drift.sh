#!/usr/bin/env bash
# role_drift.sh — plan reads all of the role: an inline policy and a managed
# policy added by hand (the AWS CLI here) and a permissions boundary are
# drift, one line each; apply removes exactly them, a second apply changes
# nothing; [role] permissions_boundary is set at create and kept; destroy of
# a role with an attached policy finishes. Last line: "role_drift: N passed,
# N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
run() {
  local n=$1
  shift
  "$@" >"$work/$n.out" 2>"$work/$n.err"
  rc=$?
}
mutating_ops() { ctl GET ledger | jq -r '[.calls[] | select(.mutating) | .operation] | join(" ")'; }
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

done_counts role_drift
