"""IAM (Query protocol): roles, inline role policies, role tags."""

import json
import random
import re
import string
import urllib.parse

from .core import AwsError
from .query import QueryService

ROLE_ARN_RX = re.compile(r"^arn:aws[a-zA-Z-]*:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)?([\w+=,.@-]+)$")
INLINE_POLICY_LIMIT = 10240     # aggregate characters of a role's inline policies
TRUST_POLICY_LIMIT = 2048       # default quota for a role trust policy
MAX_TAGS = 50


def _policy_json(text, what="policy"):
    try:
        doc = json.loads(text)
    except ValueError:
        raise AwsError("MalformedPolicyDocument", "This policy contains invalid Json", 400)
    if not isinstance(doc, dict):
        raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    if "Statement" not in doc:
        raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    ver = doc.get("Version")
    if ver is not None and ver not in ("2012-10-17", "2008-10-17"):
        raise AwsError("MalformedPolicyDocument", "The policy must contain a valid version string", 400)
    st = doc["Statement"]
    for s in (st if isinstance(st, list) else [st]):
        if not isinstance(s, dict) or s.get("Effect") not in ("Allow", "Deny"):
            raise AwsError("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    return doc


class IamService(QueryService):
    name = "iam"

    def __init__(self, emu):
        super().__init__(emu)
        self.roles = {}     # lower-case name -> role dict
        self._rng = random.Random()

    def reset(self):
        with self.emu.lock:
            self.roles = {}

    # ------------------------------------------------------------------ internal API (DESIGN.md)
    def get_role(self, name):
        with self.emu.lock:
            r = self.roles.get((name or "").lower())
            if r is None:
                return None
            return {"RoleName": r["RoleName"], "Arn": r["Arn"], "RoleId": r["RoleId"],
                    "AssumeRolePolicyDocument": json.loads(r["AssumeRolePolicyDocument"]),
                    "CreateDate": r["CreateDate"], "changed_at": r["changed_at"],
                    "MaxSessionDuration": r["MaxSessionDuration"],
                    "policies": {k: json.loads(v) for k, v in r["policies"].items()}}

    def role_name_from_arn(self, arn):
        m = ROLE_ARN_RX.match(arn or "")
        if not m:
            return None
        if m.group(1) != self.emu.account_id:
            return None
        with self.emu.lock:
            r = self.roles.get(m.group(3).lower())
            if r is None or r["Arn"] != arn:
                return None
            return r["RoleName"]

    # ------------------------------------------------------------------ helpers
    def _id(self, prefix):
        return prefix + "".join(self._rng.choice(string.ascii_uppercase + string.digits) for _ in range(17))

    def _role(self, name):
        r = self.roles.get(name.lower())
        if r is None:
            raise AwsError("NoSuchEntity", "The role with name %s cannot be found." % name, 404)
        return r

    def _public(self, r):
        out = {k: r[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "MaxSessionDuration")}
        out["AssumeRolePolicyDocument"] = urllib.parse.quote(r["AssumeRolePolicyDocument"])
        if r.get("Description") is not None:
            out["Description"] = r["Description"]
        if r["tags"]:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in r["tags"].values()]
        out["RoleLastUsed"] = {}
        return out

    def _check_tags(self, tags):
        seen = set()
        for t in tags:
            k = t["Key"].lower()
            if k in seen:
                raise AwsError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case "
                               "insensitive.", 400)
            seen.add(k)
            if k.startswith("aws:"):
                raise AwsError("InvalidInput", "User-defined tags cannot start with the prefix 'aws:'.", 400)

    # ------------------------------------------------------------------ operations
    def op_CreateRole(self, req, p):
        name = p["RoleName"]
        doc = p["AssumeRolePolicyDocument"]
        _policy_json(doc)
        if len(doc) > TRUST_POLICY_LIMIT:
            raise AwsError("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d" % TRUST_POLICY_LIMIT, 409)
        tags = p.get("Tags") or []
        self._check_tags(tags)
        if len(tags) > MAX_TAGS:
            raise AwsError("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
        path = p.get("Path", "/")
        with self.emu.lock:
            if name.lower() in self.roles:
                raise AwsError("EntityAlreadyExists", "Role with name %s already exists." % name, 409)
            now = self.emu.now()
            r = {"Path": path, "RoleName": name, "RoleId": self._id("AROA"),
                 "Arn": "arn:aws:iam::%s:role%s%s" % (self.emu.account_id, path, name), "CreateDate": now,
                 "MaxSessionDuration": p.get("MaxSessionDuration", 3600), "Description": p.get("Description"),
                 "AssumeRolePolicyDocument": doc, "policies": {}, "changed_at": now,
                 "tags": {t["Key"].lower(): (t["Key"], t["Value"]) for t in tags}}
            self.roles[name.lower()] = r
            return {"Role": self._public(r)}

    def op_GetRole(self, req, p):
        with self.emu.lock:
            return {"Role": self._public(self._role(p["RoleName"]))}

    def op_UpdateAssumeRolePolicy(self, req, p):
        doc = p["PolicyDocument"]
        with self.emu.lock:
            r = self._role(p["RoleName"])
            _policy_json(doc)
            if len(doc) > TRUST_POLICY_LIMIT:
                raise AwsError("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d" % TRUST_POLICY_LIMIT,
                               409)
            r["AssumeRolePolicyDocument"] = doc
            r["changed_at"] = self.emu.now()
        return {}

    def op_DeleteRole(self, req, p):
        with self.emu.lock:
            r = self._role(p["RoleName"])
            if r["policies"]:
                raise AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
            del self.roles[r["RoleName"].lower()]
        return {}

    def op_PutRolePolicy(self, req, p):
        doc = p["PolicyDocument"]
        with self.emu.lock:
            r = self._role(p["RoleName"])
            _policy_json(doc)
            total = sum(len(v) for k, v in r["policies"].items() if k != p["PolicyName"]) + len(doc)
            if total > INLINE_POLICY_LIMIT:
                raise AwsError("LimitExceeded", "Maximum policy size of %d bytes exceeded for role %s"
                               % (INLINE_POLICY_LIMIT, r["RoleName"]), 409)
            r["policies"][p["PolicyName"]] = doc
            r["changed_at"] = self.emu.now()
        return {}

    def op_GetRolePolicy(self, req, p):
        with self.emu.lock:
            r = self._role(p["RoleName"])
            doc = r["policies"].get(p["PolicyName"])
            if doc is None:
                raise AwsError("NoSuchEntity", "The role policy with name %s cannot be found." % p["PolicyName"],
                               404)
            return {"RoleName": r["RoleName"], "PolicyName": p["PolicyName"],
                    "PolicyDocument": urllib.parse.quote(doc)}

    def op_ListRolePolicies(self, req, p):
        with self.emu.lock:
            names = sorted(self._role(p["RoleName"])["policies"])
        return self._page(p, names, "PolicyNames")

    def _page(self, p, items, field):
        start = 0
        if p.get("Marker") is not None:
            try:
                start = int(p["Marker"].replace("m", "", 1))
            except ValueError:
                raise AwsError("ValidationError", "Invalid Marker", 400)
        n = p.get("MaxItems", 100)
        page = items[start:start + n]
        out = {field: page, "IsTruncated": start + n < len(items)}
        if out["IsTruncated"]:
            out["Marker"] = "m%d" % (start + n)
        return out

    def op_DeleteRolePolicy(self, req, p):
        with self.emu.lock:
            r = self._role(p["RoleName"])
            if p["PolicyName"] not in r["policies"]:
                raise AwsError("NoSuchEntity", "The role policy with name %s cannot be found." % p["PolicyName"],
                               404)
            del r["policies"][p["PolicyName"]]
            r["changed_at"] = self.emu.now()
        return {}

    def op_TagRole(self, req, p):
        tags = p["Tags"]
        self._check_tags(tags)
        with self.emu.lock:
            r = self._role(p["RoleName"])
            merged = dict(r["tags"])
            for t in tags:
                merged[t["Key"].lower()] = (t["Key"], t["Value"])
            if len(merged) > MAX_TAGS:
                raise AwsError("LimitExceeded", "The number of tags has reached the maximum limit.", 409)
            r["tags"] = merged
        return {}

    def op_UntagRole(self, req, p):
        with self.emu.lock:
            r = self._role(p["RoleName"])
            for k in p["TagKeys"]:
                r["tags"].pop(k.lower(), None)
        return {}

    def op_ListRoleTags(self, req, p):
        with self.emu.lock:
            tags = [{"Key": k, "Value": v} for k, v in self._role(p["RoleName"])["tags"].values()]
        return self._page(p, tags, "Tags")

    def op_ListRoles(self, req, p):
        prefix = p.get("PathPrefix", "/")
        with self.emu.lock:
            roles = [self._public(r) for _, r in sorted(self.roles.items()) if r["Path"].startswith(prefix)]
        return self._page(p, roles, "Roles")
