"""Face detection, encoding and quality assessment: every use of dlib lives here.

Models load lazily, once per process, on first use (never at import), straight from dlib and
``face_recognition_models``; ``import face_recognition`` is avoided because it loads every model,
the slow CNN detector included, at import time.

Detection runs dlib's HOG frontal face detector over an image pyramid in two passes:

- a *coarse* pass over the whole image shrunk to ``COARSE_SIDE`` pixels finds the large faces
  (a face filling the frame, or straddling any tile border);
- a *fine* pass over overlapping strips, enlarged so that a ``MIN_FACE``-pixel face becomes the
  detector's 80-pixel window (capped at ``FINE_BUDGET`` pixels for very large photos), finds small
  faces; the strips run in parallel threads, each with its own detector (dlib's detector keeps
  per-call state, so one instance must not be shared between threads; dlib releases the GIL).

Detections from both passes are merged: a box overlapping a better-scoring one is the same face.

A detection scoring under ``CONFIRM_BELOW`` is only *possibly* a face (HOG also fires on round
badges and patterns): ``is_confirmed_face`` asks a second, independent detector, dlib's CNN (MMOD)
face detector, about a small crop around it. The CNN model loads only when such a box turns up.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import pickle
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from PIL import Image

MIN_FACE = 40
"""Smallest face side, in original pixels, that detection looks for in photos up to ``FINE_BUDGET / 4`` pixels."""
HOG_WINDOW = 80
"""dlib's frontal detector finds faces of about this many pixels and larger."""
FINE_BUDGET = 12_000_000
"""Most pixels the fine pass may scan: a 12 MP photo is scanned at 1x, finding faces from about 60 px.

HOG finds faces somewhat smaller than its nominal window: measured at 1x with obama-480p.jpg shrunk
onto a plain canvas, faces 54-58 px wide score 0.55-1.5, 60-72 px wide 1.0-2.2 (0 is the threshold).
At the earlier 16 MP budget (1.15x) the fine pass cost a third more, plus a 12 MP upscale."""
COARSE_SIDE = 1024
"""Long side of the coarse pass image."""
DETECTION_THRESHOLD = 0.0
"""dlib's own threshold: 29/29 labelled faces found with no false positives; lower thresholds add false positives."""
SAME_FACE_IOU = 0.3

CONFIRM_BELOW = 0.5
"""HOG score under which a detection must be confirmed by the CNN detector.

Measured on ../shared/faces and examples/photo.jpg: a mission patch scores 0.13, yet one real face
scores 0.17 (the other 45 real faces 0.70 to 2.9), so a score cut alone would lose faces."""
CONFIRM_FACE_SIDE = 90
"""The crop shown to the CNN detector is scaled so the box is this many pixels (it finds faces from about 80)."""
CONFIRM_MARGIN = 0.5
"""Context around the box in the CNN crop, as a fraction of the box side.

Measured over all 46 real faces in ../shared/faces and examples/photo.jpg at (face side, margin):
(90, 0.5) confirms every one with confidence >= 1.01 (dlib's threshold is 0) in 0.35 s at most;
(90, 1.0) is no better (>= 1.02) at twice the cost; (80, 0.5) drops to 0.81, and at 70 px or less
the CNN finds no faces at all. The patch gets no detection at any of these."""

ENCODING_JITTERS = 1
"""Measured: 10 jitters move same-person distances by < 0.02 at 10x the cost (see bench/faces.py)."""
ENCODING_FACE_SIDE = 200
"""Faces larger than this are shrunk (with antialiasing) before landmarks and encoding."""

SMALL_FACE = 40
"""A face narrower than this (original pixels) is too small to match reliably."""
BLUR_THRESHOLD = 15.0
"""Variance of the Laplacian of the face (grey, resized to ``BLUR_SIDE`` px) below which it is blurred.

Measured on the shared photos: sharp faces score 600 to 2100; a Gaussian blur of sigma 2% of the face
width scores 19 to 69 and still matches (distance <= 0.36); 4% scores 6 to 8 and drifts to 0.51-0.64
from the same person's reference, too far to match or rule out reliably."""
BLUR_SIDE = 64
CUT_OFF_FRACTION = 0.3
"""A face with more than this fraction of its box outside the frame is cut off.

The shared partial faces have 22-23% outside and match well (0.22, 0.26); cropping obama.jpg further,
HOG still finds the face with 32-33% outside but distances grow, and loses it beyond."""


@dataclass(frozen=True)
class FaceBox:
    """A detected face in original pixel coordinates; may extend past the frame when the face is cut off."""

    top: int
    right: int
    bottom: int
    left: int
    score: float = 0.0
    """HOG detector confidence (0 is dlib's threshold; faces typically score 0.5 to 2.5)."""
    scale: float = 1.0
    """Scale of the image the detector saw, relative to the original."""

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        return ((self.top + self.bottom) / 2, (self.left + self.right) / 2)

    def clipped(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(top, right, bottom, left) clipped to a ``height`` x ``width`` frame."""
        return (
            max(0, self.top),
            min(width, self.right),
            min(height, self.bottom),
            max(0, self.left),
        )

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.top, self.right, self.bottom, self.left)


# ---------------------------------------------------------------- models (lazy, once per process)


@functools.cache
def _hog_prototype():
    import dlib

    return dlib.get_frontal_face_detector()  # 0.2-0.4 s to build


_ENCODING_MODELS_LOCK = threading.Lock()
_DETECTOR_LOCK = threading.Lock()
_CNN_IN_USE = threading.Lock()
_thread_state = threading.local()


def _detector():
    """This thread's own HOG detector: an instance must not be used by two threads at once, and
    posts may be checked in parallel, so each thread gets a copy (2 ms) of one prototype."""
    detector = getattr(_thread_state, "detector", None)
    if detector is None:
        with _DETECTOR_LOCK:  # functools.cache alone would let two threads both build the prototype
            prototype = _hog_prototype()
        detector = _thread_state.detector = pickle.loads(pickle.dumps(prototype))
    return detector


def prepare() -> None:
    """Start building the detector and loading an encoder in the background, so that they are
    ready by the time the photo has been decoded. Cheap to call again: it loads nothing twice."""
    with _ENCODING_MODELS_LOCK:
        global _prepared
        if _prepared:
            return
        _prepared = True
    threading.Thread(target=_prepare_all, name="postcheck-load-models", daemon=True).start()


_prepared = False
_idle_encoders: queue.SimpleQueue = queue.SimpleQueue()
"""Loaded (landmark model, encoder) pairs not in use: one per post being encoded at the same time."""


def _prepare_all() -> None:
    with _DETECTOR_LOCK:
        _hog_prototype()
    _idle_encoders.put(_load_encoder())


def _load_encoder():
    """The 5-point landmark model (the alignment dlib's ResNet encoder was trained with, and
    face_recognition's default; 0.05 s to load where the 68-point model takes 0.5 s) and the encoder."""
    import dlib
    import face_recognition_models

    return (
        dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location()),
        dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location()),
    )


@contextlib.contextmanager
def _encoder():
    """Borrow an encoder: the network keeps its working buffers in the model, so a thread has one
    to itself; a second is loaded (0.1 s) only when two posts are encoded at the same moment."""
    try:
        models = _idle_encoders.get_nowait()
    except queue.Empty:
        models = _load_encoder()
    try:
        yield models
    finally:
        _idle_encoders.put(models)


@functools.cache
def _cnn_detector():
    """dlib's CNN (MMOD) face detector, the second opinion on low-scoring HOG boxes."""
    import dlib
    import face_recognition_models

    return dlib.cnn_face_detection_model_v1(face_recognition_models.cnn_face_detector_model_location())


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


# ---------------------------------------------------------------- detection


def _resize(rgb: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-3:
        return np.ascontiguousarray(rgb)
    height, width = rgb.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    method = Image.Resampling.BILINEAR if scale > 1 else Image.Resampling.BOX
    return np.asarray(Image.fromarray(rgb).resize(size, method))


@dataclass(frozen=True)
class _Job:
    """Run the detector on ``rgb[top:bottom, left:right]`` scaled by ``scale``."""

    top: int
    bottom: int
    left: int
    right: int
    scale: float

    @property
    def cost(self) -> float:
        return (self.bottom - self.top) * (self.right - self.left) * self.scale**2


def _run_job(rgb: np.ndarray, job: _Job) -> list[FaceBox]:
    region = _resize(rgb[job.top : job.bottom, job.left : job.right], job.scale)
    rects, scores, _ = _detector().run(region, 0, DETECTION_THRESHOLD)
    s = job.scale
    return [
        FaceBox(
            top=round(r.top() / s) + job.top,
            right=round(r.right() / s) + job.left,
            bottom=round(r.bottom() / s) + job.top,
            left=round(r.left() / s) + job.left,
            score=float(score),
            scale=s,
        )
        for r, score in zip(rects, scores)
    ]


def _plan(height: int, width: int, workers: int) -> list[_Job]:
    """The detector runs for one image: one whole-image run, or a coarse run plus overlapping strips."""
    fine_scale = min(HOG_WINDOW / MIN_FACE, math.sqrt(FINE_BUDGET / (height * width)))
    fine_pixels = height * width * fine_scale**2
    if workers == 1 or fine_pixels < 2_000_000:
        return [_Job(0, height, 0, width, fine_scale)]
    coarse_scale = min(1.0, COARSE_SIDE / max(height, width))
    # Strips overlap by more than the smallest face the coarse pass finds, so every face is
    # either whole inside one strip or large enough for the coarse pass.
    overlap = math.ceil(1.5 * HOG_WINDOW / coarse_scale)
    jobs = [_Job(0, height, 0, width, coarse_scale)]
    strips = workers
    if width >= height:
        edges = [round(i * width / strips) for i in range(strips + 1)]
        for a, b in zip(edges, edges[1:]):
            jobs.append(_Job(0, height, max(0, a - overlap // 2), min(width, b + overlap // 2), fine_scale))
    else:
        edges = [round(i * height / strips) for i in range(strips + 1)]
        for a, b in zip(edges, edges[1:]):
            jobs.append(_Job(max(0, a - overlap // 2), min(height, b + overlap // 2), 0, width, fine_scale))
    return jobs


def _same_face(a: FaceBox, b: FaceBox) -> bool:
    top, bottom = max(a.top, b.top), min(a.bottom, b.bottom)
    left, right = max(a.left, b.left), min(a.right, b.right)
    inter = max(0, bottom - top) * max(0, right - left)
    union = a.width * a.height + b.width * b.height - inter
    if union > 0 and inter / union >= SAME_FACE_IOU:
        return True
    # A face cut by a strip border is found twice: partly, and whole; one contains the other's centre.
    return _contains(a, b.center) or _contains(b, a.center)


def _contains(box: FaceBox, point: tuple[float, float]) -> bool:
    y, x = point
    return box.top <= y <= box.bottom and box.left <= x <= box.right


def merge_detections(boxes: list[FaceBox]) -> list[FaceBox]:
    """Best-scoring box per face, sorted left to right."""
    kept: list[FaceBox] = []
    for box in sorted(boxes, key=lambda b: -b.score):
        if not any(_same_face(box, k) for k in kept):
            kept.append(box)
    return sorted(kept, key=lambda b: (b.left, b.top))


def detect_faces(rgb: np.ndarray) -> list[FaceBox]:
    """Every face in an RGB uint8 image, left to right, in original pixel coordinates."""
    rgb = _as_rgb(rgb)
    height, width = rgb.shape[:2]
    with _busy() as others:
        # Splitting a photo over the cores costs a coarse pass and strip overlaps (about 30% more
        # work): worth it when this is the only photo being searched, not when a scan already keeps
        # the cores busy with other posts' photos.
        workers = 1 if others else _workers()
        return _detect(rgb, height, width, workers)


@contextlib.contextmanager
def _busy():
    """Counts the detections running at once; yields how many others were running when this began."""
    global _detections_running
    with _DETECTOR_LOCK:
        others = _detections_running
        _detections_running += 1
    try:
        yield others
    finally:
        with _DETECTOR_LOCK:
            _detections_running -= 1


_detections_running = 0


def _detect(rgb: np.ndarray, height: int, width: int, workers: int) -> list[FaceBox]:
    jobs = _plan(height, width, workers)
    if len(jobs) == 1:
        return merge_detections(_run_job(rgb, jobs[0]))
    # Longest-job-first onto the least-loaded worker; each worker owns one detector.
    queues: list[list[_Job]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for job in sorted(jobs, key=lambda j: -j.cost):
        i = loads.index(min(loads))
        queues[i].append(job)
        loads[i] += job.cost

    def work(slot: int) -> list[FaceBox]:
        return [box for job in queues[slot] for box in _run_job(rgb, job)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = [box for boxes in pool.map(work, range(workers)) for box in boxes]
    return merge_detections(found)


def _as_rgb(rgb: np.ndarray) -> np.ndarray:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image, got shape {rgb.shape} and dtype {rgb.dtype}")
    return rgb


# ---------------------------------------------------------------- confirmation


def needs_confirmation(box: FaceBox) -> bool:
    """Whether the HOG score is too low to call ``box`` a face without a second detector's opinion."""
    return box.score < CONFIRM_BELOW


def is_confirmed_face(rgb: np.ndarray, box: FaceBox) -> bool:
    """Whether ``box`` is a face: a confident HOG detection, or one the CNN detector also finds.

    The CNN looks at the box with a margin of context, scaled so the box is ``CONFIRM_FACE_SIDE``
    pixels (about 0.2-0.35 s on two cores); it must find a face whose centre lies in the box, or
    the box's centre in its face.
    """
    if not needs_confirmation(box):
        return True
    rgb = _as_rgb(rgb)
    height, width = rgb.shape[:2]
    side = max(1, box.width, box.height)
    margin = round(CONFIRM_MARGIN * side)
    top, bottom = max(0, box.top - margin), min(height, box.bottom + margin)
    left, right = max(0, box.left - margin), min(width, box.right + margin)
    if bottom <= top or right <= left:
        return False
    scale = CONFIRM_FACE_SIDE / side
    crop = _resize(rgb[top:bottom, left:right], scale)
    with _CNN_IN_USE:  # the network keeps its working buffers in the model: one caller at a time
        detections = _cnn_detector()(crop, 0)
    for detection in detections:
        r = detection.rect
        found = FaceBox(
            top=round(r.top() / scale) + top,
            right=round(r.right() / scale) + left,
            bottom=round(r.bottom() / scale) + top,
            left=round(r.left() / scale) + left,
        )
        if _contains(box, found.center) or _contains(found, box.center):
            return True
    return False


# ---------------------------------------------------------------- encoding


def encode_faces(rgb: np.ndarray, boxes: list[FaceBox], *, num_jitters: int = ENCODING_JITTERS) -> list[np.ndarray]:
    """A 128-d encoding per box (dlib ResNet over 5 landmarks), in the order of ``boxes``."""
    rgb = _as_rgb(rgb)
    encodings = []
    with _encoder() as (predictor, encoder):
        for box in boxes:
            crop, rect = _face_crop(rgb, box)
            shape = predictor(crop, rect)
            descriptor = encoder.compute_face_descriptor(crop, shape, num_jitters)
            encodings.append(np.array(descriptor, dtype=np.float64))
    return encodings


def _face_crop(rgb: np.ndarray, box: FaceBox):
    """The face with a margin, shrunk so the face is at most ``ENCODING_FACE_SIDE`` px, and its rect there.

    Shrinking with antialiasing gives the same encoding for a face at any resolution, and keeps
    landmarks and chip extraction cheap on 12 MP photos.
    """
    import dlib

    height, width = rgb.shape[:2]
    margin = max(box.width, box.height)
    top, bottom = max(0, box.top - margin), min(height, box.bottom + margin)
    left, right = max(0, box.left - margin), min(width, box.right + margin)
    crop = rgb[top:bottom, left:right]
    scale = min(1.0, ENCODING_FACE_SIDE / max(1, box.width))
    crop = _resize(crop, scale)
    rect = dlib.rectangle(
        round((box.left - left) * scale),
        round((box.top - top) * scale),
        round((box.right - left) * scale),
        round((box.bottom - top) * scale),
    )
    return crop, rect


def encode_reference(rgb: np.ndarray) -> list[np.ndarray]:
    """Encodings of every face in a reference photo (the register expects exactly one)."""
    boxes = detect_faces(rgb)
    return encode_faces(rgb, boxes)


def face_distances(known: np.ndarray | list[np.ndarray], encoding: np.ndarray) -> np.ndarray:
    """Euclidean distance from ``encoding`` to each known encoding (same metric as face_recognition)."""
    known = np.asarray(known, dtype=np.float64).reshape(-1, 128)
    if len(known) == 0:
        return np.empty(0)
    return np.linalg.norm(known - encoding, axis=1)


# ---------------------------------------------------------------- quality


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
    grey = grey.resize((BLUR_SIDE, BLUR_SIDE), Image.Resampling.BOX if grey.width > BLUR_SIDE else Image.Resampling.BILINEAR)
    g = np.asarray(grey, dtype=np.float64)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def outside_fraction(box: FaceBox, height: int, width: int) -> float:
    """Fraction of the box's area outside the frame."""
    area = box.width * box.height
    if area <= 0:
        return 1.0
    top, right, bottom, left = box.clipped(height, width)
    inside = max(0, bottom - top) * max(0, right - left)
    return 1.0 - inside / area


def assess(rgb: np.ndarray, box: FaceBox) -> str | None:
    """Why this face cannot be matched reliably ("too small", "cut off", "blurred"), or None."""
    height, width = rgb.shape[:2]
    if min(box.width, box.height) < SMALL_FACE:
        return f"it is too small ({min(box.width, box.height)} pixels wide; at least {SMALL_FACE} are needed)"
    if outside_fraction(box, height, width) > CUT_OFF_FRACTION:
        return "it is cut off at the edge of the picture"
    if sharpness(rgb, box) < BLUR_THRESHOLD:
        return "it is blurred"
    return None
