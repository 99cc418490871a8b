"""AWS IAM Identity Center portal (REST-JSON, unsigned, bearer token): GetRoleCredentials, ListAccounts,
ListAccountRoles, Logout. Tokens and role assignments come from the control endpoint (/_emu/sso/tokens),
standing in for `aws sso login`."""

import base64
import json
import re
import threading

from .core import AwsError, Response, Service
from .sts import new_session_keys

# Routes of the portal (botocore's sso-2019-06-10 model).
ROUTES = {("GET", "/federation/credentials"): "GetRoleCredentials",
          ("GET", "/assignment/accounts"): "ListAccounts",
          ("GET", "/assignment/roles"): "ListAccountRoles",
          ("POST", "/logout"): "Logout"}
ROLE_SECONDS = 3600


def route(method, path):
    return ROUTES.get((method, path))


def _unauthorized():
    return AwsError("UnauthorizedException", "Session token not found or invalid", 401)


class SsoService(Service):
    name = "sso"
    protocol = "rest-json"

    def __init__(self, emu):
        super().__init__(emu)
        self._lock = threading.Lock()
        self._tokens = {}    # access token -> {"expires": t, "roles": [(account, role)]}

    def reset(self):
        with self._lock:
            self._tokens = {}

    # -------------------------------------------------------------- control (/_emu/sso/tokens)
    def add_token(self, params):
        tok = params["access_token"]
        if not isinstance(tok, str) or not tok:
            raise ValueError("access_token must be a non-empty string")
        expires_in = params.get("expires_in", 28800)
        if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool):
            raise ValueError("expires_in must be a number of seconds")
        roles = []
        for r in params.get("roles") or []:
            acct, name = str(r["account_id"]), str(r["role_name"])
            if not re.fullmatch(r"\d{12}", acct):
                raise ValueError("account_id must be 12 digits: %r" % acct)
            roles.append((acct, name))
        with self._lock:
            self._tokens[tok] = {"expires": self.emu.now() + expires_in, "roles": roles}
        return {"ok": True, "tokens": len(self._tokens)}

    def list_tokens(self):
        with self._lock:
            return {"tokens": [{"expires": t["expires"], "roles": [{"account_id": a, "role_name": n}
                                                                 for a, n in t["roles"]]}
                               for t in self._tokens.values()]}   # the tokens themselves stay unlisted

    # -------------------------------------------------------------- requests
    def peek_operation(self, req):
        return route(req.method, req.path)

    def _session(self, req):
        tok = req.headers.get("x-amz-sso_bearer_token")
        with self._lock:
            s = self._tokens.get(tok) if tok else None
        if s is None or self.emu.now() >= s["expires"]:
            raise _unauthorized()
        return s

    def handle(self, req):
        op = route(req.method, req.path)
        if op is None:
            raise AwsError("UnknownOperationException", "Unknown operation %s %s" % (req.method, req.path), 404)
        req.operation = op
        return getattr(self, "op_" + op)(req)

    def _json(self, req, status, doc):
        return Response(status, json.dumps(doc).encode(), [("x-amzn-RequestId", req.request_id)],
                        content_type="application/json")

    def _max(self, req):
        v = req.q("max_result")
        if v is None:
            return 20
        if not re.fullmatch(r"\d+", v) or not 1 <= int(v) <= 100:
            raise AwsError("InvalidRequestException", "maxResults must be between 1 and 100", 400)
        return int(v)

    def _page(self, req, items, key):
        n = self._max(req)
        start = 0
        nt = req.q("next_token")
        if nt is not None:
            try:
                start = int(base64.b64decode(nt, validate=True).decode())
            except ValueError:
                raise AwsError("InvalidRequestException", "Invalid nextToken", 400)
        out = {key: items[start:start + n]}
        if start + n < len(items):
            out["nextToken"] = base64.b64encode(str(start + n).encode()).decode()
        return out

    def op_GetRoleCredentials(self, req):
        role, acct = req.q("role_name"), req.q("account_id")
        s = self._session(req)
        if not role or not acct:
            missing = "roleName" if not role else "accountId"
            raise AwsError("InvalidRequestException", "%s must not be null or empty" % missing, 400)
        if (acct, role) not in s["roles"]:
            raise AwsError("ForbiddenException", "No access", 403)
        ak, secret, token = new_session_keys()
        expires = int(self.emu.now()) + ROLE_SECONDS
        session = "AWSReservedSSO_%s_0123456789abcdef" % role
        arn = "arn:aws:sts::%s:assumed-role/%s/sso-user" % (acct, session)
        self.emu.add_temp_credentials(ak, secret, token, expires, arn, "AROAEMULATORSSO:sso-user", acct)
        return self._json(req, 200, {"roleCredentials": {"accessKeyId": ak, "secretAccessKey": secret,
                                                         "sessionToken": token, "expiration": expires * 1000}})

    def op_ListAccounts(self, req):
        s = self._session(req)
        accts = sorted({a for a, _ in s["roles"]})
        items = [{"accountId": a, "accountName": "account-" + a, "emailAddress": "owner+%s@example.com" % a}
                 for a in accts]
        return self._json(req, 200, self._page(req, items, "accountList"))

    def op_ListAccountRoles(self, req):
        s = self._session(req)
        acct = req.q("account_id")
        if not acct:
            raise AwsError("InvalidRequestException", "accountId must not be null or empty", 400)
        items = [{"roleName": n, "accountId": a} for a, n in s["roles"] if a == acct]
        return self._json(req, 200, self._page(req, items, "roleList"))

    def op_Logout(self, req):
        tok = req.headers.get("x-amz-sso_bearer_token")
        self._session(req)
        with self._lock:
            self._tokens.pop(tok, None)
        return Response(200, b"", [("x-amzn-RequestId", req.request_id)])
