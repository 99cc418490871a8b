"""Bucket policies: the evaluator on its own, then enforced on S3 requests and on Firehose delivery."""

import json
import unittest

import botocore.exceptions

from emu_harness import ServerTest, error_code
from sluice_emu import delivery, policy

OWNER = "000000000000"
ROOT = "arn:aws:iam::%s:root" % OWNER
SESSION = "arn:aws:sts::%s:assumed-role/writer/s1" % OWNER


def ctx(action="s3:GetObject", resource="arn:aws:s3:::b-1/logs/a", principal=ROOT, account=OWNER, **keys):
    return policy.Context(principal, account, action, resource, {k.replace("_", ":", 1): v for k, v in keys.items()})


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def st(effect="Deny", principal="*", action="s3:*", resource="arn:aws:s3:::b-1/*", **extra):
    s = {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource}
    s.update(extra)
    return s


TLS = {"Bool": {"aws:SecureTransport": "false"}}


class EvaluatorTest(unittest.TestCase):
    def test_effects(self):
        self.assertIsNone(policy.evaluate(doc(), ctx()))
        self.assertEqual(policy.evaluate(doc(st("Allow")), ctx()), "allow")
        self.assertEqual(policy.evaluate(doc(st("Deny")), ctx()), "deny")
        # an explicit Deny wins whatever the order
        self.assertEqual(policy.evaluate(doc(st("Allow"), st("Deny")), ctx()), "deny")
        self.assertEqual(policy.evaluate(doc(st("Deny"), st("Allow")), ctx()), "deny")
        self.assertEqual(policy.evaluate({"Statement": st("Allow")}, ctx()), "allow")  # one object, no list

    def test_principals(self):
        for p, who, account, want in [
                ("*", ROOT, OWNER, "deny"), ({"AWS": "*"}, ROOT, OWNER, "deny"),
                ({"AWS": OWNER}, ROOT, OWNER, "deny"), ({"AWS": "111122223333"}, ROOT, OWNER, None),
                ({"AWS": ["111122223333", ROOT]}, ROOT, OWNER, "deny"),
                ({"AWS": "arn:aws:iam::%s:role/writer" % OWNER}, SESSION, OWNER, "deny"),
                ({"AWS": "arn:aws:iam::%s:role/path/writer" % OWNER}, SESSION, OWNER, "deny"),
                ({"AWS": "arn:aws:iam::%s:role/reader" % OWNER}, SESSION, OWNER, None),
                ({"AWS": SESSION}, SESSION, OWNER, "deny"),
                ({"AWS": ROOT}, SESSION, OWNER, "deny"),   # the account's root covers its principals
                ({"Service": "firehose.amazonaws.com"}, ROOT, OWNER, None)]:
            self.assertEqual(policy.evaluate(doc(st(principal=p)), ctx(principal=who, account=account)), want, p)
        not_me = st(); del not_me["Principal"]; not_me["NotPrincipal"] = {"AWS": ROOT}
        self.assertIsNone(policy.evaluate(doc(not_me), ctx()))
        self.assertEqual(policy.evaluate(doc(not_me), ctx(principal=SESSION)), "deny")

    def test_actions_and_resources(self):
        for action, want in [("s3:*", "deny"), ("s3:Get*", "deny"), ("S3:GETOBJECT", "deny"), ("s3:Put*", None),
                             (["s3:PutObject", "s3:GetObject"], "deny"), ("s3:GetObjec?", "deny")]:
            self.assertEqual(policy.evaluate(doc(st(action=action)), ctx()), want, action)
        s = st(); del s["Action"]; s["NotAction"] = "s3:Get*"
        self.assertIsNone(policy.evaluate(doc(s), ctx()))
        self.assertEqual(policy.evaluate(doc(s), ctx(action="s3:PutObject")), "deny")
        for res, want in [("arn:aws:s3:::b-1/*", "deny"), ("arn:aws:s3:::b-1/logs/*", "deny"),
                          ("arn:aws:s3:::b-1/errors/*", None), ("arn:aws:s3:::b-1", None),
                          ("arn:aws:s3:::b-?/logs/a", "deny"), ("*", "deny")]:
            self.assertEqual(policy.evaluate(doc(st(resource=res)), ctx()), want, res)
        s = st(); del s["Resource"]; s["NotResource"] = "arn:aws:s3:::b-1/logs/*"
        self.assertIsNone(policy.evaluate(doc(s), ctx()))
        self.assertEqual(policy.evaluate(doc(s), ctx(resource="arn:aws:s3:::b-1/other")), "deny")

    def test_conditions(self):
        http = dict(aws_SecureTransport="false", aws_SourceIp="127.0.0.1")
        tls = dict(aws_SecureTransport="true", aws_SourceIp="10.1.2.3")
        cases = [
            (TLS, "deny", None),
            ({"Bool": {"aws:SecureTransport": False}}, "deny", None),
            ({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}, "deny", None),
            ({"NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "192.168.0.0/16"]}}, None, "deny"),
            ({"StringEquals": {"aws:PrincipalAccount": OWNER}}, "deny", "deny"),
            ({"StringNotEquals": {"aws:PrincipalAccount": OWNER}}, None, None),
            ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, "deny", "deny"),
            ({"StringNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}, None, None),
            ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::%s:*" % OWNER}}, "deny", "deny"),
            ({"ArnNotEquals": {"aws:PrincipalArn": ROOT}}, None, None),
            ({"StringEqualsIgnoreCase": {"aws:SecureTransport": "FALSE"}}, "deny", None),
            # AND across keys and operators, OR across values
            ({"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, None, None),
            ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.1/32"]}}, "deny", "deny"),
        ]
        for cond, want_http, want_tls in cases:
            self.assertEqual(policy.evaluate(doc(st(Condition=cond)), ctx(**http)), want_http, cond)
            self.assertEqual(policy.evaluate(doc(st(Condition=cond)), ctx(**tls)), want_tls, cond)

    def test_missing_keys(self):
        # absent: a positive operator is false, a negated one true; IfExists and Null test presence
        self.assertIsNone(policy.evaluate(doc(st(Condition={"StringEquals": {"s3:prefix": "logs/"}})), ctx()))
        self.assertEqual(policy.evaluate(doc(st(Condition={"StringNotEquals": {"s3:prefix": "logs/"}})), ctx()),
                         "deny")
        self.assertEqual(policy.evaluate(doc(st(Condition={"StringEqualsIfExists": {"s3:prefix": "x"}})), ctx()),
                         "deny")
        self.assertIsNone(policy.evaluate(doc(st(Condition={"StringEqualsIfExists": {"s3:prefix": "x"}})),
                                          ctx(s3_prefix="logs/")))
        self.assertEqual(policy.evaluate(doc(st(Condition={"Null": {"s3:prefix": "true"}})), ctx()), "deny")
        self.assertIsNone(policy.evaluate(doc(st(Condition={"Null": {"s3:prefix": "true"}})), ctx(s3_prefix="")))
        self.assertEqual(policy.evaluate(doc(st(Condition={"NumericLessThan": {"s3:max-keys": "10"}})),
                                         ctx(**{"s3_max-keys": "5"})), "deny")
        self.assertIsNone(policy.evaluate(doc(st(Condition={"NumericLessThan": {"s3:max-keys": "10"}})),
                                          ctx(**{"s3_max-keys": "1000"})))

    def test_validate(self):
        policy.validate(doc(st(Condition=TLS)))
        policy.validate(doc())
        for bad, msg in [({}, "Missing required field Statement"),
                         (doc({"Effect": "Maybe", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
                          "Invalid effect: Maybe"),
                         (doc(st(Condition={"StringSoundsLike": {"a": "b"}})), "Policy has an invalid condition key"),
                         (doc(st(resource="arn:aws:iam::1:role/x")), "Policy has invalid resource")]:
            with self.assertRaises(ValueError) as cm:
                policy.validate(bad)
            self.assertEqual(str(cm.exception), msg)


class EnforcedTest(ServerTest):
    config = {"credentials": [{"access_key_id": "test", "secret_access_key": "test"},
                              {"access_key_id": "other", "secret_access_key": "other",
                               "account_id": "111122223333"}]}

    def setUp(self):
        super().setUp()
        self.owner = self.s3()
        self.owner.create_bucket(Bucket="pol-1")
        self.owner.put_object(Bucket="pol-1", Key="logs/a", Body=b"x")
        self.owner.put_object(Bucket="pol-1", Key="secret/b", Body=b"y")

    def put(self, *statements):
        self.owner.put_bucket_policy(Bucket="pol-1", Policy=json.dumps(doc(*statements)))

    def denied(self, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception

    def test_tls_only_policy_over_http_and_the_lockout_guard(self):
        self.put(st(resource=["arn:aws:s3:::pol-1", "arn:aws:s3:::pol-1/*"], Condition=TLS))
        e = self.denied(self.owner.get_object, Bucket="pol-1", Key="logs/a")
        self.assertEqual(error_code(e), "AccessDenied")
        self.assertEqual(e.response["Error"]["Message"], "Access Denied")
        self.assertTrue(e.response["ResponseMetadata"]["RequestId"])
        self.assertEqual(error_code(self.denied(self.owner.list_objects_v2, Bucket="pol-1")), "AccessDenied")
        self.assertEqual(error_code(self.denied(self.owner.put_object, Bucket="pol-1", Key="k", Body=b"")),
                         "AccessDenied")
        # a denied HEAD: 403 and no body, as S3 answers
        status, body = self.raw_signed_head("/pol-1")
        self.assertEqual((status, body), (403, b""))
        # the owner's root keeps the policy calls
        self.assertIn("SecureTransport", self.owner.get_bucket_policy(Bucket="pol-1")["Policy"])
        self.owner.delete_bucket_policy(Bucket="pol-1")
        self.assertEqual(self.owner.get_object(Bucket="pol-1", Key="logs/a")["Body"].read(), b"x")

    def raw_signed_head(self, path):
        r = self.signed("HEAD", path, "s3")
        return r[0], r[-1]

    def test_guard_is_the_owners_only(self):
        other = self.s3(key="other", secret="other")
        self.put(st(Condition=TLS), st("Allow", principal={"AWS": "111122223333"}, action="s3:GetObject"))
        self.assertEqual(error_code(self.denied(other.get_bucket_policy, Bucket="pol-1")), "AccessDenied")
        self.assertEqual(error_code(self.denied(other.delete_bucket_policy, Bucket="pol-1")), "AccessDenied")

    def test_other_accounts_need_an_allow(self):
        other = self.s3(key="other", secret="other")
        self.assertEqual(error_code(self.denied(other.get_object, Bucket="pol-1", Key="logs/a")), "AccessDenied")
        self.put(st("Allow", principal={"AWS": "111122223333"}, action="s3:GetObject",
                    resource="arn:aws:s3:::pol-1/logs/*"))
        self.assertEqual(other.get_object(Bucket="pol-1", Key="logs/a")["Body"].read(), b"x")
        self.assertEqual(error_code(self.denied(other.get_object, Bucket="pol-1", Key="secret/b")), "AccessDenied")
        self.assertEqual(error_code(self.denied(other.list_objects_v2, Bucket="pol-1")), "AccessDenied")

    def test_prefix_and_object_statements(self):
        self.put(st(action="s3:GetObject", resource="arn:aws:s3:::pol-1/secret/*"),
                 st(action="s3:ListBucket", resource="arn:aws:s3:::pol-1",
                    Condition={"StringLike": {"s3:prefix": "secret/*"}}))
        self.assertEqual(self.owner.get_object(Bucket="pol-1", Key="logs/a")["Body"].read(), b"x")
        self.assertEqual(error_code(self.denied(self.owner.get_object, Bucket="pol-1", Key="secret/b")),
                         "AccessDenied")
        self.assertEqual(self.owner.list_objects_v2(Bucket="pol-1", Prefix="logs/")["KeyCount"], 1)
        self.assertEqual(error_code(self.denied(self.owner.list_objects_v2, Bucket="pol-1", Prefix="secret/x")),
                         "AccessDenied")
        # DeleteObjects is judged key by key: 200, the refused ones under Errors
        self.put(st(action="s3:DeleteObject", resource="arn:aws:s3:::pol-1/secret/*"))
        r = self.owner.delete_objects(Bucket="pol-1", Delete={"Objects": [{"Key": "logs/a"}, {"Key": "secret/b"}]})
        self.assertEqual([d["Key"] for d in r.get("Deleted", [])], ["logs/a"])
        self.assertEqual([(x["Key"], x["Code"]) for x in r.get("Errors", [])], [("secret/b", "AccessDenied")])
        self.assertEqual(self.owner.get_object(Bucket="pol-1", Key="secret/b")["Body"].read(), b"y")

    def test_malformed_policies_refused(self):
        e = self.denied(self.owner.put_bucket_policy, Bucket="pol-1",
                        Policy=json.dumps(doc(st(Condition={"StringSoundsLike": {"a": "b"}}))))
        self.assertEqual(error_code(e), "MalformedPolicy")

    def test_delivery_is_tls_and_the_roles(self):
        """Firehose writes over TLS as the role's session: a TLS-only Deny does not stop it, a Deny naming the
        role does."""
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="writer", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName="writer", PolicyName="p", PolicyDocument=json.dumps(doc(
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pol-1/*"})))
        role = "arn:aws:iam::%s:role/writer" % OWNER
        self.put(st(resource=["arn:aws:s3:::pol-1", "arn:aws:s3:::pol-1/*"], Condition=TLS))
        self.assertEqual(delivery.check_write(self.emu, role, "pol-1", "logs/x"), (True, None, None))
        self.put(st(principal={"AWS": role}, action="s3:PutObject", resource="arn:aws:s3:::pol-1/*"))
        ok, code, msg = delivery.check_write(self.emu, role, "pol-1", "logs/x")
        self.assertEqual((ok, code), (False, "S3.AccessDenied"))
        self.assertIn("policy of bucket pol-1", msg)


if __name__ == "__main__":
    unittest.main()
