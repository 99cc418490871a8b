"""Firehose's S3 compression formats, in pure Python (standard library only).

    compress(fmt, data, key) -> bytes        the object body Firehose writes for CompressionFormat fmt
    decompress(fmt, body) -> bytes           the inverse (tests, tools)
    EXTENSIONS                               CompressionFormat -> object key extension

Formats:
- GZIP: gzip (mtime 0).
- ZIP: a zip archive with one deflated entry (method 8) named after the key's base name without ".zip",
  date_time 1980-01-01 00:00:00, so the output is deterministic.
- Snappy: the Snappy framing format: stream identifier ff 06 00 00 "sNaPpY", then one chunk per (at most)
  65536 uncompressed bytes: type 0x00 (compressed) or 0x01 (stored, when compression does not make the chunk
  smaller), 3-byte little-endian length, 4-byte little-endian masked CRC-32C of the uncompressed bytes, data.
- HADOOP_SNAPPY: Hadoop's BlockCompressorStream around raw Snappy: per block of at most 256 KiB uncompressed,
  4-byte big-endian uncompressed length, then one sub-chunk: 4-byte big-endian compressed length + raw Snappy.

The raw Snappy compressor is a plain greedy LZ77 over 64 KiB blocks: a small hash table of 4-byte sequences
finds earlier occurrences, matches become copy elements with 1- or 2-byte offsets, everything else literals.
It does not aim at the reference implementation's ratio or byte-identical output, only at valid Snappy.
"""

import gzip
import io
import struct
import zipfile

EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".hsnappy"}

# ---------------------------------------------------------------------------------------------- CRC-32C
_CRC32C_POLY = 0x82F63B78          # Castagnoli, bit-reflected


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _CRC32C_POLY if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC-32C of data (continuing from crc, the CRC of the preceding bytes)."""
    t = _CRC32C_TABLE
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data):
    """The framing format's checksum: CRC-32C rotated right by 15 bits plus 0xa282ead8 (mod 2^32)."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------- raw Snappy
BLOCK = 1 << 16                    # the compressor matches within 64 KiB blocks: offsets always fit 2 bytes
_HASH_BITS = 14
_MIN_INPUT = 15                    # blocks shorter than this are one literal


def _varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _emit_literal(out, data, start, end):
    n = end - start
    if n <= 0:
        return
    m = n - 1
    if m < 60:
        out.append(m << 2)
    else:
        count = (m.bit_length() + 7) // 8            # 1..4 length bytes
        out.append((59 + count) << 2)
        out += m.to_bytes(count, "little")
    out += data[start:end]


def _emit_copy_piece(out, offset, length):
    # 4 <= length <= 64, 1 <= offset <= 65535
    if length < 12 and offset < 2048:
        out.append(0x01 | ((length - 4) << 2) | ((offset >> 8) << 5))
        out.append(offset & 0xFF)
    else:
        out.append(0x02 | ((length - 1) << 2))
        out += struct.pack("<H", offset)


def _emit_copy(out, offset, length):
    while length >= 68:
        _emit_copy_piece(out, offset, 64)
        length -= 64
    if length > 64:
        _emit_copy_piece(out, offset, 60)
        length -= 60
    _emit_copy_piece(out, offset, length)


def _match_length(data, a, b, end):
    """How many bytes data[a:] and data[b:] (a < b) have in common, up to end."""
    n = 0
    limit = end - b
    while n + 8 <= limit and data[a + n:a + n + 8] == data[b + n:b + n + 8]:
        n += 8
    while n < limit and data[a + n] == data[b + n]:
        n += 1
    return n


def _compress_block(out, data, start, end):
    if end - start < _MIN_INPUT:
        _emit_literal(out, data, start, end)
        return
    shift = 32 - _HASH_BITS
    table = [-1] * (1 << _HASH_BITS)
    unpack = struct.unpack_from
    last = end - 4                 # last position with 4 bytes to hash
    lit = i = start
    misses = 32
    while i <= last:
        seq = unpack("<I", data, i)[0]
        h = ((seq * 0x1E35A7BD) & 0xFFFFFFFF) >> shift
        cand = table[h]
        table[h] = i
        if cand >= 0 and unpack("<I", data, cand)[0] == seq:
            length = 4 + _match_length(data, cand + 4, i + 4, end)
            _emit_literal(out, data, lit, i)
            _emit_copy(out, i - cand, length)
            i += length
            lit = i
            misses = 32
            if i - 1 <= last:      # remember a position inside the match, as the reference does
                p = i - 1
                table[((unpack("<I", data, p)[0] * 0x1E35A7BD) & 0xFFFFFFFF) >> shift] = p
            continue
        i += misses >> 5           # skip faster through data that does not compress
        misses += 1
    _emit_literal(out, data, lit, end)


def snappy_compress(data):
    """Raw Snappy (the block format): varint uncompressed length, then literal and copy elements."""
    data = bytes(data)
    out = bytearray(_varint(len(data)))
    for start in range(0, len(data), BLOCK):
        _compress_block(out, data, start, min(start + BLOCK, len(data)))
    return bytes(out)


def snappy_decompress(data):
    """Inverse of snappy_compress for any valid raw Snappy input; ValueError on corrupt input."""
    data = bytes(data)
    n = len(data)
    pos = shift = expected = 0
    while True:
        if pos >= n or shift > 28:
            raise ValueError("snappy: bad length preamble")
        b = data[pos]
        pos += 1
        expected |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
    out = bytearray()
    while pos < n:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:
            m = tag >> 2
            if m >= 60:
                count = m - 59
                if pos + count > n:
                    raise ValueError("snappy: truncated literal length")
                m = int.from_bytes(data[pos:pos + count], "little")
                pos += count
            length = m + 1
            if pos + length > n:
                raise ValueError("snappy: truncated literal")
            out += data[pos:pos + length]
            pos += length
            continue
        if kind == 1:
            if pos + 1 > n:
                raise ValueError("snappy: truncated copy")
            length = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | data[pos]
            pos += 1
        elif kind == 2:
            if pos + 2 > n:
                raise ValueError("snappy: truncated copy")
            length = (tag >> 2) + 1
            offset = data[pos] | (data[pos + 1] << 8)
            pos += 2
        else:
            if pos + 4 > n:
                raise ValueError("snappy: truncated copy")
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[pos:pos + 4], "little")
            pos += 4
        if offset == 0 or offset > len(out):
            raise ValueError("snappy: copy offset %d out of range" % offset)
        src = len(out) - offset
        if offset >= length:
            out += out[src:src + length]
        else:                      # overlapping copy: the last `offset` bytes repeat
            pattern = bytes(out[src:])
            out += (pattern * (length // offset + 1))[:length]
        if len(out) > expected:
            raise ValueError("snappy: output longer than its preamble says")
    if len(out) != expected:
        raise ValueError("snappy: output is %d bytes, preamble says %d" % (len(out), expected))
    return bytes(out)


# ---------------------------------------------------------------------------------------------- framing format
STREAM_IDENTIFIER = b"\xff\x06\x00\x00sNaPpY"
FRAME_CHUNK = 65536


def _chunk(kind, payload):
    return bytes([kind]) + len(payload).to_bytes(3, "little") + payload


def snappy_frame(data):
    """The Snappy framing format (what Firehose's "Snappy" writes)."""
    data = bytes(data)
    out = bytearray(STREAM_IDENTIFIER)
    for start in range(0, len(data), FRAME_CHUNK):
        piece = data[start:start + FRAME_CHUNK]
        crc = struct.pack("<I", masked_crc32c(piece))
        packed = snappy_compress(piece)
        if len(packed) < len(piece):
            out += _chunk(0x00, crc + packed)
        else:
            out += _chunk(0x01, crc + piece)
    return bytes(out)


def snappy_unframe(body):
    """Inverse of snappy_frame (any valid framed stream); ValueError on corrupt input or a CRC mismatch."""
    body = bytes(body)
    out = bytearray()
    pos, n, seen_id = 0, len(body), False
    while pos < n:
        if pos + 4 > n:
            raise ValueError("snappy frame: truncated chunk header")
        kind = body[pos]
        length = int.from_bytes(body[pos + 1:pos + 4], "little")
        pos += 4
        if pos + length > n:
            raise ValueError("snappy frame: truncated chunk")
        payload = body[pos:pos + length]
        pos += length
        if kind == 0xFF:
            if payload != STREAM_IDENTIFIER[4:]:
                raise ValueError("snappy frame: bad stream identifier")
            seen_id = True
            continue
        if not seen_id:
            raise ValueError("snappy frame: stream does not start with the stream identifier")
        if kind in (0x00, 0x01):
            if length < 4:
                raise ValueError("snappy frame: chunk too short")
            crc = struct.unpack("<I", payload[:4])[0]
            piece = snappy_decompress(payload[4:]) if kind == 0x00 else payload[4:]
            if len(piece) > FRAME_CHUNK:
                raise ValueError("snappy frame: chunk holds more than 65536 bytes")
            if masked_crc32c(piece) != crc:
                raise ValueError("snappy frame: checksum mismatch")
            out += piece
        elif 0x02 <= kind <= 0x7F:
            raise ValueError("snappy frame: reserved unskippable chunk type 0x%02x" % kind)
        # 0x80..0xfe: skippable / padding
    if not seen_id:
        raise ValueError("snappy frame: no stream identifier")
    return bytes(out)


# ---------------------------------------------------------------------------------------------- Hadoop
HADOOP_BLOCK = 256 * 1024          # io.compression.codec.snappy.buffersize default


def hadoop_snappy(data, block=HADOOP_BLOCK):
    """Hadoop BlockCompressorStream framing of raw Snappy (Firehose's HADOOP_SNAPPY); b"" for no data."""
    data = bytes(data)
    out = bytearray()
    for start in range(0, len(data), block):
        piece = data[start:start + block]
        packed = snappy_compress(piece)
        out += struct.pack(">II", len(piece), len(packed))
        out += packed
    return bytes(out)


def hadoop_unsnappy(body):
    """Inverse of hadoop_snappy (blocks of one or more sub-chunks); ValueError on corrupt input."""
    body = bytes(body)
    out = bytearray()
    pos, n = 0, len(body)
    while pos < n:
        if pos + 4 > n:
            raise ValueError("hadoop snappy: truncated block header")
        want = struct.unpack(">I", body[pos:pos + 4])[0]
        pos += 4
        got = 0
        while got < want:
            if pos + 4 > n:
                raise ValueError("hadoop snappy: truncated chunk header")
            clen = struct.unpack(">I", body[pos:pos + 4])[0]
            pos += 4
            if pos + clen > n:
                raise ValueError("hadoop snappy: truncated chunk")
            piece = snappy_decompress(body[pos:pos + clen])
            pos += clen
            got += len(piece)
            out += piece
        if got != want:
            raise ValueError("hadoop snappy: block holds %d bytes, header says %d" % (got, want))
    return bytes(out)


# ---------------------------------------------------------------------------------------------- ZIP
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def zip_entry_name(key):
    base = key.rsplit("/", 1)[-1]
    return base[:-4] if base.endswith(".zip") else base


def zip_one(data, name):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(info, bytes(data))
    return buf.getvalue()


def unzip_one(body):
    """(entry name, bytes) of a one-entry archive."""
    with zipfile.ZipFile(io.BytesIO(bytes(body))) as z:
        names = z.namelist()
        if len(names) != 1:
            raise ValueError("zip: expected one entry, found %d" % len(names))
        return names[0], z.read(names[0])


# ---------------------------------------------------------------------------------------------- dispatch
def compress(fmt, data, key=""):
    """The object body for CompressionFormat fmt; key (the object key) names the ZIP entry."""
    if fmt in (None, "UNCOMPRESSED"):
        return bytes(data)
    if fmt == "GZIP":
        return gzip.compress(bytes(data), mtime=0)
    if fmt == "ZIP":
        return zip_one(data, zip_entry_name(key))
    if fmt == "Snappy":
        return snappy_frame(data)
    if fmt == "HADOOP_SNAPPY":
        return hadoop_snappy(data)
    raise ValueError("unknown CompressionFormat %r" % (fmt,))


def decompress(fmt, body):
    if fmt in (None, "UNCOMPRESSED"):
        return bytes(body)
    if fmt == "GZIP":
        return gzip.decompress(body)
    if fmt == "ZIP":
        return unzip_one(body)[1]
    if fmt == "Snappy":
        return snappy_unframe(body)
    if fmt == "HADOOP_SNAPPY":
        return hadoop_unsnappy(body)
    raise ValueError("unknown CompressionFormat %r" % (fmt,))
