"""HTTP server: routing, SigV4 check, faults, ledger, control endpoint (see DESIGN.md)."""

import calendar
import email.utils
import hashlib
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from .core import AwsError, Emulator, JSON_TARGET_PREFIX, PROTOCOLS, Request, Response, is_mutating, \
    render_error, RUNTIME_CONFIG_KEYS
from . import sso as sso_routes

TARGET_SERVICE = {v: k for k, v in JSON_TARGET_PREFIX.items()}
STS_ACTIONS = {"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetCallerIdentity",
               "GetSessionToken", "GetFederationToken", "DecodeAuthorizationMessage", "GetAccessKeyInfo"}
AUTH_RX = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UNSIGNED_PAYLOADS = ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")


def _log_enabled():
    return os.environ.get("SLUICE_EMU_LOG") == "1"


# ------------------------------------------------------------------------------------------------ SigV4
def _verifier_class(base):
    class _Verifier(base):
        """botocore's signer, fed exactly the signed headers and the payload hash the client declared."""

        def __init__(self, credentials, service, region, header_pairs, payload_hash):
            super().__init__(credentials, service, region)
            self._pairs = header_pairs
            self._payload_hash = payload_hash

        def headers_to_sign(self, request):
            h = HTTPHeaders()
            for k, v in self._pairs:
                h[k] = v
            return h

        def payload(self, request):
            return self._payload_hash

    return _Verifier


_S3Verifier = _verifier_class(S3SigV4Auth)
_V4Verifier = _verifier_class(SigV4Auth)


def _parse_amz_date(s):
    return calendar.timegm(time.strptime(s, "%Y%m%dT%H%M%SZ"))


class AuthInfo:
    def __init__(self):
        self.signed = False
        self.presigned = False
        self.access_key = None
        self.date = None
        self.region = None
        self.service = None
        self.signed_headers = []
        self.signature = None
        self.error = None   # AwsError for malformed auth


def parse_auth(method, headers, query):
    info = AuthInfo()
    auth = headers.get("Authorization")
    if auth:
        m = AUTH_RX.match(auth.strip())
        if auth.startswith("AWS "):
            info.signed = True
            info.error = "sigv2"
            return info
        if not m:
            info.signed = True
            info.error = "malformed"
            return info
        parts = {}
        for p in m.group(1).split(","):
            k, _, v = p.strip().partition("=")
            parts[k.strip()] = v.strip()
        cred, sh, sig = parts.get("Credential"), parts.get("SignedHeaders"), parts.get("Signature")
        info.signed = True
        if not cred or not sh or not sig:
            info.error = "malformed"
            return info
        info.signed_headers = sh.split(";")
        info.signature = sig
    elif "X-Amz-Signature" in query or "X-Amz-Credential" in query:
        info.signed = info.presigned = True
        cred = (query.get("X-Amz-Credential") or [""])[0]
        info.signed_headers = (query.get("X-Amz-SignedHeaders") or [""])[0].split(";")
        info.signature = (query.get("X-Amz-Signature") or [""])[0]
        if (query.get("X-Amz-Algorithm") or [""])[0] != "AWS4-HMAC-SHA256" or not info.signature:
            info.error = "malformed"
            return info
    elif "AWSAccessKeyId" in query and "Signature" in query:
        info.signed = info.presigned = True
        info.error = "sigv2"
        return info
    else:
        return info
    scope = cred.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        info.error = "malformed"
        return info
    info.access_key, info.date, info.region, info.service = scope[0], scope[1], scope[2], scope[3]
    return info


# ------------------------------------------------------------------------------------------------ server
class EmuHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, addr, emu):
        self.emu = emu
        super().__init__(addr, Handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return   # client went away / idle keep-alive timeout: not an emulator problem
        super().handle_error(request, client_address)

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


class _Dropped(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sluice-emu"
    sys_version = ""

    def version_string(self):
        return self.server_version
    timeout = 300     # idle keep-alive connections are closed after this many seconds

    def log_message(self, fmt, *args):
        if _log_enabled():
            sys.stderr.write("emulator: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._dispatch()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    # -------------------------------------------------------------- body
    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:   # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # -------------------------------------------------------------- main
    def _dispatch(self):
        emu = self.server.emu
        raw_path, _, raw_query = self.path.partition("?")
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if raw_path.startswith("/_emu/") or raw_path == "/_emu":
            self._send(self._control(raw_path, raw_query, body))
            return

        headers = self.headers
        req = Request(self.command, raw_path, raw_query, headers, body, request_id=emu.new_request_id(),
                      region=emu.config.get("region", "us-east-1"), account_id=emu.account_id)
        auth = parse_auth(self.command, headers, req.query)
        target = headers.get("X-Amz-Target") or ""
        action = None
        if target:
            service = TARGET_SERVICE.get(target.split(".", 1)[0])
            if service is None:
                service = "firehose" if target.startswith("Firehose") else (
                    "kinesis" if target.startswith("Kinesis") else None)
        elif not auth.signed and sso_routes.route(self.command, raw_path):
            service = "sso"     # the portal is unsigned: its bearer token is checked by sso.py
        else:
            service = auth.service if auth.service in PROTOCOLS else None
            action = self._action(req)
            if service is None:
                if action:
                    service = "sts" if action in STS_ACTIONS else "iam"
                else:
                    service = "s3"
        if service is None:
            # unknown target: answer in the JSON shape
            err = AwsError("UnknownOperationException", "Unknown X-Amz-Target %r" % target, 400)
            resp = render_error("firehose", req, err)
            emu.ledger.call("unknown", target, False, resp.status, err.code)
            self._send(resp)
            return
        req.service = service
        if auth.region:
            req.region = auth.region
        svc = emu.services.get(service)
        operation = self._peek_operation(svc, req, service, target, action)

        resp = None
        try:
            self._authenticate(emu, req, auth, service, operation)
        except AwsError as e:
            resp = render_error(service, req, e)

        if resp is None:
            try:
                resp = self._faults_and_handle(emu, svc, req, service, operation)
            except _Dropped:
                emu.ledger.call(service, req.operation or operation, is_mutating(req.operation or operation),
                                0, "DroppedConnection")
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
        op = req.operation or operation or (target.split(".", 1)[1] if "." in target else None)
        emu.ledger.call(service, op, is_mutating(op), resp.status, self._error_code(resp))
        truncate = resp.status < 500 and getattr(req, "_truncate", False)
        if 200 <= resp.status < 300 and getattr(req, "_garble", False) and resp.body:
            # A whole HTTP answer whose body is only the first half of the real one (as a proxy that cut it
            # and fixed the length would send): it does not parse.
            resp.body = resp.body[: len(resp.body) // 2]
        self._send(resp, truncate=truncate)

    def _action(self, req):
        a = req.q("Action")
        if a:
            return a
        ctype = (req.headers.get("Content-Type") or "").lower()
        if req.method == "POST" and "x-www-form-urlencoded" in ctype:
            try:
                form = urllib.parse.parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                return None
            v = form.get("Action")
            return v[0] if v else None
        return None

    def _peek_operation(self, svc, req, service, target, action):
        if target and "." in target:
            return target.split(".", 1)[1]
        if action:
            return action
        peek = getattr(svc, "peek_operation", None)
        if callable(peek):
            try:
                return peek(req)
            except Exception:   # noqa: BLE001
                return None
        return None

    def _error_code(self, resp):
        code = getattr(resp, "error_code", None)
        if code or resp.status < 400:
            return code
        code = resp.header("x-amzn-ErrorType")
        if code:
            return code.split(":", 1)[0]
        m = re.search(rb"<Code>([^<]*)</Code>", resp.body or b"")
        if m:
            return m.group(1).decode()
        try:
            j = json.loads(resp.body)
            return j.get("__type")
        except Exception:   # noqa: BLE001
            return "HTTP%d" % resp.status

    # -------------------------------------------------------------- auth
    def _authenticate(self, emu, req, auth, service, operation):
        proto = PROTOCOLS[service]
        s3 = proto == "rest-xml"
        if service == "sso":
            return
        if not auth.signed:
            if service == "sts" and operation == "AssumeRoleWithWebIdentity":
                return
            if s3:
                raise AwsError("AccessDenied", "Access Denied", 403)
            if proto == "json":
                raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
            raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
        if auth.error == "sigv2":
            if s3:
                raise AwsError("InvalidRequest", "The authorization mechanism you have provided is not supported. "
                               "Please use AWS4-HMAC-SHA256.", 400)
            raise AwsError("IncompleteSignature", "Only AWS4-HMAC-SHA256 signatures are supported.",
                           400 if proto == "json" else 403)
        if auth.error:
            if s3:
                raise AwsError("AuthorizationHeaderMalformed", "The authorization header is malformed; "
                               "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/"
                               "aws4_request\".", 400)
            raise AwsError("IncompleteSignature", "Authorization header requires 'Credential', 'Signature' "
                           "and 'SignedHeaders' parameters.", 400 if proto == "json" else 403)
        h = req.headers
        if s3 and not auth.presigned and h.get("x-amz-content-sha256") is None:
            raise AwsError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256",
                           400)
        # timestamp
        amz_date = (req.q("X-Amz-Date") if auth.presigned else h.get("X-Amz-Date"))
        ts = None
        try:
            if amz_date:
                ts = _parse_amz_date(amz_date)
            elif h.get("Date"):
                ts = email.utils.parsedate_to_datetime(h.get("Date")).timestamp()
                amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts))
        except (ValueError, TypeError):
            ts = None
        if ts is None:
            if s3:
                raise AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header",
                               403)
            raise AwsError("IncompleteSignature", "Authorization header requires existence of either a "
                           "'X-Amz-Date' or a 'Date' header.", 400 if proto == "json" else 403)
        now = emu.now()
        skew = float(emu.config.get("max_clock_skew_seconds", 900))
        if auth.presigned:
            try:
                expires = int(req.q("X-Amz-Expires", "0"))
            except ValueError:
                expires = -1
            if not 1 <= expires <= 604800:
                raise AwsError("AuthorizationQueryParametersError",
                               "X-Amz-Expires must be a number between 1 and 604800 seconds", 400)
            if now > ts + expires:
                raise AwsError("AccessDenied", "Request has expired", 403)
            if ts - now > skew:
                raise AwsError("AccessDenied", "Request is not valid yet", 403)
        elif abs(now - ts) > skew:
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            if s3:
                raise AwsError("RequestTimeTooSkewed", "The difference between the request time and the current "
                               "time is too large.", 403,
                               extra={"RequestTime": amz_date, "ServerTime": stamp,
                                      "MaxAllowedSkewMilliseconds": str(int(skew * 1000))})
            early = "earlier" if ts < now else "later"
            lim = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - skew if ts < now else now + skew))
            msg = "Signature expired: %s is now %s than %s (%s %s 15 min.)" % (
                amz_date, early, lim, stamp, "-" if ts < now else "+")
            if proto == "json":
                raise AwsError("InvalidSignatureException", msg, 400)
            raise AwsError("SignatureDoesNotMatch", msg, 403)
        # credentials
        cred = emu.lookup_credentials(auth.access_key)
        if cred is None:
            if s3:
                raise AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our "
                               "records.", 403, extra={"AWSAccessKeyId": auth.access_key})
            if proto == "json":
                raise AwsError("UnrecognizedClientException", "The security token included in the request is "
                               "invalid.", 400)
            raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        token = req.q("X-Amz-Security-Token") if auth.presigned else h.get("X-Amz-Security-Token")
        if (cred.get("token") or None) != (token or None):
            if s3:
                raise AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400)
            if proto == "json":
                raise AwsError("UnrecognizedClientException", "The security token included in the request is "
                               "invalid.", 400)
            raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        if cred.get("expires") is not None and now >= cred["expires"]:
            if s3:
                raise AwsError("ExpiredToken", "The provided token has expired.", 400)
            raise AwsError("ExpiredTokenException" if proto == "json" else "ExpiredToken",
                           "The security token included in the request is expired", 400 if proto == "json" else 403)
        # scope checks
        sig_mismatch = ("InvalidSignatureException", 400) if proto == "json" else (
            ("SignatureDoesNotMatch", 403))
        if auth.service != service:
            raise AwsError(sig_mismatch[0], "Credential should be scoped to correct service: '%s'." % service,
                           sig_mismatch[1])
        if service == "iam" and auth.region != "us-east-1":
            raise AwsError(sig_mismatch[0], "Credential should be scoped to a valid region.", sig_mismatch[1])
        if auth.date != amz_date[:8]:
            if s3:
                raise AwsError("AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid "
                               "credential date. Date is not the same as X-Amz-Date.", 400)
            raise AwsError(sig_mismatch[0], "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                           "version of date from HTTP: '%s' != '%s', from '%s'." % (auth.date, amz_date[:8],
                                                                                     amz_date), sig_mismatch[1])
        # payload hash
        declared = h.get("x-amz-content-sha256")
        if declared is not None and re.fullmatch(r"[0-9a-fA-F]{64}", declared):
            actual = hashlib.sha256(req.body).hexdigest()
            if actual != declared.lower():
                if s3:
                    raise AwsError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does "
                                   "not match what was computed.", 400,
                                   extra={"ClientComputedContentSHA256": declared,
                                          "S3ComputedContentSHA256": actual})
                raise AwsError(sig_mismatch[0], "The provided 'x-amz-content-sha256' header does not match the "
                               "request body.", sig_mismatch[1])
        elif declared is not None and s3 and declared not in UNSIGNED_PAYLOADS:
            raise AwsError("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 "
                           "value.", 400)
        if auth.presigned:
            payload_hash = declared or "UNSIGNED-PAYLOAD" if s3 else (declared or None)
        else:
            payload_hash = declared
        if payload_hash is None:
            payload_hash = hashlib.sha256(req.body).hexdigest()
        # rebuild and sign
        pairs = []
        for name in auth.signed_headers:
            if name == "":
                continue
            vals = h.get_all(name) or []
            if not vals:
                raise AwsError(sig_mismatch[0] if not s3 else "AccessDenied",
                               "Signed header %s is missing from the request" % name,
                               sig_mismatch[1] if not s3 else 403)
            for v in vals:
                pairs.append((name, v))
        if "host" not in auth.signed_headers:
            if s3:
                raise AwsError("AccessDenied", "Host header must be signed", 403)
            raise AwsError(sig_mismatch[0], "'Host' must be a 'SignedHeader' in the AWS Authorization.",
                           sig_mismatch[1])
        qpairs = []
        if req.raw_query:
            for part in req.raw_query.split("&"):
                k, _, v = part.partition("=")
                k = urllib.parse.unquote(k)
                if auth.presigned and k == "X-Amz-Signature":
                    continue
                qpairs.append((k, urllib.parse.unquote(v)))
        areq = AWSRequest(method=req.method, url="http://emulator" + req.path, params=qpairs)
        areq.context["timestamp"] = amz_date
        cls = _S3Verifier if s3 else _V4Verifier
        signer = cls(Credentials(auth.access_key, cred["secret"], token), auth.service, auth.region, pairs,
                     payload_hash)
        canonical = signer.canonical_request(areq)
        expected = signer.signature(signer.string_to_sign(areq, canonical), areq)
        if expected != auth.signature:
            if _log_enabled():
                sys.stderr.write("emulator: signature mismatch; canonical request:\n%s\n" % canonical)
            if s3:
                raise AwsError("SignatureDoesNotMatch", "The request signature we calculated does not match the "
                               "signature you provided. Check your key and signing method.", 403,
                               extra={"AWSAccessKeyId": auth.access_key, "CanonicalRequest": canonical})
            raise AwsError(sig_mismatch[0], "The request signature we calculated does not match the signature "
                           "you provided. Check your AWS Secret Access Key and signing method. Consult the service "
                           "documentation for details.", sig_mismatch[1])
        req.access_key = auth.access_key
        req.account_id = cred.get("account_id", emu.account_id)
        req.principal_arn = cred.get("arn")
        req.user_id = cred.get("user_id")

    # -------------------------------------------------------------- faults + service
    def _faults_and_handle(self, emu, svc, req, service, operation):
        f = emu.faults
        if f.pick(service, operation, "drop_connection"):
            raise _Dropped()
        if f.pick(service, operation, "slow"):
            time.sleep(f.slow_seconds())
        err = None
        if f.pick(service, operation, "throttle"):
            err = {"s3": AwsError("SlowDown", "Please reduce your request rate.", 503),
                   "iam": AwsError("Throttling", "Rate exceeded", 400),
                   "sts": AwsError("Throttling", "Rate exceeded", 400),
                   "sso": AwsError("TooManyRequestsException", "Rate exceeded", 429),
                   "athena": AwsError("TooManyRequestsException", "Rate exceeded", 400)}.get(
                service, AwsError("ThrottlingException", "Rate exceeded", 400))
        elif f.pick(service, operation, "http_500"):
            err = AwsError("InternalError" if service == "s3" else "InternalFailure",
                           "We encountered an internal error. Please try again.", 500, sender_fault=False)
        elif f.pick(service, operation, "http_503"):
            code = {"s3": "ServiceUnavailable", "iam": "ServiceUnavailable", "sts": "ServiceUnavailable"}.get(
                service, "ServiceUnavailableException")
            err = AwsError(code, "Service is unable to handle request.", 503, sender_fault=False)
        elif f.pick(service, operation, "reject"):
            spec = f.get()
            status = spec.get("reject_status", 400)
            err = AwsError(spec["reject_code"], spec.get("reject_message", "Rejected by a test fault."), status,
                           sender_fault=status < 500)
        if err is not None:
            req.operation = req.operation or operation
            return render_error(service, req, err)
        if f.pick(service, operation, "truncate_body"):
            req._truncate = True
        elif f.pick(service, operation, "garble_body"):
            req._garble = True
        try:
            resp = svc.handle(req)
        except AwsError as e:
            resp = render_error(service, req, e)
        except Exception as e:   # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
            resp = render_error(service, req, AwsError("InternalError" if service == "s3" else "InternalFailure",
                                                       "emulator bug: %s: %s" % (type(e).__name__, e), 500,
                                                       sender_fault=False))
        if not isinstance(resp, Response):
            resp = render_error(service, req, AwsError("InternalFailure", "emulator bug: handler returned %r"
                                                       % type(resp).__name__, 500, sender_fault=False))
        return resp

    # -------------------------------------------------------------- control endpoint
    def _control(self, path, raw_query, body):
        emu = self.server.emu
        if not (self.client_address[0].startswith("127.") or self.client_address[0] == "::1"):
            return _json(403, {"error": "control endpoint is loopback only"})
        q = urllib.parse.parse_qs(raw_query)
        m = self.command
        try:
            params = json.loads(body) if body.strip() else {}
        except ValueError:
            return _json(400, {"error": "body is not JSON"})
        try:
            if path == "/_emu/health" and m == "GET":
                return _json(200, {"ok": True, "services": {k: k not in emu.service_errors for k in emu.services},
                                   "errors": emu.service_errors})
            if path == "/_emu/ledger" and m == "GET":
                since = int((q.get("since") or ["0"])[0])
                return _json(200, emu.ledger.snapshot(since))
            if path == "/_emu/ledger/reset" and m == "POST":
                emu.ledger.reset()
                return _json(200, {"ok": True})
            if path == "/_emu/ledger/summary" and m == "GET":
                return _json(200, emu.ledger.summary())
            if path == "/_emu/faults":
                if m == "POST":
                    emu.faults.set(params)
                    return _json(200, emu.faults.get())
                if m == "GET":
                    return _json(200, emu.faults.get())
            if path == "/_emu/config":
                if m == "POST":
                    bad = [k for k in params if k not in RUNTIME_CONFIG_KEYS]
                    if bad:
                        return _json(400, {"error": "not changeable at runtime: %s" % ", ".join(bad)})
                    with emu.lock:
                        emu.config.update(params)
                    return _json(200, {k: emu.config.get(k) for k in RUNTIME_CONFIG_KEYS})
                if m == "GET":
                    return _json(200, {k: emu.config.get(k) for k in RUNTIME_CONFIG_KEYS})
            if path == "/_emu/reset" and m == "POST":
                emu.reset()
                return _json(200, {"ok": True})
            if path == "/_emu/sso/tokens":
                svc = emu.services.get("sso")
                if svc is None or "sso" in emu.service_errors:
                    return _json(501, {"error": "sso module not available: %s" % emu.service_errors.get("sso")})
                if m == "POST":
                    return _json(200, svc.add_token(params))
                if m == "GET":
                    return _json(200, svc.list_tokens())
            if path == "/_emu/athena/queries" and m == "GET":
                svc = emu.services.get("athena")
                if svc is None or "athena" in emu.service_errors:
                    return _json(501, {"error": "athena module not available: %s" % emu.service_errors.get("athena")})
                return _json(200, svc.control_queries())
            if path.startswith("/_emu/firehose/") and m == "POST":
                return self._firehose_control(emu, path[len("/_emu/firehose/"):], params)
        except (ValueError, TypeError, KeyError) as e:
            return _json(400, {"error": str(e)})
        except AwsError as e:
            return _json(e.status, {"error": e.code, "message": e.message})
        return _json(404, {"error": "no such control endpoint: %s %s" % (m, path)})

    def _firehose_control(self, emu, action, params):
        svc = emu.services.get("firehose")
        if svc is None or svc.name != "firehose" or "firehose" in emu.service_errors:
            return _json(501, {"error": "firehose module not available: %s" % emu.service_errors.get("firehose")})
        control = getattr(svc, "control", None)
        if callable(control):
            out = control(action, params)
            if out is None and action not in ("flush", "pause", "resume", "duplicate-next"):
                return _json(404, {"error": "unknown firehose control action %r" % action})
            return _json(200, out if isinstance(out, dict) else {"ok": True})
        if action not in ("flush", "pause", "resume", "duplicate-next"):
            return _json(404, {"error": "unknown firehose control action %r" % action})
        # fall back to plain methods on the service or its delivery engine
        meth = action.replace("-", "_")
        for obj in (svc, getattr(svc, "delivery", None), getattr(emu, "delivery", None)):
            fn = getattr(obj, meth, None) if obj is not None else None
            if callable(fn):
                if action == "flush":
                    out = fn(params.get("stream")) if params.get("stream") else fn()
                elif action == "duplicate-next":
                    out = fn(params["stream"], int(params.get("count", 1)))
                else:
                    out = fn()
                return _json(200, out if isinstance(out, dict) else {"ok": True})
        return _json(501, {"error": "firehose module has no control(%r)" % action})

    # -------------------------------------------------------------- output
    def _send(self, resp, truncate=False):
        body = resp.body or b""
        is_head = self.command == "HEAD"
        explicit_len = resp.header("Content-Length")
        try:
            self.send_response(resp.status)
            for k, v in resp.headers:
                if k.lower() in ("content-length", "connection", "transfer-encoding"):
                    continue
                self.send_header(k, v)
            if is_head and explicit_len is not None:
                length = int(explicit_len)
                body = b""
            else:
                length = len(body)
                if is_head:
                    body = b""
            if truncate:
                self.send_header("Content-Length", str(length + max(16, length)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            self.send_header("Content-Length", str(length))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if body:
                self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _json(status, obj):
    return Response(status, json.dumps(obj).encode(), content_type="application/json")


# ------------------------------------------------------------------------------------------------ entry points
def make_server(config=None, port=0, state_dir=None):
    cfg = dict(config or {})
    if state_dir:
        cfg["state_dir"] = state_dir
    emu = Emulator(cfg)
    emu.load_services()
    httpd = EmuHTTPServer(("127.0.0.1", port), emu)
    return httpd, emu


def start_in_thread(config=None, port=0, state_dir=None):
    """For tests: start a server in a daemon thread; returns (httpd, emu). Stop with stop_server(httpd)."""
    httpd, emu = make_server(config, port, state_dir)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    httpd._thread = t
    return httpd, emu


def stop_server(httpd):
    httpd.shutdown()
    httpd.emu.stop()
    httpd.server_close()
