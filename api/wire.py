"""Request bodies of both wire formats turned into submissions, and results back into each format's answer.

A body with an `inputs` key is the old format, any other the new one (the reference's rule). A body
that really is `multipart/form-data` (its Content-Type says so with a boundary, and it parses as such)
is an upload: the file part `image` (raw bytes), and optional `configure` (JSON text), `callback_url`
and `queue`; any other body is read as JSON whatever its Content-Type says.
"""
from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.http import parse_options_header

from api import errors

MAX_CALLBACK_URL = 2048  # characters; what browsers and most servers take in a URL
# The old format's dataType codes.
BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, DATETIME = 1, 10, 20, 30, 40, 50, 60
_INT_RANGE = {INT32: 2**31, INT64: 2**63}
MAX_FORM_PARTS = 100  # an upload has four named parts; more is not a client of this API


@dataclass(frozen=True)
class Submission:
    image: str          # base64 or an http(s) URL, as sent
    configure: dict
    config_str: str     # the configure as the client sent it, echoed back by several services
    data: bytes | None = None  # the picture's bytes themselves, uploaded as a multipart file part


@dataclass(frozen=True)
class Body:
    submissions: list[Submission]
    old_format: bool
    fields: dict        # other top-level keys of the body (queue, callback_url, ...)
    multipart: bool = False  # an upload (its bytes differ by boundary from one sending to the next)


def parse_request(raw: bytes, content_type: str | None, max_inputs: int | None = None) -> Body:
    """A request's body as its Content-Type and content say: a multipart upload, else JSON (`parse_body`)."""
    mimetype, options = parse_options_header(content_type or "")
    boundary = options.get("boundary")
    if mimetype == "multipart/form-data" and boundary:
        parts = _multipart_parts(raw, boundary)
        if parts is not None:
            return _multipart_body(*parts)
    return parse_body(raw, max_inputs)


def _multipart_parts(raw: bytes, boundary: str):
    """(form fields, file parts) of a multipart body, or None when it does not parse as one."""
    parser = MultiPartParser(stream_factory=lambda *_, **__: io.BytesIO(), max_form_memory_size=len(raw) + 1,
                             max_form_parts=MAX_FORM_PARTS)
    try:
        form, files = parser.parse(io.BytesIO(raw), boundary.encode("ascii"), len(raw))
    except RequestEntityTooLarge:
        raise errors.PayloadTooLarge() from None
    except (ValueError, UnicodeError):
        return None
    if not form and not files:
        return None
    return form, files


def _multipart_body(form, files) -> Body:
    def text(name: str) -> str | None:
        if name in files:
            value = files[name].stream.getvalue()
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                if name == "configure":
                    raise errors.ConfigParseError("(not UTF-8 text)") from None
                return value.decode("utf-8", "replace")
        return form.get(name)

    fields = {k: form.get(k) for k in form if k not in ("image", "configure")}
    fields.update({k: text(k) for k in files if k not in ("image", "configure")})
    if "image" in files:
        image, data = "", files["image"].stream.getvalue()
    elif "image" in form:
        # A text part: base64 or an http(s) URL, as the JSON body's `image`.
        image, data = form["image"], None
    else:
        raise errors.MissingImageKey()
    config_str = text("configure") or ""
    configure = parse_config_str(config_str) if config_str.strip() else {}
    return Body([Submission(image, configure, config_str, data)], False, fields, multipart=True)


def parse_body(raw: bytes, max_inputs: int | None = None) -> Body:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # nesting past the parser's depth too
        raise errors.InvalidJson() from None if isinstance(exc, RecursionError) else exc
    if not isinstance(data, dict):
        raise errors.JsonFormatError()
    if "inputs" in data:
        inputs = data["inputs"]
        if not isinstance(inputs, list):
            raise errors.InputsNotArray()
        if not inputs:
            raise errors.JsonFormatError()
        if max_inputs and len(inputs) > max_inputs:
            raise errors.TooManyInputs(f"{len(inputs)} given, at most {max_inputs} per call")
        subs = [_old_input(item) for item in inputs]
        return Body(subs, True, {k: v for k, v in data.items() if k != "inputs"})
    if "image" not in data and _looks_old_format(data):
        raise errors.InputsMissing()
    return Body([_new_input(data)], False, {k: v for k, v in data.items() if k not in ("image", "configure")})


def _new_input(data: dict) -> Submission:
    if "image" not in data:
        raise errors.MissingImageKey()
    if not isinstance(data["image"], str):
        raise errors.ImageFormatError()
    configure = data.get("configure")
    if configure is None or configure == "":
        return Submission(data["image"], {}, "")
    if isinstance(configure, dict):
        return Submission(data["image"], configure, json.dumps(configure, ensure_ascii=False))
    if not isinstance(configure, str):
        raise errors.ConfigureFormatError()
    return Submission(data["image"], parse_config_str(configure), configure)


def _is_typed_value(value) -> bool:
    return isinstance(value, dict) and "dataValue" in value


def _looks_old_format(data: dict) -> bool:
    """Old-format values (`dataType`/`dataValue`) without their `inputs` array, e.g. under `input`."""
    for value in data.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if _is_typed_value(item) or (isinstance(item, dict) and any(map(_is_typed_value, item.values()))):
                return True
    return False


def _old_input(item) -> Submission:
    if not isinstance(item, dict):
        raise errors.JsonFormatError()
    if "image" not in item:
        raise errors.MissingImageKey()
    image = item["image"]
    if not (isinstance(image, dict) and "dataValue" in image and "dataType" in image):
        raise errors.ImageFormatError()
    if image["dataType"] != STRING or not isinstance(image["dataValue"], str):
        raise errors.ImageDataValueFormatError()
    # Other typed parameters must still hold values of their declared type.
    for key, value in item.items():
        if key not in ("image", "configure") and _is_typed_value(value):
            convert_value(value.get("dataType"), value["dataValue"])
    configure = item.get("configure")
    if configure is None:
        return Submission(image["dataValue"], {}, "")
    if not (isinstance(configure, dict) and "dataValue" in configure and "dataType" in configure):
        raise errors.ConfigureFormatError()
    if configure["dataType"] != STRING or not isinstance(configure["dataValue"], str):
        raise errors.ConfigureFormatError()
    text = configure["dataValue"]
    return Submission(image["dataValue"], parse_config_str(text) if text.strip() else {}, text)


def parse_config_str(text: str) -> dict:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # nesting past the parser's depth too
        raise errors.ConfigParseError(text[:200]) from None
    if not isinstance(value, dict):
        raise errors.ConfigParseError(text[:200])
    return value


def convert_value(data_type, value):
    """An old-format `dataValue` as its `dataType` says; 461 when it does not fit."""
    try:
        if data_type == BOOL:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
        elif data_type in _INT_RANGE:
            number = int(value) if isinstance(value, str) else value
            if isinstance(number, int) and not isinstance(number, bool) and -_INT_RANGE[data_type] <= number < _INT_RANGE[data_type]:
                return number
        elif data_type in (FLOAT, DOUBLE):
            number = float(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else value
            if isinstance(number, float) and math.isfinite(number):
                if data_type == FLOAT and abs(number) > 3.4028235e38:
                    raise ValueError("out of float32 range")
                return number
        elif data_type == STRING:
            if isinstance(value, str):
                return value
        elif data_type == DATETIME:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return datetime.fromtimestamp(value)
            if isinstance(value, str):
                return datetime.fromisoformat(value)
    except (ValueError, OverflowError, OSError, TypeError):
        pass  # falls through to the error below, which names the field's type
    raise errors.JsonFormatError()


# Services whose old-format answer the reference labels otherwise than their path name.
OUTPUT_LABELS = {"ocr_business_card": "ocr_businesscard", "ocr_bank_card": "ocr_bankcard"}


def old_format_output(service: str, result: dict) -> dict:
    """One entry of the old format's `outputs`: the result as a JSON string, labelled as the
    reference labels that service."""
    return {
        "outputLabel": OUTPUT_LABELS.get(service, service),
        "outputMulti": {},
        "outputValue": {"dataType": STRING, "dataValue": json.dumps(result, ensure_ascii=False)},
    }


def callback_url_of(fields: dict) -> str | None:
    """The body's `callback_url`: None when absent, null or empty; else an http(s) URL with a host, or 461.

    Only its form is checked here; where it leads (a public address, after DNS) is checked at each delivery.
    """
    value = fields.get("callback_url")
    if value is None or value == "":
        return None
    problem = f"callback_url must be an http or https URL with a host, of at most {MAX_CALLBACK_URL} printable ASCII characters"
    # Printable ASCII only (RFC 3986; an IDN host in its xn-- form): no spaces, controls or lone surrogates.
    if not isinstance(value, str) or len(value) > MAX_CALLBACK_URL or not all("!" <= c <= "~" for c in value):
        raise errors.InvalidOption(problem)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise errors.InvalidOption(problem) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise errors.InvalidOption(problem)
    return value
