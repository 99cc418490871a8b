"""Core objects shared by every service module (see DESIGN.md "Core objects")."""

import copy
import email.message
import hashlib
import importlib
import json
import random
import sys
import threading
import time
import traceback
import uuid
import xml.sax.saxutils

from . import shapes

DEFAULT_CONFIG = {
    "account_id": "000000000000",
    "credentials": [{"access_key_id": "test", "secret_access_key": "test"}],
    "region": "us-east-1",
    "time_scale": 1.0,
    "lifecycle_seconds": 1.0,
    "iam_propagation_seconds": 0.0,
    "kinesis_max_request_bytes": 5242880,
    "kinesis_shard_caps": True,       # 1,000 records/s and 1 MiB/s per shard, as AWS
    "max_clock_skew_seconds": 900,
    "fast_sink": False,
    "athena_queue_seconds": 0.2,       # real seconds an Athena query stays QUEUED (and at least RUNNING)
    "firehose_backdate_seconds": 0,    # tests: a new delivery stream's CreateTimestamp this long ago
    "faults": {},
}

RUNTIME_CONFIG_KEYS = ("time_scale", "lifecycle_seconds", "iam_propagation_seconds", "fast_sink",
                       "kinesis_max_request_bytes", "kinesis_shard_caps", "athena_queue_seconds",
                       "firehose_backdate_seconds")

PROTOCOLS = {"s3": "rest-xml", "iam": "query", "sts": "query", "firehose": "json", "kinesis": "json",
             "logs": "json", "sso": "rest-json", "glue": "json", "athena": "json"}
QUERY_NS = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/", "sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
JSON_TARGET_PREFIX = {"firehose": "Firehose_20150804", "kinesis": "Kinesis_20131202", "logs": "Logs_20140328",
                      "glue": "AWSGlue", "athena": "AmazonAthena"}


class AwsError(Exception):
    def __init__(self, code, message, status=400, sender_fault=True, extra=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.extra = extra or {}   # extra XML elements for S3 errors (e.g. BucketName, Key)


class Headers(email.message.Message):
    """Case-insensitive header mapping (same interface as http.client.HTTPMessage)."""


def make_headers(pairs):
    h = Headers()
    for k, v in (pairs.items() if isinstance(pairs, dict) else pairs):
        h[k] = v
    return h


class Request:
    def __init__(self, method, path, raw_query="", headers=None, body=b"", service=None, region="us-east-1",
                 access_key=None, account_id="000000000000", request_id=None):
        import urllib.parse
        self.method = method
        self.path = path
        self.raw_query = raw_query
        self.query = urllib.parse.parse_qs(raw_query, keep_blank_values=True)
        self.headers = headers if headers is not None else Headers()
        self.body = body
        self.service = service
        self.region = region
        self.access_key = access_key
        self.account_id = account_id
        self.request_id = request_id or str(uuid.uuid4())
        self.operation = None
        self.principal_arn = None     # caller ARN (set by the server from the credentials)
        self.user_id = None

    def q(self, name, default=None):
        v = self.query.get(name)
        return v[0] if v else default


class Response:
    def __init__(self, status=200, body=b"", headers=None, content_type=None):
        self.status = status
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body
        if headers is None:
            self.headers = []
        elif isinstance(headers, dict):
            self.headers = list(headers.items())
        else:
            self.headers = list(headers)
        if content_type:
            self.headers.append(("Content-Type", content_type))
        self.error_code = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def _x(s):
    return xml.sax.saxutils.escape(str(s))


def render_error(service, req, err):
    """Render AwsError `err` in `service`'s wire shape (used by the server for auth errors and faults, and by
    the S3/IAM/STS modules)."""
    rid = req.request_id if req is not None else str(uuid.uuid4())
    proto = PROTOCOLS.get(service, "json")
    if proto == "rest-xml":
        extra = "".join("<%s>%s</%s>" % (k, _x(v), k) for k, v in err.extra.items())
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>%s'
                '<RequestId>%s</RequestId><HostId>%s</HostId></Error>'
                % (_x(err.code), _x(err.message), extra, rid, host_id(rid)))
        resp = Response(err.status, b"" if (req is not None and req.method == "HEAD") else body.encode(),
                        [("x-amz-request-id", rid), ("x-amz-id-2", host_id(rid))],
                        content_type="application/xml")
    elif proto == "query":
        ns = QUERY_NS.get(service, QUERY_NS["iam"])
        body = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>'
                '<RequestId>%s</RequestId></ErrorResponse>'
                % (ns, "Sender" if err.sender_fault else "Receiver", _x(err.code), _x(err.message), rid))
        resp = Response(err.status, body.encode(), [("x-amzn-RequestId", rid)], content_type="text/xml")
    else:
        # JSON 1.1 names the error in the body too; REST-JSON (the SSO portal) only in x-amzn-ErrorType.
        rest = proto == "rest-json"
        body = json.dumps({"message": err.message} if rest else {"__type": err.code, "message": err.message})
        resp = Response(err.status, body.encode(), [("x-amzn-RequestId", rid), ("x-amzn-ErrorType", err.code)],
                        content_type="application/json" if rest else "application/x-amz-json-1.1")
    resp.error_code = err.code
    return resp


def host_id(rid):
    return hashlib.sha256(rid.encode()).hexdigest()[:56]


def is_mutating(operation):
    if not operation:
        return False
    return not operation.startswith(("Get", "Head", "List", "Describe"))


class Ledger:
    def __init__(self, emu):
        self._emu = emu
        self._lock = threading.Lock()
        self.calls = []
        self.records = []
        self.athena_objects_read = 0

    def add_athena_objects_read(self, n):
        with self._lock:
            self.athena_objects_read += n

    def call(self, service, operation, mutating, status, error_code):
        with self._lock:
            self.calls.append({"service": service, "operation": operation, "mutating": bool(mutating),
                               "status": status, "error_code": error_code, "time": self._emu.now()})

    def record(self, stream_kind, stream, data):
        with self._lock:
            rid = len(self.records) + 1
            self.records.append({"stream_kind": stream_kind, "stream": stream, "id": rid, "size": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest(), "time": self._emu.now()})
            return rid

    def reset(self):
        with self._lock:
            self.calls = []
            self.records = []
            self.athena_objects_read = 0

    def snapshot(self, since=0):
        with self._lock:
            return {"calls": list(self.calls[since:]), "records": list(self.records[since:]),
                    "calls_total": len(self.calls), "records_total": len(self.records)}

    def summary(self):
        with self._lock:
            uniq = {(r["stream_kind"], r["stream"], r["sha256"]) for r in self.records}
            # What the services meter: Firehose rounds each record up to 5 KB,
            # Kinesis counts PUT payload units of 25 KB of data.
            billed = sum(-(-max(r["size"], 1) // 5120) * 5120 for r in self.records
                         if r["stream_kind"] == "firehose")
            units = sum(-(-max(r["size"], 1) // 25600) for r in self.records
                        if r["stream_kind"] == "kinesis")
            return {"mutating_calls": sum(1 for c in self.calls if c["mutating"]), "calls": len(self.calls),
                    "records": len(self.records), "unique_records": len(uniq),
                    "duplicates": len(self.records) - len(uniq),
                    "firehose_billed_bytes": billed, "kinesis_put_units": units,
                    "athena_objects_read": self.athena_objects_read}


class Faults:
    KEYS = ("seed", "throttle", "http_500", "http_503", "partial_failure", "drop_connection", "slow_ms", "slow",
            "truncate_body", "garble_body", "reject", "reject_code", "reject_message", "reject_status",
            "operations", "services")

    def __init__(self, spec=None):
        self._lock = threading.Lock()
        self.set(spec or {})

    def set(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("faults must be a JSON object")
        bad = [k for k in spec if k not in self.KEYS]
        if bad:
            raise ValueError("unknown fault keys: %s" % ", ".join(sorted(bad)))
        for k in ("throttle", "http_500", "http_503", "partial_failure", "drop_connection", "slow",
                  "truncate_body", "garble_body", "reject"):
            v = spec.get(k, 0.0)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0.0 <= v <= 1.0:
                raise ValueError("fault %s must be a probability in [0, 1]" % k)
        if spec.get("reject") and not (isinstance(spec.get("reject_code"), str) and spec["reject_code"]):
            raise ValueError("fault reject needs reject_code (an error code, e.g. InvalidArgumentException)")
        status = spec.get("reject_status", 400)
        if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
            raise ValueError("fault reject_status must be an HTTP error status (400-599)")
        with self._lock:
            self.spec = dict(spec)
            self.rng = random.Random(spec.get("seed", 0))

    def get(self):
        with self._lock:
            return dict(self.spec)

    def applies(self, service, operation):
        ops = self.spec.get("operations")
        svcs = self.spec.get("services")
        if svcs is not None and service not in svcs:
            return False
        if ops is not None and operation not in ops:
            return False
        return True

    def pick(self, service, operation, kind):
        with self._lock:
            p = self.spec.get(kind, 0.0)
            if kind == "slow" and "slow" not in self.spec and self.spec.get("slow_ms", 0) > 0:
                p = 1.0    # slow_ms alone means "every request"
            if not p or not self.applies(service, operation):
                return False
            return self.rng.random() < p

    def partial(self, service, operation):
        return self.pick(service, operation, "partial_failure")

    def slow_seconds(self):
        return self.spec.get("slow_ms", 0) / 1000.0


class Service:
    name = None
    protocol = None

    def __init__(self, emu):
        self.emu = emu

    def handle(self, req):
        raise AwsError("NotImplemented", "not implemented", 501)

    def reset(self):
        pass

    def error_response(self, req, err):
        return render_error(self.name, req, err)


class BrokenService(Service):
    """Stands in for a service module that is absent or fails to import."""

    def __init__(self, emu, name, reason):
        super().__init__(emu)
        self.name = name
        self.reason = reason

    def handle(self, req):
        raise AwsError("NotImplemented", "the emulator's %s module is not available: %s" % (self.name, self.reason),
                       501, sender_fault=False)


SERVICE_MODULES = ("s3", "iam", "sts", "firehose", "kinesis", "logs", "sso", "glue", "athena")


class Emulator:
    def __init__(self, config=None):
        cfg = copy.deepcopy(DEFAULT_CONFIG)
        for k, v in (config or {}).items():
            cfg[k] = v
        self.config = cfg
        self.account_id = str(cfg["account_id"])
        self.lock = threading.RLock()
        self.services = {}
        self.service_errors = {}
        self.ledger = Ledger(self)
        self.faults = Faults(cfg.get("faults") or {})
        self.state_dir = cfg.get("state_dir")
        self._creds_lock = threading.Lock()
        self._static_creds = {}
        for c in cfg.get("credentials") or []:
            ak = c["access_key_id"]
            self._static_creds[ak] = {
                "secret": c["secret_access_key"], "token": c.get("session_token"), "expires": None,
                "account_id": str(c.get("account_id", self.account_id)),
                "arn": c.get("arn", "arn:aws:iam::%s:root" % c.get("account_id", self.account_id)),
                "user_id": c.get("user_id", c.get("account_id", self.account_id))}
        self._temp_creds = {}

    # -------------------------------------------------------------- time / ids
    def now(self):
        return time.time()

    def new_request_id(self):
        return str(uuid.uuid4())

    # -------------------------------------------------------------- credentials
    def lookup_credentials(self, access_key):
        with self._creds_lock:
            return self._static_creds.get(access_key) or self._temp_creds.get(access_key)

    def add_temp_credentials(self, access_key, secret, token, expires, arn, user_id, account_id=None):
        with self._creds_lock:
            self._temp_creds[access_key] = {"secret": secret, "token": token, "expires": expires, "arn": arn,
                                            "user_id": user_id, "account_id": account_id or self.account_id}

    # -------------------------------------------------------------- services
    def load_services(self, names=SERVICE_MODULES):
        for name in names:
            try:
                mod = importlib.import_module(__package__ + "." + name)
                cls = _find_service_class(mod, name)
                if cls is None:
                    raise ImportError("no Service subclass with name %r in module %s" % (name, mod.__name__))
                self.services[name] = cls(self)
            except Exception as e:   # noqa: BLE001 - a broken sibling must not stop the server
                reason = "%s: %s" % (type(e).__name__, e)
                self.service_errors[name] = reason
                self.services[name] = BrokenService(self, name, reason)
                sys.stderr.write("emulator: service %s unavailable (%s)\n" % (name, reason))
                if not isinstance(e, ModuleNotFoundError):
                    traceback.print_exc(file=sys.stderr)

    def reset(self):
        for svc in list(self.services.values()):
            try:
                svc.reset()
            except Exception:   # noqa: BLE001
                traceback.print_exc(file=sys.stderr)
        with self._creds_lock:
            self._temp_creds = {}
        self.ledger.reset()

    def stop(self):
        for svc in list(self.services.values()):
            stop = getattr(svc, "stop", None)
            if callable(stop):
                try:
                    stop()
                except Exception:   # noqa: BLE001
                    traceback.print_exc(file=sys.stderr)

    # -------------------------------------------------------------- validation
    def validate(self, service, operation, params):
        """Check params against botocore's model for service/operation; raise AwsError as the service does:
        firehose/kinesis: ValidationException 400 (type mismatches: SerializationException 400);
        iam/sts: ValidationError 400; s3: InvalidArgument 400 (missing XML body member: MalformedXML)."""
        op = shapes.operation_model(service, operation)
        if op.input_shape is None:
            return
        problems = shapes.validate(op.input_shape, params)
        if not problems:
            return
        proto = PROTOCOLS.get(service, "json")
        if proto == "json":
            if problems.types:
                raise AwsError("SerializationException", problems.types[0], 400)
            raise AwsError("ValidationException", shapes.message(problems.constraint), 400)
        if proto == "query":
            raise AwsError("ValidationError", shapes.message(problems.constraint + problems.types), 400)
        payload = op.input_shape.serialization.get("payload")
        if payload and any(e.startswith("Value null at '%s'" % shapes._lc(payload)) for e in problems.constraint):
            raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate "
                           "against our published schema", 400)
        raise AwsError("InvalidArgument", shapes.message(problems.constraint + problems.types), 400)


def _find_service_class(mod, name):
    candidates = []
    for attr in dir(mod):
        obj = getattr(mod, attr)
        if isinstance(obj, type) and issubclass(obj, Service) and obj is not Service \
                and obj is not BrokenService and obj.__module__ == mod.__name__:
            candidates.append(obj)
    for c in candidates:
        if c.name == name:
            return c
    if len(candidates) == 1:
        return candidates[0]
    return None
