"""Write sample pictures and their truth to a folder, to look at them:
`python -m bench.synth --out DIR --count N [--photo | --scan]`."""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from bench.synth import photographed, scanned, text_page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the pictures and truth.jsonl")
    parser.add_argument("--count", type=int, default=10, help="number of pictures")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first picture; the others follow")
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--photo", action="store_true", help="phone photos (tilt, rotation, desk, blur, JPEG)")
    style.add_argument("--scan", action="store_true", help="office scans (slight skew, sometimes upside down)")
    parser.add_argument("--format", choices=("png", "jpg", "bmp", "tiff"),
                        help="file format; default jpg for photos, png otherwise")
    args = parser.parse_args(argv)

    fmt = args.format or ("jpg" if args.photo else "png")
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "truth.jsonl", "w", encoding="utf-8") as truth:
        for seed in range(args.seed, args.seed + args.count):
            distortion = photographed(seed) if args.photo else scanned(seed) if args.scan else None
            sample = text_page(seed, distortion=distortion)
            name = f"{seed:06d}.{fmt}"
            (args.out / name).write_bytes(sample.encode(fmt))
            record = {
                "file": name,
                "seed": seed,
                "text": sample.text,
                "lines": [{"text": line.text, "quad": [list(p) for p in line.quad]} for line in sample.lines],
                "distortion": dataclasses.asdict(sample.distortion),
            }
            truth.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {args.count} pictures and truth.jsonl to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
