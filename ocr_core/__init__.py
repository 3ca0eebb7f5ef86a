"""Recognition as plain functions: `recognize(service, image_bytes, configure)` is the one
entry point; no queue, web or network code lives in this package."""
from __future__ import annotations

from ocr_core import engines
from ocr_core.errors import AlgorithmException, ServiceError
from ocr_core.services import SERVICES, check_configure, choose_pipeline, default_pipelines, get_service
from ocr_core.steps import decode

__all__ = ["recognize", "SERVICES", "check_configure", "warm_up"]


def warm_up() -> None:
    """Load the engines the services use by default, once per process, before the first job."""
    engines.warm_up(default_pipelines())


def recognize(service: str, image_bytes: bytes, configure: dict | None = None) -> dict:
    """Run `service` on a picture file and answer the reference's fields (without `request_id`).

    Errors of the contract (ServiceError) pass through; anything unexpected inside the
    service becomes AlgorithmException (464).
    """
    entry = get_service(service)
    # Checked before decoding: a bad request should not cost a decode.
    # Internal options come from the API, which refused them from the client (services/__init__.py).
    configure = check_configure(service, configure, internal=True)
    pipeline = choose_pipeline(service, configure)
    picture = decode.decode_pages(image_bytes) if entry.multipage else decode.decode_image(image_bytes)
    try:
        return entry.run(picture, configure, pipeline)
    except ServiceError:
        raise
    except Exception as exc:
        raise AlgorithmException() from exc
