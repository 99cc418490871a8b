"""CloudWatch Logs (JSON 1.1, Logs_20140328): the log groups and log streams Firehose error logging writes to,
their retention and tags. Regional, as in AWS. No log events are stored (Firehose's own writes are not modelled)."""

import re
import threading

from .core import AwsError
from .json11 import JsonService, _request

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
MAX_TAGS = 50
GROUP_RE = re.compile(r"^[\.\-_/#A-Za-z0-9]{1,512}$")
STREAM_RE = re.compile(r"^[^:*]{1,512}$")


def _check_name(value, member, rx, pattern):
    if not isinstance(value, str) or not rx.match(value):
        raise AwsError("InvalidParameterException",
                       "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must "
                       "satisfy regular expression pattern: %s" % (value, member, pattern))


class LogsService(JsonService):
    name = "logs"
    target_prefix = "Logs_20140328"
    operations = {
        "CreateLogGroup": "create_group",
        "DeleteLogGroup": "delete_group",
        "DescribeLogGroups": "describe_groups",
        "CreateLogStream": "create_stream",
        "DeleteLogStream": "delete_stream",
        "DescribeLogStreams": "describe_streams",
        "PutRetentionPolicy": "put_retention",
        "DeleteRetentionPolicy": "delete_retention",
        "TagResource": "tag",
        "UntagResource": "untag",
        "ListTagsForResource": "list_tags",
    }

    def __init__(self, emu):
        super().__init__(emu)
        self.groups = {}        # (region, name) -> group dict
        self._lock = threading.RLock()

    def reset(self):
        with self._lock:
            self.groups = {}

    def parse_body(self, req, op):
        # CloudWatch Logs answers a request that breaks the model with InvalidParameterException, not the
        # ValidationException of the other JSON services.
        try:
            return super().parse_body(req, op)
        except AwsError as e:
            if e.code != "ValidationException":
                raise
            raise AwsError("InvalidParameterException", e.message, e.status) from None

    # ------------------------------------------------------------------ helpers
    def _region(self):
        return getattr(_request, "region", None) or self.region()

    def _arn(self, name):
        return "arn:aws:logs:%s:%s:log-group:%s" % (self._region(), self.emu.account_id, name)

    def _group(self, name):
        g = self.groups.get((self._region(), name))
        if g is None:
            raise AwsError("ResourceNotFoundException", "The specified log group does not exist.")
        return g

    def _group_by_arn(self, arn):
        for (region, _), g in self.groups.items():
            if region == self._region() and arn in (g["arn"], g["arn"] + ":*"):
                return g
        raise AwsError("ResourceNotFoundException", "The specified resource does not exist.")

    def _check_tags(self, existing, tags):
        for k in tags:
            if k.lower().startswith("aws:"):
                raise AwsError("InvalidParameterException", "Tag keys cannot start with the prefix 'aws:'.")
        if len(set(existing) | set(tags)) > MAX_TAGS:
            raise AwsError("InvalidParameterException", "A resource can have at most %d tags." % MAX_TAGS)

    @staticmethod
    def _page(items, p, key, limit_max):
        start = 0
        if p.get("nextToken") is not None:
            try:
                start = int(p["nextToken"])
            except ValueError:
                raise AwsError("InvalidParameterException", "The specified nextToken is not valid.")
        n = p.get("limit", limit_max)
        out = {key: items[start:start + n]}
        if start + n < len(items):
            out["nextToken"] = str(start + n)
        return out

    # ------------------------------------------------------------------ groups
    def create_group(self, req, p):
        name = p["logGroupName"]
        _check_name(name, "logGroupName", GROUP_RE, "[\\.\\-_/#A-Za-z0-9]+")
        tags = p.get("tags") or {}
        self._check_tags({}, tags)
        with self._lock:
            if (self._region(), name) in self.groups:
                raise AwsError("ResourceAlreadyExistsException", "The specified log group already exists")
            self.groups[(self._region(), name)] = {
                "name": name, "arn": self._arn(name), "created": int(self.emu.now() * 1000), "retention": None,
                "tags": dict(tags), "streams": {}}
        return {}

    def delete_group(self, req, p):
        with self._lock:
            g = self._group(p["logGroupName"])
            del self.groups[(self._region(), g["name"])]
        return {}

    def _public_group(self, g):
        out = {"logGroupName": g["name"], "creationTime": g["created"], "metricFilterCount": 0,
               "arn": g["arn"] + ":*", "logGroupArn": g["arn"], "storedBytes": 0, "logGroupClass": "STANDARD"}
        if g["retention"] is not None:
            out["retentionInDays"] = g["retention"]
        return out

    def describe_groups(self, req, p):
        prefix = p.get("logGroupNamePrefix") or ""
        with self._lock:
            groups = [self._public_group(g) for (region, name), g in sorted(self.groups.items())
                      if region == self._region() and name.startswith(prefix)]
        return self._page(groups, p, "logGroups", 50)

    def put_retention(self, req, p):
        days = p["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise AwsError("InvalidParameterException",
                           "1 validation error detected: Value '%s' at 'retentionInDays' failed to satisfy "
                           "constraint: Member must satisfy enum value set: [%s]"
                           % (days, ", ".join(str(d) for d in RETENTION_DAYS)))
        with self._lock:
            self._group(p["logGroupName"])["retention"] = days
        return {}

    def delete_retention(self, req, p):
        with self._lock:
            self._group(p["logGroupName"])["retention"] = None
        return {}

    # ------------------------------------------------------------------ streams
    def create_stream(self, req, p):
        _check_name(p["logStreamName"], "logStreamName", STREAM_RE, "[^:*]*")
        with self._lock:
            g = self._group(p["logGroupName"])
            if p["logStreamName"] in g["streams"]:
                raise AwsError("ResourceAlreadyExistsException", "The specified log stream already exists")
            g["streams"][p["logStreamName"]] = {"created": int(self.emu.now() * 1000)}
        return {}

    def delete_stream(self, req, p):
        with self._lock:
            g = self._group(p["logGroupName"])
            if p["logStreamName"] not in g["streams"]:
                raise AwsError("ResourceNotFoundException", "The specified log stream does not exist.")
            del g["streams"][p["logStreamName"]]
        return {}

    def describe_streams(self, req, p):
        prefix = p.get("logStreamNamePrefix") or ""
        with self._lock:
            g = self._group(p["logGroupName"])
            streams = [{"logStreamName": n, "creationTime": s["created"], "storedBytes": 0,
                        "arn": "%s:log-stream:%s" % (g["arn"], n)}
                       for n, s in sorted(g["streams"].items()) if n.startswith(prefix)]
        return self._page(streams, p, "logStreams", 50)

    # ------------------------------------------------------------------ tags
    def tag(self, req, p):
        with self._lock:
            g = self._group_by_arn(p["resourceArn"])
            self._check_tags(g["tags"], p["tags"])
            g["tags"].update(p["tags"])
        return {}

    def untag(self, req, p):
        with self._lock:
            g = self._group_by_arn(p["resourceArn"])
            for k in p["tagKeys"]:
                g["tags"].pop(k, None)
        return {}

    def list_tags(self, req, p):
        with self._lock:
            return {"tags": dict(self._group_by_arn(p["resourceArn"])["tags"])}
