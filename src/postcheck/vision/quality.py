"""Whether a detected face can be matched reliably: too small, cut off, blurred or turned to the side.

A face that fails any of these is never cleared as someone with consent: it is reported as
unverifiable, with the reason.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from postcheck.vision.detect import FaceBox, geometry

SMALL_FACE = 40
"""A face narrower than this (photo pixels) is too small to match reliably."""
BLUR_THRESHOLD = 70.0
"""Variance of the Laplacian of the face (grey, resized to ``BLUR_SIDE`` px) below which it is blurred.

Measured on seven shared portraits of one person, each blurred (Gaussian, sigma as a share of the face
box's width) and compared with his reference photo: sharp faces score 320-2800; at 2% they score 79-204
and still match (0.34-0.44, tolerance 0.45); at 3% 24-62 and drift to 0.47-0.50; at 4% 19-65 and
0.52-0.60. On ../shared/faces/wild, 2 of the 108 boxes 40 px or wider score under 70."""
BLUR_SIDE = 64
CUT_OFF_FRACTION = 0.35
"""A face with more than this fraction of its width or height outside the frame is cut off.

Measured on the square the encoder aligns (placed from the detector's landmarks, which it puts where
the hidden eye would be): the shared partial faces have 19% and 31% outside and match their
reference well (0.22, 0.26); obama.jpg with 40% of its face cut away has 33%, with 50% cut away 42%."""
PROFILE_EYES_OVER_MOUTH = 0.5
"""Eye-to-eye distance over eyes-to-mouth distance below which a face is turned to the side.

Measured from the detector's landmarks on ../shared/faces/wild (fine pass): faces facing the camera
0.41-1.15 (3 of 134 under 0.5, all small), profiles 0.03-0.74 (13 of 17 under 0.5)."""
PROFILE_NOSE_OUTSIDE = (0.0, 1.0)
"""The nose tip's position between the eyes (0 = over one eye, 1 = over the other) outside which
a face is turned to the side: facing the camera -0.19 to 0.78 (2 of 134 outside), profiles 11 of 17 outside."""


def sharpness(rgb: np.ndarray, box: FaceBox) -> float:
    """Variance of the Laplacian of the face, grey, resized to ``BLUR_SIDE`` px square.

    Resizing first makes the measure independent of resolution: a sharp face upscaled to 12 MP
    stays sharp, a blurred one stays blurred.
    """
    height, width = rgb.shape[:2]
    top, right, bottom, left = box.clipped(height, width)
    if bottom - top < 3 or right - left < 3:
        return 0.0
    grey = Image.fromarray(rgb[top:bottom, left:right]).convert("L")
    method = Image.Resampling.BOX if grey.width > BLUR_SIDE else Image.Resampling.BILINEAR
    g = np.asarray(grey.resize((BLUR_SIDE, BLUR_SIDE), method), dtype=np.float64)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def outside_fraction(box: FaceBox, height: int, width: int) -> float:
    """Fraction of the face's width or height (the larger) outside the frame.

    The face is the square the encoder aligns, placed from the landmarks: the detector's own box
    tends to stop at the frame's edge while the landmarks go on to where the hidden eye would be.
    """
    cx, cy, side, _ = geometry(box)
    if side <= 0:
        return 1.0
    half = side / 2
    across = max(0.0, half - cx) + max(0.0, cx + half - width)
    down = max(0.0, half - cy) + max(0.0, cy + half - height)
    return min(1.0, max(across, down) / side)


def turned_aside(box: FaceBox) -> bool:
    """Whether the landmarks say the face is turned to the side (a profile), too far to match."""
    if len(box.landmarks) != 5:
        return False
    marks = np.asarray(box.landmarks, dtype=np.float64)
    left_eye, right_eye, nose = marks[0], marks[1], marks[2]
    mouth = (marks[3] + marks[4]) / 2
    eyes = right_eye - left_eye
    span = float(np.linalg.norm(eyes))
    drop = float(np.linalg.norm(mouth - (left_eye + right_eye) / 2))
    if span < 1e-6 or drop < 1e-6:
        return True
    along = float(np.dot(nose - left_eye, eyes)) / span**2
    low, high = PROFILE_NOSE_OUTSIDE
    return span / drop < PROFILE_EYES_OVER_MOUTH or not low <= along <= high


def assess(rgb: np.ndarray, box: FaceBox) -> str | None:
    """Why this face cannot be matched reliably, as the end of a sentence ("it is too small ..."), or None."""
    height, width = rgb.shape[:2]
    if min(box.width, box.height) < SMALL_FACE:
        return f"it is too small ({min(box.width, box.height)} pixels wide; at least {SMALL_FACE} are needed)"
    if outside_fraction(box, height, width) > CUT_OFF_FRACTION:
        return "it is cut off at the edge of the picture"
    if turned_aside(box):
        return "it is turned to the side (a profile)"
    if sharpness(rgb, box) < BLUR_THRESHOLD:
        return "it is blurred"
    return None
