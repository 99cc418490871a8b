# lib.sh — what the shell suites share; sourced, not run (the runner runs
# only the executable *.sh here). Counters and checks, the emulator's control
# API, a clean AWS environment and the profile every suite starts from.
# shellcheck shell=bash

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# eq WHAT GOT WANT
eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
# done_counts SUITE: the last line the runner reads; the status is the suite's.
done_counts() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

# ctl METHOD PATH [JSON]: the emulator's control API at $EMU, which is $EP
# unless the suite puts a proxy in front.
ctl() { curl -s -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$EMU/_emu/$2"; }

# clean_env: nothing of the caller's AWS setup reaches the binaries but
# what the suite exports itself.
clean_env() {
  unset AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_SESSION_TOKEN AWS_ENDPOINT_URL
  export AWS_EC2_METADATA_DISABLED=true
}

# suite_setup: the start of a suite against the emulator: P and I (the
# binaries), EP/EMU, a private $work removed at exit (kept, and named, with
# KEEP=1), the caller's AWS setup cleared and test keys with no shared files.
suite_setup() {
  P="$SLUICE_BUILD/provision/provision"
  I="$SLUICE_BUILD/inspect/inspect"
  EP="$SLUICE_TEST_ENDPOINT"
  EMU=$EP
  work=$(mktemp -d)
  [ -n "${KEEP:-}" ] && echo "work: $work"
  trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
  clean_env
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
}
# awsx ARGS...: the awscli against the emulator in us-east-1.
awsx() { aws --endpoint-url "$EP" --region us-east-1 "$@"; }
# run NAME CMD...: CMD's output in $work/NAME.out and .err, its status in rc.
run() {
  local n=$1
  shift
  "$@" >"$work/$n.out" 2>"$work/$n.err"
  rc=$?
}
mutating_ops() { ctl GET ledger | jq -r '[.calls[] | select(.mutating) | .operation] | join(" ")'; }

# write_profile FILE NAME [KEY=VALUE ...]: a pipeline named NAME at $EP.
# KEYs change one value (region, endpoint, attempts, buffer, delay) or add
# lines where a suite needs them: aws (after max_attempts, even when empty,
# so the line numbers stay put), bucket, source, compression, firehose (after
# the firehose settings).
write_profile() {
  local file=$1 name=$2 kv
  local region=us-east-1 endpoint=$EP attempts=5 buffer=1 delay=1
  local aws='' bucket='' source='' compression='' has_aws='' firehose=''
  shift 2
  for kv in "$@"; do
    case $kv in
      region=*) region=${kv#*=} ;;
      endpoint=*) endpoint=${kv#*=} ;;
      attempts=*) attempts=${kv#*=} ;;
      buffer=*) buffer=${kv#*=} ;;
      delay=*) delay=${kv#*=} ;;
      aws=*) aws=${kv#*=}; has_aws=1 ;;
      bucket=*) bucket=${kv#*=} ;;
      source=*) source=${kv#*=} ;;
      compression=*) compression=${kv#*=} ;;
      firehose=*) firehose=${kv#*=} ;;
      *) echo "write_profile: unknown key $kv" >&2; return 1 ;;
    esac
  done
  {
    printf '[aws]\nregion = %s\nendpoint_url = %s\nmax_attempts = %s\n' \
      "$region" "$endpoint" "$attempts"
    [ -n "$has_aws" ] && printf '%s\n' "$aws"
    printf '\n[bucket]\nname = %s\n' "$name"
    [ -n "$bucket" ] && printf '%s\n' "$bucket"
    printf '\n[role]\nname = %s-role\n' "$name"
    printf '\n[firehose]\nname = %s\n' "$name"
    [ -n "$source" ] && printf 'source = %s\n' "$source"
    printf 'prefix = logs/\nerror_prefix = errors/!{firehose:error-output-type}/\n'
    printf 'buffer_size_mb = %s\nbuffer_interval_s = 60\n' "$buffer"
    [ -n "$compression" ] && printf 'compression = %s\n' "$compression"
    [ -n "$firehose" ] && printf '%s\n' "$firehose"
    printf '\n[retry]\ncreate_attempts = 30\ncreate_delay_s = %s\n' "$delay"
  } >"$file"
}

# ledger_calls OPERATION: how many calls of it the emulator's ledger holds.
ledger_calls() { ctl GET ledger | jq --arg op "$1" '[.calls[] | select(.operation == $op)] | length'; }
# once_per_run OPERATION WHAT WANT_EXIT COMMAND...: the command exits
# WANT_EXIT and makes exactly one OPERATION call (output in $work/out, err).
once_per_run() {
  local op=$1 what=$2 want=$3 before
  shift 3
  before=$(ledger_calls "$op")
  "$@" >"$work/out" 2>"$work/err"
  eq "$what: exit" "$?" "$want"
  eq "$what: one $op" "$(( $(ledger_calls "$op") - before ))" 1
}
