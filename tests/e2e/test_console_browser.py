"""The web console in a real browser (Debian's chromium, driven by Playwright) against a live API
server, a real worker and Redis: a template drawn with the mouse reads a filled copy through
`ocr_template`; a service tried from the console shows its boxes; the jobs page lists the job."""
from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from bench.synth import text_page
from bench.synth.documents import filled_form, table_page
from bench.synth.documents.form import blank_form
from bench.synth.documents.idcard import id_card
from tests.servers import b64

CHROMIUM = "/usr/bin/chromium"   # Debian's (`make test` installs it); never a browser Playwright downloads
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("worker")]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(headless=True, executable_path=CHROMIUM)
        yield browser
        browser.close()


def _context(browser, live_api, locale: str = "en-US"):
    return browser.new_context(viewport={"width": 1500, "height": 1150}, base_url=live_api, locale=locale,
                               accept_downloads=True)


def _sign_in(page, appcode: str) -> None:
    page.goto("/console")
    page.fill("#appcode", appcode)
    page.click("#sign-in")
    page.wait_for_selector("#page-try:not([hidden])")


@pytest.fixture()
def page(browser, live_api, appcode):
    """A console page in a browser that prefers English, signed in with a fresh app's APPCODE."""
    context = _context(browser, live_api)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(page, appcode)
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


# --- languages, files of several pages, table downloads, refused files --------------------------

# The reference's names of the services (its list of 印刷文字识别-... products and its API pages).
REFERENCE_NAMES = {
    "ocr_idcard": "身份证识别", "ocr_driver_license": "驾驶证识别", "ocr_vehicle_license": "行驶证识别",
    "ocr_passport": "护照识别", "ocr_business_license": "营业执照识别", "ocr_bank_card": "银行卡识别",
    "ocr_business_card": "名片识别", "ocr_plate": "车牌识别", "ocr_vin": "vin码识别", "ocr_train_ticket": "火车票识别",
    "ocr_official_seal": "公章识别", "ocr_taxi_invoice": "出租车机打发票识别", "ocr_household_register": "户口页识别",
    "ocr_general": "通用文字识别", "ocr_table_parse": "表格识别", "ocr_template": "自定义模板识别",
}
# Latin words a Chinese page may show: names of the API, of formats and of the services' paths.
LATIN_ALLOWED = {"ocrq", "APPCODE", "JSON", "json", "configure", "apps", "create", "English", "PDF", "xlsx", "csv",
                 "html", "markdown", "Excel", "vin", "KB", "ID", "png", "multi_crop", "min_size", "output_prob", "finance",
                 "dir_assure", "line_less"}

VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("code, pre, select, svg, textarea") || !el.checkVisibility() || !n.textContent.trim()) continue;
    texts.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll("[title], [placeholder]")) {
    if (el.checkVisibility()) texts.push(el.getAttribute("title") || "", el.getAttribute("placeholder") || "");
  }
  for (const s of document.querySelectorAll("select")) {
    if (s.checkVisibility() && s.selectedOptions[0]) texts.push(s.selectedOptions[0].textContent);
  }
  return texts.filter(Boolean);
}"""


def _untranslated(page) -> list[str]:
    """Visible Latin words of a Chinese page that are not names (of the API, formats, services)."""
    words = []
    for text in page.evaluate(VISIBLE_TEXT):
        for word in re.findall(r"[A-Za-z][A-Za-z_]+", text):
            if word not in LATIN_ALLOWED and not word.startswith("ocr_") and not re.fullmatch(r"field\d+", word):
                words.append(f"{word!r} in {text!r}")
    return words


def _chinese(page) -> list[str]:
    """Visible Chinese of an English page, but for the switch's own 中文 and the example name."""
    return [t for t in page.evaluate(VISIBLE_TEXT) if re.search(r"[\u4e00-\u9fff]", t) and t not in ("中文", "物资入库单")]


def _wait_answer(page, timeout: float = 90_000) -> None:
    page.wait_for_function("() => !document.getElementById('try-run').disabled && "
                           "document.getElementById('try-json').textContent !== ''", timeout=timeout)


def test_the_console_speaks_chinese_to_a_chinese_browser_and_english_once_switched(browser, live_api, appcode,
                                                                                   page_png, shots):
    context = _context(browser, live_api, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/console")
    assert page.evaluate("navigator.languages")[0] == "zh-CN"
    assert page.inner_text("#sign-in") == "登录" and page.title() == "ocrq 控制台"
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.get_attribute("#lang-zh", "aria-pressed") == "true"
    assert _untranslated(page) == []

    # One dictionary per language, with the same words; every marked element has its word in both.
    en, zh = page.evaluate("import('/console/i18n.js').then(m => [Object.keys(m.DICTIONARIES.en), "
                           "Object.keys(m.DICTIONARIES.zh)])")
    assert sorted(en) == sorted(zh)
    marked = page.evaluate("""() => [...document.querySelectorAll('[data-i18n],[data-i18n-html],[data-i18n-title],'
      + '[data-i18n-placeholder]')].flatMap(e => [e.dataset.i18n, e.dataset.i18nHtml, e.dataset.i18nTitle,
      e.dataset.i18nPlaceholder]).filter(Boolean)""")
    assert marked and set(marked) <= set(en), set(marked) - set(en)

    page.fill("#appcode", appcode)
    page.click("#sign-in")
    page.wait_for_selector("#page-try:not([hidden])")
    assert page.inner_text("#tabs").split() == ["试用服务", "模板", "任务"]
    options = page.eval_on_selector("#try-service", "s => Object.fromEntries([...s.options].map(o => [o.value, o.textContent]))")
    for service, name in REFERENCE_NAMES.items():
        assert options[service] == f"{name}（{service}）", options[service]
    assert options["ocr_sdt"].startswith("自定义模板识别")

    # A picture tried in Chinese: the options, the answer's line and the jobs page too.
    page.select_option("#try-service", "ocr_table_parse")
    assert page.inner_text("#try-options label:has(#try-format) span") == "输出格式"
    page.select_option("#try-service", "ocr_general")
    page.set_input_files("#try-file", files=[{"name": "page.png", "mimeType": "image/png", "buffer": page_png}])
    page.click("#try-run")
    page.wait_for_function("() => /个框/.test(document.getElementById('try-info').textContent)", timeout=90_000)
    assert _untranslated(page) == []
    page.click("#tabs button[data-page=designer]")
    page.set_input_files("#dz-file", files=[{"name": "blank.png", "mimeType": "image/png", "buffer": page_png}])
    page.wait_for_function("() => document.getElementById('dz-canvas').width > 0")
    page.click("#dz-mode-field")
    _drag(page, [100, 100, 300, 60])
    assert page.inner_text("#dz-items .kind") == "字段" and page.inner_text("#dz-state") == "有未保存的修改"
    assert _untranslated(page) == []
    page.click("#tabs button[data-page=jobs]")
    row = page.locator("#jobs-table tr.job", has_text="ocr_general").first
    row.wait_for()
    assert "通用文字识别（ocr_general）" in row.inner_text() and "成功" in row.inner_text()
    assert "交互队列" in page.inner_text("#jobs-status")
    assert _untranslated(page) == []
    _screenshot(page, shots / "console-jobs-zh.png")

    # The switch: English at once, what JavaScript wrote included, and kept on reload.
    page.click("#lang-en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("#tabs").split() == ["Try", "a", "service", "Templates", "Jobs"]
    assert "General text (ocr_general)" in row.inner_text() and "succeeded" in row.inner_text()
    assert "interactive queue" in page.inner_text("#jobs-status")
    assert _chinese(page) == []
    page.click("#tabs button[data-page=designer]")
    assert page.inner_text("#dz-items .kind") == "field" and page.inner_text("#dz-state") == "unsaved changes"
    assert _chinese(page) == []
    page.reload()
    page.wait_for_selector("#page-designer:not([hidden])")
    assert page.inner_text("#tabs button[data-page=try]") == "Try a service"
    assert page.get_attribute("#lang-en", "aria-pressed") == "true"
    page.click("#tabs button[data-page=try]")
    assert page.eval_on_selector("#try-service", "s => s.selectedOptions[0].textContent") == "General text (ocr_general)"
    assert _chinese(page) == []
    page.click("#lang-zh")
    assert page.inner_text("#try-run") == "识别"
    context.close()
    assert errors == [], errors


def _two_page_pdf(*pages: np.ndarray) -> bytes:
    from PIL import Image
    first, *rest = [Image.fromarray(cv2.cvtColor(p, cv2.COLOR_BGR2RGB)) for p in pages]
    buffer = io.BytesIO()
    first.save(buffer, "PDF", resolution=150, save_all=True, append_images=rest)
    return buffer.getvalue()


def test_an_answer_of_several_pages_is_shown_page_by_page(page):
    """The shape of a file of several pages, rendered (the API's answer stood in for by page.route):
    a picker, the JSON of each page, a failed page's code, boxes only over the page the picture shows."""
    answer = {"request_id": "20260101000000_" + "0" * 32, "success": True, "pages": [
        {"success": True, "ret": [{"word": "第一页", "rect": {"left": 10, "top": 10, "width": 80, "height": 20}}]},
        {"success": False, "error_code": 464, "error_msg": "algorithm failure"},
        {"success": True, "ret": [{"word": "第三页", "rect": {"left": 20, "top": 40, "width": 80, "height": 20}}]}]}
    page.route("**/api/predict/ocr_general", lambda route: route.fulfill(json=answer))
    picture = np.full((200, 300, 3), 255, np.uint8)
    page.set_input_files("#try-file", files=[{"name": "three.png", "mimeType": "image/png", "buffer": _png(picture)}])
    page.click("#try-run")
    page.wait_for_selector("#try-pages:not([hidden])")
    buttons = page.locator("#try-page-list button")
    assert buttons.count() == 3 and page.locator("#try-page-list button.failed").count() == 1
    assert "3 pages, 1 failed" in page.inner_text("#try-info")
    assert json.loads(page.inner_text("#try-json")) == answer["pages"][0]
    assert page.locator("#try-boxes polygon").count() == 1 and page.is_visible("#try-stage")
    buttons.nth(1).click()
    assert json.loads(page.inner_text("#try-json"))["error_code"] == 464
    assert page.inner_text("#try-page-info") == "page 2: 464: algorithm failure"
    assert page.locator("#try-boxes polygon").count() == 0 and not page.is_visible("#try-stage")
    buttons.nth(2).click()
    assert "第三页" in page.inner_text("#try-json") and page.inner_text("#try-page-info") == "page 3 of 3: 1 boxes"
    assert not page.is_visible("#try-downloads")


def test_a_pdf_of_two_pages_sent_from_the_try_page_is_answered_page_by_page(page, shots):
    samples = [text_page(21, n_lines=3), text_page(22, n_lines=3)]
    pdf = _two_page_pdf(*(s.image for s in samples))
    page.set_input_files("#try-file", files=[{"name": "two.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.wait_for_selector("#try-no-preview:not([hidden])")        # a PDF is not drawn: no picture
    assert "PDF" in page.inner_text("#try-no-preview") and not page.is_visible("#try-stage")
    page.click("#try-run")
    page.wait_for_selector("#try-pages:not([hidden])", timeout=120_000)
    assert page.locator("#try-page-list button").count() == 2
    assert page.locator("#try-page-list button.failed").count() == 0
    read = []
    for n in range(2):
        page.locator("#try-page-list button").nth(n).click()
        shown = json.loads(page.inner_text("#try-json"))
        assert "error_code" not in shown and "request_id" not in shown   # the page's answer, as the service gives it
        read.append("".join(w["word"] for w in shown["ret"]))
    for got, sample in zip(read, samples):
        truth = "".join(line.text for line in sample.lines)
        similar = difflib.SequenceMatcher(None, got, truth).ratio()
        assert similar > 0.8, (got, truth)
    assert not page.is_visible("#try-stage")
    _screenshot(page, shots / "console-try-pdf.png")


def test_a_table_answer_is_downloaded_as_xlsx_and_csv(page, live_api, appcode, tmp_path, shots):
    sample = table_page(1)
    page.select_option("#try-service", "ocr_table_parse")
    assert page.input_value("#try-format") == "json"
    page.set_input_files("#try-file", files=[{"name": "table.png", "mimeType": "image/png",
                                              "buffer": sample.encode("png")}])
    page.click("#try-run")
    page.wait_for_selector("#try-downloads:not([hidden])", timeout=90_000)
    tables = json.loads(page.inner_text("#try-json"))["tables"]
    _screenshot(page, shots / "console-try-table.png")

    with page.expect_download(timeout=90_000) as download:   # asked again of the API in format xlsx
        page.click("#try-download-xlsx")
    assert download.value.suggested_filename == "table.xlsx"
    path = tmp_path / "table.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path)["table0"]
    first = tables[0][0][0]
    assert sheet.cell(first["sy"] + 1, first["sx"] + 1).value == "\n".join(first["text"])
    assert [[sheet.cell(c["sy"] + 1, c["sx"] + 1).value or "" for c in row] for row in tables[0]] == \
        [["\n".join(c["text"]) for c in row] for row in tables[0]]

    with page.expect_download() as download:                 # made in the page from the json answer
        page.click("#try-download-csv")
    assert download.value.suggested_filename == "table.csv"
    path = tmp_path / "table.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")                  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data[3:].decode())))
    assert rows[first["sy"]][first["sx"]] == " ".join(first["text"])
    # As the API's own csv writes it.
    r = requests.post(f"{live_api}/api/predict/ocr_table_parse", headers={"Authorization": f"APPCODE {appcode}"},
                      json={"image": b64(sample.encode("png")), "configure": {"format": "csv"}}, timeout=120)
    assert r.status_code == 200 and data[3:].decode() == r.json()["tables"]


def test_a_refused_file_is_let_go_and_the_previous_picture_never_sent_again(page, page_png):
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data_json["image"]) if "/api/predict/" in r.url else None)
    page.set_input_files("#try-file", files=[{"name": "page.png", "mimeType": "image/png", "buffer": page_png}])
    page.click("#try-run")
    _wait_answer(page)
    assert sent == [b64(page_png)]

    # A file the browser cannot read: refused at once, the picture before it let go.
    page.set_input_files("#try-file", files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture"}])
    page.wait_for_selector("#try-error:not([hidden])")
    assert page.inner_text("#try-error").startswith("notes.png: the browser cannot read this file")
    assert page.is_disabled("#try-run") and not page.is_visible("#try-stage")
    assert page.inner_text("#try-json") == "" and page.get_attribute("#try-image", "src") is None
    page.click("#try-run", force=True)
    page.wait_for_timeout(300)
    assert len(sent) == 1

    # A file the API refuses (a PDF that is not one): its error shown, the file let go.
    broken = b"%PDF-1.4\n" + bytes(range(256)) * 4
    page.set_input_files("#try-file", files=[{"name": "broken.pdf", "mimeType": "application/pdf", "buffer": broken}])
    page.wait_for_function("() => !document.getElementById('try-run').disabled")
    assert page.is_hidden("#try-error")
    page.click("#try-run")
    page.wait_for_selector("#try-error:not([hidden])", timeout=90_000)
    assert page.inner_text("#try-error").startswith("462: ")
    assert "choose another" in page.inner_text("#try-error")
    assert json.loads(page.inner_text("#try-json"))["error_code"] == 462
    assert page.is_disabled("#try-run") and page.input_value("#try-file") == ""
    page.click("#try-run", force=True)
    page.wait_for_timeout(300)
    assert len(sent) == 2 and sent[1] == b64(broken)
    # The next good file is sent, and only it.
    page.set_input_files("#try-file", files=[{"name": "page.png", "mimeType": "image/png", "buffer": page_png}])
    page.click("#try-run")
    _wait_answer(page)
    assert len(sent) == 3 and sent[2] == b64(page_png) and page.is_hidden("#try-error")
