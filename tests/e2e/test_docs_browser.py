"""/docs in a real browser (Debian's chromium, driven by Playwright): Swagger UI renders the whole OpenAPI 3.1
document, and every request the page makes goes to the API's own address."""
from __future__ import annotations

import os

import pytest
import requests
from playwright.sync_api import sync_playwright


CHROMIUM = "/usr/bin/chromium"   # Debian's (`make test` installs it); never a browser Playwright downloads
pytestmark = pytest.mark.slow


def test_docs_page_renders_every_operation_from_this_server_only(live_api):
    with sync_playwright() as p:
        browser = p.chromium.launch(headless=True, executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            requested, errors = [], []
            page.on("request", lambda r: requested.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live_api}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            operations = page.locator(".opblock").count()
            shown = page.inner_text("body")
            page.locator(".opblock-summary", has_text="/v1/jobs/{service}").first.click()
            # The upload is offered beside JSON as the body's media type.
            page.wait_for_selector("option[value='multipart/form-data']", state="attached", timeout=10_000)
            if os.environ.get("OCRQ_SCREENSHOT_DIR"):
                page.screenshot(path=os.path.join(os.environ["OCRQ_SCREENSHOT_DIR"], "docs.png"))
        finally:
            browser.close()
    assert not errors, errors
    document = requests.get(f"{live_api}/openapi.json", timeout=10).json()
    assert operations == sum(len(ops) for ops in document["paths"].values())
    assert "/api/predict/{service}" in shown and "Unable to render" not in shown
    assert requested and all(url.startswith(live_api + "/") for url in requested), requested
    assert f"{live_api}/openapi.json" in requested
