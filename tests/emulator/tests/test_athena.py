"""Athena through botocore clients, queries run on DuckDB: workgroups, validation, the state machine, results
and their paging, the result files in S3, partition projection and pruning (the objects really read), SQL
translation, Athena's error reasons, StopQueryExecution, ClientRequestToken idempotency."""

import datetime
import gzip
import json
import time
import unittest

import botocore.exceptions

from emu_harness import ServerTest, error_code
from sluice_emu import engine

HAVE_ENGINE = engine.available()
NEED_ENGINE = unittest.skipUnless(HAVE_ENGINE, "DuckDB (@duckdb/node-api in .npm-tools/duckdb) is not installed: "
                                               "run scripts/setup")
OUT = "s3://athena-results/q/"


def hour(dt):
    return dt.strftime("%Y/%m/%d/%H")


class AthenaBase(ServerTest):
    config = {"athena_queue_seconds": 0.05}

    def setUp(self):
        super().setUp()
        self.emu.config["athena_queue_seconds"] = 0.05
        self.athena = self.client("athena")
        self.glue = self.client("glue")
        self.s3c = self.s3()
        self.s3c.create_bucket(Bucket="athena-results")

    def err(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return error_code(cm.exception), cm.exception.response["Error"]["Message"]

    def call(self, op, body, service="athena"):
        status, _, data = self.signed("POST", "/", service, json.dumps(body).encode(),
                                      headers={"X-Amz-Target": "AmazonAthena." + op,
                                               "Content-Type": "application/x-amz-json-1.1"})
        return status, json.loads(data)

    def start(self, sql, db="sluice", **kw):
        kw.setdefault("ResultConfiguration", {"OutputLocation": OUT})
        if db:
            kw.setdefault("QueryExecutionContext", {"Database": db})
        return self.athena.start_query_execution(QueryString=sql, **kw)["QueryExecutionId"]

    def wait(self, qid, timeout=20):
        seen = []
        end = time.time() + timeout
        while time.time() < end:
            qe = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            st = qe["Status"]["State"]
            if not seen or seen[-1] != st:
                seen.append(st)
            if st not in ("QUEUED", "RUNNING"):
                qe["_seen"] = seen
                return qe
            time.sleep(0.01)
        self.fail("query %s did not finish" % qid)

    def rows(self, qid, **kw):
        r = self.athena.get_query_results(QueryExecutionId=qid, **kw)
        return [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]]

    def run_sql(self, sql, **kw):
        qid = self.start(sql, **kw)
        qe = self.wait(qid)
        self.assertEqual(qe["Status"]["State"], "SUCCEEDED", qe["Status"].get("StateChangeReason"))
        return self.rows(qid)

    def reason(self, sql, **kw):
        qe = self.wait(self.start(sql, **kw))
        self.assertEqual(qe["Status"]["State"], "FAILED")
        return qe["Status"]["StateChangeReason"]

    # ------------------------------------------------------------------ fixtures
    def access_table(self, name="access", fmt="yyyy/MM/dd/HH", template="s3://logs-bucket/logs/${datehour}/",
                     rng="NOW-5HOURS,NOW", extra_params=None):
        try:
            self.glue.create_database(DatabaseInput={"Name": "sluice"})
        except botocore.exceptions.ClientError:
            pass
        params = {"EXTERNAL": "TRUE", "classification": "json", "compressionType": "gzip",
                  "projection.enabled": "true", "projection.datehour.type": "date",
                  "projection.datehour.format": fmt, "projection.datehour.range": rng,
                  "projection.datehour.interval": "1", "projection.datehour.interval.unit": "HOURS",
                  "storage.location.template": template}
        params.update(extra_params or {})
        self.glue.create_table(DatabaseName="sluice", TableInput={
            "Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": params,
            "PartitionKeys": [{"Name": "datehour", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "ts", "Type": "string"}, {"Name": "status", "Type": "int"},
                            {"Name": "bytes", "Type": "bigint"}, {"Name": "ip", "Type": "string"},
                            {"Name": "req", "Type": "struct<method:string,path:string>"},
                            {"Name": "tags", "Type": "array<string>"}],
                "Location": "s3://logs-bucket/logs/",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "Compressed": True,
                "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
                              "Parameters": {"ignore.malformed.json": "true"}}}})

    def put_hours(self, prefix_fn=lambda dt: "logs/" + hour(dt) + "/"):
        """3 hour partitions (now-3h .. now-1h) with one gzip object each, plus an error-prefix object."""
        try:
            self.s3c.create_bucket(Bucket="logs-bucket")
        except botocore.exceptions.ClientError:
            pass
        now = datetime.datetime.utcnow().replace(minute=0, second=0, microsecond=0)
        self.hours = [now - datetime.timedelta(hours=h) for h in (3, 2, 1)]
        self.objects = {}
        for n, dt in enumerate(self.hours):
            lines = [json.dumps({"ts": dt.strftime("%Y-%m-%dT%H:00:00Z"), "status": s, "bytes": 100 * (n + 1) + s,
                                 "ip": "10.0.0.%d" % (s % 7), "req": {"method": m, "path": "/p%d" % s},
                                 "tags": ["a", "b"]})
                     for s, m in ((200, "GET"), (404, "POST"), (500, "GET"))]
            body = gzip.compress(("\n".join(lines) + "\n{broken json\n").encode(), mtime=0)
            key = prefix_fn(dt) + "sluice-1-%s-0000.gz" % dt.strftime("%Y-%m-%d-%H-00-00")
            self.s3c.put_object(Bucket="logs-bucket", Key=key, Body=body)
            self.objects[key] = len(body)
        self.s3c.put_object(Bucket="logs-bucket", Key="logs/errors/s3-failed/x.gz", Body=gzip.compress(b"{}\n"))
        return self.hours


class AthenaApiTest(AthenaBase):
    """What does not need the engine."""

    def test_workgroup(self):
        wg = self.athena.get_work_group(WorkGroup="primary")["WorkGroup"]
        self.assertEqual((wg["Name"], wg["State"]), ("primary", "ENABLED"))
        self.assertEqual(wg["Configuration"]["ResultConfiguration"], {})
        self.assertEqual(wg["Configuration"]["EngineVersion"],
                         {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"})
        self.assertEqual(self.err(self.athena.get_work_group, WorkGroup="other"),
                         ("InvalidRequestException", "WorkGroup other is not found."))

    def test_start_validation(self):
        self.assertEqual(self.err(self.athena.start_query_execution, QueryString="SELECT 1"),
                         ("InvalidRequestException", "No output location provided. An output location is required "
                          "either through the Workgroup result configuration setting or as an API input."))
        self.assertEqual(self.err(self.athena.start_query_execution, QueryString="SELECT 1",
                                  ResultConfiguration={"OutputLocation": "s3://no-such-bucket/x/"}),
                         ("InvalidRequestException", "Unable to verify/create output bucket no-such-bucket"))
        self.assertEqual(self.err(self.athena.start_query_execution, QueryString="SELECT 1", WorkGroup="wg2",
                                  ResultConfiguration={"OutputLocation": OUT}),
                         ("InvalidRequestException", "WorkGroup wg2 is not found."))
        status, body = self.call("StartQueryExecution", {"QueryString": "", "ResultConfiguration":
                                                         {"OutputLocation": OUT}})
        self.assertEqual((status, body["__type"], body["AthenaErrorCode"]),
                         (400, "InvalidRequestException", "INVALID_INPUT"))
        self.assertEqual(body["Message"], "1 validation error detected: Value '' at 'queryString' failed to satisfy "
                         "constraint: Member must have length greater than or equal to 1")
        status, body = self.call("StartQueryExecution", {"QueryString": "x" * 262145})
        self.assertIn("Member must have length less than or equal to 262144", body["Message"])
        status, body = self.call("StartQueryExecution", {"QueryString": "SELECT 1", "ClientRequestToken": "short"})
        self.assertIn("Member must have length greater than or equal to 32", body["Message"])
        status, body = self.call("GetQueryExecution", {})
        self.assertEqual(body["Message"], "1 validation error detected: Value null at 'queryExecutionId' failed to "
                         "satisfy constraint: Member must not be null")
        status, body = self.call("GetQueryResults", {"QueryExecutionId": "x", "MaxResults": 1001})
        self.assertEqual((status, body["__type"]), (400, "InvalidRequestException"))
        self.assertIn("Member must have value less than or equal to 1000", body["Message"])
        status, body = self.call("GetQueryExecution", {"QueryExecutionId": 5})
        self.assertEqual((status, body["__type"]), (400, "SerializationException"))

    def test_unknown_query_id(self):
        status, body = self.call("GetQueryExecution", {"QueryExecutionId": "11111111-2222-3333-4444-555555555555"})
        self.assertEqual((status, body), (400, {"__type": "InvalidRequestException",
                                                "Message": "QueryExecution 11111111-2222-3333-4444-555555555555 "
                                                           "was not found",
                                                "AthenaErrorCode": "QUERY_EXECUTION_NOT_FOUND"}))
        for fn in (self.athena.get_query_results, self.athena.stop_query_execution):
            self.assertEqual(self.err(fn, QueryExecutionId="nope"),
                             ("InvalidRequestException", "QueryExecution nope was not found"))

    def test_signing_scope(self):
        status, body = self.call("GetWorkGroup", {"WorkGroup": "primary"}, service="glue")
        self.assertEqual((status, body["__type"]), (400, "InvalidSignatureException"))

    def test_ddl_is_refused_as_a_failed_query(self):
        qe = self.wait(self.start("CREATE EXTERNAL TABLE x (a int) LOCATION 's3://b/'"))
        self.assertEqual((qe["Status"]["State"], qe["StatementType"]), ("FAILED", "DDL"))
        self.assertTrue(qe["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED: "))


class EngineMissingTest(AthenaBase):
    config = {"athena_queue_seconds": 0.05, "duckdb_node_modules": "/nonexistent/node_modules"}

    def test_query_fails_with_a_clear_reason(self):
        qe = self.wait(self.start("SELECT 1"))
        self.assertEqual(qe["Status"]["State"], "FAILED")
        self.assertEqual(qe["Status"]["StateChangeReason"],
                         "the emulator's SQL engine is not installed: run scripts/setup")
        self.assertEqual(qe["Status"]["AthenaError"]["ErrorCategory"], 1)
        self.assertEqual(self.err(self.athena.get_query_results, QueryExecutionId=qe["QueryExecutionId"]),
                         ("InvalidRequestException", "Query did not finish successfully. Final query state: FAILED"))


@NEED_ENGINE
class AthenaEngineTest(AthenaBase):
    def test_state_machine_and_execution_shape(self):
        self.emu.config["athena_queue_seconds"] = 0.3
        qid = self.start("SELECT 1 AS one")
        self.assertEqual(self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"],
                         "QUEUED")
        self.assertEqual(self.err(self.athena.get_query_results, QueryExecutionId=qid),
                         ("InvalidRequestException", "Query has not yet finished. Current state: QUEUED"))
        qe = self.wait(qid)
        self.assertEqual(qe["_seen"], ["QUEUED", "RUNNING", "SUCCEEDED"])
        self.assertEqual(qe["Query"], "SELECT 1 AS one")
        self.assertEqual((qe["StatementType"], qe["WorkGroup"]), ("DML", "primary"))
        self.assertEqual(qe["ResultConfiguration"]["OutputLocation"], OUT + qid + ".csv")
        self.assertEqual(qe["QueryExecutionContext"], {"Database": "sluice", "Catalog": "AwsDataCatalog"})
        self.assertEqual(qe["EngineVersion"], {"SelectedEngineVersion": "AUTO",
                                               "EffectiveEngineVersion": "Athena engine version 3"})
        _, raw = self.call("GetQueryExecution", {"QueryExecutionId": qid})   # every member, whatever botocore knows
        st = raw["QueryExecution"]["Statistics"]
        for k in ("EngineExecutionTimeInMillis", "DataScannedInBytes", "TotalExecutionTimeInMillis",
                  "QueryQueueTimeInMillis", "ServicePreProcessingTimeInMillis", "QueryPlanningTimeInMillis",
                  "ServiceProcessingTimeInMillis"):
            self.assertIsInstance(st[k], int, k)
        self.assertGreaterEqual(st["QueryQueueTimeInMillis"], 250)
        self.assertEqual(st["DataScannedInBytes"], 0)
        self.assertLess(qe["Status"]["SubmissionDateTime"], qe["Status"]["CompletionDateTime"])
        self.assertEqual(self.rows(qid), [["one"], ["1"]])

    def test_results_csv_and_metadata_in_s3(self):
        qid = self.start("SELECT 'a\"b' AS s, NULL AS n, 1 AS i, 2.5e0 AS d")
        self.wait(qid)
        body = self.s3c.get_object(Bucket="athena-results", Key="q/%s.csv" % qid)["Body"].read()
        self.assertEqual(body, b'"s","n","i","d"\n"a""b",,"1","2.5"\n')
        self.assertGreater(self.s3c.head_object(Bucket="athena-results", Key="q/%s.csv.metadata" % qid)
                           ["ContentLength"], 0)
        r = self.athena.get_query_results(QueryExecutionId=qid)
        self.assertEqual(r["ResultSet"]["Rows"][1]["Data"], [{"VarCharValue": 'a"b'}, {}, {"VarCharValue": "1"},
                                                             {"VarCharValue": "2.5"}])
        self.assertEqual(r["UpdateCount"], 0)
        info = r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        self.assertEqual(info[0], {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": "s",
                                   "Label": "s", "Type": "varchar", "Precision": 2147483647, "Scale": 0,
                                   "Nullable": "UNKNOWN", "CaseSensitive": True})
        self.assertEqual([(c["Name"], c["Type"]) for c in info], [("s", "varchar"), ("n", "integer"),
                                                                  ("i", "integer"), ("d", "double")])

    def test_paging_2500_rows(self):
        self.s3c.create_bucket(Bucket="big-bucket")
        body = "".join(json.dumps({"n": i}) + "\n" for i in range(2500)).encode()
        self.s3c.put_object(Bucket="big-bucket", Key="big/data.json", Body=body)
        self.glue.create_database(DatabaseInput={"Name": "sluice"})
        self.glue.create_table(DatabaseName="sluice", TableInput={
            "Name": "big", "StorageDescriptor": {"Columns": [{"Name": "n", "Type": "bigint"}],
                                                 "Location": "s3://big-bucket/big/",
                                                 "SerdeInfo": {"SerializationLibrary":
                                                               "org.openx.data.jsonserde.JsonSerDe"}}})
        qid = self.start("SELECT n FROM big ORDER BY n")
        qe = self.wait(qid)
        self.assertEqual(qe["Status"]["State"], "SUCCEEDED", qe["Status"].get("StateChangeReason"))
        self.assertEqual(qe["Statistics"]["DataScannedInBytes"], len(body))
        pages = []
        token = None
        while True:
            kw = {"NextToken": token} if token else {}
            r = self.athena.get_query_results(QueryExecutionId=qid, **kw)
            pages.append([[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]])
            token = r.get("NextToken")
            if not token:
                break
        self.assertEqual([len(p) for p in pages], [1000, 1000, 501])
        self.assertEqual(pages[0][0], ["n"])
        data = [row[0] for p in pages for row in p][1:]
        self.assertEqual(data, [str(i) for i in range(2500)])
        small = self.athena.get_query_results(QueryExecutionId=qid, MaxResults=2)
        self.assertEqual(len(small["ResultSet"]["Rows"]), 2)
        self.assertEqual(self.err(self.athena.get_query_results, QueryExecutionId=qid, NextToken="garbage!"),
                         ("InvalidRequestException", "Unable to parse the NextToken"))

    def test_pruning_reads_only_the_selected_partitions(self):
        self.access_table()
        h = self.put_hours()
        self.emu.ledger.reset()
        sql = "SELECT count(*) FROM access WHERE datehour BETWEEN '%s' AND '%s'" % (hour(h[1]), hour(h[2]))
        qid = self.start(sql)
        qe = self.wait(qid)
        self.assertEqual(qe["Status"]["State"], "SUCCEEDED", qe["Status"].get("StateChangeReason"))
        self.assertEqual(self.rows(qid), [["_col0"], ["8"]])     # 3 records + 1 malformed (a NULL row) per hour
        want = sorted(k for k in self.objects if hour(h[1]) in k or hour(h[2]) in k)
        self.assertEqual(len(want), 2)
        self.assertEqual(qe["Statistics"]["DataScannedInBytes"], sum(self.objects[k] for k in want))
        _, q = self.control("GET", "/_emu/athena/queries")
        rec = [x for x in q["queries"] if x["id"] == qid][0]
        self.assertEqual(rec["keys_read"], ["s3://logs-bucket/" + k for k in want])
        self.assertEqual((rec["objects_read"], rec["bytes_scanned"], rec["state"], rec["database"]),
                         (2, sum(self.objects[k] for k in want), "SUCCEEDED", "sluice"))
        self.assertEqual(rec["query"], sql)
        self.assertIn("FROM access", rec["engine_sql"])
        _, summary = self.control("GET", "/_emu/ledger/summary")
        self.assertEqual(summary["athena_objects_read"], 2)
        # the whole table: all 3 hours, never the error prefix
        qid = self.start("SELECT count(*), count(status) FROM access")
        self.wait(qid)
        self.assertEqual(self.rows(qid)[1], ["12", "9"])
        _, q = self.control("GET", "/_emu/athena/queries")
        self.assertEqual(q["queries"][-1]["keys_read"], ["s3://logs-bucket/" + k for k in sorted(self.objects)])

    def test_custom_prefix_format(self):
        self.access_table(fmt="yyyy-MM-dd'/hour='HH",
                          template="s3://logs-bucket/custom/${datehour}/")
        h = self.put_hours(prefix_fn=lambda dt: dt.strftime("custom/%Y-%m-%d/hour=%H/"))
        value = h[2].strftime("%Y-%m-%d/hour=%H")
        qid = self.start("SELECT datehour, count(*) FROM access WHERE datehour = '%s' GROUP BY datehour" % value)
        self.wait(qid)
        self.assertEqual(self.rows(qid), [["datehour", "_col1"], [value, "4"]])
        _, q = self.control("GET", "/_emu/athena/queries")
        self.assertEqual(q["queries"][-1]["objects_read"], 1)

    def test_sql_constructs(self):
        self.access_table()
        h = self.put_hours()
        last = hour(h[2])
        cases = [
            ("SELECT status, req.method, req.path FROM access WHERE datehour = '%s' AND status IS NOT NULL "
             "ORDER BY status" % last,
             [["status", "method", "path"], ["200", "GET", "/p200"], ["404", "POST", "/p404"],
              ["500", "GET", "/p500"]]),
            ("SELECT COUNT(*) AS n, SUM(bytes) AS total, MIN(status) AS lo, MAX(status) AS hi FROM access",
             [["n", "total", "lo", "hi"], ["12", str(sum(100 * k + s for k in (1, 2, 3) for s in (200, 404, 500))),
                                           "200", "500"]]),
            ("SELECT approx_distinct(ip) AS ips FROM access", [["ips"], ["3"]]),
            ("SELECT req.method, count(*) AS c FROM access WHERE status >= 400 GROUP BY req.method ORDER BY c DESC, "
             "req.method", [["method", "c"], ["GET", "3"], ["POST", "3"]]),
            ("SELECT status FROM access WHERE status IS NOT NULL ORDER BY bytes DESC LIMIT 2",
             [["status"], ["500"], ["404"]]),
            ("SELECT date_parse(datehour, '%%Y/%%m/%%d/%%H') AS t FROM \"sluice\".\"access\" WHERE datehour = '%s' "
             "LIMIT 1" % last, [["t"], [h[2].strftime("%Y-%m-%d %H:00:00.000")]]),
            ("SELECT date_format(date_parse(datehour, '%%Y/%%m/%%d/%%H'), '%%Y-%%m-%%d %%H:%%i') AS t FROM "
             "sluice.access WHERE datehour = '%s' LIMIT 1" % last, [["t"], [h[2].strftime("%Y-%m-%d %H:00")]]),
            ("SELECT cardinality(tags) AS n, tags FROM access WHERE status = 200 LIMIT 1",
             [["n", "tags"], ["2", "[a, b]"]]),
            ("SELECT req FROM access WHERE status = 404 LIMIT 1", [["req"], ["{method=POST, path=/p404}"]]),
            ("SELECT to_unixtime(from_iso8601_timestamp(ts)) = to_unixtime(date_parse(datehour, '%%Y/%%m/%%d/%%H')) "
             "AS same FROM access WHERE status = 200 AND datehour = '%s'" % last, [["same"], ["true"]]),
            ("WITH x AS (SELECT status FROM access WHERE regexp_like(req.path, '^/p[45]')) SELECT count(*) FROM x",
             [["_col0"], ["6"]]),
            ("SELECT 7 / 2 AS i, 7.0 / 2 AS d, 1e20 AS big, CAST(0.1 AS real) AS r, DATE '2026-12-07' AS dt, "
             "TIMESTAMP '2026-12-07 10:00:00' AS ts, CAST(12.3 AS decimal(10,2)) AS dec, MAP(ARRAY['k'], ARRAY[1]) "
             "AS m", None),
        ]
        for sql, want in cases[:-1]:
            with self.subTest(sql=sql):
                self.assertEqual(self.run_sql(sql), want)
        # literals and their types, as Athena renders them (MAP(ARRAY, ARRAY) is Trino's; DuckDB's MAP too)
        qid = self.start(cases[-1][0])
        qe = self.wait(qid)
        if qe["Status"]["State"] == "SUCCEEDED":
            self.assertEqual(self.rows(qid)[1], ["3", "3.5", "1.0E20", "0.1", "2026-12-07",
                                                 "2026-12-07 10:00:00.000", "12.30", "{k=1}"])
        else:
            self.fail(qe["Status"]["StateChangeReason"])

    def test_athena_error_reasons(self):
        self.access_table()
        self.put_hours()
        self.assertEqual(self.reason("SELECT nope FROM access"),
                         "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not "
                         "authorized to access requested resources")
        self.assertTrue(self.reason("SELEC * FROM access").startswith("SYNTAX_ERROR: line 1:1: "))
        self.assertTrue(self.reason("SELECT * FORM access").startswith("SYNTAX_ERROR: "))
        self.assertEqual(self.reason("SELECT * FROM nope"),
                         "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sluice.nope' does not exist")
        self.assertEqual(self.reason("SELECT * FROM sluice.nope"),
                         "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sluice.nope' does not exist")
        self.assertTrue(self.reason("SELECT * FROM otherdb.access").startswith("SCHEMA_NOT_FOUND: line 1:15: "))
        self.assertTrue(self.reason("SELECT status, count(*) FROM access GROUP BY ip").startswith(
            "EXPRESSION_NOT_AGGREGATE: "))
        self.assertTrue(self.reason("SELECT nosuchfn(1)").startswith("FUNCTION_NOT_FOUND: line 1:8: "))
        self.assertTrue(self.reason("SELECT CAST('x' AS integer)").startswith("INVALID_CAST_ARGUMENT: "))
        qe = self.wait(self.start("SELECT nope FROM access"))
        self.assertEqual(qe["Status"]["AthenaError"], {"ErrorCategory": 2, "ErrorType": 1000, "Retryable": False,
                                                       "ErrorMessage": qe["Status"]["StateChangeReason"]})

    def test_stop_query_execution(self):
        self.emu.config["athena_queue_seconds"] = 1.0
        qid = self.start("SELECT 1")
        self.athena.stop_query_execution(QueryExecutionId=qid)
        qe = self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        self.assertEqual((qe["Status"]["State"], qe["Status"]["StateChangeReason"]),
                         ("CANCELLED", "Query was cancelled by user"))
        self.athena.stop_query_execution(QueryExecutionId=qid)     # finished: no-op
        self.assertEqual(self.err(self.athena.get_query_results, QueryExecutionId=qid),
                         ("InvalidRequestException", "Query did not finish successfully. Final query state: "
                          "CANCELLED"))
        self.emu.config["athena_queue_seconds"] = 0.05
        done = self.start("SELECT 2")
        self.wait(done)
        self.athena.stop_query_execution(QueryExecutionId=done)
        self.assertEqual(self.athena.get_query_execution(QueryExecutionId=done)["QueryExecution"]["Status"]
                         ["State"], "SUCCEEDED")
        time.sleep(1.1)       # the cancelled query's worker wakes up and must leave it CANCELLED, without results
        self.assertEqual(self.athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"],
                         "CANCELLED")
        keys = [o["Key"] for o in self.s3c.list_objects_v2(Bucket="athena-results").get("Contents", [])]
        self.assertNotIn("q/%s.csv" % qid, keys)

    def test_client_request_token_idempotency(self):
        token = "t" * 40
        a = self.start("SELECT 1", ClientRequestToken=token)
        b = self.start("SELECT 1", ClientRequestToken=token)
        self.assertEqual(a, b)
        self.assertEqual(self.err(self.athena.start_query_execution, QueryString="SELECT 2", ClientRequestToken=token,
                                  ResultConfiguration={"OutputLocation": OUT}),
                         ("InvalidRequestException", "Idempotent parameters do not match"))
        c = self.start("SELECT 1", ClientRequestToken="u" * 40)
        self.assertNotEqual(a, c)
        self.wait(a)
        _, q = self.control("GET", "/_emu/athena/queries")
        self.assertEqual(len(q["queries"]), 2)

    def test_regional_and_ledger(self):
        qid = self.start("SELECT 1", db=None)
        west = self.client("athena", region="us-west-2")
        self.assertEqual(self.err(west.get_query_execution, QueryExecutionId=qid),
                         ("InvalidRequestException", "QueryExecution %s was not found" % qid))
        self.wait(qid)
        ops = [(c["operation"], c["mutating"]) for c in self.ledger()["calls"] if c["service"] == "athena"]
        self.assertEqual(ops[0], ("StartQueryExecution", True))
        self.assertIn(("GetQueryExecution", False), ops)


if __name__ == "__main__":
    unittest.main()
