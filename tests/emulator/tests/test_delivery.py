"""Unit tests for sluice_emu.delivery (buffering, object keys, prefixes, gzip, error output, controls).

Run: cd tests/emulator && /usr/bin/python3 -m unittest discover -s tests -p 'test_delivery.py'
"""

import base64
import datetime
import gzip
import hashlib
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_kinesis import Base, MIB, b64, make_emu, put_policy, trust_doc  # noqa: E402  (harness only)

from sluice_emu import core, delivery  # noqa: E402

BUCKET = "sink"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# 2023-11-14 22:13:20 UTC == the harness clock's start (1_700_000_000)
T0 = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)


class TestPrefixes(unittest.TestCase):
    def test_java_patterns(self):
        dt = datetime.datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)
        self.assertEqual(delivery.evaluate("y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/"
                                           "h=!{timestamp:HH}/", dt), "y=2024/m=03/d=05/h=07/")
        self.assertEqual(delivery.evaluate("!{timestamp:yyyy-MM-dd'T'HH:mm:ss.SSS}", dt), "2024-03-05T07:08:09.123")
        self.assertEqual(delivery.evaluate("!{timestamp:yy}/!{timestamp:M}/!{timestamp:d}/!{timestamp:H}", dt),
                         "24/3/5/7")
        self.assertEqual(delivery.evaluate("!{timestamp:DDD}", dt), "065")
        rs = delivery.evaluate("!{firehose:random-string}", dt)
        self.assertRegex(rs, r"^[a-z0-9]{11}$")
        self.assertEqual(delivery.evaluate("e/!{firehose:error-output-type}/", dt, "s3-failed"), "e/s3-failed/")
        with self.assertRaises(ValueError):
            delivery.evaluate("!{timestamp:QQ}", dt)

    def test_validate_prefixes(self):
        ok = [("", None), ("logs/", None), ("logs/", "err/"),
              ("d=!{timestamp:yyyy-MM-dd}/", "e/!{firehose:error-output-type}/!{timestamp:yyyy}/"),
              ("!{firehose:random-string}/", "e/")]
        for p, e in ok:
            delivery.validate_prefixes(p, e)
        bad = [("!{timestamp:yyyy}/", None),                       # expressions need ErrorOutputPrefix
               ("!{firehose:error-output-type}/", "e/"),           # only allowed in ErrorOutputPrefix
               ("!{timestamp:QQQ}/", "e/"), ("!{nope:x}/", "e/"), ("!{firehose:other}/", "e/"),
               ("!{partitionKeyFromQuery:id}/", "e/"), ("!{timestamp:yyyy/", "e/")]
        for p, e in bad:
            with self.assertRaises(core.AwsError, msg=(p, e)) as cm:
                delivery.validate_prefixes(p, e)
            self.assertEqual(cm.exception.code, "InvalidArgumentException")

    def test_object_keys(self):
        arrival = T0.timestamp()
        k = delivery.object_key("logs/", "fh", "1", arrival)
        self.assertRegex(k, r"^logs/2023/11/14/22/fh-1-2023-11-14-22-13-20-" + UUID + "$")
        self.assertRegex(delivery.object_key("", "fh", "3", arrival, ".gz"),
                         r"^2023/11/14/22/fh-3-2023-11-14-22-13-20-" + UUID + r"\.gz$")
        self.assertRegex(delivery.object_key("dt=!{timestamp:yyyy-MM-dd}/", "fh", "1", arrival),
                         r"^dt=2023-11-14/fh-1-2023-11-14-22-13-20-" + UUID + "$")
        self.assertRegex(delivery.object_key("", "fh", "1", arrival, error_output_type="s3-failed"),
                         r"^s3-failed/2023/11/14/22/fh-1-")
        self.assertRegex(delivery.object_key("err/", "fh", "1", arrival, error_output_type="s3-failed"),
                         r"^err/2023/11/14/22/fh-1-")

    def test_policy_matching(self):
        res = "arn:aws:s3:::b/k/1"
        self.assertTrue(delivery.policies_allow([put_policy("b")], "s3:PutObject", res))
        self.assertTrue(delivery.policies_allow([put_policy("b", action="s3:*")], "s3:PutObject", res))
        self.assertTrue(delivery.policies_allow([put_policy("b", action="*", resource="*")], "s3:PutObject", res))
        self.assertTrue(delivery.policies_allow([put_policy("b", action=["s3:GetObject", "S3:PUTOBJECT"],
                                                            resource=["arn:aws:s3:::b/k/*"])], "s3:PutObject", res))
        self.assertTrue(delivery.policies_allow([json.dumps(put_policy("b"))], "s3:PutObject", res))
        self.assertFalse(delivery.policies_allow([put_policy("b", action="s3:GetObject")], "s3:PutObject", res))
        self.assertFalse(delivery.policies_allow([put_policy("b", resource="arn:aws:s3:::b")], "s3:PutObject", res))
        self.assertFalse(delivery.policies_allow([put_policy("other")], "s3:PutObject", res))
        self.assertFalse(delivery.policies_allow([put_policy("b"), put_policy("b", effect="Deny")],
                                                 "s3:PutObject", res))
        self.assertFalse(delivery.policies_allow([], "s3:PutObject", res))
        self.assertTrue(delivery.trust_allows(trust_doc(), "firehose.amazonaws.com"))
        self.assertFalse(delivery.trust_allows(trust_doc("lambda.amazonaws.com"), "firehose.amazonaws.com"))
        self.assertTrue(delivery.trust_allows({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                              "Principal": {"Service": ["a", "firehose.amazonaws.com"]}}]},
                                              "firehose.amazonaws.com"))


class DeliveryBase(Base):
    service = "firehose"

    def setUp(self):
        super().setUp()
        self.s3 = self.emu.services["s3"]
        self.iam = self.emu.services["iam"]
        self.engine = self.emu.services["firehose"].engine
        self.s3.buckets[BUCKET] = {}
        self.role = self.iam.put_role("fh-role", policies={"w": put_policy(BUCKET)})

    def create(self, name="fh", **dest):
        d = {"RoleARN": self.role, "BucketARN": "arn:aws:s3:::" + BUCKET}
        d.update(dest)
        self.ok("CreateDeliveryStream", {"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": d})

    def put(self, datas, name="fh"):
        r = self.ok("PutRecordBatch", {"DeliveryStreamName": name, "Records": [{"Data": b64(d)} for d in datas]})
        self.assertEqual(r["FailedPutCount"], 0)

    def objects(self):
        return self.s3.buckets[BUCKET]


class TestDelivery(DeliveryBase):
    def test_flush_concatenates_exactly(self):
        self.create(Prefix="logs/")
        self.put([b"a", b"bb", b"", b"ccc\n"])
        self.ok("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"\x00\xff")}})
        self.assertEqual(self.objects(), {})
        self.assertEqual(delivery.status(self.emu)["buffered"], {"fh": {"records": 5, "bytes": 9}})
        self.assertEqual(delivery.flush(self.emu), {"delivered_objects": 1, "failed_objects": 0})
        ((key, body),) = self.objects().items()
        self.assertEqual(body, b"abbccc\n\x00\xff")
        self.assertRegex(key, r"^logs/2023/11/14/22/fh-1-2023-11-14-22-13-20-" + UUID + "$")
        self.assertEqual(delivery.flush(self.emu), {"delivered_objects": 0, "failed_objects": 0})

    def test_key_uses_oldest_arrival(self):
        self.create()
        self.put([b"first"])
        self.emu.clock.advance(3600)                  # next hour
        self.put([b"second"])
        delivery.flush(self.emu)
        ((key, body),) = self.objects().items()
        self.assertTrue(key.startswith("2023/11/14/22/fh-1-2023-11-14-22-13-20-"), key)
        self.assertEqual(body, b"firstsecond")

    def test_custom_prefix_and_gzip(self):
        self.create(Prefix="y=!{timestamp:yyyy}/m=!{timestamp:MM}/!{firehose:random-string}/",
                    ErrorOutputPrefix="err/!{firehose:error-output-type}/", CompressionFormat="GZIP")
        self.put([b"x" * 1000, b"y\n"])
        delivery.flush(self.emu)
        ((key, body),) = self.objects().items()
        self.assertRegex(key, r"^y=2023/m=11/[a-z0-9]{11}/fh-1-2023-11-14-22-13-20-" + UUID + r"\.gz$")
        self.assertEqual(gzip.decompress(body), b"x" * 1000 + b"y\n")

    def test_size_trigger(self):
        self.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 900})
        self.put([b"a" * (MIB // 2)])
        self.assertEqual(self.engine.tick(), (0, 0))
        self.put([b"b" * (MIB // 2 - 1)])
        self.assertEqual(self.engine.tick(), (0, 0))
        self.put([b"c"])                               # reaches 1 MiB
        self.assertEqual(self.engine.tick(), (1, 0))
        self.assertEqual(len(next(iter(self.objects().values()))), MIB)

    def test_interval_trigger_scaled(self):
        self.emu.config["time_scale"] = 60.0           # 60 s interval -> 1 real second
        self.create(BufferingHints={"SizeInMBs": 5, "IntervalInSeconds": 60})
        self.put([b"a"])
        self.emu.clock.advance(0.9)
        self.put([b"b"])
        self.assertEqual(self.engine.tick(), (0, 0))
        self.emu.clock.advance(0.1)                    # 1 s since the *first* buffered record
        self.assertEqual(self.engine.tick(), (1, 0))
        self.assertEqual(list(self.objects().values()), [b"ab"])

    def test_background_thread_real_time(self):
        emu = make_emu(thread=True, time_scale=600.0)  # 60 s interval -> 0.1 real second
        emu.now = time.time
        try:
            emu.services["s3"].buckets[BUCKET] = {}
            role = emu.services["iam"].put_role("r", policies={"w": put_policy(BUCKET)})
            from test_kinesis import call
            st, _ = call(emu, "firehose", "CreateDeliveryStream", {
                "DeliveryStreamName": "bg", "ExtendedS3DestinationConfiguration": {
                    "RoleARN": role, "BucketARN": "arn:aws:s3:::" + BUCKET,
                    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}})
            self.assertEqual(st, 200)
            st, _ = call(emu, "firehose", "PutRecord", {"DeliveryStreamName": "bg", "Record": {"Data": b64(b"hi")}})
            self.assertEqual(st, 200)
            deadline = time.time() + 3
            while not emu.services["s3"].buckets[BUCKET] and time.time() < deadline:
                time.sleep(0.02)
            self.assertEqual(list(emu.services["s3"].buckets[BUCKET].values()), [b"hi"])
        finally:
            emu.services["firehose"].stop()
        self.assertIsNone(emu.services["firehose"].engine._thread)

    def test_pause_resume(self):
        self.create(BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
        delivery.pause(self.emu)
        self.put([b"a"])
        self.emu.clock.advance(120)
        self.assertEqual(self.engine.tick(), (0, 0))
        self.assertEqual(self.objects(), {})
        self.assertTrue(delivery.status(self.emu)["paused"])
        delivery.resume(self.emu)
        self.assertEqual(self.engine.tick(), (1, 0))
        # an explicit flush delivers even while paused
        delivery.pause(self.emu)
        self.put([b"b"])
        self.assertEqual(delivery.flush(self.emu, "fh")["delivered_objects"], 1)

    def test_duplicate_next(self):
        self.create()
        self.assertEqual(delivery.duplicate_next(self.emu, "fh", 2)["pending_duplicates"], 2)
        self.put([b"1", b"2", b"3"])
        delivery.flush(self.emu)
        self.put([b"4"])
        delivery.flush(self.emu)
        bodies = sorted(self.objects().values(), key=len)
        self.assertEqual(bodies, [b"4", b"11223"])

    def test_flush_one_stream(self):
        self.create("a")
        self.create("b")
        self.put([b"x"], "a")
        self.put([b"y"], "b")
        self.assertEqual(delivery.flush(self.emu, "a")["delivered_objects"], 1)
        self.assertEqual(list(self.objects().values()), [b"x"])
        self.assertEqual(delivery.status(self.emu)["buffered"], {"b": {"records": 1, "bytes": 1}})

    def test_version_in_key_after_update(self):
        self.create()
        self.ok("UpdateDestination", {"DeliveryStreamName": "fh", "CurrentDeliveryStreamVersionId": "1",
                                      "DestinationId": "destinationId-000000000001",
                                      "ExtendedS3DestinationUpdate": {"Prefix": "v2/"}})
        self.put([b"z"])
        delivery.flush(self.emu)
        (key,) = self.objects()
        self.assertRegex(key, r"^v2/2023/11/14/22/fh-2-")

    def test_delete_drops_buffer(self):
        self.create()
        self.put([b"z"])
        self.ok("DeleteDeliveryStream", {"DeliveryStreamName": "fh"})
        delivery.flush(self.emu)
        self.assertEqual(self.objects(), {})
        self.assertEqual(delivery.status(self.emu)["buffered"], {})

    def test_control_dispatch(self):
        svc = self.emu.services["firehose"]
        self.create()
        self.put([b"q"])
        self.assertEqual(svc.control("duplicate-next", {"stream": "fh"})["pending_duplicates"], 1)
        self.assertEqual(svc.control("pause", {}), {"paused": True})
        self.assertEqual(svc.control("resume", {}), {"paused": False})
        self.assertEqual(svc.control("flush", {"stream": "fh"})["delivered_objects"], 1)
        self.assertEqual(list(self.objects().values()), [b"qq"])
        with self.assertRaises(ValueError):
            svc.control("duplicate-next", {})

    def test_reset(self):
        self.create()
        self.put([b"q"])
        self.emu.services["firehose"].reset()
        self.assertEqual(delivery.status(self.emu)["buffered"], {})
        self.err("DescribeDeliveryStream", {"DeliveryStreamName": "fh"}, "ResourceNotFoundException")


class TestErrorOutput(DeliveryBase):
    def error_objects(self, prefix):
        return {k: v for k, v in self.objects().items() if k.startswith(prefix)}

    def check_error_lines(self, body, datas, code):
        lines = [json.loads(x) for x in body.decode().splitlines()]
        self.assertEqual([base64.b64decode(x["rawData"]) for x in lines], datas)
        for x in lines:
            self.assertEqual(set(x), {"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage",
                                      "attemptEndingTimestamp", "rawData"})
            self.assertEqual(x["errorCode"], code)
            self.assertEqual(x["arrivalTimestamp"], int(T0.timestamp() * 1000))
            self.assertGreaterEqual(x["attemptEndingTimestamp"], x["arrivalTimestamp"])
            self.assertGreaterEqual(x["attemptsMade"], 1)

    def test_missing_put_permission(self):
        self.iam.roles["fh-role"]["policies"] = {"r": put_policy(BUCKET, action="s3:GetObject")}
        self.create(Prefix="ok/", ErrorOutputPrefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy}/")
        self.put([b"one\n", b"two\n"])
        self.assertEqual(delivery.flush(self.emu), {"delivered_objects": 0, "failed_objects": 1})
        self.assertEqual(self.error_objects("ok/"), {})
        ((key, body),) = self.objects().items()
        self.assertRegex(key, r"^errors/s3-failed/2023/fh-1-2023-11-14-22-13-20-" + UUID + "$")
        self.check_error_lines(body, [b"one\n", b"two\n"], "S3.AccessDenied")
        (f,) = delivery.status(self.emu)["failures"]
        self.assertEqual((f["stream"], f["records"], f["errorCode"], f["written"]), ("fh", 2, "S3.AccessDenied", True))

    def test_policy_for_other_prefix_only(self):
        self.iam.roles["fh-role"]["policies"] = {"w": put_policy(BUCKET, resource="arn:aws:s3:::sink/other/*")}
        self.create(Prefix="ok/")
        self.put([b"x"])
        delivery.flush(self.emu)
        (key,) = self.objects()
        self.assertTrue(key.startswith("s3-failed/2023/11/14/22/fh-1-"), key)

    def test_bad_trust_policy(self):
        self.iam.roles["fh-role"]["AssumeRolePolicyDocument"] = trust_doc("ec2.amazonaws.com")
        self.create(ErrorOutputPrefix="e/")
        self.put([b"x"])
        delivery.flush(self.emu)
        ((key, body),) = self.objects().items()
        self.assertTrue(key.startswith("e/2023/11/14/22/fh-1-"), key)
        self.check_error_lines(body, [b"x"], "S3.AccessDenied")
        self.assertIn("trust policy", json.loads(body.decode().splitlines()[0])["errorMessage"])

    def test_role_deleted_after_create(self):
        self.create()
        del self.iam.roles["fh-role"]
        self.put([b"x"])
        delivery.flush(self.emu)
        self.assertEqual(delivery.status(self.emu)["failures"][0]["errorCode"], "S3.AccessDenied")

    def test_bucket_deleted_after_create(self):
        self.create()
        self.put([b"x"])
        del self.s3.buckets[BUCKET]
        self.assertEqual(delivery.flush(self.emu)["failed_objects"], 1)
        (f,) = delivery.status(self.emu)["failures"]
        self.assertEqual((f["errorCode"], f["written"]), ("S3.NoSuchBucket", False))

    def test_wildcard_policies_allow(self):
        self.iam.roles["fh-role"]["policies"] = {"a": put_policy(BUCKET, action="s3:*", resource="arn:aws:s3:::si*")}
        self.create()
        self.put([b"x"])
        self.assertEqual(delivery.flush(self.emu)["delivered_objects"], 1)


class TestKinesisSource(DeliveryBase):
    def test_reads_from_latest_and_delivers(self):
        kin = lambda op, p: self.ok(op, p, service="kinesis")  # noqa: E731
        kin("CreateStream", {"StreamName": "ks", "ShardCount": 2})
        kin("PutRecord", {"StreamName": "ks", "Data": b64(b"old\n"), "PartitionKey": "a"})
        self.ok("CreateDeliveryStream", {
            "DeliveryStreamName": "fk", "DeliveryStreamType": "KinesisStreamAsSource",
            "KinesisStreamSourceConfiguration": {"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/ks",
                                                 "RoleARN": self.role},
            "ExtendedS3DestinationConfiguration": {"RoleARN": self.role, "BucketARN": "arn:aws:s3:::" + BUCKET,
                                                   "Prefix": "k/"}})
        kin("PutRecords", {"StreamName": "ks", "Records": [{"Data": b64(b"n%d\n" % i), "PartitionKey": str(i)}
                                                           for i in range(6)]})
        self.assertEqual(delivery.flush(self.emu)["delivered_objects"], 1)
        ((key, body),) = self.objects().items()
        self.assertTrue(key.startswith("k/2023/11/14/22/fk-1-"), key)
        self.assertEqual(sorted(body.decode().splitlines()), ["n%d" % i for i in range(6)])
        kin("PutRecord", {"StreamName": "ks", "Data": b64(b"more\n"), "PartitionKey": "z"})
        delivery.flush(self.emu)
        self.assertEqual(sorted(self.objects().values(), key=len)[0], b"more\n")
        # kinesis-sourced records are counted once in the ledger (as kinesis records)
        kinds = [r["stream_kind"] for r in self.emu.ledger.snapshot()["records"]]
        self.assertEqual(set(kinds), {"kinesis"})

    def test_kpl_records_taken_apart(self):
        kin = lambda op, p: self.ok(op, p, service="kinesis")  # noqa: E731
        kin("CreateStream", {"StreamName": "ks", "ShardCount": 1})
        self.ok("CreateDeliveryStream", {
            "DeliveryStreamName": "fk", "DeliveryStreamType": "KinesisStreamAsSource",
            "KinesisStreamSourceConfiguration": {"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/ks",
                                                 "RoleARN": self.role},
            "ExtendedS3DestinationConfiguration": {"RoleARN": self.role, "BucketARN": "arn:aws:s3:::" + BUCKET,
                                                   "Prefix": "k/"}})
        # keys k1 k2; records "a\n" (k1), "bc\n" (k2), "d\n" (k1): the bytes a KPL writes
        pb = bytes.fromhex("0a026b310a026b32" "1a0608001a02610a" "1a0708011a0362630a" "1a0608001a02640a")
        good = b"\xf3\x89\x9a\xc2" + pb + hashlib.md5(pb).digest()
        bad = good[:-1] + bytes([good[-1] ^ 1])
        broken_pb = bytes.fromhex("0a026b31" "1a0608051a02780a")  # key index 5 of a table of one
        broken = b"\xf3\x89\x9a\xc2" + broken_pb + hashlib.md5(broken_pb).digest()
        for data in (good, bad, broken):
            kin("PutRecord", {"StreamName": "ks", "Data": b64(data), "PartitionKey": "k1"})
        delivery.flush(self.emu)
        ((key, body),) = self.objects().items()
        self.assertEqual(body, b"a\nbc\nd\n" + bad + broken)


if __name__ == "__main__":
    unittest.main()
