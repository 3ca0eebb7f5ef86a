"""The gateway's errors (400 signature, 403, 404, 413, 429, 450, 460, 461 of the body, 462 of a
download, 469, 503), and with recognition's and the workers' errors the one table of every code the
API answers: the error handler and the OpenAPI document both read it from these classes.
"""
from __future__ import annotations

from urllib.parse import quote

# Recognition's and the workers' errors are the API's too: one table of every code it answers.
from ocr_core.errors import (  # noqa: F401
    ConfigureFormatError,
    ImageDataError,
    InvalidOption,
    InvalidURL,
    JsonFormatError,
    ServiceError,
    TemplateNotSet,
    UnknownTemplate,
)
from workers.errors import AlgorithmGaveUp  # noqa: F401


class GatewayError(ServiceError):
    """An error the gateway answers itself, some with its own `X-Ca-Error-Message` header."""

    #: Text for the gateway's `X-Ca-Error-Message` header, where the reference has one.
    gateway_message: str | None = None


# -- calls and apps -------------------------------------------------------------------

class NotFound(GatewayError):
    """A job or template that does not exist (or belongs to another app, or has expired)."""
    code, message = 404, "Not Found - {detail}"

class Forbidden(GatewayError):
    """No APPCODE, or one that is unknown or revoked."""
    code, message = 403, "Forbidden"
    gateway_message = "Invalid AppCode"

class QuotaExhausted(Forbidden):
    message = "Forbidden - quota exhausted"
    gateway_message = "Quota Exhausted"

class InvalidAppKey(Forbidden):
    """An `X-Ca-Key` that is unknown, or whose app is revoked."""
    gateway_message = "Invalid AppKey"

class InvalidSignature(GatewayError):
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

class InvalidTimestamp(GatewayError):
    """`X-Ca-Timestamp` missing, not milliseconds, or more than 15 minutes from the server's clock."""
    code, message = 400, "Invalid Timestamp"
    gateway_message = "Invalid Timestamp"

class InvalidNonce(GatewayError):
    """`X-Ca-Nonce` missing or too long."""
    code, message = 400, "Invalid Nonce"
    gateway_message = "Invalid Nonce"

class NonceUsed(InvalidNonce):
    """An `X-Ca-Nonce` already seen while its timestamp is still valid: a replay."""
    message = gateway_message = "Nonce Used"

class InvalidContentMD5(GatewayError):
    """A `Content-MD5` header that is not the base64 MD5 of the body, or none on a signed call when
    `OCR_REQUIRE_CONTENT_MD5` is set."""
    code, message = 400, "Invalid Content-MD5"
    gateway_message = "Invalid Content-MD5"

class Throttled(GatewayError):
    """Over the app's token bucket for this service. The status may be set to 403 by a setting."""
    code, message = 429, "Too Many Requests - throttled by user flow control"
    gateway_message = "Throttled by USER Flow Control"

    def __init__(self, retry_after: float = 1.0, limit: int = 0, reset: float = 0.0, status: int = 429):
        self.retry_after, self.limit, self.reset = retry_after, limit, reset
        self.code = status
        super().__init__()

class PayloadTooLarge(GatewayError):
    code, message = 413, "Payload Too Large"

class TooManyInputs(PayloadTooLarge):
    """An old-format body with more `inputs` than `OCR_MAX_INPUTS`: each is a job, and the call takes one token."""
    message = "Payload Too Large - too many inputs: {detail}"

class URITooLong(GatewayError):
    """A request line longer than the API takes (4094 bytes, as HTTP servers keep)."""
    code, message = 414, "URI Too Long"

class HeaderFieldsTooLarge(GatewayError):
    """A header field longer than the API takes (8190 bytes, as HTTP servers keep)."""
    code, message = 431, "Request Header Fields Too Large"

class IdempotencyKeyInUse(GatewayError):
    """An `Idempotency-Key` already used by this app on another path (service, endpoint) or with another body:
    keys for idempotent requests can only be used with the same parameters (Stripe's idempotency_key_in_use)."""
    code, message = 422, "Idempotency Key In Use - {detail}"
    gateway_message = "Idempotency Key In Use"

class QueueFull(GatewayError):
    """The queue is deeper than its bound: retry later."""
    code, message = 450, "Queue Full - backend service queue is full, retry later"

class ServiceUnavailable(GatewayError):
    """The synchronous wait ran out; the job goes on and can be polled by its request_id."""
    code, message = 503, "Service Unavailable"

class ParseResultError(GatewayError):
    code, message = 469, "Invalid Service - parse result error"

# -- 460/461: the body ----------------------------------------------------------------

class InvalidJson(GatewayError):
    code, message = 460, "Invalid Input - failed to parse json"

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

class ConfigParseError(JsonFormatError):
    message = "Invalid Input - json format error - failed to parse config str: {detail}"

# -- 462: a picture given by URL -------------------------------------------------------

class ImageDownloadError(ImageDataError):
    message = "Invalid Input - image data error - download image from url error"
