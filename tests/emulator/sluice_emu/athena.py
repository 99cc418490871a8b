"""Amazon Athena (JSON 1.1, AmazonAthena): queries over the emulator's Glue catalog and S3, run for real on
DuckDB (engine.py). States QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED on a worker thread; results are
written as Athena writes them (<OutputLocation>/<id>.csv and .csv.metadata) into the emulator's S3. Per query
the emulator records the S3 keys DuckDB really read (GET /_emu/athena/queries)."""

import base64
import json
import threading
import time
import uuid

from . import engine
from .core import AwsError, Response
from .json11 import JsonService, _request

PRIMARY = "primary"
ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}
RESULT_PAGE_MAX = 1000


class Query:
    def __init__(self, qid, region, params, workgroup, output, database, catalog, now):
        self.id = qid
        self.region = region
        self.params = params
        self.sql = params["QueryString"]
        self.workgroup = workgroup
        self.output = output           # full s3:// URI of the result CSV
        self.database = database
        self.catalog = catalog
        self.state = "QUEUED"
        self.reason = None
        self.error = None              # (category, type)
        self.submitted = now
        self.started = None
        self.completed = None
        self.engine_sql = None
        self.statement_type, self.substatement = engine.statement_type(self.sql)
        self.header = None             # column labels
        self.columns = []              # ColumnInfo dicts
        self.rows = []                 # rendered rows (lists of str | None)
        self.keys_read = []
        self.bytes_scanned = 0
        self.engine_ms = 0
        self.planning_ms = 0


class AthenaService(JsonService):
    name = "athena"
    target_prefix = "AmazonAthena"
    operations = {
        "StartQueryExecution": "start",
        "GetQueryExecution": "get",
        "GetQueryResults": "results",
        "StopQueryExecution": "stop_query",
        "GetWorkGroup": "get_workgroup",
        "ListWorkGroups": "list_workgroups",
    }

    def __init__(self, emu):
        super().__init__(emu)
        self._lock = threading.RLock()
        self.queries = {}           # id -> Query
        self.tokens = {}            # (region, token) -> (request fingerprint, id)
        self.order = []
        self.worker = engine.Worker(emu.config)
        self.created = emu.now()

    def reset(self):
        with self._lock:
            self.queries = {}
            self.tokens = {}
            self.order = []

    def stop(self):
        self.worker.stop()

    # ------------------------------------------------------------------ wire
    def handle(self, req):
        # Athena's errors carry "Message" and, for InvalidRequestException, an AthenaErrorCode.
        resp = super().handle(req)
        if resp.status >= 400 and resp.error_code:
            try:
                body = json.loads(resp.body)
            except ValueError:
                return resp
            out = {"__type": body.get("__type", resp.error_code), "Message": body.get("message", "")}
            if resp.error_code == "InvalidRequestException":
                out["AthenaErrorCode"] = getattr(req, "_athena_code", None) or "INVALID_INPUT"
            r = Response(resp.status, json.dumps(out).encode(), list(resp.headers))
            r.error_code = resp.error_code
            return r
        return resp

    def parse_body(self, req, op):
        try:
            return super().parse_body(req, op)
        except AwsError as e:
            if e.code != "ValidationException":
                raise
            raise AwsError("InvalidRequestException", e.message, e.status) from None

    def _region(self):
        return getattr(_request, "region", None) or self.region()

    def _queue_seconds(self):
        return float(self.cfg("athena_queue_seconds", 0.2))

    def _query(self, req, qid):
        q = self.queries.get(qid)
        if q is None or q.region != self._region():
            req._athena_code = "QUERY_EXECUTION_NOT_FOUND"
            raise AwsError("InvalidRequestException", "QueryExecution %s was not found" % qid)
        return q

    # ------------------------------------------------------------------ workgroups
    def _workgroup(self, name):
        if name != PRIMARY:
            raise AwsError("InvalidRequestException", "WorkGroup %s is not found." % name)
        return {"Name": PRIMARY, "State": "ENABLED",
                "Configuration": {"ResultConfiguration": {}, "EnforceWorkGroupConfiguration": False,
                                  "PublishCloudWatchMetricsEnabled": False, "RequesterPaysEnabled": False,
                                  "EngineVersion": dict(ENGINE_VERSION),
                                  "EnableMinimumEncryptionConfiguration": False},
                "Description": "", "CreationTime": self.created}

    def get_workgroup(self, req, p):
        return {"WorkGroup": self._workgroup(p["WorkGroup"])}

    def list_workgroups(self, req, p):
        return {"WorkGroups": [{"Name": PRIMARY, "State": "ENABLED", "Description": "",
                                "CreationTime": self.created, "EngineVersion": dict(ENGINE_VERSION)}]}

    # ------------------------------------------------------------------ start
    def start(self, req, p):
        wg_name = p.get("WorkGroup") or PRIMARY
        wg = self._workgroup(wg_name)
        loc = ((p.get("ResultConfiguration") or {}).get("OutputLocation")
               or wg["Configuration"]["ResultConfiguration"].get("OutputLocation"))
        if not loc:
            raise AwsError("InvalidRequestException", "No output location provided. An output location is "
                           "required either through the Workgroup result configuration setting or as an API "
                           "input.")
        bucket, _ = engine.split_s3(loc)
        if not bucket or not loc.startswith("s3://"):
            raise AwsError("InvalidRequestException", "outputLocation is not a valid S3 path: %s" % loc)
        if not self.emu.services["s3"].bucket_exists(bucket):
            raise AwsError("InvalidRequestException", "Unable to verify/create output bucket %s" % bucket)
        ctx = p.get("QueryExecutionContext") or {}
        token = p.get("ClientRequestToken")
        fingerprint = json.dumps({k: v for k, v in p.items() if k != "ClientRequestToken"}, sort_keys=True)
        with self._lock:
            if token is not None:
                prev = self.tokens.get((self._region(), token))
                if prev is not None:
                    if prev[0] != fingerprint:
                        raise AwsError("InvalidRequestException", "Idempotent parameters do not match")
                    return {"QueryExecutionId": prev[1]}
            qid = str(uuid.uuid4())
            out = (loc if loc.endswith("/") else loc + "/") + qid + ".csv"
            q = Query(qid, self._region(), p, wg_name, out, (ctx.get("Database") or "").lower() or None,
                      ctx.get("Catalog"), self.emu.now())
            self.queries[qid] = q
            self.order.append(qid)
            if token is not None:
                self.tokens[(self._region(), token)] = (fingerprint, qid)
        threading.Thread(target=self._run, args=(q,), name="athena-%s" % qid[:8], daemon=True).start()
        return {"QueryExecutionId": qid}

    # ------------------------------------------------------------------ the worker thread
    def _finish(self, q, state, reason=None, error=None):
        with self._lock:
            if q.state in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return False
            q.state = state
            q.reason = reason
            q.error = error
            q.completed = self.emu.now()
            return True

    def _run(self, q):
        wait = self._queue_seconds()
        time.sleep(wait)
        with self._lock:
            if q.state != "QUEUED":
                return
            q.state = "RUNNING"
            q.started = self.emu.now()
        t0 = time.time()
        try:
            result = self._execute(q)
        except engine.QueryInterrupted:
            self._finish(q, "CANCELLED", "Query was cancelled by user")
            return
        except engine.QueryFailed as e:
            time.sleep(max(0.0, wait - (time.time() - t0)))
            self._finish(q, "FAILED", e.reason, (e.category, e.error_type))
            return
        except engine.EngineUnavailable as e:
            self._finish(q, "FAILED", str(e), (1, 200))
            return
        except Exception as e:   # noqa: BLE001 - an emulator bug is a FAILED query, with the reason
            import traceback
            traceback.print_exc()
            self._finish(q, "FAILED", "GENERIC_INTERNAL_ERROR: emulator bug: %s: %s" % (type(e).__name__, e),
                         (1, 200))
            return
        time.sleep(max(0.0, wait - (time.time() - t0)))   # RUNNING stays visible for a while
        with self._lock:
            if q.state != "RUNNING":
                return           # cancelled meanwhile: no results
        header, columns, rows = result
        s3 = self.emu.services["s3"]
        bucket, key = engine.split_s3(q.output)
        try:
            s3.internal_put_object(bucket, key, engine.csv_bytes(header, rows), "text/csv")
            s3.internal_put_object(bucket, key + ".metadata", self._metadata(columns), "application/octet-stream")
        except AwsError as e:
            self._finish(q, "FAILED", "Error writing to S3: %s (%s)" % (e.message, e.code), (1, 401))
            return
        with self._lock:
            q.header, q.columns, q.rows = header, columns, rows
        self._finish(q, "SUCCEEDED")

    @staticmethod
    def _metadata(columns):
        # Athena's .csv.metadata is a binary protobuf of the column info; any bytes do for clients.
        return b"\x0aSLUICE-EMU" + json.dumps(columns, separators=(",", ":")).encode()

    def _execute(self, q):
        if q.catalog and q.catalog.lower() != "awsdatacatalog":
            raise engine.QueryFailed("CATALOG_NOT_FOUND: Catalog '%s' does not exist" % q.catalog.lower())
        if q.statement_type != "DML" or q.substatement not in ("SELECT", "WITH", "VALUES", "TABLE"):
            raise engine.QueryFailed("NOT_SUPPORTED: the emulator runs SELECT and WITH queries only; this "
                                     "statement (%s %s) is not supported" % (q.statement_type, q.substatement))
        if not engine.available(self.emu.config):
            raise engine.EngineUnavailable(engine.NOT_INSTALLED)
        glue = self.emu.services.get("glue")
        tables = glue.internal_tables(q.region) if glue is not None and hasattr(glue, "internal_tables") else {}
        names = engine.referenced_names(q.sql)
        tables = {k: v for k, v in tables.items() if k[1] in names}
        import datetime
        now = datetime.datetime.utcfromtimestamp(self.emu.now())
        t0 = time.time()
        sql = engine.translate(q.sql)
        q.engine_sql = sql
        prep = engine.prepare(self.emu, tables, q.database, q.sql, now)
        try:
            q.planning_ms = int((time.time() - t0) * 1000)
            t1 = time.time()
            with self._lock:
                if q.state != "RUNNING":
                    raise engine.QueryInterrupted()
            q.in_engine = True
            try:
                ans = self.worker.query(prep.setup, sql)
            finally:
                q.in_engine = False
            q.engine_ms = int((time.time() - t1) * 1000)
            read = [prep.files[f] for f in ans.get("files_read", []) if f in prep.files]
            with self._lock:
                q.keys_read = sorted("s3://%s/%s" % (b, k) for b, k, _ in read)
                q.bytes_scanned = sum(size for _, _, size in read)
            self.emu.ledger.add_athena_objects_read(len(read))
            if not ans.get("ok"):
                if ans.get("stage") == "setup":
                    raise engine.QueryFailed("GENERIC_INTERNAL_ERROR: the emulator could not prepare the tables: "
                                             "%s" % ans.get("error"), 1, 200)
                raise engine.athena_error(ans.get("error") or "", q.sql, q.database)
        finally:
            prep.cleanup()
        cols = ans["columns"]
        labels = engine.column_labels([c["name"] for c in cols])
        info = []
        for c, label in zip(cols, labels):
            tname, prec, scale = engine.athena_type(c["type"])
            info.append({"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": label, "Label": label,
                         "Type": tname, "Precision": prec, "Scale": scale, "Nullable": "UNKNOWN",
                         "CaseSensitive": tname == "varchar"})
        rows = [[engine.render(v, c["type"]) for v, c in zip(r, cols)] for r in ans["rows"]]
        return labels, info, rows

    # ------------------------------------------------------------------ get / results / stop
    def _ms(self, a, b):
        return int(round(((b or self.emu.now()) - a) * 1000)) if a else 0

    def _public(self, q):
        status = {"State": q.state, "SubmissionDateTime": q.submitted}
        if q.completed is not None:
            status["CompletionDateTime"] = q.completed
        if q.reason:
            status["StateChangeReason"] = q.reason
        if q.state == "FAILED" and q.error:
            status["AthenaError"] = {"ErrorCategory": q.error[0], "ErrorType": q.error[1], "Retryable": False,
                                     "ErrorMessage": q.reason}
        queue_ms = self._ms(q.submitted, q.started or q.completed)
        stats = {"EngineExecutionTimeInMillis": q.engine_ms, "DataScannedInBytes": q.bytes_scanned,
                 "TotalExecutionTimeInMillis": self._ms(q.submitted, q.completed),
                 "QueryQueueTimeInMillis": queue_ms, "ServicePreProcessingTimeInMillis": 0,
                 "QueryPlanningTimeInMillis": q.planning_ms,
                 "ServiceProcessingTimeInMillis": max(0, self._ms(q.submitted, q.completed) - queue_ms
                                                      - q.engine_ms) if q.completed else 0,
                 "ResultReuseInformation": {"ReusedPreviousResult": False}}
        ctx = {}
        if q.database:
            ctx["Database"] = q.database
        ctx["Catalog"] = (q.catalog or "AwsDataCatalog")
        out = {"QueryExecutionId": q.id, "Query": q.sql, "StatementType": q.statement_type,
               "ResultConfiguration": {"OutputLocation": q.output},
               "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
               "QueryExecutionContext": ctx, "Status": status, "Statistics": stats, "WorkGroup": q.workgroup,
               "EngineVersion": dict(ENGINE_VERSION), "SubstatementType": q.substatement}
        return out

    def get(self, req, p):
        with self._lock:
            return {"QueryExecution": self._public(self._query(req, p["QueryExecutionId"]))}

    def results(self, req, p):
        with self._lock:
            q = self._query(req, p["QueryExecutionId"])
            if q.state in ("QUEUED", "RUNNING"):
                raise AwsError("InvalidRequestException", "Query has not yet finished. Current state: %s" % q.state)
            if q.state != "SUCCEEDED":
                raise AwsError("InvalidRequestException", "Query did not finish successfully. Final query state: "
                               "%s" % q.state)
            allrows = [q.header] + q.rows if q.statement_type == "DML" else q.rows
            start = 0
            if p.get("NextToken"):
                try:
                    qid, _, off = base64.b64decode(p["NextToken"], validate=True).decode().partition(":")
                    start = int(off)
                    if qid != q.id or not 0 < start <= len(allrows):
                        raise ValueError
                except ValueError:
                    raise AwsError("InvalidRequestException", "Unable to parse the NextToken") from None
            n = p.get("MaxResults") or RESULT_PAGE_MAX
            page = allrows[start:start + n]
            out = {"UpdateCount": 0,
                   "ResultSet": {"Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]}
                                          for r in page],
                                 "ResultSetMetadata": {"ColumnInfo": [dict(c) for c in q.columns]}}}
            if start + n < len(allrows):
                out["NextToken"] = base64.b64encode(("%s:%d" % (q.id, start + n)).encode()).decode()
            return out

    def stop_query(self, req, p):
        with self._lock:
            q = self._query(req, p["QueryExecutionId"])
            running = q.state == "RUNNING" and getattr(q, "in_engine", False)
            self._finish(q, "CANCELLED", "Query was cancelled by user")
        if running:
            self.worker.interrupt()
        return {}

    # ------------------------------------------------------------------ control endpoint
    def control_queries(self):
        with self._lock:
            return {"queries": [{"id": q.id, "state": q.state, "query": q.sql, "engine_sql": q.engine_sql,
                                 "database": q.database, "objects_read": len(q.keys_read),
                                 "keys_read": list(q.keys_read), "bytes_scanned": q.bytes_scanned}
                                for q in (self.queries[i] for i in self.order)]}
