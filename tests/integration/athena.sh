#!/usr/bin/env bash
# athena.sh — [athena] end to end on the emulator, whose Athena runs the
# SQL on DuckDB: apply creates the Glue database and the table (partition
# projection from the stream's layout), a second apply makes no call, plan
# shows a changed column, inspect ddl matches tests/golden/inspect-ddl.sql,
# inspect query over what send delivered (and two earlier hours) gives the
# same counts per service as inspect stats --where, {window} reads fewer
# objects (the emulator's query log), a failed query exits 1 with Athena's
# reason, destroy removes table and database. Last line:
# "athena: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
suite_setup
top=$(cd "$(dirname "$0")/../.." && pwd)

# The stream "created" a day ago, so the hours put below (up to 3 hours ago)
# are inside the table's projection range even just after midnight UTC.
ctl POST config '{"iam_propagation_seconds": 0, "firehose_backdate_seconds": 86400}' >/dev/null
trap 'ctl POST config "{\"firehose_backdate_seconds\": 0}" >/dev/null; rm -rf "$work"' EXIT
id=$$
name="athena-$id"
table="athena_$id"
columns='ts:string, service:string, status:int, req:struct<method:string, path:string>'
profile() { # profile COLUMNS
  write_profile "$work/p.ini" "$name" compression=GZIP
  printf '\n[athena]\ndatabase = audit_%s\ncolumns = %s\n' "$id" "$1" >>"$work/p.ini"
}
profile "$columns"

run plan0 "$P" plan "$work/p.ini"
eq "plan: database and table to create" "$(grep -E '^\+ glue' "$work/plan0.out")" \
"+ glue_database audit_$id: create
+ glue_table audit_$id.$table: create"
ctl POST ledger/reset >/dev/null
run apply1 "$P" apply "$work/p.ini"
eq "apply: exit" "$rc" 0
eq "apply: the Glue calls, after the stream" \
  "$(ctl GET ledger | jq -r '[.calls[] | select(.mutating and (.service == "glue" or .operation == "CreateDeliveryStream")) | .operation] | join(" ")')" \
  "CreateDeliveryStream CreateDatabase CreateTable"
day=$(date -u -d '1 day ago' +%Y/%m/%d)
eq "table: projection as Glue has it" "$(awsx glue get-table --database-name "audit_$id" --name "$table" \
  --query 'Table.Parameters' --output json | jq -c '[."projection.datehour.format", ."projection.datehour.range", ."storage.location.template", .compressionType]')" \
  "[\"yyyy/MM/dd/HH\",\"$day/00,NOW\",\"s3://$name/logs/\${datehour}/\",\"gzip\"]"
eq "table: columns, location, SerDe" "$(awsx glue get-table --database-name "audit_$id" --name "$table" \
  --query 'Table.StorageDescriptor' --output json | jq -c '[[.Columns[] | .Name + " " + .Type], .Location, .SerdeInfo.SerializationLibrary]')" \
  "[[\"ts string\",\"service string\",\"status int\",\"req struct<method:string,path:string>\"],\"s3://$name/logs/\",\"org.openx.data.jsonserde.JsonSerDe\"]"
eq "database: marked as this pipeline's" "$(awsx glue get-database --name "audit_$id" \
  --query 'Database.Parameters' --output json | jq -c .)" "{\"sluice:pipeline\":\"us-east-1/$name\"}"
eq "bucket: the results expire after 7 days" "$(awsx s3api get-bucket-lifecycle-configuration \
  --bucket "$name" --output json | jq -c '[.Rules[] | select(.ID == "sluice-athena-results") | [.Filter.Prefix, .Expiration.Days, .Status]]')" \
  '[["athena-results/",7,"Enabled"]]'
run status1 "$P" status --json "$work/p.ini"
eq "status --json: the Glue resources" "$(jq -c '[.resources[] | select(.type | startswith("glue")) | [.type, .name, .exists, .arn, .action]]' "$work/status1.out")" \
  "[[\"glue_database\",\"audit_$id\",true,\"arn:aws:glue:us-east-1:000000000000:database/audit_$id\",\"ok\"],[\"glue_table\",\"audit_$id.$table\",true,\"arn:aws:glue:us-east-1:000000000000:table/audit_$id/$table\",\"ok\"]]"
run output1 "$P" output --json "$work/p.ini"
eq "output --json: the table and where results go" "$(jq -c '[.outputs.glue_database, .outputs.glue_table, .outputs.athena_results]' "$work/output1.out")" \
  "[\"audit_$id\",\"audit_$id.$table\",\"s3://$name/athena-results/\"]"
ctl POST ledger/reset >/dev/null
run apply2 "$P" apply "$work/p.ini"
eq "second apply: exit" "$rc" 0
eq "second apply: no changing call" "$(mutating_ops)" ""

# --- a column changed in the profile
profile "${columns/status:int/status:bigint}"
run plan1 "$P" plan "$work/p.ini"
eq "plan: changed column exit" "$rc" 2
eq "plan: the table's lines" "$(sed -n '/^~ glue_table/,/^[^ ]/p' "$work/plan1.out" | grep -v '^plan:')" \
"~ glue_table audit_$id.$table: update
    ~ column status: int -> bigint"
ctl POST ledger/reset >/dev/null
run apply3 "$P" apply "$work/p.ini"
eq "apply: UpdateTable only" "$(mutating_ops)" "UpdateTable"
profile "$columns"
run apply4 "$P" apply "$work/p.ini"
eq "apply back: exit" "$rc" 0

# --- ddl against the golden file
run ddl "$I" ddl "$work/p.ini" --start 2026-01-02
eq "ddl: exit" "$rc" 0
eq "ddl: the golden statement" "$(cat "$work/ddl.out")" \
  "$(sed -e "s/@ID@/$id/g" -e "s/@TABLE@/$table/g" -e "s/@NAME@/$name/g" "$top/tests/golden/inspect-ddl.sql")"
run ddl2 "$I" ddl "$work/p.ini"
eq "ddl: the range starts on the stream's creation day" \
  "$(grep -c "'projection.datehour.range' = '$day/00,NOW'" "$work/ddl2.out")" 1

# --- what send delivers this hour, and two earlier hours
for i in $(seq 1 300); do
  s=$(( i % 3 )); svc=$([ $s = 0 ] && echo api || { [ $s = 1 ] && echo web || echo batch; })
  printf '{"ts":"t%d","service":"%s","status":%d,"req":{"method":"GET","path":"/p%d"}}\n' \
    "$i" "$svc" $((200 + i % 2)) "$i"
done >"$work/now.ndjson"
run send "$P" send "$work/p.ini" --file "$work/now.ndjson"
eq "send: exit" "$rc" 0
ctl POST firehose/flush >/dev/null
put_hour() { # put_hour HOURS_AGO SERVICE COUNT
  local t key
  t=$(( $(date -u +%s) - $1 * 3600 ))
  key="logs/$(date -u -d "@$t" +%Y/%m/%d/%H)/$name-1-$(date -u -d "@$t" +%Y-%m-%d-%H-%M-%S)-0000$1.gz"
  for i in $(seq 1 "$3"); do
    printf '{"ts":"h%d-%d","service":"%s","status":500,"req":{"method":"POST","path":"/x"}}\n' "$1" "$i" "$2"
  done | gzip >"$work/h$1.gz"
  awsx s3api put-object --bucket "$name" --key "$key" --body "$work/h$1.gz" >/dev/null
}
put_hour 2 api 40
put_hour 3 web 25
# an error object beside the table: never read by a query
echo '{"errorCode":"x"}' | gzip >"$work/e.gz"
awsx s3api put-object --bucket "$name" --key "errors/processing-failed/$(date -u +%Y/%m/%d/%H)/e.gz" \
  --body "$work/e.gz" >/dev/null

stats_count() { # stats_count SERVICE [inspect options]
  local svc=$1
  shift
  "$I" stats "$work/p.ini" --where "service=$svc" --json "$@" 2>/dev/null | jq -r .records
}
q="SELECT service, count(*) AS n FROM $table WHERE {window} GROUP BY service ORDER BY service"
run q1 "$I" query "$work/p.ini" "$q"
eq "query: exit" "$rc" 0
eq "query: counts per service" "$(cat "$work/q1.out")" \
"{\"service\":\"api\",\"n\":$(stats_count api)}
{\"service\":\"batch\",\"n\":$(stats_count batch)}
{\"service\":\"web\",\"n\":$(stats_count web)}"
eq "query: the counts themselves" "$(jq -c .n "$work/q1.out" | tr '\n' ' ')" "140 100 125 "
all=$(ctl GET athena/queries | jq '.queries[-1].objects_read')
since=$(date -u -d "@$(( $(date -u +%s) - 2 * 3600 ))" +%Y-%m-%dT%H:00:00Z)
run q2 "$I" query "$work/p.ini" --since "$since" "$q"
eq "query --since: exit" "$rc" 0
eq "query --since: counts match stats --since" "$(jq -c '[.service, .n]' "$work/q2.out" | tr '\n' ' ')" \
  "[\"api\",$(stats_count api --since "$since")] [\"batch\",$(stats_count batch --since "$since")] [\"web\",$(stats_count web --since "$since")] "
win=$(ctl GET athena/queries | jq '.queries[-1].objects_read')
eq "query --since: the window read fewer objects" "$([ "$win" -lt "$all" ] && [ "$win" -gt 0 ] && echo fewer)" fewer
eq "query --since: the predicate sent" "$(ctl GET athena/queries | jq -r '.queries[-1].query' | grep -o "datehour [^)]*")" \
  "datehour >= '$(date -u -d "$since" +%Y/%m/%d/%H)'"
eq "query: no error object read" "$(ctl GET athena/queries | jq '[.queries[].keys_read[] | select(test("^s3://[^/]+/errors/"))] | length')" 0
eq "query: every key read is under the table's location" "$(ctl GET athena/queries | jq --arg l "s3://$name/logs/" '[.queries[].keys_read[] | select(startswith($l) | not)] | length')" 0

run q3 "$I" query "$work/p.ini" --format csv "SELECT req.method AS m, count(*) AS n FROM $table GROUP BY 1 ORDER BY 1"
eq "query --format csv" "$(cat "$work/q3.out")" "m,n
GET,300
POST,65"
run q4 "$I" query "$work/p.ini" "SELECT nosuch FROM $table"
eq "failed query: exit 1" "$rc" 1
eq "failed query: Athena's reason" "$(grep -c 'FAILED: COLUMN_NOT_FOUND' "$work/q4.err")" 1
run q5 "$I" query "$work/p.ini" --since 1h "SELECT count(*) FROM $table"
eq "a window without {window}: usage" "$rc" 64

# --- Ctrl-C stops the query on Athena
ctl POST config '{"athena_queue_seconds": 30}' >/dev/null
"$I" query "$work/p.ini" "SELECT count(*) FROM $table" >"$work/int.out" 2>"$work/int.err" &
qpid=$!
for _ in $(seq 50); do
  [ "$(ctl GET athena/queries | jq -r '.queries[-1].state')" = QUEUED ] && break
  sleep 0.1
done
sleep 0.3
kill -INT "$qpid"
wait "$qpid"
eq "Ctrl-C: exit 130" "$?" 130
eq "Ctrl-C: the query was stopped" "$(ctl GET athena/queries | jq -r '.queries[-1].state')" CANCELLED
eq "Ctrl-C: says so" "$(grep -c 'interrupted: query .* stopped' "$work/int.err")" 1
ctl POST config '{"athena_queue_seconds": 0.2}' >/dev/null

# --- destroy removes the table and the database it made
ctl POST ledger/reset >/dev/null
run destroy "$P" destroy --empty-bucket "$work/p.ini"
eq "destroy: exit" "$rc" 0
eq "destroy: table then database" \
  "$(ctl GET ledger | jq -r '[.calls[] | select(.mutating and .service == "glue") | .operation] | join(" ")')" \
  "DeleteTable DeleteDatabase"
awsx glue get-database --name "audit_$id" >/dev/null 2>"$work/gd.err"
eq "destroy: the database is gone" "$(grep -c EntityNotFoundException "$work/gd.err")" 1

# --- a database sluice did not make is kept
awsx glue create-database --database-input "{\"Name\":\"shared_$id\"}"
write_profile "$work/k.ini" "$name-k" compression=GZIP
printf '\n[athena]\ndatabase = shared_%s\ncolumns = a:string\n' "$id" >>"$work/k.ini"
run apply5 "$P" apply "$work/k.ini"
eq "apply into a database sluice did not make: exit" "$rc" 0
run destroy2 "$P" destroy --empty-bucket "$work/k.ini"
eq "destroy: exit" "$rc" 0
eq "destroy: that database kept" "$(awsx glue get-database --name "shared_$id" --query Database.Name --output text)" "shared_$id"
eq "destroy: says why" "$(grep -c 'glue_database shared_'"$id"'.*kept: not created by this pipeline' "$work/destroy2.out")" 1

done_counts athena
