#!/usr/bin/env bash
# aggregate.sh — `provision send --aggregate` to Firehose: 100,000 NDJSON
# records of about 200 bytes land in S3 as exactly the lines an
# unaggregated send writes (compared sorted), with at most 1/20 of the
# service records and of the billed bytes in the emulator's ledger; the
# report shows the bill and, unaggregated, what aggregation would save;
# --delimiter none and Kinesis are refused; the profile key decides when no
# option is given. Last line: "aggregate: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
P="$SLUICE_BUILD/provision/provision"
EP="$SLUICE_TEST_ENDPOINT"
EMU=$EP
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
summary() { ctl GET ledger/summary | jq -r "$1"; }
awsx() { aws --endpoint-url "$EP" "$@"; }
name="aggr-$$"
ctl POST config '{"iam_propagation_seconds": 0}' >/dev/null
write_profile "$work/p.ini" "$name" buffer=64
"$P" apply -q "$work/p.ini" || bad "apply"

# the objects Firehose wrote, all lines, sorted; then the bucket emptied
landed() {
  ctl POST firehose/flush >/dev/null
  rm -rf "$work/s3" && mkdir "$work/s3"
  awsx s3 cp --recursive --quiet "s3://$name/logs/" "$work/s3/"
  find "$work/s3" -type f -exec cat {} + | LC_ALL=C sort >"$1"
  awsx s3 rm --recursive --quiet "s3://$name/logs/"
}

# 100,000 records of 190-210 bytes
awk 'BEGIN { srand(7); for(i = 1; i <= 100000; i++) {
  pad = ""; n = 150 + int(rand() * 21); while(length(pad) < n) pad = pad "x"
  printf "{\"n\":%d,\"msg\":\"%s\"}\n", i, pad } }' >"$work/in.ndjson"
LC_ALL=C sort "$work/in.ndjson" >"$work/in.sorted"

ctl POST ledger/reset >/dev/null
"$P" send "$work/p.ini" --file "$work/in.ndjson" --json >"$work/one.json" 2>"$work/one.err"
eq "unaggregated: exit 0" "$?" 0
one_records=$(summary .records) one_billed=$(summary .firehose_billed_bytes)
landed "$work/one.sorted"
eq "unaggregated: one service record per input record" "$one_records" 100000
eq "unaggregated: the report's bill is the ledger's" \
  "$(jq -c '[.service_records, .billed_bytes]' "$work/one.json")" "[$one_records,$one_billed]"
est=$(jq -r '.aggregated_estimate.service_records' "$work/one.json")
eq "unaggregated: says what aggregation would send" \
  "$([ "$est" -gt 0 ] && [ "$est" -le 5000 ] && echo yes)" yes

ctl POST ledger/reset >/dev/null
"$P" send "$work/p.ini" --file "$work/in.ndjson" --aggregate --results "$work/res.jsonl" \
  >"$work/agg.out" 2>"$work/agg.err"
eq "aggregated: exit 0" "$?" 0
agg_records=$(summary .records) agg_billed=$(summary .firehose_billed_bytes)
landed "$work/agg.sorted"
eq "S3 holds the same lines either way" "$(cmp -s "$work/one.sorted" "$work/agg.sorted" && echo same)" same
eq "... and they are the input's" "$(cmp -s "$work/in.sorted" "$work/agg.sorted" && echo same)" same
eq "aggregated: at most 1/20 of the service records ($agg_records)" \
  "$([ $((agg_records * 20)) -le "$one_records" ] && echo yes)" yes
eq "aggregated: at most 1/20 of the billed bytes ($agg_billed of $one_billed)" \
  "$([ $((agg_billed * 20)) -le "$one_billed" ] && echo yes)" yes
eq "aggregated: as many carriers as the estimate said" "$agg_records" "$est"
eq "aggregated: the summary counts input records" \
  "$(grep -c "^firehose $name: total 100000, delivered 100000, failed 0," "$work/agg.out")" 1
eq "aggregated: the bill line" "$(grep '^billed: ' "$work/agg.out" | sed 's/[0-9.]* [KMG]*i*B/X/')" \
  "billed: $agg_records Firehose records, X (each rounded up to 5 KB)"
eq "aggregated: --results has every input record, accepted" \
  "$(jq -r .status "$work/res.jsonl" | sort | uniq -c | tr -s ' ')" " 100000 accepted"
eq "aggregated: input records share their carrier's record id" \
  "$(jq -r .record_id "$work/res.jsonl" | sort -u | wc -l)" "$agg_records"

# refused: no delimiter to tell the records apart in Firehose
"$P" send "$work/p.ini" --aggregate --delimiter none a b >/dev/null 2>"$work/none.err"
eq "--delimiter none: usage error" "$?/$(cat "$work/none.err")" \
  "64/provision send: --aggregate to Firehose needs newline-ended records: with --delimiter none the records could not be told apart again"

# the profile key: auto aggregates, --no-aggregate wins
printf '\n[send]\naggregate = auto\n' >>"$work/p.ini"
ctl POST ledger/reset >/dev/null
"$P" send -q "$work/p.ini" a b c
eq "[send] aggregate = auto: one service record for three" "$(summary .records)" 1
ctl POST ledger/reset >/dev/null
"$P" send -q "$work/p.ini" --no-aggregate a b c
eq "--no-aggregate over the profile" "$(summary .records)" 3
printf 'aggregate = sometimes\n' >>"$work/p.ini"
"$P" send -q "$work/p.ini" a 2>"$work/bad.err"
eq "a bad value: usage error naming the line" "$?/$(grep -c "p.ini:[0-9]*: \[send\] aggregate" "$work/bad.err")" "64/1"

"$P" destroy -q --empty-bucket "$work/p.ini" >/dev/null 2>&1

# ---- Kinesis, KPL: a stream of 4 shards as the Firehose's source
kname="aggk-$$"
write_profile "$work/k.ini" "$kname" buffer=64 source=kinesis
printf '\n[kinesis]\nname = %s\nshards = 4\n' "$kname-ks" >>"$work/k.ini"
"$P" apply -q "$work/k.ini" || bad "apply (kinesis source)"
awk 'BEGIN { srand(11); for(i = 1; i <= 100000; i++) {
  pad = ""; n = 140 + int(rand() * 21); while(length(pad) < n) pad = pad "y"
  printf "{\"user\":\"u%d\",\"n\":%d,\"msg\":\"%s\"}\n", i % 100, i, pad } }' >"$work/kin.ndjson"
ctl POST ledger/reset >/dev/null
"$P" send "$work/k.ini" --file "$work/kin.ndjson" --partition-key-field user --aggregate \
  --results "$work/kres.jsonl" >"$work/kin.out" 2>"$work/kin.err"
rc_kpl=$?
eq "KPL: exit 0" "$rc_kpl" 0
# What went wrong, when it did: the summary and the last lines of the log.
[ "$rc_kpl" = 0 ] || { cat "$work/kin.out"; tail -5 "$work/kin.err"; }
krec=$(summary .records)
eq "KPL: at most 1/50 of the Kinesis records ($krec)" "$([ $((krec * 50)) -le 100000 ] && echo yes)" yes
eq "KPL: the bill line" "$(grep -c "^billed: $krec Kinesis records, [0-9]* PUT payload units (25 KB each)$" "$work/kin.out")" 1
awsx kinesis list-shards --stream-name "$kname-ks" >"$work/shards.json"
eq "KPL: every record in its key's shard, per-key order kept" "$(python3 - "$work/kin.ndjson" "$work/kres.jsonl" "$work/shards.json" <<'PY'
import hashlib, json, sys
users = [json.loads(l)["user"] for l in open(sys.argv[1])]
ranges = [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]), s["ShardId"])
          for s in json.load(open(sys.argv[3]))["Shards"]]
res = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    res[r["index"]] = r
bad = 0
last = {}
for i, u in enumerate(users):
    r = res.get(i)
    h = int.from_bytes(hashlib.md5(u.encode()).digest(), "big")
    want = [sid for a, b, sid in ranges if a <= h <= b][0]
    if not r or r["status"] != "accepted" or r["shard_id"] != want or "sub_sequence_number" not in r:
        bad += 1
        continue
    pos = (int(r["sequence_number"]), r["sub_sequence_number"])
    if u in last and pos <= last[u]:
        bad += 1
    last[u] = pos
print("ok" if bad == 0 and len(res) == len(users) else "%d wrong of %d" % (bad, len(res)))
PY
)" ok
# a KPL record whose MD5 does not match goes through whole, as an ordinary record
printf '\xf3\x89\x9a\xc2\x0a\x02k1\x1a\x08\x08\x00\x1a\x04BAD\n0123456789abcdef' >"$work/badmd5.bin"
awsx kinesis put-record --stream-name "$kname-ks" --partition-key k1 --data "fileb://$work/badmd5.bin" >/dev/null
sleep 1
ctl POST firehose/flush >/dev/null
rm -rf "$work/ks3" && mkdir "$work/ks3"
awsx s3 cp --recursive --quiet "s3://$kname/logs/" "$work/ks3/"
find "$work/ks3" -type f -exec cat {} + >"$work/kall"
grep -av '^BAD$' "$work/kall" | grep -a '^{' | LC_ALL=C sort >"$work/kin.landed"
LC_ALL=C sort "$work/kin.ndjson" >"$work/kin.sorted"
eq "KPL through Firehose: S3 holds every line, taken apart" \
  "$(cmp -s "$work/kin.sorted" "$work/kin.landed" && echo same)" same
eq "bad MD5: delivered as one record, its bytes whole" \
  "$(grep -c -aF "$(printf '\xf3\x89\x9a\xc2')" "$work/kall")/$(grep -ac '0123456789abcdef' "$work/kall")" "1/1"
"$P" destroy -q --empty-bucket "$work/k.ini" >/dev/null 2>&1
done_counts aggregate
