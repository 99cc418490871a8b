#!/usr/bin/env bash
# send.sh — `provision send` end to end: the real binary against the
# emulator the runner started ($SLUICE_TEST_ENDPOINT, $SLUICE_BUILD), with a
# profile written to a temp dir. Last line: "send-cli: N passed, N failed".
set -uo pipefail
prov="$SLUICE_BUILD/provision/provision"
ep="$SLUICE_TEST_ENDPOINT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
pass=0 fail=0
check() { # NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
records() { curl -s "$ep/_emu/ledger/summary" | jq .records; }
faults() { curl -s -XPOST "$ep/_emu/faults" -d "$1" >/dev/null; }

stream="sl-send-cli-$$"
cat >"$work/p.ini" <<EOF
[aws]
region = us-east-1
endpoint_url = $ep
max_attempts = 3

[bucket]
name = sl-send-cli-$$

[firehose]
name = sl-send-cli-missing-$$

[kinesis]
name = $stream
shards = 1
EOF
aws --endpoint-url "$ep" --region us-east-1 kinesis create-stream --stream-name "$stream" \
  --shard-count 1 >/dev/null
for _ in $(seq 50); do
  st=$(aws --endpoint-url "$ep" --region us-east-1 kinesis describe-stream-summary \
         --stream-name "$stream" --query StreamDescriptionSummary.StreamStatus --output text)
  [ "$st" = ACTIVE ] && break
  sleep 0.1
done
P=("$prov" send "$work/p.ini" --to kinesis)

# Records from arguments.
out=$("${P[@]}" a b c); code=$?
check "args: exit 0" [ $code -eq 0 ]
check "args: summary" grep -q "^kinesis $stream: total 3, delivered 3, failed 0, retried 0, duplicates possible 0, requests 1, bytes 6 (6 B)," <<<"$out"

# Lines from stdin: \r\n stripped, empty lines skipped, last line without \n.
out=$(printf 'x\r\ny\n\n\r\nz' | "${P[@]}" --json); code=$?
check "stdin: exit 0" [ $code -eq 0 ]
check "stdin: json counts" [ "$(jq -c '[.total_records, .successful_records, .failed_records, .bytes]' <<<"$out")" = '[3,3,[],6]' ]

# An over-limit line: named, refused, the rest still go (exit 3: bad data).
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('first\n' + 'x' * 1048576 + '\nthird\n')" "$work/big.txt"
before=$(records)
out=$("${P[@]}" --partition-key k --file "$work/big.txt" 2>"$work/err"); code=$?
check "over limit: exit 3" [ $code -eq 3 ]
check "over limit: message" grep -qx "provision send: $work/big.txt:2: record of 1048578 bytes is over Kinesis's 1 MiB limit (data + partition key)" "$work/err"
check "over limit: summary" grep -q "total 3, delivered 2, failed 1," <<<"$out"
check "over limit: two in the ledger" [ "$(records)" -eq $((before + 2)) ]
# Without --dead-letter the refused record (as it would be sent: with its newline) is listed by
# size and first 80 bytes, not dumped.
check "over limit: stdout stays small" [ "${#out}" -lt 2000 ]
check "over limit: record named by its head" grep -qx '  record: 1.0 MiB (1048577 bytes), first 80 bytes: "'"$(printf 'x%.0s' $(seq 80))"'"' <<<"$out"
out=$("${P[@]}" --json --partition-key k --file "$work/big.txt" 2>/dev/null)
check "over limit --json: head and size" [ "$(jq -c '.failed_records[0] | [.record, .record_base64, .record_bytes, (.record_head | length)]' <<<"$out")" = "[null,null,1048577,80]" ]

# --strict: nothing sent when any record is refused; a clean stdin is read twice.
before=$(records)
"${P[@]}" --strict --partition-key k --file "$work/big.txt" >/dev/null 2>"$work/err"; code=$?
check "strict: exit 3" [ $code -eq 3 ]
check "strict: message" grep -q "strict: 1 records refused, nothing sent" "$work/err"
check "strict: ledger unchanged" [ "$(records)" -eq "$before" ]
# With --json the report is still printed, and the refused record is in the
# dead-letter file (the two good ones are neither sent nor dead-lettered).
"${P[@]}" --strict --json --partition-key k --dead-letter "$work/strict.jsonl" \
  --file "$work/big.txt" >"$work/strict.json" 2>"$work/err"; code=$?
check "strict --json: exit 3" [ $code -eq 3 ]
check "strict --json: the report" [ "$(jq -c '[.total_records, .successful_records, .failed_record_count, .rejected_records, .requests]' "$work/strict.json")" = "[3,0,1,1,0]" ]
check "strict --json: one dead letter, the refused record" [ "$(jq -c '[.error_code, .source]' "$work/strict.jsonl" | tr '\n' ';')" = '["RecordTooLarge","'"$work"'/big.txt:2"];' ]
check "strict --json: each refusal said once" [ "$(grep -c 'over Kinesis' "$work/err")" -eq 1 ]
check "strict --json: ledger unchanged" [ "$(records)" -eq "$before" ]
out=$(printf 'one\ntwo\n' | "${P[@]}" --strict); code=$?
check "strict stdin: sent" grep -q "total 2, delivered 2, failed 0" <<<"$out"

# JSON values with the key from a field; a record without the field is named.
out=$(printf '{"user":{"id":"u1"}}{"user":{}}\n{"user":{"id":7}}' |
      "${P[@]}" --format json --partition-key-field user.id 2>"$work/err"); code=$?
check "json: exit 3" [ $code -eq 3 ]
check "json: message" grep -qx "provision send: stdin: value 2: no string, number or boolean at user.id for the partition key" "$work/err"
check "json: summary" grep -q "total 3, delivered 2, failed 1," <<<"$out"

# Dead letter after the attempts run out (every entry fails).
faults '{"seed":5,"partial_failure":1.0,"operations":["PutRecords"]}'
out=$("${P[@]}" --partition-key k --max-attempts 2 --dead-letter "$work/dl.jsonl" one two 2>/dev/null); code=$?
faults '{}'
check "dead letter: exit 3 (kept in the file)" [ $code -eq 3 ]
check "dead letter: mode 0600" [ "$(stat -c %a "$work/dl.jsonl")" = 600 ]
check "dead letter: two lines" [ "$(wc -l <"$work/dl.jsonl")" -eq 2 ]
check "dead letter: content" [ "$(jq -c '[(.record | @base64d), .stream, .attempts, .source]' "$work/dl.jsonl" | tr '\n' ';')" = '["one\n","'"$stream"'",2,"argument 1"];["two\n","'"$stream"'",2,"argument 2"];' ]
check "dead letter: summary" grep -q "2 failed records appended to $work/dl.jsonl" <<<"$out"

# --results: one line per input record, in any order, each with its outcome:
# the SequenceNumber and ShardId the stream gave (checked against GetRecords),
# a record refused as too large, a record that ran out of attempts.
"${P[@]}" --partition-key k --results "$work/res.jsonl" --file "$work/big.txt" >/dev/null 2>&1; code=$?
check "results: exit 3" [ $code -eq 3 ]
check "results: mode 0600" [ "$(stat -c %a "$work/res.jsonl")" = 600 ]
check "results: one line per record" [ "$(jq -c '[.index, .source, .status]' "$work/res.jsonl" | sort | tr '\n' ';')" = \
  '[0,"'"$work"'/big.txt:1","accepted"];[1,"'"$work"'/big.txt:2","failed"];[2,"'"$work"'/big.txt:3","accepted"];' ]
check "results: the refusal" [ "$(jq -r 'select(.index == 1) | [.error_code, .attempts] | @tsv' "$work/res.jsonl")" = "RecordTooLarge	0" ]
check "results: shard of the accepted" [ "$(jq -r 'select(.status == "accepted") | .shard_id' "$work/res.jsonl" | sort -u)" = "shardId-000000000000" ]
seq3=$(jq -r 'select(.index == 2) | .sequence_number' "$work/res.jsonl")
it=$(aws --endpoint-url "$ep" --region us-east-1 kinesis get-shard-iterator --stream-name "$stream" \
       --shard-id shardId-000000000000 --shard-iterator-type AT_SEQUENCE_NUMBER \
       --starting-sequence-number "$seq3" --query ShardIterator --output text)
check "results: the SequenceNumber is the record's" [ "$(aws --endpoint-url "$ep" --region us-east-1 kinesis get-records \
  --shard-iterator "$it" --limit 1 --query 'Records[0].Data' --output text | base64 -d)" = "third" ]
faults '{"seed":5,"partial_failure":1.0,"operations":["PutRecords"]}'
"${P[@]}" --partition-key k --max-attempts 2 --dead-letter "$work/dl2.jsonl" --results "$work/res2.jsonl" one two >/dev/null 2>&1
faults '{}'
check "results: dead-lettered" [ "$(jq -c '[.index, .status, .attempts, (.error_code | length > 0)]' "$work/res2.jsonl" | sort | tr '\n' ';')" = \
  '[0,"dead-lettered",2,true];[1,"dead-lettered",2,true];' ]
# --strict after a refusal: the good records are there too, withheld, and the
# refused one keeps its input index (also in the dead letter)
"${P[@]}" --strict --partition-key k --dead-letter "$work/dl3.jsonl" --results "$work/res3.jsonl" \
  --file "$work/big.txt" >/dev/null 2>&1
check "results --strict: every record" [ "$(jq -c '[.index, .status]' "$work/res3.jsonl" | sort | tr '\n' ';')" = \
  '[0,"withheld"];[1,"dead-lettered"];[2,"withheld"];' ]
check "results --strict: dead letter index is the input's" [ "$(jq .index "$work/dl3.jsonl")" = 1 ]
"${P[@]}" --results /nonexistent-dir/r.jsonl one >/dev/null 2>"$work/err"; code=$?
check "results: unwritable file" [ $code -eq 1 ] && check "results: unwritable file message" \
  grep -qx "provision send: --results /nonexistent-dir/r.jsonl: No such file or directory" "$work/err"

# An existing dead-letter file that others can read: one warning, mode kept,
# exit status unchanged.
rm -f "$work/dl644.jsonl"; touch "$work/dl644.jsonl"; chmod 644 "$work/dl644.jsonl"
out=$("${P[@]}" --dead-letter "$work/dl644.jsonl" one 2>"$work/err"); code=$?
check "dead letter 0644: exit 0" [ $code -eq 0 ]
check "dead letter 0644: warning" [ "$(cat "$work/err")" = "provision send: warning: dead-letter file $work/dl644.jsonl has mode 0644 (readable by group or others) and will hold the records' data; run: chmod 600 $work/dl644.jsonl" ]
check "dead letter 0644: mode kept" [ "$(stat -c %a "$work/dl644.jsonl")" = 644 ]
chmod 640 "$work/dl644.jsonl"
faults '{"seed":5,"partial_failure":1.0,"operations":["PutRecords"]}'
"${P[@]}" --max-attempts 1 --dead-letter "$work/dl644.jsonl" one >/dev/null 2>"$work/err"; code=$?
faults '{}'
check "dead letter 0640: exit 3 as without" [ $code -eq 3 ]
check "dead letter 0640: warned once" [ "$(grep -c "warning: dead-letter file $work/dl644.jsonl has mode 0640 " "$work/err")" -eq 1 ]
check "dead letter 0640: line written" [ "$(wc -l <"$work/dl644.jsonl")" -eq 1 ]
chmod 600 "$work/dl644.jsonl"
"${P[@]}" --dead-letter "$work/dl644.jsonl" one >/dev/null 2>"$work/err"; code=$?
check "dead letter 0600: exit 0" [ $code -eq 0 ]
check "dead letter 0600: no warning" [ ! -s "$work/err" ]

# A live source: with the pipe still open, the records go within the flush
# interval (the ledger is polled, up to 10 s); closing it ends the run.
stream_records() { # SINCE: sha256 of this stream's records after that ledger index
  curl -s "$ep/_emu/ledger?since=$1" | jq -r --arg s "$stream" '.records[] | select(.stream == $s) | .sha256' | sort
}
want=$(for l in l1 l2 l3; do printf '%s\n' "$l" | sha256sum | cut -d' ' -f1; done | sort)
before=$(records)
mkfifo "$work/live"
"${P[@]}" --partition-key k --flush-interval 0.2 <"$work/live" >"$work/live.out" 2>"$work/live.err" &
pid=$!
exec 3>"$work/live"
printf 'l1\nl2\nl3\n' >&3
got=
for _ in $(seq 100); do
  got=$(stream_records "$before")
  [ "$(grep -c . <<<"$got")" -ge 3 ] && break
  sleep 0.1
done
check "live: the 3 records while the pipe is open" [ "$got" = "$want" ]
check "live: still reading" kill -0 $pid
exec 3>&-
wait $pid; code=$?
check "live: exit 0" [ $code -eq 0 ]
check "live: summary" grep -q "^kinesis $stream: total 3, delivered 3, failed 0, retried 0, duplicates possible 0, requests 1," "$work/live.out"
check "live: nothing more" [ "$(stream_records "$before")" = "$want" ]

# --flush-interval 0: only full batches and the end of the input.
before=$(records)
rm -f "$work/live"; mkfifo "$work/live"
"${P[@]}" --partition-key k --flush-interval 0 <"$work/live" >"$work/live.out" 2>&1 &
pid=$!
exec 3>"$work/live"
printf 'm1\nm2\n' >&3
sleep 1.5
check "interval 0: nothing sent while open" [ -z "$(stream_records "$before")" ]
exec 3>&-
wait $pid; code=$?
check "interval 0: sent at the end" grep -q "total 2, delivered 2, failed 0, retried 0, duplicates possible 0, requests 1," "$work/live.out"

# Usage and setup errors.
"${P[@]}" --batch-size 501 a >/dev/null 2>&1; code=$?
check "usage: exit 64" [ $code -eq 64 ]
for v in -1 3601 abc 1x nan ''; do
  "${P[@]}" --flush-interval "$v" a >/dev/null 2>"$work/err"; code=$?
  check "flush interval '$v': exit 64" [ $code -eq 64 ]
  check "flush interval '$v': message" grep -qx "provision send: --flush-interval takes a duration from 0 to 3600 s (e.g. 500ms, 1.5, 90s, 5m, 1h), not '$v'" "$work/err"
done
"$prov" send "$work/p.ini" a >/dev/null 2>"$work/err"; code=$?
check "missing stream: exit 1" [ $code -eq 1 ]
check "missing stream: message" grep -q "firehose stream sl-send-cli-missing-$$ does not exist" "$work/err"

# On a terminal (script(1) gives one): the progress line, rewritten in
# place, ends with the final counts, not zeros; -q shows none.
seq 1 3000 >"$work/tty.txt"
script -qec "$prov send $work/p.ini --to kinesis --partition-key k --file $work/tty.txt --batch-size 50 --concurrency 1" \
  /dev/null >"$work/tty.out" </dev/null
last=$(tr '\r' '\n' <"$work/tty.out" | grep ' read, ' | tail -1)
check "terminal: the last progress line has the totals ($last)" \
  grep -qE '^3000 read, 3000 delivered, 0 failed, [0-9]+ records/s$' <<<"$last"
script -qec "$prov send $work/p.ini --to kinesis --partition-key k --file $work/tty.txt --batch-size 50 --concurrency 1 -q" \
  /dev/null >"$work/tty.out" </dev/null
check "terminal, -q: no progress line, no summary" [ "$(tr -d '\r\n' <"$work/tty.out")" = "" ]

# A 200 whose body does not parse: said so with its first bytes, retried by
# the client's policy only (max_attempts 3: 3 requests, not rounds of them),
# counted as possibly stored.
faults '{"garble_body": 1.0, "operations": ["PutRecords"]}'
"$prov" send --to kinesis --partition-key k "$work/p.ini" one two >"$work/garble.out" 2>&1; code=$?
faults '{}'
check "garbled answer: exit 1" [ $code -eq 1 ]
check "garbled answer: named, with its first bytes" grep -qE \
  '^failed argument 1 after 3 attempts: InvalidAnswer: PutRecords answer is not JSON \([0-9]+ bytes\): \{"' "$work/garble.out"
check "garbled answer: the summary" grep -q \
  "^kinesis $stream: total 2, delivered 0, failed 2, retried 2, duplicates possible 2 (3 requests unanswered), requests 3, bytes 0" \
  "$work/garble.out"
faults '{"garble_body": 1.0, "operations": ["PutRecords"]}'
"$prov" send --json --to kinesis --partition-key k "$work/p.ini" one two >"$work/garble.json" 2>/dev/null
faults '{}'
check "garbled answer --json: requests, unanswered, their bytes" \
  [ "$(jq -c '[.requests, .requests_unanswered, .duplicates_possible, (.request_bytes > 0)]' "$work/garble.json")" = '[3,3,2,true]' ]

# -v shows each retry as it happens: one line per whole-request retry (as
# many as --json counts) and per round of entries sent again; without -v
# none.
faults '{"seed": 3, "http_503": 0.4, "partial_failure": 0.3, "operations": ["PutRecords"]}'
seq 1 40 | "$prov" send -v --json --to kinesis --partition-key k "$work/p.ini" --batch-size 5 \
  >"$work/v.json" 2>"$work/v.err"
seq 1 40 | "$prov" send --to kinesis --partition-key k "$work/p.ini" --batch-size 5 \
  >/dev/null 2>"$work/quiet.err"
faults '{}'
retries=$(jq .request_retries "$work/v.json")
check "-v: every record delivered through the faults" [ "$(jq .successful_records "$work/v.json")" = 40 ]
check "-v: a line per request retry ($retries)" [ "$retries" -gt 0 ] && [ "$(grep -cE \
  "^sluice: info: kinesis $stream: ServiceUnavailableException, resending [0-9]+ records in [0-9.]+ s \(try [2-3] of 3\)$" \
  "$work/v.err")" = "$retries" ]
check "-v: a line per round of entries sent again" grep -qE \
  "^sluice: info: kinesis $stream: [0-9]+ of [0-9]+ records not accepted \([A-Za-z]+\), resending them in [0-9.]+ s \(attempt [0-9]+ of 10\)$" \
  "$work/v.err"
check "no -v: no retry lines" [ "$(grep -c resending "$work/quiet.err")" = 0 ]

aws --endpoint-url "$ep" --region us-east-1 kinesis delete-stream --stream-name "$stream" >/dev/null
echo "send-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
