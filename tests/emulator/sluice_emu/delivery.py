"""Firehose buffering and delivery into the emulated S3.

One Engine per FirehoseService (emu.services['firehose'].engine). Records are buffered per delivery
stream and delivered as one S3 object when the buffer reaches BufferingHints.SizeInMBs MiB, or when
BufferingHints.IntervalInSeconds / time_scale real seconds passed since the first buffered record, or
on flush(). A daemon thread (started with the first delivery stream, stopped by Engine.stop()) drives
the interval and reads Kinesis-sourced streams.

Module-level functions for the control endpoint (/_emu/firehose/...):
    flush(emu, stream=None) -> {"delivered_objects": n, "failed_objects": n}
    pause(emu), resume(emu)
    duplicate_next(emu, stream, count=1)
    status(emu) -> {"paused", "buffered", "delivered", "failures"}
"""

import base64
import datetime
import fnmatch
import json
import random
import re
import string
import threading
import uuid

from . import codecs
from .core import AwsError
from .kpl import deaggregate

MIB = 1024 * 1024
ERROR_OUTPUT_TYPE = "s3-failed"        # emulator choice for S3 delivery failures (see DESIGN.md)
EXPR_RE = re.compile(r"!\{([^}:]*):([^}]*)\}")
POLL_SECONDS = 0.05


# ---------------------------------------------------------------------------------------------- prefixes
def _java_format(pattern, dt):
    """Subset of java.time.format.DateTimeFormatter: y/u, M, d, H, m, s, S, D letters; 'quoted' text."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "'":
            j = pattern.find("'", i + 1)
            if j == -1:
                raise ValueError("unterminated quote")
            out.append("'" if j == i + 1 else pattern[i + 1:j])
            i = j + 1
            continue
        if c.isalpha():
            j = i
            while j < n and pattern[j] == c:
                j += 1
            width = j - i
            if c in "yu":
                out.append("%02d" % (dt.year % 100) if width == 2 else str(dt.year).zfill(width))
            elif c == "M" and width <= 2:
                out.append(str(dt.month).zfill(width))
            elif c == "d" and width <= 2:
                out.append(str(dt.day).zfill(width))
            elif c == "H" and width <= 2:
                out.append(str(dt.hour).zfill(width))
            elif c == "m" and width <= 2:
                out.append(str(dt.minute).zfill(width))
            elif c == "s" and width <= 2:
                out.append(str(dt.second).zfill(width))
            elif c == "S":
                out.append(("%06d" % dt.microsecond)[:width].ljust(width, "0"))
            elif c == "D" and width <= 3:
                out.append(str(dt.timetuple().tm_yday).zfill(width))
            else:
                raise ValueError(f"unsupported pattern letters {pattern[i:j]!r}")
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def random_string():
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(11))


def has_expressions(prefix):
    return bool(prefix) and "!{" in prefix


def evaluate(prefix, dt, error_output_type=None):
    """Evaluate !{timestamp:...}, !{firehose:random-string}, !{firehose:error-output-type}."""
    def sub(m):
        ns, val = m.group(1), m.group(2)
        if ns == "timestamp":
            return _java_format(val, dt)
        if ns == "firehose" and val == "random-string":
            return random_string()
        if ns == "firehose" and val == "error-output-type" and error_output_type:
            return error_output_type
        raise ValueError(f"unsupported expression !{{{ns}:{val}}}")
    return EXPR_RE.sub(sub, prefix or "")


def validate_prefixes(prefix, error_prefix):
    """CreateDeliveryStream / UpdateDestination checks; raises InvalidArgumentException."""
    probe = datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
    for which, value, allow_error_type in (("Prefix", prefix, False), ("ErrorOutputPrefix", error_prefix, True)):
        if not value:
            continue
        if value.count("!{") != len(EXPR_RE.findall(value)):
            raise AwsError("InvalidArgumentException", f"{which} contains a malformed expression: {value}")
        for ns, val in EXPR_RE.findall(value):
            if ns == "firehose" and val == "error-output-type" and not allow_error_type:
                raise AwsError("InvalidArgumentException",
                               "The expression !{firehose:error-output-type} is only allowed in ErrorOutputPrefix.")
            if ns == "firehose" and val not in ("random-string", "error-output-type"):
                raise AwsError("InvalidArgumentException", f"{which} has an unknown expression !{{firehose:{val}}}")
            if ns in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
                raise AwsError("InvalidArgumentException",
                               f"{which} uses !{{{ns}:{val}}}; dynamic partitioning is not supported by the emulator.")
            if ns not in ("timestamp", "firehose", "partitionKeyFromQuery", "partitionKeyFromLambda"):
                raise AwsError("InvalidArgumentException", f"{which} has an unknown namespace in !{{{ns}:{val}}}")
            if ns == "timestamp":
                try:
                    _java_format(val, probe)
                except ValueError as e:
                    raise AwsError("InvalidArgumentException",
                                   f"{which} has an invalid timestamp format !{{timestamp:{val}}}: {e}") from None
    if has_expressions(prefix) and not error_prefix:
        raise AwsError("InvalidArgumentException",
                       "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")


def object_key(prefix, stream, version, arrival, ext="", error_output_type=None):
    """<evaluated prefix><stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid><ext>, times from `arrival` (UTC)."""
    dt = datetime.datetime.fromtimestamp(arrival, datetime.timezone.utc)
    prefix = prefix or ""
    if has_expressions(prefix):
        evaluated = evaluate(prefix, dt, error_output_type)
    elif error_output_type and not prefix:
        evaluated = error_output_type + "/" + dt.strftime("%Y/%m/%d/%H/")
    else:
        evaluated = prefix + dt.strftime("%Y/%m/%d/%H/")
    return f"{evaluated}{stream}-{version}-{dt:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{ext}"


# ---------------------------------------------------------------------------------------------- IAM
def _as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def _doc(d):
    if isinstance(d, str):
        try:
            return json.loads(d)
        except ValueError:
            return {}
    return d or {}


def _match(patterns, value, ci=False):
    for p in _as_list(patterns):
        if not isinstance(p, str):
            continue
        if ci:
            if fnmatch.fnmatchcase(value.lower(), p.lower()):
                return True
        elif fnmatch.fnmatchcase(value, p):
            return True
    return False


def _statement_applies(st, action, resource):
    if "Action" in st:
        if not _match(st["Action"], action, ci=True):
            return False
    elif "NotAction" in st:
        if _match(st["NotAction"], action, ci=True):
            return False
    else:
        return False
    if resource is not None:
        if "Resource" in st:
            if not _match(st["Resource"], resource):
                return False
        elif "NotResource" in st:
            if _match(st["NotResource"], resource):
                return False
    return True


def policies_allow(policies, action, resource):
    allowed = False
    for doc in policies:
        for st in _as_list(_doc(doc).get("Statement")):
            if not isinstance(st, dict) or not _statement_applies(st, action, resource):
                continue
            if st.get("Effect") == "Deny":
                return False
            if st.get("Effect") == "Allow":
                allowed = True
    return allowed


def trust_allows(doc, service_principal):
    allowed = False
    for st in _as_list(_doc(doc).get("Statement")):
        if not isinstance(st, dict) or not _statement_applies(st, "sts:AssumeRole", None):
            continue
        pr = st.get("Principal")
        hit = pr == "*" or (isinstance(pr, dict) and (service_principal in _as_list(pr.get("Service"))
                                                       or "*" in _as_list(pr.get("AWS"))))
        if not hit:
            continue
        if st.get("Effect") == "Deny":
            return False
        if st.get("Effect") == "Allow":
            allowed = True
    return allowed


def check_write(emu, role_arn, bucket, key):
    """(ok, errorCode, errorMessage) for the delivery role writing s3://bucket/key."""
    iam = emu.services.get("iam")
    if iam is None or not hasattr(iam, "get_role"):
        return True, None, None
    name = iam.role_name_from_arn(role_arn)
    role = iam.get_role(name) if name else None
    if role is None:
        return False, "S3.AccessDenied", f"Firehose is unable to assume role {role_arn}. The role does not exist."
    if not trust_allows(role.get("AssumeRolePolicyDocument"), "firehose.amazonaws.com"):
        return False, "S3.AccessDenied", (f"Firehose is unable to assume role {role_arn}. Its trust policy does "
                                          "not allow firehose.amazonaws.com to call sts:AssumeRole.")
    resource = f"arn:aws:s3:::{bucket}/{key}"
    # Inline and attached managed policies grant; a permissions boundary caps what they grant.
    granted = list((role.get("policies") or {}).values()) + list((role.get("attached") or {}).values())
    if not policies_allow(granted, "s3:PutObject", resource) or (
            role.get("boundary") is not None and not policies_allow([role["boundary"]], "s3:PutObject", resource)):
        return False, "S3.AccessDenied", (f"Access was denied. Ensure that the role {role_arn} allows s3:PutObject "
                                          f"on {resource}.")
    # The bucket policy too, for the role's session: Firehose writes inside AWS, over TLS.
    s3 = emu.services.get("s3")
    if s3 is not None and hasattr(s3, "policy_decision"):
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else emu.account_id
        session = f"arn:aws:sts::{account}:assumed-role/{name}/AWSFirehoseToS3"
        decision = s3.policy_decision(bucket, session, account, "s3:PutObject", resource,
                                      {"aws:SecureTransport": "true", "aws:SourceIp": "127.0.0.1"})
        if decision == "deny" or (decision is None and account != emu.account_id):
            return False, "S3.AccessDenied", (f"Access was denied. The policy of bucket {bucket} does not let "
                                              f"the role {role_arn} call s3:PutObject on {resource}.")
    return True, None, None


# ---------------------------------------------------------------------------------------------- engine
class _Buffer:
    __slots__ = ("records", "size", "started")

    def __init__(self):
        self.records = []      # [(data, arrival)]
        self.size = 0
        self.started = None


class Engine:
    def __init__(self, emu, service):
        self.emu = emu
        self.svc = service
        self._deliver_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        self.reset()

    def reset(self):
        with self.emu.lock:
            self.buffers = {}
            self.paused = False
            self.dup = {}
            self.delivered = []    # [{"stream","bucket","key","records","bytes"}]
            self.failures = []     # [{"stream","bucket","key","records","errorCode","errorMessage","written"}]

    # -- thread
    def ensure_started(self):
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sluice-emu-firehose-delivery", daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._wake.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5)
        self._thread = None

    def _run(self):
        while not self._stop.is_set():
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.tick()
            except Exception:           # never let the delivery thread die
                import traceback
                traceback.print_exc()

    # -- buffering (caller holds emu.lock)
    def add(self, stream, datas, arrival):
        buf = self.buffers.get(stream)
        if buf is None:
            buf = self.buffers[stream] = _Buffer()
        if not buf.records:
            buf.started = self.emu.now()
        for d in datas:
            buf.records.append((d, arrival))
            buf.size += len(d)
        s = self.svc.streams.get(stream)
        if s is not None and buf.size >= s.dest["BufferingHints"]["SizeInMBs"] * MIB:
            self._wake.set()

    def drop(self, stream):
        self.buffers.pop(stream, None)
        self.dup.pop(stream, None)

    def _poll_sources(self, only=None):
        kin = self.emu.services.get("kinesis")
        if not hasattr(kin, "internal_read"):
            return
        for s in list(self.svc.streams.values()):
            if not s.kinesis_name or s.status not in ("ACTIVE", "DELETING") or (only and s.name != only):
                continue
            recs = kin.internal_read(s.kinesis_name, s.kinesis_pos)
            if not recs:
                continue
            buf = self.buffers.get(s.name)
            if buf is None:
                buf = self.buffers[s.name] = _Buffer()
            if not buf.records:
                buf.started = self.emu.now()
            for seq, data, arrival in recs:
                # Firehose takes KPL aggregated records apart, as the service does.
                for d in deaggregate(data):
                    buf.records.append((d, arrival))
                    buf.size += len(d)
            s.kinesis_pos = recs[-1][0]

    # -- delivery
    def tick(self, force=False, only=None):
        """Deliver every due buffer (all buffers when force). Returns (objects delivered, objects failed)."""
        with self._deliver_lock:
            batches = []
            with self.emu.lock:
                self.svc.refresh_all()
                self._poll_sources(only)
                if self.paused and not force:
                    return 0, 0
                now = self.emu.now()
                scale = float(self.emu.config.get("time_scale") or 1.0)
                for name, buf in list(self.buffers.items()):
                    if only is not None and name != only:
                        continue
                    s = self.svc.streams.get(name)
                    if s is None:
                        self.buffers.pop(name, None)
                        continue
                    if not buf.records:
                        continue
                    hints = s.dest["BufferingHints"]
                    due = (force or buf.size >= hints["SizeInMBs"] * MIB
                           or now - buf.started >= hints["IntervalInSeconds"] / scale)
                    if not due:
                        continue
                    dups = min(self.dup.get(name, 0), len(buf.records))
                    if dups:
                        self.dup[name] -= dups
                    batches.append((name, s.version_id, dict(s.dest), buf.records, dups))
                    self.buffers[name] = _Buffer()
            ok = failed = 0
            for batch in batches:
                if self._deliver(*batch):
                    ok += 1
                else:
                    failed += 1
            return ok, failed

    def _deliver(self, stream, version, dest, records, dups):
        bucket = dest["BucketARN"].split(":s3:::", 1)[-1]
        oldest = min(a for _d, a in records)
        fmt = dest.get("CompressionFormat") or "UNCOMPRESSED"
        parts = []
        for i, (d, _a) in enumerate(records):
            parts.append(d)
            if i < dups:
                parts.append(d)
        body = b"".join(parts)
        key = object_key(dest.get("Prefix", ""), stream, version, oldest, codecs.EXTENSIONS[fmt])
        with self.emu.lock:
            ok, code, msg = check_write(self.emu, dest["RoleARN"], bucket, key)
        s3 = self.emu.services.get("s3")
        if ok:
            payload = codecs.compress(fmt, body, key)
            try:
                with self.emu.lock:
                    s3.internal_put_object(bucket, key, payload, "application/octet-stream")
                    self.delivered.append({"stream": stream, "bucket": bucket, "key": key,
                                           "records": len(parts), "bytes": len(body)})
                return True
            except AwsError as e:
                code, msg = "S3." + e.code, e.message
        self._error_output(stream, version, dest, bucket, records, oldest, code, msg)
        return False

    def _error_output(self, stream, version, dest, bucket, records, oldest, code, msg):
        end_ms = int(self.emu.now() * 1000)
        lines = []
        for d, a in records:
            lines.append(json.dumps({"attemptsMade": 1, "arrivalTimestamp": int(a * 1000), "errorCode": code,
                                     "errorMessage": msg, "attemptEndingTimestamp": end_ms,
                                     "rawData": base64.b64encode(d).decode()}, separators=(",", ":")))
        body = ("\n".join(lines) + "\n").encode()
        key = object_key(dest.get("ErrorOutputPrefix") or "", stream, version, oldest, "",
                         error_output_type=ERROR_OUTPUT_TYPE)
        written = False
        try:
            with self.emu.lock:
                self.emu.services["s3"].internal_put_object(bucket, key, body, "application/octet-stream")
            written = True
        except AwsError:
            pass
        with self.emu.lock:
            self.failures.append({"stream": stream, "bucket": bucket, "key": key, "records": len(records),
                                  "errorCode": code, "errorMessage": msg, "written": written})

    def status(self):
        with self.emu.lock:
            return {"paused": self.paused,
                    "buffered": {n: {"records": len(b.records), "bytes": b.size}
                                 for n, b in self.buffers.items() if b.records},
                    "delivered": list(self.delivered),
                    "failures": list(self.failures)}


# ---------------------------------------------------------------------------------------------- control API
def _engine(emu):
    return emu.services["firehose"].engine


def flush(emu, stream=None):
    ok, failed = _engine(emu).tick(force=True, only=stream)
    return {"delivered_objects": ok, "failed_objects": failed}


def pause(emu):
    with emu.lock:
        _engine(emu).paused = True
    return {"paused": True}


def resume(emu):
    eng = _engine(emu)
    with emu.lock:
        eng.paused = False
    eng._wake.set()
    return {"paused": False}


def duplicate_next(emu, stream, count=1):
    eng = _engine(emu)
    with emu.lock:
        eng.dup[stream] = eng.dup.get(stream, 0) + int(count)
        return {"stream": stream, "pending_duplicates": eng.dup[stream]}


def status(emu):
    return _engine(emu).status()
