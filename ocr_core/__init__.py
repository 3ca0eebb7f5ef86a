"""Recognition as plain functions: `recognize(service, image_bytes, configure)` is the one
entry point; no queue, web or network code lives in this package."""
from __future__ import annotations

import logging

from ocr_core import engines
from ocr_core.errors import AlgorithmException, AlgorithmTimeout, ServiceError
from ocr_core.services import SERVICES, check_configure, choose_pipeline, default_pipelines, get_service
from ocr_core.steps import decode

__all__ = ["recognize", "SERVICES", "check_configure", "warm_up"]

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load the engines the services use by default, once per process, before the first job."""
    engines.warm_up(default_pipelines())


def recognize(service: str, image_bytes: bytes, configure: dict | None = None, *,
              time_up: tuple[type[BaseException], ...] = ()) -> dict:
    """Run `service` on a picture file and answer the reference's fields (without `request_id`).

    A file of one page answers as the service does. A PDF or TIFF of several pages answers
    `{"pages": [...]}`, each page's answer in its place, or `{"success": false, "error_code",
    "error_msg"}` for a page that failed; a service that reads several pages itself
    (`multipage`) is given them all instead. The page bound (`OCR_MAX_PAGES`) is checked
    before any page is decoded.

    Errors of the contract (ServiceError) pass through; anything unexpected inside the
    service becomes AlgorithmException (464). `time_up`: exceptions that mean the caller's
    time is spent (the worker's soft time limit): the page they strike and those after it
    answer 464 in their place, and the pages read are kept.
    """
    entry = get_service(service)
    # Checked before decoding: a bad request should not cost a decode.
    # Internal options come from the API, which refused them from the client (services/__init__.py).
    configure = check_configure(service, configure, internal=True)
    pipeline = choose_pipeline(service, configure)
    with decode.Document(image_bytes) as document:
        if entry.multipage:
            return _run(entry, [document.picture(i) for i in range(len(document))], configure, pipeline)
        if len(document) == 1:
            return _run(entry, document.picture(0), configure, pipeline)
        pages: list[dict] = []
        for index in range(len(document)):
            try:
                answer = _run(entry, document.picture(index), configure, pipeline)
                # The envelope is the document's, once: a page carries only the service's fields.
                pages.append({k: v for k, v in answer.items() if k not in ("request_id", "success")})
            except Exception as exc:
                if _caused_by(exc, time_up):
                    pages += [_page_error(AlgorithmTimeout())] * (len(document) - index)
                    break
                if not isinstance(exc, ServiceError):
                    raise
                if isinstance(exc, AlgorithmException) and exc.__cause__ is not None:
                    log.warning("%s: page %d of %d raised", service, index + 1, len(document), exc_info=exc.__cause__)
                pages.append(_page_error(exc))
        return {"pages": pages}


def _run(entry, picture, configure: dict, pipeline) -> dict:
    try:
        return entry.run(picture, configure, pipeline)
    except ServiceError:
        raise
    except Exception as exc:
        raise AlgorithmException() from exc


def _page_error(error: ServiceError) -> dict:
    return {"success": False, "error_code": error.code, "error_msg": error.error_msg}


def _caused_by(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """`exc` or any exception in its chain is one of `kinds` (a step may have wrapped it)."""
    seen = set()
    while exc is not None and id(exc) not in seen and kinds:
        if isinstance(exc, kinds):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
