"""`python -m bench.scale` end to end at a tiny scale: the table, the ingest line, the SVG.

Only the shape of what it prints and draws is checked; its speed belongs to the bench itself.
"""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from bench.scale import Point, throughput_svg
from tests.servers import ROOT

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.slow
def test_scale_bench_prints_the_table_and_the_ingest_line_and_draws_the_plot(tmp_path):
    plot = tmp_path / "scale.svg"
    done = subprocess.run([sys.executable, "-m", "bench.scale", "--count", "4", "--workers", "1",
                           "--ingest-count", "4", "--plot", str(plot)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"cpu count \d+, usable \d+", out)
    # The table: its header, then one row per W of three figures (direct, system, their ratio).
    assert re.search(r"^\s*W\s+direct img/s\s+system img/s\s+ratio\b", out, re.M), out
    row = re.search(r"^\s*1\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s+(\d+\.\d\d)\s*$", out, re.M)
    assert row, out
    direct, system, _ = row.groups()
    ingest = re.search(r"`ocrq ingest` of 4 files, W=1: (\d+\.\d\d) files/s .* direct (\d+\.\d\d) img/s "
                       r"on the same files, ratio (\d+\.\d\d)", out)
    assert ingest, out
    assert "4 inputs: 4 succeeded, 0 failed" in out

    root = ET.parse(plot).getroot()
    assert root.tag == SVG + "svg"
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 2  # one W, two series
    texts = [t.text for t in root.iter(SVG + "text")]
    assert direct in texts and system in texts     # the plot shows the table's figures


def test_plot_has_a_point_per_worker_count_and_series_and_escapes_its_title():
    points = [Point(1, 2.7, 2.6), Point(2, 5.1, 4.8), Point(4, 5.0, 4.7)]
    root = ET.fromstring(throughput_svg(points, 2, "a < b & c"))
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [3, 3]
    # System below direct at every W: its y coordinates are larger (SVG's y grows downwards).
    direct_y = [float(xy.split(",")[1]) for xy in lines[0].get("points").split()]
    system_y = [float(xy.split(",")[1]) for xy in lines[1].get("points").split()]
    assert all(s > d for d, s in zip(direct_y, system_y))
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "a < b & c" in texts and "2 cores" in texts
    assert {"1", "2", "4"} <= set(texts)
    assert "W=2: system ÷ direct 0.94" in texts
