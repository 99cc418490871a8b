#!/usr/bin/python3
"""botocore's SigV4 signers on the same two requests as bench/sign_bench.c.

  botocore_sign.py --make-body FILE        write the ~64 KiB PutRecordBatch body
  botocore_sign.py --body FILE [--seconds S]

Signs a Firehose PutRecordBatch with SigV4Auth and an S3 ListObjectsV2 GET
with S3SigV4Auth (the signer botocore's S3 client uses: no path
normalization, X-Amz-Content-SHA256). Each signature builds a fresh
AWSRequest. The same three rows as sign_bench: firehose-put-batch signs with
the body's SHA-256 given (as sluice's client hands it to its signer; here
SigV4Auth.payload returns it), firehose-hash-body has SigV4Auth hash the body
on every signature, as botocore does on every send. Prints signatures per
second and the signature at the fixed signing time, so scripts/bench can
check both sign alike.
"""
import hashlib
import argparse
import base64
import datetime
import json
import sys
import time
import types

import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGN_TIME = datetime.datetime(2024, 5, 1, 12, 0, 0)
ACCESS_KEY = "ASIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = ("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"
         "benchmarkSessionTokenOfTypicalLengthAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
S3_URL = ("https://sluice-bench-logs.s3.us-east-1.amazonaws.com/?list-type=2"
          "&prefix=logs%2F2024%2F05%2F01%2F&continuation-token="
          "1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&encoding-type=url&max-keys=1000")


def make_body(path):
    """A PutRecordBatch body of about 64 KiB: 100 log records, base64."""
    records = []
    for i in range(100):
        line = json.dumps({"ts": "2024-05-01T12:00:%02dZ" % (i % 60), "level": "info",
                           "request_id": "%032x" % (i * 7919), "path": "/api/v1/items/%d" % i,
                           "status": 200, "bytes": 512 + i, "msg": "x" * 290})
        records.append({"Data": base64.b64encode(line.encode() + b"\n").decode()})
    body = json.dumps({"DeliveryStreamName": "sluice-bench", "Records": records},
                      separators=(",", ":"))
    with open(path, "w") as f:
        f.write(body)


def fix_signing_time():
    """The same fixed signing time as sign_bench, for comparable signatures.
    Newer botocore reads the clock through get_current_datetime(), Debian's
    1.29 through datetime.datetime.utcnow()."""
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda: SIGN_TIME
        return

    class Fixed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return SIGN_TIME

    botocore.auth.datetime = types.SimpleNamespace(datetime=Fixed)


class GivenPayloadSigV4Auth(SigV4Auth):
    """SigV4Auth with the body's SHA-256 handed in, as sluice's signer gets it."""

    def payload(self, request):
        return request.context["payload_hash"]


def requests(body):
    creds = Credentials(ACCESS_KEY, SECRET_KEY, TOKEN)
    firehose = SigV4Auth(creds, "firehose", "us-east-1")
    firehose_given = GivenPayloadSigV4Auth(creds, "firehose", "us-east-1")
    s3 = S3SigV4Auth(creds, "s3", "us-east-1")
    body_hash = hashlib.sha256(body).hexdigest()

    def put_request():
        return AWSRequest(method="POST", url="https://firehose.us-east-1.amazonaws.com/",
                          headers={"X-Amz-Target": "Firehose_20150804.PutRecordBatch",
                                   "Content-Type": "application/x-amz-json-1.1"},
                          data=body)

    def put_batch():
        r = put_request()
        r.context["payload_hash"] = body_hash
        firehose_given.add_auth(r)
        return r

    def put_batch_hashing():
        r = put_request()
        firehose.add_auth(r)
        return r

    def list_page():
        r = AWSRequest(method="GET", url=S3_URL)
        s3.add_auth(r)
        return r

    return [("firehose-put-batch", put_batch), ("s3-list-objects-v2", list_page),
            ("firehose-hash-body", put_batch_hashing)]


def rate(fn, seconds):
    n = 0
    t0 = time.perf_counter()
    t = t0
    while t - t0 < seconds:
        for _ in range(16):
            fn()
        n += 16
        t = time.perf_counter()
    return n / (t - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-body")
    ap.add_argument("--body")
    ap.add_argument("--seconds", type=float, default=2.0)
    a = ap.parse_args()
    if a.make_body:
        make_body(a.make_body)
        return 0
    if not a.body:
        ap.error("--body or --make-body is required")
    with open(a.body, "rb") as f:
        body = f.read()
    fix_signing_time()
    print("%-20s %12s %12s %s" % ("request", "signs/s", "", "signature"))
    for name, fn in requests(body):
        auth = fn().headers["Authorization"]
        sig = auth.rsplit("Signature=", 1)[1]
        print("%-20s %12.0f %12s %s" % (name, rate(fn, a.seconds), "-", sig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
