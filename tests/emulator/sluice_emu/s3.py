"""S3 (REST-XML). Routing is derived from botocore's S3 model (method + requestUri + query flags)."""

import base64
import binascii
import email.utils
import hashlib
import ipaddress
import json
import re
import urllib.parse
import zlib

from . import shapes
from . import policy as bucket_policy
from .core import AwsError, Response, Service, render_error, host_id

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
DEFAULT_ENCRYPTION = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                 "BucketKeyEnabled": False}]}
MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
TOKEN_MAGIC = b"\xfb\xff\xbf"   # makes every continuation token start with "+/+/" (clients must URL-encode)


class _Route:
    def __init__(self, op, method, kind, required, headers=()):
        self.op = op
        self.headers = list(headers)  # required request headers (e.g. x-amz-copy-source for CopyObject)
        self.method = method
        self.kind = kind            # 'service' | 'bucket' | 'object'
        self.required = required    # list of (key, value-or-None)


def _build_routes():
    model = shapes.service_model("s3")
    routes = []
    for op in model.operation_names:
        http = model.operation_model(op).http
        uri = http["requestUri"]
        path, _, qs = uri.partition("?")
        if "{Key+}" in path:
            kind = "object"
        elif "{Bucket}" in path:
            kind = "bucket"
        else:
            kind = "service"
        req = []
        if qs:
            for part in qs.split("&"):
                k, eq, v = part.partition("=")
                if k == "x-id":
                    continue
                req.append((k, v if eq else None))
        shape = model.operation_model(op).input_shape
        hdrs = []
        if shape is not None:
            for name in shape.metadata.get("required", []):
                ser = shape.members[name].serialization
                if ser.get("location") == "header":
                    hdrs.append(ser.get("name", name))
        routes.append(_Route(op, http["method"], kind, req, hdrs))
    return routes


_ROUTES = None

# The IAM action S3 checks for each operation (bucket policies; see DESIGN.md).
POLICY_ACTIONS = {
    "HeadBucket": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket", "ListObjects": "s3:ListBucket",
    "DeleteBucket": "s3:DeleteBucket", "GetBucketLocation": "s3:GetBucketLocation",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock", "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration", "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "PutBucketPolicy": "s3:PutBucketPolicy", "GetBucketPolicy": "s3:GetBucketPolicy",
    "DeleteBucketPolicy": "s3:DeleteBucketPolicy",
    "PutBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "GetBucketOwnershipControls": "s3:GetBucketOwnershipControls",
    "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "PutBucketTagging": "s3:PutBucketTagging", "GetBucketTagging": "s3:GetBucketTagging",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "PutObject": "s3:PutObject", "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject",
    "DeleteObject": "s3:DeleteObject", "DeleteObjects": "s3:DeleteObject",
}
# S3's lock-out guard: the owner account's root keeps these whatever the policy says.
OWNER_ALWAYS = ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy")


def _crc32c(data):
    crc = 0xFFFFFFFF
    table = _crc32c.table
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return (crc ^ 0xFFFFFFFF).to_bytes(4, "big")


def _mk_crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_crc32c.table = _mk_crc32c_table()

CHECKSUMS = {
    "x-amz-checksum-crc32": ("CRC32", lambda d: zlib.crc32(d).to_bytes(4, "big")),
    "x-amz-checksum-crc32c": ("CRC32C", _crc32c),
    "x-amz-checksum-sha1": ("SHA1", lambda d: hashlib.sha1(d).digest()),
    "x-amz-checksum-sha256": ("SHA256", lambda d: hashlib.sha256(d).digest()),
}


def valid_bucket_name(name):
    if not 3 <= len(name) <= 63:
        return False
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
        return False
    if ".." in name or ".-" in name or "-." in name:
        return False
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        pass
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")) or name.endswith(("-s3alias", "--ol-s3", ".mrap",
                                                                                  "--x-s3")):
        return False
    return True


def http_date(ts):
    return email.utils.formatdate(int(ts), usegmt=True)


class Obj:
    def __init__(self, data, content_type, metadata, extra_headers, now):
        self.data = data
        self.etag = '"%s"' % hashlib.md5(data).hexdigest()
        self.content_type = content_type
        self.metadata = metadata
        self.extra_headers = extra_headers
        self.last_modified = float(int(now))


class Bucket:
    def __init__(self, name, region, now):
        self.name = name
        self.region = region
        self.created = now
        self.objects = {}
        self.config = {"encryption": DEFAULT_ENCRYPTION}


class S3Service(Service):
    name = "s3"
    protocol = "rest-xml"

    def __init__(self, emu):
        super().__init__(emu)
        global _ROUTES
        if _ROUTES is None:
            _ROUTES = _build_routes()
        self.buckets = {}

    def reset(self):
        with self.emu.lock:
            self.buckets = {}

    # ------------------------------------------------------------------ internal API (DESIGN.md)
    def bucket_exists(self, bucket):
        with self.emu.lock:
            return bucket in self.buckets

    def internal_put_object(self, bucket, key, data, content_type="application/octet-stream"):
        with self.emu.lock:
            b = self.buckets.get(bucket)
            if b is None:
                raise AwsError("NoSuchBucket", "The specified bucket does not exist", 404,
                               extra={"BucketName": bucket})
            b.objects[key] = Obj(bytes(data), content_type, {}, {}, self.emu.now())
            return b.objects[key].etag

    def internal_get_object(self, bucket, key):
        with self.emu.lock:
            b = self.buckets.get(bucket)
            o = b.objects.get(key) if b else None
            return o.data if o else None

    def internal_list_keys(self, bucket, prefix=""):
        with self.emu.lock:
            b = self.buckets.get(bucket)
            return sorted(k for k in (b.objects if b else {}) if k.startswith(prefix))

    # ------------------------------------------------------------------ routing
    def _locate(self, req):
        host = (req.headers.get("Host") or "").lower()
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        bucket = None
        if hostname.endswith(".localhost"):
            bucket = hostname[: -len(".localhost")]
        elif ".s3." in hostname and not hostname.startswith("s3."):
            bucket = hostname.split(".s3.", 1)[0]
        path = req.path
        if bucket is not None:
            key = urllib.parse.unquote(path[1:]) if path.startswith("/") else urllib.parse.unquote(path)
            return bucket, key
        rest = path[1:] if path.startswith("/") else path
        if not rest:
            return None, None
        b, slash, k = rest.partition("/")
        return urllib.parse.unquote(b), urllib.parse.unquote(k)

    def _route(self, req):
        cached = getattr(req, "_s3_route", None)
        if cached is not None:
            return cached
        bucket, key = self._locate(req)
        kind = "service" if bucket is None else ("object" if key else "bucket")
        best, best_score = None, None
        for r in _ROUTES:
            if r.method != req.method:
                continue
            if r.kind != kind:
                continue
            ok = True
            for k, v in r.required:
                if k not in req.query or (v is not None and req.query[k][0] != v):
                    ok = False
                    break
            if ok and any(req.headers.get(h) is None for h in r.headers):
                ok = False
            if ok:
                score = (len(r.required) + len(r.headers), hasattr(self, "op_" + r.op))
                if best is None or score > best_score:
                    best, best_score = r, score
        result = (best.op if best else None, bucket, key)
        req._s3_route = result
        return result

    def peek_operation(self, req):
        return self._route(req)[0]

    # ------------------------------------------------------------------ dispatch
    def handle(self, req):
        try:
            return self._handle(req)
        except AwsError as e:
            return render_error("s3", req, e)

    def _handle(self, req):
        op, bucket, key = self._route(req)
        if op is None:
            raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
        req.operation = op
        fn = getattr(self, "op_" + op, None)
        if fn is None:
            raise AwsError("NotImplemented", "A header you provided implies functionality that is not "
                           "implemented (the emulator does not implement %s)" % op, 501)
        params = self._params(req, op, bucket, key)
        self._check_policy(req, op, bucket, key, params)
        return fn(req, params)

    # ------------------------------------------------------------------ bucket policies
    def policy_decision(self, bucket, principal_arn, account, action, resource, keys):
        """"deny", "allow" or None for one request against the bucket's policy (None: no policy or no
        statement applies)."""
        with self.emu.lock:
            b = self.buckets.get(bucket)
            text = b.config.get("policy") if b else None
        if text is None:
            return None
        ctx = bucket_policy.Context(principal_arn, account, action, resource, keys)
        return bucket_policy.evaluate(json.loads(text), ctx)

    def _check_policy(self, req, op, bucket, key, params):
        action = POLICY_ACTIONS.get(op)
        if bucket is None or action is None or not self.bucket_exists(bucket):
            return
        owner = self.emu.account_id
        root = "arn:aws:iam::%s:root" % req.account_id
        principal = req.principal_arn or root
        keys = {"aws:SecureTransport": "false",   # the emulator serves plain http only
                "aws:SourceIp": getattr(req, "source_ip", None) or "127.0.0.1"}
        if req.user_id:
            keys["aws:userid"] = req.user_id
        for q, k in (("prefix", "s3:prefix"), ("delimiter", "s3:delimiter"), ("max-keys", "s3:max-keys")):
            if op.startswith("ListObjects") and req.q(q) is not None:
                keys[k] = req.q(q)
        if op == "DeleteObjects":
            keys_to_check = [o.get("Key", "") for o in ((params.get("Delete") or {}).get("Objects") or [])]
        else:
            keys_to_check = [key] if key else [None]
        req.denied_keys = set()
        for k in keys_to_check:
            resource = "arn:aws:s3:::%s" % bucket + ("/%s" % k if k is not None else "")
            decision = self.policy_decision(bucket, principal, req.account_id, action, resource, keys)
            refused = decision == "deny" or (decision is None and req.account_id != owner)
            if decision == "deny" and op in OWNER_ALWAYS and principal == root and req.account_id == owner:
                refused = False
            if refused and op == "DeleteObjects":
                req.denied_keys.add(k)    # S3 answers 200 and lists the key under <Error>
            elif refused:
                raise AwsError("AccessDenied", "Access Denied", 403)


    def _params(self, req, op, bucket, key):
        opm = shapes.operation_model("s3", op)
        shape = opm.input_shape
        params = {}
        if shape is None:
            return params
        payload = shape.serialization.get("payload")
        for name, member in shape.members.items():
            loc = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if loc == "uri":
                if wire == "Bucket":
                    params[name] = bucket
                elif wire in ("Key", "Key+"):
                    params[name] = key
            elif loc == "querystring":
                if wire in req.query:
                    params[name] = self._convert(member, req.query[wire][0], wire)
            elif loc == "header":
                v = req.headers.get(wire)
                if v is not None:
                    params[name] = self._convert(member, v, wire)
            elif loc == "headers":
                meta = {}
                for k, v in req.headers.items():
                    if k.lower().startswith(wire.lower()):
                        meta[k.lower()[len(wire):]] = v
                if meta:
                    params[name] = meta
            elif name == payload:
                if member.type_name == "blob":
                    params[name] = req.body
                elif member.type_name == "string":
                    if req.body:
                        try:
                            params[name] = req.body.decode("utf-8")
                        except UnicodeDecodeError:
                            raise AwsError("InvalidArgument", "body is not UTF-8", 400)
                elif member.type_name == "structure" and req.body.strip():
                    try:
                        params[name] = shapes.parse_xml_body(req.body, member, wire)
                    except shapes.MalformedXML as e:
                        raise AwsError("MalformedXML", str(e), 400)
        try:
            self.emu.validate("s3", op, params)
        except AwsError as e:
            if op == "CreateBucket" and "locationConstraint" in e.message:
                raise AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", 400)
            raise
        return params

    def _convert(self, member, value, wire):
        t = member.type_name
        try:
            if t in ("integer", "long"):
                return int(value)
            if t == "boolean":
                if value.lower() not in ("true", "false"):
                    raise ValueError
                return value.lower() == "true"
        except ValueError:
            raise AwsError("InvalidArgument", "Invalid value %r for %s" % (value, wire), 400)
        return value

    # ------------------------------------------------------------------ helpers
    def _ok(self, req, status=200, body=b"", headers=None, content_type=None):
        h = [("x-amz-request-id", req.request_id), ("x-amz-id-2", host_id(req.request_id))]
        h.extend(headers or [])
        return Response(status, body, h, content_type=content_type)

    def _xml(self, req, op, value, root=None, status=200, headers=None):
        out = shapes.operation_model("s3", op).output_shape
        payload = out.serialization.get("payload")
        if payload:
            member = out.members[payload]
            shape, name, value = member, member.serialization.get("name", payload), value[payload]
        else:
            shape, name = out, root
        el = shapes.to_xml(shape, value, name, xmlns=NS)
        return self._ok(req, status, shapes.xml_bytes(el), headers, content_type="application/xml")

    def _bucket(self, name):
        b = self.buckets.get(name)
        if b is None:
            raise AwsError("NoSuchBucket", "The specified bucket does not exist", 404, extra={"BucketName": name})
        return b

    def _check_md5(self, req, required=False):
        md5 = req.headers.get("Content-MD5")
        have_checksum = False
        if md5 is not None:
            try:
                digest = base64.b64decode(md5, validate=True)
            except binascii.Error:
                digest = b""
            if len(digest) != 16:
                raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400)
            if digest != hashlib.md5(req.body).digest():
                raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400)
            have_checksum = True
        for hdr, (alg, fn) in CHECKSUMS.items():
            v = req.headers.get(hdr)
            if v is None:
                continue
            have_checksum = True
            if v != base64.b64encode(fn(req.body)).decode():
                raise AwsError("BadDigest", "The %s you specified did not match the calculated checksum." % alg, 400)
        if required and not have_checksum:
            raise AwsError("InvalidRequest", "Missing required header for this request: Content-Md5.", 400)

    # ------------------------------------------------------------------ service
    def op_ListBuckets(self, req, p):
        with self.emu.lock:
            buckets = [{"Name": b.name, "CreationDate": b.created} for b in
                       sorted(self.buckets.values(), key=lambda b: b.name)]
        return self._xml(req, "ListBuckets", {"Buckets": buckets,
                                              "Owner": {"ID": host_id(req.account_id) + "00000000",
                                                        "DisplayName": "emulator"}},
                         root="ListAllMyBucketsResult")

    # ------------------------------------------------------------------ buckets
    def op_CreateBucket(self, req, p):
        name = p["Bucket"]
        if not valid_bucket_name(name):
            raise AwsError("InvalidBucketName", "The specified bucket is not valid.", 400, extra={"BucketName": name})
        lc = (p.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
        if lc == "us-east-1":
            raise AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", 400,
                           extra={"LocationConstraint": lc})
        if lc is None or lc == "":
            if req.region != "us-east-1":
                raise AwsError("IllegalLocationConstraintException", "The unspecified location constraint is "
                               "incompatible for the region specific endpoint this request was sent to.", 400)
            region = "us-east-1"
        else:
            if req.region != "us-east-1" and lc != req.region:
                raise AwsError("IllegalLocationConstraintException", "The %s location constraint is incompatible "
                               "for the region specific endpoint this request was sent to." % lc, 400)
            region = lc
        with self.emu.lock:
            b = self.buckets.get(name)
            if b is not None:
                if b.region == "us-east-1" and region == "us-east-1":
                    return self._ok(req, headers=[("Location", "/" + name)])
                raise AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket "
                               "succeeded and you already own it.", 409, extra={"BucketName": name})
            self.buckets[name] = Bucket(name, region, self.emu.now())
        return self._ok(req, headers=[("Location", "/" + name)])

    def op_HeadBucket(self, req, p):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            return self._ok(req, headers=[("x-amz-bucket-region", b.region)])

    def op_DeleteBucket(self, req, p):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            if b.objects:
                raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409,
                               extra={"BucketName": b.name})
            del self.buckets[b.name]
        return self._ok(req, 204)

    def op_GetBucketLocation(self, req, p):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            region = b.region
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="%s">%s</LocationConstraint>'
                % (NS, "" if region == "us-east-1" else region))
        return self._ok(req, body=body.encode(), content_type="application/xml")

    def _get_config(self, req, p, key, op, code, message, root=None):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            value = b.config.get(key)
        if value is None:
            raise AwsError(code, message, 404, extra={"BucketName": b.name})
        return self._xml(req, op, value, root=root)

    def _set_config(self, req, p, key, value):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            if value is None:
                b.config.pop(key, None)
            else:
                b.config[key] = value
        return self._ok(req, 204 if value is None else 200)

    # public access block
    def op_PutPublicAccessBlock(self, req, p):
        self._check_md5(req, required=True)
        return self._set_config(req, p, "pab", {"PublicAccessBlockConfiguration":
                                                 p["PublicAccessBlockConfiguration"]})

    def op_GetPublicAccessBlock(self, req, p):
        return self._get_config(req, p, "pab", "GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration",
                                "The public access block configuration was not found")

    def op_DeletePublicAccessBlock(self, req, p):
        return self._set_config(req, p, "pab", None)

    # encryption
    def op_PutBucketEncryption(self, req, p):
        self._check_md5(req, required=True)
        cfg = p["ServerSideEncryptionConfiguration"]
        rules = cfg.get("Rules") or []
        if len(rules) != 1 or not rules[0].get("ApplyServerSideEncryptionByDefault"):
            raise AwsError("MalformedXML", MALFORMED, 400)
        d = rules[0]["ApplyServerSideEncryptionByDefault"]
        if d.get("SSEAlgorithm") == "AES256" and d.get("KMSMasterKeyID"):
            raise AwsError("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is "
                           "not aws:kms or aws:kms:dsse", 400)
        return self._set_config(req, p, "encryption", cfg)

    def op_GetBucketEncryption(self, req, p):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            cfg = b.config.get("encryption")
        if cfg is None:
            raise AwsError("ServerSideEncryptionConfigurationNotFoundError", "The server side encryption "
                           "configuration was not found", 404, extra={"BucketName": b.name})
        return self._xml(req, "GetBucketEncryption", {"ServerSideEncryptionConfiguration": cfg})

    def op_DeleteBucketEncryption(self, req, p):
        # like real S3 (2023+): the bucket falls back to the default SSE-S3 configuration
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            b.config["encryption"] = DEFAULT_ENCRYPTION
        return self._ok(req, 204)

    # policy
    def op_PutBucketPolicy(self, req, p):
        self._check_md5(req, required=False)
        text = p.get("Policy") or ""
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if not isinstance(doc, dict) or not text.lstrip().startswith("{"):
            raise AwsError("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'", 400)
        if "Statement" not in doc:
            raise AwsError("MalformedPolicy", "Missing required field Statement", 400)
        if len(text.encode()) > 20480:
            raise AwsError("PolicyTooLarge", "Policy exceeds the maximum allowed document size.", 400)
        try:
            bucket_policy.validate(doc)
        except ValueError as e:
            raise AwsError("MalformedPolicy", str(e), 400)
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            b.config["policy"] = text
        return self._ok(req, 204)

    def op_GetBucketPolicy(self, req, p):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            text = b.config.get("policy")
        if text is None:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, extra={"BucketName": b.name})
        return self._ok(req, body=text.encode(), content_type="application/json")

    def op_DeleteBucketPolicy(self, req, p):
        return self._set_config(req, p, "policy", None)

    # ownership controls
    def op_PutBucketOwnershipControls(self, req, p):
        self._check_md5(req, required=True)
        rules = p["OwnershipControls"].get("Rules") or []
        if len(rules) != 1:
            raise AwsError("MalformedXML", MALFORMED, 400)
        return self._set_config(req, p, "ownership", {"OwnershipControls": p["OwnershipControls"]})

    def op_GetBucketOwnershipControls(self, req, p):
        return self._get_config(req, p, "ownership", "GetBucketOwnershipControls", "OwnershipControlsNotFoundError",
                                "The bucket ownership controls were not found")

    def op_DeleteBucketOwnershipControls(self, req, p):
        return self._set_config(req, p, "ownership", None)

    # tagging
    def op_PutBucketTagging(self, req, p):
        self._check_md5(req, required=True)
        tags = p["Tagging"].get("TagSet") or []
        seen = set()
        if len(tags) > 50:
            raise AwsError("BadRequest", "Object tags cannot be greater than 50", 400)
        for t in tags:
            k, v = t["Key"], t["Value"]
            if k in seen:
                raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key", 400)
            seen.add(k)
            if not 1 <= len(k) <= 128:
                raise AwsError("InvalidTag", "The TagKey you have provided is too long, max 128", 400)
            if len(v) > 256:
                raise AwsError("InvalidTag", "The TagValue you have provided is too long, max 256", 400)
            if k.startswith("aws:"):
                raise AwsError("InvalidTag", "System tags cannot be added/updated by requester", 400)
        return self._set_config(req, p, "tagging", {"TagSet": tags})

    def op_GetBucketTagging(self, req, p):
        return self._get_config(req, p, "tagging", "GetBucketTagging", "NoSuchTagSet", "The TagSet does not exist",
                                root="Tagging")

    def op_DeleteBucketTagging(self, req, p):
        return self._set_config(req, p, "tagging", None)

    # lifecycle
    def op_PutBucketLifecycleConfiguration(self, req, p):
        cfg = p.get("LifecycleConfiguration")
        if not cfg:
            raise AwsError("MalformedXML", MALFORMED, 400)
        rules = cfg.get("Rules") or []
        if not 1 <= len(rules) <= 1000:
            raise AwsError("MalformedXML", MALFORMED, 400)
        ids = set()
        for r in rules:
            rid = r.get("ID")
            if rid is not None:
                if len(rid) > 255:
                    raise AwsError("InvalidArgument", "ID length should not exceed allowed limit of 255", 400)
                if rid in ids:
                    raise AwsError("InvalidArgument", "Rule ID must be unique. Found same ID for more than one "
                                   "rule", 400)
                ids.add(rid)
            if "Filter" in r and "Prefix" in r:
                raise AwsError("MalformedXML", MALFORMED, 400)
            if not any(k in r for k in ("Expiration", "Transitions", "NoncurrentVersionExpiration",
                                        "NoncurrentVersionTransitions", "AbortIncompleteMultipartUpload")):
                raise AwsError("InvalidRequest", "At least one action needs to be specified in a rule", 400)
            exp = r.get("Expiration") or {}
            if "Days" in exp and exp["Days"] <= 0:
                raise AwsError("InvalidArgument", "'Days' for Expiration action must be a positive integer", 400)
        return self._set_config(req, p, "lifecycle", {"Rules": rules})

    def op_GetBucketLifecycleConfiguration(self, req, p):
        return self._get_config(req, p, "lifecycle", "GetBucketLifecycleConfiguration",
                                "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist",
                                root="LifecycleConfiguration")

    def op_DeleteBucketLifecycle(self, req, p):
        return self._set_config(req, p, "lifecycle", None)

    # ------------------------------------------------------------------ objects
    def op_PutObject(self, req, p):
        sha = req.headers.get("x-amz-content-sha256") or ""
        if sha.startswith("STREAMING-") or "aws-chunked" in (req.headers.get("Content-Encoding") or ""):
            raise AwsError("NotImplemented", "aws-chunked uploads are not supported by the emulator", 501)
        self._check_md5(req)
        meta = {k: v for k, v in (p.get("Metadata") or {}).items()}
        extra = []
        for name, hdr in (("CacheControl", "Cache-Control"), ("ContentDisposition", "Content-Disposition"),
                          ("ContentEncoding", "Content-Encoding"), ("ContentLanguage", "Content-Language"),
                          ("Expires", "Expires")):
            if p.get(name) is not None:
                extra.append((hdr, p[name]))
        ctype = p.get("ContentType") or "binary/octet-stream"
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            o = Obj(req.body, ctype, meta, extra, self.emu.now())
            b.objects[p["Key"]] = o
        return self._ok(req, headers=[("ETag", o.etag), ("x-amz-server-side-encryption", "AES256")])

    def _object(self, p):
        b = self._bucket(p["Bucket"])
        o = b.objects.get(p["Key"])
        if o is None:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404, extra={"Key": p["Key"]})
        return o

    def _object_headers(self, o):
        h = [("ETag", o.etag), ("Last-Modified", http_date(o.last_modified)), ("Content-Type", o.content_type),
             ("Accept-Ranges", "bytes"), ("x-amz-server-side-encryption", "AES256")]
        h.extend(("x-amz-meta-" + k, v) for k, v in o.metadata.items())
        h.extend(o.extra_headers)
        return h

    def _preconditions(self, req, o):
        im = req.headers.get("If-Match")
        if im is not None and im.strip() not in (o.etag, "*", o.etag.strip('"')):
            raise AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                           412, extra={"Condition": "If-Match"})
        inm = req.headers.get("If-None-Match")
        if inm is not None and inm.strip() in (o.etag, "*", o.etag.strip('"')):
            return self._ok(req, 304, headers=[("ETag", o.etag), ("Last-Modified", http_date(o.last_modified))])
        return None

    def op_GetObject(self, req, p):
        with self.emu.lock:
            o = self._object(p)
        r = self._preconditions(req, o)
        if r is not None:
            return r
        data = o.data
        headers = self._object_headers(o)
        rng = p.get("Range")
        if rng:
            span = self._parse_range(rng, len(data))
            if span is not None:
                start, end = span
                headers = [h for h in headers if h[0] != "Content-Type"]
                return self._ok(req, 206, data[start:end + 1],
                                headers + [("Content-Range", "bytes %d-%d/%d" % (start, end, len(data)))],
                                content_type=o.content_type)
        headers = [h for h in headers if h[0] != "Content-Type"]
        return self._ok(req, 200, data, headers, content_type=o.content_type)

    def _parse_range(self, rng, size):
        m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", rng)
        if not m or (m.group(1) == "" and m.group(2) == ""):
            return None   # S3 ignores ranges it cannot parse (and multiple ranges)
        a, b = m.group(1), m.group(2)
        if a == "":
            n = int(b)
            if n == 0:
                raise AwsError("InvalidRange", "The requested range is not satisfiable", 416,
                               extra={"RangeRequested": rng, "ActualObjectSize": str(size)})
            start, end = max(0, size - n), size - 1
        else:
            start = int(a)
            end = int(b) if b else size - 1
            if b and end < start:
                return None
            end = min(end, size - 1)
        if start >= size:
            raise AwsError("InvalidRange", "The requested range is not satisfiable", 416,
                           extra={"RangeRequested": rng, "ActualObjectSize": str(size)})
        return start, end

    def op_HeadObject(self, req, p):
        with self.emu.lock:
            o = self._object(p)
        r = self._preconditions(req, o)
        if r is not None:
            return r
        headers = self._object_headers(o) + [("Content-Length", str(len(o.data)))]
        rng = p.get("Range")
        if rng:
            span = self._parse_range(rng, len(o.data))
            if span is not None:
                headers = [h for h in headers if h[0] != "Content-Length"]
                headers += [("Content-Length", str(span[1] - span[0] + 1)),
                            ("Content-Range", "bytes %d-%d/%d" % (span[0], span[1], len(o.data)))]
                return self._ok(req, 206, b"", headers)
        return self._ok(req, 200, b"", headers)

    def op_DeleteObject(self, req, p):
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            b.objects.pop(p["Key"], None)
        return self._ok(req, 204)

    def op_DeleteObjects(self, req, p):
        self._check_md5(req, required=True)
        d = p.get("Delete")
        if not d:
            raise AwsError("MalformedXML", MALFORMED, 400)
        objs = d.get("Objects") or []
        if not 1 <= len(objs) <= 1000:
            raise AwsError("MalformedXML", MALFORMED, 400)
        deleted, errors = [], []
        denied = getattr(req, "denied_keys", set())
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            for o in objs:
                if o["Key"] in denied:
                    errors.append({"Key": o["Key"], "Code": "AccessDenied", "Message": "Access Denied"})
                    continue
                b.objects.pop(o["Key"], None)
                deleted.append({"Key": o["Key"]})
        out = {} if d.get("Quiet") else {"Deleted": deleted}
        if errors:
            out["Errors"] = errors
        return self._xml(req, "DeleteObjects", out, root="DeleteResult")

    # ------------------------------------------------------------------ listing
    def _token(self, kind, item):
        raw = TOKEN_MAGIC + kind.encode() + b":" + item.encode("utf-8")
        if len(raw) % 3 != 1:
            raw += b"\x00" * ((1 - len(raw)) % 3)
        return base64.b64encode(raw).decode()

    def _untoken(self, token):
        try:
            raw = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if not raw.startswith(TOKEN_MAGIC) or b":" not in raw:
            raise AwsError("InvalidArgument", "The continuation token provided is incorrect", 400,
                           extra={"ArgumentName": "continuation-token"})
        kind, _, item = raw[len(TOKEN_MAGIC):].rstrip(b"\x00").partition(b":")
        return kind.decode(), item.decode("utf-8")

    def op_ListObjectsV2(self, req, p):
        prefix = p.get("Prefix") or ""
        delim = p.get("Delimiter") or ""
        enc = p.get("EncodingType")
        if enc is not None and enc != "url":
            raise AwsError("InvalidArgument", "Invalid Encoding Method specified in Request", 400,
                           extra={"ArgumentName": "encoding-type", "ArgumentValue": enc})
        max_keys = p.get("MaxKeys", 1000)
        if max_keys < 0:
            raise AwsError("InvalidArgument", "max-keys cannot be negative", 400,
                           extra={"ArgumentName": "max-keys", "ArgumentValue": str(max_keys)})
        max_keys = min(max_keys, 1000)
        token = p.get("ContinuationToken")
        start_after = p.get("StartAfter") or ""
        after_kind, after = "k", start_after
        if token is not None:
            after_kind, after = self._untoken(token)
        with self.emu.lock:
            b = self._bucket(p["Bucket"])
            keys = sorted(b.objects, key=lambda k: k.encode("utf-8"))
            objs = dict(b.objects)
        items = []   # ('k', key) | ('p', prefix)
        seen_prefixes = set()
        truncated = False
        after_b = after.encode("utf-8")
        for k in keys:
            if not k.startswith(prefix):
                continue
            kb = k.encode("utf-8")
            if after and (kb <= after_b or (after_kind == "p" and k.startswith(after))):
                continue
            if delim:
                i = k.find(delim, len(prefix))
                if i >= 0:
                    cp = k[: i + len(delim)]
                    if cp in seen_prefixes:
                        continue
                    if len(items) >= max_keys:
                        truncated = True
                        break
                    seen_prefixes.add(cp)
                    items.append(("p", cp))
                    continue
            if len(items) >= max_keys:
                truncated = True
                break
            items.append(("k", k))
        if max_keys == 0:
            truncated = False
        e = (lambda s: urllib.parse.quote_plus(s, safe="/")) if enc == "url" else (lambda s: s)
        out = {"Name": b.name, "Prefix": e(prefix), "MaxKeys": max_keys, "KeyCount": len(items),
               "IsTruncated": truncated}
        contents = []
        for kind, item in items:
            if kind == "k":
                o = objs[item]
                entry = {"Key": e(item), "LastModified": o.last_modified, "ETag": o.etag, "Size": len(o.data),
                         "StorageClass": "STANDARD"}
                if p.get("FetchOwner"):
                    entry["Owner"] = {"ID": host_id(req.account_id) + "00000000", "DisplayName": "emulator"}
                contents.append(entry)
        if contents:
            out["Contents"] = contents
        cps = [{"Prefix": e(item)} for kind, item in items if kind == "p"]
        if cps:
            out["CommonPrefixes"] = cps
        if delim:
            out["Delimiter"] = e(delim)
        if enc:
            out["EncodingType"] = enc
        if token is not None:
            out["ContinuationToken"] = token
        if start_after:
            out["StartAfter"] = e(start_after)
        if truncated and items:
            out["NextContinuationToken"] = self._token(*items[-1])
        return self._xml(req, "ListObjectsV2", out, root="ListBucketResult")
