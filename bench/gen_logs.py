#!/usr/bin/python3
"""gen_logs.py — deterministic input set for the decoder benchmark.

Writes application-log-like JSON records of about 1 KiB (strings with
escapes and non-ASCII text, numbers, nested objects, arrays) as Firehose
delivers them:

  concat.json      records concatenated with nothing between them
  ndjson.json      one record per line
  ndjson.json.gz   the same lines, gzip-compressed

Usage: gen_logs.py OUTDIR [--mb N] [--seed S]   (N MiB per uncompressed file,
default 100). Same arguments, same bytes.
"""
import argparse
import gzip
import json
import os
import random
import sys

WORDS = ("request handled upstream timeout retry cache miss user session token "
         "payload bucket object shard partition stream delivery record batch "
         "latency throughput error warning backoff connection reset refused "
         "café naïve größe 東京 данные").split()
LEVELS = ["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"]
METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"]
SERVICES = ["checkout", "auth", "search", "ingest", "billing", "profile"]


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def record(rng, i):
    ts = 1700000000000 + i * 37
    rec = {
        "timestamp": "2023-11-14T22:13:%02d.%03dZ" % (i // 1000 % 60, i % 1000),
        "epochMillis": ts,
        "level": rng.choice(LEVELS),
        "service": rng.choice(SERVICES),
        "host": "ip-10-%d-%d-%d.eu-west-1.compute.internal" % (
            rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        "requestId": "%08x-%04x-%04x-%04x-%012x" % (
            rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
            rng.getrandbits(16), rng.getrandbits(48)),
        "http": {
            "method": rng.choice(METHODS),
            "path": "/api/v2/%s/%d" % (rng.choice(SERVICES), rng.randrange(100000)),
            "status": rng.choice([200, 200, 200, 201, 204, 400, 404, 500, 503]),
            "latencyMs": round(rng.uniform(0.2, 2500.0), 3),
            "bytes": rng.randrange(0, 1 << 20),
            "userAgent": "Mozilla/5.0 (X11; Linux x86_64) sluice-bench/%d.%d" % (
                rng.randrange(10), rng.randrange(100)),
        },
        "message": sentence(rng, rng.randrange(40, 90)) +
                   ' "quoted" path C:\\temp\\x tab\there',
        "tags": [rng.choice(WORDS) for _ in range(rng.randrange(2, 8))],
        "metrics": {"cpu": round(rng.random(), 4), "mem": rng.randrange(1 << 30),
                    "gc": rng.random() < 0.1, "retries": None},
    }
    return json.dumps(rec, ensure_ascii=rng.random() < 0.3, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    target = int(a.mb * 1024 * 1024)
    rng = random.Random(a.seed)
    paths = {k: os.path.join(a.outdir, k) for k in ("concat.json", "ndjson.json", "ndjson.json.gz")}
    with open(paths["concat.json"], "wb") as fc, open(paths["ndjson.json"], "wb") as fn, \
            open(paths["ndjson.json.gz"], "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as fz:
        written = 0
        i = 0
        batch_c, batch_n = [], []
        while written < target:
            r = record(rng, i).encode("utf-8")
            batch_c.append(r)
            batch_n.append(r + b"\n")
            written += len(r) + 1
            i += 1
            if len(batch_c) == 4096:
                fc.write(b"".join(batch_c))
                line = b"".join(batch_n)
                fn.write(line)
                fz.write(line)
                batch_c, batch_n = [], []
        fc.write(b"".join(batch_c))
        line = b"".join(batch_n)
        fn.write(line)
        fz.write(line)
    print("gen_logs: %d records of ~%d bytes into %s" % (i, written // max(i, 1), a.outdir),
          file=sys.stderr)


if __name__ == "__main__":
    main()
