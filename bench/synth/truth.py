"""The values passed between the generator's steps: a line's ground truth, a
distortion recipe, and a finished sample (picture plus truth)."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Point = tuple[float, float]
Quad = tuple[Point, ...]


@dataclass(frozen=True)
class LineTruth:
    text: str
    # 4 corners (tl, tr, br, bl) in the final picture's pixel coordinates,
    # following the text direction: tl is where the line starts. Coordinates
    # are continuous: pixel (i, j) covers [i, i+1) x [j, j+1), so a box that
    # ends at x1 = 40 includes column 39 and not column 40.
    quad: Quad


@dataclass(frozen=True)
class Distortion:
    tilt: float = 0.0          # degrees of in-plane rotation, + is clockwise on screen
    rotate: int = 0            # 0/90/180/270, clockwise, applied after tilt (phone held sideways)
    perspective: float = 0.0   # 0..0.15, corner jitter as a fraction of the page size
    blur: float = 0.0          # gaussian sigma in px
    noise: float = 0.0         # gaussian noise std in grey levels
    jpeg_quality: int | None = None
    # The page lies on a textured desk with a margin around it, under the
    # camera's white balance (a photo), vs the page filling the picture (a scan).
    background: bool = False
    light: float = 0.0         # 0..1, strength of uneven illumination gradient / vignette

    def __post_init__(self) -> None:
        if self.rotate not in (0, 90, 180, 270):
            raise ValueError(f"rotate must be 0, 90, 180 or 270, not {self.rotate}")
        if not 0.0 <= self.perspective <= 0.15:
            raise ValueError(f"perspective must be within 0..0.15, not {self.perspective}")
        if not 0.0 <= self.light <= 1.0:
            raise ValueError(f"light must be within 0..1, not {self.light}")
        if self.blur < 0 or self.noise < 0:
            raise ValueError("blur and noise cannot be negative")
        if self.jpeg_quality is not None and not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be within 1..100, not {self.jpeg_quality}")


_ENCODINGS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg", "bmp": ".bmp", "tif": ".tiff", "tiff": ".tiff"}


@dataclass
class Sample:
    image: np.ndarray          # BGR uint8
    lines: list[LineTruth]     # reading order: top to bottom of the upright page
    distortion: Distortion
    seed: int

    def encode(self, fmt: str = "png") -> bytes:
        """The picture as a file of format png, jpg, bmp or tiff."""
        ext = _ENCODINGS.get(fmt.lower())
        if ext is None:
            raise ValueError(f"unknown format {fmt!r}; one of {sorted(_ENCODINGS)}")
        params: list[int] = []
        if ext == ".jpg":
            # Re-encoding at the quality the distortion already used adds little
            # new loss, so the file matches what `image` shows.
            params = [cv2.IMWRITE_JPEG_QUALITY, self.distortion.jpeg_quality or 95]
        ok, buf = cv2.imencode(ext, self.image, params)
        if not ok:
            raise RuntimeError(f"OpenCV could not encode the picture as {fmt}")
        return buf.tobytes()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
