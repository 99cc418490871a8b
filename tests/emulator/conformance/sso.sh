#!/bin/bash
# Conformance: the IAM Identity Center portal (GetRoleCredentials, ListAccounts, ListAccountRoles; Logout is
# only reachable through `aws sso logout`'s token cache, so tests/test_sso.py covers it) driven with the AWS CLI (Debian's /usr/bin/aws); the bearer token `aws sso login` would cache is registered
# through the control endpoint. The role credentials it hands out then sign an STS call.
#
# Usage: run by conformance/run.sh (which exports EMU_ENDPOINT and the isolated AWS_* environment), or
#   EMU_ENDPOINT=http://127.0.0.1:PORT tests/emulator/conformance/sso.sh
# Last line: "N passed, N failed"; exits non-zero on any failure.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -n "${EMU_ENDPOINT:-}" ] || { echo "sso.sh: EMU_ENDPOINT is not set (run conformance/run.sh)" >&2; echo "0 passed, 1 failed"; exit 1; }
# shellcheck source=lib.sh
. "$HERE/lib.sh"

tok="conf-sso-$$"
curl -sf -X POST "$EMU_ENDPOINT/_emu/sso/tokens" -d "{\"access_token\":\"$tok\",\"expires_in\":600,
  \"roles\":[{\"account_id\":\"000000000000\",\"role_name\":\"Admin\"},{\"account_id\":\"111111111111\",\"role_name\":\"Reader\"}]}" \
  >/dev/null || _fail "register a token" "control endpoint refused"

expect_ok "sso get-role-credentials" sso get-role-credentials --role-name Admin --account-id 000000000000 \
  --access-token "$tok" && check "role credentials" \
  '(.roleCredentials.accessKeyId | test("^ASIA[A-Z0-9]{16}$")) and (.roleCredentials.secretAccessKey | length) == 40
   and (.roleCredentials.expiration > (now * 1000))'
creds=$OUT
AWS_ACCESS_KEY_ID=$(printf '%s' "$creds" | jq -r .roleCredentials.accessKeyId) \
AWS_SECRET_ACCESS_KEY=$(printf '%s' "$creds" | jq -r .roleCredentials.secretAccessKey) \
AWS_SESSION_TOKEN=$(printf '%s' "$creds" | jq -r .roleCredentials.sessionToken) \
  expect_ok "the role credentials sign sts get-caller-identity" sts get-caller-identity \
  && check "caller is the SSO role" '.Arn | test("^arn:aws:sts::000000000000:assumed-role/AWSReservedSSO_Admin_[0-9a-f]+/")'
expect_err "a role not assigned" ForbiddenException sso get-role-credentials --role-name Reader \
  --account-id 000000000000 --access-token "$tok"
expect_err "an unknown token" UnauthorizedException sso get-role-credentials --role-name Admin \
  --account-id 000000000000 --access-token "not-$tok"
expect_ok "sso list-accounts" sso list-accounts --access-token "$tok" \
  && check "both accounts" '[.accountList[].accountId] == ["000000000000","111111111111"]'
expect_ok "sso list-account-roles" sso list-account-roles --access-token "$tok" --account-id 111111111111 \
  && check "the one role" '.roleList == [{"roleName":"Reader","accountId":"111111111111"}]'
summary
[ "$FAIL" -eq 0 ]
