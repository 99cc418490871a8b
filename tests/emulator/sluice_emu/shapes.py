"""Shape-driven helpers built on botocore's service models.

- validate(): check a params dict against an operation's input shape (required members, types, lengths,
  min/max, patterns, enums, list sizes) and produce AWS-style "N validation errors detected" messages.
- parse_query(): turn a Query-protocol form (flat `Tags.member.1.Key=...`) into the input shape's params.
- to_xml() / from_xml(): serialize an output shape to XML / parse an XML request body into a shape's params.

Only botocore's model loader is used (as a library); the logic here is our own.
"""

import base64
import datetime
import re
import threading
import xml.etree.ElementTree as ET

import botocore.session

_session_lock = threading.Lock()
_session = None
_models = {}
_regex_cache = {}


def service_model(service):
    global _session
    with _session_lock:
        m = _models.get(service)
        if m is None:
            if _session is None:
                _session = botocore.session.get_session()
            m = _session.get_service_model(service)
            _models[service] = m
        return m


def operation_model(service, operation):
    return service_model(service).operation_model(operation)


# ---------------------------------------------------------------------------------------------- patterns
_P_CLASSES = {
    # Java's \p{..} classes are not supported by Python's re; inside a character class these approximations
    # are close enough for test inputs.
    r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{Z}": r"\s", r"\p{M}": r"\S", r"\p{S}": r"\S", r"\p{P}": r"\S",
}


def _compile_pattern(pattern):
    rx = _regex_cache.get(pattern)
    if rx is None:
        p = pattern
        for k, v in _P_CLASSES.items():
            p = p.replace(k, v)
        try:
            rx = re.compile(p, re.DOTALL)
        except re.error:
            rx = False
        _regex_cache[pattern] = rx
    return rx


# ---------------------------------------------------------------------------------------------- validate
class Problems:
    def __init__(self):
        self.constraint = []   # AWS "validation error" strings
        self.types = []        # type mismatches (SerializationException for JSON services)

    def __bool__(self):
        return bool(self.constraint or self.types)


def _lc(name):
    return name[:1].lower() + name[1:]


def _show(value):
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]" % (len(value), len(value))
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def validate(shape, params, problems=None, path=""):
    """Validate params (dict) against a structure shape. Returns a Problems object."""
    if problems is None:
        problems = Problems()
    _check(shape, params, path, problems, top=True)
    return problems


def _check(shape, value, path, problems, top=False):
    t = shape.type_name
    meta = shape.metadata
    where = path or shape.name
    if t == "structure":
        if not isinstance(value, dict):
            problems.types.append("Expected an object at '%s'" % where)
            return
        for req in meta.get("required", []):
            if value.get(req) is None:
                problems.constraint.append(
                    "Value null at '%s' failed to satisfy constraint: Member must not be null"
                    % ((path + "." if path else "") + _lc(req)))
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                _check(member, value[name], (path + "." if path else "") + _lc(name), problems)
        return
    if t == "list":
        if not isinstance(value, list):
            problems.types.append("Expected a list at '%s'" % where)
            return
        _range(meta, len(value), value, where, problems, "length")
        for i, item in enumerate(value, 1):
            if item is None:
                continue
            _check(shape.member, item, "%s.%d.member" % (where, i), problems)
        return
    if t == "map":
        if not isinstance(value, dict):
            problems.types.append("Expected a map at '%s'" % where)
            return
        _range(meta, len(value), value, where, problems, "length")
        for k, v in value.items():
            _check(shape.key, k, "%s.key" % where, problems)
            if v is not None:
                _check(shape.value, v, "%s.%s" % (where, k), problems)
        return
    if t == "string":
        if not isinstance(value, str):
            problems.types.append("Expected a string at '%s'" % where)
            return
        _range(meta, len(value), value, where, problems, "length")
        enum = shape.enum
        if enum and value not in enum:
            problems.constraint.append(
                "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]"
                % (value, where, ", ".join(enum)))
        pat = meta.get("pattern")
        if pat:
            rx = _compile_pattern(pat)
            if rx and not rx.fullmatch(value):
                problems.constraint.append(
                    "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression "
                    "pattern: %s" % (value, where, pat))
        return
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.types.append("Expected an integer at '%s'" % where)
            return
        _range(meta, value, value, where, problems, "value")
        return
    if t in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.types.append("Expected a number at '%s'" % where)
            return
        _range(meta, value, value, where, problems, "value")
        return
    if t == "boolean":
        if not isinstance(value, bool):
            problems.types.append("Expected a boolean at '%s'" % where)
        return
    if t == "blob":
        if not isinstance(value, (bytes, bytearray, str)):
            problems.types.append("Expected a blob at '%s'" % where)
            return
        _range(meta, len(value), value, where, problems, "length")
        return
    if t == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str, datetime.datetime)):
            problems.types.append("Expected a timestamp at '%s'" % where)
        return


def _range(meta, n, value, where, problems, what):
    lo = meta.get("min")
    hi = meta.get("max")
    if lo is not None and n < lo:
        problems.constraint.append(
            "Value '%s' at '%s' failed to satisfy constraint: Member must have %s greater than or equal to %s"
            % (_show(value), where, what, lo))
    if hi is not None and n > hi:
        problems.constraint.append(
            "Value '%s' at '%s' failed to satisfy constraint: Member must have %s less than or equal to %s"
            % (_show(value), where, what, hi))


def message(errors):
    n = len(errors)
    return "%d validation error%s detected: %s" % (n, "" if n == 1 else "s", "; ".join(errors))


# ---------------------------------------------------------------------------------------------- query protocol
class QueryParseError(Exception):
    pass


def parse_query(shape, flat, prefix=""):
    """flat: dict name -> str (decoded form). Returns params dict for the structure shape."""
    out = {}
    for name, member in shape.members.items():
        key = prefix + member.serialization.get("name", name)
        v = _parse_query_value(member, flat, key)
        if v is not None:
            out[name] = v
    return out


def _has_prefix(flat, key):
    k = key + "."
    return any(x.startswith(k) for x in flat)


def _parse_query_value(shape, flat, key):
    t = shape.type_name
    if t == "structure":
        if not _has_prefix(flat, key):
            return None
        return parse_query(shape, flat, key + ".")
    if t == "list":
        if key in flat and flat[key] == "":
            return []
        if shape.serialization.get("flattened"):
            base = key
        else:
            base = key + "." + shape.member.serialization.get("name", "member")
        idx = set()
        rx = re.compile(re.escape(base) + r"\.(\d+)(?:\.|$)")
        for x in flat:
            m = rx.match(x)
            if m:
                idx.add(int(m.group(1)))
        if not idx:
            return None
        return [_parse_query_value(shape.member, flat, "%s.%d" % (base, i)) for i in sorted(idx)]
    if t == "map":
        base = key if shape.serialization.get("flattened") else key + ".entry"
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        out = {}
        i = 1
        while "%s.%d.%s" % (base, i, kname) in flat:
            out[flat["%s.%d.%s" % (base, i, kname)]] = _parse_query_value(
                shape.value, flat, "%s.%d.%s" % (base, i, vname))
            i += 1
        return out or None
    if key not in flat:
        return None
    s = flat[key]
    if t in ("integer", "long"):
        try:
            return int(s)
        except ValueError:
            raise QueryParseError("Value '%s' at '%s' could not be parsed as an integer" % (s, key))
    if t in ("double", "float"):
        try:
            return float(s)
        except ValueError:
            raise QueryParseError("Value '%s' at '%s' could not be parsed as a number" % (s, key))
    if t == "boolean":
        if s.lower() not in ("true", "false"):
            raise QueryParseError("Value '%s' at '%s' could not be parsed as a boolean" % (s, key))
        return s.lower() == "true"
    if t == "blob":
        try:
            return base64.b64decode(s, validate=True)
        except Exception:
            raise QueryParseError("Value at '%s' is not valid base64" % key)
    return s


# ---------------------------------------------------------------------------------------------- XML
def iso8601(ts):
    if isinstance(ts, str):
        return ts
    if isinstance(ts, datetime.datetime):
        ts = ts.timestamp()
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def _scalar_text(shape, value):
    t = shape.type_name
    if t == "boolean":
        return "true" if value else "false"
    if t == "timestamp":
        return iso8601(value)
    if t == "blob":
        if isinstance(value, str):
            value = value.encode()
        return base64.b64encode(value).decode()
    return str(value)


def to_xml(shape, value, name, parent=None, xmlns=None):
    """Serialize value (params dict etc.) of `shape` as element `name`; returns the element."""
    el = ET.Element(name) if parent is None else ET.SubElement(parent, name)
    if xmlns:
        el.set("xmlns", xmlns)
    _fill(shape, value, el)
    return el


def _fill(shape, value, el):
    t = shape.type_name
    if t == "structure":
        for mname, member in shape.members.items():
            if mname not in value or value[mname] is None:
                continue
            if member.serialization.get("location"):
                continue
            cname = member.serialization.get("name", mname)
            v = value[mname]
            if member.type_name == "list" and member.serialization.get("flattened"):
                for item in v:
                    _fill(member.member, item, ET.SubElement(el, cname))
            else:
                _fill(member, v, ET.SubElement(el, cname))
    elif t == "list":
        iname = shape.member.serialization.get("name", "member")
        for item in value:
            _fill(shape.member, item, ET.SubElement(el, iname))
    elif t == "map":
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        for k, v in value.items():
            e = ET.SubElement(el, "entry")
            _fill(shape.key, k, ET.SubElement(e, kname))
            _fill(shape.value, v, ET.SubElement(e, vname))
    else:
        el.text = _scalar_text(shape, value)


def xml_bytes(el):
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(el, encoding="utf-8")


class MalformedXML(Exception):
    pass


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def parse_xml_body(body, shape, root_name):
    """Parse an XML request body whose root element is root_name into params for `shape`."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                           "published schema (%s)" % e)
    if _local(root.tag) != root_name:
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                           "published schema")
    return from_xml(shape, root)


def from_xml(shape, el):
    t = shape.type_name
    if t == "structure":
        names = {}
        for mname, member in shape.members.items():
            if member.serialization.get("location"):
                continue
            names[member.serialization.get("name", mname)] = (mname, member)
        out = {}
        for child in el:
            tag = _local(child.tag)
            if tag not in names:
                raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                                   "published schema (unexpected element %s)" % tag)
            mname, member = names[tag]
            if member.type_name == "list" and member.serialization.get("flattened"):
                out.setdefault(mname, []).append(from_xml(member.member, child))
            else:
                if mname in out:
                    raise MalformedXML("The XML you provided was not well-formed or did not validate against "
                                       "our published schema (duplicate element %s)" % tag)
                out[mname] = from_xml(member, child)
        return out
    if t == "list":
        iname = shape.member.serialization.get("name", "member")
        items = []
        for child in el:
            if _local(child.tag) != iname:
                raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                                   "published schema (unexpected element %s)" % _local(child.tag))
            items.append(from_xml(shape.member, child))
        return items
    if t == "map":
        out = {}
        for entry in el:
            k = v = None
            for c in entry:
                if _local(c.tag) == shape.key.serialization.get("name", "key"):
                    k = from_xml(shape.key, c)
                else:
                    v = from_xml(shape.value, c)
            out[k] = v
        return out
    text = (el.text or "").strip() if t != "string" else (el.text or "")
    if t in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                               "published schema (bad integer)")
    if t in ("double", "float"):
        try:
            return float(text)
        except ValueError:
            raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                               "published schema (bad number)")
    if t == "boolean":
        if text not in ("true", "false"):
            raise MalformedXML("The XML you provided was not well-formed or did not validate against our "
                               "published schema (bad boolean)")
        return text == "true"
    return text
