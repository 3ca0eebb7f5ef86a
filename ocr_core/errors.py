"""Recognition's errors, a class per row of the reference's table that recognition itself raises
(a request naming an unknown service or option, 462 for the picture, 463, 464, the templates'
452-455): each carries its code and message; the API answers them as it answers its own.
"""
from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the contract answers. `code` is also the HTTP status."""

    code: int = 469
    message: str = "Invalid Service - error code missing"

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


# -- what a request names ---------------------------------------------------------

class InvalidURL(ServiceError):
    """Unknown path or service."""
    code, message = 400, "Invalid URL"

class JsonFormatError(ServiceError):
    code, message = 461, "Invalid Input - json format error - json parse runtime exception"

class ConfigureFormatError(JsonFormatError):
    message = "Invalid Input - json format error - configure format error"

class InvalidOption(JsonFormatError):
    """A configure key with a value the service cannot take (an unknown engine, a wrong type)."""
    message = "Invalid Input - json format error - invalid configure: {detail}"

# -- 462: the image -------------------------------------------------------------------

class ImageDataError(ServiceError):
    code, message = 462, "Invalid Input - image data error"

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

# -- 463/464: recognition ------------------------------------------------------------

class WrongCategory(ServiceError):
    """The picture is clearly not the requested kind of document."""
    code, message = 463, "Invalid Input - wrong category"

class AlgorithmFailed(ServiceError):
    code, message = 464, "Invalid Result - algorithm run failed"

class AlgorithmException(AlgorithmFailed):
    message = "Invalid Result - algorithm runtime exception"

class AlgorithmTimeout(AlgorithmFailed):
    message = "Invalid Result - algorithm time limit exceeded"

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
