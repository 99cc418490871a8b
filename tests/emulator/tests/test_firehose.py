"""Unit tests for sluice_emu.firehose (control plane, data plane, limits, faults).

Run: cd tests/emulator && /usr/bin/python3 -m unittest discover -s tests -p 'test_firehose.py'
"""

import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_kinesis import Base, MIB, b64, put_policy  # noqa: E402  (shared harness; no TestCases)

BUCKET = "sink"
BUCKET_ARN = "arn:aws:s3:::sink"


class FirehoseBase(Base):
    service = "firehose"

    def setUp(self):
        super().setUp()
        self.s3 = self.emu.services["s3"]
        self.iam = self.emu.services["iam"]
        self.s3.buckets[BUCKET] = {}
        self.role = self.iam.put_role("fh-role", policies={"w": put_policy(BUCKET)})

    def dest(self, **kw):
        d = {"RoleARN": self.role, "BucketARN": BUCKET_ARN}
        d.update(kw)
        return d

    def create(self, name="fh", **kw):
        p = {"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": self.dest()}
        p.update(kw)
        return self.ok("CreateDeliveryStream", p)

    def describe(self, name="fh"):
        return self.ok("DescribeDeliveryStream", {"DeliveryStreamName": name})["DeliveryStreamDescription"]

    def batch(self, datas, name="fh"):
        return self.ok("PutRecordBatch", {"DeliveryStreamName": name, "Records": [{"Data": b64(d)} for d in datas]})

    def objects(self):
        return self.s3.buckets[BUCKET]


class TestControlPlane(FirehoseBase):
    def test_create_and_describe(self):
        self.emu.config["lifecycle_seconds"] = 2.0
        r = self.create("fh", ExtendedS3DestinationConfiguration=self.dest(
            Prefix="logs/", ErrorOutputPrefix="errors/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60},
            CompressionFormat="GZIP"))
        self.assertEqual(r, {"DeliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/fh"})
        d = self.describe()
        self.assertEqual(d["DeliveryStreamStatus"], "CREATING")
        self.assertEqual((d["DeliveryStreamName"], d["DeliveryStreamType"], d["VersionId"]), ("fh", "DirectPut", "1"))
        self.assertEqual(d["CreateTimestamp"], self.emu.now())
        self.assertIs(d["HasMoreDestinations"], False)
        self.assertNotIn("Source", d)
        self.assertEqual(len(d["Destinations"]), 1)
        dst = d["Destinations"][0]
        self.assertEqual(dst["DestinationId"], "destinationId-000000000001")
        ext = dst["ExtendedS3DestinationDescription"]
        self.assertEqual(ext, {
            "RoleARN": self.role, "BucketARN": BUCKET_ARN, "Prefix": "logs/", "ErrorOutputPrefix": "errors/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}, "CompressionFormat": "GZIP",
            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
            "CloudWatchLoggingOptions": {"Enabled": False}, "S3BackupMode": "Disabled"})
        self.emu.clock.advance(2.0)
        self.assertEqual(self.describe()["DeliveryStreamStatus"], "ACTIVE")

    def test_backdated_creation(self):
        # tests' knob: CreateTimestamp lies firehose_backdate_seconds back, the stream is still new
        self.emu.config["firehose_backdate_seconds"] = 86400
        self.emu.config["lifecycle_seconds"] = 2.0
        self.create()
        d = self.describe()
        self.assertEqual(d["CreateTimestamp"], self.emu.now() - 86400)
        self.assertEqual(d["DeliveryStreamStatus"], "CREATING")

    def test_defaults(self):
        self.create()
        ext = self.describe()["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual(ext["BufferingHints"], {"SizeInMBs": 5, "IntervalInSeconds": 300})
        self.assertEqual((ext["Prefix"], ext["CompressionFormat"]), ("", "UNCOMPRESSED"))
        self.assertNotIn("ErrorOutputPrefix", ext)

    def test_names_and_exists(self):
        self.create("a" * 64)
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "a" * 65,
                                          "ExtendedS3DestinationConfiguration": self.dest()}, "ValidationException")
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "bad/name",
                                          "ExtendedS3DestinationConfiguration": self.dest()}, "ValidationException")
        self.create("fh")
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh",
                                          "ExtendedS3DestinationConfiguration": self.dest()}, "ResourceInUseException")
        self.err("DescribeDeliveryStream", {"DeliveryStreamName": "nope"}, "ResourceNotFoundException",
                 contains="Firehose nope under account 000000000000 not found.")
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "nodest"}, "InvalidArgumentException")

    def test_role_checks_and_propagation(self):
        missing = "arn:aws:iam::000000000000:role/missing"
        b = self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh", "ExtendedS3DestinationConfiguration":
                                              self.dest(RoleARN=missing)}, "InvalidArgumentException")
        self.assertEqual(b["message"], f"Firehose is unable to assume role {missing}. Please check the role provided.")
        self.emu.config["iam_propagation_seconds"] = 10.0
        self.emu.clock.advance(9.9)
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh", "ExtendedS3DestinationConfiguration":
                                          self.dest()}, "InvalidArgumentException", contains="unable to assume role")
        self.emu.clock.advance(0.1)
        self.create("fh")
        # changing the role's policy restarts the window
        self.iam.roles["fh-role"]["changed_at"] = self.emu.now()
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh2", "ExtendedS3DestinationConfiguration":
                                          self.dest()}, "InvalidArgumentException")

    def test_missing_bucket(self):
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh", "ExtendedS3DestinationConfiguration":
                                          self.dest(BucketARN="arn:aws:s3:::nobucket")}, "InvalidArgumentException",
                 contains="nobucket")

    def test_prefix_rules(self):
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh", "ExtendedS3DestinationConfiguration":
                                          self.dest(Prefix="d=!{timestamp:yyyy}/")}, "InvalidArgumentException",
                 contains="ErrorOutputPrefix")
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh", "ExtendedS3DestinationConfiguration":
                                          self.dest(Prefix="!{firehose:error-output-type}/",
                                                    ErrorOutputPrefix="e/")}, "InvalidArgumentException")
        b = self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh", "ExtendedS3DestinationConfiguration":
                                              self.dest(CompressionFormat="LZ4")}, "ValidationException")
        self.assertEqual(b["message"], "1 validation error detected: Value 'LZ4' at "
                         "'extendedS3DestinationConfiguration.compressionFormat' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY]")
        self.create("fh", ExtendedS3DestinationConfiguration=self.dest(
            Prefix="d=!{timestamp:yyyy-MM-dd}/", ErrorOutputPrefix="e/!{firehose:error-output-type}/"))

    def test_kinesis_source(self):
        self.ok("CreateStream", {"StreamName": "ks", "ShardCount": 1}, service="kinesis")
        karn = "arn:aws:kinesis:us-east-1:000000000000:stream/ks"
        self.create("fk", DeliveryStreamType="KinesisStreamAsSource",
                    KinesisStreamSourceConfiguration={"KinesisStreamARN": karn, "RoleARN": self.role})
        d = self.describe("fk")
        self.assertEqual(d["DeliveryStreamType"], "KinesisStreamAsSource")
        src = d["Source"]["KinesisStreamSourceDescription"]
        self.assertEqual((src["KinesisStreamARN"], src["RoleARN"]), (karn, self.role))
        self.assertEqual(src["DeliveryStartTimestamp"], self.emu.now())
        for op, p in (("PutRecord", {"DeliveryStreamName": "fk", "Record": {"Data": b64(b"x")}}),
                      ("PutRecordBatch", {"DeliveryStreamName": "fk", "Records": [{"Data": b64(b"x")}]})):
            self.err(op, p, "InvalidArgumentException",
                     contains="This operation is not permitted on KinesisStreamAsSource delivery stream type.")
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fk2", "DeliveryStreamType": "KinesisStreamAsSource",
                                          "KinesisStreamSourceConfiguration": {
                                              "KinesisStreamARN": karn + "x", "RoleARN": self.role},
                                          "ExtendedS3DestinationConfiguration": self.dest()},
                 "InvalidArgumentException")
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fk3", "DeliveryStreamType": "KinesisStreamAsSource",
                                          "ExtendedS3DestinationConfiguration": self.dest()},
                 "InvalidArgumentException")

    def test_list(self):
        self.ok("CreateStream", {"StreamName": "ks", "ShardCount": 1}, service="kinesis")
        for n in ("c", "a", "b"):
            self.create(n)
        self.create("k", DeliveryStreamType="KinesisStreamAsSource", KinesisStreamSourceConfiguration={
            "KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/ks", "RoleARN": self.role})
        self.assertEqual(self.ok("ListDeliveryStreams", {}),
                         {"DeliveryStreamNames": ["a", "b", "c", "k"], "HasMoreDeliveryStreams": False})
        self.assertEqual(self.ok("ListDeliveryStreams", {"Limit": 2}),
                         {"DeliveryStreamNames": ["a", "b"], "HasMoreDeliveryStreams": True})
        self.assertEqual(self.ok("ListDeliveryStreams", {"ExclusiveStartDeliveryStreamName": "b"})
                         ["DeliveryStreamNames"], ["c", "k"])
        self.assertEqual(self.ok("ListDeliveryStreams", {"DeliveryStreamType": "KinesisStreamAsSource"})
                         ["DeliveryStreamNames"], ["k"])
        self.assertEqual(self.ok("ListDeliveryStreams", {"DeliveryStreamType": "DirectPut"})
                         ["DeliveryStreamNames"], ["a", "b", "c"])

    def test_delete_lifecycle(self):
        self.emu.config["lifecycle_seconds"] = 1.0
        self.create()
        self.err("DeleteDeliveryStream", {"DeliveryStreamName": "fh"}, "ResourceInUseException")
        self.emu.clock.advance(1)
        self.ok("DeleteDeliveryStream", {"DeliveryStreamName": "fh"})
        self.assertEqual(self.describe()["DeliveryStreamStatus"], "DELETING")
        self.ok("DeleteDeliveryStream", {"DeliveryStreamName": "fh"})
        self.emu.clock.advance(1)
        self.err("DescribeDeliveryStream", {"DeliveryStreamName": "fh"}, "ResourceNotFoundException")
        self.err("DeleteDeliveryStream", {"DeliveryStreamName": "fh"}, "ResourceNotFoundException")
        self.assertEqual(self.ok("ListDeliveryStreams", {})["DeliveryStreamNames"], [])

    def test_update_destination(self):
        self.create(ExtendedS3DestinationConfiguration=self.dest(
            Prefix="a/", BufferingHints={"SizeInMBs": 2, "IntervalInSeconds": 120}))
        upd = {"DeliveryStreamName": "fh", "DestinationId": "destinationId-000000000001"}
        self.err("UpdateDestination", dict(upd, CurrentDeliveryStreamVersionId="2",
                                           ExtendedS3DestinationUpdate={"Prefix": "b/"}),
                 "ConcurrentModificationException")
        self.err("UpdateDestination", dict(upd, CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-2",
                                           ExtendedS3DestinationUpdate={"Prefix": "b/"}), "InvalidArgumentException")
        self.err("UpdateDestination", dict(upd, DeliveryStreamName="nope", CurrentDeliveryStreamVersionId="1",
                                           ExtendedS3DestinationUpdate={"Prefix": "b/"}), "ResourceNotFoundException")
        self.ok("UpdateDestination", dict(upd, CurrentDeliveryStreamVersionId="1", ExtendedS3DestinationUpdate={
            "Prefix": "b/", "BufferingHints": {"SizeInMBs": 3}, "CompressionFormat": "GZIP"}))
        d = self.describe()
        self.assertEqual(d["VersionId"], "2")
        self.assertEqual(d["LastUpdateTimestamp"], self.emu.now())
        ext = d["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual((ext["Prefix"], ext["CompressionFormat"], ext["BufferingHints"], ext["RoleARN"]),
                         ("b/", "GZIP", {"SizeInMBs": 3, "IntervalInSeconds": 120}, self.role))
        self.err("UpdateDestination", dict(upd, CurrentDeliveryStreamVersionId="1",
                                           ExtendedS3DestinationUpdate={"Prefix": "c/"}),
                 "ConcurrentModificationException")
        self.ok("UpdateDestination", dict(upd, CurrentDeliveryStreamVersionId="2",
                                          ExtendedS3DestinationUpdate={"Prefix": "c/"}))
        self.assertEqual(self.describe()["VersionId"], "3")

    def test_tags(self):
        self.create(Tags=[{"Key": "team", "Value": "a"}])
        self.ok("TagDeliveryStream", {"DeliveryStreamName": "fh", "Tags": [{"Key": "env", "Value": "test"},
                                                                          {"Key": "team", "Value": "b"}]})
        self.assertEqual(self.ok("ListTagsForDeliveryStream", {"DeliveryStreamName": "fh"}),
                         {"Tags": [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "b"}],
                          "HasMoreTags": False})
        self.assertEqual(self.ok("ListTagsForDeliveryStream", {"DeliveryStreamName": "fh", "Limit": 1})
                         ["HasMoreTags"], True)
        self.ok("UntagDeliveryStream", {"DeliveryStreamName": "fh", "TagKeys": ["env"]})
        self.assertEqual(len(self.ok("ListTagsForDeliveryStream", {"DeliveryStreamName": "fh"})["Tags"]), 1)
        many = [{"Key": "k%d" % i, "Value": "v"} for i in range(50)]
        self.err("TagDeliveryStream", {"DeliveryStreamName": "fh", "Tags": many}, "LimitExceededException")
        self.err("TagDeliveryStream", {"DeliveryStreamName": "zz", "Tags": many[:1]}, "ResourceNotFoundException")


class TestPut(FirehoseBase):
    def setUp(self):
        super().setUp()
        self.create()

    def test_put_record(self):
        r = self.ok("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"hello\n")}})
        self.assertEqual(set(r), {"RecordId", "Encrypted"})
        self.assertIs(r["Encrypted"], False)
        rec = self.emu.ledger.snapshot()["records"]
        self.assertEqual([(x["stream_kind"], x["stream"], x["size"], x["sha256"]) for x in rec],
                         [("firehose", "fh", 6, hashlib.sha256(b"hello\n").hexdigest())])
        self.err("PutRecord", {"DeliveryStreamName": "nope", "Record": {"Data": b64(b"x")}},
                 "ResourceNotFoundException", contains="Firehose nope under account 000000000000 not found.")
        self.err("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": "***"}}, "SerializationException")

    def test_put_to_creating_stream(self):
        self.emu.config["lifecycle_seconds"] = 1.0
        self.create("slow")
        self.err("PutRecord", {"DeliveryStreamName": "slow", "Record": {"Data": b64(b"x")}},
                 "ResourceNotFoundException")
        self.emu.clock.advance(1)
        self.ok("PutRecord", {"DeliveryStreamName": "slow", "Record": {"Data": b64(b"x")}})

    def test_batch_count_edges(self):
        r = self.batch([b"x"] * 500)
        self.assertEqual((r["FailedPutCount"], r["Encrypted"], len(r["RequestResponses"])), (0, False, 500))
        self.assertTrue(all(set(x) == {"RecordId"} for x in r["RequestResponses"]))
        self.assertEqual(len({x["RecordId"] for x in r["RequestResponses"]}), 500)
        self.err("PutRecordBatch", {"DeliveryStreamName": "fh", "Records": [{"Data": b64(b"x")}] * 501},
                 "ValidationException", contains="Member must have length less than or equal to 500")
        self.err("PutRecordBatch", {"DeliveryStreamName": "fh", "Records": []}, "ValidationException")
        self.assertEqual(self.emu.ledger.summary()["records"], 500)

    def test_record_size_edges(self):
        self.batch([b"a" * 1024000])
        self.ok("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"a" * 1024000)}})
        self.err("PutRecordBatch", {"DeliveryStreamName": "fh", "Records": [{"Data": b64(b"x")},
                                                                          {"Data": b64(b"a" * 1024001)}]},
                 "ValidationException", contains="'records.2.member.data' failed to satisfy constraint: Member must "
                                                 "have length less than or equal to 1024000")
        self.err("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"a" * 1024001)}},
                 "ValidationException", contains="lim=1024001")

    def test_batch_size_edges(self):
        exact = [b"a" * 1024000] * 4 + [b"b" * (4 * MIB - 4 * 1024000)]
        self.assertEqual(sum(map(len, exact)), 4 * MIB)
        self.assertEqual(self.batch(exact)["FailedPutCount"], 0)
        over = exact[:-1] + [exact[-1] + b"c"]
        self.err("PutRecordBatch", {"DeliveryStreamName": "fh", "Records": [{"Data": b64(d)} for d in over]},
                 "InvalidArgumentException", contains="Records size exceeds 4 MB limit")
        self.assertEqual(self.emu.ledger.summary()["records"], 5)

    def test_partial_failures_seeded(self):
        def run(emu_test):
            emu_test.emu.faults.set({"seed": 3, "partial_failure": 0.25, "operations": ["PutRecordBatch"]})
            return emu_test.batch([b"r%03d\n" % i for i in range(200)])
        r = run(self)
        bad = [i for i, x in enumerate(r["RequestResponses"]) if "ErrorCode" in x]
        self.assertEqual(r["FailedPutCount"], len(bad))
        self.assertTrue(0 < len(bad) < 200)
        for i in bad:
            self.assertEqual(r["RequestResponses"][i], {"ErrorCode": "ServiceUnavailableException",
                                                        "ErrorMessage": "Slow down."})
        self.assertEqual(self.emu.ledger.summary()["records"], 200 - len(bad))
        # only accepted records are delivered
        from sluice_emu import delivery
        delivery.flush(self.emu)
        (body,) = self.objects().values()
        self.assertEqual(body, b"".join(b"r%03d\n" % i for i in range(200) if i not in bad))
        # PutRecord is not subject to per-entry partial failures
        self.ok("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"x")}})
        # same seed, same pattern (fresh emulator)
        self.tearDown()
        self.setUp()
        r2 = run(self)
        self.assertEqual([i for i, x in enumerate(r2["RequestResponses"]) if "ErrorCode" in x], bad)

    def test_fast_sink(self):
        self.emu.config["fast_sink"] = True
        r = self.batch([b"x"] * 700)
        self.assertEqual((r["FailedPutCount"], len(r["RequestResponses"])), (0, 700))
        self.assertEqual(self.emu.ledger.summary()["records"], 700)
        from sluice_emu import delivery
        delivery.flush(self.emu)
        self.assertEqual(self.objects(), {})          # fast sink skips delivery
        self.ok("PutRecord", {"DeliveryStreamName": "whatever", "Record": {"Data": b64(b"x")}})

    def test_deleting_stream_still_accepts(self):
        self.emu.config["lifecycle_seconds"] = 1.0
        self.ok("DeleteDeliveryStream", {"DeliveryStreamName": "fh"})
        self.ok("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"x")}})
        self.emu.clock.advance(1.0)
        self.err("PutRecord", {"DeliveryStreamName": "fh", "Record": {"Data": b64(b"x")}},
                 "ResourceNotFoundException")


class TestThroughServer(unittest.TestCase):
    """Firehose -> S3 end to end through server.py with botocore clients and the real S3/IAM modules."""

    def test_end_to_end(self):
        import json
        import urllib.request
        import botocore.session
        from botocore.config import Config
        from sluice_emu import server
        httpd, emu = server.start_in_thread({"lifecycle_seconds": 0.0})
        try:
            if any(s in emu.service_errors for s in ("s3", "iam")):
                self.skipTest("s3/iam modules not available: %s" % emu.service_errors)
            sess = botocore.session.get_session()
            kw = dict(region_name="us-east-1", endpoint_url=httpd.endpoint, aws_access_key_id="test",
                      aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
            s3, iam, fh = (sess.create_client(n, **kw) for n in ("s3", "iam", "firehose"))
            s3.create_bucket(Bucket="e2e-bucket")
            iam.create_role(RoleName="e2e", AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "firehose.amazonaws.com"}}]}))
            iam.put_role_policy(RoleName="e2e", PolicyName="w", PolicyDocument=json.dumps(
                put_policy("e2e-bucket", resource=["arn:aws:s3:::e2e-bucket", "arn:aws:s3:::e2e-bucket/*"])))
            role_arn = iam.get_role(RoleName="e2e")["Role"]["Arn"]
            fh.create_delivery_stream(DeliveryStreamName="e2e", ExtendedS3DestinationConfiguration={
                "RoleARN": role_arn, "BucketARN": "arn:aws:s3:::e2e-bucket", "Prefix": "p/",
                "CompressionFormat": "GZIP"})
            desc = fh.describe_delivery_stream(DeliveryStreamName="e2e")["DeliveryStreamDescription"]
            self.assertEqual(desc["DeliveryStreamStatus"], "ACTIVE")
            r = fh.put_record_batch(DeliveryStreamName="e2e", Records=[{"Data": b"line %d\n" % i} for i in range(3)])
            self.assertEqual(r["FailedPutCount"], 0)
            req = urllib.request.Request(httpd.endpoint + "/_emu/firehose/flush", data=b"{}", method="POST")
            with urllib.request.urlopen(req) as resp:
                self.assertEqual(json.loads(resp.read())["delivered_objects"], 1)
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="e2e-bucket").get("Contents", [])]
            self.assertEqual(len(keys), 1)
            self.assertRegex(keys[0], r"^p/\d{4}/\d\d/\d\d/\d\d/e2e-1-\d{4}(-\d\d){5}-[0-9a-f-]{36}\.gz$")
            import gzip
            body = s3.get_object(Bucket="e2e-bucket", Key=keys[0])["Body"].read()
            self.assertEqual(gzip.decompress(body), b"line 0\nline 1\nline 2\n")
            with self.assertRaises(fh.exceptions.ResourceNotFoundException):
                fh.put_record(DeliveryStreamName="nope", Record={"Data": b"x"})
            for c in (s3, iam, fh):
                c.close()
        finally:
            server.stop_server(httpd)


if __name__ == "__main__":
    unittest.main()
