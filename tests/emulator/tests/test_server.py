"""Server-level tests: SigV4 check, routing, keep-alive / 100-continue, faults, ledger, control endpoint, SIGTERM."""

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import botocore.exceptions

from emu_harness import EMU_DIR, ServerTest, error_code
from sluice_emu import core


class SignatureTest(ServerTest):
    def test_botocore_signed_requests_are_accepted(self):
        self.s3().create_bucket(Bucket="sig-ok")
        self.client("iam").list_roles()
        self.client("sts").get_caller_identity()

    def test_wrong_secret(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3(secret="wrong").list_buckets()
        self.assertEqual(error_code(cm.exception), "SignatureDoesNotMatch")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("iam", secret="wrong").list_roles()
        self.assertEqual(error_code(cm.exception), "SignatureDoesNotMatch")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("kinesis", secret="wrong").list_streams()
        self.assertEqual(error_code(cm.exception), "InvalidSignatureException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_unknown_key(self):
        for svc, code, status in (("s3", "InvalidAccessKeyId", 403), ("iam", "InvalidClientTokenId", 403),
                                  ("sts", "InvalidClientTokenId", 403),
                                  ("firehose", "UnrecognizedClientException", 400)):
            c = self.s3(key="nobody") if svc == "s3" else self.client(svc, key="nobody")
            call = {"s3": c.list_buckets if svc == "s3" else None}.get(svc) or {
                "iam": lambda: c.list_roles(), "sts": lambda: c.get_caller_identity(),
                "firehose": lambda: c.list_delivery_streams()}[svc]
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                call()
            self.assertEqual(error_code(cm.exception), code, svc)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status, svc)

    def test_tampered_request_is_refused(self):
        # sign a request, then change the query after signing
        status, _, body = self.signed("GET", "/", "s3")
        self.assertEqual(status, 200)
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        req = AWSRequest(method="GET", url="http://127.0.0.1:%d/" % self.port)
        req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"").hexdigest()
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
        hdrs = dict(req.headers.items())
        status, _, body = self.raw("GET", "/?prefix=x", headers=hdrs)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)

    def test_skew(self):
        real = self.emu.now
        self.emu.now = lambda: real() + 16 * 60
        try:
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.s3().list_buckets()
            self.assertEqual(error_code(cm.exception), "RequestTimeTooSkewed")
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.client("sts").get_caller_identity()
            self.assertEqual(error_code(cm.exception), "SignatureDoesNotMatch")
            self.assertIn("Signature expired", cm.exception.response["Error"]["Message"])
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.client("kinesis").list_streams()
            self.assertEqual(error_code(cm.exception), "InvalidSignatureException")
            self.emu.now = lambda: real() + 14 * 60
            self.s3().list_buckets()
        finally:
            self.emu.now = real

    def test_unsigned_is_refused(self):
        status, h, body = self.raw("GET", "/")
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessDenied</Code>", body)
        status, h, body = self.raw("POST", "/", b"Action=ListRoles&Version=2010-05-08",
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)
        self.assertIn(b"MissingAuthenticationToken", body)

    def test_missing_content_sha256(self):
        status, _, body = self.signed("GET", "/", "s3", content_sha=False)
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidRequest</Code>", body)
        self.assertIn(b"x-amz-content-sha256", body)

    def test_content_sha256_mismatch(self):
        self.s3().create_bucket(Bucket="sha-bucket")
        status, _, body = self.signed("PUT", "/sha-bucket/k", "s3", b"abc",
                                      payload_hash=hashlib.sha256(b"xyz").hexdigest())
        self.assertEqual(status, 400)
        self.assertIn(b"XAmzContentSHA256Mismatch", body)

    def test_unsigned_payload_accepted(self):
        self.s3().create_bucket(Bucket="unsigned-payload")
        status, _, _ = self.signed("PUT", "/unsigned-payload/k", "s3", b"abc", payload_hash="UNSIGNED-PAYLOAD")
        self.assertEqual(status, 200)

    def test_sigv2_refused(self):
        status, _, body = self.raw("GET", "/", headers={"Authorization": "AWS test:abcd", "Date": "x"})
        self.assertEqual(status, 400)
        self.assertIn(b"AWS4-HMAC-SHA256", body)

    def test_presigned_url(self):
        s3 = self.s3(signature_version="s3v4")
        s3.create_bucket(Bucket="presign-bucket")
        s3.put_object(Bucket="presign-bucket", Key="a b+c", Body=b"data")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket", "Key": "a b+c"},
                                        ExpiresIn=60)
        path = url.split(str(self.port), 1)[1]
        status, _, body = self.raw("GET", path)
        self.assertEqual((status, body), (200, b"data"))
        status, _, body = self.raw("GET", path.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
        self.assertEqual(status, 403)

    def test_temporary_credentials_need_their_token(self):
        iam = self.client("iam")
        iam.create_role(RoleName="tmp", AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                     "Action": "sts:AssumeRole"}]}))
        cr = self.client("sts").assume_role(RoleArn="arn:aws:iam::000000000000:role/tmp",
                                            RoleSessionName="s1")["Credentials"]
        ok = self.client("sts", key=cr["AccessKeyId"], secret=cr["SecretAccessKey"], token=cr["SessionToken"])
        self.assertIn("assumed-role/tmp/s1", ok.get_caller_identity()["Arn"])
        bad = self.client("sts", key=cr["AccessKeyId"], secret=cr["SecretAccessKey"], token="nope")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            bad.get_caller_identity()
        self.assertEqual(error_code(cm.exception), "InvalidClientTokenId")
        real = self.emu.now
        self.emu.now = lambda: real() + 3601
        try:
            exp = self.client("sts", key=cr["AccessKeyId"], secret=cr["SecretAccessKey"],
                              token=cr["SessionToken"])
            self.emu.config["max_clock_skew_seconds"] = 10 ** 6
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                exp.get_caller_identity()
            self.assertEqual(error_code(cm.exception), "ExpiredToken")
        finally:
            self.emu.now = real
            self.emu.config["max_clock_skew_seconds"] = 900


class RoutingTest(ServerTest):
    def test_routes_by_target_and_scope(self):
        self.s3().list_buckets()
        self.client("iam").list_roles()
        self.client("sts").get_caller_identity()
        try:
            self.client("kinesis").list_streams()
        except botocore.exceptions.ClientError:
            pass
        try:
            self.client("firehose").list_delivery_streams()
        except botocore.exceptions.ClientError:
            pass
        services = [c["service"] for c in self.ledger()["calls"]]
        self.assertEqual(services, ["s3", "iam", "sts", "kinesis", "firehose"])
        ops = [c["operation"] for c in self.ledger()["calls"]]
        self.assertEqual(ops, ["ListBuckets", "ListRoles", "GetCallerIdentity", "ListStreams",
                               "ListDeliveryStreams"])

    def test_broken_module_answers_501(self):
        saved = self.emu.services["kinesis"]
        self.emu.services["kinesis"] = core.BrokenService(self.emu, "kinesis", "SyntaxError: test")
        try:
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.client("kinesis").list_streams()
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 501)
            self.assertIn("kinesis module is not available", cm.exception.response["Error"]["Message"])
        finally:
            self.emu.services["kinesis"] = saved

    def test_iam_requires_us_east_1_scope(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            # botocore itself signs IAM with us-east-1 whatever the region, so sign by hand
            status, _, body = self.signed("POST", "/", "iam", b"Action=ListRoles&Version=2010-05-08",
                                          {"Content-Type": "application/x-www-form-urlencoded"},
                                          region="eu-west-1")
            raise botocore.exceptions.ClientError({"Error": {"Code": re.search(rb"<Code>(\w+)<", body)
                                                             .group(1).decode()}}, "x")
        self.assertEqual(error_code(cm.exception), "SignatureDoesNotMatch")

    def test_keep_alive_and_expect_100(self):
        self.s3().create_bucket(Bucket="keepalive")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        big = os.urandom(1024 * 1024 + 10)
        status, h, _ = self.signed("PUT", "/keepalive/big", "s3", big, headers={"Expect": "100-continue"},
                                   conn=conn)
        self.assertEqual(status, 200)
        sock = conn.sock
        status, h, body = self.signed("GET", "/keepalive/big", "s3", conn=conn)
        self.assertEqual((status, len(body)), (200, len(big)))
        self.assertIs(conn.sock, sock, "connection was not reused")
        self.assertEqual(int(h["content-length"]), len(big))
        conn.close()

    def test_expect_100_continue_is_answered(self):
        self.s3().create_bucket(Bucket="expect")
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        body = b"x" * 2000
        req = AWSRequest(method="PUT", url="http://127.0.0.1:%d/expect/k" % self.port, data=body)
        req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        head = "PUT /expect/k HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\nExpect: 100-continue\r\n" % (
            self.port, len(body))
        for k, v in req.headers.items():
            head += "%s: %s\r\n" % (k, v)
        s.sendall((head + "\r\n").encode())
        first = s.recv(100)
        self.assertTrue(first.startswith(b"HTTP/1.1 100"), first)
        s.sendall(body)
        rest = b""
        while b"\r\n\r\n" not in rest:
            rest += s.recv(4096)
        s.close()
        self.assertIn(b"HTTP/1.1 200", first + rest)


class FaultsTest(ServerTest):
    def _pattern(self, seed):
        self.emu.faults.set({"seed": seed, "throttle": 0.5, "services": ["sts"]})
        sts = self.client("sts")
        out = []
        for _ in range(12):
            try:
                sts.get_caller_identity()
                out.append("ok")
            except botocore.exceptions.ClientError as e:
                out.append(error_code(e))
        return out

    def test_throttle_is_repeatable(self):
        a = self._pattern(7)
        b = self._pattern(7)
        self.assertEqual(a, b)
        self.assertIn("Throttling", a)
        self.assertIn("ok", a)
        # services filter: s3 untouched
        self.s3().list_buckets()

    def test_throttle_shapes(self):
        self.emu.faults.set({"throttle": 1.0})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.s3().list_buckets()
        self.assertEqual(error_code(cm.exception), "SlowDown")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("kinesis").list_streams()
        self.assertEqual(error_code(cm.exception), "ThrottlingException")

    def test_http_500_and_503(self):
        self.emu.faults.set({"http_500": 1.0, "operations": ["GetCallerIdentity"]})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("sts").get_caller_identity()
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.client("iam").list_roles()
        self.emu.faults.set({"http_503": 1.0})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("iam").list_roles()
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)

    def test_reject(self):
        self.emu.faults.set({"reject": 1.0, "reject_code": "InvalidArgumentException",
                             "reject_message": "Access was denied when calling KMS.",
                             "operations": ["ListDeliveryStreams"]})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client("firehose").list_delivery_streams()
        self.assertEqual(error_code(cm.exception), "InvalidArgumentException")
        self.assertEqual(cm.exception.response["Error"]["Message"], "Access was denied when calling KMS.")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.client("kinesis").list_streams()  # other operations untouched
        with self.assertRaises(ValueError):
            self.emu.faults.set({"reject": 1.0})  # no code
        with self.assertRaises(ValueError):
            self.emu.faults.set({"reject": 1.0, "reject_code": "X", "reject_status": 200})

    def test_drop_and_truncate(self):
        self.emu.faults.set({"drop_connection": 1.0})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine)):
            self.signed("GET", "/", "s3")
        self.emu.faults.set({"truncate_body": 1.0})
        with self.assertRaises(http.client.IncompleteRead):
            self.signed("GET", "/", "s3")
        self.emu.faults.set({"garble_body": 1.0})
        status, _, body = self.signed("GET", "/", "s3")
        self.assertEqual(status, 200)
        self.emu.faults.set({})
        status, _, whole = self.signed("GET", "/", "s3")
        self.assertEqual(status, 200)
        self.assertEqual(body, whole[: len(whole) // 2])
        self.assertGreater(len(whole), 0)

    def test_slow(self):
        self.emu.faults.set({"slow_ms": 300})
        t = time.time()
        self.signed("GET", "/", "s3")
        self.assertGreaterEqual(time.time() - t, 0.3)

    def test_faults_endpoint(self):
        status, body = self.control("POST", "/_emu/faults", {"seed": 3, "throttle": 0.25})
        self.assertEqual(status, 200)
        self.assertEqual(self.control("GET", "/_emu/faults")[1], {"seed": 3, "throttle": 0.25})
        status, body = self.control("POST", "/_emu/faults", {"bogus": 1})
        self.assertEqual(status, 400)
        status, body = self.control("POST", "/_emu/faults", {"throttle": 2})
        self.assertEqual(status, 400)


class LedgerControlTest(ServerTest):
    def test_ledger_counts(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="ledger-bucket")
        s3.put_object(Bucket="ledger-bucket", Key="k", Body=b"1")
        s3.get_object(Bucket="ledger-bucket", Key="k")
        s3.head_object(Bucket="ledger-bucket", Key="k")
        s3.list_objects_v2(Bucket="ledger-bucket")
        try:
            s3.get_object(Bucket="ledger-bucket", Key="missing")
        except botocore.exceptions.ClientError:
            pass
        status, summary = self.control("GET", "/_emu/ledger/summary")
        self.assertEqual(summary["calls"], 6)
        self.assertEqual(summary["mutating_calls"], 2)
        led = self.ledger()
        self.assertEqual(led["calls_total"], 6)
        self.assertEqual(led["calls"][-1]["error_code"], "NoSuchKey")
        self.assertEqual(led["calls"][-1]["status"], 404)
        self.assertEqual([c["operation"] for c in self.ledger(4)["calls"]], ["ListObjectsV2", "GetObject"])
        self.assertEqual(self.control("POST", "/_emu/ledger/reset")[0], 200)
        self.assertEqual(self.ledger()["calls_total"], 0)

    def test_records_summary(self):
        self.emu.ledger.record("firehose", "s", b"a")
        self.emu.ledger.record("firehose", "s", b"a")
        self.emu.ledger.record("firehose", "t", b"a")
        s = self.control("GET", "/_emu/ledger/summary")[1]
        self.assertEqual((s["records"], s["unique_records"], s["duplicates"]), (3, 2, 1))
        # metering: 5 KB per Firehose record rounded up, 25 KB Kinesis PUT units
        self.emu.ledger.record("firehose", "t", b"x" * 5121)
        self.emu.ledger.record("kinesis", "k", b"x" * 25600)
        self.emu.ledger.record("kinesis", "k", b"x" * 25601)
        s = self.control("GET", "/_emu/ledger/summary")[1]
        self.assertEqual((s["firehose_billed_bytes"], s["kinesis_put_units"]), (3 * 5120 + 10240, 3))

    def test_health_config_reset(self):
        status, body = self.control("GET", "/_emu/health")
        self.assertEqual((status, body["ok"]), (200, True))
        status, body = self.control("POST", "/_emu/config", {"time_scale": 60})
        self.assertEqual((status, body["time_scale"]), (200, 60))
        self.assertEqual(self.emu.config["time_scale"], 60)
        self.assertEqual(self.control("POST", "/_emu/config", {"account_id": "1"})[0], 400)
        self.control("POST", "/_emu/config", {"time_scale": 1.0})
        self.s3().create_bucket(Bucket="reset-me")
        self.assertEqual(self.control("POST", "/_emu/reset")[0], 200)
        self.assertEqual(self.s3().list_buckets()["Buckets"], [])
        self.assertEqual(self.control("GET", "/_emu/nope")[0], 404)

    def test_control_is_unsigned_and_not_in_ledger(self):
        self.control("GET", "/_emu/health")
        self.assertEqual(self.ledger()["calls_total"], 0)


class ProcessTest(unittest.TestCase):
    def test_run_ready_file_and_sigterm(self):
        with tempfile.TemporaryDirectory() as d:
            ready = os.path.join(d, "ready")
            cfg = os.path.join(d, "cfg.json")
            with open(cfg, "w") as f:
                json.dump({"account_id": "123456789012",
                           "credentials": [{"access_key_id": "AKIDEXAMPLE", "secret_access_key": "s3cr3t"}]}, f)
            p = subprocess.Popen([os.path.join(EMU_DIR, "run"), "--port", "0", "--ready-file", ready,
                                  "--config", cfg, "--state-dir", os.path.join(d, "state")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                line = p.stdout.readline()
                m = re.fullmatch(r"endpoint (http://127\.0\.0\.1:(\d+))\n", line)
                self.assertIsNotNone(m, line)
                with open(ready) as f:
                    self.assertEqual(f.read().strip(), m.group(1))
                import botocore.session
                from botocore.config import Config
                sts = botocore.session.get_session().create_client(
                    "sts", region_name="us-east-1", endpoint_url=m.group(1), aws_access_key_id="AKIDEXAMPLE",
                    aws_secret_access_key="s3cr3t", config=Config(retries={"max_attempts": 1}))
                self.assertEqual(sts.get_caller_identity()["Account"], "123456789012")
                # an idle keep-alive connection must not block shutdown
                conn = http.client.HTTPConnection("127.0.0.1", int(m.group(2)), timeout=5)
                conn.request("GET", "/_emu/health")
                conn.getresponse().read()
                p.send_signal(signal.SIGTERM)
                self.assertEqual(p.wait(timeout=10), 0)
                conn.close()
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                p.stdout.close()
                p.stderr.close()


if __name__ == "__main__":
    unittest.main()
