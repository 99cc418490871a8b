#!/usr/bin/env bash
# send_resume.sh — `provision send --checkpoint`: a send killed with SIGKILL
# at a random moment (20 runs) and run again with the same command leaves
# every record stored at least once, and no more copies than the rerun said
# it may duplicate; a finished checkpoint sends nothing more; a checkpoint
# of other input is refused; stdin cannot be checkpointed. SIGINT and
# SIGTERM stop a send within a bound, with a last checkpoint and a summary.
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
# ---- SIGINT / SIGTERM: reading stops, what is in flight is abandoned, the
# summary and a last checkpoint are written; nothing read is lost.
# stopped PID: waits up to 10 s for it to exit, then kills it; its exit code
stopped() {
  local i
  for i in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$1" 2>/dev/null && { bad "pid $1 still running 10 s after the signal"; kill -9 "$1"; }
  wait "$1"
}
# the records the emulator stored, as sha256 of each line sent
stored_lines() { ctl GET ledger | jq -r '.records[].sha256' | sort -u; }
sha_lines() { while IFS= read -r l; do printf '%s\n' "$l" | sha256sum | cut -c1-64; done; }
ctl POST faults '{"slow": 1.0, "slow_ms": 20, "operations": ["PutRecordBatch"]}' >/dev/null
seq -f "sig-rec-%.0f" 1 3000 >"$work/in.txt"
rm -f "$work/ck.json" "$work/dl.jsonl"
ctl POST ledger/reset >/dev/null
"$P" send "$work/p.ini" --file "$work/in.txt" --batch-size 50 --checkpoint "$work/ck.json" \
  --dead-letter "$work/dl.jsonl" --results "$work/res.jsonl" >"$work/int.out" 2>"$work/int.err" &
pid=$!
sleep 0.5
kill -INT "$pid"
stopped "$pid"
eq "SIGINT: exit 130" "$?" 130
line=$(tail -1 "$work/int.err")
n=$(printf '%s' "$line" | sed -n 's/.*; \([0-9]*\) records were not sent or got no answer.*/\1/p')
eq "SIGINT: says what is left and how to go on" "$(printf '%s' "$line" | sed "s|$work|W|g; s/[0-9][0-9]*/N/g")" \
  "provision send: interrupted (SIGINT) after reading W/in.txt:N; N records were not sent or got no answer (not settled in the checkpoint); run the same command again to send the rest (--checkpoint W/ck.json)"
eq "SIGINT: the summary is printed" "$(grep -c '^firehose resume-.*: total ' "$work/int.out")" 1
eq "SIGINT with a checkpoint: nothing dead-lettered" "$(cat "$work/dl.jsonl" 2>/dev/null | wc -l)" 0
eq "SIGINT: --results lists them as interrupted" \
  "$(jq -r 'select(.status == "interrupted") | .error_code' "$work/res.jsonl" | sort | uniq -c | tr -s ' ')" \
  " ${n:-?} Interrupted"
eq "SIGINT: stopped mid-send" "$([ "$(summary .unique_records)" -lt 3000 ] && echo yes)" yes
send >/dev/null 2>"$work/err" || bad "after SIGINT: the rerun failed: $(cat "$work/err")"
said=$(sed -n 's/.*; \([0-9]*\) sent earlier with no outcome known.*/\1/p' "$work/err")
eq "SIGINT, rerun: every record stored" "$(summary .unique_records)" 3000
eq "SIGINT, rerun: no more duplicates than said" \
  "$([ "$(summary .duplicates)" -le "${said:-0}" ] && [ "${said:-0}" -le "${n:-0}" ] && echo yes)" yes

# SIGTERM without a checkpoint: what was read and not sent is dead-lettered
# (Interrupted), so stored + dead-lettered are exactly the lines read
rm -f "$work/dl.jsonl"
ctl POST ledger/reset >/dev/null
"$P" send "$work/p.ini" --file "$work/in.txt" --batch-size 50 --dead-letter "$work/dl.jsonl" \
  >/dev/null 2>"$work/term.err" &
pid=$!
sleep 0.5
kill -TERM "$pid"
stopped "$pid"
eq "SIGTERM: exit 143" "$?" 143
read_to=$(tail -1 "$work/term.err" | sed -n 's/.*after reading [^ ]*:\([0-9]*\);.*/\1/p')
eq "SIGTERM: says so" "$(tail -1 "$work/term.err" | sed "s|$work|W|g; s/[0-9][0-9]*/N/g")" \
  "provision send: terminated (SIGTERM) after reading W/in.txt:N; N records were not sent or got no answer (dead-lettered as Interrupted); the input after that was not read"
eq "SIGTERM: dead letters are Interrupted" "$(jq -r .error_code "$work/dl.jsonl" | sort -u)" Interrupted
{ stored_lines; jq -r .record "$work/dl.jsonl" | base64 -d | sed 's/$//' | sha_lines; } | sort -u >"$work/got"
head -n "${read_to:-0}" "$work/in.txt" | sha_lines | sort -u >"$work/want"
eq "SIGTERM: stored or dead-lettered = every line read ($read_to)" \
  "$(cmp -s "$work/got" "$work/want" && echo same)" same

# a reader blocked on a quiet pipe wakes at the signal (the workers do not
# take it): what came through is sent, exit 130
rm -f "$work/fifo"
mkfifo "$work/fifo"
ctl POST faults '{}' >/dev/null
ctl POST ledger/reset >/dev/null
"$P" send "$work/p.ini" <"$work/fifo" >/dev/null 2>&1 &
pid=$!
exec 3>"$work/fifo"
seq -f "pipe-%.0f" 1 30 >&3
sleep 1.5
kill -INT "$pid"
stopped "$pid"
eq "blocked on a pipe: exit 130" "$?" 130
exec 3>&-
eq "blocked on a pipe: the 30 records written are stored" "$(summary .unique_records)" 30

"$P" destroy -q "$work/p.ini" >/dev/null 2>&1
done_counts send_resume
