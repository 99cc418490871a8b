"""The IAM Identity Center portal (sso.py) through botocore's sso client and raw requests."""

import json
import unittest

import botocore.exceptions

from emu_harness import ServerTest, error_code

ROLE = {"account_id": "000000000000", "role_name": "PipelineAdmin"}


class SsoTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.sso = self.client("sso")
        st, _ = self.control("POST", "/_emu/sso/tokens", {"access_token": "tok-1", "expires_in": 600,
                                                            "roles": [ROLE, {"account_id": "111111111111",
                                                                             "role_name": "Reader"}]})
        self.assertEqual(st, 200)

    def test_role_credentials_work_for_sts(self):
        before = self.ledger()["calls_total"]
        c = self.sso.get_role_credentials(roleName="PipelineAdmin", accountId="000000000000",
                                          accessToken="tok-1")["roleCredentials"]
        self.assertRegex(c["accessKeyId"], r"^ASIA[A-Z0-9]{16}$")
        self.assertEqual(len(c["secretAccessKey"]), 40)
        now_ms = self.emu.now() * 1000
        self.assertTrue(now_ms + 3500e3 < c["expiration"] <= now_ms + 3600e3 + 1000)
        who = self.client("sts", key=c["accessKeyId"], secret=c["secretAccessKey"],
                          token=c["sessionToken"]).get_caller_identity()
        self.assertEqual(who["Arn"], "arn:aws:sts::000000000000:assumed-role/"
                                     "AWSReservedSSO_PipelineAdmin_0123456789abcdef/sso-user")
        calls = self.ledger(before)["calls"]
        self.assertEqual([(x["service"], x["operation"], x["status"]) for x in calls],
                         [("sso", "GetRoleCredentials", 200), ("sts", "GetCallerIdentity", 200)])

    def test_unknown_and_expired_tokens(self):
        for tok in ("nope", "tok-old"):
            if tok == "tok-old":
                self.control("POST", "/_emu/sso/tokens", {"access_token": tok, "expires_in": -1, "roles": [ROLE]})
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.sso.get_role_credentials(roleName="PipelineAdmin", accountId="000000000000", accessToken=tok)
            self.assertEqual(error_code(cm.exception), "UnauthorizedException")
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 401)
            self.assertEqual(cm.exception.response["Error"]["Message"], "Session token not found or invalid")

    def test_role_not_assigned(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sso.get_role_credentials(roleName="Reader", accountId="000000000000", accessToken="tok-1")
        self.assertEqual(error_code(cm.exception), "ForbiddenException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(cm.exception.response["Error"]["Message"], "No access")

    def test_raw_missing_parameters_and_token(self):
        st, h, body = self.raw("GET", "/federation/credentials?account_id=000000000000",
                               headers={"x-amz-sso_bearer_token": "tok-1"})
        self.assertEqual((st, h["x-amzn-errortype"], json.loads(body)),
                         (400, "InvalidRequestException", {"message": "roleName must not be null or empty"}))
        st, h, _ = self.raw("GET", "/federation/credentials?account_id=000000000000&role_name=PipelineAdmin")
        self.assertEqual((st, h["x-amzn-errortype"]), (401, "UnauthorizedException"))
        self.assertEqual(h["content-type"], "application/json")

    def test_lists_pages_and_logout(self):
        accts = self.sso.list_accounts(accessToken="tok-1", maxResults=1)
        self.assertEqual([a["accountId"] for a in accts["accountList"]], ["000000000000"])
        more = self.sso.list_accounts(accessToken="tok-1", maxResults=1, nextToken=accts["nextToken"])
        self.assertEqual([a["accountId"] for a in more["accountList"]], ["111111111111"])
        self.assertNotIn("nextToken", more)
        roles = self.sso.list_account_roles(accessToken="tok-1", accountId="111111111111")["roleList"]
        self.assertEqual(roles, [{"roleName": "Reader", "accountId": "111111111111"}])
        self.sso.logout(accessToken="tok-1")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sso.list_accounts(accessToken="tok-1")
        self.assertEqual(error_code(cm.exception), "UnauthorizedException")

    def test_control_keeps_tokens_secret(self):
        st, doc = self.control("GET", "/_emu/sso/tokens")
        self.assertEqual(st, 200)
        self.assertNotIn("tok-1", json.dumps(doc))
        self.assertEqual(doc["tokens"][0]["roles"][0], ROLE)
        st, doc = self.control("POST", "/_emu/sso/tokens", {"access_token": "x", "roles": [{"account_id": "12",
                                                                                          "role_name": "r"}]})
        self.assertEqual(st, 400)


if __name__ == "__main__":
    unittest.main()
