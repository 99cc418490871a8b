"""Athena's query engine for the emulator: DuckDB (npm @duckdb/node-api) in one long-lived Node worker
(tests/emulator/engine/duckdb_worker.mjs), plus everything between Glue/S3 and DuckDB:

- Glue table -> DuckDB input: Hive types -> DuckDB types, partition projection (date / integer / enum /
  injected, storage.location.template), the S3 objects of the selected partitions materialised in a temp dir in
  Hive layout and read with read_json(..., hive_partitioning=true) so DuckDB prunes partitions itself; the files
  DuckDB really opened come from its FileSystem log.
- Athena (Trino) SQL -> DuckDB SQL: a token-level translation outside string literals (docs/athena-dialect.md).
- DuckDB results -> Athena: type names, value rendering as Trino prints values, error messages as Athena words
  them (COLUMN_NOT_FOUND / SYNTAX_ERROR / TABLE_NOT_FOUND ...).
"""

import bisect
import calendar
import datetime
import decimal
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import urllib.parse

EMU_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT_ROOT = os.path.dirname(os.path.dirname(EMU_DIR))
WORKER = os.path.join(EMU_DIR, "engine", "duckdb_worker.mjs")
DEFAULT_MODULES = os.path.join(PROJECT_ROOT, ".npm-tools", "duckdb", "node_modules")
NOT_INSTALLED = "the emulator's SQL engine is not installed: run scripts/setup"
MAX_PARTITIONS = 1000000


class EngineUnavailable(Exception):
    pass


class QueryFailed(Exception):
    """A query failure in Athena's words: reason = 'CODE: message'."""

    def __init__(self, reason, category=2, error_type=1000):
        super().__init__(reason)
        self.reason = reason
        self.category = category
        self.error_type = error_type


class QueryInterrupted(Exception):
    pass


# ================================================================================================ the worker
def modules_dir(config=None):
    d = (config or {}).get("duckdb_node_modules") or os.environ.get("SLUICE_EMU_DUCKDB_MODULES")
    return d or DEFAULT_MODULES


def node_binary(config=None):
    return (config or {}).get("node_binary") or shutil.which("node")


def available(config=None):
    """True when node and @duckdb/node-api are installed (the worker can start)."""
    node = node_binary(config)
    return bool(node) and os.path.isdir(os.path.join(modules_dir(config), "@duckdb", "node-api"))


class Worker:
    """One Node process running DuckDB, started on first use; one query at a time."""

    def __init__(self, config):
        self.config = config
        self.proc = None
        self.version = None
        self._lock = threading.Lock()        # one query at a time
        self._wlock = threading.Lock()       # writes to stdin (interrupts come from other threads)
        self._next = 0

    def _start(self):
        if self.proc is not None and self.proc.poll() is None:
            return
        if not available(self.config):
            raise EngineUnavailable(NOT_INSTALLED)
        self.proc = subprocess.Popen([node_binary(self.config), WORKER, modules_dir(self.config)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     cwd=EMU_DIR)
        line = self.proc.stdout.readline()
        try:
            hello = json.loads(line)
        except ValueError:
            hello = {}
        if not hello.get("ready"):
            self.stop()
            raise EngineUnavailable("%s (worker: %s)" % (NOT_INSTALLED, hello.get("error") or "did not start"))
        self.version = hello.get("version")

    def query(self, setup, sql):
        with self._lock:
            self._start()
            self._next += 1
            req = {"id": self._next, "op": "query", "setup": setup, "sql": sql}
            try:
                with self._wlock:
                    self.proc.stdin.write((json.dumps(req) + "\n").encode())
                    self.proc.stdin.flush()
                line = self.proc.stdout.readline()
            except (OSError, ValueError):
                line = b""
            if not line:
                self.stop()
                raise QueryFailed("GENERIC_INTERNAL_ERROR: the emulator's SQL engine stopped unexpectedly", 1, 200)
            return json.loads(line)

    def interrupt(self):
        p = self.proc
        if p is None or p.poll() is not None:
            return
        try:
            with self._wlock:
                p.stdin.write(b'{"op": "interrupt"}\n')
                p.stdin.flush()
        except (OSError, ValueError):
            pass

    def stop(self):
        p, self.proc = self.proc, None
        if p is None:
            return
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(timeout=2)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ================================================================================================ Hive types
_TYPE_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\d+|[<>(),:])")
SIMPLE_TYPES = {
    "string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR", "int": "INTEGER", "integer": "INTEGER",
    "bigint": "BIGINT", "smallint": "SMALLINT", "tinyint": "TINYINT", "double": "DOUBLE", "float": "FLOAT",
    "real": "FLOAT", "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE", "binary": "BLOB",
    "decimal": "DECIMAL(10,0)",
}


def qi(name):
    return '"%s"' % str(name).replace('"', '""')


def ql(value):
    return "'%s'" % str(value).replace("'", "''")


def hive_to_duckdb(t):
    """'struct<method:string,codes:array<int>>' -> 'STRUCT("method" VARCHAR, "codes" INTEGER[])'."""
    toks = []
    pos = 0
    t = t.strip()
    while pos < len(t):
        m = _TYPE_TOKEN.match(t, pos)
        if not m:
            raise ValueError("unsupported column type %r" % t)
        toks.append(m.group(1))
        pos = m.end()
        while pos < len(t) and t[pos].isspace():
            pos += 1
    out, i = _parse_type(toks, 0)
    if i != len(toks):
        raise ValueError("unsupported column type %r" % t)
    return out


def _parse_type(toks, i):
    name = toks[i].lower()
    i += 1
    if name == "array":
        _expect(toks, i, "<")
        inner, i = _parse_type(toks, i + 1)
        _expect(toks, i, ">")
        return inner + "[]", i + 1
    if name == "map":
        _expect(toks, i, "<")
        k, i = _parse_type(toks, i + 1)
        _expect(toks, i, ",")
        v, i = _parse_type(toks, i + 1)
        _expect(toks, i, ">")
        return "MAP(%s, %s)" % (k, v), i + 1
    if name == "struct":
        _expect(toks, i, "<")
        i += 1
        fields = []
        while True:
            fname = toks[i]
            _expect(toks, i + 1, ":")
            ft, i = _parse_type(toks, i + 2)
            fields.append("%s %s" % (qi(fname.lower()), ft))
            if i < len(toks) and toks[i] == ",":
                i += 1
                continue
            _expect(toks, i, ">")
            return "STRUCT(%s)" % ", ".join(fields), i + 1
    if name == "decimal" and i < len(toks) and toks[i] == "(":
        p = toks[i + 1]
        s = "0"
        i += 2
        if toks[i] == ",":
            s = toks[i + 1]
            i += 2
        _expect(toks, i, ")")
        return "DECIMAL(%s,%s)" % (p, s), i + 1
    if name in ("varchar", "char") and i < len(toks) and toks[i] == "(":
        _expect(toks, i + 2, ")")
        return "VARCHAR", i + 3
    if name not in SIMPLE_TYPES:
        raise ValueError("unsupported column type %r" % name)
    return SIMPLE_TYPES[name], i


def _expect(toks, i, what):
    if i >= len(toks) or toks[i] != what:
        raise ValueError("malformed column type (expected %r)" % what)


# ================================================================================================ projection
_JAVA_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.S)


def java_pattern(fmt):
    """DateTimeFormatter pattern -> [('lit', text) | ('field', letter, width)]."""
    out = []
    for m in _JAVA_TOKEN.finditer(fmt):
        s = m.group(0)
        if s.startswith("'"):
            out.append(("lit", "'" if s == "''" else s[1:-1].replace("''", "'")))
        elif s[0].isalpha():
            if s[0] not in "yuMdHhmsSDa":
                raise ValueError("unsupported letter %r in date format %r" % (s[0], fmt))
            out.append(("field", s[0], len(s)))
        else:
            out.append(("lit", s))
    return out


def java_format(dt, pattern):
    parts = []
    for p in pattern:
        if p[0] == "lit":
            parts.append(p[1])
            continue
        _, letter, width = p
        if letter in "yu":
            v = dt.year % 100 if width == 2 else dt.year
            parts.append("%0*d" % (2 if width == 2 else width, v))
        elif letter == "M":
            parts.append("%0*d" % (width, dt.month) if width <= 2 else dt.strftime("%b" if width == 3 else "%B"))
        else:
            v = {"d": dt.day, "H": dt.hour, "h": (dt.hour % 12) or 12, "m": dt.minute, "s": dt.second,
                 "D": dt.timetuple().tm_yday, "S": dt.microsecond // 10 ** max(0, 6 - width)}.get(letter)
            if letter == "a":
                parts.append("AM" if dt.hour < 12 else "PM")
            else:
                parts.append("%0*d" % (width, v))
    return "".join(parts)


def java_parse(s, pattern):
    rx = []
    names = []
    for p in pattern:
        if p[0] == "lit":
            rx.append(re.escape(p[1]))
            continue
        _, letter, width = p
        if letter == "a":
            rx.append("(AM|PM)")
        elif letter == "M" and width >= 3:
            rx.append("([A-Za-z]+)")
        else:
            rx.append(r"(\d{%d})" % width if width > 1 else r"(\d{1,4})")
        names.append((letter, width))
    m = re.fullmatch("".join(rx), s.strip())
    if not m:
        raise ValueError("%r does not match the date format" % s)
    f = {"y": 1970, "M": 1, "d": 1, "H": 0, "m": 0, "s": 0, "S": 0}
    pm = None
    for (letter, width), v in zip(names, m.groups()):
        if letter == "a":
            pm = v == "PM"
        elif letter == "M" and width >= 3:
            f["M"] = datetime.datetime.strptime(v[:3], "%b").month
        elif letter in "yu":
            f["y"] = int(v) + (2000 if width == 2 else 0)
        elif letter == "h":
            f["H"] = int(v) % 12
        elif letter == "S":
            f["S"] = int(v.ljust(6, "0")[:6])
        elif letter == "D":
            f["D"] = int(v)
        else:
            f[letter] = int(v)
    if pm:
        f["H"] += 12
    dt = datetime.datetime(f["y"], f["M"], f["d"], f["H"], f["m"], f["s"], f["S"])
    if "D" in f:
        dt = datetime.datetime(f["y"], 1, 1, f["H"], f["m"], f["s"]) + datetime.timedelta(days=f["D"] - 1)
    return dt


UNITS = {"YEAR": "YEARS", "MONTH": "MONTHS", "WEEK": "WEEKS", "DAY": "DAYS", "HOUR": "HOURS",
         "MINUTE": "MINUTES", "SECOND": "SECONDS"}
_REL = re.compile(r"^\s*NOW\s*(?:([+-])\s*(\d+)\s*(YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?\s*$", re.I)


def _unit(u):
    u = u.upper()
    return UNITS.get(u, u)


def add_interval(dt, n, unit):
    unit = _unit(unit)
    if unit in ("YEARS", "MONTHS"):
        months = n * (12 if unit == "YEARS" else 1)
        y, m = divmod(dt.month - 1 + months, 12)
        y += dt.year
        day = min(dt.day, calendar.monthrange(y, m + 1)[1])
        return dt.replace(year=y, month=m + 1, day=day)
    secs = {"WEEKS": 604800, "DAYS": 86400, "HOURS": 3600, "MINUTES": 60, "SECONDS": 1}.get(unit)
    if secs is None:
        raise ValueError("unsupported interval unit %r" % unit)
    return dt + datetime.timedelta(seconds=n * secs)


def _bound(text, pattern, now):
    m = _REL.match(text)
    if m:
        dt = now
        if m.group(1):
            dt = add_interval(dt, int(m.group(2)) * (1 if m.group(1) == "+" else -1), m.group(3))
        return java_parse(java_format(dt, pattern), pattern)   # truncated to the format's precision
    return java_parse(text, pattern)


def _default_unit(pattern):
    letters = {p[1] for p in pattern if p[0] == "field"}
    for letter, unit in (("s", "SECONDS"), ("m", "MINUTES"), ("H", "HOURS"), ("h", "HOURS"), ("d", "DAYS"),
                         ("D", "DAYS"), ("M", "MONTHS")):
        if letter in letters:
            return unit
    return "YEARS"


def projected_values(col, params, now, injected=None):
    """The partition values projection enumerates for column col (strings, in order)."""
    p = lambda k, d=None: params.get("projection.%s.%s" % (col, k), d)  # noqa: E731
    kind = (p("type") or "").lower()
    if kind == "date":
        fmt = p("format")
        rng = p("range")
        if not fmt or not rng or "," not in rng:
            raise QueryFailed("HIVE_METASTORE_ERROR: projection.%s.format and projection.%s.range are required "
                              "for a date projection" % (col, col))
        pattern = java_pattern(fmt)
        a, b = [x.strip() for x in rng.split(",", 1)]
        start, end = _bound(a, pattern, now), _bound(b, pattern, now)
        step = int(p("interval", "1"))
        unit = p("interval.unit") or _default_unit(pattern)
        out = []
        dt = start
        i = 0
        while dt <= end:
            out.append(java_format(dt, pattern))
            i += 1
            if len(out) > MAX_PARTITIONS:
                raise QueryFailed("HIVE_EXCEEDED_PARTITION_LIMIT: Query over table with projection enumerates "
                                  "more than %d partitions" % MAX_PARTITIONS)
            dt = add_interval(start, i * step, unit)
        return out
    if kind == "integer":
        rng = p("range") or ""
        a, _, b = rng.partition(",")
        step = int(p("interval", "1"))
        digits = p("digits")
        vals = range(int(a), int(b) + 1, step)
        if len(vals) > MAX_PARTITIONS:
            raise QueryFailed("HIVE_EXCEEDED_PARTITION_LIMIT: projection of %s enumerates too many partitions" % col)
        return [("%0*d" % (int(digits), v)) if digits else str(v) for v in vals]
    if kind == "enum":
        return [v.strip() for v in (p("values") or "").split(",") if v.strip()]
    if kind == "injected":
        if not injected:
            raise QueryFailed("CONSTRAINT_VIOLATION: For the injected projected partition column %s, the WHERE "
                              "clause must contain only static equality conditions, and at least one such "
                              "condition must be present." % col)
        return sorted(injected)
    raise QueryFailed("HIVE_METASTORE_ERROR: unsupported projection type %r for column %s" % (kind, col))


def split_s3(uri):
    m = re.match(r"^s3a?n?://([^/]+)/?(.*)$", uri or "")
    if not m:
        return None, None
    return m.group(1), m.group(2)


def partition_prefixes(table, now, injected):
    """[(values dict, bucket, key prefix)] of the partitions a projected table enumerates."""
    params = table.get("Parameters") or {}
    keys = [k["Name"].lower() for k in table.get("PartitionKeys") or []]
    lists = []
    for k in keys:
        lists.append(projected_values(k, params, now, injected.get(k)))
    combos = [{}]
    for k, vals in zip(keys, lists):
        combos = [dict(c, **{k: v}) for c in combos for v in vals]
        if len(combos) > MAX_PARTITIONS:
            raise QueryFailed("HIVE_EXCEEDED_PARTITION_LIMIT: too many projected partitions")
    template = params.get("storage.location.template")
    location = (table.get("StorageDescriptor") or {}).get("Location") or ""
    out = []
    for c in combos:
        if template:
            uri = re.sub(r"\$\{([^}]+)\}", lambda m: c.get(m.group(1).lower(), m.group(0)), template)
        else:
            uri = location.rstrip("/") + "/" + "/".join("%s=%s" % (k, c[k]) for k in keys) + "/"
        bucket, prefix = split_s3(uri)
        out.append((c, bucket, prefix))
    return out


# ================================================================================================ SQL tokens
_SQL_TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>--[^\n]*|/\*.*?\*/) | (?P<str>'(?:[^']|'')*') | (?P<qid>"(?:[^"]|"")*") |
    (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?) | (?P<id>[A-Za-z_][A-Za-z0-9_$@]*) |
    (?P<op><>|!=|>=|<=|\|\||->|=>|::|.)
""", re.S | re.X)


class Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind, self.text, self.pos = kind, text, pos

    @property
    def name(self):
        """Identifier value (lowercased, quotes removed) or None."""
        if self.kind == "id":
            return self.text.lower()
        if self.kind == "qid":
            return self.text[1:-1].replace('""', '"').lower()
        return None


def tokenize(sql):
    out = []
    pos = 0
    while pos < len(sql):
        m = _SQL_TOKEN.match(sql, pos)
        if m is None:      # an unterminated string or identifier: the rest is one token (a syntax error later)
            out.append(Tok("op", sql[pos:], pos))
            break
        out.append(Tok(m.lastgroup, m.group(0), pos))
        pos = m.end()
    return out


def significant(toks):
    return [t for t in toks if t.kind not in ("ws", "comment")]


def statement_type(sql):
    for t in significant(tokenize(sql)):
        if t.text == "(":
            continue
        w = t.text.upper()
        if w in ("SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE", "UNLOAD"):
            return "DML", w
        if w in ("EXPLAIN",):
            return "UTILITY", w
        if w in ("CREATE", "DROP", "ALTER", "MSCK", "SHOW", "DESCRIBE", "DESC", "USE", "REPAIR", "GRANT",
                 "REVOKE", "PREPARE", "DEALLOCATE", "EXECUTE", "OPTIMIZE", "VACUUM", "CALL"):
            return "DDL", w
        return "DML", "SELECT"      # not a statement keyword: the engine answers SYNTAX_ERROR
    return "DML", "SELECT"


# Trino / MySQL date_parse & date_format specifiers -> DuckDB strptime / strftime
MYSQL_FMT = {"%Y": "%Y", "%y": "%y", "%m": "%m", "%c": "%-m", "%d": "%d", "%e": "%-d", "%H": "%H", "%k": "%-H",
             "%h": "%I", "%I": "%I", "%l": "%-I", "%i": "%M", "%s": "%S", "%S": "%S", "%f": "%f", "%p": "%p",
             "%T": "%H:%M:%S", "%r": "%I:%M:%S %p", "%M": "%B", "%b": "%b", "%W": "%A", "%a": "%a", "%j": "%j",
             "%%": "%%"}
JAVA_FMT = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%-m", "MMM": "%b", "MMMM": "%B", "dd": "%d", "d": "%-d",
            "HH": "%H", "H": "%-H", "hh": "%I", "mm": "%M", "ss": "%S", "SSS": "%g", "SSSSSS": "%f", "a": "%p",
            "EEE": "%a", "EEEE": "%A", "DDD": "%j"}


def mysql_to_strftime(lit):
    body = lit[1:-1].replace("''", "'")

    def rep(m):
        s = m.group(0)
        if s not in MYSQL_FMT:
            raise QueryFailed("INVALID_FUNCTION_ARGUMENT: the emulator does not support the date format "
                              "specifier %s" % s)
        return MYSQL_FMT[s]
    return ql(re.sub(r"%.", rep, body))


def java_to_strftime(lit):
    body = lit[1:-1].replace("''", "'")
    out = []
    for m in _JAVA_TOKEN.finditer(body):
        s = m.group(0)
        if s.startswith("'"):
            out.append(("'" if s == "''" else s[1:-1]).replace("%", "%%"))
        elif s[0].isalpha():
            if s not in JAVA_FMT:
                raise QueryFailed("INVALID_FUNCTION_ARGUMENT: the emulator does not support the datetime pattern "
                                  "%s" % s)
            out.append(JAVA_FMT[s])
        else:
            out.append(s.replace("%", "%%"))
    return ql("".join(out))


RENAMES = {"approx_distinct": "approx_count_distinct", "cardinality": "len", "json_extract_scalar":
           "json_extract_string", "regexp_like": "regexp_matches", "to_unixtime": "epoch", "arbitrary": "any_value",
           "approx_percentile": "approx_quantile", "array_join": "array_to_string", "contains": "list_contains",
           "from_unixtime": "to_timestamp", "day_of_week": "isodow", "dow": "isodow", "day_of_year": "dayofyear",
           "doy": "dayofyear", "json_array_length": "json_array_length", "json_parse": "json",
           "json_format": "to_json", "sha256": "sha256", "to_hex": "hex", "from_hex": "unhex"}


def _lit_arg(args, i, fname):
    if len(args) <= i or len(args[i]) != 1 or args[i][0].kind != "str":
        raise QueryFailed("NOT_SUPPORTED: the emulator needs a string literal as argument %d of %s" % (i + 1, fname))
    return args[i][0].text


def _special(fname, args, render):
    a = [render(x) for x in args]
    if fname in ("date_parse", "date_format"):
        if len(args) != 2:
            return None
        fmt = mysql_to_strftime(_lit_arg(args, 1, fname))
        return "%s(%s, %s)" % ("strptime" if fname == "date_parse" else "strftime", a[0], fmt)
    if fname in ("parse_datetime", "format_datetime"):
        if len(args) != 2:
            return None
        fmt = java_to_strftime(_lit_arg(args, 1, fname))
        return "%s(%s, %s)" % ("strptime" if fname == "parse_datetime" else "strftime", a[0], fmt)
    if fname == "from_iso8601_timestamp" and len(a) == 1:
        return "CAST(%s AS TIMESTAMPTZ)" % a[0]
    if fname == "from_iso8601_date" and len(a) == 1:
        return "CAST(%s AS DATE)" % a[0]
    if fname == "element_at" and len(a) == 2:
        return "(%s)[%s]" % (a[0], a[1])
    if fname == "date_add" and len(a) == 3:
        return "(%s + CAST(CAST(%s AS VARCHAR) || ' ' || %s AS INTERVAL))" % (a[2], a[1], a[0])
    if fname == "to_iso8601" and len(a) == 1:
        return "strftime(%s, '%%Y-%%m-%%dT%%H:%%M:%%S.%%gZ')" % a[0]
    return None


def translate(sql):
    """Athena (Trino) SQL -> DuckDB SQL, token by token; string literals are never touched."""
    toks = tokenize(sql)
    return _render(toks)


def _render(toks):
    out = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "id":
            low = t.text.lower()
            j = i + 1
            while j < n and toks[j].kind in ("ws", "comment"):
                j += 1
            prev = _prev_sig(toks, i)
            is_call = j < n and toks[j].text == "(" and (prev is None or prev.text != ".")
            if is_call:
                close, args = _call_args(toks, j)
                if close is not None:
                    special = _special(low, args, _render)
                    if special is not None:
                        out.append(special)
                        i = close + 1
                        continue
                    if low in RENAMES:
                        out.append(RENAMES[low])
                        i += 1
                        continue
            if low == "varbinary":
                out.append("BLOB")
                i += 1
                continue
        out.append(t.text)
        i += 1
    return "".join(out)


def _prev_sig(toks, i):
    k = i - 1
    while k >= 0 and toks[k].kind in ("ws", "comment"):
        k -= 1
    return toks[k] if k >= 0 else None


def _call_args(toks, open_idx):
    """(index of the matching ')', [arg token lists]) or (None, None)."""
    depth = 0
    args = [[]]
    for k in range(open_idx, len(toks)):
        t = toks[k]
        if t.text in ("(", "["):
            depth += 1
            if depth == 1:
                continue
        elif t.text in (")", "]"):
            depth -= 1
            if depth == 0:
                stripped = [_strip(a) for a in args]
                return k, [] if stripped == [[]] else stripped
        elif t.text == "," and depth == 1:
            args.append([])
            continue
        args[-1].append(t)
    return None, None


def _strip(a):
    while a and a[0].kind in ("ws", "comment"):
        a = a[1:]
    while a and a[-1].kind in ("ws", "comment"):
        a = a[:-1]
    return a


def referenced_names(sql):
    """Lowercased identifiers of the query (candidates for table names)."""
    return {t.name for t in tokenize(sql) if t.name is not None}


def injected_values(sql):
    """col -> {values} from `col = 'v'` and `col IN ('a', 'b')` (for injected projection)."""
    toks = significant(tokenize(sql))
    out = {}
    for i, t in enumerate(toks):
        if t.name is None or i + 2 >= len(toks):
            continue
        if toks[i + 1].text == "=" and toks[i + 2].kind in ("str", "num"):
            out.setdefault(t.name, set()).add(_lit_value(toks[i + 2]))
        elif toks[i + 1].text.upper() == "IN" and toks[i + 2].text == "(":
            vals = []
            k = i + 3
            while k < len(toks) and toks[k].text != ")":
                if toks[k].kind in ("str", "num"):
                    vals.append(_lit_value(toks[k]))
                elif toks[k].text != ",":
                    vals = None
                    break
                k += 1
            if vals:
                out.setdefault(t.name, set()).update(vals)
    return out


def _lit_value(t):
    return t.text[1:-1].replace("''", "'") if t.kind == "str" else t.text


# ================================================================================================ errors
def line_col(sql, pos):
    line = sql.count("\n", 0, pos) + 1
    col = pos - (sql.rfind("\n", 0, pos) + 1) + 1
    return "line %d:%d" % (line, col)


def _find_ident(sql, name, qualified_tail=None):
    """Position of the first identifier token `name` (case-insensitive) outside literals; with qualified_tail,
    the start of a dotted name whose last part is `name`."""
    toks = significant(tokenize(sql))
    name = name.lower()
    for i, t in enumerate(toks):
        if t.name == name:
            k = i
            while k >= 2 and toks[k - 1].text == "." and toks[k - 2].name is not None:
                k -= 2
            return (toks[k].pos if qualified_tail else t.pos), [x.name for x in toks[k:i + 1:2]]
    return None, None


def _find_text(sql, text):
    for t in significant(tokenize(sql)):
        if t.text.lower() == text.lower() or t.name == text.lower():
            return t.pos
    return None


def athena_error(msg, sql, database):
    """DuckDB error message -> QueryFailed in Athena's words."""
    first = msg.split("\n", 1)[0]
    m = re.match(r"^([A-Za-z ]+?) Error: (.*)$", first)
    cls, text = (m.group(1), m.group(2)) if m else ("", first)

    def at(pos):
        return line_col(sql, pos if pos is not None else 0)
    if cls == "INTERRUPT":
        raise QueryInterrupted()
    if cls == "Binder":
        c = re.search(r'Referenced column "([^"]+)" (?:not found|was not found)', text) or \
            re.search(r'does not have a column named "([^"]+)"', text) or \
            re.search(r'Could not find key "([^"]+)" in struct', text) or \
            re.search(r'Referenced table "([^"]+)" not found', text)
        if c:
            name = c.group(1)
            pos, _ = _find_ident(sql, name.split(".")[-1])
            return QueryFailed("COLUMN_NOT_FOUND: %s: Column '%s' cannot be resolved or requester is not "
                               "authorized to access requested resources" % (at(pos), name))
        c = re.search(r'Catalog "([^"]+)" does not exist', text)
        if c:
            pos, _ = _find_ident(sql, c.group(1))
            return QueryFailed("CATALOG_NOT_FOUND: %s: Catalog '%s' does not exist" % (at(pos), c.group(1)))
        c = re.search(r'column "([^"]+)" must appear in the GROUP BY clause', text)
        if c:
            pos, _ = _find_ident(sql, c.group(1))
            return QueryFailed("EXPRESSION_NOT_AGGREGATE: %s: '%s' must be an aggregate expression or appear in "
                               "GROUP BY clause" % (at(pos), c.group(1)))
        c = re.search(r"No function matches the given name and argument types '([A-Za-z_0-9]+)\((.*)\)'", text)
        if c:
            pos = _find_text(sql, c.group(1))
            return QueryFailed("FUNCTION_NOT_FOUND: %s: Unexpected parameters (%s) for function %s"
                               % (at(pos), c.group(2).lower(), c.group(1)))
        return QueryFailed("TYPE_MISMATCH: line 1:1: %s" % text)
    if cls == "Catalog":
        c = re.search(r"Table with name (\S+) does not exist because schema (\S+) does not exist", text)
        if c:
            pos, _ = _find_ident(sql, c.group(1).strip('"').split(".")[-1], qualified_tail=True)
            return QueryFailed("SCHEMA_NOT_FOUND: %s: Schema 'awsdatacatalog.%s' does not exist"
                               % (at(pos), c.group(2).strip('"').split(".")[-1]))
        c = re.search(r"Table with name (\S+) does not exist", text)
        if c:
            name = c.group(1).strip('"').split(".")[-1]
            pos, parts = _find_ident(sql, name, qualified_tail=True)
            parts = parts or [name]
            if len(parts) == 1:
                parts = ["awsdatacatalog", database or "default"] + parts
            elif len(parts) == 2:
                parts = ["awsdatacatalog"] + parts
            return QueryFailed("TABLE_NOT_FOUND: %s: Table '%s' does not exist" % (at(pos), ".".join(parts)))
        c = re.search(r"Schema with name (\S+) does not exist", text)
        if c:
            pos, _ = _find_ident(sql, c.group(1).strip('"').split(".")[-1], qualified_tail=True)
            return QueryFailed("SCHEMA_NOT_FOUND: %s: Schema '%s' does not exist" % (at(pos), c.group(1).strip('"')))
        c = re.search(r"Catalog with name (\S+) does not exist", text)
        if c:
            pos, _ = _find_ident(sql, c.group(1).strip('"'))
            return QueryFailed("CATALOG_NOT_FOUND: %s: Catalog '%s' does not exist" % (at(pos), c.group(1).strip('"')))
        c = re.search(r"(?:Scalar |Aggregate |Table )?Function with name (\S+) does not exist", text)
        if c:
            pos = _find_text(sql, c.group(1))
            return QueryFailed("FUNCTION_NOT_FOUND: %s: Function '%s' not registered" % (at(pos), c.group(1)))
        return QueryFailed("GENERIC_USER_ERROR: %s" % text)
    if cls == "Parser":
        c = re.search(r'syntax error at or near "(.*)"', text)
        if c:
            pos = _find_text(sql, c.group(1))
            return QueryFailed("SYNTAX_ERROR: %s: mismatched input '%s'" % (at(pos), c.group(1)))
        if "end of input" in text:
            return QueryFailed("SYNTAX_ERROR: %s: mismatched input '<EOF>'" % line_col(sql, len(sql.rstrip())))
        return QueryFailed("SYNTAX_ERROR: line 1:1: %s" % text)
    if cls == "Conversion":
        return QueryFailed("INVALID_CAST_ARGUMENT: %s" % text, 2, 1001)
    if cls == "Invalid Input":
        if "JSON" in text:
            return QueryFailed("HIVE_CURSOR_ERROR: Row is not a valid JSON Object - %s" % text, 2, 1001)
        if "according to format specifier" in text:
            return QueryFailed("INVALID_FUNCTION_ARGUMENT: Invalid format: %s" % text, 2, 1000)
        return QueryFailed("INVALID_FUNCTION_ARGUMENT: %s" % text)
    if cls == "Out of Range":
        return QueryFailed("NUMERIC_VALUE_OUT_OF_RANGE: %s" % text, 2, 1001)
    if cls == "Not implemented":
        return QueryFailed("NOT_SUPPORTED: %s" % text)
    return QueryFailed("GENERIC_INTERNAL_ERROR: %s" % first, 1, 200)


# ================================================================================================ results
def java_double(x, single=False):
    """Java's Double.toString / Float.toString (what Trino prints)."""
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    if single:
        f32 = struct.unpack("f", struct.pack("f", x))[0]
        for p in range(1, 10):
            s = "%.*g" % (p, f32)
            if struct.unpack("f", struct.pack("f", float(s)))[0] == f32:
                break
    else:
        s = repr(float(x))
    if float(s) == 0:
        return "-0.0" if s.startswith("-") else "0.0"
    d = decimal.Decimal(s)
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    ds = "".join(map(str, digits))
    sci = len(ds) - 1 + exp          # x = d.ddd * 10^sci
    neg = "-" if sign else ""
    if -3 <= sci < 7:
        if exp >= 0:
            return neg + ds + "0" * exp + ".0"
        point = len(ds) + exp
        if point > 0:
            return neg + ds[:point] + "." + ds[point:]
        return neg + "0." + "0" * (-point) + ds
    return neg + ds[0] + "." + (ds[1:] or "0") + "E" + str(sci)


_INT_IDS = {2, 3, 4, 5, 6, 7, 8, 9, 16, 32}


def render(value, t):
    """A DuckDB JSON value of type t (type JSON) as Trino prints it; None stays None (NULL)."""
    if value is None:
        return None
    tid = t.get("typeId")
    if tid == 1:
        return "true" if value else "false"
    if tid in _INT_IDS:
        return str(int(value))
    if tid in (10, 11):
        return java_double(float(value), single=tid == 10)
    if tid in (12, 20, 21, 22):
        return _ts(value)
    if tid == 31:
        return _ts(re.sub(r"[+-]\d\d(:\d\d)?$", "", value)) + " UTC"
    if tid == 14:
        return _time(value)
    if tid == 15:
        micros = int(value.get("micros", 0)) + int(value.get("days", 0)) * 86400000000
        if value.get("months"):
            return "%d-%d" % divmod(int(value["months"]), 12)
        days, rem = divmod(micros, 86400000000)
        h, rem = divmod(rem, 3600000000)
        mi, rem = divmod(rem, 60000000)
        s, us = divmod(rem, 1000000)
        return "%d %02d:%02d:%02d.%03d" % (days, h, mi, s, us // 1000)
    if tid == 18:
        return " ".join("%02x" % b for b in str(value).encode("latin-1", "replace"))
    if tid in (24, 33):
        return "[" + ", ".join(_nested(v, t["valueType"]) for v in value) + "]"
    if tid == 25:
        return "{" + ", ".join("%s=%s" % (n, _nested(value.get(n), et))
                               for n, et in zip(t["entryNames"], t["entryTypes"])) + "}"
    if tid == 26:
        return "{" + ", ".join("%s=%s" % (_nested(e["key"], t["keyType"]), _nested(e["value"], t["valueType"]))
                               for e in value) + "}"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _nested(v, t):
    r = render(v, t)
    return "null" if r is None else r


def _ts(s):
    date, _, time_ = s.partition(" ")
    return date + " " + _time(time_ or "00:00:00")


def _time(s):
    hms, _, frac = s.partition(".")
    return hms + "." + (frac + "000")[:3]


def athena_type(t):
    """DuckDB type JSON -> (Athena type name, precision, scale)."""
    tid = t.get("typeId")
    table = {1: ("boolean", 0), 2: ("tinyint", 3), 3: ("smallint", 5), 4: ("integer", 10), 5: ("bigint", 19),
             6: ("smallint", 5), 7: ("integer", 10), 8: ("bigint", 19), 9: ("bigint", 19), 16: ("bigint", 19),
             32: ("bigint", 19), 10: ("real", 17), 11: ("double", 17), 12: ("timestamp", 3),
             20: ("timestamp", 3), 21: ("timestamp", 3), 22: ("timestamp", 3), 13: ("date", 0), 14: ("time", 3),
             31: ("timestamp with time zone", 3), 17: ("varchar", 2147483647), 23: ("varchar", 2147483647),
             27: ("uuid", 0), 18: ("varbinary", 1073741824), 24: ("array", 0), 33: ("array", 0), 25: ("row", 0),
             26: ("map", 0), 15: ("interval day to second", 0), 36: ("unknown", 0)}
    if tid == 19:
        return "decimal", int(t.get("width", 38)), int(t.get("scale", 0))
    name, prec = table.get(tid, ("varchar", 2147483647))
    return name, prec, 0


_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def column_labels(names):
    """DuckDB column names -> Athena labels: expressions without an alias are _colN, as Trino names them."""
    out = []
    for i, n in enumerate(names):
        if _PLAIN_NAME.match(n) and n.lower() not in ("true", "false", "null"):
            out.append(n.lower())
        else:
            out.append("_col%d" % i)
    return out


def csv_bytes(header, rows):
    """Athena's result file: every field double-quoted, NULL as an empty unquoted field, \\n line ends."""
    def field(v):
        return "" if v is None else '"' + v.replace('"', '""') + '"'
    lines = [",".join(field(h) for h in header)] if header is not None else []
    lines.extend(",".join(field(v) for v in r) for r in rows)
    return ("".join(line + "\n" for line in lines)).encode("utf-8")


# ================================================================================================ one query
class Prepared:
    """The DuckDB setup for one query: schemas, views over the materialised S3 objects."""

    def __init__(self):
        self.setup = []
        self.files = {}        # local path -> (bucket, key, size)
        self.tmp = tempfile.mkdtemp(prefix="sluice-athena-")

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def _empty_view(cols, parts):
    sel = ", ".join("CAST(NULL AS %s) AS %s" % (t, qi(n)) for n, t in cols + parts) or "NULL AS _dummy"
    return "SELECT %s WHERE false" % sel


def prepare(emu, tables, database, sql, now):
    """tables: {(db, name): glue table dict} for every Glue table the query may reference."""
    s3 = emu.services["s3"]
    prep = Prepared()
    setup = prep.setup
    setup.append("SET TimeZone = 'UTC'")
    setup.append("SET integer_division = true")
    setup.append("SET default_null_order = 'nulls_last'")
    setup.append("ATTACH ':memory:' AS awsdatacatalog")
    schemas = {db for db, _ in tables} | {database or "default"}
    for db in sorted(schemas):
        setup.append("CREATE SCHEMA IF NOT EXISTS awsdatacatalog.%s" % qi(db))
    injected = injected_values(sql)
    n = 0
    for (db, name), table in sorted(tables.items()):
        sd = table.get("StorageDescriptor") or {}
        params = table.get("Parameters") or {}
        try:
            cols = [(c["Name"].lower(), hive_to_duckdb(c.get("Type") or "string")) for c in sd.get("Columns") or []]
            parts = [(c["Name"].lower(), hive_to_duckdb(c.get("Type") or "string"))
                     for c in table.get("PartitionKeys") or []]
        except ValueError as e:
            raise QueryFailed("HIVE_INVALID_METADATA: table %s.%s: %s" % (db, name, e))
        serde = (sd.get("SerdeInfo") or {})
        lib = serde.get("SerializationLibrary") or ""
        view = "awsdatacatalog.%s.%s" % (qi(db), qi(name))
        if lib and "json" not in lib.lower():
            setup.append("CREATE VIEW %s AS SELECT error(%s) AS x" % (
                view, ql("the emulator reads JSON tables only (SerializationLibrary %s)" % lib)))
            continue
        # which objects
        selected = []      # (values dict, bucket, key)
        if parts and str(params.get("projection.enabled", "")).lower() == "true":
            buckets = {}
            for vals, bucket, prefix in partition_prefixes(table, now, injected):
                if bucket is None:
                    continue
                if bucket not in buckets:
                    buckets[bucket] = s3.internal_list_keys(bucket, "")
                keys = buckets[bucket]
                i = bisect.bisect_left(keys, prefix)
                while i < len(keys) and keys[i].startswith(prefix):
                    selected.append((vals, bucket, keys[i]))
                    i += 1
        elif not parts:
            bucket, prefix = split_s3(sd.get("Location"))
            if bucket:
                if prefix and not prefix.endswith("/"):
                    prefix += "/"
                selected = [({}, bucket, k) for k in s3.internal_list_keys(bucket, prefix)]
        # (partitioned without projection: the emulator keeps no partitions, so the table is empty, as in
        # Athena before partitions are added)
        files = []
        for vals, bucket, key in selected:
            base = key.rsplit("/", 1)[-1]
            if not base or base.startswith(("_", ".")):
                continue
            data = s3.internal_get_object(bucket, key)
            if data is None:
                continue
            d = os.path.join(prep.tmp, "t%d" % len(setup), *["%s=%s" % (k, urllib.parse.quote(vals[k], safe=""))
                                                            for k, _ in parts])
            os.makedirs(d, exist_ok=True)
            n += 1
            path = os.path.join(d, "%d.json%s" % (n, ".gz" if key.endswith(".gz") else ""))
            with open(path, "wb") as f:
                f.write(data)
            prep.files[path] = (bucket, key, len(data))
            files.append(path)
        if not files:
            setup.append("CREATE VIEW %s AS %s" % (view, _empty_view(cols, parts)))
            continue
        opts = ["format='newline_delimited'",
                "columns={%s}" % ", ".join("%s: %s" % (ql(c), ql(t)) for c, t in cols),
                "compression='auto_detect'"]
        if str((serde.get("Parameters") or {}).get("ignore.malformed.json", "")).lower() == "true":
            opts.append("ignore_errors=true")
        if parts:
            opts.append("hive_partitioning=true")
            opts.append("hive_types={%s}" % ", ".join("%s: %s" % (ql(c), ql(t)) for c, t in parts))
        select = ", ".join([qi(c) for c, _ in cols] + [qi(c) for c, _ in parts])
        setup.append("CREATE VIEW %s AS SELECT %s FROM read_json([%s], %s)" % (
            view, select, ", ".join(ql(p) for p in files), ", ".join(opts)))
    setup.append("USE awsdatacatalog.%s" % qi(database or "default"))
    return prep
