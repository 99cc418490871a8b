"""The KPL aggregation format, read as Firehose and the KCL read it.

A Kinesis record that starts with the magic F3 89 9A C2 and ends with the MD5 of the protobuf between them
holds an AggregatedRecord: field 1 the partition key table, 2 the explicit hash key table, 3 the records
(field 1 key index, 2 explicit hash key index, 3 data, 4 tags). deaggregate() gives the user records' data;
a record without the magic, with an MD5 that does not match, or whose protobuf does not parse is an
ordinary record and comes back whole.
"""
import hashlib

MAGIC = b"\xf3\x89\x9a\xc2"


class _Broken(Exception):
    pass


def _varint(buf, i, end):
    v = shift = 0
    while i < end and shift < 64:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, i
        shift += 7
    raise _Broken()


def _fields(buf, i, end):
    """(number, wire type, value) of each field in buf[i:end]; value is an int or a (start, end) span."""
    while i < end:
        key, i = _varint(buf, i, end)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i, end)
        elif wt == 2:
            n, i = _varint(buf, i, end)
            if n > end - i:
                raise _Broken()
            v, i = (i, i + n), i + n
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            if n > end - i:
                raise _Broken()
            v, i = None, i + n
        else:
            raise _Broken()
        yield num, wt, v


def deaggregate(data):
    """The user records' data of one Kinesis record: [data] when it is not an aggregated record."""
    n = len(data)
    if n < 20 or data[:4] != MAGIC or hashlib.md5(data[4:n - 16]).digest() != data[n - 16:]:
        return [data]
    try:
        keys, ehks, recs = [], [], []
        for num, wt, v in _fields(data, 4, n - 16):
            if num in (1, 2, 3) and wt != 2:
                raise _Broken()
            (keys if num == 1 else ehks if num == 2 else recs if num == 3 else []).append(v)
        out = []
        for start, end in recs:
            ki = ei = body = None
            for num, wt, v in _fields(data, start, end):
                if num in (1, 2) and wt != 0 or num == 3 and wt != 2:
                    raise _Broken()
                if num == 1:
                    ki = v
                elif num == 2:
                    ei = v
                elif num == 3:
                    body = v
            if ki is None or body is None or ki >= len(keys) or (ei is not None and ei >= len(ehks)):
                raise _Broken()
            out.append(data[body[0]:body[1]])
        return out
    except _Broken:
        return [data]
