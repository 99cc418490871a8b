"""Kinesis Data Streams (JSON 1.1, X-Amz-Target Kinesis_20131202.<Op>).

State lives in memory and is guarded by emu.lock. Stream status transitions (CREATING -> ACTIVE,
UPDATING -> ACTIVE, DELETING -> gone) are evaluated lazily against emu.now() using the config key
lifecycle_seconds (json11.StreamService), so no timer thread is needed.
"""

import base64
import bisect
import collections
import hashlib
import json
import re

from .core import AwsError
from .json11 import StreamService, b64decode_strict, buf_repr, check_record_count, validation_message

HASH_MAX = (1 << 128) - 1
SEQ_BASE = 49 * 10 ** 54                  # sequence numbers are 56-digit decimals like AWS
MAX_RECORD_BYTES = 1024 * 1024          # data + partition key
MAX_RECORDS = 500
ITERATOR_TTL = 300.0
SHARD_LIMIT = 500                       # per stream, emulator sanity limit (LimitExceededException)


def utf16_len(s):
    """Length as Java counts it (UTF-16 code units); the model's 256-char partition key limit."""
    return len(s.encode("utf-16-le")) // 2


class Shard:
    __slots__ = ("shard_id", "start_hash", "end_hash", "start_seq", "end_seq", "parent", "adjacent_parent",
                 "seqs", "records", "window", "win_records", "win_bytes")

    def __init__(self, shard_id, start_hash, end_hash, start_seq, parent=None, adjacent_parent=None):
        self.shard_id = shard_id
        self.start_hash = start_hash
        self.end_hash = end_hash
        self.start_seq = start_seq
        self.end_seq = None
        self.parent = parent
        self.adjacent_parent = adjacent_parent
        self.seqs = []          # sorted sequence numbers (ints)
        self.records = []       # (seq, data, partition_key, arrival)
        self.window = collections.deque()  # (time, bytes) of the writes in the last second
        self.win_records = 0
        self.win_bytes = 0

    def over_cap(self, size, now):
        """True when a write of size bytes (data + key) passes 1,000 records or 1 MiB in the last second."""
        w = self.window
        while w and w[0][0] <= now - 1.0:
            t, n = w.popleft()
            self.win_records -= 1
            self.win_bytes -= n
        if self.win_records + 1 > 1000 or self.win_bytes + size > 1024 * 1024:
            return True
        w.append((now, size))
        self.win_records += 1
        self.win_bytes += size
        return False

    def describe(self):
        d = {"ShardId": self.shard_id,
             "HashKeyRange": {"StartingHashKey": str(self.start_hash), "EndingHashKey": str(self.end_hash)},
             "SequenceNumberRange": {"StartingSequenceNumber": str(self.start_seq)}}
        if self.end_seq is not None:
            d["SequenceNumberRange"]["EndingSequenceNumber"] = str(self.end_seq)
        if self.parent:
            d["ParentShardId"] = self.parent
        if self.adjacent_parent:
            d["AdjacentParentShardId"] = self.adjacent_parent
        return d


def even_ranges(n):
    size = (HASH_MAX + 1) // n
    out = []
    for i in range(n):
        start = i * size
        end = HASH_MAX if i == n - 1 else (i + 1) * size - 1
        out.append((start, end))
    return out


class Stream:
    def __init__(self, name, arn, mode, shard_count, created, ready_at, seq_start):
        self.name = name
        self.arn = arn
        self.mode = mode
        self.created = created
        self.status = "CREATING"
        self.status_until = ready_at
        self.retention = 24
        self.shards = []
        self.next_shard_index = 0
        self.pending_shard_count = None
        self.seq = seq_start          # last issued sequence number
        self.tags = {}
        for start, end in even_ranges(shard_count):
            self.shards.append(Shard(self._new_shard_id(), start, end, self.seq + 1))

    def _new_shard_id(self):
        sid = "shardId-%012d" % self.next_shard_index
        self.next_shard_index += 1
        return sid

    def open_shards(self):
        return [s for s in self.shards if s.end_seq is None]

    def shard_for_hash(self, h):
        for s in self.open_shards():
            if s.start_hash <= h <= s.end_hash:
                return s
        raise AwsError("InternalFailure", "No open shard for hash key", status=500, sender_fault=False)

    def reshard(self, target):
        """Close every open shard and open `target` evenly split shards (UNIFORM_SCALING result)."""
        old = self.open_shards()
        boundary = self.seq
        for s in old:
            s.end_seq = boundary
        for start, end in even_ranges(target):
            parents = [s for s in old if s.start_hash <= end and start <= s.end_hash]
            parent = parents[0].shard_id if parents else None
            adjacent = parents[1].shard_id if len(parents) > 1 else None
            self.shards.append(Shard(self._new_shard_id(), start, end, boundary + 1, parent, adjacent))


class KinesisService(StreamService):
    name = "kinesis"
    target_prefix = "Kinesis_20131202"
    label = "Stream"
    name_key, name_member, name_max, name_arn_key = "StreamName", "streamName", 128, "StreamARN"
    put_op, batch_op, batch_max_records, record_member = "PutRecord", "PutRecords", MAX_RECORDS, None
    operations = {
        "CreateStream": "create_stream",
        "DeleteStream": "delete",
        "DescribeStream": "describe_stream",
        "DescribeStreamSummary": "describe_stream_summary",
        "ListStreams": "list_streams",
        "ListShards": "list_shards",
        "PutRecord": "put_record",
        "PutRecords": "put_records",
        "GetShardIterator": "get_shard_iterator",
        "GetRecords": "get_records",
        "IncreaseStreamRetentionPeriod": "increase_retention",
        "DecreaseStreamRetentionPeriod": "decrease_retention",
        "UpdateShardCount": "update_shard_count",
        "UpdateStreamMode": "update_stream_mode",
        "AddTagsToStream": "add_tags",
        "ListTagsForStream": "list_tags",
        "RemoveTagsFromStream": "remove_tags",
    }

    def __init__(self, emu):
        super().__init__(emu)
        self.reset()

    def reset(self):
        with self.emu.lock:
            self.streams = {}
            self._partial_counter = 0
            self._fast_seq = 0

    # ------------------------------------------------------------------ plumbing
    def put_body_limit(self):
        limit = int(self.cfg("kinesis_max_request_bytes", 5 * 1024 * 1024))
        # base64 inflates 4/3, plus JSON framing per record; generous but bounded
        return max(limit, MAX_RECORD_BYTES) * 2 + 1024 * 1024

    def _settle(self, s):
        if s.pending_shard_count is not None:
            s.reshard(s.pending_shard_count)
            s.pending_shard_count = None

    def _require_writable(self, s):
        if s.status not in ("ACTIVE", "UPDATING"):
            raise AwsError("ResourceInUseException",
                           f"Stream {s.name} under account {self.account()} not ACTIVE or UPDATING, "
                           f"instead in state {s.status}")

    def _require_active(self, s):
        if s.status != "ACTIVE":
            raise AwsError("ResourceInUseException",
                           f"Stream {s.name} under account {self.account()} not ACTIVE, instead in state "
                           f"{s.status}")

    # ------------------------------------------------------------------ control plane
    def create_stream(self, req, p):
        name = self._name(p)
        mode = (p.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
        count = p.get("ShardCount")
        if mode == "ON_DEMAND":
            if count is not None:
                raise AwsError("ValidationException",
                               "ShardCount cannot be specified when StreamMode is ON_DEMAND")
            count = 4
        else:
            if count is None:
                raise AwsError("ValidationException",
                               "ShardCount is required when StreamMode is PROVISIONED")
            if not isinstance(count, int) or count < 1:
                raise AwsError("ValidationException",
                               f"1 validation error detected: Value '{count}' at 'shardCount' failed to satisfy "
                               "constraint: Member must have value greater than or equal to 1")
            if count > SHARD_LIMIT:
                raise AwsError("LimitExceededException",
                               f"This request would exceed the shard limit for the account {self.account()} in "
                               f"{self.region(req)}. Current shard count for the account: 0. Limit: {SHARD_LIMIT}. "
                               f"Number of additional shards that would have resulted from this request: {count}.")
        with self.emu.lock:
            if self._refresh(name) is not None:
                raise AwsError("ResourceInUseException",
                               f"Stream {name} under account {self.account()} already exists.")
            self._taken_elsewhere(name)
            now = self.emu.now()
            arn = f"arn:aws:kinesis:{self.region(req)}:{self.account()}:stream/{name}"
            s = Stream(name, arn, mode, count, now, now + self._lifecycle(), SEQ_BASE)
            if isinstance(p.get("Tags"), dict):          # newer clients may send Tags on CreateStream
                s.tags.update(p["Tags"])
            self.streams[name] = s
            self._refresh(name)
        return {}

    def _creating_refusal(self, name):
        return AwsError("ResourceInUseException",
                        f"Stream {name} under account {self.account()} not ACTIVE, instead in state CREATING")

    def _summary(self, s):
        d = {"StreamName": s.name, "StreamARN": s.arn, "StreamStatus": s.status,
             "StreamModeDetails": {"StreamMode": s.mode},
             "RetentionPeriodHours": s.retention, "StreamCreationTimestamp": s.created,
             "EnhancedMonitoring": [{"ShardLevelMetrics": []}], "EncryptionType": "NONE",
             "OpenShardCount": len(s.open_shards()), "ConsumerCount": 0}
        return d

    def describe_stream_summary(self, req, p):
        name = self._name(p)
        with self.emu.lock:
            return {"StreamDescriptionSummary": self._summary(self._get(name))}

    def describe_stream(self, req, p):
        name = self._name(p)
        limit = p.get("Limit") or 100
        start = p.get("ExclusiveStartShardId")
        with self.emu.lock:
            s = self._get(name)
            shards = s.shards
            if start:
                shards = [x for x in shards if x.shard_id > start]
            page = shards[:limit]
            d = self._summary(s)
            for k in ("OpenShardCount", "ConsumerCount"):
                d.pop(k)
            d["Shards"] = [x.describe() for x in page]
            d["HasMoreShards"] = len(shards) > len(page)
            return {"StreamDescription": d}

    def list_streams(self, req, p):
        limit = p.get("Limit") or 100
        start = p.get("ExclusiveStartStreamName")
        with self.emu.lock:
            self.refresh_all()
            names = sorted(self.visible_names())
        if start:
            names = [n for n in names if n > start]
        page = names[:limit]
        return {"StreamNames": page, "HasMoreStreams": len(names) > len(page)}

    def list_shards(self, req, p):
        token = p.get("NextToken")
        max_results = p.get("MaxResults") or 1000
        if token:
            if p.get("StreamName") or p.get("StreamARN"):
                raise AwsError("InvalidArgumentException",
                               "NextToken and StreamName cannot be provided together.")
            try:
                tok = json.loads(base64.b64decode(token))
                name, after = tok["s"], tok["a"]
            except Exception:
                raise AwsError("InvalidArgumentException", "Invalid ShardIterator/NextToken.") from None
        else:
            name = self._name(p)
            after = p.get("ExclusiveStartShardId")
            flt = p.get("ShardFilter") or {}
            if flt.get("Type") == "AFTER_SHARD_ID":
                after = flt.get("ShardId")
        with self.emu.lock:
            s = self._get(name)
            if s.status == "CREATING":
                raise AwsError("ResourceInUseException",
                               f"Stream {name} under account {self.account()} not ACTIVE or UPDATING, "
                               "instead in state CREATING")
            shards = s.shards
            flt = p.get("ShardFilter") or {}
            if flt.get("Type") in ("AT_LATEST",):
                shards = [x for x in shards if x.end_seq is None]
            if after:
                shards = [x for x in shards if x.shard_id > after]
            page = shards[:max_results]
            out = {"Shards": [x.describe() for x in page]}
            if len(shards) > len(page):
                out["NextToken"] = base64.b64encode(
                    json.dumps({"s": name, "a": page[-1].shard_id}).encode()).decode()
            return out

    def _retention(self, req, p, increase):
        name = self._name(p)
        hours = p.get("RetentionPeriodHours")
        with self.emu.lock:
            s = self._get(name)
            self._require_active(s)
            if not isinstance(hours, int):
                raise AwsError("ValidationException", "RetentionPeriodHours must be an integer")
            if hours < 24:
                raise AwsError("InvalidArgumentException",
                               f"Minimum allowed retention period is 24 hours. Requested retention period "
                               f"({hours} hours) is too short.")
            if hours > 8760:
                raise AwsError("InvalidArgumentException",
                               f"Maximum allowed retention period is 8760 hours. Requested retention period "
                               f"({hours} hours) is too long.")
            if increase and hours < s.retention:
                raise AwsError("InvalidArgumentException",
                               f"Requested retention period ({hours} hours) for stream {name} can not be shorter "
                               f"than existing retention period ({s.retention} hours). Use "
                               "DecreaseRetentionPeriod API.")
            if not increase and hours > s.retention:
                raise AwsError("InvalidArgumentException",
                               f"Requested retention period ({hours} hours) for stream {name} can not be longer "
                               f"than existing retention period ({s.retention} hours). Use "
                               "IncreaseRetentionPeriod API.")
            if hours != s.retention:
                s.retention = hours
                self._begin(s, "UPDATING")
        return {}

    def increase_retention(self, req, p):
        return self._retention(req, p, True)

    def decrease_retention(self, req, p):
        return self._retention(req, p, False)

    def update_shard_count(self, req, p):
        name = self._name(p)
        target = p.get("TargetShardCount")
        if p.get("ScalingType") != "UNIFORM_SCALING":
            raise AwsError("ValidationException",
                           f"1 validation error detected: Value '{p.get('ScalingType')}' at 'scalingType' failed "
                           "to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]")
        if not isinstance(target, int) or target < 1:
            raise AwsError("ValidationException",
                           f"1 validation error detected: Value '{target}' at 'targetShardCount' failed to "
                           "satisfy constraint: Member must have value greater than or equal to 1")
        with self.emu.lock:
            s = self._get(name)
            self._require_active(s)
            if s.mode == "ON_DEMAND":
                raise AwsError("ValidationException",
                               "UpdateShardCount is not supported for streams in ON_DEMAND mode.")
            current = len(s.open_shards())
            if target > 2 * current:
                raise AwsError("InvalidArgumentException",
                               f"UpdateShardCount failed for stream {name} under account {self.account()}: "
                               f"cannot scale up to more than double the current open shard count ({current}).")
            if target * 2 < current:
                raise AwsError("InvalidArgumentException",
                               f"UpdateShardCount failed for stream {name} under account {self.account()}: "
                               f"cannot scale down below half the current open shard count ({current}).")
            if target > SHARD_LIMIT:
                raise AwsError("LimitExceededException", f"Target shard count exceeds the limit of {SHARD_LIMIT}.")
            if target != current:
                s.pending_shard_count = target
                self._begin(s, "UPDATING")
            return {"StreamName": name, "CurrentShardCount": current, "TargetShardCount": target}

    def update_stream_mode(self, req, p):
        # The model check (parse_body) has already required a well-formed StreamARN and a StreamMode enum value.
        arn = p["StreamARN"]
        mode = p["StreamModeDetails"]["StreamMode"]
        name = arn.split(":stream/", 1)[1]      # the ARN alone names the stream (the pattern guarantees the split)
        with self.emu.lock:
            s = self._refresh(name)
            if s is None or s.arn != arn:
                raise self._not_found(name)
            self._require_active(s)
            # Open shards stay as they are either way: PROVISIONED keeps the count the stream had.
            if mode != s.mode:
                s.mode = mode
                self._begin(s, "UPDATING")
        return {}

    def add_tags(self, req, p):
        name = self._name(p)
        with self.emu.lock:
            s = self._get(name)
            tags = p.get("Tags") or {}
            if len(set(s.tags) | set(tags)) > 50:
                raise AwsError("InvalidArgumentException", "A stream cannot have more than 50 tags.")
            s.tags.update(tags)
        return {}

    # ------------------------------------------------------------------ data plane
    def _check_entries(self, entries, single):
        """Decode and check every entry; returns [(data, key, explicit_hash_int|None)].

        Model constraints (data <= 1 MiB, key 1..256 UTF-16 units) -> ValidationException listing every
        violation; AWS's own checks (data+key <= 1 MiB, request total, ExplicitHashKey range) ->
        InvalidArgumentException.
        """
        errors = []
        decoded = []
        for i, e in enumerate(entries, 1):
            where = "" if single else f"records.{i}.member."
            if not isinstance(e, dict):
                raise AwsError("SerializationException", "Start of structure or map found where not expected.")
            if "Data" not in e or e["Data"] is None:
                errors.append(f"Value null at '{where}data' failed to satisfy constraint: Member must not be null")
                decoded.append(None)
                continue
            data = b64decode_strict(e["Data"])
            key = e.get("PartitionKey")
            if key is None:
                errors.append(f"Value null at '{where}partitionKey' failed to satisfy constraint: "
                              "Member must not be null")
            elif not isinstance(key, str):
                raise AwsError("SerializationException", "PartitionKey must be a string")
            else:
                klen = utf16_len(key)
                if klen < 1:
                    errors.append(f"Value '{key}' at '{where}partitionKey' failed to satisfy constraint: "
                                  "Member must have length greater than or equal to 1")
                elif klen > 256:
                    errors.append(f"Value '{key}' at '{where}partitionKey' failed to satisfy constraint: "
                                  "Member must have length less than or equal to 256")
            if len(data) > MAX_RECORD_BYTES:
                errors.append(f"Value '{buf_repr(len(data))}' at '{where}data' failed to satisfy constraint: "
                              f"Member must have length less than or equal to {MAX_RECORD_BYTES}")
            ehk = e.get("ExplicitHashKey")
            if ehk is not None and (not isinstance(ehk, str) or not re.fullmatch(r"0|[1-9]\d{0,38}", ehk)):
                errors.append(f"Value '{ehk}' at '{where}explicitHashKey' failed to satisfy constraint: "
                              "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
            decoded.append((data, key, ehk))
        if errors:
            raise AwsError("ValidationException", validation_message(errors))
        out = []
        total = 0
        for data, key, ehk in decoded:
            kbytes = len(key.encode("utf-8"))
            if len(data) + kbytes > MAX_RECORD_BYTES:
                raise AwsError("InvalidArgumentException",
                               f"Record size exceeds 1 MB limit: data ({len(data)} bytes) plus partition key "
                               f"({kbytes} bytes) is larger than {MAX_RECORD_BYTES} bytes")
            total += len(data) + kbytes
            h = None
            if ehk is not None:
                h = int(ehk)
                if h > HASH_MAX:
                    raise AwsError("InvalidArgumentException",
                                   "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                                   f"Specified value was {ehk}")
            out.append((data, key, h))
        limit = int(self.cfg("kinesis_max_request_bytes", 5 * 1024 * 1024))
        if not single and total > limit:
            raise AwsError("InvalidArgumentException", "Records size exceeds 5 MB limit")
        return out

    def _capped(self, s, data, key, h, now):
        """The shard's write cap: a ProvisionedThroughputExceededException entry, or None."""
        if not self.cfg("kinesis_shard_caps", True):
            return None
        if h is None:
            h = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
        shard = s.shard_for_hash(h)
        if not shard.over_cap(len(data) + len(key.encode("utf-8")), now):
            return None
        return {"ErrorCode": "ProvisionedThroughputExceededException",
                "ErrorMessage": f"Rate exceeded for shard {shard.shard_id} in stream {s.name} under account "
                                f"{self.account()}."}

    def _append(self, s, data, key, h, now):
        if h is None:
            h = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
        shard = s.shard_for_hash(h)
        s.seq += 1
        seq = s.seq
        shard.seqs.append(seq)
        shard.records.append((seq, data, key, now))
        return shard, seq

    def _fast_put(self, req, p, single):
        """fast_sink: no model validation, no limit checks, no storage; still parse, answer and ledger."""
        name = p.get("StreamName") or str(p.get("StreamARN", "")).rsplit("/", 1)[-1]
        entries = [p] if single else (p.get("Records") or [])
        out, failed = [], 0
        ledger = self.emu.ledger
        faults = self.emu.faults
        op = "PutRecord" if single else "PutRecords"
        with self.emu.lock:
            s = self.streams.get(name)
            if s is not None and not self._visible(s):
                s = None
            for e in entries:
                if not single and faults.partial(self.name, op):
                    failed += 1
                    out.append(self._partial_error(name, "shardId-000000000000"))
                    continue
                data = b64decode_strict(e.get("Data", ""))
                ledger.record("kinesis", name, data)
                if s is not None:
                    s.seq += 1
                    seq = s.seq
                else:
                    self._fast_seq += 1
                    seq = SEQ_BASE + self._fast_seq
                out.append({"SequenceNumber": str(seq), "ShardId": "shardId-000000000000"})
        if single:
            return {**out[0], "EncryptionType": "NONE"}
        return {"FailedRecordCount": failed, "Records": out, "EncryptionType": "NONE"}

    def _partial_error(self, name, shard_id):
        self._partial_counter += 1
        if self._partial_counter % 5 == 0:
            return {"ErrorCode": "InternalFailure", "ErrorMessage": "Internal service failure."}
        return {"ErrorCode": "ProvisionedThroughputExceededException",
                "ErrorMessage": f"Rate exceeded for shard {shard_id} in stream {name} under account "
                                f"{self.account()}."}

    def put_record(self, req, p):
        if self.fast_path("PutRecord"):
            return self._fast_put(req, p, True)
        name = self._name(p)
        (data, key, h), = self._check_entries([p], single=True)
        with self.emu.lock:
            s = self._get(name)
            self._require_writable(s)
            capped = self._capped(s, data, key, h, self.emu.now())
            if capped:
                raise AwsError(capped["ErrorCode"], capped["ErrorMessage"])
            shard, seq = self._append(s, data, key, h, self.emu.now())
            self.emu.ledger.record("kinesis", name, data)
        return {"ShardId": shard.shard_id, "SequenceNumber": str(seq), "EncryptionType": "NONE"}

    def put_records(self, req, p):
        if self.fast_path("PutRecords"):
            return self._fast_put(req, p, False)
        name = self._name(p)
        records = p.get("Records")
        if not isinstance(records, list):
            raise AwsError("ValidationException",
                           "1 validation error detected: Value null at 'records' failed to satisfy constraint: "
                           "Member must not be null")
        check_record_count(records, MAX_RECORDS)
        entries = self._check_entries(records, single=False)
        out, failed = [], 0
        with self.emu.lock:
            s = self._get(name)
            self._require_writable(s)
            now = self.emu.now()
            for data, key, h in entries:
                if self.emu.faults.partial(self.name, "PutRecords"):
                    hh = h if h is not None else int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
                    failed += 1
                    out.append(self._partial_error(name, s.shard_for_hash(hh).shard_id))
                    continue
                capped = self._capped(s, data, key, h, now)
                if capped:
                    failed += 1
                    out.append(capped)
                    continue
                shard, seq = self._append(s, data, key, h, now)
                self.emu.ledger.record("kinesis", name, data)
                out.append({"SequenceNumber": str(seq), "ShardId": shard.shard_id})
        return {"FailedRecordCount": failed, "Records": out, "EncryptionType": "NONE"}

    # iterators: base64(JSON {s: stream, h: shard, p: last consumed seq, t: issued at, c: creation ts})
    def _make_iterator(self, s, shard, pos):
        raw = json.dumps({"s": s.name, "h": shard.shard_id, "p": str(pos), "t": self.emu.now(),
                          "c": s.created}, separators=(",", ":")).encode()
        return base64.b64encode(raw).decode()

    def get_shard_iterator(self, req, p):
        name = self._name(p)
        shard_id = p.get("ShardId")
        typ = p.get("ShardIteratorType")
        with self.emu.lock:
            s = self._get(name)
            self._require_writable(s)
            shard = next((x for x in s.shards if x.shard_id == shard_id), None)
            if shard is None:
                raise AwsError("ResourceNotFoundException",
                               f"Shard {shard_id} in stream {name} under account {self.account()} does not exist")
            seqnum = p.get("StartingSequenceNumber")
            if typ in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
                if seqnum is None:
                    raise AwsError("InvalidArgumentException",
                                   f"StartingSequenceNumber must be specified for ShardIteratorType {typ}")
                try:
                    n = int(seqnum)
                except (TypeError, ValueError):
                    raise AwsError("InvalidArgumentException",
                                   f"StartingSequenceNumber {seqnum} used in GetShardIterator on shard {shard_id} "
                                   f"in stream {name} under account {self.account()} is invalid.") from None
                if n < shard.start_seq or (shard.end_seq is not None and n > shard.end_seq) or n > s.seq:
                    raise AwsError("InvalidArgumentException",
                                   f"StartingSequenceNumber {seqnum} used in GetShardIterator on shard {shard_id} "
                                   f"in stream {name} under account {self.account()} is invalid because it did "
                                   "not come from this stream.")
                pos = n - 1 if typ == "AT_SEQUENCE_NUMBER" else n
            elif typ == "TRIM_HORIZON":
                pos = shard.start_seq - 1
            elif typ == "LATEST":
                pos = shard.seqs[-1] if shard.seqs else shard.start_seq - 1
                if shard.end_seq is not None:
                    pos = shard.end_seq
            elif typ == "AT_TIMESTAMP":
                ts = p.get("Timestamp")
                if ts is None:
                    raise AwsError("InvalidArgumentException",
                                   "Timestamp must be specified for ShardIteratorType AT_TIMESTAMP")
                try:
                    ts = float(ts)
                except (TypeError, ValueError):
                    import datetime
                    try:
                        dt = datetime.datetime.fromisoformat(str(ts).replace("Z", "+00:00"))
                    except ValueError:
                        raise AwsError("SerializationException", f"Invalid Timestamp {ts!r}") from None
                    if dt.tzinfo is None:
                        dt = dt.replace(tzinfo=datetime.timezone.utc)
                    ts = dt.timestamp()
                pos = shard.start_seq - 1
                for seq, _d, _k, arrival in shard.records:
                    if arrival >= ts:
                        break
                    pos = seq
            else:
                raise AwsError("ValidationException",
                               f"1 validation error detected: Value '{typ}' at 'shardIteratorType' failed to "
                               "satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, "
                               "AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]")
            return {"ShardIterator": self._make_iterator(s, shard, pos)}

    def get_records(self, req, p):
        it = p.get("ShardIterator")
        limit = p.get("Limit") or 10000
        try:
            tok = json.loads(base64.b64decode(it, validate=True))
            name, shard_id, pos, issued, created = tok["s"], tok["h"], int(tok["p"]), float(tok["t"]), tok["c"]
        except Exception:
            raise AwsError("InvalidArgumentException", f"Invalid ShardIterator: {it!r}") from None
        with self.emu.lock:
            s = self._get(name)
            if s.created != created:
                raise self._not_found(name)
            now = self.emu.now()
            if now - issued > ITERATOR_TTL:
                raise AwsError("ExpiredIteratorException",
                               f"Iterator expired. The iterator was created at time {issued} while right now it is "
                               f"{now} which is further in the future than the tolerated delay of 300000 "
                               "milliseconds.")
            shard = next((x for x in s.shards if x.shard_id == shard_id), None)
            if shard is None:
                raise AwsError("ResourceNotFoundException", f"Shard {shard_id} not found")
            i = bisect.bisect_right(shard.seqs, pos)
            batch, size = [], 0
            while i < len(shard.records) and len(batch) < limit:
                rec = shard.records[i]
                if batch and size + len(rec[1]) > 10 * 1024 * 1024:
                    break
                batch.append(rec)
                size += len(rec[1])
                i += 1
            last = batch[-1][0] if batch else pos
            behind = 0
            if i < len(shard.records):
                behind = max(0, int((now - shard.records[i][3]) * 1000))
            out = {"Records": [{"SequenceNumber": str(seq), "ApproximateArrivalTimestamp": arrival,
                                "Data": base64.b64encode(data).decode(), "PartitionKey": key,
                                "EncryptionType": "NONE"} for seq, data, key, arrival in batch],
                   "MillisBehindLatest": behind}
            closed_done = shard.end_seq is not None and last >= shard.end_seq
            if closed_done:
                out["ChildShards"] = [
                    {"ShardId": c.shard_id, "ParentShards": [x for x in (c.parent, c.adjacent_parent) if x],
                     "HashKeyRange": {"StartingHashKey": str(c.start_hash), "EndingHashKey": str(c.end_hash)}}
                    for c in s.shards if shard.shard_id in (c.parent, c.adjacent_parent)]
            else:
                out["NextShardIterator"] = self._make_iterator(s, shard, last)
            return out

    # ------------------------------------------------------------------ internal API (firehose source)
    def internal_read(self, stream_name, from_seq):
        """Records of every shard with sequence number > from_seq, ordered by sequence number.

        Returns [(seq:int, data:bytes, arrival:float)]; [] when the stream is missing.
        """
        with self.emu.lock:
            s = self._refresh(stream_name)
            if s is None:
                return []
            out = []
            for shard in s.shards:
                i = bisect.bisect_right(shard.seqs, from_seq)
                out.extend((seq, data, arrival) for seq, data, _k, arrival in shard.records[i:])
            out.sort(key=lambda r: r[0])
            return out

    def internal_latest_seq(self, stream_name):
        """Highest sequence number issued so far (a LATEST position for internal_read); None if missing."""
        with self.emu.lock:
            s = self._refresh(stream_name)
            return None if s is None else s.seq

    def internal_stream_status(self, stream_name):
        with self.emu.lock:
            s = self._refresh(stream_name)
            return None if s is None else s.status
