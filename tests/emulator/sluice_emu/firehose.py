"""Kinesis Data Firehose (JSON 1.1, X-Amz-Target Firehose_20150804.<Op>), S3 destinations only.

Accepted records are handed to delivery.Engine (buffering + delivery into the emulated S3).
Status transitions (CREATING -> ACTIVE, DELETING -> gone) are evaluated lazily against emu.now()
with the config key lifecycle_seconds (json11.StreamService).
"""

import copy
import os

from .core import AwsError
from . import codecs, delivery
from .json11 import StreamService, b64decode_strict, buf_repr, check_record_count, validation_message

MAX_BATCH_RECORDS = 500
MAX_RECORD_BYTES = 1024000            # 1,000 KiB, before base64
MAX_BATCH_BYTES = 4 * 1024 * 1024     # 4 MiB of decoded data per PutRecordBatch
MAX_TAGS = 50
DESTINATION_ID = "destinationId-000000000001"
DEFAULT_HINTS = {"SizeInMBs": 5, "IntervalInSeconds": 300}
UNSUPPORTED_DESTINATIONS = ("RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
                            "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
                            "HttpEndpointDestinationConfiguration",
                            "AmazonOpenSearchServerlessDestinationConfiguration")
SERVICE_PRINCIPAL = "firehose.amazonaws.com"


def bucket_from_arn(arn):
    if not isinstance(arn, str) or not arn.startswith("arn:") or ":s3:::" not in arn:
        return None
    name = arn.split(":s3:::", 1)[1]
    return name or None


def stream_from_kinesis_arn(arn):
    # arn:aws:kinesis:region:acct:stream/name
    if not isinstance(arn, str) or ":kinesis:" not in arn or ":stream/" not in arn:
        return None
    return arn.split(":stream/", 1)[1] or None


class DeliveryStream:
    def __init__(self, name, arn, typ, created, ready_at):
        self.name = name
        self.arn = arn
        self.type = typ
        self.status = "CREATING"
        self.status_until = ready_at
        self.created = created
        self.last_update = None
        self.version = 1
        self.source = None            # {"KinesisStreamARN", "RoleARN", "DeliveryStartTimestamp"}
        self.kinesis_name = None
        self.kinesis_pos = 0          # last Kinesis sequence number read by the delivery engine
        self.dest = {}                # ExtendedS3DestinationDescription
        self.tags = {}
        self.encryption = {"Status": "DISABLED"}

    @property
    def version_id(self):
        return str(self.version)


class FirehoseService(StreamService):
    name = "firehose"
    target_prefix = "Firehose_20150804"
    label = "Firehose"
    name_key, name_member, name_max = "DeliveryStreamName", "deliveryStreamName", 64
    put_op, batch_op, batch_max_records, record_member = "PutRecord", "PutRecordBatch", MAX_BATCH_RECORDS, "Record"
    operations = {
        "CreateDeliveryStream": "create",
        "DescribeDeliveryStream": "describe",
        "ListDeliveryStreams": "list",
        "DeleteDeliveryStream": "delete",
        "UpdateDestination": "update_destination",
        "PutRecord": "put_record",
        "PutRecordBatch": "put_record_batch",
        "TagDeliveryStream": "tag",
        "UntagDeliveryStream": "remove_tags",
        "ListTagsForDeliveryStream": "list_tags",
    }

    def __init__(self, emu):
        super().__init__(emu)
        self.streams = {}
        self.bump_next = set()        # streams whose next UpdateDestination meets a concurrent change
        self.engine = delivery.Engine(emu, self)

    def reset(self):
        with self.emu.lock:
            self.streams = {}
            self.bump_next = set()
            self.engine.reset()

    def stop(self):
        """Stop the delivery thread (called by Emulator.stop())."""
        self.engine.stop()

    close = stop

    def control(self, action, params):
        """/_emu/firehose/<action> (server.py calls this)."""
        if action == "flush":
            return delivery.flush(self.emu, params.get("stream"))
        if action == "pause":
            return delivery.pause(self.emu)
        if action == "resume":
            return delivery.resume(self.emu)
        if action == "duplicate-next":
            if not params.get("stream"):
                raise ValueError("duplicate-next needs {\"stream\": name, \"count\": n}")
            return delivery.duplicate_next(self.emu, params["stream"], int(params.get("count", 1)))
        if action == "status":
            return delivery.status(self.emu)
        if action == "concurrent-update-next":
            # Another writer updates the stream just before the next UpdateDestination.
            if not params.get("stream"):
                raise ValueError("concurrent-update-next needs {\"stream\": name}")
            with self.emu.lock:
                self.bump_next.add(params["stream"])
            return {"ok": True}
        raise ValueError(f"unknown firehose control action {action!r}")

    # ------------------------------------------------------------------ plumbing
    def put_body_limit(self):
        return 2 * MAX_BATCH_BYTES + 1024 * 1024      # base64 + JSON framing of a 4 MiB batch fits

    def _gone(self, name):
        self.engine.drop(name)

    # ------------------------------------------------------------------ IAM / S3 checks at create/update
    def check_role_assumable(self, role_arn):
        iam = self.emu.services.get("iam")
        if iam is None or not hasattr(iam, "get_role"):
            return
        err = AwsError("InvalidArgumentException",
                       f"Firehose is unable to assume role {role_arn}. Please check the role provided.")
        role_name = iam.role_name_from_arn(role_arn) if isinstance(role_arn, str) else None
        if not role_name:
            raise err
        role = iam.get_role(role_name)
        if role is None:
            raise err
        window = float(self.cfg("iam_propagation_seconds", 0.0))
        changed = role.get("changed_at")
        if window > 0 and changed is not None and self.emu.now() - float(changed) < window:
            raise err

    def check_bucket(self, bucket_arn):
        bucket = bucket_from_arn(bucket_arn)
        if bucket is None:
            raise AwsError("InvalidArgumentException", f"BucketARN {bucket_arn} is not a valid S3 bucket ARN.")
        s3 = self.emu.services.get("s3")
        if s3 is not None and hasattr(s3, "bucket_exists") and not s3.bucket_exists(bucket):
            raise AwsError("InvalidArgumentException",
                           f"Bucket {bucket} (BucketARN {bucket_arn}) does not exist.")

    # ------------------------------------------------------------------ destination documents
    @staticmethod
    def _s3_description(cfg):
        d = {"RoleARN": cfg.get("RoleARN"), "BucketARN": cfg.get("BucketARN"),
             "Prefix": cfg.get("Prefix", ""),
             "BufferingHints": {**DEFAULT_HINTS, **(cfg.get("BufferingHints") or {})},
             "CompressionFormat": cfg.get("CompressionFormat", "UNCOMPRESSED"),
             "EncryptionConfiguration": cfg.get("EncryptionConfiguration") or {"NoEncryptionConfig": "NoEncryption"},
             "CloudWatchLoggingOptions": cfg.get("CloudWatchLoggingOptions") or {"Enabled": False}}
        if cfg.get("ErrorOutputPrefix") is not None:
            d["ErrorOutputPrefix"] = cfg["ErrorOutputPrefix"]
        return d

    def _extended_description(self, cfg):
        d = self._s3_description(cfg)
        for k in ("ProcessingConfiguration", "DataFormatConversionConfiguration",
                  "DynamicPartitioningConfiguration"):
            if cfg.get(k) is not None:
                d[k] = copy.deepcopy(cfg[k])
        d["S3BackupMode"] = cfg.get("S3BackupMode", "Disabled")
        if cfg.get("S3BackupConfiguration") is not None:
            d["S3BackupDescription"] = self._s3_description(cfg["S3BackupConfiguration"])
        return d

    def _check_destination(self, dest):
        """Semantic checks shared by create and update (after merge)."""
        # Every CompressionFormat of the model is delivered (codecs.py); the model check refuses any other
        # value before this point (ValidationException), this only guards internal callers.
        if dest.get("CompressionFormat") not in codecs.EXTENSIONS:
            raise AwsError("InvalidArgumentException",
                           f"CompressionFormat {dest.get('CompressionFormat')} is not supported.")
        if dest.get("S3BackupMode") == "Enabled":
            raise AwsError("InvalidArgumentException", "S3BackupMode Enabled is not supported by the emulator.")
        if (dest.get("DynamicPartitioningConfiguration") or {}).get("Enabled"):
            raise AwsError("InvalidArgumentException",
                           "Dynamic partitioning is not supported by the emulator.")
        if (dest.get("ProcessingConfiguration") or {}).get("Enabled"):
            raise AwsError("InvalidArgumentException", "Data processing is not supported by the emulator.")
        delivery.validate_prefixes(dest.get("Prefix", ""), dest.get("ErrorOutputPrefix"))

    # ------------------------------------------------------------------ control plane
    def create(self, req, p):
        name = self._name(p)
        typ = p.get("DeliveryStreamType") or "DirectPut"
        if typ not in ("DirectPut", "KinesisStreamAsSource"):
            raise AwsError("InvalidArgumentException",
                           f"DeliveryStreamType {typ} is not supported by the emulator.")
        given = [k for k in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")
                 + UNSUPPORTED_DESTINATIONS if p.get(k) is not None]
        if len(given) != 1:
            raise AwsError("InvalidArgumentException",
                           "Exactly one destination configuration must be specified, found "
                           f"{len(given)}: {', '.join(given) or 'none'}.")
        if given[0] in UNSUPPORTED_DESTINATIONS:
            raise AwsError("InvalidArgumentException",
                           f"{given[0]} is not supported by the emulator (S3 destinations only).")
        cfg = p[given[0]]
        dest = self._extended_description(cfg)
        self._check_destination(dest)
        src = p.get("KinesisStreamSourceConfiguration")
        if typ == "KinesisStreamAsSource" and not src:
            raise AwsError("InvalidArgumentException",
                           "KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource delivery "
                           "stream.")
        if typ == "DirectPut" and src:
            raise AwsError("InvalidArgumentException",
                           "KinesisStreamSourceConfiguration is only valid for a KinesisStreamAsSource delivery "
                           "stream.")
        tags = p.get("Tags") or []
        if len(tags) > MAX_TAGS:
            raise AwsError("LimitExceededException", f"A delivery stream cannot have more than {MAX_TAGS} tags.")
        with self.emu.lock:
            if self._refresh(name) is not None:
                raise AwsError("ResourceInUseException",
                               f"Firehose {name} under accountId {self.account()} already exists")
            self._taken_elsewhere(name)
            kname = None
            if src:
                kname = stream_from_kinesis_arn(src.get("KinesisStreamARN"))
                kin = self.emu.services.get("kinesis")
                status = (kin.internal_stream_status(kname)
                          if (hasattr(kin, "internal_stream_status") and kname) else None)
                if status is None:
                    raise AwsError("InvalidArgumentException",
                                   f"Kinesis stream {src.get('KinesisStreamARN')} does not exist or is not "
                                   "accessible.")
                self.check_role_assumable(src.get("RoleARN"))
            self.check_role_assumable(dest["RoleARN"])
            self.check_bucket(dest["BucketARN"])
            now = self.emu.now()
            arn = f"arn:aws:firehose:{self.region(req)}:{self.account()}:deliverystream/{name}"
            created = now - float(self.cfg("firehose_backdate_seconds", 0) or 0)
            s = DeliveryStream(name, arn, typ, created, now + self._lifecycle())
            s.dest = dest
            for t in tags:
                s.tags[t["Key"]] = t.get("Value", "")
            enc = p.get("DeliveryStreamEncryptionConfigurationInput")
            if enc:
                s.encryption = {"KeyType": enc.get("KeyType"), "Status": "ENABLED"}
                if enc.get("KeyARN"):
                    s.encryption["KeyARN"] = enc["KeyARN"]
            if src:
                s.source = {"KinesisStreamARN": src["KinesisStreamARN"], "RoleARN": src["RoleARN"],
                            "DeliveryStartTimestamp": now}
                s.kinesis_name = kname
                latest = self.emu.services["kinesis"].internal_latest_seq(kname)
                s.kinesis_pos = latest or 0          # Firehose starts reading at LATEST
            self.streams[name] = s
            self._refresh(name)
            self.engine.ensure_started()
        return {"DeliveryStreamARN": s.arn}

    def _description(self, s):
        ext = copy.deepcopy(s.dest)
        d = {"DeliveryStreamName": s.name, "DeliveryStreamARN": s.arn, "DeliveryStreamStatus": s.status,
             "DeliveryStreamEncryptionConfiguration": dict(s.encryption),
             "DeliveryStreamType": s.type, "VersionId": s.version_id, "CreateTimestamp": s.created,
             "Destinations": [{"DestinationId": DESTINATION_ID,
                               "S3DestinationDescription": self._s3_description(ext),
                               "ExtendedS3DestinationDescription": ext}],
             "HasMoreDestinations": False}
        if s.last_update is not None:
            d["LastUpdateTimestamp"] = s.last_update
        if s.source:
            d["Source"] = {"KinesisStreamSourceDescription": dict(s.source)}
        return d

    def describe(self, req, p):
        name = self._name(p)
        with self.emu.lock:
            return {"DeliveryStreamDescription": self._description(self._get(name))}

    def list(self, req, p):
        limit = p.get("Limit") or 10
        typ = p.get("DeliveryStreamType")
        start = p.get("ExclusiveStartDeliveryStreamName")
        with self.emu.lock:
            self.refresh_all()
            names = sorted(n for n, s in self.streams.items()
                           if self._visible(s) and (typ is None or s.type == typ))
        if start:
            names = [n for n in names if n > start]
        page = names[:limit]
        return {"DeliveryStreamNames": page, "HasMoreDeliveryStreams": len(names) > len(page)}

    def _creating_refusal(self, name):
        return AwsError("ResourceInUseException",
                        f"Firehose {name} under account {self.account()} is in CREATING state and cannot be deleted.")

    def update_destination(self, req, p):
        name = self._name(p)
        with self.emu.lock:
            s = self._get(name)
            if s.status != "ACTIVE":
                raise AwsError("ResourceInUseException",
                               f"Firehose {name} under account {self.account()} is not ACTIVE, instead in state "
                               f"{s.status}.")
            if name in self.bump_next:
                self.bump_next.discard(name)
                s.version += 1
            if p.get("CurrentDeliveryStreamVersionId") != s.version_id:
                raise AwsError("ConcurrentModificationException",
                               f"Cannot update firehose: {name} since the current version id: {s.version_id} and "
                               f"the request version id: {p.get('CurrentDeliveryStreamVersionId')} does not match")
            if p.get("DestinationId") != DESTINATION_ID:
                raise AwsError("InvalidArgumentException",
                               f"Destination Id {p.get('DestinationId')} not found in delivery stream {name}.")
            given = [k for k in ("ExtendedS3DestinationUpdate", "S3DestinationUpdate", "RedshiftDestinationUpdate",
                                 "ElasticsearchDestinationUpdate", "AmazonopensearchserviceDestinationUpdate",
                                 "SplunkDestinationUpdate", "HttpEndpointDestinationUpdate",
                                 "AmazonOpenSearchServerlessDestinationUpdate") if p.get(k) is not None]
            if len(given) != 1:
                raise AwsError("InvalidArgumentException",
                               "Exactly one destination update must be specified, found "
                               f"{len(given)}: {', '.join(given) or 'none'}.")
            if given[0] not in ("ExtendedS3DestinationUpdate", "S3DestinationUpdate"):
                raise AwsError("InvalidArgumentException",
                               f"{given[0]} is not supported by the emulator (S3 destinations only).")
            upd = p[given[0]]
            merged = copy.deepcopy(s.dest)
            for k, v in upd.items():
                if k == "S3BackupUpdate":
                    continue
                if isinstance(v, dict) and isinstance(merged.get(k), dict) and k in (
                        "BufferingHints", "CloudWatchLoggingOptions"):
                    merged[k] = {**merged[k], **v}
                else:
                    merged[k] = copy.deepcopy(v)
            self._check_destination(merged)
            if merged["RoleARN"] != s.dest["RoleARN"]:
                self.check_role_assumable(merged["RoleARN"])
            if merged["BucketARN"] != s.dest["BucketARN"]:
                self.check_bucket(merged["BucketARN"])
            s.dest = merged
            s.version += 1
            s.last_update = self.emu.now()
        return {}

    def tag(self, req, p):
        name = self._name(p)
        tags = p.get("Tags") or []
        with self.emu.lock:
            s = self._get(name)
            keys = set(s.tags) | {t.get("Key") for t in tags}
            if len(keys) > MAX_TAGS:
                raise AwsError("LimitExceededException",
                               f"A delivery stream cannot have more than {MAX_TAGS} tags.")
            for t in tags:
                s.tags[t["Key"]] = t.get("Value", "")
        return {}

    # ------------------------------------------------------------------ data plane
    @staticmethod
    def _record_id():
        return os.urandom(48).hex()

    def _writable(self, name):
        s = self._refresh(name)
        # A CREATING stream is not visible to the data plane yet; DELETING still accepts (AWS: "might").
        if s is None or s.status == "CREATING":
            raise self._not_found(name)
        if s.type == "KinesisStreamAsSource":
            raise AwsError("InvalidArgumentException",
                           "This operation is not permitted on KinesisStreamAsSource delivery stream type.")
        return s

    def _decode_records(self, records, single):
        errors, datas = [], []
        for i, r in enumerate(records, 1):
            where = "record." if single else f"records.{i}.member."
            if not isinstance(r, dict):
                raise AwsError("SerializationException", "Start of structure or map found where not expected.")
            if r.get("Data") is None:
                errors.append(f"Value null at '{where}data' failed to satisfy constraint: Member must not be null")
                continue
            data = b64decode_strict(r["Data"])
            if len(data) > MAX_RECORD_BYTES:
                errors.append(f"Value '{buf_repr(len(data))}' at '{where}data' failed to satisfy constraint: "
                              f"Member must have length less than or equal to {MAX_RECORD_BYTES}")
            datas.append(data)
        if errors:
            raise AwsError("ValidationException", validation_message(errors))
        return datas

    def put_record(self, req, p):
        name = self._name(p)
        rec = p.get("Record")
        if not isinstance(rec, dict):
            raise AwsError("ValidationException",
                           "1 validation error detected: Value null at 'record' failed to satisfy constraint: "
                           "Member must not be null")
        if self.fast_path("PutRecord"):
            data = b64decode_strict(rec.get("Data", ""))
            self.emu.ledger.record("firehose", name, data)
            return {"RecordId": self._record_id(), "Encrypted": False}
        data, = self._decode_records([rec], single=True)
        with self.emu.lock:
            self._writable(name)
            self.engine.add(name, [data], self.emu.now())
            self.emu.ledger.record("firehose", name, data)
        return {"RecordId": self._record_id(), "Encrypted": False}

    def put_record_batch(self, req, p):
        name = self._name(p)
        records = p.get("Records")
        if not isinstance(records, list):
            raise AwsError("ValidationException",
                           "1 validation error detected: Value null at 'records' failed to satisfy constraint: "
                           "Member must not be null")
        faults = self.emu.faults
        if self.fast_path("PutRecordBatch"):
            out, failed = [], 0
            ledger = self.emu.ledger
            for r in records:
                if faults.partial(self.name, "PutRecordBatch"):
                    failed += 1
                    out.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."})
                    continue
                ledger.record("firehose", name, b64decode_strict((r or {}).get("Data", "")))
                out.append({"RecordId": self._record_id()})
            return {"FailedPutCount": failed, "Encrypted": False, "RequestResponses": out}
        check_record_count(records, MAX_BATCH_RECORDS)
        datas = self._decode_records(records, single=False)
        total = sum(len(d) for d in datas)
        if total > MAX_BATCH_BYTES:
            raise AwsError("InvalidArgumentException", "Records size exceeds 4 MB limit")
        out, failed, accepted = [], 0, []
        with self.emu.lock:
            self._writable(name)
            for data in datas:
                if faults.partial(self.name, "PutRecordBatch"):
                    failed += 1
                    out.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."})
                    continue
                accepted.append(data)
                self.emu.ledger.record("firehose", name, data)
                out.append({"RecordId": self._record_id()})
            if accepted:
                self.engine.add(name, accepted, self.emu.now())
        return {"FailedPutCount": failed, "Encrypted": False, "RequestResponses": out}
