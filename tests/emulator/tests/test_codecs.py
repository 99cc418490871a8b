"""Unit tests for sluice_emu.codecs (pure-Python Snappy, framing, Hadoop blocks, ZIP) and Firehose delivery of
every CompressionFormat (in process, and end to end through server.py with botocore clients).

Run: cd tests/emulator && /usr/bin/python3 -m unittest discover -s tests -p 'test_codecs.py'
"""

import gzip
import io
import json
import os
import random
import struct
import sys
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emu_harness import ServerTest  # noqa: E402
from test_delivery import DeliveryBase, UUID  # noqa: E402  (harness only)
from test_kinesis import put_policy  # noqa: E402

from sluice_emu import codecs, delivery  # noqa: E402

KIB = 1024
IDENT = b"\xff\x06\x00\x00sNaPpY"
FORMATS = {"UNCOMPRESSED": "", "GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".hsnappy"}


def mask(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def elements(raw):
    """Walk a raw Snappy stream: (preamble length, [(kind, length, offset)])."""
    pos = shift = n = 0
    while True:
        b = raw[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    out = []
    while pos < len(raw):
        tag = raw[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            m = tag >> 2
            if m >= 60:
                m = int.from_bytes(raw[pos:pos + m - 59], "little")
                pos += (tag >> 2) - 59
            out.append((0, m + 1, None))
            pos += m + 1
        elif kind == 1:
            out.append((1, ((tag >> 2) & 7) + 4, ((tag >> 5) << 8) | raw[pos]))
            pos += 1
        elif kind == 2:
            out.append((2, (tag >> 2) + 1, int.from_bytes(raw[pos:pos + 2], "little")))
            pos += 2
        else:
            out.append((3, (tag >> 2) + 1, int.from_bytes(raw[pos:pos + 4], "little")))
            pos += 4
    return n, out


def sample_data():
    rnd = random.Random(7)
    lines = b"".join(json.dumps({"i": i, "host": "h%d" % (i % 7), "msg": "served in %d ms" % rnd.randint(1, 900)},
                                separators=(",", ":")).encode() + b"\n" for i in range(6000))
    return {
        "empty": b"",
        "one": b"x",
        "short": b"hello, snappy",
        "fourteen": b"abcdabcdabcdab",
        "repetitive": b"abc" * 5000,
        "one byte run": b"\x00" * 70000,
        "random": rnd.randbytes(40 * KIB),
        "random > 64 KiB": rnd.randbytes(64 * KIB + 123),
        "lines > 256 KiB": lines + lines[:20000],
        "mixed > 256 KiB": b"".join(rnd.randbytes(rnd.randint(1, 300)) * rnd.randint(1, 40) for _ in range(400)),
        "small alphabet": bytes(rnd.choice(b"ab\n") for _ in range(100 * KIB)),
    }


class TestCrc32c(unittest.TestCase):
    def test_known_vectors(self):
        self.assertEqual(codecs.crc32c(b"123456789"), 0xE3069283)
        self.assertEqual(codecs.crc32c(b""), 0)
        self.assertEqual(codecs.crc32c(b"a"), 0xC1D04330)
        # RFC 3720 (iSCSI) B.4
        self.assertEqual(codecs.crc32c(bytes(32)), 0x8A9136AA)
        self.assertEqual(codecs.crc32c(b"\xff" * 32), 0x62A8AB43)
        self.assertEqual(codecs.crc32c(bytes(range(32))), 0x46DD794E)
        self.assertEqual(codecs.crc32c(bytes(range(31, -1, -1))), 0x113FDB5C)

    def test_incremental_and_mask(self):
        self.assertEqual(codecs.crc32c(b"6789", codecs.crc32c(b"12345")), 0xE3069283)
        self.assertEqual(codecs.masked_crc32c(b"123456789"), mask(0xE3069283))
        self.assertEqual(mask(0), 0xA282EAD8)


class TestRawSnappy(unittest.TestCase):
    def test_round_trips(self):
        for name, data in sample_data().items():
            with self.subTest(name):
                raw = codecs.snappy_compress(data)
                self.assertEqual(codecs.snappy_decompress(raw), data)
                n, elems = elements(raw)
                self.assertEqual(n, len(data))
                self.assertEqual(sum(length for _k, length, _o in elems), len(data))
                for kind, length, offset in elems:
                    self.assertIn(kind, (0, 1, 2))          # literals, 1- and 2-byte offset copies only
                    if kind:
                        self.assertTrue(0 < offset <= 0xFFFF and 4 <= length <= 64, (kind, length, offset))
                    if kind == 1:
                        self.assertTrue(length <= 11 and offset < 2048)

    def test_compresses(self):
        data = sample_data()
        self.assertLess(len(codecs.snappy_compress(data["repetitive"])), 800)
        self.assertLess(len(codecs.snappy_compress(data["one byte run"])), 70000 // 20)
        self.assertLess(len(codecs.snappy_compress(data["lines > 256 KiB"])), len(data["lines > 256 KiB"]) // 2)
        rnd = data["random > 64 KiB"]
        self.assertLess(len(codecs.snappy_compress(rnd)), len(rnd) + len(rnd) // 100)

    def test_exact_bytes(self):
        self.assertEqual(codecs.snappy_compress(b""), b"\x00")
        self.assertEqual(codecs.snappy_compress(b"abc"), b"\x03\x08abc")
        # one literal byte, then copy offset 1, length 31 (2-byte offset form: tag (31-1)<<2 | 2)
        self.assertEqual(codecs.snappy_compress(bytes(32)), b"\x20\x00\x00\x7a\x01\x00")
        # 300 bytes preamble is a 2-byte varint
        self.assertEqual(codecs.snappy_compress(bytes(300))[:2], b"\xac\x02")

    def test_decompress_hand_made_streams(self):
        # literal with a 1-byte length (tag 60<<2), copy 1-byte offset, copy 4-byte offset
        lit = bytes(range(70))
        raw = bytes([70 + 8 + 10]) + bytes([60 << 2, 69]) + lit + bytes([0x01 | (4 << 2), 70]) \
            + bytes([0x03 | (9 << 2)]) + struct.pack("<I", 78)
        self.assertEqual(codecs.snappy_decompress(raw), lit + lit[:8] + lit[:10])
        # overlapping copy (offset 2, length 9)
        self.assertEqual(codecs.snappy_decompress(b"\x0b\x04ab" + bytes([0x01 | (5 << 2), 2])), b"ababababab" + b"a")
        for bad in (b"", b"\x80", b"\x05\x10ab", b"\x02\x00a", b"\x04\x00a" + bytes([0x01, 5]),
                    b"\x01\x04ab", b"\x04\x00a\x05\x00\x00"):
            with self.assertRaises(ValueError, msg=bad):
                codecs.snappy_decompress(bad)


class TestFraming(unittest.TestCase):
    def test_layout_compressed_chunk(self):
        body = codecs.snappy_frame(bytes(32))
        self.assertEqual(body[:10], IDENT)
        self.assertEqual(body[10:14], b"\x00\x0a\x00\x00")                  # type 0, length 4 + 6
        self.assertEqual(body[14:18], struct.pack("<I", mask(0x8A9136AA)))  # masked CRC-32C of the 32 zeros
        self.assertEqual(body[18:], b"\x20\x00\x00\x7a\x01\x00")
        self.assertEqual(len(body), 24)

    def test_layout_uncompressed_chunk(self):
        body = codecs.snappy_frame(b"123456789")                           # does not compress: type 1
        self.assertEqual(body, IDENT + b"\x01\x0d\x00\x00" + struct.pack("<I", mask(0xE3069283)) + b"123456789")
        self.assertEqual(codecs.snappy_frame(b""), IDENT)

    def test_chunks_and_round_trips(self):
        for name, data in sample_data().items():
            with self.subTest(name):
                body = codecs.snappy_frame(data)
                self.assertEqual(codecs.snappy_unframe(body), data)
                pos, pieces = 10, []
                while pos < len(body):
                    kind, length = body[pos], int.from_bytes(body[pos + 1:pos + 4], "little")
                    self.assertIn(kind, (0, 1))
                    payload = body[pos + 4:pos + 4 + length]
                    piece = codecs.snappy_decompress(payload[4:]) if kind == 0 else payload[4:]
                    self.assertLessEqual(len(piece), 65536)
                    self.assertEqual(struct.unpack("<I", payload[:4])[0], mask(codecs.crc32c(piece)))
                    if kind == 0:
                        self.assertLess(length - 4, len(piece))
                    pieces.append(piece)
                    pos += 4 + length
                self.assertEqual(b"".join(pieces), data)
                self.assertEqual(len(pieces), -(-len(data) // 65536))
        self.assertEqual(codecs.snappy_frame(sample_data()["random > 64 KiB"])[10], 0x01)

    def test_unframe_refuses_corruption(self):
        good = codecs.snappy_frame(b"hello hello hello hello")
        bad_crc = bytearray(good)
        bad_crc[14] ^= 1
        for bad in (good[10:], bytes(bad_crc), good[:-1], good + b"\x02\x00\x00\x00", b"\xff\x06\x00\x00sNaPpX"):
            with self.assertRaises(ValueError):
                codecs.snappy_unframe(bad)
        # skippable chunks and padding are skipped; a repeated identifier is allowed
        self.assertEqual(codecs.snappy_unframe(good + b"\x80\x02\x00\x00zz\xfe\x01\x00\x00\x00" + IDENT),
                         b"hello hello hello hello")


class TestHadoop(unittest.TestCase):
    def test_layout(self):
        self.assertEqual(codecs.hadoop_snappy(bytes(32)),
                         b"\x00\x00\x00\x20" + b"\x00\x00\x00\x06" + b"\x20\x00\x00\x7a\x01\x00")
        self.assertEqual(codecs.hadoop_snappy(b"abc"), b"\x00\x00\x00\x03\x00\x00\x00\x05\x03\x08abc")
        self.assertEqual(codecs.hadoop_snappy(b""), b"")

    def test_blocks_and_round_trips(self):
        for name, data in sample_data().items():
            with self.subTest(name):
                body = codecs.hadoop_snappy(data)
                self.assertEqual(codecs.hadoop_unsnappy(body), data)
                pos, sizes = 0, []
                while pos < len(body):
                    ulen, clen = struct.unpack(">II", body[pos:pos + 8])
                    self.assertEqual(len(codecs.snappy_decompress(body[pos + 8:pos + 8 + clen])), ulen)
                    sizes.append(ulen)
                    pos += 8 + clen
                self.assertEqual(sum(sizes), len(data))
                self.assertTrue(all(s == 256 * KIB for s in sizes[:-1]) and all(0 < s <= 256 * KIB for s in sizes))
        data = sample_data()["lines > 256 KiB"]
        self.assertGreater(len(data), 256 * KIB)
        self.assertEqual(codecs.hadoop_snappy(data)[:4], struct.pack(">I", 256 * KIB))

    def test_several_sub_chunks_decode(self):
        a, b = codecs.snappy_compress(b"first "), codecs.snappy_compress(b"second")
        body = struct.pack(">II", 12, len(a)) + a + struct.pack(">I", len(b)) + b
        self.assertEqual(codecs.hadoop_unsnappy(body), b"first second")
        for bad in (body[:-1], struct.pack(">II", 5, len(a)) + a, b"\x00\x00"):
            with self.assertRaises(ValueError):
                codecs.hadoop_unsnappy(bad)


class TestZip(unittest.TestCase):
    def test_one_entry(self):
        data = sample_data()["lines > 256 KiB"]
        key = "logs/2023/11/14/22/fh-1-2023-11-14-22-13-20-0123.zip"
        body = codecs.compress("ZIP", data, key)
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            (info,) = z.infolist()
            self.assertEqual(info.filename, "fh-1-2023-11-14-22-13-20-0123")
            self.assertEqual(info.compress_type, 8)
            self.assertEqual(info.date_time, (1980, 1, 1, 0, 0, 0))
            self.assertEqual(info.file_size, len(data))
            self.assertEqual(z.read(info), data)
            self.assertIsNone(z.testzip())
        self.assertEqual(codecs.compress("ZIP", data, key), body)          # deterministic
        self.assertEqual(codecs.unzip_one(codecs.compress("ZIP", b"", "a.zip")), ("a", b""))

    def test_dispatch(self):
        self.assertEqual(codecs.EXTENSIONS, FORMATS)
        for fmt in FORMATS:
            for data in (b"", b"{\"a\":1}\n" * 100):
                self.assertEqual(codecs.decompress(fmt, codecs.compress(fmt, data, "k.zip")), data)
        self.assertEqual(codecs.compress("GZIP", b"x"), gzip.compress(b"x", mtime=0))
        with self.assertRaises(ValueError):
            codecs.compress("LZ4", b"x")


class TestDeliveryFormats(DeliveryBase):
    """In process: every CompressionFormat is accepted, delivered compressed, with its key extension."""

    def test_every_format(self):
        records = [b"line %d\n" % i for i in range(200)] + [b"z" * 70000]
        for fmt, ext in FORMATS.items():
            with self.subTest(fmt):
                name = "fh-" + fmt.lower().replace("_", "-")
                self.create(name, Prefix=name + "/", CompressionFormat=fmt)
                self.assertEqual(self.ok("DescribeDeliveryStream", {"DeliveryStreamName": name})[
                    "DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"][
                    "CompressionFormat"], fmt)
                self.put(records, name)
                self.assertEqual(delivery.flush(self.emu, name), {"delivered_objects": 1, "failed_objects": 0})
                ((key, body),) = [(k, v) for k, v in self.objects().items() if k.startswith(name + "/")]
                self.assertRegex(key, "^%s/2023/11/14/22/%s-1-2023-11-14-22-13-20-%s%s$"
                                 % (name, name, UUID, ext.replace(".", r"\.")))
                self.assertEqual(codecs.decompress(fmt, body), b"".join(records))
                if fmt != "UNCOMPRESSED":
                    self.assertLess(len(body), len(b"".join(records)))
        self.assertEqual(delivery.status(self.emu)["failures"], [])

    def test_update_destination(self):
        self.create("fh")
        for version, fmt in enumerate(("HADOOP_SNAPPY", "ZIP", "Snappy", "GZIP", "UNCOMPRESSED"), 1):
            self.ok("UpdateDestination", {"DeliveryStreamName": "fh", "CurrentDeliveryStreamVersionId": str(version),
                                          "DestinationId": "destinationId-000000000001",
                                          "ExtendedS3DestinationUpdate": {"CompressionFormat": fmt}})
        self.put([b"abc"])
        self.ok("UpdateDestination", {"DeliveryStreamName": "fh", "CurrentDeliveryStreamVersionId": "6",
                                      "DestinationId": "destinationId-000000000001",
                                      "S3DestinationUpdate": {"CompressionFormat": "Snappy"}})
        delivery.flush(self.emu)                     # delivered with the configuration current at delivery time
        ((key, body),) = self.objects().items()
        self.assertRegex(key, r"/fh-7-.*\.snappy$")
        self.assertEqual(codecs.snappy_unframe(body), b"abc")
        b = self.err("UpdateDestination", {"DeliveryStreamName": "fh", "CurrentDeliveryStreamVersionId": "7",
                                           "DestinationId": "destinationId-000000000001",
                                           "ExtendedS3DestinationUpdate": {"CompressionFormat": "snappy"}},
                     "ValidationException")
        self.assertIn("Value 'snappy' at 'extendedS3DestinationUpdate.compressionFormat' failed to satisfy "
                      "constraint: Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, "
                      "HADOOP_SNAPPY]", b["message"])
        self.err("CreateDeliveryStream", {"DeliveryStreamName": "fh2", "S3DestinationConfiguration": {
            "RoleARN": self.role, "BucketARN": "arn:aws:s3:::sink", "CompressionFormat": "LZ4"}},
            "ValidationException", contains="'s3DestinationConfiguration.compressionFormat'")


class TestThroughServer(ServerTest):
    """Firehose -> S3 through server.py with botocore clients and the real S3/IAM modules, one stream per format."""
    config = {"lifecycle_seconds": 0.0}

    def test_every_format_end_to_end(self):
        s3, iam, fh = self.s3(), self.client("iam"), self.client("firehose")
        try:
            s3.create_bucket(Bucket="codec-bucket")
            iam.create_role(RoleName="codec", AssumeRolePolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "firehose.amazonaws.com"}}]}))
            iam.put_role_policy(RoleName="codec", PolicyName="w", PolicyDocument=json.dumps(put_policy("codec-bucket")))
            role_arn = iam.get_role(RoleName="codec")["Role"]["Arn"]
            rnd = random.Random(3)
            records = [json.dumps({"n": i, "v": rnd.random()}).encode() + b"\n" for i in range(400)]
            records.append(b"".join(records) * 30)                   # one record > 256 KiB
            self.assertGreater(len(records[-1]), 256 * KIB)
            for fmt, ext in FORMATS.items():
                with self.subTest(fmt):
                    name = "codec-" + fmt.lower().replace("_", "-")
                    fh.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration={
                        "RoleARN": role_arn, "BucketARN": "arn:aws:s3:::codec-bucket", "Prefix": name + "/",
                        "CompressionFormat": fmt})
                    desc = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
                    self.assertEqual(desc["Destinations"][0]["ExtendedS3DestinationDescription"]["CompressionFormat"],
                                     fmt)
                    r = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in records])
                    self.assertEqual(r["FailedPutCount"], 0)
                    status, out = self.control("POST", "/_emu/firehose/flush", {"stream": name})
                    self.assertEqual((status, out["delivered_objects"]), (200, 1))
                    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="codec-bucket", Prefix=name + "/")["Contents"]]
                    self.assertEqual(len(keys), 1)
                    self.assertRegex(keys[0], r"^%s/\d{4}/\d\d/\d\d/\d\d/%s-1-\d{4}(-\d\d){5}-%s%s$"
                                     % (name, name, UUID, ext.replace(".", r"\.")))
                    got = s3.get_object(Bucket="codec-bucket", Key=keys[0])
                    body = got["Body"].read()
                    self.assertEqual(got["ContentType"], "application/octet-stream")
                    self.assertEqual(codecs.decompress(fmt, body), b"".join(records))
                    if fmt == "ZIP":
                        with zipfile.ZipFile(io.BytesIO(body)) as z:
                            self.assertEqual(z.namelist(), [keys[0].rsplit("/", 1)[1][:-len(".zip")]])
                    if fmt == "Snappy":
                        self.assertEqual(body[:10], IDENT)
        finally:
            for c in (s3, iam, fh):
                c.close()


if __name__ == "__main__":
    unittest.main()
