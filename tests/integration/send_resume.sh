#!/usr/bin/env bash
# send_resume.sh — `provision send --checkpoint`: a send killed with SIGKILL
# at a random moment (20 runs) and run again with the same command leaves
# every record stored at least once, and no more copies than the rerun said
# it may duplicate; a finished checkpoint sends nothing more; a checkpoint
# of other input is refused; stdin cannot be checkpointed.
# Last line: "send_resume: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'ctl POST faults "{}" >/dev/null; rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
summary() { ctl GET ledger/summary | jq -r "$1"; }

ctl POST config '{"iam_propagation_seconds": 0}' >/dev/null
name="resume-$$"
write_profile "$work/p.ini" "$name"
"$P" apply -q "$work/p.ini" || bad "apply"
send() { "$P" send "$work/p.ini" --file "$work/in.txt" --batch-size 50 --checkpoint "$work/ck.json" "$@"; }
# every request held 20 ms: a 2000-record send takes about half a second
ctl POST faults '{"slow": 1.0, "slow_ms": 20, "operations": ["PutRecordBatch"]}' >/dev/null
lost=0 over=0 resumed=0
for run in $(seq 20); do
  seq -f "run-$run-rec-%.0f" 1 2000 >"$work/in.txt"
  rm -f "$work/ck.json"
  ctl POST ledger/reset >/dev/null
  # the binary itself in the background (a function would be a subshell,
  # and SIGKILL would leave its child running)
  "$P" send "$work/p.ini" --file "$work/in.txt" --batch-size 50 --checkpoint "$work/ck.json" \
    >/dev/null 2>&1 &
  pid=$!
  sleep "0.$(( RANDOM % 7 ))$(( RANDOM % 10 ))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  send >/dev/null 2>"$work/err" || bad "run $run: the rerun failed: $(cat "$work/err")"
  said=$(sed -n 's/.*; \([0-9]*\) sent earlier with no outcome known.*/\1/p' "$work/err")
  [ -n "$said" ] && resumed=$((resumed + 1))
  unique=$(summary .unique_records) dups=$(summary .duplicates)
  [ "$unique" = 2000 ] || { lost=$((lost + 1)); echo "run $run: $unique of 2000 stored"; }
  [ "$dups" -le "${said:-0}" ] || { over=$((over + 1)); echo "run $run: $dups duplicates, ${said:-0} said"; }
done
ctl POST faults '{}' >/dev/null
eq "20 killed sends, resumed: every record stored" "$lost" 0
eq "20 killed sends, resumed: no more duplicates than said" "$over" 0
eq "the kills came mid-send (a rerun had something to resume)" "$([ "$resumed" -ge 5 ] && echo yes)" yes

# finished: the same command again sends nothing
ctl POST ledger/reset >/dev/null
send >"$work/again.out" 2>"$work/again.err"
eq "finished checkpoint: exit 0" "$?" 0
eq "finished checkpoint: nothing sent" "$(summary .records)" 0
eq "finished checkpoint: said" "$(cat "$work/again.err")" \
  "provision send: resuming from $work/ck.json: 2000 records settled earlier are skipped; 0 sent earlier with no outcome known are sent again (possible duplicates)"
# the file is the checkpoint's: 0600, every record settled
eq "checkpoint: mode 0600" "$(stat -c %a "$work/ck.json")" 600
eq "checkpoint: all settled" "$(jq -c '[.settled_below, .reserved, .settled, .failed]' "$work/ck.json")" '[2000,2000,[],[]]'

# other input: refused before anything is sent
echo extra >>"$work/in.txt"
ctl POST ledger/reset >/dev/null
send >/dev/null 2>"$work/other.err"
eq "other input: usage error" "$?" 64
eq "other input: says so" "$(grep -c "is for other input: it has .*\"size\":[0-9]*.* this run reads .*(remove the file to start over)" "$work/other.err")" 1
eq "other input: nothing sent" "$(summary .mutating_calls)/$(summary .records)" 0/0
# stdin cannot be read again
"$P" send "$work/p.ini" --checkpoint "$work/ck2.json" <"$work/in.txt" >/dev/null 2>"$work/stdin.err"
eq "stdin: refused" "$?/$(cat "$work/stdin.err")" \
  "64/provision send: --checkpoint needs the input as --file (stdin cannot be read again by a rerun)"
"$P" destroy -q "$work/p.ini" >/dev/null 2>&1
done_counts send_resume
