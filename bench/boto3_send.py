#!/usr/bin/python3
"""boto3_send.py — the comparison for the send benchmark: boto3 doing the
same PutRecordBatch calls sluice makes (500 records per call, lines of the
same NDJSON file with the '\\n' kept, N threads with a client each) against
the same loopback sink. Prints one line like send_bench: records, seconds,
records/s and the process's CPU seconds (user + system, getrusage) per
100,000 records, counted from reading the file to the last answer (imports
and client creation excluded).

Usage: boto3_send.py --endpoint URL [--threads N] FILE
"""
import argparse
import concurrent.futures
import resource
import sys
import time

import boto3
import botocore.config


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime, ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("file")
    a = ap.parse_args()
    cfg = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"},
                                 max_pool_connections=a.threads)
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                    region_name="us-east-1")
    clients = [session.client("firehose", endpoint_url=a.endpoint, config=cfg)
               for _ in range(a.threads)]

    u0, s0 = cpu()
    t0 = time.monotonic()
    batches, cur = [], []
    with open(a.file, "rb") as f:
        for line in f:
            if line.strip():
                cur.append({"Data": line if line.endswith(b"\n") else line + b"\n"})
            if len(cur) == a.batch:
                batches.append(cur)
                cur = []
    if cur:
        batches.append(cur)

    def send(i):
        c = clients[i % a.threads]
        recs = batches[i]
        failed = 0
        while recs:
            r = c.put_record_batch(DeliveryStreamName="bench", Records=recs)
            if not r["FailedPutCount"]:
                break
            recs = [x for x, e in zip(recs, r["RequestResponses"]) if e.get("ErrorCode")]
            failed += 1
        return len(batches[i])

    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        delivered = sum(ex.map(send, range(len(batches))))
    t1 = time.monotonic()
    u1, s1 = cpu()
    n = sum(len(b) for b in batches)
    print("records %d delivered %d requests %d seconds %.3f records_per_s %.0f "
          "cpu_user %.3f cpu_sys %.3f cpu_per_100k %.3f"
          % (n, delivered, len(batches), t1 - t0, delivered / (t1 - t0), u1 - u0, s1 - s0,
             (u1 - u0 + s1 - s0) * 100000.0 / max(n, 1)))
    return 0 if delivered == n else 1


if __name__ == "__main__":
    sys.exit(main())
