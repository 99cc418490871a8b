"""core.py / shapes.py without HTTP: validation mapping, faults determinism, ledger, error rendering."""

import json
import unittest

import emu_harness  # noqa: F401  (sys.path)
from sluice_emu import core, shapes


class ValidateTest(unittest.TestCase):
    def setUp(self):
        self.emu = core.Emulator()

    def check(self, service, op, params, code, status=400):
        with self.assertRaises(core.AwsError) as cm:
            self.emu.validate(service, op, params)
        self.assertEqual((cm.exception.code, cm.exception.status), (code, status))
        return cm.exception.message

    def test_firehose_and_kinesis(self):
        msg = self.check("firehose", "CreateDeliveryStream", {"DeliveryStreamName": "bad name"},
                         "ValidationException")
        self.assertEqual(msg, "1 validation error detected: Value 'bad name' at 'deliveryStreamName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        self.check("firehose", "PutRecordBatch", {"DeliveryStreamName": "s", "Records": []}, "ValidationException")
        msg = self.check("kinesis", "PutRecords", {"StreamName": "s", "Records": [{"Data": b"x"}]},
                         "ValidationException")
        self.assertIn("'records.1.member.partitionKey'", msg)
        self.check("kinesis", "CreateStream", {"StreamName": "s", "ShardCount": "1"}, "SerializationException")
        self.emu.validate("kinesis", "CreateStream", {"StreamName": "s", "ShardCount": 1})
        msg = self.check("firehose", "CreateDeliveryStream", {"DeliveryStreamName": "x" * 65,
                                                             "DeliveryStreamType": "Nope"}, "ValidationException")
        self.assertTrue(msg.startswith("2 validation errors detected: "), msg)
        self.assertIn("Member must satisfy enum value set: [", msg)

    def test_iam_sts_s3(self):
        self.check("iam", "CreateRole", {"RoleName": "r"}, "ValidationError")
        self.check("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s",
                                         "DurationSeconds": 10}, "ValidationError")
        self.check("s3", "PutObject", {"Bucket": "b", "Key": ""}, "InvalidArgument")
        self.check("s3", "PutBucketTagging", {"Bucket": "b"}, "MalformedXML")
        self.emu.validate("iam", "TagRole", {"RoleName": "r", "Tags": [{"Key": "k", "Value": "v v"}]})

    def test_unicode_class_patterns(self):
        self.emu.validate("firehose", "TagDeliveryStream", {"DeliveryStreamName": "s",
                                                            "Tags": [{"Key": "Ä b", "Value": "x"}]})
        self.check("firehose", "TagDeliveryStream", {"DeliveryStreamName": "s", "Tags": [{"Key": "aws:x"}]},
                   "ValidationException")


class LoadServicesTest(unittest.TestCase):
    def test_missing_module_becomes_broken_service(self):
        emu = core.Emulator()
        emu.load_services(("s3", "no_such_service_module"))
        self.assertEqual(type(emu.services["s3"]).__name__, "S3Service")
        broken = emu.services["no_such_service_module"]
        self.assertIsInstance(broken, core.BrokenService)
        self.assertIn("ModuleNotFoundError", emu.service_errors["no_such_service_module"])
        with self.assertRaises(core.AwsError) as cm:
            broken.handle(core.Request("POST", "/"))
        self.assertEqual((cm.exception.code, cm.exception.status), ("NotImplemented", 501))


class QueryParseTest(unittest.TestCase):
    def test_flat_params(self):
        shape = shapes.operation_model("iam", "CreateRole").input_shape
        flat = {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "MaxSessionDuration": "7200",
                "Tags.member.1.Key": "a", "Tags.member.1.Value": "1", "Tags.member.2.Key": "b",
                "Tags.member.2.Value": "2"}
        p = shapes.parse_query(shape, flat)
        self.assertEqual(p["MaxSessionDuration"], 7200)
        self.assertEqual(p["Tags"], [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        with self.assertRaises(shapes.QueryParseError):
            shapes.parse_query(shape, {"MaxSessionDuration": "many"})


class FaultsTest(unittest.TestCase):
    def test_seeded_and_filtered(self):
        def run():
            f = core.Faults({"seed": 42, "throttle": 0.3, "partial_failure": 0.5, "services": ["firehose"],
                             "operations": ["PutRecordBatch"]})
            return [f.pick("firehose", "PutRecordBatch", "throttle") for _ in range(50)] + \
                   [f.partial("firehose", "PutRecordBatch") for _ in range(50)]
        a, b = run(), run()
        self.assertEqual(a, b)
        self.assertTrue(any(a) and not all(a))
        f = core.Faults({"throttle": 1.0, "services": ["firehose"]})
        self.assertFalse(f.pick("s3", "PutObject", "throttle"))
        self.assertTrue(f.pick("firehose", "PutRecord", "throttle"))
        self.assertRaises(ValueError, core.Faults, {"nope": 1})


class LedgerRenderTest(unittest.TestCase):
    def test_ledger(self):
        emu = core.Emulator()
        emu.ledger.call("s3", "PutObject", core.is_mutating("PutObject"), 200, None)
        emu.ledger.call("s3", "GetObject", core.is_mutating("GetObject"), 404, "NoSuchKey")
        self.assertEqual(emu.ledger.summary()["mutating_calls"], 1)
        self.assertEqual(emu.ledger.record("kinesis", "s", b"abc"), 1)
        snap = emu.ledger.snapshot(1)
        self.assertEqual((snap["calls_total"], len(snap["calls"]), snap["records"]), (2, 1, []))

    def test_render_shapes(self):
        req = core.Request("POST", "/", request_id="rid-1")
        r = core.render_error("firehose", req, core.AwsError("ResourceNotFoundException", "gone", 400))
        self.assertEqual(json.loads(r.body), {"__type": "ResourceNotFoundException", "message": "gone"})
        self.assertEqual(r.header("x-amzn-ErrorType"), "ResourceNotFoundException")
        self.assertEqual(r.header("Content-Type"), "application/x-amz-json-1.1")
        r = core.render_error("sts", req, core.AwsError("Throttling", "slow", 400))
        self.assertIn(b"<Type>Sender</Type><Code>Throttling</Code>", r.body)
        self.assertIn(b"<RequestId>rid-1</RequestId>", r.body)
        r = core.render_error("s3", core.Request("HEAD", "/b/k"), core.AwsError("NoSuchKey", "x", 404))
        self.assertEqual(r.body, b"")


if __name__ == "__main__":
    unittest.main()
