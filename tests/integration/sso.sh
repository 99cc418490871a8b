#!/usr/bin/env bash
# sso.sh — an AWS SSO profile against the emulator the runner started: the
# token `aws sso login` would have cached is exchanged at the portal
# (GetRoleCredentials, served by the emulator) once per run, and the role's
# credentials do the work; expired, unknown and unauthorized tokens say
# what to do. Last line: "sso: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clean_env
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export HOME="$work/home" AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/none"
mkdir -p "$HOME/.aws/sso/cache"
# token EXPIRES_AT: the cache file `aws sso login` writes for sso-session corp.
token() {
  printf '{"startUrl":"https://corp.example/start","region":"us-east-1","accessToken":"%s","expiresAt":"%s"}\n' \
    "$tok" "$1" >"$HOME/.aws/sso/cache/$(printf corp | sha1sum | cut -d' ' -f1).json"
}

name="sl-sso-$$"
tok="sso-token-$$-$RANDOM$RANDOM"
cat >"$AWS_CONFIG_FILE" <<EOC
[profile dev]
sso_session = corp
sso_account_id = 000000000000
sso_role_name = PipelineAdmin
region = us-east-1

[profile other-role]
sso_session = corp
sso_account_id = 000000000000
sso_role_name = NotMine
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.example/start
sso_region = us-east-1
EOC
ctl POST sso/tokens "{\"access_token\":\"$tok\",\"expires_in\":3600,\"roles\":[{\"account_id\":\"000000000000\",\"role_name\":\"PipelineAdmin\"}]}" >/dev/null
write_profile "$work/p.ini" "$name"
export AWS_PROFILE=dev
token 2099-01-01T00:00:00Z

once() { once_per_run GetRoleCredentials "$@"; }
once "apply" 0 "$P" apply "$work/p.ini"
once "plan" 0 "$P" plan "$work/p.ini"
once "send with 4 workers" 0 "$P" send "$work/p.ini" --concurrency 4 --batch-size 1 a b c d e f
eq "the bearer token is never printed" "$(grep -c -- "$tok" "$work/out" "$work/err" | awk -F: '{s+=$2} END {print s}')" 0
"$P" plan -vvv "$work/p.ini" >"$work/out" 2>"$work/err"
eq "not at -vvv either" "$(grep -c -- "$tok" "$work/err")" 0

token 2020-01-01T00:00:00Z
"$P" plan "$work/p.ini" >/dev/null 2>"$work/err"
eq "expired token" "$?: $(cat "$work/err")" \
  "1: provision: $work/p.ini: profile dev: the AWS SSO token expired at 2020-01-01T00:00:00Z: run aws sso login --profile dev"
rm -f "$HOME"/.aws/sso/cache/*.json
"$P" plan "$work/p.ini" >/dev/null 2>"$work/err"
eq "never logged in: exit" "$?" 1
eq "never logged in: says how" "$(grep -c "profile dev: no AWS SSO token cached (.*): run aws sso login --profile dev" "$work/err")" 1
good=$tok
tok="sso-token-unknown-$$"
token 2099-01-01T00:00:00Z
"$P" plan "$work/p.ini" >/dev/null 2>"$work/err"
eq "a token the portal does not know" "$?: $(sed -E 's/request id [0-9a-f-]{36}/request id ID/' "$work/err")" \
  "1: provision: $work/p.ini: UnauthorizedException: profile dev: the AWS SSO session is no longer valid (GetRoleCredentials): run aws sso login --profile dev (HTTP 401, request id ID)"
tok=$good
token 2099-01-01T00:00:00Z
AWS_PROFILE=other-role "$P" plan "$work/p.ini" >/dev/null 2>"$work/err"
eq "a role the user may not use: exit" "$?" 1
eq "a role the user may not use: named" \
  "$(grep -c "ForbiddenException: profile other-role: the AWS SSO user may not use role NotMine in account 000000000000 (GetRoleCredentials) (HTTP 403, request id [0-9a-f-]*)" "$work/err")" 1

"$P" destroy --empty-bucket "$work/p.ini" >/dev/null 2>&1
done_counts sso
