"""Shared helpers for the emulator's server-level unit tests (in-process server on a free loopback port)."""

import hashlib
import http.client
import json
import os
import sys
import unittest
import urllib.parse
import warnings

EMU_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if EMU_DIR not in sys.path:
    sys.path.insert(0, EMU_DIR)

import botocore.session  # noqa: E402
from botocore.auth import S3SigV4Auth, SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from sluice_emu import server  # noqa: E402

_SESSION = botocore.session.get_session()


class ServerTest(unittest.TestCase):
    config = None

    @classmethod
    def setUpClass(cls):
        cls.httpd, cls.emu = server.start_in_thread(cls.config or {})
        cls.endpoint = cls.httpd.endpoint
        cls.port = cls.httpd.server_address[1]

    @classmethod
    def tearDownClass(cls):
        server.stop_server(cls.httpd)

    def setUp(self):
        warnings.filterwarnings("ignore", category=ResourceWarning)
        self.emu.reset()
        self.emu.faults.set({})

    # ------------------------------------------------------------------ clients
    def client(self, service, region="us-east-1", key="test", secret="test", token=None, **cfg):
        return _SESSION.create_client(service, region_name=region, endpoint_url=self.endpoint,
                                      aws_access_key_id=key, aws_secret_access_key=secret,
                                      aws_session_token=token,
                                      config=Config(retries={"max_attempts": 1}, **cfg))

    def s3(self, region="us-east-1", **kw):
        return self.client("s3", region, s3={"addressing_style": "path"}, **kw)

    # ------------------------------------------------------------------ raw requests
    def raw(self, method, path, body=b"", headers=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def signed(self, method, path, service, body=b"", headers=None, region="us-east-1", key="test", secret="test",
               token=None, host=None, content_sha=True, conn=None, query=None, payload_hash=None):
        """Sign with botocore's own signer and send with http.client. path is the raw (encoded) path;
        query a raw query string."""
        host = host or "127.0.0.1:%d" % self.port
        url = "http://%s%s" % (host, path) + ("?" + query if query else "")
        req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        req.headers["Host"] = host
        if service == "s3" and content_sha:
            req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
        cls = S3SigV4Auth if service == "s3" else SigV4Auth
        if payload_hash is not None:
            cls = type("FixedPayload", (cls,), {"payload": lambda self, r: payload_hash})
        cls(Credentials(key, secret, token), service, region).add_auth(req)
        hdrs = dict(req.headers.items())
        if service == "s3" and not content_sha:
            hdrs.pop("X-Amz-Content-SHA256", None)
        return self.raw(method, path + ("?" + query if query else ""), body, hdrs, conn=conn)

    def ledger(self, since=0):
        _, _, body = self.raw("GET", "/_emu/ledger?since=%d" % since)
        return json.loads(body)

    def control(self, method, path, obj=None):
        status, _, body = self.raw(method, path, json.dumps(obj).encode() if obj is not None else b"")
        return status, json.loads(body) if body else None


def error_code(exc):
    return exc.response["Error"]["Code"]


def quote(s):
    return urllib.parse.quote(s, safe="-_.~")
