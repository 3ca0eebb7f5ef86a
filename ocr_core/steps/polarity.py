"""The polarity step: where a picture prints light type on a dark ground (a dark card, a
coloured band, a white-on-blue heading), that part is turned over to dark type on a light
ground, so that the steps that look for ink darker than its paper find the type there too."""
from __future__ import annotations

import cv2
import numpy as np

from ocr_core.steps.locate import grey_of

# The ground is measured on the picture reduced to this size: a median over a window of
# `_GROUND_WINDOW` of its side is the ground under type of any size a card or page prints
# (the type covers well under half of any such window).
_WORK_SIDE = 480
_GROUND_WINDOW = 1 / 14
# A ground darker than this may carry light type (white on navy, black, red, green, orange…);
# lighter grounds carry dark type. Light on a pale ground is not legible print.
_DARK_GROUND = 150
# Neighbouring pixels of one ground differ by less than this (grey levels).
_GROUND_STEP = 8
# How close (grey levels, in each channel) a pixel must be to a region's ground to be of
# it, and the largest hole in a region (a share of the picture) that is its type or logo.
_SAME_GROUND = 40
_HOLE = 0.02
# A mark is this much lighter (or darker) than its ground.
_CONTRAST = 45
# A dark region is turned over when its light marks are at least this many separate pieces
# (a logo's white cut is one) and outnumber its dark marks this many times.
_MIN_PIECES = 3
_LIGHT_OVER_DARK = 2.0


def light_type_regions(image: np.ndarray) -> np.ndarray:
    """A mask (bool, the picture's size) of the regions that print light type on a dark ground."""
    grey = grey_of(image)
    h, w = grey.shape
    factor = min(1.0, _WORK_SIDE / max(h, w))
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    colour = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if image.ndim == 3 else small
    window = max(3, int(max(small.shape) * _GROUND_WINDOW) | 1)
    ground = cv2.medianBlur(small, window)
    # Grounds of another shade or colour are other regions: a blue card on a brown desk of
    # the same darkness is the card alone.
    grounds = cv2.medianBlur(colour, window) if image.ndim == 3 else ground
    steps = cv2.morphologyEx(grounds, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    steps = steps.max(axis=2) if steps.ndim == 3 else steps
    step = cv2.dilate((steps > _GROUND_STEP).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    dark = ((ground < _DARK_GROUND) & ~step).astype(np.uint8)
    count, regions = cv2.connectedComponents(dark, connectivity=4)
    if count <= 1:
        return np.zeros((h, w), bool)
    signed = small.astype(np.int16) - ground.astype(np.int16)
    # Light marks that run on into the light ground beside the region are that ground (the
    # white card beside a dark band, where the coarse median put the band's edge), not type.
    outside = dark == 0
    _, piece_labels = cv2.connectedComponents(((signed > _CONTRAST) | outside).astype(np.uint8), connectivity=8)
    ground_pieces = np.unique(piece_labels[outside])
    light_marks = (signed > _CONTRAST) & ~np.isin(piece_labels, ground_pieces)
    dark_marks = signed < -_CONTRAST
    keep = np.zeros(count, bool)
    for region in range(1, count):
        inside = regions == region
        light = int(np.count_nonzero(light_marks[inside]))
        # Pieces of light ink within the region, tiny ones (noise, jpeg) left out.
        labels, sizes = np.unique(piece_labels[inside & light_marks], return_counts=True)
        real = int(np.count_nonzero(sizes >= 3))
        keep[region] = real >= _MIN_PIECES and light > _LIGHT_OVER_DARK * np.count_nonzero(dark_marks[inside])
    if not keep.any():
        return np.zeros((h, w), bool)
    result = np.zeros((h, w), bool)
    edge = max(3, int(round(2 / factor)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (edge, edge))
    for region in np.nonzero(keep)[0]:
        inside = regions == region
        shade = np.median(grounds[inside], axis=0).astype(np.int16)
        # The median's region falls short of the ground by the window's reach (and rounds
        # its corners): the region is every pixel of the ground's own colour joined to it,
        # with the holes its type and its logo leave in it.
        same = _distance(colour, shade) < _SAME_GROUND
        _, pieces = cv2.connectedComponents(same.astype(np.uint8), connectivity=4)
        joined = np.isin(pieces, np.unique(pieces[inside & same]))
        # ...as far as the median can have fallen short (a window or two where a logo stood in
        # its way), not over a desk of a like colour beyond the card's edge.
        reach = np.ones((2 * window, 2 * window), np.uint8)
        joined &= (pieces > 0) & (cv2.dilate(inside.astype(np.uint8), reach) > 0)
        mask = _with_small_holes(joined | inside, _HOLE * joined.size)
        full = cv2.resize(mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        # Along its edge the reduced picture is too coarse: there a pixel belongs to the
        # region when it has its colour (the paper or a desk beside it turned over would
        # print a black rule or a light one).
        zone = (cv2.dilate(full, kernel) > 0) & (cv2.erode(full, kernel) == 0)
        result |= full > 0
        result[zone] = _distance(image[zone], shade) < _SAME_GROUND
    return result


def _distance(pixels: np.ndarray, shade: np.ndarray) -> np.ndarray:
    """The largest difference over the channels between pixels and a colour."""
    diff = np.abs(pixels.astype(np.int16) - shade)
    return diff.max(axis=-1) if shade.ndim == 1 else diff


def _with_small_holes(mask: np.ndarray, largest: float) -> np.ndarray:
    """The mask with its holes smaller than `largest` pixels filled (a character, a logo's cut)."""
    count, holes, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    small = np.zeros(count, bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] < largest
    return mask | small[holes]


def dark_type_on_light(image: np.ndarray) -> np.ndarray:
    """The picture with its light-on-dark regions turned over (every channel inverted there);
    the picture itself when it has none. Points keep their place."""
    mask = light_type_regions(image)
    if not mask.any():
        return image
    turned = image.copy()
    turned[mask] = 255 - image[mask]
    return turned
