"""Find every face in a photo: the detector run over a pyramid of scales and four rotations, merged.

One pass of the network finds faces from about 10 to 800 pixels wide (see ``centerface.py``), so:

- the *fine* pass runs where the photo has ``FINE_PIXELS`` pixels (a 12 MP photo at 0.41x, so a
  40-pixel face is 16), and a small photo (up to 0.8 MP) is enlarged ``MAX_UPSCALE`` times, so a
  12-pixel face at the back of a class photo becomes 24 pixels;
- *coarser* passes, each ``SCALE_STEP`` times smaller, follow until the long side is at most
  ``COARSE_SIDE``, so a face filling the frame is seen at a size the network knows;
- the photo turned 90, 180 and 270 degrees is searched once each at ``ROTATED_PIXELS`` (a child lying
  on the grass; a photo stored on its side). On ../shared/faces/wild turned 90 degrees, the upright
  passes alone found 88 of 208 faces, and 68 of 208 upside down.

Every pass is a function of the photo alone, so the same photo gives the same boxes in ``check``,
``scan``, ``fix``, ``--annotate`` and video, whatever else is running.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from postcheck.vision import centerface

DETECT_THRESHOLD = 0.3
"""Lowest network score kept as a face from an upright pass. On ../shared/faces/wild with this schedule
0.3 finds 204/208 faces with one box on the 22 photos without a face (a single pass at 0.5 found 176).
Lower thresholds box more strays: at 0.28 a 16 px profile at the back of a meeting (0.29) is found, and
so is a 36 px patch of hair beside a face in a GIF frame (0.2986); at 0.25 a spot on The Scream.
The real faces scoring under 0.5 are all under 40 px, so they are reported as unverifiable."""
FINE_PIXELS = 2_000_000
"""Size of the fine pass (0.18 s on 2 cores): a 12 MP photo is searched at 0.41x, where a 40 px face is
16 px and scores 0.72 (see centerface.py); at 3 MP (0.5x) the 12 MP photo takes a third longer."""
SMALL_PHOTO_FINE_PIXELS = 3_200_000
"""A photo up to 0.8 MP (a web page's or a messaging app's copy) is searched at ``MAX_UPSCALE``, however
many pixels that makes: on ../shared/faces/wild (0.2-0.8 MP photos, faces down to 12 px) 2x finds one
small face more than a 2 MP budget."""
MAX_UPSCALE = 2.0
"""A small photo is enlarged at most this much: at 2x a 12 px face becomes one the network scores 0.8."""
SCALE_STEP = 2.0
"""Each coarser pass is this much smaller. One pass covers sizes 80 times apart, but a small face on the
edge of detection may be found at one scale and not at the next: on ../shared/faces/wild (measured before
``BOX_PADDING``) steps of 2 found 202/208, steps of 3 found 201 (a 22 px face in a marching band is found
at 1x and 2x, not at 1.95x); steps of 2 cost a quarter of the fine pass more."""
COARSE_SIDE = 800
"""The coarsest pass's long side: a face filling the photo is then at most 800 px."""
ROTATED_PIXELS = 750_000
"""Size of each rotated pass: 0.05 s on 2 cores; a 12 MP photo at 0.25x, faces from about 48 px."""
ROTATIONS = (90, 180, 270)
ROTATED_THRESHOLD = 0.4
"""Lowest score kept from a rotated pass. Turned passes box more things that are not faces (the folds of a
shirt under a face): on the wild photos turned 90 degrees 0.3 finds 199/208 faces, 0.4 finds 195, and on
the upright photos 0.4 boxes 9 fewer things that are no labelled face (59 -> 50)."""
UPRIGHT_DEGREES = 45
"""A face leaning less than this in the image the network saw stood upright there."""
SAME_FACE_IOU = 0.3
"""Boxes from two passes overlapping this much are one face."""
PART_OF_FACE = 0.4
"""A box inside another face's box and at least this fraction of its width is part of that face: a
2,000 px face in a 12 MP photo is also found, at the finer scale, as a 900 px "face" within it. A real
face hidden that much behind another is not recognisable."""
BOX_PADDING = 0.1
"""Each side of the network's box is moved out by this fraction of the box, so that the box (which is
what ``fix`` blurs and ``--annotate`` draws) holds the whole face: on ../shared/faces/wild the network's
boxes are a median 0.86 of the labelled face height, and a few labelled centres fall just outside them."""


@dataclass(frozen=True)
class FaceBox:
    """A detected face in the photo's pixels; may extend past the frame when the face is cut off."""

    top: int
    right: int
    bottom: int
    left: int
    score: float = 1.0
    """The detector's confidence, 0 to 1."""
    landmarks: tuple[tuple[float, float], ...] = ()
    """(x, y) of the eyes, nose tip and mouth corners in the photo's pixels, as the detector placed them."""

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        """(y, x) of the box's centre."""
        return ((self.top + self.bottom) / 2, (self.left + self.right) / 2)

    def clipped(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(top, right, bottom, left) clipped to a ``height`` x ``width`` frame."""
        return (max(0, self.top), min(width, self.right), min(height, self.bottom), max(0, self.left))

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.top, self.right, self.bottom, self.left)


@dataclass(frozen=True)
class Pass:
    """Run the network on the photo turned ``rotation`` degrees counter-clockwise, scaled by ``scale``."""

    scale: float
    rotation: int = 0


def plan(height: int, width: int) -> list[Pass]:
    """The passes for a photo of this size, finest first."""
    pixels = max(1, height * width)
    long_side = max(height, width)
    if pixels * MAX_UPSCALE**2 <= SMALL_PHOTO_FINE_PIXELS:
        scale = MAX_UPSCALE
    else:
        scale = min(MAX_UPSCALE, math.sqrt(FINE_PIXELS / pixels))
    passes = [Pass(scale)]
    while long_side * scale > COARSE_SIDE:
        scale /= SCALE_STEP
        passes.append(Pass(scale))
    turned = min(1.0, math.sqrt(ROTATED_PIXELS / pixels))
    passes += [Pass(turned, rotation) for rotation in ROTATIONS]
    return passes


def detect_faces(rgb: np.ndarray) -> list[FaceBox]:
    """Every face in an RGB uint8 image, left to right, in the image's pixels."""
    rgb = as_rgb(rgb)
    height, width = rgb.shape[:2]
    sized: dict[float, np.ndarray] = {1.0: rgb}
    found = []
    for p in plan(height, width):
        found += _run(_sized(sized, p.scale), p, height, width)
    return [_padded(box) for box in merge(found)]


def _sized(sized: dict[float, np.ndarray], scale: float) -> np.ndarray:
    """The photo at ``scale``, made once and shrunk from the smallest copy already made that is no
    smaller and not enlarged (each pass is half the last: a 12 MP photo is read in full once)."""
    if scale not in sized:
        source = min((s for s in sized if scale <= s <= 1.0), default=1.0)
        height, width = sized[1.0].shape[:2]
        sized[scale] = _resized(sized[source], _size(height, width, scale), enlarge=scale > 1)
    return sized[scale]


def _padded(box: FaceBox) -> FaceBox:
    dx, dy = round(BOX_PADDING * box.width), round(BOX_PADDING * box.height)
    return replace(box, top=box.top - dy, bottom=box.bottom + dy, left=box.left - dx, right=box.right + dx)


def _run(scaled: np.ndarray, p: Pass, height: int, width: int) -> list[tuple[FaceBox, bool]]:
    """The pass's faces in the upright photo's pixels (``height`` x ``width``), each with whether the
    face stood upright in the image the network saw (where its landmarks are reliable: it learnt them
    on upright faces). ``scaled`` is the photo already scaled by ``p.scale``."""
    image = np.ascontiguousarray(np.rot90(scaled, p.rotation // 90)) if p.rotation else scaled
    if min(image.shape[:2]) < 8:
        return []
    sy, sx = scaled.shape[0] / height, scaled.shape[1] / width  # the scale after rounding to whole pixels
    turned_h, turned_w = image.shape[:2]

    def unturn(x: float, y: float) -> tuple[float, float]:
        ux, uy = _unturn(x, y, p.rotation, turned_h, turned_w)
        return ux / sx, uy / sy

    found = []
    for d in centerface.detect(image, ROTATED_THRESHOLD if p.rotation else DETECT_THRESHOLD):
        corners = [unturn(d.left, d.top), unturn(d.right, d.bottom)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        marks = tuple((round(x, 1), round(y, 1)) for x, y in (unturn(*m) for m in d.landmarks))
        box = FaceBox(top=round(min(ys)), right=round(max(xs)), bottom=round(max(ys)), left=round(min(xs)),
                      score=round(d.score, 4), landmarks=marks)
        found.append((box, abs(tilt_of(d.landmarks)) <= UPRIGHT_DEGREES))
    return found


def tilt_of(landmarks) -> float:
    """Degrees the face leans from upright, from the line between the eyes' and the mouth's midpoints."""
    (lx, ly), (rx, ry), _, (mlx, mly), (mrx, mry) = landmarks
    down_x, down_y = (mlx + mrx - lx - rx) / 2, (mly + mry - ly - ry) / 2
    return math.degrees(math.atan2(-down_x, down_y))


DLIB_BOX_CENTRE = 0.44
"""Where dlib's detector centres its box, as a fraction of the way from the eyes' midpoint to the mouth's.
Measured on the 62 faces of ../shared/faces found by both detectors: 0.44 (sd 0.12)."""
DLIB_BOX_SIDE = 2.32
"""dlib's box side over the eyes-to-mouth distance, on the same 62 faces: 2.32 (sd 0.26)."""


def geometry(box: FaceBox) -> tuple[float, float, float, float]:
    """(centre x, centre y, side, tilt in degrees) of the box dlib's detector would have drawn."""
    if len(box.landmarks) != 5:
        cy, cx = box.center
        return cx, cy, float(min(box.width, box.height)), 0.0
    marks = np.asarray(box.landmarks, dtype=np.float64)
    eyes, mouth = (marks[0] + marks[1]) / 2, (marks[3] + marks[4]) / 2
    span = max(1.0, float(np.linalg.norm(mouth - eyes)))
    cx, cy = eyes + DLIB_BOX_CENTRE * (mouth - eyes)
    return float(cx), float(cy), DLIB_BOX_SIDE * span, tilt_of(box.landmarks)


def _unturn(x: float, y: float, rotation: int, height: float, width: float) -> tuple[float, float]:
    """A point in the photo turned ``rotation`` degrees counter-clockwise (of ``height`` x ``width``)
    back in the upright photo's coordinates."""
    if rotation == 90:  # np.rot90 once: upright (x, y) went to (y, W - x), and W is the turned height
        return (height - y, x)
    if rotation == 180:
        return (width - x, height - y)
    if rotation == 270:
        return (y, width - x)
    return (x, y)


def merge(found: list[tuple[FaceBox, bool]]) -> list[FaceBox]:
    """One box per face, sorted left to right.

    Two boxes are one face when they overlap (``SAME_FACE_IOU``), or when each holds the other's centre
    (a face seen at two scales is boxed slightly differently); two children's faces side by side at the
    back of a crowd, or a small face in front of a large one, stay two faces. Of one face's boxes, one
    from a pass where the face stood upright wins (a face on its side can score well while its
    landmarks are guessed as if upright), then the best-scoring one.
    """
    kept: list[FaceBox] = []
    for box, _ in sorted(found, key=lambda c: (not c[1], -c[0].score, c[0].top, c[0].left)):
        if not any(_same_face(box, k) for k in kept):
            kept.append(box)
    return sorted(kept, key=lambda b: (b.left, b.top))


def _same_face(a: FaceBox, b: FaceBox) -> bool:
    if centerface.iou(a, b) >= SAME_FACE_IOU:
        return True
    if _contains(a, b.center) and _contains(b, a.center):
        return True
    # Part of a very large face (the eyes and nose) found again at a finer scale, as a face of its own.
    small, large = sorted((a, b), key=lambda box: box.width * box.height)
    return small.width >= PART_OF_FACE * large.width and _inside(small, large) >= 0.9


def _inside(small: FaceBox, large: FaceBox) -> float:
    """Fraction of ``small``'s area inside ``large``."""
    w = min(small.right, large.right) - max(small.left, large.left)
    h = min(small.bottom, large.bottom) - max(small.top, large.top)
    return max(0, w) * max(0, h) / max(1, small.width * small.height)


def _contains(box: FaceBox, point: tuple[float, float]) -> bool:
    y, x = point
    return box.top <= y <= box.bottom and box.left <= x <= box.right


def resize(rgb: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-3:
        return np.ascontiguousarray(rgb)
    return _resized(rgb, _size(*rgb.shape[:2], scale), enlarge=scale > 1)


def _size(height: int, width: int, scale: float) -> tuple[int, int]:
    """(width, height) of a ``height`` x ``width`` image scaled by ``scale``, at least one pixel."""
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resized(rgb: np.ndarray, size: tuple[int, int], *, enlarge: bool) -> np.ndarray:
    """Bilinear to enlarge; a box filter to shrink (every source pixel counts, so small faces are not aliased)."""
    method = Image.Resampling.BILINEAR if enlarge else Image.Resampling.BOX
    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).resize(size, method))


def as_rgb(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image, got shape {rgb.shape} and dtype {rgb.dtype}")
    return rgb
