"""Speed of each service against raw PP-OCR and raw Tesseract, picture by picture in one process.

    python -m bench.speed [--service ocr_general ...] [--count 3] [--repeat 1] [--json speed.json]

On the generator's pictures (bench/accuracy.py's, seeds 0..count-1, even seeds clean, odd
seeds photographed; ID cards and licences alternate sides), one thread each, after an untimed
warm-up on the service's first picture, every picture is given in turn to:

- `ocr_core.recognize` (the service, its default pipeline), with the engines it gets from
  `ocr_core.engines.get_engine` wrapped in a counting proxy: every recogniser call (a read) is
  counted, timed and put in the stage it was made from: `probe` (the orientation step's
  reads, ocr_core/steps/orient.py), `main` (the main pass, `read_page_text`; its reads that
  come out as non-text are `speck`), `own` (the service's own reads: re-reads of values, or all
  its lines where it has no main pass);
- raw PP-OCR through rapidocr on the whole page (detector, line classifier, recogniser);
- raw Tesseract through tesserocr on the whole page (chi_sim+eng, page segmentation automatic);
- the recogniser-alone floor: the crops of the lines the answer is built from (the main pass's
  lines kept as text; a service without a main pass: its own reads that came out as text) fed
  straight to the same recogniser, each once.

The three are run in an order that turns by one each picture, so that neither a warm cache nor
the machine's load favours one of them; with `--repeat N` each picture goes round N times and
each runner's fastest run is kept (load on a shared machine only ever adds time).

Printed: a table per service (median and worst ratio of recognize to PP-OCR, reads and lines per
picture, time beyond the floor: 1 - floor / recognize, median over pictures) and where
recognize's time goes, as shares of its seconds measured inside the call: reads by stage,
`detect` (the engines' detectors and OSD), and `rest` (all that is not an engine call: decoding,
finding the page and its lines, straightening, extraction). The proxy's own bookkeeping (a clock
reading and a frame look-up per call) is in recognize's time.
"""
from __future__ import annotations

import os

# One thread each, set before numpy, OpenCV, onnxruntime or Tesseract load: the figures are
# per core, and the machine is shared.
for _name in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from bench.accuracy import BENCHMARKS, Benchmark  # noqa: E402
from bench.synth import Distortion  # noqa: E402
from ocr_core import engines as engine_registry  # noqa: E402
from ocr_core import recognize  # noqa: E402
from ocr_core.engines.base import Reading  # noqa: E402
from ocr_core.errors import ServiceError  # noqa: E402
from ocr_core.settings import get_settings  # noqa: E402
# The main pass's own rule for what is text: a line it keeps is one the answer is built from.
from ocr_core.steps.read import _is_text  # noqa: E402

cv2.setNumThreads(1)

RUNNERS = ("recognize", "ppocr", "tesseract")
STAGES = ("probe", "main", "speck", "own")


# -- counting the engines' calls ------------------------------------------------------

@dataclass
class Call:
    """One call into an engine while `recognize` ran: what it was, from which stage, how long."""

    method: str          # read_line, line_probabilities, detect_lines, read_page, detect_orientation
    stage: str           # probe, main, speck, own (reads); detect for the rest
    seconds: float
    engine: Any = field(repr=False, default=None)  # the real engine, to feed the crop to again
    crop: np.ndarray | None = field(repr=False, default=None)
    text: bool = True    # the reading is text by the main pass's rule (line_probabilities: taken as text)

    @property
    def is_read(self) -> bool:
        return self.method in ("read_line", "line_probabilities")


class CallLog:
    """The calls of the picture being recognised."""

    def __init__(self):
        self.calls: list[Call] = []

    def clear(self) -> None:
        self.calls = []


def _stage_of(frame) -> str:
    """The stage a read was made from: the nearest caller, walking out from the engine call, that is the
    orientation step (probe) or the main pass (`read_page_text`, also through the functions it calls,
    such as steps/columns.py's); any other read is the service's own."""
    while frame is not None:
        module, function = frame.f_globals.get("__name__", ""), frame.f_code.co_name
        if module == "ocr_core.steps.orient":
            return "probe"
        if module == "ocr_core.steps.read" and function == "read_page_text":
            return "main"
        if module.startswith("ocr_core.services"):
            return "own"
        frame = frame.f_back
    return "own"


class CountingEngine:
    """An engine seen through a proxy: the calls ocr_core makes are logged, their answers unchanged.
    Anything else (its name, attributes it has or lacks) is the engine's own."""

    def __init__(self, engine, log: CallLog):
        self._engine, self._log = engine, log

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def _timed(self, method: str, stage: str, crop, *args, **kwargs):
        started = time.perf_counter()
        out = getattr(self._engine, method)(*args, **kwargs)
        seconds = time.perf_counter() - started
        text = _is_text(out) if isinstance(out, Reading) else True
        if stage == "main" and not text:
            stage = "speck"
        self._log.calls.append(Call(method, stage, seconds, self._engine, crop, text))
        return out

    def read_line(self, image: np.ndarray) -> Reading:
        return self._timed("read_line", _stage_of(sys._getframe(1)), image, image)

    def detect_lines(self, image: np.ndarray, **options):
        return self._timed("detect_lines", "detect", None, image, **options)

    def read_page(self, image: np.ndarray):
        return self._timed("read_page", "detect", None, image)

    def detect_orientation(self, image: np.ndarray):
        return self._timed("detect_orientation", "detect", None, image)

    def __dir__(self):
        return sorted(set(dir(self._engine)) | {"read_line", "detect_lines", "read_page", "detect_orientation"})


def _line_probabilities(proxy: CountingEngine):
    """The proxy's line_probabilities, only for an engine that has one (services ask with hasattr)."""
    def line_probabilities(image: np.ndarray):
        return proxy._timed("line_probabilities", _stage_of(sys._getframe(1)), image, image)
    return line_probabilities


def count_engine_calls(log: CallLog) -> Callable[[], None]:
    """Wrap every engine ocr_core has made, and every one it will make, in a CountingEngine that
    logs to `log`. Returns the function that puts the engines back."""
    factories = dict(engine_registry._FACTORIES)
    made = dict(engine_registry._engines)

    def wrap(engine):
        proxy = CountingEngine(engine, log)
        if hasattr(engine, "line_probabilities"):
            proxy.line_probabilities = _line_probabilities(proxy)
        return proxy

    for key, engine in made.items():
        engine_registry._engines[key] = wrap(engine)
    for name, factory in factories.items():
        engine_registry._FACTORIES[name] = lambda lang, factory=factory: wrap(factory(lang))

    def restore() -> None:
        engine_registry._FACTORIES.update(factories)
        for key, engine in list(engine_registry._engines.items()):
            if isinstance(engine, CountingEngine):
                engine_registry._engines[key] = engine._engine

    return restore


def floor_calls(calls: list[Call]) -> tuple[list[Call], bool]:
    """The reads of the lines the answer is built from: the main pass's lines kept as text, or,
    for a service without a main pass, its own reads that came out as text (orientation probes
    left out); and whether it had one."""
    main = [c for c in calls if c.stage == "main"]
    if main or any(c.stage == "speck" for c in calls):
        return main, True
    return [c for c in calls if c.stage == "own" and c.is_read and c.text], False


def recogniser_floor(calls: list[Call]) -> float:
    """Seconds of the recogniser alone on those lines' crops, each read once, as the service read it."""
    started = time.perf_counter()
    for call in calls:
        getattr(call.engine, call.method)(call.crop)
    return time.perf_counter() - started


# -- the raw engines -------------------------------------------------------------------

class RawPPOCR:
    """PP-OCR through rapidocr on the whole page (detector, line classifier, recogniser), one
    thread, as ocr_core/engines/ppocr.py builds it."""

    def __init__(self):
        from rapidocr import RapidOCR

        self._ocr = RapidOCR(params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })

    def __call__(self, data: bytes) -> int:
        out = self._ocr(data)
        return len(getattr(out, "txts", None) or ())


class RawTesseract:
    """Tesseract through tesserocr on the whole page: chi_sim+eng, LSTM, page segmentation automatic."""

    def __init__(self, lang: str = "chi_sim+eng"):
        import tesserocr

        self._api = tesserocr.PyTessBaseAPI(path=get_settings().tessdata, lang=lang, psm=tesserocr.PSM.AUTO,
                                            oem=tesserocr.OEM.LSTM_ONLY)
        # As ocr_core's engine does: pictures carry no trustworthy resolution (and Tesseract
        # would warn on every page).
        self._api.SetVariable("user_defined_dpi", "300")

    def __call__(self, data: bytes) -> int:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
        h, w = image.shape
        self._api.SetImageBytes(image.tobytes(), w, h, 1, w)
        text = self._api.GetUTF8Text()
        self._api.Clear()
        return sum(1 for line in text.splitlines() if line.strip())


# -- the pictures ----------------------------------------------------------------------

# Benchmarks that score other things on the same pictures as another of their service's.
_SAME_PICTURES = (":receipts", ":inner", ":found", ":choice")


def service_benchmarks() -> dict[str, list[Benchmark]]:
    """Each service's benchmarks with pictures of their own (an ID card's face and back)."""
    out: dict[str, list[Benchmark]] = {}
    for name, bench in BENCHMARKS.items():
        if not name.endswith(_SAME_PICTURES):
            out.setdefault(bench.service, []).append(bench)
    return out


def picture(benches: list[Benchmark], seed: int) -> tuple[bytes, dict, str]:
    """Seed `seed`'s picture file, its configure, and how it was made (clean on even seeds)."""
    bench = benches[seed % len(benches)]
    distortion = Distortion() if seed % 2 == 0 else bench.photo(seed)
    sample = bench.make(seed, distortion)
    return sample.encode("jpg" if distortion.jpeg_quality else "png"), dict(bench.configure), \
        "clean" if seed % 2 == 0 else "photographed"


# -- measuring -------------------------------------------------------------------------

@dataclass
class PictureTimes:
    """One picture of one service: the three runs' seconds, the floor, and recognize's calls."""

    service: str
    seed: int
    kind: str
    seconds: dict[str, float]
    floor: float
    reads: dict[str, int]            # per stage
    read_seconds: dict[str, float]   # per stage, and "detect" for the engines' other calls
    lines: int
    has_main_pass: bool
    error: int | None = None         # the error code recognize answered, if any

    @property
    def total_reads(self) -> int:
        return sum(self.reads.values())


class Bench:
    """The raw engines and the call log, made once per process."""

    def __init__(self):
        self.ppocr, self.tesseract = RawPPOCR(), RawTesseract()
        self.log = CallLog()
        self.restore = count_engine_calls(self.log)

    def _recognize(self, service: str, data: bytes, configure: dict) -> int | None:
        try:
            recognize(service, data, configure)
        except ServiceError as exc:
            return exc.code
        return None

    def one(self, service: str, seed: int, kind: str, data: bytes, configure: dict, turn: int,
            repeat: int = 1) -> PictureTimes:
        """The picture through the three runners in turn's order, then the floor; `repeat` times
        over, each runner's fastest kept (recognize's calls those of its fastest run)."""
        seconds = {name: float("inf") for name in RUNNERS}
        error, calls, floor = None, [], float("inf")
        for _ in range(repeat):
            for name in RUNNERS[turn % 3:] + RUNNERS[:turn % 3]:
                if name == "recognize":
                    self.log.clear()
                    started = time.perf_counter()
                    error = self._recognize(service, data, configure)
                    took = time.perf_counter() - started
                    if took < seconds[name]:
                        seconds[name], calls = took, self.log.calls
                    self.log.clear()
                else:
                    runner = self.ppocr if name == "ppocr" else self.tesseract
                    started = time.perf_counter()
                    runner(data)
                    seconds[name] = min(seconds[name], time.perf_counter() - started)
            lines, has_main = floor_calls(calls)
            floor = min(floor, recogniser_floor(lines))
        reads = {stage: sum(1 for c in calls if c.is_read and c.stage == stage) for stage in STAGES}
        spent = {stage: sum(c.seconds for c in calls if c.stage == stage) for stage in (*STAGES, "detect")}
        return PictureTimes(service, seed, kind, seconds, floor, reads, spent, len(lines), has_main, error)

    def warm_up(self, service: str, data: bytes, configure: dict) -> None:
        """Every runner once on the picture, untimed: models loaded, first-call costs paid."""
        self.log.clear()
        self._recognize(service, data, configure)
        recogniser_floor(floor_calls(self.log.calls)[0])
        self.log.clear()
        self.ppocr(data)
        self.tesseract(data)


def measure(services: list[str], count: int, progress: Callable[[PictureTimes], None] | None = None,
            repeat: int = 1) -> list[PictureTimes]:
    """Every service's `count` pictures, each through the three runners and the floor (`repeat` times, fastest kept)."""
    benches = service_benchmarks()
    bench, out, turn = Bench(), [], 0
    try:
        for service in services:
            pictures = [picture(benches[service], seed) for seed in range(count)]
            bench.warm_up(service, pictures[0][0], pictures[0][1])
            for seed, (data, configure, kind) in enumerate(pictures):
                times = bench.one(service, seed, kind, data, configure, turn, repeat)
                turn += 1
                out.append(times)
                if progress:
                    progress(times)
    finally:
        bench.restore()
    return out


# -- the tables ------------------------------------------------------------------------

SPEED_COLUMNS = ["service", "pictures", "recognize s", "PP-OCR s", "Tesseract s", "÷ PP-OCR median",
                 "÷ PP-OCR worst", "÷ Tesseract median", "reads/picture", "lines/picture", "reads ÷ lines",
                 "floor s", "beyond floor"]
COST_COLUMNS = ["service", "main reads", "specks", "probes", "own reads", "detect", "rest",
                "reads: probe/main/speck/own"]


def summary(service: str, rows: list[PictureTimes]) -> dict:
    """The service's figures over its pictures (medians of per-picture values unless said)."""
    rec = [r.seconds["recognize"] for r in rows]
    to_pp = [r.seconds["recognize"] / r.seconds["ppocr"] for r in rows]
    to_tess = [r.seconds["recognize"] / r.seconds["tesseract"] for r in rows]
    reads = statistics.mean(r.total_reads for r in rows)
    lines = statistics.mean(r.lines for r in rows)
    total = sum(rec)
    shares = {stage: sum(r.read_seconds[stage] for r in rows) / total for stage in (*STAGES, "detect")}
    shares["rest"] = 1 - sum(shares.values())
    return {
        "service": service, "pictures": len(rows),
        "recognize_s": statistics.median(rec),
        "ppocr_s": statistics.median(r.seconds["ppocr"] for r in rows),
        "tesseract_s": statistics.median(r.seconds["tesseract"] for r in rows),
        "ratio_ppocr_median": statistics.median(to_pp), "ratio_ppocr_worst": max(to_pp),
        "ratio_tesseract_median": statistics.median(to_tess),
        "reads_per_picture": reads, "lines_per_picture": lines,
        "reads_per_line": reads / lines if lines else None,
        "has_main_pass": all(r.has_main_pass for r in rows),
        "floor_s": statistics.median(r.floor for r in rows),
        "beyond_floor": statistics.median(1 - r.floor / r.seconds["recognize"] for r in rows),
        "reads_by_stage": {stage: statistics.mean(r.reads[stage] for r in rows) for stage in STAGES},
        "time_shares": shares,
        "errors": [r.error for r in rows if r.error is not None],
    }


def _table(columns: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (it goes into the README as printed)."""
    return ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|",
            *("| " + " | ".join(row) + " |" for row in rows)]


def speed_table(summaries: list[dict]) -> list[str]:
    rows = []
    for s in summaries:
        lines = f"{s['lines_per_picture']:.1f}" + ("" if s["has_main_pass"] else "*")
        per_line = f"{s['reads_per_line']:.2f}" if s["reads_per_line"] else "-"
        rows.append([s["service"], str(s["pictures"]), f"{s['recognize_s']:.2f}", f"{s['ppocr_s']:.2f}",
                     f"{s['tesseract_s']:.2f}", f"{s['ratio_ppocr_median']:.2f}", f"{s['ratio_ppocr_worst']:.2f}",
                     f"{s['ratio_tesseract_median']:.2f}", f"{s['reads_per_picture']:.1f}", lines, per_line,
                     f"{s['floor_s']:.2f}", f"{s['beyond_floor']:.0%}"])
    return _table(SPEED_COLUMNS, rows)


def cost_table(summaries: list[dict]) -> list[str]:
    rows = []
    for s in summaries:
        share, by = s["time_shares"], s["reads_by_stage"]
        rows.append([s["service"], *(f"{share[k]:.0%}" for k in ("main", "speck", "probe", "own", "detect", "rest")),
                     "/".join(f"{by[k]:.1f}" for k in ("probe", "main", "speck", "own"))])
    return _table(COST_COLUMNS, rows)


def overall(rows: list[PictureTimes]) -> dict:
    """All pictures together: the median and worst ratio to PP-OCR, and the time in each stage."""
    to_pp = [r.seconds["recognize"] / r.seconds["ppocr"] for r in rows]
    return {"pictures": len(rows), "ratio_ppocr_median": statistics.median(to_pp), "ratio_ppocr_worst": max(to_pp),
            "ratio_ppocr_of_sums": sum(r.seconds["recognize"] for r in rows) / sum(r.seconds["ppocr"] for r in rows),
            "ratio_tesseract_of_sums": sum(r.seconds["recognize"] for r in rows)
            / sum(r.seconds["tesseract"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    services = sorted(service_benchmarks())
    parser.add_argument("--service", choices=services, action="append", help="service (repeatable); default: all")
    parser.add_argument("--count", type=int, default=3, help="pictures per service (seeds 0..N-1)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each picture through each runner, in "
                        "turn; the fastest kept (a shared machine's load only ever adds time)")
    parser.add_argument("--json", type=Path, help="write every picture's figures and the summaries here")
    parser.add_argument("--verbose", action="store_true", help="one line per picture")
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeat < 1:
        parser.error("--count and --repeat must be at least 1")
    chosen = args.service or services

    def progress(r: PictureTimes) -> None:
        if args.verbose:
            s = r.seconds
            print(f"  {r.service} seed={r.seed} {r.kind:12s} recognize {s['recognize']:.2f} s"
                  f"  PP-OCR {s['ppocr']:.2f} s"
                  f"  Tesseract {s['tesseract']:.2f} s  floor {r.floor:.2f} s  reads {r.total_reads} "
                  f"{r.reads}  lines {r.lines}" + (f"  error {r.error}" if r.error else ""), flush=True)

    started = time.perf_counter()
    rows = measure(chosen, args.count, progress, args.repeat)
    summaries = [summary(service, [r for r in rows if r.service == service]) for service in chosen]
    print(f"{len(rows)} pictures of the generator ({args.count} per service, even seeds clean, odd photographed), "
          f"one thread each, interleaved, fastest of {args.repeat}; {time.perf_counter() - started:.0f} s\n")
    print("\n".join(speed_table(summaries)))
    if any(not s["has_main_pass"] for s in summaries):
        print("\n* no main pass: its lines are the service's reads that came out as text.")
    print("\nwhere recognize's time goes (share of its seconds over the pictures; reads per picture by stage):\n")
    print("\n".join(cost_table(summaries)))
    whole = overall(rows)
    print(f"\nall {whole['pictures']} pictures: recognize ÷ PP-OCR median {whole['ratio_ppocr_median']:.2f}, worst "
          f"{whole['ratio_ppocr_worst']:.2f}, of the summed times {whole['ratio_ppocr_of_sums']:.2f}; "
          f"÷ Tesseract of the summed times {whole['ratio_tesseract_of_sums']:.2f}")
    errors = {s["service"]: s["errors"] for s in summaries if s["errors"]}
    if errors:
        print(f"answered errors (timed all the same): {errors}")
    if args.json:
        args.json.write_text(json.dumps({"pictures": [asdict(r) for r in rows], "services": summaries,
                                         "overall": whole}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
