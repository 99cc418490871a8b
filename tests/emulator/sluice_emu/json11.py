"""Shared machinery for JSON 1.1 services (Firehose, Kinesis): target parsing, body decoding, validation, error
rendering (JsonService), and the stream plumbing both services repeat (StreamService): the lazy status machine,
name checks, lookups and the data-plane hooks of JsonService."""

import base64
import binascii
import json
import re
import threading

from .core import AwsError, Response, Service, render_error

JSON_CT = "application/x-amz-json-1.1"
STREAM_NAME_RE = re.compile(r"^[a-zA-Z0-9_.-]+$")
MAX_CONTROL_BODY_BYTES = 1024 * 1024


def b64decode_strict(value, what="Data"):
    """Decode a JSON blob member; invalid base64 -> SerializationException (like AWS). Bytes pass through."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        raise AwsError("SerializationException",
                       f"Unable to parse {what}: expected a base64 encoded string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise AwsError("SerializationException",
                       f"Unable to parse {what}: invalid base64 encoded content") from None


def validation_message(errors):
    n = len(errors)
    head = "1 validation error detected: " if n == 1 else f"{n} validation errors detected: "
    return head + "; ".join(errors)


def buf_repr(n):
    return f"java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]"


def check_name(value, member, max_len, errors):
    """Model constraints on a stream name (length and pattern), AWS wording."""
    if not isinstance(value, str):
        return
    if len(value) < 1:
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: "
                      "Member must have length greater than or equal to 1")
    if len(value) > max_len:
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: "
                      f"Member must have length less than or equal to {max_len}")
    if value and not STREAM_NAME_RE.match(value):
        errors.append(f"Value '{value}' at '{member}' failed to satisfy constraint: "
                      "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


def check_record_count(records, maximum):
    if not isinstance(records, list):
        return
    if len(records) < 1 or len(records) > maximum:
        bound = "greater than or equal to 1" if not records else f"less than or equal to {maximum}"
        raise AwsError("ValidationException",
                       f"1 validation error detected: Value '[{len(records)} records]' at 'records' failed to "
                       f"satisfy constraint: Member must have length {bound}")


def data_holders(container):
    if isinstance(container, dict) and container.get("Data") is not None:
        return [container]
    if isinstance(container, list):
        return [r for r in container if isinstance(r, dict) and r.get("Data") is not None]
    return []


class JsonService(Service):
    """Common JSON 1.1 plumbing: target parsing, body decoding, validation, error rendering."""
    target_prefix = ""
    operations = {}          # op name -> method name

    def handle(self, req):
        # The region a request is signed for: streams are regional (StreamService._refresh).
        _request.region = self.region(req)
        try:
            target = req.headers.get("X-Amz-Target") or ""
            prefix, _, op = target.partition(".")
            if prefix != self.target_prefix or op not in self.operations:
                req.operation = op or None
                raise AwsError("UnknownOperationException", f"Unknown operation {target!r}")
            req.operation = op
            params = self.parse_body(req, op)
            result = getattr(self, self.operations[op])(req, params)
            return self.json_response(req, result if result is not None else {})
        except AwsError as e:
            return render_error(self.name, req, e)
        finally:
            _request.region = None

    def parse_body(self, req, op):
        raw = req.body or b"{}"
        limit = self.max_body_bytes(op)
        if limit is not None and len(raw) > limit:
            raise AwsError("RequestEntityTooLargeException",
                           f"Request body of {len(raw)} bytes exceeds the maximum of {limit} bytes",
                           status=413)
        try:
            params = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise AwsError("SerializationException", "Start of structure or map found where not expected.") from None
        if not isinstance(params, dict):
            raise AwsError("SerializationException", "Start of structure or map found where not expected.")
        if not self.fast_path(op):
            # count limits first (compact message), then base64 -> bytes so the model check sees real lengths
            self.precheck(op, params)
            for holder in self.blob_holders(op, params):
                holder["Data"] = b64decode_strict(holder["Data"])
            self.emu.validate(self.name, op, params)
        return params

    def precheck(self, op, params):
        pass

    def blob_holders(self, op, params):
        """Dicts whose "Data" member is a base64 blob for this operation."""
        return []

    def fast_path(self, op):
        return False

    def max_body_bytes(self, op):
        return None

    def json_response(self, req, obj):
        body = json.dumps(obj, separators=(",", ":")).encode()
        return Response(200, body, {"x-amzn-RequestId": req.request_id}, JSON_CT)

    def error_response(self, req, err):
        return render_error(self.name, req, err)

    # helpers
    def cfg(self, key, default):
        v = self.emu.config.get(key, default)
        return default if v is None else v

    def region(self, req=None):
        return (getattr(req, "region", None) if req is not None else None) or self.emu.config.get("region") or "us-east-1"


# Per handler thread: the region of the request being served, None in the
# delivery engine's own thread (which sees every region).
_request = threading.local()


def stream_region(s):
    """A stream's region, from its ARN (arn:aws:SERVICE:REGION:...)."""
    return s.arn.split(":")[3]


class StreamService(JsonService):
    """A JSON 1.1 service of named streams kept in self.streams (objects with name, status, status_until, tags).

    Status transitions (CREATING/UPDATING -> ACTIVE, DELETING -> gone) are evaluated lazily against emu.now()
    with the config key lifecycle_seconds. Subclasses set the class attributes below and may override
    _settle (a stream reaches ACTIVE) and _gone (a stream disappears)."""
    label = ""                   # the resource word in error messages: "Stream", "Firehose"
    name_key = ""                # request member naming the stream, and its wire name in messages
    name_member = ""
    name_max = 0
    name_arn_key = None          # request member whose ARN may name the stream instead
    put_op = ""                  # data plane: the single and the batch put, the batch's record limit,
    batch_op = ""                # and where PutRecord carries its record (None: the request itself)
    batch_max_records = 0
    record_member = None

    def account(self):
        return self.emu.account_id

    def _lifecycle(self):
        return float(self.cfg("lifecycle_seconds", 1.0))

    def _settle(self, s):
        """Called when s leaves CREATING/UPDATING for ACTIVE."""

    def _gone(self, name):
        """Called when a DELETING stream disappears."""

    def _refresh(self, name):
        """Advance the lazy state machine of one stream; returns the stream or None."""
        s = self.streams.get(name)
        if s is None:
            return None
        # As in AWS, a stream exists in its own region only.
        if not self._visible(s):
            return None
        now = self.emu.now()
        if s.status in ("CREATING", "UPDATING") and now >= s.status_until:
            self._settle(s)
            s.status = "ACTIVE"
        elif s.status == "DELETING" and now >= s.status_until:
            del self.streams[name]
            self._gone(name)
            return None
        return s

    def _visible(self, s):
        region = getattr(_request, "region", None)
        return region is None or stream_region(s) == region

    def _taken_elsewhere(self, name):
        """One stream of a name across regions is all the emulator keeps (AWS allows one per
        region): creating a second one is refused rather than replacing the first."""
        s = self.streams.get(name)
        if s is not None and not self._visible(s):
            raise AwsError("ResourceInUseException",
                           f"{self.label} {name} exists in {stream_region(s)}: the emulator keeps one stream "
                           "of a name across regions")

    def visible_names(self):
        return [n for n, s in self.streams.items() if self._visible(s)]

    def refresh_all(self):
        for n in list(self.streams):
            self._refresh(n)

    def _begin(self, s, status):
        """Put s in status for lifecycle_seconds."""
        s.status = status
        s.status_until = self.emu.now() + self._lifecycle()
        self._refresh(s.name)

    def _name(self, p):
        name = p.get(self.name_key)
        if name is None and self.name_arn_key and p.get(self.name_arn_key):
            name = str(p[self.name_arn_key]).rsplit("/", 1)[-1]
        if name is None:
            raise AwsError("ValidationException",
                           f"1 validation error detected: Value null at '{self.name_member}' failed to satisfy "
                           "constraint: Member must not be null")
        errors = []
        check_name(name, self.name_member, self.name_max, errors)
        if errors:
            raise AwsError("ValidationException", validation_message(errors))
        return name

    def _not_found(self, name):
        return AwsError("ResourceNotFoundException", f"{self.label} {name} under account {self.account()} not found.")

    def _get(self, name):
        s = self._refresh(name)
        if s is None:
            raise self._not_found(name)
        return s

    def _creating_refusal(self, name):
        """The error for deleting a stream that is still CREATING."""
        raise NotImplementedError

    def delete(self, req, p):
        """A stream still CREATING cannot be deleted; deleting one already DELETING changes nothing."""
        name = self._name(p)
        with self.emu.lock:
            s = self._get(name)
            if s.status == "CREATING":
                raise self._creating_refusal(name)
            if s.status != "DELETING":
                self._begin(s, "DELETING")
        return {}

    # tags (both services store them as a dict on the stream; adding differs in shape and limits)
    def remove_tags(self, req, p):
        name = self._name(p)
        with self.emu.lock:
            s = self._get(name)
            for k in p.get("TagKeys") or []:
                s.tags.pop(k, None)
        return {}

    def list_tags(self, req, p):
        name = self._name(p)
        limit = p.get("Limit") or 50
        start = p.get("ExclusiveStartTagKey")
        with self.emu.lock:
            s = self._get(name)
            keys = sorted(s.tags)
            if start:
                keys = [k for k in keys if k > start]
            page = keys[:limit]
            return {"Tags": [{"Key": k, "Value": s.tags[k]} for k in page], "HasMoreTags": len(keys) > len(page)}

    # JsonService hooks for the data plane
    def fast_path(self, op):
        return op in (self.put_op, self.batch_op) and bool(self.emu.config.get("fast_sink"))

    def precheck(self, op, params):
        if op == self.batch_op:
            check_record_count(params.get("Records"), self.batch_max_records)

    def blob_holders(self, op, params):
        if op == self.put_op:
            return data_holders(params if self.record_member is None else params.get(self.record_member))
        if op == self.batch_op:
            return data_holders(params.get("Records"))
        return []

    def max_body_bytes(self, op):
        if op in (self.put_op, self.batch_op):
            return self.put_body_limit()
        return MAX_CONTROL_BODY_BYTES

    def put_body_limit(self):
        raise NotImplementedError
