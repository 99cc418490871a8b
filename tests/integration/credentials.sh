#!/usr/bin/env bash
# credentials.sh — credentials are resolved once per process and shared by
# every client: a role_arn profile costs one AssumeRole per run (the
# emulator's ledger counts them), whatever the command's clients and
# workers. Against the emulator the runner started.
# Last line: "credentials: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
I="$SLUICE_BUILD/inspect/inspect"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clean_env
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials"

name="sl-cred-$$"
role="sl-cred-deploy-$$"
printf '[base]\naws_access_key_id = test\naws_secret_access_key = test\n' >"$work/credentials"
chmod 600 "$work/credentials"
cat >"$work/config" <<EOC
[profile base]
region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::000000000000:role/$role
source_profile = base
role_session_name = sluice-test
region = us-east-1
EOC
AWS_PROFILE=base aws --endpoint-url "$EP" iam create-role --role-name "$role" \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}' \
  >/dev/null
eq "role created" "$?" 0
write_profile "$work/p.ini" "$name"
export AWS_PROFILE=deploy

once() { once_per_run AssumeRole "$@"; }
once "plan (4 resources read at once)" 2 "$P" plan "$work/p.ini"
once "apply" 0 "$P" apply "$work/p.ini"
once "apply again" 0 "$P" apply "$work/p.ini"
once "send with 4 workers" 0 "$P" send "$work/p.ini" --concurrency 4 --batch-size 1 a b c d e f g h
once "inspect stats, 8 objects at once" 0 "$I" stats "$work/p.ini" --concurrency 8
once "destroy" 0 "$P" destroy --empty-bucket "$work/p.ini"

done_counts credentials
