#!/usr/bin/env bash
# Both binaries' basics: --help and --version, unknown commands and options,
# and profile errors named once with file:line. Needs no endpoint.
set -u
bin=${SLUICE_BUILD:?run through tests/integration/run}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
eq() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: got [$2] want [$3]"; fi; }

for b in provision inspect; do
  "$bin/$b/$b" --help >"$tmp/out" 2>&1; eq "$b --help exits 0" "$?" 0
  eq "$b --help starts with usage" "$(head -1 "$tmp/out" | cut -d" " -f1-2)" "Usage: $b"
  eq "$b --version" "$("$bin/$b/$b" --version)" "$b (sluice) 0.3.0, libsluice 0.3.0"
  "$bin/$b/$b" frobnicate >/dev/null 2>"$tmp/err"; eq "$b unknown command exits 64" "$?" 64
  eq "$b unknown command message" "$(cat "$tmp/err")" "$b: unknown command 'frobnicate' (see $b --help)"
done

printf '[bucket]\nname = B\n' >"$tmp/bad.ini"
for b in provision; do
  "$bin/$b/$b" plan "$tmp/none.ini" >/dev/null 2>"$tmp/err"; eq "$b missing profile exits 64" "$?" 64
  eq "$b missing profile" "$(cat "$tmp/err")" "$b: $tmp/none.ini: cannot open profile: No such file or directory"
done
"$bin/inspect/inspect" ls "$tmp/none.ini" >/dev/null 2>"$tmp/err"; eq "inspect missing profile exits 64" "$?" 64
eq "inspect missing profile" "$(cat "$tmp/err")" "inspect: $tmp/none.ini: cannot open profile: No such file or directory"
"$bin/inspect/inspect" ls "$tmp/bad.ini" >/dev/null 2>"$tmp/err"; eq "inspect bad profile exits 64" "$?" 64
eq "inspect bad profile diagnostics" "$(cat "$tmp/err")" \
"inspect: $tmp/bad.ini:2: [bucket] name: 'B' is not a valid S3 bucket name: it must be 3 to 63 characters long"
# inspect needs only the bucket; plan needs the whole pipeline and says so.
"$bin/provision/provision" plan "$tmp/bad.ini" >/dev/null 2>"$tmp/err"; eq "plan bad profile exits 64" "$?" 64
eq "plan bad profile diagnostics" "$(cat "$tmp/err")" \
"provision: $tmp/bad.ini:2: [bucket] name: 'B' is not a valid S3 bucket name: it must be 3 to 63 characters long
provision: $tmp/bad.ini: [firehose] name: is required by provision plan"

echo "cli-basics: $pass passed, $fail failed"
[ "$fail" = 0 ]
