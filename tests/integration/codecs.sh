#!/usr/bin/env bash
# codecs.sh — every CompressionFormat end to end on the emulator: the same
# records sent through GZIP, ZIP, Snappy, HADOOP_SNAPPY and UNCOMPRESSED
# streams land as objects with Firehose's extensions, and inspect cat prints
# the same lines for each (from S3 and with --local). Objects cut short or
# corrupted exit 3, naming the key, the offset and what is wrong. Last line:
# "codecs: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
suite_setup
ctl POST config '{"iam_propagation_seconds": 0}' >/dev/null

# 3000 records, some past a Snappy chunk (64 KiB) and one past a Hadoop block (256 KiB)
pad=$(head -c 70000 /dev/zero | tr '\0' 'x')
big=$(head -c 300000 /dev/zero | tr '\0' 'y')
for i in $(seq 1 3000); do
  case $((i % 500)) in
    7) printf '{"n":%d,"pad":"%s"}\n' "$i" "$pad" ;;
    8) [ "$i" = 8 ] && printf '{"n":%d,"big":"%s"}\n' "$i" "$big" || printf '{"n":%d}\n' "$i" ;;
    *) printf '{"n":%d,"msg":"record %d","ok":%s}\n' "$i" "$i" "$([ $((i % 3)) = 0 ] && echo true || echo false)" ;;
  esac
done >"$work/records.ndjson"
sort "$work/records.ndjson" >"$work/want.sorted"

id=$$
for fmt in GZIP ZIP Snappy HADOOP_SNAPPY UNCOMPRESSED; do
  lc=$(echo "$fmt" | tr 'A-Z_' 'a-z-')
  name="codec-$id-$lc"
  case $fmt in GZIP) ext=.gz ;; ZIP) ext=.zip ;; Snappy) ext=.snappy ;; HADOOP_SNAPPY) ext=.hsnappy ;; *) ext= ;; esac
  write_profile "$work/$lc.ini" "$name" compression="$fmt"
  run "apply-$lc" "$P" apply -q "$work/$lc.ini"
  eq "$fmt: apply" "$rc" 0
  run "send-$lc" "$P" send -q "$work/$lc.ini" --file "$work/records.ndjson"
  eq "$fmt: send" "$rc" 0
  ctl POST firehose/flush >/dev/null
  awsx s3api list-objects-v2 --bucket "$name" --prefix logs/ --query 'Contents[].Key' --output text \
    | tr '\t' '\n' | grep -v '^None$' >"$work/keys-$lc"
  eq "$fmt: objects end in '$ext'" "$(grep -vc -- "-[0-9a-f-]*$ext\$" "$work/keys-$lc")" 0
  run "cat-$lc" "$I" cat "$work/$lc.ini"
  eq "$fmt: cat exit" "$rc" 0
  eq "$fmt: cat prints every record sent" "$(sort "$work/cat-$lc.out" | cmp - "$work/want.sorted" && echo same)" same
  # the same objects read from disk
  mkdir -p "$work/local-$lc"
  while read -r key; do
    awsx s3api get-object --bucket "$name" --key "$key" "$work/local-$lc/$(basename "$key")" >/dev/null
  done <"$work/keys-$lc"
  run "local-$lc" "$I" cat --local "$work/local-$lc"
  eq "$fmt: cat --local exit" "$rc" 0
  eq "$fmt: cat --local prints the same" "$(sort "$work/local-$lc.out" | cmp - "$work/want.sorted" && echo same)" same
done

# --- an object past 1 MiB (inspect decodes those on a second thread): the same lines, and when cut
head -c 3000000 /dev/urandom | base64 -w 76 | awk '{ printf "{\"n\":%d,\"b\":\"%s\"}\n", NR, $0 }' >"$work/big.ndjson"
gzip -c "$work/big.ndjson" >"$work/big.ndjson.gz"
eq "big: the gzip object is past 1 MiB" "$([ "$(stat -c %s "$work/big.ndjson.gz")" -gt 1048576 ] && echo yes)" yes
run big "$I" cat --local "$work/big.ndjson.gz"
eq "big: cat --local exit" "$rc" 0
eq "big: the records, in order" "$(cmp "$work/big.out" "$work/big.ndjson" && echo same)" same
head -c 2000000 "$work/big.ndjson.gz" >"$work/bigcut.gz"
run bigcut "$I" cat --local "$work/bigcut.gz"
eq "big cut: exit 3" "$rc" 3
n=$(grep -c '' "$work/bigcut.out")
eq "big cut: the records before the cut, in order" "$([ "$n" -gt 1000 ] && head -n "$n" "$work/big.ndjson" | cmp - "$work/bigcut.out" && echo same)" same
eq "big cut: the reason" "$(grep -cE "^inspect: .*bigcut.gz: offset 0: gzip: truncated stream, input ended inside member 1 \(member starts at compressed byte 0\) after 2000000 compressed bytes\$" "$work/bigcut.err")" 1

# --- objects cut short and corrupted: exit 3, key, offset and reason on stderr
bucket="codec-$id-gzip"
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$EP
for lc in gzip zip snappy hadoop-snappy; do
  f=$(ls "$work/local-$lc" | head -1)
  size=$(stat -c %s "$work/local-$lc/$f")
  cut=$((size * 2 / 3))
  head -c "$cut" "$work/local-$lc/$f" >"$work/cut-$lc"
  awsx s3api put-object --bucket "$bucket" --key "bad/cut-$lc" --body "$work/cut-$lc" >/dev/null
  run "badcut-$lc" "$I" cat "s3://$bucket/bad/cut-$lc"
  eq "$lc cut short: exit 3" "$rc" 3
  case $lc in
    gzip) want="gzip: truncated stream, input ended inside member 1 \(member starts at compressed byte 0\) after $cut compressed bytes" ;;
    zip) want="zip: truncated archive, input ended inside entry 1 '[^']+' at byte 0 after $cut bytes" ;;
    snappy) want="snappy: truncated stream, input ended inside chunk [0-9]+ at compressed byte [0-9]+ after $cut compressed bytes" ;;
    hadoop-snappy) want="hadoop-snappy: truncated stream, input ended inside block [0-9]+ at compressed byte [0-9]+ after $cut compressed bytes" ;;
  esac
  eq "$lc cut short: key, offset, reason" "$(grep -cE "^inspect: bad/cut-$lc: offset [0-9]+: $want\$" "$work/badcut-$lc.err")" 1
  # the records before the cut are printed, in order, and no others
  "$I" cat --local "$work/local-$lc/$f" >"$work/whole-$lc"
  n=$(grep -c '' "$work/badcut-$lc.out")
  eq "$lc cut short: the records before the cut are printed" "$([ "$n" -gt 0 ] && [ "$n" -lt "$(grep -c '' "$work/whole-$lc")" ] &&
    head -n "$n" "$work/whole-$lc" | cmp - "$work/badcut-$lc.out" && echo same)" same
  eq "$lc cut short: the cut record is reported" "$(grep -cE "^inspect: bad/cut-$lc: offset [0-9]+: truncated record at end of data \(record at [0-9]+ dropped\)\$" "$work/badcut-$lc.err")" 1
  # one byte flipped in the data (early: the long runs of x and y further on
  # can decode the same however a copy's offset changes; for Snappy in a
  # chunk's CRC, as such a run may start the object); Hadoop-Snappy has
  # no checksum (a changed literal goes unseen, as in Hadoop), so there the
  # second block's sub-chunk length
  cp "$work/local-$lc/$f" "$work/flip-$lc"
  at=300
  [ "$lc" = snappy ] && at=14 # the first data chunk's CRC-32C
  if [ "$lc" = hadoop-snappy ]; then
    at=$(( 8 + $(od -An -tu1 -j4 -N4 "$work/flip-$lc" | awk '{print (($1*256+$2)*256+$3)*256+$4}') + 4 ))
  fi
  printf "$(printf '\\x%02x' $(( $(od -An -tu1 -j "$at" -N1 "$work/flip-$lc") ^ 0x5a )))" \
    | dd of="$work/flip-$lc" bs=1 seek="$at" conv=notrunc status=none
  awsx s3api put-object --bucket "$bucket" --key "bad/flip-$lc" --body "$work/flip-$lc" >/dev/null
  run "badflip-$lc" "$I" cat "s3://$bucket/bad/flip-$lc"
  eq "$lc corrupted: exit 3" "$rc" 3
  eq "$lc corrupted: key, offset, reason" \
    "$(grep -cE "^inspect: bad/flip-$lc: offset [0-9]+: (gzip|zip|snappy|hadoop-snappy): " "$work/badflip-$lc.err")" 1
done

for fmt in gzip zip snappy hadoop-snappy uncompressed; do
  run "destroy-$fmt" "$P" destroy --empty-bucket "$work/$fmt.ini"
  eq "$fmt: destroy" "$rc" 0
  [ "$rc" = 0 ] || cat "$work/destroy-$fmt.err"
done
done_counts codecs
