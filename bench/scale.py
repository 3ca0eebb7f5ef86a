"""Throughput against worker processes, and the throughput of `ocrq ingest`, each beside direct `recognize` calls.

    python -m bench.scale [--count 160] [--workers 1,2,4] [--ingest-count 500] [--service ocr_general]
                          [--round 4] [--engine E] [--plot docs/scale.svg]

Pages are drawn once (bench/throughput.py's: half clean PNG scans, half photographed JPEGs,
seeds 0..N-1) and written as files. For each W, in one run and on the same pages: images/s of
W processes calling `ocr_core.recognize` directly, and images/s through the whole system
(redis-server, `ocrq api` under gunicorn, `ocrq worker` with W processes, jobs posted over
HTTP), taken in alternating short rounds (`--round` pages per worker process) so that the
machine's load hits both alike, and their ratio (target >= 0.97 at as many workers as cores,
issue 19). For one W (2 when measured, else the largest), the same system then takes
`ocrq ingest` over `--ingest-count` files, run as a user runs it, against direct calls on those
same files, half before and half after it. The plot is an SVG drawn here (no plotting library).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from api.settings import Settings
from bench.throughput import ROOT, DirectPool, System, interleaved_throughput, make_pages


@dataclass(frozen=True)
class Point:
    """One W of the table: images per second both ways."""

    workers: int
    direct: float
    system: float

    @property
    def ratio(self) -> float:
        return self.system / self.direct


@dataclass(frozen=True)
class IngestRun:
    """`ocrq ingest` over `files` files with `workers` processes, timed from its start to its exit."""

    files: int
    workers: int
    seconds: float
    direct: float
    summary: str

    @property
    def rate(self) -> float:
        return self.files / self.seconds

    @property
    def ratio(self) -> float:
        return self.rate / self.direct


PNG_SIGNATURE = b"\x89PNG"


def write_pages(pages: list[bytes], folder: Path) -> list[Path]:
    """Each page as its own file, named by seed, with the suffix of its format."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed, data in enumerate(pages):
        suffix = ".png" if data.startswith(PNG_SIGNATURE) else ".jpg"
        path = folder / f"page-{seed:04d}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def run_ingest(system: System, folder: Path, expected: int, service: str, configure: dict, out: Path) -> tuple[float, str]:
    """Run `ocrq ingest` over `folder` into `out`; its wall time and summary, once every file is checked succeeded."""
    cmd = [sys.executable, "-m", "api.cli", "ingest", str(folder), "--service", service,
           "--configure", json.dumps(configure), "--out", str(out), "--api", system.url,
           "--appcode", system.appcode, "--rate", str(system.settings.rate_limit)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=system.env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ocrq ingest exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    succeeded = {r["path"] for r in records if r["status"] == "succeeded"}
    if len(records) != expected or len(succeeded) != expected:
        raise RuntimeError(f"ocrq ingest wrote {len(records)} results, {len(succeeded)} distinct files succeeded, "
                           f"for {expected} files")
    return seconds, done.stdout.strip().splitlines()[-1]


def measure(pages: list[bytes], count: int, workers: list[int], ingest_count: int, ingest_workers: int,
            service: str, configure: dict, tmp: Path, log=print, round_per_worker: int = 4
            ) -> tuple[list[Point], IngestRun | None]:
    """Direct and system for each W on the first `count` pages, interleaved: both sides up and
    warm together, taking the pages in alternating rounds of `round_per_worker` × W pages, never
    both at once (bench.throughput.interleaved_throughput). Then `ocrq ingest` over the first
    `ingest_count` pages on the system of `ingest_workers`, against direct calls on them: one
    command cannot be cut into rounds, so half those direct pages go before it and half after.
    """
    nice = Settings().worker_nice  # the workers' default niceness, given to the direct processes too
    folder = tmp / "pages"
    write_pages(pages[:ingest_count], folder)
    points, ingest = [], None
    for w in workers:
        with_ingest = bool(ingest_count) and w == ingest_workers
        pool = DirectPool(pages[:max(count, ingest_count if with_ingest else 0)], w, service, configure, nice)
        system = None
        try:
            system = System(w, tmp / f"system-{w}", nice=nice)
            system.warm_up(pages[0], service, configure)
            both = interleaved_throughput(pool, system, pages[:count], service, configure, round_per_worker * w)
            if with_ingest:
                half = ingest_count // 2
                direct_seconds = pool.run(0, half)
                seconds, summary = run_ingest(system, folder, ingest_count, service, configure,
                                              tmp / f"results-{w}.jsonl")
                direct_seconds += pool.run(half, ingest_count)
                ingest = IngestRun(ingest_count, w, seconds, ingest_count / direct_seconds, summary)
        except Exception:
            if system is not None:
                sys.stderr.write(f"system log ({system.log}):\n{system.log.read_text(errors='replace')[-3000:]}\n")
            raise
        finally:
            if system is not None:
                system.stop()
            pool.stop()
        points.append(Point(w, both.direct, both.system))
        log(f"{w:>2} {points[-1].direct:>14.2f} {points[-1].system:>14.2f} {points[-1].ratio:>6.2f}")
    return points, ingest


# -- the plot ------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 190, 50, 60  # margins: the legend sits on the right


def _nice_step(top: float) -> float:
    """A 1, 2 or 5 times a power of ten that cuts [0, top] into about five intervals."""
    raw = max(top, 1e-9) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def throughput_svg(points: list[Point], cores: int, title: str) -> str:
    """A line chart of direct and system images/s against W, with the cores marked; SVG text."""
    xs = sorted(p.workers for p in points)
    x_max = max(xs[-1], cores) + 0.5
    step = _nice_step(max(max(p.direct, p.system) for p in points) * 1.1)
    y_max = step * (int(max(max(p.direct, p.system) for p in points) * 1.1 / step) + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(w: float) -> float:
        return LEFT + w / x_max * plot_w

    def y(v: float) -> float:
        return TOP + plot_h - v / y_max * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2:.0f}" y="24" text-anchor="middle" font-size="14">{escape(title)}</text>']
    ticks = int(round(y_max / step))
    for i in range(ticks + 1):
        v = i * step
        out.append(f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{LEFT + plot_w}" y2="{y(v):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    for w in xs:
        out.append(f'<line x1="{x(w):.1f}" y1="{TOP + plot_h}" x2="{x(w):.1f}" y2="{TOP + plot_h + 5}" stroke="black"/>')
        out.append(f'<text x="{x(w):.1f}" y="{TOP + plot_h + 20}" text-anchor="middle">{w}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 15}" text-anchor="middle">worker processes (W)</text>')
    out.append(f'<text transform="translate(20 {TOP + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle">'
               f'images per second</text>')
    # Past the cores, more processes only share them: the mark says where growth must stop.
    out.append(f'<line x1="{x(cores):.1f}" y1="{TOP}" x2="{x(cores):.1f}" y2="{TOP + plot_h}" stroke="#888" '
               f'stroke-dasharray="4 4"/>')
    out.append(f'<text x="{x(cores) + 4:.1f}" y="{TOP + 12}" fill="#555">{cores} cores</text>')
    series = [("direct recognize", "#1f77b4", "direct"), ("whole system", "#d62728", "system")]
    for n, (label, colour, attr) in enumerate(series):
        ordered = sorted(points, key=lambda p: p.workers)
        coords = " ".join(f"{x(p.workers):.1f},{y(getattr(p, attr)):.1f}" for p in ordered)
        out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in ordered:
            value = getattr(p, attr)
            out.append(f'<circle cx="{x(p.workers):.1f}" cy="{y(value):.1f}" r="4" fill="{colour}"/>')
            # Direct above-left, system below-right: apart from each other and from the lines.
            tx, ty, anchor = (x(p.workers) - 7, y(value) - 7, "end") if attr == "direct" else \
                (x(p.workers) + 7, y(value) + 16, "start")
            out.append(f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="{colour}">{value:.2f}</text>')
        ly = TOP + 20 + 22 * n
        out.append(f'<line x1="{LEFT + plot_w + 20}" y1="{ly}" x2="{LEFT + plot_w + 44}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"/>')
        out.append(f'<text x="{LEFT + plot_w + 50}" y="{ly + 4}">{escape(label)}</text>')
    ly = TOP + 20 + 22 * len(series)
    for i, p in enumerate(sorted(points, key=lambda p: p.workers)):
        out.append(f'<text x="{LEFT + plot_w + 20}" y="{ly + 18 * (i + 1)}" fill="#555">W={p.workers}: '
                   f'system ÷ direct {p.ratio:.2f}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# -- the command -----------------------------------------------------------------------

def cores() -> int:
    """The CPUs this process may run on (what bounds the workers), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=160, help="pages per W, each way")
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker process counts")
    parser.add_argument("--ingest-count", type=int, default=500, help="files for `ocrq ingest` (0: skip)")
    parser.add_argument("--ingest-workers", type=int, default=None, help="W of the ingest run (default: 2 if "
                        "measured, else the largest)")
    parser.add_argument("--round", type=int, default=4, help="pages per worker process in a round of each side")
    parser.add_argument("--service", default="ocr_general")
    parser.add_argument("--engine", default=None, help="pipeline named in every request (default: the service's)")
    parser.add_argument("--plot", default=str(ROOT / "docs" / "scale.svg"), help="SVG to write ('' for none)")
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if not workers or min(workers) < 1 or args.count < 1 or args.ingest_count < 0 or args.round < 1:
        parser.error("--workers needs counts >= 1, --count >= 1, --round >= 1, --ingest-count >= 0")
    ingest_workers = args.ingest_workers or (2 if 2 in workers else max(workers))
    if args.ingest_count and ingest_workers not in workers:
        parser.error("--ingest-workers must be one of --workers")
    configure = {"engine": args.engine} if args.engine else {}
    n_cores = cores()

    started = time.perf_counter()
    pages = make_pages(max(args.count, args.ingest_count), processes=n_cores)
    print(f"{len(pages)} generated pages (bench/throughput.py's: half clean PNG, half photographed JPEG), "
          f"drawn in {time.perf_counter() - started:.0f} s; service {args.service}, engine "
          f"{args.engine or 'the service default'}; cpu count {os.cpu_count()}, usable {n_cores}\n", flush=True)
    print(f"{args.count} pages per W, each way, in alternating rounds of {args.round} per worker process; "
          f"system = HTTP + Redis + one `ocrq worker` with W processes")
    print(f"{'W':>2} {'direct img/s':>14} {'system img/s':>14} {'ratio':>6}  (target >= 0.97 at W = cores)",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        points, ingest = measure(pages, args.count, workers, args.ingest_count, ingest_workers, args.service,
                                 configure, Path(tmp), log=lambda line: print(line, flush=True),
                                 round_per_worker=args.round)
    if ingest:
        print(f"\ningest: `ocrq ingest` of {ingest.files} files, W={ingest.workers}: {ingest.rate:.2f} files/s "
              f"({ingest.seconds:.1f} s, start to exit), direct {ingest.direct:.2f} img/s on the same files, "
              f"ratio {ingest.ratio:.2f}")
        print(f"  its summary: {ingest.summary}")
    if max(workers) > n_cores:
        print(f"\nW above {n_cores} shares {n_cores} cores: it cannot be faster than W={n_cores} here.")
    if args.plot:
        plot = Path(args.plot)
        plot.parent.mkdir(parents=True, exist_ok=True)
        plot.write_text(throughput_svg(points, n_cores, f"{args.service}: images/s against worker processes "
                                                        f"({n_cores} cores)"), encoding="utf-8")
        print(f"plot: {plot}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
