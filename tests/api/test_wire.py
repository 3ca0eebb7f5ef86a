"""Both wire formats: every 460/461 variant of the reference's table, and dataType conversion."""
import json

import pytest

from api.wire import (BOOL, DATETIME, DOUBLE, FLOAT, INT32, INT64, STRING, convert_value, old_format_output, parse_body,
                      parse_request)
from api import errors


def old(*inputs) -> bytes:
    return json.dumps({"inputs": list(inputs)}).encode()


def typed(value, data_type=STRING) -> dict:
    return {"dataType": data_type, "dataValue": value}


def test_new_format_with_configure_as_string_or_object():
    body = parse_body(b'{"image": "aGk=", "configure": "{\\"min_size\\": 16}"}')
    assert not body.old_format
    assert body.submissions[0].image == "aGk="
    assert body.submissions[0].configure == {"min_size": 16}
    assert body.submissions[0].config_str == '{"min_size": 16}'
    body = parse_body(b'{"image": "aGk=", "configure": {"side": "face"}}')
    assert body.submissions[0].configure == {"side": "face"}


def test_old_format_keeps_the_order_of_inputs():
    body = parse_body(old({"image": typed("AAAA")}, {"image": typed("BBBB"), "configure": typed('{"side":"back"}')}))
    assert body.old_format
    assert [s.image for s in body.submissions] == ["AAAA", "BBBB"]
    assert body.submissions[1].configure == {"side": "back"}


@pytest.mark.parametrize("raw, error", [
    (b"{not json", errors.InvalidJson),
    (b"", errors.InvalidJson),
    (b"\xff\xfe", errors.InvalidJson),
    (b"[1, 2]", errors.JsonFormatError),
    (b'{"configure": "{}"}', errors.MissingImageKey),
    (b'{"image": 12}', errors.ImageFormatError),
    (b'{"image": "aGk=", "configure": 5}', errors.ConfigureFormatError),
    (b'{"image": "aGk=", "configure": "{oops"}', errors.ConfigParseError),
    (b'{"image": "aGk=", "configure": "[1]"}', errors.ConfigParseError),
    (b'{"input": [{"image": {"dataType": 50, "dataValue": "aGk="}}]}', errors.InputsMissing),
    (b'{"image_b": {"dataType": 50, "dataValue": "aGk="}}', errors.InputsMissing),
    (b'{"inputs": {"image": 1}}', errors.InputsNotArray),
    (b'{"inputs": "x"}', errors.InputsNotArray),
    (b'{"inputs": []}', errors.JsonFormatError),
    (b'{"inputs": [7]}', errors.JsonFormatError),
    (old({"configure": typed("{}")}), errors.MissingImageKey),
    (old({"image": "aGk="}), errors.ImageFormatError),
    (old({"image": {"dataValue": "aGk="}}), errors.ImageFormatError),
    (old({"image": typed(123)}), errors.ImageDataValueFormatError),
    (old({"image": typed("aGk=", INT32)}), errors.ImageDataValueFormatError),
    (old({"image": typed("aGk="), "configure": "{}"}), errors.ConfigureFormatError),
    (old({"image": typed("aGk="), "configure": typed({"a": 1})}), errors.ConfigureFormatError),
    (old({"image": typed("aGk="), "configure": typed("{bad")}), errors.ConfigParseError),
    (old({"image": typed("aGk="), "count": typed("ten", INT32)}), errors.JsonFormatError),
])
def test_each_body_error_has_its_class_and_message(raw, error):
    with pytest.raises(errors.ServiceError) as info:
        parse_body(raw)
    assert type(info.value) is error
    assert info.value.error_msg.startswith("Invalid Input - ")
    assert info.value.code in (460, 461)


def test_config_parse_error_names_the_config_str():
    with pytest.raises(errors.ConfigParseError) as info:
        parse_body(b'{"image": "aGk=", "configure": "{oops"}')
    assert info.value.error_msg == "Invalid Input - json format error - failed to parse config str: {oops"


@pytest.mark.parametrize("data_type, value, expected", [
    (BOOL, True, True), (BOOL, "false", False),
    (INT32, 5, 5), (INT32, "-7", -7), (INT32, 2**31 - 1, 2**31 - 1),
    (INT64, 2**40, 2**40),
    (FLOAT, 1.5, 1.5), (FLOAT, "2.5", 2.5), (DOUBLE, 3, 3.0),
    (STRING, "x", "x"),
])
def test_data_types_convert(data_type, value, expected):
    assert convert_value(data_type, value) == expected


def test_datetime_converts_from_iso_and_epoch():
    assert convert_value(DATETIME, "2024-05-01T10:00:00").year == 2024
    assert convert_value(DATETIME, 0).year in (1969, 1970)


@pytest.mark.parametrize("data_type, value", [
    (BOOL, 1), (BOOL, "yes"), (INT32, 2**31), (INT32, 1.5), (INT32, True), (INT64, 2**63), (INT64, "x"),
    (FLOAT, "nan"), (FLOAT, 1e39), (DOUBLE, "inf"), (DOUBLE, [1]), (STRING, 5), (DATETIME, "yesterday"),
    (DATETIME, True), (99, "x"),
])
def test_values_that_do_not_fit_their_type_answer_461(data_type, value):
    with pytest.raises(errors.JsonFormatError):
        convert_value(data_type, value)


def test_old_format_output_wraps_the_result_as_a_json_string():
    out = old_format_output("ocr_general", {"ret": [{"word": "中文"}], "success": True})
    assert out["outputLabel"] == "ocr_general" and out["outputMulti"] == {}
    assert out["outputValue"]["dataType"] == 50
    assert json.loads(out["outputValue"]["dataValue"])["ret"][0]["word"] == "中文"


@pytest.mark.parametrize("service, label", [("ocr_bank_card", "ocr_bankcard"), ("ocr_business_card", "ocr_businesscard"),
                                            ("ocr_idcard", "ocr_idcard")])
def test_old_format_output_labels_a_service_as_the_reference_does(service, label):
    assert old_format_output(service, {"success": True})["outputLabel"] == label


# -- multipart/form-data uploads ------------------------------------------------------

def multipart(*parts, boundary: str = "b0undary") -> tuple[bytes, str]:
    """A multipart body of (name, value, filename or None) parts, and its Content-Type."""
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += b"Content-Type: application/octet-stream\r\n" if filename else b""
        out += b"\r\n" + (value if isinstance(value, bytes) else value.encode()) + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_multipart_upload_gives_the_file_bytes_and_its_fields():
    picture = bytes(range(256)) * 3 + b"\r\n--b0und"  # raw bytes, even ones that look like a boundary
    raw, content_type = multipart(("image", picture, "scan.jpg"), ("configure", '{"side": "face"}', None),
                                  ("callback_url", "https://example.com/hook", None), ("queue", "bulk", None))
    body = parse_request(raw, content_type)
    (sub,) = body.submissions
    assert sub.data == picture and sub.image == ""
    assert sub.configure == {"side": "face"} and sub.config_str == '{"side": "face"}'
    assert not body.old_format
    assert body.fields == {"callback_url": "https://example.com/hook", "queue": "bulk"}


def test_multipart_without_configure_or_with_it_as_a_file():
    raw, content_type = multipart(("image", b"\x89PNG", "a.png"))
    assert parse_request(raw, content_type).submissions[0].configure == {}
    raw, content_type = multipart(("image", b"\x89PNG", "a.png"), ("configure", b'{"min_size": 16}', "c.json"))
    assert parse_request(raw, content_type).submissions[0].configure == {"min_size": 16}


def test_multipart_image_as_a_text_part_is_read_as_the_json_image():
    raw, content_type = multipart(("image", "aGk=", None))
    (sub,) = parse_request(raw, content_type).submissions
    assert sub.image == "aGk=" and sub.data is None


@pytest.mark.parametrize("parts, error", [
    ((("configure", "{}", None),), errors.MissingImageKey),
    ((("image", b"x", "a.png"), ("configure", "{oops", None)), errors.ConfigParseError),
    ((("image", b"x", "a.png"), ("configure", "[1]", None)), errors.ConfigParseError),
    ((("image", b"x", "a.png"), ("configure", b"\xff\xfe{", "c.json")), errors.ConfigParseError),
])
def test_multipart_errors(parts, error):
    with pytest.raises(errors.ServiceError) as info:
        parse_request(*multipart(*parts))
    assert type(info.value) is error and info.value.code == 461


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "text/plain",
                                          "multipart/form-data", "multipart/form-data; boundary=b0undary"])
def test_a_json_body_is_json_whatever_its_content_type_says(content_type):
    # Only a body that parses as multipart is read as one; the reference's clients send form types with JSON.
    body = parse_request(b'{"image": "aGk=", "configure": {"side": "back"}}', content_type)
    assert body.submissions[0].image == "aGk=" and body.submissions[0].configure == {"side": "back"}


def test_a_multipart_content_type_on_a_broken_body_is_460_not_500():
    raw, content_type = multipart(("image", b"x" * 100, "a.png"))
    with pytest.raises(errors.InvalidJson):
        parse_request(raw[:60], content_type)


def test_a_multipart_body_of_too_many_parts_is_413():
    raw, content_type = multipart(("image", b"x", "a.png"), *[(f"f{i}", "v", None) for i in range(200)])
    with pytest.raises(errors.PayloadTooLarge):
        parse_request(raw, content_type)
