"""S3 bucket policy evaluation, as S3 does it for the owner's bucket (see DESIGN.md "Bucket policies").

evaluate(doc, ctx) -> "deny" | "allow" | None  (None: no statement applies)
An explicit Deny wins over any Allow. ctx is a Context: who asks (principal ARN and account), the IAM
action, the resource ARN and the condition keys of the request.
validate(doc) raises ValueError with S3's MalformedPolicy wording for what S3 refuses at PutBucketPolicy.
"""

import fnmatch
import ipaddress
import re

NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
           "NotIpAddress", "NumericNotEquals", "DateNotEquals")
OPERATORS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
             "StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike",
             "Bool", "IpAddress", "NotIpAddress", "NumericEquals", "NumericNotEquals", "NumericLessThan",
             "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "Null",
             "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
             "DateGreaterThanEquals")


class Context:
    def __init__(self, principal_arn, account, action, resource, keys=None):
        self.principal_arn = principal_arn
        self.account = account
        self.action = action
        self.resource = resource
        # condition keys, case-insensitive: name -> str or list of str
        self.keys = {k.lower(): v for k, v in (keys or {}).items()}
        self.keys.setdefault("aws:principalarn", principal_arn)
        self.keys.setdefault("aws:principalaccount", account)


def _list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _glob(pattern, value, case=True):
    """IAM wildcards: * any run, ? one character; nothing else is special."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, 0 if case else re.IGNORECASE | re.DOTALL) is not None


def _role_of_session(arn):
    """arn:aws:sts::A:assumed-role/NAME/SESSION -> (A, NAME); else None."""
    m = re.fullmatch(r"arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+", arn or "")
    return (m.group(1), m.group(2), m.group(3)) if m else None


def _principal_matches(value, ctx, exact=False):
    """exact (NotPrincipal): an account or its root names the root alone, not every principal of it."""
    if value == "*":
        return True
    if exact and (re.fullmatch(r"\d{12}", value) or re.fullmatch(r"arn:[^:]+:iam::\d{12}:root", value)):
        acct = value if value.isdigit() else value.split(":")[4]
        return ctx.principal_arn == "arn:aws:iam::%s:root" % acct
    if re.fullmatch(r"\d{12}", value):
        return value == ctx.account
    m = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", value)
    if m:
        return m.group(1) == ctx.account
    if value == ctx.principal_arn:
        return True
    # A statement naming a role covers that role's sessions.
    sess = _role_of_session(ctx.principal_arn)
    m = re.fullmatch(r"arn:([^:]+):iam::(\d{12}):role/(?:.*/)?([^/]+)", value)
    return bool(sess and m and (m.group(1), m.group(2), m.group(3)) == sess)


def _principal_spec_matches(spec, ctx, exact=False):
    if spec == "*":
        return True
    if isinstance(spec, dict):
        return any(_principal_matches(v, ctx, exact) for v in _list(spec.get("AWS")))
    return False


def _key_values(ctx, key):
    v = ctx.keys.get(key.lower())
    return None if v is None else [str(x) for x in _list(v)]


def _num(s):
    return float(s)


def _one(op, have, want):
    """One request value against one policy value, for a positive operator."""
    if op in ("StringEquals", "ArnEquals"):
        return have == want
    if op == "StringEqualsIgnoreCase":
        return have.lower() == want.lower()
    if op in ("StringLike", "ArnLike"):
        return _glob(want, have)
    if op == "Bool":
        return have.lower() == str(want).lower()
    if op == "IpAddress":
        try:
            return ipaddress.ip_address(have) in ipaddress.ip_network(want, strict=False)
        except ValueError:
            return False
    if op.startswith("Numeric"):
        try:
            a, b = _num(have), _num(want)
        except ValueError:
            return False
        return {"NumericEquals": a == b, "NumericLessThan": a < b, "NumericLessThanEquals": a <= b,
                "NumericGreaterThan": a > b, "NumericGreaterThanEquals": a >= b}[op]
    if op.startswith("Date"):
        return {"DateEquals": have == want, "DateLessThan": have < want, "DateLessThanEquals": have <= want,
                "DateGreaterThan": have > want, "DateGreaterThanEquals": have >= want}[op]
    raise ValueError(op)


POSITIVE = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
            "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
            "NotIpAddress": "IpAddress", "NumericNotEquals": "NumericEquals", "DateNotEquals": "DateEquals"}


def _split(name):
    """'ForAnyValue:StringLikeIfExists' -> ('any', 'StringLike', True)"""
    qual = None
    if ":" in name:
        q, name = name.split(":", 1)
        qual = {"foranyvalue": "any", "forallvalues": "all"}.get(q.lower(), "?")
    if_exists = name.endswith("IfExists") and name != "IfExists"
    if if_exists:
        name = name[: -len("IfExists")]
    return qual, name, if_exists


def _condition_true(opname, key, wanted, ctx):
    qual, op, if_exists = _split(opname)
    have = _key_values(ctx, key)
    wanted = [str(w).lower() if isinstance(w, bool) else str(w) for w in _list(wanted)]
    if op == "Null":
        # "true": the key must be absent; "false": present
        return any((w.lower() == "true") == (have is None) for w in wanted)
    if have is None:
        return True if if_exists else op in NEGATED
    positive = POSITIVE.get(op, op)

    def matches(value):
        return any(_one(positive, value, w) for w in wanted)

    if qual == "all":
        result = all(matches(v) for v in have)
    else:
        result = any(matches(v) for v in have)
    return not result if op in NEGATED else result


def _statement_applies(st, ctx):
    if "Principal" in st and not _principal_spec_matches(st["Principal"], ctx):
        return False
    if "NotPrincipal" in st and _principal_spec_matches(st["NotPrincipal"], ctx, exact=True):
        return False
    act = ctx.action.lower()
    if "Action" in st and not any(_glob(a.lower(), act) for a in _list(st["Action"])):
        return False
    if "NotAction" in st and any(_glob(a.lower(), act) for a in _list(st["NotAction"])):
        return False
    if "Resource" in st and not any(_glob(r, ctx.resource) for r in _list(st["Resource"])):
        return False
    if "NotResource" in st and any(_glob(r, ctx.resource) for r in _list(st["NotResource"])):
        return False
    for opname, body in (st.get("Condition") or {}).items():
        for key, wanted in body.items():
            if not _condition_true(opname, key, wanted, ctx):
                return False
    return True


def evaluate(doc, ctx):
    allowed = False
    for st in _list(doc.get("Statement")):
        if not isinstance(st, dict) or not _statement_applies(st, ctx):
            continue
        if st.get("Effect") == "Deny":
            return "deny"
        if st.get("Effect") == "Allow":
            allowed = True
    return "allow" if allowed else None


def validate(doc):
    """What S3 refuses at PutBucketPolicy (the messages are S3's)."""
    sts = doc.get("Statement")
    if sts is None:
        raise ValueError("Missing required field Statement")
    for st in _list(sts):
        if not isinstance(st, dict):
            raise ValueError("Statement is not an object")
        if st.get("Effect") not in ("Allow", "Deny"):
            raise ValueError("Invalid effect: %s" % st.get("Effect"))
        if "Principal" not in st and "NotPrincipal" not in st:
            raise ValueError("Missing required field Principal")
        if "Action" not in st and "NotAction" not in st:
            raise ValueError("Missing required field Action")
        if "Resource" not in st and "NotResource" not in st:
            raise ValueError("Missing required field Resource")
        for opname, body in (st.get("Condition") or {}).items():
            qual, op, _ = _split(opname)
            if qual == "?" or op not in OPERATORS or not isinstance(body, dict):
                raise ValueError("Policy has an invalid condition key")
        for r in _list(st.get("Resource")) + _list(st.get("NotResource")):
            if r != "*" and not fnmatch.fnmatchcase(r, "arn:*:s3:::*"):
                raise ValueError("Policy has invalid resource")
