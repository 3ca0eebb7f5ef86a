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
    steps = cv2.morphologyEx(cv2.medianBlur(colour, window), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
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
    if not keep[1:].any():
        return np.zeros((h, w), bool)
    mask = cv2.resize(keep[regions].astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
    # Along the edge of a region the reduced picture is too coarse to say where the ground
    # changes: there a pixel belongs to the dark ground when it is dark itself (light pixels
    # there are the light paper beside it, which would otherwise turn into a black rule).
    edge = max(3, int(round(1.5 / factor)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (edge, edge))
    zone = cv2.dilate(mask, kernel) != cv2.erode(mask, kernel)
    result = mask.astype(bool)
    result[zone] = grey[zone] < _DARK_GROUND
    return result


def dark_type_on_light(image: np.ndarray) -> np.ndarray:
    """The picture with its light-on-dark regions turned over (every channel inverted there);
    the picture itself when it has none. Points keep their place."""
    mask = light_type_regions(image)
    if not mask.any():
        return image
    turned = image.copy()
    turned[mask] = 255 - image[mask]
    return turned
