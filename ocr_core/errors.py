"""The reference's error table as classes: each row is a subclass carrying its code and message.

Errors are raised where the problem is found; the API turns any of them into the
contract's answer in one place (`api.errors`).
"""
from __future__ import annotations

from urllib.parse import quote


class ServiceError(Exception):
    """Base of every error the contract answers. `code` is also the HTTP status."""

    code: int = 469
    message: str = "Invalid Service - error code missing"
    #: Text for the gateway's `X-Ca-Error-Message` header, where the reference has one.
    gateway_message: str | None = None

    def __init__(self, detail: str | None = None):
        self.detail = detail
        super().__init__(self.error_msg)

    @property
    def error_msg(self) -> str:
        return self.message.format(detail=self.detail or "") if "{detail}" in self.message else self.message

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.error_msg}

    @staticmethod
    def from_dict(data: dict) -> "ServiceError":
        """Rebuild an error stored with a job (its class is not kept, only code and message)."""
        error = ServiceError()
        error.code, error.message = int(data["code"]), str(data["message"])
        return error


# -- the gateway's errors -------------------------------------------------------------

class InvalidURL(ServiceError):
    """Unknown path or service."""
    code, message = 400, "Invalid URL"


class NotFound(ServiceError):
    """A job or template that does not exist (or belongs to another app, or has expired)."""
    code, message = 404, "Not Found - {detail}"


class Forbidden(ServiceError):
    """No APPCODE, or one that is unknown or revoked."""
    code, message = 403, "Forbidden"
    gateway_message = "Invalid AppCode"


class QuotaExhausted(Forbidden):
    message = "Forbidden - quota exhausted"
    gateway_message = "Quota Exhausted"


class InvalidAppKey(Forbidden):
    """An `X-Ca-Key` that is unknown, or whose app is revoked."""
    gateway_message = "Invalid AppKey"


class InvalidSignature(ServiceError):
    """An `X-Ca-Signature` that does not verify; the header shows what the server signed, as the gateway does."""
    code, message = 400, "Invalid Signature"

    def __init__(self, string_to_sign: str | None = None, reason: str | None = None):
        super().__init__()
        if string_to_sign is not None:
            # A header value must be printable ASCII: newlines shown as `#` as the gateway does, the rest %-escaped.
            shown = "".join("#" if c == "\n" else c if " " <= c <= "~" else quote(c) for c in string_to_sign)
            self.gateway_message = f"Invalid Signature, Server StringToSign:`{shown}`"
        else:
            self.gateway_message = f"Invalid Signature, {reason}" if reason else "Invalid Signature"


class InvalidTimestamp(ServiceError):
    """`X-Ca-Timestamp` missing, not milliseconds, or more than 15 minutes from the server's clock."""
    code, message = 400, "Invalid Timestamp"
    gateway_message = "Invalid Timestamp"


class InvalidNonce(ServiceError):
    """`X-Ca-Nonce` missing or too long."""
    code, message = 400, "Invalid Nonce"
    gateway_message = "Invalid Nonce"


class NonceUsed(InvalidNonce):
    """An `X-Ca-Nonce` already seen while its timestamp is still valid: a replay."""
    message = gateway_message = "Nonce Used"


class InvalidContentMD5(ServiceError):
    """A `Content-MD5` header that is not the base64 MD5 of the body."""
    code, message = 400, "Invalid Content-MD5"
    gateway_message = "Invalid Content-MD5"


class Throttled(ServiceError):
    """Over the app's token bucket for this service. The status may be set to 403 by a setting."""
    code, message = 429, "Too Many Requests - throttled by user flow control"
    gateway_message = "Throttled by USER Flow Control"

    def __init__(self, retry_after: float = 1.0, limit: int = 0, reset: float = 0.0, status: int = 429):
        self.retry_after, self.limit, self.reset = retry_after, limit, reset
        self.code = status
        super().__init__()


class PayloadTooLarge(ServiceError):
    code, message = 413, "Payload Too Large"


class QueueFull(ServiceError):
    """The queue is deeper than its bound: retry later."""
    code, message = 450, "Queue Full - backend service queue is full, retry later"


# -- 460/461: the body ----------------------------------------------------------------

class InvalidJson(ServiceError):
    code, message = 460, "Invalid Input - failed to parse json"


class JsonFormatError(ServiceError):
    code, message = 461, "Invalid Input - json format error - json parse runtime exception"


class MissingImageKey(JsonFormatError):
    message = "Invalid Input - json format error - missing key: image"


class ImageFormatError(JsonFormatError):
    message = "Invalid Input - json format error - image format error"


class InputsMissing(JsonFormatError):
    message = "Invalid Input - json format error - key inputs missing"


class InputsNotArray(JsonFormatError):
    message = "Invalid Input - json format error - value of inputs must be a array"


class ImageDataValueFormatError(JsonFormatError):
    message = "Invalid Input - json format error - image DataValue format error"


class ConfigureFormatError(JsonFormatError):
    message = "Invalid Input - json format error - configure format error"


class ConfigParseError(JsonFormatError):
    message = "Invalid Input - json format error - failed to parse config str: {detail}"


class InvalidOption(JsonFormatError):
    """A configure key with a value the service cannot take (an unknown engine, a wrong type)."""
    message = "Invalid Input - json format error - invalid configure: {detail}"


# -- 462: the image -------------------------------------------------------------------

class ImageDataError(ServiceError):
    code, message = 462, "Invalid Input - image data error"


class ImageDownloadError(ImageDataError):
    message = "Invalid Input - image data error - download image from url error"


class ImageEmpty(ImageDataError):
    message = "Invalid Input - image data error - input image empty, please check your image binary data"


class ImageDecodeFailed(ImageDataError):
    message = "Invalid Input - image data error - image decode failed, please check your image binary data"


class Base64Error(ImageDataError):
    message = "Invalid Input - image data error - base64decode error, please check your image binary data"


class DataUrlHeader(ImageDataError):
    message = "Invalid Input - image data error - please remove additional header: {detail}"


class Base64Padding(ImageDataError):
    message = "Invalid Input - image data error - base64decode error: incorrect padding in base64 string"


class Base64IllegalCharacters(ImageDataError):
    message = "Invalid Input - image data error - base64decode error: base64decode error: incorrect base64 format data"


class ImageTooLarge(ImageDataError):
    message = "Invalid Input - image data error - image too large: {detail}"


class GifOpenFailed(ImageDataError):
    message = "Invalid Input - image data error - open gif image failed"


class GifReadFailed(ImageDataError):
    message = "Invalid Input - image data error - read gif image failed"


class GifDecodeFailed(ImageDataError):
    message = "Invalid Input - image data error - decode gif image failed"


class GifNoColorMap(ImageDataError):
    message = "Invalid Input - image data error - gif data error, no color map got"


class GifEmpty(ImageDataError):
    message = "Invalid Input - image data error - gif image empty"


# -- 463/464/469: recognition ---------------------------------------------------------

class WrongCategory(ServiceError):
    """The picture is clearly not the requested kind of document."""
    code, message = 463, "Invalid Input - wrong category"


class AlgorithmFailed(ServiceError):
    code, message = 464, "Invalid Result - algorithm run failed"


class AlgorithmException(AlgorithmFailed):
    message = "Invalid Result - algorithm runtime exception"


class AlgorithmTimeout(AlgorithmFailed):
    message = "Invalid Result - algorithm time limit exceeded"


class AlgorithmGaveUp(AlgorithmFailed):
    """The job ended its worker process too many times to be tried again."""
    message = "Invalid Result - algorithm run failed: worker lost {detail} times"


class ParseResultError(ServiceError):
    code, message = 469, "Invalid Service - parse result error"


class ServiceUnavailable(ServiceError):
    """The synchronous wait ran out; the job goes on and can be polled by its request_id."""
    code, message = 503, "Service Unavailable"


class EngineUnavailable(AlgorithmFailed):
    """The OCR engine cannot start (language data missing, a broken installation)."""
    message = "Invalid Result - algorithm run failed: OCR engine unavailable: {detail}"


# -- 452-455: custom templates (the reference's 自定义模板) ----------------------------------

class TemplateNotSet(ServiceError):
    """没有设置template_json: no template named, or one without a definition (never published)."""
    code, message = 452, "Invalid Input - template json not set: {detail}"


class TemplateNoAnchors(ServiceError):
    """没有设置锚点."""
    code, message = 453, "Invalid Input - template has no anchors"


class TemplateNoFields(ServiceError):
    """没有设置识别内容: neither fields nor tables."""
    code, message = 454, "Invalid Input - template has no fields to read"


class UnknownTemplate(ServiceError):
    """没有对应的template_id: no such template, or one of another app."""
    code, message = 455, "Invalid Input - no template with template_id {detail}"


class NoTemplateMatched(WrongCategory):
    """No entry of a `template_list` has its `cond` hold on the page."""
    message = "Invalid Input - wrong category - no template's cond holds on this page"


class TooFewAnchors(AlgorithmFailed):
    """Fewer anchors found on the page than a homography needs."""
    message = "Invalid Result - algorithm run failed: template anchors not found: {detail}"
