"""STS (Query protocol): GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity."""

import base64
import random
import string

from .core import AwsError
from .query import QueryService

DEFAULT_DURATION = 3600


_RNG = random.SystemRandom()


def new_session_keys():
    """(access key id, secret, session token) shaped as STS issues them; the SSO portal hands out the same."""
    ak = "ASIA" + "".join(_RNG.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    secret = "".join(_RNG.choice(string.ascii_letters + string.digits + "+/") for _ in range(40))
    token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(bytes(_RNG.randrange(256) for _ in range(96))).decode()
    return ak, secret, token


class StsService(QueryService):
    name = "sts"

    def op_GetCallerIdentity(self, req, p):
        return {"Account": req.account_id, "Arn": req.principal_arn or "arn:aws:iam::%s:root" % req.account_id,
                "UserId": req.user_id or req.account_id}

    def _assume(self, req, p, web_identity):
        iam = self.emu.services.get("iam")
        role_arn = p["RoleArn"]
        session = p["RoleSessionName"]
        role_name = iam.role_name_from_arn(role_arn) if hasattr(iam, "role_name_from_arn") else None
        role = iam.get_role(role_name) if role_name else None
        if role is None:
            action = "sts:AssumeRoleWithWebIdentity" if web_identity else "sts:AssumeRole"
            who = req.principal_arn or "arn:aws:sts::%s:federated-user/web-identity" % self.emu.account_id
            raise AwsError("AccessDenied", "User: %s is not authorized to perform: %s on resource: %s"
                           % (who, action, role_arn), 403)
        duration = p.get("DurationSeconds", DEFAULT_DURATION)
        if duration > role.get("MaxSessionDuration", 3600):
            raise AwsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set "
                           "for this role.", 400)
        now = self.emu.now()
        expires = now + duration
        ak, secret, token = new_session_keys()
        assumed_id = "%s:%s" % (role["RoleId"], session)
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (self.emu.account_id, role["RoleName"], session)
        self.emu.add_temp_credentials(ak, secret, token, expires, arn, assumed_id)
        return {"Credentials": {"AccessKeyId": ak, "SecretAccessKey": secret, "SessionToken": token,
                                "Expiration": float(int(expires))},
                "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": arn},
                "PackedPolicySize": 0}

    def op_AssumeRole(self, req, p):
        return self._assume(req, p, False)

    def op_AssumeRoleWithWebIdentity(self, req, p):
        token = p["WebIdentityToken"]
        if token == "invalid":
            raise AwsError("InvalidIdentityToken", "The web identity token that was passed could not be validated "
                           "by AWS. Get a new identity token from the identity provider and then retry the "
                           "request.", 400)
        out = self._assume(req, p, True)
        out.pop("PackedPolicySize", None)
        out["SubjectFromWebIdentityToken"] = "emulator-subject"
        out["Audience"] = "sts.amazonaws.com"
        out["Provider"] = p.get("ProviderId") or "emulator.local"
        return out
