"""Shared machinery for Query-protocol services (IAM, STS): form parsing, model validation, XML answers."""

import urllib.parse
import xml.etree.ElementTree as ET

from . import shapes
from .core import AwsError, QUERY_NS, Response, Service, render_error


class QueryService(Service):
    protocol = "query"

    def handle(self, req):
        try:
            return self._handle(req)
        except AwsError as e:
            return render_error(self.name, req, e)

    def form(self, req):
        flat = {}
        for k, v in req.query.items():
            flat[k] = v[0]
        if req.body:
            ctype = (req.headers.get("Content-Type") or "").lower()
            if "x-www-form-urlencoded" not in ctype:
                raise AwsError("MalformedQueryString",
                               "Content-Type must be application/x-www-form-urlencoded", 400)
            try:
                text = req.body.decode("utf-8")
            except UnicodeDecodeError:
                raise AwsError("MalformedQueryString", "The request body is not valid UTF-8", 400)
            for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True):
                flat[k] = v
        return flat

    def _handle(self, req):
        flat = self.form(req)
        action = flat.pop("Action", None)
        version = flat.pop("Version", None)
        model = shapes.service_model(self.name)
        if not action:
            raise AwsError("MissingAction", "Missing Action", 400)
        req.operation = action
        if action not in model.operation_names:
            raise AwsError("InvalidAction", "Could not find operation %s for version %s"
                           % (action, version or model.api_version), 400)
        if version is None:
            raise AwsError("MissingParameter", "The request must contain the parameter Version", 400)
        if version != model.api_version:
            raise AwsError("InvalidAction", "Could not find operation %s for version %s" % (action, version), 400)
        fn = getattr(self, "op_" + action, None)
        if fn is None:
            raise AwsError("NotImplemented", "the emulator does not implement %s" % action, 501, sender_fault=False)
        op = model.operation_model(action)
        params = {}
        if op.input_shape is not None:
            try:
                params = shapes.parse_query(op.input_shape, flat)
            except shapes.QueryParseError as e:
                raise AwsError("ValidationError", str(e), 400)
            self.emu.validate(self.name, action, params)
        result = fn(req, params)
        return self.answer(req, action, result)

    def answer(self, req, action, result):
        ns = QUERY_NS[self.name]
        root = ET.Element(action + "Response", {"xmlns": ns})
        op = shapes.operation_model(self.name, action)
        if op.output_shape is not None:
            wrapper = op.output_shape.serialization.get("resultWrapper", action + "Result")
            shapes.to_xml(op.output_shape, result or {}, wrapper, parent=root)
        md = ET.SubElement(root, "ResponseMetadata")
        ET.SubElement(md, "RequestId").text = req.request_id
        body = shapes.xml_bytes(root)
        return Response(200, body, [("x-amzn-RequestId", req.request_id)], content_type="text/xml")
