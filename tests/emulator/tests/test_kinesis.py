"""Unit tests for sluice_emu.kinesis (plus the shared harness used by test_firehose.py / test_delivery.py).

Run: cd tests/emulator && /usr/bin/python3 -m unittest discover -s tests -p 'test_kinesis.py'
"""

import base64
import hashlib
import json
import os
import sys
import unittest

EMU_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if EMU_DIR not in sys.path:
    sys.path.insert(0, EMU_DIR)

from sluice_emu import core  # noqa: E402
from sluice_emu.kinesis import KinesisService, SEQ_BASE  # noqa: E402
from sluice_emu.firehose import FirehoseService  # noqa: E402

MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------------- harness
class Clock:
    def __init__(self, t=1_700_000_000.0):
        self.t = t

    def __call__(self):
        return self.t

    def advance(self, s):
        self.t += s


class FakeS3:
    """Contract-level stand-in for emu.services['s3'] (internal_put_object / bucket_exists)."""
    name = "s3"

    def __init__(self, emu):
        self.emu = emu
        self.buckets = {}

    def reset(self):
        self.buckets = {}

    def bucket_exists(self, bucket):
        return bucket in self.buckets

    def internal_put_object(self, bucket, key, data, content_type="application/octet-stream"):
        if bucket not in self.buckets:
            raise core.AwsError("NoSuchBucket", "The specified bucket does not exist", 404)
        self.buckets[bucket][key] = bytes(data)


class FakeIAM:
    """Contract-level stand-in for emu.services['iam'] (get_role / role_name_from_arn)."""
    name = "iam"

    def __init__(self, emu):
        self.emu = emu
        self.roles = {}

    def reset(self):
        self.roles = {}

    def put_role(self, name, trust=None, policies=None):
        self.roles[name] = {"RoleName": name, "Arn": f"arn:aws:iam::000000000000:role/{name}",
                            "AssumeRolePolicyDocument": trust if trust is not None else trust_doc(),
                            "CreateDate": self.emu.now(), "changed_at": self.emu.now(),
                            "policies": dict(policies or {})}
        return self.roles[name]["Arn"]

    def get_role(self, name):
        return self.roles.get(name)

    def role_name_from_arn(self, arn):
        if not isinstance(arn, str) or ":role/" not in arn:
            return None
        return arn.rsplit("/", 1)[-1]


def trust_doc(service="firehose.amazonaws.com"):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def put_policy(bucket, action="s3:PutObject", resource=None, effect="Allow"):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": action, "Resource": resource or f"arn:aws:s3:::{bucket}/*"}]}


def make_emu(thread=False, **config):
    cfg = {"lifecycle_seconds": 0.0}
    cfg.update(config)
    emu = core.Emulator(cfg)
    emu.clock = Clock()
    emu.now = emu.clock
    emu.services = {"s3": FakeS3(emu), "iam": FakeIAM(emu)}
    emu.services["kinesis"] = KinesisService(emu)
    emu.services["firehose"] = FirehoseService(emu)
    if not thread:
        emu.services["firehose"].engine.ensure_started = lambda: None
    return emu


def b64(data):
    return base64.b64encode(data).decode()


def call(emu, service, op, params=None, raw=None, region=None):
    """Invoke a JSON service's handle() like the server does; returns (status, decoded body)."""
    svc = emu.services[service]
    target = {"firehose": "Firehose_20150804", "kinesis": "Kinesis_20131202"}[service] + "." + op
    body = raw if raw is not None else json.dumps(params or {}).encode()
    req = core.Request("POST", "/", "", core.make_headers({"X-Amz-Target": target,
                                                           "Content-Type": "application/x-amz-json-1.1"}),
                       body, service=service, account_id=emu.account_id)
    if region:
        req.region = region
    resp = svc.handle(req)
    assert resp.header("Content-Type") == "application/x-amz-json-1.1", resp.headers
    return resp.status, json.loads(resp.body)


class Base(unittest.TestCase):
    service = "kinesis"

    def setUp(self):
        self.emu = make_emu()

    def tearDown(self):
        self.emu.services["firehose"].stop()

    def ok(self, op, params=None, service=None):
        status, body = call(self.emu, service or self.service, op, params)
        self.assertEqual(status, 200, body)
        return body

    def err(self, op, params, code, status=400, service=None, raw=None, contains=None):
        st, body = call(self.emu, service or self.service, op, params, raw=raw)
        self.assertEqual((st, body.get("__type")), (status, code), body)
        if contains:
            self.assertIn(contains, body["message"])
        return body


# ---------------------------------------------------------------------------------------------- tests
class KinesisBase(Base):
    def create(self, name="s1", shards=2, **kw):
        params = {"StreamName": name, "ShardCount": shards}
        params.update(kw)
        return self.ok("CreateStream", params)

    def put(self, name, data, key="pk", **kw):
        return self.ok("PutRecord", dict({"StreamName": name, "Data": b64(data), "PartitionKey": key}, **kw))


class TestControlPlane(KinesisBase):
    def test_create_describe_lifecycle(self):
        self.emu.config["lifecycle_seconds"] = 5.0
        self.create("s1", 3)
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual(d["StreamStatus"], "CREATING")
        self.assertEqual(d["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/s1")
        self.assertEqual(d["OpenShardCount"], 3)
        self.assertEqual(d["RetentionPeriodHours"], 24)
        self.assertEqual(d["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"x"), "PartitionKey": "a"},
                 "ResourceInUseException", contains="instead in state CREATING")
        self.err("DeleteStream", {"StreamName": "s1"}, "ResourceInUseException")
        self.emu.clock.advance(5.0)
        self.assertEqual(self.ok("DescribeStream", {"StreamName": "s1"})["StreamDescription"]["StreamStatus"],
                         "ACTIVE")
        self.ok("DeleteStream", {"StreamName": "s1"})
        self.assertEqual(self.ok("DescribeStreamSummary", {"StreamName": "s1"})
                         ["StreamDescriptionSummary"]["StreamStatus"], "DELETING")
        self.emu.clock.advance(5.0)
        self.err("DescribeStreamSummary", {"StreamName": "s1"}, "ResourceNotFoundException",
                 contains="Stream s1 under account 000000000000 not found.")

    def test_exists_and_names(self):
        self.create("s1")
        self.err("CreateStream", {"StreamName": "s1", "ShardCount": 1}, "ResourceInUseException",
                 contains="already exists")
        self.err("CreateStream", {"StreamName": "bad name", "ShardCount": 1}, "ValidationException")
        self.err("CreateStream", {"StreamName": "x" * 129, "ShardCount": 1}, "ValidationException")
        self.create("x" * 128, 1)
        self.err("DeleteStream", {"StreamName": "missing"}, "ResourceNotFoundException")

    def test_streams_are_regional(self):
        # A stream exists in the region it was created in only (as in AWS).
        self.create("s1", 1)
        self.emu.clock.advance(2.0)
        st, body = call(self.emu, "kinesis", "DescribeStreamSummary", {"StreamName": "s1"}, region="eu-west-1")
        self.assertEqual((st, body["__type"]), (400, "ResourceNotFoundException"))
        st, body = call(self.emu, "kinesis", "ListStreams", {}, region="eu-west-1")
        self.assertEqual(body["StreamNames"], [])
        st, body = call(self.emu, "kinesis", "PutRecords",
                        {"StreamName": "s1", "Records": [{"Data": b64(b"x"), "PartitionKey": "k"}]},
                        region="eu-west-1")
        self.assertEqual(body["__type"], "ResourceNotFoundException")
        st, body = call(self.emu, "kinesis", "CreateStream", {"StreamName": "s1", "ShardCount": 1},
                        region="eu-west-1")
        self.assertEqual(body["__type"], "ResourceInUseException")
        self.assertIn("exists in us-east-1", body["message"])
        st, body = call(self.emu, "kinesis", "DescribeStreamSummary", {"StreamName": "s1"}, region="us-east-1")
        self.assertEqual(st, 200)
        self.assertEqual(body["StreamDescriptionSummary"]["StreamARN"],
                         "arn:aws:kinesis:us-east-1:000000000000:stream/s1")

    def test_modes(self):
        self.ok("CreateStream", {"StreamName": "od", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}})
        d = self.ok("DescribeStream", {"StreamName": "od"})["StreamDescription"]
        self.assertEqual(len(d["Shards"]), 4)
        self.assertEqual(d["StreamModeDetails"]["StreamMode"], "ON_DEMAND")
        q = (1 << 128) // 4
        self.assertEqual([(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"])
                          for s in d["Shards"]],
                         [(str(i * q), str((i + 1) * q - 1)) for i in range(4)])
        self.assertEqual(d["Shards"][3]["HashKeyRange"]["EndingHashKey"], str((1 << 128) - 1))
        self.assertEqual([s["ShardId"] for s in d["Shards"]], ["shardId-%012d" % i for i in range(4)])
        self.err("CreateStream", {"StreamName": "od2", "ShardCount": 2,
                                  "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}, "ValidationException")
        self.err("CreateStream", {"StreamName": "p"}, "ValidationException")

    def test_list_streams_and_shards(self):
        for n in ("c", "a", "b"):
            self.create(n, 3)
        r = self.ok("ListStreams", {"Limit": 2})
        self.assertEqual(r, {"StreamNames": ["a", "b"], "HasMoreStreams": True})
        r = self.ok("ListStreams", {"ExclusiveStartStreamName": "b"})
        self.assertEqual(r, {"StreamNames": ["c"], "HasMoreStreams": False})
        r = self.ok("ListShards", {"StreamName": "a", "MaxResults": 2})
        self.assertEqual(len(r["Shards"]), 2)
        r2 = self.ok("ListShards", {"NextToken": r["NextToken"]})
        self.assertEqual([s["ShardId"] for s in r2["Shards"]], ["shardId-000000000002"])
        self.assertNotIn("NextToken", r2)
        self.err("ListShards", {"StreamName": "a", "NextToken": r["NextToken"]}, "InvalidArgumentException")
        self.err("ListShards", {"StreamName": "zz"}, "ResourceNotFoundException")

    def test_retention(self):
        self.emu.config["lifecycle_seconds"] = 1.0
        self.create("s1")
        self.emu.clock.advance(1)
        self.ok("IncreaseStreamRetentionPeriod", {"StreamName": "s1", "RetentionPeriodHours": 48})
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual((d["StreamStatus"], d["RetentionPeriodHours"]), ("UPDATING", 48))
        self.err("DecreaseStreamRetentionPeriod", {"StreamName": "s1", "RetentionPeriodHours": 24},
                 "ResourceInUseException")
        self.put("s1", b"writable while UPDATING")
        self.emu.clock.advance(1)
        self.err("IncreaseStreamRetentionPeriod", {"StreamName": "s1", "RetentionPeriodHours": 30},
                 "InvalidArgumentException", contains="can not be shorter")
        self.err("DecreaseStreamRetentionPeriod", {"StreamName": "s1", "RetentionPeriodHours": 23},
                 "InvalidArgumentException", contains="Minimum allowed retention period is 24 hours")
        self.err("IncreaseStreamRetentionPeriod", {"StreamName": "s1", "RetentionPeriodHours": 8761},
                 "InvalidArgumentException")
        self.ok("DecreaseStreamRetentionPeriod", {"StreamName": "s1", "RetentionPeriodHours": 24})
        self.emu.clock.advance(1)
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual((d["StreamStatus"], d["RetentionPeriodHours"]), ("ACTIVE", 24))

    def test_update_shard_count(self):
        self.emu.config["lifecycle_seconds"] = 1.0
        self.create("s1", 2)
        self.emu.clock.advance(1)
        seq_old = self.put("s1", b"before", key="k")
        r = self.ok("UpdateShardCount", {"StreamName": "s1", "TargetShardCount": 4,
                                         "ScalingType": "UNIFORM_SCALING"})
        self.assertEqual(r, {"StreamName": "s1", "CurrentShardCount": 2, "TargetShardCount": 4})
        self.assertEqual(self.ok("DescribeStreamSummary", {"StreamName": "s1"})
                         ["StreamDescriptionSummary"]["StreamStatus"], "UPDATING")
        self.emu.clock.advance(1)
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual((d["StreamStatus"], d["OpenShardCount"]), ("ACTIVE", 4))
        shards = self.ok("ListShards", {"StreamName": "s1"})["Shards"]
        self.assertEqual(len(shards), 6)
        closed = [s for s in shards if "EndingSequenceNumber" in s["SequenceNumberRange"]]
        self.assertEqual(len(closed), 2)
        self.assertTrue(all("ParentShardId" in s for s in shards[2:]))
        # reading the closed shard to its end returns ChildShards and no NextShardIterator
        it = self.ok("GetShardIterator", {"StreamName": "s1", "ShardId": seq_old["ShardId"],
                                          "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        g = self.ok("GetRecords", {"ShardIterator": it})
        self.assertEqual([base64.b64decode(r["Data"]) for r in g["Records"]], [b"before"])
        self.assertNotIn("NextShardIterator", g)
        self.assertTrue(g["ChildShards"])
        # new records land on the new shards
        self.assertNotIn(self.put("s1", b"after", key="k")["ShardId"], ("shardId-000000000000",
                                                                        "shardId-000000000001"))
        self.err("UpdateShardCount", {"StreamName": "s1", "TargetShardCount": 9, "ScalingType": "UNIFORM_SCALING"},
                 "InvalidArgumentException")
        self.err("UpdateShardCount", {"StreamName": "s1", "TargetShardCount": 1, "ScalingType": "UNIFORM_SCALING"},
                 "InvalidArgumentException")

    def test_update_stream_mode(self):
        self.emu.config["lifecycle_seconds"] = 1.0
        self.create("s1", 3)
        arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s1"
        od = {"StreamMode": "ON_DEMAND"}
        self.err("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": od}, "ResourceInUseException",
                 contains="not ACTIVE, instead in state CREATING")
        self.emu.clock.advance(1)
        self.assertEqual(self.ok("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": od}), {})
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual((d["StreamStatus"], d["StreamModeDetails"]), ("UPDATING", od))
        self.err("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "PROVISIONED"}},
                 "ResourceInUseException", contains="instead in state UPDATING")
        self.put("s1", b"writable while UPDATING")
        self.emu.clock.advance(1)
        d = self.ok("DescribeStream", {"StreamName": "s1"})["StreamDescription"]
        self.assertEqual((d["StreamStatus"], d["StreamModeDetails"], len(d["Shards"])), ("ACTIVE", od, 3))
        self.err("UpdateShardCount", {"StreamName": "s1", "TargetShardCount": 4, "ScalingType": "UNIFORM_SCALING"},
                 "ValidationException")
        # back to PROVISIONED: the open shard count stays what it was
        self.ok("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "PROVISIONED"}})
        self.emu.clock.advance(1)
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual((d["StreamStatus"], d["StreamModeDetails"], d["OpenShardCount"]),
                         ("ACTIVE", {"StreamMode": "PROVISIONED"}, 3))
        # the mode it already has: accepted, nothing changes (emulator choice)
        self.ok("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "PROVISIONED"}})
        d = self.ok("DescribeStreamSummary", {"StreamName": "s1"})["StreamDescriptionSummary"]
        self.assertEqual(d["StreamStatus"], "ACTIVE")

    def test_update_stream_mode_validation(self):
        self.create("s1", 1)
        self.emu.clock.advance(1)
        arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s1"
        od = {"StreamMode": "ON_DEMAND"}
        self.err("UpdateStreamMode", {"StreamModeDetails": od}, "ValidationException",
                 contains="Value null at 'streamARN'")
        self.err("UpdateStreamMode", {"StreamARN": arn}, "ValidationException",
                 contains="Value null at 'streamModeDetails'")
        self.err("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {}}, "ValidationException",
                 contains="Value null at 'streamModeDetails.streamMode'")
        self.err("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "SOMETIMES"}},
                 "ValidationException", contains="enum value set: [PROVISIONED, ON_DEMAND]")
        for bad in ("s1", "arn:aws:kinesis:us-east-1:123:stream/s1", "arn:aws:firehose:us-east-1:000000000000:"
                    "deliverystream/s1", "arn:aws:kinesis:us-east-1:000000000000:stream/", ""):
            self.err("UpdateStreamMode", {"StreamARN": bad, "StreamModeDetails": od}, "ValidationException")
        self.err("UpdateStreamMode", {"StreamARN": arn + "x", "StreamModeDetails": od},
                 "ResourceNotFoundException", contains="Stream s1x under account 000000000000 not found.")
        self.err("UpdateStreamMode", {"StreamARN": "arn:aws:kinesis:us-east-1:111111111111:stream/s1",
                                      "StreamModeDetails": od}, "ResourceNotFoundException")
        self.assertEqual(self.ok("DescribeStreamSummary", {"StreamName": "s1"})
                         ["StreamDescriptionSummary"]["StreamModeDetails"], {"StreamMode": "PROVISIONED"})

    def test_unknown_operation_and_bad_json(self):
        self.err("Frobnicate", {}, "UnknownOperationException")
        self.err("ListStreams", None, "SerializationException", raw=b"{not json")


class TestPut(KinesisBase):
    def setUp(self):
        super().setUp()
        self.create("s1", 4)

    def test_shard_write_caps(self):
        # 1,000 records/s per shard: the 1,001st in the same second is throttled, inside a 200 answer
        recs = [{"Data": b64(b"x"), "PartitionKey": "same"} for _ in range(500)]
        for _ in range(2):
            self.assertEqual(self.ok("PutRecords", {"StreamName": "s1", "Records": recs})["FailedRecordCount"], 0)
        out = self.ok("PutRecords", {"StreamName": "s1", "Records": recs[:2]})
        self.assertEqual(out["FailedRecordCount"], 2)
        self.assertEqual(out["Records"][0]["ErrorCode"], "ProvisionedThroughputExceededException")
        self.assertRegex(out["Records"][0]["ErrorMessage"],
                         r"^Rate exceeded for shard shardId-00000000000\d in stream s1 under account 000000000000\.$")
        # another shard is not affected; PutRecord is refused whole
        self.assertEqual(self.ok("PutRecords", {"StreamName": "s1", "Records": [
            {"Data": b64(b"x"), "PartitionKey": "a"}]})["FailedRecordCount"], 0)
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"x"), "PartitionKey": "same"},
                 "ProvisionedThroughputExceededException")
        self.emu.clock.advance(1.0)
        self.assertEqual(self.ok("PutRecords", {"StreamName": "s1", "Records": recs[:2]})["FailedRecordCount"], 0)
        # 1 MiB/s: data and key count
        self.emu.clock.advance(1.0)
        big = {"Data": b64(b"y" * (512 * 1024 - 4)), "PartitionKey": "same"}
        self.assertEqual(self.ok("PutRecords", {"StreamName": "s1", "Records": [big, big]})["FailedRecordCount"], 0)
        self.assertEqual(self.ok("PutRecords", {"StreamName": "s1", "Records": [
            {"Data": b64(b"z"), "PartitionKey": "same"}]})["FailedRecordCount"], 1)
        # off by config (a test that measures something else)
        self.emu.config["kinesis_shard_caps"] = False
        self.assertEqual(self.ok("PutRecords", {"StreamName": "s1", "Records": recs})["FailedRecordCount"], 0)

    def test_partition_key_routing_and_sequence(self):
        seqs = []
        for i in range(20):
            key = "key-%d" % i
            r = self.put("s1", b"d%d" % i, key=key)
            h = int(hashlib.md5(key.encode()).hexdigest(), 16)
            self.assertEqual(r["ShardId"], "shardId-%012d" % (h // ((1 << 128) // 4)))
            self.assertEqual(r["EncryptionType"], "NONE")
            seqs.append(int(r["SequenceNumber"]))
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 20)
        self.assertEqual(len(str(seqs[0])), 56)
        self.assertGreater(seqs[0], SEQ_BASE)
        recs = self.emu.ledger.snapshot()["records"]
        self.assertEqual(len(recs), 20)
        self.assertEqual(recs[0]["stream_kind"], "kinesis")
        self.assertEqual(recs[0]["sha256"], hashlib.sha256(b"d0").hexdigest())

    def test_explicit_hash_key(self):
        r = self.put("s1", b"x", key="whatever", ExplicitHashKey=str((1 << 128) - 1))
        self.assertEqual(r["ShardId"], "shardId-000000000003")
        r = self.put("s1", b"x", key="whatever", ExplicitHashKey="0")
        self.assertEqual(r["ShardId"], "shardId-000000000000")
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"x"), "PartitionKey": "a",
                               "ExplicitHashKey": str(1 << 128)}, "InvalidArgumentException")

    def records(self, n, size=1, key="k"):
        return [{"Data": b64(b"x" * size), "PartitionKey": key} for _ in range(n)]

    def test_record_count_edges(self):
        r = self.ok("PutRecords", {"StreamName": "s1", "Records": self.records(500)})
        self.assertEqual((r["FailedRecordCount"], len(r["Records"])), (0, 500))
        self.err("PutRecords", {"StreamName": "s1", "Records": self.records(501)}, "ValidationException",
                 contains="Member must have length less than or equal to 500")
        self.err("PutRecords", {"StreamName": "s1", "Records": []}, "ValidationException")
        self.assertEqual(len(self.emu.ledger.snapshot()["records"]), 500)

    def test_partition_key_length_edges(self):
        self.put("s1", b"x", key="k" * 256)
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"x"), "PartitionKey": "k" * 257},
                 "ValidationException", contains="at 'partitionKey'")
        self.err("PutRecords", {"StreamName": "s1", "Records": [{"Data": b64(b"x"), "PartitionKey": "k" * 257}]},
                 "ValidationException", contains="records.1.member.partitionKey")
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"x"), "PartitionKey": ""}, "ValidationException")
        # 128 astral characters = 256 UTF-16 code units (ok); 129 = 258 (too long, AWS counts UTF-16)
        self.put("s1", b"x", key="\U0001F600" * 128)
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"x"), "PartitionKey": "\U0001F600" * 129},
                 "ValidationException")

    def test_record_size_edges(self):
        key = "kk"
        self.put("s1", b"a" * (MIB - 2), key=key)                       # data + key == 1 MiB
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"a" * (MIB - 1)), "PartitionKey": key},
                 "InvalidArgumentException")                              # data + key == 1 MiB + 1
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"a" * (MIB + 1)), "PartitionKey": "k"},
                 "ValidationException", contains="Member must have length less than or equal to 1048576")
        self.err("PutRecord", {"StreamName": "s1", "Data": b64(b"a" * MIB), "PartitionKey": "k"},
                 "InvalidArgumentException")                              # data alone 1 MiB, + key > 1 MiB
        self.err("PutRecords", {"StreamName": "s1", "Records": [
            {"Data": b64(b"a" * (MIB - 1)), "PartitionKey": key}]}, "InvalidArgumentException")

    def test_request_size_edges(self):
        self.emu.config["kinesis_shard_caps"] = False  # sizes, not rates
        key = "k"
        full = [{"Data": b64(b"a" * (MIB - 1)), "PartitionKey": key} for _ in range(5)]   # exactly 5 MiB
        r = self.ok("PutRecords", {"StreamName": "s1", "Records": full})
        self.assertEqual(r["FailedRecordCount"], 0)
        over = [dict(x) for x in full]
        over[0] = {"Data": b64(b"a" * (MIB - 2)), "PartitionKey": key}
        over.append({"Data": b64(b"b"), "PartitionKey": key})                                # 5 MiB + 1
        self.err("PutRecords", {"StreamName": "s1", "Records": over}, "InvalidArgumentException",
                 contains="Records size exceeds 5 MB limit")
        self.emu.config["kinesis_max_request_bytes"] = 10
        self.ok("PutRecords", {"StreamName": "s1", "Records": [{"Data": b64(b"123456789"), "PartitionKey": "k"}]})
        self.err("PutRecords", {"StreamName": "s1", "Records": [{"Data": b64(b"1234567890"), "PartitionKey": "k"}]},
                 "InvalidArgumentException")

    def test_bad_base64_and_missing_stream(self):
        self.err("PutRecord", {"StreamName": "s1", "Data": "!!notbase64", "PartitionKey": "k"},
                 "SerializationException")
        self.err("PutRecords", {"StreamName": "s1", "Records": [{"Data": "abc", "PartitionKey": "k"}]},
                 "SerializationException")
        self.err("PutRecords", {"StreamName": "nope", "Records": self.records(1)}, "ResourceNotFoundException",
                 contains="Stream nope under account 000000000000 not found.")

    def _partial_run(self):
        self.emu.faults.set({"seed": 7, "partial_failure": 0.3})
        r = self.ok("PutRecords", {"StreamName": "s1", "Records": [
            {"Data": b64(b"rec-%d" % i), "PartitionKey": "k%d" % i} for i in range(100)]})
        return r

    def test_partial_failures_seeded(self):
        r = self._partial_run()
        failed = [i for i, x in enumerate(r["Records"]) if "ErrorCode" in x]
        self.assertEqual(r["FailedRecordCount"], len(failed))
        self.assertTrue(0 < len(failed) < 100)
        codes = {r["Records"][i]["ErrorCode"] for i in failed}
        self.assertLessEqual(codes, {"ProvisionedThroughputExceededException", "InternalFailure"})
        pte = [r["Records"][i] for i in failed if r["Records"][i]["ErrorCode"].startswith("Provisioned")]
        self.assertTrue(pte[0]["ErrorMessage"].startswith("Rate exceeded for shard shardId-"))
        for i in failed:
            self.assertNotIn("SequenceNumber", r["Records"][i])
        self.assertEqual(len(self.emu.ledger.snapshot()["records"]), 100 - len(failed))
        # failed entries are not stored
        stored = []
        for sh in self.ok("ListShards", {"StreamName": "s1"})["Shards"]:
            it = self.ok("GetShardIterator", {"StreamName": "s1", "ShardId": sh["ShardId"],
                                              "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
            stored += [base64.b64decode(x["Data"]) for x in self.ok("GetRecords", {"ShardIterator": it})["Records"]]
        self.assertEqual(sorted(stored), sorted(b"rec-%d" % i for i in range(100) if i not in failed))
        # same seed -> same pattern
        again = make_emu()
        self.emu = again
        self.create("s1", 4)
        r2 = self._partial_run()
        self.assertEqual([i for i, x in enumerate(r2["Records"]) if "ErrorCode" in x], failed)

    def test_fast_sink(self):
        self.emu.config["fast_sink"] = True
        r = self.ok("PutRecords", {"StreamName": "s1", "Records": self.records(600)})
        self.assertEqual((r["FailedRecordCount"], len(r["Records"])), (0, 600))
        self.assertTrue(all("SequenceNumber" in x and "ShardId" in x for x in r["Records"]))
        self.assertEqual(self.emu.ledger.summary()["records"], 600)
        self.ok("PutRecord", {"StreamName": "anything", "Data": b64(b"x"), "PartitionKey": "k"})


class TestRead(KinesisBase):
    def setUp(self):
        super().setUp()
        self.create("s1", 1)
        self.seqs = [self.put("s1", b"r%d" % i)["SequenceNumber"] for i in range(5)]

    def it(self, typ, **kw):
        return self.ok("GetShardIterator", dict({"StreamName": "s1", "ShardId": "shardId-000000000000",
                                                 "ShardIteratorType": typ}, **kw))["ShardIterator"]

    def read(self, it, limit=None):
        p = {"ShardIterator": it}
        if limit:
            p["Limit"] = limit
        return self.ok("GetRecords", p)

    def datas(self, g):
        return [base64.b64decode(r["Data"]) for r in g["Records"]]

    def test_iterator_types(self):
        g = self.read(self.it("TRIM_HORIZON"))
        self.assertEqual(self.datas(g), [b"r%d" % i for i in range(5)])
        rec = g["Records"][0]
        self.assertEqual(set(rec), {"SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey",
                                    "EncryptionType"})
        self.assertEqual(rec["PartitionKey"], "pk")
        self.assertEqual(g["MillisBehindLatest"], 0)
        self.assertEqual(self.datas(self.read(self.it("AT_SEQUENCE_NUMBER", StartingSequenceNumber=self.seqs[2]))),
                         [b"r2", b"r3", b"r4"])
        self.assertEqual(self.datas(self.read(self.it("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=self.seqs[2]))),
                         [b"r3", b"r4"])
        latest = self.it("LATEST")
        self.assertEqual(self.datas(self.read(latest)), [])
        self.put("s1", b"new")
        self.assertEqual(self.datas(self.read(latest)), [b"new"])
        self.emu.clock.advance(10)
        t = self.emu.now()
        self.put("s1", b"later")
        self.assertEqual(self.datas(self.read(self.it("AT_TIMESTAMP", Timestamp=t))), [b"later"])
        self.err("GetShardIterator", {"StreamName": "s1", "ShardId": "shardId-000000000000",
                                      "ShardIteratorType": "AT_SEQUENCE_NUMBER"}, "InvalidArgumentException")
        self.err("GetShardIterator", {"StreamName": "s1", "ShardId": "shardId-000000000009",
                                      "ShardIteratorType": "LATEST"}, "ResourceNotFoundException")

    def test_paging_behind_and_expiry(self):
        g = self.read(self.it("TRIM_HORIZON"), limit=2)
        self.assertEqual(self.datas(g), [b"r0", b"r1"])
        self.emu.clock.advance(3)
        g2 = self.read(g["NextShardIterator"], limit=2)
        self.assertEqual(self.datas(g2), [b"r2", b"r3"])
        self.assertEqual(g2["MillisBehindLatest"], 3000)
        g3 = self.read(g2["NextShardIterator"])
        self.assertEqual((self.datas(g3), g3["MillisBehindLatest"]), ([b"r4"], 0))
        self.emu.clock.advance(301)
        self.err("GetRecords", {"ShardIterator": g3["NextShardIterator"]}, "ExpiredIteratorException")
        self.err("GetRecords", {"ShardIterator": "bm90IGFuIGl0ZXJhdG9y"}, "InvalidArgumentException")

    def test_internal_read(self):
        kin = self.emu.services["kinesis"]
        self.assertEqual([d for _s, d, _a in kin.internal_read("s1", 0)], [b"r%d" % i for i in range(5)])
        self.assertEqual([d for _s, d, _a in kin.internal_read("s1", int(self.seqs[3]))], [b"r4"])
        self.assertEqual(kin.internal_latest_seq("s1"), int(self.seqs[-1]))
        self.assertEqual(kin.internal_read("missing", 0), [])


class TestThroughServer(unittest.TestCase):
    """End to end through server.py with botocore's own client (signing, JSON 1.1 parsing)."""

    def test_botocore_roundtrip(self):
        try:
            import botocore.session
            from botocore.config import Config
            from sluice_emu import server
        except ImportError as e:       # pragma: no cover
            self.skipTest("server not available: %s" % e)
        httpd, emu = server.start_in_thread({"lifecycle_seconds": 0.0})
        try:
            k = botocore.session.get_session().create_client(
                "kinesis", region_name="us-east-1", endpoint_url=httpd.endpoint, aws_access_key_id="test",
                aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
            k.create_stream(StreamName="e2e", ShardCount=2)
            r = k.put_records(StreamName="e2e", Records=[{"Data": b"v%d" % i, "PartitionKey": str(i)}
                                                         for i in range(10)])
            self.assertEqual(r["FailedRecordCount"], 0)
            got = []
            for sh in k.list_shards(StreamName="e2e")["Shards"]:
                it = k.get_shard_iterator(StreamName="e2e", ShardId=sh["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                got += [x["Data"] for x in k.get_records(ShardIterator=it)["Records"]]
            self.assertEqual(sorted(got), sorted(b"v%d" % i for i in range(10)))
            with self.assertRaises(k.exceptions.ResourceNotFoundException):
                k.describe_stream_summary(StreamName="nope")
            with self.assertRaises(k.exceptions.ClientError) as cm:
                k.put_records(StreamName="e2e", Records=[{"Data": b"x", "PartitionKey": "k" * 257}])
            self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
            k.close()
        finally:
            server.stop_server(httpd)


if __name__ == "__main__":
    unittest.main()
