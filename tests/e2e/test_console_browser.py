"""The web console in a real browser (Debian's chromium, driven by Playwright) against a live API
server, a real worker and Redis: a template drawn with the mouse reads a filled copy through
`ocr_template`; a service tried from the console shows its boxes; the jobs page lists the job."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
import requests
from playwright.sync_api import sync_playwright

from bench.synth.documents import filled_form
from bench.synth.documents.form import blank_form
from bench.synth.documents.idcard import id_card
from tests.servers import b64, free_port

CHROMIUM = "/usr/bin/chromium"   # Debian's (`make test` installs it); never a browser Playwright downloads
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("worker")]


@pytest.fixture(scope="module")
def live_api(settings) -> str:
    """The API served over real HTTP on a free port, as the browser needs it."""
    from werkzeug.serving import make_server

    from api.app import create_app
    port = free_port()
    server = make_server("127.0.0.1", port, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(headless=True, executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_api, appcode):
    """A console page, signed in with a fresh app's APPCODE."""
    context = browser.new_context(viewport={"width": 1500, "height": 1150}, base_url=live_api)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/console")
    page.fill("#appcode", appcode)
    page.click("#sign-in")
    page.wait_for_selector("#page-try:not([hidden])")
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture()
def shots(tmp_path) -> Path:
    """Where screenshots go: the test's tmp_path, or OCRQ_SCREENSHOT_DIR (to refresh docs/)."""
    return Path(os.environ.get("OCRQ_SCREENSHOT_DIR") or tmp_path)


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def _screenshot(page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def _drag(page, box: list[float], pad: float = 0.0) -> None:
    """Draw `box` ([x, y, w, h] in the picture's pixels) on the designer's canvas with the mouse."""
    left, top, scale = page.eval_on_selector(
        "#dz-canvas", "c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width / c.width]; }")
    x, y, w, h = box
    page.mouse.move(left + (x - pad) * scale, top + (y - pad) * scale)
    page.mouse.down()
    page.mouse.move(left + (x + w / 2) * scale, top + (y + h / 2) * scale, steps=3)
    page.mouse.move(left + (x + w + pad) * scale, top + (y + h + pad) * scale, steps=3)
    page.mouse.up()


def _click(page, x: float, y: float) -> None:
    left, top, scale = page.eval_on_selector(
        "#dz-canvas", "c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width / c.width]; }")
    page.mouse.click(left + x * scale, top + y * scale)


def _move(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press the mouse at `start` on the designer's canvas (the picture's pixels), drag it to `end`."""
    left, top, scale = page.eval_on_selector(
        "#dz-canvas", "c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width / c.width]; }")
    page.mouse.move(left + start[0] * scale, top + start[1] * scale)
    page.mouse.down()
    page.mouse.move(left + end[0] * scale, top + end[1] * scale, steps=4)
    page.mouse.up()


def _near(got: list[float], want: list[float], within: float = 3.0) -> bool:
    return len(got) == len(want) and all(abs(a - b) <= within for a, b in zip(got, want))


def _last_item(page):
    return page.locator("#dz-items > li").last


def test_template_drawn_with_the_mouse_reads_a_filled_copy(page, live_api, appcode, shots):
    blank, drawn = blank_form("receipt")   # what a user sees on the blank form, boxes in its pixels
    page.click("#tabs button[data-page=designer]")
    # The sample arrives lying on its side, as scans do; the designer turns it upright.
    page.set_input_files("#dz-file", files=[{"name": "blank.png", "mimeType": "image/png",
                                             "buffer": _png(np.rot90(blank).copy())}])
    page.wait_for_function("() => document.getElementById('dz-canvas').height === 1240")
    page.click("#dz-rot-right")
    page.wait_for_function("() => document.getElementById('dz-canvas').width === 1240")
    page.fill("#dz-angle", "2")           # a small angle turns it on a larger white canvas; 0 undoes it
    page.dispatch_event("#dz-angle", "change")
    assert page.eval_on_selector("#dz-canvas", "c => [c.width > 1240, c.height > 980]") == [True, True]
    page.fill("#dz-angle", "0")
    page.dispatch_event("#dz-angle", "change")
    assert page.eval_on_selector("#dz-canvas", "c => [c.width, c.height]") == [1240, 980]

    spread = ("物资入库单", "供应单位", "仓库名称", "备注", "验收人", "保管员")   # over the whole page
    anchors = [a for a in drawn["anchors"] if a["text"] in spread]
    assert len(anchors) == 6
    page.click("#dz-mode-anchor")
    for anchor in anchors:
        _drag(page, anchor["box"], pad=8)
    page.wait_for_function("() => document.getElementById('dz-state').dataset.state === 'dirty'", timeout=60_000)
    inputs = page.locator("#dz-items > li[data-kind=anchor] input.name")
    read = [inputs.nth(i).input_value() for i in range(len(anchors))]
    # Each anchor's text was read from the picture by the worker (ocr_general on the box).
    right = [got == a["text"] for got, a in zip(read, anchors)]
    assert sum(right) >= 4, list(zip(read, [a["text"] for a in anchors]))
    for i, (ok, anchor) in enumerate(zip(right, anchors)):
        if not ok:                      # as a user would: correct what was misread
            inputs.nth(i).fill(anchor["text"])

    # Boxes already drawn follow the picture when it is turned.
    first = lambda: [float(page.locator("#dz-boxes g.anchor rect").first.get_attribute(k)) for k in "xy"]  # noqa: E731
    before = first()
    page.click("#dz-rot-right")
    assert abs(first()[0] - before[0]) > 100
    page.click("#dz-rot-left")
    assert all(abs(a - b) < 1 for a, b in zip(first(), before))

    page.click("#dz-mode-field")
    for field in drawn["fields"]:
        _drag(page, field["box"])
        _last_item(page).locator("input.name").fill(field["name"])
    (table,) = drawn["tables"]
    page.click("#dz-mode-table")
    _drag(page, table["box"])
    _last_item(page).locator("input.name").fill(table["name"])
    page.click("#dz-mode-column")
    x, y, w, h = table["box"]
    for column in table["columns"][1:]:
        _click(page, column["x0"], y + h / 2)
    labels = _last_item(page).locator("input.col")
    assert labels.count() == len(table["columns"])
    for i, column in enumerate(table["columns"]):
        labels.nth(i).fill(column["label"])

    page.fill("#dz-name", "入库单 drawn")
    page.click("#dz-save")
    page.wait_for_function("() => document.getElementById('dz-state').dataset.state === 'saved'")
    page.click("#dz-publish")
    page.wait_for_function("() => document.getElementById('dz-state').dataset.state === 'published'")
    assert page.locator("#tpl-list li .badge.on").count() == 1
    template_id = page.locator("#tpl-list li").first.get_attribute("data-id")

    # The draft tried on a filled copy, its fields drawn over it.
    trial = filled_form(11, "receipt")
    page.set_input_files("#dz-try-file", files=[{"name": "filled.png", "mimeType": "image/png",
                                                 "buffer": trial.encode("png")}])
    page.wait_for_selector("#dz-try-boxes polygon", timeout=90_000)
    assert '"supplier"' in page.locator("#dz-try-json").inner_text()
    page.locator("#dz-stage").scroll_into_view_if_needed()
    _screenshot(page, shots / "console-designer.png")

    auth = {"Authorization": f"APPCODE {appcode}"}
    saved = requests.get(f"{live_api}/v1/templates/{template_id}", headers=auth, timeout=30).json()
    assert (saved["width"], saved["height"]) == (1240, 980)       # the picture saved is the upright one
    assert len(saved["anchors"]) == 6 and saved["published_definition"] is not None

    # What was drawn in the browser answers ocr_template for another filled copy.
    sample = filled_form(12, "receipt")
    r = requests.post(f"{live_api}/api/predict/ocr_template", headers=auth, timeout=120,
                      json={"image": b64(sample.encode("png")), "configure": {"template_id": template_id}})
    assert r.status_code == 200, r.text
    assert r.json()["items"] == sample.items

    # Listed templates load back into the designer, and are deleted from the list.
    page.click("#tpl-new")
    assert page.locator("#dz-items > li").count() == 0
    page.click(f"#tpl-list li[data-id='{template_id}'] button.edit")
    page.wait_for_function("() => document.getElementById('dz-canvas').width === 1240")
    assert page.locator("#dz-items > li").count() == 6 + len(drawn["fields"]) + 1
    assert page.input_value("#dz-name") == "入库单 drawn"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#tpl-list li[data-id='{template_id}'] button.delete")
    page.wait_for_selector(f"#tpl-list li[data-id='{template_id}']", state="detached")
    assert requests.get(f"{live_api}/v1/templates/{template_id}", headers=auth, timeout=30).status_code == 404


def test_a_service_tried_in_the_console_shows_its_boxes_and_its_job(page, shots):
    card = id_card(5, "face")
    page.select_option("#try-service", "ocr_idcard")
    assert page.locator("#try-side").input_value() == "face"
    page.set_input_files("#try-file", files=[{"name": "card.png", "mimeType": "image/png",
                                              "buffer": card.encode("png")}])
    page.click("#try-run")
    page.wait_for_selector("#try-boxes polygon", timeout=90_000)
    shown = page.locator("#try-json").inner_text()
    assert card.fields["num"] in shown and '"evidence"' in shown
    assert page.locator("#try-boxes g.evidence").count() >= 5     # one per field read
    _screenshot(page, shots / "console-try.png")

    # An error answer is shown with its code and message.
    page.fill("#try-configure", '{"side": "sideways"}')
    page.click("#try-run")
    page.wait_for_selector("#try-error:not([hidden])")
    assert page.locator("#try-error").inner_text().startswith("461: ")

    page.click("#tabs button[data-page=jobs]")
    row = page.locator("#jobs-table tr.job", has_text="ocr_idcard").first
    row.wait_for()
    assert "succeeded" in row.inner_text()
    row.click()
    assert card.fields["num"] in page.locator("#jobs-table tr.detail:not([hidden])").inner_text()
    assert int(page.locator("#jobs-workers b").inner_text()) >= 1
    _screenshot(page, shots / "console-jobs.png")



def test_boxes_and_column_boundaries_are_moved_and_resized_with_the_mouse(page, live_api, appcode):
    blank, drawn = blank_form("receipt")
    (table,) = drawn["tables"]                     # [60, 376, 1120, 224], columns at 420, 720, 900
    auth = {"Authorization": f"APPCODE {appcode}"}
    r = requests.post(f"{live_api}/v1/templates", headers=auth, timeout=30, json={
        "name": "dragged", "image": b64(_png(blank)), "anchors": drawn["anchors"][:1], "tables": [table]})
    assert r.status_code == 201, r.text
    template_id = r.json()["template_id"]
    page.click("#tabs button[data-page=designer]")
    page.click(f"#tpl-list li[data-id='{template_id}'] button.edit")
    page.wait_for_function("() => document.getElementById('dz-canvas').width === 1240")
    state = lambda: page.eval_on_selector("#dz-state", "s => s.dataset.state")  # noqa: E731

    page.click("#dz-mode-field")
    _drag(page, [300, 300, 200, 40])                     # drawn on empty picture: a new field, selected
    assert state() == "dirty"
    page.click("#dz-save")
    page.wait_for_function("() => document.getElementById('dz-state').dataset.state === 'saved'")
    _move(page, (400, 320), (450, 290))                  # dragged by its middle: [350, 270, 200, 40]
    assert state() == "dirty"
    _move(page, (547, 307), (597, 327))                  # by its bottom-right corner: [350, 270, 250, 60]
    assert page.locator("#dz-boxes g.field.selected rect.handle").count() == 4
    _move(page, (353, 273), (333, 263))                  # by its top-left corner: [330, 260, 270, 70]
    field = [float(page.locator("#dz-boxes g.field rect").first.get_attribute(k)) for k in ("x", "y", "width", "height")]
    assert _near(field, [330, 260, 270, 70]), field
    _move(page, (400, 300), (400 - 1000, 300))           # it stays inside the picture
    _move(page, (10, 265), (10, 263))                    # a tremble is a click, not a drag
    assert page.locator("#dz-items > li").count() == 3   # (and drew nothing)

    _click(page, 200, 500)                               # selects the table
    assert page.locator("#dz-items > li.selected[data-kind=table]").count() == 1
    _move(page, (420, 500), (400, 500))                  # a column boundary dragged: name 60-400, spec 400-720
    left, top, scale = page.eval_on_selector(
        "#dz-canvas", "c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width / c.width]; }")
    page.mouse.dblclick(left + 720 * scale, top + 500 * scale)   # and one removed: spec takes 400-900
    columns = page.locator("#dz-items > li[data-kind=table] input.col")
    assert columns.count() == 3
    page.click("#dz-mode-column")
    _click(page, 1000, 500)                              # split as before: price 900-1000, col4 1000-1180
    assert columns.count() == 4
    page.locator("#dz-items > li[data-kind=table] button.remove-col").nth(3).click()   # and col4 removed
    assert columns.count() == 3
    _move(page, (1000, 550), (990, 570))                 # the table moved, its columns with it
    page.click("#dz-save")
    page.wait_for_function("() => document.getElementById('dz-state').dataset.state === 'saved'")

    saved = requests.get(f"{live_api}/v1/templates/{template_id}", headers=auth, timeout=30).json()
    (field,) = saved["fields"]
    assert _near(field["box"], [0, 260, 270, 70]), field
    (moved,) = saved["tables"]
    assert _near(moved["box"], [50, 396, 1120, 224]), moved
    assert [c["label"] for c in moved["columns"]] == ["name", "spec", "price"]
    assert _near([v for c in moved["columns"] for v in (c["x0"], c["x1"])], [50, 390, 390, 890, 890, 1170]), moved
