"""IAM (Query protocol): roles, inline role policies, managed policies attached to roles, permissions
boundaries, role tags."""

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
MAX_ATTACHED = 10               # default quota: managed policies per role
POLICY_ARN_RX = re.compile(r"^arn:aws[a-zA-Z-]*:iam::(aws|\d{12}):policy(/(?:[\x21-\x7e]*/)?)?([\w+=,.@-]+)$")

# The AWS managed policies the emulator knows, with documents cut down to what it evaluates.
AWS_MANAGED = {
    "AdministratorAccess": {"Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "ReadOnlyAccess": {"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Resource": "*",
                                      "Action": ["s3:Get*", "s3:List*", "firehose:Describe*", "firehose:List*",
                                                 "kinesis:Describe*", "kinesis:Get*", "kinesis:List*",
                                                 "iam:Get*", "iam:List*", "logs:Describe*", "logs:Get*"]}]},
    "AmazonS3FullAccess": {"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"],
                                          "Resource": "*"}]},
    "AmazonKinesisFirehoseFullAccess": {"Version": "2012-10-17",
                                        "Statement": [{"Effect": "Allow", "Action": "firehose:*",
                                                       "Resource": "*"}]},
}


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
        self.policies = {}  # customer managed: ARN -> {"PolicyName", "Arn", "Document", "attached"}
        self._rng = random.Random()

    def reset(self):
        with self.emu.lock:
            self.roles = {}
            self.policies = {}

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
                    "policies": {k: json.loads(v) for k, v in r["policies"].items()},
                    "attached": {a: self._managed_doc(a) for a in r["attached"]},
                    "boundary": self._managed_doc(r["boundary"]) if r.get("boundary") else None}

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

    def _managed(self, arn):
        """(name, document) of an attachable managed policy, or NoSuchEntity."""
        m = POLICY_ARN_RX.match(arn or "")
        if not m:
            raise AwsError("InvalidInput", "ARN %s is not valid." % arn, 400)
        if m.group(1) == "aws" and (m.group(2) or "/") == "/" and m.group(3) in AWS_MANAGED:
            return m.group(3), AWS_MANAGED[m.group(3)]
        pol = self.policies.get(arn)
        if pol is None:
            raise AwsError("NoSuchEntity", "Policy %s does not exist or is not attachable." % arn, 404)
        return pol["PolicyName"], json.loads(pol["Document"])

    def _managed_doc(self, arn):
        try:
            return self._managed(arn)[1]
        except AwsError:
            return {"Statement": []}

    def _public(self, r):
        out = {k: r[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "MaxSessionDuration")}
        out["AssumeRolePolicyDocument"] = urllib.parse.quote(r["AssumeRolePolicyDocument"])
        if r.get("Description") is not None:
            out["Description"] = r["Description"]
        if r.get("boundary"):
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": r["boundary"]}
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
        boundary = p.get("PermissionsBoundary")
        with self.emu.lock:
            if boundary is not None:
                self._managed(boundary)
            if name.lower() in self.roles:
                raise AwsError("EntityAlreadyExists", "Role with name %s already exists." % name, 409)
            now = self.emu.now()
            r = {"Path": path, "RoleName": name, "RoleId": self._id("AROA"),
                 "Arn": "arn:aws:iam::%s:role%s%s" % (self.emu.account_id, path, name), "CreateDate": now,
                 "MaxSessionDuration": p.get("MaxSessionDuration", 3600), "Description": p.get("Description"),
                 "AssumeRolePolicyDocument": doc, "policies": {}, "attached": [], "changed_at": now,
                 "boundary": boundary,
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
            if r["attached"]:
                raise AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
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

    # ------------------------------------------------------------------ managed policies
    def op_CreatePolicy(self, req, p):
        doc = p["PolicyDocument"]
        _policy_json(doc)
        path = p.get("Path", "/")
        arn = "arn:aws:iam::%s:policy%s%s" % (self.emu.account_id, path, p["PolicyName"])
        with self.emu.lock:
            if any(k.lower() == arn.lower() for k in self.policies):
                raise AwsError("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are "
                               "not allowed." % p["PolicyName"], 409)
            pol = {"PolicyName": p["PolicyName"], "PolicyId": self._id("ANPA"), "Arn": arn, "Path": path,
                   "Document": doc, "attached": 0, "CreateDate": self.emu.now()}
            self.policies[arn] = pol
            return {"Policy": self._policy_public(pol)}

    def _policy_public(self, pol):
        return {"PolicyName": pol["PolicyName"], "PolicyId": pol["PolicyId"], "Arn": pol["Arn"],
                "Path": pol["Path"], "DefaultVersionId": "v1", "AttachmentCount": pol["attached"],
                "PermissionsBoundaryUsageCount": 0, "IsAttachable": True, "CreateDate": pol["CreateDate"],
                "UpdateDate": pol["CreateDate"]}

    def op_GetPolicy(self, req, p):
        with self.emu.lock:
            pol = self.policies.get(p["PolicyArn"])
            if pol is None:
                self._managed(p["PolicyArn"])           # InvalidInput for a malformed ARN
                raise AwsError("NoSuchEntity", "Policy %s was not found." % p["PolicyArn"], 404)
            return {"Policy": self._policy_public(pol)}

    def op_DeletePolicy(self, req, p):
        with self.emu.lock:
            pol = self.policies.get(p["PolicyArn"])
            if pol is None:
                self._managed(p["PolicyArn"])
                raise AwsError("NoSuchEntity", "Policy %s was not found." % p["PolicyArn"], 404)
            if pol["attached"]:
                raise AwsError("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
            del self.policies[p["PolicyArn"]]
        return {}

    def op_AttachRolePolicy(self, req, p):
        arn = p["PolicyArn"]
        with self.emu.lock:
            r = self._role(p["RoleName"])
            self._managed(arn)
            if arn in r["attached"]:
                return {}
            if len(r["attached"]) >= MAX_ATTACHED:
                raise AwsError("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: %d" % MAX_ATTACHED, 409)
            r["attached"].append(arn)
            if arn in self.policies:
                self.policies[arn]["attached"] += 1
            r["changed_at"] = self.emu.now()
        return {}

    def op_DetachRolePolicy(self, req, p):
        arn = p["PolicyArn"]
        with self.emu.lock:
            r = self._role(p["RoleName"])
            if not POLICY_ARN_RX.match(arn):
                raise AwsError("InvalidInput", "ARN %s is not valid." % arn, 400)
            if arn not in r["attached"]:
                raise AwsError("NoSuchEntity", "Policy %s was not found." % arn, 404)
            r["attached"].remove(arn)
            if arn in self.policies:
                self.policies[arn]["attached"] -= 1
            r["changed_at"] = self.emu.now()
        return {}

    def op_ListAttachedRolePolicies(self, req, p):
        prefix = p.get("PathPrefix", "/")
        with self.emu.lock:
            r = self._role(p["RoleName"])
            out = []
            for arn in r["attached"]:
                m = POLICY_ARN_RX.match(arn)
                if (m.group(2) or "/").startswith(prefix):
                    out.append({"PolicyName": m.group(3), "PolicyArn": arn})
        return self._page(p, out, "AttachedPolicies")

    def op_PutRolePermissionsBoundary(self, req, p):
        with self.emu.lock:
            r = self._role(p["RoleName"])
            self._managed(p["PermissionsBoundary"])
            r["boundary"] = p["PermissionsBoundary"]
            r["changed_at"] = self.emu.now()
        return {}

    def op_DeleteRolePermissionsBoundary(self, req, p):
        with self.emu.lock:
            r = self._role(p["RoleName"])
            if not r.get("boundary"):
                raise AwsError("NoSuchEntity", "The role with name %s does not have a permissions boundary."
                               % r["RoleName"], 404)
            r["boundary"] = None
            r["changed_at"] = self.emu.now()
        return {}
