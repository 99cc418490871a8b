"""S3 behaviour through botocore clients and hand-signed raw requests."""

import base64
import hashlib
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.exceptions

from emu_harness import ServerTest, error_code


def code_of(body):
    return ET.fromstring(body).findtext("Code")


class BucketTest(ServerTest):
    def test_create_head_location_delete(self):
        s3 = self.s3()
        r = s3.create_bucket(Bucket="alpha-bucket")
        self.assertEqual(r["Location"], "/alpha-bucket")
        h = s3.head_bucket(Bucket="alpha-bucket")
        self.assertEqual(h["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"], "us-east-1")
        self.assertIsNone(s3.get_bucket_location(Bucket="alpha-bucket")["LocationConstraint"])
        s3.delete_bucket(Bucket="alpha-bucket")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.head_bucket(Bucket="alpha-bucket")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_bucket_names(self):
        s3 = self.s3()
        for bad in ("ab", "A-upper", "a..b", "192.168.1.1", "-dash", "x" * 64, "xn--abc", "under_score"):
            with self.assertRaises(botocore.exceptions.ClientError, msg=bad) as cm:
                s3.create_bucket(Bucket=bad)
            self.assertEqual(error_code(cm.exception), "InvalidBucketName", bad)
        s3.create_bucket(Bucket="a.b-c1")

    def test_create_twice_and_regions(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="twice-east")
        s3.create_bucket(Bucket="twice-east")   # us-east-1 legacy: 200
        eu = self.s3("eu-west-1")
        cfg = {"LocationConstraint": "eu-west-1"}
        eu.create_bucket(Bucket="twice-eu", CreateBucketConfiguration=cfg)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            eu.create_bucket(Bucket="twice-eu", CreateBucketConfiguration=cfg)
        self.assertEqual(error_code(cm.exception), "BucketAlreadyOwnedByYou")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.assertEqual(s3.get_bucket_location(Bucket="twice-eu")["LocationConstraint"], "eu-west-1")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            eu.create_bucket(Bucket="no-constraint")
        self.assertEqual(error_code(cm.exception), "IllegalLocationConstraintException")
        self.assertIn("unspecified location constraint", cm.exception.response["Error"]["Message"])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.create_bucket(Bucket="east-constraint", CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        self.assertEqual(error_code(cm.exception), "InvalidLocationConstraint")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            eu.create_bucket(Bucket="mismatch", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.assertEqual(error_code(cm.exception), "IllegalLocationConstraintException")

    def test_delete_not_empty_and_missing(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="full-bucket")
        s3.put_object(Bucket="full-bucket", Key="k", Body=b"x")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.delete_bucket(Bucket="full-bucket")
        self.assertEqual(error_code(cm.exception), "BucketNotEmpty")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.delete_bucket(Bucket="never-made")
        self.assertEqual(error_code(cm.exception), "NoSuchBucket")

    def test_error_shape(self):
        status, h, body = self.signed("GET", "/missing-bucket/key", "s3")
        self.assertEqual(status, 404)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, "Error")
        self.assertEqual(root.findtext("Code"), "NoSuchBucket")
        self.assertTrue(root.findtext("Message"))
        self.assertEqual(root.findtext("RequestId"), h["x-amz-request-id"])
        self.assertIn("x-amz-id-2", h)
        self.assertEqual(int(h["content-length"]), len(body))
        status, h, body = self.signed("HEAD", "/missing-bucket/key", "s3")
        self.assertEqual((status, body), (404, b""))

    def test_subresources(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="sub-bucket")
        unset = [(s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration"),
                 (s3.get_bucket_policy, "NoSuchBucketPolicy"),
                 (s3.get_bucket_ownership_controls, "OwnershipControlsNotFoundError"),
                 (s3.get_bucket_tagging, "NoSuchTagSet"),
                 (s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration")]
        for fn, code in unset:
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                fn(Bucket="sub-bucket")
            self.assertEqual(error_code(cm.exception), code)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        enc = s3.get_bucket_encryption(Bucket="sub-bucket")["ServerSideEncryptionConfiguration"]
        self.assertEqual(enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        pab = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": False}
        s3.put_public_access_block(Bucket="sub-bucket", PublicAccessBlockConfiguration=pab)
        self.assertEqual(s3.get_public_access_block(Bucket="sub-bucket")["PublicAccessBlockConfiguration"], pab)
        s3.put_bucket_encryption(Bucket="sub-bucket", ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/x"},
             "BucketKeyEnabled": True}]})
        rule = s3.get_bucket_encryption(Bucket="sub-bucket")["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual(rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"], "alias/x")
        s3.delete_bucket_encryption(Bucket="sub-bucket")
        enc = s3.get_bucket_encryption(Bucket="sub-bucket")["ServerSideEncryptionConfiguration"]
        self.assertEqual(enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.put_bucket_encryption(Bucket="sub-bucket", ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "DES"}}]})
        self.assertEqual(error_code(cm.exception), "InvalidArgument")
        s3.put_bucket_policy(Bucket="sub-bucket", Policy='{"Version":"2012-10-17","Statement":[]}')
        self.assertIn("Statement", s3.get_bucket_policy(Bucket="sub-bucket")["Policy"])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.put_bucket_policy(Bucket="sub-bucket", Policy="{not json")
        self.assertEqual(error_code(cm.exception), "MalformedPolicy")
        s3.put_bucket_ownership_controls(Bucket="sub-bucket", OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        self.assertEqual(s3.get_bucket_ownership_controls(Bucket="sub-bucket")["OwnershipControls"]["Rules"],
                         [{"ObjectOwnership": "BucketOwnerEnforced"}])
        s3.put_bucket_tagging(Bucket="sub-bucket", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        self.assertEqual(s3.get_bucket_tagging(Bucket="sub-bucket")["TagSet"], [{"Key": "k", "Value": "v"}])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            s3.put_bucket_tagging(Bucket="sub-bucket", Tagging={"TagSet": [{"Key": "k", "Value": "v"},
                                                                           {"Key": "k", "Value": "w"}]})
        self.assertEqual(error_code(cm.exception), "InvalidTag")
        rules = [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 7}}]
        s3.put_bucket_lifecycle_configuration(Bucket="sub-bucket", LifecycleConfiguration={"Rules": rules})
        self.assertEqual(s3.get_bucket_lifecycle_configuration(Bucket="sub-bucket")["Rules"], rules)
        for fn in (s3.delete_public_access_block, s3.delete_bucket_policy, s3.delete_bucket_ownership_controls,
                   s3.delete_bucket_tagging, s3.delete_bucket_lifecycle):
            self.assertEqual(fn(Bucket="sub-bucket")["ResponseMetadata"]["HTTPStatusCode"], 204)
        for fn, code in unset:
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                fn(Bucket="sub-bucket")
            self.assertEqual(error_code(cm.exception), code)

    def test_malformed_xml(self):
        self.s3().create_bucket(Bucket="xml-bucket")
        body = b"<Tagging><TagSet><Bogus/></TagSet></Tagging>"
        md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
        status, _, resp = self.signed("PUT", "/xml-bucket", "s3", body, {"Content-MD5": md5}, query="tagging")
        self.assertEqual((status, code_of(resp)), (400, "MalformedXML"))
        status, _, resp = self.signed("PUT", "/xml-bucket", "s3", b"<Tagging", {"Content-MD5": md5},
                                      query="tagging")
        self.assertEqual((status, code_of(resp)), (400, "MalformedXML"))

    def test_virtual_hosted_style(self):
        self.s3().create_bucket(Bucket="vhost-bucket")
        host = "vhost-bucket.localhost:%d" % self.port
        status, _, _ = self.signed("PUT", "/dir/file.txt", "s3", b"vhost", host=host)
        self.assertEqual(status, 200)
        status, _, body = self.signed("GET", "/vhost-bucket/dir/file.txt", "s3")
        self.assertEqual((status, body), (200, b"vhost"))
        host2 = "vhost-bucket.s3.us-east-1.amazonaws.com"
        status, _, body = self.signed("GET", "/dir/file.txt", "s3", host=host2)
        self.assertEqual((status, body), (200, b"vhost"))
        status, _, body = self.signed("GET", "/", "s3", host=host, query="list-type=2")
        self.assertEqual(status, 200)
        self.assertIn(b"<Key>dir/file.txt</Key>", body)


class ObjectTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.c = self.s3()
        self.c.create_bucket(Bucket="obj-bucket")

    def test_put_get_head_delete(self):
        data = b"0123456789" * 10
        r = self.c.put_object(Bucket="obj-bucket", Key="dir/a b+c%.txt", Body=data, ContentType="text/plain",
                              Metadata={"owner": "me"})
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        self.assertEqual(r["ETag"], etag)
        g = self.c.get_object(Bucket="obj-bucket", Key="dir/a b+c%.txt")
        self.assertEqual(g["Body"].read(), data)
        self.assertEqual(g["ContentType"], "text/plain")
        self.assertEqual(g["ETag"], etag)
        self.assertEqual(g["Metadata"], {"owner": "me"})
        self.assertIsNotNone(g["LastModified"])
        h = self.c.head_object(Bucket="obj-bucket", Key="dir/a b+c%.txt")
        self.assertEqual(h["ContentLength"], 100)
        self.c.delete_object(Bucket="obj-bucket", Key="dir/a b+c%.txt")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.c.get_object(Bucket="obj-bucket", Key="dir/a b+c%.txt")
        self.assertEqual(error_code(cm.exception), "NoSuchKey")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.c.head_object(Bucket="obj-bucket", Key="dir/a b+c%.txt")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        # deleting a missing key is fine
        self.c.delete_object(Bucket="obj-bucket", Key="never")

    def test_content_md5_checked(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.c.put_object(Bucket="obj-bucket", Key="k", Body=b"abc",
                              ContentMD5=base64.b64encode(hashlib.md5(b"xyz").digest()).decode())
        self.assertEqual(error_code(cm.exception), "BadDigest")

    def test_range(self):
        data = bytes(range(256))
        self.c.put_object(Bucket="obj-bucket", Key="r", Body=data)
        g = self.c.get_object(Bucket="obj-bucket", Key="r", Range="bytes=10-19")
        self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(g["ContentRange"], "bytes 10-19/256")
        self.assertEqual(g["Body"].read(), data[10:20])
        g = self.c.get_object(Bucket="obj-bucket", Key="r", Range="bytes=-6")
        self.assertEqual(g["Body"].read(), data[-6:])
        g = self.c.get_object(Bucket="obj-bucket", Key="r", Range="bytes=250-")
        self.assertEqual(g["ContentRange"], "bytes 250-255/256")
        g = self.c.get_object(Bucket="obj-bucket", Key="r", Range="bytes=200-999")
        self.assertEqual(g["ContentRange"], "bytes 200-255/256")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.c.get_object(Bucket="obj-bucket", Key="r", Range="bytes=256-300")
        self.assertEqual(error_code(cm.exception), "InvalidRange")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 416)

    def test_delete_objects(self):
        for k in ("a", "b", "c"):
            self.c.put_object(Bucket="obj-bucket", Key=k, Body=b"x")
        r = self.c.delete_objects(Bucket="obj-bucket", Delete={"Objects": [{"Key": "a"}, {"Key": "b"},
                                                                          {"Key": "zz"}]})
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]), ["a", "b", "zz"])
        self.assertEqual([o["Key"] for o in self.c.list_objects_v2(Bucket="obj-bucket")["Contents"]], ["c"])
        r = self.c.delete_objects(Bucket="obj-bucket", Delete={"Objects": [{"Key": "c"}], "Quiet": True})
        self.assertNotIn("Deleted", r)
        body = b'<Delete><Object><Key>c</Key></Object></Delete>'
        status, _, resp = self.signed("POST", "/obj-bucket", "s3", body, query="delete")
        self.assertEqual((status, code_of(resp)), (400, "InvalidRequest"))
        crc = base64.b64encode(__import__("zlib").crc32(body).to_bytes(4, "big")).decode()
        status, _, resp = self.signed("POST", "/obj-bucket", "s3", body, {"x-amz-checksum-crc32": crc},
                                      query="delete")
        self.assertEqual(status, 200)


class ListTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.c = self.s3()
        self.c.create_bucket(Bucket="list-bucket")
        self.keys = ["a/1", "a/2", "a/b/3", "b/4", "c 5", "c+6", "d/7", "e"]
        for k in self.keys:
            self.c.put_object(Bucket="list-bucket", Key=k, Body=k.encode())

    def test_paging_with_tokens(self):
        seen, token, pages = [], None, 0
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = self.c.list_objects_v2(Bucket="list-bucket", MaxKeys=3, **kw)
            pages += 1
            seen += [o["Key"] for o in r.get("Contents", [])]
            self.assertEqual(r["KeyCount"], len(r.get("Contents", [])))
            if not r["IsTruncated"]:
                self.assertNotIn("NextContinuationToken", r)
                break
            token = r["NextContinuationToken"]
            self.assertTrue(set("+/=") & set(token), token)
        self.assertEqual(seen, sorted(self.keys))
        self.assertEqual(pages, 3)

    def test_token_must_be_url_encoded(self):
        r = self.c.list_objects_v2(Bucket="list-bucket", MaxKeys=2)
        token = r["NextContinuationToken"]
        # a client that forgets to encode '+' sends spaces
        status, _, body = self.signed("GET", "/list-bucket", "s3",
                                      query="continuation-token=%s&list-type=2" % token.replace("/", "%2F"))
        self.assertIn((status, code_of(body)), ((400, "InvalidArgument"), (403, "SignatureDoesNotMatch")))
        status, _, body = self.signed("GET", "/list-bucket", "s3", query="continuation-token=%s&list-type=2"
                                      % urllib.parse.quote(token, safe=""))
        self.assertEqual(status, 200)

    def test_prefix_delimiter_start_after(self):
        r = self.c.list_objects_v2(Bucket="list-bucket", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["a/", "b/", "d/"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c 5", "c+6", "e"])
        self.assertEqual(r["KeyCount"], 6)
        r = self.c.list_objects_v2(Bucket="list-bucket", Prefix="a/", Delimiter="/")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["a/1", "a/2"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["a/b/"])
        r = self.c.list_objects_v2(Bucket="list-bucket", StartAfter="c 5")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c+6", "d/7", "e"])
        self.assertEqual(r["StartAfter"], "c 5")
        # paging across common prefixes
        got, token = [], None
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = self.c.list_objects_v2(Bucket="list-bucket", Delimiter="/", MaxKeys=2, **kw)
            got += [p["Prefix"] for p in r.get("CommonPrefixes", [])] + [o["Key"] for o in r.get("Contents", [])]
            if not r["IsTruncated"]:
                break
            token = r["NextContinuationToken"]
        self.assertEqual(sorted(got), ["a/", "b/", "c 5", "c+6", "d/", "e"])

    def test_encoding_type_url(self):
        status, _, body = self.signed("GET", "/list-bucket", "s3", query="encoding-type=url&list-type=2&prefix=c")
        self.assertEqual(status, 200)
        keys = [e.text for e in ET.fromstring(body).iter("{http://s3.amazonaws.com/doc/2006-03-01/}Key")]
        self.assertEqual(keys, ["c+5", "c%2B6"])
        # botocore asks for encoding-type=url itself and decodes the answer
        r = self.c.list_objects_v2(Bucket="list-bucket", Prefix="c")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["c 5", "c+6"])
        status, _, body = self.signed("GET", "/list-bucket", "s3", query="encoding-type=zip&list-type=2")
        self.assertEqual((status, code_of(body)), (400, "InvalidArgument"))

    def test_max_keys_default_and_zero(self):
        r = self.c.list_objects_v2(Bucket="list-bucket")
        self.assertEqual((r["MaxKeys"], r["KeyCount"], r["IsTruncated"]), (1000, 8, False))
        r = self.c.list_objects_v2(Bucket="list-bucket", MaxKeys=0)
        self.assertEqual(r["KeyCount"], 0)

    def test_missing_bucket(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.c.list_objects_v2(Bucket="nope-bucket")
        self.assertEqual(error_code(cm.exception), "NoSuchBucket")


if __name__ == "__main__":
    unittest.main()
