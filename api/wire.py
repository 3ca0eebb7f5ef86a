"""Request bodies of both wire formats turned into submissions, and results back into each format's answer.

A body with an `inputs` key is the old format, any other the new one (the reference's rule).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ocr_core import errors

MAX_CALLBACK_URL = 2048  # characters; what browsers and most servers take in a URL
# The old format's dataType codes.
BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, DATETIME = 1, 10, 20, 30, 40, 50, 60
_INT_RANGE = {INT32: 2**31, INT64: 2**63}


@dataclass(frozen=True)
class Submission:
    image: str          # base64 or an http(s) URL, as sent
    configure: dict
    config_str: str     # the configure as the client sent it, echoed back by several services


@dataclass(frozen=True)
class Body:
    submissions: list[Submission]
    old_format: bool
    fields: dict        # other top-level keys of the body (queue, callback_url, ...)


def parse_body(raw: bytes) -> Body:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.InvalidJson() from exc
    if not isinstance(data, dict):
        raise errors.JsonFormatError()
    if "inputs" in data:
        inputs = data["inputs"]
        if not isinstance(inputs, list):
            raise errors.InputsNotArray()
        if not inputs:
            raise errors.JsonFormatError()
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
    except ValueError as exc:
        raise errors.ConfigParseError(text[:200]) from exc
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
