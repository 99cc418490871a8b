#!/bin/bash
# Conformance: the emulator's Glue Data Catalog and Athena driven with the AWS CLI (Debian's /usr/bin/aws):
# every Glue/Athena operation the emulator implements, their errors, and a projected, partitioned JSON table
# queried for real (DuckDB) with the partition pruning checked through /_emu/athena/queries.
#
# Usage: run by conformance/run.sh (which exports EMU_ENDPOINT and the isolated AWS_* environment), or
#   EMU_ENDPOINT=http://127.0.0.1:PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
#   AWS_DEFAULT_REGION=us-east-1 tests/emulator/conformance/glue_athena.sh
# Last line: "N passed, N failed"; exits non-zero on any failure.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
TOP="$(cd "$HERE/../../.." && pwd)"
[ -n "${EMU_ENDPOINT:-}" ] || { echo "glue_athena.sh: EMU_ENDPOINT is not set (run conformance/run.sh)" >&2; echo "0 passed, 1 failed"; exit 1; }
# shellcheck source=lib.sh
. "$HERE/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

SFX=$$
DB="conf_db_$SFX"
B="conf-logs-$SFX"
R="conf-results-$SFX"

# ------------------------------------------------------------------------------------------------ Glue
expect_ok "glue create-database" glue create-database --database-input "{\"Name\":\"CONF_DB_$SFX\",\"Description\":\"d\"}"
expect_ok "glue get-database (lowercased)" glue get-database --name "$DB" \
  && check "database shape" ".Database.Name == \"$DB\" and .Database.CatalogId == \"000000000000\" and .Database.Description == \"d\""
expect_err "glue create-database twice" AlreadyExistsException glue create-database --database-input "{\"Name\":\"$DB\"}"
expect_err "glue get-database of a missing one" EntityNotFoundException glue get-database --name "nope_$SFX"
expect_err "glue get-database of another catalog" AccessDeniedException glue get-database --catalog-id 111111111111 --name "$DB"
expect_err "glue create-database with a 256-character name" ValidationException glue create-database \
  --database-input "{\"Name\":\"$(printf 'x%.0s' $(seq 256))\"}"
expect_ok "glue get-databases" glue get-databases && check "lists it" "[.DatabaseList[].Name] | index(\"$DB\") != null"

TI=$(cat <<JSON
{"Name":"Access","TableType":"EXTERNAL_TABLE",
 "Parameters":{"EXTERNAL":"TRUE","classification":"json","compressionType":"gzip","projection.enabled":"true",
   "projection.datehour.type":"date","projection.datehour.format":"yyyy/MM/dd/HH",
   "projection.datehour.range":"NOW-4HOURS,NOW","projection.datehour.interval":"1",
   "projection.datehour.interval.unit":"HOURS","storage.location.template":"s3://$B/logs/\${datehour}/"},
 "PartitionKeys":[{"Name":"datehour","Type":"string"}],
 "StorageDescriptor":{"Columns":[{"Name":"status","Type":"int"},{"Name":"req","Type":"struct<method:string>"}],
   "Location":"s3://$B/logs/","InputFormat":"org.apache.hadoop.mapred.TextInputFormat",
   "OutputFormat":"org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat","Compressed":true,
   "SerdeInfo":{"SerializationLibrary":"org.openx.data.jsonserde.JsonSerDe","Parameters":{"ignore.malformed.json":"true"}}}}
JSON
)
expect_ok "glue create-table" glue create-table --database-name "$DB" --table-input "$TI"
expect_err "glue create-table twice" AlreadyExistsException glue create-table --database-name "$DB" --table-input "$TI"
expect_err "glue create-table in a missing database" EntityNotFoundException glue create-table --database-name "nope_$SFX" --table-input "$TI"
expect_ok "glue get-table" glue get-table --database-name "$DB" --name ACCESS \
  && check "table shape" '.Table.Name == "access" and .Table.VersionId == "0" and .Table.IsRegisteredWithLakeFormation == false
    and .Table.CreatedBy == "arn:aws:iam::000000000000:root" and .Table.PartitionKeys == [{"Name":"datehour","Type":"string"}]
    and .Table.StorageDescriptor.SerdeInfo.Parameters["ignore.malformed.json"] == "true"'
expect_err "glue get-table of a missing table" EntityNotFoundException glue get-table --database-name "$DB" --name nope
expect_ok "glue update-table" glue update-table --database-name "$DB" --table-input "$TI" \
  && expect_ok "glue get-table after update" glue get-table --database-name "$DB" --name access \
  && check "version 1" '.Table.VersionId == "1"'
expect_err "glue update-table with a stale version" ConcurrentModificationException glue update-table --database-name "$DB" --table-input "$TI" --version-id 0
expect_ok "glue get-tables" glue get-tables --database-name "$DB" && check "one table" '[.TableList[].Name] == ["access"]'
expect_ok "glue get-partitions (projection keeps none)" glue get-partitions --database-name "$DB" --table-name access \
  --expression "datehour = '2026/12/07/10'" --max-items 10 && check "no partitions" '.Partitions == []'

# ------------------------------------------------------------------------------------------------ Athena
expect_ok "athena get-work-group primary" athena get-work-group --work-group primary \
  && check "primary" '.WorkGroup.Name == "primary" and .WorkGroup.State == "ENABLED"'
expect_err "athena get-work-group other" InvalidRequestException athena get-work-group --work-group "nope$SFX"
expect_err "athena start without an output location" InvalidRequestException athena start-query-execution --query-string "SELECT 1"
expect_err "athena start with a missing output bucket" InvalidRequestException athena start-query-execution \
  --query-string "SELECT 1" --result-configuration "OutputLocation=s3://nope-$SFX/x/"
expect_err "athena get-query-execution of an unknown id" InvalidRequestException athena get-query-execution --query-execution-id "nope-$SFX"

awsx s3api create-bucket --bucket "$B"
awsx s3api create-bucket --bucket "$R"
KEYS=()
for back in 3 2 1; do
  h=$(date -u -d "-$back hours" +%Y/%m/%d/%H)
  printf '{"status":200,"req":{"method":"GET"}}\n{"status":404,"req":{"method":"POST"}}\n' | gzip -n >"$T/$back.gz"
  key="logs/$h/conf-1-$back.gz"
  awsx s3api put-object --bucket "$B" --key "$key" --body "$T/$back.gz"
  KEYS+=("$key")
done
awsx s3api put-object --bucket "$B" --key "logs/errors/x.gz" --body "$T/1.gz"
H2=$(date -u -d "-2 hours" +%Y/%m/%d/%H)
H1=$(date -u -d "-1 hours" +%Y/%m/%d/%H)
SIZE2=$(stat -c %s "$T/2.gz")
SIZE1=$(stat -c %s "$T/1.gz")

# wait_query ID: poll get-query-execution until the state is final; $STATE holds it
wait_query() {
  STATE=""
  for _ in $(seq 1 200); do
    awsx athena get-query-execution --query-execution-id "$1"
    STATE=$(printf '%s' "$OUT" | jq -r .QueryExecution.Status.State)
    case "$STATE" in QUEUED|RUNNING) sleep 0.05 ;; *) return 0 ;; esac
  done
  return 1
}

if [ ! -d "$TOP/.npm-tools/duckdb/node_modules/@duckdb/node-api" ]; then
  echo "glue_athena.sh: DuckDB is not installed (scripts/setup): the query checks are skipped" >&2
else
  SQL="SELECT req.method, count(*) AS n FROM $DB.access WHERE datehour BETWEEN '$H2' AND '$H1' AND status IS NOT NULL GROUP BY req.method ORDER BY req.method"
  expect_ok "athena start-query-execution" athena start-query-execution --query-string "$SQL" \
    --query-execution-context "Database=$DB" --result-configuration "OutputLocation=s3://$R/out/" \
    --client-request-token "conf-token-$SFX-0123456789abcdefghij"
  QID=$(printf '%s' "$OUT" | jq -r .QueryExecutionId)
  expect_ok "athena start-query-execution again with the same token" athena start-query-execution --query-string "$SQL" \
    --query-execution-context "Database=$DB" --result-configuration "OutputLocation=s3://$R/out/" \
    --client-request-token "conf-token-$SFX-0123456789abcdefghij" && check "same id" ".QueryExecutionId == \"$QID\""
  wait_query "$QID"
  check "query succeeded" '.QueryExecution.Status.State == "SUCCEEDED"'
  check "execution shape" ".QueryExecution.StatementType == \"DML\" and .QueryExecution.ResultConfiguration.OutputLocation == \"s3://$R/out/$QID.csv\"
    and .QueryExecution.Statistics.DataScannedInBytes == $((SIZE1 + SIZE2)) and .QueryExecution.WorkGroup == \"primary\"
    and .QueryExecution.EngineVersion.EffectiveEngineVersion == \"Athena engine version 3\""
  expect_ok "athena get-query-results" athena get-query-results --query-execution-id "$QID" \
    && check "header then rows" '[.ResultSet.Rows[].Data | map(.VarCharValue)] == [["method","n"],["GET","2"],["POST","2"]]' \
    && check "column info" '[.ResultSet.ResultSetMetadata.ColumnInfo[] | .Type] == ["varchar","bigint"]'
  expect_ok "athena get-query-results paged" athena get-query-results --query-execution-id "$QID" --max-results 1 --no-paginate \
    && check "one row and a token" '(.ResultSet.Rows | length) == 1 and (.NextToken | length) > 0'
  expect_ok "the result CSV in S3" s3api get-object --bucket "$R" --key "out/$QID.csv" "$T/result.csv"
  if [ "$(cat "$T/result.csv")" = "$(printf '"method","n"\n"GET","2"\n"POST","2"')" ]; then _pass "result CSV bytes"; else _fail "result CSV bytes" "$(cat "$T/result.csv")"; fi
  expect_ok "the result metadata in S3" s3api head-object --bucket "$R" --key "out/$QID.csv.metadata"
  Q=$(curl -s "$EMU_ENDPOINT/_emu/athena/queries")
  OUT=$(printf '%s' "$Q" | jq --arg id "$QID" '.queries[] | select(.id == $id)')
  check "pruning: exactly the 2 selected objects were read" ".objects_read == 2 and .keys_read == [\"s3://$B/${KEYS[1]}\", \"s3://$B/${KEYS[2]}\"] and .bytes_scanned == $((SIZE1 + SIZE2))"

  expect_ok "athena start a failing query" athena start-query-execution --query-string "SELECT nope FROM access" \
    --query-execution-context "Database=$DB" --result-configuration "OutputLocation=s3://$R/out/"
  FID=$(printf '%s' "$OUT" | jq -r .QueryExecutionId)
  wait_query "$FID"
  check "COLUMN_NOT_FOUND" '.QueryExecution.Status.State == "FAILED" and (.QueryExecution.Status.StateChangeReason | startswith("COLUMN_NOT_FOUND: line 1:8: Column '"'"'nope'"'"' cannot be resolved"))
    and .QueryExecution.Status.AthenaError.ErrorCategory == 2'
  expect_err "athena get-query-results of a failed query" InvalidRequestException athena get-query-results --query-execution-id "$FID"
  curl -s -X POST "$EMU_ENDPOINT/_emu/config" -d '{"athena_queue_seconds": 5}' >/dev/null
  expect_ok "athena start a query to stop" athena start-query-execution --query-string "SELECT 1" \
    --result-configuration "OutputLocation=s3://$R/out/"
  SID=$(printf '%s' "$OUT" | jq -r .QueryExecutionId)
  expect_ok "athena stop-query-execution" athena stop-query-execution --query-execution-id "$SID"
  expect_ok "athena get-query-execution after stop" athena get-query-execution --query-execution-id "$SID" \
    && check "CANCELLED" '.QueryExecution.Status.State == "CANCELLED" and .QueryExecution.Status.StateChangeReason == "Query was cancelled by user"'
  curl -s -X POST "$EMU_ENDPOINT/_emu/config" -d '{"athena_queue_seconds": 0.2}' >/dev/null
  expect_ok "athena stop-query-execution of a finished query" athena stop-query-execution --query-execution-id "$QID"
fi

# ------------------------------------------------------------------------------------------------ clean up
expect_ok "glue delete-table" glue delete-table --database-name "$DB" --name access
expect_err "glue delete-table again" EntityNotFoundException glue delete-table --database-name "$DB" --name access
expect_ok "glue create-table for delete-database" glue create-table --database-name "$DB" --table-input "$TI"
expect_ok "glue delete-database (with its tables)" glue delete-database --name "$DB"
expect_err "glue get-table after delete-database" EntityNotFoundException glue get-table --database-name "$DB" --name access
summary
[ "$FAIL" -eq 0 ]
