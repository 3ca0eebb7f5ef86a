"""Fetching an `image` given as an http(s) URL, through the outbound guard (`workers.outbound_http`).

Every failure is `ImageDownloadError`; the reason is logged at debug level (never the body).
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from api.errors import ImageDownloadError
from workers.outbound_http import OutboundError, fetch

log = logging.getLogger(__name__)


def fetch_image(url: str, *, max_bytes: int, timeout: float, allow_networks: tuple[str, ...] = ()) -> bytes:
    """The body at `url`, at most `max_bytes`, within `timeout` seconds in all, redirects included.

    A malformed entry in `allow_networks` is the operator's mistake and raises ValueError.
    """
    try:
        return fetch(url, max_bytes=max_bytes, timeout=timeout, allow_networks=allow_networks)
    except OutboundError as exc:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        log.debug("image url not fetched from %s: %s", host, exc)
        raise ImageDownloadError() from None
