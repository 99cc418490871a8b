"""IAM and STS through botocore clients and raw Query requests."""

import json
import re
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.exceptions

from emu_harness import ServerTest, error_code

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"],
                                                             "Resource": "arn:aws:s3:::b/*"}]})
NS = "{https://iam.amazonaws.com/doc/2010-05-08/}"


class IamTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.iam = self.client("iam")

    def test_role_lifecycle(self):
        r = self.iam.create_role(RoleName="delivery-role", Path="/service/", AssumeRolePolicyDocument=TRUST,
                                 Tags=[{"Key": "team", "Value": "data"}])["Role"]
        self.assertEqual(r["Arn"], "arn:aws:iam::000000000000:role/service/delivery-role")
        self.assertRegex(r["RoleId"], r"^AROA[A-Z0-9]{17}$")
        g = self.iam.get_role(RoleName="delivery-role")["Role"]
        self.assertEqual(g["AssumeRolePolicyDocument"], json.loads(TRUST))   # botocore url-decodes + parses
        self.assertEqual(g["Tags"], [{"Key": "team", "Value": "data"}])
        new_trust = TRUST.replace("firehose", "kinesis")
        self.iam.update_assume_role_policy(RoleName="delivery-role", PolicyDocument=new_trust)
        self.assertIn("kinesis", json.dumps(self.iam.get_role(RoleName="delivery-role")["Role"]
                                            ["AssumeRolePolicyDocument"]))
        self.iam.put_role_policy(RoleName="delivery-role", PolicyName="write", PolicyDocument=POLICY)
        self.assertEqual(self.iam.list_role_policies(RoleName="delivery-role")["PolicyNames"], ["write"])
        self.assertEqual(self.iam.get_role_policy(RoleName="delivery-role", PolicyName="write")["PolicyDocument"],
                         json.loads(POLICY))
        self.iam.tag_role(RoleName="delivery-role", Tags=[{"Key": "env", "Value": "test"}])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.delete_role(RoleName="delivery-role")
        self.assertEqual(error_code(cm.exception), "DeleteConflict")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.iam.delete_role_policy(RoleName="delivery-role", PolicyName="write")
        self.iam.delete_role(RoleName="delivery-role")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.get_role(RoleName="delivery-role")
        self.assertEqual(error_code(cm.exception), "NoSuchEntity")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_managed_policies(self):
        self.iam.create_role(RoleName="m", AssumeRolePolicyDocument=TRUST)
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"
        self.iam.attach_role_policy(RoleName="m", PolicyArn=admin)
        self.iam.attach_role_policy(RoleName="m", PolicyArn=admin)          # attaching twice is a no-op
        mine = self.iam.create_policy(PolicyName="extra", PolicyDocument=POLICY)["Policy"]["Arn"]
        self.assertEqual(mine, "arn:aws:iam::000000000000:policy/extra")
        self.iam.attach_role_policy(RoleName="m", PolicyArn=mine)
        self.assertEqual(self.iam.list_attached_role_policies(RoleName="m")["AttachedPolicies"],
                         [{"PolicyName": "AdministratorAccess", "PolicyArn": admin},
                          {"PolicyName": "extra", "PolicyArn": mine}])
        page = self.iam.list_attached_role_policies(RoleName="m", MaxItems=1)
        self.assertEqual((len(page["AttachedPolicies"]), page["IsTruncated"]), (1, True))
        rest = self.iam.list_attached_role_policies(RoleName="m", Marker=page["Marker"])
        self.assertEqual(rest["AttachedPolicies"][0]["PolicyArn"], mine)
        for arn, code, msg in (("arn:aws:iam::aws:policy/NoSuchPolicy", "NoSuchEntity",
                                "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable."),
                               ("not-an-arn-but-long-enough", "InvalidInput", "ARN not-an-arn-but-long-enough is not valid.")):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.iam.attach_role_policy(RoleName="m", PolicyArn=arn)
            self.assertEqual((error_code(cm.exception), cm.exception.response["Error"]["Message"]), (code, msg))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.delete_role(RoleName="m")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Cannot delete entity, must detach all policies first.")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.delete_policy(PolicyArn=mine)
        self.assertEqual(error_code(cm.exception), "DeleteConflict")
        self.assertEqual(self.emu.services["iam"].get_role("m")["attached"][admin]["Statement"][0]["Action"], "*")
        self.iam.detach_role_policy(RoleName="m", PolicyArn=admin)
        self.iam.detach_role_policy(RoleName="m", PolicyArn=mine)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.detach_role_policy(RoleName="m", PolicyArn=mine)
        self.assertEqual(error_code(cm.exception), "NoSuchEntity")
        self.iam.delete_policy(PolicyArn=mine)
        self.iam.delete_role(RoleName="m")

    def test_attach_limit_and_boundary(self):
        self.iam.create_role(RoleName="l", AssumeRolePolicyDocument=TRUST)
        arns = [self.iam.create_policy(PolicyName="p%d" % i, PolicyDocument=POLICY)["Policy"]["Arn"]
                for i in range(11)]
        for arn in arns[:10]:
            self.iam.attach_role_policy(RoleName="l", PolicyArn=arn)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.attach_role_policy(RoleName="l", PolicyArn=arns[10])
        self.assertEqual(error_code(cm.exception), "LimitExceeded")
        self.iam.put_role_permissions_boundary(RoleName="l", PermissionsBoundary=arns[0])
        self.assertEqual(self.iam.get_role(RoleName="l")["Role"]["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arns[0]})
        self.iam.delete_role_permissions_boundary(RoleName="l")
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName="l")["Role"])

    def test_internal_api(self):
        self.iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST)
        self.iam.put_role_policy(RoleName="r1", PolicyName="p", PolicyDocument=POLICY)
        svc = self.emu.services["iam"]
        role = svc.get_role("r1")
        self.assertEqual(role["policies"], {"p": json.loads(POLICY)})
        self.assertEqual(role["AssumeRolePolicyDocument"], json.loads(TRUST))
        self.assertIsInstance(role["changed_at"], float)
        self.assertEqual(svc.role_name_from_arn("arn:aws:iam::000000000000:role/r1"), "r1")
        self.assertIsNone(svc.role_name_from_arn("arn:aws:iam::111111111111:role/r1"))
        self.assertIsNone(svc.get_role("nope"))

    def test_wire_shapes(self):
        self.iam.create_role(RoleName="wire", AssumeRolePolicyDocument=TRUST)
        self.iam.put_role_policy(RoleName="wire", PolicyName="p", PolicyDocument=POLICY)
        status, h, body = self.signed("POST", "/", "iam", b"Action=GetRolePolicy&Version=2010-05-08&RoleName=wire"
                                      b"&PolicyName=p", {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200)
        doc = ET.fromstring(body).find(NS + "GetRolePolicyResult").findtext(NS + "PolicyDocument")
        self.assertEqual(doc, urllib.parse.quote(POLICY))
        self.assertIn("x-amzn-requestid", h)
        status, h, body = self.signed("POST", "/", "iam", b"Action=GetRole&Version=2010-05-08&RoleName=nope",
                                      {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 404)
        root = ET.fromstring(body)
        self.assertEqual(root.tag, NS + "ErrorResponse")
        err = root.find(NS + "Error")
        self.assertEqual((err.findtext(NS + "Type"), err.findtext(NS + "Code")), ("Sender", "NoSuchEntity"))
        self.assertEqual(root.findtext(NS + "RequestId"), h["x-amzn-requestid"])

    def test_errors(self):
        self.iam.create_role(RoleName="dup", AssumeRolePolicyDocument=TRUST)
        cases = [
            (lambda: self.iam.create_role(RoleName="dup", AssumeRolePolicyDocument=TRUST), "EntityAlreadyExists", 409),
            (lambda: self.iam.create_role(RoleName="DUP", AssumeRolePolicyDocument=TRUST), "EntityAlreadyExists", 409),
            (lambda: self.iam.create_role(RoleName="x" * 65, AssumeRolePolicyDocument=TRUST), "ValidationError", 400),
            (lambda: self.iam.create_role(RoleName="bad/name", AssumeRolePolicyDocument=TRUST), "ValidationError",
             400),
            (lambda: self.iam.create_role(RoleName="ok", AssumeRolePolicyDocument="{nope"), "MalformedPolicyDocument",
             400),
            (lambda: self.iam.put_role_policy(RoleName="dup", PolicyName="p", PolicyDocument="[]"),
             "MalformedPolicyDocument", 400),
            (lambda: self.iam.put_role_policy(RoleName="missing", PolicyName="p", PolicyDocument=POLICY),
             "NoSuchEntity", 404),
            (lambda: self.iam.get_role_policy(RoleName="dup", PolicyName="nope"), "NoSuchEntity", 404),
            (lambda: self.iam.delete_role_policy(RoleName="dup", PolicyName="nope"), "NoSuchEntity", 404),
            (lambda: self.iam.tag_role(RoleName="dup", Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]),
             "InvalidInput", 400),
        ]
        for fn, code, status in cases:
            with self.assertRaises(botocore.exceptions.ClientError, msg=code) as cm:
                fn()
            self.assertEqual(error_code(cm.exception), code)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.iam.create_role(RoleName="x" * 65, AssumeRolePolicyDocument=TRUST)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: "
                         "Member must have length less than or equal to 64" % ("x" * 65))

    def test_unknown_action_and_version(self):
        status, _, body = self.signed("POST", "/", "iam", b"Action=Frobnicate&Version=2010-05-08",
                                      {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn(b"InvalidAction", body)
        status, _, body = self.signed("POST", "/", "iam", b"Action=ListRoles",
                                      {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)


class StsTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.client("iam").create_role(RoleName="assumable", AssumeRolePolicyDocument=TRUST, MaxSessionDuration=7200)
        self.sts = self.client("sts")
        self.arn = "arn:aws:iam::000000000000:role/assumable"

    def test_caller_identity(self):
        r = self.sts.get_caller_identity()
        self.assertEqual((r["Account"], r["Arn"]), ("000000000000", "arn:aws:iam::000000000000:root"))

    def test_assume_role(self):
        r = self.sts.assume_role(RoleArn=self.arn, RoleSessionName="sess-1", DurationSeconds=900)
        c = r["Credentials"]
        self.assertRegex(c["AccessKeyId"], r"^ASIA[A-Z0-9]{16}$")
        left = c["Expiration"].timestamp() - self.emu.now()
        self.assertTrue(850 < left <= 900, left)
        self.assertEqual(r["AssumedRoleUser"]["Arn"], "arn:aws:sts::000000000000:assumed-role/assumable/sess-1")
        r = self.sts.assume_role(RoleArn=self.arn, RoleSessionName="sess-2")
        left = r["Credentials"]["Expiration"].timestamp() - self.emu.now()
        self.assertTrue(3500 < left <= 3600, left)
        # temp creds work against other services
        s3 = self.s3(key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
        s3.list_buckets()

    def test_assume_role_errors(self):
        for kw, code in (({"RoleArn": "arn:aws:iam::000000000000:role/none", "RoleSessionName": "s"},
                          "ValidationError"),   # session name too short
                         ({"RoleArn": "arn:aws:iam::000000000000:role/none", "RoleSessionName": "ss"},
                          "AccessDenied"),
                         ({"RoleArn": self.arn, "RoleSessionName": "ss", "DurationSeconds": 600}, "ValidationError"),
                         ({"RoleArn": self.arn, "RoleSessionName": "ss", "DurationSeconds": 9000},
                          "ValidationError")):
            with self.assertRaises(botocore.exceptions.ClientError, msg=str(kw)) as cm:
                self.client("sts", parameter_validation=False).assume_role(**kw)
            self.assertEqual(error_code(cm.exception), code, kw)

    def test_web_identity_unsigned(self):
        form = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": self.arn,
                "RoleSessionName": "web", "WebIdentityToken": "eyJhbGciOi.token.sig"}
        status, _, body = self.raw("POST", "/", urllib.parse.urlencode(form).encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200, body)
        self.assertRegex(body.decode(), r"<AccessKeyId>ASIA[A-Z0-9]{16}</AccessKeyId>")
        form["WebIdentityToken"] = "invalid"
        status, _, body = self.raw("POST", "/", urllib.parse.urlencode(form).encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidIdentityToken</Code>", body)
        # other STS actions still need a signature
        status, _, body = self.raw("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
                                   {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403)
        self.assertTrue(re.search(rb"<Code>MissingAuthenticationToken</Code>", body))


if __name__ == "__main__":
    unittest.main()
