#!/usr/bin/python3
"""old_reader.py — the old Python reader's loop, re-implemented for the
benchmark: read the whole object, gunzip it if it starts with the gzip magic,
decode it as UTF-8, then repeatedly JSONDecoder.raw_decode(text, pos),
skipping whitespace between values and, on a decode error, advancing one
character and trying again (which is what makes it quadratic on bad input).

Usage: old_reader.py FILE [--max-mb N]  (only the first N MiB of the
decompressed data; prints records, bytes and MB/s as one line of JSON).
"""
import argparse
import gzip
import json
import re
import sys
import time

WS = re.compile(r"[ \t\n\r]*")


def read_records(text):
    dec = json.JSONDecoder()
    pos, end, n, errors = 0, len(text), 0, 0
    while True:
        pos = WS.match(text, pos).end()
        if pos >= end:
            break
        try:
            _, pos = dec.raw_decode(text, pos)
            n += 1
        except json.JSONDecodeError:
            errors += 1
            pos += 1
    return n, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--max-mb", type=float, default=0)
    a = ap.parse_args()
    with open(a.file, "rb") as f:
        data = f.read()
    t0 = time.perf_counter()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if a.max_mb:
        data = data[:int(a.max_mb * 1024 * 1024)]
    text = data.decode("utf-8", errors="replace")
    n, errors = read_records(text)
    secs = time.perf_counter() - t0
    print(json.dumps({"records": n, "errors": errors, "bytes": len(data), "seconds": secs,
                      "mbps": len(data) / 1e6 / secs}))


if __name__ == "__main__":
    main()
