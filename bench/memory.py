"""Peak resident memory and seconds of one recognition process on the costliest pictures under the bounds.

    python -m bench.memory [--service ocr_general --service ocr_plate | --service all]
                           [--picture noise_3000 ...] [--list] [--json out.json]

Each picture is drawn here, deterministically, and sized to what the API admits: at most
`OCR_MAX_PIXELS` pixels, `decode.MAX_SIDE` a side, `orient.MAX_ASPECT`:1 and `OCR_MAX_PAGES`
pages. Each (service, picture) runs in a fresh process (multiprocessing spawn) that loads the engines
(`ocr_core.warm_up`), reads the file and calls `ocr_core.recognize` once, as a worker's pool
process would on its first job; the table gives that process's peak resident memory (VmHWM,
which counts the engines' models), its resident memory after the warm-up, the seconds of the
call and what it answered. The README's budget is 1 GiB per recognition process.
"""
from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ocr_core.settings import get_settings
from ocr_core.steps.decode import MAX_SIDE
from ocr_core.steps.orient import MAX_ASPECT

#: The README's budget per recognition process, in MiB (section "Sizing": 1 GiB per process).
BUDGET_MIB = 1024
#: The services run when none is named: the general reader, the plate finder (the detector on the
#: whole picture), the card finder, the table parser and the seal finder: each spends its own way.
DEFAULT_SERVICES = ("ocr_general", "ocr_plate", "ocr_idcard", "ocr_table_parse", "ocr_official_seal")


def _side(pixels: int, aspect: float = 1.0) -> tuple[int, int]:
    """(width, height) of a picture of at most `pixels` pixels, `aspect` times wider than high."""
    height = int((pixels / aspect) ** 0.5)
    return max(1, int(height * aspect)), max(1, height)


def _bound() -> int:
    return get_settings().max_pixels


def _encode(array: np.ndarray, fmt: str, quality: int = 90) -> bytes:
    """A BGR or grey array as a file of `fmt` ("jpg" or "png")."""
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if fmt == "jpg" else [cv2.IMWRITE_PNG_COMPRESSION, 1]
    ok, buffer = cv2.imencode("." + fmt, array, params)
    if not ok:
        raise RuntimeError(f"could not encode a {array.shape} picture as {fmt}")
    return buffer.tobytes()


def noise(width: int, height: int, seed: int = 0) -> bytes:
    """Colour noise, every pixel drawn apart: the most edges, blobs and detector responses per pixel."""
    rng = np.random.default_rng(seed)
    return _encode(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "jpg")


def blank(width: int, height: int) -> bytes:
    """White paper and nothing on it: should cost next to nothing."""
    return _encode(np.full((height, width), 255, np.uint8), "png")


def specks(width: int, height: int, seed: int = 0, share: float = 0.02) -> bytes:
    """White paper under dark specks of 1-3 px, `share` of the page: millions of ink components."""
    rng = np.random.default_rng(seed)
    page = np.full((height, width), 255, np.uint8)
    count = int(width * height * share / 4)
    xs, ys = rng.integers(0, width - 3, count), rng.integers(0, height - 3, count)
    sizes = rng.integers(1, 4, count)
    for size in (1, 2, 3):
        pick = sizes == size
        for dy in range(size):
            for dx in range(size):
                page[ys[pick] + dy, xs[pick] + dx] = 0
    return _encode(page, "png")


def checkerboard(width: int, height: int, square: int = 12) -> bytes:
    """Black and white squares of `square` px: every square a character-sized blob in a perfect row."""
    ys, xs = np.indices((height, width))
    page = np.where(((ys // square) + (xs // square)) % 2 == 0, 0, 255).astype(np.uint8)
    return _encode(page, "png")


def characters(width: int, height: int, size: int = 16, seed: int = 0) -> bytes:
    """A page packed edge to edge with random Chinese characters of `size` px, lines `size` apart:
    the most text lines and characters a page can hold."""
    from bench.synth.render import load_font

    rng = np.random.default_rng(seed)
    font = load_font("sans", size)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    per_line = width // size
    for top in range(0, height - size, size + size // 4):
        codes = rng.integers(0x4E00, 0x4E00 + 3000, per_line)
        draw.text((0, top), "".join(map(chr, codes)), font=font, fill=0)
    return _encode(np.asarray(page), "png")


def tiff_pages(width: int, height: int, pages: int, seed: int = 0) -> bytes:
    """A TIFF of `pages` noise pages (deflate), each answered apart."""
    rng = np.random.default_rng(seed)
    frames = [Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8)) for _ in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    return out.getvalue()


@dataclass(frozen=True)
class Picture:
    name: str
    about: str
    draw: Callable[[], bytes]


def pictures() -> dict[str, Picture]:
    """The costly pictures, by name: each at or under the bounds the API checks before queueing."""
    bound = _bound()
    pages = get_settings().max_pages
    # The longest strips admitted: at the side bound and the pixel bound, and at the side bound
    # and the aspect bound.
    strip = (MAX_SIDE, bound // MAX_SIDE)
    narrow = (MAX_SIDE, -(-MAX_SIDE // MAX_ASPECT))
    found = [
        Picture("noise_3000", "3000x3000 JPEG of colour noise (the issue's 1.8 GB)", lambda: noise(3000, 3000)),
        Picture("noise_bound", "JPEG of colour noise at the pixel bound", lambda: noise(*_side(bound))),
        Picture("characters_12mp", "4000x3000 page packed with 16 px Chinese characters", lambda: characters(4000, 3000)),
        Picture("characters_bound", "page packed with 16 px Chinese characters at the pixel bound",
                lambda: characters(*_side(bound, 0.75))),
        Picture("specks_bound", "white page under 1-3 px specks at the pixel bound", lambda: specks(*_side(bound, 0.75))),
        Picture("checkerboard_bound", "12 px checkerboard at the pixel bound", lambda: checkerboard(*_side(bound))),
        Picture("blank_40x4000", "blank strip 40 wide, 4000 high (100:1, the bound)", lambda: blank(40, 4000)),
        Picture("blank_4000x40", "blank strip 4000 wide, 40 high (100:1, the bound)", lambda: blank(4000, 40)),
        Picture("noise_strip_bound", f"noise strip {strip[0]}x{strip[1]} (the side and pixel bounds)",
                lambda: noise(*strip)),
        Picture("noise_strip_aspect", f"noise strip {narrow[0]}x{narrow[1]} (the side and aspect bounds)",
                lambda: noise(*narrow)),
        Picture("noise_strip_tall", f"noise strip {narrow[1]}x{narrow[0]} (the same, standing)",
                lambda: noise(narrow[1], narrow[0])),
        Picture("tiff_pages_bound", f"TIFF of {pages} noise pages of 1000x1000 (the page bound)",
                lambda: tiff_pages(1000, 1000, pages)),
    ]
    return {picture.name: picture for picture in found}


@dataclass(frozen=True)
class Run:
    """One (service, picture) in its own process."""

    service: str
    picture: str
    peak_mib: float       # the process's peak resident memory, engines included
    warm_mib: float       # its resident memory after the warm-up, before the call
    seconds: float        # of the recognize call alone
    answer: str           # "ok" with what was found, or the error code


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS: now; VmHWM: its peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _summary(answer: dict) -> str:
    if "pages" in answer:
        failed = sum(1 for page in answer["pages"] if page.get("success") is False)
        return f"ok, {len(answer['pages'])} pages ({failed} failed)"
    for key, value in answer.items():
        if isinstance(value, list):
            return f"ok, {len(value)} {key}"
    return "ok"


def _child(path: str, service: str, configure: dict, nice: int, out) -> None:
    import os

    if nice:
        os.nice(nice)
    import ocr_core
    from ocr_core.errors import ServiceError

    ocr_core.warm_up()
    warm = _status_mib("VmRSS")
    data = Path(path).read_bytes()
    start = time.perf_counter()
    try:
        answer = _summary(ocr_core.recognize(service, data, configure))
    except ServiceError as exc:
        answer = f"{exc.code} {exc.error_msg[:60]}"
    seconds = time.perf_counter() - start
    # Not ru_maxrss: Linux carries it across exec, so a spawned child starts with its parent's
    # resident size (the parent that drew a 40 MP checkerboard showed 1363 MiB in every child).
    peak = _status_mib("VmHWM")
    out.send((peak, warm, seconds, answer))
    out.close()


def measure(path: Path, service: str, configure: dict | None = None, nice: int = 0,
            timeout: float | None = None) -> tuple[float, float, float, str]:
    """(peak MiB, MiB after warm-up, seconds, answer) of `service` on the file at `path`, in a fresh
    process. A process that dies (killed for its memory, say) answers its exit code instead."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(str(path), service, configure or {}, nice, send))
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            process.kill()
            raise TimeoutError(f"{service} on {path.name}: no answer in {timeout} s")
        result = receive.recv()
    except EOFError:
        process.join()
        return float("nan"), float("nan"), float("nan"), f"process ended with {process.exitcode}"
    finally:
        process.join()
    return result


def run(services: list[str], names: list[str], folder: Path, nice: int = 10,
        timeout: float | None = None) -> list[Run]:
    catalogue = pictures()
    runs = []
    for name in names:
        path = folder / name
        if not path.exists():
            path.write_bytes(catalogue[name].draw())
        for service in services:
            try:
                peak, warm, seconds, answer = measure(path, service, nice=nice, timeout=timeout)
            except TimeoutError:
                peak = warm = seconds = float("nan")
                answer = f"no answer in {timeout:.0f} s (killed)"
            runs.append(Run(service, name, round(peak, 1), round(warm, 1), round(seconds, 2), answer))
            print(f"{name:20} {service:24} {peak:8.0f} {warm:8.0f} {seconds:8.1f}  {answer}", flush=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    from ocr_core import SERVICES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--service", action="append", help=f"a service, or 'all' (default: {', '.join(DEFAULT_SERVICES)})")
    parser.add_argument("--picture", action="append", help="a picture by name (default: all of them)")
    parser.add_argument("--list", action="store_true", help="list the pictures and exit")
    parser.add_argument("--json", type=Path, help="also write the runs here")
    parser.add_argument("--nice", type=int, default=10, help="niceness of the recognition processes")
    parser.add_argument("--timeout", type=float, help="seconds a run's process may take, warm-up included, before it is killed and reported so")
    args = parser.parse_args(argv)
    catalogue = pictures()
    if args.list:
        for picture in catalogue.values():
            print(f"{picture.name:20} {picture.about}")
        return 0
    services = list(SERVICES) if args.service == ["all"] else (args.service or list(DEFAULT_SERVICES))
    names = args.picture or list(catalogue)
    unknown = [name for name in names if name not in catalogue] + [s for s in services if s not in SERVICES]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    print(f"{'picture':20} {'service':24} {'peak MiB':>8} {'warm MiB':>8} {'seconds':>8}  answer")
    with tempfile.TemporaryDirectory(prefix="ocrq-memory-") as folder:
        runs = run(services, names, Path(folder), args.nice, args.timeout)
    measured = [r for r in runs if r.peak_mib == r.peak_mib]
    over = [r for r in measured if r.peak_mib > BUDGET_MIB]
    print(f"\n{len(runs)} runs ({len(runs) - len(measured)} without an answer); highest peak "
          f"{max((r.peak_mib for r in measured), default=float('nan')):.0f} MiB; "
          f"{len(over)} over the budget of {BUDGET_MIB} MiB per recognition process")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
