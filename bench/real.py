"""Real pictures: the project beside raw PP-OCR and raw Tesseract on the photographs and scans of
`../shared/realdev`, which nobody on this project drew, scored as its README says.

    python -m bench.real [--realdev DIR] [--service ocr_general ...] [--limit N] [--json OUT]

For each picture, in one run: the project (`ocr_core.recognize` with the case's `configure`, and
`evidence` for its warnings: "turned" counts the pictures answered with `rotated_*`),
then PP-OCR through `rapidocr` on the whole page, then Tesseract (`chi_sim`, whole page, page
segmentation automatic), each engine warmed up before any timing. The raw engines have no fields:
a truth value counts as found when it appears anywhere in their page text, which is the bar the
project has to clear with the value in the right field.

- `ocr_general`: lines found (a truth line inside one answered line; for a raw engine, anywhere
  in its page text), lines exact (equal to one answered line; the project only), and the
  character error rate of the page text against the truth lines joined (pictures whose
  `meta.complete` is false are left out of it).
- `ocr_table_parse`: cell text (a true cell's text equal to the text of an answered cell; raw
  engines: found in their page text) and structure (a true cell right when the answer's table
  has a cell with the same sx, sy, ex, ey), with the generator's score beside it
  (`bench.tables.table_cell_scores`: cells answered that the table does not have count too).
- `ocr_plate`: plates found (an answered plate equal to a true one), wrong plates (answered
  plates that are not in the picture), the bare plate crops apart.

Texts are compared after `normalise` (the realdev README's rules). The folder is
`<repo>/../shared/realdev` unless `--realdev` or `OCRQ_REALDEV` names another; when it is not
there the benchmark says so in one line and exits 0.
"""
from __future__ import annotations

import os

# As ocr_core's Tesseract engine does: one OpenMP thread per call, set before tesserocr loads.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import argparse
import contextlib
import io
import json
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.tables import table_cell_scores
from ocr_core import recognize
from ocr_core.chinese_text import edit_distance
from ocr_core.engines import engine_installed
from ocr_core.errors import ServiceError

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("ocr_general", "ocr_table_parse", "ocr_plate")
ENGINES = ("project", "ppocr", "tesseract")
LABELS = {"project": "project", "ppocr": "raw PP-OCR", "tesseract": "raw Tesseract"}
DASH = "–"  # a figure that does not apply (raw engines answer no fields)


def default_realdev() -> Path:
    env = os.environ.get("OCRQ_REALDEV")
    return Path(env) if env else REPO.parent / "shared" / "realdev"


# -- normalising (the realdev README's "Comparing answers with truth") --------------------

# Dash-like characters (after NFKC, which already turns full-width ones into '-'): Unicode's
# dash punctuation but the wave dashes, and the minus sign.
_DASHES = "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e17\u2e1a\u2e3a\u2e3b\u2e40\ufe58\ufe63\uff0d"
# Curly quotes and their look-alikes (primes, as in "5′–3′", print as straight quotes too).
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036"
_TABLE = {**{ord(c): "-" for c in _DASHES}, **{ord(c): "'" for c in _SINGLE_QUOTES},
          **{ord(c): '"' for c in _DOUBLE_QUOTES}}
# Plates are compared without their middle dot (and the dot's look-alikes) and dashes.
_PLATE_DROP = {ord(c): None for c in "·•‧∙⋅・-"}


def _latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def normalise(text: str, plate: bool = False) -> str:
    """NFKC (full-width to half-width), every dash to '-', curly quotes straight, whitespace
    removed, Latin letters lower-cased; for a plate also without '·' and '-'."""
    text = unicodedata.normalize("NFKC", text or "").translate(_TABLE)
    text = "".join(ch.lower() if _latin(ch) else ch for ch in text if not ch.isspace())
    return text.translate(_PLATE_DROP) if plate else text


@dataclass
class Matcher:
    """How a picture's texts compare: `normalise`, then the glyph pairs the picture cannot tell
    apart (`meta.alt_sub`, each pair's second written as its first on both sides), and the other
    accepted spellings of a value (`meta.alt`: {value: [spellings]}, or groups of spellings
    [[value, spelling, ...]], or for a picture of one value a list of its spellings)."""

    meta: dict = field(default_factory=dict)
    plate: bool = False

    def __post_init__(self):
        self._subs = [(normalise(b, self.plate), normalise(a, self.plate))
                      for a, b in self.meta.get("alt_sub") or () if normalise(b, self.plate)]

    def norm(self, text: str) -> str:
        text = normalise(text, self.plate)
        for old, new in self._subs:
            text = text.replace(old, new)
        return text

    def variants(self, value: str) -> list[str]:
        """The value and its other accepted spellings, normalised, without empty ones."""
        spellings = [value]
        alt = self.meta.get("alt")
        if isinstance(alt, dict):
            extra = alt.get(value, [])
            spellings += [extra] if isinstance(extra, str) else list(extra)
        elif isinstance(alt, list):
            if all(isinstance(a, str) for a in alt):
                spellings += alt
            else:
                for group in alt:
                    if isinstance(group, (list, tuple)) and value in group:
                        spellings += list(group)
        out = []
        for spelling in spellings:
            text = self.norm(spelling)
            if text and text not in out:
                out.append(text)
        return out


# -- scoring one picture -------------------------------------------------------------------

def score_lines(truth: list[str], answered: list[str], meta: dict | None = None, *,
                anywhere: bool = False) -> dict:
    """General text: truth lines found (inside one answered line, or with `anywhere`, inside the
    page text, the raw engines' measure), exact (equal to one answered line; None with
    `anywhere`), and the edits from the answered page text to the truth's (None where
    `meta.complete` is false: small print left out of the truth)."""
    meta = meta or {}
    match = Matcher(meta)
    lines = [match.norm(line) for line in answered]
    page = "".join(lines)
    found = exact = total = 0
    for line in truth:
        variants = match.variants(line)
        if not variants:
            continue
        total += 1
        found += any(v in page for v in variants) if anywhere else any(v in a for v in variants for a in lines)
        exact += any(v == a for v in variants for a in lines)
    complete = meta.get("complete") is not False
    reference = "".join(match.norm(line) for line in truth)
    return {"lines": total, "found": found, "exact": None if anywhere else exact,
            "chars": len(reference) if complete else None,
            "edits": edit_distance(page, reference) if complete else None}


def _cell_text(cell: dict) -> str:
    text = cell.get("text") or []
    return "".join(text) if isinstance(text, list) else str(text)


def _truth_dicts(cells: list[list]) -> list[dict]:
    return [{"sx": sx, "sy": sy, "ex": ex, "ey": ey, "text": text} for sx, sy, ex, ey, text in cells]


def score_cells(truth: list[list], tables: list, meta: dict | None = None) -> dict:
    """Tables: true cells with text whose text equals an answered cell's (any table), true cells
    whose span (sx, sy, ex, ey) the answer's best table has, and the generator's structure errors
    on that table (spans missed plus cells answered that the truth does not have)."""
    match = Matcher(meta or {})
    tables = [t for t in tables or [] if isinstance(t, list)]
    answered = {match.norm(_cell_text(cell)) for table in tables for row in table for cell in row}
    spans = [{(c.get("sx"), c.get("sy"), c.get("ex"), c.get("ey")) for row in table for c in row} for table in tables]
    true_spans = [(sx, sy, ex, ey) for sx, sy, ex, ey, _ in truth]
    best = max(range(len(tables)), key=lambda i: sum(s in spans[i] for s in true_spans), default=None)
    texts = [match.variants(text) for *_, text in truth]
    texts = [v for v in texts if v]
    generator = table_cell_scores([_truth_dicts(truth)], [tables[best]] if best is not None else [])[0]
    return {"texts": len(texts), "text_found": sum(any(v in answered for v in vs) for vs in texts),
            "cells": len(truth), "structure": sum(s in spans[best] for s in true_spans) if best is not None else 0,
            "generator_errors": generator}


def score_cells_in_text(truth: list[list], page_lines: list[str], meta: dict | None = None) -> dict:
    """Tables, a raw engine: true cells with text found anywhere in its page text."""
    match = Matcher(meta or {})
    page = "".join(match.norm(line) for line in page_lines)
    texts = [v for v in (match.variants(text) for *_, text in truth) if v]
    return {"texts": len(texts), "text_found": sum(any(v in page for v in vs) for vs in texts),
            "cells": len(truth), "structure": None, "generator_errors": None}


def score_plates(truth: list[str], answered: list[str], meta: dict | None = None) -> dict:
    """Plates: true plates answered exactly (after normalising), and answered plates that are not
    any true plate (wrong)."""
    match = Matcher(meta or {}, plate=True)
    true = [match.variants(plate) for plate in truth]
    got = [match.norm(plate) for plate in answered]
    return {"plates": len(true), "found": sum(any(v in got for v in vs) for vs in true),
            "answered": len(got), "wrong": sum(not any(g in vs for vs in true) for g in got)}


def score_plates_in_text(truth: list[str], page_lines: list[str], meta: dict | None = None) -> dict:
    """Plates, a raw engine: true plates found anywhere in its page text."""
    match = Matcher(meta or {}, plate=True)
    page = "".join(match.norm(line) for line in page_lines)
    true = [match.variants(plate) for plate in truth]
    return {"plates": len(true), "found": sum(any(v in page for v in vs) for vs in true),
            "answered": None, "wrong": None}


# -- the cases and the engines -------------------------------------------------------------

@dataclass
class Case:
    id: str
    service: str
    image: Path
    configure: dict
    truth: dict
    meta: dict
    source: str

    @property
    def family(self) -> str:
        """The picture's kind as `cases.jsonl` notes it (`meta.kind`), else its source repository."""
        return self.meta.get("kind") or self.source.split(":")[0]

    @property
    def bare_crop(self) -> bool:
        return self.service == "ocr_plate" and "crop" in self.meta.get("kind", "")


def load_cases(folder: Path) -> list[Case]:
    cases = []
    for line in (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            cases.append(Case(d["id"], d["service"], folder / d["image"], d.get("configure") or {},
                              d.get("truth") or {}, d.get("meta") or {}, d.get("source", "")))
    return cases


class RawPPOCR:
    """PP-OCR through rapidocr on the whole page (detector, line classifier, recogniser), one
    thread, its models from the wheel, as ocr_core/engines/ppocr.py builds it."""

    def __init__(self):
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })

    def __call__(self, data: bytes) -> list[str]:
        out = self._ocr(data)
        return [text for text in (getattr(out, "txts", None) or ()) if text.strip()]


class RawTesseract:
    """Tesseract through tesserocr on the whole page: chi_sim, page segmentation automatic."""

    def __init__(self):
        import tesserocr

        from ocr_core.settings import get_settings

        self._api = tesserocr.PyTessBaseAPI(path=get_settings().tessdata, lang="chi_sim", psm=tesserocr.PSM.AUTO)

    def __call__(self, data: bytes) -> list[str]:
        from PIL import Image, ImageOps

        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        elif image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        with _quiet_stderr():  # "Estimating resolution as ..." on every page
            self._api.SetImage(image)
            text = self._api.GetUTF8Text()
        return [line for line in text.splitlines() if line.strip()]


@contextlib.contextmanager
def _quiet_stderr():
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def project_values(service: str, answer: dict):
    """What the scorers take from the project's answer: lines, tables or plate numbers."""
    if service == "ocr_general":
        return [item.get("word", "") for item in answer.get("ret") or []]
    if service == "ocr_table_parse":
        return answer.get("tables") or []
    return [plate.get("txt", "") for plate in answer.get("plates") or []]


def score(case: Case, engine: str, values) -> dict:
    truth, meta = case.truth, case.meta
    if case.service == "ocr_general":
        return score_lines(truth.get("lines", []), values, meta, anywhere=engine != "project")
    if case.service == "ocr_table_parse":
        cells = truth.get("cells", [])
        return score_cells(cells, values, meta) if engine == "project" else score_cells_in_text(cells, values, meta)
    plates = truth.get("plates", [])
    return score_plates(plates, values, meta) if engine == "project" else score_plates_in_text(plates, values, meta)


def run_project(case: Case, data: bytes) -> tuple[dict, str | None]:
    """The project's answer to the case's `configure`, with `evidence` asked for too (it changes
    nothing read, and brings the page's warnings: `rotated_*` when the page was turned)."""
    try:
        return recognize(case.service, data, {**case.configure, "evidence": True}), None
    except ServiceError as exc:
        return {}, f"{exc.code} {exc.error_msg}"


def measure(cases: list[Case], progress: bool) -> tuple[list[dict], dict[str, str]]:
    """Every case through the three, interleaved picture by picture; the per-picture results
    and the raw engines that could not run (name: why)."""
    raw, missing = {}, {}
    for name, make in (("ppocr", RawPPOCR), ("tesseract", RawTesseract)):
        if name == "ppocr" and not engine_installed("ppocr"):
            missing[name] = "rapidocr not installed (pip install 'ocrq[ppocr]')"
            continue
        try:
            raw[name] = make()
        except Exception as exc:  # noqa: BLE001  an engine that cannot start leaves its column empty
            missing[name] = f"{type(exc).__name__}: {exc}"
    # Warm-up, outside any timing: each service's engines and models on its first picture, and
    # each raw engine (one model set for every service) on the smallest picture.
    firsts = {}
    for case in cases:
        firsts.setdefault(case.service, case)
    for case in firsts.values():
        run_project(case, case.image.read_bytes())
    smallest = min(cases, key=lambda c: c.image.stat().st_size).image.read_bytes()
    for engine in raw.values():
        engine(smallest)
    from tqdm import tqdm

    records = []
    for case in tqdm(cases, desc="realdev", unit="picture", file=sys.stderr, disable=not progress):
        data = case.image.read_bytes()
        record = {"id": case.id, "service": case.service, "family": case.family, "image": str(case.image),
                  "bare_crop": case.bare_crop, "complete": case.meta.get("complete") is not False, "engines": {}}
        started = time.perf_counter()
        answer, error = run_project(case, data)
        seconds = time.perf_counter() - started
        values = project_values(case.service, answer)
        warnings = answer.get("warnings") or []
        record["engines"]["project"] = {
            "seconds": round(seconds, 4), "error": error, "warnings": warnings,
            "turned": any(str(w).startswith("rotated_") for w in warnings),
            "scores": score(case, "project", values), "answer": answer}
        for name, engine in raw.items():
            started = time.perf_counter()
            try:
                lines, error = engine(data), None
            except Exception as exc:  # noqa: BLE001  a raw engine failing on a picture reads nothing of it
                lines, error = [], f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - started
            record["engines"][name] = {"seconds": round(seconds, 4), "error": error,
                                       "scores": score(case, name, lines), "lines": lines}
        records.append(record)
    return records, missing


# -- the report ----------------------------------------------------------------------------

def _sum(records: Iterable[dict], engine: str, key: str) -> int | None:
    """A score summed over pictures; None when the engine has no such figure (or did not run)."""
    values = [r["engines"][engine]["scores"].get(key) for r in records if engine in r["engines"]]
    if not values or all(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _share(part: int | None, whole: int | None, counts: bool = True) -> str:
    if part is None or not whole:
        return DASH
    return f"{100 * part / whole:.1f} %" + (f" ({part}/{whole})" if counts else "")


def _count(value: int | None) -> str:
    return DASH if value is None else str(value)


def _seconds(records: list[dict], engine: str) -> str:
    values = [r["engines"][engine]["seconds"] for r in records if engine in r["engines"]]
    return f"{sum(values) / len(values):.2f}" if values else DASH


def _pictures(n: int) -> str:
    return f"{n} picture" + ("" if n == 1 else "s")


def _complete(records: list[dict]) -> list[dict]:
    return [r for r in records if r["complete"]]


def figures(service: str, records: list[dict], engine: str, counts: bool = True) -> dict[str, str]:
    """A service's figures of one engine over `records`, by column name."""
    if service == "ocr_general":
        lines = _sum(records, engine, "lines")
        complete = _complete(records)
        return {"lines found": _share(_sum(records, engine, "found"), lines, counts),
                "lines exact": _share(_sum(records, engine, "exact"), lines, counts),
                "CER": _share(_sum(complete, engine, "edits"), _sum(complete, engine, "chars"), False)}
    if service == "ocr_table_parse":
        cells = _sum(records, engine, "cells")
        errors = _sum(records, engine, "generator_errors")
        return {"cell text": _share(_sum(records, engine, "text_found"), _sum(records, engine, "texts"), counts),
                "structure": _share(_sum(records, engine, "structure"), cells, counts),
                "structure, generator's score": DASH if errors is None or not cells
                else f"{100 * max(0.0, 1 - errors / cells):.1f} %"}
    crops = [r for r in records if r["bare_crop"]]
    return {"plates found": _share(_sum(records, engine, "found"), _sum(records, engine, "plates"), counts),
            "wrong plates": _count(_sum(records, engine, "wrong")),
            "bare crops: found": _share(_sum(crops, engine, "found"), _sum(crops, engine, "plates"), counts),
            "bare crops: wrong": _count(_sum(crops, engine, "wrong"))}


def _main_figure(service: str, records: list[dict], engine: str) -> float:
    key, whole = {"ocr_general": ("found", "lines"), "ocr_table_parse": ("text_found", "texts"),
                  "ocr_plate": ("found", "plates")}[service]
    part, total = _sum(records, engine, key), _sum(records, engine, whole)
    return part / total if part is not None and total else 0.0


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _engines(records: list[dict]) -> list[str]:
    return [e for e in ENGINES if any(e in r["engines"] for r in records)]


def service_table(service: str, records: list[dict]) -> list[str]:
    engines = _engines(records)
    columns = list(figures(service, records, "project"))
    rows = []
    for engine in engines:
        project = engine == "project"
        extra = [str(sum(r["engines"][engine]["error"] is not None for r in records)),
                 str(sum(r["engines"]["project"]["turned"] for r in records)) if project else DASH]
        rows.append([LABELS[engine]] + list(figures(service, records, engine).values())
                    + [_seconds(records, engine)] + extra)
    note = ""
    if service == "ocr_general":
        complete = _complete(records)
        note = (f"; CER over the {_pictures(len(complete))} whose truth is complete, "
                f"{_sum(complete, 'project', 'chars')} characters")
    elif service == "ocr_plate":
        note = f"; {sum(r['bare_crop'] for r in records)} bare plate crops"
    title = f"### `{service}`: {_pictures(len(records))}{note}"
    return [title, ""] + _table(["engine"] + columns + ["s/picture", "errors", "turned"], rows)


def family_table(service: str, records: list[dict]) -> list[str]:
    """One row a family, worst first by the project's main figure: each figure as
    project / raw PP-OCR / raw Tesseract."""
    engines = _engines(records)
    families: dict[str, list[dict]] = {}
    for r in records:
        families.setdefault(r["family"], []).append(r)
    columns = list(figures(service, records, "project"))
    order = sorted(families, key=lambda f: (_main_figure(service, families[f], "project"), f))
    rows = []
    for family in order:
        group = families[family]
        per_engine = [figures(service, group, e, counts=False) for e in engines]
        cells = [" / ".join(fig[c] for fig in per_engine) for c in columns]
        rows.append([family, str(len(group))] + cells + [" / ".join(_seconds(group, e) for e in engines)])
    title = f"#### `{service}` by family (each figure: {' / '.join(LABELS[e] for e in engines)})"
    return [title, ""] + _table(["family", "pictures"] + columns + ["s/picture"], rows)


def summary_table(records: list[dict]) -> list[str]:
    engines = _engines(records)
    rows = []
    for service in SERVICES:
        group = [r for r in records if r["service"] == service]
        if not group:
            continue
        per_engine = [figures(service, group, e) for e in engines]
        first = True
        for column in list(per_engine[0]) + ["s/picture"]:
            values = [_seconds(group, e) for e in engines] if column == "s/picture" else [f[column] for f in per_engine]
            label = f"CER ({_pictures(len(_complete(group)))} with complete truth)" if column == "CER" else column
            rows.append([f"`{service}` ({len(group)})" if first else "", label] + values)
            first = False
    turned = sum(r["engines"]["project"]["turned"] for r in records)
    rows.append(["all", "pictures turned (`rotated_*` warning)", str(turned)] + [DASH] * (len(engines) - 1))
    return _table(["service", "figure"] + [LABELS[e] for e in engines], rows)


def report(records: list[dict], missing: dict[str, str]) -> str:
    out = []
    for service in SERVICES:
        group = [r for r in records if r["service"] == service]
        if group:
            out += service_table(service, group) + [""] + family_table(service, group) + [""]
    out += ["### Summary", ""] + summary_table(records)
    for name, why in missing.items():
        out += ["", f"{LABELS[name]} did not run: {why}"]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.real", description=__doc__.splitlines()[0])
    parser.add_argument("--realdev", type=Path, default=None,
                        help="the folder of real pictures (default: $OCRQ_REALDEV or <repo>/../shared/realdev)")
    parser.add_argument("--service", choices=SERVICES, action="append", help="service to measure (repeatable); default: all")
    parser.add_argument("--limit", type=int, default=None, help="the first N pictures of each service")
    parser.add_argument("--json", type=Path, default=None, help="write the raw per-picture results here")
    args = parser.parse_args(argv)
    folder = args.realdev or default_realdev()
    if not (folder / "cases.jsonl").is_file():
        print(f"realdev pictures absent ({folder} has no cases.jsonl): nothing measured")
        return 0
    cases = [c for c in load_cases(folder) if not args.service or c.service in args.service]
    if args.limit is not None:
        cases = [c for c in cases if [d.service for d in cases[:cases.index(c)]].count(c.service) < args.limit]
    if not cases:
        print(f"no pictures to measure in {folder}")
        return 0
    records, missing = measure(cases, progress=sys.stderr.isatty())
    print(f"Real pictures: {_pictures(len(records))} from {folder}; project vs raw PP-OCR vs raw Tesseract, "
          "interleaved picture by picture, engines warmed up first\n")
    print(report(records, missing))
    if args.json:
        args.json.write_text(json.dumps({"folder": str(folder), "missing": missing, "pictures": records},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
