#!/usr/bin/env bash
# json_schemas.sh — every --json document validates against its schema in
# docs/json/ (python3-jsonschema), succeeding and failing, against the
# emulator the runner started; each carries format_version 1.
# Last line: "json-schemas: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
P="$SLUICE_BUILD/provision/provision"
I="$SLUICE_BUILD/inspect/inspect"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'ctl POST faults "{}" >/dev/null; ctl POST config "{\"time_scale\": 1.0}" >/dev/null; rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
n=0
faults() { ctl POST faults "$1" >/dev/null; }
# valid SCHEMA COMMAND...: the command's stdout validates (and is one document).
valid() {
  local schema=$1 lines=""
  shift
  [ "$schema" = ls ] && lines=--lines
  n=$((n + 1))
  "$@" >"$work/$n.json" 2>"$work/$n.err" </dev/null
  if "$top/tests/cli/json_check" "$top/docs/json" "$schema.schema.json" "$work/$n.json" $lines \
       2>"$work/$n.check"; then
    ok
  else
    bad "$schema: $*: $(cat "$work/$n.check")"
  fi
  if [ -z "$lines" ]; then
    eq "$schema: $*: format_version" "$(jq -r .format_version "$work/$n.json" 2>/dev/null)" 1
  fi
}

name="sl-json-$$"
prof="$work/p.ini"
# with logging, so every provision document has all five kinds of resource
write_profile "$prof" "$name" firehose='cloudwatch_logging = true'
down="$work/down.ini"
write_profile "$down" "$name" endpoint=http://127.0.0.1:9 attempts=1
printf '[bucket]\nname = B\n' >"$work/bad.ini"

for c in plan apply destroy status; do
  valid "$c" "$P" "$c" --json "$work/bad.ini"
  valid "$c" "$P" "$c" --json "$down"
done
valid plan "$P" plan --json "$prof"
valid apply "$P" apply --json --dry-run "$prof"
eq "apply --dry-run: a plan, marked" "$(jq -c '[.command, .dry_run, .changes_pending]' "$work/$n.json")" '["apply",true,true]'
valid apply "$P" apply --json "$prof"
valid status "$P" status --json "$prof"
eq "status: the log group is there" "$(jq -c '[.resources[] | .type]' "$work/$n.json")" \
  '["bucket","role","log_group","firehose"]'
valid plan "$P" plan --json "$prof"
valid output "$P" output --json "$prof"
valid output "$P" output --json "$work/bad.ini"
valid output "$P" output --json "$down"

valid send "$P" send --json "$prof" one two
valid send "$P" send --json "$work/bad.ini" one
valid send "$P" send --json "$down" one
faults '{"seed":3,"partial_failure":1.0,"operations":["PutRecordBatch"]}'
valid send "$P" send --json --max-attempts 1 "$prof" $'bytes \xff\xfe not UTF-8' two
eq "send: the failed records are listed" "$(jq '.failed_records | length' "$work/$n.json")" 2
eq "send: ill-formed UTF-8 as U+FFFD" "$(jq -r '.failed_records[0].record' "$work/$n.json")" \
  $'bytes \xef\xbf\xbd\xef\xbf\xbd not UTF-8'
eq "send: the bytes as sent, in base64" "$(jq -r '.failed_records[0].record_base64' "$work/$n.json" | base64 -d | od -An -tx1 | tr -d ' \n')" \
  "$(printf 'bytes \xff\xfe not UTF-8\n' | od -An -tx1 | tr -d ' \n')"
valid send "$P" send --json --max-attempts 1 --dead-letter "$work/dl.jsonl" "$prof" one
faults '{}'

ctl POST config '{"time_scale": 60.0}' >/dev/null
valid smoke "$P" smoke --json "$prof" --count 2 --timeout 60s
ctl POST firehose/pause >/dev/null
valid smoke "$P" smoke --json "$prof" --count 1 --timeout 2s --interval 500ms
ctl POST firehose/resume >/dev/null
ctl POST config '{"time_scale": 1.0}' >/dev/null
valid smoke "$P" smoke --json "$work/bad.ini"
valid smoke "$P" smoke --json "$down"

valid stats "$I" stats --json "$prof"
valid stats "$I" stats --json "$work/bad.ini"
valid stats "$I" stats --json "$down"
valid stats "$I" stats --json "$prof" --where sluice_canary=true
valid ls "$I" ls --json "$prof"
eq "ls: one line per key" "$(wc -l <"$work/$n.json")" "$("$I" ls "$prof" | wc -l)"

valid destroy "$P" destroy --json --dry-run "$prof"
valid destroy "$P" destroy --json --empty-bucket "$prof"
done_counts json-schemas
