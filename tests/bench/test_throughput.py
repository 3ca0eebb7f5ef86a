"""`python -m bench.throughput`: direct and system interleaved in short rounds, and end to end at a
tiny scale. Only the order of the rounds and the shape of what it prints are checked; its speed
belongs to the bench itself."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bench.throughput import interleaved_throughput, rounds
from tests.servers import ROOT


def test_rounds_cover_every_page_once_in_order():
    assert rounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert rounds(3, 8) == [(0, 3)]


class _Pool:
    def __init__(self, said: list):
        self.said = said

    def run(self, start: int, end: int) -> float:
        self.said.append(("direct", start, end))
        return 1.0


class _System:
    def __init__(self, said: list):
        self.said = said

    def throughput(self, pages: list[bytes], service: str, configure=None) -> float:
        self.said.append(("system", pages[0], pages[-1]))
        return 2.0


def test_the_sides_take_turns_round_by_round_each_on_the_same_pages():
    said: list = []
    pages = [bytes([n]) for n in range(10)]
    both = interleaved_throughput(_Pool(said), _System(said), pages, "ocr_general", round_size=4)
    # Direct first, then the system first, by turns; never two rounds of one side's pages apart.
    assert said == [("direct", 0, 4), ("system", b"\x00", b"\x03"),
                    ("system", b"\x04", b"\x07"), ("direct", 4, 8),
                    ("direct", 8, 10), ("system", b"\x08", b"\x09")]
    assert both.pages == 10 and both.direct_seconds == 3.0


@pytest.mark.slow
def test_throughput_bench_prints_the_table_interleaved(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench.throughput", "--pages", "4", "--workers", "1", "--round", "1",
                           "--rate", "10", "--seconds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "alternating rounds of 1 pages per worker process" in out, out
    assert re.search(r"^\s*W\s+direct pages/s\s+system pages/s\s+ratio\b", out, re.M), out
    assert re.search(r"^\s*1\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d\s*$", out, re.M), out
    assert re.search(r"p50 \d+\.\d ms\s+p99 \d+\.\d ms", out), out
